/* http_oversight.c - reading the audit trail and the agency grants over
 * HTTP (docs/API.md, docs/access.md "Oversight"):
 *  - GET /api/v1/audit with filters (user, action, target, outcome, time)
 *    and paging newest first, and GET /api/v1/audit/export (the same filter
 *    as JSON lines, for a download): auditors, entries of their own agency;
 *  - GET /api/v1/entities/{id}/views: who read or changed a record, for
 *    supervisors (ACL_P_OVERSIGHT), over the record only when they may see it;
 *  - GET/POST/DELETE /api/v1/agency-grants: the grants of `puente agency
 *    grant/revoke`, made by an administrator for its own agency as owner.
 * The engines do the work (audit_export, store_grant_*); this file maps
 * arguments and answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define AUDIT_PAGE_MAX 10000     /* entries of one page of GET /api/v1/audit */
#define AUDIT_EXPORT_MAX 200000  /* entries of one export (narrow by time beyond) */
#define VIEWS_MAX 500            /* entries of GET /api/v1/entities/{id}/views */

static const char *const no_args[] = {NULL};

/* The filter of the audit routes from the query string. agency is the
 * reader's: auditors read their own agency's entries (docs/access.md). */
static int filter_args(http_req *r, audit_filter *f, int64_t max) {
    static const char *const args[] = {"since", "until", "limit", "offset", "user", "action", "target", "outcome", "order",
                                       "before", NULL};
    int64_t limit, offset, before;
    int rc;
    if ((rc = http_only_args(r, args)) || (rc = http_arg_int(r, "limit", 1, max, max < 1000 ? max : 1000, &limit)) ||
        (rc = http_arg_int(r, "offset", 0, INT64_MAX / 2, 0, &offset)) ||
        (rc = http_arg_int(r, "before", 0, INT64_MAX / 2, 0, &before)))
        return rc;
    const char *order = http_arg(r, "order");
    if (order && strcmp(order, "asc") && strcmp(order, "desc"))
        return http_fail(r, PU_ERR_INVALID, "order", "expected asc or desc, got '%.20s'", order);
    memset(f, 0, sizeof *f);
    f->since = http_arg(r, "since");
    f->until = http_arg(r, "until");
    f->agency = r->p.agency;
    f->limit = limit;
    f->offset = offset;
    f->user = http_arg(r, "user");
    f->action = http_arg(r, "action");
    f->target = http_arg(r, "target");
    f->outcome = http_arg(r, "outcome");
    f->newest_first = order && !strcmp(order, "desc");
    f->before_seq = before;
    /* what was asked is part of the audit entry of the reading */
    (void)pu_buf_printf(&r->detail, "user=%s; action=%s; target=%s; outcome=%s; since=%s; until=%s; ",
                        f->user ? f->user : "", f->action ? f->action : "", f->target ? f->target : "",
                        f->outcome ? f->outcome : "", f->since ? f->since : "", f->until ? f->until : "");
    return PU_OK;
}

/* The entries of f as JSON lines in a malloc'ed buffer (*buf, *len). */
static int entries_of(http_req *r, const audit_filter *f, char **buf, size_t *len, int64_t *n) {
    pu_err e;
    *buf = NULL;
    *len = 0;
    /* every entry written so far is in the chain before it is read */
    if (r->journal && audit_journal_sync(r->journal, &e)) return http_fail(r, e.code, NULL, "%s", e.msg);
    FILE *m = open_memstream(buf, len);
    if (!m) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    int rc = audit_export(r->db, m, f, n, &e);
    fclose(m);
    if (rc) {
        free(*buf);
        *buf = NULL;
        return http_fail(r, rc, NULL, "%s", e.msg);
    }
    return PU_OK;
}

/* {"count":n,"offset":o,"limit":l,"entries":[lines joined by commas]} */
static int page_json(http_req *r, const char *buf, size_t len, int64_t n, const audit_filter *f) {
    pu_buf_reset(&r->out);
    int rc = pu_buf_printf(&r->out, "{\"count\":%lld,\"offset\":%lld,\"limit\":%lld,\"entries\":[", (long long)n,
                           (long long)f->offset, (long long)f->limit);
    for (size_t i = 0; rc == PU_OK && i < len; i++)
        rc = pu_buf_putc(&r->out, buf[i] == '\n' ? (i + 1 < len ? ',' : ' ') : buf[i]);
    if (rc == PU_OK) rc = pu_buf_puts(&r->out, "]}");
    if (rc) return http_fail(r, rc, NULL, "the page is too large; narrow it with the filters or limit");
    r->status = 200;
    return PU_OK;
}

int h_audit_list(http_req *r) {
    audit_filter f;
    int rc = filter_args(r, &f, AUDIT_PAGE_MAX);
    if (rc) return rc;
    char *buf;
    size_t len;
    int64_t n = 0;
    if ((rc = entries_of(r, &f, &buf, &len, &n))) return rc;
    rc = page_json(r, buf, len, n, &f);
    free(buf);
    (void)pu_buf_printf(&r->detail, "entries=%lld", (long long)n);
    return rc;
}

int h_audit_export(http_req *r) {
    audit_filter f;
    int rc = filter_args(r, &f, AUDIT_EXPORT_MAX);
    if (rc) return rc;
    if (!http_arg(r, "limit")) f.limit = AUDIT_EXPORT_MAX;
    char *buf;
    size_t len;
    int64_t n = 0;
    if ((rc = entries_of(r, &f, &buf, &len, &n))) return rc;
    pu_buf_reset(&r->out);
    rc = pu_buf_append(&r->out, buf ? buf : "", len);
    free(buf);
    if (rc) return http_fail(r, rc, NULL, "the export is too large; narrow it with since/until");
    (void)pu_buf_printf(&r->detail, "entries=%lld", (long long)n);
    r->status = 200;
    r->content_type = "application/x-ndjson";
    return PU_OK;
}

/* Who read or changed a record: the entries naming it, newest first. The
 * supervisor must be able to see the record (else the same 404 as an
 * absent one). Entries of the supervisor's own agency; when its agency owns
 * the record, every agency's (the owner answers for who its records reach). */
int h_entity_views(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    const char *id = r->params[0];
    http_target(r, id);
    ftm_entity *ent = NULL;
    pu_err e;
    rc = store_get(r->st, &r->scope, id, &ent, &e);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, rc, "id", "no entity '%.100s'", id);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    int owner = ent->owner && !strcmp(ent->owner, r->p.agency);
    ftm_entity_free(ent);
    audit_filter f = {0};
    f.agency = owner ? NULL : r->p.agency;
    f.target = id;
    f.limit = VIEWS_MAX;
    f.newest_first = 1;
    char *buf;
    size_t len;
    int64_t n = 0;
    if ((rc = entries_of(r, &f, &buf, &len, &n))) return rc;
    /* only who, when, what and how: not the entries' details or hashes */
    json_t *list = json_array();
    for (char *line = buf, *end; line && line < buf + len; line = end + 1) {
        end = memchr(line, '\n', (size_t)(buf + len - line));
        if (!end) break;
        json_t *o = json_loadb(line, (size_t)(end - line), 0, NULL);
        if (o)
            json_array_append_new(list, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "ts", json_object_get(o, "ts"), "user",
                                                  json_object_get(o, "user"), "agency", json_object_get(o, "agency"),
                                                  "action", json_object_get(o, "action"), "outcome",
                                                  json_object_get(o, "outcome"), "purpose",
                                                  json_object_get(o, "purpose")));
        json_decref(o);
    }
    free(buf);
    (void)pu_buf_printf(&r->detail, "entries=%lld", (long long)n);
    return http_json(r, 200, json_pack("{s:s,s:s,s:I,s:o}", "id", id, "scope", owner ? "all" : "agency", "count",
                                       (json_int_t)json_array_size(list), "entries", list));
}

/* ---- agency grants ---- */

int h_agency_grants(http_req *r) {
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    store_grant *v;
    size_t n;
    pu_err e;
    if ((rc = store_grant_list(r->db, r->p.agency, &v, &n, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "owner", v[i].owner, "grantee", v[i].grantee, "created",
                                           v[i].created));
    free(v);
    return http_json(r, 200, json_pack("{s:s,s:o}", "agency", r->p.agency, "grants", a));
}

/* Grant or revoke, owner = the administrator's agency, with its audit entry
 * in the same transaction (as `puente agency grant/revoke`). */
static int grant_change(http_req *r, const char *grantee_in, int grant) {
    acl_agency grantee;
    pu_err e;
    int rc = acl_agency_get(r->db, grantee_in, &grantee, &e);
    if (rc == PU_ERR_NOTFOUND) return http_fail(r, PU_ERR_NOTFOUND, "grantee", "no agency '%.40s'", grantee_in);
    if (rc) return http_fail(r, rc, NULL, "%s", e.msg);
    char target[64];
    (void)pu_snprintf(target, sizeof target, "%s>%s", r->p.agency, grantee.acronym);
    http_target(r, target);
    if ((rc = http_begin(r, &e))) return http_fail(r, rc, NULL, "%s", e.msg);
    rc = grant ? store_grant_add(r->db, r->p.agency, grantee.acronym, &e)
               : store_grant_remove(r->db, r->p.agency, grantee.acronym, &e);
    if (rc) {
        db_rollback(r->db);
        return http_fail(r, rc, e.field[0] ? e.field : NULL, "%s", e.msg);
    }
    if (http_audit_now(r, "success") != PU_OK || db_commit(r->db, &e) != PU_OK) {
        db_rollback(r->db);
        r->audited = 0;
        return http_fail(r, PU_ERR_DB, NULL, "the grant could not be stored");
    }
    return http_json(r, grant ? 201 : 200,
                     json_pack("{s:s,s:s,s:b}", "owner", r->p.agency, "grantee", grantee.acronym, "granted", grant));
}

int h_agency_grant_add(http_req *r) {
    static const char *const keys[] = {"grantee", NULL};
    json_t *o;
    int rc = http_body_object(r, &o);
    if (rc) return rc;
    const char *grantee = NULL;
    if (!(rc = http_only_keys(r, o, keys, NULL)) && !(rc = http_str_member(r, o, "grantee", NULL, &grantee)) && !grantee)
        rc = http_fail(r, PU_ERR_INVALID, "grantee", "expected the acronym of the agency to grant");
    if (rc == PU_OK) rc = grant_change(r, grantee, 1);
    json_decref(o);
    return rc;
}

int h_agency_grant_remove(http_req *r) {
    int rc = http_only_args(r, no_args);
    return rc ? rc : grant_change(r, r->params[0], 0);
}
