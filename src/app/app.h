/*
 * app.h - the application core shared by the CLI and the HTTP server: the
 * module registry and the application context.
 *
 * Module registry. Every capability registers itself ONCE, in its
 * descriptor in src/app/modules.c: its name, its migrations (one function
 * that brings its tables up to date), its CLI commands and its HTTP routes.
 * From that one list
 *   - `puente` finds its subcommands (main.c has no list of its own),
 *   - `puente serve` builds its route table,
 *   - app_migrate brings every module's schema up to date ONCE, when a
 *     store is opened by app_open (CLI) or when the server starts; engines
 *     never run migrations per call or per request.
 * Adding a module = its folder under src/, its descriptor in modules.c (one
 * struct and one line in the list); docs/CONTRIBUTING.md.
 *
 * Application context. app_t owns what lives as long as the process: the
 * store connection of the calling thread, the registry, and long-lived
 * engine state (the screening service now; the graph and indicator caches
 * later) created on first use through app_state and freed by app_close.
 * Caches inside that state check the store's change generations
 * (store_generation_get), so changes by any process are seen at once.
 *
 * Threads: an app_t and its store are used by one thread at a time; the
 * engine state it holds must be thread-safe itself (the HTTP server shares
 * it between its workers, each with its own store connection).
 */
#ifndef PU_APP_H
#define PU_APP_H

#include <stddef.h>
#include "common/pu.h"
#include "db/db.h"
#include "store/store.h"
#include "common/pu_count.h"

struct http_route; /* src/http/http_int.h: the server's own type */

typedef struct app_command {
    const char *name;      /* "ews" */
    const char *summary;   /* one line for `puente --help` */
    int (*run)(int argc, char **argv);  /* argv[0] is the command name; returns an exit code */
} app_command;

typedef struct app_module {
    const char *name;                          /* "ews"; also its schema_version module name */
    int (*migrate)(db_t *db, pu_err *err);     /* NULL: no tables of its own */
    const app_command *commands;
    size_t ncommands;
    /* The module's HTTP routes (NULL: none): returns the table, *n its size. */
    const struct http_route *(*routes)(size_t *n);
    /* Long-lived engine state (NULL when none): created by app_state on
     * first use from the process's primary store, freed by app_close. */
    int (*state_open)(store_t *st, void **state, pu_err *err);
    void (*state_close)(void *state);
    /* Named counts for the impact indicators (NULL: none; common/pu_count.h):
     * calls cb once per row visible to scope. Errors: PU_ERR_DB, cb's. */
    int (*counts)(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
    /* The records behind the counts (NULL: the figures do not drill down
     * to records, e.g. aggregates only): calls cb with exactly the rows
     * `counts` emits for scope, each with row->rec set to the record it
     * counts (common/pu_count.h). Errors: as counts. */
    int (*count_records)(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err);
} app_module;

/* Every registered module, in dependency order (store first), NULL-terminated. */
const app_module *const *app_modules(void);
/* The module named name, or NULL. */
const app_module *app_module_find(const char *name);
/* The command named name (any module), or NULL. */
const app_command *app_command_find(const char *name);

/* Run every module's migrations on db, in registry order. Idempotent (a
 * module already at its latest version costs one indexed read).
 * Errors: PU_ERR_DB; PU_ERR_CONFLICT when the store is newer than this
 * binary (the message names the module). */
int app_migrate(db_t *db, pu_err *err);

typedef struct app app_t;

typedef struct app_opts {
    const char *db_path;   /* the store: an SQLite file, ":memory:" */
} app_opts;

/* Open the store named by o->db_path and bring every module's schema up to
 * date. *out is the caller's (app_close). Errors: store_open's, app_migrate's. */
int app_open(const app_opts *o, app_t **out, pu_err *err);
/* Close the engine states (reverse registry order) and the store. NULL-safe. */
void app_close(app_t *app);
store_t *app_store(app_t *app);
db_t *app_db(app_t *app);
/* The long-lived state of module `name`, created on first use (thread-safe:
 * one creation even when several threads ask at once). Errors:
 * PU_ERR_NOTFOUND (no such module, or it keeps no state), the module's
 * state_open errors. */
int app_state(app_t *app, const char *name, void **out, pu_err *err);

#endif
