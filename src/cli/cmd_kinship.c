/* cmd_kinship.c - `puente kinship pairwise|solve|joint|search|simulate`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "kinship/kinship.h"
#include "common/pu_io.h"

#define CMD "kinship"

/* `puente kinship case ...` (cmd_kinship_case.c): the case database. */
int cmd_kinship_case(int argc, char **argv);
/* `puente kinship lineage y|mt ...` (cmd_kinship_case.c): Y-STR and mtDNA LRs. */
int cmd_kinship_lineage(int argc, char **argv);
/* `puente kinship xstr ...` (cmd_kinship_xstr.c): X-STR LRs. */
int cmd_kinship_xstr(int argc, char **argv);
/* `puente kinship import-familias FILE.fam` (cmd_kinship_xstr.c). */
int cmd_kinship_import_familias(int argc, char **argv);

typedef struct kargs {
    const char *dir, *ped, *am, *pm, *freqs, *mut, *pop, *out, *drop_file;
    double theta, min_freq, threshold, dropout, dropin;
    long max_incomp, top, threads, block, min_shared, families, pm_true, pm_unrel, seed, max_refs, min_refs;
    int pm_pm, quiet, stream;
} kargs;

static void usage(FILE *o) {
    fputs(T("usage: puente kinship <pairwise|solve|joint|search|simulate> [options]\n\n"
          "  pairwise   LR of every victim (PM sample) against every missing person:\n"
          "             CSV pm_sample,family,missing,lr,excluded_markers\n"
          "  solve      dviSolve-style conclusions: AM table then PM table\n"
          "  joint      ranked joint assignments (loglik, LR vs best) and posterior pairing\n"
          "             probabilities under a flat prior\n"
          "  search     blind search of every PM against every family (threads, streaming)\n"
          "  simulate   simulate families and remains into --out DIR (dvi_* file formats)\n\n"
          "Input (the formats of the dvi_* folders):\n"
          "  --dir D            folder with am_pedigrees.csv, am_genotypes.csv, pm_genotypes.csv,\n"
          "                     freqs.csv and (optional) mutation_models.csv\n"
          "  --pedigrees F --am F --pm F --freqs F [--mutation F]   individual files (override --dir)\n"
          "  --population P     population to use from a long frequency file\n"
          "  --min-freq X       frequency for alleles missing from the database\n"
          "                     (default 5/2N when the file gives N, else 0.001; a warning names each one)\n"
          "  --theta X          Balding-Nichols theta for founders (default 0)\n"
          "Options:\n"
          "  --threshold X      LR threshold (solve: undisputed/GLR, default 1e4; search: report, default 1e4)\n"
          "  --max-incomp N     exclusion: more than N incompatible markers (default 2)\n"
          "  --top N            joint: rows shown (default 20); search: candidates per PM (default 5)\n"
          "  --threads N        search: threads (default: CPUs)\n"
          "  --pm-pm            search: also report PM x PM direct matches\n"
          "  --stream           search: threshold only, no top-k: print every pair with LR >= --threshold\n"
          "                     as soon as its missing person is scored (rank column empty, unordered)\n"
          "  --out F            output file (simulate: directory) instead of stdout\n"
          "  simulate: --families N --pm-true N --pm-unrelated N --min-refs N --max-refs N --seed N\n"
          "            (frequencies from --freqs [--population], mutation from --mutation)\n"),
          o);
    fputs(T("Degraded remains (pairwise, solve, joint):\n"
            "  --dropout P        allelic dropout probability of every PM sample and marker\n"
            "                     (each allele copy; default 0 = exact genotypes)\n"
            "  --dropin C         drop-in probability (default 0)\n"
            "  --dropout-file F   per sample/marker values: CSV sample,marker,dropout[,dropin] (* = all)\n"
            "Case database: puente kinship case --help\n"),
          o);
    fputs(T("X-chromosomal STRs: puente kinship xstr --help\n"
            "Familias 3 case files: puente kinship import-familias --help\n"), o);
}

static char *join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, file);
    return s;
}

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* Load frequencies, mutation models, pedigrees and genotypes. */
static int load_case(const kargs *a, int need_pm, kin_db **dbo, kin_case **co, pu_err *err) {
    char *paths[5] = {0};
    const char *names[5] = {"freqs.csv", "mutation_models.csv", "am_pedigrees.csv", "am_genotypes.csv",
                            "pm_genotypes.csv"};
    const char *given[5] = {a->freqs, a->mut, a->ped, a->am, a->pm};
    for (int i = 0; i < 5; i++) {
        if (given[i]) paths[i] = pu_strdup(given[i]);
        else if (a->dir) paths[i] = join(a->dir, names[i]);
    }
    int rc = PU_OK;
    const char *opt[5] = {"--freqs", "--mutation", "--pedigrees", "--am", "--pm"};
    for (int i = 0; i < 5 && !rc; i++) {
        if (i == 1) continue;
        if (i == 4 && !need_pm && !paths[i]) continue;
        if (!paths[i]) rc = pu_fail(err, PU_ERR_INVALID, NULL, opt[i], "missing input: give %s or --dir", opt[i]);
    }
    kin_db *db = NULL;
    kin_case *c = NULL;
    if (!rc) rc = kin_db_read(paths[0], a->pop, a->min_freq, &db, err);
    if (!rc && paths[1] && (a->mut || file_exists(paths[1]))) rc = kin_db_read_mutation(db, paths[1], err);
    if (!rc) rc = kin_case_read_pedigrees(db, paths[2], &c, err);
    if (!rc) rc = kin_case_read_am(c, paths[3], err);
    if (!rc && paths[4] && (need_pm || file_exists(paths[4]))) rc = kin_case_read_pm(c, paths[4], err);
    if (!rc) rc = kin_db_prepare(db, err);
    for (int i = 0; i < 5; i++) free(paths[i]);
    if (rc) {
        kin_case_free(c);
        kin_db_free(db);
        return rc;
    }
    *dbo = db;
    *co = c;
    return PU_OK;
}

/* The engine options every subcommand shares, from the command line. */
static void opts_of(const kargs *a, kin_opts *ko) {
    kin_opts_default(ko);
    ko->theta = a->theta;
    if (a->threshold > 0) ko->threshold = a->threshold;
    if (a->max_incomp >= 0) ko->max_incomp = (int)a->max_incomp;
}

static void search_opts_of(const kargs *a, kin_search_opts *so) {
    kin_search_opts_default(so);
    if (a->threshold > 0) so->threshold = a->threshold;
    if (a->top > 0) so->top_k = (int)a->top;
    if (a->threads > 0) so->threads = (int)a->threads;
    if (a->max_incomp >= 0) so->max_incomp = (int)a->max_incomp;
    if (a->min_shared > 0) so->min_shared = (int)a->min_shared;
    if (a->block > 0) so->block = (int)a->block;
    so->stream = a->stream;
}

static void put_num(FILE *o, double x) {
    if (isnan(x)) return;
    if (isinf(x)) fputs(x > 0 ? "Inf" : "-Inf", o);
    else fprintf(o, "%.15g", x);
}

static void csv_str(FILE *o, const char *s) { pu_csv_write_field(o, s); }

static const char *miss_name(const kin_case *c, int j) {
    return c->fam[c->miss[j].fam].p[c->miss[j].person].id;
}

static int do_pairwise(const kargs *a, kin_case *c, FILE *o, pu_err *err) {
    kin_opts ko;
    opts_of(a, &ko);
    size_t n = (size_t)c->nvic * c->nmiss + 1;
    double *lr = malloc(n * sizeof *lr);
    int *ex = malloc(n * sizeof *ex);
    int rc = lr && ex ? kin_pairwise(c, &ko, lr, ex, err) : PU_ERR_NOMEM;
    if (!rc) {
        fputs("pm_sample,family,missing,lr,excluded_markers\n", o);
        for (int v = 0; v < c->nvic; v++)
            for (int j = 0; j < c->nmiss; j++) {
                size_t k = (size_t)v * c->nmiss + j;
                csv_str(o, c->vic[v].id);
                fputc(',', o);
                csv_str(o, c->fam[c->miss[j].fam].name);
                fputc(',', o);
                csv_str(o, miss_name(c, j));
                fputc(',', o);
                put_num(o, lr[k]);
                fputc(',', o);
                if (ex[k] >= 0) fprintf(o, "%d", ex[k]);
                fputc('\n', o);
            }
    }
    free(lr);
    free(ex);
    return rc;
}

static int do_joint(const kargs *a, kin_case *c, FILE *o, pu_err *err) {
    kin_opts ko;
    opts_of(a, &ko);
    kin_joint *J;
    int rc = kin_joint_run(c, &ko, NULL, NULL, 0, &J, err);
    if (rc) return rc;
    long top = a->top > 0 ? a->top : 20;
    fputs("rank,", o);
    for (int v = 0; v < c->nvic; v++) {
        csv_str(o, c->vic[v].id);
        fputc(',', o);
    }
    fputs("loglik,LR", o);
    for (int j = 0; j < c->nmiss; j++) {
        fputc(',', o);
        csv_str(o, miss_name(c, j));
    }
    fputc('\n', o);
    /* both orientations, as dvir: victim -> missing, then missing -> victim */
    for (long i = 0; i < J->n && i < top; i++) {
        fprintf(o, "%ld,", i + 1);
        for (int v = 0; v < c->nvic; v++) {
            int j = J->row[i].assign[v];
            csv_str(o, j >= 0 ? miss_name(c, j) : "*");
            fputc(',', o);
        }
        put_num(o, J->row[i].loglik);
        fputc(',', o);
        put_num(o, exp(J->row[0].loglik - J->row[i].loglik));
        for (int j = 0; j < c->nmiss; j++) {
            int who = -1;
            for (int v = 0; v < c->nvic; v++)
                if (J->row[i].assign[v] == j) who = v;
            fputc(',', o);
            csv_str(o, who >= 0 ? c->vic[who].id : "*");
        }
        fputc('\n', o);
    }
    fprintf(o, "\n# %ld assignments; posterior pairing probabilities (flat prior)\nvictim,missing_or_star,posterior\n",
            J->n);
    for (int j = 0; j <= c->nmiss; j++)
        for (int v = 0; v < c->nvic; v++) {
            csv_str(o, c->vic[v].id);
            fputc(',', o);
            csv_str(o, j < c->nmiss ? miss_name(c, j) : "*");
            fputc(',', o);
            put_num(o, J->post[(size_t)j * c->nvic + v]);
            fputc('\n', o);
        }
    kin_joint_free(J);
    return PU_OK;
}

static int do_solve(const kargs *a, kin_case *c, FILE *o, pu_err *err) {
    kin_opts ko;
    opts_of(a, &ko);
    kin_solve *S;
    int rc = kin_solve_run(c, &ko, &S, err);
    if (rc) return rc;
    fputs("Family,Missing,Sample,LR,GLR,Conclusion,Comment\n", o);
    for (int i = 0; i < S->nam; i++) {
        const kin_solve_row *r = &S->am[i];
        csv_str(o, c->fam[r->fam].name);
        fputc(',', o);
        csv_str(o, miss_name(c, r->miss));
        fputc(',', o);
        csv_str(o, r->sample);
        fputc(',', o);
        put_num(o, r->lr);
        fputc(',', o);
        put_num(o, r->glr);
        fputc(',', o);
        csv_str(o, r->conclusion);
        fputc(',', o);
        csv_str(o, r->comment);
        fputc('\n', o);
    }
    fputs("\nSample,Missing,Family,LR,GLR,Conclusion,Comment\n", o);
    for (int i = 0; i < S->npm; i++) {
        const kin_solve_row *r = &S->pm[i];
        csv_str(o, c->vic[r->vic].id);
        fputc(',', o);
        csv_str(o, r->sample);
        fputc(',', o);
        if (r->fam >= 0) csv_str(o, c->fam[r->fam].name);
        fputc(',', o);
        put_num(o, r->lr);
        fputc(',', o);
        put_num(o, r->glr);
        fputc(',', o);
        csv_str(o, r->conclusion);
        fputc(',', o);
        csv_str(o, r->comment);
        fputc('\n', o);
    }
    kin_solve_free(S);
    return PU_OK;
}

typedef struct sctx {
    FILE *o;
    const kin_case *c;
    int pmpm;
    int stream;            /* unranked: empty rank column, flush per call */
} sctx;

static int print_hits(void *ud, const kin_hit *h, int n) {
    sctx *s = ud;
    const kin_case *c = s->c;
    for (int i = 0; i < n; i++) {
        csv_str(s->o, c->vic[h[i].vic].id);
        if (s->stream) fputs(",,", s->o);
        else fprintf(s->o, ",%d,", i + 1);
        if (s->pmpm) {
            fputs("PM,", s->o);
            csv_str(s->o, c->vic[h[i].miss].id);
        } else {
            csv_str(s->o, c->fam[c->miss[h[i].miss].fam].name);
            fputc(',', s->o);
            csv_str(s->o, miss_name(c, h[i].miss));
        }
        fprintf(s->o, ",%.6f,%.6g,%d,", h[i].log10lr, pow(10, h[i].log10lr), h[i].excluded);
        for (int k = 0; k < 3; k++) {
            if (h[i].drivers[k] < 0) break;
            fprintf(s->o, "%s%s:%.2f", k ? ";" : "", c->db->m[h[i].drivers[k]].name, h[i].driver_log10[k]);
        }
        fputc('\n', s->o);
    }
    /* streamed hits must reach a pipe now, not when the buffer fills */
    if (s->stream && fflush(s->o)) return PU_ERR_IO;
    return PU_OK;
}

static int do_search(const kargs *a, kin_case *c, FILE *o, pu_err *err) {
    kin_opts ko;
    opts_of(a, &ko);
    kin_search_opts so;
    search_opts_of(a, &so);
    sctx s = {o, c, 0, a->stream};
    fputs("pm_sample,rank,family,missing,log10_lr,lr,excluded_markers,driving_markers\n", o);
    kin_search_stats st;
    memset(&st, 0, sizeof st);
    double t0 = pu_monotonic();
    if (a->stream) fflush(o);
    int rc = kin_search_run(c, &ko, &so, print_hits, &s, &st, err);
    double t1 = pu_monotonic();
    if (!rc && a->pm_pm) {
        s.pmpm = 1;
        rc = kin_search_pmpm(c, &so, print_hits, &s, err);
    }
    if (!rc && !a->quiet)
        fprintf(stderr,
                T("puente: kinship search: %d PM x %ld missing persons (%d families): %llu pairs (%llu pruned early) "
                "in %.3f s; tables %.3f s (%.1f us/family), scoring %.3f s (%.4f us/pair), total %.4f us/pair; "
                "cpu: tables %.3f s (%.1f us/family), scoring %.3f s (%.4f us/pair)\n"),
                c->nvic, st.targets, c->nfam, (unsigned long long)st.pairs, (unsigned long long)st.pruned, t1 - t0,
                st.table_seconds, st.targets ? st.table_seconds * 1e6 / (double)st.targets : 0, st.score_seconds,
                st.pairs ? st.score_seconds * 1e6 / (double)st.pairs : 0,
                st.pairs ? (t1 - t0) * 1e6 / (double)st.pairs : 0, st.table_cpu,
                st.targets ? st.table_cpu * 1e6 / (double)st.targets : 0, st.score_cpu,
                st.pairs ? st.score_cpu * 1e6 / (double)st.pairs : 0);
    return rc;
}

static int do_simulate(const kargs *a, pu_err *err) {
    if (!a->out) return cli_usage_error(CMD, "simulate needs --out DIR");
    const char *freqs = a->freqs;
    char *fp = NULL;
    if (!freqs && a->dir) freqs = fp = join(a->dir, "freqs.csv");
    if (!freqs) {
        free(fp);
        return cli_usage_error(CMD, "simulate needs --freqs F (or --dir D)");
    }
    kin_db *db;
    int rc = kin_db_read(freqs, a->pop, a->min_freq, &db, err);
    free(fp);
    if (!rc && a->mut) rc = kin_db_read_mutation(db, a->mut, err);
    kin_sim_opts so = {.families = a->families > 0 ? (int)a->families : 20,
                       .pm_true = a->pm_true >= 0 ? (int)a->pm_true : -1,
                       .pm_unrelated = a->pm_unrel >= 0 ? (int)a->pm_unrel : -1,
                       .min_refs = a->min_refs > 0 ? (int)a->min_refs : 1,
                       .max_refs = a->max_refs > 0 ? (int)a->max_refs : 3,
                       .seed = a->seed >= 0 ? (uint64_t)a->seed : 1};
    if (!rc) rc = kin_simulate(db, &so, a->out, err);
    kin_db_free(db);
    if (!rc && !a->quiet) fprintf(stderr, T("puente: kinship simulate: wrote %s\n"), a->out);
    return rc;
}

int cmd_kinship(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "case")) return cmd_kinship_case(argc - 1, argv + 1);
    if (!strcmp(sub, "lineage")) return cmd_kinship_lineage(argc - 1, argv + 1);
    if (!strcmp(sub, "xstr")) return cmd_kinship_xstr(argc - 1, argv + 1);
    if (!strcmp(sub, "import-familias")) return cmd_kinship_import_familias(argc - 1, argv + 1);
    kargs a = {.max_incomp = -1, .pm_true = -1, .pm_unrel = -1, .seed = -1};
    enum { O_DIR = 1, O_PED, O_AM, O_PM, O_FREQS, O_MUT, O_POP, O_OUT, O_THETA, O_MINF, O_THR, O_MAXI, O_TOP,
           O_THREADS, O_BLOCK, O_MINSH, O_FAM, O_PMT, O_PMU, O_SEED, O_MAXR, O_MINR, O_PMPM, O_QUIET, O_STREAM,
           O_DROP, O_DROPIN, O_DROPF };
    static const struct option lo[] = {
        {"dir", 1, 0, O_DIR}, {"pedigrees", 1, 0, O_PED}, {"am", 1, 0, O_AM}, {"pm", 1, 0, O_PM},
        {"freqs", 1, 0, O_FREQS}, {"mutation", 1, 0, O_MUT}, {"population", 1, 0, O_POP}, {"out", 1, 0, O_OUT},
        {"theta", 1, 0, O_THETA}, {"min-freq", 1, 0, O_MINF}, {"threshold", 1, 0, O_THR},
        {"max-incomp", 1, 0, O_MAXI}, {"top", 1, 0, O_TOP}, {"threads", 1, 0, O_THREADS}, {"block", 1, 0, O_BLOCK},
        {"min-shared", 1, 0, O_MINSH}, {"families", 1, 0, O_FAM}, {"pm-true", 1, 0, O_PMT},
        {"pm-unrelated", 1, 0, O_PMU}, {"seed", 1, 0, O_SEED}, {"max-refs", 1, 0, O_MAXR},
        {"min-refs", 1, 0, O_MINR}, {"pm-pm", 0, 0, O_PMPM}, {"quiet", 0, 0, O_QUIET}, {"stream", 0, 0, O_STREAM}, {"help", 0, 0, 'h'},
        {"dropout", 1, 0, O_DROP}, {"dropin", 1, 0, O_DROPIN}, {"dropout-file", 1, 0, O_DROPF},
        {0, 0, 0, 0}};
    optind = 1;
    int ch;
    int sargc = argc - 1;
    char **sargv = argv + 1;
    while ((ch = getopt_long(sargc, sargv, "h", lo, NULL)) != -1) {
        int r = 0;
        switch (ch) {
        case O_DIR: a.dir = optarg; break;
        case O_PED: a.ped = optarg; break;
        case O_AM: a.am = optarg; break;
        case O_PM: a.pm = optarg; break;
        case O_FREQS: a.freqs = optarg; break;
        case O_MUT: a.mut = optarg; break;
        case O_POP: a.pop = optarg; break;
        case O_OUT: a.out = optarg; break;
        case O_THETA: r = cli_parse_double(CMD, "--theta", optarg, &a.theta); break;
        case O_MINF: r = cli_parse_double(CMD, "--min-freq", optarg, &a.min_freq); break;
        case O_THR:
            r = cli_parse_double(CMD, "--threshold", optarg, &a.threshold);
            /* an LR threshold: 0 or a negative one would silently mean "the default" */
            if (!r && !(a.threshold > 0 && a.threshold <= KIN_THRESHOLD_MAX))
                r = cli_usage_error(CMD, "--threshold is a likelihood ratio: expected a number > 0 and <= %g (e.g. 1e4), "
                                         "got '%s'", KIN_THRESHOLD_MAX, optarg);
            break;
        case O_MAXI: r = cli_parse_long(CMD, "--max-incomp", optarg, &a.max_incomp); break;
        case O_TOP: r = cli_parse_long(CMD, "--top", optarg, &a.top); break;
        case O_THREADS: r = cli_parse_long(CMD, "--threads", optarg, &a.threads); break;
        case O_BLOCK: r = cli_parse_long(CMD, "--block", optarg, &a.block); break;
        case O_MINSH: r = cli_parse_long(CMD, "--min-shared", optarg, &a.min_shared); break;
        case O_FAM: r = cli_parse_long(CMD, "--families", optarg, &a.families); break;
        case O_PMT: r = cli_parse_long(CMD, "--pm-true", optarg, &a.pm_true); break;
        case O_PMU: r = cli_parse_long(CMD, "--pm-unrelated", optarg, &a.pm_unrel); break;
        case O_SEED: r = cli_parse_long(CMD, "--seed", optarg, &a.seed); break;
        case O_MAXR: r = cli_parse_long(CMD, "--max-refs", optarg, &a.max_refs); break;
        case O_MINR: r = cli_parse_long(CMD, "--min-refs", optarg, &a.min_refs); break;
        case O_PMPM: a.pm_pm = 1; break;
        case O_QUIET: a.quiet = 1; break;
        case O_STREAM: a.stream = 1; break;
        case O_DROP: r = cli_parse_double(CMD, "--dropout", optarg, &a.dropout); break;
        case O_DROPIN: r = cli_parse_double(CMD, "--dropin", optarg, &a.dropin); break;
        case O_DROPF: a.drop_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return cli_usage_error(CMD, "unknown option or missing value: '%s'", sargv[optind - 1]);
        }
        if (r) return r;
    }
    if (optind < sargc) return cli_usage_error(CMD, "unexpected argument '%s'", sargv[optind]);
    if (a.stream && strcmp(sub, "search"))
        return cli_usage_error(CMD, "--stream applies to 'search' only");
    if (a.stream && a.top > 0)
        return cli_usage_error(CMD, "--stream reports every pair above --threshold: do not combine it with --top");
    if (a.theta < 0 || a.theta >= 1) return cli_usage_error(CMD, "--theta expects a number in [0, 1)");
    if (a.min_freq < 0 || a.min_freq > 1) return cli_usage_error(CMD, "--min-freq expects a number in [0, 1]");
    if (!(a.dropout >= 0 && a.dropout <= KIN_DROP_MAX) || !(a.dropin >= 0 && a.dropin <= KIN_DROP_MAX))
        return cli_usage_error(CMD, "--dropout and --dropin expect a probability in [0, %g]", KIN_DROP_MAX);
    int dropping = a.dropout > 0 || a.dropin > 0 || a.drop_file;
    if (dropping && strcmp(sub, "pairwise") && strcmp(sub, "solve") && strcmp(sub, "joint"))
        return cli_usage_error(CMD, "--dropout, --dropin and --dropout-file apply to pairwise, solve and joint (the "
                                    "blind search ranks exact profiles; rescore its hits with pairwise)");

    pu_err err;
    pu_err_clear(&err);
    int rc;
    if (!strcmp(sub, "simulate")) {
        rc = do_simulate(&a, &err);
        return rc == CLI_EXIT_USAGE ? rc : rc ? cli_fail(&err) : 0;
    }
    int (*fn)(const kargs *, kin_case *, FILE *, pu_err *) = NULL;
    if (!strcmp(sub, "pairwise")) fn = do_pairwise;
    else if (!strcmp(sub, "joint")) fn = do_joint;
    else if (!strcmp(sub, "solve")) fn = do_solve;
    else if (!strcmp(sub, "search")) fn = do_search;
    else return cli_usage_error(CMD, "unknown subcommand '%s'", sub);
    kin_db *db;
    kin_case *c;
    rc = load_case(&a, 1, &db, &c, &err);
    if (rc) return cli_fail(&err);
    if (dropping) {
        rc = kin_case_set_dropout(c, a.dropout, a.dropin, &err);
        if (!rc && a.drop_file) rc = kin_case_read_dropout(c, a.drop_file, &err);
        if (rc) {
            kin_case_free(c);
            kin_db_free(db);
            return cli_fail(&err);
        }
    }
    if (!a.quiet && db->n_warnings) fprintf(stderr, T("puente: %ld warning(s) while reading the input\n"), db->n_warnings);
    FILE *o = stdout;
    if (a.out && !(o = fopen(a.out, "w"))) {
        rc = pu_fail(&err, PU_ERR_IO, a.out, NULL, "cannot write the output file");
    } else {
        rc = fn(&a, c, o, &err);
        if (o != stdout && fclose(o) && !rc) rc = pu_fail(&err, PU_ERR_IO, a.out, NULL, "write failed");
    }
    kin_case_free(c);
    kin_db_free(db);
    return rc ? cli_fail(&err) : 0;
}
