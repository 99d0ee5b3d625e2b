/* http_kinship_xstr.c - POST /api/v1/kinship/xstr (an X-STR LR of a
 * pairwise relationship, kin_xstr.h) and POST
 * /api/v1/kinship/cases/pm/{id}/dropout (a stored PM sample's dropout per
 * sample and marker, kin_pm_set_dropout). Forensic role only (route
 * table); the body states a purpose (JSON member `purpose`), audited with
 * the request. docs/kinship.md "X-STR", "Case database". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "kinship/kin_cases.h"
#include "kinship/kin_xstr.h"

#define XSTR_PURPOSE_MAX 500
#define XSTR_CASE_REF_MAX 127

static int engine_fail(http_req *r, int rc, const pu_err *e) {
    return http_fail(r, rc, e->field[0] ? e->field : NULL, "%s%s%s", e->where[0] ? e->where : "",
                     e->where[0] ? ": " : "", e->msg[0] ? e->msg : pu_strerror(rc));
}

/* The purpose first (nothing else is looked at without one), then the
 * optional case_ref (the audit target); the detail is JSON. */
static int purpose_of(http_req *r, json_t *b, const char *what) {
    const char *p = NULL, *ref = NULL;
    int rc = http_str_member(r, b, "purpose", NULL, &p);
    if (!rc && (!p || !*p))
        rc = http_fail(r, PU_ERR_INVALID, "purpose", "state the purpose of this request (identification only)");
    if (!rc && strlen(p) > XSTR_PURPOSE_MAX)
        rc = http_fail(r, PU_ERR_LIMIT, "purpose", "the purpose is longer than %d bytes", XSTR_PURPOSE_MAX);
    if (rc) return rc;
    pu_strlcpy(r->purpose, p, sizeof r->purpose);
    if ((rc = http_str_member(r, b, "case_ref", NULL, &ref))) return rc;
    if (ref && (!*ref || strlen(ref) > XSTR_CASE_REF_MAX))
        return http_fail(r, PU_ERR_INVALID, "case_ref", "expected 1-%d characters", XSTR_CASE_REF_MAX);
    if (ref) http_target(r, ref);
    json_t *d = json_pack("{s:s,s:s}", "purpose", p, "what", what);
    if (d && ref) json_object_set_new(d, "case_ref", json_string(ref));
    char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    pu_buf_reset(&r->detail);
    if (s) (void)pu_buf_puts(&r->detail, s);
    free(s);
    json_decref(d);
    return PU_OK;
}

/* ---- X-STR ---- */

typedef struct xperson { int sex; const char *profile; } xperson;

static int person_of(http_req *r, json_t *b, const char *key, xperson *out) {
    json_t *o = json_object_get(b, key);
    if (!json_is_object(o)) return http_fail(r, PU_ERR_INVALID, key, "expected an object {\"sex\": \"M\"|\"F\", \"profile\": ...}");
    static const char *const keys[] = {"sex", "profile", NULL};
    const char *sex = NULL;
    int rc = http_only_keys(r, o, keys, key);
    if (!rc) rc = http_str_member(r, o, "sex", key, &sex);
    if (!rc) rc = http_str_member(r, o, "profile", key, &out->profile);
    if (rc) return rc;
    if (!sex || (strcmp(sex, "M") && strcmp(sex, "F")))
        return http_fail(r, PU_ERR_INVALID, key, "expected sex \"M\" or \"F\"");
    if (!out->profile) return http_fail(r, PU_ERR_INVALID, key, "expected a profile \"DXS8378=10/11;HPRTB=13\"");
    out->sex = sex[0] == 'M' ? 1 : 2;
    return PU_OK;
}

static int kappa_of(http_req *r, json_t *b, const char *rel, int s1, int s2, double k[3]) {
    json_t *ka = json_object_get(b, "kappa");
    if (!rel == !ka) return http_fail(r, PU_ERR_INVALID, "relationship", "give either relationship or kappa");
    if (ka) {
        if (!json_is_array(ka) || json_array_size(ka) < 2 || json_array_size(ka) > 3)
            return http_fail(r, PU_ERR_INVALID, "kappa", "expected [k0, k1] or [k0, k1, k2]");
        for (size_t i = 0; i < 3; i++) {
            json_t *v = json_array_get(ka, i);
            if (i < json_array_size(ka) && !json_is_number(v))
                return http_fail(r, PU_ERR_INVALID, "kappa", "expected numbers");
            k[i] = i < json_array_size(ka) ? json_number_value(v) : 0;
        }
        return PU_OK;
    }
    int rl;
    if (kin_xrel_parse(rel, &rl))
        return http_fail(r, PU_ERR_INVALID, "relationship", "unknown relationship '%.60s'", rel);
    pu_err e;
    pu_err_clear(&e);
    int rc = kin_x_kappa(rl, s1, s2, k, &e);
    return rc ? engine_fail(r, rc, &e) : PU_OK;
}

static json_t *xmarkers(const kin_db *db, const int *group, const int16_t *g1, int s1, const int16_t *g2, int s2,
                        const double *mlr) {
    json_t *a = json_array();
    for (int m = 0; a && m < db->n; m++) {
        if (g1[2 * m] < 0 && g2[2 * m] < 0) continue;
        int gsize = 0;
        for (int k = 0; k < db->n; k++) gsize += group[k] == group[m];
        const int16_t *g[2] = {g1, g2};
        int sx[2] = {s1, s2};
        json_t *al[2];
        for (int i = 0; i < 2; i++) {
            al[i] = json_array();
            if (g[i][2 * m] < 0) continue;
            json_array_append_new(al[i], json_string(db->m[m].allele[g[i][2 * m]]));
            if (sx[i] == 2) json_array_append_new(al[i], json_string(db->m[m].allele[g[i][2 * m + 1]]));
        }
        json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:o,s:o}", "marker", db->m[m].name, "linkage_group",
                                           gsize > 1 ? json_integer(group[m]) : json_null(), "person1", al[0],
                                           "person2", al[1], "lr", isfinite(mlr[m]) ? json_real(mlr[m]) : json_null()));
    }
    return a;
}

typedef struct xin {
    const char *freqs, *pop, *rel, *groups;
    xperson p1, p2;
    double k[3], auto_lr;
} xin;

static int xstr_body(http_req *r, json_t *b, xin *in) {
    static const char *const keys[] = {"purpose", "case_ref", "freqs", "population", "relationship", "kappa", "groups",
                                       "person1", "person2", "autosomal_lr", NULL};
    int rc = purpose_of(r, b, "xstr");
    if (!rc) rc = http_only_keys(r, b, keys, NULL);
    if (!rc) rc = http_str_member(r, b, "freqs", NULL, &in->freqs);
    if (!rc && !in->freqs) rc = http_fail(r, PU_ERR_INVALID, "freqs", "expected the X-STR frequency CSV text");
    if (!rc) rc = http_str_member(r, b, "population", NULL, &in->pop);
    if (!rc) rc = http_str_member(r, b, "relationship", NULL, &in->rel);
    if (!rc) rc = http_str_member(r, b, "groups", NULL, &in->groups);
    if (!rc) rc = person_of(r, b, "person1", &in->p1);
    if (!rc) rc = person_of(r, b, "person2", &in->p2);
    if (!rc) rc = kappa_of(r, b, in->rel, in->p1.sex, in->p2.sex, in->k);
    json_t *al = json_object_get(b, "autosomal_lr");
    in->auto_lr = NAN;
    if (!rc && al) {
        if (!json_is_number(al) || !(json_number_value(al) >= 0) || !isfinite(json_number_value(al)))
            rc = http_fail(r, PU_ERR_INVALID, "autosomal_lr", "expected a likelihood ratio >= 0");
        else in->auto_lr = json_number_value(al);
    }
    return rc;
}

static int xstr_run(http_req *r, const xin *in, kin_db *db) {
    int n = db->n ? db->n : 1;
    int *group = malloc((size_t)n * sizeof *group);
    int16_t *g1 = malloc((size_t)n * 2 * sizeof *g1), *g2 = malloc((size_t)n * 2 * sizeof *g2);
    double *mlr = malloc((size_t)n * sizeof *mlr);
    pu_err e;
    pu_err_clear(&e);
    int rc = group && g1 && g2 && mlr ? PU_OK : PU_ERR_NOMEM;
    if (!rc && (!in->groups || !strcmp(in->groups, "argus") || !strcmp(in->groups, "none")))
        kin_xgroups_default(db, !in->groups || !strcmp(in->groups, "argus"), group);
    else if (!rc) rc = kin_xgroups_read_mem(db, in->groups, strlen(in->groups), "groups", group, &e);
    if (!rc) rc = kin_x_profile_parse(db, in->p1.profile, in->p1.sex, g1, "person1", &e);
    if (!rc) rc = kin_x_profile_parse(db, in->p2.profile, in->p2.sex, g2, "person2", &e);
    kin_xlr x;
    if (!rc) rc = kin_x_lr(db, group, in->k, in->p1.sex, g1, in->p2.sex, g2, mlr, &x, &e);
    if (rc) {
        free(group), free(g1), free(g2), free(mlr);
        return rc == PU_ERR_NOMEM ? http_fail(r, rc, NULL, "out of memory") : engine_fail(r, rc, &e);
    }
    json_t *o = json_pack("{s:s,s:o,s:[f,f,f],s:b,s:s,s:f,s:f,s:i,s:i,s:o}", "purpose", r->purpose, "relationship",
                          in->rel ? json_string(in->rel) : json_null(), "kappa", x.kappa[0], x.kappa[1], x.kappa[2],
                          "informative", x.informative, "status", x.informative ? "informative" : "uninformative",
                          "lr", x.lr, "lr_markers_independent", x.lr_independent, "markers_compared", x.compared,
                          "inconsistent_markers", x.inconsistent, "markers",
                          xmarkers(db, group, g1, in->p1.sex, g2, in->p2.sex, mlr));
    /* X and the autosomes are inherited independently given the pedigree */
    if (o && !isnan(in->auto_lr)) json_object_set_new(o, "combined_lr", json_real(x.lr * in->auto_lr));
    free(group), free(g1), free(g2), free(mlr);
    return http_json_exact(r, o);
}

int h_kin_xstr(http_req *r) {
    json_t *b;
    int rc = http_body_object(r, &b);
    if (rc) return rc;
    xin in;
    memset(&in, 0, sizeof in);
    rc = xstr_body(r, b, &in);
    kin_db *db = NULL;
    pu_err e;
    pu_err_clear(&e);
    if (!rc && (rc = kin_db_read_mem(in.freqs, strlen(in.freqs), "freqs", in.pop, 0, &db, &e)))
        rc = engine_fail(r, rc, &e);
    if (!rc) {
        db->warn = NULL; /* warnings name genotypes: never into the server log */
        rc = xstr_run(r, &in, db);
    }
    kin_db_free(db);
    json_decref(b);
    return rc;
}

/* ---- a stored PM sample's dropout ---- */

int h_kin_case_pm_dropout(http_req *r) {
    json_t *b;
    int rc = http_body_object(r, &b);
    if (rc) return rc;
    http_target(r, r->params[0]);
    static const char *const keys[] = {"purpose", "case_ref", "dropout", "dropin", "dropout_csv", NULL};
    rc = purpose_of(r, b, "pm.dropout");
    if (!rc) rc = http_only_keys(r, b, keys, NULL);
    double d[2] = {0, 0};
    static const char *const nk[2] = {"dropout", "dropin"};
    for (int i = 0; i < 2 && !rc; i++) {
        json_t *v = json_object_get(b, nk[i]);
        if (v && !json_is_number(v)) rc = http_fail(r, PU_ERR_INVALID, nk[i], "expected a probability in [0, %g]", KIN_DROP_MAX);
        else if (v) d[i] = json_number_value(v);
    }
    const char *csv = NULL;
    if (!rc) rc = http_str_member(r, b, "dropout_csv", NULL, &csv);
    pu_err e;
    pu_err_clear(&e);
    kin_actor a = {.scope = &r->scope, .user = r->p.user};
    if (!rc && (rc = kin_pm_set_dropout(r->db, &a, r->params[0], d[0], d[1], csv, csv ? strlen(csv) : 0,
                                        "dropout_csv", &e)))
        rc = engine_fail(r, rc, &e);
    char *text = rc ? NULL : malloc(KIN_DROP_TEXT_MAX);
    if (!rc && !text) rc = http_fail(r, PU_ERR_NOMEM, NULL, "out of memory");
    if (!rc && (rc = kin_pm_dropout(r->db, &a, r->params[0], text, &e))) rc = engine_fail(r, rc, &e);
    if (!rc)
        rc = http_json_exact(r, json_pack("{s:s,s:s,s:s,s:b}", "purpose", r->purpose, "pm_sample", r->params[0], "dropout",
                                    text, "searched", 0));
    free(text);
    json_decref(b);
    return rc;
}
