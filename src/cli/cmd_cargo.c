/*
 * cmd_cargo.c - `puente cargo ...`: the thin CLI over src/cargo (cargo
 * targeting of inbound manifests). Exit codes: docs/CLI.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cargo/cargo.h"
#include "cli/cli.h"
#include "common/pu_report.h"
#include "common/pu_io.h"
#include "store/store.h"

static const char HELP[] =
    "usage: puente cargo <command> [options]\n"
    "\n"
    "Cargo targeting of inbound air-cargo manifests: precursor chemicals (watchlist)\n"
    "and designated parties (screening engine), scored by weighted risk rules.\n"
    "\n"
    "Commands:\n"
    "  screen MANIFEST       screen a manifest (CSV or JSON lines); ranked results\n"
    "  queue                 the review queue (hold and review, not yet disposed)\n"
    "  dispose AWB           record a disposition (released, held, inspected_found,\n"
    "                        inspected_not_found); feeds the statistics\n"
    "  stats                 decisions, dispositions and per-rule hit rates\n"
    "  watchlist import|export|versions   the chemical watchlist (versioned CSV)\n"
    "  rules import|export|versions       the risk rules and weights (versioned CSV)\n"
    "  detect TEXT           show the chemicals found in one description\n"
    "  generate              write a labelled synthetic manifest (demo, tests, bench)\n"
    "  evaluate RESULTS TRUTH   precision/recall of hold per disguise kind\n"
    "\n"
    "Run 'puente cargo <command> --help' for the options of each command.\n";

static const char SCREEN_HELP[] =
    "usage: puente cargo screen MANIFEST [options]\n"
    "\n"
    "Screen every line of MANIFEST ('-' = stdin; CSV with a header row, JSON lines, or\n"
    "one JSON array of line objects)\n"
    "against the current watchlist and rules (and the designated parties in the store),\n"
    "store the results (unless --dry-run) and write them ranked by score.\n"
    "\n"
    "  --format csv|json     output: CSV (awb,hawb,score,decision,reasons,chemicals,\n"
    "                        parties,invalid_cas,shipper,consignee,origin_country,\n"
    "                        arrival_date,line) or JSON lines (default csv)\n"
    "  --out FILE            write results to FILE (default stdout)\n"
    "  --input-format csv|jsonl|json   default: from the file name or the first byte\n"
    "  --input-order         keep the input order instead of ranking by score\n"
    "  --rejects FILE        write lines that could not be read (raw, + error) to FILE\n"
    "  --dry-run             do not store results (history rules still read the store)\n"
    "  --no-parties          do not screen parties (chemicals and rules only)\n"
    "  --owner AGENCY        owner of the stored shipments (default: the --agency, else\n"
    "                        $PUENTE_AGENCY)\n"
    "  --marking M           " STORE_MARKINGS_TEXT " (default " STORE_DEFAULT_MARKING ")\n"
    "  --author NAME         recorded with the batch\n"
    "  --watchlist-version N, --rules-version N   screen with an older version\n"
    CLI_SCOPE_HELP
    "                           (the history rules and the designated parties count only\n"
    "                           what that user may see)\n"
    "  --db PATH             store file (default $PUENTE_DB, else ./puente.db)\n"
    "\n"
    "A summary goes to stderr. A bad FIELD (a number, date or country that is not one,\n"
    "invalid UTF-8, an arrival before the departure) is reported with file:line and\n"
    "field and ignored; the rest of its line is still screened and carries a\n"
    "data_quality reason. A line that cannot be read at all (malformed CSV or JSON,\n"
    "wrong field count, no awb) is reported, skipped and kept in --rejects. Lines\n"
    "repeating an AWB+HAWB are both screened and reported; the store keeps the one\n"
    "with the higher score (on a tie the later one).\n"
    "Exit: 0 ok, 1 store/IO failure, 2 usage, 3 the file was refused (no header),\n"
    "7 partial: some lines or fields were refused (the rest is screened and stored).\n";

static const char QUEUE_HELP[] =
    "usage: puente cargo queue [--decision hold|review|release] [--all] [--limit N]\n"
    "                          [--format table|csv|json] [--agency A --country C] [--db PATH]\n"
    "\n"
    "The review queue: stored shipments with decision hold or review and no\n"
    "disposition yet, highest score first.\n"
    "  --decision D          only this decision\n"
    "  --all                 include shipments that already have a disposition\n"
    "  --limit N             at most N lines\n"
    CLI_SCOPE_HELP
    "A disposition counts for a reader only when its marking lets the reader see it;\n"
    "otherwise the line is still undisposed (in the queue) for that reader.\n"
    "Exit: 0 ok, 1 store failure, 2 usage.\n";

static const char DISPOSE_HELP[] =
    "usage: puente cargo dispose AWB --outcome O [--hawb H] [--note TEXT] [--owner A]\n"
    "                            [--marking M] [--author NAME] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Record what happened to a screened shipment. O is one of released, held,\n"
    "inspected_found, inspected_not_found. The latest disposition counts.\n"
    "Only the agency that owns the screened line, or an agency it granted, may dispose\n"
    "it. The disposition is filed as --owner (default: the --agency, else $PUENTE_AGENCY)\n"
    "with --marking M (" STORE_MARKINGS_TEXT ", default " STORE_DEFAULT_MARKING ");\n"
    "readers the marking hides still see the line as undisposed.\n"
    CLI_SCOPE_HELP
    "Exit: 0 ok, 2 usage, 3 bad outcome or marking, 4 no such shipment, 5 not the owner\n"
    "(nor granted) or a marking the agency may not file, 6 several house bills (give --hawb).\n";

static const char STATS_HELP[] =
    "usage: puente cargo stats [--json] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Shipments per decision and disposition, and per rule how often it fired and how\n"
    "often an inspection found something (hit rate): the feedback for rule weights.\n"
    "Counts only the lines and dispositions the reader may see.\n"
    CLI_SCOPE_HELP;

static const char WATCHLIST_HELP[] =
    "usage: puente cargo watchlist import FILE [--owner A] [--marking M] [--author N] [--note T]\n"
    "       puente cargo watchlist export [FILE] [--version N]\n"
    "       puente cargo watchlist versions\n"
    "       (each also takes --agency A --country C)\n"
    "\n"
    "The chemical watchlist is data. 'import' validates the whole file (CAS check\n"
    "digits, tiers, duplicates; every error with file:line and field) and stores it\n"
    "as the next version; nothing is stored when any row is bad. 'export' writes the\n"
    "latest (or --version N) as CSV; without a stored version, the bundled default.\n"
    "Columns: id,name_en,name_es,synonyms_en,synonyms_es,code_names,cas,hs_codes,incb,\n"
    "dea,mexico,tier,threshold_kg,exclude,notes,source (see docs/cargo.md).\n"
    "Default owner the --agency, else $PUENTE_AGENCY, else PUENTE; marking " STORE_LIST_MARKING "\n"
    "(reference data). Markings: " STORE_MARKINGS_TEXT ".\n"
    CLI_SCOPE_HELP;

static const char RULES_HELP[] =
    "usage: puente cargo rules import FILE [--owner A] [--marking M] [--author N] [--note T]\n"
    "       puente cargo rules export [FILE] [--version N]\n"
    "       puente cargo rules versions\n"
    "       (each also takes --agency A --country C)\n"
    "\n"
    "Risk rules and weights are data: id,weight,enabled,params,explanation. Every rule\n"
    "the engine implements must be listed once (enabled=0 turns one off); the rows\n"
    "decision_hold and decision_review hold the score thresholds. See docs/cargo.md.\n"
    "Default owner the --agency, else $PUENTE_AGENCY, else PUENTE; marking " STORE_DEFAULT_MARKING ".\n"
    "Markings: " STORE_MARKINGS_TEXT ".\n"
    CLI_SCOPE_HELP;

static const char DETECT_HELP[] =
    "usage: puente cargo detect TEXT [--hs CODE] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Show the watchlist chemicals found in one cargo description (CAS numbers with\n"
    "their check digit, names, synonyms, code names, salts, fuzzy spellings).\n";

static const char GENERATE_HELP[] =
    "usage: puente cargo generate [--lines N] [--seed S] [--jsonl] [--out FILE] [--truth FILE]\n"
    "                             [--precursor-rate R] [--party-rate R] [--designated N]\n"
    "                             [--agency A --country C] [--db PATH]\n"
    "\n"
    "Write a synthetic, labelled air-cargo manifest: benign goods and chemicals, legal\n"
    "solvent trade, precursors disguised in several ways (declared, cas_only, synonym,\n"
    "code_name, spanish, salt, misspelled, chinglish, hs_only, split) and shipments\n"
    "involving designated parties. --truth gets awb,hawb,kind,chemical.\n"
    "  --lines N             manifest lines (default 2000)\n"
    "  --designated N        use N designated organisations from the store as parties\n"
    "                        (default 40; 0 = none)\n"
    "  --precursor-rate R    share of precursor shipments (default 0.08)\n"
    "  --party-rate R        share of designated-party shipments (default 0.01)\n";

static const char EVALUATE_HELP[] =
    "usage: puente cargo evaluate RESULTS.csv TRUTH.csv [--json]\n"
    "\n"
    "Join screening results with the generator's truth on awb+hawb and report, per\n"
    "disguise kind, recall of hold (and of hold-or-review), and precision of hold\n"
    "against the benign lines (kind k's holds / (kind k's holds + benign holds)).\n";

enum { O_DB = 1000, O_FORMAT, O_OUT, O_INFMT, O_INORDER, O_REJECTS, O_DRY, O_NOPARTIES, O_OWNER, O_MARKING,
       O_AUTHOR, O_NOTE, O_WLV, O_RV, O_DECISION, O_ALL, O_LIMIT, O_AGENCY, O_COUNTRY, O_HAWB, O_OUTCOME,
       O_JSON, O_VERSION, O_HS, O_LINES, O_SEED, O_JSONL, O_TRUTH, O_PRATE, O_PARTYRATE, O_DESIGNATED };

static const struct option LONG_OPTS[] = {
    {"db", required_argument, NULL, O_DB}, {"format", required_argument, NULL, O_FORMAT},
    {"out", required_argument, NULL, O_OUT}, {"input-format", required_argument, NULL, O_INFMT},
    {"input-order", no_argument, NULL, O_INORDER}, {"rejects", required_argument, NULL, O_REJECTS},
    {"dry-run", no_argument, NULL, O_DRY}, {"no-parties", no_argument, NULL, O_NOPARTIES},
    {"owner", required_argument, NULL, O_OWNER}, {"marking", required_argument, NULL, O_MARKING},
    {"author", required_argument, NULL, O_AUTHOR}, {"note", required_argument, NULL, O_NOTE},
    {"watchlist-version", required_argument, NULL, O_WLV}, {"rules-version", required_argument, NULL, O_RV},
    {"decision", required_argument, NULL, O_DECISION}, {"all", no_argument, NULL, O_ALL},
    {"limit", required_argument, NULL, O_LIMIT}, {"agency", required_argument, NULL, O_AGENCY},
    {"country", required_argument, NULL, O_COUNTRY}, {"hawb", required_argument, NULL, O_HAWB},
    {"outcome", required_argument, NULL, O_OUTCOME}, {"json", no_argument, NULL, O_JSON},
    {"version", required_argument, NULL, O_VERSION}, {"hs", required_argument, NULL, O_HS},
    {"lines", required_argument, NULL, O_LINES}, {"seed", required_argument, NULL, O_SEED},
    {"jsonl", no_argument, NULL, O_JSONL}, {"truth", required_argument, NULL, O_TRUTH},
    {"precursor-rate", required_argument, NULL, O_PRATE}, {"party-rate", required_argument, NULL, O_PARTYRATE},
    {"designated", required_argument, NULL, O_DESIGNATED}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct opts {
    const char *db, *format, *out, *infmt, *rejects, *owner, *marking, *author, *note, *decision, *agency,
        *country, *hawb, *outcome, *hs, *truth;
    int inorder, dry, noparties, all, json, jsonl;
    long wlv, rv, limit, version, lines, seed, designated;
    double prate, partyrate;
    int npos;
    char *pos[4];
    cli_scope cs;   /* the reader/writer (--agency/--country; else the operator) */
} opts;

/* Parse options; `allowed` lists the option codes this command accepts. */
static int parse(const char *cmd, int argc, char **argv, const int *allowed, opts *o) {
    memset(o, 0, sizeof *o);
    o->lines = 2000;
    o->seed = 42;
    o->designated = 40;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", LONG_OPTS, NULL)) != -1) {
        if (c == '?') return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        if (c == ':') return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        int ok = 0;
        for (const int *a = allowed; *a; a++) ok |= *a == c;
        if (!ok && c != O_DB) return cli_usage_error(cmd, "option '%s' does not apply here", argv[optind - 1]);
        int rc = 0;
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_FORMAT: o->format = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_INFMT: o->infmt = optarg; break;
        case O_INORDER: o->inorder = 1; break;
        case O_REJECTS: o->rejects = optarg; break;
        case O_DRY: o->dry = 1; break;
        case O_NOPARTIES: o->noparties = 1; break;
        case O_OWNER: o->owner = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_AUTHOR: o->author = optarg; break;
        case O_NOTE: o->note = optarg; break;
        case O_WLV: rc = cli_parse_long(cmd, "--watchlist-version", optarg, &o->wlv); break;
        case O_RV: rc = cli_parse_long(cmd, "--rules-version", optarg, &o->rv); break;
        case O_DECISION: o->decision = optarg; break;
        case O_ALL: o->all = 1; break;
        case O_LIMIT: rc = cli_parse_long(cmd, "--limit", optarg, &o->limit); break;
        case O_AGENCY: o->agency = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_HAWB: o->hawb = optarg; break;
        case O_OUTCOME: o->outcome = optarg; break;
        case O_JSON: o->json = 1; break;
        case O_VERSION: rc = cli_parse_long(cmd, "--version", optarg, &o->version); break;
        case O_HS: o->hs = optarg; break;
        case O_LINES: rc = cli_parse_long(cmd, "--lines", optarg, &o->lines); break;
        case O_SEED: rc = cli_parse_long(cmd, "--seed", optarg, &o->seed); break;
        case O_JSONL: o->jsonl = 1; break;
        case O_TRUTH: o->truth = optarg; break;
        case O_PRATE: rc = cli_parse_double(cmd, "--precursor-rate", optarg, &o->prate); break;
        case O_PARTYRATE: rc = cli_parse_double(cmd, "--party-rate", optarg, &o->partyrate); break;
        case O_DESIGNATED: rc = cli_parse_long(cmd, "--designated", optarg, &o->designated); break;
        default: return cli_usage_error(cmd, "unexpected option");
        }
        if (rc) return rc;
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos >= 4) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return cli_scope_parse(cmd, o->agency, o->country, &o->cs);
}

/* The reader of the command (STORE_SYSTEM's copy for the operator). */
static const store_scope *scope_of(const opts *o) { return &o->cs.scope; }

static const char *default_owner(const char *opt, const char *fallback) {
    if (opt && *opt) return opt;
    const char *env = getenv("PUENTE_AGENCY");
    return env && *env ? env : fallback;
}

/* The owner of records this command files: --owner, else the acting
 * agency, else $PUENTE_AGENCY, else fallback. */
static const char *owner_of(const opts *o, const char *fallback) {
    if (!o->cs.scope.system && !(o->owner && *o->owner)) return o->cs.agency;
    return default_owner(o->owner, fallback);
}

/* The store with the cargo tables (cli_open_store runs every module's
 * migrations through the registry). */
static int open_store(const char *db, store_t **st) { return cli_open_store(db, st); }

static FILE *open_out(const char *path) {
    if (!path || strcmp(path, "-") == 0) return stdout;
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, T("puente: %s: cannot write: %s\n"), path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path) {
    if (f == stdout) return fflush(f) == 0 ? 0 : 1;
    int bad = ferror(f) | (fclose(f) != 0);
    if (bad) fprintf(stderr, T("puente: %s: write error\n"), path);
    return bad;
}

/* ---- screen ---------------------------------------------------------------------- */

static int write_reject(FILE *rej, const pu_err *e, const char *raw) {
    if (!rej) return 0;
    char msg[PU_ERR_WHERE_MAX + PU_ERR_FIELD_MAX + PU_ERR_MSG_MAX + 32];
    pu_err_format(e, msg, sizeof msg);
    fputs("# ", rej);
    fputs(msg, rej);
    fputc('\n', rej);
    fputs(raw, rej);
    fputc('\n', rej);
    return 0;
}

typedef struct screen_ctx {
    cargo_engine *eng;
    cargo_batch *batch;
} screen_ctx;

static void screen_ctx_free(screen_ctx *c) {
    cargo_batch_free(c->batch);
    cargo_engine_free(c->eng);
}

/* The engine over the store's watchlist and rules (--watchlist-version,
 * --rules-version) as the command's reader sees them. */
static int build_engine(store_t *st, const opts *o, int parties, screen_ctx *c, pu_err *err) {
    cargo_open_opts co = {.scope = scope_of(o), .watchlist_version = (int)o->wlv, .rules_version = (int)o->rv,
                          .parties = parties};
    return cargo_open(st, &co, &c->eng, err);
}

static int cmd_screen_run(int argc, char **argv) {
    static const int allowed[] = {O_FORMAT, O_OUT, O_INFMT, O_INORDER, O_REJECTS, O_DRY, O_NOPARTIES, O_OWNER,
                                  O_MARKING, O_AUTHOR, O_WLV, O_RV, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo screen", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 1) return cli_usage_error("cargo screen", "expected one MANIFEST file");
    int json = 0;
    if (o.format && strcmp(o.format, "json") == 0) json = 1;
    else if (o.format && strcmp(o.format, "csv") != 0)
        return cli_usage_error("cargo screen", "--format expects csv or json, got '%s'", o.format);
    cargo_format fmt = CARGO_FMT_AUTO;
    if (o.infmt && strcmp(o.infmt, "csv") == 0) fmt = CARGO_FMT_CSV;
    else if (o.infmt && strcmp(o.infmt, "jsonl") == 0) fmt = CARGO_FMT_JSONL;
    else if (o.infmt && strcmp(o.infmt, "json") == 0) fmt = CARGO_FMT_JSON;
    else if (o.infmt) return cli_usage_error("cargo screen", "--input-format expects csv, jsonl or json, got '%s'", o.infmt);
    cargo_stamp stamp = {owner_of(&o, NULL), o.marking, o.author, NULL};
    pu_err err;
    pu_err_clear(&err);
    if (!o.dry && (rc = cargo_stamp_check(scope_of(&o), &stamp, &err))) return cli_fail(&err);

    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    screen_ctx c = {0};
    cargo_reader *rd = NULL;
    FILE *rej = NULL, *out = NULL;
    int64_t nrej = 0;
    double t0 = pu_monotonic();
    rc = build_engine(st, &o, !o.noparties, &c, &err);
    cargo_batch_opts bo = {store_db(st), !o.dry, scope_of(&o)};
    if (!rc) rc = cargo_batch_new(c.eng, &bo, &c.batch, &err);
    if (!rc) rc = cargo_reader_open(o.pos[0], fmt, stderr, &rd, &err);
    if (!rc && o.rejects && !(rej = open_out(o.rejects))) rc = PU_ERR_IO;
    pu_progress prog;
    pu_progress_start(&prog, "screening", pu_file_size(o.pos[0]));
    uint64_t nlines = 0;
    while (!rc) {
        const cargo_manifest *m;
        pu_err e;
        pu_err_clear(&e);
        int r = cargo_reader_next(rd, &m, &e);
        /* a bad header refuses the whole file (exit 3), not each line */
        if (r == PU_ERR_INVALID && !strcmp(e.field, "header")) { rc = r; err = e; break; }
        if (r == PU_ERR_INVALID || r == PU_ERR_LIMIT) {
            pu_err_print(&e);
            write_reject(rej, &e, cargo_reader_raw(rd, NULL));
            nrej++;
            continue;
        }
        if (r) { rc = r; err = e; break; }
        if (!m) break;
        /* every refused field, with file:line and field; the line is still screened */
        for (size_t k = 0; k < m->nissues; k++)
            fprintf(stderr, T("puente: %s:%llu: %s: %s; the field is ignored, the rest of the line is screened\n"),
                    cargo_reader_name(rd), (unsigned long long)m->line, m->issues[k].field, m->issues[k].msg);
        if ((rc = cargo_batch_add(c.batch, m, &err))) break;
        const cargo_result *just = cargo_batch_result(c.batch, cargo_batch_count(c.batch) - 1);
        if (just && just->dup_of)
            fprintf(stderr, T("puente: %s:%llu: awb: AWB '%s' HAWB '%s' repeats line %llu; both lines are screened, the "
                            "store keeps the one with the higher score (on a tie this later one)\n"),
                    cargo_reader_name(rd), (unsigned long long)m->line, m->awb, m->hawb,
                    (unsigned long long)cargo_batch_result(c.batch, just->dup_of - 1)->line);
        if (++nlines % 4096 == 0) pu_progress_tick(&prog, cargo_reader_offset(rd), nlines);
    }
    pu_progress_end(&prog, nlines);
    /* an empty file or a header without lines is refused: screening nothing must not look like "all clear" */
    if (!rc && nlines == 0 && nrej == 0)
        rc = pu_fail(&err, PU_ERR_INVALID, o.pos[0], NULL,
                     cargo_reader_saw_header(rd) ? "no records after the header: no manifest line to screen"
                                                 : "empty file: expected a header row (awb, description, ...) and "
                                                   "manifest lines");
    if (!rc) rc = cargo_batch_finish(c.batch, &err);
    size_t nrefused = c.batch ? cargo_batch_nquality(c.batch) : 0;
    double t1 = pu_monotonic();
    int64_t bid = 0;
    if (!rc && !o.dry) rc = cargo_batch_save(c.batch, store_db(st), scope_of(&o), o.pos[0], &stamp, nrej, &bid, &err);
    if (!rc && !(out = open_out(o.out))) rc = PU_ERR_IO, pu_fail(&err, PU_ERR_IO, o.out, NULL, "cannot write");
    if (!rc) {
        size_t n = cargo_batch_count(c.batch);
        const size_t *rank = o.inorder ? NULL : cargo_batch_ranked(c.batch);
        if (!json) cargo_result_write_csv_header(out);
        size_t cnt[3] = {0};
        for (size_t i = 0; i < n; i++) {
            const cargo_result *r = cargo_batch_result(c.batch, rank ? rank[i] : i);
            cnt[r->decision[0] == 'h' ? 0 : r->decision[2] == 'v' ? 1 : 2]++;
            if (json) cargo_result_write_json(c.eng, r, out);
            else cargo_result_write_csv(c.eng, r, out);
        }
        if (close_out(out, o.out)) rc = PU_ERR_IO, pu_fail(&err, PU_ERR_IO, o.out, NULL, "write error");
        fprintf(stderr, T("puente: cargo screen %s: %zu lines screened in %.2f s (%.0f lines/min): %zu hold, %zu review, "
                        "%zu release; read %llu = %zu screened + %lld rejected (unreadable); %zu with refused fields "
                        "or repeated, %zu duplicate AWB+HAWB; parties %s; watchlist v%d, rules v%d%s\n"),
                o.pos[0], n, t1 - t0, n / ((t1 - t0) > 1e-9 ? (t1 - t0) : 1e-9) * 60.0, cnt[0], cnt[1], cnt[2],
                (unsigned long long)(n + (size_t)nrej), n, (long long)nrej, cargo_batch_nquality(c.batch),
                cargo_batch_nduplicates(c.batch), cargo_engine_screens_parties(c.eng) ? T("screened") : T("NOT screened (no designated parties in the store or --no-parties)"),
                cargo_engine_watchlist(c.eng)->version, cargo_engine_rules(c.eng)->version,
                o.dry ? T("; not stored (--dry-run)") : "");
    }
    if (rej) close_out(rej, o.rejects);
    cargo_reader_close(rd);
    screen_ctx_free(&c);
    store_close(st);
    if (rc) return cli_fail(&err);
    return nrej || nrefused ? PU_EXIT_PARTIAL : 0; /* partial: docs/CLI.md exit 7 */
}

/* ---- queue ------------------------------------------------------------------------- */

static int cmd_queue_run(int argc, char **argv) {
    static const int allowed[] = {O_DECISION, O_ALL, O_LIMIT, O_FORMAT, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo queue", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos) return cli_usage_error("cargo queue", "unexpected argument '%s'", o.pos[0]);
    pu_err err;
    pu_err_clear(&err);
    cargo_queue_format fmt = CARGO_QUEUE_TABLE;
    if (o.format && cargo_queue_format_parse(o.format, &fmt, &err))
        return cli_usage_error("cargo queue", "--format expects table, csv or json, got '%s'", o.format);
    if (o.decision && strcmp(o.decision, "hold") && strcmp(o.decision, "review") && strcmp(o.decision, "release"))
        return cli_usage_error("cargo queue", "--decision expects hold, review or release, got '%s'", o.decision);
    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    cargo_queue_opts qo = {o.decision, o.all, o.limit};
    rc = cargo_queue_write(store_db(st), scope_of(&o), &qo, fmt, stdout, &err);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

/* ---- dispose, stats -------------------------------------------------------------------- */

static int cmd_dispose_run(int argc, char **argv) {
    static const int allowed[] = {O_HAWB, O_OUTCOME, O_NOTE, O_OWNER, O_MARKING, O_AUTHOR, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo dispose", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 1) return cli_usage_error("cargo dispose", "expected one AWB");
    if (!o.outcome) return cli_usage_error("cargo dispose", "--outcome is required (" CARGO_OUTCOMES ")");
    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    cargo_stamp stamp = {owner_of(&o, NULL), o.marking, o.author, o.note};
    pu_err err;
    pu_err_clear(&err);
    rc = cargo_dispose(store_db(st), scope_of(&o), o.pos[0], o.hawb, o.outcome, &stamp, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    printf("%s%s%s: %s\n", o.pos[0], o.hawb ? " / " : "", o.hawb ? o.hawb : "", o.outcome);
    return 0;
}

static int cmd_stats_run(int argc, char **argv) {
    static const int allowed[] = {O_JSON, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo stats", argc, argv, allowed, &o);
    if (rc) return rc;
    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    pu_err err;
    pu_err_clear(&err);
    rc = cargo_stats_write(store_db(st), scope_of(&o), o.json, stdout, &err);
    store_close(st);
    return rc ? cli_fail(&err) : 0;
}

/* ---- watchlist, rules --------------------------------------------------------------------- */

static int cmd_list_run(int argc, char **argv, int is_rules) {
    const char *cmd = is_rules ? "cargo rules" : "cargo watchlist";
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(is_rules ? RULES_HELP : WATCHLIST_HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    static const int allowed[] = {O_OWNER, O_MARKING, O_AUTHOR, O_NOTE, O_VERSION, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse(cmd, argc - 1, argv + 1, allowed, &o);
    if (rc) return rc;
    pu_err err;
    pu_err_clear(&err);
    store_t *st;
    if (!strcmp(sub, "import")) {
        if (o.npos != 1) return cli_usage_error(cmd, "import expects one FILE");
        cargo_stamp stamp = {owner_of(&o, "PUENTE"), o.marking ? o.marking : is_rules ? STORE_DEFAULT_MARKING : STORE_LIST_MARKING,
                             o.author, o.note};
        if ((rc = cargo_stamp_check(scope_of(&o), &stamp, &err))) return cli_fail(&err);
        cargo_watchlist *w = NULL;
        cargo_rules *r = NULL;
        rc = is_rules ? cargo_rules_read_csv(o.pos[0], stderr, &r, &err) : cargo_watchlist_read_csv(o.pos[0], stderr, &w, &err);
        if (rc) {
            fprintf(stderr, T("puente: %s: not imported; nothing stored\n"), o.pos[0]);
            return pu_exit_code(rc);
        }
        if (!is_rules) {
            /* compile once (with the bundled rules) so a list that cannot be used is refused now */
            cargo_open_opts co = {.watchlist = w};
            cargo_engine *e = NULL;
            rc = cargo_open(NULL, &co, &e, &err);
            cargo_engine_free(e);
        }
        if (!rc && (rc = open_store(o.db, &st)) == 0) {
            rc = is_rules ? cargo_rules_save(store_db(st), scope_of(&o), r, &stamp, &err)
                          : cargo_watchlist_save(store_db(st), scope_of(&o), w, &stamp, &err);
            store_close(st);
            if (!rc) printf(T("%s: stored as %s version %d (%zu rows)\n"), o.pos[0], is_rules ? "rules" : "watchlist",
                            is_rules ? r->version : w->version, is_rules ? (size_t)CARGO_NRULES : w->n);
            else rc = cli_fail(&err);
        } else if (rc && err.code) rc = cli_fail(&err);
        cargo_watchlist_free(w);
        cargo_rules_free(r);
        return rc;
    }
    if (!strcmp(sub, "export")) {
        if (o.npos > 1) return cli_usage_error(cmd, "export takes at most one FILE");
        if ((rc = open_store(o.db, &st))) return rc;
        cargo_watchlist *w = NULL;
        cargo_rules *r = NULL;
        rc = is_rules ? cargo_rules_load(store_db(st), scope_of(&o), (int)o.version, &r, &err)
                      : cargo_watchlist_load(store_db(st), scope_of(&o), (int)o.version, &w, &err);
        store_close(st);
        if (rc) return cli_fail(&err);
        FILE *f = open_out(o.npos ? o.pos[0] : NULL);
        if (!f) rc = 1;
        else {
            rc = is_rules ? cargo_rules_write_csv(r, f, &err) : cargo_watchlist_write_csv(w, f, &err);
            if (close_out(f, o.npos ? o.pos[0] : "stdout")) rc = 1;
        }
        cargo_watchlist_free(w);
        cargo_rules_free(r);
        return rc;
    }
    if (!strcmp(sub, "versions")) {
        if ((rc = open_store(o.db, &st))) return rc;
        rc = cargo_versions_write(store_db(st), scope_of(&o), is_rules ? "rules" : "watchlist", stdout, &err);
        store_close(st);
        return rc ? cli_fail(&err) : 0;
    }
    return cli_usage_error(cmd, "unknown subcommand '%s' (import, export, versions)", sub);
}

/* ---- detect, generate, evaluate ---------------------------------------------------------------- */

static int cmd_detect_run(int argc, char **argv) {
    static const int allowed[] = {O_HS, O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo detect", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 1) return cli_usage_error("cargo detect", "expected one TEXT (quote it)");
    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    screen_ctx c = {0};
    pu_err err;
    pu_err_clear(&err);
    rc = build_engine(st, &o, 0, &c, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    cargo_chem_hit hits[CARGO_MAX_MATCHES];
    char bad[8][24];
    size_t n = 0, nb = 0;
    cargo_detect(c.eng, o.pos[0], strlen(o.pos[0]), o.hs, hits, CARGO_MAX_MATCHES, &n, bad, 8, &nb);
    static const char *const VIA[] = {"cas", "name", "code", "fuzzy"};
    const cargo_watchlist *w = cargo_engine_watchlist(c.eng);
    for (size_t i = 0; i < n; i++) {
        const cargo_chemical *ch = &w->chem[hits[i].chem];
        printf("%s\t%s\t%s\t%s\tvia %s '%s'%s%s%s\n", ch->id, ch->name_en, ch->cas, ch->tier, VIA[hits[i].via],
               hits[i].text, hits[i].salt[0] ? "\tsalt " : "", hits[i].salt, hits[i].weak ? "\tambiguous code, no chemical context" : "");
    }
    for (size_t i = 0; i < nb && i < 8; i++) printf(T("invalid CAS check digit\t%s\n"), bad[i]);
    if (!n && !nb) printf(T("no watchlist chemical found\n"));
    screen_ctx_free(&c);
    return 0;
}

/* Collect up to max designated organisation names from the store. */
typedef struct names { char **v; size_t n, max; } names;
static int collect_name(const ftm_entity *e, void *ctx) {
    names *nm = ctx;
    const char *name = ftm_entity_first(e, "name");
    if (!name || strlen(name) < 6) return 0;
    nm->v[nm->n] = pu_strdup(name);
    if (nm->v[nm->n]) nm->n++;
    return nm->n >= nm->max;
}

static int cmd_generate_run(int argc, char **argv) {
    static const int allowed[] = {O_LINES, O_SEED, O_JSONL, O_OUT, O_TRUTH, O_PRATE, O_PARTYRATE, O_DESIGNATED,
                                  O_AGENCY, O_COUNTRY, 0};
    opts o;
    int rc = parse("cargo generate", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.lines < 1 || o.lines > 100000000) return cli_usage_error("cargo generate", "--lines expects 1..100000000");
    if (o.designated < 0 || o.designated > 64) return cli_usage_error("cargo generate", "--designated expects 0..64");
    store_t *st;
    if ((rc = open_store(o.db, &st))) return rc;
    pu_err err;
    pu_err_clear(&err);
    cargo_watchlist *w = NULL;
    names nm = {calloc((size_t)o.designated + 1, sizeof(char *)), 0, (size_t)o.designated};
    rc = cargo_watchlist_load(store_db(st), scope_of(&o), 0, &w, &err);
    if (!rc && o.designated && nm.v) {
        store_query q = {.schema = "Organization", .dataset = NULL, .name = "S.A. DE C.V."};
        rc = store_iter(st, scope_of(&o), &q, collect_name, &nm, &err);
        if (!rc && nm.n < nm.max) {
            store_query q2 = {.schema = "Organization"};
            rc = store_iter(st, scope_of(&o), &q2, collect_name, &nm, &err);
        }
    }
    store_close(st);
    FILE *out = NULL, *truth = NULL;
    if (!rc && !(out = open_out(o.out))) rc = PU_ERR_IO;
    if (!rc && o.truth && !(truth = open_out(o.truth))) rc = PU_ERR_IO;
    if (!rc) {
        cargo_gen_opts g = {(uint64_t)o.seed, (size_t)o.lines, o.prate, o.partyrate, (const char *const *)nm.v, NULL, o.jsonl};
        rc = cargo_generate(w, &g, out, truth, &err);
        if (nm.n == 0 && o.designated)
            fprintf(stderr, T("puente: cargo generate: no designated organisations in the store; no party shipments generated\n"));
    }
    if (out && close_out(out, o.out ? o.out : "stdout")) rc = rc ? rc : PU_ERR_IO;
    if (truth && close_out(truth, o.truth)) rc = rc ? rc : PU_ERR_IO;
    for (size_t i = 0; i < nm.n; i++) free(nm.v[i]);
    free(nm.v);
    cargo_watchlist_free(w);
    if (rc && err.code) return cli_fail(&err);
    return rc ? 1 : 0;
}

static int cmd_evaluate_run(int argc, char **argv) {
    static const int allowed[] = {O_JSON, 0};
    opts o;
    int rc = parse("cargo evaluate", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 2) return cli_usage_error("cargo evaluate", "expected RESULTS.csv and TRUTH.csv");
    pu_err err;
    pu_err_clear(&err);
    rc = cargo_evaluate(o.pos[0], o.pos[1], o.json, stdout, &err);
    return rc ? cli_fail(&err) : 0;
}

int cmd_cargo(int argc, char **argv) {
    if (argc < 2) { fputs(T(HELP), stderr); return CLI_EXIT_USAGE; }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) { fputs(T(HELP), stdout); return 0; }
    static const struct { const char *name, *help; int (*fn)(int, char **); } subs[] = {
        {"screen", SCREEN_HELP, cmd_screen_run}, {"queue", QUEUE_HELP, cmd_queue_run},
        {"dispose", DISPOSE_HELP, cmd_dispose_run}, {"stats", STATS_HELP, cmd_stats_run},
        {"detect", DETECT_HELP, cmd_detect_run}, {"generate", GENERATE_HELP, cmd_generate_run},
        {"evaluate", EVALUATE_HELP, cmd_evaluate_run}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(sub, subs[i].name)) continue;
        if (cli_wants_help(argc - 1, argv + 1)) { fputs(T(subs[i].help), stdout); return 0; }
        return subs[i].fn(argc - 1, argv + 1);
    }
    if (!strcmp(sub, "watchlist")) return cmd_list_run(argc - 1, argv + 1, 0);
    if (!strcmp(sub, "rules")) return cmd_list_run(argc - 1, argv + 1, 1);
    fprintf(stderr, T("puente: cargo: unknown command '%s'\n%s"), sub, T(HELP));
    return CLI_EXIT_USAGE;
}
