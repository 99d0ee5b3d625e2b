/*
 * ind_def.c - indicator definitions: the CSV reader (outside input: bounded,
 * every error names file:line and the field), the tables, and manual values.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "indicators/ind_int.h"

#define IND_DEF_MAX_RECORD ((size_t)64 << 10)

static const char *const MIGRATIONS[] = {
    /* v1: definitions (framework metadata, no marking: every reader may read
     * what an indicator means) and manual values (filed by an agency, so
     * with owner and marking; each entry a version, the latest counts) */
    "CREATE TABLE ind_indicator (code TEXT PRIMARY KEY, goal TEXT NOT NULL, area TEXT NOT NULL,"
    " name_en TEXT NOT NULL, name_es TEXT NOT NULL, description_en TEXT NOT NULL, description_es TEXT NOT NULL,"
    " sentence_en TEXT NOT NULL, sentence_es TEXT NOT NULL, numerator TEXT NOT NULL, denominator TEXT NOT NULL,"
    " factor {REAL} NOT NULL, unit TEXT NOT NULL, direction {INT} NOT NULL, period TEXT NOT NULL,"
    " disaggregation TEXT NOT NULL, baseline_year {INT} NOT NULL, baseline_value {REAL}, targets TEXT NOT NULL,"
    " manual {BOOL} NOT NULL, source TEXT NOT NULL, updated {TS} NOT NULL);"
    "CREATE TABLE ind_value (id {ID}, code TEXT NOT NULL, period TEXT NOT NULL, value {REAL} NOT NULL,"
    " source TEXT NOT NULL, owner TEXT NOT NULL, marking TEXT NOT NULL, created {TS} NOT NULL);"
    "CREATE INDEX ind_value_code ON ind_value (code, period);",
};

int ind_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "indicators", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

void ind_def_free(ind_def *d) {
    if (!d) return;
    for (int l = 0; l < 2; l++) {
        free(d->name[l]); free(d->description[l]); free(d->sentence[l]);
    }
    free(d->numerator);
    free(d->denominator);
    memset(d, 0, sizeof *d);
}

void ind_defs_free(ind_def *d, size_t n) {
    if (!d) return;
    for (size_t i = 0; i < n; i++) ind_def_free(&d[i]);
    free(d);
}

/* ---- periods ---- */
int ind_periods(const char *type, int year, char out[][16]) {
    if (!strcmp(type, "quarter")) {
        for (int q = 0; q < 4; q++) snprintf(out[q], 16, "%04d-Q%d", year, q + 1);
        return 4;
    }
    if (!strcmp(type, "month")) {
        for (int m = 0; m < 12; m++) snprintf(out[m], 16, "%04d-%02d", year, m + 1);
        return 12;
    }
    snprintf(out[0], 16, "%04d", year);
    return 1;
}

int ind_period_parse(const char *period, int *year, int *month_from, int *month_to, pu_err *err) {
    int y = 0, k = 0, n = 0;
    *month_from = *month_to = 0;
    if (sscanf(period, "%4d%n", &y, &n) == 1 && n == 4 && !period[4]) {
    } else if (sscanf(period, "%4d-Q%1d%n", &y, &k, &n) == 2 && !period[n] && k >= 1 && k <= 4) {
        *month_from = 3 * k - 2;
        *month_to = 3 * k;
    } else if (sscanf(period, "%4d-%2d%n", &y, &k, &n) == 2 && !period[n] && n == 7 && k >= 1 && k <= 12) {
        *month_from = *month_to = k;
    } else {
        return pu_fail(err, PU_ERR_INVALID, NULL, "period", "expected YYYY, YYYY-Qn or YYYY-MM, got '%s'", period);
    }
    if (y < IND_YEAR_MIN || y > IND_YEAR_MAX)
        return pu_fail(err, PU_ERR_INVALID, NULL, "period", "year %d out of range %d-%d", y, IND_YEAR_MIN, IND_YEAR_MAX);
    *year = y;
    return PU_OK;
}

/* ---- the CSV reader ---- */
enum {
    F_CODE, F_GOAL, F_AREA, F_NAME_EN, F_NAME_ES, F_DESC_EN, F_DESC_ES, F_SENT_EN, F_SENT_ES, F_NUM, F_DEN,
    F_FACTOR, F_UNIT, F_DIRECTION, F_PERIOD, F_DISAGG, F_BASE_YEAR, F_BASE_VALUE, F_TARGETS, F_MANUAL, F_SOURCE, F_N
};
static const pu_col COLS[F_N] = {
    {"code", NULL, PU_COL_REQUIRED},           {"goal", NULL, PU_COL_REQUIRED},
    {"area", NULL, PU_COL_REQUIRED},           {"name_en", NULL, PU_COL_REQUIRED},
    {"name_es", NULL, PU_COL_REQUIRED},        {"description_en", NULL, 0},
    {"description_es", NULL, 0},               {"sentence_en", NULL, PU_COL_REQUIRED},
    {"sentence_es", NULL, PU_COL_REQUIRED},    {"numerator", NULL, 0},
    {"denominator", NULL, 0},                  {"factor", NULL, 0},
    {"unit", NULL, 0},                         {"direction", NULL, 0},
    {"period", NULL, 0},                       {"disaggregation", NULL, 0},
    {"baseline_year", NULL, 0},                {"baseline_value", NULL, 0},
    {"targets", NULL, 0},                      {"manual", NULL, 0},
    {"source", NULL, 0},
};

typedef struct row_in {
    const pu_csv_row *row;
    const int *idx;
    char where[PU_ERR_WHERE_MAX];
    pu_err *err;
} row_in;

static const char *field(const row_in *r, int f) {
    int i = r->idx[f];
    return i >= 0 && (size_t)i < r->row->n ? r->row->fields[i] : "";
}

static int bad(const row_in *r, int f, const char *expected, const char *got) {
    return pu_fail(r->err, PU_ERR_INVALID, r->where, COLS[f].name, "expected %s, got '%s'", expected, got);
}

static int text(const row_in *r, int f, size_t max, int required, char **out) {
    const char *v = field(r, f);
    if (required && !*v) return bad(r, f, "a value", v);
    if (strlen(v) >= max) return pu_fail(r->err, PU_ERR_LIMIT, r->where, COLS[f].name, "longer than %zu bytes", max - 1);
    *out = pu_strdup(v);
    return *out ? PU_OK : pu_fail(r->err, PU_ERR_NOMEM, r->where, COLS[f].name, "out of memory");
}

static int copy(const row_in *r, int f, char *out, size_t size) {
    const char *v = field(r, f);
    if (strlen(v) >= size) return pu_fail(r->err, PU_ERR_LIMIT, r->where, COLS[f].name, "longer than %zu bytes", size - 1);
    pu_strlcpy(out, v, size);
    return PU_OK;
}

static int number(const row_in *r, int f, double def, double *out) {
    const char *v = field(r, f);
    if (!*v) {
        *out = def;
        return PU_OK;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || *end || !isfinite(d)) return bad(r, f, "a number", v);
    *out = d;
    return PU_OK;
}

static int one_of(const char *v, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (!strcmp(v, list[i])) return i;
    return -1;
}

static int check_code(const row_in *r, const char *v) {
    size_t n = strlen(v);
    if (!n || n >= IND_CODE_MAX) return bad(r, F_CODE, "a code of 1-31 characters", v);
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return bad(r, F_CODE, "letters, digits, '-', '_' or '.'", v);
    }
    return PU_OK;
}

static int check_formula(const row_in *r, int f, const char *v) {
    if (!*v) return PU_OK;
    ind_expr *e = NULL;
    int rc = ind_expr_parse(v, strlen(v), r->where, COLS[f].name, &e, r->err);
    ind_expr_free(e);
    return rc;
}

static int check_disagg(const row_in *r, const char *v) {
    char buf[48];
    pu_strlcpy(buf, v, sizeof buf);
    char *save = NULL;
    static const char *const DIMS[] = {"country", "state", "agency", NULL};
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
        if (one_of(t, DIMS) < 0) return bad(r, F_DISAGG, "a ';' list of country, state, agency", v);
    return PU_OK;
}

static int parse_targets(const row_in *r, ind_def *d) {
    char buf[512];
    const char *v = field(r, F_TARGETS);
    if (strlen(v) >= sizeof buf) return pu_fail(r->err, PU_ERR_LIMIT, r->where, "targets", "longer than %zu bytes", sizeof buf - 1);
    pu_strlcpy(buf, v, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(t, '=');
        int y, mf, mt;
        pu_err e2;
        if (!eq) return bad(r, F_TARGETS, "PERIOD=VALUE;... (2025=120)", t);
        *eq = '\0';
        if (d->ntargets >= IND_MAX_TARGETS) return bad(r, F_TARGETS, "at most 16 targets", v);
        if (ind_period_parse(t, &y, &mf, &mt, &e2)) return bad(r, F_TARGETS, "a period YYYY, YYYY-Qn or YYYY-MM", t);
        char *end;
        double x = strtod(eq + 1, &end);
        if (end == eq + 1 || *end || !isfinite(x)) return bad(r, F_TARGETS, "a number after '='", eq + 1);
        pu_strlcpy(d->targets[d->ntargets].period, t, sizeof d->targets[0].period);
        d->targets[d->ntargets++].value = x;
    }
    return PU_OK;
}

static int parse_enums(const row_in *r, ind_def *d) {
    static const char *const GOALS[] = {"protect", "prevent", "pursue", NULL};
    static const char *const PERIODS[] = {"year", "quarter", "month", NULL};
    static const char *const DIRS[] = {"up", "down", NULL};
    static const char *const MANUAL[] = {"0", "1", "no", "yes", NULL};
    const char *v = field(r, F_GOAL);
    if (one_of(v, GOALS) < 0) return bad(r, F_GOAL, "protect, prevent or pursue", v);
    pu_strlcpy(d->goal, v, sizeof d->goal);
    v = *field(r, F_PERIOD) ? field(r, F_PERIOD) : "year";
    if (one_of(v, PERIODS) < 0) return bad(r, F_PERIOD, "year, quarter or month", v);
    pu_strlcpy(d->period, v, sizeof d->period);
    v = *field(r, F_DIRECTION) ? field(r, F_DIRECTION) : "up";
    if (one_of(v, DIRS) < 0) return bad(r, F_DIRECTION, "up or down", v);
    d->direction = !strcmp(v, "up") ? 1 : -1;
    v = *field(r, F_MANUAL) ? field(r, F_MANUAL) : "0";
    int m = one_of(v, MANUAL);
    if (m < 0) return bad(r, F_MANUAL, "0 or 1", v);
    d->manual = m % 2;
    return PU_OK;
}

static int parse_baseline(const row_in *r, ind_def *d) {
    double y;
    int rc = number(r, F_BASE_YEAR, 0, &y);
    if (rc) return rc;
    if (y != 0 && (y != floor(y) || y < IND_YEAR_MIN || y > IND_YEAR_MAX))
        return bad(r, F_BASE_YEAR, "a year 1990-2100", field(r, F_BASE_YEAR));
    d->baseline_year = (int)y;
    return number(r, F_BASE_VALUE, NAN, &d->baseline_value);
}

static int parse_row(const row_in *r, ind_def *d) {
    int rc = check_code(r, field(r, F_CODE));
    if (!rc) pu_strlcpy(d->code, field(r, F_CODE), sizeof d->code);
    if (!rc) rc = parse_enums(r, d);
    if (!rc) rc = copy(r, F_AREA, d->area, sizeof d->area);
    if (!rc && !*d->area) rc = bad(r, F_AREA, "a value", "");
    for (int l = 0; l < 2 && !rc; l++) {
        rc = text(r, F_NAME_EN + l, IND_TEXT_MAX, 1, &d->name[l]);
        if (!rc) rc = text(r, F_DESC_EN + l, IND_TEXT_MAX, 0, &d->description[l]);
        if (!rc) rc = text(r, F_SENT_EN + l, IND_TEXT_MAX, 1, &d->sentence[l]);
    }
    if (!rc) rc = text(r, F_NUM, IND_FORMULA_MAX + 1, 0, &d->numerator);
    if (!rc) rc = text(r, F_DEN, IND_FORMULA_MAX + 1, 0, &d->denominator);
    if (!rc) rc = check_formula(r, F_NUM, d->numerator);
    if (!rc) rc = check_formula(r, F_DEN, d->denominator);
    if (!rc && !d->manual && !*d->numerator) rc = bad(r, F_NUM, "a formula (or manual = 1)", "");
    if (!rc) rc = number(r, F_FACTOR, 1, &d->factor);
    if (!rc && d->factor <= 0) rc = bad(r, F_FACTOR, "a positive number", field(r, F_FACTOR));
    if (!rc) rc = copy(r, F_UNIT, d->unit, sizeof d->unit);
    if (!rc) rc = copy(r, F_DISAGG, d->disaggregation, sizeof d->disaggregation);
    if (!rc) rc = check_disagg(r, d->disaggregation);
    if (!rc) rc = parse_baseline(r, d);
    if (!rc) rc = parse_targets(r, d);
    if (!rc) rc = copy(r, F_SOURCE, d->source, sizeof d->source);
    return rc;
}

static int read_all(pu_csv *csv, ind_def **out, size_t *n, pu_err *err) {
    const pu_csv_row *row;
    int idx[F_N], rc = pu_csv_next(csv, &row, err);
    if (rc) return rc;
    if (!row) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(csv), NULL, "empty file: expected a header row");
    if ((rc = pu_csv_header(pu_csv_name(csv), row, COLS, F_N, PU_UNKNOWN_ERROR, idx, NULL, err))) return rc;
    ind_def *defs = NULL;
    size_t k = 0;
    while (!(rc = pu_csv_next(csv, &row, err)) && row) {
        if (k >= IND_MAX_DEFS) {
            rc = pu_fail(err, PU_ERR_LIMIT, pu_csv_name(csv), NULL, "more than %d indicators", IND_MAX_DEFS);
            break;
        }
        ind_def *grown = realloc(defs, (k + 1) * sizeof *defs);
        if (!grown) { rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); break; }
        defs = grown;
        memset(&defs[k], 0, sizeof defs[k]);
        row_in r = {.row = row, .idx = idx, .err = err};
        snprintf(r.where, sizeof r.where, "%s:%llu", pu_csv_name(csv), (unsigned long long)row->line);
        rc = parse_row(&r, &defs[k++]);
        for (size_t j = 0; !rc && j + 1 < k; j++)
            if (!strcmp(defs[j].code, defs[k - 1].code)) rc = bad(&r, F_CODE, "a code not used above", defs[k - 1].code);
        if (rc) break;
    }
    if (rc) {
        ind_defs_free(defs, k);
        return rc;
    }
    *out = defs;
    *n = k;
    return PU_OK;
}

static int read_csv(pu_csv *csv, ind_def **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    int rc = read_all(csv, out, n, err);
    pu_csv_close(csv);
    return rc;
}

int ind_defs_read(const char *path, ind_def **out, size_t *n, pu_err *err) {
    pu_csv_opts o = {.check_utf8 = 1, .strict_quotes = 1, .max_record = IND_DEF_MAX_RECORD};
    pu_csv *csv;
    int rc = pu_csv_open(path, &o, &csv, err);
    return rc ? rc : read_csv(csv, out, n, err);
}

int ind_defs_read_mem(const char *data, size_t len, const char *name, ind_def **out, size_t *n, pu_err *err) {
    pu_csv_opts o = {.check_utf8 = 1, .strict_quotes = 1, .max_record = IND_DEF_MAX_RECORD};
    pu_csv *csv;
    int rc = pu_csv_open_mem(data, len, &o, &csv, err);
    if (rc) return rc;
    if (name) pu_csv_set_name(csv, name);
    return read_csv(csv, out, n, err);
}

/* ---- the tables ---- */
static void targets_text(const ind_def *d, char *out, size_t size) {
    out[0] = '\0';
    for (size_t i = 0; i < d->ntargets; i++) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%s=%.17g", i ? ";" : "", d->targets[i].period, d->targets[i].value);
    }
}

static int put_one(db_t *db, const ind_def *d, const char *now, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO ind_indicator (code, goal, area, name_en, name_es, description_en, description_es,"
                            " sentence_en, sentence_es, numerator, denominator, factor, unit, direction, period,"
                            " disaggregation, baseline_year, baseline_value, targets, manual, source, updated)"
                            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (code) DO UPDATE SET"
                            " goal = excluded.goal, area = excluded.area, name_en = excluded.name_en,"
                            " name_es = excluded.name_es, description_en = excluded.description_en,"
                            " description_es = excluded.description_es, sentence_en = excluded.sentence_en,"
                            " sentence_es = excluded.sentence_es, numerator = excluded.numerator,"
                            " denominator = excluded.denominator, factor = excluded.factor, unit = excluded.unit,"
                            " direction = excluded.direction, period = excluded.period,"
                            " disaggregation = excluded.disaggregation, baseline_year = excluded.baseline_year,"
                            " baseline_value = excluded.baseline_value, targets = excluded.targets,"
                            " manual = excluded.manual, source = excluded.source, updated = excluded.updated",
                        &st, err);
    if (rc) return rc;
    char targets[512];
    targets_text(d, targets, sizeof targets);
    const char *texts[] = {d->code, d->goal, d->area, d->name[0], d->name[1], d->description[0], d->description[1],
                           d->sentence[0], d->sentence[1], d->numerator, d->denominator};
    for (int i = 0; i < 11; i++) db_bind_text(st, i + 1, texts[i], -1);
    db_bind_double(st, 12, d->factor);
    db_bind_text(st, 13, d->unit, -1);
    db_bind_int64(st, 14, d->direction);
    db_bind_text(st, 15, d->period, -1);
    db_bind_text(st, 16, d->disaggregation, -1);
    db_bind_int64(st, 17, d->baseline_year);
    if (isnan(d->baseline_value)) db_bind_null(st, 18);
    else db_bind_double(st, 18, d->baseline_value);
    db_bind_text(st, 19, targets, -1);
    db_bind_int64(st, 20, d->manual);
    db_bind_text(st, 21, d->source, -1);
    db_bind_text(st, 22, now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

int ind_defs_put(db_t *db, const ind_def *d, size_t n, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    int rc = db_begin(db, err);
    for (size_t i = 0; i < n && !rc; i++) rc = put_one(db, &d[i], now, err);
    if (!rc) rc = store_generation_bump(db, "indicators", err);
    if (!rc) return db_commit(db, err);
    db_rollback(db);
    return rc;
}

static int load_row(db_stmt *st, ind_def *d, pu_err *err) {
    memset(d, 0, sizeof *d);
    pu_strlcpy(d->code, db_col_text(st, 0), sizeof d->code);
    pu_strlcpy(d->goal, db_col_text(st, 1), sizeof d->goal);
    pu_strlcpy(d->area, db_col_text(st, 2), sizeof d->area);
    char **texts[] = {&d->name[0], &d->name[1], &d->description[0], &d->description[1], &d->sentence[0],
                      &d->sentence[1], &d->numerator, &d->denominator};
    for (int i = 0; i < 8; i++)
        if (!(*texts[i] = pu_strdup(db_col_text(st, 3 + i)))) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    d->factor = db_col_double(st, 11);
    pu_strlcpy(d->unit, db_col_text(st, 12), sizeof d->unit);
    d->direction = (int)db_col_int64(st, 13);
    pu_strlcpy(d->period, db_col_text(st, 14), sizeof d->period);
    pu_strlcpy(d->disaggregation, db_col_text(st, 15), sizeof d->disaggregation);
    d->baseline_year = (int)db_col_int64(st, 16);
    d->baseline_value = db_col_isnull(st, 17) ? NAN : db_col_double(st, 17);
    char buf[512];
    pu_strlcpy(buf, db_col_text(st, 18), sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t && d->ntargets < IND_MAX_TARGETS; t = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) continue;
        *eq = '\0';
        pu_strlcpy(d->targets[d->ntargets].period, t, sizeof d->targets[0].period);
        d->targets[d->ntargets++].value = strtod(eq + 1, NULL);
    }
    d->manual = (int)db_col_int64(st, 19);
    pu_strlcpy(d->source, db_col_text(st, 20), sizeof d->source);
    return PU_OK;
}

int ind_defs_load(db_t *db, ind_def **out, size_t *n, pu_err *err) {
    *out = NULL;
    *n = 0;
    db_stmt *st;
    int rc = db_prepare(db, "SELECT code, goal, area, name_en, name_es, description_en, description_es, sentence_en,"
                            " sentence_es, numerator, denominator, factor, unit, direction, period, disaggregation,"
                            " baseline_year, baseline_value, targets, manual, source FROM ind_indicator"
                            " ORDER BY CASE goal WHEN 'protect' THEN 1 WHEN 'prevent' THEN 2 ELSE 3 END, code",
                        &st, err);
    if (rc) return rc;
    ind_def *defs = NULL;
    size_t k = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        ind_def *g = realloc(defs, (k + 1) * sizeof *defs);
        if (!g) { rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); break; }
        defs = g;
        if ((rc = load_row(st, &defs[k++], err))) break;
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        ind_defs_free(defs, k);
        return rc;
    }
    *out = defs;
    *n = k;
    return PU_OK;
}

/* ---- manual values ---- */
static int code_exists(db_t *db, const char *code, int *manual, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT manual FROM ind_indicator WHERE code = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, code, -1);
    rc = db_step(st, err);
    if (rc == DB_ROW) *manual = (int)db_col_int64(st, 0);
    db_finalize(st);
    if (rc == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "code", "no indicator '%s'", code);
    return rc == DB_ROW ? PU_OK : rc;
}

int ind_value_add(db_t *db, const store_scope *scope, const char *code, const char *period, double value,
                  const char *source, const char *owner, const char *marking, pu_err *err) {
    int y, mf, mt, manual = 0;
    store_marking m;
    if (!marking || !*marking) marking = STORE_DEFAULT_MARKING;
    int rc = ind_period_parse(period, &y, &mf, &mt, err);
    if (!rc && (!source || pu_blank(source)))
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "source", "a manual value needs its source (--source)");
    if (!rc && !isfinite(value)) rc = pu_fail(err, PU_ERR_INVALID, NULL, "value", "expected a finite number");
    if (!rc && (!owner || !*owner)) rc = pu_fail(err, PU_ERR_INVALID, NULL, "owner", "a manual value needs an owner agency (--owner)");
    if (!rc) rc = store_marking_parse(marking, "marking", &m, err);
    if (!rc) rc = store_check_act_for(scope, owner, err);
    if (!rc) rc = store_check_file(scope, m, err);
    if (!rc) rc = code_exists(db, code, &manual, err);
    if (!rc && !manual)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "code", "indicator '%s' is computed from the data, not entered", code);
    if (rc) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    if ((rc = db_begin(db, err))) return rc;
    db_stmt *st;
    rc = db_prepare(db, "INSERT INTO ind_value (code, period, value, source, owner, marking, created)"
                        " VALUES (?,?,?,?,?,?,?)", &st, err);
    if (!rc) {
        db_bind_text(st, 1, code, -1);
        db_bind_text(st, 2, period, -1);
        db_bind_double(st, 3, value);
        db_bind_text(st, 4, source, -1);
        db_bind_text(st, 5, owner, -1);
        db_bind_text(st, 6, store_marking_name(m), -1);
        db_bind_text(st, 7, now, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = store_generation_bump(db, "indicators", err);
    if (!rc) return db_commit(db, err);
    db_rollback(db);
    return rc;
}
