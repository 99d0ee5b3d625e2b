/*
 * ews_alert.c - alerts: writing one (deduplicated), listing them for a reader,
 * and the acknowledge / close workflow.
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- alert writes ---------------------------------------------------------- */

static const char *const severities[] = {"low", "medium", "high", "critical"};

int ews_alert_add(importer *im, alert_in *a, int *added, pu_err *err) {
    db_stmt *st;
    *added = 0;
    int rc = db_prepare(im->e->db,
                        "INSERT INTO ews_alert(kind, severity, substance, place, week, method, observed, expected, upper, "
                        "evidence, text_en, text_es, addressed, status, owner, marking, created, dedup) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?,?,?,?) ON CONFLICT (dedup) DO NOTHING",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, a->kind, -1);
    db_bind_text(st, 2, severities[a->severity < 0 ? 0 : a->severity > 3 ? 3 : a->severity], -1);
    db_bind_text(st, 3, a->substance, -1);
    db_bind_text(st, 4, a->place, -1);
    db_bind_text(st, 5, a->week, -1);
    db_bind_text(st, 6, a->method, -1);
    if (isnan(a->observed)) db_bind_null(st, 7); else db_bind_double(st, 7, a->observed);
    if (isnan(a->expected)) db_bind_null(st, 8); else db_bind_double(st, 8, a->expected);
    if (isnan(a->upper)) db_bind_null(st, 9); else db_bind_double(st, 9, a->upper);
    db_bind_text(st, 10, a->evidence, -1);
    db_bind_text(st, 11, a->en, -1);
    db_bind_text(st, 12, a->es, -1);
    db_bind_text(st, 13, a->addressed, -1);
    db_bind_text(st, 14, a->owner, -1);
    db_bind_text(st, 15, a->marking, -1);
    db_bind_text(st, 16, im->now, -1);
    db_bind_text(st, 17, a->dedup, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (!rc && db_changes(im->e->db) > 0) {
        *added = 1;
        im->st.alerts++;
    }
    return rc;
}

/* ---- alert reads and workflow -------------------------------------------- */

#define ALERT_COLS "id, kind, severity, substance, place, week, method, observed, expected, upper, text_en, text_es, " \
                   "addressed, status, owner, marking, created, COALESCE(acked_by, ''), COALESCE(closed_by, ''), " \
                   "COALESCE(note, '')"

static double col_num(db_stmt *st, int c) { return db_col_isnull(st, c) ? NAN : db_col_double(st, c); }

static int alert_row(db_stmt *st, ews_alert *a, pu_err *err) {
    memset(a, 0, sizeof *a);
    a->id = db_col_int64(st, 0);
    pu_strlcpy(a->kind, db_col_text(st, 1), sizeof a->kind);
    pu_strlcpy(a->severity, db_col_text(st, 2), sizeof a->severity);
    pu_strlcpy(a->substance, db_col_text(st, 3), sizeof a->substance);
    pu_strlcpy(a->place, db_col_text(st, 4), sizeof a->place);
    pu_strlcpy(a->week, db_col_text(st, 5), sizeof a->week);
    pu_strlcpy(a->method, db_col_text(st, 6), sizeof a->method);
    a->observed = col_num(st, 7);
    a->expected = col_num(st, 8);
    a->upper = col_num(st, 9);
    pu_strlcpy(a->text_en, db_col_text(st, 10), sizeof a->text_en);
    pu_strlcpy(a->text_es, db_col_text(st, 11), sizeof a->text_es);
    pu_strlcpy(a->addressed, db_col_text(st, 12), sizeof a->addressed);
    pu_strlcpy(a->status, db_col_text(st, 13), sizeof a->status);
    pu_strlcpy(a->owner, db_col_text(st, 14), sizeof a->owner);
    pu_strlcpy(a->marking, db_col_text(st, 15), sizeof a->marking);
    pu_strlcpy(a->created, db_col_text(st, 16), sizeof a->created);
    pu_strlcpy(a->acked_by, db_col_text(st, 17), sizeof a->acked_by);
    pu_strlcpy(a->closed_by, db_col_text(st, 18), sizeof a->closed_by);
    /* the note is sealed at rest (store_seal) */
    return store_unseal_buf("ews_alert.note", db_col_text(st, 19), a->note, sizeof a->note, err);
}

int ews_alerts_list(ews_t *e, const store_scope *scope, const ews_alert_query *q, ews_alert_cb cb, void *ctx, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT " ALERT_COLS " FROM ews_alert a WHERE ");
    store_scope_sql(&sql, scope, "a");
    if (q && q->status) {
        db_sql_add(&sql, " AND a.status = ?");
        db_sql_text(&sql, q->status);
    }
    if (q && q->substance) {
        db_sql_add(&sql, " AND a.substance = ?");
        db_sql_text(&sql, q->substance);
    }
    if (q && q->agency) {
        db_sql_add(&sql, " AND ");
        ews_sql_in_list(&sql, "a.addressed", q->agency);
    }
    db_sql_add(&sql, " ORDER BY a.id");
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s;
    ews_alert a;
    while ((s = db_step(st, err)) == DB_ROW) {
        if ((rc = alert_row(st, &a, err))) break;
        if (cb(&a, ctx)) break;
    }
    db_finalize(st);
    if (rc) return rc;
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

/* The alert `id` as scope sees it; PU_ERR_NOTFOUND when absent or hidden
 * (the two look the same). */
static int alert_get(ews_t *e, const store_scope *scope, int64_t id, ews_alert *a, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT " ALERT_COLS " FROM ews_alert a WHERE a.id = ? AND ");
    db_sql_int64(&sql, id);
    store_scope_sql(&sql, scope, "a");
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    if (s == DB_ROW && (rc = alert_row(st, a, err))) s = rc;
    db_finalize(st);
    if (s == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "alert", "no alert %lld", (long long)id);
    return s == DB_ROW ? PU_OK : s;
}

/* *yes = 1 when `agency` is among the addressees of alert id (in SQL). */
static int alert_addressed(ews_t *e, int64_t id, const char *agency, int *yes, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT COUNT(*) FROM ews_alert a WHERE a.id = ? AND ");
    db_sql_int64(&sql, id);
    ews_sql_in_list(&sql, "a.addressed", agency);
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    *yes = s == DB_ROW && db_col_int64(st, 0) > 0;
    db_finalize(st);
    return s == DB_ROW ? PU_OK : s;
}

/* An agency that may act on alerts: registered (acl_agency, when the access
 * module is set up in this store) or an addressee agency of the places data
 * (the state health secretariats cannot be registered: their codes hold a
 * '-'). Anything else ("NOPE", a typo) is refused before the write rule, so
 * a typo is never mistaken for "not an addressee". */
static int agency_known(ews_t *e, const char *agency, pu_err *err) {
    if (pu_blank(agency)) return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "the acting agency is empty");
    int version = 0;
    int rc = db_schema_version(e->db, "access", &version, err);
    if (rc) return rc;
    int64_t n = 0;
    if (version > 0) {
        db_sql q;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT COUNT(*) FROM acl_agency WHERE acronym = ?");
        db_sql_text(&q, agency);
        db_stmt *st;
        rc = db_sql_prepare(e->db, &q, &st, err);
        db_sql_free(&q);
        if (rc) return rc;
        int s = db_step(st, err);
        if (s == DB_ROW) n = db_col_int64(st, 0);
        db_finalize(st);
        if (s != DB_ROW) return s;
    }
    if (n == 0) {
        db_sql q;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT COUNT(*) FROM ews_place p WHERE ");
        ews_sql_in_list(&q, "p.agencies", agency);
        db_stmt *st;
        rc = db_sql_prepare(e->db, &q, &st, err);
        db_sql_free(&q);
        if (rc) return rc;
        int s = db_step(st, err);
        if (s == DB_ROW) n = db_col_int64(st, 0);
        db_finalize(st);
        if (s != DB_ROW) return s;
    }
    if (n == 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "agency",
                       "unknown agency '%.40s' (see 'puente agency list'; alerts are acted on by registered agencies "
                       "and the addressees of data/ews/places.csv)", agency);
    return PU_OK;
}

/* The write rule of the workflow: the reader acts only for its own agency
 * (store_check_act_for), sees the alert (else NOTFOUND, as if absent), and
 * that agency is an addressee: only an addressee acknowledges or closes an
 * alert, and only for itself. The UPDATE repeats the conditions, so a
 * concurrent change cannot slip between the checks and the write. */
static int alert_transition(ews_t *e, const store_scope *scope, int64_t id, const char *agency, const char *note,
                            int close, pu_err *err) {
    int rc = agency_known(e, agency, err);
    if (!rc) rc = store_check_act_for(scope, agency, err);
    if (rc) return rc;
    ews_alert a;
    if ((rc = alert_get(e, scope, id, &a, err))) return rc;
    int yes = 0;
    if ((rc = alert_addressed(e, id, agency, &yes, err))) return rc;
    if (!yes)
        return pu_fail(err, PU_ERR_DENIED, NULL, "agency", "alert %lld is not addressed to %s (addressees: %s)",
                       (long long)id, agency, a.addressed);
    if (strcmp(a.status, "closed") == 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "alert", "alert %lld is already closed", (long long)id);
    if (!close && strcmp(a.status, "acknowledged") == 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "alert", "alert %lld was already acknowledged by %s", (long long)id,
                       a.acked_by);
    char now[32];
    pu_now_iso(now, sizeof now);
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, close ? "UPDATE ews_alert SET status = 'closed', closed_by = ?, closed_at = ?, note = ? "
                             "WHERE id = ? AND status <> 'closed' AND "
                           : "UPDATE ews_alert SET status = 'acknowledged', acked_by = ?, acked_at = ?, "
                             "note = COALESCE(?, note) WHERE id = ? AND status = 'open' AND ");
    char *sealed = NULL;
    if ((rc = store_seal("ews_alert.note", note, &sealed, err))) {
        db_sql_free(&sql);
        return rc;
    }
    db_sql_text(&sql, agency);
    db_sql_text(&sql, now);
    db_sql_text(&sql, sealed);
    free(sealed); /* db_sql_text copies (db_sql.h) */
    db_sql_int64(&sql, id);
    ews_sql_in_list(&sql, "addressed", agency);
    db_sql_add(&sql, " AND ");
    store_scope_sql(&sql, scope, NULL);
    if ((rc = db_begin(e->db, err))) {
        db_sql_free(&sql);
        return rc;
    }
    db_stmt *st;
    rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (!rc) {
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc && db_changes(e->db) == 0)
        rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "alert", "alert %lld changed meanwhile; read it again", (long long)id);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_alert_ack(ews_t *e, const store_scope *scope, int64_t id, const char *agency, pu_err *err) {
    return alert_transition(e, scope, id, agency, NULL, 0, err);
}

int ews_alert_close(ews_t *e, const store_scope *scope, int64_t id, const char *agency, const char *note, pu_err *err) {
    return alert_transition(e, scope, id, agency, note, 1, err);
}
