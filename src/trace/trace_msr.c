/* trace_msr.c - multiple-sale reports derived from first retail sales:
 * handguns (Form 3310.4) and Southwest-border rifles (Form 3310.12). */
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"
#include "trace/trace_req.h"

typedef struct sale {
    int64_t event_id, day;
    int handgun, sw_rifle;
    /* the stricter of the sale's and the firearm's marking, with its owner */
    store_marking marking;
    char owner[64];
} sale;

typedef struct grp {
    char key[TRACE_KEY_MAX], ffl[40], state[8];
    char party[1024]; /* as stored: sealed names go to trace_msr.purchaser as they are (one context) */
    sale *s;
    size_t n, cap;
} grp;

/* The reports are derived while one query streams the retail sales. They
 * are queued in bulk inserts (COPY on PostgreSQL) with ids numbered here
 * and sent only after the query has ended: a statement run on the same
 * connection while the query is open makes PostgreSQL's client read the rest
 * of the query's result into memory (788 MB at 1 M records), and one INSERT
 * per report and per sale cost a round trip each. SQLite inserts each row
 * at once, which it does beside an open read. */
typedef struct msr_ctx {
    trace_t *t;
    grp g;
    db_bulk *add, *item;
    int64_t next_id; /* id of the next report */
    trace_msr_stats *st;
    int rc;
    pu_err *err;
} msr_ctx;

static int sw_state(const char *s) {
    return !strcmp(s, "AZ") || !strcmp(s, "CA") || !strcmp(s, "NM") || !strcmp(s, "TX");
}

static int within5(int64_t a, int64_t b) { return b - a <= 14 && trace_business_days(a, b) <= 5; }

static int emit(msr_ctx *c, const char *kind, const sale *const *v, size_t n) {
    /* a report is derived from all its sales: it carries the stricter of
     * their markings, so only a reader who may see every sale sees it */
    char owner[64];
    pu_strlcpy(owner, v[0]->owner, sizeof owner);
    store_marking m = v[0]->marking;
    for (size_t i = 1; i < n; i++) {
        char o2[64];
        m = store_marking_stricter(m, owner, v[i]->marking, v[i]->owner, o2, sizeof o2);
        pu_strlcpy(owner, o2, sizeof owner);
    }
    char d1[16], d2[16];
    pu_format_date(v[0]->day, d1, sizeof d1);
    pu_format_date(v[n - 1]->day, d2, sizeof d2);
    char ids[24], cnt[24];
    snprintf(ids, sizeof ids, "%lld", (long long)c->next_id++);
    snprintf(cnt, sizeof cnt, "%zu", n);
    const char *rep[] = {ids, kind, c->g.key, c->g.party, c->g.ffl, c->g.state, d1, d2, cnt, owner,
                         store_marking_name(m)};
    int rc = db_bulk_row(c->add, rep, c->err);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        char ev[24];
        snprintf(ev, sizeof ev, "%lld", (long long)v[i]->event_id);
        const char *item[] = {ids, ev};
        if ((rc = db_bulk_row(c->item, item, c->err))) return rc;
    }
    if (!strcmp(kind, "handgun")) c->st->handgun_reports++;
    else c->st->rifle_reports++;
    c->st->firearms_in_reports += n;
    return PU_OK;
}

/* Clusters of qualifying sales within 5 business days of the cluster's
 * first sale; each sale is in at most one report of a kind. */
static int scan_kind(msr_ctx *c, int rifle) {
    const sale *v[256];
    size_t n = 0;
    for (size_t i = 0; i <= c->g.n; i++) {
        const sale *s = i < c->g.n ? &c->g.s[i] : NULL;
        if (s && !(rifle ? s->sw_rifle : s->handgun)) continue;
        if (s && n && within5(v[0]->day, s->day) && n < 256) {
            v[n++] = s;
            continue;
        }
        if (n >= 2) {
            int rc = emit(c, rifle ? "sw_rifle" : "handgun", v, n);
            if (rc) return rc;
        }
        n = 0;
        if (s) v[n++] = s;
    }
    return PU_OK;
}

static int flush(msr_ctx *c) {
    int rc = PU_OK;
    if (c->g.n >= 2) {
        rc = scan_kind(c, 0);
        if (!rc && sw_state(c->g.state)) rc = scan_kind(c, 1);
    }
    c->g.n = 0;
    return rc;
}

static int row(db_stmt *st, void *vctx) {
    msr_ctx *c = vctx;
    const char *key = db_col_text(st, 1), *ffl = db_col_text(st, 3);
    if (c->g.n && (strcmp(key, c->g.key) || strcmp(ffl, c->g.ffl))) {
        if ((c->rc = flush(c))) return c->rc;
    }
    if (!c->g.n) {
        pu_strlcpy(c->g.key, key, sizeof c->g.key);
        pu_strlcpy(c->g.party, db_col_text(st, 2), sizeof c->g.party);
        pu_strlcpy(c->g.ffl, ffl, sizeof c->g.ffl);
        pu_strlcpy(c->g.state, db_col_text(st, 4), sizeof c->g.state);
    }
    if (c->g.n == c->g.cap) {
        size_t nc = c->g.cap ? c->g.cap * 2 : 64;
        sale *ns = realloc(c->g.s, nc * sizeof *ns);
        if (!ns) return c->rc = PU_ERR_NOMEM;
        c->g.s = ns;
        c->g.cap = nc;
    }
    sale *s = &c->g.s[c->g.n++];
    s->event_id = db_col_int64(st, 0);
    store_marking me, mf;
    /* markings were validated on the way in; an unknown one is the strictest */
    if (store_marking_parse(db_col_text(st, 11), NULL, &me, NULL)) me = STORE_AGENCY_ONLY;
    if (store_marking_parse(db_col_text(st, 13), NULL, &mf, NULL)) mf = STORE_AGENCY_ONLY;
    s->marking = store_marking_stricter(me, db_col_text(st, 10), mf, db_col_text(st, 12), s->owner, sizeof s->owner);
    pu_parse_date(db_col_text(st, 5), &s->day);
    const char *type = db_col_text(st, 6);
    s->handgun = trace_type_class(type) == TRACE_CLASS_HANDGUN;
    const char *action = db_col_text(st, 7);
    s->sw_rifle = !strcmp(type, "RIFLE") && (strstr(action, "SEMI") || strstr(action, "semi")) &&
                  trace_calibre_over_22(db_col_text(st, 8)) && db_col_int64(st, 9) == 1;
    return PU_OK;
}

int trace_msr_detect(trace_t *t, trace_msr_stats *st, pu_err *err) {
    memset(st, 0, sizeof *st);
    msr_ctx c = {.t = t, .st = st, .err = err};
    int rc = db_begin(t->db, err);
    if (rc) return rc;
    rc = db_exec(t->db, "DELETE FROM trace_msr_item; DELETE FROM trace_msr; DELETE FROM trace_purchaser;"
                        TRACE_PURCHASER_FILL ";", err);
    /* ids numbered here, from 1 on both backends once the old reports are gone */
    if (!rc) rc = db_query_int64(t->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM trace_msr", NULL, &c.next_id, err);
    static const char *const rcols[] = {"id",         "kind",      "purchaser_key", "purchaser", "ffl",    "state",
                                        "first_date", "last_date", "count",         "owner",     "marking"};
    static const char *const icols[] = {"msr_id", "event_id"};
    if (!rc) rc = db_bulk_open(t->db, "trace_msr", rcols, (int)(sizeof rcols / sizeof *rcols), &c.add, err);
    if (!rc) rc = db_bulk_open(t->db, "trace_msr_item", icols, 2, &c.item, err);
    if (!rc)
        rc = trace_query(t->db, "SELECT e.id, e.party_key, COALESCE(e.party, ''), COALESCE(e.ffl, ''),"
                                " COALESCE(e.state, ''), e.date, COALESCE(f.type, ''), COALESCE(f.action, ''),"
                                " COALESCE(f.calibre, ''), f.detachable_mag, e.owner, e.marking, f.owner, f.marking"
                                " FROM trace_event e JOIN trace_firearm f ON f.id = e.firearm_id"
                                " WHERE e.kind = 'RETAIL' AND e.party_key IS NOT NULL"
                                " ORDER BY e.party_key, e.ffl, e.date, e.id", row, &c, err);
    if (!rc && c.rc) rc = c.rc;
    if (!rc) rc = flush(&c);
    /* the reports before their items (the items refer to them) */
    if (!rc) rc = db_bulk_flush(c.add, err);
    if (!rc) rc = db_bulk_flush(c.item, err);
    if (!rc) rc = db_sync_ids(t->db, "trace_msr", err);
    db_bulk_close(c.add);
    db_bulk_close(c.item);
    free(c.g.s);
    if (rc) {
        db_rollback(t->db);
        return rc == PU_ERR_NOMEM ? pu_fail(err, rc, NULL, NULL, "out of memory") : rc;
    }
    return db_commit(t->db, err);
}
