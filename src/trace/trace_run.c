/* trace_run.c - run trace requests: match the firearm, follow the chain to
 * the first retail purchaser, compute time-to-crime, set the status. */
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"
#include "trace/trace_req.h"

#define MAX_CANDIDATES 10

typedef struct req {
    int64_t id;
    char owner[64];
    char serial[TRACE_SERIAL_MAX];
    int wild, obliterated, mfr_known;
    char mfr[TRACE_NAME_MAX];
    char *type, *calibre, *model, *possessor, *possessor_dob;
    int64_t recovery;
} req;

typedef struct reqs {
    req *r;
    size_t n, cap;
    int rc;
} reqs;

static int load_req(db_stmt *st, void *ctx) {
    reqs *q = ctx;
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 1024;
        req *nr = realloc(q->r, nc * sizeof *nr);
        if (!nr) return q->rc = PU_ERR_NOMEM;
        q->r = nr;
        q->cap = nc;
    }
    req *r = &q->r[q->n];
    memset(r, 0, sizeof *r);
    r->id = db_col_int64(st, 0);
    pu_strlcpy(r->serial, db_col_text(st, 1), sizeof r->serial);
    r->wild = (int)db_col_int64(st, 2);
    r->obliterated = (int)db_col_int64(st, 3);
    pu_strlcpy(r->mfr, db_col_text(st, 4), sizeof r->mfr);
    r->mfr_known = (int)db_col_int64(st, 5);
    r->type = pu_strdup(db_col_text(st, 6));
    r->calibre = pu_strdup(db_col_text(st, 7));
    r->model = pu_strdup(db_col_text(st, 8));
    char name[TRACE_NAME_MAX];
    r->possessor = pu_strdup(trace_person_open(db_col_text(st, 9), name, sizeof name));
    r->possessor_dob = pu_strdup(db_col_text(st, 10));
    pu_parse_date(db_col_text(st, 11), &r->recovery);
    pu_strlcpy(r->owner, db_col_text(st, 12), sizeof r->owner);
    q->n++;
    if (!r->type || !r->calibre || !r->model || !r->possessor || !r->possessor_dob) return q->rc = PU_ERR_NOMEM;
    return PU_OK;
}

static void reqs_free(reqs *q) {
    for (size_t i = 0; i < q->n; i++) {
        free(q->r[i].type);
        free(q->r[i].calibre);
        free(q->r[i].model);
        free(q->r[i].possessor);
        free(q->r[i].possessor_dob);
    }
    free(q->r);
}

typedef struct runner {
    trace_t *t;
    const store_scope *scope;
    const trace_index *ix;
    db_bulk *out, *cand; /* results (into RUN_TMP) and candidates (into trace_candidate) */
} runner;

/* Requests run in chunks of this many: matched in memory, the events of the
 * chunk's firearms read with one query, the results written with two bulk
 * inserts (COPY on PostgreSQL) and one UPDATE ... FROM. Before, each request
 * cost three to five statements, each a round trip on PostgreSQL that waits
 * for the client and the server to be scheduled in turn (about 4 ms at a
 * load of 20 on two cores: docs/perf/pg.md). A chunk also has a fixed cost
 * on the server (planning its statements, emptying the temporary table:
 * about 17 ms of PostgreSQL's CPU per chunk of 500; 2,000 cut the server's
 * CPU of 90,723 requests from 5.7 s to 3.4 s, docs/perf/pg.md "Sixth
 * session"). Bounded by the IN lists of the chunk's statements and the
 * outcomes held in memory (about 3 KB each: 6 MB). */
#define RUN_CHUNK 2000

/* The results of a chunk before the UPDATE ... FROM: a temporary table of
 * the connection, emptied after each chunk. */
#define RUN_TMP "trace_run_out"
#define RUN_TMP_DDL                                                                                          \
    "CREATE TEMP TABLE IF NOT EXISTS " RUN_TMP " (id BIGINT PRIMARY KEY, status TEXT, reason TEXT,"            \
    " firearm_id BIGINT, purchaser TEXT, purchaser_key TEXT, purchase_date TEXT, purchase_state TEXT,"         \
    " dealer TEXT, dealer_ffl TEXT, ttc_days BIGINT, possessor_differs INTEGER, us_sourced INTEGER,"          \
    " result_mfr TEXT, result_type TEXT, result_calibre TEXT, notes TEXT, retail_event_id BIGINT,"           \
    " dealer_event_id BIGINT, updated TEXT)"
static const char *const RUN_TMP_COLS[] = {
    "id",         "status",     "reason",       "firearm_id",     "purchaser",      "purchaser_key",   "purchase_date",
    "purchase_state", "dealer", "dealer_ffl",   "ttc_days",       "possessor_differs", "us_sourced",  "result_mfr",
    "result_type", "result_calibre", "notes",   "retail_event_id", "dealer_event_id", "updated"};
#define RUN_TMP_NCOLS ((int)(sizeof RUN_TMP_COLS / sizeof RUN_TMP_COLS[0]))
/* The UPDATE's text before the chunk's request ids: the list
 * (trace_request.id IN (...)) makes PostgreSQL reach the requests through
 * their primary key. With the join alone it hashed the temporary table and
 * scanned all of trace_request, every row and every dead version of the
 * run's earlier chunks, once per chunk (docs/perf/pg.md, "Sixth session"). */
#define RUN_UPDATE                                                                                           \
    "UPDATE trace_request SET status = o.status, reason = o.reason, firearm_id = o.firearm_id,"               \
    " purchaser = o.purchaser, purchaser_key = o.purchaser_key, purchase_date = o.purchase_date,"             \
    " purchase_state = o.purchase_state, dealer = o.dealer, dealer_ffl = o.dealer_ffl, ttc_days = o.ttc_days," \
    " possessor_differs = o.possessor_differs, us_sourced = o.us_sourced, result_mfr = o.result_mfr,"        \
    " result_type = o.result_type, result_calibre = o.result_calibre,"                                        \
    " notes = COALESCE(o.notes, trace_request.notes), retail_event_id = o.retail_event_id,"                   \
    " dealer_event_id = o.dealer_event_id, updated = o.updated FROM " RUN_TMP " o WHERE trace_request.id = o.id" \
    " AND trace_request.id IN ("

/* One event of a firearm's chain as follow() reads it (one allocation:
 * the strings follow the struct). */
typedef struct evrow {
    int64_t fid, id;
    const char *kind, *date, *party, *pkey, *ffl, *state, *mfr, *type, *calibre, *mfg, *dob; /* mfg may be NULL */
} evrow;

typedef struct evrows {
    evrow **v;
    size_t n, cap;
    int rc;
} evrows;

typedef struct outcome {
    const char *status;
    char reason[256];
    char note[256];
    int64_t fid;
    int64_t retail_event, dealer_event; /* the records the result was read from */
    char purchaser[128], pkey[TRACE_KEY_MAX], pdate[16], pstate[8], dealer[128], ffl[40];
    char pdob[16];  /* the purchaser's date of birth as recorded with the sale */
    char rmfr[TRACE_NAME_MAX], rtype[32], rcal[32];
    int has_ttc;
    int64_t ttc;
    int differs; /* -1 unknown */
    int us_sourced;
    trace_candidate cand[MAX_CANDIDATES];
    size_t ncand;
} outcome;

int trace_sql_partial(trace_t *t, const store_scope *scope, const char *mfr, const char *pattern,
                      trace_candidate *out, size_t max, size_t *n, size_t *total, pu_err *err) {
    *n = 0;
    *total = 0;
    trace_pattern pat;
    char glob[TRACE_SERIAL_MAX * 3];
    int exact = 0;
    if (!pattern || !*pattern || trace_pattern_compile(pattern, &pat) ||
        trace_pattern_glob(&pat, glob, sizeof glob, &exact))
        return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected a normalised serial pattern, got '%s'",
                       pattern ? pattern : "");
    /* with a maker, SQLite narrows by the (mfr, serial_norm) index first */
    db_sql q;
    db_sql_init(&q);
    char sqlpat[TRACE_SERIAL_MAX * 6];
    if (db_glob_pattern(t->db, glob, sqlpat, sizeof sqlpat)) {
        db_sql_free(&q);
        return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "serial pattern too long: '%s'", pattern);
    }
    db_sql_addf(&q, "SELECT f.id, f.serial_norm, f.mfr FROM trace_firearm f WHERE f.serial_norm %s ?", db_glob_op(t->db));
    db_sql_text(&q, sqlpat);
    if (mfr && *mfr) {
        db_sql_add(&q, " AND f.mfr = ?");
        db_sql_text(&q, mfr);
    }
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "f");
    db_sql_add(&q, " ORDER BY f.mfr, f.serial_norm");
    db_stmt *st;
    int rc = db_sql_prepare(t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *s = db_col_text(st, 1);
        if (!exact && !trace_pattern_match(&pat, s)) continue;
        (*total)++;
        if (*n < max) {
            out[*n].firearm_id = db_col_int64(st, 0);
            out[*n].score = 1.0;
            pu_strlcpy(out[*n].serial, s, sizeof out[*n].serial);
            pu_strlcpy(out[*n].mfr, db_col_text(st, 2), sizeof out[*n].mfr);
            (*n)++;
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

void trace_candidates_write(const char *pattern, const char *mfr, const trace_candidate *c, size_t n, size_t total,
                            pu_buf *out) {
    pu_buf_printf(out, "pattern %s%s%s: %zu match%s\n", pattern, mfr && *mfr ? " within " : "", mfr ? mfr : "", total,
                  total == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++)
        pu_buf_printf(out, "%2zu. %.2f  %s %s (firearm %lld)\n", i + 1, c[i].score, c[i].mfr, c[i].serial,
                      (long long)c[i].firearm_id);
}

/* Exact (maker, serial) among the firearms visible to the runner. */
static int sql_exact(runner *R, const char *mfr, const char *serial, int64_t *id, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT f.id FROM trace_firearm f WHERE f.mfr = ? AND f.serial_norm = ? AND ");
    db_sql_text(&q, mfr);
    db_sql_text(&q, serial);
    store_scope_sql(&q, R->scope, "f");
    db_stmt *st;
    int rc = db_sql_prepare(R->t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    rc = db_step(st, err);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

/* Keep the best max candidates by (score desc, serial asc), as the index does. */
static void ranked_add(trace_candidate *c, size_t max, size_t *n, const trace_candidate *x) {
    size_t pos = *n < max ? (*n)++ : max;
    if (pos == max) {
        const trace_candidate *last = &c[max - 1];
        if (x->score < last->score || (x->score == last->score && strcmp(x->serial, last->serial) >= 0)) return;
        pos = max - 1;
    }
    while (pos > 0 && (c[pos - 1].score < x->score || (c[pos - 1].score == x->score && strcmp(c[pos - 1].serial, x->serial) > 0))) {
        c[pos] = c[pos - 1];
        pos--;
    }
    c[pos] = *x;
}

/* Without an index (one request run by the API): the same matches through
 * SQL over the firearms visible to the runner, ranked with the index's
 * score (trace_candidate_score), so the examiner sees the same order. */
static int sql_ranked(runner *R, const char *mfr, const char *pattern, const trace_hint *h, outcome *o, size_t *total,
                      pu_err *err) {
    trace_pattern pat;
    char glob[TRACE_SERIAL_MAX * 3], sqlpat[TRACE_SERIAL_MAX * 6];
    int exact = 0;
    *total = 0;
    o->ncand = 0;
    if (trace_pattern_compile(pattern, &pat) || trace_pattern_glob(&pat, glob, sizeof glob, &exact) ||
        db_glob_pattern(R->t->db, glob, sqlpat, sizeof sqlpat))
        return pu_fail(err, PU_ERR_INVALID, NULL, "serial", "expected a normalised serial pattern, got '%s'", pattern);
    db_sql q;
    db_sql_init(&q);
    db_sql_addf(&q, "SELECT f.id, f.serial_norm, f.mfr, COALESCE(f.model, ''), COALESCE(f.calibre, ''),"
                    " COALESCE(f.type, '') FROM trace_firearm f WHERE f.serial_norm %s ?", db_glob_op(R->t->db));
    db_sql_text(&q, sqlpat);
    if (mfr && *mfr) {
        db_sql_add(&q, " AND f.mfr = ?");
        db_sql_text(&q, mfr);
    }
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, R->scope, "f");
    db_stmt *st;
    int rc = db_sql_prepare(R->t->db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *sn = db_col_text(st, 1);
        if (!exact && !trace_pattern_match(&pat, sn)) continue;
        (*total)++;
        trace_candidate x = {.firearm_id = db_col_int64(st, 0)};
        x.score = trace_candidate_score(pat.literals, strlen(sn), db_col_text(st, 3), db_col_text(st, 4),
                                        db_col_text(st, 5), h);
        pu_strlcpy(x.serial, sn, sizeof x.serial);
        pu_strlcpy(x.mfr, db_col_text(st, 2), sizeof x.mfr);
        ranked_add(o->cand, MAX_CANDIDATES, &o->ncand, &x);
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int find(runner *R, const req *r, const char *mfr, const char *pattern, outcome *o, size_t *total,
                pu_err *err) {
    trace_hint h = {r->model, r->calibre, r->type};
    if (R->ix)
        return trace_index_partial(R->ix, mfr, pattern, &h, o->cand, MAX_CANDIDATES, &o->ncand, total, err);
    return sql_ranked(R, mfr, pattern, &h, o, total, err);
}

/* Decide which firearm the request is about: 0 with status set when none. */
static int match(runner *R, const req *r, outcome *o, double *secs, pu_err *err) {
    double t0 = pu_monotonic();
    size_t total = 0;
    int rc = PU_OK;
    if (!r->serial[0]) {
        o->status = "cannot_trace";
        snprintf(o->reason, sizeof o->reason, "obliterated serial: no legible characters");
    } else if (r->wild) {
        rc = find(R, r, r->mfr_known ? r->mfr : "", r->serial, o, &total, err);
        if (!rc && total == 0) {
            o->status = "cannot_trace";
            snprintf(o->reason, sizeof o->reason, "obliterated serial: no recorded firearm matches '%s'", r->serial);
        } else if (!rc && total == 1) {
            o->fid = o->cand[0].firearm_id;
            snprintf(o->note, sizeof o->note, "partial serial '%s' matched one firearm", r->serial);
        } else if (!rc) {
            o->status = "in_progress";
            snprintf(o->note, sizeof o->note, "partial serial '%s': %zu candidates for examiner review", r->serial, total);
        }
    } else {
        if (R->ix) o->fid = trace_index_lookup(R->ix, r->mfr, r->serial);
        else rc = sql_exact(R, r->mfr, r->serial, &o->fid, err);
        if (!rc && !o->fid && !r->mfr_known) {
            /* unknown manufacturer: the serial alone, across manufacturers */
            rc = find(R, r, "", r->serial, o, &total, err);
            if (!rc && total == 1) {
                o->fid = o->cand[0].firearm_id;
                snprintf(o->note, sizeof o->note, "manufacturer '%s' unknown; matched on serial to %s", r->mfr,
                         o->cand[0].mfr);
            } else if (!rc && total > 1) {
                o->status = "in_progress";
                snprintf(o->note, sizeof o->note, "manufacturer '%s' unknown; %zu firearms share the serial", r->mfr,
                         total);
            }
        }
        if (!rc && !o->fid && !o->status) {
            o->status = "cannot_trace";
            snprintf(o->reason, sizeof o->reason,
                     "no record: firearm not in US manufacturer or importer records (not US-sourced)");
        }
    }
    if (o->fid && o->status == NULL) o->ncand = o->ncand > 1 ? o->ncand : 0;
    *secs += pu_monotonic() - t0;
    return rc;
}

/* Keep one row of the chunk's events query. */
static int ev_keep(db_stmt *st, void *ctx) {
    evrows *e = ctx;
    if (e->n == e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 256;
        evrow **nv = realloc(e->v, nc * sizeof *nv);
        if (!nv) return e->rc = PU_ERR_NOMEM;
        e->v = nv;
        e->cap = nc;
    }
    /* columns 1..12 as text: kind, date, party, party_key, ffl, state, mfr,
     * type, calibre, mfg_date (NULL kept), id (unused as text), dob */
    size_t len[13] = {0}, total = sizeof(evrow);
    for (int c = 1; c <= 12; c++) total += (len[c] = db_col_isnull(st, c) ? 0 : strlen(db_col_text(st, c))) + 1;
    evrow *r = malloc(total);
    if (!r) return e->rc = PU_ERR_NOMEM;
    char *p = (char *)(r + 1);
    const char **dst[13] = {NULL, &r->kind, &r->date, &r->party, &r->pkey, &r->ffl, &r->state, &r->mfr, &r->type,
                            &r->calibre, &r->mfg, NULL, &r->dob};
    for (int c = 1; c <= 12; c++) {
        if (!dst[c]) continue;
        if (db_col_isnull(st, c)) {
            *dst[c] = c == 10 ? NULL : "";
            continue;
        }
        memcpy(p, db_col_text(st, c), len[c] + 1);
        *dst[c] = p;
        p += len[c] + 1;
    }
    r->fid = db_col_int64(st, 0);
    r->id = db_col_int64(st, 11);
    e->v[e->n++] = r;
    return PU_OK;
}

static void evrows_free(evrows *e) {
    for (size_t i = 0; i < e->n; i++) free(e->v[i]);
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Firearms per events query: with more, PostgreSQL's planner prefers a
 * (parallel) scan of every firearm to the lookups by key at 1 M records
 * (2,000 of 251,414 firearms: 40 ms in three processes instead of ~10 ms). */
#define EV_SLICE 500

/* The events visible to the runner of the n (sorted, distinct) firearms,
 * ordered by firearm, date, id: one query per EV_SLICE firearms, in order,
 * so the rows of the slices follow each other in the same order. */
static int events_of(runner *R, const int64_t *fids, size_t n, evrows *out, pu_err *err) {
    int rc = PU_OK;
    for (size_t at = 0; !rc && at < n; at += EV_SLICE) {
        size_t k = n - at < EV_SLICE ? n - at : EV_SLICE;
        db_sql q;
        db_sql_init(&q);
        /* the list restricts the firearms (their primary key), not the
         * events: PostgreSQL then reads the firearms by key and each one's
         * events through trace_event_firearm. Restricting e.firearm_id
         * instead, its planner estimated ~4 events a firearm and joined them
         * to a (parallel) scan of every firearm, about 100 ms per 500 at
         * 1 M records (docs/perf/pg.md, "Sixth session"). Same rows. */
        db_sql_add(&q, "SELECT e.firearm_id, e.kind, e.date, COALESCE(e.party, ''), COALESCE(e.party_key, ''),"
                       " COALESCE(e.ffl, ''), COALESCE(e.state, ''), f.mfr, COALESCE(f.type, ''), COALESCE(f.calibre, ''),"
                       " f.mfg_date, e.id, COALESCE(e.dob, '') FROM trace_firearm f JOIN trace_event e ON e.firearm_id = f.id"
                       " WHERE f.id IN (");
        /* the ids as literals (integers: nothing to quote): a slice has
         * more of them than a db_sql takes arguments */
        for (size_t i = 0; i < k; i++) db_sql_addf(&q, "%s%lld", i ? ", " : "", (long long)fids[at + i]);
        db_sql_add(&q, ") AND ");
        store_scope_sql(&q, R->scope, "e");
        db_sql_add(&q, " ORDER BY e.firearm_id, e.date, e.id");
        rc = trace_query_sql(R->t->db, &q, ev_keep, out, err);
        db_sql_free(&q);
        if (!rc && out->rc) rc = pu_fail(err, out->rc, NULL, NULL, "out of memory reading events");
    }
    return rc;
}

/* Follow the chain of events visible to the runner (ev[0..n), the
 * firearm's, in date order): first retail sale, its dealer, TTC, possessor
 * flag. */
static int follow(runner *R, const req *r, outcome *o, evrow *const *ev, size_t n, pu_err *err) {
    (void)R;
    (void)err;
    int found_retail = 0, seen_any = 0;
    int64_t dealer_event = 0;
    int64_t mfg = INT64_MIN;
    char last_party[128] = "", dealer_name[128] = "";
    for (size_t i = 0; i < n; i++) {
        const evrow *e = ev[i];
        if (!seen_any) {
            pu_strlcpy(o->rmfr, e->mfr, sizeof o->rmfr);
            pu_strlcpy(o->rtype, e->type, sizeof o->rtype);
            pu_strlcpy(o->rcal, e->calibre, sizeof o->rcal);
            if (e->mfg) pu_parse_date(e->mfg, &mfg);
        }
        seen_any = 1;
        if (!strcmp(e->kind, "DEALER") && !found_retail) {
            pu_strlcpy(dealer_name, e->party, sizeof dealer_name);
            dealer_event = e->id;
        }
        if (!found_retail && *e->party) trace_person_open(e->party, last_party, sizeof last_party);
        if (!strcmp(e->kind, "RETAIL") && !found_retail) {
            found_retail = 1;
            o->retail_event = e->id;
            trace_person_open(e->party, o->purchaser, sizeof o->purchaser);
            pu_strlcpy(o->pdob, e->dob, sizeof o->pdob);
            pu_strlcpy(o->pkey, e->pkey, sizeof o->pkey);
            pu_strlcpy(o->pdate, e->date, sizeof o->pdate);
            pu_strlcpy(o->ffl, e->ffl, sizeof o->ffl);
            pu_strlcpy(o->pstate, e->state, sizeof o->pstate);
        }
    }
    o->us_sourced = 1;
    if (mfg != INT64_MIN && r->recovery < mfg) {
        o->status = "cannot_trace";
        snprintf(o->reason, sizeof o->reason, "date conflict: recovery date is before the firearm's manufacture");
        return PU_OK;
    }
    if (!found_retail) {
        o->status = "cannot_trace";
        snprintf(o->reason, sizeof o->reason, "no purchaser record: chain ends at %s",
                 last_party[0] ? last_party : "the manufacturer or importer");
        return PU_OK;
    }
    pu_strlcpy(o->dealer, dealer_name, sizeof o->dealer);
    o->dealer_event = dealer_event;
    int64_t pd;
    pu_parse_date(o->pdate, &pd);
    if (r->recovery < pd) {
        o->status = "cannot_trace";
        snprintf(o->reason, sizeof o->reason, "date conflict: recovery %s is before the first retail sale", o->pdate);
        return PU_OK;
    }
    o->has_ttc = 1;
    o->ttc = r->recovery - pd;
    o->differs = -1;
    if (r->possessor && *r->possessor) {
        /* compare the normalised names (opened: the keys are blind and hold
         * the dates of birth); dates of birth only when both are known */
        char a[TRACE_NAME_MAX], b[TRACE_NAME_MAX];
        trace_name_norm(r->possessor, a, sizeof a);
        trace_name_norm(o->purchaser, b, sizeof b);
        int dob_conflict = r->possessor_dob && r->possessor_dob[0] && o->pdob[0] && strcmp(r->possessor_dob, o->pdob);
        o->differs = strcmp(a, b) != 0 || dob_conflict;
    }
    if (!o->status) o->status = "completed";
    return PU_OK;
}

static const char *opt(const char *s) { return s && *s ? s : NULL; }

/* Queue one result row (RUN_TMP); its candidates are queued by
 * save_candidates once the chunk's old candidates are deleted. */
static int save(runner *R, const req *r, const outcome *o, const char *now, pu_err *err) {
    char *purchaser = NULL;
    int rc = o->purchaser[0] ? trace_person_seal(o->purchaser, &purchaser, err) : PU_OK;
    if (rc) return rc;
    char id[24], fid[24], ttc[24], re[24], de[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    snprintf(fid, sizeof fid, "%lld", (long long)o->fid);
    snprintf(ttc, sizeof ttc, "%lld", (long long)o->ttc);
    snprintf(re, sizeof re, "%lld", (long long)o->retail_event);
    snprintf(de, sizeof de, "%lld", (long long)o->dealer_event);
    const char *row[] = {id, o->status, opt(o->reason), o->fid ? fid : NULL, opt(purchaser), opt(o->pkey),
                         opt(o->pdate), opt(o->pstate), opt(o->dealer), opt(o->ffl), o->has_ttc ? ttc : NULL,
                         o->differs >= 0 && o->has_ttc ? (o->differs ? "1" : "0") : NULL, o->us_sourced ? "1" : "0",
                         opt(o->rmfr), opt(o->rtype), opt(o->rcal), opt(o->note), o->retail_event ? re : NULL,
                         o->dealer_event ? de : NULL, now};
    _Static_assert(sizeof row / sizeof row[0] == sizeof RUN_TMP_COLS / sizeof RUN_TMP_COLS[0], "one value per column");
    rc = db_bulk_row(R->out, row, err);
    free(purchaser);
    return rc;
}

static int save_candidates(runner *R, const req *r, const outcome *o, pu_err *err) {
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    for (size_t k = 0; k < o->ncand; k++) {
        char rank[24], fid[24], score[40];
        snprintf(rank, sizeof rank, "%zu", k + 1);
        snprintf(fid, sizeof fid, "%lld", (long long)o->cand[k].firearm_id);
        snprintf(score, sizeof score, "%.17g", o->cand[k].score); /* the double read back exactly */
        const char *row[] = {id, rank, fid, score};
        int rc = db_bulk_row(R->cand, row, err);
        if (rc) return rc;
    }
    return PU_OK;
}

static int prepare(runner *R, pu_err *err) {
    db_t *db = R->t->db;
    static const char *const ccols[] = {"request_id", "rank", "firearm_id", "score"};
    int rc = db_exec(db, RUN_TMP_DDL, err);
    if (!rc) rc = db_scratch_empty(db, RUN_TMP, err);
    if (!rc) rc = db_bulk_open(db, RUN_TMP, RUN_TMP_COLS, RUN_TMP_NCOLS, &R->out, err);
    if (!rc) rc = db_bulk_open(db, "trace_candidate", ccols, 4, &R->cand, err);
    return rc;
}

static void finish(runner *R) {
    db_bulk_close(R->out);
    db_bulk_close(R->cand);
}

/* One chunk's requests idx[0..n) with their outcomes o: the events of their
 * firearms in one query, the chains followed, the results written. */
static int run_chunk(runner *R, const reqs *q, const size_t *idx, outcome *o, size_t n, pu_err *err) {
    if (!n) return PU_OK;
    int64_t fids[RUN_CHUNK];
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (o[i].fid) fids[nf++] = o[i].fid;
    if (nf > 1) qsort(fids, nf, sizeof *fids, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < nf; i++)
        if (!u || fids[u - 1] != fids[i]) fids[u++] = fids[i];
    evrows ev = {0};
    int rc = events_of(R, fids, u, &ev, err);
    char now[32];
    pu_now_iso(now, sizeof now);
    size_t at = 0; /* ev is ordered by firearm: find each firearm's run */
    for (size_t i = 0; !rc && i < n; i++) {
        if (o[i].fid) {
            at = 0;
            size_t lo = 0, hi = ev.n;
            while (lo < hi) { /* first row of the firearm */
                size_t mid = lo + (hi - lo) / 2;
                if (ev.v[mid]->fid < o[i].fid) lo = mid + 1;
                else hi = mid;
            }
            at = lo;
            size_t end = at;
            while (end < ev.n && ev.v[end]->fid == o[i].fid) end++;
            rc = follow(R, &q->r[idx[i]], &o[i], ev.v ? ev.v + at : NULL, end - at, err);
        }
        if (!rc) rc = save(R, &q->r[idx[i]], &o[i], now, err);
    }
    evrows_free(&ev);
    /* the results, then the chunk's old candidates out and the new ones in;
     * both statements name the chunk's request ids (integers: nothing to
     * quote), so each reaches its rows through an index */
    pu_buf ids = PU_BUF_INIT(RUN_CHUNK * 24 + 8), sql = PU_BUF_INIT(4096 + RUN_CHUNK * 24);
    for (size_t i = 0; !rc && i < n; i++)
        if (pu_buf_printf(&ids, "%s%lld", i ? ", " : "", (long long)q->r[idx[i]].id))
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = db_bulk_flush(R->out, err);
    if (!rc && pu_buf_printf(&sql, "%s%s)", RUN_UPDATE, pu_buf_str(&ids)))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = db_exec(R->t->db, pu_buf_str(&sql), err);
    pu_buf_reset(&sql);
    if (!rc && pu_buf_printf(&sql, "DELETE FROM trace_candidate WHERE request_id IN (%s)", pu_buf_str(&ids)))
        rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = db_exec(R->t->db, pu_buf_str(&sql), err);
    pu_buf_free(&sql);
    pu_buf_free(&ids);
    for (size_t i = 0; !rc && i < n; i++) rc = save_candidates(R, &q->r[idx[i]], &o[i], err);
    if (!rc) rc = db_bulk_flush(R->cand, err);
    if (!rc) rc = db_scratch_empty(R->t->db, RUN_TMP, err);
    return rc;
}

/* Owners whose write rule a run remembers (requests come from a handful of
 * agencies); past this many distinct owners each further one is checked
 * per request. */
#define RUN_OWNERS 32

/* store_check_owner's answer per owner for one run: the run holds the
 * store's write lock from before the first check to its commit, so no
 * grant can change in between, and the answer for an owner is the same
 * for each of its requests (one query per owner instead of per request). */
typedef struct owner_memo {
    char owner[RUN_OWNERS][64];
    int rc[RUN_OWNERS];
    pu_err why[RUN_OWNERS];
    size_t n;
} owner_memo;

static int check_owner(trace_t *t, const store_scope *scope, owner_memo *m, const char *owner, pu_err *err) {
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->owner[i], owner)) {
            if (m->rc[i] && err) *err = m->why[i];
            return m->rc[i];
        }
    pu_err why;
    pu_err_clear(&why);
    int rc = store_check_owner(t->db, scope, owner, &why);
    if (rc && err) *err = why;
    if (m->n < RUN_OWNERS && strlen(owner) < sizeof m->owner[0] && (rc == PU_OK || rc == PU_ERR_DENIED)) {
        pu_strlcpy(m->owner[m->n], owner, sizeof m->owner[0]);
        m->rc[m->n] = rc;
        m->why[m->n++] = why;
    }
    return rc;
}

static void count_status(trace_run_stats *st, const outcome *o) {
    if (!strcmp(o->status, "completed")) st->completed++;
    else if (!strcmp(o->status, "cannot_trace")) st->cannot_trace++;
    else st->pending_review++;
}

/* Run the requests scope may change: every submitted one (and in_progress
 * with rerun), or only request `only` when it is not 0. */
static int run_requests(trace_t *t, const store_scope *scope, const trace_index *ix, int rerun, int64_t only,
                        trace_run_stats *st, pu_err *err) {
    memset(st, 0, sizeof *st);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    if (ix && !trace_index_scope_is(ix, scope))
        return pu_fail(err, PU_ERR_INVALID, NULL, "index", "the index was built for another reader");
    double t0 = pu_monotonic();
    reqs q = {0};
    db_sql sq;
    db_sql_init(&sq);
    db_sql_add(&sq, "SELECT r.id, COALESCE(r.serial_norm, ''), r.serial_wild, r.obliterated, r.mfr, r.mfr_known,"
                    " COALESCE(r.type, ''), COALESCE(r.calibre, ''), COALESCE(r.model, ''),"
                    " COALESCE(r.possessor, ''), COALESCE(r.possessor_dob, ''), r.recovery_date, r.owner"
                    " FROM trace_request r WHERE ");
    db_sql_add(&sq, rerun ? "r.status IN ('submitted', 'in_progress')" : "r.status = 'submitted'");
    if (only) {
        db_sql_add(&sq, " AND r.id = ?");
        db_sql_int64(&sq, only);
    }
    db_sql_add(&sq, " AND ");
    store_scope_sql(&sq, scope, "r");
    db_sql_add(&sq, " ORDER BY r.id");
    int rc = trace_query_sql(t->db, &sq, load_req, &q, err);
    db_sql_free(&sq);
    if (!rc && q.rc) rc = pu_fail(err, q.rc, NULL, NULL, "out of memory loading requests");
    runner R = {.t = t, .scope = scope, .ix = ix};
    if (!rc) rc = prepare(&R, err);
    if (!rc) rc = db_begin(t->db, err);
    int in_tx = rc == PU_OK;
    pu_progress pg;
    pu_progress_start(&pg, "trace run", q.n);
    outcome *oc = in_tx ? calloc(RUN_CHUNK, sizeof *oc) : NULL;
    owner_memo *memo = in_tx && !scope->system ? calloc(1, sizeof *memo) : NULL;
    size_t idx[RUN_CHUNK], n = 0;
    if (in_tx && (!oc || (!scope->system && !memo))) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; !rc && i < q.n; i++) {
        /* visible is not enough: only requests the reader may change */
        if (!scope->system) {
            pu_err deny;
            int ok = check_owner(t, scope, memo, q.r[i].owner, &deny);
            if (ok == PU_ERR_DENIED) continue;
            if (ok) {
                if (err) *err = deny;
                rc = ok;
                break;
            }
        }
        outcome *o = &oc[n];
        memset(o, 0, sizeof *o);
        o->differs = -1;
        rc = match(&R, &q.r[i], o, &st->lookup_seconds, err);
        if (rc) break;
        idx[n++] = i;
        if (n == RUN_CHUNK || i + 1 == q.n) {
            rc = run_chunk(&R, &q, idx, oc, n, err);
            for (size_t k = 0; !rc && k < n; k++) count_status(st, &oc[k]);
            st->processed += n;
            n = 0;
        }
        if ((i & 1023) == 0) pu_progress_tick(&pg, i, i);
    }
    if (!rc && n) { /* the last requests were skipped as not the reader's */
        rc = run_chunk(&R, &q, idx, oc, n, err);
        for (size_t k = 0; !rc && k < n; k++) count_status(st, &oc[k]);
        st->processed += n;
    }
    free(oc);
    free(memo);
    pu_progress_end(&pg, q.n);
    finish(&R);
    reqs_free(&q);
    if (in_tx) {
        if (!rc) rc = store_generation_bump(t->db, "trace", err);   /* caches of trace data (the graph) */
        if (rc) db_rollback(t->db);
        else rc = db_commit(t->db, err);
    }
    st->total_seconds = pu_monotonic() - t0;
    return rc;
}

int trace_run(trace_t *t, const store_scope *scope, const trace_index *ix, int rerun, trace_run_stats *st,
              pu_err *err) {
    return run_requests(t, scope, ix, rerun, 0, st, err);
}

int trace_run_request(trace_t *t, const store_scope *scope, int64_t id, trace_run_stats *st, pu_err *err) {
    if (id <= 0) return pu_fail(err, PU_ERR_INVALID, NULL, "id", "expected a request id");
    return run_requests(t, scope, NULL, 0, id, st, err);
}
