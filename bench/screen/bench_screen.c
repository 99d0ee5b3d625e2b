/*
 * bench_screen.c - speed of the screening engine (a benchmark, not a test).
 *
 *   bench_screen list STORE QUERIES [EXHAUSTIVE_SAMPLE]
 *       build the index from STORE (timed), screen every line of QUERIES (one
 *       name per line) on one thread: queries/s, p50/p99 latency; then the
 *       first EXHAUSTIVE_SAMPLE queries in exhaustive mode: latency and the
 *       share of exhaustive top-1 matches the index misses.
 *   bench_screen synth N QUERIES_OUT
 *       generate N synthetic entities (Spanish/Arabic/English/company names),
 *       report build time, RSS and latency of 2,000 variant queries.
 * Output: "key: value" lines that bench/screen/speed.sh turns into the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* CPU time of this thread: the machine is shared, so wall time per query
 * includes waiting for a core; both are reported. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#include "screen/screen.h"

static int dcmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
    if (!n) return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static long rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static char **read_lines(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char **v = NULL, buf[2048];
    size_t cap = 0;
    *n = 0;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = 0;
        if (!buf[0]) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = realloc(v, cap * sizeof *v);
        }
        v[(*n)++] = pu_strdup(buf);
    }
    fclose(f);
    return v;
}

/* Screen every query; latencies in us into lat. Returns the top-1 ids. */
static double g_cand, g_cpu;
static double *g_score; /* top-1 score per query of the last run_all (when set) */

static char **run_all(const screen_index *ix, char **qs, size_t n, int exhaustive, double *lat, double *total) {
    char **top = calloc(n, sizeof *top);
    g_cand = 0;
    double t0 = pu_monotonic(), c0 = cpu_now();
    for (size_t i = 0; i < n; i++) {
        const char *names[1] = {qs[i]};
        screen_query q = {.names = names, .nnames = 1};
        screen_params p = {.limit = 5, .exhaustive = exhaustive};
        screen_result *r = NULL;
        double a = cpu_now();
        if (screen_run(ix, &q, &p, &r, NULL) == PU_OK && r->n && r->matches[0].match)
            top[i] = pu_strdup(r->matches[0].entity_id);
        if (g_score) g_score[i] = r && r->n ? r->matches[0].score : 0;
        if (r) g_cand += (double)r->candidates;
        lat[i] = (cpu_now() - a) * 1e6;
        if (getenv("BENCH_SLOW") && lat[i] > atof(getenv("BENCH_SLOW")))
            fprintf(stderr, "slow %.0f us (%zu scored): %s\n", lat[i], r ? r->candidates : 0, qs[i]);
        screen_result_free(r);
    }
    *total = pu_monotonic() - t0;
    g_cpu = cpu_now() - c0;
    return top;
}

static void report(const char *label, double *lat, size_t n, double total) {
    qsort(lat, n, sizeof *lat, dcmp);
    printf("%s_names_scored_per_query: %.1f\n", label, n ? g_cand / (double)n : 0);
    printf("%s_queries: %zu\n%s_qps_wall: %.0f\n%s_qps_cpu: %.0f\n%s_p50_us_cpu: %.1f\n%s_p99_us_cpu: %.1f\n",
           label, n, label, (double)n / total, label, (double)n / g_cpu, label, pct(lat, n, 0.5), label,
           pct(lat, n, 0.99));
}

static int cmd_list(int argc, char **argv) {
    const char *db = argv[2], *qpath = argv[3];
    size_t ex = argc > 4 ? (size_t)atol(argv[4]) : 300;
    store_t *st;
    pu_err err;
    if (store_open(db, &st, &err)) {
        pu_err_print(&err);
        return 1;
    }
    double t0 = pu_monotonic();
    screen_index *ix;
    if (screen_index_build(st, NULL, &ix, &err)) {
        pu_err_print(&err);
        return 1;
    }
    double tb = pu_monotonic() - t0;
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    printf("list_entities: %zu\nlist_names: %zu\nlist_tokens: %zu\nlist_build_s: %.3f\nlist_index_mb: %.1f\n",
           s.entities, s.names, s.tokens, tb, (double)s.bytes / 1048576.0);
    size_t n;
    char **qs = read_lines(qpath, &n);
    if (!qs) {
        fprintf(stderr, "cannot read %s\n", qpath);
        return 1;
    }
    double *lat = malloc((n + 1) * sizeof *lat), total;
    /* warm-up: first touches of the pools and ICU */
    char **w = run_all(ix, qs, n < 200 ? n : 200, 0, lat, &total);
    for (size_t i = 0; i < (n < 200 ? n : 200); i++) free(w[i]);
    free(w);
    double *isc = calloc(n + 1, sizeof *isc), *esc = calloc(n + 1, sizeof *esc);
    g_score = isc;
    char **top = run_all(ix, qs, n, 0, lat, &total);
    report("indexed", lat, n, total);
    if (ex > n) ex = n;
    g_score = esc;
    char **etop = run_all(ix, qs, ex, 1, lat, &total);
    g_score = NULL;
    report("exhaustive", lat, ex, total);
    size_t ematch = 0, lost = 0;
    for (size_t i = 0; i < ex; i++) {
        if (!etop[i]) continue;
        ematch++;
        /* a different top-1 with the same score is a tie, not a loss */
        if (!top[i] || (strcmp(top[i], etop[i]) != 0 && isc[i] < esc[i])) {
            lost++;
            fprintf(stderr, "index lost: '%s' exhaustive top %s (%.4f), indexed %s (%.4f)\n", qs[i], etop[i], esc[i],
                    top[i] ? top[i] : "-", isc[i]);
        }
    }
    printf("exhaustive_top1_matches: %zu\nindex_lost: %zu\nindex_lost_pct: %.3f\n", ematch, lost,
           ematch ? 100.0 * (double)lost / (double)ematch : 0.0);
    printf("rss_mb: %.1f\n", (double)rss_kb() / 1024.0);
    free(isc);
    free(esc);
    for (size_t i = 0; i < n; i++) {
        free(qs[i]);
        free(top[i]);
        if (i < ex) free(etop[i]);
    }
    free(qs);
    free(top);
    free(etop);
    free(lat);
    screen_index_free(ix);
    store_close(st);
    return 0;
}

/* ---- synthetic list ---- */

static const char *const given[] = {"Juan", "Jose", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Maria",
    "Ana", "Guadalupe", "Jesus", "Antonio", "Alejandro", "Pedro", "Manuel", "Ricardo", "Roberto", "Fernando",
    "Sergio", "Eduardo", "Rafael", "Arturo", "Javier", "Raul", "Martin", "Hector", "Oscar", "Ramon", "Daniel",
    "Mario", "Alberto", "Enrique", "Gerardo", "Armando", "Rosa", "Carmen", "Patricia", "Laura", "Elena",
    "Muhammad", "Ahmad", "Ali", "Hasan", "Husayn", "Omar", "Khalid", "Yusuf", "Ibrahim", "Abdullah", "Mustafa",
    "John", "Michael", "David", "James", "Robert", "William", "Richard", "Thomas", "Sergei", "Ivan", "Olga",
    "Dmitry", "Alexei", "Viktor", "Wei", "Jun", "Hyok", "Chol", "Song", "Kwang", "Yong", "Nam"};
static const char *const surn[] = {"Garcia", "Hernandez", "Martinez", "Lopez", "Gonzalez", "Rodriguez",
    "Perez", "Sanchez", "Ramirez", "Flores", "Gomez", "Torres", "Diaz", "Vazquez", "Cruz", "Morales", "Reyes",
    "Gutierrez", "Ortiz", "Ruiz", "Mendoza", "Aguilar", "Castillo", "Jimenez", "Moreno", "Romero", "Alvarez",
    "Chavez", "Rivera", "Juarez", "Dominguez", "Guzman", "Loera", "Cardenas", "Guillen", "Trevino", "Zambada",
    "Beltran", "Leyva", "Caro", "Quintero", "Arellano", "Felix", "Carrillo", "Fuentes", "Salazar", "Esparragoza",
    "Haddad", "Khalil", "Nasser", "Hussein", "Rahman", "Karimi", "Hosseini", "Ivanov", "Petrov", "Smirnov",
    "Kuznetsov", "Popov", "Volkov", "Kim", "Pak", "Ri", "Choe", "Wang", "Li", "Zhang", "Liu", "Chen", "Smith",
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor"};
static const char *const cwords[] = {"Grupo", "Comercializadora", "Inversiones", "Servicios", "Transportes",
    "Inmobiliaria", "Constructora", "Agricola", "Fruticola", "Minera", "Trading", "Holding", "Global", "Pacific",
    "Atlantic", "Norte", "Sur", "Centro", "Industrial", "Logistica", "Farmaceutica", "Quimica", "Energy",
    "Petroleum", "Shipping", "Marine", "Capital", "Finance", "Import", "Export", "Textil", "Alimentos",
    "Distribuidora", "Maquinaria", "Aceros", "Metales", "Tecnologia", "Digital", "Oriental", "Andina"};
static const char *const forms[] = {"S.A. de C.V.", "SA DE CV", "S. de R.L. de C.V.", "LLC", "Ltd", "Limited",
    "Inc.", "GmbH", "S.A.", "Co. Ltd"};

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
#define PICK(a) (a[rnd() % (sizeof a / sizeof a[0])])

static void synth_name(char *buf, size_t size, int *is_person) {
    *is_person = rnd() % 3 != 0;
    if (*is_person) {
        /* a synthetic rare token keeps the list from being all duplicates */
        snprintf(buf, size, "%s %s %s%c%c%c %s", PICK(given), rnd() % 2 ? PICK(given) : "", PICK(surn),
                 (char)('a' + rnd() % 26), (char)('a' + rnd() % 26), (char)('a' + rnd() % 26), PICK(surn));
    } else {
        snprintf(buf, size, "%s %s %s%c%c %s", PICK(cwords), PICK(cwords), PICK(cwords), (char)('a' + rnd() % 26),
                 (char)('a' + rnd() % 26), PICK(forms));
    }
}

static int cmd_synth(int argc, char **argv) {
    size_t n = (size_t)atol(argv[2]);
    (void)argc;
    screen_builder *b;
    pu_err err;
    if (screen_builder_new(NULL, &b)) return 1;
    size_t nq = 2000;
    char **qs = calloc(nq, sizeof *qs);
    double t0 = pu_monotonic();
    for (size_t i = 0; i < n; i++) {
        char id[32], name[256];
        int person;
        synth_name(name, sizeof name, &person);
        snprintf(id, sizeof id, "syn-%zu", i);
        ftm_entity *e;
        ftm_entity_new(id, person ? "Person" : "Company", &e, NULL);
        ftm_entity_add(e, "name", name, NULL);
        if (screen_builder_add(b, e, &err)) {
            pu_err_print(&err);
            return 1;
        }
        if (i % (n / nq + 1) == 0) {
            size_t k = i / (n / nq + 1);
            if (k < nq) {
                /* variant: drop the last token (a dropped maternal surname / legal form) and typo */
                char *sp = strrchr(name, ' ');
                if (sp) *sp = 0;
                size_t l = strlen(name);
                if (l > 6) name[l - 2] = name[l - 2] == 'e' ? 'a' : 'e';
                qs[k] = pu_strdup(name);
            }
        }
        ftm_entity_free(e);
    }
    double tadd = pu_monotonic() - t0;
    screen_index *ix;
    if (screen_builder_finish(b, &ix, &err)) {
        pu_err_print(&err);
        return 1;
    }
    double tb = pu_monotonic() - t0;
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    printf("synth_entities: %zu\nsynth_names: %zu\nsynth_tokens: %zu\nsynth_build_s: %.2f\nsynth_add_s: %.2f\n",
           s.entities, s.names, s.tokens, tb, tadd);
    printf("synth_rss_mb: %.1f\nsynth_index_mb: %.1f\n", (double)rss_kb() / 1024.0, (double)s.bytes / 1048576.0);
    size_t m = 0;
    while (m < nq && qs[m]) m++;
    double *lat = malloc((m + 1) * sizeof *lat), total;
    char **top = run_all(ix, qs, m, 0, lat, &total);
    report("synth", lat, m, total);
    for (size_t i = 0; i < m; i++) {
        free(qs[i]);
        free(top[i]);
    }
    free(qs);
    free(top);
    free(lat);
    screen_index_free(ix);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "list") == 0) return cmd_list(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "synth") == 0) return cmd_synth(argc, argv);
    fprintf(stderr, "usage: bench_screen list STORE QUERIES [EXHAUSTIVE_SAMPLE] | synth N\n");
    return 2;
}
