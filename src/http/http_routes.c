/* http_routes.c - the route table and the dispatcher: route matching,
 * authentication, permission checks, error bodies and the audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "app/app.h"
#include "http/http_int.h"
#include "http/http_yente.h"

/* Each module's routes; the module registry (src/app/modules.c) names them
 * and http_route_table() joins them in registry order. */
#define R ACL_P_READ
#define ROUTES(name, ...)                                          \
    static const http_route name##_table[] = {__VA_ARGS__};        \
    const struct http_route *name(size_t *n) {                     \
        *n = sizeof name##_table / sizeof name##_table[0];         \
        return name##_table;                                       \
    }

ROUTES(http_routes_core,
    {"GET", "/api/v1/health", h_health, NULL, 0, 0},
    {"GET", "/healthz", h_health, NULL, 0, 0},
    {"GET", "/api/v1/version", h_version, NULL, 0, 0})
ROUTES(http_routes_access,
    {"POST", "/api/v1/login", h_login, "login", 0, 0},
    {"POST", "/api/v1/logout", h_logout, "logout", 1, 0},
    {"GET", "/api/v1/me", h_me, "me", 1, 0},
    {"GET", "/api/v1/agencies", h_agencies, "agency.list", 1, 0},
    {"GET", "/api/v1/users", h_users_list, "user.list", 1, ACL_P_ADMIN},
    {"POST", "/api/v1/users", h_users_add, "user.add", 1, ACL_P_ADMIN},
    {"PATCH", "/api/v1/users/{name}", h_user_update, "user.update", 1, ACL_P_ADMIN},
    {"POST", "/api/v1/users/{name}/tokens", h_token_create, "token.create", 1, 0},
    {"GET", "/api/v1/banner", h_banner, NULL, 0, 0},
    {"POST", "/api/v1/me/password", h_password_change, "password.change", 1, 0},
    {"POST", "/api/v1/me/totp", h_totp_begin, "totp.begin", 1, 0},
    {"POST", "/api/v1/me/totp/confirm", h_totp_confirm, "totp.confirm", 1, 0},
    {"GET", "/api/v1/grants", h_grants_list, "grant.list", 1, ACL_P_ADMIN},
    {"POST", "/api/v1/grants/{id}/approve", h_grant_approve, "grant.approve", 1, ACL_P_ADMIN},
    {"POST", "/api/v1/grants/{id}/reject", h_grant_reject, "grant.reject", 1, ACL_P_ADMIN},
    {"GET", "/api/v1/agency-grants", h_agency_grants, "agency.grant.list", 1, ACL_P_ADMIN},
    {"POST", "/api/v1/agency-grants", h_agency_grant_add, "agency.grant", 1, ACL_P_ADMIN},
    {"DELETE", "/api/v1/agency-grants/{grantee}", h_agency_grant_remove, "agency.revoke", 1, ACL_P_ADMIN})
ROUTES(http_routes_audit,
    {"GET", "/api/v1/audit", h_audit_list, "audit.read", 1, ACL_P_AUDIT},
    {"GET", "/api/v1/audit/verify", h_audit_verify, "audit.verify", 1, ACL_P_AUDIT},
    {"GET", "/api/v1/audit/export", h_audit_export, "audit.export", 1, ACL_P_AUDIT})
ROUTES(http_routes_store,
    {"GET", "/api/v1/entities", h_entities_search, "entity.search", 1, R},
    {"POST", "/api/v1/entities", h_entity_create, "entity.create", 1, ACL_P_WRITE},
    {"POST", "/api/v1/entities/upload", h_entities_upload, "entity.upload", 1, ACL_P_WRITE},
    {"GET", "/api/v1/entities/{id}", h_entity_get, "entity.read", 1, R},
    {"GET", "/api/v1/entities/{id}/views", h_entity_views, "entity.views", 1, ACL_P_OVERSIGHT},
    {"GET", "/api/v1/entities/{id}/adjacent", h_entity_adjacent, "entity.adjacent", 1, R},
    {"PUT", "/api/v1/entities/{id}", h_entity_update, "entity.update", 1, ACL_P_WRITE},
    {"DELETE", "/api/v1/entities/{id}", h_entity_delete, "entity.delete", 1, ACL_P_DELETE},
    {"GET", "/api/v1/stats", h_stats, "entity.stats", 1, R},
    {"GET", "/api/v1/export", h_export, "entity.export", 1, ACL_P_EXPORT},
    {"GET", "/search/{dataset}", h_yente_search, "entity.search", 1, R})
ROUTES(http_routes_screen, HTTP_SCREEN_ROUTES)
ROUTES(http_routes_ews,
    {"POST", "/api/v1/ews/reports", h_ews_reports, "ews.report.import", 1, ACL_P_WRITE},
    {"GET", "/api/v1/ews/alerts", h_ews_alerts, "ews.alert.list", 1, R},
    {"POST", "/api/v1/ews/alerts/{id}/ack", h_ews_alert_ack, "ews.alert.ack", 1, ACL_P_WRITE},
    {"POST", "/api/v1/ews/alerts/{id}/close", h_ews_alert_close, "ews.alert.close", 1, ACL_P_WRITE},
    {"GET", "/api/v1/ews/alerts/{id}/series", h_ews_alert_series, "ews.alert.series", 1, R},
    {"GET", "/api/v1/ews/queue", h_ews_queue, "ews.queue.list", 1, R},
    {"POST", "/api/v1/ews/queue/{id}/resolve", h_ews_queue_resolve, "ews.queue.resolve", 1, ACL_P_WRITE},
    {"POST", "/api/v1/ews/queue/{id}/reject", h_ews_queue_reject, "ews.queue.reject", 1, ACL_P_WRITE})
ROUTES(http_routes_cargo,
    {"GET", "/api/v1/cargo/queue", h_cargo_queue, "cargo.queue", 1, R},
    {"GET", "/api/v1/cargo/stats", h_cargo_stats, "cargo.stats", 1, R},
    {"POST", "/api/v1/cargo/dispositions", h_cargo_dispose, "cargo.dispose", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cargo/manifests", h_cargo_manifests, "cargo.manifest.import", 1, ACL_P_WRITE}) /* + SCREEN in the handler */
ROUTES(http_routes_kinship,
    {"POST", "/api/v1/kinship/pairwise", h_kin_pairwise, "kinship.pairwise", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/solve", h_kin_solve, "kinship.solve", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/joint", h_kin_joint, "kinship.joint", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/search", h_kin_search_start, "kinship.search", 1, ACL_P_FORENSIC},
    {"GET", "/api/v1/kinship/search", h_kin_search_list, "kinship.search.list", 1, ACL_P_FORENSIC},
    {"GET", "/api/v1/kinship/search/{id}", h_kin_search_get, "kinship.search.read", 1, ACL_P_FORENSIC},
    {"GET", "/api/v1/kinship/cases/hits", h_kin_case_hits, "kinship.case.hits", 1, ACL_P_FORENSIC},
    {"GET", "/api/v1/kinship/cases/hits/{id}", h_kin_case_hit, "kinship.case.hit.read", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/cases/hits/{id}/review", h_kin_case_review, "kinship.case.review", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/cases/hits/{id}/confirm", h_kin_case_confirm, "kinship.case.confirm", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/cases/hits/{id}/exclude", h_kin_case_exclude, "kinship.case.exclude", 1, ACL_P_FORENSIC},
    {"GET", "/api/v1/kinship/cases/hits/{id}/report", h_kin_case_report, "kinship.case.report", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/xstr", h_kin_xstr, "kinship.xstr", 1, ACL_P_FORENSIC},
    {"POST", "/api/v1/kinship/cases/pm/{id}/dropout", h_kin_case_pm_dropout, "kinship.case.pm.dropout", 1, ACL_P_FORENSIC})

ROUTES(http_routes_trace,
    {"GET", "/api/v1/trace/fields", h_trace_fields, "trace.fields", 1, R},
    {"GET", "/api/v1/trace/requests", h_trace_requests, "trace.request.list", 1, R},
    {"POST", "/api/v1/trace/requests", h_trace_submit, "trace.request.submit", 1, ACL_P_WRITE},
    {"GET", "/api/v1/trace/requests/{id}", h_trace_request, "trace.request.read", 1, R},
    {"POST", "/api/v1/trace/requests/{id}/pick", h_trace_pick, "trace.request.pick", 1, ACL_P_WRITE},
    {"POST", "/api/v1/trace/requests/{id}/status", h_trace_status, "trace.request.status", 1, ACL_P_WRITE},
    {"GET", "/api/v1/trace/leads", h_trace_leads, "trace.leads", 1, R},
    {"GET", "/api/v1/trace/stats", h_trace_stats, "trace.stats", 1, R})
/* The tip line (http_tips.c; docs/tips.md). The public routes have no audit
 * action on purpose: nothing about a tipster's request is recorded. The
 * handlers' routes are audited like every staff action, reads included.
 * /indicators before /{id}: the first matching pattern wins. */
ROUTES(http_routes_tips,
    {"GET", "/api/v1/tips/form", h_tips_form, NULL, 0, 0},
    {"GET", "/api/v1/tips/challenge", h_tips_challenge, NULL, 0, 0},
    {"POST", "/api/v1/tips", h_tips_submit, NULL, 0, 0},
    {"POST", "/api/v1/tips/receipt", h_tips_receipt, NULL, 0, 0},
    {"POST", "/api/v1/tips/receipt/messages", h_tips_receipt_reply, NULL, 0, 0},
    {"POST", "/api/v1/tips/receipt/attachments", h_tips_receipt_attach, NULL, 0, 0},
    {"GET", "/api/v1/tips", h_tips_list, "tip.list", 1, ACL_P_TIPS},
    {"GET", "/api/v1/tips/indicators", h_tips_indicators, "tip.indicators", 1, ACL_P_TIPS},
    {"GET", "/api/v1/tips/{id}", h_tips_get, "tip.read", 1, ACL_P_TIPS},
    {"POST", "/api/v1/tips/{id}/messages", h_tips_message, "tip.message", 1, ACL_P_TIPS},
    {"POST", "/api/v1/tips/{id}/state", h_tips_state, "tip.state", 1, ACL_P_TIPS},
    {"POST", "/api/v1/tips/{id}/links/{link}", h_tips_link, "tip.link", 1, ACL_P_TIPS},
    {"POST", "/api/v1/tips/{id}/split", h_tips_split, "tip.split", 1, ACL_P_TIPS},
    {"GET", "/api/v1/tips/{id}/attachments/{n}", h_tips_attachment, "tip.attachment", 1, ACL_P_TIPS})
/* Joint cases, warrants and extraditions (http_cases.c, docs/cases.md):
 * every route audited, reads included; /cases/due before /cases/{id}. */
int h_cases_list(http_req *r);
int h_cases_new(http_req *r);
int h_cases_due(http_req *r);
int h_cases_get(http_req *r);
int h_cases_export(http_req *r);
int h_cases_link(http_req *r);
int h_cases_member(http_req *r);
int h_extraditions_list(http_req *r);
int h_extraditions_new(http_req *r);
int h_extraditions_get(http_req *r);
int h_extraditions_stage(http_req *r);
int h_cases_note(http_req *r);
int h_cases_task(http_req *r);
int h_cases_charge(http_req *r);
int h_cases_warrant(http_req *r);
int h_cases_arrest(http_req *r);
int h_cases_share(http_req *r);
int h_warrants_status(http_req *r);
int h_cases_doc_add(http_req *r);
int h_cases_doc_list(http_req *r);
int h_cases_doc_get(http_req *r);
int h_extraditions_amparo(http_req *r);
int h_extraditions_amparo_end(http_req *r);
ROUTES(http_routes_cases,
    {"GET", "/api/v1/cases", h_cases_list, "case.list", 1, ACL_P_READ},
    {"POST", "/api/v1/cases", h_cases_new, "case.new", 1, ACL_P_WRITE},
    {"GET", "/api/v1/cases/due", h_cases_due, "case.due", 1, ACL_P_READ},
    {"GET", "/api/v1/cases/{id}", h_cases_get, "case.read", 1, ACL_P_READ},
    {"GET", "/api/v1/cases/{id}/export", h_cases_export, "case.export", 1, ACL_P_READ},
    {"POST", "/api/v1/cases/{id}/links", h_cases_link, "case.link", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/members", h_cases_member, "case.member", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/notes", h_cases_note, "case.note", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/tasks", h_cases_task, "case.task", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/charges", h_cases_charge, "case.charge", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/warrants", h_cases_warrant, "case.warrant", 1, ACL_P_WRITE},
    {"POST", "/api/v1/cases/{id}/arrests", h_cases_arrest, "case.arrest", 1, ACL_P_WRITE},
    {"POST", "/api/v1/shares", h_cases_share, "case.share", 1, ACL_P_WRITE},
    {"POST", "/api/v1/warrants/{id}/status", h_warrants_status, "warrant.status", 1, ACL_P_WRITE},
    {"GET", "/api/v1/extraditions", h_extraditions_list, "extradition.list", 1, ACL_P_READ},
    {"POST", "/api/v1/extraditions", h_extraditions_new, "extradition.new", 1, ACL_P_WRITE},
    {"GET", "/api/v1/extraditions/{id}", h_extraditions_get, "extradition.read", 1, ACL_P_READ},
    {"POST", "/api/v1/extraditions/{id}/stage", h_extraditions_stage, "extradition.stage", 1, ACL_P_WRITE},
    {"GET", "/api/v1/cases/{id}/documents", h_cases_doc_list, "case.document.list", 1, ACL_P_READ},
    {"POST", "/api/v1/cases/{id}/documents", h_cases_doc_add, "case.document.add", 1, ACL_P_WRITE},
    {"GET", "/api/v1/cases/{id}/documents/{doc}", h_cases_doc_get, "case.document.read", 1, ACL_P_READ},
    {"POST", "/api/v1/extraditions/{id}/amparo", h_extraditions_amparo, "extradition.amparo", 1, ACL_P_WRITE},
    {"POST", "/api/v1/extraditions/{id}/amparo/end", h_extraditions_amparo_end, "extradition.amparo.end", 1, ACL_P_WRITE})
/* Impact indicators and the framework report (http_indicators.c;
 * docs/indicators.md). /figures before /{code}/...: the first match wins. */
int h_ind_list(http_req *r);
int h_ind_define(http_req *r);
int h_ind_value(http_req *r);
int h_ind_figures(http_req *r);
int h_ind_drill(http_req *r);
int h_ind_records(http_req *r);
int h_ind_report(http_req *r);
ROUTES(http_routes_indicators,
    {"GET", "/api/v1/indicators", h_ind_list, "indicator.list", 1, R},
    {"POST", "/api/v1/indicators", h_ind_define, "indicator.define", 1, ACL_P_ADMIN},
    {"GET", "/api/v1/indicators/figures", h_ind_figures, "indicator.compute", 1, R},
    {"POST", "/api/v1/indicators/{code}/values", h_ind_value, "indicator.value", 1, ACL_P_WRITE},
    {"GET", "/api/v1/indicators/{code}/drill", h_ind_drill, "indicator.drill", 1, R},
    {"GET", "/api/v1/indicators/{code}/records", h_ind_records, "indicator.records", 1, R},
    {"GET", "/api/v1/reports/framework", h_ind_report, "report.framework", 1, R})
/* The web application (http_web.c): page shells and files are not audited
 * (they hold no record); the API calls the pages make are. */
ROUTES(http_routes_web,
    {"GET", "/", h_web_root, NULL, 0, 0},
    {"GET", "/app/{page}", h_web_page, NULL, 0, 0},
    {"GET", "/app/{page}/{id}", h_web_page, NULL, 0, 0},
    {"GET", "/assets/{file}", h_web_asset, NULL, 0, 0},
    {"GET", "/tip", h_web_tip, NULL, 0, 0},
    {"GET", "/tip/{page}", h_web_tip_page, NULL, 0, 0},
    {"GET", "/api/v1/i18n/{lang}", h_i18n, NULL, 0, 0},
    {"GET", "/api/v1/web/session", h_web_session, "web.session", 1, 0},
    {"POST", "/api/v1/web/session", h_web_login, "login", 0, 0},
    {"DELETE", "/api/v1/web/session", h_web_logout, "logout", 1, 0},
    {"POST", "/api/v1/web/session/revoke-all", h_web_logout_all, "logout.everywhere", 1, 0},
    {"PUT", "/api/v1/web/lang", h_web_lang, "web.lang", 1, 0})
/* The network and resolution (http_graph.c; docs/graph.md, docs/resolve.md):
 * every graph route builds the caller's graph from the caller's scope. */
int h_graph_expand(http_req *r);
int h_graph_path(http_req *r);
int h_graph_network(http_req *r);
int h_graph_export(http_req *r);
int h_graph_components(http_req *r);
int h_graph_communities(http_req *r);
int h_graph_centrality(http_req *r);
int h_graph_sets(http_req *r);
int h_graph_set_save(http_req *r);
int h_graph_set_get(http_req *r);
int h_graph_group(http_req *r);
int h_graph_values(http_req *r);
int h_graph_subgraph(http_req *r);
int h_resolve_clusters(http_req *r);
int h_resolve_judge(http_req *r);
int h_resolve_xref(http_req *r);
ROUTES(http_routes_graph,
    {"GET", "/api/v1/graph/expand", h_graph_expand, "graph.expand", 1, R},
    {"GET", "/api/v1/graph/path", h_graph_path, "graph.path", 1, R},
    {"POST", "/api/v1/graph/network", h_graph_network, "graph.network", 1, R},
    {"POST", "/api/v1/graph/export", h_graph_export, "graph.export", 1, ACL_P_EXPORT},
    {"GET", "/api/v1/graph/components", h_graph_components, "graph.components", 1, R},
    {"GET", "/api/v1/graph/communities", h_graph_communities, "graph.communities", 1, R},
    {"GET", "/api/v1/graph/centrality", h_graph_centrality, "graph.centrality", 1, R},
    {"GET", "/api/v1/graph/sets", h_graph_sets, "graph.set.list", 1, R},
    {"POST", "/api/v1/graph/sets", h_graph_set_save, "graph.set.save", 1, ACL_P_WRITE},
    {"GET", "/api/v1/graph/sets/{id}", h_graph_set_get, "graph.set.read", 1, R},
    {"GET", "/api/v1/graph/group", h_graph_group, "graph.group", 1, R},
    {"POST", "/api/v1/graph/values", h_graph_values, "graph.values", 1, R},
    {"POST", "/api/v1/graph/subgraph", h_graph_subgraph, "graph.subgraph", 1, R},
    {"GET", "/api/v1/resolve/clusters", h_resolve_clusters, "resolve.clusters", 1, R},
    {"POST", "/api/v1/resolve/judgements", h_resolve_judge, "resolve.judgement", 1, ACL_P_WRITE},
    {"GET", "/api/v1/resolve/xref", h_resolve_xref, "resolve.xref", 1, R})
/* yente API parity (http_yente.c); GET /search/{dataset} is the store's
 * route above (its handler is in http_yente.c). */
ROUTES(http_routes_yente,
    {"GET", "/entities/{id}", h_yente_entity, "entity.read", 1, R},
    {"GET", "/catalog", h_yente_catalog, "catalog.read", 1, R},
    {"GET", "/algorithms", h_yente_algorithms, "algorithms.read", 1, R},
    {"GET", "/reconcile", h_yente_reconcile, "screen.reconcile", 1, ACL_P_SCREEN},
    {"POST", "/reconcile", h_yente_reconcile, "screen.reconcile", 1, ACL_P_SCREEN},
    {"GET", "/reconcile/{dataset}", h_yente_reconcile, "screen.reconcile", 1, ACL_P_SCREEN},
    {"POST", "/reconcile/{dataset}", h_yente_reconcile, "screen.reconcile", 1, ACL_P_SCREEN})
/* Designation lists (http_lists.c, docs/lists.md): versions and deltas are
 * read by every reader (public lists); an update is an administrator's. */
ROUTES(http_routes_lists,
    {"GET", "/api/v1/lists/versions", h_lists_versions, "lists.version.list", 1, R},
    {"GET", "/api/v1/lists/versions/{id}/delta", h_lists_delta, "lists.version.delta", 1, R},
    {"POST", "/api/v1/lists/update", h_lists_update, "lists.update", 1, ACL_P_ADMIN})
/* Ongoing monitoring, the review queue and ownership (http_monitor.c;
 * docs/monitor.md). The four-eyes rule is the engine's: a route's
 * permission only lets the request reach it. */
int h_mon_lists(http_req *r);
int h_mon_list_add(http_req *r);
int h_mon_run(http_req *r);
int h_mon_alerts(http_req *r);
int h_mon_alert(http_req *r);
int h_mon_send(http_req *r);
int h_mon_assign(http_req *r);
int h_mon_decide(http_req *r);
int h_mon_confirm(http_req *r);
int h_mon_ownership(http_req *r);
ROUTES(http_routes_monitor,
    {"GET", "/api/v1/monitor/lists", h_mon_lists, "monitor.list.list", 1, ACL_P_SCREEN},
    {"PUT", "/api/v1/monitor/lists/{name}", h_mon_list_add, "monitor.list.add", 1, ACL_P_WRITE},
    {"POST", "/api/v1/monitor/run", h_mon_run, "monitor.run", 1, ACL_P_REVIEW},
    {"GET", "/api/v1/monitor/alerts", h_mon_alerts, "monitor.alert.list", 1, ACL_P_SCREEN},
    {"POST", "/api/v1/monitor/alerts", h_mon_send, "monitor.alert.send", 1, ACL_P_REVIEW},
    {"GET", "/api/v1/monitor/alerts/{id}", h_mon_alert, "monitor.alert.read", 1, ACL_P_SCREEN},
    {"POST", "/api/v1/monitor/alerts/{id}/assign", h_mon_assign, "monitor.alert.assign", 1, ACL_P_REVIEW},
    {"POST", "/api/v1/monitor/alerts/{id}/decide", h_mon_decide, "monitor.alert.decide", 1, ACL_P_REVIEW},
    {"POST", "/api/v1/monitor/alerts/{id}/confirm", h_mon_confirm, "monitor.alert.confirm", 1, ACL_P_REVIEW},
    {"GET", "/api/v1/entities/{id}/ownership", h_mon_ownership, "entity.ownership", 1, R})
#undef R

/* The registry's routes joined once, in registry order. */
/* Room for every module's routes; more is a programming error that stops
 * the process at the first request rather than dropping routes silently. */
#define HTTP_MAX_ROUTES 1024
static http_route joined[HTTP_MAX_ROUTES];
static size_t njoined;
static pthread_once_t join_once = PTHREAD_ONCE_INIT;

static void join_routes(void) {
    for (const app_module *const *m = app_modules(); *m; m++) {
        if (!(*m)->routes) continue;
        size_t n = 0;
        const http_route *t = (*m)->routes(&n);
        if (n > HTTP_MAX_ROUTES - njoined) {
            fprintf(stderr, "puente: more than %d HTTP routes: raise HTTP_MAX_ROUTES\n", HTTP_MAX_ROUTES);
            abort();
        }
        for (size_t i = 0; i < n; i++) joined[njoined++] = t[i];
    }
}

const http_route *http_route_table(size_t *n) {
    pthread_once(&join_once, join_routes);
    *n = njoined;
    return joined;
}

const char *const *http_routes(void) {
    static char lines[HTTP_MAX_ROUTES][96];
    static const char *v[HTTP_MAX_ROUTES + 1];
    size_t n;
    const http_route *t = http_route_table(&n);
    if (!v[0])
        for (size_t i = 0; i < n; i++) {
            snprintf(lines[i], sizeof lines[i], "%s %s", t[i].method, t[i].pattern);
            v[i] = lines[i];
        }
    return v;
}

/* Match path against pattern; captures go to r->params. */
static int match(http_req *r, const char *pattern, const char *path) {
    size_t cap = 0, np = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (!pe || n == 0 || np >= HTTP_MAX_PARAMS || cap + n + 1 > sizeof r->capbuf) return 0;
            memcpy(r->capbuf + cap, s, n);
            r->capbuf[cap + n] = '\0';
            r->params[np++] = r->capbuf + cap;
            cap += n + 1;
            p = pe + 1;
            s += n;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    return *p == '\0' && *s == '\0';
}

static const char *bearer(http_req *r) {
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h) return NULL;
    /* "Bearer X" (ours) or "ApiKey X" (what yente clients send) */
    if (strncasecmp(h, "Bearer ", 7) == 0) h += 7;
    else if (strncasecmp(h, "ApiKey ", 7) == 0) h += 7;
    else return NULL;
    while (*h == ' ') h++;
    return h;
}

static int authenticate(http_req *r) {
    const char *secret = bearer(r);
    if (!secret || !*secret) {
        /* the web's session cookie; CSRF and idle checks follow (http_web.c) */
        secret = http_web_cookie_secret(r);
        r->cookie_auth = secret != NULL;
    }
    if (!secret || !*secret) {
        r->unauthenticated = 1;
        return http_fail(r, PU_ERR_DENIED, "Authorization", "authentication required: send 'Authorization: Bearer <token>'");
    }
    pu_err e;
    int rc = acl_authenticate_cached(r->db, secret, acl_now(), ACL_AUTH_CACHE_TTL_MS, &r->p, &e);
    if (rc == PU_ERR_DENIED) {
        r->unauthenticated = 1;
        return http_fail(r, PU_ERR_DENIED, "Authorization", "the token or session is invalid or expired");
    }
    if (rc) return http_fail(r, rc, NULL, "the store is unavailable");
    r->authed = 1;
    pu_strlcpy(r->secret, secret, sizeof r->secret);
    acl_scope(&r->p, &r->scope);
    return r->cookie_auth ? http_web_check_cookie(r) : PU_OK;
}

/* ---- what a principal's secret allows besides its role (docs/access.md) ---- */
/* A session waiting for second-factor enrolment reaches only these. */
static int enrolment_route(const http_route *rt) {
    /* + the web's own session, language and sign-out routes, so a browser
     * session can show the enrolment page (docs/web.md, "Second factor") */
    static const char *const allowed[] = {"me",         "logout",   "totp.begin",        "totp.confirm",
                                          "web.session", "web.lang", "logout.everywhere", NULL};
    for (size_t i = 0; rt->action && allowed[i]; i++)
        if (strcmp(rt->action, allowed[i]) == 0) return 1;
    return 0;
}

/* A read-only token may call routes that only read, even with POST
 * (screening, comparing, kinship computations), and log out. */
static int read_only_route(const http_route *rt) {
    const unsigned reading = ACL_P_READ | ACL_P_SCREEN | ACL_P_FORENSIC | ACL_P_AUDIT;
    if (strcmp(rt->method, "GET") == 0) return 1;
    if (rt->action && strcmp(rt->action, "logout") == 0) return 1;
    return rt->perm && !(rt->perm & ~reading);
}

/* A secret of a user whose password an administrator set reaches only
 * these until the user changes it (docs/access.md, "Password set by an
 * administrator"). */
static int password_change_route(const http_route *rt) {
    static const char *const allowed[] = {"me", "logout", "password.change", "web.session", NULL};
    for (size_t i = 0; rt->action && allowed[i]; i++)
        if (strcmp(rt->action, allowed[i]) == 0) return 1;
    return 0;
}

static int secret_scope(http_req *r, const http_route *rt) {
    if (r->p.pw_change && !password_change_route(rt)) {
        r->force_status = 403;
        r->force_code = "password_change_required";
        return http_fail(r, PU_ERR_DENIED, "password",
                         "your password was set by an administrator: change it first (POST /api/v1/me/password)");
    }
    if (r->p.mfa_pending && !enrolment_route(rt))
        return http_fail(r, PU_ERR_DENIED, "second_factor",
                         "your role requires a second factor: enrol it first (POST /api/v1/me/totp)");
    if (r->p.read_only && !read_only_route(rt))
        return http_fail(r, PU_ERR_DENIED, "Authorization", "this token is read-only");
    return PU_OK;
}

static void error_body(http_req *r, int rc) {
    int status = r->unauthenticated ? 401 : r->allow ? 405 : r->force_status ? r->force_status : http_status_of(rc);
    const char *code = r->unauthenticated ? "unauthenticated" : r->allow ? "method_not_allowed"
                     : r->force_code ? r->force_code : pu_code_name(rc);
    if (status == 500 && !r->err.msg[0]) pu_strlcpy(r->err.msg, pu_strerror(rc), sizeof r->err.msg);
    if (r->lang != I18N_EN) { /* the catalogue's message of the code (docs/web.md, "Languages") */
        char key[64];
        (void)pu_snprintf(key, sizeof key, "error.%s", code);
        pu_strlcpy(r->err.msg, i18n_get(r->lang, key), sizeof r->err.msg);
    }
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", r->err.msg, "field", r->err.field);
    http_json(r, status, e);
}

/* What to call the outcome of a request in the audit trail. */
static const char *outcome_of(http_req *r, int rc) {
    if (r->unauthenticated) return "unauthenticated";
    if (rc != PU_OK && r->force_code) return r->force_code; /* rate_limited, busy */
    return rc == PU_OK ? "success" : pu_code_name(rc);
}

/* The stated purpose (header X-Puente-Purpose), kept for the audit entry;
 * required where the policy says so (http_purpose_required). */
#define HTTP_PURPOSE_HEADER "X-Puente-Purpose"
static int purpose_check(http_req *r) {
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, HTTP_PURPOSE_HEADER);
    if (h && *h) pu_strlcpy(r->purpose, h, sizeof r->purpose);
    if (!r->purpose[0] && http_purpose_required(r->action))
        return http_fail(r, PU_ERR_INVALID, HTTP_PURPOSE_HEADER,
                         "this route needs a stated purpose: send the header " HTTP_PURPOSE_HEADER);
    return PU_OK;
}

void http_dispatch(http_req *r) {
    const http_route *rt = NULL;
    char allow[128] = "";
    size_t nroutes;
    const http_route *table = http_route_table(&nroutes);
    r->lang = http_web_lang(r);
    for (size_t i = 0; i < nroutes; i++) {
        if (!match(r, table[i].pattern, r->path)) continue;
        if (strcmp(r->method, table[i].method) == 0) {
            rt = &table[i];
            break;
        }
        size_t n = strlen(allow);
        snprintf(allow + n, sizeof allow - n, "%s%s", n ? ", " : "", table[i].method);
    }
    if (!rt) {
        int rc = allow[0] ? http_fail(r, PU_ERR_UNSUPPORTED, "method", "method %s is not allowed here; use %s", r->method, allow)
                          : http_fail(r, PU_ERR_NOTFOUND, "path", "no such route: %.200s", r->path);
        if (allow[0]) {
            pu_strlcpy(r->allow_buf, allow, sizeof r->allow_buf);
            r->allow = r->allow_buf;
        }
        error_body(r, rc);
        return;
    }
    r->action = rt->action;
    int rc = PU_OK;
    if (rt->auth) rc = authenticate(r);
    if (rc == PU_OK && rt->auth) rc = secret_scope(r, rt);
    if (rc == PU_OK && rt->perm && !(r->p.perms & rt->perm))
        rc = http_fail(r, PU_ERR_DENIED, NULL, "the role '%s' does not allow this", r->p.role);
    if (rc == PU_OK) rc = purpose_check(r);
    if (rc == PU_OK) rc = rt->fn(r);
    if (rc != PU_OK && rt->fn == h_login && r->p.user[0] && !r->p.agency[0]) {
        /* a failed login counts against the agency of the account it named */
        acl_principal named;
        pu_err ignore;
        if (acl_user_get(r->db, r->p.user, &named, &ignore) == PU_OK) pu_strlcpy(r->p.agency, named.agency, sizeof r->p.agency);
    }
    if (rc != PU_OK) {
        /* what was asked: the id named in the path of a refused request */
        if (!r->targets.len && r->params[0] && strchr(rt->pattern, '{')) http_target(r, r->params[0]);
        error_body(r, rc);
    }
    if (!rt->action || r->audited) return;
    if (r->auditq && !db_in_tx(r->db)) {
        /* reads and refusals: the server queues the entry after this returns
         * and holds the answer back until it is committed */
        http_audit_event(r, outcome_of(r, rc), &r->audit_ev);
        r->audit_deferred = 1;
    } else if (http_audit_now(r, outcome_of(r, rc)) != PU_OK) {
        http_audit_failed(r);
    }
}

void http_audit_failed(http_req *r) {
    /* fail closed: nothing is answered that the trail did not record */
    pu_buf_reset(&r->out);
    r->allow = NULL;
    r->content_type = NULL;
    http_fail(r, PU_ERR_DB, NULL, "the audit trail could not be written; the request was not completed");
    r->unauthenticated = 0;
    error_body(r, PU_ERR_DB);
}
/* Protection of journalists and defenders (http_protect.c, docs/protection.md):
 * every route needs the protect permission; reads state their purpose. */
int h_protect_keys(http_req *r);
int h_protect_unlock(http_req *r);
int h_protect_lock(http_req *r);
int h_protect_catalogue(http_req *r);
int h_protect_list(http_req *r);
int h_protect_search(http_req *r);
int h_protect_clocks(http_req *r);
int h_protect_case_get(http_req *r);
int h_protect_case_add(http_req *r);
int h_protect_member_add(http_req *r);
int h_protect_member_remove(http_req *r);
int h_protect_person_add(http_req *r);
int h_protect_contact_add(http_req *r);
int h_protect_place_add(http_req *r);
int h_protect_incident_add(http_req *r);
int h_protect_study_add(http_req *r);
int h_protect_measure_add(http_req *r);
int h_protect_measure_status(http_req *r);
int h_protect_step_add(http_req *r);
int h_protect_prosecution_add(http_req *r);
int h_protect_evidence_add(http_req *r);
int h_protect_evidence_get(http_req *r);
ROUTES(http_routes_protect,
    {"POST", "/api/v1/protect/keys", h_protect_keys, "protect.keygen", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/unlock", h_protect_unlock, "protect.unlock", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/lock", h_protect_lock, "protect.lock", 1, ACL_P_PROTECT},
    {"GET", "/api/v1/protect/catalogue", h_protect_catalogue, NULL, 1, ACL_P_PROTECT},
    {"GET", "/api/v1/protect/clocks", h_protect_clocks, "protect.clocks", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/search", h_protect_search, "protect.search", 1, ACL_P_PROTECT},
    {"GET", "/api/v1/protect/cases", h_protect_list, "protect.list", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases", h_protect_case_add, "protect.case.open", 1, ACL_P_PROTECT},
    {"GET", "/api/v1/protect/cases/{id}", h_protect_case_get, "protect.case.read", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/members", h_protect_member_add, "protect.member.add", 1, ACL_P_PROTECT},
    {"DELETE", "/api/v1/protect/cases/{id}/members/{user}", h_protect_member_remove, "protect.member.remove", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/people", h_protect_person_add, "protect.person.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/contacts", h_protect_contact_add, "protect.contact.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/places", h_protect_place_add, "protect.place.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/incidents", h_protect_incident_add, "protect.incident.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/studies", h_protect_study_add, "protect.study.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/measures", h_protect_measure_add, "protect.measure.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/measures/{m}/status", h_protect_measure_status, "protect.measure.status", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/steps", h_protect_step_add, "protect.request.step", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/prosecutions", h_protect_prosecution_add, "protect.prosecution.add", 1, ACL_P_PROTECT},
    {"POST", "/api/v1/protect/cases/{id}/evidence", h_protect_evidence_add, "protect.evidence.add", 1, ACL_P_PROTECT},
    {"GET", "/api/v1/protect/cases/{id}/evidence/{ev}", h_protect_evidence_get, "protect.evidence.read", 1, ACL_P_PROTECT})
