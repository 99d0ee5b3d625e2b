/* graph_load.c - the reader's graph, built from what the reader's scope
 * returns (graph.h "Loading"): node kinds as one table, the store's
 * entities and relationship schemata, trace, cargo and tips; resolution
 * joins the records of one person into one node. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "db/db_sql.h"
#include "ftm/ftm.h"
#include "graph/graph_int.h"
#include "resolve/resolve.h"

/* The node kinds: one entry per kind. */
static const struct { const char *kind, *label; } GRAPH_KINDS[] = {
    {"entity", "store entity"},       {"resolved", "resolved person or company"},
    {"trace.purchaser", "purchaser"}, {"trace.possessor", "possessor"},
    {"dealer", "dealer"},             {"firearm", "firearm"},
    {"recovery", "recovery"},         {"cargo.party", "cargo party"},
    {"address", "address"},           {"phone", "phone"},
    {"tip", "tip"},                   {"tip.mention", "name in a tip"},
    {"case", "case file"},            {"case.subject", "person named in a case"},
};
#define NKINDS (sizeof GRAPH_KINDS / sizeof GRAPH_KINDS[0])

/* FtM relationship schemata: an edge from one entity property to another. */
static const struct { const char *schema, *from, *to, *type; } RELS[] = {
    {"Ownership", "owner", "asset", "ownership"},          {"Directorship", "director", "organization", "directorship"},
    {"Membership", "member", "organization", "membership"}, {"Family", "person", "relative", "family"},
    {"Associate", "person", "associate", "associate"},      {"UnknownLink", "subject", "object", "unknown_link"},
    {"Employment", "employee", "employer", "employment"},   {"Representation", "agent", "client", "representation"},
};
#define NRELS (sizeof RELS / sizeof RELS[0])

/* Schemata that are records about an entity, not nodes of the network. */
static const char *const NOT_NODES[] = {"Sanction", "Identification", "Passport", "Note", "Mention", NULL};

#define TRACE_NAME_CTX "trace.person"       /* trace_int.h TRACE_PERSON_CTX: names are opened, never written */
#define TIP_VALUE_CTX "tip_entity.value"    /* tips_int.h TIPS_CTX_ENTITY */

static const char *kind_static(const char *kind) {
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(GRAPH_KINDS[i].kind, kind)) return GRAPH_KINDS[i].kind;
    return "entity";
}

/* ---- nodes and edges ---- */

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

uint32_t graph_lookup(const graph *g, const char *id) {
    if (!g->nslot) return UINT32_MAX;
    const gnode *n = g->nodes.data;
    for (size_t i = hash_str(id) & (g->nslot - 1);; i = (i + 1) & (g->nslot - 1)) {
        if (!g->slot[i]) return UINT32_MAX;
        if (!strcmp(n[g->slot[i] - 1].id, id)) return g->slot[i] - 1;
    }
}

static int rehash(graph *g) {
    size_t ns = g->nslot ? g->nslot * 2 : 1024;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s) return PU_ERR_NOMEM;
    const gnode *n = g->nodes.data;
    for (size_t v = 0; v < g->nodes.len; v++) {
        size_t i = hash_str(n[v].id) & (ns - 1);
        while (s[i]) i = (i + 1) & (ns - 1);
        s[i] = (uint32_t)v + 1;
    }
    free(g->slot);
    g->slot = s;
    g->nslot = ns;
    return PU_OK;
}

typedef struct lctx {
    graph *g;
    db_t *db;
    const store_scope *scope;
    resolve_view *rv;
    const char *from, *to;
    pu_err *err;
    int rc;
} lctx;

static int add_alias(lctx *c, const char *id, uint32_t v);
static uint32_t add_node(lctx *c, const char *id, const char *label, const char *kind);

/* The node of record "kind:ref": its resolved node when resolution joined
 * it with another record the reader sees. Adds it when absent. */
static uint32_t node(lctx *c, const char *kind, const char *ref, const char *label) {
    char id[GRAPH_ID_MAX];
    snprintf(id, sizeof id, "%s:%s", kind, ref);
    const resolve_member *m = resolve_view_find(c->rv, id);
    char alias[GRAPH_ID_MAX] = "";
    if (m && c->rv->c[m->cluster].size > 1) {
        pu_strlcpy(alias, id, sizeof alias);
        pu_strlcpy(id, c->rv->c[m->cluster].id, sizeof id);
        kind = "resolved";
    }
    graph *g = c->g;
    uint32_t v = graph_lookup(g, id);
    if (v == UINT32_MAX) v = add_node(c, id, label && *label ? label : ref, kind);
    if (v != UINT32_MAX && *alias && add_alias(c, alias, v)) return UINT32_MAX;
    return v;
}

static int add_alias(lctx *c, const char *id, uint32_t v) {
    const galias *a = c->g->alias.data;
    for (size_t i = c->g->alias.len; i-- > 0 && i + 64 > c->g->alias.len;)   /* recent repeats */
        if (a[i].v == v && !strcmp(a[i].id, id)) return PU_OK;
    galias x = {pu_strdup(id), v};
    if (!x.id || pu_vec_push(&c->g->alias, &x, sizeof x)) {
        free(x.id);
        return c->rc = pu_fail(c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return PU_OK;
}

static uint32_t add_node(lctx *c, const char *id, const char *label, const char *kind) {
    graph *g = c->g;
    uint32_t v;
    if ((g->nodes.len + 1) * 2 > g->nslot && rehash(g)) goto oom;
    gnode n = {pu_strdup(id), pu_strdup(label), kind_static(kind), 0};
    if (!n.id || !n.label || pu_vec_push(&g->nodes, &n, sizeof n)) {
        free(n.id), free(n.label);
        goto oom;
    }
    v = (uint32_t)g->nodes.len - 1;
    size_t i = hash_str(n.id) & (g->nslot - 1);
    while (g->slot[i]) i = (i + 1) & (g->nslot - 1);
    g->slot[i] = v + 1;
    return v;
oom:
    c->rc = pu_fail(c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    return UINT32_MAX;
}

static int in_window(const lctx *c, const char *date) {
    if (!c->from && !c->to) return 1;
    if (!date || strlen(date) < 10) return 0;   /* an undated edge is outside every window */
    if (c->from && strncmp(date, c->from, 10) < 0) return 0;
    if (c->to && strncmp(date, c->to, 10) > 0) return 0;
    return 1;
}

static void edge(lctx *c, uint32_t a, uint32_t b, const char *type, const char *src, const char *date) {
    if (c->rc || a == UINT32_MAX || b == UINT32_MAX || a == b || !in_window(c, date)) return;
    gedge e = {a, b, type, pu_strdup(src), ""};
    if (date) pu_strlcpy(e.date, date, sizeof e.date);
    if (!e.src || pu_vec_push(&c->g->edges, &e, sizeof e)) {
        free(e.src);
        c->rc = pu_fail(c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
}

/* ---- the store's entities ---- */

typedef struct pending {
    char *a, *b, *src;
    const char *type;
    char date[11];
} pending;

typedef struct ectx {
    lctx *c;
    pu_vec pend;    /* pending: edges between entities, added once every node is known */
} ectx;

static int is_rel(const char *schema) {
    for (size_t i = 0; i < NRELS; i++)
        if (!strcmp(RELS[i].schema, schema)) return (int)i;
    return -1;
}

static void pend(ectx *x, const char *a, const char *b, const char *type, const char *src, const char *date) {
    pending p = {pu_strdup(a), pu_strdup(b), pu_strdup(src), type, ""};
    if (date) pu_strlcpy(p.date, date, sizeof p.date);
    if (!p.a || !p.b || !p.src || pu_vec_push(&x->pend, &p, sizeof p)) {
        free(p.a), free(p.b), free(p.src);
        x->c->rc = pu_fail(x->c->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
}

static void phone_digits(const char *in, char *out, size_t size) {
    size_t n = 0;
    for (; *in && n + 1 < size; in++)
        if (isdigit((unsigned char)*in)) out[n++] = *in;
    out[n] = 0;
}

static int entity_cb(const ftm_entity *e, void *vctx) {
    ectx *x = vctx;
    lctx *c = x->c;
    int r = is_rel(e->schema);
    const char *start = ftm_entity_first(e, "startDate");
    if (r >= 0) {
        const char *a = ftm_entity_first(e, RELS[r].from), *b = ftm_entity_first(e, RELS[r].to);
        if (a && b) pend(x, a, b, RELS[r].type, e->id, start);
        return c->rc != PU_OK;
    }
    for (const char *const *s = NOT_NODES; *s; s++)
        if (!strcmp(*s, e->schema)) return 0;
    uint32_t me = node(c, "entity", e->id, ftm_entity_caption(e));
    /* ORCON: the originator controls re-sharing; the reader may look, but an
     * export carries only its own agency's (docs/access.md) */
    if (me != UINT32_MAX && e->caveats && strstr(e->caveats, "ORCON") &&
        (c->scope->system ? 0 : !e->owner || strcmp(e->owner, c->scope->agency)))
        ((gnode *)c->g->nodes.data)[me].orcon = 1;
    const ftm_schema *sch = ftm_schema_get(e->schema);
    for (size_t i = 0; sch && i < e->nprops; i++) {
        const ftm_prop *p = &e->props[i];
        if (ftm_schema_prop_type(sch, p->name) == FTM_ENTITY)
            for (size_t k = 0; k < p->n; k++) pend(x, e->id, p->values[k], "link", e->id, NULL);
        if (!strcmp(p->name, "phone"))
            for (size_t k = 0; k < p->n; k++) {
                char d[32];
                phone_digits(p->values[k], d, sizeof d);
                if (strlen(d) >= 7) edge(c, node(c, "entity", e->id, NULL), node(c, "phone", d, p->values[k]), "phone", e->id, NULL);
            }
    }
    return c->rc != PU_OK;
}

/* An entity edge joins two entities the reader sees: a relationship whose
 * subject or object is hidden is not loaded (it would reveal them). */
static void entities(lctx *c, store_t *st) {
    ectx x = {c, PU_VEC_INIT(pending, 0)};
    store_query q = {0};
    int rc = store_iter(st, c->scope, &q, entity_cb, &x, c->err);
    if (rc && !c->rc) c->rc = rc;
    pending *p = x.pend.data;
    for (size_t i = 0; i < x.pend.len; i++) {
        char ia[GRAPH_ID_MAX], ib[GRAPH_ID_MAX];
        snprintf(ia, sizeof ia, "entity:%s", p[i].a);
        snprintf(ib, sizeof ib, "entity:%s", p[i].b);
        const resolve_member *ma = resolve_view_find(c->rv, ia), *mb = resolve_view_find(c->rv, ib);
        uint32_t a = ma && c->rv->c[ma->cluster].size > 1 ? graph_lookup(c->g, c->rv->c[ma->cluster].id) : graph_lookup(c->g, ia);
        uint32_t b = mb && c->rv->c[mb->cluster].size > 1 ? graph_lookup(c->g, c->rv->c[mb->cluster].id) : graph_lookup(c->g, ib);
        if (!c->rc) edge(c, a, b, p[i].type, p[i].src, p[i].date);
        free(p[i].a), free(p[i].b), free(p[i].src);
    }
    pu_vec_free(&x.pend);
}

/* ---- SQL sources ---- */

typedef void (*row_fn)(lctx *c, db_stmt *q);

static void query(lctx *c, db_sql *q, row_fn fn) {
    if (c->rc) {
        db_sql_free(q);
        return;
    }
    db_stmt *st = NULL;
    int rc = db_sql_prepare(c->db, q, &st, c->err);
    db_sql_free(q);
    if (rc) {
        c->rc = rc;
        return;
    }
    while (!c->rc && (rc = db_step(st, c->err)) == DB_ROW) fn(c, st);
    db_finalize(st);
    if (!c->rc && rc != DB_DONE) c->rc = rc;
}

static int has_module(db_t *db, const char *module) {
    int v = 0;
    pu_err e = {0};
    return db_schema_version(db, module, &v, &e) == PU_OK && v > 0;
}

static void firearm_row(lctx *c, db_stmt *q) {
    char ref[32], label[160];
    snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, 0));
    snprintf(label, sizeof label, "%s %s", db_col_text(q, 1), db_col_text(q, 2));
    node(c, "firearm", ref, label);
}

static void event_row(lctx *c, db_stmt *q) {
    char fa[32], src[48];
    snprintf(fa, sizeof fa, "firearm:%lld", (long long)db_col_int64(q, 1));
    snprintf(src, sizeof src, "trace_event:%lld", (long long)db_col_int64(q, 0));
    uint32_t f = graph_lookup(c->g, fa);
    if (f == UINT32_MAX) return;   /* the firearm is hidden: so is its chain */
    const char *kind = db_col_text(q, 2), *date = db_col_text(q, 3);
    if (!strcmp(kind, "RETAIL") && *db_col_text(q, 4)) {
        char name[256];
        pu_err e = {0};
        if (store_unseal_buf(TRACE_NAME_CTX, db_col_text(q, 5), name, sizeof name, &e)) pu_strlcpy(name, "[sealed]", sizeof name);
        edge(c, node(c, "trace.purchaser", db_col_text(q, 4), name), f, "purchase", src, date);
    }
    if (!strcmp(kind, "DEALER") && *db_col_text(q, 6))
        edge(c, node(c, "dealer", db_col_text(q, 6), db_col_text(q, 5)), f, "sold", src, date);
}

static void request_row(lctx *c, db_stmt *q) {
    const char *number = db_col_text(q, 0), *date = db_col_text(q, 2);
    char src[48];
    snprintf(src, sizeof src, "trace_request:%s", number);
    uint32_t r = node(c, "recovery", number, number);
    if (!db_col_isnull(q, 1) && !db_col_isnull(q, 3)) {   /* the result, when the reader sees its sale */
        char fa[32];
        snprintf(fa, sizeof fa, "firearm:%lld", (long long)db_col_int64(q, 1));
        edge(c, graph_lookup(c->g, fa), r, "recovery", src, date);
    }
    if (*db_col_text(q, 4)) {
        char name[256];
        pu_err e = {0};
        if (store_unseal_buf(TRACE_NAME_CTX, db_col_text(q, 4), name, sizeof name, &e)) pu_strlcpy(name, "[sealed]", sizeof name);
        edge(c, node(c, "trace.possessor", number, name), r, "possessed", src, date);
    }
}

static void trace(lctx *c) {
    if (!has_module(c->db, "trace")) return;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.id, f.mfr, f.serial FROM trace_firearm f WHERE ");
    store_scope_sql(&q, c->scope, "f");
    query(c, &q, firearm_row);
    db_sql_init(&q);
    db_sql_add(&q, "SELECT e.id, e.firearm_id, e.kind, e.date, COALESCE(e.party_key, ''), COALESCE(e.party, ''),"
                   " COALESCE(e.ffl, '') FROM trace_event e WHERE e.kind IN ('RETAIL', 'DEALER') AND ");
    store_scope_sql(&q, c->scope, "e");
    db_sql_add(&q, " ORDER BY e.id");
    query(c, &q, event_row);
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.number, r.firearm_id, r.recovery_date, e.id, COALESCE(r.possessor, '')"
                   " FROM trace_request r LEFT JOIN trace_event e ON e.id = r.retail_event_id AND ");
    store_scope_sql(&q, c->scope, "e");
    db_sql_add(&q, " WHERE ");
    store_scope_sql(&q, c->scope, "r");
    db_sql_add(&q, " ORDER BY r.id");
    query(c, &q, request_row);
}

/* A cargo party's node: its resolved node, else its normalised name (the
 * same consignee on every shipment is one node without resolution too). */
static uint32_t party(lctx *c, int64_t ship, const char *role, const char *name) {
    char key[GRAPH_ID_MAX], norm[200];
    snprintf(key, sizeof key, "cargo.party:%lld:%s", (long long)ship, role);
    const resolve_member *m = resolve_view_find(c->rv, key);
    if (m && c->rv->c[m->cluster].size > 1) return node(c, "cargo.party", key + strlen("cargo.party:"), name);
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof norm; p++)
        if (isalnum((unsigned char)*p) || *p == ' ') norm[n++] = (char)tolower((unsigned char)*p);
    norm[n] = 0;
    return node(c, "cargo.party", norm, name);
}

static void address(lctx *c, uint32_t who, const char *addr, const char *src, const char *date) {
    char norm[200];
    size_t n = 0;
    for (const char *p = addr; *p && n + 1 < sizeof norm; p++)
        if (isalnum((unsigned char)*p)) norm[n++] = (char)tolower((unsigned char)*p);
    norm[n] = 0;
    if (n >= 6) edge(c, who, node(c, "address", norm, addr), "address", src, date);
}

static void shipment_row(lctx *c, db_stmt *q) {
    int64_t id = db_col_int64(q, 0);
    char src[48];
    snprintf(src, sizeof src, "cargo_shipment:%lld", (long long)id);
    const char *date = db_col_text(q, 8);
    uint32_t s = *db_col_text(q, 1) ? party(c, id, "shipper", db_col_text(q, 1)) : UINT32_MAX;
    uint32_t k = *db_col_text(q, 3) ? party(c, id, "consignee", db_col_text(q, 3)) : UINT32_MAX;
    edge(c, s, k, "shipment", src, date);
    if (*db_col_text(q, 5)) edge(c, party(c, id, "notify", db_col_text(q, 5)), k, "notify", src, date);
    if (*db_col_text(q, 7)) edge(c, party(c, id, "forwarder", db_col_text(q, 7)), s, "forwarded", src, date);
    if (s != UINT32_MAX) address(c, s, db_col_text(q, 2), src, date);
    if (k != UINT32_MAX) address(c, k, db_col_text(q, 4), src, date);
}

static void cargo(lctx *c) {
    if (!has_module(c->db, "cargo")) return;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.id, COALESCE(s.shipper_name, ''), COALESCE(s.shipper_address, ''),"
                   " COALESCE(s.consignee_name, ''), COALESCE(s.consignee_address, ''), COALESCE(s.notify_name, ''),"
                   " NULL, COALESCE(s.forwarder, ''), COALESCE(s.arrival_date, '') FROM cargo_shipment s WHERE ");
    store_scope_sql(&q, c->scope, "s");
    db_sql_add(&q, " ORDER BY s.id");
    query(c, &q, shipment_row);
}

static void tip_row(lctx *c, db_stmt *q) {
    const char *tip = db_col_text(q, 0), *kind = db_col_text(q, 2), *date = db_col_text(q, 4);
    char value[256], ref[32], src[64];
    pu_err e = {0};
    if (store_unseal_buf(TIP_VALUE_CTX, db_col_text(q, 3), value, sizeof value, &e)) return;
    snprintf(src, sizeof src, "tip:%s", tip);
    uint32_t t = node(c, "tip", tip, tip);
    if (!strcmp(kind, "phone")) {
        char d[32];
        phone_digits(value, d, sizeof d);
        if (strlen(d) >= 7) edge(c, node(c, "phone", d, value), t, "mentioned", src, date);
        return;
    }
    snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, 1));
    edge(c, node(c, "tip.mention", ref, value), t, "mentioned", src, date);
}

static void tips(lctx *c) {
    if (!has_module(c->db, "tips")) return;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT t.id, e.id, e.kind, e.value, t.received_day FROM tip_entity e JOIN tip t ON t.id = e.tip_id"
                   " WHERE e.kind IN ('nickname', 'company', 'phone') AND ");
    store_scope_sql(&q, c->scope, "t");
    db_sql_add(&q, " ORDER BY e.id");
    query(c, &q, tip_row);
}

/* ---- case files (#22) ----
 * A case is a node when the cases module's own rule (case_visible_sql:
 * releasable or shared, AND the reader's agency a member) lets the reader
 * see it. The scope is the reader here (the graph cache is keyed by scope),
 * so membership is the agency's: a user-only member does not see the case in
 * the graph (stricter, never wider). Subjects and evidence links are edges
 * to nodes already loaded, so a hidden target (an entity re-marked, a tip
 * for a reader without the tips permission, a recovery it may not see) is no
 * edge, and a subject recorded from a now hidden entity shows nothing, not
 * even the name copied at the time. */

/* The loaded node of record kind:ref (its resolved node when joined), never
 * a new one: an edge to it only when the reader already sees it. */
static uint32_t loaded(lctx *c, const char *kind, const char *ref) {
    char id[GRAPH_ID_MAX];
    snprintf(id, sizeof id, "%s:%s", kind, ref);
    const resolve_member *m = resolve_view_find(c->rv, id);
    if (m && c->rv->c[m->cluster].size > 1) return graph_lookup(c->g, c->rv->c[m->cluster].id);
    return graph_lookup(c->g, id);
}

static void case_visible(lctx *c, db_sql *q, const char *alias) {
    case_reader rd = {c->scope, NULL};
    case_visible_sql(q, &rd, alias);
}

static uint32_t case_node(lctx *c, db_stmt *q, int col) {
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, col));
    return loaded(c, "case", ref);
}

static void case_row(lctx *c, db_stmt *q) {
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, 0));
    (void)node(c, "case", ref, db_col_text(q, 1));
}

static void subject_row(lctx *c, db_stmt *q) {
    char src[48], ref[24];
    snprintf(src, sizeof src, "case_subject:%lld", (long long)db_col_int64(q, 0));
    uint32_t k = case_node(c, q, 1), who;
    if (*db_col_text(q, 2)) {
        who = loaded(c, "entity", db_col_text(q, 2));   /* hidden entity: no edge, no name */
    } else {
        snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, 0));
        who = node(c, "case.subject", ref, db_col_text(q, 3));
    }
    edge(c, k, who, "subject", src, db_col_text(q, 4));
}

static void link_row(lctx *c, db_stmt *q) {
    static const struct { const char *link, *kind; } TARGETS[] = {
        {"trace", "recovery"}, {"tip", "tip"}, {"entity", "entity"}, {"screening", "entity"}, {"kinship", "entity"}};
    const char *kind = db_col_text(q, 2), *target = db_col_text(q, 3);
    char src[48];
    snprintf(src, sizeof src, "case_link:%lld", (long long)db_col_int64(q, 0));
    uint32_t k = case_node(c, q, 1);
    if (!strcmp(kind, "cargo")) {   /* a shipment is no node: its parties are */
        if (*db_col_text(q, 5)) edge(c, k, party(c, db_col_int64(q, 7), "shipper", db_col_text(q, 5)), "evidence", src, db_col_text(q, 4));
        if (*db_col_text(q, 6)) edge(c, k, party(c, db_col_int64(q, 7), "consignee", db_col_text(q, 6)), "evidence", src, db_col_text(q, 4));
        return;
    }
    for (size_t i = 0; i < sizeof TARGETS / sizeof TARGETS[0]; i++)
        if (!strcmp(kind, TARGETS[i].link)) edge(c, k, loaded(c, TARGETS[i].kind, target), "evidence", src, db_col_text(q, 4));
}

static void cases(lctx *c) {
    if (!has_module(c->db, "cases")) return;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT k.id, k.title FROM case_file k WHERE ");
    case_visible(c, &q, "k");
    db_sql_add(&q, " ORDER BY k.id");
    query(c, &q, case_row);
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.id, s.case_id, COALESCE(s.entity_id, ''), s.name, k.opened FROM case_subject s"
                   " JOIN case_file k ON k.id = s.case_id WHERE ");
    case_visible(c, &q, "k");
    db_sql_add(&q, " ORDER BY s.id");
    query(c, &q, subject_row);
    /* cargo targets: the shipment's parties, when the reader sees the shipment */
    int cargo = has_module(c->db, "cargo");
    db_sql_init(&q);
    db_sql_add(&q, "SELECT l.id, l.case_id, l.kind, l.target, l.created");
    if (cargo) {
        db_sql_add(&q, ", COALESCE(s.shipper_name, ''), COALESCE(s.consignee_name, ''), s.id FROM case_link l"
                       " JOIN case_file k ON k.id = l.case_id LEFT JOIN cargo_shipment s ON l.kind = 'cargo'"
                       " AND CAST(s.id AS TEXT) = l.target AND ");
        store_scope_sql(&q, c->scope, "s");
    } else {
        db_sql_add(&q, ", '', '', 0 FROM case_link l JOIN case_file k ON k.id = l.case_id");
    }
    db_sql_add(&q, " WHERE ");
    case_visible(c, &q, "k");
    db_sql_add(&q, " ORDER BY l.id");
    query(c, &q, link_row);
}

/* ---- the igraph ---- */

static int build(graph *g, pu_err *err) {
    igraph_vector_int_t ev;
    if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * g->edges.len)))
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    const gedge *e = g->edges.data;
    for (size_t i = 0; i < g->edges.len; i++) {
        VECTOR(ev)[2 * i] = e[i].a;
        VECTOR(ev)[2 * i + 1] = e[i].b;
    }
    int rc = igraph_create(&g->ig, &ev, (igraph_integer_t)g->nodes.len, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    if (rc) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "igraph: cannot build the graph");
    g->built = 1;
    return PU_OK;
}

int graph_load(db_t *db, store_t *st, const store_scope *scope, const graph_opts *o, graph **out, pu_err *err) {
    *out = NULL;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    int64_t day;
    if (o && o->from && pu_parse_date(o->from, &day))
        return pu_fail(err, PU_ERR_INVALID, NULL, "from", "expected a date YYYY-MM-DD, got '%s'", o->from);
    if (o && o->to && pu_parse_date(o->to, &day))
        return pu_fail(err, PU_ERR_INVALID, NULL, "to", "expected a date YYYY-MM-DD, got '%s'", o->to);
    graph *g = calloc(1, sizeof *g);
    if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pu_vec_init(&g->nodes, sizeof(gnode), 0);
    pu_vec_init(&g->edges, sizeof(gedge), 0);
    pu_vec_init(&g->alias, sizeof(galias), 0);
    atomic_init(&g->refs, 1);
    g->leiden = calloc(1, sizeof *g->leiden);
    if (!g->leiden) {
        graph_free(g);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    pthread_mutex_init(&g->leiden->lock, NULL);
    lctx c = {g, db, scope, NULL, o ? o->from : NULL, o ? o->to : NULL, err, PU_OK};
    int ver = 0;
    if (db_schema_version(db, "resolve", &ver, err)) c.rc = PU_ERR_DB;
    int with_tips = o && o->with_tips;
    if (!c.rc && ver) c.rc = resolve_clusters_ex(db, scope, with_tips ? RESOLVE_WITH_TIPS : 0, &c.rv, err);
    if (!c.rc && st) entities(&c, st);
    trace(&c);
    cargo(&c);
    if (with_tips) tips(&c);
    cases(&c);   /* last: its edges go to nodes already loaded */
    resolve_view_free(c.rv);
    if (!c.rc) c.rc = build(g, err);
    if (c.rc) {
        graph_free(g);
        return c.rc;
    }
    g->bytes = graph_bytes_estimate(g);
    *out = g;
    return PU_OK;
}

/* Per allocation overhead of malloc, counted in the estimate. */
#define GRAPH_MALLOC_OVERHEAD 16

size_t graph_bytes_estimate(const graph *g) {
    size_t b = sizeof *g + g->nslot * sizeof *g->slot;
    const gnode *n = g->nodes.data;
    for (size_t i = 0; i < g->nodes.len; i++)
        b += sizeof *n + strlen(n[i].id) + strlen(n[i].label) + 2 + 2 * GRAPH_MALLOC_OVERHEAD;
    const gedge *e = g->edges.data;
    for (size_t i = 0; i < g->edges.len; i++) b += sizeof *e + strlen(e[i].src) + 1 + GRAPH_MALLOC_OVERHEAD;
    const galias *a = g->alias.data;
    for (size_t i = 0; i < g->alias.len; i++) b += sizeof *a + strlen(a[i].id) + 1 + GRAPH_MALLOC_OVERHEAD;
    /* igraph_t: from, to and two edge indexes per edge; two offset vectors per node */
    b += 4 * sizeof(igraph_integer_t) * g->edges.len + 2 * sizeof(igraph_integer_t) * (g->nodes.len + 1);
    b += sizeof(graph_memo) + sizeof(igraph_integer_t) * g->nodes.len;   /* a kept Leiden partition */
    return b;
}

size_t graph_bytes(const graph *g) { return g ? g->bytes : 0; }

void graph_free(graph *g) {
    if (!g) return;
    if (atomic_fetch_sub(&g->refs, 1) != 1) return;   /* another holder (the cache, a reader) */
    gnode *n = g->nodes.data;
    for (size_t i = 0; i < g->nodes.len; i++) free(n[i].id), free(n[i].label);
    gedge *e = g->edges.data;
    for (size_t i = 0; i < g->edges.len; i++) free(e[i].src);
    galias *al = g->alias.data;
    for (size_t i = 0; i < g->alias.len; i++) free(al[i].id);
    pu_vec_free(&g->nodes);
    pu_vec_free(&g->edges);
    pu_vec_free(&g->alias);
    free(g->slot);
    if (g->built) igraph_destroy(&g->ig);
    if (g->leiden) {
        if (g->leiden->valid) igraph_vector_int_destroy(&g->leiden->memb);
        pthread_mutex_destroy(&g->leiden->lock);
        free(g->leiden);
    }
    free(g);
}

size_t graph_nodes(const graph *g) { return g->nodes.len; }
size_t graph_edges(const graph *g) { return g->edges.len; }
const char *graph_node_id(const graph *g, uint32_t v) { return ((const gnode *)g->nodes.data)[v].id; }
const char *graph_node_label(const graph *g, uint32_t v) { return ((const gnode *)g->nodes.data)[v].label; }
const char *graph_node_kind(const graph *g, uint32_t v) { return ((const gnode *)g->nodes.data)[v].kind; }

int graph_find(const graph *g, const char *key, uint32_t *out, pu_err *err) {
    char id[GRAPH_ID_MAX];
    uint32_t v = graph_lookup(g, key);
    snprintf(id, sizeof id, "entity:%s", key);   /* a bare store entity id */
    int bare = v == UINT32_MAX && !strchr(key, ':');
    if (bare) v = graph_lookup(g, id);
    const galias *a = g->alias.data;   /* a record joined by resolution: its resolved node */
    for (size_t i = 0; i < g->alias.len && v == UINT32_MAX; i++)
        if (!strcmp(a[i].id, key) || (bare && !strcmp(a[i].id, id))) v = a[i].v;
    if (v == UINT32_MAX) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "node", "no node '%s'", key);
    *out = v;
    return PU_OK;
}
