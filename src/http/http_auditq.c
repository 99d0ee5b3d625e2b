/* http_auditq.c - group commit of audit entries for read requests.
 *
 * Why: every request is audited before it is answered. Appending from each
 * worker thread means one write transaction per request, and SQLite lets one
 * writer in at a time: the others back off in its busy handler (sleeps of
 * milliseconds), which capped an audited read at ~1,000 req/s with a p99 of
 * tens of ms. Here one writer thread takes every entry queued meanwhile and
 * appends them in one transaction, so the commit cost is shared by the whole
 * batch. A request is still not answered until its own entry is committed
 * (fail closed), but it waits as a suspended connection, not as a blocked
 * worker thread (http_auditq_submit; http_server.c): the workers go on with
 * other requests, and the batches grow with the load instead of being capped
 * at the number of workers.
 *
 * Changes (create/update/delete/upload, user changes) do not come here: their
 * audit entry is written inside the change's own transaction.
 *
 * The writer's connection does not checkpoint the WAL itself (a checkpoint
 * fsyncs the store and would stall every waiting request; db_autocheckpoint
 * off); a second thread runs db_checkpoint (SQLite: PASSIVE) once a second on
 * a connection of its own instead, which never blocks the writer. On a
 * backend without a WAL to checkpoint both calls do nothing. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

typedef struct qitem {
    const audit_event *ev;
    http_auditq_cb cb;  /* NULL: a waiter in http_auditq_append owns the item */
    void *ctx;
    int rc;
    int done;
    struct qitem *next;
} qitem;

struct http_auditq {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_cond_t stopping; /* the checkpointer's wake-up: only http_auditq_stop signals it */
    qitem *head, *tail;
    size_t queued;             /* items in head..tail */
    int idle;                  /* the writer waits for a first entry */
    size_t last_batch;         /* entries in the previous batch */
    int stop;
    pthread_t thr, ckpt_thr;
    int have_ckpt;
    db_t *db, *ckpt_db;
    char db_path[1024];        /* to reopen q->db after a failover */
};

static void *checkpointer(void *arg) {
    http_auditq *q = arg;
    pthread_mutex_lock(&q->mu);
    while (!q->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        /* not q->work: that is signalled on every append, and a checkpoint
         * (an fsync) per request was once the largest cost of a request */
        pthread_cond_timedwait(&q->stopping, &q->mu, &ts);
        if (q->stop) break;
        pthread_mutex_unlock(&q->mu);
        pu_err e;
        (void)db_checkpoint(q->ckpt_db, &e);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Hand the outcome of one committed (or failed) batch to its items: callback
 * items are called and freed outside the lock (they resume connections);
 * waiter items are marked done under it. Returns with q->mu held. */
static void finish_batch(http_auditq *q, qitem *batch, int rc) {
    qitem *waiters = NULL;
    for (qitem *it = batch, *next; it; it = next) {
        next = it->next;
        if (it->cb) {
            it->cb(it->ctx, rc);
            free(it);
        } else {
            it->next = waiters;
            waiters = it;
        }
    }
    pthread_mutex_lock(&q->mu);
    for (qitem *it = waiters; it; it = it->next) {
        it->rc = rc;
        it->done = 1;
    }
    if (waiters) pthread_cond_broadcast(&q->done);
}

/* A commit costs about the same for one entry as for fifty (a few WAL
 * pages), so under load the writer lets a batch gather for up to
 * GATHER_WINDOW_US after its first entry, or until GATHER_MAX are queued.
 * "Under load" = the previous batch held more than one entry (as PostgreSQL's
 * commit_delay applies only with commit_siblings): a lone client never waits
 * for the window. */
#define GATHER_WINDOW_US 200
#define GATHER_MAX 64

static void gather_window(http_auditq *q) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += GATHER_WINDOW_US * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!q->stop && q->queued < GATHER_MAX && pthread_cond_timedwait(&q->work, &q->mu, &until) == 0) {
    }
}

/* The writer's connection broke (a PostgreSQL failover: the old primary is
 * gone): open a new one, which a multi-host URI sends to the new primary.
 * The batch that found it broken failed; the next one goes through. */
static int writer_db(http_auditq *q, pu_err *err) {
    if (db_alive(q->db)) return PU_OK;
    db_t *fresh = NULL;
    int rc = db_open(q->db_path, NULL, &fresh, err);
    if (rc) return rc;
    db_close(q->db);
    q->db = fresh;
    (void)db_autocheckpoint(q->db, 0, err);
    return PU_OK;
}

static void *writer(void *arg) {
    http_auditq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        q->idle = 1;
        while (!q->head && !q->stop) pthread_cond_wait(&q->work, &q->mu);
        q->idle = 0;
        if (!q->head && q->stop) break;
        if (q->last_batch > 1) gather_window(q);
        size_t n = q->last_batch = q->queued;
        qitem *batch = q->head;
        q->head = q->tail = NULL;
        q->queued = 0;
        pthread_mutex_unlock(&q->mu);
        pu_err e;
        const audit_event **evs = malloc(n * sizeof *evs);
        int rc = evs ? PU_OK : PU_ERR_NOMEM;
        size_t k = 0;
        for (qitem *it = batch; evs && it; it = it->next) evs[k++] = it->ev;
        if (rc == PU_OK) rc = writer_db(q, &e);
        if (rc == PU_OK) rc = audit_append_many(q->db, evs, k, &e);
        free(evs);
        finish_batch(q, batch, rc);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int http_auditq_start(const char *db_path, http_auditq **out, pu_err *err) {
    *out = NULL;
    http_auditq *q = calloc(1, sizeof *q);
    if (!q) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (strlen(db_path) >= sizeof q->db_path) {
        free(q);
        return pu_fail(err, PU_ERR_LIMIT, NULL, "db", "the store path is too long");
    }
    pu_strlcpy(q->db_path, db_path, sizeof q->db_path);
    int rc = db_open(db_path, NULL, &q->db, err);
    if (rc) {
        free(q);
        return rc;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    pthread_cond_init(&q->stopping, NULL);
    if (db_open(db_path, NULL, &q->ckpt_db, err) == PU_OK) {
        pu_err e;
        (void)db_autocheckpoint(q->db, 0, &e);
        q->have_ckpt = pthread_create(&q->ckpt_thr, NULL, checkpointer, q) == 0;
    }
    if (pthread_create(&q->thr, NULL, writer, q) != 0) {
        pthread_mutex_lock(&q->mu);
        q->stop = 1;
        pthread_cond_broadcast(&q->work);
        pthread_cond_broadcast(&q->stopping);
        pthread_mutex_unlock(&q->mu);
        if (q->have_ckpt) pthread_join(q->ckpt_thr, NULL);
        db_close(q->ckpt_db);
        db_close(q->db);
        free(q);
        return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cannot start the audit writer thread");
    }
    *out = q;
    return PU_OK;
}

static void enqueue_locked(http_auditq *q, qitem *it) {
    if (q->tail) q->tail->next = it;
    else q->head = it;
    q->tail = it;
    q->queued++;
    /* wake the writer only when it sleeps for work or the batch is full: a
     * wake-up per entry during the gather window costs more than the entry */
    if (q->idle || q->queued == GATHER_MAX) pthread_cond_signal(&q->work);
}

int http_auditq_submit(http_auditq *q, const audit_event *ev, http_auditq_cb cb, void *ctx) {
    qitem *it = calloc(1, sizeof *it);
    if (!it) return PU_ERR_NOMEM;
    it->ev = ev;
    it->cb = cb;
    it->ctx = ctx;
    pthread_mutex_lock(&q->mu);
    if (q->stop) {
        pthread_mutex_unlock(&q->mu);
        free(it);
        return PU_ERR_INTERRUPTED;
    }
    enqueue_locked(q, it);
    pthread_mutex_unlock(&q->mu);
    return PU_OK;
}

int http_auditq_append(http_auditq *q, const audit_event *ev) {
    qitem it = {ev, NULL, NULL, PU_OK, 0, NULL};
    pthread_mutex_lock(&q->mu);
    if (q->stop) {
        pthread_mutex_unlock(&q->mu);
        return PU_ERR_INTERRUPTED;
    }
    enqueue_locked(q, &it);
    while (!it.done) pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return it.rc;
}

void http_auditq_stop(http_auditq *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    int was_stopped = q->stop;
    q->stop = 1;
    pthread_cond_broadcast(&q->work);
    pthread_cond_broadcast(&q->stopping);
    pthread_mutex_unlock(&q->mu);
    if (was_stopped) return;
    pthread_join(q->thr, NULL);
    if (q->have_ckpt) pthread_join(q->ckpt_thr, NULL);
    db_close(q->ckpt_db);
    db_close(q->db);
    q->ckpt_db = q->db = NULL;
}

void http_auditq_free(http_auditq *q) {
    if (!q) return;
    http_auditq_stop(q);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    pthread_cond_destroy(&q->stopping);
    free(q);
}
