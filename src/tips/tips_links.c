/* tips_links.c - proposed links from a tip to what Puente already knows:
 * firearm serials to trace requests (src/trace), air waybills and companies
 * to screened cargo shipments (src/cargo), nicknames and companies to the
 * store's entities (designations included: the folded name index), and
 * substances to the early-warning vocabulary (src/ews). Each link carries
 * the owner and marking of the record it points to, so a reader sees it
 * only when the reader may see that record (store_scope_sql on the link).
 * These read the other modules' tables (their migrations ran at start-up,
 * app_migrate) and never write them. docs/tips.md "Triage". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "ews/ews.h"
#include "screen/screen.h"
#include "tips/tips_int.h"
#include "trace/trace.h"

#define MATCH_MAX 5            /* links per entity and engine */
#define NAME_CORE_MIN 4        /* bytes of a name core searched in other records */
#define NGRAM_MAX 3            /* words in a substance name looked up */
#define TOKENS_MAX 2000        /* words of a text looked up in the vocabulary */

typedef struct hit {
    char target[128], owner[32], marking[16], info[160];
} hit;

/* Run q (a prepared statement whose columns are target, owner, marking,
 * info) and propose one link per row. */
static int propose_rows(tips_intake_ctx *c, db_stmt *st, const char *kind, double score, const char *what) {
    hit h[MATCH_MAX];
    size_t n = 0;
    int rc;
    while ((rc = db_step(st, c->err)) == DB_ROW && n < MATCH_MAX) {
        pu_strlcpy(h[n].target, db_col_text(st, 0), sizeof h[n].target);
        pu_strlcpy(h[n].owner, db_col_text(st, 1), sizeof h[n].owner);
        pu_strlcpy(h[n].marking, db_col_text(st, 2), sizeof h[n].marking);
        pu_strlcpy(h[n++].info, db_col_text(st, 3), sizeof h[0].info);
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != DB_ROW) return rc;
    for (size_t i = 0; i < n; i++) {
        char ev[400];
        (void)pu_snprintf(ev, sizeof ev, "%s %s", what, h[i].info);
        if ((rc = tips_link_insert(c, kind, h[i].target, score, ev, h[i].owner, h[i].marking))) return rc;
    }
    return PU_OK;
}

static int serial_to_trace(tips_intake_ctx *c, const char *serial) {
    char norm[TRACE_SERIAL_MAX], what[96];
    pu_err ignore;
    if (trace_serial_norm(serial, 0, norm, sizeof norm, NULL, &ignore) != PU_OK || !norm[0]) return PU_OK;
    db_stmt *st;
    int rc = db_prepare(c->db,
                        "SELECT number, owner, marking, 'recovered ' || recovery_date || ' in ' || recovery_state"
                        " FROM trace_request WHERE serial_norm = ? ORDER BY number", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, norm, -1);
    (void)pu_snprintf(what, sizeof what, "serial %s is the firearm of trace request", serial);
    return propose_rows(c, st, "trace", 0.95, what);
}

static int awb_to_cargo(tips_intake_ctx *c, const char *awb) {
    db_stmt *st;
    char what[96];
    int rc = db_prepare(c->db,
                        "SELECT awb || CASE WHEN hawb <> '' THEN '/' || hawb ELSE '' END, owner, marking,"
                        " '(consignee ' || COALESCE(consignee_name, '') || ', decision ' || decision || ')'"
                        " FROM cargo_shipment WHERE awb = ? ORDER BY id", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, awb, -1);
    (void)pu_snprintf(what, sizeof what, "air waybill %s is the screened shipment", awb);
    return propose_rows(c, st, "cargo", 0.95, what);
}

/* The distinctive part of a company or nickname, lower case: the legal form
 * and the article dropped ("Químicos del Norte S.A. de C.V." -> "químicos del
 * norte", "El Huevo" -> "huevo"). Folded (accents off) to meet the store's
 * folded names. */
static int name_core(const char *kind, const char *value, char *out, size_t size) {
    static const char *const FORMS[] = {" s.a de c.v", " s.a. de c.v.", " sa de cv", " s de r.l", " s.a.p.i de c.v",
                                        " sapi de cv", " llc", " inc", " corp", " ltd", " s.a", " s.c", NULL};
    char *f = NULL;
    if (tips_fold(value, &f) != PU_OK) return 0;
    const char *p = f;
    if (!strcmp(kind, "nickname"))
        for (const char *const *a = (const char *const[]){"el ", "la ", "los ", "las ", NULL}; *a; a++)
            if (!strncmp(p, *a, strlen(*a))) p += strlen(*a);
    pu_strlcpy(out, p, size);
    free(f);
    for (const char *const *fm = FORMS; *fm; fm++) {
        size_t n = strlen(out), k = strlen(*fm);
        if (n > k && !strcmp(out + n - k, *fm)) out[n - k] = '\0';
    }
    return strlen(out) >= NAME_CORE_MIN;
}

/* LIKE pattern "%core%" with the wildcards of core escaped ('\'). */
static void like_contains(const char *core, char *out, size_t size) {
    size_t k = 0;
    out[k++] = '%';
    for (const char *p = core; *p && k + 3 < size; p++) {
        if (*p == '%' || *p == '_' || *p == '\\') out[k++] = '\\';
        out[k++] = *p;
    }
    out[k++] = '%';
    out[k] = '\0';
}

/* core as a whole word (or words) of one of the folded names. */
static int whole_word_in(const char *names, const char *core) {
    size_t n = strlen(core);
    for (const char *p = strstr(names, core); p; p = strstr(p + 1, core)) {
        int before = p == names || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[n]);
        if (before && after) return 1;
    }
    return 0;
}

static int name_to_entities(tips_intake_ctx *c, const char *kind, const char *value, const char *core) {
    char pat[256];
    db_stmt *st;
    like_contains(core, pat, sizeof pat);
    int rc = db_prepare(c->db, "SELECT id, owner, marking, caption, schema, names FROM entity WHERE names LIKE ? ESCAPE '\\'"
                               " ORDER BY id LIMIT 50", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, pat, -1);
    hit h[MATCH_MAX];
    size_t n = 0;
    while ((rc = db_step(st, c->err)) == DB_ROW && n < MATCH_MAX) {
        if (!whole_word_in(db_col_text(st, 5), core)) continue;
        pu_strlcpy(h[n].target, db_col_text(st, 0), sizeof h[n].target);
        pu_strlcpy(h[n].owner, db_col_text(st, 1), sizeof h[n].owner);
        pu_strlcpy(h[n].marking, db_col_text(st, 2), sizeof h[n].marking);
        (void)pu_snprintf(h[n++].info, sizeof h[0].info, "%s (%s)", db_col_text(st, 3), db_col_text(st, 4));
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != DB_ROW) return rc;
    for (size_t i = 0; i < n; i++) {
        char ev[400];
        (void)pu_snprintf(ev, sizeof ev, "%s '%s' is a name of %s", kind, value, h[i].info);
        if ((rc = tips_link_insert(c, "entity", h[i].target, 0.6, ev, h[i].owner, h[i].marking))) return rc;
    }
    return PU_OK;
}

static int company_to_cargo(tips_intake_ctx *c, const char *company, const char *core) {
    char pat[256], what[200];
    db_stmt *st;
    like_contains(core, pat, sizeof pat);
    int rc = db_prepare(c->db,
                        "SELECT awb || CASE WHEN hawb <> '' THEN '/' || hawb ELSE '' END, owner, marking,"
                        " '(shipper ' || COALESCE(shipper_name, '') || ', consignee ' || COALESCE(consignee_name, '') || ')'"
                        " FROM cargo_shipment WHERE lower(shipper_name) LIKE ? ESCAPE '\\'"
                        " OR lower(consignee_name) LIKE ? ESCAPE '\\' ORDER BY id DESC", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, pat, -1);
    db_bind_text(st, 2, pat, -1);
    (void)pu_snprintf(what, sizeof what, "company '%s' is a party of the screened shipment", company);
    return propose_rows(c, st, "cargo", 0.6, what);
}

/* ---- names through the screening engine ---- */
#define SCREEN_LINKS 3        /* matches proposed per name */

/* The owner and marking of an entity (for the link's visibility). */
static int entity_marking(tips_intake_ctx *c, const char *id, char owner[32], char marking[16]) {
    db_stmt *st;
    int rc = db_prepare(c->db, "SELECT COALESCE(owner, ''), marking FROM entity WHERE id = ?", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, id, -1);
    owner[0] = marking[0] = '\0';
    if ((rc = db_step(st, c->err)) == DB_ROW) {
        pu_strlcpy(owner, db_col_text(st, 0), 32);
        pu_strlcpy(marking, db_col_text(st, 1), 16);
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

int tips_link_screen(tips_intake_ctx *c, const char *name, const char *said_as) {
    if (!c->ix) return PU_OK;
    const char *names[1] = {name};
    screen_query q;
    screen_params p;
    memset(&q, 0, sizeof q);
    memset(&p, 0, sizeof p);
    q.names = names;
    q.nnames = 1;
    p.limit = SCREEN_LINKS;
    screen_result *res = NULL;
    pu_err e;
    int rc = screen_run(c->ix, &q, &p, &res, &e);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) return PU_OK; /* nothing screenable in it */
    if (rc) return pu_fail(c->err, rc, NULL, "screen", "%s", e.msg);
    for (size_t i = 0; rc == PU_OK && i < res->n; i++) {
        const screen_match *m = &res->matches[i];
        if (!m->match || !m->entity_id) continue;
        char owner[32], marking[16], ev[400], progs[160] = "";
        if ((rc = entity_marking(c, m->entity_id, owner, marking)) || !marking[0]) continue;
        for (size_t k = 0; k < m->nprograms && k < 4; k++) {
            size_t len = strlen(progs);
            (void)pu_snprintf(progs + len, sizeof progs - len, "%s%s", k ? ", " : "", m->programs[k]);
        }
        (void)pu_snprintf(ev, sizeof ev, "%s '%s' screened %.2f against %s (%s)%s%s", said_as, name, m->score,
                          m->caption ? m->caption : m->entity_id, m->schema ? m->schema : "", progs[0] ? "; programs " : "",
                          progs);
        rc = tips_link_insert(c, m->nprograms ? "designation" : "entity", m->entity_id, m->score, ev, owner, marking);
    }
    screen_result_free(res);
    return rc;
}

int tips_link_entity(tips_intake_ctx *c, const char *kind, const char *value) {
    char core[128];
    if (!strcmp(kind, "serial")) return serial_to_trace(c, value);
    if (!strcmp(kind, "awb")) return awb_to_cargo(c, value);
    if (strcmp(kind, "nickname") && strcmp(kind, "company")) return PU_OK;
    if (c->ix) { /* the screening engine scores the name; the name index is the fallback without it */
        int rc = tips_link_screen(c, value, kind);
        if (rc) return rc;
    }
    if (!name_core(kind, value, core, sizeof core)) return PU_OK;
    int rc = name_to_entities(c, kind, value, core);
    if (rc == PU_OK && !strcmp(kind, "company")) rc = company_to_cargo(c, value, core);
    return rc;
}

/* ---- substances: word n-grams of the text against ews_synonym.norm ---- */
typedef struct syn {
    char norm[96], substance[64], owner[32], marking[16];
} syn;

static int cmp_syn(const void *a, const void *b) { return strcmp(((const syn *)a)->norm, ((const syn *)b)->norm); }

static int load_synonyms(tips_intake_ctx *c, syn **out, size_t *n) {
    db_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(c->db, "SELECT norm, substance, owner, marking FROM ews_synonym", &st, c->err);
    if (rc) return rc;
    size_t cap = 0;
    while ((rc = db_step(st, c->err)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap;
            if (pu_vec_next_cap(cap, *n + 1, sizeof **out, 0, &ncap)) { rc = PU_ERR_NOMEM; break; }
            syn *g = realloc(*out, ncap * sizeof **out);
            if (!g) { rc = PU_ERR_NOMEM; break; }
            *out = g;
            cap = ncap;
        }
        syn *s = &(*out)[(*n)++];
        pu_strlcpy(s->norm, db_col_text(st, 0), sizeof s->norm);
        pu_strlcpy(s->substance, db_col_text(st, 1), sizeof s->substance);
        pu_strlcpy(s->owner, db_col_text(st, 2), sizeof s->owner);
        pu_strlcpy(s->marking, db_col_text(st, 3), sizeof s->marking);
    }
    db_finalize(st);
    if (rc != DB_DONE) return rc == PU_ERR_NOMEM ? pu_fail(c->err, rc, NULL, NULL, "out of memory") : rc;
    qsort(*out, *n, sizeof **out, cmp_syn);
    return PU_OK;
}

/* Words of the text (split on whitespace and sentence punctuation). */
static size_t words_of(const char *text, char (*w)[48], size_t max) {
    size_t n = 0;
    const char *p = text;
    while (*p && n < max) {
        while (*p && (isspace((unsigned char)*p) || strchr(",;:!?()[]\"'.", *p))) p++;
        size_t k = 0;
        while (*p && !isspace((unsigned char)*p) && !strchr(",;:!?()[]\"'", *p)) {
            if (k + 1 < sizeof w[0]) w[n][k++] = *p;
            p++;
        }
        while (k && w[n][k - 1] == '.') k--;
        if (k) w[n++][k] = '\0';
    }
    return n;
}

static int substance_hit(tips_intake_ctx *c, const syn *s, const char *said, char (*done)[64], size_t *ndone) {
    for (size_t i = 0; i < *ndone; i++)
        if (!strcmp(done[i], s->substance)) return PU_OK;
    if (*ndone < 32) pu_strlcpy(done[(*ndone)++], s->substance, 64);
    char ev[200];
    (void)pu_snprintf(ev, sizeof ev, "names '%s', in the early-warning vocabulary as %s", said, s->substance);
    return tips_link_insert(c, "ews", s->substance, 0.7, ev, s->owner, s->marking);
}

int tips_link_substances(tips_intake_ctx *c, const char *text) {
    syn *v;
    size_t nv;
    int rc = load_synonyms(c, &v, &nv);
    if (rc || nv == 0) return rc;
    char (*w)[48] = calloc(TOKENS_MAX, sizeof *w), done[32][64];
    size_t nw = w ? words_of(text, w, TOKENS_MAX) : 0, ndone = 0;
    if (!w) rc = pu_fail(c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; rc == PU_OK && i < nw; i++) {
        char gram[160] = "";
        for (size_t k = 0; k < NGRAM_MAX && i + k < nw && rc == PU_OK; k++) {
            size_t len = strlen(gram);
            (void)pu_snprintf(gram + len, sizeof gram - len, "%s%s", k ? " " : "", w[i + k]);
            char *norm = NULL;
            pu_err ignore;
            if (ews_normalize_name(gram, &norm, &ignore) != PU_OK) continue;
            syn key;
            pu_strlcpy(key.norm, norm, sizeof key.norm);
            free(norm);
            const syn *s = strlen(key.norm) >= NAME_CORE_MIN ? bsearch(&key, v, nv, sizeof *v, cmp_syn) : NULL;
            if (s) rc = substance_hit(c, s, gram, done, &ndone);
        }
    }
    free(w);
    free(v);
    return rc;
}
