/*
 * cargo_int.h - internals shared by the cargo sources (not part of the
 * contract; see cargo.h).
 */
#ifndef PU_CARGO_INT_H
#define PU_CARGO_INT_H

#include <stdint.h>

#include "cargo/cargo.h"
#include "cargo/cargo_config.h"

/* ---- arena: many small strings freed together ---------------------------- */
typedef struct cargo_arena_chunk cargo_arena_chunk;
typedef struct cargo_arena {
    cargo_arena_chunk *head;
    size_t used, cap;
} cargo_arena;
void *cargo_arena_alloc(cargo_arena *a, size_t n);            /* 8-aligned, NULL on OOM */
const char *cargo_arena_strdup(cargo_arena *a, const char *s); /* NULL -> "" */
const char *cargo_arena_strndup(cargo_arena *a, const char *s, size_t n);
void cargo_arena_free(cargo_arena *a);

/* ---- text ------------------------------------------------------------------ */
/* Normalise for matching: ASCII lower case, accents folded (utf8proc), every
 * run of non-alphanumerics -> one ' ', other scripts -> '~' per code point.
 * Invalid UTF-8 bytes count as separators. Appends to out (reset first). */
int cargo_norm(const char *s, size_t n, pu_buf *out);
/* Only the alphanumerics of the normalised form ("4-AP" -> "4ap"). */
int cargo_squash(const char *s, pu_buf *out);
uint64_t cargo_hash(const char *s, size_t n);
/* Hash of the squashed form, 0 for blank input. */
uint64_t cargo_key(const char *s);

/* ---- string set (open addressing, no deletion) --------------------------- */
typedef struct cargo_strset {
    char **keys;
    int *vals;
    size_t n, cap;
} cargo_strset;
int cargo_strset_put(cargo_strset *s, const char *key, size_t len, int val);
/* Value for key, or -1. */
int cargo_strset_get(const cargo_strset *s, const char *key, size_t len);
void cargo_strset_free(cargo_strset *s);

/* ---- u64 -> int64 map ---------------------------------------------------- */
typedef struct cargo_u64map {
    uint64_t *keys;   /* 0 = empty slot (keys are never 0) */
    int64_t *vals;
    size_t n, cap;
} cargo_u64map;
int cargo_u64map_put(cargo_u64map *m, uint64_t key, int64_t val);
/* Pointer to the value, or NULL. */
int64_t *cargo_u64map_get(const cargo_u64map *m, uint64_t key);
void cargo_u64map_free(cargo_u64map *m);

/* ---- consignees by resolved person (cargo_resolved.c) ------------------- */
/* The history rules (first-time consignee, shared address) key consignees
 * by the reader's resolved cluster instead of the name (docs/sameas.md):
 * every spelling of a cluster of 2+ records the reader sees (by cargo_key
 * and by an order-free key) maps to one key; a spelling of two clusters
 * (namesakes kept apart) maps to none. */
struct resolve_view;
typedef struct cargo_resolved {
    struct resolve_view *v;     /* the reader's clusters (resolve_clusters_ex); NULL: none */
    cargo_u64map by_name;       /* name key -> cluster index + 1, -1 ambiguous */
} cargo_resolved;
/* Load the reader's clusters (nothing when the store has no resolution
 * tables). *out the caller's (cargo_resolved_free). Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int cargo_resolved_load(db_t *db, const store_scope *scope, cargo_resolved *out, pu_err *err);
void cargo_resolved_free(cargo_resolved *r);   /* NULL-safe */
/* The key consignee `name` (its cargo_key `key`) counts under: its cluster's
 * when one of the cluster's spellings is name (as cargo_key or order-free),
 * else key itself. *cluster (may be NULL) gets the cluster id or NULL. */
uint64_t cargo_resolved_key(const cargo_resolved *r, uint64_t key, const char *name, const char **cluster);
/* An order-free key of a name (tokens sorted); 0 for none. */
uint64_t cargo_name_key_unordered(const char *name);

/* ---- rule parameters "k=v1|v2;k2=n" --------------------------------------- */
/* Copy the value of key into buf ("" when absent). Returns 1 when present. */
int cargo_param(const char *params, const char *key, char *buf, size_t size);
/* Parse a numeric parameter; *out untouched when absent. PU_ERR_INVALID when
 * present but not a number. */
int cargo_param_num(const char *params, const char *key, double *out);
/* Add every '|'-separated term of key (normalised) to set with value val. */
int cargo_param_terms(const char *params, const char *key, cargo_strset *set, int val);
/* Check the "k=v;k=v" syntax. */
int cargo_params_valid(const char *params, char *why, size_t size);

/* CAS scanning over raw text: calls cb for each CAS-formatted number. */
typedef void (*cargo_cas_cb)(void *ctx, int64_t value, int check_ok, const char *s, size_t n);
void cargo_cas_scan(const char *text, size_t len, cargo_cas_cb cb, void *ctx);


/* cargo_reader_open_mem, optionally strict: unknown CSV columns / JSON keys
 * are errors (not warnings) and CSV quoting is checked strictly. */
int cargo_reader_open_mem_ex(const char *data, size_t n, cargo_format fmt, FILE *warn, int strict, cargo_reader **out,
                             pu_err *err);


/* ---- the engine (cargo_engine.c, cargo_batch.c) ----------------------------- */
#define TRIE_W 36 /* 0-9 a-z */

typedef struct cargo_form {   /* one matchable name form */
    int chem, via, weak, len;
    char shown[64];
} cargo_form;

typedef struct cargo_party_cache {
    cargo_party_hit *hits;
    size_t n;
} cargo_party_cache;

struct cargo_engine {
    cargo_watchlist *w;
    cargo_rules *r;
    /* names */
    int32_t (*child)[TRIE_W];
    int32_t *term;            /* node -> form index or -1 */
    uint8_t *maxlen;          /* node -> longest form length in its subtree (cap 255) */
    size_t nnodes, cap_nodes;
    cargo_form *forms;
    size_t nforms, cap_forms;
    cargo_u64map cas;         /* CAS integer -> chemical index */
    cargo_strset exclude, salts;
    /* compiled rule parameters */
    cargo_strset context_terms, context_hs, hs_headings, chem_chapters, goods_terms, generic_terms,
        forwarder_terms, residential_terms, hubs, risk_countries;
    double shared_min_names, max_transship, min_usd_kg, max_usd_kg, split_window, split_min,
        split_max_kg, party_hit, party_possible;
    /* parties */
    cargo_party_fn party;
    void *party_ctx;
    struct cargo_party_ctx *party_own; /* built by cargo_open, freed with the engine */
    cargo_u64map party_keys;   /* key of squashed name + country -> cache index */
    cargo_party_cache *cache;
    size_t ncache, cap_cache;
    uint64_t party_calls, party_lookups;
    /* scratch */
    pu_buf norm, scratch;
};

/* Detection over an already normalised text t (n bytes) of raw text raw.
 * *context is set to 1 when the line has chemical context. */
int cargo_detect_norm(cargo_engine *e, const char *raw, size_t rawlen, const char *t, size_t n,
                      const char *hs_code, cargo_chem_hit *hits, size_t max, size_t *nhits,
                      char (*bad_cas)[24], size_t max_bad, size_t *nbad, int *context);

/* Compile a watchlist and rules into an engine (copies both); party may be
 * NULL. cargo_open is the constructor shells use. Errors: PU_ERR_INVALID (a
 * rule parameter is malformed), PU_ERR_NOMEM. */
int cargo_engine_new(const cargo_watchlist *w, const cargo_rules *r, cargo_party_fn party, void *party_ctx,
                     cargo_engine **out, pu_err *err);

/* ---- party screening (cargo_party.c; built when CARGO_HAVE_SCREEN) ----------
 * The adapter from cargo_party_fn to the screening engine (src/screen) over
 * the designated parties in the store, screened as one reader. */
typedef struct cargo_party_ctx cargo_party_ctx;
#if CARGO_HAVE_SCREEN
/* Over a new index of st's designated parties (owned), or over ix (borrowed;
 * it must outlive the context) when ix is not NULL. *out is NULL (and PU_OK)
 * when there is no designated party to screen against. scope (required)
 * must outlive the context: parties it may not see are never scored.
 * Errors: screen_index_build's (PU_ERR_DB, PU_ERR_NOMEM). */
int cargo_party_new(store_t *st, const struct screen_index *ix, const store_scope *scope, cargo_party_ctx **out,
                    pu_err *err);
/* cargo_party_fn over a cargo_party_ctx: best designated matches of a name. */
int cargo_party_screen(void *ctx, const char *name, const char *country, cargo_party_hit *hits, size_t max,
                       size_t *n, pu_err *err);
void cargo_party_free(cargo_party_ctx *c);
#endif

/* Embedded default data (generated from data/cargo/ at build time). */
extern const char cargo_default_watchlist_csv[];
extern const size_t cargo_default_watchlist_csv_len;
extern const char cargo_default_rules_csv[];
extern const size_t cargo_default_rules_csv_len;

#endif
