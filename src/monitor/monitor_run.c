/*
 * monitor_run.c - ongoing monitoring: re-screen a customer list against the
 * designated entities that changed since its last run (the delta), open
 * alerts for new or changed hits (monitor.h, docs/monitor.md).
 */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor_int.h"

/* Fields of one subject kept in memory for the run. */
typedef struct subj {
    int64_t id;
    char *name, *schema, *birth, *country, *ids;
    int full;                 /* new or changed since the last run: screen everything */
} subj;

typedef struct subjects {
    subj *s;
    size_t n, cap;
} subjects;

static void subjects_free(subjects *v) {
    for (size_t i = 0; i < v->n; i++) {
        free(v->s[i].name);
        free(v->s[i].schema);
        free(v->s[i].birth);
        free(v->s[i].country);
        free(v->s[i].ids);
    }
    free(v->s);
    memset(v, 0, sizeof *v);
}

static char *opt_dup(db_stmt *s, int col) { return db_col_isnull(s, col) ? NULL : pu_strdup(db_col_text(s, col)); }

static int subjects_load(db_t *db, int64_t list_id, subjects *v, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        "SELECT id, name, schema, birth_date, country, ids, screened IS NULL FROM monitor_subject"
                        " WHERE list_id = ? ORDER BY id",
                        &s, err);
    if (rc) return rc;
    db_bind_int64(s, 1, list_id);
    for (;;) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (v->n == v->cap) {
            size_t cap = v->cap ? v->cap * 2 : 64;
            subj *ns = realloc(v->s, cap * sizeof *ns);
            if (!ns) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            v->s = ns;
            v->cap = cap;
        }
        subj *x = &v->s[v->n++];
        *x = (subj){db_col_int64(s, 0), pu_strdup(db_col_text(s, 1)), opt_dup(s, 2), opt_dup(s, 3), opt_dup(s, 4),
                    opt_dup(s, 5), db_col_int64(s, 6) != 0};
        if (!x->name) {
            rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
            break;
        }
    }
    db_finalize(s);
    return rc;
}

/* ---- the designated entities to screen against ---------------------------- */

typedef struct ents {
    ftm_entity **e;
    size_t n, cap;
} ents;

static void ents_free(ents *v) {
    for (size_t i = 0; i < v->n; i++) ftm_entity_free(v->e[i]);
    free(v->e);
    memset(v, 0, sizeof *v);
}

/* Whether an Ownership record scope may see changed at or after since: then
 * every entity's blocked-by-ownership status may have changed. */
static int ownership_changed(store_t *st, const store_scope *scope, const char *since, int *out, pu_err *err) {
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT count(*) FROM entity e WHERE e.schema = 'Ownership' AND e.updated >= ?");
    db_sql_text(&q, since);
    db_sql_add(&q, " AND ");
    store_scope_sql(&q, scope, "e");
    db_stmt *s = NULL;
    int rc = db_sql_prepare(store_db(st), &q, &s, err);
    db_sql_free(&q);
    if (rc) return rc;
    int step = db_step(s, err);
    *out = step == DB_ROW && db_col_int64(s, 0) > 0;
    db_finalize(s);
    return step == DB_ROW ? PU_OK : step;
}

typedef struct cand {
    char *id;
    int changed;              /* updated at or after since */
} cand;

/* The screenable entities scope may see: all of them (every one changed
 * when since is "") or only those changed at or after since. */
static int cands_load(store_t *st, const store_scope *scope, const char *since, int all, cand **out, size_t *n,
                      pu_err *err) {
    *out = NULL;
    *n = 0;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT e.id, e.updated >= ? FROM entity e WHERE e.schema IN ('Person', 'Organization', 'Company',"
                   " 'LegalEntity', 'Vessel', 'Airplane') AND ");
    db_sql_text(&q, since);
    store_scope_sql(&q, scope, "e");
    if (!all) {
        db_sql_add(&q, " AND e.updated >= ?");
        db_sql_text(&q, since);
    }
    db_sql_add(&q, " ORDER BY e.id");
    db_stmt *s = NULL;
    int rc = db_sql_prepare(store_db(st), &q, &s, err);
    db_sql_free(&q);
    size_t cap = 0;
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            cand *nc = realloc(*out, cap * sizeof *nc);
            if (!nc) {
                rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            *out = nc;
        }
        cand *c = &(*out)[(*n)++];
        c->changed = db_col_int64(s, 1) != 0;
        if (!(c->id = pu_strdup(db_col_text(s, 0)))) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    db_finalize(s);
    return rc;
}

static int ents_push(ents *v, ftm_entity *e) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        ftm_entity **ne = realloc(v->e, cap * sizeof *ne);
        if (!ne) return PU_ERR_NOMEM;
        v->e = ne;
        v->cap = cap;
    }
    v->e[v->n++] = e;
    return PU_OK;
}

/* Is e (not designated itself) blocked by ownership over g? */
static int blocked(monitor_graph *g, const ftm_entity *e, int *out, pu_err *err) {
    *out = 0;
    if (!g) return PU_OK;
    monitor_ownership *o = NULL;
    int rc = monitor_graph_ownership(g, e->id, &o, err);
    if (!rc) *out = o->blocked;
    monitor_ownership_free(o);
    return rc;
}

/* The entities to screen against: the designated ones scope may see and
 * those blocked by ownership (the 50 % rule), changed at or after `since`
 * ("" = all). entity.updated is an ISO time of whole seconds: a change in
 * the second of the last run's start is screened again, and an unchanged
 * hit then opens nothing (same basis). When an Ownership record changed,
 * every entity's blocked status is looked at again. */
static int ents_load(store_t *st, const store_scope *scope, monitor_graph *g, const char *since, ents *v,
                     pu_err *err) {
    int own_changed = !*since;
    int rc = *since ? ownership_changed(st, scope, since, &own_changed, err) : PU_OK;
    cand *c = NULL;
    size_t n = 0;
    if (!rc) rc = cands_load(st, scope, since, !*since || own_changed, &c, &n, err);
    /* read each through the scoped store_get (no cursor open meanwhile) */
    for (size_t i = 0; !rc && i < n; i++) {
        ftm_entity *e = NULL;
        rc = store_get(st, scope, c[i].id, &e, err);
        if (rc == PU_ERR_NOTFOUND) rc = PU_OK; /* deleted meanwhile */
        if (rc || !e) continue;
        int keep = 0, b = 0;
        if (monitor_is_designated(e)) keep = c[i].changed;
        else if ((c[i].changed || own_changed) && !(rc = blocked(g, e, &b, err))) keep = b;
        if (keep && !rc && ents_push(v, e) == PU_OK) continue;
        ftm_entity_free(e);
        if (keep && !rc) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) free(c[i].id);
    free(c);
    return rc;
}

static int index_of(const ents *v, screen_index **ix, pu_err *err) {
    return screen_index_from_entities((const ftm_entity *const *)v->e, v->n, NULL, ix, err);
}

/* ---- screening one subject --------------------------------------------------- */

#define MON_IDS_MAX 16

typedef struct run {
    store_t *st;
    monitor_graph *g;         /* the visible ownership graph (50 % rule) */
    const store_scope *scope;
    const mon_list *list;
    const screen_reviews *reviews;
    const char *actor;
    monitor_run_summary *sum;
} run;

static int screen_subject(run *r, const subj *s, const screen_index *ix, pu_err *err) {
    const char *names[1] = {s->name};
    const char *idv[MON_IDS_MAX];
    size_t nids = 0;
    char idbuf[1024];
    if (s->ids) {
        pu_strlcpy(idbuf, s->ids, sizeof idbuf);
        for (char *save = NULL, *t = strtok_r(idbuf, ";", &save); t && nids < MON_IDS_MAX;
             t = strtok_r(NULL, ";", &save))
            if (!pu_blank(t)) idv[nids++] = pu_trim(t);
    }
    screen_query q = {.schema = s->schema, .names = names, .nnames = 1, .birth_date = s->birth,
                      .country = s->country, .id_numbers = idv, .nids = nids};
    screen_params p = {.scope = r->scope, .reviews = r->reviews, .explain = 1};
    screen_result *res = NULL;
    int rc = screen_run(ix, &q, &p, &res, err);
    if (rc) return rc;
    r->sum->subjects++;
    r->sum->suppressed += (int64_t)res->suppressed;
    for (size_t i = 0; !rc && i < res->n; i++) {
        const screen_match *m = &res->matches[i];
        if (!m->match) continue;
        r->sum->hits++;
        mon_hit h = {r->list->id, s->id, "monitor", s->name, res->subject_key ? res->subject_key : s->name, m,
                     r->list->owner[0] ? r->list->owner : NULL, r->list->marking, r->actor, NULL};
        monitor_ownership *o = NULL;
        if (monitor_graph_ownership(r->g, m->entity_id, &o, err) == PU_OK && o->blocked)
            h.ownership = monitor_ownership_to_json(o);
        monitor_ownership_free(o);
        int64_t id = 0;
        int opened = 0;
        rc = mon_alert_open(store_db(r->st), &h, &id, &opened, err);
        json_decref(h.ownership);
        if (opened) r->sum->alerts_opened++;
        else r->sum->unchanged++;
    }
    screen_result_free(res);
    return rc;
}

/* Alerts flagged per statement (flag_removed repeats until none is left). */
#define MON_REMOVED_BATCH 256

/* Up to MON_REMOVED_BATCH open alerts of the list whose entity left the store. */
static int removed_batch(db_t *db, int64_t list_id, int64_t *ids, size_t *n, pu_err *err) {
    *n = 0;
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        "SELECT a.id FROM monitor_alert a WHERE a.list_id = ? AND a.status <> 'closed'"
                        " AND a.basis_removed = 0 AND NOT EXISTS (SELECT 1 FROM entity e WHERE e.id = a.entity_id)"
                        " ORDER BY a.id",
                        &s, err);
    if (rc) return rc;
    db_bind_int64(s, 1, list_id);
    int step = DB_DONE;
    while (*n < MON_REMOVED_BATCH && (step = db_step(s, err)) == DB_ROW) ids[(*n)++] = db_col_int64(s, 0);
    if (*n < MON_REMOVED_BATCH && step != DB_DONE) rc = step;
    db_finalize(s);
    return rc;
}

/* Flag the open alerts of the list whose entity is gone from the store (a
 * delisting: until the list versions of issue #19 part A record removed ids,
 * a deleted entity is the removal). */
static int flag_removed(run *r, const char *now, pu_err *err) {
    db_t *db = store_db(r->st);
    int64_t ids[MON_REMOVED_BATCH];
    size_t n = 0;
    int rc;
    do {
        rc = removed_batch(db, r->list->id, ids, &n, err);
        for (size_t i = 0; !rc && i < n; i++) {
            db_stmt *s = NULL;
            rc = db_prepare(db, "UPDATE monitor_alert SET basis_removed = 1, updated = ? WHERE id = ?", &s, err);
            if (!rc) {
                db_bind_text(s, 1, now, -1);
                db_bind_int64(s, 2, ids[i]);
                rc = db_step_done(s, err);
            }
            db_finalize(s);
            if (!rc) rc = mon_event(db, ids[i], r->actor, "basis_removed", "", "the designated entity left the store", err);
            if (!rc) r->sum->basis_removed++;
        }
    } while (!rc && n == MON_REMOVED_BATCH);
    return rc;
}

static int mark_run(db_t *db, int64_t list_id, const char *now, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db, "UPDATE monitor_subject SET screened = ? WHERE list_id = ?", &s, err);
    if (!rc) {
        db_bind_text(s, 1, now, -1);
        db_bind_int64(s, 2, list_id);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    if (!rc) rc = db_prepare(db, "UPDATE monitor_list SET last_run = ? WHERE id = ?", &s, err);
    if (!rc) {
        db_bind_text(s, 1, now, -1);
        db_bind_int64(s, 2, list_id);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    return rc;
}

/* Screen every subject (the full index for new/changed subjects, the delta
 * for the others), then record the run, all in one transaction. */
static int run_list(run *r, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    db_t *db = store_db(r->st);
    subjects subs = {0};
    ents delta = {0}, all = {0};
    screen_index *dix = NULL, *aix = NULL;
    int first = r->list->last_run[0] == 0;
    int rc = subjects_load(db, r->list->id, &subs, err);
    int need_all = first;
    for (size_t i = 0; i < subs.n; i++) need_all |= subs.s[i].full;
    if (!rc && !first) rc = ents_load(r->st, r->scope, r->g, r->list->last_run, &delta, err);
    if (!rc && need_all) rc = ents_load(r->st, r->scope, r->g, "", &all, err);
    if (!rc && !first) rc = index_of(&delta, &dix, err);
    if (!rc && need_all) rc = index_of(&all, &aix, err);
    if (!rc) {
        r->sum->delta_entities += (int64_t)(first ? all.n : delta.n);
        rc = db_begin(db, err);
    }
    for (size_t i = 0; !rc && i < subs.n; i++) {
        int full = first || subs.s[i].full;
        r->sum->full_screens += full;
        rc = screen_subject(r, &subs.s[i], full ? aix : dix, err);
    }
    if (!rc) rc = flag_removed(r, now, err);
    if (!rc) rc = mark_run(db, r->list->id, now, err);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    r->sum->lists++;
    screen_index_free(dix);
    screen_index_free(aix);
    ents_free(&delta);
    ents_free(&all);
    subjects_free(&subs);
    return rc;
}

/* The names of every list scope may see. */
static int list_names(store_t *st, const store_scope *scope, char ***names, size_t *n, pu_err *err);

typedef struct names_ctx {
    char **v;
    size_t n, cap;
    int nomem;
} names_ctx;

static int on_list_name(const monitor_list_row *row, void *vctx) {
    names_ctx *c = vctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        char **nv = realloc(c->v, cap * sizeof *nv);
        if (!nv) return c->nomem = 1;
        c->v = nv;
        c->cap = cap;
    }
    if (!(c->v[c->n] = pu_strdup(row->name))) return c->nomem = 1;
    c->n++;
    return 0;
}

static int list_names(store_t *st, const store_scope *scope, char ***names, size_t *n, pu_err *err) {
    names_ctx c = {0};
    int rc = monitor_lists(st, scope, on_list_name, &c, err);
    if (!rc && c.nomem) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    *names = c.v;
    *n = c.n;
    return rc;
}

static int run_one(store_t *st, const store_scope *scope, const char *name, const screen_reviews *rv,
                   monitor_run_summary *sum, pu_err *err) {
    mon_list l;
    int rc = mon_list_find(store_db(st), scope, name, &l, err);
    if (rc) return rc;
    monitor_graph *g = NULL;
    if ((rc = monitor_graph_load(st, scope, &g, err))) return rc;
    run r = {st, g, scope, &l, rv, scope->system ? "operator" : scope->agency, sum};
    rc = run_list(&r, err);
    monitor_graph_free(g);
    return rc;
}

int monitor_run(store_t *st, const store_scope *scope, const char *list, monitor_run_summary *sum, pu_err *err) {
    memset(sum, 0, sizeof *sum);
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    screen_reviews *rv = NULL;
    int rc = screen_reviews_load(st, &rv, err);
    if (rc) return rc;
    if (list) {
        rc = run_one(st, scope, list, rv, sum, err);
    } else {
        char **names = NULL;
        size_t n = 0;
        rc = list_names(st, scope, &names, &n, err);
        for (size_t i = 0; i < n; i++) {
            /* lists the reader sees but may not change (another agency's
             * SHARED list) are not its to run */
            pu_err le;
            mon_list l;
            int lrc = rc ? rc : mon_list_find(store_db(st), scope, names[i], &l, &le);
            if (!rc && lrc == PU_OK) rc = run_one(st, scope, names[i], rv, sum, err);
            free(names[i]);
        }
        free(names);
    }
    screen_reviews_free(rv);
    return rc;
}
