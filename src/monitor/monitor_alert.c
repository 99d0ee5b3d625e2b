/*
 * monitor_alert.c - the review queue: alerts from monitoring runs and from
 * ad-hoc screening hits, their life cycle with four eyes, and their history
 * (monitor.h, docs/monitor.md "The review queue").
 */
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "monitor/monitor_int.h"

#define ALERT_COLS                                                                                                \
    "a.id, coalesce(l.name, ''), a.source, a.subject_name, a.subject_key, a.entity_id, a.entity_caption,"        \
    " a.matched_name, a.score, a.owner, a.marking, a.status, a.assignee, a.decision, a.note, a.decided_by,"      \
    " a.decided_at, a.confirmed_by, a.confirmed_at, a.confirm_note, a.created, a.basis_removed, a.explain"

int mon_event(db_t *db, int64_t alert_id, const char *actor, const char *action, const char *status,
              const char *note, pu_err *err) {
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO monitor_alert_event (alert_id, at, actor, action, status, note)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        &s, err);
    if (!rc) {
        db_bind_int64(s, 1, alert_id);
        db_bind_text(s, 2, now, -1);
        db_bind_text(s, 3, actor ? actor : "", -1);
        db_bind_text(s, 4, action, -1);
        db_bind_text(s, 5, status, -1);
        if (note) db_bind_text(s, 6, note, -1);
        else db_bind_null(s, 6);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    return rc;
}

/* ---- opening --------------------------------------------------------------- */

static void bind_owner2(db_stmt *s, int i, const char *owner) {
    for (int k = 0; k < 2; k++) {
        if (owner) db_bind_text(s, i + k, owner, -1);
        else db_bind_null(s, i + k);
    }
}

/* The latest alert of (owner, subject, entity): its id, basis and status. */
static int latest_of(db_t *db, const mon_hit *h, int64_t *id, char *basis, size_t bsize, char *status,
                     size_t ssize, pu_err *err) {
    *id = 0;
    db_stmt *s = NULL;
    int rc = db_prepare(db,
                        "SELECT id, basis, status FROM monitor_alert WHERE subject_key = ? AND entity_id = ?"
                        " AND (owner = ? OR (owner IS NULL AND ? IS NULL)) ORDER BY id DESC",
                        &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, h->subject_key, -1);
    db_bind_text(s, 2, h->m->entity_id, -1);
    bind_owner2(s, 3, h->owner);
    int step = db_step(s, err);
    if (step == DB_ROW) {
        *id = db_col_int64(s, 0);
        pu_strlcpy(basis, db_col_text(s, 1), bsize);
        pu_strlcpy(status, db_col_text(s, 2), ssize);
    } else if (step != DB_DONE) rc = step;
    db_finalize(s);
    return rc;
}

/* What a hit rests on: the entity's name that matched and the score. */
static void basis_of(const screen_match *m, char *out, size_t size) {
    snprintf(out, size, "%.3f|%s", m->score, m->explain.matched_name ? m->explain.matched_name : m->caption);
}

int mon_alert_open(db_t *db, const mon_hit *h, int64_t *id, int *opened, pu_err *err) {
    *opened = 0;
    char basis[1200], old[1200] = "", status[16] = "";
    basis_of(h->m, basis, sizeof basis);
    int rc = latest_of(db, h, id, old, sizeof old, status, sizeof status, err);
    if (rc) return rc;
    if (*id && strcmp(old, basis) == 0) return PU_OK; /* alerted before, unchanged */
    json_t *j = screen_match_to_json(h->m);
    if (j && h->ownership) json_object_set(j, "blocked_by_ownership", h->ownership);
    char *explain = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(j);
    if (!explain) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *s = NULL;
    rc = db_prepare(db,
                    "INSERT INTO monitor_alert (list_id, subject_id, source, subject_name, subject_key, entity_id,"
                    " entity_caption, matched_name, score, basis, explain, owner, marking, status, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                    &s, err);
    if (!rc) {
        if (h->list_id) db_bind_int64(s, 1, h->list_id);
        else db_bind_null(s, 1);
        if (h->subject_id) db_bind_int64(s, 2, h->subject_id);
        else db_bind_null(s, 2);
        db_bind_text(s, 3, h->source, -1);
        db_bind_text(s, 4, h->subject_name, -1);
        db_bind_text(s, 5, h->subject_key, -1);
        db_bind_text(s, 6, h->m->entity_id, -1);
        db_bind_text(s, 7, h->m->caption ? h->m->caption : h->m->entity_id, -1);
        db_bind_text(s, 8, h->m->explain.matched_name ? h->m->explain.matched_name : "", -1);
        db_bind_double(s, 9, h->m->score);
        db_bind_text(s, 10, basis, -1);
        db_bind_text(s, 11, explain, -1);
        if (h->owner) db_bind_text(s, 12, h->owner, -1);
        else db_bind_null(s, 12);
        db_bind_text(s, 13, h->marking, -1);
        db_bind_text(s, 14, now, -1);
        db_bind_text(s, 15, now, -1);
        rc = db_insert_id(s, id, err);
    }
    db_finalize(s);
    free(explain);
    if (!rc) rc = mon_event(db, *id, h->actor, *old ? "reopened_changed" : "opened", MON_OPEN, NULL, err);
    if (!rc) *opened = 1;
    return rc;
}

/* ---- reading ----------------------------------------------------------------- */

static const char *opt(db_stmt *s, int c) { return db_col_isnull(s, c) ? NULL : db_col_text(s, c); }

static void row_of(db_stmt *s, monitor_alert *a) {
    *a = (monitor_alert){.id = db_col_int64(s, 0), .list = db_col_text(s, 1), .source = db_col_text(s, 2),
                         .subject_name = db_col_text(s, 3), .subject_key = db_col_text(s, 4),
                         .entity_id = db_col_text(s, 5), .entity_caption = db_col_text(s, 6),
                         .matched_name = db_col_text(s, 7), .score = db_col_double(s, 8), .owner = opt(s, 9),
                         .marking = db_col_text(s, 10), .status = db_col_text(s, 11), .assignee = opt(s, 12),
                         .decision = opt(s, 13), .note = opt(s, 14), .decided_by = opt(s, 15),
                         .decided_at = opt(s, 16), .confirmed_by = opt(s, 17), .confirmed_at = opt(s, 18),
                         .confirm_note = opt(s, 19), .created = db_col_text(s, 20),
                         .basis_removed = (int)db_col_int64(s, 21), .explain = db_col_text(s, 22)};
}

static int valid_status(const char *s) {
    static const char *const st[] = {MON_OPEN, MON_ASSIGNED, MON_DECIDED, MON_ESCALATED, MON_CLOSED, NULL};
    for (const char *const *p = st; *p; p++)
        if (strcmp(*p, s) == 0) return 1;
    return 0;
}

static int run_rows(db_t *db, db_sql *q, monitor_alert_cb cb, void *ctx, int64_t *n, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_sql_prepare(db, q, &s, err);
    db_sql_free(q);
    if (n) *n = 0;
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        monitor_alert a;
        row_of(s, &a);
        if (n) (*n)++;
        if (cb(&a, ctx)) break;
    }
    db_finalize(s);
    return rc;
}

int monitor_alerts(store_t *st, const store_scope *scope, const monitor_alert_filter *f, monitor_alert_cb cb,
                   void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    if (f && f->status && !valid_status(f->status))
        return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected open, assigned, decided, escalated or closed, got '%s'",
                       f->status);
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT " ALERT_COLS " FROM monitor_alert a LEFT JOIN monitor_list l ON l.id = a.list_id WHERE ");
    store_scope_sql(&q, scope, "a");
    if (f && f->status) {
        db_sql_add(&q, " AND a.status = ?");
        db_sql_text(&q, f->status);
    }
    if (f && f->list) {
        db_sql_add(&q, " AND l.name = ?");
        db_sql_text(&q, f->list);
    }
    if (f && f->assignee) {
        db_sql_add(&q, " AND a.assignee = ?");
        db_sql_text(&q, f->assignee);
    }
    int64_t limit = f && f->limit > 0 ? f->limit : MONITOR_ALERTS_DEFAULT_LIMIT;
    db_sql_addf(&q, " ORDER BY a.id DESC LIMIT %lld OFFSET %lld", (long long)limit,
                (long long)(f && f->offset > 0 ? f->offset : 0));
    return run_rows(store_db(st), &q, cb, ctx, NULL, err);
}

int monitor_alert_get(store_t *st, const store_scope *scope, int64_t id, monitor_alert_cb cb, void *ctx, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT " ALERT_COLS " FROM monitor_alert a LEFT JOIN monitor_list l ON l.id = a.list_id"
                   " WHERE a.id = ? AND ");
    db_sql_int64(&q, id);
    store_scope_sql(&q, scope, "a");
    int64_t n = 0;
    int rc = run_rows(store_db(st), &q, cb, ctx, &n, err);
    if (!rc && n == 0) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "alert", "no alert %lld", (long long)id);
    return rc;
}

static int ignore_alert(const monitor_alert *a, void *ctx) {
    (void)a;
    (void)ctx;
    return 0;
}

int monitor_alert_history(store_t *st, const store_scope *scope, int64_t id, monitor_alert_cb cb, void *ctx,
                          pu_err *err) {
    int rc = monitor_alert_get(st, scope, id, ignore_alert, NULL, err); /* visibility first */
    if (rc) return rc;
    db_stmt *s = NULL;
    rc = db_prepare(store_db(st),
                    "SELECT at, actor, action, status, note FROM monitor_alert_event WHERE alert_id = ? ORDER BY id",
                    &s, err);
    if (rc) return rc;
    db_bind_int64(s, 1, id);
    for (;;) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        monitor_alert a = {.id = id, .created = db_col_text(s, 0), .decided_by = db_col_text(s, 1),
                           .decision = db_col_text(s, 2), .status = db_col_text(s, 3), .note = opt(s, 4)};
        if (cb(&a, ctx)) break;
    }
    db_finalize(s);
    return rc;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *monitor_alert_to_json(const monitor_alert *a) {
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "id", json_integer((json_int_t)a->id));
    json_object_set_new(o, "list", a->list && *a->list ? json_string(a->list) : json_null());
    json_object_set_new(o, "source", str_or_null(a->source));
    json_object_set_new(o, "subject", str_or_null(a->subject_name));
    json_object_set_new(o, "subject_key", str_or_null(a->subject_key));
    json_object_set_new(o, "entity_id", str_or_null(a->entity_id));
    json_object_set_new(o, "entity_caption", str_or_null(a->entity_caption));
    json_object_set_new(o, "matched_name", str_or_null(a->matched_name));
    json_object_set_new(o, "score", json_real(a->score));
    json_object_set_new(o, "agency", str_or_null(a->owner));
    json_object_set_new(o, "marking", str_or_null(a->marking));
    json_object_set_new(o, "status", str_or_null(a->status));
    json_object_set_new(o, "assignee", str_or_null(a->assignee));
    json_object_set_new(o, "decision", str_or_null(a->decision));
    json_object_set_new(o, "note", str_or_null(a->note));
    json_object_set_new(o, "decided_by", str_or_null(a->decided_by));
    json_object_set_new(o, "decided_at", str_or_null(a->decided_at));
    json_object_set_new(o, "confirmed_by", str_or_null(a->confirmed_by));
    json_object_set_new(o, "confirmed_at", str_or_null(a->confirmed_at));
    json_object_set_new(o, "confirm_note", str_or_null(a->confirm_note));
    json_object_set_new(o, "basis_removed", json_boolean(a->basis_removed));
    json_object_set_new(o, "created", str_or_null(a->created));
    json_t *hit = a->explain && *a->explain ? json_loads(a->explain, 0, NULL) : NULL;
    json_object_set_new(o, "hit", hit ? hit : json_null());
    return o;
}

/* ---- the life cycle ------------------------------------------------------------ */

/* The facts of an alert a step checks, read through the reader's scope. */
typedef struct facts {
    int found;
    char owner[32], status[16], assignee[128], decision[24], decided_by[128], subject_key[1200], entity_id[FTM_ID_MAX + 1],
        marking[16];
} facts;

static int on_facts(const monitor_alert *a, void *ctx) {
    facts *f = ctx;
    f->found = 1;
    pu_strlcpy(f->owner, a->owner ? a->owner : "", sizeof f->owner);
    pu_strlcpy(f->status, a->status, sizeof f->status);
    pu_strlcpy(f->assignee, a->assignee ? a->assignee : "", sizeof f->assignee);
    pu_strlcpy(f->decision, a->decision ? a->decision : "", sizeof f->decision);
    pu_strlcpy(f->decided_by, a->decided_by ? a->decided_by : "", sizeof f->decided_by);
    pu_strlcpy(f->subject_key, a->subject_key, sizeof f->subject_key);
    pu_strlcpy(f->entity_id, a->entity_id, sizeof f->entity_id);
    pu_strlcpy(f->marking, a->marking, sizeof f->marking);
    return 1;
}

/* Read the alert and check that the reader may change it (its agency, or a
 * grant of it). */
static int facts_get(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id, facts *f,
                     pu_err *err) {
    memset(f, 0, sizeof *f);
    if (!who || pu_blank(who->user)) return pu_fail(err, PU_ERR_INVALID, NULL, "user", "expected who acts");
    int rc = monitor_alert_get(st, scope, id, on_facts, f, err);
    if (!rc) rc = store_check_owner(store_db(st), scope, f->owner[0] ? f->owner : NULL, err);
    return rc;
}

static int check_note(const char *note, int required, pu_err *err) {
    if (required && pu_blank(note)) return pu_fail(err, PU_ERR_INVALID, NULL, "note", "expected the reason (a note)");
    if (note && strlen(note) > MONITOR_NOTE_MAX)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "note", "longer than %d bytes", MONITOR_NOTE_MAX);
    return PU_OK;
}

/* UPDATE monitor_alert SET <set> WHERE id = ? AND status = <from>, with the
 * event, in one transaction; a concurrent step that moved the status first
 * is a conflict. vals are bound in order, then id and from. */
static int step_update(store_t *st, int64_t id, const char *set, const char *const *vals, int nvals, const char *from,
                       const monitor_actor *who, const char *action, const char *to, const char *note, pu_err *err) {
    db_t *db = store_db(st);
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE monitor_alert SET %s, status = ?, updated = ? WHERE id = ? AND status = ?", set);
    char now[32];
    pu_now_iso(now, sizeof now);
    int rc = db_begin(db, err);
    db_stmt *s = NULL;
    if (!rc) rc = db_prepare(db, sql, &s, err);
    if (!rc) {
        int i = 1;
        for (int k = 0; k < nvals; k++, i++) {
            if (vals[k]) db_bind_text(s, i, vals[k], -1);
            else db_bind_null(s, i);
        }
        db_bind_text(s, i++, to, -1);
        db_bind_text(s, i++, now, -1);
        db_bind_int64(s, i++, id);
        db_bind_text(s, i, from, -1);
        rc = db_step_done(s, err);
        if (!rc && db_changes(db) != 1)
            rc = pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "alert %lld changed meanwhile; read it again",
                         (long long)id);
    }
    db_finalize(s);
    if (!rc) rc = mon_event(db, id, who->user, action, to, note, err);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

/* An alert is given only to an account of its agency that may review. */
static int check_assignee(db_t *db, const char *user, const char *agency, pu_err *err) {
    acl_principal p;
    pu_err ue;
    int rc = acl_user_get(db, user, &p, &ue);
    if (rc == PU_ERR_NOTFOUND || (!rc && ((*agency && strcmp(p.agency, agency) != 0) ||
                                          !(acl_role_perms(p.role) & ACL_P_REVIEW))))
        return pu_fail(err, PU_ERR_INVALID, NULL, "to", "'%s' is no reviewer of %s", user,
                       *agency ? agency : pu_tr("the store"));
    if (rc && err) *err = ue;
    return rc;
}

int monitor_alert_assign(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                         const char *assignee, pu_err *err) {
    facts f;
    int rc = facts_get(st, scope, who, id, &f, err);
    if (rc) return rc;
    if (strcmp(f.status, MON_DECIDED) == 0 || strcmp(f.status, MON_CLOSED) == 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "alert %lld is %s; only open, assigned or escalated alerts are assigned",
                       (long long)id, pu_tr(f.status));
    const char *to = pu_blank(assignee) ? who->user : assignee;
    if (strcmp(to, who->user) != 0 && (rc = check_assignee(store_db(st), to, f.owner, err))) return rc;
    const char *vals[] = {to};
    return step_update(st, id, "assignee = ?", vals, 1, f.status, who, "assigned", MON_ASSIGNED, to, err);
}

static int valid_decision(const char *d) {
    return d && (strcmp(d, "true_match") == 0 || strcmp(d, "false_positive") == 0 || strcmp(d, "escalated") == 0);
}

/* A false positive becomes a reviewed decision on the subject, so that
 * screening of the same subject suppresses the pair (screen_review). */
static int record_false_positive(store_t *st, const store_scope *scope, const facts *f, const monitor_actor *who,
                                 const char *note, pu_err *err) {
    screen_review_in in = {f->subject_key, f->entity_id, "false_positive", who->user, note, f->marking};
    return screen_review_add(st, scope, &in, err);
}

int monitor_alert_decide(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                         const char *decision, const char *note, pu_err *err) {
    if (!valid_decision(decision))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected true_match, false_positive or escalated, got '%s'",
                       decision ? decision : "");
    int rc = check_note(note, 1, err);
    if (rc) return rc;
    facts f;
    if ((rc = facts_get(st, scope, who, id, &f, err))) return rc;
    if (strcmp(f.status, MON_ASSIGNED) != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "alert %lld is %s; assign it before deciding",
                       (long long)id, pu_tr(f.status));
    if (strcmp(f.assignee, who->user) != 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, "user", "alert %lld is assigned to %s, not to %s", (long long)id,
                       f.assignee, who->user);
    const char *to = strcmp(decision, "true_match") == 0       ? MON_DECIDED
                     : strcmp(decision, "false_positive") == 0 ? MON_CLOSED
                                                               : MON_ESCALATED;
    char now[32];
    pu_now_iso(now, sizeof now);
    const char *vals[] = {decision, note, who->user, now};
    rc = step_update(st, id, "decision = ?, note = ?, decided_by = ?, decided_at = ?", vals, 4, MON_ASSIGNED, who,
                     decision, to, note, err);
    if (!rc && strcmp(decision, "false_positive") == 0) rc = record_false_positive(st, scope, &f, who, note, err);
    return rc;
}

int monitor_alert_confirm(store_t *st, const store_scope *scope, const monitor_actor *who, int64_t id,
                          const char *note, pu_err *err) {
    int rc = check_note(note, 0, err);
    if (rc) return rc;
    facts f;
    if ((rc = facts_get(st, scope, who, id, &f, err))) return rc;
    if (strcmp(f.status, MON_DECIDED) != 0 || strcmp(f.decision, "true_match") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "status", "alert %lld is not a true match waiting for confirmation",
                       (long long)id);
    if (strcmp(f.decided_by, who->user) == 0)
        return pu_fail(err, PU_ERR_DENIED, NULL, "user",
                       "four eyes: %s decided alert %lld and cannot also confirm it; a second reviewer must",
                       who->user, (long long)id);
    if (!(who->perms & ACL_P_OVERSIGHT))
        return pu_fail(err, PU_ERR_DENIED, NULL, "user",
                       "four eyes: confirming a true match needs the oversight permission (a supervisor)");
    char now[32];
    pu_now_iso(now, sizeof now);
    const char *vals[] = {who->user, now, note};
    return step_update(st, id, "confirmed_by = ?, confirmed_at = ?, confirm_note = ?", vals, 3, MON_DECIDED, who,
                       "confirmed", MON_CLOSED, note, err);
}

/* ---- ad-hoc hits ---------------------------------------------------------------- */

int monitor_alert_send(store_t *st, const store_scope *scope, const monitor_actor *who, const screen_query *q,
                       const char *entity_id, int64_t *id, pu_err *err) {
    *id = 0;
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    if (!who || pu_blank(who->user)) return pu_fail(err, PU_ERR_INVALID, NULL, "user", "expected who acts");
    if (!scope->system && pu_blank(scope->agency))
        return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "an alert is filed for an agency");
    ftm_entity *e = NULL;
    int rc = store_get(st, scope, entity_id ? entity_id : "", &e, err);
    if (rc) return rc;
    screen_index *ix = NULL;
    const ftm_entity *one[1] = {e};
    rc = screen_index_from_entities(one, 1, NULL, &ix, err);
    ftm_entity_free(e);
    screen_result *res = NULL;
    /* score the subject against this one entity, whatever the score: the
     * analyst sends the hit on purpose */
    screen_params p = {.scope = scope, .explain = 1, .min_score = 1e-6, .threshold = 1e-6};
    if (!rc) rc = screen_run(ix, q, &p, &res, err);
    screen_index_free(ix);
    if (!rc && res->n == 0)
        rc = pu_fail(err, PU_ERR_INVALID, NULL, "entity_id", "the subject's names share nothing with entity %s",
                     entity_id);
    if (!rc) {
        store_marking m = STORE_AGENCY_ONLY;
        mon_hit h = {0, 0, "screen", q->names[0], res->subject_key ? res->subject_key : q->names[0], &res->matches[0],
                     scope->system ? NULL : scope->agency, store_marking_name(m), who->user, NULL};
        int opened = 0;
        db_t *db = store_db(st);
        if (!(rc = db_begin(db, err))) {
            rc = mon_alert_open(db, &h, id, &opened, err);
            if (!rc) rc = db_commit(db, err);
            if (rc) db_rollback(db);
        }
    }
    screen_result_free(res);
    return rc;
}
