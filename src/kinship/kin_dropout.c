/* kin_dropout.c - dropout and drop-in probabilities of PM samples: one value
 * for every sample and marker, or per sample / marker from a CSV file. The
 * likelihood (kin_lik.c, ev_prob_core) uses them; docs/kinship.md "Dropout,
 * drop-in, silent alleles" has the model. */
#include "kin_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

#define DROP_MAX_RECORD (1 << 16)
#define DROP_MAX_FIELDS 16

static int prob_ok(double p) {
    return isfinite(p) && p >= 0 && p <= KIN_DROP_MAX;
}

static int ensure_ev(kin_case *c) {
    if (c->vic_ev) return PU_OK;
    size_t n = (size_t)(c->nvic ? c->nvic : 1) * (size_t)(c->db->n ? c->db->n : 1);
    c->vic_ev = calloc(n, sizeof(kin_ev));
    return c->vic_ev ? PU_OK : PU_ERR_NOMEM;
}

int kin_case_set_dropout(kin_case *c, double d, double cin, pu_err *err) {
    if (!prob_ok(d))
        return pu_fail(err, PU_ERR_INVALID, NULL, "dropout", "expected a probability in [0, %g], got %g", KIN_DROP_MAX, d);
    if (!prob_ok(cin))
        return pu_fail(err, PU_ERR_INVALID, NULL, "dropin", "expected a probability in [0, %g], got %g", KIN_DROP_MAX,
                       cin);
    if (d == 0 && cin == 0) {
        /* exact genotypes: the dvir code path, bit for bit */
        free(c->vic_ev);
        c->vic_ev = NULL;
        return PU_OK;
    }
    if (ensure_ev(c)) return PU_ERR_NOMEM;
    size_t n = (size_t)c->nvic * (size_t)c->db->n;
    for (size_t i = 0; i < n; i++) c->vic_ev[i].d = d, c->vic_ev[i].c = cin;
    return PU_OK;
}

static int parse_prob(const char *s, const char *w, const char *field, double *out, pu_err *err) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || errno || *end || !prob_ok(v))
        return pu_fail(err, PU_ERR_INVALID, w, field, "expected a probability in [0, %g], got '%s'", KIN_DROP_MAX, s);
    *out = v;
    return PU_OK;
}

static int find_sample(const kin_case *c, const char *id) {
    for (int v = 0; v < c->nvic; v++)
        if (strcmp(c->vic[v].id, id) == 0) return v;
    return -1;
}

/* Apply one row: sample and marker may be "*" (all). */
static void apply_row(kin_case *c, int v, int m, double d, double cin, int has_c) {
    int v0 = v < 0 ? 0 : v, v1 = v < 0 ? c->nvic : v + 1;
    int m0 = m < 0 ? 0 : m, m1 = m < 0 ? c->db->n : m + 1;
    for (int i = v0; i < v1; i++)
        for (int j = m0; j < m1; j++) {
            kin_ev *e = &c->vic_ev[(size_t)i * c->db->n + j];
            e->d = d;
            if (has_c) e->c = cin;
        }
}

static int read_rows(kin_case *c, pu_csv *r, const char *name, pu_err *err) {
    const pu_csv_row *h, *row;
    int rc = pu_csv_next(r, &h, err);
    if (rc) return rc;
    if (!h) return pu_fail(err, PU_ERR_INVALID, name, NULL, "empty file: expected a header sample,marker,dropout[,dropin]");
    int cs = pu_csv_col(h, "sample"), cm = pu_csv_col(h, "marker"), cd = pu_csv_col(h, "dropout"),
        cc = pu_csv_col(h, "dropin");
    char w[PU_ERR_WHERE_MAX];
    snprintf(w, sizeof w, "%s:%llu", name, (unsigned long long)h->line);
    if (cs < 0) return pu_fail(err, PU_ERR_INVALID, w, "sample", "missing column 'sample' in the header");
    if (cm < 0) return pu_fail(err, PU_ERR_INVALID, w, "marker", "missing column 'marker' in the header");
    if (cd < 0) return pu_fail(err, PU_ERR_INVALID, w, "dropout", "missing column 'dropout' in the header");
    if ((rc = ensure_ev(c))) return rc;
    while ((rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        snprintf(w, sizeof w, "%s:%llu", name, (unsigned long long)row->line);
        const char *sid = (size_t)cs < row->n ? row->fields[cs] : "";
        const char *mname = (size_t)cm < row->n ? row->fields[cm] : "";
        const char *ds = (size_t)cd < row->n ? row->fields[cd] : "";
        const char *dc = cc >= 0 && (size_t)cc < row->n ? row->fields[cc] : "";
        int v = -1, m = -1;
        if (strcmp(sid, "*") != 0 && (v = find_sample(c, sid)) < 0)
            return pu_fail(err, PU_ERR_INVALID, w, "sample",
                           "sample '%s' is not in the post-mortem file (use * for every sample)", sid);
        if (strcmp(mname, "*") != 0 && (m = kin_db_marker(c->db, mname)) < 0) {
            if (c->db->warn)
                fprintf(c->db->warn, pu_tr("puente: warning: %s: marker '%s' is not in the frequency database; its dropout is ignored\n"),
                        w, mname);
            continue;
        }
        double d, cin = 0;
        if ((rc = parse_prob(ds, w, "dropout", &d, err))) return rc;
        if (*dc && (rc = parse_prob(dc, w, "dropin", &cin, err))) return rc;
        apply_row(c, v, m, d, cin, *dc != 0);
    }
    return rc;
}

static int read_any(kin_case *c, const char *path, const char *data, size_t len, const char *name, pu_err *err) {
    pu_csv_opts o = {.max_record = DROP_MAX_RECORD, .max_fields = DROP_MAX_FIELDS, .check_utf8 = 1};
    pu_csv *r = NULL;
    int rc = data ? pu_csv_open_mem(data, len, &o, &r, err) : pu_csv_open(path, &o, &r, err);
    if (rc) return rc;
    if (name) pu_csv_set_name(r, name);
    /* all or nothing: a refused row leaves the case as it was */
    kin_ev *saved = NULL;
    size_t n = (size_t)c->nvic * (size_t)c->db->n;
    if (c->vic_ev && n) {
        saved = malloc(n * sizeof *saved);
        if (!saved) {
            pu_csv_close(r);
            return PU_ERR_NOMEM;
        }
        memcpy(saved, c->vic_ev, n * sizeof *saved);
    }
    int had = c->vic_ev != NULL;
    rc = read_rows(c, r, pu_csv_name(r), err);
    if (rc && had && saved) memcpy(c->vic_ev, saved, n * sizeof *saved);
    if (rc && !had) {
        free(c->vic_ev);
        c->vic_ev = NULL;
    }
    free(saved);
    pu_csv_close(r);
    return rc;
}

int kin_case_read_dropout(kin_case *c, const char *path, pu_err *err) {
    return read_any(c, path, NULL, 0, NULL, err);
}

int kin_case_read_dropout_mem(kin_case *c, const char *data, size_t len, const char *name, pu_err *err) {
    return read_any(c, NULL, data ? data : "", data ? len : 0, name, err);
}
