/* kin_xstr.c - X-chromosomal STR LRs for pairwise relationships
 * (kin_xstr.h; docs/kinship.md "X-STR" has the formulas and references). */
#include "kinship/kin_xstr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

#define X_KAPPA_TOL 1e-9            /* kappa must sum to 1 within this */
#define X_GROUP_MAX_RECORD (1 << 16)
#define X_GROUP_MAX 1000000         /* largest group number in a groups file */
#define X_ARGUS_GROUPS 4
#define X_ARGUS_PER_GROUP 3
#define X_OWN_GROUP_BASE 100        /* markers outside the kit's groups: 100 + index */

static const char *const REL_NAMES[KIN_X_NREL] = {"unrelated", "parent-child", "full-siblings",
                                                   "paternal-half-siblings", "maternal-half-siblings",
                                                   "paternal-grandparent", "maternal-grandparent", "custom"};

/* Investigator Argus X-12 linkage groups (the kit's handbook; Tillmar et
 * al. 2017, FSI:Genetics 29:269). */
static const char *const ARGUS[X_ARGUS_GROUPS][X_ARGUS_PER_GROUP] = {
    {"DXS10148", "DXS10135", "DXS8378"},
    {"DXS7132", "DXS10079", "DXS10074"},
    {"DXS10103", "HPRTB", "DXS10101"},
    {"DXS10146", "DXS10134", "DXS7423"},
};

int kin_xrel_parse(const char *s, int *rel) {
    char b[64];
    if (!s || strlen(s) >= sizeof b) return PU_ERR_INVALID;
    pu_strlcpy(b, s, sizeof b);
    for (char *p = b; *p; p++)
        if (*p == '_') *p = '-';
    for (int i = 0; i < KIN_X_CUSTOM; i++)
        if (pu_strieq(b, REL_NAMES[i])) {
            *rel = i;
            return PU_OK;
        }
    return PU_ERR_INVALID;
}

const char *kin_xrel_name(int rel) {
    return rel >= 0 && rel < KIN_X_NREL ? REL_NAMES[rel] : "?";
}

static void set3(double k[3], double k0, double k1, double k2) {
    k[0] = k0, k[1] = k1, k[2] = k2;
}

int kin_x_kappa(int rel, int s1, int s2, double kappa[3], pu_err *err) {
    if ((s1 != 1 && s1 != 2) || (s2 != 1 && s2 != 2))
        return pu_fail(err, PU_ERR_INVALID, NULL, "sex", "X-STR needs the sex of both persons (M or F)");
    int ff = s1 == 2 && s2 == 2;
    switch (rel) {
    case KIN_X_UNRELATED: set3(kappa, 1, 0, 0); break;
    /* a father passes his X to daughters only; a mother one of hers to every child */
    case KIN_X_PARENT_CHILD: s1 == 1 && s2 == 1 ? set3(kappa, 1, 0, 0) : set3(kappa, 0, 1, 0); break;
    /* sisters share their father's X always and a maternal X half the time */
    case KIN_X_FULL_SIBLINGS: ff ? set3(kappa, 0, 0.5, 0.5) : set3(kappa, 0.5, 0.5, 0); break;
    case KIN_X_PATERNAL_HALF_SIBLINGS: ff ? set3(kappa, 0, 1, 0) : set3(kappa, 1, 0, 0); break;
    case KIN_X_MATERNAL_HALF_SIBLINGS: set3(kappa, 0.5, 0.5, 0); break;
    /* the father's X is his mother's: it reaches a granddaughter, never a
     * grandson, and nothing of the paternal grandfather's X passes */
    case KIN_X_PATERNAL_GRANDPARENT: s1 == 2 && s2 == 2 ? set3(kappa, 0, 1, 0) : set3(kappa, 1, 0, 0); break;
    case KIN_X_MATERNAL_GRANDPARENT: set3(kappa, 0.5, 0.5, 0); break;
    default: return pu_fail(err, PU_ERR_INVALID, NULL, "relationship", "unknown relationship %d", rel);
    }
    return PU_OK;
}

void kin_xgroups_default(const kin_db *db, int argus, int *group) {
    for (int m = 0; m < db->n; m++) group[m] = X_OWN_GROUP_BASE + m;
    if (!argus) return;
    for (int g = 0; g < X_ARGUS_GROUPS; g++)
        for (int k = 0; k < X_ARGUS_PER_GROUP; k++) {
            int m = kin_db_marker(db, ARGUS[g][k]);
            if (m >= 0) group[m] = g + 1;
        }
}

static int groups_rows(const kin_db *db, pu_csv *r, int *group, pu_err *err) {
    const pu_csv_row *h, *row;
    int rc = pu_csv_next(r, &h, err);
    if (rc) return rc;
    const char *name = pu_csv_name(r);
    if (!h) return pu_fail(err, PU_ERR_INVALID, name, NULL, "empty file: expected a header marker,group");
    int cm = pu_csv_col(h, "marker"), cg = pu_csv_col(h, "group");
    char w[PU_ERR_WHERE_MAX];
    snprintf(w, sizeof w, "%s:%llu", name, (unsigned long long)h->line);
    if (cm < 0 || cg < 0)
        return pu_fail(err, PU_ERR_INVALID, w, cm < 0 ? "marker" : "group", "expected the columns marker,group");
    while ((rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        snprintf(w, sizeof w, "%s:%llu", name, (unsigned long long)row->line);
        const char *mn = (size_t)cm < row->n ? row->fields[cm] : "", *gs = (size_t)cg < row->n ? row->fields[cg] : "";
        int m = kin_db_marker(db, mn);
        if (m < 0) return pu_fail(err, PU_ERR_INVALID, w, "marker", "marker '%s' is not in the frequency database", mn);
        char *end;
        errno = 0;
        long g = strtol(gs, &end, 10);
        if (!*gs || *end || errno || g < 1 || g > X_GROUP_MAX)
            return pu_fail(err, PU_ERR_INVALID, w, "group", "expected a group number 1-%d, got '%s'", X_GROUP_MAX, gs);
        group[m] = (int)g;
    }
    return rc;
}

int kin_xgroups_read_mem(const kin_db *db, const char *data, size_t len, const char *name, int *group, pu_err *err) {
    pu_csv_opts o = {.max_record = X_GROUP_MAX_RECORD, .max_fields = 8, .check_utf8 = 1};
    pu_csv *r = NULL;
    int rc = pu_csv_open_mem(data ? data : "", data ? len : 0, &o, &r, err);
    if (rc) return rc;
    pu_csv_set_name(r, name ? name : "groups");
    int *tmp = malloc((size_t)(db->n ? db->n : 1) * sizeof *tmp);
    if (!tmp) rc = PU_ERR_NOMEM;
    /* listed markers get group numbers far below the own-group range */
    for (int m = 0; !rc && m < db->n; m++) tmp[m] = X_GROUP_MAX + 1 + m;
    if (!rc) rc = groups_rows(db, r, tmp, err);
    if (!rc) memcpy(group, tmp, (size_t)db->n * sizeof *group);
    free(tmp);
    pu_csv_close(r);
    return rc;
}

int kin_x_profile_parse(kin_db *db, const char *text, int sex, int16_t *g, const char *field, pu_err *err) {
    for (int m = 0; m < db->n; m++) g[2 * m] = g[2 * m + 1] = KIN_UNTYPED;
    if (sex != 1 && sex != 2) return pu_fail(err, PU_ERR_INVALID, NULL, field, "X-STR needs the sex (M or F)");
    char *s = pu_strdup(text ? text : ""), *save = NULL;
    if (!s) return PU_ERR_NOMEM;
    int rc = PU_OK;
    for (char *t = strtok_r(s, ";", &save); t && !rc; t = strtok_r(NULL, ";", &save)) {
        t = pu_trim(t);
        if (!*t) continue;
        char *eq = strchr(t, '=');
        if (!eq || !eq[1]) {
            rc = pu_fail(err, PU_ERR_INVALID, NULL, field, "expected MARKER=a/b (a woman) or MARKER=a (a man), got '%s'", t);
            break;
        }
        *eq = 0;
        char *a = eq + 1, *b = strchr(a, '/');
        if (b) *b++ = 0;
        int m = kin_db_marker(db, t);
        if (m < 0) {
            rc = pu_fail(err, PU_ERR_INVALID, NULL, field, "marker '%s' is not in the X frequency database", t);
            break;
        }
        if (!b) b = a;
        if (sex == 1 && strcmp(a, b) != 0) {
            rc = pu_fail(err, PU_ERR_INVALID, NULL, field,
                         "a man has one X chromosome: one allele at %s expected, got '%s/%s' (check the sex or the typing)",
                         t, a, b);
            break;
        }
        int ia = kin_db_allele(db, m, a, 1, field), ib = kin_db_allele(db, m, b, 1, field);
        if (ia < 0 || ib < 0) {
            rc = pu_fail(err, PU_ERR_LIMIT, NULL, field, "too many alleles at marker %s", t);
            break;
        }
        g[2 * m] = (int16_t)ia, g[2 * m + 1] = (int16_t)ib;
    }
    free(s);
    return rc;
}

/* P(genotype) of an unrelated person: a man's one allele p_a; a woman p_a^2
 * or 2 p_a p_b. */
static double x_prob(const kin_marker *mk, int sex, int a, int b) {
    if (sex == 1) return mk->freq[a];
    return a == b ? mk->freq[a] * mk->freq[a] : 2 * mk->freq[a] * mk->freq[b];
}

/* P(person's genotype | one of the person's X alleles is t, the other (a
 * woman's) drawn from the population). */
static double x_given(const kin_marker *mk, int sex, int a, int b, int t) {
    if (sex == 1) return a == t;
    if (a == b) return a == t ? mk->freq[a] : 0;
    return (a == t ? mk->freq[b] : 0) + (b == t ? mk->freq[a] : 0);
}

/* X1 = P(g1, g2 | 1 allele IBD) / (P(g1) P(g2)): the shared allele is one of
 * person 1's (a man's one, a woman's either with probability 1/2). X2: both
 * of two women's alleles IBD. */
static void x_ratios(const kin_marker *mk, int s1, const int16_t *g1, int s2, const int16_t *g2, double *x1,
                     double *x2) {
    int a = g1[0], b = g1[1], c = g2[0], d = g2[1];
    double q = s1 == 1 ? x_given(mk, s2, c, d, a) : 0.5 * (x_given(mk, s2, c, d, a) + x_given(mk, s2, c, d, b));
    double p2 = x_prob(mk, s2, c, d);
    *x1 = q / p2;
    *x2 = s1 == 2 && s2 == 2 && ((a == c && b == d) || (a == d && b == c)) ? 1 / p2 : 0;
}

static int kappa_ok(const double k[3], int s1, int s2, pu_err *err) {
    for (int i = 0; i < 3; i++)
        if (!(k[i] >= 0 && k[i] <= 1))
            return pu_fail(err, PU_ERR_INVALID, NULL, "kappa", "expected probabilities in [0, 1]");
    if (fabs(k[0] + k[1] + k[2] - 1) > X_KAPPA_TOL)
        return pu_fail(err, PU_ERR_INVALID, NULL, "kappa", "kappa0 + kappa1 + kappa2 must be 1, got %.12g",
                       k[0] + k[1] + k[2]);
    if (k[2] > 0 && !(s1 == 2 && s2 == 2))
        return pu_fail(err, PU_ERR_INVALID, NULL, "kappa",
                       "kappa2 > 0 needs two women: a man has one X chromosome, so at most one allele is shared");
    return PU_OK;
}

int kin_x_lr(const kin_db *db, const int *group, const double kappa[3], int s1, const int16_t *g1, int s2,
             const int16_t *g2, double *marker_lr, kin_xlr *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    if ((s1 != 1 && s1 != 2) || (s2 != 1 && s2 != 2))
        return pu_fail(err, PU_ERR_INVALID, NULL, "sex", "X-STR needs the sex of both persons (M or F)");
    int rc = kappa_ok(kappa, s1, s2, err);
    if (rc) return rc;
    memcpy(out->kappa, kappa, sizeof out->kappa);
    out->informative = kappa[0] < 1;
    int n = db->n;
    double *x1 = malloc((size_t)(n ? n : 1) * sizeof *x1), *x2 = malloc((size_t)(n ? n : 1) * sizeof *x2);
    char *done = calloc((size_t)(n ? n : 1), 1);
    if (!x1 || !x2 || !done) {
        free(x1), free(x2), free(done);
        return PU_ERR_NOMEM;
    }
    out->lr_independent = 1;
    for (int m = 0; m < n; m++) {
        if (marker_lr) marker_lr[m] = NAN;
        const int16_t *a = &g1[2 * m], *b = &g2[2 * m];
        if (a[0] < 0 || b[0] < 0) {
            done[m] = 1; /* not typed in both: LR 1 in every IBD state */
            continue;
        }
        if ((s1 == 1 && a[0] != a[1]) || (s2 == 1 && b[0] != b[1])) {
            free(x1), free(x2), free(done);
            return pu_fail(err, PU_ERR_INVALID, NULL, "profile", "a man with two different alleles at %s",
                           db->m[m].name);
        }
        x_ratios(&db->m[m], s1, a, s2, b, &x1[m], &x2[m]);
        double l = kappa[0] + kappa[1] * x1[m] + kappa[2] * x2[m];
        if (marker_lr) marker_lr[m] = l;
        out->lr_independent *= l;
        out->compared++;
        out->inconsistent += l == 0;
    }
    /* one IBD state for each linkage group: sum_i kappa_i prod_{m in G} X_i(m) */
    out->lr = 1;
    for (int m = 0; m < n; m++) {
        if (done[m]) continue;
        double p1 = 1, p2 = 1;
        for (int k = m; k < n; k++)
            if (!done[k] && group[k] == group[m]) p1 *= x1[k], p2 *= x2[k], done[k] = 1;
        out->lr *= kappa[0] + kappa[1] * p1 + kappa[2] * p2;
    }
    free(x1), free(x2), free(done);
    return PU_OK;
}
