/* http_ews.c - early-warning routes: list alerts, acknowledge and close them.
 * Markings are enforced by the engine's scope-aware functions (the caller's
 * store_scope); every request is audited by the dispatcher. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ews/ews.h"
#include "http/http_int.h"

/* Cheap: no SQL. The schema was migrated once at server start
 * (prepare_store in http_server.c). */
static int open_ews(http_req *r, ews_t **e) {
    pu_err pe;
    int rc = ews_open(r->db, e, &pe);
    if (rc) return http_fail(r, rc, NULL, "early warning store unavailable: %s", pe.msg);
    return PU_OK;
}

static json_t *num_or_null(double v) { return isnan(v) ? json_null() : json_real(v); }

static int alert_row(const ews_alert *a, void *ctx) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
                          "id", (json_int_t)a->id, "kind", a->kind, "severity", a->severity, "substance", a->substance,
                          "place", a->place, "week", a->week, "method", a->method, "observed", num_or_null(a->observed),
                          "expected", num_or_null(a->expected), "upper", num_or_null(a->upper), "text_en", a->text_en,
                          "text_es", a->text_es, "addressed", a->addressed, "status", a->status, "owner", a->owner,
                          "marking", a->marking, "created", a->created, "acked_by", a->acked_by, "note", a->note);
    if (!o || json_array_append_new((json_t *)ctx, o)) return PU_ERR_NOMEM;
    return PU_OK;
}

static int valid_status(const char *s) {
    return !s || !strcmp(s, "open") || !strcmp(s, "acknowledged") || !strcmp(s, "closed");
}

int h_ews_alerts(http_req *r) {
    static const char *const args[] = {"status", "agency", "substance", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    ews_alert_query q = {http_arg(r, "status"), http_arg(r, "agency"), http_arg(r, "substance")};
    if (!valid_status(q.status))
        return http_fail(r, PU_ERR_INVALID, "status", "expected one of open, acknowledged, closed");
    ews_t *e;
    if ((rc = open_ews(r, &e))) return rc;
    json_t *arr = json_array();
    pu_err pe;
    rc = ews_alerts_list(e, &r->scope, &q, alert_row, arr, &pe);
    ews_close(e);
    if (rc) {
        json_decref(arr);
        return http_fail(r, rc, NULL, "%s", pe.msg);
    }
    (void)pu_buf_printf(&r->detail, "alerts=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(arr), "results", arr));
}

/* Alert id from the path: a positive decimal integer. */
static int alert_id(http_req *r, int64_t *id) {
    char *end;
    long long v = strtoll(r->params[0], &end, 10);
    if (*end || v <= 0 || end == r->params[0])
        return http_fail(r, PU_ERR_INVALID, "id", "expected a positive integer alert id, got '%.64s'", r->params[0]);
    *id = v;
    http_target(r, r->params[0]);
    return PU_OK;
}

static int change(http_req *r, int close) {
    int64_t id = 0;
    int rc = alert_id(r, &id);
    if (rc) return rc;
    const char *note = NULL;
    if (close && r->body.len) {
        json_t *o;
        static const char *const keys[] = {"note", NULL};
        if ((rc = http_body_object(r, &o))) return rc;
        if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "note", "body", &note))) {
            json_decref(o);
            return rc;
        }
        char *n = note ? strdup(note) : NULL;
        json_decref(o);
        note = n;
    }
    ews_t *e;
    if ((rc = open_ews(r, &e))) {
        free((char *)note);
        return rc;
    }
    pu_err pe;
    pu_err_clear(&pe);
    /* the caller acts for its own agency: a request cannot name another */
    rc = close ? ews_alert_close(e, &r->scope, id, r->p.agency, note, &pe)
               : ews_alert_ack(e, &r->scope, id, r->p.agency, &pe);
    ews_close(e);
    free((char *)note);
    /* a refusal names its field: "agency" when the caller is no addressee */
    if (rc) return http_fail(r, rc, rc == PU_ERR_NOTFOUND ? "id" : pe.field[0] ? pe.field : NULL, "%s", pe.msg);
    return http_json(r, 200, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "status",
                                       close ? "closed" : "acknowledged", "by", r->p.agency));
}

int h_ews_alert_ack(http_req *r) { return change(r, 0); }
int h_ews_alert_close(http_req *r) { return change(r, 1); }

/* ---- report import ----
 * The body is JSON lines or one JSON array of report objects (the keys of
 * `puente ews import`'s JSON lines), parsed from memory by ews_import_mem on
 * behalf of the caller's agency (a missing owner becomes it, another one is
 * refused). The import and its audit entry are written in ONE transaction on
 * the request's store handle: any bad record, or a failed audit write,
 * leaves nothing imported (fail closed), and the error names the record. */
static int body_blank(const http_req *r) {
    for (size_t i = 0; i < r->body.len; i++)
        if (r->body.data[i] != ' ' && r->body.data[i] != '\n' && r->body.data[i] != '\r' && r->body.data[i] != '\t')
            return 0;
    return 1;
}

int h_ews_reports(http_req *r) {
    static const char *const args[] = {"baseline", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    /* baseline=true: history without alerts (docs/ews.md). Loading data that
     * raises no alert is a supervisor's decision (ACL_P_DELETE, the bulk-data
     * right only supervisors hold; analysts review and write, administrators
     * do not write records at all), and the engine
     * refuses recent reports, so a baseline cannot silence a current emergence */
    const char *bl = http_arg(r, "baseline");
    if (bl && strcmp(bl, "true") && strcmp(bl, "false"))
        return http_fail(r, PU_ERR_INVALID, "baseline", "expected true or false, got '%.20s'", bl);
    int baseline = bl && !strcmp(bl, "true");
    if (baseline && !(r->p.perms & ACL_P_DELETE))
        return http_fail(r, PU_ERR_DENIED, "baseline", "a baseline import (no alerts) needs a supervisor");
    if (body_blank(r)) return http_fail(r, PU_ERR_INVALID, "body", "expected report records (JSON lines or an array)");
    ews_t *e = NULL;
    if ((rc = open_ews(r, &e))) return rc;
    pu_err pe;
    pu_err_clear(&pe);
    ews_import_stats st = {0};
    ews_import_opts o = {.format = "json", .owner = r->p.agency, .scope = &r->scope, .ids = &r->targets,
                         .baseline = baseline};
    rc = http_begin(r, &pe);
    if (rc == PU_OK && (rc = ews_import_mem(e, r->body.data, r->body.len, &o, &st, &pe)) != PU_OK)
        rc = http_fail(r, rc, pe.field[0] ? pe.field : rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT ? "body" : NULL,
                       "%s%s%s", pe.where, pe.where[0] ? ": " : "", pe.msg);
    else if (rc != PU_OK)
        rc = http_fail(r, rc, NULL, "early warning store unavailable: %s", pe.msg);
    ews_close(e);
    if (rc == PU_OK) {
        (void)pu_buf_printf(&r->detail, "reports=%lld alerts=%lld%s", (long long)st.reports, (long long)st.alerts,
                            baseline ? " baseline=1" : "");
        if (http_audit_now(r, "success") != PU_OK)
            rc = http_fail(r, PU_ERR_DB, NULL, "the audit trail could not be written; nothing was imported");
    }
    if (rc == PU_OK && db_commit(r->db, &pe) != PU_OK)
        rc = http_fail(r, PU_ERR_DB, NULL, "the reports could not be stored: %s", pe.msg);
    if (rc != PU_OK) {
        /* nothing of the import stays; the dispatcher audits the failure */
        db_rollback(r->db);
        r->audited = 0;
        return rc;
    }
    return http_json(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "reports", (json_int_t)st.reports,
                                       "substances", (json_int_t)st.substances, "queued", (json_int_t)st.queued,
                                       "alerts", (json_int_t)st.alerts, "read", (json_int_t)st.read, "unchanged",
                                       (json_int_t)st.unchanged, "duplicate", (json_int_t)st.duplicate, "baseline",
                                       baseline));
}

/* ---- an alert's weekly series (the web's plot) ----
 * The weekly counts of the alert's substance in its place, from the reports
 * the reader may see, with the alert method's upper bound and alarm weeks
 * recomputed on them (an aberration alert); first-detection alerts have
 * counts only. Hidden or absent alerts are one 404. */
/* ctx: the wanted alert; its `status` stays "" until the alert is found. */
static int find_alert(const ews_alert *a, void *ctx) {
    ews_alert *want = ctx;
    if (a->id != want->id) return PU_OK;
    *want = *a;
    return 1; /* found: stop */
}

static json_t *series_weeks(const ews_counts *c, const ews_result *res) {
    json_t *a = json_array();
    for (size_t t = 0; t < c->n; t++) {
        char date[16] = "";
        if (c->days) pu_format_date(c->days[t], date, sizeof date);
        else (void)pu_snprintf(date, sizeof date, "%lld", (long long)c->week[t]);
        json_t *alarm = !res || res->alarm[t] < 0 ? json_null() : json_boolean(res->alarm[t] == 1);
        json_array_append_new(a, json_pack("{s:s,s:f,s:o,s:o}", "week", date, "count", c->y[t], "upper",
                                           res ? num_or_null(res->upper[t]) : json_null(), "alarm", alarm));
    }
    return a;
}

int h_ews_alert_series(http_req *r) {
    static const char *const no_args[] = {NULL};
    int64_t id = 0;
    int rc = http_only_args(r, no_args);
    if (rc == PU_OK) rc = alert_id(r, &id);
    if (rc) return rc;
    ews_t *e;
    if ((rc = open_ews(r, &e))) return rc;
    ews_alert a = {.id = id};
    pu_err pe;
    pu_err_clear(&pe);
    rc = ews_alerts_list(e, &r->scope, NULL, find_alert, &a, &pe);
    if (rc != PU_OK) {
        ews_close(e);
        return http_fail(r, rc, NULL, "%s", pe.msg);
    }
    if (!a.status[0]) {
        ews_close(e);
        return http_fail(r, PU_ERR_NOTFOUND, "id", "no alert %lld", (long long)id);
    }
    ews_counts *c = NULL;
    rc = ews_counts_from_store(e, &r->scope, a.substance, a.place, &c, &pe);
    ews_close(e);
    if (rc) return http_fail(r, rc, rc == PU_ERR_NOTFOUND ? "id" : NULL, "%s", pe.msg);
    ews_method m;
    ews_result *res = NULL;
    if (ews_method_parse(a.method, &m, &pe) == PU_OK) {
        ews_params p;
        ews_params_default(m, &p);
        ews_series s = {c->n, c->y, c->days};
        if (ews_detect(&s, &p, &res, &pe) != PU_OK) res = NULL; /* too short: counts only */
    }
    json_t *weeks = series_weeks(c, res);
    ews_result_free(res);
    ews_counts_free(c);
    (void)pu_buf_printf(&r->detail, "weeks=%zu", json_array_size(weeks));
    return http_json(r, 200, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)id, "substance", a.substance,
                                       "place", a.place, "method", a.method, "alert_week", a.week, "weeks", weeks));
}

/* ---- the curator queue of unknown substance names ----
 * GET /api/v1/ews/queue[?status=open|resolved|rejected]: the items visible
 * to the reader, most used first; POST /api/v1/ews/queue/{id}/resolve
 * {"substance"} maps the name to a known substance (ews_queue_resolve: a
 * synonym, the reports re-linked, first detections run); POST
 * /api/v1/ews/queue/{id}/reject dismisses it (ews_queue_reject). */
static int queue_row(const ews_queue_item *q, void *ctx) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:o}", "id", (json_int_t)q->id, "name", q->name, "norm", q->norm,
                          "count", (json_int_t)q->count, "first_report", q->first_report, "status", q->status,
                          "substance", q->substance[0] ? json_string(q->substance) : json_null());
    return o ? json_array_append_new(ctx, o) : 1;
}

int h_ews_queue(http_req *r) {
    static const char *const args[] = {"status", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *status = http_arg(r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "resolved") && strcmp(status, "rejected"))
        return http_fail(r, PU_ERR_INVALID, "status", "expected one of open, resolved, rejected");
    ews_t *e;
    if ((rc = open_ews(r, &e))) return rc;
    json_t *arr = json_array();
    pu_err pe;
    rc = ews_queue_list(e, &r->scope, status, queue_row, arr, &pe);
    ews_close(e);
    if (rc) {
        json_decref(arr);
        return http_fail(r, rc, NULL, "%s", pe.msg);
    }
    (void)pu_buf_printf(&r->detail, "items=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(arr), "results", arr));
}

static int queue_decide(http_req *r, int resolve) {
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    http_target(r, r->params[0]);
    if (*end || id <= 0 || end == r->params[0])
        return http_fail(r, PU_ERR_INVALID, "id", "expected a positive integer queue item, got '%.64s'", r->params[0]);
    const char *substance = NULL;
    json_t *o = NULL;
    int rc = PU_OK;
    if (resolve) {
        static const char *const keys[] = {"substance", NULL};
        if ((rc = http_body_object(r, &o))) return rc;
        if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "substance", NULL, &substance)) &&
            !substance)
            rc = http_fail(r, PU_ERR_INVALID, "substance", "expected the id of a known substance");
    }
    ews_t *e = NULL;
    if (rc == PU_OK) rc = open_ews(r, &e);
    pu_err pe;
    pu_err_clear(&pe);
    if (rc == PU_OK) {
        if (resolve) (void)pu_buf_printf(&r->detail, "substance=%s", substance);
        rc = resolve ? ews_queue_resolve(e, &r->scope, id, substance, &pe) : ews_queue_reject(e, &r->scope, id, &pe);
        if (rc) rc = http_fail(r, rc, pe.field[0] ? pe.field : NULL, "%s", pe.msg);
    }
    ews_close(e);
    /* the answer before the body goes: substance points into it */
    if (rc == PU_OK)
        rc = http_json(r, 200, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id, "status",
                                         resolve ? "resolved" : "rejected", "substance",
                                         substance ? json_string(substance) : json_null()));
    json_decref(o);
    return rc;
}

int h_ews_queue_resolve(http_req *r) { return queue_decide(r, 1); }
int h_ews_queue_reject(http_req *r) { return queue_decide(r, 0); }
