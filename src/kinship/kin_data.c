/* kin_data.c - frequency databases, mutation models, pedigrees and profiles. */
#include "kinship/kinship.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

/* ---- small helpers ------------------------------------------------------ */

/* Marker names differ between databases ("Penta D", "PENTA_D", "vWA", "VWA"):
 * compare case-insensitively and ignoring everything but letters and digits. */
static int marker_eq(const char *a, const char *b) {
    for (;;) {
        while (*a && !isalnum((unsigned char)*a)) a++;
        while (*b && !isalnum((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
        a++, b++;
    }
}

static void warnf(kin_db *db, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warnf(kin_db *db, const char *where, const char *fmt, ...) {
    db->n_warnings++;
    if (!db->warn) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(db->warn, pu_tr("puente: warning: %s: "), where ? where : "");
    vfprintf(db->warn, pu_tr(fmt), ap);
    fputc('\n', db->warn);
    va_end(ap);
}

/* Name of the text being read from memory (the caller's `name`), so errors
 * say "case.pm:3" rather than "<memory>:3". Set for the duration of one
 * *_mem call on this thread. */
static _Thread_local const char *mem_name;

static const char *src_name(const pu_csv *r) {
    const char *n = pu_csv_name(r);
    return mem_name && !strcmp(n, "<memory>") ? mem_name : n;
}

static void where_of(char *buf, size_t n, const pu_csv *r, uint64_t line) {
    snprintf(buf, n, "%s:%llu", src_name(r), (unsigned long long)line);
}

/* A CSV being read with its header's column indices. */
typedef struct csvf {
    pu_csv *r;
    const pu_csv_row *h;
    int col[12];
} csvf;

static int csv_open_any(const char *path, const char *data, size_t len, pu_csv **r, pu_err *err) {
    pu_csv_opts o = {.max_record = 1 << 16, .max_fields = 64, .check_utf8 = 1};
    if (data) return pu_csv_open_mem(data, len, &o, r, err);
    return pu_csv_open(path, &o, r, err);
}

/* Open, read the header and locate columns `names` (NULL-terminated list);
 * names starting with '?' are optional (col = -1 when absent). */
static int csvf_open(csvf *f, const char *path, const char *data, size_t len, const char *const *names,
                     pu_err *err) {
    memset(f, 0, sizeof *f);
    int rc = csv_open_any(path, data, len, &f->r, err);
    if (rc) return rc;
    rc = pu_csv_next(f->r, &f->h, err);
    if (rc) return rc;
    if (!f->h) return pu_fail(err, PU_ERR_INVALID, src_name(f->r), NULL, "empty file: expected a header row");
    for (int i = 0; names[i]; i++) {
        int opt = names[i][0] == '?';
        const char *nm = names[i] + opt;
        f->col[i] = pu_csv_col(f->h, nm);
        if (f->col[i] < 0 && !opt) {
            char w[PU_ERR_WHERE_MAX];
            where_of(w, sizeof w, f->r, f->h->line);
            return pu_fail(err, PU_ERR_INVALID, w, nm, "missing column '%s' in the header", nm);
        }
    }
    return PU_OK;
}

/* Field `col` of a row, or "" when the row is short. The result may be
 * trimmed in place (the short-row "" is a writable buffer for that reason). */
static char *fld(const pu_csv_row *row, int col) {
    static _Thread_local char empty[1];
    empty[0] = 0;
    if (col < 0 || (size_t)col >= row->n) return empty;
    return row->fields[col];
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ') end++;
    if (errno || end == s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Allele labels: digits with an optional ".digits" microvariant, or short
 * tokens like "X", "OL", "<8", ">30" used by some kits. */
static int allele_label_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= KIN_ALLELE_LABEL_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!isalnum(ch) && ch != '.' && ch != '<' && ch != '>' && ch != '-' && ch != '_') return 0;
    }
    return 1;
}

/* A repeat number: digits with an optional ".digits" microvariant (12, 9.3). */
static int allele_numeric(const char *s) {
    size_t i = 0;
    while (isdigit((unsigned char)s[i])) i++;
    if (i == 0) return 0;
    if (s[i] == '.') {
        size_t j = ++i;
        while (isdigit((unsigned char)s[i])) i++;
        if (i == j) return 0;
    }
    return s[i] == '\0';
}

static double label_num(const char *s) {
    double v;
    if (parse_double(s, &v)) return NAN;
    return v;
}

/* ---- mutation model names ----------------------------------------------- */
static const char *const mut_names[] = {"none", "equal", "proportional", "stepwise", "onestep"};

int kin_mut_kind_parse(const char *s, int *kind) {
    if (pu_blank(s)) {
        *kind = KIN_MUT_NONE;
        return PU_OK;
    }
    for (int i = 0; i < 5; i++)
        if (pu_strieq(s, mut_names[i])) {
            *kind = i;
            return PU_OK;
        }
    return PU_ERR_INVALID;
}

const char *kin_mut_kind_name(int kind) {
    return kind >= 0 && kind < 5 ? mut_names[kind] : "?";
}

/* ---- database ------------------------------------------------------------ */

static void marker_free(kin_marker *m) {
    free(m->name);
    for (int i = 0; i < m->n; i++) free(m->allele[i]);
    free(m->allele);
    free(m->freq);
    free(m->num);
    free(m->mat[0]);
    free(m->mat[1]);
}

void kin_db_free(kin_db *db) {
    if (!db) return;
    for (int i = 0; i < db->n; i++) marker_free(&db->m[i]);
    free(db->m);
    free(db);
}

int kin_db_marker(const kin_db *db, const char *name) {
    for (int i = 0; i < db->n; i++)
        if (marker_eq(db->m[i].name, name)) return i;
    return -1;
}

static int add_marker(kin_db *db, const char *name) {
    if (db->n >= KIN_MAX_MARKERS) return -1;
    kin_marker *nm = realloc(db->m, (size_t)(db->n + 1) * sizeof *nm);
    if (!nm) return -1;
    db->m = nm;
    kin_marker *m = &db->m[db->n];
    memset(m, 0, sizeof *m);
    m->name = pu_strdup(name);
    m->silent = -1;
    m->allele = calloc(KIN_MAX_ALLELES, sizeof(char *));
    m->freq = calloc(KIN_MAX_ALLELES, sizeof(double));
    m->num = calloc(KIN_MAX_ALLELES, sizeof(double));
    if (!m->name || !m->allele || !m->freq || !m->num) {
        marker_free(m);
        return -1;
    }
    return db->n++;
}

static int find_allele(const kin_marker *m, const char *label) {
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->allele[i], label) == 0) return i;
    /* "9.30" and "9.3", "08" and "8" are the same allele */
    double v = label_num(label);
    if (!isnan(v))
        for (int i = 0; i < m->n; i++)
            if (!isnan(m->num[i]) && fabs(m->num[i] - v) < 1e-9) return i;
    return -1;
}

static int push_allele(kin_marker *m, const char *label, double f) {
    if (m->n >= KIN_MAX_ALLELES) return -1;
    m->allele[m->n] = pu_strdup(label);
    if (!m->allele[m->n]) return -1;
    m->freq[m->n] = f;
    m->num[m->n] = label_num(label);
    return m->n++;
}

int kin_db_allele(kin_db *db, int mi, const char *label, int add, const char *where) {
    kin_marker *m = &db->m[mi];
    int i = find_allele(m, label);
    if (i >= 0 || !add) return i;
    i = push_allele(m, label, m->min_freq);
    if (i < 0) return -1;
    m->added++;
    db->prepared = 0;
    warnf(db, where, "marker %s: allele '%s' is not in the frequency database; using the minimum frequency %g",
          m->name, label, m->min_freq);
    return i;
}

static int db_read_any(const char *path, const char *data, size_t len, const char *population, double min_freq,
                       FILE *warn, kin_db **out, pu_err *err) {
    *out = NULL;
    static const char *const cols[] = {"marker", "allele", "frequency", "?population", "?n_alleles_sampled", NULL};
    csvf f;
    kin_db *db = calloc(1, sizeof *db);
    if (!db) return PU_ERR_NOMEM;
    db->warn = warn;
    db->min_freq = min_freq;
    int rc = csvf_open(&f, path, data, len, cols, err);
    double *nsamp = calloc(KIN_MAX_MARKERS, sizeof(double));
    char *first_pop = NULL;
    if (!nsamp) rc = rc ? rc : PU_ERR_NOMEM;
    const pu_csv_row *row;
    char w[PU_ERR_WHERE_MAX];
    while (rc == PU_OK && (rc = pu_csv_next(f.r, &row, err)) == PU_OK && row) {
        where_of(w, sizeof w, f.r, row->line);
        const char *pop = fld(row, f.col[3]);
        if (f.col[3] >= 0) {
            if (population) {
                if (strcmp(pop, population) != 0) continue;
            } else if (!first_pop) {
                first_pop = pu_strdup(pop);
            } else if (strcmp(first_pop, pop) != 0) {
                rc = pu_fail(err, PU_ERR_INVALID, w, "population",
                             "the file holds several populations ('%s', '%s', ...): choose one with --population",
                             first_pop, pop);
                break;
            }
        }
        const char *mname = pu_trim((char *)fld(row, f.col[0]));
        const char *al = pu_trim((char *)fld(row, f.col[1]));
        double fr;
        if (!*mname) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "marker", "expected a marker name, got an empty cell");
            break;
        }
        if (!allele_label_ok(al)) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "allele",
                         "expected an allele label such as 12 or 9.3 (at most %d characters), got '%s'",
                         KIN_ALLELE_LABEL_MAX - 1, al);
            break;
        }
        if (parse_double(fld(row, f.col[2]), &fr) || fr <= 0 || fr > 1) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "frequency", "expected a number in (0, 1], got '%s'",
                         fld(row, f.col[2]));
            break;
        }
        int mi = kin_db_marker(db, mname);
        if (mi < 0 && (mi = add_marker(db, mname)) < 0) {
            rc = pu_fail(err, PU_ERR_LIMIT, w, "marker", "more than %d markers", KIN_MAX_MARKERS);
            break;
        }
        if (find_allele(&db->m[mi], al) >= 0) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "allele", "allele '%s' of marker %s is listed twice", al, mname);
            break;
        }
        if (push_allele(&db->m[mi], al, fr) < 0) {
            rc = pu_fail(err, PU_ERR_LIMIT, w, "allele", "more than %d alleles for marker %s", KIN_MAX_ALLELES,
                         mname);
            break;
        }
        double ns;
        if (f.col[4] >= 0 && !parse_double(fld(row, f.col[4]), &ns) && ns > 0) nsamp[mi] = ns;
    }
    if (rc == PU_OK && db->n == 0) {
        if (population)
            rc = pu_fail(err, PU_ERR_NOTFOUND, f.r ? src_name(f.r) : path, "population",
                         "no rows for population '%s'", population);
        else
            rc = pu_fail(err, PU_ERR_INVALID, f.r ? src_name(f.r) : path, NULL, "no allele frequencies in the file");
    }
    if (rc == PU_OK) {
        for (int i = 0; i < db->n; i++) {
            kin_marker *m = &db->m[i];
            /* NRC II: 5/2N when the sample size is known; else 0.001 (norSTR's floor) */
            m->min_freq = min_freq > 0 ? min_freq : nsamp[i] > 0 ? 5.0 / nsamp[i] : 0.001;
            double s = 0;
            for (int a = 0; a < m->n; a++) s += m->freq[a];
            if (fabs(s - 1) > 0.02)
                warnf(db, f.r ? src_name(f.r) : path,
                      "marker %s: frequencies sum to %.4f (used as given, not renormalised)", m->name, s);
        }
    }
    free(nsamp);
    free(first_pop);
    pu_csv_close(f.r);
    if (rc) {
        kin_db_free(db);
        return rc;
    }
    *out = db;
    return PU_OK;
}

int kin_db_read(const char *path, const char *population, double min_freq, kin_db **out, pu_err *err) {
    return db_read_any(path, NULL, 0, population, min_freq, stderr, out, err);
}

int kin_db_read_mem_warn(const char *data, size_t len, const char *name, const char *population, double min_freq,
                         FILE *warn, kin_db **out, pu_err *err) {
    mem_name = name;
    int rc = db_read_any(NULL, data ? data : "", data ? len : 0, population, min_freq, warn, out, err);
    mem_name = NULL;
    return rc;
}

int kin_db_read_mem(const char *data, size_t len, const char *name, const char *population, double min_freq,
                    kin_db **out, pu_err *err) {
    return kin_db_read_mem_warn(data, len, name, population, min_freq, stderr, out, err);
}

void kin_db_set_mutation(kin_db *db, const kin_mutmodel *female, const kin_mutmodel *male) {
    for (int i = 0; i < db->n; i++) {
        db->m[i].mut[0] = *female;
        db->m[i].mut[1] = *male;
    }
    db->prepared = 0;
}

static int parse_model(const pu_csv_row *row, const int *col, kin_mutmodel *mm, const char *w, const char *sexname,
                       pu_err *err) {
    char field[48];
    snprintf(field, sizeof field, "%s_model", sexname);
    if (kin_mut_kind_parse(pu_trim((char *)fld(row, col[0])), &mm->kind))
        return pu_fail(err, PU_ERR_INVALID, w, field,
                       "expected none, equal, proportional, stepwise or onestep, got '%s'", fld(row, col[0]));
    mm->rate = 0, mm->rate2 = 0, mm->range = 0.1;
    const char *names[3] = {"rate", "rate2", "range"};
    double *dst[3] = {&mm->rate, &mm->rate2, &mm->range};
    for (int k = 0; k < 3; k++) {
        const char *s = pu_trim((char *)fld(row, col[k + 1]));
        if (!*s) continue;
        if (parse_double(s, dst[k]) || *dst[k] < 0 || *dst[k] > 1) {
            snprintf(field, sizeof field, "%s_%s", sexname, names[k]);
            return pu_fail(err, PU_ERR_INVALID, w, field, "expected a number in [0, 1], got '%s'", s);
        }
    }
    if (mm->kind != KIN_MUT_NONE && mm->kind != KIN_MUT_STEPWISE && pu_blank(fld(row, col[1]))) {
        snprintf(field, sizeof field, "%s_rate", sexname);
        return pu_fail(err, PU_ERR_INVALID, w, field, "model %s needs a rate", kin_mut_kind_name(mm->kind));
    }
    if (mm->kind == KIN_MUT_STEPWISE && (mm->range <= 0 || mm->range >= 1)) {
        snprintf(field, sizeof field, "%s_range", sexname);
        return pu_fail(err, PU_ERR_INVALID, w, field, "stepwise needs 0 < range < 1, got %g", mm->range);
    }
    return PU_OK;
}

static int read_mutation(kin_db *db, const char *path, const char *data, size_t len, pu_err *err) {
    static const char *const cols[] = {"marker", "female_model", "female_rate", "?female_rate2", "?female_range",
                                       "male_model", "male_rate", "?male_rate2", "?male_range", NULL};
    csvf f;
    int rc = csvf_open(&f, path, data, len, cols, err);
    const pu_csv_row *row;
    char w[PU_ERR_WHERE_MAX];
    while (rc == PU_OK && (rc = pu_csv_next(f.r, &row, err)) == PU_OK && row) {
        where_of(w, sizeof w, f.r, row->line);
        int mi = kin_db_marker(db, fld(row, f.col[0]));
        if (mi < 0) {
            warnf(db, w, "marker '%s' is not in the frequency database; its mutation model is ignored",
                  fld(row, f.col[0]));
            continue;
        }
        kin_mutmodel fm, mm;
        if ((rc = parse_model(row, &f.col[1], &fm, w, "female", err))) break;
        if ((rc = parse_model(row, &f.col[5], &mm, w, "male", err))) break;
        db->m[mi].mut[0] = fm;
        db->m[mi].mut[1] = mm;
    }
    pu_csv_close(f.r);
    db->prepared = 0;
    return rc;
}

int kin_db_read_mutation(kin_db *db, const char *path, pu_err *err) {
    return read_mutation(db, path, NULL, 0, err);
}

int kin_db_read_mutation_mem(kin_db *db, const char *data, size_t len, const char *name, pu_err *err) {
    mem_name = name;
    int rc = read_mutation(db, NULL, data ? data : "", data ? len : 0, err);
    mem_name = NULL;
    return rc;
}

/* Build one n*n matrix following pedmut's definitions. NULL when no mutation. */
static int build_matrix(const kin_marker *m, const kin_mutmodel *mm, double **out, pu_err *err) {
    free(*out);
    *out = NULL;
    int n = m->n;
    if (mm->kind == KIN_MUT_NONE || mm->rate + mm->rate2 == 0 || n < 2) return PU_OK;
    double *M = calloc((size_t)n * n, sizeof *M);
    if (!M) return PU_ERR_NOMEM;
    double r = mm->rate;
    switch (mm->kind) {
    case KIN_MUT_EQUAL:
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) M[i * n + j] = i == j ? 1 - r : r / (n - 1);
        break;
    case KIN_MUT_PROPORTIONAL: {
        double s = 0;
        for (int i = 0; i < n; i++) s += m->freq[i] * (1 - m->freq[i]);
        double a = s > 0 ? r / s : 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) M[i * n + j] = (i == j ? 1 - a : 0) + a * m->freq[j];
        break;
    }
    case KIN_MUT_STEPWISE:
    case KIN_MUT_ONESTEP:
        for (int i = 0; i < n; i++)
            if (isnan(m->num[i])) {
                free(M);
                return pu_fail(err, PU_ERR_INVALID, m->name, "allele",
                               "the %s model needs numeric alleles, got '%s'", kin_mut_kind_name(mm->kind),
                               m->allele[i]);
            }
        for (int i = 0; i < n; i++) {
            double *row = &M[i * n];
            double frac_i = m->num[i] - round(m->num[i]);
            double wsum = 0, off = 0;
            int nmicro = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                double d = fabs(m->num[i] - m->num[j]);
                int compat = fabs((m->num[j] - round(m->num[j])) - frac_i) < 1e-6;
                if (mm->kind == KIN_MUT_ONESTEP) {
                    row[j] = fabs(d - 1) < 1e-6 ? 1 : 0;
                    wsum += row[j];
                } else if (compat) {
                    row[j] = pow(mm->range, d);
                    wsum += row[j];
                } else {
                    row[j] = -1; /* marks a microvariant jump */
                    nmicro++;
                }
            }
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                if (row[j] < 0) row[j] = mm->rate2 / nmicro;
                else row[j] = wsum > 0 ? row[j] / wsum * r : 0;
                off += row[j];
            }
            row[i] = 1 - off;
        }
        break;
    default:
        break;
    }
    for (int i = 0; i < n * n; i++)
        if (M[i] < -1e-12 || M[i] > 1 + 1e-12) {
            free(M);
            return pu_fail(err, PU_ERR_INVALID, m->name, "rate",
                           "the %s model with rate %g gives a transition probability outside [0, 1] "
                           "for these frequencies", kin_mut_kind_name(mm->kind), r);
        }
    *out = M;
    return PU_OK;
}

int kin_db_prepare(kin_db *db, pu_err *err) {
    if (db->prepared) return PU_OK;
    for (int i = 0; i < db->n; i++) {
        db->m[i].silent = -1;
        for (int a = 0; a < db->m[i].n; a++)
            if (pu_strieq(db->m[i].allele[a], KIN_SILENT_LABEL)) db->m[i].silent = a;
    }
    for (int i = 0; i < db->n; i++)
        for (int s = 0; s < 2; s++) {
            int rc = build_matrix(&db->m[i], &db->m[i].mut[s], &db->m[i].mat[s], err);
            if (rc) return rc;
        }
    db->prepared = 1;
    return PU_OK;
}

double kin_geno_prob(const kin_marker *mk, int a, int b) {
    return a == b ? mk->freq[a] * mk->freq[a] : 2 * mk->freq[a] * mk->freq[b];
}

/* ---- pedigrees ------------------------------------------------------------ */

static void family_free(kin_family *f) {
    for (int i = 0; i < f->n; i++) free(f->p[i].id);
    free(f->p);
    free(f->g);
    free(f->order);
    free(f->name);
    free(f->ev);
}

void kin_case_free(kin_case *c) {
    if (!c) return;
    for (int i = 0; i < c->nfam; i++) family_free(&c->fam[i]);
    free(c->fam);
    for (int i = 0; i < c->nvic; i++) {
        free(c->vic[i].id);
        free(c->vic[i].g);
    }
    free(c->vic);
    free(c->vic_ev);
    free(c->miss);
    free(c);
}

/* ---- a string -> index hash, so that 100,000 families and 52,000 samples
 * load in linear time. Keys live in the caller's records: `key(ctx, i)`. */
typedef const char *(*key_fn)(const void *ctx, int i);
typedef struct sidx {
    int *slot;      /* index + 1, 0 = empty */
    size_t cap;
    int n;
} sidx;

static uint64_t shash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int sidx_find(const sidx *h, key_fn key, const void *ctx, const char *name) {
    if (!h->cap) return -1;
    for (size_t p = shash(name) & (h->cap - 1);; p = (p + 1) & (h->cap - 1)) {
        int i = h->slot[p] - 1;
        if (i < 0) return -1;
        if (strcmp(key(ctx, i), name) == 0) return i;
    }
}

static int sidx_add(sidx *h, key_fn key, const void *ctx, int i) {
    if ((size_t)(h->n + 1) * 2 > h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 64;
        int *ns = calloc(nc, sizeof *ns);
        if (!ns) return PU_ERR_NOMEM;
        for (size_t k = 0; k < h->cap; k++) {
            if (!h->slot[k]) continue;
            size_t p = shash(key(ctx, h->slot[k] - 1)) & (nc - 1);
            while (ns[p]) p = (p + 1) & (nc - 1);
            ns[p] = h->slot[k];
        }
        free(h->slot);
        h->slot = ns;
        h->cap = nc;
    }
    size_t p = shash(key(ctx, i)) & (h->cap - 1);
    while (h->slot[p]) p = (p + 1) & (h->cap - 1);
    h->slot[p] = i + 1;
    h->n++;
    return PU_OK;
}

static const char *fam_key(const void *ctx, int i) {
    return ((const kin_case *)ctx)->fam[i].name;
}
static const char *vic_key(const void *ctx, int i) {
    return ((const kin_case *)ctx)->vic[i].id;
}

static int find_person(const kin_family *f, const char *id) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->p[i].id, id) == 0) return i;
    return -1;
}

static int parse_sex(const char *s, int *sex) {
    if (!strcmp(s, "1") || pu_strieq(s, "M") || pu_strieq(s, "male")) *sex = 1;
    else if (!strcmp(s, "2") || pu_strieq(s, "F") || pu_strieq(s, "female")) *sex = 2;
    else if (!strcmp(s, "0") || !*s || pu_strieq(s, "NA")) *sex = 0;
    else return -1;
    return 0;
}

static int is_founder_id(const char *s) {
    return !*s || !strcmp(s, "0") || pu_strieq(s, "NA");
}

/* Raw rows kept until the whole file is read, since parents may be listed after children. */
typedef struct pedrow {
    char *fid, *mid;
    uint64_t line;
} pedrow;

/* Resolve parents, check sexes and cycles, compute a parents-first order. */
static int family_finish(kin_family *f, pedrow *rows, const char *fname, pu_err *err) {
    char w[PU_ERR_WHERE_MAX];
    for (int i = 0; i < f->n; i++) {
        snprintf(w, sizeof w, "%s:%llu", fname, (unsigned long long)rows[i].line);
        int fo = is_founder_id(rows[i].fid), mo = is_founder_id(rows[i].mid);
        if (fo != mo)
            return pu_fail(err, PU_ERR_INVALID, w, fo ? "fid" : "mid",
                           "person %s of family %s has only one parent: give both parents (add an untyped one) or none",
                           f->p[i].id, f->name);
        if (fo) continue;
        f->p[i].father = find_person(f, rows[i].fid);
        f->p[i].mother = find_person(f, rows[i].mid);
        if (f->p[i].father < 0 || f->p[i].mother < 0)
            return pu_fail(err, PU_ERR_INVALID, w, f->p[i].father < 0 ? "fid" : "mid",
                           "parent '%s' of %s is not a member of family %s",
                           f->p[i].father < 0 ? rows[i].fid : rows[i].mid, f->p[i].id, f->name);
        if (f->p[i].father == i || f->p[i].mother == i)
            return pu_fail(err, PU_ERR_INVALID, w, "fid", "person %s is listed as their own parent", f->p[i].id);
        if (f->p[f->p[i].father].sex == 2)
            return pu_fail(err, PU_ERR_INVALID, w, "fid", "father %s of %s is recorded as female (sex 2)",
                           rows[i].fid, f->p[i].id);
        if (f->p[f->p[i].mother].sex == 1)
            return pu_fail(err, PU_ERR_INVALID, w, "mid", "mother %s of %s is recorded as male (sex 1)",
                           rows[i].mid, f->p[i].id);
    }
    /* Kahn's algorithm: what cannot be ordered lies on a cycle */
    f->order = malloc((size_t)f->n * sizeof(int));
    char *done = calloc((size_t)f->n, 1);
    if (!f->order || !done) {
        free(done);
        return PU_ERR_NOMEM;
    }
    int k = 0, progress = 1;
    while (k < f->n && progress) {
        progress = 0;
        for (int i = 0; i < f->n; i++) {
            if (done[i]) continue;
            if (f->p[i].father >= 0 && (!done[f->p[i].father] || !done[f->p[i].mother])) continue;
            done[i] = 1;
            f->order[k++] = i;
            progress = 1;
        }
    }
    int bad = -1;
    for (int i = 0; i < f->n && bad < 0; i++)
        if (!done[i]) bad = i;
    free(done);
    if (bad >= 0) {
        snprintf(w, sizeof w, "%s:%llu", fname, (unsigned long long)rows[bad].line);
        return pu_fail(err, PU_ERR_INVALID, w, "fid",
                       "family %s has a cycle: %s is their own ancestor", f->name, f->p[bad].id);
    }
    return PU_OK;
}

static int read_pedigrees(kin_db *db, const char *path, const char *data, size_t len, kin_case **out, pu_err *err) {
    *out = NULL;
    static const char *const cols[] = {"family", "id", "fid", "mid", "sex", "?role", NULL};
    kin_case *c = calloc(1, sizeof *c);
    if (!c) return PU_ERR_NOMEM;
    c->db = db;
    pedrow **rows = NULL;
    sidx fidx = {0};
    csvf f;
    int rc = csvf_open(&f, path, data, len, cols, err);
    const pu_csv_row *row;
    char w[PU_ERR_WHERE_MAX];
    while (rc == PU_OK && (rc = pu_csv_next(f.r, &row, err)) == PU_OK && row) {
        where_of(w, sizeof w, f.r, row->line);
        const char *fam = pu_trim((char *)fld(row, f.col[0]));
        const char *id = pu_trim((char *)fld(row, f.col[1]));
        const char *fid = pu_trim((char *)fld(row, f.col[2]));
        const char *mid = pu_trim((char *)fld(row, f.col[3]));
        const char *role = pu_trim((char *)fld(row, f.col[5]));
        int sex, rl;
        if (!*fam || !*id || strlen(id) >= KIN_ID_MAX || strlen(fam) >= KIN_ID_MAX || strlen(fid) >= KIN_ID_MAX ||
            strlen(mid) >= KIN_ID_MAX) {
            rc = pu_fail(err, PU_ERR_INVALID, w, !*fam ? "family" : "id",
                         "expected non-empty family and id of at most %d characters", KIN_ID_MAX - 1);
            break;
        }
        if (is_founder_id(id)) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "id", "'%s' is reserved for 'no parent'", id);
            break;
        }
        if (parse_sex(pu_trim((char *)fld(row, f.col[4])), &sex)) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "sex", "expected 1 (male), 2 (female) or 0 (unknown), got '%s'",
                         fld(row, f.col[4]));
            break;
        }
        if (!*role || pu_strieq(role, "untyped")) rl = KIN_ROLE_UNTYPED;
        else if (pu_strieq(role, "reference") || pu_strieq(role, "typed")) rl = KIN_ROLE_REFERENCE;
        else if (pu_strieq(role, "missing")) rl = KIN_ROLE_MISSING;
        else {
            rc = pu_fail(err, PU_ERR_INVALID, w, "role", "expected missing, reference or untyped, got '%s'", role);
            break;
        }
        int fi = sidx_find(&fidx, fam_key, c, fam);
        if (fi < 0) {
            if ((c->nfam & (c->nfam - 1)) == 0) { /* grow by doubling */
                size_t nc = c->nfam ? 2 * (size_t)c->nfam : 1;
                kin_family *nf = realloc(c->fam, nc * sizeof *nf);
                if (nf) c->fam = nf;
                pedrow **nr = realloc(rows, nc * sizeof *nr);
                if (nr) rows = nr;
                if (!nf || !nr) {
                    rc = PU_ERR_NOMEM;
                    break;
                }
            }
            fi = c->nfam++;
            memset(&c->fam[fi], 0, sizeof c->fam[fi]);
            rows[fi] = NULL;
            c->fam[fi].name = pu_strdup(fam);
            if (!c->fam[fi].name || sidx_add(&fidx, fam_key, c, fi)) {
                rc = PU_ERR_NOMEM;
                break;
            }
        }
        kin_family *F = &c->fam[fi];
        if (find_person(F, id) >= 0) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "id", "person %s is listed twice in family %s", id, fam);
            break;
        }
        if (F->n >= KIN_MAX_PERSONS) {
            rc = pu_fail(err, PU_ERR_LIMIT, w, "id", "family %s has more than %d persons", fam, KIN_MAX_PERSONS);
            break;
        }
        if ((F->n & (F->n - 1)) == 0) {
            size_t nc = F->n ? 2 * (size_t)F->n : 1;
            kin_person *np = realloc(F->p, nc * sizeof *np);
            if (np) F->p = np;
            pedrow *nr = realloc(rows[fi], nc * sizeof *nr);
            if (nr) rows[fi] = nr;
            if (!np || !nr) {
                rc = PU_ERR_NOMEM;
                break;
            }
        }
        kin_person *p = &F->p[F->n];
        p->id = pu_strdup(id);
        p->father = p->mother = -1;
        p->sex = sex;
        p->role = rl;
        rows[fi][F->n].fid = pu_strdup(fid);
        rows[fi][F->n].mid = pu_strdup(mid);
        rows[fi][F->n].line = row->line;
        F->n++;
        if (!p->id || !rows[fi][F->n - 1].fid || !rows[fi][F->n - 1].mid) rc = PU_ERR_NOMEM;
        if (rl == KIN_ROLE_MISSING) {
            kin_missing *nm = c->miss;
            if ((c->nmiss & (c->nmiss - 1)) == 0)
                nm = realloc(c->miss, (c->nmiss ? 2 * (size_t)c->nmiss : 1) * sizeof *nm);
            if (!nm) {
                rc = PU_ERR_NOMEM;
                break;
            }
            c->miss = nm;
            c->miss[c->nmiss].fam = fi;
            c->miss[c->nmiss].person = F->n - 1;
            c->nmiss++;
        }
    }
    const char *fname = f.r ? src_name(f.r) : "pedigrees";
    for (int i = 0; rc == PU_OK && i < c->nfam; i++) {
        rc = family_finish(&c->fam[i], rows[i], fname, err);
        if (rc == PU_OK) {
            size_t ng = (size_t)c->fam[i].n * 2 * (size_t)(db->n ? db->n : 1);
            c->fam[i].g = malloc(ng * sizeof(int16_t));
            if (!c->fam[i].g) rc = PU_ERR_NOMEM;
            else
                for (size_t k = 0; k < ng; k++) c->fam[i].g[k] = KIN_UNTYPED;
        }
    }
    if (rc == PU_OK && c->nfam == 0) rc = pu_fail(err, PU_ERR_INVALID, fname, NULL, "no pedigree rows in the file");
    for (int i = 0; i < c->nfam; i++) {
        for (int k = 0; rows && rows[i] && k < c->fam[i].n; k++) free(rows[i][k].fid), free(rows[i][k].mid);
        if (rows) free(rows[i]);
    }
    free(rows);
    free(fidx.slot);
    pu_csv_close(f.r);
    if (rc) {
        kin_case_free(c);
        return rc;
    }
    *out = c;
    return PU_OK;
}

int kin_case_read_pedigrees(kin_db *db, const char *path, kin_case **out, pu_err *err) {
    return read_pedigrees(db, path, NULL, 0, out, err);
}

int kin_case_read_pedigrees_mem(kin_db *db, const char *data, size_t len, const char *name, kin_case **out,
                                pu_err *err) {
    mem_name = name;
    int rc = read_pedigrees(db, NULL, data ? data : "", data ? len : 0, out, err);
    mem_name = NULL;
    return rc;
}

/* Parse one genotype row's alleles into g[0..1]. Returns 0 = untyped (both
 * empty), 1 = typed, or an error code. */
static int parse_geno(kin_db *db, int mi, const char *a1, const char *a2, const char *w, int16_t *g, pu_err *err) {
    int e1 = !*a1 || pu_strieq(a1, "NA"), e2 = !*a2 || pu_strieq(a2, "NA");
    if (e1 && e2) return 0;
    if (e1 != e2)
        return -pu_fail(err, PU_ERR_INVALID, w, e1 ? "allele1" : "allele2",
                        "one allele is empty: give both alleles (a homozygote repeats the allele) or neither");
    const char *al[2] = {a1, a2};
    for (int k = 0; k < 2; k++) {
        if (!allele_label_ok(al[k]))
            return -pu_fail(err, PU_ERR_INVALID, w, k ? "allele2" : "allele1",
                            "marker %s: expected an allele label such as 12 or 9.3, got '%s'", db->m[mi].name, al[k]);
        if (pu_strieq(al[k], KIN_SILENT_LABEL))
            return -pu_fail(err, PU_ERR_INVALID, w, k ? "allele2" : "allele1",
                            "marker %s: the silent allele cannot be observed; a person showing one allele a is "
                            "typed a,a (the silent allele of the frequency file is then taken into account)",
                            db->m[mi].name);
        /* An allele missing from the frequency database is accepted (at the
         * minimum frequency, with a warning) only when it is a repeat number:
         * a rare allele. Anything else ("abc") is a typo that would change
         * every LR of the case: refused. */
        if (kin_db_allele(db, mi, al[k], 0, w) < 0 && !allele_numeric(al[k]))
            return -pu_fail(err, PU_ERR_INVALID, w, k ? "allele2" : "allele1",
                            "marker %s: allele '%s' is not a repeat number (such as 12 or 9.3) and not an allele of "
                            "the frequency database", db->m[mi].name, al[k]);
        int ai = kin_db_allele(db, mi, al[k], 1, w);
        if (ai < 0)
            return -pu_fail(err, PU_ERR_LIMIT, w, k ? "allele2" : "allele1", "more than %d alleles for marker %s",
                            KIN_MAX_ALLELES, db->m[mi].name);
        g[k] = (int16_t)ai;
    }
    return 1;
}

static int read_genos(kin_case *c, const char *path, const char *data, size_t len, int pm, pu_err *err) {
    static const char *const am_cols[] = {"family", "id", "marker", "allele1", "allele2", NULL};
    static const char *const pm_cols[] = {"sample", "sex", "marker", "allele1", "allele2", NULL};
    kin_db *db = c->db;
    csvf f;
    sidx vidx = {0}, fidx = {0};
    int rc = csvf_open(&f, path, data, len, pm ? pm_cols : am_cols, err);
    for (int i = 0; rc == PU_OK && i < c->nvic; i++) rc = sidx_add(&vidx, vic_key, c, i);
    for (int i = 0; rc == PU_OK && !pm && i < c->nfam; i++) rc = sidx_add(&fidx, fam_key, c, i);
    const pu_csv_row *row;
    char w[PU_ERR_WHERE_MAX];
    long typed = 0; /* typed rows: a post-mortem file without any is refused */
    while (rc == PU_OK && (rc = pu_csv_next(f.r, &row, err)) == PU_OK && row) {
        where_of(w, sizeof w, f.r, row->line);
        const char *k0 = pu_trim((char *)fld(row, f.col[0]));
        const char *k1 = pu_trim((char *)fld(row, f.col[1]));
        const char *mname = pu_trim((char *)fld(row, f.col[2]));
        int mi = kin_db_marker(db, mname);
        if (mi < 0) {
            warnf(db, w, "marker '%s' is not in the frequency database; it is not used", mname);
            continue;
        }
        int16_t *dst;
        if (pm) {
            int sex;
            if (!*k0 || strlen(k0) >= KIN_ID_MAX) {
                rc = pu_fail(err, PU_ERR_INVALID, w, "sample", "expected a sample id of 1-%d characters",
                             KIN_ID_MAX - 1);
                break;
            }
            if (parse_sex(k1, &sex)) {
                rc = pu_fail(err, PU_ERR_INVALID, w, "sex", "expected 1 (male), 2 (female) or 0 (unknown), got '%s'",
                             k1);
                break;
            }
            int v = -1;
            /* rows of one sample are usually adjacent: check the last one first */
            if (c->nvic && !strcmp(c->vic[c->nvic - 1].id, k0)) v = c->nvic - 1;
            if (v < 0) v = sidx_find(&vidx, vic_key, c, k0);
            if (v < 0) {
                if ((c->nvic & (c->nvic - 1)) == 0) {
                    kin_sample *nv = realloc(c->vic, (size_t)(c->nvic ? 2 * c->nvic : 1) * sizeof *nv);
                    if (!nv) {
                        rc = PU_ERR_NOMEM;
                        break;
                    }
                    c->vic = nv;
                }
                v = c->nvic;
                kin_sample *s = &c->vic[v];
                s->id = pu_strdup(k0);
                s->sex = sex;
                s->g = malloc((size_t)2 * KIN_MAX_MARKERS * sizeof(int16_t));
                c->nvic++;
                if (!s->id || !s->g || sidx_add(&vidx, vic_key, c, v)) {
                    rc = PU_ERR_NOMEM;
                    break;
                }
                for (int k = 0; k < 2 * KIN_MAX_MARKERS; k++) s->g[k] = KIN_UNTYPED;
            } else if (c->vic[v].sex != sex) {
                rc = pu_fail(err, PU_ERR_INVALID, w, "sex", "sample %s was given sex %d on an earlier row, now %d", k0,
                             c->vic[v].sex, sex);
                break;
            }
            dst = &c->vic[v].g[2 * mi];
        } else {
            int fi = sidx_find(&fidx, fam_key, c, k0);
            int pi = fi >= 0 ? find_person(&c->fam[fi], k1) : -1;
            if (pi < 0) {
                rc = pu_fail(err, PU_ERR_INVALID, w, fi < 0 ? "family" : "id",
                             "person %s of family %s is not in the pedigree file", k1, k0);
                break;
            }
            if (c->fam[fi].p[pi].role == KIN_ROLE_MISSING) {
                rc = pu_fail(err, PU_ERR_INVALID, w, "id",
                             "%s of family %s is a missing person: missing persons cannot have reference genotypes",
                             k1, k0);
                break;
            }
            dst = &c->fam[fi].g[((size_t)pi * db->n + mi) * 2];
        }
        int16_t g[2];
        int t = parse_geno(db, mi, pu_trim((char *)fld(row, f.col[3])), pu_trim((char *)fld(row, f.col[4])), w, g,
                           err);
        if (t < 0) {
            rc = -t;
            break;
        }
        if (t == 0) continue;
        typed++;
        int16_t lo = g[0] < g[1] ? g[0] : g[1], hi = g[0] < g[1] ? g[1] : g[0]; /* stored ordered */
        if (dst[0] != KIN_UNTYPED && (dst[0] != lo || dst[1] != hi)) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "marker", "%s %s is typed twice at marker %s with different alleles",
                         k0, pm ? "" : k1, db->m[mi].name);
            break;
        }
        /* the same typing twice: a duplicate row (the files are read all or
         * nothing, and a repeated row is a copy-paste slip worth a look) */
        if (dst[0] != KIN_UNTYPED) {
            rc = pu_fail(err, PU_ERR_INVALID, w, "marker", "duplicate row: %s%s%s is typed twice at marker %s", k0,
                         pm ? "" : " ", pm ? "" : k1, db->m[mi].name);
            break;
        }
        dst[0] = g[0] < g[1] ? g[0] : g[1];
        dst[1] = g[0] < g[1] ? g[1] : g[0];
        if (!pm) {
            int fi = sidx_find(&fidx, fam_key, c, k0);
            kin_person *p = &c->fam[fi].p[find_person(&c->fam[fi], k1)];
            if (p->role == KIN_ROLE_UNTYPED) p->role = KIN_ROLE_REFERENCE;
        }
    }
    /* victims are what a DVI identifies: a post-mortem file typing nobody
     * (empty after its header) would give an empty, "successful" answer */
    if (rc == PU_OK && pm && typed == 0)
        rc = pu_fail(err, PU_ERR_INVALID, f.r ? src_name(f.r) : path, NULL,
                     "no records: no post-mortem sample is typed; expected rows sample,sex,marker,allele1,allele2");
    free(vidx.slot);
    free(fidx.slot);
    pu_csv_close(f.r);
    return rc;
}

int kin_case_read_am(kin_case *c, const char *path, pu_err *err) {
    return read_genos(c, path, NULL, 0, 0, err);
}
int kin_case_read_am_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err) {
    mem_name = name;
    int rc = read_genos(c, NULL, data ? data : "", data ? len : 0, 0, err);
    mem_name = NULL;
    return rc;
}
int kin_case_read_pm(kin_case *c, const char *path, pu_err *err) {
    return read_genos(c, path, NULL, 0, 1, err);
}
int kin_case_read_pm_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err) {
    mem_name = name;
    int rc = read_genos(c, NULL, data ? data : "", data ? len : 0, 1, err);
    mem_name = NULL;
    return rc;
}
