/* resolve_collect.c - the records of every engine that name a person or a
 * company, read through each engine's tables with the reader's scope in
 * SQL (store_scope_sql; store_iter for the store). Only the tables listed
 * here are read: the protection module's are never (docs/resolve.md
 * "Sources"). Sealed names are opened with their engine's context. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_int.h"
#include "screen/screen.h"

/* Sealing contexts of the engines' name columns (trace_int.h TRACE_PERSON_CTX,
 * tips_int.h TIPS_CTX_ENTITY): the values are opened, never written here. */
#define TRACE_NAME_CTX "trace.person"
#define TIP_VALUE_CTX "tip_entity.value"

/* Lower-case letters and digits only: addresses compared loosely. */
void resolve_norm_addr(const char *in, char *out, size_t size) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; p && *p && n + 1 < size; p++)
        if (isalnum(*p)) out[n++] = (char)tolower(*p);
    out[n] = 0;
}

/* Digits only, the last RESOLVE_PHONE_DIGITS (country prefixes vary). */
static void norm_phone(const char *in, char *out, size_t size) {
    char d[64];
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < sizeof d; p++)
        if (*p >= '0' && *p <= '9') d[n++] = *p;
    d[n] = 0;
    pu_strlcpy(out, n > RESOLVE_PHONE_DIGITS ? d + n - RESOLVE_PHONE_DIGITS : d, size);
}

static int add(resolve_set *s, resolve_rec *r, pu_err *err) {
    if (!r->name || pu_blank(r->name)) return PU_OK;
    int rc = resolve_set_add(s, r, err);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {   /* a name that normalises to nothing is no record */
        pu_err_clear(err);
        rc = PU_OK;
    }
    return rc;
}

/* ---- the store's entities ---- */

static const struct { const char *prop, *type; } ID_PROPS[] = {
    {"taxNumber", "TAX"}, {"idNumber", "ID"}, {"passportNumber", "PASSPORT"}, {"registrationNumber", "REG"},
    {"innCode", "TAX"}, {"vatCode", "TAX"}, {"licenseNumber", "LICENSE"},
};

typedef struct ectx {
    resolve_set *s;
    pu_err *err;
    int rc;
} ectx;

static void append_ids(const ftm_entity *e, pu_buf *ids) {
    for (size_t i = 0; i < sizeof ID_PROPS / sizeof ID_PROPS[0]; i++) {
        const ftm_prop *p = ftm_entity_prop(e, ID_PROPS[i].prop);
        for (size_t k = 0; p && k < p->n; k++) {
            char v[64];
            if (screen_normalize_id(p->values[k], v, sizeof v) == PU_OK) pu_buf_printf(ids, "%s=%s;", ID_PROPS[i].type, v);
        }
    }
}

static int entity_row(const ftm_entity *e, void *vctx) {
    ectx *c = vctx;
    const char *name = ftm_entity_first(e, "name");
    if (!name) return 0;
    pu_buf ids = PU_BUF_INIT(4096), phones = PU_BUF_INIT(1024);
    append_ids(e, &ids);
    const ftm_prop *ph = ftm_entity_prop(e, "phone");
    for (size_t k = 0; ph && k < ph->n; k++) {
        char d[RESOLVE_PHONE_DIGITS + 1];
        norm_phone(ph->values[k], d, sizeof d);
        if (*d) pu_buf_printf(&phones, "%s;", d);
    }
    char addr[256] = "";
    resolve_norm_addr(ftm_entity_first(e, "address"), addr, sizeof addr);
    const char *dob = ftm_entity_first(e, "birthDate");
    resolve_rec r = {.source = "entity", .ref = e->id, .name = (char *)name, .schema = e->schema,
                     .ids = (char *)pu_buf_str(&ids), .phones = (char *)pu_buf_str(&phones), .addr = addr};
    if (dob && strlen(dob) >= 10) pu_strlcpy(r.dob, dob, sizeof r.dob);
    pu_strlcpy(r.owner, e->owner ? e->owner : "", sizeof r.owner);
    pu_strlcpy(r.marking, e->marking ? e->marking : "PUBLIC", sizeof r.marking);
    if (e->created) pu_strlcpy(r.date, e->created, sizeof r.date);
    c->rc = add(c->s, &r, c->err);
    pu_buf_free(&ids);
    pu_buf_free(&phones);
    return c->rc != PU_OK;
}

static int entities(store_t *st, const store_scope *scope, resolve_set *s, pu_err *err) {
    ectx c = {s, err, PU_OK};
    store_query q = {.schema = "LegalEntity"};
    int rc = store_iter(st, scope, &q, entity_row, &c, err);
    return rc ? rc : c.rc;
}

/* ---- SQL sources ---- */

typedef int (*row_fn)(db_stmt *q, resolve_set *s, pu_err *err);

static int query(db_t *db, const char *head, const store_scope *scope, const char *alias, const char *tail,
                 row_fn fn, resolve_set *s, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, head);
    store_scope_sql(&q, scope, alias);
    if (tail) db_sql_add(&q, tail);
    db_stmt *st = NULL;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if ((rc = fn(st, s, err))) break;
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static void fill_common(resolve_rec *r, db_stmt *q, int owner_col, int date_col) {
    pu_strlcpy(r->owner, db_col_text(q, owner_col), sizeof r->owner);
    pu_strlcpy(r->marking, db_col_text(q, owner_col + 1), sizeof r->marking);
    pu_strlcpy(r->date, db_col_text(q, date_col), sizeof r->date);
}

static int purchaser_row(db_stmt *q, resolve_set *s, pu_err *err) {
    char name[256], dob[16];
    if (store_unseal_buf(TRACE_NAME_CTX, db_col_text(q, 1), name, sizeof name, err)) {
        pu_err_clear(err);   /* sealed with a key that is not configured: no name to resolve */
        return PU_OK;
    }
    pu_strlcpy(dob, db_col_text(q, 2), sizeof dob);
    resolve_rec r = {.source = RESOLVE_SRC_PURCHASER, .ref = (char *)db_col_text(q, 0), .name = name, .schema = "Person"};
    if (strlen(dob) == 10) pu_strlcpy(r.dob, dob, sizeof r.dob);
    fill_common(&r, q, 3, 5);
    return add(s, &r, err);
}

static int possessor_row(db_stmt *q, resolve_set *s, pu_err *err) {
    char name[256], addr[256] = "", araw[256];
    if (store_unseal_buf(TRACE_NAME_CTX, db_col_text(q, 1), name, sizeof name, err) ||
        store_unseal_buf(TRACE_NAME_CTX, db_col_text(q, 3), araw, sizeof araw, err)) {
        pu_err_clear(err);
        return PU_OK;
    }
    resolve_norm_addr(araw, addr, sizeof addr);
    resolve_rec r = {.source = RESOLVE_SRC_POSSESSOR, .ref = (char *)db_col_text(q, 0), .name = name,
                     .schema = "Person", .addr = addr};
    if (strlen(db_col_text(q, 2)) == 10) pu_strlcpy(r.dob, db_col_text(q, 2), sizeof r.dob);
    fill_common(&r, q, 5, 4);
    return add(s, &r, err);
}

/* A dealer: the licensee's business name as the DEALER events give it (a
 * business name is not sealed, trace_import.c), its FFL as the strong key. */
static int dealer_row(db_stmt *q, resolve_set *s, pu_err *err) {
    char ffl[24];
    if (screen_normalize_id(db_col_text(q, 0), ffl, sizeof ffl) != PU_OK) return PU_OK;   /* no usable licence */
    resolve_rec r = {.source = RESOLVE_SRC_DEALER, .ref = (char *)db_col_text(q, 0), .name = (char *)db_col_text(q, 1),
                     .schema = "LegalEntity"};
    pu_strlcpy(r.ffl, ffl, sizeof r.ffl);
    fill_common(&r, q, 2, 4);
    return add(s, &r, err);
}

static const char *const CARGO_ROLES[] = {"shipper", "consignee", "notify", "forwarder"};

static int cargo_row(db_stmt *q, resolve_set *s, pu_err *err) {
    for (int i = 0; i < 4; i++) {
        const char *name = db_col_text(q, 1 + 2 * i);
        if (!*name) continue;
        char ref[64], addr[256] = "";
        snprintf(ref, sizeof ref, "%lld:%s", (long long)db_col_int64(q, 0), CARGO_ROLES[i]);
        if (i < 3) resolve_norm_addr(db_col_text(q, 2 + 2 * i), addr, sizeof addr);
        resolve_rec r = {.source = RESOLVE_SRC_CARGO, .ref = ref, .name = (char *)name, .schema = "LegalEntity",
                         .addr = addr};
        fill_common(&r, q, 10, 9);
        int rc = add(s, &r, err);
        if (rc) return rc;
    }
    return PU_OK;
}

static int tip_row(db_stmt *q, resolve_set *s, pu_err *err) {
    char value[256], ref[32];
    if (store_unseal_buf(TIP_VALUE_CTX, db_col_text(q, 2), value, sizeof value, err)) {
        pu_err_clear(err);
        return PU_OK;
    }
    snprintf(ref, sizeof ref, "%lld", (long long)db_col_int64(q, 0));
    resolve_rec r = {.source = RESOLVE_SRC_TIP, .ref = ref, .name = value,
                     .schema = !strcmp(db_col_text(q, 1), "company") ? "Company" : "Person"};
    fill_common(&r, q, 4, 3);
    return add(s, &r, err);
}

/* 1 when the module's tables exist in this store. */
static int has_module(db_t *db, const char *module) {
    int v = 0;
    pu_err e = {0};
    return db_schema_version(db, module, &v, &e) == PU_OK && v > 0;
}

int resolve_collect(db_t *db, store_t *st, const store_scope *scope, resolve_set *s, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, "scope", "no reader scope");
    int rc = st ? entities(st, scope, s, err) : PU_OK;
    if (!rc && has_module(db, "trace"))
        rc = query(db,
                   "SELECT e.party_key, MIN(e.party), MIN(COALESCE(e.dob, '')), e.owner, e.marking, MIN(e.date)"
                   " FROM trace_event e WHERE e.kind = 'RETAIL' AND e.party_key IS NOT NULL AND e.party IS NOT NULL AND ",
                   scope, "e", " GROUP BY e.party_key, e.owner, e.marking ORDER BY e.party_key", purchaser_row, s, err);
    if (!rc && has_module(db, "trace"))
        rc = query(db,
                   "SELECT r.number, r.possessor, COALESCE(r.possessor_dob, ''), COALESCE(r.possessor_address, ''),"
                   " r.recovery_date, r.owner, r.marking FROM trace_request r WHERE r.possessor IS NOT NULL AND ",
                   scope, "r", " ORDER BY r.id", possessor_row, s, err);
    if (!rc && has_module(db, "trace"))
        rc = query(db,
                   "SELECT e.ffl, MIN(e.party), e.owner, e.marking, MIN(e.date) FROM trace_event e"
                   " WHERE e.kind = 'DEALER' AND e.ffl IS NOT NULL AND e.ffl <> '' AND e.party IS NOT NULL AND ",
                   scope, "e", " GROUP BY e.ffl, e.owner, e.marking ORDER BY e.ffl", dealer_row, s, err);
    if (!rc && has_module(db, "cargo"))
        rc = query(db,
                   "SELECT s.id, COALESCE(s.shipper_name, ''), s.shipper_address, COALESCE(s.consignee_name, ''),"
                   " s.consignee_address, COALESCE(s.notify_name, ''), s.notify_address, COALESCE(s.forwarder, ''),"
                   " NULL, COALESCE(s.arrival_date, ''), s.owner, s.marking FROM cargo_shipment s WHERE ",
                   scope, "s", " ORDER BY s.id", cargo_row, s, err);
    if (!rc && has_module(db, "tips"))
        rc = query(db,
                   "SELECT e.id, e.kind, e.value, t.received_day, t.owner, t.marking FROM tip_entity e"
                   " JOIN tip t ON t.id = e.tip_id WHERE e.kind IN ('nickname', 'company') AND ",
                   scope, "t", " ORDER BY e.id", tip_row, s, err);
    return rc;
}
