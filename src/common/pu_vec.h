/*
 * pu_vec.h - a growable array of fixed-size elements (the "grow-an-array"
 * loop written once): geometric growth with overflow checks and a hard cap
 * on the element count, like pu_buf for bytes.
 *
 * Use:
 *     pu_vec rows = PU_VEC_INIT(row_t, 0);      // 0: no cap beyond memory
 *     row_t r = {...};
 *     if (pu_vec_push(&rows, &r, sizeof r)) ...  // PU_ERR_NOMEM / PU_ERR_LIMIT
 *     row_t *v = rows.data;                      // rows.len elements
 *     pu_vec_free(&rows);
 *
 * Invariants: len <= cap; len <= max; data is NULL when cap is 0. Pointers
 * into data are invalidated by any call that adds elements (realloc).
 * Ownership: the vector owns data until pu_vec_detach hands it over.
 * Errors: PU_ERR_NOMEM (allocation failed), PU_ERR_LIMIT (the cap `max`
 * would be passed, or the byte size would overflow size_t), PU_ERR_INTERNAL
 * (element size 0 or a push of the wrong size: a bug in the caller). A
 * failed call leaves the vector as it was.
 */
#ifndef PU_VEC_H
#define PU_VEC_H

#include <stddef.h>

typedef struct pu_vec {
    void *data;
    size_t len;    /* elements in use */
    size_t cap;    /* elements allocated */
    size_t elem;   /* bytes per element (> 0) */
    size_t max;    /* hard cap on len; 0 = only what memory and size_t allow */
} pu_vec;

/* Static initialiser for elements of `type`, at most `maxn` of them (0: no cap). */
#define PU_VEC_INIT(type, maxn) { NULL, 0, 0, sizeof(type), (maxn) }

/* Initialise *v for elements of `elem` bytes, at most `max` (0: no cap).
 * Allocates nothing. */
void pu_vec_init(pu_vec *v, size_t elem, size_t max);

/*
 * Capacity (in elements) to allocate so that an array of `cap` elements of
 * `elem` bytes holds at least `need`: doubles from max(cap, 16) until it
 * fits, never beyond `max` (0: no cap) nor what size_t can count in bytes.
 * For arrays that cannot be a pu_vec (parallel arrays sharing one count).
 * Returns PU_OK with *out >= need (or *out = cap when cap >= need already),
 * PU_ERR_LIMIT when need > max or need * elem overflows, PU_ERR_INTERNAL
 * when elem is 0.
 */
int pu_vec_next_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out);

/* Make room for at least n elements in total (len unchanged). */
int pu_vec_reserve(pu_vec *v, size_t n);

/* Append a copy of the `size` bytes at item; size must equal v->elem. */
int pu_vec_push(pu_vec *v, const void *item, size_t size);

/* Append one zero-filled element and return its address in *slot (valid
 * until the next call that adds elements). */
int pu_vec_push_zero(pu_vec *v, void **slot);

/* Address of element i, or NULL when i >= len. */
void *pu_vec_at(const pu_vec *v, size_t i);

/* len = 0, keeps the memory. */
void pu_vec_clear(pu_vec *v);

/* Hand the array to the caller (who frees it with free()); *len (may be
 * NULL) gets the element count. The vector is left empty and reusable.
 * Returns NULL when the vector holds no memory. */
void *pu_vec_detach(pu_vec *v, size_t *len);

/* Free the elements' memory; NULL-safe, and safe to call twice. The element
 * size and cap are kept, so the vector can be reused. */
void pu_vec_free(pu_vec *v);

#endif
