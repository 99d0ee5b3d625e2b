/* resolve_view.c - the clusters one reader sees: records, pairs and
 * judgements read through store_scope_sql, clustered in memory (resolve.h
 * "Clusters"); the trace engine's purchaser key map; `resolve show`. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_vec.h"
#include "resolve/resolve_int.h"

typedef struct idmap {
    int64_t id;
    uint32_t ix;
} idmap;

typedef struct vctx {
    pu_vec m;        /* resolve_member */
    pu_vec ids;      /* idmap */
    pu_vec pairs;    /* resolve_pair */
    pu_vec judged;   /* resolve_jpair */
} vctx;

static int run(db_t *db, db_sql *q, int (*fn)(db_stmt *, vctx *), vctx *c, pu_err *err) {
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, q, &st, err);
    db_sql_free(q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if (fn(st, c)) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int record_row(db_stmt *st, vctx *c) {
    resolve_member m = {0};
    snprintf(m.key, sizeof m.key, "%s:%s", db_col_text(st, 1), db_col_text(st, 2));
    pu_strlcpy(m.source, db_col_text(st, 1), sizeof m.source);
    pu_err e = {0};
    if (store_unseal_buf(RESOLVE_LABEL_CTX, db_col_text(st, 3), m.name, sizeof m.name, &e))
        pu_strlcpy(m.name, "[sealed]", sizeof m.name);
    pu_strlcpy(m.dob, db_col_text(st, 4), sizeof m.dob);
    pu_strlcpy(m.owner, db_col_text(st, 5), sizeof m.owner);
    pu_strlcpy(m.marking, db_col_text(st, 6), sizeof m.marking);
    idmap im = {db_col_int64(st, 0), (uint32_t)c->m.len};
    return pu_vec_push(&c->m, &m, sizeof m) || pu_vec_push(&c->ids, &im, sizeof im);
}

static int cmp_idmap(const void *x, const void *y) {
    int64_t a = ((const idmap *)x)->id, b = ((const idmap *)y)->id;
    return a < b ? -1 : a > b;
}

static uint32_t ix_of(const vctx *c, int64_t id) {
    idmap k = {id, 0};
    const idmap *f = bsearch(&k, c->ids.data, c->ids.len, sizeof k, cmp_idmap);
    return f ? f->ix : UINT32_MAX;
}

static int pair_row(db_stmt *st, vctx *c) {
    uint32_t a = ix_of(c, db_col_int64(st, 0)), b = ix_of(c, db_col_int64(st, 1));
    if (a == UINT32_MAX || b == UINT32_MAX) return 0;   /* a record the reader may not see */
    resolve_pair p = {a < b ? a : b, a < b ? b : a, (float)db_col_double(st, 2)};
    return pu_vec_push(&c->pairs, &p, sizeof p);
}

static int cmp_member_key(const void *k, const void *m) { return strcmp(k, ((const resolve_member *)m)->key); }

/* First member with key (members are sorted by key), or UINT32_MAX. */
static uint32_t member_of(const vctx *c, const char *key) {
    const resolve_member *m = c->m.data, *f = bsearch(key, m, c->m.len, sizeof *m, cmp_member_key);
    if (!f) return UINT32_MAX;
    while (f > m && !strcmp(f[-1].key, key)) f--;
    return (uint32_t)(f - m);
}

static int judgement_row(db_stmt *st, vctx *c) {
    uint32_t a = member_of(c, db_col_text(st, 0)), b = member_of(c, db_col_text(st, 1));
    if (a == UINT32_MAX || b == UINT32_MAX) return 0;
    resolve_verdict v = RESOLVE_UNSURE;
    pu_err e = {0};
    resolve_verdict_parse(db_col_text(st, 2), &v, &e);
    /* the latest visible judgement on a pair wins: rows come oldest first */
    resolve_jpair *j = c->judged.data;
    for (size_t i = 0; i < c->judged.len; i++)
        if (j[i].a == a && j[i].b == b) {
            j[i].v = v;
            return 0;
        }
    resolve_jpair p = {a, b, v};
    return pu_vec_push(&c->judged, &p, sizeof p);
}

static int same_key_joins(vctx *c) {
    resolve_member *m = c->m.data;
    for (size_t i = 1; i < c->m.len; i++)
        if (!strcmp(m[i - 1].key, m[i].key)) {
            resolve_jpair p = {(uint32_t)i - 1, (uint32_t)i, RESOLVE_SAME};
            if (pu_vec_push(&c->judged, &p, sizeof p)) return PU_ERR_NOMEM;
        }
    return PU_OK;
}

static int cmp_perm(const void *x, const void *y, void *ctx) {
    const resolve_member *m = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    int c = strcmp(m[a].key, m[b].key);
    return c ? c : (a < b ? -1 : a > b);
}

static int sort_members(vctx *c, pu_err *err) {
    size_t n = c->m.len;
    if (!n) return PU_OK;
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm), *inv = malloc((n ? n : 1) * sizeof *inv);
    resolve_member *sorted = malloc((n ? n : 1) * sizeof *sorted), *m = c->m.data;
    if (!perm || !inv || !sorted) {
        free(perm), free(inv), free(sorted);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    qsort_r(perm, n, sizeof *perm, cmp_perm, m);
    for (size_t k = 0; k < n; k++) {
        sorted[k] = m[perm[k]];
        inv[perm[k]] = (uint32_t)k;
    }
    memcpy(m, sorted, n * sizeof *m);
    idmap *ids = c->ids.data;
    for (size_t i = 0; i < c->ids.len; i++) ids[i].ix = inv[ids[i].ix];
    free(perm), free(inv), free(sorted);
    return PU_OK;
}

static int load(db_t *db, const store_scope *scope, unsigned flags, vctx *c, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.id, r.source, r.ref, r.label, COALESCE(r.dob, ''), r.owner, r.marking"
                   " FROM resolve_record r WHERE ");
    if (!(flags & RESOLVE_WITH_TIPS)) db_sql_add(&q, "r.source <> '" RESOLVE_SRC_TIP "' AND ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY r.source, r.ref, r.id");
    int rc = run(db, &q, record_row, c, err);
    if (rc) return rc;
    /* the SQL order depends on the backend's collation: members are indexed in strcmp order */
    if ((rc = sort_members(c, err))) return rc;
    if (c->ids.len) qsort(c->ids.data, c->ids.len, sizeof(idmap), cmp_idmap);
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.a, p.b, p.score FROM resolve_pair p WHERE ");
    store_scope_sql(&q, scope, "p");
    if ((rc = run(db, &q, pair_row, c, err))) return rc;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT j.a_key, j.b_key, j.verdict FROM resolve_judgement j WHERE j.revoked IS NULL AND ");
    store_scope_sql(&q, scope, "j");
    db_sql_add(&q, " ORDER BY j.id");
    if ((rc = run(db, &q, judgement_row, c, err))) return rc;
    if (same_key_joins(c)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    return PU_OK;
}

static void vctx_free(vctx *c) {
    pu_vec_free(&c->m);
    pu_vec_free(&c->ids);
    pu_vec_free(&c->pairs);
    pu_vec_free(&c->judged);
}

static int build(vctx *c, resolve_view *v, pu_err *err) {
    size_t n = c->m.len;
    uint32_t *of = malloc((n ? n : 1) * sizeof *of), *cix = malloc((n ? n : 1) * sizeof *cix);
    const char **dob = malloc((n ? n : 1) * sizeof *dob);   /* the date rule of the clustering */
    resolve_member *mm = c->m.data;
    for (size_t i = 0; dob && i < n; i++) dob[i] = mm[i].dob;
    int rc = of && cix && dob ? resolve_cluster_pairs_dob(n, c->pairs.data, c->pairs.len, c->judged.data,
                                                          c->judged.len, dob, of, &v->conflicts, err)
                              : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    free(dob);
    if (!rc) v->c = calloc(n ? n : 1, sizeof *v->c);
    if (!rc && !v->c) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    resolve_member *m = c->m.data;
    for (size_t i = 0; !rc && i < n; i++) {
        if (of[i] == i) {   /* the smallest member (smallest key) names the cluster */
            cix[i] = (uint32_t)v->nc;
            snprintf(v->c[v->nc].id, sizeof v->c[0].id, "resolved:%s", m[i].key);
            v->nc++;
        }
        m[i].cluster = cix[of[i]];
        v->c[m[i].cluster].size++;
    }
    free(of);
    free(cix);
    return rc;
}

int resolve_clusters(db_t *db, const store_scope *scope, resolve_view **out, pu_err *err) {
    return resolve_clusters_ex(db, scope, 0, out, err);
}

int resolve_clusters_ex(db_t *db, const store_scope *scope, unsigned flags, resolve_view **out, pu_err *err) {
    *out = NULL;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    vctx c = {PU_VEC_INIT(resolve_member, 0), PU_VEC_INIT(idmap, 0), PU_VEC_INIT(resolve_pair, 0),
              PU_VEC_INIT(resolve_jpair, 0)};
    resolve_view *v = calloc(1, sizeof *v);
    if (!v) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = load(db, scope, flags, &c, err);
    if (!rc) rc = build(&c, v, err);
    if (rc) {
        vctx_free(&c);
        resolve_view_free(v);
        return rc;
    }
    v->nm = c.m.len;
    v->m = pu_vec_detach(&c.m, NULL);
    vctx_free(&c);
    *out = v;
    return PU_OK;
}

void resolve_view_free(resolve_view *v) {
    if (!v) return;
    free(v->m);
    free(v->c);
    free(v);
}

const resolve_member *resolve_view_find(const resolve_view *v, const char *key) {
    if (!v || !key || !v->nm) return NULL;   /* no members: v->m may be NULL, which bsearch must not get */
    const resolve_member *f = bsearch(key, v->m, v->nm, sizeof *v->m, cmp_member_key);
    while (f && f > v->m && !strcmp(f[-1].key, key)) f--;
    return f;
}

/* ---- the trace engine's key map ---- */

typedef struct kent {
    char *key, *canon;
} kent;

struct resolve_keymap {
    kent *e;
    size_t n;
};

static int cmp_kent(const void *x, const void *y) { return strcmp(((const kent *)x)->key, ((const kent *)y)->key); }

int resolve_keymap_trace(db_t *db, const store_scope *scope, resolve_keymap **out, pu_err *err) {
    *out = NULL;
    int ver = 0;
    if (db_schema_version(db, "resolve", &ver, err)) return PU_ERR_DB;
    resolve_keymap *km = calloc(1, sizeof *km);
    if (!km) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    *out = km;
    if (!ver) return PU_OK;   /* no resolution in this store: every key is its own */
    resolve_view *v = NULL;
    int rc = resolve_clusters(db, scope, &v, err);
    if (rc) return rc;
    size_t plen = strlen(RESOLVE_SRC_PURCHASER) + 1;
    const char **canon = calloc(v->nc ? v->nc : 1, sizeof *canon);
    km->e = calloc(v->nm ? v->nm : 1, sizeof *km->e);
    if (!canon || !km->e) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    /* members are in key order: the first purchaser of a cluster is its smallest key */
    for (size_t i = 0; !rc && i < v->nm; i++) {
        const resolve_member *m = &v->m[i];
        if (strcmp(m->source, RESOLVE_SRC_PURCHASER)) continue;
        if (!canon[m->cluster]) canon[m->cluster] = m->key + plen;
        if (km->n && !strcmp(km->e[km->n - 1].key, m->key + plen)) continue;
        km->e[km->n].key = pu_strdup(m->key + plen);
        km->e[km->n].canon = pu_strdup(canon[m->cluster]);
        if (!km->e[km->n].key || !km->e[km->n].canon) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        km->n++;
    }
    if (km->n) qsort(km->e, km->n, sizeof *km->e, cmp_kent);
    free(canon);
    resolve_view_free(v);
    return rc;
}

const char *resolve_keymap_get(const resolve_keymap *m, const char *key) {
    if (!m || !m->n) return key;
    kent k = {(char *)key, NULL};
    const kent *f = bsearch(&k, m->e, m->n, sizeof k, cmp_kent);
    return f ? f->canon : key;
}

int resolve_keymap_spellings(const resolve_keymap *m, const char *key) {
    int n = 0;
    for (size_t i = 0; m && i < m->n; i++) n += !strcmp(m->e[i].canon, key);
    return n ? n : 1;
}

void resolve_keymap_free(resolve_keymap *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].key);
        free(m->e[i].canon);
    }
    free(m->e);
    free(m);
}

/* ---- show ---- */

static json_t *member_json(const resolve_member *m) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "key", m->key, "source", m->source, "name", m->name, "dob",
                     m->dob, "owner", m->owner, "marking", m->marking);
}

int resolve_view_write(const resolve_view *v, const char *key, int json, pu_buf *out, pu_err *err) {
    uint32_t only = UINT32_MAX;
    if (key) {
        const resolve_member *f = resolve_view_find(v, key);
        if (!f) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "record", "no record '%s'", key);
        only = f->cluster;
    }
    json_t *arr = json ? json_array() : NULL;
    for (size_t c = 0; c < v->nc; c++) {
        if (only != UINT32_MAX ? c != only : v->c[c].size < 2) continue;
        json_t *members = json ? json_array() : NULL;
        if (!json) pu_buf_printf(out, "%s (%u records)\n", v->c[c].id, v->c[c].size);
        for (size_t i = 0; i < v->nm; i++) {
            if (v->m[i].cluster != c) continue;
            if (json) json_array_append_new(members, member_json(&v->m[i]));
            else pu_buf_printf(out, "  %s\t%s\t%s\t%s/%s\n", v->m[i].key, v->m[i].name, v->m[i].dob, v->m[i].owner,
                               v->m[i].marking);
        }
        if (json) json_array_append_new(arr, json_pack("{s:s, s:i, s:o}", "id", v->c[c].id, "size", (int)v->c[c].size,
                                                       "members", members));
    }
    if (json) {
        char *s = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        pu_buf_puts(out, s);
        pu_buf_putc(out, '\n');
        free(s);
    }
    return PU_OK;
}
