/* audit.c - append-only, hash-chained audit trail (see audit.h). */
#include "audit/audit.h"
#include "db/db_sql.h"

#include <jansson.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HBYTES 32
#define NFIELDS 8 /* ts component user agency action targets outcome detail */
#define NEXTRA 2  /* source purpose: hashed after the others when either is set */

static const char *const migrations[] = {
    "CREATE TABLE audit_log ("
    " seq {INT} PRIMARY KEY,"
    " ts TEXT NOT NULL,"
    " component TEXT NOT NULL,"
    " user_name TEXT NOT NULL,"
    " agency TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " targets TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " prev TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE INDEX audit_log_ts ON audit_log(ts);"
    /* one row: the anchor (chain start after pruning) and the head */
    "CREATE TABLE audit_meta ("
    " id {INT} PRIMARY KEY CHECK (id = 1),"
    " anchor_seq {INT} NOT NULL,"
    " anchor_hash TEXT NOT NULL,"
    " head_seq {INT} NOT NULL,"
    " head_hash TEXT NOT NULL);"
    "INSERT INTO audit_meta VALUES (1, 0, "
    "'0000000000000000000000000000000000000000000000000000000000000000', 0, "
    "'0000000000000000000000000000000000000000000000000000000000000000');",
    /* 2: the newest journal entry (audit_journal_*) already in the chain */
    "ALTER TABLE audit_meta ADD COLUMN journal_seq {INT} NOT NULL DEFAULT 0;",
    /* 3: a random id of this store's trail, written into its journal */
    "ALTER TABLE audit_meta ADD COLUMN store_id TEXT NOT NULL DEFAULT '';",
    /* 4: the id of the chain key an entry was hashed with ('' = unkeyed) */
    "ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';",
    /* 5: the source address and the stated purpose */
    /* (one step, two statements: one literal, as clang's
     * -Wstring-concatenation wants in an array of strings) */
    "ALTER TABLE audit_log ADD COLUMN source TEXT NOT NULL DEFAULT ''; ALTER TABLE audit_log ADD COLUMN purpose TEXT NOT NULL DEFAULT '';",
    /* 6: one high-water mark per journal (every server has its own); the
     * journal of before ('' = a file without a journal id) keeps the
     * number audit_meta.journal_seq had (that column is no longer used) */
    "CREATE TABLE audit_journal (journal_id TEXT PRIMARY KEY, seq {INT} NOT NULL, host TEXT NOT NULL,"
    " path TEXT NOT NULL, started TEXT NOT NULL, last_flush TEXT NOT NULL);"
    " INSERT INTO audit_journal (journal_id, seq, host, path, started, last_flush)"
    " SELECT '', journal_seq, '', '', '', '' FROM audit_meta WHERE id = 1 AND journal_seq > 0;",
};

int audit_migrate(db_t *db, pu_err *err) {
    if (sodium_init() < 0) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "libsodium could not be initialised");
    return db_migrate(db, "audit", migrations, (int)(sizeof migrations / sizeof migrations[0]), err);
}

/* Feed one length-prefixed field into the hash state. */
static void h_field(crypto_generichash_state *s, const char *v) {
    size_t n = strlen(v);
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    crypto_generichash_update(s, len, sizeof len);
    crypto_generichash_update(s, (const unsigned char *)v, n);
}

/* hash = BLAKE2b-256(prev_hex || seq || fields...), written as hex. With a
 * chain key (audit_key.c) the hash is keyed and the key's id is hashed too,
 * so an entry cannot be recomputed without the key nor moved to another. */
static int chain_hash(const char *prev_hex, int64_t seq, const char *const f[NFIELDS], const char *const x[NEXTRA],
                      const unsigned char *key, const char *key_id, char out[AUDIT_HASH_HEX]) {
    crypto_generichash_state s;
    unsigned char h[HBYTES];
    char seqs[24];
    snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
    if (crypto_generichash_init(&s, key, key ? AUDIT_KEY_BYTES : 0, HBYTES) != 0) return PU_ERR_INTERNAL;
    h_field(&s, prev_hex);
    h_field(&s, seqs);
    for (int i = 0; i < NFIELDS; i++) h_field(&s, f[i]);
    /* source and purpose (migration 5): entries without them hash as they
     * always did; with them the two fields follow, length-prefixed, so an
     * entry with and one without can never serialise alike */
    if (*x[0] || *x[1])
        for (int i = 0; i < NEXTRA; i++) h_field(&s, x[i]);
    if (key) h_field(&s, key_id);
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof h);
    return PU_OK;
}

typedef struct meta {
    int64_t anchor_seq, head_seq;
    char anchor_hash[AUDIT_HASH_HEX], head_hash[AUDIT_HASH_HEX];
} meta;

static int meta_read(db_t *db, meta *m, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT anchor_seq, anchor_hash, head_seq, head_hash FROM audit_meta WHERE id = 1", &st, err);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        m->anchor_seq = db_col_int64(st, 0);
        pu_strlcpy(m->anchor_hash, db_col_text(st, 1), sizeof m->anchor_hash);
        m->head_seq = db_col_int64(st, 2);
        pu_strlcpy(m->head_hash, db_col_text(st, 3), sizeof m->head_hash);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_INVALID, "audit_meta", NULL, "the audit anchor row is missing");
    }
    db_finalize(st);
    return rc;
}

/* Copy a field, truncating overlong values (marked with "...") and mapping
 * NULL to "". */
static const char *clip(const char *v, char *buf, size_t size) {
    if (!v) return "";
    if (strlen(v) < size) return v;
    size_t n = size - 4;
    /* back off to a UTF-8 boundary */
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80) n--;
    memcpy(buf, v, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

static int tx_begin(db_t *db, int *own, pu_err *err) {
    *own = !db_in_tx(db);
    return *own ? db_begin(db, err) : PU_OK;
}

static int tx_end(db_t *db, int own, int rc, pu_err *err) {
    if (!own) return rc;
    if (rc != PU_OK) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

/* The columns of an audit_log row, in the order append_locked fills them. */
static const char *const LOG_COLS[] = {"seq",     "ts",      "component", "user_name", "agency",
                                       "action",  "targets", "outcome",   "detail",    "prev",
                                       "hash",    "key_id",  "source",    "purpose"};
#define NLOG_COLS ((int)(sizeof LOG_COLS / sizeof LOG_COLS[0]))

/* Append n entries after the current head (caller holds the write lock). The
 * head is read once and the statements prepared once for the whole batch.
 * Entry k gets the time tss[k] when tss is given, else ts. */
static int append_locked(db_t *db, const audit_event *const *evs, const char *const *tss, size_t n, const char *ts,
                         pu_err *err) {
    char *b = malloc((size_t)9 * AUDIT_FIELD_MAX);
    if (!b) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    meta m = {0};
    const unsigned char *key;
    const char *kid;
    int rc = audit_key_current(&key, &kid, err); /* a bad key configuration fails the append (fail closed) */
    if (rc == PU_OK) rc = meta_read(db, &m, err);
    db_stmt *st = NULL;
    /* the rows of a batch go in as one bulk insert (PostgreSQL: one COPY
     * instead of a round trip per entry; the chain is computed here anyway) */
    db_bulk *bulk = NULL;
    if (rc == PU_OK) rc = db_bulk_open(db, "audit_log", LOG_COLS, NLOG_COLS, &bulk, err);
    char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
    pu_strlcpy(prev, m.head_hash, sizeof prev);
    int64_t seq = m.head_seq;
    for (size_t k = 0; rc == PU_OK && k < n; k++) {
        const audit_event *ev = evs[k];
        const char *f[NFIELDS] = {
            tss ? tss[k] : ts,
            clip(ev->component, b, AUDIT_FIELD_MAX),
            clip(ev->user, b + AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
            clip(ev->agency, b + 2 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
            clip(ev->action, b + 3 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
            clip(ev->targets, b + 4 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
            clip(ev->outcome, b + 5 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
            clip(ev->detail, b + 6 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
        };
        const char *x[NEXTRA] = {clip(ev->source, b + 7 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX),
                                 clip(ev->purpose, b + 8 * AUDIT_FIELD_MAX, AUDIT_FIELD_MAX)};
        seq++;
        if ((rc = chain_hash(prev, seq, f, x, key, kid, hash))) break;
        char seqs[24];
        snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
        const char *row[NLOG_COLS] = {seqs, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], prev, hash, kid, x[0], x[1]};
        rc = db_bulk_row(bulk, row, err);
        pu_strlcpy(prev, hash, sizeof prev);
    }
    if (rc == PU_OK) rc = db_bulk_flush(bulk, err);
    db_bulk_close(bulk);
    if (rc == PU_OK && n > 0) rc = db_prepare(db, "UPDATE audit_meta SET head_seq = ?, head_hash = ? WHERE id = 1", &st, err);
    if (rc == PU_OK && n > 0) {
        db_bind_int64(st, 1, seq);
        db_bind_text(st, 2, prev, -1);
        rc = db_step_done(st, err);
    }
    db_finalize(st);
    free(b);
    return rc;
}

int audit_append_at(db_t *db, const audit_event *ev, const char *ts, pu_err *err) {
    int own, rc;
    if ((rc = tx_begin(db, &own, err))) return rc;
    rc = append_locked(db, &ev, NULL, 1, ts, err);
    return tx_end(db, own, rc, err);
}

int audit_append_many(db_t *db, const audit_event *const *evs, size_t n, pu_err *err) {
    char ts[32];
    pu_now_iso(ts, sizeof ts);
    int own, rc;
    if ((rc = tx_begin(db, &own, err))) return rc;
    rc = append_locked(db, evs, NULL, n, ts, err);
    return tx_end(db, own, rc, err);
}

int audit_journal_seq(db_t *db, const char *journal_id, int64_t *out, pu_err *err) {
    *out = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT seq FROM audit_journal WHERE journal_id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, journal_id ? journal_id : "", -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) *out = db_col_int64(st, 0);
    if (rc == DB_ROW || rc == DB_DONE) rc = PU_OK; /* no row: nothing of it in the chain yet */
    db_finalize(st);
    return rc;
}

/* Set a journal's row (caller holds the write lock): seq and last_flush, or
 * a new row. host/path/started are written only when the row is new or when
 * given (the server registers them; an ingester beside it leaves them). */
static int journal_row_set(db_t *db, const char *journal_id, int64_t seq, const char *host, const char *path, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *st;
    int rc = db_prepare(db, "UPDATE audit_journal SET seq = ?, last_flush = ? WHERE journal_id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, seq);
    db_bind_text(st, 2, now, -1);
    db_bind_text(st, 3, journal_id, -1);
    rc = db_step_done(st, err);
    int64_t changed = db_changes(db);
    db_finalize(st);
    if (rc || changed > 0) return rc;
    rc = db_prepare(db, "INSERT INTO audit_journal (journal_id, seq, host, path, started, last_flush) VALUES (?, ?, ?, ?, ?, ?)",
                    &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, journal_id, -1);
    db_bind_int64(st, 2, seq);
    db_bind_text(st, 3, host ? host : "", -1);
    db_bind_text(st, 4, path ? path : "", -1);
    db_bind_text(st, 5, now, -1);
    db_bind_text(st, 6, seq > 0 ? now : "", -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int audit_journal_register(db_t *db, const char *journal_id, const char *host, const char *path, pu_err *err) {
    if (!journal_id || !*journal_id) return pu_fail(err, PU_ERR_INVALID, "audit journal", "journal_id", "a journal needs an id");
    int own, rc;
    if ((rc = tx_begin(db, &own, err))) return rc;
    int64_t seq;
    rc = audit_journal_seq(db, journal_id, &seq, err);
    if (rc == PU_OK && seq > 0) rc = pu_fail(err, PU_ERR_CONFLICT, "audit journal", "journal_id", "journal %s is already in the chain", journal_id);
    if (rc == PU_OK) rc = journal_row_set(db, journal_id, 0, host, path, err);
    return tx_end(db, own, rc, err);
}

int audit_journal_list(db_t *db, audit_journal_info **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT journal_id, seq, host, path, started, last_flush FROM audit_journal ORDER BY started, journal_id",
                        &st, err);
    if (rc) return rc;
    size_t cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            audit_journal_info *g = realloc(*out, nc * sizeof **out);
            if (!g) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            *out = g;
            cap = nc;
        }
        audit_journal_info *r = &(*out)[(*n)++];
        pu_strlcpy(r->journal_id, db_col_text(st, 0), sizeof r->journal_id);
        r->seq = db_col_int64(st, 1);
        pu_strlcpy(r->host, db_col_text(st, 2), sizeof r->host);
        pu_strlcpy(r->path, db_col_text(st, 3), sizeof r->path);
        pu_strlcpy(r->started, db_col_text(st, 4), sizeof r->started);
        pu_strlcpy(r->last_flush, db_col_text(st, 5), sizeof r->last_flush);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PU_OK;
}

static int read_store_id(db_t *db, char out[AUDIT_STORE_ID_HEX], pu_err *err) {
    out[0] = '\0';
    db_stmt *st;
    int rc = db_prepare(db, "SELECT store_id FROM audit_meta WHERE id = 1", &st, err);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        pu_strlcpy(out, db_col_text(st, 0), AUDIT_STORE_ID_HEX);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_INVALID, "audit_meta", NULL, "the audit anchor row is missing");
    }
    db_finalize(st);
    return rc;
}

int audit_store_id(db_t *db, char out[AUDIT_STORE_ID_HEX], pu_err *err) {
    int rc = read_store_id(db, out, err);
    if (rc || out[0]) return rc;
    int own;
    if ((rc = tx_begin(db, &own, err))) return rc;
    rc = read_store_id(db, out, err); /* another process may have set it meanwhile */
    if (rc == PU_OK && !out[0]) {
        unsigned char raw[16];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(out, AUDIT_STORE_ID_HEX, raw, sizeof raw);
        db_stmt *st;
        rc = db_prepare(db, "UPDATE audit_meta SET store_id = ? WHERE id = 1", &st, err);
        if (rc == PU_OK) {
            db_bind_text(st, 1, out, -1);
            rc = db_step_done(st, err);
            db_finalize(st);
        }
    }
    return tx_end(db, own, rc, err);
}

/* The staged entries of journal_id after its high-water mark, appended
 * (caller holds the write lock, so two ingesters of one journal see each
 * other's mark and never append an entry twice). */
static int staged_locked(db_t *db, const char *journal_id, const audit_staged *ents, size_t n, int64_t *applied, pu_err *err) {
    int64_t done;
    int rc = audit_journal_seq(db, journal_id, &done, err);
    if (rc) return rc;
    size_t k = 0;
    while (k < n && ents[k].jid <= done) k++; /* already in the chain (another process ingested them) */
    *applied = 0;
    if (k == n) return PU_OK;
    if (ents[k].jid != done + 1)
        return pu_fail(err, PU_ERR_INVALID, "audit journal", "jid", "expected journal entry %lld next, got %lld: entries are missing",
                       (long long)(done + 1), (long long)ents[k].jid);
    for (size_t i = k + 1; i < n; i++)
        if (ents[i].jid != ents[i - 1].jid + 1)
            return pu_fail(err, PU_ERR_INVALID, "audit journal", "jid", "journal entry %lld follows %lld: entries are missing",
                           (long long)ents[i].jid, (long long)ents[i - 1].jid);
    size_t m = n - k;
    const audit_event **evs = malloc(m * sizeof *evs);
    const char **tss = malloc(m * sizeof *tss);
    if (!evs || !tss) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; rc == PU_OK && i < m; i++) {
        evs[i] = &ents[k + i].ev;
        tss[i] = ents[k + i].ts;
    }
    if (rc == PU_OK) rc = append_locked(db, evs, tss, m, NULL, err);
    free(evs);
    free((void *)tss);
    if (rc == PU_OK) rc = journal_row_set(db, journal_id, ents[n - 1].jid, NULL, NULL, err);
    if (rc == PU_OK) *applied = (int64_t)m;
    return rc;
}

int audit_append_staged(db_t *db, const char *journal_id, const audit_staged *ents, size_t n, int64_t *applied, pu_err *err) {
    int64_t dummy;
    if (!applied) applied = &dummy;
    *applied = 0;
    if (n == 0) return PU_OK;
    if (!journal_id) journal_id = "";
    int own, rc;
    if ((rc = tx_begin(db, &own, err))) return rc;
    rc = staged_locked(db, journal_id, ents, n, applied, err);
    rc = tx_end(db, own, rc, err);
    if (rc) *applied = 0;
    return rc;
}

int audit_append(db_t *db, const audit_event *ev, pu_err *err) {
    char ts[32];
    pu_now_iso(ts, sizeof ts);
    return audit_append_at(db, ev, ts, err);
}

__attribute__((format(printf, 4, 5)))
static int broken(audit_report *rep, pu_err *err, int64_t seq, const char *fmt, ...) {
    rep->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->problem, sizeof rep->problem, pu_tr(fmt), ap);
    va_end(ap);
    char where[32];
    snprintf(where, sizeof where, "entry %lld", (long long)seq);
    return pu_fail(err, PU_ERR_INVALID, where, NULL, "%s", rep->problem);
}

/* The anchor named by the newest "audit.prune" entry, as "seq:hash" ("" if none). */
static int last_prune_anchor(db_t *db, char *out, size_t size, pu_err *err) {
    out[0] = '\0';
    db_stmt *st;
    int rc = db_prepare(db, "SELECT detail FROM audit_log WHERE action = 'audit.prune' ORDER BY seq DESC LIMIT 1", &st, err);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        const char *p = strstr(db_col_text(st, 0), "anchor=");
        if (p) pu_strlcpy(out, p + 7, size);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = PU_OK;
    }
    db_finalize(st);
    return rc;
}

int audit_head(db_t *db, int64_t *seq, char hash[AUDIT_HASH_HEX], pu_err *err) {
    meta m;
    int rc = meta_read(db, &m, err);
    if (rc) return rc;
    *seq = m.head_seq;
    pu_strlcpy(hash, m.head_hash, AUDIT_HASH_HEX);
    return PU_OK;
}

int audit_anchor_seq(db_t *db, int64_t *seq, pu_err *err) {
    meta m;
    int rc = meta_read(db, &m, err);
    if (rc == PU_OK) *seq = m.anchor_seq;
    return rc;
}

/* Recompute one entry's hash: with its key when it was keyed (NULL key and
 * *known = 0 when that key is not configured here: only the links can be
 * checked), else unkeyed. */
static void entry_hash(const char *running, int64_t seq, const char *const f[NFIELDS], const char *const x[NEXTRA],
                       const char *kid, int *known, char calc[AUDIT_HASH_HEX]) {
    const unsigned char *key = NULL;
    *known = 1;
    if (*kid && audit_key_find(kid, &key) != PU_OK) {
        *known = 0;
        calc[0] = '\0';
        return;
    }
    chain_hash(running, seq, f, x, key, kid, calc);
}

int audit_verify(db_t *db, audit_report *rep, pu_err *err) {
    memset(rep, 0, sizeof *rep);
    meta m;
    int rc = meta_read(db, &m, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(db, "SELECT seq, ts, component, user_name, agency, action, targets, outcome, detail, prev, hash, "
                             "key_id, source, purpose FROM audit_log ORDER BY seq",
                         &st, err)))
        return rc;
    char running[AUDIT_HASH_HEX];
    pu_strlcpy(running, m.anchor_hash, sizeof running);
    int64_t expect = m.anchor_seq + 1;
    int bad = 0;
    while (!bad && (rc = db_step(st, err)) == DB_ROW) {
        int64_t seq = db_col_int64(st, 0);
        const char *f[NFIELDS];
        for (int i = 0; i < NFIELDS; i++) f[i] = db_col_text(st, i + 1);
        const char *kid = db_col_text(st, 11);
        const char *x[NEXTRA] = {db_col_text(st, 12), db_col_text(st, 13)};
        char calc[AUDIT_HASH_HEX];
        int known;
        entry_hash(running, seq, f, x, kid, &known, calc);
        if (seq != expect) {
            rc = broken(rep, err, seq, "expected entry %lld next: entries were deleted or reordered",
                        (long long)expect);
            bad = 1;
        } else if (strcmp(db_col_text(st, 9), running) != 0) {
            rc = broken(rep, err, seq, "the link to entry %lld does not match: an entry was removed or reordered",
                        (long long)(seq - 1));
            bad = 1;
        } else if (!*kid && rep->keyed > 0) {
            rc = broken(rep, err, seq, "the entry is not keyed although entries before it are: the chain was "
                                       "recomputed without the key");
            bad = 1;
        } else if (known && strcmp(db_col_text(st, 10), calc) != 0) {
            rc = broken(rep, err, seq, "the content does not match its hash: the entry was edited");
            bad = 1;
        } else {
            /* an entry whose key is not configured here: its stored hash is
             * taken as given (the links are still checked) */
            pu_strlcpy(running, known ? calc : db_col_text(st, 10), sizeof running);
            if (*kid) rep->keyed++;
            else rep->unkeyed++;
            if (*kid && known) rep->key_verified++;
            if (!rep->first_seq) rep->first_seq = seq;
            rep->last_seq = seq;
            rep->entries++;
            expect = seq + 1;
        }
    }
    db_finalize(st);
    if (bad) return PU_ERR_INVALID;
    if (rc != DB_DONE) return rc;
    pu_strlcpy(rep->head, running, sizeof rep->head);
    if (rep->last_seq != m.head_seq && !(rep->entries == 0 && m.head_seq == m.anchor_seq))
        return broken(rep, err, rep->last_seq + 1, "the chain ends before the recorded head %lld: newest entries were deleted",
                      (long long)m.head_seq);
    if (strcmp(running, m.head_hash) != 0)
        return broken(rep, err, m.head_seq, "the recorded head hash does not match the chain at %lld",
                      (long long)m.head_seq);
    if (m.anchor_seq > 0) {
        char want[128], got[128];
        snprintf(want, sizeof want, "%lld:%s", (long long)m.anchor_seq, m.anchor_hash);
        if ((rc = last_prune_anchor(db, got, sizeof got, err))) return rc;
        if (strcmp(want, got) != 0)
            return broken(rep, err, m.anchor_seq, "the chain anchor %lld is not the one recorded by the last prune",
                          (long long)m.anchor_seq);
    }
    return PU_OK;
}

/* "YYYY-MM-DD" upper bound -> end of that day, so --until is inclusive. */
static void bound(const char *in, int upper, char *out, size_t size) {
    if (upper && strlen(in) == 10) snprintf(out, size, "%sT23:59:59Z", in);
    else pu_strlcpy(out, in, size);
}

/* A LIKE pattern matching s literally ('\\' escapes % _ and itself),
 * between prefix and suffix. */
static void like_literal(pu_buf *b, const char *prefix, const char *s, const char *suffix) {
    (void)pu_buf_puts(b, prefix);
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') (void)pu_buf_putc(b, '\\');
        (void)pu_buf_putc(b, *s);
    }
    (void)pu_buf_puts(b, suffix);
}

/* The optional conditions of a filter (portable SQL: ||, LIKE ESCAPE and
 * db_glob_op work on SQLite and PostgreSQL). targets is a comma-separated
 * list, so a target matches as a whole item of ',' || targets || ','. */
static void filter_sql(db_t *db, db_sql *q, const audit_filter *f) {
    if (f->agency && *f->agency) db_sql_add(q, " AND agency = ?"), db_sql_text(q, f->agency);
    if (f->user && *f->user) db_sql_add(q, " AND user_name = ?"), db_sql_text(q, f->user);
    if (f->outcome && *f->outcome) db_sql_add(q, " AND outcome = ?"), db_sql_text(q, f->outcome);
    if (f->before_seq > 0) db_sql_add(q, " AND seq < ?"), db_sql_int64(q, f->before_seq);
    pu_buf b = PU_BUF_INIT(AUDIT_FIELD_MAX * 2 + 8);
    if (f->action && *f->action) {
        like_literal(&b, "", f->action, ".%");
        db_sql_add(q, " AND (action = ? OR action LIKE ? ESCAPE '\\')");
        db_sql_text(q, f->action);
        db_sql_text(q, pu_buf_str(&b));
    }
    if (f->target && *f->target) {
        /* GLOB (case-sensitive, ids are): faster than LIKE's folding scan */
        pu_buf_reset(&b);
        int rc = pu_buf_puts(&b, "*,");
        for (const char *p = f->target; *p && !rc; p++)
            rc = (*p == '*' || *p == '?' || *p == '[') ? pu_buf_printf(&b, "[%c]", *p) : pu_buf_putc(&b, *p);
        if (!rc) rc = pu_buf_puts(&b, ",*");
        size_t cap = b.len * 4 + 16;
        char *pat = rc ? NULL : malloc(cap);
        if (pat && db_glob_pattern(db, pu_buf_str(&b), pat, cap) == PU_OK) {
            db_sql_addf(q, " AND ',' || targets || ',' %s ?", db_glob_op(db));
            db_sql_text(q, pat);
        } else {
            db_sql_add(q, " AND 1 = 0"); /* a target too long to be one */
        }
        free(pat);
    }
    pu_buf_free(&b);
}

int audit_export(db_t *db, FILE *out, const audit_filter *f, int64_t *count, pu_err *err) {
    static const audit_filter all = {0};
    if (!f) f = &all;
    char lo[40], hi[40];
    bound(f->since ? f->since : "", 0, lo, sizeof lo);
    bound(f->until ? f->until : "9999", 1, hi, sizeof hi);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT seq, ts, component, user_name, agency, action, targets, outcome, detail, prev, hash, "
                   "key_id, source, purpose FROM audit_log WHERE ts >= ? AND ts <= ?");
    db_sql_text(&q, lo);
    db_sql_text(&q, hi);
    filter_sql(db, &q, f);
    db_sql_add(&q, f->newest_first ? " ORDER BY seq DESC LIMIT ? OFFSET ?" : " ORDER BY seq LIMIT ? OFFSET ?");
    db_sql_int64(&q, f->limit > 0 ? f->limit : INT64_MAX);
    db_sql_int64(&q, f->offset > 0 ? f->offset : 0);
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    static const char *const names[] = {"ts", "component", "user", "agency", "action", "targets", "outcome", "detail",
                                        "prev", "hash"};
    int64_t n = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(db_col_int64(st, 0)));
        for (int i = 0; i < 10; i++) json_object_set_new(o, names[i], json_string(db_col_text(st, i + 1)));
        if (*db_col_text(st, 11)) json_object_set_new(o, "key_id", json_string(db_col_text(st, 11)));
        json_object_set_new(o, "source", json_string(db_col_text(st, 12)));
        json_object_set_new(o, "purpose", json_string(db_col_text(st, 13)));
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        int bad = !s || fprintf(out, "%s\n", s) < 0;
        free(s);
        if (bad) {
            rc = pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the export");
            break;
        }
        n++;
    }
    db_finalize(st);
    if (rc != DB_DONE) return rc;
    if (count) *count = n;
    return PU_OK;
}

int audit_prune(db_t *db, int days, const char *now_iso, int64_t *removed, pu_err *err) {
    if (days < 1) return pu_fail(err, PU_ERR_INVALID, NULL, "days", "expected at least 1 day, got %d", days);
    char now[32];
    if (now_iso) pu_strlcpy(now, now_iso, sizeof now);
    else pu_now_iso(now, sizeof now);
    int64_t d;
    char day[11];
    pu_strlcpy(day, now, sizeof day);
    if (strlen(now) < 20 || pu_parse_date(day, &d) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, NULL, "now", "expected YYYY-MM-DDTHH:MM:SSZ, got '%s'", now);
    char date[16], cutoff[40];
    pu_format_date(d - days, date, sizeof date);
    snprintf(cutoff, sizeof cutoff, "%s%s", date, now + 10);
    int own, rc;
    if ((rc = tx_begin(db, &own, err))) return rc;
    meta m;
    rc = meta_read(db, &m, err);
    /* the prefix of the chain before the first entry that is recent enough */
    int64_t last_old = 0, nrem = 0;
    db_stmt *st = NULL;
    if (rc == PU_OK)
        rc = db_prepare(db, "SELECT coalesce(min(seq), -1) FROM audit_log WHERE ts >= ?", &st, err);
    if (rc == PU_OK) {
        db_bind_text(st, 1, cutoff, -1);
        rc = db_step(st, err) == DB_ROW ? PU_OK : PU_ERR_DB;
        int64_t first_new = rc == PU_OK ? db_col_int64(st, 0) : 0;
        last_old = first_new < 0 ? m.head_seq : first_new - 1;
    }
    db_finalize(st);
    st = NULL;
    char anchor[AUDIT_HASH_HEX] = "";
    if (rc == PU_OK && last_old > m.anchor_seq) {
        rc = db_prepare(db, "SELECT hash FROM audit_log WHERE seq = ?", &st, err);
        if (rc == PU_OK) {
            db_bind_int64(st, 1, last_old);
            rc = db_step(st, err) == DB_ROW ? PU_OK : pu_fail(err, PU_ERR_INVALID, "audit_log", NULL, "entry %lld is missing", (long long)last_old);
            if (rc == PU_OK) pu_strlcpy(anchor, db_col_text(st, 0), sizeof anchor);
        }
        db_finalize(st);
        st = NULL;
        if (rc == PU_OK) rc = db_prepare(db, "DELETE FROM audit_log WHERE seq <= ?", &st, err);
        if (rc == PU_OK) {
            db_bind_int64(st, 1, last_old);
            rc = db_step_done(st, err);
            nrem = db_changes(db);
        }
        db_finalize(st);
        st = NULL;
        if (rc == PU_OK) rc = db_prepare(db, "UPDATE audit_meta SET anchor_seq = ?, anchor_hash = ? WHERE id = 1", &st, err);
        if (rc == PU_OK) {
            db_bind_int64(st, 1, last_old);
            db_bind_text(st, 2, anchor, -1);
            rc = db_step_done(st, err);
        }
        db_finalize(st);
        if (rc == PU_OK) {
            char detail[256];
            snprintf(detail, sizeof detail, "removed %lld entries before %s (retention %d days); anchor=%lld:%s",
                     (long long)nrem, cutoff, days, (long long)last_old, anchor);
            audit_event ev = {"audit", "-", "", "audit.prune", "", "success", detail, NULL, NULL};
            const audit_event *one = &ev;
            rc = append_locked(db, &one, NULL, 1, now, err);
        }
    }
    rc = tx_end(db, own, rc, err);
    if (rc == PU_OK && removed) *removed = nrem;
    return rc;
}
