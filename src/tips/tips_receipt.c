/* tips_receipt.c - receipts: seven words of the EFF long word list (from the
 * Debian diceware package, data/tips/SOURCE.md), an Argon2id hash, and a
 * keyed lookup tag so that a check finds its tip with one indexed read and
 * costs ONE Argon2id computation whatever the number of tips. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_keyring.h"
#include "tips/tips_int.h"

#define WORDLIST_SIZE 7776
/* The EFF list has 4 hyphenated words (drop-down, felt-tip, t-shirt, yo-yo):
 * a receipt holding one could never be typed back, because the hyphen
 * separates words when a receipt is read. They are left out (7,772 words,
 * 7 words = 90.3 bits); fewer than this many means a damaged list. */
#define WORDLIST_MIN 7700
#define WORD_MAX 16
/* What separates the words of a typed receipt (tips_receipt_norm). */
static const char SEPARATORS[] = " \t\r\n-_.,;:";

static char words[WORDLIST_SIZE][WORD_MAX];
static size_t nwords;
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static int cmp_word(const void *a, const void *b) { return strcmp(a, b); }

/* A word that reads back as itself: no separator inside its n bytes. */
static int typeable(const char *w, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!w[i] || strchr(SEPARATORS, w[i])) return 0;
    return 1;
}

/* Lines "11111<TAB>abacus": the word is the last field. */
static void load_words(void) {
    const char *p = tips_wordlist_txt, *end = tips_wordlist_txt + tips_wordlist_txt_len;
    while (p < end && nwords < WORDLIST_SIZE) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *w = le;
        while (w > p && w[-1] != '\t' && w[-1] != ' ') w--;
        size_t n = (size_t)(le - w);
        while (n && (w[n - 1] == '\r')) n--;
        if (n > 0 && n < WORD_MAX && typeable(w, n)) {
            memcpy(words[nwords], w, n);
            words[nwords++][n] = '\0';
        }
        p = le + 1;
    }
    qsort(words, nwords, WORD_MAX, cmp_word);
    if (sodium_init() < 0) nwords = 0;
}

static size_t wordlist(void) {
    pthread_once(&words_once, load_words);
    return nwords;
}

double tips_receipt_bits(void) { return TIPS_RECEIPT_WORDS * log2((double)(wordlist() ? wordlist() : 1)); }

int tips_receipt_new(char *out, size_t size, pu_err *err) {
    size_t n = wordlist(), len = 0;
    if (n < WORDLIST_MIN) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "the receipt word list is not loaded");
    out[0] = '\0';
    for (int i = 0; i < TIPS_RECEIPT_WORDS; i++) {
        const char *w = words[randombytes_uniform((uint32_t)n)];
        int k = snprintf(out + len, size - len, "%s%s", i ? " " : "", w);
        if (k < 0 || (size_t)k >= size - len) return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "receipt buffer too small");
        len += (size_t)k;
    }
    return PU_OK;
}

int tips_receipt_norm(const char *typed, char *out, size_t size) {
    size_t len = 0, count = 0;
    if (!typed || strlen(typed) > TIPS_RECEIPT_MAX || !wordlist()) return PU_ERR_INVALID;
    const char *p = typed;
    out[0] = '\0';
    for (;;) {
        while (*p && strchr(SEPARATORS, *p)) p++;
        if (!*p) break;
        char w[WORD_MAX];
        size_t n = 0;
        while (*p && !strchr(SEPARATORS, *p)) {
            if (n + 1 >= sizeof w) return PU_ERR_INVALID;
            w[n++] = (char)tolower((unsigned char)*p++);
        }
        w[n] = '\0';
        if (!bsearch(w, words, nwords, WORD_MAX, cmp_word) || ++count > TIPS_RECEIPT_WORDS) return PU_ERR_INVALID;
        int k = snprintf(out + len, size - len, "%s%s", len ? " " : "", w);
        if (k < 0 || (size_t)k >= size - len) return PU_ERR_INVALID;
        len += (size_t)k;
    }
    return count == TIPS_RECEIPT_WORDS ? PU_OK : PU_ERR_INVALID;
}

/* ---- the lookup tag ---- */
static pu_keyring ring;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;
static void load_ring(void) { pu_keyring_load(&ring, "PUENTE_SEAL_KEY", "PUENTE_SEAL_KEY_FILE", "tips.lookup"); }

static void tag_of(const unsigned char *key, const char *norm, char out[TIPS_TAG_HEX]) {
    static const char CTX[] = "puente tips receipt lookup v1";
    unsigned char sub[crypto_generichash_KEYBYTES], tag[16];
    /* a subkey of its own, so the sealing key is never used for two things */
    crypto_generichash(sub, sizeof sub, (const unsigned char *)CTX, sizeof CTX - 1, key, key ? PU_KEY_BYTES : 0);
    crypto_generichash(tag, sizeof tag, (const unsigned char *)norm, strlen(norm), sub, sizeof sub);
    sodium_bin2hex(out, TIPS_TAG_HEX, tag, sizeof tag);
    sodium_memzero(sub, sizeof sub);
}

int tips_receipt_tags(const char *norm, char tags[][TIPS_TAG_HEX], size_t max, size_t *n) {
    pthread_once(&ring_once, load_ring);
    *n = 0;
    if (ring.failed) return ring.failed;
    if (ring.n == 0) { /* no key ring: an unkeyed tag (the demo and the tests) */
        tag_of(NULL, norm, tags[(*n)++]);
        return PU_OK;
    }
    for (size_t i = ring.n; i-- > 0 && *n < max;) tag_of(ring.key[i], norm, tags[(*n)++]); /* current first */
    return PU_OK;
}

/* ---- Argon2id ---- */
void tips_kdf_params(unsigned long long *ops, size_t *mem, int *weakened) {
    *ops = TIPS_KDF_OPS;
    *mem = TIPS_KDF_MEM;
    *weakened = 0;
    const char *e = getenv("PUENTE_TIPS_KDF");
    unsigned long long o, kib;
    if (e && sscanf(e, "%llu:%llu", &o, &kib) == 2 && o >= crypto_pwhash_OPSLIMIT_MIN &&
        kib * 1024 >= crypto_pwhash_MEMLIMIT_MIN && kib <= ((size_t)1 << 22)) {
        *ops = o;
        *mem = (size_t)kib * 1024;
        *weakened = *ops < TIPS_KDF_OPS || *mem < TIPS_KDF_MEM;
    }
}

int tips_receipt_hash(const char *norm, char *out, size_t size, pu_err *err) {
    unsigned long long ops;
    size_t mem;
    int weak;
    tips_kdf_params(&ops, &mem, &weak);
    if (size < crypto_pwhash_STRBYTES || crypto_pwhash_str(out, norm, strlen(norm), ops, mem) != 0)
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "the receipt could not be hashed (out of memory)");
    return PU_OK;
}

int tips_receipt_verify(const char *hash, const char *norm) {
    return crypto_pwhash_str_verify(hash, norm, strlen(norm)) == 0;
}

/* A miss costs what a hit costs: one verification against a hash made once
 * with the same parameters. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) {
    pu_err e;
    if (tips_receipt_hash("puente tips dummy receipt", dummy_hash, sizeof dummy_hash, &e)) dummy_hash[0] = '\0';
}
void tips_receipt_dummy_ready(void) { pthread_once(&dummy_once, make_dummy); }
void tips_receipt_dummy(void) {
    tips_receipt_dummy_ready();
    if (dummy_hash[0]) (void)tips_receipt_verify(dummy_hash, "not the dummy receipt");
}

static atomic_int kdf_running;
int tips_kdf_enter(void) {
    if (atomic_fetch_add(&kdf_running, 1) >= TIPS_KDF_CONCURRENCY) {
        atomic_fetch_sub(&kdf_running, 1);
        return 0;
    }
    return 1;
}
void tips_kdf_leave(void) { atomic_fetch_sub(&kdf_running, 1); }
