/*
 * test_count_records.c - per publisher, the records behind the counts
 * (common/pu_count.h, app.h count_records): run by e2e_records.sh over a
 * store it filled with every publisher's data, some of it hidden from FGR.
 *
 * For every module with count_records and every reader (the operator, FGR,
 * CBP, HSI, the version both countries may read), the rows count_records
 * emits are exactly the rows counts emits (the same multiset of name, cell,
 * value and suppression: so any figure over them equals its records'
 * total), each with its record (kind, id, marking, link), and none of them
 * a record the reader may not read. Each publisher must have records FGR
 * does not see (hidden rows neither count nor list).
 * Usage: test_count_records STORE. Prints TAP lines; exit 1 on a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "indicators/ind.h"

#define KEY_MAX 256

typedef struct keys {
    char **k;
    size_t n, cap;
    size_t bad_rec;      /* a records row without kind, id or marking */
    size_t unreadable;   /* a record the reader may not read */
    const store_scope *scope;
} keys;

static int failures;

static void check(int cond, const char *what, const char *module, const char *reader) {
    printf("%s - %s: %s (%s)\n", cond ? "ok" : "not ok", module, what, reader);
    if (!cond) failures++;
}

/* The marking rule for a reader without grants (store.h). */
static int readable(const store_scope *s, const char *marking, const char *agency) {
    if (s->system) return 1;
    if (!strcmp(marking, "PUBLIC") || !strcmp(marking, "SHARED")) return 1;
    if (s->country && !strcmp(marking, "US-ONLY")) return !strcmp(s->country, "US");
    if (s->country && !strcmp(marking, "MX-ONLY")) return !strcmp(s->country, "MX");
    return s->agency && !strcmp(marking, "AGENCY-ONLY") && !strcmp(agency, s->agency);
}

static int add(const pu_count_row *r, void *ctx, pu_err *err) {
    keys *k = ctx;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        char **g = realloc(k->k, cap * sizeof *g);
        if (!g) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        k->k = g;
        k->cap = cap;
    }
    char key[KEY_MAX];
    (void)pu_snprintf(key, sizeof key, "%s|%d|%d|%s|%s|%s|%.17g|%d", r->name, r->year, r->month, r->country, r->state,
                      r->agency, r->value, r->suppressed);
    if (!(k->k[k->n] = pu_strdup(key))) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    k->n++;
    if (r->rec && (!r->rec->kind || !*r->rec->kind || !r->rec->id || !*r->rec->id || !r->rec->marking ||
                   !*r->rec->marking || !r->rec->link))
        k->bad_rec++;
    if (r->rec && r->rec->marking && !readable(k->scope, r->rec->marking, r->agency)) k->unreadable++;
    return PU_OK;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void keys_free(keys *k) {
    for (size_t i = 0; i < k->n; i++) free(k->k[i]);
    free(k->k);
}

static int same(keys *a, keys *b) {
    if (a->n != b->n) return 0;
    if (a->n) {
        qsort(a->k, a->n, sizeof *a->k, cmp);
        qsort(b->k, b->n, sizeof *b->k, cmp);
    }
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->k[i], b->k[i])) return 0;
    return 1;
}

/* Check one publisher for one reader; *n: the records it listed. */
static void check_reader(db_t *db, const app_module *m, const char *label, const store_scope *s, size_t *n) {
    keys counts = {.scope = s}, recs = {.scope = s};
    pu_err err = {0};
    int rc = m->counts(db, s, add, &counts, &err);
    if (!rc) rc = m->count_records(db, s, add, &recs, &err);
    if (rc) printf("# %s\n", err.msg);
    check(rc == 0, "counts and records read", m->name, label);
    char what[128];
    (void)pu_snprintf(what, sizeof what, "the records are the counted rows (%zu rows, %zu records)", counts.n, recs.n);
    check(!rc && same(&counts, &recs), what, m->name, label);
    check(recs.bad_rec == 0, "every record has its kind, id, marking and link", m->name, label);
    check(recs.unreadable == 0, "no record the reader may not read", m->name, label);
    *n = recs.n;
    keys_free(&counts);
    keys_free(&recs);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_count_records STORE\n");
        return 2;
    }
    app_t *app;
    pu_err err = {0};
    app_opts o = {.db_path = argv[1]};
    if (app_open(&o, &app, &err)) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], err.msg);
        return 1;
    }
    const store_scope fgr = {0, "MX", "FGR"}, cbp = {0, "US", "CBP"}, hsi = {0, "US", "HSI"};
    const struct { const char *label; const store_scope *s; } readers[] = {
        {"operator", STORE_SYSTEM}, {"FGR", &fgr}, {"CBP", &cbp}, {"HSI", &hsi}, {"releasable", &ind_scope_releasable}};
    const app_module *const *m = app_modules();
    size_t publishers = 0;
    for (size_t i = 0; m[i]; i++) {
        if (!m[i]->count_records) continue;
        check(m[i]->counts != NULL, "a module with records publishes counts", m[i]->name, "-");
        if (!m[i]->counts) continue;
        publishers++;
        size_t n[sizeof readers / sizeof *readers];
        for (size_t r = 0; r < sizeof readers / sizeof *readers; r++)
            check_reader(app_db(app), m[i], readers[r].label, readers[r].s, &n[r]);
        char what[128];
        (void)pu_snprintf(what, sizeof what, "FGR is listed fewer records (%zu) than the operator (%zu)", n[1], n[0]);
        check(n[1] < n[0], what, m[i]->name, "hidden rows");
    }
    check(publishers >= 5, "trace, cargo, tips, ews and cases list their records", "registry", "-");
    app_close(app);
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
