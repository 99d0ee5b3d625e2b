/* audit_key.c - the audit chain key (keyed BLAKE2b, a key outside the store)
 * and the anchor file (the head of the chain written outside the store, so
 * a chain recomputed or truncated from some point is detected). Contracts in
 * audit.h, "the chain key" and "anchors"; docs/audit.md. */
#include "audit/audit.h"
#include "common/pu_keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the key ring ---------------------------------------------------------
 * Loaded once from the environment ($PUENTE_AUDIT_KEY: 64 hex digits, or
 * $PUENTE_AUDIT_KEY_FILE: a file with one key of 64 hex digits per line; the
 * last line is the current key, the earlier ones verify entries written
 * before a rotation). A key's id is the first 16 hex digits of
 * BLAKE2b-256("puente-audit-key" || key): stored with each keyed entry, it
 * says which key verifies it without revealing the key. */

#define KEY_ID_CTX "puente-audit-key"

typedef pu_keyring keyring;
_Static_assert(AUDIT_KEY_BYTES == PU_KEY_BYTES && AUDIT_KEY_ID_HEX == PU_KEY_ID_HEX && AUDIT_KEYS_MAX == PU_KEYRING_MAX,
               "audit keys live in the shared key ring");

static keyring ring;
static pthread_mutex_t ring_mu = PTHREAD_MUTEX_INITIALIZER;

static void ring_load_locked(void) { pu_keyring_load(&ring, "PUENTE_AUDIT_KEY", "PUENTE_AUDIT_KEY_FILE", KEY_ID_CTX); }

/* The ring, loaded on first use. Errors when the configured key is bad. */
static int ring_get(const keyring **out, pu_err *err) {
    pthread_mutex_lock(&ring_mu);
    if (!ring.loaded) ring_load_locked();
    pthread_mutex_unlock(&ring_mu);
    *out = &ring;
    if (ring.failed) return pu_fail(err, ring.failed, NULL, "audit-key", "%s", ring.problem);
    return PU_OK;
}

int audit_key_reload(pu_err *err) {
    pthread_mutex_lock(&ring_mu);
    ring_load_locked();
    pthread_mutex_unlock(&ring_mu);
    const keyring *k;
    return ring_get(&k, err);
}

int audit_key_current(const unsigned char **key, const char **id, pu_err *err) {
    const keyring *k;
    *key = NULL;
    *id = "";
    int rc = ring_get(&k, err);
    if (rc) return rc;
    if (k->n) {
        *key = k->key[k->n - 1];
        *id = k->id[k->n - 1];
    }
    return PU_OK;
}

int audit_key_find(const char *id, const unsigned char **key) {
    const keyring *k;
    *key = NULL;
    if (ring_get(&k, NULL)) return PU_ERR_NOTFOUND;
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->id[i], id) == 0) {
            *key = k->key[i];
            return PU_OK;
        }
    return PU_ERR_NOTFOUND;
}

int audit_key_configured(void) {
    const keyring *k;
    return ring_get(&k, NULL) == PU_OK && k->n > 0;
}

/* ---- anchors ---------------------------------------------------------------
 * One line per anchor: "seq<TAB>hash<TAB>ts<TAB>key_id<TAB>mac\n", where mac
 * is the keyed BLAKE2b-256 of "seq\thash\tts" under the current key ("-"
 * without a key), so an anchor line cannot be forged without the key. */

static void anchor_mac(const unsigned char *key, const char *body, char out[AUDIT_HASH_HEX]) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)body, strlen(body), key, AUDIT_KEY_BYTES);
    sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof h);
}

/* The last anchor line of the file ("" when none or no file). */
static int last_anchor_seq(const char *path, int64_t *seq, char *hash, size_t hsize) {
    *seq = -1;
    hash[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? PU_OK : PU_ERR_IO;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        long long s;
        char h[AUDIT_HASH_HEX];
        if (sscanf(line, "%lld\t%64s", &s, h) == 2) {
            *seq = s;
            pu_strlcpy(hash, h, hsize);
        }
    }
    fclose(f);
    return PU_OK;
}

int audit_anchor_write(db_t *db, const char *path, audit_anchor *out, pu_err *err) {
    if (!path || !*path) return pu_fail(err, PU_ERR_INVALID, NULL, "anchors", "no anchor file given");
    int64_t head = 0;
    char hash[AUDIT_HASH_HEX];
    int rc = audit_head(db, &head, hash, err);
    if (rc) return rc;
    const unsigned char *key;
    const char *kid;
    if ((rc = audit_key_current(&key, &kid, err))) return rc;
    char ts[32];
    pu_now_iso(ts, sizeof ts);
    if (out) {
        out->seq = head;
        pu_strlcpy(out->hash, hash, sizeof out->hash);
        out->written = 0;
    }
    int64_t last;
    char lhash[AUDIT_HASH_HEX];
    if (last_anchor_seq(path, &last, lhash, sizeof lhash) == PU_OK && last == head && strcmp(lhash, hash) == 0)
        return PU_OK; /* the head did not move since the last anchor */
    char body[160], mac[AUDIT_HASH_HEX] = "-", line[320];
    snprintf(body, sizeof body, "%lld\t%s\t%s", (long long)head, hash, ts);
    if (key) anchor_mac(key, body, mac);
    int n = snprintf(line, sizeof line, "%s\t%s\t%s\n", body, *kid ? kid : "-", mac);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return pu_fail(err, PU_ERR_IO, path, "anchors", "cannot open the anchor file: %s", strerror(errno));
    ssize_t w = write(fd, line, (size_t)n);
    int bad = w != n || fsync(fd) != 0;
    int saved = errno;
    close(fd);
    if (bad) return pu_fail(err, PU_ERR_IO, path, "anchors", "cannot write the anchor file: %s", strerror(saved));
    if (out) out->written = 1;
    return PU_OK;
}

/* Check one parsed anchor line against the chain. */
static int anchor_one(db_t *db, const char *path, int lineno, long long seq, const char *hash, const char *ts,
                      const char *kid, const char *mac, int64_t anchor_seq, int64_t head_seq, audit_anchor_report *rep,
                      pu_err *err) {
    char where[64];
    snprintf(where, sizeof where, "line %d", lineno);
    /* the report's counts partition the anchors: one whose mark cannot be
     * checked here is "unverified" only, though its seq and hash are still
     * checked against the chain below (a disagreement is still an error) */
    int unknown_key = 0;
    if (strcmp(kid, "-") != 0) {
        const unsigned char *key;
        if (audit_key_find(kid, &key) != PU_OK) {
            rep->unverified++;
            unknown_key = 1;
        } else {
            char body[160], want[AUDIT_HASH_HEX];
            snprintf(body, sizeof body, "%lld\t%s\t%s", seq, hash, ts);
            anchor_mac(key, body, want);
            if (strcmp(want, mac) != 0) {
                snprintf(rep->problem, sizeof rep->problem, "%s: anchor %s does not carry the key's mark: forged or edited",
                         path, where);
                return PU_ERR_INVALID;
            }
        }
    }
    if (seq < rep->last_seq) {
        snprintf(rep->problem, sizeof rep->problem, "%s: anchor %s (seq %lld) is older than the one before it", path,
                 where, seq);
        return PU_ERR_INVALID;
    }
    rep->last_seq = seq;
    if (seq > head_seq) {
        rep->truncated = 1;
        snprintf(rep->problem, sizeof rep->problem,
                 "%s: anchor %s names entry %lld but the chain ends at %lld: the newest entries were removed", path,
                 where, seq, (long long)head_seq);
        return PU_ERR_INVALID;
    }
    if (seq <= anchor_seq) { /* pruned away (or before the first entry) */
        if (!unknown_key) rep->pruned++;
        return PU_OK;
    }
    db_stmt *st;
    int rc = db_prepare(db, "SELECT hash FROM audit_log WHERE seq = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, seq);
    int s = db_step(st, err);
    if (s == DB_ROW && strcmp(db_col_text(st, 0), hash) == 0) {
        if (!unknown_key) rep->checked++;
        rc = PU_OK;
    } else if (s == DB_ROW || s == DB_DONE) {
        snprintf(rep->problem, sizeof rep->problem,
                 "%s: anchor %s: entry %lld %s: the chain was rewritten after it was anchored", path, where, seq,
                 s == DB_ROW ? "has another hash" : "is missing");
        rc = PU_ERR_INVALID;
    } else {
        rc = s;
    }
    db_finalize(st);
    return rc;
}

int audit_anchor_check(db_t *db, const char *path, audit_anchor_report *rep, pu_err *err) {
    memset(rep, 0, sizeof *rep);
    rep->last_seq = -1;
    int64_t head = 0, anchor = 0;
    char hh[AUDIT_HASH_HEX];
    int rc = audit_head(db, &head, hh, err);
    if (rc == PU_OK) rc = audit_anchor_seq(db, &anchor, err);
    if (rc) return rc;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) {
            rep->missing = 1;
            return PU_OK;
        }
        return pu_fail(err, PU_ERR_IO, path, "anchors", "cannot read the anchor file: %s", strerror(errno));
    }
    char line[512];
    int no = 0;
    while (rc == PU_OK && fgets(line, sizeof line, f)) {
        no++;
        long long seq;
        char hash[AUDIT_HASH_HEX], ts[32], kid[AUDIT_KEY_ID_HEX + 2], mac[AUDIT_HASH_HEX];
        if (!strchr(line, '\n')) break; /* a torn last line (a crash while appending) */
        if (sscanf(line, "%lld\t%64s\t%31s\t%17s\t%64s", &seq, hash, ts, kid, mac) != 5) {
            snprintf(rep->problem, sizeof rep->problem, "%s: line %d is not an anchor", path, no);
            rc = PU_ERR_INVALID;
            break;
        }
        rep->anchors++;
        rc = anchor_one(db, path, no, seq, hash, ts, kid, mac, anchor, head, rep, err);
    }
    fclose(f);
    if (rc == PU_ERR_INVALID) return pu_fail(err, rc, path, "anchors", "%s", rep->problem);
    return rc;
}
