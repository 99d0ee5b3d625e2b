/*
 * ind_expr.c - the indicator formula language (ind.h "Formula language"):
 * a bounded recursive-descent parser into a node array, and its evaluation
 * over named count rows in one cell. Formulas are outside input (definition
 * files, the API): every error names the byte position and what was
 * expected; sizes, nodes and nesting are capped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_int.h"

#define IND_NAME_MAX 64
#define IND_VALUE_MAX 32
#define IND_ROWS_MAX ((size_t)4 << 20)   /* count rows gathered for one reader */

enum node_kind { N_NUM, N_REF, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV };
enum ref_fn { F_SUM, F_MEDIAN, F_COUNT };
enum filter_key { K_COUNTRY, K_STATE, K_AGENCY };

typedef struct ind_filter {
    int key, negate;
    size_t nvalues;
    char values[IND_FILTER_VALUES][IND_VALUE_MAX];
} ind_filter;

typedef struct node {
    int kind;
    int a, b;                 /* operands (node indexes) */
    double num;
    int fn;
    char name[IND_NAME_MAX];
    ind_filter filters[IND_MAX_FILTERS];
    size_t nfilters;
} node;

struct ind_expr {
    node nodes[IND_EXPR_MAX_NODES];
    int n, root;
};

typedef struct parser {
    const char *s;
    size_t len, pos;
    int depth;
    ind_expr *e;
    const char *where, *field;
    pu_err *err;
} parser;

static int fail(parser *p, const char *expected) {
    char got[16] = "end";
    if (p->pos < p->len) {
        size_t k = p->len - p->pos < 8 ? p->len - p->pos : 8;
        memcpy(got, p->s + p->pos, k);
        got[k] = '\0';
    }
    return pu_fail(p->err, PU_ERR_INVALID, p->where, p->field, "at %zu: expected %s, got '%s'", p->pos + 1, expected,
                   got);
}

static void skip_ws(parser *p) {
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')) p->pos++;
}

/* Does the input continue with lit (after spaces)? Consumes it if so. */
static int accept(parser *p, const char *lit) {
    skip_ws(p);
    size_t k = strlen(lit);
    if (p->len - p->pos >= k && !memcmp(p->s + p->pos, lit, k)) {
        p->pos += k;
        return 1;
    }
    return 0;
}

static int new_node(parser *p, int kind, int *idx) {
    if (p->e->n >= IND_EXPR_MAX_NODES)
        return pu_fail(p->err, PU_ERR_LIMIT, p->where, p->field, "formula has more than %d terms", IND_EXPR_MAX_NODES);
    *idx = p->e->n++;
    memset(&p->e->nodes[*idx], 0, sizeof(node));
    p->e->nodes[*idx].kind = kind;
    return PU_OK;
}

static int is_name_char(char c, int first) {
    return (c >= 'a' && c <= 'z') || c == '_' || (!first && ((c >= '0' && c <= '9') || c == '.'));
}

static int word(parser *p, char *out, size_t size, int value) {
    skip_ws(p);
    size_t start = p->pos;
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        int ok = value ? ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_')
                       : is_name_char(c, p->pos == start);
        if (!ok) break;
        p->pos++;
    }
    size_t k = p->pos - start;
    if (k == 0 || k >= size) {
        p->pos = start;
        return fail(p, value ? "a value (letters, digits, '-', '_')" : "a count name");
    }
    memcpy(out, p->s + start, k);
    out[k] = '\0';
    return PU_OK;
}

static int parse_filter(parser *p, ind_filter *f) {
    char key[16];
    if (word(p, key, sizeof key, 0)) return PU_ERR_INVALID;
    if (!strcmp(key, "country")) f->key = K_COUNTRY;
    else if (!strcmp(key, "state")) f->key = K_STATE;
    else if (!strcmp(key, "agency")) f->key = K_AGENCY;
    else {
        p->pos -= strlen(key);
        return fail(p, "country, state or agency");
    }
    if (accept(p, "!=")) f->negate = 1;
    else if (!accept(p, "=")) return fail(p, "'=' or '!='");
    do {
        if (f->nvalues >= IND_FILTER_VALUES) return fail(p, "fewer values");
        if (word(p, f->values[f->nvalues++], IND_VALUE_MAX, 1)) return PU_ERR_INVALID;
    } while (accept(p, "|"));
    return PU_OK;
}

static int parse_ref(parser *p, int fn, int *idx) {
    int rc = new_node(p, N_REF, idx);
    if (rc) return rc;
    node *n = &p->e->nodes[*idx];
    n->fn = fn;
    if ((rc = word(p, n->name, sizeof n->name, 0))) return rc;
    if (!strchr(n->name, '.')) {
        p->pos -= strlen(n->name);
        return fail(p, "a count name <module>.<what>");
    }
    if (!accept(p, "[")) return PU_OK;
    do {
        if (n->nfilters >= IND_MAX_FILTERS) return fail(p, "at most 4 filters");
        if ((rc = parse_filter(p, &n->filters[n->nfilters++]))) return rc;
    } while (accept(p, ","));
    return accept(p, "]") ? PU_OK : fail(p, "']' or ','");
}

static int parse_expr(parser *p, int *idx);

static int parse_number(parser *p, int *idx) {
    char buf[40];
    size_t k = 0;
    while (p->pos < p->len && k + 1 < sizeof buf &&
           ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') || p->s[p->pos] == '.'))
        buf[k++] = p->s[p->pos++];
    buf[k] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (k == 0 || *end || !isfinite(v)) return fail(p, "a number");
    int rc = new_node(p, N_NUM, idx);
    if (!rc) p->e->nodes[*idx].num = v;
    return rc;
}

static int parse_primary(parser *p, int *idx) {
    skip_ws(p);
    if (p->pos >= p->len) return fail(p, "a number, a count name or '('");
    char c = p->s[p->pos];
    if (c == '(') {
        if (++p->depth > IND_EXPR_MAX_DEPTH)
            return pu_fail(p->err, PU_ERR_LIMIT, p->where, p->field, "formula nested deeper than %d", IND_EXPR_MAX_DEPTH);
        p->pos++;
        int rc = parse_expr(p, idx);
        p->depth--;
        if (rc) return rc;
        return accept(p, ")") ? PU_OK : fail(p, "')'");
    }
    if ((c >= '0' && c <= '9') || c == '.') return parse_number(p, idx);
    static const struct { const char *word; int fn; } FNS[] = {{"sum(", F_SUM}, {"median(", F_MEDIAN}, {"count(", F_COUNT}};
    for (size_t i = 0; i < sizeof FNS / sizeof FNS[0]; i++)
        if (accept(p, FNS[i].word)) {
            int rc = parse_ref(p, FNS[i].fn, idx);
            if (rc) return rc;
            return accept(p, ")") ? PU_OK : fail(p, "')'");
        }
    return parse_ref(p, F_SUM, idx);
}

static int parse_unary(parser *p, int *idx) {
    if (accept(p, "-") || accept(p, "\xE2\x88\x92")) {
        if (++p->depth > IND_EXPR_MAX_DEPTH)
            return pu_fail(p->err, PU_ERR_LIMIT, p->where, p->field, "formula nested deeper than %d", IND_EXPR_MAX_DEPTH);
        int a, rc = parse_unary(p, &a);
        p->depth--;
        if (!rc) rc = new_node(p, N_NEG, idx);
        if (!rc) p->e->nodes[*idx].a = a;
        return rc;
    }
    return parse_primary(p, idx);
}

static int binary(parser *p, int kind, int a, int b, int *idx) {
    int rc = new_node(p, kind, idx);
    if (!rc) {
        p->e->nodes[*idx].a = a;
        p->e->nodes[*idx].b = b;
    }
    return rc;
}

static int parse_term(parser *p, int *idx) {
    int rc = parse_unary(p, idx);
    while (!rc) {
        int kind;
        if (accept(p, "*") || accept(p, "\xC3\x97")) kind = N_MUL;        /* × */
        else if (accept(p, "/") || accept(p, "\xC3\xB7")) kind = N_DIV;   /* ÷ */
        else break;
        int b;
        if (!(rc = parse_unary(p, &b))) rc = binary(p, kind, *idx, b, idx);
    }
    return rc;
}

static int parse_expr(parser *p, int *idx) {
    int rc = parse_term(p, idx);
    while (!rc) {
        int kind;
        if (accept(p, "+")) kind = N_ADD;
        else if (accept(p, "-") || accept(p, "\xE2\x88\x92")) kind = N_SUB; /* − */
        else break;
        int b;
        if (!(rc = parse_term(p, &b))) rc = binary(p, kind, *idx, b, idx);
    }
    return rc;
}

int ind_expr_parse(const char *text, size_t len, const char *where, const char *field, ind_expr **out, pu_err *err) {
    *out = NULL;
    if (len > IND_FORMULA_MAX)
        return pu_fail(err, PU_ERR_LIMIT, where, field, "formula longer than %d bytes", IND_FORMULA_MAX);
    ind_expr *e = calloc(1, sizeof *e);
    if (!e) return pu_fail(err, PU_ERR_NOMEM, where, field, "out of memory");
    parser p = {.s = text, .len = len, .e = e, .where = where, .field = field, .err = err};
    int rc = parse_expr(&p, &e->root);
    skip_ws(&p);
    if (!rc && p.pos < p.len) rc = fail(&p, "an operator or the end");
    if (rc) {
        free(e);
        return rc;
    }
    *out = e;
    return PU_OK;
}

void ind_expr_free(ind_expr *e) { free(e); }

int ind_expr_names(const ind_expr *e, int (*fn)(const char *name, void *ctx), void *ctx) {
    for (int i = 0; i < e->n; i++) {
        if (e->nodes[i].kind != N_REF) continue;
        int dup = 0;
        for (int j = 0; j < i && !dup; j++)
            dup = e->nodes[j].kind == N_REF && !strcmp(e->nodes[j].name, e->nodes[i].name);
        int rc = dup ? 0 : fn(e->nodes[i].name, ctx);
        if (rc) return rc;
    }
    return PU_OK;
}

/* ---- rows ---- */
int ind_rows_add(ind_rows *s, const pu_count_row *row) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        if (cap > IND_ROWS_MAX) return PU_ERR_LIMIT;
        pu_count_row *r = realloc(s->rows, cap * sizeof *r);
        if (!r) return PU_ERR_NOMEM;
        s->rows = r;
        s->cap = cap;
    }
    pu_count_row *r = &s->rows[s->n];
    *r = *row;
    r->rec = NULL; /* borrowed for the callback only: never kept */
    r->name = pu_strdup(row->name ? row->name : "");
    r->country = pu_strdup(row->country ? row->country : "");
    r->state = pu_strdup(row->state ? row->state : "");
    r->agency = pu_strdup(row->agency ? row->agency : "");
    if (!r->name || !r->country || !r->state || !r->agency) {
        free((char *)r->name); free((char *)r->country); free((char *)r->state); free((char *)r->agency);
        return PU_ERR_NOMEM;
    }
    s->n++;
    return PU_OK;
}

void ind_rows_free(ind_rows *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->rows[i].name); free((char *)s->rows[i].country);
        free((char *)s->rows[i].state); free((char *)s->rows[i].agency);
    }
    free(s->rows);
    memset(s, 0, sizeof *s);
}

/* ---- evaluation ---- */
static int filter_pass(const ind_filter *f, const pu_count_row *r) {
    const char *v = f->key == K_COUNTRY ? r->country : f->key == K_STATE ? r->state : r->agency;
    int hit = 0;
    for (size_t i = 0; i < f->nvalues && !hit; i++) hit = !strcmp(v, f->values[i]);
    return f->negate ? !hit : hit;
}

/* Does row r count for ref n in cell c? */
static int row_matches(const node *n, const pu_count_row *r, const ind_cell *c) {
    if (strcmp(r->name, n->name) || r->year != c->year) return 0;
    if (c->month_from && (r->month < c->month_from || r->month > c->month_to)) return 0;
    if (c->country && strcmp(r->country, c->country)) return 0;
    if (c->state && strcmp(r->state, c->state)) return 0;
    if (c->agency && strcmp(r->agency, c->agency)) return 0;
    for (size_t i = 0; i < n->nfilters; i++)
        if (!filter_pass(&n->filters[i], r)) return 0;
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct eval_ctx {
    const ind_expr *e;
    const ind_rows *rows;
    const ind_cell *cell;
    size_t nrows;
    int suppressed;
    pu_err *err;
} eval_ctx;

static int eval_ref(eval_ctx *x, const node *n, double *out) {
    double sum = 0, *vals = NULL;
    size_t k = 0;
    if (n->fn == F_MEDIAN && x->rows->n && !(vals = malloc(x->rows->n * sizeof *vals)))
        return pu_fail(x->err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < x->rows->n; i++) {
        const pu_count_row *r = &x->rows->rows[i];
        if (!row_matches(n, r, x->cell)) continue;
        x->nrows++;
        x->suppressed |= r->suppressed;
        sum += r->value;
        if (vals) vals[k] = r->value;
        k++;
    }
    if (n->fn == F_COUNT) *out = (double)k;
    else if (n->fn == F_SUM) *out = sum;
    else if (k == 0) *out = 0;
    else {
        qsort(vals, k, sizeof *vals, cmp_double);
        *out = k % 2 ? vals[k / 2] : (vals[k / 2 - 1] + vals[k / 2]) / 2;
    }
    free(vals);
    return PU_OK;
}

static int eval_node(eval_ctx *x, int i, double *out) {
    const node *n = &x->e->nodes[i];
    double a = 0, b = 0;
    int rc = PU_OK;
    switch (n->kind) {
    case N_NUM: *out = n->num; return PU_OK;
    case N_REF: return eval_ref(x, n, out);
    case N_NEG:
        rc = eval_node(x, n->a, &a);
        *out = -a;
        return rc;
    default: break;
    }
    if ((rc = eval_node(x, n->a, &a)) || (rc = eval_node(x, n->b, &b))) return rc;
    switch (n->kind) {
    case N_ADD: *out = a + b; break;
    case N_SUB: *out = a - b; break;
    case N_MUL: *out = a * b; break;
    default:
        if (b == 0) return pu_fail(x->err, PU_ERR_INVALID, NULL, NULL, "division by zero");
        *out = a / b;
    }
    return PU_OK;
}

int ind_expr_eval(const ind_expr *e, const ind_rows *rows, const ind_cell *cell, double *value, size_t *nrows,
                  int *suppressed, pu_err *err) {
    eval_ctx x = {.e = e, .rows = rows, .cell = cell, .err = err};
    *value = 0;
    int rc = eval_node(&x, e->root, value);
    *nrows = x.nrows;
    *suppressed = x.suppressed;
    return rc;
}

int ind_expr_row_feeds(const ind_expr *e, const pu_count_row *r, const ind_cell *c) {
    for (int i = 0; i < e->n; i++)
        if (e->nodes[i].kind == N_REF && row_matches(&e->nodes[i], r, c)) return i;
    return -1;
}

/* Does row r belong to the module of a reference of e ("trace" of
 * "trace.ttc_days") and to the period of cell c (any place, any filter)? */
static int same_module_period(const ind_expr *e, const pu_count_row *r, const ind_cell *c) {
    if (r->year != c->year || (c->month_from && (r->month < c->month_from || r->month > c->month_to))) return 0;
    const char *dot = strchr(r->name, '.');
    size_t k = dot ? (size_t)(dot - r->name) : strlen(r->name);
    for (int i = 0; i < e->n; i++)
        if (e->nodes[i].kind == N_REF && !strncmp(e->nodes[i].name, r->name, k) && e->nodes[i].name[k] == '.') return 1;
    return 0;
}

size_t ind_expr_coverage(const ind_expr *e, const ind_rows *rows, const ind_cell *c) {
    size_t n = 0;
    for (size_t i = 0; i < rows->n; i++) n += same_module_period(e, &rows->rows[i], c);
    return n;
}
