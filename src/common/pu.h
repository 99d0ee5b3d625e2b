/*
 * pu.h - Puente's common contract: error codes, error details, buffers, strings.
 *
 * Conventions used by every module (read this first):
 *  - Functions return an int result code: PU_OK (0) on success, a PU_ERR_* on
 *    failure. Results come back through out-parameters, which are left untouched
 *    (or set to NULL/0) on failure.
 *  - A function that can fail on user input takes a `pu_err *err` (may be NULL)
 *    and fills it with where (file:line or record), field and a message saying
 *    what was expected.
 *  - Every *_free / *_close function accepts NULL, like free().
 *  - Whoever receives a pointer documented as "owned by the caller" frees it
 *    with the module's free function (or free() for plain strings).
 *  - Buffers always have a maximum size; exceeding it is PU_ERR_LIMIT, never an
 *    overflow.
 */
#ifndef PU_H
#define PU_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum pu_code {
    PU_OK = 0,
    PU_ERR_INVALID = 1,   /* bad input: malformed, wrong type, unknown field   */
    PU_ERR_NOMEM = 2,     /* allocation failed                                 */
    PU_ERR_IO = 3,        /* file or socket error                              */
    PU_ERR_NOTFOUND = 4,  /* the thing asked for does not exist (or is hidden) */
    PU_ERR_DB = 5,        /* the store failed                                  */
    PU_ERR_DENIED = 6,    /* authentication or authorisation refused           */
    PU_ERR_CONFLICT = 7,  /* already exists / concurrent change                */
    PU_ERR_LIMIT = 8,     /* a size or count cap was exceeded                  */
    PU_ERR_INTERNAL = 9,  /* a bug: an invariant did not hold                  */
    PU_ERR_UNSUPPORTED = 10,
    PU_ERR_INTERRUPTED = 11
};

#define PU_ERR_WHERE_MAX 256
#define PU_ERR_FIELD_MAX 64
#define PU_ERR_MSG_MAX 512

/* Details of the last failure. `where` is "file:line", "record 12" or empty. */
typedef struct pu_err {
    int code;
    char where[PU_ERR_WHERE_MAX];
    char field[PU_ERR_FIELD_MAX];
    char msg[PU_ERR_MSG_MAX];
} pu_err;

/* Static English name of a result code ("invalid input", ...). Never NULL. */
const char *pu_strerror(int code);

/* Short machine name of a code for APIs ("invalid", "not_found", ...). */
const char *pu_code_name(int code);

/* Clear *err (no-op on NULL). */
void pu_err_clear(pu_err *err);

/*
 * Record a failure in *err (if err is non-NULL) and return `code`, so callers
 * can write `return pu_fail(err, PU_ERR_INVALID, where, "birth_date",
 * "expected an ISO date YYYY-MM-DD, got '%s'", s);`. `where`/`field` may be
 * NULL. Messages longer than the caps are truncated, never overflowed.
 * The format is the message id of the catalogue: it goes through pu_tr, so
 * the CLI records the message in its language (src/i18n/es.po gives the
 * Spanish of each English format, with the same conversions).
 */
int pu_fail(pu_err *err, int code, const char *where, const char *field,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- the language of messages (docs/web.md "Languages") ------------------
 * pu_fail and the CLI's output take their format through pu_tr: the English
 * printf format is the message id (gettext's convention), the catalogue
 * (src/i18n) gives the Spanish format with the same conversions in the same
 * order, so the arguments are the same. The common layer knows no catalogue:
 * the CLI installs the lookup once (pu_set_translator, main.c); without one,
 * and in a thread that opted out (pu_tr_thread_off: the HTTP server's request
 * threads, whose API translates per request by error code), the English
 * format is used as it is. */
typedef const char *(*pu_translator)(const char *msgid);
/* Install the process's translator (NULL: English). Not thread-safe: call
 * before starting threads. */
void pu_set_translator(pu_translator fn);
/* 1: the calling thread formats in English whatever the process's language
 * (0 undoes it). */
void pu_tr_thread_off(int off);
/* The message format for msgid in the current language (static storage;
 * msgid itself when there is no translation). Never NULL for non-NULL msgid. */
const char *pu_tr(const char *msgid) __attribute__((format_arg(1)));
/* Marks a literal as a message id that is translated later, where it is
 * used, with pu_tr (gettext's N_): a table of month names, a word passed as
 * an argument. It is the literal itself; tests/i18n/extract.py finds it. */
#define PU_N(msgid) (msgid)

/* Format "where: field 'f': msg (code name)" into buf (always NUL-terminated). */
void pu_err_format(const pu_err *err, char *buf, size_t size);

/* Print the formatted error to stderr, prefixed with "puente: ". */
void pu_err_print(const pu_err *err);

/* Map a result code to the documented CLI exit code (docs/CLI.md). */
int pu_exit_code(int code);

/* ---- growable byte buffer (cf. git strbuf) ------------------------------
 * Invariants: data is NULL or NUL-terminated; len < cap; len <= max.
 * A pu_buf is initialised with PU_BUF_INIT(max) or pu_buf_init().
 */
typedef struct pu_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; appends past it fail with PU_ERR_LIMIT */
} pu_buf;

#define PU_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }
void pu_buf_init(pu_buf *b, size_t max);
int pu_buf_append(pu_buf *b, const void *data, size_t n);
int pu_buf_puts(pu_buf *b, const char *s);
int pu_buf_putc(pu_buf *b, char c);
int pu_buf_printf(pu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pu_buf_vprintf(pu_buf *b, const char *fmt, va_list ap);
/* Always returns a NUL-terminated string ("" when empty). Owned by b. */
const char *pu_buf_str(const pu_buf *b);
void pu_buf_reset(pu_buf *b);           /* len = 0, keeps memory */
/* Cut the content back to its first len bytes (no-op if already shorter). */
void pu_buf_truncate(pu_buf *b, size_t len);
/* Hand the string to the caller (who frees it with free()); b is reset. */
char *pu_buf_detach(pu_buf *b);
void pu_buf_free(pu_buf *b);

/* ---- strings ------------------------------------------------------------ */
/* strdup that accepts NULL (returns NULL). Caller frees. */
char *pu_strdup(const char *s);
char *pu_strndup(const char *s, size_t n);
/* Copy with truncation; always NUL-terminates when size > 0.
 * Returns strlen(src), so `>= size` means truncated (like BSD strlcpy). */
size_t pu_strlcpy(char *dst, const char *src, size_t size);
/* snprintf that returns PU_ERR_LIMIT on truncation instead of a length. */
int pu_snprintf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Trim ASCII whitespace in place; returns s. */
char *pu_trim(char *s);
/* 1 if s is NULL or only whitespace. */
int pu_blank(const char *s);
/* Case-insensitive ASCII compare helpers. */
int pu_strieq(const char *a, const char *b);
int pu_starts_with(const char *s, const char *prefix);
/* 1 if the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int pu_utf8_valid(const char *s, size_t n);

/* ---- time ---------------------------------------------------------------- */
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (size >= 21). */
void pu_now_iso(char *buf, size_t size);
/* Monotonic seconds, for progress and benchmarks. */
double pu_monotonic(void);
/* Parse "YYYY-MM-DD"; returns PU_OK and days since 1970-01-01 in *days. */
int pu_parse_date(const char *s, int64_t *days);
/* Format days since epoch as "YYYY-MM-DD". */
void pu_format_date(int64_t days, char *buf, size_t size);

/* ---- progress on stderr --------------------------------------------------
 * Prints "label: N records, R rec/s, ETA Ns" at most twice a second, only when
 * stderr is a terminal or PUENTE_PROGRESS=1. `total` may be 0 (unknown), in
 * which case no ETA is shown; `done`/`total` may count bytes instead.
 */
typedef struct pu_progress {
    const char *label;
    uint64_t total;
    double start, last;
    int enabled;
} pu_progress;
void pu_progress_start(pu_progress *p, const char *label, uint64_t total);
void pu_progress_tick(pu_progress *p, uint64_t done, uint64_t records);
void pu_progress_end(pu_progress *p, uint64_t records);

#endif
