/*
 * cmd_ews.c - `puente ews ...`: the thin CLI over src/ews/ews.h.
 *
 *   puente ews detect --method M --counts FILE [--alpha A] [--from N] [--reset] [--diagnostics]
 *   puente ews import FILE [--format csv|jsonl]
 *   puente ews alerts [list] [--status S] [--to A] [--substance ID] [--lang en|es]
 *   puente ews alerts ack ID | close ID [--note TEXT]   (as --agency A --country C)
 *   puente ews scan [--method M] [--until DATE] [--last N]
 *   puente ews counts --substance ID [--place P]
 *   puente ews vocab [list|load FILE|resolve NAME|add-synonym ID NAME [--lang L]]
 *   puente ews queue [list|resolve ID SUBSTANCE] [--status S]
 *   puente ews generate [--start DATE] [--weeks N] [--seed S]
 * Store commands take --db PATH and the reader scope --agency A --country C
 * (cli_scope_parse; default: the operator, who sees everything). The scope's
 * agency is also the acting agency of ack/close and the filer of imports.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ews/ews.h"
#include "common/pu_report.h"

static int usage(FILE *f) {
    fputs(T("usage: puente ews <command> [options]\n\n"
          "Early warning for emerging drugs.\n\n"
          "Commands:\n"
          "  detect    --method c1|c2|c3|c3-cdc|farrington|farrington-noufaily|cusum --counts FILE\n"
          "            FILE is CSV 'date,count' (ISO dates a week apart, or integer week indexes),\n"
          "            optionally with a 'series' column to run many strata in one call.\n"
          "            Writes CSV [series,]date,count,upperbound,alarm (empty where the method gives none).\n"
          "            Options: --alpha A, --from WEEK (1-based first monitored week), --reset (cusum),\n"
          "            --baseline N (EARS / cusum baseline weeks), --years B and --window W (Farrington),\n"
          "            --k K --h H (cusum), --diagnostics (extra columns).\n"
          "  import    FILE [--format csv|jsonl] [--strict] [--baseline]: reports (seizure-lab,\n"
          "            toxicology-postmortem, toxicology-clinical, ed-visit, drug-checking).\n"
          "            Every bad record is reported (file:line, field) and refused; the good ones\n"
          "            are imported (exit 7 when any was refused). --strict: all or nothing.\n"
          "            --baseline: load history (known substances, past reports) without raising\n"
          "            alerts; later imports are judged against it. Dates after today (UTC, one\n"
          "            day of tolerance) are refused.\n"
          "            With --agency A --country C the reports are filed as A, and only with\n"
          "            markings A's country may hold (a MX agency cannot file US-ONLY).\n"
          "  alerts    [list] [--status open|acknowledged|closed] [--to A] [--substance ID] [--lang en|es]\n"
          "            --to A: only the alerts addressed to agency A.\n"
          "            ack ID | close ID [--note TEXT], with --agency A --country C: agency A\n"
          "            acknowledges or closes for itself; only an addressee of the alert may.\n"
          "  scan      [--method M] [--until DATE] [--last N]: aberration alerts from stored reports\n"
          "            (weekly counts per substance x state; default farrington, newest week).\n"
          "            Operator only (no --agency).\n"
          "  counts    --substance ID [--place US|MX|STATE]: weekly counts CSV (input for detect).\n"
          "  vocab     [list] | load FILE | resolve NAME | add-synonym ID NAME [--lang en|es] [--marking M]\n"
          "            load is operator only; add-synonym is owned by --agency (else EWS).\n"
          "  queue     [list] [--status open|resolved] | resolve ID SUBSTANCE: the curator queue.\n"
          "  generate  [--start DATE] [--weeks N] [--seed S]: demo report stream (CSV) on stdout.\n\n"
          "Common options: --db PATH (else $PUENTE_DB)\n" CLI_SCOPE_HELP
          "Every list, count and lookup shows only what that user may see.\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

typedef struct opts {
    const char *db, *method, *counts, *format, *status, *agency, *country, *to, *substance, *place, *note, *until, *lang,
        *start, *today;
    const char *marking;
    double alpha, k, h;
    long from, last, weeks, seed, baseline, years, window;
    int reset, diag;
    int strict, backfill;     /* import: all or nothing; --baseline (history, no alerts) */
    int npos;
    char *pos[4];
} opts;

static int parse(const char *cmd, int argc, char **argv, opts *o) {
    static const struct option lo[] = {
        {"db", required_argument, 0, 'd'}, {"method", required_argument, 0, 'm'}, {"counts", required_argument, 0, 'c'},
        {"format", required_argument, 0, 'f'}, {"status", required_argument, 0, 's'}, {"agency", required_argument, 0, 'a'},
        {"substance", required_argument, 0, 'S'}, {"place", required_argument, 0, 'p'}, {"note", required_argument, 0, 'n'},
        {"until", required_argument, 0, 'u'}, {"lang", required_argument, 0, 'l'}, {"start", required_argument, 0, 'T'},
        {"country", required_argument, 0, 'C'}, {"to", required_argument, 0, 'o'}, {"alpha", required_argument, 0, 'x'}, {"from", required_argument, 0, 'F'},
        {"last", required_argument, 0, 'L'}, {"weeks", required_argument, 0, 'w'}, {"seed", required_argument, 0, 'e'},
        {"baseline", required_argument, 0, 'b'}, {"marking", required_argument, 0, 'M'},
        {"years", required_argument, 0, 'Y'}, {"window", required_argument, 0, 'W'}, {"k", required_argument, 0, 'K'},
        {"h", required_argument, 0, 'H'}, {"reset", no_argument, 0, 'r'}, {"diagnostics", no_argument, 0, 'D'},
        {"strict", no_argument, 0, 'R'}, {"today", required_argument, 0, 't'}, {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->alpha = o->k = o->h = NAN;
    o->years = o->window = o->baseline = -1;   /* -1: not given */
    o->last = 1;
    o->weeks = 156;
    o->seed = 42;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'm': o->method = optarg; break;
        case 'c': o->counts = optarg; break;
        case 'f': o->format = optarg; break;
        case 's': o->status = optarg; break;
        case 'a': o->agency = optarg; break;
        case 'S': o->substance = optarg; break;
        case 'p': o->place = optarg; break;
        case 'n': o->note = optarg; break;
        case 'u': o->until = optarg; break;
        case 'l': o->lang = optarg; break;
        case 'T': o->start = optarg; break;
        case 'C': o->country = optarg; break;
        case 'o': o->to = optarg; break;
        case 'M': o->marking = optarg; break;
        case 'Y': if (cli_parse_long(cmd, "--years", optarg, &o->years)) return CLI_EXIT_USAGE; break;
        case 'W': if (cli_parse_long(cmd, "--window", optarg, &o->window)) return CLI_EXIT_USAGE; break;
        case 'K': if (cli_parse_double(cmd, "--k", optarg, &o->k)) return CLI_EXIT_USAGE; break;
        case 'H': if (cli_parse_double(cmd, "--h", optarg, &o->h)) return CLI_EXIT_USAGE; break;
        case 'x': if (cli_parse_double(cmd, "--alpha", optarg, &o->alpha)) return CLI_EXIT_USAGE; break;
        case 'F': if (cli_parse_long(cmd, "--from", optarg, &o->from)) return CLI_EXIT_USAGE; break;
        case 'L': if (cli_parse_long(cmd, "--last", optarg, &o->last)) return CLI_EXIT_USAGE; break;
        case 'w': if (cli_parse_long(cmd, "--weeks", optarg, &o->weeks)) return CLI_EXIT_USAGE; break;
        case 'e': if (cli_parse_long(cmd, "--seed", optarg, &o->seed)) return CLI_EXIT_USAGE; break;
        case 'b': if (cli_parse_long(cmd, "--baseline", optarg, &o->baseline)) return CLI_EXIT_USAGE; break;
        case 'r': o->reset = 1; break;
        case 'D': o->diag = 1; break;
        case 'R': o->strict = 1; break;
        case 't': o->today = optarg; break;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    /* GNU getopt permutes argv: positionals end up after the options */
    for (int i = optind; i < argc; i++) {
        if (o->npos >= 4) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

/* Method parameters from the options shared by detect and scan. */
static int apply_params(const char *cmd, const opts *o, ews_params *p) {
    if (!isnan(o->alpha)) {
        if (!(o->alpha > 0 && o->alpha < 1)) return cli_usage_error(cmd, "--alpha must be in (0,1)");
        p->alpha = o->alpha;
    }
    p->cusum_reset = o->reset;
    if (o->baseline != -1) {
        if (o->baseline < 1 || o->baseline > 10000) return cli_usage_error(cmd, "--baseline must be 1..10000");
        p->baseline = (int)o->baseline;
        p->cusum_baseline = (int)o->baseline;
    }
    if (o->years != -1) {
        if (o->years < 1 || o->years > 60) return cli_usage_error(cmd, "--years must be 1..60");
        p->b = (int)o->years;
    }
    if (o->window != -1) {
        if (o->window < 0 || o->window > 26) return cli_usage_error(cmd, "--window must be 0..26");
        if (p->past_weeks == p->w) p->past_weeks = (int)o->window;   /* R: pastWeeksNotIncluded defaults to w */
        p->w = (int)o->window;
    }
    if (!isnan(o->k)) p->k = o->k;
    if (!isnan(o->h)) {
        if (!(o->h > 0)) return cli_usage_error(cmd, "--h must be > 0");
        p->h = o->h;
    }
    return 0;
}

static void fmt_num(char *b, size_t n, double v) {
    if (isnan(v)) b[0] = 0;
    else snprintf(b, n, "%.17g", v);
}

static int do_detect(opts *o) {
    if (!o->method) return cli_usage_error("ews detect", "--method is required");
    if (!o->counts) return cli_usage_error("ews detect", "--counts FILE is required");
    pu_err err;
    pu_err_clear(&err);
    ews_method m;
    if (ews_method_parse(o->method, &m, &err)) return cli_usage_error("ews detect", "%s", err.msg);
    ews_params p;
    ews_params_default(m, &p);
    if (apply_params("ews detect", o, &p)) return CLI_EXIT_USAGE;
    if (o->from < 0) return cli_usage_error("ews detect", "--from must be >= 1");
    p.range_from = (size_t)o->from;
    ews_counts_set *set;
    int rc = ews_counts_read_set(o->counts, &set, &err);
    if (rc) return cli_fail(&err);
    const char *named = set->has_names ? "series," : "";
    if (o->diag) printf("%sdate,count,upperbound,alarm,expected,statistic,pvalue,phi,mu0,trend,trendcoef\n", named);
    else printf("%sdate,count,upperbound,alarm\n", named);
    int skipped = 0;
    for (size_t k = 0; k < set->n && !rc; k++) {
        ews_counts *c = set->series[k];
        const char *name = set->has_names ? set->names[k] : NULL;
        ews_series s = {c->n, c->y, c->days};
        ews_result *r = NULL;
        pu_err derr;
        pu_err_clear(&derr);
        rc = ews_detect(&s, &p, &r, &derr);
        if (rc && name && rc == PU_ERR_INVALID) {
            /* many strata: a series too short for the method keeps its rows
             * (no bounds) and is reported, the others still run */
            fprintf(stderr, T("puente: %s: series '%s': %s; no bounds for this series\n"), o->counts, name, derr.msg);
            skipped++;
            rc = PU_OK;
        } else if (rc) {
            err = derr;
            if (!err.where[0]) pu_strlcpy(err.where, o->counts, sizeof err.where);
            break;
        }
        if (!o->diag) {
            rc = ews_result_write_rows(stdout, name, c, r, &err);
        } else {
            for (size_t i = 0; i < c->n; i++) {
                char d[16], b[7][40];
                if (c->days) pu_format_date(c->days[i], d, sizeof d);
                else snprintf(d, sizeof d, "%lld", (long long)c->week[i]);
                if (!r) {
                    printf("%s%s%s,%.17g,,,,,,,,,\n", name ? name : "", name ? "," : "", d, c->y[i]);
                    continue;
                }
                fmt_num(b[0], 40, r->upper[i]); fmt_num(b[1], 40, r->expected[i]); fmt_num(b[2], 40, r->stat[i]);
                fmt_num(b[3], 40, r->pvalue[i]); fmt_num(b[4], 40, r->phi[i]); fmt_num(b[5], 40, r->mu0[i]);
                fmt_num(b[6], 40, r->trendcoef[i]);
                printf("%s%s%s,%.17g,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", name ? name : "", name ? "," : "", d, c->y[i], b[0],
                       r->alarm[i] < 0 ? "" : r->alarm[i] ? "1" : "0", b[1], b[2], b[3], b[4], b[5],
                       r->trend[i] < 0 ? "" : r->trend[i] ? "1" : "0", b[6]);
            }
        }
        ews_result_free(r);
    }
    if (!rc && fflush(stdout) != 0) rc = pu_fail(&err, PU_ERR_IO, NULL, NULL, "cannot write the output");
    if (!rc && skipped) fprintf(stderr, T("puente: %d of %zu series had too little history for %s\n"), skipped, set->n,
                                ews_method_name(m));
    ews_counts_set_free(set);
    return rc ? cli_fail(&err) : 0;
}

typedef struct lister { const char *lang; int n; } lister;

static int print_alert(const ews_alert *a, void *ctx) {
    lister *l = ctx;
    char ob[32] = "", ex[32] = "", ub[32] = "";
    if (!isnan(a->observed)) snprintf(ob, sizeof ob, "%g", a->observed);
    if (!isnan(a->expected)) snprintf(ex, sizeof ex, a->expected > 0 && a->expected < 0.01 ? "<0.01" : "%.3g", a->expected);
    if (!isnan(a->upper)) snprintf(ub, sizeof ub, a->upper > 0 && a->upper < 0.01 ? "<0.01" : "%.3g", a->upper);
    printf("#%lld [%s] %s %s %s %s %s %s status=%s marking=%s owner=%s\n", (long long)a->id, a->severity, a->kind,
           a->substance, a->place, a->method, strcmp(a->kind, "aberration") == 0 ? "week" : "date", a->week,
           a->status, a->marking, a->owner);
    printf(T("    evidence: observed %s, expected %s, upper bound %s\n"), ob[0] ? ob : "-", ex[0] ? ex : "-", ub[0] ? ub : "-");
    if (!l->lang || strcmp(l->lang, "es") != 0) printf("    en: %s\n", a->text_en);
    if (!l->lang || strcmp(l->lang, "en") != 0) printf("    es: %s\n", a->text_es);
    printf(T("    to: %s\n"), a->addressed);
    if (a->acked_by[0]) printf(T("    acknowledged by %s\n"), a->acked_by);
    if (a->closed_by[0]) printf(T("    closed by %s%s%s\n"), a->closed_by, a->note[0] ? ": " : "", a->note);
    l->n++;
    return 0;
}

static int print_queue(const ews_queue_item *q, void *ctx) {
    int *n = ctx;
    printf("%lld\t%s\t%s\tcount=%lld\tfirst=%s%s%s\n", (long long)q->id, q->status, q->name, (long long)q->count,
           q->first_report, q->substance[0] ? "\t-> " : "", q->substance);
    (*n)++;
    return 0;
}

static int print_substance(const ews_substance *v, void *ctx) {
    (void)ctx;
    printf("%s\t%s\t%s\t%s\t%s\t%s\t%lld\n", v->id, v->cls, v->name_en, v->name_es, v->cas, v->inchikey,
           (long long)v->synonyms);
    return 0;
}

static int parse_id(const char *cmd, const char *s, int64_t *id) {
    long v;
    if (!s) return cli_usage_error(cmd, "an id is required");
    if (cli_parse_long(cmd, "ID", s, &v)) return CLI_EXIT_USAGE;
    *id = v;
    return 0;
}

/* Commands that run as the operator only: they write derived or reference
 * data for everyone (alerts of a scan, the vocabulary). */
static int operator_only(const char *cmd, const char *sub, const char *verb, const opts *o) {
    int op = strcmp(sub, "scan") == 0 || (strcmp(sub, "vocab") == 0 && strcmp(verb, "load") == 0);
    if (op && o->agency) return cli_usage_error(cmd, "runs as the store operator: drop --agency/--country");
    return 0;
}

static int do_store(const char *sub, opts *o) {
    char cmd[32];
    snprintf(cmd, sizeof cmd, "ews %s", sub);
    cli_scope cs;
    if (cli_scope_parse(cmd, o->agency, o->country, &cs)) return CLI_EXIT_USAGE;
    const store_scope *sc = &cs.scope;
    const char *verb = o->npos ? o->pos[0] : "list";
    if (operator_only(cmd, sub, verb, o)) return CLI_EXIT_USAGE;
    pu_err err;
    pu_err_clear(&err);
    store_t *store;
    int rc = cli_open_store(o->db, &store);
    if (rc) return rc;
    db_t *db = store_db(store);
    ews_t *e;
    rc = ews_open(db, &e, &err); /* cli_open_store migrated every registered module */
    if (rc) {
        store_close(store);
        return cli_fail(&err);
    }
    int exit = 0;
    if (strcmp(sub, "import") == 0) {
        if (o->npos != 1) exit = cli_usage_error(cmd, "expected one FILE");
        else {
            ews_import_stats st;
            ews_import_opts io = {.format = o->format, .scope = o->agency ? sc : NULL, .partial = !o->strict,
                                  .baseline = o->backfill, .report = stderr, .today = o->today};
            rc = ews_import_path(e, o->pos[0], &io, &st, &err);
            if (!rc) {
                /* the counts add up: read = written + unchanged + rejected + duplicate (common/pu_report.h) */
                pu_report rep;
                pu_report_init(&rep, o->backfill ? "ews import --baseline" : "ews import", NULL);
                rep.read = (uint64_t)st.read;
                rep.written = (uint64_t)st.reports;
                rep.unchanged = (uint64_t)st.unchanged;
                rep.rejected = (uint64_t)st.rejected;
                rep.duplicate = (uint64_t)st.duplicate;
                rc = pu_report_check(&rep, &err);
                if (!rc) {
                    pu_report_print(&rep, stdout);
                    printf(T("%lld substance detections, %lld names sent to the curator queue, %lld new alerts%s\n"),
                           (long long)st.substances, (long long)st.queued, (long long)st.alerts,
                           o->backfill ? T(" (--baseline: history loaded without alerts)") : "");
                    exit = pu_report_exit(&rep);
                }
                pu_report_free(&rep);
            }
        }
    } else if (strcmp(sub, "alerts") == 0) {
        if (strcmp(verb, "list") == 0) {
            char *sid = NULL;
            /* any name of the substance works: "isotonitaceno", "4-FF" ... */
            if (o->substance) rc = ews_vocab_resolve(e, sc, o->substance, &sid, &err);
            ews_alert_query q = {o->status, o->to, sid};
            lister l = {o->lang, 0};
            if (!rc) rc = ews_alerts_list(e, sc, &q, print_alert, &l, &err);
            free(sid);
            if (!rc) printf(T("%d alert(s)\n"), l.n);
        } else if (strcmp(verb, "ack") == 0 || strcmp(verb, "close") == 0) {
            int64_t id = 0;
            if ((exit = parse_id(cmd, o->npos > 1 ? o->pos[1] : NULL, &id)) == 0) {
                /* the acting agency is the scope's: an agency acts only for itself */
                const char *ag = o->agency ? cs.agency : NULL;
                if (!ag) exit = cli_usage_error(cmd, "--agency A --country C (the acting agency) are required");
                else if (verb[0] == 'a') rc = ews_alert_ack(e, sc, id, ag, &err);
                else rc = ews_alert_close(e, sc, id, ag, o->note, &err);
                if (!exit && !rc) printf(T("alert %lld %s by %s\n"), (long long)id, verb[0] == 'a' ? T("acknowledged") : T("closed"), ag);
            }
        } else {
            exit = cli_usage_error(cmd, "expected list, ack or close, got '%s'", verb);
        }
    } else if (strcmp(sub, "scan") == 0) {
        ews_method m = EWS_FARRINGTON;
        if (o->method && ews_method_parse(o->method, &m, &err)) exit = cli_usage_error(cmd, "%s", err.msg);
        else {
            ews_params p;
            ews_params_default(m, &p);
            if (apply_params(cmd, o, &p)) {
                ews_close(e);
                store_close(store);
                return CLI_EXIT_USAGE;
            }
            int64_t raised, shorter;
            rc = ews_scan(e, &p, o->until, (int)o->last, &raised, &shorter, &err);
            if (!rc) printf(T("scan (%s): %lld new aberration alert(s)\n"), ews_method_name(m), (long long)raised);
            if (!rc && shorter)
                fprintf(stderr, T("puente: %lld substance x state series have too little history for %s (no verdict)\n"),
                        (long long)shorter, ews_method_name(m));
        }
    } else if (strcmp(sub, "counts") == 0) {
        if (!o->substance) exit = cli_usage_error(cmd, "--substance ID is required");
        else {
            char *id = NULL;
            ews_counts *c = NULL;
            rc = ews_vocab_resolve(e, sc, o->substance, &id, &err);
            if (!rc) rc = ews_counts_from_store(e, sc, id, o->place, &c, &err);
            if (!rc) rc = ews_result_write_csv(stdout, c, NULL, &err);
            if (!rc && c->n == 0) fprintf(stderr, T("puente: no reports of %s visible\n"), id);
            ews_counts_free(c);
            free(id);
        }
    } else if (strcmp(sub, "vocab") == 0) {
        if (strcmp(verb, "load") == 0 && o->npos == 2) {
            int64_t n;
            int64_t q = 0;
            rc = ews_vocab_load(e, o->pos[1], &n, &err);
            if (!rc) rc = ews_queue_autoresolve(e, &q, &err);
            if (!rc) printf(T("loaded %lld substances; %lld queued name(s) now resolved\n"), (long long)n, (long long)q);
        } else if (strcmp(verb, "resolve") == 0 && o->npos == 2) {
            char *id;
            rc = ews_vocab_resolve(e, sc, o->pos[1], &id, &err);
            if (!rc) printf("%s\n", id);
            free(id);
        } else if (strcmp(verb, "add-synonym") == 0 && o->npos == 3) {
            rc = ews_vocab_add_synonym_as(e, sc, o->pos[1], o->pos[2], o->lang ? o->lang : "", o->marking, &err);
            if (!rc) printf(T("'%s' now resolves to %s\n"), o->pos[2], o->pos[1]);
        } else if (strcmp(verb, "list") == 0) {
            puts("id\tclass\tname_en\tname_es\tcas\tinchikey\tsynonyms");
            rc = ews_vocab_list(e, sc, print_substance, NULL, &err);
        } else {
            exit = cli_usage_error(cmd, "expected list, load FILE, resolve NAME or add-synonym ID NAME");
        }
    } else if (strcmp(sub, "queue") == 0) {
        if (strcmp(verb, "list") == 0) {
            int n = 0;
            rc = ews_queue_list(e, sc, o->status, print_queue, &n, &err);
            if (!rc) printf(T("%d queued name(s)\n"), n);
        } else if (strcmp(verb, "resolve") == 0 && o->npos == 3) {
            int64_t id = 0;
            if ((exit = parse_id(cmd, o->pos[1], &id)) == 0) {
                char *sid = NULL;
                rc = ews_vocab_resolve(e, sc, o->pos[2], &sid, &err);
                if (!rc) rc = ews_queue_resolve(e, sc, id, sid, &err);
                if (!rc) printf(T("queue item %lld resolved to %s\n"), (long long)id, sid);
                free(sid);
            }
        } else {
            exit = cli_usage_error(cmd, "expected list or resolve ID SUBSTANCE");
        }
    }
    ews_close(e);
    store_close(store);
    if (exit) return exit;
    return rc ? cli_fail(&err) : 0;
}

int cmd_ews(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
        return usage(argc < 2 ? stderr : stdout);
    const char *sub = argv[1];
    if (cli_wants_help(argc - 1, argv + 1)) return usage(stdout);
    opts o;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "ews %s", sub);
    /* `import --baseline` is a flag; elsewhere --baseline N takes weeks */
    int backfill = 0;
    if (strcmp(sub, "import") == 0) {
        int k = 1;
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--baseline") == 0) backfill = 1;
            else argv[k++] = argv[i];
        }
        argc = k;
    }
    int rc = parse(cmd, argc - 1, argv + 1, &o);
    if (rc) return rc;
    o.backfill = backfill;
    if (strcmp(sub, "detect") == 0) return do_detect(&o);
    if (strcmp(sub, "generate") == 0) {
        pu_err err;
        pu_err_clear(&err);
        rc = ews_demo_generate(stdout, o.start ? o.start : "2023-01-02", (int)o.weeks, (uint64_t)o.seed, &err);
        return rc ? cli_fail(&err) : 0;
    }
    static const char *const store_cmds[] = {"import", "alerts", "scan", "counts", "vocab", "queue"};
    for (size_t i = 0; i < sizeof store_cmds / sizeof store_cmds[0]; i++)
        if (strcmp(sub, store_cmds[i]) == 0) return do_store(sub, &o);
    return cli_usage_error("ews", "unknown command '%s'", sub);
}
