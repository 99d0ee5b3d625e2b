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
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* The releasability rule (store.h), as SQL over the entity row. Parameters:
 * system flag, country, country, agency. */
#define VISIBLE_SQL                                                                           \
    "(? = 1 OR marking IN ('PUBLIC', 'SHARED') OR (marking = 'US-ONLY' AND ? = 'US')"         \
    " OR (marking = 'MX-ONLY' AND ? = 'MX') OR owner = ?)"

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
};

int store_open(const char *path, store_t **out, pu_err *err) {
    *out = NULL;
    store_t *st = calloc(1, sizeof *st);
    if (!st) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    store_row_init(&st->row);
    int rc = db_open(path, NULL, &st->db, err);
    if (!rc) rc = db_migrate(st->db, "store", migrations, NMIGRATIONS, err);
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return PU_OK;
}

void store_close(store_t *st) {
    if (!st) return;
    for (int i = 0; i < 3; i++) db_finalize(st->upsert[i]);
    db_finalize(st->ds_del);
    db_finalize(st->ds_ins);
    store_row_free(&st->row);
    db_close(st->db);
    free(st);
}

db_t *store_db(store_t *st) { return st->db; }

int store_begin(store_t *st, pu_err *err) { return db_begin(st->db, err); }
int store_commit(store_t *st, pu_err *err) { return db_commit(st->db, err); }
void store_rollback(store_t *st) {
    if (st) db_rollback(st->db);
}

int store_marking_valid(const char *m) {
    static const char *const known[] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY", NULL};
    if (!m) return 0;
    for (int i = 0; known[i]; i++)
        if (strcmp(m, known[i]) == 0) return 1;
    return 0;
}

int store_visible(const store_scope *scope, const char *owner, const char *marking) {
    if (!scope || !marking) return 0;
    if (scope->system) return 1;
    if (strcmp(marking, "PUBLIC") == 0 || strcmp(marking, "SHARED") == 0) return 1;
    if (strcmp(marking, "US-ONLY") == 0 && scope->country && strcmp(scope->country, "US") == 0) return 1;
    if (strcmp(marking, "MX-ONLY") == 0 && scope->country && strcmp(scope->country, "MX") == 0) return 1;
    return owner && scope->agency && strcmp(owner, scope->agency) == 0;
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
    const char *marking = e->marking ? e->marking : "PUBLIC";
    if (!e->id || !e->schema || !ftm_schema_get(e->schema))
        return pu_fail(err, PU_ERR_INVALID, e->id, "schema", "entity without id or with unknown schema");
    if (!store_marking_valid(marking))
        return pu_fail(err, PU_ERR_INVALID, e->id, "marking",
                       "unknown marking '%s' (expected PUBLIC, SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY)",
                       marking);
    if (strcmp(marking, "PUBLIC") != 0 && pu_blank(e->owner))
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
    db_bind_text(s, 3, ftm_entity_caption(e), -1);
    db_bind_text(s, 4, pu_buf_str(&row->names), (long)row->names.len);
    db_bind_text(s, 5, pu_buf_str(&row->json), (long)row->json.len);
    db_bind_text(s, 6, e->first_seen, -1);
    db_bind_text(s, 7, e->last_seen, -1);
    db_bind_text(s, 8, pu_blank(e->owner) ? NULL : e->owner, -1);
    db_bind_text(s, 9, e->marking ? e->marking : "PUBLIC", -1);
    db_bind_text(s, 10, e->caveats, -1);
    db_bind_text(s, 11, e->created ? e->created : now, -1);
    db_bind_text(s, 12, keep && e->updated ? e->updated : now, -1);
    return step_done(s, err);
}

static int put_rows(store_t *st, const store_row *row, int flags, pu_err *err) {
    const ftm_entity *e = row->e;
    int keep = (flags & STORE_PUT_KEEP_TIMES) ? 1 : 0, rc = -1;
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

int store_put_row(store_t *st, const store_row *row, int flags, pu_err *err) {
    if (!row->e) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "store_put_row: row not filled");
    int rc;
    int own_tx = !db_in_tx(st->db);
    if (own_tx && (rc = db_begin(st->db, err))) return rc;
    rc = put_rows(st, row, flags, err);
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

int store_delete(store_t *st, const char *id, pu_err *err) {
    db_stmt *s;
    int rc = db_prepare(st->db, "DELETE FROM entity WHERE id = ?", &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, id, -1);
    rc = db_step_done(s, err);
    db_finalize(s);
    if (rc) return rc;
    if (db_changes(st->db) == 0) return pu_fail(err, PU_ERR_NOTFOUND, id, NULL, "no entity with this id");
    return PU_OK;
}

/* Build an entity from the ENTITY_COLS columns starting at `col`. */
static int row_entity(db_stmt *s, int col, ftm_entity **out, pu_err *err) {
    const char *data = db_col_text(s, col);
    int rc = ftm_entity_from_json(data, strlen(data), out, err);
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

static void bind_scope(db_stmt *s, int first, const store_scope *scope) {
    db_bind_int64(s, first, scope && scope->system ? 1 : 0);
    db_bind_text(s, first + 1, scope ? scope->country : NULL, -1);
    db_bind_text(s, first + 2, scope ? scope->country : NULL, -1);
    db_bind_text(s, first + 3, scope ? scope->agency : NULL, -1);
}

int store_get(store_t *st, const store_scope *scope, const char *id, ftm_entity **out, pu_err *err) {
    *out = NULL;
    db_stmt *s;
    int rc = db_prepare(st->db, "SELECT " ENTITY_COLS " FROM entity WHERE id = ? AND " VISIBLE_SQL, &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, id, -1);
    bind_scope(s, 2, scope);
    rc = db_step(s, err);
    if (rc == DB_ROW) rc = row_entity(s, 0, out, err);
    else if (rc == DB_DONE) rc = pu_fail(err, PU_ERR_NOTFOUND, id, NULL, "no entity with this id");
    db_finalize(s);
    return rc;
}

/* ---- queries ---- */

#define QMAX_PARAMS 64

typedef struct qbuild {
    pu_buf sql;
    const char *text[QMAX_PARAMS];
    char *owned[QMAX_PARAMS];
    int n;
} qbuild;

static int qb_param(qbuild *qb, const char *v, int owned) {
    if (qb->n >= QMAX_PARAMS) return PU_ERR_LIMIT;
    qb->text[qb->n] = v;
    qb->owned[qb->n] = owned ? (char *)v : NULL;
    qb->n++;
    return PU_OK;
}

static void qb_free(qbuild *qb) {
    for (int i = 0; i < qb->n; i++) free(qb->owned[i]);
    pu_buf_free(&qb->sql);
}

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

/* WHERE clause (after the 4 scope parameters) for q into qb. */
static int build_where(const store_query *q, qbuild *qb, pu_err *err) {
    int rc = pu_buf_puts(&qb->sql, " WHERE " VISIBLE_SQL);
    if (!q) return rc;
    if (q->schema) {
        const ftm_schema *s = ftm_schema_get(q->schema);
        if (!s) return pu_fail(err, PU_ERR_INVALID, NULL, "schema", "unknown schema '%s'", q->schema);
        rc = pu_buf_puts(&qb->sql, " AND schema IN (");
        int k = 0;
        for (const char *const *n = ftm_schema_names(); *n && !rc; n++) {
            if (!ftm_schema_is_a(ftm_schema_get(*n), q->schema)) continue;
            rc = pu_buf_puts(&qb->sql, k++ ? ", ?" : "?");
            if (!rc) rc = qb_param(qb, *n, 0);
        }
        if (!rc) rc = pu_buf_putc(&qb->sql, ')');
    }
    if (!rc && q->dataset) {
        rc = pu_buf_puts(&qb->sql, " AND id IN (SELECT entity_id FROM entity_dataset WHERE dataset = ?)");
        if (!rc) rc = qb_param(qb, q->dataset, 0);
    }
    if (!rc && q->name && *q->name) {
        char *pat = NULL;
        rc = like_pattern(q->name, &pat);
        if (rc == PU_ERR_INVALID) return pu_fail(err, rc, NULL, "name", "name is not valid UTF-8");
        if (!rc) rc = pu_buf_puts(&qb->sql, " AND names LIKE ? ESCAPE '\\'");
        if (!rc) rc = qb_param(qb, pat, 1);
        else free(pat);
    }
    return rc;
}

static int prepare_query(store_t *st, const store_scope *scope, qbuild *qb, db_stmt **s, pu_err *err) {
    int rc = db_prepare(st->db, pu_buf_str(&qb->sql), s, err);
    if (rc) return rc;
    bind_scope(*s, 1, scope);
    for (int i = 0; i < qb->n; i++) db_bind_text(*s, 5 + i, qb->text[i], -1);
    return PU_OK;
}

int store_iter(store_t *st, const store_scope *scope, const store_query *q, store_entity_cb cb, void *ctx,
               pu_err *err) {
    qbuild qb = {PU_BUF_INIT(1u << 16), {0}, {0}, 0};
    int rc = pu_buf_puts(&qb.sql, "SELECT " ENTITY_COLS " FROM entity");
    if (!rc) rc = build_where(q, &qb, err);
    if (!rc) rc = pu_buf_puts(&qb.sql, " ORDER BY id");
    if (!rc && q && (q->limit > 0 || q->offset > 0))
        rc = pu_buf_printf(&qb.sql, " LIMIT %lld OFFSET %lld", q->limit > 0 ? (long long)q->limit : (long long)INT64_MAX,
                           q->offset > 0 ? (long long)q->offset : 0LL);
    db_stmt *s = NULL;
    if (!rc) rc = prepare_query(st, scope, &qb, &s, err);
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
    qb_free(&qb);
    return rc == PU_ERR_LIMIT || rc == PU_ERR_NOMEM ? pu_fail(err, rc, NULL, NULL, "query too large") : rc;
}

int store_count(store_t *st, const store_scope *scope, const store_query *q, int64_t *out, pu_err *err) {
    *out = 0;
    qbuild qb = {PU_BUF_INIT(1u << 16), {0}, {0}, 0};
    int rc = pu_buf_puts(&qb.sql, "SELECT count(*) FROM entity");
    if (!rc) rc = build_where(q, &qb, err);
    db_stmt *s = NULL;
    if (!rc) rc = prepare_query(st, scope, &qb, &s, err);
    if (!rc) {
        int step = db_step(s, err);
        if (step == DB_ROW) *out = db_col_int64(s, 0);
        else if (step != DB_DONE) rc = step;
    }
    db_finalize(s);
    qb_free(&qb);
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
    int rc = db_prepare(st->db, "SELECT schema, count(*) FROM entity WHERE " VISIBLE_SQL
                                " GROUP BY schema ORDER BY schema", &s, err);
    if (!rc) bind_scope(s, 1, scope);
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
