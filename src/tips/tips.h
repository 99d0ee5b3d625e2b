/*
 * tips.h - the anonymous bilingual tip line (issue #20; docs/tips.md).
 *
 * A member of the public files a tip (no account) in one of seven categories,
 * in English or Spanish, with the category's questionnaire. The tip is routed
 * to a primary agency (owner) by category and place, stored with the default
 * marking (AGENCY-ONLY) and its text, answers and messages sealed at rest
 * (store_seal). The tipster gets a RECEIPT once: seven words of the EFF long
 * word list (7 x log2(7776) = 90.5 bits). Only an Argon2id hash of it is
 * stored, beside a keyed lookup tag (BLAKE2b under a key derived from the
 * deployment key ring) so a check costs one Argon2id computation, not one per
 * tip. With the receipt the tipster reads the handlers' questions and answers.
 *
 * Nothing that identifies the tipster is kept: the engine takes no address,
 * user agent or referrer (its API has no place for them), and every date a
 * tip row holds is a day ("2026-12-06"). Staff actions are audited by the
 * shells and the purge job (tips_purge) audits itself; the tipster's actions
 * are never audited.
 *
 * Handling: states new -> triaged -> assigned -> linked | referred | closed;
 * any closed state may be reopened (to triaged) with a reason. Reads go
 * through store_scope_sql (owner and marking of the tip); changes through
 * store_check_owner. Triage at intake extracts entities (phones, plates,
 * serials, CAS numbers and chemicals, nicknames, companies, states, dates),
 * proposes links with their evidence and finds near-duplicate tips.
 *
 * Threads: the functions take the calling thread's db_t; the abuse guard
 * (tips_guard_*) is process-wide and thread-safe, held in memory only.
 * Strings returned through out-parameters are the caller's (the named free
 * function); callbacks get rows valid only during the call.
 */
#ifndef PU_TIPS_H
#define PU_TIPS_H

#include <stddef.h>
#include <stdint.h>

#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"

#define TIPS_ID_MAX 24            /* "tip-" + 16 base32 characters + NUL */
#define TIPS_TEXT_MAX 20000       /* bytes of a tip's free text */
#define TIPS_ANSWER_MAX 2000      /* bytes of one questionnaire answer */
#define TIPS_MESSAGE_MAX 8000     /* bytes of one message (question or answer) */
#define TIPS_RECEIPT_WORDS 7
#define TIPS_RECEIPT_MAX 160      /* bytes of a receipt as typed (longer: refused) */
#define TIPS_RETENTION_DAYS 90    /* closed tips are purged after this (default) */

/* ---- categories and questionnaires (tips_form.c) ----------------------- */
/* The category codes, NULL-terminated: firearms, drugs, precursors,
 * smuggling, disappearance, corruption, other. */
const char *const *tips_categories(void);
int tips_category_valid(const char *code);
/* The questionnaire keys of a category (NULL-terminated; static), in the
 * order they are asked; NULL for an unknown category. Labels are the
 * catalogue's "tip.q.<key>" (src/i18n/messages.tsv). */
const char *const *tips_questions(const char *category);

/* The i-th state code the intake takes for country "MX" (ISO 3166-2:MX
 * without "MX-", e.g. "CHH") or "US" (USPS, with DC) into out; 0 past the
 * last one or for another country. For the public page's place list. */
int tips_state_code(const char *country, size_t i, char out[8]);

/* ---- intake (tips_intake.c) ---------------------------------------------- */
#define TIPS_MAX_ANSWERS 16
typedef struct tips_intake {
    char category[16];
    char lang[3];                 /* "en" or "es" */
    char country[3];              /* "US", "MX" or "" (the place) */
    char state[8];                /* state code: "CHIH" (MX) or "TX" (US), "" */
    char *text;                   /* owned */
    size_t nanswers;
    char *qkey[TIPS_MAX_ANSWERS]; /* owned; questionnaire keys */
    char *answer[TIPS_MAX_ANSWERS];
    char pow_challenge[128];      /* proof of work, checked by the shell */
    char pow_nonce[64];
} tips_intake;
void tips_intake_free(tips_intake *t);   /* frees the strings; NULL-safe */
/* Parse and check the public intake body (JSON object):
 *   {"category", "lang", "text", "answers": {key: text}, "country", "state",
 *    "pow": {"challenge", "nonce"}}
 * Refuses (PU_ERR_INVALID, naming the field) unknown keys, an unknown
 * category, language, country or state, answers to questions the category
 * does not ask, empty text, invalid UTF-8 and control characters other than
 * tab and newline; PU_ERR_LIMIT for a text or answer over its cap. On error
 * *out holds nothing (it is freed). This is the parser of outside input the
 * fuzz target fuzz/tips drives. */
int tips_intake_parse(const char *body, size_t len, tips_intake *out, pu_err *err);

/* ---- receipts (tips_receipt.c) ------------------------------------------- */
/* A new receipt: TIPS_RECEIPT_WORDS words of the bundled list, separated by
 * spaces, from libsodium's CSPRNG, into out (size >= TIPS_RECEIPT_MAX).
 * Errors: PU_ERR_INTERNAL (the word list is not loaded), PU_ERR_LIMIT. */
int tips_receipt_new(char *out, size_t size, pu_err *err);
/* Normalise a typed receipt: lower case, any run of spaces, hyphens, dots or
 * commas between words becomes one space; each word must be in the list.
 * Returns PU_OK or PU_ERR_INVALID (the message never says which word). */
int tips_receipt_norm(const char *typed, char *out, size_t size);
/* Entropy of a receipt in bits (words x log2(list size)). */
double tips_receipt_bits(void);
/* The Argon2id parameters in force (TIPS_KDF_OPS/TIPS_KDF_MEM, or the test
 * override $PUENTE_TIPS_KDF="ops:KiB" when given and at least libsodium's
 * minimum; *weakened = 1 then). */
void tips_kdf_params(unsigned long long *ops, size_t *mem, int *weakened);
/* 1 when a test/demo override weakens the tip line's protections in this
 * process ($PUENTE_TIPS_KDF below the default hash cost, or
 * $PUENTE_TIPS_POW_BITS below the default proof of work), with a sentence
 * for the operator in out (the server prints it as a warning at start);
 * 0 and "" otherwise. */
int tips_weakened(char *out, size_t size);

/* ---- the engine (tips_db.c) ---------------------------------------------- */
int tips_migrate(db_t *db, pu_err *err);

/* Handling states. */
#define TIPS_STATES "new, triaged, assigned, linked, referred or closed"
int tips_state_valid(const char *s);
/* 1 when moving from `from` to `to` is allowed; *needs_reason = 1 when the
 * move is a reopening (from linked, referred or closed). */
int tips_transition_ok(const char *from, const char *to, int *needs_reason);

/* The routing table: the primary agency for a category and country ("" =
 * unknown: the language decides, es -> MX, en -> US). Static string. */
const char *tips_route(const char *category, const char *country, const char *lang);

typedef struct tips_receipt_out {
    char id[TIPS_ID_MAX];
    char receipt[TIPS_RECEIPT_MAX];   /* shown once, never stored */
    char owner[32];                   /* routed to */
    char day[11];
    int64_t entities, links;          /* triage counts */
} tips_receipt_out;

/* File a tip: route it, make the receipt and its hash, seal the text and
 * answers, run triage (tips_triage) and store everything in ONE transaction
 * (nothing is half-stored). `filer` names the staff account filing for a
 * caller (`puente tip submit`), NULL for the public route; it is not stored
 * in the tip (the CLI's audit entry records it). Errors: PU_ERR_INVALID
 * (intake), PU_ERR_IO (bad seal key configuration), PU_ERR_DB, PU_ERR_NOMEM. */
int tips_submit(db_t *db, const tips_intake *in, tips_receipt_out *out, pu_err *err);
/* tips_submit with the screening index (borrowed, may be NULL): the names a
 * tip gives (nicknames, companies, the `who` and `person` answers) are
 * screened against it (screen_run, every designation and entity) and each
 * match at or above the screening threshold is proposed as a link with its
 * score. Without an index only the store's name index is searched. */
struct screen_index;
/* The slow half of a submission, done before anything is locked: a new
 * receipt, its lookup tag and its Argon2id hash (~0.5 s). The server runs
 * it before it takes the screening index, so a rebuild of the index never
 * waits for a hash. Wipe with sodium_memzero after use. Errors: PU_ERR_IO
 * (key ring), PU_ERR_NOMEM, PU_ERR_INTERNAL. */
#define TIPS_HASH_MAX 128         /* crypto_pwhash_STRBYTES */
#define TIPS_TAG_MAX 33
typedef struct tips_prepared {
    char receipt[TIPS_RECEIPT_MAX];
    char tag[TIPS_TAG_MAX];
    char hash[TIPS_HASH_MAX];
} tips_prepared;
int tips_prepare_receipt(tips_prepared *p, pu_err *err);
/* tips_submit_screened with a receipt made by tips_prepare_receipt. */
int tips_submit_prepared(db_t *db, const tips_intake *in, const struct screen_index *ix, const tips_prepared *p,
                         tips_receipt_out *out, pu_err *err);
int tips_submit_screened(db_t *db, const tips_intake *in, const struct screen_index *ix, tips_receipt_out *out,
                         pu_err *err);

/* The tipster's view, after one Argon2id check of the receipt. */
typedef struct tips_message {
    char author[12];          /* "tipster" or "handler" */
    char day[11];
    char *text;               /* owned */
} tips_message;
typedef struct tips_tipster_view {
    char id[TIPS_ID_MAX];
    char category[16];
    char lang[3];
    char status[12];          /* "open" or "closed": no more detail for the tipster */
    char day[11];
    size_t nmessages;
    tips_message *messages;   /* owned */
} tips_tipster_view;
void tips_tipster_view_free(tips_tipster_view *v);   /* NULL-safe */
/* Open a tip by its receipt. Every failure - malformed receipt, wrong length,
 * unknown receipt - costs the same one Argon2id computation and gives the
 * same PU_ERR_NOTFOUND "no tip matches this receipt" (uniform answer and
 * delay). Purged tips are gone. Errors: PU_ERR_NOTFOUND, PU_ERR_DB,
 * PU_ERR_DENIED (sealed under a key not configured), PU_ERR_LIMIT when
 * TIPS_KDF_CONCURRENCY checks already run (the shell answers 503). */
int tips_receipt_open(db_t *db, const char *receipt, tips_tipster_view *out, pu_err *err);
/* The tipster answers: the receipt is checked as in tips_receipt_open; the
 * message is sealed and stored with the day. A closed tip takes no more
 * messages (PU_ERR_CONFLICT); more than TIPS_REPLIES_PER_HOUR on one tip in
 * the hour are refused before anything is stored (PU_ERR_LIMIT, field
 * "rate"; the count is taken after the receipt check, in memory).
 * Errors: those of tips_receipt_open, PU_ERR_INVALID/PU_ERR_LIMIT (text),
 * PU_ERR_CONFLICT. *id gets the tip id. */
int tips_tipster_reply(db_t *db, const char *receipt, const char *text, char id[TIPS_ID_MAX], pu_err *err);

/* ---- the handler's side --------------------------------------------------- */
typedef struct tips_row {
    const char *id, *category, *lang, *country, *state_code, *status, *owner, *marking;
    const char *received_day, *updated_day, *dup_of;
    int64_t messages, links_proposed, links_confirmed;
    int spam;
} tips_row;
typedef int (*tips_row_cb)(const tips_row *r, void *ctx);
typedef struct tips_query {
    const char *status;       /* NULL = all */
    const char *category;     /* NULL = all */
    int64_t limit;            /* 0 = 1000 */
} tips_query;
/* Tips visible to scope (store_scope_sql), newest day first. Errors:
 * PU_ERR_INVALID (unknown status or category), PU_ERR_DB, the callback's. */
int tips_list(db_t *db, const store_scope *scope, const tips_query *q, tips_row_cb cb, void *ctx, pu_err *err);

typedef struct tips_entity {
    char kind[16];            /* phone, plate, serial, cas, chemical, nickname, company, state, date, awb */
    char *value;              /* owned; normalised */
} tips_entity;
typedef struct tips_link {
    int64_t id;
    char kind[16];            /* tip (near-duplicate), watchlist, ews, designation, cargo, trace */
    char target[128];
    char status[12];          /* proposed, confirmed, rejected */
    double score;
    char *evidence;           /* owned */
} tips_link;
typedef struct tips_event {
    char day[11];
    char from[12], to[12];
    char by[96];
    char *reason;             /* owned; may be "" */
} tips_event;
typedef struct tips_attachment_row {
    int64_t id;
    char type[32], agency[32], day[11];
    int64_t size;
    int stripped;
} tips_attachment_row;
typedef struct tips_detail {
    char id[TIPS_ID_MAX], category[16], lang[3], country[3], state_code[8];
    char status[12], owner[32], marking[16], received_day[11], dup_of[TIPS_ID_MAX];
    int spam;
    char *text;               /* owned, unsealed */
    size_t nanswers;
    char **qkey, **answer;    /* owned */
    size_t nmessages, nentities, nlinks, nevents, nattachments;
    tips_attachment_row *attachments;
    tips_message *messages;
    tips_entity *entities;
    tips_link *links;
    tips_event *events;
} tips_detail;
void tips_detail_free(tips_detail *d);   /* NULL-safe */
/* One tip as the handler sees it (everything unsealed). Errors:
 * PU_ERR_NOTFOUND (absent or hidden by its marking), PU_ERR_DENIED (sealed
 * under a key not configured), PU_ERR_DB, PU_ERR_NOMEM. */
int tips_get(db_t *db, const store_scope *scope, const char *id, tips_detail *out, pu_err *err);

/* A handler's question to the tipster (sealed, dated by day). The tip must
 * be visible and writable by the reader (store_check_owner) and not closed.
 * Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_CONFLICT (closed),
 * PU_ERR_INVALID/PU_ERR_LIMIT (text), PU_ERR_DB. */
int tips_handler_message(db_t *db, const store_scope *scope, const char *id, const char *user, const char *text,
                         pu_err *err);

/* Change the state (and optionally the owner on "assigned"/"referred": the
 * agency it goes to; and the marking, releasing read-only copies wider).
 * A reopening needs a non-empty reason. The event is kept (by whom, the day,
 * the sealed reason). Errors: PU_ERR_INVALID (state, marking, missing
 * reason: field named), PU_ERR_CONFLICT (transition not allowed),
 * PU_ERR_NOTFOUND, PU_ERR_DENIED (not the owner; a marking the agency may not
 * file), PU_ERR_DB. */
typedef struct tips_change {
    const char *to;           /* new state */
    const char *reason;       /* required to reopen */
    const char *agency;       /* new owner (assign/refer), NULL = same */
    const char *marking;      /* new marking, NULL = same */
    const char *user;         /* who (kept in the event) */
    int opened_new;           /* 1: this tip opened a new investigation (indicator) */
} tips_change;
int tips_set_state(db_t *db, const store_scope *scope, const char *id, const tips_change *c, pu_err *err);

/* Confirm or reject a proposed link (decision "confirmed" or "rejected").
 * Confirming a link to an existing investigation moves the tip to "linked"
 * when it was new/triaged/assigned. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED,
 * PU_ERR_INVALID (decision), PU_ERR_DB. */
int tips_link_decide(db_t *db, const store_scope *scope, const char *id, int64_t link_id, const char *decision,
                     const char *user, pu_err *err);

/* Counts for the impact indicators over the tips visible to scope. */
typedef struct tips_indicators {
    int64_t received, open, linked, opened_new, referred, closed, duplicates, spam;
    int64_t links_proposed, links_confirmed, links_rejected;
} tips_indicators;
int tips_indicators_get(db_t *db, const store_scope *scope, tips_indicators *out, pu_err *err);

/* Retention: delete every tip closed (state closed) on a day more than
 * `days` before `today` (YYYY-MM-DD), with its messages,
 * entities, links and events, in one transaction that also writes ONE audit
 * entry (component "tips", action "tip.purge", the purged ids as targets,
 * the count and the rule as detail). *purged gets the count. Errors:
 * PU_ERR_INVALID (days < 1 or a bad date), PU_ERR_DB. */
int tips_purge(db_t *db, int days, const char *today, const char *operator_name, int64_t *purged, pu_err *err);

/* Split off the part of a tip that concerns the other country (a tip about
 * both sides of the border): a new tip for `country` ("US" or "MX", not the
 * tip's own), routed to that country's agency for the category
 * (tips_route), with its own text (q->text) or a copy of the tip's text and
 * answers, triaged like an intake, with the tip's marking unless q->marking
 * (readers on each side see the other part only when its marking lets
 * them). Both tips get a link to each other and an event; no receipt opens
 * the part (the tipster keeps talking through the original). The reader
 * must own the tip. Errors: PU_ERR_INVALID (country, state, text, marking:
 * field named), PU_ERR_CONFLICT (closed), PU_ERR_NOTFOUND, PU_ERR_DENIED,
 * PU_ERR_DB. */
typedef struct tips_split_req {
    const char *country;                 /* "US" or "MX" */
    const char *state;                   /* the part's state, NULL = none */
    const char *text;                    /* the part's text, NULL = the whole tip */
    const char *marking;                 /* NULL = the tip's */
    const char *user;                    /* who (kept in the events) */
    const struct screen_index *ix;       /* screening index for triage, may be NULL */
} tips_split_req;
int tips_split(db_t *db, const store_scope *scope, const char *id, const tips_split_req *q, char part_id[TIPS_ID_MAX],
               pu_err *err);

/* Re-seal a tip's files to the agency that owns it now (a tip assigned or
 * referred to another agency; docs/tips.md "Attachments"): files sealed to
 * an earlier agency whose secret key is in $PUENTE_TIPS_KEY_FILE are opened
 * and sealed to the owner's public key; *kept counts those that could not
 * be (no key at hand). tips_set_state does this itself on a change of
 * agency; this is for a later run with the key file. The reader must act
 * for the owner. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED, PU_ERR_DB. */
int tips_reseal(db_t *db, const store_scope *scope, const char *tip_id, int64_t *resealed, int64_t *kept, pu_err *err);

/* ---- triage (tips_triage.c) ----------------------------------------------- */
/* Extract entities from a text (both languages): phone numbers (MX 10 digits
 * with optional +52/044/045, US NANP with optional +1), plates (MX and US
 * patterns next to a plate word), firearm serials (next to a serial word),
 * CAS numbers (check digit verified), chemicals (the cargo precursor
 * watchlist, names in EN and ES and CAS), Spanish nicknames ("El Huevo",
 * "alias La Güera"), companies (legal-form suffixes: S.A. de C.V., LLC,
 * Inc., ...), Mexican states, and dates (ISO, d/m/y, "3 de mayo"). Calls
 * cb(kind, normalised value, ctx) for each distinct one. Errors: the
 * callback's, PU_ERR_NOMEM. */
typedef int (*tips_entity_cb)(const char *kind, const char *value, void *ctx);
int tips_extract(const char *text, tips_entity_cb cb, void *ctx, pu_err *err);
/* 64-bit SimHash of the word 3-shingles of a text (folded, accents off):
 * near-duplicates differ in few bits. */
uint64_t tips_simhash(const char *text);
/* 1 when a text looks like spam: three or more links, fewer than 15
 * letters, or one character repeated more than 30 times. Flagged, never
 * refused: a handler decides (a real tip may be short). */
int tips_spam(const char *text);
/* Hamming distance at or below which two tips are near-duplicates. */
#define TIPS_DUP_BITS 6

/* ---- attachments (tips_attach.c) ------------------------------------------- *
 * Files from the tipster (with the receipt) or the operator: at most
 * TIPS_ATTACH_MAX bytes each and TIPS_ATTACH_PER_TIP per tip; the type comes
 * from the content (JPEG, PNG, PDF, plain UTF-8 text; anything else, and so
 * every archive that would be unpacked, is refused); sealed with
 * crypto_box_seal to the public key of the agency that owns the tip at upload
 * (`puente tip keygen AGENCY`: the public key goes into the store, the secret
 * key to the agency's key file $PUENTE_TIPS_KEY_FILE, never into the store).
 * JPEG and PNG also get a copy with the metadata stripped (EXIF/GPS, XMP,
 * IPTC, comments, text chunks), sealed the same way; the original is kept
 * as evidence. Served only to handlers of that agency. */
#define TIPS_ATTACH_MAX (5 << 20)
#define TIPS_ATTACH_PER_TIP 20
#define TIPS_ATTACH_PER_HOUR 5     /* tipster uploads per tip per hour (in memory) */
typedef struct tips_attachment_out {
    int64_t id;
    char type[32];
    int64_t size;
    int stripped;                  /* 1: a metadata-free copy was made */
} tips_attachment_out;
/* The media type of a file by its content, or NULL when it is not taken. */
const char *tips_attach_type(const unsigned char *d, size_t n);
/* A copy of a JPEG/PNG without its metadata into *out (the caller frees);
 * *out NULL when there is nothing to strip or the type has no metadata.
 * PU_ERR_INVALID when the file's structure cannot be walked. */
int tips_attach_strip(const char *type, const unsigned char *d, size_t n, unsigned char **out, size_t *outn);
/* Make an agency's key pair: the public key is stored (replacing an older
 * one), the secret key handed out as hex (the caller writes it to the
 * agency's key file as "AGENCY <hex>" and wipes it). Errors: PU_ERR_INVALID,
 * PU_ERR_DB. */
int tips_agency_keygen(db_t *db, const char *agency, char secret_hex[65], pu_err *err);
/* Seal and store one file for tip_id, to `agency` (inside the caller's
 * transaction when one is open). Errors: PU_ERR_INVALID (empty),
 * PU_ERR_LIMIT (size, count), PU_ERR_UNSUPPORTED (type), PU_ERR_CONFLICT (the
 * agency has no key), PU_ERR_DB, PU_ERR_NOMEM. */
int tips_attach_add(db_t *db, const char *tip_id, const char *agency, const unsigned char *d, size_t n,
                    tips_attachment_out *out, pu_err *err);
/* The tipster adds a file with the receipt (one Argon2id check, as
 * tips_receipt_open); sealed to the tip's current owner; more than
 * TIPS_ATTACH_PER_HOUR on one tip in the hour are refused (PU_ERR_LIMIT,
 * field "rate"). *id gets the tip id. Errors: those of tips_receipt_open and
 * tips_attach_add, PU_ERR_CONFLICT (closed). */
int tips_tipster_attach(db_t *db, const char *receipt, const unsigned char *d, size_t n, tips_attachment_out *out,
                        char id[TIPS_ID_MAX], pu_err *err);
/* Open one attachment for a reader: the tip must be visible to scope and
 * the reader's agency must be the one the file was sealed to (STORE_SYSTEM:
 * any); the secret key comes from $PUENTE_TIPS_KEY_FILE. original = 1: the
 * sealed original; 0: the stripped copy when there is one. *data is the
 * caller's. Errors: PU_ERR_NOTFOUND, PU_ERR_DENIED (another agency, no key
 * configured, a key that does not open it), PU_ERR_IO, PU_ERR_DB. */
int tips_attach_open(db_t *db, const store_scope *scope, const char *tip_id, int64_t att_id, int original,
                     unsigned char **data, size_t *n, char type[32], pu_err *err);

/* ---- generated tips (tips_gen.c) ------------------------------------------- */
/* File `count` generated tips (English and Spanish, every category, places
 * on both sides; two thirds in groups of three sharing a phone, plate,
 * nickname or company; some naming serials of trace requests and air
 * waybills of screened shipments found in the store), each through
 * tips_submit. Deterministic for a seed. *filed counts them. Errors: those
 * of tips_submit. For `make demo`, bench/tips and the link evaluation. */
int tips_generate(db_t *db, int count, unsigned seed, int64_t *filed, pu_err *err);

/* ---- abuse without identity (tips_guard.c) -------------------------------- *
 * Process-wide, in memory only (nothing of it is ever written): a
 * hashcash-style proof of work whose difficulty rises with the number of
 * tips accepted in the last TIPS_LOAD_WINDOW seconds, single use per
 * challenge; per-tip limits on tipster messages per hour; a cap on
 * concurrent receipt checks. */
#define TIPS_LOAD_WINDOW 600
/* A fresh challenge: "v1.<expiry>.<bits>.<random hex>.<mac hex>" into out
 * (size >= 128), *bits its difficulty. */
int tips_pow_challenge(int64_t now, char *out, size_t size, int *bits, pu_err *err);
/* Check a solution: BLAKE2b-256(challenge ":" nonce) has at least the
 * challenge's bits of leading zeros, the MAC is ours, it has not expired and
 * was not used before (it is used up now). Errors: PU_ERR_INVALID (field
 * "pow": malformed, wrong MAC, expired, not enough work), PU_ERR_CONFLICT
 * (used before). */
int tips_pow_check(const char *challenge, const char *nonce, int64_t now, pu_err *err);
/* The difficulty now (leading zero bits). */
int tips_pow_bits(int64_t now);
/* Count one accepted tip (raises the difficulty). */
void tips_guard_note_tip(int64_t now);
/* Take one tipster message for tip id in the current hour. 1 = allowed,
 * 0 = over TIPS_REPLIES_PER_HOUR. */
#define TIPS_REPLIES_PER_HOUR 10
int tips_guard_take_reply(const char *id, int64_t now);
/* The same for tipster uploads (TIPS_ATTACH_PER_HOUR per tip). */
int tips_guard_take_attachment(const char *id, int64_t now);
/* Forget everything (tests). */
void tips_guard_reset(void);
/* 1 when a proof-of-work solution is valid for this bits count (tests, bench). */
int tips_pow_solve(const char *challenge, int bits, char *nonce, size_t size);

/* ---- named counts (tips_counts.c) -------------------------------------------
 * The impact indicators' figures (common/pu_count.h; docs/tips.md "Named
 * counts"), one row per tip and figure in the cell of its received
 * year/month, country, state ("MX-SIN") and owner agency: tips.received,
 * tips.linked (state linked or a confirmed link), tips.opened_investigation,
 * tips.closed, tips.duplicates, tips.spam. Only what scope may see.
 * Errors: PU_ERR_DB, PU_ERR_INTERNAL (NULL scope), cb's. */
#include "common/pu_count.h"
int tips_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
/* The same rows, each with its record (kind tip, id = the tip id, label its place, link /app/tips/ID): the drill-down to records (app.h
 * count_records). Errors: as tips_counts. */
int tips_count_records(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);

#endif
