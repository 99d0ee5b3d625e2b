/* sameas.c - designated persons recognised by resolution (sameas.h): the
 * spellings of the reader's clusters that hold a designated entity. */
#include "sameas/sameas.h"
#include "sameas/sameas_int.h"
#include "common/pu_vec.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "screen/screen.h"

typedef struct desig {
    uint32_t member;     /* the designated entity's member in the view */
    int32_t next;        /* the next designated entity of the same cluster, -1 */
    char caption[160];
} desig;

typedef struct spell {
    char *key;           /* sorted tokens of the normalised spelling */
    uint32_t member;     /* the member with that spelling */
    uint32_t d;          /* the designated entity it is the same person as */
} spell;

/* After the build the table keeps only the members and clusters its
 * spellings and designations name (compact()): the reader's whole view
 * (every visible record, about 600 bytes each) is not what a cached table
 * should hold. */
struct sameas {
    resolve_view *v;     /* during the build only; then NULL */
    resolve_member *m;   /* the members named by d and sp */
    size_t nm;
    resolve_cluster *c;  /* their clusters (m[i].cluster indexes c) */
    size_t nc;
    desig *d;
    size_t nd;
    spell *sp;
    size_t nsp;
    size_t bytes;        /* what the table holds, for the cache's budget */
    atomic_uint refs;    /* sameas_free releases one; the last frees */
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_spell(const void *a, const void *b) { return strcmp(((const spell *)a)->key, ((const spell *)b)->key); }

/* The order-free key of a name: its screen_normalize tokens, sorted, so
 * "LOPEZ, SUSAN I." and "Susan I. Lopez" are one key. NULL when the name
 * normalises to nothing (or memory ran out: *oom). */
static char *name_key(const char *name, int *oom) {
    char *norm = NULL;
    pu_err e = {0};
    int rc = screen_normalize(name, NULL, &norm, &e);
    if (rc) {
        if (rc == PU_ERR_NOMEM) *oom = 1;
        return NULL;
    }
    size_t len = strlen(norm), nt = 0;
    char **tok = malloc((len / 2 + 1) * sizeof *tok);
    char *out = malloc(len + 1);
    if (!tok || !out) {
        free(tok), free(out), free(norm);
        *oom = 1;
        return NULL;
    }
    for (char *save = NULL, *t = strtok_r(norm, " ", &save); t; t = strtok_r(NULL, " ", &save)) tok[nt++] = t;
    if (nt > 1) qsort(tok, nt, sizeof *tok, cmp_str);
    size_t o = 0;
    for (size_t i = 0; i < nt; i++) {
        size_t l = strlen(tok[i]);
        if (o) out[o++] = ' ';
        memcpy(out + o, tok[i], l);
        o += l;
    }
    out[o] = 0;
    free(tok);
    free(norm);
    if (!o) {
        free(out);
        return NULL;
    }
    return out;
}

/* The entities designated for the reader (screen_index_designated with the
 * default designated scope), sorted by id: a member is designated when its
 * ref is in the set. Strings borrowed from the index (alive during the build). */
typedef struct dent {
    const char *id, *caption;
} dent;

static int cmp_dent(const void *a, const void *b) { return strcmp(((const dent *)a)->id, ((const dent *)b)->id); }

/* screen_entity_fn: one designated entity into the set (ctx: a pu_vec of dent). */
static int dset_add(void *ctx, const char *id, const char *caption) {
    dent e = {id, caption};
    return pu_vec_push(ctx, &e, sizeof e) ? PU_ERR_NOMEM : 0;
}

/* sameas_desig_fn of the index's set (ctx: the sorted pu_vec of dent). */
static int in_dset(void *ctx, const resolve_member *m, char *caption, size_t size, pu_err *err) {
    (void)err;
    const pu_vec *d = ctx;
    if (!d->len) return 0;
    dent k = {m->key + strlen("entity:"), NULL};
    const dent *f = bsearch(&k, d->data, d->len, sizeof k, cmp_dent);
    if (!f) return 0;
    pu_strlcpy(caption, f->caption, size);
    return 1;
}

/* The designated entities of the reader's multi-record clusters, chained per cluster. */
static int find_designated(sameas *s, sameas_desig_fn fn, void *ctx, int32_t *head, pu_err *err) {
    const resolve_view *v = s->v;
    for (size_t i = 0; i < v->nm; i++) {
        const resolve_member *m = &v->m[i];
        if (strcmp(m->source, "entity") || v->c[m->cluster].size < 2) continue;
        desig d = {(uint32_t)i, head[m->cluster], ""};
        int yes = fn(ctx, m, d.caption, sizeof d.caption, err);
        if (yes < 0) return -yes;
        if (!yes) continue;
        desig *nd = realloc(s->d, (s->nd + 1) * sizeof *nd);
        if (!nd) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        s->d = nd;
        s->d[s->nd] = d;
        head[m->cluster] = (int32_t)s->nd++;
    }
    return PU_OK;
}

/* Every spelling of a cluster with a designated entity, once per designated
 * entity other than the member itself (its own name is screening's hit). */
static int add_spellings(sameas *s, const int32_t *head, pu_err *err) {
    const resolve_view *v = s->v;
    size_t cap = 0;
    for (size_t i = 0; i < v->nm; i++) {
        int32_t d = head[v->m[i].cluster];
        if (d < 0) continue;
        int oom = 0;
        char *key = name_key(v->m[i].name, &oom);
        if (oom) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        if (!key) continue;
        int used = 0;
        for (; d >= 0; d = s->d[d].next) {
            if (s->d[d].member == i) continue;
            if (s->nsp == cap) {
                size_t nc = cap ? 2 * cap : 64;
                spell *ns = realloc(s->sp, nc * sizeof *ns);
                if (!ns) {
                    if (!used) free(key);
                    return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                }
                s->sp = ns;
                cap = nc;
            }
            char *k = used ? strdup(key) : key;
            if (!k) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            s->sp[s->nsp++] = (spell){k, (uint32_t)i, (uint32_t)d};
            used = 1;
        }
        if (!used) free(key);
    }
    if (s->nsp > 1) qsort(s->sp, s->nsp, sizeof *s->sp, cmp_spell);
    return PU_OK;
}

/* Keep only the members the designations and spellings name, and their
 * clusters, renumbered; the view is freed. */
static int compact(sameas *s, pu_err *err) {
    const resolve_view *v = s->v;
    uint32_t *mmap = v->nm ? malloc(v->nm * sizeof *mmap) : NULL, *cmap = v->nc ? malloc(v->nc * sizeof *cmap) : NULL;
    size_t want = s->nd + s->nsp;   /* at most this many members are named */
    s->m = want ? malloc(want * sizeof *s->m) : NULL;
    s->c = want ? malloc(want * sizeof *s->c) : NULL;
    if ((v->nm && !mmap) || (v->nc && !cmap) || (want && (!s->m || !s->c))) {
        free(mmap), free(cmap);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < v->nm; i++) mmap[i] = UINT32_MAX;
    for (size_t i = 0; i < v->nc; i++) cmap[i] = UINT32_MAX;
    for (size_t k = 0; k < want; k++) {
        uint32_t *mi = k < s->nd ? &s->d[k].member : &s->sp[k - s->nd].member;
        if (mmap[*mi] == UINT32_MAX) {
            const resolve_member *om = &v->m[*mi];
            if (cmap[om->cluster] == UINT32_MAX) {
                s->c[s->nc] = v->c[om->cluster];
                cmap[om->cluster] = (uint32_t)s->nc++;
            }
            s->m[s->nm] = *om;
            s->m[s->nm].cluster = cmap[om->cluster];
            mmap[*mi] = (uint32_t)s->nm++;
        }
        *mi = mmap[*mi];
    }
    free(mmap);
    free(cmap);
    s->bytes += s->nm * sizeof *s->m + s->nc * sizeof *s->c + s->nd * sizeof *s->d + s->nsp * sizeof *s->sp;
    for (size_t i = 0; i < s->nsp; i++) s->bytes += strlen(s->sp[i].key) + 1;
    resolve_view_free(s->v);
    s->v = NULL;
    return PU_OK;
}

int sameas_build_with(db_t *db, const screen_index *ix, const store_scope *scope, unsigned flags, sameas_desig_fn fn,
                      void *ctx, sameas **out, pu_err *err) {
    *out = NULL;
    if (!scope || !ix) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "sameas needs the reader's scope and an index");
    sameas *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    atomic_init(&s->refs, 1);
    s->bytes = sizeof *s;
    int ver = 0;
    int rc = db_schema_version(db, "resolve", &ver, err);
    if (!rc && ver > 0) rc = resolve_clusters_ex(db, scope, flags, &s->v, err);
    if (rc || !s->v || !s->v->nc) {
        if (rc) sameas_free(s);
        else {
            resolve_view_free(s->v);
            s->v = NULL;
            *out = s;
        }
        return rc;
    }
    pu_vec ds = PU_VEC_INIT(dent, 0);
    if (!fn) {   /* the index's set: one walk of the index, then a binary search per entity member */
        if (screen_index_designated(ix, scope, SCREEN_SCOPE_DEFAULT, dset_add, &ds))
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        if (ds.len > 1) qsort(ds.data, ds.len, sizeof(dent), cmp_dent);
        fn = in_dset;
        ctx = &ds;
    }
    int32_t *head = rc ? NULL : malloc(s->v->nc * sizeof *head);
    if (!rc && !head) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; head && i < s->v->nc; i++) head[i] = -1;
    if (!rc) rc = find_designated(s, fn, ctx, head, err);
    if (!rc && s->nd) rc = add_spellings(s, head, err);
    free(head);
    pu_vec_free(&ds);
    if (!rc) rc = compact(s, err);
    if (rc) {
        sameas_free(s);
        return rc;
    }
    *out = s;
    return PU_OK;
}

int sameas_build(db_t *db, const screen_index *ix, const store_scope *scope, unsigned flags, sameas **out,
                 pu_err *err) {
    return sameas_build_with(db, ix, scope, flags, NULL, NULL, out, err);
}

void sameas_free(sameas *s) {
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    for (size_t i = 0; i < s->nsp; i++) free(s->sp[i].key);
    free(s->sp);
    free(s->d);
    free(s->m);
    free(s->c);
    resolve_view_free(s->v);
    free(s);
}

sameas *sameas_hold(sameas *s) {
    if (s) atomic_fetch_add(&s->refs, 1);
    return s;
}

size_t sameas_spellings(const sameas *s) { return s ? s->nsp : 0; }
size_t sameas_bytes(const sameas *s) { return s ? s->bytes : 0; }

static const char *source_label(const char *source) {
    static const struct { const char *source, *label; } L[] = {
        {"entity", "the store entity"},         {"trace.purchaser", "the firearm purchaser"},
        {"trace.possessor", "the possessor"},   {"cargo.party", "the cargo party"},
        {"tip.mention", "the name in a tip"},
    };
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
        if (!strcmp(L[i].source, source)) return L[i].label;
    return source;
}

static void fill_hit(const sameas *s, const spell *sp, sameas_hit *h) {
    const resolve_member *m = &s->m[sp->member], *dm = &s->m[s->d[sp->d].member];
    const resolve_cluster *c = &s->c[m->cluster];
    memset(h, 0, sizeof *h);
    pu_strlcpy(h->entity_id, dm->key + strlen("entity:"), sizeof h->entity_id);
    pu_strlcpy(h->caption, s->d[sp->d].caption, sizeof h->caption);
    pu_strlcpy(h->cluster, c->id, sizeof h->cluster);
    h->size = c->size;
    pu_strlcpy(h->via, m->key, sizeof h->via);
    pu_strlcpy(h->via_name, m->name, sizeof h->via_name);
    char born[64] = "";
    if (m->dob[0] && !strcmp(m->dob, dm->dob)) snprintf(born, sizeof born, ", born %s like the designated entity", m->dob);
    (void)pu_snprintf(h->reason, sizeof h->reason, "same person as %s [%s] by resolution (cluster %s, %u records): the name is %s '%s'%s",
             h->caption, h->entity_id, c->id, c->size, source_label(m->source), m->name, born);
}

int sameas_lookup(const sameas *s, const char *name, sameas_hit *hits, size_t max, size_t *n, pu_err *err) {
    *n = 0;
    if (!s || !s->nsp || !name || !max) return PU_OK;
    int oom = 0;
    char *key = name_key(name, &oom);
    if (oom) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!key) return PU_OK;
    spell probe = {key, 0, 0};
    size_t lo = 0, hi = s->nsp;   /* the first spelling >= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_spell(&s->sp[mid], &probe) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < s->nsp && !strcmp(s->sp[i].key, key) && *n < max; i++) {
        const char *id = s->m[s->d[s->sp[i].d].member].key + strlen("entity:");
        int dup = 0;
        for (size_t k = 0; k < *n && !dup; k++) dup = !strcmp(hits[k].entity_id, id);
        if (!dup) fill_hit(s, &s->sp[i], &hits[(*n)++]);
    }
    free(key);
    return PU_OK;
}

/* 1 when the result's matches already hold entity id as a match. */
static int matched(json_t *result, const char *id) {
    json_t *m = json_object_get(result, "results"), *x;   /* screen_result_to_json's matches */
    size_t i;
    json_array_foreach(m, i, x) {
        const char *e = json_string_value(json_object_get(x, "id"));
        if (!e) e = json_string_value(json_object_get(x, "entity_id"));
        if (e && !strcmp(e, id) && json_is_true(json_object_get(x, "match"))) return 1;
    }
    return 0;
}

int sameas_annotate_json(const sameas *s, const char *const *names, size_t n, json_t *result, pu_err *err) {
    if (!s || !s->nsp || !result) return PU_OK;
    json_t *arr = NULL;
    for (size_t q = 0; q < n; q++) {
        sameas_hit hits[8];
        size_t nh = 0;
        int rc = sameas_lookup(s, names[q], hits, sizeof hits / sizeof hits[0], &nh, err);
        if (rc) {
            json_decref(arr);
            return rc;
        }
        for (size_t i = 0; i < nh; i++) {
            if (matched(result, hits[i].entity_id)) continue;
            int dup = 0;
            json_t *x;
            size_t k;
            json_array_foreach(arr, k, x) dup |= !strcmp(json_string_value(json_object_get(x, "entity_id")), hits[i].entity_id);
            if (dup) continue;
            if (!arr && !(arr = json_array())) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            x = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "entity_id", hits[i].entity_id, "caption", hits[i].caption,
                          "cluster", hits[i].cluster, "records", (json_int_t)hits[i].size, "via", hits[i].via,
                          "via_name", hits[i].via_name, "reason", hits[i].reason);
            if (!x || json_array_append_new(arr, x)) {
                json_decref(arr);
                return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            }
        }
    }
    if (arr) json_object_set_new(result, "resolved", arr);
    return PU_OK;
}
