/* acl_policy.c - password policy, store-wide settings and two-person role
 * grants (see access.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "access/access_int.h"

/* ---- password policy ---- */
#define BLOCK_WORD_MAX 64

/* Always refused, whatever the list file says (the commonest passwords and
 * the framework's own names; source: the top of the Openwall list). */
static const char *const builtin_block[] = {
    "password", "123456", "12345678", "123456789", "1234567890", "qwerty", "qwertyuiop", "abc123", "letmein",
    "welcome", "iloveyou", "admin", "administrator", "monkey", "dragon", "football", "baseball", "master",
    "sunshine", "trustno1", "passw0rd", "contraseña", "contrasena", "puente", "changeme", "secret", NULL};

static char **block_words;
static size_t block_n;
static pthread_once_t block_once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Load the list file once (lines, '#!comment' lines skipped), folded to lower
 * case and sorted for bsearch. A missing file leaves the built-in list. */
static void block_load(void) {
    const char *path = getenv("PUENTE_PASSWORD_BLOCKLIST");
    FILE *f = fopen(path && *path ? path : ACL_PASSWORD_BLOCKLIST, "r");
    if (!f) return;
    size_t cap = 0;
    char line[BLOCK_WORD_MAX + 2];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' && line[1] == '!') continue;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        for (char *c = line; *c; c++) *c = (char)tolower((unsigned char)*c);
        if (block_n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            char **nv = realloc(block_words, nc * sizeof *nv);
            if (!nv) break;
            block_words = nv;
            cap = nc;
        }
        if (!(block_words[block_n] = strdup(line))) break;
        block_n++;
    }
    fclose(f);
    qsort(block_words, block_n, sizeof *block_words, cmp_str);
}

static int blocked_word(const char *w) {
    if (!*w) return 0;
    for (size_t i = 0; builtin_block[i]; i++)
        if (strcmp(w, builtin_block[i]) == 0) return 1;
    pthread_once(&block_once, block_load);
    return block_n && bsearch(&w, block_words, block_n, sizeof *block_words, cmp_str) != NULL;
}

/* w is one shorter word repeated ("passwordpassword"), and that word is blocked. */
static int blocked_repeat(const char *w) {
    size_t n = strlen(w);
    for (size_t k = 1; k <= n / 2; k++) {
        if (n % k) continue;
        size_t i = k;
        while (i < n && strncmp(w + i, w, k) == 0) i += k;
        if (i == n) {
            char unit[BLOCK_WORD_MAX + 1];
            if (k > BLOCK_WORD_MAX) return 0;
            memcpy(unit, w, k);
            unit[k] = '\0';
            return k == 1 || blocked_word(unit);
        }
    }
    return 0;
}

int acl_password_check(const char *user, const char *pw, pu_err *err) {
    size_t n = pw ? strlen(pw) : 0;
    if (n < ACL_PASSWORD_MIN || n > ACL_PASSWORD_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "password", "expected %d-%d characters, got %zu", ACL_PASSWORD_MIN,
                       ACL_PASSWORD_MAX, n);
    if (!pu_utf8_valid(pw, n)) return pu_fail(err, PU_ERR_INVALID, NULL, "password", "expected valid UTF-8");
    char low[ACL_PASSWORD_MAX + 1];
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)pw[i]);
    int bad = blocked_word(low) || blocked_repeat(low);
    /* the same with trailing digits and punctuation taken off: "Password2024!" */
    size_t m = n;
    while (m > 0 && (isdigit((unsigned char)low[m - 1]) || ispunct((unsigned char)low[m - 1]) || low[m - 1] == ' '))
        m--;
    char stem[ACL_PASSWORD_MAX + 1];
    memcpy(stem, low, m);
    stem[m] = '\0';
    if (!bad && m < n) bad = m == 0 || blocked_word(stem) || blocked_repeat(stem);
    if (bad)
        return pu_fail(err, PU_ERR_INVALID, NULL, "password",
                       "this password is too common (it is on the list of passwords attackers try first)");
    if (user && *user && strlen(user) >= 3) {
        char ulow[ACL_NAME_MAX];
        pu_strlcpy(ulow, user, sizeof ulow);
        for (char *c = ulow; *c; c++) *c = (char)tolower((unsigned char)*c);
        if (strstr(low, ulow))
            return pu_fail(err, PU_ERR_INVALID, NULL, "password", "the password must not contain the user name");
    }
    return PU_OK;
}

/* ---- settings ---- */
const char ACL_BANNER_DEFAULT[] =
    "This is a system of the US-Mexico Bicentennial Framework for official use by authorised users only. "
    "Every use is recorded and audited; unauthorised use may be prosecuted. / "
    "Este es un sistema del Marco Bicentenario México-Estados Unidos para uso oficial de usuarios autorizados. "
    "Todo uso queda registrado y auditado; el uso no autorizado puede ser sancionado.";

static const char *setting_default(const char *key) {
    if (!key) return NULL;
    if (strcmp(key, "banner") == 0) return ACL_BANNER_DEFAULT;
    if (strcmp(key, "mfa-roles") == 0) return ACL_MFA_ROLES_DEFAULT;
    if (strcmp(key, "token-days") == 0) return "90";
    return NULL;
}

int acl_setting_get(db_t *db, const char *key, char *out, size_t size, pu_err *err) {
    const char *def = setting_default(key);
    if (!def) return pu_fail(err, PU_ERR_INVALID, NULL, "key", "unknown setting '%s'", key ? key : "");
    db_stmt *st;
    int rc = db_prepare(db, "SELECT value FROM acl_setting WHERE key = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, key, -1);
    rc = db_step(st, err);
    const char *v = rc == DB_ROW ? db_col_text(st, 0) : def;
    if (rc == DB_ROW || rc == DB_DONE)
        rc = pu_strlcpy(out, v ? v : "", size) >= size ? pu_fail(err, PU_ERR_LIMIT, NULL, key, "value too long")
                                                        : PU_OK;
    db_finalize(st);
    return rc;
}

static int check_roles_list(const char *v, pu_err *err) {
    char buf[256];
    if (pu_strlcpy(buf, v, sizeof buf) >= sizeof buf) return pu_fail(err, PU_ERR_LIMIT, NULL, "mfa-roles", "too long");
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (!acl_role_valid(t)) return pu_fail(err, PU_ERR_INVALID, NULL, "mfa-roles", "unknown role '%s'", t);
    return PU_OK;
}

int acl_setting_set(db_t *db, const char *key, const char *value, pu_err *err) {
    if (!setting_default(key)) return pu_fail(err, PU_ERR_INVALID, NULL, "key", "unknown setting '%s'; expected banner, mfa-roles or token-days", key ? key : "");
    if (!value || strlen(value) >= ACL_SETTING_MAX || !pu_utf8_valid(value, strlen(value)))
        return pu_fail(err, PU_ERR_INVALID, NULL, key, "expected valid UTF-8 text of at most %d bytes", ACL_SETTING_MAX - 1);
    int rc;
    if (strcmp(key, "mfa-roles") == 0 && (rc = check_roles_list(value, err))) return rc;
    if (strcmp(key, "token-days") == 0) {
        char *end;
        long d = strtol(value, &end, 10);
        if (*end || end == value || d < 1 || d > ACL_TOKEN_DAYS_MAX)
            return pu_fail(err, PU_ERR_INVALID, NULL, key, "expected 1-%d, got '%s'", ACL_TOKEN_DAYS_MAX, value);
    }
    const char *p[] = {key};
    if ((rc = acl_exec(db, "DELETE FROM acl_setting WHERE key = ?", p, 1, NULL, err))) return rc;
    const char *q[] = {key, value};
    return acl_exec(db, "INSERT INTO acl_setting(key, value) VALUES (?,?)", q, 2, NULL, err);
}

int acl_mfa_required(db_t *db, const char *role) {
    char v[256];
    if (!role || acl_setting_get(db, "mfa-roles", v, sizeof v, NULL) != PU_OK) return 1; /* fail closed */
    for (char *save = NULL, *t = strtok_r(v, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (strcmp(t, role) == 0) return 1;
    return 0;
}

/* ---- two-person role grants ---- */
#define GRANT_SQL "SELECT id, user_name, agency, role, requested_by, state, decided_by, created FROM acl_grant "

static void grant_from_row(db_stmt *st, acl_grant *g) {
    memset(g, 0, sizeof *g);
    g->id = db_col_int64(st, 0);
    pu_strlcpy(g->user, db_col_text(st, 1), sizeof g->user);
    pu_strlcpy(g->agency, db_col_text(st, 2), sizeof g->agency);
    pu_strlcpy(g->role, db_col_text(st, 3), sizeof g->role);
    pu_strlcpy(g->requested_by, db_col_text(st, 4), sizeof g->requested_by);
    pu_strlcpy(g->state, db_col_text(st, 5), sizeof g->state);
    pu_strlcpy(g->decided_by, db_col_text(st, 6), sizeof g->decided_by);
    g->created = db_col_int64(st, 7);
}

int acl_grant_request(db_t *db, const acl_principal *admin, const char *user, const char *role, int64_t now,
                      int64_t *id, pu_err *err) {
    if (!admin || !(admin->perms & ACL_P_ADMIN))
        return pu_fail(err, PU_ERR_DENIED, NULL, NULL, "only administrators request roles");
    if (!acl_role_valid(role))
        return pu_fail(err, PU_ERR_INVALID, NULL, "role",
                       "expected analyst, supervisor, forensic, tip-handler, protection-officer, admin or auditor, got '%s'", role ? role : "");
    acl_principal u;
    if (acl_user_get(db, user, &u, NULL) != PU_OK || strcmp(u.agency, admin->agency) != 0)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "name", "no user '%s' in agency %s", user ? user : "", admin->agency);
    db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO acl_grant(user_name, agency, role, requested_by, created) VALUES (?,?,?,?,?) "
                        "RETURNING id",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, u.user, -1);
    db_bind_text(st, 2, u.agency, -1);
    db_bind_text(st, 3, role, -1);
    db_bind_text(st, 4, admin->user, -1);
    db_bind_int64(st, 5, now);
    rc = db_insert_id(st, id, err);
    db_finalize(st);
    return rc;
}

static int grant_get(db_t *db, int64_t id, acl_grant *g, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, GRANT_SQL "WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        grant_from_row(st, g);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no role grant %lld", (long long)id);
    }
    db_finalize(st);
    return rc;
}

static int grant_decide_in_tx(db_t *db, const acl_principal *approver, int64_t id, int approve, int64_t now,
                              acl_grant *g, pu_err *err) {
    int rc = grant_get(db, id, g, err);
    if (rc) return rc;
    /* another agency's grants do not exist for this approver */
    if (strcmp(g->state, "pending") != 0 || (approver && strcmp(approver->agency, g->agency) != 0))
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "id", "no pending role grant %lld", (long long)id);
    if (approver && !(approver->perms & ACL_P_ADMIN))
        return pu_fail(err, PU_ERR_DENIED, NULL, NULL, "only administrators decide role grants");
    if (approve && approver && strcmp(approver->user, g->requested_by) == 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, "id", "a second administrator must approve a grant you requested");
    if (approve && approver && strcmp(approver->user, g->user) == 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, "id", "nobody approves a role for themself");
    const char *by = approver ? approver->user : "operator";
    db_stmt *st;
    if ((rc = db_prepare(db, "UPDATE acl_grant SET state = ?, decided_by = ?, decided = ? WHERE id = ? AND state = 'pending'",
                         &st, err)))
        return rc;
    db_bind_text(st, 1, approve ? "approved" : "rejected", -1);
    db_bind_text(st, 2, by, -1);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, id);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc == PU_OK && approve) rc = acl_user_set_role(db, g->user, g->role, err);
    if (rc == PU_OK) {
        pu_strlcpy(g->state, approve ? "approved" : "rejected", sizeof g->state);
        pu_strlcpy(g->decided_by, by, sizeof g->decided_by);
    }
    return rc;
}

int acl_grant_decide(db_t *db, const acl_principal *approver, int64_t id, int approve, int64_t now, acl_grant *out,
                     pu_err *err) {
    int own, rc;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    acl_grant g;
    rc = grant_decide_in_tx(db, approver, id, approve, now, &g, err);
    rc = acl_tx_end(db, own, rc, err);
    if (rc == PU_OK && out) *out = g;
    return rc;
}

int acl_grant_list(db_t *db, const char *agency, acl_grant **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, agency ? GRANT_SQL "WHERE state = 'pending' AND agency = ? ORDER BY id"
                                   : GRANT_SQL "WHERE state = 'pending' ORDER BY id",
                        &st, err);
    if (rc) return rc;
    if (agency) db_bind_text(st, 1, agency, -1);
    acl_grant *v = NULL;
    size_t len = 0, cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 8;
            acl_grant *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        grant_from_row(st, &v[len++]);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        free(v);
        return rc;
    }
    *out = v;
    *n = len;
    return PU_OK;
}
