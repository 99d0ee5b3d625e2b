/* trace_db.c - schema, engine handle and small shared helpers. */
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"
#include "common/pu_parse.h"

static const char *const STEPS[] = {
    /* v1: records, requests, reports */
    "CREATE TABLE trace_firearm ("
    " id {ID}, mfr TEXT NOT NULL, mfr_raw TEXT NOT NULL, mfr_known {BOOL} NOT NULL,"
    " serial TEXT NOT NULL, serial_norm TEXT NOT NULL, importer TEXT, model TEXT, type TEXT,"
    " calibre TEXT, action TEXT, detachable_mag {BOOL} NOT NULL DEFAULT 0, country TEXT, markings TEXT,"
    " mfg_date TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL, UNIQUE (mfr, serial_norm));"
    "CREATE TABLE trace_event ("
    " id {ID}, firearm_id {INT} NOT NULL REFERENCES trace_firearm(id),"
    " kind TEXT NOT NULL, date TEXT NOT NULL, party TEXT, party_key TEXT, dob TEXT, ffl TEXT, state TEXT,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE INDEX trace_event_firearm ON trace_event (firearm_id, date);"
    "CREATE TABLE trace_request ("
    " id {ID}, number TEXT NOT NULL UNIQUE, request_date TEXT NOT NULL,"
    " priority TEXT NOT NULL, agency TEXT NOT NULL, requester TEXT, case_number TEXT, crime_code TEXT NOT NULL,"
    " serial TEXT, serial_norm TEXT, serial_wild {BOOL} NOT NULL DEFAULT 0, obliterated {BOOL} NOT NULL DEFAULT 0,"
    " mfr TEXT, mfr_raw TEXT, mfr_known {BOOL} NOT NULL DEFAULT 0, importer TEXT, type TEXT, calibre TEXT,"
    " model TEXT, country TEXT, markings TEXT, possessor TEXT, possessor_alias TEXT, possessor_dob TEXT,"
    " possessor_address TEXT, recovery_date TEXT NOT NULL, recovery_state TEXT NOT NULL, recovery_place TEXT,"
    " status TEXT NOT NULL, reason TEXT, firearm_id {INT}, purchaser TEXT, purchaser_key TEXT,"
    " purchase_date TEXT, purchase_state TEXT, dealer TEXT, dealer_ffl TEXT, ttc_days {INT},"
    " possessor_differs {BOOL}, us_sourced {BOOL}, result_mfr TEXT, result_type TEXT, result_calibre TEXT,"
    " notes TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE INDEX trace_request_status ON trace_request (status);"
    "CREATE TABLE trace_candidate ("
    " request_id {INT} NOT NULL REFERENCES trace_request(id), rank {INT} NOT NULL,"
    " firearm_id {INT} NOT NULL, score {REAL} NOT NULL, PRIMARY KEY (request_id, rank));"
    "CREATE TABLE trace_msr ("
    " id {ID}, kind TEXT NOT NULL, purchaser_key TEXT NOT NULL, purchaser TEXT,"
    " ffl TEXT, state TEXT, first_date TEXT NOT NULL, last_date TEXT NOT NULL, count {INT} NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE INDEX trace_msr_purchaser ON trace_msr (purchaser_key);"
    "CREATE TABLE trace_msr_item (msr_id {INT} NOT NULL REFERENCES trace_msr(id), event_id {INT} NOT NULL);"
    "CREATE TABLE trace_reject ("
    " id {ID}, source TEXT NOT NULL, line {INT} NOT NULL, field TEXT, message TEXT NOT NULL,"
    " raw TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE TABLE trace_gen_truth (party_key TEXT PRIMARY KEY, ring {INT} NOT NULL);"
    "CREATE TABLE trace_counter (year {INT} PRIMARY KEY, next {INT} NOT NULL);",
    /* v2: purchase volume of buyers with 3 or more first retail purchases,
     * derived with the multiple-sale reports (volume buyers vs straw buyers) */
    "CREATE TABLE trace_purchaser (party_key TEXT PRIMARY KEY, purchases {INT} NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL);",
    /* v3: visibility of derived data. A request names the events its result
     * came from (first retail sale, selling dealer), so the result is shown
     * only to readers who may see them; buyer volume is kept per (owner,
     * marking) of the sales, so leads sum only what the reader may see. */
    "ALTER TABLE trace_request ADD COLUMN retail_event_id INTEGER;"
    "ALTER TABLE trace_request ADD COLUMN dealer_event_id INTEGER;"
    "UPDATE trace_request SET retail_event_id = (SELECT e.id FROM trace_event e"
    " WHERE e.firearm_id = trace_request.firearm_id AND e.kind = 'RETAIL' ORDER BY e.date, e.id LIMIT 1)"
    " WHERE firearm_id IS NOT NULL AND purchase_date IS NOT NULL;"
    "UPDATE trace_request SET dealer_event_id = (SELECT d.id FROM trace_event d JOIN trace_event r"
    " ON r.id = trace_request.retail_event_id WHERE d.firearm_id = r.firearm_id AND d.kind = 'DEALER'"
    " AND (d.date < r.date OR (d.date = r.date AND d.id < r.id)) ORDER BY d.date DESC, d.id DESC LIMIT 1)"
    " WHERE retail_event_id IS NOT NULL;"
    "DROP TABLE trace_purchaser;"
    "CREATE TABLE trace_purchaser (party_key TEXT NOT NULL, owner TEXT NOT NULL, marking TEXT NOT NULL,"
    " purchases INTEGER NOT NULL, PRIMARY KEY (party_key, owner, marking));" TRACE_PURCHASER_FILL ";"
    /* reports derived before v3 carry their first sale's marking, which may
     * be laxer than another sale's: dropped, `trace msr` derives them again */
    "DELETE FROM trace_msr_item; DELETE FROM trace_msr;",
    /* v4: idempotent imports (issue 16): a request imported from recoveries
     * keeps its natural key (owner + the row as given), so a re-import finds it */
    "ALTER TABLE trace_request ADD COLUMN import_key TEXT;"
    "CREATE INDEX trace_request_import_key ON trace_request (import_key);",
    /* v5: persons' names sealed, buyers joined on a keyed blind index
     * (trace_party_key); which key made the indexes (trace_blind_check) */
    "CREATE TABLE trace_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
};
#define NSTEPS ((int)(sizeof STEPS / sizeof STEPS[0]))

int trace_migrate(db_t *db, pu_err *err) { return db_migrate(db, "trace", STEPS, NSTEPS, err); }

int trace_open(db_t *db, const char *today, trace_t **out, pu_err *err) {
    *out = NULL;
    int64_t day;
    if (today) {
        if (pu_date_parse_days(today, NULL, "today", &day, err)) return PU_ERR_INVALID;
    } else {
        char now[32];
        pu_now_iso(now, sizeof now);
        now[10] = 0;
        pu_parse_date(now, &day);
    }
    /* migrations are run once by whoever opens the store (trace_migrate),
     * not on every open: here one read checks they were */
    int version = 0;
    int rc = db_schema_version(db, "trace", &version, err);
    if (rc) return rc;
    if (version != NSTEPS)
        return pu_fail(err, version > NSTEPS ? PU_ERR_CONFLICT : PU_ERR_DB, NULL, "trace",
                       "trace schema is at version %d, this binary needs %d%s", version, NSTEPS,
                       version > NSTEPS ? pu_tr(" (store newer than binary)") : pu_tr(": run trace_migrate first"));
    /* names are sealed and buyers indexed under the configured key: a store
     * written under another (or none) must be re-indexed first, or joins
     * between old and new rows would silently miss */
    if ((rc = trace_blind_check(db, err))) return rc;
    trace_t *t = calloc(1, sizeof *t);
    if (!t) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    t->db = db;
    t->today = day;
    *out = t;
    return PU_OK;
}

void trace_close(trace_t *t) { free(t); }
db_t *trace_db(trace_t *t) { return t->db; }
int64_t trace_today(const trace_t *t) { return t->today; }

int trace_kind_rank(const char *kind) {
    static const char *const k[] = {"MANUFACTURE", "IMPORT", "DISTRIBUTOR", "DEALER", "RETAIL", "TRANSFER"};
    for (int i = 0; i < 6; i++)
        if (pu_strieq(kind, k[i])) return i;
    return -1;
}

static int query_rows(db_stmt *st, trace_row_cb cb, void *ctx, pu_err *err);

int trace_query(db_t *db, const char *sql, trace_row_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    return query_rows(st, cb, ctx, err);
}

int trace_query_sql(db_t *db, const db_sql *q, trace_row_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = db_sql_prepare(db, q, &st, err);
    if (rc) return rc;
    return query_rows(st, cb, ctx, err);
}

int trace_query_sql_large(db_t *db, const db_sql *q, trace_row_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = db_sql_prepare(db, q, &st, err);
    if (rc) return rc;
    (void)db_large_read(st);
    return query_rows(st, cb, ctx, err);
}

int trace_result_visible_sql(db_sql *q, const store_scope *scope, const char *r) {
    db_sql_addf(q, "(%s.firearm_id IS NOT NULL AND EXISTS (SELECT 1 FROM trace_firearm rv_f"
                   " WHERE rv_f.id = %s.firearm_id AND ", r, r);
    store_scope_sql(q, scope, "rv_f");
    db_sql_addf(q, ") AND (%s.retail_event_id IS NULL OR EXISTS (SELECT 1 FROM trace_event rv_e"
                   " WHERE rv_e.id = %s.retail_event_id AND ", r, r);
    store_scope_sql(q, scope, "rv_e");
    return db_sql_add(q, ")))");
}

int trace_dealer_visible_sql(db_sql *q, const store_scope *scope, const char *r) {
    db_sql_addf(q, "(%s.dealer_event_id IS NOT NULL AND EXISTS (SELECT 1 FROM trace_event dv_e"
                   " WHERE dv_e.id = %s.dealer_event_id AND ", r, r);
    store_scope_sql(q, scope, "dv_e");
    return db_sql_add(q, "))");
}

static int query_rows(db_stmt *st, trace_row_cb cb, void *ctx, pu_err *err) {
    int rc;
    for (;;) {
        rc = db_step(st, err);
        if (rc == DB_DONE) {
            rc = PU_OK;
            break;
        }
        if (rc != DB_ROW) break;
        rc = cb(st, ctx);
        if (rc) break;
    }
    db_finalize(st);
    return rc;
}

int trace_reject_keep(trace_t *t, const char *source, uint64_t line, const pu_err *why, const char *raw,
                      pu_err *err) {
    db_stmt *st;
    char now[32];
    pu_now_iso(now, sizeof now);
    int rc = db_prepare(t->db, "INSERT INTO trace_reject(source, line, field, message, raw, created) "
                               "VALUES (?, ?, ?, ?, ?, ?)", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, source, -1);
    db_bind_int64(st, 2, (int64_t)line);
    db_bind_text(st, 3, why->field, -1);
    db_bind_text(st, 4, why->msg, -1);
    db_bind_text(st, 5, raw ? raw : "", -1);
    db_bind_text(st, 6, now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int trace_next_number(trace_t *t, char *out, size_t size, pu_err *err) {
    char day[16];
    pu_format_date(t->today, day, sizeof day);
    int year = atoi(day);
    db_stmt *st;
    int rc = db_prepare(t->db, "INSERT INTO trace_counter(year, next) VALUES (?, 2) "
                               "ON CONFLICT (year) DO UPDATE SET next = trace_counter.next + 1", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, year);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    int64_t next = 0;
    char y[8];
    snprintf(y, sizeof y, "%d", year);
    rc = db_query_int64(t->db, "SELECT next - 1 FROM trace_counter WHERE year = CAST(? AS INTEGER)", y, &next, err);
    if (rc) return rc;
    return trace_number_format(year, next, out, size);
}

int trace_number_format(int year, int64_t n, char *out, size_t size) {
    return pu_snprintf(out, size, "T%d-%06lld", year, (long long)n);
}

/* The counter keeps next = last issued + 1 (trace_next_number). */
int trace_number_block(trace_t *t, int *year, int64_t *last, pu_err *err) {
    char day[16];
    pu_format_date(t->today, day, sizeof day);
    *year = atoi(day);
    db_stmt *st;
    /* an update of the row even when it exists: it stays locked (PostgreSQL)
     * until the transaction ends, so no other writer issues the same numbers */
    int rc = db_prepare(t->db, "INSERT INTO trace_counter(year, next) VALUES (?, 1) "
                               "ON CONFLICT (year) DO UPDATE SET next = trace_counter.next", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, *year);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    char y[8];
    snprintf(y, sizeof y, "%d", *year);
    int64_t next = 1;
    rc = db_query_int64(t->db, "SELECT next FROM trace_counter WHERE year = CAST(? AS INTEGER)", y, &next, err);
    *last = next - 1;
    return rc;
}

int trace_number_block_end(trace_t *t, int year, int64_t last, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(t->db, "UPDATE trace_counter SET next = ? WHERE year = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, last + 1);
    db_bind_int64(st, 2, year);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int trace_party_key(const char *name, const char *dob, char *out, size_t size, pu_err *err) {
    char n[TRACE_NAME_MAX], plain[TRACE_KEY_MAX];
    trace_name_norm(name ? name : "", n, sizeof n);
    snprintf(plain, sizeof plain, "%s|%s", n, dob ? dob : "");
    return store_blind_index("trace.party_key", plain, out, size, err);
}

int trace_person_seal(const char *plain, char **out, pu_err *err) {
    return store_seal(TRACE_PERSON_CTX, plain, out, err);
}

const char *trace_person_open(const char *stored, char *buf, size_t size) {
    if (!store_is_sealed(stored)) {
        pu_strlcpy(buf, stored ? stored : "", size);
        return buf;
    }
    if (store_unseal_buf(TRACE_PERSON_CTX, stored, buf, size, NULL) != PU_OK) pu_strlcpy(buf, "[sealed]", size);
    return buf;
}

/* The key the trace tables' blind indexes were made with is kept in
 * trace_meta ('blind_key': a key id, or '' for the plain text). */
int trace_blind_check(db_t *db, pu_err *err) {
    char want[17], have[32] = "";
    store_blind_key_id(want);
    db_stmt *st;
    int rc = db_prepare(db, "SELECT value FROM trace_meta WHERE key = 'blind_key'", &st, err);
    if (rc) return rc;
    int step = db_step(st, err);
    int found = step == DB_ROW;
    if (found) pu_strlcpy(have, db_col_text(st, 0), sizeof have);
    db_finalize(st);
    if (step != DB_ROW && step != DB_DONE) return step;
    if (!found) {
        /* first use: an empty store takes the configured key; rows written
         * before this check existed were indexed with none */
        int64_t rows = 0;
        rc = db_query_int64(db, "SELECT (SELECT COUNT(*) FROM trace_event) + (SELECT COUNT(*) FROM trace_request)",
                            NULL, &rows, err);
        if (rc) return rc;
        if (rows) have[0] = '\0';
        else pu_strlcpy(have, want, sizeof have);
        /* recorded when the store can be written (a read-only store is
         * judged the same way each time) */
        if (db_prepare(db, "INSERT INTO trace_meta(key, value) VALUES ('blind_key', ?)"
                           " ON CONFLICT (key) DO NOTHING", &st, NULL) == PU_OK) {
            db_bind_text(st, 1, have, -1);
            (void)db_step_done(st, NULL);
            db_finalize(st);
        }
    }
    if (strcmp(have, want) == 0) return PU_OK;
    return pu_fail(err, PU_ERR_CONFLICT, NULL, "seal-key",
                   "the trace records were indexed under sealing key '%s' and the configured first key is '%s' "
                   "('' = none): run `puente trace seal` once to re-seal and re-index them",
                   have, want);
}

uint64_t trace_rng(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double trace_rng_unit(uint64_t *s) { return (double)(trace_rng(s) >> 11) * (1.0 / 9007199254740992.0); }
