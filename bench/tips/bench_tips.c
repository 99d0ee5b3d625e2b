/* bench_tips.c - the tip line's costs (docs/perf/tips.md):
 *  1. one receipt check with the deployed Argon2id parameters (right and
 *     wrong receipts: the same work), median of several;
 *  2. intake with triage in tips/s, on generated bilingual tips, with the
 *     Argon2id at libsodium's minimum (what triage and the store cost) and
 *     with the deployed parameters (what a tip costs end to end);
 *  3. what brute-forcing a receipt would cost at that price.
 * Usage: bench_tips [STORE] (default: a temporary SQLite file). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "store/store.h"
#include "tips/tips.h"

#define CHECKS 7
#define TIPS_FAST 300
#define TIPS_SLOW 10

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double intake_rate(db_t *db, int n, unsigned seed) {
    pu_err e;
    int64_t filed;
    double t0 = now();
    if (tips_generate(db, n, seed, &filed, &e) != PU_OK) {
        fprintf(stderr, "bench_tips: %s\n", e.msg);
        exit(1);
    }
    return (double)filed / (now() - t0);
}

int main(int argc, char **argv) {
    char path[256];
    snprintf(path, sizeof path, "%s", argc > 1 ? argv[1] : "/tmp/bench_tips.db");
    if (argc < 2) {
        unlink(path);
        char side[300];
        snprintf(side, sizeof side, "%s-wal", path), unlink(side);
        snprintf(side, sizeof side, "%s-shm", path), unlink(side);
    }
    unsetenv("PUENTE_TIPS_KDF");
    store_t *st;
    pu_err e;
    if (store_open(path, &st, &e) || app_migrate(store_db(st), &e)) {
        fprintf(stderr, "bench_tips: %s\n", e.msg);
        return 1;
    }
    db_t *db = store_db(st);
    unsigned long long ops;
    size_t mem;
    int weak;
    tips_kdf_params(&ops, &mem, &weak);

    /* 1. receipt checks: file one tip for real, then open it and miss */
    tips_intake in = {0};
    snprintf(in.category, sizeof in.category, "drugs");
    snprintf(in.lang, sizeof in.lang, "es");
    in.text = "Venden cristal en la esquina del mercado los viernes.";
    tips_receipt_out out;
    double t0 = now();
    if (tips_submit(db, &in, &out, &e)) {
        fprintf(stderr, "bench_tips: %s\n", e.msg);
        return 1;
    }
    double submit_one = now() - t0, right[CHECKS], wrong[CHECKS], right_cpu[CHECKS], wrong_cpu[CHECKS];
    for (int i = 0; i < CHECKS; i++) {
        tips_tipster_view v;
        double c0 = cpu();
        t0 = now();
        if (tips_receipt_open(db, out.receipt, &v, &e)) return 1;
        right[i] = now() - t0;
        right_cpu[i] = cpu() - c0;
        tips_tipster_view_free(&v);
        c0 = cpu();
        t0 = now();
        if (tips_receipt_open(db, "abacus abacus abacus abacus abacus abacus abacus", &v, &e) != PU_ERR_NOTFOUND) return 1;
        wrong[i] = now() - t0;
        wrong_cpu[i] = cpu() - c0;
    }
    qsort(right, CHECKS, sizeof right[0], cmp_d);
    qsort(wrong, CHECKS, sizeof wrong[0], cmp_d);
    qsort(right_cpu, CHECKS, sizeof right[0], cmp_d);
    qsort(wrong_cpu, CHECKS, sizeof wrong[0], cmp_d);
    double check = right_cpu[CHECKS / 2], bits = tips_receipt_bits();
    double years = pow(2.0, bits - 1) * check / (365.25 * 86400.0);
    printf("argon2id: opslimit %llu, memlimit %zu MiB\n", ops, mem >> 20);
    printf("receipt check, right receipt: CPU median %.3f s (min %.3f, max %.3f); wall median %.3f s; of %d\n",
           right_cpu[CHECKS / 2], right_cpu[0], right_cpu[CHECKS - 1], right[CHECKS / 2], CHECKS);
    printf("receipt check, wrong receipt: CPU median %.3f s (min %.3f, max %.3f); wall median %.3f s; of %d\n",
           wrong_cpu[CHECKS / 2], wrong_cpu[0], wrong_cpu[CHECKS - 1], wrong[CHECKS / 2], CHECKS);
    printf("one intake with the real hash: %.3f s\n", submit_one);
    printf("receipt entropy %.1f bits: brute force (CPU median per guess), half the space on one core: %.3g years (%.3g with a million cores)\n",
           bits, years, years / 1e6);

    /* 2. intake with triage */
    double slow = intake_rate(db, TIPS_SLOW, 7);
    setenv("PUENTE_TIPS_KDF", "1:8192", 1);
    double fast = intake_rate(db, TIPS_FAST, 11);
    printf("intake with triage, deployed hash: %.2f tips/s (%d tips)\n", slow, TIPS_SLOW);
    printf("intake with triage, minimum hash (triage + store only): %.1f tips/s (%d tips)\n", fast, TIPS_FAST);
    store_close(st);
    return 0;
}
