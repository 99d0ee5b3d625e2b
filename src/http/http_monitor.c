/*
 * http_monitor.c - the thin HTTP shell over src/monitor (docs/monitor.md,
 * docs/openapi.yaml): customer lists, monitoring runs, the review queue
 * with four eyes, and the ownership (50 % rule) of an entity. Every route
 * is audited by the dispatcher under its action; the acting user is the
 * authenticated principal, never a name in the body.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "monitor/monitor.h"
#include "screen/screen.h"

static monitor_actor actor_of(const http_req *r) { return (monitor_actor){r->p.user, r->p.perms}; }

static int fail_pe(http_req *r, int rc, const pu_err *pe) {
    return http_fail(r, rc, pe->field[0] ? pe->field : NULL, "%s", pe->msg);
}

/* ---- lists ---- */

static int on_list(const monitor_list_row *l, void *ctx) {
    json_array_append_new(ctx, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:I,s:I}", "id", (json_int_t)l->id, "name", l->name,
                                         "agency", l->owner, "marking", l->marking, "created", l->created, "last_run",
                                         *l->last_run ? l->last_run : NULL, "subjects", (json_int_t)l->subjects,
                                         "open_alerts", (json_int_t)l->open_alerts));
    return 0;
}

int h_mon_lists(http_req *r) {
    static const char *const args[] = {NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    json_t *arr = json_array();
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = monitor_lists(r->st, &r->scope, on_list, arr, &pe))) {
        json_decref(arr);
        return fail_pe(r, rc, &pe);
    }
    (void)pu_buf_printf(&r->detail, "lists=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:o}", "lists", arr));
}

/* The body is the list's CSV (the columns of `puente monitor add`). */
int h_mon_list_add(http_req *r) {
    static const char *const args[] = {"marking", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    http_target(r, r->params[0]);
    if (!r->body.len) return http_fail(r, PU_ERR_INVALID, "body", "expected the list as CSV with a 'name' column");
    pu_report rep;
    pu_report_init(&rep, "monitor add", NULL);
    monitor_add_opts o = {http_arg(r, "marking"), NULL};
    pu_err pe;
    pu_err_clear(&pe);
    rc = monitor_list_add_mem(r->st, &r->scope, r->params[0], "body", r->body.data, r->body.len, &o, &rep, &pe);
    if (rc) {
        pu_report_free(&rep);
        return fail_pe(r, rc, &pe);
    }
    json_t *msgs = json_array();
    for (size_t i = 0; i < rep.nkept; i++) json_array_append_new(msgs, json_string(rep.kept[i]));
    (void)pu_buf_printf(&r->detail, "read=%llu written=%llu rejected=%llu", (unsigned long long)rep.read,
                        (unsigned long long)rep.written, (unsigned long long)rep.rejected);
    json_t *body = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o}", "list", r->params[0], "read", (json_int_t)rep.read,
                             "written", (json_int_t)rep.written, "unchanged", (json_int_t)rep.unchanged, "rejected",
                             (json_int_t)rep.rejected, "duplicate", (json_int_t)rep.duplicate, "messages", msgs);
    pu_report_free(&rep);
    return http_json(r, 200, body);
}

int h_mon_run(http_req *r) {
    static const char *const args[] = {"list", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *list = http_arg(r, "list");
    if (list) http_target(r, list);
    monitor_run_summary s;
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = monitor_run(r->st, &r->scope, list, &s, &pe))) return fail_pe(r, rc, &pe);
    (void)pu_buf_printf(&r->detail, "subjects=%lld alerts_opened=%lld", (long long)s.subjects,
                        (long long)s.alerts_opened);
    return http_json(r, 200,
                     json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "lists", (json_int_t)s.lists, "subjects",
                               (json_int_t)s.subjects, "full_screens", (json_int_t)s.full_screens, "delta_entities",
                               (json_int_t)s.delta_entities, "hits", (json_int_t)s.hits, "alerts_opened",
                               (json_int_t)s.alerts_opened, "unchanged", (json_int_t)s.unchanged, "suppressed",
                               (json_int_t)s.suppressed, "basis_removed", (json_int_t)s.basis_removed));
}

/* ---- the queue ---- */

static int on_alert(const monitor_alert *a, void *ctx) {
    json_array_append_new(ctx, monitor_alert_to_json(a));
    return 0;
}

int h_mon_alerts(http_req *r) {
    static const char *const args[] = {"status", "list", "assignee", "limit", "offset", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    int64_t limit = 0, offset = 0;
    if ((rc = http_arg_int(r, "limit", 1, 1000, MONITOR_ALERTS_DEFAULT_LIMIT, &limit)) ||
        (rc = http_arg_int(r, "offset", 0, INT32_MAX, 0, &offset)))
        return rc;
    monitor_alert_filter f = {http_arg(r, "status"), http_arg(r, "list"), http_arg(r, "assignee"), limit, offset};
    json_t *arr = json_array();
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = monitor_alerts(r->st, &r->scope, &f, on_alert, arr, &pe))) {
        json_decref(arr);
        return fail_pe(r, rc, &pe);
    }
    (void)pu_buf_printf(&r->detail, "alerts=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:o,s:I,s:I}", "alerts", arr, "limit", (json_int_t)limit, "offset",
                                       (json_int_t)offset));
}

static int alert_id(http_req *r, int64_t *id) {
    char *end;
    long long v = strtoll(r->params[0], &end, 10);
    if (*end || v <= 0 || end == r->params[0])
        return http_fail(r, PU_ERR_INVALID, "id", "expected a positive integer alert id, got '%.64s'", r->params[0]);
    *id = v;
    http_target(r, r->params[0]);
    return PU_OK;
}

static int on_one(const monitor_alert *a, void *ctx) {
    *(json_t **)ctx = monitor_alert_to_json(a);
    return 1;
}

static int on_step(const monitor_alert *a, void *ctx) {
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s,s:s?}", "at", a->created, "actor", a->decided_by, "action",
                                         a->decision, "status", a->status, "note", a->note));
    return 0;
}

/* The alert with its history and what the reader may do with it now. */
static int answer_alert(http_req *r, int64_t id) {
    json_t *j = NULL, *hist = json_array();
    pu_err pe;
    pu_err_clear(&pe);
    int rc = monitor_alert_get(r->st, &r->scope, id, on_one, &j, &pe);
    if (!rc) rc = monitor_alert_history(r->st, &r->scope, id, on_step, hist, &pe);
    if (rc || !j) {
        json_decref(j);
        json_decref(hist);
        return rc ? fail_pe(r, rc, &pe) : http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    json_object_set_new(j, "history", hist);
    return http_json(r, 200, j);
}

int h_mon_alert(http_req *r) {
    int64_t id;
    int rc = alert_id(r, &id);
    return rc ? rc : answer_alert(r, id);
}

/* Body members as strings (NULL when absent); keys outside `allowed` refused. */
static int body_strs(http_req *r, const char *const *allowed, const char **vals, json_t **o) {
    *o = NULL;
    if (!r->body.len) return PU_OK;
    int rc = http_body_object(r, o);
    if (!rc) rc = http_only_keys(r, *o, allowed, "body");
    for (int i = 0; !rc && allowed[i]; i++) {
        rc = http_str_member(r, *o, allowed[i], "body", &vals[i]);
    }
    return rc;
}

static int step(http_req *r, const char *verb) {
    int64_t id;
    int rc = alert_id(r, &id);
    if (rc) return rc;
    static const char *const k_assign[] = {"to", NULL}, *const k_decide[] = {"decision", "note", NULL},
                             *const k_confirm[] = {"note", NULL};
    const char *const *keys = strcmp(verb, "assign") == 0 ? k_assign : strcmp(verb, "decide") == 0 ? k_decide : k_confirm;
    const char *v[3] = {NULL, NULL, NULL};
    json_t *o = NULL;
    if ((rc = body_strs(r, keys, v, &o))) {
        json_decref(o);
        return rc;
    }
    monitor_actor who = actor_of(r);
    pu_err pe;
    pu_err_clear(&pe);
    if (strcmp(verb, "assign") == 0) rc = monitor_alert_assign(r->st, &r->scope, &who, id, v[0], &pe);
    else if (strcmp(verb, "decide") == 0) rc = monitor_alert_decide(r->st, &r->scope, &who, id, v[0], v[1], &pe);
    else rc = monitor_alert_confirm(r->st, &r->scope, &who, id, v[0], &pe);
    json_decref(o);
    if (rc) return fail_pe(r, rc, &pe);
    (void)pu_buf_printf(&r->detail, "%s", verb);
    return answer_alert(r, id);
}

int h_mon_assign(http_req *r) { return step(r, "assign"); }
int h_mon_decide(http_req *r) { return step(r, "decide"); }
int h_mon_confirm(http_req *r) { return step(r, "confirm"); }

/* An ad-hoc screening hit sent to the queue: {"subject", "birth_date"?, "entity_id"}. */
int h_mon_send(http_req *r) {
    static const char *const keys[] = {"subject", "birth_date", "entity_id", NULL};
    const char *v[3] = {NULL, NULL, NULL};
    json_t *o = NULL;
    int rc = body_strs(r, keys, v, &o);
    if (!rc && (pu_blank(v[0]) || pu_blank(v[2])))
        rc = http_fail(r, PU_ERR_INVALID, pu_blank(v[0]) ? "subject" : "entity_id", "expected a non-empty string");
    if (rc) {
        json_decref(o);
        return rc;
    }
    http_target(r, v[2]);
    const char *names[1] = {v[0]};
    screen_query q = {.names = names, .nnames = 1, .birth_date = v[1]};
    monitor_actor who = actor_of(r);
    int64_t id = 0;
    pu_err pe;
    pu_err_clear(&pe);
    rc = monitor_alert_send(r->st, &r->scope, &who, &q, v[2], &id, &pe);
    json_decref(o);
    if (rc) return fail_pe(r, rc, &pe);
    return answer_alert(r, id);
}

/* ---- ownership ---- */

int h_mon_ownership(http_req *r) {
    static const char *const args[] = {NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    http_target(r, r->params[0]);
    monitor_ownership *own = NULL;
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = monitor_ownership_get(r->st, &r->scope, r->params[0], &own, &pe))) return fail_pe(r, rc, &pe);
    json_t *j = monitor_ownership_to_json(own);
    (void)pu_buf_printf(&r->detail, "blocked=%d chains=%zu", own->blocked, own->nchains);
    monitor_ownership_free(own);
    return j ? http_json(r, 200, j) : http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
}
