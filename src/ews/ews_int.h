/*
 * ews_int.h - internals of the ews module shared between its .c files
 * (distribution functions, the quasi-Poisson GLM). Not a public contract.
 */
#ifndef PU_EWS_INT_H
#define PU_EWS_INT_H

#include <stddef.h>

/* Standard normal quantile (Wichura AS 241, ~1e-16 relative). */
double ews_qnorm(double p);
/* Standard normal upper tail P(Z > x). */
double ews_pnorm_upper(double x);
/* Regularised incomplete beta I_x(a, b). */
double ews_pbeta(double x, double a, double b);
/* Two-sided Student t p-value P(|T| > |t|) with df degrees of freedom. */
double ews_pt_two_sided(double t, double df);
/* Regularised lower incomplete gamma P(a, x). */
double ews_pgamma(double a, double x);
/* Negative binomial (size, prob): lower cdf P(X <= k); upper P(X >= y). */
double ews_pnbinom(double k, double size, double prob);
double ews_pnbinom_upper_ge(double y, double size, double prob);
/* Quantiles as R computes them (smallest x with cdf(x) >= p(1-64eps)). */
double ews_qnbinom(double p, double size, double prob);
double ews_qpois(double p, double lambda);
/* Poisson cdf P(X <= k) and P(X >= y). */
double ews_ppois(double k, double lambda);
double ews_ppois_upper_ge(double y, double lambda);

/* Quasi-Poisson log-link GLM fitted as R's glm.fit (IRLS from mustart =
 * y + 0.1, convergence |dev - devold| / (|dev| + 0.1) < 1e-8, maxit 25). */
#define EWS_GLM_MAXP 16
typedef struct ews_glm {
    int p, n;
    double beta[EWS_GLM_MAXP];
    double cov[EWS_GLM_MAXP * EWS_GLM_MAXP];  /* (X'WX)^-1, W from the last iteration */
    double dispersion;        /* Pearson estimate as summary.glm (may be < 1) */
    int converged;
    int df_residual;
} ews_glm;

/* X is row-major n x p; prior weights w may be NULL (all 1). mu (length n,
 * may be NULL) receives the fitted means, hat (may be NULL) the hat values.
 * Returns 0 on success, -1 when the system is singular. */
int ews_glm_fit(const double *X, const double *y, const double *w, int n, int p,
                ews_glm *g, double *mu, double *hat);

#endif
