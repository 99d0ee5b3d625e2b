/* case_due.c - legal clocks of extradition requests: the rules of
 * data/cases/rules.csv (each with its source) over the holiday calendars of
 * both countries (data/cases/holidays_*.csv), all bundled into the binary.
 * docs/cases.md "Deadlines". */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_int.h"

extern const char case_rules_csv[], case_holidays_mx_csv[], case_holidays_us_csv[];

#define RULES_MAX 32
#define HOLIDAYS_MAX 400
#define FIELDS 11
#define BUSINESS_SCAN_MAX 3660     /* days searched for n business days (a bound, never reached) */

typedef struct rule {
    char id[48], direction[12], stages[200], calendar[3], until[16];
    int period, warn;
    case_unit unit;
    char label_en[128], label_es[128], source[200];
} rule;

static rule rules[RULES_MAX];
static size_t nrules;
static int64_t hol_mx[HOLIDAYS_MAX], hol_us[HOLIDAYS_MAX];
static size_t nmx, nus;
static int load_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Split one CSV line (quotes doubled inside quoted fields) into at most max
 * fields, in place. Returns the number of fields. */
static int csv_split(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        f[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) break;
                if (*p == '"' && p[1] == '"') { *w++ = '"'; p += 2; continue; }
                if (*p == '"') { p++; break; }
                *w++ = *p++;
            }
            while (*p && *p != ',') p++;
        } else {
            while (*p && *p != ',') *w++ = *p++;
        }
        int more = *p == ',';
        *w = '\0';
        if (!more) break;
        p++;
    }
    return n;
}

static int parse_rule(char *line, rule *r) {
    char *f[FIELDS];
    if (csv_split(line, f, FIELDS) != FIELDS) return PU_ERR_INTERNAL;
    pu_strlcpy(r->id, f[0], sizeof r->id);
    pu_strlcpy(r->direction, f[1], sizeof r->direction);
    pu_strlcpy(r->stages, f[2], sizeof r->stages);
    r->period = atoi(f[3]);
    if (!strcmp(f[4], "calendar")) r->unit = CASE_CALENDAR_DAYS;
    else if (!strcmp(f[4], "business")) r->unit = CASE_BUSINESS_DAYS;
    else if (!strcmp(f[4], "months")) r->unit = CASE_MONTHS;
    else return PU_ERR_INTERNAL;
    pu_strlcpy(r->calendar, f[5], sizeof r->calendar);
    pu_strlcpy(r->until, f[6], sizeof r->until);
    r->warn = atoi(f[7]);
    pu_strlcpy(r->label_en, f[8], sizeof r->label_en);
    pu_strlcpy(r->label_es, f[9], sizeof r->label_es);
    pu_strlcpy(r->source, f[10], sizeof r->source);
    if (r->period <= 0 || (r->unit == CASE_BUSINESS_DAYS && !r->calendar[0])) return PU_ERR_INTERNAL;
    return PU_OK;
}

/* Each line of text (after the header) to fn; a bad line fails the load. */
static int each_line(const char *text, int (*fn)(char *line, void *ctx), void *ctx) {
    const char *p = strchr(text, '\n');
    while (p && *++p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[1024];
        if (n >= sizeof line) return PU_ERR_INTERNAL;
        memcpy(line, p, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r') line[n - 1] = '\0';
        int rc = line[0] ? fn(line, ctx) : PU_OK;
        if (rc) return rc;
        p = e;
    }
    return PU_OK;
}

static int rule_line(char *line, void *ctx) {
    (void)ctx;
    if (nrules >= RULES_MAX) return PU_ERR_INTERNAL;
    return parse_rule(line, &rules[nrules++]);
}

typedef struct hol_ctx {
    int64_t *days;
    size_t *n;
} hol_ctx;

static int holiday_line(char *line, void *ctx) {
    hol_ctx *h = ctx;
    int64_t d;
    line[10] = '\0';
    if (*h->n >= HOLIDAYS_MAX || pu_parse_date(line, &d)) return PU_ERR_INTERNAL;
    h->days[(*h->n)++] = d;
    return PU_OK;
}

static int cmp_day(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void load(void) {
    hol_ctx mx = {hol_mx, &nmx}, us = {hol_us, &nus};
    load_rc = each_line(case_rules_csv, rule_line, NULL);
    if (!load_rc) load_rc = each_line(case_holidays_mx_csv, holiday_line, &mx);
    if (!load_rc) load_rc = each_line(case_holidays_us_csv, holiday_line, &us);
    qsort(hol_mx, nmx, sizeof *hol_mx, cmp_day);
    qsort(hol_us, nus, sizeof *hol_us, cmp_day);
}

static int loaded(pu_err *err) {
    pthread_once(&once, load);
    return load_rc ? pu_fail(err, PU_ERR_INTERNAL, "data/cases", "rules", "the bundled rules or calendars are malformed")
                   : PU_OK;
}

int case_rules_count(size_t *n, pu_err *err) {
    int rc = loaded(err);
    *n = rc ? 0 : nrules;
    return rc;
}

int case_holiday(const char *country, int64_t day) {
    pu_err ignore;
    if (loaded(&ignore) || !country) return 0;
    int mx = !strcmp(country, "MX");
    if (!mx && strcmp(country, "US")) return 0;
    return bsearch(&day, mx ? hol_mx : hol_us, mx ? nmx : nus, sizeof(int64_t), cmp_day) != NULL;
}

int case_business_day(const char *country, int64_t day) {
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
    return wd < 5 && !case_holiday(country, day);
}

/* Civil date of days since the epoch (H. Hinnant's algorithm). */
static void civil(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int month_days(int y, int m) {
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : DAYS[m - 1];
}

int case_period_end(int64_t start, int n, case_unit unit, const char *country, int64_t *out, pu_err *err) {
    if (n < 0) return pu_fail(err, PU_ERR_INVALID, NULL, "period", "negative period");
    if (unit == CASE_CALENDAR_DAYS) {
        *out = start + n;
        return PU_OK;
    }
    if (unit == CASE_MONTHS) {
        int y, m, d;
        char buf[16];
        civil(start, &y, &m, &d);
        int mm = m - 1 + n;
        y += mm / 12;
        m = mm % 12 + 1;
        if (d > month_days(y, m)) d = month_days(y, m);
        (void)pu_snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        return pu_parse_date(buf, out) ? pu_fail(err, PU_ERR_INVALID, NULL, "period", "date out of range") : PU_OK;
    }
    int64_t day = start;
    for (int k = 0, scanned = 0; k < n; scanned++) {
        if (scanned > BUSINESS_SCAN_MAX) return pu_fail(err, PU_ERR_INTERNAL, NULL, "period", "no business days");
        day++;
        if (case_business_day(country, day)) k++;
    }
    *out = day;
    return PU_OK;
}

static int in_spans(const case_span *sp, size_t n, int64_t day) {
    for (size_t i = 0; i < n; i++)
        if (day >= sp[i].from && day <= sp[i].to) return 1;
    return 0;
}

int case_period_end_paused(int64_t start, int n, case_unit unit, const char *country, const case_span *sp, size_t nsp,
                           int64_t *out, int *paused, pu_err *err) {
    if (paused) *paused = 0;
    if (nsp == 0 || !sp) return case_period_end(start, n, unit, country, out, err);
    if (unit == CASE_MONTHS) { /* the calendar days the months span, then counted like calendar days */
        int64_t plain;
        int rc = case_period_end(start, n, unit, country, &plain, err);
        if (rc) return rc;
        n = (int)(plain - start);
        unit = CASE_CALENDAR_DAYS;
    }
    if (n < 0) return pu_fail(err, PU_ERR_INVALID, NULL, "period", "negative period");
    int64_t day = start;
    for (int k = 0, scanned = 0; k < n; scanned++) {
        if (scanned > BUSINESS_SCAN_MAX * 4) return pu_fail(err, PU_ERR_INVALID, NULL, "period", "the period never ends");
        day++;
        if (in_spans(sp, nsp, day)) {
            if (paused) (*paused)++;
            continue;
        }
        if (unit == CASE_CALENDAR_DAYS || case_business_day(country, day)) k++;
    }
    *out = day;
    return PU_OK;
}

/* 1 when stage name s is one of the '|' separated names in list. */
static int in_stages(const char *list, const char *s) {
    size_t n = strlen(s);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, '|');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && !strncmp(p, s, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* The day the current run of stages in list began: walking the history back
 * from the newest entry while its stage is in the list. */
static int run_start(db_t *db, int64_t xid, const char *list, char out[11], pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT stage, entered FROM case_stage_history WHERE extradition_id = ? ORDER BY id DESC",
                        &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, xid);
    out[0] = '\0';
    while ((rc = db_step(st, err)) == DB_ROW && in_stages(list, db_col_text(st, 0)))
        pu_strlcpy(out, db_col_text(st, 1), 11);
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}

static int decision_recorded(db_t *db, int64_t xid) {
    db_stmt *st;
    pu_err ignore;
    if (db_prepare(db, "SELECT decision FROM case_extradition WHERE id = ?", &st, &ignore)) return 0;
    db_bind_int64(st, 1, xid);
    int yes = db_step(st, &ignore) == DB_ROW && db_col_text(st, 0)[0];
    db_finalize(st);
    return yes;
}

/* The suspensions of one request, read once for all its clocks. */
typedef struct pauses {
    case_span sp[CASE_SUSPENSIONS_MAX];
    size_t n;
    char open[11];
} pauses;

static int fill_clock(const rule *r, const char *started, int64_t today, const pauses *p, case_clock *c, pu_err *err) {
    int64_t s, due;
    int rc;
    memset(c, 0, sizeof *c);
    if (pu_parse_date(started, &s)) return pu_fail(err, PU_ERR_INTERNAL, started, "entered", "bad stored date");
    if ((rc = case_period_end_paused(s, r->period, r->unit, r->calendar, p->sp, p->n, &due, &c->paused_days, err)))
        return rc;
    pu_strlcpy(c->rule, r->id, sizeof c->rule);
    pu_strlcpy(c->label_en, r->label_en, sizeof c->label_en);
    pu_strlcpy(c->label_es, r->label_es, sizeof c->label_es);
    pu_strlcpy(c->source, r->source, sizeof c->source);
    pu_strlcpy(c->started, started, sizeof c->started);
    pu_format_date(due, c->due, sizeof c->due);
    c->days_left = (int)(due - today);
    c->escalate = c->days_left <= r->warn;
    if (p->open[0]) { /* an open suspension that began before the clock ended halts it */
        int64_t os;
        if (!pu_parse_date(p->open, &os) && os <= due) {
            c->suspended = 1;
            c->escalate = 0;
            pu_strlcpy(c->suspended_since, p->open, sizeof c->suspended_since);
        }
    }
    return PU_OK;
}

static int cmp_clock(const void *a, const void *b) { return strcmp(((const case_clock *)a)->due, ((const case_clock *)b)->due); }

int case_clocks(db_t *db, int64_t xid, const char *direction, case_stage s, const char *today, case_clock *out,
                size_t max, size_t *n, pu_err *err) {
    char t[11];
    int64_t td;
    int rc = loaded(err);
    *n = 0;
    if (rc || (rc = case_day(today, "today", t, err))) return rc;
    (void)pu_parse_date(t, &td);
    if (case_stage_final(s)) return PU_OK;
    pauses p;
    if ((rc = case_amparo_spans(db, xid, td, p.sp, &p.n, p.open, err))) return rc;
    for (size_t i = 0; i < nrules && *n < max; i++) {
        const rule *r = &rules[i];
        char started[11];
        if (strcmp(r->direction, "both") && (!direction || strcmp(r->direction, direction))) continue;
        if (!in_stages(r->stages, case_stage_name(s))) continue;
        if (!strcmp(r->until, "decision") && decision_recorded(db, xid)) continue;
        if ((rc = run_start(db, xid, r->stages, started, err))) return rc;
        if (!started[0]) continue;
        if ((rc = fill_clock(r, started, td, &p, &out[(*n)++], err))) return rc;
    }
    if (*n > 1) qsort(out, *n, sizeof *out, cmp_clock);
    return PU_OK;
}

#define TASK_WARN_DAYS 7   /* open tasks shown this many days before they are due */

/* Open tasks of visible cases due within `within` days (TASK_WARN_DAYS when
 * within < 0) or overdue, as entries of kind "task". */
static int due_tasks(db_t *db, const case_reader *rd, const char *today, int within, json_t *res, pu_err *err) {
    char t[11], last[11];
    int64_t td;
    int rc = case_day(today, "today", t, err);
    if (rc) return rc;
    (void)pu_parse_date(t, &td);
    pu_format_date(td + (within < 0 ? TASK_WARN_DAYS : within), last, sizeof last);
    db_sql q;
    db_stmt *st;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT k.id, k.case_id, k.title, k.due, COALESCE(k.assignee, '') FROM case_task k"
                   " JOIN case_file c ON c.id = k.case_id WHERE k.done = 0 AND k.due IS NOT NULL AND k.due <= ? AND ");
    db_sql_text(&q, last);
    case_visible_sql(&q, rd, "c");
    db_sql_add(&q, " ORDER BY k.due, k.id");
    if ((rc = db_sql_prepare(db, &q, &st, err))) {
        db_sql_free(&q);
        return rc;
    }
    db_sql_free(&q);
    while ((rc = db_step(st, err)) == DB_ROW) {
        int64_t d;
        if (pu_parse_date(db_col_text(st, 3), &d)) continue;
        json_array_append_new(res, json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:I,s:b,s:b}", "kind", "task", "task",
                                             (json_int_t)db_col_int64(st, 0), "case_id", (json_int_t)db_col_int64(st, 1),
                                             "title", db_col_text(st, 2), "due", db_col_text(st, 3), "assignee",
                                             db_col_text(st, 4), "days_left", (json_int_t)(d - td), "escalate", 1,
                                             "overdue", d < td));
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

int case_due(db_t *db, const case_reader *rd, const char *today, int within, json_t **out, pu_err *err) {
    json_t *a, *res = json_array();
    int rc = case_ext_list(db, rd, 0, today, &a, err);
    if (rc) {
        json_decref(res);
        return rc;
    }
    if ((rc = due_tasks(db, rd, today, within, res, err))) {
        json_decref(a);
        json_decref(res);
        return rc;
    }
    size_t i, k;
    json_t *x, *c;
    json_array_foreach(a, i, x) {
        json_array_foreach(json_object_get(x, "clocks"), k, c) {
            json_int_t left = json_integer_value(json_object_get(c, "days_left"));
            int hit = within < 0 ? json_is_true(json_object_get(c, "escalate")) : left <= within;
            if (json_is_true(json_object_get(c, "suspended"))) hit = 0; /* halted by an amparo: nothing runs out */
            if (!hit) continue;
            json_t *e = json_deep_copy(c);
            json_object_set_new(e, "kind", json_string("clock"));
            json_object_set(e, "extradition", json_object_get(x, "id"));
            json_object_set(e, "case_id", json_object_get(x, "case_id"));
            json_object_set(e, "person", json_object_get(x, "person"));
            json_object_set(e, "stage", json_object_get(x, "stage"));
            json_object_set_new(e, "overdue", json_boolean(left < 0));
            json_array_append_new(res, e);
        }
    }
    json_decref(a);
    /* soonest first: a simple insertion sort on "due" (a handful of rows) */
    size_t n = json_array_size(res);
    for (size_t p = 1; p < n; p++)
        for (size_t q = p; q > 0; q--) {
            json_t *u = json_array_get(res, q - 1), *v = json_array_get(res, q);
            if (strcmp(json_string_value(json_object_get(u, "due")), json_string_value(json_object_get(v, "due"))) <= 0)
                break;
            json_incref(u);
            json_array_set(res, q - 1, v);
            json_array_set_new(res, q, u);
        }
    *out = res;
    return PU_OK;
}
