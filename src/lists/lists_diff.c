/*
 * lists_diff.c - the delta between two versions of one source, composed
 * from the deltas recorded with each version in between, and its formats.
 */
#include <jansson.h>
#include <string.h>

#include "common/pu_io.h"
#include "lists/lists_int.h"

/* Net effect of an entity's changes in the range, from its content hash
 * before the first ("" = absent) and after the last: absent..absent is no
 * change, absent..present added, present..absent removed, present..present
 * changed only when the content differs (changed back = no change). */
static const char *net(const char *before, const char *after) {
    if (!*before) return *after ? "added" : NULL;
    if (!*after) return "removed";
    return strcmp(before, after) != 0 ? "changed" : NULL;
}

static int check_range(db_t *db, int64_t *from, int64_t to, lists_version *vt, pu_err *err) {
    int rc = lists_version_get(db, to, vt, err);
    if (rc) return rc;
    if (*from == 0) return lists_version_prev(db, vt, from, err);
    lists_version vf;
    if ((rc = lists_version_get(db, *from, &vf, err))) return rc;
    if (strcmp(vf.source, vt->source) != 0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "version", "versions %lld and %lld are of different sources (%s, %s)",
                       (long long)*from, (long long)to, vf.source, vt->source);
    if (*from >= to)
        return pu_fail(err, PU_ERR_INVALID, NULL, "version", "expected %s, got '%s'", "an older version first",
                       "V1 >= V2");
    return PU_OK;
}

typedef struct pending {
    char id[FTM_ID_MAX], before[65], after[65], schema[64], caption[1024];
    int has;
} pending;

static int flush(const pending *p, lists_change_cb cb, void *ctx) {
    if (!p->has) return 0;
    const char *c = net(p->before, p->after);
    if (!c) return 0;
    lists_change ch = {p->id, c, p->schema, p->caption};
    return cb(&ch, ctx);
}

int lists_diff(db_t *db, int64_t from, int64_t to, lists_change_cb cb, void *ctx, pu_err *err) {
    lists_version vt;
    int rc = check_range(db, &from, to, &vt, err);
    if (rc) return rc;
    db_stmt *s = NULL;
    rc = db_prepare(db,
                    "SELECT d.entity_id, d.old_hash, d.hash, d.schema, d.caption FROM lists_delta d"
                    " JOIN lists_version v ON v.id = d.version_id"
                    " WHERE v.source = ? AND v.id > ? AND v.id <= ? ORDER BY d.entity_id, v.id",
                    &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, vt.source, -1);
    db_bind_int64(s, 2, from);
    db_bind_int64(s, 3, to);
    pending p = {0};
    int stop = 0;
    while (!stop && (rc = db_step(s, err)) == DB_ROW) {
        const char *id = db_col_text(s, 0);
        if (!p.has || strcmp(p.id, id) != 0) {
            stop = flush(&p, cb, ctx);
            pu_strlcpy(p.id, id, sizeof p.id);
            pu_strlcpy(p.before, db_col_text(s, 1), sizeof p.before);
            p.has = 1;
        }
        pu_strlcpy(p.after, db_col_text(s, 2), sizeof p.after);
        pu_strlcpy(p.schema, db_col_text(s, 3), sizeof p.schema);
        pu_strlcpy(p.caption, db_col_text(s, 4), sizeof p.caption);
    }
    db_finalize(s);
    if (rc == DB_ROW || rc == DB_DONE) rc = PU_OK;
    if (!rc && !stop) flush(&p, cb, ctx);
    return rc;
}

/* ---- formats ---- */

typedef struct wctx {
    FILE *out;
    json_t *arr;
    int text;
} wctx;

static int write_one(const lists_change *c, void *vctx) {
    wctx *w = vctx;
    if (w->arr) {
        json_array_append_new(w->arr, json_pack("{s:s, s:s, s:s, s:s}", "entity_id", c->entity_id, "change", c->change,
                                                "schema", c->schema, "caption", c->caption));
    } else if (w->text) {
        fprintf(w->out, "%-8s %-40s %-14s %s\n", c->change, c->entity_id, c->schema, c->caption);
    } else {
        pu_csv_write_field(w->out, c->entity_id);
        fputc(',', w->out);
        pu_csv_write_field(w->out, c->change);
        fputc(',', w->out);
        pu_csv_write_field(w->out, c->schema);
        fputc(',', w->out);
        pu_csv_write_field(w->out, c->caption);
        fputc('\n', w->out);
    }
    return 0;
}

int lists_write_diff(db_t *db, int64_t from, int64_t to, const char *format, FILE *out, pu_err *err) {
    wctx w = {out, NULL, 0};
    if (strcmp(format, "json") == 0) {
        if (!(w.arr = json_array())) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    } else if (strcmp(format, "text") == 0) {
        w.text = 1;
    } else if (strcmp(format, "csv") == 0) {
        fputs("entity_id,change,schema,caption\n", out);
    } else {
        return pu_fail(err, PU_ERR_INVALID, NULL, "format", "expected %s, got '%s'", "csv, json or text", format);
    }
    int rc = lists_diff(db, from, to, write_one, &w, err);
    if (!rc && w.arr) {
        json_dumpf(w.arr, out, JSON_INDENT(1));
        fputc('\n', out);
    }
    json_decref(w.arr);
    return rc;
}
