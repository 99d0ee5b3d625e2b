/*
 * cmd_monitor.c - `puente monitor ...` and `puente ownership ID`: the thin
 * CLI over src/monitor/monitor.h (docs/monitor.md, docs/CLI.md).
 *
 *   puente monitor add LIST FILE.csv [--marking M]
 *   puente monitor lists [--json]
 *   puente monitor run [LIST]
 *   puente monitor alerts [--status S] [--list L] [--json]
 *   puente monitor show ID [--json]
 *   puente monitor send --subject NAME --entity ID [--birth-date D]
 *   puente monitor assign ID [--to USER] | decide ID DECISION --note TEXT | confirm ID [--note TEXT]
 *   puente ownership ID [--json]
 * The acting user of assign/decide/confirm is the CLI's operator: the
 * account of `puente --user NAME` (its role's permissions), or the OS user
 * "cli:<login>" (the store's operator, every permission).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "cli/cli.h"
#include "monitor/monitor.h"
#include "screen/screen.h"

#define MONITOR_HELP                                                                                  \
    "usage: puente monitor <command> [options]\n\n"                                                 \
    "Ongoing monitoring of customer lists and the review queue (docs/monitor.md).\n\n"              \
    "Commands:\n"                                                                                   \
    "  add LIST FILE.csv [--marking M]   add or update a customer list's subjects; CSV header:\n"   \
    "                    name (required), id, schema, birth_date, country, id_numbers (';')\n"      \
    "  lists [--json]    the customer lists you may see\n"                                         \
    "  run [LIST]        re-screen the list(s) against designated entities changed since the\n"   \
    "                    last run (the first run screens everything); opens alerts for new or\n"   \
    "                    changed hits\n"                                                            \
    "  alerts [--status open|assigned|decided|escalated|closed] [--list L] [--json]\n"             \
    "  show ID [--json]  one alert with its hit and its history\n"                                 \
    "  send --subject NAME --entity ID [--birth-date D]   send an ad-hoc hit to the queue\n"       \
    "  assign ID [--to USER]            take (or give) an alert\n"                                 \
    "  decide ID true_match|false_positive|escalated --note TEXT   the assignee decides\n"         \
    "  confirm ID [--note TEXT]         a second reviewer (supervisor) confirms a true match\n\n"  \
    "Common options: --db PATH (else $PUENTE_DB)\n" CLI_SCOPE_HELP                                  \
    "The acting user is the operator: `puente --user NAME monitor ...` acts as that account.\n"

#define OWNERSHIP_HELP                                                                                \
    "usage: puente ownership ID [--json] [--db PATH] [--agency A --country C]\n\n"                  \
    "The OFAC 50-percent rule for entity ID: the share designated owners hold, directly or through\n"   \
    "chains of Ownership records you may see, and the chains themselves (docs/monitor.md).\n"

typedef struct opts {
    const char *db, *agency, *country, *status, *list, *marking, *to, *note, *subject, *entity, *birth;
    int json;
    int npos;
    char *pos[4];
} opts;

static int parse(const char *cmd, int argc, char **argv, opts *o) {
    static const struct option lo[] = {
        {"db", required_argument, 0, 'd'},      {"agency", required_argument, 0, 'a'},
        {"country", required_argument, 0, 'C'}, {"status", required_argument, 0, 's'},
        {"list", required_argument, 0, 'l'},    {"marking", required_argument, 0, 'M'},
        {"to", required_argument, 0, 't'},      {"note", required_argument, 0, 'n'},
        {"subject", required_argument, 0, 'S'}, {"entity", required_argument, 0, 'e'},
        {"birth-date", required_argument, 0, 'b'}, {"json", no_argument, 0, 'j'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'a': o->agency = optarg; break;
        case 'C': o->country = optarg; break;
        case 's': o->status = optarg; break;
        case 'l': o->list = optarg; break;
        case 'M': o->marking = optarg; break;
        case 't': o->to = optarg; break;
        case 'n': o->note = optarg; break;
        case 'S': o->subject = optarg; break;
        case 'e': o->entity = optarg; break;
        case 'b': o->birth = optarg; break;
        case 'j': o->json = 1; break;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos >= 4) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

static void print_json(json_t *j) {
    char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (s) puts(s);
    free(s);
    json_decref(j);
}

/* Words stored as they are and shown translated (pu_tr): statuses,
 * decisions, history actions. Listed here so the catalogue has them. */
static const char *const shown_words[] __attribute__((unused)) = {
    PU_N("open"), PU_N("assigned"), PU_N("decided"), PU_N("escalated"), PU_N("closed"), PU_N("true_match"),
    PU_N("false_positive"), PU_N("opened"), PU_N("reopened_changed"), PU_N("basis_removed"), PU_N("confirmed"),
    PU_N("assign"), PU_N("decide"), PU_N("confirm")};

/* The acting user: the --user account, else the OS operator (all permissions). */
static monitor_actor actor(void) {
    const cli_operator *op = cli_operator_get();
    return (monitor_actor){op->user, op->authenticated ? op->perms : ~0u};
}

static int parse_id(const char *s, int64_t *id) {
    long v = 0;
    if (!s || cli_parse_long("monitor", "ID", s, &v)) return CLI_EXIT_USAGE;
    if (v <= 0) return cli_usage_error("monitor", "expected an alert number, got '%s'", s);
    *id = v;
    return 0;
}

/* ---- add / lists / run ---- */

static int do_add(store_t *st, const store_scope *sc, const opts *o) {
    if (o->npos != 3) return cli_usage_error("monitor", "expected 'add LIST FILE.csv'");
    pu_report rep;
    pu_report_init(&rep, "monitor add", stderr);
    monitor_add_opts ao = {o->marking, stderr};
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_list_add(st, sc, o->pos[1], o->pos[2], &ao, &rep, &err);
    if (rc) {
        pu_report_free(&rep);
        return cli_fail(&err);
    }
    pu_report_print(&rep, stdout);
    rc = pu_report_exit(&rep);
    pu_report_free(&rep);
    return rc;
}

static int on_list(const monitor_list_row *r, void *ctx) {
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:I,s:I}", "id", (json_int_t)r->id, "name",
                                             r->name, "agency", r->owner, "marking", r->marking, "created", r->created,
                                             "last_run", *r->last_run ? r->last_run : NULL, "subjects",
                                             (json_int_t)r->subjects, "open_alerts", (json_int_t)r->open_alerts));
    } else {
        printf("%s\t%s\t%s\t%lld\t%lld\t%s\n", r->name, *r->owner ? r->owner : "-", r->marking,
               (long long)r->subjects, (long long)r->open_alerts, *r->last_run ? r->last_run : "-");
    }
    return 0;
}

static int do_lists(store_t *st, const store_scope *sc, const opts *o) {
    json_t *arr = o->json ? json_array() : NULL;
    if (!o->json) printf("%s\n", T("list\tagency\tmarking\tsubjects\topen alerts\tlast run"));
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_lists(st, sc, on_list, arr, &err);
    if (rc) {
        json_decref(arr);
        return cli_fail(&err);
    }
    if (arr) print_json(json_pack("{s:o}", "lists", arr));
    return 0;
}

static int do_run(store_t *st, const store_scope *sc, const opts *o) {
    if (o->npos > 2) return cli_usage_error("monitor", "expected 'run [LIST]'");
    monitor_run_summary s;
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_run(st, sc, o->npos == 2 ? o->pos[1] : NULL, &s, &err);
    if (rc) return cli_fail(&err);
    if (o->json) {
        print_json(json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "lists", (json_int_t)s.lists, "subjects",
                             (json_int_t)s.subjects, "full_screens", (json_int_t)s.full_screens, "delta_entities",
                             (json_int_t)s.delta_entities, "hits", (json_int_t)s.hits, "alerts_opened",
                             (json_int_t)s.alerts_opened, "unchanged", (json_int_t)s.unchanged, "suppressed",
                             (json_int_t)s.suppressed, "basis_removed", (json_int_t)s.basis_removed));
        return 0;
    }
    printf(T("monitoring: %lld lists, %lld subjects (%lld screened in full), %lld designated entities in the "
             "delta\n"),
           (long long)s.lists, (long long)s.subjects, (long long)s.full_screens, (long long)s.delta_entities);
    printf(T("%lld hits: %lld alerts opened, %lld already alerted and unchanged, %lld suppressed by reviewed "
             "decisions; %lld open alerts lost their basis\n"),
           (long long)s.hits, (long long)s.alerts_opened, (long long)s.unchanged, (long long)s.suppressed,
           (long long)s.basis_removed);
    return 0;
}

/* ---- the queue ---- */

static int on_alert(const monitor_alert *a, void *ctx) {
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(arr, monitor_alert_to_json(a));
        return 0;
    }
    printf("%lld\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s%s\n", (long long)a->id, pu_tr(a->status), a->subject_name,
           a->entity_id, a->entity_caption, a->score, a->assignee ? a->assignee : "-",
           a->decision ? pu_tr(a->decision) : "-", a->basis_removed ? T(" (entity removed)") : "");
    return 0;
}

static int do_alerts(store_t *st, const store_scope *sc, const opts *o) {
    monitor_alert_filter f = {.status = o->status, .list = o->list};
    json_t *arr = o->json ? json_array() : NULL;
    if (!o->json) printf("%s\n", T("alert\tstatus\tsubject\tentity\tcaption\tscore\tassignee\tdecision"));
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_alerts(st, sc, &f, on_alert, arr, &err);
    if (rc) {
        json_decref(arr);
        return cli_fail(&err);
    }
    if (arr) print_json(json_pack("{s:o}", "alerts", arr));
    return 0;
}

static int on_show(const monitor_alert *a, void *ctx) {
    json_t **out = ctx;
    *out = monitor_alert_to_json(a);
    return 1;
}

static int on_step(const monitor_alert *a, void *ctx) {
    json_t *arr = ctx;
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s?}", "at", a->created, "actor", a->decided_by, "action",
                                         a->decision, "status", a->status, "note", a->note));
    return 0;
}

static int do_show(store_t *st, const store_scope *sc, const opts *o) {
    int64_t id;
    if (o->npos != 2) return cli_usage_error("monitor", "expected 'show ID'");
    if (parse_id(o->pos[1], &id)) return CLI_EXIT_USAGE;
    json_t *j = NULL, *hist = json_array();
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_alert_get(st, sc, id, on_show, &j, &err);
    if (!rc) rc = monitor_alert_history(st, sc, id, on_step, hist, &err);
    if (rc || !j) {
        json_decref(j);
        json_decref(hist);
        return rc ? cli_fail(&err) : 1;
    }
    json_object_set_new(j, "history", hist);
    if (o->json) {
        print_json(j);
        return 0;
    }
    const char *status = json_string_value(json_object_get(j, "status"));
    printf(T("alert %lld: %s\n"), (long long)id, pu_tr(status));
    printf(T("  subject: %s\n  entity:  %s (%s), score %.3f, matched name '%s'\n"),
           json_string_value(json_object_get(j, "subject")), json_string_value(json_object_get(j, "entity_caption")),
           json_string_value(json_object_get(j, "entity_id")), json_real_value(json_object_get(j, "score")),
           json_string_value(json_object_get(j, "matched_name")));
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h) {
        const char *note = json_string_value(json_object_get(h, "note"));
        const char *act = json_string_value(json_object_get(h, "action"));
        printf("  %s  %s  %s%s%s\n", json_string_value(json_object_get(h, "at")),
               json_string_value(json_object_get(h, "actor")), pu_tr(act), note ? ": " : "", note ? note : "");
    }
    json_decref(j);
    return 0;
}

static int do_send(store_t *st, const store_scope *sc, const opts *o) {
    if (!o->subject || !o->entity) return cli_usage_error("monitor", "expected --subject NAME --entity ID");
    const char *names[1] = {o->subject};
    screen_query q = {.names = names, .nnames = 1, .birth_date = o->birth};
    monitor_actor who = actor();
    int64_t id = 0;
    pu_err err;
    pu_err_clear(&err);
    int rc = monitor_alert_send(st, sc, &who, &q, o->entity, &id, &err);
    if (rc) return cli_fail(&err);
    printf(T("alert %lld in the review queue\n"), (long long)id);
    return 0;
}

static int do_step(store_t *st, const store_scope *sc, const char *verb, const opts *o) {
    int64_t id;
    int want = strcmp(verb, "decide") == 0 ? 3 : 2;
    if (o->npos != want)
        return cli_usage_error("monitor", "expected '%s ID%s'", verb, want == 3 ? " DECISION --note TEXT" : "");
    if (parse_id(o->pos[1], &id)) return CLI_EXIT_USAGE;
    monitor_actor who = actor();
    pu_err err;
    pu_err_clear(&err);
    int rc;
    if (strcmp(verb, "assign") == 0) rc = monitor_alert_assign(st, sc, &who, id, o->to, &err);
    else if (strcmp(verb, "decide") == 0) rc = monitor_alert_decide(st, sc, &who, id, o->pos[2], o->note, &err);
    else rc = monitor_alert_confirm(st, sc, &who, id, o->note, &err);
    if (rc) return cli_fail(&err);
    printf(T("alert %lld: %s by %s\n"), (long long)id, pu_tr(verb), who.user);
    return 0;
}

int cmd_monitor(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(MONITOR_HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse("monitor", argc, argv, &o);
    if (rc) return rc;
    if (o.npos < 1) return cli_usage_error("monitor", "expected a command");
    const char *verb = o.pos[0];
    static const char *const verbs[] = {"add", "lists", "run", "alerts", "show", "send", "assign", "decide", "confirm",
                                        NULL};
    int known = 0;
    for (const char *const *v = verbs; *v; v++) known |= strcmp(*v, verb) == 0;
    if (!known) return cli_usage_error("monitor", "unknown command '%s'", verb);
    cli_scope scope;
    if ((rc = cli_scope_parse("monitor", o.agency, o.country, &scope))) return rc;
    store_t *st = NULL;
    int writes = strcmp(verb, "lists") != 0 && strcmp(verb, "alerts") != 0 && strcmp(verb, "show") != 0;
    if ((rc = writes ? cli_open_store(o.db, &st) : cli_open_store_existing(o.db, &st))) return rc;
    const store_scope *sc = &scope.scope;
    if (strcmp(verb, "add") == 0) rc = do_add(st, sc, &o);
    else if (strcmp(verb, "lists") == 0) rc = do_lists(st, sc, &o);
    else if (strcmp(verb, "run") == 0) rc = do_run(st, sc, &o);
    else if (strcmp(verb, "alerts") == 0) rc = do_alerts(st, sc, &o);
    else if (strcmp(verb, "show") == 0) rc = do_show(st, sc, &o);
    else if (strcmp(verb, "send") == 0) rc = do_send(st, sc, &o);
    else rc = do_step(st, sc, verb, &o);
    store_close(st);
    return rc;
}

int cmd_ownership(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(OWNERSHIP_HELP), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse("ownership", argc, argv, &o);
    if (rc) return rc;
    if (o.npos != 1) return cli_usage_error("ownership", "expected one entity ID");
    cli_scope scope;
    if ((rc = cli_scope_parse("ownership", o.agency, o.country, &scope))) return rc;
    store_t *st = NULL;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    monitor_ownership *own = NULL;
    pu_err err;
    pu_err_clear(&err);
    rc = monitor_ownership_get(st, &scope.scope, o.pos[0], &own, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    if (o.json) print_json(monitor_ownership_to_json(own));
    else monitor_ownership_print(own, stdout);
    monitor_ownership_free(own);
    return 0;
}
