/* Unit tests for src/db (backend selection, SQLite backend, migrations and
 * their type tokens, transactions, db_step_done / db_insert_id, maintenance, db_scratch_empty). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_int.h" /* db_where_of */
#include "../test_store_uri.h"

static const char *const steps[] = {
    "CREATE TABLE t (id {ID}, name TEXT NOT NULL UNIQUE)",
    "ALTER TABLE t ADD COLUMN score REAL",
};

static void test_migrate_and_crud(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 1, &e), PU_OK);
    int v;
    assert_int_equal(db_schema_version(db, "demo", &v, &e), PU_OK);
    assert_int_equal(v, 1);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_schema_version(db, "demo", &v, &e), PU_OK);
    assert_int_equal(v, 2);
    /* a binary that knows fewer steps refuses a newer store */
    assert_int_equal(db_migrate(db, "demo", steps, 1, &e), PU_ERR_CONFLICT);

    db_stmt *st;
    assert_int_equal(db_prepare(db, "INSERT INTO t(name, score) VALUES (?, ?)", &st, &e), PU_OK);
    db_bind_text(st, 1, "Treviño", -1);
    db_bind_double(st, 2, 0.5);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_reset(st);
    db_bind_text(st, 1, "Treviño", -1);
    assert_int_equal(db_step(st, &e), PU_ERR_CONFLICT);
    db_finalize(st);

    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM t WHERE name = ?", "Treviño", &n, &e), PU_OK);
    assert_int_equal(n, 1);
    db_close(db);
    db_close(NULL);
}

static void test_rollback(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_begin(db, &e), PU_ERR_INTERNAL);
    assert_int_equal(db_exec(db, "INSERT INTO t(name) VALUES ('x')", &e), PU_OK);
    db_rollback(db);
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM t", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(db_exec(db, "SELECT nonsense FROM", &e), PU_ERR_DB);
    assert_true(strlen(e.msg) > 0);
    db_close(db);
}

/* The statement cache: reuse after finalize, never shared while in use,
 * bindings and cursor reset, schema changes picked up, eviction bounded. */
static void test_stmt_cache(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "demo", steps, 2, &e), PU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t(name) VALUES ('a'),('b'),('c')", &e), PU_OK);
    const char *q = "SELECT count(*) FROM t WHERE name = ? OR ? IS NULL";
    db_stmt *a, *b, *c;
    assert_int_equal(db_prepare(db, q, &a, &e), PU_OK);
    assert_int_equal(db_prepare(db, q, &b, &e), PU_OK);
    assert_ptr_not_equal(a, b); /* in use: not shared */
    db_bind_text(a, 1, "a", -1);
    db_bind_text(a, 2, "x", -1);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int64(a, 0), 1);
    db_finalize(a); /* back to the cache mid-result */
    assert_int_equal(db_prepare(db, q, &c, &e), PU_OK);
    assert_ptr_equal(c, a); /* reused */
    /* bindings were cleared: both NULL -> counts every row */
    assert_int_equal(db_step(c, &e), DB_ROW);
    assert_int_equal(db_col_int64(c, 0), 3);
    db_finalize(c);
    db_finalize(b);
    /* a cached statement does not block a schema change, and sees the new schema */
    db_stmt *s;
    assert_int_equal(db_prepare(db, "SELECT * FROM t", &s, &e), PU_OK);
    assert_int_equal(db_col_count(s), 3);
    db_finalize(s);
    assert_int_equal(db_exec(db, "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", &e), PU_OK);
    assert_int_equal(db_prepare(db, "SELECT * FROM t", &s, &e), PU_OK);
    assert_int_equal(db_step(s, &e), DB_DONE);
    assert_int_equal(db_col_count(s), 2);
    db_finalize(s);
    /* many distinct texts: the cache evicts, results stay right */
    for (int i = 0; i < 200; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + ?", i % 100);
        assert_int_equal(db_prepare(db, sql, &s, &e), PU_OK);
        db_bind_int64(s, 1, 1000);
        assert_int_equal(db_step(s, &e), DB_ROW);
        assert_int_equal(db_col_int64(s, 0), 1000 + i % 100);
        db_finalize(s);
    }
    /* a failed prepare is still an error */
    assert_int_equal(db_prepare(db, "SELECT nonsense FROM", &s, &e), PU_ERR_DB);
    assert_null(s);
    db_close(db); /* frees the cache (ASan checks for leaks) */
}

/* db_open picks the backend by the path: a PostgreSQL URI goes to libpq
 * (here a port where nothing listens: a connection failure, PU_ERR_DB). */
static void test_backend_selection(void **state) {
    (void)state;
    static const char *const pg[] = {"postgresql://puente:s3cret@127.0.0.1:1/puente?connect_timeout=2",
                                     "postgres://puente:s3cret@127.0.0.1:1/p", "PostgreSQL://u:s3cret@127.0.0.1:1/db"};
    for (size_t i = 0; i < sizeof pg / sizeof pg[0]; i++) {
        db_t *db = (db_t *)&db; /* any non-NULL value: db_open must set it to NULL */
        pu_err e;
        pu_err_clear(&e);
        assert_int_equal(db_open(pg[i], NULL, &db, &e), PU_ERR_DB);
        assert_null(db);
        assert_int_equal(e.code, PU_ERR_DB);
        assert_non_null(strstr(e.msg, "cannot connect to store"));
        assert_null(strstr(e.msg, "s3cret")); /* a URI's password never reaches a message */
        assert_null(strstr(e.where, "s3cret"));
        assert_non_null(strstr(e.where, "127.0.0.1:1"));
    }
    { /* a malformed URI: refused without quoting it (libpq's message would) */
        db_t *db;
        pu_err e;
        assert_int_equal(db_open("postgresql://u:s3cret@h/db?nosuchoption=1", NULL, &db, &e), PU_ERR_INVALID);
        assert_null(strstr(e.msg, "s3cret"));
    }
    /* anything else is SQLite: ":memory:", a file, a name that merely mentions postgres */
    char path[128];
    snprintf(path, sizeof path, "%s/puente-db-sel-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    const char *const lite[] = {":memory:", path};
    for (size_t i = 0; i < 2; i++) {
        db_t *db;
        pu_err e;
        assert_int_equal(db_open(lite[i], NULL, &db, &e), PU_OK);
        assert_string_equal(db_backend(db), "sqlite");
        assert_string_equal(db_path(db), lite[i]);
        db_close(db);
    }
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0); /* the file store was created */
    unlink(path);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    db_t *db;
    pu_err e;
    assert_int_equal(db_open("", NULL, &db, &e), PU_ERR_INVALID);
    assert_null(db);
    /* what db_path (and so every message) shows of a URI: no user, password or query */
    static const char *const where[][2] = {
        {"postgresql://puente:s3cret@db.example:5432/puente?sslmode=require&password=x",
         "postgresql://db.example:5432/puente"},
        {"postgres://a@b@h/db#frag", "postgres://h/db"},
        {"postgresql://h", "postgresql://h"},
        {"/var/lib/puente/p@x.db", "/var/lib/puente/p@x.db"},
        {":memory:", ":memory:"},
    };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *w = db_where_of(where[i][0]);
        assert_non_null(w);
        assert_string_equal(w, where[i][1]);
        free(w);
    }
}

/* db_step_done: PU_OK when done, keeps the step's code otherwise. */
static void test_step_done_keeps_codes(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_exec(db, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                 "CREATE TABLE u (name TEXT NOT NULL UNIQUE, p INTEGER REFERENCES p(id))", &e), PU_OK);
    db_stmt *st;
    assert_int_equal(db_prepare(db, "INSERT INTO u(name) VALUES (?)", &st, &e), PU_OK);
    db_bind_text(st, 1, "Treviño", -1);
    assert_int_equal(db_step_done(st, &e), PU_OK);
    db_reset(st);
    db_bind_text(st, 1, "Treviño", -1);
    pu_err_clear(&e);
    assert_int_equal(db_step_done(st, &e), PU_ERR_CONFLICT); /* UNIQUE: not PU_ERR_DB */
    assert_int_equal(e.code, PU_ERR_CONFLICT);
    assert_non_null(strcasestr(e.msg, "UNIQUE"));
    db_reset(st);
    db_bind_null(st, 1); /* NOT NULL is a constraint too */
    assert_int_equal(db_step_done(st, &e), PU_ERR_CONFLICT);
    db_finalize(st);
    /* a foreign key (foreign_keys=ON) */
    assert_int_equal(db_prepare(db, "INSERT INTO u(name, p) VALUES ('x', 42)", &st, &e), PU_OK);
    assert_int_equal(db_step_done(st, &e), PU_ERR_CONFLICT);
    db_finalize(st);
    /* a statement that returns a row is a bug of the caller */
    assert_int_equal(db_prepare(db, "SELECT count(*) FROM u", &st, &e), PU_OK);
    pu_err_clear(&e);
    assert_int_equal(db_step_done(st, &e), PU_ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "SELECT count(*) FROM u"));
    db_finalize(st);
    /* a failure that is not a constraint stays PU_ERR_DB (an integer overflow at run time) */
    assert_int_equal(db_prepare(db, "UPDATE u SET p = abs(-9223372036854775807 - 1)", &st, &e), PU_OK);
    assert_int_equal(db_step_done(st, &e), PU_ERR_DB);
    db_finalize(st);
    /* db_exec keeps the code too */
    assert_int_equal(db_exec(db, "INSERT INTO u(name) VALUES ('Treviño')", &e), PU_ERR_CONFLICT);
    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM u", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 1);
    db_close(db);
}

/* New ids come back through INSERT ... RETURNING id (no db_last_id). */
static void test_returning_ids(void **state) {
    (void)state;
    static const char *const mig[] = {"CREATE TABLE t (id {ID}, name TEXT NOT NULL UNIQUE)"};
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_migrate(db, "ids", mig, 1, &e), PU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t(id, name) VALUES (41, 'explicit')", &e), PU_OK);
    /* explicit ids: the generator moves past them (PostgreSQL's identity
     * sequence would otherwise hand out 1, 2, 3) */
    assert_int_equal(db_sync_ids(db, "t", &e), PU_OK);
    assert_int_equal(db_sync_ids(db, "t; DROP TABLE t", &e), PU_ERR_INTERNAL);
    const char *names[] = {"a", "b", "c"};
    int64_t ids[3];
    assert_int_equal(db_begin(db, &e), PU_OK);
    db_stmt *ins;
    assert_int_equal(db_prepare(db, "INSERT INTO t(name) VALUES (?) RETURNING id", &ins, &e), PU_OK);
    for (int i = 0; i < 3; i++) {
        db_reset(ins);
        db_bind_text(ins, 1, names[i], -1);
        assert_int_equal(db_insert_id(ins, &ids[i], &e), PU_OK);
        int64_t want;
        assert_int_equal(db_query_int64(db, "SELECT id FROM t WHERE name = ?", names[i], &want, &e), PU_OK);
        assert_int_equal(ids[i], want);
        if (i) assert_true(ids[i] > ids[i - 1]);
    }
    assert_true(ids[0] > 41);
    /* the statement was stepped to its end: the commit is not blocked by it */
    assert_int_equal(db_commit(db, &e), PU_OK);
    /* a duplicate keeps the conflict code and leaves *id at 0 */
    db_reset(ins);
    db_bind_text(ins, 1, "a", -1);
    int64_t id = -1;
    assert_int_equal(db_insert_id(ins, &id, &e), PU_ERR_CONFLICT);
    assert_int_equal(id, 0);
    db_finalize(ins);
    /* no row back (ON CONFLICT DO NOTHING skipped it; or no RETURNING) is a bug */
    assert_int_equal(db_prepare(db, "INSERT INTO t(name) VALUES ('a') ON CONFLICT (name) DO NOTHING RETURNING id", &ins,
                                &e), PU_OK);
    assert_int_equal(db_insert_id(ins, &id, &e), PU_ERR_INTERNAL);
    db_finalize(ins);
    assert_int_equal(db_prepare(db, "INSERT INTO t(name) VALUES ('d')", &ins, &e), PU_OK);
    assert_int_equal(db_insert_id(ins, &id, &e), PU_ERR_INTERNAL);
    db_finalize(ins);
    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM t", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 5);
    db_close(db);
}

/* The DDL type tokens: SQLite's text is what migrations wrote before. */
static void test_type_tokens(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    const char *ddl = "CREATE TABLE x (id {ID}, n {INT} NOT NULL, r {REAL}, b {BLOB}, t {TS}, f {BOOL} DEFAULT 0,"
                      " j TEXT DEFAULT '{}', k TEXT DEFAULT '{a}', m TEXT DEFAULT '{')";
    const char *want = "CREATE TABLE x (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, r REAL, b BLOB, t TEXT,"
                       " f INTEGER DEFAULT 0, j TEXT DEFAULT '{}', k TEXT DEFAULT '{a}', m TEXT DEFAULT '{')";
    if (strcmp(db_backend(db), "postgresql") == 0)
        want = "CREATE TABLE x (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL,"
               " r DOUBLE PRECISION, b BYTEA, t TEXT, f INTEGER DEFAULT 0, j TEXT DEFAULT '{}', k TEXT DEFAULT '{a}',"
               " m TEXT DEFAULT '{')";
    char *out = NULL;
    assert_int_equal(db_expand_types(db, ddl, &out, &e), PU_OK);
    assert_string_equal(out, want);
    free(out);
    assert_int_equal(db_expand_types(db, "", &out, &e), PU_OK);
    assert_string_equal(out, "");
    free(out);
    /* a typo is an error, not DDL with a stray brace */
    pu_err_clear(&e);
    out = (char *)"sentinel";
    assert_int_equal(db_expand_types(db, "CREATE TABLE y (id {IDD})", &out, &e), PU_ERR_INVALID);
    assert_null(out);
    assert_non_null(strstr(e.msg, "{IDD}"));
    /* through db_migrate: the store holds the expanded text */
    const char *const mig[] = {ddl, "ALTER TABLE x ADD COLUMN z {REAL}"};
    assert_int_equal(db_migrate(db, "tok", mig, 2, &e), PU_OK);
    db_stmt *st;
    if (strcmp(db_backend(db), "postgresql") == 0) { /* the column types PostgreSQL gave them */
        static const char *const cols[][2] = {{"id", "bigint"}, {"n", "bigint"}, {"r", "double precision"},
                                              {"b", "bytea"}, {"t", "text"}, {"f", "integer"}, {"z", "double precision"}};
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            assert_int_equal(db_prepare(db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'x' "
                                            "AND table_schema = current_schema() AND column_name = ?", &st, &e), PU_OK);
            db_bind_text(st, 1, cols[i][0], -1);
            assert_int_equal(db_step(st, &e), DB_ROW);
            assert_string_equal(db_col_text(st, 0), cols[i][1]);
            db_finalize(st);
        }
        goto auto_id;
    }
    assert_int_equal(db_prepare(db, "SELECT sql FROM sqlite_master WHERE name = 'x'", &st, &e), PU_OK);
    assert_int_equal(db_step(st, &e), DB_ROW);
    char stored[512];
    snprintf(stored, sizeof stored, "%s", db_col_text(st, 0));
    db_finalize(st);
    assert_null(strstr(stored, "{ID}"));
    assert_null(strstr(stored, "{REAL}"));
    assert_int_equal(strncmp(stored, want, strlen(want) - 1), 0); /* ALTER appended ", z REAL" before ')' */
    assert_non_null(strstr(stored, "z REAL"));
auto_id:
    /* {ID} is an auto id: a row without one gets one */
    assert_int_equal(db_exec(db, "INSERT INTO x(n) VALUES (7); INSERT INTO x(n) VALUES (8)", &e), PU_OK);
    int64_t maxid;
    assert_int_equal(db_query_int64(db, "SELECT max(id) FROM x", NULL, &maxid, &e), PU_OK);
    assert_int_equal(maxid, 2);
    /* a migration with an unknown token fails as a whole: version unchanged */
    const char *const bad[] = {mig[0], mig[1], "CREATE TABLE w (a {TEXT})"};
    assert_int_equal(db_migrate(db, "tok", bad, 3, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "migration tok to version 3"));
    int v;
    assert_int_equal(db_schema_version(db, "tok", &v, &e), PU_OK);
    assert_int_equal(v, 2);
    db_close(db);
}

static off_t file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* db_checkpoint / db_autocheckpoint / db_bulk_load_hint do what they say on
 * SQLite, and are callable on any store. */
static void test_maintenance(void **state) {
    (void)state;
    db_t *mem;
    pu_err e;
    if (test_store_is_pg()) { /* nothing to do on PostgreSQL, and no error */
        assert_int_equal(db_open(test_store_uri(), NULL, &mem, &e), PU_OK);
        assert_int_equal(db_checkpoint(mem, &e), PU_OK);
        assert_int_equal(db_autocheckpoint(mem, 0, &e), PU_OK);
        assert_int_equal(db_bulk_load_hint(mem, (size_t)1 << 30, &e), PU_OK);
        db_close(mem);
        return;
    }
    assert_int_equal(db_open(":memory:", NULL, &mem, &e), PU_OK);
    assert_int_equal(db_checkpoint(mem, &e), PU_OK); /* no WAL: nothing to do */
    assert_int_equal(db_autocheckpoint(mem, 0, &e), PU_OK);
    assert_int_equal(db_autocheckpoint(mem, 1, &e), PU_OK);
    /* the page cache follows the hint (SQLite: negative cache_size = KiB) */
    int64_t kib;
    assert_int_equal(db_bulk_load_hint(mem, (size_t)1 << 30, &e), PU_OK);
    assert_int_equal(db_query_int64(mem, "PRAGMA cache_size", NULL, &kib, &e), PU_OK);
    assert_int_equal(kib, -1048576);
    assert_int_equal(db_bulk_load_hint(mem, 0, &e), PU_OK);
    assert_int_equal(db_query_int64(mem, "PRAGMA cache_size", NULL, &kib, &e), PU_OK);
    assert_int_equal(kib, -2000);
    db_close(mem);

    /* a WAL store: with autocheckpoint off the writes stay in the WAL until
     * db_checkpoint (from another connection) copies them into the file */
    char path[128], wal[140];
    snprintf(path, sizeof path, "%s/puente-db-ckpt-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(path);
    db_t *w, *ck;
    assert_int_equal(db_open(path, NULL, &w, &e), PU_OK);
    assert_int_equal(db_open(path, NULL, &ck, &e), PU_OK);
    assert_int_equal(db_autocheckpoint(w, 0, &e), PU_OK);
    assert_int_equal(db_exec(w, "CREATE TABLE big (b BLOB)", &e), PU_OK);
    char blob[4000];
    memset(blob, 'x', sizeof blob);
    db_stmt *st;
    for (int tx = 0; tx < 20; tx++) { /* 20 commits x 100 rows x 4 KB: past the 1000-page autocheckpoint */
        assert_int_equal(db_begin(w, &e), PU_OK);
        assert_int_equal(db_prepare(w, "INSERT INTO big VALUES (?)", &st, &e), PU_OK);
        for (int i = 0; i < 100; i++) {
            db_reset(st);
            blob[0] = (char)('a' + i % 26);
            db_bind_blob(st, 1, blob, sizeof blob);
            assert_int_equal(db_step_done(st, &e), PU_OK);
        }
        db_finalize(st);
        assert_int_equal(db_commit(w, &e), PU_OK);
    }
    off_t before = file_size(path), walsz = file_size(wal);
    assert_true(walsz > (off_t)8000000);  /* everything is in the WAL ... */
    assert_true(before < (off_t)1000000); /* ... none of it in the store file */
    assert_int_equal(db_checkpoint(ck, &e), PU_OK);
    off_t after = file_size(path);
    assert_true(after > (off_t)8000000);  /* copied into the store file */
    int64_t n;
    assert_int_equal(db_query_int64(ck, "SELECT count(*) FROM big", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 2000);
    db_close(ck);
    db_close(w);
    unlink(path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

/* db_scratch_empty: a temporary table emptied and refilled many times in
 * one transaction keeps only its latest rows (PostgreSQL: TRUNCATE, which
 * also gives back the pages), its key accepts the same ids again, and the
 * transaction's other writes stay; a bad name is refused. */
static void test_scratch_empty(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(test_store_uri(), NULL, &db, &e), PU_OK);
    assert_int_equal(db_exec(db, "CREATE TABLE kept (id INTEGER PRIMARY KEY)", &e), PU_OK);
    assert_int_equal(db_exec(db, "CREATE TEMP TABLE scratch (id BIGINT PRIMARY KEY, v TEXT)", &e), PU_OK);
    assert_int_equal(db_begin(db, &e), PU_OK);
    int64_t n;
    for (int round = 0; round < 5; round++) {
        db_stmt *st;
        assert_int_equal(db_prepare(db, "INSERT INTO scratch (id, v) VALUES (?, ?)", &st, &e), PU_OK);
        for (int i = 0; i < 100 + round; i++) { /* the same ids each round: the key was emptied too */
            db_reset(st);
            db_bind_int64(st, 1, i);
            db_bind_text(st, 2, "some text", -1);
            assert_int_equal(db_step_done(st, &e), PU_OK);
        }
        db_finalize(st);
        assert_int_equal(db_query_int64(db, "SELECT count(*) FROM scratch", NULL, &n, &e), PU_OK);
        assert_int_equal(n, 100 + round);
        assert_int_equal(db_exec(db, "INSERT INTO kept (id) SELECT max(id) + 1 FROM scratch", &e), PU_OK);
        assert_int_equal(db_scratch_empty(db, "scratch", &e), PU_OK);
        assert_int_equal(db_query_int64(db, "SELECT count(*) FROM scratch", NULL, &n, &e), PU_OK);
        assert_int_equal(n, 0);
    }
    assert_int_equal(db_scratch_empty(db, "scratch; DROP TABLE kept", &e), PU_ERR_INTERNAL);
    assert_int_equal(db_scratch_empty(db, "", &e), PU_ERR_INTERNAL);
    assert_int_equal(db_commit(db, &e), PU_OK);
    assert_int_equal(db_query_int64(db, "SELECT sum(id) FROM kept", NULL, &n, &e), PU_OK);
    assert_int_equal(n, 100 + 101 + 102 + 103 + 104);
    db_close(db);
}

/* Behaviour the backends share that PostgreSQL must emulate: `?` inside
 * literals and comments is not a placeholder; a nested statement while
 * another streams; values convert as SQLite converts them; blobs round-trip;
 * db_step_try leaves the transaction usable after a constraint error;
 * db_begin serialises writers (a second writer waits, then gives up). */
static void test_portable_behaviour(void **state) {
    (void)state;
    db_t *db;
    pu_err e;
    const char *uri = test_store_uri();
    assert_int_equal(db_open(uri, NULL, &db, &e), PU_OK);
    static const char *const mig[] = {"CREATE TABLE v (id {ID}, name TEXT NOT NULL UNIQUE, n {INT}, r {REAL}, b {BLOB})"};
    assert_int_equal(db_migrate(db, "pv", mig, 1, &e), PU_OK);
    db_stmt *st;
    /* '?' in a literal, a comment and a quoted name are text */
    assert_int_equal(db_prepare(db, "SELECT '?' || ? /* ? */ -- ?\n", &st, &e), PU_OK);
    db_bind_text(st, 1, "it's", -1);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "?it's");
    db_finalize(st);
    /* 50 rows; a second statement runs while the first is mid-way */
    assert_int_equal(db_prepare(db, "INSERT INTO v(name, n, r, b) VALUES (?, ?, ?, ?)", &st, &e), PU_OK);
    unsigned char bytes[4] = {0, 0xff, '\\', 'x'};
    for (int i = 0; i < 50; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%02d", i);
        db_reset(st);
        db_bind_text(st, 1, name, -1);
        db_bind_int64(st, 2, (int64_t)i * 1000000000000LL);
        db_bind_double(st, 3, i + 0.25);
        db_bind_blob(st, 4, bytes, sizeof bytes);
        assert_int_equal(db_step_done(st, &e), PU_OK);
    }
    db_finalize(st);
    db_stmt *outer, *inner;
    assert_int_equal(db_prepare(db, "SELECT name, n, r, b, n > 0 FROM v ORDER BY name", &outer, &e), PU_OK);
    int rows = 0;
    while (db_step(outer, &e) == DB_ROW) {
        char want[16];
        snprintf(want, sizeof want, "n%02d", rows);
        assert_string_equal(db_col_text(outer, 0), want);
        assert_int_equal(db_col_int64(outer, 1), (int64_t)rows * 1000000000000LL);
        assert_true(db_col_double(outer, 2) == rows + 0.25);
        size_t n = 0;
        const void *b = db_col_blob(outer, 3, &n);
        assert_int_equal(n, sizeof bytes);
        assert_memory_equal(b, bytes, sizeof bytes);
        assert_string_equal(db_col_text(outer, 4), rows > 0 ? "1" : "0"); /* a boolean reads as 1/0 */
        assert_int_equal(db_col_int64(outer, 4), rows > 0);
        if (rows == 10) { /* a nested read, as a store_iter callback may do */
            int64_t cnt;
            assert_int_equal(db_query_int64(db, "SELECT count(*) FROM v WHERE n >= ?", "0", &cnt, &e), PU_OK);
            assert_int_equal(cnt, 50);
            assert_int_equal(db_prepare(db, "SELECT name FROM v WHERE name = ?", &inner, &e), PU_OK);
            db_bind_text(inner, 1, "n49", -1);
            assert_int_equal(db_step(inner, &e), DB_ROW);
            assert_string_equal(db_col_text(inner, 0), "n49");
            db_finalize(inner);
        }
        rows++;
    }
    assert_int_equal(rows, 50);
    db_finalize(outer);
    /* text of numbers, numbers of text */
    assert_int_equal(db_prepare(db, "SELECT n, '42', '3.7', r FROM v WHERE name = 'n02'", &st, &e), PU_OK);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "2000000000000");
    assert_int_equal(db_col_int64(st, 1), 42);
    assert_int_equal(db_col_int64(st, 2), 3);
    assert_true(db_col_double(st, 3) == 2.25);
    db_finalize(st);
    /* db_changes */
    assert_int_equal(db_exec(db, "UPDATE v SET n = 0 WHERE name < 'n10'", &e), PU_OK);
    assert_int_equal(db_changes(db), 10);
    /* a constraint error under db_step_try leaves the transaction usable */
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_prepare(db, "INSERT INTO v(name) VALUES (?)", &st, &e), PU_OK);
    db_bind_text(st, 1, "n01", -1);
    assert_int_equal(db_step_try(st, &e), PU_ERR_CONFLICT);
    db_reset(st);
    db_bind_text(st, 1, "fresh", -1);
    assert_int_equal(db_step_try(st, &e), PU_OK);
    db_finalize(st);
    if (strcmp(db_backend(db), "postgresql") == 0) { /* a plain failed step aborts a PostgreSQL transaction: */
        assert_int_equal(db_commit(db, &e), PU_OK);  /* (commit what db_step_try kept) */
        assert_int_equal(db_begin(db, &e), PU_OK);
        assert_int_equal(db_exec(db, "INSERT INTO v(name) VALUES ('n01')", &e), PU_ERR_CONFLICT);
        assert_int_equal(db_commit(db, &e), PU_ERR_DB); /* the commit says so, it does not "succeed" */
        assert_non_null(strstr(e.msg, "rolled the transaction back"));
        assert_false(db_in_tx(db));
        assert_int_equal(db_begin(db, &e), PU_OK);
    }
    /* a second writer waits for the first, then gives up: one writer at a time */
    db_opts quick = {.busy_timeout_ms = 200};
    db_t *other;
    assert_int_equal(db_open(uri, &quick, &other, &e), PU_OK);
    if (strcmp(uri, ":memory:") != 0) { /* two connections to one in-memory store are two stores */
        pu_err_clear(&e);
        assert_int_equal(db_begin(other, &e), PU_ERR_DB);
        assert_false(db_in_tx(other));
    }
    assert_int_equal(db_commit(db, &e), PU_OK);
    if (strcmp(uri, ":memory:") != 0) {
        int64_t n;
        assert_int_equal(db_query_int64(other, "SELECT count(*) FROM v WHERE name = ?", "fresh", &n, &e), PU_OK);
        assert_int_equal(n, 1);
        assert_int_equal(db_begin(other, &e), PU_OK);
        assert_int_equal(db_commit(other, &e), PU_OK);
    }
    db_close(other);
    db_close(db);
}

/* ---- large reads (db_large_read): more rows than one batch ---- */

/* Rows of the large-read table: more than two of PostgreSQL's batches
 * (PG_FETCH_ROWS, 8192), so a read crosses batch boundaries. */
#define LARGE_ROWS 20000

static void large_fill(db_t *db) {
    pu_err e;
    static const char *const mig[] = {"CREATE TABLE big (id {ID}, n {INT} NOT NULL, label TEXT)",
                                      "CREATE TABLE side (id {ID}, note TEXT)"};
    assert_int_equal(db_migrate(db, "lr", mig, 2, &e), PU_OK);
    static const char *const cols[] = {"id", "n", "label"};
    db_bulk *b;
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_bulk_open(db, "big", cols, 3, &b, &e), PU_OK);
    for (int i = 1; i <= LARGE_ROWS; i++) {
        char id[16], n[16], label[32];
        snprintf(id, sizeof id, "%d", i);
        snprintf(n, sizeof n, "%d", i * 3);
        snprintf(label, sizeof label, "row %d", i);
        const char *row[] = {id, n, i % 7 ? label : NULL};
        assert_int_equal(db_bulk_row(b, row, &e), PU_OK);
    }
    assert_int_equal(db_bulk_flush(b, &e), PU_OK);
    db_bulk_close(b);
    assert_int_equal(db_sync_ids(db, "big", &e), PU_OK);
    assert_int_equal(db_commit(db, &e), PU_OK);
}

/* Check row i (1-based) of "SELECT id, n, label FROM big ... ORDER BY id". */
static void large_check_row(db_stmt *st, int i) {
    assert_int_equal(db_col_int64(st, 0), i);
    assert_int_equal(db_col_int64(st, 1), (int64_t)i * 3);
    char label[32];
    snprintf(label, sizeof label, "row %d", i);
    if (i % 7) assert_string_equal(db_col_text(st, 2), label);
    else assert_true(db_col_isnull(st, 2));
}

/* Number of open cursors of this connection (PostgreSQL), read through a
 * nested statement. */
static int64_t open_cursors(db_t *db) {
    int64_t n = -1;
    pu_err e;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM pg_cursors WHERE name LIKE ?", "puc%", &n, &e), PU_OK);
    return n;
}

static void test_large_read(void **state) {
    (void)state;
    db_t *db, *other;
    pu_err e;
    const char *uri = test_store_uri();
    int pg = test_store_is_pg();
    assert_int_equal(db_open(uri, NULL, &db, &e), PU_OK);
    large_fill(db);
    const char *sql = "SELECT id, n, label FROM big WHERE n >= ? ORDER BY id";
    db_stmt *st;

    /* outside a transaction: every row, in order; a nested read at row 100
     * (it moves the rest into memory) and a write at row 12000, committed
     * at once: another connection sees it while the read goes on */
    assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
    assert_int_equal(db_large_read(st), PU_OK);
    db_bind_int64(st, 1, 0);
    int rows = 0, rc;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        large_check_row(st, ++rows);
        if (rows == 100) {
            int64_t cnt;
            assert_int_equal(db_query_int64(db, "SELECT count(*) FROM big WHERE n > ?", "30000", &cnt, &e), PU_OK);
            assert_int_equal(cnt, LARGE_ROWS - 10000);
            large_check_row(st, rows); /* the current row is still readable */
        }
        if (rows == 12000) {
            assert_int_equal(db_exec(db, "INSERT INTO side(note) VALUES ('during the read')", &e), PU_OK);
            if (strcmp(uri, ":memory:") != 0) {
                int64_t n;
                assert_int_equal(db_open(uri, NULL, &other, &e), PU_OK);
                assert_int_equal(db_query_int64(other, "SELECT count(*) FROM side WHERE note = ?", "during the read", &n, &e),
                                 PU_OK);
                assert_int_equal(n, 1);
                db_close(other);
            }
        }
    }
    assert_int_equal(rc, DB_DONE);
    assert_int_equal(rows, LARGE_ROWS);
    db_finalize(st);
    /* nothing of the read is left open: a write transaction starts */
    assert_false(db_in_tx(db));
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_commit(db, &e), PU_OK);

    /* without anything else on the connection, and then again from the
     * statement cache with another binding (a filtered read) */
    for (int round = 0; round < 2; round++) {
        int from = round ? 5000 : 1;
        assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
        assert_int_equal(db_large_read(st), PU_OK);
        db_bind_int64(st, 1, (int64_t)from * 3);
        rows = from - 1;
        while ((rc = db_step(st, &e)) == DB_ROW) large_check_row(st, ++rows);
        assert_int_equal(rc, DB_DONE);
        assert_int_equal(rows, LARGE_ROWS);
        db_finalize(st);
    }

    /* inside the caller's transaction: the cursor stays open across nested
     * reads and writes (PostgreSQL: one open cursor seen from inside) */
    assert_int_equal(db_begin(db, &e), PU_OK);
    assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
    assert_int_equal(db_large_read(st), PU_OK);
    db_bind_int64(st, 1, 0);
    rows = 0;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        large_check_row(st, ++rows);
        if (rows == 10 || rows == 9000) {
            if (pg) assert_int_equal(open_cursors(db), 1);
            assert_int_equal(db_exec(db, "INSERT INTO side(note) VALUES ('in the transaction')", &e), PU_OK);
        }
        if (rows == 15000) { /* the commit: the rest of the rows stay readable */
            assert_int_equal(db_commit(db, &e), PU_OK);
            if (pg) assert_int_equal(open_cursors(db), 0);
        }
    }
    assert_int_equal(rc, DB_DONE);
    assert_int_equal(rows, LARGE_ROWS);
    db_finalize(st);
    int64_t n;
    assert_int_equal(db_query_int64(db, "SELECT count(*) FROM side WHERE note = ?", "in the transaction", &n, &e), PU_OK);
    assert_int_equal(n, 2);

    /* an empty result: done at once, nothing left open */
    assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
    assert_int_equal(db_large_read(st), PU_OK);
    db_bind_int64(st, 1, (int64_t)LARGE_ROWS * 3 + 1);
    assert_int_equal(db_step(st, &e), DB_DONE);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_finalize(st);
    assert_int_equal(db_begin(db, &e), PU_OK);
    if (pg) assert_int_equal(open_cursors(db), 0);
    assert_int_equal(db_commit(db, &e), PU_OK);

    /* a read left half-way (finalized after 10 rows) leaves nothing open */
    assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
    assert_int_equal(db_large_read(st), PU_OK);
    db_bind_int64(st, 1, 0);
    for (int i = 1; i <= 10; i++) {
        assert_int_equal(db_step(st, &e), DB_ROW);
        large_check_row(st, i);
    }
    db_finalize(st);
    assert_int_equal(db_begin(db, &e), PU_OK);
    if (pg) assert_int_equal(open_cursors(db), 0);
    assert_int_equal(db_exec(db, "INSERT INTO side(note) VALUES ('after')", &e), PU_OK);
    assert_int_equal(db_commit(db, &e), PU_OK);

    /* a statement other than a SELECT ignores the hint */
    assert_int_equal(db_prepare(db, "UPDATE side SET note = ? WHERE note = 'after'", &st, &e), PU_OK);
    assert_int_equal(db_large_read(st), PU_OK);
    db_bind_text(st, 1, "updated", -1);
    assert_int_equal(db_step_done(st, &e), PU_OK);
    assert_int_equal(db_changes(db), 1);
    db_finalize(st);

    if (pg) {
        /* an error in the second batch (SQLite divides by zero into NULL):
         * the first batch's rows, then the error; the layer's transaction is
         * rolled back, the connection usable */
        const char *bad = "SELECT id, 100 / (id - 10000) FROM big ORDER BY id";
        for (int in_tx = 0; in_tx < 2; in_tx++) {
            if (in_tx) assert_int_equal(db_begin(db, &e), PU_OK);
            assert_int_equal(db_prepare(db, bad, &st, &e), PU_OK);
            assert_int_equal(db_large_read(st), PU_OK);
            rows = 0;
            pu_err_clear(&e);
            while ((rc = db_step(st, &e)) == DB_ROW) assert_int_equal(db_col_int64(st, 0), ++rows);
            assert_int_equal(rc, PU_ERR_DB);
            assert_non_null(strstr(e.msg, "division by zero"));
            assert_int_equal(rows, 8192); /* one whole batch came before */
            assert_int_equal(db_step(st, &e), DB_DONE);
            db_finalize(st);
            if (in_tx) { /* the caller's transaction is aborted, as by any failed statement */
                assert_int_equal(db_commit(db, &e), PU_ERR_DB);
                assert_false(db_in_tx(db));
            }
            assert_int_equal(db_query_int64(db, "SELECT count(*) FROM big WHERE n > ?", "0", &n, &e), PU_OK);
            assert_int_equal(n, LARGE_ROWS);
            assert_int_equal(open_cursors(db), 0);
        }
        /* the error while parked: a nested command at row 5 fetches the
         * rest, which fails; the rows before the error still come first */
        assert_int_equal(db_prepare(db, bad, &st, &e), PU_OK);
        assert_int_equal(db_large_read(st), PU_OK);
        rows = 0;
        while ((rc = db_step(st, &e)) == DB_ROW) {
            assert_int_equal(db_col_int64(st, 0), ++rows);
            if (rows == 5) assert_int_equal(db_query_int64(db, "SELECT count(*) FROM side", NULL, &n, &e), PU_OK);
        }
        assert_int_equal(rc, PU_ERR_DB);
        assert_non_null(strstr(e.msg, "division by zero"));
        assert_int_equal(rows, 8192);
        db_finalize(st);
        assert_int_equal(db_begin(db, &e), PU_OK);
        assert_int_equal(db_commit(db, &e), PU_OK);
    }
    db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_and_crud),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_stmt_cache),
        cmocka_unit_test(test_backend_selection),
        cmocka_unit_test(test_step_done_keeps_codes),
        cmocka_unit_test(test_returning_ids),
        cmocka_unit_test(test_type_tokens),
        cmocka_unit_test(test_maintenance),
        cmocka_unit_test(test_portable_behaviour),
        cmocka_unit_test(test_large_read),
        cmocka_unit_test(test_scratch_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
