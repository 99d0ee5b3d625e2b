/* http_cargo.c - cargo routes: the review queue and dispositions. Markings
 * are enforced by the engine's scope-aware functions (cargo_scope of the
 * caller); every request is audited by the dispatcher. */
#include <stdlib.h>
#include <string.h>

#include "cargo/cargo.h"
#include "http/http_int.h"

static int migrate(http_req *r) {
    pu_err pe;
    int rc = cargo_migrate(r->db, &pe);
    return rc ? http_fail(r, rc, NULL, "cargo store unavailable: %s", pe.msg) : PU_OK;
}

static int queue_row(const cargo_queue_row *q, void *ctx) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:f,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)q->id,
                          "awb", q->awb ? q->awb : "", "hawb", q->hawb ? q->hawb : "", "score", q->score, "decision",
                          q->decision ? q->decision : "", "reasons", q->reasons ? q->reasons : "", "chemicals",
                          q->chemicals ? q->chemicals : "", "parties", q->parties ? q->parties : "", "shipper",
                          q->shipper ? q->shipper : "", "consignee", q->consignee ? q->consignee : "", "arrival_date",
                          q->arrival_date ? q->arrival_date : "", "disposition", q->disposition ? q->disposition : "",
                          "owner", q->owner ? q->owner : "", "marking", q->marking ? q->marking : "");
    return (!o || json_array_append_new((json_t *)ctx, o)) ? PU_ERR_NOMEM : PU_OK;
}

int h_cargo_queue(http_req *r) {
    static const char *const args[] = {"decision", "all", "limit", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *d = http_arg(r, "decision"), *all = http_arg(r, "all");
    if (d && strcmp(d, "hold") && strcmp(d, "review") && strcmp(d, "release"))
        return http_fail(r, PU_ERR_INVALID, "decision", "expected hold, review or release");
    if (all && strcmp(all, "true") && strcmp(all, "false"))
        return http_fail(r, PU_ERR_INVALID, "all", "expected true or false");
    int64_t limit;
    if ((rc = http_arg_int(r, "limit", 1, 100000, 1000, &limit))) return rc;
    if ((rc = migrate(r))) return rc;
    cargo_scope sc = {r->p.country, r->p.agency};
    cargo_queue_opts qo = {d, all && !strcmp(all, "true"), limit};
    json_t *arr = json_array();
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = cargo_queue(r->db, &sc, &qo, queue_row, arr, &pe))) {
        json_decref(arr);
        return http_fail(r, rc, NULL, "%s", pe.msg);
    }
    (void)pu_buf_printf(&r->detail, "rows=%zu", json_array_size(arr));
    return http_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(arr), "results", arr));
}

int h_cargo_dispose(http_req *r) {
    static const char *const keys[] = {"awb", "hawb", "outcome", "note", "marking", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *awb = NULL, *hawb = NULL, *outcome = NULL, *note = NULL, *marking = NULL;
    if ((rc = http_only_keys(r, o, keys, "body")) || (rc = http_str_member(r, o, "awb", "body", &awb)) ||
        (rc = http_str_member(r, o, "hawb", "body", &hawb)) ||
        (rc = http_str_member(r, o, "outcome", "body", &outcome)) ||
        (rc = http_str_member(r, o, "note", "body", &note)) ||
        (rc = http_str_member(r, o, "marking", "body", &marking)))
        goto out;
    if (!awb || !*awb) {
        rc = http_fail(r, PU_ERR_INVALID, "awb", "the air waybill number is required");
        goto out;
    }
    if (!outcome || !cargo_outcome_valid(outcome)) {
        rc = http_fail(r, PU_ERR_INVALID, "outcome", "expected one of " CARGO_OUTCOMES);
        goto out;
    }
    http_target(r, awb);
    if ((rc = migrate(r))) goto out;
    cargo_scope sc = {r->p.country, r->p.agency};
    cargo_stamp stamp = {r->p.agency, marking ? marking : "SHARED", r->p.user, note};
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = cargo_dispose(r->db, &sc, awb, hawb, outcome, &stamp, &pe))) {
        rc = http_fail(r, rc, rc == PU_ERR_NOTFOUND ? "awb" : rc == PU_ERR_CONFLICT ? "hawb" : pe.field, "%s", pe.msg);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "outcome=%s", outcome);
    rc = http_json(r, 200, json_pack("{s:s,s:s,s:s}", "awb", awb, "hawb", hawb ? hawb : "", "outcome", outcome));
out:
    json_decref(o);
    return rc;
}
