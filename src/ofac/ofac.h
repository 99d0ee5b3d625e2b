/*
 * ofac.h - import of the OFAC SDN list in its legacy CSV export
 * (sdn.csv, alt.csv, add.csv, sdn_comments.csv) into the entity store as
 * FollowTheMoney entities. See docs/ofac.md for the full mapping.
 *
 * Mapping in short:
 *   sdn.csv row   -> Person | Organization | Vessel | Airplane, id "ofac-<ent_num>"
 *                    + one Sanction "ofac-<ent_num>-sanction" (program per [..])
 *   alt.csv       -> alias (a.k.a.), previousName (f.k.a.), name (n.k.a.)
 *   Remarks       -> weakAlias (a.k.a. in remarks), birthDate, birthPlace,
 *                    nationality, citizenship, gender, passportNumber,
 *                    taxNumber (R.F.C.), idNumber (C.U.R.P., cedula, national
 *                    ID...), email, website, phone, imoNumber, mmsi, ... plus
 *                    Identification entities for documents and UnknownLink
 *                    entities for "Linked To:"; the full text stays in notes.
 *   add.csv       -> Address "ofac-addr-<add_num>" + address/addressEntity/country
 * Every entity: owner "OFAC", marking PUBLIC, dataset "us_ofac_sdn".
 *
 * Ownership: results (ofac_remarks) belong to the caller and are freed with
 * ofac_remarks_free. Nothing here keeps global state except the read-only
 * country table built on first use.
 */
#ifndef PU_OFAC_H
#define PU_OFAC_H

#include <stddef.h>
#include "common/pu.h"
#include "store/store.h"

#define OFAC_DATASET "us_ofac_sdn"
#define OFAC_OWNER "OFAC"

/* What one remarks item says. */
enum ofac_fact_kind {
    OFAC_FACT_PROP = 0,  /* a property value for the designated entity */
    OFAC_FACT_DOC,       /* an identity document: prop (passportNumber, taxNumber, idNumber, ...)
                            gets the number; an Identification entity is made */
    OFAC_FACT_LINK,      /* "Linked To: NAME": value is the other party's name */
    OFAC_FACT_PROVISION  /* sanction provisions ("Secondary sanctions risk: ...") */
};

typedef struct ofac_fact {
    int kind;
    const char *prop;    /* FtM property (static string), or NULL for links */
    char *value;         /* normalised value (dates ISO, countries ISO-2 lower case) */
    const char *doc;     /* document label for OFAC_FACT_DOC ("Passport", "R.F.C.", ...) */
    char *country;       /* ISO-2 code of the document's country, or NULL */
    char *issued;        /* ISO date or NULL */
    char *expires;       /* ISO date or NULL */
} ofac_fact;

typedef struct ofac_remarks {
    ofac_fact *facts;
    size_t n, cap;
    size_t unparsed;     /* items that matched no rule (kept in notes only) */
} ofac_remarks;

/* Parse a Remarks text ("DOB 15 Dec 1967; POB Chihuahua, Mexico; ...").
 * Never fails on content: what it does not understand is counted in
 * `unparsed`. Errors: PU_ERR_NOMEM, PU_ERR_LIMIT (text over 1 MiB). */
int ofac_remarks_parse(const char *text, ofac_remarks **out, pu_err *err);
void ofac_remarks_free(ofac_remarks *r);

/* Parse an OFAC date: "15 Dec 1967", "Dec 1967", "1967" into ISO
 * ("1967-12-15", "1967-12", "1967") in buf (size >= 11).
 * Errors: PU_ERR_INVALID (not a date). */
int ofac_parse_date(const char *s, char *buf, size_t size);

/* ISO 3166-1 alpha-2 code (lower case, FtM style) for a country name as OFAC
 * writes it ("Mexico", "Korea, North", "Burma", "Bahamas, The"); NULL if
 * unknown. Static storage. */
const char *ofac_country_code(const char *name);
/* 1 if name is OFAC's way of saying "no country" ("undetermined", "None
 * Identified") or blank: not a country, and not worth a warning. */
int ofac_country_none(const char *name);

typedef struct ofac_import_opts {
    int strict;          /* 1: the first malformed row aborts and rolls back */
    int keep_delisted;   /* 1: do not remove us_ofac_sdn entities absent from this export */
    int force;           /* 1: import a truncated or sharply shrunken export anyway */
} ofac_import_opts;

/* A new export that would remove more than this fraction of the dataset's
 * entities (and at least OFAC_SHRINK_MIN_REMOVED of them) looks cut off or
 * incomplete, not like OFAC's usual handful of delistings: refused without
 * --force. Real updates remove a few dozen entries at most. */
#define OFAC_SHRINK_MAX_FRACTION 0.10
#define OFAC_SHRINK_MIN_REMOVED 100

/* Import the four files from dir in ONE transaction (all or nothing).
 * Malformed rows are skipped and noted in *sum with "file:line" and the
 * reason (fatal with opts->strict). A re-import updates entities in place and
 * removes the ones OFAC delisted (unless keep_delisted). sdn_comments.csv is
 * optional (older exports lack it); the other three are required.
 * sum must be initialised by the caller (store_summary_init).
 * A file that ends inside a quoted field (cut off) or an export that would
 * remove more than OFAC_SHRINK_MAX_FRACTION of the dataset is refused as a
 * whole (PU_ERR_INVALID, store unchanged) unless opts->force.
 * Errors: PU_ERR_IO (missing file), PU_ERR_INVALID (strict, truncated, shrunken), PU_ERR_DB,
 * PU_ERR_NOMEM. */
int ofac_import_dir(store_t *st, const char *dir, const ofac_import_opts *opts, store_summary *sum,
                    pu_err *err);

#endif
