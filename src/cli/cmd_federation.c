/* cmd_federation.c - `puente federation init|status` (src/federation,
 * docs/federation.md). */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "db/db.h"
#include "federation/federation.h"

static int usage(FILE *f) {
    fputs("usage: puente federation init --config FILE\n"
          "       puente federation status [--config FILE | --db URI] [--json]\n"
          "Two nodes, US and MX, each its own PostgreSQL store, share the records their\n"
          "markings release to the other country by PostgreSQL logical replication\n"
          "(docs/federation.md).\n"
          "  init     make each store of the config a node (its agencies' home), publish\n"
          "           what the other country may see and subscribe each node to the\n"
          "           other's publication. Idempotent. Both servers need wal_level =\n"
          "           logical; the URIs' user must be a PostgreSQL superuser.\n"
          "  status   per node: records at home and replicas, the publication's filter,\n"
          "           the subscription (running, initial copy done, errors, age of the\n"
          "           last message) and the outgoing lag (bytes not yet confirmed by the\n"
          "           other node, replay lag in seconds)\n"
          "  --config FILE   the pair of nodes (JSON: docs/federation.md \"Config file\")\n"
          "  --db URI        status of one node (default $PUENTE_DB)\n"
          "  --json          one JSON object\n",
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

/* One entry in each node's own trail: the init changed that store. */
static void record(db_t *db, const char *node, const char *outcome, const char *detail) {
    const char *u = getenv("USER");
    struct passwd *pw = (!u || !*u) ? getpwuid(getuid()) : NULL;
    if (pw) u = pw->pw_name;
    char op[96];
    snprintf(op, sizeof op, "cli:%s", u && *u ? u : "unknown");
    audit_event ev = {"cli", op, "", "federation.init", node, outcome, detail, "cli", NULL};
    pu_err ignore;
    (void)audit_append(db, &ev, &ignore);
}

static int open_node(const fed_node_conf *n, store_t **out) {
    int rc = cli_open_store(n->uri, out);
    if (rc) fprintf(stderr, "puente: federation: node '%s' (%s) could not be opened\n", n->name, n->country);
    return rc;
}

static int init(const fed_config *c) {
    store_t *st[FED_NODES] = {NULL, NULL};
    pu_err err;
    int code = 0, rc = PU_OK;
    for (int i = 0; i < FED_NODES && !code; i++) code = open_node(&c->node[i], &st[i]);
    /* both publications first: a subscription's initial copy needs the other's */
    for (int i = 0; i < FED_NODES && !code && !rc; i++) {
        rc = fed_prepare(store_db(st[i]), c, i, &err);
        if (!rc) printf("node %s (%s): publication puente_%s ready\n", c->node[i].name, c->node[i].country, c->node[i].name);
    }
    for (int i = 0; i < FED_NODES && !code && !rc; i++) {
        rc = fed_subscribe(store_db(st[i]), store_db(st[1 - i]), c, i, &err);
        if (!rc)
            printf("node %s (%s): subscribed to puente_%s\n", c->node[i].name, c->node[i].country, c->node[1 - i].name);
    }
    for (int i = 0; i < FED_NODES; i++)
        if (st[i]) record(store_db(st[i]), c->node[i].name, code || rc ? "failure" : "success", rc ? err.msg : "");
    for (int i = 0; i < FED_NODES; i++) store_close(st[i]);
    if (code) return code;
    return rc ? cli_fail(&err) : 0;
}

static const char *age(json_t *v, char *buf, size_t size) {
    if (!json_is_number(v)) return "-";
    snprintf(buf, size, "%.1f s", json_number_value(v));
    return buf;
}

static void print_status(json_t *o) {
    char b1[32], b2[32];
    if (!json_is_true(json_object_get(o, "federated"))) {
        printf("not a federation node (wal_level %s): run 'puente federation init'\n",
               json_string_value(json_object_get(o, "wal_level")));
        return;
    }
    json_t *rec = json_object_get(o, "records"), *pub = json_object_get(o, "publication"), *v;
    printf("node %s (%s), wal_level %s\n", json_string_value(json_object_get(o, "node")),
           json_string_value(json_object_get(o, "country")), json_string_value(json_object_get(o, "wal_level")));
    printf("  records: %lld written here, %lld replicas of the other node\n",
           (long long)json_integer_value(json_object_get(rec, "home")),
           (long long)json_integer_value(json_object_get(rec, "replicas")));
    if (json_is_object(pub))
        printf("  publication %s: %s\n", json_string_value(json_object_get(pub, "name")),
               json_string_value(json_object_get(pub, "filter")));
    size_t i;
    json_array_foreach(json_object_get(o, "subscriptions"), i, v) {
        printf("  subscription %s: %s, %s, initial copy %s, last message %s ago, %lld apply errors, %lld copy errors\n",
               json_string_value(json_object_get(v, "name")),
               json_is_true(json_object_get(v, "enabled")) ? "enabled" : "DISABLED",
               json_is_true(json_object_get(v, "running")) ? "running" : "NOT RUNNING",
               json_is_true(json_object_get(v, "tables_ready")) ? "done" : "in progress",
               age(json_object_get(v, "last_message_age_seconds"), b1, sizeof b1),
               (long long)json_integer_value(json_object_get(v, "apply_errors")),
               (long long)json_integer_value(json_object_get(v, "sync_errors")));
    }
    json_array_foreach(json_object_get(o, "outgoing"), i, v) {
        json_t *lag = json_object_get(v, "lag_bytes");
        printf("  outgoing %s: %s, lag %s bytes, replay lag %s\n", json_string_value(json_object_get(v, "slot")),
               json_is_true(json_object_get(v, "active")) ? "connected" : "NOT CONNECTED",
               json_is_integer(lag) ? (snprintf(b2, sizeof b2, "%lld", (long long)json_integer_value(lag)), b2) : "-",
               age(json_object_get(v, "replay_lag_seconds"), b1, sizeof b1));
    }
}

/* The status of one store: printed (all == NULL) or added to `all`. */
static int status_one(const char *uri, int as_json, json_t *all) {
    store_t *st;
    int code = cli_open_store_existing(uri, &st);
    if (code) return code;
    json_t *o;
    pu_err err;
    int rc = fed_status(store_db(st), &o, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    if (all) json_array_append(all, o);
    else if (as_json) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        if (s) puts(s);
        free(s);
    } else print_status(o);
    json_decref(o);
    return 0;
}

/* A node of the config: its status, or, when it cannot be reached (down,
 * network), an entry that says so, so the other node is still reported. */
static int status_node(const fed_node_conf *n, json_t *all) {
    db_t *db = NULL;
    json_t *o = NULL;
    pu_err err;
    int rc = db_open(n->uri, NULL, &db, &err);
    if (!rc) rc = fed_status(db, &o, &err);
    db_close(db);
    if (rc) {
        o = json_pack("{s:s,s:s,s:b,s:s}", "node", n->name, "country", n->country, "reachable", 0, "error", err.msg);
        json_array_append_new(all, o);
        return rc;
    }
    json_object_set_new(o, "reachable", json_true());
    json_array_append_new(all, o);
    return PU_OK;
}

static int status(const char *config, const char *db, int as_json) {
    if (!config) return status_one(cli_db_path(db), as_json, NULL);
    fed_config c;
    pu_err err;
    if (fed_config_load(config, &c, &err)) return cli_fail(&err);
    json_t *all = json_array();
    int down = 0;
    for (int i = 0; i < FED_NODES; i++) down |= status_node(&c.node[i], all) != PU_OK;
    if (as_json) {
        json_t *o = json_pack("{s:O}", "nodes", all);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (s) puts(s);
        free(s);
        json_decref(o);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v) {
            if (json_is_false(json_object_get(v, "reachable")))
                printf("node %s (%s): UNREACHABLE: %s\n", json_string_value(json_object_get(v, "node")),
                       json_string_value(json_object_get(v, "country")), json_string_value(json_object_get(v, "error")));
            else print_status(v);
        }
    }
    json_decref(all);
    return down ? 1 : 0; /* a node that cannot be reached is a failure of the check */
}

int cmd_federation(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return usage(stdout);
    if (argc < 2) return usage(stderr);
    const char *sub = argv[1], *config = NULL, *db = NULL;
    int as_json = 0;
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"db", required_argument, 0, 'd'}, {"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    optind = 2;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'c') config = optarg;
        else if (ch == 'd') db = optarg;
        else if (ch == 'j') as_json = 1;
        else return usage(stderr);
    }
    if (optind < argc) return cli_usage_error("federation", "unexpected argument '%s'", argv[optind]);
    if (strcmp(sub, "init") == 0) {
        if (!config) return cli_usage_error("federation", "init needs --config FILE");
        if (db || as_json) return cli_usage_error("federation", "init takes --config only");
        fed_config c;
        pu_err err;
        if (fed_config_load(config, &c, &err)) return cli_fail(&err);
        return init(&c);
    }
    if (strcmp(sub, "status") == 0) {
        if (config && db) return cli_usage_error("federation", "--config and --db do not go together");
        return status(config, db, as_json);
    }
    return cli_usage_error("federation", "unknown subcommand '%s' (expected init or status)", sub);
}
