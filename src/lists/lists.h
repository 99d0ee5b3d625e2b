/*
 * lists.h - designation lists as configured SOURCES, each successful load a
 * VERSION with its DELTA (added, removed, changed entities). docs/lists.md.
 *
 * A source names a publisher's export (format, file path or http(s)/file://
 * URL), the dataset its entities go into, the topics they carry (FtM
 * `topics`: sanction, crime, wanted, role.pep, debarment, ...) and the
 * largest share of the dataset an update may remove (the shrink guard).
 *
 * lists_update: fetch -> parse everything into memory (validation: a file
 * that is not well-formed, a CSV cut inside a record, fewer records than the
 * file's own count, a shrink over the source's share) -> only then, in ONE
 * transaction: replace the dataset's entities, record the version and its
 * delta. A refused update leaves the store and the previous version as they
 * were.
 *
 * The tables lists_source, lists_version and lists_delta describe public
 * lists (no owner, no marking): every reader may see them. The entities
 * themselves are in the entity store, marking PUBLIC, without owner (local
 * reference data, docs/federation.md), read through store_scope_sql as any.
 *
 * Ownership: structures filled through out-parameters are the caller's;
 * lists_parsed is freed with lists_parsed_free (NULL-safe).
 */
#ifndef PU_LISTS_H
#define PU_LISTS_H

#include <stdint.h>
#include <stdio.h>
#include "common/pu.h"
#include "common/pu_report.h"
#include "db/db.h"
#include "ftm/ftm.h"
#include "store/store.h"

/* An update may remove at most this share of the dataset's entities unless
 * the source says otherwise: publishers delist a handful of entries per
 * release; a tenth gone means a cut-off or wrong file. */
#define LISTS_SHRINK_DEFAULT 0.10
/* Fewer entities than this in the dataset: no shrink guard (a tiny list
 * may legitimately lose half its entries). */
#define LISTS_SHRINK_MIN_BASE 20
/* Largest export accepted (bytes): the full OFAC SDN XML is ~100 MB. */
#define LISTS_FILE_MAX ((size_t)512 << 20)
/* Download time limit (seconds) for one source. */
#define LISTS_FETCH_TIMEOUT_S 600
/* The default screening scope (screen.h): entities with this topic. */
#define LISTS_TOPIC_SANCTION "sanction"

/* ---- sources ---- */

typedef struct lists_source {
    char name[64];        /* "un_sc": lower-case letters, digits, '_' */
    char format[32];      /* lists_formats() */
    char location[1024];  /* file path, file:// or http(s):// URL (ofac_csv: a directory) */
    char dataset[64];     /* dataset name of the entities; default = name */
    char topics[256];     /* comma-separated FtM topics; default "sanction" */
    char mapping[1024];   /* generic_csv: path of the mapping file; else "" */
    double shrink;        /* largest share an update may remove, 0..1 */
    char created[32];
} lists_source;

/* The formats, NULL-terminated: ofac_csv, ofac_xml, un_xml, eu_xml, eu_csv,
 * uk_csv, uk_xml, generic_csv, ftm. Static. */
const char *const *lists_formats(void);

/* Tables up to date (run once by the module registry). Errors: PU_ERR_DB. */
int lists_migrate(db_t *db, pu_err *err);

/* Add or replace a source (by name). Empty dataset/topics get the defaults;
 * shrink < 0 gets LISTS_SHRINK_DEFAULT. Errors: PU_ERR_INVALID (bad name,
 * unknown format, empty location, shrink > 1, generic_csv without mapping;
 * field names the option), PU_ERR_DB. */
int lists_source_add(db_t *db, const lists_source *src, pu_err *err);
/* The source named name. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int lists_source_get(db_t *db, const char *name, lists_source *out, pu_err *err);
/* Every source in name order; cb returns non-zero to stop. Errors: PU_ERR_DB. */
typedef int (*lists_source_cb)(const lists_source *s, void *ctx);
int lists_source_list(db_t *db, lists_source_cb cb, void *ctx, pu_err *err);

/* ---- parsing (one function per format; lists_parse dispatches) ---- */

typedef struct lists_parsed {
    ftm_entity **ents;    /* owned */
    size_t n, cap;
    char published[32];  /* publication date from the file (ISO), or "" */
    int64_t declared;     /* the file's own record count, or -1 */
    int64_t records;      /* designation records read (persons, entities...) */
    int64_t rejected;     /* records skipped as malformed (see notes) */
    char note[512];       /* the first rejection, "file:line: reason" */
    pu_report report;     /* every rejection, file:line and reason (docs/input.md); its
                             diag is lists_update_opts.diag or NULL */
} lists_parsed;

/* Parse the export at path (a local file; ofac_csv: a directory) in format,
 * with the source's dataset and topics stamped on every entity (ids are
 * "<dataset>-<publisher id>"). Everything is checked before anything is
 * returned. Errors: PU_ERR_IO (missing file), PU_ERR_INVALID (not
 * well-formed, cut off, wrong root element, count below the declared one,
 * a mapping that names no name column: where = file[:line], field, what was
 * expected), PU_ERR_LIMIT (file over LISTS_FILE_MAX), PU_ERR_NOMEM. */
int lists_parse(const lists_source *src, const char *path, lists_parsed **out, pu_err *err);
/* The same over bytes in memory (fuzzing, tests); not for ofac_csv. */
int lists_parse_mem(const lists_source *src, const char *data, size_t n, lists_parsed **out, pu_err *err);
void lists_parsed_free(lists_parsed *p);

/* The content hash the delta compares: SHA-256 over the schema and the
 * properties in name order with their values in byte order (so the order a
 * publisher writes them in does not matter; ids, datasets and times are not
 * content). Hex into out (65 bytes). Errors: PU_ERR_NOMEM. */
int lists_entity_hash(const ftm_entity *e, char *out);

/* ---- fetch ---- */

/* Copy the source's location to the local file dest: a plain path or
 * file:// URL is copied, http(s):// is downloaded with libcurl (redirects
 * followed, HTTP status >= 400 an error, LISTS_FILE_MAX enforced). sha256
 * (65 bytes) gets the hex digest of the bytes. Errors: PU_ERR_IO (no such
 * file, network or HTTP error; the message names the URL), PU_ERR_LIMIT. */
int lists_fetch(const char *location, const char *dest, char *sha256, pu_err *err);

/* ---- versions and deltas ---- */

typedef struct lists_version {
    int64_t id;
    char source[64], dataset[64];
    char published[32];   /* from the file, or "" */
    char fetched[32];     /* ISO time of the load */
    char sha256[65];
    int64_t entities;     /* entities of the dataset after the load */
    int64_t added, removed, changed;
    int forced;           /* 1: loaded with --force past the shrink guard */
    int64_t rejected;     /* records of the file skipped as malformed */
    char note[512];       /* the first of them (this load only; not stored) */
} lists_version;

typedef struct lists_update_opts {
    int force;            /* 1: ignore the shrink guard (never a malformed file) */
    const char *location; /* NULL: the source's; else load this instead (tests) */
    FILE *diag;           /* NULL, or where each skipped record is named as it is read */
} lists_update_opts;

/* Fetch, validate and load one source (see the header comment). *out gets
 * the new version. With nothing changed (same sha256 as the latest version)
 * a version is still recorded, with an empty delta, so the check is visible.
 * Errors: those of lists_fetch and lists_parse; PU_ERR_CONFLICT (shrink
 * over the source's share without force: nothing written), PU_ERR_DB. */
int lists_update(store_t *st, const lists_source *src, const lists_update_opts *o, lists_version *out,
                 pu_err *err);
/* lists_update's first half, with no transaction open: fetch and parse
 * (sha256: 65 bytes). *out is the caller's (lists_parsed_free). Errors:
 * those of lists_fetch and lists_parse. */
int lists_prepare(const lists_source *src, const lists_update_opts *o, lists_parsed **out, char *sha256,
                  pu_err *err);
/* Load an already parsed list as a version of src (lists_update's second
 * half; sha256 may be ""). Runs in the caller's transaction when one is open
 * (store_begin: an API request writes its audit entry in it), else in its
 * own. Same errors. */
int lists_load(store_t *st, const lists_source *src, const lists_parsed *p, const char *sha256, int force,
               lists_version *out, pu_err *err);

/* The import summary of a load (docs/input.md): read = entities of the file
 * + rejected records, written = added + changed, unchanged = the rest; the
 * caller prints it with pu_report_print. label must outlive r. */
void lists_version_report(const lists_version *v, const char *label, pu_report *r);

/* Versions, newest first (source NULL: all). cb returns non-zero to stop.
 * Errors: PU_ERR_DB. */
typedef int (*lists_version_cb)(const lists_version *v, void *ctx);
int lists_versions(db_t *db, const char *source, lists_version_cb cb, void *ctx, pu_err *err);
/* One version. Errors: PU_ERR_NOTFOUND, PU_ERR_DB. */
int lists_version_get(db_t *db, int64_t id, lists_version *out, pu_err *err);
/* The version of the same source before v (0 in *prev when none). */
int lists_version_prev(db_t *db, const lists_version *v, int64_t *prev, pu_err *err);

/* One entry of a delta. */
typedef struct lists_change {
    const char *entity_id, *change /* added|removed|changed */, *schema, *caption;
} lists_change;
typedef int (*lists_change_cb)(const lists_change *c, void *ctx);
/* The changes from version `from` to version `to` of one source: with from
 * = 0 the delta recorded with `to` (against its predecessor); else the
 * composition of the recorded deltas after from up to to (an entity added
 * then removed is absent; added then changed is added). In entity id order.
 * Errors: PU_ERR_NOTFOUND (no such version), PU_ERR_INVALID (versions of
 * different sources, from after to), PU_ERR_DB. */
int lists_diff(db_t *db, int64_t from, int64_t to, lists_change_cb cb, void *ctx, pu_err *err);
/* lists_diff written as "csv" (header entity_id,change,schema,caption),
 * "json" (one array) or "text" (one line per change for people).
 * Errors: lists_diff's, PU_ERR_INVALID (unknown format). */
int lists_write_diff(db_t *db, int64_t from, int64_t to, const char *format, FILE *out, pu_err *err);

#endif
