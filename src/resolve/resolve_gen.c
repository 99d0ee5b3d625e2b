/* resolve_gen.c - generated records with known truth (the hard profile
 * here, the realistic one in resolve_gen_real.c) and the pairwise
 * evaluation of resolution against the baseline (exact normalised name +
 * date of birth); docs/resolve.md "Measured". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolve/resolve_int.h"

/* The hard profile (the former generator, kept for comparison). */
#define GEN_MIDDLE_PCT 50     /* persons with a middle initial */
#define GEN_TWO_SURNAMES_PCT 60
#define GEN_DOB_MISSING_PCT 15 /* records without a date of birth */
#define GEN_ID_PCT 20         /* records carrying the person's CURP */
#define GEN_TYPO_PCT 15       /* records with one typing error */
#define GEN_SWAP_PCT 5        /* persons with a namesake whose surnames are swapped (another person) */
#define GEN_MAX_RECORDS 5     /* spellings of one person: 1..this */

static const char *const GIVEN[] = {"Susan", "Maria", "Jose", "Juan", "Luis", "Carlos", "Ana", "Rosa", "Miguel",
    "Jorge", "Laura", "Patricia", "Francisco", "Alejandro", "Guadalupe", "Fernando", "Ricardo", "Roberto", "Daniel",
    "Martha", "Elena", "Sofia", "Diego", "Javier", "Raul", "Sergio", "Veronica", "Adriana", "Hector", "Arturo",
    "Michael", "James", "Robert", "Linda", "Karen", "David", "Kevin", "Brian", "Jennifer", "Lisa"};
static const char *const SURNAME[] = {"Lopez", "Garcia", "Hernandez", "Martinez", "Gonzalez", "Rodriguez", "Perez",
    "Sanchez", "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Cruz", "Morales", "Reyes", "Gutierrez",
    "Ortiz", "Ruiz", "Mendoza", "Castillo", "Jimenez", "Vargas", "Romero", "Herrera", "Medina", "Aguilar", "Vega",
    "Castro", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Trevino", "Salazar", "Navarro", "Delgado", "Guerrero", "Rojas", "Cabrera", "Fuentes", "Carrillo", "Espinoza"};
#define NG (sizeof GIVEN / sizeof GIVEN[0])
#define NS (sizeof SURNAME / sizeof SURNAME[0])

typedef struct person {
    const char *given, *s1, *s2;
    char middle;
    char dob[11], curp[19];
} person;

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
static int pct(uint64_t *s, int p) { return (int)(rnd(s) % 100) < p; }

static void upper(char *p) {
    for (; *p; p++) *p = (char)toupper((unsigned char)*p);
}

/* One spelling of p: "Susan I. Lopez", "LOPEZ, SUSAN I.", "SUSAN LOPEZ"... */
static void spell(const person *p, uint64_t *s, char *out, size_t size) {
    char sur[64];
    int both = p->s2 && !pct(s, 30);   /* the second surname is often left out */
    snprintf(sur, sizeof sur, "%s%s%s", p->s1, both ? " " : "", both ? p->s2 : "");
    char mid[4] = "";
    if (p->middle && !pct(s, 40)) snprintf(mid, sizeof mid, " %c.", p->middle);
    switch (rnd(s) % 3) {
    case 0: snprintf(out, size, "%s%s %s", p->given, mid, sur); break;
    case 1: snprintf(out, size, "%s, %s%s", sur, p->given, mid), upper(out); break;
    default: snprintf(out, size, "%s %s", p->given, sur), upper(out); break;
    }
    if (pct(s, GEN_TYPO_PCT)) {   /* swap two letters inside the longest word */
        size_t n = strlen(out), best = 0, bl = 0;
        for (size_t i = 0; i < n;) {
            size_t l = strspn(out + i, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
            if (l > bl) bl = l, best = i;
            i += l ? l : 1;
        }
        if (bl >= 5) {
            size_t k = best + 1 + rnd(s) % (bl - 3);
            char t = out[k];
            out[k] = out[k + 1];
            out[k + 1] = t;
        }
    }
}

static void make_person(person *p, uint64_t *s) {
    p->given = GIVEN[rnd(s) % NG];
    p->s1 = SURNAME[rnd(s) % NS];
    p->s2 = pct(s, GEN_TWO_SURNAMES_PCT) ? SURNAME[rnd(s) % NS] : NULL;
    if (p->s2 == p->s1) p->s2 = NULL;
    p->middle = pct(s, GEN_MIDDLE_PCT) ? (char)('A' + rnd(s) % 26) : 0;
    snprintf(p->dob, sizeof p->dob, "%04d-%02d-%02d", 1950 + (int)(rnd(s) % 50), 1 + (int)(rnd(s) % 12),
             1 + (int)(rnd(s) % 28));
    for (int i = 0; i < 18; i++) p->curp[i] = (char)(i < 4 || i > 9 ? 'A' + rnd(s) % 26 : '0' + rnd(s) % 10);
    p->curp[18] = 0;
}

int resolve_profile_parse(const char *s, resolve_profile *out, pu_err *err) {
    if (s && !strcmp(s, "realistic")) *out = RESOLVE_PROFILE_REALISTIC;
    else if (s && !strcmp(s, "hard")) *out = RESOLVE_PROFILE_HARD;
    else if (s && !strcmp(s, "febrl")) *out = RESOLVE_PROFILE_FEBRL;
    else return pu_fail(err, PU_ERR_INVALID, NULL, "profile", "expected realistic, hard or febrl, got '%s'", s ? s : "");
    return PU_OK;
}

const char *resolve_profile_name(resolve_profile p) {
    return p == RESOLVE_PROFILE_HARD ? "hard" : p == RESOLVE_PROFILE_FEBRL ? "febrl" : "realistic";
}

int resolve_generate(size_t n, uint64_t seed, resolve_set *out, pu_err *err) {
    return resolve_generate_profile(n, seed, RESOLVE_PROFILE_REALISTIC, out, err);
}

/* The hard profile: 2,000 full names, undated records with nothing else. */
static int generate_hard(size_t n, uint64_t seed, resolve_set *out, pu_err *err) {
    if (n < 2) return pu_fail(err, PU_ERR_INVALID, NULL, "records", "expected at least 2 records, got %zu", n);
    uint64_t s = seed ? seed : 0x9E3779B97F4A7C15ULL;
    int64_t pid = 0;
    while (out->n < n) {
        person p;
        make_person(&p, &s);
        int k = 1 + (int)(rnd(&s) % GEN_MAX_RECORDS);
        for (int pass = 0; pass < 2; pass++) {
            pid++;
            for (int i = 0; i < k && out->n < n; i++) {
                char name[160], ref[32], ids[40] = "";
                spell(&p, &s, name, sizeof name);
                snprintf(ref, sizeof ref, "g%zu", out->n);
                if (pct(&s, GEN_ID_PCT)) snprintf(ids, sizeof ids, "ID=%s;", p.curp);
                resolve_rec r = {.source = "entity", .ref = ref, .name = name, .schema = "Person", .ids = ids,
                                 .truth = pid};
                if (!pct(&s, GEN_DOB_MISSING_PCT)) pu_strlcpy(r.dob, p.dob, sizeof r.dob);
                pu_strlcpy(r.marking, "PUBLIC", sizeof r.marking);
                int rc = resolve_set_add(out, &r, err);
                if (rc) return rc;
            }
            /* a namesake: the surnames swapped, another date of birth, another person */
            if (pass || !p.s2 || !pct(&s, GEN_SWAP_PCT)) break;
            const char *t = p.s1;
            p.s1 = p.s2;
            p.s2 = t;
            snprintf(p.dob, sizeof p.dob, "%04d-%02d-%02d", 1950 + (int)(rnd(&s) % 50), 1 + (int)(rnd(&s) % 12),
                     1 + (int)(rnd(&s) % 28));
            p.curp[0] = p.curp[0] == 'Z' ? 'A' : (char)(p.curp[0] + 1);
        }
    }
    return PU_OK;
}

typedef struct ct {
    uint32_t c;
    int64_t t;
} ct;

static int cmp_ct(const void *x, const void *y) {
    const ct *a = x, *b = y;
    if (a->c != b->c) return a->c < b->c ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}
static int cmp_t(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static double c2(uint64_t k) { return (double)k * (double)(k - 1) / 2; }

/* Pairwise precision and recall of the clusters against the truth. */
static int score_clusters(const resolve_set *s, const uint32_t *of, double *prec, double *rec, uint64_t *truth_pairs) {
    ct *v = malloc(s->n * sizeof *v);
    int64_t *t = malloc(s->n * sizeof *t);
    if (!v || !t) {
        free(v), free(t);
        return PU_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->n; i++) v[i] = (ct){of[i], s->r[i].truth}, t[i] = s->r[i].truth;
    qsort(v, s->n, sizeof *v, cmp_ct);
    qsort(t, s->n, sizeof *t, cmp_t);
    double tp = 0, pred = 0, truth = 0;
    for (size_t i = 0, j; i < s->n; i = j) {   /* pairs within (cluster, truth) and within clusters */
        for (j = i; j < s->n && v[j].c == v[i].c && v[j].t == v[i].t; j++) {}
        tp += c2(j - i);
    }
    for (size_t i = 0, j; i < s->n; i = j) {
        for (j = i; j < s->n && v[j].c == v[i].c; j++) {}
        pred += c2(j - i);
    }
    for (size_t i = 0, j; i < s->n; i = j) {
        for (j = i; j < s->n && t[j] == t[i]; j++) {}
        truth += c2(j - i);
    }
    *prec = pred ? tp / pred : 1;
    *rec = truth ? tp / truth : 1;
    *truth_pairs = (uint64_t)truth;
    free(v), free(t);
    return PU_OK;
}

static int cmp_pair_ab(const void *x, const void *y) {
    const resolve_pair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static const resolve_pair *find_pair(const resolve_pair *p, size_t n, uint32_t a, uint32_t b) {
    resolve_pair k = {a, b, 0};
    return n ? bsearch(&k, p, n, sizeof *p, cmp_pair_ab) : NULL;
}

static int has_cand(const uint64_t *c, size_t n, uint32_t a, uint32_t b) {
    uint64_t k = (uint64_t)b << 32 | a;
    return n && bsearch(&k, c, n, sizeof *c, cmp_t) != NULL;   /* cmp_t orders the same bits */
}

static const char *const LOSS_NAME[] = {"never-candidate", "below-threshold", "conflict", "undated-ambiguous",
                                        "clusters-apart", "wrong-join"};
#define WRONG_JOIN 5   /* LOSS_NAME of a kept pair of two persons (the sample of precision losses) */

static void explain_rec(pu_buf *b, const resolve_rec *r) {
    pu_buf_printf(b, "%s \"%s\" dob=%s addr=%s phones=%s ids=%s", r->source, r->name, r->dob[0] ? r->dob : "-",
                  r->addr ? r->addr : "-", r->phones ? r->phones : "-", r->ids ? r->ids : "-");
}

/* One missed pair of the sample: its cause, both records, their score. */
static int explain_pair(pu_buf *b, const resolve_set *s, uint32_t a, uint32_t c, int why) {
    double sc = 0;
    pu_err e = {0};
    if (resolve_score(&s->r[a], &s->r[c], &sc, &e)) pu_err_clear(&e);
    pu_buf_printf(b, "%s score=%.3f | ", LOSS_NAME[why], sc);
    explain_rec(b, &s->r[a]);
    pu_buf_puts(b, " | ");
    explain_rec(b, &s->r[c]);
    return pu_buf_putc(b, '\n');
}

/* A missed pair goes to the sample when its hash falls in one of
 * EXPLAIN_EVERY slots: spread over the data, the same on every run. */
#define EXPLAIN_EVERY 31
static int sampled(uint32_t a, uint32_t b) {
    uint64_t h = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ULL;
    return (h >> 40) % EXPLAIN_EVERY == 0;
}

/* Why each true pair the clusters missed was missed (resolve_eval.lost):
 * by the pair's own fate; a pair joined through others is no loss. */
static int loss_analysis(const resolve_set *s, const uint32_t *of, resolve_match_dbg *d, const resolve_pair *kept,
                         size_t nkept, const uint32_t *comp, size_t explain, pu_buf *sample, resolve_eval *out) {
    size_t shown[5] = {0};
    uint32_t *ix = malloc((s->n ? s->n : 1) * sizeof *ix);
    resolve_pair *k = malloc((nkept ? nkept : 1) * sizeof *k);
    if (!ix || !k) {
        free(ix), free(k);
        return PU_ERR_NOMEM;
    }
    if (nkept) memcpy(k, kept, nkept * sizeof *k);
    if (nkept) qsort(k, nkept, sizeof *k, cmp_pair_ab);
    if (d->nscored) qsort(d->scored, d->nscored, sizeof *d->scored, cmp_pair_ab);
    /* records of one person are generated consecutively */
    for (size_t lo = 0, hi; lo < s->n; lo = hi) {
        for (hi = lo + 1; hi < s->n && s->r[hi].truth == s->r[lo].truth; hi++) {}
        for (size_t a = lo; a < hi; a++)
            for (size_t b = a + 1; b < hi; b++) {
                if (of[a] == of[b]) continue;
                const resolve_pair *sc = find_pair(d->scored, d->nscored, (uint32_t)a, (uint32_t)b);
                int why = !has_cand(d->cand, d->ncand, (uint32_t)a, (uint32_t)b) && !sc ? RESOLVE_LOSS_NOT_CANDIDATE
                          : !sc                                                      ? RESOLVE_LOSS_BELOW
                          : sc->score < 0                                            ? RESOLVE_LOSS_CONFLICT
                          : !find_pair(k, nkept, (uint32_t)a, (uint32_t)b)           ? RESOLVE_LOSS_AMBIGUOUS
                                                                                     : RESOLVE_LOSS_SPLIT;
                out->lost[why]++;
                if (sample && shown[why] < explain && sampled((uint32_t)a, (uint32_t)b)) {
                    shown[why]++;
                    if (pu_buf_puts(sample, comp[a] == comp[b] ? "[evidence] " : "[no-evidence] ") ||
                        explain_pair(sample, s, (uint32_t)a, (uint32_t)b, why)) {
                        free(ix), free(k);
                        return PU_ERR_NOMEM;
                    }
                }
                if (!s->r[a].dob[0] || !s->r[b].dob[0]) out->lost_undated[why]++;
            }
    }
    free(ix), free(k);
    return PU_OK;
}

/* The sample of kept pairs that join two persons (what costs precision). */
static int explain_wrong(const resolve_set *s, const resolve_pair *p, size_t np, size_t explain, pu_buf *sample,
                         pu_err *err) {
    size_t shown = 0;
    for (size_t i = 0; i < np && shown < explain; i++) {
        if (p[i].score < 0 || s->r[p[i].a].truth == s->r[p[i].b].truth || !sampled(p[i].a, p[i].b)) continue;
        shown++;
        if (explain_pair(sample, s, p[i].a, p[i].b, WRONG_JOIN))
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return PU_OK;
}

int resolve_generate_profile(size_t n, uint64_t seed, resolve_profile p, resolve_set *out, pu_err *err) {
    if (n < 2) return pu_fail(err, PU_ERR_INVALID, NULL, "records", "expected at least 2 records, got %zu", n);
    if (p == RESOLVE_PROFILE_FEBRL) return resolve_gen_febrl(n, seed, out, NULL, err);
    return p == RESOLVE_PROFILE_HARD ? generate_hard(n, seed, out, err) : resolve_gen_realistic(n, seed, out, err);
}

int resolve_evaluate(size_t n, uint64_t seed, double threshold, resolve_eval *out, pu_err *err) {
    return resolve_evaluate_profile(n, seed, threshold, 0, RESOLVE_PROFILE_REALISTIC, out, err);
}

int resolve_evaluate_window(size_t n, uint64_t seed, double threshold, int window, resolve_eval *out, pu_err *err) {
    return resolve_evaluate_profile(n, seed, threshold, window, RESOLVE_PROFILE_REALISTIC, out, err);
}

int resolve_evaluate_profile(size_t n, uint64_t seed, double threshold, int window, resolve_profile prof,
                             resolve_eval *out, pu_err *err) {
    return resolve_evaluate_explain(n, seed, threshold, window, prof, 0, NULL, out, err);
}

int resolve_evaluate_explain(size_t n, uint64_t seed, double threshold, int window, resolve_profile prof,
                             size_t explain, pu_buf *sample, resolve_eval *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    resolve_set s = {0};
    resolve_pair *p = NULL, *bp = NULL;
    size_t np = 0, nbp = 0;
    uint32_t *of = NULL;
    resolve_match_stats ms = {0};
    struct timespec t0, t1;
    int rc = resolve_generate_profile(n, seed, prof, &s, err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    resolve_match_dbg dbg = {.window = window};
    if (!rc) rc = resolve_match_debug(&s, threshold, &p, &np, &ms, &dbg, err);
    if (!rc && !(of = malloc(s.n * sizeof *of))) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    const char **dob = rc ? NULL : malloc((s.n ? s.n : 1) * sizeof *dob);
    if (!rc && !dob) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; !rc && i < s.n; i++) dob[i] = s.r[i].dob;
    if (!rc) rc = resolve_cluster_pairs_dob(s.n, p, np, NULL, 0, dob, of, NULL, err);
    free(dob);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && score_clusters(&s, of, &out->precision, &out->recall, &out->true_pairs))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    uint32_t *comp = rc || !sample ? NULL : malloc((s.n ? s.n : 1) * sizeof *comp);
    if (!rc && sample && !comp) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = resolve_ceiling(&s, &out->ceiling_pairs, comp, err);
    if (!rc) out->ceiling = out->true_pairs ? (double)out->ceiling_pairs / (double)out->true_pairs : 1;
    if (!rc) rc = resolve_wrong_joins(&s, of, p, np, explain, sample, out, err);   /* resolve_ceiling.c */
    if (!rc && loss_analysis(&s, of, &dbg, p, np, comp, explain, sample, out))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    free(comp);
    if (!rc && sample) rc = explain_wrong(&s, p, np, explain, sample, err);
    if (!rc) rc = resolve_match_baseline(&s, &bp, &nbp, err);
    if (!rc) rc = resolve_cluster_pairs(s.n, bp, nbp, NULL, 0, of, NULL, err);
    if (!rc && score_clusters(&s, of, &out->base_precision, &out->base_recall, &out->true_pairs))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    out->records = s.n;
    out->candidates = ms.candidates;
    out->block_seconds = ms.block_seconds;
    out->score_seconds = ms.score_seconds;
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    free(of), free(p), free(bp), free(dbg.cand), free(dbg.scored);
    resolve_set_free(&s);
    return rc;
}
