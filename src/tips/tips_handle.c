/* tips_handle.c - the handlers' side: list, read, question the tipster,
 * change state, decide links, indicators and the retention purge. Reads go
 * through store_scope_sql on the tip (and on each link, which carries the
 * owner and marking of what it points to); changes through store_check_owner. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "common/pu_vec.h"
#include "tips/tips_int.h"

#define LIST_LIMIT_DEFAULT 1000

static int scope_where(db_sql *q, const store_scope *scope, const char *alias) {
    return store_scope_sql(q, scope, alias);
}

int tips_list(db_t *db, const store_scope *scope, const tips_query *q, tips_row_cb cb, void *ctx, pu_err *err) {
    if (q->status && !tips_state_valid(q->status)) return pu_fail(err, PU_ERR_INVALID, NULL, "status", "expected " TIPS_STATES);
    if (q->category && !tips_category_valid(q->category)) return pu_fail(err, PU_ERR_INVALID, NULL, "category", "unknown category");
    db_sql s;
    db_stmt *st;
    db_sql_init(&s);
    db_sql_add(&s, "SELECT t.id, t.category, t.lang, t.country, t.state_code, t.status, t.owner, t.marking,"
                   " t.received_day, t.updated_day, COALESCE(t.dup_of, ''), t.spam,"
                   " (SELECT COUNT(*) FROM tip_message m WHERE m.tip_id = t.id),"
                   " (SELECT COUNT(*) FROM tip_link l WHERE l.tip_id = t.id AND l.status = 'proposed'),"
                   " (SELECT COUNT(*) FROM tip_link l WHERE l.tip_id = t.id AND l.status = 'confirmed')"
                   " FROM tip t WHERE ");
    scope_where(&s, scope, "t");
    if (q->status) { db_sql_add(&s, " AND t.status = ?"); db_sql_text(&s, q->status); }
    if (q->category) { db_sql_add(&s, " AND t.category = ?"); db_sql_text(&s, q->category); }
    db_sql_add(&s, " ORDER BY t.received_day DESC, t.id LIMIT ?");
    db_sql_int64(&s, q->limit > 0 ? q->limit : LIST_LIMIT_DEFAULT);
    int rc = db_sql_prepare(db, &s, &st, err);
    db_sql_free(&s);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_row r = {db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                      db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6), db_col_text(st, 7),
                      db_col_text(st, 8), db_col_text(st, 9), db_col_text(st, 10), db_col_int64(st, 12),
                      db_col_int64(st, 13), db_col_int64(st, 14), (int)db_col_int64(st, 11)};
        if ((rc = cb(&r, ctx))) break;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

void tips_detail_free(tips_detail *d) {
    if (!d) return;
    free(d->text);
    for (size_t i = 0; i < d->nanswers; i++) {
        free(d->qkey[i]);
        free(d->answer[i]);
    }
    free(d->qkey);
    free(d->answer);
    for (size_t i = 0; i < d->nmessages; i++) free(d->messages[i].text);
    free(d->messages);
    for (size_t i = 0; i < d->nentities; i++) free(d->entities[i].value);
    free(d->entities);
    for (size_t i = 0; i < d->nlinks; i++) free(d->links[i].evidence);
    free(d->links);
    for (size_t i = 0; i < d->nevents; i++) free(d->events[i].reason);
    free(d->events);
    free(d->attachments);
    memset(d, 0, sizeof *d);
}

/* The tip row as scope may see it. */
static int read_tip(db_t *db, const store_scope *scope, const char *id, tips_detail *d, char **answers, pu_err *err) {
    db_sql s;
    db_stmt *st;
    db_sql_init(&s);
    db_sql_add(&s, "SELECT t.id, t.category, t.lang, t.country, t.state_code, t.status, t.owner, t.marking,"
                   " t.received_day, COALESCE(t.dup_of, ''), t.spam, t.text, t.answers FROM tip t WHERE t.id = ? AND ");
    db_sql_text(&s, id);
    scope_where(&s, scope, "t");
    int rc = db_sql_prepare(db, &s, &st, err);
    db_sql_free(&s);
    if (rc) return rc;
    if ((rc = db_step(st, err)) == DB_ROW) {
        pu_strlcpy(d->id, db_col_text(st, 0), sizeof d->id);
        pu_strlcpy(d->category, db_col_text(st, 1), sizeof d->category);
        pu_strlcpy(d->lang, db_col_text(st, 2), sizeof d->lang);
        pu_strlcpy(d->country, db_col_text(st, 3), sizeof d->country);
        pu_strlcpy(d->state_code, db_col_text(st, 4), sizeof d->state_code);
        pu_strlcpy(d->status, db_col_text(st, 5), sizeof d->status);
        pu_strlcpy(d->owner, db_col_text(st, 6), sizeof d->owner);
        pu_strlcpy(d->marking, db_col_text(st, 7), sizeof d->marking);
        pu_strlcpy(d->received_day, db_col_text(st, 8), sizeof d->received_day);
        pu_strlcpy(d->dup_of, db_col_text(st, 9), sizeof d->dup_of);
        d->spam = (int)db_col_int64(st, 10);
        rc = store_unseal(TIPS_CTX_TEXT, db_col_text(st, 11), &d->text, err);
        if (rc == PU_OK && answers) rc = store_unseal(TIPS_CTX_ANSWERS, db_col_text(st, 12), answers, err);
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, id, "id", "no such tip");
    }
    db_finalize(st);
    return rc;
}

static int split_answers(const char *json, tips_detail *d, pu_err *err) {
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return pu_fail(err, PU_ERR_INTERNAL, d->id, "answers", "stored answers are not a JSON object");
    }
    size_t n = json_object_size(o), i = 0;
    d->qkey = calloc(n ? n : 1, sizeof *d->qkey);
    d->answer = calloc(n ? n : 1, sizeof *d->answer);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!d->qkey || !d->answer) break;
        d->qkey[i] = strdup(k);
        d->answer[i] = strdup(json_string_value(v) ? json_string_value(v) : "");
        d->nanswers = ++i;
    }
    json_decref(o);
    return d->qkey && d->answer ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}

static int read_entities(db_t *db, tips_detail *d, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT kind, value FROM tip_entity WHERE tip_id = ? ORDER BY id", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, d->id, -1);
    pu_vec v = PU_VEC_INIT(tips_entity, 0);
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_entity *e;
        if ((rc = pu_vec_push_zero(&v, (void **)&e))) break;
        pu_strlcpy(e->kind, db_col_text(st, 0), sizeof e->kind);
        if ((rc = store_unseal(TIPS_CTX_ENTITY, db_col_text(st, 1), &e->value, err))) break;
    }
    db_finalize(st);
    d->entities = v.data;
    d->nentities = v.len;
    return rc == DB_DONE ? PU_OK : rc;
}

/* Links the reader may see: a link to a record only while the reader may see
 * that record now, judged on its current row (a trace request, shipment,
 * entity or tip re-marked after the proposal disappears from the link list
 * at once, evidence included); watchlist and ews links by their own
 * owner/marking (the vocabulary entry they were read from). */
static void link_target_visible(db_sql *s, const store_scope *scope, const char *kind, const char *exists_from) {
    db_sql_add(s, "(l.kind = '");
    db_sql_add(s, kind);
    db_sql_add(s, "' AND EXISTS (SELECT 1 FROM ");
    db_sql_add(s, exists_from);
    db_sql_add(s, " AND ");
    scope_where(s, scope, "x");
    db_sql_add(s, ")) OR ");
}

static int read_links(db_t *db, const store_scope *scope, tips_detail *d, pu_err *err) {
    db_sql s;
    db_stmt *st;
    db_sql_init(&s);
    db_sql_add(&s, "SELECT l.id, l.kind, l.target, l.status, l.score, l.evidence FROM tip_link l WHERE l.tip_id = ?");
    db_sql_text(&s, d->id);
    db_sql_add(&s, " AND (");
    link_target_visible(&s, scope, "tip", "tip x WHERE x.id = l.target");
    link_target_visible(&s, scope, "trace", "trace_request x WHERE x.number = l.target");
    link_target_visible(&s, scope, "cargo",
                        "cargo_shipment x WHERE x.awb || CASE WHEN x.hawb <> '' THEN '/' || x.hawb ELSE '' END = l.target");
    link_target_visible(&s, scope, "entity", "entity x WHERE x.id = l.target");
    link_target_visible(&s, scope, "designation", "entity x WHERE x.id = l.target");
    db_sql_add(&s, "(l.kind NOT IN ('tip', 'trace', 'cargo', 'entity', 'designation') AND ");
    scope_where(&s, scope, "l");
    db_sql_add(&s, "))");
    db_sql_add(&s, " ORDER BY l.id");
    int rc = db_sql_prepare(db, &s, &st, err);
    db_sql_free(&s);
    if (rc) return rc;
    pu_vec v = PU_VEC_INIT(tips_link, 0);
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_link *l;
        if ((rc = pu_vec_push_zero(&v, (void **)&l))) break;
        l->id = db_col_int64(st, 0);
        pu_strlcpy(l->kind, db_col_text(st, 1), sizeof l->kind);
        pu_strlcpy(l->target, db_col_text(st, 2), sizeof l->target);
        pu_strlcpy(l->status, db_col_text(st, 3), sizeof l->status);
        l->score = db_col_double(st, 4);
        if ((rc = store_unseal(TIPS_CTX_EVIDENCE, db_col_text(st, 5), &l->evidence, err))) break;
    }
    db_finalize(st);
    d->links = v.data;
    d->nlinks = v.len;
    return rc == DB_DONE ? PU_OK : rc;
}

static int read_events(db_t *db, tips_detail *d, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT day, from_state, to_state, by_user, reason FROM tip_event WHERE tip_id = ? ORDER BY id",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, d->id, -1);
    pu_vec v = PU_VEC_INIT(tips_event, 0);
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_event *e;
        if ((rc = pu_vec_push_zero(&v, (void **)&e))) break;
        pu_strlcpy(e->day, db_col_text(st, 0), sizeof e->day);
        pu_strlcpy(e->from, db_col_text(st, 1), sizeof e->from);
        pu_strlcpy(e->to, db_col_text(st, 2), sizeof e->to);
        pu_strlcpy(e->by, db_col_text(st, 3), sizeof e->by);
        if ((rc = store_unseal(TIPS_CTX_REASON, db_col_text(st, 4), &e->reason, err))) break;
    }
    db_finalize(st);
    d->events = v.data;
    d->nevents = v.len;
    return rc == DB_DONE ? PU_OK : rc;
}

static int read_attachments(db_t *db, tips_detail *d, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(db, "SELECT id, type, agency, day, size, clean IS NOT NULL FROM tip_attachment WHERE tip_id = ? ORDER BY id",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, d->id, -1);
    pu_vec v = PU_VEC_INIT(tips_attachment_row, 0);
    while ((rc = db_step(st, err)) == DB_ROW) {
        tips_attachment_row *a;
        if ((rc = pu_vec_push_zero(&v, (void **)&a))) break;
        a->id = db_col_int64(st, 0);
        pu_strlcpy(a->type, db_col_text(st, 1), sizeof a->type);
        pu_strlcpy(a->agency, db_col_text(st, 2), sizeof a->agency);
        pu_strlcpy(a->day, db_col_text(st, 3), sizeof a->day);
        a->size = db_col_int64(st, 4);
        a->stripped = (int)db_col_int64(st, 5);
    }
    db_finalize(st);
    d->attachments = v.data;
    d->nattachments = v.len;
    return rc == DB_DONE ? PU_OK : rc;
}

int tips_get(db_t *db, const store_scope *scope, const char *id, tips_detail *out, pu_err *err) {
    char *answers = NULL;
    memset(out, 0, sizeof *out);
    int rc = read_tip(db, scope, id, out, &answers, err);
    if (rc == PU_OK) rc = split_answers(answers, out, err);
    free(answers);
    if (rc == PU_OK) rc = tips_messages_read(db, out->id, &out->messages, &out->nmessages, err);
    if (rc == PU_OK) rc = read_entities(db, out, err);
    if (rc == PU_OK) rc = read_links(db, scope, out, err);
    if (rc == PU_OK) rc = read_events(db, out, err);
    if (rc == PU_OK) rc = read_attachments(db, out, err);
    if (rc) tips_detail_free(out);
    return rc;
}

/* The tip as the writer may change it: visible, and owned (or granted). */
static int writable(db_t *db, const store_scope *scope, const char *id, tips_detail *d, pu_err *err) {
    memset(d, 0, sizeof *d);
    int rc = read_tip(db, scope, id, d, NULL, err);
    if (rc == PU_OK) rc = store_check_owner(db, scope, d->owner, err);
    return rc;
}

int tips_handler_message(db_t *db, const store_scope *scope, const char *id, const char *user, const char *text,
                         pu_err *err) {
    tips_detail d;
    int rc = tips_message_text_ok(text, err);
    if (rc) return rc;
    if ((rc = db_begin(db, err))) return rc;
    rc = writable(db, scope, id, &d, err);
    if (rc == PU_OK && !strcmp(d.status, "closed")) rc = pu_fail(err, PU_ERR_CONFLICT, id, "status", "the tip is closed: reopen it first");
    if (rc == PU_OK) rc = tips_message_insert(db, id, "handler", user, text, err);
    if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    tips_detail_free(&d);
    return rc;
}

int tips_event_add(db_t *db, const char *id, const char *from, const char *to, const char *user, const char *reason,
                   pu_err *err) {
    char day[11], *sealed = NULL;
    db_stmt *st;
    tips_today(day);
    int rc = store_seal(TIPS_CTX_REASON, reason ? reason : "", &sealed, err);
    if (rc) return rc;
    if ((rc = db_prepare(db, "INSERT INTO tip_event (tip_id, day, from_state, to_state, by_user, reason) VALUES (?, ?, ?, ?, ?, ?)",
                         &st, err)) == PU_OK) {
        const char *v[] = {id, day, from, to, user ? user : "", sealed};
        for (int i = 0; i < 6; i++) db_bind_text(st, i + 1, v[i], -1);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    free(sealed);
    return rc;
}

static int update_tip(db_t *db, const char *id, const char *to, const char *owner, const char *marking, int opened_new,
                      pu_err *err) {
    char day[11];
    db_stmt *st;
    tips_today(day);
    int rc = db_prepare(db,
                        "UPDATE tip SET status = ?, owner = ?, marking = ?, updated_day = ?,"
                        " closed_day = CASE WHEN ? = 'closed' THEN ? ELSE NULL END,"
                        " opened_new = CASE WHEN ? = 1 THEN 1 ELSE opened_new END WHERE id = ?", &st, err);
    if (rc) return rc;
    const char *v[] = {to, owner, marking, day, to, day};
    for (int i = 0; i < 6; i++) db_bind_text(st, i + 1, v[i], -1);
    db_bind_int64(st, 7, opened_new);
    db_bind_text(st, 8, id, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    return rc;
}

static int change_checks(const store_scope *scope, const tips_detail *d, const tips_change *c, pu_err *err) {
    int needs_reason;
    if (!tips_state_valid(c->to)) return pu_fail(err, PU_ERR_INVALID, d->id, "state", "expected " TIPS_STATES);
    if (!tips_transition_ok(d->status, c->to, &needs_reason))
        return pu_fail(err, PU_ERR_CONFLICT, d->id, "state", "a tip in state %s cannot move to %s", d->status, c->to);
    if (needs_reason && (!c->reason || !c->reason[strspn(c->reason, " \t\r\n")]))
        return pu_fail(err, PU_ERR_INVALID, d->id, "reason", "reopening a %s tip needs a reason", d->status);
    if (c->reason && tips_message_text_ok(c->reason, err)) return PU_ERR_INVALID;
    if (c->marking) {
        store_marking m;
        int rc = store_marking_parse(c->marking, "marking", &m, err);
        if (rc == PU_OK) rc = store_check_file(scope, m, err);
        if (rc) return rc;
    }
    if (c->agency && (!*c->agency || strchr(c->agency, '-') || strlen(c->agency) > 23))
        return pu_fail(err, PU_ERR_INVALID, d->id, "agency", "expected an agency acronym");
    return PU_OK;
}

int tips_set_state(db_t *db, const store_scope *scope, const char *id, const tips_change *c, pu_err *err) {
    tips_detail d;
    int rc = db_begin(db, err);
    if (rc) return rc;
    rc = writable(db, scope, id, &d, err);
    if (rc == PU_OK) rc = change_checks(scope, &d, c, err);
    if (rc == PU_OK)
        rc = update_tip(db, id, c->to, c->agency ? c->agency : d.owner, c->marking ? c->marking : d.marking, c->opened_new, err);
    if (rc == PU_OK) rc = tips_event_add(db, id, d.status, c->to, c->user, c->reason, err);
    /* the files follow the tip to its new agency when the old key is at hand */
    int64_t resealed = 0, kept = 0;
    if (rc == PU_OK && c->agency && strcmp(c->agency, d.owner)) rc = tips_attach_reseal_to(db, id, c->agency, &resealed, &kept, err);
    if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    tips_detail_free(&d);
    return rc;
}

int tips_link_decide(db_t *db, const store_scope *scope, const char *id, int64_t link_id, const char *decision,
                     const char *user, pu_err *err) {
    if (!decision || (strcmp(decision, "confirmed") && strcmp(decision, "rejected")))
        return pu_fail(err, PU_ERR_INVALID, id, "decision", "expected confirmed or rejected");
    tips_detail d;
    char day[11];
    db_stmt *st;
    tips_today(day);
    int rc = db_begin(db, err);
    if (rc) return rc;
    rc = writable(db, scope, id, &d, err);
    if (rc == PU_OK && (rc = read_links(db, scope, &d, err)) == PU_OK) {
        int found = 0;
        for (size_t i = 0; i < d.nlinks; i++) found |= d.links[i].id == link_id;
        if (!found) rc = pu_fail(err, PU_ERR_NOTFOUND, id, "link", "no such link on this tip");
    }
    if (rc == PU_OK && (rc = db_prepare(db, "UPDATE tip_link SET status = ?, decided_by = ?, decided_day = ? WHERE id = ?",
                                        &st, err)) == PU_OK) {
        db_bind_text(st, 1, decision, -1);
        db_bind_text(st, 2, user ? user : "", -1);
        db_bind_text(st, 3, day, -1);
        db_bind_int64(st, 4, link_id);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    /* a confirmed link ties the tip to what Puente knows: it is linked */
    int to_linked = rc == PU_OK && !strcmp(decision, "confirmed") &&
                    (!strcmp(d.status, "new") || !strcmp(d.status, "triaged") || !strcmp(d.status, "assigned"));
    if (to_linked) rc = update_tip(db, id, "linked", d.owner, d.marking, 0, err);
    if (to_linked && rc == PU_OK) rc = tips_event_add(db, id, d.status, "linked", user, "link confirmed", err);
    if (rc == PU_OK) rc = store_generation_bump(db, "tips", err);
    if (rc == PU_OK) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    tips_detail_free(&d);
    return rc;
}

int tips_indicators_get(db_t *db, const store_scope *scope, tips_indicators *out, pu_err *err) {
    db_sql s;
    db_stmt *st;
    memset(out, 0, sizeof *out);
    db_sql_init(&s);
    db_sql_add(&s, "SELECT COUNT(*),"
                   " SUM(CASE WHEN t.status IN ('new','triaged','assigned') THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.status = 'linked' THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.opened_new = 1 THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.status = 'referred' THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.dup_of IS NOT NULL THEN 1 ELSE 0 END),"
                   " SUM(CASE WHEN t.spam = 1 THEN 1 ELSE 0 END),"
                   " (SELECT COUNT(*) FROM tip_link l JOIN tip u ON u.id = l.tip_id WHERE l.status = 'proposed' AND ");
    scope_where(&s, scope, "u");
    db_sql_add(&s, "), (SELECT COUNT(*) FROM tip_link l JOIN tip u ON u.id = l.tip_id WHERE l.status = 'confirmed' AND ");
    scope_where(&s, scope, "u");
    db_sql_add(&s, "), (SELECT COUNT(*) FROM tip_link l JOIN tip u ON u.id = l.tip_id WHERE l.status = 'rejected' AND ");
    scope_where(&s, scope, "u");
    db_sql_add(&s, ") FROM tip t WHERE ");
    scope_where(&s, scope, "t");
    int rc = db_sql_prepare(db, &s, &st, err);
    db_sql_free(&s);
    if (rc) return rc;
    if ((rc = db_step(st, err)) == DB_ROW) {
        int64_t *f[] = {&out->received, &out->open, &out->linked, &out->opened_new, &out->referred, &out->closed,
                        &out->duplicates, &out->spam, &out->links_proposed, &out->links_confirmed, &out->links_rejected};
        for (int i = 0; i < 11; i++) *f[i] = db_col_int64(st, i);
        rc = PU_OK;
    }
    db_finalize(st);
    return rc == DB_DONE ? PU_OK : rc;
}

/* ---- retention ---- */
static int cutoff_day(const char *today, int days, char out[11], pu_err *err) {
    struct tm tm = {0};
    int y, m, d, off = 0;
    if (!today || sscanf(today, "%4d-%2d-%2d%n", &y, &m, &d, &off) != 3 || today[off] || m < 1 || m > 12 || d < 1 || d > 31)
        return pu_fail(err, PU_ERR_INVALID, NULL, "today", "expected YYYY-MM-DD");
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d - days;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
    return PU_OK;
}

static int delete_children(db_t *db, const char *id, pu_err *err) {
    static const char *const SQL[] = {"DELETE FROM tip_message WHERE tip_id = ?", "DELETE FROM tip_entity WHERE tip_id = ?",
                                      "DELETE FROM tip_attachment WHERE tip_id = ?",
                                      "DELETE FROM tip_link WHERE tip_id = ? OR (kind = 'tip' AND target = ?)",
                                      "DELETE FROM tip_event WHERE tip_id = ?", "DELETE FROM tip WHERE id = ?"};
    for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++) {
        db_stmt *st;
        int rc = db_prepare(db, SQL[i], &st, err);
        if (rc) return rc;
        db_bind_text(st, 1, id, -1);
        if (strstr(SQL[i], "target")) db_bind_text(st, 2, id, -1);
        rc = db_step_done(st, err);
        db_finalize(st);
        if (rc) return rc;
    }
    return PU_OK;
}

int tips_purge(db_t *db, int days, const char *today, const char *operator_name, int64_t *purged, pu_err *err) {
    char cut[11], detail[160];
    *purged = 0;
    if (days < 1) return pu_fail(err, PU_ERR_INVALID, NULL, "days", "expected at least 1 day");
    int rc = cutoff_day(today, days, cut, err);
    if (rc) return rc;
    pu_buf ids = PU_BUF_INIT(AUDIT_FIELD_MAX);
    pu_vec list = PU_VEC_INIT(char[TIPS_ID_MAX], 0);
    db_stmt *st;
    if ((rc = db_begin(db, err))) return rc;
    if ((rc = db_prepare(db, "SELECT id FROM tip WHERE status = 'closed' AND closed_day < ? ORDER BY id", &st, err))) goto fail;
    db_bind_text(st, 1, cut, -1);
    while ((rc = db_step(st, err)) == DB_ROW) {
        char (*slot)[TIPS_ID_MAX];
        if ((rc = pu_vec_push_zero(&list, (void **)&slot))) break;
        pu_strlcpy(*slot, db_col_text(st, 0), TIPS_ID_MAX);
    }
    db_finalize(st);
    if (rc != DB_DONE) goto fail;
    rc = PU_OK;
    for (size_t i = 0; i < list.len && rc == PU_OK; i++) {
        const char *id = ((char (*)[TIPS_ID_MAX])list.data)[i];
        rc = delete_children(db, id, err);
        if (rc == PU_OK && pu_buf_printf(&ids, "%s%s", i ? "," : "", id) != PU_OK) pu_buf_truncate(&ids, ids.len);
    }
    if (rc) goto fail;
    (void)pu_snprintf(detail, sizeof detail, "purged=%zu; rule=closed before %s (%d days)", list.len, cut, days);
    audit_event ev = {"tips", operator_name ? operator_name : "retention", "", "tip.purge", pu_buf_str(&ids), "success",
                      detail, "job", NULL};
    if ((rc = audit_append(db, &ev, err)) || (rc = store_generation_bump(db, "tips", err)) || (rc = db_commit(db, err)))
        goto fail;
    *purged = (int64_t)list.len;
    pu_vec_free(&list);
    pu_buf_free(&ids);
    return PU_OK;
fail:
    db_rollback(db);
    pu_vec_free(&list);
    pu_buf_free(&ids);
    return rc;
}
