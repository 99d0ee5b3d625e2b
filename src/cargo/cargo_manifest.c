/* cargo_manifest.c - manifest readers: CSV, JSON lines and one JSON document
 * (an object or an array of objects); bounded, every error names file:line
 * (or file:record for a JSON array) and the field. */
#include "cargo/cargo_int.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_parse.h"

enum { M_AWB, M_HAWB, M_SHIP_NAME, M_SHIP_ADDR, M_SHIP_CTRY, M_CONS_NAME, M_CONS_ADDR, M_CONS_CTRY,
       M_NOTIFY_NAME, M_NOTIFY_ADDR, M_DESC, M_HS, M_PIECES, M_WEIGHT, M_VALUE, M_ORIGIN, M_ORIGIN_CTRY,
       M_TRANS, M_DEST, M_DEST_CTRY, M_CARRIER, M_FORWARDER, M_DEP_DATE, M_ARR_DATE, M_NCOLS };

static const char *const MCOLS[M_NCOLS + 1] = {
    "awb", "hawb", "shipper_name", "shipper_address", "shipper_country", "consignee_name",
    "consignee_address", "consignee_country", "notify_name", "notify_address", "description",
    "hs_code", "pieces", "weight_kg", "value_usd", "origin", "origin_country", "transshipment",
    "destination", "destination_country", "carrier", "forwarder", "departure_date", "arrival_date", NULL};

const char *const *cargo_manifest_columns(void) { return MCOLS; }

struct cargo_reader {
    int jsonl;
    int strict;          /* unknown columns/keys are errors (API), not warnings */
    json_t *doc;         /* CARGO_FMT_JSON: the parsed document */
    size_t doc_i, doc_n; /* next record, number of records */
    pu_csv *csv;
    pu_lines *lines;
    FILE *warn;
    int map[M_NCOLS];
    int header_done;
    size_t ncols_header;
    const char *vals[M_NCOLS];
    json_t *root;
    char numbuf[3][64];
    cargo_manifest m;
    pu_buf raw, trans;
    cargo_strset warned;
    cargo_issue issues[CARGO_MAX_ISSUES]; /* bad fields of the current line */
    long pieces;                 /* parsed values of the current line (-1: not given) */
    double weight, value;
    char ctry[4][3];             /* normalised countries of the current line */
    size_t nissues;
    char name[PU_ERR_WHERE_MAX / 2];
};

static int reader_new(cargo_reader **out, int jsonl, FILE *warn) {
    cargo_reader *r = calloc(1, sizeof *r);
    if (!r) return PU_ERR_NOMEM;
    r->jsonl = jsonl;
    r->warn = warn;
    pu_buf_init(&r->raw, CARGO_MAX_RECORD + 1024);
    pu_buf_init(&r->trans, CARGO_MAX_FIELD);
    for (int k = 0; k < M_NCOLS; k++) r->map[k] = -1;
    *out = r;
    return PU_OK;
}

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && pu_strieq(s + a - b, suf);
}

/* First non-space byte of a file (EOF when unreadable). */
static int sniff_first(const char *path) {
    if (strcmp(path, "-") == 0) return EOF;
    FILE *f = fopen(path, "rb");
    if (!f) return EOF;
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c)) {}
    fclose(f);
    return c;
}

static int sniff_jsonl(const char *path) {
    if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json")) return 1;
    if (ends_with(path, ".csv") || strcmp(path, "-") == 0) return 0;
    int c = sniff_first(path);
    return c == '{' || c == '[';
}

/* A whole JSON document: one manifest object or an array of them. Bounded by
 * CARGO_MAX_JSON_DOC (larger manifests belong in JSON lines, read streaming). */
static int open_doc(cargo_reader *r, const char *path, const char *data, size_t n, pu_err *err) {
    pu_strlcpy(r->name, path ? path : "<memory>", sizeof r->name);
    uint64_t size = data ? n : pu_file_size(path);
    if (size > CARGO_MAX_JSON_DOC)
        return pu_fail(err, PU_ERR_LIMIT, r->name, "json",
                       "a JSON document of %llu bytes; the cap is %u bytes (use JSON lines for larger manifests)",
                       (unsigned long long)size, CARGO_MAX_JSON_DOC);
    json_error_t je;
    /* jansson rejects invalid UTF-8 itself, with line and column */
    r->doc = data ? json_loadb(data, n, JSON_REJECT_DUPLICATES, &je) : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!r->doc)
        return pu_fail(err, PU_ERR_INVALID, r->name, "json", "line %d column %d: %s; expected one manifest object or an array of them",
                       je.line, je.column, je.text);
    if (json_is_object(r->doc)) r->doc_n = 1;
    else if (json_is_array(r->doc)) r->doc_n = json_array_size(r->doc);
    else
        return pu_fail(err, PU_ERR_INVALID, r->name, "json", "expected one manifest object or an array of them");
    return PU_OK;
}

static int open_common(cargo_reader *r, const char *path, const char *data, size_t n, pu_err *err) {
    int rc;
    if (r->jsonl == 2) return open_doc(r, path, data, n, err);
    if (r->jsonl)
        rc = data ? pu_lines_open_mem(data, n, CARGO_MAX_RECORD, &r->lines, err)
                  : pu_lines_open(path, CARGO_MAX_RECORD, &r->lines, err);
    else {
        /* strict: malformed quoting (also an unclosed quote at the end) is an error */
        pu_csv_opts o = {.max_record = CARGO_MAX_RECORD, .max_fields = 256, .strict_quotes = r->strict};
        rc = data ? pu_csv_open_mem(data, n, &o, &r->csv, err) : pu_csv_open(path, &o, &r->csv, err);
    }
    if (!rc) pu_strlcpy(r->name, r->jsonl ? pu_lines_name(r->lines) : pu_csv_name(r->csv), sizeof r->name);
    return rc;
}

int cargo_reader_open(const char *path, cargo_format fmt, FILE *warn, cargo_reader **out, pu_err *err) {
    *out = NULL;
    cargo_reader *r;
    int jsonl = fmt == CARGO_FMT_JSON ? 2 : fmt == CARGO_FMT_JSONL || (fmt == CARGO_FMT_AUTO && sniff_jsonl(path));
    if (fmt == CARGO_FMT_AUTO && jsonl && sniff_first(path) == '[') jsonl = 2;
    if (reader_new(&r, jsonl, warn)) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    int rc = open_common(r, path, NULL, 0, err);
    if (rc) { cargo_reader_close(r); return rc; }
    *out = r;
    return PU_OK;
}

int cargo_reader_open_mem(const char *data, size_t n, cargo_format fmt, FILE *warn, cargo_reader **out, pu_err *err) {
    return cargo_reader_open_mem_ex(data, n, fmt, warn, 0, out, err);
}

int cargo_reader_open_mem_ex(const char *data, size_t n, cargo_format fmt, FILE *warn, int strict, cargo_reader **out,
                             pu_err *err) {
    *out = NULL;
    cargo_reader *r;
    size_t i = 0;
    while (i < n && isspace((unsigned char)data[i])) i++;
    int jsonl = fmt == CARGO_FMT_JSON || (fmt == CARGO_FMT_AUTO && i < n && data[i] == '[')
                    ? 2
                    : fmt == CARGO_FMT_JSONL || (fmt == CARGO_FMT_AUTO && i < n && data[i] == '{');
    if (reader_new(&r, jsonl, warn)) return pu_fail(err, PU_ERR_NOMEM, "<memory>", NULL, "out of memory");
    r->strict = strict;
    int rc = open_common(r, NULL, data, n, err);
    if (rc) { cargo_reader_close(r); return rc; }
    *out = r;
    return PU_OK;
}

void cargo_reader_close(cargo_reader *r) {
    if (!r) return;
    pu_csv_close(r->csv);
    pu_lines_close(r->lines);
    if (r->root) json_decref(r->root);
    if (r->doc) json_decref(r->doc);
    pu_buf_free(&r->raw);
    pu_buf_free(&r->trans);
    cargo_strset_free(&r->warned);
    free(r);
}

const char *cargo_reader_name(const cargo_reader *r) { return r->name; }

int cargo_reader_saw_header(const cargo_reader *r) { return r->header_done; }

uint64_t cargo_reader_offset(const cargo_reader *r) {
    if (r->jsonl == 2) return 0; /* the whole document is parsed at open: no byte progress */
    return r->jsonl ? pu_lines_offset(r->lines) : pu_csv_offset(r->csv);
}


const char *cargo_reader_raw(cargo_reader *r, size_t *len) {
    if (len) *len = r->raw.len;
    return pu_buf_str(&r->raw);
}

/* ---- field validation ---------------------------------------------------------- */

static int bad(pu_err *err, const char *file, uint64_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int bad(pu_err *err, const char *file, uint64_t line, const char *field, const char *fmt, ...) {
    if (!err) return PU_ERR_INVALID;
    pu_err_clear(err);
    err->code = PU_ERR_INVALID;
    snprintf(err->where, sizeof err->where, "%s:%llu", file, (unsigned long long)line);
    pu_strlcpy(err->field, field, sizeof err->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, pu_tr(fmt), ap);
    va_end(ap);
    return PU_ERR_INVALID;
}

/* A bad field: the strict reader (API) refuses the line; the lenient one
 * (CLI) blanks the field, records the issue and goes on, so the rest of the
 * line is still screened. Returns PU_OK when the line goes on. */
static int field_issue(cargo_reader *r, uint64_t line, int k, pu_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int field_issue(cargo_reader *r, uint64_t line, int k, pu_err *err, const char *fmt, ...) {
    char msg[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, pu_tr(fmt), ap);
    va_end(ap);
    if (r->strict) return bad(err, r->name, line, MCOLS[k], "%s", msg);
    r->vals[k] = "";
    if (r->nissues < CARGO_MAX_ISSUES) {
        cargo_issue *is = &r->issues[r->nissues++];
        pu_strlcpy(is->field, MCOLS[k], sizeof is->field);
        pu_strlcpy(is->msg, msg, sizeof is->msg);
    }
    return PU_OK;
}

/* A value the shared parser refused (its message names the value and the
 * expected form): a field issue, like field_issue. */
static int parser_issue(cargo_reader *r, uint64_t line, int k, const pu_err *pe, pu_err *err) {
    return field_issue(r, line, k, err, "%s", pe->msg);
}

/* Numbers, dates, countries and the date order through the shared parsers
 * (common/pu_parse.h: the same values accepted, and refused with the same
 * words, as in every other importer); a bad one is a field issue. Parsed
 * values go to r->pieces/weight/value and r->ctry (upper-case alpha-2). */
static int check_values(cargo_reader *r, uint64_t line, pu_err *err) {
    const char **v = r->vals;
    pu_err pe;
    int rc;
    double d;
    r->pieces = -1;
    r->weight = r->value = -1;
    if (!pu_blank(v[M_PIECES])) {
        if (pu_number_parse(v[M_PIECES], PU_NUM_NONNEG | PU_NUM_INTEGER, NULL, "pieces", &d, &pe) != PU_OK)
            rc = parser_issue(r, line, M_PIECES, &pe, err);
        else if (d > CARGO_MAX_PIECES)
            rc = field_issue(r, line, M_PIECES, err, "%.60s pieces is over the cap of %.0f", v[M_PIECES],
                             (double)CARGO_MAX_PIECES);
        else
            rc = PU_OK, r->pieces = (long)d;
        if (rc) return rc;
    }
    /* a weight may carry its unit ("500 kg", "1.2 t", "800 lb"); a bare number is kg */
    if (!pu_blank(v[M_WEIGHT])) {
        if (pu_mass_parse(v[M_WEIGHT], "kg", NULL, "weight_kg", &r->weight, &pe) != PU_OK) {
            r->weight = -1;
            if ((rc = parser_issue(r, line, M_WEIGHT, &pe, err))) return rc;
        }
    }
    if (!pu_blank(v[M_VALUE]) && pu_number_parse(v[M_VALUE], PU_NUM_NONNEG, NULL, "value_usd", &r->value, &pe) != PU_OK) {
        r->value = -1;
        if ((rc = parser_issue(r, line, M_VALUE, &pe, err))) return rc;
    }
    const int dates[2] = {M_DEP_DATE, M_ARR_DATE};
    pu_date day[2];
    int have[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        if (pu_blank(v[dates[i]])) continue;
        if (pu_date_parse(v[dates[i]], 0, NULL, MCOLS[dates[i]], &day[i], &pe) == PU_OK) have[i] = 1;
        else if ((rc = parser_issue(r, line, dates[i], &pe, err))) return rc;
    }
    /* a date far ahead is a typo (2099 for 2026): manifests are filed before
     * departure, so up to CARGO_MAX_DAYS_AHEAD ahead of today is normal */
    for (int i = 0; i < 2; i++)
        if (have[i] && pu_date_days(&day[i]) > pu_today() + CARGO_MAX_DAYS_AHEAD) {
            char t[16];
            pu_format_date(pu_today(), t, sizeof t);
            have[i] = 0;
            if ((rc = field_issue(r, line, dates[i], err, "%.10s is in the future (more than %d days after today, %s)",
                                  v[dates[i]], CARGO_MAX_DAYS_AHEAD, t)))
                return rc;
        }
    /* an arrival before the departure: the arrival is the field refused (the
     * departure is what the carrier filed first) */
    if (have[0] && have[1] && pu_date_order(&day[0], "departure_date", &day[1], "arrival_date", NULL, &pe) != PU_OK &&
        (rc = field_issue(r, line, M_ARR_DATE, err, "arrival %.10s is before the departure %.10s", v[M_ARR_DATE],
                          v[M_DEP_DATE])))
        return rc;
    /* countries: ISO 3166 codes (alpha-2 or -3) or English/Spanish names, stored as alpha-2 */
    const int ctry[4] = {M_SHIP_CTRY, M_CONS_CTRY, M_ORIGIN_CTRY, M_DEST_CTRY};
    for (int i = 0; i < 4; i++) {
        if (pu_blank(v[ctry[i]])) continue;
        char cc[3];
        if (pu_country_parse(v[ctry[i]], NULL, MCOLS[ctry[i]], cc, &pe) != PU_OK) {
            if ((rc = parser_issue(r, line, ctry[i], &pe, err))) return rc;
            continue;
        }
        r->ctry[i][0] = (char)toupper((unsigned char)cc[0]);
        r->ctry[i][1] = (char)toupper((unsigned char)cc[1]);
        r->ctry[i][2] = '\0';
        v[ctry[i]] = r->ctry[i];
    }
    return PU_OK;
}

/* Fill r->m from r->vals and check every field. Only a line without an awb
 * is refused whole (it cannot be queued or disposed); bad fields are issues. */
static int build_manifest(cargo_reader *r, uint64_t line, pu_err *err) {
    cargo_manifest *m = &r->m;
    memset(m, 0, sizeof *m);
    m->line = line;
    r->nissues = 0;
    int rc;
    for (int k = 0; k < M_NCOLS; k++) {
        const char *v = r->vals[k] ? r->vals[k] : "";
        size_t n = strlen(v);
        size_t cap = k == M_DESC ? CARGO_MAX_DESCRIPTION : CARGO_MAX_FIELD;
        r->vals[k] = v;
        if (n > cap && (rc = field_issue(r, line, k, err, "%zu bytes; the cap is %zu bytes", n, cap))) return rc;
        if (n <= cap && !pu_utf8_valid(v, n) && (rc = field_issue(r, line, k, err, "invalid UTF-8; expected UTF-8 text")))
            return rc;
    }
    const char **v = r->vals;
    if (pu_blank(v[M_AWB])) return bad(err, r->name, line, "awb", "required; expected an air waybill number like 172-12345675");
    if ((rc = check_values(r, line, err))) return rc;
    m->awb = v[M_AWB];
    m->hawb = v[M_HAWB];
    m->shipper_name = v[M_SHIP_NAME];
    m->shipper_address = v[M_SHIP_ADDR];
    m->shipper_country = v[M_SHIP_CTRY];
    m->consignee_name = v[M_CONS_NAME];
    m->consignee_address = v[M_CONS_ADDR];
    m->consignee_country = v[M_CONS_CTRY];
    m->notify_name = v[M_NOTIFY_NAME];
    m->notify_address = v[M_NOTIFY_ADDR];
    m->description = v[M_DESC];
    m->hs_code = v[M_HS];
    m->origin = v[M_ORIGIN];
    m->origin_country = v[M_ORIGIN_CTRY];
    m->transshipment = v[M_TRANS];
    m->destination = v[M_DEST];
    m->destination_country = v[M_DEST_CTRY];
    m->carrier = v[M_CARRIER];
    m->forwarder = v[M_FORWARDER];
    m->departure_date = v[M_DEP_DATE];
    m->arrival_date = v[M_ARR_DATE];
    m->pieces = r->pieces;
    m->weight_kg = r->weight;
    m->value_usd = r->value;
    m->issues = r->nissues ? r->issues : NULL;
    m->nissues = r->nissues;
    return PU_OK;
}

/* ---- CSV -------------------------------------------------------------------------- */

static void raw_csv(cargo_reader *r, const pu_csv_row *row) {
    pu_buf_reset(&r->raw);
    for (size_t i = 0; i < row->n; i++) {
        const char *f = row->fields[i];
        if (i) pu_buf_putc(&r->raw, ',');
        if (strpbrk(f, ",\"\r\n")) {
            pu_buf_putc(&r->raw, '"');
            for (; *f; f++) {
                if (*f == '"') pu_buf_putc(&r->raw, '"');
                pu_buf_putc(&r->raw, *f);
            }
            pu_buf_putc(&r->raw, '"');
        } else {
            pu_buf_puts(&r->raw, f);
        }
    }
}

static int csv_header(cargo_reader *r, const pu_csv_row *row, pu_err *err) {
    r->ncols_header = row->n;
    for (int k = 0; k < M_NCOLS; k++) r->map[k] = pu_csv_col(row, MCOLS[k]);
    if (r->map[M_AWB] < 0 || r->map[M_DESC] < 0)
        return pu_fail(err, PU_ERR_INVALID, r->name, "header",
                       "line %llu: a manifest CSV needs a header row with at least the columns awb and description",
                       (unsigned long long)row->line);
    for (size_t i = 0; i < row->n; i++) {
        int known = 0;
        for (int k = 0; k < M_NCOLS; k++) known |= r->map[k] == (int)i;
        if (!known && r->strict) {
            int dup = 0;
            for (int k = 0; k < M_NCOLS; k++) dup |= pu_strieq(MCOLS[k], row->fields[i]);
            return bad(err, r->name, row->line, "header", dup ? "column '%.60s' appears twice"
                                                              : "column '%.60s' is not a manifest field (see docs/cargo.md)",
                       row->fields[i]);
        }
        if (!known && r->warn)
            fprintf(r->warn, pu_tr("puente: %s:%llu: column '%s' is not a manifest field; ignored\n"), r->name,
                    (unsigned long long)row->line, row->fields[i]);
    }
    return PU_OK;
}

static int next_csv(cargo_reader *r, const cargo_manifest **out, pu_err *err) {
    const pu_csv_row *row;
    for (;;) {
        pu_buf_reset(&r->raw);
        int rc = pu_csv_next(r->csv, &row, err);
        /* the first record unreadable (a ';' delimiter, bad quoting): the file has no usable header */
        if (rc == PU_ERR_INVALID && !r->header_done && err && !err->field[0])
            pu_strlcpy(err->field, "header", sizeof err->field);
        if (rc) return rc;
        if (!row) return PU_OK;
        if (!r->header_done) {
            r->header_done = 1;
            if ((rc = csv_header(r, row, err))) return rc;
            continue;
        }
        /* the raw line is rebuilt only for rejects (it is not needed otherwise) */
        if (row->n != r->ncols_header) {
            raw_csv(r, row);
            return bad(err, r->name, row->line, "columns", "%zu fields; the header has %zu", row->n, r->ncols_header);
        }
        for (int k = 0; k < M_NCOLS; k++) r->vals[k] = r->map[k] >= 0 ? row->fields[r->map[k]] : "";
        rc = build_manifest(r, row->line, err);
        if (rc) { raw_csv(r, row); return rc; }
        *out = &r->m;
        return PU_OK;
    }
}

/* ---- JSON (lines or one document) ------------------------------------------------------ */

/* One manifest object (a JSON line or an element of a JSON array) into r->m.
 * Strings stay owned by the JSON value, which the caller keeps alive. */
static int json_record(cargo_reader *r, json_t *obj, uint64_t no, pu_err *err) {
    if (!json_is_object(obj))
        return bad(err, r->name, no, "json", r->jsonl == 2 ? "expected a manifest object" : "expected one JSON object per line");
    memset(r->vals, 0, sizeof r->vals);
    const char *key;
    json_t *val;
    int nnum = 0;
    json_object_foreach(obj, key, val) {
        int k = 0;
        while (k < M_NCOLS && strcmp(MCOLS[k], key) != 0) k++;
        if (k == M_NCOLS) {
            if (r->strict) return bad(err, r->name, no, key, "not a manifest field (see docs/cargo.md)");
            if (r->warn && cargo_strset_get(&r->warned, key, strlen(key)) < 0 &&
                cargo_strset_put(&r->warned, key, strlen(key), 1) == PU_OK)
                fprintf(r->warn, pu_tr("puente: %s:%llu: key '%s' is not a manifest field; ignored\n"), r->name,
                        (unsigned long long)no, key);
            continue;
        }
        if (json_is_string(val)) {
            r->vals[k] = json_string_value(val);
            if (strlen(r->vals[k]) != json_string_length(val))
                return bad(err, r->name, no, key, "contains a NUL character");
        } else if (json_is_number(val) && nnum < 3 && (k == M_PIECES || k == M_WEIGHT || k == M_VALUE)) {
            snprintf(r->numbuf[nnum], sizeof r->numbuf[nnum], "%.17g", json_number_value(val));
            r->vals[k] = r->numbuf[nnum++];
        } else if (json_is_array(val) && k == M_TRANS) {
            /* ["DXB","FRA"] -> "DXB;FRA" */
            pu_buf_reset(&r->trans);
            size_t i;
            json_t *e;
            json_array_foreach(val, i, e) {
                if (!json_is_string(e)) return bad(err, r->name, no, key, "expected an array of strings");
                if ((i && pu_buf_putc(&r->trans, ';')) || pu_buf_puts(&r->trans, json_string_value(e)))
                    return bad(err, r->name, no, key, "longer than %u bytes", CARGO_MAX_FIELD);
            }
            r->vals[k] = pu_buf_str(&r->trans);
        } else if (!json_is_null(val)) {
            return bad(err, r->name, no, key, "expected a string%s", k == M_PIECES || k == M_WEIGHT || k == M_VALUE ? pu_tr(" or a number") : "");
        }
    }
    r->header_done = 1;
    return build_manifest(r, no, err);
}

static int next_json(cargo_reader *r, const cargo_manifest **out, pu_err *err) {
    const char *line;
    size_t len;
    uint64_t no;
    for (;;) {
        pu_buf_reset(&r->raw);
        int rc = pu_lines_next(r->lines, &line, &len, &no, err);
        if (rc) return rc;
        if (!line) return PU_OK;
        pu_buf_append(&r->raw, line, len);
        if (pu_blank(line)) continue;
        if (r->root) { json_decref(r->root); r->root = NULL; }
        if (!pu_utf8_valid(line, len)) return bad(err, r->name, no, "json", "invalid UTF-8; expected UTF-8 JSON");
        json_error_t je;
        r->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
        if (!r->root) return bad(err, r->name, no, "json", "column %d: %s", je.column, je.text);
        if ((rc = json_record(r, r->root, no, err))) return rc;
        *out = &r->m;
        return PU_OK;
    }
}

/* Records of a JSON document; "line" numbers are record positions (1-based). */
static int next_doc(cargo_reader *r, const cargo_manifest **out, pu_err *err) {
    pu_buf_reset(&r->raw);
    if (r->doc_i >= r->doc_n) return PU_OK;
    json_t *obj = json_is_array(r->doc) ? json_array_get(r->doc, r->doc_i) : r->doc;
    uint64_t no = ++r->doc_i;
    int rc = json_record(r, obj, no, err);
    if (rc) {
        /* the raw record only for reject files: rebuilt on failure */
        char *s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
        if (s) pu_buf_puts(&r->raw, s);
        free(s);
        return rc;
    }
    *out = &r->m;
    return PU_OK;
}

int cargo_reader_next(cargo_reader *r, const cargo_manifest **m, pu_err *err) {
    *m = NULL;
    if (r->jsonl == 2) return next_doc(r, m, err);
    return r->jsonl ? next_json(r, m, err) : next_csv(r, m, err);
}
