/* kin_lineage.c - lineage markers: Y-STR haplotypes (paternal line) with a
 * single-step mutation model, mtDNA (maternal line) by sequence or
 * haplogroup; haplotype frequencies by counting with the Clopper-Pearson
 * upper bound. docs/kinship.md "Lineage markers" has the formulas. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "kinship/kinship.h"

#define Y_DEFAULT_RATE 0.002     /* per locus and meiosis when no rate is given */
#define Y_MAX_MEIOSES 64
#define CP_ITER 200              /* bisection steps (far below 1e-15 in p) */
#define HAP_MAX_RECORD (1 << 16)

void kin_hapdb_free(kin_hapdb *h) {
    if (!h) return;
    for (int i = 0; i < h->nloci; i++) free(h->locus[i]);
    for (long i = 0; i < (long)h->n * h->nloci; i++) free(h->allele[i]);
    free(h->locus);
    free(h->allele);
    free(h);
}

static int locus_index(kin_hapdb *h, const char *name, int add) {
    for (int i = 0; i < h->nloci; i++)
        if (pu_strieq(h->locus[i], name)) return i;
    if (!add || h->nloci >= KIN_LIN_MAX_LOCI) return -1;
    if (!(h->locus[h->nloci] = pu_strdup(name))) return -1;
    return h->nloci++;
}

/* Haplotype ids in file order; rows of one haplotype need not be adjacent. */
typedef struct hrow { char *hap; int locus; char *allele; } hrow;

static int read_rows(pu_csv *r, kin_hapdb *h, hrow **rows, long *nrows, pu_err *err) {
    const pu_csv_row *hd, *row;
    int rc = pu_csv_next(r, &hd, err);
    if (rc) return rc;
    char w[PU_ERR_WHERE_MAX];
    if (!hd) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "empty file: expected haplotype,locus,allele");
    int ch = pu_csv_col(hd, "haplotype"), cl = pu_csv_col(hd, "locus"), ca = pu_csv_col(hd, "allele");
    snprintf(w, sizeof w, "%s:%llu", pu_csv_name(r), (unsigned long long)hd->line);
    if (ch < 0 || cl < 0 || ca < 0)
        return pu_fail(err, PU_ERR_INVALID, w, ch < 0 ? "haplotype" : cl < 0 ? "locus" : "allele",
                       "expected the columns haplotype,locus,allele");
    long cap = 0;
    while ((rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        snprintf(w, sizeof w, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        const char *hid = (size_t)ch < row->n ? row->fields[ch] : "", *loc = (size_t)cl < row->n ? row->fields[cl] : "";
        const char *al = (size_t)ca < row->n ? row->fields[ca] : "";
        if (!*hid || !*loc || !*al)
            return pu_fail(err, PU_ERR_INVALID, w, !*hid ? "haplotype" : !*loc ? "locus" : "allele",
                           "expected a value (a haplotype id, a locus name and an allele or sequence)");
        int li = locus_index(h, loc, 1);
        if (li < 0) return pu_fail(err, PU_ERR_LIMIT, w, "locus", "more than %d loci", KIN_LIN_MAX_LOCI);
        if (*nrows == cap) {
            cap = cap ? 2 * cap : 256;
            hrow *nr = realloc(*rows, (size_t)cap * sizeof *nr);
            if (!nr) return PU_ERR_NOMEM;
            *rows = nr;
        }
        hrow *x = &(*rows)[(*nrows)++];
        x->hap = pu_strdup(hid), x->locus = li, x->allele = pu_strdup(al);
        if (!x->hap || !x->allele) return PU_ERR_NOMEM;
    }
    return rc;
}

static int cmp_hrow(const void *a, const void *b) {
    return strcmp(((const hrow *)a)->hap, ((const hrow *)b)->hap);
}

int kin_hapdb_read_mem(const char *data, size_t len, const char *name, kin_hapdb **out, pu_err *err) {
    *out = NULL;
    pu_csv_opts o = {.max_record = HAP_MAX_RECORD, .max_fields = 16, .check_utf8 = 1};
    pu_csv *r;
    int rc = pu_csv_open_mem(data ? data : "", data ? len : 0, &o, &r, err);
    if (rc) return rc;
    if (name) pu_csv_set_name(r, name);
    kin_hapdb *h = calloc(1, sizeof *h);
    hrow *rows = NULL;
    long nrows = 0;
    if (!h || !(h->locus = calloc(KIN_LIN_MAX_LOCI, sizeof(char *)))) rc = PU_ERR_NOMEM;
    if (!rc) rc = read_rows(r, h, &rows, &nrows, err);
    if (!rc && nrows == 0) rc = pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "no records: no haplotype");
    if (!rc) {
        qsort(rows, (size_t)nrows, sizeof *rows, cmp_hrow);
        for (long i = 0; i < nrows; i++) h->n += i == 0 || strcmp(rows[i].hap, rows[i - 1].hap) != 0;
        h->allele = calloc((size_t)h->n * (size_t)h->nloci, sizeof(char *));
        if (!h->allele) rc = PU_ERR_NOMEM;
        for (long i = 0, k = -1; !rc && i < nrows; i++) {
            if (i == 0 || strcmp(rows[i].hap, rows[i - 1].hap) != 0) k++;
            char **cell = &h->allele[(size_t)k * h->nloci + rows[i].locus];
            if (*cell) {
                rc = pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "locus", "haplotype '%s' is typed twice at %s",
                             rows[i].hap, h->locus[rows[i].locus]);
                break;
            }
            *cell = rows[i].allele;
            rows[i].allele = NULL;
        }
    }
    for (long i = 0; i < nrows; i++) free(rows[i].hap), free(rows[i].allele);
    free(rows);
    pu_csv_close(r);
    if (rc) {
        kin_hapdb_free(h);
        return rc;
    }
    *out = h;
    return PU_OK;
}

/* ---- counting and its bound ---- */

static double binom_cdf(long x, long n, double p) {
    if (p <= 0) return 1;
    if (p >= 1) return x >= n ? 1 : 0;
    double s = 0, lp = log(p), lq = log1p(-p), lnf = lgamma((double)n + 1);
    for (long k = 0; k <= x; k++) s += exp(lnf - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) + k * lp + (n - k) * lq);
    return s;
}

double kin_cp_upper(long x, long n, double alpha) {
    if (n <= 0 || x < 0) return NAN;
    if (x >= n) return 1;
    if (x == 0) return 1 - pow(alpha, 1.0 / (double)n);
    double lo = (double)x / (double)n, hi = 1;
    for (int i = 0; i < CP_ITER; i++) {  /* the CDF falls as p grows */
        double mid = 0.5 * (lo + hi);
        if (binom_cdf(x, n, mid) > alpha) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

double kin_ystep_prob(int k, int m, double mu) {
    if (m < 0 || m > Y_MAX_MEIOSES || abs(k) > m) return 0;
    double cur[2 * Y_MAX_MEIOSES + 1] = {0}, nxt[2 * Y_MAX_MEIOSES + 1];
    cur[Y_MAX_MEIOSES] = 1;
    for (int s = 0; s < m; s++) {
        memset(nxt, 0, sizeof nxt);
        for (int i = 1; i < 2 * Y_MAX_MEIOSES; i++) {
            if (cur[i] == 0) continue;
            nxt[i] += cur[i] * (1 - mu);
            nxt[i - 1] += cur[i] * mu / 2;
            nxt[i + 1] += cur[i] * mu / 2;
        }
        memcpy(cur, nxt, sizeof cur);
    }
    return cur[Y_MAX_MEIOSES + k];
}

/* ---- Y-STR ---- */

static int same_label(const char *a, const char *b) {
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (!*ea && !*eb && ea != a && eb != b) return fabs(x - y) < 1e-9;
    return strcmp(a, b) == 0;
}

/* Repeat difference b - a when both are numbers a whole number apart. */
static int step_diff(const char *a, const char *b, int *d) {
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*ea || *eb || ea == a || eb == b) return 0;
    double r = y - x;
    if (fabs(r - round(r)) > 1e-9) return 0;
    *d = (int)round(r);
    return 1;
}

int kin_y_lr(const kin_hapdb *db, const char *const *pm, const char *const *ref, int meioses, const double *mu,
             kin_lineage_lr *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (meioses < 1 || meioses > Y_MAX_MEIOSES)
        return pu_fail(err, PU_ERR_INVALID, NULL, "meioses", "expected 1..%d meioses between the PM and the reference, "
                       "got %d", Y_MAX_MEIOSES, meioses);
    double prel = 1;
    for (int l = 0; l < db->nloci; l++) {
        double r = mu ? mu[l] : Y_DEFAULT_RATE;
        if (!(r >= 0 && r <= 0.5))
            return pu_fail(err, PU_ERR_INVALID, NULL, "rate", "locus %s: expected a mutation rate in [0, 0.5], got %g",
                           db->locus[l], r);
        if (!pm[l] || !ref[l]) continue;
        out->compared++;
        int d = 0;
        if (same_label(pm[l], ref[l])) d = 0;
        else if (step_diff(ref[l], pm[l], &d)) out->diffs++;
        else {
            out->diffs++, out->nonstep++;
            prel = 0; /* not reachable by repeat steps: excluded */
            continue;
        }
        prel *= kin_ystep_prob(d, meioses, r);
    }
    if (out->compared == 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "haplotype", "the PM and the reference share no typed Y locus");
    /* the PM haplotype's count: database haplotypes equal at every locus the PM is typed at */
    out->n = db->n;
    for (int i = 0; i < db->n; i++) {
        int eq = 1;
        for (int l = 0; l < db->nloci && eq; l++)
            if (pm[l]) eq = db->allele[(size_t)i * db->nloci + l] && same_label(db->allele[(size_t)i * db->nloci + l], pm[l]);
        out->x += eq;
    }
    out->freq_cp = kin_cp_upper(out->x, out->n, KIN_LIN_ALPHA);
    out->freq_aug = (double)(out->x + 1) / (double)(out->n + 1);
    out->lr = prel / out->freq_cp;
    return PU_OK;
}

/* ---- mtDNA ---- */

/* Number of variants in one list and not in the other (whitespace separated). */
static int sym_diff(const char *a, const char *b) {
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        for (const char *p = x; *p;) {
            while (*p == ' ') p++;
            const char *e = p;
            while (*e && *e != ' ') e++;
            if (e == p) break;
            size_t l = (size_t)(e - p);
            int found = 0;
            for (const char *q = y; *q && !found;) {
                while (*q == ' ') q++;
                const char *f = q;
                while (*f && *f != ' ') f++;
                found = (size_t)(f - q) == l && strncmp(p, q, l) == 0;
                q = f;
            }
            n += !found;
            p = e;
        }
    }
    return n;
}

int kin_mt_lr(const kin_hapdb *db, const char *pm, const char *ref, kin_lineage_lr *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if (!pm || !ref || !*pm || !*ref)
        return pu_fail(err, PU_ERR_INVALID, NULL, "sequence", "both the PM and the reference need an mtDNA sequence "
                       "(differences from the rCRS) or a haplogroup");
    out->compared = 1;
    out->diffs = sym_diff(pm, ref);
    out->n = db->n;
    for (int i = 0; i < db->n; i++) {
        const char *s = db->allele[(size_t)i * db->nloci];
        out->x += s && sym_diff(s, pm) == 0;
    }
    out->freq_cp = kin_cp_upper(out->x, out->n, KIN_LIN_ALPHA);
    out->freq_aug = (double)(out->x + 1) / (double)(out->n + 1);
    out->lr = out->diffs == 0 ? 1 / out->freq_cp : out->diffs == 1 ? NAN : 0;
    return PU_OK;
}
