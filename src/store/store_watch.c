/*
 * store_watch.c - the store's change generations as PostgreSQL notifies
 * them (store.h "watching the generations"): one listening connection and
 * its thread per watcher; readers take the values from memory while the
 * watcher is live and read the counters from the store otherwise.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/store.h"

/* How long one wait for notifications lasts (the stop flag is seen after at
 * most this), and the pause before reconnecting after a lost connection. */
#define WATCH_WAIT_MS 200
#define WATCH_RETRY_MS 500
#define WATCH_DOMAINS 32
#define WATCH_NAME_MAX 48

typedef struct watch_domain {
    char name[WATCH_NAME_MAX];
    int64_t n;
} watch_domain;

struct store_watch {
    char *uri;
    pthread_t thread;
    atomic_int stop, live;
    atomic_uint_fast64_t notes; /* notifications applied (tests, metrics) */
    pthread_mutex_t mu;          /* guards dom, ndom, schema, path */
    watch_domain dom[WATCH_DOMAINS];
    int ndom;
    char schema[128];            /* the store's schema: notifications of others are ignored */
    char path[512];              /* db_path() of the store: which db_t it answers for */
};

static _Atomic(store_watch *) installed;

/* Raise domain to n (counters only grow; the caller holds mu). A domain
 * past WATCH_DOMAINS makes the watcher unusable (readers read the store). */
static void domain_raise(store_watch *w, const char *name, int64_t n) {
    for (int i = 0; i < w->ndom; i++)
        if (strcmp(w->dom[i].name, name) == 0) {
            if (n > w->dom[i].n) w->dom[i].n = n;
            return;
        }
    if (w->ndom == WATCH_DOMAINS || strlen(name) >= WATCH_NAME_MAX) {
        atomic_store(&w->live, 0);
        atomic_store(&w->stop, 1);
        return;
    }
    pu_strlcpy(w->dom[w->ndom].name, name, WATCH_NAME_MAX);
    w->dom[w->ndom++].n = n;
}

/* "<schema> <domain> <n>" (store.c notify_migrations). */
static void on_note(const char *channel, const char *payload, void *ctx) {
    store_watch *w = ctx;
    (void)channel;
    char schema[128], domain[WATCH_NAME_MAX];
    long long n;
    if (sscanf(payload, "%127s %47s %lld", schema, domain, &n) != 3) return;
    pthread_mutex_lock(&w->mu);
    if (strcmp(schema, w->schema) == 0) {
        domain_raise(w, domain, (int64_t)n);
        atomic_fetch_add(&w->notes, 1);
    }
    pthread_mutex_unlock(&w->mu);
}

/* LISTEN first, then read every counter: a change committed after the
 * LISTEN is notified, one before it is read; either way the table ends at
 * least as new as the store was when the watcher went live. */
static int connect_and_sync(store_watch *w, db_t **out, pu_err *err) {
    db_t *db = NULL;
    int rc = db_open(w->uri, NULL, &db, err);
    if (!rc) rc = store_migrate(db, err); /* the notifying trigger exists */
    if (!rc) rc = db_listen(db, STORE_NOTIFY_CHANNEL, err);
    db_stmt *s = NULL;
    if (!rc) rc = db_prepare(db, "SELECT current_schema()", &s, err);
    if (!rc && (rc = db_step(s, err)) == DB_ROW) {
        pthread_mutex_lock(&w->mu);
        pu_strlcpy(w->schema, db_col_text(s, 0), sizeof w->schema);
        pu_strlcpy(w->path, db_path(db), sizeof w->path);
        pthread_mutex_unlock(&w->mu);
        rc = PU_OK;
    }
    db_finalize(s);
    s = NULL;
    if (!rc) rc = db_prepare(db, "SELECT domain, n FROM store_generation", &s, err);
    while (!rc) {
        int step = db_step(s, err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        pthread_mutex_lock(&w->mu);
        domain_raise(w, db_col_text(s, 0), db_col_int64(s, 1));
        pthread_mutex_unlock(&w->mu);
    }
    db_finalize(s);
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return PU_OK;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *watch_main(void *arg) {
    store_watch *w = arg;
    while (!atomic_load(&w->stop)) {
        db_t *db = NULL;
        pu_err err;
        if (connect_and_sync(w, &db, &err)) {
            sleep_ms(WATCH_RETRY_MS);
            continue;
        }
        atomic_store(&w->live, !atomic_load(&w->stop));
        while (!atomic_load(&w->stop) && db_wait_notify(db, WATCH_WAIT_MS, on_note, w, &err) == PU_OK) {
        }
        atomic_store(&w->live, 0); /* readers read the store until the next sync */
        db_close(db);
        if (!atomic_load(&w->stop)) sleep_ms(WATCH_RETRY_MS);
    }
    return NULL;
}

int store_watch_start(const char *uri, store_watch **out, pu_err *err) {
    *out = NULL;
    if (!uri || strncasecmp(uri, "postgres", 8) != 0)
        return pu_fail(err, PU_ERR_UNSUPPORTED, NULL, NULL, "watching the generations needs a PostgreSQL store");
    store_watch *w = calloc(1, sizeof *w);
    if (!w || !(w->uri = pu_strdup(uri))) {
        free(w);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        free(w->uri);
        free(w);
        return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cannot start the watcher thread");
    }
    *out = w;
    return PU_OK;
}

void store_watch_stop(store_watch *w) {
    if (!w) return;
    store_watch *me = w;
    atomic_compare_exchange_strong(&installed, &me, NULL);
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    free(w->uri);
    free(w);
}

int store_watch_live(store_watch *w) { return w && atomic_load(&w->live); }

uint64_t store_watch_notes(store_watch *w) { return w ? (uint64_t)atomic_load(&w->notes) : 0; }

void store_watch_install(store_watch *w) { atomic_store(&installed, w); }

int store_generation_watched(db_t *db, const char *domain, int64_t *out) {
    store_watch *w = atomic_load(&installed);
    if (!w || !atomic_load(&w->live)) return 0;
    int served = 0;
    pthread_mutex_lock(&w->mu);
    if (strcmp(w->path, db_path(db)) == 0) {
        served = 1;
        *out = 0; /* a domain never bumped */
        for (int i = 0; i < w->ndom; i++)
            if (strcmp(w->dom[i].name, domain) == 0) *out = w->dom[i].n;
    }
    pthread_mutex_unlock(&w->mu);
    return served && atomic_load(&w->live); /* lost meanwhile: read the store */
}
