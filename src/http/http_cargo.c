/* http_cargo.c - cargo routes: manifest import and screening, the review
 * queue and dispositions. Markings and the write rule are enforced by the
 * engine's functions, which take the caller's store_scope; every request is
 * audited (a stored manifest in the same transaction as its shipments, the
 * rest by the dispatcher). The cargo tables are migrated once when the
 * server starts (http_server.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cargo/cargo.h"
#include "http/http_int.h"

/* Lines per submission: bounds the work and the response (about 1 KiB per
 * line) of one request; larger manifests go in several requests or the CLI. */
#define MANIFEST_MAX_LINES 100000

static int queue_row(const cargo_queue_row *q, void *ctx) {
    json_t *o;
    return (cargo_queue_row_to_json(q, &o) || json_array_append_new((json_t *)ctx, o)) ? PU_ERR_NOMEM : PU_OK;
}

/* summary=true: only the count (the home page's tile), no rows sent. */
static int count_row(const cargo_queue_row *q, void *ctx) {
    (void)q;
    (*(int64_t *)ctx)++;
    return PU_OK;
}

int h_cargo_queue(http_req *r) {
    static const char *const args[] = {"decision", "all", "limit", "summary", NULL};
    int rc = http_only_args(r, args);
    if (rc) return rc;
    const char *d = http_arg(r, "decision"), *all = http_arg(r, "all");
    if (d && strcmp(d, "hold") && strcmp(d, "review") && strcmp(d, "release"))
        return http_fail(r, PU_ERR_INVALID, "decision", "expected hold, review or release");
    if (all && strcmp(all, "true") && strcmp(all, "false"))
        return http_fail(r, PU_ERR_INVALID, "all", "expected true or false");
    int64_t limit;
    if ((rc = http_arg_int(r, "limit", 1, 100000, 1000, &limit))) return rc;
    cargo_queue_opts qo = {d, all && !strcmp(all, "true"), limit};
    const char *summary = http_arg(r, "summary");
    if (summary && strcmp(summary, "true") && strcmp(summary, "false"))
        return http_fail(r, PU_ERR_INVALID, "summary", "expected true or false");
    if (summary && !strcmp(summary, "true")) {
        int64_t n = 0;
        pu_err pe;
        if ((rc = cargo_queue(r->db, &r->scope, &qo, count_row, &n, &pe))) return http_fail(r, rc, NULL, "%s", pe.msg);
        (void)pu_buf_printf(&r->detail, "rows=%lld; summary", (long long)n);
        return http_json(r, 200, json_pack("{s:I,s:[]}", "total", (json_int_t)n, "results"));
    }
    json_t *arr = json_array();
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = cargo_queue(r->db, &r->scope, &qo, queue_row, arr, &pe))) {
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
    /* filed as the caller's agency; the line's owner (or a grant) decides */
    cargo_stamp stamp = {r->p.agency, marking, r->p.user, note};
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = cargo_dispose(r->db, &r->scope, awb, hawb, outcome, &stamp, &pe))) {
        rc = http_fail(r, rc, rc == PU_ERR_NOTFOUND ? "awb" : rc == PU_ERR_CONFLICT ? "hawb" : pe.field, "%s", pe.msg);
        goto out;
    }
    (void)pu_buf_printf(&r->detail, "outcome=%s", outcome);
    rc = http_json(r, 200, json_pack("{s:s,s:s,s:s}", "awb", awb, "hawb", hawb ? hawb : "", "outcome", outcome));
out:
    json_decref(o);
    return rc;
}

/* ---- POST /api/v1/cargo/manifests ----
 * Body: CSV (text/csv), JSON lines (application/x-ndjson) or one JSON object
 * or array of manifest lines (application/json); the column names / keys of
 * `puente cargo screen`. Read from memory, screened like the CLI (watchlist,
 * rules, designated parties as the caller may see them, history rules), and
 * stored as one batch of the caller's agency together with the audit entry
 * in ONE transaction: a bad line, a store failure or an audit failure leaves
 * nothing behind. */

/* Body format from the Content-Type (media type and an optional charset). */
static int body_format(http_req *r, cargo_format *fmt) {
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    static const char *const ACCEPTED = "text/csv, application/x-ndjson or application/json";
    if (!ct) return http_fail(r, PU_ERR_UNSUPPORTED, "Content-Type", "send a Content-Type: %s", ACCEPTED);
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) n--;
    static const struct { const char *type; cargo_format fmt; } MAP[] = {
        {"text/csv", CARGO_FMT_CSV},           {"application/csv", CARGO_FMT_CSV},
        {"application/x-ndjson", CARGO_FMT_JSONL}, {"application/jsonl", CARGO_FMT_JSONL},
        {"application/x-jsonlines", CARGO_FMT_JSONL}, {"application/json", CARGO_FMT_JSON},
    };
    int found = 0;
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0] && !found; i++)
        if (strlen(MAP[i].type) == n && strncasecmp(ct, MAP[i].type, n) == 0) {
            *fmt = MAP[i].fmt;
            found = 1;
        }
    if (!found) return http_fail(r, PU_ERR_UNSUPPORTED, "Content-Type", "got '%.60s'; expected %s", ct, ACCEPTED);
    /* the readers check UTF-8; another declared charset would be misread */
    const char *cs = strcasestr(ct + n, "charset=");
    if (cs) {
        cs += 8;
        if (*cs == '"') cs++;
        if (strncasecmp(cs, "utf-8", 5) != 0 && strncasecmp(cs, "utf8", 4) != 0 && strncasecmp(cs, "us-ascii", 8) != 0)
            return http_fail(r, PU_ERR_UNSUPPORTED, "Content-Type", "charset '%.30s': expected UTF-8", cs);
    }
    return PU_OK;
}

/* Query options: marking, source, dry_run, order. */
typedef struct manifest_opts {
    const char *marking, *source;
    int dry_run, input_order;
} manifest_opts;

static int bool_arg(http_req *r, const char *name, int *out) {
    const char *v = http_arg(r, name);
    *out = 0;
    if (!v || !strcmp(v, "false")) return PU_OK;
    if (!strcmp(v, "true")) return (*out = 1), PU_OK;
    return http_fail(r, PU_ERR_INVALID, name, "expected true or false, got '%.40s'", v);
}

static int manifest_args(http_req *r, manifest_opts *o) {
    static const char *const args[] = {"marking", "source", "dry_run", "order", NULL};
    int rc = http_only_args(r, args);
    if (rc || (rc = bool_arg(r, "dry_run", &o->dry_run))) return rc;
    const char *order = http_arg(r, "order");
    if (order && strcmp(order, "rank") && strcmp(order, "input"))
        return http_fail(r, PU_ERR_INVALID, "order", "expected rank or input, got '%.40s'", order);
    o->input_order = order && !strcmp(order, "input");
    o->source = http_arg(r, "source");
    if (!o->source || !*o->source) o->source = "api";
    if (strlen(o->source) > 256 || !pu_utf8_valid(o->source, strlen(o->source)))
        return http_fail(r, PU_ERR_INVALID, "source", "expected a file or system name of at most 256 bytes of UTF-8");
    o->marking = http_arg(r, "marking");
    if (!o->marking || !*o->marking) o->marking = STORE_DEFAULT_MARKING;
    /* the owner is always the caller's agency; the marking must be one the
     * caller's agency may file (US-ONLY only from a US agency, ...): checked
     * before anything is screened */
    cargo_stamp stamp = {r->p.agency, o->marking, r->p.user, NULL};
    pu_err pe;
    pu_err_clear(&pe);
    if ((rc = cargo_stamp_check(&r->scope, &stamp, &pe)))
        return http_fail(r, rc, pe.field[0] ? pe.field : "marking", "%s", pe.msg);
    return PU_OK;
}

typedef struct manifest_engine {
    cargo_engine *eng;
    http_req *holds_index;     /* the server's screening index is borrowed */
} manifest_engine;

static void engine_free(manifest_engine *m) {
    cargo_engine_free(m->eng);
    if (m->holds_index) http_screen_index_release(m->holds_index);
}

/* The latest watchlist and rules the caller may see, and party screening
 * over the designated parties the caller may see. */
static int engine_new(http_req *r, manifest_engine *m) {
    cargo_open_opts co = {.scope = &r->scope};
    /* the server's shared index (the same build as a store index): a fresh
     * one per request cost ~0.7 s with the OFAC list */
    const struct screen_index *ix = http_screen_index_acquire(r);
    if (ix) {
        m->holds_index = r;
        co.index = ix;
    } else {
        co.parties = 1;
    }
    pu_err pe;
    pu_err_clear(&pe);
    int rc = cargo_open(r->st, &co, &m->eng, &pe);
    return rc ? http_fail(r, rc, NULL, "cannot prepare cargo screening: %s", pe.msg) : PU_OK;
}

/* A refused submission: field "line 3.weight_kg", message naming both. */
static int manifest_refused(http_req *r, int rc, const pu_err *e, size_t nbad) {
    char field[PU_ERR_FIELD_MAX], more[96] = "";
    int same = !e->field[0] || !strcmp(e->field, e->where); /* "body" */
    snprintf(field, sizeof field, "%.20s%s%.30s", e->where, same ? "" : ".", same ? "" : e->field);
    if (nbad > 1) snprintf(more, sizeof more, " (%zu bad lines in all)", nbad);
    return http_fail(r, rc, field, "%s: %s%s%s%s; nothing was stored", e->where, same ? "" : e->field, same ? "" : ": ",
                     e->msg, more);
}

/* Batch + shipments + audit entry: one transaction. */
static int manifest_store(http_req *r, cargo_batch *b, const manifest_opts *o, int64_t *batch_id) {
    cargo_stamp stamp = {r->p.agency, o->marking, r->p.user, NULL};
    pu_err pe;
    pu_err_clear(&pe);
    int rc = http_begin(r, &pe);
    if (!rc) rc = cargo_batch_save(b, r->db, &r->scope, o->source, &stamp, 0, batch_id, &pe);
    if (!rc) {
        char id[32];
        snprintf(id, sizeof id, "cargo-batch-%lld", (long long)*batch_id);
        http_target(r, id);
        rc = http_audit_now(r, "success") ? PU_ERR_DB : PU_OK;
        if (rc) pu_strlcpy(pe.msg, "the audit trail could not be written", sizeof pe.msg);
    }
    if (!rc) rc = db_commit(r->db, &pe);
    if (rc) {
        db_rollback(r->db);
        r->audited = 0; /* the entry went with the rollback: the dispatcher records the failure */
        int code = rc == PU_ERR_INVALID || rc == PU_ERR_CONFLICT ? rc : PU_ERR_DB; /* 400, 409, else 500 */
        return http_fail(r, code, pe.field[0] ? pe.field : NULL, "the manifest was not stored: %s", pe.msg);
    }
    return PU_OK;
}

/* The audit detail: counts per decision, marking, source (before storing:
 * the entry is written inside the transaction). */
static void manifest_detail(http_req *r, cargo_batch *b, const manifest_opts *o) {
    size_t n = cargo_batch_count(b), cnt[3] = {0};
    for (size_t i = 0; i < n; i++) {
        const char *d = cargo_batch_result(b, i)->decision;
        cnt[d[0] == 'h' ? 0 : d[2] == 'v' ? 1 : 2]++;
    }
    (void)pu_buf_printf(&r->detail, "lines=%zu hold=%zu review=%zu release=%zu marking=%s source=%.100s%s", n, cnt[0],
                        cnt[1], cnt[2], o->marking, o->source, o->dry_run ? " dry_run" : "");
}

static json_t *manifest_response(http_req *r, const manifest_engine *m, cargo_batch *b, const manifest_opts *o,
                                 int64_t batch_id) {
    json_t *res = json_array();
    size_t n = cargo_batch_count(b), cnt[3] = {0}, ncas = 0;
    const size_t *rank = o->input_order ? NULL : cargo_batch_ranked(b);
    for (size_t i = 0; res && i < n; i++) {
        const cargo_result *x = cargo_batch_result(b, rank ? rank[i] : i);
        cnt[x->decision[0] == 'h' ? 0 : x->decision[2] == 'v' ? 1 : 2]++;
        ncas += x->nbad_cas > 0;
        json_t *j;
        if (cargo_result_to_json(m->eng, x, &j) || json_array_append_new(res, j)) {
            json_decref(res);
            res = NULL;
        }
    }
    if (!res) return NULL;
    return json_pack("{s:o,s:b,s:s,s:s,s:s,s:I,s:{s:I,s:I,s:I},s:I,s:b,s:i,s:i,s:o}", "batch_id",
                     o->dry_run ? json_null() : json_integer((json_int_t)batch_id), "stored", !o->dry_run, "owner",
                     r->p.agency, "marking", o->marking, "source", o->source, "lines", (json_int_t)n, "counts", "hold",
                     (json_int_t)cnt[0], "review", (json_int_t)cnt[1], "release", (json_int_t)cnt[2],
                     "lines_with_invalid_cas", (json_int_t)ncas, "parties_screened",
                     cargo_engine_screens_parties(m->eng), "watchlist_version",
                     cargo_engine_watchlist(m->eng)->version, "rules_version", cargo_engine_rules(m->eng)->version,
                     "results", res);
}

int h_cargo_manifests(http_req *r) {
    /* the route needs write (records are stored for the agency); the party
     * screening inside needs the screening permission as well */
    if (!(r->p.perms & ACL_P_SCREEN))
        return http_fail(r, PU_ERR_DENIED, NULL, "the role '%s' does not allow screening", r->p.role);
    manifest_opts o = {0};
    cargo_format fmt = CARGO_FMT_AUTO;
    int rc = manifest_args(r, &o);
    if (rc || (rc = body_format(r, &fmt))) return rc;
    cargo_batch_opts bo = {r->db, !o.dry_run, &r->scope};
    cargo_batch *b = NULL;
    size_t nbad = 0;
    pu_err pe;
    pu_err_clear(&pe);
    /* check every line first: a refused body costs a parse, not an engine */
    rc = cargo_screen_mem(NULL, &bo, r->body.data, r->body.len, fmt, MANIFEST_MAX_LINES, &b, &nbad, &pe);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) return manifest_refused(r, rc, &pe, nbad);
    if (rc) return http_fail(r, rc, NULL, "cannot read the manifest: %s", pe.msg);
    manifest_engine m = {0};
    if ((rc = engine_new(r, &m))) return rc;
    rc = cargo_screen_mem(m.eng, &bo, r->body.data, r->body.len, fmt, MANIFEST_MAX_LINES, &b, &nbad, &pe);
    if (rc) rc = http_fail(r, rc, NULL, "screening failed: %s", pe.msg);
    int64_t batch_id = 0;
    if (!rc) manifest_detail(r, b, &o);
    if (!rc && !o.dry_run) rc = manifest_store(r, b, &o, &batch_id);
    if (!rc) {
        json_t *body = manifest_response(r, &m, b, &o, batch_id);
        rc = body ? http_json(r, o.dry_run ? 200 : 201, body) : http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    }
    cargo_batch_free(b);
    engine_free(&m);
    return rc;
}

/* ---- GET /api/v1/cargo/stats ----
 * The engine's own JSON writer (cargo_stats_write) into memory: decisions by
 * outcome and, per rule, how often it fired and what inspections found, over
 * the shipments the reader may see. */
int h_cargo_stats(http_req *r) {
    int rc = http_only_args(r, (const char *const[]){NULL});
    if (rc) return rc;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    pu_err e;
    pu_err_clear(&e);
    rc = cargo_stats_write(r->db, &r->scope, 1, f, &e);
    fclose(f);
    if (rc) {
        free(buf);
        return http_fail(r, rc, NULL, "%s", e.msg);
    }
    json_error_t je;
    json_t *o = json_loadb(buf, len, 0, &je);
    free(buf);
    if (!o) return http_fail(r, PU_ERR_INTERNAL, NULL, "the statistics could not be read back: %s", je.text);
    return http_json(r, 200, o);
}
