/* kin_internal.h - helpers shared by the kinship sources (not a public contract). */
#ifndef KIN_INTERNAL_H
#define KIN_INTERNAL_H

#include "kinship/kinship.h"

int kin_sex_ok(int a, int b);
/* Evidence model of victim v at marker m (a static exact one when none). */
const kin_ev *kin_vic_ev(const kin_case *c, int v, int m);
/* 1 when the evidence is not an exact genotype (dropout, drop-in, silent allele). */
int kin_ev_is_soft(const kin_marker *mk, const kin_ev *e);
/* ev[0..n) of family F at marker m (exact beyond F->n or when F->ev is NULL). */
void kin_fam_ev(const kin_case *c, const kin_family *F, int m, kin_ev *ev, int n);
int kin_fam_arrays(const kin_family *F, int extra, int **fa, int **mo, int **sex);
void kin_fam_gt(const kin_case *c, const kin_family *F, int m, int16_t *gt);
int kin_fam_loglik(const kin_case *c, const kin_opts *o, int f, const int *place, int mutate, double *out,
                   pu_err *err);
int kin_vic_loglik(const kin_case *c, const kin_opts *o, int v, double *out, pu_err *err);

/* kin_db_read_mem with the warning sink set before reading (NULL = silent),
 * so that warnings about the frequency file itself are captured too. */
int kin_db_read_mem_warn(const char *data, size_t len, const char *name, const char *population, double min_freq,
                         FILE *warn, kin_db **out, pu_err *err);

#endif
