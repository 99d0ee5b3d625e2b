/* http_kinship_case.c - the case database over HTTP (docs/kinship.md "Case
 * database"; kin_cases.h): hits visible to the caller, one hit with its LR
 * per marker and the family's pedigree (the web page draws it), the
 * four-eyes steps and the report. Forensic role only (route table); every
 * request states a purpose: the JSON member `purpose` of a POST body, the
 * query argument `purpose` (or the header X-Puente-Purpose) of a GET. The
 * purpose and the hit are audited. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "kinship/kin_cases.h"

#define CASE_PURPOSE_MAX 500

/* GET: the query argument `purpose` (UTF-8, so a Spanish purpose survives;
 * HTTP headers are Latin-1 at best) or the header X-Puente-Purpose. */
static int need_purpose(http_req *r) {
    const char *q = http_arg(r, "purpose");
    if (q && *q) {
        if (strlen(q) > CASE_PURPOSE_MAX)
            return http_fail(r, PU_ERR_LIMIT, "purpose", "the purpose is longer than %d bytes", CASE_PURPOSE_MAX);
        pu_strlcpy(r->purpose, q, sizeof r->purpose);
    }
    if (!r->purpose[0])
        return http_fail(r, PU_ERR_INVALID, "purpose",
                         "state the purpose of this request (query argument purpose, or the header X-Puente-Purpose): "
                         "identification only");
    json_t *t = json_string(r->purpose);
    json_decref(t);
    if (!t) {
        r->purpose[0] = 0;
        return http_fail(r, PU_ERR_INVALID, "purpose",
                         "the purpose is not UTF-8 (a header is Latin-1): send it in the query argument purpose");
    }
    return PU_OK;
}

static void detail(http_req *r, const char *what) {
    json_t *d = json_pack("{s:s}", "purpose", r->purpose);
    if (d && what) json_object_set_new(d, "status", json_string(what));
    char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    pu_buf_reset(&r->detail);
    if (s) (void)pu_buf_puts(&r->detail, s);
    free(s);
    json_decref(d);
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *markers_json(const char *text) {
    json_t *a = json_array();
    char *s = pu_strdup(text), *save = NULL;
    for (char *t = s ? strtok_r(s, ";", &save) : NULL; t && a; t = strtok_r(NULL, ";", &save)) {
        char *c = strrchr(t, ':');
        if (!c) continue;
        *c = 0;
        double l10 = strtod(c + 1, NULL);
        json_array_append_new(a, json_pack("{s:s,s:f,s:f}", "marker", t, "log10_lr", l10, "lr", pow(10, l10)));
    }
    free(s);
    return a;
}

static json_t *hit_json(const kin_hit_rec *h, int full) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:f,s:i,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o,s:o}", "id",
                          (json_int_t)h->id, "pm_sample", h->pm, "family", h->family, "missing", h->missing, "case",
                          h->case_id, "lr", num_or_null(h->lr), "log10_lr", h->log10_lr, "excluded_markers",
                          h->excluded, "status", h->status, "freqdb", h->freqdb, "freqdb_version", h->freqdb_version,
                          "reviewed_by", h->reviewed_by, "reviewed_day", h->reviewed_day, "decided_by", h->decided_by,
                          "decided_day", h->decided_day, "prior", num_or_null(h->prior), "posterior",
                          num_or_null(h->posterior));
    if (o && full) {
        json_object_set_new(o, "model", json_string(h->model));
        json_object_set_new(o, "dropout", json_string(h->dropout));
        json_object_set_new(o, "note", json_string(h->note));
        json_object_set_new(o, "marking", json_string(h->marking));
        json_object_set_new(o, "markers", markers_json(h->markers));
    }
    return o;
}

static int add_hit(const kin_hit_rec *h, void *ctx, pu_err *err) {
    (void)err;
    return json_array_append_new(ctx, hit_json(h, 0)) ? PU_ERR_NOMEM : PU_OK;
}

static kin_actor actor_of(http_req *r) {
    kin_actor a = {.scope = &r->scope, .user = r->p.user, .today = NULL};
    return a;
}

static int hit_param(http_req *r, int64_t *id) {
    char *end;
    long long v = strtoll(r->params[0], &end, 10);
    http_target(r, r->params[0]);
    if (*end || v <= 0) return http_fail(r, PU_ERR_NOTFOUND, "id", "no hit '%.40s'", r->params[0]);
    *id = v;
    return PU_OK;
}

static int engine_fail(http_req *r, int rc, const pu_err *e) {
    return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s", e->msg[0] ? e->msg : pu_strerror(rc));
}

int h_kin_case_hits(http_req *r) {
    static const char *const args[] = {"status", "purpose", NULL};
    int rc = http_only_args(r, args);
    if (!rc) rc = need_purpose(r);
    if (rc) return rc;
    const char *status = http_arg(r, "status");
    detail(r, status);
    json_t *a = json_array();
    pu_err e;
    pu_err_clear(&e);
    kin_actor ac = actor_of(r);
    rc = a ? kin_hits_list(r->db, &ac, status && *status ? status : NULL, add_hit, a, &e) : PU_ERR_NOMEM;
    if (rc) {
        json_decref(a);
        return engine_fail(r, rc, &e);
    }
    return http_json_exact(r, json_pack("{s:s,s:o}", "purpose", r->purpose, "hits", a));
}

int h_kin_case_hit(http_req *r) {
    static const char *const no_args[] = {"purpose", NULL};
    int64_t id;
    int rc = http_only_args(r, no_args);
    if (!rc) rc = hit_param(r, &id);
    if (!rc) rc = need_purpose(r);
    if (rc) return rc;
    detail(r, NULL);
    kin_hit_rec h;
    pu_err e;
    pu_err_clear(&e);
    kin_actor ac = actor_of(r);
    if ((rc = kin_hit_get(r->db, &ac, id, &h, &e))) return engine_fail(r, rc, &e);
    char *ped = NULL;
    if ((rc = kin_family_pedigree(r->db, &ac, h.family, &ped, &e))) return engine_fail(r, rc, &e);
    json_t *o = hit_json(&h, 1), *persons = json_array();
    char *save = NULL;
    for (char *line = strtok_r(ped, "\n", &save); line && persons; line = strtok_r(NULL, "\n", &save)) {
        char *f[6] = {0}, *s2 = NULL;
        int n = 0;
        for (char *t = strtok_r(line, ",", &s2); t && n < 6; t = strtok_r(NULL, ",", &s2)) f[n++] = t;
        if (n < 5) continue;
        json_array_append_new(persons, json_pack("{s:s,s:o,s:o,s:i,s:s,s:b}", "id", f[0], "father",
                                                 strcmp(f[1], "0") ? json_string(f[1]) : json_null(), "mother",
                                                 strcmp(f[2], "0") ? json_string(f[2]) : json_null(), "sex",
                                                 atoi(f[3]), "role", f[4], "typed", n > 5 && !strcmp(f[5], "1")));
    }
    free(ped);
    if (o) json_object_set_new(o, "pedigree", persons);
    return http_json_exact(r, json_pack("{s:s,s:o}", "purpose", r->purpose, "hit", o));
}

/* POST bodies: {"purpose": ..., "note": ..., "prior": ...} (prior: confirm only). */
static int step_body(http_req *r, int with_prior, const char **note, double *prior) {
    json_t *b;
    int rc = http_body_object(r, &b);
    if (rc) return rc;
    static const char *const keys_p[] = {"purpose", "note", "prior", NULL}, *const keys[] = {"purpose", "note", NULL};
    rc = http_only_keys(r, b, with_prior ? keys_p : keys, NULL);
    const char *purpose = NULL;
    if (!rc) rc = http_str_member(r, b, "purpose", NULL, &purpose);
    if (!rc && (!purpose || !*purpose))
        rc = http_fail(r, PU_ERR_INVALID, "purpose", "state the purpose of this step (identification only)");
    if (!rc && strlen(purpose) > CASE_PURPOSE_MAX)
        rc = http_fail(r, PU_ERR_LIMIT, "purpose", "the purpose is longer than %d bytes", CASE_PURPOSE_MAX);
    if (!rc) pu_strlcpy(r->purpose, purpose, sizeof r->purpose);
    static _Thread_local char note_buf[KIN_TEXT_MAX + 1];
    const char *n = NULL;
    if (!rc) rc = http_str_member(r, b, "note", NULL, &n);
    if (!rc) pu_strlcpy(note_buf, n ? n : "", sizeof note_buf);
    *note = note_buf;
    if (!rc && with_prior) {
        json_t *p = json_object_get(b, "prior");
        if (!json_is_number(p)) rc = http_fail(r, PU_ERR_INVALID, "prior", "state the prior probability used, a number in (0, 1)");
        else *prior = json_number_value(p);
    }
    json_decref(b);
    return rc;
}

static int step(http_req *r, const char *what) {
    int64_t id;
    const char *note = NULL;
    double prior = NAN;
    int rc = hit_param(r, &id);
    if (!rc) rc = step_body(r, !strcmp(what, "confirmed"), &note, &prior);
    if (rc) return rc;
    detail(r, what);
    pu_err e;
    pu_err_clear(&e);
    kin_actor ac = actor_of(r);
    if (!strcmp(what, "reviewed")) rc = kin_hit_review(r->db, &ac, id, note, &e);
    else if (!strcmp(what, "confirmed")) rc = kin_hit_confirm(r->db, &ac, id, prior, note, &e);
    else rc = kin_hit_exclude(r->db, &ac, id, note, &e);
    if (rc) return engine_fail(r, rc, &e);
    kin_hit_rec h;
    if ((rc = kin_hit_get(r->db, &ac, id, &h, &e))) return engine_fail(r, rc, &e);
    return http_json_exact(r, json_pack("{s:s,s:o}", "purpose", r->purpose, "hit", hit_json(&h, 1)));
}

int h_kin_case_review(http_req *r) { return step(r, "reviewed"); }
int h_kin_case_confirm(http_req *r) { return step(r, "confirmed"); }
int h_kin_case_exclude(http_req *r) { return step(r, "excluded"); }

int h_kin_case_report(http_req *r) {
    static const char *const args[] = {"lang", "format", "purpose", NULL};
    int64_t id;
    int rc = http_only_args(r, args);
    if (!rc) rc = hit_param(r, &id);
    if (!rc) rc = need_purpose(r);
    if (rc) return rc;
    const char *lang = http_arg(r, "lang"), *fmt = http_arg(r, "format");
    int html = fmt && !strcmp(fmt, "html");
    if (fmt && !html && strcmp(fmt, "text")) return http_fail(r, PU_ERR_INVALID, "format", "expected html or text");
    detail(r, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (!o) return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    pu_err e;
    pu_err_clear(&e);
    kin_actor ac = actor_of(r);
    rc = kin_hit_report(r->db, &ac, id, lang && *lang ? lang : (r->lang == I18N_ES ? "es" : "en"), html, o, &e);
    fclose(o);
    if (rc) {
        free(buf);
        return engine_fail(r, rc, &e);
    }
    pu_buf_reset(&r->out);
    rc = pu_buf_append(&r->out, buf, len);
    free(buf);
    if (rc) return http_fail(r, rc, NULL, "the report is too large");
    r->status = 200;
    r->content_type = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
    return PU_OK;
}
