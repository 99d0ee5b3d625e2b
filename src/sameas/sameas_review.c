/* sameas_review.c - analysts' judgements between a store entity and another
 * record as screening's reviewed decisions (sameas.h "Judgements feed
 * screening"; docs/sameas.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "sameas/sameas.h"
#include "screen/screen.h"

#define SUBJECT_MAX 1024
#define NOTE_MAX 1024

/* The decisions a judgement writes: one per (entity side, subject key). */
typedef struct derived {
    char subject[2][SUBJECT_MAX];   /* the other record's name; and with its date of birth */
    int nsubject;
    char entity_id[RESOLVE_REF_MAX + 32];
    char marking[16];
} derived;

static int is_entity(const resolve_member *m) { return !strcmp(m->source, "entity"); }

/* The subject keys of record o as screening computes them for a query of
 * its name alone, and of its name with its date of birth. */
static int subjects(const resolve_member *o, derived *d, pu_err *err) {
    const char *names[1] = {o->name};
    screen_query q = {.names = names, .nnames = 1};
    d->nsubject = 0;
    int rc = screen_subject_key(&q, d->subject[0], sizeof d->subject[0], err);
    if (rc) return rc;
    d->nsubject = 1;
    if (!o->dob[0]) return PU_OK;
    q.birth_date = o->dob;
    if ((rc = screen_subject_key(&q, d->subject[1], sizeof d->subject[1], err))) return rc;
    d->nsubject = 2;
    return PU_OK;
}

/* The decisions the pair (a, b) as scope sees it gives: *n of at most 2
 * (both records entities: each against the other). Tip mentions give none
 * (a tip's name must not reach screening's readers). */
static int derive(db_t *db, const store_scope *scope, const char *a, const char *b, derived *out, size_t *n,
                  pu_err *err) {
    *n = 0;
    resolve_view *v = NULL;
    int rc = resolve_clusters_ex(db, scope, 0, &v, err);
    if (rc) return rc;
    const resolve_member *ma = resolve_view_find(v, a), *mb = resolve_view_find(v, b);
    const resolve_member *side[2][2] = {{ma, mb}, {mb, ma}};
    for (int k = 0; k < 2 && ma && mb && !rc; k++) {
        const resolve_member *e = side[k][0], *o = side[k][1];
        if (!is_entity(e) || !strcmp(o->source, "tip.mention")) continue;
        derived *d = &out[*n];
        memset(d, 0, sizeof *d);
        pu_strlcpy(d->entity_id, e->key + strlen("entity:"), sizeof d->entity_id);
        store_marking me, mo;
        char owner[32];
        if ((rc = store_marking_parse(e->marking, NULL, &me, err)) || (rc = store_marking_parse(o->marking, NULL, &mo, err)))
            break;
        pu_strlcpy(d->marking, store_marking_name(store_marking_stricter(me, e->owner, mo, o->owner, owner, sizeof owner)),
                   sizeof d->marking);
        rc = subjects(o, d, err);
        if (rc == PU_ERR_INVALID) rc = PU_OK;   /* a name screening cannot key: nothing to decide */
        else if (!rc) (*n)++;
    }
    resolve_view_free(v);
    return rc;
}

/* 1 when the scope's own decision on (subject, entity) came from a judgement. */
typedef struct find_ctx {
    const store_scope *scope;
    const char *subject, *entity_id;
    int found;
} find_ctx;

static int find_row(const screen_review_row *r, void *ctx) {
    find_ctx *c = ctx;
    const char *own = c->scope->system ? NULL : c->scope->agency;
    int same_owner = own ? r->owner && !strcmp(r->owner, own) : !r->owner;
    if (same_owner && !strcmp(r->subject, c->subject) && !strcmp(r->entity_id, c->entity_id) &&
        !strncmp(r->note, SAMEAS_REVIEW_NOTE_PREFIX, strlen(SAMEAS_REVIEW_NOTE_PREFIX)))
        c->found = 1;
    return 0;
}

/* Remove the scope's decisions that judgements wrote for d (others stay). */
static int remove_derived(store_t *st, const store_scope *scope, const derived *d, pu_err *err) {
    for (int i = 0; i < d->nsubject; i++) {
        find_ctx c = {scope, d->subject[i], d->entity_id, 0};
        int rc = screen_reviews_list(st, scope, find_row, &c, err);
        if (!rc && c.found) rc = screen_review_remove(st, scope, d->subject[i], d->entity_id, err);
        if (rc) return rc;
    }
    return PU_OK;
}

static int write_derived(store_t *st, const store_scope *scope, const derived *d, resolve_verdict v, const char *a,
                         const char *b, const char *analyst, const char *note, pu_err *err) {
    char why[NOTE_MAX];
    (void)pu_snprintf(why, sizeof why, "%s %s of %s and %s%s%s", SAMEAS_REVIEW_NOTE_PREFIX,
                      v == RESOLVE_SAME ? "same person" : "not the same person", a, b, note && *note ? ": " : "",
                      note && *note ? note : "");
    for (int i = 0; i < d->nsubject; i++) {
        screen_review_in in = {.subject = d->subject[i], .entity_id = d->entity_id,
                               .decision = v == RESOLVE_SAME ? "confirmed" : "false_positive",
                               .analyst = analyst && *analyst ? analyst : "-", .note = why, .marking = d->marking};
        int rc = screen_review_add(st, scope, &in, err);
        if (rc) return rc;
    }
    return PU_OK;
}

int sameas_judge(store_t *st, const store_scope *scope, const char *a, const char *b, resolve_verdict v,
                 const char *analyst, const char *note, size_t *written, pu_err *err) {
    if (written) *written = 0;
    db_t *db = store_db(st);
    int rc = resolve_judge(db, scope, a, b, v, analyst, note, err);
    derived d[2];
    size_t n = 0;
    if (!rc) rc = derive(db, scope, a, b, d, &n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        if (v == RESOLVE_UNSURE) rc = remove_derived(st, scope, &d[i], err);
        else rc = write_derived(st, scope, &d[i], v, a, b, analyst, note, err);
        if (!rc && written && v != RESOLVE_UNSURE) *written += (size_t)d[i].nsubject;
    }
    return rc;
}

int sameas_unjudge(store_t *st, const store_scope *scope, const char *a, const char *b, const char *analyst,
                   pu_err *err) {
    db_t *db = store_db(st);
    int rc = resolve_unjudge(db, scope, a, b, analyst, err);
    derived d[2];
    size_t n = 0;
    if (!rc) rc = derive(db, scope, a, b, d, &n, err);
    for (size_t i = 0; i < n && !rc; i++) rc = remove_derived(st, scope, &d[i], err);
    return rc;
}
