/*
 * screen_run.c - running a query: query preparation, candidate generation
 * from the blocking index (or every name in exhaustive mode), final scores
 * with qualifiers, identifiers, reviewed decisions, ranking and
 * explanations. Name scoring: screen_name_score.c; qualifiers:
 * screen_qual.c; compare: screen_compare.c; the constants: screen_int.h.
 * See docs/screening.md for the method.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- query preparation ---------------------------------------------------------- */

typedef struct qtok_cand { uint32_t v; float s; uint8_t how; } qtok_cand;

typedef struct qname {
    sn_name n;
    sn_tokinfo ti[SN_MAX_TOK];
    float w[SN_MAX_TOK];
    char phon[SN_MAX_TOK][24];
    char sk[SN_MAX_TOK][SN_TOK_MAX + 1]; /* consonant skeletons */
    char tk[256];            /* transliteration keys of the tokens, packed */
    size_t tkused;
    uint32_t id[SN_MAX_TOK];  /* memo ids: unique per query token */
    int src;                 /* index into q->names */
    float wsum, wconst;      /* total weight; weight of unblocked tokens */
    int ncore;               /* WORD/NUMBER tokens */
    qtok_cand *cand[SN_MAX_TOK];
    int ncand[SN_MAX_TOK];
} qname;

typedef struct qprep {
    qname *qn;
    int nqn;
    int cls;
    int has_dob, has_country;
} qprep;

static void qprep_free(qprep *p) {
    for (int i = 0; i < p->nqn; i++)
        for (int t = 0; t < SN_MAX_TOK; t++) free(p->qn[i].cand[t]);
    free(p->qn);
}

static int cand_seen(const qname *qn, int t, uint32_t v) {
    for (int i = 0; i < qn->ncand[t]; i++)
        if (qn->cand[t][i].v == v) return 1;
    return 0;
}

/* Candidates with s == 0 are kept too, so that a vocabulary token reached
 * through several maps is compared once; accumulation skips them. */
static int cand_add(qname *qn, int t, uint32_t v, float s, int how, int *cap) {
    if (qn->ncand[t] >= *cap) {
        int nc = *cap ? *cap * 2 : 8;
        qtok_cand *n = realloc(qn->cand[t], (size_t)nc * sizeof *n);
        if (!n) return PU_ERR_NOMEM;
        qn->cand[t] = n;
        *cap = nc;
    }
    qn->cand[t][qn->ncand[t]++] = (qtok_cand){v, s, (uint8_t)how};
    return PU_OK;
}

static void vocab_info(const screen_index *ix, uint32_t v, int kind, sn_tokinfo *ti) {
    const ix_vinfo *x = &ix->vinfo[v];
    ti->s = x->s;
    ti->len = x->len;
    ti->kind = (uint8_t)kind;
    ti->group = x->group;
    ti->phon = x->phon;
    ti->tk = x->tk;
    ti->sk = x->sk;
    ti->skl = x->skl;
    ti->nv = x->nv;
    ti->lm = x->lm;
    ti->cjk = x->cjk;
}

/* IDF weight of the exact token in ix's vocabulary, else dflt. */
float vocab_weight(const screen_index *ix, const char *s, size_t len, float dflt) {
    uint64_t h = sn_hash(s, len);
    for (size_t k = ix_get(&ix->vmap, h); k < ix->vmap.n && ix->vmap.a[k].h == h; k++) {
        uint32_t v = ix->vmap.a[k].v;
        if (ix->vlen[v] == len && memcmp(ix->vstr[v], s, len) == 0) return ix->vw[v];
    }
    return dflt;
}

/* One blocking probe of block_token: a map, a key, and its filters: only
 * vocabulary tokens starting with need0 (when not 0), deletion entries
 * (IX_DEL) only when dels. */
typedef struct probe_req { const ix_map *m; uint64_t h; char need0; uint8_t dels; } probe_req;
typedef struct probe_hit { uint32_t v; char need0; } probe_hit;
#define PROBE_REQ_MAX (SN_TOK_MAX + 8) /* exact, <= SN_TOK_MAX deletions, article, phonetic, group, 2 skeletons, prefix */
#define PROBE_HIT_MAX 256

/* Compare token t with the vocabulary tokens hits[0..n) in order and keep
 * them as its candidates (each vocabulary token once). */
static int probe_hits(const screen_index *ix, const probe_hit *hits, int n, qname *qn, int t, int *cap) {
    for (int k = 0; k < n; k++) {
        if (k + 2 < n) __builtin_prefetch(ix->vinfo[hits[k + 2].v].s);
        uint32_t v = hits[k].v;
        if (hits[k].need0 && ix->vinfo[v].s[0] != hits[k].need0) continue;
        if (cand_seen(qn, t, v)) continue;
        sn_tokinfo vi;
        vocab_info(ix, v, SN_WORD, &vi);
        int how;
        double s = sn_token_sim(&qn->ti[t], &vi, &how);
        if (cand_add(qn, t, v, (float)s, how, cap)) return PU_ERR_NOMEM;
    }
    return PU_OK;
}

/* Blocking: vocabulary tokens within one edit (deletion neighbourhoods), with
 * the same phonetic key or in the same nickname group. Also sets the query
 * token's weight from the best vocabulary match (unknown tokens weigh 1). */
static int block_token(const screen_index *ix, qname *qn, int t) {
    const sn_tokinfo *ti = &qn->ti[t];
    int cap = 0, rc = PU_OK;
    probe_req rq[PROBE_REQ_MAX];
    int nr = 0;
    /* the exact token, and (dmap) the vocabulary tokens one deletion away */
    rq[nr++] = (probe_req){&ix->dmap, sn_hash(ti->s, ti->len), 0, ti->len >= 2};
    if (ti->len >= 4) {
        char del[SN_TOK_MAX + 1];
        for (size_t i = 0; i < ti->len; i++) {
            if (i > 0 && ti->s[i] == ti->s[i - 1]) continue;
            memcpy(del, ti->s, i);
            memcpy(del + i, ti->s + i + 1, ti->len - i - 1);
            rq[nr++] = (probe_req){&ix->dmap, sn_hash(del, ti->len - 1), 0, 1};
        }
    }
    const char *rest;
    if (sn_article(ti->s, ti->len, &rest)) rq[nr++] = (probe_req){&ix->vmap, sn_hash(rest, ti->len - 2u), 0, 1};
    if (ti->len >= 3 && ti->phon && ti->phon[0])
        rq[nr++] = (probe_req){&ix->pmap, sn_hash(ti->phon, strlen(ti->phon)), 0, 1};
    if (ti->group) rq[nr++] = (probe_req){&ix->gmap, ti->group, 0, 1};
    if (ti->len >= IX_PREFIX && ti->len <= IX_PREFIX_MAX) rq[nr++] = (probe_req){&ix->fmap, sn_hash(ti->s, ti->len), 0, 1};
    /* Arabic consonant skeleton: only keys of >= 3 letters, or a query token
     * written without vowels, so that short keys ("mr") do not flood */
    if (ti->len >= 3) {
        char sk[SN_TOK_MAX + 1];
        size_t skl = ti->skl;
        memcpy(sk, ti->sk, skl + 1);
        int novow = 1;
        for (size_t i = 0; i < ti->len; i++)
            if (strchr("aeiouy", ti->s[i])) novow = 0;
        /* two-letter keys of long vowelled tokens too (russia ~ rossiya):
         * the scoring gives them 0.75, so the index must find them */
        if (skl >= 3 || (skl == 2 && (novow || ti->len >= 6))) {
            rq[nr++] = (probe_req){&ix->smap, sn_hash(sk, skl), 0, 1};
            /* dialects say q as g (GADDAFI ~ QADHAFI; the skeleton writes q
             * as k): a g token also probes the q tokens, a q token the g
             * tokens (g and k stay apart) */
            if (skl >= 3 && (ti->s[0] == 'g' || ti->s[0] == 'q')) {
                sk[0] = ti->s[0] == 'g' ? 'k' : 'g';
                rq[nr++] = (probe_req){&ix->smap, sn_hash(sk, skl), ti->s[0] == 'g' ? 'q' : 'g', 1};
            }
        }
    }
    /* Memory-level parallelism: the ~20 probes of a token miss the cache
     * one after another (slot, pair, vocabulary record, its string). So:
     * prefetch every slot, then every first pair, then collect the hits
     * (prefetching their records) and compare them, in the order the probes
     * were listed: the candidates and their order are those of probing one
     * map after the other. */
    for (int r = 0; r < nr; r++)
        if (rq[r].m->slot) __builtin_prefetch(&rq[r].m->slot[ix_slot_of(rq[r].m, rq[r].h)]);
    for (int r = 0; r < nr; r++) {
        const ix_map *m = rq[r].m;
        uint32_t p = m->slot ? m->slot[ix_slot_of(m, rq[r].h)] : 0;
        if (p) __builtin_prefetch(&m->a[p - 1]);
    }
    probe_hit hits[PROBE_HIT_MAX];
    int nh = 0;
    for (int r = 0; r < nr && !rc; r++) {
        const ix_map *m = rq[r].m;
        const ix_pair *a = m->a;
        uint64_t h = rq[r].h;
        for (size_t i = ix_get(m, h); i < m->n && a[i].h == h; i++) {
            uint32_t v = a[i].v & ~IX_DEL;
            if (!rq[r].dels && v != a[i].v) break; /* the deletion entries come last */
            if (nh == PROBE_HIT_MAX) { /* full: compare what is there */
                if ((rc = probe_hits(ix, hits, nh, qn, t, &cap))) break;
                nh = 0;
            }
            __builtin_prefetch(&ix->vinfo[v]);
            hits[nh++] = (probe_hit){v, rq[r].need0};
        }
    }
    if (!rc) rc = probe_hits(ix, hits, nh, qn, t, &cap);
    /* weight: exact vocabulary token, else the most similar one */
    float best = -1, w = 1.0f;
    for (int i = 0; i < qn->ncand[t]; i++)
        if (qn->cand[t][i].s > best) {
            best = qn->cand[t][i].s;
            w = ix->vw[qn->cand[t][i].v];
        }
    /* compare --idf: a one-name index weighs query tokens by the reference
     * list, as screening against that list would (unknown tokens weigh 1) */
    if (ix->wref) w = vocab_weight(ix->wref, ti->s, ti->len, w);
    qn->w[t] = w;
    return rc;
}

size_t sn_query_token_facts(sn_tokinfo *ti, char *phon, size_t phsize, char *tk, size_t tksize, char *sk,
                            size_t sksize) {
    ti->group = sn_nick_group(ti->s, ti->len);
    sn_phonetic(ti->s, ti->len, phon, phsize);
    ti->phon = phon;
    /* keys that do not fit are computed when needed (tk NULL) */
    size_t tl = sn_translit_key(ti->s, ti->len, 0, tk, tksize);
    ti->tk = tl ? tk : NULL;
    ti->skl = (uint8_t)sn_skeleton(ti->s, ti->len, sk, sksize);
    ti->sk = sk;
    ti->nv = (uint8_t)(sn_no_vowels(ti->s, ti->len) + 1);
    ti->lm = sn_letter_mask(ti->s, ti->len);
    ti->cjk = sn_cjk_info(ti->s, ti->len);
    return tl ? tl + 1 : 0;
}

/* The fields of a qname that are read before they are written. */
static void qname_init(qname *qn) {
    memset(qn->cand, 0, sizeof qn->cand);
    memset(qn->ncand, 0, sizeof qn->ncand);
    qn->tkused = 0;
    qn->src = 0;
    qn->wsum = qn->wconst = 0;
    qn->ncore = 0;
}

static int prep_query(const screen_index *ix, const screen_query *q, qprep *p, pu_err *err) {
    memset(p, 0, sizeof *p);
    if (!q || !q->names || q->nnames == 0)
        return pu_fail(err, PU_ERR_INVALID, q && q->id ? q->id : NULL, "name", "expected at least one name");
    if (q->nnames > SCREEN_QUERY_NAMES_MAX)
        return pu_fail(err, PU_ERR_LIMIT, q->id, "name", "%zu names; the maximum is %d", q->nnames,
                       SCREEN_QUERY_NAMES_MAX);
    if (q->nids > SCREEN_QUERY_IDS_MAX)
        return pu_fail(err, PU_ERR_LIMIT, q->id, "id_number", "%zu identifiers; the maximum is %d", q->nids,
                       SCREEN_QUERY_IDS_MAX);
    p->cls = sn_class_of(q->schema);
    if (q->schema && (strcmp(q->schema, "Thing") == 0 || strcmp(q->schema, "LegalEntity") == 0)) p->cls = SC_ANY;
    p->has_dob = q->birth_date && *q->birth_date;
    p->has_country = q->country && *q->country;
    int cap = (int)q->nnames * 2 + 2, rc = PU_OK;
    char *work = malloc(SN_BUF_MAX * 2);
    /* not calloc: a qname is ~4.5 kB and zeroing them all cost ~5 % of a
     * query; each one is initialised when it is used (qname_init) */
    p->qn = malloc((size_t)cap * sizeof(qname));
    if (!p->qn || !work) {
        free(work);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t k = 0; k < q->nnames && rc == PU_OK; k++) {
        char field[32], *f = NULL;
        snprintf(field, sizeof field, q->nnames > 1 ? "name[%zu]" : "name", k);
        if (pu_blank(q->names[k])) continue;
        if ((rc = sn_fold(q->names[k], &f, err, field))) {
            if (err && q->id) pu_strlcpy(err->where, q->id, sizeof err->where);
            break;
        }
        char *pieces[SN_MAX_PIECES];
        int np = sn_split_cls(f, (enum sn_class)p->cls, work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES);
        for (int i = 0; i < np && p->nqn < cap; i++) {
            qname *qn = &p->qn[p->nqn];
            qname_init(qn);
            sn_tokenize(pieces[i], (enum sn_class)p->cls, &qn->n);
            if (qn->n.ntok == 0) continue;
            qn->src = (int)k;
            for (int t = 0; t < qn->n.ntok && rc == PU_OK; t++) {
                sn_tokinfo *ti = &qn->ti[t];
                ti->s = qn->n.tok[t].s;
                ti->len = qn->n.tok[t].len;
                ti->kind = qn->n.tok[t].kind;
                qn->tkused += sn_query_token_facts(ti, qn->phon[t], sizeof qn->phon[t], qn->tk + qn->tkused,
                                                   sizeof qn->tk - qn->tkused, qn->sk[t], sizeof qn->sk[t]);
                qn->id[t] = (uint32_t)(p->nqn * SN_MAX_TOK + t + 1);
                if (is_core(ti->kind)) rc = block_token(ix, qn, t);
                else qn->w[t] = ix_token_weight(ix, ti->kind, UINT32_MAX, 0);
                if (ti->kind == SN_WORD && !ix->nvocab) qn->w[t] = 1.0f;
                qn->wsum += qn->w[t];
                if (!is_core(ti->kind)) qn->wconst += qn->w[t];
                else qn->ncore++;
            }
            p->nqn++;
        }
        free(f);
    }
    free(work);
    if (rc == PU_OK && p->nqn == 0)
        rc = pu_fail(err, PU_ERR_INVALID, q->id, "name", "expected a name with letters or digits");
    if (rc) qprep_free(p);
    return rc;
}

/* ---- scratch (per query, pooled) ------------------------------------------------- */

/* Per-name and per-entity state of a query, one record each (the fields
 * are read together: one cache miss instead of one per array). */
typedef struct nacc {
    uint32_t stamp; /* name stamp of the query name that reached it */
    float q, c;     /* accumulated query / listed weight of its token matches */
    uint8_t n;      /* token matches accumulated (saturating) */
} nacc;
typedef struct eacc {
    uint32_t stamp, name; /* entity stamp; its best name */
    float best;           /* the best name's score, -1 none */
    uint8_t qn, vis;      /* the query name of the best; 1 visible, 2 not */
    double ns;            /* sc_name_score of the best (final_score reuses it) */
} eacc;

typedef struct scratch {
    nacc *na;
    uint32_t *touched;
    size_t ntouched;
    eacc *ea;
    uint32_t *touched_e;
    size_t ntouched_e;
    sc_memo memo;
    uint32_t stamp;   /* entity stamp: one per query */
    uint32_t nstampc; /* name stamp: one per query name */
} scratch;

static scratch *scratch_take(const screen_index *cix) {
    screen_index *ix = (screen_index *)cix; /* only the pool is mutated, under its lock */
    scratch *s = NULL;
    pthread_mutex_lock(&ix->pool_mu);
    if (ix->npool) s = ix->pool[--ix->npool];
    pthread_mutex_unlock(&ix->pool_mu);
    if (s) return s;
    size_t nn = ix->nnames + 1, ne = ix->nents + 1;
    size_t bytes = sizeof(scratch) + nn * (sizeof(nacc) + 4) + ne * (sizeof(eacc) + 4);
    char *m = calloc(1, bytes);
    if (!m) return NULL;
    s = (scratch *)m;
    char *p = m + sizeof(scratch); /* 8-aligned: scratch holds pointers */
    s->na = (nacc *)p; p += nn * sizeof(nacc);
    s->ea = (eacc *)p; p += ne * sizeof(eacc);
    s->touched = (uint32_t *)p; p += nn * 4;
    s->touched_e = (uint32_t *)p;
    return s;
}

static void scratch_give(const screen_index *cix, scratch *s) {
    screen_index *ix = (screen_index *)cix;
    pthread_mutex_lock(&ix->pool_mu);
    if (ix->npool == ix->pool_cap) {
        size_t nc = ix->pool_cap ? ix->pool_cap * 2 : 8;
        void **np = realloc(ix->pool, nc * sizeof *np);
        if (np) {
            ix->pool = np;
            ix->pool_cap = nc;
        }
    }
    if (ix->npool < ix->pool_cap) {
        ix->pool[ix->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&ix->pool_mu);
    free(s);
}

/* ---- running a query ------------------------------------------------------------- */

typedef struct runctx {
    const screen_index *ix;
    const screen_query *q;
    const screen_params *p;
    qprep *qp;
    scratch *s;
    double min_score, bonus_max;
    double cap;            /* the name part's top: SCREEN_NAME_ONLY_CAP, or as weighted */
    double need_q, need_c; /* a name below either coverage cannot reach min_score */
    double need_q_raw;     /* need_q as a share of the query's weight, before discounts */
    size_t scored;
} runctx;

static int schema_ok(int qcls, int ecls) {
    if (qcls == SC_ANY || ecls == SC_ANY) return qcls != SC_VEHICLE && ecls != SC_VEHICLE ? 1 : qcls == ecls || qcls == SC_ANY;
    return qcls == ecls;
}

int screen_schema_ok(int qcls, int ecls) { return schema_ok(qcls, ecls); }

/* The releasability rule per reader. The index was built from a scoped
 * store read (screen_index_build: store_iter with STORE_SYSTEM, i.e. the
 * store's store_scope_sql condition for the operator, which sees every row)
 * and keeps each entity's owner and marking; store_visible is the in-memory
 * form of the same rule (generated from the same table as store_scope_sql;
 * tests/store/test_scope.c proves they agree on every combination). The
 * module's only other uses re-check rows held in memory the same way: the
 * loaded decisions (sr_find) and the service's cached bodies. */
static int entity_visible(runctx *r, uint32_t e) {
    scratch *s = r->s;
    if (s->ea[e].stamp != s->stamp) {
        s->ea[e].stamp = s->stamp;
        s->ea[e].best = -1;
        s->ea[e].vis = 0;
        const ix_entity *x = &r->ix->ents[e];
        int vis = schema_ok(r->qp->cls, x->cls);
        if (vis && r->p->scope && !r->p->scope->system) vis = store_visible(r->p->scope, x->owner, x->marking);
        if (vis && r->p->designated)
            vis = screen_in_scope(r->p->designated, x) ||
                  (r->p->also_designated && r->p->also_designated(r->p->also_ctx, x->id));
        s->ea[e].vis = (uint8_t)(vis ? 1 : 2);
        if (vis) s->touched_e[s->ntouched_e++] = e;
    }
    return s->ea[e].vis == 1;
}

static void name_side(const screen_index *ix, const ix_name *nm, sn_tokinfo *ti, float *w, uint32_t *id) {
    for (uint32_t t = 0; t < nm->ntok; t++) {
        uint32_t v = ix->toks[nm->tok_off + t];
        int k = ix->tkind[nm->tok_off + t];
        vocab_info(ix, v, k, &ti[t]);
        w[t] = ix_token_weight(ix, k, v, 0);
        id[t] = v << 3 | (uint32_t)k;
    }
}

/* A person's name gets no acronym rule: by schema, or written "SURNAME,
 * Given" when the schema is unknown ("NIYAZOV, Ibrohim Ahiy" is no IAN). */
static int q_person(const runctx *r, const qname *qn) { return r->qp->cls == SC_PERSON || qn->n.person_form; }
static int listed_person(const screen_index *ix, const ix_name *nm) {
    return ix->ents[nm->entity].cls == SC_PERSON || nm->person_form;
}

/* The name score times the name kind's factor; *ns the name score. */
static double score_name(runctx *r, int qi, uint32_t n, double *ns) {
    const screen_index *ix = r->ix;
    const ix_name *nm = &ix->names[n];
    sn_tokinfo ti[SN_MAX_TOK];
    float w[SN_MAX_TOK];
    uint32_t id[SN_MAX_TOK];
    name_side(ix, nm, ti, w, id);
    qname *qn = &r->qp->qn[qi];
    sc_side qs = {qn->ti, qn->w, qn->id, qn->n.ntok, q_person(r, qn)},
           cs = {ti, w, id, nm->ntok, listed_person(ix, nm)};
    *ns = sc_name_score(&qs, &cs, NULL, &r->s->memo);
    return *ns * kind_factor[nm->kind];
}

static void consider(runctx *r, int qi, uint32_t n) {
    uint32_t e = r->ix->names[n].entity;
    if (!entity_visible(r, e)) return;
    r->scored++;
    double ns, sc = score_name(r, qi, n, &ns);
    scratch *s = r->s;
    if (sc > s->ea[e].best || (sc == s->ea[e].best && r->ix->names[n].kind < r->ix->names[s->ea[e].name].kind)) {
        s->ea[e].best = (float)sc;
        s->ea[e].name = n;
        s->ea[e].qn = (uint8_t)qi;
        s->ea[e].ns = ns;
    }
}

/* Upper bound of a touched name's score from the accumulated matches (or,
 * when it surely reaches min_score, a lower value that does too). */
static double bound(runctx *r, const qname *qn, uint32_t n) {
    const ix_name *nm = &r->ix->names[n];
    double aq = r->s->na[n].q + qn->wconst, ac = r->s->na[n].c + (nm->wsum - nm->wcore);
    if (aq > qn->wsum) aq = qn->wsum;
    /* unmatched query tokens are discounted only when every listed core
     * token is matched, each with similarity >= SIM_FLOOR (0.5): below half
     * the listed core weight that cannot be */
    double dq = 1.0;
    if (qn->ncore >= 2 && r->s->na[n].n >= 2 && r->s->na[n].c >= 0.5 * nm->wcore - 1e-6) {
        /* the discount needs >= 2 listed core tokens, each matched: at
         * least as many accumulated token matches as listed core tokens */
        int ncore = 0;
        for (uint8_t k = 0; k < nm->ntok; k++)
            if (is_core(r->ix->tkind[nm->tok_off + k])) ncore++;
        if (ncore >= 2 && r->s->na[n].n >= ncore) dq = QUERY_EXTRA_DISCOUNT;
    }
    double cq = qn->wsum > 0 ? aq / (aq + dq * (qn->wsum - aq)) : 1;
    if (cq > 1) cq = 1;
    double W = nm->wsum;
    if (ac > W) ac = W;
    double cc = W > 0 ? ac / (ac + UNMATCHED_DISCOUNT * (W - ac)) : 1;
    /* cq^0.6 * cc^0.4 <= min(cq, cc)^0.4 ... cheap rejections first */
    if (cq < r->need_q || cc < r->need_c) return 0;
    /* the weighted means bracket cq^0.6 * cc^0.4: harmonic <= geometric <=
     * arithmetic. When the bracket is clear of min_score (with a margin far
     * above pow's rounding) the caller's decision is known, and a value on
     * the same side of min_score is returned; pow only near the cut */
    double hi = (COV_Q_EXP * cq + COV_C_EXP * cc) * r->cap + r->bonus_max;
    if (hi < r->min_score - 1e-9) return 0;
    double lo = cq > 0 && cc > 0 ? r->cap / (COV_Q_EXP / cq + COV_C_EXP / cc) + r->bonus_max : 0;
    if (lo >= r->min_score + 1e-9) return lo;
    return pow_cov(cq, COV_Q_EXP) * pow_cov(cc, COV_C_EXP) * r->cap + r->bonus_max;
}

static inline void touch(scratch *s, uint32_t n, uint32_t st) {
    if (s->na[n].stamp != st) {
        s->na[n].stamp = st;
        s->na[n].q = s->na[n].c = 0;
        s->na[n].n = 0;
        s->touched[s->ntouched++] = n;
    }
}

/* Add what query token t contributes to the names it reaches: through its
 * blocked vocabulary and as two listed tokens joined. admit = 0: only names
 * already touched are updated. */
static void accumulate(runctx *r, qname *qn, int t, int admit, uint32_t st) {
    const screen_index *ix = r->ix;
    scratch *s = r->s;
    float wq = qn->w[t];
    for (int c = 0; c < qn->ncand[t]; c++) {
        uint32_t v = qn->cand[t][c].v;
        float sim = qn->cand[t][c].s, wc = ix->vw[v];
        if (sim <= 0) continue;
        for (uint32_t k = ix->post_off[v]; k < ix->post_off[v + 1]; k++) {
            uint32_t n = ix->post[k];
            if (admit) touch(s, n, st);
            else if (s->na[n].stamp != st) continue;
            s->na[n].q += wq * sim;
            s->na[n].c += wc * sim;
            if (s->na[n].n < 255) s->na[n].n++;
        }
    }
    /* compounds, for the bound only (scoring finds them itself): the
     * token as written and in canonical compound spelling */
    const sn_tokinfo *a = &qn->ti[t];
    if (a->len >= 4) {
        char cc[SN_TOK_MAX + 8];
        size_t cl = sn_compound_canon(a->s, a->len, cc, sizeof cc);
        uint64_t hs[3] = {sn_hash(a->s, a->len), cl ? sn_hash(cc, cl) : 0, 0};
        int nh = cl && hs[1] != hs[0] ? 2 : 1;
        const char *rest;
        size_t rl;
        if (sn_ros_split(a->s, a->len, &rest, &rl)) hs[nh++] = sn_ros_key(rest, rl); /* ROSELEKTRONIKA */
        for (int x = 0; x < nh; x++)
            for (size_t k = ix_get(&ix->cmap, hs[x]); k < ix->cmap.n && ix->cmap.a[k].h == hs[x]; k++) {
                uint32_t n = ix->cmap.a[k].v;
                if (admit) touch(s, n, st);
                else if (s->na[n].stamp != st) continue;
                s->na[n].q += wq;
                s->na[n].c += 2.1f; /* two tokens (<= 1 each) and maybe an article (0.1) */
                if (s->na[n].n < 254) s->na[n].n += 2;
            }
    }
    /* the token as the acronym of a run of listed words */
    if (!q_person(r, qn) && a->kind == SN_WORD && sn_acronym_ok(a->s, a->len, a->group)) {
        uint64_t h = sn_hash(a->s, a->len);
        for (size_t k = ix_get(&ix->amap, h); k < ix->amap.n && ix->amap.a[k].h == h; k++) {
            uint32_t n = ix->amap.a[k].v;
            if (admit) touch(s, n, st);
            else if (s->na[n].stamp != st) continue;
            s->na[n].q += wq;
            s->na[n].c += (float)a->len * 1.1f; /* the run's words and particles */
            if (s->na[n].n < 240) s->na[n].n += (uint8_t)a->len;
        }
    }
}

/* A run of query words whose initials are a listed token (the list has the
 * acronym): for the bound, every such run of >= 3 words reaches the names
 * of that token. Not for persons. */
static void accumulate_acronyms(runctx *r, qname *qn, uint32_t st) {
    const screen_index *ix = r->ix;
    scratch *s = r->s;
    if (q_person(r, qn)) return;
    for (int j = 0; j < qn->n.ntok; j++) {
        char ini[16];
        size_t k = 0;
        float wrun = 0;
        for (int t = j; t < qn->n.ntok && k < 10; t++) {
            const sn_tokinfo *x = &qn->ti[t];
            wrun += qn->w[t];
            if (x->kind == SN_PARTICLE && k > 0) continue;
            if (x->kind != SN_WORD || sn_group_is_name(x->group)) break;
            ini[k++] = x->s[0];
            if (k < 3) continue;
            uint64_t h = sn_hash(ini, k);
            for (size_t p = ix_get(&ix->vmap, h); p < ix->vmap.n && ix->vmap.a[p].h == h; p++) {
                uint32_t v = ix->vmap.a[p].v;
                if (ix->vlen[v] != k || memcmp(ix->vstr[v], ini, k) != 0) continue;
                for (uint32_t q = ix->post_off[v]; q < ix->post_off[v + 1]; q++) {
                    uint32_t n = ix->post[q];
                    touch(s, n, st);
                    s->na[n].q += wrun;
                    s->na[n].c += ix->vw[v];
                    if (s->na[n].n < 255) s->na[n].n++;
                }
            }
        }
    }
}

/* Two query tokens joined that are one listed token ("abdul rahman",
 * "abd al-rahman" ~ "abdelrahman": sn_join_keys against the canonical
 * spellings of the vocabulary). */
static void accumulate_pair(runctx *r, qname *qn, int t, int admit, uint32_t st) {
    const screen_index *ix = r->ix;
    scratch *s = r->s;
    if (!is_core(qn->ti[t].kind)) return;
    sc_side qs = {qn->ti, qn->w, NULL, qn->n.ntok, 0};
    int u = compound_next(&qs, t);
    if (u < 0) return;
    const sn_tokinfo *a = &qn->ti[t], *b = &qn->ti[u];
    uint64_t keys[3];
    int nk = sn_join_keys(a->s, a->len, a->group, b->s, b->len, keys);
    float wq = (float)span_weight(&qs, t, u);
    for (int x = 0; x < nk; x++) {
        uint64_t h = keys[x];
        if (x > 0 && h == keys[0]) continue;
        for (size_t k = ix_get(&ix->kmap, h); k < ix->kmap.n && ix->kmap.a[k].h == h; k++) {
            uint32_t v = ix->kmap.a[k].v;
            for (uint32_t j = ix->post_off[v]; j < ix->post_off[v + 1]; j++) {
                uint32_t n = ix->post[j];
                if (admit) touch(s, n, st);
                else if (s->na[n].stamp != st) continue;
                s->na[n].q += wq;
                s->na[n].c += ix->vw[v];
                if (s->na[n].n < 255) s->na[n].n++;
            }
        }
    }
}

static void run_blocked(runctx *r, int qi) {
    const screen_index *ix = r->ix;
    scratch *s = r->s;
    qname *qn = &r->qp->qn[qi];
    s->ntouched = 0;
    uint32_t st = ++s->nstampc;
    if (st == 0) { /* wrapped */
        memset(s->na, 0, (ix->nnames + 1) * sizeof *s->na);
        st = s->nstampc = 1;
    }
    /* Prefix filtering: heaviest (rarest) tokens first. Once the tokens left
     * cannot give a name the query coverage it needs (need_q), they only
     * update names already reached, so common tokens do not flood the
     * candidates. A compound with the next token counts that token too. */
    int ord[SN_MAX_TOK], n = 0;
    double rest = 0;
    for (int t = 0; t < qn->n.ntok; t++)
        if (is_core(qn->ti[t].kind)) {
            ord[n++] = t;
            rest += qn->w[t];
        }
    for (int i = 1; i < n; i++) {
        int x = ord[i], j = i;
        while (j > 0 && qn->w[ord[j - 1]] < qn->w[x]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = x;
    }
    int admit[SN_MAX_TOK] = {0};
    for (int i = 0; i < n; i++) {
        admit[ord[i]] = qn->wsum <= 0 || (rest + qn->wconst) / qn->wsum >= r->need_q;
        rest -= qn->w[ord[i]];
    }
    /* names enter only in the first pass; the second updates them */
    for (int i = 0; i < n; i++)
        if (admit[ord[i]]) accumulate(r, qn, ord[i], 1, st);
    for (int t = 0; t + 1 < qn->n.ntok; t++)
        if (admit[t] || admit[t + 1] || (t + 2 < qn->n.ntok && admit[t + 2])) accumulate_pair(r, qn, t, 1, st);
    accumulate_acronyms(r, qn, st);
    for (int i = 0; i < n; i++)
        if (!admit[ord[i]]) accumulate(r, qn, ord[i], 0, st);
    for (int t = 0; t + 1 < qn->n.ntok; t++)
        if (!admit[t] && !admit[t + 1] && !(t + 2 < qn->n.ntok && admit[t + 2])) accumulate_pair(r, qn, t, 0, st);
    for (size_t i = 0; i < s->ntouched; i++) {
        uint32_t n = s->touched[i];
        if (bound(r, qn, n) < r->min_score) continue;
        consider(r, qi, n);
    }
}

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...) {
    pu_buf b = PU_BUF_INIT(4096);
    va_list ap;
    va_start(ap, fmt);
    pu_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *s = pu_buf_detach(&b);
    return s ? s : pu_strdup("");
}

static int add_feature(screen_explain *x, const char *name, double v, char *detail) {
    screen_feature *f = realloc(x->features, (x->nfeatures + 1) * sizeof *f);
    if (!f) {
        free(detail);
        return PU_ERR_NOMEM;
    }
    x->features = f;
    f[x->nfeatures].name = pu_strdup(name);
    f[x->nfeatures].value = v;
    f[x->nfeatures].detail = detail;
    x->nfeatures++;
    return PU_OK;
}

static void tok_str(const sn_tokinfo *t, char *buf, size_t size) {
    size_t l = t->len < size - 1 ? t->len : size - 1;
    memcpy(buf, t->s, l);
    buf[l] = 0;
}

static const char *kind_label(int k) {
    switch (k) {
    case SN_PARTICLE: return "particle";
    case SN_INITIAL: return "initial";
    case SN_LEGAL: return "legal form";
    case SN_NUMBER: return "number";
    default: return "name token";
    }
}

/* Fill the explanation of a name comparison. */
/* Token weights and the coverages made of them are statistics of the whole
 * index (IDF over every entity, whoever may see it): they are shown only
 * when `stats` is set (STORE_SYSTEM readers); others get the same features
 * and values without them (docs/screening.md "What an explanation shows"). */
static int explain_names(screen_explain *x, const sc_side *qs, const sc_side *cs, const sc_detail *d,
                         double name_score, double kindf, const char *kindname, int stats) {
    char a[256], b[256], t2[SN_TOK_MAX + 1], cov[128] = "", wq[64] = "", wc[64] = ""; /* spans of up to 10 tokens */
    if (stats)
        snprintf(cov, sizeof cov, ": query coverage %.3f ^ %.1f x listed coverage %.3f ^ %.1f", d->cov_q, COV_Q_EXP,
                 d->cov_c, COV_C_EXP);
    else
        snprintf(cov, sizeof cov, " (both names' coverages, made of list-wide token statistics, not shown)");
    int rc = add_feature(x, "name_similarity", name_score,
                         dupf("token alignment%s%s%s", cov,
                              d->disc < 1 && (~d->cused & ((1u << cs->n) - 1u))
                                  ? " (unmatched listed tokens weigh half: dropped maternal surname or middle name)"
                                  : "",
                              d->qdisc < 1 && (~d->qused & ((1u << qs->n) - 1u))
                                  ? " (every listed token found: unmatched query tokens weigh 0.3, middle names or patronymics)"
                                  : ""));
    for (int i = 0; i < d->pairs && !rc; i++) {
        /* a span (compound across an article, acronym run): every token */
        tok_str(&qs->t[d->qi[i]], a, sizeof a);
        for (int k = d->qi[i] + 1; d->qi2[i] >= 0 && k <= d->qi2[i]; k++) {
            tok_str(&qs->t[k], t2, sizeof t2);
            size_t l = strlen(a);
            snprintf(a + l, sizeof a - l, "+%s", t2);
        }
        tok_str(&cs->t[d->cj[i]], b, sizeof b);
        for (int k = d->cj[i] + 1; d->cj2[i] >= 0 && k <= d->cj2[i]; k++) {
            tok_str(&cs->t[k], t2, sizeof t2);
            size_t l = strlen(b);
            snprintf(b + l, sizeof b - l, "+%s", t2);
        }
        if (stats) snprintf(wq, sizeof wq, " (weights %.2f / %.2f)", qs->w[d->qi[i]], cs->w[d->cj[i]]);
        rc = add_feature(x, "token_match", d->sim[i],
                         dupf("'%s' ~ '%s': %s %.3f%s", a, b,
                              /* a word group of the lexicon is a translation, not a nickname */
                              d->how[i] == SIM_NICK && d->qi2[i] < 0 && d->cj2[i] < 0 &&
                                      qs->t[d->qi[i]].group && !sn_group_is_name(qs->t[d->qi[i]].group)
                                  ? "translation"
                                  : sn_how_name(d->how[i]),
                              d->sim[i], wq));
    }
    for (int i = 0; i < qs->n && !rc; i++) {
        if ((d->qused >> i) & 1u || qs->t[i].kind == SN_LEGAL) continue;
        tok_str(&qs->t[i], a, sizeof a);
        if (stats) snprintf(wq, sizeof wq, ", weight %.2f", qs->w[i]);
        rc = add_feature(x, "query_token_unmatched", 0,
                         dupf("'%s' (%s%s) has no counterpart", a, kind_label(qs->t[i].kind), wq));
    }
    for (int j = 0; j < cs->n && !rc; j++) {
        if ((d->cused >> j) & 1u || cs->t[j].kind == SN_LEGAL) continue;
        tok_str(&cs->t[j], b, sizeof b);
        int place = !qs->person && !cs->person && distinguishing(&cs->t[j]);
        if (stats) snprintf(wc, sizeof wc, ", weight %.2f", cs->w[j]);
        rc = add_feature(x, "listed_token_unmatched", 0,
                         dupf("'%s' (%s%s) has no counterpart%s", b, kind_label(cs->t[j].kind), wc,
                              place ? "; a country or number: weighs in full (another entity)" : ""));
    }
    if (!rc && d->legal_conflict == 1)
        rc = add_feature(x, "legal_form_mismatch", Q_LEGAL_CONFLICT, dupf("the legal forms differ (name score x %.2f)", 1.0 + Q_LEGAL_CONFLICT));
    if (!rc && d->legal_conflict == 2)
        rc = add_feature(x, "legal_form_one_sided", Q_LEGAL_ONE_SIDED, dupf("only one of the names has a legal form (name score x %.2f)", 1.0 + Q_LEGAL_ONE_SIDED));
    if (!rc && kindf < 1.0)
        rc = add_feature(x, "name_kind", kindf, dupf("the best listed name is of kind %s (factor %.3f)", kindname, kindf));
    return rc;
}

/* Final score of an entity: its best name's score, capped for a name alone,
 * plus qualifiers. quals/nq/d receive the parts (for explanations). Without
 * d the name score consider() kept is used (the same computation). */
static double final_score(runctx *r, uint32_t e, qual *quals, int *nq, sc_detail *d, double *name_score) {
    const screen_index *ix = r->ix;
    scratch *s = r->s;
    const ix_name *nm = &ix->names[s->ea[e].name];
    double ns = s->ea[e].ns;
    if (d) {
        sn_tokinfo ti[SN_MAX_TOK];
        float w[SN_MAX_TOK];
        uint32_t id[SN_MAX_TOK];
        name_side(ix, nm, ti, w, id);
        qname *qn = &r->qp->qn[s->ea[e].qn];
        sc_side qs = {qn->ti, qn->w, qn->id, qn->n.ntok, q_person(r, qn)},
               cs = {ti, w, id, nm->ntok, listed_person(ix, nm)};
        ns = sc_name_score(&qs, &cs, d, &s->memo);
    }
    *name_score = ns;
    const screen_weights *w = r->p->weights;
    double score = ns * kind_factor[nm->kind] * (w ? w->w[SCREEN_W_NAME] * w->w[SCREEN_W_CAP] : SCREEN_NAME_ONLY_CAP);
    *nq = qualifiers(&ix->ents[e], r->q, quals, 8);
    for (int i = 0; w && i < *nq; i++) quals[i].v = screen_weight_of(w, quals[i].name, quals[i].v);
    for (int i = 0; i < *nq; i++)
        if (strcmp(quals[i].name, "identifier_match") == 0 && score < Q_ID_MATCH_FLOOR) score = Q_ID_MATCH_FLOOR;
    for (int i = 0; i < *nq; i++) score += quals[i].v;
    if (score > 1) score = 1;
    if (score < 0) score = 0;
    return round(score * 10000.0) / 10000.0;
}

/* What a match copies of the listed entity: id, caption, schema, datasets, programs. */
static int fill_entity(const ix_entity *x, screen_match *m) {
    m->entity_id = pu_strdup(x->id);
    m->caption = pu_strdup(x->caption);
    m->schema = pu_strdup(x->schema);
    if (!m->entity_id || !m->caption || !m->schema) return PU_ERR_NOMEM;
    if (x->ndatasets && !(m->datasets = calloc(x->ndatasets, sizeof(char *)))) return PU_ERR_NOMEM;
    for (size_t i = 0; i < x->ndatasets; i++)
        if (!(m->datasets[m->ndatasets++] = pu_strdup(x->datasets[i]))) return PU_ERR_NOMEM;
    if (x->nprograms && !(m->programs = calloc(x->nprograms, sizeof(char *)))) return PU_ERR_NOMEM;
    for (size_t i = 0; i < x->nprograms; i++)
        if (!(m->programs[m->nprograms++] = pu_strdup(x->programs[i]))) return PU_ERR_NOMEM;
    return PU_OK;
}

static int fill_match(runctx *r, uint32_t e, screen_match *m) {
    const screen_index *ix = r->ix;
    int frc = fill_entity(&ix->ents[e], m);
    if (frc || !r->p->explain) return frc;
    sc_detail d;
    qual quals[8];
    int nq = 0, idmatch = 0;
    double ns;
    final_score(r, e, quals, &nq, &d, &ns);
    const ix_name *nm = &ix->names[r->s->ea[e].name];
    sn_tokinfo ti[SN_MAX_TOK];
    float w[SN_MAX_TOK];
    uint32_t id[SN_MAX_TOK];
    name_side(ix, nm, ti, w, id);
    qname *qn = &r->qp->qn[r->s->ea[e].qn];
    sc_side qs = {qn->ti, qn->w, qn->id, qn->n.ntok, q_person(r, qn)},
           cs = {ti, w, id, nm->ntok, listed_person(ix, nm)};
    screen_explain *xp = &m->explain;
    xp->query_name = pu_strdup(r->q->names[qn->src]);
    char buf[SN_BUF_MAX];
    sn_join(&qn->n, buf, sizeof buf);
    xp->query_norm = pu_strdup(buf);
    xp->matched_name = pu_strdup(nm->raw);
    pu_buf nb = PU_BUF_INIT(SN_BUF_MAX);
    for (int t = 0; t < nm->ntok; t++) {
        if (t) pu_buf_putc(&nb, ' ');
        pu_buf_append(&nb, ti[t].s, ti[t].len);
    }
    xp->matched_norm = pu_buf_detach(&nb);
    xp->matched_kind = pu_strdup(kind_name[nm->kind]);
    if (!xp->query_name || !xp->query_norm || !xp->matched_name || !xp->matched_kind) return PU_ERR_NOMEM;
    int stats = !r->p->no_weights && (!r->p->scope || r->p->scope->system);
    int rc = explain_names(xp, &qs, &cs, &d, ns, kind_factor[nm->kind], kind_name[nm->kind], stats);
    {
        const screen_weights *w = r->p->weights;
        double cap = w ? w->w[SCREEN_W_CAP] : SCREEN_NAME_ONLY_CAP;
        if (!rc) rc = add_feature(xp, "name_only_cap", cap, dupf("a name alone scores at most %.2f; qualifiers adjust it", cap));
        if (!rc && w && w->w[SCREEN_W_NAME] != 1.0)
            rc = add_feature(xp, "name_weight", w->w[SCREEN_W_NAME],
                             dupf("the request weighs the name score x %.2f", w->w[SCREEN_W_NAME]));
    }
    for (int i = 0; i < nq && !rc; i++) {
        if (strcmp(quals[i].name, "identifier_match") == 0) idmatch = 1;
        rc = add_feature(xp, quals[i].name, quals[i].v, pu_strdup(quals[i].detail));
    }
    if (!rc && idmatch)
        rc = add_feature(xp, "identifier_floor", Q_ID_MATCH_FLOOR,
                         dupf("an identifier match lifts the name score to at least %.2f before qualifiers",
                              Q_ID_MATCH_FLOOR));
    return rc;
}

/* Entities reached through an identifier: score all their names. */
static void run_ids(runctx *r) {
    const screen_index *ix = r->ix;
    for (size_t i = 0; i < r->q->nids; i++) {
        char b[128];
        if (screen_normalize_id(r->q->id_numbers[i], b, sizeof b) != PU_OK) continue;
        uint64_t h = sn_hash(b, strlen(b));
        for (size_t k = ix_get(&ix->idmap, h); k < ix->idmap.n && ix->idmap.a[k].h == h; k++) {
            const ix_entity *x = &ix->ents[ix->idmap.a[k].v];
            for (uint32_t n = x->first_name; n < x->first_name + x->nnames; n++)
                for (int qi = 0; qi < r->qp->nqn; qi++) consider(r, qi, n);
        }
    }
}

/* A query of identifiers alone, no name (yente's CryptoWallet query with a
 * publicKey, watchman's exact crypto-address search): the entities the
 * reader may see that list one of them exactly, each scored 1.0 (watchman:
 * an exact crypto address, government id or contact is a 1.0 match; there
 * is no name to weigh it against). Ranked by entity id. */
#define ID_ONLY_SCORE 1.0
static int run_ids_only(const screen_index *ix, const screen_query *q, const screen_params *p, screen_result *res) {
    int qcls = sn_class_of(q->schema);
    /* a wallet's query names no holder schema */
    if (q->schema && (strcmp(q->schema, "Thing") == 0 || strcmp(q->schema, "LegalEntity") == 0 ||
                      strcmp(q->schema, "CryptoWallet") == 0))
        qcls = SC_ANY;
    uint32_t hits[SCREEN_QUERY_IDS_MAX * 4];
    char why[SCREEN_QUERY_IDS_MAX * 4][128];
    size_t nh = 0;
    for (size_t i = 0; i < q->nids; i++) {
        char b[128];
        if (screen_normalize_id(q->id_numbers[i], b, sizeof b) != PU_OK) continue;
        uint64_t h = sn_hash(b, strlen(b));
        for (size_t k = ix_get(&ix->idmap, h); k < ix->idmap.n && ix->idmap.a[k].h == h && nh < sizeof hits / sizeof hits[0]; k++) {
            uint32_t e = ix->idmap.a[k].v;
            const ix_entity *x = &ix->ents[e];
            int listed = 0, dup = 0;
            for (size_t j = 0; j < x->nids && !listed; j++) listed = strcmp(x->ids[j], b) == 0; /* not a hash collision */
            for (size_t j = 0; j < nh && !dup; j++) dup = hits[j] == e;
            if (!listed || dup || !schema_ok(qcls, x->cls)) continue;
            if (p->scope && !p->scope->system && !store_visible(p->scope, x->owner, x->marking)) continue;
            pu_strlcpy(why[nh], b, sizeof why[nh]);
            hits[nh++] = e;
        }
    }
    size_t keep = nh < (size_t)p->limit ? nh : (size_t)p->limit;
    res->matches = calloc(keep + 1, sizeof *res->matches);
    if (!res->matches) return PU_ERR_NOMEM;
    res->total = nh;
    res->candidates = nh;
    for (size_t i = 0; i < keep; i++) {
        screen_match *m = &res->matches[res->n++];
        int rc = fill_entity(&ix->ents[hits[i]], m);
        m->score = ID_ONLY_SCORE;
        m->match = m->score >= p->threshold;
        if (!rc && p->explain)
            rc = add_feature(&m->explain, "identifier_match", ID_ONLY_SCORE,
                             dupf("identifier %s is listed for this entity (no name was given)", why[i]));
        if (rc) return rc;
    }
    return PU_OK;
}

typedef struct fin { uint32_t e; double score; int rv, sup; } fin;

static int fin_cmp(const void *a, const void *b, void *ctx) {
    const fin *x = a, *y = b;
    const screen_index *ix = ctx;
    if (x->sup != y->sup) return x->sup - y->sup;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return strcmp(ix->ents[x->e].id, ix->ents[y->e].id);
}

/* With request weights (screen_params.weights) the pruning bounds follow
 * them: the name part's top is name weight x cap, and the bonus a name may
 * still get is the largest positive weight of each qualifier the query can
 * earn, so no candidate that the weighted score would keep is pruned. */
static void weighted_bounds(const screen_weights *w, const qprep *qp, const screen_query *q, runctx *r) {
    double dob = w->w[SCREEN_W_DOB_MATCH] > w->w[SCREEN_W_YEAR_MATCH] ? w->w[SCREEN_W_DOB_MATCH] : w->w[SCREEN_W_YEAR_MATCH];
    double b = 0;
    if (qp->has_dob && dob > 0) b += dob;
    if (qp->has_country && w->w[SCREEN_W_COUNTRY_MATCH] > 0) b += w->w[SCREEN_W_COUNTRY_MATCH];
    if (q->address && *q->address && w->w[SCREEN_W_ADDRESS_MATCH] > 0) b += w->w[SCREEN_W_ADDRESS_MATCH];
    r->bonus_max = b;
    r->cap = w->w[SCREEN_W_NAME] * w->w[SCREEN_W_CAP];
    if (r->cap <= 0) r->cap = 1e-9; /* a zero name weight: every candidate is the qualifiers alone */
}

int screen_run(const screen_index *ix, const screen_query *q, const screen_params *pp, screen_result **out,
               pu_err *err) {
    *out = NULL;
    if (!ix) return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "no screening index");
    screen_params p = pp ? *pp : (screen_params){0};
    if (p.threshold <= 0) p.threshold = SCREEN_DEFAULT_THRESHOLD;
    if (p.min_score <= 0) p.min_score = p.threshold - 0.2 > 0.1 ? p.threshold - 0.2 : 0.1;
    if (p.limit <= 0) p.limit = SCREEN_DEFAULT_LIMIT;
    if (q && q->nnames == 0 && q->nids > 0 && q->nids <= SCREEN_QUERY_IDS_MAX) {
        screen_result *ir = calloc(1, sizeof *ir);
        int irc = ir ? run_ids_only(ix, q, &p, ir) : PU_ERR_NOMEM;
        if (ir && !irc) {
            ir->query_id = pu_strdup(q->id);
            ir->subject_key = pu_strdup("");
            ir->threshold = p.threshold;
        }
        if (irc || !ir->subject_key) {
            screen_result_free(ir);
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        *out = ir;
        return PU_OK;
    }
    qprep qp;
    int rc = prep_query(ix, q, &qp, err);
    if (rc) return rc;
    screen_result *res = calloc(1, sizeof *res);
    scratch *s = scratch_take(ix);
    if (!res || !s) {
        free(res);
        free(s);
        qprep_free(&qp);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    runctx r = {ix, q, &p, &qp, s, p.min_score, 0, SCREEN_NAME_ONLY_CAP, 0, 0, 0, 0};
    r.bonus_max = (qp.has_dob ? Q_DOB_EXACT : 0) + (qp.has_country ? Q_COUNTRY_MATCH : 0) +
                  (q->address && *q->address ? Q_ADDRESS_MATCH : 0);
    if (p.weights) weighted_bounds(p.weights, &qp, q, &r);
    {
        /* cq^0.6 * cc^0.4 >= need with cq, cc <= 1 requires cq >= need^(1/0.6)
         * and cc >= need^(1/0.4) */
        double need = (p.min_score - r.bonus_max) / r.cap;
        r.need_q = need > 0 ? pow(need, 1.0 / COV_Q_EXP) : 0;
        r.need_c = need > 0 ? pow(need, 1.0 / COV_C_EXP) : 0;
        /* covered weight share x with x / (x + D (1 - x)) >= need_q */
        r.need_q_raw = r.need_q > 0 ? r.need_q * QUERY_EXTRA_DISCOUNT /
                                          (1.0 - r.need_q + r.need_q * QUERY_EXTRA_DISCOUNT)
                                    : 0;
    }
    s->ntouched_e = 0;
    if (++s->memo.cur == 0) { /* wrapped: forget every entry */
        memset(s->memo.stamp, 0, sizeof s->memo.stamp);
        s->memo.cur = 1;
    }
    /* the similarities blocking computed (listed WORD tokens: name_side's
     * memo id v << 3 | kind) */
    for (int i = 0; i < qp.nqn; i++)
        for (int t = 0; t < qp.qn[i].n.ntok; t++)
            for (int c = 0; c < qp.qn[i].ncand[t]; c++) {
                const qtok_cand *k = &qp.qn[i].cand[t][c];
                memo_put(&s->memo, (uint64_t)qp.qn[i].id[t] << 36 | (k->v << 3 | SN_WORD), k->s, k->how);
            }
    s->stamp += 2;
    if (s->stamp < 2) { /* wrapped: clear the stamps */
        memset(s->na, 0, (ix->nnames + 1) * sizeof *s->na);
        memset(s->ea, 0, (ix->nents + 1) * sizeof *s->ea);
        s->stamp = 2;
    }
    for (int qi = 0; qi < qp.nqn; qi++) {
        if (p.exhaustive)
            for (uint32_t n = 0; n < ix->nnames; n++) consider(&r, qi, n);
        else
            run_blocked(&r, qi);
    }
    run_ids(&r);
    char subject[SN_BUF_MAX];
    if (screen_subject_key(q, subject, sizeof subject, NULL) != PU_OK) subject[0] = 0;
    res->subject_key = pu_strdup(subject);
    res->query_id = pu_strdup(q->id);
    res->exhaustive = p.exhaustive;
    res->threshold = p.threshold;
    res->candidates = r.scored;
    /* final scores with qualifiers for every entity with a scored name; then
     * reviewed decisions; then rank, and fill only what is returned */
    fin *fs = calloc(s->ntouched_e + 1, sizeof *fs);
    size_t nf = 0;
    rc = fs ? PU_OK : PU_ERR_NOMEM;
    for (size_t i = 0; i < s->ntouched_e && !rc; i++) {
        uint32_t e = s->touched_e[i];
        if (s->ea[e].best < 0) continue;
        qual quals[8];
        int nq;
        double ns, sc = final_score(&r, e, quals, &nq, NULL, &ns);
        if (sc < p.min_score) continue;
        int rv = p.reviews ? sr_find(p.reviews, p.scope, subject, ix->ents[e].id) : -1;
        fs[nf++] = (fin){e, sc, rv, 0};
    }
    screen_match *ms = NULL;
    size_t keep = 0;
    if (!rc) {
        /* rank: not suppressed first, then score, then entity id */
        for (size_t i = 0; i < nf; i++) fs[i].sup = fs[i].rv >= 0 && sr_suppresses(p.reviews, fs[i].rv);
        qsort_r(fs, nf, sizeof *fs, fin_cmp, (void *)ix);
        keep = nf < (size_t)p.limit ? nf : (size_t)p.limit;
        ms = calloc(keep + 1, sizeof *ms);
        if (!ms) rc = PU_ERR_NOMEM;
    }
    for (size_t i = 0; i < nf && !rc; i++) {
        if (fs[i].sup) res->suppressed++;
        if (i >= keep) continue;
        screen_match *m = &ms[i];
        rc = fill_match(&r, fs[i].e, m);
        m->score = fs[i].score;
        m->match = m->score >= p.threshold;
        if (!rc && fs[i].rv >= 0) {
            rc = sr_fill(p.reviews, fs[i].rv, m);
            if (m->suppressed) m->match = 0;
        }
    }
    free(fs);
    scratch_give(ix, s);
    qprep_free(&qp);
    res->matches = ms;
    res->n = keep;
    res->total = nf;
    if (rc) {
        screen_result_free(res);
        return pu_fail(err, rc, NULL, NULL, "out of memory");
    }
    *out = res;
    return PU_OK;
}

