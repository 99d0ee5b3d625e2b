/* i18n_int.h - the generated catalogue table (gen.py), sorted by key. */
#ifndef PU_I18N_INT_H
#define PU_I18N_INT_H
#include <stddef.h>
#include "i18n/i18n.h"

typedef struct i18n_row {
    const char *key;
    const char *text[I18N_NLANGS];
} i18n_row;

extern const i18n_row i18n_rows[];
extern const size_t i18n_nrows;
/* The CLI's message formats, keyed by the English printf format (es.po). */
extern const i18n_row i18n_fmts[];
extern const size_t i18n_nfmts;

#endif
