/*
 * screen_compare.c - two names scored against each other as screening
 * would (a one-name index, weights from a reference index when given).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "screen/screen_int.h"

#define COMPARE_MIN_SCORE 1e-9 /* screen_cmp_score's min_score: every score above 0 is kept */

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

/* The class a query of this schema runs with (screen_run's prep_query). */
static int query_class(const char *schema) {
    int cls = sn_class_of(schema);
    if (schema && (strcmp(schema, "Thing") == 0 || strcmp(schema, "LegalEntity") == 0)) cls = SC_ANY;
    return cls;
}

/* One listed name of the one-name index as sc_name_score reads it
 * (screen_run's name_side), made once by screen_cmp_new. */
typedef struct cmp_name {
    sn_tokinfo ti[SN_MAX_TOK];
    float w[SN_MAX_TOK];
    int ntok, person, kind, visible;
} cmp_name;

struct screen_cmp {
    screen_index *one;
    char *schema;
    int cls;           /* the query class of schema */
    cmp_name *names;   /* one->names as listed sides */
};

static void cmp_prepare_names(screen_cmp *c) {
    const screen_index *one = c->one;
    for (size_t n = 0; n < one->nnames; n++) {
        const ix_name *nm = &one->names[n];
        cmp_name *x = &c->names[n];
        for (uint32_t t = 0; t < nm->ntok; t++) {
            uint32_t v = one->toks[nm->tok_off + t];
            int k = one->tkind[nm->tok_off + t];
            const ix_vinfo *vi = &one->vinfo[v];
            x->ti[t] = (sn_tokinfo){.s = vi->s, .len = vi->len, .kind = (uint8_t)k, .group = vi->group,
                                    .phon = vi->phon, .tk = vi->tk, .sk = vi->sk, .skl = vi->skl, .nv = vi->nv,
                                    .lm = vi->lm, .cjk = vi->cjk};
            x->w[t] = ix_token_weight(one, k, v, 0);
        }
        x->ntok = nm->ntok;
        x->person = one->ents[nm->entity].cls == SC_PERSON || nm->person_form;
        x->kind = nm->kind;
        x->visible = screen_schema_ok(c->cls, one->ents[nm->entity].cls);
    }
}

int screen_cmp_new(const screen_index *ix, const char *schema, const char *name2, screen_cmp **out, pu_err *err) {
    *out = NULL;
    screen_cmp *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (schema && !(c->schema = pu_strdup(schema))) {
        free(c);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->cls = query_class(schema);
    int rc = one_name_index(ix, schema, name2, &c->one, err);
    if (!rc && !(c->names = calloc(c->one->nnames, sizeof *c->names)))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (rc) {
        screen_cmp_free(c);
        return rc;
    }
    cmp_prepare_names(c);
    *out = c;
    return PU_OK;
}

int screen_cmp_score(const screen_cmp *c, const char *name1, double *score, pu_err *err) {
    *score = 0;
    const char *names[1] = {name1};
    screen_query q = {.schema = c->schema, .names = names, .nnames = 1};
    /* no explanation: the score is the one consider() kept, the same
     * computation final_score repeats when it explains */
    screen_params p = {.threshold = SCREEN_DEFAULT_THRESHOLD, .min_score = COMPARE_MIN_SCORE, .limit = 1, .exhaustive = 1,
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
    free(c->names);
    free(c->schema);
    free(c);
}

/* ---- a prepared query name: name1 folded and tokenised once ----------------------- */

#define QNAME_PIECES 4        /* prep_query keeps nnames * 2 + 2 pieces of a query: 4 for one name */
#define QNAME_TK_MAX 256      /* transliteration key bytes per piece (prep_query's qname.tk) */
#define QNAME_PHON_MAX 24     /* phonetic key bytes per token (qname.phon) */

typedef struct qpiece {
    sn_tokinfo *ti;
    float *w;
    int ntok, person;
} qpiece;

struct screen_qname {
    int cls;
    int npieces;
    qpiece piece[QNAME_PIECES];
    /* the tokens' sn_tokinfo, weights and strings follow in the same block */
};

/* One piece's tokens as prep_query makes them (keys in the given buffers). */
typedef struct qtmp {
    sn_name n;
    sn_tokinfo ti[SN_MAX_TOK];
    float w[SN_MAX_TOK];
    char phon[SN_MAX_TOK][QNAME_PHON_MAX];
    char sk[SN_MAX_TOK][SN_TOK_MAX + 1];
    char tk[QNAME_TK_MAX];
} qtmp;

static void qtmp_fill(qtmp *q) {
    size_t tkused = 0;
    for (int t = 0; t < q->n.ntok; t++) {
        sn_tokinfo *ti = &q->ti[t];
        ti->s = q->n.tok[t].s;
        ti->len = q->n.tok[t].len;
        ti->kind = q->n.tok[t].kind;
        tkused += sn_query_token_facts(ti, q->phon[t], sizeof q->phon[t], q->tk + tkused, sizeof q->tk - tkused,
                                       q->sk[t], sizeof q->sk[t]);
        /* without a reference index every core token weighs 1 (block_token:
         * the one-name index weighs its vocabulary 1, unknown tokens 1) */
        q->w[t] = is_core(ti->kind) ? 1.0f : ix_token_weight(NULL, ti->kind, UINT32_MAX, 0);
    }
}

static size_t str_bytes(const char *s, size_t n) { return s ? n + 1 : 0; }

/* Bytes the piece's tokens take in a screen_qname block. */
static size_t qtmp_bytes(const qtmp *q) {
    size_t b = (size_t)q->n.ntok * (sizeof(sn_tokinfo) + sizeof(float));
    for (int t = 0; t < q->n.ntok; t++) {
        const sn_tokinfo *ti = &q->ti[t];
        b += ti->len + 1 + str_bytes(ti->phon, ti->phon ? strlen(ti->phon) : 0) +
             str_bytes(ti->tk, ti->tk ? strlen(ti->tk) : 0) + str_bytes(ti->sk, ti->skl);
    }
    return b;
}

static char *put_str(char **at, const char *s, size_t n) {
    if (!s) return NULL;
    char *d = *at;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    *at += n + 1;
    return d;
}

/* Copy piece q into the block at *tok (sn_tokinfo + weights) and *str. */
static void qtmp_store(const qtmp *q, qpiece *p, char **tok, char **str) {
    p->ti = (sn_tokinfo *)*tok;
    p->w = (float *)(*tok + (size_t)q->n.ntok * sizeof(sn_tokinfo));
    *tok += (size_t)q->n.ntok * (sizeof(sn_tokinfo) + sizeof(float));
    p->ntok = q->n.ntok;
    for (int t = 0; t < q->n.ntok; t++) {
        sn_tokinfo ti = q->ti[t];
        ti.s = put_str(str, ti.s, ti.len);
        ti.phon = put_str(str, ti.phon, ti.phon ? strlen(ti.phon) : 0);
        ti.tk = put_str(str, ti.tk, ti.tk ? strlen(ti.tk) : 0);
        ti.sk = put_str(str, ti.sk, ti.skl);
        memcpy(&p->ti[t], &ti, sizeof ti);
        p->w[t] = q->w[t];
    }
}

int screen_qname_new(const char *schema, const char *name, screen_qname **out, pu_err *err) {
    *out = NULL;
    int cls = query_class(schema);
    if (!name || pu_blank(name))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name with letters or digits");
    char *f = NULL;
    int rc = sn_fold(name, &f, err, "name");
    if (rc) return rc;
    char *work = malloc(SN_BUF_MAX * 2);
    qtmp *tmp = malloc(QNAME_PIECES * sizeof *tmp);
    if (!work || !tmp) {
        free(f), free(work), free(tmp);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    char *pieces[SN_MAX_PIECES];
    int np = sn_split_cls(f, (enum sn_class)cls, work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES), nq = 0;
    size_t bytes = sizeof(screen_qname);
    for (int i = 0; i < np && nq < QNAME_PIECES; i++) {
        sn_tokenize(pieces[i], (enum sn_class)cls, &tmp[nq].n);
        if (tmp[nq].n.ntok == 0) continue;
        qtmp_fill(&tmp[nq]);
        bytes += qtmp_bytes(&tmp[nq]) + alignof(sn_tokinfo);
        nq++;
    }
    screen_qname *q = nq ? calloc(1, bytes) : NULL;
    if (q) {
        q->cls = cls;
        q->npieces = nq;
        /* per piece: its sn_tokinfo and weights (aligned), then its strings */
        char *at = (char *)(q + 1);
        for (int i = 0; i < nq; i++) {
            size_t mis = (uintptr_t)at % alignof(sn_tokinfo);
            if (mis) at += alignof(sn_tokinfo) - mis;
            char *str = at + (size_t)tmp[i].n.ntok * (sizeof(sn_tokinfo) + sizeof(float));
            qtmp_store(&tmp[i], &q->piece[i], &at, &str);
            q->piece[i].person = cls == SC_PERSON || tmp[i].n.person_form;
            at = str;
        }
    }
    free(f), free(work), free(tmp);
    if (!nq) return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name with letters or digits");
    if (!q) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    *out = q;
    return PU_OK;
}

void screen_qname_free(screen_qname *q) { free(q); }

int screen_cmp_score_prepared(const screen_cmp *c, const screen_qname *q, double *score, pu_err *err) {
    *score = 0;
    if (c->one->wref || q->cls != c->cls)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name1", "prepared for another schema or with a reference index");
    /* screen_run's exhaustive pass over the one-name index: every piece
     * against every listed name, the best kept as consider() keeps it (a
     * float, ties to the lower name kind), the final score as final_score
     * makes it for a query without qualifiers */
    float best = -1;
    double best_ns = 0;
    int best_kind = 0;
    for (int qi = 0; qi < q->npieces; qi++) {
        const qpiece *p = &q->piece[qi];
        sc_side qs = {p->ti, p->w, NULL, p->ntok, p->person};
        for (size_t n = 0; n < c->one->nnames; n++) {
            const cmp_name *x = &c->names[n];
            if (!x->visible) continue;
            sc_side cs = {x->ti, x->w, NULL, x->ntok, x->person};
            double ns = sc_name_score(&qs, &cs, NULL, NULL);
            double sc = ns * kind_factor[x->kind];
            if (sc > best || (sc == best && x->kind < best_kind)) {
                best = (float)sc;
                best_ns = ns;
                best_kind = x->kind;
            }
        }
    }
    if (best < 0) return PU_OK;
    double s = best_ns * kind_factor[best_kind] * SCREEN_NAME_ONLY_CAP;
    if (s > 1) s = 1;
    if (s < 0) s = 0;
    s = round(s * 10000.0) / 10000.0;
    *score = s >= COMPARE_MIN_SCORE ? s : 0;
    return PU_OK;
}
