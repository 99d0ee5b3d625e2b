/* bench_audit_key.c - the cost of the keyed chain on the audit path: the
 * same batches of entries appended to an in-memory store unkeyed and with a
 * chain key ($PUENTE_AUDIT_KEY), as the journal's ingest thread appends them
 * (audit_append_many, one transaction per batch), and the hash alone.
 * Usage: bench_audit_key [ENTRIES] (default 200000). Prints entries/s.
 *        bench_audit_key --hash keyed|unkeyed N: N hashes of one kind only
 *        (for callgrind's instruction count). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>
#include <string.h>

#include "audit/audit.h"

#define BATCH 500 /* about what the journal thread ingests per 20 ms under load */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double run(long n) {
    db_t *db;
    pu_err e;
    if (db_open(":memory:", NULL, &db, &e) || audit_migrate(db, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    audit_event ev = {"http", "ana.dea", "DEA", "entity.read", "dea-case-000123", "success",
                      "q=zorglub; total=1", "127.0.0.1", ""};
    const audit_event *evs[BATCH];
    for (int i = 0; i < BATCH; i++) evs[i] = &ev;
    double t0 = now_s();
    for (long done = 0; done < n; done += BATCH)
        if (audit_append_many(db, evs, BATCH, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            exit(1);
        }
    double dt = now_s() - t0;
    audit_report rep;
    if (audit_verify(db, &rep, &e)) {
        fprintf(stderr, "verify: %s\n", e.msg);
        exit(1);
    }
    db_close(db);
    return (double)n / dt;
}

/* The hash alone: BLAKE2b-256 of an entry-sized message, unkeyed and keyed. */
static void hash_only(long n) {
    unsigned char msg[300], key[32], out[32];
    memset(msg, 'x', sizeof msg);
    memset(key, 7, sizeof key);
    for (int keyed = 0; keyed < 2; keyed++) {
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            msg[0] = (unsigned char)i;
            crypto_generichash(out, sizeof out, msg, sizeof msg, keyed ? key : NULL, keyed ? sizeof key : 0);
        }
        printf("hash only, %s: %.0f ns per entry\n", keyed ? "keyed" : "unkeyed", (now_s() - t0) / (double)n * 1e9);
    }
}

/* One kind of hash only, for an instruction count that the machine's load
 * cannot disturb: valgrind --tool=callgrind bench_audit_key --hash keyed N,
 * then unkeyed; (Ir keyed - Ir unkeyed) / N is what the key adds per entry
 * (docs/PERFORMANCE.md, "Security"). */
static int hash_one_kind(int keyed, long n) {
    unsigned char msg[300], key[32], out[32];
    memset(msg, 'x', sizeof msg);
    memset(key, 7, sizeof key);
    unsigned acc = 0;
    for (long i = 0; i < n; i++) {
        msg[0] = (unsigned char)i;
        crypto_generichash(out, sizeof out, msg, sizeof msg, keyed ? key : NULL, keyed ? sizeof key : 0);
        acc += out[0];
    }
    printf("%s: %ld hashes (%u)\n", keyed ? "keyed" : "unkeyed", n, acc);
    return 0;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 1;
    if (argc > 3 && strcmp(argv[1], "--hash") == 0) return hash_one_kind(strcmp(argv[2], "keyed") == 0, atol(argv[3]));
    long n = argc > 1 ? atol(argv[1]) : 200000;
    pu_err e;
    hash_only(2000000);
    for (int round = 0; round < 3; round++) {
        unsetenv("PUENTE_AUDIT_KEY");
        audit_key_reload(&e);
        double plain = run(n);
        setenv("PUENTE_AUDIT_KEY", "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", 1);
        audit_key_reload(&e);
        double keyed = run(n);
        printf("round %d: unkeyed %.0f entries/s, keyed %.0f entries/s (%+.1f%%)\n", round + 1, plain, keyed,
               100.0 * (keyed - plain) / plain);
    }
    return 0;
}
