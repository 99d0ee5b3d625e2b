/*
 * cargo_int.h - internals shared by the cargo sources (not part of the
 * contract; see cargo.h).
 */
#ifndef PU_CARGO_INT_H
#define PU_CARGO_INT_H

#include <stdint.h>

#include "cargo/cargo.h"

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

/* 1 if a record with owner/marking is visible to scope (NULL = all). */
int cargo_visible(const cargo_scope *scope, const char *owner, const char *marking);

/* Embedded default data (generated from data/cargo/ at build time). */
extern const char cargo_default_watchlist_csv[];
extern const size_t cargo_default_watchlist_csv_len;
extern const char cargo_default_rules_csv[];
extern const size_t cargo_default_rules_csv_len;

#endif
