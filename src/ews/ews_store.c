/*
 * ews_store.c - the persistent EWS: schema, report intake (CSV / JSON
 * lines), curator queue, first-detection and aberration alerts, and the
 * acknowledge / close workflow. Everything goes through db/db.h in
 * transactions; reads are filtered with store_visible().
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "ews/ews_config.h"
#include "common/pu_io.h"
#include "common/pu_vec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ews {
    db_t *db;
};

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
};

const char *ews_data_dir(void) {
    const char *env = getenv("PUENTE_EWS_DATA");
    return env && *env ? env : EWS_DATA_DIR;
}

static int table_empty(db_t *db, const char *table, int *empty, pu_err *err) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    int64_t n = 0;
    int rc = db_query_int64(db, sql, NULL, &n, err);
    *empty = n == 0;
    return rc;
}

int ews_open(db_t *db, const char *data_dir, ews_t **out, pu_err *err) {
    *out = NULL;
    int rc = db_migrate(db, "ews", MIGRATIONS, (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]), err);
    if (rc) return rc;
    const char *dir = data_dir ? data_dir : ews_data_dir();
    int es, ep;
    if ((rc = table_empty(db, "ews_substance", &es, err)) || (rc = table_empty(db, "ews_place", &ep, err))) return rc;
    if (es || ep) {
        char path[1024];
        if ((rc = db_begin(db, err))) return rc;
        if (es) {
            snprintf(path, sizeof path, "%s/substances.csv", dir);
            rc = ews_vocab_load_db(db, path, NULL, err);
        }
        if (!rc && ep) {
            snprintf(path, sizeof path, "%s/places.csv", dir);
            rc = ews_places_load_db(db, path, err);
        }
        if (rc) {
            db_rollback(db);
            return rc;
        }
        if ((rc = db_commit(db, err))) return rc;
    }
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

static int resolve_norm(db_t *db, const char *norm, char **id, pu_err *err) {
    db_stmt *st;
    *id = NULL;
    int rc = db_prepare(db, "SELECT substance FROM ews_synonym WHERE norm = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, norm, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) {
        *id = pu_strdup(db_col_text(st, 0));
        rc = *id ? PU_OK : PU_ERR_NOMEM;
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
    db_stmt *st;
    rc = db_prepare(e->db, "SELECT y.substance, y.owner, y.marking, s.owner, s.marking FROM ews_synonym y "
                           "JOIN ews_substance s ON s.id = y.substance WHERE y.norm = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, norm, -1);
        int s = db_step(st, err);
        if (s == DB_ROW && store_visible(scope, db_col_text(st, 1), db_col_text(st, 2)) &&
            store_visible(scope, db_col_text(st, 3), db_col_text(st, 4))) {
            *id = pu_strdup(db_col_text(st, 0));
            rc = *id ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        } else if (s == DB_ROW || s == DB_DONE) {
            rc = pu_fail(err, PU_ERR_NOTFOUND, NULL, "substance", "unknown substance name '%s'", name);
        } else {
            rc = s;
        }
        db_finalize(st);
    }
    free(norm);
    return rc;
}

static int substance_exists(db_t *db, const char *id, pu_err *err) {
    int64_t n = 0;
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM ews_substance WHERE id = ?", id, &n, err);
    if (rc) return rc;
    return n ? PU_OK : pu_fail(err, PU_ERR_NOTFOUND, NULL, "substance", "no substance with id '%s'", id);
}

int ews_vocab_add_synonym(ews_t *e, const char *id, const char *name, const char *lang, const char *owner,
                          const char *marking, pu_err *err) {
    int rc = substance_exists(e->db, id, err);
    if (rc) return rc;
    if ((rc = db_begin(e->db, err))) return rc;
    rc = ews_synonym_add_db(e->db, id, name, lang, owner ? owner : "EWS", marking ? marking : "PUBLIC", err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

/* ---- places ----------------------------------------------------------- */

typedef struct place {
    char code[64], state[16], country[4], name_en[96], name_es[96], agencies[256];
} place;

/* "US", "MX-SIN", or "MX-SIN/Culiacán" (a municipality under a known state). */
static int place_lookup(db_t *db, const char *code, place *p, pu_err *err) {
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

/* ---- reports ------------------------------------------------------------ */

#define MAX_SUBST 32
typedef struct report {
    char id[128], date[16], place[64], agency[32], type[32], matrix[32], owner[32], marking[16];
    int64_t day;
    double quantity, purity;   /* NAN when unknown */
    int nsub;
    char sub[MAX_SUBST][256];
    char subs_joined[4096];
} report;

static const char *const report_types[] = {"seizure-lab", "toxicology-postmortem", "toxicology-clinical", "ed-visit",
                                           "drug-checking"};
static const char *const type_en[] = {"seizure laboratory result", "post-mortem toxicology", "clinical toxicology",
                                      "emergency-department visit", "drug-checking result"};
static const char *const type_es[] = {"resultado de laboratorio de aseguramiento", "toxicología post mortem",
                                      "toxicología clínica", "visita a urgencias", "resultado de análisis de sustancias"};
static const char *const matrices[] = {"powder", "tablet", "capsule", "liquid", "plant-material", "blotter",
                                       "residue", "blood", "urine", "oral-fluid", "vitreous", "hair", "tissue",
                                       "other"};

static int type_index(const char *t) {
    for (size_t i = 0; i < sizeof report_types / sizeof report_types[0]; i++)
        if (strcmp(t, report_types[i]) == 0) return (int)i;
    return -1;
}

static int parse_num(const char *s, double lo, double hi, double *out) {
    if (pu_blank(s)) {
        *out = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ') end++;
    if (errno || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Fill the fields common to both formats and validate them. `get` returns a
 * field value ("" when absent). */
typedef const char *(*field_fn)(void *src, const char *name);

static int report_from(void *src, field_fn get, report *r, const char *where, pu_err *err) {
    memset(r, 0, sizeof *r);
    static const struct { const char *name; size_t off, cap; int required; } tf[] = {
        {"report_id", offsetof(report, id), sizeof((report *)0)->id, 1},
        {"date", offsetof(report, date), sizeof((report *)0)->date, 1},
        {"place", offsetof(report, place), sizeof((report *)0)->place, 1},
        {"source_agency", offsetof(report, agency), sizeof((report *)0)->agency, 1},
        {"type", offsetof(report, type), sizeof((report *)0)->type, 1},
        {"matrix", offsetof(report, matrix), sizeof((report *)0)->matrix, 0},
        {"owner", offsetof(report, owner), sizeof((report *)0)->owner, 0},
        {"marking", offsetof(report, marking), sizeof((report *)0)->marking, 0},
    };
    for (size_t i = 0; i < sizeof tf / sizeof tf[0]; i++) {
        char *dst = (char *)r + tf[i].off;
        const char *v = get(src, tf[i].name);
        if (pu_strlcpy(dst, v, tf[i].cap) >= tf[i].cap)
            return pu_fail(err, PU_ERR_INVALID, where, tf[i].name, "value longer than %zu bytes", tf[i].cap - 1);
        pu_trim(dst);
        if (tf[i].required && !*dst) return pu_fail(err, PU_ERR_INVALID, where, tf[i].name, "required value is empty");
    }
    if (pu_parse_date(r->date, &r->day) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, where, "date", "expected an ISO date YYYY-MM-DD, got '%s'", r->date);
    if (type_index(r->type) < 0)
        return pu_fail(err, PU_ERR_INVALID, where, "type",
                       "expected seizure-lab, toxicology-postmortem, toxicology-clinical, ed-visit or drug-checking; "
                       "got '%s'", r->type);
    if (*r->matrix) {
        int ok = 0;
        for (size_t i = 0; i < sizeof matrices / sizeof matrices[0]; i++) ok |= strcmp(r->matrix, matrices[i]) == 0;
        if (!ok)
            return pu_fail(err, PU_ERR_INVALID, where, "matrix",
                           "expected powder, tablet, capsule, liquid, plant-material, blotter, residue, blood, urine, "
                           "oral-fluid, vitreous, hair, tissue or other; got '%s'", r->matrix);
    }
    if (!*r->owner) pu_strlcpy(r->owner, r->agency, sizeof r->owner);
    if (!*r->marking) pu_strlcpy(r->marking, "SHARED", sizeof r->marking);
    if (!store_marking_valid(r->marking))
        return pu_fail(err, PU_ERR_INVALID, where, "marking",
                       "expected PUBLIC, SHARED, US-ONLY, MX-ONLY or AGENCY-ONLY, got '%s'", r->marking);
    if (parse_num(get(src, "quantity_g"), 0, 1e9, &r->quantity))
        return pu_fail(err, PU_ERR_INVALID, where, "quantity_g", "expected a quantity in grams >= 0, got '%s'",
                       get(src, "quantity_g"));
    if (parse_num(get(src, "purity_pct"), 0, 100, &r->purity))
        return pu_fail(err, PU_ERR_INVALID, where, "purity_pct", "expected a purity between 0 and 100, got '%s'",
                       get(src, "purity_pct"));
    return PU_OK;
}

static int add_substance(report *r, const char *name, const char *where, pu_err *err) {
    char tmp[256];
    if (pu_strlcpy(tmp, name, sizeof tmp) >= sizeof tmp)
        return pu_fail(err, PU_ERR_INVALID, where, "substances", "substance name longer than 255 bytes");
    pu_trim(tmp);
    if (!*tmp) return PU_OK;
    if (r->nsub >= MAX_SUBST)
        return pu_fail(err, PU_ERR_LIMIT, where, "substances", "more than %d substances in one report", MAX_SUBST);
    pu_strlcpy(r->sub[r->nsub++], tmp, sizeof r->sub[0]);
    size_t l = strlen(r->subs_joined);
    snprintf(r->subs_joined + l, sizeof r->subs_joined - l, "%s%s", l ? "|" : "", tmp);
    return PU_OK;
}

/* ---- import --------------------------------------------------------------- */

typedef struct importer {
    ews_t *e;
    int64_t batch;
    char now[32];
    ews_import_stats st;
    int mem;                 /* reading from memory: "record N" places, not "file:line" */
    const char *name;        /* memory input: prefix of the places in messages (may be NULL) */
    const char *owner;       /* non-NULL: every report is filed as this agency */
} importer;

/* Where a record is, for messages: "file:line" for files; for memory input
 * "record N" (N counts records, blank lines not counted; the line is added
 * when it differs) or, for CSV, "line L" - each prefixed with "name: ". */
static void where_of(const importer *im, const char *src, uint64_t line, uint64_t rec, char *buf, size_t n) {
    if (!im->mem) {
        snprintf(buf, n, "%s:%llu", src ? src : "", (unsigned long long)line);
        return;
    }
    const char *pre = im->name ? im->name : "", *sep = im->name ? ": " : "";
    if (!rec) snprintf(buf, n, "%s%sline %llu", pre, sep, (unsigned long long)line);
    else if (!line || line == rec) snprintf(buf, n, "%s%srecord %llu", pre, sep, (unsigned long long)rec);
    else snprintf(buf, n, "%s%srecord %llu (line %llu)", pre, sep, (unsigned long long)rec, (unsigned long long)line);
}

/* An already imported report with the same id: identical content is skipped
 * (re-importing a file is harmless), different content is a conflict. */
static int report_exists(db_t *db, const report *r, int *same, const char *where, pu_err *err) {
    db_stmt *st;
    *same = -1;
    int rc = db_prepare(db, "SELECT date, place, source_agency, type, substances FROM ews_report WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, r->id, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) {
        *same = strcmp(db_col_text(st, 0), r->date) == 0 && strcmp(db_col_text(st, 1), r->place) == 0 &&
                strcmp(db_col_text(st, 2), r->agency) == 0 && strcmp(db_col_text(st, 3), r->type) == 0 &&
                strcmp(db_col_text(st, 4), r->subs_joined) == 0;
        if (!*same)
            rc = pu_fail(err, PU_ERR_CONFLICT, where, "report_id",
                         "report '%s' was already imported with different content", r->id);
    } else if (s != DB_DONE) {
        rc = s;
    }
    db_finalize(st);
    return rc;
}

static int queue_name(importer *im, const report *r, const char *name, const char *norm, int64_t *qid, pu_err *err) {
    db_t *db = im->e->db;
    db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO ews_queue(norm, name, count, first_report, status, owner, marking, created) "
                            "VALUES (?, ?, 1, ?, 'open', ?, ?, ?) ON CONFLICT (norm) DO UPDATE SET count = ews_queue.count + 1",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, norm, -1);
    db_bind_text(st, 2, name, -1);
    db_bind_text(st, 3, r->id, -1);
    db_bind_text(st, 4, r->owner, -1);
    db_bind_text(st, 5, r->marking, -1);
    db_bind_text(st, 6, im->now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    return db_query_int64(db, "SELECT id FROM ews_queue WHERE norm = ?", norm, qid, err);
}

static int import_report(importer *im, report *r, const char *where, pu_err *err) {
    db_t *db = im->e->db;
    place pl;
    int rc = place_lookup(db, r->place, &pl, err);
    if (rc) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return rc;
    }
    if (r->nsub == 0) return pu_fail(err, PU_ERR_INVALID, where, "substances", "expected at least one substance");
    int same;
    if ((rc = report_exists(db, r, &same, where, err))) return rc;
    if (same == 1) return PU_OK;
    int64_t monday = r->day - (((r->day + 4) % 7 + 7) % 7 + 6) % 7;
    db_stmt *st;
    rc = db_prepare(db, "INSERT INTO ews_report(id, date, day, week, place, state, country, source_agency, type, "
                        "matrix, quantity_g, purity_pct, substances, owner, marking, batch, imported) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, r->id, -1);
    db_bind_text(st, 2, r->date, -1);
    db_bind_int64(st, 3, r->day);
    db_bind_int64(st, 4, monday);
    db_bind_text(st, 5, r->place, -1);
    db_bind_text(st, 6, pl.state, -1);
    db_bind_text(st, 7, pl.country, -1);
    db_bind_text(st, 8, r->agency, -1);
    db_bind_text(st, 9, r->type, -1);
    if (*r->matrix) db_bind_text(st, 10, r->matrix, -1); else db_bind_null(st, 10);
    if (isnan(r->quantity)) db_bind_null(st, 11); else db_bind_double(st, 11, r->quantity);
    if (isnan(r->purity)) db_bind_null(st, 12); else db_bind_double(st, 12, r->purity);
    db_bind_text(st, 13, r->subs_joined, -1);
    db_bind_text(st, 14, r->owner, -1);
    db_bind_text(st, 15, r->marking, -1);
    db_bind_int64(st, 16, im->batch);
    db_bind_text(st, 17, im->now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    im->st.reports++;
    for (int i = 0; i < r->nsub && !rc; i++) {
        char *norm = NULL, *id = NULL;
        int64_t qid = 0;
        rc = ews_normalize_name(r->sub[i], &norm, err);
        if (rc) {
            if (err) pu_strlcpy(err->where, where, sizeof err->where);
            break;
        }
        rc = resolve_norm(db, norm, &id, err);
        if (rc == PU_ERR_NOTFOUND) {
            rc = queue_name(im, r, r->sub[i], norm, &qid, err);
            im->st.queued++;
        }
        if (!rc) {
            rc = db_prepare(db, "INSERT INTO ews_detection(report, norm, name, substance, queue) VALUES (?,?,?,?,?) "
                                "ON CONFLICT (report, norm) DO NOTHING", &st, err);
            if (!rc) {
                db_bind_text(st, 1, r->id, -1);
                db_bind_text(st, 2, norm, -1);
                db_bind_text(st, 3, r->sub[i], -1);
                if (id) db_bind_text(st, 4, id, -1); else db_bind_null(st, 4);
                if (qid) db_bind_int64(st, 5, qid); else db_bind_null(st, 5);
                rc = db_step_done(st, err);
                db_finalize(st);
            }
            if (id) im->st.substances++;
        }
        free(norm);
        free(id);
    }
    return rc;
}

/* The report is filed as im->owner when the import is on behalf of an
 * agency (the API): a missing owner becomes that agency, another one is
 * refused, so no agency files reports in another's name. */
static int file_as(const importer *im, void *src, field_fn get, report *r, const char *where, pu_err *err) {
    if (!im->owner) return PU_OK;
    const char *given = get(src, "owner");
    if (!pu_blank(given) && strcmp(r->owner, im->owner) != 0)
        return pu_fail(err, PU_ERR_DENIED, where, "owner", "reports are filed as the importing agency (%s), not '%.64s'",
                       im->owner, r->owner);
    pu_strlcpy(r->owner, im->owner, sizeof r->owner);
    return PU_OK;
}

/* Split a '|' or ';' separated substance list into r. */
static int add_substance_list(report *r, const char *list, const char *where, pu_err *err) {
    char buf[4096];
    if (pu_strlcpy(buf, list, sizeof buf) >= sizeof buf)
        return pu_fail(err, PU_ERR_LIMIT, where, "substances", "list longer than %zu bytes", sizeof buf - 1);
    char *save = NULL;
    int rc = PU_OK;
    for (char *t = strtok_r(buf, "|;", &save); t && !rc; t = strtok_r(NULL, "|;", &save))
        rc = add_substance(r, t, where, err);
    return rc;
}

/* CSV */
typedef struct csv_src {
    const pu_csv_row *row;
    int col[16];
} csv_src;
static const char *const csv_cols[] = {"report_id", "date", "place", "source_agency", "type", "substances", "matrix",
                                       "quantity_g", "purity_pct", "owner", "marking"};
#define NCSV (sizeof csv_cols / sizeof csv_cols[0])

static const char *csv_get(void *p, const char *name) {
    csv_src *s = p;
    for (size_t i = 0; i < NCSV; i++)
        if (strcmp(csv_cols[i], name) == 0)
            return s->col[i] >= 0 && (size_t)s->col[i] < s->row->n ? s->row->fields[s->col[i]] : "";
    return "";
}

static int import_csv(importer *im, pu_csv *r, pu_err *err) {
    const pu_csv_row *row;
    csv_src src;
    char where[PU_ERR_WHERE_MAX];
    int rc = pu_csv_next(r, &row, err);
    if (rc) return rc;
    if (!row) return pu_fail(err, PU_ERR_INVALID, im->mem ? im->name : pu_csv_name(r), "header",
                             "empty input: expected a header row");
    where_of(im, pu_csv_name(r), row->line, 0, where, sizeof where);
    for (size_t i = 0; i < NCSV; i++) {
        src.col[i] = pu_csv_col(row, csv_cols[i]);
        if (src.col[i] < 0 && i < 6)
            return pu_fail(err, PU_ERR_INVALID, where, csv_cols[i],
                           "missing column '%s'; the header needs report_id, date, place, source_agency, type, "
                           "substances", csv_cols[i]);
    }
    size_t ncols = row->n;
    report rep;
    while ((rc = pu_csv_next(r, &row, err)) == PU_OK && row) {
        where_of(im, pu_csv_name(r), row->line, 0, where, sizeof where);
        if (row->n != ncols)
            return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected %zu fields like the header, got %zu", ncols, row->n);
        src.row = row;
        if ((rc = report_from(&src, csv_get, &rep, where, err)) || (rc = file_as(im, &src, csv_get, &rep, where, err)) ||
            (rc = add_substance_list(&rep, csv_get(&src, "substances"), where, err)) ||
            (rc = import_report(im, &rep, where, err)))
            return rc;
    }
    return rc;
}

/* JSON: one report object (JSON lines or an element of a JSON array) */
typedef struct json_src {
    json_t *o;
    char num[4][64];
    int nnum;
} json_src;

static const char *json_get(void *p, const char *name) {
    json_src *s = p;
    json_t *v = json_object_get(s->o, name);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_number(v) && s->nnum < 4) {
        char *b = s->num[s->nnum++];
        snprintf(b, sizeof s->num[0], "%.17g", json_number_value(v));
        return b;
    }
    return "";
}

/* Types of the members before their values are read. */
static int json_types_ok(json_t *o, const char *where, pu_err *err) {
    static const char *const str_keys[] = {"report_id", "date", "place", "source_agency", "type", "matrix",
                                           "owner", "marking"};
    for (size_t i = 0; i < sizeof str_keys / sizeof str_keys[0]; i++) {
        json_t *v = json_object_get(o, str_keys[i]);
        if (v && !json_is_string(v) && !json_is_null(v))
            return pu_fail(err, PU_ERR_INVALID, where, str_keys[i], "expected a string");
    }
    static const char *const num_keys[] = {"quantity_g", "purity_pct"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(o, num_keys[i]);
        if (v && !json_is_number(v) && !json_is_null(v))
            return pu_fail(err, PU_ERR_INVALID, where, num_keys[i], "expected a number or null");
    }
    return PU_OK;
}

static int json_substances(report *r, json_t *subs, const char *where, pu_err *err) {
    if (json_is_string(subs)) return add_substance_list(r, json_string_value(subs), where, err);
    if (!json_is_array(subs))
        return pu_fail(err, PU_ERR_INVALID, where, "substances", "expected an array of substance names");
    size_t i;
    json_t *v;
    json_array_foreach(subs, i, v) {
        if (!json_is_string(v))
            return pu_fail(err, PU_ERR_INVALID, where, "substances", "expected an array of strings");
        int rc = add_substance(r, json_string_value(v), where, err);
        if (rc) return rc;
    }
    return PU_OK;
}

/* Import one report object (borrowed). */
static int import_json_record(importer *im, json_t *o, const char *where, pu_err *err) {
    if (!json_is_object(o)) return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected a JSON object (one report)");
    report rep;
    json_src src = {.o = o};
    int rc = json_types_ok(o, where, err);
    if (!rc) rc = report_from(&src, json_get, &rep, where, err);
    if (!rc) rc = file_as(im, &src, json_get, &rep, where, err);
    if (!rc) rc = json_substances(&rep, json_object_get(o, "substances"), where, err);
    if (!rc) rc = import_report(im, &rep, where, err);
    return rc;
}

static int import_jsonl(importer *im, pu_lines *l, pu_err *err) {
    const char *line;
    size_t len;
    uint64_t no, rec = 0;
    char where[PU_ERR_WHERE_MAX];
    int rc;
    while ((rc = pu_lines_next(l, &line, &len, &no, err)) == PU_OK && line) {
        if (pu_blank(line)) continue;
        where_of(im, pu_lines_name(l), no, ++rec, where, sizeof where);
        json_error_t je;
        json_t *o = json_loadb(line, len, 0, &je);
        if (!o) return pu_fail(err, PU_ERR_INVALID, where, NULL, "expected one JSON object per line: %s", je.text);
        rc = import_json_record(im, o, where, err);
        json_decref(o);
        if (rc) return rc;
    }
    return rc;
}

/* One JSON array of report objects (memory input only). */
static int import_json_array(importer *im, const char *data, size_t n, pu_err *err) {
    char where[PU_ERR_WHERE_MAX];
    json_error_t je;
    json_t *a = json_loadb(data, n, 0, &je);
    if (!a || !json_is_array(a)) {
        where_of(im, NULL, (uint64_t)(a ? 1 : je.line > 0 ? je.line : 1), 0, where, sizeof where);
        int rc = pu_fail(err, PU_ERR_INVALID, where, NULL, "expected a JSON array of report objects%s%s",
                         a ? "" : ": ", a ? "" : je.text);
        json_decref(a);
        return rc;
    }
    int rc = PU_OK;
    for (size_t k = 0; k < json_array_size(a) && !rc; k++) {
        where_of(im, NULL, 0, k + 1, where, sizeof where);
        rc = import_json_record(im, json_array_get(a, k), where, err);
    }
    json_decref(a);
    return rc;
}

/* ---- alerts ---------------------------------------------------------------- */

typedef struct substance_info {
    char id[64], en[96], es[96], cls[32];
} substance_info;

static int substance_get(db_t *db, const char *id, substance_info *s, pu_err *err) {
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

static const char *class_text(const char *cls, int es) {
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
static int potent(const char *cls) {
    return strcmp(cls, "fentanyl-analogue") == 0 || strcmp(cls, "nitazene") == 0 || strcmp(cls, "alpha2-agonist") == 0;
}

static const char *const severities[] = {"low", "medium", "high", "critical"};

typedef struct alert_in {
    const char *kind, *substance, *place, *week, *method, *owner, *marking, *dedup;
    int severity;
    double observed, expected, upper;
    char evidence[512], en[512], es[512], addressed[256];
} alert_in;

static int alert_add(importer *im, alert_in *a, int *added, pu_err *err) {
    db_stmt *st;
    *added = 0;
    int rc = db_prepare(im->e->db,
                        "INSERT INTO ews_alert(kind, severity, substance, place, week, method, observed, expected, upper, "
                        "evidence, text_en, text_es, addressed, status, owner, marking, created, dedup) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'open',?,?,?,?) ON CONFLICT (dedup) DO NOTHING",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, a->kind, -1);
    db_bind_text(st, 2, severities[a->severity < 0 ? 0 : a->severity > 3 ? 3 : a->severity], -1);
    db_bind_text(st, 3, a->substance, -1);
    db_bind_text(st, 4, a->place, -1);
    db_bind_text(st, 5, a->week, -1);
    db_bind_text(st, 6, a->method, -1);
    if (isnan(a->observed)) db_bind_null(st, 7); else db_bind_double(st, 7, a->observed);
    if (isnan(a->expected)) db_bind_null(st, 8); else db_bind_double(st, 8, a->expected);
    if (isnan(a->upper)) db_bind_null(st, 9); else db_bind_double(st, 9, a->upper);
    db_bind_text(st, 10, a->evidence, -1);
    db_bind_text(st, 11, a->en, -1);
    db_bind_text(st, 12, a->es, -1);
    db_bind_text(st, 13, a->addressed, -1);
    db_bind_text(st, 14, a->owner, -1);
    db_bind_text(st, 15, a->marking, -1);
    db_bind_text(st, 16, im->now, -1);
    db_bind_text(st, 17, a->dedup, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (!rc && db_changes(im->e->db) > 0) {
        *added = 1;
        im->st.alerts++;
    }
    return rc;
}

/* Add the national agencies of `country` to a ';' list (no duplicates). */
static void add_agencies(char *list, size_t cap, const char *more) {
    char buf[256];
    pu_strlcpy(buf, more, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        char probe[64];
        snprintf(probe, sizeof probe, ";%s;", t);
        char cur[300];
        snprintf(cur, sizeof cur, ";%s;", list);
        if (strstr(cur, probe)) continue;
        size_t l = strlen(list);
        snprintf(list + l, cap - l, "%s%s", l ? ";" : "", t);
    }
}

/* First detection of one (report, substance): scopes anywhere, country, state. */
static int first_detection(importer *im, const char *rid, const char *sid, int64_t day, const char *placecode,
                           const char *type, const char *owner, const char *marking, pu_err *err) {
    db_t *db = im->e->db;
    place pl;
    int rc = place_lookup(db, placecode, &pl, err);
    if (rc) return rc;
    const char *scopes[3] = {"*", pl.country, pl.state};
    int isnew[3] = {0, 0, 0};
    for (int i = 0; i < 3 && !rc; i++) {
        if (!*scopes[i]) continue;
        db_stmt *st;
        rc = db_prepare(db, "SELECT day FROM ews_first WHERE substance = ? AND scope = ?", &st, err);
        if (rc) break;
        db_bind_text(st, 1, sid, -1);
        db_bind_text(st, 2, scopes[i], -1);
        int s = db_step(st, err);
        int64_t have = s == DB_ROW ? db_col_int64(st, 0) : -1;
        db_finalize(st);
        if (s != DB_ROW && s != DB_DONE) return s;
        if (s == DB_ROW && have <= day) continue;
        /* earlier evidence arriving late moves the first date but raises no new alert */
        isnew[i] = s == DB_DONE;
        rc = db_prepare(db, "INSERT INTO ews_first(substance, scope, report, day) VALUES (?,?,?,?) "
                            "ON CONFLICT (substance, scope) DO UPDATE SET report = excluded.report, day = excluded.day",
                        &st, err);
        if (rc) break;
        db_bind_text(st, 1, sid, -1);
        db_bind_text(st, 2, scopes[i], -1);
        db_bind_text(st, 3, rid, -1);
        db_bind_int64(st, 4, day);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (rc) return rc;
    int k = isnew[0] ? 0 : isnew[1] ? 1 : isnew[2] ? 2 : -1;
    if (k < 0) return PU_OK;
    substance_info si;
    if ((rc = substance_get(db, sid, &si, err))) return rc;
    static const char *const kinds[] = {"first-anywhere", "first-country", "first-state"};
    static const char *const where_en[] = {"in the network", "in the country", "in the state"};
    static const char *const where_es[] = {"en la red", "en el país", "en el estado"};
    int ti = type_index(type);
    char date[16], dedup[256];
    pu_format_date(day, date, sizeof date);
    snprintf(dedup, sizeof dedup, "%s|%s|%s", kinds[k], sid, scopes[k]);
    alert_in a = {.kind = kinds[k], .substance = sid, .place = placecode, .week = date, .method = "first-detection",
                  .owner = owner, .marking = marking, .dedup = dedup, .observed = 1, .expected = 0, .upper = NAN};
    a.severity = (potent(si.cls) ? 1 : 0) + 2 - k;
    snprintf(a.evidence, sizeof a.evidence, "report %s (%s) of %s in %s", rid, type, date, placecode);
    snprintf(a.en, sizeof a.en, "First detection of %s (%s) %s: %s, %s (%s), report %s of %s.", si.en,
             class_text(si.cls, 0), where_en[k], ti >= 0 ? type_en[ti] : type, pl.name_en, placecode, rid, date);
    snprintf(a.es, sizeof a.es, "Primera detección de %s (%s) %s: %s, %s (%s), informe %s del %s.", si.es,
             class_text(si.cls, 1), where_es[k], ti >= 0 ? type_es[ti] : type, pl.name_es, placecode, rid, date);
    pu_strlcpy(a.addressed, pl.agencies, sizeof a.addressed);
    if (k == 0) { /* a substance new to the network concerns both countries */
        place us, mx;
        if (place_lookup(db, "US", &us, NULL) == PU_OK) add_agencies(a.addressed, sizeof a.addressed, us.agencies);
        if (place_lookup(db, "MX", &mx, NULL) == PU_OK) add_agencies(a.addressed, sizeof a.addressed, mx.agencies);
    }
    int added;
    return alert_add(im, &a, &added, err);
}

/* A pu_vec failure as a message (other codes are db_step's, already told). */
static int vec_fail(int code, pu_err *err) {
    if (code == PU_ERR_NOMEM) return pu_fail(err, code, NULL, NULL, "out of memory");
    if (code == PU_ERR_LIMIT) return pu_fail(err, code, NULL, NULL, "too many rows for one array");
    return code;
}

/* Run first detection over the detections selected by `where_sql` (one int
 * parameter), in date order so the earliest report is the "first". */
static int first_detections(importer *im, const char *where_sql, int64_t param, pu_err *err) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT r.id, d.substance, r.day, r.place, r.type, r.owner, r.marking FROM ews_detection d "
             "JOIN ews_report r ON r.id = d.report WHERE d.substance IS NOT NULL AND %s ORDER BY r.day, r.id",
             where_sql);
    db_stmt *st;
    int rc = db_prepare(im->e->db, sql, &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, param);
    /* copy rows first: first_detection runs statements of its own */
    typedef struct { char rid[128], sid[64], place[64], type[32], owner[32], marking[16]; int64_t day; } row_t;
    pu_vec v = PU_VEC_INIT(row_t, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        void *slot;
        if ((s = pu_vec_push_zero(&v, &slot))) break;
        row_t *r = slot;
        pu_strlcpy(r->rid, db_col_text(st, 0), sizeof r->rid);
        pu_strlcpy(r->sid, db_col_text(st, 1), sizeof r->sid);
        r->day = db_col_int64(st, 2);
        pu_strlcpy(r->place, db_col_text(st, 3), sizeof r->place);
        pu_strlcpy(r->type, db_col_text(st, 4), sizeof r->type);
        pu_strlcpy(r->owner, db_col_text(st, 5), sizeof r->owner);
        pu_strlcpy(r->marking, db_col_text(st, 6), sizeof r->marking);
    }
    db_finalize(st);
    rc = s == DB_DONE ? PU_OK : vec_fail(s, err);
    const row_t *rows = v.data;
    for (size_t i = 0; i < v.len && !rc; i++)
        rc = first_detection(im, rows[i].rid, rows[i].sid, rows[i].day, rows[i].place, rows[i].type, rows[i].owner,
                             rows[i].marking, err);
    pu_vec_free(&v);
    return rc;
}

static int importer_init(importer *im, ews_t *e, pu_err *err) {
    memset(im, 0, sizeof *im);
    im->e = e;
    pu_now_iso(im->now, sizeof im->now);
    int64_t b = 0;
    int rc = db_query_int64(e->db, "SELECT COALESCE(MAX(batch), 0) FROM ews_report", NULL, &b, err);
    im->batch = b + 1;
    return rc;
}

enum { FMT_CSV, FMT_JSONL, FMT_JSON };

static int parse_format(const char *format, const char *path, int *fmt, pu_err *err) {
    if (format && *format) {
        if (strcmp(format, "csv") == 0) *fmt = FMT_CSV;
        else if (strcmp(format, "jsonl") == 0 || strcmp(format, "ndjson") == 0) *fmt = FMT_JSONL;
        else if (strcmp(format, "json") == 0) *fmt = path ? FMT_JSONL : FMT_JSON;
        else return pu_fail(err, PU_ERR_INVALID, NULL, "format", "expected csv, jsonl or json, got '%s'", format);
        return PU_OK;
    }
    if (!path) {
        *fmt = FMT_JSON;
        return PU_OK;
    }
    size_t l = strlen(path);
    *fmt = (l > 6 && strcmp(path + l - 6, ".jsonl") == 0) || (l > 5 && strcmp(path + l - 5, ".json") == 0) ||
                   (l > 7 && strcmp(path + l - 7, ".ndjson") == 0)
               ? FMT_JSONL
               : FMT_CSV;
    return PU_OK;
}

/* The input of one import: a file (path) or memory (data, n). */
typedef struct import_src {
    const char *path;
    const char *data;
    size_t n;
    int fmt;
} import_src;

/* Parse every record of src into the store (inside the open transaction). */
static int import_records(importer *im, const import_src *src, pu_err *err) {
    int rc;
    int fmt = src->fmt;
    if (fmt == FMT_JSON) { /* an array, or JSON lines */
        size_t i = 0;
        while (i < src->n && (src->data[i] == ' ' || src->data[i] == '\t' || src->data[i] == '\r' || src->data[i] == '\n'))
            i++;
        if (i < src->n && src->data[i] == '[') return import_json_array(im, src->data, src->n, err);
        fmt = FMT_JSONL;
    }
    if (fmt == FMT_JSONL) {
        pu_lines *l;
        rc = src->path ? pu_lines_open(src->path, PU_IO_DEFAULT_MAX_RECORD, &l, err)
                       : pu_lines_open_mem(src->data, src->n, PU_IO_DEFAULT_MAX_RECORD, &l, err);
        if (rc) return rc;
        rc = import_jsonl(im, l, err);
        pu_lines_close(l);
        return rc;
    }
    pu_csv *r;
    pu_csv_opts o = {.delim = ',', .max_record = 65536, .max_fields = 64, .strict_quotes = 1};
    rc = src->path ? pu_csv_open(src->path, &o, &r, err) : pu_csv_open_mem(src->data, src->n, &o, &r, err);
    if (rc) return rc;
    rc = import_csv(im, r, err);
    pu_csv_close(r);
    return rc;
}

/* One import, all or nothing. Without a transaction open on the handle it
 * is its own transaction; inside the caller's, it runs under a savepoint so
 * that a failure takes back exactly its own writes and leaves the caller's
 * transaction open and usable (SAVEPOINT is standard SQL: SQLite and
 * PostgreSQL both have it). */
static int import_run(ews_t *e, const import_src *src, const ews_import_opts *o, ews_import_stats *stats, pu_err *err) {
    int own = !db_in_tx(e->db);
    int rc = own ? db_begin(e->db, err) : db_exec(e->db, "SAVEPOINT ews_import", err);
    if (rc) return rc;
    importer im;
    rc = importer_init(&im, e, err);
    im.mem = src->path == NULL;
    im.name = o ? o->name : NULL;
    im.owner = o ? o->owner : NULL;
    if (!rc) rc = import_records(&im, src, err);
    if (!rc) rc = first_detections(&im, "r.batch = ?", im.batch, err);
    if (rc) {
        if (own) db_rollback(e->db);
        else (void)db_exec(e->db, "ROLLBACK TO SAVEPOINT ews_import; RELEASE SAVEPOINT ews_import", NULL);
        return rc;
    }
    if ((rc = own ? db_commit(e->db, err) : db_exec(e->db, "RELEASE SAVEPOINT ews_import", err))) {
        if (!own) (void)db_exec(e->db, "ROLLBACK TO SAVEPOINT ews_import; RELEASE SAVEPOINT ews_import", NULL);
        return rc;
    }
    if (stats) *stats = im.st;
    return PU_OK;
}

int ews_import(ews_t *e, const char *path, const char *format, ews_import_stats *stats, pu_err *err) {
    import_src src = {.path = path};
    if (!path) return pu_fail(err, PU_ERR_INVALID, NULL, "path", "no input file given");
    int rc = parse_format(format, path, &src.fmt, err);
    return rc ? rc : import_run(e, &src, NULL, stats, err);
}

int ews_import_mem(ews_t *e, const char *data, size_t n, const ews_import_opts *o, ews_import_stats *stats,
                   pu_err *err) {
    import_src src = {.data = data ? data : "", .n = data ? n : 0};
    if (o && o->owner && pu_blank(o->owner))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "the importing agency is empty");
    int rc = parse_format(o ? o->format : NULL, NULL, &src.fmt, err);
    return rc ? rc : import_run(e, &src, o, stats, err);
}

/* ---- curator queue ------------------------------------------------------- */

int ews_queue_list(ews_t *e, const store_scope *scope, const char *status, ews_queue_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(e->db, "SELECT id, name, norm, count, first_report, status, COALESCE(substance, ''), owner, "
                               "marking FROM ews_queue ORDER BY count DESC, id", &st, err);
    if (rc) return rc;
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        if (status && strcmp(status, db_col_text(st, 5)) != 0) continue;
        if (!store_visible(scope, db_col_text(st, 7), db_col_text(st, 8))) continue;
        ews_queue_item q;
        memset(&q, 0, sizeof q);
        q.id = db_col_int64(st, 0);
        pu_strlcpy(q.name, db_col_text(st, 1), sizeof q.name);
        pu_strlcpy(q.norm, db_col_text(st, 2), sizeof q.norm);
        q.count = db_col_int64(st, 3);
        pu_strlcpy(q.first_report, db_col_text(st, 4), sizeof q.first_report);
        pu_strlcpy(q.status, db_col_text(st, 5), sizeof q.status);
        pu_strlcpy(q.substance, db_col_text(st, 6), sizeof q.substance);
        if (cb(&q, ctx)) break;
    }
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

int ews_queue_resolve(ews_t *e, int64_t item, const char *substance, pu_err *err) {
    db_stmt *st;
    int rc = substance_exists(e->db, substance, err);
    if (rc) return rc;
    char name[256] = "", status[16] = "", owner[32] = "", marking[16] = "";
    if ((rc = db_prepare(e->db, "SELECT name, status, owner, marking FROM ews_queue WHERE id = ?", &st, err))) return rc;
    db_bind_int64(st, 1, item);
    int s = db_step(st, err);
    if (s == DB_ROW) {
        pu_strlcpy(name, db_col_text(st, 0), sizeof name);
        pu_strlcpy(status, db_col_text(st, 1), sizeof status);
        pu_strlcpy(owner, db_col_text(st, 2), sizeof owner);
        pu_strlcpy(marking, db_col_text(st, 3), sizeof marking);
    }
    db_finalize(st);
    if (s == DB_DONE) return pu_fail(err, PU_ERR_NOTFOUND, NULL, "queue", "no queue item %lld", (long long)item);
    if (s != DB_ROW) return s;
    if (strcmp(status, "open") != 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "queue", "queue item %lld is already %s", (long long)item, status);
    importer im;
    if ((rc = importer_init(&im, e, err))) return rc;
    if ((rc = db_begin(e->db, err))) return rc;
    /* the name came from a report: it carries that report's releasability */
    rc = ews_synonym_add_db(e->db, substance, name, "curator", owner, marking, err);
    if (!rc) rc = db_prepare(e->db, "UPDATE ews_queue SET status = 'resolved', substance = ? WHERE id = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, substance, -1);
        db_bind_int64(st, 2, item);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = db_prepare(e->db, "UPDATE ews_detection SET substance = ? WHERE queue = ?", &st, err);
    if (!rc) {
        db_bind_text(st, 1, substance, -1);
        db_bind_int64(st, 2, item);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (!rc) rc = first_detections(&im, "d.queue = ?", item, err);
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_queue_autoresolve(ews_t *e, int64_t *resolved, pu_err *err) {
    *resolved = 0;
    db_stmt *st;
    int rc = db_prepare(e->db, "SELECT id, norm FROM ews_queue WHERE status = 'open' ORDER BY id", &st, err);
    if (rc) return rc;
    typedef struct { int64_t id; char sid[64]; } hit;
    pu_vec v = PU_VEC_INIT(hit, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        char *sid = NULL;
        if (resolve_norm(e->db, db_col_text(st, 1), &sid, NULL) == PU_OK) {
            hit h = {db_col_int64(st, 0), ""};
            pu_strlcpy(h.sid, sid, sizeof h.sid);
            int vr = pu_vec_push(&v, &h, sizeof h);
            if (vr) s = vr;
        }
        free(sid);
        if (s != DB_ROW) break;
    }
    db_finalize(st);
    rc = s == DB_DONE ? PU_OK : vec_fail(s, err);
    const hit *hits = v.data;
    for (size_t i = 0; i < v.len && !rc; i++) {
        rc = ews_queue_resolve(e, hits[i].id, hits[i].sid, err);
        if (!rc) (*resolved)++;
    }
    pu_vec_free(&v);
    return rc;
}

/* ---- alert reads and workflow -------------------------------------------- */

#define ALERT_COLS "id, kind, severity, substance, place, week, method, observed, expected, upper, text_en, text_es, " \
                   "addressed, status, owner, marking, created, COALESCE(acked_by, ''), COALESCE(closed_by, ''), " \
                   "COALESCE(note, '')"

static double col_num(db_stmt *st, int c) { return db_col_isnull(st, c) ? NAN : db_col_double(st, c); }

static void alert_row(db_stmt *st, ews_alert *a) {
    memset(a, 0, sizeof *a);
    a->id = db_col_int64(st, 0);
    pu_strlcpy(a->kind, db_col_text(st, 1), sizeof a->kind);
    pu_strlcpy(a->severity, db_col_text(st, 2), sizeof a->severity);
    pu_strlcpy(a->substance, db_col_text(st, 3), sizeof a->substance);
    pu_strlcpy(a->place, db_col_text(st, 4), sizeof a->place);
    pu_strlcpy(a->week, db_col_text(st, 5), sizeof a->week);
    pu_strlcpy(a->method, db_col_text(st, 6), sizeof a->method);
    a->observed = col_num(st, 7);
    a->expected = col_num(st, 8);
    a->upper = col_num(st, 9);
    pu_strlcpy(a->text_en, db_col_text(st, 10), sizeof a->text_en);
    pu_strlcpy(a->text_es, db_col_text(st, 11), sizeof a->text_es);
    pu_strlcpy(a->addressed, db_col_text(st, 12), sizeof a->addressed);
    pu_strlcpy(a->status, db_col_text(st, 13), sizeof a->status);
    pu_strlcpy(a->owner, db_col_text(st, 14), sizeof a->owner);
    pu_strlcpy(a->marking, db_col_text(st, 15), sizeof a->marking);
    pu_strlcpy(a->created, db_col_text(st, 16), sizeof a->created);
    pu_strlcpy(a->acked_by, db_col_text(st, 17), sizeof a->acked_by);
    pu_strlcpy(a->closed_by, db_col_text(st, 18), sizeof a->closed_by);
    pu_strlcpy(a->note, db_col_text(st, 19), sizeof a->note);
}

static int addressed_to(const char *list, const char *agency) {
    char cur[300], probe[64];
    snprintf(cur, sizeof cur, ";%s;", list);
    snprintf(probe, sizeof probe, ";%s;", agency);
    return strstr(cur, probe) != NULL;
}

int ews_alerts_list(ews_t *e, const store_scope *scope, const ews_alert_query *q, ews_alert_cb cb, void *ctx, pu_err *err) {
    db_stmt *st;
    int rc = db_prepare(e->db, "SELECT " ALERT_COLS " FROM ews_alert ORDER BY id", &st, err);
    if (rc) return rc;
    int s;
    ews_alert a;
    while ((s = db_step(st, err)) == DB_ROW) {
        alert_row(st, &a);
        if (!store_visible(scope, a.owner, a.marking)) continue;
        if (q && q->status && strcmp(q->status, a.status) != 0) continue;
        if (q && q->substance && strcmp(q->substance, a.substance) != 0) continue;
        if (q && q->agency && !addressed_to(a.addressed, q->agency)) continue;
        if (cb(&a, ctx)) break;
    }
    db_finalize(st);
    return s == DB_ROW || s == DB_DONE ? PU_OK : s;
}

static int alert_transition(ews_t *e, const store_scope *scope, int64_t id, const char *agency, const char *note,
                            int close, pu_err *err) {
    if (pu_blank(agency)) return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "the acting agency is required");
    db_stmt *st;
    int rc = db_prepare(e->db, "SELECT " ALERT_COLS " FROM ews_alert WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, id);
    ews_alert a;
    int s = db_step(st, err);
    if (s == DB_ROW) alert_row(st, &a);
    db_finalize(st);
    if (s != DB_ROW && s != DB_DONE) return s;
    if (s == DB_DONE || !store_visible(scope, a.owner, a.marking))
        return pu_fail(err, PU_ERR_NOTFOUND, NULL, "alert", "no alert %lld", (long long)id);
    if (strcmp(a.status, "closed") == 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "alert", "alert %lld is already closed", (long long)id);
    if (!close && strcmp(a.status, "acknowledged") == 0)
        return pu_fail(err, PU_ERR_CONFLICT, NULL, "alert", "alert %lld was already acknowledged by %s", (long long)id,
                       a.acked_by);
    char now[32];
    pu_now_iso(now, sizeof now);
    if ((rc = db_begin(e->db, err))) return rc;
    rc = db_prepare(e->db, close ? "UPDATE ews_alert SET status = 'closed', closed_by = ?, closed_at = ?, note = ? WHERE id = ?"
                                 : "UPDATE ews_alert SET status = 'acknowledged', acked_by = ?, acked_at = ?, note = COALESCE(?, note) WHERE id = ?",
                    &st, err);
    if (!rc) {
        db_bind_text(st, 1, agency, -1);
        db_bind_text(st, 2, now, -1);
        if (note) db_bind_text(st, 3, note, -1); else db_bind_null(st, 3);
        db_bind_int64(st, 4, id);
        rc = db_step_done(st, err);
        db_finalize(st);
    }
    if (rc) {
        db_rollback(e->db);
        return rc;
    }
    return db_commit(e->db, err);
}

int ews_alert_ack(ews_t *e, const store_scope *scope, int64_t id, const char *agency, pu_err *err) {
    return alert_transition(e, scope, id, agency, NULL, 0, err);
}

int ews_alert_close(ews_t *e, const store_scope *scope, int64_t id, const char *agency, const char *note, pu_err *err) {
    return alert_transition(e, scope, id, agency, note, 1, err);
}

/* ---- weekly counts and the aberration scan ------------------------------- */

/* Counts for people: 3 significant digits, and "<0.01" instead of 3.8e-12. */
static void fmt_count(char *b, size_t n, double v) {
    if (v > 0 && v < 0.01) snprintf(b, n, "<0.01");
    else snprintf(b, n, "%.3g", v);
}

static int64_t monday_of(int64_t day) { return day - (((day + 4) % 7 + 7) % 7 + 6) % 7; }

int ews_counts_from_store(ews_t *e, const store_scope *scope, const char *substance, const char *placep,
                          ews_counts **out, pu_err *err) {
    *out = NULL;
    int rc = substance_exists(e->db, substance, err);
    if (rc) return rc;
    db_stmt *st;
    rc = db_prepare(e->db, "SELECT DISTINCT r.id, r.week, r.place, r.owner, r.marking FROM ews_detection d "
                           "JOIN ews_report r ON r.id = d.report WHERE d.substance = ? ORDER BY r.week", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, substance, -1);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    pu_vec weeks = PU_VEC_INIT(int64_t, 0);
    int s;
    size_t plen = placep ? strlen(placep) : 0;
    while ((s = db_step(st, err)) == DB_ROW) {
        if (!store_visible(scope, db_col_text(st, 3), db_col_text(st, 4))) continue;
        const char *pl = db_col_text(st, 2);
        if (plen && !(strncmp(pl, placep, plen) == 0 && (pl[plen] == 0 || pl[plen] == '-' || pl[plen] == '/'))) continue;
        int64_t w = db_col_int64(st, 1);
        int vr = pu_vec_push(&weeks, &w, sizeof w);
        if (vr) { s = vr; break; }
        if (w < lo) lo = w;
        if (w > hi) hi = w;
    }
    db_finalize(st);
    if (s != DB_DONE) {
        pu_vec_free(&weeks);
        return vec_fail(s, err);
    }
    size_t n = weeks.len;
    ews_counts *c = calloc(1, sizeof *c);
    size_t len = n ? (size_t)((hi - lo) / 7 + 1) : 0;
    if (c && len) {
        c->y = calloc(len, sizeof *c->y);
        c->days = calloc(len, sizeof *c->days);
        c->week = calloc(len, sizeof *c->week);
    }
    if (!c || (len && (!c->y || !c->days || !c->week))) {
        ews_counts_free(c);
        pu_vec_free(&weeks);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    c->n = len;
    for (size_t i = 0; i < len; i++) {
        c->days[i] = lo + 7 * (int64_t)i;
        c->week[i] = (int64_t)i + 1;
    }
    const int64_t *wk = weeks.data;
    for (size_t i = 0; i < n; i++) c->y[(wk[i] - lo) / 7] += 1;
    pu_vec_free(&weeks);
    *out = c;
    return PU_OK;
}

/* Marking of an aberration alert: SHARED when every report behind the alarm
 * week is PUBLIC/SHARED; otherwise the strictest marking among them, owned by
 * that report's owner, so an alert never reveals more than its evidence. */
static int week_marking(db_t *db, const char *sid, const char *state, int64_t week, char *owner, char *marking,
                        pu_err *err) {
    db_stmt *st;
    pu_strlcpy(owner, "EWS", 32);
    pu_strlcpy(marking, "SHARED", 16);
    int rc = db_prepare(db, "SELECT DISTINCT r.owner, r.marking FROM ews_detection d JOIN ews_report r ON r.id = d.report "
                            "WHERE d.substance = ? AND r.state = ? AND r.week = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, sid, -1);
    db_bind_text(st, 2, state, -1);
    db_bind_int64(st, 3, week);
    int rank = 0, s;
    while ((s = db_step(st, err)) == DB_ROW) {
        const char *m = db_col_text(st, 1);
        int r = strcmp(m, "AGENCY-ONLY") == 0 ? 3 : (strcmp(m, "US-ONLY") == 0 || strcmp(m, "MX-ONLY") == 0) ? 2 : 0;
        if (r == 2 && rank == 2 && strcmp(marking, m) != 0) r = 3; /* US-ONLY and MX-ONLY together */
        if (r > rank) {
            rank = r;
            pu_strlcpy(owner, db_col_text(st, 0), 32);
            pu_strlcpy(marking, r == 3 ? "AGENCY-ONLY" : m, 16);
        }
    }
    db_finalize(st);
    return s == DB_DONE ? PU_OK : s;
}

int ews_scan(ews_t *e, const ews_params *p, const char *until, int last_weeks, int64_t *raised, int64_t *too_short,
             pu_err *err) {
    *raised = 0;
    if (too_short) *too_short = 0;
    int64_t until_day = INT64_MAX;
    if (until && pu_parse_date(until, &until_day) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, NULL, "until", "expected an ISO date YYYY-MM-DD, got '%s'", until);
    int64_t lo = 0, hi = 0;
    int rc = db_query_int64(e->db, "SELECT COALESCE(MIN(week), 0) FROM ews_report", NULL, &lo, err);
    if (!rc) rc = db_query_int64(e->db, "SELECT COALESCE(MAX(week), 0) FROM ews_report", NULL, &hi, err);
    if (rc) return rc;
    if (until) hi = monday_of(until_day);
    if (hi < lo) return PU_OK;
    size_t len = (size_t)((hi - lo) / 7 + 1);
    if (last_weeks < 1) last_weeks = 1;
    db_stmt *st;
    rc = db_prepare(e->db, "SELECT d.substance, r.state, r.week, COUNT(DISTINCT r.id) FROM ews_detection d "
                           "JOIN ews_report r ON r.id = d.report WHERE d.substance IS NOT NULL AND r.state <> '' "
                           "AND r.week <= ? GROUP BY d.substance, r.state, r.week ORDER BY 1, 2, 3", &st, err);
    if (rc) return rc;
    db_bind_int64(st, 1, hi);
    typedef struct { char sid[64], state[16]; int64_t week, n; } cell;
    pu_vec cv = PU_VEC_INIT(cell, 0);
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        cell c = {"", "", db_col_int64(st, 2), db_col_int64(st, 3)};
        pu_strlcpy(c.sid, db_col_text(st, 0), sizeof c.sid);
        pu_strlcpy(c.state, db_col_text(st, 1), sizeof c.state);
        int vr = pu_vec_push(&cv, &c, sizeof c);
        if (vr) { s = vr; break; }
    }
    db_finalize(st);
    if (s != DB_DONE) {
        pu_vec_free(&cv);
        return vec_fail(s, err);
    }
    const cell *cells = cv.data;
    size_t nc = cv.len;
    double *y = calloc(len, sizeof *y);
    int64_t *days = calloc(len, sizeof *days);
    importer im;
    if (!y || !days) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!rc) rc = importer_init(&im, e, err);
    if (!rc) rc = db_begin(e->db, err);
    int began = rc == PU_OK;
    for (size_t i = 0; i < len && !rc; i++) days[i] = lo + 7 * (int64_t)i;
    for (size_t a = 0; a < nc && !rc;) {
        size_t b = a;
        memset(y, 0, len * sizeof *y);
        while (b < nc && strcmp(cells[b].sid, cells[a].sid) == 0 && strcmp(cells[b].state, cells[a].state) == 0) {
            y[(cells[b].week - lo) / 7] = (double)cells[b].n;
            b++;
        }
        ews_series ser = {len, y, days};
        ews_result *res = NULL;
        pu_err derr;
        int drc = ews_detect(&ser, p, &res, &derr);
        if (drc != PU_OK && too_short) (*too_short)++;      /* too short a history: no verdict, counted */
        if (drc == PU_OK) {
            for (size_t t = len > (size_t)last_weeks ? len - (size_t)last_weeks : 0; t < len && !rc; t++) {
                if (t < res->from || res->alarm[t] != 1) continue;
                substance_info si;
                place pl;
                char wk[16], dedup[256], owner[32], marking[16];
                pu_format_date(days[t], wk, sizeof wk);
                if ((rc = substance_get(e->db, cells[a].sid, &si, err))) break;
                if ((rc = place_lookup(e->db, cells[a].state, &pl, err))) break;
                if ((rc = week_marking(e->db, cells[a].sid, cells[a].state, days[t], owner, marking, err))) break;
                snprintf(dedup, sizeof dedup, "aberration|%s|%s|%s|%s", cells[a].sid, cells[a].state, wk,
                         ews_method_name(p->method));
                alert_in al = {.kind = "aberration", .substance = cells[a].sid, .place = cells[a].state, .week = wk,
                               .method = ews_method_name(p->method), .owner = owner, .marking = marking,
                               .dedup = dedup, .observed = y[t], .expected = res->expected[t], .upper = res->upper[t]};
                al.severity = 1 + potent(si.cls) + (!isnan(res->upper[t]) && y[t] > 2 * res->upper[t] ? 1 : 0);
                char ub[32] = "n/a", ex[32] = "n/a";
                if (!isnan(res->upper[t])) fmt_count(ub, sizeof ub, res->upper[t]);
                if (!isnan(res->expected[t])) fmt_count(ex, sizeof ex, res->expected[t]);
                snprintf(al.evidence, sizeof al.evidence, "week %s: observed %.0f, expected %s, upper bound %s (%s)",
                         wk, y[t], ex, ub, ews_method_name(p->method));
                snprintf(al.en, sizeof al.en,
                         "Unusual rise of %s (%s) in %s (%s), week of %s: %.0f reports, expected %s, upper bound %s (%s).",
                         si.en, class_text(si.cls, 0), pl.name_en, cells[a].state, wk, y[t], ex, ub,
                         ews_method_name(p->method));
                snprintf(al.es, sizeof al.es,
                         "Aumento inusual de %s (%s) en %s (%s), semana del %s: %.0f informes, esperado %s, límite "
                         "superior %s (%s).",
                         si.es, class_text(si.cls, 1), pl.name_es, cells[a].state, wk, y[t], ex, ub,
                         ews_method_name(p->method));
                pu_strlcpy(al.addressed, pl.agencies, sizeof al.addressed);
                int added;
                rc = alert_add(&im, &al, &added, err);
                *raised += added;
            }
        }
        ews_result_free(res);
        a = b;
    }
    if (began) {
        if (rc) db_rollback(e->db);
        else rc = db_commit(e->db, err);
    }
    pu_vec_free(&cv);
    free(y);
    free(days);
    return rc;
}
