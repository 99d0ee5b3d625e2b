/* Unit tests for the audit journal (src/audit/audit_journal.c): the line
 * format round-trips every byte that needs escaping, a torn last line is left
 * out, bad lines are refused with file:line, entries reach the chain in jid
 * order exactly once (also with two ingesters), a crashed server's journal is
 * recovered, a second server on one journal file is refused, servers with
 * a journal each feed one chain with every entry exactly once (journal ids,
 * a high-water mark per journal), and a journal that fills up while
 * the chain cannot be written fails the append (fail closed), keeps what it
 * holds and recycles its halves once the chain works again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"

static char dir[256];

static void paths(const char *name, char *db, char *jp) {
    snprintf(db, 512, "%s/%s.db", dir, name);
    snprintf(jp, 512, "%s/%s.db-audit.journal", dir, name);
    unlink(db);
    unlink(jp);
}

static db_t *open_db(const char *path) {
    db_t *db;
    pu_err e;
    assert_int_equal(db_open(path, NULL, &db, &e), PU_OK);
    assert_int_equal(audit_migrate(db, &e), PU_OK);
    return db;
}

static int64_t count(db_t *db, const char *where) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE %s", where);
    db_stmt *st;
    pu_err e;
    assert_int_equal(db_prepare(db, sql, &st, &e), PU_OK);
    assert_int_equal(db_step(st, &e), DB_ROW);
    int64_t n = db_col_int64(st, 0);
    db_finalize(st);
    return n;
}

static void assert_intact(db_t *db, int64_t entries) {
    audit_report r;
    pu_err e;
    assert_int_equal(audit_verify(db, &r, &e), PU_OK);
    assert_int_equal(r.entries, entries);
}

static off_t file_size(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 ? sb.st_size : -1;
}

static void write_file(const char *p, const char *text) {
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_parse_roundtrip_and_torn(void **state) {
    (void)state;
    const char *text = "7\t2026-01-02T03:04:05Z\thttp\tana\tDEA\tentity.read\ta,b\tsuccess\tq=tab\\there\\nnew \\\\ \\x01\n"
                       "8\t2026-01-02T03:04:06Z\thttp\t-\t\tlogin\t\tdenied\t\n"
                       "9\t2026-01-02T03:04:07Z\thttp\tcut";
    audit_staged *ents;
    size_t n, torn;
    char *store;
    pu_err e;
    assert_int_equal(audit_journal_parse("j", text, strlen(text), &ents, &n, &store, &torn, &e), PU_OK);
    assert_int_equal(n, 2);
    assert_int_equal(torn, 1);
    assert_int_equal(ents[0].jid, 7);
    assert_string_equal(ents[0].ts, "2026-01-02T03:04:05Z");
    assert_string_equal(ents[0].ev.detail, "q=tab\there\nnew \\ \x01");
    assert_string_equal(ents[0].ev.targets, "a,b");
    assert_string_equal(ents[1].ev.user, "-");
    assert_string_equal(ents[1].ev.agency, "");
    assert_string_equal(ents[1].ev.outcome, "denied");
    assert_string_equal(ents[1].ev.source, ""); /* a line of the seven-field format */
    audit_staged_free(ents, store);
    /* the current format: source and purpose after the detail */
    const char *now = "10\t2026-01-02T03:04:08Z\thttp\tana\tDEA\tentity.read\tx\tsuccess\t\t192.0.2.7\tcase 17\n";
    assert_int_equal(audit_journal_parse("j", now, strlen(now), &ents, &n, &store, &torn, &e), PU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ents[0].ev.source, "192.0.2.7");
    assert_string_equal(ents[0].ev.purpose, "case 17");
    audit_staged_free(ents, store);
}

static void expect_bad(const char *text, const char *where, const char *field) {
    audit_staged *ents;
    size_t n, torn;
    char *store;
    pu_err e;
    assert_int_equal(audit_journal_parse("j", text, strlen(text), &ents, &n, &store, &torn, &e), PU_ERR_INVALID);
    assert_string_equal(e.where, where);
    if (field) assert_string_equal(e.field, field);
    assert_null(ents);
}

static void test_parse_refuses_bad_lines(void **state) {
    (void)state;
    const char *good = "1\t2026-01-02T03:04:05Z\thttp\tana\tDEA\tx\t\tsuccess\t\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s2\t2026-01-02T03:04:05Z\thttp\tana\n", good);
    expect_bad(buf, "j:2", NULL);                                                          /* too few fields */
    expect_bad("1\t2026-01-02T03:04:05Z\ta\tb\tc\td\te\tf\tg\th\n", "j:1", NULL);          /* too many */
    expect_bad("1\t2026-01-02T03:04:05Z\ta\tb\tc\td\te\tf\tg\th\ti\tj\n", "j:1", NULL); /* too many (12) */
    expect_bad("x\t2026-01-02T03:04:05Z\ta\tb\tc\td\te\tf\tg\n", "j:1", "jid");
    expect_bad("0\t2026-01-02T03:04:05Z\ta\tb\tc\td\te\tf\tg\n", "j:1", "jid");
    expect_bad("1\t2026-01-02 03:04:05\ta\tb\tc\td\te\tf\tg\n", "j:1", "ts");
    expect_bad("1\t2026-01-02T03:04:05Z\ta\\q\tb\tc\td\te\tf\tg\n", "j:1", NULL);         /* unknown escape */
    expect_bad("1\t2026-01-02T03:04:05Z\ta\\x0\tb\tc\td\te\tf\tg\n", "j:1", NULL);        /* short \x */
    expect_bad("1\t2026-01-02T03:04:05Z\ta\\x00\tb\tc\td\te\tf\tg\n", "j:1", NULL);       /* NUL */
}

static audit_staged staged(int64_t jid, const char *user) {
    audit_staged s = {.jid = jid, .ts = "2026-03-01T10:00:00Z"};
    s.ev = (audit_event){"http", user, "DEA", "entity.read", "ent-1", "success", "", NULL, NULL};
    return s;
}

static void test_staged_once_and_no_gap(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("staged", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    audit_staged a[3] = {staged(1, "u1"), staged(2, "u2"), staged(3, "u3")};
    int64_t applied;
    assert_int_equal(audit_append_staged(db, NULL, a, 2, &applied, &e), PU_OK);
    assert_int_equal(applied, 2);
    /* a second ingester offering 1..3 appends only 3 */
    assert_int_equal(audit_append_staged(db, NULL, a, 3, &applied, &e), PU_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(count(db, "1"), 3);
    int64_t js;
    assert_int_equal(audit_journal_seq(db, NULL, &js, &e), PU_OK);
    assert_int_equal(js, 3);
    /* a gap is refused and nothing is written */
    audit_staged gap[2] = {staged(5, "u5"), staged(6, "u6")};
    assert_int_equal(audit_append_staged(db, NULL, gap, 2, &applied, &e), PU_ERR_INVALID);
    assert_int_equal(applied, 0);
    assert_non_null(strstr(e.msg, "4"));
    assert_int_equal(count(db, "1"), 3);
    /* the journal's time is kept, not the ingest time */
    assert_int_equal(count(db, "ts = '2026-03-01T10:00:00Z' AND user_name = 'u3'"), 1);
    assert_intact(db, 3);
    db_close(db);
}

static void test_server_journal_roundtrip(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("rt", dbp, jp);
    db_t *db = open_db(dbp);
    audit_journal *j;
    pu_err e;
    assert_int_equal(audit_journal_open(jp, dbp, &j, &e), PU_OK);
    /* a second server on the same store is refused */
    audit_journal *j2;
    assert_int_equal(audit_journal_open(jp, dbp, &j2, &e), PU_ERR_CONFLICT);
    for (int i = 0; i < 500; i++) {
        char tgt[32];
        snprintf(tgt, sizeof tgt, "ent-%d", i);
        audit_event ev = {"http", "ana", "DEA", "entity.read", tgt, "success", "tab\there", NULL, NULL};
        assert_int_equal(audit_journal_append(j, &ev, &e), PU_OK);
    }
    assert_int_equal(audit_journal_sync(j, &e), PU_OK);
    assert_int_equal(count(db, "action = 'entity.read'"), 500);
    assert_int_equal(count(db, "detail = 'tab\there'"), 500);
    /* seq order is append order */
    assert_int_equal(count(db, "targets = 'ent-499' AND seq = 500"), 1);
    /* a change written directly after the sync comes after them in the chain */
    audit_event chg = {"http", "ana", "DEA", "entity.update", "ent-1", "success", NULL, NULL, NULL};
    assert_int_equal(audit_append(db, &chg, &e), PU_OK);
    audit_event more = {"http", "ana", "DEA", "entity.read", "ent-x", "success", NULL, NULL, NULL};
    assert_int_equal(audit_journal_append(j, &more, &e), PU_OK);
    audit_journal_close(j);
    assert_int_equal(count(db, "targets = 'ent-x' AND seq = 502"), 1);
    assert_int_equal(file_size(jp), 0);
    assert_intact(db, 502);
    db_close(db);
}

static void test_recover_after_crash(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("crash", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    /* what a killed server leaves: three complete lines and a torn one */
    write_file(jp, "1\t2026-01-02T03:04:05Z\thttp\tana\tDEA\tentity.read\te1\tsuccess\t\n"
                   "2\t2026-01-02T03:04:06Z\thttp\tana\tDEA\tentity.read\te2\tsuccess\t\n"
                   "3\t2026-01-02T03:04:07Z\thttp\tluis\tFGR\tscreen.match\te3\tsuccess\tqueries=1\n"
                   "4\t2026-01-02T03:04:08Z\thttp\tlu");
    int64_t n;
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK);
    assert_int_equal(n, 3);
    assert_int_equal(file_size(jp), 0);
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK); /* idempotent */
    assert_int_equal(n, 0);
    assert_int_equal(count(db, "user_name = 'luis' AND ts = '2026-01-02T03:04:07Z'"), 1);
    assert_intact(db, 3);
    /* a server started next continues the numbering */
    audit_journal *j;
    assert_int_equal(audit_journal_open(jp, dbp, &j, &e), PU_OK);
    audit_event ev = {"http", "ana", "DEA", "entity.read", "e4", "success", NULL, NULL, NULL};
    assert_int_equal(audit_journal_append(j, &ev, &e), PU_OK);
    audit_journal_close(j);
    /* ... under a journal id of its own (a new one per open), so the
     * recovered journal's mark stays where it was */
    int64_t js;
    assert_int_equal(audit_journal_seq(db, NULL, &js, &e), PU_OK);
    assert_int_equal(js, 3);
    audit_journal_info *ji;
    size_t nj;
    assert_int_equal(audit_journal_list(db, &ji, &nj, &e), PU_OK);
    assert_int_equal(nj, 2);
    int64_t newest = ji[0].journal_id[0] ? ji[0].seq : ji[1].seq;
    assert_int_equal(newest, 1);
    free(ji);
    assert_int_equal(count(db, "targets = 'e4' AND seq = 4"), 1);
    assert_intact(db, 4);
    /* a missing journal is nothing to recover */
    unlink(jp);
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK);
    assert_int_equal(n, 0);
    db_close(db);
}

static void test_corrupt_journal_stops_the_server(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("corrupt", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    write_file(jp, "1\t2026-01-02T03:04:05Z\thttp\tana\tDEA\tentity.read\te1\tsuccess\t\n"
                   "3\t2026-01-02T03:04:06Z\thttp\tana\tDEA\tentity.read\te3\tsuccess\t\n");
    audit_journal *j;
    assert_int_equal(audit_journal_open(jp, dbp, &j, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.msg, "missing"));
    assert_int_equal(count(db, "1"), 0); /* all or nothing */
    assert_true(file_size(jp) > 0);      /* kept for review */
    write_file(jp, "1\t2026-01-02T03:04:05Z\thttp\tana\n2\tx\n");
    assert_int_equal(audit_journal_open(jp, dbp, &j, &e), PU_ERR_INVALID);
    assert_non_null(strstr(e.where, ":1"));
    db_close(db);
}

static void test_cli_beside_running_server(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("beside", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    audit_journal *j;
    assert_int_equal(audit_journal_open(jp, dbp, &j, &e), PU_OK);
    for (int i = 0; i < 50; i++) {
        audit_event ev = {"http", "ana", "DEA", "entity.read", "e", "success", NULL, NULL, NULL};
        assert_int_equal(audit_journal_append(j, &ev, &e), PU_OK);
    }
    /* `puente audit verify` beside the server: takes what is in the file */
    int64_t n;
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK);
    assert_true(file_size(jp) > 0); /* the server's file is not emptied under it */
    audit_journal_close(j);          /* its thread skips what the CLI took */
    assert_int_equal(count(db, "1"), 50);
    assert_intact(db, 50);
    db_close(db);
}

/* Two journals (two servers' files) both number their entries from 1: the
 * chain takes each journal's entries once, by that journal's mark. */
static void test_two_journals_never_twice(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("twoids", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    const char *ida = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", *idb = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    assert_int_equal(audit_journal_register(db, ida, "host-a", "/a.journal", &e), PU_OK);
    assert_int_equal(audit_journal_register(db, idb, "host-b", "/b.journal", &e), PU_OK);
    audit_staged a[3] = {staged(1, "a1"), staged(2, "a2"), staged(3, "a3")};
    audit_staged b[3] = {staged(1, "b1"), staged(2, "b2"), staged(3, "b3")};
    int64_t applied;
    assert_int_equal(audit_append_staged(db, ida, a, 2, &applied, &e), PU_OK);
    assert_int_equal(applied, 2);
    assert_int_equal(audit_append_staged(db, idb, b, 3, &applied, &e), PU_OK);
    assert_int_equal(applied, 3); /* B's 1..3 are not A's 1..3 */
    /* every ingester offers everything again: only A's 3 is new */
    assert_int_equal(audit_append_staged(db, idb, b, 3, &applied, &e), PU_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(audit_append_staged(db, ida, a, 3, &applied, &e), PU_OK);
    assert_int_equal(applied, 1);
    for (int i = 1; i <= 3; i++) {
        char w[64];
        snprintf(w, sizeof w, "user_name = 'a%d'", i);
        assert_int_equal(count(db, w), 1);
        snprintf(w, sizeof w, "user_name = 'b%d'", i);
        assert_int_equal(count(db, w), 1);
    }
    /* chain order = order of ingestion */
    assert_int_equal(count(db, "user_name = 'b3' AND seq = 5"), 1);
    assert_int_equal(count(db, "user_name = 'a3' AND seq = 6"), 1);
    int64_t sa, sb;
    assert_int_equal(audit_journal_seq(db, ida, &sa, &e), PU_OK);
    assert_int_equal(audit_journal_seq(db, idb, &sb, &e), PU_OK);
    assert_int_equal(sa * 10 + sb, 33);
    /* an id that already has entries cannot be registered again */
    assert_int_equal(audit_journal_register(db, ida, "host-c", "/c.journal", &e), PU_ERR_CONFLICT);
    audit_journal_info *ji;
    size_t nj;
    assert_int_equal(audit_journal_list(db, &ji, &nj, &e), PU_OK);
    assert_int_equal(nj, 2);
    assert_string_equal(ji[0].host, "host-a");
    assert_true(ji[0].last_flush[0] != '\0');
    free(ji);
    assert_intact(db, 6);
    db_close(db);
}

/* Two servers, each its own journal file, appending at once on one store,
 * with a CLI ingester running beside both: every entry once. */
typedef struct appender {
    audit_journal *j;
    const char *who;
    int n;
} appender;

static void *append_many(void *arg) {
    appender *a = arg;
    pu_err e;
    for (int i = 0; i < a->n; i++) {
        char tgt[48];
        snprintf(tgt, sizeof tgt, "%s-%d", a->who, i);
        audit_event ev = {"http", a->who, "DEA", "entity.read", tgt, "success", NULL, NULL, NULL};
        if (audit_journal_append(a->j, &ev, &e) != PU_OK) return (void *)1;
    }
    return NULL;
}

static void test_two_servers_own_journals(void **state) {
    (void)state;
    char dbp[512], jpa[512], jpb[512];
    paths("twosrv", dbp, jpa);
    snprintf(jpb, sizeof jpb, "%s/twosrv-b.journal", dir);
    unlink(jpb);
    db_t *db = open_db(dbp);
    pu_err e;
    audit_journal *ja, *jb;
    assert_int_equal(audit_journal_open(jpa, dbp, &ja, &e), PU_OK);
    assert_int_equal(audit_journal_open(jpb, dbp, &jb, &e), PU_OK);
    assert_string_not_equal(audit_journal_id(ja), audit_journal_id(jb));
    enum { PER = 3000 };
    appender aa = {ja, "sa", PER}, ab = {jb, "sb", PER};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, append_many, &aa), 0);
    assert_int_equal(pthread_create(&tb, NULL, append_many, &ab), 0);
    /* `puente audit verify` beside both, while they append */
    int64_t n;
    for (int k = 0; k < 5; k++) {
        assert_int_equal(audit_journal_recover(db, jpa, &n, &e), PU_OK);
        assert_int_equal(audit_journal_recover(db, jpb, &n, &e), PU_OK);
        usleep(5000);
    }
    void *ra, *rb;
    pthread_join(ta, &ra);
    pthread_join(tb, &rb);
    assert_null(ra);
    assert_null(rb);
    audit_journal_close(ja);
    audit_journal_close(jb);
    assert_int_equal(count(db, "user_name = 'sa'"), PER);
    assert_int_equal(count(db, "user_name = 'sb'"), PER);
    assert_int_equal(count(db, "1"), 2 * PER);
    /* each entry once: as many distinct targets as entries */
    db_stmt *st;
    assert_int_equal(db_prepare(db, "SELECT COUNT(DISTINCT targets) FROM audit_log", &st, &e), PU_OK);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_int64(st, 0), 2 * PER);
    db_finalize(st);
    assert_intact(db, 2 * PER);
    db_close(db);
}

/* A journal file of before journal ids (header without "journal="): read
 * as journal "", whose mark migration 6 took over from audit_meta. */
static void test_header_without_journal_id(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("oldhdr", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    char id[AUDIT_STORE_ID_HEX];
    assert_int_equal(audit_store_id(db, id, &e), PU_OK);
    enum { HALF = 4096, HDR = 4096 };
    char *file = calloc(1, HDR + 2 * HALF);
    assert_non_null(file);
    snprintf(file, HDR, "puente-audit-journal v1 store=%s half=%d\n", id, HALF);
    snprintf(file + HDR, HALF, "1\t2026-01-02T03:04:05Z\thttp\told\tDEA\tentity.read\te1\tsuccess\t\n");
    FILE *f = fopen(jp, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(file, 1, HDR + 2 * HALF, f), HDR + 2 * HALF);
    fclose(f);
    free(file);
    int64_t n;
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK);
    assert_int_equal(n, 1);
    /* the header parser on its own: the three shapes, and a bad journal id */
    char st[AUDIT_STORE_ID_HEX], jid[AUDIT_JOURNAL_ID_HEX];
    size_t half;
    assert_int_equal(audit_journal_header("h", "1\t2026", st, &half, jid, &e), PU_OK);
    assert_true(half == 0 && !st[0] && !jid[0]);
    assert_int_equal(audit_journal_header("h", "puente-audit-journal v1 store=ab half=8192\n", st, &half, jid, &e), PU_OK);
    assert_true(half == 8192 && strcmp(st, "ab") == 0 && !jid[0]);
    assert_int_equal(audit_journal_header("h", "puente-audit-journal v1 store=ab half=8192 journal=0123456789abcdef0123456789ABCDEF\n",
                                          st, &half, jid, &e), PU_OK);
    assert_string_equal(jid, "0123456789abcdef0123456789ABCDEF");
    assert_int_equal(audit_journal_header("h", "puente-audit-journal v1 store=ab half=8192 journal=xyz\n", st, &half, jid, &e),
                     PU_ERR_INVALID);
    assert_string_equal(e.field, "journal");
    assert_int_equal(audit_journal_header("h", "puente-audit-journal v1 store=ab half=0\n", st, &half, jid, &e), PU_ERR_INVALID);
    int64_t js;
    assert_int_equal(audit_journal_seq(db, "", &js, &e), PU_OK);
    assert_int_equal(js, 1);
    assert_int_equal(count(db, "user_name = 'old'"), 1);
    db_close(db);
}

/* The chain cannot be written any more (or again): entries wait in the journal. */
static void refuse_chain(db_t *db, int on) {
    pu_err e;
    assert_int_equal(db_exec(db, on ? "CREATE TRIGGER refuse BEFORE INSERT ON audit_log "
                                      "BEGIN SELECT RAISE(ABORT, 'test: the store refuses'); END"
                                    : "DROP TRIGGER refuse", &e), PU_OK);
}

static char big_detail[1000];

static int64_t fill(audit_journal *j, int n, const char *detail, int sync_every, int *refused) {
    pu_err e;
    int64_t ok = 0;
    *refused = 0;
    for (int i = 0; i < n; i++) {
        audit_event ev = {"http", "ana", "DEA", "entity.read", "bulk", "success", detail, NULL, NULL};
        int rc = audit_journal_append(j, &ev, &e);
        if (rc == PU_OK) ok++;
        else {
            assert_int_equal(rc, PU_ERR_LIMIT);
            assert_non_null(strstr(e.msg, "refuses")); /* says why: the store's error */
            (*refused)++;
        }
        if (sync_every && i % sync_every == sync_every - 1) assert_int_equal(audit_journal_sync(j, &e), PU_OK);
    }
    return ok;
}

static void test_full_journal_fails_closed_then_recovers(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("full", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    audit_journal *j;
    /* two halves of 64 KiB: about 70 entries of 1 KiB each */
    assert_int_equal(audit_journal_open_sized(jp, dbp, 1000, &j, &e), PU_ERR_INVALID);
    assert_int_equal(audit_journal_open_sized(jp, dbp, 65536, &j, &e), PU_OK);
    const char *detail = big_detail;
    /* the chain cannot be written: entries wait in the journal until it is full */
    refuse_chain(db, 1);
    int refused;
    int64_t kept = fill(j, 1, detail, 0, &refused);
    usleep(200 * 1000); /* the thread has tried and failed by now */
    kept += fill(j, 199, detail, 0, &refused);
    assert_true(kept > 60 && kept < 140);
    assert_int_equal(refused, 200 - kept);
    assert_int_equal(count(db, "1"), 0);
    /* the store works again: the thread retries and everything kept arrives */
    refuse_chain(db, 0);
    assert_int_equal(audit_journal_sync(j, &e), PU_OK);
    assert_int_equal(count(db, "1"), kept);
    /* ten times the file's size passes through: halves are recycled */
    assert_int_equal(fill(j, 1300, detail, 20, &refused), 1300);
    audit_journal_close(j);
    assert_int_equal(count(db, "1"), kept + 1300);
    assert_intact(db, kept + 1300);
    db_close(db);
}

static void test_killed_server_halves_are_read_back(void **state) {
    (void)state;
    char dbp[512], jp[512];
    paths("halves", dbp, jp);
    db_t *db = open_db(dbp);
    pu_err e;
    audit_journal *j;
    assert_int_equal(audit_journal_open_sized(jp, dbp, 65536, &j, &e), PU_OK);
    refuse_chain(db, 1);
    int refused;
    int64_t kept = fill(j, 40, big_detail, 0, &refused); /* spans both halves (switch at 8 KiB) */
    assert_int_equal(kept, 40);
    /* what a killed server leaves: its file as it is (read beside it, then "killed") */
    int fd = open(jp, O_RDONLY);
    assert_true(fd >= 0);
    char copy[600];
    snprintf(copy, sizeof copy, "%s.copy", jp);
    FILE *out = fopen(copy, "w");
    char buf[65536];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) assert_int_equal(fwrite(buf, 1, (size_t)r, out), (size_t)r);
    fclose(out);
    close(fd);
    /* the journal names its store: another store's trail refuses it */
    char other[512], ojp[512];
    paths("other", other, ojp);
    db_t *odb = open_db(other);
    int64_t n;
    assert_int_equal(audit_journal_recover(odb, copy, &n, &e), PU_ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "another store"));
    rename(copy, ojp);
    audit_journal *oj;
    assert_int_equal(audit_journal_open(ojp, other, &oj, &e), PU_ERR_CONFLICT);
    assert_int_equal(count(odb, "1"), 0);
    rename(ojp, copy);
    db_close(odb);
    unlink(copy);
    /* the server stops while the chain still refuses: its entries stay in its file */
    audit_journal_close(j);
    assert_true(file_size(jp) > 65536);
    refuse_chain(db, 0);
    assert_int_equal(audit_journal_recover(db, jp, &n, &e), PU_OK);
    assert_int_equal(n, 40);
    assert_int_equal(count(db, "1"), 40);
    assert_int_equal(file_size(jp), 0);
    assert_intact(db, 40);
    db_close(db);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/puente-journal-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return 1;
    memset(big_detail, 'x', sizeof big_detail - 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_roundtrip_and_torn), cmocka_unit_test(test_parse_refuses_bad_lines),
        cmocka_unit_test(test_staged_once_and_no_gap),   cmocka_unit_test(test_server_journal_roundtrip),
        cmocka_unit_test(test_recover_after_crash),      cmocka_unit_test(test_corrupt_journal_stops_the_server),
        cmocka_unit_test(test_cli_beside_running_server), cmocka_unit_test(test_full_journal_fails_closed_then_recovers),
        cmocka_unit_test(test_killed_server_halves_are_read_back),
        cmocka_unit_test(test_two_journals_never_twice), cmocka_unit_test(test_two_servers_own_journals),
        cmocka_unit_test(test_header_without_journal_id),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
