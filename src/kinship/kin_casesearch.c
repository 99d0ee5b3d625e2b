/* kin_casesearch.c - the incremental search of the case database: only the
 * pairs that are new since the last search are computed (new PM samples x
 * every family; changed families x the PM samples searched before), with the
 * blind-search tables for exact profiles and the dropout model pair by pair
 * for degraded ones. docs/kinship.md "Incremental search". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kinship/kin_cases_int.h"

#define KCS_MODEL_MAX 512
#define KCS_PED_MAX ((size_t)512 << 20)
#define KCS_DEFAULT_THRESHOLD 1e4

typedef struct srec {      /* what the store says about a family or a sample */
    char *id, *owner, *marking, *state, *case_id;
    int flag;              /* family: changed since its last search; PM: new */
    int64_t rev;
    int drop;              /* PM: has a dropout model */
    double d, c;           /* PM: dropout and drop-in (of the markers not in `markers`) */
    char *markers;         /* PM: per-marker values "MARKER=d/c;..." (kin_pm.dropout_markers) */
} srec;

typedef struct sctx {
    db_t *db;
    const kin_actor *a;
    kin_db *kd;
    kin_case *all;         /* every usable family and every sample */
    srec *fr, *pr;         /* per family / sample of `all` */
    pu_err *err;
} sctx;

typedef struct found {     /* one pair over the threshold, in `all` indices */
    int vic, miss;
    double log10lr;
    int excluded;
} found;

typedef struct fvec {
    found *v;
    long n, cap;
    const int *vmap, *mmap; /* view -> all */
} fvec;

static void srec_free(srec *r, int n) {
    for (int i = 0; r && i < n; i++) {
        free(r[i].id), free(r[i].owner), free(r[i].marking), free(r[i].state), free(r[i].case_id);
        free(r[i].markers);
    }
    free(r);
}

static int fpush(fvec *f, int vic, int miss, double l10, int ex) {
    if (f->n == f->cap) {
        long nc = f->cap ? 2 * f->cap : 64;
        found *nv = realloc(f->v, (size_t)nc * sizeof *nv);
        if (!nv) return PU_ERR_NOMEM;
        f->v = nv, f->cap = nc;
    }
    f->v[f->n++] = (found){vic, miss, l10, ex};
    return PU_OK;
}

static int collect(void *ud, const kin_hit *h, int n) {
    fvec *f = ud;
    for (int i = 0; i < n; i++)
        if (fpush(f, f->vmap[h[i].vic], f->mmap[h[i].miss], h[i].log10lr, h[i].excluded)) return PU_ERR_NOMEM;
    return PU_OK;
}

/* ---- loading ---- */

static int load_families(sctx *S, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.id, f.pedigree, f.rev, f.scored_rev, f.owner, f.marking, c.state_code, f.case_id"
                   " FROM kin_family f JOIN kin_case c ON c.id = f.case_id WHERE EXISTS (SELECT 1 FROM kin_ref r"
                   " WHERE r.family_id = f.id AND r.consent = 'given') AND ");
    store_scope_sql(&q, S->a->scope, "f");
    db_sql_add(&q, " ORDER BY f.id");
    db_stmt *st;
    int rc = db_sql_prepare(S->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    pu_buf ped = PU_BUF_INIT(KCS_PED_MAX);
    int n = 0, cap = 0;
    rc = pu_buf_puts(&ped, "family,id,fid,mid,sex,role\n");
    while (!rc && (rc = db_step(st, err)) == DB_ROW) {
        rc = PU_OK;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            srec *nr = realloc(S->fr, (size_t)cap * sizeof *nr);
            if (!nr) {
                rc = PU_ERR_NOMEM;
                break;
            }
            S->fr = nr;
        }
        srec *r = &S->fr[n++];
        memset(r, 0, sizeof *r);
        r->id = pu_strdup(db_col_text(st, 0));
        r->rev = db_col_int64(st, 2);
        r->flag = db_col_int64(st, 2) != db_col_int64(st, 3);
        r->owner = pu_strdup(db_col_text(st, 4));
        r->marking = pu_strdup(db_col_text(st, 5));
        r->state = pu_strdup(db_col_text(st, 6));
        r->case_id = pu_strdup(db_col_text(st, 7));
        /* references without consent are untyped: the pedigree reader
         * would refuse nothing, and their profiles are never loaded */
        const char *p = db_col_text(st, 1);
        while (!rc && *p) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            rc = pu_buf_printf(&ped, "%s,%.*s\n", r->id, (int)l, p);
            p += l + (nl ? 1 : 0);
        }
    }
    if (rc == DB_DONE) rc = PU_OK;
    db_finalize(st);
    if (!rc && n > 0) rc = kin_case_read_pedigrees_mem(S->kd, pu_buf_str(&ped), ped.len, "stored pedigrees", &S->all, err);
    if (!rc && n == 0) {
        S->all = calloc(1, sizeof *S->all);
        if (!S->all) rc = PU_ERR_NOMEM;
        else S->all->db = S->kd;
    }
    pu_buf_free(&ped);
    if (!rc && S->all->nfam != n)
        rc = pu_fail(err, PU_ERR_INTERNAL, NULL, "pedigree", "%d families read back, %d stored", S->all->nfam, n);
    for (int f = 0; !rc && f < n; f++)   /* the reader keeps the order of first appearance */
        if (strcmp(S->all->fam[f].name, S->fr[f].id) != 0)
            rc = pu_fail(err, PU_ERR_INTERNAL, NULL, "pedigree", "family order differs at '%s'", S->fr[f].id);
    return rc;
}

static int family_index(const kin_case *c, const char *id) {
    for (int f = 0; f < c->nfam; f++)   /* families are few per search compared with pairs */
        if (!strcmp(c->fam[f].name, id)) return f;
    return -1;
}

static int load_refs(sctx *S, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.family_id, r.person, r.profile, r.id FROM kin_ref r WHERE r.consent = 'given' AND ");
    store_scope_sql(&q, S->a->scope, "r");
    db_stmt *st;
    int rc = db_sql_prepare(S->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    int nm = S->kd->n;
    while ((rc = db_step(st, err)) == DB_ROW) {
        rc = PU_OK;
        int f = family_index(S->all, db_col_text(st, 0));
        if (f < 0) continue; /* a family the reader does not see */
        kin_family *F = &S->all->fam[f];
        int p = -1;
        for (int i = 0; i < F->n && p < 0; i++)
            if (!strcmp(F->p[i].id, db_col_text(st, 1))) p = i;
        if (p < 0 || F->p[p].role == KIN_ROLE_MISSING) continue;
        if ((rc = kcs_profile_parse(S->kd, db_col_text(st, 2), &F->g[(size_t)p * nm * 2], db_col_text(st, 3), err)))
            break;
        F->p[p].role = KIN_ROLE_REFERENCE;
    }
    if (rc == DB_DONE) rc = PU_OK;
    db_finalize(st);
    return rc;
}

static int load_pms(sctx *S, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT p.id, p.sex, p.profile, p.dropout, p.dropin, p.searched, p.owner, p.marking,"
                   " c.state_code, p.case_id, p.dropout_markers FROM kin_pm p JOIN kin_case c ON c.id = p.case_id WHERE ");
    store_scope_sql(&q, S->a->scope, "p");
    db_sql_add(&q, " ORDER BY p.id");
    db_stmt *st;
    int rc = db_sql_prepare(S->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    kin_case *c = S->all;
    int nm = S->kd->n, cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        rc = PU_OK;
        if (c->nvic == cap) {
            cap = cap ? 2 * cap : 1024;
            kin_sample *nv = realloc(c->vic, (size_t)cap * sizeof *nv);
            srec *nr = nv ? realloc(S->pr, (size_t)cap * sizeof *nr) : NULL;
            if (nv) c->vic = nv;
            if (!nv || !nr) {
                rc = PU_ERR_NOMEM;
                break;
            }
            S->pr = nr;
        }
        int v = c->nvic;
        kin_sample *s = &c->vic[v];
        srec *r = &S->pr[v];
        memset(r, 0, sizeof *r);
        s->id = pu_strdup(db_col_text(st, 0));
        s->sex = (int)db_col_int64(st, 1);
        s->g = malloc((size_t)(nm ? nm : 1) * 2 * sizeof(int16_t));
        c->nvic++;
        if (!s->id || !s->g) {
            rc = PU_ERR_NOMEM;
            break;
        }
        if ((rc = kcs_profile_parse(S->kd, db_col_text(st, 2), s->g, s->id, err))) break;
        r->d = db_col_double(st, 3), r->c = db_col_double(st, 4);
        r->markers = pu_strdup(db_col_text(st, 10));
        r->drop = r->d > 0 || r->c > 0 || (r->markers && *r->markers);
        r->flag = db_col_int64(st, 5) == 0;
        r->id = pu_strdup(s->id);
        r->owner = pu_strdup(db_col_text(st, 6));
        r->marking = pu_strdup(db_col_text(st, 7));
        r->state = pu_strdup(db_col_text(st, 8));
        r->case_id = pu_strdup(db_col_text(st, 9));
    }
    if (rc == DB_DONE) rc = PU_OK;
    db_finalize(st);
    if (rc) return rc;
    /* dropout of every sample and marker: the sample's values, then its
     * stored per-marker ones */
    c->vic_ev = calloc((size_t)(c->nvic ? c->nvic : 1) * (size_t)(nm ? nm : 1), sizeof(kin_ev));
    if (!c->vic_ev) return PU_ERR_NOMEM;
    for (int v = 0; v < c->nvic && !rc; v++) {
        if (!S->pr[v].markers) return PU_ERR_NOMEM;
        rc = kcs_drop_parse(S->kd, S->pr[v].markers, S->pr[v].d, S->pr[v].c, &c->vic_ev[(size_t)v * nm],
                            S->pr[v].id, err);
    }
    return rc;
}

/* ---- views: a subset of families and samples of `all`, sharing their data ---- */

typedef struct view {
    kin_case c;
    int *vmap, *mmap;      /* view sample -> all sample, view missing -> all missing */
} view;

static void view_free(view *w) {
    free(w->c.fam), free(w->c.vic), free(w->c.miss), free(w->c.vic_ev);
    free(w->vmap), free(w->mmap);
    memset(w, 0, sizeof *w);
}

static int view_make(const kin_case *all, const char *famsel, const char *vicsel, int with_ev, view *w) {
    memset(w, 0, sizeof *w);
    w->c.db = all->db;
    int nm = all->db->n;
    w->c.fam = malloc((size_t)(all->nfam + 1) * sizeof *w->c.fam);
    w->c.vic = malloc((size_t)(all->nvic + 1) * sizeof *w->c.vic);
    w->c.miss = malloc((size_t)(all->nmiss + 1) * sizeof *w->c.miss);
    w->vmap = malloc((size_t)(all->nvic + 1) * sizeof(int));
    w->mmap = malloc((size_t)(all->nmiss + 1) * sizeof(int));
    if (with_ev) w->c.vic_ev = malloc((size_t)(all->nvic + 1) * (size_t)(nm ? nm : 1) * sizeof(kin_ev));
    if (!w->c.fam || !w->c.vic || !w->c.miss || !w->vmap || !w->mmap || (with_ev && !w->c.vic_ev)) return PU_ERR_NOMEM;
    int *fmap = malloc((size_t)(all->nfam + 1) * sizeof(int));
    if (!fmap) return PU_ERR_NOMEM;
    for (int f = 0; f < all->nfam; f++) {
        fmap[f] = -1;
        if (famsel[f]) fmap[f] = w->c.nfam, w->c.fam[w->c.nfam++] = all->fam[f];
    }
    for (int j = 0; j < all->nmiss; j++) {
        int vf = fmap[all->miss[j].fam];
        if (vf < 0) continue;
        w->mmap[w->c.nmiss] = j;
        w->c.miss[w->c.nmiss++] = (kin_missing){vf, all->miss[j].person};
    }
    free(fmap);
    for (int v = 0; v < all->nvic; v++) {
        if (!vicsel[v]) continue;
        if (with_ev) memcpy(&w->c.vic_ev[(size_t)w->c.nvic * nm], &all->vic_ev[(size_t)v * nm], (size_t)nm * sizeof(kin_ev));
        w->vmap[w->c.nvic] = v;
        w->c.vic[w->c.nvic++] = all->vic[v];
    }
    if (!with_ev) w->c.vic_ev = NULL;
    return PU_OK;
}

/* Score one view: tables for exact samples, pairwise with dropout else. */
static int score_view(sctx *S, const kin_run_opts *o, view *w, int dropout, fvec *out, uint64_t *pairs, pu_err *err) {
    if (w->c.nvic == 0 || w->c.nmiss == 0) return PU_OK;
    kin_opts ko;
    kin_opts_default(&ko);
    ko.theta = o->theta;
    if (o->max_incomp >= 0) ko.max_incomp = o->max_incomp;
    double thr = o->threshold > 0 ? o->threshold : KCS_DEFAULT_THRESHOLD;
    out->vmap = w->vmap, out->mmap = w->mmap;
    if (!dropout) {
        kin_search_opts so;
        kin_search_opts_default(&so);
        so.threshold = thr;
        so.stream = 1;
        so.threads = o->threads;
        so.max_incomp = ko.max_incomp;
        kin_search_stats stt;
        memset(&stt, 0, sizeof stt);
        int rc = kin_search_run(&w->c, &ko, &so, collect, out, &stt, err);
        *pairs += stt.pairs;
        return rc;
    }
    size_t n = (size_t)w->c.nvic * w->c.nmiss;
    double *lr = malloc(n * sizeof *lr);
    int *ex = malloc(n * sizeof *ex);
    int rc = lr && ex ? kin_pairwise(&w->c, &ko, lr, ex, err) : PU_ERR_NOMEM;
    for (size_t k = 0; !rc && k < n; k++) {
        if (isnan(lr[k])) continue; /* sexes differ: not a pair */
        ++*pairs;
        if (lr[k] >= thr && ex[k] <= ko.max_incomp)
            rc = fpush(out, w->vmap[k / w->c.nmiss], w->mmap[k % w->c.nmiss], log10(lr[k]), ex[k]);
    }
    free(lr), free(ex);
    (void)S;
    return rc;
}

/* ---- storing ---- */

static int markers_text(sctx *S, const found *h, pu_buf *b, pu_err *err) {
    int nm = S->kd->n;
    double *logm = malloc((size_t)(nm ? nm : 1) * sizeof *logm);
    if (!logm) return PU_ERR_NOMEM;
    kin_opts ko;
    kin_opts_default(&ko);
    int rc = kin_pair_markers(S->all, &ko, h->vic, h->miss, logm, NULL, err);
    for (int m = 0; !rc && m < nm; m++) {
        if (S->all->vic[h->vic].g[2 * m] < 0) continue;
        rc = pu_buf_printf(b, "%s%s:%.6f", b->len ? ";" : "", S->kd->m[m].name, logm[m] / log(10));
    }
    free(logm);
    return rc;
}

static int store_hit(sctx *S, int64_t run, const found *h, const char *fname, int fver, const char *model,
                     const char *day, long *nhits, pu_err *err) {
    const kin_missing *ms = &S->all->miss[h->miss];
    const srec *fr = &S->fr[ms->fam], *pr = &S->pr[h->vic];
    const char *missing = S->all->fam[ms->fam].p[ms->person].id;
    store_marking fm, pm;
    char owner[32];
    if (store_marking_parse(fr->marking, NULL, &fm, err) || store_marking_parse(pr->marking, NULL, &pm, err))
        return PU_ERR_INVALID;
    store_marking hm = store_marking_stricter(pm, pr->owner, fm, fr->owner, owner, sizeof owner);
    pu_buf mk = PU_BUF_INIT((size_t)4000);
    pu_buf dr = PU_BUF_INIT((size_t)KIN_DROP_TEXT_MAX - 1);
    int rc = markers_text(S, h, &mk, err);
    /* the dropout values this LR was computed with */
    if (!rc && pr->drop)
        rc = kcs_drop_text(S->kd, &S->all->vic_ev[(size_t)h->vic * S->kd->n], pr->d, pr->c, 1, &dr);
    /* an open hit of the same pair computed before is replaced by this one */
    const char *sv[] = {pr->id, fr->id, missing};
    if (!rc)
        rc = kcs_exec(S->db, "UPDATE kin_hit SET status = 'superseded' WHERE pm_id = ? AND family_id = ? AND"
                             " missing = ? AND status IN ('candidate', 'reviewed')", 3, sv, err);
    db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(S->db,
                        "INSERT INTO kin_hit (run_id, pm_id, family_id, missing, case_id, lr, log10_lr, excluded,"
                        " markers, freqdb, freqdb_version, model, status, owner, marking, state_code, reviewed_by,"
                        " reviewed_day, decided_by, decided_day, note, created, dropout) VALUES (?, ?, ?, ?, ?, ?, ?,"
                        " ?, ?, ?, ?, ?, 'candidate', ?, ?, ?, '', '', '', '', '', ?, ?)", &st, err);
    if (!rc) {
        db_bind_int64(st, 1, run);
        db_bind_text(st, 2, pr->id, -1);
        db_bind_text(st, 3, fr->id, -1);
        db_bind_text(st, 4, missing, -1);
        db_bind_text(st, 5, pr->case_id, -1);
        db_bind_double(st, 6, pow(10, h->log10lr));
        db_bind_double(st, 7, h->log10lr);
        db_bind_int64(st, 8, h->excluded);
        db_bind_text(st, 9, pu_buf_str(&mk), -1);
        db_bind_text(st, 10, fname, -1);
        db_bind_int64(st, 11, fver);
        db_bind_text(st, 12, model, -1);
        db_bind_text(st, 13, owner, -1);
        db_bind_text(st, 14, store_marking_name(hm), -1);
        db_bind_text(st, 15, pr->state, -1);
        db_bind_text(st, 16, day, -1);
        db_bind_text(st, 17, pu_buf_str(&dr), -1);
        rc = db_step_done(st, err);
        if (!rc) ++*nhits;
    }
    db_finalize(st);
    pu_buf_free(&mk);
    pu_buf_free(&dr);
    return rc;
}

static int store_run(sctx *S, const kin_run_opts *o, const char *fname, int fver, const char *model,
                     const char *day, kin_run_result *r, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(S->db,
                        "INSERT INTO kin_run (day, by_user, freqdb, freqdb_version, model, threshold, new_pm,"
                        " changed_families, pairs, hits, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"
                        " RETURNING id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, day, -1);
    db_bind_text(st, 2, S->a->user ? S->a->user : "", -1);
    db_bind_text(st, 3, fname, -1);
    db_bind_int64(st, 4, fver);
    db_bind_text(st, 5, model, -1);
    db_bind_double(st, 6, o->threshold > 0 ? o->threshold : KCS_DEFAULT_THRESHOLD);
    db_bind_int64(st, 7, r->new_pm);
    db_bind_int64(st, 8, r->changed_families);
    db_bind_int64(st, 9, (int64_t)r->pairs);
    rc = db_insert_id(st, &r->run_id, err);
    db_finalize(st);
    return rc;
}

static int mark_done(sctx *S, pu_err *err) {
    int rc = PU_OK;
    for (int v = 0; !rc && v < S->all->nvic; v++)
        if (S->pr[v].flag) {
            const char *vals[] = {S->pr[v].id};
            rc = kcs_exec(S->db, "UPDATE kin_pm SET searched = 1 WHERE id = ?", 1, vals, err);
        }
    for (int f = 0; !rc && f < S->all->nfam; f++)
        if (S->fr[f].flag) {
            char rev[24];
            snprintf(rev, sizeof rev, "%lld", (long long)S->fr[f].rev);
            const char *vals[] = {rev, S->fr[f].id};
            rc = kcs_exec(S->db, "UPDATE kin_family SET scored_rev = CAST(? AS INTEGER) WHERE id = ?", 2, vals, err);
        }
    return rc;
}

/* The four passes: {new samples x all families, old samples x changed
 * families} x {exact, dropout}. */
static int run_passes(sctx *S, const kin_run_opts *o, fvec *hits, uint64_t *pairs, pu_err *err) {
    kin_case *c = S->all;
    char *fall = malloc((size_t)c->nfam + 1), *fchg = malloc((size_t)c->nfam + 1);
    char *vsel = malloc((size_t)c->nvic + 1);
    int rc = fall && fchg && vsel ? PU_OK : PU_ERR_NOMEM;
    for (int f = 0; !rc && f < c->nfam; f++) fall[f] = 1, fchg[f] = (char)S->fr[f].flag;
    for (int pass = 0; !rc && pass < 4; pass++) {
        int newpm = pass < 2, drop = pass % 2;
        for (int v = 0; v < c->nvic; v++) vsel[v] = S->pr[v].flag == newpm && S->pr[v].drop == drop;
        view w;
        rc = view_make(c, newpm ? fall : fchg, vsel, drop, &w);
        if (!rc) rc = score_view(S, o, &w, drop, hits, pairs, err);
        view_free(&w);
    }
    free(fall), free(fchg), free(vsel);
    return rc;
}

int kin_cases_search(db_t *db, const kin_actor *a, const kin_run_opts *o, kin_run_result *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    /* "searched" is one state for everyone: a search in one agency's view
     * would mark samples as compared with families it cannot see */
    if (!a->scope->system)
        return pu_fail(err, PU_ERR_DENIED, NULL, "agency",
                       "the incremental search is the national service's: the store operator runs it (without "
                       "--agency), so that every pair is computed once for every agency");
    double t0 = pu_monotonic();
    sctx S = {.db = db, .a = a, .err = err};
    char fname[KIN_REC_ID_MAX] = "", model[KCS_MODEL_MAX], day[11];
    int fver = 0;
    /* nothing new anywhere: no pair to compute, and no need to load the
     * profiles (a national database takes seconds to read) */
    int64_t fresh = 0, changed = 0;
    int rc = db_query_int64(db, "SELECT count(*) FROM kin_pm WHERE searched = 0", NULL, &fresh, err);
    if (!rc) rc = db_query_int64(db, "SELECT count(*) FROM kin_family WHERE rev <> scored_rev", NULL, &changed, err);
    if (rc) return rc;
    if (!fresh && !changed) {
        out->seconds = pu_monotonic() - t0;
        return PU_OK;
    }
    rc = kin_freqdb_load(db, o->freqdb, 0, &S.kd, fname, &fver, err);
    if (!rc) {
        S.kd->warn = NULL;
        rc = load_families(&S, err);
    }
    if (!rc) rc = load_refs(&S, err);
    if (!rc) rc = load_pms(&S, err);
    if (!rc) rc = kin_db_prepare(S.kd, err);
    fvec hits = {0};
    if (!rc) {
        for (int v = 0; v < S.all->nvic; v++) out->new_pm += S.pr[v].flag;
        for (int f = 0; f < S.all->nfam; f++) out->changed_families += S.fr[f].flag;
        out->families = S.all->nfam;
        out->pms = S.all->nvic;
        rc = run_passes(&S, o, &hits, &out->pairs, err);
    }
    snprintf(model, sizeof model,
             "autosomal STR; mutation models of %s v%d; theta %g; dropout/drop-in per PM sample and marker; threshold %g;"
             " max incompatible markers %d", fname, fver, o->theta, o->threshold > 0 ? o->threshold : KCS_DEFAULT_THRESHOLD,
             o->max_incomp >= 0 ? o->max_incomp : 2);
    kcs_today(a, day);
    if (!rc) rc = db_begin(db, err);
    if (!rc) {
        rc = store_run(&S, o, fname, fver, model, day, out, err);
        for (long i = 0; !rc && i < hits.n; i++)
            rc = store_hit(&S, out->run_id, &hits.v[i], fname, fver, model, day, &out->hits, err);
        if (!rc) rc = mark_done(&S, err);
        out->seconds = pu_monotonic() - t0;
        char hs[24], secs[32], rid[24];
        snprintf(hs, sizeof hs, "%ld", out->hits);
        snprintf(secs, sizeof secs, "%.6f", out->seconds);
        snprintf(rid, sizeof rid, "%lld", (long long)out->run_id);
        const char *vals[] = {hs, secs, rid};
        if (!rc)
            rc = kcs_exec(db, "UPDATE kin_run SET hits = CAST(? AS INTEGER), seconds = CAST(? AS DOUBLE PRECISION) WHERE id ="
                              " CAST(? AS INTEGER)", 3, vals, err);
        if (!rc) rc = db_commit(db, err);
        else db_rollback(db);
    }
    free(hits.v);
    if (S.all) srec_free(S.fr, S.all->nfam), srec_free(S.pr, S.all->nvic);
    kin_case_free(S.all);
    kin_db_free(S.kd);
    return rc;
}
