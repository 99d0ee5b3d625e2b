/* cmd_trace.c - `puente trace`: the thin CLI over src/trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "i18n/i18n.h"
#include "common/pu_io.h"
#include "common/pu_report.h"
#include "trace/trace.h"

static const char *USAGE =
    "usage: puente trace <subcommand> [options]\n"
    "\n"
    "Firearms tracing: acquisition records, trace requests (ATF Form 3312.1), leads, statistics.\n"
    "\n"
    "Subcommands:\n"
    "  import acquisitions|recoveries FILE.csv [--owner AG] [--marking M] [--strict]\n"
    "        acquisition/disposition records (one event per row) or recoveries (one trace\n"
    "        request per row); bad rows are reported and kept in the rejects table\n"
    "  request fields [--lang en|es]           the Form 3312.1 fields and labels\n"
    "  request submit key=value... [--owner AG] [--marking M]\n"
    "  request show ID [--lang en|es] [--json]   ID: the number (T2026-000002) or row id\n"
    "  request status ID STATUS [--reason TEXT]  submitted|in_progress|completed|cannot_trace\n"
    "  request list [--status S] [--limit N]   (default limit 10; 0 = all)\n"
    "  request pick ID RANK                    examiner picks a partial-serial candidate;\n"
    "                                          the next 'trace run' follows its chain\n"
    "  run [--rerun] [--baseline]              trace submitted requests (in-memory index;\n"
    "                                          --baseline: SQLite index lookups instead)\n"
    "  match SERIAL [--manufacturer M] [--model X] [--calibre C] [--type T] [--limit N]\n"
    "        [--repeat N] [--baseline]          ranked candidates for a partial serial (? * [..])\n"
    "  match --patterns FILE [--baseline]      timing: one 'MANUFACTURER<TAB>PATTERN' per line\n"
    "  msr                                     derive multiple-sale reports from retail sales\n"
    "  leads [--kind purchaser|dealer] [--top K] [--json] [--evaluate K,K..]\n"
    "  stats [--json]\n"
    "  generate [--firearms N] [--recoveries N] [--rings N] [--seed S] [--marking M]   demo data\n"
    "                                          (--marking: of ATF's acquisition records)\n"
    "  seal                                    seal purchasers' and possessors' names and\n"
    "                                          re-index buyers under the configured key: once,\n"
    "                                          after a sealing key is first configured\n"
    "                                          ($PUENTE_SEAL_KEY_FILE) for a store with trace data\n"
    "\n"
    "Common options: --db PATH; --today YYYY-MM-DD (the date 'future' is judged against);\n"
    CLI_SCOPE_HELP
    "  generate, seal, msr counts and leads --evaluate are the operator's (no --agency).\n";

typedef struct opts {
    const char *db, *today, *owner, *marking, *lang, *status, *reason, *kind, *evaluate;
    const char *agency, *country, *mfr, *model, *calibre, *type, *patterns;
    int strict, json, rerun, baseline;
    long limit, top, repeat, firearms, recoveries, rings, seed;
    int nargs;
    char **args;
    cli_scope sc;  /* the reader: --agency/--country, else the operator */
} opts;

enum { O_DB = 1000, O_TODAY, O_OWNER, O_MARKING, O_LANG, O_STATUS, O_REASON, O_KIND, O_EVAL, O_AGENCY, O_COUNTRY,
       O_MFR, O_MODEL, O_CAL, O_TYPE, O_STRICT, O_JSON, O_RERUN, O_BASE, O_LIMIT, O_TOP, O_REPEAT, O_FA, O_REC,
       O_RINGS, O_SEED, O_PATTERNS };

static int parse(int argc, char **argv, opts *o) {
    static const struct option lo[] = {
        {"db", 1, 0, O_DB}, {"today", 1, 0, O_TODAY}, {"owner", 1, 0, O_OWNER}, {"marking", 1, 0, O_MARKING},
        {"lang", 1, 0, O_LANG}, {"status", 1, 0, O_STATUS}, {"reason", 1, 0, O_REASON}, {"kind", 1, 0, O_KIND},
        {"evaluate", 1, 0, O_EVAL}, {"agency", 1, 0, O_AGENCY}, {"country", 1, 0, O_COUNTRY},
        {"manufacturer", 1, 0, O_MFR}, {"model", 1, 0, O_MODEL}, {"calibre", 1, 0, O_CAL}, {"caliber", 1, 0, O_CAL},
        {"type", 1, 0, O_TYPE}, {"strict", 0, 0, O_STRICT}, {"json", 0, 0, O_JSON}, {"rerun", 0, 0, O_RERUN},
        {"baseline", 0, 0, O_BASE}, {"limit", 1, 0, O_LIMIT}, {"top", 1, 0, O_TOP}, {"repeat", 1, 0, O_REPEAT},
        {"firearms", 1, 0, O_FA}, {"recoveries", 1, 0, O_REC}, {"rings", 1, 0, O_RINGS}, {"seed", 1, 0, O_SEED}, {"patterns", 1, 0, O_PATTERNS},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->limit = 10;
    o->top = 20;
    o->repeat = 1;
    o->firearms = 20000;
    o->recoveries = 1000;
    o->rings = 5;
    o->seed = 42;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
        long *lp = NULL;
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_TODAY: o->today = optarg; break;
        case O_OWNER: o->owner = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_LANG: o->lang = optarg; break;
        case O_STATUS: o->status = optarg; break;
        case O_REASON: o->reason = optarg; break;
        case O_KIND: o->kind = optarg; break;
        case O_EVAL: o->evaluate = optarg; break;
        case O_AGENCY: o->agency = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_MFR: o->mfr = optarg; break;
        case O_MODEL: o->model = optarg; break;
        case O_CAL: o->calibre = optarg; break;
        case O_TYPE: o->type = optarg; break;
        case O_PATTERNS: o->patterns = optarg; break;
        case O_STRICT: o->strict = 1; break;
        case O_JSON: o->json = 1; break;
        case O_RERUN: o->rerun = 1; break;
        case O_BASE: o->baseline = 1; break;
        case O_LIMIT: lp = &o->limit; break;
        case O_TOP: lp = &o->top; break;
        case O_REPEAT: lp = &o->repeat; break;
        case O_FA: lp = &o->firearms; break;
        case O_REC: lp = &o->recoveries; break;
        case O_RINGS: lp = &o->rings; break;
        case O_SEED: lp = &o->seed; break;
        default: return cli_usage_error("trace", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        if (lp) {
            if (cli_parse_long("trace", argv[optind - 1], optarg, lp)) return CLI_EXIT_USAGE;
            if (*lp < 0) return cli_usage_error("trace", "%s must not be negative", argv[optind - 1]);
        }
    }
    o->nargs = argc - optind;
    o->args = argv + optind;
    if (o->lang && strcmp(o->lang, "en") && strcmp(o->lang, "es"))
        return cli_usage_error("trace", "--lang expects en or es, got '%s'", o->lang);
    return cli_scope_parse("trace", o->agency, o->country, &o->sc);
}

/* Options may follow positional arguments: move options first. */
static int parse_any(int argc, char **argv, opts *o) {
    char **v = malloc((size_t)(argc + 1) * sizeof *v);
    if (!v) return 1;
    int n = 0;
    v[n++] = argv[0];
    static const char *const flags[] = {"--strict", "--json", "--rerun", "--baseline", NULL};
    for (int pass = 0; pass < 2; pass++)
        for (int i = 1; i < argc; i++) {
            int is_opt = strncmp(argv[i], "--", 2) == 0 && argv[i][2];
            int is_flag = 0;
            for (int f = 0; flags[f]; f++) is_flag |= !strcmp(argv[i], flags[f]);
            int takes = is_opt && !is_flag && !strchr(argv[i], '=');
            if (pass == 0 && is_opt) {
                v[n++] = argv[i];
                if (takes && i + 1 < argc) v[n++] = argv[++i];
            } else if (pass == 1) {
                if (is_opt) {
                    if (takes) i++;
                    continue;
                }
                v[n++] = argv[i];
            }
        }
    v[n] = NULL;
    int rc = parse(n, v, o);
    if (!rc) {
        /* args point into v: copy the pointers we keep */
        char **a = malloc((size_t)(o->nargs + 1) * sizeof *a);
        if (!a) rc = 1;
        else {
            memcpy(a, o->args, (size_t)o->nargs * sizeof *a);
            o->args = a;
        }
    }
    free(v);
    return rc;
}

/* The engine keeps its tables in the store's SQL handle. */
static int open_engine(const opts *o, store_t **st, trace_t **t) {
    int rc = cli_open_store(o->db, st);
    if (rc) return rc;
    pu_err err;
    pu_err_clear(&err);
    /* the tables: cli_open_store migrated every registered module */
    if (trace_open(store_db(*st), o->today, t, &err)) {
        store_close(*st);
        *st = NULL;
        return cli_fail(&err);
    }
    return 0;
}

#define SCOPE(o) (&(o)->sc.scope)

/* Operator-only commands (demo data, ground truth) refuse a reader scope. */
static int need_operator(const opts *o, const char *what) {
    if (o->sc.scope.system) return 0;
    pu_err err;
    pu_fail(&err, PU_ERR_DENIED, NULL, "agency", "%s is an operator command: run it without --agency", what);
    return cli_fail(&err);
}

/* The migration to sealed names (trace_seal_all): the operator's, on the
 * store itself (trace_open would refuse a store indexed under another key). */
static int do_seal(const opts *o) {
    int rc = need_operator(o, "trace seal");
    if (rc) return rc;
    store_t *st;
    rc = cli_open_store(o->db, &st);
    if (rc) return rc;
    pu_err err;
    pu_err_clear(&err);
    trace_seal_stats s;
    rc = trace_seal_all(store_db(st), &s, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    printf("trace names %s: %llu events, %llu requests, %llu multiple-sale reports; buyers re-indexed%s\n",
           store_seal_configured() ? "sealed" : "opened (no sealing key: stored plain)",
           (unsigned long long)s.events, (unsigned long long)s.requests, (unsigned long long)s.reports,
           s.import_keys_dropped ? " (some import keys could not be made again: see docs/security.md)" : "");
    return 0;
}

/* The reports are derived by the system (their markings follow their
 * sources); the totals cover every report, so only the operator sees them. */
static int do_msr(trace_t *t, const opts *o) {
    pu_err err;
    trace_msr_stats ms;
    double t0 = pu_monotonic();
    if (trace_msr_detect(t, &ms, &err)) return cli_fail(&err);
    if (!o->sc.scope.system) {
        printf(T("multiple-sale reports derived again\n"));
        return 0;
    }
    printf(T("multiple-sale reports: %llu handgun (3310.4), %llu SW-border rifle (3310.12), %llu firearms; %.1f s\n"),
           (unsigned long long)ms.handgun_reports, (unsigned long long)ms.rifle_reports,
           (unsigned long long)ms.firearms_in_reports, pu_monotonic() - t0);
    return 0;
}

static int do_import(trace_t *t, const opts *o) {
    if (o->nargs != 3) return cli_usage_error("trace", "import expects acquisitions|recoveries FILE");
    int acq = !strcmp(o->args[1], "acquisitions");
    if (!acq && strcmp(o->args[1], "recoveries"))
        return cli_usage_error("trace", "import expects acquisitions or recoveries, got '%s'", o->args[1]);
    pu_err err;
    pu_err_clear(&err);
    pu_csv *r;
    pu_csv_opts co = {.check_utf8 = 1}; /* a record with invalid UTF-8 is refused alone, file:line:column */
    if (pu_csv_open(o->args[2], &co, &r, &err)) return cli_fail(&err);
    /* owner: --owner, else the acting agency, else (operator) ATF's records
     * or each recovery's requesting agency */
    const char *owner = o->owner ? o->owner : !o->sc.scope.system ? o->sc.agency : acq ? "ATF" : NULL;
    trace_import_opts io = {.owner = owner, .marking = o->marking, .strict = o->strict};
    trace_import_stats st;
    int rc = acq ? trace_import_acquisitions(t, SCOPE(o), r, &io, &st, &err)
                 : trace_import_recoveries(t, SCOPE(o), r, &io, &st, &err);
    pu_csv_close(r);
    if (rc) return cli_fail(&err);
    /* the counts add up: read = written + unchanged + rejected + duplicate (common/pu_report.h) */
    pu_report rep;
    pu_report_init(&rep, acq ? "trace import acquisitions" : "trace import recoveries", NULL);
    rep.read = st.rows;
    rep.written = st.accepted;
    rep.unchanged = st.unchanged;
    rep.rejected = st.rejected;
    rep.duplicate = st.duplicate;
    if (pu_report_check(&rep, &err)) return cli_fail(&err);
    pu_report_print(&rep, stdout);
    printf(T("rejected rows are kept in trace_reject"));
    if (acq) printf(T("; %llu new firearms"), (unsigned long long)st.firearms_new);
    printf("\n");
    if (st.unknown_mfr)
        printf(T("flag: %llu rows name a manufacturer not in the alias table (kept as given)\n"),
               (unsigned long long)st.unknown_mfr);
    if (st.rows && st.unchanged == st.rows) printf(T("nothing changed: every row was already stored\n"));
    /* multiple-sale reports are derived again only when events were added */
    if (acq && st.accepted && (rc = do_msr(t, o))) return rc;
    rc = pu_report_exit(&rep);
    pu_report_free(&rep);
    return rc;
}

/* A request named by its number (T2026-000002, as printed and documented)
 * or its row id, as the command's reader sees it. */
static int parse_id(trace_t *t, const opts *o, const char *s, int64_t *id) {
    pu_err err;
    pu_err_clear(&err);
    if (trace_request_resolve(t, SCOPE(o), s, id, &err)) return cli_fail(&err);
    return 0;
}

static int do_request(trace_t *t, const opts *o) {
    if (o->nargs < 2) return cli_usage_error("trace", "request expects fields|submit|show|status|list");
    const char *sub = o->args[1];
    pu_err err;
    pu_err_clear(&err);
    int rc0;
    int es = o->lang ? !strcmp(o->lang, "es") : i18n_cli() == I18N_ES;   /* default: the CLI's language */
    if (!strcmp(sub, "fields")) {
        size_t n;
        const trace_form_field *f = trace_form_fields(&n);
        for (size_t i = 0; i < n; i++)
            printf("%-18s %-36s %s\n", f[i].key, es ? f[i].label_es : f[i].label_en, f[i].required ? (es ? "obligatorio" : "required") : "");
        return 0;
    }
    if (!strcmp(sub, "submit")) {
        size_t n = (size_t)o->nargs - 2;
        const char **k = calloc(n + 1, sizeof *k), **v = calloc(n + 1, sizeof *v);
        char **dup = calloc(n + 1, sizeof *dup);
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            dup[i] = pu_strdup(o->args[2 + i]);
            char *eq = dup[i] ? strchr(dup[i], '=') : NULL;
            if (!eq) rc = cli_usage_error("trace", "submit expects key=value, got '%s'", o->args[2 + i]);
            else {
                *eq = 0;
                k[i] = dup[i];
                v[i] = eq + 1;
            }
        }
        int64_t id = 0;
        char num[32];
        trace_import_opts io = {.owner = o->owner, .marking = o->marking};
        if (!io.owner && !o->sc.scope.system) io.owner = o->sc.agency;
        if (!rc && !io.owner) {
            for (size_t i = 0; i < n; i++)
                if (!strcmp(k[i], "agency")) io.owner = v[i];
        }
        if (!rc && trace_request_submit(t, SCOPE(o), k, v, n, &io, &id, num, sizeof num, &err)) rc = cli_fail(&err);
        if (!rc) printf(T("%lld %s submitted\n"), (long long)id, num);
        for (size_t i = 0; i < n; i++) free(dup[i]);
        free(dup);
        free(k);
        free(v);
        return rc;
    }
    if (!strcmp(sub, "show")) {
        int64_t id;
        if (o->nargs != 3) return cli_usage_error("trace", "request show expects ID");
        if ((rc0 = parse_id(t, o, o->args[2], &id))) return rc0;
        pu_buf b = PU_BUF_INIT(1 << 24);
        int rc = trace_request_render(t, SCOPE(o), id, o->lang ? o->lang : i18n_cli() == I18N_ES ? "es" : "en", o->json, &b, &err);
        if (!rc) fputs(pu_buf_str(&b), stdout);
        pu_buf_free(&b);
        return rc ? cli_fail(&err) : 0;
    }
    if (!strcmp(sub, "status")) {
        int64_t id;
        if (o->nargs != 4) return cli_usage_error("trace", "request status expects ID STATUS");
        if ((rc0 = parse_id(t, o, o->args[2], &id))) return rc0;
        if (trace_request_set_status(t, SCOPE(o), id, o->args[3], o->reason, &err)) return cli_fail(&err);
        printf("%lld %s\n", (long long)id, o->args[3]);
        return 0;
    }
    if (!strcmp(sub, "pick")) {
        int64_t id;
        long rank;
        if (o->nargs != 4 || cli_parse_long("trace", "RANK", o->args[3], &rank))
            return cli_usage_error("trace", "request pick expects ID RANK");
        if ((rc0 = parse_id(t, o, o->args[2], &id))) return rc0;
        if (trace_request_pick(t, SCOPE(o), id, (int)rank, &err)) return cli_fail(&err);
        printf(T("%lld candidate %ld picked; run 'puente trace run' to trace it\n"), (long long)id, rank);
        return 0;
    }
    if (!strcmp(sub, "list")) {
        pu_buf b = PU_BUF_INIT(1u << 30);
        int rc = trace_request_list(t, SCOPE(o), o->status, o->limit, &b, &err);
        if (!rc) fputs(pu_buf_str(&b), stdout);
        pu_buf_free(&b);
        return rc ? cli_fail(&err) : 0;
    }
    return cli_usage_error("trace", "unknown request subcommand '%s'", sub);
}

static int do_run(trace_t *t, const opts *o) {
    pu_err err;
    pu_err_clear(&err);
    trace_index *ix = NULL;
    if (!o->baseline) {
        double t0 = pu_monotonic();
        if (trace_index_build(t, SCOPE(o), &ix, &err)) return cli_fail(&err);
        printf(T("index: %zu firearms in %.2f s\n"), trace_index_size(ix), pu_monotonic() - t0);
    }
    trace_run_stats st;
    int rc = trace_run(t, SCOPE(o), ix, o->rerun, &st, &err);
    trace_index_free(ix);
    if (rc) return cli_fail(&err);
    printf(T("traced %llu requests in %.2f s (matching %.2f s, %s): %llu completed, %llu cannot trace, %llu for review\n"),
           (unsigned long long)st.processed, st.total_seconds, st.lookup_seconds,
           o->baseline ? T("SQLite index lookups") : T("in-memory index"), (unsigned long long)st.completed,
           (unsigned long long)st.cannot_trace, (unsigned long long)st.pending_review);
    return 0;
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Partial-serial latency over a file of patterns (benchmarks): the index is
 * built once; the baseline runs the same queries through SQLite. */
static int match_batch(trace_t *t, const opts *o) {
    pu_err err;
    pu_err_clear(&err);
    pu_lines *l;
    if (pu_lines_open(o->patterns, 4096, &l, &err)) return cli_fail(&err);
    trace_index *ix = NULL;
    int rc = 0;
    if (!o->baseline) {
        double t0 = pu_monotonic();
        if (trace_index_build(t, SCOPE(o), &ix, &err)) rc = cli_fail(&err);
        else printf(T("index: %zu firearms in %.2f s\n"), trace_index_size(ix), pu_monotonic() - t0);
    }
    size_t n = 0, cap = 0, matches = 0;
    double *lat = NULL;
    const char *line;
    size_t len;
    uint64_t no;
    while (!rc && pu_lines_next(l, &line, &len, &no, &err) == PU_OK && line) {
        const char *tab = strchr(line, '\t');
        char mraw[TRACE_NAME_MAX] = "", mfr[TRACE_NAME_MAX] = "", pat[TRACE_SERIAL_MAX];
        if (tab) snprintf(mraw, sizeof mraw, "%.*s", (int)(tab - line), line);
        int wild, known;
        pu_err e;
        if (trace_serial_norm(tab ? tab + 1 : line, 1, pat, sizeof pat, &wild, &e)) {
            snprintf(e.where, sizeof e.where, "%s:%llu", o->patterns, (unsigned long long)no);
            rc = cli_fail(&e);
            break;
        }
        trace_mfr_norm(mraw, mfr, sizeof mfr, &known);
        for (long r = 0; r < o->repeat; r++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                double *nl = realloc(lat, cap * sizeof *nl);
                if (!nl) { rc = 1; break; }
                lat = nl;
            }
            size_t total = 0, got;
            trace_candidate c[10];
            double t0 = pu_monotonic();
            int qrc = ix ? trace_index_partial(ix, mfr, pat, NULL, c, 10, &got, &total, &err)
                         : trace_sql_partial(t, SCOPE(o), mfr, pat, c, 10, &got, &total, &err);
            if (qrc) {
                rc = cli_fail(&err);
                break;
            }
            lat[n++] = pu_monotonic() - t0;
            if (r == 0) matches += total;
        }
    }
    if (!rc && n) {
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += lat[i];
        qsort(lat, n, sizeof *lat, cmp_dbl);
        printf(T("%zu queries (%s): mean %.3f ms, p50 %.3f ms, p95 %.3f ms, max %.3f ms; %zu matches in all\n"), n,
               o->baseline ? T("SQLite LIKE baseline") : T("in-memory index"), 1000 * sum / (double)n, 1000 * lat[n / 2],
               1000 * lat[(size_t)((double)n * 0.95) < n ? (size_t)((double)n * 0.95) : n - 1], 1000 * lat[n - 1], matches);
    }
    free(lat);
    trace_index_free(ix);
    pu_lines_close(l);
    return rc;
}

static int do_match(trace_t *t, const opts *o) {
    if (o->patterns) return match_batch(t, o);
    if (o->nargs != 2) return cli_usage_error("trace", "match expects one SERIAL pattern");
    pu_err err;
    pu_err_clear(&err);
    char pat[TRACE_SERIAL_MAX], mfr[TRACE_NAME_MAX] = "";
    int wild, known = 0;
    if (trace_serial_norm(o->args[1], 1, pat, sizeof pat, &wild, &err)) return cli_fail(&err);
    if (o->mfr) trace_mfr_norm(o->mfr, mfr, sizeof mfr, &known);
    if (o->mfr && !known) fprintf(stderr, T("puente: flag: manufacturer '%s' not in the alias table; searching as '%s'\n"), o->mfr, mfr);
    size_t max = o->limit > 0 && o->limit < 1000 ? (size_t)o->limit : 10;
    trace_candidate *c = calloc(max, sizeof *c);
    if (!c) return 1;
    size_t n = 0, total = 0;
    trace_hint h = {o->model, o->calibre, o->type};
    int rc = 0;
    double *lat = calloc((size_t)(o->repeat ? o->repeat : 1), sizeof *lat);
    if (o->baseline) {
        /* baseline: the same query through SQLite (GLOB on the serial column) */
        for (long r = 0; r < o->repeat && !rc; r++) {
            double t0 = pu_monotonic();
            if (trace_sql_partial(t, SCOPE(o), mfr, pat, c, max, &n, &total, &err)) rc = cli_fail(&err);
            lat[r] = pu_monotonic() - t0;
        }
    } else {
        trace_index *ix;
        double t0 = pu_monotonic();
        if (trace_index_build(t, SCOPE(o), &ix, &err)) {
            free(c);
            free(lat);
            return cli_fail(&err);
        }
        fprintf(stderr, T("index: %zu firearms in %.2f s\n"), trace_index_size(ix), pu_monotonic() - t0);
        for (long r = 0; r < o->repeat && !rc; r++) {
            t0 = pu_monotonic();
            if (trace_index_partial(ix, mfr, pat, &h, c, max, &n, &total, &err)) rc = cli_fail(&err);
            lat[r] = pu_monotonic() - t0;
        }
        trace_index_free(ix);
    }
    if (!rc) {
        pu_buf b = PU_BUF_INIT(1 << 20);
        trace_candidates_write(pat, mfr, c, n, total, &b);
        fputs(pu_buf_str(&b), stdout);
        pu_buf_free(&b);
        double best = lat[0], sum = 0;
        for (long r = 0; r < o->repeat; r++) {
            sum += lat[r];
            if (lat[r] < best) best = lat[r];
        }
        fprintf(stderr, T("query: %.3f ms mean, %.3f ms best over %ld run(s) (%s)\n"), 1000 * sum / (double)o->repeat,
                1000 * best, o->repeat, o->baseline ? T("SQLite LIKE scan") : T("in-memory index"));
    }
    free(lat);
    free(c);
    return rc;
}

static int do_leads(trace_t *t, const opts *o) {
    pu_err err;
    pu_err_clear(&err);
    if (o->evaluate) {
        int denied = need_operator(o, "leads --evaluate");
        if (denied) return denied;
        char *list = pu_strdup(o->evaluate), *save = NULL;
        int rc = 0;
        for (char *k = strtok_r(list, ",", &save); k && !rc; k = strtok_r(NULL, ",", &save)) {
            long kk;
            if (cli_parse_long("trace", "--evaluate", k, &kk) || kk <= 0) {
                rc = CLI_EXIT_USAGE;
                break;
            }
            double p, r;
            size_t tn;
            if (trace_eval_at_k(t, (size_t)kk, &p, &r, &tn, &err)) rc = cli_fail(&err);
            else printf(T("k=%-4ld precision@k %.3f  recall@k %.3f  (%zu planted ring purchasers)\n"), kk, p, r, tn);
        }
        free(list);
        return rc;
    }
    if (!o->kind) { /* both lists, each ranked on its own scale */
        opts p = *o;
        p.kind = "purchaser";
        printf(T("Purchaser leads\n"));
        int rc = do_leads(t, &p);
        if (rc) return rc;
        p.kind = "dealer";
        printf(T("\nDealer leads\n"));
        return do_leads(t, &p);
    }
    trace_lead *l;
    size_t n;
    if (trace_leads(t, SCOPE(o), o->kind, (size_t)o->top, &l, &n, &err)) return cli_fail(&err);
    pu_buf b = PU_BUF_INIT(1 << 26);
    trace_leads_write(l, n, o->json, &b);
    fputs(pu_buf_str(&b), stdout);
    pu_buf_free(&b);
    trace_leads_free(l, n);
    return 0;
}

static int do_stats(trace_t *t, const opts *o) {
    pu_err err;
    pu_err_clear(&err);
    pu_buf b = PU_BUF_INIT(1 << 24);
    int rc = trace_stats(t, SCOPE(o), o->json, &b, &err);
    if (!rc) fputs(pu_buf_str(&b), stdout);
    pu_buf_free(&b);
    return rc ? cli_fail(&err) : 0;
}

static int do_generate(trace_t *t, const opts *o) {
    int denied = need_operator(o, "generate");
    if (denied) return denied;
    pu_err err;
    pu_err_clear(&err);
    trace_gen_opts g = {.firearms = (uint64_t)o->firearms, .recoveries = (uint64_t)o->recoveries,
                        .rings = (int)o->rings, .seed = (uint64_t)o->seed,
                        .marking_records = o->marking};
    trace_gen_stats st;
    double t0 = pu_monotonic();
    if (trace_generate(t, &g, &st, &err)) return cli_fail(&err);
    printf(T("generated %llu firearms, %llu acquisition records, %llu recoveries, %llu ring purchasers in %.1f s\n"),
           (unsigned long long)st.firearms, (unsigned long long)st.events, (unsigned long long)st.recoveries,
           (unsigned long long)st.ring_purchasers, pu_monotonic() - t0);
    return do_msr(t, o);
}

int cmd_trace(int argc, char **argv) {
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse_any(argc, argv, &o);
    if (rc) return rc;
    if (o.nargs < 1) {
        free(o.args);
        return cli_usage_error("trace", "missing subcommand");
    }
    const char *sub = o.args[0];
    static const char *const subs[] = {"import", "request", "run", "match", "msr", "leads", "stats", "generate", "seal", NULL};
    int known = 0;
    for (int i = 0; subs[i]; i++) known |= !strcmp(sub, subs[i]);
    if (!known) {
        free(o.args);
        return cli_usage_error("trace", "unknown subcommand '%s'", sub);
    }
    store_t *st;
    trace_t *t;
    if (!strcmp(sub, "seal")) {
        rc = do_seal(&o);
        free(o.args);
        return rc;
    }
    if ((rc = open_engine(&o, &st, &t))) {
        free(o.args);
        return rc;
    }
    if (!strcmp(sub, "import")) rc = do_import(t, &o);
    else if (!strcmp(sub, "request")) rc = do_request(t, &o);
    else if (!strcmp(sub, "run")) rc = do_run(t, &o);
    else if (!strcmp(sub, "match")) rc = do_match(t, &o);
    else if (!strcmp(sub, "msr")) rc = do_msr(t, &o);
    else if (!strcmp(sub, "leads")) rc = do_leads(t, &o);
    else if (!strcmp(sub, "stats")) rc = do_stats(t, &o);
    else rc = do_generate(t, &o);
    trace_close(t);
    store_close(st);
    free(o.args);
    return rc;
}
