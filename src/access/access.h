/*
 * access.h - who may use Puente and what they may see: agencies, users,
 * roles, passwords, sessions, API tokens, markings and caveats.
 *
 * Model (docs/access.md has the reasons):
 *  - An agency has an acronym (its key, e.g. "DEA"), a name and a country
 *    ("US" or "MX"). Every user belongs to exactly one agency and has exactly
 *    one role; the role gives a fixed set of permissions (ACL_P_*).
 *  - Passwords are hashed with Argon2id (libsodium crypto_pwhash_str) and
 *    checked against a blocklist (acl_password_check). After
 *    ACL_MAX_FAILURES failed logins in a row an account is locked for
 *    ACL_LOCK_SECONDS; while locked even the right password is refused, and
 *    so are the user's sessions and tokens. Attempts are counted before the
 *    hash, atomically (parallel guesses get no more).
 *  - A login creates a session; a session expires after ACL_SESSION_IDLE
 *    seconds without use and ACL_SESSION_ABSOLUTE after the login. API
 *    tokens expire (token-days), may be read-only, and are revoked with
 *    their user's disable, password reset or role change.
 *  - A second factor (TOTP) is required per role by policy (mfa-roles);
 *    role assignments made through the API need a second administrator.
 *    Sessions and tokens are 256-bit random secrets shown once; the store
 *    keeps only their BLAKE2b-256 hash (a fast hash is right for
 *    high-entropy secrets; the slow hash is for low-entropy passwords).
 *  - What a principal may read is its store_scope (country + agency); the
 *    store applies the releasability rule in its queries.
 *
 * Time: functions that depend on the clock take `now` (Unix seconds) so tests
 * can move time; callers pass acl_now().
 *
 * Tables (module "access", via db_migrate): acl_agency, acl_user, acl_secret,
 * acl_recovery, acl_grant, acl_setting.
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
/* A session ends ACL_SESSION_ABSOLUTE seconds after its login however busy it
 * is (a stolen session cookie is worth at most one working day). */
#define ACL_SESSION_ABSOLUTE (12 * 3600)
/* API tokens expire; the default lifetime is the store's "token-days"
 * setting (ACL_TOKEN_DAYS_DEFAULT when unset), capped at ACL_TOKEN_DAYS_MAX. */
#define ACL_TOKEN_DAYS_DEFAULT 90
#define ACL_TOKEN_DAYS_MAX 365
#define ACL_SECRET_MAX 64      /* buffer size for a token / session secret */
#define ACL_NAME_MAX 64        /* user names */
#define ACL_ACRONYM_MAX 24     /* agency acronyms */
#define ACL_AGENCY_NAME_MAX 128
#define ACL_ROLE_MAX 24      /* "protection-officer" + NUL fits */
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
#define ACL_P_OVERSIGHT 0x200u /* who of the agency read or changed a record
                               (GET /api/v1/entities/{id}/views): supervisor
                               only; docs/access.md "Oversight"            */
#define ACL_P_TIPS 0x400u   /* the tip line's handling: read, question,
                               route, link and close tips (tip-handler
                               role only; docs/tips.md)                    */
#define ACL_P_PROTECT 0x800u /* protection of journalists and defenders:
                               open cases, and read those of which the user
                               is a named member (protection-officer role
                               only; docs/protection.md)                   */

/* Register/upgrade the module's tables. Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int acl_migrate(db_t *db, pu_err *err);

/* Unix time now (seconds). */
int64_t acl_now(void);

/* ---- roles ---- */
/* NULL-terminated list of role names (static):
 * analyst, supervisor, forensic, tip-handler, protection-officer, admin,
 * auditor. */
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
    unsigned perms;           /* the role's, masked by read_only / mfa_pending */
    int read_only;            /* a read-only token: no write permission */
    int mfa_pending;          /* a session whose role needs a second factor that
                                 is not enrolled yet: may only enrol (ACL_P_*: 0) */
    int pw_change;            /* the password was set by someone else than the
                                 user (an administrator, the operator): until the
                                 user changes it (acl_password_change) every
                                 secret of the user may only change it, log out
                                 and read "me" (ACL_P_*: 0) */
    int64_t expires;          /* when the secret ends (Unix s); 0 unknown */
} acl_principal;

/* The role of an account created or changed through the API while its role
 * grant waits for a second administrator (no permissions). */
#define ACL_ROLE_NONE "none"

/* Add a user. name: 1-63 chars of a-z 0-9 . _ - @ ; the agency must exist;
 * password may be NULL (token-only account), else ACL_PASSWORD_MIN..MAX bytes.
 * Errors: PU_ERR_INVALID (field named), PU_ERR_NOTFOUND (agency),
 * PU_ERR_CONFLICT (name taken), PU_ERR_NOMEM (hashing), PU_ERR_DB. */
int acl_user_add(db_t *db, const char *name, const char *agency, const char *role,
                 const char *password, pu_err *err);
/* Replace the password (and clear a lockout): the administrator's or the
 * operator's reset. Every session and token of the user is revoked (a reset
 * ends whatever the old password opened) and the user must change the
 * password at the next login (pw_change; the user's own change is
 * acl_password_change). Errors as acl_user_add. */
int acl_user_set_password(db_t *db, const char *name, const char *password, pu_err *err);
/* Set (on=1) or clear the must-change state of a user's password: for an
 * account created with a password chosen by an administrator (API) or the
 * operator (CLI `user add`). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_user_require_change(db_t *db, const char *name, int on, pu_err *err);
/* The user's own password change: `current` is checked like a login (the
 * attempt counts towards the lockout; no second-factor code: the session
 * was opened with it), `next` must pass the password policy and differ from
 * `current`. Clears the must-change state, revokes every other session and
 * token of the user; keep_secret (the session making the change; may be
 * NULL) goes on, now unrestricted. Errors: PU_ERR_DENIED (field
 * "current_password", or "locked"), PU_ERR_INVALID (field "new_password"),
 * PU_ERR_NOMEM, PU_ERR_DB. */
int acl_password_change(db_t *db, const char *user, const char *current, const char *next, const char *keep_secret,
                        int64_t now, pu_err *err);
/* Change the role directly (the framework operator: the CLI with the store
 * file; administrators go through acl_grant_request). Revokes the user's
 * sessions and tokens when the role changes (they were issued for the old
 * one). Errors: PU_ERR_INVALID, PU_ERR_NOTFOUND, PU_ERR_DB. */
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
/* What a login asks (acl_login2). */
typedef struct acl_login_req {
    const char *user, *password;
    const char *code;         /* TOTP or recovery code; NULL when none given */
    const char *source;       /* client address, kept for the last-logon notice */
    int64_t now;
} acl_login_req;

/* What a login tells the user (the last-logon notice) and the caller. */
typedef struct acl_logon_info {
    int64_t prev_time;        /* previous successful login (0 = none) */
    char prev_source[64];
    int64_t failed_since;     /* failed attempts since that login */
    int mfa;                  /* ACL_MFA_* */
    int pw_change;            /* the password must be changed first (acl_principal) */
} acl_logon_info;
#define ACL_MFA_NONE 0        /* not enrolled, not required for the role */
#define ACL_MFA_USED 1        /* enrolled and the code was checked */
#define ACL_MFA_ENROL 2       /* required for the role, not enrolled: the
                                 session may only enrol (principal.mfa_pending) */

/* Password (+ second factor) login; see acl_login for the common contract.
 * The attempt is counted before the password is checked, in one statement,
 * so parallel guesses never get more than ACL_MAX_FAILURES tries; unknown,
 * wrong and locked accounts cost the same Argon2id verification. A user with
 * TOTP enrolled must send `code` (a TOTP code, or one of its recovery codes,
 * which is then used up); err->field "code" when it is missing or wrong.
 * info (may be NULL) gets the last-logon notice. Errors: PU_ERR_DENIED, PU_ERR_DB. */
int acl_login2(db_t *db, const acl_login_req *req, acl_principal *out, acl_logon_info *info,
               char session[ACL_SECRET_MAX], pu_err *err);
/* The last-logon notice of a user as of its latest login (the login before
 * it and the failures in between). Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_logon_info_get(db_t *db, const char *user, acl_logon_info *out, pu_err *err);

/* Options of a new API token. */
typedef struct acl_token_opts {
    int64_t days;             /* lifetime; 0 = the store's token-days setting */
    int read_only;            /* 1: the token never has write permissions */
} acl_token_opts;
/* Create an API token with options; writes it into token[ACL_SECRET_MAX] and
 * its expiry into *expires (may be NULL). Errors: PU_ERR_INVALID (days out of
 * 1..ACL_TOKEN_DAYS_MAX), PU_ERR_NOTFOUND, PU_ERR_DENIED (disabled), PU_ERR_DB. */
int acl_token_create2(db_t *db, const char *user, int64_t now, const acl_token_opts *o, char token[ACL_SECRET_MAX],
                      int64_t *expires, pu_err *err);
/* Check a user's password (and second factor when enrolled) again before a
 * sensitive step (a new long-lived token), with the login's lockout counting.
 * Errors: PU_ERR_DENIED (field "password" or "code"), PU_ERR_DB. */
int acl_reauthenticate(db_t *db, const char *user, const char *password, const char *code, int64_t now, pu_err *err);

/* Create an API token for a user (default lifetime, read-write); writes it into token[ACL_SECRET_MAX]. It
 * cannot be shown again. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_token_create(db_t *db, const char *user, int64_t now, char token[ACL_SECRET_MAX], pu_err *err);
/* Resolve a bearer secret (token or session) to its principal. A session
 * unused for ACL_SESSION_IDLE seconds, or older than ACL_SESSION_ABSOLUTE,
 * is expired (and deleted); a used one has its idle clock reset. Tokens past
 * their expiry and every secret of a locked or disabled user are refused.
 * Errors: PU_ERR_DENIED (unknown, revoked, expired, disabled user), PU_ERR_DB. */
int acl_authenticate(db_t *db, const char *secret, int64_t now, acl_principal *out, pu_err *err);
/* Revoke a secret (logout / token revocation). Unknown secrets are PU_OK. */
int acl_revoke(db_t *db, const char *secret, pu_err *err);
/* Sign a user out everywhere: revoke every login session of the user (API
 * tokens stay: they are revoked one by one, or with the user's disable or
 * password reset). *n (may be NULL) gets the number revoked. The account
 * generation is bumped in the same transaction (the caller's when one is
 * open, else its own), so every server on the store refuses the sessions
 * from its next request. Errors: PU_ERR_NOTFOUND (no such
 * user), PU_ERR_DB. */
int acl_revoke_sessions(db_t *db, const char *user, int64_t *n, pu_err *err);

/* ---- password policy (acl_policy.c) ----
 * ACL_PASSWORD_MIN..MAX bytes, valid UTF-8, not one repeated character, not
 * containing the user name, and not a common password: the password folded
 * to lower case, with or without trailing digits and punctuation, or a
 * repetition of one word, is looked up in the blocklist: the Openwall list
 * shipped by Debian's john-data (ACL_PASSWORD_BLOCKLIST, or the file named
 * by $PUENTE_PASSWORD_BLOCKLIST), plus a small built-in list. */
#define ACL_PASSWORD_BLOCKLIST "/usr/share/john/password.lst"
/* Errors: PU_ERR_INVALID (field "password", message says which rule). */
int acl_password_check(const char *user, const char *password, pu_err *err);

/* ---- settings (acl_policy.c): store-wide, changed by the operator ----
 * "banner"     the use notice shown before login (GET /api/v1/banner);
 * "mfa-roles"  comma-separated roles that must use a second factor;
 * "token-days" default token lifetime in days. */
#define ACL_MFA_ROLES_DEFAULT "admin,auditor"
#define ACL_SETTING_MAX 4096
extern const char ACL_BANNER_DEFAULT[];
/* The value or its default into out[size]. Errors: PU_ERR_INVALID (unknown
 * key), PU_ERR_LIMIT, PU_ERR_DB. */
int acl_setting_get(db_t *db, const char *key, char *out, size_t size, pu_err *err);
/* Validate and store. Errors: PU_ERR_INVALID (unknown key, bad value), PU_ERR_DB. */
int acl_setting_set(db_t *db, const char *key, const char *value, pu_err *err);
/* 1 when the policy makes role use a second factor. */
int acl_mfa_required(db_t *db, const char *role);

/* ---- two-person role grants (acl_policy.c) ----
 * An administrator does not give roles alone: through the API every role
 * assignment (new account or change) is a pending grant that a second
 * administrator of the same agency, or the framework operator (the CLI with
 * the store file), approves. Neither the requester nor the account itself
 * may approve. */
typedef struct acl_grant {
    int64_t id;
    char user[ACL_NAME_MAX];
    char agency[ACL_ACRONYM_MAX];
    char role[ACL_ROLE_MAX];
    char requested_by[ACL_NAME_MAX];
    char state[12];           /* pending, approved, rejected */
    char decided_by[ACL_NAME_MAX];
    int64_t created;
} acl_grant;
/* Request role for user (of admin's agency). *id gets the grant id.
 * Errors: PU_ERR_INVALID (role), PU_ERR_NOTFOUND (user not in the agency),
 * PU_ERR_DENIED (admin lacks ACL_P_ADMIN), PU_ERR_DB. */
int acl_grant_request(db_t *db, const acl_principal *admin, const char *user, const char *role, int64_t now,
                      int64_t *id, pu_err *err);
/* Approve (approve=1) or reject a pending grant; approver NULL = the framework
 * operator. Approval sets the role (acl_user_set_role). *out (may be NULL) gets
 * the grant after the decision. Errors: PU_ERR_NOTFOUND (no pending grant of
 * that id visible to the approver), PU_ERR_DENIED (self-approval, not an
 * administrator), PU_ERR_DB. */
int acl_grant_decide(db_t *db, const acl_principal *approver, int64_t id, int approve, int64_t now, acl_grant *out,
                     pu_err *err);
/* Pending grants (of one agency, or all when agency is NULL), oldest first;
 * *out owned by the caller (free()). */
int acl_grant_list(db_t *db, const char *agency, acl_grant **out, size_t *n, pu_err *err);

/* ---- second factor (acl_mfa.c): TOTP, RFC 6238 ----
 * HMAC-SHA-256/512 from libsodium; HMAC-SHA-1, which authenticator apps use
 * by default and libsodium does not offer, from liboath (docs/access.md).
 * Enrolment uses SHA-1, 6 digits, 30 s steps; a code is accepted for the
 * step before, the current and the next one, and each step only once. */
typedef enum { ACL_TOTP_SHA1, ACL_TOTP_SHA256, ACL_TOTP_SHA512 } acl_totp_alg;
#define ACL_TOTP_STEP 30
#define ACL_TOTP_DIGITS 6
#define ACL_TOTP_WINDOW 1        /* steps accepted either side of now */
#define ACL_TOTP_KEY_BYTES 20
#define ACL_RECOVERY_CODES 10
#define ACL_RECOVERY_LEN 24      /* "xxxx-xxxx-xxxx-xxxx" + NUL, 80 bits */
#define ACL_TOTP_ISSUER "Puente"
/* The code of key at Unix time t (RFC 6238: T = t / step) with digits 6..8
 * into out[10]. Errors: PU_ERR_INVALID (digits, step 0), PU_ERR_INTERNAL. */
int acl_totp_code(const unsigned char *key, size_t keylen, acl_totp_alg alg, int64_t t, unsigned step,
                  unsigned digits, char out[10], pu_err *err);
/* Start (or restart) enrolment: a new random key, kept unconfirmed (the
 * login does not ask for it yet). uri[size] gets the otpauth:// URI,
 * secret32[64] the key in base32. Errors: PU_ERR_NOTFOUND, PU_ERR_LIMIT, PU_ERR_DB. */
int acl_totp_begin(db_t *db, const char *user, char *uri, size_t size, char secret32[64], pu_err *err);
/* Confirm enrolment with a code of the new key: the second factor is on and
 * codes[ACL_RECOVERY_CODES] get fresh recovery codes (stored hashed; shown
 * once). Errors: PU_ERR_INVALID (no enrolment started), PU_ERR_DENIED (wrong
 * code, field "code"), PU_ERR_DB. */
int acl_totp_confirm(db_t *db, const char *user, const char *code, int64_t now,
                     char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN], pu_err *err);
/* Check a code (TOTP, or a recovery code which is used up) of an enrolled
 * user; a TOTP step already used is refused (replay). Errors: PU_ERR_DENIED,
 * PU_ERR_DB. */
int acl_totp_verify(db_t *db, int64_t user_id, const char *code, int64_t now, pu_err *err);
/* Remove the second factor and the recovery codes (operator / lost device).
 * Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int acl_totp_reset(db_t *db, const char *user, pu_err *err);
/* 1 when the user has a confirmed second factor. */
int acl_totp_enabled(db_t *db, const char *user);
/* Render text as a QR code (libqrencode, error correction M): an SVG
 * document, or terminal text (two rows per line with half blocks).
 * Errors: PU_ERR_LIMIT (too long for a QR code), PU_ERR_NOMEM. */
int acl_qr_svg(const char *text, pu_buf *out, pu_err *err);
int acl_qr_text(const char *text, pu_buf *out, pu_err *err);

/* ---- server-side authentication cache ----
 * acl_authenticate costs a hash and a store read on every request, and the
 * read is rarely served from the page cache because the audit writer commits
 * to the same store all the time. The server therefore keeps recent positive
 * answers in memory, keyed by the secret's hash, and trusts one only while
 * the store's account generation (ACL_GENERATION, store.h "change
 * generations") is the one it was read at:
 *  - every change to accounts, sessions or tokens (acl_* functions: role,
 *    disabled, lock, password, revoke, logout everywhere, second factor) bumps
 *    the generation in the transaction that makes the change, whichever
 *    process makes it: this server, another server on the same store, or
 *    the CLI (`puente user disable/password/role`). The next request of any
 *    server reads the new generation (one indexed row) and goes to the store:
 *    the change is effective at once, with no time window;
 *  - token expiry and the session's absolute limit are checked on the cached
 *    answer; sessions due for their once-a-minute idle-clock touch go to
 *    the store; refusals are never cached;
 *  - ttl_ms only bounds how long an answer lives at all (for a change made
 *    behind the acl_* functions' back, such as SQL typed into the database).
 * Code that changes acl_user/acl_secret rows with its own SQL must call
 * acl_account_changed in the same transaction. */
#define ACL_GENERATION "account"
#define ACL_AUTH_CACHE_TTL_MS 60000
/* Same contract as acl_authenticate, answered from the cache when it can.
 * Thread-safe. ttl_ms 0 = no cache (plain acl_authenticate). */
int acl_authenticate_cached(db_t *db, const char *secret, int64_t now, unsigned ttl_ms, acl_principal *out,
                            pu_err *err);
/* Forget every cached answer of this process (tests; acl_account_changed
 * does this and more). */
void acl_auth_cache_invalidate(void);
/* Record that accounts, sessions or tokens changed: bumps the store's
 * ACL_GENERATION inside the caller's transaction (open one first: the bump
 * must commit or roll back with the change) and drops this process's cached
 * answers. Errors: PU_ERR_DB. */
int acl_account_changed(db_t *db, pu_err *err);

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
