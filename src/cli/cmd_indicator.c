/*
 * cmd_indicator.c - `puente indicator ...` and `puente report framework`:
 * the thin CLI over src/indicators (docs/indicators.md). Exit codes:
 * docs/CLI.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "i18n/i18n.h"
#include "indicators/ind.h"

extern const char ind_data_framework_csv[];
extern const size_t ind_data_framework_csv_len;

static const char HELP[] =
    "usage: puente indicator <command> [options]\n"
    "\n"
    "Impact indicators of the framework: numerator / denominator x factor over the\n"
    "named counts the engines publish, per period, against baselines and targets.\n"
    "\n"
    "Commands:\n"
    "  list                          the indicators defined in the store\n"
    "  define FILE | --builtin       add or replace definitions from a CSV file (or the\n"
    "                                built-in framework indicators, data/indicators)\n"
    "  value CODE PERIOD VALUE --source S [--owner AG] [--marking M]\n"
    "                                enter a figure Puente does not hold (grants, trainings);\n"
    "                                every entry is kept, the latest counts\n"
    "  compute [CODE] --year Y [--from Y0] [--by country|state|agency] [--releasable-to MX,US]\n"
    "                                the figures as the reader may see them (CSV; --json);\n"
    "                                --releasable-to: only what those countries may read\n"
    "  drill CODE --period P [--by D --cell V]\n"
    "                                the count rows behind one figure (CSV; --json)\n"
    "  records CODE --period P [--part numerator|denominator] [--state S | --by D --cell V]\n"
    "          [--limit N] [--offset N] [--releasable-to MX,US]\n"
    "  records --count NAME --period P [...]\n"
    "                                the records behind one figure (or one count), as the\n"
    "                                reader may see them: kind, id, date, owner, marking,\n"
    "                                page (CSV; --json); aggregates only (protection) and\n"
    "                                suppressed small numbers are refused (exit 5)\n"
    "\n"
    "Options:\n"
    "  --json                 JSON output (list, compute, drill, records)\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 no such indicator, 5 denied.\n";

static const char REPORT_HELP[] =
    "usage: puente report framework --year Y [--lang en|es] [--format html|pdf]\n"
    "                               [--releasable-to MX,US] [--out FILE]\n"
    "\n"
    "The framework report: per goal and area, the highlighted results as sentences with\n"
    "their figures, progress against targets, a trend per indicator and a map by state.\n"
    "Only what the reader may see; --releasable-to MX,US: only what both countries'\n"
    "agencies may read (PUBLIC and SHARED records); --releasable-to US: what US\n"
    "agencies may read. PDF: headless Chromium prints the HTML ($PUENTE_CHROMIUM).\n"
    "\n"
    "Options:\n"
    "  --maps FILE            the state maps (default: web/trace-maps.json beside the binary)\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n";

enum { O_DB = 1000, O_AGENCY, O_COUNTRY, O_JSON, O_YEAR, O_FROM, O_BY, O_PERIOD, O_CELL, O_SOURCE, O_OWNER,
       O_MARKING, O_BUILTIN, O_FORMAT, O_RELEASABLE, O_OUT, O_MAPS, O_PART, O_STATE, O_LIMIT, O_OFFSET, O_COUNT };

#define MAX_POS 4
typedef struct ind_opts {
    const char *db, *agency, *country, *by, *period, *cell, *source, *owner, *marking, *format, *releasable, *out,
        *maps, *part, *state, *count;
    long year, from, limit, offset;
    int json, builtin;
    const char *pos[MAX_POS];
    int npos;
    cli_scope scope;
} ind_opts;

static int parse(const char *cmd, int argc, char **argv, ind_opts *o) {
    static const struct option LONG_OPTS[] = {
        {"db", required_argument, 0, O_DB},         {"agency", required_argument, 0, O_AGENCY},
        {"country", required_argument, 0, O_COUNTRY}, {"json", no_argument, 0, O_JSON},
        {"year", required_argument, 0, O_YEAR},     {"from", required_argument, 0, O_FROM},
        {"by", required_argument, 0, O_BY},         {"period", required_argument, 0, O_PERIOD},
        {"cell", required_argument, 0, O_CELL},     {"source", required_argument, 0, O_SOURCE},
        {"owner", required_argument, 0, O_OWNER},   {"marking", required_argument, 0, O_MARKING},
        {"builtin", no_argument, 0, O_BUILTIN},     {"format", required_argument, 0, O_FORMAT},
        {"releasable-to", required_argument, 0, O_RELEASABLE}, {"out", required_argument, 0, O_OUT},
        {"maps", required_argument, 0, O_MAPS},     {"part", required_argument, 0, O_PART},
        {"state", required_argument, 0, O_STATE},   {"limit", required_argument, 0, O_LIMIT},
        {"offset", required_argument, 0, O_OFFSET}, {"count", required_argument, 0, O_COUNT},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", LONG_OPTS, NULL)) != -1) {
        if (c == '?') return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        if (c == ':') return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_AGENCY: o->agency = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_JSON: o->json = 1; break;
        case O_YEAR: if (cli_parse_long(cmd, "--year", optarg, &o->year)) return CLI_EXIT_USAGE; break;
        case O_FROM: if (cli_parse_long(cmd, "--from", optarg, &o->from)) return CLI_EXIT_USAGE; break;
        case O_BY: o->by = optarg; break;
        case O_PERIOD: o->period = optarg; break;
        case O_CELL: o->cell = optarg; break;
        case O_SOURCE: o->source = optarg; break;
        case O_OWNER: o->owner = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_BUILTIN: o->builtin = 1; break;
        case O_FORMAT: o->format = optarg; break;
        case O_RELEASABLE: o->releasable = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_MAPS: o->maps = optarg; break;
        case O_PART: o->part = optarg; break;
        case O_STATE: o->state = optarg; break;
        case O_COUNT: o->count = optarg; break;
        case O_LIMIT:
            if (cli_parse_long(cmd, "--limit", optarg, &o->limit)) return CLI_EXIT_USAGE;
            if (o->limit < 0) return cli_usage_error(cmd, "--limit expects a number of records");
            break;
        case O_OFFSET:
            if (cli_parse_long(cmd, "--offset", optarg, &o->offset)) return CLI_EXIT_USAGE;
            if (o->offset < 0) return cli_usage_error(cmd, "--offset expects a number of records");
            break;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos >= MAX_POS) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return cli_scope_parse(cmd, o->agency, o->country, &o->scope);
}

static int with_store(const ind_opts *o, store_t **st) { return cli_open_store(o->db, st); }

static int releasable_scope(const char *cmd, const char *list, store_scope *out, char *label, size_t size);

static int run_list(const ind_opts *o) {
    store_t *st;
    int rc = with_store(o, &st);
    if (rc) return rc;
    ind_def *defs = NULL;
    size_t n = 0;
    pu_err err;
    if ((rc = ind_defs_load(store_db(st), &defs, &n, &err))) {
        store_close(st);
        return cli_fail(&err);
    }
    int es = i18n_cli() == I18N_ES;
    if (o->json) fputc('[', stdout);
    for (size_t i = 0; i < n; i++) {
        const ind_def *d = &defs[i];
        if (o->json)
            printf("%s{\"code\":\"%s\",\"goal\":\"%s\",\"area\":\"%s\",\"numerator\":\"%s\",\"denominator\":\"%s\","
                   "\"factor\":%g,\"period\":\"%s\",\"manual\":%s}",
                   i ? "," : "", d->code, d->goal, d->area, d->numerator, d->denominator, d->factor, d->period,
                   d->manual ? "true" : "false");
        else
            printf("%-13s %-8s %-15s %s\n    = %s%s%s%s\n", d->code, d->goal, d->area, d->name[es],
                   d->manual ? "(manual)" : d->numerator, *d->denominator ? " / (" : "", d->denominator,
                   *d->denominator ? ")" : "");
    }
    if (o->json) puts("]");
    ind_defs_free(defs, n);
    store_close(st);
    return 0;
}

static int run_define(const ind_opts *o) {
    if (!o->builtin && o->npos != 2) return cli_usage_error("indicator define", "expected FILE or --builtin");
    ind_def *defs = NULL;
    size_t n = 0;
    pu_err err;
    int rc = o->builtin ? ind_defs_read_mem(ind_data_framework_csv, ind_data_framework_csv_len,
                                            "data/indicators/framework.csv", &defs, &n, &err)
                        : ind_defs_read(o->pos[1], &defs, &n, &err);
    if (rc) return cli_fail(&err);
    /* the operator of the store file, or an account whose role may
     * (cli_operator_may checked ACL_P_ADMIN); acting as an agency without
     * an account is acting as one of its users, whose role is unknown */
    if (!o->scope.scope.system && !cli_operator_get()->authenticated) {
        ind_defs_free(defs, n);
        err = (pu_err){0};
        pu_fail(&err, PU_ERR_DENIED, NULL, "agency", "indicators are defined by the store operator or an administrator");
        return cli_fail(&err);
    }
    store_t *st;
    if ((rc = with_store(o, &st))) {
        ind_defs_free(defs, n);
        return rc;
    }
    rc = ind_defs_put(store_db(st), defs, n, &err);
    if (!rc) printf(T("defined %zu indicators\n"), n);
    ind_defs_free(defs, n);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

static int run_value(const ind_opts *o) {
    if (o->npos != 4) return cli_usage_error("indicator value", "expected CODE PERIOD VALUE");
    double v;
    if (cli_parse_double("indicator value", "VALUE", o->pos[3], &v)) return CLI_EXIT_USAGE;
    store_t *st;
    int rc = with_store(o, &st);
    if (rc) return rc;
    pu_err err;
    const char *owner = o->owner ? o->owner : o->scope.scope.agency;
    rc = ind_value_add(store_db(st), &o->scope.scope, o->pos[1], o->pos[2], v, o->source, owner, o->marking, &err);
    if (!rc) printf(T("recorded %s %s = %s\n"), o->pos[1], o->pos[2], o->pos[3]);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

static int run_compute(const ind_opts *o) {
    if (o->npos > 2) return cli_usage_error("indicator compute", "expected at most one CODE");
    if (!o->year) return cli_usage_error("indicator compute", "--year is required");
    store_scope scope = o->scope.scope;
    char label[16];
    int rc = o->releasable ? releasable_scope("indicator compute", o->releasable, &scope, label, sizeof label) : 0;
    if (rc) return rc;
    store_t *st;
    if ((rc = with_store(o, &st))) return rc;
    ind_query q = {.code = o->npos == 2 ? o->pos[1] : NULL, .year = (int)o->year, .from_year = (int)o->from,
                   .by = o->by};
    ind_result r;
    pu_err err;
    rc = ind_compute(store_db(st), &scope, &q, &r, &err);
    if (!rc) {
        rc = ind_result_write(&r, o->json, stdout, &err);
        if (!o->json) fprintf(stderr, T("computed %s from %s; store generations %s\n"), r.computed_at, r.names, r.generations);
    }
    ind_result_free(&r);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

static int run_drill(const ind_opts *o) {
    if (o->npos != 2 || !o->period) return cli_usage_error("indicator drill", "expected CODE --period P");
    store_t *st;
    int rc = with_store(o, &st);
    if (rc) return rc;
    pu_err err;
    rc = ind_drill(store_db(st), &o->scope.scope, o->pos[1], o->period, o->by, o->cell, o->json, stdout, &err);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

/* The cell of `records`: --state S, or --by D --cell V (as drill). */
static int records_cell(const ind_opts *o, ind_records_query *q) {
    const char *cmd = "indicator records";
    if (o->state && o->by) return cli_usage_error(cmd, "--state or --by/--cell, not both");
    if (o->state) q->state = o->state;
    if (!o->by) return o->cell ? cli_usage_error(cmd, "a cell needs --by country, state or agency") : 0;
    if (!o->cell) return cli_usage_error(cmd, "--by needs --cell");
    if (!strcmp(o->by, "country")) q->country = o->cell;
    else if (!strcmp(o->by, "state")) q->state = o->cell;
    else if (!strcmp(o->by, "agency")) q->agency = o->cell;
    else return cli_usage_error(cmd, "--by expects country, state or agency");
    return 0;
}

static int run_records(const ind_opts *o) {
    const char *cmd = "indicator records";
    if (!o->period) return cli_usage_error(cmd, "--period is required");
    if (o->count ? o->npos != 1 : o->npos != 2) return cli_usage_error(cmd, "expected CODE or --count NAME");
    ind_records_query q = {.code = o->count ? NULL : o->pos[1], .formula = o->count, .part = o->part,
                           .period = o->period, .limit = (size_t)o->limit, .offset = (size_t)o->offset};
    store_scope scope = o->scope.scope;
    char label[16];
    int rc = records_cell(o, &q);
    if (!rc && o->releasable) rc = releasable_scope(cmd, o->releasable, &scope, label, sizeof label);
    if (rc) return rc;
    store_t *st;
    if ((rc = with_store(o, &st))) return rc;
    ind_records r;
    pu_err err;
    rc = ind_records_list(store_db(st), &scope, &q, &r, &err);
    if (!rc) rc = ind_records_write(&r, &q, o->json, stdout, &err);
    if (!rc && !o->json)
        fprintf(stderr, T("%zu of %zu records (from %zu), their values adding up to %.17g\n"), r.n, r.total, q.offset,
                r.sum);
    ind_records_free(&r);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

int cmd_indicator(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    ind_opts o;
    int rc = parse("indicator", argc, argv, &o);
    if (rc) return rc;
    const char *sub = o.npos ? o.pos[0] : "";
    if (!strcmp(sub, "list")) return run_list(&o);
    if (!strcmp(sub, "define")) return run_define(&o);
    if (!strcmp(sub, "value")) return run_value(&o);
    if (!strcmp(sub, "compute")) return run_compute(&o);
    if (!strcmp(sub, "drill")) return run_drill(&o);
    if (!strcmp(sub, "records")) return run_records(&o);
    return cli_usage_error("indicator", "expected list, define, value, compute, drill or records, got '%s'", sub);
}

/* --releasable-to: the audience's scope (no agency, so only what the
 * markings release: both countries -> PUBLIC and SHARED; one -> also its
 * country's ONLY marking). */
static int releasable_scope(const char *cmd, const char *list, store_scope *out, char *label, size_t size) {
    int us = strstr(list, "US") != NULL, mx = strstr(list, "MX") != NULL;
    char probe[64];
    pu_strlcpy(probe, list, sizeof probe);
    for (char *t = strtok(probe, ","); t; t = strtok(NULL, ","))
        if (strcmp(t, "US") && strcmp(t, "MX")) return cli_usage_error(cmd, "--releasable-to expects US, MX or MX,US, got '%s'", list);
    if (!us && !mx) return cli_usage_error(cmd, "--releasable-to expects US, MX or MX,US");
    *out = ind_scope_releasable;
    if (!(us && mx)) out->country = us ? "US" : "MX";
    (void)pu_snprintf(label, size, "%s", us && mx ? "MX, US" : us ? "US" : "MX");
    return 0;
}

int cmd_report(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(REPORT_HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    ind_opts o;
    int rc = parse("report", argc, argv, &o);
    if (rc) return rc;
    if (o.npos != 1 || strcmp(o.pos[0], "framework")) return cli_usage_error("report", "expected: report framework");
    if (!o.year) return cli_usage_error("report framework", "--year is required");
    const char *fmt = o.format ? o.format : "html";
    if (strcmp(fmt, "html") && strcmp(fmt, "pdf")) return cli_usage_error("report framework", "--format expects html or pdf");
    store_scope scope = o.scope.scope;
    char label[64] = "";
    if (o.releasable && (rc = releasable_scope("report framework", o.releasable, &scope, label, sizeof label))) return rc;
    char out[4096];
    (void)pu_snprintf(out, sizeof out, "%s", o.out ? o.out : "");
    if (!*out) (void)pu_snprintf(out, sizeof out, "framework-%ld-%s.%s", o.year, i18n_code(i18n_cli()), fmt);
    store_t *st;
    if ((rc = with_store(&o, &st))) return rc;
    ind_report_opts ro = {.year = (int)o.year, .lang = i18n_code(i18n_cli()), .pdf = !strcmp(fmt, "pdf"),
                          .audience = *label ? label : NULL, .maps = o.maps};
    pu_err err;
    rc = ind_report_write(store_db(st), &scope, &ro, out, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    printf("%s\n", out);
    return 0;
}
