/* protect_db.c - the protect tables, session checks, the audit of every
 * read, cases and their members (key rotation on removal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "audit/audit.h"
#include "protect/protect_int.h"

static const char *const MIGRATIONS[] = {
    /* v1. Plain columns: ids, dates, catalogue codes, states, statuses.
     * Everything that identifies or locates a person is in protect_sealed. */
    "CREATE TABLE protect_user_key (user_name TEXT PRIMARY KEY, public_key TEXT NOT NULL, salt TEXT NOT NULL,"
    " ops {INT} NOT NULL, mem {INT} NOT NULL, sealed_secret TEXT NOT NULL);"
    "CREATE TABLE protect_case (id TEXT PRIMARY KEY, owner TEXT NOT NULL, marking TEXT NOT NULL,"
    " kind TEXT NOT NULL, path TEXT NOT NULL, state_code TEXT NOT NULL, status TEXT NOT NULL,"
    " received {INT} NOT NULL, key_version {INT} NOT NULL, created_by TEXT NOT NULL);"
    "CREATE TABLE protect_member (case_id TEXT NOT NULL REFERENCES protect_case(id), user_name TEXT NOT NULL,"
    " key_version {INT} NOT NULL, wrapped TEXT NOT NULL, added_by TEXT NOT NULL, added_day TEXT NOT NULL,"
    " PRIMARY KEY (case_id, user_name));"
    "CREATE TABLE protect_sealed (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id), kind TEXT NOT NULL,"
    " rec_id {INT} NOT NULL, field TEXT NOT NULL, key_version {INT} NOT NULL, value {BLOB} NOT NULL,"
    " UNIQUE (case_id, kind, rec_id, field));"
    "CREATE TABLE protect_tag (case_id TEXT NOT NULL REFERENCES protect_case(id), person_id {INT} NOT NULL,"
    " tag TEXT NOT NULL);"
    "CREATE INDEX protect_tag_tag ON protect_tag (case_id, tag);"
    "CREATE TABLE protect_person (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id), role TEXT NOT NULL,"
    " occupation TEXT NOT NULL);"
    "CREATE TABLE protect_contact (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id),"
    " person_id {INT} NOT NULL, channel TEXT NOT NULL);"
    "CREATE TABLE protect_place (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id),"
    " person_id {INT} NOT NULL, day TEXT NOT NULL, state_code TEXT NOT NULL);"
    "CREATE TABLE protect_incident (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id), day TEXT NOT NULL,"
    " state_code TEXT NOT NULL, type TEXT NOT NULL, place_id {INT}, entity_ref TEXT);"
    "CREATE TABLE protect_evidence (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id),"
    " incident_id {INT} NOT NULL, size {INT} NOT NULL);"
    "CREATE TABLE protect_step (case_id TEXT NOT NULL REFERENCES protect_case(id), step TEXT NOT NULL,"
    " at {INT} NOT NULL, by_user TEXT NOT NULL, PRIMARY KEY (case_id, step));"
    "CREATE TABLE protect_study (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id), version {INT} NOT NULL,"
    " level TEXT NOT NULL, analyst TEXT NOT NULL, board TEXT NOT NULL, next_review TEXT NOT NULL,"
    " at {INT} NOT NULL, by_user TEXT NOT NULL, UNIQUE (case_id, version));"
    "CREATE TABLE protect_measure (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id), code TEXT NOT NULL,"
    " provider TEXT NOT NULL, cost {REAL} NOT NULL, urgent {BOOL} NOT NULL, status TEXT NOT NULL,"
    " requested {INT} NOT NULL, updated {INT} NOT NULL, active_from {INT}, withdrawn_at {INT});"
    "CREATE TABLE protect_measure_event (id {ID}, measure_id {INT} NOT NULL, from_status TEXT NOT NULL,"
    " to_status TEXT NOT NULL, at {INT} NOT NULL, by_user TEXT NOT NULL);"
    "CREATE TABLE protect_prosecution (id {ID}, case_id TEXT NOT NULL REFERENCES protect_case(id),"
    " incident_id {INT} NOT NULL, authority TEXT NOT NULL, outcome TEXT NOT NULL);",
};

int protect_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "protect", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

/* ---- helpers ---- */
int pr_ready(const protect_session *s, pu_err *err) {
    if (!s || !s->unlocked || !(s->perms & ACL_P_PROTECT))
        return pu_fail(err, PU_ERR_DENIED, NULL, "user", "protection cases are read only by protection officers with their unlocked key");
    return PU_OK;
}

int pr_ready_read(const protect_session *s, pu_err *err) {
    int rc = pr_ready(s, err);
    if (rc == PU_OK && strlen(s->purpose) < PROTECT_PURPOSE_MIN)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "every read of a protection case states its purpose (at least %d characters)",
                     PROTECT_PURPOSE_MIN);
    return rc;
}

int protect_set_purpose(protect_session *s, const char *purpose, pu_err *err) {
    if (!purpose || strlen(purpose) < PROTECT_PURPOSE_MIN || strlen(purpose) > PROTECT_PURPOSE_MAX ||
        !pu_utf8_valid(purpose, strlen(purpose)))
        return pu_fail(err, PU_ERR_INVALID, NULL, "purpose", "a purpose of %d to %d characters is required",
                       PROTECT_PURPOSE_MIN, PROTECT_PURPOSE_MAX);
    pu_strlcpy(s->purpose, purpose, sizeof s->purpose);
    return PU_OK;
}

int64_t pr_now(const protect_session *s) { return s && s->now ? s->now : (int64_t)time(NULL); }

void pr_day(int64_t t, char out[11]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
}

int pr_audit(protect_session *s, const char *action, const char *case_id, const char *targets, const char *outcome,
             pu_err *err) {
    char t[256];
    (void)pu_snprintf(t, sizeof t, "%s%s%s", case_id ? case_id : "", targets && *targets ? "," : "",
                      targets ? targets : "");
    audit_event ev = {"protect", s->user, s->agency, action, t, outcome ? outcome : "success", "",
                      s->source ? s->source : "cli", s->purpose};
    return audit_append(s->db, &ev, err);
}

int pr_catalogue(const char *csv, const char *code, int col, char *out, size_t size) {
    size_t cl = strlen(code);
    if (out && size) out[0] = '\0';
    for (const char *line = csv; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (cl && len > cl && !strncmp(line, code, cl) && line[cl] == ',') {
            const char *f = line;
            for (int i = 0; i < col && f; i++) {
                f = memchr(f, ',', len - (size_t)(f - line));
                if (f) f++;
            }
            if (f && out) {
                size_t fl = strcspn(f, ",\n");
                if (fl >= size) fl = size - 1;
                memcpy(out, f, fl);
                out[fl] = '\0';
            }
            return 1;
        }
        line = end ? end + 1 : NULL;
    }
    return 0;
}

int protect_measure_known(const char *code) { return code && *code && pr_catalogue(protect_measures_csv, code, 0, NULL, 0); }
int protect_aggression_known(const char *code) {
    return code && *code && pr_catalogue(protect_aggressions_csv, code, 0, NULL, 0);
}

int pr_tx(db_t *db, pr_tx_fn f, void *ctx, pu_err *err) {
    if (db_in_tx(db)) return f(ctx, err); /* the caller's transaction (the HTTP shell's) */
    int rc = db_begin(db, err);
    if (rc) return rc;
    rc = f(ctx, err);
    if (rc == PU_OK) return db_commit(db, err);
    db_rollback(db);
    return rc;
}

/* ---- cases ---- */
static void new_id(char out[PROTECT_ID_MAX]) {
    static const char B32[] = "abcdefghijkmnpqrstuvwxyz23456789";
    unsigned char r[16];
    randombytes_buf(r, sizeof r);
    memcpy(out, "pc-", 3);
    for (int i = 0; i < 16; i++) out[3 + i] = B32[r[i] & 31];
    out[19] = '\0';
}

static int one_of(const char *v, const char *const *allowed) {
    for (; v && *allowed; allowed++)
        if (!strcmp(v, *allowed)) return 1;
    return 0;
}

static int valid_state(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z') return 0;
    return 1;
}
int pr_valid_state(const char *s) { return valid_state(s); }

typedef struct open_ctx {
    protect_session *s;
    const protect_case_in *in;
    const char *id;
    int64_t received;
} open_ctx;

static int open_tx(void *vc, pu_err *err) {
    open_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    db_stmt *st;
    int rc = db_prepare(c->s->db, "INSERT INTO protect_case (id, owner, marking, kind, path, state_code, status, received,"
                                  " key_version, created_by) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, 1, ?)", &st, err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, c->id, -1);
        db_bind_text(st, 2, c->in->owner && *c->in->owner ? c->in->owner : c->s->agency, -1);
        db_bind_text(st, 3, STORE_DEFAULT_MARKING, -1);
        db_bind_text(st, 4, c->in->kind, -1);
        db_bind_text(st, 5, c->in->path, -1);
        db_bind_text(st, 6, c->in->state, -1);
        db_bind_int64(st, 7, c->received);
        db_bind_text(st, 8, c->s->user, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (rc == PU_OK) rc = pr_wrap_for(c->s->db, c->id, c->s->user, key, 1, c->s->user, pr_now(c->s), err);
    sodium_memzero(key, sizeof key);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.case.open", c->id, NULL, "success", err);
    return rc;
}

int protect_case_open(protect_session *s, const protect_case_in *in, char id[PROTECT_ID_MAX], pu_err *err) {
    static const char *const kinds[] = {"journalist", "defender", "collective", NULL};
    static const char *const paths[] = {"ordinary", "extraordinary", NULL};
    int rc = pr_ready(s, err);
    if (rc) return rc;
    if (!one_of(in->kind, kinds)) return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected journalist, defender or collective");
    if (!one_of(in->path, paths)) return pu_fail(err, PU_ERR_INVALID, NULL, "path", "expected ordinary or extraordinary");
    if (!valid_state(in->state)) return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected a state code such as GRO");
    new_id(id);
    open_ctx c = {s, in, id, in->received ? in->received : pr_now(s)};
    return pr_tx(s->db, open_tx, &c, err);
}

/* ---- members ---- */
typedef struct member_ctx {
    protect_session *s;
    const char *case_id, *user;
} member_ctx;

static int member_add_tx(void *vc, pu_err *err) {
    member_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    int version = 0;
    int rc = pr_case_key(c->s, c->case_id, key, &version, err);
    if (rc) return rc;
    int64_t have = 0;
    db_stmt *st;
    if ((rc = db_prepare(c->s->db, "SELECT COUNT(*) FROM protect_member WHERE case_id = ? AND user_name = ?", &st, err)) == PU_OK) {
        db_bind_text(st, 1, c->case_id, -1);
        db_bind_text(st, 2, c->user, -1);
        if ((rc = db_step(st, err)) == DB_ROW) have = db_col_int64(st, 0), rc = PU_OK;
        db_finalize(st);
    }
    if (rc == PU_OK && have) rc = pu_fail(err, PU_ERR_CONFLICT, c->case_id, "user", "%s is already a member", c->user);
    acl_principal p;
    if (rc == PU_OK && (rc = acl_user_get(c->s->db, c->user, &p, err)) == PU_OK && !(acl_role_perms(p.role) & ACL_P_PROTECT))
        rc = pu_fail(err, PU_ERR_DENIED, c->user, "user", "only protection officers may be members of a case");
    if (rc == PU_OK) rc = pr_wrap_for(c->s->db, c->case_id, c->user, key, version, c->s->user, pr_now(c->s), err);
    sodium_memzero(key, sizeof key);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.member.add", c->case_id, c->user, "success", err);
    return rc;
}

int protect_member_add(protect_session *s, const char *case_id, const char *user, pu_err *err) {
    member_ctx c = {s, case_id, user};
    return pr_tx(s->db, member_add_tx, &c, err);
}

static int set_version(db_t *db, const char *case_id, int v, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "UPDATE protect_case SET key_version = ? WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, v);
    db_bind_text(st, 2, case_id, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

/* The remaining members' names (after the removal), NUL-separated in b. */
static int members_of(db_t *db, const char *case_id, pu_buf *b, size_t *n, pu_err *err) {
    db_stmt *st;
    *n = 0;
    int rc = db_prepare(db, "SELECT user_name FROM protect_member WHERE case_id = ? ORDER BY user_name", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (pu_buf_puts(b, db_col_text(st, 0)) || pu_buf_putc(b, '\n')) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
        (*n)++;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int member_remove_tx(void *vc, pu_err *err) {
    member_ctx *c = vc;
    unsigned char old[PR_KEY_BYTES], nk[PR_KEY_BYTES];
    int ov = 0;
    int rc = pr_case_key(c->s, c->case_id, old, &ov, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(c->s->db, "DELETE FROM protect_member WHERE case_id = ? AND user_name = ?", &st, err)) == PU_OK) {
        db_bind_text(st, 1, c->case_id, -1);
        db_bind_text(st, 2, c->user, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (rc == PU_OK && db_changes(c->s->db) == 0)
        rc = pu_fail(err, PU_ERR_NOTFOUND, c->case_id, "user", "%s is not a member of the case", c->user);
    pu_buf names = PU_BUF_INIT(1 << 20);
    size_t n = 0;
    if (rc == PU_OK) rc = members_of(c->s->db, c->case_id, &names, &n, err);
    if (rc == PU_OK && n == 0) rc = pu_fail(err, PU_ERR_CONFLICT, c->case_id, "user", "a case keeps at least one member");
    crypto_aead_xchacha20poly1305_ietf_keygen(nk);
    if (rc == PU_OK) rc = pr_reseal_case(c->s->db, c->case_id, old, ov, nk, ov + 1, err);
    if (rc == PU_OK) rc = set_version(c->s->db, c->case_id, ov + 1, err);
    char *save = NULL, *list = n ? pu_buf_detach(&names) : NULL;
    for (char *u = list ? strtok_r(list, "\n", &save) : NULL; rc == PU_OK && u; u = strtok_r(NULL, "\n", &save))
        rc = pr_wrap_for(c->s->db, c->case_id, u, nk, ov + 1, c->s->user, pr_now(c->s), err);
    free(list);
    pu_buf_free(&names);
    sodium_memzero(old, sizeof old);
    sodium_memzero(nk, sizeof nk);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.member.remove", c->case_id, c->user, "success", err);
    return rc;
}

int protect_member_remove(protect_session *s, const char *case_id, const char *user, pu_err *err) {
    member_ctx c = {s, case_id, user};
    return pr_tx(s->db, member_remove_tx, &c, err);
}
