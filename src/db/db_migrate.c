/* db_migrate.c - per-module schema migrations over db.h (backend-neutral;
 * the type tokens of a step are expanded for the store's backend). */
#include "db/db.h"

#include <stdlib.h>

static const char *VERSION_TABLE =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " module TEXT PRIMARY KEY, version INTEGER NOT NULL, updated TEXT NOT NULL)";

/* CREATE TABLE IF NOT EXISTS is not safe against a concurrent create on
 * PostgreSQL (a unique violation in its catalog when two servers start at
 * once): the loser tries again and finds the table. */
static int version_table(db_t *db, pu_err *err) {
    int rc = db_exec(db, VERSION_TABLE, err);
    if (rc == PU_ERR_CONFLICT && !db_in_tx(db)) rc = db_exec(db, VERSION_TABLE, err);
    return rc;
}

int db_schema_version(db_t *db, const char *module, int *version, pu_err *err) {
    *version = 0;
    int rc = version_table(db, err);
    if (rc) return rc;
    int64_t v = 0;
    rc = db_query_int64(db, "SELECT version FROM schema_version WHERE module = ?", module, &v, err);
    *version = (int)v;
    return rc;
}

/* Apply the step to version `to` unless another process did meanwhile: the
 * version is read again under the write lock (two servers starting at once
 * on one PostgreSQL store both see the old version before either locks). */
static int apply_step(db_t *db, const char *module, const char *sql, int to, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    char *ddl = NULL;
    int64_t cur = 0;
    int rc = db_expand_types(db, sql, &ddl, err);
    if (!rc) rc = db_begin(db, err);
    if (!rc) rc = db_query_int64(db, "SELECT version FROM schema_version WHERE module = ?", module, &cur, err);
    if (!rc && cur >= to) {
        free(ddl);
        return db_commit(db, err);
    }
    if (!rc) rc = db_exec(db, ddl, err);
    free(ddl);
    db_stmt *st = NULL;
    if (!rc) rc = db_prepare(db, "INSERT INTO schema_version(module, version, updated) VALUES (?, ?, ?) "
                                 "ON CONFLICT(module) DO UPDATE SET version = excluded.version, "
                                 "updated = excluded.updated", &st, err);
    if (!rc) {
        db_bind_text(st, 1, module, -1);
        db_bind_int64(st, 2, to);
        db_bind_text(st, 3, now, -1);
        rc = db_step_done(st, err);
    }
    db_finalize(st);
    if (rc) {
        db_rollback(db);
        char why[PU_ERR_MSG_MAX]; /* err->msg cannot be both source and target of the message */
        pu_strlcpy(why, err ? err->msg : "", sizeof why);
        return pu_fail(err, rc, db_path(db), NULL, "migration %s to version %d failed: %s", module, to, why);
    }
    return db_commit(db, err);
}

int db_migrate(db_t *db, const char *module, const char *const *steps, int nsteps, pu_err *err) {
    int have;
    int rc = db_schema_version(db, module, &have, err);
    if (rc) return rc;
    if (have > nsteps)
        return pu_fail(err, PU_ERR_CONFLICT, db_path(db), module,
                       "store schema version %d is newer than this binary (%d); upgrade puente", have, nsteps);
    for (int v = have; v < nsteps; v++) {
        rc = apply_step(db, module, steps[v], v + 1, err);
        if (rc) return rc;
    }
    return PU_OK;
}
