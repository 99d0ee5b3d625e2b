/* cargo_engine.h - internal: the engine structure shared by cargo_engine.c
 * and cargo_batch.c (not part of the contract; see cargo.h). */
#ifndef PU_CARGO_ENGINE_H
#define PU_CARGO_ENGINE_H

#include "cargo/cargo_int.h"

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

/* Check owner/marking of a stamp (cargo_store.c). */
int cargo_stamp_check(const cargo_stamp *s, pu_err *err);

#endif
