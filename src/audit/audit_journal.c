/* audit_journal.c - the append-only staging file in front of the audit chain
 * (see audit.h, "the audit journal"). */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define JFIELDS 9                          /* jid ts + 7 event fields */
#define TRUNCATE_AT ((off_t)4 << 20)       /* empty the file once it is this big and all in the chain */
#define SYNC_WAIT_S 10
#define MAX_JOURNAL_BYTES ((size_t)1 << 30) /* refuse to read back more than 1 GiB */

/* ---- line format ---- */

static int put_escaped(pu_buf *b, const char *v) {
    static const char hex[] = "0123456789abcdef";
    int rc = PU_OK;
    for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p && rc == PU_OK; p++) {
        if (*p == '\\') rc = pu_buf_append(b, "\\\\", 2);
        else if (*p == '\t') rc = pu_buf_append(b, "\\t", 2);
        else if (*p == '\n') rc = pu_buf_append(b, "\\n", 2);
        else if (*p == '\r') rc = pu_buf_append(b, "\\r", 2);
        else if (*p < 0x20 || *p == 0x7f) {
            char e[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 15]};
            rc = pu_buf_append(b, e, 4);
        } else rc = pu_buf_putc(b, (char)*p);
    }
    return rc;
}

/* Clip like the chain does (audit.c), so the journal holds what the chain will. */
static const char *clipped(const char *v, char *buf) {
    if (!v) return "";
    size_t n = strlen(v);
    if (n < AUDIT_FIELD_MAX) return v;
    n = AUDIT_FIELD_MAX - 4;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80) n--;
    memcpy(buf, v, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

static int unhex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Unescape [p, end) into out (NUL-terminated); returns the bytes used or -1. */
static long unescape(const char *p, const char *end, char *out) {
    char *o = out;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        if (p + 1 >= end) return -1;
        char c = p[1];
        if (c == '\\' || c == 't' || c == 'n' || c == 'r') {
            *o++ = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : '\\';
            p += 2;
        } else if (c == 'x' && end - p >= 4 && unhex(p[2]) >= 0 && unhex(p[3]) >= 0) {
            int v = unhex(p[2]) * 16 + unhex(p[3]);
            if (v == 0) return -1;
            *o++ = (char)v;
            p += 4;
        } else {
            return -1;
        }
    }
    *o++ = '\0';
    return o - out;
}

static int ts_ok(const char *s) {
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1) return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return 0;
    return 1;
}

/* One line [p, end) into e; strings go to *o (advanced). */
static int parse_line(const char *name, size_t lineno, const char *p, const char *end, char **o, audit_staged *e,
                      pu_err *err) {
    char where[300];
    snprintf(where, sizeof where, "%s:%zu", name, lineno);
    const char *f[JFIELDS];
    size_t nf = 0;
    const char *start = p;
    for (const char *q = p; q <= end; q++) {
        if (q == end || *q == '\t') {
            if (nf == JFIELDS) return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected %d tab-separated fields, got more", JFIELDS);
            char *dst = *o;
            long used = unescape(start, q, dst);
            if (used < 0) return pu_fail(err, PU_ERR_INVALID, where, NULL, "field %zu has a bad escape (expected \\\\, \\t, \\n, \\r or \\xHH)", nf + 1);
            f[nf++] = dst;
            *o += used;
            start = q + 1;
        }
    }
    if (nf != JFIELDS) return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected %d tab-separated fields, got %zu", JFIELDS, nf);
    char *endp;
    errno = 0;
    long long jid = strtoll(f[0], &endp, 10);
    if (!*f[0] || *endp || errno || jid < 1) return pu_fail(err, PU_ERR_INVALID, where, "jid", "expected a positive entry number, got '%.32s'", f[0]);
    if (!ts_ok(f[1])) return pu_fail(err, PU_ERR_INVALID, where, "ts", "expected YYYY-MM-DDTHH:MM:SSZ, got '%.32s'", f[1]);
    e->jid = jid;
    pu_strlcpy(e->ts, f[1], sizeof e->ts);
    e->ev = (audit_event){f[2], f[3], f[4], f[5], f[6], f[7], f[8]};
    return PU_OK;
}

int audit_journal_parse(const char *name, const char *buf, size_t len, audit_staged **out, size_t *n, char **store,
                        size_t *torn, pu_err *err) {
    *out = NULL;
    *n = 0;
    *store = NULL;
    *torn = 0;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    if (len && buf[len - 1] != '\n') *torn = 1;
    if (lines == 0) return PU_OK;
    audit_staged *ents = calloc(lines, sizeof *ents);
    char *st = malloc(len + JFIELDS * lines + 1);
    if (!ents || !st) {
        free(ents);
        free(st);
        return pu_fail(err, PU_ERR_NOMEM, name, NULL, "out of memory reading the audit journal");
    }
    char *o = st;
    const char *p = buf;
    int rc = PU_OK;
    for (size_t k = 0; k < lines && rc == PU_OK; k++) {
        const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (memchr(p, '\0', (size_t)(nl - p)))
            rc = pu_fail(err, PU_ERR_INVALID, name, NULL, "line %zu holds a NUL byte", k + 1);
        else
            rc = parse_line(name, k + 1, p, nl, &o, &ents[k], err);
        p = nl + 1;
    }
    if (rc) {
        free(ents);
        free(st);
        return rc;
    }
    *out = ents;
    *n = lines;
    *store = st;
    return PU_OK;
}

void audit_staged_free(audit_staged *ents, char *store) {
    free(ents);
    free(store);
}

int audit_journal_path(const char *db_path, char *out, size_t size, pu_err *err) {
    if (pu_snprintf(out, size, "%s-audit.journal", db_path) != PU_OK)
        return pu_fail(err, PU_ERR_LIMIT, NULL, "db", "the store path is too long for its audit journal path");
    return PU_OK;
}

/* ---- reading a journal back ---- */

static int read_all(int fd, const char *path, char **out, size_t *len, pu_err *err) {
    *out = NULL;
    *len = 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot stat the audit journal: %s", strerror(errno));
    if ((size_t)sb.st_size > MAX_JOURNAL_BYTES)
        return pu_fail(err, PU_ERR_LIMIT, path, NULL, "the audit journal is over 1 GiB; it is not read back automatically");
    size_t cap = (size_t)sb.st_size + 1, n = 0;
    char *b = malloc(cap);
    if (!b) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    for (;;) {
        if (n == cap) {
            /* the file grew while it was read (a server appends beside us): stop at what was there */
            break;
        }
        ssize_t r = pread(fd, b + n, cap - n, (off_t)n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            free(b);
            return pu_fail(err, PU_ERR_IO, path, NULL, "cannot read the audit journal: %s", strerror(errno));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    *out = b;
    *len = n;
    return PU_OK;
}

/* Read the journal on fd and put into the chain what is not there yet.
 * strict: no server writes the file (a gap or a bad line is an error). */
static int ingest_file(db_t *db, int fd, const char *path, int strict, int64_t *applied, pu_err *err) {
    *applied = 0;
    char *buf;
    size_t len;
    int rc = read_all(fd, path, &buf, &len, err);
    if (rc) return rc;
    audit_staged *ents;
    size_t n, torn;
    char *store;
    rc = audit_journal_parse(path, buf, len, &ents, &n, &store, &torn, err);
    free(buf);
    if (rc) return strict ? rc : PU_OK;
    if (strict && torn)
        fprintf(stderr, "puente: %s: the last line was cut off by a crash before it was complete; that request was "
                        "never answered, and the line is dropped\n", path);
    rc = audit_append_staged(db, ents, n, applied, err);
    audit_staged_free(ents, store);
    if (rc == PU_ERR_INVALID && !strict) return PU_OK; /* read mid-truncation: the server's thread has them */
    return rc;
}

int audit_journal_recover(db_t *db, const char *path, int64_t *n, pu_err *err) {
    int64_t dummy;
    if (!n) n = &dummy;
    *n = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return PU_OK;
    if (fd < 0) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot open the audit journal: %s", strerror(errno));
    int alone = flock(fd, LOCK_EX | LOCK_NB) == 0;
    int rc = ingest_file(db, fd, path, alone, n, err);
    if (rc == PU_OK && alone && ftruncate(fd, 0) != 0)
        rc = pu_fail(err, PU_ERR_IO, path, NULL, "cannot empty the audit journal: %s", strerror(errno));
    close(fd); /* releases the lock */
    return rc;
}

/* ---- the server's journal ---- */

typedef struct jent {
    struct jent *next;
    audit_staged s;
    char data[]; /* the event's strings */
} jent;

struct audit_journal {
    pthread_mutex_t mu;
    pthread_cond_t work;     /* the ingest thread's wake-up */
    pthread_cond_t drained;  /* an ingest finished */
    int fd;
    char path[1024];
    off_t size;              /* bytes in the file */
    int64_t next_jid;
    int64_t ingested;        /* newest jid in the chain */
    jent *head, *tail;
    size_t queued;
    int idle;                /* the thread waits for a first entry */
    int hurry;               /* a sync waits: ingest now */
    int stop, broken;
    char last_error[PU_ERR_MSG_MAX];
    pthread_t thr;
    db_t *db;
};

static jent *entry_new(const audit_event *ev, const char *ts) {
    char clipbuf[AUDIT_FIELD_MAX];
    const char *src[7] = {ev->component, ev->user, ev->agency, ev->action, ev->targets, ev->outcome, ev->detail};
    size_t lens[7], total = 0;
    for (int i = 0; i < 7; i++) {
        lens[i] = src[i] ? strlen(src[i]) : 0;
        if (lens[i] >= AUDIT_FIELD_MAX) lens[i] = AUDIT_FIELD_MAX - 1;
        total += lens[i] + 1;
    }
    jent *e = malloc(sizeof *e + total);
    if (!e) return NULL;
    e->next = NULL;
    pu_strlcpy(e->s.ts, ts, sizeof e->s.ts);
    char *o = e->data;
    const char **dst[7] = {&e->s.ev.component, &e->s.ev.user,    &e->s.ev.agency, &e->s.ev.action,
                           &e->s.ev.targets,   &e->s.ev.outcome, &e->s.ev.detail};
    for (int i = 0; i < 7; i++) {
        const char *v = clipped(src[i], clipbuf);
        size_t n = strlen(v);
        memcpy(o, v, n + 1);
        *dst[i] = o;
        o += n + 1;
    }
    return e;
}

static int line_tail(const jent *e, pu_buf *b) {
    int rc = pu_buf_putc(b, '\t');
    if (rc == PU_OK) rc = pu_buf_puts(b, e->s.ts);
    const char *f[7] = {e->s.ev.component, e->s.ev.user,    e->s.ev.agency, e->s.ev.action,
                        e->s.ev.targets,   e->s.ev.outcome, e->s.ev.detail};
    for (int i = 0; i < 7 && rc == PU_OK; i++) {
        rc = pu_buf_putc(b, '\t');
        if (rc == PU_OK) rc = put_escaped(b, f[i]);
    }
    if (rc == PU_OK) rc = pu_buf_putc(b, '\n');
    return rc;
}

/* Write the whole line at the end of the file (caller holds mu). On failure
 * the file is cut back to where it was, so no torn line is left in the
 * middle; if even that fails the journal is broken and refuses every append. */
static int write_line(audit_journal *j, const char *pre, size_t npre, const char *tail, size_t ntail) {
    struct iovec iov[2] = {{(void *)pre, npre}, {(void *)tail, ntail}};
    size_t want = npre + ntail, done = 0;
    while (done < want) {
        ssize_t w = writev(j->fd, iov, 2);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int saved = w < 0 ? errno : ENOSPC;
            if (ftruncate(j->fd, j->size) != 0) j->broken = 1;
            errno = saved;
            return PU_ERR_IO;
        }
        done += (size_t)w;
        /* advance the iovecs past what was written */
        for (int i = 0; i < 2 && w > 0; i++) {
            size_t k = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            w -= (ssize_t)k;
        }
    }
    j->size += (off_t)want;
    return PU_OK;
}

int audit_journal_append(audit_journal *j, const audit_event *ev, pu_err *err) {
    char ts[32];
    pu_now_iso(ts, sizeof ts);
    jent *e = entry_new(ev, ts);
    pu_buf tail = PU_BUF_INIT((size_t)JFIELDS * 4 * AUDIT_FIELD_MAX);
    if (!e || line_tail(e, &tail) != PU_OK) {
        free(e);
        pu_buf_free(&tail);
        return pu_fail(err, PU_ERR_NOMEM, j->path, NULL, "out of memory writing the audit journal");
    }
    int rc = PU_OK;
    pthread_mutex_lock(&j->mu);
    if (j->stop) rc = pu_fail(err, PU_ERR_INTERRUPTED, j->path, NULL, "the audit journal is closed");
    else if (j->broken) rc = pu_fail(err, PU_ERR_IO, j->path, NULL, "the audit journal could not be written earlier and is closed for safety");
    else if (j->queued >= AUDIT_JOURNAL_BACKLOG)
        rc = pu_fail(err, PU_ERR_LIMIT, j->path, NULL, "%zu audit entries wait for the audit trail, which cannot be written: %s",
                     j->queued, j->last_error);
    if (rc == PU_OK) {
        char pre[24];
        int npre = snprintf(pre, sizeof pre, "%lld", (long long)j->next_jid);
        if (write_line(j, pre, (size_t)npre, pu_buf_str(&tail), tail.len) != PU_OK) {
            rc = pu_fail(err, PU_ERR_IO, j->path, NULL, "cannot write the audit journal: %s", strerror(errno));
        } else {
            e->s.jid = j->next_jid++;
            if (j->tail) j->tail->next = e;
            else j->head = e;
            j->tail = e;
            j->queued++;
            e = NULL;
            if (j->idle) pthread_cond_signal(&j->work);
        }
    }
    pthread_mutex_unlock(&j->mu);
    free(e);
    pu_buf_free(&tail);
    return rc;
}

static void free_list(jent *e) {
    while (e) {
        jent *n = e->next;
        free(e);
        e = n;
    }
}

/* Put one taken list into the chain. Returns PU_OK or the store's error. */
static int ingest_list(audit_journal *j, jent *list, size_t n, pu_err *err) {
    audit_staged *arr = malloc(n * sizeof *arr);
    if (!arr) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    size_t k = 0;
    for (jent *e = list; e; e = e->next) arr[k++] = e->s;
    int rc = audit_append_staged(j->db, arr, k, NULL, err);
    free(arr);
    return rc;
}

/* Sleep up to ms unless stopped or hurried (caller holds mu). */
static void wait_ms(audit_journal *j, long ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!j->stop && !j->hurry && pthread_cond_timedwait(&j->work, &j->mu, &until) == 0) {
    }
}

static void *ingester(void *arg) {
    audit_journal *j = arg;
    long backoff = 0;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        j->idle = 1;
        while (!j->head && !j->stop) pthread_cond_wait(&j->work, &j->mu);
        j->idle = 0;
        if (!j->head) break; /* stopped and nothing left */
        /* let a batch gather (one transaction per FLUSH_MS, not per entry) */
        wait_ms(j, backoff ? backoff : AUDIT_JOURNAL_FLUSH_MS);
        j->hurry = 0;
        jent *list = j->head, *last = j->tail;
        size_t n = j->queued;
        j->head = j->tail = NULL;
        j->queued = 0;
        pthread_mutex_unlock(&j->mu);
        pu_err e;
        int rc = ingest_list(j, list, n, &e);
        pthread_mutex_lock(&j->mu);
        if (rc == PU_OK) {
            j->ingested = last->s.jid;
            free_list(list);
            backoff = 0;
            j->last_error[0] = '\0';
            if (j->ingested == j->next_jid - 1 && j->size >= TRUNCATE_AT && ftruncate(j->fd, 0) == 0) j->size = 0;
        } else {
            /* keep them, in order, ahead of what came meanwhile; retry */
            last->next = j->head;
            j->head = list;
            if (!j->tail) j->tail = last;
            j->queued += n;
            if (!j->last_error[0]) fprintf(stderr, "puente: audit trail: %s (retrying; entries are kept in %s)\n", e.msg, j->path);
            pu_strlcpy(j->last_error, e.msg, sizeof j->last_error);
            backoff = backoff ? (backoff * 2 > 1000 ? 1000 : backoff * 2) : 50;
            if (j->stop) break; /* close: leave them in the file for the next open */
        }
        pthread_cond_broadcast(&j->drained);
    }
    pthread_cond_broadcast(&j->drained);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

int audit_journal_sync(audit_journal *j, pu_err *err) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SYNC_WAIT_S;
    pthread_mutex_lock(&j->mu);
    int64_t target = j->next_jid - 1;
    int rc = PU_OK;
    while (j->ingested < target && rc == PU_OK) {
        if (j->stop) {
            rc = pu_fail(err, PU_ERR_INTERRUPTED, j->path, NULL, "the audit journal is closed");
            break;
        }
        j->hurry = 1;
        pthread_cond_signal(&j->work);
        if (pthread_cond_timedwait(&j->drained, &j->mu, &until) != 0 && j->ingested < target)
            rc = pu_fail(err, PU_ERR_DB, j->path, NULL, "the audit trail cannot be written: %s",
                         j->last_error[0] ? j->last_error : "timed out");
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

static void journal_free(audit_journal *j) {
    if (j->fd >= 0) close(j->fd);
    db_close(j->db);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->drained);
    free(j);
}

int audit_journal_open(const char *path, const char *db_path, audit_journal **out, pu_err *err) {
    *out = NULL;
    audit_journal *j = calloc(1, sizeof *j);
    if (!j) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->drained, NULL);
    pu_strlcpy(j->path, path, sizeof j->path);
    j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = PU_OK;
    if (j->fd < 0) rc = pu_fail(err, PU_ERR_IO, path, NULL, "cannot open the audit journal: %s", strerror(errno));
    else if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
        rc = pu_fail(err, errno == EWOULDBLOCK ? PU_ERR_CONFLICT : PU_ERR_IO, path, NULL,
                     errno == EWOULDBLOCK ? "another puente server uses this store and its audit journal"
                                          : "cannot lock the audit journal");
    if (rc == PU_OK) rc = db_open(db_path, NULL, &j->db, err);
    if (rc == PU_OK) rc = audit_migrate(j->db, err);
    int64_t applied = 0;
    if (rc == PU_OK) rc = ingest_file(j->db, j->fd, path, 1, &applied, err);
    if (rc == PU_OK && ftruncate(j->fd, 0) != 0)
        rc = pu_fail(err, PU_ERR_IO, path, NULL, "cannot empty the audit journal: %s", strerror(errno));
    if (rc == PU_OK) rc = audit_journal_seq(j->db, &j->ingested, err);
    if (rc == PU_OK && applied > 0)
        fprintf(stderr, "puente: %lld audit entries left by an earlier run were added to the audit trail\n", (long long)applied);
    j->next_jid = j->ingested + 1;
    if (rc == PU_OK && pthread_create(&j->thr, NULL, ingester, j) != 0)
        rc = pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cannot start the audit journal thread");
    if (rc) {
        journal_free(j);
        return rc;
    }
    *out = j;
    return PU_OK;
}

void audit_journal_close(audit_journal *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->stop = 1;
    pthread_cond_broadcast(&j->work);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thr, NULL);
    /* the thread put everything in the chain (or kept the rest in the file) */
    if (!j->head) {
        if (ftruncate(j->fd, 0) != 0) fprintf(stderr, "puente: %s: cannot empty the audit journal: %s\n", j->path, strerror(errno));
    } else {
        fprintf(stderr, "puente: %zu audit entries stay in %s and are added to the trail at the next start (%s)\n",
                j->queued, j->path, j->last_error);
        free_list(j->head);
    }
    journal_free(j);
}
