/*
 * ftm.h - the FollowTheMoney (FtM) entity model used throughout Puente.
 *
 * An entity is {id, schema, properties: {prop: [strings]}, datasets,
 * first_seen, last_seen} as OpenSanctions and Aleph publish it, plus Puente's
 * own fields: owner agency, marking (releasability), caveats, created, updated.
 *
 * Schemata (with FtM inheritance): Thing > LegalEntity > Person | Organization
 * > Company; Thing > Address, Sanction (Interval), Identification (Interval),
 * Vessel and Airplane (Vehicle), UnknownLink, Ownership, Directorship,
 * Membership, Family, Associate (Interval: relationships). Property names are
 * FtM's (name, alias, weakAlias, previousName, birthDate, birthPlace,
 * nationality, citizenship, gender, passportNumber, taxNumber, idNumber, ...);
 * see docs/ftm.md for the full table.
 *
 * Invariants of ftm_entity:
 *  - id and schema are non-NULL; schema names a known schema;
 *  - every property name is valid for the schema (checked on add);
 *  - property values are non-empty, unique within the property, in insertion
 *    order; properties are in insertion order.
 * Ownership: an ftm_entity owns all of its strings; free with ftm_entity_free.
 */
#ifndef PU_FTM_H
#define PU_FTM_H

#include <stddef.h>
#include "common/pu.h"

/* Property types (a subset of FtM's type system). */
enum ftm_type {
    FTM_STRING = 0, FTM_NAME, FTM_DATE, FTM_COUNTRY, FTM_IDENTIFIER, FTM_ENTITY,
    FTM_ADDRESS, FTM_GENDER, FTM_TEXT, FTM_URL, FTM_NUMBER, FTM_TOPIC, FTM_EMAIL, FTM_PHONE
};

typedef struct ftm_schema ftm_schema; /* static registry entry; never freed */

/* Look up a schema by exact name; NULL if unknown. */
const ftm_schema *ftm_schema_get(const char *name);
const char *ftm_schema_name(const ftm_schema *s);
/* 1 if s is `ancestor` or inherits from it (Person is_a LegalEntity). */
int ftm_schema_is_a(const ftm_schema *s, const char *ancestor);
/* Type of `prop` on schema s (inherited included), or -1 if s has no such prop. */
int ftm_schema_prop_type(const ftm_schema *s, const char *prop);
/* NULL-terminated list of all schema names (static). */
const char *const *ftm_schema_names(void);

/* ---- additive registry helpers (store branch) ---- */
/* 1 if s is abstract in FtM (Thing, Interval, Value): no entity may have it. */
int ftm_schema_abstract(const ftm_schema *s);
/* 1 if s is "matchable" in FtM (a screening target: LegalEntity and below,
 * Vehicle, Vessel, Airplane). */
int ftm_schema_matchable(const ftm_schema *s);
/* Number of properties of s, inherited included. */
size_t ftm_schema_prop_count(const ftm_schema *s);
/* The i-th property of s in name order (NULL past the end); its type in *type
 * when type is non-NULL. Static storage. */
const char *ftm_schema_prop_at(const ftm_schema *s, size_t i, int *type);
/* FtM's name of a property type ("name", "date", ...); "unknown" if out of range. */
const char *ftm_type_name(int type);

typedef struct ftm_prop {
    char *name;
    char **values;
    size_t n, cap;
} ftm_prop;

typedef struct ftm_entity {
    char *id;
    char *schema;
    ftm_prop *props;
    size_t nprops, props_cap;
    char **datasets;
    size_t ndatasets, datasets_cap;
    char *first_seen, *last_seen;   /* ISO timestamps or NULL */
    char *owner;                    /* owning agency acronym, e.g. "OFAC" */
    char *marking;                  /* PUBLIC, SHARED, US-ONLY, MX-ONLY, AGENCY-ONLY */
    char *caveats;                  /* handling caveats, e.g. "LES"; may be NULL */
    char *created, *updated;        /* set by the store */
} ftm_entity;

/* Longest accepted entity id, in bytes. */
#define FTM_ID_MAX 1024

/* Create an empty entity. Errors: PU_ERR_INVALID (empty id or invalid UTF-8,
 * unknown schema: the message names it, abstract schema such as Thing),
 * PU_ERR_LIMIT (id over FTM_ID_MAX bytes), PU_ERR_NOMEM. */
int ftm_entity_new(const char *id, const char *schema, ftm_entity **out, pu_err *err);
void ftm_entity_free(ftm_entity *e);
/* Deep copy. */
int ftm_entity_clone(const ftm_entity *e, ftm_entity **out);

/* Add a value to a property. Surrounding whitespace is stripped (as FtM
 * does); blank values and duplicates are ignored (PU_OK). Values must be
 * valid UTF-8.
 * Errors: PU_ERR_INVALID (property not in the schema, invalid UTF-8),
 * PU_ERR_LIMIT (value over 64 KiB), PU_ERR_NOMEM. */
int ftm_entity_add(ftm_entity *e, const char *prop, const char *value, pu_err *err);
/* The property, or NULL if the entity has no value for it. */
const ftm_prop *ftm_entity_prop(const ftm_entity *e, const char *prop);
/* First value of a property, or NULL. */
const char *ftm_entity_first(const ftm_entity *e, const char *prop);
int ftm_entity_add_dataset(ftm_entity *e, const char *dataset);
/* Set one of the scalar string fields (owner, marking, ...): copies value. */
int ftm_entity_set(char **field, const char *value);
/* Display caption: first name, else the first of a schema-specific property
 * (full address, program, ...), else the id. Never NULL. */
const char *ftm_entity_caption(const ftm_entity *e);

/*
 * Validate and normalise the typed values of e in place, with the shared
 * parsers (common/pu_parse.h, docs/input.md), for entities that come from
 * outside (imports, uploads, API writes; not rows read back from the store):
 *  - date properties: ISO 8601 "YYYY", "YYYY-MM", "YYYY-MM-DD" or a date-time;
 *    impossible dates refused; birthDate, deathDate and incorporationDate
 *    not in the future; deathDate not before birthDate;
 *  - country properties: ISO codes or EN/ES names, normalised to the
 *    lower-case alpha-2 code ("mexico" -> "mx"), or one of FtM's own
 *    territory codes ("zz", "eu", "suhh", "ge-ab", ...).
 * Errors: PU_ERR_INVALID with where = the entity id and field = the property
 * (the message quotes the value and names the expected form), PU_ERR_NOMEM.
 */
int ftm_entity_check_values(ftm_entity *e, pu_err *err);

/* Serialise as one line of FtM JSON (no newline). `with_puente` adds the
 * Puente fields ("owner", "marking", "caveats", "created", "updated").
 * *out is owned by the caller (free()). */
int ftm_entity_to_json(const ftm_entity *e, int with_puente, char **out);
/* Same, appended to b (which the caller owns and may reuse between calls:
 * the fast path for exports). Errors: PU_ERR_NOMEM, PU_ERR_LIMIT (b->max). */
int ftm_entity_to_json_buf(const ftm_entity *e, int with_puente, pu_buf *b);
/* Parse one FtM JSON object. Unknown top-level keys are ignored (FtM exports
 * carry "caption", "referents", "target"...). Errors name the field:
 * PU_ERR_INVALID for bad JSON, missing id/schema, unknown schema/property,
 * non-string values. */
int ftm_entity_from_json(const char *json, size_t len, ftm_entity **out, pu_err *err);

#endif
