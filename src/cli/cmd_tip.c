/*
 * cmd_tip.c - `puente tip ...`: the thin CLI over src/tips (the anonymous tip
 * line, docs/tips.md). `submit` is for phone operators filing a caller's tip;
 * the rest is the handlers' side. Exit codes: docs/CLI.md.
 */
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/pu_report.h"
#include "common/pu_io.h"
#include "screen/screen.h"
#include "tips/tips.h"

static const char HELP[] =
    "usage: puente tip <command> [options]\n"
    "\n"
    "The anonymous tip line: tips from the public, routed by category and place,\n"
    "triaged by Puente, handled by tip handlers.\n"
    "\n"
    "Commands:\n"
    "  submit                 file a tip for a caller (phone operators); prints the receipt\n"
    "  list                   tips the reader may see (--status S, --category C, --limit N)\n"
    "  show ID                one tip: text, answers, messages, entities, proposed links, history\n"
    "  reply ID --text T      a question or message to the tipster (read with the receipt)\n"
    "  state ID --to S        move a tip: triaged, assigned, linked, referred, closed;\n"
    "                         reopening (from linked/referred/closed) needs --reason\n"
    "  close ID [--reason R]  the same as state ID --to closed\n"
    "  link ID LINK --decision confirmed|rejected   decide a proposed link\n"
    "  indicators             received, linked, opened a new case, ...\n"
    "  keygen AGENCY --key-file F   make the agency's key pair for tip files: the public key\n"
    "                         into the store, the secret key appended to F (mode 0600)\n"
    "  attach ID FILE         add a caller's file to a tip (sealed to the tip's agency)\n"
    "  attachment ID N --out F [--original]   write a file of the tip: the copy without\n"
    "                         image metadata, or the sealed original (needs\n"
    "                         $PUENTE_TIPS_KEY_FILE with the agency's secret key)\n"
    "  split ID --tip-country US|MX [--state S] [--text T] [--marking M] [--screen]\n"
    "                         split off the part of a tip for the other country: a new tip\n"
    "                         routed to that country's agency (its own text, or a copy)\n"
    "  reseal ID              seal a tip's files again to the agency that owns it now\n"
    "                         (needs $PUENTE_TIPS_KEY_FILE with the earlier agency's key;\n"
    "                         a change of agency does it when the key is at hand)\n"
    "  triage --text T        show what triage extracts from a text (no store)\n"
    "  generate [--count N] [--seed S]   file N generated bilingual tips (demo, bench;\n"
    "                         default 300)\n"
    "  purge [--days N]       delete tips closed more than N days ago (default 90);\n"
    "                         audited as tip.purge\n"
    "\n"
    "Options (where they apply):\n"
    "  --category C  --tip-lang en|es  --text T | --text-file F  --answer KEY=VALUE (repeat)\n"
    "  --tip-country US|MX  --state CODE  --screen   (submit; --screen: screen the names\n"
    "                                   the tip gives on a screening index built now)\n"
    "  --agency-to A  --marking M  --new-case   (state: route to agency A, release wider,\n"
    "                                            count as having opened a new case)\n"
    "  --json                           JSON output (list, show, indicators, submit)\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 no such tip (or hidden),\n"
    "5 not the owner, 6 state change not allowed.\n";

enum { O_DB = 1000, O_AGENCY, O_COUNTRY, O_CATEGORY, O_LANG, O_TEXT, O_TEXT_FILE, O_ANSWER, O_TIP_COUNTRY, O_STATE,
       O_STATUS, O_LIMIT, O_JSON, O_TO, O_REASON, O_AGENCY_TO, O_MARKING, O_NEW_CASE, O_DECISION, O_DAYS, O_TODAY, O_COUNT, O_SEED, O_KEY_FILE, O_OUT, O_ORIGINAL, O_SCREEN };

#define MAX_POS 3
typedef struct tip_opts {
    const char *db, *agency, *country, *category, *lang, *text, *text_file, *tip_country, *state, *status, *to,
        *reason, *agency_to, *marking, *decision, *today, *key_file, *out;
    const char *answers[TIPS_MAX_ANSWERS];
    size_t nanswers;
    long limit, days, count, seed;
    int json, new_case, original, screen;
    const char *pos[MAX_POS];
    int npos;
    cli_scope scope;
} tip_opts;

static int parse(const char *cmd, int argc, char **argv, tip_opts *o) {
    static const struct option LONG_OPTS[] = {
        {"db", required_argument, 0, O_DB},           {"agency", required_argument, 0, O_AGENCY},
        {"country", required_argument, 0, O_COUNTRY},  {"category", required_argument, 0, O_CATEGORY},
        {"tip-lang", required_argument, 0, O_LANG},        {"text", required_argument, 0, O_TEXT},
        {"text-file", required_argument, 0, O_TEXT_FILE}, {"answer", required_argument, 0, O_ANSWER},
        {"tip-country", required_argument, 0, O_TIP_COUNTRY}, {"state", required_argument, 0, O_STATE},
        {"status", required_argument, 0, O_STATUS},    {"limit", required_argument, 0, O_LIMIT},
        {"json", no_argument, 0, O_JSON},              {"to", required_argument, 0, O_TO},
        {"reason", required_argument, 0, O_REASON},    {"agency-to", required_argument, 0, O_AGENCY_TO},
        {"marking", required_argument, 0, O_MARKING},  {"new-case", no_argument, 0, O_NEW_CASE},
        {"decision", required_argument, 0, O_DECISION}, {"days", required_argument, 0, O_DAYS},
        {"today", required_argument, 0, O_TODAY},      {"count", required_argument, 0, O_COUNT},
        {"seed", required_argument, 0, O_SEED},        {"key-file", required_argument, 0, O_KEY_FILE},
        {"out", required_argument, 0, O_OUT},          {"original", no_argument, 0, O_ORIGINAL},
        {"screen", no_argument, 0, O_SCREEN},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->days = TIPS_RETENTION_DAYS;
    o->count = 300;
    o->seed = 2026;
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
        case O_CATEGORY: o->category = optarg; break;
        case O_LANG: /* the tip's language (the tipster's); --lang is the CLI's, as everywhere */
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "es") != 0)
                return cli_usage_error(cmd, "--tip-lang expects en or es (the language the tip is written in), got '%s'", optarg);
            o->lang = optarg;
            break;
        case O_TEXT: o->text = optarg; break;
        case O_TEXT_FILE: o->text_file = optarg; break;
        case O_ANSWER:
            if (o->nanswers >= TIPS_MAX_ANSWERS || !strchr(optarg, '='))
                return cli_usage_error(cmd, "--answer expects KEY=VALUE (at most %d)", TIPS_MAX_ANSWERS);
            o->answers[o->nanswers++] = optarg;
            break;
        case O_TIP_COUNTRY: o->tip_country = optarg; break;
        case O_STATE: o->state = optarg; break;
        case O_STATUS: o->status = optarg; break;
        case O_LIMIT: if (cli_parse_long(cmd, "--limit", optarg, &o->limit)) return CLI_EXIT_USAGE; break;
        case O_JSON: o->json = 1; break;
        case O_TO: o->to = optarg; break;
        case O_REASON: o->reason = optarg; break;
        case O_AGENCY_TO: o->agency_to = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_NEW_CASE: o->new_case = 1; break;
        case O_DECISION: o->decision = optarg; break;
        case O_DAYS: if (cli_parse_long(cmd, "--days", optarg, &o->days) || o->days < 1)
                         return cli_usage_error(cmd, "--days expects a whole number of days >= 1");
                     break;
        case O_TODAY: o->today = optarg; break;
        case O_COUNT: if (cli_parse_long(cmd, "--count", optarg, &o->count) || o->count < 1 || o->count > 1000000)
                          return cli_usage_error(cmd, "--count expects 1 to 1000000");
                      break;
        case O_KEY_FILE: o->key_file = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_ORIGINAL: o->original = 1; break;
        case O_SCREEN: o->screen = 1; break;
        case O_SEED: if (cli_parse_long(cmd, "--seed", optarg, &o->seed)) return CLI_EXIT_USAGE; break;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos >= MAX_POS) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return cli_scope_parse(cmd, o->agency, o->country, &o->scope);
}

static int need_pos(const char *cmd, const tip_opts *o, int n, const char *what) {
    return o->npos == n ? 0 : cli_usage_error(cmd, "expected %s", what);
}

static int open_store(const tip_opts *o, store_t **st) { return cli_open_store(o->db, st); }

static const char *operator_name(void) { return cli_operator_get()->user; }

/* ---- submit: the options become the public body, checked by the same parser ---- */
static int read_text_file(const char *path, char **out, pu_err *err) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return pu_fail(err, PU_ERR_IO, path, "text-file", "cannot open");
    pu_buf b = PU_BUF_INIT(TIPS_TEXT_MAX + 1);
    char chunk[4096];
    size_t n;
    int rc = PU_OK;
    while (rc == PU_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&b, chunk, n);
    if (f != stdin) fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_LIMIT, path, "text", "at most %d bytes", TIPS_TEXT_MAX);
    }
    *out = pu_buf_detach(&b);
    if (!*out) *out = strdup("");
    return *out ? PU_OK : pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
}

static json_t *submit_body(const tip_opts *o, const char *text) {
    json_t *b = json_object(), *a = json_object();
    json_object_set_new(b, "category", json_string(o->category ? o->category : ""));
    json_object_set_new(b, "lang", json_string(o->lang));
    json_object_set_new(b, "text", text ? json_string(text) : json_null());
    if (o->tip_country) json_object_set_new(b, "country", json_string(o->tip_country));
    if (o->state) json_object_set_new(b, "state", json_string(o->state));
    for (size_t i = 0; i < o->nanswers; i++) {
        const char *eq = strchr(o->answers[i], '=');
        char key[32];
        (void)pu_snprintf(key, sizeof key, "%.*s", (int)(eq - o->answers[i]), o->answers[i]);
        json_object_set_new(a, key, json_string(eq + 1));
    }
    json_object_set_new(b, "answers", a);
    return b;
}

static int run_submit(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip submit", argc, argv, &o);
    if (rc) return rc;
    if (!o.category || !o.lang) return cli_usage_error("tip submit", "--category and --tip-lang are required");
    if (!o.text == !o.text_file) return cli_usage_error("tip submit", "give one of --text or --text-file");
    pu_err e;
    pu_err_clear(&e);
    char *text = NULL;
    if (o.text_file && (rc = read_text_file(o.text_file, &text, &e))) return cli_fail(&e);
    json_t *b = submit_body(&o, o.text ? o.text : text);
    free(text);
    char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    if (!body) return pu_exit_code(PU_ERR_NOMEM);
    tips_intake in;
    rc = tips_intake_parse(body, strlen(body), &in, &e);
    free(body);
    if (rc) return cli_fail(&e);
    store_t *st;
    if ((rc = open_store(&o, &st))) {
        tips_intake_free(&in);
        return rc;
    }
    tips_receipt_out out;
    screen_index *ix = NULL;
    if (o.screen && (rc = screen_index_build(st, NULL, &ix, &e))) {
        tips_intake_free(&in);
        store_close(st);
        return cli_fail(&e);
    }
    rc = tips_submit_screened(store_db(st), &in, ix, &out, &e);
    screen_index_free(ix);
    tips_intake_free(&in);
    store_close(st);
    if (rc) return cli_fail(&e);
    if (o.json)
        printf("{\"id\":\"%s\",\"receipt\":\"%s\",\"owner\":\"%s\",\"received\":\"%s\",\"entities\":%lld,\"links\":%lld}\n",
               out.id, out.receipt, out.owner, out.day, (long long)out.entities, (long long)out.links);
    else
        printf(T("receipt: %s\ntip %s routed to %s (%lld entities, %lld links proposed)\n"
               "Read the receipt to the caller now: it is not stored and cannot be shown again.\n"),
               out.receipt, out.id, out.owner, (long long)out.entities, (long long)out.links);
    return 0;
}

/* ---- list ---- */
static int print_row(const tips_row *r, void *ctx) {
    int json = *(int *)ctx;
    if (json) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", r->id, "category", r->category,
                              "lang", r->lang, "country", r->country, "status", r->status, "owner", r->owner,
                              "marking", r->marking, "received", r->received_day, "duplicate_of", r->dup_of,
                              "messages", (json_int_t)r->messages, "links_proposed", (json_int_t)r->links_proposed);
        char *s = json_dumps(o, JSON_COMPACT);
        if (s) puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("%-22s %-13s %-2s %-2s %-9s %-6s %-11s %s links:%lld%s%s\n", r->id, r->category, r->lang,
               r->country[0] ? r->country : "-", r->status, r->owner, r->marking, r->received_day,
               (long long)r->links_proposed, r->dup_of[0] ? " dup-of:" : "", r->dup_of);
    }
    return PU_OK;
}

static int run_list(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip list", argc, argv, &o);
    if (rc || (rc = need_pos("tip list", &o, 0, "no arguments"))) return rc;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    tips_query q = {o.status, o.category, o.limit};
    pu_err e;
    pu_err_clear(&e);
    rc = tips_list(store_db(st), &o.scope.scope, &q, print_row, &o.json, &e);
    store_close(st);
    return rc ? cli_fail(&e) : 0;
}

/* ---- show ---- */
static void show_text(const tips_detail *d) {
    printf(T("tip %s  %s  %s  state %s  owner %s  %s  received %s%s%s\n"), d->id, d->category, d->lang, d->status, d->owner,
           d->marking, d->received_day, d->dup_of[0] ? T("  near-duplicate of ") : "", d->dup_of);
    printf(T("place: %s %s\n\n%s\n\n"), d->country[0] ? d->country : "-", d->state_code, d->text);
    for (size_t i = 0; i < d->nanswers; i++) printf("  %s: %s\n", d->qkey[i], d->answer[i]);
    if (d->nentities) puts(T("\nentities:"));
    for (size_t i = 0; i < d->nentities; i++) printf("  %-9s %s\n", d->entities[i].kind, d->entities[i].value);
    if (d->nlinks) puts(T("\nlinks:"));
    for (size_t i = 0; i < d->nlinks; i++)
        printf("  #%lld %-9s %-9s %-22s %.2f  %s\n", (long long)d->links[i].id, d->links[i].status, d->links[i].kind,
               d->links[i].target, d->links[i].score, d->links[i].evidence);
    if (d->nmessages) puts(T("\nmessages:"));
    for (size_t i = 0; i < d->nmessages; i++) printf("  %s %s: %s\n", d->messages[i].day, d->messages[i].author, d->messages[i].text);
    if (d->nevents) puts(T("\nhistory:"));
    for (size_t i = 0; i < d->nevents; i++)
        printf(T("  %s %s -> %s by %s%s%s\n"), d->events[i].day, d->events[i].from, d->events[i].to, d->events[i].by,
               d->events[i].reason[0] ? ": " : "", d->events[i].reason);
}

static void show_json(const tips_detail *d) {
    json_t *ents = json_array(), *links = json_array(), *msgs = json_array(), *ans = json_object();
    for (size_t i = 0; i < d->nanswers; i++) json_object_set_new(ans, d->qkey[i], json_string(d->answer[i]));
    for (size_t i = 0; i < d->nentities; i++)
        json_array_append_new(ents, json_pack("{s:s,s:s}", "kind", d->entities[i].kind, "value", d->entities[i].value));
    for (size_t i = 0; i < d->nlinks; i++)
        json_array_append_new(links, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)d->links[i].id, "kind",
                                               d->links[i].kind, "target", d->links[i].target, "status",
                                               d->links[i].status, "evidence", d->links[i].evidence));
    for (size_t i = 0; i < d->nmessages; i++)
        json_array_append_new(msgs, json_pack("{s:s,s:s,s:s}", "author", d->messages[i].author, "day",
                                              d->messages[i].day, "text", d->messages[i].text));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id", d->id, "category", d->category,
                          "status", d->status, "owner", d->owner, "marking", d->marking, "received", d->received_day,
                          "duplicate_of", d->dup_of, "text", d->text, "answers", ans, "entities", ents, "links", links,
                          "messages", msgs);
    char *s = json_dumps(o, JSON_COMPACT);
    if (s) puts(s);
    free(s);
    json_decref(o);
}

static int run_show(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip show", argc, argv, &o);
    if (rc || (rc = need_pos("tip show", &o, 1, "one tip id"))) return rc;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    tips_detail d;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_get(store_db(st), &o.scope.scope, o.pos[0], &d, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    if (o.json) show_json(&d);
    else show_text(&d);
    tips_detail_free(&d);
    return 0;
}

/* ---- changes ---- */
static int run_reply(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip reply", argc, argv, &o);
    if (rc || (rc = need_pos("tip reply", &o, 1, "one tip id"))) return rc;
    if (!o.text) return cli_usage_error("tip reply", "--text is required");
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_handler_message(store_db(st), &o.scope.scope, o.pos[0], operator_name(), o.text, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("message sent on %s (the tipster reads it with the receipt)\n"), o.pos[0]);
    return 0;
}

static int change_state(const char *cmd, tip_opts *o, const char *to) {
    int rc = need_pos(cmd, o, 1, "one tip id");
    if (rc) return rc;
    if (!to) return cli_usage_error(cmd, "--to is required (" TIPS_STATES ")");
    store_t *st;
    if ((rc = cli_open_store_existing(o->db, &st))) return rc;
    tips_change c = {to, o->reason, o->agency_to, o->marking, operator_name(), o->new_case};
    pu_err e;
    pu_err_clear(&e);
    rc = tips_set_state(store_db(st), &o->scope.scope, o->pos[0], &c, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("tip %s is now %s\n"), o->pos[0], to);
    return 0;
}

static int run_state(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip state", argc, argv, &o);
    return rc ? rc : change_state("tip state", &o, o.to);
}

static int run_close(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip close", argc, argv, &o);
    return rc ? rc : change_state("tip close", &o, "closed");
}

static int run_link(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip link", argc, argv, &o);
    if (rc || (rc = need_pos("tip link", &o, 2, "a tip id and a link number"))) return rc;
    long lid;
    if (cli_parse_long("tip link", "LINK", o.pos[1][0] == '#' ? o.pos[1] + 1 : o.pos[1], &lid)) return CLI_EXIT_USAGE;
    if (!o.decision) return cli_usage_error("tip link", "--decision confirmed|rejected is required");
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_link_decide(store_db(st), &o.scope.scope, o.pos[0], lid, o.decision, operator_name(), &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("link #%ld of %s %s\n"), lid, o.pos[0], o.decision);
    return 0;
}

static int run_indicators(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip indicators", argc, argv, &o);
    if (rc || (rc = need_pos("tip indicators", &o, 0, "no arguments"))) return rc;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    tips_indicators x;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_indicators_get(store_db(st), &o.scope.scope, &x, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(o.json ? "{\"received\":%lld,\"open\":%lld,\"linked\":%lld,\"opened_new\":%lld,\"referred\":%lld,"
                    "\"closed\":%lld,\"duplicates\":%lld,\"links_proposed\":%lld,\"links_confirmed\":%lld,"
                    "\"links_rejected\":%lld}\n"
                  : "received %lld\nopen %lld\nlinked %lld\nopened_new %lld\nreferred %lld\nclosed %lld\n"
                    "duplicates %lld\nlinks_proposed %lld\nlinks_confirmed %lld\nlinks_rejected %lld\n",
           (long long)x.received, (long long)x.open, (long long)x.linked, (long long)x.opened_new,
           (long long)x.referred, (long long)x.closed, (long long)x.duplicates, (long long)x.links_proposed,
           (long long)x.links_confirmed, (long long)x.links_rejected);
    return 0;
}

static int print_entity(const char *kind, const char *value, void *ctx) {
    (void)ctx;
    printf("%s\t%s\n", kind, value);
    return PU_OK;
}

static int run_triage(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip triage", argc, argv, &o);
    if (rc || (rc = need_pos("tip triage", &o, 0, "no arguments (the text goes in --text)"))) return rc;
    if (!o.text) return cli_usage_error("tip triage", "--text is required");
    pu_err e;
    pu_err_clear(&e);
    if (!pu_utf8_valid(o.text, strlen(o.text)))
        return cli_fail(&(pu_err){.code = PU_ERR_INVALID, .field = "text", .msg = "not valid UTF-8"});
    rc = tips_extract(o.text, print_entity, NULL, &e);
    return rc ? cli_fail(&e) : 0;
}

static int run_generate(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip generate", argc, argv, &o);
    if (rc || (rc = need_pos("tip generate", &o, 0, "no arguments"))) return rc;
    if (!o.scope.scope.system) return cli_usage_error("tip generate", "demo data is the operator's: no --agency");
    store_t *st;
    if ((rc = open_store(&o, &st))) return rc;
    int64_t n = 0;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_generate(store_db(st), (int)o.count, (unsigned)o.seed, &n, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("filed %lld generated tips\n"), (long long)n);
    return 0;
}

static int run_keygen(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip keygen", argc, argv, &o);
    if (rc || (rc = need_pos("tip keygen", &o, 1, "one agency"))) return rc;
    if (!o.key_file) return cli_usage_error("tip keygen", "--key-file is required (where the secret key goes)");
    if (!o.scope.scope.system) return cli_usage_error("tip keygen", "keys are the operator's: no --agency");
    int fd = open(o.key_file, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return cli_fail(&(pu_err){.code = PU_ERR_IO, .field = "key-file", .msg = "cannot open the key file"});
    store_t *st;
    if ((rc = open_store(&o, &st))) {
        close(fd);
        return rc;
    }
    char hex[65];
    pu_err e;
    pu_err_clear(&e);
    rc = tips_agency_keygen(store_db(st), o.pos[0], hex, &e);
    store_close(st);
    if (rc == PU_OK) {
        char line[128];
        int n = snprintf(line, sizeof line, "%s %s\n", o.pos[0], hex);
        if (n < 0 || write(fd, line, (size_t)n) != n) rc = pu_fail(&e, PU_ERR_IO, o.key_file, "key-file", "write failed");
        sodium_memzero(line, sizeof line);
    }
    sodium_memzero(hex, sizeof hex);
    close(fd);
    if (rc) return cli_fail(&e);
    printf(T("key pair for %s: public key stored; secret key appended to %s\n"), o.pos[0], o.key_file);
    return 0;
}

static int read_file(const char *path, unsigned char **out, size_t *n, pu_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pu_fail(err, PU_ERR_IO, path, "file", "cannot open");
    pu_buf b = PU_BUF_INIT((size_t)TIPS_ATTACH_MAX + 1);
    char chunk[65536];
    size_t k;
    int rc = PU_OK;
    while (rc == PU_OK && (k = fread(chunk, 1, sizeof chunk, f)) > 0) rc = pu_buf_append(&b, chunk, k);
    fclose(f);
    if (rc) {
        pu_buf_free(&b);
        return pu_fail(err, PU_ERR_LIMIT, path, "file", "at most %d bytes per file", TIPS_ATTACH_MAX);
    }
    *n = b.len;
    *out = (unsigned char *)pu_buf_detach(&b);
    return PU_OK;
}

static int run_attach(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip attach", argc, argv, &o);
    if (rc || (rc = need_pos("tip attach", &o, 2, "a tip id and a file"))) return rc;
    unsigned char *data = NULL;
    size_t n = 0;
    pu_err e;
    pu_err_clear(&e);
    if ((rc = read_file(o.pos[1], &data, &n, &e))) return cli_fail(&e);
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) {
        free(data);
        return rc;
    }
    tips_detail d;
    tips_attachment_out a;
    rc = tips_get(store_db(st), &o.scope.scope, o.pos[0], &d, &e);
    int got = rc == PU_OK;
    if (rc == PU_OK) rc = store_check_owner(store_db(st), &o.scope.scope, d.owner, &e);
    if (rc == PU_OK) rc = tips_attach_add(store_db(st), o.pos[0], d.owner, data, n, &a, &e);
    if (got) tips_detail_free(&d);
    store_close(st);
    free(data);
    if (rc) return cli_fail(&e);
    printf(T("file #%lld (%s, %lld bytes%s) sealed to %s\n"), (long long)a.id, a.type, (long long)a.size,
           a.stripped ? T(", metadata-free copy made") : "", o.pos[0]);
    return 0;
}

static int run_attachment(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip attachment", argc, argv, &o);
    if (rc || (rc = need_pos("tip attachment", &o, 2, "a tip id and a file number"))) return rc;
    if (!o.out) return cli_usage_error("tip attachment", "--out FILE is required");
    long aid;
    if (cli_parse_long("tip attachment", "N", o.pos[1], &aid)) return CLI_EXIT_USAGE;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    unsigned char *data = NULL;
    size_t n = 0;
    char type[32];
    pu_err e;
    pu_err_clear(&e);
    rc = tips_attach_open(store_db(st), &o.scope.scope, o.pos[0], aid, o.original, &data, &n, type, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    FILE *f = fopen(o.out, "wb");
    if (!f || fwrite(data, 1, n, f) != n) rc = pu_fail(&e, PU_ERR_IO, o.out, "out", "write failed");
    if (f && fclose(f) != 0 && !rc) rc = pu_fail(&e, PU_ERR_IO, o.out, "out", "write failed");
    free(data);
    if (rc) return cli_fail(&e);
    printf(T("%s (%zu bytes, %s)\n"), o.out, n, o.original ? T("original") : T("copy without metadata when there is one"));
    return 0;
}

static int run_split(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip split", argc, argv, &o);
    if (rc || (rc = need_pos("tip split", &o, 1, "one tip id"))) return rc;
    if (!o.tip_country) return cli_usage_error("tip split", "--tip-country US|MX (the part's country) is required");
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    pu_err e;
    pu_err_clear(&e);
    screen_index *ix = NULL;
    if (o.screen && (rc = screen_index_build(st, NULL, &ix, &e))) {
        store_close(st);
        return cli_fail(&e);
    }
    tips_split_req q = {o.tip_country, o.state, o.text, o.marking, operator_name(), ix};
    char part[TIPS_ID_MAX];
    rc = tips_split(store_db(st), &o.scope.scope, o.pos[0], &q, part, &e);
    screen_index_free(ix);
    store_close(st);
    if (rc) return cli_fail(&e);
    if (o.json) printf("{\"id\":\"%s\",\"part\":\"%s\",\"country\":\"%s\"}\n", o.pos[0], part, o.tip_country);
    else printf(T("the %s part of %s is tip %s\n"), o.tip_country, o.pos[0], part);
    return 0;
}

static int run_reseal(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip reseal", argc, argv, &o);
    if (rc || (rc = need_pos("tip reseal", &o, 1, "one tip id"))) return rc;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    int64_t done = 0, kept = 0;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_reseal(store_db(st), &o.scope.scope, o.pos[0], &done, &kept, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("%s: %lld file(s) sealed again to the tip's agency, %lld still sealed to an earlier agency\n"), o.pos[0],
           (long long)done, (long long)kept);
    return kept ? PU_EXIT_PARTIAL : 0;
}

static int run_purge(int argc, char **argv) {
    tip_opts o;
    int rc = parse("tip purge", argc, argv, &o);
    if (rc || (rc = need_pos("tip purge", &o, 0, "no arguments"))) return rc;
    if (!o.scope.scope.system) return cli_usage_error("tip purge", "the purge is the operator's job: no --agency");
    char today[11];
    if (!o.today) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        (void)strftime(today, sizeof today, "%Y-%m-%d", &tm);
    }
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    int64_t n = 0;
    pu_err e;
    pu_err_clear(&e);
    rc = tips_purge(store_db(st), (int)o.days, o.today ? o.today : today, operator_name(), &n, &e);
    store_close(st);
    if (rc) return cli_fail(&e);
    printf(T("purged %lld closed tip%s (closed more than %ld days ago)\n"), (long long)n, n == 1 ? "" : "s", o.days);
    return 0;
}

int cmd_tip(int argc, char **argv) {
    if (argc < 2) { fputs(T(HELP), stderr); return CLI_EXIT_USAGE; }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) { fputs(T(HELP), stdout); return 0; }
    static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
        {"submit", run_submit}, {"list", run_list}, {"show", run_show}, {"reply", run_reply},
        {"state", run_state},   {"close", run_close}, {"link", run_link}, {"indicators", run_indicators},
        {"triage", run_triage}, {"purge", run_purge}, {"generate", run_generate},
        {"keygen", run_keygen}, {"attach", run_attach}, {"attachment", run_attachment},
        {"reseal", run_reseal}, {"split", run_split}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(sub, subs[i].name)) continue;
        if (cli_wants_help(argc - 1, argv + 1)) { fputs(T(HELP), stdout); return 0; }
        return subs[i].fn(argc - 1, argv + 1);
    }
    return cli_usage_error("tip", "unknown command '%s'", sub);
}
