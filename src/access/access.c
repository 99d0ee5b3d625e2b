/* access.c - agencies, users, roles, markings (see access.h). */
#include "access/access.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access_int.h"

static const char *const migrations[] = {
    "CREATE TABLE acl_agency ("
    " acronym TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " country TEXT NOT NULL CHECK (country IN ('US','MX')),"
    " created TEXT NOT NULL);"
    "CREATE TABLE acl_user ("
    " id {ID},"
    " name TEXT NOT NULL UNIQUE,"
    " agency TEXT NOT NULL REFERENCES acl_agency(acronym),"
    " role TEXT NOT NULL,"
    " pwhash TEXT,"
    " failures {INT} NOT NULL DEFAULT 0,"
    " locked_until {INT} NOT NULL DEFAULT 0,"
    " disabled {BOOL} NOT NULL DEFAULT 0,"
    " created TEXT NOT NULL);"
    /* kind: 't' API token, 's' session. hash: hex BLAKE2b-256 of the secret. */
    "CREATE TABLE acl_secret ("
    " id {ID},"
    " hash TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('t','s')),"
    " user_id {INT} NOT NULL REFERENCES acl_user(id),"
    " prefix TEXT NOT NULL,"
    " created {INT} NOT NULL,"
    " last_used {INT} NOT NULL);"
    "CREATE INDEX acl_secret_user ON acl_secret(user_id);",
    /* 2: last-logon notice, second factor, token expiry and scope, session
     * scope, two-person role grants, settings (docs/access.md) */
    "ALTER TABLE acl_user ADD COLUMN login_at {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_user ADD COLUMN login_src TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE acl_user ADD COLUMN prev_login_at {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_user ADD COLUMN prev_login_src TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE acl_user ADD COLUMN failed_recent {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_user ADD COLUMN failed_before {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_user ADD COLUMN totp_key TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE acl_user ADD COLUMN totp_on {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_user ADD COLUMN totp_step {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_secret ADD COLUMN expires {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_secret ADD COLUMN readonly {INT} NOT NULL DEFAULT 0;"
    "ALTER TABLE acl_secret ADD COLUMN limited {INT} NOT NULL DEFAULT 0;"
    /* tokens made before expiry existed get the default lifetime from their creation */
    "UPDATE acl_secret SET expires = created + 7776000 WHERE kind = 't';"
    "CREATE TABLE acl_recovery ("
    " id {ID},"
    " user_id {INT} NOT NULL REFERENCES acl_user(id),"
    " hash TEXT NOT NULL UNIQUE);"
    "CREATE TABLE acl_grant ("
    " id {ID},"
    " user_name TEXT NOT NULL,"
    " agency TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " requested_by TEXT NOT NULL,"
    " created {INT} NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','approved','rejected')),"
    " decided_by TEXT NOT NULL DEFAULT '',"
    " decided {INT} NOT NULL DEFAULT 0);"
    "CREATE TABLE acl_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 1: the password was set by an administrator and must be changed at
     * the next login (acl_user_set_password; docs/access.md) */
    "ALTER TABLE acl_user ADD COLUMN pw_change {INT} NOT NULL DEFAULT 0;",
};

int acl_migrate(db_t *db, pu_err *err) {
    /* the account generation (ACL_GENERATION) lives in the store's table */
    int rc = store_migrate(db, err);
    if (rc) return rc;
    return db_migrate(db, "access", migrations, (int)(sizeof migrations / sizeof migrations[0]), err);
}

int64_t acl_now(void) { return (int64_t)time(NULL); }

/* ---- transactions: join the caller's, else run our own ---- */
int acl_tx_begin(db_t *db, int *own, pu_err *err) {
    *own = !db_in_tx(db);
    return *own ? db_begin(db, err) : PU_OK;
}

int acl_tx_end(db_t *db, int own, int rc, pu_err *err) {
    if (!own) return rc;
    if (rc != PU_OK) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

/* ---- roles ---- */
static const struct {
    const char *name;
    unsigned perms;
} roles[] = {
    {"analyst", ACL_P_READ | ACL_P_WRITE | ACL_P_SCREEN | ACL_P_REVIEW},
    {"supervisor", ACL_P_READ | ACL_P_WRITE | ACL_P_DELETE | ACL_P_SCREEN | ACL_P_REVIEW | ACL_P_EXPORT |
                       ACL_P_OVERSIGHT},
    /* DNA data is purpose-limited: only forensic scientists compute kinship
     * (not supervisors, not admins: docs/access.md, "Kinship data"). */
    {"forensic", ACL_P_READ | ACL_P_WRITE | ACL_P_SCREEN | ACL_P_FORENSIC},
    /* The tip line (docs/tips.md): tips come from the public and may name
     * the tipster by accident; only the handlers read them. */
    {"tip-handler", ACL_P_READ | ACL_P_SCREEN | ACL_P_TIPS},
    /* Protection of journalists and defenders (docs/protection.md): the
     * most restricted data; the role alone reads nothing, membership of a
     * case and the officer's own key do. READ to look up alleged
     * aggressors among the entities. */
    {"protection-officer", ACL_P_READ | ACL_P_PROTECT},
    /* Separation of duties (CJIS 5.5.2): administrators manage accounts and
     * auditors read the trail; neither reads case records. */
    {"admin", ACL_P_ADMIN},
    {"auditor", ACL_P_AUDIT},
};
#define NROLES (sizeof roles / sizeof roles[0])

const char *const *acl_role_names(void) {
    static const char *names[NROLES + 1];
    if (!names[0])
        for (size_t i = 0; i < NROLES; i++) names[i] = roles[i].name;
    return names;
}

int acl_role_valid(const char *role) { return acl_role_perms(role) != 0; }

/* A role an account may hold: a real role, or "none" while a grant waits. */
int acl_role_storable(const char *role) { return acl_role_valid(role) || (role && strcmp(role, ACL_ROLE_NONE) == 0); }

unsigned acl_role_perms(const char *role) {
    if (!role) return 0;
    for (size_t i = 0; i < NROLES; i++)
        if (strcmp(role, roles[i].name) == 0) return roles[i].perms;
    return 0;
}

/* ---- agencies ---- */
static int acronym_normalise(const char *in, char out[ACL_ACRONYM_MAX], pu_err *err) {
    size_t n = in ? strlen(in) : 0;
    if (n == 0 || n >= ACL_ACRONYM_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "acronym", "expected 1-%d characters, got %zu",
                       ACL_ACRONYM_MAX - 1, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        /* no '-': it separates an agency's id namespace from the id
         * (store_id_in_namespace), so "DEA" could otherwise squat "DEA-X"'s */
        if (!isalnum(c) && c != '/' && c != '_')
            return pu_fail(err, PU_ERR_INVALID, NULL, "acronym",
                           "expected letters, digits, '/' or '_' (no '-'), got '%s'", in);
        out[i] = (char)toupper(c);
    }
    out[n] = '\0';
    return PU_OK;
}

int acl_agency_add(db_t *db, const char *acronym, const char *name, const char *country, pu_err *err) {
    char acr[ACL_ACRONYM_MAX];
    int rc = acronym_normalise(acronym, acr, err);
    if (rc) return rc;
    if (pu_blank(name) || strlen(name) >= ACL_AGENCY_NAME_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name of 1-%d bytes",
                       ACL_AGENCY_NAME_MAX - 1);
    if (!pu_utf8_valid(name, strlen(name)))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected valid UTF-8");
    const char *cc = NULL;
    if (country && pu_strieq(country, "US")) cc = "US";
    if (country && pu_strieq(country, "MX")) cc = "MX";
    if (!cc)
        return pu_fail(err, PU_ERR_INVALID, NULL, "country", "expected US or MX, got '%s'",
                       country ? country : "");
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *st;
    if ((rc = db_prepare(db, "INSERT INTO acl_agency(acronym, name, country, created) VALUES (?,?,?,?)",
                         &st, err)))
        return rc;
    db_bind_text(st, 1, acr, -1);
    db_bind_text(st, 2, name, -1);
    db_bind_text(st, 3, cc, -1);
    db_bind_text(st, 4, now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc == PU_ERR_CONFLICT)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "acronym", "agency '%s' already exists", acr);
    return rc;
}

static void agency_from_row(db_stmt *st, acl_agency *a) {
    pu_strlcpy(a->acronym, db_col_text(st, 0), sizeof a->acronym);
    pu_strlcpy(a->name, db_col_text(st, 1), sizeof a->name);
    pu_strlcpy(a->country, db_col_text(st, 2), sizeof a->country);
}

int acl_agency_get(db_t *db, const char *acronym, acl_agency *out, pu_err *err) {
    char acr[ACL_ACRONYM_MAX];
    if (acronym_normalise(acronym, acr, NULL) != PU_OK)
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "agency", "no agency '%s'", acronym ? acronym : "");
    db_stmt *st;
    int rc = db_prepare(db, "SELECT acronym, name, country FROM acl_agency WHERE acronym = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, acr, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        agency_from_row(st, out);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "agency", "no agency '%s'", acr);
    }
    db_finalize(st);
    return rc;
}

int acl_agency_list(db_t *db, acl_agency **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT acronym, name, country FROM acl_agency ORDER BY country DESC, acronym",
                        &st, err);
    if (rc) return rc;
    acl_agency *v = NULL;
    size_t len = 0, cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 16;
            acl_agency *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        agency_from_row(st, &v[len++]);
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

static const struct {
    const char *acronym, *name, *country;
} seed[] = {
    {"CBP", "U.S. Customs and Border Protection", "US"},
    {"DEA", "Drug Enforcement Administration", "US"},
    {"ATF", "Bureau of Alcohol, Tobacco, Firearms and Explosives", "US"},
    {"HSI", "Homeland Security Investigations", "US"},
    {"FBI", "Federal Bureau of Investigation", "US"},
    {"OFAC", "Department of the Treasury, Office of Foreign Assets Control", "US"},
    {"CDC", "Department of Health and Human Services, Centers for Disease Control and Prevention", "US"},
    {"FGR", "Fiscalía General de la República", "MX"},
    {"SSPC", "Secretaría de Seguridad y Protección Ciudadana / Guardia Nacional", "MX"},
    {"ANAM", "Agencia Nacional de Aduanas de México", "MX"},
    {"UIF", "Unidad de Inteligencia Financiera", "MX"},
    {"CNB", "Comisión Nacional de Búsqueda de Personas", "MX"},
    {"SPF", "Servicios Periciales Federales (FGR, servicios forenses)", "MX"},
    {"SRE", "Secretaría de Relaciones Exteriores", "MX"},
};

int acl_seed_agencies(db_t *db, int *added, pu_err *err) {
    int own, rc, count = 0;
    if ((rc = acl_tx_begin(db, &own, err))) return rc;
    for (size_t i = 0; i < sizeof seed / sizeof seed[0] && rc == PU_OK; i++) {
        acl_agency a;
        pu_err e2;
        if (acl_agency_get(db, seed[i].acronym, &a, &e2) == PU_OK) continue;
        rc = acl_agency_add(db, seed[i].acronym, seed[i].name, seed[i].country, err);
        if (rc == PU_OK) count++;
    }
    rc = acl_tx_end(db, own, rc, err);
    if (rc == PU_OK && added) *added = count;
    return rc;
}

/* ---- markings and caveats ---- */
void acl_scope(const acl_principal *p, store_scope *out) {
    memset(out, 0, sizeof *out);
    out->system = 0;
    out->country = p->country;
    out->agency = p->agency;
}

int acl_check_write(const acl_principal *p, const char *owner, const char *marking, pu_err *err) {
    store_marking m;
    int rc = store_marking_parse(marking, "marking", &m, err);
    if (rc) return rc;
    if (!(p->perms & ACL_P_WRITE))
        return pu_fail(err, PU_ERR_DENIED, NULL, NULL, "role '%s' may not change records", p->role);
    /* A new record is always filed under the writer's own agency (grants
     * let another agency change existing records: store_check_owner). */
    if (!owner || strcmp(owner, p->agency) != 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, "owner",
                       "records can only be written by their owning agency (%s)", p->agency);
    store_scope sc;
    acl_scope(p, &sc);
    return store_check_file(&sc, m, err);
}

static const char *const caveats[] = {"LES", "PII", "ORCON", "FOUO", "PROPIN"};
#define NCAVEATS (sizeof caveats / sizeof caveats[0])

int acl_caveats_normalise(const char *in, char *out, size_t size, pu_err *err) {
    int seen[NCAVEATS] = {0};
    const char *s = in ? in : "";
    while (*s) {
        while (*s == ',' || *s == ' ' || *s == '\t') s++;
        if (!*s) break;
        size_t n = strcspn(s, ", \t");
        size_t k;
        for (k = 0; k < NCAVEATS; k++)
            if (strlen(caveats[k]) == n && strncasecmp(s, caveats[k], n) == 0) break;
        if (k == NCAVEATS)
            return pu_fail(err, PU_ERR_INVALID, NULL, "caveats",
                           "unknown caveat '%.*s'; expected LES, PII, ORCON, FOUO or PROPIN", (int)(n > 40 ? 40 : n), s);
        seen[k] = 1;
        s += n;
    }
    pu_buf b = PU_BUF_INIT(size ? size - 1 : 0);
    int rc = PU_OK;
    for (size_t k = 0; k < NCAVEATS && rc == PU_OK; k++)
        if (seen[k]) rc = pu_buf_printf(&b, "%s%s", b.len ? "," : "", caveats[k]);
    if (rc == PU_OK && size) pu_strlcpy(out, pu_buf_str(&b), size);
    pu_buf_free(&b);
    return rc == PU_OK ? PU_OK : pu_fail(err, PU_ERR_LIMIT, NULL, "caveats", "too long");
}
