/* http_kinship.c - purpose-limited kinship routes: pairwise LRs, dviSolve
 * tables and joint assignments over a case sent as JSON (kin_request_parse).
 *
 * Access: the route table requires ACL_P_FORENSIC (forensic role only), so
 * the dispatcher refuses and audits every other role before this file runs.
 * Every request states a purpose; the audit entry's detail is a JSON object
 * with the purpose, the case reference and the case's size, written also
 * when the case is refused (docs/kinship.md, "HTTP API"). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "kinship/kinship.h"

/* Audit detail: {"purpose":..., "case_ref":..., "pm":..., ...}. JSON so
 * that no purpose text can forge other fields. */
static void set_detail(http_req *r, const kin_request *q, json_t *extra) {
    json_t *d = json_object();
    if (d && q) {
        json_object_set_new(d, "purpose", json_string(q->purpose));
        if (q->case_ref) json_object_set_new(d, "case_ref", json_string(q->case_ref));
        if (q->c) {
            json_object_set_new(d, "pm", json_integer(q->c->nvic));
            json_object_set_new(d, "families", json_integer(q->c->nfam));
            json_object_set_new(d, "missing", json_integer(q->c->nmiss));
            json_object_set_new(d, "markers", json_integer(q->db->n));
        }
    }
    if (d && extra) json_object_update(d, extra);
    json_decref(extra);
    char *s = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    pu_buf_reset(&r->detail);
    if (s) (void)pu_buf_puts(&r->detail, s);
    free(s);
    json_decref(d);
}

/* A kinship error: field = the JSON member ("case.pm" from "case.pm:3"),
 * message = where, CSV column and what was expected. */
static int kin_fail(http_req *r, int rc, const pu_err *e) {
    char field[PU_ERR_FIELD_MAX];
    if (e->where[0]) {
        size_t n = strcspn(e->where, ": ");
        snprintf(field, sizeof field, "%.*s", (int)(n < sizeof field ? n : sizeof field - 1), e->where);
    } else {
        pu_strlcpy(field, e->field, sizeof field);
    }
    /* a population missing from the frequencies is bad input, not a missing route */
    if (rc == PU_ERR_NOTFOUND) rc = PU_ERR_INVALID;
    const char *msg = e->msg[0] ? e->msg : pu_strerror(rc);
    if (e->where[0] && e->field[0]) return http_fail(r, rc, field, "%s: field '%s': %s", e->where, e->field, msg);
    if (e->where[0]) return http_fail(r, rc, field, "%s: %s", e->where, msg);
    return http_fail(r, rc, field, "%s", msg);
}

/* Parse the body (purpose first) and read the case; audited either way. */
static int load(http_req *r, kin_request **out) {
    *out = NULL;
    kin_req_caps caps;
    kin_req_caps_default(&caps);
    pu_err e;
    pu_err_clear(&e);
    if (r->body.len == 0)
        return http_fail(r, PU_ERR_INVALID, "body", "expected a JSON object with purpose and case in the request body");
    kin_request *q;
    int rc = kin_request_parse(r->body.data, r->body.len, &caps, &q, &e);
    if (rc) return kin_fail(r, rc, &e);
    if (q->case_ref) http_target(r, q->case_ref);
    if (q->purpose) pu_strlcpy(r->purpose, q->purpose, sizeof r->purpose); /* the audit entry's purpose field */
    set_detail(r, q, NULL);
    rc = kin_request_load(q, &e);
    if (rc) {
        kin_request_free(q);
        return kin_fail(r, rc, &e);
    }
    set_detail(r, q, NULL);
    *out = q;
    return PU_OK;
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* A JSON string of s. Ids come from JSON text and are valid UTF-8, but the
 * engine's fixed-size comments may have cut a character in two: drop the
 * incomplete tail rather than lose the row. */
static json_t *jstr(const char *s) {
    size_t n = s ? strlen(s) : 0;
    for (int k = 0; k < 4 && n > 0; k++, n--)
        if (pu_utf8_valid(s, n)) return json_stringn(s, n);
    return json_string("");
}

static json_t *str_or_null(const char *s) { return s && *s ? jstr(s) : json_null(); }

/* Append a row; a row that could not be built fails the response (never a
 * silently shorter result). */
static int push(json_t *arr, json_t *row, int *bad) {
    if (!row || json_array_append_new(arr, row)) *bad = 1;
    return *bad;
}

static const char *miss_name(const kin_case *c, int j) { return c->fam[c->miss[j].fam].p[c->miss[j].person].id; }
static const char *miss_family(const kin_case *c, int j) { return c->fam[c->miss[j].fam].name; }

/* The part of every response that says what was asked and what was read. */
static json_t *envelope(const kin_request *q) {
    json_t *w = json_array();
    for (int i = 0; w && i < q->nwarn; i++) json_array_append_new(w, jstr(q->warn[i]));
    return json_pack("{s:o,s:o,s:{s:i,s:i,s:i,s:i},s:o,s:I}", "purpose", jstr(q->purpose), "case_ref",
                     str_or_null(q->case_ref), "counts", "pm", q->c->nvic, "families", q->c->nfam, "missing",
                     q->c->nmiss, "markers", q->db->n, "warnings", w ? w : json_array(), "warnings_total",
                     (json_int_t)q->n_warnings);
}

#define KIN_PER_MARKER_MAX 100000 /* pairs x markers of one per-marker answer */

/* [{"marker", "lr", "incompatible"}] of one pair (options.per_marker). */
static json_t *marker_lrs(const kin_request *q, int v, int j, double *logm, int *inc, pu_err *e) {
    if (kin_pair_markers(q->c, &q->opts, v, j, logm, inc, e)) return NULL;
    json_t *a = json_array();
    for (int m = 0; a && m < q->db->n; m++)
        json_array_append_new(a, json_pack("{s:s,s:o,s:b}", "marker", q->db->m[m].name, "lr", num_or_null(exp(logm[m])),
                                           "incompatible", inc[m]));
    return a;
}

int h_kin_pairwise(http_req *r) {
    kin_request *q;
    int rc = load(r, &q);
    if (rc) return rc;
    const kin_case *c = q->c;
    if (q->per_marker && (long)c->nvic * c->nmiss * q->db->n > KIN_PER_MARKER_MAX) {
        long n = (long)c->nvic * c->nmiss * q->db->n;
        kin_request_free(q);
        return http_fail(r, PU_ERR_LIMIT, "options.per_marker",
                         "%ld pair-markers asked, at most %d per answer: send fewer samples or families", n,
                         KIN_PER_MARKER_MAX);
    }
    double *logm = malloc(((size_t)q->db->n + 1) * sizeof *logm);
    int *inc = malloc(((size_t)q->db->n + 1) * sizeof *inc);
    size_t n = (size_t)c->nvic * c->nmiss + 1;
    double *lr = malloc(n * sizeof *lr);
    int *ex = malloc(n * sizeof *ex);
    pu_err e;
    pu_err_clear(&e);
    rc = lr && ex ? kin_pairwise(c, &q->opts, lr, ex, &e) : pu_fail(&e, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    json_t *res = rc ? NULL : json_array();
    int bad = !rc && !res;
    for (int v = 0; res && !bad && v < c->nvic; v++)
        for (int j = 0; j < c->nmiss; j++) {
            size_t k = (size_t)v * c->nmiss + j;
            int sex_ok = ex[k] >= 0;
            json_t *row = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "pm_sample", jstr(c->vic[v].id), "family",
                                    jstr(miss_family(c, j)), "missing", jstr(miss_name(c, j)), "lr", num_or_null(lr[k]),
                                    "log10_lr", num_or_null(lr[k] > 0 ? log10(lr[k]) : NAN), "excluded_markers",
                                    sex_ok ? json_integer(ex[k]) : json_null(), "sex_compatible", sex_ok);
            if (row && q->per_marker && sex_ok) {
                json_t *ms = logm && inc ? marker_lrs(q, v, j, logm, inc, &e) : NULL;
                if (!ms) bad = 1;
                else json_object_set_new(row, "markers", ms);
            }
            push(res, row, &bad);
        }
    free(lr);
    free(ex);
    free(logm);
    free(inc);
    if (rc || bad) {
        json_decref(res);
        kin_request_free(q);
        return rc ? kin_fail(r, rc, &e) : http_fail(r, PU_ERR_NOMEM, NULL, "out of memory building the response");
    }
    json_t *body = envelope(q);
    json_object_set_new(body, "results", res);
    set_detail(r, q, json_pack("{s:i}", "pairs", (int)json_array_size(res)));
    kin_request_free(q);
    return http_json_exact(r, body);
}

static json_t *solve_row(const kin_case *c, const kin_solve_row *s, int am) {
    const char *fam = s->fam >= 0 ? c->fam[s->fam].name : NULL;
    if (am)
        return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "family", jstr(fam), "missing", jstr(miss_name(c, s->miss)),
                         "sample", str_or_null(s->sample), "lr", num_or_null(s->lr), "glr", num_or_null(s->glr),
                         "conclusion", jstr(s->conclusion), "comment", jstr(s->comment));
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "sample", jstr(c->vic[s->vic].id), "missing",
                     str_or_null(s->sample), "family", str_or_null(fam), "lr", num_or_null(s->lr), "glr",
                     num_or_null(s->glr), "conclusion", jstr(s->conclusion), "comment", jstr(s->comment));
}

int h_kin_solve(http_req *r) {
    kin_request *q;
    int rc = load(r, &q);
    if (rc) return rc;
    kin_solve *S;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = kin_solve_run(q->c, &q->opts, &S, &e))) {
        kin_request_free(q);
        return kin_fail(r, rc, &e);
    }
    json_t *am = json_array(), *pm = json_array();
    int undisputed = 0, bad = !am || !pm;
    for (int i = 0; !bad && i < S->nam; i++) {
        push(am, solve_row(q->c, &S->am[i], 1), &bad);
        undisputed += !strcmp(S->am[i].conclusion, "Undisputed");
    }
    for (int i = 0; !bad && i < S->npm; i++) push(pm, solve_row(q->c, &S->pm[i], 0), &bad);
    kin_solve_free(S);
    if (bad) {
        json_decref(am), json_decref(pm);
        kin_request_free(q);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory building the response");
    }
    json_t *body = envelope(q);
    json_object_set_new(body, "threshold", json_real(q->opts.threshold));
    json_object_set_new(body, "am", am);
    json_object_set_new(body, "pm", pm);
    set_detail(r, q, json_pack("{s:i}", "undisputed", undisputed));
    kin_request_free(q);
    return http_json_exact(r, body);
}

/* One assignment: every PM sample with its missing person (null = none). */
static json_t *assignment(const kin_case *c, const int *assign) {
    json_t *a = json_array();
    int bad = !a;
    for (int v = 0; !bad && v < c->nvic; v++) {
        int j = assign[v];
        push(a, json_pack("{s:o,s:o,s:o}", "pm_sample", jstr(c->vic[v].id), "family",
                          j >= 0 ? jstr(miss_family(c, j)) : json_null(), "missing",
                          j >= 0 ? jstr(miss_name(c, j)) : json_null()),
             &bad);
    }
    if (bad) json_decref(a);
    return bad ? NULL : a;
}

int h_kin_joint(http_req *r) {
    kin_request *q;
    int rc = load(r, &q);
    if (rc) return rc;
    const kin_case *c = q->c;
    kin_joint *J;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = kin_joint_run(c, &q->opts, NULL, NULL, q->opts.max_rows, &J, &e))) {
        kin_request_free(q);
        return kin_fail(r, rc, &e);
    }
    json_t *rows = json_array(), *post = json_array();
    int bad = !rows || !post;
    for (long i = 0; !bad && i < J->n && i < q->top; i++)
        push(rows,
             json_pack("{s:I,s:o,s:o,s:o}", "rank", (json_int_t)(i + 1), "loglik", num_or_null(J->row[i].loglik), "lr",
                       num_or_null(exp(J->row[0].loglik - J->row[i].loglik)), "assignment",
                       assignment(c, J->row[i].assign)),
             &bad);
    for (int v = 0; !bad && v < c->nvic; v++)
        for (int j = 0; !bad && j <= c->nmiss; j++) {
            int none = j == c->nmiss;
            push(post,
                 json_pack("{s:o,s:o,s:o,s:o}", "pm_sample", jstr(c->vic[v].id), "family",
                           none ? json_null() : jstr(miss_family(c, j)), "missing",
                           none ? json_null() : jstr(miss_name(c, j)), "posterior",
                           num_or_null(J->post[(size_t)j * c->nvic + v])),
                 &bad);
        }
    long total = J->n;
    kin_joint_free(J);
    if (bad) {
        json_decref(rows), json_decref(post);
        kin_request_free(q);
        return http_fail(r, PU_ERR_NOMEM, NULL, "out of memory building the response");
    }
    json_t *body = envelope(q);
    json_object_set_new(body, "assignments_total", json_integer(total));
    json_object_set_new(body, "assignments", rows);
    json_object_set_new(body, "posteriors", post);
    set_detail(r, q, json_pack("{s:I}", "assignments", (json_int_t)total));
    kin_request_free(q);
    return http_json_exact(r, body);
}

/* ---- blind search jobs ----
 * POST /api/v1/kinship/search starts kin_search_run (streaming: every pair
 * with LR >= the threshold, as soon as its missing person is scored) on a
 * thread of its own and answers 202 with the job; GET
 * /api/v1/kinship/search/{id} is its progress (missing persons scored of
 * all) and the hits so far; GET /api/v1/kinship/search lists the caller's
 * jobs. Jobs live in this process only (the case is never stored, as for
 * the other kinship routes): a restart ends them. A job is seen only by the
 * user who started it. */
#define KIN_JOBS_MAX 32            /* jobs kept (running and finished) */
#define KIN_JOBS_RUNNING_MAX 2     /* at once: each uses the CPUs it is given */
#define KIN_JOB_THREADS 1          /* search threads per job (the server's workers keep the rest) */
#define KIN_JOB_HITS_MAX 10000     /* hits kept per job (the rest are counted) */

typedef struct kin_job {
    long id;                       /* 0 = free slot */
    char user[ACL_NAME_MAX];
    char case_ref[KIN_ID_MAX];
    char state[12];                /* running, done, failed */
    int64_t started, finished;
    long targets;
    _Atomic long done;             /* missing persons scored (kin_search_opts.progress) */
    long nhits;                    /* all hits found (hits holds the first KIN_JOB_HITS_MAX) */
    json_t *hits;
    char error[256];
    kin_request *q;                /* owned by the job's thread while running */
    double threshold;
} kin_job;

static kin_job jobs[KIN_JOBS_MAX];
static long next_job = 1;
static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;

/* Streaming callback: the hits of one missing person (any worker thread;
 * kin_search_run serialises the calls). */
static int job_hits(void *ud, const kin_hit *h, int n) {
    kin_job *j = ud;
    const kin_case *c = j->q->c;
    for (int i = 0; i < n; i++) {
        json_t *drivers = json_array();
        for (int d = 0; d < 3; d++)
            if (h[i].drivers[d] >= 0)
                json_array_append_new(drivers, json_pack("{s:s,s:f}", "marker", c->db->m[h[i].drivers[d]].name,
                                                         "log10_lr", h[i].driver_log10[d]));
        json_t *row = json_pack("{s:o,s:o,s:o,s:f,s:o,s:o}", "pm_sample", jstr(c->vic[h[i].vic].id), "family",
                                jstr(miss_family(c, h[i].miss)), "missing", jstr(miss_name(c, h[i].miss)), "log10_lr",
                                h[i].log10lr, "lr", num_or_null(pow(10, h[i].log10lr)), "drivers", drivers);
        pthread_mutex_lock(&jobs_mu);
        j->nhits++;
        if (row && json_array_size(j->hits) < KIN_JOB_HITS_MAX) json_array_append_new(j->hits, row);
        else json_decref(row);
        pthread_mutex_unlock(&jobs_mu);
    }
    return PU_OK;
}

static void *job_run(void *arg) {
    kin_job *j = arg;
    kin_search_opts so;
    kin_search_opts_default(&so);
    so.stream = 1;
    so.threads = KIN_JOB_THREADS;
    so.threshold = j->threshold;
    so.max_incomp = j->q->opts.max_incomp;
    so.progress = &j->done;
    pu_err e;
    pu_err_clear(&e);
    int rc = kin_search_run(j->q->c, &j->q->opts, &so, job_hits, j, NULL, &e);
    pthread_mutex_lock(&jobs_mu);
    pu_strlcpy(j->state, rc ? "failed" : "done", sizeof j->state);
    if (rc) pu_strlcpy(j->error, e.msg[0] ? e.msg : pu_strerror(rc), sizeof j->error);
    j->finished = acl_now();
    kin_request *q = j->q;
    j->q = NULL;
    pthread_mutex_unlock(&jobs_mu);
    kin_request_free(q);
    return NULL;
}

/* The job as JSON (jobs_mu held). with_hits: its hits too. */
static json_t *job_json(const kin_job *j, int with_hits) {
    char started[32], finished[32];
    http_iso_time(j->started, started);
    http_iso_time(j->finished, finished);
    long done = atomic_load(&j->done);
    json_t *o = json_pack("{s:I,s:s,s:o,s:s,s:s,s:o,s:I,s:I,s:f,s:I,s:f}", "id", (json_int_t)j->id, "state", j->state,
                          "case_ref", str_or_null(j->case_ref), "user", j->user, "started", started, "finished",
                          j->finished ? json_string(finished) : json_null(), "targets", (json_int_t)j->targets,
                          "done", (json_int_t)done, "progress", j->targets ? (double)done / (double)j->targets : 1.0,
                          "hits_total", (json_int_t)j->nhits, "threshold", j->threshold);
    if (o && j->error[0]) json_object_set_new(o, "error", json_string(j->error));
    if (o && with_hits) json_object_set_new(o, "hits", json_deep_copy(j->hits));
    return o;
}

/* A slot for a new job: a free one, else the oldest finished one. */
static kin_job *job_slot(int *running) {
    kin_job *slot = NULL;
    *running = 0;
    for (int i = 0; i < KIN_JOBS_MAX; i++) {
        kin_job *j = &jobs[i];
        if (j->id && !strcmp(j->state, "running")) (*running)++;
        else if (!j->id) slot = slot && !slot->id ? slot : j;
        else if (!slot || (slot->id && j->finished < slot->finished)) slot = j;
    }
    return slot;
}

int h_kin_search_start(http_req *r) {
    kin_request *q;
    int rc = load(r, &q);
    if (rc) return rc;
    /* the search's genotype tables score exact profiles (as the CLI's search) */
    if (q->c->vic_ev) {
        kin_request_free(q);
        return http_fail(r, PU_ERR_INVALID, "options.dropout",
                         "the blind search scores exact profiles: rescore its hits with pairwise and the dropout");
    }
    pthread_mutex_lock(&jobs_mu);
    int running;
    kin_job *j = job_slot(&running);
    if (running >= KIN_JOBS_RUNNING_MAX || !j) {
        pthread_mutex_unlock(&jobs_mu);
        kin_request_free(q);
        r->force_status = 503;
        r->force_code = "busy";
        return http_fail(r, PU_ERR_LIMIT, NULL, "%d blind searches are running: wait for one to finish", running);
    }
    json_decref(j->hits);
    memset(j, 0, sizeof *j);
    j->id = next_job++;
    pu_strlcpy(j->user, r->p.user, sizeof j->user);
    if (q->case_ref) pu_strlcpy(j->case_ref, q->case_ref, sizeof j->case_ref);
    pu_strlcpy(j->state, "running", sizeof j->state);
    j->started = acl_now();
    j->targets = q->c->nmiss;
    j->threshold = q->opts.threshold;
    j->hits = json_array();
    j->q = q;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, job_run, j) != 0) {
        j->q = NULL;
        pu_strlcpy(j->state, "failed", sizeof j->state);
        pu_strlcpy(j->error, "the search thread could not be started", sizeof j->error);
        kin_request_free(q);
    }
    pthread_attr_destroy(&attr);
    json_t *body = job_json(j, 0);
    char id[32];
    (void)pu_snprintf(id, sizeof id, "kinship-job-%ld", j->id);
    pthread_mutex_unlock(&jobs_mu);
    http_target(r, id);
    return http_json(r, 202, body);
}

int h_kin_search_get(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    char *end;
    long id = strtol(r->params[0], &end, 10);
    http_target(r, r->params[0]);
    json_t *body = NULL;
    pthread_mutex_lock(&jobs_mu);
    for (int i = 0; !*end && id > 0 && i < KIN_JOBS_MAX; i++)
        if (jobs[i].id == id && !strcmp(jobs[i].user, r->p.user)) body = job_json(&jobs[i], 1);
    pthread_mutex_unlock(&jobs_mu);
    if (!body) return http_fail(r, PU_ERR_NOTFOUND, "id", "no search job '%.40s' of yours", r->params[0]);
    return http_json(r, 200, body);
}

int h_kin_search_list(http_req *r) {
    static const char *const no_args[] = {NULL};
    int rc = http_only_args(r, no_args);
    if (rc) return rc;
    json_t *a = json_array();
    pthread_mutex_lock(&jobs_mu);
    for (int i = 0; i < KIN_JOBS_MAX; i++)
        if (jobs[i].id && !strcmp(jobs[i].user, r->p.user)) json_array_append_new(a, job_json(&jobs[i], 0));
    pthread_mutex_unlock(&jobs_mu);
    return http_json(r, 200, json_pack("{s:o}", "jobs", a));
}
