/* protect_cache.c - the unlocked keys of API and web sessions, in memory
 * only (protect.h), and the catalogues as JSON for the pages. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "protect/protect_int.h"

typedef struct slot {
    int used;
    unsigned char tag[32];          /* BLAKE2b of the session secret */
    protect_session s;              /* keys; db and source unset */
    int64_t since, last;
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot *slots;                 /* sodium_malloc'd: guarded, locked pages */

static int ensure(void) {
    if (slots) return 1;
    if (sodium_init() < 0) return 0;
    slots = sodium_malloc(PROTECT_UNLOCK_SLOTS * sizeof *slots);
    if (slots) sodium_memzero(slots, PROTECT_UNLOCK_SLOTS * sizeof *slots);
    return slots != NULL;
}

static void tag_of(const char *secret, unsigned char tag[32]) {
    crypto_generichash(tag, 32, (const unsigned char *)secret, strlen(secret), (const unsigned char *)"pu-protect-cache", 16);
}

static int live(const slot *x, int64_t now) {
    return x->used && now - x->last <= PROTECT_UNLOCK_IDLE && now - x->since <= PROTECT_UNLOCK_MAX;
}

static void wipe(slot *x) { sodium_memzero(x, sizeof *x); }

int protect_cache_put(const char *secret, const protect_session *s, int64_t now, pu_err *err) {
    unsigned char tag[32];
    tag_of(secret, tag);
    pthread_mutex_lock(&mu);
    slot *free_slot = NULL;
    int rc = ensure() ? PU_OK : PU_ERR_NOMEM;
    for (size_t i = 0; rc == PU_OK && i < PROTECT_UNLOCK_SLOTS; i++) {
        slot *x = &slots[i];
        if (x->used && !live(x, now)) wipe(x);
        if (x->used && sodium_memcmp(x->tag, tag, 32) == 0) wipe(x); /* a second unlock replaces the first */
        if (!x->used && !free_slot) free_slot = x;
    }
    if (rc == PU_OK && free_slot) {
        free_slot->used = 1;
        memcpy(free_slot->tag, tag, 32);
        free_slot->s = *s;
        free_slot->s.db = NULL;
        free_slot->s.source = NULL;
        free_slot->s.purpose[0] = '\0';
        free_slot->since = free_slot->last = now;
    }
    pthread_mutex_unlock(&mu);
    if (rc) return pu_fail(err, rc, NULL, NULL, "out of memory");
    if (!free_slot) return pu_fail(err, PU_ERR_LIMIT, NULL, "session", "too many unlocked sessions; try again later");
    return PU_OK;
}

int protect_cache_get(const char *secret, int64_t now, protect_session *out, pu_err *err) {
    unsigned char tag[32];
    tag_of(secret, tag);
    int found = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; slots && i < PROTECT_UNLOCK_SLOTS && !found; i++) {
        slot *x = &slots[i];
        if (!x->used || sodium_memcmp(x->tag, tag, 32) != 0) continue;
        if (!live(x, now)) {
            wipe(x);
            break;
        }
        x->last = now;
        *out = x->s;
        found = 1;
    }
    pthread_mutex_unlock(&mu);
    return found ? PU_OK
                 : pu_fail(err, PU_ERR_DENIED, NULL, "unlock", "unlock your protection key first (POST /api/v1/protect/unlock)");
}

void protect_cache_drop(const char *secret) {
    unsigned char tag[32];
    tag_of(secret, tag);
    pthread_mutex_lock(&mu);
    for (size_t i = 0; slots && i < PROTECT_UNLOCK_SLOTS; i++)
        if (slots[i].used && sodium_memcmp(slots[i].tag, tag, 32) == 0) wipe(&slots[i]);
    pthread_mutex_unlock(&mu);
}

/* ---- catalogues ---- */
/* The rows of an embedded CSV (header first) as objects named by the header. */
static json_t *csv_rows(const char *csv) {
    json_t *a = json_array();
    char head[16][32];
    int nh = 0, first = 1;
    for (const char *line = csv; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        json_t *o = first ? NULL : json_object();
        int col = 0;
        for (size_t i = 0; i <= len;) {
            int quoted = i < len && line[i] == '"';
            size_t j = i + quoted;
            while (j < len && (quoted ? line[j] != '"' : line[j] != ',')) j++;
            char val[512];
            size_t n = j - i - quoted < sizeof val ? j - i - quoted : sizeof val - 1;
            memcpy(val, line + i + quoted, n);
            val[n] = '\0';
            if (first && nh < 16) pu_strlcpy(head[nh++], val, sizeof head[0]);
            else if (o && col < nh) json_object_set_new(o, head[col], json_string(val));
            col++;
            i = j + quoted + 1;
        }
        if (o) json_array_append_new(a, o);
        first = 0;
        line = end ? end + 1 : NULL;
    }
    return a;
}

int protect_catalogue_json(char **out, pu_err *err) {
    json_t *o = json_pack("{s:o,s:o,s:o}", "measures", csv_rows(protect_measures_csv), "aggressions",
                          csv_rows(protect_aggressions_csv), "clocks", csv_rows(protect_clocks_csv));
    *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}
