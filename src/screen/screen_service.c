/*
 * screen_service.c - the screening service shared by a server's threads
 * (screen.h "the screening service"): index and decisions with their
 * rwlock, freshness by store generations, the rendered-body cache and the
 * whole-answer cache.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* Rendered bodies, keyed by entity id: open addressing, at most
 * BODY_SLOTS/2 entries and BODY_BYTES_MAX bytes, emptied when full and on
 * every swap of the index. Reading a body from the store (a row read, a
 * JSON parse, two re-serialisations) cost more than the screening itself. */
#define BODY_SLOTS 65536u /* power of two */
#define BODY_BYTES_MAX ((size_t)64 << 20)
#define BODY_ONE_MAX ((size_t)256 << 10)

/* Whole answers: direct-mapped (a colliding key replaces the entry), at most
 * ANSWER_BYTES_MAX bytes, emptied on every swap (index or decisions).
 * Screening workloads repeat names (the same counterparties come back every
 * day): a repeated query then costs a copy instead of a screening. */
#define ANSWER_SLOTS 4096u /* power of two */
#define ANSWER_BYTES_MAX ((size_t)32 << 20)
#define ANSWER_ONE_MAX ((size_t)256 << 10)

typedef struct body_entry {
    char *id, *owner, *marking;
    char *body;
    size_t len;
} body_entry;

typedef struct answer_entry {
    unsigned char key[16];
    double at; /* pu_monotonic() when stored; 0 = empty */
    char *body, *targets, *detail;
    size_t len;
} answer_entry;

struct screen_service {
    pthread_rwlock_t lock;  /* readers hold it for a snapshot; a swap writes */
    pthread_mutex_t rebuild; /* one rebuild at a time */
    screen_build_opts build;
    int has_build;
    screen_index *ix;
    screen_reviews *reviews;
    int64_t entity_gen, review_gen; /* written under lock (write) + rebuild */
    screen_ents ents;                /* what ix was built from; under rebuild */
    int has_ents;                    /* ents is complete (a patch may apply) */
    uint64_t nfull, npatch;          /* index builds, by kind; under rebuild */
    screen_ncache *names;            /* normalised listed names; under rebuild */
    pthread_mutex_t bodies_mu;       /* guards the three below */
    body_entry *bodies;              /* BODY_SLOTS, or NULL: no cache */
    size_t nbodies, body_bytes;
    pthread_mutex_t answers_mu;      /* guards the two below */
    answer_entry *answers;           /* ANSWER_SLOTS, or NULL: no cache */
    size_t answer_bytes;
};

/* ---- generations ---- */

/* The two generations in one statement, i.e. one read transaction: this
 * runs before every answer (the whole cost the hot path of a cached /match
 * adds), and the read transaction is most of a statement's cost — one
 * statement measured 5.5 us against 14 us for two store_generation_get
 * calls. It reads the store's own counter table (store_generation, the one
 * store_generation_get reads, store.h "change generations"); a domain not
 * yet bumped is 0, as there. */
static int read_gens(store_t *st, int64_t *entity, int64_t *review, pu_err *err) {
    *entity = *review = 0;
    /* a live watcher of this store (PostgreSQL LISTEN/NOTIFY, store.h):
     * no statement at all */
    if (store_generation_watched(store_db(st), "entity", entity) &&
        store_generation_watched(store_db(st), SCREEN_REVIEW_GENERATION, review))
        return PU_OK;
    db_stmt *q = NULL;
    int rc = db_prepare(store_db(st),
                        "SELECT (SELECT n FROM store_generation WHERE domain = 'entity'),"
                        " (SELECT n FROM store_generation WHERE domain = '" SCREEN_REVIEW_GENERATION "')",
                        &q, err);
    if (rc) return rc;
    int step = db_step(q, err);
    if (step == DB_ROW) {
        *entity = db_col_int64(q, 0); /* NULL (never bumped) reads as 0 */
        *review = db_col_int64(q, 1);
        step = PU_OK;
    }
    db_finalize(q);
    return step == DB_DONE ? PU_OK : step;
}

/* ---- the index: full build or patch ---- */

/* A change of more entities than this is read again in full: past it a
 * full read costs little more than the entities' own reads. */
#define SCREEN_PATCH_MAX_IDS STORE_CHANGE_LOG_MAX

/* Full build: every entity read from the store (the caller holds rebuild).
 * Both builds reuse what does not depend on the other entities: the
 * normalised forms of listed names (s->names) and the text-only keys of
 * vocabulary tokens of the current index (s->ix, which only the holder of
 * rebuild replaces, so it outlives the build): a write then costs the
 * normalisation of that entity's names, not of every name. */
static int build_full(screen_service *s, store_t *st, screen_index **ix, pu_err *err) {
    const screen_build_opts *o = s->has_build ? &s->build : NULL;
    screen_ents_free(&s->ents);
    s->has_ents = 0;
    int rc = screen_ents_load(st, o, &s->ents, err);
    if (!rc) rc = screen_ents_build(&s->ents, o, s->names, s->ix, ix, err);
    s->has_ents = rc == PU_OK;
    if (!rc) s->nfull++;
    return rc;
}

/* The index at generation `to` (the caller holds rebuild; s->entity_gen is
 * what s->ents holds): the entities the change log names for the
 * generations since are re-read and patched in, unless the log misses one
 * of them (pruned, a bulk import, a writer outside the store) or names too
 * many: then everything is read again. */
static int build_index(screen_service *s, store_t *st, int64_t to, screen_index **ix, pu_err *err) {
    if (!s->has_ents) return build_full(s, st, ix, err);
    char **ids = NULL;
    size_t n = 0;
    int complete = 0;
    int rc = store_changes_since(store_db(st), s->entity_gen, to, &ids, &n, &complete, err);
    if (!rc && complete && n <= SCREEN_PATCH_MAX_IDS) {
        const screen_build_opts *o = s->has_build ? &s->build : NULL;
        rc = screen_ents_patch(st, o, &s->ents, ids, n, err);
        if (!rc) rc = screen_ents_build(&s->ents, o, s->names, s->ix, ix, err);
        if (rc) s->has_ents = 0; /* next time: in full */
        else s->npatch++;
        store_changes_free(ids, n);
        return rc;
    }
    store_changes_free(ids, n);
    return rc ? rc : build_full(s, st, ix, err);
}

void screen_service_counts(screen_service *s, uint64_t *full, uint64_t *patched) {
    pthread_mutex_lock(&s->rebuild);
    *full = s->nfull;
    *patched = s->npatch;
    pthread_mutex_unlock(&s->rebuild);
}

/* ---- caches ---- */

static void body_free(body_entry *b) {
    free(b->id);
    free(b->owner);
    free(b->marking);
    free(b->body);
    memset(b, 0, sizeof *b);
}

static void bodies_clear_locked(screen_service *s) {
    for (size_t i = 0; s->bodies && i < BODY_SLOTS && s->nbodies; i++)
        if (s->bodies[i].id) {
            body_free(&s->bodies[i]);
            s->nbodies--;
        }
    s->nbodies = 0;
    s->body_bytes = 0;
}

static void answer_free(answer_entry *e) {
    free(e->body);
    free(e->targets);
    free(e->detail);
    memset(e, 0, sizeof *e);
}

static void answers_clear_locked(screen_service *s) {
    for (size_t i = 0; s->answers && i < ANSWER_SLOTS && s->answer_bytes; i++)
        if (s->answers[i].at) {
            s->answer_bytes -= s->answers[i].len;
            answer_free(&s->answers[i]);
        }
    s->answer_bytes = 0;
}

/* Empty both caches (the caller holds the write lock, so no snapshot is
 * filling them). Bodies and answers go together: whatever makes a body stale
 * makes the answers that hold it stale. */
static void caches_clear(screen_service *s) {
    pthread_mutex_lock(&s->bodies_mu);
    bodies_clear_locked(s);
    pthread_mutex_unlock(&s->bodies_mu);
    pthread_mutex_lock(&s->answers_mu);
    answers_clear_locked(s);
    pthread_mutex_unlock(&s->answers_mu);
}

static size_t body_slot(const body_entry *tab, const char *id) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 1099511628211ull;
    size_t i = (size_t)h & (BODY_SLOTS - 1);
    while (tab[i].id && strcmp(tab[i].id, id) != 0) i = (i + 1) & (BODY_SLOTS - 1);
    return i;
}

int screen_service_body_get(screen_service *s, const char *id, const store_scope *scope, pu_buf *out, int *rc) {
    int hit = 0;
    pthread_mutex_lock(&s->bodies_mu);
    if (s->bodies) {
        const body_entry *b = &s->bodies[body_slot(s->bodies, id)];
        if (b->id && store_visible(scope, b->owner, b->marking)) {
            *rc = pu_buf_append(out, b->body, b->len);
            hit = 1;
        }
    }
    pthread_mutex_unlock(&s->bodies_mu);
    return hit;
}

void screen_service_body_put(screen_service *s, const char *id, const char *owner, const char *marking,
                             const char *body, size_t len) {
    if (!len || len > BODY_ONE_MAX) return;
    pthread_mutex_lock(&s->bodies_mu);
    if (s->bodies && (s->nbodies >= BODY_SLOTS / 2 || s->body_bytes + len > BODY_BYTES_MAX)) bodies_clear_locked(s);
    body_entry *b = s->bodies ? &s->bodies[body_slot(s->bodies, id)] : NULL;
    if (b && !b->id) {
        *b = (body_entry){pu_strdup(id), pu_strdup(owner ? owner : ""), pu_strdup(marking ? marking : ""),
                          malloc(len), len};
        if (b->id && b->owner && b->marking && b->body) {
            memcpy(b->body, body, len);
            s->nbodies++;
            s->body_bytes += len;
        } else {
            body_free(b);
        }
    }
    pthread_mutex_unlock(&s->bodies_mu);
}

static answer_entry *answer_slot(screen_service *s, const unsigned char key[16]) {
    uint32_t i;
    memcpy(&i, key, sizeof i);
    return &s->answers[i & (ANSWER_SLOTS - 1)];
}

int screen_service_answer_get(screen_service *s, const unsigned char key[16], pu_buf *body, pu_buf *targets,
                              pu_buf *detail) {
    int hit = 0;
    pu_buf_reset(body);
    pu_buf_reset(targets);
    pu_buf_reset(detail);
    pthread_mutex_lock(&s->answers_mu);
    answer_entry *e = s->answers ? answer_slot(s, key) : NULL;
    if (e && e->at && memcmp(e->key, key, 16) == 0 && pu_monotonic() - e->at < SCREEN_ANSWER_TTL_S)
        hit = pu_buf_append(body, e->body, e->len) == PU_OK && pu_buf_puts(targets, e->targets) == PU_OK &&
              pu_buf_puts(detail, e->detail) == PU_OK;
    pthread_mutex_unlock(&s->answers_mu);
    if (!hit) {
        pu_buf_reset(body);
        pu_buf_reset(targets);
        pu_buf_reset(detail);
    }
    return hit;
}

void screen_service_answer_put(screen_service *s, const unsigned char key[16], const char *body, size_t len,
                               const char *targets, const char *detail) {
    if (len > ANSWER_ONE_MAX || !s->answers) return;
    answer_entry n = {.at = pu_monotonic(), .len = len};
    memcpy(n.key, key, 16);
    n.body = malloc(len ? len : 1);
    n.targets = pu_strdup(targets ? targets : "");
    n.detail = pu_strdup(detail ? detail : "");
    if (!n.body || !n.targets || !n.detail) {
        answer_free(&n);
        return;
    }
    memcpy(n.body, body, len);
    pthread_mutex_lock(&s->answers_mu);
    if (s->answer_bytes + len > ANSWER_BYTES_MAX) answers_clear_locked(s); /* full: start over */
    answer_entry *e = answer_slot(s, key);
    if (e->at) {
        s->answer_bytes -= e->len;
        answer_free(e);
    }
    *e = n;
    s->answer_bytes += len;
    pthread_mutex_unlock(&s->answers_mu);
}

/* ---- life cycle ---- */

int screen_service_open(store_t *st, const screen_service_opts *o, screen_service **out, pu_err *err) {
    *out = NULL;
    screen_service *s = calloc(1, sizeof *s);
    if (!s) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->rebuild, NULL);
    pthread_mutex_init(&s->bodies_mu, NULL);
    pthread_mutex_init(&s->answers_mu, NULL);
    if (o && o->build) {
        s->build = *o->build;
        s->has_build = 1;
    }
    if (!o || !o->no_caches) { /* NULL tables: no cache, still correct */
        s->bodies = calloc(BODY_SLOTS, sizeof *s->bodies);
        s->answers = calloc(ANSWER_SLOTS, sizeof *s->answers);
    }
    /* the generations first: a change during the build makes the next
     * reader rebuild again (never an index older than its generation) */
    int rc = screen_ncache_new(&s->names) ? pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory") : PU_OK;
    if (!rc) rc = read_gens(st, &s->entity_gen, &s->review_gen, err);
    if (!rc) rc = build_full(s, st, &s->ix, err);
    if (!rc) rc = screen_reviews_load(st, &s->reviews, err);
    if (rc) {
        screen_service_close(s);
        return rc;
    }
    *out = s;
    return PU_OK;
}

void screen_service_close(screen_service *s) {
    if (!s) return;
    screen_index_free(s->ix);
    screen_reviews_free(s->reviews);
    screen_ents_free(&s->ents);
    screen_ncache_free(s->names);
    caches_clear(s);
    free(s->bodies);
    free(s->answers);
    pthread_mutex_destroy(&s->answers_mu);
    pthread_mutex_destroy(&s->bodies_mu);
    pthread_mutex_destroy(&s->rebuild);
    pthread_rwlock_destroy(&s->lock);
    free(s);
}

/* Catch up with the store to at least the generations want_e/want_r (the
 * caller holds no lock). A reader that waited for another's rebuild finds
 * nothing left to do when that one already covers what it wants (the
 * generations are only written under this mutex, so they may be read here
 * without the rwlock); it does not build again for changes made after it
 * asked, or every reader would rebuild under a steady stream of writes.
 * The generations are read before the build, so the new state is at least
 * as new as the generation recorded with it. */
static int refresh(screen_service *s, store_t *st, int64_t want_e, int64_t want_r, pu_err *err) {
    pthread_mutex_lock(&s->rebuild);
    if (s->entity_gen >= want_e && s->review_gen >= want_r) {
        pthread_mutex_unlock(&s->rebuild);
        return PU_OK;
    }
    int64_t ge, gr;
    int rc = read_gens(st, &ge, &gr, err);
    screen_index *ix = NULL;
    screen_reviews *rv = NULL;
    if (!rc && ge > s->entity_gen) rc = build_index(s, st, ge, &ix, err);
    if (!rc && gr > s->review_gen) rc = screen_reviews_load(st, &rv, err);
    if (!rc && (ix || rv)) {
        pthread_rwlock_wrlock(&s->lock);
        if (ix) {
            screen_index *old = s->ix;
            s->ix = ix;
            ix = old;
            s->entity_gen = ge;
        }
        if (rv) {
            screen_reviews *old = s->reviews;
            s->reviews = rv;
            rv = old;
            s->review_gen = gr;
        }
        caches_clear(s);
        pthread_rwlock_unlock(&s->lock);
    }
    pthread_mutex_unlock(&s->rebuild);
    screen_index_free(ix); /* the old ones (or a build that was not used) */
    screen_reviews_free(rv);
    return rc;
}

/* The generations are read once, when the request arrives: the snapshot
 * must hold every change committed before that (at most one refresh), not
 * the changes made while it waited — re-reading them in the loop let a
 * steady stream of writes (another server's, or this one's) keep /match
 * rebuilding without ever answering. */
int screen_service_acquire(screen_service *s, store_t *st, screen_snapshot *snap, pu_err *err) {
    memset(snap, 0, sizeof *snap);
    int64_t ge, gr;
    int rc = read_gens(st, &ge, &gr, err);
    if (rc) return rc;
    for (;;) {
        pthread_rwlock_rdlock(&s->lock);
        if (s->entity_gen >= ge && s->review_gen >= gr) {
            *snap = (screen_snapshot){s->ix, s->reviews, s->entity_gen, s->review_gen};
            return PU_OK;
        }
        pthread_rwlock_unlock(&s->lock);
        if ((rc = refresh(s, st, ge, gr, err))) return rc;
    }
}

void screen_service_release(screen_service *s, screen_snapshot *snap) {
    if (!snap || !snap->ix) return;
    memset(snap, 0, sizeof *snap);
    pthread_rwlock_unlock(&s->lock);
}

/* ---- the dataset filter ---- */

int screen_match_in_dataset(const screen_match *m, const char *dataset) {
    if (!dataset) return 1;
    for (size_t i = 0; i < m->ndatasets; i++)
        if (strcmp(m->datasets[i], dataset) == 0) return 1;
    return 0;
}

int screen_dataset_visible(store_t *st, const store_scope *scope, const char *dataset, int *out, pu_err *err) {
    store_query q = {.dataset = dataset, .limit = 1};
    int64_t n = 0;
    int rc = store_count(st, scope, &q, &n, err);
    *out = rc == PU_OK && n > 0;
    return rc;
}
