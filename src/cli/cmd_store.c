/*
 * cmd_store.c - `puente import | export | entity | stats`: the thin CLI over
 * src/store and src/ofac. Exit codes: docs/CLI.md.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "ofac/ofac.h"
#include "store/store.h"

static const char IMPORT_HELP[] =
    "usage: puente import ofac DIR [--strict] [--keep-delisted] [--force] [--db PATH]\n"
    "       puente import ftm FILE [--strict] [--owner AGENCY] [--marking M] [--dataset NAME] [--db PATH]\n"
    "\n"
    "Import into the store, all or nothing (one transaction: an interrupted import\n"
    "leaves the store as it was).\n"
    "\n"
    "  ofac DIR     OFAC SDN legacy CSV export: DIR/sdn.csv, alt.csv, add.csv and\n"
    "               (optional) sdn_comments.csv. Entities get owner OFAC, marking\n"
    "               PUBLIC, dataset us_ofac_sdn. Entries no longer in the export\n"
    "               are removed unless --keep-delisted.\n"
    "  ftm FILE     FollowTheMoney JSON lines (OpenSanctions, Aleph, puente export);\n"
    "               FILE '-' reads stdin.\n"
    "\n"
    "Options:\n"
    "  --strict          stop at the first malformed record (exit 3, nothing written);\n"
    "                    default: skip it, count it and list it in the summary\n"
    "  --owner AGENCY    (ftm) owner of records that carry none\n"
    "  --marking M       (ftm) marking of records that carry none: " STORE_MARKINGS_TEXT "\n"
    "                    (default: AGENCY-ONLY for records with an owner, PUBLIC for\n"
    "                    records without one, as from a public list)\n"
    "  --dataset NAME    (ftm) add this dataset to every record\n"
    "  --keep-delisted   (ofac) keep entities that the new export no longer lists\n"
    "  --force           (ofac) import an export that looks truncated (a file ends\n"
    "                    inside a quoted field) or that would remove more than 10%\n"
    "                    of the OFAC entities (refused by default, store unchanged)\n"
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "\n"
    "Progress goes to stderr (on a terminal, or with PUENTE_PROGRESS=1); the summary\n"
    "(counts per schema, rejected records with file:line and reason) to stdout.\n"
    "A record whose id appeared earlier in the same file is refused (the first\n"
    "stands) and listed with both lines. Dates must be ISO 8601, countries ISO codes\n"
    "or English/Spanish names (normalised to the code); see docs/input.md.\n"
    "Exit: 0 ok, 7 done but records were refused (rejected or duplicate; the\n"
    "summary lists them), 1 store/IO failure, 2 usage, 3 invalid input refused as a\n"
    "whole (--strict, a truncated or shrunken OFAC export without --force).\n";

static const char EXPORT_HELP[] =
    "usage: puente export ftm [FILE] [--schema S] [--dataset NAME] [--plain] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Write the store's entities as FollowTheMoney JSON lines (id order), to FILE\n"
    "(written to FILE.tmp and renamed when complete) or to stdout.\n"
    "\n"
    "  --schema S        only this schema and its descendants (e.g. LegalEntity)\n"
    "  --dataset NAME    only entities of this dataset\n"
    "  --plain           omit Puente's fields (owner, marking, caveats, created,\n"
    "                    updated): plain FtM as OpenSanctions publishes it\n"
    "  --agency A --country C   export only what a user of agency A (country US or\n"
    "                    MX) may see; default: everything (operator access)\n"
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store/IO failure, 2 usage, 3 unknown schema.\n";

static const char ENTITY_HELP[] =
    "usage: puente entity get ID [--pretty] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Print one entity as FtM JSON (with Puente's fields).\n"
    "  --pretty          indented JSON\n"
    "  --agency A --country C   view as a user of agency A (country US or MX)\n"
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage, 4 not found (or not visible).\n";

static const char STATS_HELP[] =
    "usage: puente stats [--json] [--agency A --country C] [--db PATH]\n"
    "\n"
    "Entities in the store per schema, and the total.\n"
    "  --json            one JSON object instead of a table\n"
    "  --agency A --country C   count only what a user of agency A may see\n"
    "  --db PATH         store file (default $PUENTE_DB, else ./puente.db)\n"
    "Exit: 0 ok, 1 store failure, 2 usage.\n";

enum { O_DB = 1000, O_STRICT, O_OWNER, O_MARKING, O_DATASET, O_KEEP, O_SCHEMA, O_PLAIN, O_PRETTY, O_JSON,
       O_AGENCY, O_COUNTRY, O_HELP, O_FORCE };

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},           {"strict", no_argument, NULL, O_STRICT},
    {"owner", required_argument, NULL, O_OWNER},     {"marking", required_argument, NULL, O_MARKING},
    {"dataset", required_argument, NULL, O_DATASET}, {"keep-delisted", no_argument, NULL, O_KEEP},
    {"schema", required_argument, NULL, O_SCHEMA},   {"plain", no_argument, NULL, O_PLAIN},
    {"pretty", no_argument, NULL, O_PRETTY},         {"json", no_argument, NULL, O_JSON},
    {"agency", required_argument, NULL, O_AGENCY},   {"country", required_argument, NULL, O_COUNTRY},
    {"help", no_argument, NULL, O_HELP},             {"force", no_argument, NULL, O_FORCE},
    {NULL, 0, NULL, 0}};

typedef struct opts {
    const char *db, *owner, *marking, *dataset, *schema, *agency, *country;
    int strict, keep, plain, pretty, json, force;
    int npos;
    char *pos[4];
} opts;

/* Parse argv into o; returns 0, or an exit code after printing the error. */
static int parse(const char *cmd, int argc, char **argv, const char *allowed, opts *o) {
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
        if (c == ':') return cli_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
        if (c == '?') return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        char key[8];
        snprintf(key, sizeof key, "%d,", c);
        if (!strstr(allowed, key))
            return cli_usage_error(cmd, "option '%s' does not apply here", argv[optind - 1]);
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_STRICT: o->strict = 1; break;
        case O_OWNER: o->owner = optarg; break;
        case O_MARKING: o->marking = optarg; break;
        case O_DATASET: o->dataset = optarg; break;
        case O_KEEP: o->keep = 1; break;
        case O_SCHEMA: o->schema = optarg; break;
        case O_PLAIN: o->plain = 1; break;
        case O_PRETTY: o->pretty = 1; break;
        case O_JSON: o->json = 1; break;
        case O_AGENCY: o->agency = optarg; break;
        case O_COUNTRY: o->country = optarg; break;
        case O_FORCE: o->force = 1; break;
        default: break;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == 4) return cli_usage_error(cmd, "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    if ((o->agency != NULL) != (o->country != NULL))
        return cli_usage_error(cmd, "--agency and --country go together");
    if (o->country && strcmp(o->country, "US") && strcmp(o->country, "MX"))
        return cli_usage_error(cmd, "--country expects US or MX, got '%s'", o->country);
    return 0;
}

static void scope_of(const opts *o, store_scope *sc) {
    if (o->agency) *sc = (store_scope){0, o->country, o->agency};
    else *sc = store_scope_system;
}

static int import_ofac(const opts *o, store_t *st, store_summary *sum, pu_err *err) {
    ofac_import_opts io = {o->strict, o->keep, o->force};
    return ofac_import_dir(st, o->pos[1], &io, sum, err);
}

/* A record the import re-marked: its own audit entry with the marking (and
 * caveats) before and after, in the import's transaction, like the API's
 * PUT /api/v1/entities/{id} (action entity.update, detail
 * "marking=OLD->NEW; caveats=OLD->NEW"; docs/audit.md). */
static int audit_remark(void *ctx, const ftm_entity *e, const char *old_marking, const char *old_caveats,
                        pu_err *err) {
    store_t *st = ctx;
    const cli_operator *op = cli_operator_get();
    char detail[320];
    snprintf(detail, sizeof detail, "marking=%s->%s; caveats=%s->%s; via import ftm", old_marking,
             e->marking ? e->marking : STORE_LIST_MARKING, old_caveats, e->caveats ? e->caveats : "");
    audit_event ev = {"cli", op->user, op->authenticated ? op->agency : (e->owner ? e->owner : ""), "entity.update",
                      e->id, "success", detail, "cli", NULL};
    return audit_append(store_db(st), &ev, err);
}

static int import_ftm(const opts *o, store_t *st, store_summary *sum, pu_err *err) {
    store_import_opts io = {o->strict, o->owner, o->marking, o->dataset, audit_remark, st};
    return store_import_ftm(st, o->pos[1], &io, sum, err);
}

int cmd_import(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(IMPORT_HELP), stdout);
        return 0;
    }
    opts o;
    char allowed[128];
    snprintf(allowed, sizeof allowed, "%d,%d,%d,%d,%d,%d,%d,", O_DB, O_STRICT, O_OWNER, O_MARKING, O_DATASET, O_KEEP,
             O_FORCE);
    int rc = parse("import", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 2) return cli_usage_error("import", "expected 'ofac DIR' or 'ftm FILE'");
    int ofac = strcmp(o.pos[0], "ofac") == 0;
    if (!ofac && strcmp(o.pos[0], "ftm") != 0)
        return cli_usage_error("import", "unknown format '%s' (expected ofac or ftm)", o.pos[0]);
    if (ofac && (o.owner || o.marking || o.dataset))
        return cli_usage_error("import", "--owner/--marking/--dataset apply to 'import ftm' only");
    if (!ofac && (o.keep || o.force))
        return cli_usage_error("import", "--keep-delisted/--force apply to 'import ofac' only");
    store_t *st;
    if ((rc = cli_open_store(o.db, &st))) return rc;
    store_summary sum;
    store_summary_init(&sum);
    pu_err err;
    pu_err_clear(&err);
    rc = ofac ? import_ofac(&o, st, &sum, &err) : import_ftm(&o, st, &sum, &err);
    store_close(st);
    if (rc) {
        store_summary_free(&sum);
        fprintf(stderr, T("puente: import failed; the store is unchanged\n"));
        return cli_fail(&err);
    }
    char label[64];
    snprintf(label, sizeof label, "import %s", o.pos[0]);
    store_summary_print(&sum, label, stdout);
    int code = store_summary_exit(&sum);
    store_summary_free(&sum);
    return code;
}

int cmd_export(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(EXPORT_HELP), stdout);
        return 0;
    }
    opts o;
    char allowed[128];
    snprintf(allowed, sizeof allowed, "%d,%d,%d,%d,%d,%d,", O_DB, O_SCHEMA, O_DATASET, O_PLAIN, O_AGENCY, O_COUNTRY);
    int rc = parse("export", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos < 1 || o.npos > 2 || strcmp(o.pos[0], "ftm") != 0)
        return cli_usage_error("export", "expected 'ftm [FILE]'");
    const char *file = o.npos == 2 && strcmp(o.pos[1], "-") != 0 ? o.pos[1] : NULL;
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    char tmp[4200];
    FILE *out = stdout;
    pu_err err;
    pu_err_clear(&err);
    if (file) {
        if (pu_snprintf(tmp, sizeof tmp, "%s.tmp", file) || !(out = fopen(tmp, "wb"))) {
            store_close(st);
            pu_fail(&err, PU_ERR_IO, file, NULL, "cannot write: %s", strerror(errno));
            return cli_fail(&err);
        }
    }
    store_scope sc;
    scope_of(&o, &sc);
    store_query q = {.schema = o.schema, .dataset = o.dataset};
    int64_t n = 0;
    rc = store_export_ftm(st, &sc, &q, !o.plain, out, &n, &err);
    store_close(st);
    if (file) {
        if (fclose(out) != 0 && !rc) rc = pu_fail(&err, PU_ERR_IO, file, NULL, "cannot write: %s", strerror(errno));
        if (!rc && rename(tmp, file) != 0) rc = pu_fail(&err, PU_ERR_IO, file, NULL, "cannot rename: %s", strerror(errno));
        if (rc) unlink(tmp);
    }
    if (rc) return cli_fail(&err);
    if (file) fprintf(stderr, T("export ftm: %lld entities to %s\n"), (long long)n, file);
    else fprintf(stderr, T("export ftm: %lld entities\n"), (long long)n);
    return 0;
}

static int print_entity(const ftm_entity *e, int pretty) {
    char *js;
    if (ftm_entity_to_json(e, 1, &js)) return 1;
    if (pretty) {
        json_t *root = json_loads(js, 0, NULL);
        char *p = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(root);
        if (p) {
            puts(p);
            free(p);
            free(js);
            return 0;
        }
    }
    puts(js);
    free(js);
    return 0;
}

int cmd_entity(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(ENTITY_HELP), stdout);
        return 0;
    }
    opts o;
    char allowed[128];
    snprintf(allowed, sizeof allowed, "%d,%d,%d,%d,", O_DB, O_PRETTY, O_AGENCY, O_COUNTRY);
    int rc = parse("entity", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos != 2 || strcmp(o.pos[0], "get") != 0) return cli_usage_error("entity", "expected 'get ID'");
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    store_scope sc;
    scope_of(&o, &sc);
    ftm_entity *e;
    pu_err err;
    pu_err_clear(&err);
    rc = store_get(st, &sc, o.pos[1], &e, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    rc = print_entity(e, o.pretty);
    ftm_entity_free(e);
    return rc;
}

int cmd_stats(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(T(STATS_HELP), stdout);
        return 0;
    }
    opts o;
    char allowed[128];
    snprintf(allowed, sizeof allowed, "%d,%d,%d,%d,", O_DB, O_JSON, O_AGENCY, O_COUNTRY);
    int rc = parse("stats", argc, argv, allowed, &o);
    if (rc) return rc;
    if (o.npos) return cli_usage_error("stats", "unexpected argument '%s'", o.pos[0]);
    store_t *st;
    if ((rc = cli_open_store_existing(o.db, &st))) return rc;
    store_scope sc;
    scope_of(&o, &sc);
    store_stats *s;
    pu_err err;
    pu_err_clear(&err);
    rc = store_stats_get(st, &sc, &s, &err);
    store_close(st);
    if (rc) return cli_fail(&err);
    if (o.json) {
        json_t *schemata = json_object();
        for (size_t i = 0; i < s->n; i++) json_object_set_new(schemata, s->schema[i], json_integer(s->count[i]));
        json_t *root = json_pack("{s:s, s:I, s:o}", "store", cli_db_path(o.db), "total", (json_int_t)s->total,
                                 "schemata", schemata);
        char *txt = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (txt) puts(txt);
        free(txt);
        json_decref(root);
    } else {
        printf(T("store: %s\n"), cli_db_path(o.db));
        for (size_t i = 0; i < s->n; i++) printf("  %-16s %10lld\n", s->schema[i], (long long)s->count[i]);
        printf("  %-16s %10lld\n", T("total"), (long long)s->total);
    }
    store_stats_free(s);
    return 0;
}
