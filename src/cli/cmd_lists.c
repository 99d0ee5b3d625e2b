/* cmd_lists.c - `puente lists sources|update|versions|diff` (src/lists,
 * docs/lists.md): the thin shell over the lists engine. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/pu_io.h"
#include "common/pu_report.h"
#include "lists/lists.h"

static int usage(FILE *f) {
    fputs(T("usage: puente lists sources add NAME --format F --location L [--dataset D]\n"
            "                        [--topics T] [--shrink S] [--mapping FILE]\n"
            "       puente lists sources list [--json]\n"
            "       puente lists update [--source S] [--file PATH] [--force]\n"
            "       puente lists versions [--source S] [--json]\n"
            "       puente lists diff V1 [V2] [--format csv|json|text]\n"
            "Designation lists as sources, each load a version with its delta (docs/lists.md).\n"
            "  sources add   configure a source: F is ofac_csv, ofac_xml, un_xml, eu_xml, eu_csv,\n"
            "                uk_csv, uk_xml, generic_csv or ftm; L a file path (ofac_csv: a directory) or\n"
            "                an http(s):// or file:// URL; D the dataset (default NAME); T the\n"
            "                FtM topics of its entities, comma-separated (default sanction); S the\n"
            "                largest share of the dataset one update may remove (default 0.10);\n"
            "                FILE the column mapping of generic_csv\n"
            "  update        fetch, validate and load every source (or S): a malformed or cut-off\n"
            "                file, or a shrink over the source's share, is refused (exit 3) and\n"
            "                the previous version kept; --force loads past the shrink guard;\n"
            "                --file loads PATH instead of the source's location\n"
            "  versions      the loaded versions, newest first\n"
            "  diff          the entities added, removed and changed from V1 to V2 (one\n"
            "                version: against its predecessor)\n"
            "  --db PATH     the store (default $PUENTE_DB, else puente.db)\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

typedef struct opts {
    const char *db, *format, *location, *dataset, *topics, *mapping, *source, *file, *out_format;
    double shrink;
    int force, json;
    char *pos[4];
    int npos;
} opts;

static int parse(int argc, char **argv, opts *o) {
    static const struct option lo[] = {
        {"db", 1, 0, 'd'},      {"format", 1, 0, 'f'}, {"location", 1, 0, 'l'}, {"dataset", 1, 0, 'D'},
        {"topics", 1, 0, 't'},  {"mapping", 1, 0, 'm'}, {"shrink", 1, 0, 's'},  {"source", 1, 0, 'S'},
        {"file", 1, 0, 'F'},    {"force", 0, 0, 'x'},  {"json", 0, 0, 'j'},     {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->shrink = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'f': o->format = optarg; break;
        case 'l': o->location = optarg; break;
        case 'D': o->dataset = optarg; break;
        case 't': o->topics = optarg; break;
        case 'm': o->mapping = optarg; break;
        case 's':
            if (cli_parse_double("lists", "--shrink", optarg, &o->shrink)) return CLI_EXIT_USAGE;
            break;
        case 'S': o->source = optarg; break;
        case 'F': o->file = optarg; break;
        case 'x': o->force = 1; break;
        case 'j': o->json = 1; break;
        case 'h': return usage(stdout) == 0 ? -1 : CLI_EXIT_USAGE;
        default: return cli_usage_error("lists", "unknown option '%s'", argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == 4) return cli_usage_error("lists", "too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

/* ---- sources ---- */

static void copy(char *dst, size_t size, const char *s) { pu_strlcpy(dst, s ? s : "", size); }

static int sources_add(const opts *o, store_t *st) {
    if (o->npos != 3) return cli_usage_error("lists", "expected 'sources add NAME'");
    if (!o->format || !o->location) return cli_usage_error("lists", "sources add needs --format and --location");
    lists_source s;
    memset(&s, 0, sizeof s);
    copy(s.name, sizeof s.name, o->pos[2]);
    copy(s.format, sizeof s.format, o->format);
    copy(s.location, sizeof s.location, o->location);
    copy(s.dataset, sizeof s.dataset, o->dataset);
    copy(s.topics, sizeof s.topics, o->topics);
    copy(s.mapping, sizeof s.mapping, o->mapping);
    s.shrink = o->shrink;
    pu_err err;
    if (lists_source_add(store_db(st), &s, &err)) return cli_fail(&err);
    printf(T("source %s: %s from %s\n"), s.name, s.format, s.location);
    return 0;
}

static int print_source(const lists_source *s, void *ctx) {
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s}", "name", s->name, "format",
                                             s->format, "location", s->location, "dataset", s->dataset, "topics",
                                             s->topics, "mapping", s->mapping, "shrink", s->shrink, "created",
                                             s->created));
    } else {
        printf("%-16s %-12s %-20s %-16s %4.0f%%  %s\n", s->name, s->format, s->dataset, s->topics, s->shrink * 100,
               s->location);
    }
    return 0;
}

static int sources_list(const opts *o, store_t *st) {
    json_t *arr = o->json ? json_array() : NULL;
    pu_err err;
    int rc = lists_source_list(store_db(st), print_source, arr, &err);
    if (!rc && arr) {
        json_dumpf(arr, stdout, JSON_INDENT(1));
        fputc('\n', stdout);
    }
    json_decref(arr);
    return rc ? cli_fail(&err) : 0;
}

/* ---- update ---- */

static void print_version(const lists_version *v) {
    printf(T("%s: version %lld (published %s): %lld entities, %lld added, %lld removed, %lld changed%s\n"), v->source,
           (long long)v->id, v->published[0] ? v->published : "-", (long long)v->entities, (long long)v->added,
           (long long)v->removed, (long long)v->changed, v->forced ? T(" (forced)") : "");
}

typedef struct upd_ctx {
    store_t *st;
    const opts *o;
    int code;
} upd_ctx;

static int update_one(const lists_source *s, void *vctx) {
    upd_ctx *c = vctx;
    lists_update_opts uo = {c->o->force, c->o->file, stderr};
    lists_version v;
    pu_err err;
    if (lists_update(c->st, s, &uo, &v, &err)) {
        int code = cli_fail(&err);
        if (!c->code) c->code = code;
        fprintf(stderr, T("puente: lists: %s not updated; its previous version stays in force\n"), s->name);
        return 0; /* the other sources are still updated */
    }
    print_version(&v);
    char label[96];
    snprintf(label, sizeof label, "lists update %s", s->name);
    pu_report r;
    lists_version_report(&v, label, &r);
    pu_report_print(&r, stderr); /* the import summary (docs/input.md) */
    int code = pu_report_exit(&r); /* some records of the file skipped: partial (7) */
    pu_report_free(&r);
    if (code && !c->code) c->code = code;
    return 0;
}

static int update(const opts *o, store_t *st) {
    upd_ctx c = {st, o, 0};
    pu_err err;
    if (o->source) {
        lists_source s;
        if (lists_source_get(store_db(st), o->source, &s, &err)) return cli_fail(&err);
        update_one(&s, &c);
        return c.code;
    }
    if (o->file) return cli_usage_error("lists", "--file needs --source");
    if (lists_source_list(store_db(st), update_one, &c, &err)) return cli_fail(&err);
    return c.code;
}

/* ---- versions and diff ---- */

static int on_version(const lists_version *v, void *ctx) {
    json_t *arr = ctx;
    if (!arr) {
        printf("%6lld  %-16s %-10s %-20s %7lld  +%-5lld -%-5lld ~%-5lld %s%s\n", (long long)v->id, v->source,
               v->published[0] ? v->published : "-", v->fetched, (long long)v->entities, (long long)v->added,
               (long long)v->removed, (long long)v->changed, v->sha256, v->forced ? " forced" : "");
        return 0;
    }
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b}", "id",
                                         (json_int_t)v->id, "source", v->source, "dataset", v->dataset, "published",
                                         v->published, "fetched", v->fetched, "sha256", v->sha256, "entities",
                                         (json_int_t)v->entities, "added", (json_int_t)v->added, "removed",
                                         (json_int_t)v->removed, "changed", (json_int_t)v->changed, "forced",
                                         v->forced));
    return 0;
}

static int versions(const opts *o, store_t *st) {
    json_t *arr = o->json ? json_array() : NULL;
    if (!arr) printf("%6s  %-16s %-10s %-20s %7s  %s\n", "id", T("source"), T("published"), T("fetched"), T("entities"),
                     T("delta / sha256"));
    pu_err err;
    int rc = lists_versions(store_db(st), o->source, on_version, arr, &err);
    if (!rc && arr) {
        json_dumpf(arr, stdout, JSON_INDENT(1));
        fputc('\n', stdout);
    }
    json_decref(arr);
    return rc ? cli_fail(&err) : 0;
}

static int version_arg(const char *s, int64_t *out) {
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0) return cli_usage_error("lists", "expected a version id, got '%s'", s);
    *out = v;
    return 0;
}

static int diff(const opts *o, store_t *st) {
    if (o->npos < 2 || o->npos > 3) return cli_usage_error("lists", "expected 'diff V1 [V2]'");
    int64_t a = 0, b = 0;
    if (version_arg(o->pos[1], &a) || (o->npos == 3 && version_arg(o->pos[2], &b))) return CLI_EXIT_USAGE;
    if (o->npos == 2) b = a, a = 0;
    pu_err err;
    if (lists_write_diff(store_db(st), a, b, o->format ? o->format : "text", stdout, &err)) return cli_fail(&err);
    return 0;
}

int cmd_lists(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    if (o.npos == 0) return usage(stderr);
    const char *sub = o.pos[0];
    int src = strcmp(sub, "sources") == 0;
    if (src && (o.npos < 2 || (strcmp(o.pos[1], "add") != 0 && strcmp(o.pos[1], "list") != 0)))
        return cli_usage_error("lists", "expected 'sources add' or 'sources list'");
    if (!src && strcmp(sub, "update") && strcmp(sub, "versions") && strcmp(sub, "diff"))
        return cli_usage_error("lists", "unknown subcommand '%s' (expected sources, update, versions or diff)", sub);
    store_t *st = NULL;
    int write = src ? strcmp(o.pos[1], "add") == 0 : strcmp(sub, "update") == 0;
    if ((rc = write ? cli_open_store(o.db, &st) : cli_open_store_existing(o.db, &st))) return rc;
    if (src) rc = strcmp(o.pos[1], "add") == 0 ? sources_add(&o, st) : sources_list(&o, st);
    else if (strcmp(sub, "update") == 0) rc = update(&o, st);
    else if (strcmp(sub, "versions") == 0) rc = versions(&o, st);
    else rc = diff(&o, st);
    store_close(st);
    return rc;
}
