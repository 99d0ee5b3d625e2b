/*
 * screen_scope.c - the designated scope of screening (screen.h,
 * docs/lists.md "The designated scope"): which entities count as hits.
 *
 * Each entity's topics and datasets come from its store row when the index
 * is built (screen_index_build reads them through the scoped store query),
 * so the scope is a membership test per candidate, applied where the
 * reader's visibility is (screen_run's entity_visible): one shared index
 * serves every scope a request may name.
 */
#include <string.h>

#include "screen/screen_int.h"

static const char *const default_topics[] = {"sanction", NULL};
const screen_scope screen_scope_default = {default_topics, NULL, 0};

static int in_list(const char *const *l, char *const *v, size_t n) {
    for (size_t i = 0; l[i]; i++)
        for (size_t k = 0; k < n; k++)
            if (strcmp(l[i], v[k]) == 0) return 1;
    return 0;
}

static int topic_ok(const screen_scope *s, const ix_entity *x) {
    if (!s->topics) return 1;
    if (in_list(s->topics, x->topics, x->ntopics)) return 1;
    if (!x->sanctioned) return 0;
    for (size_t i = 0; s->topics[i]; i++) /* FtM: a Sanction designates it */
        if (strcmp(s->topics[i], "sanction") == 0) return 1;
    return 0;
}

int screen_in_scope(const screen_scope *s, const ix_entity *x) {
    if (!s || s->all) return 1;
    if (!topic_ok(s, x)) return 0;
    return !s->datasets || in_list(s->datasets, x->datasets, x->ndatasets);
}

int screen_scope_is_default(const screen_scope *s) {
    return s && !s->all && !s->datasets && s->topics && s->topics[0] && !s->topics[1] &&
           strcmp(s->topics[0], "sanction") == 0;
}

/* Split "a,b" into buf/list; *set = 0 when v is NULL or blank. */
static int split(const char *v, const char *field, char *buf, size_t size, const char **list, int *set, pu_err *err) {
    *set = 0;
    if (!v || pu_blank(v)) return PU_OK;
    if (pu_strlcpy(buf, v, size) >= size)
        return pu_fail(err, PU_ERR_LIMIT, NULL, field, "expected %s, got '%s'", "at most 1 KiB", "...");
    size_t n = 0;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        while (*p == ' ') p++;
        size_t len = strlen(p);
        while (len && p[len - 1] == ' ') p[--len] = 0;
        if (!*p) return pu_fail(err, PU_ERR_INVALID, NULL, field, "expected %s, got '%s'", "comma-separated names", v);
        if (n == SCREEN_SCOPE_MAX)
            return pu_fail(err, PU_ERR_LIMIT, NULL, field, "at most %d names", SCREEN_SCOPE_MAX);
        list[n++] = p;
        if (!comma) break;
        p = comma + 1;
    }
    list[n] = NULL;
    *set = 1;
    return PU_OK;
}

int screen_scope_parse(const char *topics, const char *datasets, screen_scope_owned *out, pu_err *err) {
    memset(out, 0, sizeof *out);
    int tset = 0, dset = 0;
    int rc = split(topics, "scope_topics", out->tbuf, sizeof out->tbuf, out->topics, &tset, err);
    if (!rc) rc = split(datasets, "scope_datasets", out->dbuf, sizeof out->dbuf, out->datasets, &dset, err);
    if (rc) return rc;
    if (tset && strcmp(out->topics[0], "all") == 0 && !out->topics[1]) {
        out->s.all = !dset;
        tset = 0;
    }
    if (!tset && !dset && !out->s.all) {
        out->s = screen_scope_default;
        return PU_OK;
    }
    out->s.topics = tset ? out->topics : NULL;
    out->s.datasets = dset ? out->datasets : NULL;
    return PU_OK;
}
