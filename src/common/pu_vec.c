/* pu_vec.c - growable array of fixed-size elements (see pu_vec.h). */
#include "common/pu_vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu.h"

#define PU_VEC_MIN_CAP 16

void pu_vec_init(pu_vec *v, size_t elem, size_t max) {
    v->data = NULL;
    v->len = v->cap = 0;
    v->elem = elem;
    v->max = max;
}

int pu_vec_next_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out) {
    if (elem == 0) return PU_ERR_INTERNAL;
    size_t limit = SIZE_MAX / elem; /* most elements whose byte size fits size_t */
    if (max && max < limit) limit = max;
    if (need > limit) return PU_ERR_LIMIT;
    if (cap >= need) {
        *out = cap;
        return PU_OK;
    }
    size_t c = cap < PU_VEC_MIN_CAP ? PU_VEC_MIN_CAP : cap;
    /* double without overflowing; the cap wins over doubling */
    while (c < need) c = c > limit / 2 ? limit : c * 2;
    *out = c > limit ? limit : c;
    return PU_OK;
}

int pu_vec_reserve(pu_vec *v, size_t n) {
    size_t nc;
    int rc = pu_vec_next_cap(v->cap, n, v->elem, v->max, &nc);
    if (rc || nc == v->cap) return rc;
    void *p = realloc(v->data, nc * v->elem);
    if (!p) return PU_ERR_NOMEM;
    v->data = p;
    v->cap = nc;
    return PU_OK;
}

/* Room for one more element. */
static int grow_one(pu_vec *v) {
    if (v->len == SIZE_MAX) return PU_ERR_LIMIT;
    return v->len < v->cap ? PU_OK : pu_vec_reserve(v, v->len + 1);
}

int pu_vec_push(pu_vec *v, const void *item, size_t size) {
    if (size != v->elem || !item) return PU_ERR_INTERNAL;
    int rc = grow_one(v);
    if (rc) return rc;
    memcpy((char *)v->data + v->len * v->elem, item, size);
    v->len++;
    return PU_OK;
}

int pu_vec_push_zero(pu_vec *v, void **slot) {
    *slot = NULL;
    int rc = grow_one(v);
    if (rc) return rc;
    void *p = (char *)v->data + v->len * v->elem;
    memset(p, 0, v->elem);
    v->len++;
    *slot = p;
    return PU_OK;
}

void *pu_vec_at(const pu_vec *v, size_t i) { return i < v->len ? (char *)v->data + i * v->elem : NULL; }

void pu_vec_clear(pu_vec *v) { v->len = 0; }

void *pu_vec_detach(pu_vec *v, size_t *len) {
    void *p = v->data;
    if (len) *len = v->len;
    v->data = NULL;
    v->len = v->cap = 0;
    return p;
}

void pu_vec_free(pu_vec *v) {
    if (!v) return;
    free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}
