/* protect_int.h - internals shared by the protect module's files (not public). */
#ifndef PU_PROTECT_INT_H
#define PU_PROTECT_INT_H

#include <sodium.h>
#include "protect/protect.h"

#define PR_KEY_BYTES 32
#define PR_TAG_HEX 33                  /* 16 bytes of HMAC-SHA-256, hex */
#define PR_TAG_CTX "pu_ptag"           /* crypto_kdf context of the blind index key */
#define PR_MAX_TOKENS 8                /* words of a name indexed / searched */

/* Embedded catalogues (the CSV files of data/protect). */
extern const char protect_clocks_csv[];
extern const size_t protect_clocks_csv_len;
extern const char protect_measures_csv[];
extern const size_t protect_measures_csv_len;
extern const char protect_aggressions_csv[];
extern const size_t protect_aggressions_csv_len;

/* The session may act (unlocked, protection-officer). Errors: PU_ERR_DENIED. */
int pr_ready(const protect_session *s, pu_err *err);
/* ... and may read content: a purpose is set. Errors: PU_ERR_DENIED, PU_ERR_INVALID. */
int pr_ready_read(const protect_session *s, pu_err *err);
int64_t pr_now(const protect_session *s);
void pr_day(int64_t t, char out[11]);

/* The case key of case_id unwrapped with s's secret key; *version its
 * version. A case of which s->user is not a member is PU_ERR_NOTFOUND (its
 * existence is not revealed). Wipe key after use. */
int pr_case_key(protect_session *s, const char *case_id, unsigned char key[PR_KEY_BYTES], int *version, pu_err *err);

/* Seal data under key as value (kind, rec, field) of the case (inserted, or
 * replaced when present). */
int pr_seal(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
            const char *field, const void *data, size_t n, pu_err *err);
/* Open the value (kind, rec, field): *out NUL-terminated, the caller's
 * (free); NULL with *n 0 when there is none. */
int pr_open(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
            const char *field, char **out, size_t *n, pu_err *err);
/* Seal a text field (NULL/empty: nothing stored). Checks length and UTF-8. */
int pr_seal_text(db_t *db, const char *case_id, const unsigned char *key, int version, const char *kind, int64_t rec,
                 const char *field, const char *text, pu_err *err);
/* The blind-index tags of a name's folded words (at most PR_MAX_TOKENS). */
int pr_name_tags(const unsigned char *key, const char *name, char tags[][PR_TAG_HEX], size_t *n);
/* Store the tags of person rec's name. */
int pr_tags_put(db_t *db, const char *case_id, const unsigned char *key, int64_t rec, const char *name, pu_err *err);
/* Re-seal every value and tag of the case from (old, ov) to (nk, nv). */
int pr_reseal_case(db_t *db, const char *case_id, const unsigned char *old, int ov, const unsigned char *nk, int nv,
                   pu_err *err);
/* Wrap key for user's public key (stored hex) into the member row. */
int pr_wrap_for(db_t *db, const char *case_id, const char *user, const unsigned char *key, int version,
                const char *added_by, int64_t now, pu_err *err);

/* Audit one action on a case with the session's purpose; targets are ids. */
int pr_audit(protect_session *s, const char *action, const char *case_id, const char *targets, const char *outcome,
             pu_err *err);

/* A line of an embedded CSV whose first field is code: copies field col
 * into out ("" when absent). Returns 1 when found. */
int pr_catalogue(const char *csv, const char *code, int col, char *out, size_t size);

/* 1 for a state code of 2-3 capital letters ("GRO", "CDMX" is not one: "CMX"). */
int pr_valid_state(const char *s);
/* The clock rules of one case (no session: the aggregates use it too). */
int pr_case_clocks(db_t *db, const char *case_id, const char *path, int64_t received, int64_t now, int late_only,
                   protect_clock_cb cb, void *ctx, pu_err *err);

/* Run f inside a transaction (rollback on error). */
typedef int (*pr_tx_fn)(void *ctx, pu_err *err);
int pr_tx(db_t *db, pr_tx_fn f, void *ctx, pu_err *err);

#endif
