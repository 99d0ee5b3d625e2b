/* pu_io.c - bounded CSV and line readers (see pu_io.h). */
#include "common/pu_io.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK 65536

/* A byte source: a FILE or a memory block. */
typedef struct src {
    FILE *fp;
    int own_fp;
    const char *mem;
    size_t mem_len, mem_pos;
    char name[PU_ERR_WHERE_MAX / 2];
    uint64_t offset;
} src;

static int src_open(src *s, const char *path, pu_err *err) {
    memset(s, 0, sizeof *s);
    pu_strlcpy(s->name, path, sizeof s->name);
    if (strcmp(path, "-") == 0) {
        s->fp = stdin;
        pu_strlcpy(s->name, "<stdin>", sizeof s->name);
        return PU_OK;
    }
    s->fp = fopen(path, "rb");
    if (!s->fp) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot open: %s", strerror(errno));
    s->own_fp = 1;
    return PU_OK;
}

static void src_mem(src *s, const char *data, size_t n) {
    memset(s, 0, sizeof *s);
    s->mem = data;
    s->mem_len = n;
    pu_strlcpy(s->name, "<memory>", sizeof s->name);
}

/* Read up to n bytes; returns count, 0 at EOF, -1 on error. */
static long src_read(src *s, char *buf, size_t n) {
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
    int error;                 /* PU_ERR_LIMIT when the record was over a cap */
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

/* Feed input up to and including the next newline (or buffer end). */
static int feed_some(pu_csv *c, pu_err *err) {
    if (c->buf_pos == c->buf_len) {
        long k = src_read(&c->in, c->buf, sizeof c->buf);
        if (k < 0) return pu_fail(err, PU_ERR_IO, c->in.name, NULL, "read error: %s", strerror(errno));
        if (k == 0) {
            c->eof = 1;
            return PU_OK;
        }
        c->buf_len = (size_t)k;
        c->buf_pos = 0;
    }
    const char *start = c->buf + c->buf_pos;
    size_t avail = c->buf_len - c->buf_pos;
    const char *nl = memchr(start, '\n', avail);
    size_t n = nl ? (size_t)(nl - start) + 1 : avail;
    if (c->at_row_start && !(n == 1 && start[0] == '\n') && !(n == 2 && start[0] == '\r' && start[1] == '\n')) {
        c->at_row_start = 0;
        c->start_line = c->line;
    }
    if (csv_parse(&c->p, start, n, on_field, on_row, c) != n) {
        uint64_t line = c->start_line;
        c->buf_pos += n;
        return pu_fail(err, PU_ERR_INVALID, c->in.name, NULL, "line %llu: malformed CSV: %s",
                       (unsigned long long)line, csv_strerror(csv_error(&c->p)));
    }
    c->buf_pos += n;
    c->rec_bytes += n;
    if (nl) c->line++;
    if (c->rec_bytes > c->o.max_record && c->qn == c->qhead) {
        /* runaway record (e.g. an unclosed quote): drop it and resync */
        uint64_t line = c->start_line, resume = c->line + (nl ? 0 : 1);
        csv_free(&c->p);
        qrow_free(&c->cur);
        c->cur_started = 0;
        c->rec_bytes = 0;
        pu_csv_opts keep = c->o;
        csv_setup(c, &keep, NULL);
        c->line = resume;
        char w[PU_ERR_WHERE_MAX];
        snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)line);
        return pu_fail(err, PU_ERR_LIMIT, w, NULL, "record longer than %zu bytes (unclosed quote?); skipped",
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

int pu_csv_next(pu_csv *c, const pu_csv_row **row, pu_err *err) {
    *row = NULL;
    qrow_free(&c->last);
    for (;;) {
        if (c->qhead < c->qn) {
            qrow r = c->q[c->qhead++];
            if (c->qhead == c->qn) c->qhead = c->qn = 0;
            if (r.error) {
                char w[PU_ERR_WHERE_MAX];
                snprintf(w, sizeof w, "%s:%llu", c->in.name, (unsigned long long)r.line);
                int code = r.error;
                qrow_free(&r);
                return pu_fail(err, code, w, NULL, code == PU_ERR_LIMIT
                               ? "record too large (over %zu bytes or %zu fields); skipped"
                               : "out of memory", c->o.max_record, c->o.max_fields);
            }
            if (!c->o.keep_blank_rows && row_is_blank(&r)) { qrow_free(&r); continue; }
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
            if (csv_fini(&c->p, on_field, on_row, c) != 0)
                return pu_fail(err, PU_ERR_INVALID, c->in.name, NULL, "line %llu: malformed CSV at end of file: %s",
                               (unsigned long long)c->start_line, csv_strerror(csv_error(&c->p)));
            continue;
        }
        int rc = feed_some(c, err);
        if (rc) return rc;
    }
}

const char *pu_csv_name(const pu_csv *c) { return c->in.name; }
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
};

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
    *line = pu_buf_str(&r->line);
    if (len) *len = r->line.len;
    if (lineno) *lineno = r->lineno;
    return PU_OK;
}

const char *pu_lines_name(const pu_lines *r) { return r->in.name; }
uint64_t pu_lines_offset(const pu_lines *r) { return r->in.offset; }

void pu_lines_close(pu_lines *r) {
    if (!r) return;
    pu_buf_free(&r->line);
    src_close(&r->in);
    free(r);
}
