/*
 * ews_queue.c - the curator queue of unknown substance names: list, resolve
 * one item, resolve every item the vocabulary now knows.
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- curator queue ------------------------------------------------------- */

int ews_queue_list(ews_t *e, const store_scope *scope, const char *status, ews_queue_cb cb, void *ctx, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT q.id, q.name, q.norm, q.count, q.first_report, q.status, COALESCE(q.substance, '') "
                     "FROM ews_queue q WHERE ");
    store_scope_sql(&sql, scope, "q");
    if (status) {
        db_sql_add(&sql, " AND q.status = ?");
        db_sql_text(&sql, status);
    }
    db_sql_add(&sql, " ORDER BY q.count DESC, q.id");
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        ews_queue_item q;
        memset(&q, 0, sizeof q);
        q.id = db_col_int64(st, 0);
        pu_strlcpy(q.name, db_col_text(st, 1), sizeof q.name);
        pu_strlcpy(q.norm, db_col_text(st, 2), sizeof q.norm);
        q.count = db_col_int64(st, 3);
        pu_strlcpy(q.first_report, db_col_text(st, 4), sizeof q.first_report);
        pu_strlcpy(q.status, db_col_text(st, 5), sizeof q.status);
        pu_strlcpy(q.substance, db_col_text(st, 6), sizeof q.substance);
        if (cb(&q, ctx)) break;
    }
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

int ews_queue_reject(ews_t *e, const store_scope *scope, int64_t item, pu_err *err) {
    char status[16] = "", owner[32] = "";
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT q.status, COALESCE(q.owner, '') FROM ews_queue q WHERE q.id = ? AND ");
    db_sql_int64(&sql, item);
    store_scope_sql(&sql, scope, "q");
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    if (s == DB_ROW) {
        pu_strlcpy(status, db_col_text(st, 0), sizeof status);
        pu_strlcpy(owner, db_col_text(st, 1), sizeof owner);
    }
    db_finalize(st);
    if (s == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "queue", "no queue item %lld", (long long)item);
    if (s != DB_ROW) return s;
    if (strcmp(status, "open") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "queue", "queue item %lld is already %s", (long long)item, status);
    if (*owner && (rc = store_check_owner(e->db, scope, owner, err))) return rc;
    if ((rc = db_prepare(e->db, "UPDATE ews_queue SET status = 'rejected' WHERE id = ? AND status = 'open'", &st, err)))
        return rc;
    db_bind_int64(st, 1, item);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int ews_queue_resolve(ews_t *e, const store_scope *scope, int64_t item, const char *substance, pu_err *err) {
    db_stmt *st;
    int rc = ews_substance_exists(e->db, scope, substance, err);
    if (rc) return rc;
    char name[256] = "", status[16] = "", owner[32] = "", marking[16] = "";
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT q.name, q.status, q.owner, q.marking FROM ews_queue q WHERE q.id = ? AND ");
    db_sql_int64(&sql, item);
    store_scope_sql(&sql, scope, "q");
    rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    if (s == DB_ROW) {
        pu_strlcpy(name, db_col_text(st, 0), sizeof name);
        pu_strlcpy(status, db_col_text(st, 1), sizeof status);
        pu_strlcpy(owner, db_col_text(st, 2), sizeof owner);
        pu_strlcpy(marking, db_col_text(st, 3), sizeof marking);
    }
    db_finalize(st);
    if (s == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "queue", "no queue item %lld", (long long)item);
    if (s != DB_ROW) return s;
    if (strcmp(status, "open") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "queue", "queue item %lld is already %s", (long long)item, status);
    importer im;
    if ((rc = ews_importer_init(&im, e, err))) return rc;
    if ((rc = db_begin(e->db, err))) return rc;
    /* the name came from a report: it carries that report's releasability */
    rc = ews_synonym_add_db(e->db, substance, name, "curator", owner, marking, err);
    if (!rc) rc = db_prepare(e->db, "UPDATE ews_queue SET status = 'resolved', substance = ? WHERE id = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, substance, -1);
        db_bind_int64(st, 2, item);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = db_prepare(e->db, "UPDATE ews_detection SET substance = ? WHERE queue = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, substance, -1);
        db_bind_int64(st, 2, item);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = ews_first_detections(&im, "d.queue = ?", item, err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_queue_autoresolve(ews_t *e, int64_t *resolved, pu_err *err) {
    *resolved = 0;
    importer im;
    db_stmt *st;
    int rc = ews_importer_init(&im, e, err);
    if (!rc) rc = db_prepare(e->db, "SELECT id, norm, owner, marking FROM ews_queue WHERE status = 'open' ORDER BY id", &st, err);
    if (rc) return rc;
    typedef struct { int64_t id; char sid[64]; } hit;
    pu_vec v = PU_VEC_INIT(hit, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        char *sid = NULL;
        /* the vocabulary must know the name for the item's whole audience */
        audience au;
        if ((s = ews_audience_of(&im, db_col_text(st, 2), db_col_text(st, 3), &au, err)) != PU_OK) break;
        store_scope asc = ews_audience_scope(&au);
        s = DB_ROW;
        if (ews_resolve_norm(e->db, &asc, db_col_text(st, 1), &sid, NULL) == PU_OK) {
            hit h = {db_col_int64(st, 0), ""};
            pu_strlcpy(h.sid, sid, sizeof h.sid);
            int vr = pu_vec_push(&v, &h, sizeof h);
            if (vr) s = vr;
        }
        free(sid);
        if (s != DB_ROW) break;
    }
    db_finalize(st);
    rc = s == DB_DONE ? PU_OK : ews_vec_fail(s, err);
    const hit *hits = v.data;
    for (size_t i = 0; i < v.len && !rc; i++) {
        rc = ews_queue_resolve(e, STORE_SYSTEM, hits[i].id, hits[i].sid, err);
        if (!rc) (*resolved)++;
    }
    pu_vec_free(&v);
    return rc;
}
