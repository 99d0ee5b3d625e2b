/*
 * cmd_screen.c - `puente screen | compare | review`: the thin CLI over
 * src/screen. Exit codes: docs/CLI.md.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/pu_io.h"
#include "common/pu_report.h"
#include "monitor/monitor.h"
#include "sameas/sameas.h"
#include "screen/screen.h"
#include "store/store.h"

static const char SCREEN_HELP[] =
    "usage: puente screen QUERIES [options]\n"
    "       puente screen --name NAME [--name ALIAS ...] [--schema S] [--birth-date D]\n"
    "                     [--nationality C] [--gender G] [--id-number X ...] [options]\n"
    "\n"
    "Screen names against the designated entities in the store.\n"
    "QUERIES ('-' = stdin) is CSV with a header containing 'name' and optionally\n"
    "id, schema, birth_date, country, gender, id_number, alias (several id numbers or\n"
    "aliases separated by ';'), or JSON lines in yente's query format:\n"
    "  {\"id\": \"q1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"...\"],\n"
    "   \"birthDate\": [\"1967\"], \"nationality\": [\"mx\"], \"idNumber\": [\"...\"]}}\n"
    "\n"
    "Options:\n"
    "  --threshold T     match at score >= T (default 0.75; see docs/screening.md)\n"
    "  --min-score S     do not list results below S (default threshold - 0.2)\n"
    "  --limit N         results per query (default 10)\n"
    "  --format F        json (JSON lines, one object per query; default) or csv\n"
    "  --explain         add the explanation (names compared, features, qualifiers)\n"
    "  --exhaustive      score every listed name instead of using the index\n"
    "  --scope-topics T  the designated scope: entities with one of these FtM topics\n"
    "                    count as hits (comma-separated; default sanction, i.e. the\n"
    "                    designation lists; 'all' = every entity; docs/lists.md)\n"
    "  --scope-datasets D  only entities of these datasets count (comma-separated)\n"
    CLI_SCOPE_HELP
    "                    (entities and decisions that user may not see are never\n"
    "                    considered; explanations then omit list token weights)\n"
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "\n"
    "Reviewed false positives (puente review) are applied: they stay in the output\n"
    "with \"suppressed\": true and match false, with the reviewer's note.\n"
    "A designated person whom resolution made the same as a queried name (puente\n"
    "resolve, judgements) is added with the reason (JSON: \"resolved\"; CSV: a row of its\n"
    "own, and the last column 'resolved'; docs/sameas.md).\n"
    "Birth dates are ISO 8601 (1967, 1967-05 or 1967-05-02), countries ISO codes or\n"
    "English/Spanish names; a query with another form is refused and named. Unknown\n"
    "CSV columns are named in a warning (docs/input.md).\n"
    "Exit: 0 ok, 1 store failure (or no such store), 2 usage, 3 every query was\n"
    "invalid or the file was refused, 4 the store has nothing to screen against,\n"
    "7 some queries were invalid (reported on stderr with file:line; the others\n"
    "were screened).\n";

static const char COMPARE_HELP[] =
    "usage: puente compare [--schema S] [--threshold T] [--format text|json] NAME1 NAME2\n"
    "       puente compare --csv FILE [--schema S] [--threshold T]\n"
    "\n"
    "Score two names as screening does (names only, no qualifiers).\n"
    "  --csv FILE        CSV with header name1,name2[,schema]; writes the same rows\n"
    "                    with two more columns score,match to stdout\n"
    "  --schema S        Person, Company, Organization, Vessel, ... (default: any)\n"
    "  --threshold T     match at score >= T (default 0.75)\n"
    "  --idf             weight rare tokens by their frequency in the store's list\n"
    "                    (like screen); default: every token weighs the same\n"
    "  --format F        text (default) or json, for the two-name form\n"
    CLI_SCOPE_HELP
    "                    (with --idf: the scores are the same, the token weights are\n"
    "                    not shown to an agency user)\n"
    "  --db PATH         store file for --idf\n"
    "Exit: 0 ok, 2 usage, 3 invalid names (with --csv: rows are reported and\n"
    "written with an empty score).\n";

static const char REVIEW_HELP[] =
    "usage: puente review add --subject NAME [--birth-date D] --entity ID\n"
    "                         [--decision false_positive|confirmed] --analyst WHO --note WHY\n"
    "                         [--marking M] [--agency A --country C]\n"
    "       puente review remove --subject NAME [--birth-date D] --entity ID [--agency A --country C]\n"
    "       puente review list [--format text|json] [--agency A --country C]\n"
    "\n"
    "Record reviewed screening decisions. A false_positive decision suppresses the\n"
    "entity in later screenings of the same subject (same name tokens in any order,\n"
    "and the same birth date when one was given); `puente screen` says so.\n"
    "A decision belongs to the agency that records it and applies only for readers\n"
    "who may see it (its marking); without --agency it is the operator's.\n"
    "  --key KEY         give the subject key itself (as printed by screen) instead\n"
    "                    of --subject/--birth-date\n"
    "  --marking M       " STORE_MARKINGS_TEXT " (default AGENCY-ONLY:\n"
    "                    only the recording agency sees and applies it)\n"
    CLI_SCOPE_HELP
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 no such decision.\n";

enum { O_DB = 1000, O_THRESHOLD, O_MINSCORE, O_LIMIT, O_FORMAT, O_EXPLAIN, O_EXHAUSTIVE, O_AGENCY,
       O_COUNTRY, O_NAME, O_SCHEMA, O_BIRTH, O_NAT, O_GENDER, O_IDNUM, O_CSV, O_IDF, O_SUBJECT, O_KEY,
       O_ENTITY, O_DECISION, O_ANALYST, O_NOTE, O_MARKING, O_SCOPE_TOPICS, O_SCOPE_DATASETS };

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},           {"threshold", required_argument, NULL, O_THRESHOLD},
    {"min-score", required_argument, NULL, O_MINSCORE}, {"limit", required_argument, NULL, O_LIMIT},
    {"format", required_argument, NULL, O_FORMAT},   {"explain", no_argument, NULL, O_EXPLAIN},
    {"exhaustive", no_argument, NULL, O_EXHAUSTIVE}, {"agency", required_argument, NULL, O_AGENCY},
    {"country", required_argument, NULL, O_COUNTRY}, {"name", required_argument, NULL, O_NAME},
    {"schema", required_argument, NULL, O_SCHEMA},   {"birth-date", required_argument, NULL, O_BIRTH},
    {"nationality", required_argument, NULL, O_NAT}, {"gender", required_argument, NULL, O_GENDER},
    {"id-number", required_argument, NULL, O_IDNUM}, {"csv", required_argument, NULL, O_CSV},
    {"idf", no_argument, NULL, O_IDF},               {"subject", required_argument, NULL, O_SUBJECT},
    {"key", required_argument, NULL, O_KEY},         {"entity", required_argument, NULL, O_ENTITY},
    {"decision", required_argument, NULL, O_DECISION}, {"analyst", required_argument, NULL, O_ANALYST},
    {"note", required_argument, NULL, O_NOTE},       {"marking", required_argument, NULL, O_MARKING},
    {"scope-topics", required_argument, NULL, O_SCOPE_TOPICS},
    {"scope-datasets", required_argument, NULL, O_SCOPE_DATASETS},
    {NULL, 0, NULL, 0}};

#define MAXV 64

typedef struct opts {
    const char *db, *format, *agency, *country, *schema, *birth, *nat, *gender, *csv, *subject, *key, *entity,
        *decision, *analyst, *note, *marking, *scope_topics, *scope_datasets;
    cli_scope scope;
    double threshold, min_score;
    long limit;
    int explain, exhaustive, idf;
    const char *names[MAXV];
    size_t nnames;
    const char *ids[MAXV];
    size_t nids;
    char **args;
    int nargs;
} opts;

static int parse(const char *cmd, int argc, char **argv, opts *o) {
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_THRESHOLD:
            if (cli_parse_double(cmd, "--threshold", optarg, &o->threshold)) return CLI_EXIT_USAGE;
            if (o->threshold <= 0 || o->threshold > 1)
                return cli_usage_error(cmd, "--threshold expects a number in (0, 1], got '%s'", optarg);
            break;
        case O_MINSCORE:
            if (cli_parse_double(cmd, "--min-score", optarg, &o->min_score)) return CLI_EXIT_USAGE;
            break;
        case O_LIMIT:
            if (cli_parse_long(cmd, "--limit", optarg, &o->limit)) return CLI_EXIT_USAGE;
            if (o->limit < 1 || o->limit > 10000)
                return cli_usage_error(cmd, "--limit expects 1..10000, got '%s'", optarg);
            break;
        case O_FORMAT: o->format = optarg; break;
        case O_EXPLAIN: o->explain = 1; break;
        case O_EXHAUSTIVE: o->exhaustive = 1; break;
        case O_AGENCY: o->agency = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_NAME:
            if (o->nnames >= MAXV) return cli_usage_error(cmd, "at most %d --name", MAXV);
            o->names[o->nnames++] = optarg;
            break;
        case O_SCHEMA: o->schema = optarg; break;
        case O_BIRTH: o->birth = optarg; break;
        case O_NAT: o->nat = optarg; break;
        case O_GENDER: o->gender = optarg; break;
        case O_IDNUM:
            if (o->nids >= MAXV) return cli_usage_error(cmd, "at most %d --id-number", MAXV);
            o->ids[o->nids++] = optarg;
            break;
        case O_CSV: o->csv = optarg; break;
        case O_IDF: o->idf = 1; break;
        case O_SUBJECT: o->subject = optarg; break;
        case O_KEY: o->key = optarg; break;
        case O_ENTITY: o->entity = optarg; break;
        case O_DECISION: o->decision = optarg; break;
        case O_ANALYST: o->analyst = optarg; break;
        case O_NOTE: o->note = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_SCOPE_TOPICS: o->scope_topics = optarg; break;
        case O_SCOPE_DATASETS: o->scope_datasets = optarg; break;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return cli_scope_parse(cmd, o->agency, o->country, &o->scope);
}

/* ---- screen ---- */

typedef struct run_ctx {
    pu_dupset *ids;        /* query ids seen: a repeated id is named (a warning) */
    const char *path;
    const screen_index *ix;
    screen_params p;
    int csv;
    size_t bad, done;
    int failed;
    pu_err err;
    struct monitor_graph *owners; /* the 50 % rule on matched companies (src/monitor) */
    sameas *same;                 /* designated persons by resolution (src/sameas): JSON "resolved", CSV rows */
} run_ctx;

#define CSV_RESOLVED_MAX 8   /* designated persons by resolution per query (rows) */

static void csv_cell(const char *s) {
    int q = strpbrk(s, ",\"\n\r") != NULL;
    if (!q) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_list(char **v, size_t n) {
    pu_buf b = PU_BUF_INIT(1 << 20);
    for (size_t i = 0; i < n; i++) {
        if (i) pu_buf_putc(&b, ';');
        pu_buf_puts(&b, v[i]);
    }
    csv_cell(pu_buf_str(&b));
    pu_buf_free(&b);
}

/* The designated entities the query's names are resolved spellings of
 * (src/sameas), one per entity, leaving out those the result already
 * matches: *n of at most max. */
static void csv_resolved(const sameas *same, const screen_query *q, const screen_result *r, sameas_hit *out,
                         size_t max, size_t *n) {
    *n = 0;
    for (size_t k = 0; k < q->nnames; k++) {
        sameas_hit h[CSV_RESOLVED_MAX];
        size_t nh = 0;
        if (sameas_lookup(same, q->names[k], h, CSV_RESOLVED_MAX, &nh, NULL) != PU_OK) continue;
        for (size_t i = 0; i < nh && *n < max; i++) {
            int dup = 0;
            for (size_t m = 0; m < r->n && !dup; m++)
                dup = r->matches[m].match && r->matches[m].entity_id && !strcmp(r->matches[m].entity_id, h[i].entity_id);
            for (size_t m = 0; m < *n && !dup; m++) dup = !strcmp(out[m].entity_id, h[i].entity_id);
            if (!dup) out[(*n)++] = h[i];
        }
    }
}

/* A row for a designated person by resolution: rank after the screening's,
 * score 1 and match true (an identity, not a name score; docs/sameas.md),
 * no datasets or programs; with --explain the member's spelling as the
 * matched name and the reason as the explanation; the reason again in the
 * last column, `resolved`. */
static void csv_resolved_row(const char *ln, const screen_query *q, size_t rank, const sameas_hit *h, int explain) {
    fputs(ln, stdout);
    putchar(',');
    csv_cell(q->id ? q->id : "");
    putchar(',');
    csv_cell(q->names[0]);
    printf(",%zu,", rank);
    csv_cell(h->entity_id);
    putchar(',');
    csv_cell(h->caption);
    fputs(",,1.0000,true,false,,", stdout);
    if (explain) {
        putchar(',');
        csv_cell(h->via_name);
        putchar(',');
        csv_cell(h->reason);
    }
    putchar(',');
    csv_cell(h->reason);
    putchar('\n');
}

static void print_csv(const screen_query *q, uint64_t line, const screen_result *r, int explain, const sameas *same) {
    char ln[32];
    snprintf(ln, sizeof ln, "%llu", (unsigned long long)line);
    sameas_hit res[CSV_RESOLVED_MAX];
    size_t nres = 0;
    csv_resolved(same, q, r, res, CSV_RESOLVED_MAX, &nres);
    for (size_t i = 0; i < (r->n ? r->n : (nres ? 0 : 1)); i++) {
        fputs(ln, stdout);
        putchar(',');
        csv_cell(q->id ? q->id : "");
        putchar(',');
        csv_cell(q->names[0]);
        if (!r->n) {
            /* rank 0 and the 8 empty columns id..programs (+ 2 with --explain):
             * exactly as many fields as the header */
            fputs(",0,,,,,,,,", stdout);
            if (explain) fputs(",,", stdout);
            fputs(",\n", stdout);   /* resolved: empty */
            continue;
        }
        const screen_match *m = &r->matches[i];
        printf(",%zu,", i + 1);
        csv_cell(m->entity_id);
        putchar(',');
        csv_cell(m->caption);
        putchar(',');
        csv_cell(m->schema);
        printf(",%.4f,%s,%s,", m->score, m->match ? "true" : "false", m->suppressed ? "true" : "false");
        csv_list(m->datasets, m->ndatasets);
        putchar(',');
        csv_list(m->programs, m->nprograms);
        if (explain) {
            putchar(',');
            csv_cell(m->explain.matched_name ? m->explain.matched_name : "");
            putchar(',');
            pu_buf b = PU_BUF_INIT(1 << 20);
            for (size_t k = 0; k < m->explain.nfeatures; k++)
                pu_buf_printf(&b, "%s%s=%.3f (%s)", k ? "; " : "", m->explain.features[k].name,
                              m->explain.features[k].value,
                              m->explain.features[k].detail ? m->explain.features[k].detail : "");
            csv_cell(pu_buf_str(&b));
            pu_buf_free(&b);
        }
        fputs(",\n", stdout);   /* resolved: empty for the screening's own hits */
    }
    for (size_t i = 0; i < nres; i++) csv_resolved_row(ln, q, r->n + i + 1, &res[i], explain);
}

static int on_query(const screen_query *q, uint64_t line, void *vctx) {
    run_ctx *c = vctx;
    screen_result *r = NULL;
    pu_err e;
    pu_err_clear(&e);
    if (q->id && c->ids && c->path) {
        char where[PU_ERR_WHERE_MAX];
        const char *first = NULL;
        snprintf(where, sizeof where, "%s:%llu", c->path, (unsigned long long)line);
        if (pu_dupset_add(c->ids, q->id, where, &first) == 1)
            fprintf(stderr, T("puente: warning: %s: duplicate query id '%s' (first at %s); both are screened\n"), where,
                    q->id, first);
    }
    int rc = screen_run(c->ix, q, &c->p, &r, &e);
    if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
        if (c->path) snprintf(e.where, sizeof e.where, "%s:%llu", c->path, (unsigned long long)line);
        else if (!e.where[0]) pu_strlcpy(e.where, "--name", sizeof e.where);
        pu_err_print(&e);
        c->bad++;
        return 0;
    }
    if (rc) {
        c->err = e;
        c->failed = 1;
        return 1;
    }
    if (c->csv) print_csv(q, line, r, c->p.explain, c->same);
    else {
        json_t *j;
        if (screen_result_to_json(r, &j) == PU_OK) {
            (void)monitor_annotate_result(c->owners, j, NULL);
            (void)sameas_annotate_json(c->same, q->names, q->nnames, j, NULL);
            json_object_set_new(j, "line", json_integer((json_int_t)line));
            json_t *qn = json_array();
            for (size_t i = 0; i < q->nnames; i++) json_array_append_new(qn, json_string(q->names[i]));
            json_object_set_new(j, "query_names", qn);
            char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
            if (s) puts(s);
            free(s);
            json_decref(j);
        }
    }
    c->done++;
    screen_result_free(r);
    return 0;
}

static void on_bad(const pu_err *e, void *vctx) {
    run_ctx *c = vctx;
    pu_err_print(e);
    c->bad++;
}

/* A store without screenable entities answers "no hits" to every query,
 * which reads like a clean result: refuse instead. */
static int require_designations(const screen_index *ix, const char *db, pu_err *err) {
    screen_index_stats s;
    screen_index_get_stats(ix, &s);
    if (s.entities > 0) return PU_OK;
    return pu_fail(err, PU_ERR_NOTFOUND, db, NULL,
                   "the store has no designated entities to screen against; import a list first "
                   "('puente import ofac DIR' or 'puente import ftm FILE')");
}

int cmd_screen(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(SCREEN_HELP), stdout);
        return 0;
    }
    opts o;
    int rc = parse("screen", argc, argv, &o);
    if (rc) return rc;
    if (o.format && strcmp(o.format, "json") != 0 && strcmp(o.format, "csv") != 0)
        return cli_usage_error("screen", "--format expects json or csv, got '%s'", o.format);
    /* --id-number alone (a crypto address) is a query of its own */
    int one = o.nnames || o.nids;
    if (one && o.nargs) return cli_usage_error("screen", "give either a QUERIES file or --name, not both");
    if (!one && o.nargs != 1) return cli_usage_error("screen", "expected one QUERIES file (or --name)");
    pu_err err;
    pu_err_clear(&err);
    store_t *st = NULL;
    screen_index *ix = NULL;
    screen_reviews *rv = NULL;
    /* screening only reads: a mistyped --db must not create an empty store
     * whose "no hits" would look like a real answer */
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    if ((rc = screen_index_build(st, NULL, &ix, &err)) || (rc = screen_reviews_load(st, &rv, &err)) ||
        (rc = require_designations(ix, cli_db_path(o.db), &err))) {
        screen_reviews_free(rv);
        screen_index_free(ix);
        store_close(st);
        return cli_fail(&err);
    }
    screen_scope_owned designated;
    if (screen_scope_parse(o.scope_topics, o.scope_datasets, &designated, &err)) {
        screen_reviews_free(rv);
        screen_index_free(ix);
        store_close(st);
        return cli_usage_error("screen", "%s", err.msg);
    }
    run_ctx c = {0};
    c.ix = ix;
    c.p = (screen_params){.threshold = o.threshold, .min_score = o.min_score, .limit = (int)o.limit,
                          .exhaustive = o.exhaustive, .explain = o.explain, .scope = &o.scope.scope, .reviews = rv,
                          .designated = &designated.s};
    c.csv = o.format && strcmp(o.format, "csv") == 0;
    /* companies blocked by ownership are screened as designated (OFAC's 50 %
     * rule), in every format; JSON results also carry the chain */
    monitor_blocked_set blocked = {0};
    if (monitor_graph_load(st, &o.scope.scope, &c.owners, &err) != PU_OK) c.owners = NULL;
    if (c.owners && monitor_graph_blocked_ids(c.owners, &blocked.ids, &blocked.n, &err) != PU_OK) blocked.n = 0;
    c.p.also_designated = monitor_blocked_has;
    c.p.also_ctx = &blocked;
    if (c.csv) { /* the CSV carries no chain */
        monitor_graph_free(c.owners);
        c.owners = NULL;
    }
    if (sameas_build(store_db(st), ix, &o.scope.scope, 0, &c.same, &err) != PU_OK) {
        /* the resolved person is an additional hit: without it the screening stands */
        pu_err_print(&err);
        c.same = NULL;
    }
    if (c.csv)
        printf("query_line,query_id,query_name,rank,id,caption,schema,score,match,suppressed,datasets,programs%s,resolved\n",
               o.explain ? ",matched_name,explanation" : "");
    if (one) {
        screen_query q = {.schema = o.schema, .names = o.names, .nnames = o.nnames, .birth_date = o.birth,
                          .country = o.nat, .gender = o.gender, .id_numbers = o.ids, .nids = o.nids};
        on_query(&q, 0, &c);
    } else {
        c.path = o.args[0];
        if (pu_dupset_new(&c.ids)) c.ids = NULL;
        rc = screen_read_queries(o.args[0], on_query, on_bad, &c, &err);
        pu_dupset_free(c.ids);
    }
    monitor_graph_free(c.owners);
    sameas_free(c.same);
    monitor_blocked_set_free(&blocked);
    screen_reviews_free(rv);
    screen_index_free(ix);
    store_close(st);
    if (rc) return cli_fail(&err);
    if (c.failed) return cli_fail(&c.err);
    if (!one && c.done == 0 && c.bad == 0) {
        pu_fail(&err, PU_ERR_INVALID, o.args[0], NULL, "no queries: the file has a header but no records");
        return cli_fail(&err);
    }
    if (c.bad) {
        fprintf(stderr, T("puente: %zu queries screened, %zu invalid (see above)\n"), c.done, c.bad);
        /* none screened: the input was refused (3); some: partial (7) */
        return c.done ? PU_EXIT_PARTIAL : pu_exit_code(PU_ERR_INVALID);
    }
    return 0;
}

/* ---- compare ---- */

static void print_compare_text(const char *n1, const char *n2, const screen_match *m) {
    printf("score: %.4f\nmatch: %s\nname1: %s\nname2: %s\n", m->score, m->match ? "true" : "false", n1, n2);
    if (m->explain.query_norm) printf("normalized: '%s' vs '%s'\n", m->explain.query_norm, m->explain.matched_norm);
    for (size_t i = 0; i < m->explain.nfeatures; i++)
        printf("  %-24s %7.3f  %s\n", m->explain.features[i].name, m->explain.features[i].value,
               m->explain.features[i].detail ? m->explain.features[i].detail : "");
}

static int compare_csv(const opts *o, const screen_index *ix) {
    pu_csv *r;
    pu_err err;
    pu_err_clear(&err);
    pu_csv_opts copts = {.check_utf8 = 1};
    if (pu_csv_open(o->csv, &copts, &r, &err)) return cli_fail(&err);
    const pu_csv_row *row;
    int rc = pu_csv_next(r, &row, &err);
    if (rc || !row) {
        pu_csv_close(r);
        if (!rc) pu_fail(&err, PU_ERR_INVALID, o->csv, "name1", "empty file: expected header name1,name2[,schema]");
        return cli_fail(&err);
    }
    int c1 = pu_csv_col(row, "name1"), c2 = pu_csv_col(row, "name2"), cs = pu_csv_col(row, "schema");
    if (c1 < 0 || c2 < 0) {
        pu_csv_close(r);
        pu_fail(&err, PU_ERR_INVALID, o->csv, "name1", "expected a header with name1,name2[,schema]");
        return cli_fail(&err);
    }
    for (size_t i = 0; i < row->n; i++) {
        if (i) putchar(',');
        csv_cell(row->fields[i]);
    }
    puts(",score,match");
    size_t bad = 0;
    for (;;) {
        pu_err_clear(&err);
        rc = pu_csv_next(r, &row, &err);
        if (rc == PU_ERR_INVALID || rc == PU_ERR_LIMIT) {
            pu_err_print(&err);
            bad++;
            continue;
        }
        if (rc || !row) break;
        const char *n1 = (size_t)c1 < row->n ? row->fields[c1] : "", *n2 = (size_t)c2 < row->n ? row->fields[c2] : "";
        const char *sch = cs >= 0 && (size_t)cs < row->n && *row->fields[cs] ? row->fields[cs] : o->schema;
        screen_match *m = NULL;
        int crc = screen_compare_as(ix, &o->scope.scope, sch, n1, n2, o->threshold, &m, &err);
        for (size_t i = 0; i < row->n; i++) {
            if (i) putchar(',');
            csv_cell(row->fields[i]);
        }
        if (crc) {
            snprintf(err.where, sizeof err.where, "%s:%llu", o->csv, (unsigned long long)row->line);
            pu_err_print(&err);
            bad++;
            puts(",,");
        } else {
            printf(",%.4f,%s\n", m->score, m->match ? "true" : "false");
        }
        screen_match_free(m);
    }
    pu_csv_close(r);
    if (rc) return cli_fail(&err);
    return bad ? pu_exit_code(PU_ERR_INVALID) : 0;
}

int cmd_compare(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(COMPARE_HELP), stdout);
        return 0;
    }
    opts o;
    int rc = parse("compare", argc, argv, &o);
    if (rc) return rc;
    if (!o.csv && o.nargs != 2) return cli_usage_error("compare", "expected two names (or --csv FILE)");
    if (o.csv && o.nargs) return cli_usage_error("compare", "--csv takes no names");
    if (o.format && strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
        return cli_usage_error("compare", "--format expects text or json, got '%s'", o.format);
    pu_err err;
    pu_err_clear(&err);
    store_t *st = NULL;
    screen_index *ix = NULL;
    if (o.idf && (rc = cli_open_store_existing(o.db, &st))) return rc;
    if (o.idf && (rc = screen_index_build(st, NULL, &ix, &err))) {
        store_close(st);
        return cli_fail(&err);
    }
    if (o.csv) rc = compare_csv(&o, ix);
    else {
        screen_match *m = NULL;
        if ((rc = screen_compare_as(ix, &o.scope.scope, o.schema, o.args[0], o.args[1], o.threshold, &m, &err)))
            rc = cli_fail(&err);
        else if (o.format && strcmp(o.format, "json") == 0) {
            json_t *j = screen_match_to_json(m);
            json_object_del(j, "id");
            json_object_del(j, "caption");
            json_object_del(j, "schema");
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
            if (s) puts(s);
            free(s);
            json_decref(j);
        } else
            print_compare_text(o.args[0], o.args[1], m);
        screen_match_free(m);
    }
    screen_index_free(ix);
    store_close(st);
    return rc;
}

/* ---- review ---- */

static int subject_of(const opts *o, char *buf, size_t size, pu_err *err) {
    if (o->key) {
        if (pu_strlcpy(buf, o->key, size) >= size) return pu_fail(err, PU_ERR_LIMIT, NULL, "key", "too long");
        return PU_OK;
    }
    if (!o->subject) return pu_fail(err, PU_ERR_INVALID, NULL, "subject", "expected --subject NAME or --key KEY");
    const char *names[1] = {o->subject};
    screen_query q = {.names = names, .nnames = 1, .birth_date = o->birth};
    return screen_subject_key(&q, buf, size, err);
}

typedef struct list_ctx { int json; json_t *arr; } list_ctx;

static int on_review(const screen_review_row *r, void *vctx) {
    list_ctx *c = vctx;
    const char *owner = r->owner ? r->owner : "operator";
    if (c->json) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "subject", r->subject, "entity_id", r->entity_id,
                              "decision", r->decision, "analyst", r->analyst, "note", r->note, "created", r->created,
                              "agency", owner, "marking", r->marking);
        json_array_append_new(c->arr, o);
    } else {
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->created, r->subject, r->entity_id, r->decision, r->analyst,
               r->note, owner, r->marking);
    }
    return 0;
}

int cmd_review(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(REVIEW_HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *verb = argv[1];
    opts o;
    int rc = parse("review", argc - 1, argv + 1, &o);
    if (rc) return rc;
    pu_err err;
    pu_err_clear(&err);
    store_t *st = NULL;
    char key[2048];
    if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) {
        if (!o.entity) return cli_usage_error("review", "expected --entity ID");
        if ((rc = subject_of(&o, key, sizeof key, &err))) return cli_fail(&err);
        if ((rc = cli_open_store_existing(o.db, &st))) return rc;
        if (strcmp(verb, "add") == 0) {
            /* the entity must exist: a decision about a typo'd id would never apply */
            ftm_entity *e = NULL;
            rc = store_get(st, &o.scope.scope, o.entity, &e, &err);
            ftm_entity_free(e);
            screen_review_in in = {key, o.entity, o.decision ? o.decision : "false_positive", o.analyst, o.note,
                                   o.marking};
            if (!rc) rc = screen_review_add(st, &o.scope.scope, &in, &err);
            if (!rc) printf(T("recorded: subject '%s', entity %s, %s\n"), key, o.entity,
                            o.decision ? o.decision : "false_positive");
        } else {
            rc = screen_review_remove(st, &o.scope.scope, key, o.entity, &err);
            if (!rc) printf(T("removed: subject '%s', entity %s\n"), key, o.entity);
        }
        store_close(st);
        return rc ? cli_fail(&err) : 0;
    }
    if (strcmp(verb, "list") == 0) {
        if (o.format && strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
            return cli_usage_error("review", "--format expects text or json, got '%s'", o.format);
        if ((rc = cli_open_store_existing(o.db, &st))) return rc;
        list_ctx c = {o.format && strcmp(o.format, "json") == 0, json_array()};
        if ((rc = screen_reviews_list(st, &o.scope.scope, on_review, &c, &err))) {
            json_decref(c.arr);
            store_close(st);
            return cli_fail(&err);
        }
        if (c.json) {
            char *s = json_dumps(c.arr, JSON_INDENT(2));
            if (s) puts(s);
            free(s);
        }
        json_decref(c.arr);
        store_close(st);
        return 0;
    }
    return cli_usage_error("review", "unknown action '%s' (expected add, remove or list)", verb);
}
