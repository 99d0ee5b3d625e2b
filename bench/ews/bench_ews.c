/*
 * bench_ews.c - Puente side of the ews benchmark: reads the 520 x 1000 series
 * written by bench_r.R, runs each method over every series through the
 * library (ews_detect), writes the alarms in R's layout and the timings.
 * Usage: bench_ews DIR NFF_FULL
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu.h"
#include "ews/ews.h"

#define NW 520
#define NS 1000

static double Y[NS][NW];

static double run(ews_method m, size_t range_from, int nser, const char *dir, const char *name, long *alarms) {
    char path[512];
    snprintf(path, sizeof path, "%s/p_%s.csv", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    ews_params p;
    ews_params_default(m, &p);
    p.range_from = range_from;
    *alarms = 0;
    /* time the detection only; alarms are written afterwards */
    static signed char al[NS][NW];
    double t0 = pu_monotonic();
    for (int s = 0; s < nser; s++) {
        ews_series ser = {NW, Y[s], NULL};
        ews_result *r;
        pu_err err;
        if (ews_detect(&ser, &p, &r, &err) != PU_OK) { fprintf(stderr, "series %d: %s\n", s + 1, err.msg); exit(1); }
        memcpy(al[s], r->alarm, NW);
        ews_result_free(r);
    }
    double el = pu_monotonic() - t0;
    for (int s = 0; s < nser; s++)
        for (int w = 0; w < NW; w++)
            if (al[s][w] == 1) { fprintf(f, "%d,%d\n", s + 1, w + 1); (*alarms)++; }
    fclose(f);
    return el;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: bench_ews DIR NFF_FULL\n"); return 2; }
    const char *dir = argv[1];
    int nff = atoi(argv[2]);
    char path[512];
    snprintf(path, sizeof path, "%s/series.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return 1; }
    for (int w = 0; w < NW; w++)
        for (int s = 0; s < NS; s++)
            if (fscanf(f, "%lf,", &Y[s][w]) != 1) { fprintf(stderr, "bad series file at week %d\n", w + 1); return 1; }
    fclose(f);
    struct { const char *what, *name; ews_method m; size_t from; int nser; } runs[] = {
        {"earsC C1 full range", "c1", EWS_C1, 0, NS},
        {"earsC C2 full range", "c2", EWS_C2, 0, NS},
        {"earsC C3 full range", "c3", EWS_C3, 0, NS},
        {"farringtonFlexible default, full range 264..520 (R's subset)", "ff_full", EWS_FARRINGTON, 0, nff},
        {"farringtonFlexible default, full range 264..520 (all series)", "ff_full_all", EWS_FARRINGTON, 0, NS},
        {"farringtonFlexible default, newest week", "ff_last", EWS_FARRINGTON, NW, NS},
        {"farringtonFlexible Noufaily, newest week", "ffn_last", EWS_FARRINGTON_NOUFAILY, NW, NS},
        {"farringtonFlexible Noufaily, full range 264..520 (all series)", "ffn_full_all", EWS_FARRINGTON_NOUFAILY, 0, NS},
    };
    snprintf(path, sizeof path, "%s/p_timings.csv", dir);
    FILE *t = fopen(path, "w");
    if (!t) { perror(path); return 1; }
    fprintf(t, "what,series,seconds,alarms\n");
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        long alarms;
        double el = run(runs[i].m, runs[i].from, runs[i].nser, dir, runs[i].name, &alarms);
        fprintf(t, "\"%s\",%d,%.6f,%ld\n", runs[i].what, runs[i].nser, el, alarms);
        printf("%-66s %5d series %9.4f s %6ld alarms\n", runs[i].what, runs[i].nser, el, alarms);
    }
    fclose(t);
    return 0;
}
