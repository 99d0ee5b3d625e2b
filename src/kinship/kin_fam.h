/*
 * kin_fam.h - import of Familias 3 case files (.fam): persons with sex and
 * DNA data, pedigrees (hypotheses) and the allele-frequency database, as
 * docs/kinship.md "Familias import" describes line by line. The reader is
 * strict: a line that is not what the layout expects is refused with
 * file:line, the field and what was expected; nothing is skipped silently.
 *
 * Ownership: *out objects are the caller's (kin_famfile_free,
 * kin_fam_csv_free; NULL-safe). Errors: PU_ERR_INVALID (where = name:line,
 * field), PU_ERR_LIMIT (counts over the caps below), PU_ERR_NOMEM.
 */
#ifndef KIN_FAM_H
#define KIN_FAM_H

#include <stddef.h>

#include "common/pu.h"
#include "kinship/kin_cases.h"

#define KIN_FAM_MAX_BYTES ((size_t)16 << 20) /* one .fam file */
#define KIN_FAM_MAX_PERSONS 500
#define KIN_FAM_MAX_PEDIGREES 50
#define KIN_FAM_MAX_LOCI 128
#define KIN_FAM_MAX_ALLELES 250
#define KIN_FAM_ADDED_PREFIX "added_"          /* parents added to complete a pair (as pedFamilias) */

typedef struct kin_fam_gt { int locus, a1, a2; } kin_fam_gt;   /* indices (0-based) */
typedef struct kin_fam_person {
    char *name;
    int male;              /* 1 man, 0 woman */
    int ngt;
    kin_fam_gt *gt;
} kin_fam_person;
typedef struct kin_fam_ped {
    char *name;
    int nextra;            /* untyped persons of this pedigree only */
    kin_fam_person *extra; /* (ngt 0) */
    int nrel;
    int *parent, *child;   /* indices: persons first, then this pedigree's extras */
} kin_fam_ped;
typedef struct kin_fam_locus {
    char *name;
    char *model[2];        /* [0] female, [1] male: "equal", "proportional", "stepwise" */
    double rate[2], range[2];
    int nall;
    char **allele;
    double *freq;
} kin_fam_locus;
typedef struct kin_famfile {
    char *version;
    int nper, nped, nloc;
    kin_fam_person *per;
    kin_fam_ped *ped;
    kin_fam_locus *loc;
} kin_famfile;

/* Parse a .fam text (len bytes; name for messages, NULL = "<memory>"). */
int kin_fam_parse(const char *data, size_t len, const char *name, kin_famfile **out, pu_err *err);
void kin_famfile_free(kin_famfile *f);

/* The case in the kinship CSV formats (docs/kinship.md "Command line"). */
typedef struct kin_fam_csv {
    char *freqs, *mutation, *pedigrees, *am, *pm;
    int persons, references, added;
} kin_fam_csv;
/* Convert pedigree `pedigree` (NULL = the first with relations) of f into a
 * family `family` in which person `pm_person` (a typed person of the file)
 * is the missing person; that person's profile becomes PM sample `pm_id`,
 * the other typed persons references. A child with one parent in the
 * pedigree gets an added untyped other parent (KIN_FAM_ADDED_PREFIX).
 * Errors: PU_ERR_INVALID (field "pedigree", "pm": not found, untyped, a
 * parent of the wrong sex), PU_ERR_NOMEM. */
int kin_fam_to_csv(const kin_famfile *f, const char *pedigree, const char *pm_person, const char *pm_id,
                   const char *family, kin_fam_csv *out, pu_err *err);
void kin_fam_csv_free(kin_fam_csv *c);

typedef struct kin_fam_import_opts {
    const char *case_id;           /* an existing case, or created when state is given */
    const char *state, *owner, *marking, *title;  /* for a new case */
    const char *freqdb;            /* name of a new case's frequency database (default "familias") */
    const char *pedigree, *pm_person, *pm_id, *family;  /* pm_id, family: default pm_person, case:pm_person */
    const char *consent_document;  /* required: the references' consent */
    const char *relation;          /* recorded for the references */
} kin_fam_import_opts;
typedef struct kin_fam_import_result {
    int freqdb_version, persons, references, pm_samples, added;
    char freqdb[KIN_REC_ID_MAX], family[KIN_REC_ID_MAX];
} kin_fam_import_result;
/* Import a .fam file into the case database in ONE transaction (all or
 * nothing): its frequency database as the next version of the case's, the
 * family (pedigree), the references with consent and the PM sample. The
 * case's frequency database then is the file's.
 * Errors: as kin_fam_parse, kin_fam_to_csv, kin_case_create, kin_pm_import,
 * kin_family_import, kin_ref_import; PU_ERR_INVALID when the case names no
 * frequency database. */
int kin_fam_import(db_t *db, const kin_actor *a, const char *data, size_t len, const char *name,
                   const kin_fam_import_opts *o, kin_fam_import_result *res, pu_err *err);

#endif
