/*
 * screen_review.c - reviewed screening decisions, kept in the store in the
 * module's own table (migrations under module name "screen").
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
};

static int migrate(store_t *st, pu_err *err) {
    return db_migrate(store_db(st), "screen", migrations, 1, err);
}

static int valid_decision(const char *d) {
    return d && (strcmp(d, "false_positive") == 0 || strcmp(d, "confirmed") == 0);
}

int screen_review_add(store_t *st, const char *subject, const char *entity_id, const char *decision,
                      const char *analyst, const char *note, pu_err *err) {
    if (pu_blank(subject)) return pu_fail(err, PU_ERR_INVALID, NULL, "subject", "expected a subject key");
    if (pu_blank(entity_id)) return pu_fail(err, PU_ERR_INVALID, NULL, "entity_id", "expected an entity id");
    if (!valid_decision(decision))
        return pu_fail(err, PU_ERR_INVALID, NULL, "decision", "expected false_positive or confirmed, got '%s'",
                       decision ? decision : "");
    if (pu_blank(analyst)) return pu_fail(err, PU_ERR_INVALID, NULL, "analyst", "expected who decided");
    if (pu_blank(note)) return pu_fail(err, PU_ERR_INVALID, NULL, "note", "expected the reason for the decision");
    int rc = migrate(st, err);
    if (rc) return rc;
    db_t *db = store_db(st);
    char now[32];
    pu_now_iso(now, sizeof now);
    if ((rc = db_begin(db, err))) return rc;
    db_stmt *s = NULL;
    rc = db_prepare(db,
                    "INSERT INTO screen_review (subject, entity_id, decision, analyst, note, created)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject, entity_id) DO UPDATE SET"
                    " decision = excluded.decision, analyst = excluded.analyst, note = excluded.note,"
                    " created = excluded.created",
                    &s, err);
    if (!rc) {
        db_bind_text(s, 1, subject, -1);
        db_bind_text(s, 2, entity_id, -1);
        db_bind_text(s, 3, decision, -1);
        db_bind_text(s, 4, analyst, -1);
        db_bind_text(s, 5, note, -1);
        db_bind_text(s, 6, now, -1);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

int screen_review_remove(store_t *st, const char *subject, const char *entity_id, pu_err *err) {
    int rc = migrate(st, err);
    if (rc) return rc;
    db_t *db = store_db(st);
    if ((rc = db_begin(db, err))) return rc;
    db_stmt *s = NULL;
    rc = db_prepare(db, "DELETE FROM screen_review WHERE subject = ? AND entity_id = ?", &s, err);
    if (!rc) {
        db_bind_text(s, 1, subject ? subject : "", -1);
        db_bind_text(s, 2, entity_id ? entity_id : "", -1);
        rc = db_step_done(s, err);
    }
    db_finalize(s);
    if (!rc && db_changes(db) == 0)
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "entity_id", "no decision for subject '%s' and entity '%s'",
                     subject ? subject : "", entity_id ? entity_id : "");
    if (!rc) rc = db_commit(db, err);
    if (rc) db_rollback(db);
    return rc;
}

/* ---- the loaded set ------------------------------------------------------------ */

typedef struct review { char *subject, *entity, *decision, *analyst, *note, *created; } review;

struct screen_reviews {
    review *r;
    size_t n;
    ix_pair *map; /* hash(subject \x1f entity) -> index, sorted */
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
    return x->h < y->h ? -1 : x->h > y->h;
}

void screen_reviews_free(screen_reviews *rv) {
    if (!rv) return;
    for (size_t i = 0; i < rv->n; i++) {
        review *r = &rv->r[i];
        free(r->subject);
        free(r->entity);
        free(r->decision);
        free(r->analyst);
        free(r->note);
        free(r->created);
    }
    free(rv->r);
    free(rv->map);
    free(rv);
}

int screen_reviews_load(store_t *st, screen_reviews **out, pu_err *err) {
    *out = NULL;
    int rc = migrate(st, err);
    if (rc) return rc;
    screen_reviews *rv = calloc(1, sizeof *rv);
    if (!rv) return PU_ERR_NOMEM;
    db_stmt *s = NULL;
    rc = db_prepare(store_db(st),
                    "SELECT subject, entity_id, decision, analyst, note, created FROM screen_review"
                    " ORDER BY created, subject, entity_id",
                    &s, err);
    size_t cap = 0;
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (rv->n == cap) {
            cap = cap ? cap * 2 : 16;
            review *nr = realloc(rv->r, cap * sizeof *nr);
            if (!nr) {
                rc = PU_ERR_NOMEM;
                break;
            }
            rv->r = nr;
        }
        review *r = &rv->r[rv->n++];
        r->subject = pu_strdup(db_col_text(s, 0));
        r->entity = pu_strdup(db_col_text(s, 1));
        r->decision = pu_strdup(db_col_text(s, 2));
        r->analyst = pu_strdup(db_col_text(s, 3));
        r->note = pu_strdup(db_col_text(s, 4));
        r->created = pu_strdup(db_col_text(s, 5));
        if (!r->subject || !r->entity || !r->decision || !r->analyst || !r->note || !r->created) rc = PU_ERR_NOMEM;
    }
    db_finalize(s);
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

void screen_reviews_each(const screen_reviews *rv, screen_review_cb cb, void *ctx) {
    for (size_t i = 0; rv && i < rv->n; i++) {
        const review *r = &rv->r[i];
        if (cb(r->subject, r->entity, r->decision, r->analyst, r->note, r->created, ctx)) break;
    }
}

int sr_find(const screen_reviews *rv, const char *subject, const char *entity_id) {
    if (!rv || !rv->n || !subject || !*subject) return -1;
    uint64_t h = key_hash(subject, entity_id);
    for (size_t i = ix_find(rv->map, rv->n, h); i < rv->n && rv->map[i].h == h; i++) {
        const review *r = &rv->r[rv->map[i].v];
        if (strcmp(r->subject, subject) == 0 && strcmp(r->entity, entity_id) == 0) return (int)rv->map[i].v;
    }
    return -1;
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
