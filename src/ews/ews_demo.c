/*
 * ews_demo.c - deterministic generator of realistic weekly report streams for
 * US and Mexican states, with injected emergences, for demos and tests.
 *
 * Background: Poisson weekly counts per state and substance with a yearly
 * season; report types, matrices, agencies and markings drawn per country.
 * Injected (relative to the end of the stream):
 *   - isotonitazene (nitazene) in Sinaloa from 10 weeks before the end and in
 *     Arizona from 8 weeks before, rising;
 *   - medetomidine in Pennsylvania from 14 weeks before, rising;
 *   - a one-week burst of "4-FF" (para-fluorofentanyl) in Baja California
 *     3 weeks before the end;
 *   - an unknown name, "N-pyrrolidino protonitazene", in Sonora in the last
 *     4 weeks (goes to the curator queue).
 */
#include "ews/ews.h"
#include "common/pu_parse.h"

#include <math.h>
#include <string.h>

typedef struct rng { uint64_t s; } rng;
static uint64_t next(rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(rng *r) { return (double)(next(r) >> 11) / 9007199254740992.0; }
static int poisson(rng *r, double lambda) {
    if (lambda <= 0) return 0;
    double l = exp(-lambda), p = 1;
    int k = 0;
    do { k++; p *= unif(r); } while (p > l && k < 10000);
    return k - 1;
}

typedef struct stream { const char *place, *substance; double base; } stream;
static const stream background[] = {
    {"US-AZ", "fentanyl", 6}, {"US-AZ", "methamphetamine", 4}, {"US-CA", "fentanyl", 9},
    {"US-CA", "methamphetamine", 6}, {"US-TX", "fentanyl", 5}, {"US-TX", "cocaine", 3},
    {"US-PA", "fentanyl", 7}, {"US-PA", "xylazine", 4}, {"US-PA", "heroin", 2}, {"US-NM", "fentanyl", 3},
    {"US-NY", "fentanyl", 6}, {"US-NY", "xylazine", 2}, {"MX-SIN", "fentanilo", 4}, {"MX-SIN", "metanfetamina", 5},
    {"MX-BCN", "fentanilo", 5}, {"MX-BCN", "metanfetamina", 4}, {"MX-SON", "fentanilo", 3},
    {"MX-SON", "metanfetamina", 3}, {"MX-CHH", "fentanilo", 3}, {"MX-CHH", "heroína", 2}, {"MX-JAL", "metanfetamina", 3},
    {"MX-CMX", "cocaína", 3}, {"MX-CMX", "fentanilo", 1},
};

static const char *municipality(const char *place, rng *r) {
    static const struct { const char *state, *m[3]; } mun[] = {
        {"MX-SIN", {"MX-SIN/Culiacán", "MX-SIN/Mazatlán", "MX-SIN"}},
        {"MX-BCN", {"MX-BCN/Tijuana", "MX-BCN/Mexicali", "MX-BCN"}},
        {"MX-SON", {"MX-SON/Hermosillo", "MX-SON/Nogales", "MX-SON"}},
        {"US-AZ", {"US-AZ/Phoenix", "US-AZ/Tucson", "US-AZ"}},
    };
    for (size_t i = 0; i < sizeof mun / sizeof mun[0]; i++)
        if (strcmp(place, mun[i].state) == 0) return mun[i].m[next(r) % 3];
    return place;
}

static int emit(FILE *out, rng *r, long *id, int64_t monday, const char *place, const char *substance,
                const char *also) {
    int us = place[0] == 'U';
    static const char *const types[] = {"seizure-lab", "toxicology-postmortem", "toxicology-clinical", "ed-visit",
                                        "drug-checking"};
    double u = unif(r);
    int t = u < 0.45 ? 0 : u < 0.65 ? 1 : u < 0.8 ? 2 : u < 0.92 ? 3 : 4;
    const char *matrix = t == 0 ? (unif(r) < 0.7 ? "powder" : "tablet") : t == 1 ? "blood" : t == 2 ? "urine"
                        : t == 3 ? "" : "residue";
    char agency[32], state[16];
    pu_strlcpy(state, place, sizeof state);
    char *slash = strchr(state, '/');
    if (slash) *slash = 0;
    if (t == 0) pu_strlcpy(agency, us ? "DEA" : "FGR", sizeof agency);
    else if (t == 4) pu_strlcpy(agency, us ? "CDC" : "CONASAMA", sizeof agency);
    else snprintf(agency, sizeof agency, "%s-%s", state, us ? "DOH" : "SSA");
    const char *marking = store_marking_name(unif(r) < 0.85 ? STORE_SHARED : us ? STORE_US_ONLY : STORE_MX_ONLY);
    char date[16], qty[32] = "", pur[32] = "";
    pu_format_date(monday + (int64_t)(next(r) % 7), date, sizeof date);
    if (t == 0) {
        snprintf(qty, sizeof qty, "%.1f", 0.5 + 500 * unif(r) * unif(r));
        snprintf(pur, sizeof pur, "%.1f", 2 + 60 * unif(r));
    }
    (*id)++;
    int n = fprintf(out, "DEMO-%06ld,%s,%s,%s,%s,%s%s%s,%s,%s,%s,%s,%s\n", *id, date, municipality(place, r), agency,
                    types[t], substance, also ? "|" : "", also ? also : "", matrix, qty, pur, agency, marking);
    return n < 0 ? PU_ERR_IO : PU_OK;
}

int ews_demo_generate(FILE *out, const char *start, int weeks, uint64_t seed, pu_err *err) {
    int64_t d0;
    if (pu_date_parse_days(start, NULL, "start", &d0, err) != PU_OK) return PU_ERR_INVALID;
    if (weeks < 1 || weeks > 5200) return pu_fail(err, PU_ERR_INVALID, NULL, "weeks", "expected 1..5200 weeks, got %d", weeks);
    d0 -= (((d0 + 4) % 7 + 7) % 7 + 6) % 7;   /* the Monday of that week */
    rng r = {seed ? seed : 1};
    long id = 0;
    if (fputs("report_id,date,place,source_agency,type,substances,matrix,quantity_g,purity_pct,owner,marking\n", out) < 0)
        return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write");
    for (int w = 0; w < weeks; w++) {
        int64_t monday = d0 + 7 * (int64_t)w;
        double season = 1 + 0.2 * sin(2 * M_PI * w / 52.0);
        int left = weeks - w;   /* weeks until the end, 1 = last */
        for (size_t s = 0; s < sizeof background / sizeof background[0]; s++) {
            int n = poisson(&r, background[s].base * season);
            for (int i = 0; i < n; i++) {
                const char *also = NULL;
                if (strcmp(background[s].substance, "fentanyl") == 0 && unif(&r) < 0.1) also = "4-ANPP";
                if (emit(out, &r, &id, monday, background[s].place, background[s].substance, also))
                    return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write");
            }
        }
        struct { const char *place, *name; int from; double l0, growth; } inj[] = {
            {"MX-SIN", "isotonitaceno", 10, 0.6, 0.35},
            {"US-AZ", "isotonitazene", 8, 0.5, 0.35},
            {"US-PA", "medetomidine", 14, 0.4, 0.25},
            {"MX-BCN", "4-FF", 3, 9, 0},
            {"MX-SON", "N-pyrrolidino protonitazene", 4, 1.5, 0},
        };
        for (size_t k = 0; k < sizeof inj / sizeof inj[0]; k++) {
            if (left > inj[k].from) continue;
            if (strcmp(inj[k].name, "4-FF") == 0 && left != inj[k].from) continue;
            int since = inj[k].from - left;
            int n = poisson(&r, inj[k].l0 * exp(inj[k].growth * since));
            if (since == 0 && n == 0) n = 1;   /* the emergence is seen in its first week */
            for (int i = 0; i < n; i++) {
                const char *also = strstr(inj[k].place, "US-") ? "fentanyl" : "fentanilo";
                if (emit(out, &r, &id, monday, inj[k].place, inj[k].name, also))
                    return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write");
            }
        }
    }
    if (fflush(out) != 0) return pu_fail(err, PU_ERR_IO, NULL, NULL, "cannot write");
    return PU_OK;
}
