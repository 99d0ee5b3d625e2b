/*
 * access.h - who may use Puente and what they may see: agencies, users,
 * roles, passwords, sessions, API tokens, markings and caveats.
 *
 * Model (docs/access.md has the reasons):
 *  - An agency has an acronym (its key, e.g. "DEA"), a name and a country
 *    ("US" or "MX"). Every user belongs to exactly one agency and has exactly
 *    one role; the role gives a fixed set of permissions (ACL_P_*).
 *  - Passwords are hashed with Argon2id (libsodium crypto_pwhash_str). After
 *    ACL_MAX_FAILURES failed logins in a row an account is locked for
 *    ACL_LOCK_SECONDS; while locked even the right password is refused.
 *  - A login creates a session; a session expires after ACL_SESSION_IDLE
 *    seconds without use. API tokens do not expire but can be revoked.
 *    Sessions and tokens are 256-bit random secrets shown once; the store
 *    keeps only their BLAKE2b-256 hash (a fast hash is right for
 *    high-entropy secrets; the slow hash is for low-entropy passwords).
 *  - What a principal may read is its store_scope (country + agency); the
 *    store applies the releasability rule in its queries.
 *
 * Time: functions that depend on the clock take `now` (Unix seconds) so tests
 * can move time; callers pass acl_now().
 *
 * Tables (module "access", via db_migrate): acl_agency, acl_user, acl_secret.
 * All functions take the caller's db_t (one per thread, see db.h). They run
 * inside the caller's transaction when one is open, else in their own.
 */
#ifndef PU_ACCESS_H
#define PU_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

#define ACL_MAX_FAILURES 5
#define ACL_LOCK_SECONDS 600
#define ACL_SESSION_IDLE 1800
#define ACL_SECRET_MAX 64      /* buffer size for a token / session secret */
#define ACL_NAME_MAX 64        /* user names */
#define ACL_ACRONYM_MAX 24     /* agency acronyms */
#define ACL_AGENCY_NAME_MAX 128
#define ACL_ROLE_MAX 16
#define ACL_PASSWORD_MIN 12    /* shortest password accepted */
#define ACL_PASSWORD_MAX 256

/* Permissions. */
#define ACL_P_READ 0x01u    /* read and search entities, stats            */
#define ACL_P_WRITE 0x02u   /* create and update entities of own agency   */
#define ACL_P_DELETE 0x04u  /* delete entities of own agency              */
#define ACL_P_SCREEN 0x08u  /* screening and compare                      */
#define ACL_P_REVIEW 0x10u  /* record reviewed screening decisions        */
#define ACL_P_ADMIN 0x20u   /* manage users and tokens of own agency      */
#define ACL_P_AUDIT 0x40u   /* read, verify and export the audit trail    */
#define ACL_P_FORENSIC 0x80u /* kinship / DNA identification (purpose-limited;
                               forensic role only, docs/access.md)         */
#define ACL_P_EXPORT 0x100u /* bulk export of entities (GET /api/v1/export,
                               `puente export`): supervisor only;
                               docs/access.md "Export"                     */

/* Register/upgrade the module's tables. Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int acl_migrate(db_t *db, pu_err *err);

/* Unix time now (seconds). */
int64_t acl_now(void);

/* ---- roles ---- */
/* NULL-terminated list of role names (static):
 * analyst, supervisor, forensic, tip-handler, admin, auditor. */
const char *const *acl_role_names(void);
/* 1 if role names a role. */
int acl_role_valid(const char *role);
/* Permission bits of a role (0 for an unknown role). */
unsigned acl_role_perms(const char *role);

/* ---- agencies ---- */
typedef struct acl_agency {
    char acronym[ACL_ACRONYM_MAX];
    char name[ACL_AGENCY_NAME_MAX];
    char country[3];          /* "US" or "MX" */
} acl_agency;

/* Add an agency. acronym: 1-23 chars of A-Z 0-9 / - _ (upper-cased);
 * country "US" or "MX" (case-insensitive).
 * Errors: PU_ERR_INVALID (field named), PU_ERR_CONFLICT (acronym exists), PU_ERR_DB. */
int acl_agency_add(db_t *db, const char *acronym, const char *name, const char *country, pu_err *err);
/* Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_agency_get(db_t *db, const char *acronym, acl_agency *out, pu_err *err);
/* All agencies ordered by country then acronym; *out owned by the caller (free()). */
int acl_agency_list(db_t *db, acl_agency **out, size_t *n, pu_err *err);
/* Add the framework's seed agencies (US: CBP, DEA, ATF, HSI, FBI, OFAC, CDC;
 * MX: FGR, SSPC, ANAM, UIF, CNB, SPF forensic services, SRE) that are not
 * there yet; *added (may be NULL) counts new ones. Errors: PU_ERR_DB. */
int acl_seed_agencies(db_t *db, int *added, pu_err *err);

/* ---- users ---- */
typedef struct acl_principal {
    int64_t user_id;
    char user[ACL_NAME_MAX];
    char agency[ACL_ACRONYM_MAX];
    char country[3];
    char role[ACL_ROLE_MAX];
    unsigned perms;
} acl_principal;

/* Add a user. name: 1-63 chars of a-z 0-9 . _ - @ ; the agency must exist;
 * password may be NULL (token-only account), else ACL_PASSWORD_MIN..MAX bytes.
 * Errors: PU_ERR_INVALID (field named), PU_ERR_NOTFOUND (agency),
 * PU_ERR_CONFLICT (name taken), PU_ERR_NOMEM (hashing), PU_ERR_DB. */
int acl_user_add(db_t *db, const char *name, const char *agency, const char *role,
                 const char *password, pu_err *err);
/* Replace the password (and clear a lockout). Errors as acl_user_add. */
int acl_user_set_password(db_t *db, const char *name, const char *password, pu_err *err);
/* Change the role. Errors: PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_user_set_role(db_t *db, const char *name, const char *role, pu_err *err);
/* Disable (1) or enable (0) an account; disabling also revokes its sessions
 * and tokens. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_user_set_disabled(db_t *db, const char *name, int disabled, pu_err *err);
/* Look a user up. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_user_get(db_t *db, const char *name, acl_principal *out, pu_err *err);
/* Users (all, or of one agency when agency is non-NULL), ordered by name.
 * *out owned by the caller (free()). */
int acl_user_list(db_t *db, const char *agency, acl_principal **out, size_t *n, pu_err *err);

/* ---- authentication ---- */
/* Password login. On success fills *out and writes a new session secret
 * into session[ACL_SECRET_MAX]. Every failure is PU_ERR_DENIED with the
 * same public message; err->field tells the caller (for the audit trail
 * only) why: "user" (unknown or disabled), "password", "locked".
 * The 5th consecutive failure locks the account for ACL_LOCK_SECONDS.
 * Errors: PU_ERR_DENIED, PU_ERR_DB. */
int acl_login(db_t *db, const char *name, const char *password, int64_t now,
              acl_principal *out, char session[ACL_SECRET_MAX], pu_err *err);
/* Create an API token for a user; writes it into token[ACL_SECRET_MAX]. It
 * cannot be shown again. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_token_create(db_t *db, const char *user, int64_t now, char token[ACL_SECRET_MAX], pu_err *err);
/* Resolve a bearer secret (token or session) to its principal. A session
 * unused for ACL_SESSION_IDLE seconds is expired (and deleted); a used one
 * has its idle clock reset.
 * Errors: PU_ERR_DENIED (unknown, revoked, expired, disabled user), PU_ERR_DB. */
int acl_authenticate(db_t *db, const char *secret, int64_t now, acl_principal *out, pu_err *err);
/* Revoke a secret (logout / token revocation). Unknown secrets are PU_OK. */
int acl_revoke(db_t *db, const char *secret, pu_err *err);

/* ---- server-side authentication cache ----
 * acl_authenticate costs a hash and a store read on every request, and the
 * read is rarely served from the page cache because the audit writer commits
 * to the same store all the time. The server therefore keeps recent positive
 * answers in memory, keyed by the secret's hash:
 *  - an answer is reused for at most ttl_ms milliseconds;
 *  - every change this process makes through acl_* (role, disabled, password,
 *    revoke, new user) and acl_auth_cache_invalidate() drop all answers at
 *    once, so a change made through the API takes effect on the next request;
 *  - a change made by another process writing the same store (the CLI:
 *    `puente user ...`) takes effect within ttl_ms;
 *  - refusals are never cached; sessions near their idle limit, or due for
 *    their once-a-minute idle-clock touch, always go to the store.
 * ACL_AUTH_CACHE_TTL_MS is what `puente serve` uses (docs/access.md). */
#define ACL_AUTH_CACHE_TTL_MS 2000
/* Same contract as acl_authenticate, answered from the cache when it can.
 * Thread-safe. ttl_ms 0 = no cache (plain acl_authenticate). */
int acl_authenticate_cached(db_t *db, const char *secret, int64_t now, unsigned ttl_ms, acl_principal *out,
                            pu_err *err);
/* Forget every cached answer (call after committing a change to users or
 * secrets made outside the acl_* functions, or in the caller's transaction). */
void acl_auth_cache_invalidate(void);

/* ---- markings and scope ---- */
/* The store scope of a principal (points into p; valid while p is). */
void acl_scope(const acl_principal *p, store_scope *out);
/* May p create/update a record owned by `owner` with `marking`? Owner must
 * be p's agency; US-ONLY needs a US agency and MX-ONLY an MX one.
 * Errors: PU_ERR_INVALID (unknown marking), PU_ERR_DENIED (not allowed). */
int acl_check_write(const acl_principal *p, const char *owner, const char *marking, pu_err *err);
/* Validate and normalise handling caveats: comma/space separated names from
 * LES, PII, ORCON, FOUO, PROPIN (case-insensitive) into "LES,PII" form
 * (upper-case, known order, no duplicates) in out[size]. NULL/"" -> "".
 * Errors: PU_ERR_INVALID (unknown caveat named), PU_ERR_LIMIT. */
int acl_caveats_normalise(const char *caveats, char *out, size_t size, pu_err *err);

#endif
