/* sameas_int.h - the build with another designation test (tests: the
 * former rule, a screening of each entity's own name, as an oracle of the
 * index's set; docs/sameas.md "Designated for the reader"). */
#ifndef PU_SAMEAS_INT_H
#define PU_SAMEAS_INT_H

#include "resolve/resolve.h"
#include "sameas/sameas.h"

/* 1 when store entity m (a member of a cluster of two or more records) is
 * designated for the reader, its caption copied into caption[size]; 0 when
 * not; -rc on an error (details in *err). */
typedef int (*sameas_desig_fn)(void *ctx, const resolve_member *m, char *caption, size_t size, pu_err *err);

/* sameas_build with fn(ctx, ...) as the designation test; fn NULL: the
 * index's set (screen_index_designated with the reader's scope and the
 * default designated scope), which is sameas_build. Errors: sameas_build's
 * and fn's. */
int sameas_build_with(db_t *db, const struct screen_index *ix, const store_scope *scope, unsigned flags,
                      sameas_desig_fn fn, void *ctx, sameas **out, pu_err *err);

#endif
