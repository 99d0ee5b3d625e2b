/* tips_guard.c - abuse without identity: a hashcash-style proof of work whose
 * difficulty rises with load, single-use challenges and per-tip message
 * limits, all in this process's memory (never written anywhere; a restart
 * forgets them, which only makes the next minutes cheaper for everyone).
 * docs/tips.md "Abuse". */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tips/tips_int.h"

#define POW_BITS_DEFAULT 18     /* ~262k BLAKE2b calls on average: ~0.2 s native, ~1 s in a browser */
#define POW_BITS_MAX 26
#define POW_LOAD_STEP 20        /* every doubling of tips per window over this adds one bit */
#define POW_TTL 600             /* seconds a challenge stays valid */
#define POW_USED_MAX 65536      /* challenges remembered as used (until they expire) */
#define LOAD_SLOTS 60           /* the load window in slots of TIPS_LOAD_WINDOW / LOAD_SLOTS seconds */
#define REPLY_SLOTS 4096        /* per-tip counters (hashed; a collision only shares a budget) */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char mac_key[crypto_generichash_KEYBYTES];
static int keyed;
static int64_t load_slot_t[LOAD_SLOTS];
static int64_t load_slot_n[LOAD_SLOTS];
static struct { unsigned char h[16]; int64_t expiry; } used[POW_USED_MAX];
static size_t nused;
static struct { unsigned char h[8]; int64_t hour; int n; } replies[REPLY_SLOTS];

static void ensure_key(void) { /* under mu */
    if (keyed) return;
    if (sodium_init() < 0) abort();
    randombytes_buf(mac_key, sizeof mac_key);
    keyed = 1;
}

void tips_guard_reset(void) {
    pthread_mutex_lock(&mu);
    memset(load_slot_t, 0, sizeof load_slot_t);
    memset(load_slot_n, 0, sizeof load_slot_n);
    nused = 0;
    memset(replies, 0, sizeof replies);
    pthread_mutex_unlock(&mu);
}

static int base_bits(void) {
    const char *e = getenv("PUENTE_TIPS_POW_BITS"); /* tests and the demo lower it */
    int b = e ? atoi(e) : POW_BITS_DEFAULT;
    return b < 1 ? 1 : b > POW_BITS_MAX ? POW_BITS_MAX : b;
}

static int64_t recent_tips(int64_t now) { /* under mu */
    int64_t slot = now / (TIPS_LOAD_WINDOW / LOAD_SLOTS), total = 0;
    for (int i = 0; i < LOAD_SLOTS; i++)
        if (load_slot_t[i] > slot - LOAD_SLOTS) total += load_slot_n[i];
    return total;
}

int tips_pow_bits(int64_t now) {
    pthread_mutex_lock(&mu);
    int64_t r = recent_tips(now);
    pthread_mutex_unlock(&mu);
    int bits = base_bits();
    for (int64_t x = r / POW_LOAD_STEP; x > 0 && bits < POW_BITS_MAX; x /= 2) bits++;
    return bits;
}

void tips_guard_note_tip(int64_t now) {
    int64_t slot = now / (TIPS_LOAD_WINDOW / LOAD_SLOTS);
    pthread_mutex_lock(&mu);
    int i = (int)(slot % LOAD_SLOTS);
    if (load_slot_t[i] != slot) {
        load_slot_t[i] = slot;
        load_slot_n[i] = 0;
    }
    load_slot_n[i]++;
    pthread_mutex_unlock(&mu);
}

static void mac_hex(const char *msg, char out[33]) {
    unsigned char m[16];
    pthread_mutex_lock(&mu);
    ensure_key();
    crypto_generichash(m, sizeof m, (const unsigned char *)msg, strlen(msg), mac_key, sizeof mac_key);
    pthread_mutex_unlock(&mu);
    sodium_bin2hex(out, 33, m, sizeof m);
}

int tips_pow_challenge(int64_t now, char *out, size_t size, int *bits, pu_err *err) {
    unsigned char rnd[12];
    char rhex[25], head[96], mac[33];
    *bits = tips_pow_bits(now);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(rhex, sizeof rhex, rnd, sizeof rnd);
    (void)pu_snprintf(head, sizeof head, "v1.%lld.%d.%s", (long long)(now + POW_TTL), *bits, rhex);
    mac_hex(head, mac);
    if (pu_snprintf(out, size, "%s.%s", head, mac) != PU_OK)
        return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "challenge buffer too small");
    return PU_OK;
}

static int leading_zero_bits(const unsigned char *h, size_t n) {
    int z = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == 0) { z += 8; continue; }
        for (int b = 7; b >= 0 && !(h[i] >> b & 1); b--) z++;
        break;
    }
    return z;
}

static int work_of(const char *challenge, const char *nonce) {
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)challenge, strlen(challenge));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)nonce, strlen(nonce));
    crypto_generichash_final(&st, h, sizeof h);
    return leading_zero_bits(h, sizeof h);
}

/* Used up now; 0 when it was used before (or the memory is full of live ones). */
static int use_once(const char *challenge, int64_t expiry, int64_t now) {
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)challenge, strlen(challenge), NULL, 0);
    pthread_mutex_lock(&mu);
    size_t w = 0;
    int fresh = 1;
    for (size_t i = 0; i < nused; i++) { /* drop the expired while looking */
        if (used[i].expiry < now) continue;
        if (memcmp(used[i].h, h, sizeof h) == 0) fresh = 0;
        used[w++] = used[i];
    }
    nused = w;
    if (fresh && nused < POW_USED_MAX) {
        memcpy(used[nused].h, h, sizeof h);
        used[nused++].expiry = expiry;
    } else {
        fresh = 0;
    }
    pthread_mutex_unlock(&mu);
    return fresh;
}

int tips_pow_check(const char *challenge, const char *nonce, int64_t now, pu_err *err) {
    long long expiry;
    int bits, off = 0;
    char rhex[25], head[96], mac[33], want[33];
    if (!challenge || !*challenge || !nonce || !*nonce || strlen(nonce) > 63)
        return pu_fail(err, PU_ERR_INVALID, "body", "pow", "a proof of work is required: GET /api/v1/tips/challenge");
    if (sscanf(challenge, "v1.%lld.%d.%24[0-9a-f].%32[0-9a-f]%n", &expiry, &bits, rhex, mac, &off) != 4 ||
        challenge[off] != '\0' || strlen(mac) != 32)
        return pu_fail(err, PU_ERR_INVALID, "body", "pow", "malformed challenge");
    (void)pu_snprintf(head, sizeof head, "v1.%lld.%d.%s", expiry, bits, rhex);
    mac_hex(head, want);
    if (sodium_memcmp(want, mac, 32) != 0) return pu_fail(err, PU_ERR_INVALID, "body", "pow", "not a challenge of this server");
    if (expiry < now) return pu_fail(err, PU_ERR_INVALID, "body", "pow", "the challenge expired: get a new one");
    if (work_of(challenge, nonce) < bits) return pu_fail(err, PU_ERR_INVALID, "body", "pow", "the proof of work does not meet the difficulty");
    if (!use_once(challenge, expiry, now)) return pu_fail(err, PU_ERR_CONFLICT, "body", "pow", "this challenge was used already");
    return PU_OK;
}

int tips_pow_solve(const char *challenge, int bits, char *nonce, size_t size) {
    for (unsigned long long i = 0; i < (1ULL << 40); i++) {
        if (pu_snprintf(nonce, size, "%llx", i) != PU_OK) return 0;
        if (work_of(challenge, nonce) >= bits) return 1;
    }
    return 0;
}

/* One per-tip budget per hour: kind 'm' messages, 'a' attachments. */
static int take(char kind, const char *id, int limit, int64_t now) {
    unsigned char h[8];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
    crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
    crypto_generichash_final(&st, h, sizeof h);
    size_t slot = ((size_t)h[0] << 8 | h[1]) % REPLY_SLOTS;
    int64_t hour = now / 3600;
    pthread_mutex_lock(&mu);
    if (replies[slot].hour != hour || memcmp(replies[slot].h, h, sizeof h) != 0) {
        memcpy(replies[slot].h, h, sizeof h);
        replies[slot].hour = hour;
        replies[slot].n = 0;
    }
    int ok = replies[slot].n < limit;
    if (ok) replies[slot].n++;
    pthread_mutex_unlock(&mu);
    return ok;
}

int tips_guard_take_reply(const char *id, int64_t now) { return take('m', id, TIPS_REPLIES_PER_HOUR, now); }
int tips_guard_take_attachment(const char *id, int64_t now) { return take('a', id, TIPS_ATTACH_PER_HOUR, now); }

int tips_weakened(char *out, size_t size) {
    unsigned long long ops;
    size_t mem;
    int kdf_weak, n = 0;
    tips_kdf_params(&ops, &mem, &kdf_weak);
    int pow_weak = base_bits() < POW_BITS_DEFAULT;
    out[0] = '\0';
    if (kdf_weak)
        n = snprintf(out, size, "PUENTE_TIPS_KDF=%llu:%zu weakens the receipt hash (default %d:%d KiB)", ops, mem / 1024,
                     (int)TIPS_KDF_OPS, (int)(TIPS_KDF_MEM / 1024));
    if (pow_weak && n >= 0 && (size_t)n < size)
        (void)snprintf(out + n, size - (size_t)n, "%sPUENTE_TIPS_POW_BITS=%d lowers the proof of work (default %d)",
                       n ? "; " : "", base_bits(), POW_BITS_DEFAULT);
    return kdf_weak || pow_weak;
}
