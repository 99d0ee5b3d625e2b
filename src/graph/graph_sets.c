/* graph_sets.c - saved entity sets and diagrams: named lists of node keys
 * (and a diagram's layout), owned and marked like every record. */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

static const char *const STEPS[] = {
    /* v1 */
    "CREATE TABLE graph_set (id {ID}, kind TEXT NOT NULL, name TEXT NOT NULL, keys TEXT NOT NULL,"
    " size {INT} NOT NULL, layout TEXT, author TEXT, created TEXT NOT NULL, owner TEXT NOT NULL,"
    " marking TEXT NOT NULL);",
};

int graph_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "graph", STEPS, (int)(sizeof STEPS / sizeof STEPS[0]), err);
}

int graph_set_save(db_t *db, const store_scope *scope, const char *kind, const char *name, const char *const *keys,
                   size_t n, const char *layout, const char *marking, int64_t *id, pu_err *err) {
    *id = 0;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    if (!kind || (strcmp(kind, "set") && strcmp(kind, "diagram")))
        return pu_fail(err, PU_ERR_INVALID, NULL, "kind", "expected set or diagram, got '%s'", kind ? kind : "");
    if (!name || pu_blank(name)) return pu_fail(err, PU_ERR_INVALID, NULL, "name", "a saved set needs a name");
    if (!n) return pu_fail(err, PU_ERR_INVALID, NULL, "nodes", "a saved set needs at least one node");
    store_marking m;
    int rc = store_marking_parse(marking ? marking : STORE_DEFAULT_MARKING, "marking", &m, err);
    if (!rc) rc = store_check_file(scope, m, err);
    if (rc) return rc;
    pu_buf k = PU_BUF_INIT((size_t)1 << 24);
    for (size_t i = 0; i < n; i++) {
        if (strchr(keys[i], '\n')) {
            pu_buf_free(&k);
            return pu_fail(err, PU_ERR_INVALID, NULL, "nodes", "a node key holds no line break");
        }
        if (pu_buf_printf(&k, "%s\n", keys[i])) {
            pu_buf_free(&k);
            return pu_fail(err, PU_ERR_LIMIT, NULL, "nodes", "too many nodes in one set");
        }
    }
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *st;
    rc = db_prepare(db, "INSERT INTO graph_set (kind, name, keys, size, layout, created, owner, marking)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
    if (!rc) {
        db_bind_text(st, 1, kind, -1);
        db_bind_text(st, 2, name, -1);
        db_bind_text(st, 3, pu_buf_str(&k), -1);
        db_bind_int64(st, 4, (int64_t)n);
        if (layout) db_bind_text(st, 5, layout, -1);
        else db_bind_null(st, 5);
        db_bind_text(st, 6, now, -1);
        db_bind_text(st, 7, scope->system ? "" : scope->agency, -1);
        db_bind_text(st, 8, store_marking_name(m), -1);
        rc = db_insert_id(st, id, err);
        db_finalize(st);
    }
    pu_buf_free(&k);
    return rc;
}

/* Append to out the lines of keys (one key per line) that are nodes of g;
 * *kept gets their number. */
static int visible_keys(const graph *g, const char *keys, pu_buf *out, size_t *kept) {
    *kept = 0;
    for (const char *p = keys ? keys : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char key[GRAPH_ID_MAX];
        if (len && len < sizeof key) {
            memcpy(key, p, len);
            key[len] = 0;
            uint32_t v;
            pu_err ignored = {0};
            if (!graph_find(g, key, &v, &ignored)) {
                if (out && pu_buf_printf(out, "%s\n", key)) return PU_ERR_LIMIT;
                (*kept)++;
            }
        }
        p += len + (nl ? 1 : 0);
    }
    return PU_OK;
}

int graph_set_get(db_t *db, const store_scope *scope, const graph *g, int64_t id, pu_buf *out, pu_err *err) {
    return graph_set_get_layout(db, scope, g, id, out, NULL, err);
}

int graph_set_get_layout(db_t *db, const store_scope *scope, const graph *g, int64_t id, pu_buf *out, pu_buf *layout,
                         pu_err *err) {
    if (!g) return pu_fail(err, PU_ERR_INTERNAL, NULL, "graph", "a saved set is read against the reader's graph");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.keys, s.layout FROM graph_set s WHERE s.id = ?");
    db_sql_int64(&q, id);
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "s");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        size_t kept = 0;
        const char *l = db_col_text(st, 1);
        if (visible_keys(g, db_col_text(st, 0), out, &kept))
            rc = pu_fail(err, PU_ERR_LIMIT, NULL, "nodes", "the nodes of set %lld are too many", (long long)id);
        else if (layout && l && pu_buf_puts(layout, l))
            rc = pu_fail(err, PU_ERR_LIMIT, NULL, "layout", "the layout of set %lld is too large", (long long)id);
        else
            rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "set", "no saved set %lld", (long long)id);
    }
    db_finalize(st);
    return rc;
}

int graph_set_list(db_t *db, const store_scope *scope, const graph *g, pu_buf *out, pu_err *err) {
    if (!g) return pu_fail(err, PU_ERR_INTERNAL, NULL, "graph", "saved sets are listed against the reader's graph");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.id, s.kind, s.name, s.keys FROM graph_set s WHERE ");
    store_scope_sql(&q, scope, "s");
    db_sql_add(&q, " ORDER BY s.id");
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        size_t kept = 0;
        (void)visible_keys(g, db_col_text(st, 3), NULL, &kept);
        pu_buf_printf(out, "%lld\t%s\t%s\t%zu\n", (long long)db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                      kept);
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}
