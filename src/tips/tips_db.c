/* tips_db.c - the tips tables, intake (one transaction) and the tipster's
 * side (receipt checks). Every date in these tables is a day. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pu_keyring.h"
#include "common/pu_vec.h"
#include "tips/tips_int.h"

static const char *const MIGRATIONS[] = {
    /* v1 */
    "CREATE TABLE tip (id TEXT PRIMARY KEY, owner TEXT NOT NULL, marking TEXT NOT NULL,"
    " category TEXT NOT NULL, lang TEXT NOT NULL, country TEXT NOT NULL, state_code TEXT NOT NULL,"
    " status TEXT NOT NULL, received_day TEXT NOT NULL, updated_day TEXT NOT NULL, closed_day TEXT,"
    " lookup TEXT NOT NULL UNIQUE, receipt_hash TEXT NOT NULL, text TEXT NOT NULL, answers TEXT NOT NULL,"
    " simhash {INT} NOT NULL, dup_of TEXT, spam {BOOL} NOT NULL, opened_new {BOOL} NOT NULL);"
    "CREATE INDEX tip_status ON tip (status, received_day);"
    "CREATE TABLE tip_message (id {ID}, tip_id TEXT NOT NULL REFERENCES tip(id), author TEXT NOT NULL,"
    " handler TEXT, day TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX tip_message_tip ON tip_message (tip_id);"
    "CREATE TABLE tip_entity (id {ID}, tip_id TEXT NOT NULL REFERENCES tip(id), kind TEXT NOT NULL,"
    " value TEXT NOT NULL, vkey TEXT NOT NULL);"
    "CREATE INDEX tip_entity_tip ON tip_entity (tip_id);"
    "CREATE INDEX tip_entity_vkey ON tip_entity (vkey);"
    "CREATE TABLE tip_link (id {ID}, tip_id TEXT NOT NULL REFERENCES tip(id), kind TEXT NOT NULL,"
    " target TEXT NOT NULL, score {REAL} NOT NULL, status TEXT NOT NULL, evidence TEXT NOT NULL,"
    " owner TEXT NOT NULL, marking TEXT NOT NULL, decided_by TEXT, decided_day TEXT);"
    "CREATE INDEX tip_link_tip ON tip_link (tip_id);"
    "CREATE TABLE tip_event (id {ID}, tip_id TEXT NOT NULL REFERENCES tip(id), day TEXT NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, by_user TEXT NOT NULL, reason TEXT NOT NULL);"
    "CREATE INDEX tip_event_tip ON tip_event (tip_id);",
    /* v2: attachments, sealed to the receiving agency's public key */
    "CREATE TABLE tip_agency_key (agency TEXT PRIMARY KEY, public_key TEXT NOT NULL);"
    "CREATE TABLE tip_attachment (id {ID}, tip_id TEXT NOT NULL REFERENCES tip(id), agency TEXT NOT NULL,"
    " day TEXT NOT NULL, type TEXT NOT NULL, size {INT} NOT NULL, original {BLOB} NOT NULL, clean {BLOB});"
    "CREATE INDEX tip_attachment_tip ON tip_attachment (tip_id);",
};

int tips_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "tips", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

void tips_today(char out[11]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
}

/* "tip-" + 16 base32 characters (80 random bits): ids say nothing about the
 * order or time of arrival. */
static void new_id(char out[TIPS_ID_MAX]) {
    static const char B32[] = "abcdefghijkmnpqrstuvwxyz23456789";
    unsigned char r[16];
    randombytes_buf(r, sizeof r);
    memcpy(out, "tip-", 4);
    for (int i = 0; i < 16; i++) out[4 + i] = B32[r[i] & 31];
    out[20] = '\0';
}

/* ---- intake ---- */
typedef tips_intake_ctx intake_ctx;

/* The blind index of an entity: keyed like the receipt lookup, so equal
 * values of different tips meet in SQL while the value stays sealed. */
static void vkey_of(const char *kind, const char *value, char out[TIPS_TAG_HEX]) {
    char buf[256], tags[PU_KEYRING_MAX][TIPS_TAG_HEX];
    size_t n = 0;
    char *f = NULL;
    (void)pu_snprintf(buf, sizeof buf, "entity:%s:%s", kind, tips_fold(value, &f) == PU_OK ? f : value);
    free(f);
    if (tips_receipt_tags(buf, tags, 1, &n) != PU_OK || n == 0) {
        out[0] = '\0';
        return;
    }
    pu_strlcpy(out, tags[0], TIPS_TAG_HEX);
}

int tips_link_insert(intake_ctx *c, const char *kind, const char *target, double score, const char *evidence,
                       const char *owner, const char *marking) {
    db_stmt *st;
    char *sealed = NULL;
    int rc = store_seal(TIPS_CTX_EVIDENCE, evidence, &sealed, c->err);
    if (rc) return rc;
    rc = db_prepare(c->db,
                    "INSERT INTO tip_link (tip_id, kind, target, score, status, evidence, owner, marking)"
                    " VALUES (?, ?, ?, ?, 'proposed', ?, ?, ?)", &st, c->err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, c->id, -1);
        db_bind_text(st, 2, kind, -1);
        db_bind_text(st, 3, target, -1);
        db_bind_double(st, 4, score);
        db_bind_text(st, 5, sealed, -1);
        db_bind_text(st, 6, owner, -1);
        db_bind_text(st, 7, marking, -1);
        rc = db_step_done(st, c->err);
        db_finalize(st);
    }
    free(sealed);
    if (rc == PU_OK) c->links++;
    return rc;
}

/* Other tips that name the same thing: one proposed link per tip, with the
 * shared value as evidence; the link carries the other tip's owner and
 * marking, so only readers who may see that tip see the link. */
static int link_same_entity(intake_ctx *c, const char *kind, const char *value, const char *vkey) {
    static const char *const LINKED_KINDS[] = {"phone", "plate", "serial", "nickname", "company", "awb", NULL};
    int wanted = 0;
    for (size_t i = 0; LINKED_KINDS[i]; i++) wanted |= !strcmp(kind, LINKED_KINDS[i]);
    if (!wanted) return PU_OK;
    db_stmt *st;
    int rc = db_prepare(c->db,
                        "SELECT DISTINCT t.id, t.owner, t.marking FROM tip_entity e JOIN tip t ON t.id = e.tip_id"
                        " WHERE e.vkey = ? AND e.tip_id <> ? ORDER BY t.id LIMIT 20", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, vkey, -1);
    db_bind_text(st, 2, c->id, -1);
    char ids[20][TIPS_ID_MAX], owners[20][32], markings[20][16];
    size_t n = 0;
    while ((rc = db_step(st, c->err)) == DB_ROW && n < 20) {
        pu_strlcpy(ids[n], db_col_text(st, 0), TIPS_ID_MAX);
        pu_strlcpy(owners[n], db_col_text(st, 1), 32);
        pu_strlcpy(markings[n++], db_col_text(st, 2), 16);
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != DB_ROW) return rc;
    for (size_t i = 0; i < n; i++) {
        char ev[256];
        (void)pu_snprintf(ev, sizeof ev, "same %s: %s", kind, value);
        if ((rc = tips_link_insert(c, "tip", ids[i], 0.9, ev, owners[i], markings[i]))) return rc;
    }
    return PU_OK;
}

static int on_entity(const char *kind, const char *value, void *vctx) {
    intake_ctx *c = vctx;
    char vkey[TIPS_TAG_HEX], *sealed = NULL;
    db_stmt *st;
    vkey_of(kind, value, vkey);
    int rc = store_seal(TIPS_CTX_ENTITY, value, &sealed, c->err);
    if (rc) return rc;
    rc = db_prepare(c->db, "INSERT INTO tip_entity (tip_id, kind, value, vkey) VALUES (?, ?, ?, ?)", &st, c->err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, c->id, -1);
        db_bind_text(st, 2, kind, -1);
        db_bind_text(st, 3, sealed, -1);
        db_bind_text(st, 4, vkey, -1);
        rc = db_step_done(st, c->err);
        db_finalize(st);
    }
    free(sealed);
    if (rc) return rc;
    c->entities++;
    if ((rc = link_same_entity(c, kind, value, vkey))) return rc;
    if (!strcmp(kind, "chemical")) {
        char ev[160];
        (void)pu_snprintf(ev, sizeof ev, "names the watched precursor '%s' (cargo watchlist)", value);
        return tips_link_insert(c, "watchlist", value, 0.7, ev, c->owner, c->marking);
    }
    return tips_link_entity(c, kind, value);
}

/* Near-duplicates: tips whose SimHash is within TIPS_DUP_BITS. The scan
 * reads one integer per tip (no text): cheap for the volumes of a tip line. */
static int find_duplicate(intake_ctx *c, uint64_t sim, char dup[TIPS_ID_MAX]) {
    db_stmt *st;
    dup[0] = '\0';
    int rc = db_prepare(c->db, "SELECT id, simhash, owner, marking FROM tip WHERE id <> ?", &st, c->err);
    if (rc) return rc;
    db_bind_text(st, 1, c->id, -1);
    int best = TIPS_DUP_BITS + 1;
    char owner[32] = "", marking[16] = "";
    while ((rc = db_step(st, c->err)) == DB_ROW) {
        int d = __builtin_popcountll(sim ^ (uint64_t)db_col_int64(st, 1));
        if (d < best) {
            best = d;
            pu_strlcpy(dup, db_col_text(st, 0), TIPS_ID_MAX);
            pu_strlcpy(owner, db_col_text(st, 2), sizeof owner);
            pu_strlcpy(marking, db_col_text(st, 3), sizeof marking);
        }
    }
    db_finalize(st);
    if (rc != DB_DONE) return rc;
    if (!dup[0]) return PU_OK;
    char ev[96];
    (void)pu_snprintf(ev, sizeof ev, "near-duplicate text (SimHash distance %d of 64 bits)", best);
    return tips_link_insert(c, "tip", dup, 1.0 - best / 64.0, ev, owner, marking);
}

static int answers_json(const tips_intake *in, char **out) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < in->nanswers; i++) json_object_set_new(o, in->qkey[i], json_string(in->answer[i]));
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

static int insert_tip(intake_ctx *c, const tips_intake *in, const char *day, const char *lookup, const char *hash,
                      uint64_t sim) {
    char *answers = NULL, *s_text = NULL, *s_answers = NULL;
    db_stmt *st = NULL;
    int rc = answers_json(in, &answers);
    if (rc) return pu_fail(c->err, rc, NULL, NULL, "out of memory");
    if ((rc = store_seal(TIPS_CTX_TEXT, in->text, &s_text, c->err)) ||
        (rc = store_seal(TIPS_CTX_ANSWERS, answers, &s_answers, c->err)))
        goto out;
    rc = db_prepare(c->db,
                    "INSERT INTO tip (id, owner, marking, category, lang, country, state_code, status, received_day,"
                    " updated_day, lookup, receipt_hash, text, answers, simhash, spam, opened_new)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, 0)", &st, c->err);
    if (rc) goto out;
    const char *v[] = {c->id, c->owner, c->marking, in->category, in->lang, in->country, in->state, day, day,
                       lookup, hash, s_text, s_answers};
    for (int i = 0; i < 13; i++) db_bind_text(st, i + 1, v[i], -1);
    db_bind_int64(st, 14, (int64_t)sim);
    db_bind_int64(st, 15, tips_spam(in->text));
    rc = db_step_done(st, c->err);
    db_finalize(st);
out:
    free(answers);
    free(s_text);
    free(s_answers);
    return rc;
}

/* Triage input: the text and every answer, so "placas: ABC1234" counts. */
static int triage_text(const tips_intake *in, pu_buf *b) {
    int rc = pu_buf_puts(b, in->text);
    for (size_t i = 0; rc == PU_OK && i < in->nanswers; i++) rc = pu_buf_printf(b, "\n%s: %s", in->qkey[i], in->answer[i]);
    return rc;
}

/* The names of the `who` and `person` answers, split on commas, ";" and
 * " y " / " and ", screened when an index is given. */
static int screen_answers(intake_ctx *c, const tips_intake *in) {
    int rc = PU_OK;
    for (size_t i = 0; rc == PU_OK && i < in->nanswers; i++) {
        if (strcmp(in->qkey[i], "who") && strcmp(in->qkey[i], "person")) continue;
        char buf[TIPS_ANSWER_MAX + 1];
        pu_strlcpy(buf, in->answer[i], sizeof buf);
        for (char *p = buf; rc == PU_OK && *p;) {
            size_t n = strcspn(p, ",;\n");
            char *y = strstr(p, " y "), *and = strstr(p, " and ");
            if (y && (size_t)(y - p) < n) n = (size_t)(y - p);
            if (and && (size_t)(and - p) < n) n = (size_t)(and - p);
            char name[256];
            (void)pu_snprintf(name, sizeof name, "%.*s", (int)n, p);
            if (strlen(name) >= 4) rc = tips_link_screen(c, name, in->qkey[i]);
            p += n;
            while (*p && strchr(",;\n ", *p)) p++;
            if (!strncmp(p, "y ", 2)) p += 2;
            else if (!strncmp(p, "and ", 4)) p += 4;
        }
    }
    return rc;
}

int tips_submit(db_t *db, const tips_intake *in, tips_receipt_out *out, pu_err *err) {
    return tips_submit_screened(db, in, NULL, out, err);
}

_Static_assert(TIPS_HASH_MAX == crypto_pwhash_STRBYTES, "TIPS_HASH_MAX is libsodium's hash string size");
_Static_assert(TIPS_TAG_MAX == TIPS_TAG_HEX, "TIPS_TAG_MAX is the tag's hex size");

int tips_prepare_receipt(tips_prepared *p, pu_err *err) {
    char norm[TIPS_RECEIPT_MAX], tags[1][TIPS_TAG_HEX];
    size_t ntags = 0;
    memset(p, 0, sizeof *p);
    int rc = tips_receipt_new(p->receipt, sizeof p->receipt, err);
    if (rc) return rc;
    if (tips_receipt_norm(p->receipt, norm, sizeof norm) != PU_OK) { /* a receipt that could not be checked */
        sodium_memzero(p, sizeof *p);
        return pu_fail(err, PU_ERR_INTERNAL, NULL, "receipt", "a new receipt does not read back");
    }
    if (tips_receipt_tags(norm, tags, 1, &ntags) != PU_OK || !ntags) {
        sodium_memzero(p, sizeof *p);
        return pu_fail(err, PU_ERR_IO, NULL, "PUENTE_SEAL_KEY_FILE", "the key ring is misconfigured");
    }
    memcpy(p->tag, tags[0], TIPS_TAG_HEX);
    rc = tips_receipt_hash(norm, p->hash, sizeof p->hash, err);
    sodium_memzero(norm, sizeof norm);
    if (rc) sodium_memzero(p, sizeof *p);
    return rc;
}

int tips_submit_screened(db_t *db, const tips_intake *in, const struct screen_index *ix, tips_receipt_out *out,
                         pu_err *err) {
    tips_prepared p;
    memset(out, 0, sizeof *out);
    if (!tips_category_valid(in->category) || !in->text) return pu_fail(err, PU_ERR_INVALID, NULL, "category", "bad intake");
    int rc = tips_prepare_receipt(&p, err);
    if (rc == PU_OK) rc = tips_submit_prepared(db, in, ix, &p, out, err);
    sodium_memzero(&p, sizeof p);
    return rc;
}

/* File one tip row with its triage (entities, proposed links, duplicate)
 * inside the caller's transaction; c names its id, owner and marking.
 * find_dup = 0 for a part of another tip (it is a near-copy on purpose). */
static int file_in_tx(intake_ctx *c, const tips_intake *in, const char *day, const char *lookup, const char *hash,
                      int find_dup) {
    pu_buf all = PU_BUF_INIT(TIPS_TEXT_MAX + TIPS_MAX_ANSWERS * (TIPS_ANSWER_MAX + 32));
    int rc = triage_text(in, &all);
    if (rc) {
        pu_buf_free(&all);
        return pu_fail(c->err, rc, NULL, "text", "tip too large");
    }
    uint64_t sim = tips_simhash(pu_buf_str(&all));
    char dup[TIPS_ID_MAX] = "";
    if ((rc = insert_tip(c, in, day, lookup, hash, sim)) || (rc = tips_extract(pu_buf_str(&all), on_entity, c, c->err)) ||
        (rc = tips_link_substances(c, pu_buf_str(&all))) || (c->ix && (rc = screen_answers(c, in))) ||
        (find_dup && (rc = find_duplicate(c, sim, dup))))
        goto out;
    if (dup[0]) {
        db_stmt *st;
        if ((rc = db_prepare(c->db, "UPDATE tip SET dup_of = ? WHERE id = ?", &st, c->err))) goto out;
        db_bind_text(st, 1, dup, -1);
        db_bind_text(st, 2, c->id, -1);
        rc = db_step_done(st, c->err);
        db_finalize(st);
    }
out:
    pu_buf_free(&all);
    return rc;
}

int tips_submit_prepared(db_t *db, const tips_intake *in, const struct screen_index *ix, const tips_prepared *p,
                         tips_receipt_out *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (!tips_category_valid(in->category) || !in->text) return pu_fail(err, PU_ERR_INVALID, NULL, "category", "bad intake");
    pu_strlcpy(out->receipt, p->receipt, sizeof out->receipt);
    new_id(out->id);
    pu_strlcpy(out->owner, tips_route(in->category, in->country, in->lang), sizeof out->owner);
    tips_today(out->day);
    intake_ctx c = {db, out->id, out->owner, STORE_DEFAULT_MARKING, 0, 0, err, ix};
    int rc = db_begin(db, err);
    if (rc == PU_OK) {
        rc = file_in_tx(&c, in, out->day, p->tag, p->hash, 1);
        if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
        if (rc == PU_OK) rc = db_commit(db, err);
        if (rc) db_rollback(db);
    }
    if (rc) {
        memset(out, 0, sizeof *out); /* no receipt for a tip that was not stored */
        return rc;
    }
    out->entities = c.entities;
    out->links = c.links;
    return PU_OK;
}

/* ---- a part for the other country ---- */
/* The intake of a part: the original's category and language, the part's
 * country, and its own text, or the original's text and answers. */
static void part_intake(const tips_detail *d, const tips_split_req *q, tips_intake *in) {
    memset(in, 0, sizeof *in);
    pu_strlcpy(in->category, d->category, sizeof in->category);
    pu_strlcpy(in->lang, d->lang, sizeof in->lang);
    pu_strlcpy(in->country, q->country, sizeof in->country);
    if (q->state) pu_strlcpy(in->state, q->state, sizeof in->state);
    in->text = (char *)(q->text ? q->text : d->text);
    if (!q->text)
        for (size_t i = 0; i < d->nanswers && i < TIPS_MAX_ANSWERS; i++) {
            in->qkey[i] = d->qkey[i];
            in->answer[i] = d->answer[i];
            in->nanswers = i + 1;
        }
}

static int split_checks(const store_scope *scope, const tips_detail *d, const tips_split_req *q, pu_err *err) {
    if (!q->country || (strcmp(q->country, "US") && strcmp(q->country, "MX")))
        return pu_fail(err, PU_ERR_INVALID, d->id, "country", "expected US or MX for the part");
    if (!strcmp(q->country, d->country))
        return pu_fail(err, PU_ERR_INVALID, d->id, "country", "the tip is about %s already: a part is for the other country", d->country);
    if (q->state && *q->state &&
        !(strcmp(q->country, "MX") ? tips_us_state_valid(q->state) : tips_mx_state_valid(q->state)))
        return pu_fail(err, PU_ERR_INVALID, d->id, "state", "not a state of %s: %s", q->country, q->state);
    if (q->text && tips_message_text_ok(q->text, err)) return PU_ERR_INVALID;
    if (!strcmp(d->status, "closed")) return pu_fail(err, PU_ERR_CONFLICT, d->id, "status", "the tip is closed: reopen it first");
    if (q->marking) {
        store_marking m;
        int rc = store_marking_parse(q->marking, "marking", &m, err);
        if (rc == PU_OK) rc = store_check_file(scope, m, err);
        if (rc) return rc;
    }
    return PU_OK;
}

int tips_split(db_t *db, const store_scope *scope, const char *id, const tips_split_req *q, char part_id[TIPS_ID_MAX],
               pu_err *err) {
    tips_detail d;
    part_id[0] = '\0';
    int rc = db_begin(db, err);
    if (rc) return rc;
    if ((rc = tips_get(db, scope, id, &d, err))) {
        db_rollback(db);
        return rc;
    }
    if ((rc = store_check_owner(db, scope, d.owner, err)) == PU_OK) rc = split_checks(scope, &d, q, err);
    char pid[TIPS_ID_MAX], day[11], lookup[TIPS_ID_MAX + 8], ev[160];
    new_id(pid);
    tips_today(day);
    (void)pu_snprintf(lookup, sizeof lookup, "part:%s", pid); /* never a receipt tag (hex): no receipt opens a part */
    const char *owner = tips_route(d.category, q->country, d.lang);
    const char *marking = q->marking ? q->marking : d.marking;
    tips_intake in;
    part_intake(&d, q, &in);
    intake_ctx part = {db, pid, owner, marking, 0, 0, err, q->ix};
    intake_ctx orig = {db, d.id, d.owner, d.marking, 0, 0, err, NULL};
    if (rc == PU_OK) rc = file_in_tx(&part, &in, day, lookup, "", 0);
    (void)pu_snprintf(ev, sizeof ev, "the %s part of tip %s, sent to %s", q->country, d.id, owner);
    if (rc == PU_OK) rc = tips_link_insert(&orig, "tip", pid, 1.0, ev, owner, marking);
    (void)pu_snprintf(ev, sizeof ev, "part of tip %s for %s", d.id, q->country);
    if (rc == PU_OK) rc = tips_link_insert(&part, "tip", d.id, 1.0, ev, d.owner, d.marking);
    if (rc == PU_OK) rc = tips_event_add(db, pid, "", "new", q->user, ev, err);
    (void)pu_snprintf(ev, sizeof ev, "split: the %s part is %s (%s)", q->country, pid, owner);
    if (rc == PU_OK) rc = tips_event_add(db, d.id, d.status, d.status, q->user, ev, err);
    if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    else pu_strlcpy(part_id, pid, TIPS_ID_MAX);
    tips_detail_free(&d);
    return rc;
}

/* ---- the tipster's side ---- */
/* Find the tip of a receipt with one Argon2id check, whatever happens. */
int tips_receipt_find(db_t *db, const char *receipt, char id[TIPS_ID_MAX], char status[12], pu_err *err) {
    char norm[TIPS_RECEIPT_MAX], tags[PU_KEYRING_MAX][TIPS_TAG_HEX], hash[crypto_pwhash_STRBYTES] = "";
    size_t ntags = 0;
    id[0] = '\0';
    if (!tips_kdf_enter()) return pu_fail(err, PU_ERR_LIMIT, NULL, "receipt", "too many receipt checks at once: try again in a few seconds");
    tips_receipt_dummy_ready();
    int rc = PU_OK, wellformed = tips_receipt_norm(receipt, norm, sizeof norm) == PU_OK;
    if (wellformed && tips_receipt_tags(norm, tags, PU_KEYRING_MAX, &ntags) == PU_OK && ntags) {
        db_sql q;
        db_stmt *st;
        db_sql_init(&q);
        db_sql_add(&q, "SELECT id, receipt_hash, status FROM tip WHERE lookup IN (");
        for (size_t i = 0; i < ntags; i++) {
            db_sql_add(&q, i ? ", ?" : "?");
            db_sql_text(&q, tags[i]);
        }
        db_sql_add(&q, ")");
        rc = db_sql_prepare(db, &q, &st, err);
        db_sql_free(&q);
        if (rc == PU_OK) {
            if ((rc = db_step(st, err)) == DB_ROW) {
                pu_strlcpy(id, db_col_text(st, 0), TIPS_ID_MAX);
                pu_strlcpy(hash, db_col_text(st, 1), sizeof hash);
                pu_strlcpy(status, db_col_text(st, 2), 12);
            }
            rc = rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
            db_finalize(st);
        }
    }
    int good = hash[0] && tips_receipt_verify(hash, norm);
    if (!hash[0]) tips_receipt_dummy(); /* the same cost as a real check */
    tips_kdf_leave();
    sodium_memzero(norm, sizeof norm);
    if (rc) return rc;
    if (!good) {
        id[0] = '\0';
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "receipt", "no tip matches this receipt");
    }
    return PU_OK;
}

void tips_tipster_view_free(tips_tipster_view *v) {
    if (!v) return;
    for (size_t i = 0; i < v->nmessages; i++) free(v->messages[i].text);
    free(v->messages);
    memset(v, 0, sizeof *v);
}

/* Messages of a tip, oldest first, unsealed (shared with the handler's view). */
int tips_messages_read(db_t *db, const char *id, tips_message **out, size_t *n, pu_err *err) {
    db_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, "SELECT author, day, text FROM tip_message WHERE tip_id = ? ORDER BY id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, id, -1);
    pu_vec v = PU_VEC_INIT(tips_message, 0);
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_message *m;
        if ((rc = pu_vec_push_zero(&v, (void **)&m))) {
            rc = pu_fail(err, rc, NULL, NULL, "out of memory");
            break;
        }
        pu_strlcpy(m->author, db_col_text(st, 0), sizeof m->author);
        pu_strlcpy(m->day, db_col_text(st, 1), sizeof m->day);
        if ((rc = store_unseal(TIPS_CTX_MESSAGE, db_col_text(st, 2), &m->text, err))) break;
    }
    *out = v.data;
    *n = v.len;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int tips_receipt_open(db_t *db, const char *receipt, tips_tipster_view *out, pu_err *err) {
    char status[12];
    memset(out, 0, sizeof *out);
    int rc = tips_receipt_find(db, receipt, out->id, status, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT category, lang, received_day FROM tip WHERE id = ?", &st, err))) return rc;
    db_bind_text(st, 1, out->id, -1);
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(out->category, db_col_text(st, 0), sizeof out->category);
        pu_strlcpy(out->lang, db_col_text(st, 1), sizeof out->lang);
        pu_strlcpy(out->day, db_col_text(st, 2), sizeof out->day);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "receipt", "no tip matches this receipt");
    }
    db_finalize(st);
    pu_strlcpy(out->status, strcmp(status, "closed") ? "open" : "closed", sizeof out->status);
    if (rc == PU_OK) rc = tips_messages_read(db, out->id, &out->messages, &out->nmessages, err);
    if (rc) tips_tipster_view_free(out);
    return rc;
}

int tips_message_insert(db_t *db, const char *id, const char *author, const char *handler, const char *text,
                        pu_err *err) {
    char day[11], *sealed = NULL;
    db_stmt *st;
    tips_today(day);
    int rc = store_seal(TIPS_CTX_MESSAGE, text, &sealed, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "INSERT INTO tip_message (tip_id, author, handler, day, text) VALUES (?, ?, ?, ?, ?)", &st,
                         err)) == PU_OK) {
        db_bind_text(st, 1, id, -1);
        db_bind_text(st, 2, author, -1);
        db_bind_text(st, 3, handler, -1);
        db_bind_text(st, 4, day, -1);
        db_bind_text(st, 5, sealed, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    free(sealed);
    return rc;
}

int tips_message_text_ok(const char *text, pu_err *err) {
    if (!text || !text[strspn(text, " \t\r\n")]) return pu_fail(err, PU_ERR_INVALID, NULL, "text", "the message text is required");
    size_t n = strlen(text);
    if (n > TIPS_MESSAGE_MAX) return pu_fail(err, PU_ERR_LIMIT, NULL, "text", "at most %d bytes, got %zu", TIPS_MESSAGE_MAX, n);
    if (!pu_utf8_valid(text, n)) return pu_fail(err, PU_ERR_INVALID, NULL, "text", "not valid UTF-8");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return pu_fail(err, PU_ERR_INVALID, NULL, "text", "control character 0x%02x is not allowed", *p);
    return PU_OK;
}

int tips_tipster_reply(db_t *db, const char *receipt, const char *text, char id[TIPS_ID_MAX], pu_err *err) {
    char status[12];
    int rc = tips_message_text_ok(text, err);
    if (rc) return rc;
    if ((rc = tips_receipt_find(db, receipt, id, status, err))) return rc;
    if (!strcmp(status, "closed")) return pu_fail(err, PU_ERR_CONFLICT, NULL, "receipt", "this tip is closed");
    /* counted after the check, so a wrong receipt cannot spend a tip's budget */
    if (!tips_guard_take_reply(id, (int64_t)time(NULL)))
        return pu_fail(err, PU_ERR_LIMIT, NULL, "rate", "at most %d messages per hour on one tip", TIPS_REPLIES_PER_HOUR);
    if ((rc = db_begin(db, err))) return rc;
    if ((rc = tips_message_insert(db, id, "tipster", NULL, text, err)) || (rc = store_generation_bump(db, "tips", err)) ||
        (rc = db_commit(db, err))) {
        db_rollback(db);
        return rc;
    }
    return PU_OK;
}

int tips_tipster_attach(db_t *db, const char *receipt, const unsigned char *d, size_t n, tips_attachment_out *out,
                        char id[TIPS_ID_MAX], pu_err *err) {
    char status[12], owner[32] = "";
    memset(out, 0, sizeof *out);
    int rc = tips_receipt_find(db, receipt, id, status, err);
    if (rc) return rc;
    if (!strcmp(status, "closed")) return pu_fail(err, PU_ERR_CONFLICT, NULL, "receipt", "this tip is closed");
    if (!tips_guard_take_attachment(id, (int64_t)time(NULL)))
        return pu_fail(err, PU_ERR_LIMIT, NULL, "rate", "at most %d files per hour on one tip", TIPS_ATTACH_PER_HOUR);
    if ((rc = db_begin(db, err))) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT owner FROM tip WHERE id = ?", &st, err)) == PU_OK) {
        db_bind_text(st, 1, id, -1);
        if (db_step(st, err) == DB_ROW) pu_strlcpy(owner, db_col_text(st, 0), sizeof owner);
        db_finalize(st);
    }
    if (rc == PU_OK) rc = tips_attach_add(db, id, owner, d, n, out, err);
    if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}
