/*
 * monitor_list.c - the module's tables and the customer lists: import of a
 * list's subjects from CSV (bounded, every record counted in a pu_report)
 * and the listing of lists.
 */
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_parse.h"
#include "monitor/monitor_int.h"

static const char *const migrations[] = {
    "CREATE TABLE monitor_list ("
    " id {ID}, name TEXT NOT NULL, owner TEXT, marking TEXT NOT NULL,"
    " created TEXT NOT NULL, last_run TEXT);"
    "CREATE TABLE monitor_subject ("
    " id {ID}, list_id {INT} NOT NULL REFERENCES monitor_list(id), skey TEXT NOT NULL, ref TEXT,"
    " name TEXT NOT NULL, schema TEXT, birth_date TEXT, country TEXT, ids TEXT, line {INT} NOT NULL,"
    " changed TEXT NOT NULL, screened TEXT);"
    "CREATE UNIQUE INDEX monitor_subject_key ON monitor_subject (list_id, skey);"
    "CREATE TABLE monitor_alert ("
    " id {ID}, list_id {INT}, subject_id {INT}, source TEXT NOT NULL, subject_name TEXT NOT NULL,"
    " subject_key TEXT NOT NULL, entity_id TEXT NOT NULL, entity_caption TEXT NOT NULL,"
    " matched_name TEXT NOT NULL, score {REAL} NOT NULL, basis TEXT NOT NULL, explain TEXT NOT NULL,"
    " owner TEXT, marking TEXT NOT NULL, status TEXT NOT NULL, assignee TEXT, decision TEXT, note TEXT,"
    " decided_by TEXT, decided_at TEXT, confirmed_by TEXT, confirmed_at TEXT, confirm_note TEXT,"
    " basis_removed {INT} NOT NULL DEFAULT 0, created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE INDEX monitor_alert_pair ON monitor_alert (subject_key, entity_id);"
    "CREATE INDEX monitor_alert_status ON monitor_alert (status);"
    "CREATE TABLE monitor_alert_event ("
    " id {ID}, alert_id {INT} NOT NULL REFERENCES monitor_alert(id), at TEXT NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, status TEXT NOT NULL, note TEXT);"
    "CREATE INDEX monitor_alert_event_alert ON monitor_alert_event (alert_id);",
};

int monitor_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "monitor", migrations, (int)(sizeof migrations / sizeof migrations[0]), err);
}

/* ---- finding a list ------------------------------------------------------ */

int mon_list_find(db_t *db, const store_scope *scope, const char *name, mon_list *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    db_sql q;
    db_sql_init(&q);
    /* the reader's own list first when two agencies use the same name */
    db_sql_add(&q, "SELECT l.id, l.name, l.owner, l.marking, l.last_run FROM monitor_list l WHERE l.name = ?");
    db_sql_text(&q, name);
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "l");
    db_sql_add(&q, " ORDER BY CASE WHEN l.owner = ? THEN 0 ELSE 1 END, l.id");
    db_sql_text(&q, scope->agency ? scope->agency : "");
    db_stmt *s = NULL;
    int rc = db_sql_prepare(db, &q, &s, err);
    db_sql_free(&q);
    if (rc) return rc;
    int step = db_step(s, err);
    if (step == DB_ROW) {
        out->id = db_col_int64(s, 0);
        pu_strlcpy(out->name, db_col_text(s, 1), sizeof out->name);
        pu_strlcpy(out->owner, db_col_text(s, 2), sizeof out->owner);
        pu_strlcpy(out->marking, db_col_text(s, 3), sizeof out->marking);
        pu_strlcpy(out->last_run, db_col_text(s, 4), sizeof out->last_run);
    }
    db_finalize(s);
    if (step == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "list", "no customer list '%s'", name);
    if (step != DB_ROW) return step;
    return store_check_owner(db, scope, out->owner[0] ? out->owner : NULL, err);
}

/* Create list `name` for scope's agency. */
static int list_create(db_t *db, const store_scope *scope, const char *name, const char *marking, mon_list *out,
                       pu_err *err) {
    store_marking m;
    int rc = store_marking_parse(marking, "marking", &m, err);
    if (!rc) rc = store_check_file(scope, m, err);
    if (rc) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    const char *owner = scope->system ? NULL : scope->agency;
    db_stmt *s = NULL;
    rc = db_prepare(db, "INSERT INTO monitor_list (name, owner, marking, created) VALUES (?, ?, ?, ?) RETURNING id",
                    &s, err);
    if (!rc) {
        db_bind_text(s, 1, name, -1);
        if (owner) db_bind_text(s, 2, owner, -1);
        else db_bind_null(s, 2);
        db_bind_text(s, 3, marking, -1);
        db_bind_text(s, 4, now, -1);
        rc = db_insert_id(s, &out->id, err);
    }
    db_finalize(s);
    pu_strlcpy(out->name, name, sizeof out->name);
    pu_strlcpy(out->owner, owner ? owner : "", sizeof out->owner);
    pu_strlcpy(out->marking, marking, sizeof out->marking);
    return rc;
}

static int check_list_name(const char *name, pu_err *err) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MONITOR_NAME_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "list", "expected a list name of 1 to %d bytes", MONITOR_NAME_MAX);
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.'))
            return pu_fail(err, PU_ERR_INVALID, NULL, "list", "'%s': a list name holds letters, digits, '-', '_', '.'",
                           name);
    return PU_OK;
}

/* ---- the CSV importer ---------------------------------------------------- */

enum { C_NAME, C_ID, C_SCHEMA, C_BIRTH, C_COUNTRY, C_IDS, NCOLS };
static const pu_col cols[NCOLS] = {
    {"name", "full_name|nombre", PU_COL_REQUIRED},
    {"id", "customer_id|ref|reference", 0},
    {"schema", "type|tipo", 0},
    {"birth_date", "birthdate|dob|date_of_birth|fecha_nacimiento", 0},
    {"country", "nationality|pais|país", 0},
    {"id_numbers", "ids|identifiers|id_number|identificadores", 0},
};

/* One subject as read and checked. */
typedef struct subject {
    const char *ref, *name, *schema, *birth, *ids;
    char country[3];
    char key[1200];
    uint64_t line;
} subject;

static const char *field(const pu_csv_row *row, const int *idx, int c) {
    if (idx[c] < 0 || (size_t)idx[c] >= row->n) return NULL;
    char *v = pu_trim(row->fields[idx[c]]);
    return *v ? v : NULL;
}

static int check_subject(const pu_csv_row *row, const int *idx, const char *where, subject *s, pu_err *err) {
    memset(s, 0, sizeof *s);
    s->line = row->line;
    s->name = field(row, idx, C_NAME);
    s->ref = field(row, idx, C_ID);
    s->schema = field(row, idx, C_SCHEMA);
    s->birth = field(row, idx, C_BIRTH);
    s->ids = field(row, idx, C_IDS);
    if (!s->name) return pu_fail(err, PU_ERR_INVALID, where, "name", "empty; expected the subject's name");
    char *norm = NULL;
    int rc = screen_normalize(s->name, s->schema, &norm, err);
    free(norm);
    if (rc) return pu_fail(err, rc, where, "name", "%s", err->msg);
    if (s->schema) {
        const ftm_schema *sc = ftm_schema_get(s->schema);
        if (!sc || !ftm_schema_matchable(sc))
            return pu_fail(err, PU_ERR_INVALID, where, "schema",
                           "expected Person, Company, Organization, LegalEntity, Vessel or Airplane, got '%s'",
                           s->schema);
    }
    if (s->birth) {
        pu_date d;
        if ((rc = pu_date_parse(s->birth, PU_DATE_PARTIAL, where, "birth_date", &d, err)) ||
            (rc = pu_date_not_future(&d, where, "birth_date", err)))
            return rc;
    }
    const char *c = field(row, idx, C_COUNTRY);
    if (c && (rc = pu_country_parse(c, where, "country", s->country, err))) return rc;
    if (s->ref) rc = pu_snprintf(s->key, sizeof s->key, "id:%s", s->ref);
    else rc = pu_snprintf(s->key, sizeof s->key, "name:%s|%s", s->name, s->birth ? s->birth : "");
    if (rc) return pu_fail(err, PU_ERR_LIMIT, where, s->ref ? "id" : "name", "too long");
    return PU_OK;
}

/* 1 when the stored subject of key has exactly these values. */
static int same_subject(db_t *db, int64_t list_id, const subject *s, int *same, int *exists, pu_err *err) {
    *same = *exists = 0;
    db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT name, schema, birth_date, country, ids FROM monitor_subject"
                        " WHERE list_id = ? AND skey = ?",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, list_id);
    db_bind_text(st, 2, s->key, -1);
    int step = db_step(st, err);
    if (step == DB_ROW) {
        *exists = 1;
        const char *v[5] = {s->name, s->schema, s->birth, s->country[0] ? s->country : NULL, s->ids};
        *same = 1;
        for (int i = 0; i < 5; i++)
            if (strcmp(db_col_text(st, i), v[i] ? v[i] : "") != 0) *same = 0;
    } else if (step != DB_DONE) rc = step;
    db_finalize(st);
    return rc;
}

static void bind_opt(db_stmt *st, int i, const char *v) {
    if (v && *v) db_bind_text(st, i, v, -1);
    else db_bind_null(st, i);
}

/* Insert or update one subject; a changed subject is screened in full again
 * (screened = NULL). */
static int put_subject(db_t *db, int64_t list_id, const subject *s, int exists, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *st = NULL;
    int rc = db_prepare(db,
                        exists ? "UPDATE monitor_subject SET ref = ?, name = ?, schema = ?, birth_date = ?, country = ?,"
                                 " ids = ?, line = ?, changed = ?, screened = NULL WHERE list_id = ? AND skey = ?"
                               : "INSERT INTO monitor_subject (ref, name, schema, birth_date, country, ids, line,"
                                 " changed, list_id, skey) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, err);
    if (rc) return rc;
    bind_opt(st, 1, s->ref);
    db_bind_text(st, 2, s->name, -1);
    bind_opt(st, 3, s->schema);
    bind_opt(st, 4, s->birth);
    bind_opt(st, 5, s->country);
    bind_opt(st, 6, s->ids);
    db_bind_int64(st, 7, (int64_t)s->line);
    db_bind_text(st, 8, now, -1);
    db_bind_int64(st, 9, list_id);
    db_bind_text(st, 10, s->key, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

typedef struct import {
    db_t *db;
    mon_list list;
    pu_report *rep;
    pu_dupset *dups;
} import;

static int import_row(import *im, pu_csv *r, const pu_csv_row *row, const int *idx, pu_err *err) {
    char where[PU_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
    im->rep->read++;
    subject s;
    pu_err re;
    if (check_subject(row, idx, where, &s, &re)) {
        pu_report_reject(im->rep, &re);
        return PU_OK;
    }
    const char *first = NULL;
    int dup = pu_dupset_add(im->dups, s.key, where, &first);
    if (dup < 0) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (dup > 0) {
        pu_report_duplicate(im->rep, s.key + (s.ref ? 3 : 5), where, first, "refused"); /* without "id:"/"name:" */
        return PU_OK;
    }
    int same = 0, exists = 0;
    int rc = same_subject(im->db, im->list.id, &s, &same, &exists, err);
    if (rc) return rc;
    if (same) {
        im->rep->unchanged++;
        return PU_OK;
    }
    if ((rc = put_subject(im->db, im->list.id, &s, exists, err))) return rc;
    im->rep->written++;
    return PU_OK;
}

/* Read every record of r into the list (inside the caller's transaction). */
static int import_csv(import *im, pu_csv *r, pu_err *err) {
    const pu_csv_row *row = NULL;
    int rc = pu_csv_next(r, &row, err);
    if (rc) return rc;
    if (!row) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "empty; expected a header with 'name'");
    int idx[NCOLS];
    char *warn = NULL;
    if ((rc = pu_csv_header(pu_csv_name(r), row, cols, NCOLS, PU_UNKNOWN_WARN, idx, &warn, err))) return rc;
    if (warn) {
        pu_report_warn(im->rep, pu_csv_name(r), "%s", warn);
        free(warn);
    }
    for (;;) {
        pu_err re;
        rc = pu_csv_next(r, &row, &re);
        if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
            if (pu_csv_fatal(r)) return pu_fail(err, rc, re.where, re.field, "%s", re.msg);
            im->rep->read++;
            pu_report_reject(im->rep, &re);
            continue;
        }
        if (rc) return pu_fail(err, rc, re.where, re.field, "%s", re.msg);
        if (!row) break;
        if (im->rep->read >= MONITOR_SUBJECTS_MAX)
            return pu_fail(err, PU_ERR_LIMIT, pu_csv_name(r), NULL, "more than %d subjects", MONITOR_SUBJECTS_MAX);
        if ((rc = import_row(im, r, row, idx, err))) return rc;
    }
    if (im->rep->read == 0)
        return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "no subjects: the file has a header but no records");
    return pu_report_check(im->rep, err);
}

/* The list to add to: the reader's visible one, else a new one. */
static int list_for_add(db_t *db, const store_scope *scope, const char *name, const monitor_add_opts *o,
                        mon_list *out, pu_err *err) {
    pu_err fe;
    int rc = mon_list_find(db, scope, name, out, &fe);
    if (rc == PU_ERR_NOTFOUND)
        return list_create(db, scope, name, o && o->marking ? o->marking : STORE_DEFAULT_MARKING, out, err);
    if (rc && err) *err = fe;
    return rc;
}

static int add_from(store_t *st, const store_scope *scope, const char *list, pu_csv *r, const monitor_add_opts *o,
                    pu_report *rep, pu_err *err) {
    db_t *db = store_db(st);
    import im = {.db = db, .rep = rep};
    if (pu_dupset_new(&im.dups)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = db_begin(db, err);
    if (!rc) rc = list_for_add(db, scope, list, o, &im.list, err);
    if (!rc) rc = import_csv(&im, r, err);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    pu_dupset_free(im.dups);
    return rc;
}

static const pu_csv_opts csv_opts = {.max_record = MONITOR_RECORD_MAX, .check_utf8 = 1};

int monitor_list_add(store_t *st, const store_scope *scope, const char *list, const char *path,
                     const monitor_add_opts *o, pu_report *rep, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    int rc = check_list_name(list, err);
    if (rc) return rc;
    pu_csv *r = NULL;
    if ((rc = pu_csv_open(path, &csv_opts, &r, err))) return rc;
    if (o && o->diag) rep->diag = o->diag;
    rc = add_from(st, scope, list, r, o, rep, err);
    pu_csv_close(r);
    return rc;
}

int monitor_list_add_mem(store_t *st, const store_scope *scope, const char *list, const char *name, const char *data,
                         size_t n, const monitor_add_opts *o, pu_report *rep, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    int rc = check_list_name(list, err);
    if (rc) return rc;
    pu_csv *r = NULL;
    if ((rc = pu_csv_open_mem(data, n, &csv_opts, &r, err))) return rc;
    if (name) pu_csv_set_name(r, name);
    rc = add_from(st, scope, list, r, o, rep, err);
    pu_csv_close(r);
    return rc;
}

/* ---- listing ---------------------------------------------------------------- */

int monitor_lists(store_t *st, const store_scope *scope, monitor_list_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    db_sql q;
    db_sql_init(&q);
    /* alerts are counted under the reader's scope too: a hidden alert is
     * never counted */
    db_sql_add(&q, "SELECT l.id, l.name, l.owner, l.marking, l.created, l.last_run,"
                   " (SELECT count(*) FROM monitor_subject s WHERE s.list_id = l.id),"
                   " (SELECT count(*) FROM monitor_alert a WHERE a.list_id = l.id AND a.status <> 'closed' AND ");
    store_scope_sql(&q, scope, "a");
    db_sql_add(&q, ") FROM monitor_list l WHERE ");
    store_scope_sql(&q, scope, "l");
    db_sql_add(&q, " ORDER BY l.name, l.id");
    db_stmt *s = NULL;
    int rc = db_sql_prepare(store_db(st), &q, &s, err);
    db_sql_free(&q);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        monitor_list_row row = {db_col_int64(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3),
                                db_col_text(s, 4), db_col_text(s, 5), db_col_int64(s, 6), db_col_int64(s, 7)};
        if (cb(&row, ctx)) break;
    }
    db_finalize(s);
    return rc;
}
