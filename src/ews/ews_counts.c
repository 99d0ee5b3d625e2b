/*
 * ews_counts.c - the "date,count" weekly series reader and the detection
 * CSV writer. Outside input: every rejection names file:line and the field.
 */
#include "common/pu_parse.h"
#include "ews/ews.h"
#include "common/pu_io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COUNTS_MAX_WEEKS 10000000

void ews_counts_free(ews_counts *c) {
    if (!c) return;
    free(c->y); free(c->days); free(c->week);
    free(c);
}

static int parse_int64(const char *s, int64_t *out) {
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int grow(ews_counts *c, size_t *cap) {
    if (c->n < *cap) return PU_OK;
    size_t nc = *cap ? *cap * 2 : 256;
    double *y = realloc(c->y, nc * sizeof *y);
    if (!y) return PU_ERR_NOMEM;
    c->y = y;
    int64_t *d = realloc(c->days, nc * sizeof *d);
    if (!d) return PU_ERR_NOMEM;
    c->days = d;
    int64_t *w = realloc(c->week, nc * sizeof *w);
    if (!w) return PU_ERR_NOMEM;
    c->week = w;
    *cap = nc;
    return PU_OK;
}

/* One week row into c (validated against the previous row of the same series). */
typedef struct row_state { size_t cap; int kind; /* 1 ISO date, 2 week index */ } row_state;

static int add_row(ews_counts *c, row_state *st, const char *dsv, const char *csv, const char *where, pu_err *err) {
    int rc;
    if (c->n >= COUNTS_MAX_WEEKS) return pu_fail(err, PU_ERR_LIMIT, where, NULL, "more than %d weeks", COUNTS_MAX_WEEKS);
    if ((rc = grow(c, &st->cap))) return pu_fail(err, rc, where, NULL, "out of memory");
    char ds[64], cs[64];
    pu_strlcpy(ds, dsv, sizeof ds);
    pu_strlcpy(cs, csv, sizeof cs);
    pu_trim(ds);
    pu_trim(cs);
    int64_t v;
    int k;
    pu_err de;
    if (parse_int64(ds, &v) == 0) k = 2;
    else if (pu_date_parse_days(ds, where, "date", &v, &de) == PU_OK) k = 1;
    else /* the shared parser's reason (a suggestion for 18/11/1970), and the other accepted form */
        return pu_fail(err, PU_ERR_INVALID, where, "date", "%s; or an integer week index", de.msg);
    if (st->kind && k != st->kind)
        return pu_fail(err, PU_ERR_INVALID, where, "date", "mixes ISO dates and week indexes; use one kind for the whole file");
    st->kind = k;
    if (c->n > 0) {
        int64_t prev = k == 1 ? c->days[c->n - 1] : c->week[c->n - 1];
        int64_t step = k == 1 ? 7 : 1;
        char pb[24] = "";
        if (k == 1) pu_format_date(prev, pb, sizeof pb);
        else snprintf(pb, sizeof pb, "%lld", (long long)prev);
        if (v == prev)
            return pu_fail(err, PU_ERR_INVALID, where, "date", "duplicate week '%s' (already on the previous row)", ds);
        if (v < prev)
            return pu_fail(err, PU_ERR_INVALID, where, "date",
                           "dates out of order: '%s' comes after '%s'; sort the file by date", ds, pb);
        if (v - prev != step)
            return pu_fail(err, PU_ERR_INVALID, where, "date",
                           k == 1 ? "expected the week after '%s' (7 days later), got '%s': write 0 for weeks "
                                    "without reports and keep one weekday"
                                  : "expected week %s + 1, got '%s': write 0 for weeks without reports",
                           pb, ds);
    }
    char *end;
    errno = 0;
    double y = strtod(cs, &end);
    if (!*cs || errno || *end || !isfinite(y))
        return pu_fail(err, PU_ERR_INVALID, where, "count", "expected a number of reports, got '%s'", cs);
    if (y < 0) return pu_fail(err, PU_ERR_INVALID, where, "count", "negative count %s: counts are >= 0", cs);
    c->y[c->n] = y;
    c->days[c->n] = k == 1 ? v : 0;
    c->week[c->n] = k == 2 ? v : (int64_t)c->n + 1;
    c->n++;
    return PU_OK;
}

static void finish_kind(ews_counts *c, int kind) {
    if (kind == 2) {
        free(c->days);
        c->days = NULL;
    }
}

/* Header: date and count required; returns the series column or -1. */
static int read_header(pu_csv *r, int *cd, int *cn, int *cs, pu_err *err) {
    const pu_csv_row *row;
    int rc = pu_csv_next(r, &row, err);
    if (rc) return rc;
    if (!row) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "header", "empty file: expected a header 'date,count'");
    *cd = pu_csv_col(row, "date");
    *cn = pu_csv_col(row, "count");
    *cs = pu_csv_col(row, "series");
    if (*cd < 0 || *cn < 0) {
        char where[PU_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        return pu_fail(err, PU_ERR_INVALID, where, *cd < 0 ? "date" : "count",
                       "expected a header with columns 'date' and 'count'");
    }
    return PU_OK;
}

static int read_rows(pu_csv *r, ews_counts *c, pu_err *err) {
    const pu_csv_row *row;
    char where[PU_ERR_WHERE_MAX];
    int cd, cn, cs;
    int rc = read_header(r, &cd, &cn, &cs, err);
    if (rc) return rc;
    row_state st = {0, 0};
    for (;;) {
        rc = pu_csv_next(r, &row, err);
        if (rc) return rc;
        if (!row) break;
        snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        if ((size_t)cd >= row->n || (size_t)cn >= row->n)
            return pu_fail(err, PU_ERR_INVALID, where, "count", "expected %d fields, got %zu",
                           (cd > cn ? cd : cn) + 1, row->n);
        if ((rc = add_row(c, &st, row->fields[cd], row->fields[cn], where, err))) return rc;
    }
    if (c->n == 0) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "count", "no weeks after the header");
    finish_kind(c, st.kind);
    return PU_OK;
}

static int counts_from(pu_csv *r, ews_counts **out, pu_err *err) {
    ews_counts *c = calloc(1, sizeof *c);
    if (!c) {
        pu_csv_close(r);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    int rc = read_rows(r, c, err);
    pu_csv_close(r);
    if (rc) {
        ews_counts_free(c);
        return rc;
    }
    *out = c;
    return PU_OK;
}

static const pu_csv_opts counts_opts = {.delim = ',', .max_record = 4096, .max_fields = 64, .strict_quotes = 1};

int ews_counts_read(const char *path, ews_counts **out, pu_err *err) {
    *out = NULL;
    pu_csv *r;
    int rc = pu_csv_open(path, &counts_opts, &r, err);
    if (rc) return rc;
    return counts_from(r, out, err);
}

int ews_counts_read_mem(const char *data, size_t n, ews_counts **out, pu_err *err) {
    *out = NULL;
    pu_csv *r;
    int rc = pu_csv_open_mem(data, n, &counts_opts, &r, err);
    if (rc) return rc;
    return counts_from(r, out, err);
}

/* ---- many series in one file ---- */

void ews_counts_set_free(ews_counts_set *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        ews_counts_free(s->series[i]);
    }
    free(s->names);
    free(s->series);
    free(s->hash);
    free(s);
}

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* 1 if name was seen before (else records it). Open addressing on indexes+1. */
static int seen(ews_counts_set *s, const char *name, int *nomem) {
    if (2 * (s->n + 1) > s->hcap) {
        size_t nc = s->hcap ? s->hcap * 2 : 1024;
        size_t *nh = calloc(nc, sizeof *nh);
        if (!nh) { *nomem = 1; return 0; }
        for (size_t i = 0; i < s->hcap; i++)
            if (s->hash[i]) {
                size_t j = fnv(s->names[s->hash[i] - 1]) & (nc - 1);
                while (nh[j]) j = (j + 1) & (nc - 1);
                nh[j] = s->hash[i];
            }
        free(s->hash);
        s->hash = nh;
        s->hcap = nc;
    }
    size_t j = fnv(name) & (s->hcap - 1);
    while (s->hash[j]) {
        if (strcmp(s->names[s->hash[j] - 1], name) == 0) return 1;
        j = (j + 1) & (s->hcap - 1);
    }
    return 0;
}

static int set_add(ews_counts_set *s, const char *name, size_t *cap) {
    int nomem = 0;
    if (seen(s, name, &nomem) || nomem) return nomem ? PU_ERR_NOMEM : PU_ERR_CONFLICT;
    if (s->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nn = realloc(s->names, nc * sizeof *nn);
        if (!nn) return PU_ERR_NOMEM;
        s->names = nn;
        ews_counts **ns = realloc(s->series, nc * sizeof *ns);
        if (!ns) return PU_ERR_NOMEM;
        s->series = ns;
        *cap = nc;
    }
    s->names[s->n] = pu_strdup(name);
    s->series[s->n] = calloc(1, sizeof(ews_counts));
    if (!s->names[s->n] || !s->series[s->n]) {
        free(s->names[s->n]);
        free(s->series[s->n]);
        return PU_ERR_NOMEM;
    }
    size_t j = fnv(name) & (s->hcap - 1);
    while (s->hash[j]) j = (j + 1) & (s->hcap - 1);
    s->hash[j] = s->n + 1;
    s->n++;
    return PU_OK;
}

static int read_set(pu_csv *r, ews_counts_set *s, pu_err *err) {
    const pu_csv_row *row;
    char where[PU_ERR_WHERE_MAX];
    int cd, cn, cs;
    int rc = read_header(r, &cd, &cn, &cs, err);
    if (rc) return rc;
    size_t cap = 0;
    row_state st = {0, 0};
    int kind = 0;
    for (;;) {
        rc = pu_csv_next(r, &row, err);
        if (rc) return rc;
        if (!row) break;
        snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
        int need = cd > cn ? cd : cn;
        if (cs > need) need = cs;
        if ((size_t)need >= row->n)
            return pu_fail(err, PU_ERR_INVALID, where, "count", "expected %d fields, got %zu", need + 1, row->n);
        const char *name = cs >= 0 ? row->fields[cs] : "";
        if (s->n == 0 || strcmp(s->names[s->n - 1], name) != 0) {
            if (s->n) finish_kind(s->series[s->n - 1], st.kind);
            rc = set_add(s, name, &cap);
            if (rc == PU_ERR_CONFLICT)
                return pu_fail(err, PU_ERR_INVALID, where, "series",
                               "series '%s' appears again after other series; keep the rows of a series together", name);
            if (rc) return pu_fail(err, rc, where, NULL, "out of memory");
            st.cap = 0;
            st.kind = kind;   /* one date kind for the whole file */
        }
        if ((rc = add_row(s->series[s->n - 1], &st, row->fields[cd], row->fields[cn], where, err))) return rc;
        kind = st.kind;
    }
    if (s->n == 0) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), "count", "no weeks after the header");
    finish_kind(s->series[s->n - 1], st.kind);
    s->has_names = cs >= 0;
    return PU_OK;
}

int ews_counts_read_set(const char *path, ews_counts_set **out, pu_err *err) {
    *out = NULL;
    pu_csv *r;
    int rc = pu_csv_open(path, &counts_opts, &r, err);
    if (rc) return rc;
    ews_counts_set *s = calloc(1, sizeof *s);
    if (!s) {
        pu_csv_close(r);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    rc = read_set(r, s, err);
    pu_csv_close(r);
    if (rc) {
        ews_counts_set_free(s);
        return rc;
    }
    *out = s;
    return PU_OK;
}

int ews_result_write_csv(FILE *f, const ews_counts *c, const ews_result *r, pu_err *err) {
    fputs("date,count,upperbound,alarm\n", f);
    return ews_result_write_rows(f, NULL, c, r, err);
}

/* CSV-quote a series name when needed. */
static void put_name(FILE *f, const char *s) { pu_csv_write_field(f, s); }

int ews_result_write_rows(FILE *f, const char *series, const ews_counts *c, const ews_result *r, pu_err *err) {
    for (size_t i = 0; i < c->n; i++) {
        char d[16];
        if (series) {
            put_name(f, series);
            fputc(',', f);
        }
        if (c->days) pu_format_date(c->days[i], d, sizeof d);
        else snprintf(d, sizeof d, "%lld", (long long)c->week[i]);
        fprintf(f, "%s,%.17g,", d, c->y[i]);
        if (r && i < r->n && !isnan(r->upper[i])) fprintf(f, "%.17g", r->upper[i]);
        fputc(',', f);
        if (r && i < r->n && r->alarm[i] >= 0) fputc(r->alarm[i] ? '1' : '0', f);
        fputc('\n', f);
    }
    if (fflush(f) != 0 || ferror(f)) return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the output");
    return PU_OK;
}
