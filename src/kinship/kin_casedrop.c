/* kin_casedrop.c - dropout and drop-in of stored PM samples, per sample and
 * per marker (kin_cases.h kin_pm_set_dropout; docs/kinship.md "Case
 * database"). The values are stored as the sample's dropout/dropin columns
 * plus "MARKER=d/c;..." for the markers that differ; the incremental search
 * reads them back into the engine's per-sample, per-marker evidence model. */
#include <stdlib.h>
#include <string.h>

#include "kinship/kin_cases_int.h"

#define KCS_DROP_NUM 32        /* one probability as text */

/* Shortest of %.15g / %.17g that reads back as the same double: the stored
 * value is the one used, and 0.2 stays "0.2". */
static void num_text(double v, char out[KCS_DROP_NUM]) {
    snprintf(out, KCS_DROP_NUM, "%.15g", v);
    if (strtod(out, NULL) != v) snprintf(out, KCS_DROP_NUM, "%.17g", v);
}

static int pair_text(pu_buf *out, const char *label, double d, double c) {
    char ds[KCS_DROP_NUM], cs[KCS_DROP_NUM];
    num_text(d, ds), num_text(c, cs);
    return pu_buf_printf(out, "%s%s=%s/%s", out->len ? ";" : "", label, ds, cs);
}

int kcs_drop_text(const kin_db *db, const kin_ev *ev, double d, double cin, int with_base, pu_buf *out) {
    int any = d > 0 || cin > 0;
    for (int m = 0; m < db->n && !any; m++) any = ev && (ev[m].d > 0 || ev[m].c > 0);
    if (!any) return PU_OK; /* an exact profile records nothing */
    int rc = with_base ? pair_text(out, "*", d, cin) : PU_OK;
    for (int m = 0; ev && m < db->n && !rc; m++)
        if (ev[m].d != d || ev[m].c != cin) rc = pair_text(out, db->m[m].name, ev[m].d, ev[m].c);
    return rc;
}

static int prob_of(const char *s, const char *where, double *out, pu_err *err) {
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0 && v <= KIN_DROP_MAX))
        return pu_fail(err, PU_ERR_INVALID, where, "dropout_markers", "expected a probability in [0, %g], got '%s'",
                       KIN_DROP_MAX, s);
    *out = v;
    return PU_OK;
}

typedef struct drop_ctx {
    const kin_db *db;
    kin_ev *ev;
    const char *where;
} drop_ctx;

static int drop_pair(const char *marker, const char *d_text, const char *c_text, void *ctx, pu_err *err) {
    drop_ctx *p = ctx;
    double dv, cv;
    int rc;
    if ((rc = prob_of(d_text, p->where, &dv, err)) || (rc = prob_of(c_text, p->where, &cv, err))) return rc;
    int m = kin_db_marker(p->db, marker);
    if (m >= 0) p->ev[m] = (kin_ev){dv, cv}; /* a marker of another database: not used */
    return PU_OK;
}

int kcs_drop_parse(const kin_db *db, const char *text, double d, double cin, kin_ev *ev, const char *where,
                   pu_err *err) {
    for (int m = 0; m < db->n; m++) ev[m] = (kin_ev){d, cin};
    drop_ctx p = {db, ev, where};
    return kcs_marker_pairs(text, where, "dropout_markers", "MARKER=d/c", drop_pair, &p, err);
}

int kcs_drop_apply(kin_case *c, double d, double cin, const char *csv, size_t len, const char *name, pu_err *err) {
    int rc = kin_case_set_dropout(c, d, cin, err);
    if (!rc && csv) rc = kin_case_read_dropout_mem(c, csv, len, name ? name : "dropout", err);
    return rc;
}

/* The stored sample as the actor sees it: profile, sex, owner, freqdb name,
 * dropout columns. */
typedef struct pmrow {
    char owner[32], freqdb[KIN_REC_ID_MAX];
    char *profile, *markers;
    int sex;
    double d, c;
} pmrow;

static int pm_get(db_t *db, const kin_actor *a, const char *pm_id, pmrow *r, pu_err *err) {
    memset(r, 0, sizeof *r);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.owner, c.freqdb, p.profile, p.sex, p.dropout, p.dropin, p.dropout_markers"
                   " FROM kin_pm p JOIN kin_case c ON c.id = p.case_id WHERE p.id = ? AND ");
    db_sql_text(&q, pm_id);
    store_scope_sql(&q, a->scope, "p");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(r->owner, db_col_text(st, 0), sizeof r->owner);
        pu_strlcpy(r->freqdb, db_col_text(st, 1), sizeof r->freqdb);
        r->profile = pu_strdup(db_col_text(st, 2));
        r->sex = (int)db_col_int64(st, 3);
        r->d = db_col_double(st, 4), r->c = db_col_double(st, 5);
        r->markers = pu_strdup(db_col_text(st, 6));
        rc = r->profile && r->markers ? PU_OK : PU_ERR_NOMEM;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, pm_id, "sample", "no such PM sample (or not visible to you)");
    }
    db_finalize(st);
    return rc;
}

int kin_pm_dropout(db_t *db, const kin_actor *a, const char *pm_id, char *out, pu_err *err) {
    pmrow r;
    *out = 0;
    int rc = pm_get(db, a, pm_id, &r, err);
    if (!rc) {
        pu_buf b = PU_BUF_INIT((size_t)KIN_DROP_TEXT_MAX - 1);
        if (r.d > 0 || r.c > 0 || *r.markers) rc = pair_text(&b, "*", r.d, r.c);
        if (!rc && *r.markers) rc = pu_buf_printf(&b, ";%s", r.markers);
        if (!rc) pu_strlcpy(out, pu_buf_str(&b), KIN_DROP_TEXT_MAX);
        pu_buf_free(&b);
    }
    free(r.profile), free(r.markers);
    return rc;
}

/* A one-sample engine case of the stored profile, for the dropout reader. */
static int one_sample(kin_db *kd, const char *pm_id, const pmrow *r, kin_case **out, pu_err *err) {
    kin_case *c = calloc(1, sizeof *c);
    if (!c) return PU_ERR_NOMEM;
    c->db = kd;
    c->vic = calloc(1, sizeof *c->vic);
    if (c->vic) {
        c->nvic = 1;
        c->vic[0].id = pu_strdup(pm_id);
        c->vic[0].sex = r->sex;
        c->vic[0].g = malloc((size_t)(kd->n ? kd->n : 1) * 2 * sizeof(int16_t));
    }
    int rc = c->vic && c->vic[0].id && c->vic[0].g ? PU_OK : PU_ERR_NOMEM;
    if (!rc) rc = kcs_profile_parse(kd, r->profile, c->vic[0].g, pm_id, err);
    if (rc) kin_case_free(c);
    else *out = c;
    return rc;
}

static int store_drop(db_t *db, const char *pm_id, double d, double cin, const char *markers, pu_err *err) {
    db_stmt *st;
    int rc = db_begin(db, err);
    if (!rc) rc = db_prepare(db, "UPDATE kin_pm SET dropout = ?, dropin = ?, dropout_markers = ?, searched = 0"
                                 " WHERE id = ?", &st, err);
    if (!rc) {
        db_bind_double(st, 1, d);
        db_bind_double(st, 2, cin);
        db_bind_text(st, 3, markers, -1);
        db_bind_text(st, 4, pm_id, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    /* LRs computed with the old values no longer hold */
    const char *v[] = {pm_id};
    if (!rc)
        rc = kcs_exec(db, "UPDATE kin_hit SET status = 'superseded' WHERE pm_id = ? AND status IN ('candidate',"
                          " 'reviewed')", 1, v, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

int kin_pm_set_dropout(db_t *db, const kin_actor *a, const char *pm_id, double dropout, double dropin,
                       const char *csv, size_t len, const char *name, pu_err *err) {
    pmrow r;
    int rc = pm_get(db, a, pm_id, &r, err);
    if (!rc) rc = store_check_owner(db, a->scope, r.owner, err);
    kin_db *kd = NULL;
    kin_case *c = NULL;
    if (!rc) rc = kin_freqdb_load(db, *r.freqdb ? r.freqdb : NULL, 0, &kd, NULL, NULL, err);
    if (!rc) {
        kd->warn = stderr;
        rc = one_sample(kd, pm_id, &r, &c, err);
    }
    if (!rc) rc = kcs_drop_apply(c, dropout, dropin, csv, len, name, err);
    pu_buf dm = PU_BUF_INIT((size_t)1 << 20);
    if (!rc && c->vic_ev) rc = kcs_drop_text(kd, c->vic_ev, dropout, dropin, 0, &dm);
    if (!rc) rc = store_drop(db, pm_id, dropout, dropin, pu_buf_str(&dm), err);
    pu_buf_free(&dm);
    kin_case_free(c);
    kin_db_free(kd);
    free(r.profile), free(r.markers);
    return rc;
}
