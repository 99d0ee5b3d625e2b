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
#include "common/pu_report.h"

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
    if (pu_buf_printf(&b, "%s %s", is_reject ? pu_tr("rejected:") : pu_tr("warning: "), buf) == PU_OK)
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

static int counted(store_summary *s, const ftm_entity *e) {
    s->written++;
    int k = schema_index(e->schema);
    if (k >= 0) s->per_schema[k]++;
    test_hook(s->written);
    return PU_OK;
}

int store_summary_put_row(store_t *st, const store_row *r, int flags, store_summary *s, pu_err *err) {
    int rc = store_put_row(st, r, flags, err);
    return rc ? rc : counted(s, r->e);
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

void store_summary_duplicate(store_summary *s, const char *id, const char *where, const char *first) {
    s->duplicate++;
    pu_err e;
    pu_fail(&e, PU_ERR_CONFLICT, where, "id", "duplicate id '%s' (first at %s): refused, the first record stands",
            id ? id : "", first ? first : "?");
    if (s->nnotes >= STORE_SUMMARY_NOTES) return;
    char buf[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 64];
    pu_err_format(&e, buf, sizeof buf);
    pu_buf b = PU_BUF_INIT(sizeof buf + 32);
    if (pu_buf_printf(&b, pu_tr("duplicate: %s"), buf) == PU_OK) s->notes[s->nnotes++] = pu_buf_detach(&b);
    else pu_buf_free(&b);
}

int store_summary_exit(const store_summary *s) {
    return s->rejected || s->duplicate ? PU_EXIT_PARTIAL : 0;
}

void store_summary_print(const store_summary *s, const char *label, FILE *out) {
    const char *const *names = ftm_schema_names();
    fprintf(out, pu_tr("%s: %lld records read, %lld entities written in %.1fs\n"), label, (long long)s->read,
            (long long)s->written, s->seconds);
    for (int i = 0; names[i] && i < STORE_MAX_SCHEMATA; i++)
        if (s->per_schema[i]) fprintf(out, "  %-16s %10lld\n", names[i], (long long)s->per_schema[i]);
    if (s->removed) fprintf(out, pu_tr("  removed (no longer in the source): %lld\n"), (long long)s->removed);
    fprintf(out, pu_tr("  rejected records: %lld\n"), (long long)s->rejected);
    if (s->duplicate) fprintf(out, pu_tr("  duplicate records: %lld\n"), (long long)s->duplicate);
    if (s->warnings) fprintf(out, pu_tr("  warnings: %lld\n"), (long long)s->warnings);
    for (size_t i = 0; i < s->nnotes; i++) fprintf(out, "  %s\n", s->notes[i]);
    int64_t shown = (int64_t)s->nnotes, all = s->rejected + s->warnings + s->duplicate;
    if (all > shown) fprintf(out, pu_tr("  ... and %lld more\n"), (long long)(all - shown));
}

/* Apply the import defaults to e. */
static int apply_defaults(ftm_entity *e, const store_import_opts *o) {
    int rc = PU_OK;
    if (!o) return rc;
    if (!e->owner && o->owner) rc = ftm_entity_set(&e->owner, o->owner);
    /* the one default rule (store.h): a record with an owner agency and no
     * marking is that agency's (AGENCY-ONLY); one without an owner comes
     * from a public list (PUBLIC, in store_put) */
    const char *marking = o->marking ? o->marking : e->owner ? STORE_DEFAULT_MARKING : NULL;
    if (!rc && !e->marking && marking) rc = ftm_entity_set(&e->marking, marking);
    if (!rc && o->dataset) rc = ftm_entity_add_dataset(e, o->dataset);
    return rc;
}

static int is_input_error(int rc) { return rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT; }

/* ---- FtM JSON lines import: a parse pipeline ----------------------------
 * Parsing (jansson + the entity model) costs more than the SQLite writes, so
 * worker threads parse batches of lines while the calling thread writes the
 * previous ones. Workers take batches in file order under the reader lock
 * (numbered by `seq`) and the writer consumes them strictly in seq order, so
 * the result - later duplicates win, rejects listed in file order - is the
 * same as a sequential import. At most NSLOTS batches are in flight.
 */
#include <pthread.h>
#include <unistd.h>

#define BATCH_LINES 256
#define NSLOTS 16
#define MAX_WORKERS 4

typedef struct pitem {
    ftm_entity *e;   /* parsed entity, or NULL when rc != PU_OK */
    store_row row;   /* its serialised form (store_row_fill on the worker) */
    int rc;
    pu_err err;      /* for rc != PU_OK; where = "file:line" */
    char where[PU_ERR_WHERE_MAX]; /* "file:line" of the record */
} pitem;

typedef struct pbatch {
    size_t n;
    int last;        /* the batch that met the end of input (or a read failure) */
    uint64_t offset; /* bytes read after this batch, for progress */
    pitem items[BATCH_LINES];
} pbatch;

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_ready;
    pu_lines *r;
    const store_import_opts *o;
    int eof, stop;
    uint64_t next_seq, write_seq;
    pbatch *slots[NSLOTS];
    pbatch *trash[NSLOTS]; /* written batches; workers free them (their own allocations: cheaper there) */
    int ntrash;
} pipeline;

static void set_where(pu_err *err, const char *where) {
    char id[PU_ERR_WHERE_MAX];
    pu_strlcpy(id, err->where, sizeof id);
    if (*id) (void)pu_snprintf(err->where, sizeof err->where, "%s (%s)", where, id);
    else pu_strlcpy(err->where, where, sizeof err->where);
}

/* Parse one line into it (entity with the import defaults, or the error). */
static void parse_item(pitem *it, const char *line, size_t len, const char *where, const store_import_opts *o) {
    pu_err_clear(&it->err);
    it->e = NULL;
    it->rc = ftm_entity_from_json(line, len, &it->e, &it->err);
    /* the shared discipline: dates and countries checked and normalised */
    if (!it->rc) it->rc = ftm_entity_check_values(it->e, &it->err);
    if (!it->rc && apply_defaults(it->e, o)) {
        ftm_entity_free(it->e);
        it->e = NULL;
        it->rc = pu_fail(&it->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    store_row_init(&it->row);
    if (!it->rc) it->rc = store_row_fill(&it->row, it->e, &it->err);
    if (it->rc) set_where(&it->err, where);
}

/* Copy up to BATCH_LINES non-blank lines (with their numbers) out of the
 * reader; called with the lock held. Reader errors become items. */
static void read_batch(pipeline *p, pbatch *b, pu_buf *raw, size_t *offs, size_t *lens, uint64_t *nos, int *rcs,
                       pu_err *errs) {
    pu_buf_reset(raw);
    while (b->n < BATCH_LINES) {
        const char *line;
        size_t len;
        uint64_t no;
        pu_err e;
        pu_err_clear(&e);
        int rc = pu_lines_next(p->r, &line, &len, &no, &e);
        if (rc == PU_OK && !line) {
            b->last = p->eof = 1;
            break;
        }
        if (rc == PU_OK && pu_blank(line)) continue;
        size_t k = b->n++;
        rcs[k] = rc;
        errs[k] = e;
        nos[k] = no;
        offs[k] = raw->len;
        lens[k] = rc ? 0 : len;
        if (rc == PU_OK && pu_buf_append(raw, line, len) != PU_OK) {
            rcs[k] = pu_fail(&errs[k], PU_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        if (rc && !is_input_error(rc)) { /* I/O failure: nothing after it can be trusted */
            b->last = p->eof = 1;
            break;
        }
    }
    b->offset = pu_lines_offset(p->r);
}

static void free_batch(pbatch *b);

static void *worker(void *arg) {
    pipeline *p = arg;
    pu_buf raw = PU_BUF_INIT((size_t)BATCH_LINES * (16u * 1024u * 1024u + 1));
    size_t offs[BATCH_LINES], lens[BATCH_LINES];
    uint64_t nos[BATCH_LINES];
    int rcs[BATCH_LINES];
    pu_err *errs = calloc(BATCH_LINES, sizeof *errs);
    for (;;) {
        pbatch *b = calloc(1, sizeof *b), *old = NULL;
        pthread_mutex_lock(&p->mu);
        if (p->ntrash) old = p->trash[--p->ntrash];
        while (!p->stop && !p->eof && p->next_seq >= p->write_seq + NSLOTS) pthread_cond_wait(&p->cv_free, &p->mu);
        if (p->stop || p->eof || !b || !errs) {
            if ((!b || !errs) && !p->stop && !p->eof) p->stop = 2; /* out of memory: the writer fails */
            pthread_cond_broadcast(&p->cv_ready);
            pthread_mutex_unlock(&p->mu);
            free(b);
            free_batch(old);
            break;
        }
        uint64_t seq = p->next_seq++;
        read_batch(p, b, &raw, offs, lens, nos, rcs, errs);
        const char *name = pu_lines_name(p->r);
        pthread_mutex_unlock(&p->mu);
        free_batch(old);
        for (size_t i = 0; i < b->n; i++) {
            pitem *it = &b->items[i];
            (void)pu_snprintf(it->where, sizeof it->where, "%s:%llu", name, (unsigned long long)nos[i]);
            if (rcs[i]) {
                it->rc = rcs[i];
                it->err = errs[i];
                if (!*it->err.where) pu_strlcpy(it->err.where, it->where, sizeof it->err.where);
            } else {
                parse_item(it, raw.data + offs[i], lens[i], it->where, p->o);
            }
        }
        pthread_mutex_lock(&p->mu);
        p->slots[seq % NSLOTS] = b;
        pthread_cond_broadcast(&p->cv_ready);
        pthread_mutex_unlock(&p->mu);
    }
    free(errs);
    pu_buf_free(&raw);
    return NULL;
}

static void free_batch(pbatch *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        store_row_free(&b->items[i].row);
        ftm_entity_free(b->items[i].e);
    }
    free(b);
}

/* Next batch in file order, or NULL when the workers stopped without one. */
static pbatch *next_batch(pipeline *p) {
    pthread_mutex_lock(&p->mu);
    pbatch *b;
    while (!(b = p->slots[p->write_seq % NSLOTS]) && p->stop != 2) pthread_cond_wait(&p->cv_ready, &p->mu);
    if (b) p->slots[p->write_seq % NSLOTS] = NULL;
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void done_batch(pipeline *p, pbatch *b) {
    pthread_mutex_lock(&p->mu);
    if (p->ntrash < NSLOTS) {
        p->trash[p->ntrash++] = b;
        b = NULL;
    }
    p->write_seq++;
    pthread_cond_broadcast(&p->cv_free);
    pthread_mutex_unlock(&p->mu);
    free_batch(b);
}

/* What a record was before it is written again (re-marking audit). */
typedef struct remark_before {
    int existed;
    char marking[24];
    char caveats[128];
} remark_before;

/* The stored marking and caveats of id, if it is in the store. */
static int remark_read(store_t *st, const char *id, remark_before *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    db_stmt *q;
    int rc = db_prepare(store_db(st), "SELECT marking, caveats FROM entity WHERE id = ?", &q, err);
    if (rc) return rc;
    db_bind_text(q, 1, id, -1);
    rc = db_step(q, err);
    if (rc == DB_ROW) {
        out->existed = 1;
        pu_strlcpy(out->marking, db_col_text(q, 0), sizeof out->marking);
        pu_strlcpy(out->caveats, db_col_text(q, 1), sizeof out->caveats);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = PU_OK;
    }
    db_finalize(q);
    return rc;
}

/* Did writing e change the marking or caveats of a record that existed? */
static int remark_changed(const remark_before *b, const ftm_entity *e) {
    if (!b->existed) return 0;
    const char *m = e->marking ? e->marking : STORE_LIST_MARKING, *c = e->caveats ? e->caveats : "";
    return strcmp(b->marking, m) != 0 || strcmp(b->caveats, c) != 0;
}

/* Write one batch; returns PU_OK or the fatal error (in *err). */
static int write_batch(store_t *st, pbatch *b, const store_import_opts *o, int flags, store_summary *sum,
                       pu_dupset *seen, pu_err *err) {
    for (size_t i = 0; i < b->n; i++) {
        pitem *it = &b->items[i];
        sum->read++;
        int rc = it->rc;
        if (!rc) {
            /* The same id twice in one input: the first record stands, the
             * second is refused and named with both lines (docs/input.md). */
            const char *first = NULL;
            int d = pu_dupset_add(seen, it->e->id, it->where, &first);
            if (d < 0) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            if (d == 1) {
                if (o && o->strict)
                    return pu_fail(err, PU_ERR_INVALID, it->where, "id",
                                   "duplicate id '%s' (first at %s)", it->e->id, first);
                store_summary_duplicate(sum, it->e->id, it->where, first);
                continue;
            }

            remark_before rb = {0};
            rc = o && o->on_remark && !(flags & STORE_PUT_NEW) ? remark_read(st, it->e->id, &rb, &it->err) : PU_OK;
            if (!rc) rc = store_summary_put_row(st, &it->row, flags, sum, &it->err);
            if (!rc && o && o->on_remark && remark_changed(&rb, it->e))
                rc = o->on_remark(o->remark_ctx, it->e, rb.marking, rb.caveats, &it->err);
            if (rc) set_where(&it->err, it->where);
        }
        if (rc && is_input_error(rc) && !(o && o->strict)) {
            store_summary_note(sum, &it->err, 1);
            continue;
        }
        if (rc) {
            if (err) *err = it->err;
            return rc;
        }
    }
    return PU_OK;
}

static int nworkers(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

static int run_pipeline(store_t *st, pu_lines *r, const store_import_opts *o, int flags, store_summary *sum,
                        pu_progress *prog, pu_err *err) {
    pipeline p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv_free, NULL);
    pthread_cond_init(&p.cv_ready, NULL);
    p.r = r;
    p.o = o;
    pthread_t th[MAX_WORKERS];
    int nw = 0, want = nworkers(), rc = PU_OK;
    pu_dupset *seen = NULL;
    if (pu_dupset_new(&seen)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (; nw < want; nw++)
        if (pthread_create(&th[nw], NULL, worker, &p) != 0) break;
    if (nw == 0) rc = pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cannot start a parser thread");
    for (int last = 0; !rc && !last;) {
        pbatch *b = next_batch(&p);
        if (!b) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
        last = b->last;
        rc = write_batch(st, b, o, flags, sum, seen, err);
        uint64_t off = b->offset;
        done_batch(&p, b);
        pu_progress_tick(prog, off, (uint64_t)sum->read);
    }
    pthread_mutex_lock(&p.mu);
    p.stop = p.stop ? p.stop : 1;
    pthread_cond_broadcast(&p.cv_free);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < nw; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NSLOTS; i++) free_batch(p.slots[i]);
    for (int i = 0; i < p.ntrash; i++) free_batch(p.trash[i]);
    pthread_cond_destroy(&p.cv_free);
    pthread_cond_destroy(&p.cv_ready);
    pthread_mutex_destroy(&p.mu);
    pu_dupset_free(seen);
    return rc;
}

int store_import_ftm(store_t *st, const char *path, const store_import_opts *o, store_summary *sum,
                     pu_err *err) {
    if (o && o->marking && !store_marking_valid(o->marking))
        return pu_fail(err, PU_ERR_INVALID, NULL, "marking", "expected " STORE_MARKINGS_TEXT ", got '%s'", o->marking);
    pu_lines *r;
    int rc = pu_lines_open(path, FTM_LINE_MAX, &r, err);
    if (rc) return rc;
    pu_lines_check_utf8(r, 1);
    if ((rc = store_begin(st, err))) {
        pu_lines_close(r);
        return rc;
    }
    /* into an empty store every id is new (or a duplicate within the file,
     * which STORE_PUT_NEW handles by falling back to the upsert) */
    int64_t before = 0;
    int flags = STORE_PUT_KEEP_TIMES;
    rc = store_count(st, STORE_SYSTEM, NULL, &before, err);
    if (!rc && before == 0) flags |= STORE_PUT_NEW;
    pu_progress prog;
    pu_progress_start(&prog, "import ftm", pu_file_size(path));
    if (!rc) rc = run_pipeline(st, r, o, flags, sum, &prog, err);
    /* every input record is accounted for exactly once (docs/input.md) */
    if (!rc && sum->read != sum->written + sum->rejected + sum->duplicate)
        rc = pu_fail(err, PU_ERR_INTERNAL, pu_lines_name(r), NULL,
                     "counts do not add up: %lld read, %lld written, %lld rejected, %lld duplicate",
                     (long long)sum->read, (long long)sum->written, (long long)sum->rejected,
                     (long long)sum->duplicate);
    if (!rc && sum->read == 0) /* an empty file is a mistake, not an import of nothing */
        rc = pu_fail(err, PU_ERR_INVALID, pu_lines_name(r), NULL, "the file is empty: expected FtM JSON lines");
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
    store_query eq = q ? *q : (store_query){0};
    eq.export = 1; /* an export is a re-share: ORCON stays with its owner (store_query) */
    int rc = store_iter(st, scope, &eq, export_one, &c, err);
    pu_buf_free(&c.buf);
    if (count) *count = c.n;
    if (rc) return rc;
    if (c.rc == PU_ERR_IO || fflush(out) != 0)
        return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write the export: %s", strerror(errno));
    if (c.rc) return pu_fail(err, c.rc, NULL, NULL, "cannot serialise an entity");
    return PU_OK;
}
