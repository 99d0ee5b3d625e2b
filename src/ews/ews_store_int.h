/*
 * ews_store_int.h - internals shared by the persistent-EWS files
 * (ews_store.c, ews_vocab.c, ews_import.c, ews_first.c, ews_alert.c,
 * ews_queue.c, ews_scan.c). Not a public contract.
 */
#ifndef PU_EWS_STORE_INT_H
#define PU_EWS_STORE_INT_H

#include "db/db.h"
#include "db/db_sql.h"
#include "ews/ews.h"

struct ews {
    db_t *db;
};

/* ---- vocabulary and places loaders (ews_vocab.c) ---- */
int ews_vocab_load_db(db_t *db, const char *path, int64_t *loaded, pu_err *err);
/* The same from n bytes at data (not copied); name is used in messages. */
int ews_vocab_load_mem(db_t *db, const char *name, const char *data, size_t n, int64_t *loaded, pu_err *err);
int ews_places_load_mem(db_t *db, const char *name, const char *data, size_t n, pu_err *err);
int ews_synonym_add_db(db_t *db, const char *id, const char *name, const char *lang, const char *owner,
                       const char *marking, pu_err *err);
int ews_class_valid(const char *c);

/* ---- shared helpers (ews_store.c) ---- */
/* A pu_vec failure as a message (other codes are db_step's, already told). */
int ews_vec_fail(int code, pu_err *err);
/* The canonical id of a normalised name (caller frees) when the synonym and
 * its substance are visible to scope (a reader, or the audience of a report
 * being linked). Errors: PU_ERR_NOTFOUND (quiet), DB. */
int ews_resolve_norm(db_t *db, const store_scope *scope, const char *norm, char **id, pu_err *err);
/* Append to q the condition "the ';'-separated list in column `col`
 * contains `item`" (one binding; LIKE with the item's wildcards escaped, so
 * it runs on SQLite and PostgreSQL alike). */
int ews_sql_in_list(db_sql *q, const char *col, const char *item);
/* Append "column `col` is the place `prefix` or lies under it" ("MX" covers
 * "MX-SIN" and "MX-SIN/Culiacan"; "MX-SIN" covers "MX-SIN/Culiacan"). */
int ews_sql_place_under(db_sql *q, const char *col, const char *prefix);
/* PU_OK when substance id exists and scope may see it, else
 * PU_ERR_NOTFOUND naming it. */
int ews_substance_exists(db_t *db, const store_scope *scope, const char *id, pu_err *err);

typedef struct substance_info {
    char id[64], en[96], es[96], cls[32];
} substance_info;
int ews_substance_get(db_t *db, const char *id, substance_info *s, pu_err *err);
/* The class as words, English (es = 0) or Spanish. Static string. */
const char *ews_class_text(const char *cls, int es);
/* 1 for the classes whose alerts get one severity step more. */
int ews_potent(const char *cls);

/* A place: "US", "MX-SIN", or "MX-SIN/Culiacán". */
typedef struct place {
    char code[64], state[16], country[4], name_en[96], name_es[96], agencies[256];
} place;
/* Errors: PU_ERR_INVALID (unknown or malformed code), DB. */
int ews_place_lookup(db_t *db, const char *code, place *p, pu_err *err);

/* ---- reports and the import batch (ews_import.c) ---- */
extern const char *const ews_type_en[];
extern const char *const ews_type_es[];
/* Index of a report type in the tables above, -1 when unknown. */
int ews_type_index(const char *t);

/* One run that writes alerts: an import, a queue resolution or a scan. */
typedef struct importer {
    ews_t *e;
    int64_t batch;
    char now[32];
    ews_import_stats st;
    int mem;                 /* reading from memory: "record N" places, not "file:line" */
    const char *name;        /* memory input: prefix of the places in messages (may be NULL) */
    const char *owner;       /* non-NULL: every report is filed as this agency */
    const store_scope *scope;/* non-NULL: the filer; markings checked with store_check_file */
    pu_buf *ids;             /* non-NULL: the stored ids of imported reports are appended */
    int64_t today;           /* day future dates are judged against */
    int partial;             /* bad records are refused alone (else all or nothing) */
    int baseline;            /* history: no alerts, recent reports refused */
    FILE *report;            /* one line per refused / repeated record, or NULL */
    struct pu_dupset *seen;  /* report ids of this input -> where first seen */
    pu_err first;            /* the first refused record's error */
    int first_rc;
} importer;
/* Start a run: the next batch number, the time stamp. Errors: DB. */
int ews_importer_init(importer *im, ews_t *e, pu_err *err);

/* ---- alerts (ews_alert.c) ---- */
typedef struct alert_in {
    const char *kind, *substance, *place, *week, *method, *owner, *marking, *dedup;
    int severity;
    double observed, expected, upper;
    char evidence[512], en[512], es[512], addressed[256];
} alert_in;
/* Insert an alert unless its dedup key exists; *added = 1 when inserted. */
int ews_alert_add(importer *im, alert_in *a, int *added, pu_err *err);

/* ---- audiences and first detection (ews_first.c) ---- */
/* Who may read a report: the readers every derived fact about it must be
 * computed for (docs/ews.md "First detection"). PUBLIC/SHARED -> everyone
 * (EWS, SHARED); US-ONLY / MX-ONLY -> that country (EWS, X-ONLY);
 * AGENCY-ONLY -> the owner (owner, AGENCY-ONLY). */
typedef struct audience {
    char owner[32];          /* owner of records derived for the audience */
    store_marking marking;   /* their marking */
    char country[4];         /* the audience as a reader: "" = no country */
    char agency[32];         /* "" = no agency (a whole country or everyone) */
} audience;
int ews_audience_of(importer *im, const char *owner, const char *marking, audience *a, pu_err *err);
/* The audience as a reader scope (points into *au). */
store_scope ews_audience_scope(const audience *au);

/* Run first detection over the detections selected by `where_sql` (one int
 * parameter), in date order. */
int ews_first_detections(importer *im, const char *where_sql, int64_t param, pu_err *err);
/* The same without alerts: first-seen marks only (ews import --baseline). */
int ews_first_marks(importer *im, const char *where_sql, int64_t param, pu_err *err);
/* After the migration to per-audience marks (ews_first_seen): when there are
 * no marks yet but linked detections exist, leave the marks of every linked
 * detection without raising alerts. Idempotent. Errors: DB. */
int ews_first_backfill(ews_t *e, pu_err *err);

#endif
