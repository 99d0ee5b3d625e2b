/*
 * screen_norm.c - name normalisation, the public entry points
 * (screen_normalize, ...) over folding (screen_fold.c), tokenisation
 * (screen_tokenize.c), the lexicon (screen_lexicon.c) and similarity
 * (screen_sim.c). Method and references: docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- public wrappers ---------------------------------------------------------- */

int screen_normalize(const char *name, const char *schema, char **out, pu_err *err) {
    *out = NULL;
    char *f = NULL;
    int rc = sn_fold(name, &f, err, "name");
    if (rc) return rc;
    char *work = malloc(SN_BUF_MAX * 2);
    sn_name *n = malloc(sizeof *n);
    if (!work || !n) {
        free(work);
        free(n);
        free(f);
        return PU_ERR_NOMEM;
    }
    char *pieces[SN_MAX_PIECES];
    int np = sn_split_cls(f, sn_class_of(schema), work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES);
    pu_buf b = PU_BUF_INIT(SN_BUF_MAX * 2);
    char tmp[SN_BUF_MAX];
    for (int i = 0; i < np; i++) {
        sn_tokenize(pieces[i], sn_class_of(schema), n);
        if (n->ntok == 0) continue;
        sn_join(n, tmp, sizeof tmp);
        if (b.len) pu_buf_puts(&b, " / ");
        pu_buf_puts(&b, tmp);
    }
    free(work);
    free(n);
    free(f);
    if (b.len == 0) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name with letters or digits, got '%s'",
                       name);
    }
    *out = pu_buf_detach(&b);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

int screen_normalize_id(const char *id, char *buf, size_t size) {
    size_t k = 0;
    if (!id || size == 0) return PU_ERR_INVALID;
    for (const char *p = id; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c) || c >= 0x80) continue;
        if (k + 1 >= size) return PU_ERR_LIMIT;
        buf[k++] = (char)toupper(c);
    }
    buf[k] = 0;
    return k ? PU_OK : PU_ERR_INVALID;
}
