/*
 * screen_compare.c - two names scored against each other as screening
 * would (a one-name index, weights from a reference index when given).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- compare --------------------------------------------------------------------- */

int screen_compare(const screen_index *ix, const char *schema, const char *name1, const char *name2,
                   double threshold, screen_match **out, pu_err *err) {
    return screen_compare_as(ix, STORE_SYSTEM, schema, name1, name2, threshold, out, err);
}

/* The one-name index of name2 that compare scores name1 against, with token
 * weights from ix when given (screen_compare and screen_cmp share it, so
 * their scores are the same by construction). */
static int one_name_index(const screen_index *ix, const char *schema, const char *name2, screen_index **out,
                          pu_err *err) {
    *out = NULL;
    ftm_entity e = {0};
    ftm_prop prop = {0};
    char *vals[1] = {(char *)name2};
    char idbuf[] = "compare";
    char sch[32];
    pu_strlcpy(sch, schema && sn_class_of(schema) != SC_ANY ? schema : "LegalEntity", sizeof sch);
    e.id = idbuf;
    e.schema = sch;
    prop.name = (char *)"name";
    prop.values = vals;
    prop.n = 1;
    e.props = &prop;
    e.nprops = 1;
    if (!name2 || pu_blank(name2))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name2", "expected a name, got nothing");
    char *chk = NULL;
    int rc = sn_fold(name2, &chk, err, "name2");
    free(chk);
    if (rc) return rc;
    screen_builder *b;
    if (screen_builder_new(NULL, &b)) return PU_ERR_NOMEM;
    const ftm_entity *ep = &e;
    if ((rc = screen_builder_add(b, ep, err))) {
        screen_builder_free(b);
        return rc;
    }
    screen_index *one;
    if ((rc = screen_builder_finish(b, &one, err))) return rc;
    if (one->nnames == 0) {
        screen_index_free(one);
        return pu_fail(err, PU_ERR_INVALID, NULL, "name2", "expected a name with letters or digits");
    }
    /* weights: from the reference index when given, else all alike; the
     * query's tokens too (block_token), so that a query token that NAME2
     * lacks weighs its list IDF, as in screening, not 1 */
    for (size_t v = 0; v < one->nvocab; v++) one->vw[v] = ix ? vocab_weight(ix, one->vstr[v], one->vlen[v], 1.0f) : 1.0f;
    one->wref = ix;
    for (size_t n = 0; n < one->nnames; n++) {
        ix_name *nm = &one->names[n];
        nm->wsum = nm->wcore = 0;
        for (uint32_t t = 0; t < nm->ntok; t++) {
            int k = one->tkind[nm->tok_off + t];
            float wt = ix_token_weight(one, k, one->toks[nm->tok_off + t], 0);
            nm->wsum += wt;
            if (is_core(k)) nm->wcore += wt;
        }
        nm->kind = 0; /* compare scores names, not name kinds */
    }
    *out = one;
    return PU_OK;
}

int screen_compare_as(const screen_index *ix, const store_scope *scope, const char *schema, const char *name1,
                      const char *name2, double threshold, screen_match **out, pu_err *err) {
    *out = NULL;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    if (threshold <= 0) threshold = SCREEN_DEFAULT_THRESHOLD;
    screen_index *one = NULL;
    int rc = one_name_index(ix, schema, name2, &one, err);
    if (rc) return rc;
    const char *names[1] = {name1};
    screen_query q = {.schema = schema, .names = names, .nnames = 1};
    /* the one-name index has no owner or marking: the reader's scope only
     * decides whether list statistics (token weights) are shown */
    screen_params p = {.threshold = threshold, .min_score = 1e-9, .limit = 1, .exhaustive = 1, .explain = 1,
                       .no_weights = !scope->system};
    screen_result *res = NULL;
    rc = screen_run(one, &q, &p, &res, err);
    if (rc == PU_ERR_INVALID && err) pu_strlcpy(err->field, "name1", sizeof err->field);
    screen_match *m = NULL;
    if (!rc) {
        m = calloc(1, sizeof *m);
        if (!m) rc = PU_ERR_NOMEM;
        else if (res->n) {
            *m = res->matches[0];
            memset(&res->matches[0], 0, sizeof res->matches[0]);
            res->n = 0;
            free(m->entity_id);
            free(m->caption);
            free(m->schema);
            m->entity_id = m->caption = m->schema = NULL;
        } else {
            m->score = 0;
        }
        if (m) m->match = m->score >= threshold;
    }
    screen_result_free(res);
    screen_index_free(one);
    if (rc) {
        free(m);
        return rc;
    }
    *out = m;
    return PU_OK;
}

/* ---- a prepared comparator: name2's index built once, many name1s ---------------- */

struct screen_cmp {
    screen_index *one;
    char *schema;
};

int screen_cmp_new(const screen_index *ix, const char *schema, const char *name2, screen_cmp **out, pu_err *err) {
    *out = NULL;
    screen_cmp *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (schema && !(c->schema = pu_strdup(schema))) {
        free(c);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    int rc = one_name_index(ix, schema, name2, &c->one, err);
    if (rc) {
        screen_cmp_free(c);
        return rc;
    }
    *out = c;
    return PU_OK;
}

int screen_cmp_score(const screen_cmp *c, const char *name1, double *score, pu_err *err) {
    *score = 0;
    const char *names[1] = {name1};
    screen_query q = {.schema = c->schema, .names = names, .nnames = 1};
    /* no explanation: the score is the one consider() kept, the same
     * computation final_score repeats when it explains */
    screen_params p = {.threshold = SCREEN_DEFAULT_THRESHOLD, .min_score = 1e-9, .limit = 1, .exhaustive = 1,
                       .explain = 0};
    screen_result *res = NULL;
    int rc = screen_run(c->one, &q, &p, &res, err);
    if (rc == PU_ERR_INVALID && err) pu_strlcpy(err->field, "name1", sizeof err->field);
    if (!rc && res->n) *score = res->matches[0].score;
    screen_result_free(res);
    return rc;
}

void screen_cmp_free(screen_cmp *c) {
    if (!c) return;
    screen_index_free(c->one);
    free(c->schema);
    free(c);
}
