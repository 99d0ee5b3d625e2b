/* trace_pattern.c - the ONE definition of partial-serial patterns.
 *
 * A pattern is compiled once into elements (trace_pattern, trace_int.h);
 * the in-memory matcher (trace_serial_match, the index's pruning facts)
 * and the SQL GLOB translation (trace_serial_glob) are all derived from
 * those elements, so the three can no longer disagree. Semantics
 * (docs/trace.md "Partial serials"):
 *   '?'      exactly one character; a run of '?' at the start may also
 *            stand for leading zeros that normalisation dropped;
 *   '*'      any run of characters, also empty;
 *   '[..]'   one of the listed characters;
 *   anything else is a literal, compared byte for byte ('%', '_' and '\'
 *   too: they never occur in normalised serials, but a pattern holding
 *   them must not turn into an SQL wildcard).
 * The empty pattern matches only the empty serial. */
#include <ctype.h>
#include <string.h>

#include "trace/trace_int.h"

int trace_pattern_compile(const char *pattern, trace_pattern *p) {
    memset(p, 0, sizeof *p);
    if (!pattern) return PU_ERR_INVALID;
    int lead = 1, prefix_done = 0;
    for (const char *c = pattern; *c; c++) {
        if (p->n >= TRACE_PAT_MAX) return PU_ERR_LIMIT;
        trace_pat_elem *e = &p->e[p->n];
        if (*c == '[') {
            const char *end = strchr(c + 1, ']');
            if (!end || end == c + 1 || (size_t)(end - c - 1) >= sizeof e->set) return PU_ERR_INVALID;
            e->kind = TRACE_PAT_SET;
            memcpy(e->set, c + 1, (size_t)(end - c - 1));
            c = end;
        } else if (*c == ']') {
            return PU_ERR_INVALID;
        } else if (*c == '?') {
            e->kind = TRACE_PAT_ONE;
            if (lead) p->lead_q++;
        } else if (*c == '*') {
            e->kind = TRACE_PAT_ANY;
            p->star = 1;
        } else {
            e->kind = TRACE_PAT_LIT;
            e->c = *c;
            p->literals++;
            if (!prefix_done) p->prefix[p->plen++] = *c;
        }
        if (e->kind != TRACE_PAT_ONE) lead = 0;
        if (e->kind != TRACE_PAT_LIT) prefix_done = 1;
        if (e->kind != TRACE_PAT_ANY) p->fixed++;
        p->n++;
    }
    return PU_OK;
}

static int elem_hit(const trace_pat_elem *e, char c) {
    switch (e->kind) {
    case TRACE_PAT_ONE: return 1;
    case TRACE_PAT_SET: return c && strchr(e->set, c) != NULL;
    case TRACE_PAT_LIT: return e->c == c;
    default: return 0;
    }
}

/* Iterative glob over elements with single-star backtracking. */
static int glob(const trace_pattern *p, const char *s) {
    size_t i = 0, star = SIZE_MAX;
    const char *ss = NULL;
    while (*s) {
        if (i < p->n && p->e[i].kind == TRACE_PAT_ANY) {
            star = i++;
            ss = s;
            continue;
        }
        if (i < p->n && elem_hit(&p->e[i], *s)) {
            i++;
            s++;
            continue;
        }
        if (star == SIZE_MAX) return 0;
        i = star + 1;
        s = ++ss;
    }
    while (i < p->n && p->e[i].kind == TRACE_PAT_ANY) i++;
    return i == p->n;
}

int trace_pattern_match(const trace_pattern *p, const char *serial) {
    if (glob(p, serial)) return 1;
    /* a leading '?' may have been a zero that normalisation dropped */
    char buf[TRACE_SERIAL_MAX + 8];
    size_t sl = strlen(serial);
    for (size_t z = 1; z <= p->lead_q && z < 8 && sl + z + 1 < sizeof buf; z++) {
        memset(buf, '0', z);
        memcpy(buf + z, serial, sl + 1);
        if (glob(p, buf)) return 1;
    }
    return 0;
}

int trace_pattern_len_ok(const trace_pattern *p, size_t len) {
    if (p->star) return 1;
    return len <= p->fixed && len + p->lead_q >= p->fixed;
}

int trace_serial_match(const char *pattern, const char *serial) {
    trace_pattern p;
    return serial && trace_pattern_compile(pattern, &p) == PU_OK && trace_pattern_match(&p, serial);
}

/* One set element as GLOB text: a one-character set is that character
 * (GLOB has no escape, and a lone '^' or '-' needs none outside a set);
 * otherwise '[' + members with '^' not first and '-' last + ']'. */
static int glob_set(const char *set, char *out, size_t *k, size_t size) {
    size_t n = strlen(set);
    if (*k + n + 3 >= size) return PU_ERR_LIMIT;
    if (n == 1 && !strchr("*?[", set[0])) {
        out[(*k)++] = set[0];
        return PU_OK;
    }
    out[(*k)++] = '[';
    size_t first = *k;
    int dash = 0, caret = 0;
    for (size_t i = 0; i < n; i++) {
        if (set[i] == '-') dash = 1;
        else if (set[i] == '^') caret = 1;
        else out[(*k)++] = set[i];
    }
    if (caret && *k == first) { /* only '^' and '-': "[-^]" ('-' first is a member) */
        out[(*k)++] = '-';
        dash = 0;
    }
    if (caret) out[(*k)++] = '^';   /* never first */
    if (dash) out[(*k)++] = '-';    /* last: a member, not a range */
    out[(*k)++] = ']';
    return PU_OK;
}

/* GLOB is case-sensitive and has '?', '*' and sets, so the translation is
 * exact except for the leading '?' run, which becomes '*' because it may
 * also stand for dropped zeros (a superset: *exact = 0, re-check rows with
 * trace_pattern_match). Literal '*', '?' and '[' cannot occur (they are
 * the operators); '%', '_' and '\' are plain characters in GLOB. */
int trace_pattern_glob(const trace_pattern *p, char *out, size_t size, int *exact) {
    size_t k = 0, i = 0;
    int ex = 1;
    if (size < 2) return PU_ERR_LIMIT;
    if (p->lead_q) {
        out[k++] = '*';
        i = p->lead_q;
        ex = 0;
    }
    for (; i < p->n; i++) {
        const trace_pat_elem *e = &p->e[i];
        if (k + 2 >= size) return PU_ERR_LIMIT;
        if (e->kind == TRACE_PAT_ONE) out[k++] = '?';
        else if (e->kind == TRACE_PAT_ANY) out[k++] = '*';
        else if (e->kind == TRACE_PAT_LIT) out[k++] = e->c;
        else if (glob_set(e->set, out, &k, size)) return PU_ERR_LIMIT;
    }
    out[k] = 0;
    if (exact) *exact = ex;
    return PU_OK;
}

int trace_serial_glob(const char *pattern, char *out, size_t size, int *exact, pu_err *err) {
    trace_pattern p;
    int rc = trace_pattern_compile(pattern, &p);
    if (!rc) rc = trace_pattern_glob(&p, out, size, exact);
    if (rc)
        return pu_fail(err, rc, NULL, "serial", "expected a normalised serial pattern (? * [..]), got '%.60s'",
                       pattern ? pattern : "");
    return PU_OK;
}

/* "9mm" = "9 MM", ".223 Rem" = ".223 REM" */
static int ieq_alnum(const char *a, const char *b) {
    for (;;) {
        while (*a && !isalnum((unsigned char)*a)) a++;
        while (*b && !isalnum((unsigned char)*b)) b++;
        if (!*a || !*b) return !*a && !*b;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b)) return 0;
        a++, b++;
    }
}

double trace_candidate_score(size_t literals, size_t len, const char *model, const char *calibre, const char *type,
                             const trace_hint *h) {
    double s = (double)literals / (double)(len > literals ? len : (literals ? literals : 1));
    if (h) {
        if (h->model && *h->model && model && ieq_alnum(h->model, model)) s += 0.5;
        if (h->calibre && *h->calibre && calibre && ieq_alnum(h->calibre, calibre)) s += 0.3;
        if (h->type && *h->type && type && pu_strieq(h->type, type)) s += 0.2;
    }
    return s;
}
