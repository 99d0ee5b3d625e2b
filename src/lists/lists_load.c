/*
 * lists_load.c - a parsed list becomes a version: compare with the
 * dataset's entities by content hash, refuse a shrink over the source's
 * share, then replace and record version + delta in ONE transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "lists/lists_int.h"

/* One entity of either side: id and content hash. */
typedef struct side {
    char *id;
    char *caption;         /* old side: what a removal shows */
    char schema[64];
    char hash[65];
    const ftm_entity *e;   /* new side only */
} side;

typedef struct old_ctx {
    side *v;
    size_t n, cap;
    int rc;
} old_ctx;

static int on_old(const ftm_entity *e, void *vctx) {
    old_ctx *c = vctx;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        side *nv = realloc(c->v, nc * sizeof *nv);
        if (!nv) return c->rc = PU_ERR_NOMEM, 1;
        c->v = nv;
        c->cap = nc;
    }
    side *s = &c->v[c->n];
    s->caption = NULL;
    pu_strlcpy(s->schema, e->schema, sizeof s->schema);
    if (!(s->id = pu_strdup(e->id)) || !(s->caption = pu_strdup(ftm_entity_caption(e))) ||
        lists_entity_hash(e, s->hash)) {
        free(s->id);
        free(s->caption);
        return c->rc = PU_ERR_NOMEM, 1;
    }
    s->e = NULL;
    c->n++;
    return 0;
}

static void sides_free(side *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].caption);
    }
    free(v);
}

/* The dataset as stored, in id order (store_iter's order). */
static int read_old(store_t *st, const char *dataset, side **out, size_t *n, pu_err *err) {
    old_ctx c = {0};
    store_query q = {0};
    q.dataset = dataset;
    int rc = store_iter(st, STORE_SYSTEM, &q, on_old, &c, err);
    if (!rc && c.rc) rc = pu_fail(err, c.rc, dataset, NULL, "out of memory");
    if (rc) {
        sides_free(c.v, c.n);
        return rc;
    }
    *out = c.v;
    *n = c.n;
    return PU_OK;
}

static int cmp_side(const void *a, const void *b) { return strcmp(((const side *)a)->id, ((const side *)b)->id); }

/* The new list in id order, duplicates (same id twice) dropped. */
static int read_new(const lists_parsed *p, side **out, size_t *n, pu_err *err) {
    side *v = calloc(p->n ? p->n : 1, sizeof *v);
    if (!v) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < p->n; i++) {
        v[i].id = p->ents[i]->id; /* borrowed */
        v[i].e = p->ents[i];
        if (lists_entity_hash(p->ents[i], v[i].hash)) {
            free(v);
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
    }
    qsort(v, p->n, sizeof *v, cmp_side);
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (k == 0 || strcmp(v[k - 1].id, v[i].id) != 0) v[k++] = v[i];
    *out = v;
    *n = k;
    return PU_OK;
}

typedef struct plan {
    side *old, *nw;
    size_t nold, nnew;
    int64_t added, removed, changed;
} plan;

/* Walk both sides in id order; act(kind, old, new) for every difference.
 * kind: 'a' added, 'r' removed, 'c' changed. */
typedef int (*plan_fn)(char kind, const side *o, const side *n, void *ctx);
static int walk(const plan *p, plan_fn fn, void *ctx) {
    size_t i = 0, j = 0;
    int rc = PU_OK;
    while (!rc && (i < p->nold || j < p->nnew)) {
        int c = i >= p->nold ? 1 : j >= p->nnew ? -1 : strcmp(p->old[i].id, p->nw[j].id);
        if (c < 0) rc = fn('r', &p->old[i++], NULL, ctx);
        else if (c > 0) rc = fn('a', NULL, &p->nw[j++], ctx);
        else {
            if (strcmp(p->old[i].hash, p->nw[j].hash) != 0) rc = fn('c', &p->old[i], &p->nw[j], ctx);
            i++, j++;
        }
    }
    return rc;
}

static int count_fn(char kind, const side *o, const side *n, void *ctx) {
    (void)o, (void)n;
    plan *p = ctx;
    if (kind == 'a') p->added++;
    else if (kind == 'r') p->removed++;
    else p->changed++;
    return PU_OK;
}

/* A publisher delists a handful per release; losing more than the
 * source's share means a cut or wrong file (docs/lists.md "Validation"). */
static int shrink_guard(const lists_source *src, const plan *p, int force, pu_err *err) {
    if (force || p->nold < LISTS_SHRINK_MIN_BASE) return PU_OK;
    double share = (double)p->removed / (double)p->nold;
    if (share <= src->shrink) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, src->name, "shrink",
                   "the update would remove %lld of %zu entities (%.0f%%, more than the source's %.0f%%): "
                   "refused, the previous version is kept (--force loads it)",
                   (long long)p->removed, p->nold, share * 100.0, src->shrink * 100.0);
}

typedef struct apply_ctx {
    store_t *st;
    db_stmt *ins;
    int64_t version;
    pu_err *err;
} apply_ctx;

static int apply_fn(char kind, const side *o, const side *n, void *vctx) {
    apply_ctx *c = vctx;
    int rc = kind == 'r' ? store_delete(c->st, o->id, c->err) : store_put(c->st, n->e, c->err);
    if (rc) return rc;
    const ftm_entity *e = n ? n->e : NULL;
    db_reset(c->ins);
    db_bind_int64(c->ins, 1, c->version);
    db_bind_text(c->ins, 2, kind == 'r' ? o->id : n->id, -1);
    db_bind_text(c->ins, 3, kind == 'a' ? "added" : kind == 'r' ? "removed" : "changed", -1);
    db_bind_text(c->ins, 4, e ? e->schema : o->schema, -1);
    db_bind_text(c->ins, 5, e ? ftm_entity_caption(e) : o->caption, -1);
    db_bind_text(c->ins, 6, o ? o->hash : "", -1);
    db_bind_text(c->ins, 7, n ? n->hash : "", -1);
    return db_step_done(c->ins, c->err);
}

static int insert_version(db_t *db, lists_version *v, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO lists_version (source, dataset, published, fetched, sha256, entities, added,"
                        " removed, changed, forced, rejected) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                        &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, v->source, -1);
    db_bind_text(s, 2, v->dataset, -1);
    db_bind_text(s, 3, v->published, -1);
    db_bind_text(s, 4, v->fetched, -1);
    db_bind_text(s, 5, v->sha256, -1);
    db_bind_int64(s, 6, v->entities);
    db_bind_int64(s, 7, v->added);
    db_bind_int64(s, 8, v->removed);
    db_bind_int64(s, 9, v->changed);
    db_bind_int64(s, 10, v->forced);
    db_bind_int64(s, 11, v->rejected);
    rc = db_insert_id(s, &v->id, err);
    db_finalize(s);
    return rc;
}

static int apply(store_t *st, const plan *p, lists_version *v, pu_err *err) {
    db_t *db = store_db(st);
    int own = !db_in_tx(db);
    int rc = own ? store_begin(st, err) : PU_OK;
    if (rc) return rc;
    apply_ctx c = {st, NULL, 0, err};
    rc = insert_version(db, v, err);
    c.version = v->id;
    if (!rc)
        rc = db_prepare(db,
                        "INSERT INTO lists_delta (version_id, entity_id, change, schema, caption, old_hash, hash)"
                        " VALUES (?,?,?,?,?,?,?)",
                        &c.ins, err);
    if (!rc) rc = walk(p, apply_fn, &c);
    db_finalize(c.ins);
    if (!own) return rc; /* the caller commits or rolls back */
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, err);
}

int lists_load(store_t *st, const lists_source *src, const lists_parsed *lp, const char *sha256, int force,
               lists_version *out, pu_err *err) {
    plan p = {0};
    int rc = read_old(st, src->dataset, &p.old, &p.nold, err);
    if (!rc) rc = read_new(lp, &p.nw, &p.nnew, err);
    if (!rc) rc = walk(&p, count_fn, &p);
    if (!rc) rc = shrink_guard(src, &p, force, err);
    if (!rc) {
        memset(out, 0, sizeof *out);
        pu_strlcpy(out->source, src->name, sizeof out->source);
        pu_strlcpy(out->dataset, src->dataset, sizeof out->dataset);
        pu_strlcpy(out->published, lp->published, sizeof out->published);
        pu_now_iso(out->fetched, sizeof out->fetched);
        pu_strlcpy(out->sha256, sha256 ? sha256 : "", sizeof out->sha256);
        out->entities = (int64_t)p.nnew;
        out->added = p.added;
        out->removed = p.removed;
        out->changed = p.changed;
        out->rejected = lp->rejected;
        pu_strlcpy(out->note, lp->note, sizeof out->note);
        out->forced = force && p.nold >= LISTS_SHRINK_MIN_BASE &&
                      (double)p.removed / (double)p.nold > src->shrink;
        rc = apply(st, &p, out, err);
    }
    sides_free(p.old, p.nold);
    free(p.nw); /* ids borrowed from lp */
    return rc;
}

/* ---- update: fetch, parse, load ---- */

/* OFAC's legacy CSV is four files: each fetched under its SDN name (the
 * consolidated list's cons_*.csv names map onto them). */
static const char *const OFAC_FILES[][2] = {
    {"sdn.csv", "cons_prim.csv"}, {"alt.csv", "cons_alt.csv"}, {"add.csv", "cons_add.csv"},
    {"sdn_comments.csv", "cons_comments.csv"}};

int lists_fetch_ofac(const char *location, const char *dir, char *sha256, pu_err *err) {
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    int rc = PU_OK;
    for (size_t i = 0; i < 4 && !rc; i++) {
        char dest[4096], sha[65] = "";
        snprintf(dest, sizeof dest, "%s/%s", dir, OFAC_FILES[i][0]);
        for (size_t k = 0; k < 2; k++) {
            char from[4096];
            size_t len = strlen(location);
            snprintf(from, sizeof from, "%s%s%s", location, len && location[len - 1] == '/' ? "" : "/",
                     OFAC_FILES[i][k]);
            pu_err e2 = {0};
            rc = lists_fetch(from, dest, sha, k == 0 ? &e2 : err);
            if (!rc) break;
            if (k == 0) continue;
            unlink(dest);
            if (i == 3) rc = PU_OK, sha[0] = 0; /* comments are optional (older exports lack them) */
        }
        crypto_hash_sha256_update(&h, (const unsigned char *)sha, strlen(sha));
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(sha256, 65, d, sizeof d);
    return rc;
}

static void rm_tree(const char *dir) {
    for (size_t i = 0; i < 4; i++) {
        char p[4096];
        (void)pu_snprintf(p, sizeof p, "%s/%s", dir, OFAC_FILES[i][0]);
        unlink(p);
    }
    char p[4096];
    (void)pu_snprintf(p, sizeof p, "%s/export", dir);
    unlink(p);
    rmdir(dir);
}

int lists_prepare(const lists_source *src, const lists_update_opts *o, lists_parsed **out, char *sha256,
                  pu_err *err) {
    *out = NULL;
    const char *loc = o && o->location ? o->location : src->location;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4096];
    snprintf(dir, sizeof dir, "%s/puente-lists-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return pu_fail(err, PU_ERR_IO, dir, NULL, "cannot create a temporary directory");
    int ofac = strcmp(src->format, "ofac_csv") == 0;
    (void)pu_snprintf(path, sizeof path, "%s/export", dir);
    int rc = ofac ? lists_fetch_ofac(loc, dir, sha256, err) : lists_fetch(loc, path, sha256, err);
    if (!rc) rc = lists_parse_named(src, ofac ? dir : path, loc, o ? o->diag : NULL, out, err);
    rm_tree(dir);
    return rc;
}

int lists_update(store_t *st, const lists_source *src, const lists_update_opts *o, lists_version *out,
                 pu_err *err) {
    lists_parsed *p = NULL;
    char sha[65];
    int rc = lists_prepare(src, o, &p, sha, err);
    if (!rc) rc = lists_load(st, src, p, sha, o && o->force, out, err);
    lists_parsed_free(p);
    return rc;
}

void lists_version_report(const lists_version *v, const char *label, pu_report *r) {
    pu_report_init(r, label, NULL);
    r->rejected = (uint64_t)v->rejected;
    r->written = (uint64_t)(v->added + v->changed);
    r->unchanged = (uint64_t)(v->entities - v->added - v->changed);
    r->read = (uint64_t)v->entities + r->rejected;
}

/* ---- versions ---- */

#define VERSION_COLS \
    "id, source, dataset, published, fetched, sha256, entities, added, removed, changed, forced, rejected"

static void version_row(db_stmt *s, lists_version *v) {
    memset(v, 0, sizeof *v);
    v->id = db_col_int64(s, 0);
    pu_strlcpy(v->source, db_col_text(s, 1), sizeof v->source);
    pu_strlcpy(v->dataset, db_col_text(s, 2), sizeof v->dataset);
    pu_strlcpy(v->published, db_col_text(s, 3), sizeof v->published);
    pu_strlcpy(v->fetched, db_col_text(s, 4), sizeof v->fetched);
    pu_strlcpy(v->sha256, db_col_text(s, 5), sizeof v->sha256);
    v->entities = db_col_int64(s, 6);
    v->added = db_col_int64(s, 7);
    v->removed = db_col_int64(s, 8);
    v->changed = db_col_int64(s, 9);
    v->forced = (int)db_col_int64(s, 10);
    v->rejected = db_col_int64(s, 11);
}

int lists_versions(db_t *db, const char *source, lists_version_cb cb, void *ctx, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        source ? "SELECT " VERSION_COLS " FROM lists_version WHERE source = ? ORDER BY id DESC"
                               : "SELECT " VERSION_COLS " FROM lists_version ORDER BY id DESC",
                        &s, err);
    if (rc) return rc;
    if (source) db_bind_text(s, 1, source, -1);
    lists_version v;
    while ((rc = db_step(s, err)) == DB_ROW) {
        version_row(s, &v);
        if (cb(&v, ctx)) break;
    }
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

int lists_version_get(db_t *db, int64_t id, lists_version *out, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db, "SELECT " VERSION_COLS " FROM lists_version WHERE id = ?", &s, err);
    if (rc) return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, err);
    if (rc == DB_ROW) version_row(s, out), rc = PU_OK;
    else if (rc == DB_DONE) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "version", "no list version %lld", (long long)id);
    db_finalize(s);
    return rc;
}

int lists_version_prev(db_t *db, const lists_version *v, int64_t *prev, pu_err *err) {
    db_stmt *s = NULL;
    *prev = 0;
    int rc = db_prepare(db, "SELECT MAX(id) FROM lists_version WHERE source = ? AND id < ?", &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, v->source, -1);
    db_bind_int64(s, 2, v->id);
    rc = db_step(s, err);
    if (rc == DB_ROW) *prev = db_col_int64(s, 0), rc = PU_OK;
    else if (rc == DB_DONE) rc = PU_OK;
    db_finalize(s);
    return rc;
}
