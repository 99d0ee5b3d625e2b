/*
 * fed_pg.c - federation init and status over PostgreSQL's own logical
 * replication (federation.h, docs/federation.md).
 *
 * This is the one module whose SQL is PostgreSQL's by nature (publications,
 * subscriptions, replication statistics), so it asks db_backend() once and
 * refuses an SQLite store with a clear message instead of failing in SQL.
 * Every name it writes into SQL is checked first (node names: a-z 0-9 _;
 * URIs: no quote, backslash or space, fed_config.c) or comes from
 * PostgreSQL's quote_ident; the row filter comes from the store's rule
 * table (store_release_sql).
 */
#include "federation/federation.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

#define FED_SQL_MAX 8192
#define FED_TRIGGER "puente_fed_applied"

static int need_pg(db_t *db, pu_err *err) {
    if (strcmp(db_backend(db), "postgresql") == 0) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, db_path(db), NULL,
                   "federation needs PostgreSQL stores (it is PostgreSQL logical replication); this store is %s:"
                   " use --db postgresql://...",
                   db_backend(db));
}

/* Run one statement built from trusted pieces (see the file comment). */
static int exec_f(db_t *db, pu_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int exec_f(db_t *db, pu_err *err, const char *fmt, ...) {
    char sql[FED_SQL_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof sql) return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "federation statement too long");
    return db_exec(db, sql, err);
}

/* The first column of the first row of sql (one optional text parameter). */
static int query_text(db_t *db, const char *sql, const char *param, char *out, size_t size, pu_err *err) {
    out[0] = '\0';
    db_stmt *st;
    int rc = db_prepare(db, sql, &st, err);
    if (rc) return rc;
    if (param) db_bind_text(st, 1, param, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) pu_strlcpy(out, db_col_text(st, 0), size);
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

static int check_wal_level(db_t *db, pu_err *err) {
    char level[32];
    int rc = query_text(db, "SELECT current_setting('wal_level')", NULL, level, sizeof level, err);
    if (rc) return rc;
    if (strcmp(level, "logical") == 0) return PU_OK;
    return pu_fail(err, PU_ERR_INVALID, db_path(db), "wal_level",
                   "wal_level is '%s': logical replication needs wal_level = logical in postgresql.conf (and a"
                   " restart of the server)",
                   level);
}

/* The REPLICA trigger: the apply worker runs with session_replication_role
 * = replica, where this fires and ordinary triggers (and foreign-key
 * cascades) do not. It rebuilds entity_dataset from the replicated body
 * (entity_dataset is not published: it has no marking to filter on) and
 * bumps the `entity` generation so caches see the replica at once. A sealed
 * body (docs/security.md) is not JSON: its datasets stay unknown here. */
static int create_trigger(db_t *db, const char *schema, pu_err *err) {
    int rc = exec_f(db, err,
                    "CREATE OR REPLACE FUNCTION %s." FED_TRIGGER "() RETURNS trigger LANGUAGE plpgsql"
                    " SET search_path = %s AS $fn$\n"
                    "BEGIN\n"
                    "  IF TG_OP <> 'INSERT' THEN DELETE FROM entity_dataset WHERE entity_id = OLD.id; END IF;\n"
                    "  IF TG_OP <> 'DELETE' AND left(NEW.data, 1) = '{' THEN\n"
                    "    INSERT INTO entity_dataset (dataset, entity_id)\n"
                    "      SELECT DISTINCT d.value, NEW.id\n"
                    "      FROM jsonb_array_elements_text(COALESCE(NEW.data::jsonb -> 'datasets', '[]'::jsonb)) AS d(value);\n"
                    "  END IF;\n"
                    "  INSERT INTO store_generation (domain, n) VALUES ('entity', 1)\n"
                    "    ON CONFLICT (domain) DO UPDATE SET n = store_generation.n + 1;\n"
                    "  RETURN NULL;\n"
                    "END\n$fn$",
                    schema, schema);
    if (!rc) rc = exec_f(db, err, "DROP TRIGGER IF EXISTS " FED_TRIGGER " ON %s.entity", schema);
    if (!rc)
        rc = exec_f(db, err,
                    "CREATE TRIGGER " FED_TRIGGER " AFTER INSERT OR UPDATE OR DELETE ON %s.entity"
                    " FOR EACH ROW EXECUTE FUNCTION %s." FED_TRIGGER "()",
                    schema, schema);
    if (!rc) rc = exec_f(db, err, "ALTER TABLE %s.entity ENABLE REPLICA TRIGGER " FED_TRIGGER, schema);
    return rc;
}

/* The publication of node n: what was written on n (home), has an owner
 * (owner-less records are public lists each node imports itself), and
 * carries a marking the other country may see. Not TRUNCATE: a replicated
 * TRUNCATE would empty the whole table on the other node, its own records
 * too. */
static int publish(db_t *db, const char *schema, const fed_node_conf *n, const fed_node_conf *peer, pu_err *err) {
    char release[256];
    int rc = store_release_sql(peer->country, release, sizeof release, err);
    if (rc) return rc;
    char pub[64];
    snprintf(pub, sizeof pub, "puente_%s", n->name);
    int64_t exists = 0;
    if ((rc = db_query_int64(db, "SELECT count(*) FROM pg_publication WHERE pubname = ?", pub, &exists, err)))
        return rc;
    const char *verb = exists ? "ALTER" : "CREATE";
    const char *table = exists ? "SET TABLE" : "FOR TABLE";
    rc = exec_f(db, err, "%s PUBLICATION %s %s %s.entity WHERE (home = '%s' AND owner IS NOT NULL AND %s)", verb, pub,
                table, schema, n->name, release);
    if (!rc) rc = exec_f(db, err, "ALTER PUBLICATION %s SET (publish = 'insert, update, delete')", pub);
    return rc;
}

static int prepare_tx(db_t *db, const fed_config *c, int self, const char *schema, pu_err *err) {
    const fed_node_conf *n = &c->node[self], *peer = &c->node[1 - self];
    int rc = store_node_set(db, n->name, n->country, err);
    /* rows written here from now on are this node's (store_put names no home) */
    if (!rc) rc = exec_f(db, err, "ALTER TABLE %s.entity ALTER COLUMN home SET DEFAULT '%s'", schema, n->name);
    /* the row filter reads marking/owner/home of the old row of an UPDATE or
     * DELETE: PostgreSQL 15 wants them in the replica identity */
    if (!rc) rc = exec_f(db, err, "ALTER TABLE %s.entity REPLICA IDENTITY FULL", schema);
    if (!rc) rc = create_trigger(db, schema, err);
    if (!rc) rc = publish(db, schema, n, peer, err);
    return rc;
}

int fed_prepare(db_t *db, const fed_config *c, int self, pu_err *err) {
    if (self < 0 || self >= FED_NODES) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no node %d", self);
    int rc = need_pg(db, err);
    if (!rc) rc = check_wal_level(db, err);
    char schema[200];
    if (!rc) rc = query_text(db, "SELECT quote_ident(current_schema())", NULL, schema, sizeof schema, err);
    if (rc) return rc;
    if ((rc = db_begin(db, err))) return rc;
    rc = prepare_tx(db, c, self, schema, err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

/* Remove the replicas of node `peer` (their dataset rows go by the foreign
 * key's cascade: this is an ordinary local delete, not the apply worker). */
static int drop_replicas(db_t *db, const char *peer, pu_err *err) {
    int rc = db_begin(db, err);
    if (rc) return rc;
    db_stmt *st;
    if (!(rc = db_prepare(db, "DELETE FROM entity WHERE home = ?", &st, err))) {
        db_bind_text(st, 1, peer, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = store_generation_bump(db, "entity", err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

int fed_subscribe(db_t *db, db_t *peer_db, const fed_config *c, int self, pu_err *err) {
    if (self < 0 || self >= FED_NODES) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no node %d", self);
    int rc = need_pg(db, err);
    if (rc) return rc;
    const fed_node_conf *n = &c->node[self], *peer = &c->node[1 - self];
    char sub[80];
    snprintf(sub, sizeof sub, "puente_%s_from_%s", n->name, peer->name);
    int64_t exists = 0;
    if ((rc = db_query_int64(db, "SELECT count(*) FROM pg_subscription WHERE subname = ?", sub, &exists, err)))
        return rc;
    if (exists) {
        rc = exec_f(db, err, "ALTER SUBSCRIPTION %s CONNECTION '%s'", sub, peer->peer_uri);
        if (!rc) rc = exec_f(db, err, "ALTER SUBSCRIPTION %s ENABLE", sub);
        return rc;
    }
    /* A new subscription copies everything the peer releases: replicas from
     * an earlier subscription (dropped, or its slot lost) would collide with
     * the copy, and some may since have been withdrawn at home. */
    if ((rc = drop_replicas(db, peer->name, err))) return rc;
    int64_t slot = 0;
    if ((rc = db_query_int64(peer_db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", sub, &slot, err)))
        return rc;
    /* the initial copy brings what the filter releases now; streaming the rest */
    return exec_f(db, err,
                  "CREATE SUBSCRIPTION %s CONNECTION '%s' PUBLICATION puente_%s WITH (copy_data = true%s)", sub,
                  peer->peer_uri, peer->name, slot ? ", create_slot = false" : "");
}

/* ---- status ---- */

static json_t *num_or_null(double v) { return v < 0 ? json_null() : json_real(v); }

static int status_records(db_t *db, const store_node *node, json_t *o, pu_err *err) {
    int64_t home = 0, replicas = 0;
    int rc = db_query_int64(db, "SELECT count(*) FROM entity WHERE home = ?", node->name, &home, err);
    if (!rc)
        rc = db_query_int64(db, "SELECT count(*) FROM entity WHERE home IS NOT NULL AND home <> ?", node->name,
                            &replicas, err);
    if (!rc) json_object_set_new(o, "records", json_pack("{s:I,s:I}", "home", (json_int_t)home, "replicas", (json_int_t)replicas));
    return rc;
}

static int status_publication(db_t *db, const store_node *node, json_t *o, pu_err *err) {
    char pub[64], filter[1024];
    snprintf(pub, sizeof pub, "puente_%s", node->name);
    int rc = query_text(db,
                        "SELECT COALESCE(pg_get_expr(r.prqual, r.prrelid), '') FROM pg_publication p"
                        " JOIN pg_publication_rel r ON r.prpubid = p.oid WHERE p.pubname = ?",
                        pub, filter, sizeof filter, err);
    if (rc) return rc;
    int64_t exists = 0;
    if ((rc = db_query_int64(db, "SELECT count(*) FROM pg_publication WHERE pubname = ?", pub, &exists, err))) return rc;
    json_object_set_new(o, "publication", exists ? json_pack("{s:s,s:s}", "name", pub, "filter", filter) : json_null());
    return PU_OK;
}

static int status_subscriptions(db_t *db, json_t *o, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT s.subname, s.subenabled::int, (w.pid IS NOT NULL)::int,"
                        " (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate = 'r'),"
                        " (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid),"
                        " COALESCE(w.received_lsn::text, ''),"
                        " COALESCE(extract(epoch FROM now() - w.last_msg_receipt_time)::float8, -1),"
                        " COALESCE(x.apply_error_count, 0), COALESCE(x.sync_error_count, 0)"
                        " FROM pg_subscription s"
                        " LEFT JOIN pg_stat_subscription w ON w.subid = s.oid AND w.relid IS NULL"
                        " LEFT JOIN pg_stat_subscription_stats x ON x.subid = s.oid"
                        " WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                        " AND s.subname LIKE 'puente\\_%' ORDER BY s.subname",
                        &st, err);
    if (rc) return rc;
    json_t *a = json_array();
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        int64_t ready = db_col_int64(st, 3), tables = db_col_int64(st, 4);
        json_array_append_new(
            a, json_pack("{s:s,s:b,s:b,s:b,s:s,s:o,s:I,s:I}", "name", db_col_text(st, 0), "enabled",
                         (int)db_col_int64(st, 1), "running", (int)db_col_int64(st, 2), "tables_ready",
                         tables > 0 && ready == tables, "received_lsn", db_col_text(st, 5), "last_message_age_seconds",
                         num_or_null(db_col_double(st, 6)), "apply_errors", (json_int_t)db_col_int64(st, 7),
                         "sync_errors", (json_int_t)db_col_int64(st, 8)));
    }
    db_finalize(st);
    json_object_set_new(o, "subscriptions", a);
    return s == DB_DONE ? PU_OK : s;
}

static int status_outgoing(db_t *db, json_t *o, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT l.slot_name, l.active::int,"
                        " COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), l.confirmed_flush_lsn), -1)::bigint,"
                        " COALESCE(extract(epoch FROM r.replay_lag)::float8, -1)"
                        " FROM pg_replication_slots l LEFT JOIN pg_stat_replication r ON r.pid = l.active_pid"
                        " WHERE l.slot_type = 'logical' AND l.database = current_database()"
                        " AND l.slot_name LIKE 'puente\\_%' ORDER BY l.slot_name",
                        &st, err);
    if (rc) return rc;
    json_t *a = json_array();
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        int64_t lag = db_col_int64(st, 2);
        json_array_append_new(a, json_pack("{s:s,s:b,s:o,s:o}", "slot", db_col_text(st, 0), "active",
                                           (int)db_col_int64(st, 1), "lag_bytes",
                                           lag < 0 ? json_null() : json_integer((json_int_t)lag),
                                           "replay_lag_seconds", num_or_null(db_col_double(st, 3))));
    }
    db_finalize(st);
    json_object_set_new(o, "outgoing", a);
    return s == DB_DONE ? PU_OK : s;
}

int fed_status(db_t *db, json_t **out, pu_err *err) {
    *out = NULL;
    int rc = need_pg(db, err);
    if (rc) return rc;
    store_node node;
    int federated = 0;
    char level[32];
    if ((rc = store_node_get(db, &node, &federated, err)) ||
        (rc = query_text(db, "SELECT current_setting('wal_level')", NULL, level, sizeof level, err)))
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:b,s:s}", "node", node.name, "country", node.country, "federated", federated,
                          "wal_level", level);
    if (!o) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (federated) rc = status_records(db, &node, o, err);
    if (!rc && federated) rc = status_publication(db, &node, o, err);
    if (!rc) rc = status_subscriptions(db, o, err);
    if (!rc) rc = status_outgoing(db, o, err);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PU_OK;
}

int fed_health(db_t *db, json_t **out, pu_err *err) {
    *out = NULL;
    if (strcmp(db_backend(db), "postgresql") != 0) return PU_OK;
    store_node node;
    int federated = 0;
    int rc = store_node_get(db, &node, &federated, err);
    if (rc || !federated) return rc;
    json_t *st;
    if ((rc = fed_status(db, &st, err))) return rc;
    int connected = 0, receiving = 0;
    json_int_t errors = 0, lag = -1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(st, "outgoing"), i, v) {
        connected |= json_is_true(json_object_get(v, "active"));
        json_t *l = json_object_get(v, "lag_bytes");
        if (json_is_integer(l) && json_integer_value(l) > lag) lag = json_integer_value(l);
    }
    json_array_foreach(json_object_get(st, "subscriptions"), i, v) {
        receiving |= json_is_true(json_object_get(v, "running"));
        errors += json_integer_value(json_object_get(v, "apply_errors"));
    }
    json_decref(st);
    *out = json_pack("{s:s,s:b,s:b,s:o,s:I}", "node", node.name, "peer_connected", connected, "receiving", receiving,
                     "lag_bytes", lag < 0 ? json_null() : json_integer(lag), "apply_errors", errors);
    return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}
