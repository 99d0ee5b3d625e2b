/* case_link.c - evidence links from a case to records of every engine. A
 * link is stored as (kind, target) only; whether the reader may see the
 * target is decided at every read, in SQL, against the target's own row
 * (store_scope_sql on the target table), so a link disappears the moment
 * its target is re-marked or hidden and comes back when it is released
 * (the tips module copies owner/marking into its links; a case lives for
 * years, so we check the live row instead). docs/cases.md "Evidence links". */
#include <string.h>

#include "cases/case_int.h"

typedef struct link_kind {
    const char *kind;
    const char *table;   /* the target engine's table */
    const char *key;     /* its column compared with the link's target (text) */
} link_kind;

static const link_kind KINDS[] = {
    {"trace", "trace_request", "t.number"},
    {"cargo", "cargo_shipment", "CAST(t.id AS TEXT)"},
    {"tip", "tip", "t.id"},
    {"ews", "ews_alert", "CAST(t.id AS TEXT)"},
    {"kinship", "entity", "t.id"},
    {"screening", "entity", "t.id"},
    {"entity", "entity", "t.id"},
    {NULL, NULL, NULL},
};

int case_link_kind_valid(const char *kind) {
    for (const link_kind *k = KINDS; kind && k->kind; k++)
        if (!strcmp(k->kind, kind)) return 1;
    return 0;
}

/* "EXISTS (a visible row of the target table whose key is <target>)";
 * target NULL: the link's column l.target, else bound as a value. */
static void target_visible_sql(db_sql *q, const case_reader *rd, const link_kind *k, const char *target) {
    db_sql_addf(q, "EXISTS (SELECT 1 FROM %s t WHERE %s = %s AND ", k->table, k->key, target ? "?" : "l.target");
    if (target) db_sql_text(q, target);
    store_scope_sql(q, rd->scope, "t");
    db_sql_add(q, ")");
}

int case_link_add(db_t *db, const case_reader *rd, int64_t id, const char *kind, const char *target,
                  const char *note, int64_t *lid, pu_err *err) {
    const link_kind *k = KINDS;
    while (k->kind && (!kind || strcmp(k->kind, kind))) k++;
    if (!k->kind)
        return pu_fail(err, PU_ERR_INVALID, NULL, "kind",
                       "expected trace, cargo, tip, ews, kinship, screening or entity, got '%s'", kind ? kind : "");
    if (!target || !*target || strlen(target) > 200) return pu_fail(err, PU_ERR_INVALID, NULL, "target", "required");
    int rc = case_access(db, rd, id, 1, NULL, NULL, err);
    if (rc) return rc;
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT 1 WHERE ");
    target_visible_sql(&q, rd, k, target);
    rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    db_finalize(st);
    /* absent and hidden targets answer alike: linking is no way to probe */
    if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, target, kind, "no such %s record", kind);
    if (rc != DB_ROW) return rc;
    char now[32], text[300];
    int64_t tmp;
    int own;
    pu_now_iso(now, sizeof now);
    if ((rc = case_begin(db, &own, err))) return rc;
    rc = db_prepare(db, "INSERT INTO case_link (case_id, kind, target, note, added_by, created)"
                        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, kind, -1);
        db_bind_text(st, 3, target, -1);
        db_bind_text(st, 4, note ? note : "", -1);
        db_bind_text(st, 5, case_actor(rd), -1);
        db_bind_text(st, 6, now, -1);
        rc = db_insert_id(st, lid ? lid : &tmp, err);
        db_finalize(st);
    }
    (void)pu_snprintf(text, sizeof text, "%s %s", kind, target);
    if (!rc) rc = case_timeline(db, id, NULL, "link", text, case_actor(rd), err);
    return case_end(db, own, rc, err);
}

int case_links_json(db_t *db, const case_reader *rd, int64_t id, json_t **out, pu_err *err) {
    static const char *const cols[] = {"id_n", "kind", "target", "note", "added_by", "created", NULL};
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT l.id, l.kind, l.target, l.note, l.added_by, l.created FROM case_link l"
                   " WHERE l.case_id = ? AND (");
    db_sql_int64(&q, id);
    for (const link_kind *k = KINDS; k->kind; k++) {
        db_sql_addf(&q, "%s(l.kind = '%s' AND ", k == KINDS ? "" : " OR ", k->kind);
        target_visible_sql(&q, rd, k, NULL);
        db_sql_add(&q, ")");
    }
    db_sql_add(&q, ") ORDER BY l.id");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    return rc ? rc : case_rows_json(st, cols, out, err);
}
