/* trace_leads.c - trafficking indicators and ranked leads; Mexico-style
 * trace statistics; precision/recall at k against planted rings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "resolve/resolve.h"
#include "trace/trace_int.h"

#define FAR_KM 1000.0

/* Indicator weights (docs/trace.md explains each). */
#define W_TTC1 3.0        /* TTC under 1 year */
#define W_TTC1_DIFF 1.0   /* ... and the possessor is not the purchaser (strong combination) */
#define W_TTC3 1.5        /* TTC 1-3 years */
#define W_DIFF 1.0        /* possessor is not the purchaser */
#define W_OBLIT 2.0       /* obliterated serial */
#define W_FAR 0.5         /* recovered far from the purchase state */
#define W_MANY 2.0        /* each recovery beyond the first */
#define W_MSR_HG 2.0      /* in a handgun multiple-sale report */
#define W_MSR_RIFLE 2.5   /* in a SW-border rifle report */
#define W_MSR_MORE 0.5    /* each further report (capped) */
#define W_SHARE 2.0       /* a large share of the buyer's purchases recovered */
#define W_SHARE_MIN 0.25

typedef struct acc {
    char name[128];
    int n, ttc1, ttc3, differs, oblit, far, msr_hg, msr_rifle;
    int64_t min_ttc;
    double far_km;
    char far_ex[32];
    char ex[3][32];   /* example request numbers */
    int strong;       /* TTC < 1 year with possessor != purchaser */
    int64_t purchases; /* first retail purchases (0: fewer than 3) */
    trace_strtab seen;
} acc;

typedef struct agg {
    trace_strtab keys;
    acc *a;
    size_t cap;
} agg;

static acc *agg_get(agg *g, const char *key) {
    uint32_t i = trace_strtab_get(&g->keys, key, 1);
    if (i == UINT32_MAX) return NULL;
    if (i >= g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 256;
        while (nc <= i) nc *= 2;
        acc *na = realloc(g->a, nc * sizeof *na);
        if (!na) return NULL;
        memset(na + g->cap, 0, (nc - g->cap) * sizeof *na);
        g->a = na;
        g->cap = nc;
    }
    return &g->a[i];
}

static void agg_free(agg *g) {
    for (uint32_t i = 0; i < g->keys.n; i++) trace_strtab_free(&g->a[i].seen);
    trace_strtab_free(&g->keys);
    free(g->a);
}

typedef struct lctx {
    agg p, d;
    int oom;
    resolve_keymap *km;   /* purchaser key -> the key of its resolved person */
} lctx;

static void add_rec(acc *a, db_stmt *st) {
    int64_t ttc = db_col_int64(st, 4);
    if (!a->n || ttc < a->min_ttc) a->min_ttc = ttc;
    if (a->n < 3) pu_strlcpy(a->ex[a->n], db_col_text(st, 9), sizeof a->ex[0]);
    a->n++;
    if (ttc < 365) a->ttc1++;
    else if (ttc < 1095) a->ttc3++;
    int diff = !db_col_isnull(st, 5) && db_col_int64(st, 5) == 1;
    a->differs += diff;
    a->oblit += db_col_int64(st, 6) != 0;
    double km;
    if (trace_state_distance(db_col_text(st, 7), db_col_text(st, 8), &km) == PU_OK && km > FAR_KM) {
        a->far++;
        if (km > a->far_km) {
            a->far_km = km;
            snprintf(a->far_ex, sizeof a->far_ex, "%s -> %s", db_col_text(st, 7), db_col_text(st, 8));
        }
    }
}

static int lead_row(db_stmt *st, void *vctx) {
    lctx *c = vctx;
    const char *pk = resolve_keymap_get(c->km, db_col_text(st, 0)), *ffl = db_col_text(st, 2);
    if (*pk) {
        acc *a = agg_get(&c->p, pk);
        if (!a) return c->oom = PU_ERR_NOMEM;
        trace_person_open(db_col_text(st, 1), a->name, sizeof a->name);
        add_rec(a, st);
        /* strong combination: TTC < 1 year and possessor != purchaser */
        if (db_col_int64(st, 4) < 365 && db_col_int64(st, 5) == 1) a->strong++;
    }
    if (*ffl) {
        acc *a = agg_get(&c->d, ffl);
        if (!a) return c->oom = PU_ERR_NOMEM;
        pu_strlcpy(a->name, *db_col_text(st, 3) ? db_col_text(st, 3) : ffl, sizeof a->name);
        add_rec(a, st);
        if (*pk && trace_strtab_get(&a->seen, pk, 1) == UINT32_MAX) return c->oom = PU_ERR_NOMEM;
    }
    return PU_OK;
}

static int msr_row(db_stmt *st, void *vctx) {
    lctx *c = vctx;
    uint32_t i = trace_strtab_get(&c->p.keys, resolve_keymap_get(c->km, db_col_text(st, 0)), 0);
    if (i == UINT32_MAX) return PU_OK; /* only purchasers behind recoveries become leads */
    if (!strcmp(db_col_text(st, 1), "handgun")) c->p.a[i].msr_hg++;
    else c->p.a[i].msr_rifle++;
    return PU_OK;
}

static int volume_row(db_stmt *st, void *vctx) {
    lctx *c = vctx;
    uint32_t i = trace_strtab_get(&c->p.keys, resolve_keymap_get(c->km, db_col_text(st, 0)), 0);
    if (i != UINT32_MAX) c->p.a[i].purchases += db_col_int64(st, 1);
    return PU_OK;
}

static double purchaser_strength(const acc *a, pu_buf *ex) {
    double s = 0;
    pu_buf_printf(ex, "%d firearm%s recovered in Mexico (%s%s%s%s%s)\n", a->n, a->n > 1 ? "s" : "", a->ex[0],
                  a->n > 1 ? ", " : "", a->n > 1 ? a->ex[1] : "", a->n > 2 ? ", " : "", a->n > 2 ? a->ex[2] : "");
    /* a volume buyer's guns surface in Mexico by sheer number: the count is
     * weighed by the share of the buyer's purchases that were recovered */
    double share = a->purchases >= a->n && a->purchases > 0 ? (double)a->n / (double)a->purchases : 1.0;
    double f = fmin(1.0, 4.0 * share);
    if (a->n > 1) {
        s += W_MANY * (a->n - 1) * f;
        if (f < 1.0)
            pu_buf_printf(ex, "one purchaser behind %d recoveries, but of %lld purchases (%.0f %%, a volume buyer): +%.1f\n",
                          a->n, (long long)a->purchases, 100 * share, W_MANY * (a->n - 1) * f);
        else
            pu_buf_printf(ex, "one purchaser behind %d recoveries: +%.1f\n", a->n, W_MANY * (a->n - 1));
    }
    if (a->n > 1 && a->purchases >= 3 && share >= W_SHARE_MIN) {
        s += W_SHARE;
        pu_buf_printf(ex, "%d of %lld purchases recovered in Mexico (%.0f %%): +%.1f\n", a->n, (long long)a->purchases,
                      100 * share, W_SHARE);
    }
    if (f < 1.0)
        pu_buf_printf(ex, "per-firearm indicators below weighed x%.2f (volume buyer)\n", f);
    if (a->ttc1) {
        s += f * W_TTC1 * a->ttc1;
        pu_buf_printf(ex, "%d with time-to-crime under 1 year (strong; shortest %lld days): +%.1f\n", a->ttc1,
                      (long long)a->min_ttc, f * W_TTC1 * a->ttc1);
    }
    if (a->strong) {
        s += f * W_TTC1_DIFF * a->strong;
        pu_buf_printf(ex, "%d with TTC under 1 year AND possessor not the purchaser (strong): +%.1f\n", a->strong,
                      f * W_TTC1_DIFF * a->strong);
    }
    if (a->ttc3) {
        s += f * W_TTC3 * a->ttc3;
        pu_buf_printf(ex, "%d with time-to-crime 1-3 years: +%.1f\n", a->ttc3, f * W_TTC3 * a->ttc3);
    }
    if (a->differs) {
        s += f * W_DIFF * a->differs;
        pu_buf_printf(ex, "possessor is not the purchaser in %d of %d: +%.1f\n", a->differs, a->n, f * W_DIFF * a->differs);
    }
    int reports = a->msr_hg + a->msr_rifle;
    if (reports) {
        double w = (a->msr_rifle ? W_MSR_RIFLE : W_MSR_HG) + fmin(W_MSR_MORE * (reports - 1), 2.0);
        s += w;
        pu_buf_printf(ex, "in %d multiple-sale report%s (handgun %d, SW-border rifle %d): +%.1f\n", reports,
                      reports > 1 ? "s" : "", a->msr_hg, a->msr_rifle, w);
    }
    if (a->oblit) {
        s += f * W_OBLIT * a->oblit;
        pu_buf_printf(ex, "%d recovered with an obliterated serial: +%.1f\n", a->oblit, f * W_OBLIT * a->oblit);
    }
    if (a->far) {
        s += f * W_FAR * a->far;
        pu_buf_printf(ex, "%d recovered over %.0f km from the purchase state (farthest %s, %.0f km): +%.1f\n", a->far,
                      FAR_KM, a->far_ex, a->far_km, f * W_FAR * a->far);
    }
    return s;
}

/* Dealers: the count enters on a log scale (a big dealer sells many guns and
 * so sees many recoveries); what the rates of short TTC add is the signal. */
static double dealer_strength(const acc *a, pu_buf *ex) {
    int np = (int)a->seen.n;
    double s = 3.0 * log2(1.0 + a->n);
    pu_buf_printf(ex, "%d firearm%s sold here recovered in Mexico, bought by %d purchaser%s (%s%s%s): +%.1f\n", a->n,
                  a->n > 1 ? "s" : "", np, np == 1 ? "" : "s", a->ex[0], a->n > 1 ? ", " : "", a->n > 1 ? a->ex[1] : "",
                  3.0 * log2(1.0 + a->n));
    double r1 = (double)a->ttc1 / a->n, r3 = (double)a->ttc3 / a->n, ro = (double)a->oblit / a->n;
    if (a->ttc1) {
        s += 10.0 * r1;
        pu_buf_printf(ex, "%d of %d (%.0f %%) with time-to-crime under 1 year (strong): +%.1f\n", a->ttc1, a->n,
                      100 * r1, 10.0 * r1);
    }
    if (a->ttc3) {
        s += 5.0 * r3;
        pu_buf_printf(ex, "%d of %d (%.0f %%) with time-to-crime 1-3 years: +%.1f\n", a->ttc3, a->n, 100 * r3, 5.0 * r3);
    }
    if (a->oblit) {
        s += 4.0 * ro;
        pu_buf_printf(ex, "%d recovered with an obliterated serial: +%.1f\n", a->oblit, 4.0 * ro);
    }
    return s;
}

static int cmp_lead(const void *x, const void *y) {
    const trace_lead *a = x, *b = y;
    if (a->strength != b->strength) return a->strength > b->strength ? -1 : 1;
    if (a->recoveries != b->recoveries) return a->recoveries > b->recoveries ? -1 : 1;
    /* purchasers' keys are blind (keyed hashes) when names are sealed: ties
     * go by name first, so the order does not depend on the key */
    int byname = !strcmp(a->kind, "purchaser") && !strcmp(b->kind, "purchaser") ? strcmp(a->name, b->name) : 0;
    return byname ? byname : strcmp(a->key, b->key);
}

static int collect(agg *g, const char *kind, const resolve_keymap *km, trace_lead **all, size_t *n, size_t *cap) {
    for (uint32_t i = 0; i < g->keys.n; i++) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            trace_lead *nl = realloc(*all, nc * sizeof *nl);
            if (!nl) return PU_ERR_NOMEM;
            *all = nl;
            *cap = nc;
        }
        trace_lead *l = &(*all)[*n];
        memset(l, 0, sizeof *l);
        pu_buf ex = PU_BUF_INIT(1 << 14);
        l->strength = !strcmp(kind, "dealer") ? dealer_strength(&g->a[i], &ex) : purchaser_strength(&g->a[i], &ex);
        int spellings = strcmp(kind, "dealer") ? resolve_keymap_spellings(km, g->keys.s[i]) : 1;
        if (spellings > 1) pu_buf_printf(&ex, "%d spellings resolved as one person\n", spellings);
        pu_strlcpy(l->kind, kind, sizeof l->kind);
        pu_strlcpy(l->key, g->keys.s[i], sizeof l->key);
        pu_strlcpy(l->name, g->a[i].name, sizeof l->name);
        l->recoveries = g->a[i].n;
        l->explain = pu_buf_detach(&ex);
        if (!l->explain) l->explain = pu_strdup("");
        (*n)++;
        if (!l->explain) return PU_ERR_NOMEM;
    }
    return PU_OK;
}

/* Everything a lead is computed from, read through the scope in SQL: the
 * completed request, the firearm and first retail sale its result came
 * from (the purchaser, FFL and purchase state are read from that sale, not
 * from the copy on the request), the selling dealer's record for its name,
 * then the multiple-sale reports and the buyer volume the reader may see. */
static int read_scoped(trace_t *t, const store_scope *scope, lctx *c, pu_err *err) {
    /* one person under several spellings is one purchaser (docs/resolve.md):
     * the reader's own resolution, from what the reader may see */
    int rc0 = resolve_keymap_trace(t->db, scope, &c->km, err);
    if (rc0) return rc0;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT COALESCE(e.party_key, ''), COALESCE(e.party, ''), COALESCE(e.ffl, ''),"
                   " CASE WHEN d.id IS NULL THEN '' ELSE COALESCE(d.party, '') END, r.ttc_days, r.possessor_differs,"
                   " r.obliterated, COALESCE(e.state, ''), r.recovery_state, r.number"
                   " FROM trace_request r JOIN trace_event e ON e.id = r.retail_event_id AND ");
    store_scope_sql(&q, scope, "e");
    db_sql_add(&q, " JOIN trace_firearm f ON f.id = r.firearm_id AND ");
    store_scope_sql(&q, scope, "f");
    db_sql_add(&q, " LEFT JOIN trace_event d ON d.id = r.dealer_event_id AND ");
    store_scope_sql(&q, scope, "d");
    db_sql_add(&q, " WHERE r.status = 'completed' AND r.ttc_days IS NOT NULL AND ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY r.id");
    int rc = trace_query_sql(t->db, &q, lead_row, c, err);
    db_sql_free(&q);
    if (rc) return rc;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT m.purchaser_key, m.kind FROM trace_msr m WHERE ");
    store_scope_sql(&q, scope, "m");
    rc = trace_query_sql(t->db, &q, msr_row, c, err);
    db_sql_free(&q);
    if (rc) return rc;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.party_key, SUM(p.purchases) FROM trace_purchaser p WHERE ");
    store_scope_sql(&q, scope, "p");
    db_sql_add(&q, " GROUP BY p.party_key");
    rc = trace_query_sql(t->db, &q, volume_row, c, err);
    db_sql_free(&q);
    return rc;
}

int trace_leads(trace_t *t, const store_scope *scope, const char *kind, size_t max, trace_lead **out, size_t *n,
                pu_err *err) {
    *out = NULL;
    *n = 0;
    if (kind && strcmp(kind, "purchaser") && strcmp(kind, "dealer"))
        return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected purchaser or dealer, got '%s'", kind);
    lctx c = {0};
    int rc = read_scoped(t, scope, &c, err);
    if (!rc && c.oom) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    trace_lead *all = NULL;
    size_t na = 0, cap = 0;
    if (!rc && (!kind || !strcmp(kind, "purchaser"))) rc = collect(&c.p, "purchaser", c.km, &all, &na, &cap);
    if (!rc && (!kind || !strcmp(kind, "dealer"))) rc = collect(&c.d, "dealer", NULL, &all, &na, &cap);
    agg_free(&c.p);
    agg_free(&c.d);
    resolve_keymap_free(c.km);
    if (rc) {
        trace_leads_free(all, na);
        return rc == PU_ERR_NOMEM ? pu_fail(err, rc, NULL, NULL, "out of memory") : rc;
    }
    if (na) qsort(all, na, sizeof *all, cmp_lead);
    if (max && na > max) {
        for (size_t i = max; i < na; i++) free(all[i].explain);
        na = max;
    }
    *out = all;
    *n = na;
    return PU_OK;
}

void trace_leads_free(trace_lead *l, size_t n) {
    if (!l) return;
    for (size_t i = 0; i < n; i++) free(l[i].explain);
    free(l);
}

void trace_leads_write(const trace_lead *l, size_t n, int json, pu_buf *out) {
    json_t *arr = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *ind = json ? json_array() : NULL;
        if (!json)
            pu_buf_printf(out, "%2zu. %-9s %6.1f  %s  [%s]\n", i + 1, l[i].kind, l[i].strength, l[i].name, l[i].key);
        for (const char *p = l[i].explain; p && *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (json) json_array_append_new(ind, json_stringn(p, len));
            else pu_buf_printf(out, "      - %.*s\n", (int)len, p);
            p += len + (nl != NULL);
        }
        if (json)
            json_array_append_new(arr, json_pack("{s:I,s:s,s:f,s:s,s:s,s:i,s:o}", "rank", (json_int_t)(i + 1), "kind",
                                                 l[i].kind, "strength", l[i].strength, "name", l[i].name, "key",
                                                 l[i].key, "recoveries", l[i].recoveries, "indicators", ind));
    }
    if (json) {
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) pu_buf_puts(out, s);
        pu_buf_putc(out, '\n');
        free(s);
        json_decref(arr);
    }
}

/* ---- evaluation ----------------------------------------------------------- */

static int truth_row(db_stmt *st, void *ctx) {
    return trace_strtab_get(ctx, db_col_text(st, 0), 1) == UINT32_MAX ? PU_ERR_NOMEM : PU_OK;
}

int trace_eval_at_k(trace_t *t, size_t k, double *precision, double *recall, size_t *truth_n, pu_err *err) {
    trace_strtab truth = {0};
    int rc = trace_query(t->db, "SELECT party_key FROM trace_gen_truth", truth_row, &truth, err);
    if (!rc && truth.n == 0) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, NULL, "no planted rings in this store (trace generate)");
    trace_lead *l = NULL;
    size_t n = 0;
    if (!rc) rc = trace_leads(t, STORE_SYSTEM, "purchaser", k, &l, &n, err);
    if (!rc) {
        size_t hit = 0;
        for (size_t i = 0; i < n; i++) hit += trace_strtab_get(&truth, l[i].key, 0) != UINT32_MAX;
        *precision = k ? (double)hit / (double)k : 0;
        *recall = (double)hit / (double)truth.n;
        *truth_n = truth.n;
    }
    trace_leads_free(l, n);
    trace_strtab_free(&truth);
    return rc;
}

/* ---- statistics --------------------------------------------------------------- */

typedef struct counter {
    trace_strtab k;
    int64_t *v;
    size_t cap;
    int64_t total;
} counter;

static int count(counter *c, const char *key, int64_t by) {
    uint32_t i = trace_strtab_get(&c->k, *key ? key : "(unknown)", 1);
    if (i == UINT32_MAX) return PU_ERR_NOMEM;
    if (i >= c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        while (nc <= i) nc *= 2;
        int64_t *nv = realloc(c->v, nc * sizeof *nv);
        if (!nv) return PU_ERR_NOMEM;
        memset(nv + c->cap, 0, (nc - c->cap) * sizeof *nv);
        c->v = nv;
        c->cap = nc;
    }
    c->v[i] += by;
    c->total += by;
    return PU_OK;
}

typedef struct sctx {
    counter year_req, year_traced, year_us, state, mfr, cal, type, status, reason, rec_state;
    int64_t *ttc;
    size_t nttc, cap;
    int64_t requests, us, sourced_known, no_purchaser;
    int oom;
} sctx;

static void cal_key(const char *raw, char *out, size_t size) {
    size_t n = 0;
    for (const char *p = raw; *p && n + 1 < size; p++)
        if (*p != ' ') out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    out[n] = 0;
}

static int stat_row(db_stmt *st, void *vctx) {
    sctx *c = vctx;
    const char *status = db_col_text(st, 0), *reason = db_col_text(st, 8);
    /* figures read from the trace result count only when the reader may see
     * the records the result came from; the request's own fields always */
    int res_ok = db_col_int64(st, 9) != 0;
    char year[8], cal[32];
    pu_strlcpy(year, db_col_text(st, 1), 5);
    c->requests++;
    int done = !strcmp(status, "completed"), us = db_col_int64(st, 6) == 1;
    /* us_sourced = 0 means no record at all (the run saw every record), so
     * it reveals nothing; a 1 read from hidden records is left unknown */
    int sourced_hidden = us && !res_ok;
    if (sourced_hidden) us = 0;
    int oblit_fail = !strcmp(status, "cannot_trace") && !strncmp(reason, "obliterated", 11);
    int r = count(&c->year_req, year, 1) | count(&c->status, status, 1) |
            count(&c->type, db_col_text(st, 3), 1) | count(&c->rec_state, db_col_text(st, 11), 1);
    cal_key(db_col_text(st, 4), cal, sizeof cal);
    r |= count(&c->cal, cal, 1) |
         count(&c->mfr, res_ok && *db_col_text(st, 7) ? db_col_text(st, 7) : db_col_text(st, 2), 1);
    if (done) r |= count(&c->year_traced, year, 1);
    if (done && res_ok) r |= count(&c->state, db_col_text(st, 5), 1);
    if (us) r |= count(&c->year_us, year, 1);
    if (!strcmp(status, "cannot_trace")) {
        char rk[40];
        size_t i = 0;
        while (reason[i] && reason[i] != ':' && i + 1 < sizeof rk) { rk[i] = reason[i]; i++; }
        rk[i] = 0;
        r |= count(&c->reason, rk, 1);
        if (!strncmp(reason, "no purchaser", 12)) c->no_purchaser++;
    }
    /* sourcing is known once processed, unless nothing could be read */
    if ((done || !strcmp(status, "cannot_trace")) && !oblit_fail && !sourced_hidden) {
        c->sourced_known++;
        c->us += us;
    }
    if (done && res_ok && !db_col_isnull(st, 10)) {
        if (c->nttc == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 1024;
            int64_t *nt = realloc(c->ttc, nc * sizeof *nt);
            if (!nt) return c->oom = PU_ERR_NOMEM;
            c->ttc = nt;
            c->cap = nc;
        }
        c->ttc[c->nttc++] = db_col_int64(st, 10);
    }
    if (r) c->oom = PU_ERR_NOMEM;
    return c->oom;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct kv { const char *k; int64_t v; } kv;
static int cmp_kv(const void *a, const void *b) {
    const kv *x = a, *y = b;
    if (x->v != y->v) return x->v > y->v ? -1 : 1;
    return strcmp(x->k, y->k);
}
static int cmp_kv_key(const void *a, const void *b) { return strcmp(((const kv *)a)->k, ((const kv *)b)->k); }

/* rows of a counter sorted by count (or key), at most top */
static kv *sorted(const counter *c, int by_key, size_t *n) {
    kv *v = malloc((c->k.n ? c->k.n : 1) * sizeof *v);
    if (!v) return NULL;
    for (uint32_t i = 0; i < c->k.n; i++) v[i] = (kv){c->k.s[i], c->v[i]};
    qsort(v, c->k.n, sizeof *v, by_key ? cmp_kv_key : cmp_kv);
    *n = c->k.n;
    return v;
}

static int section(pu_buf *out, json_t *root, const char *name, const char *title, const counter *c, int by_key,
                   size_t top) {
    size_t n;
    kv *v = sorted(c, by_key, &n);
    if (!v) return PU_ERR_NOMEM;
    json_t *arr = root ? json_array() : NULL;
    if (!root) pu_buf_printf(out, "\n%s\n", title);
    for (size_t i = 0; i < n && i < top; i++) {
        double share = c->total ? 100.0 * (double)v[i].v / (double)c->total : 0;
        if (root) json_array_append_new(arr, json_pack("{s:s,s:I,s:f}", "key", v[i].k, "count", (json_int_t)v[i].v,
                                                      "share", share));
        else pu_buf_printf(out, "  %-28s %8lld  %5.1f %%\n", v[i].k, (long long)v[i].v, share);
    }
    if (!root && n > top) pu_buf_printf(out, "  (%zu more)\n", n - top);
    if (root) json_object_set_new(root, name, arr);
    free(v);
    return PU_OK;
}

static void counter_free(counter *c) {
    trace_strtab_free(&c->k);
    free(c->v);
}

static int64_t counter_of(const counter *c, const char *k) {
    uint32_t i = trace_strtab_get((trace_strtab *)&c->k, k, 0);
    return i == UINT32_MAX ? 0 : c->v[i];
}

/* Time-to-crime in whole years, one bin per year up to TTC_HIST_YEARS and
 * one for everything beyond (published figures: mean 5.4 years in Mexico;
 * under 1 and under 3 years are the trafficking indicators). */
#define TTC_HIST_YEARS 15
static void ttc_histogram(pu_buf *out, json_t *root, const int64_t *ttc, size_t n) {
    int64_t bins[TTC_HIST_YEARS + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        int64_t y = (int64_t)((double)(ttc[i] < 0 ? 0 : ttc[i]) / 365.25);
        bins[y < TTC_HIST_YEARS ? y : TTC_HIST_YEARS]++;
    }
    json_t *arr = root ? json_array() : NULL;
    if (!root) pu_buf_printf(out, "\nTime-to-crime (years), completed traces\n");
    for (int b = 0; b <= TTC_HIST_YEARS; b++) {
        if (root)
            json_array_append_new(arr, json_pack("{s:i,s:o,s:I}", "from_years", b, "to_years",
                                                 b < TTC_HIST_YEARS ? json_integer(b + 1) : json_null(), "count",
                                                 (json_int_t)bins[b]));
        else if (b < TTC_HIST_YEARS)
            pu_buf_printf(out, "  %2d-%-2d %8lld\n", b, b + 1, (long long)bins[b]);
        else
            pu_buf_printf(out, "  %2d+   %8lld\n", b, (long long)bins[b]);
    }
    if (root) json_object_set_new(root, "ttc_histogram", arr);
}

int trace_stats(trace_t *t, const store_scope *scope, int json, pu_buf *out, pu_err *err) {
    sctx c = {0};
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.status, r.recovery_date, COALESCE(r.mfr, ''), COALESCE(r.type, ''),"
                   " COALESCE(r.calibre, ''), COALESCE(r.purchase_state, ''), r.us_sourced,"
                   " COALESCE(r.result_mfr, ''), COALESCE(r.reason, ''), ");
    trace_result_visible_sql(&q, scope, "r");
    db_sql_add(&q, ", r.ttc_days, r.recovery_state FROM trace_request r WHERE ");
    store_scope_sql(&q, scope, "r");
    int rc = trace_query_sql(t->db, &q, stat_row, &c, err);
    db_sql_free(&q);
    if (!rc && c.oom) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    double median = 0, mean = 0;
    if (c.nttc) {
        qsort(c.ttc, c.nttc, sizeof *c.ttc, cmp_i64);
        median = c.nttc % 2 ? (double)c.ttc[c.nttc / 2] : 0.5 * (double)(c.ttc[c.nttc / 2 - 1] + c.ttc[c.nttc / 2]);
        double s = 0;
        for (size_t i = 0; i < c.nttc; i++) s += (double)c.ttc[i];
        mean = s / (double)c.nttc;
    }
    json_t *root = json ? json_object() : NULL;
    double us_share = c.sourced_known ? 100.0 * (double)c.us / (double)c.sourced_known : 0;
    int64_t completed = counter_of(&c.status, "completed");
    if (!rc) {
        if (json) {
            json_object_set_new(root, "requests", json_integer(c.requests));
            json_object_set_new(root, "completed", json_integer(completed));
            json_object_set_new(root, "us_sourced", json_integer(c.us));
            json_object_set_new(root, "us_sourced_share", json_real(us_share));
            json_object_set_new(root, "ttc_median_years", json_real(median / 365.25));
            json_object_set_new(root, "ttc_mean_years", json_real(mean / 365.25));
            json_object_set_new(root, "ttc_n", json_integer((json_int_t)c.nttc));
            json_object_set_new(root, "no_purchaser", json_integer(c.no_purchaser));
        } else {
            pu_buf_printf(out, "Firearms trace statistics (Mexico recoveries)\n");
            pu_buf_printf(out, "  requests %lld, completed %lld (%.1f %%)\n", (long long)c.requests, (long long)completed,
                          c.requests ? 100.0 * (double)completed / (double)c.requests : 0);
            pu_buf_printf(out, "  US-sourced: %lld of %lld with a determinable source (%.1f %%)\n", (long long)c.us,
                          (long long)c.sourced_known, us_share);
            pu_buf_printf(out, "  time-to-crime over %zu completed traces: median %.1f years, mean %.1f years\n",
                          c.nttc, median / 365.25, mean / 365.25);
            pu_buf_printf(out, "  no purchaser record: %lld\n", (long long)c.no_purchaser);
            /* by year: requests, traced, US-sourced */
            size_t n;
            kv *v = sorted(&c.year_req, 1, &n);
            if (!v) rc = PU_ERR_NOMEM;
            pu_buf_printf(out, "\nBy recovery year           requests  completed  US-sourced\n");
            for (size_t i = 0; v && i < n; i++)
                pu_buf_printf(out, "  %-24s %8lld  %9lld  %10lld\n", v[i].k, (long long)v[i].v,
                              (long long)counter_of(&c.year_traced, v[i].k), (long long)counter_of(&c.year_us, v[i].k));
            free(v);
        }
        if (json) {
            size_t n;
            kv *v = sorted(&c.year_req, 1, &n);
            json_t *arr = json_array();
            for (size_t i = 0; v && i < n; i++)
                json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I}", "year", v[i].k, "requests", (json_int_t)v[i].v,
                                                     "completed", (json_int_t)counter_of(&c.year_traced, v[i].k),
                                                     "us_sourced", (json_int_t)counter_of(&c.year_us, v[i].k)));
            json_object_set_new(root, "by_year", arr);
            if (!v) rc = PU_ERR_NOMEM;
            free(v);
        }
        if (!rc) rc = section(out, root, "by_status", "By status", &c.status, 0, 10);
        if (!rc) rc = section(out, root, "cannot_trace_reasons", "Cannot trace: reasons", &c.reason, 0, 10);
        /* the maps need every state: JSON lists them all */
        size_t all = json ? SIZE_MAX : 15;
        if (!rc) rc = section(out, root, "by_source_state", "Source state (first retail sale), completed traces", &c.state, 0, all);
        if (!rc) rc = section(out, root, "by_recovery_state", "Recovery state (Mexico), all requests", &c.rec_state, 0, all);
        if (!rc) ttc_histogram(out, root, c.ttc, c.nttc);
        if (!rc) rc = section(out, root, "by_manufacturer", "Manufacturer", &c.mfr, 0, 15);
        if (!rc) rc = section(out, root, "by_calibre", "Calibre", &c.cal, 0, 15);
        if (!rc) rc = section(out, root, "by_type", "Type", &c.type, 0, 10);
        if (rc == PU_ERR_NOMEM) pu_fail(err, rc, NULL, NULL, "out of memory");
    }
    if (!rc && json) {
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) pu_buf_puts(out, s);
        pu_buf_putc(out, '\n');
        free(s);
    }
    json_decref(root);
    counter *cs[] = {&c.year_req, &c.year_traced, &c.year_us, &c.state, &c.mfr, &c.cal, &c.type, &c.status, &c.reason,
                     &c.rec_state};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) counter_free(cs[i]);
    free(c.ttc);
    return rc;
}
