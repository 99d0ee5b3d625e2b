/* protect_work.c - the procedure: request steps, risk study versions,
 * measures and their status, service clocks, the location purge and the
 * suppressed aggregates for the indicators. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_sql.h"
#include "protect/protect_int.h"

#define HOUR 3600
#define CLOCK_RULES_MAX 16

static int one_of(const char *v, const char *const *allowed) {
    for (; v && *allowed; allowed++)
        if (!strcmp(v, *allowed)) return 1;
    return 0;
}

/* ---- request steps ---- */
/* Record step at `at` unless it is recorded already (the first time
 * counts for the clock). */
static int step_put(protect_session *s, const char *case_id, const char *step, int64_t at, int strict, pu_err *err) {
    int64_t have = 0;
    db_stmt *st;
    int rc = db_prepare(s->db, "SELECT COUNT(*) FROM protect_step WHERE case_id = ? AND step = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, step, -1);
    if ((rc = db_step(st, err)) == DB_ROW) have = db_col_int64(st, 0), rc = PU_OK;
    db_finalize(st);
    if (rc) return rc;
    if (have) return strict ? pu_fail(err, PU_ERR_CONFLICT, case_id, "step", "the step %s is recorded already", step) : PU_OK;
    if ((rc = db_prepare(s->db, "INSERT INTO protect_step (case_id, step, at, by_user) VALUES (?, ?, ?, ?)", &st, err))) return rc;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, step, -1);
    db_bind_int64(st, 3, at);
    db_bind_text(st, 4, s->user, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

typedef struct step_ctx {
    protect_session *s;
    const char *case_id, *step;
    int64_t at;
} step_ctx;

static int step_tx(void *vc, pu_err *err) {
    step_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    int v;
    int rc = pr_case_key(c->s, c->case_id, key, &v, err); /* membership */
    sodium_memzero(key, sizeof key);
    if (rc == PU_OK) rc = step_put(c->s, c->case_id, c->step, c->at, 1, err);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.request.step", c->case_id, c->step, "success", err);
    return rc;
}

int protect_request_step(protect_session *s, const char *case_id, const char *step, int64_t at, pu_err *err) {
    static const char *const steps[] = {"urgent_issued", "urgent_in_place", "study_done", "board_decided", NULL};
    if (!one_of(step, steps))
        return pu_fail(err, PU_ERR_INVALID, NULL, "step", "expected urgent_issued, urgent_in_place, study_done or board_decided");
    int rc = pr_ready(s, err);
    if (rc) return rc;
    step_ctx c = {s, case_id, step, at ? at : pr_now(s)};
    return pr_tx(s->db, step_tx, &c, err);
}

/* ---- risk studies ---- */
typedef struct study_ctx {
    protect_session *s;
    const char *case_id;
    const protect_study_in *in;
    int version;
} study_ctx;

static int study_tx(void *vc, pu_err *err) {
    study_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    int kv;
    int rc = pr_case_key(c->s, c->case_id, key, &kv, err);
    if (rc) return rc;
    int64_t last = 0, id = 0, now = pr_now(c->s);
    db_stmt *st;
    if ((rc = db_prepare(c->s->db, "SELECT COALESCE(MAX(version), 0) FROM protect_study WHERE case_id = ?", &st, err)) == PU_OK) {
        db_bind_text(st, 1, c->case_id, -1);
        if ((rc = db_step(st, err)) == DB_ROW) last = db_col_int64(st, 0), rc = PU_OK;
        db_finalize(st);
    }
    c->version = (int)last + 1;
    if (rc == PU_OK &&
        (rc = db_prepare(c->s->db, "INSERT INTO protect_study (case_id, version, level, analyst, board, next_review, at, by_user)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err)) == PU_OK) {
        db_bind_text(st, 1, c->case_id, -1);
        db_bind_int64(st, 2, c->version);
        db_bind_text(st, 3, c->in->level, -1);
        db_bind_text(st, 4, c->in->analyst, -1);
        db_bind_text(st, 5, c->in->board, -1);
        db_bind_text(st, 6, c->in->next_review, -1);
        db_bind_int64(st, 7, now);
        db_bind_text(st, 8, c->s->user, -1);
        rc = db_insert_id(st, &id, err);
        db_finalize(st);
    }
    if (rc == PU_OK) rc = pr_seal_text(c->s->db, c->case_id, key, kv, "study", id, "reasons", c->in->reasons, err);
    sodium_memzero(key, sizeof key);
    /* the first study ends the study clock; the first board decision the board's */
    if (rc == PU_OK) rc = step_put(c->s, c->case_id, "study_done", now, 0, err);
    if (rc == PU_OK && strcmp(c->in->board, "pending") != 0) rc = step_put(c->s, c->case_id, "board_decided", now, 0, err);
    char t[32];
    (void)pu_snprintf(t, sizeof t, "study:v%d", c->version);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.study.add", c->case_id, t, "success", err);
    return rc;
}

int protect_study_add(protect_session *s, const char *case_id, const protect_study_in *in, int *version, pu_err *err) {
    static const char *const levels[] = {"low", "medium", "high", "extreme", NULL};
    static const char *const boards[] = {"pending", "approved", "modified", "rejected", NULL};
    int64_t days;
    if (!one_of(in->level, levels)) return pu_fail(err, PU_ERR_INVALID, NULL, "level", "expected low, medium, high or extreme");
    if (!one_of(in->board, boards)) return pu_fail(err, PU_ERR_INVALID, NULL, "board", "expected pending, approved, modified or rejected");
    if (pu_blank(in->analyst)) return pu_fail(err, PU_ERR_INVALID, NULL, "analyst", "a study names its analyst");
    if (!in->next_review || pu_parse_date(in->next_review, &days) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, NULL, "next-review", "expected YYYY-MM-DD");
    int rc = pr_ready(s, err);
    if (rc) return rc;
    study_ctx c = {s, case_id, in, 0};
    rc = pr_tx(s->db, study_tx, &c, err);
    if (version) *version = rc == PU_OK ? c.version : 0;
    return rc;
}

/* ---- measures ---- */
typedef struct measure_ctx {
    protect_session *s;
    const char *case_id, *code, *provider, *to;
    double cost;
    int urgent;
    int64_t id;
} measure_ctx;

static int measure_add_tx(void *vc, pu_err *err) {
    measure_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    int kv;
    int rc = pr_case_key(c->s, c->case_id, key, &kv, err);
    sodium_memzero(key, sizeof key);
    if (rc) return rc;
    int64_t now = pr_now(c->s);
    db_stmt *st;
    if ((rc = db_prepare(c->s->db, "INSERT INTO protect_measure (case_id, code, provider, cost, urgent, status, requested, updated)"
                                   " VALUES (?, ?, ?, ?, ?, 'requested', ?, ?) RETURNING id", &st, err)))
        return rc;
    db_bind_text(st, 1, c->case_id, -1);
    db_bind_text(st, 2, c->code, -1);
    db_bind_text(st, 3, c->provider ? c->provider : "", -1);
    db_bind_double(st, 4, c->cost);
    db_bind_int64(st, 5, c->urgent ? 1 : 0);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, now);
    rc = db_insert_id(st, &c->id, err);
    db_finalize(st);
    char t[32];
    (void)pu_snprintf(t, sizeof t, "measure:%lld", (long long)c->id);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.measure.add", c->case_id, t, "success", err);
    return rc;
}

int protect_measure_add(protect_session *s, const char *case_id, const char *code, const char *provider, double cost,
                        int urgent, int64_t *id, pu_err *err) {
    if (!protect_measure_known(code))
        return pu_fail(err, PU_ERR_INVALID, NULL, "measure", "not a measure of the catalogue (data/protect/measures.csv)");
    if (cost < 0) return pu_fail(err, PU_ERR_INVALID, NULL, "cost", "a cost is not negative");
    if (provider && strlen(provider) > 200) return pu_fail(err, PU_ERR_LIMIT, NULL, "provider", "at most 200 bytes");
    int rc = pr_ready(s, err);
    if (rc) return rc;
    measure_ctx c = {.s = s, .case_id = case_id, .code = code, .provider = provider, .cost = cost, .urgent = urgent};
    rc = pr_tx(s->db, measure_add_tx, &c, err);
    if (id) *id = rc == PU_OK ? c.id : 0;
    return rc;
}

/* The allowed moves; active -> active is the periodic review. */
static int transition_ok(const char *from, const char *to) {
    static const char *const moves[][2] = {
        {"requested", "approved"}, {"approved", "installed"}, {"installed", "active"}, {"active", "active"},
        {"requested", "withdrawn"}, {"approved", "withdrawn"}, {"installed", "withdrawn"}, {"active", "withdrawn"},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to)) return 1;
    return 0;
}

static int measure_status_tx(void *vc, pu_err *err) {
    measure_ctx *c = vc;
    unsigned char key[PR_KEY_BYTES];
    int kv;
    int rc = pr_case_key(c->s, c->case_id, key, &kv, err);
    sodium_memzero(key, sizeof key);
    if (rc) return rc;
    char from[16] = "";
    int urgent = 0;
    db_stmt *st;
    if ((rc = db_prepare(c->s->db, "SELECT status, urgent FROM protect_measure WHERE case_id = ? AND id = ?", &st, err))) return rc;
    db_bind_text(st, 1, c->case_id, -1);
    db_bind_int64(st, 2, c->id);
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(from, db_col_text(st, 0), sizeof from);
        urgent = (int)db_col_int64(st, 1);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, c->case_id, "measure", "no such measure %lld in the case", (long long)c->id);
    }
    db_finalize(st);
    if (rc) return rc;
    if (!transition_ok(from, c->to))
        return pu_fail(err, PU_ERR_CONFLICT, c->case_id, "status", "a measure does not go from %s to %s", from, c->to);
    int64_t now = pr_now(c->s);
    if ((rc = db_prepare(c->s->db, "UPDATE protect_measure SET status = ?, updated = ?,"
                                   " active_from = CASE WHEN ? = 'active' AND active_from IS NULL THEN ? ELSE active_from END,"
                                   " withdrawn_at = CASE WHEN ? = 'withdrawn' THEN ? ELSE withdrawn_at END WHERE id = ?", &st, err)))
        return rc;
    db_bind_text(st, 1, c->to, -1);
    db_bind_int64(st, 2, now);
    db_bind_text(st, 3, c->to, -1);
    db_bind_int64(st, 4, now);
    db_bind_text(st, 5, c->to, -1);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, c->id);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc == PU_OK && (rc = db_prepare(c->s->db, "INSERT INTO protect_measure_event (measure_id, from_status, to_status, at, by_user)"
                                                  " VALUES (?, ?, ?, ?, ?)", &st, err)) == PU_OK) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, from, -1);
        db_bind_text(st, 3, c->to, -1);
        db_bind_int64(st, 4, now);
        db_bind_text(st, 5, c->s->user, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    /* an urgent measure approved is the urgent order; installed, it is in place */
    if (rc == PU_OK && urgent && !strcmp(c->to, "approved")) rc = step_put(c->s, c->case_id, "urgent_issued", now, 0, err);
    if (rc == PU_OK && urgent && (!strcmp(c->to, "installed") || !strcmp(c->to, "active")))
        rc = step_put(c->s, c->case_id, "urgent_in_place", now, 0, err);
    char t[48];
    (void)pu_snprintf(t, sizeof t, "measure:%lld", (long long)c->id);
    if (rc == PU_OK) rc = pr_audit(c->s, "protect.measure.status", c->case_id, t, "success", err);
    return rc;
}

int protect_measure_status(protect_session *s, const char *case_id, int64_t measure, const char *to, pu_err *err) {
    static const char *const statuses[] = {"requested", "approved", "installed", "active", "withdrawn", NULL};
    if (!one_of(to, statuses))
        return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected approved, installed, active or withdrawn");
    int rc = pr_ready(s, err);
    if (rc) return rc;
    measure_ctx c = {.s = s, .case_id = case_id, .to = to, .id = measure};
    return pr_tx(s->db, measure_status_tx, &c, err);
}

/* ---- clocks ---- */
typedef struct clock_rule {
    char rule[32], path[16], from[24], to[24], source[400];
    int hours;
} clock_rule;

/* The rules of data/protect/clocks.csv (parsed once per call: a few lines). */
static size_t clock_rules(clock_rule *r, size_t max) {
    size_t n = 0;
    const char *line = strchr(protect_clocks_csv, '\n');
    while (line && *++line && n < max) {
        char buf[600];
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len >= sizeof buf) len = sizeof buf - 1;
        memcpy(buf, line, len);
        buf[len] = '\0';
        char *f[6] = {0}, *p = buf;
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, ',');
            if (p) *p++ = '\0';
        }
        f[5] = p;
        if (f[5]) {
            clock_rule *c = &r[n++];
            pu_strlcpy(c->rule, f[0], sizeof c->rule);
            pu_strlcpy(c->path, f[1], sizeof c->path);
            pu_strlcpy(c->from, f[2], sizeof c->from);
            pu_strlcpy(c->to, f[3], sizeof c->to);
            c->hours = atoi(f[4]);
            char *src = f[5];
            if (*src == '"') src++;
            size_t sl = strlen(src);
            if (sl && src[sl - 1] == '"') src[sl - 1] = '\0';
            pu_strlcpy(c->source, src, sizeof c->source);
        }
        line = end;
    }
    return n;
}

static int64_t step_at(db_t *db, const char *case_id, const char *step, int64_t received, pu_err *err, int *rc) {
    if (!strcmp(step, "received")) return received;
    db_stmt *st;
    int64_t at = 0;
    if ((*rc = db_prepare(db, "SELECT at FROM protect_step WHERE case_id = ? AND step = ?", &st, err))) return 0;
    db_bind_text(st, 1, case_id, -1);
    db_bind_text(st, 2, step, -1);
    if ((*rc = db_step(st, err)) == DB_ROW) at = db_col_int64(st, 0);
    *rc = *rc == DB_ROW || *rc == DB_DONE ? PU_OK : *rc;
    db_finalize(st);
    return at;
}

int pr_case_clocks(db_t *db, const char *case_id, const char *path, int64_t received, int64_t now, int late_only,
                   protect_clock_cb cb, void *ctx, pu_err *err) {
    clock_rule rules[CLOCK_RULES_MAX];
    size_t n = clock_rules(rules, CLOCK_RULES_MAX);
    int rc = PU_OK;
    for (size_t i = 0; rc == PU_OK && i < n; i++) {
        if (strcmp(rules[i].path, "any") && strcmp(rules[i].path, path)) continue;
        int64_t start = step_at(db, case_id, rules[i].from, received, err, &rc);
        if (rc || !start) continue;
        int64_t done = step_at(db, case_id, rules[i].to, received, err, &rc);
        if (rc) break;
        protect_clock_row row = {case_id, rules[i].rule, path, rules[i].source, start, start + (int64_t)rules[i].hours * HOUR, done, 0};
        row.late = done ? done > row.due : now > row.due;
        if (late_only && !row.late) continue;
        rc = cb(&row, ctx, err);
    }
    return rc;
}

typedef struct case_ref {
    char id[PROTECT_ID_MAX], path[16];
    int64_t received;
} case_ref;

int protect_clocks(protect_session *s, int late_only, protect_clock_cb cb, void *ctx, pu_err *err) {
    int rc = pr_ready(s, err);
    if (rc) return rc;
    db_stmt *st;
    if ((rc = db_prepare(s->db, "SELECT c.id, c.path, c.received FROM protect_case c JOIN protect_member m ON m.case_id = c.id"
                                " WHERE m.user_name = ? AND c.status = 'open' ORDER BY c.received, c.id", &st, err)))
        return rc;
    db_bind_text(st, 1, s->user, -1);
    case_ref *refs = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            case_ref *g = realloc(refs, cap * sizeof *g);
            if (!g) { rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); break; }
            refs = g;
        }
        pu_strlcpy(refs[n].id, db_col_text(st, 0), sizeof refs[n].id);
        pu_strlcpy(refs[n].path, db_col_text(st, 1), sizeof refs[n].path);
        refs[n++].received = db_col_int64(st, 2);
    }
    db_finalize(st);
    rc = rc == DB_DONE ? PU_OK : rc;
    for (size_t i = 0; rc == PU_OK && i < n; i++)
        rc = pr_case_clocks(s->db, refs[i].id, refs[i].path, refs[i].received, pr_now(s), late_only, cb, ctx, err);
    free(refs);
    if (rc == PU_OK) rc = pr_audit(s, "protect.clocks", NULL, NULL, "success", err);
    return rc;
}

/* ---- purge ---- */
int protect_purge(db_t *db, int days, int64_t now, int64_t *removed, pu_err *err) {
    *removed = 0;
    if (days < 1) return pu_fail(err, PU_ERR_INVALID, NULL, "days", "at least 1 day");
    char cutoff[11];
    pr_day(now - (int64_t)days * 86400, cutoff);
    int rc = db_begin(db, err);
    if (rc) return rc;
    static const char *const sql[] = {
        /* the sealed addresses first, then the rows; an incident holds its place */
        "DELETE FROM protect_sealed WHERE kind = 'place' AND rec_id IN (SELECT p.id FROM protect_place p WHERE p.day < ?"
        " AND NOT EXISTS (SELECT 1 FROM protect_incident i WHERE i.place_id = p.id))",
        "DELETE FROM protect_place WHERE day < ? AND NOT EXISTS (SELECT 1 FROM protect_incident i WHERE i.place_id = protect_place.id)",
    };
    for (size_t i = 0; rc == PU_OK && i < 2; i++) {
        db_stmt *st;
        if ((rc = db_prepare(db, sql[i], &st, err))) break;
        db_bind_text(st, 1, cutoff, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
        if (rc == PU_OK && i == 1) *removed = db_changes(db);
    }
    if (rc == PU_OK) rc = db_commit(db, err);
    else db_rollback(db);
    return rc;
}

/* ---- aggregates ---- */
#define CELLS_MAX 4096
typedef struct cell {
    const char *name;
    int year;
    char state[8], agency[32];
    double value;
} cell;
typedef struct cells {
    cell *c;
    size_t n;
} cells;

static int cell_add(cells *cs, const char *name, int year, const char *state, const char *agency, double v) {
    for (size_t i = 0; i < cs->n; i++) {
        cell *c = &cs->c[i];
        if (c->name == name && c->year == year && !strcmp(c->state, state) && !strcmp(c->agency, agency)) {
            c->value += v;
            return PU_OK;
        }
    }
    if (cs->n == CELLS_MAX) return PU_ERR_LIMIT;
    cell *c = &cs->c[cs->n++];
    c->name = name;
    c->year = year;
    pu_strlcpy(c->state, state, sizeof c->state);
    pu_strlcpy(c->agency, agency, sizeof c->agency);
    c->value = v;
    return PU_OK;
}

static int year_of(int64_t t) {
    char d[11];
    pr_day(t, d);
    return atoi(d);
}

/* Late clocks of a case: the urgent order or the urgent measures in place
 * (measures_late), the risk study (studies_late). */
typedef struct late_ctx {
    int measures, studies;
} late_ctx;
static int count_late(const protect_clock_row *r, void *ctx, pu_err *err) {
    (void)err;
    late_ctx *c = ctx;
    if (r->late && (!strcmp(r->rule, "urgent_issued") || !strcmp(r->rule, "urgent_in_place"))) c->measures = 1;
    if (r->late && !strcmp(r->rule, "risk_study")) c->studies = 1;
    return PU_OK;
}

static int case_cells(db_t *db, const store_scope *scope, cells *cs, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT c.id, c.path, c.received, c.state_code, c.owner,"
                   " (SELECT COUNT(*) FROM protect_person p WHERE p.case_id = c.id AND p.role = 'beneficiary')"
                   " FROM protect_case c WHERE ");
    store_scope_sql(&q, scope, "c");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    int64_t now = (int64_t)time(NULL);
    while (rc == PU_OK && (rc = db_step(st, err)) == DB_ROW) {
        char id[PROTECT_ID_MAX], path[16], state[8], owner[32];
        pu_strlcpy(id, db_col_text(st, 0), sizeof id);
        pu_strlcpy(path, db_col_text(st, 1), sizeof path);
        int64_t received = db_col_int64(st, 2);
        pu_strlcpy(state, db_col_text(st, 3), sizeof state);
        pu_strlcpy(owner, db_col_text(st, 4), sizeof owner);
        char mx[8];
        (void)pu_snprintf(mx, sizeof mx, "MX-%s", state);
        rc = cell_add(cs, "protect.beneficiaries", year_of(received), mx, owner, (double)db_col_int64(st, 5));
        late_ctx lc = {0, 0};
        if (rc == PU_OK) rc = pr_case_clocks(db, id, path, received, now, 1, count_late, &lc, err);
        if (rc == PU_OK && lc.measures) rc = cell_add(cs, "protect.measures_late", year_of(received), mx, owner, 1);
        if (rc == PU_OK && lc.studies) rc = cell_add(cs, "protect.studies_late", year_of(received), mx, owner, 1);
        if (rc == PU_ERR_LIMIT) rc = pu_fail(err, PU_ERR_LIMIT, NULL, "counts", "too many cells");
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

static int incident_cells(db_t *db, const store_scope *scope, cells *cs, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT i.day, i.state_code, c.owner FROM protect_incident i JOIN protect_case c ON c.id = i.case_id WHERE ");
    store_scope_sql(&q, scope, "c");
    db_stmt *st;
    int rc = db_sql_prepare(db, &q, &st, err);
    db_sql_free(&q);
    if (rc) return rc;
    while (rc == PU_OK && (rc = db_step(st, err)) == DB_ROW) {
        char mx[8];
        (void)pu_snprintf(mx, sizeof mx, "MX-%s", db_col_text(st, 1));
        rc = cell_add(cs, "protect.incidents", atoi(db_col_text(st, 0)), mx, db_col_text(st, 2), 1);
        if (rc == PU_ERR_LIMIT) rc = pu_fail(err, PU_ERR_LIMIT, NULL, "counts", "too many cells");
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int protect_counts(db_t *db, const store_scope *scope, pu_count_cb cb, void *ctx, pu_err *err) {
    cells cs = {calloc(CELLS_MAX, sizeof(cell)), 0};
    if (!cs.c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = case_cells(db, scope, &cs, err);
    if (rc == PU_OK) rc = incident_cells(db, scope, &cs, err);
    for (size_t i = 0; rc == PU_OK && i < cs.n; i++) {
        const cell *c = &cs.c[i];
        if (c->value == 0) continue;
        int small = c->value < PROTECT_SMALL_CELL;
        pu_count_row row = {c->name, c->year, 0, "MX", c->state, c->agency, small ? 0 : c->value, small, NULL};
        rc = cb(&row, ctx, err);
    }
    free(cs.c);
    return rc;
}
