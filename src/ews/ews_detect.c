/*
 * ews_detect.c - aberration detection on one weekly series: EARS C1/C2/C3
 * (R-compatible and CDC), CUSUM, and the dispatcher ews_detect().
 * Farrington flexible lives in ews_farrington.c.
 */
#include "ews/ews.h"
#include "ews/ews_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ews_farrington_run(const ews_series *s, const ews_params *p, ews_result *r, pu_err *err);

static const char *const method_names[] = {"c1", "c2", "c3", "c3-cdc", "farrington", "farrington-noufaily", "cusum"};

const char *ews_method_name(ews_method m) {
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : "?";
}

int ews_method_parse(const char *s, ews_method *out, pu_err *err) {
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (s && pu_strieq(s, method_names[i])) {
            *out = (ews_method)i;
            return PU_OK;
        }
    return pu_fail(err, PU_ERR_INVALID, NULL, "method",
                   "expected one of c1, c2, c3, c3-cdc, farrington, farrington-noufaily, cusum; got '%s'",
                   s ? s : "");
}

void ews_params_default(ews_method m, ews_params *p) {
    memset(p, 0, sizeof *p);
    p->method = m;
    p->baseline = 7;
    p->min_sigma = 0;
    p->alpha = (m == EWS_C3 || m == EWS_C3_CDC) ? 0.025 : (m == EWS_C1 || m == EWS_C2) ? 0.001 : 0.05;
    p->b = 5;
    p->w = 3;
    p->reweight = 1;
    p->weights_threshold = 2.58;
    p->trend = 1;
    p->p_trend = 0.05;
    p->limit_cases = 5;
    p->limit_weeks = 4;
    p->no_periods = 1;
    p->past_weeks = 3;
    p->nb_plugin = 0;
    if (m == EWS_FARRINGTON_NOUFAILY) {
        p->no_periods = 10;
        p->past_weeks = 26;
        p->p_trend = 1;
        p->nb_plugin = 1;
    }
    p->k = 1.04;
    p->h = 2.26;
    p->cusum_baseline = 52;
    p->cusum_reset = 0;
}

void ews_result_free(ews_result *r) {
    if (!r) return;
    free(r->upper); free(r->alarm); free(r->expected); free(r->stat);
    free(r->pvalue); free(r->phi); free(r->mu0); free(r->trendcoef); free(r->trend);
    free(r);
}

static int result_new(size_t n, ews_result **out) {
    ews_result *r = calloc(1, sizeof *r);
    if (!r) return PU_ERR_NOMEM;
    size_t m = n ? n : 1;
    r->n = n;
    r->upper = malloc(m * sizeof(double)); r->expected = malloc(m * sizeof(double));
    r->stat = malloc(m * sizeof(double)); r->pvalue = malloc(m * sizeof(double));
    r->phi = malloc(m * sizeof(double)); r->mu0 = malloc(m * sizeof(double));
    r->trendcoef = malloc(m * sizeof(double));
    r->alarm = malloc(m); r->trend = malloc(m);
    if (!r->upper || !r->expected || !r->stat || !r->pvalue || !r->phi || !r->mu0 || !r->trendcoef ||
        !r->alarm || !r->trend) {
        ews_result_free(r);
        return PU_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        r->upper[i] = r->expected[i] = r->stat[i] = r->pvalue[i] = NAN;
        r->phi[i] = r->mu0[i] = r->trendcoef[i] = NAN;
        r->alarm[i] = r->trend[i] = -1;
    }
    *out = r;
    return PU_OK;
}

/* mean and sd (n-1) of y[from .. from+len-1], two-pass like R. */
static void mean_sd(const double *y, size_t from, int len, double *mean, double *sd) {
    double s = 0;
    for (int i = 0; i < len; i++) s += y[from + i];
    double m = s / len, ss = 0;
    for (int i = 0; i < len; i++) {
        double d = y[from + i] - m;
        ss += d * d;
    }
    *mean = m;
    *sd = sqrt(ss / (len - 1));
}

/* R's pmax(0, x): NaN propagates. */
static double pmax0(double x) { return isnan(x) ? x : (x > 0 ? x : 0); }

static signed char alarm_of(double y, double u) { return isnan(u) ? -1 : (y > u); }

/* C2 statistic at week t (0-based), NAN/Inf as R computes (y-mean)/sd. */
static double c2_stat(const double *y, size_t t, int base, double min_sigma, double *sd_out) {
    double m, sd;
    mean_sd(y, t - (size_t)base - 2, base, &m, &sd);
    if (sd < min_sigma) sd = min_sigma;
    if (sd_out) *sd_out = sd;
    return (y[t] - m) / sd;
}

static int run_ears(const ews_series *s, const ews_params *p, ews_result *r, pu_err *err) {
    int base = p->baseline;
    if (base < 3) return pu_fail(err, PU_ERR_INVALID, NULL, "baseline", "expected at least 3 weeks, got %d", base);
    if (!(p->alpha > 0 && p->alpha < 1))
        return pu_fail(err, PU_ERR_INVALID, NULL, "alpha", "expected a level in (0,1), got %g", p->alpha);
    size_t lag = p->method == EWS_C1 ? (size_t)base : p->method == EWS_C2 ? (size_t)base + 2 : (size_t)base + 4;
    size_t from = p->range_from ? p->range_from - 1 : lag;
    if (from < lag || s->n <= lag)
        return pu_fail(err, PU_ERR_INVALID, NULL, "count",
                       "%s needs %zu weeks of history before the first monitored week; the series has %zu weeks",
                       ews_method_name(p->method), lag, s->n);
    double z = ews_qnorm(1 - p->alpha);
    const double *y = s->y;
    r->from = from;
    for (size_t t = from; t < s->n; t++) {
        double m, sd;
        switch (p->method) {
        case EWS_C1:
        case EWS_C2:
            mean_sd(y, p->method == EWS_C1 ? t - (size_t)base : t - (size_t)base - 2, base, &m, &sd);
            if (sd < p->min_sigma) sd = p->min_sigma;
            r->upper[t] = m + z * sd;
            r->expected[t] = m;
            r->stat[t] = (y[t] - m) / sd;
            r->alarm[t] = alarm_of(y[t], r->upper[t]);
            break;
        case EWS_C3: {
            /* as R/earsC.R: U = max(0, y + sd2(t) (z - sum_{t-2,t-1} max(0, C2 - 1))) */
            double l = pmax0(c2_stat(y, t - 2, base, p->min_sigma, NULL) - 1) +
                       pmax0(c2_stat(y, t - 1, base, p->min_sigma, NULL) - 1);
            double sd2, c2 = c2_stat(y, t, base, p->min_sigma, &sd2);
            r->upper[t] = pmax0(y[t] + sd2 * (z - l));
            r->stat[t] = l + pmax0(c2 - 1);
            r->alarm[t] = alarm_of(y[t], r->upper[t]);
            break;
        }
        case EWS_C3_CDC: {
            /* CDC: C3(t) = sum_{i=t-2..t} max(0, C2(i) - 1); alarm when C3 > z.
             * The bound is the count at which C3(t) would reach z. */
            double l = pmax0(c2_stat(y, t - 2, base, p->min_sigma, NULL) - 1) +
                       pmax0(c2_stat(y, t - 1, base, p->min_sigma, NULL) - 1);
            double sd2, c2 = c2_stat(y, t, base, p->min_sigma, &sd2);
            mean_sd(y, t - (size_t)base - 2, base, &m, &sd);
            double c3 = l + pmax0(c2 - 1);
            r->stat[t] = c3;
            r->expected[t] = m;
            r->upper[t] = pmax0(m + sd2 * (1 + z - l));
            r->alarm[t] = isnan(c3) ? -1 : (c3 > z);
            break;
        }
        default:
            return pu_fail(err, PU_ERR_INTERNAL, NULL, "method", "not an EARS method");
        }
    }
    return PU_OK;
}

/* CUSUM as surveillance::algo.cusum with trans = "standard":
 * S(t) = max(0, S(t-1) + (y - m)/sqrt(m) - k), alarm S(t) >= h,
 * U(t) = ceiling(sqrt(m) (h + k - S(t-1)) + m) clamped at 0. m is the mean
 * of the weeks before the range. With reset, S restarts at 0 after an alarm. */
static int run_cusum(const ews_series *s, const ews_params *p, ews_result *r, pu_err *err) {
    size_t from = p->range_from ? p->range_from - 1 : (size_t)(p->cusum_baseline > 0 ? p->cusum_baseline : 52);
    if (from < 1 || from >= s->n)
        return pu_fail(err, PU_ERR_INVALID, NULL, "count",
                       "cusum needs at least %zu baseline weeks before the first monitored week; the series has %zu",
                       from ? from : 1, s->n);
    double m = 0;
    for (size_t i = 0; i < from; i++) m += s->y[i];
    m /= (double)from;
    if (!(m > 0))
        return pu_fail(err, PU_ERR_INVALID, NULL, "count",
                       "cusum needs a positive baseline mean; the %zu baseline weeks are all 0", from);
    double sm = sqrt(m), c = 0;
    r->from = from;
    for (size_t t = from; t < s->n; t++) {
        double u = ceil(sm * (p->h + p->k - c) + m);
        r->upper[t] = isnan(u) || u < 0 ? 0 : u;
        double cn = c + (s->y[t] - m) / sm - p->k;
        c = cn > 0 ? cn : 0;
        r->stat[t] = c;
        r->expected[t] = m;
        r->alarm[t] = c >= p->h;
        if (p->cusum_reset && r->alarm[t] == 1) c = 0;
    }
    return PU_OK;
}

int ews_detect(const ews_series *s, const ews_params *p, ews_result **out, pu_err *err) {
    *out = NULL;
    if (!s || !p || (s->n && !s->y)) return pu_fail(err, PU_ERR_INVALID, NULL, NULL, "no series given");
    for (size_t i = 0; i < s->n; i++)
        if (!isfinite(s->y[i]) || s->y[i] < 0) {
            char where[32];
            snprintf(where, sizeof where, "week %zu", i + 1);
            return pu_fail(err, PU_ERR_INVALID, where, "count", "expected a count >= 0, got %g", s->y[i]);
        }
    if (s->days)
        for (size_t i = 1; i < s->n; i++)
            if (s->days[i] - s->days[i - 1] != 7) {
                char where[32];
                snprintf(where, sizeof where, "week %zu", i + 1);
                return pu_fail(err, PU_ERR_INVALID, where, "date", "expected weekly dates 7 days apart");
            }
    ews_result *r;
    int rc = result_new(s->n, &r);
    if (rc) return pu_fail(err, rc, NULL, NULL, "out of memory");
    switch (p->method) {
    case EWS_C1: case EWS_C2: case EWS_C3: case EWS_C3_CDC: rc = run_ears(s, p, r, err); break;
    case EWS_FARRINGTON: case EWS_FARRINGTON_NOUFAILY: rc = ews_farrington_run(s, p, r, err); break;
    case EWS_CUSUM: rc = run_cusum(s, p, r, err); break;
    default: rc = pu_fail(err, PU_ERR_INVALID, NULL, "method", "unknown method %d", (int)p->method);
    }
    if (rc) {
        ews_result_free(r);
        return rc;
    }
    *out = r;
    return PU_OK;
}
