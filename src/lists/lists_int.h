/*
 * lists_int.h - internals shared by the files of src/lists (never included
 * from outside the module).
 */
#ifndef PU_LISTS_INT_H
#define PU_LISTS_INT_H

#include "lists/lists.h"

/* Most designation records one export may hold (the biggest lists have
 * ~20k entries; a file with millions is not a designation list). */
#define LISTS_RECORDS_MAX 2000000

int lists_format_known(const char *f);

/* The state of one parse: the entities built so far and where we are. */
typedef struct lp_ctx {
    const lists_source *src;
    lists_parsed *p;
    const char *file;     /* name for messages */
    pu_err *err;
    const void *fctx;     /* the format's own state (generic_csv: its mapping) */
} lp_ctx;

/* A new entity "<dataset>-<native>" of schema, PUBLIC, in the source's
 * dataset; designated schemata (LegalEntity and below, Vessel, Airplane)
 * also get the source's topics. Errors: ftm_entity_new's. */
int lp_new(lp_ctx *c, const char *native, const char *schema, ftm_entity **out);
/* Add value to prop when the schema has it and the value is not blank
 * (surrounding space trimmed). Errors: PU_ERR_INVALID (bad UTF-8),
 * PU_ERR_LIMIT, PU_ERR_NOMEM. */
int lp_add(ftm_entity *e, const char *prop, const char *value, pu_err *err);
/* Add a date written ISO, "DD/MM/YYYY" (00 for unknown parts), "DD Mon
 * YYYY", "Mon YYYY" or "YYYY" as ISO; other text is ignored (returns PU_OK:
 * a date a publisher writes as "circa 1960-1962" stays in notes). */
int lp_add_date(ftm_entity *e, const char *prop, const char *value, pu_err *err);
/* A date as ISO into out (>= 11 bytes): ISO (a date-time keeps its date),
 * "DD/MM/YYYY" (mmdd: "MM/DD/YYYY"; 00 parts drop), OFAC's "DD Mon YYYY".
 * 1 when converted, 0 when v is none of these. */
int lists_iso_date(const char *v, int mmdd, char *out, size_t size);
/* Add a country given as ISO-2 code or English name (as lower-case code);
 * an unknown name is ignored. */
int lp_add_country(ftm_entity *e, const char *prop, const char *value, pu_err *err);
/* A Sanction entity "<id>-sanction" for entity e, with program(s) and
 * authority, appended to the result. */
int lp_sanction(lp_ctx *c, const ftm_entity *e, const char *const *programs, size_t nprog, const char *authority,
                const char *listed);
/* Append e to the result (takes ownership even on failure). */
int lp_push(lp_ctx *c, ftm_entity *e);
/* Record a skipped record: counted, the first kept in p->note. */
void lp_reject(lp_ctx *c, const pu_err *why);

/* The parsers. data/n: the file's bytes; name: for messages. */
int lists_parse_ofac_xml(lp_ctx *c, const char *data, size_t n);
int lists_parse_un_xml(lp_ctx *c, const char *data, size_t n);
int lists_parse_eu_xml(lp_ctx *c, const char *data, size_t n);
int lists_parse_eu_csv(lp_ctx *c, const char *data, size_t n);
int lists_parse_uk_csv(lp_ctx *c, const char *data, size_t n);
/* The UK Sanctions List XML (root Designations) or OFSI's ConList.xml. */
int lists_parse_uk_xml(lp_ctx *c, const char *data, size_t n);
int lists_parse_generic_csv(lp_ctx *c, const char *data, size_t n);
int lists_parse_ftm(lp_ctx *c, const char *data, size_t n);
/* ofac_csv reads a directory (sdn.csv or cons_prim.csv, ...). */
int lists_parse_ofac_csv(lp_ctx *c, const char *dir);

/* lists_parse with `name` for the file in messages (the source's location
 * when path is a downloaded copy) and diag for the report (NULL: silent). */
int lists_parse_named(const lists_source *src, const char *path, const char *name, FILE *diag, lists_parsed **out,
                      pu_err *err);
/* Fetch OFAC's four legacy CSV files from location (a directory or a base
 * URL) into dir under their SDN names (sdn.csv or cons_prim.csv, ...;
 * the comments file is optional). sha256: of the files' digests.
 * Errors: lists_fetch's. */
int lists_fetch_ofac(const char *location, const char *dir, char *sha256, pu_err *err);

/* Read a whole file (at most LISTS_FILE_MAX). *out is the caller's (free).
 * Errors: PU_ERR_IO, PU_ERR_LIMIT, PU_ERR_NOMEM. */
int lists_read_file(const char *path, char **out, size_t *n, pu_err *err);


#endif
