/*
 * cmd_protect.c - `puente protect ...`: the thin CLI over src/protect
 * (protection of journalists and human-rights defenders, docs/protection.md).
 * Run as an account: `puente --user NAME protect ...` ($PUENTE_PASSWORD for
 * the login) with the officer's protection passphrase in
 * $PUENTE_PROTECT_PASSPHRASE. Values that identify or locate a person are
 * given as options, which the audit of the invocation masks (cli_audit.c);
 * never as positional arguments. Exit codes: docs/CLI.md.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/pu_io.h"
#include "protect/protect.h"

static const char HELP[] =
    "usage: puente --user NAME protect <command> [options]\n"
    "\n"
    "Protection of journalists and human-rights defenders: cases encrypted with\n"
    "their own key, read only by the protection officers who are their members.\n"
    "The officer's passphrase is read from $PUENTE_PROTECT_PASSPHRASE.\n"
    "\n"
    "Commands:\n"
    "  keygen                         make (or replace) your protection key pair\n"
    "  passphrase                     change your passphrase (the new one in\n"
    "                                 $PUENTE_PROTECT_NEW_PASSPHRASE; your cases stay readable)\n"
    "  open --kind K --path P --state S [--received T]   a new case (you are its first member)\n"
    "  member add|remove CASE USER    add a member / remove one (rotates the case key)\n"
    "  person CASE --role R --occupation O --name N     a beneficiary, relative or collective\n"
    "  contact CASE PERSON --channel C --value V        a contact channel\n"
    "  place CASE PERSON --day D --state S --address A   a place of the location history\n"
    "  incident CASE --day D --state S --type T [--place ID] [--narrative N]\n"
    "                [--aggressor A] [--entity ID]    an incident\n"
    "  evidence CASE INCIDENT --file F               seal an evidence file\n"
    "  evidence-get CASE ID --out F --purpose P      write an evidence file back\n"
    "  step CASE STEP [--at T]        urgent_issued, urgent_in_place, study_done, board_decided\n"
    "  study CASE --level L --reasons R --analyst U --board B --next-review D   a study version\n"
    "  measure CASE --code C [--provider P] [--cost X] [--urgent]   request a measure\n"
    "  measure-status CASE ID --to S  approved, installed, active (review), withdrawn\n"
    "  prosecution CASE INCIDENT --authority FEADLE|state --outcome O [--file-no F]\n"
    "  list --purpose P [--search NAME] [--format csv|json]   your cases\n"
    "  show CASE --purpose P          one case (JSON), with its clocks and effectiveness\n"
    "  clocks [--late] [--format csv|json]   the service clocks of your open cases\n"
    "  purge [--days N]               delete location history older than N days (default 90)\n"
    "                                 that no incident holds (the operator's job)\n"
    "  counts                         the aggregates for the indicators (CSV, suppressed)\n"
    "  generate [--count N] [--seed S]   N generated cases with invented people (demo,\n"
    "                                 benchmarks; default 40)\n"
    "\n"
    "Options: --now T (the clock, for tests), --db PATH. Times T: Unix seconds or\n"
    "YYYY-MM-DDTHH:MM:SSZ; days D: YYYY-MM-DD.\n"
    CLI_SCOPE_HELP
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 no such case (or not a\n"
    "member), 5 not a protection officer / wrong passphrase, 6 transition refused.\n";

#define GEN_DEFAULT 40
#define GEN_MAX 100000

enum { O_DB = 1000, O_KIND, O_PATH, O_STATE, O_RECEIVED, O_ROLE, O_OCC, O_NAME, O_CHANNEL, O_VALUE, O_DAY, O_ADDRESS,
       O_TYPE, O_PLACE, O_NARRATIVE, O_AGGRESSOR, O_ENTITY, O_FILE, O_OUT, O_PURPOSE, O_AT, O_LEVEL, O_REASONS,
       O_ANALYST, O_BOARD, O_NEXT, O_CODE, O_PROVIDER, O_COST, O_URGENT, O_TO, O_AUTHORITY, O_OUTCOME, O_FILE_NO,
       O_SEARCH, O_FORMAT, O_LATE, O_DAYS, O_NOW, O_AGENCY, O_COUNTRY, O_COUNT, O_SEED };

#define MAX_POS 4
typedef struct popts {
    const char *db, *kind, *path, *state, *received, *role, *occ, *name, *channel, *value, *day, *address, *type, *place,
        *narrative, *aggressor, *entity, *file, *out, *purpose, *at, *level, *reasons, *analyst, *board, *next, *code,
        *provider, *cost, *to, *authority, *outcome, *file_no, *search, *format, *days, *now, *agency, *country, *count, *seed;
    int urgent, late;
    const char *pos[MAX_POS];
    int npos;
} popts;

static int parse(int argc, char **argv, popts *o) {
    static const struct option L[] = {
        {"db", 1, 0, O_DB}, {"kind", 1, 0, O_KIND}, {"path", 1, 0, O_PATH}, {"state", 1, 0, O_STATE},
        {"received", 1, 0, O_RECEIVED}, {"role", 1, 0, O_ROLE}, {"occupation", 1, 0, O_OCC}, {"name", 1, 0, O_NAME},
        {"channel", 1, 0, O_CHANNEL}, {"value", 1, 0, O_VALUE}, {"day", 1, 0, O_DAY}, {"address", 1, 0, O_ADDRESS},
        {"type", 1, 0, O_TYPE}, {"place", 1, 0, O_PLACE}, {"narrative", 1, 0, O_NARRATIVE},
        {"aggressor", 1, 0, O_AGGRESSOR}, {"entity", 1, 0, O_ENTITY}, {"file", 1, 0, O_FILE}, {"out", 1, 0, O_OUT},
        {"purpose", 1, 0, O_PURPOSE}, {"at", 1, 0, O_AT}, {"level", 1, 0, O_LEVEL}, {"reasons", 1, 0, O_REASONS},
        {"analyst", 1, 0, O_ANALYST}, {"board", 1, 0, O_BOARD}, {"next-review", 1, 0, O_NEXT}, {"code", 1, 0, O_CODE},
        {"provider", 1, 0, O_PROVIDER}, {"cost", 1, 0, O_COST}, {"urgent", 0, 0, O_URGENT}, {"to", 1, 0, O_TO},
        {"authority", 1, 0, O_AUTHORITY}, {"outcome", 1, 0, O_OUTCOME}, {"file-no", 1, 0, O_FILE_NO},
        {"search", 1, 0, O_SEARCH}, {"format", 1, 0, O_FORMAT}, {"late", 0, 0, O_LATE}, {"days", 1, 0, O_DAYS},
        {"now", 1, 0, O_NOW}, {"agency", 1, 0, O_AGENCY}, {"country", 1, 0, O_COUNTRY}, {"count", 1, 0, O_COUNT},
        {"seed", 1, 0, O_SEED}, {0, 0, 0, 0}};
    const char **slot[] = {
        [O_DB - O_DB] = &o->db, [O_KIND - O_DB] = &o->kind, [O_PATH - O_DB] = &o->path, [O_STATE - O_DB] = &o->state,
        [O_RECEIVED - O_DB] = &o->received, [O_ROLE - O_DB] = &o->role, [O_OCC - O_DB] = &o->occ,
        [O_NAME - O_DB] = &o->name, [O_CHANNEL - O_DB] = &o->channel, [O_VALUE - O_DB] = &o->value,
        [O_DAY - O_DB] = &o->day, [O_ADDRESS - O_DB] = &o->address, [O_TYPE - O_DB] = &o->type,
        [O_PLACE - O_DB] = &o->place, [O_NARRATIVE - O_DB] = &o->narrative, [O_AGGRESSOR - O_DB] = &o->aggressor,
        [O_ENTITY - O_DB] = &o->entity, [O_FILE - O_DB] = &o->file, [O_OUT - O_DB] = &o->out,
        [O_PURPOSE - O_DB] = &o->purpose, [O_AT - O_DB] = &o->at, [O_LEVEL - O_DB] = &o->level,
        [O_REASONS - O_DB] = &o->reasons, [O_ANALYST - O_DB] = &o->analyst, [O_BOARD - O_DB] = &o->board,
        [O_NEXT - O_DB] = &o->next, [O_CODE - O_DB] = &o->code, [O_PROVIDER - O_DB] = &o->provider,
        [O_COST - O_DB] = &o->cost, [O_URGENT - O_DB] = NULL, [O_TO - O_DB] = &o->to,
        [O_AUTHORITY - O_DB] = &o->authority, [O_OUTCOME - O_DB] = &o->outcome, [O_FILE_NO - O_DB] = &o->file_no,
        [O_SEARCH - O_DB] = &o->search, [O_FORMAT - O_DB] = &o->format, [O_LATE - O_DB] = NULL,
        [O_DAYS - O_DB] = &o->days, [O_NOW - O_DB] = &o->now, [O_AGENCY - O_DB] = &o->agency,
        [O_COUNTRY - O_DB] = &o->country, [O_COUNT - O_DB] = &o->count, [O_SEED - O_DB] = &o->seed};
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", L, NULL)) != -1) {
        if (c == '?') return cli_usage_error("protect", "unknown option '%s'", argv[optind - 1]);
        if (c == ':') return cli_usage_error("protect", "option '%s' needs a value", argv[optind - 1]);
        if (c == O_URGENT) o->urgent = 1;
        else if (c == O_LATE) o->late = 1;
        else *slot[c - O_DB] = optarg;
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos >= MAX_POS) return cli_usage_error("protect", "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

/* Seconds from "1733500000" or "YYYY-MM-DDTHH:MM:SSZ"; 0 for NULL. */
static int parse_time(const char *opt, const char *s, int64_t *out) {
    *out = 0;
    if (!s) return 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (end && *end == '\0' && v > 0) {
        *out = v;
        return 0;
    }
    struct tm tm = {0};
    const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!rest || *rest) return cli_usage_error("protect", "%s expects Unix seconds or YYYY-MM-DDTHH:MM:SSZ", opt);
    *out = (int64_t)timegm(&tm);
    return 0;
}

static int parse_id(const char *what, const char *s, int64_t *out) {
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !end || *end || v <= 0) return cli_usage_error("protect", "%s expects a record id", what);
    *out = v;
    return 0;
}

static int need(const popts *o, int n, const char *what) {
    return o->npos == n ? 0 : cli_usage_error("protect", "expected %s", what);
}

/* ---- output ---- */
typedef struct out_ctx {
    int json, n;
} out_ctx;

static int list_row(const protect_case_row *r, void *ctx, pu_err *err) {
    (void)err;
    out_ctx *c = ctx;
    if (c->json) {
        printf("%s{\"id\":\"%s\",\"name\":", c->n ? "," : "[", r->id);
        json_t *j = json_string(r->name);
        char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        fputs(q ? q : "\"\"", stdout);
        free(q);
        json_decref(j);
        printf(",\"kind\":\"%s\",\"path\":\"%s\",\"state\":\"%s\",\"status\":\"%s\",\"level\":\"%s\",\"received\":\"%s\"}", r->kind,
               r->path, r->state, r->status, r->level, r->received);
    } else {
        const char *f[] = {r->id, r->name, r->kind, r->path, r->state, r->status, r->level, r->received};
        for (size_t i = 0; i < 8; i++) {
            if (i) putchar(',');
            pu_csv_write_field(stdout, f[i]);
        }
        putchar('\n');
    }
    c->n++;
    return PU_OK;
}

static void iso(int64_t t, char out[21]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    (void)strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int clock_row(const protect_clock_row *r, void *ctx, pu_err *err) {
    (void)err;
    out_ctx *c = ctx;
    char st[21], due[21], done[21] = "";
    iso(r->started, st);
    iso(r->due, due);
    if (r->done) iso(r->done, done);
    if (c->json) {
        printf("%s{\"case\":\"%s\",\"rule\":\"%s\",\"path\":\"%s\",\"started\":\"%s\",\"due\":\"%s\",\"done\":\"%s\",\"late\":%s}",
               c->n ? "," : "[", r->case_id, r->rule, r->path, st, due, done, r->late ? "true" : "false");
    } else {
        printf("%s,%s,%s,%s,%s,%s,%s\n", r->case_id, r->rule, r->path, st, due, done, r->late ? "late" : "ok");
    }
    c->n++;
    return PU_OK;
}

static int count_row(const pu_count_row *r, void *ctx, pu_err *err) {
    (void)ctx;
    (void)err;
    printf("%s,%d,%s,%s,%s,%.0f,%d\n", r->name, r->year, r->country, r->state, r->agency, r->value, r->suppressed);
    return PU_OK;
}

/* ---- commands needing the officer's unlocked key ---- */
static int write_file(const char *path, const unsigned char *d, size_t n, pu_err *err) {
    FILE *f = fopen(path, "wb");
    if (!f) return pu_fail(err, PU_ERR_IO, NULL, "out", "cannot create the output file");
    int ok = fwrite(d, 1, n, f) == n;
    ok &= fclose(f) == 0;
    return ok ? PU_OK : pu_fail(err, PU_ERR_IO, NULL, "out", "cannot write the output file");
}

static int read_file(const char *path, unsigned char **d, size_t *n, pu_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pu_fail(err, PU_ERR_IO, NULL, "file", "cannot open the evidence file");
    pu_buf b = PU_BUF_INIT(PROTECT_EVIDENCE_MAX + 1);
    char chunk[65536];
    size_t got;
    int rc = PU_OK;
    while (rc == PU_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (pu_buf_append(&b, chunk, got)) rc = pu_fail(err, PU_ERR_LIMIT, NULL, "file", "at most %d bytes per file", PROTECT_EVIDENCE_MAX);
    fclose(f);
    *n = b.len;
    *d = (unsigned char *)pu_buf_detach(&b);
    pu_buf_free(&b);
    return rc;
}

static int run_session(protect_session *s, const char *cmd, const popts *o, pu_err *err) {
    int rc = PU_OK;
    int64_t id = 0, a = 0, b = 0;
    if (o->purpose && (rc = protect_set_purpose(s, o->purpose, err))) return rc;
    if (!strcmp(cmd, "open")) {
        char cid[PROTECT_ID_MAX];
        if (parse_time("--received", o->received, &a)) return -CLI_EXIT_USAGE;
        protect_case_in in = {o->kind, o->path, o->state, NULL, a};
        if ((rc = protect_case_open(s, &in, cid, err)) == PU_OK) printf("%s\n", cid);
    } else if (!strcmp(cmd, "member")) {
        if (need(o, 3, "add|remove CASE USER")) return -CLI_EXIT_USAGE;
        if (!strcmp(o->pos[0], "add")) rc = protect_member_add(s, o->pos[1], o->pos[2], err);
        else if (!strcmp(o->pos[0], "remove")) rc = protect_member_remove(s, o->pos[1], o->pos[2], err);
        else return -cli_usage_error("protect member", "expected add or remove");
    } else if (!strcmp(cmd, "person")) {
        if (need(o, 1, "CASE")) return -CLI_EXIT_USAGE;
        protect_person_in in = {o->role, o->name, o->occ};
        if ((rc = protect_person_add(s, o->pos[0], &in, &id, err)) == PU_OK) printf("%lld\n", (long long)id);
    } else if (!strcmp(cmd, "contact") || !strcmp(cmd, "place")) {
        if (need(o, 2, "CASE PERSON") || parse_id("PERSON", o->pos[1], &a)) return -CLI_EXIT_USAGE;
        rc = !strcmp(cmd, "contact") ? protect_contact_add(s, o->pos[0], a, o->channel, o->value, &id, err)
                                     : protect_place_add(s, o->pos[0], a, o->day, o->state, o->address, &id, err);
        if (rc == PU_OK) printf("%lld\n", (long long)id);
    } else if (!strcmp(cmd, "incident")) {
        if (need(o, 1, "CASE") || (o->place && parse_id("--place", o->place, &a))) return -CLI_EXIT_USAGE;
        protect_incident_in in = {o->day, o->state, o->type, a, o->narrative, o->aggressor, o->entity};
        if ((rc = protect_incident_add(s, o->pos[0], &in, &id, err)) == PU_OK) printf("%lld\n", (long long)id);
    } else if (!strcmp(cmd, "evidence")) {
        if (need(o, 2, "CASE INCIDENT") || parse_id("INCIDENT", o->pos[1], &a)) return -CLI_EXIT_USAGE;
        if (!o->file) return -cli_usage_error("protect evidence", "--file is required");
        unsigned char *d = NULL;
        size_t n = 0;
        if ((rc = read_file(o->file, &d, &n, err)) == PU_OK && (rc = protect_evidence_add(s, o->pos[0], a, d, n, &id, err)) == PU_OK)
            printf("%lld\n", (long long)id);
        if (d) sodium_memzero(d, n);
        free(d);
    } else if (!strcmp(cmd, "evidence-get")) {
        if (need(o, 2, "CASE ID") || parse_id("ID", o->pos[1], &a)) return -CLI_EXIT_USAGE;
        if (!o->out) return -cli_usage_error("protect evidence-get", "--out is required");
        unsigned char *d = NULL;
        size_t n = 0;
        if ((rc = protect_evidence_get(s, o->pos[0], a, &d, &n, err)) == PU_OK) rc = write_file(o->out, d, n, err);
        free(d);
    } else if (!strcmp(cmd, "step")) {
        if (need(o, 2, "CASE STEP") || parse_time("--at", o->at, &a)) return -CLI_EXIT_USAGE;
        rc = protect_request_step(s, o->pos[0], o->pos[1], a, err);
    } else if (!strcmp(cmd, "study")) {
        if (need(o, 1, "CASE")) return -CLI_EXIT_USAGE;
        protect_study_in in = {o->level, o->reasons, o->analyst, o->board ? o->board : "pending", o->next};
        int v = 0;
        if ((rc = protect_study_add(s, o->pos[0], &in, &v, err)) == PU_OK) printf("%d\n", v);
    } else if (!strcmp(cmd, "measure")) {
        double cost = 0;
        if (need(o, 1, "CASE") || (o->cost && cli_parse_double("protect measure", "--cost", o->cost, &cost))) return -CLI_EXIT_USAGE;
        if ((rc = protect_measure_add(s, o->pos[0], o->code, o->provider, cost, o->urgent, &id, err)) == PU_OK)
            printf("%lld\n", (long long)id);
    } else if (!strcmp(cmd, "measure-status")) {
        if (need(o, 2, "CASE ID") || parse_id("ID", o->pos[1], &a)) return -CLI_EXIT_USAGE;
        rc = protect_measure_status(s, o->pos[0], a, o->to, err);
    } else if (!strcmp(cmd, "prosecution")) {
        if (need(o, 2, "CASE INCIDENT") || parse_id("INCIDENT", o->pos[1], &a)) return -CLI_EXIT_USAGE;
        if ((rc = protect_prosecution_add(s, o->pos[0], a, o->authority, o->file_no, o->outcome, &id, err)) == PU_OK)
            printf("%lld\n", (long long)id);
    } else if (!strcmp(cmd, "list")) {
        out_ctx c = {o->format && !strcmp(o->format, "json"), 0};
        if (!c.json) printf("id,name,kind,path,state,status,level,received\n");
        rc = protect_list(s, o->search, list_row, &c, err);
        if (c.json) printf("%s]\n", c.n ? "" : "[");
    } else if (!strcmp(cmd, "show")) {
        char *json = NULL;
        if (need(o, 1, "CASE")) return -CLI_EXIT_USAGE;
        if ((rc = protect_show_json(s, o->pos[0], &json, err)) == PU_OK) printf("%s\n", json);
        free(json);
    } else if (!strcmp(cmd, "clocks")) {
        out_ctx c = {o->format && !strcmp(o->format, "json"), 0};
        if (!c.json) printf("case,rule,path,started,due,done,state\n");
        rc = protect_clocks(s, o->late, clock_row, &c, err);
        if (c.json) printf("%s]\n", c.n ? "" : "[");
    } else if (!strcmp(cmd, "generate")) {
        long count = GEN_DEFAULT, seed = 2026;
        if ((o->count && cli_parse_long("protect generate", "--count", o->count, &count)) ||
            (o->seed && cli_parse_long("protect generate", "--seed", o->seed, &seed)))
            return -CLI_EXIT_USAGE;
        if (count < 1 || count > GEN_MAX) return -cli_usage_error("protect generate", "--count expects 1 to %d", GEN_MAX);
        int made = 0;
        rc = protect_generate(s, (int)count, (unsigned)seed, &made, err);
        if (rc == PU_OK) printf(T("%d generated cases\n"), made);
    } else {
        return -cli_usage_error("protect", "unknown command '%s'", cmd);
    }
    (void)b;
    return rc;
}

int cmd_protect(int argc, char **argv) {
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    popts o;
    int urc = parse(argc - 1, argv + 1, &o);
    if (urc) return urc;
    pu_err err;
    pu_err_clear(&err);
    store_t *st = NULL;
    const cli_operator *op = cli_operator_get();
    if (!strcmp(cmd, "purge") || !strcmp(cmd, "counts")) {
        long days = PROTECT_PLACE_DAYS;
        int64_t now = 0;
        cli_scope sc;
        if (o.days && cli_parse_long("protect purge", "--days", o.days, &days)) return CLI_EXIT_USAGE;
        if (parse_time("--now", o.now, &now)) return CLI_EXIT_USAGE;
        if (cli_scope_parse("protect counts", o.agency, o.country, &sc)) return CLI_EXIT_USAGE;
        int rc = cli_open_store(o.db, &st);
        if (rc) return rc;
        int64_t removed = 0;
        if (!strcmp(cmd, "purge")) {
            rc = protect_purge(store_db(st), (int)days, now ? now : (int64_t)time(NULL), &removed, &err);
            if (rc == PU_OK) printf(T("%lld places purged\n"), (long long)removed);
        } else {
            printf("name,year,country,state,agency,value,suppressed\n");
            rc = protect_counts(store_db(st), &sc.scope, count_row, NULL, &err);
        }
        store_close(st);
        return rc ? cli_fail(&err) : 0;
    }
    if (!op->authenticated)
        return cli_usage_error("protect", "run as a protection officer: puente --user NAME protect %s", cmd);
    const char *pass = getenv("PUENTE_PROTECT_PASSPHRASE");
    if (!pass || !*pass) return cli_usage_error("protect", "set $PUENTE_PROTECT_PASSPHRASE to your protection passphrase");
    int rc = cli_open_store(o.db, &st);
    if (rc) return rc;
    db_t *db = store_db(st);
    if (!strcmp(cmd, "passphrase")) {
        const char *next = getenv("PUENTE_PROTECT_NEW_PASSPHRASE");
        rc = protect_passphrase_change(db, op->user, pass, next ? next : "", &err);
        if (rc == PU_OK) printf(T("the protection passphrase of %s is changed\n"), op->user);
        store_close(st);
        return rc ? cli_fail(&err) : 0;
    }
    if (!strcmp(cmd, "keygen")) {
        rc = protect_keygen(db, op->user, pass, &err);
        if (rc == PU_OK) printf(T("a new protection key pair for %s\n"), op->user);
        store_close(st);
        return rc ? cli_fail(&err) : 0;
    }
    protect_session s;
    rc = protect_unlock(db, op->user, pass, &s, &err);
    int64_t now = 0;
    if (rc == PU_OK && !parse_time("--now", o.now, &now)) s.now = now;
    if (rc == PU_OK) rc = run_session(&s, cmd, &o, &err);
    protect_session_end(&s);
    store_close(st);
    if (rc < 0) return -rc;
    return rc ? cli_fail(&err) : 0;
}
