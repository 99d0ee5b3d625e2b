/*
 * lists_source.c - the module's tables and the configured sources.
 */
#include <ctype.h>
#include <string.h>

#include "lists/lists_int.h"

static const char *const MIGRATIONS[] = {
    /* 1: sources, versions and their deltas (public list metadata: no owner
     * or marking, docs/lists.md "Who sees what") */
    "CREATE TABLE lists_source ("
    " name TEXT PRIMARY KEY, format TEXT NOT NULL, location TEXT NOT NULL,"
    " dataset TEXT NOT NULL, topics TEXT NOT NULL, mapping TEXT NOT NULL,"
    " shrink {REAL} NOT NULL, created {TS} NOT NULL);"
    "CREATE TABLE lists_version ("
    " id {ID}, source TEXT NOT NULL, dataset TEXT NOT NULL, published TEXT NOT NULL,"
    " fetched {TS} NOT NULL, sha256 TEXT NOT NULL, entities {INT} NOT NULL,"
    " added {INT} NOT NULL, removed {INT} NOT NULL, changed {INT} NOT NULL, forced {BOOL} NOT NULL,"
    " rejected {INT} NOT NULL);"
    "CREATE INDEX lists_version_source ON lists_version(source, id);"
    "CREATE TABLE lists_delta ("
    " version_id {INT} NOT NULL, entity_id TEXT NOT NULL, change TEXT NOT NULL,"
    " schema TEXT NOT NULL, caption TEXT NOT NULL, old_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " PRIMARY KEY (version_id, entity_id));",
};

int lists_migrate(db_t *db, pu_err *err) {
    return db_migrate(db, "lists", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
}

static const char *const FORMATS[] = {"ofac_csv", "ofac_xml", "un_xml", "eu_xml", "eu_csv",
                                      "uk_csv", "uk_xml", "generic_csv", "ftm", NULL};

const char *const *lists_formats(void) { return FORMATS; }

int lists_format_known(const char *f) {
    for (size_t i = 0; FORMATS[i]; i++)
        if (f && strcmp(f, FORMATS[i]) == 0) return 1;
    return 0;
}

/* Source and dataset names end up in entity ids and file names. */
static int name_ok(const char *s) {
    if (!s || !*s || strlen(s) > 63) return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

static int check_source(const lists_source *s, pu_err *err) {
    if (!name_ok(s->name))
        return pu_fail(err, PU_ERR_INVALID, NULL, "name", "expected %s, got '%s'",
                       "lower-case letters, digits and '_' (at most 63)", s->name);
    if (!lists_format_known(s->format))
        return pu_fail(err, PU_ERR_INVALID, NULL, "format", "expected %s, got '%s'",
                       "ofac_csv, ofac_xml, un_xml, eu_xml, eu_csv, uk_csv, uk_xml, generic_csv or ftm", s->format);
    if (pu_blank(s->location))
        return pu_fail(err, PU_ERR_INVALID, NULL, "location", "expected %s, got '%s'",
                       "a file path or an http(s):// or file:// URL", s->location);
    if (s->dataset[0] && !name_ok(s->dataset))
        return pu_fail(err, PU_ERR_INVALID, NULL, "dataset", "expected %s, got '%s'",
                       "lower-case letters, digits and '_' (at most 63)", s->dataset);
    if (s->shrink > 1.0)
        return pu_fail(err, PU_ERR_INVALID, NULL, "shrink", "expected %s, got '%s'", "a share from 0 to 1",
                       "> 1");
    if (strcmp(s->format, "generic_csv") == 0 && pu_blank(s->mapping))
        return pu_fail(err, PU_ERR_INVALID, NULL, "mapping", "expected %s, got '%s'",
                       "a mapping file for generic_csv", "");
    return PU_OK;
}

int lists_source_add(db_t *db, const lists_source *in, pu_err *err) {
    int rc = check_source(in, err);
    if (rc) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *s = NULL;
    rc = db_prepare(db,
                    "INSERT INTO lists_source (name, format, location, dataset, topics, mapping, shrink, created)"
                    " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET format = excluded.format,"
                    " location = excluded.location, dataset = excluded.dataset, topics = excluded.topics,"
                    " mapping = excluded.mapping, shrink = excluded.shrink",
                    &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, in->name, -1);
    db_bind_text(s, 2, in->format, -1);
    db_bind_text(s, 3, in->location, -1);
    db_bind_text(s, 4, in->dataset[0] ? in->dataset : in->name, -1);
    db_bind_text(s, 5, in->topics[0] ? in->topics : LISTS_TOPIC_SANCTION, -1);
    db_bind_text(s, 6, in->mapping, -1);
    db_bind_double(s, 7, in->shrink < 0 ? LISTS_SHRINK_DEFAULT : in->shrink);
    db_bind_text(s, 8, now, -1);
    rc = db_step_done(s, err);
    db_finalize(s);
    return rc;
}

#define SOURCE_COLS "name, format, location, dataset, topics, mapping, shrink, created"

static void source_row(db_stmt *s, lists_source *o) {
    memset(o, 0, sizeof *o);
    pu_strlcpy(o->name, db_col_text(s, 0), sizeof o->name);
    pu_strlcpy(o->format, db_col_text(s, 1), sizeof o->format);
    pu_strlcpy(o->location, db_col_text(s, 2), sizeof o->location);
    pu_strlcpy(o->dataset, db_col_text(s, 3), sizeof o->dataset);
    pu_strlcpy(o->topics, db_col_text(s, 4), sizeof o->topics);
    pu_strlcpy(o->mapping, db_col_text(s, 5), sizeof o->mapping);
    o->shrink = db_col_double(s, 6);
    pu_strlcpy(o->created, db_col_text(s, 7), sizeof o->created);
}

int lists_source_get(db_t *db, const char *name, lists_source *out, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db, "SELECT " SOURCE_COLS " FROM lists_source WHERE name = ?", &s, err);
    if (rc) return rc;
    db_bind_text(s, 1, name, -1);
    rc = db_step(s, err);
    if (rc == DB_ROW) {
        source_row(s, out);
        rc = PU_OK;
    } else if (rc == DB_DONE) {
        rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "source", "no list source '%s' (see 'puente lists sources list')",
                     name);
    }
    db_finalize(s);
    return rc;
}

int lists_source_list(db_t *db, lists_source_cb cb, void *ctx, pu_err *err) {
    db_stmt *s = NULL;
    int rc = db_prepare(db, "SELECT " SOURCE_COLS " FROM lists_source ORDER BY name", &s, err);
    if (rc) return rc;
    lists_source src;
    while ((rc = db_step(s, err)) == DB_ROW) {
        source_row(s, &src);
        if (cb(&src, ctx)) break;
    }
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? PU_OK : rc;
}
