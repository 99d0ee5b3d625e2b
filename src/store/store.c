/*
 * store.c - the entity store over db.h (portable SQL only; see docs/store.md).
 *
 * Layout: one row per entity in `entity`. The FtM body (id, schema,
 * properties, datasets) is kept as the entity's canonical JSON in `data`, so a
 * read is one row and one parse. Columns hold what queries filter on:
 * schema, the case- and accent-folded name values (`names`, for substring
 * search), owner/marking (visibility), the timestamps. `entity_dataset`
 * indexes dataset membership. Visibility is a WHERE clause on every read.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

const store_scope store_scope_system = {1, NULL, NULL};

static const char *const migrations[] = {
    /* 1: entities and dataset membership */
    "CREATE TABLE entity ("
    " id TEXT PRIMARY KEY,"
    " schema TEXT NOT NULL,"
    " caption TEXT NOT NULL,"
    " names TEXT NOT NULL,"
    " data TEXT NOT NULL,"
    " first_seen TEXT, last_seen TEXT,"
    " owner TEXT, marking TEXT NOT NULL, caveats TEXT,"
    " created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE INDEX entity_schema ON entity(schema);"
    "CREATE INDEX entity_owner ON entity(owner);"
    "CREATE TABLE entity_dataset ("
    " dataset TEXT NOT NULL,"
    " entity_id TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,"
    " PRIMARY KEY (dataset, entity_id));"
    "CREATE INDEX entity_dataset_entity ON entity_dataset(entity_id);",
    /* 2: no owner index: the visibility clause is an OR no index serves, and
     * one index less is one B-tree insert less per entity on bulk imports */
    "DROP INDEX IF EXISTS entity_owner;",
    /* 3: change generations (caches see every writer's changes at once) and
     * grants between agencies (store_check_owner) */
    "CREATE TABLE store_generation (domain TEXT PRIMARY KEY, n INTEGER NOT NULL);"
    "CREATE TABLE store_grant (owner TEXT NOT NULL, grantee TEXT NOT NULL, created TEXT NOT NULL,"
    " PRIMARY KEY (owner, grantee));",
    /* 4: federation (docs/federation.md): the node this store is (no row:
     * none) and each record's home node, so that a node publishes only what
     * was written on it and a replica never travels back (PostgreSQL 15
     * subscriptions have no origin filter) */
    "CREATE TABLE store_node (id {INT} PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, country TEXT NOT NULL);"
    "ALTER TABLE entity ADD COLUMN home TEXT;",
    /* 5: the entity change log (store.h "entity change log"): which
     * entities each `entity` generation changed, so a cache patches itself */
    "CREATE TABLE entity_change (gen {INT} NOT NULL, entity_id TEXT NOT NULL);"
    "CREATE INDEX entity_change_gen ON entity_change(gen);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

#define ENTITY_COLS "data, first_seen, last_seen, owner, marking, caveats, created, updated"

static const char *const UPSERT_MERGE =
    "INSERT INTO entity (id, schema, caption, names, data, first_seen, last_seen, owner, marking,"
    " caveats, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (id) DO UPDATE SET schema = excluded.schema, caption = excluded.caption,"
    " names = excluded.names, data = excluded.data,"
    " first_seen = COALESCE(entity.first_seen, excluded.first_seen),"
    " last_seen = COALESCE(excluded.last_seen, entity.last_seen),"
    " owner = excluded.owner, marking = excluded.marking, caveats = excluded.caveats,"
    " updated = excluded.updated";

static const char *const UPSERT_KEEP =
    "INSERT INTO entity (id, schema, caption, names, data, first_seen, last_seen, owner, marking,"
    " caveats, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (id) DO UPDATE SET schema = excluded.schema, caption = excluded.caption,"
    " names = excluded.names, data = excluded.data, first_seen = excluded.first_seen,"
    " last_seen = excluded.last_seen, owner = excluded.owner, marking = excluded.marking,"
    " caveats = excluded.caveats, created = excluded.created, updated = excluded.updated";

static const char *const INSERT_NEW =
    "INSERT INTO entity (id, schema, caption, names, data, first_seen, last_seen, owner, marking,"
    " caveats, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

struct store {
    db_t *db;
    db_stmt *upsert[3];  /* [0] merge, [1] keep times, [2] plain insert; prepared on first use */
    db_stmt *ds_del, *ds_ins;
    store_row row;       /* reused between puts */
    int in_store_tx;     /* a transaction opened by store_begin is open */
    int changed_in_tx;   /* ... and it changed entities: bump at commit */
    /* The home rule's answers (store.h "federation"), kept for one store
     * transaction so a bulk import asks once per owner, not per record. */
    struct {
        int loaded, federated;
        store_node node;
        char owner_ok[64];   /* the last owner found at home here */
    } home;
    /* STORE_PUT_NEW inside a store_begin transaction: rows of entity and
     * entity_dataset queued for a bulk insert (db_bulk: COPY on PostgreSQL),
     * sent by bulk_sync; opened on first use, closed at the transaction's end */
    db_bulk *bulk_ent, *bulk_ds;
    /* Entities changed in the open store_begin transaction, written to the
     * change log at commit; past STORE_CHANGE_LOG_MAX ids only `overflow`
     * is kept (a bulk import: readers rebuild instead of patching). */
    char **changed;
    size_t nchanged, changed_cap;
    int overflow;
};

/* Queued bulk rows are sent once they take this much memory (and before
 * any other statement of the store, and at commit). */
#define STORE_BULK_FLUSH_BYTES ((size_t)8 << 20)

static const char *const ENTITY_BULK_COLS[] = {"id", "schema", "caption", "names", "data", "first_seen",
                                               "last_seen", "owner", "marking", "caveats", "created", "updated"};
static const char *const DATASET_BULK_COLS[] = {"dataset", "entity_id"};
#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Send the queued bulk rows: entities first (their datasets refer to them).
 * Every statement of the store runs after this, so it sees them. */
static int bulk_sync(store_t *st, pu_err *err) {
    int rc = st->bulk_ent ? db_bulk_flush(st->bulk_ent, err) : PU_OK;
    if (!rc && st->bulk_ds) rc = db_bulk_flush(st->bulk_ds, err);
    return rc;
}

/* The end of the transaction: queued rows not sent are dropped. */
static void bulk_close(store_t *st) {
    db_bulk_close(st->bulk_ent);
    db_bulk_close(st->bulk_ds);
    st->bulk_ent = st->bulk_ds = NULL;
}

static void changed_clear(store_t *st) {
    for (size_t i = 0; i < st->nchanged; i++) free(st->changed[i]);
    st->nchanged = 0;
    st->overflow = 0;
}

/* Insert (gen, id) for each id into the change log, and prune the log every
 * STORE_CHANGE_LOG_PRUNE_EVERY generations to the last STORE_CHANGE_LOG_KEEP
 * (a reader further behind finds a gap and rebuilds). */
static int log_changes(db_t *db, int64_t gen, const char *const *ids, size_t n, pu_err *err) {
    db_stmt *s = NULL;
    int rc = n ? db_prepare(db, "INSERT INTO entity_change (gen, entity_id) VALUES (?, ?)", &s, err) : PU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        db_bind_int64(s, 1, gen);
        db_bind_text(s, 2, ids[i], -1);
        rc = db_step_done(s, err);
        db_reset(s);
    }
    db_finalize(s);
    if (!rc && gen % STORE_CHANGE_LOG_PRUNE_EVERY == 0 && gen > STORE_CHANGE_LOG_KEEP) {
        if (!(rc = db_prepare(db, "DELETE FROM entity_change WHERE gen <= ?", &s, err))) {
            db_bind_int64(s, 1, gen - STORE_CHANGE_LOG_KEEP);
            rc = db_step_done(s, err);
            db_finalize(s);
        }
    }
    return rc;
}

/* Bump the `entity` generation and log ids under the new value, in the
 * caller's transaction. The bump's row lock is held until commit, so
 * generations commit in order: a reader that sees generation G sees every
 * log row of every generation <= G. n == 0 logs nothing (the reader then
 * finds no row for that generation and rebuilds). */
static int bump_logged(db_t *db, const char *const *ids, size_t n, pu_err *err) {
    db_stmt *s;
    int rc = db_prepare(db, "INSERT INTO store_generation (domain, n) VALUES ('entity', 1)"
                            " ON CONFLICT (domain) DO UPDATE SET n = store_generation.n + 1 RETURNING n", &s, err);
    if (rc) return rc;
    int64_t gen = 0;
    rc = db_step(s, err);
    if (rc == DB_ROW) gen = db_col_int64(s, 0), rc = db_step(s, err);
    db_finalize(s);
    if (rc != DB_DONE) return rc ? rc : pu_fail(err, PU_ERR_DB, NULL, NULL, "generation bump returned no row");
    return log_changes(db, gen, ids, n, err);
}

int store_changes_since(db_t *db, int64_t from, int64_t to, char ***ids, size_t *n, int *complete, pu_err *err) {
    *ids = NULL;
    *n = 0;
    *complete = 0;
    if (to <= from) {
        *complete = 1;
        return PU_OK;
    }
    if (to - from > STORE_CHANGE_LOG_KEEP) return PU_OK;
    db_stmt *s;
    int rc = db_prepare(db, "SELECT gen, entity_id FROM entity_change WHERE gen > ? AND gen <= ? ORDER BY gen",
                        &s, err);
    if (rc) return rc;
    db_bind_int64(s, 1, from);
    db_bind_int64(s, 2, to);
    int64_t gens = 0, last = from;
    size_t cap = 0;
    for (;;) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        int64_t g = db_col_int64(s, 0);
        if (g != last) gens++, last = g;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **a = realloc(*ids, nc * sizeof *a);
            if (!a) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            *ids = a;
            cap = nc;
        }
        if (!((*ids)[*n] = pu_strdup(db_col_text(s, 1)))) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
        (*n)++;
    }
    db_finalize(s);
    if (rc) {
        store_changes_free(*ids, *n);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    *complete = gens == to - from; /* every generation has its rows */
    return PU_OK;
}

void store_changes_free(char **ids, size_t n) {
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

/* PostgreSQL only (module "store-notify"): every change of a generation,
 * by any writer (the store, engines, the federation's trigger on replicated
 * rows, SQL by hand), is NOTIFYed on commit to STORE_NOTIFY_CHANNEL as
 * "<schema> <domain> <n>" (store.h "watching the generations"). ALWAYS:
 * the federation's apply worker runs as a replica, where ordinary triggers
 * do not fire. */
static const char *const notify_migrations[] = {
    "CREATE OR REPLACE FUNCTION puente_generation_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_notify('" STORE_NOTIFY_CHANNEL "', TG_TABLE_SCHEMA || ' ' || NEW.domain || ' ' || NEW.n);"
    " RETURN NULL; END $$;"
    "CREATE TRIGGER puente_generation_notify AFTER INSERT OR UPDATE ON store_generation"
    " FOR EACH ROW EXECUTE FUNCTION puente_generation_notify();"
    "ALTER TABLE store_generation ENABLE ALWAYS TRIGGER puente_generation_notify;",
};

int store_migrate(db_t *db, pu_err *err) {
    int rc = db_migrate(db, "store", migrations, NMIGRATIONS, err);
    if (!rc && strcmp(db_backend(db), "postgresql") == 0)
        rc = db_migrate(db, "store-notify", notify_migrations, 1, err);
    return rc;
}

int store_open(const char *path, store_t **out, pu_err *err) {
    *out = NULL;
    store_t *st = calloc(1, sizeof *st);
    if (!st) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    store_row_init(&st->row);
    int rc = db_open(path, NULL, &st->db, err);
    if (!rc) rc = store_migrate(st->db, err);
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return PU_OK;
}

void store_close(store_t *st) {
    if (!st) return;
    bulk_close(st);
    changed_clear(st);
    free(st->changed);
    for (int i = 0; i < 3; i++) db_finalize(st->upsert[i]);
    db_finalize(st->ds_del);
    db_finalize(st->ds_ins);
    store_row_free(&st->row);
    db_close(st->db);
    free(st);
}

db_t *store_db(store_t *st) { return st->db; }

int store_begin(store_t *st, pu_err *err) {
    int rc = db_begin(st->db, err);
    if (!rc) st->in_store_tx = 1, st->changed_in_tx = 0;
    changed_clear(st);
    st->home.loaded = 0;
    return rc;
}

int store_commit(store_t *st, pu_err *err) {
    int rc = bulk_sync(st, err);
    bulk_close(st);
    if (!rc && st->in_store_tx && st->changed_in_tx)
        rc = bump_logged(st->db, (const char *const *)st->changed, st->overflow ? 0 : st->nchanged, err);
    if (rc) return rc; /* the caller rolls back */
    rc = db_commit(st->db, err);
    if (!rc) st->in_store_tx = st->changed_in_tx = 0;
    if (!rc) changed_clear(st);
    return rc;
}

void store_rollback(store_t *st) {
    if (!st) return;
    bulk_close(st);
    db_rollback(st->db);
    st->in_store_tx = st->changed_in_tx = 0;
    changed_clear(st);
}

/* Remember id as changed in the open store transaction (see struct store). */
static int changed_add(store_t *st, const char *id) {
    if (st->overflow) return PU_OK;
    if (st->nchanged >= STORE_CHANGE_LOG_MAX) {
        changed_clear(st);
        st->overflow = 1;
        return PU_OK;
    }
    if (st->nchanged == st->changed_cap) {
        size_t nc = st->changed_cap ? st->changed_cap * 2 : 16;
        char **a = realloc(st->changed, nc * sizeof *a);
        if (!a) return PU_ERR_NOMEM;
        st->changed = a;
        st->changed_cap = nc;
    }
    if (!(st->changed[st->nchanged] = pu_strdup(id))) return PU_ERR_NOMEM;
    st->nchanged++;
    return PU_OK;
}

/* Entity id changed: inside a store_begin transaction the generation is
 * bumped once at store_commit (bulk imports write thousands of rows);
 * otherwise now, in the transaction that makes the change. Either way the
 * change log gets the id under the new generation. */
static int entity_changed(store_t *st, const char *id, pu_err *err) {
    if (st->in_store_tx && db_in_tx(st->db)) {
        st->changed_in_tx = 1;
        return changed_add(st, id) ? pu_fail(err, PU_ERR_NOMEM, id, NULL, "out of memory") : PU_OK;
    }
    return bump_logged(st->db, &id, 1, err);
}

int store_fold(const char *s, char **out) {
    *out = NULL;
    /* ASCII fast path (most names): lower case is the whole fold */
    size_t n = 0;
    while (s[n] && !((unsigned char)s[n] & 0x80)) n++;
    if (!s[n]) {
        char *r = malloc(n + 1);
        if (!r) return PU_ERR_NOMEM;
        for (size_t i = 0; i <= n; i++) r[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
        *out = r;
        return PU_OK;
    }
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s, 0, &folded,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                                          UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (m < 0) return m == UTF8PROC_ERROR_NOMEM ? PU_ERR_NOMEM : PU_ERR_INVALID;
    *out = (char *)folded;
    return PU_OK;
}

/* Folded name-type values, one per line: what store_query.name searches. */
static int build_names(const ftm_entity *e, pu_buf *b) {
    const ftm_schema *s = ftm_schema_get(e->schema);
    pu_buf_reset(b);
    for (size_t i = 0; i < e->nprops; i++) {
        if (ftm_schema_prop_type(s, e->props[i].name) != FTM_NAME) continue;
        for (size_t j = 0; j < e->props[i].n; j++) {
            char *f;
            int rc = store_fold(e->props[i].values[j], &f);
            if (rc) return rc;
            if (b->len) rc = pu_buf_putc(b, '\n');
            if (!rc) rc = pu_buf_puts(b, f);
            free(f);
            if (rc) return rc;
        }
    }
    return PU_OK;
}

static int prepare_put(store_t *st, int which, pu_err *err) {
    int rc = PU_OK;
    const char *text = which == 2 ? INSERT_NEW : which == 1 ? UPSERT_KEEP : UPSERT_MERGE;
    if (!st->upsert[which]) rc = db_prepare(st->db, text, &st->upsert[which], err);
    if (!rc && !st->ds_del)
        rc = db_prepare(st->db, "DELETE FROM entity_dataset WHERE entity_id = ?", &st->ds_del, err);
    if (!rc && !st->ds_ins)
        rc = db_prepare(st->db, "INSERT INTO entity_dataset (dataset, entity_id) VALUES (?, ?)"
                                " ON CONFLICT (dataset, entity_id) DO NOTHING", &st->ds_ins, err);
    return rc;
}

/* db_step_done, then reset the reused statement. */
static int step_done(db_stmt *s, pu_err *err) {
    int rc = db_step_done(s, err);
    db_reset(s);
    return rc;
}

static int check_entity(const ftm_entity *e, pu_err *err) {
    const char *marking = e->marking ? e->marking : STORE_LIST_MARKING;
    if (!e->id || !e->schema || !ftm_schema_get(e->schema))
        return pu_fail(err, PU_ERR_INVALID, e->id, "schema", "entity without id or with unknown schema");
    store_marking m;
    if (store_marking_parse(marking, "marking", &m, err)) return pu_fail(err, PU_ERR_INVALID, e->id, "marking", "%s", err ? err->msg : "");
    if (m != STORE_PUBLIC && pu_blank(e->owner))
        return pu_fail(err, PU_ERR_INVALID, e->id, "owner", "a %s record needs an owning agency", marking);
    return PU_OK;
}

void store_row_init(store_row *r) {
    r->e = NULL;
    pu_buf_init(&r->json, 64u * 1024u * 1024u);
    pu_buf_init(&r->names, 16u * 1024u * 1024u);
}

void store_row_free(store_row *r) {
    if (!r) return;
    pu_buf_free(&r->json);
    pu_buf_free(&r->names);
    r->e = NULL;
}

/* Does the caveat list ("LES,PII") name a caveat whose records are sealed at rest? */
static int sealed_caveats(const char *caveats) {
    static const char *const sealed[] = {"PII", "LES"};
    if (!caveats) return 0;
    for (size_t i = 0; i < sizeof sealed / sizeof sealed[0]; i++) {
        size_t n = strlen(sealed[i]);
        for (const char *p = caveats; (p = strstr(p, sealed[i])) != NULL; p += n)
            if ((p == caveats || p[-1] == ',' || p[-1] == ' ') && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
                return 1;
    }
    return 0;
}

/* A body with a PII or LES caveat is sealed at rest (store_seal) when a key
 * is configured; its name index is left empty, so it is not found by a name
 * search in SQL (it is read by id, listed, screened from the decrypted body). */
static int seal_body(store_row *r, const ftm_entity *e, pu_err *err) {
    if (!sealed_caveats(e->caveats) || !store_seal_configured()) return PU_OK;
    char *sealed = NULL;
    int rc = store_seal("entity.data", pu_buf_str(&r->json), &sealed, err);
    if (rc) return rc;
    pu_buf_reset(&r->json);
    pu_buf_reset(&r->names);
    rc = pu_buf_puts(&r->json, sealed);
    free(sealed);
    return rc ? pu_fail(err, rc, e->id, NULL, "cannot seal the entity") : PU_OK;
}

int store_row_fill(store_row *r, const ftm_entity *e, pu_err *err) {
    int rc = check_entity(e, err);
    if (rc) return rc;
    /* The body without first/last_seen: those live in columns the upsert merges. */
    ftm_entity body = *e;
    body.first_seen = body.last_seen = NULL;
    pu_buf_reset(&r->json);
    rc = ftm_entity_to_json_buf(&body, 0, &r->json);
    if (!rc) rc = build_names(e, &r->names);
    if (rc) return pu_fail(err, rc, e->id, NULL, "cannot serialise entity");
    if ((rc = seal_body(r, e, err))) return rc;
    r->e = e;
    return PU_OK;
}

/* Bind the entity row to statement `which` of prepare_put and run it. */
static int write_entity(store_t *st, const store_row *row, int which, int keep, pu_err *err) {
    int rc = prepare_put(st, which, err);
    if (rc) return rc;
    const ftm_entity *e = row->e;
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *s = st->upsert[which];
    db_bind_text(s, 1, e->id, -1);
    db_bind_text(s, 2, e->schema, -1);
    /* a sealed body keeps its caption (a name) out of the clear columns too */
    db_bind_text(s, 3, store_is_sealed(pu_buf_str(&row->json)) ? "" : ftm_entity_caption(e), -1);
    db_bind_text(s, 4, pu_buf_str(&row->names), (long)row->names.len);
    db_bind_text(s, 5, pu_buf_str(&row->json), (long)row->json.len);
    db_bind_text(s, 6, e->first_seen, -1);
    db_bind_text(s, 7, e->last_seen, -1);
    db_bind_text(s, 8, pu_blank(e->owner) ? NULL : e->owner, -1);
    db_bind_text(s, 9, e->marking ? e->marking : STORE_LIST_MARKING, -1);
    db_bind_text(s, 10, e->caveats, -1);
    db_bind_text(s, 11, e->created ? e->created : now, -1);
    db_bind_text(s, 12, keep && e->updated ? e->updated : now, -1);
    if (which == 2) { /* the plain insert may meet an existing id: the transaction must go on */
        int rc2 = db_step_try(s, err);
        db_reset(s);
        return rc2;
    }
    return step_done(s, err);
}

/* STORE_PUT_NEW inside a store_begin transaction: queue the entity and
 * its dataset rows for a bulk insert (sent by bulk_sync). The caller
 * guarantees the id is new; one that exists fails the flush (a conflict). */
static int put_bulk(store_t *st, const store_row *row, int keep, pu_err *err) {
    const ftm_entity *e = row->e;
    int rc = PU_OK;
    if (!st->bulk_ent)
        rc = db_bulk_open(st->db, "entity", ENTITY_BULK_COLS, NCOLS(ENTITY_BULK_COLS), &st->bulk_ent, err);
    if (!rc && !st->bulk_ds)
        rc = db_bulk_open(st->db, "entity_dataset", DATASET_BULK_COLS, NCOLS(DATASET_BULK_COLS), &st->bulk_ds, err);
    if (rc) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    const char *vals[] = {e->id, e->schema,
                          /* as write_entity: a sealed body keeps its caption out of the clear columns */
                          store_is_sealed(pu_buf_str(&row->json)) ? "" : ftm_entity_caption(e),
                          pu_buf_str(&row->names), pu_buf_str(&row->json), e->first_seen, e->last_seen,
                          pu_blank(e->owner) ? NULL : e->owner, e->marking ? e->marking : STORE_LIST_MARKING,
                          e->caveats, e->created ? e->created : now, keep && e->updated ? e->updated : now};
    rc = db_bulk_row(st->bulk_ent, vals, err);
    for (size_t i = 0; i < e->ndatasets && !rc; i++) {
        const char *ds[] = {e->datasets[i], e->id};
        rc = db_bulk_row(st->bulk_ds, ds, err);
    }
    if (!rc && db_bulk_pending(st->bulk_ent) + db_bulk_pending(st->bulk_ds) > STORE_BULK_FLUSH_BYTES)
        rc = bulk_sync(st, err);
    return rc;
}

static int put_rows(store_t *st, const store_row *row, int flags, pu_err *err) {
    const ftm_entity *e = row->e;
    int keep = (flags & STORE_PUT_KEEP_TIMES) ? 1 : 0, rc = -1;
    if ((flags & STORE_PUT_NEW) && st->in_store_tx && db_in_tx(st->db)) return put_bulk(st, row, keep, err);
    if ((rc = bulk_sync(st, err))) return rc;
    rc = -1;
    if (flags & STORE_PUT_NEW) { /* plain insert; an existing id falls back to the upsert */
        pu_err ignored;
        rc = write_entity(st, row, 2, keep, &ignored);
        if (rc && rc != PU_ERR_CONFLICT) {
            if (err) *err = ignored;
            return rc;
        }
    }
    int existed = rc != PU_OK;
    if (existed) rc = write_entity(st, row, keep, keep, err);
    if (!rc && existed) {
        db_bind_text(st->ds_del, 1, e->id, -1);
        rc = step_done(st->ds_del, err);
    }
    for (size_t i = 0; i < e->ndatasets && !rc; i++) {
        db_bind_text(st->ds_ins, 1, e->datasets[i], -1);
        db_bind_text(st->ds_ins, 2, e->id, -1);
        rc = step_done(st->ds_ins, err);
    }
    return rc;
}

/* The node (store.h "federation"), read once per store transaction (once
 * per write outside one); the last owner found at home is remembered. */
static int home_load(store_t *st, pu_err *err) {
    if (st->home.loaded) return PU_OK;
    int rc = store_node_get(st->db, &st->home.node, &st->home.federated, err);
    st->home.loaded = rc == PU_OK;
    st->home.owner_ok[0] = '\0';
    return rc;
}

/* The home rule for a write of a record of `owner`. */
static int home_check(store_t *st, const char *owner, const char *record, pu_err *err) {
    if (pu_blank(owner)) return PU_OK;
    int rc = home_load(st, err);
    if (rc || !st->home.federated || strcmp(owner, st->home.owner_ok) == 0) return rc;
    rc = store_check_home(st->db, owner, record, err);
    if (!rc && strlen(owner) < sizeof st->home.owner_ok) pu_strlcpy(st->home.owner_ok, owner, sizeof st->home.owner_ok);
    return rc;
}

int store_put_row(store_t *st, const store_row *row, int flags, pu_err *err) {
    if (!row->e) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "store_put_row: row not filled");
    int rc;
    int own_tx = !db_in_tx(st->db);
    if (own_tx && (rc = db_begin(st->db, err))) return rc;
    if (!st->in_store_tx) st->home.loaded = 0; /* a write of its own: read the node again */
    rc = home_check(st, row->e->owner, row->e->id, err);
    if (!rc) rc = put_rows(st, row, flags, err);
    if (!rc) rc = entity_changed(st, row->e->id, err);
    if (own_tx) {
        if (rc) db_rollback(st->db);
        else rc = db_commit(st->db, err);
    }
    return rc;
}

int store_put_ex(store_t *st, const ftm_entity *e, int flags, pu_err *err) {
    int rc = store_row_fill(&st->row, e, err);
    if (!rc) rc = store_put_row(st, &st->row, flags, err);
    st->row.e = NULL;
    return rc;
}

int store_put(store_t *st, const ftm_entity *e, pu_err *err) { return store_put_ex(st, e, 0, err); }

/* The home rule for deleting record id: its owner must be at home here. */
static int delete_home_check(store_t *st, const char *id, pu_err *err) {
    int rc = home_load(st, err);
    if (rc || !st->home.federated) return rc;
    db_stmt *s;
    if ((rc = db_prepare(st->db, "SELECT owner FROM entity WHERE id = ?", &s, err))) return rc;
    db_bind_text(s, 1, id, -1);
    char owner[64] = "";
    int r = db_step(s, err);
    if (r == DB_ROW) pu_strlcpy(owner, db_col_text(s, 0), sizeof owner);
    db_finalize(s);
    if (r != DB_ROW && r != DB_DONE) return r;
    return home_check(st, owner, id, err);
}

int store_delete(store_t *st, const char *id, pu_err *err) {
    int own_tx = !db_in_tx(st->db), rc;
    if ((rc = bulk_sync(st, err))) return rc;
    if (own_tx && (rc = db_begin(st->db, err))) return rc;
    if (!st->in_store_tx) st->home.loaded = 0;
    rc = delete_home_check(st, id, err);
    db_stmt *s;
    if (!rc) rc = db_prepare(st->db, "DELETE FROM entity WHERE id = ?", &s, err);
    if (!rc) {
        db_bind_text(s, 1, id, -1);
        rc = db_step_done(s, err);
        db_finalize(s);
    }
    if (!rc && db_changes(st->db) == 0) rc = pu_fail(err, PU_ERR_NOTFOUND, id, NULL, "no entity with this id");
    if (!rc) rc = entity_changed(st, id, err);
    if (own_tx) {
        if (rc) db_rollback(st->db);
        else rc = db_commit(st->db, err);
    }
    return rc;
}

/* Build an entity from the ENTITY_COLS columns starting at `col`. */
static int row_entity(db_stmt *s, int col, ftm_entity **out, pu_err *err) {
    const char *data = db_col_text(s, col);
    char *opened = NULL;
    if (store_is_sealed(data)) { /* sealed at rest (seal_body) */
        int urc = store_unseal("entity.data", data, &opened, err);
        if (urc) return urc;
        data = opened;
    }
    int rc = ftm_entity_from_json(data, strlen(data), out, err);
    free(opened);
    if (rc) return pu_fail(err, PU_ERR_DB, err ? err->where : NULL, NULL, "corrupt entity row: %s",
                           err ? err->msg : "");
    ftm_entity *e = *out;
    char **fields[] = {&e->first_seen, &e->last_seen, &e->owner, &e->marking,
                       &e->caveats, &e->created, &e->updated};
    for (int i = 0; i < 7 && !rc; i++)
        if (!db_col_isnull(s, col + 1 + i)) rc = ftm_entity_set(fields[i], db_col_text(s, col + 1 + i));
    if (rc) {
        ftm_entity_free(e);
        *out = NULL;
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return PU_OK;
}

int store_get(store_t *st, const store_scope *scope, const char *id, ftm_entity **out, pu_err *err) {
    *out = NULL;
    int src = bulk_sync(st, err); /* queued bulk rows first: reads see them */
    if (src) return src;
    db_stmt *s;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT " ENTITY_COLS " FROM entity WHERE id = ? AND ");
    db_sql_text(&q, id);
    store_scope_sql(&q, scope, NULL);
    int rc = db_sql_prepare(st->db, &q, &s, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(s, err);
    if (rc == DB_ROW) rc = row_entity(s, 0, out, err);
    else if (rc == DB_DONE) rc = pu_fail(err, PU_ERR_NOTFOUND, id, NULL, "no entity with this id");
    db_finalize(s);
    return rc;
}

/* ---- queries ---- */

/* "%folded%" with LIKE metacharacters escaped by '\'. */
static int like_pattern(const char *name, char **out) {
    char *f;
    int rc = store_fold(name, &f);
    if (rc) return rc;
    pu_buf b = PU_BUF_INIT(1u << 20);
    rc = pu_buf_putc(&b, '%');
    for (const char *p = f; *p && !rc; p++) {
        if (*p == '%' || *p == '_' || *p == '\\') rc = pu_buf_putc(&b, '\\');
        if (!rc) rc = pu_buf_putc(&b, *p);
    }
    if (!rc) rc = pu_buf_putc(&b, '%');
    free(f);
    if (rc) {
        pu_buf_free(&b);
        return rc;
    }
    *out = pu_buf_detach(&b);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

/* " WHERE <visibility> AND <q's filters>" into qb. */
static int build_where(const store_scope *scope, const store_query *q, db_sql *qb, pu_err *err) {
    db_sql_add(qb, " WHERE ");
    int rc = store_scope_sql(qb, scope, NULL);
    if (rc == PU_ERR_INTERNAL) return pu_fail(err, rc, NULL, NULL, "no reader scope");
    if (!q) return qb->rc;
    if (q->export && scope && !scope->system) {
        /* originator control: ORCON leaves only with its owner's consent */
        db_sql_add(qb, " AND (caveats IS NULL OR ',' || caveats || ',' NOT LIKE '%,ORCON,%' OR owner = ?"
                       " OR owner IN (SELECT g.owner FROM store_grant g WHERE g.grantee = ?))");
        db_sql_text(qb, scope->agency ? scope->agency : "");
        db_sql_text(qb, scope->agency ? scope->agency : "");
    }
    if (q->schema) {
        const ftm_schema *sc = ftm_schema_get(q->schema);
        if (!sc) return pu_fail(err, PU_ERR_INVALID, NULL, "schema", "unknown schema '%s'", q->schema);
        db_sql_add(qb, " AND schema IN (");
        int k = 0;
        for (const char *const *n = ftm_schema_names(); *n; n++) {
            if (!ftm_schema_is_a(ftm_schema_get(*n), q->schema)) continue;
            db_sql_add(qb, k++ ? ", ?" : "?");
            db_sql_text(qb, *n);
        }
        db_sql_add(qb, ")");
    }
    if (q->dataset) {
        db_sql_add(qb, " AND id IN (SELECT entity_id FROM entity_dataset WHERE dataset = ?)");
        db_sql_text(qb, q->dataset);
    }
    if (q->name && *q->name) {
        char *pat = NULL;
        rc = like_pattern(q->name, &pat);
        if (rc == PU_ERR_INVALID) return pu_fail(err, rc, NULL, "name", "name is not valid UTF-8");
        if (rc) return pu_fail(err, rc, NULL, NULL, "out of memory");
        db_sql_add(qb, " AND names LIKE ? ESCAPE '\\'");
        db_sql_text(qb, pat);
        free(pat);
    }
    return qb->rc;
}

int store_iter(store_t *st, const store_scope *scope, const store_query *q, store_entity_cb cb, void *ctx,
               pu_err *err) {
    int src = bulk_sync(st, err); /* queued bulk rows first: reads see them */
    if (src) return src;
    db_sql qb;
    db_sql_init(&qb);
    db_sql_add(&qb, "SELECT " ENTITY_COLS " FROM entity");
    int rc = build_where(scope, q, &qb, err);
    db_sql_add(&qb, " ORDER BY id");
    if (q && (q->limit > 0 || q->offset > 0))
        db_sql_addf(&qb, " LIMIT %lld OFFSET %lld", q->limit > 0 ? (long long)q->limit : (long long)INT64_MAX,
                      q->offset > 0 ? (long long)q->offset : 0LL);
    db_stmt *s = NULL;
    if (!rc) rc = db_sql_prepare(st->db, &qb, &s, err);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        ftm_entity *e;
        rc = row_entity(s, 0, &e, err);
        if (rc) break;
        int stop = cb(e, ctx);
        ftm_entity_free(e);
        if (stop) break;
    }
    db_finalize(s);
    db_sql_free(&qb);
    return rc;
}

/* 1 when an entity-typed property of e has the value id. */
static int refers_to(const ftm_entity *e, const char *id) {
    const ftm_schema *sc = ftm_schema_get(e->schema);
    for (size_t i = 0; sc && i < e->nprops; i++) {
        if (ftm_schema_prop_type(sc, e->props[i].name) != FTM_ENTITY) continue;
        for (size_t k = 0; k < e->props[i].n; k++)
            if (strcmp(e->props[i].values[k], id) == 0) return 1;
    }
    return 0;
}

int store_referrers(store_t *st, const store_scope *scope, const char *id, int64_t limit, store_entity_cb cb,
                    void *ctx, pu_err *err) {
    if (pu_blank(id)) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "the id is empty");
    /* *"id"*, case-sensitive (GLOB: about twice as fast as LIKE's folding
     * scan on SQLite; a regular expression on PostgreSQL), with the
     * pattern characters of the id taken literally ([*] [?] [[]) */
    pu_buf glob = PU_BUF_INIT(FTM_ID_MAX * 3 + 8);
    int rc = pu_buf_puts(&glob, "*\"");
    for (const char *p = id; *p && !rc; p++) {
        if (*p == '*' || *p == '?' || *p == '[') rc = pu_buf_printf(&glob, "[%c]", *p);
        else rc = pu_buf_putc(&glob, *p);
    }
    if (!rc) rc = pu_buf_puts(&glob, "\"*");
    size_t cap = glob.len * 4 + 16;
    char *pat = rc ? NULL : malloc(cap);
    if (!rc && (!pat || db_glob_pattern(st->db, pu_buf_str(&glob), pat, cap))) rc = PU_ERR_LIMIT;
    pu_buf_free(&glob);
    if (rc) {
        free(pat);
        return pu_fail(err, PU_ERR_INVALID, NULL, "id", "the id is too long");
    }
    db_sql qb;
    db_sql_init(&qb);
    db_sql_add(&qb, "SELECT " ENTITY_COLS " FROM entity WHERE ");
    rc = store_scope_sql(&qb, scope, NULL);
    if (rc == PU_ERR_INTERNAL) rc = pu_fail(err, rc, NULL, NULL, "no reader scope");
    db_sql_addf(&qb, " AND id <> ? AND data %s ? ORDER BY id", db_glob_op(st->db));
    db_sql_text(&qb, id);
    db_sql_text(&qb, pat);
    free(pat);
    db_stmt *s = NULL;
    if (!rc) rc = db_sql_prepare(st->db, &qb, &s, err);
    db_sql_free(&qb);
    for (int64_t n = 0; !rc && n < limit;) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        ftm_entity *e;
        if ((rc = row_entity(s, 0, &e, err))) break;
        int stop = 0;
        if (refers_to(e, id)) {
            n++;
            stop = cb(e, ctx);
        }
        ftm_entity_free(e);
        if (stop) break;
    }
    db_finalize(s);
    return rc;
}

int store_count(store_t *st, const store_scope *scope, const store_query *q, int64_t *out, pu_err *err) {
    *out = 0;
    int src = bulk_sync(st, err); /* queued bulk rows first: reads see them */
    if (src) return src;
    db_sql qb;
    db_sql_init(&qb);
    db_sql_add(&qb, "SELECT count(*) FROM entity");
    int rc = build_where(scope, q, &qb, err);
    db_stmt *s = NULL;
    if (!rc) rc = db_sql_prepare(st->db, &qb, &s, err);
    if (!rc) {
        int step = db_step(s, err);
        if (step == DB_ROW) *out = db_col_int64(s, 0);
        else if (step != DB_DONE) rc = step;
    }
    db_finalize(s);
    db_sql_free(&qb);
    return rc;
}

void store_stats_free(store_stats *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) free(s->schema[i]);
    free(s->schema);
    free(s->count);
    free(s);
}

int store_stats_get(store_t *st, const store_scope *scope, store_stats **out, pu_err *err) {
    *out = NULL;
    int src = bulk_sync(st, err); /* queued bulk rows first: reads see them */
    if (src) return src;
    store_stats *r = calloc(1, sizeof *r);
    size_t nschema = 0;
    while (ftm_schema_names()[nschema]) nschema++;
    if (r) {
        r->schema = calloc(nschema, sizeof *r->schema);
        r->count = calloc(nschema, sizeof *r->count);
    }
    if (!r || !r->schema || !r->count) {
        store_stats_free(r);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    db_stmt *s = NULL;
    db_sql qb;
    db_sql_init(&qb);
    db_sql_add(&qb, "SELECT schema, count(*) FROM entity WHERE ");
    store_scope_sql(&qb, scope, NULL);
    db_sql_add(&qb, " GROUP BY schema ORDER BY schema");
    int rc = db_sql_prepare(st->db, &qb, &s, err);
    db_sql_free(&qb);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (r->n == nschema) { /* schema names are registry names; more rows means a corrupt store */
            rc = pu_fail(err, PU_ERR_DB, NULL, "schema", "unexpected schema '%s' in store", db_col_text(s, 0));
            break;
        }
        r->schema[r->n] = pu_strdup(db_col_text(s, 0));
        r->count[r->n] = db_col_int64(s, 1);
        r->total += r->count[r->n];
        if (!r->schema[r->n++]) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    db_finalize(s);
    if (rc) {
        store_stats_free(r);
        return rc;
    }
    *out = r;
    return PU_OK;
}

static int strp_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int store_dataset_ids(store_t *st, const char *dataset, char ***ids, size_t *n, pu_err *err) {
    *ids = NULL;
    *n = 0;
    int src = bulk_sync(st, err); /* queued bulk rows first: reads see them */
    if (src) return src;
    db_stmt *s;
    int rc = db_prepare(st->db, "SELECT entity_id FROM entity_dataset WHERE dataset = ?", &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, dataset, -1);
    char **v = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 256;
            char **nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        if (!(v[len] = pu_strdup(db_col_text(s, 0)))) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
        len++;
    }
    db_finalize(s);
    if (rc) {
        for (size_t i = 0; i < len; i++) free(v[i]);
        free(v);
        return rc;
    }
    if (len) qsort(v, len, sizeof *v, strp_cmp);
    *ids = v;
    *n = len;
    return PU_OK;
}
