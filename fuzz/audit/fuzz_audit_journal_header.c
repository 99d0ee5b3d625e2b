/* libFuzzer target: the audit journal's header line (audit_journal_header),
 * read at start from whatever file is at the journal's path (a server's
 * journal, one of before journal ids, a file written by hand, garbage).
 * Accepted: a store id of at most 32 characters, a half size within
 * AUDIT_JOURNAL_HALF (0 only for "no header"), and a journal id that is
 * empty or 32 hex digits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

#define HDR_MAX 256 /* the reader takes this much of the file */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char hdr[HDR_MAX];
    size_t n = size < sizeof hdr - 1 ? size : sizeof hdr - 1;
    if (n) memcpy(hdr, data, n);
    hdr[n] = '\0';
    char store[AUDIT_STORE_ID_HEX], jid[AUDIT_JOURNAL_ID_HEX];
    size_t half;
    pu_err e;
    if (audit_journal_header("fuzz", hdr, store, &half, jid, &e) != PU_OK) return 0;
    if (half > AUDIT_JOURNAL_HALF) abort();
    if (strlen(store) >= AUDIT_STORE_ID_HEX) abort();
    size_t jl = strlen(jid);
    if (jl != 0 && jl != AUDIT_JOURNAL_ID_HEX - 1) abort();
    for (size_t i = 0; i < jl; i++)
        if (!strchr("0123456789abcdefABCDEF", jid[i])) abort();
    if (half == 0 && (store[0] || jl)) abort();
    return 0;
}
