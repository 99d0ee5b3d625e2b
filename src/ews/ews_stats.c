/*
 * ews_stats.c - distribution functions and the quasi-Poisson GLM used by the
 * detection methods. Written from the published algorithms (Wichura 1988
 * AS 241; Lentz continued fractions for the incomplete beta and gamma), so
 * the results agree with R's nmath to far better than the 1e-6 the reference
 * tests ask for.
 */
#include "ews/ews_int.h"

#include <float.h>
#include <math.h>
#include <string.h>

double ews_qnorm(double p) {
    if (isnan(p) || p < 0 || p > 1) return NAN;
    if (p == 0) return -INFINITY;
    if (p == 1) return INFINITY;
    double q = p - 0.5, r, val;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        val = q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
                        45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
                     133.14166789178437745) * r + 3.387132872796366608) /
              (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
                   21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
                42.313330701600911252) * r + 1.0);
        return val;
    }
    r = q < 0 ? p : 1 - p;
    r = sqrt(-log(r));
    if (r <= 5.0) {
        r -= 1.6;
        val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                   1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
                4.6303378461565452959) * r + 1.42343711074968357734) /
              (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                   0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
                2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5.0;
        val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                   0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
                5.4637849111641143699) * r + 6.6579046435011037772) /
              (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                   7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
                0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -val : val;
}

double ews_pnorm_upper(double x) { return 0.5 * erfc(x / M_SQRT2); }

/* Continued fraction for the incomplete beta (modified Lentz). */
static double betacf(double x, double a, double b) {
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d; h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return h;
}

double ews_pbeta(double x, double a, double b) {
    if (isnan(x) || isnan(a) || isnan(b) || a <= 0 || b <= 0) return NAN;
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return exp(lbt) * betacf(x, a, b) / a;
    return 1 - exp(lbt) * betacf(1 - x, b, a) / b;
}

/* Upper tail 1 - I_x(a,b) computed without cancellation: I_{1-x}(b,a). */
static double pbeta_upper(double x, double a, double b) {
    if (x <= 0) return 1;
    if (x >= 1) return 0;
    return ews_pbeta(1 - x, b, a);
}

double ews_pt_two_sided(double t, double df) {
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(t)) return 0;
    return ews_pbeta(df / (df + t * t), df / 2, 0.5);
}

double ews_pgamma(double a, double x) {
    if (isnan(a) || isnan(x) || a <= 0) return NAN;
    if (x <= 0) return 0;
    double gln = lgamma(a);
    if (x < a + 1) {  /* series */
        double ap = a, sum = 1 / a, del = sum;
        for (int n = 0; n < 100000; n++) {
            ap += 1; del *= x / ap; sum += del;
            if (fabs(del) < fabs(sum) * 1e-17) break;
        }
        return sum * exp(-x + a * log(x) - gln);
    }
    /* continued fraction for Q, then 1 - Q */
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b; if (fabs(d) < tiny) d = tiny;
        c = b + an / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return 1 - exp(-x + a * log(x) - gln) * h;
}

double ews_pnbinom(double k, double size, double prob) {
    if (k < 0) return 0;
    k = floor(k + 1e-7);
    return ews_pbeta(prob, size, k + 1);
}

double ews_pnbinom_upper_ge(double y, double size, double prob) {
    if (y <= 0) return 1;
    /* P(X >= y) = 1 - I_prob(size, y) = I_{1-prob}(y, size) */
    return pbeta_upper(prob, size, y);
}

double ews_ppois(double k, double lambda) {
    if (k < 0) return 0;
    if (lambda == 0) return 1;
    k = floor(k + 1e-7);
    return 1 - ews_pgamma(k + 1, lambda);
}

double ews_ppois_upper_ge(double y, double lambda) {
    if (y <= 0) return 1;
    if (lambda == 0) return 0;
    return ews_pgamma(y, lambda);
}

/* Smallest integer x >= 0 with cdf(x) >= p, starting from a guess, with R's
 * fuzz p * (1 - 64 eps) so that the result is left-continuous. */
typedef double (*cdf_fn)(double x, const double *par);
static double discrete_search(double p, double guess, cdf_fn cdf, const double *par) {
    p *= 1 - 64 * DBL_EPSILON;
    double x = guess < 0 ? 0 : floor(guess);
    if (cdf(x, par) >= p) {
        while (x > 0 && cdf(x - 1, par) >= p) x -= 1;
        return x;
    }
    for (int i = 0; i < 10000000; i++) {
        x += 1;
        if (cdf(x, par) >= p) return x;
    }
    return NAN;
}

static double nb_cdf(double x, const double *par) { return ews_pnbinom(x, par[0], par[1]); }
static double pois_cdf(double x, const double *par) { return ews_ppois(x, par[0]); }

double ews_qnbinom(double p, double size, double prob) {
    if (isnan(p) || isnan(size) || isnan(prob) || prob <= 0 || prob > 1 || size < 0) return NAN;
    if (prob == 1 || size == 0) return 0;
    if (p + 1.01 * DBL_EPSILON >= 1) return INFINITY;
    double Q = 1 / prob, P = (1 - prob) * Q, mu = size * P, sigma = sqrt(size * P * Q);
    double gamma = (Q + P) / sigma, z = ews_qnorm(p);
    double guess = nearbyint(mu + sigma * (z + gamma * (z * z - 1) / 6));
    double par[2] = {size, prob};
    return discrete_search(p, guess, nb_cdf, par);
}

double ews_qpois(double p, double lambda) {
    if (isnan(p) || isnan(lambda) || lambda < 0) return NAN;
    if (lambda == 0) return 0;
    if (p + 1.01 * DBL_EPSILON >= 1) return INFINITY;
    double sigma = sqrt(lambda), gamma = 1 / sigma, z = ews_qnorm(p);
    double guess = nearbyint(lambda + sigma * (z + gamma * (z * z - 1) / 6));
    double par[1] = {lambda};
    return discrete_search(p, guess, pois_cdf, par);
}

/* ---- quasi-Poisson GLM ------------------------------------------------- */

/* Invert the symmetric positive definite p x p matrix A (Cholesky) into inv.
 * Returns -1 when A is not positive definite. */
static int spd_inverse(const double *A, int p, double *inv) {
    double L[EWS_GLM_MAXP * EWS_GLM_MAXP];
    memset(L, 0, sizeof L);
    for (int i = 0; i < p; i++)
        for (int j = 0; j <= i; j++) {
            double s = A[i * p + j];
            for (int k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
            if (i == j) {
                if (!(s > 1e-300 * (1 + fabs(A[i * p + i])))) return -1;
                L[i * p + i] = sqrt(s);
            } else {
                L[i * p + j] = s / L[j * p + j];
            }
        }
    /* inv = L^-T L^-1, column by column */
    for (int c = 0; c < p; c++) {
        double z[EWS_GLM_MAXP];
        for (int i = 0; i < p; i++) {
            double s = i == c ? 1 : 0;
            for (int k = 0; k < i; k++) s -= L[i * p + k] * z[k];
            z[i] = s / L[i * p + i];
        }
        for (int i = p - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < p; k++) s -= L[k * p + i] * inv[k * p + c];
            inv[i * p + c] = s / L[i * p + i];
        }
    }
    return 0;
}

static double qp_deviance(const double *y, const double *mu, const double *w, int n) {
    double d = 0;
    for (int i = 0; i < n; i++) {
        double wi = w ? w[i] : 1;
        double r = y[i] > 0 ? y[i] * log(y[i] / mu[i]) : 0;
        d += 2 * wi * (r - (y[i] - mu[i]));
    }
    return d;
}

int ews_glm_fit(const double *X, const double *y, const double *w, int n, int p,
                ews_glm *g, double *mu_out, double *hat) {
    if (p > EWS_GLM_MAXP || n <= 0 || n > 1024) return -1;
    double mu[1024], eta[1024], wt[1024];
    /* Rows of a seasonal design are sparse (intercept, time, one dummy):
     * keep each row's non-zero columns so the normal equations cost
     * O(nnz^2) per row instead of O(p^2). */
    static _Thread_local unsigned char nzc[1024][EWS_GLM_MAXP];
    unsigned char nnz[1024];
    for (int i = 0; i < n; i++) {
        const double *xi = X + (size_t)i * p;
        int k = 0;
        for (int a = 0; a < p; a++)
            if (xi[a] != 0) nzc[i][k++] = (unsigned char)a;
        nnz[i] = (unsigned char)k;
    }
    memset(g, 0, sizeof *g);
    g->n = n; g->p = p;
    for (int i = 0; i < n; i++) { mu[i] = y[i] + 0.1; eta[i] = log(mu[i]); }
    double devold = qp_deviance(y, mu, w, n), dev = devold;
    double XtWX[EWS_GLM_MAXP * EWS_GLM_MAXP], inv[EWS_GLM_MAXP * EWS_GLM_MAXP];
    int conv = 0, have = 0;
    for (int iter = 1; iter <= 25; iter++) {
        /* working response z = eta + (y - mu)/mu, working weight w*mu */
        double XtWz[EWS_GLM_MAXP];
        memset(XtWX, 0, sizeof XtWX);
        memset(XtWz, 0, sizeof XtWz);
        for (int i = 0; i < n; i++) {
            wt[i] = (w ? w[i] : 1) * mu[i];
            double z = eta[i] + (y[i] - mu[i]) / mu[i];
            const double *xi = X + (size_t)i * p;
            const unsigned char *c = nzc[i];
            for (int ka = 0; ka < nnz[i]; ka++) {
                int a = c[ka];
                double wa = wt[i] * xi[a];
                XtWz[a] += wa * z;
                for (int kb = 0; kb <= ka; kb++) XtWX[a * p + c[kb]] += wa * xi[c[kb]];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = a + 1; b < p; b++) XtWX[a * p + b] = XtWX[b * p + a];
        if (spd_inverse(XtWX, p, inv) != 0) return -1;
        have = 1;
        for (int a = 0; a < p; a++) {
            double s = 0;
            for (int b = 0; b < p; b++) s += inv[a * p + b] * XtWz[b];
            g->beta[a] = s;
        }
        for (int i = 0; i < n; i++) {
            const double *xi = X + (size_t)i * p;
            double e = 0;
            for (int ka = 0; ka < nnz[i]; ka++) e += xi[nzc[i][ka]] * g->beta[nzc[i][ka]];
            eta[i] = e;
            mu[i] = exp(e);
        }
        dev = qp_deviance(y, mu, w, n);
        if (!isfinite(dev)) return -1;
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < 1e-8) { conv = 1; break; }
        devold = dev;
    }
    if (!have) return -1;
    memcpy(g->cov, inv, sizeof(double) * p * p);
    g->converged = conv;
    g->df_residual = n - p;
    /* summary.glm: sum(weights * residuals^2) / df.r, where weights are the
     * working weights of the last iteration and residuals (y - mu)/mu. */
    double s = 0;
    for (int i = 0; i < n; i++) {
        double r = (y[i] - mu[i]) / mu[i];
        s += wt[i] * r * r;
    }
    g->dispersion = g->df_residual > 0 ? s / g->df_residual : NAN;
    if (mu_out) memcpy(mu_out, mu, sizeof(double) * n);
    if (hat)
        for (int i = 0; i < n; i++) {
            const double *xi = X + (size_t)i * p;
            const unsigned char *c = nzc[i];
            double h = 0;
            for (int ka = 0; ka < nnz[i]; ka++)
                for (int kb = 0; kb < nnz[i]; kb++) h += xi[c[ka]] * inv[c[ka] * p + c[kb]] * xi[c[kb]];
            hat[i] = wt[i] * h;
        }
    return 0;
}
