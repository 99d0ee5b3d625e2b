/*
 * modules.c - the module registry: every capability registers here, once,
 * with its migrations, CLI commands and HTTP routes (app.h). The list is in
 * dependency order: a module's migrations run after those of the modules
 * it builds on.
 *
 * To add a module: write its descriptor below (name, migrate function from
 * its engine header, commands from src/cli/cmd_<m>.c, routes from
 * src/http/http_<m>.c via http.h) and add it to `registry`.
 */
#include "access/access.h"
#include "app/app.h"
#include "audit/audit.h"
#include "cargo/cargo.h"
#include "cases/cases.h"
#include "cli/cli.h"
#include "ews/ews.h"
#include "http/http.h"
#include "i18n/i18n.h"
#include "protect/protect.h"
#include "kinship/kin_cases.h"
#include "indicators/ind.h"
#include "lists/lists.h"
#include "monitor/monitor.h"
#include "screen/screen.h"
#include "store/store.h"
#include "tips/tips.h"
#include "trace/trace.h"
#include "resolve/resolve.h"
#include "graph/graph.h"

#define COMMANDS(...) .commands = (const app_command[]){__VA_ARGS__}, \
    .ncommands = sizeof((const app_command[]){__VA_ARGS__}) / sizeof(app_command)

static const app_module store_module = {
    .name = "store",
    .migrate = store_migrate,
    COMMANDS({"import", "import designation lists (OFAC CSV) or FtM JSON lines", cmd_import},
             {"export", "export entities as FtM JSON lines", cmd_export},
             {"entity", "show one entity", cmd_entity},
             {"stats", "counts per schema in the store", cmd_stats}),
    .routes = http_routes_store,
};

static const app_module access_module = {
    .name = "access",
    .migrate = acl_migrate,
    COMMANDS({"agency", "manage agencies and grants between them", cmd_agency},
             {"user", "manage users", cmd_user},
             {"token", "create API tokens", cmd_token},
             {"policy", "authentication policy: use banner, second-factor roles, token lifetime", cmd_policy}),
    .routes = http_routes_access,
};

static const app_module audit_module = {
    .name = "audit",
    .migrate = audit_migrate,
    COMMANDS({"audit", "verify and export the audit trail", cmd_audit}),
    .routes = http_routes_audit,
};

static const app_module http_module = {
    .name = "http",
    COMMANDS({"serve", "run the HTTP API server", cmd_serve}),
    .routes = http_routes_core,
};

/* The screening service (index, decisions, caches) lives as long as the
 * process and follows the store's generations (screen.h). */
static int screen_state_open(store_t *st, void **state, pu_err *err) {
    screen_service *svc = NULL;
    int rc = screen_service_open(st, NULL, &svc, err);
    *state = svc;
    return rc;
}
static void screen_state_close(void *state) { screen_service_close(state); }

static const app_module screen_module = {
    .name = "screen",
    .migrate = screen_migrate,
    COMMANDS({"screen", "screen a batch of names against designated entities", cmd_screen},
             {"compare", "score two names against each other", cmd_compare},
             {"review", "record reviewed screening decisions (false positives)", cmd_review}),
    .routes = http_routes_screen,
    .state_open = screen_state_open,
    .state_close = screen_state_close,
};

static const app_module kinship_module = {
    .name = "kinship",
    .migrate = kin_migrate,
    COMMANDS({"kinship", "DNA kinship likelihood ratios and DVI", cmd_kinship}),
    .routes = http_routes_kinship,
    .counts = kin_counts,
};

static const app_module ews_module = {
    .name = "ews",
    .migrate = ews_migrate,
    COMMANDS({"ews", "early warning for emerging drugs", cmd_ews}),
    .routes = http_routes_ews,
    .counts = ews_counts_publish,
    .count_records = ews_count_records,
};

static const app_module cargo_module = {
    .name = "cargo",
    .migrate = cargo_migrate,
    COMMANDS({"cargo", "cargo targeting of inbound manifests", cmd_cargo}),
    .routes = http_routes_cargo,
    .counts = cargo_counts,
    .count_records = cargo_count_records,
};

static const app_module trace_module = {
    .name = "trace",
    .migrate = trace_migrate,
    COMMANDS({"trace", "firearms tracing", cmd_trace}),
    .routes = http_routes_trace,
    .counts = trace_counts,
    .count_records = trace_count_records,
};

/* The two-country federation (src/federation, docs/federation.md): no tables
 * of its own (the node identity and each record's home are the store's, the
 * rest is PostgreSQL's replication catalogue). */
static const app_module federation_module = {
    .name = "federation",
    COMMANDS({"federation", "two-country federation by PostgreSQL logical replication: init, status",
              cmd_federation}),
};

/* The anonymous tip line (src/tips, docs/tips.md). */
static const app_module tips_module = {
    .name = "tips",
    .migrate = tips_migrate,
    COMMANDS({"tip", "the anonymous tip line: file, read, question, route, link, close, purge", cmd_tip}),
    .routes = http_routes_tips,
    .counts = tips_counts,
    .count_records = tips_count_records,
};

/* Impact indicators and the framework report (src/indicators,
 * docs/indicators.md): reads the other modules' named counts. */
static const app_module indicators_module = {
    .name = "indicators",
    .migrate = ind_migrate,
    COMMANDS({"indicator", "impact indicators: list, define, value, compute, drill, records", cmd_indicator},
             {"report", "the framework report (HTML or PDF, English or Spanish)", cmd_report}),
    .routes = http_routes_indicators,
};

/* Protection of journalists and human-rights defenders (src/protect,
 * docs/protection.md): cases sealed per case key, read only by their member
 * officers; the indicators get suppressed aggregates only. */
static const app_module protect_module = {
    .name = "protect",
    .migrate = protect_migrate,
    COMMANDS({"protect", "protection of journalists and human-rights defenders (officers only)", cmd_protect}),
    .routes = http_routes_protect,
    .counts = protect_counts,
};

/* Ownership (the OFAC 50 % rule), ongoing monitoring of customer lists and
 * the review queue with four eyes (src/monitor, docs/monitor.md). */
static const app_module monitor_module = {
    .name = "monitor",
    .migrate = monitor_migrate,
    COMMANDS({"monitor", "ongoing monitoring of customer lists and the review queue (four eyes)", cmd_monitor},
             {"ownership", "the OFAC 50-percent rule for an entity: designated owners and their chains", cmd_ownership}),
    .routes = http_routes_monitor,
    .counts = monitor_counts,
};

/* The message catalogue (src/i18n) and the web application that uses it
 * (src/http/http_web.c, web/): each user's remembered language, the page
 * shells, assets, catalogue and browser sessions. Last, so no route of an
 * engine is shadowed. */
static const app_module web_module = {
    .name = "i18n",
    .migrate = i18n_migrate,
    .routes = http_routes_web,
};

/* Joint investigations, warrants and extraditions (src/cases, docs/cases.md). */
static const app_module cases_module = {
    .name = "cases",
    .migrate = case_migrate,
    COMMANDS({"case", "joint investigations: case files, members, links, charges, arrests, deadlines", cmd_case},
             {"warrant", "arrest warrants of a case: issue, serve, recall", cmd_warrant},
             {"extradition", "extradition requests and their stages", cmd_extradition}),
    .routes = http_routes_cases,
    .counts = case_counts,
    .count_records = case_count_records,
};

/* Entity resolution across engines (src/resolve, docs/resolve.md): after
 * the engines whose records it reads. */
static const app_module resolve_module = {
    .name = "resolve",
    .migrate = resolve_migrate,
    COMMANDS({"resolve", "entity resolution across engines: run, show, judge, unjudge, eval", cmd_resolve},
             {"xref", "cross-reference one collection against another (resolution's pairs, ranked)", cmd_xref}),
    .counts = resolve_counts,
};

/* The network of every engine's records (src/graph, docs/graph.md): after
 * resolution, whose clusters are its nodes. */
static const app_module graph_module = {
    .name = "graph",
    .migrate = graph_migrate,
    COMMANDS({"graph", "network analysis: expand, path, network, components, communities, centrality", cmd_graph}),
    .routes = http_routes_graph,
    .state_open = graph_cache_state_open,    /* the readers' graphs, shared by the server's requests */
    .state_close = graph_cache_state_close,
};

/* yente API parity (src/http/http_yente.c, docs/screening.md "yente and
 * watchman parity"): /entities/{id} nested, /catalog, /algorithms; no
 * tables of its own (it reads the store and the screening service). */
static const app_module yente_module = {
    .name = "yente",
    .routes = http_routes_yente,
};

/* Designation lists (src/lists, docs/lists.md): sources, versions and
 * their deltas; the entities go into the store like any import. */
static const app_module lists_module = {
    .name = "lists",
    .migrate = lists_migrate,
    COMMANDS({"lists", "designation lists: sources, update, versions and their deltas", cmd_lists}),
    .routes = http_routes_lists,
};

/* Designated persons by resolution (src/sameas, docs/sameas.md): no tables
 * of its own; its state is the readers' sameas tables, kept between
 * requests of the server (the screening API's resolution hits). */
#include "sameas/sameas.h"
static const app_module sameas_module = {
    .name = "sameas",
    .state_open = sameas_cache_state_open,
    .state_close = sameas_cache_state_close,
};

static const app_module *const registry[] = {
    &store_module, &access_module, &audit_module, &http_module, &screen_module,
    &kinship_module, &ews_module, &cargo_module, &trace_module, &federation_module, &tips_module,
    &protect_module, &cases_module, &indicators_module, &resolve_module, &graph_module, &yente_module,
    &lists_module, &monitor_module, &web_module, &sameas_module, NULL,
};

const app_module *const *app_modules(void) { return registry; }
