/* http_auditq.c - group commit of audit entries for read requests.
 *
 * Why: every request is audited before it is answered. Appending from each
 * worker thread means one write transaction per request, and SQLite lets one
 * writer in at a time: the others back off in its busy handler (sleeps of
 * milliseconds), which capped an audited read at ~1,000 req/s with a p99 of
 * tens of ms. Here one writer thread takes every entry queued meanwhile and
 * appends them in one transaction; each request still waits until its own
 * entry is committed (fail closed: no answer without its audit entry), but
 * the commit cost is shared by the whole batch.
 *
 * Changes (create/update/delete/upload, user changes) do not come here: their
 * audit entry is written inside the change's own transaction.
 *
 * SQLite only: the writer's connection does not checkpoint the WAL itself
 * (a checkpoint fsyncs the store and would stall every waiting request);
 * a second thread runs a PASSIVE checkpoint once a second instead, which never
 * blocks the writer. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

typedef struct qitem {
    const audit_event *ev;
    int rc;
    int done;
    struct qitem *next;
} qitem;

struct http_auditq {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    qitem *head, *tail;
    int stop;
    pthread_t thr, ckpt_thr;
    int have_ckpt;
    db_t *db, *ckpt_db;
};

static void *checkpointer(void *arg) {
    http_auditq *q = arg;
    pthread_mutex_lock(&q->mu);
    while (!q->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&q->work, &q->mu, &ts);
        if (q->stop) break;
        pthread_mutex_unlock(&q->mu);
        pu_err e;
        (void)db_exec(q->ckpt_db, "PRAGMA wal_checkpoint(PASSIVE)", &e);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static void *writer(void *arg) {
    http_auditq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->stop) pthread_cond_wait(&q->work, &q->mu);
        if (!q->head && q->stop) break;
        qitem *batch = q->head;
        q->head = q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        pu_err e;
        size_t n = 0;
        for (qitem *it = batch; it; it = it->next) n++;
        const audit_event **evs = malloc(n * sizeof *evs);
        int rc = evs ? PU_OK : PU_ERR_NOMEM;
        n = 0;
        for (qitem *it = batch; evs && it; it = it->next) evs[n++] = it->ev;
        if (rc == PU_OK) rc = audit_append_many(q->db, evs, n, &e);
        free(evs);
        pthread_mutex_lock(&q->mu);
        for (qitem *it = batch; it; it = it->next) {
            it->rc = rc;
            it->done = 1;
        }
        pthread_cond_broadcast(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int http_auditq_start(const char *db_path, http_auditq **out, pu_err *err) {
    *out = NULL;
    http_auditq *q = calloc(1, sizeof *q);
    if (!q) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = db_open(db_path, NULL, &q->db, err);
    if (rc) {
        free(q);
        return rc;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (strcmp(db_backend(q->db), "sqlite") == 0 && db_open(db_path, NULL, &q->ckpt_db, err) == PU_OK) {
        pu_err e;
        (void)db_exec(q->db, "PRAGMA wal_autocheckpoint=0", &e);
        q->have_ckpt = pthread_create(&q->ckpt_thr, NULL, checkpointer, q) == 0;
    }
    if (pthread_create(&q->thr, NULL, writer, q) != 0) {
        pthread_mutex_lock(&q->mu);
        q->stop = 1;
        pthread_cond_broadcast(&q->work);
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

int http_auditq_append(http_auditq *q, const audit_event *ev) {
    qitem it = {ev, PU_OK, 0, NULL};
    pthread_mutex_lock(&q->mu);
    if (q->tail) q->tail->next = &it;
    else q->head = &it;
    q->tail = &it;
    pthread_cond_broadcast(&q->work);
    while (!it.done) pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return it.rc;
}

void http_auditq_stop(http_auditq *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thr, NULL);
    if (q->have_ckpt) pthread_join(q->ckpt_thr, NULL);
    db_close(q->ckpt_db);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    db_close(q->db);
    free(q);
}
