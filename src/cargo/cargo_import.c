/* cargo_import.c - a whole manifest held in memory, screened all or nothing
 * (cargo_screen_mem, used by POST /api/v1/cargo/manifests). Nothing here
 * touches a file: the body is read where it lies. */
#include "cargo/cargo_int.h"

#include <stdlib.h>
#include <string.h>

/* Rewrite a reader error's location as "line N" / "record N" / "body": the
 * reader names "<memory>:N" (or "<memory>" with "line N: " leading the
 * message, for malformed CSV), which means nothing to an API client. */
static void locate(pu_err *e, int records) {
    unsigned long long no = 0;
    const char *colon = strrchr(e->where, ':');
    char *end = NULL;
    if (colon && colon[1]) {
        no = strtoull(colon + 1, &end, 10);
        if (*end) no = 0;
    }
    if (!no && strncmp(e->msg, "line ", 5) == 0) {
        no = strtoull(e->msg + 5, &end, 10);
        if (no && end[0] == ':' && end[1] == ' ') memmove(e->msg, end + 2, strlen(end + 2) + 1);
        else no = 0;
    }
    /* the CLI's wording about skipping and reject files does not apply here */
    static const char *const CLI_ONLY[] = {"; skipped", " (record kept in the rejects)"};
    for (size_t k = 0; k < sizeof CLI_ONLY / sizeof CLI_ONLY[0]; k++) {
        char *at = strstr(e->msg, CLI_ONLY[k]);
        if (at) memmove(at, at + strlen(CLI_ONLY[k]), strlen(at + strlen(CLI_ONLY[k])) + 1);
    }
    if (no) snprintf(e->where, sizeof e->where, "%s %llu", records ? "record" : "line", no);
    else pu_strlcpy(e->where, "body", sizeof e->where);
    if (!e->field[0]) pu_strlcpy(e->field, records ? "json" : "csv", sizeof e->field);
}

/* 1 when m repeats the AWB+HAWB of an earlier line (err then names both):
 * one submission is one manifest, where a house bill is one shipment, and the
 * API is all or nothing, so a repeat is refused rather than chosen from. */
static int dup_line(cargo_strset *keys, const cargo_manifest *m, int records, pu_err *err) {
    pu_buf key = PU_BUF_INIT(2 * CARGO_MAX_FIELD + 2);
    pu_buf_printf(&key, "%s\x1f%s", m->awb, m->hawb ? m->hawb : "");
    int prev = cargo_strset_get(keys, pu_buf_str(&key), key.len);
    if (prev < 0) cargo_strset_put(keys, pu_buf_str(&key), key.len, (int)m->line);
    pu_buf_free(&key);
    if (prev < 0) return 0;
    char where[48];
    snprintf(where, sizeof where, "%s %llu", records ? "record" : "line", (unsigned long long)m->line);
    pu_fail(err, PU_ERR_INVALID, where, "awb", "AWB '%.60s' HAWB '%.60s' repeats %s %d (a duplicate shipment)", m->awb,
            m->hawb ? m->hawb : "", records ? "record" : "line", prev);
    return 1;
}

int cargo_screen_mem(cargo_engine *e, const cargo_batch_opts *opts, const char *data, size_t n, cargo_format fmt,
                     size_t max_lines, cargo_batch **out, size_t *nbad, pu_err *err) {
    *out = NULL;
    if (nbad) *nbad = 0;
    pu_err first, cur;
    pu_err_clear(&first);
    /* a NUL byte would end a C string early and silently cut the field */
    const char *nul = data ? memchr(data, '\0', n) : NULL;
    if (nul) {
        unsigned long long line = 1;
        for (const char *p = data; p < nul; p++) line += *p == '\n';
        char where[32];
        snprintf(where, sizeof where, "line %llu", line);
        return pu_fail(err, PU_ERR_INVALID, where, "body", "a NUL byte; expected UTF-8 text");
    }
    cargo_reader *rd = NULL;
    cargo_batch *b = NULL;
    int rc = cargo_reader_open_mem_ex(data ? data : "", data ? n : 0, fmt, NULL, 1, &rd, &cur);
    if (rc) {
        locate(&cur, fmt == CARGO_FMT_JSON);
        pu_strlcpy(cur.where, "body", sizeof cur.where);
        if (err) *err = cur;
        return rc;
    }
    /* the reader decided AUTO; JSON documents number records, not lines */
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
    int records = fmt == CARGO_FMT_JSON || (fmt == CARGO_FMT_AUTO && i < n && data[i] == '[');
    if (e) rc = cargo_batch_new(e, opts, &b, err);
    size_t lines = 0, bad = 0;
    int first_rc = PU_OK;
    cargo_strset keys = {0}; /* awb \x1f hawb -> the line that gave it first */
    while (rc == PU_OK) {
        const cargo_manifest *m;
        pu_err_clear(&cur);
        int r = cargo_reader_next(rd, &m, &cur);
        if (r == PU_ERR_INVALID || r == PU_ERR_LIMIT) {
            /* keep the first error; read on only to count the others */
            if (!bad++) {
                first = cur;
                first_rc = r;
                locate(&first, records);
            }
            if (!strcmp(cur.field, "header")) break; /* every line would fail for the same reason */
            continue;
        }
        if (r) {
            rc = r;
            if (err) *err = cur;
            break;
        }
        if (!m) break;
        if (++lines > max_lines && max_lines) {
            rc = pu_fail(err, PU_ERR_LIMIT, "body", "lines", "more than %zu manifest lines in one submission", max_lines);
            break;
        }
        if (dup_line(&keys, m, records, &cur)) {
            if (!bad++) { first = cur; first_rc = PU_ERR_INVALID; }
            continue;
        }
        if (!bad && b) rc = cargo_batch_add(b, m, err); /* no use screening what will be refused */
    }
    cargo_strset_free(&keys);
    cargo_reader_close(rd);
    if (nbad) *nbad = bad;
    if (rc == PU_OK && bad) {
        rc = first_rc;
        if (err) *err = first;
    }
    if (rc == PU_OK && lines == 0)
        rc = pu_fail(err, PU_ERR_INVALID, "body", records ? "json" : "body", "no manifest line in the submission");
    if (rc == PU_OK && b) rc = cargo_batch_finish(b, err);
    if (rc) {
        cargo_batch_free(b);
        return rc;
    }
    *out = b;
    return PU_OK;
}
