/* tips_triage.c - what Puente reads out of a tip, in English and Spanish:
 * phone numbers, plates, firearm serials, CAS numbers and precursor
 * chemicals (the cargo watchlist), nicknames, companies, Mexican states,
 * dates and air waybills; and the SimHash for near-duplicates.
 * Extraction works on tokens that keep their raw form (capitals, digits,
 * hyphens) beside a folded form (lower case, accents stripped). */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cargo/cargo.h"
#include "tips/tips_int.h"

#define TOK_MAX 4096             /* tokens read from one text (the rest is not triaged) */
#define SEEN_MAX 256             /* distinct entities reported per text */
#define LOOKAHEAD 4              /* tokens after a cue word ("placas", "serie") searched */

int tips_fold(const char *s, char **out) {
    utf8proc_uint8_t *f = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &f,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                          UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) return PU_ERR_INVALID;
    *out = (char *)f;
    return PU_OK;
}

typedef struct tok {
    char raw[64];
    char fold[64];
} tok;

typedef struct ctx {
    tok *t;
    size_t n;
    tips_entity_cb cb;
    void *cbctx;
    char seen[SEEN_MAX][80];
    size_t nseen;
    int rc;
} ctx;

static void emit(ctx *c, const char *kind, const char *value) {
    char key[80];
    if (c->rc || !value[0]) return;
    (void)pu_snprintf(key, sizeof key, "%s:%s", kind, value);
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen[i], key) == 0) return;
    if (c->nseen < SEEN_MAX) pu_strlcpy(c->seen[c->nseen++], key, sizeof c->seen[0]);
    c->rc = c->cb(kind, value, c->cbctx);
}

/* Split on whitespace and punctuation other than - / . + inside a token. */
static size_t tokenize(const char *s, tok *t, size_t max) {
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        while (*p && (isspace(*p) || strchr(",;:!?¡¿()[]{}\"'“”«»", *p))) p++;
        if (!*p) break;
        size_t k = 0;
        while (*p && !isspace(*p) && !strchr(",;:!?()[]{}\"'", *p)) {
            if (k + 1 < sizeof t[n].raw) t[n].raw[k++] = (char)*p;
            p++;
        }
        while (k && (t[n].raw[k - 1] == '.' || t[n].raw[k - 1] == '-')) k--; /* sentence end */
        t[n].raw[k] = '\0';
        if (!k) continue;
        char *f = NULL;
        if (tips_fold(t[n].raw, &f) == PU_OK) {
            pu_strlcpy(t[n].fold, f, sizeof t[n].fold);
            free(f);
        } else {
            t[n].fold[0] = '\0';
        }
        n++;
    }
    return n;
}

static int in_list(const char *w, const char *const *list) {
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0) return 1;
    return 0;
}

/* Digits and letters of a token, upper case, separators dropped. */
static void alnum_upper(const char *s, char *out, size_t size, int *letters, int *digits) {
    size_t k = 0;
    *letters = *digits = 0;
    for (; *s && k + 1 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isdigit(ch)) (*digits)++;
        else if (isalpha(ch)) (*letters)++;
        else continue;
        out[k++] = (char)toupper(ch);
    }
    out[k] = '\0';
}

/* "123-12345678": an air waybill (prefix of the carrier, serial). */
static int is_awb(const char *s) {
    return strlen(s) == 12 && strspn(s, "0123456789") == 3 && s[3] == '-' && strspn(s + 4, "0123456789") == 8;
}

/* ---- phones: runs of digit groups ---- */
static void phone_from_digits(ctx *c, const char *d, size_t n) {
    char v[32];
    if (n == 13 && (!strncmp(d, "044", 3) || !strncmp(d, "045", 3))) (void)pu_snprintf(v, sizeof v, "+52 %s", d + 3);
    else if (n == 13 && !strncmp(d, "521", 3)) (void)pu_snprintf(v, sizeof v, "+52 %s", d + 3);
    else if (n == 12 && !strncmp(d, "52", 2)) (void)pu_snprintf(v, sizeof v, "+52 %s", d + 2);
    else if (n == 11 && d[0] == '1' && d[1] >= '2' && d[4] >= '2') (void)pu_snprintf(v, sizeof v, "+1 %s", d + 1);
    else if (n == 10) pu_strlcpy(v, d, sizeof v);
    else return;
    emit(c, "phone", v);
}

static void find_phones(ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        char d[24];
        size_t nd = 0, j = i;
        /* a phone is one to five tokens of digits and separators only */
        for (; j < c->n && j < i + 5; j++) {
            const char *s = c->t[j].raw;
            if (strspn(s, "0123456789-.()+") != strlen(s) || !strpbrk(s, "0123456789") || is_awb(s)) break;
            if (strchr(s, '-') && strlen(s) <= 10 && strspn(s, "0123456789") >= 2 &&
                s[strspn(s, "0123456789")] == '-' && strchr(s + strspn(s, "0123456789") + 1, '-') &&
                strlen(strrchr(s, '-') + 1) == 1)
                break; /* a CAS number (NN-NN-N), not a phone */
            for (; *s; s++)
                if (isdigit((unsigned char)*s) && nd + 1 < sizeof d) d[nd++] = *s;
            if (nd >= 10) break;
        }
        d[nd] = '\0';
        if (nd >= 10) {
            phone_from_digits(c, d, nd);
            i = j;
        }
    }
}

/* ---- CAS numbers and air waybills ---- */
static void find_cas_awb(ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->t[i].raw;
        int64_t v;
        int check = 0;
        if (cargo_cas_parse(s, &v, &check) == PU_OK && check) {
            char buf[24];
            cargo_cas_format(v, buf, sizeof buf);
            emit(c, "cas", buf);
        }
        if (is_awb(s)) emit(c, "awb", s);
    }
}

/* ---- a value after a cue word: plates and serials ---- */
static void after_cue(ctx *c, const char *const *cues, const char *kind, size_t minlen, size_t maxlen, int need_letter) {
    for (size_t i = 0; i < c->n; i++) {
        if (!in_list(c->t[i].fold, cues)) continue;
        for (size_t j = i + 1; j < c->n && j <= i + LOOKAHEAD; j++) {
            char v[64];
            int letters, digits;
            alnum_upper(c->t[j].raw, v, sizeof v, &letters, &digits);
            size_t n = strlen(v);
            if (n >= minlen && n <= maxlen && digits > 0 && (!need_letter || letters > 0) &&
                strlen(c->t[j].raw) <= maxlen + 3) {
                emit(c, kind, v);
                break;
            }
        }
    }
}

static void find_plates_serials(ctx *c) {
    static const char *const PLATE[] = {"placa", "placas", "plate", "plates", "matricula", "tag", "tags", "license", NULL};
    static const char *const SERIAL[] = {"serie", "serial", "serials", "series", "s/n", "sn", "numero", "number", NULL};
    after_cue(c, PLATE, "plate", 5, 8, 1);
    after_cue(c, SERIAL, "serial", 4, 20, 0);
}

/* ---- nicknames: "alias El Huevo", "apodado La Güera", "El Chapito" ---- */
static int capitalised(const char *raw) {
    unsigned char ch = (unsigned char)raw[0];
    return isupper(ch) || (ch == 0xC3 && (unsigned char)raw[1] >= 0x80 && (unsigned char)raw[1] <= 0x9E);
}

static void find_nicknames(ctx *c) {
    static const char *const CUE[] = {"alias", "apodo", "apodado", "apodada", "aka", "nickname", "mote", NULL};
    static const char *const ART[] = {"el", "la", "los", "las", NULL};
    /* places written "El Paso", "La Paz", "Los Mochis": not nicknames */
    static const char *const NOT_NICK[] = {"paz", "paso", "laguna", "piedad", "ciudad", "salto", "sauz", "rosario",
                                           "junta", "angeles", "vegas", "mochis", "cruces", "barca", NULL};
    for (size_t i = 0; i < c->n; i++) {
        int cue = in_list(c->t[i].fold, CUE);
        size_t a = cue ? i + 1 : i;
        if (a >= c->n) continue;
        int art = in_list(c->t[a].fold, ART);
        /* without a cue: a capitalised article before a capitalised word ("El Huevo") */
        if (!cue && !(art && capitalised(c->t[a].raw))) continue;
        size_t w = art ? a + 1 : a;
        if (w >= c->n || !capitalised(c->t[w].raw) || in_list(c->t[w].fold, NOT_NICK)) continue;
        if (!cue && !art) continue;
        char v[96];
        (void)pu_snprintf(v, sizeof v, "%s%s%s", art ? c->t[a].raw : "", art ? " " : "", c->t[w].raw);
        if (art) v[0] = (char)toupper((unsigned char)v[0]);
        emit(c, "nickname", v);
    }
}

/* ---- companies: capitalised words before a legal form ---- */
static int legal_form(const ctx *c, size_t i, size_t *len) {
    static const char *const FORMS[][5] = {
        {"s.a", "de", "c.v", NULL}, {"sa", "de", "cv", NULL}, {"s", "de", "r.l", NULL}, {"s.a.p.i", "de", "c.v", NULL},
        {"sapi", "de", "cv", NULL}, {"llc", NULL}, {"inc", NULL}, {"corp", NULL}, {"ltd", NULL}, {"s.a", NULL},
        {"s.c", NULL},
    };
    for (size_t f = 0; f < sizeof FORMS / sizeof FORMS[0]; f++) {
        size_t k = 0;
        while (FORMS[f][k] && i + k < c->n && strcmp(c->t[i + k].fold, FORMS[f][k]) == 0) k++;
        if (!FORMS[f][k]) {
            *len = k;
            return 1;
        }
    }
    return 0;
}

static void find_companies(ctx *c) {
    for (size_t i = 1; i < c->n; i++) {
        size_t len;
        if (!legal_form(c, i, &len)) continue;
        size_t b = i;
        while (b > 0 && i - b < 5 && (capitalised(c->t[b - 1].raw) || !strcmp(c->t[b - 1].raw, "&") ||
                                      !strcmp(c->t[b - 1].fold, "de") || !strcmp(c->t[b - 1].fold, "del")))
            b--;
        while (b < i && !capitalised(c->t[b].raw)) b++; /* never start on a connector */
        if (b == i) continue;
        char v[160] = "";
        for (size_t k = b; k < i + len; k++) {
            size_t n = strlen(v);
            (void)pu_snprintf(v + n, sizeof v - n, "%s%s", n ? " " : "", c->t[k].raw);
        }
        emit(c, "company", v);
    }
}

/* ---- Mexican states and municipalities named in the text ---- */
/* 1 when the folded words of phrase stand in the text in a row. */
static int names_phrase(const ctx *c, const char *phrase) {
    char words[5][24];
    size_t nw = 0;
    const char *p = phrase;
    while (*p && nw < 5) {
        size_t k = strcspn(p, " ");
        (void)pu_snprintf(words[nw++], sizeof words[0], "%.*s", (int)k, p);
        p += k + (p[k] == ' ');
    }
    for (size_t i = 0; i + nw <= c->n; i++) {
        size_t k = 0;
        while (k < nw && strcmp(c->t[i + k].fold, words[k]) == 0) k++;
        if (k == nw) return 1;
    }
    return 0;
}

static void find_states(ctx *c) {
    for (size_t s = 0; s < tips_mx_nstates; s++)
        if (names_phrase(c, tips_mx_states[s].name)) emit(c, "state", tips_mx_states[s].code);
    char v[96];
    for (size_t m = 0; m < tips_mx_nmunicipalities; m++) {
        const tips_mx_municipality *x = &tips_mx_municipalities[m];
        if (!names_phrase(c, x->phrase)) continue;
        (void)pu_snprintf(v, sizeof v, "%s, %s", x->name, x->state);
        emit(c, "municipality", v);
    }
}

/* ---- dates: 2026-05-03, 3/5/2026, "3 de mayo", "May 3" ---- */
static int month_of(const char *w) {
    static const char *const ES[] = {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                     "agosto", "septiembre", "octubre", "noviembre", "diciembre"};
    static const char *const EN[] = {"january", "february", "march", "april", "may", "june", "july",
                                     "august", "september", "october", "november", "december"};
    for (int m = 0; m < 12; m++)
        if (!strcmp(w, ES[m]) || !strcmp(w, EN[m])) return m + 1;
    return 0;
}

static void find_dates(ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->t[i].raw;
        int y, m, d, off = 0;
        char v[16];
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &off) == 3 && !s[off] && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
            (void)pu_snprintf(v, sizeof v, "%04d-%02d-%02d", y, m, d);
            emit(c, "date", v);
        } else if (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &off) == 3 && !s[off] && y > 1900) {
            if (m > 12 && d <= 12) { int t = m; m = d; d = t; } /* an American m/d/y */
            if (m >= 1 && m <= 12 && d >= 1 && d <= 31) {
                (void)pu_snprintf(v, sizeof v, "%04d-%02d-%02d", y, m, d);
                emit(c, "date", v);
            }
        } else if (i + 2 < c->n && sscanf(s, "%2d%n", &d, &off) == 1 && !s[off] && !strcmp(c->t[i + 1].fold, "de") &&
                   (m = month_of(c->t[i + 2].fold)) && d >= 1 && d <= 31) {
            (void)pu_snprintf(v, sizeof v, "--%02d-%02d", m, d);
            emit(c, "date", v);
        } else if (i + 1 < c->n && (m = month_of(c->t[i].fold)) && sscanf(c->t[i + 1].raw, "%2d%n", &d, &off) == 1 &&
                   !c->t[i + 1].raw[off] && d >= 1 && d <= 31) {
            (void)pu_snprintf(v, sizeof v, "--%02d-%02d", m, d);
            emit(c, "date", v);
        }
    }
}

/* ---- chemicals: the cargo watchlist's names (EN, ES), synonyms and CAS ---- */
static cargo_engine *chem_engine;
static pthread_mutex_t chem_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t chem_once = PTHREAD_ONCE_INIT;
static void chem_open(void) {
    cargo_open_opts o = {0};
    pu_err e;
    if (cargo_open(NULL, &o, &chem_engine, &e) != PU_OK) chem_engine = NULL;
}

static void find_chemicals(ctx *c, const char *text) {
    pthread_once(&chem_once, chem_open);
    if (!chem_engine) return;
    cargo_chem_hit hits[16];
    char bad[4][24];
    size_t n = 0, nbad = 0;
    pthread_mutex_lock(&chem_mu);
    (void)cargo_detect(chem_engine, text, strlen(text), NULL, hits, 16, &n, bad, 4, &nbad);
    const cargo_watchlist *w = cargo_engine_watchlist(chem_engine);
    for (size_t i = 0; i < n && !c->rc; i++)
        if (!hits[i].weak && hits[i].chem >= 0 && (size_t)hits[i].chem < w->n) emit(c, "chemical", w->chem[hits[i].chem].id);
    pthread_mutex_unlock(&chem_mu);
}

int tips_extract(const char *text, tips_entity_cb cb, void *cbctx, pu_err *err) {
    ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->t = calloc(TOK_MAX, sizeof *c->t))) {
        free(c);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->cb = cb;
    c->cbctx = cbctx;
    c->n = tokenize(text, c->t, TOK_MAX);
    find_phones(c);
    find_cas_awb(c);
    find_plates_serials(c);
    find_nicknames(c);
    find_companies(c);
    find_states(c);
    find_dates(c);
    find_chemicals(c, text);
    int rc = c->rc;
    free(c->t);
    free(c);
    return rc ? pu_fail(err, rc, NULL, NULL, "triage stopped") : PU_OK;
}

/* ---- SimHash over folded word 3-shingles ---- */
static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

uint64_t tips_simhash(const char *text) {
    char *f = NULL;
    if (tips_fold(text, &f) != PU_OK) return 0;
    for (char *p = f; *p; p++)
        if (!isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) *p = ' ';
    const char *w[3] = {0};
    size_t wl[3] = {0};
    int acc[64] = {0}, nw = 0;
    for (char *p = f; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *s = p;
        while (*p && *p != ' ') p++;
        w[0] = w[1], wl[0] = wl[1];
        w[1] = w[2], wl[1] = wl[2];
        w[2] = s, wl[2] = (size_t)(p - s);
        if (++nw < 3) continue;
        uint64_t h = fnv1a(w[0], wl[0]) ^ (fnv1a(w[1], wl[1]) * 31) ^ (fnv1a(w[2], wl[2]) * 961);
        for (int b = 0; b < 64; b++) acc[b] += (h >> b & 1) ? 1 : -1;
    }
    free(f);
    uint64_t out = 0;
    for (int b = 0; b < 64; b++)
        if (acc[b] > 0) out |= 1ULL << b;
    return out;
}

/* ---- spam: what no real tip looks like ---- */
#define SPAM_URLS 3          /* links in one tip */
#define SPAM_LETTERS_MIN 15  /* letters in the whole text */
#define SPAM_RUN 30          /* one character repeated */

int tips_spam(const char *text) {
    int urls = 0, letters = 0, run = 0, longest = 0;
    char prev = 0;
    for (const char *p = text; *p; p++) {
        if (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8) || !strncmp(p, "www.", 4)) urls++;
        if (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80) letters++;
        run = *p == prev ? run + 1 : 1;
        if (run > longest) longest = run;
        prev = *p;
    }
    return urls >= SPAM_URLS || letters < SPAM_LETTERS_MIN || longest > SPAM_RUN;
}
