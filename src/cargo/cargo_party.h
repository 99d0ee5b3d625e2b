/*
 * cargo_party.h - party screening for cargo targeting: the adapter from the
 * cargo engine's cargo_party_fn to the screening engine (src/screen), over
 * the designated parties in the store. Built only when src/screen is present
 * (cargo_config.h: CARGO_HAVE_SCREEN).
 *
 * Ownership: cargo_party_new returns a context the caller frees with
 * cargo_party_free (NULL-safe). The context must outlive the engine using it.
 */
#ifndef PU_CARGO_PARTY_H
#define PU_CARGO_PARTY_H

#include "cargo/cargo.h"
#include "cargo/cargo_config.h"
#include "store/store.h"

typedef struct cargo_party_ctx cargo_party_ctx;
struct screen_index; /* src/screen/screen.h */

#if CARGO_HAVE_SCREEN
/* Build the screening index over the store's designated parties. When the
 * store holds none, *out is NULL and PU_OK is returned (nothing to screen).
 * Errors: those of screen_index_build (PU_ERR_DB, PU_ERR_NOMEM). */
int cargo_party_new(store_t *st, cargo_party_ctx **out, pu_err *err);
/* Same over an index the caller already holds (the server's shared one):
 * borrowed, never freed by cargo_party_free; it must outlive the context.
 * *out is NULL (and PU_OK) when ix holds no entities. Errors: PU_ERR_NOMEM. */
int cargo_party_borrow(const struct screen_index *ix, cargo_party_ctx **out, pu_err *err);
/* cargo_party_fn over a cargo_party_ctx: best designated matches of a name. */
int cargo_party_screen(void *ctx, const char *name, const char *country, cargo_party_hit *hits, size_t max,
                       size_t *n, pu_err *err);
/* Screen as this reader: designated parties `scope` may not see are never
 * scored or reported (store_visible rule). NULL (the default) = the system
 * scope, as the CLI. The scope must outlive the screening. */
void cargo_party_set_scope(cargo_party_ctx *c, const store_scope *scope);
void cargo_party_free(cargo_party_ctx *c);
#endif

#endif
