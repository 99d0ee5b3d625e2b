/* audit_journal.c - the append-only staging file in front of the audit chain
 * (see audit.h, "the audit journal").
 *
 * Layout: a header page naming the store (audit_store_id) and the half size,
 * then two halves of AUDIT_JOURNAL_HALF bytes, reserved on
 * disk when a server opens it (so a full disk is found at start, not by a
 * failed write later) and mapped shared into the server. Each half holds
 * complete lines from its start, then zero bytes. Entries are appended to
 * the active half with a memcpy under the journal mutex: no system call per
 * request, and the bytes are in the kernel's page cache once the copy is
 * done, so they survive a crash of the process like a write(2) would. When
 * the active half holds AUDIT_JOURNAL_SWITCH bytes and the other half is
 * empty, appends move to the other half; a half whose entries are all in the
 * chain is zeroed by the ingest thread and becomes empty again. So the file
 * never grows, also under a load that never lets the thread catch up
 * completely. Reading back takes each half up to its first zero byte and
 * orders the entries by jid. */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JFIELDS 11                         /* jid ts + 9 event fields */
#define JFIELDS_V1 9                       /* lines written before source and purpose */
#define SYNC_WAIT_S 10
#define JHDR 4096                          /* header page: "puente-audit-journal v1 store=ID half=N journal=JID\n" */
#define JMAGIC "puente-audit-journal v1 "
#define READ_CHUNK ((size_t)1 << 20)

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
    if (nf != JFIELDS && nf != JFIELDS_V1)
        return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected %d tab-separated fields, got %zu", JFIELDS, nf);
    char *endp;
    errno = 0;
    long long jid = strtoll(f[0], &endp, 10);
    if (!*f[0] || *endp || errno || jid < 1) return pu_fail(err, PU_ERR_INVALID, where, "jid", "expected a positive entry number, got '%.32s'", f[0]);
    if (!ts_ok(f[1])) return pu_fail(err, PU_ERR_INVALID, where, "ts", "expected YYYY-MM-DDTHH:MM:SSZ, got '%.32s'", f[1]);
    e->jid = jid;
    pu_strlcpy(e->ts, f[1], sizeof e->ts);
    e->ev = (audit_event){f[2], f[3], f[4], f[5], f[6], f[7], f[8], nf == JFIELDS ? f[9] : "", nf == JFIELDS ? f[10] : ""};
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

/* ---- reading a journal back ---- */

/* Bytes [off, off+max) of fd up to the first NUL (the end of a half). */
static int read_half(int fd, const char *path, off_t off, size_t max, pu_buf *out, pu_err *err) {
    char *chunk = malloc(READ_CHUNK);
    if (!chunk) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    int rc = PU_OK;
    for (size_t done = 0; done < max && rc == PU_OK;) {
        size_t want = max - done < READ_CHUNK ? max - done : READ_CHUNK;
        ssize_t r = pread(fd, chunk, want, off + (off_t)done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = pu_fail(err, PU_ERR_IO, path, NULL, "cannot read the audit journal: %s", strerror(errno));
            break;
        }
        if (r == 0) break;
        const char *nul = memchr(chunk, '\0', (size_t)r);
        size_t take = nul ? (size_t)(nul - chunk) : (size_t)r;
        if (pu_buf_append(out, chunk, take) != PU_OK) rc = pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
        if (nul) break;
        done += (size_t)r;
    }
    free(chunk);
    return rc;
}

static int by_jid(const void *a, const void *b) {
    int64_t x = ((const audit_staged *)a)->jid, y = ((const audit_staged *)b)->jid;
    return x < y ? -1 : x > y;
}

static int hex_id_ok(const char *s) {
    size_t k = 0;
    for (; s[k]; k++)
        if (unhex(s[k]) < 0) return 0;
    return k == AUDIT_JOURNAL_ID_HEX - 1;
}

int audit_journal_header(const char *name, const char *hdr, char store[AUDIT_STORE_ID_HEX], size_t *half,
                         char jid[AUDIT_JOURNAL_ID_HEX], pu_err *err) {
    store[0] = jid[0] = '\0';
    *half = 0;
    if (strncmp(hdr, JMAGIC, strlen(JMAGIC)) != 0) return PU_OK; /* a file without a header */
    char id[AUDIT_STORE_ID_HEX] = "", j[AUDIT_JOURNAL_ID_HEX + 1] = "";
    unsigned long long h = 0;
    int got = sscanf(hdr + strlen(JMAGIC), "store=%32s half=%llu journal=%33s", id, &h, j);
    if (got < 2 || h == 0 || h > AUDIT_JOURNAL_HALF)
        return pu_fail(err, PU_ERR_INVALID, name, "header", "expected 'store=ID half=N [journal=ID]' after the journal's magic");
    if (got == 3 && !hex_id_ok(j))
        return pu_fail(err, PU_ERR_INVALID, name, "journal", "expected a journal id of 32 hex digits, got '%.40s'", j);
    pu_strlcpy(store, id, AUDIT_STORE_ID_HEX);
    if (got == 3) pu_strlcpy(jid, j, AUDIT_JOURNAL_ID_HEX);
    *half = (size_t)h;
    return PU_OK;
}

/* Both halves of the journal on fd, parsed and ordered by jid. A server's
 * file starts with its header (store id, half size, journal id: jid_out,
 * "" in a header of before journal ids); a file without one (a person
 * wrote it) is read as a single half, journal "". A header naming another
 * store is PU_ERR_CONFLICT. */
static int read_journal(int fd, const char *path, const char *store_id, audit_staged **out, size_t *n,
                        char *stores[2], size_t *torn, char jid_out[AUDIT_JOURNAL_ID_HEX], pu_err *err) {
    *out = NULL;
    *n = *torn = 0;
    jid_out[0] = '\0';
    stores[0] = stores[1] = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot stat the audit journal: %s", strerror(errno));
    size_t size = (size_t)sb.st_size;
    if (size > JHDR + 2 * AUDIT_JOURNAL_HALF)
        return pu_fail(err, PU_ERR_LIMIT, path, NULL, "the audit journal is larger than a server writes (%zu bytes)", size);
    char hdr[256] = "";
    ssize_t got = pread(fd, hdr, sizeof hdr - 1, 0);
    hdr[got > 0 ? got : 0] = '\0';
    char id[AUDIT_STORE_ID_HEX];
    size_t h = 0;
    int rc = audit_journal_header(path, hdr, id, &h, jid_out, err);
    if (rc) return rc;
    int two = h > 0;
    size_t half = size, base = 0;
    if (two) {
        if (size != JHDR + 2 * h)
            return pu_fail(err, PU_ERR_INVALID, path, "header", "the audit journal's header does not match its size (%zu bytes)", size);
        if (strcmp(id, store_id) != 0)
            return pu_fail(err, PU_ERR_CONFLICT, path, NULL,
                           "the audit journal belongs to another store (trail %s, this store's trail %s); move it aside", id, store_id);
        half = h;
        base = JHDR;
    }
    audit_staged *parts[2] = {NULL, NULL};
    size_t counts[2] = {0, 0};
    rc = PU_OK;
    for (int h = 0; h < (two ? 2 : 1) && rc == PU_OK; h++) {
        pu_buf b = PU_BUF_INIT(half + 1);
        char name[1100];
        snprintf(name, sizeof name, two ? "%s (half %d)" : "%s", path, h + 1);
        size_t t = 0;
        rc = read_half(fd, path, (off_t)(base + (size_t)h * half), half, &b, err);
        if (rc == PU_OK) rc = audit_journal_parse(name, pu_buf_str(&b), b.len, &parts[h], &counts[h], &stores[h], &t, err);
        *torn += t;
        pu_buf_free(&b);
    }
    audit_staged *all = rc == PU_OK ? malloc((counts[0] + counts[1] + 1) * sizeof *all) : NULL;
    if (rc == PU_OK && !all) rc = pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    if (rc == PU_OK) {
        if (counts[0]) memcpy(all, parts[0], counts[0] * sizeof *all);
        if (counts[1]) memcpy(all + counts[0], parts[1], counts[1] * sizeof *all);
        size_t m = counts[0] + counts[1], k = 0;
        qsort(all, m, sizeof *all, by_jid);
        for (size_t i = 0; i < m; i++) /* the same line twice cannot be two entries */
            if (k == 0 || all[i].jid != all[k - 1].jid) all[k++] = all[i];
        *n = k;
        *out = all;
    } else {
        free(stores[0]);
        free(stores[1]);
        stores[0] = stores[1] = NULL;
    }
    free(parts[0]);
    free(parts[1]);
    return rc;
}

/* Read the journal on fd and put into the chain what is not there yet.
 * strict: no server writes the file (a gap or a bad line is an error). */
static int ingest_file(db_t *db, int fd, const char *path, int strict, int64_t *applied, pu_err *err) {
    *applied = 0;
    audit_staged *ents;
    size_t n, torn;
    char *stores[2], id[AUDIT_STORE_ID_HEX], jid[AUDIT_JOURNAL_ID_HEX];
    int rc = audit_store_id(db, id, err);
    if (rc) return rc;
    rc = read_journal(fd, path, id, &ents, &n, stores, &torn, jid, err);
    if (rc) return strict || rc == PU_ERR_CONFLICT ? rc : PU_OK;
    if (strict && torn)
        fprintf(stderr, pu_tr("puente: %s: a last line was cut off by a crash before it was complete; that request was "
                               "never answered, and the line is dropped\n"), path);
    rc = audit_append_staged(db, jid, ents, n, applied, err);
    free(ents);
    free(stores[0]);
    free(stores[1]);
    if (rc == PU_ERR_INVALID && !strict) return PU_OK; /* read while a half was being zeroed: the server has them */
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
    char id[AUDIT_JOURNAL_ID_HEX]; /* this journal's id (a new one per open) */
    char *map;               /* the whole file, 2 * half bytes */
    size_t half, switch_at;  /* AUDIT_JOURNAL_HALF / _SWITCH unless opened with other sizes */
    int active;              /* the half appended to */
    size_t used[2];          /* bytes of lines in each half */
    int64_t last_jid[2];     /* newest jid in each half (0: empty) */
    int zeroing[2];          /* the thread is zeroing this half */
    int64_t next_jid;
    int64_t ingested;        /* newest jid in the chain */
    jent *head, *tail;
    size_t queued;
    int idle;                /* the thread waits for a first entry */
    int hurry;               /* a sync waits: ingest now */
    int stop;
    char last_error[PU_ERR_MSG_MAX];
    pthread_t thr;
    db_t *db;
};

static jent *entry_new(const audit_event *ev, const char *ts) {
    char clipbuf[AUDIT_FIELD_MAX];
    const char *src[9] = {ev->component, ev->user,    ev->agency, ev->action, ev->targets,
                          ev->outcome,   ev->detail,  ev->source, ev->purpose};
    size_t total = 0;
    for (int i = 0; i < 9; i++) {
        size_t n = src[i] ? strlen(src[i]) : 0;
        total += (n >= AUDIT_FIELD_MAX ? AUDIT_FIELD_MAX : n) + 1;
    }
    jent *e = malloc(sizeof *e + total);
    if (!e) return NULL;
    e->next = NULL;
    pu_strlcpy(e->s.ts, ts, sizeof e->s.ts);
    char *o = e->data;
    const char **dst[9] = {&e->s.ev.component, &e->s.ev.user,    &e->s.ev.agency, &e->s.ev.action,
                           &e->s.ev.targets,   &e->s.ev.outcome, &e->s.ev.detail, &e->s.ev.source,
                           &e->s.ev.purpose};
    for (int i = 0; i < 9; i++) {
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
    const char *f[9] = {e->s.ev.component, e->s.ev.user,    e->s.ev.agency, e->s.ev.action, e->s.ev.targets,
                        e->s.ev.outcome,   e->s.ev.detail,  e->s.ev.source, e->s.ev.purpose};
    for (int i = 0; i < 9 && rc == PU_OK; i++) {
        rc = pu_buf_putc(b, '\t');
        if (rc == PU_OK) rc = put_escaped(b, f[i]);
    }
    if (rc == PU_OK) rc = pu_buf_putc(b, '\n');
    return rc;
}

static int half_empty(const audit_journal *j, int h) { return j->used[h] == 0 && !j->zeroing[h]; }

/* The half a line of `need` bytes goes to (caller holds mu), or -1 when both
 * are too full: the chain has not taken their entries for a long time. */
static int pick_half(audit_journal *j, size_t need) {
    int h = j->active, o = 1 - h;
    if ((j->used[h] >= j->switch_at || j->used[h] + need > j->half) && half_empty(j, o)) j->active = h = o;
    return j->used[h] + need <= j->half ? h : -1;
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
    char pre[24];
    int npre = snprintf(pre, sizeof pre, "%lld", (long long)j->next_jid);
    int h = j->stop ? -1 : pick_half(j, (size_t)npre + tail.len);
    if (j->stop) rc = pu_fail(err, PU_ERR_INTERRUPTED, j->path, NULL, "the audit journal is closed");
    else if (h < 0 || j->queued >= AUDIT_JOURNAL_BACKLOG)
        rc = pu_fail(err, PU_ERR_LIMIT, j->path, NULL, "%zu audit entries wait for the audit trail, which cannot be written: %s",
                     j->queued, j->last_error[0] ? j->last_error : pu_tr("the store is busy"));
    if (rc == PU_OK) {
        char *at = j->map + JHDR + (size_t)h * j->half + j->used[h];
        memcpy(at, pre, (size_t)npre);
        memcpy(at + npre, pu_buf_str(&tail), tail.len);
        j->used[h] += (size_t)npre + tail.len;
        e->s.jid = j->last_jid[h] = j->next_jid++;
        if (j->tail) j->tail->next = e;
        else j->head = e;
        j->tail = e;
        j->queued++;
        e = NULL;
        if (j->idle) pthread_cond_signal(&j->work);
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
    int rc = audit_append_staged(j->db, j->id, arr, k, NULL, err);
    free(arr);
    return rc;
}

/* Zero the inactive half once all its entries are in the chain (caller
 * holds mu; the copy runs without it: nobody appends to a half that is not
 * empty and not active). */
static void recycle_inactive(audit_journal *j) {
    int h = 1 - j->active;
    if (j->used[h] == 0 || j->zeroing[h] || j->last_jid[h] > j->ingested) return;
    j->zeroing[h] = 1;
    size_t n = j->used[h];
    pthread_mutex_unlock(&j->mu);
    /* the first byte first: a crash in the middle then leaves a half that
     * reads as empty, whatever order memset writes in */
    char *base = j->map + JHDR + (size_t)h * j->half;
    *(volatile char *)base = 0;
    atomic_signal_fence(memory_order_seq_cst); /* not moved after the memset */
    memset(base, 0, n);
    pthread_mutex_lock(&j->mu);
    j->used[h] = 0;
    j->last_jid[h] = 0;
    j->zeroing[h] = 0;
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
            recycle_inactive(j);
        } else {
            /* keep them, in order, ahead of what came meanwhile; retry */
            last->next = j->head;
            j->head = list;
            if (!j->tail) j->tail = last;
            j->queued += n;
            if (!j->last_error[0]) fprintf(stderr, pu_tr("puente: audit trail: %s (retrying; entries are kept in %s)\n"), e.msg, j->path);
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
                         j->last_error[0] ? j->last_error : pu_tr("timed out"));
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

static void journal_free(audit_journal *j) {
    if (j->map) munmap(j->map, JHDR + 2 * j->half);
    if (j->fd >= 0) close(j->fd);
    db_close(j->db);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->drained);
    free(j);
}

/* A new journal id, registered in the chain's audit_journal table with this
 * host and the file's path. Why new per open and not kept in the file: a
 * copied or restored file (a cloned machine) then never continues another
 * server's numbering; the cost is one row per server start. */
static int new_id(audit_journal *j, pu_err *err) {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(j->id, sizeof j->id, raw, sizeof raw);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return audit_journal_register(j->db, j->id, host, j->path, err);
}

/* Empty the file, reserve the header and both halves on disk (zero-filled),
 * map them and write the header. */
static int map_fresh(audit_journal *j, pu_err *err) {
    char id[AUDIT_STORE_ID_HEX];
    int rc = audit_store_id(j->db, id, err);
    if (rc == PU_OK) rc = new_id(j, err);
    if (rc) return rc;
    size_t total = JHDR + 2 * j->half;
    if (ftruncate(j->fd, 0) != 0)
        return pu_fail(err, PU_ERR_IO, j->path, NULL, "cannot empty the audit journal: %s", strerror(errno));
    int e = posix_fallocate(j->fd, 0, (off_t)total);
    if (e == EOPNOTSUPP || e == EINVAL) e = ftruncate(j->fd, (off_t)total) == 0 ? 0 : errno;
    if (e) return pu_fail(err, PU_ERR_IO, j->path, NULL, "cannot reserve %zu KiB for the audit journal: %s", total >> 10, strerror(e));
    void *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, j->fd, 0);
    if (m == MAP_FAILED) return pu_fail(err, PU_ERR_IO, j->path, NULL, "cannot map the audit journal: %s", strerror(errno));
    j->map = m;
    snprintf(j->map, JHDR, JMAGIC "store=%s half=%zu journal=%s\n", id, j->half, j->id);
    return PU_OK;
}

int audit_journal_open(const char *path, const char *db_path, audit_journal **out, pu_err *err) {
    return audit_journal_open_sized(path, db_path, AUDIT_JOURNAL_HALF, out, err);
}

int audit_journal_open_sized(const char *path, const char *db_path, size_t half, audit_journal **out, pu_err *err) {
    *out = NULL;
    if (half < 4096 || half > AUDIT_JOURNAL_HALF || half % 4096)
        return pu_fail(err, PU_ERR_INVALID, path, "half", "expected a multiple of 4096 up to %zu, got %zu", AUDIT_JOURNAL_HALF, half);
    audit_journal *j = calloc(1, sizeof *j);
    if (!j) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    j->half = half;
    j->switch_at = half / 8;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->drained, NULL);
    pu_strlcpy(j->path, path, sizeof j->path);
    j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int rc = PU_OK;
    if (j->fd < 0) rc = pu_fail(err, PU_ERR_IO, path, NULL, "cannot open the audit journal: %s", strerror(errno));
    else if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
        rc = pu_fail(err, errno == EWOULDBLOCK ? PU_ERR_CONFLICT : PU_ERR_IO, path, NULL,
                     errno == EWOULDBLOCK ? "another puente server uses this audit journal (each server needs its own: --audit-journal PATH)"
                                          : "cannot lock the audit journal");
    if (rc == PU_OK) rc = db_open(db_path, NULL, &j->db, err);
    if (rc == PU_OK) rc = audit_migrate(j->db, err);
    int64_t applied = 0;
    if (rc == PU_OK) rc = ingest_file(j->db, j->fd, path, 1, &applied, err);
    if (rc == PU_OK) rc = map_fresh(j, err);
    if (rc == PU_OK) rc = audit_journal_seq(j->db, j->id, &j->ingested, err);
    if (rc == PU_OK && applied > 0)
        fprintf(stderr, pu_tr("puente: %lld audit entries left by an earlier run were added to the audit trail\n"), (long long)applied);
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

const char *audit_journal_id(const audit_journal *j) { return j->id; }

void audit_journal_close(audit_journal *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->stop = 1;
    pthread_cond_broadcast(&j->work);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thr, NULL);
    /* the thread put everything in the chain (or kept the rest in the file) */
    if (!j->head) {
        munmap(j->map, JHDR + 2 * j->half);
        j->map = NULL;
        if (ftruncate(j->fd, 0) != 0) fprintf(stderr, pu_tr("puente: %s: cannot empty the audit journal: %s\n"), j->path, strerror(errno));
    } else {
        fprintf(stderr, pu_tr("puente: %zu audit entries stay in %s and are added to the trail at the next start (%s)\n"),
                j->queued, j->path, j->last_error);
        free_list(j->head);
    }
    journal_free(j);
}
