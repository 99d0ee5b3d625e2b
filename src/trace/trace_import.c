/* trace_import.c - CSV readers for acquisition/disposition records and for
 * recoveries (trace requests). Bad rows are reported and kept in
 * trace_reject; good rows are imported in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"
#include "common/pu_parse.h"
#include "trace/trace_req.h"
#include "common/pu_report.h"

enum { A_MFR, A_SERIAL, A_IMPORTER, A_MODEL, A_TYPE, A_CALIBRE, A_ACTION, A_DETACH, A_COUNTRY, A_MARKINGS,
       A_EVENT, A_DATE, A_PARTY, A_DOB, A_FFL, A_STATE, A_NCOLS };
static const char *const ACOLS[A_NCOLS] = {"manufacturer", "serial", "importer", "model", "type", "calibre",
                                           "action", "detachable_mag", "country", "markings", "event", "date",
                                           "party", "party_dob", "ffl", "state"};
static const int AREQ[A_NCOLS] = {[A_MFR] = 1, [A_SERIAL] = 1, [A_EVENT] = 1, [A_DATE] = 1};

/* CSV-quote a row back into text, so a rejected row is kept as given. */
static void raw_row(const pu_csv_row *row, pu_buf *b) {
    pu_buf_reset(b);
    for (size_t i = 0; i < row->n; i++) {
        if (i) pu_buf_putc(b, ',');
        const char *f = row->fields[i];
        if (strpbrk(f, ",\"\n\r")) {
            pu_buf_putc(b, '"');
            for (const char *p = f; *p; p++) {
                if (*p == '"') pu_buf_putc(b, '"');
                pu_buf_putc(b, *p);
            }
            pu_buf_putc(b, '"');
        } else {
            pu_buf_puts(b, f);
        }
    }
}

/* Map header names to column indexes; unknown columns are an error so that
 * nothing a user gave is silently ignored. */
static int map_header(pu_csv *r, const pu_csv_row *h, const char *const *names, int nnames, const int *req,
                      int *col, pu_err *err) {
    for (int i = 0; i < nnames; i++) col[i] = pu_csv_col(h, names[i]);
    for (size_t j = 0; j < h->n; j++) {
        int known = 0;
        for (int i = 0; i < nnames; i++) known |= pu_strieq(h->fields[j], names[i]);
        if (!known && !pu_blank(h->fields[j])) {
            char where[PU_ERR_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)h->line);
            return pu_fail(err, PU_ERR_INVALID, where, h->fields[j], "unknown column; expected one of the columns in docs/trace.md");
        }
    }
    for (int i = 0; i < nnames; i++)
        if (req[i] && col[i] < 0) {
            char where[PU_ERR_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)h->line);
            return pu_fail(err, PU_ERR_INVALID, where, names[i], "required column missing from the header");
        }
    return PU_OK;
}

static const char *cell(const pu_csv_row *row, int col) {
    if (col < 0 || (size_t)col >= row->n) return NULL;
    const char *s = row->fields[col];
    return pu_blank(s) ? NULL : s;
}

typedef struct acq_ctx {
    trace_t *t;
    const store_scope *scope;
    const trace_import_opts *o;
    db_stmt *add_fa, *set_mfg, *add_ev, *find_ev;
} acq_ctx;

/* The firearm (maker, serial) as the filer sees it: *fid = 0 when absent
 * or hidden. Prepared per row (the connection caches the statement text):
 * the scope's bindings cannot be re-bound after a reset. */
static int find_firearm(acq_ctx *c, const char *mfr, const char *sn, int64_t *fid, int64_t *mfg, char *owner,
                        size_t osize, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.id, f.mfg_date, f.owner FROM trace_firearm f WHERE f.mfr = ? AND f.serial_norm = ? AND ");
    db_sql_text(&q, mfr);
    db_sql_text(&q, sn);
    store_scope_sql(&q, c->scope, "f");
    db_stmt *st;
    int rc = db_sql_prepare(c->t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    *fid = 0;
    *mfg = INT64_MIN;
    rc = db_step(st, err);
    if (rc == DB_ROW) {
        *fid = db_col_int64(st, 0);
        if (!db_col_isnull(st, 1)) pu_parse_date(db_col_text(st, 1), mfg);
        pu_strlcpy(owner, db_col_text(st, 2), osize);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = PU_OK;
    }
    db_finalize(st);
    return rc;
}

static int acq_prepare(acq_ctx *c, pu_err *err) {
    db_t *db = c->t->db;
    int rc = db_prepare(db, "INSERT INTO trace_firearm(mfr, mfr_raw, mfr_known, serial, serial_norm, importer, model,"
                            " type, calibre, action, detachable_mag, country, markings, mfg_date, owner, marking)"
                            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id", &c->add_fa, err);
    if (!rc) rc = db_prepare(db, "UPDATE trace_firearm SET mfg_date = ? WHERE id = ?", &c->set_mfg, err);
    if (!rc)
        rc = db_prepare(db, "INSERT INTO trace_event(firearm_id, kind, date, party, party_key, dob, ffl, state, owner,"
                            " marking) VALUES (?,?,?,?,?,?,?,?,?,?)", &c->add_ev, err);
    return rc;
}

static void acq_finish(acq_ctx *c) {
    db_finalize(c->add_fa);
    db_finalize(c->set_mfg);
    db_finalize(c->add_ev);
    db_finalize(c->find_ev);
}

static void bind_opt(db_stmt *st, int i, const char *s) {
    if (s) db_bind_text(st, i, s, -1);
    else db_bind_null(st, i);
}

/* *found = 1 when the owner already stored this event of firearm fid
 * (ev: kind, date, party, dob, ffl, state; NULL = absent). A person's name
 * is sealed (a random nonce each time): persons are compared on their
 * blind key (ev[2] is then the key), businesses on the name. */
static int event_exists(acq_ctx *c, int64_t fid, const char *const ev[6], int *found, pu_err *err) {
    db_stmt *s = c->find_ev;
    if (!s) {
        int rc = db_prepare(c->t->db, "SELECT 1 FROM trace_event WHERE firearm_id = ? AND kind = ? AND date = ?"
                                      " AND COALESCE(party_key, party, '') = ? AND COALESCE(dob, '') = ? AND COALESCE(ffl, '') = ?"
                                      " AND COALESCE(state, '') = ? AND owner = ? LIMIT 1", &c->find_ev, err);
        if (rc) return rc;
        s = c->find_ev;
    }
    db_reset(s);
    db_bind_int64(s, 1, fid);
    for (int i = 0; i < 6; i++) db_bind_text(s, i + 2, ev[i] ? ev[i] : "", -1);
    db_bind_text(s, 8, c->o->owner, -1);
    int rc = db_step(s, err);
    *found = rc == DB_ROW;
    db_reset(s);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

/* Validate and write one acquisition row. PU_ERR_INVALID leaves the store
 * untouched (all checks run before the first write). */
static int acq_row(acq_ctx *c, const pu_csv_row *row, const int *col, int *unknown_mfr, int *new_fa, pu_buf *nkey,
                   int *existing, pu_err *err) {
    const char *v[A_NCOLS];
    for (int i = 0; i < A_NCOLS; i++) v[i] = cell(row, col[i]);
    for (int i = 0; i < A_NCOLS; i++)
        if (AREQ[i] && !v[i]) return pu_fail(err, PU_ERR_INVALID, NULL, ACOLS[i], "required value is empty");
    char sn[TRACE_SERIAL_MAX], mfr[TRACE_NAME_MAX], when[16];
    int known;
    if (trace_serial_norm(v[A_SERIAL], 0, sn, sizeof sn, NULL, err)) return PU_ERR_INVALID;
    trace_mfr_norm(v[A_MFR], mfr, sizeof mfr, &known);
    *unknown_mfr = !known;
    int kind = trace_kind_rank(v[A_EVENT]);
    if (kind < 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "event",
                       "expected one of " TRACE_KINDS ", got '%s'", v[A_EVENT]);
    int64_t day;
    if (pu_date_parse_days(v[A_DATE], NULL, "date", &day, err)) return PU_ERR_INVALID;
    if (day > c->t->today) {
        pu_format_date(c->t->today, when, sizeof when);
        return pu_fail(err, PU_ERR_INVALID, NULL, "date", "date %s is in the future (today is %s)", v[A_DATE], when);
    }
    if (v[A_DOB]) {
        int64_t dob;
        if (pu_date_parse_days(v[A_DOB], NULL, "party_dob", &dob, err)) return PU_ERR_INVALID;
        if (dob > c->t->today)
            return pu_fail(err, PU_ERR_INVALID, NULL, "party_dob", "expected a past date YYYY-MM-DD, got '%s'", v[A_DOB]);
        /* the dates of one record must agree: nobody buys before being born */
        if (dob > day)
            return pu_fail(err, PU_ERR_INVALID, NULL, "party_dob", "born %s, after the %s date %s", v[A_DOB],
                           v[A_EVENT], v[A_DATE]);
    }
    if ((kind == 4 || kind == 5) && !v[A_PARTY])
        return pu_fail(err, PU_ERR_INVALID, NULL, "party", "a %s record needs the purchaser's name", v[A_EVENT]);
    if ((kind == 3 || kind == 4) && !v[A_FFL])
        return pu_fail(err, PU_ERR_INVALID, NULL, "ffl", "a %s record needs the dealer's FFL number", v[A_EVENT]);
    if ((kind == 3 || kind == 4) && !trace_us_state_valid(v[A_STATE]))
        return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected the dealer's US state code (e.g. TX), got '%s'",
                       v[A_STATE] ? v[A_STATE] : "");
    if (v[A_STATE] && !trace_us_state_valid(v[A_STATE]) && kind != 1 && kind != 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "state", "expected a US state code (e.g. TX), got '%s'", v[A_STATE]);
    const char *type = v[A_TYPE] ? trace_type_norm(v[A_TYPE]) : NULL;
    if (v[A_TYPE] && !type)
        return pu_fail(err, PU_ERR_INVALID, NULL, "type", "expected pistol, revolver, rifle, shotgun, ... got '%s'",
                       v[A_TYPE]);
    /* find the firearm: serials are unique only within a manufacturer */
    int64_t fid = 0, mfg = INT64_MIN;
    char fowner[64] = "";
    int rc = find_firearm(c, mfr, sn, &fid, &mfg, fowner, sizeof fowner, err);
    if (rc) return rc;
    if (kind == 0 && mfg == INT64_MIN) mfg = day;
    if (day < mfg && mfg != INT64_MIN) {
        pu_format_date(mfg, when, sizeof when);
        return pu_fail(err, PU_ERR_INVALID, NULL, "date", "%s date %s is before the firearm's manufacture (%s)",
                       v[A_EVENT], v[A_DATE], when);
    }
    if (!fid && !type)
        return pu_fail(err, PU_ERR_INVALID, NULL, "type", "first record of a firearm needs its type");
    static const char *const K[] = {"MANUFACTURE", "IMPORT", "DISTRIBUTOR", "DEALER", "RETAIL", "TRANSFER"};
    /* the event's natural key; an event the owner already stored is not written again */
    pu_buf_reset(nkey);
    pu_buf_printf(nkey, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", c->o->owner, mfr, sn, K[kind], v[A_DATE],
                  v[A_PARTY] ? v[A_PARTY] : "", v[A_DOB] ? v[A_DOB] : "", v[A_FFL] ? v[A_FFL] : "",
                  v[A_STATE] ? v[A_STATE] : "");
    char key[TRACE_KEY_MAX];
    int person = v[A_PARTY] && kind >= 4;
    if (person && (rc = trace_party_key(v[A_PARTY], v[A_DOB], key, sizeof key, err))) return rc;
    if (fid) {
        const char *ev[] = {K[kind], v[A_DATE], person ? key : v[A_PARTY], v[A_DOB], v[A_FFL], v[A_STATE]};
        if ((rc = event_exists(c, fid, ev, existing, err))) return rc;
        if (*existing) return PU_OK;
    }
    const char *mk = c->o->marking ? c->o->marking : STORE_DEFAULT_MARKING;
    /* a manufacture date changes the firearm's record: its owner's to change */
    if (fid && kind == 0 && (rc = store_check_owner(c->t->db, c->scope, fowner, err))) return rc;
    if (!fid) {
        db_stmt *s = c->add_fa;
        db_reset(s);
        db_bind_text(s, 1, mfr, -1);
        db_bind_text(s, 2, v[A_MFR], -1);
        db_bind_int64(s, 3, known);
        db_bind_text(s, 4, v[A_SERIAL], -1);
        db_bind_text(s, 5, sn, -1);
        /* importers go through the same alias table as makers */
        char imp[TRACE_NAME_MAX];
        int imp_known;
        trace_mfr_norm(v[A_IMPORTER], imp, sizeof imp, &imp_known);
        bind_opt(s, 6, v[A_IMPORTER] ? imp : NULL);
        bind_opt(s, 7, v[A_MODEL]);
        bind_opt(s, 8, type);
        bind_opt(s, 9, v[A_CALIBRE]);
        bind_opt(s, 10, v[A_ACTION]);
        db_bind_int64(s, 11, v[A_DETACH] && (pu_strieq(v[A_DETACH], "1") || pu_strieq(v[A_DETACH], "yes") ||
                                             pu_strieq(v[A_DETACH], "true")));
        bind_opt(s, 12, v[A_COUNTRY]);
        bind_opt(s, 13, v[A_MARKINGS]);
        bind_opt(s, 14, kind == 0 ? v[A_DATE] : NULL);
        db_bind_text(s, 15, c->o->owner, -1);
        db_bind_text(s, 16, mk, -1);
        if ((rc = db_insert_id(s, &fid, err))) {
            /* UNIQUE (mfr, serial_norm): the firearm exists under a marking
             * the filer cannot see; refused as a row, not a store failure */
            if (rc == PU_ERR_CONFLICT)
                return pu_fail(err, PU_ERR_CONFLICT, NULL, "serial",
                               "this maker and serial cannot be filed by %s", c->scope->agency ? c->scope->agency : pu_tr("this user"));
            return rc;
        }
        *new_fa = 1;
    } else if (kind == 0) {
        db_reset(c->set_mfg);
        db_bind_text(c->set_mfg, 1, v[A_DATE], -1);
        db_bind_int64(c->set_mfg, 2, fid);
        if ((rc = db_step_done(c->set_mfg, err))) return rc;
    }
    char *sealed = NULL;
    if (person && (rc = trace_person_seal(v[A_PARTY], &sealed, err))) return rc;
    db_stmt *e = c->add_ev;
    db_reset(e);
    db_bind_int64(e, 1, fid);
    db_bind_text(e, 2, K[kind], -1);
    db_bind_text(e, 3, v[A_DATE], -1);
    bind_opt(e, 4, person ? sealed : v[A_PARTY]);
    if (person) db_bind_text(e, 5, key, -1);
    else db_bind_null(e, 5);
    bind_opt(e, 6, v[A_DOB]);
    bind_opt(e, 7, v[A_FFL]);
    bind_opt(e, 8, v[A_STATE]);
    db_bind_text(e, 9, c->o->owner, -1);
    db_bind_text(e, 10, mk, -1);
    rc = db_step_done(e, err);
    free(sealed);
    return rc;
}

/* One row: validate and write it. *nkey gets the row's natural key and
 * *existing is 1 when the store already holds its record (nothing written). */
typedef int (*row_fn)(void *ctx, const pu_csv_row *row, const int *col, trace_import_stats *st, pu_buf *nkey,
                      int *existing, pu_err *err);
static int acq_fn(void *ctx, const pu_csv_row *row, const int *col, trace_import_stats *st, pu_buf *nkey,
                  int *existing, pu_err *err);

/* Shared driver: header, rows, rejects, one transaction, strict mode. */
static int import_file(trace_t *t, const store_scope *scope, pu_csv *r, const trace_import_opts *o,
                       const char *const *names, int nnames, const int *req, row_fn fn, void *ctx,
                       trace_import_stats *st, pu_err *err) {
    memset(st, 0, sizeof *st);
    /* recoveries may leave the owner to each row's requesting agency */
    int rc = trace_check_opts(scope, o, fn == acq_fn, err);
    if (rc) return rc;
    const pu_csv_row *h;
    rc = pu_csv_next(r, &h, err);
    if (rc) return rc;
    if (!h) return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "empty file: expected a header row");
    int col[64];
    if ((rc = map_header(r, h, names, nnames, req, col, err))) return rc;
    if ((rc = db_begin(t->db, err))) return rc;
    pu_buf raw = PU_BUF_INIT(PU_IO_DEFAULT_MAX_RECORD * 2);
    pu_buf nkey = PU_BUF_INIT(PU_IO_DEFAULT_MAX_RECORD * 2);
    pu_dupset *seen = NULL; /* natural keys of this input -> where first seen */
    if ((rc = pu_dupset_new(&seen))) {
        pu_buf_free(&raw);
        pu_buf_free(&nkey);
        db_rollback(t->db);
        return pu_fail(err, rc, NULL, NULL, "out of memory");
    }
    pu_progress pg;
    pu_progress_start(&pg, "trace import", pu_file_size(pu_csv_name(r)));
    for (;;) {
        const pu_csv_row *row = NULL;
        pu_err e;
        pu_err_clear(&e);
        rc = pu_csv_next(r, &row, &e);
        if (rc == PU_OK && !row) break;
        char where[PU_ERR_WHERE_MAX];
        if (rc == PU_OK) {
            st->rows++;
            snprintf(where, sizeof where, "%s:%llu", pu_csv_name(r), (unsigned long long)row->line);
            int existing = 0;
            rc = fn(ctx, row, col, st, &nkey, &existing, &e);
            const char *first = NULL;
            int again = rc == PU_OK ? pu_dupset_add(seen, pu_buf_str(&nkey), where, &first) : 0;
            if (again < 0) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            if (rc == PU_OK && existing) {
                /* the same record twice: inside this input a duplicate (reported),
                 * from an earlier import unchanged (a re-import changes nothing) */
                if (again) {
                    st->duplicate++;
                    fprintf(stderr, pu_tr("puente: %s: duplicate of %s (the same record); not imported again\n"), where,
                            first);
                } else {
                    st->unchanged++;
                }
                continue;
            }
            if (rc == PU_OK) {
                st->accepted++;
                if (st->rows % 4096 == 0) pu_progress_tick(&pg, pu_csv_offset(r), st->rows);
                continue;
            }
            /* refused by the write rule: a rejected row like a malformed one */
            if (rc == PU_ERR_DENIED || rc == PU_ERR_CONFLICT) rc = PU_ERR_INVALID;
            if (rc != PU_ERR_INVALID) { /* store failure: abort the file */
                *err = e;
                break;
            }
            pu_strlcpy(e.where, where, sizeof e.where);
            raw_row(row, &raw);
        } else if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
            st->rows++;
            pu_buf_reset(&raw);
            pu_buf_puts(&raw, "(unreadable record)");
        } else {
            *err = e;
            break;
        }
        st->rejected++;
        pu_err_print(&e);
        rc = trace_reject_keep(t, pu_csv_name(r), row ? row->line : 0, &e, pu_buf_str(&raw), err);
        if (rc) break;
    }
    pu_progress_end(&pg, st->rows);
    /* a header without rows: nothing to import is refused, not "0 of 0 imported" */
    if (rc == PU_OK && st->rows == 0)
        rc = pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL, "no records after the header: nothing to import");
    pu_buf_free(&raw);
    pu_buf_free(&nkey);
    pu_dupset_free(seen);
    if (rc == PU_OK && o->strict && st->rejected) {
        db_rollback(t->db);
        return pu_fail(err, PU_ERR_INVALID, pu_csv_name(r), NULL,
                       "%llu of %llu rows rejected; strict mode: nothing imported",
                       (unsigned long long)st->rejected, (unsigned long long)st->rows);
    }
    if (!rc) rc = store_generation_bump(t->db, "trace", err);   /* caches of trace data (the graph) */
    if (rc) {
        db_rollback(t->db);
        return rc;
    }
    return db_commit(t->db, err);
}

static int acq_fn(void *ctx, const pu_csv_row *row, const int *col, trace_import_stats *st, pu_buf *nkey,
                  int *existing, pu_err *err) {
    int unk = 0, nf = 0;
    int rc = acq_row(ctx, row, col, &unk, &nf, nkey, existing, err);
    if (rc == PU_OK && !*existing) {
        st->unknown_mfr += (uint64_t)unk;
        st->firearms_new += (uint64_t)nf;
    }
    return rc;
}

int trace_import_acquisitions(trace_t *t, const store_scope *scope, pu_csv *r, const trace_import_opts *o,
                              trace_import_stats *st, pu_err *err) {
    acq_ctx c = {.t = t, .scope = scope, .o = o};
    int rc = acq_prepare(&c, err);
    if (!rc) rc = import_file(t, scope, r, o, ACOLS, A_NCOLS, AREQ, acq_fn, &c, st, err);
    acq_finish(&c);
    return rc;
}

typedef struct rec_ctx {
    trace_t *t;
    const store_scope *scope;
    const trace_import_opts *o;
    db_stmt *ins, *find, *set_key;
} rec_ctx;

/* *found = 1 when owner already holds a request imported with key. */
static int request_exists(rec_ctx *c, const char *owner, const pu_buf *key, int *found, pu_err *err) {
    int rc = PU_OK;
    if (!c->find)
        rc = db_prepare(c->t->db, "SELECT 1 FROM trace_request WHERE import_key = ? AND owner = ? LIMIT 1", &c->find, err);
    if (rc) return rc;
    db_reset(c->find);
    db_bind_text(c->find, 1, pu_buf_str(key), (int)key->len);
    db_bind_text(c->find, 2, owner, -1);
    rc = db_step(c->find, err);
    *found = rc == DB_ROW;
    db_reset(c->find);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

static int rec_fn(void *ctx, const pu_csv_row *row, const int *col, trace_import_stats *st, pu_buf *nkey,
                  int *existing, pu_err *err) {
    rec_ctx *c = ctx;
    const char *v[F_COUNT];
    for (int i = 0; i < F_COUNT; i++) v[i] = cell(row, col[i]);
    trace_req q;
    int rc = trace_req_validate(c->t, v, &q, err);
    if (rc) return rc;
    trace_import_opts o = *c->o;
    if (!o.owner) o.owner = q.v[F_AGENCY]; /* the requesting agency owns its request */
    if ((rc = store_check_act_for(c->scope, o.owner, err))) return rc;
    /* natural key: the owner and the row as given (the request number is ours) */
    pu_buf_reset(nkey);
    pu_buf_puts(nkey, o.owner);
    for (int i = 0; i < F_COUNT; i++) {
        pu_buf_putc(nkey, '\x1f');
        if (q.v[i]) pu_buf_puts(nkey, q.v[i]);
    }
    if (store_seal_configured()) { /* the row holds the possessor's name: keep only its blind index */
        char bi[STORE_BLIND_MAX];
        if ((rc = store_blind_index("trace_request.import_key", pu_buf_str(nkey), bi, sizeof bi, err))) return rc;
        pu_buf_reset(nkey);
        pu_buf_puts(nkey, bi);
    }
    if ((rc = request_exists(c, o.owner, nkey, existing, err)) || *existing) return rc;
    int64_t id = 0;
    rc = trace_req_insert(c->t, &c->ins, &q, &o, &id, NULL, 0, err);
    if (!rc && !c->set_key)
        rc = db_prepare(c->t->db, "UPDATE trace_request SET import_key = ? WHERE id = ?", &c->set_key, err);
    if (!rc) {
        db_reset(c->set_key);
        db_bind_text(c->set_key, 1, pu_buf_str(nkey), (int)nkey->len);
        db_bind_int64(c->set_key, 2, id);
        rc = db_step_done(c->set_key, err);
    }
    if (rc == PU_OK && !q.mfr_known) st->unknown_mfr++;
    return rc == PU_ERR_INVALID ? PU_ERR_DB : rc;
}

int trace_import_recoveries(trace_t *t, const store_scope *scope, pu_csv *r, const trace_import_opts *o,
                            trace_import_stats *st, pu_err *err) {
    size_t n;
    const trace_form_field *f = trace_form_fields(&n);
    const char *names[F_COUNT];
    int req[F_COUNT];
    for (size_t i = 0; i < n && i < F_COUNT; i++) {
        names[i] = f[i].key;
        req[i] = 0; /* required values are checked per row, so a row is rejected, not the file */
    }
    rec_ctx c = {.t = t, .scope = scope, .o = o};
    int rc = import_file(t, scope, r, o, names, F_COUNT, req, rec_fn, &c, st, err);
    db_finalize(c.ins);
    db_finalize(c.find);
    db_finalize(c.set_key);
    return rc;
}
