/* kin_fam.c - the Familias 3 case file (.fam) reader and its conversion to
 * the kinship CSV formats (kin_fam.h; the layout is in docs/kinship.md
 * "Familias import"). Strict line by line: every line is consumed by the
 * layout or refused. */
#include "kinship/kin_fam.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FAM_LINE_MAX 4096          /* one line */
#define FAM_FLAG_MALE "#TRUE#"     /* Familias' boolean "is male" */
#define FAM_FLAG_FEMALE "#FALSE#"

/* ---- lines ---- */

typedef struct rd {
    const char *p, *end, *name;
    long line;             /* number of the line last read */
    char buf[FAM_LINE_MAX];
    pu_err *err;
} rd;

static int rfail(rd *r, const char *field, const char *fmt, const char *got) {
    char w[PU_ERR_WHERE_MAX];
    snprintf(w, sizeof w, "%s:%ld", r->name, r->line);
    return pu_fail(r->err, PU_ERR_INVALID, w, field, fmt, got);
}

/* Next line, trimmed, one pair of surrounding double quotes removed (as
 * pedFamilias removes quotes). Missing line: "unexpected end of file". */
static int next_line(rd *r, const char *field, const char **out) {
    if (r->p >= r->end) {
        r->line++;
        return rfail(r, field, "unexpected end of file: expected %s", field);
    }
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    size_t n = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
    r->line++;
    if (n >= sizeof r->buf) return rfail(r, field, "line longer than %s bytes", "4095");
    memcpy(r->buf, r->p, n);
    r->buf[n] = 0;
    r->p += n + (nl ? 1 : 0);
    if (memchr(r->buf, 0, n)) return rfail(r, field, "a NUL byte in the line%s", "");
    if (!pu_utf8_valid(r->buf, n)) return rfail(r, field, "invalid UTF-8%s", "");
    char *s = pu_trim(r->buf);
    size_t l = strlen(s);
    if (l >= 2 && s[0] == '"' && s[l - 1] == '"') s[l - 1] = 0, s++;
    *out = s;
    return PU_OK;
}

static int read_int(rd *r, const char *field, long lo, long hi, long *out) {
    const char *s;
    int rc = next_line(r, field, &s);
    if (rc) return rc;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        char want[96];
        snprintf(want, sizeof want, "expected a whole number %ld-%ld, got '%%s'", lo, hi);
        return rfail(r, field, want, s);
    }
    *out = v;
    return PU_OK;
}

static int read_real(rd *r, const char *field, double lo, double hi, double *out) {
    const char *s;
    int rc = next_line(r, field, &s);
    if (rc) return rc;
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi)) {
        char want[96];
        snprintf(want, sizeof want, "expected a number in [%g, %g], got '%%s'", lo, hi);
        return rfail(r, field, want, s);
    }
    *out = v;
    return PU_OK;
}

/* A name: 1..KIN_REC_ID_MAX-1 bytes without ; = / , or control characters
 * (it becomes an id of the case database). */
static int read_name(rd *r, const char *field, char **out) {
    const char *s;
    int rc = next_line(r, field, &s);
    if (rc) return rc;
    int bad = !*s || strlen(s) >= KIN_REC_ID_MAX || strpbrk(s, ";=/,");
    for (const char *p = s; *p && !bad; p++) bad = (unsigned char)*p < 0x20 || *p == 0x7f;
    if (bad)
        return rfail(r, field, "expected a name of 1-127 characters without ; = / , or control characters, got '%s'", s);
    *out = pu_strdup(s);
    return *out ? PU_OK : PU_ERR_NOMEM;
}

static int read_flag(rd *r, const char *field, int *male) {
    const char *s;
    int rc = next_line(r, field, &s);
    if (rc) return rc;
    if (!strcmp(s, FAM_FLAG_MALE)) *male = 1;
    else if (!strcmp(s, FAM_FLAG_FEMALE)) *male = 0;
    else return rfail(r, field, "expected #TRUE# (a man) or #FALSE# (a woman), got '%s'", s);
    return PU_OK;
}

static int read_model(rd *r, const char *field, char **out) {
    const char *s;
    int rc = next_line(r, field, &s);
    if (rc) return rc;
    static const char *const KNOWN[] = {"equal", "proportional", "stepwise"};
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (pu_strieq(s, KNOWN[i])) {
            *out = pu_strdup(KNOWN[i]);
            return *out ? PU_OK : PU_ERR_NOMEM;
        }
    return rfail(r, field, "expected a mutation model Equal, Proportional or Stepwise, got '%s' (Familias' "
                           "extended stepwise models are not read)", s);
}

/* ---- sections ---- */

static int read_header(rd *r, kin_famfile *f) {
    const char *s;
    int rc;
    do {
        if ((rc = next_line(r, "version", &s))) return rc;
    } while (s[0] == '#' && strcmp(s, FAM_FLAG_MALE) && strcmp(s, FAM_FLAG_FEMALE));
    int ok = isdigit((unsigned char)s[0]) && s[0] >= '3';
    for (const char *p = s; *p && ok; p++) ok = isdigit((unsigned char)*p) || *p == '.';
    if (!ok) return rfail(r, "version", "expected the Familias version (3 or later, such as 3.0), got '%s'", s);
    f->version = pu_strdup(s);
    return f->version ? PU_OK : PU_ERR_NOMEM;
}

static int read_person(rd *r, kin_fam_person *p) {
    long n;
    int rc = read_name(r, "person", &p->name);
    if (!rc) rc = read_flag(r, "sex", &p->male);
    if (!rc) rc = read_int(r, "typed_markers", 0, KIN_FAM_MAX_LOCI, &n);
    if (rc) return rc;
    p->ngt = (int)n;
    p->gt = calloc((size_t)(n ? n : 1), sizeof *p->gt);
    if (!p->gt) return PU_ERR_NOMEM;
    for (int j = 0; j < p->ngt && !rc; j++) {
        long m = 0, a1 = 0, a2 = 0;
        rc = read_int(r, "marker_index", 0, KIN_FAM_MAX_LOCI - 1, &m);
        if (!rc) rc = read_int(r, "allele1_index", 0, KIN_FAM_MAX_ALLELES - 1, &a1);
        if (!rc) rc = read_int(r, "allele2_index", 0, KIN_FAM_MAX_ALLELES - 1, &a2);
        p->gt[j] = (kin_fam_gt){(int)m, (int)a1, (int)a2};
    }
    return rc;
}

static int read_pedigree(rd *r, const kin_famfile *f, kin_fam_ped *q) {
    long n;
    int rc = read_name(r, "pedigree", &q->name);
    if (!rc) rc = read_int(r, "extra_persons", 0, KIN_FAM_MAX_PERSONS, &n);
    if (rc) return rc;
    q->extra = calloc((size_t)(n ? n : 1), sizeof *q->extra);
    if (!q->extra) return PU_ERR_NOMEM;
    q->nextra = (int)n;
    for (int i = 0; i < q->nextra && !rc; i++) {
        rc = read_name(r, "extra_person", &q->extra[i].name);
        if (!rc) rc = read_flag(r, "sex", &q->extra[i].male);
    }
    long total = f->nper + q->nextra;
    if (!rc) rc = read_int(r, "relations", 0, 2 * total, &n);
    if (rc) return rc;
    q->parent = malloc((size_t)(n ? n : 1) * sizeof(int));
    q->child = malloc((size_t)(n ? n : 1) * sizeof(int));
    if (!q->parent || !q->child) return PU_ERR_NOMEM;
    q->nrel = (int)n;
    for (int k = 0; k < q->nrel && !rc; k++) {
        long pa = 0, ch = 0;
        rc = read_int(r, "parent_index", 0, total - 1, &pa);
        if (!rc) rc = read_int(r, "child_index", 0, total - 1, &ch);
        if (!rc && pa == ch) rc = rfail(r, "child_index", "a person cannot be their own parent (index %s)", "");
        q->parent[k] = (int)pa, q->child[k] = (int)ch;
    }
    return rc;
}

static int read_locus(rd *r, kin_fam_locus *l) {
    long n;
    int rc = read_name(r, "locus", &l->name);
    for (int s = 0; s < 2 && !rc; s++) {
        rc = read_model(r, s ? "male_model" : "female_model", &l->model[s]);
        if (!rc) rc = read_real(r, s ? "male_rate" : "female_rate", 0, 1, &l->rate[s]);
        if (!rc) rc = read_real(r, s ? "male_range" : "female_range", 0, 1, &l->range[s]);
    }
    if (!rc) rc = read_int(r, "alleles", 1, KIN_FAM_MAX_ALLELES, &n);
    if (rc) return rc;
    l->allele = calloc((size_t)n, sizeof *l->allele);
    l->freq = calloc((size_t)n, sizeof *l->freq);
    if (!l->allele || !l->freq) return PU_ERR_NOMEM;
    l->nall = (int)n;
    for (int i = 0; i < l->nall && !rc; i++) {
        rc = read_name(r, "allele", &l->allele[i]);
        if (!rc) rc = read_real(r, "frequency", 0, 1, &l->freq[i]);
    }
    return rc;
}

/* Every genotype index refers to a locus and its alleles. */
static int check_indices(rd *r, const kin_famfile *f) {
    for (int i = 0; i < f->nper; i++)
        for (int j = 0; j < f->per[i].ngt; j++) {
            const kin_fam_gt *g = &f->per[i].gt[j];
            if (g->locus >= f->nloc || g->a1 >= f->loc[g->locus].nall || g->a2 >= f->loc[g->locus].nall)
                return pu_fail(r->err, PU_ERR_INVALID, r->name, "marker_index",
                               "person '%s': a genotype refers to locus %d allele %d/%d, which the file's "
                               "frequency database does not have", f->per[i].name, g->locus, g->a1, g->a2);
            for (int k = 0; k < j; k++)
                if (f->per[i].gt[k].locus == g->locus)
                    return pu_fail(r->err, PU_ERR_INVALID, r->name, "marker_index",
                                   "person '%s' is typed twice at locus '%s'", f->per[i].name, f->loc[g->locus].name);
        }
    return PU_OK;
}

static int parse_all(rd *r, kin_famfile *f) {
    long n;
    int rc = read_header(r, f);
    if (!rc) rc = read_int(r, "persons", 0, KIN_FAM_MAX_PERSONS, &n);
    if (rc) return rc;
    if (!(f->per = calloc((size_t)(n ? n : 1), sizeof *f->per))) return PU_ERR_NOMEM;
    for (f->nper = 0; f->nper < n && !rc; f->nper++) rc = read_person(r, &f->per[f->nper]);
    if (!rc) rc = read_int(r, "pedigrees", 0, KIN_FAM_MAX_PEDIGREES, &n);
    if (rc) return rc;
    if (!(f->ped = calloc((size_t)(n ? n : 1), sizeof *f->ped))) return PU_ERR_NOMEM;
    for (f->nped = 0; f->nped < n && !rc; f->nped++) rc = read_pedigree(r, f, &f->ped[f->nped]);
    if (!rc) rc = read_int(r, "loci", 1, KIN_FAM_MAX_LOCI, &n);
    if (rc) return rc;
    if (!(f->loc = calloc((size_t)n, sizeof *f->loc))) return PU_ERR_NOMEM;
    for (f->nloc = 0; f->nloc < n && !rc; f->nloc++) rc = read_locus(r, &f->loc[f->nloc]);
    if (rc) return rc;
    /* nothing may follow: a section Puente does not read is refused, not dropped */
    const char *s;
    while (r->p < r->end) {
        if ((rc = next_line(r, "end", &s))) return rc;
        if (*s)
            return rfail(r, "end", "unexpected content after the frequency database: '%s' (Puente reads the "
                                   "persons, pedigrees and loci of a Familias file; other sections such as [DVI] "
                                   "or case settings are not read)", s);
    }
    return check_indices(r, f);
}

static void person_free(kin_fam_person *p) {
    free(p->name);
    free(p->gt);
}

void kin_famfile_free(kin_famfile *f) {
    if (!f) return;
    for (int i = 0; i < f->nper; i++) person_free(&f->per[i]);
    for (int i = 0; i < f->nped; i++) {
        kin_fam_ped *q = &f->ped[i];
        free(q->name);
        for (int k = 0; k < q->nextra; k++) person_free(&q->extra[k]);
        free(q->extra), free(q->parent), free(q->child);
    }
    for (int i = 0; i < f->nloc; i++) {
        kin_fam_locus *l = &f->loc[i];
        free(l->name), free(l->model[0]), free(l->model[1]);
        for (int k = 0; k < l->nall; k++) free(l->allele[k]);
        free(l->allele), free(l->freq);
    }
    free(f->per), free(f->ped), free(f->loc), free(f->version);
    free(f);
}

int kin_fam_parse(const char *data, size_t len, const char *name, kin_famfile **out, pu_err *err) {
    *out = NULL;
    if (len > KIN_FAM_MAX_BYTES)
        return pu_fail(err, PU_ERR_LIMIT, name, NULL, "a Familias file may hold at most %zu bytes", KIN_FAM_MAX_BYTES);
    rd r = {.p = data ? data : "", .end = (data ? data : "") + (data ? len : 0), .name = name ? name : "<memory>", .err = err};
    /* a UTF-8 byte-order mark (a file saved by Windows tools) */
    if (r.end - r.p >= 3 && !memcmp(r.p, "\xEF\xBB\xBF", 3)) r.p += 3;
    kin_famfile *f = calloc(1, sizeof *f);
    if (!f) return PU_ERR_NOMEM;
    int rc = parse_all(&r, f);
    if (rc) kin_famfile_free(f);
    else *out = f;
    return rc;
}
