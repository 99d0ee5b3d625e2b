/* case_db.c - the module's tables, its one visibility rule (marking or
 * share, and membership) and small shared helpers. docs/cases.md. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/case_int.h"

static const char *const MIGRATIONS[] = {
    "CREATE TABLE case_file (id {ID}, title TEXT NOT NULL, summary TEXT NOT NULL, status TEXT NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, opened TEXT NOT NULL, closed TEXT, created {TS} NOT NULL,"
    " updated {TS} NOT NULL);"
    "CREATE TABLE case_agency (case_id {INT} NOT NULL REFERENCES case_file(id), agency TEXT NOT NULL,"
    " country TEXT NOT NULL, PRIMARY KEY (case_id, agency));"
    "CREATE TABLE case_member (case_id {INT} NOT NULL REFERENCES case_file(id), kind TEXT NOT NULL,"
    " principal TEXT NOT NULL, rights TEXT NOT NULL, added_by TEXT NOT NULL, created {TS} NOT NULL,"
    " PRIMARY KEY (case_id, kind, principal));"
    "CREATE INDEX case_member_principal ON case_member (principal);"
    "CREATE TABLE case_share (id {ID}, kind TEXT NOT NULL, record {INT} NOT NULL, agency TEXT NOT NULL,"
    " reason TEXT NOT NULL, granted_by TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE INDEX case_share_record ON case_share (kind, record, agency);"
    "CREATE TABLE case_offence (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), offence TEXT NOT NULL);"
    "CREATE TABLE case_subject (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), entity_id TEXT,"
    " name TEXT NOT NULL, role TEXT NOT NULL);"
    "CREATE TABLE case_event (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), day TEXT NOT NULL,"
    " kind TEXT NOT NULL, text TEXT NOT NULL, actor TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE INDEX case_event_case ON case_event (case_id, day);"
    "CREATE TABLE case_task (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), title TEXT NOT NULL,"
    " due TEXT, assignee TEXT, done {BOOL} NOT NULL, created {TS} NOT NULL);"
    "CREATE TABLE case_note (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), text TEXT NOT NULL,"
    " author TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE TABLE case_link (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), kind TEXT NOT NULL,"
    " target TEXT NOT NULL, note TEXT NOT NULL, added_by TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE INDEX case_link_case ON case_link (case_id);"
    "CREATE TABLE case_charge (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), subject {INT},"
    " statute TEXT NOT NULL, country TEXT NOT NULL, count {INT} NOT NULL, severity TEXT NOT NULL,"
    " filed TEXT NOT NULL, description TEXT NOT NULL, disposition TEXT NOT NULL);"
    "CREATE TABLE case_warrant (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), owner TEXT NOT NULL,"
    " marking TEXT NOT NULL, court TEXT NOT NULL, judge TEXT NOT NULL, issued TEXT NOT NULL,"
    " jurisdiction TEXT NOT NULL, charges TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,"
    " status_day TEXT, recall_reason TEXT, expires TEXT);"
    "CREATE TABLE case_attempt (id {ID}, warrant_id {INT} NOT NULL REFERENCES case_warrant(id), day TEXT NOT NULL,"
    " place TEXT NOT NULL, outcome TEXT NOT NULL, actor TEXT NOT NULL);"
    "CREATE TABLE case_arrest (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), owner TEXT NOT NULL,"
    " marking TEXT NOT NULL, day TEXT NOT NULL, place TEXT NOT NULL, country TEXT NOT NULL, agency TEXT NOT NULL,"
    " officers TEXT NOT NULL, warrant_id {INT}, charges TEXT NOT NULL, custody TEXT NOT NULL, released TEXT,"
    " person TEXT NOT NULL);"
    "CREATE TABLE case_notice (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), warrant_id {INT},"
    " name TEXT NOT NULL, forename TEXT NOT NULL, dob TEXT, place_of_birth TEXT NOT NULL,"
    " nationalities TEXT NOT NULL, sex TEXT NOT NULL, charge TEXT NOT NULL, charge_translation TEXT NOT NULL,"
    " status TEXT NOT NULL, cancel_reason TEXT);"
    "CREATE TABLE case_extradition (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id),"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, direction TEXT NOT NULL, person TEXT NOT NULL,"
    " treaty TEXT NOT NULL, notes TEXT NOT NULL, assurances TEXT NOT NULL, stage TEXT NOT NULL,"
    " stage_since TEXT NOT NULL, decision TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE TABLE case_stage_history (id {ID}, extradition_id {INT} NOT NULL REFERENCES case_extradition(id),"
    " stage TEXT NOT NULL, entered TEXT NOT NULL, left_day TEXT, actor TEXT NOT NULL, note TEXT NOT NULL);"
    "CREATE INDEX case_stage_history_x ON case_stage_history (extradition_id);"
    "CREATE TABLE case_document (id {ID}, case_id {INT} NOT NULL REFERENCES case_file(id), name TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, size {INT} NOT NULL, certified {BOOL} NOT NULL, translated {BOOL} NOT NULL,"
    " sensitive {BOOL} NOT NULL, content TEXT NOT NULL, added_by TEXT NOT NULL, created {TS} NOT NULL);",
    /* 2: amparo suspensions of a request's clocks; the media type of documents (API uploads) */
    "CREATE TABLE case_suspension (id {ID}, extradition_id {INT} NOT NULL REFERENCES case_extradition(id),"
    " kind TEXT NOT NULL, court TEXT NOT NULL, reference TEXT NOT NULL, started TEXT NOT NULL, ended TEXT,"
    " note TEXT NOT NULL, actor TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE INDEX case_suspension_x ON case_suspension (extradition_id);"
    "ALTER TABLE case_document ADD COLUMN content_type TEXT NOT NULL DEFAULT 'application/octet-stream';",
};

int case_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "cases", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

/* A share of record (kind, alias.id) to the reader's agency. */
static void shared_sql(db_sql *q, const case_reader *rd, const char *kind, const char *alias) {
    db_sql_addf(q, "EXISTS (SELECT 1 FROM case_share s WHERE s.kind = '%s' AND s.record = %s.id AND s.agency = ?)",
                kind, alias);
    db_sql_text(q, rd->scope && rd->scope->agency ? rd->scope->agency : "");
}

void case_record_sql(db_sql *q, const case_reader *rd, const char *kind, const char *alias) {
    db_sql_add(q, "(");
    store_scope_sql(q, rd->scope, alias);
    if (rd->scope && !rd->scope->system) {
        db_sql_add(q, " OR ");
        shared_sql(q, rd, kind, alias);
    }
    db_sql_add(q, ")");
}

void case_visible_sql(db_sql *q, const case_reader *rd, const char *alias) {
    case_record_sql(q, rd, "case", alias);
    if (!rd->scope || rd->scope->system) return;
    db_sql_addf(q, " AND EXISTS (SELECT 1 FROM case_member m WHERE m.case_id = %s.id AND"
                   " ((m.kind = 'agency' AND m.principal = ?) OR (m.kind = 'user' AND m.principal = ?)))", alias);
    db_sql_text(q, rd->scope->agency ? rd->scope->agency : "");
    db_sql_text(q, rd->user ? rd->user : "");
}

/* The reader's right on a visible case: "write" when a write member. */
static int has_write(db_t *db, const case_reader *rd, int64_t id, pu_err *err) {
    if (rd->scope->system) return 1;
    db_stmt *st;
    if (db_prepare(db, "SELECT 1 FROM case_member WHERE case_id = ? AND rights = 'write' AND"
                       " ((kind = 'agency' AND principal = ?) OR (kind = 'user' AND principal = ?))", &st, err))
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, rd->scope->agency ? rd->scope->agency : "", -1);
    db_bind_text(st, 3, rd->user ? rd->user : "", -1);
    int rc = db_step(st, err);
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int case_access(db_t *db, const case_reader *rd, int64_t id, int write, char owner[32], char marking[16],
                pu_err *err) {
    if (!rd || !rd->scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "a reader must be named");
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT owner, marking FROM case_file c WHERE c.id = ? AND ");
    db_sql_int64(&q, id);
    case_visible_sql(&q, rd, "c");
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        if (owner) pu_strlcpy(owner, db_col_text(st, 0), 32);
        if (marking) pu_strlcpy(marking, db_col_text(st, 1), 16);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        char w[32];
        (void)pu_snprintf(w, sizeof w, "case %lld", (long long)id);
        rc = pu_fail(err, PU_ERR_NOTFOUND, w, "case", "no such case");
    }
    db_finalize(st);
    if (rc || !write) return rc;
    int w = has_write(db, rd, id, err);
    if (w < 0) return PU_ERR_DB;
    return w ? PU_OK : pu_fail(err, PU_ERR_DENIED, NULL, "case", "read-only member of case %lld", (long long)id);
}

int case_parent_access(db_t *db, const case_reader *rd, const char *table, int64_t rec, int write, int64_t *case_id,
                       pu_err *err) {
    char sql[128];
    db_stmt *st;
    (void)pu_snprintf(sql, sizeof sql, "SELECT case_id FROM %s WHERE id = ?", table);
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, rec);
    rc = db_step(st, err);
    int64_t cid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, table, "no such record %lld", (long long)rec);
    if (rc != DB_ROW) return rc;
    *case_id = cid;
    rc = case_access(db, rd, cid, write, NULL, NULL, err);
    /* a hidden parent hides the record too: the same answer as an absent one */
    if (rc == PU_ERR_NOTFOUND) return pu_fail(err, PU_ERR_NOTFOUND, NULL, table, "no such record %lld", (long long)rec);
    return rc;
}

int case_timeline(db_t *db, int64_t id, const char *day, const char *kind, const char *text, const char *actor,
                  pu_err *err) {
    char now[32], today[11];
    db_stmt *st;
    pu_now_iso(now, sizeof now);
    pu_strlcpy(today, now, sizeof today);
    int rc = db_prepare(db, "INSERT INTO case_event (case_id, day, kind, text, actor, created) VALUES (?, ?, ?, ?, ?, ?)",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, day && *day ? day : today, -1);
    db_bind_text(st, 3, kind, -1);
    db_bind_text(st, 4, text, -1);
    db_bind_text(st, 5, actor, -1);
    db_bind_text(st, 6, now, -1);
    return case_exec(st, err);
}

const char *case_actor(const case_reader *rd) {
    if (rd->user && *rd->user) return rd->user;
    if (rd->scope && rd->scope->agency && *rd->scope->agency) return rd->scope->agency;
    return "operator";
}

int case_audit(db_t *db, const case_reader *rd, const char *action, const char *targets, const char *detail,
               pu_err *err) {
    audit_event ev = {.component = "cases", .user = case_actor(rd),
                      .agency = rd->scope && rd->scope->agency ? rd->scope->agency : "",
                      .action = action, .targets = targets, .outcome = "success", .detail = detail, .source = "engine"};
    return audit_append(db, &ev, err);
}

int case_day(const char *given, const char *field, char out[11], pu_err *err) {
    int64_t d;
    if (!given || !*given) {
        char now[32];
        pu_now_iso(now, sizeof now);
        pu_strlcpy(out, now, 11);
        return PU_OK;
    }
    if (strlen(given) != 10 || pu_parse_date(given, &d) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected a date YYYY-MM-DD, got '%s'", given);
    pu_strlcpy(out, given, 11);
    return PU_OK;
}

int case_exec(db_stmt *st, pu_err *err) {
    int rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int case_rows_json(db_stmt *st, const char *const *cols, json_t **out, pu_err *err) {
    json_t *a = json_array();
    int rc;
    while (a && (rc = db_step(st, err)) == DB_ROW) {
        json_t *o = json_object();
        for (int i = 0; o && cols[i]; i++) {
            size_t n = strlen(cols[i]);
            char key[64];
            pu_strlcpy(key, cols[i], sizeof key);
            int num = n > 2 && !strcmp(cols[i] + n - 2, "_n"), bl = n > 2 && !strcmp(cols[i] + n - 2, "_b");
            if (num || bl) key[n - 2] = '\0';
            json_t *v = db_col_isnull(st, i) ? json_null()
                        : num ? json_integer(db_col_int64(st, i))
                        : bl  ? json_boolean(db_col_int64(st, i) != 0)
                              : json_string(db_col_text(st, i));
            json_object_set_new(o, key, v);
        }
        json_array_append_new(a, o);
    }
    db_finalize(st);
    if (!a) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (rc != DB_DONE) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PU_OK;
}

int case_begin(db_t *db, int *own, pu_err *err) {
    *own = !db_in_tx(db);
    return *own ? db_begin(db, err) : PU_OK;
}

int case_end(db_t *db, int own, int rc, pu_err *err) {
    if (!rc) rc = store_generation_bump(db, CASES_GENERATION, err);   /* caches of cases (the graph) */
    if (!own) return rc;
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}
