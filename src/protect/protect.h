/*
 * protect.h - protection of journalists and human-rights defenders (issue
 * #23, docs/protection.md): cases of the Protection Mechanism, encrypted at
 * rest with one key per case, readable only by the protection officers who
 * are named members of the case.
 *
 * Invariants (the reason this module exists):
 *   - Everything that identifies or locates a person (names, places, phones,
 *     contact channels, incident narratives, alleged aggressors' description,
 *     risk reasons, investigation file numbers, evidence files) is stored only
 *     in protect_sealed, sealed with the case key (XChaCha20-Poly1305, the
 *     record's identity as additional data). Plain columns hold only dates,
 *     catalogue codes, states, statuses and ids.
 *   - The case key exists in the store only wrapped (crypto_box_seal) to the
 *     X25519 public key of each member; a member's secret key is sealed under
 *     an Argon2id key of the member's protection passphrase, which the store
 *     never holds. Neither the operator nor an administrator can unwrap it.
 *   - Removing a member rotates the case key: every sealed value and blind
 *     index tag of the case is re-sealed under a new key wrapped only for the
 *     remaining members.
 *   - Every read of case content is audited with its purpose (required); the
 *     audit entries hold case and record ids, never a sealed value.
 *   - Protection data lives only in this module's tables (never in entity);
 *     other engines see only protect_counts' suppressed aggregates.
 *
 * Times are Unix seconds (UTC); days are "YYYY-MM-DD".
 */
#ifndef PU_PROTECT_H
#define PU_PROTECT_H

#include <stddef.h>
#include <stdint.h>
#include "common/pu.h"
#include "common/pu_count.h"
#include "db/db.h"
#include "store/store.h"

#define PROTECT_ID_MAX 24           /* "pc-" + 16 base32 + NUL */
#define PROTECT_USER_MAX 96
#define PROTECT_PURPOSE_MIN 8       /* a purpose says why, not "x" */
#define PROTECT_PURPOSE_MAX 300
#define PROTECT_VALUE_MAX 4000      /* one sealed text field */
#define PROTECT_EVIDENCE_MAX (8 * 1024 * 1024)
#define PROTECT_SMALL_CELL 5        /* aggregates: cells below this are suppressed */
#define PROTECT_PLACE_DAYS 90       /* default purge age of location history */
#define PROTECT_PASSPHRASE_MIN 12

/* Create/upgrade the module's tables. Errors: PU_ERR_DB, PU_ERR_CONFLICT. */
int protect_migrate(db_t *db, pu_err *err);

/* ---- the officer's session ----
 * An unlocked session holds the officer's X25519 secret key in memory only
 * (wiped by protect_session_end). Every call below takes it; a call reading
 * case content needs purpose (PROTECT_PURPOSE_MIN..MAX characters). */
typedef struct protect_session {
    db_t *db;                       /* borrowed: the calling thread's store */
    char user[PROTECT_USER_MAX];
    char agency[32];
    unsigned perms;                 /* the account's ACL_P_* bits */
    unsigned char pk[32], sk[32];
    int unlocked;
    char purpose[PROTECT_PURPOSE_MAX + 1];
    const char *source;             /* "cli" or the client address (borrowed) */
    int64_t now;                    /* the clock (0: time(NULL)); tests set it */
} protect_session;

/* Catalogue rows (bilingual names) as JSON text: {"measures":[{code,kind,en,es}],
 * "aggressions":[{code,en,es}],"clocks":[{rule,path,from,to,hours,source}]}.
 * *out the caller's. Errors: PU_ERR_NOMEM. */
int protect_catalogue_json(char **out, pu_err *err);

/* Make (or replace) user's key pair: the public key in the store, the secret
 * key sealed under Argon2id(passphrase). Replacing it loses access to every
 * case until a member re-adds the user. The account must hold the
 * protection-officer role. Errors: PU_ERR_INVALID (short passphrase),
 * PU_ERR_DENIED (role), PU_ERR_NOTFOUND (no such account), PU_ERR_DB. */
int protect_keygen(db_t *db, const char *user, const char *passphrase, pu_err *err);
/* Seal the same key pair under a new passphrase (the cases stay readable).
 * Errors: PU_ERR_DENIED (old passphrase), PU_ERR_INVALID (short new one), PU_ERR_DB. */
int protect_passphrase_change(db_t *db, const char *user, const char *old, const char *next, pu_err *err);
/* Unlock user's key pair with passphrase into s (s->db = db). Errors:
 * PU_ERR_DENIED (wrong passphrase, not a protection officer, no key pair:
 * one message), PU_ERR_DB. */
int protect_unlock(db_t *db, const char *user, const char *passphrase, protect_session *s, pu_err *err);
/* Wipe the session's keys. NULL-safe. */
void protect_session_end(protect_session *s);
/* Set the purpose of the reads that follow. Errors: PU_ERR_INVALID. */
int protect_set_purpose(protect_session *s, const char *purpose, pu_err *err);

/* ---- unlocked keys of web/API sessions (protect_cache.c) ----
 * The server keeps an officer's unlocked secret key in memory only (locked
 * pages, wiped on expiry), under a hash of the session's secret: never in the
 * store, never on disk. An entry lives PROTECT_UNLOCK_IDLE seconds after its
 * last use and at most PROTECT_UNLOCK_MAX after the unlock. Thread-safe. */
#define PROTECT_UNLOCK_IDLE (15 * 60)
#define PROTECT_UNLOCK_MAX (8 * 3600)
#define PROTECT_UNLOCK_SLOTS 256
/* Keep s's keys for the session secret. Errors: PU_ERR_LIMIT (every slot in use). */
int protect_cache_put(const char *secret, const protect_session *s, int64_t now, pu_err *err);
/* The unlocked session of secret into out (keys copied; out->db unset).
 * Errors: PU_ERR_DENIED (none, or expired: unlock again). */
int protect_cache_get(const char *secret, int64_t now, protect_session *out, pu_err *err);
/* Forget the session's keys (lock, logout). */
void protect_cache_drop(const char *secret);

/* ---- cases and members ---- */
typedef struct protect_case_in {
    const char *kind;       /* journalist | defender | collective */
    const char *path;       /* ordinary | extraordinary (urgent) */
    const char *state;      /* ISO 3166-2:MX without "MX-" ("GRO") */
    const char *owner;      /* the Mechanism's agency acronym (s->agency when NULL) */
    int64_t received;       /* request received (0: now) */
} protect_case_in;
/* Open a case with a new random key wrapped for s->user (the first member),
 * and its request (the clocks start at received). id gets "pc-...".
 * Errors: PU_ERR_DENIED (not unlocked / not an officer), PU_ERR_INVALID, PU_ERR_DB. */
int protect_case_open(protect_session *s, const protect_case_in *in, char id[PROTECT_ID_MAX], pu_err *err);
/* Add user (a protection officer with a key pair) as a member: the case key
 * wrapped to the user's public key. Errors: PU_ERR_NOTFOUND (case not
 * visible to s: not a member), PU_ERR_DENIED (user not an officer / no key
 * pair), PU_ERR_CONFLICT (already a member), PU_ERR_DB. */
int protect_member_add(protect_session *s, const char *case_id, const char *user, pu_err *err);
/* Remove user and ROTATE the case key (every sealed value and tag re-sealed;
 * the new key wrapped for the remaining members only). Refuses removing the
 * last member (PU_ERR_CONFLICT). Errors: PU_ERR_NOTFOUND, PU_ERR_CONFLICT, PU_ERR_DB. */
int protect_member_remove(protect_session *s, const char *case_id, const char *user, pu_err *err);

/* ---- records (sealed fields are the const char * values below) ---- */
typedef struct protect_person_in {
    const char *role;       /* beneficiary | family | collective */
    const char *name;       /* sealed; blind-indexed for search */
    const char *occupation; /* journalist | defender | relative | organisation */
} protect_person_in;
int protect_person_add(protect_session *s, const char *case_id, const protect_person_in *in, int64_t *id, pu_err *err);
/* channel: phone | email | messaging | radio | satellite; value sealed. */
int protect_contact_add(protect_session *s, const char *case_id, int64_t person, const char *channel,
                        const char *value, int64_t *id, pu_err *err);
/* A place in the location history (day, state plain; address sealed),
 * purged after its age unless an incident holds it. */
int protect_place_add(protect_session *s, const char *case_id, int64_t person, const char *day, const char *state,
                      const char *address, int64_t *id, pu_err *err);
typedef struct protect_incident_in {
    const char *day;        /* YYYY-MM-DD */
    const char *state;
    const char *type;       /* aggression catalogue code (data/protect/aggressions.csv) */
    int64_t place;          /* 0 or a place of the case: the incident holds it */
    const char *narrative;  /* sealed */
    const char *aggressor;  /* sealed description of the alleged aggressor(s) */
    const char *entity;     /* optional: id of an entity / case file (a reference, not content) */
} protect_incident_in;
int protect_incident_add(protect_session *s, const char *case_id, const protect_incident_in *in, int64_t *id,
                         pu_err *err);
/* An evidence file of an incident, sealed whole. Errors: PU_ERR_LIMIT. */
int protect_evidence_add(protect_session *s, const char *case_id, int64_t incident, const unsigned char *data,
                         size_t n, int64_t *id, pu_err *err);
/* The file back (audited read). *data the caller's (free). */
int protect_evidence_get(protect_session *s, const char *case_id, int64_t evidence, unsigned char **data,
                         size_t *n, pu_err *err);
/* An evidence file with its name and media type (API uploads): the bytes,
 * the name, the type and the file's SHA-256 are all sealed with the case
 * key (a hash in the clear would let anyone holding a candidate photo
 * confirm it is in the case). sha256 (65 bytes, may be NULL) gets the hex
 * hash. Errors: those of protect_evidence_add, PU_ERR_INVALID (name, type). */
#define PROTECT_EVIDENCE_NAME_MAX 255
#define PROTECT_EVIDENCE_TYPE_MAX 127
typedef struct protect_evidence_in {
    int64_t incident;
    const char *name;           /* NULL: "evidence-<id>" */
    const char *content_type;   /* NULL: application/octet-stream */
    const unsigned char *data;
    size_t n;
} protect_evidence_in;
int protect_evidence_put(protect_session *s, const char *case_id, const protect_evidence_in *in, int64_t *id,
                         char *sha256, pu_err *err);
typedef struct protect_evidence_meta {
    char name[PROTECT_EVIDENCE_NAME_MAX + 1], content_type[PROTECT_EVIDENCE_TYPE_MAX + 1], sha256[65];
} protect_evidence_meta;
/* protect_evidence_get with the sealed name, type and hash in *meta (files
 * added without them: "evidence-<id>", application/octet-stream, the hash
 * computed now); the hash is checked against the bytes. */
int protect_evidence_read(protect_session *s, const char *case_id, int64_t evidence, unsigned char **data, size_t *n,
                          protect_evidence_meta *meta, pu_err *err);

/* ---- workflow ---- */
/* Record a step of the request: urgent_issued | urgent_in_place |
 * study_done | board_decided at time at (0: now). Errors: PU_ERR_INVALID. */
int protect_request_step(protect_session *s, const char *case_id, const char *step, int64_t at, pu_err *err);
typedef struct protect_study_in {
    const char *level;      /* low | medium | high | extreme */
    const char *reasons;    /* sealed */
    const char *analyst;    /* user name of the risk analyst */
    const char *board;      /* pending | approved | modified | rejected */
    const char *next_review;/* YYYY-MM-DD */
} protect_study_in;
/* A new version of the risk study (every version kept). */
int protect_study_add(protect_session *s, const char *case_id, const protect_study_in *in, int *version, pu_err *err);
/* A measure from the catalogue (data/protect/measures.csv), status requested. */
int protect_measure_add(protect_session *s, const char *case_id, const char *code, const char *provider,
                        double cost, int urgent, int64_t *id, pu_err *err);
/* Move a measure: requested → approved → installed → active → withdrawn
 * (withdrawn also from requested/approved/installed; active → active is a
 * periodic review). Errors: PU_ERR_CONFLICT (transition refused), PU_ERR_NOTFOUND. */
int protect_measure_status(protect_session *s, const char *case_id, int64_t measure, const char *to, pu_err *err);
/* An investigation of an incident: authority FEADLE | state, file number
 * sealed, outcome open | not_prosecuted | declined_jurisdiction | to_court | sentence. */
int protect_prosecution_add(protect_session *s, const char *case_id, int64_t incident, const char *authority,
                            const char *file_no, const char *outcome, int64_t *id, pu_err *err);

/* ---- reads (audited with s->purpose) ---- */
typedef struct protect_case_row {
    const char *id, *name, *kind, *path, *state, *status, *level, *received;
} protect_case_row;
typedef int (*protect_case_cb)(const protect_case_row *row, void *ctx, pu_err *err);
/* The cases of which s->user is a member (name = the first beneficiary's,
 * unsealed); search (NULL: all) matches folded name words through the
 * blind index. Errors: PU_ERR_DENIED, PU_ERR_INVALID (purpose), PU_ERR_DB, cb's. */
int protect_list(protect_session *s, const char *search, protect_case_cb cb, void *ctx, pu_err *err);
/* One case as JSON text (unsealed; people, contacts, places, incidents,
 * requests, studies, measures, prosecutions, effectiveness). *out the caller's. */
int protect_show_json(protect_session *s, const char *case_id, char **out, pu_err *err);

/* A late or due clock of a case of which s->user is a member. */
typedef struct protect_clock_row {
    const char *case_id, *rule, *path, *source;
    int64_t started, due, done;     /* done 0: not done yet */
    int late;                       /* 1: past due and not done, or done after due */
} protect_clock_row;
typedef int (*protect_clock_cb)(const protect_clock_row *row, void *ctx, pu_err *err);
/* Every clock rule (data/protect/clocks.csv) of s->user's cases; late_only
 * limits to late ones. No content is unsealed (ids and times only). */
int protect_clocks(protect_session *s, int late_only, protect_clock_cb cb, void *ctx, pu_err *err);

/* Generate count cases with invented names, places and phones (demo,
 * benchmarks), s->user their member; *made the number made. */
int protect_generate(protect_session *s, int count, unsigned seed, int *made, pu_err *err);

/* Delete location history older than days (before now) that no incident
 * holds: an operator job, reading no content. *removed gets the count. */
int protect_purge(db_t *db, int days, int64_t now, int64_t *removed, pu_err *err);

/* The indicator aggregates (pu_count.h): protect.beneficiaries (by year
 * received, state), protect.incidents (year, state), protect.measures_late
 * (cases whose urgent order or measures came late, by year received, state),
 * protect.studies_late (cases whose risk study came late): cells below
 * PROTECT_SMALL_CELL emitted suppressed. Through
 * store_scope_sql on the case owner/marking. */
int protect_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

/* Vocabulary checks (catalogues embedded from data/protect/). */
int protect_measure_known(const char *code);
int protect_aggression_known(const char *code);

#endif
