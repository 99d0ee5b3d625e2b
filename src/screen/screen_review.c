/*
 * screen_review.c - reviewed screening decisions, kept in the store in the
 * module's own table (migrations under module name "screen").
 *
 * A decision belongs to the agency that made it (owner) and carries a
 * marking, like any record: it is listed through store_scope_sql and applied
 * (suppression, review fields in results) only for readers who may see it.
 * Every change bumps the "review" generation inside its transaction, so the
 * servers that hold the loaded set reload it before their next answer.
 */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "screen/screen_int.h"

static const char *const migrations[] = {
    "CREATE TABLE screen_review ("
    " subject TEXT NOT NULL,"
    " entity_id TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " analyst TEXT NOT NULL,"
    " note TEXT NOT NULL,"
    " created TEXT NOT NULL,"
    " PRIMARY KEY (subject, entity_id))",
    /* 2: decisions belong to an agency. Rows of version 1 were global; they
     * become the operator's (owner NULL) and AGENCY-ONLY, so no agency sees
     * them or is suppressed by them any more (docs/screening.md "Reviewed
     * decisions": a lost suppression shows a hit again, a kept one would keep
     * showing one agency's analyst and note to every other). The key gets
     * the owner: two agencies may decide the same pair differently. */
    "CREATE TABLE screen_review_v2 ("
    " subject TEXT NOT NULL,"
    " entity_id TEXT NOT NULL,"
    " owner TEXT,"
    " marking TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " analyst TEXT NOT NULL,"
    " note TEXT NOT NULL,"
    " created TEXT NOT NULL);"
    "INSERT INTO screen_review_v2 (subject, entity_id, owner, marking, decision, analyst, note, created)"
    " SELECT subject, entity_id, NULL, 'AGENCY-ONLY', decision, analyst, note, created FROM screen_review;"
    "DROP TABLE screen_review;"
    "ALTER TABLE screen_review_v2 RENAME TO screen_review;"
    "CREATE INDEX screen_review_pair ON screen_review (subject, entity_id)",
    /* 3: subject keys in name order with birth date and identifiers (issue
     * #19; docs/screening.md "Reviewed decisions"). A key of version 2 holds
     * the name's tokens sorted, so the order they came in is lost and cannot
     * be rebuilt: kept as they were, such a decision would go on
     * suppressing the designated person whose surnames come in the other
     * order. They are renamed "legacy:<old key>", which no query produces:
     * listed (`puente review list`) for an analyst to record again, applied
     * to nothing (a lost suppression shows a hit again; a kept one could
     * hide a designated person). */
    "UPDATE screen_review SET subject = 'legacy:' || subject",
};

int screen_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "screen", migrations, (int)(sizeof migrations / sizeof migrations[0]), err);
}

static int valid_decision(const char *d) {
    return d && (strcmp(d, "false_positive") == 0 || strcmp(d, "confirmed") == 0);
}

/* The owner a scope records decisions as: its agency; NULL for the operator
 * (STORE_SYSTEM). */
static const char *scope_owner(const store_scope *scope) {
    return scope->system ? NULL : scope->agency;
}

/* Bind owner (NULL-able) at i and i+1 for "(owner = ? OR (owner IS NULL AND ? IS NULL))". */
static void bind_owner(db_stmt *s, int i, const char *owner) {
    for (int k = 0; k < 2; k++) {
        if (owner) db_bind_text(s, i + k, owner, -1);
        else db_bind_null(s, i + k);
    }
}
#define SAME_OWNER "(owner = ? OR (owner IS NULL AND ? IS NULL))"

/* Delete the decision of (subject, entity, owner); *n gets how many rows went. */
static int delete_one(db_t *db, const char *subject, const char *entity_id, const char *owner, int64_t *n,
                      pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db, "DELETE FROM screen_review WHERE subject = ? AND entity_id = ? AND " SAME_OWNER, &s, err);
    if (!rc) {
        db_bind_text(s, 1, subject, -1);
        db_bind_text(s, 2, entity_id, -1);
        bind_owner(s, 3, owner);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    if (!rc && n) *n = db_changes(db);
    return rc;
}

static int check_add(const store_scope *scope, const char *subject, const char *entity_id, const char *decision,
                     const char *analyst, const char *note, const char *marking, pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    if (!scope->system && pu_blank(scope->agency))
        return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "a decision is recorded for an agency");
    if (pu_blank(subject)) return pu_fail(err, PU_ERR_INVALID, NULL, "subject", "expected a subject key");
    if (pu_blank(entity_id)) return pu_fail(err, PU_ERR_INVALID, NULL, "entity_id", "expected an entity id");
    if (!valid_decision(decision))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected false_positive or confirmed, got '%s'",
                       decision ? decision : "");
    if (pu_blank(analyst)) return pu_fail(err, PU_ERR_INVALID, NULL, "analyst", "expected who decided");
    if (pu_blank(note)) return pu_fail(err, PU_ERR_INVALID, NULL, "note", "expected the reason for the decision");
    store_marking m;
    int rc = store_marking_parse(marking, "marking", &m, err);
    return rc ? rc : store_check_file(scope, m, err);
}

int screen_review_add(store_t *st, const store_scope *scope, const screen_review_in *in, pu_err *err) {
    const char *marking = in->marking ? in->marking : SCREEN_REVIEW_DEFAULT_MARKING;
    int rc = check_add(scope, in->subject, in->entity_id, in->decision, in->analyst, in->note, marking, err);
    if (rc) return rc;
    db_t *db = store_db(st);
    const char *owner = scope_owner(scope);
    char now[32];
    pu_now_iso(now, sizeof now);
    /* who decided and why are sealed at rest (store_seal) */
    char *analyst = NULL, *note = NULL;
    if ((rc = store_seal("screen_review.analyst", in->analyst, &analyst, err)) ||
        (rc = store_seal("screen_review.note", in->note, &note, err)) || (rc = db_begin(db, err))) {
        free(analyst);
        free(note);
        return rc;
    }
    /* replace this agency's decision on the pair (other agencies' stay) */
    rc = delete_one(db, in->subject, in->entity_id, owner, NULL, err);
    db_stmt *s = NULL;
    if (!rc)
        rc = db_prepare(db,
                        "INSERT INTO screen_review (subject, entity_id, owner, marking, decision, analyst, note, created)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &s, err);
    if (!rc) {
        db_bind_text(s, 1, in->subject, -1);
        db_bind_text(s, 2, in->entity_id, -1);
        if (owner) db_bind_text(s, 3, owner, -1);
        else db_bind_null(s, 3);
        db_bind_text(s, 4, marking, -1);
        db_bind_text(s, 5, in->decision, -1);
        db_bind_text(s, 6, analyst, -1);
        db_bind_text(s, 7, note, -1);
        db_bind_text(s, 8, now, -1);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    free(analyst);
    free(note);
    if (!rc) rc = store_generation_bump(db, SCREEN_REVIEW_GENERATION, err);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

int screen_review_remove(store_t *st, const store_scope *scope, const char *subject, const char *entity_id,
                         pu_err *err) {
    if (!scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "no reader scope");
    int rc;
    db_t *db = store_db(st);
    if ((rc = db_begin(db, err))) return rc;
    int64_t n = 0;
    rc = delete_one(db, subject ? subject : "", entity_id ? entity_id : "", scope_owner(scope), &n, err);
    if (!rc && n == 0)
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "entity_id", "no decision of %s for subject '%s' and entity '%s'",
                     scope->system ? pu_tr("the operator") : scope->agency, subject ? subject : "",
                     entity_id ? entity_id : "");
    if (!rc) rc = store_generation_bump(db, SCREEN_REVIEW_GENERATION, err);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

/* Run cb over the decisions scope may see (store_scope_sql), oldest first. */
int screen_reviews_list(store_t *st, const store_scope *scope, screen_review_cb cb, void *ctx, pu_err *err) {
    int rc;
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT r.subject, r.entity_id, r.owner, r.marking, r.decision, r.analyst, r.note, r.created"
                   " FROM screen_review r WHERE ");
    store_scope_sql(&q, scope, "r");
    db_sql_add(&q, " ORDER BY r.created, r.subject, r.entity_id, r.owner");
    db_stmt *s = NULL;
    rc = db_sql_prepare(store_db(st), &q, &s, err);
    db_sql_free(&q);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        char *analyst = NULL, *note = NULL;
        if ((rc = store_unseal("screen_review.analyst", db_col_text(s, 5), &analyst, err)) ||
            (rc = store_unseal("screen_review.note", db_col_text(s, 6), &note, err))) {
            free(analyst);
            break;
        }
        screen_review_row row = {db_col_text(s, 0), db_col_text(s, 1), db_col_isnull(s, 2) ? NULL : db_col_text(s, 2),
                                 db_col_text(s, 3), db_col_text(s, 4), analyst, note, db_col_text(s, 7)};
        int stop = cb(&row, ctx);
        free(analyst);
        free(note);
        if (stop) break;
    }
    db_finalize(s);
    return rc;
}

/* ---- the loaded set ------------------------------------------------------------ */

typedef struct review { char *subject, *entity, *owner, *marking, *decision, *analyst, *note, *created; } review;

struct screen_reviews {
    review *r;
    size_t n, cap;
    ix_pair *map; /* hash(subject \x1f entity) -> index, sorted (stable: oldest first) */
};

static uint64_t key_hash(const char *subject, const char *entity) {
    char buf[SN_BUF_MAX + 512];
    int l = snprintf(buf, sizeof buf, "%s\x1f%s", subject, entity);
    if (l < 0) l = 0;
    if ((size_t)l >= sizeof buf) l = (int)sizeof buf - 1;
    return sn_hash(buf, (size_t)l);
}

static int pair_cmp(const void *a, const void *b) {
    const ix_pair *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v; /* load order (oldest first) among equal keys */
}

void screen_reviews_free(screen_reviews *rv) {
    if (!rv) return;
    for (size_t i = 0; i < rv->n; i++) {
        review *r = &rv->r[i];
        free(r->subject);
        free(r->entity);
        free(r->owner);
        free(r->marking);
        free(r->decision);
        free(r->analyst);
        free(r->note);
        free(r->created);
    }
    free(rv->r);
    free(rv->map);
    free(rv);
}

typedef struct load_ctx { screen_reviews *rv; int nomem; } load_ctx;

static int load_row(const screen_review_row *row, void *ctx) {
    load_ctx *c = ctx;
    screen_reviews *rv = c->rv;
    if (rv->n == rv->cap) {
        size_t cap = rv->cap ? rv->cap * 2 : 16;
        review *nr = realloc(rv->r, cap * sizeof *nr);
        if (!nr) return c->nomem = 1;
        rv->r = nr;
        rv->cap = cap;
    }
    review *r = &rv->r[rv->n++];
    *r = (review){pu_strdup(row->subject), pu_strdup(row->entity_id), row->owner ? pu_strdup(row->owner) : NULL,
                  pu_strdup(row->marking), pu_strdup(row->decision), pu_strdup(row->analyst), pu_strdup(row->note),
                  pu_strdup(row->created)};
    c->nomem = !r->subject || !r->entity || (row->owner && !r->owner) || !r->marking || !r->decision ||
               !r->analyst || !r->note || !r->created;
    return c->nomem;
}

int screen_reviews_load(store_t *st, screen_reviews **out, pu_err *err) {
    *out = NULL;
    screen_reviews *rv = calloc(1, sizeof *rv);
    if (!rv) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    /* every decision (STORE_SYSTEM): each keeps its owner and marking, and
     * sr_find applies one only for a reader who may see it */
    load_ctx c = {rv, 0};
    int rc = screen_reviews_list(st, STORE_SYSTEM, load_row, &c, err);
    if (!rc && c.nomem) rc = PU_ERR_NOMEM;
    if (!rc) {
        rv->map = malloc((rv->n + 1) * sizeof *rv->map);
        if (!rv->map) rc = PU_ERR_NOMEM;
        for (size_t i = 0; !rc && i < rv->n; i++)
            rv->map[i] = (ix_pair){key_hash(rv->r[i].subject, rv->r[i].entity), (uint32_t)i};
        if (!rc) qsort(rv->map, rv->n, sizeof *rv->map, pair_cmp);
    }
    if (rc) {
        screen_reviews_free(rv);
        return rc == PU_ERR_NOMEM ? pu_fail(err, rc, NULL, NULL, "out of memory") : rc;
    }
    *out = rv;
    return PU_OK;
}

size_t screen_reviews_count(const screen_reviews *rv) { return rv ? rv->n : 0; }

/* The decision on (subject, entity) that applies for scope: of those the
 * reader may see (store_visible over a set read through store_scope_sql),
 * its own agency's (the operator's for STORE_SYSTEM), else the most recent
 * one. -1 when none. */
int sr_find(const screen_reviews *rv, const store_scope *scope, const char *subject, const char *entity_id) {
    if (!rv || !rv->n || !subject || !*subject) return -1;
    if (!scope) scope = STORE_SYSTEM;
    const char *own = scope_owner(scope);
    uint64_t h = key_hash(subject, entity_id);
    int best = -1;
    for (size_t i = ix_find(rv->map, rv->n, h); i < rv->n && rv->map[i].h == h; i++) {
        const review *r = &rv->r[rv->map[i].v];
        if (strcmp(r->subject, subject) != 0 || strcmp(r->entity, entity_id) != 0) continue;
        if (!store_visible(scope, r->owner, r->marking)) continue;
        if (own ? r->owner && strcmp(r->owner, own) == 0 : !r->owner) return (int)rv->map[i].v;
        best = (int)rv->map[i].v; /* later entries are more recent */
    }
    return best;
}
int sr_suppresses(const screen_reviews *rv, int i) {
    return rv && i >= 0 && (size_t)i < rv->n && strcmp(rv->r[i].decision, "false_positive") == 0;
}

int sr_fill(const screen_reviews *rv, int i, screen_match *m) {
    const review *r = &rv->r[i];
    m->suppressed = sr_suppresses(rv, i);
    m->review_decision = pu_strdup(r->decision);
    m->review_analyst = pu_strdup(r->analyst);
    m->review_note = pu_strdup(r->note);
    m->review_created = pu_strdup(r->created);
    if (!m->review_decision || !m->review_analyst || !m->review_note || !m->review_created) return PU_ERR_NOMEM;
    return PU_OK;
}
