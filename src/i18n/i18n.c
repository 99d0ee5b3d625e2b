/* i18n.c - catalogue lookup and language selection (see i18n.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n/i18n_int.h"

/* Longest language subtag looked at ("es" of "es-MX"); longer ones are not
 * languages we know. */
#define LANG_SUBTAG_MAX 8
/* Accept-Language entries considered; a longer header is cut there. */
#define ACCEPT_MAX_ENTRIES 32

static const char *const codes[I18N_NLANGS] = {"en", "es-MX"};
static const char *const primaries[I18N_NLANGS] = {"en", "es"};
static i18n_lang cli_lang = I18N_EN;

const char *i18n_code(i18n_lang lang) { return codes[lang == I18N_ES ? I18N_ES : I18N_EN]; }

/* The primary subtag of tag (up to '-', '_', '.', ';', ',', space) into out. */
static size_t primary_of(const char *tag, char out[LANG_SUBTAG_MAX + 1]) {
    size_t n = 0;
    while (tag[n] && !strchr("-_.;, \t@", tag[n])) {
        if (n == LANG_SUBTAG_MAX) return 0;
        out[n] = tag[n];
        n++;
    }
    out[n] = '\0';
    return n;
}

static int lookup_primary(const char *tag, i18n_lang *out) {
    char p[LANG_SUBTAG_MAX + 1];
    if (!tag || !primary_of(tag, p)) return 0;
    for (int i = 0; i < I18N_NLANGS; i++)
        if (strcasecmp(p, primaries[i]) == 0) {
            *out = (i18n_lang)i;
            return 1;
        }
    return 0;
}

int i18n_lang_parse(const char *tag, i18n_lang *out, pu_err *err) {
    if (lookup_primary(tag, out)) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, NULL, "lang", "unsupported language '%.32s': expected en or es (es-MX)",
                   tag ? tag : "");
}

/* q of one Accept-Language entry ("es-MX;q=0.8"): 1 when absent, -1 when malformed. */
static double entry_q(const char *entry, size_t len) {
    const char *semi = memchr(entry, ';', len);
    if (!semi) return 1.0;
    const char *q = semi + 1;
    while (*q == ' ') q++;
    if (strncasecmp(q, "q=", 2) != 0) return -1;
    char *end;
    double v = strtod(q + 2, &end);
    return end == q + 2 || v < 0 || v > 1 ? -1 : v;
}

i18n_lang i18n_accept_language(const char *header) {
    i18n_lang best = I18N_EN;
    double best_q = 0;
    const char *p = header ? header : "";
    for (int k = 0; *p && k < ACCEPT_MAX_ENTRIES; k++) {
        while (*p == ' ' || *p == ',') p++;
        size_t len = strcspn(p, ",");
        i18n_lang l;
        double q = entry_q(p, len);
        if (len && lookup_primary(p, &l) && q > best_q) {
            best = l;
            best_q = q;
        }
        p += len;
    }
    return best;
}

int i18n_cli_lang(const char *flag, i18n_lang *out, pu_err *err) {
    *out = I18N_EN;
    if (flag) return i18n_lang_parse(flag, out, err);
    const char *env = getenv("PUENTE_LANG");
    if (env && *env) return i18n_lang_parse(env, out, err);
    env = getenv("LANG");
    if (env && !lookup_primary(env, out)) *out = I18N_EN;
    return PU_OK;
}

static int cmp_row(const void *k, const void *row) { return strcmp(k, ((const i18n_row *)row)->key); }

/* The entry of key: a dotted key (messages.tsv), else an English format (es.po). */
static const i18n_row *find(const char *key) {
    if (!key) return NULL;
    const i18n_row *r = bsearch(key, i18n_rows, i18n_nrows, sizeof i18n_rows[0], cmp_row);
    return r ? r : bsearch(key, i18n_fmts, i18n_nfmts, sizeof i18n_fmts[0], cmp_row);
}

const char *i18n_get(i18n_lang lang, const char *key) {
    const i18n_row *r = find(key);
    if (!r) return key ? key : "";
    return r->text[lang == I18N_ES ? I18N_ES : I18N_EN];
}

int i18n_has(const char *key) { return find(key) != NULL; }

size_t i18n_count(void) { return i18n_nrows; }

void i18n_entry(size_t i, i18n_lang lang, const char **key, const char **text) {
    *key = i18n_rows[i].key;
    *text = i18n_rows[i].text[lang == I18N_ES ? I18N_ES : I18N_EN];
}

const char *i18n_tr(i18n_lang lang, const char *fmt) {
    if (lang != I18N_ES || !fmt) return fmt;
    const i18n_row *r = bsearch(fmt, i18n_fmts, i18n_nfmts, sizeof i18n_fmts[0], cmp_row);
    return r ? r->text[I18N_ES] : fmt;
}

static const char *tr_cli(const char *fmt) { return i18n_tr(cli_lang, fmt); }

void i18n_set_cli(i18n_lang lang) {
    cli_lang = lang;
    pu_set_translator(lang == I18N_EN ? NULL : tr_cli);
}
i18n_lang i18n_cli(void) { return cli_lang; }
