/* tips_int.h - internals shared by the tips module's files (not public). */
#ifndef PU_TIPS_INT_H
#define PU_TIPS_INT_H

/* Argon2id cost of one receipt check: 0.50-0.56 s of CPU time on one core
 * of this machine (bench/tips; wall time is longer when the machine is
 * shared); 256 MiB, so TIPS_KDF_CONCURRENCY checks hold 512 MiB at most.
 * docs/tips.md "Receipts". */
#define TIPS_KDF_OPS 2ULL
#define TIPS_KDF_MEM ((size_t)256 << 20)

#include <stddef.h>
#include "tips/tips.h"

/* Mexican states: ISO 3166-2:MX codes (without "MX-") and names, Spanish
 * spelling without accents folded (tips_places.c). */
typedef struct tips_mx_state {
    const char *code;
    const char *name;      /* lower case, accents stripped */
} tips_mx_state;
extern const tips_mx_state tips_mx_states[];
extern const size_t tips_mx_nstates;
/* Municipalities triage recognises (tips_places.c): state code, the
 * municipality's name as shown, the folded phrase a tip names it by. */
typedef struct tips_mx_municipality {
    const char *state, *name, *phrase;
} tips_mx_municipality;
extern const tips_mx_municipality tips_mx_municipalities[];
extern const size_t tips_mx_nmunicipalities;
/* 1 when code is a known MX state code / US state (or DC) code. */
int tips_mx_state_valid(const char *code);
int tips_us_state_valid(const char *code);

/* The bundled word list (embedded from the Debian diceware package). */
extern const char tips_wordlist_txt[];
extern const size_t tips_wordlist_txt_len;

/* Fold text for matching: lower case, accents stripped, every run of
 * non-alphanumerics one space. *out is the caller's. Errors: PU_ERR_INVALID
 * (bad UTF-8), PU_ERR_NOMEM. */
int tips_fold(const char *s, char **out);

/* Seal contexts of the tips tables (store_seal associated data). */
#define TIPS_CTX_TEXT "tip.text"
#define TIPS_CTX_ANSWERS "tip.answers"
#define TIPS_CTX_MESSAGE "tip_message.text"
#define TIPS_CTX_ENTITY "tip_entity.value"
#define TIPS_CTX_EVIDENCE "tip_link.evidence"
#define TIPS_CTX_REASON "tip_event.reason"

/* The receipt lookup tags under every key of the ring (the current key's
 * first), hex, into tags[PU_KEYRING_MAX or 1][33]; *n the count.
 * tips_receipt.c */
#define TIPS_TAG_HEX 33
int tips_receipt_tags(const char *norm, char tags[][TIPS_TAG_HEX], size_t max, size_t *n);
/* Argon2id string of norm (crypto_pwhash_str) / one check of it. */
int tips_receipt_hash(const char *norm, char *out, size_t size, pu_err *err);
int tips_receipt_verify(const char *hash, const char *norm);
/* Run one Argon2id check against a dummy hash (uniform cost for misses). */
void tips_receipt_dummy(void);
/* Make the dummy hash now (once per process): every check calls this first,
 * so the first check, right or wrong, pays for it alike. */
void tips_receipt_dummy_ready(void);
/* Enter/leave the receipt-check section (at most TIPS_KDF_CONCURRENCY). */
#define TIPS_KDF_CONCURRENCY 2
int tips_kdf_enter(void);
void tips_kdf_leave(void);

/* The tip of a receipt after one Argon2id check (uniform failure). */
int tips_receipt_find(db_t *db, const char *receipt, char id[TIPS_ID_MAX], char status[12], pu_err *err);
/* Messages of a tip, oldest first, unsealed; *out the caller's (free each
 * text and the array). tips_db.c */
int tips_messages_read(db_t *db, const char *id, tips_message **out, size_t *n, pu_err *err);
/* Insert one sealed message dated today (inside the caller's transaction). */
int tips_message_insert(db_t *db, const char *id, const char *author, const char *handler, const char *text,
                        pu_err *err);
/* A message text: non-blank, <= TIPS_MESSAGE_MAX, UTF-8, no control characters. */
int tips_message_text_ok(const char *text, pu_err *err);

/* The intake transaction's context (tips_db.c), shared with the proposers
 * of links to what Puente knows (tips_links.c). */
typedef struct tips_intake_ctx {
    db_t *db;
    const char *id, *owner, *marking;
    int64_t entities, links;
    pu_err *err;
    const struct screen_index *ix;   /* the screening index, or NULL */
} tips_intake_ctx;
/* Insert one proposed link of the tip being filed; owner/marking are those
 * of what it points to (readers see the link only when they may see that). */
int tips_link_insert(tips_intake_ctx *c, const char *kind, const char *target, double score, const char *evidence,
                     const char *owner, const char *marking);
/* Links for one extracted entity to the other engines' records: a serial to
 * trace requests, an air waybill and a company to cargo shipments, a
 * nickname or company to entities of the store (designations included).
 * tips_links.c. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int tips_link_entity(tips_intake_ctx *c, const char *kind, const char *value);
/* Screen one name the tip gives against the index (c->ix) and propose the
 * matches. tips_links.c */
int tips_link_screen(tips_intake_ctx *c, const char *name, const char *said_as);
/* Links to the early-warning vocabulary for the substances a text names. */
int tips_link_substances(tips_intake_ctx *c, const char *text);

/* One state event of a tip (the reason sealed), dated today, inside the
 * caller's transaction. tips_handle.c */
int tips_event_add(db_t *db, const char *id, const char *from, const char *to, const char *user, const char *reason,
                   pu_err *err);

/* Today as YYYY-MM-DD (UTC), for day-rounded dates. */
void tips_today(char out[11]);

/* Re-seal the attachments of tip_id sealed to another agency to agency
 * `to`, inside the caller's transaction: a file whose agency's secret key is
 * in $PUENTE_TIPS_KEY_FILE is opened and sealed again to `to`'s public key
 * (the row's agency becomes `to`); the others are kept as they are
 * (*kept), as are all when `to` has no key yet. Errors: PU_ERR_DB, NOMEM. */
int tips_attach_reseal_to(db_t *db, const char *tip_id, const char *to, int64_t *resealed, int64_t *kept, pu_err *err);

#endif
