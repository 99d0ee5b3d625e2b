/* The identification case database (kin_cases.h): incremental search counts
 * only the new pairs, stored hits equal the engine's LR, consent withdrawal
 * removes a family's reference from later searches, four eyes, visibility,
 * and the named counts. Runs on SQLite and PostgreSQL (test_store_uri). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "kinship/kin_cases.h"
#include "kinship/kin_cases_int.h"
#include "../test_store_uri.h"

static char *slurp(const char *rel) {
    const char *src = getenv("PUENTE_SRC");
    char p[1024];
    snprintf(p, sizeof p, "%s/data/kinship/dvi_planecrash/%s", src ? src : ".", rel);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

/* The PM file restricted to samples whose number is in [lo, hi] ("V3" = 3). */
static char *pm_subset(const char *pm, int lo, int hi) {
    size_t n = strlen(pm);
    char *out = calloc(n + 1, 1);
    const char *p = pm;
    int first = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
        int k = first ? 0 : atoi(p + 2); /* "\"V3\",..." */
        if (first || (k >= lo && k <= hi)) strncat(out, p, l);
        first = 0;
        p += l;
    }
    return out;
}

typedef struct fx {
    store_t *st;
    db_t *db;
    char *freqs, *mut, *ped, *am, *pm;
    kin_db *kd;
    kin_case *kc;           /* the same case read by the engine, for expectations */
} fx;

static int setup(void **state) {
    fx *F = calloc(1, sizeof *F);
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &F->st, &err), PU_OK);
    F->db = store_db(F->st);
    assert_int_equal(app_migrate(F->db, &err), PU_OK);
    F->freqs = slurp("freqs.csv"), F->mut = slurp("mutation_models.csv"), F->ped = slurp("am_pedigrees.csv");
    F->am = slurp("am_genotypes.csv"), F->pm = slurp("pm_genotypes.csv");
    assert_int_equal(kin_db_read_mem(F->freqs, strlen(F->freqs), "f", NULL, 0, &F->kd, &err), PU_OK);
    F->kd->warn = NULL;
    assert_int_equal(kin_db_read_mutation_mem(F->kd, F->mut, strlen(F->mut), "m", &err), PU_OK);
    assert_int_equal(kin_case_read_pedigrees_mem(F->kd, F->ped, strlen(F->ped), "p", &F->kc, &err), PU_OK);
    assert_int_equal(kin_case_read_am_mem(F->kc, F->am, strlen(F->am), "a", &err), PU_OK);
    assert_int_equal(kin_case_read_pm_mem(F->kc, F->pm, strlen(F->pm), "v", &err), PU_OK);
    int v = 0;
    assert_int_equal(kin_freqdb_add(F->db, "planecrash", NULL, F->freqs, F->mut, &v, &err), PU_OK);
    assert_int_equal(v, 1);
    kin_actor a = {.scope = &store_scope_system, .user = "op", .today = "2026-03-05"};
    kin_case_new n = {.id = "FGR-SIN-1", .title = "Fosa 1", .state = "MX-SIN", .freqdb = "planecrash",
                      .owner = "FGR", .marking = "MX-ONLY"};
    assert_int_equal(kin_case_create(F->db, &a, &n, &err), PU_OK);
    *state = F;
    return 0;
}

static int teardown(void **state) {
    fx *F = *state;
    kin_case_free(F->kc);
    kin_db_free(F->kd);
    free(F->freqs), free(F->mut), free(F->ped), free(F->am), free(F->pm);
    store_close(F->st);
    free(F);
    return 0;
}

/* Sex-compatible pairs of samples [lo, hi] (1-based) against the missing
 * persons of families with a reference (all, or only family `only`). */
static uint64_t expect_pairs(const kin_case *c, int lo, int hi, int only) {
    uint64_t n = 0;
    for (int v = lo - 1; v < hi; v++)
        for (int j = 0; j < c->nmiss; j++) {
            if (only >= 0 && c->miss[j].fam != only) continue;
            int ms = c->fam[c->miss[j].fam].p[c->miss[j].person].sex, vs = c->vic[v].sex;
            n += ms == 0 || vs == 0 || ms == vs;
        }
    return n;
}

typedef struct hits { int n; kin_hit_rec h[64]; } hits;
static int grab(const kin_hit_rec *h, void *ctx, pu_err *err) {
    (void)err;
    hits *H = ctx;
    if (H->n < 64) H->h[H->n++] = *h;
    return PU_OK;
}

static void search(fx *F, const kin_actor *a, kin_run_result *r) {
    pu_err err;
    kin_run_opts o = {.threshold = 1e4, .max_incomp = 2, .threads = 2};
    assert_int_equal(kin_cases_search(F->db, a, &o, r, &err), PU_OK);
}

static void test_incremental_search(void **state) {
    fx *F = *state;
    pu_err err;
    kin_actor a = {.scope = &store_scope_system, .user = "op", .today = "2026-03-05"};
    int n;
    kin_family_meta fm = {.missing_name = "Persona desaparecida"};
    assert_int_equal(kin_family_import(F->db, &a, "FGR-SIN-1", F->ped, strlen(F->ped), "ped.csv", &fm, &n, &err), PU_OK);
    assert_int_equal(n, F->kc->nfam);
    char *half = pm_subset(F->pm, 1, 4);
    kin_pm_meta pm = {.site = "Rancho", .grave = "G1", .lab = "LAB", .kit = "Identifiler", .quality = "good"};
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", half, strlen(half), "pm.csv", &pm, &n, &err), PU_OK);
    assert_int_equal(n, 4);
    /* the same samples again: refused as a whole */
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", half, strlen(half), "pm.csv", &pm, &n, &err),
                     PU_ERR_CONFLICT);
    free(half);
    kin_run_result r;
    search(F, &a, &r);
    assert_int_equal(r.new_pm, 4);
    assert_int_equal(r.families, 0); /* no reference yet: nothing to compare with */
    assert_int_equal(r.pairs, 0);
    /* a reference without consent is refused */
    kin_ref_meta rm = {.relation = "relative"};
    assert_int_equal(kin_ref_import(F->db, &a, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "consent-document");
    rm.consent_document = "CONS-2026-001";
    assert_int_equal(kin_ref_import(F->db, &a, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_OK);
    assert_int_equal(n, F->kc->nfam);
    search(F, &a, &r);
    assert_int_equal(r.changed_families, F->kc->nfam);
    assert_int_equal(r.new_pm, 0);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 1, 4, -1));
    /* new remains: only they are scored, against every family */
    char *rest = pm_subset(F->pm, 5, 8);
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", rest, strlen(rest), "pm2.csv", &pm, &n, &err), PU_OK);
    free(rest);
    search(F, &a, &r);
    assert_int_equal(r.new_pm, 4);
    assert_int_equal(r.changed_families, 0);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 5, 8, -1));
    search(F, &a, &r);
    assert_int_equal(r.pairs, 0); /* nothing new */
    /* every stored hit has the engine's LR (float tables: 1e-3 in log10) */
    double *lr = calloc((size_t)F->kc->nvic * F->kc->nmiss, sizeof *lr);
    kin_opts ko;
    kin_opts_default(&ko);
    assert_int_equal(kin_pairwise(F->kc, &ko, lr, NULL, &err), PU_OK);
    hits H = {0};
    assert_int_equal(kin_hits_list(F->db, &a, NULL, grab, &H, &err), PU_OK);
    int expected = 0;
    for (int v = 0; v < F->kc->nvic; v++)
        for (int j = 0; j < F->kc->nmiss; j++) expected += lr[(size_t)v * F->kc->nmiss + j] >= 1e4;
    assert_true(expected > 0);
    assert_int_equal(H.n, expected);
    for (int i = 0; i < H.n; i++) {
        int v = atoi(H.h[i].pm + 1) - 1, j = atoi(H.h[i].family + 1) - 1;
        assert_true(fabs(H.h[i].log10_lr - log10(lr[(size_t)v * F->kc->nmiss + j])) < 1e-3);
        assert_string_equal(H.h[i].status, "candidate");
        assert_string_equal(H.h[i].freqdb, "planecrash");
        assert_int_equal(H.h[i].freqdb_version, 1);
        assert_string_equal(H.h[i].marking, "MX-ONLY");
        /* the per-marker LRs multiply to the LR */
        double s = 0;
        for (const char *p = H.h[i].markers; (p = strchr(p, ':')); p++) s += strtod(p + 1, NULL);
        assert_true(fabs(s - H.h[i].log10_lr) < 1e-3);
    }
    free(lr);
}

static void test_consent_withdrawal(void **state) {
    fx *F = *state;
    pu_err err;
    kin_actor a = {.scope = &store_scope_system, .user = "op", .today = "2026-03-05"};
    int n;
    kin_family_meta fm = {0};
    kin_pm_meta pm = {0};
    kin_ref_meta rm = {.consent_document = "CONS-1"};
    assert_int_equal(kin_family_import(F->db, &a, "FGR-SIN-1", F->ped, strlen(F->ped), "ped.csv", &fm, &n, &err), PU_OK);
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", F->pm, strlen(F->pm), "pm.csv", &pm, &n, &err), PU_OK);
    assert_int_equal(kin_ref_import(F->db, &a, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_OK);
    kin_run_result r;
    search(F, &a, &r);
    int fams = (int)r.families;
    assert_int_equal(kin_consent_set(F->db, &a, "F1/R1", 0, "", &err), PU_ERR_INVALID);
    assert_int_equal(kin_consent_set(F->db, &a, "F1/R1", 0, "la donante retira su consentimiento", &err), PU_OK);
    assert_int_equal(kin_consent_set(F->db, &a, "F1/R1", 0, "again", &err), PU_ERR_CONFLICT);
    hits H = {0};
    assert_int_equal(kin_hits_list(F->db, &a, "candidate", grab, &H, &err), PU_OK);
    for (int i = 0; i < H.n; i++) assert_string_not_equal(H.h[i].family, "F1");
    search(F, &a, &r);
    assert_int_equal(r.families, fams - 1); /* F1 has no reference with consent left */
    assert_int_equal(r.pairs, 0);
    int64_t recorded = 0;
    assert_int_equal(db_query_int64(F->db, "SELECT count(*) FROM kin_consent WHERE ref_id = ? AND action = 'withdrawn'",
                                    "F1/R1", &recorded, &err), PU_OK);
    assert_int_equal(recorded, 1);
    /* consent given again: F1 is scored against every sample, and only F1 */
    assert_int_equal(kin_consent_set(F->db, &a, "F1/R1", 1, "CONS-1b", &err), PU_OK);
    search(F, &a, &r);
    assert_int_equal(r.changed_families, 1);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 1, F->kc->nvic, 0));
}

static void test_four_eyes(void **state) {
    fx *F = *state;
    pu_err err;
    kin_actor op = {.scope = &store_scope_system, .user = "op", .today = "2026-03-05"};
    int n;
    kin_family_meta fm = {.missing_name = "M. Pérez", .disappeared = "2019-05-01"};
    kin_pm_meta pm = {.site = "Rancho", .grave = "G1", .lab = "LAB", .kit = "Identifiler", .quality = "good"};
    kin_ref_meta rm = {.consent_document = "CONS-1", .relation = "hermano"};
    assert_int_equal(kin_family_import(F->db, &op, "FGR-SIN-1", F->ped, strlen(F->ped), "ped.csv", &fm, &n, &err), PU_OK);
    assert_int_equal(kin_pm_import(F->db, &op, "FGR-SIN-1", F->pm, strlen(F->pm), "pm.csv", &pm, &n, &err), PU_OK);
    assert_int_equal(kin_ref_import(F->db, &op, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_OK);
    kin_run_result r;
    search(F, &op, &r);
    hits H = {0};
    assert_int_equal(kin_hits_list(F->db, &op, NULL, grab, &H, &err), PU_OK);
    assert_true(H.n >= 2);
    int64_t id = H.h[0].id, id2 = H.h[1].id;
    kin_actor ana = {.scope = &store_scope_system, .user = "ana", .today = "2026-04-01"};
    kin_actor luis = {.scope = &store_scope_system, .user = "luis", .today = "2026-04-02"};
    assert_int_equal(kin_hit_confirm(F->db, &ana, id, 0.01, NULL, &err), PU_ERR_CONFLICT); /* not reviewed */
    assert_int_equal(kin_hit_report(F->db, &ana, id, "es", 0, stdout, &err), PU_ERR_CONFLICT);
    assert_int_equal(kin_hit_review(F->db, &ana, id, "perfil completo", &err), PU_OK);
    assert_int_equal(kin_hit_review(F->db, &luis, id, NULL, &err), PU_ERR_CONFLICT);
    assert_int_equal(kin_hit_confirm(F->db, &ana, id, 0.01, NULL, &err), PU_ERR_DENIED);
    assert_int_equal(kin_hit_exclude(F->db, &ana, id, NULL, &err), PU_ERR_DENIED);
    assert_int_equal(kin_hit_confirm(F->db, &luis, id, 1.5, NULL, &err), PU_ERR_INVALID);
    assert_int_equal(kin_hit_confirm(F->db, &luis, id, 0.01, "confirmado", &err), PU_OK);
    kin_hit_rec h;
    assert_int_equal(kin_hit_get(F->db, &op, id, &h, &err), PU_OK);
    assert_string_equal(h.status, "confirmed");
    assert_string_equal(h.reviewed_by, "ana");
    assert_string_equal(h.decided_by, "luis");
    double want = h.lr * 0.01 / (h.lr * 0.01 + 0.99);
    assert_true(fabs(h.posterior - want) <= 1e-12 * want);
    assert_true(h.prior == 0.01);
    assert_int_equal(kin_hit_confirm(F->db, &luis, id, 0.01, NULL, &err), PU_ERR_CONFLICT);
    /* the trail: one review and one confirmation, by two users */
    int64_t ev = 0;
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    assert_int_equal(db_query_int64(F->db, "SELECT count(DISTINCT by_user) FROM kin_hit_event WHERE hit_id = CAST(? AS INTEGER)",
                                    ids, &ev, &err), PU_OK);
    assert_int_equal(ev, 2);
    /* reports in both languages */
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    assert_int_equal(kin_hit_report(F->db, &op, id, "es", 0, o, &err), PU_OK);
    fclose(o);
    assert_non_null(strstr(buf, "M. Pérez"));
    assert_non_null(strstr(buf, "luis"));
    assert_null(strstr(buf, "Likelihood ratio per marker")); /* Spanish */
    free(buf);
    o = open_memstream(&buf, &len);
    assert_int_equal(kin_hit_report(F->db, &op, id, "en", 1, o, &err), PU_OK);
    fclose(o);
    assert_non_null(strstr(buf, "<html lang=\"en\">"));
    assert_non_null(strstr(buf, "Likelihood ratio per marker"));
    free(buf);
    /* exclusion follows the same rule */
    assert_int_equal(kin_hit_review(F->db, &luis, id2, NULL, &err), PU_OK);
    assert_int_equal(kin_hit_exclude(F->db, &ana, id2, "otro", &err), PU_OK);
    /* another country's agency sees none of it */
    store_scope fbi = {0, "US", "FBI"};
    kin_actor us = {.scope = &fbi, .user = "agent"};
    hits U = {0};
    assert_int_equal(kin_hits_list(F->db, &us, NULL, grab, &U, &err), PU_OK);
    assert_int_equal(U.n, 0);
    assert_int_equal(kin_hit_review(F->db, &us, id2, NULL, &err), PU_ERR_NOTFOUND);
}

typedef struct tally { double pm, refs, ids; int year, month; char state[16]; } tally;
static int count_cb(const pu_count_row *r, void *ctx, pu_err *err) {
    (void)err;
    tally *t = ctx;
    if (!strcmp(r->name, "kinship.pm_samples")) t->pm += r->value;
    if (!strcmp(r->name, "kinship.family_references")) t->refs += r->value;
    if (!strcmp(r->name, "kinship.identifications")) {
        t->ids += r->value;
        t->year = r->year, t->month = r->month;
        snprintf(t->state, sizeof t->state, "%s", r->state);
    }
    return PU_OK;
}

static void test_counts(void **state) {
    test_four_eyes(state);
    fx *F = *state;
    pu_err err;
    tally t = {0};
    const app_module *m = app_module_find("kinship");
    assert_non_null(m);
    assert_non_null(m->counts);
    assert_int_equal(m->counts(F->db, &store_scope_system, count_cb, &t, &err), PU_OK);
    assert_true(t.pm == F->kc->nvic);
    assert_true(t.refs == F->kc->nfam);
    assert_true(t.ids == 1);
    assert_int_equal(t.year, 2026);
    assert_int_equal(t.month, 4);
    assert_string_equal(t.state, "MX-SIN");
    store_scope fbi = {0, "US", "FBI"};
    tally u = {0};
    assert_int_equal(m->counts(F->db, &fbi, count_cb, &u, &err), PU_OK);
    assert_true(u.pm == 0 && u.ids == 0);
}

/* A degraded sample (dropout) is scored with the dropout model: its stored LR
 * equals kin_pairwise with the same dropout. */
static void test_dropout_sample(void **state) {
    fx *F = *state;
    pu_err err;
    kin_actor a = {.scope = &store_scope_system, .user = "op"};
    int n;
    kin_family_meta fm = {0};
    kin_ref_meta rm = {.consent_document = "C"};
    assert_int_equal(kin_family_import(F->db, &a, "FGR-SIN-1", F->ped, strlen(F->ped), "ped.csv", &fm, &n, &err), PU_OK);
    assert_int_equal(kin_ref_import(F->db, &a, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_OK);
    char *one = pm_subset(F->pm, 1, 1);
    kin_pm_meta pm = {.quality = "degraded", .dropout = 0.2, .dropin = 0.01};
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", one, strlen(one), "pm.csv", &pm, &n, &err), PU_OK);
    free(one);
    kin_run_result r;
    search(F, &a, &r);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 1, 1, -1));
    assert_int_equal(kin_case_set_dropout(F->kc, 0.2, 0.01, &err), PU_OK);
    double *lr = calloc((size_t)F->kc->nvic * F->kc->nmiss, sizeof *lr);
    kin_opts ko;
    kin_opts_default(&ko);
    assert_int_equal(kin_pairwise(F->kc, &ko, lr, NULL, &err), PU_OK);
    hits H = {0};
    assert_int_equal(kin_hits_list(F->db, &a, NULL, grab, &H, &err), PU_OK);
    int expected = 0;
    for (int j = 0; j < F->kc->nmiss; j++) expected += lr[j] >= 1e4;
    assert_int_equal(H.n, expected);
    for (int i = 0; i < H.n; i++) {
        int j = atoi(H.h[i].family + 1) - 1;
        assert_true(fabs(H.h[i].lr - lr[j]) <= 1e-9 * lr[j]);
    }
    free(lr);
}

/* Compare the stored hits of samples [lo, hi] (status `status`) with
 * kin_pairwise on the engine's case with the same dropout; returns how many. */
static int check_hits(fx *F, const kin_actor *a, const char *status, int lo, int hi, const char *drop_text) {
    pu_err err;
    double *lr = calloc((size_t)F->kc->nvic * F->kc->nmiss, sizeof *lr);
    kin_opts ko;
    kin_opts_default(&ko);
    assert_int_equal(kin_pairwise(F->kc, &ko, lr, NULL, &err), PU_OK);
    hits *H = calloc(1, sizeof *H);
    assert_int_equal(kin_hits_list(F->db, a, status, grab, H, &err), PU_OK);
    int expected = 0;
    for (int v = lo - 1; v < hi; v++)
        for (int j = 0; j < F->kc->nmiss; j++) expected += lr[(size_t)v * F->kc->nmiss + j] >= 1e4;
    assert_int_equal(H->n, expected);
    for (int i = 0; i < H->n; i++) {
        int v = atoi(H->h[i].pm + 1) - 1, j = atoi(H->h[i].family + 1) - 1;
        double want = lr[(size_t)v * F->kc->nmiss + j];
        assert_true(fabs(H->h[i].lr - want) <= 1e-9 * want);
        if (drop_text && v == lo - 1) assert_string_equal(H->h[i].dropout, drop_text);
        assert_non_null(strstr(H->h[i].model, "per PM sample and marker"));
    }
    free(H);
    free(lr);
    return expected;
}

/* Per-marker dropout stored with the samples (add-pm --dropout-file): the
 * incremental search equals the file commands (kin_pairwise with the same
 * values and the same dropout file), each hit records the values used, and
 * changing a sample's values (set-dropout) supersedes its open hits and
 * scores it again with the new ones. */
static void test_dropout_per_marker_stored(void **state) {
    fx *F = *state;
    pu_err err;
    kin_actor a = {.scope = &store_scope_system, .user = "op"};
    int n;
    kin_family_meta fm = {0};
    kin_ref_meta rm = {.consent_document = "C"};
    assert_int_equal(kin_family_import(F->db, &a, "FGR-SIN-1", F->ped, strlen(F->ped), "ped.csv", &fm, &n, &err), PU_OK);
    assert_int_equal(kin_ref_import(F->db, &a, F->am, strlen(F->am), "am.csv", &rm, &n, &err), PU_OK);
    char *three = pm_subset(F->pm, 1, 3);
    const char *drop = "sample,marker,dropout,dropin\nV1,D13S317,0.4,0.01\nV2,CSF1PO,0.3,\nV2,NOSUCH,0.3,\n";
    kin_pm_meta pm = {.quality = "degraded", .dropout = 0.1, .dropin = 0.02,
                      .dropout_csv = drop, .dropout_len = strlen(drop), .dropout_name = "drop.csv"};
    /* a sample that is not in this import: refused with file:line, nothing stored */
    const char *bad = "sample,marker,dropout\nV9,CSF1PO,0.3\n";
    kin_pm_meta pb = pm;
    pb.dropout_csv = bad, pb.dropout_len = strlen(bad);
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", three, strlen(three), "pm.csv", &pb, &n, &err),
                     PU_ERR_INVALID);
    assert_string_equal(err.where, "drop.csv:2");
    assert_string_equal(err.field, "sample");
    assert_int_equal(kin_pm_import(F->db, &a, "FGR-SIN-1", three, strlen(three), "pm.csv", &pm, &n, &err), PU_OK);
    assert_int_equal(n, 3);
    free(three);
    char text[KIN_DROP_TEXT_MAX];
    assert_int_equal(kin_pm_dropout(F->db, &a, "V1", text, &err), PU_OK);
    assert_string_equal(text, "*=0.1/0.02;D13S317=0.4/0.01");
    kin_run_result r;
    search(F, &a, &r);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 1, 3, -1));
    /* the file commands: --dropout 0.1 --dropin 0.02 --dropout-file drop.csv */
    F->kc->db->warn = NULL;
    assert_int_equal(kin_case_set_dropout(F->kc, 0.1, 0.02, &err), PU_OK);
    assert_int_equal(kin_case_read_dropout_mem(F->kc, drop, strlen(drop), "drop.csv", &err), PU_OK);
    assert_true(check_hits(F, &a, "candidate", 1, 3, "*=0.1/0.02;D13S317=0.4/0.01") > 0);
    /* new values for V1: its hits are superseded, V1 alone is scored again */
    const char *d2 = "sample,marker,dropout,dropin\nV1,D13S317,0.5,0\n*,FGA,0.25,0\n";
    const char *d2bad = "sample,marker,dropout\nV2,FGA,0.2\n";
    assert_int_equal(kin_pm_set_dropout(F->db, &a, "V1", 0.2, 0, d2bad, strlen(d2bad), "d2.csv", &err),
                     PU_ERR_INVALID);
    assert_string_equal(err.where, "d2.csv:2");
    assert_int_equal(kin_pm_set_dropout(F->db, &a, "V1", 0.2, 0, d2, strlen(d2), "d2.csv", &err), PU_OK);
    assert_int_equal(kin_pm_dropout(F->db, &a, "V1", text, &err), PU_OK);
    assert_string_equal(text, "*=0.2/0;D13S317=0.5/0;FGA=0.25/0");
    search(F, &a, &r);
    assert_int_equal(r.new_pm, 1);
    assert_int_equal(r.pairs, expect_pairs(F->kc, 1, 1, -1));
    kin_case *one = F->kc;
    /* V1 with the new values, V2 and V3 as before */
    for (int m = 0; m < one->db->n; m++) one->vic_ev[m] = (kin_ev){0.2, 0};
    assert_int_equal(kin_case_read_dropout_mem(one, d2, strlen(d2), "d2.csv", &err), PU_OK);
    /* d2's "*" row touched every sample's FGA: restore V2 and V3 */
    const char *back = "sample,marker,dropout,dropin\nV2,FGA,0.1,0.02\nV3,FGA,0.1,0.02\n";
    assert_int_equal(kin_case_read_dropout_mem(one, back, strlen(back), "back.csv", &err), PU_OK);
    check_hits(F, &a, "candidate", 1, 3, "*=0.2/0;D13S317=0.5/0;FGA=0.25/0");
    /* a sample that is not stored */
    assert_int_equal(kin_pm_set_dropout(F->db, &a, "V99", 0.2, 0, NULL, 0, NULL, &err), PU_ERR_NOTFOUND);
}


/* The stored "MARKER=a/b;..." walk shared by profiles and per-marker dropout:
 * every part reaches the callback split, a malformed part names the field
 * and what was expected, and the callback's error stops the walk. */
typedef struct pairs_seen {
    char text[256];
    int n;
} pairs_seen;

static int collect_pair(const char *marker, const char *left, const char *right, void *ctx, pu_err *err) {
    (void)err;
    pairs_seen *p = ctx;
    size_t len = strlen(p->text);
    snprintf(p->text + len, sizeof p->text - len, "[%s|%s|%s]", marker, left, right);
    return ++p->n == 3 ? PU_ERR_LIMIT : PU_OK;
}

static void test_marker_pairs(void **state) {
    (void)state;
    pairs_seen p = {{0}, 0};
    pu_err err = {0};
    assert_int_equal(kcs_marker_pairs("D3S1358=15/16;TH01=9.3/7", "r1", "profile", "MARKER=a/b", collect_pair, &p,
                                      &err), PU_OK);
    assert_string_equal(p.text, "[D3S1358|15|16][TH01|9.3|7]");
    assert_int_equal(p.n, 2);
    memset(&p, 0, sizeof p);
    assert_int_equal(kcs_marker_pairs(NULL, "r1", "profile", "MARKER=a/b", collect_pair, &p, &err), PU_OK);
    assert_int_equal(kcs_marker_pairs("", "r1", "profile", "MARKER=a/b", collect_pair, &p, &err), PU_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(kcs_marker_pairs("A=1/2;B=3", "sample 7", "dropout_markers", "MARKER=d/c", collect_pair, &p,
                                      &err), PU_ERR_INVALID);
    assert_int_equal(p.n, 1);
    assert_string_equal(err.field, "dropout_markers");
    assert_non_null(strstr(err.msg, "expected MARKER=d/c, got 'B=3'"));
    assert_non_null(strstr(err.where, "sample 7"));
    memset(&p, 0, sizeof p);
    assert_int_equal(kcs_marker_pairs("A=1/2;B=3/4;C=5/6;D=7/8", "r", "profile", "MARKER=a/b", collect_pair, &p,
                                      &err), PU_ERR_LIMIT);
    assert_int_equal(p.n, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marker_pairs),
        cmocka_unit_test_setup_teardown(test_incremental_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_withdrawal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_four_eyes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropout_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropout_per_marker_stored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
