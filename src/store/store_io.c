/*
 * store_io.c - the shared import summary and write funnel, and FtM JSON lines
 * import/export (the format OpenSanctions and Aleph publish).
 */
#include "store/store.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"

#define FTM_LINE_MAX (16u * 1024u * 1024u) /* one JSON entity per line */

void store_summary_init(store_summary *s) {
    memset(s, 0, sizeof *s);
    s->start = pu_monotonic();
}

void store_summary_free(store_summary *s) {
    if (!s) return;
    for (size_t i = 0; i < s->nnotes; i++) free(s->notes[i]);
    s->nnotes = 0;
}

void store_summary_note(store_summary *s, const pu_err *err, int is_reject) {
    if (is_reject) s->rejected++;
    else s->warnings++;
    if (s->nnotes >= STORE_SUMMARY_NOTES || !err) return;
    char buf[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 64];
    pu_err_format(err, buf, sizeof buf);
    pu_buf b = PU_BUF_INIT(sizeof buf + 32);
    if (pu_buf_printf(&b, "%s %s", is_reject ? "rejected:" : "warning: ", buf) == PU_OK)
        s->notes[s->nnotes++] = pu_buf_detach(&b);
    else
        pu_buf_free(&b);
}

static int schema_index(const char *schema) {
    const char *const *names = ftm_schema_names();
    for (int i = 0; names[i] && i < STORE_MAX_SCHEMATA; i++)
        if (strcmp(names[i], schema) == 0) return i;
    return -1;
}

static void test_hook(int64_t written) {
    static int64_t stop_after = -1;
    if (stop_after == -1) {
        const char *v = getenv("PUENTE_TEST_STOP_AFTER");
        stop_after = v && *v ? strtoll(v, NULL, 10) : 0;
    }
    if (stop_after > 0 && written == stop_after) raise(SIGSTOP);
}

int store_summary_put(store_t *st, const ftm_entity *e, int flags, store_summary *s, pu_err *err) {
    int rc = store_put_ex(st, e, flags, err);
    if (rc) return rc;
    s->written++;
    int k = schema_index(e->schema);
    if (k >= 0) s->per_schema[k]++;
    test_hook(s->written);
    return PU_OK;
}

void store_summary_print(const store_summary *s, const char *label, FILE *out) {
    const char *const *names = ftm_schema_names();
    fprintf(out, "%s: %lld records read, %lld entities written in %.1fs\n", label, (long long)s->read,
            (long long)s->written, s->seconds);
    for (int i = 0; names[i] && i < STORE_MAX_SCHEMATA; i++)
        if (s->per_schema[i]) fprintf(out, "  %-16s %10lld\n", names[i], (long long)s->per_schema[i]);
    if (s->removed) fprintf(out, "  removed (no longer in the source): %lld\n", (long long)s->removed);
    fprintf(out, "  rejected records: %lld\n", (long long)s->rejected);
    if (s->warnings) fprintf(out, "  warnings: %lld\n", (long long)s->warnings);
    for (size_t i = 0; i < s->nnotes; i++) fprintf(out, "  %s\n", s->notes[i]);
    int64_t shown = (int64_t)s->nnotes, all = s->rejected + s->warnings;
    if (all > shown) fprintf(out, "  ... and %lld more\n", (long long)(all - shown));
}

/* Apply the import defaults to e. */
static int apply_defaults(ftm_entity *e, const store_import_opts *o) {
    int rc = PU_OK;
    if (!o) return rc;
    if (!e->owner && o->owner) rc = ftm_entity_set(&e->owner, o->owner);
    if (!rc && !e->marking && o->marking) rc = ftm_entity_set(&e->marking, o->marking);
    if (!rc && o->dataset) rc = ftm_entity_add_dataset(e, o->dataset);
    return rc;
}

/* One line: parse, default, write. Input errors come back as PU_ERR_INVALID
 * (or LIMIT) with err->where = "file:line"; store errors as they are. */
static int import_line(store_t *st, const char *line, size_t len, const char *where,
                       const store_import_opts *o, store_summary *sum, pu_err *err) {
    ftm_entity *e;
    int rc = ftm_entity_from_json(line, len, &e, err);
    if (!rc && apply_defaults(e, o)) rc = pu_fail(err, PU_ERR_NOMEM, where, NULL, "out of memory");
    if (!rc) {
        rc = store_summary_put(st, e, STORE_PUT_KEEP_TIMES, sum, err);
    }
    ftm_entity_free(e);
    if (rc && err) {
        char id[PU_ERR_WHERE_MAX];
        pu_strlcpy(id, err->where, sizeof id);
        if (*id) (void)pu_snprintf(err->where, sizeof err->where, "%s (%s)", where, id);
        else pu_strlcpy(err->where, where, sizeof err->where);
    }
    return rc;
}

static int is_input_error(int rc) { return rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT; }

int store_import_ftm(store_t *st, const char *path, const store_import_opts *o, store_summary *sum,
                     pu_err *err) {
    if (o && o->marking && !store_marking_valid(o->marking))
        return pu_fail(err, PU_ERR_INVALID, NULL, "marking", "unknown marking '%s'", o->marking);
    pu_lines *r;
    int rc = pu_lines_open(path, FTM_LINE_MAX, &r, err);
    if (rc) return rc;
    if ((rc = store_begin(st, err))) {
        pu_lines_close(r);
        return rc;
    }
    pu_progress prog;
    pu_progress_start(&prog, "import ftm", pu_file_size(path));
    for (;;) {
        const char *line;
        size_t len;
        uint64_t no;
        pu_err lerr;
        pu_err_clear(&lerr);
        rc = pu_lines_next(r, &line, &len, &no, &lerr);
        if (rc == PU_OK && !line) break;
        char where[PU_ERR_WHERE_MAX];
        snprintf(where, sizeof where, "%s:%llu", pu_lines_name(r), (unsigned long long)no);
        if (rc == PU_OK && pu_blank(line)) continue;
        sum->read++;
        if (rc == PU_OK) rc = import_line(st, line, len, where, o, sum, &lerr);
        else if (!*lerr.where) pu_strlcpy(lerr.where, where, sizeof lerr.where);
        if (rc && is_input_error(rc) && !(o && o->strict)) {
            store_summary_note(sum, &lerr, 1);
            rc = PU_OK;
        }
        if (rc) {
            if (err) *err = lerr;
            break;
        }
        pu_progress_tick(&prog, pu_lines_offset(r), (uint64_t)sum->read);
    }
    pu_lines_close(r);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, err);
    pu_progress_end(&prog, (uint64_t)sum->read);
    sum->seconds = pu_monotonic() - sum->start;
    return rc;
}

typedef struct export_ctx {
    FILE *out;
    pu_buf buf;
    int with_puente;
    int64_t n;
    int rc;
} export_ctx;

static int export_one(const ftm_entity *e, void *vctx) {
    export_ctx *c = vctx;
    pu_buf_reset(&c->buf);
    c->rc = ftm_entity_to_json_buf(e, c->with_puente, &c->buf);
    if (!c->rc) c->rc = pu_buf_putc(&c->buf, '\n');
    if (!c->rc && fwrite(c->buf.data, 1, c->buf.len, c->out) != c->buf.len) c->rc = PU_ERR_IO;
    if (!c->rc) c->n++;
    return c->rc != PU_OK;
}

int store_export_ftm(store_t *st, const store_scope *scope, const store_query *q, int with_puente, FILE *out,
                     int64_t *count, pu_err *err) {
    export_ctx c = {out, PU_BUF_INIT(64u * 1024u * 1024u), with_puente, 0, PU_OK};
    int rc = store_iter(st, scope, q, export_one, &c, err);
    pu_buf_free(&c.buf);
    if (count) *count = c.n;
    if (rc) return rc;
    if (c.rc == PU_ERR_IO || fflush(out) != 0)
        return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the export: %s", strerror(errno));
    if (c.rc) return pu_fail(err, c.rc, NULL, NULL, "cannot serialise an entity");
    return PU_OK;
}
