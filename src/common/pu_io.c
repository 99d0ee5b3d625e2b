/* pu_io.c - bounded CSV and line readers (see pu_io.h). */
#include "common/pu_io.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CHUNK 65536

typedef struct src src;
static long src_read_raw(src *s, char *buf, size_t n);

/* A byte source: a FILE or a memory block. */
struct src {
    FILE *fp;
    int own_fp;
    const char *mem;
    size_t mem_len, mem_pos;
    char name[PU_ERR_WHERE_MAX / 2];
    uint64_t offset;
    int bom_checked;           /* the first bytes were looked at for a BOM */
    int had_bom;               /* a UTF-8 BOM was dropped (never data) */
    int bom_reported_empty;
};

static int src_open(src *s, const char *path, pu_err *err) {
    memset(s, 0, sizeof *s);
    pu_strlcpy(s->name, path, sizeof s->name);
    if (strcmp(path, "-") == 0) {
        s->fp = stdin;
        pu_strlcpy(s->name, "<stdin>", sizeof s->name);
        return PU_OK;
    }
    return pu_input_open(path, &s->fp, err) == PU_OK ? (s->own_fp = 1, PU_OK) : PU_ERR_IO;
}

int pu_input_open(const char *path, FILE **out, pu_err *err) {
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return pu_fail(err, PU_ERR_IO, path, NULL, "no such file (check the path; '-' reads standard input)");
        return pu_fail(err, PU_ERR_IO, path, NULL, "cannot open: %s", strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return pu_fail(err, PU_ERR_IO, path, NULL, "is a directory; expected a file");
    FILE *fp = fopen(path, "rb");
    if (!fp) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot open: %s", strerror(errno));
    *out = fp;
    return PU_OK;
}

static void src_mem(src *s, const char *data, size_t n) {
    memset(s, 0, sizeof *s);
    s->mem = data;
    s->mem_len = n;
    pu_strlcpy(s->name, "<memory>", sizeof s->name);
}

/* Drop a UTF-8 byte-order mark at the very start of the input: it is an
 * encoding signature, not data (a BOM glued to the first field made the
 * first OFAC designation and FtM record unreadable). */
static long src_strip_bom(src *s, char *buf, long k) {
    if (s->bom_checked || k <= 0) return k;
    s->bom_checked = 1;
    if (k >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) {
        memmove(buf, buf + 3, (size_t)k - 3);
        s->had_bom = 1;
        return k - 3;
    }
    return k;
}

/* Read up to n bytes; returns count, 0 at EOF, -1 on error. */
static long src_read(src *s, char *buf, size_t n) {
    long k = src_read_raw(s, buf, n);
    if (k == 0 && !s->bom_checked) s->bom_checked = 1;
    k = src_strip_bom(s, buf, k);
    /* A file that held only a BOM reads as empty; a chunk that became empty
     * after stripping must not look like end of input. */
    if (k == 0 && s->had_bom && !s->bom_reported_empty) {
        s->bom_reported_empty = 1;
        return src_read_raw(s, buf, n);
    }
    return k;
}

static long src_read_raw(src *s, char *buf, size_t n) {
    if (!s->fp) {
        size_t k = s->mem_len - s->mem_pos < n ? s->mem_len - s->mem_pos : n;
        if (k) memcpy(buf, s->mem + s->mem_pos, k);
        s->mem_pos += k;
        s->offset += k;
        return (long)k;
    }
    size_t k = fread(buf, 1, n, s->fp);
    if (k == 0 && ferror(s->fp)) return -1;
    s->offset += k;
    return (long)k;
}

static void src_close(src *s) {
    if (s->own_fp && s->fp) fclose(s->fp);
    s->fp = NULL;
}

uint64_t pu_file_size(const char *path) {
    struct stat st;
    if (!path || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return (uint64_t)st.st_size;
}

/* ================= CSV ================= */

typedef struct qrow {          /* a completed record waiting to be returned */
    pu_buf arena;              /* field bytes, each NUL-terminated */
    size_t *offs, *lens;
    size_t n, cap;
    uint64_t line;
    int error;                 /* PU_ERR_LIMIT when the record was over a cap,
                                  PU_ERR_INVALID for invalid UTF-8 */
    uint64_t bad_line, bad_col;/* where the invalid UTF-8 is */
} qrow;

struct pu_csv {
    src in;
    pu_csv_opts o;
    struct csv_parser p;
    char buf[CHUNK];
    size_t buf_len, buf_pos;
    int eof, finished;
    uint64_t line;             /* line currently being fed */
    uint64_t rec_bytes;        /* bytes fed since the last completed record */
    int at_row_start;          /* the next content byte starts a record */
    uint64_t start_line;       /* line on which the current record started */
    qrow cur;                  /* record being built */
    int cur_started;
    qrow *q;                   /* completed records, FIFO */
    size_t qn, qhead, qcap;
    pu_csv_row out;            /* view returned to the caller */
    char **out_fields;
    size_t out_cap;
    qrow last;                 /* record currently lent to the caller */
    int skipping;              /* discarding the rest of an oversized record's line */
    pu_u8state u8;             /* UTF-8 decoder state across chunks */
    uint64_t col;              /* characters seen on the current line */
    int u8_bad;                /* the record being fed holds invalid UTF-8 ... */
    uint64_t u8_line, u8_col;  /* ... first seen here */
    int first_done;            /* the first record was checked for its delimiter */
    int fatal;                 /* a whole-file error was reported: no more records */
    int truncated;             /* the input ended inside a quoted field */
};

static void qrow_free(qrow *r) {
    pu_buf_free(&r->arena);
    free(r->offs);
    free(r->lens);
    memset(r, 0, sizeof *r);
}

static void on_field(void *data, size_t len, void *ctx) {
    pu_csv *c = ctx;
    qrow *r = &c->cur;
    if (!c->cur_started) {
        c->cur_started = 1;
        r->line = c->start_line;
    }
    if (r->error) return;
    if (r->n >= c->o.max_fields) { r->error = PU_ERR_LIMIT; return; }
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        size_t *o = realloc(r->offs, nc * sizeof *o);
        if (!o) { r->error = PU_ERR_NOMEM; return; }
        r->offs = o;
        size_t *l = realloc(r->lens, nc * sizeof *l);
        if (!l) { r->error = PU_ERR_NOMEM; return; }
        r->lens = l;
        r->cap = nc;
    }
    r->offs[r->n] = r->arena.len;
    r->lens[r->n] = len;
    if (pu_buf_append(&r->arena, data ? data : "", data ? len : 0) || pu_buf_putc(&r->arena, '\0')) {
        r->error = PU_ERR_LIMIT;
        return;
    }
    r->n++;
}

static void on_row(int term, void *ctx) {
    (void)term;
    pu_csv *c = ctx;
    if (!c->cur_started) c->cur.line = c->start_line;
    if (c->u8_bad) {
        if (!c->cur.error) {
            c->cur.error = PU_ERR_INVALID;
            c->cur.bad_line = c->u8_line;
            c->cur.bad_col = c->u8_col;
        }
        c->u8_bad = 0;
    }
    if (c->qn == c->qcap) {
        size_t nc = c->qcap ? c->qcap * 2 : 8;
        qrow *q = realloc(c->q, nc * sizeof *q);
        if (!q) { c->cur.error = PU_ERR_NOMEM; return; }
        c->q = q;
        c->qcap = nc;
    }
    c->q[c->qn++] = c->cur;
    memset(&c->cur, 0, sizeof c->cur);
    pu_buf_init(&c->cur.arena, c->o.max_record);
    c->cur_started = 0;
    c->rec_bytes = 0;
    c->at_row_start = 1;
}

static void csv_defaults(pu_csv_opts *o, const pu_csv_opts *in) {
    memset(o, 0, sizeof *o);
    if (in) *o = *in;
    if (!o->delim) o->delim = ',';
    if (!o->max_record) o->max_record = PU_IO_DEFAULT_MAX_RECORD;
    if (!o->max_fields) o->max_fields = PU_CSV_DEFAULT_MAX_FIELDS;
}

static int csv_setup(pu_csv *c, const pu_csv_opts *opts, pu_err *err) {
    csv_defaults(&c->o, opts);
    unsigned char flags = CSV_APPEND_NULL;
    if (c->o.strict_quotes) flags |= CSV_STRICT | CSV_STRICT_FINI;
    if (csv_init(&c->p, flags) != 0) return pu_fail(err, PU_ERR_NOMEM, c->in.name, NULL, "csv init");
    csv_set_delim(&c->p, (unsigned char)c->o.delim);
    /* libcsv grows its field buffer by blk_size (default 128 bytes), which is
     * quadratic for a large field; grow in 64 KiB steps instead. */
    csv_set_blk_size(&c->p, 65536);
    pu_buf_init(&c->cur.arena, c->o.max_record);
    c->line = 1;
    c->at_row_start = 1;
    return PU_OK;
}

int pu_csv_open(const char *path, const pu_csv_opts *opts, pu_csv **out, pu_err *err) {
    *out = NULL;
    pu_csv *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    int rc = src_open(&c->in, path, err);
    if (rc) { free(c); return rc; }
    rc = csv_setup(c, opts, err);
    if (rc) { src_close(&c->in); free(c); return rc; }
    *out = c;
    return PU_OK;
}

int pu_csv_open_mem(const char *data, size_t n, const pu_csv_opts *opts, pu_csv **out, pu_err *err) {
    *out = NULL;
    pu_csv *c = calloc(1, sizeof *c);
    if (!c) return pu_fail(err, PU_ERR_NOMEM, "<memory>", NULL, "out of memory");
    src_mem(&c->in, data, n);
    int rc = csv_setup(c, opts, err);
    if (rc) { free(c); return rc; }
    *out = c;
    return PU_OK;
}

/* ---- incremental UTF-8 check (chunks may split a character) ---- */

/* Advance the decoder by one byte: 0 when still valid, -1 when `b` cannot
 * appear here (bad lead byte, bad continuation, overlong, surrogate, > U+10FFFF). */
static int u8_step(pu_u8state *s, unsigned char b) {
    if (s->need) {
        if (b < s->lo || b > s->hi) { s->need = 0; return -1; }
        s->lo = 0x80; s->hi = 0xBF; s->need--;
        return 0;
    }
    if (b < 0x80) return 0;
    s->lo = 0x80; s->hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) s->need = 1;
    else if (b == 0xE0) { s->need = 2; s->lo = 0xA0; }
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) s->need = 2;
    else if (b == 0xED) { s->need = 2; s->hi = 0x9F; }
    else if (b == 0xF0) { s->need = 3; s->lo = 0x90; }
    else if (b >= 0xF1 && b <= 0xF3) s->need = 3;
    else if (b == 0xF4) { s->need = 3; s->hi = 0x8F; }
    else return -1;
    return 0;
}

size_t pu_utf8_find_invalid(const char *str, size_t n, size_t *col) {
    pu_u8state st = {0, 0, 0};
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)str[i];
        if (!st.need) chars++;
        if (u8_step(&st, b) != 0) { if (col) *col = chars; return i; }
    }
    if (st.need) { if (col) *col = chars; return n; }
    return (size_t)-1;
}

/* Check the n bytes about to be parsed; remember the first bad position so
 * the record that holds it is refused (once) with file:line:column. */
static void csv_check_utf8(pu_csv *c, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b == '\n' && !c->u8.need) { c->col = 0; continue; }
        if (!c->u8.need) c->col++;
        if (u8_step(&c->u8, b) != 0 && !c->u8_bad) {
            c->u8_bad = 1;
            c->u8_line = c->line;
            c->u8_col = c->col;
        }
        if (b == '\n') c->col = 0;
    }
}

static void csv_drop_record(pu_csv *c) {
    csv_free(&c->p);
    qrow_free(&c->cur);
    c->cur_started = 0;
    c->rec_bytes = 0;
    c->u8_bad = 0;
    c->u8.need = 0;
    pu_csv_opts keep = c->o;
    uint64_t line = c->line, col = c->col;
    csv_setup(c, &keep, NULL);
    c->line = line; /* csv_setup starts at line 1: keep counting */
    c->col = col;
}

/* Discard the rest of an oversized record's line. Returns 1 once the line's
 * newline has been consumed (reading resumes on the next line). */
static int csv_skip_line(pu_csv *c) {
    const char *start = c->buf + c->buf_pos;
    size_t avail = c->buf_len - c->buf_pos;
    const char *nl = memchr(start, '\n', avail);
    if (!nl) { c->buf_pos = c->buf_len; return 0; }
    c->buf_pos += (size_t)(nl - start) + 1;
    c->skipping = 0;
    c->line++;
    c->col = 0;
    c->at_row_start = 1;
    return 1;
}

/* Feed input up to and including the next newline (or buffer end). */
static int feed_some(pu_csv *c, pu_err *err) {
    if (c->buf_pos == c->buf_len) {
        long k = src_read(&c->in, c->buf, sizeof c->buf);
        if (k < 0) return pu_fail(err, PU_ERR_IO, c->in.name, NULL, "read error: %s", strerror(errno));
        if (k == 0) {
            if (c->u8.need && !c->u8_bad && c->o.check_utf8) {
                c->u8_bad = 1; c->u8_line = c->line; c->u8_col = c->col;
            }
            c->eof = 1;
            return PU_OK;
        }
        c->buf_len = (size_t)k;
        c->buf_pos = 0;
    }
    if (c->skipping) { csv_skip_line(c); return PU_OK; }
    const char *start = c->buf + c->buf_pos;
    size_t avail = c->buf_len - c->buf_pos;
    const char *nl = memchr(start, '\n', avail);
    size_t n = nl ? (size_t)(nl - start) + 1 : avail;
    if (c->at_row_start && !(n == 1 && start[0] == '\n') && !(n == 2 && start[0] == '\r' && start[1] == '\n')) {
        c->at_row_start = 0;
        c->start_line = c->line;
    }
    if (c->o.check_utf8) csv_check_utf8(c, start, n);
    if (csv_parse(&c->p, start, n, on_field, on_row, c) != n) {
        uint64_t line = c->start_line;
        c->buf_pos += n;
        if (nl) c->line++;
        csv_drop_record(c);
        c->at_row_start = 1;
        char w[PU_ERR_WHERE_MAX];
        snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)line);
        return pu_fail(err, PU_ERR_INVALID, w, NULL, "malformed CSV: %s", csv_strerror(csv_error(&c->p)));
    }
    c->buf_pos += n;
    c->rec_bytes += n;
    if (nl) c->line++;
    if (c->rec_bytes > c->o.max_record && c->qn == c->qhead) {
        /* An oversized record (a huge field, or an unclosed quote): ONE error
         * on the line where it starts; drop what was parsed, skip the rest
         * of the current line and resume at the next one. */
        uint64_t line = c->start_line;
        csv_drop_record(c);
        if (nl) c->at_row_start = 1;
        else c->skipping = 1;
        char w[PU_ERR_WHERE_MAX];
        snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)line);
        return pu_fail(err, PU_ERR_LIMIT, w, NULL, "record longer than %zu bytes (a huge field or an unclosed quote); skipped",
                       c->o.max_record);
    }
    return PU_OK;
}

static int row_is_blank(const qrow *r) {
    for (size_t i = 0; i < r->n; i++) {
        const char *f = r->arena.data + r->offs[i];
        if (r->lens[i] && !(r->lens[i] == 1 && f[0] == 0x1A)) return 0;
    }
    return 1;
}

/* Report a queued record that was refused while it was parsed. */
static int csv_row_error(pu_csv *c, qrow *r, pu_err *err) {
    char w[PU_ERR_WHERE_MAX];
    int code = r->error;
    int rc;
    if (code == PU_ERR_INVALID) {
        snprintf(w, sizeof w, "%s:%llu:%llu", c->in.name, (unsigned long long)r->bad_line,
                 (unsigned long long)r->bad_col);
        rc = pu_fail(err, code, w, NULL, "invalid UTF-8 (the file must be UTF-8; convert it, e.g. iconv -f LATIN1 -t UTF-8); record skipped");
    } else {
        snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)r->line);
        rc = code == PU_ERR_LIMIT
            ? pu_fail(err, code, w, NULL, "record too large (over %zu bytes or %zu fields); skipped",
                      c->o.max_record, c->o.max_fields)
            : pu_fail(err, code, w, NULL, "out of memory");
    }
    qrow_free(r);
    return rc;
}

/* Name of a delimiter for messages. */
static const char *delim_name(char d) {
    switch (d) {
    case ',': return "','";
    case ';': return "';'";
    case '\t': return "a tab";
    case '|': return "'|'";
    default: return "another character";
    }
}

/* The first record of a file that should be split by `delim` came back as
 * one field holding another usual delimiter: the file uses that one. Say so
 * instead of reporting every record as missing columns. */
static int csv_check_delim(pu_csv *c, const qrow *r, pu_err *err) {
    if (c->o.single_column || r->n != 1) return PU_OK;
    static const char cand[] = {';', '\t', '|', ','};
    const char *f = r->arena.data + r->offs[0];
    for (size_t i = 0; i < sizeof cand; i++) {
        if (cand[i] == c->o.delim || !memchr(f, cand[i], r->lens[0])) continue;
        char w[PU_ERR_WHERE_MAX];
        snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)r->line);
        return pu_fail(err, PU_ERR_INVALID, w, NULL,
                       "the fields are separated by %s but %s is expected; save the file as CSV with %s",
                       delim_name(cand[i]), delim_name(c->o.delim), delim_name(c->o.delim));
    }
    return PU_OK;
}

/* Stop reading after a whole-file error: drop queued records. */
static int csv_fatal(pu_csv *c, int rc) {
    for (size_t i = c->qhead; i < c->qn; i++) qrow_free(&c->q[i]);
    c->qhead = c->qn = 0;
    c->fatal = 1;
    c->finished = 1;
    return rc;
}

/* libcsv's parser state while inside a field (csv.c: FIELD_BEGUN). */
#define LIBCSV_FIELD_BEGUN 2

int pu_csv_next(pu_csv *c, const pu_csv_row **row, pu_err *err) {
    *row = NULL;
    qrow_free(&c->last);
    if (c->fatal) return PU_OK;
    for (;;) {
        if (c->qhead < c->qn) {
            qrow r = c->q[c->qhead++];
            if (c->qhead == c->qn) c->qhead = c->qn = 0;
            if (r.error) { c->first_done = 1; return csv_row_error(c, &r, err); }
            if (!c->o.keep_blank_rows && row_is_blank(&r)) { qrow_free(&r); continue; }
            if (!c->first_done) {
                c->first_done = 1;
                int rc = csv_check_delim(c, &r, err);
                if (rc) { qrow_free(&r); return csv_fatal(c, rc); }
            }
            c->last = r;
            if (c->out_cap < r.n || !c->out_fields) {
                size_t nc = r.n ? r.n : 1;
                char **f = realloc(c->out_fields, nc * sizeof *f);
                if (!f) return pu_fail(err, PU_ERR_NOMEM, c->in.name, NULL, "out of memory");
                c->out_fields = f;
                c->out_cap = nc;
            }
            for (size_t i = 0; i < r.n; i++) c->out_fields[i] = c->last.arena.data + r.offs[i];
            c->out.n = r.n;
            c->out.fields = c->out_fields;
            c->out.lens = c->last.lens;
            c->out.line = r.line;
            *row = &c->out;
            return PU_OK;
        }
        if (c->finished) return PU_OK;
        if (c->eof) {
            c->finished = 1;
            char w[PU_ERR_WHERE_MAX];
            snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)c->start_line);
            if (c->p.pstate == LIBCSV_FIELD_BEGUN && c->p.quoted) {
                /* A quoted field still open at the end: the file was cut off
                 * (an interrupted download). The partial record is not data. */
                c->truncated = 1;
                return csv_fatal(c, pu_fail(err, PU_ERR_INVALID, w, NULL,
                    "the file ends inside a quoted field: it looks truncated (an interrupted download?)"));
            }
            if (csv_fini(&c->p, on_field, on_row, c) != 0)
                return pu_fail(err, PU_ERR_INVALID, w, NULL, "malformed CSV at end of file: %s",
                               csv_strerror(csv_error(&c->p)));
            continue;
        }
        int rc = feed_some(c, err);
        if (rc) return rc;
    }
}

int pu_csv_truncated(const pu_csv *c) { return c->truncated; }
int pu_csv_fatal(const pu_csv *c) { return c->fatal; }
int pu_csv_had_bom(const pu_csv *c) { return c->in.had_bom; }

const char *pu_csv_name(const pu_csv *c) { return c->in.name; }
void pu_csv_set_name(pu_csv *c, const char *name) { pu_strlcpy(c->in.name, name ? name : "<memory>", sizeof c->in.name); }
uint64_t pu_csv_offset(const pu_csv *c) { return c->in.offset; }

void pu_csv_close(pu_csv *c) {
    if (!c) return;
    for (size_t i = c->qhead; i < c->qn; i++) qrow_free(&c->q[i]);
    free(c->q);
    qrow_free(&c->cur);
    qrow_free(&c->last);
    free(c->out_fields);
    csv_free(&c->p);
    src_close(&c->in);
    free(c);
}

void pu_csv_write_field(FILE *out, const char *s) {
    if (!s || !*s) return;
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[n - 1] != ' ') {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int pu_csv_col(const pu_csv_row *h, const char *name) {
    for (size_t i = 0; i < h->n; i++) {
        const char *f = h->fields[i];
        if (i == 0 && (unsigned char)f[0] == 0xEF && (unsigned char)f[1] == 0xBB && (unsigned char)f[2] == 0xBF)
            f += 3; /* UTF-8 BOM */
        if (pu_strieq(f, name)) return (int)i;
    }
    return -1;
}

/* ================= lines ================= */

struct pu_lines {
    src in;
    size_t max_line;
    char buf[CHUNK];
    size_t buf_len, buf_pos;
    int eof;
    pu_buf line;
    uint64_t lineno;
    int check_utf8;
};

void pu_lines_check_utf8(pu_lines *r, int on) { r->check_utf8 = on; }
int pu_lines_had_bom(const pu_lines *r) { return r->in.had_bom; }

static int lines_new(pu_lines **out, size_t max_line) {
    pu_lines *r = calloc(1, sizeof *r);
    if (!r) return PU_ERR_NOMEM;
    r->max_line = max_line ? max_line : PU_IO_DEFAULT_MAX_RECORD;
    pu_buf_init(&r->line, r->max_line);
    *out = r;
    return PU_OK;
}

int pu_lines_open(const char *path, size_t max_line, pu_lines **out, pu_err *err) {
    *out = NULL;
    pu_lines *r;
    if (lines_new(&r, max_line)) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    int rc = src_open(&r->in, path, err);
    if (rc) { pu_buf_free(&r->line); free(r); return rc; }
    *out = r;
    return PU_OK;
}

int pu_lines_open_mem(const char *data, size_t n, size_t max_line, pu_lines **out, pu_err *err) {
    *out = NULL;
    pu_lines *r;
    if (lines_new(&r, max_line)) return pu_fail(err, PU_ERR_NOMEM, "<memory>", NULL, "out of memory");
    src_mem(&r->in, data, n);
    *out = r;
    return PU_OK;
}

int pu_lines_next(pu_lines *r, const char **line, size_t *len, uint64_t *lineno, pu_err *err) {
    *line = NULL;
    pu_buf_reset(&r->line);
    int too_long = 0, got = 0;
    for (;;) {
        if (r->buf_pos == r->buf_len) {
            if (r->eof) break;
            long k = src_read(&r->in, r->buf, sizeof r->buf);
            if (k < 0) return pu_fail(err, PU_ERR_IO, r->in.name, NULL, "read error: %s", strerror(errno));
            if (k == 0) { r->eof = 1; break; }
            r->buf_len = (size_t)k;
            r->buf_pos = 0;
        }
        got = 1;
        const char *start = r->buf + r->buf_pos;
        size_t avail = r->buf_len - r->buf_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t n = nl ? (size_t)(nl - start) : avail;
        if (!too_long && pu_buf_append(&r->line, start, n) != PU_OK) too_long = 1;
        r->buf_pos += n + (nl ? 1 : 0);
        if (nl) break;
    }
    if (!got) return PU_OK;
    r->lineno++;
    if (too_long) {
        char w[PU_ERR_WHERE_MAX];
        snprintf(w, sizeof w, "%s:%llu", r->in.name, (unsigned long long)r->lineno);
        return pu_fail(err, PU_ERR_LIMIT, w, NULL, "line longer than %zu bytes; skipped", r->max_line);
    }
    if (r->line.len && r->line.data[r->line.len - 1] == '\r') r->line.data[--r->line.len] = '\0';
    if (r->check_utf8 && r->line.len) {
        size_t col = 0;
        if (pu_utf8_find_invalid(r->line.data, r->line.len, &col) != (size_t)-1) {
            char w[PU_ERR_WHERE_MAX];
            snprintf(w, sizeof w, "%s:%llu:%zu", r->in.name, (unsigned long long)r->lineno, col);
            return pu_fail(err, PU_ERR_INVALID, w, NULL,
                           "invalid UTF-8 (the file must be UTF-8; convert it, e.g. iconv -f LATIN1 -t UTF-8); line skipped");
        }
    }
    *line = pu_buf_str(&r->line);
    if (len) *len = r->line.len;
    if (lineno) *lineno = r->lineno;
    return PU_OK;
}

const char *pu_lines_name(const pu_lines *r) { return r->in.name; }
void pu_lines_set_name(pu_lines *r, const char *name) { pu_strlcpy(r->in.name, name ? name : "<memory>", sizeof r->in.name); }
uint64_t pu_lines_offset(const pu_lines *r) { return r->in.offset; }

void pu_lines_close(pu_lines *r) {
    if (!r) return;
    pu_buf_free(&r->line);
    src_close(&r->in);
    free(r);
}

/* ================= header checks ================= */

/* 1 when header cell `h` (trimmed, case-insensitive) names column `c`. */
static int col_matches(const char *h, size_t hn, const pu_col *c) {
    while (hn && (*h == ' ' || *h == '\t')) { h++; hn--; }
    while (hn && (h[hn - 1] == ' ' || h[hn - 1] == '\t' || h[hn - 1] == '\r')) hn--;
    if (hn == strlen(c->name) && strncasecmp(h, c->name, hn) == 0) return 1;
    for (const char *a = c->aliases; a && *a;) {
        const char *bar = strchr(a, '|');
        size_t an = bar ? (size_t)(bar - a) : strlen(a);
        if (an == hn && strncasecmp(h, a, hn) == 0) return 1;
        a = bar ? bar + 1 : a + an;
    }
    return 0;
}

static void list_expected(pu_buf *b, const pu_col *cols, size_t ncols) {
    for (size_t i = 0; i < ncols; i++) pu_buf_printf(b, "%s%s", i ? ", " : "", cols[i].name);
}

int pu_csv_header(const char *file, const pu_csv_row *h, const pu_col *cols, size_t ncols,
                  int unknown, int *idx, char **warn, pu_err *err) {
    if (warn) *warn = NULL;
    char w[PU_ERR_WHERE_MAX];
    snprintf(w, sizeof w, "%s:%llu", file ? file : "<input>", (unsigned long long)h->line);
    for (size_t i = 0; i < ncols; i++) idx[i] = -1;
    pu_buf unk = PU_BUF_INIT(4096), exp = PU_BUF_INIT(4096);
    list_expected(&exp, cols, ncols);
    int rc = PU_OK;
    size_t nunk = 0;
    for (size_t j = 0; j < h->n && rc == PU_OK; j++) {
        int hit = -1;
        for (size_t i = 0; i < ncols && hit < 0; i++)
            if (col_matches(h->fields[j], h->lens[j], &cols[i])) hit = (int)i;
        if (hit < 0) {
            if (pu_blank(h->fields[j])) pu_buf_printf(&unk, pu_tr("%s(column %zu has no name)"), nunk ? ", " : "", j + 1);
            else pu_buf_printf(&unk, "%s'%s'", nunk ? ", " : "", h->fields[j]);
            nunk++;
        } else if (idx[hit] >= 0) {
            rc = pu_fail(err, PU_ERR_INVALID, w, cols[hit].name,
                         "duplicate column '%s': columns %d and %zu; each column may appear once",
                         cols[hit].name, idx[hit] + 1, j + 1);
        } else {
            idx[hit] = (int)j;
        }
    }
    if (rc == PU_OK) {
        pu_buf miss = PU_BUF_INIT(4096);
        size_t nmiss = 0;
        const char *first = NULL;
        for (size_t i = 0; i < ncols; i++)
            if ((cols[i].flags & PU_COL_REQUIRED) && idx[i] < 0) {
                if (!first) first = cols[i].name;
                pu_buf_printf(&miss, "%s'%s'", nmiss++ ? ", " : "", cols[i].name);
            }
        if (nmiss)
            rc = pu_fail(err, PU_ERR_INVALID, w, first, "missing required column%s %s; the header must name: %s",
                         nmiss > 1 ? "s" : "", pu_buf_str(&miss), pu_buf_str(&exp));
        pu_buf_free(&miss);
    }
    if (rc == PU_OK && nunk) {
        if (unknown == PU_UNKNOWN_ERROR) {
            rc = pu_fail(err, PU_ERR_INVALID, w, NULL, "unknown column%s %s; accepted columns: %s",
                         nunk > 1 ? "s" : "", pu_buf_str(&unk), pu_buf_str(&exp));
        } else if (warn) {
            pu_buf m = PU_BUF_INIT(8192);
            pu_buf_printf(&m, pu_tr("%s: unknown column%s %s ignored; accepted columns: %s"), w, nunk > 1 ? "s" : "",
                          pu_buf_str(&unk), pu_buf_str(&exp));
            *warn = pu_buf_detach(&m);
        }
    }
    pu_buf_free(&unk);
    pu_buf_free(&exp);
    return rc;
}
