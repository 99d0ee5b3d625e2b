/*
 * ews_farrington.c - Farrington flexible (Noufaily et al. 2013 improvements
 * included), mirroring surveillance::farringtonFlexible 1.20.3 step by step:
 * reference weeks (algo.farrington.referencetimepoints), seasonal blocks
 * (blocks), the quasi-Poisson fit with Anscombe reweighting
 * (algo.farrington.fitGLM.flexible), the trend decision
 * (algo.farrington.glm) and the "delta" / "nbPlugin" thresholds.
 */
#include "ews/ews.h"
#include "ews/ews_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ews_farrington_run(const ews_series *s, const ews_params *p, ews_result *r, pu_err *err);

#define FF_MAXROWS 1024

/* ---- calendar helpers (proleptic Gregorian, days since 1970-01-01) ---- */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int weekday(int64_t days) { return (int)(((days + 4) % 7 + 7) % 7); } /* 0 = Sunday */

/* The same weekday closest to `day` shifted back j years, as R does with
 * seq(by = "-1 year") (29 Feb becomes 1 Mar) and the A/B weekday choice. */
static int64_t ref_day(int64_t day, int j) {
    int64_t y; int m, d;
    civil_from_days(day, &y, &m, &d);
    y -= j;
    int64_t ref = (m == 2 && d == 29 && !leap(y)) ? days_from_civil(y, 3, 1) : days_from_civil(y, m, d);
    int64_t a = ref - (weekday(ref) - weekday(day));
    int64_t b = a + (a > ref ? -7 : 7);
    return llabs(a - ref) > llabs(b - ref) ? b : a;
}

/* ---- one fitted model ---- */
typedef struct ff_model {
    int ok, has_trend, p;
    double beta[EWS_GLM_MAXP], cov[EWS_GLM_MAXP * EWS_GLM_MAXP];
    double disp, phi;
    int df;
} ff_model;

typedef struct ff_data {
    int n;
    double y[FF_MAXROWS], wt[FF_MAXROWS];   /* response, centred time */
    int lev[FF_MAXROWS];                    /* seasonal level index into levels[] */
    int nlev, levels[64];                   /* sorted distinct levels present */
    int pred_level;                         /* column index of the prediction level, -1 = baseline */
    double wt0;                             /* prediction time (centred) */
    double ymax;
} ff_data;

static int build_x(const ff_data *d, int trend, int factors, double *X) {
    int p = 1 + (trend ? 1 : 0) + (factors ? d->nlev - 1 : 0);
    if (p > EWS_GLM_MAXP) return -1;
    for (int i = 0; i < d->n; i++) {
        double *x = X + (size_t)i * p;
        int c = 0;
        x[c++] = 1;
        if (trend) x[c++] = d->wt[i];
        if (factors)
            for (int l = 1; l < d->nlev; l++) x[c++] = d->lev[i] == l;
    }
    return p;
}

static void pred_x(const ff_data *d, int trend, int factors, int p, double *x0) {
    int c = 0;
    memset(x0, 0, sizeof(double) * p);
    x0[c++] = 1;
    if (trend) x0[c++] = d->wt0;
    if (factors)
        for (int l = 1; l < d->nlev; l++) x0[c++] = d->levels[l] == d->pred_level;
}

/* algo.farrington.fitGLM.flexible */
static void ff_fit(const ff_data *d, const ews_params *p, int trend, int factors, ff_model *m) {
    static _Thread_local double X[FF_MAXROWS * EWS_GLM_MAXP];
    double mu[FF_MAXROWS], hat[FF_MAXROWS], omega[FF_MAXROWS];
    ews_glm g;
    memset(m, 0, sizeof *m);
    int np = build_x(d, trend, factors, X);
    if (np < 0) return;
    int rc = ews_glm_fit(X, d->y, NULL, d->n, np, &g, mu, hat);
    if ((rc != 0 || !g.converged) && trend) {
        trend = 0;
        np = build_x(d, trend, factors, X);
        rc = ews_glm_fit(X, d->y, NULL, d->n, np, &g, mu, hat);
    }
    if (rc != 0 || !g.converged) return;
    double phi = g.dispersion > 1 ? g.dispersion : 1;
    if (p->reweight) {
        int nbig = 0;
        double denom = 0;
        for (int i = 0; i < d->n; i++) {
            double s = 1.5 * (pow(d->y[i], 2.0 / 3.0) * pow(mu[i], -1.0 / 6.0) - sqrt(mu[i])) /
                       sqrt(phi * (1 - hat[i]));
            omega[i] = s;
            if (s > p->weights_threshold) { denom += 1 / (s * s); nbig++; }
            else denom += 1;
        }
        double gamma = d->n / denom;
        for (int i = 0; i < d->n; i++)
            omega[i] = omega[i] > p->weights_threshold ? gamma / (omega[i] * omega[i]) : gamma;
        (void)nbig;
        if (ews_glm_fit(X, d->y, omega, d->n, np, &g, mu, NULL) != 0) return;
        phi = g.dispersion > 1 ? g.dispersion : 1;
        /* R then overwrites model$weights with omega, so the dispersion that
         * summary.glm and predict.glm see afterwards (trend p-value, se of the
         * prediction) is sum(omega ((y - mu)/mu)^2) / df, not the working-
         * weight Pearson estimate behind phi. Mirror that. */
        double sd = 0;
        for (int i = 0; i < d->n; i++) {
            double rr = (d->y[i] - mu[i]) / mu[i];
            sd += omega[i] * rr * rr;
        }
        g.dispersion = g.df_residual > 0 ? sd / g.df_residual : NAN;
    }
    m->ok = 1;
    m->has_trend = trend;
    m->p = np;
    memcpy(m->beta, g.beta, sizeof g.beta);
    memcpy(m->cov, g.cov, sizeof g.cov);
    m->disp = g.dispersion;
    m->phi = phi;
    m->df = g.df_residual;
}

/* predict.glm(se.fit = TRUE): link-scale fit and se (dispersion = summary's). */
static void ff_predict(const ff_data *d, const ff_model *m, int factors, double *eta, double *se) {
    double x0[EWS_GLM_MAXP];
    pred_x(d, m->has_trend, factors, m->p, x0);
    double e = 0, v = 0;
    for (int a = 0; a < m->p; a++) {
        e += x0[a] * m->beta[a];
        for (int b = 0; b < m->p; b++) v += x0[a] * m->cov[a * m->p + b] * x0[b];
    }
    *eta = e;
    *se = sqrt(v * m->disp);
}

/* Fill the GLM data for week k; returns PU_OK or an error for missing history. */
static int ff_data_build(const ews_series *s, const ews_params *p, size_t k, int *fac, ff_data *d, pu_err *err) {
    int b = p->b, w = p->w, np = p->no_periods;
    int64_t refs[64] = {0};
    char where[48];
    snprintf(where, sizeof where, "week %zu", k + 1);
    for (int j = 0; j <= b; j++) {
        if (!s->days) {
            refs[j] = (int64_t)k - 52 * (int64_t)j;
        } else {
            int64_t rd = ref_day(s->days[k], j), off = rd - s->days[0];
            refs[j] = off % 7 == 0 ? off / 7 : -1;
            if (off < 0 || off % 7 != 0 || refs[j] >= (int64_t)s->n) refs[j] = -1;
        }
        /* R drops index 0 of (ref-w):(ref+w) silently, so a window may start
         * one week before the series (0-based -1) but not earlier. */
        if (refs[j] < 0 || refs[j] - w < -1)
            return pu_fail(err, PU_ERR_INVALID, where, "date",
                           "farrington needs %d years of history (+%d weeks) before the monitored week", b, w);
    }
    int64_t lo = refs[b] - w < 0 ? 0 : refs[b] - w;
    for (int64_t i = lo; i <= (int64_t)k; i++) fac[i] = 0;   /* 0 = NA */
    for (int64_t i = (int64_t)k - w; i <= (int64_t)k; i++) fac[i] = np;
    for (int i = 1; i <= b; i++) {
        int64_t rw = refs[i];
        for (int64_t t = rw - w < 0 ? 0 : rw - w; t <= rw + w; t++) fac[t] = np;
        if (np != 1) {
            int64_t period = refs[i - 1] - 2 * w - 1 - rw;
            if (period < np - (2 * w + 1))
                return pu_fail(err, PU_ERR_INVALID, where, "no_periods", "number of seasonal periods too big");
            int64_t len = period / (np - 1), rest = period % (np - 1), cum = 0;
            for (int j = 1; j <= np - 1; j++) {
                int64_t l = len + (j <= rest ? 1 : 0);
                for (int64_t t = rw + w + 1 + cum; t <= rw + w + cum + l; t++)
                    if (t >= 0 && t < (int64_t)s->n) fac[t] = j;
                cum += l;
            }
        }
    }
    int64_t cut = (int64_t)k - p->past_weeks;
    for (int64_t i = cut < lo ? lo : cut; i <= (int64_t)k; i++) fac[i] = 0;
    /* rows, time, levels */
    int present[65] = {0};
    d->n = 0;
    d->ymax = 0;
    int64_t first = -1;
    for (int64_t i = lo; i <= (int64_t)k; i++) {
        if (!fac[i]) continue;
        if (d->n >= FF_MAXROWS)
            return pu_fail(err, PU_ERR_LIMIT, where, "b", "too many baseline weeks (max %d)", FF_MAXROWS);
        if (first < 0) first = i;
        d->y[d->n] = s->y[i];
        d->wt[d->n] = s->days ? (double)(s->days[i] - s->days[first]) / 7.0 : (double)(i + 1);
        d->lev[d->n] = fac[i];
        if (fac[i] <= 64) present[fac[i]] = 1;
        if (s->y[i] > d->ymax) d->ymax = s->y[i];
        d->n++;
    }
    if (d->n == 0) return pu_fail(err, PU_ERR_INVALID, where, "count", "no baseline weeks");
    d->wt0 = s->days ? (double)(s->days[k] - s->days[first]) / 7.0 : (double)(k + 1);
    /* centre time for conditioning; fitted values and the trend are invariant */
    double mean = 0;
    for (int i = 0; i < d->n; i++) mean += d->wt[i];
    mean /= d->n;
    for (int i = 0; i < d->n; i++) d->wt[i] -= mean;
    d->wt0 -= mean;
    d->nlev = 0;
    int map[65];
    for (int l = 1; l <= 64; l++)
        if (present[l]) { map[l] = d->nlev; d->levels[d->nlev++] = l; }
    for (int i = 0; i < d->n; i++) d->lev[i] = map[d->lev[i]];
    d->pred_level = np;
    return PU_OK;
}

int ews_farrington_run(const ews_series *s, const ews_params *p, ews_result *r, pu_err *err) {
    /* no_periods <= 14 keeps intercept + trend + dummies within EWS_GLM_MAXP */
    if (p->b < 1 || p->b > 60 || p->w < 0 || p->w > 26 || p->no_periods < 1 || p->no_periods > EWS_GLM_MAXP - 2 ||
        p->past_weeks < 0 || p->limit_weeks < 1)
        return pu_fail(err, PU_ERR_INVALID, NULL, "farrington",
                       "parameters out of range (b 1..60, w 0..26, no_periods 1..%d, past_weeks >= 0)",
                       EWS_GLM_MAXP - 2);
    if (!(p->alpha > 0 && p->alpha < 1))
        return pu_fail(err, PU_ERR_INVALID, NULL, "alpha", "expected a level in (0,1), got %g", p->alpha);
    size_t def = (size_t)(52 * p->b + p->w);
    size_t from = p->range_from ? p->range_from - 1 : def;
    if (s->n <= from)
        return pu_fail(err, PU_ERR_INVALID, NULL, "count",
                       "%s needs more than %zu weeks of history (%d years + %d weeks); the series has %zu weeks",
                       ews_method_name(p->method), from, p->b, p->w, s->n);
    int *fac = calloc(s->n, sizeof *fac);
    ff_data *d = malloc(sizeof *d);
    if (!fac || !d) {
        free(fac); free(d);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    int factors = p->no_periods != 1, rc = PU_OK;
    double z = ews_qnorm(1 - p->alpha);
    r->from = from;
    for (size_t k = from; k < s->n && rc == PU_OK; k++) {
        if ((rc = ff_data_build(s, p, k, fac, d, err)) != PU_OK) break;
        ff_model m;
        ff_fit(d, p, p->trend, factors, &m);
        if (!m.ok) continue;            /* no convergence: everything NA, as R */
        int do_trend = 0;
        double eta, se;
        if (m.has_trend) {
            ff_predict(d, &m, factors, &eta, &se);
            double tstat = m.beta[1] / sqrt(m.cov[1 * m.p + 1] * m.disp);
            double pv = ews_pt_two_sided(tstat, m.df);
            do_trend = p->b >= 3 && pv < p->p_trend && exp(eta) <= d->ymax;
            if (!do_trend) {
                ff_fit(d, p, 0, factors, &m);
                if (!m.ok) continue;
            }
        }
        ff_predict(d, &m, factors, &eta, &se);
        double y = s->y[k], upper, score, pval, mu0, expct;
        if (!p->nb_plugin) {
            double mu = exp(eta), sem = se * mu;
            double tau = m.phi + sem * sem / mu;
            double sd = sqrt(4.0 / 9.0 * pow(mu, 1.0 / 3.0) * tau);
            upper = pow(pow(mu, 2.0 / 3.0) + z * sd, 1.5);
            score = isnan(upper) ? NAN : (y - mu) / (upper - mu);
            pval = ews_pnorm_upper((pow(y, 2.0 / 3.0) - pow(mu, 2.0 / 3.0)) / sd);
            mu0 = exp(mu + z * sem);
            expct = mu;
        } else {
            double mq = exp(eta);
            if (isinf(mq)) {
                upper = pval = NAN;
            } else if (m.phi > 1) {
                upper = ews_qnbinom(1 - p->alpha, mq / (m.phi - 1), 1 / m.phi);
                pval = ews_pnbinom_upper_ge(y, mq / (m.phi - 1), 1 / m.phi);
            } else {
                upper = ews_qpois(1 - p->alpha, mq);
                pval = ews_ppois_upper_ge(y, mq);
            }
            score = isnan(upper) ? NAN : (y - eta) / (upper - eta);
            mu0 = mq;
            expct = mq;
        }
        double cases = 0;
        for (int i = 0; i < p->limit_weeks && (size_t)i <= k; i++) cases += s->y[k - (size_t)i];
        int enough = cases >= p->limit_cases;
        r->upper[k] = enough ? upper : NAN;
        r->alarm[k] = enough && !isnan(score) && score > 1 && y != 0;
        r->expected[k] = (!isnan(upper) && enough) ? expct : NAN;
        r->stat[k] = score;
        r->pvalue[k] = pval;
        r->phi[k] = m.phi;
        r->mu0[k] = mu0;
        r->trend[k] = (signed char)do_trend;
        r->trendcoef[k] = do_trend ? m.beta[1] : NAN;
    }
    free(fac);
    free(d);
    return rc;
}
