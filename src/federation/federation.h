/*
 * federation.h - two nodes, US and MX, each its own PostgreSQL store, that
 * share what their markings release across the border by PostgreSQL 15
 * logical replication with row filters (docs/federation.md). No home-made
 * sync: this module only configures PostgreSQL (publications, subscriptions,
 * one trigger) and reads its replication statistics.
 *
 * The model, in short:
 *  - each store is a node (store_node_set, store.h "federation"); an agency's
 *    home node is the node of its country; records are written on their
 *    owner's home node only (the store's home rule), so replicas are
 *    read-only where they arrive and no row is ever written on two nodes;
 *  - node N publishes `entity` rows that were written on N, have an owner,
 *    and carry a marking the other country's agencies may see
 *    (store_release_sql: PUBLIC, SHARED and the other country's -ONLY);
 *    US-ONLY never leaves the US node, MX-ONLY never leaves MX, AGENCY-ONLY
 *    stays home; an UPDATE that takes a row out of the filter (SHARED ->
 *    US-ONLY) reaches the other node as a DELETE;
 *  - the subscriber rebuilds entity_dataset from each replicated row and
 *    bumps the `entity` generation (a REPLICA trigger), so its searches,
 *    dataset filters and caches see replicas at once;
 *  - nothing else replicates (audit trails, accounts, sessions, grants,
 *    engine tables): each node keeps its own.
 *
 * Ownership: a fed_config is the caller's (fed_config_free); fed_status
 * hands out a jansson object the caller json_decref()s.
 * Threads: none of its own; a db_t per call, as everywhere.
 */
#ifndef PU_FEDERATION_H
#define PU_FEDERATION_H

#include <jansson.h>
#include <stddef.h>
#include "common/pu.h"
#include "db/db.h"

#define FED_NODES 2
#define FED_CONFIG_MAX_BYTES ((size_t)64 << 10) /* a config file is a few lines */
#define FED_URI_MAX 1024

typedef struct fed_node_conf {
    char name[32];            /* "us": 1-20 of a-z 0-9 _ (store_node_set's rule) */
    char country[3];          /* "US" or "MX" */
    char uri[FED_URI_MAX];    /* how `puente` reaches the node's store */
    char peer_uri[FED_URI_MAX]; /* how the OTHER node's server reaches this one
                                   for replication (default: uri) */
} fed_node_conf;

typedef struct fed_config {
    fed_node_conf node[FED_NODES];
} fed_config;

/* Parse a federation config (JSON, docs/federation.md "Config file"):
 *   {"nodes": [{"name": "us", "country": "US", "uri": "postgresql://...",
 *               "peer_uri": "postgresql://..."},   (peer_uri optional)
 *              {"name": "mx", "country": "MX", "uri": "postgresql://..."}]}
 * Exactly two nodes, one per country, different names; URIs are PostgreSQL
 * URIs (postgresql:// or postgres://) without quotes or control characters;
 * unknown keys are errors (a typo is not ignored). where names the input in
 * errors (a file name). Errors: PU_ERR_INVALID naming the field
 * ("nodes[1].country"), PU_ERR_LIMIT (text larger than
 * FED_CONFIG_MAX_BYTES, a value too long). */
int fed_config_parse(const char *text, size_t len, const char *where, fed_config *out, pu_err *err);
/* Read and parse the file at path. Errors: fed_config_parse's; PU_ERR_IO
 * (cannot read it, naming it). */
int fed_config_load(const char *path, fed_config *out, pu_err *err);

/* Set up node `self` (index into c->node) of the pair on its store db,
 * which the caller opened and migrated (app_open): the node identity
 * (store_node_set), the entity table's replica identity and home default,
 * the REPLICA trigger, and the publication with its row filter. Idempotent:
 * a second run changes nothing, or brings a changed filter up to date.
 * Run it on both nodes before fed_subscribe on either.
 * Errors: PU_ERR_INVALID (an SQLite store: federation needs PostgreSQL;
 * wal_level is not `logical`), store_node_set's (PU_ERR_CONFLICT), PU_ERR_DB. */
int fed_prepare(db_t *db, const fed_config *c, int self, pu_err *err);
/* Subscribe node `self` (store db) to the other node's publication (store
 * peer_db): initial copy of what the filter releases, then streaming. A new
 * subscription first removes the replicas of the peer left by an earlier
 * one (the copy brings them again, without those withdrawn meanwhile).
 * Idempotent: an existing subscription gets the config's connection and is
 * enabled. A replication slot of the subscription's name that already
 * exists on the peer (a permanent slot Patroni keeps across failovers,
 * deploy/patroni) is used instead of creating one. Runs outside a
 * transaction (CREATE SUBSCRIPTION cannot run in one).
 * Errors: PU_ERR_INVALID (SQLite), PU_ERR_DB (e.g. the peer is unreachable
 * from this node's server: the message says why). */
int fed_subscribe(db_t *db, db_t *peer_db, const fed_config *c, int self, pu_err *err);

/* The state of the node whose store is db, as JSON:
 *   {"node": "us", "country": "US", "federated": true, "wal_level": "logical",
 *    "records": {"home": N, "replicas": N},
 *    "publication": {"name", "filter"} | null,
 *    "subscriptions": [{"name", "enabled", "running", "tables_ready",
 *        "received_lsn", "last_message_age_seconds", "apply_errors", "sync_errors"}],
 *    "outgoing": [{"slot", "active", "lag_bytes", "replay_lag_seconds"}]}
 * lag_bytes is WAL the other node has not confirmed yet (0 when caught
 * up); replay_lag_seconds is PostgreSQL's replay_lag (null when idle).
 * A store that is not a node answers {"federated": false, ...}.
 * Errors: PU_ERR_INVALID (SQLite), PU_ERR_DB, PU_ERR_NOMEM. */
int fed_status(db_t *db, json_t **out, pu_err *err);

/* The replication state of a node in brief, for the server's health route:
 *   {"node": "us", "peer_connected": bool, "receiving": bool,
 *    "lag_bytes": N | null, "apply_errors": N}
 * lag_bytes is the largest outgoing lag (fed_status). *out is NULL (and
 * PU_OK) when the store is no federation node, SQLite included: the health
 * route then says nothing about federation. Errors: fed_status's. */
int fed_health(db_t *db, json_t **out, pu_err *err);

#endif
