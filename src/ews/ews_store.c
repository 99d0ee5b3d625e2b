/*
 * ews_store.c - the persistent EWS: schema, open/close, vocabulary wrappers,
 * places and substances, and the helpers the other ews_*.c files share.
 * Everything goes through db/db.h in transactions; reads for a reader are
 * filtered in SQL with store_scope_sql().
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const MIGRATIONS[] = {
    "CREATE TABLE ews_substance (id TEXT PRIMARY KEY, name_en TEXT NOT NULL, name_es TEXT NOT NULL,"
    "  class TEXT NOT NULL, cas TEXT, inchikey TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE TABLE ews_synonym (norm TEXT PRIMARY KEY, substance TEXT NOT NULL REFERENCES ews_substance(id),"
    "  name TEXT NOT NULL, lang TEXT, owner TEXT NOT NULL, marking TEXT NOT NULL);"
    "CREATE TABLE ews_place (code TEXT PRIMARY KEY, country TEXT NOT NULL, name_en TEXT NOT NULL,"
    "  name_es TEXT NOT NULL, agencies TEXT NOT NULL);"
    "CREATE TABLE ews_report (id TEXT PRIMARY KEY, date TEXT NOT NULL, day {INT} NOT NULL, week {INT} NOT NULL,"
    "  place TEXT NOT NULL, state TEXT NOT NULL, country TEXT NOT NULL, source_agency TEXT NOT NULL,"
    "  type TEXT NOT NULL, matrix TEXT, quantity_g {REAL}, purity_pct {REAL}, substances TEXT NOT NULL,"
    "  owner TEXT NOT NULL, marking TEXT NOT NULL, batch {INT} NOT NULL, imported TEXT NOT NULL);"
    "CREATE INDEX ews_report_week ON ews_report(state, week);"
    "CREATE TABLE ews_queue (id {ID}, norm TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  count {INT} NOT NULL, first_report TEXT NOT NULL, status TEXT NOT NULL, substance TEXT,"
    "  owner TEXT NOT NULL, marking TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE TABLE ews_detection (report TEXT NOT NULL REFERENCES ews_report(id), norm TEXT NOT NULL,"
    "  name TEXT NOT NULL, substance TEXT, queue {INT}, PRIMARY KEY (report, norm));"
    "CREATE INDEX ews_detection_substance ON ews_detection(substance);"
    "CREATE TABLE ews_first (substance TEXT NOT NULL, scope TEXT NOT NULL, report TEXT NOT NULL,"
    "  day {INT} NOT NULL, PRIMARY KEY (substance, scope));"
    "CREATE TABLE ews_alert (id {ID}, kind TEXT NOT NULL, severity TEXT NOT NULL,"
    "  substance TEXT NOT NULL, place TEXT NOT NULL, week TEXT NOT NULL, method TEXT NOT NULL,"
    "  observed {REAL}, expected {REAL}, upper {REAL}, evidence TEXT NOT NULL, text_en TEXT NOT NULL,"
    "  text_es TEXT NOT NULL, addressed TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,"
    "  marking TEXT NOT NULL, created TEXT NOT NULL, acked_by TEXT, acked_at TEXT, closed_by TEXT,"
    "  closed_at TEXT, note TEXT, dedup TEXT NOT NULL UNIQUE);",
    /* 2: first-detection marks per audience (ews_first.c); ews_migrate backfills them */
    "CREATE TABLE ews_first_seen (substance TEXT NOT NULL, scope TEXT NOT NULL, owner TEXT NOT NULL,"
    "  marking TEXT NOT NULL, report TEXT NOT NULL, day {INT} NOT NULL,"
    "  PRIMARY KEY (substance, scope, owner, marking));"
    "DROP TABLE ews_first;",
    /* 3: one curator-queue item per (name, audience) instead of per name */
    "CREATE TABLE ews_queue_new (id {ID}, norm TEXT NOT NULL, name TEXT NOT NULL,"
    "  count {INT} NOT NULL, first_report TEXT NOT NULL, status TEXT NOT NULL, substance TEXT,"
    "  owner TEXT NOT NULL, marking TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (norm, owner, marking));"
    "INSERT INTO ews_queue_new (id, norm, name, count, first_report, status, substance, owner, marking, created)"
    "  SELECT id, norm, name, count, first_report, status, substance, owner, marking, created FROM ews_queue;"
    "DROP TABLE ews_queue;"
    "ALTER TABLE ews_queue_new RENAME TO ews_queue;",
};

/* The bundled vocabulary and places, compiled in from data/ews by
 * src/ews/embed.py (ews_data.c), so an installed binary needs no source tree. */
extern const char ews_data_substances_csv[];
extern const size_t ews_data_substances_csv_len;
extern const char ews_data_places_csv[];
extern const size_t ews_data_places_csv_len;

static int table_empty(db_t *db, const char *table, int *empty, pu_err *err) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    int64_t n = 0;
    int rc = db_query_int64(db, sql, NULL, &n, err);
    *empty = n == 0;
    return rc;
}

/* Seed the vocabulary and places from the bundled data when a table is
 * empty (a new store), in one transaction. */
static int seed_bundled(db_t *db, pu_err *err) {
    int es, ep, rc;
    if ((rc = table_empty(db, "ews_substance", &es, err)) || (rc = table_empty(db, "ews_place", &ep, err))) return rc;
    if (!es && !ep) return PU_OK;
    if ((rc = db_begin(db, err))) return rc;
    if (es)
        rc = ews_vocab_load_mem(db, "substances.csv (bundled)", ews_data_substances_csv, ews_data_substances_csv_len,
                                NULL, err);
    if (!rc && ep) rc = ews_places_load_mem(db, "places.csv (bundled)", ews_data_places_csv, ews_data_places_csv_len, err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

int ews_migrate(db_t *db, pu_err *err) {
    int rc = db_migrate(db, "ews", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
    if (!rc) rc = seed_bundled(db, err);
    if (rc) return rc;
    ews_t e = {db};
    return ews_first_backfill(&e, err);
}

int ews_open(db_t *db, ews_t **out, pu_err *err) {
    *out = NULL;
    ews_t *e = calloc(1, sizeof *e);
    if (!e) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    e->db = db;
    *out = e;
    return PU_OK;
}

void ews_close(ews_t *e) { free(e); }

/* ---- vocabulary ---------------------------------------------------------- */

int ews_vocab_load(ews_t *e, const char *path, int64_t *loaded, pu_err *err) {
    int rc = db_begin(e->db, err);
    if (rc) return rc;
    rc = ews_vocab_load_db(e->db, path, loaded, err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_resolve_norm(db_t *db, const store_scope *scope, const char *norm, char **id, pu_err *err) {
    *id = NULL;
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT y.substance FROM ews_synonym y JOIN ews_substance s ON s.id = y.substance "
                     "WHERE y.norm = ? AND ");
    db_sql_text(&sql, norm);
    store_scope_sql(&sql, scope, "y");
    db_sql_add(&sql, " AND ");
    store_scope_sql(&sql, scope, "s");
    db_stmt *st;
    int rc = db_sql_prepare(db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    if (s == DB_ROW) {
        *id = pu_strdup(db_col_text(st, 0));
        rc = *id ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    } else {
        rc = s == DB_DONE ? PU_ERR_NOTFOUND : s;
    }
    db_finalize(st);
    return rc;
}

int ews_vocab_resolve(ews_t *e, const store_scope *scope, const char *name, char **id, pu_err *err) {
    char *norm;
    *id = NULL;
    int rc = ews_normalize_name(name, &norm, err);
    if (rc) return rc;
    rc = ews_resolve_norm(e->db, scope, norm, id, err);
    free(norm);
    if (rc == PU_ERR_NOTFOUND) rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "substance", "unknown substance name '%s'", name);
    return rc;
}

int ews_vocab_list(ews_t *e, const store_scope *scope, ews_substance_cb cb, void *ctx, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    /* the synonym count counts only the synonyms the reader may see */
    db_sql_add(&sql, "SELECT s.id, s.class, s.name_en, s.name_es, COALESCE(s.cas, ''), COALESCE(s.inchikey, ''), "
                     "(SELECT COUNT(*) FROM ews_synonym y WHERE y.substance = s.id AND ");
    store_scope_sql(&sql, scope, "y");
    db_sql_add(&sql, "), s.owner, s.marking FROM ews_substance s WHERE ");
    store_scope_sql(&sql, scope, "s");
    db_sql_add(&sql, " ORDER BY s.class, s.id");
    db_stmt *st;
    int rc = db_sql_prepare(e->db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        ews_substance v;
        memset(&v, 0, sizeof v);
        pu_strlcpy(v.id, db_col_text(st, 0), sizeof v.id);
        pu_strlcpy(v.cls, db_col_text(st, 1), sizeof v.cls);
        pu_strlcpy(v.name_en, db_col_text(st, 2), sizeof v.name_en);
        pu_strlcpy(v.name_es, db_col_text(st, 3), sizeof v.name_es);
        pu_strlcpy(v.cas, db_col_text(st, 4), sizeof v.cas);
        pu_strlcpy(v.inchikey, db_col_text(st, 5), sizeof v.inchikey);
        v.synonyms = db_col_int64(st, 6);
        pu_strlcpy(v.owner, db_col_text(st, 7), sizeof v.owner);
        pu_strlcpy(v.marking, db_col_text(st, 8), sizeof v.marking);
        if (cb(&v, ctx)) break;
    }
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

int ews_substance_exists(db_t *db, const store_scope *scope, const char *id, pu_err *err) {
    db_sql sql;
    db_sql_init(&sql);
    db_sql_add(&sql, "SELECT COUNT(*) FROM ews_substance s WHERE s.id = ? AND ");
    db_sql_text(&sql, id);
    store_scope_sql(&sql, scope, "s");
    db_stmt *st;
    int rc = db_sql_prepare(db, &sql, &st, err);
    db_sql_free(&sql);
    if (rc) return rc;
    int s = db_step(st, err);
    int64_t n = s == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (s != DB_ROW) return s;
    return n ? PU_OK : pu_fail(err, PU_ERR_NOTFOUND, NULL, "substance", "no substance with id '%s'", id);
}

int ews_vocab_add_synonym(ews_t *e, const char *id, const char *name, const char *lang, const char *owner,
                          const char *marking, pu_err *err) {
    int rc = ews_substance_exists(e->db, STORE_SYSTEM, id, err);
    if (rc) return rc;
    if ((rc = db_begin(e->db, err))) return rc;
    rc = ews_synonym_add_db(e->db, id, name, lang, owner ? owner : "EWS", marking ? marking : STORE_LIST_MARKING,
                            err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_vocab_add_synonym_as(ews_t *e, const store_scope *scope, const char *id, const char *name, const char *lang,
                             const char *marking, pu_err *err) {
    if (!scope || scope->system) return ews_vocab_add_synonym(e, id, name, lang, NULL, marking, err);
    store_marking m;
    int rc = store_marking_parse(marking ? marking : STORE_LIST_MARKING, "marking", &m, err);
    if (!rc) rc = store_check_file(scope, m, err);
    if (!rc) rc = ews_substance_exists(e->db, scope, id, err);
    return rc ? rc : ews_vocab_add_synonym(e, id, name, lang, scope->agency, store_marking_name(m), err);
}

/* ---- places ----------------------------------------------------------- */


/* "US", "MX-SIN", or "MX-SIN/Culiacán" (a municipality under a known state). */
int ews_place_lookup(db_t *db, const char *code, place *p, pu_err *err) {
    char key[64];
    memset(p, 0, sizeof *p);
    if (pu_strlcpy(p->code, code, sizeof p->code) >= sizeof p->code)
        return pu_fail(err, PU_ERR_INVALID, NULL, "place", "place code longer than %zu bytes", sizeof p->code - 1);
    pu_strlcpy(key, code, sizeof key);
    char *slash = strchr(key, '/');
    if (slash) {
        *slash = 0;
        if (pu_blank(slash + 1) || !strchr(key, '-'))
            return pu_fail(err, PU_ERR_INVALID, NULL, "place",
                           "expected STATE/municipality with a state code like MX-SIN/Culiacan, got '%s'", code);
    }
    db_stmt *st;
    int rc = db_prepare(db, "SELECT code, country, name_en, name_es, agencies FROM ews_place WHERE code = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, key, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) {
        pu_strlcpy(p->country, db_col_text(st, 1), sizeof p->country);
        if (strchr(key, '-')) pu_strlcpy(p->state, key, sizeof p->state);
        snprintf(p->name_en, sizeof p->name_en, "%s%s%s", db_col_text(st, 2), slash ? ", " : "", slash ? slash + 1 : "");
        snprintf(p->name_es, sizeof p->name_es, "%s%s%s", db_col_text(st, 3), slash ? ", " : "", slash ? slash + 1 : "");
        pu_strlcpy(p->agencies, db_col_text(st, 4), sizeof p->agencies);
        rc = PU_OK;
    } else {
        rc = s == DB_DONE ? pu_fail(err, PU_ERR_INVALID, NULL, "place",
                                    "unknown place '%s': expected US, MX, a state code like US-AZ or MX-SIN, "
                                    "or STATE/municipality",
                                    code)
                          : s;
    }
    db_finalize(st);
    return rc;
}

/* ---- shared helpers ------------------------------------------------------ */

/* `pre` + value with LIKE's wildcards and the escape character escaped
 * ('!') + `post`, as the next binding of q. */
static int like_arg(db_sql *q, const char *pre, const char *value, const char *post) {
    pu_buf b = PU_BUF_INIT(4096);
    int rc = pu_buf_puts(&b, pre);
    for (const char *c = value; *c && !rc; c++) {
        if (*c == '%' || *c == '_' || *c == '!') rc = pu_buf_putc(&b, '!');
        if (!rc) rc = pu_buf_putc(&b, *c);
    }
    if (!rc) rc = pu_buf_puts(&b, post);
    if (rc) {
        if (!q->rc) q->rc = rc;
    } else {
        rc = db_sql_text(q, pu_buf_str(&b));
    }
    pu_buf_free(&b);
    return rc;
}

int ews_sql_in_list(db_sql *q, const char *col, const char *item) {
    db_sql_addf(q, "(';' || %s || ';') LIKE ? ESCAPE '!'", col);
    return like_arg(q, "%;", item, ";%");
}

int ews_sql_place_under(db_sql *q, const char *col, const char *prefix) {
    db_sql_addf(q, "(%s = ? OR %s LIKE ? ESCAPE '!' OR %s LIKE ? ESCAPE '!')", col, col, col);
    db_sql_text(q, prefix);
    like_arg(q, "", prefix, "-%");
    return like_arg(q, "", prefix, "/%");
}

/* A pu_vec failure as a message (other codes are db_step's, already told). */
int ews_vec_fail(int code, pu_err *err) {
    if (code == PU_ERR_NOMEM) return pu_fail(err, code, NULL, NULL, "out of memory");
    if (code == PU_ERR_LIMIT) return pu_fail(err, code, NULL, NULL, "too many rows for one array");
    return code;
}

/* ---- substances ---------------------------------------------------------- */

int ews_substance_get(db_t *db, const char *id, substance_info *s, pu_err *err) {
    db_stmt *st;
    memset(s, 0, sizeof *s);
    int rc = db_prepare(db, "SELECT id, name_en, name_es, class FROM ews_substance WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, id, -1);
    int r = db_step(st, err);
    if (r == DB_ROW) {
        pu_strlcpy(s->id, db_col_text(st, 0), sizeof s->id);
        pu_strlcpy(s->en, db_col_text(st, 1), sizeof s->en);
        pu_strlcpy(s->es, db_col_text(st, 2), sizeof s->es);
        pu_strlcpy(s->cls, db_col_text(st, 3), sizeof s->cls);
    } else {
        rc = r == DB_DONE ? pu_fail(err, PU_ERR_NOTFOUND, NULL, "substance", "no substance '%s'", id) : r;
    }
    db_finalize(st);
    return rc;
}

const char *ews_class_text(const char *cls, int es) {
    static const char *const map[][3] = {
        {"fentanyl-analogue", "fentanyl analogue", "análogo de fentanilo"},
        {"nitazene", "nitazene, benzimidazole-opioid", "nitaceno, opioide bencimidazólico"},
        {"synthetic-cannabinoid", "synthetic cannabinoid", "cannabinoide sintético"},
        {"cathinone", "cathinone", "catinona"},
        {"benzodiazepine", "benzodiazepine", "benzodiacepina"},
        {"alpha2-agonist", "α2-agonist", "agonista α2"},
        {"precursor", "precursor", "precursor"},
        {"opioid", "opioid", "opioide"},
        {"stimulant", "stimulant", "estimulante"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(cls, map[i][0]) == 0) return map[i][es ? 2 : 1];
    return es ? "otra sustancia" : "other substance";
}

/* Potent opioids and the α2-agonist adulterants get one severity step more. */
int ews_potent(const char *cls) {
    return strcmp(cls, "fentanyl-analogue") == 0 || strcmp(cls, "nitazene") == 0 || strcmp(cls, "alpha2-agonist") == 0;
}
