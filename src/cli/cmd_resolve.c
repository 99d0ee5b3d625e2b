/* cmd_resolve.c - `puente resolve`: the thin CLI over src/resolve. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "cli/cli.h"
#include "i18n/i18n.h"
#include "resolve/resolve.h"
#include "sameas/sameas.h"

#define EXPLAIN_MAX_BYTES ((size_t)64 << 20)   /* the sample of missed pairs: 10,000 per cause at most */

static const char *USAGE =
    "usage: puente resolve <subcommand> [options]\n"
    "\n"
    "Entity resolution: the same person or company across the store, trace, cargo and tips.\n"
    "\n"
    "Subcommands:\n"
    "  run [--threshold T]                 match every engine's records again (operator)\n"
    "  show [KEY] [--json]                 clusters of 2 or more records, or the cluster of\n"
    "                                      KEY (SOURCE:REF, e.g. entity:ofac-123)\n"
    "  judge KEY KEY same|not_same|unsure [--note TEXT]\n"
    "                                      an analyst's judgement: it wins over the algorithm\n"
    "  unjudge KEY KEY                     revoke it: the algorithm's answer applies again\n"
    "  eval [--records N] [--seed S] [--threshold T] [--window W] [--profile realistic|hard|febrl]\n"
    "       [--explain N]                  (--explain N: print up to N missed true pairs per cause)\n"
    "                                      precision and recall on generated data with known truth,\n"
    "                                      the true pairs missed by cause (--window -1: large blocks\n"
    "                                      give no pair, the former rule; --profile hard: 2,000 full\n"
    "                                      names, undated records with nothing but the name;\n"
    "                                      --profile febrl: Febrl's generator method, full originals\n"
    "                                      and duplicates with at most 5 modifications, the goal's measure)\n"
    "\n"
    "Options:\n"
    "  --db PATH                the store (default $PUENTE_DB or ./puente.db)\n" CLI_SCOPE_HELP;

typedef struct opts {
    const char *db, *agency, *country, *note, *profile;
    double threshold;
    long records, seed, limit, window, explain;
    int json;
    int nargs;
    char *args[8];
    cli_scope sc;
} opts;

static int parse(int argc, char **argv, opts *o) {
    memset(o, 0, sizeof *o);
    o->records = 30000;
    o->seed = 42;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **sv = NULL;
        if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--db")) sv = &o->db;
        else if (!strcmp(a, "--agency")) sv = &o->agency;
        else if (!strcmp(a, "--country")) sv = &o->country;
        else if (!strcmp(a, "--note")) sv = &o->note;
        else if (!strcmp(a, "--profile")) sv = &o->profile;
        else if (!strcmp(a, "--threshold") || !strcmp(a, "--min") || !strcmp(a, "--records") || !strcmp(a, "--seed") ||
                 !strcmp(a, "--limit") || !strcmp(a, "--window") || !strcmp(a, "--explain")) {
            if (i + 1 >= argc) return cli_usage_error("resolve", "%s expects a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--threshold") || !strcmp(a, "--min")) {
                if (cli_parse_double("resolve", a, v, &o->threshold)) return CLI_EXIT_USAGE;
            } else if (cli_parse_long("resolve", a, v,
                                      !strcmp(a, "--records") ? &o->records
                                      : !strcmp(a, "--seed")  ? &o->seed
                                      : !strcmp(a, "--window") ? &o->window
                                      : !strcmp(a, "--explain") ? &o->explain
                                                               : &o->limit)) {
                return CLI_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("resolve", "unknown option '%s'", a);
        } else {
            if (o->nargs == 8) return cli_usage_error("resolve", "too many arguments");
            o->args[o->nargs++] = argv[i];
        }
        if (sv) {
            if (i + 1 >= argc) return cli_usage_error("resolve", "%s expects a value", a);
            *sv = argv[++i];
        }
    }
    return cli_scope_parse("resolve", o->agency, o->country, &o->sc);
}

int cli_may_read_tips(int system_scope) {
    const cli_operator *op = cli_operator_get();
    if (op->authenticated) return (op->perms & ACL_P_TIPS) != 0;
    return system_scope;
}

static int run_cmd(store_t *st, const opts *o) {
    if (!o->sc.scope.system) return cli_usage_error("resolve", "run is operator work: it reads every engine's records");
    resolve_run_stats s;
    pu_err err = {0};
    int rc = resolve_run(store_db(st), st, o->threshold, &s, &err);
    if (rc) return cli_fail(&err);
    printf(T("resolved %llu records (%llu store entities, %llu trace purchasers, %llu possessors, %llu dealers,"
             " %llu cargo parties, %llu tip mentions): %llu candidate pairs, %llu pairs kept, %llu clusters, %llu with 2"
             " or more records, %.2f s\n"),
           (unsigned long long)s.records, (unsigned long long)s.per_source[0], (unsigned long long)s.per_source[1],
           (unsigned long long)s.per_source[2], (unsigned long long)s.per_source[5], (unsigned long long)s.per_source[3],
           (unsigned long long)s.per_source[4], (unsigned long long)s.candidates, (unsigned long long)s.pairs,
           (unsigned long long)s.clusters, (unsigned long long)s.multi, s.seconds);
    return 0;
}

static int show_cmd(store_t *st, const opts *o) {
    resolve_view *v = NULL;
    pu_err err = {0};
    int rc = resolve_clusters_ex(store_db(st), &o->sc.scope, cli_may_read_tips(o->sc.scope.system) ? RESOLVE_WITH_TIPS : 0, &v, &err);
    pu_buf out = PU_BUF_INIT((size_t)1 << 30);
    if (!rc) rc = resolve_view_write(v, o->nargs > 1 ? o->args[1] : NULL, o->json, &out, &err);
    if (!rc) fputs(pu_buf_str(&out), stdout);
    pu_buf_free(&out);
    resolve_view_free(v);
    return rc ? cli_fail(&err) : 0;
}

static int judge_cmd(store_t *st, const opts *o, int undo) {
    if (o->nargs != (undo ? 3 : 4))
        return cli_usage_error("resolve", undo ? "expected: unjudge KEY KEY" : "expected: judge KEY KEY same|not_same|unsure");
    pu_err err = {0};
    const char *analyst = cli_operator_get()->user;
    int rc;
    if (undo) {
        rc = sameas_unjudge(st, &o->sc.scope, o->args[1], o->args[2], analyst, &err);   /* and screening's decisions */
        if (!rc) printf(T("judgement on %s and %s revoked\n"), o->args[1], o->args[2]);
    } else {
        resolve_verdict v;
        rc = resolve_verdict_parse(o->args[3], &v, &err);
        size_t decisions = 0;   /* screening's reviewed decisions the judgement wrote (docs/sameas.md) */
        if (!rc) rc = sameas_judge(st, &o->sc.scope, o->args[1], o->args[2], v, analyst, o->note, &decisions, &err);
        if (!rc) printf(T("judged %s and %s: %s\n"), o->args[1], o->args[2], o->args[3]);
        if (!rc && decisions) printf(T("screening: %zu reviewed decision(s) recorded for this name and entity\n"), decisions);
    }
    return rc ? cli_fail(&err) : 0;
}

static int eval_cmd(const opts *o) {
    if (o->records < 2) return cli_usage_error("resolve", "--records must be at least 2");
    resolve_eval e;
    pu_err err = {0};
    if (o->window > 1000 || o->window < -1) return cli_usage_error("resolve", "--window must be -1..1000");
    resolve_profile prof = RESOLVE_PROFILE_REALISTIC;
    if (o->profile && resolve_profile_parse(o->profile, &prof, &err))
        return cli_usage_error("resolve", "--profile must be realistic, hard or febrl");
    if (o->explain < 0 || o->explain > 10000) return cli_usage_error("resolve", "--explain must be 0..10000");
    pu_buf sample = PU_BUF_INIT(EXPLAIN_MAX_BYTES);
    int rc = resolve_evaluate_explain((size_t)o->records, (uint64_t)o->seed, o->threshold, (int)o->window, prof,
                                      (size_t)o->explain, o->explain ? &sample : NULL, &e, &err);
    if (rc) {
        pu_buf_free(&sample);
        return cli_fail(&err);
    }
    if (o->json)
        printf("{\"profile\":\"%s\",\"records\":%llu,\"true_pairs\":%llu,\"candidates\":%llu,\"precision\":%.4f,\"recall\":%.4f,"
               "\"baseline_precision\":%.4f,\"baseline_recall\":%.4f,\"seconds\":%.3f,\"block_seconds\":%.3f,"
               "\"score_seconds\":%.3f,\"ceiling\":%.4f,\"ceiling_pairs\":%llu,\"precision_ceiling\":%.4f,\"lost\":{\"not_candidate\":%llu,\"below_threshold\":%llu,"
               "\"conflict\":%llu,\"ambiguous\":%llu,\"split\":%llu},\"lost_undated\":{\"not_candidate\":%llu,"
               "\"below_threshold\":%llu,\"conflict\":%llu,\"ambiguous\":%llu,\"split\":%llu}}\n",
               resolve_profile_name(prof), (unsigned long long)e.records, (unsigned long long)e.true_pairs,
               (unsigned long long)e.candidates, e.precision, e.recall, e.base_precision, e.base_recall, e.seconds,
               e.block_seconds, e.score_seconds, e.ceiling, (unsigned long long)e.ceiling_pairs, e.prec_ceiling,
               (unsigned long long)e.lost[0], (unsigned long long)e.lost[1], (unsigned long long)e.lost[2],
               (unsigned long long)e.lost[3], (unsigned long long)e.lost[4], (unsigned long long)e.lost_undated[0],
               (unsigned long long)e.lost_undated[1], (unsigned long long)e.lost_undated[2],
               (unsigned long long)e.lost_undated[3], (unsigned long long)e.lost_undated[4]);
    else
        printf(T("%llu records, %llu true pairs, %llu candidate pairs: precision %.4f recall %.4f (baseline exact name"
                 " + date of birth: precision %.4f recall %.4f), %.2f s\n"),
               (unsigned long long)e.records, (unsigned long long)e.true_pairs, (unsigned long long)e.candidates,
               e.precision, e.recall, e.base_precision, e.base_recall, e.seconds);
    if (!o->json)
        printf(T("true pairs missed: %llu never candidates (%llu with an undated record), %llu scored below the "
                 "threshold (%llu), %llu conflicting qualifiers (%llu), %llu undated and ambiguous (%llu), %llu kept "
                 "but clusters kept apart (%llu); blocking %.2f s, scoring %.2f s\n"),
               (unsigned long long)e.lost[0], (unsigned long long)e.lost_undated[0], (unsigned long long)e.lost[1],
               (unsigned long long)e.lost_undated[1], (unsigned long long)e.lost[2],
               (unsigned long long)e.lost_undated[2], (unsigned long long)e.lost[3],
               (unsigned long long)e.lost_undated[3], (unsigned long long)e.lost[4],
               (unsigned long long)e.lost_undated[4], e.block_seconds, e.score_seconds);
    if (!o->json)
        printf(T("information ceiling: %llu of %llu true pairs (%.4f) are linked by any evidence in the data\n"),
               (unsigned long long)e.ceiling_pairs, (unsigned long long)e.true_pairs, e.ceiling);
    if (!o->json)
        printf(T("precision ceiling: %.4f (%llu wrong pairs join persons whose records the data cannot tell apart, at "
                 "full recall); wrong pairs in clusters: %llu, of which %llu forced; kept pairs joining two persons: "
                 "%llu indistinguishable, %llu dated, %llu undated\n"),
               e.prec_ceiling, (unsigned long long)e.prec_ceiling_wrong, (unsigned long long)e.wrong_pairs,
               (unsigned long long)e.wrong_forced, (unsigned long long)e.wrong_kept[0],
               (unsigned long long)e.wrong_kept[1], (unsigned long long)e.wrong_kept[2]);
    if (sample.len) fputs(pu_buf_str(&sample), o->json ? stderr : stdout);
    pu_buf_free(&sample);
    return 0;
}

int cmd_resolve(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    if (!o.nargs) return cli_usage_error("resolve", "expected a subcommand");
    const char *sub = o.args[0];
    if (!strcmp(sub, "eval")) return eval_cmd(&o);
    if (strcmp(sub, "run") && strcmp(sub, "show") && strcmp(sub, "judge") && strcmp(sub, "unjudge"))
        return cli_usage_error("resolve", "unknown command '%s'", sub);
    store_t *st = NULL;
    if ((rc = cli_open_store(o.db, &st))) return rc;
    if (!strcmp(sub, "run")) rc = run_cmd(st, &o);
    else if (!strcmp(sub, "show")) rc = show_cmd(st, &o);
    else rc = judge_cmd(st, &o, !strcmp(sub, "unjudge"));
    store_close(st);
    return rc;
}

/* ---- puente xref ---- */

static const char *XREF_USAGE =
    "usage: puente xref SOURCE SOURCE [--min S] [--limit N] [--json]\n"
    "\n"
    "Cross-reference one collection against another: the pairs that resolution found\n"
    "between records of the two sources, highest score first, with conflicts (names alike,\n"
    "dates of birth or identifiers differ), and the analysts' verdict on each. Sources:\n"
    "entity (designations and the store), entity:DATASET (the entities of one list, e.g. a\n"
    "new list against the store: `xref entity:gb_hmt entity`), trace.purchaser,\n"
    "trace.possessor, dealer, cargo.party, tip.mention. Judge a pair with\n"
    "`puente resolve judge A B same|not_same|unsure`.\n"
    "\n"
    "Options:\n"
    "  --min S                  lowest score shown (default 0.5)\n"
    "  --limit N                at most N pairs (default all)\n"
    "  --json                   one JSON object per line\n"
    "  --db PATH                the store (default $PUENTE_DB or ./puente.db)\n" CLI_SCOPE_HELP
    "\n"
    "Output: score, match|conflict, A, name, B, name, verdict (the latest judgement you\n"
    "may see: same, not_same, unsure, or -).\n";

static int xref_row(const resolve_xref_row *r, void *ctx) {
    const int *json = ctx;
    if (*json) {
        json_t *o = json_pack("{s:f, s:b, s:s, s:s, s:s, s:s, s:o}", "score", r->score, "conflict", r->conflict, "a",
                              r->a, "name_a", r->name_a, "b", r->b, "name_b", r->name_b, "verdict",
                              *r->verdict ? json_string(r->verdict) : json_null());
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s) puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", r->score, r->conflict ? "conflict" : "match", r->a, r->name_a, r->b,
               r->name_b, *r->verdict ? r->verdict : "-");
    }
    return 0;
}

int cmd_xref(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(XREF_USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    if (o.nargs != 2) return cli_usage_error("xref", "expected two sources");
    store_t *st = NULL;
    if ((rc = cli_open_store(o.db, &st))) return rc;
    pu_err err = {0};
    rc = resolve_xref(store_db(st), &o.sc.scope, cli_may_read_tips(o.sc.scope.system) ? RESOLVE_WITH_TIPS : 0, o.args[0], o.args[1], o.threshold > 0 ? o.threshold : 0.5, o.limit,
                      xref_row, &o.json, &err);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}
