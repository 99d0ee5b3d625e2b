/*
 * store_home.c - the node a store is in a federation, and the home rule:
 * a record is written on its owner's home node only (store.h, "federation";
 * docs/federation.md).
 *
 * The node's identity is one row of store_node (store migration 4). The
 * owner's home is its agency's country in acl_agency (the access module's
 * table, present in every store opened through the application; the home
 * rule is only looked up once a store is a node, which only
 * `puente federation init` makes it, through the application).
 */
#include "store/store.h"

#include <string.h>

#define NODE_NAME_MAX 20 /* publication and subscription names are built from it */

static int valid_country(const char *c) { return c && (strcmp(c, "US") == 0 || strcmp(c, "MX") == 0); }

static int valid_name(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > NODE_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
    return 1;
}

int store_node_get(db_t *db, store_node *out, int *federated, pu_err *err) {
    memset(out, 0, sizeof *out);
    *federated = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT name, country FROM store_node WHERE id = 1", &st, err);
    if (rc) return rc;
    int s = db_step(st, err);
    if (s == DB_ROW) {
        pu_strlcpy(out->name, db_col_text(st, 0), sizeof out->name);
        pu_strlcpy(out->country, db_col_text(st, 1), sizeof out->country);
        *federated = 1;
    }
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

/* The country of agency `owner` in acl_agency; "" when unknown. */
static int agency_country(db_t *db, const char *owner, char *out, size_t size, pu_err *err) {
    out[0] = '\0';
    db_stmt *st;
    int rc = db_prepare(db, "SELECT country FROM acl_agency WHERE acronym = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, owner, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) pu_strlcpy(out, db_col_text(st, 0), size);
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

/* The home rule for one owner on node `node` (a node: federated). */
static int home_of(db_t *db, const store_node *node, const char *owner, const char *record, pu_err *err) {
    char country[8];
    int rc = agency_country(db, owner, country, sizeof country, err);
    if (rc) return rc;
    if (strcmp(country, node->country) == 0) return PU_OK;
    if (!country[0])
        return pu_fail(err, PU_ERR_DENIED, record, "owner",
                       "agency %.32s is not known on node '%s' (%s), so its home node is unknown: add it with its"
                       " country (puente agency add) before filing its records",
                       owner, node->name, node->country);
    return pu_fail(err, PU_ERR_DENIED, record, "owner",
                   "records of %.32s are written on its home node (%s); this is node '%s' (%s), where they are"
                   " read-only replicas: change the record on the %s node",
                   owner, country, node->name, node->country, country);
}

int store_check_home(db_t *db, const char *owner, const char *record, pu_err *err) {
    if (pu_blank(owner)) return PU_OK;
    store_node node;
    int federated;
    int rc = store_node_get(db, &node, &federated, err);
    if (rc || !federated) return rc;
    return home_of(db, &node, owner, record, err);
}

/* Records of the other country's agencies written here (not replicas of the
 * other node): a store with any of them cannot become a node. */
static int foreign_local_rows(db_t *db, const char *name, const char *country, int64_t *n, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT count(*) FROM entity e JOIN acl_agency a ON a.acronym = e.owner"
                   " WHERE a.country <> ? AND (e.home IS NULL OR e.home = ?)");
    db_sql_text(&q, country);
    db_sql_text(&q, name);
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    int s = db_step(st, err);
    *n = s == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return s == DB_ROW ? PU_OK : s == DB_DONE ? pu_fail(err, PU_ERR_DB, NULL, NULL, "count returned no row") : s;
}

static int exec_text2(db_t *db, const char *sql, const char *a, const char *b, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, a, -1);
    if (b) db_bind_text(st, 2, b, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

static int node_set_tx(db_t *db, const char *name, const char *country, pu_err *err) {
    store_node cur;
    int federated;
    int rc = store_node_get(db, &cur, &federated, err);
    if (rc) return rc;
    if (federated && (strcmp(cur.name, name) != 0 || strcmp(cur.country, country) != 0))
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "node",
                       "this store is already node '%s' (%s), not '%s' (%s): a node keeps its name and country",
                       cur.name, cur.country, name, country);
    int64_t foreign = 0;
    if ((rc = foreign_local_rows(db, name, country, &foreign, err))) return rc;
    if (foreign > 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "node",
                       "the store holds %lld records of agencies of the other country written here: as node '%s' (%s)"
                       " they would have two homes; move them to the other node first",
                       (long long)foreign, name, country);
    if (!federated &&
        (rc = exec_text2(db, "INSERT INTO store_node (id, name, country) VALUES (1, ?, ?)", name, country, err)))
        return rc;
    /* every record so far was written here: this node is its home */
    return exec_text2(db, "UPDATE entity SET home = ? WHERE home IS NULL", name, NULL, err);
}

int store_node_set(db_t *db, const char *name, const char *country, pu_err *err) {
    if (!valid_name(name))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name",
                       "a node name is 1 to %d lower-case letters, digits or '_', got '%.40s'", NODE_NAME_MAX,
                       name ? name : "");
    if (!valid_country(country))
        return pu_fail(err, PU_ERR_INVALID, NULL, "country", "expected US or MX, got '%.8s'", country ? country : "");
    int own = !db_in_tx(db);
    int rc = own ? db_begin(db, err) : PU_OK;
    if (!rc) rc = node_set_tx(db, name, country, err);
    if (own) {
        if (rc) db_rollback(db);
        else rc = db_commit(db, err);
    }
    return rc;
}
