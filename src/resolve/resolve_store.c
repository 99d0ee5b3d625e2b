/* resolve_store.c - the module's tables, `resolve run` (collect, match,
 * replace the stored records and pairs) and the analysts' judgements. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "resolve/resolve_int.h"

static const char *const STEPS[] = {
    /* v1 */
    "CREATE TABLE resolve_record (id {ID}, source TEXT NOT NULL, ref TEXT NOT NULL, label TEXT NOT NULL,"
    " schema TEXT NOT NULL, dob TEXT, date TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE INDEX resolve_record_key ON resolve_record (source, ref);"
    "CREATE TABLE resolve_pair (a {INT} NOT NULL, b {INT} NOT NULL, score {REAL} NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, PRIMARY KEY (a, b));"
    "CREATE TABLE resolve_judgement (id {ID}, a_key TEXT NOT NULL, b_key TEXT NOT NULL, verdict TEXT NOT NULL,"
    " analyst TEXT, agency TEXT, note TEXT, created TEXT NOT NULL, revoked TEXT, revoked_by TEXT,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE INDEX resolve_judgement_pair ON resolve_judgement (a_key, b_key);",
};

int resolve_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "resolve", STEPS, (int)(sizeof STEPS / sizeof STEPS[0]), err);
}

/* ---- run ---- */

/* Rows are written WRITE_BATCH to a statement (one multi-row INSERT): on
 * PostgreSQL each statement is a round trip, so a million pairs cost
 * ten thousand of them instead of a million. */
#define WRITE_BATCH 100
#define BATCH_SQL_MAX 65536   /* bytes of one batch statement's text (100 rows of 9 columns: about 2 KiB) */

/* Prepare "INSERT INTO head VALUES (?..), ..." for rows rows of cols columns. */
static int prepare_batch(db_t *db, const char *head, int cols, size_t rows, db_stmt **st, pu_err *err) {
    pu_buf q;
    pu_buf_init(&q, BATCH_SQL_MAX);
    int rc = pu_buf_puts(&q, head);
    for (size_t r = 0; r < rows && !rc; r++) {
        rc = pu_buf_puts(&q, r ? ", (" : " VALUES (");
        for (int c = 0; c < cols && !rc; c++) rc = pu_buf_puts(&q, c ? ", ?" : "?");
        if (!rc) rc = pu_buf_putc(&q, ')');
    }
    if (rc) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    else rc = db_prepare(db, pu_buf_str(&q), st, err);
    pu_buf_free(&q);
    return rc;
}

typedef int (*bind_row_fn)(db_stmt *st, int base, size_t i, const void *ctx, pu_err *err);

/* Insert n rows through bind (columns base+1.. of row i) in batches. */
static int write_batched(db_t *db, const char *head, int cols, size_t n, bind_row_fn bind, const void *ctx,
                         pu_err *err) {
    db_stmt *full = NULL, *rest = NULL;
    int rc = PU_OK;
    for (size_t lo = 0; lo < n && !rc; lo += WRITE_BATCH) {
        size_t k = n - lo < WRITE_BATCH ? n - lo : WRITE_BATCH;
        db_stmt **st = k == WRITE_BATCH ? &full : &rest;
        if (!*st && (rc = prepare_batch(db, head, cols, k, st, err))) break;
        db_reset(*st);
        for (size_t r = 0; r < k && !rc; r++) rc = bind(*st, (int)r * cols, lo + r, ctx, err);
        if (!rc) rc = db_step_done(*st, err);
    }
    if (full) db_finalize(full);
    if (rest) db_finalize(rest);
    return rc;
}

static int bind_record(db_stmt *st, int base, size_t i, const void *ctx, pu_err *err) {
    const resolve_rec *r = &((const resolve_set *)ctx)->r[i];
    char *label = NULL;
    int rc = store_seal(RESOLVE_LABEL_CTX, r->name, &label, err);
    if (rc) return rc;
    db_bind_int64(st, base + 1, (int64_t)i + 1);
    db_bind_text(st, base + 2, r->source, -1);
    db_bind_text(st, base + 3, r->ref, -1);
    db_bind_text(st, base + 4, label, -1);   /* bound as a copy: freed below */
    db_bind_text(st, base + 5, r->schema, -1);
    if (r->dob[0]) db_bind_text(st, base + 6, r->dob, -1);
    else db_bind_null(st, base + 6);
    db_bind_text(st, base + 7, r->date, -1);
    db_bind_text(st, base + 8, r->owner, -1);
    db_bind_text(st, base + 9, r->marking, -1);
    free(label);
    return PU_OK;
}

static int write_records(db_t *db, const resolve_set *s, pu_err *err) {
    return write_batched(db, "INSERT INTO resolve_record (id, source, ref, label, schema, dob, date, owner, marking)",
                         9, s->n, bind_record, s, err);
}

typedef struct pair_ctx {
    const resolve_set *s;
    const resolve_pair *p;
} pair_ctx;

static int bind_pair(db_stmt *st, int base, size_t i, const void *ctx, pu_err *err) {
    (void)err;
    const pair_ctx *c = ctx;
    const resolve_pair *p = &c->p[i];
    const resolve_rec *a = &c->s->r[p->a], *b = &c->s->r[p->b];
    store_marking ma = STORE_AGENCY_ONLY, mb = STORE_AGENCY_ONLY;
    pu_err ignore = {0};
    store_marking_parse(a->marking, NULL, &ma, &ignore);
    store_marking_parse(b->marking, NULL, &mb, &ignore);
    char owner[32];
    store_marking m = store_marking_stricter(ma, a->owner, mb, b->owner, owner, sizeof owner);
    db_bind_int64(st, base + 1, (int64_t)p->a + 1);
    db_bind_int64(st, base + 2, (int64_t)p->b + 1);
    db_bind_double(st, base + 3, p->score);
    db_bind_text(st, base + 4, owner, -1);
    db_bind_text(st, base + 5, store_marking_name(m), -1);
    return PU_OK;
}

static int write_pairs(db_t *db, const resolve_set *s, const resolve_pair *p, size_t np, pu_err *err) {
    pair_ctx c = {s, p};
    return write_batched(db, "INSERT INTO resolve_pair (a, b, score, owner, marking)", 5, np, bind_pair, &c, err);
}

static void count_clusters(const resolve_set *s, const resolve_pair *p, size_t np, resolve_run_stats *out) {
    uint32_t *c = malloc((s->n ? s->n : 1) * sizeof *c);
    const char **dob = malloc((s->n ? s->n : 1) * sizeof *dob);
    pu_err e = {0};
    for (size_t i = 0; dob && i < s->n; i++) dob[i] = s->r[i].dob;
    if (!c || !dob || resolve_cluster_pairs_dob(s->n, p, np, NULL, 0, dob, c, NULL, &e)) {
        free(c), free(dob);
        return;
    }
    free(dob);
    uint32_t *size = calloc(s->n ? s->n : 1, sizeof *size);
    for (size_t i = 0; size && i < s->n; i++) size[c[i]]++;
    for (size_t i = 0; size && i < s->n; i++) {
        if (!size[i]) continue;
        out->clusters++;
        if (size[i] > 1) out->multi++;
    }
    free(size);
    free(c);
}

int resolve_run(db_t *db, store_t *st, double threshold, resolve_run_stats *out, pu_err *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof *out);
    resolve_set s = {0};
    resolve_pair *p = NULL;
    size_t np = 0;
    resolve_match_stats ms = {0};
    int rc = resolve_collect(db, st, STORE_SYSTEM, &s, err);
    if (!rc) rc = resolve_match(&s, threshold, &p, &np, &ms, err);
    if (!rc) rc = db_begin(db, err);
    if (!rc) {
        rc = db_exec(db, "DELETE FROM resolve_pair", err);
        if (!rc) rc = db_exec(db, "DELETE FROM resolve_record", err);
        if (!rc) rc = write_records(db, &s, err);
        if (!rc) rc = write_pairs(db, &s, p, np, err);
        if (!rc) rc = db_sync_ids(db, "resolve_record", err);
        if (!rc) rc = store_generation_bump(db, RESOLVE_GENERATION, err);
        if (!rc) rc = db_commit(db, err);
        else db_rollback(db);
    }
    if (!rc) {
        out->records = s.n;
        out->candidates = ms.candidates;
        out->pairs = np;
        for (size_t i = 0; i < s.n; i++) {
            int k = resolve_source_index(s.r[i].source);
            if (k >= 0) out->per_source[k]++;
        }
        count_clusters(&s, p, np, out);
    }
    free(p);
    resolve_set_free(&s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

/* ---- judgements ---- */

int resolve_verdict_parse(const char *s, resolve_verdict *out, pu_err *err) {
    if (s && !strcmp(s, "same")) *out = RESOLVE_SAME;
    else if (s && !strcmp(s, "not_same")) *out = RESOLVE_NOT_SAME;
    else if (s && !strcmp(s, "unsure")) *out = RESOLVE_UNSURE;
    else return pu_fail(err, PU_ERR_INVALID, NULL, "verdict", "expected same, not_same or unsure, got '%s'", s ? s : "");
    return PU_OK;
}

const char *resolve_verdict_name(resolve_verdict v) {
    return v == RESOLVE_SAME ? "same" : v == RESOLVE_NOT_SAME ? "not_same" : "unsure";
}

/* The strictest marking (and its owner) among the visible records with key
 * "source:ref"; PU_ERR_NOTFOUND when none is visible. */
static int record_marking(db_t *db, const store_scope *scope, const char *key, store_marking *m, char *owner,
                          size_t osize, pu_err *err) {
    char source[24];
    const char *ref;
    if (resolve_key_split(key, source, sizeof source, &ref))
        return pu_fail(err, PU_ERR_INVALID, NULL, "record", "expected SOURCE:REF (entity, trace.purchaser, "
                       "trace.possessor, cargo.party or tip.mention), got '%s'", key);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.owner, r.marking FROM resolve_record r WHERE r.source = ?");
    db_sql_text(&q, source);
    db_sql_add(&q, " AND r.ref = ?");
    db_sql_text(&q, ref);
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "r");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err), found = 0;
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        store_marking mm = STORE_AGENCY_ONLY;
        pu_err ignore = {0};
        store_marking_parse(db_col_text(st, 1), NULL, &mm, &ignore);
        if (!found) {
            *m = mm;
            pu_strlcpy(owner, db_col_text(st, 0), osize);
        } else {
            char o[32];
            *m = store_marking_stricter(*m, owner, mm, db_col_text(st, 0), o, sizeof o);
            pu_strlcpy(owner, o, osize);
        }
        found = 1;
    }
    db_finalize(st);
    if (rc != DB_DONE) return rc;
    if (!found) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "record", "no record '%s'", key);
    return PU_OK;
}

static int audit(db_t *db, const store_scope *scope, const char *action, const char *a, const char *b,
                 const char *analyst, const char *detail, pu_err *err) {
    char targets[2 * (RESOLVE_REF_MAX + 32) + 2];
    snprintf(targets, sizeof targets, "%s,%s", a, b);
    audit_event ev = {.component = "resolve", .user = analyst ? analyst : "-",
                      .agency = scope->system ? "" : scope->agency, .action = action, .targets = targets,
                      .outcome = "success", .detail = detail};
    return audit_append(db, &ev, err);
}

/* Revoke the active judgements on (a, b) visible to scope; *n gets how many. */
static int revoke(db_t *db, const store_scope *scope, const char *a, const char *b, const char *analyst, int64_t *n,
                  pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "UPDATE resolve_judgement SET revoked = ?");
    db_sql_text(&q, now);
    db_sql_add(&q, ", revoked_by = ?");
    db_sql_text(&q, analyst ? analyst : "-");
    db_sql_add(&q, " WHERE revoked IS NULL AND a_key = ?");
    db_sql_text(&q, a);
    db_sql_add(&q, " AND b_key = ?");
    db_sql_text(&q, b);
    if (!scope->system) {   /* an agency revokes its own judgements only */
        db_sql_add(&q, " AND agency = ?");
        db_sql_text(&q, scope->agency);
    }
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, NULL);
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step_done(st, err);
    db_finalize(st);
    *n = rc ? 0 : db_changes(db);
    return rc;
}

static void order_keys(const char **a, const char **b) {
    if (strcmp(*a, *b) > 0) {
        const char *t = *a;
        *a = *b;
        *b = t;
    }
}

int resolve_judge(db_t *db, const store_scope *scope, const char *a, const char *b, resolve_verdict v,
                  const char *analyst, const char *note, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    if (!a || !b || !strcmp(a, b)) return pu_fail(err, PU_ERR_INVALID, NULL, "record", "a record is judged against another record");
    order_keys(&a, &b);
    store_marking ma, mb;
    char oa[32], ob[32], owner[32];
    int rc = record_marking(db, scope, a, &ma, oa, sizeof oa, err);
    if (!rc) rc = record_marking(db, scope, b, &mb, ob, sizeof ob, err);
    if (rc) return rc;
    store_marking m = store_marking_stricter(ma, oa, mb, ob, owner, sizeof owner);
    if ((rc = db_begin(db, err))) return rc;
    int64_t n = 0;
    rc = revoke(db, scope, a, b, analyst, &n, err);
    db_stmt *st = NULL;
    if (!rc) rc = db_prepare(db, "INSERT INTO resolve_judgement (a_key, b_key, verdict, analyst, agency, note, created,"
                                 " owner, marking) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
    if (!rc) {
        char now[32];
        pu_now_iso(now, sizeof now);
        db_bind_text(st, 1, a, -1);
        db_bind_text(st, 2, b, -1);
        db_bind_text(st, 3, resolve_verdict_name(v), -1);
        db_bind_text(st, 4, analyst ? analyst : "-", -1);
        db_bind_text(st, 5, scope->system ? "" : scope->agency, -1);
        if (note) db_bind_text(st, 6, note, -1);
        else db_bind_null(st, 6);
        db_bind_text(st, 7, now, -1);
        db_bind_text(st, 8, owner, -1);
        db_bind_text(st, 9, store_marking_name(m), -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = audit(db, scope, "resolve.judge", a, b, analyst, resolve_verdict_name(v), err);
    if (!rc) rc = store_generation_bump(db, RESOLVE_GENERATION, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

int resolve_unjudge(db_t *db, const store_scope *scope, const char *a, const char *b, const char *analyst,
                    pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    if (!a || !b) return pu_fail(err, PU_ERR_INVALID, NULL, "record", "two records are needed");
    order_keys(&a, &b);
    int rc = db_begin(db, err);
    if (rc) return rc;
    int64_t n = 0;
    rc = revoke(db, scope, a, b, analyst, &n, err);
    if (!rc && !n) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "judgement", "no judgement on '%s' and '%s'", a, b);
    if (!rc) rc = audit(db, scope, "resolve.unjudge", a, b, analyst, NULL, err);
    if (!rc) rc = store_generation_bump(db, RESOLVE_GENERATION, err);
    if (!rc) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}
