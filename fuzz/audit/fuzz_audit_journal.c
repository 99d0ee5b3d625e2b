/* libFuzzer target: the audit journal reader (audit_journal_parse), which a
 * server runs at start on whatever a crash left in the file. Every parsed
 * entry must have a valid jid and timestamp and strings without NUL. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    audit_staged *ents;
    size_t n, torn;
    char *store;
    pu_err e;
    if (audit_journal_parse("fuzz", (const char *)data, size, &ents, &n, &store, &torn, &e) != PU_OK) return 0;
    for (size_t i = 0; i < n; i++) {
        if (ents[i].jid < 1 || strlen(ents[i].ts) != 20) abort();
        const char *f[9] = {ents[i].ev.component, ents[i].ev.user,   ents[i].ev.agency,
                            ents[i].ev.action,    ents[i].ev.targets, ents[i].ev.outcome,
                            ents[i].ev.detail,    ents[i].ev.source,  ents[i].ev.purpose};
        for (int k = 0; k < 9; k++)
            if (!f[k] || strlen(f[k]) > size) abort();
    }
    audit_staged_free(ents, store);
    return 0;
}
