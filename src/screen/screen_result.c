/*
 * screen_result.c - results: freeing, JSON serialisation (yente-like), the
 * subject key used by reviewed decisions.
 */
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void match_clear(screen_match *m) {
    free(m->entity_id);
    free(m->caption);
    free(m->schema);
    free(m->review_decision);
    free(m->review_analyst);
    free(m->review_note);
    free(m->review_created);
    strv_free(m->datasets, m->ndatasets);
    strv_free(m->programs, m->nprograms);
    screen_explain *x = &m->explain;
    free(x->query_name);
    free(x->query_norm);
    free(x->matched_name);
    free(x->matched_norm);
    free(x->matched_kind);
    for (size_t i = 0; i < x->nfeatures; i++) {
        free(x->features[i].name);
        free(x->features[i].detail);
    }
    free(x->features);
    memset(m, 0, sizeof *m);
}

void screen_match_free(screen_match *m) {
    if (!m) return;
    match_clear(m);
    free(m);
}

void screen_result_free(screen_result *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) match_clear(&r->matches[i]);
    free(r->matches);
    free(r->query_id);
    free(r->subject_key);
    free(r);
}

static json_t *strv_json(char **v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *screen_match_to_json(const screen_match *m) {
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "id", str_or_null(m->entity_id));
    json_object_set_new(o, "caption", str_or_null(m->caption));
    json_object_set_new(o, "schema", str_or_null(m->schema));
    json_object_set_new(o, "score", json_real(m->score));
    json_object_set_new(o, "match", json_boolean(m->match));
    json_object_set_new(o, "suppressed", json_boolean(m->suppressed));
    if (m->review_decision) {
        json_t *rv = json_object();
        json_object_set_new(rv, "decision", json_string(m->review_decision));
        json_object_set_new(rv, "analyst", str_or_null(m->review_analyst));
        json_object_set_new(rv, "note", str_or_null(m->review_note));
        json_object_set_new(rv, "created", str_or_null(m->review_created));
        json_object_set_new(o, "review", rv);
    }
    json_object_set_new(o, "datasets", strv_json(m->datasets, m->ndatasets));
    json_object_set_new(o, "programs", strv_json(m->programs, m->nprograms));
    const screen_explain *x = &m->explain;
    if (x->matched_name || x->nfeatures) {
        json_t *e = json_object();
        json_object_set_new(e, "query_name", str_or_null(x->query_name));
        json_object_set_new(e, "query_normalized", str_or_null(x->query_norm));
        json_object_set_new(e, "matched_name", str_or_null(x->matched_name));
        json_object_set_new(e, "matched_normalized", str_or_null(x->matched_norm));
        json_object_set_new(e, "matched_kind", str_or_null(x->matched_kind));
        json_t *fa = json_array();
        for (size_t i = 0; i < x->nfeatures; i++) {
            json_t *f = json_object();
            json_object_set_new(f, "feature", json_string(x->features[i].name));
            json_object_set_new(f, "value", json_real(x->features[i].value));
            json_object_set_new(f, "detail", str_or_null(x->features[i].detail));
            json_array_append_new(fa, f);
        }
        json_object_set_new(e, "features", fa);
        json_object_set_new(o, "explanation", e);
    }
    return o;
}

int screen_result_to_json(const screen_result *r, json_t **out) {
    *out = NULL;
    json_t *o = json_object(), *a = json_array();
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return PU_ERR_NOMEM;
    }
    if (r->query_id) json_object_set_new(o, "query_id", json_string(r->query_id));
    json_object_set_new(o, "subject", str_or_null(r->subject_key));
    for (size_t i = 0; i < r->n; i++) {
        json_t *m = screen_match_to_json(&r->matches[i]);
        if (!m) {
            json_decref(o);
            json_decref(a);
            return PU_ERR_NOMEM;
        }
        json_array_append_new(a, m);
    }
    json_object_set_new(o, "results", a);
    json_object_set_new(o, "total", json_integer((json_int_t)r->total));
    json_object_set_new(o, "suppressed", json_integer((json_int_t)r->suppressed));
    json_object_set_new(o, "candidates", json_integer((json_int_t)r->candidates));
    json_object_set_new(o, "exhaustive", json_boolean(r->exhaustive));
    json_object_set_new(o, "threshold", json_real(r->threshold));
    *out = o;
    return PU_OK;
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The subject's identifiers normalised (screen_normalize_id), sorted and
 * joined by ','; unusable ones are left out. */
static int ids_part(const screen_query *q, pu_buf *b) {
    char norm[SCREEN_QUERY_IDS_MAX][128];
    char *v[SCREEN_QUERY_IDS_MAX];
    size_t n = 0;
    for (size_t i = 0; q->id_numbers && i < q->nids && n < SCREEN_QUERY_IDS_MAX; i++)
        if (q->id_numbers[i] && screen_normalize_id(q->id_numbers[i], norm[n], sizeof norm[n]) == PU_OK) {
            v[n] = norm[n];
            n++;
        }
    qsort(v, n, sizeof v[0], str_cmp);
    int rc = PU_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (i && strcmp(v[i], v[i - 1]) == 0) continue;
        if (i) rc = pu_buf_putc(b, ',');
        if (!rc) rc = pu_buf_puts(b, v[i]);
    }
    return rc;
}

int screen_subject_key(const screen_query *q, char *buf, size_t size, pu_err *err) {
    if (!q || !q->names || !q->nnames || size == 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected at least one name");
    const char *name = NULL;
    for (size_t i = 0; i < q->nnames && !name; i++)
        if (!pu_blank(q->names[i])) name = q->names[i];
    char *f = NULL;
    int rc = sn_fold(name, &f, err, "name");
    if (rc) return rc;
    sn_name *n = malloc(sizeof *n);
    char *work = malloc(SN_BUF_MAX * 2);
    if (!n || !work) {
        free(n);
        free(work);
        free(f);
        return PU_ERR_NOMEM;
    }
    char *pieces[SN_MAX_PIECES];
    /* schema-less split on purpose: the same subject screened with or
     * without a schema keeps its key */
    sn_split_cls(f, SC_ANY, work, SN_BUF_MAX * 2, pieces, SN_MAX_PIECES);
    sn_tokenize(pieces[0], sn_class_of(q->schema), n);
    /* the tokens IN ORDER ("SURNAME, Given" is already reordered by the
     * tokenizer): "GUZMAN LOERA Joaquin" and "LOERA GUZMAN Joaquin" are
     * different people (paternal and maternal surnames swapped), so they
     * are different subjects; then the birth date and the identifiers */
    pu_buf b = PU_BUF_INIT(size - 1);
    for (int i = 0; i < n->ntok; i++) {
        if (i) pu_buf_putc(&b, ' ');
        pu_buf_append(&b, n->tok[i].s, n->tok[i].len);
    }
    int empty = b.len == 0;
    pu_buf_putc(&b, '|');
    if (q->birth_date && *q->birth_date) pu_buf_puts(&b, q->birth_date);
    pu_buf_putc(&b, '|');
    int irc = ids_part(q, &b);
    free(n);
    free(work);
    free(f);
    if (empty) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected a name with letters or digits");
    }
    if (irc || b.len >= size || !b.data) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_LIMIT, NULL, "name", "subject key too long");
    }
    memcpy(buf, b.data, b.len + 1);
    pu_buf_free(&b);
    return PU_OK;
}

void screen_query_owned_clear(screen_query_owned *qo) {
    if (!qo) return;
    for (size_t i = 0; i < qo->nstorage; i++) free(qo->storage[i]);
    memset(qo, 0, sizeof *qo);
}
