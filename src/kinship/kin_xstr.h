/*
 * kin_xstr.h - X-chromosomal STR likelihood ratios for pairwise
 * relationships (docs/kinship.md "X-STR"). Males are hemizygous (one
 * allele), females carry two; a father passes his one X to every daughter
 * and to no son, a mother one of her two X to every child. A relationship
 * and the two sexes give the X-chromosomal IBD probabilities (kappa0, kappa1,
 * kappa2); the LR against "unrelated" is computed per marker and over the
 * linkage groups of the kit (the Argus X-12 groups, treated as fully linked
 * inside and independent between: see the docs for what this assumes).
 *
 * Uses the engine's frequency database (kin_db, kinship.h) for the X
 * markers. Ownership: out-parameters are the caller's; nothing is kept.
 * Errors: PU_ERR_INVALID (with pu_err naming the field and what was
 * expected), PU_ERR_NOMEM.
 */
#ifndef KIN_XSTR_H
#define KIN_XSTR_H

#include <stdint.h>

#include "common/pu.h"
#include "kinship/kinship.h"

/* Relationships of person 1 to person 2. */
enum kin_xrel {
    KIN_X_UNRELATED = 0,
    KIN_X_PARENT_CHILD,          /* person 1 is the parent of person 2 */
    KIN_X_FULL_SIBLINGS,
    KIN_X_PATERNAL_HALF_SIBLINGS, /* same father, different mothers */
    KIN_X_MATERNAL_HALF_SIBLINGS, /* same mother, different fathers */
    KIN_X_PATERNAL_GRANDPARENT,  /* person 1 is a parent of person 2's father */
    KIN_X_MATERNAL_GRANDPARENT,  /* person 1 is a parent of person 2's mother */
    KIN_X_CUSTOM,                /* kappa given by the caller */
    KIN_X_NREL
};

/* Parse "parent-child", "full-siblings", "paternal-half-siblings",
 * "maternal-half-siblings", "paternal-grandparent", "maternal-grandparent",
 * "unrelated" (also with '_' for '-'). Returns PU_OK or PU_ERR_INVALID. */
int kin_xrel_parse(const char *s, int *rel);
const char *kin_xrel_name(int rel);

/* The X-chromosomal IBD probabilities of relationship rel between person 1
 * of sex s1 and person 2 of sex s2 (1 male, 2 female): kappa[i] = P(i X
 * alleles identical by descent); kappa[2] > 0 only between two women.
 * Errors: PU_ERR_INVALID (a sex other than 1 or 2, rel out of range or
 * KIN_X_CUSTOM). */
int kin_x_kappa(int rel, int s1, int s2, double kappa[3], pu_err *err);

/* Linkage groups of the markers of db into group[db->n] (1..n): the four
 * Argus X-12 groups (LG1 DXS10148 DXS10135 DXS8378; LG2 DXS7132 DXS10079
 * DXS10074; LG3 DXS10103 HPRTB DXS10101; LG4 DXS10146 DXS10134 DXS7423)
 * where the marker names match, every other marker a group of its own.
 * argus = 0: every marker its own group (independent markers). */
void kin_xgroups_default(const kin_db *db, int argus, int *group);
/* Groups from CSV text marker,group (group a positive integer; markers not
 * listed get a group of their own; unknown markers are errors naming
 * name:line). Errors: PU_ERR_INVALID, PU_ERR_NOMEM. */
int kin_xgroups_read_mem(const kin_db *db, const char *data, size_t len, const char *name, int *group, pu_err *err);

/* Parse an X profile "DXS8378=10/11;HPRTB=12" for a person of sex `sex`
 * into g[2 * db->n] (KIN_UNTYPED where absent; a male's one allele is stored
 * twice; "a" or "a/a" for a male, "a/b" or "a/a" for a female). Unknown
 * alleles get the minimum frequency (warning through db->warn). field names
 * the person in errors. Errors: PU_ERR_INVALID (a male with two different
 * alleles, an unknown marker, a bad token), PU_ERR_LIMIT. */
int kin_x_profile_parse(kin_db *db, const char *text, int sex, int16_t *g, const char *field, pu_err *err);

typedef struct kin_xlr {
    double kappa[3];
    int informative;       /* 0: kappa0 = 1, the X carries no information (lr = 1) */
    int compared;          /* markers typed in both persons */
    int inconsistent;      /* markers with LR 0 (no mutation model for X) */
    double lr;             /* over the linkage groups (the reported LR) */
    double lr_independent; /* the product of the per-marker LRs (markers independent) */
} kin_xlr;

/* LR of "rel (kappa) vs unrelated" for person 1 (sex s1, g1) and person 2
 * (s2, g2) at the markers of db, grouped by group[] (kin_xgroups_*): for a
 * linkage group G, LR_G = sum_i kappa_i prod_{m in G} X_i(m) (one IBD state
 * for the whole group), LR = prod_G LR_G; per-marker LRs
 * kappa0 + kappa1 X1(m) + kappa2 X2(m) into marker_lr[db->n] (may be NULL;
 * NAN where a person is untyped). Errors: PU_ERR_INVALID (kappa not a
 * distribution, kappa2 > 0 unless both are women, bad sex). */
int kin_x_lr(const kin_db *db, const int *group, const double kappa[3], int s1, const int16_t *g1, int s2,
             const int16_t *g2, double *marker_lr, kin_xlr *out, pu_err *err);

#endif
