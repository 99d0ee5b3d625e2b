/* http_ews.c - early-warning routes: list alerts, acknowledge and close them.
 * Markings are enforced by the engine's scope-aware functions (the caller's
 * store_scope); every request is audited by the dispatcher. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ews/ews.h"
#include "http/http_int.h"

static int open_ews(http_req *r, ews_t **e) {
    pu_err pe;
    int rc = ews_open(r->db, NULL, e, &pe);
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
    rc = close ? ews_alert_close(e, &r->scope, id, r->p.agency, note, &pe)
               : ews_alert_ack(e, &r->scope, id, r->p.agency, &pe);
    ews_close(e);
    free((char *)note);
    if (rc) return http_fail(r, rc, rc == PU_ERR_NOTFOUND ? "id" : NULL, "%s", pe.msg);
    return http_json(r, 200, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "status",
                                       close ? "closed" : "acknowledged", "by", r->p.agency));
}

int h_ews_alert_ack(http_req *r) { return change(r, 0); }
int h_ews_alert_close(http_req *r) { return change(r, 1); }

/* ---- report import ----
 * The body is JSON lines or one JSON array of report objects (the keys of
 * `puente ews import`'s JSON lines). Each record is checked to belong to the
 * caller's agency (owner defaults to it), written one per line to a private
 * temporary file and imported by ews_import in ONE transaction: any bad record
 * aborts the whole import and the error names its record number. */
static int add_record(http_req *r, json_t *rec, size_t no, FILE *f) {
    if (!json_is_object(rec))
        return http_fail(r, PU_ERR_INVALID, "body", "record %zu: expected a JSON object", no);
    json_t *ow = json_object_get(rec, "owner");
    if (!ow) json_object_set_new(rec, "owner", json_string(r->p.agency));
    else if (!json_is_string(ow) || strcmp(json_string_value(ow), r->p.agency))
        return http_fail(r, PU_ERR_DENIED, "owner", "record %zu: reports are filed as your agency (%s)", no, r->p.agency);
    if (json_dumpf(rec, f, JSON_COMPACT) || fputc('\n', f) == EOF)
        return http_fail(r, PU_ERR_IO, NULL, "could not stage the reports");
    return PU_OK;
}

static int stage_body(http_req *r, FILE *f, size_t *n) {
    const char *b = r->body.data ? r->body.data : "";
    size_t len = r->body.len, i = 0;
    while (i < len && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
    if (i == len) return http_fail(r, PU_ERR_INVALID, "body", "expected report records (JSON lines or an array)");
    json_error_t je;
    if (b[i] == '[') {
        json_t *a = json_loadb(b, len, 0, &je);
        if (!a || !json_is_array(a)) {
            json_decref(a);
            return http_fail(r, PU_ERR_INVALID, "body", "expected a JSON array: %s at line %d", je.text, je.line);
        }
        int rc = PU_OK;
        for (size_t k = 0; k < json_array_size(a) && !rc; k++) rc = add_record(r, json_array_get(a, k), k + 1, f);
        *n = json_array_size(a);
        json_decref(a);
        return rc;
    }
    size_t no = 0;
    while (i < len) {
        const char *nl = memchr(b + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - b) : len, k = i;
        while (k < end && (b[k] == ' ' || b[k] == '\r' || b[k] == '\t')) k++;
        if (k < end) {
            no++;
            json_t *rec = json_loadb(b + i, end - i, 0, &je);
            if (!rec) return http_fail(r, PU_ERR_INVALID, "body", "record %zu: not JSON: %s", no, je.text);
            int rc = add_record(r, rec, no, f);
            json_decref(rec);
            if (rc) return rc;
        }
        i = end + 1;
    }
    *n = no;
    return PU_OK;
}

int h_ews_reports(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    char path[] = "/tmp/puente-ews-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        if (fd >= 0) close(fd);
        if (fd >= 0) unlink(path);
        return http_fail(r, PU_ERR_IO, NULL, "could not stage the reports");
    }
    size_t n = 0;
    rc = stage_body(r, f, &n);
    if (fclose(f) && !rc) rc = http_fail(r, PU_ERR_IO, NULL, "could not stage the reports");
    ews_t *e = NULL;
    if (!rc) rc = open_ews(r, &e);
    if (!rc) {
        ews_import_stats st = {0};
        pu_err pe;
        pu_err_clear(&pe);
        rc = ews_import(e, path, "jsonl", &st, &pe);
        if (rc) {
            /* "<tmp>:N" is the N-th record of the body */
            const char *colon = strrchr(pe.where, ':');
            rc = http_fail(r, rc, pe.field, "record %s: %s", colon ? colon + 1 : "?", pe.msg);
        } else {
            (void)pu_buf_printf(&r->detail, "reports=%lld alerts=%lld", (long long)st.reports, (long long)st.alerts);
            rc = http_json(r, 200, json_pack("{s:I,s:I,s:I,s:I}", "reports", (json_int_t)st.reports, "substances",
                                             (json_int_t)st.substances, "queued", (json_int_t)st.queued, "alerts",
                                             (json_int_t)st.alerts));
        }
    }
    ews_close(e);
    unlink(path);
    (void)n;
    return rc;
}
