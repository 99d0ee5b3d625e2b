/*
 * cmd_case.c - `puente case ...`, `puente warrant ...`, `puente extradition
 * ...`: the thin CLI over src/cases (docs/cases.md, docs/CLI.md). Options
 * are parsed once into a table; each subcommand makes one engine call and
 * prints its result (JSON with --json; CSV where asked; else text for
 * people, with stage and status values in the CLI's language).
 * Exit codes: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 not found
 * (or hidden), 5 denied, 6 conflict (a stage change the workflow refuses).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cli/cli.h"

#define MAX_POS 4
#define MAX_OPTS 24

/* Options taking a value, and flags. */
static const char *const VALUE_OPTS[] = {
    "db", "agency", "country", "title", "summary", "marking", "opened", "agencies", "offences", "status", "user",
    "member-agency", "right", "to", "reason", "note", "text", "day", "kind", "due", "assignee", "entity", "name",
    "role", "statute", "law", "severity", "count", "filed", "description", "subject", "disposition", "out", "format",
    "within", "today", "court", "judge", "issued", "jurisdiction", "charges", "expires", "place", "outcome",
    "arresting-agency", "officers", "person", "warrant", "custody", "released", "forename", "dob", "place-of-birth",
    "nationalities", "sex", "charge", "charge-translation", "direction", "treaty", "notes", "assurances", "stage",
    "decision", "case", "reference", NULL};
static const char *const FLAG_OPTS[] = {"json", "existing", "certified", "translated", "sensitive", "count-only", NULL};

typedef struct copts {
    const char *name[MAX_OPTS], *val[MAX_OPTS];
    int n;
    const char *pos[MAX_POS];
    int npos;
    cli_scope scope;
    case_reader rd;
} copts;

static int listed(const char *s, const char *const *set) {
    for (; *set; set++)
        if (!strcmp(*set, s)) return 1;
    return 0;
}

static const char *opt(const copts *o, const char *name) {
    for (int i = o->n - 1; i >= 0; i--)
        if (!strcmp(o->name[i], name)) return o->val[i];
    return NULL;
}

static int parse(const char *cmd, int argc, char **argv, int first, copts *o) {
    memset(o, 0, sizeof *o);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            if (o->npos >= MAX_POS) return cli_usage_error(cmd, "too many arguments ('%s')", a);
            o->pos[o->npos++] = a;
            continue;
        }
        char name[48];
        const char *eq = strchr(a + 2, '='), *val = NULL;
        size_t k = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (k >= sizeof name) return cli_usage_error(cmd, "unknown option '%s'", a);
        memcpy(name, a + 2, k);
        name[k] = '\0';
        if (listed(name, FLAG_OPTS)) {
            val = "1";
        } else if (listed(name, VALUE_OPTS)) {
            if (eq) val = eq + 1;
            else if (i + 1 < argc) val = argv[++i];
            else return cli_usage_error(cmd, "option '%s' needs a value", a);
        } else {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        }
        if (o->n >= MAX_OPTS) return cli_usage_error(cmd, "too many options");
        const char *const *canon = listed(name, FLAG_OPTS) ? FLAG_OPTS : VALUE_OPTS;
        while (strcmp(*canon, name)) canon++;
        o->name[o->n] = *canon;
        o->val[o->n++] = val;
    }
    int rc = cli_scope_parse(cmd, opt(o, "agency"), opt(o, "country"), &o->scope);
    const cli_operator *op = cli_operator_get();
    o->rd.scope = &o->scope.scope;
    o->rd.user = op->authenticated ? op->user : NULL;
    return rc;
}

static int need_pos(const char *cmd, const copts *o, int n, const char *what) {
    return o->npos >= n ? 0 : cli_usage_error(cmd, "expected %s", what);
}

static int pos_id(const char *cmd, const copts *o, int i, int64_t *id) {
    char *end;
    long long v = strtoll(o->pos[i], &end, 10);
    if (*end || v <= 0) return cli_usage_error(cmd, "expected a number, got '%s'", o->pos[i]);
    *id = v;
    return 0;
}

static int opt_id(const char *cmd, const copts *o, const char *name, int64_t *id) {
    const char *v = opt(o, name);
    *id = 0;
    if (!v) return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x <= 0) return cli_usage_error(cmd, "--%s expects a number, got '%s'", name, v);
    *id = x;
    return 0;
}

static int print_json(json_t *j) {
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s) return 1;
    puts(s);
    free(s);
    return 0;
}

/* Stage and status values for people, in the CLI's language. */
static const char *value_label(const char *v) {
    static const struct { const char *key, *label; } L[] = {
        {"provisional_arrest_requested", "provisional arrest requested"},
        {"person_located_arrested", "person located/arrested"},
        {"formal_request_due", "formal request due"},
        {"formal_request_filed", "formal request filed"},
        {"judicial_phase", "judicial phase"},
        {"executive_decision", "executive decision"},
        {"review", "review (amparo/habeas)"},
        {"surrender_scheduled", "surrender scheduled"},
        {"surrendered", "surrendered"},
        {"released", "released"},
        {"withdrawn", "withdrawn"},
        {"lapsed", "lapsed"},
        {"open", "open"},
        {"suspended", "suspended"},
        {"closed", "closed"},
        {"issued", "issued"},
        {"served", "served"},
        {"recalled", "recalled"},
        {"expired", "expired"},
        {"granted", "granted"},
        {"denied", "denied"},
        {"mx_to_us", "Mexico to the United States"},
        {"us_to_mx", "United States to Mexico"},
        {"agency", "agency"},
        {"user", "user"},
        {"read", "read"},
        {"write", "write"},
        {"active", "active"},
        {"cancellation_requested", "cancellation requested"},
        {"pending", "pending"},
    };
    for (size_t i = 0; v && i < sizeof L / sizeof L[0]; i++)
        if (!strcmp(L[i].key, v)) return pu_tr(L[i].label);
    return v ? v : "";
}

/* The label strings above, marked for tests/i18n/extract.py. */
static void labels_for_extract(void) {
    (void)T("provisional arrest requested"); (void)T("person located/arrested"); (void)T("formal request due");
    (void)T("formal request filed"); (void)T("judicial phase"); (void)T("executive decision");
    (void)T("review (amparo/habeas)"); (void)T("surrender scheduled"); (void)T("surrendered"); (void)T("released");
    (void)T("withdrawn"); (void)T("lapsed"); (void)T("open"); (void)T("suspended"); (void)T("closed");
    (void)T("issued"); (void)T("served"); (void)T("recalled"); (void)T("expired"); (void)T("granted");
    (void)T("denied"); (void)T("Mexico to the United States"); (void)T("United States to Mexico");
    (void)T("agency"); (void)T("user"); (void)T("read"); (void)T("write"); (void)T("active");
    (void)T("cancellation requested"); (void)T("pending");
}

#define JS(o, k) json_string_value(json_object_get((o), (k)))
#define JI(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static db_t *open_db(const copts *o, store_t **st, int *code) {
    *code = cli_open_store(opt(o, "db"), st);
    return *code ? NULL : store_db(*st);
}

/* ---- puente case ---- */
static const char CASE_HELP[] =
    "usage: puente case <command> [options]\n"
    "\n"
    "Joint investigations: case files shared by members (need-to-know on top of markings).\n"
    "\n"
    "Commands:\n"
    "  new --title T [--summary S] [--marking M] [--opened D] [--agencies HSI:US,FGR:MX]\n"
    "      [--offences \"a; b\"]          file a case (the creator becomes a write member)\n"
    "  list [--status S] [--existing] [--json] [--count-only]\n"
    "                                  cases you are a member of (--existing: also PUBLIC or\n"
    "                                  SHARED cases you are not a member of, as 'restricted')\n"
    "  show ID [--json]                a case with its records, timeline and visible links\n"
    "  status ID open|suspended|closed\n"
    "  member ID (--user U | --member-agency A) --right read|write|remove\n"
    "  share case|warrant|arrest|extradition ID --to AGENCY --reason R\n"
    "                                  release one record to an agency (audited grant)\n"
    "  link ID trace|cargo|tip|ews|kinship|screening|entity TARGET [--note N]\n"
    "  note ID --text T                event ID --text T [--day D] [--kind K]\n"
    "  task ID --title T [--due D] [--assignee A]      task-done TASK\n"
    "  subject ID [--entity ENTITY_ID] [--name N] [--role R]\n"
    "  charge ID --statute S --law US|MX --severity felony|misdemeanor|delito_grave|\n"
    "      delito_no_grave [--count N] [--filed D] [--description T] [--subject SID]\n"
    "  dispose CHARGE --disposition pending|dismissed|convicted|acquitted|plea|transferred\n"
    "  arrest ID --person P --day D --place P --country US|MX --arresting-agency A\n"
    "      [--officers O] [--warrant W] [--charges 1,2] [--custody C] [--released D]\n"
    "  notice ID --warrant W --name N [--forename F] [--dob D] [--place-of-birth P]\n"
    "      [--nationalities MX,US] [--sex M|F|U] --charge C --charge-translation T\n"
    "                                  an INTERPOL Red Notice draft resting on a warrant\n"
    "  document ID FILE [--name N] [--certified] [--translated] [--sensitive]\n"
    "  document-get DOC --out FILE     the bytes, checked against their SHA-256\n"
    "  export ID --format niem         NIEM-aligned JSON of the case\n"
    "  due [--within DAYS] [--today D] [--json]   legal clocks due soon or overdue\n"
    "\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 no such record (or hidden),\n"
    "5 denied, 6 conflict.\n";

static int case_print(json_t *c) {
    printf("%s %lld: %s\n", T("case"), JI(c, "id"), JS(c, "title"));
    printf("  %s: %s  %s: %s/%s  %s: %s\n", T("status"), value_label(JS(c, "status")), T("owner"), JS(c, "owner"),
           JS(c, "marking"), T("opened"), JS(c, "opened"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(c, "members"), i, x)
        printf("  %s %s %s (%s)\n", T("member"), value_label(JS(x, "kind")), JS(x, "principal"),
               value_label(JS(x, "rights")));
    json_array_foreach(json_object_get(c, "offences"), i, x) printf("  %s: %s\n", T("offence"), JS(x, "offence"));
    json_array_foreach(json_object_get(c, "subjects"), i, x)
        printf("  %s %lld: %s (%s)\n", T("subject"), JI(x, "id"), JS(x, "name"), JS(x, "role"));
    json_array_foreach(json_object_get(c, "charges"), i, x)
        printf("  %s %lld: %s x%lld, %s, %s\n", T("charge"), JI(x, "id"), JS(x, "statute"), JI(x, "count"),
               JS(x, "severity"), value_label(JS(x, "disposition")));
    json_array_foreach(json_object_get(c, "warrants"), i, x)
        printf("  %s %lld: %s, %s (%s)\n", T("warrant"), JI(x, "id"), JS(x, "subject"), JS(x, "court"),
               value_label(JS(x, "status")));
    json_array_foreach(json_object_get(c, "arrests"), i, x)
        printf("  %s %lld: %s, %s, %s (%s)\n", T("arrest"), JI(x, "id"), JS(x, "person"), JS(x, "day"), JS(x, "place"),
               JS(x, "agency"));
    json_array_foreach(json_object_get(c, "notices"), i, x)
        printf("  %s %lld: %s %s (%s)\n", T("Red Notice"), JI(x, "id"), JS(x, "forename"), JS(x, "name"),
               value_label(JS(x, "status")));
    json_array_foreach(json_object_get(c, "tasks"), i, x)
        printf("  %s %lld: %s %s%s\n", T("task"), JI(x, "id"), JS(x, "title"), JS(x, "due") ? JS(x, "due") : "",
               json_is_true(json_object_get(x, "done")) ? T(" (done)") : "");
    json_array_foreach(json_object_get(c, "documents"), i, x)
        printf("  %s %lld: %s sha256:%s\n", T("document"), JI(x, "id"), JS(x, "name"), JS(x, "sha256"));
    json_array_foreach(json_object_get(c, "notes"), i, x)
        printf("  %s %lld (%s): %s\n", T("note"), JI(x, "id"), JS(x, "author"), JS(x, "text"));
    json_array_foreach(json_object_get(c, "extraditions"), i, x)
        printf("  %s %lld: %s, %s\n", T("extradition"), JI(x, "id"), JS(x, "person"), value_label(JS(x, "stage")));
    json_array_foreach(json_object_get(c, "links"), i, x)
        printf("  %s %s %s\n", T("link"), JS(x, "kind"), JS(x, "target"));
    json_array_foreach(json_object_get(c, "timeline"), i, x)
        printf("  %s  %-11s %s\n", JS(x, "day"), JS(x, "kind"), JS(x, "text"));
    json_decref(c);
    return 0;
}

static int case_list_cmd(db_t *db, const copts *o, pu_err *err) {
    json_t *a;
    int rc;
    if (opt(o, "count-only")) {
        int64_t n;
        if ((rc = case_count(db, &o->rd, &n, err))) return rc;
        printf("%lld\n", (long long)n);
        return 0;
    }
    if ((rc = case_list(db, &o->rd, opt(o, "status"), opt(o, "existing") ? CASE_LIST_EXISTING : 0, &a, err))) return rc;
    if (opt(o, "json")) return print_json(a);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (json_is_true(json_object_get(x, "restricted")))
            printf("%lld\t%s\t%s/%s\t%s\n", JI(x, "id"), T("(restricted: ask the owning agency)"), JS(x, "owner"),
                   JS(x, "marking"), value_label(JS(x, "status")));
        else
            printf("%lld\t%s\t%s/%s\t%s\n", JI(x, "id"), JS(x, "title"), JS(x, "owner"), JS(x, "marking"),
                   value_label(JS(x, "status")));
    }
    json_decref(a);
    return 0;
}

static int read_file(const char *path, unsigned char **data, size_t *n, pu_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pu_fail(err, PU_ERR_IO, path, "file", "cannot open");
    size_t cap = 1 << 16, len = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
        if (len == cap) {
            if (cap > CASE_DOC_MAX) break;
            unsigned char *g = realloc(b, cap * 2);
            if (!g) { free(b); b = NULL; break; }
            b = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b) return pu_fail(err, PU_ERR_NOMEM, path, NULL, "out of memory");
    *data = b;
    *n = len;
    return PU_OK;
}

static int doc_cmd(db_t *db, const copts *o, int64_t id, pu_err *err) {
    unsigned char *d = NULL;
    size_t n = 0;
    int64_t doc;
    char hex[65];
    const char *path = o->pos[2], *slash = strrchr(path, '/');
    int rc = read_file(path, &d, &n, err);
    if (rc) return rc;
    case_doc_opts d_o = {opt(o, "name") ? opt(o, "name") : slash ? slash + 1 : path, opt(o, "certified") != NULL,
                         opt(o, "translated") != NULL, opt(o, "sensitive") != NULL, NULL};
    rc = case_doc_add(db, &o->rd, id, &d_o, d, n, &doc, hex, err);
    free(d);
    if (!rc) printf("%lld\t%s\n", (long long)doc, hex);
    return rc;
}

static int doc_get_cmd(db_t *db, const copts *o, int64_t doc, pu_err *err) {
    unsigned char *d;
    size_t n;
    if (!opt(o, "out")) return pu_fail(err, PU_ERR_INVALID, NULL, "out", "--out FILE is required");
    int rc = case_doc_get(db, &o->rd, doc, &d, &n, err);
    if (rc) return rc;
    FILE *f = fopen(opt(o, "out"), "wb");
    if (!f || fwrite(d, 1, n, f) != n) rc = pu_fail(err, PU_ERR_IO, opt(o, "out"), "out", "cannot write");
    if (f && fclose(f) && !rc) rc = pu_fail(err, PU_ERR_IO, opt(o, "out"), "out", "cannot write");
    free(d);
    return rc;
}

static int due_cmd(db_t *db, const copts *o, pu_err *err) {
    long within = -1;
    if (opt(o, "within") && cli_parse_long("case", "--within", opt(o, "within"), &within)) return CLI_EXIT_USAGE;
    json_t *a;
    int rc = case_due(db, &o->rd, opt(o, "today"), (int)within, &a, err);
    if (rc) return rc;
    if (opt(o, "json")) return print_json(a);
    size_t i;
    json_t *x;
    int es = !strcmp(pu_tr("case"), "caso");
    json_array_foreach(a, i, x) {
        long long left = JI(x, "days_left");
        const char *when = left < 0 ? T("OVERDUE") : left == 0 ? T("due today") : T("due soon");
        if (!strcmp(JS(x, "kind"), "task"))
            printf("%s\t%s %lld\t%s %lld\t%s\t%s\n", JS(x, "due"), T("task"), JI(x, "task"), T("case"), JI(x, "case_id"),
                   JS(x, "title"), when);
        else
            printf("%s\t%s %lld\t%s\t%s\t%s\n", JS(x, "due"), T("extradition"), JI(x, "extradition"), JS(x, "person"),
                   es ? JS(x, "label_es") : JS(x, "label_en"), when);
    }
    if (json_array_size(a) == 0) printf("%s\n", T("nothing due"));
    json_decref(a);
    return 0;
}

/* ---- the engine's operations (case_ops.c) over the CLI's options ----
 * Parameters are the API's names; a few come from positions or from an
 * option with another name. */
static const struct {
    const char *op, *key;
    int pos;          /* >= 0: this positional argument */
    const char *opt;  /* else this option (NULL: the key with '-' for '_') */
} PARAM_MAP[] = {
    {"link", "kind", 2, NULL},           {"link", "target", 3, NULL},
    {"warrant_status", "status", 2, NULL}, {"extradition_stage", "stage", 2, NULL},
    {"charge", "country", -1, "law"},    {"arrest", "agency", -1, "arresting-agency"},
    {"subject", "entity_id", -1, "entity"},
};

typedef struct cli_params {
    const copts *o;
    const char *op;
} cli_params;

static const char *cli_get(void *ctx, const char *key) {
    const cli_params *c = ctx;
    for (size_t i = 0; i < sizeof PARAM_MAP / sizeof PARAM_MAP[0]; i++) {
        if (strcmp(PARAM_MAP[i].op, c->op) || strcmp(PARAM_MAP[i].key, key)) continue;
        if (PARAM_MAP[i].pos >= 0) return PARAM_MAP[i].pos < c->o->npos ? c->o->pos[PARAM_MAP[i].pos] : NULL;
        return opt(c->o, PARAM_MAP[i].opt);
    }
    char name[48];
    pu_strlcpy(name, key, sizeof name);
    for (char *q = name; *q; q++)
        if (*q == '_') *q = '-';
    return opt(c->o, name);
}

/* Run operation name on record id; a created record's number is printed. */
static int run_op(db_t *db, const copts *o, const char *name, int64_t id, pu_err *err) {
    const case_op *op = case_op_find(name);
    cli_params c = {o, name};
    case_params p = {cli_get, &c};
    json_t *res;
    int rc = case_op_run(db, &o->rd, op, id, &p, &res, err);
    if (rc) return rc;
    if (op->created) printf("%lld\n", JI(res, "id"));
    json_decref(res);
    return 0;
}

static int member_cmd(db_t *db, const copts *o, int64_t id, pu_err *err) {
    const char *u = opt(o, "user"), *a = opt(o, "member-agency"), *r = opt(o, "right");
    if (!!u == !!a) return cli_usage_error("case", "member needs --user U or --member-agency A");
    if (!r) return cli_usage_error("case", "member needs --right read|write|remove");
    return case_member_set(db, &o->rd, id, u ? "user" : "agency", u ? u : a, strcmp(r, "remove") ? r : NULL, err);
}

/* Subcommands that take a case (or record) number first. */
static int case_with_id(db_t *db, const char *sub, const copts *o, int64_t id, pu_err *err) {
    json_t *j;
    int rc;
    if (!strcmp(sub, "show")) {
        if ((rc = case_show(db, &o->rd, id, &j, err))) return rc;
        return opt(o, "json") ? print_json(j) : case_print(j);
    }
    if (!strcmp(sub, "export")) {
        if (!opt(o, "format") || strcmp(opt(o, "format"), "niem"))
            return cli_usage_error("case", "export needs --format niem");
        return (rc = case_export_niem(db, &o->rd, id, &j, err)) ? rc : print_json(j);
    }
    if (!strcmp(sub, "status"))
        return need_pos("case", o, 3, "status ID STATUS") ? CLI_EXIT_USAGE : case_set_status(db, &o->rd, id, o->pos[2], err);
    if (!strcmp(sub, "member")) return member_cmd(db, o, id, err);
    if (!strcmp(sub, "link") && need_pos("case", o, 4, "link ID KIND TARGET")) return CLI_EXIT_USAGE;
    static const char *const OPS[] = {"link", "note", "event", "task", "subject", "charge", "arrest", "notice", NULL};
    for (int i = 0; OPS[i]; i++)
        if (!strcmp(sub, OPS[i])) return run_op(db, o, sub, id, err);
    if (!strcmp(sub, "task-done")) return case_task_done(db, &o->rd, id, 1, err);
    if (!strcmp(sub, "dispose")) return case_charge_dispose(db, &o->rd, id, opt(o, "disposition"), err);
    if (!strcmp(sub, "document"))
        return need_pos("case", o, 3, "document ID FILE") ? CLI_EXIT_USAGE : doc_cmd(db, o, id, err);
    if (!strcmp(sub, "document-get")) return doc_get_cmd(db, o, id, err);
    return cli_usage_error("case", "unknown command '%s'", sub);
}

/* Run fn's result through the CLI's exit codes (usage errors pass through). */
static int finish(int rc, const pu_err *err) {
    if (rc == 0) return 0;
    if (rc == CLI_EXIT_USAGE && err->code == PU_OK) return rc;
    return err->code ? cli_fail(err) : rc;
}

int cmd_case(int argc, char **argv) {
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(CASE_HELP), stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    (void)labels_for_extract;
    copts o;
    const char *sub = argv[1];
    int code = parse("case", argc, argv, 1, &o);
    if (code) return code;
    store_t *st;
    pu_err err;
    pu_err_clear(&err);
    db_t *db = open_db(&o, &st, &code);
    if (!db) return code;
    int rc;
    if (!strcmp(sub, "new")) {
        case_new_opts n = {opt(&o, "title"), opt(&o, "summary"), opt(&o, "marking"), opt(&o, "opened"),
                           opt(&o, "agencies"), opt(&o, "offences")};
        int64_t id = 0;
        if (!(rc = case_new(db, &o.rd, &n, &id, &err))) printf("%lld\n", (long long)id);
    } else if (!strcmp(sub, "list")) {
        rc = case_list_cmd(db, &o, &err);
    } else if (!strcmp(sub, "due")) {
        rc = due_cmd(db, &o, &err);
    } else if (!strcmp(sub, "share")) {
        int64_t id = 0;
        rc = need_pos("case", &o, 3, "share KIND ID") || pos_id("case", &o, 2, &id)
                 ? CLI_EXIT_USAGE
                 : case_share(db, &o.rd, o.pos[1], id, opt(&o, "to"), opt(&o, "reason"), &err);
    } else {
        int64_t id = 0;
        rc = need_pos("case", &o, 2, "ID") || pos_id("case", &o, 1, &id) ? CLI_EXIT_USAGE
                                                                         : case_with_id(db, sub, &o, id, &err);
    }
    store_close(st);
    return finish(rc, &err);
}

/* ---- puente warrant ---- */
static const char WARRANT_HELP[] =
    "usage: puente warrant <command> [options]\n"
    "\n"
    "Arrest warrants of a case (NIEM j:Warrant).\n"
    "\n"
    "Commands:\n"
    "  add CASE --court C --judge J --issued D --jurisdiction US|MX --subject NAME\n"
    "      [--charges 1,2] [--expires D] [--marking M]\n"
    "  status W served|recalled|expired [--day D] [--reason R]   (recalled needs --reason;\n"
    "                                  it flags the warrant's Red Notices for cancellation)\n"
    "  attempt W --day D --place P --outcome O   a service attempt\n"
    "  list CASE [--json]              the case's warrants\n"
    "\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 not found, 5 denied,\n"
    "6 conflict (the warrant is no longer issued).\n";

static int warrant_list(db_t *db, const copts *o, int64_t id, pu_err *err) {
    json_t *c;
    int rc = case_show(db, &o->rd, id, &c, err);
    if (rc) return rc;
    json_t *w = json_incref(json_object_get(c, "warrants"));
    json_decref(c);
    if (opt(o, "json")) return print_json(w);
    size_t i;
    json_t *x;
    json_array_foreach(w, i, x)
        printf("%lld\t%s\t%s\t%s\t%s\n", JI(x, "id"), JS(x, "issued"), JS(x, "subject"), JS(x, "court"),
               value_label(JS(x, "status")));
    json_decref(w);
    return 0;
}

int cmd_warrant(int argc, char **argv) {
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(WARRANT_HELP), stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    copts o;
    const char *sub = argv[1];
    int64_t id = 0;
    int code = parse("warrant", argc, argv, 1, &o);
    if (code) return code;
    if (need_pos("warrant", &o, 2, "a case or warrant number") || pos_id("warrant", &o, 1, &id)) return CLI_EXIT_USAGE;
    store_t *st;
    pu_err err;
    pu_err_clear(&err);
    db_t *db = open_db(&o, &st, &code);
    if (!db) return code;
    int rc;
    if (!strcmp(sub, "add")) {
        rc = run_op(db, &o, "warrant", id, &err);
    } else if (!strcmp(sub, "status")) {
        rc = need_pos("warrant", &o, 3, "status W STATUS") ? CLI_EXIT_USAGE : run_op(db, &o, "warrant_status", id, &err);
    } else if (!strcmp(sub, "attempt")) {
        rc = run_op(db, &o, "warrant_attempt", id, &err);
    } else if (!strcmp(sub, "list")) {
        rc = warrant_list(db, &o, id, &err);
    } else {
        rc = cli_usage_error("warrant", "unknown command '%s'", sub);
    }
    store_close(st);
    return finish(rc, &err);
}

/* ---- puente extradition ---- */
static const char EXT_HELP[] =
    "usage: puente extradition <command> [options]\n"
    "\n"
    "Extradition requests between Mexico and the United States and their stages:\n"
    "provisional_arrest_requested -> person_located_arrested -> formal_request_due ->\n"
    "formal_request_filed -> judicial_phase -> executive_decision (granted/denied) -> review\n"
    "-> surrender_scheduled -> surrendered; or released, withdrawn, lapsed.\n"
    "\n"
    "Commands:\n"
    "  new CASE --direction mx_to_us|us_to_mx --person P [--treaty T] [--notes N1,N2]\n"
    "      [--assurances A] [--stage provisional_arrest_requested|formal_request_filed]\n"
    "      [--day D] [--marking M]\n"
    "  list [--case C] [--format text|csv|json] [--today D]   (csv: id,case_id,direction,\n"
    "                                  person,stage,stage_since,next_due)\n"
    "  show ID [--json] [--today D]    the request, its stage history and running clocks\n"
    "  stage ID STAGE [--day D] [--decision granted|denied] [--note N]\n"
    "                                  move the request; a transition the workflow does not\n"
    "                                  allow is refused (exit 6)\n"
    "  amparo ID --court C --reference R [--day D] [--note N]\n"
    "                                  an amparo suspends the request's clocks from day D\n"
    "                                  (mx_to_us only; no surrender while it is open)\n"
    "  amparo-end ID [--day D] [--note N]   the suspension's last day; clocks run again\n"
    "\n"
    CLI_SCOPE_HELP
    "  --db PATH              store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 3 invalid input, 4 not found, 5 denied,\n"
    "6 transition not allowed.\n";

static int ext_list_cmd(db_t *db, const copts *o, pu_err *err) {
    const char *fmt = opt(o, "format") ? opt(o, "format") : opt(o, "json") ? "json" : "text";
    int64_t cid;
    if (opt_id("extradition", o, "case", &cid)) return CLI_EXIT_USAGE;
    if (!strcmp(fmt, "csv")) return case_ext_write_csv(db, &o->rd, opt(o, "today"), stdout, err);
    if (strcmp(fmt, "json") && strcmp(fmt, "text"))
        return cli_usage_error("extradition", "--format expects text, csv or json, got '%s'", fmt);
    json_t *a;
    int rc = case_ext_list(db, &o->rd, cid, opt(o, "today"), &a, err);
    if (rc) return rc;
    if (!strcmp(fmt, "json")) return print_json(a);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        const char *due = JS(x, "next_due");
        printf("%lld\t%s %lld\t%s\t%s\t%s %s\t%s%s\n", JI(x, "id"), T("case"), JI(x, "case_id"), JS(x, "person"),
               value_label(JS(x, "direction")), value_label(JS(x, "stage")), JS(x, "stage_since"), due ? due : "",
               JS(x, "suspended_since") ? T(" suspended by amparo") : "");
    }
    json_decref(a);
    return 0;
}

static int ext_show_cmd(db_t *db, const copts *o, int64_t id, pu_err *err) {
    json_t *x;
    int rc = case_ext_show(db, &o->rd, id, opt(o, "today"), &x, err);
    if (rc) return rc;
    if (opt(o, "json")) return print_json(x);
    printf("%s %lld: %s (%s)\n", T("extradition"), JI(x, "id"), JS(x, "person"), value_label(JS(x, "direction")));
    printf("  %s: %s %s %s\n", T("stage"), value_label(JS(x, "stage")), T("since"), JS(x, "stage_since"));
    if (JS(x, "suspended_since")) printf("  %s %s\n", T("suspended by amparo since"), JS(x, "suspended_since"));
    size_t i;
    json_t *h;
    int es = !strcmp(pu_tr("case"), "caso");
    json_array_foreach(json_object_get(x, "history"), i, h)
        printf("  %s  %s\n", JS(h, "entered"), value_label(JS(h, "stage")));
    json_array_foreach(json_object_get(x, "clocks"), i, h)
        printf("  %s %s: %s (%lld)%s\n", T("due"), JS(h, "due"), es ? JS(h, "label_es") : JS(h, "label_en"),
               JI(h, "days_left"), json_is_true(json_object_get(h, "suspended")) ? T(" suspended by amparo") : "");
    json_array_foreach(json_object_get(x, "suspensions"), i, h)
        printf("  %s %s %s (%s) %s .. %s\n", T("amparo"), JS(h, "reference"), JS(h, "court"), JS(h, "note"),
               JS(h, "started"), JS(h, "ended") ? JS(h, "ended") : T("open"));
    json_decref(x);
    return 0;
}

int cmd_extradition(int argc, char **argv) {
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(T(EXT_HELP), stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    copts o;
    const char *sub = argv[1];
    int code = parse("extradition", argc, argv, 1, &o);
    if (code) return code;
    int64_t id = 0;
    if (strcmp(sub, "list") && (need_pos("extradition", &o, 2, "a number") || pos_id("extradition", &o, 1, &id)))
        return CLI_EXIT_USAGE;
    store_t *st;
    pu_err err;
    pu_err_clear(&err);
    db_t *db = open_db(&o, &st, &code);
    if (!db) return code;
    int rc;
    if (!strcmp(sub, "new")) {
        case_ext_opts x = {opt(&o, "direction"), opt(&o, "person"), opt(&o, "treaty"), opt(&o, "notes"),
                           opt(&o, "assurances"), opt(&o, "stage"), opt(&o, "day"), opt(&o, "marking")};
        int64_t xid;
        if (!(rc = case_ext_new(db, &o.rd, id, &x, &xid, &err))) printf("%lld\n", (long long)xid);
    } else if (!strcmp(sub, "list")) {
        rc = ext_list_cmd(db, &o, &err);
    } else if (!strcmp(sub, "show")) {
        rc = ext_show_cmd(db, &o, id, &err);
    } else if (!strcmp(sub, "amparo")) {
        rc = run_op(db, &o, "amparo", id, &err);
    } else if (!strcmp(sub, "amparo-end")) {
        rc = run_op(db, &o, "amparo_end", id, &err);
    } else if (!strcmp(sub, "stage")) {
        rc = need_pos("extradition", &o, 3, "stage ID STAGE") ? CLI_EXIT_USAGE : run_op(db, &o, "extradition_stage", id, &err);
    } else {
        rc = cli_usage_error("extradition", "unknown command '%s'", sub);
    }
    store_close(st);
    return finish(rc, &err);
}
