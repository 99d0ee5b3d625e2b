/*
 * ews_import.c - report intake: CSV, JSON lines and JSON arrays from files or
 * memory, validated record by record, all or nothing, then first detection.
 */
#include "ews/ews.h"
#include "ews/ews_store_int.h"
#include "common/pu_io.h"
#include "common/pu_parse.h"
#include "common/pu_report.h"
#include "common/pu_vec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reports ------------------------------------------------------------ */

#define MAX_SUBST 32
typedef struct report {
    char id[128], date[16], place[64], agency[32], type[32], matrix[32], owner[32], marking[16];
    store_marking mk;          /* marking, parsed */
    int64_t day;
    double quantity, purity;   /* NAN when unknown */
    int nsub;
    char sub[MAX_SUBST][256];
    char subs_joined[4096];
} report;

static const char *const report_types[] = {"seizure-lab", "toxicology-postmortem", "toxicology-clinical", "ed-visit",
                                           "drug-checking"};
const char *const ews_type_en[] = {"seizure laboratory result", "post-mortem toxicology", "clinical toxicology",
                                      "emergency-department visit", "drug-checking result"};
const char *const ews_type_es[] = {"resultado de laboratorio de aseguramiento", "toxicología post mortem",
                                      "toxicología clínica", "visita a urgencias", "resultado de análisis de sustancias"};
static const char *const matrices[] = {"powder", "tablet", "capsule", "liquid", "plant-material", "blotter",
                                       "residue", "blood", "urine", "oral-fluid", "vitreous", "hair", "tissue",
                                       "other"};

int ews_type_index(const char *t) {
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

static int report_from(void *src, field_fn get, report *r, const importer *im, const char *where, pu_err *err) {
    int64_t today = im->today;
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
    if (pu_date_parse_days(r->date, where, "date", &r->day, err) != PU_OK) return PU_ERR_INVALID;
    if (r->day > today + EWS_FUTURE_TOLERANCE_DAYS) {
        char t[16];
        pu_format_date(today, t, sizeof t);
        return pu_fail(err, PU_ERR_INVALID, where, "date", "date %s is in the future (today is %s, UTC)", r->date, t);
    }
    if (im->baseline && r->day > today - EWS_BASELINE_MIN_AGE_DAYS)
        return pu_fail(err, PU_ERR_INVALID, where, "date",
                       "date %s is within %d days of today: a baseline holds history only; import recent reports "
                       "without --baseline so they can alert", r->date, EWS_BASELINE_MIN_AGE_DAYS);
    if (ews_type_index(r->type) < 0)
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
    if (!*r->marking) pu_strlcpy(r->marking, STORE_DEFAULT_MARKING, sizeof r->marking);
    if (store_marking_parse(r->marking, "marking", &r->mk, err) != PU_OK) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return PU_ERR_INVALID;
    }
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
static int report_exists(db_t *db, const report *r, int *same, int64_t *batch, const char *where, pu_err *err) {
    db_stmt *st;
    *same = -1;
    int rc = db_prepare(db, "SELECT date, place, source_agency, type, substances, owner, batch FROM ews_report WHERE id = ?", &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, r->id, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) {
        *same = strcmp(db_col_text(st, 0), r->date) == 0 && strcmp(db_col_text(st, 1), r->place) == 0 &&
                strcmp(db_col_text(st, 2), r->agency) == 0 && strcmp(db_col_text(st, 3), r->type) == 0 &&
                strcmp(db_col_text(st, 4), r->subs_joined) == 0 && strcmp(db_col_text(st, 5), r->owner) == 0;
        *batch = db_col_int64(st, 6);
        if (!*same)
            rc = pu_fail(err, PU_ERR_CONFLICT, where, "report_id",
                         "report '%s' was already imported with different content", r->id);
    } else if (s != DB_DONE) {
        rc = s;
    }
    db_finalize(st);
    return rc;
}

/* Queue an unknown name for the report's audience: one item per (name,
 * audience), so an item's count and first report never mix in reports its
 * readers may not see (docs/ews.md "Derived data"). */
static int queue_name(importer *im, const report *r, const audience *au, const char *name, const char *norm,
                      int64_t *qid, pu_err *err) {
    db_t *db = im->e->db;
    db_stmt *st;
    const char *mk = store_marking_name(au->marking);
    int rc = db_prepare(db, "INSERT INTO ews_queue(norm, name, count, first_report, status, owner, marking, created) "
                            "VALUES (?, ?, 1, ?, 'open', ?, ?, ?) "
                            "ON CONFLICT (norm, owner, marking) DO UPDATE SET count = ews_queue.count + 1",
                        &st, err);
    if (rc) return rc;
    db_bind_text(st, 1, norm, -1);
    db_bind_text(st, 2, name, -1);
    db_bind_text(st, 3, r->id, -1);
    db_bind_text(st, 4, au->owner, -1);
    db_bind_text(st, 5, mk, -1);
    db_bind_text(st, 6, im->now, -1);
    rc = db_step_done(st, err);
    db_finalize(st);
    if (rc) return rc;
    if ((rc = db_prepare(db, "SELECT id FROM ews_queue WHERE norm = ? AND owner = ? AND marking = ?", &st, err))) return rc;
    db_bind_text(st, 1, norm, -1);
    db_bind_text(st, 2, au->owner, -1);
    db_bind_text(st, 3, mk, -1);
    int s = db_step(st, err);
    if (s == DB_ROW) *qid = db_col_int64(st, 0);
    db_finalize(st);
    return s == DB_ROW ? PU_OK : s == DB_DONE ? pu_fail(err, PU_ERR_DB, NULL, "queue", "queued name not found") : s;
}

/* Append a stored id to the caller's list (comma-separated). A full list
 * is clipped, not an error: the audit detail carries the count. */
static int note_id(pu_buf *ids, const char *id, pu_err *err) {
    size_t len = ids->len;
    int rc = ids->len ? pu_buf_putc(ids, ',') : PU_OK;
    if (!rc) rc = pu_buf_puts(ids, id);
    if (rc == PU_ERR_NOMEM) return pu_fail(err, rc, NULL, "ids", "out of memory");
    if (rc) pu_buf_truncate(ids, len);
    return PU_OK;
}

/* Report ids live in the filing agency's namespace (store_id_in_namespace:
 * "R1" filed by DEA is stored as "dea-R1"), so one agency's ids never meet
 * another's: re-importing an id can only ever meet the importer's own
 * report, and the answer (skipped, conflict, imported) never depends on a
 * report the importer cannot see (docs/ews.md "Report ids"). An owner that
 * is not an agency acronym (a '-' in it, e.g. a health department named in
 * an operator's file) cannot have a namespace: its ids stay as given; only
 * the operator files for such owners. */
static int namespace_id(report *r, const char *where, pu_err *err) {
    if (strchr(r->owner, '-')) return PU_OK;
    char ns[sizeof r->id];
    if (store_id_in_namespace(r->owner, r->id, ns, sizeof ns, err) != PU_OK) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return PU_ERR_INVALID;
    }
    pu_strlcpy(r->id, ns, sizeof r->id);
    return PU_OK;
}

static int import_report(importer *im, report *r, const char *where, pu_err *err) {
    db_t *db = im->e->db;
    place pl;
    int rc = namespace_id(r, where, err);
    if (rc) return rc;
    rc = ews_place_lookup(db, r->place, &pl, err);
    if (rc) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return rc;
    }
    if (r->nsub == 0) return pu_fail(err, PU_ERR_INVALID, where, "substances", "expected at least one substance");
    int same;
    int64_t batch = 0;
    if ((rc = report_exists(db, r, &same, &batch, where, err))) return rc;
    if (same == 1) {
        /* the same report again: from this input a duplicate (reported), from
         * an earlier import unchanged (re-importing a file is harmless) */
        const char *first = NULL;
        int again = im->seen ? pu_dupset_add(im->seen, r->id, where, &first) : batch == im->batch;
        if (again < 0) return pu_fail(err, PU_ERR_NOMEM, where, NULL, "out of memory");
        if (again || batch == im->batch) {
            im->st.duplicate++;
            if (im->report)
                fprintf(im->report, pu_tr("puente: %s: field 'report_id': duplicate of %s (report '%s'); not imported again\n"),
                        where, first ? first : pu_tr("an earlier record of this input"), r->id);
        } else {
            im->st.unchanged++;
        }
        return PU_OK;
    }
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
    if (im->seen && pu_dupset_add(im->seen, r->id, where, NULL) < 0)
        return pu_fail(err, PU_ERR_NOMEM, where, NULL, "out of memory");
    im->st.reports++;
    if (im->ids && (rc = note_id(im->ids, r->id, err))) return rc;
    /* names are linked and queued for the report's audience: a name only
     * a hidden synonym knows stays unknown to the readers of this report */
    audience au;
    if ((rc = ews_audience_of(im, r->owner, r->marking, &au, err))) return rc;
    store_scope asc = ews_audience_scope(&au);
    for (int i = 0; i < r->nsub && !rc; i++) {
        char *norm = NULL, *id = NULL;
        int64_t qid = 0;
        rc = ews_normalize_name(r->sub[i], &norm, err);
        if (rc) {
            if (err) pu_strlcpy(err->where, where, sizeof err->where);
            break;
        }
        rc = ews_resolve_norm(db, &asc, norm, &id, err);
        if (rc == PU_ERR_NOTFOUND) {
            rc = queue_name(im, r, &au, r->sub[i], norm, &qid, err);
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
 * refused, so no agency files reports in another's name. With a filing
 * scope, the marking must be one the agency's country may hold
 * (store_check_file: a MX agency cannot file US-ONLY). */
static int file_as(const importer *im, void *src, field_fn get, report *r, const char *where, pu_err *err) {
    if (im->scope && store_check_file(im->scope, r->mk, err) != PU_OK) {
        if (err) pu_strlcpy(err->where, where, sizeof err->where);
        return PU_ERR_DENIED;
    }
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

/* A record-level refusal (bad value, conflict, denied, too long, unknown
 * place) does not end the import: it is counted, reported and remembered
 * (the first one is the import's error when it is all or nothing).
 * Anything else (the store, the file) ends it. Returns what ends it. */
static int record_done(importer *im, int rc, const pu_err *rec_err) {
    if (rc == PU_OK) return PU_OK;
    if (rc != PU_ERR_INVALID && rc != PU_ERR_LIMIT && rc != PU_ERR_CONFLICT && rc != PU_ERR_DENIED &&
        rc != PU_ERR_NOTFOUND)
        return rc;
    im->st.rejected++;
    if (!im->first_rc) {
        im->first = *rec_err;
        im->first_rc = rc;
    }
    if (im->report) {
        char msg[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 32];
        pu_err_format(rec_err, msg, sizeof msg);
        fprintf(im->report, "puente: %s\n", msg);
    }
    return PU_OK;
}

/* Import one validated report under its own savepoint, so a record refused
 * half-way (an unknown place, a conflict) leaves nothing behind. */
static int import_one(importer *im, report *r, const char *where, pu_err *err) {
    int rc = db_exec(im->e->db, "SAVEPOINT ews_record", err);
    if (rc) return rc;
    rc = import_report(im, r, where, err);
    if (rc) (void)db_exec(im->e->db, "ROLLBACK TO SAVEPOINT ews_record", NULL);
    int rc2 = db_exec(im->e->db, "RELEASE SAVEPOINT ews_record", rc ? NULL : err);
    return rc ? rc : rc2;
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
    for (;;) {
        pu_err re;
        pu_err_clear(&re);
        rc = pu_csv_next(r, &row, &re);
        if (rc == PU_OK && !row) break;
        im->st.read++;
        if (rc) { /* malformed quoting, a record over the cap: that record only */
            if ((rc = record_done(im, rc, &re))) { *err = re; return rc; }
            continue;
        }
        where_of(im, pu_csv_name(r), row->line, 0, where, sizeof where);
        src.row = row;
        if (row->n != ncols)
            rc = pu_fail(&re, PU_ERR_INVALID, where, NULL, "expected %zu fields like the header, got %zu", ncols, row->n);
        else if (!(rc = report_from(&src, csv_get, &rep, im, where, &re)) &&
                 !(rc = file_as(im, &src, csv_get, &rep, where, &re)) &&
                 !(rc = add_substance_list(&rep, csv_get(&src, "substances"), where, &re)))
            rc = import_one(im, &rep, where, &re);
        if ((rc = record_done(im, rc, &re))) { *err = re; return rc; }
    }
    return PU_OK;
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
    if (!rc) rc = report_from(&src, json_get, &rep, im, where, err);
    if (!rc) rc = file_as(im, &src, json_get, &rep, where, err);
    if (!rc) rc = json_substances(&rep, json_object_get(o, "substances"), where, err);
    if (!rc) rc = import_one(im, &rep, where, err);
    return rc;
}

static int import_jsonl(importer *im, pu_lines *l, pu_err *err) {
    const char *line;
    size_t len;
    uint64_t no, rec = 0;
    char where[PU_ERR_WHERE_MAX];
    int rc;
    for (;;) {
        pu_err re;
        pu_err_clear(&re);
        rc = pu_lines_next(l, &line, &len, &no, &re);
        if (rc == PU_OK && !line) break;
        if (rc == PU_OK && pu_blank(line)) continue;
        im->st.read++;
        if (rc == PU_OK) {
            where_of(im, pu_lines_name(l), no, ++rec, where, sizeof where);
            json_error_t je;
            json_t *o = json_loadb(line, len, 0, &je);
            if (!o) rc = pu_fail(&re, PU_ERR_INVALID, where, NULL, "expected one JSON object per line: %s", je.text);
            else rc = import_json_record(im, o, where, &re);
            json_decref(o);
        }
        if ((rc = record_done(im, rc, &re))) { *err = re; return rc; }
    }
    return PU_OK;
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
        pu_err re;
        pu_err_clear(&re);
        where_of(im, NULL, 0, k + 1, where, sizeof where);
        im->st.read++;
        rc = record_done(im, import_json_record(im, json_array_get(a, k), where, &re), &re);
        if (rc) *err = re;
    }
    json_decref(a);
    return rc;
}


int ews_importer_init(importer *im, ews_t *e, pu_err *err) {
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
        pu_lines_check_utf8(l, 1);
        rc = import_jsonl(im, l, err);
        pu_lines_close(l);
        return rc;
    }
    pu_csv *r;
    pu_csv_opts o = {.delim = ',', .max_record = 65536, .max_fields = 64, .strict_quotes = 1, .check_utf8 = 1};
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
    /* today: the shared pu_today() (UTC; PUENTE_TODAY fixes it for replays), or o->today */
    int64_t today = pu_today();
    if (o && o->today && pu_date_parse_days(o->today, NULL, "today", &today, err) != PU_OK) return PU_ERR_INVALID;
    int own = !db_in_tx(e->db);
    int rc = own ? db_begin(e->db, err) : db_exec(e->db, "SAVEPOINT ews_import", err);
    if (rc) return rc;
    importer im;
    rc = ews_importer_init(&im, e, err);
    im.mem = src->path == NULL;
    im.name = o ? o->name : NULL;
    im.owner = o ? o->owner : NULL;
    im.scope = o ? o->scope : NULL;
    im.ids = o ? o->ids : NULL;
    im.today = today;
    if (!rc && pu_dupset_new(&im.seen)) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    im.partial = o ? o->partial : 0;
    im.baseline = o ? o->baseline : 0;
    im.report = o ? o->report : NULL;
    if (!im.owner && im.scope && !im.scope->system) im.owner = im.scope->agency;
    if (!rc) rc = import_records(&im, src, err);
    /* nothing to import (a header without rows, blank lines) is refused */
    if (!rc && im.st.read == 0)
        rc = pu_fail(err, PU_ERR_INVALID, src->path ? src->path : (im.name ? im.name : "body"), NULL,
                     "no records: nothing to import");
    if (!rc && im.first_rc && !im.partial) {
        /* all or nothing: the first refused record, and how many there were */
        if (err) { /* NULL-safe like pu_fail (found by fuzz_ews_reports) */
            *err = im.first;
            size_t l = strlen(err->msg);
            snprintf(err->msg + l, sizeof err->msg - l, " (%lld of %lld records refused; nothing imported)",
                     (long long)im.st.rejected, (long long)im.st.read);
        }
        rc = im.first_rc;
    }
    /* a baseline (history) leaves the first-seen marks without alerting */
    if (!rc) rc = o && o->baseline ? ews_first_marks(&im, "r.batch = ?", im.batch, err)
                                   : ews_first_detections(&im, "r.batch = ?", im.batch, err);
    pu_dupset_free(im.seen);
    im.seen = NULL;
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
    ews_import_opts o = {.format = format};
    return ews_import_path(e, path, &o, stats, err);
}

int ews_import_path(ews_t *e, const char *path, const ews_import_opts *o, ews_import_stats *stats, pu_err *err) {
    import_src src = {.path = path};
    if (!path) return pu_fail(err, PU_ERR_INVALID, NULL, "path", "no input file given");
    if (o && o->scope && !o->scope->system && pu_blank(o->scope->agency))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "the importing agency is empty");
    int rc = parse_format(o ? o->format : NULL, path, &src.fmt, err);
    return rc ? rc : import_run(e, &src, o, stats, err);
}

int ews_import_mem(ews_t *e, const char *data, size_t n, const ews_import_opts *o, ews_import_stats *stats,
                   pu_err *err) {
    import_src src = {.data = data ? data : "", .n = data ? n : 0};
    if (o && o->owner && pu_blank(o->owner))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "the importing agency is empty");
    if (o && o->scope && !o->scope->system && pu_blank(o->scope->agency))
        return pu_fail(err, PU_ERR_INVALID, NULL, "owner", "the importing agency is empty");
    int rc = parse_format(o ? o->format : NULL, NULL, &src.fmt, err);
    return rc ? rc : import_run(e, &src, o, stats, err);
}
