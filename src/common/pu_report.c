/* pu_report.c - import summaries and duplicate keys (see pu_report.h). */
#include "common/pu_report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void pu_report_init(pu_report *r, const char *label, FILE *diag) {
    memset(r, 0, sizeof *r);
    r->label = label ? label : "import";
    r->diag = diag;
}

void pu_report_free(pu_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nkept; i++) free(r->kept[i]);
    free(r->kept);
    r->kept = NULL;
    r->nkept = 0;
}

/* Print (capped) and keep (capped) one message. */
static void report_msg(pu_report *r, const char *kind, const char *text) {
    if (r->diag) {
        if (r->shown < PU_REPORT_MAX_SHOWN) fprintf(r->diag, "puente: %s: %s\n", pu_tr(kind), text);
        else if (r->shown == PU_REPORT_MAX_SHOWN)
            fputs(pu_tr("puente: (further messages not shown; the summary counts them)\n"), r->diag);
        r->shown++;
    }
    if (r->nkept >= PU_REPORT_MAX_KEPT) return;
    if (!r->kept) {
        r->kept = calloc(PU_REPORT_MAX_KEPT, sizeof *r->kept);
        if (!r->kept) return;
    }
    pu_buf b = PU_BUF_INIT(PU_ERR_MSG_MAX + PU_ERR_WHERE_MAX + 64);
    pu_buf_printf(&b, "%s: %s", kind, text);
    char *s = pu_buf_detach(&b);
    if (s) r->kept[r->nkept++] = s;
}

void pu_report_reject(pu_report *r, const pu_err *e) {
    r->rejected++;
    char buf[PU_ERR_MSG_MAX + PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + 32];
    pu_err_format(e, buf, sizeof buf);
    report_msg(r, PU_N("error"), buf);
}

void pu_report_duplicate(pu_report *r, const char *key, const char *where, const char *first_where,
                         const char *action) {
    r->duplicate++;
    char buf[PU_ERR_MSG_MAX + 2 * PU_ERR_WHERE_MAX];
    snprintf(buf, sizeof buf, pu_tr("%s: duplicate id '%s' (first at %s): %s"), where ? where : "?", key ? key : "",
             first_where ? first_where : "?", pu_tr(action ? action : "refused"));
    report_msg(r, PU_N("error"), buf);
}

void pu_report_warn(pu_report *r, const char *where, const char *fmt, ...) {
    r->warnings++;
    char msg[PU_ERR_MSG_MAX], buf[PU_ERR_MSG_MAX + PU_ERR_WHERE_MAX + 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, pu_tr(fmt), ap);
    va_end(ap);
    if (where && *where) snprintf(buf, sizeof buf, "%s: %s", where, msg);
    else pu_strlcpy(buf, msg, sizeof buf);
    report_msg(r, PU_N("warning"), buf);
}

int pu_report_check(const pu_report *r, pu_err *err) {
    uint64_t sum = r->written + r->unchanged + r->rejected + r->duplicate;
    if (sum == r->read) return PU_OK;
    return pu_fail(err, PU_ERR_INTERNAL, r->label, NULL,
                   "counts do not add up: %llu read but %llu written + %llu unchanged + %llu rejected + %llu duplicate",
                   (unsigned long long)r->read, (unsigned long long)r->written, (unsigned long long)r->unchanged,
                   (unsigned long long)r->rejected, (unsigned long long)r->duplicate);
}

void pu_report_print(const pu_report *r, FILE *out) {
    fprintf(out, pu_tr("%s: %llu read, %llu written, %llu unchanged, %llu rejected, %llu duplicate"), r->label,
            (unsigned long long)r->read, (unsigned long long)r->written, (unsigned long long)r->unchanged,
            (unsigned long long)r->rejected, (unsigned long long)r->duplicate);
    if (r->warnings == 1) fputs(pu_tr(" (1 warning)"), out);
    else if (r->warnings) fprintf(out, pu_tr(" (%llu warnings)"), (unsigned long long)r->warnings);
    fputc('\n', out);
}

int pu_report_exit(const pu_report *r) { return r->rejected || r->duplicate ? PU_EXIT_PARTIAL : 0; }

/* ---- duplicate set: open addressing over FNV-1a ---- */

typedef struct dup_slot {
    char *key;
    char *where;
} dup_slot;

struct pu_dupset {
    dup_slot *slots;
    size_t cap, n;
};

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int pu_dupset_new(pu_dupset **out) {
    *out = NULL;
    pu_dupset *s = calloc(1, sizeof *s);
    if (!s) return PU_ERR_NOMEM;
    s->cap = 64;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->slots) { free(s); return PU_ERR_NOMEM; }
    *out = s;
    return PU_OK;
}

static int dup_grow(pu_dupset *s) {
    size_t nc = s->cap * 2;
    dup_slot *ns = calloc(nc, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].key) continue;
        size_t j = (size_t)fnv1a(s->slots[i].key) & (nc - 1);
        while (ns[j].key) j = (j + 1) & (nc - 1);
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = nc;
    return 0;
}

int pu_dupset_add(pu_dupset *s, const char *key, const char *where, const char **first_where) {
    if ((s->n + 1) * 2 > s->cap && dup_grow(s) != 0) return -1;
    size_t j = (size_t)fnv1a(key) & (s->cap - 1);
    while (s->slots[j].key) {
        if (strcmp(s->slots[j].key, key) == 0) {
            if (first_where) *first_where = s->slots[j].where;
            return 1;
        }
        j = (j + 1) & (s->cap - 1);
    }
    char *k = pu_strdup(key), *w = pu_strdup(where ? where : "");
    if (!k || !w) { free(k); free(w); return -1; }
    s->slots[j].key = k;
    s->slots[j].where = w;
    s->n++;
    return 0;
}

size_t pu_dupset_count(const pu_dupset *s) { return s ? s->n : 0; }

void pu_dupset_free(pu_dupset *s) {
    if (!s) return;
    for (size_t i = 0; i < s->cap; i++) {
        free(s->slots[i].key);
        free(s->slots[i].where);
    }
    free(s->slots);
    free(s);
}
