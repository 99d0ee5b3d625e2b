/* cmd_graph.c - `puente graph`: the thin CLI over src/graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "graph/graph.h"
#include "i18n/i18n.h"

static const char *USAGE =
    "usage: puente graph <subcommand> [options]\n"
    "\n"
    "The network of every engine's records as the reader may see it (libigraph).\n"
    "Nodes are named kind:ref (entity:ID, resolved:..., dealer:FFL, firearm:ID, recovery:NUMBER,\n"
    "cargo.party:NAME, address:A, phone:DIGITS, tip:ID, tip.mention:ID); a bare id is a store entity.\n"
    "\n"
    "Subcommands:\n"
    "  expand NODE [--hops N] [--offset N] [--limit N]   neighbours within N hops (default 1)\n"
    "  path A B                                   a shortest path, with the ids of its nodes\n"
    "  paths A B [--hops K]                       every path of at most K edges (default 3)\n"
    "  network NODE NODE...                       the connecting network of a set\n"
    "  components [--top N]                       connected components, largest first\n"
    "  communities [--top N] [--resolution G]     communities (Leiden, modularity; G > 1: smaller ones)\n"
    "  centrality [MEASURE] [--measure degree|betweenness|pagerank|kcore] [--k K] [--top N]\n"
    "             [--samples K | --cutoff C]\n"
    "                                             (--k: the k-core, nodes of coreness K or more;\n"
    "                                             betweenness: exact up to 5000 nodes, else estimated\n"
    "                                             from 256 sampled sources; --samples K: from K sources,\n"
    "                                             exact when K >= the nodes; --cutoff C: instead only\n"
    "                                             paths of at most C hops, a local measure)\n"
    "  export [--format graphml|ftm] [NODE...]    the nodes (default all) and their edges\n"
    "  save NAME NODE... [--diagram] [--marking M]   save an entity set (or a diagram)\n"
    "  sets                                       saved sets and diagrams\n"
    "  set ID                                     the nodes of a saved set\n"
    "\n"
    "Options:\n"
    "  --from DATE --to DATE    only edges dated within the window\n"
    "  --json                   JSON output\n"
    "  --db PATH                the store (default $PUENTE_DB or ./puente.db)\n" CLI_SCOPE_HELP;

#define MAX_ARGS 256
#define USAGE_RC (-1)   /* a usage error already printed (PU_ERR_* codes are positive) */

typedef struct opts {
    const char *db, *agency, *country, *from, *to, *measure, *format, *marking;
    long hops, offset, limit, top, cutoff, k, samples;
    double resolution;
    int json, diagram, nargs;
    const char *args[MAX_ARGS];
    cli_scope sc;
} opts;

static int parse(int argc, char **argv, opts *o) {
    memset(o, 0, sizeof *o);
    o->top = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **sv = NULL;
        long *lv = NULL;
        if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--diagram")) o->diagram = 1;
        else if (!strcmp(a, "--db")) sv = &o->db;
        else if (!strcmp(a, "--agency")) sv = &o->agency;
        else if (!strcmp(a, "--country")) sv = &o->country;
        else if (!strcmp(a, "--from")) sv = &o->from;
        else if (!strcmp(a, "--to")) sv = &o->to;
        else if (!strcmp(a, "--measure")) sv = &o->measure;
        else if (!strcmp(a, "--format")) sv = &o->format;
        else if (!strcmp(a, "--marking")) sv = &o->marking;
        else if (!strcmp(a, "--hops")) lv = &o->hops;
        else if (!strcmp(a, "--offset")) lv = &o->offset;
        else if (!strcmp(a, "--limit")) lv = &o->limit;
        else if (!strcmp(a, "--top")) lv = &o->top;
        else if (!strcmp(a, "--cutoff")) lv = &o->cutoff;
        else if (!strcmp(a, "--k")) lv = &o->k;
        else if (!strcmp(a, "--samples")) lv = &o->samples;
        else if (!strcmp(a, "--resolution")) {
            if (i + 1 >= argc) return cli_usage_error("graph", "%s expects a value", a);
            if (cli_parse_double("graph", a, argv[++i], &o->resolution)) return CLI_EXIT_USAGE;
            if (!(o->resolution > 0)) return cli_usage_error("graph", "%s must be above 0", a);
            continue;
        }
        else if (a[0] == '-' && a[1] == '-') return cli_usage_error("graph", "unknown option '%s'", a);
        else if (o->nargs == MAX_ARGS) return cli_usage_error("graph", "too many arguments");
        else o->args[o->nargs++] = a;
        if ((sv || lv) && i + 1 >= argc) return cli_usage_error("graph", "%s expects a value", a);
        if (sv) *sv = argv[++i];
        if (lv) {
            if (cli_parse_long("graph", a, argv[++i], lv)) return CLI_EXIT_USAGE;
            if (*lv < 0) return cli_usage_error("graph", "%s must not be negative", a);
        }
    }
    return cli_scope_parse("graph", o->agency, o->country, &o->sc);
}

static int need(const opts *o, int n, const char *what) {
    if (o->nargs - 1 < n) {
        cli_usage_error("graph", "expected %s", what);
        return 1;
    }
    return 0;
}

static int sets_cmd(store_t *st, const opts *o, const char *sub, pu_buf *out, pu_err *err) {
    db_t *db = store_db(st);
    if (!strcmp(sub, "sets") || !strcmp(sub, "set")) {
        int list = !strcmp(sub, "sets");
        long id = 0;
        if (!list && need(o, 1, "a set id")) return USAGE_RC;
        if (!list && cli_parse_long("graph", "ID", o->args[1], &id)) return USAGE_RC;
        /* a set shows only the nodes of the reader's own graph (graph.h) */
        graph *g = NULL;
        graph_opts go = {o->from, o->to, cli_may_read_tips(o->sc.scope.system)};
        int rc = graph_load(db, st, &o->sc.scope, &go, &g, err);
        if (!rc) rc = list ? graph_set_list(db, &o->sc.scope, g, out, err) : graph_set_get(db, &o->sc.scope, g, id, out, err);
        graph_free(g);
        return rc;
    }
    if (need(o, 2, "NAME NODE...")) return USAGE_RC;
    int64_t id = 0;
    int rc = graph_set_save(db, &o->sc.scope, o->diagram ? "diagram" : "set", o->args[1], o->args + 2,
                            (size_t)o->nargs - 2, NULL, o->marking, &id, err);
    if (!rc) pu_buf_printf(out, o->diagram ? T("saved diagram %lld\n") : T("saved set %lld\n"), (long long)id);
    return rc;
}

static int op(const graph *g, const opts *o, const char *sub, pu_buf *out, pu_err *err) {
    if (!strcmp(sub, "expand")) {
        if (need(o, 1, "a node")) return USAGE_RC;
        return graph_expand(g, o->args[1], (int)o->hops, (size_t)o->offset, (size_t)o->limit, o->json, out, err);
    }
    if (!strcmp(sub, "path") || !strcmp(sub, "paths")) {
        if (need(o, 2, "two nodes")) return USAGE_RC;
        return sub[4] ? graph_paths(g, o->args[1], o->args[2], (int)o->hops, o->json, out, err)
                      : graph_path(g, o->args[1], o->args[2], o->json, out, err);
    }
    if (!strcmp(sub, "network")) {
        if (need(o, 2, "two or more nodes")) return USAGE_RC;
        return graph_network(g, o->args + 1, (size_t)o->nargs - 1, o->json, out, err);
    }
    if (!strcmp(sub, "components")) return graph_components(g, (size_t)o->top, o->json, out, err);
    if (!strcmp(sub, "communities")) return graph_communities(g, (size_t)o->top, o->resolution, o->json, out, err);
    if (!strcmp(sub, "centrality")) {
        /* the measure by --measure or as the one argument: `centrality betweenness` */
        const char *m = o->measure ? o->measure : o->nargs > 1 ? o->args[1] : "degree";
        if (o->nargs > 2 || (o->measure && o->nargs > 1)) {
            cli_usage_error("graph", "centrality takes one measure");
            return USAGE_RC;
        }
        if (o->k && strcmp(m, "kcore")) {
            cli_usage_error("graph", "--k applies to --measure kcore only");
            return USAGE_RC;
        }
        if ((o->samples || o->cutoff) && strcmp(m, "betweenness")) {
            cli_usage_error("graph", "--samples and --cutoff apply to betweenness only");
            return USAGE_RC;
        }
        if (o->samples && o->cutoff) {
            cli_usage_error("graph", "--samples and --cutoff are two methods of betweenness: give one of them");
            return USAGE_RC;
        }
        if (o->cutoff > GRAPH_BETWEENNESS_CUTOFF_MAX) {
            cli_usage_error("graph", "--cutoff expects 1 to %d hops", GRAPH_BETWEENNESS_CUTOFF_MAX);
            return USAGE_RC;
        }
        graph_betw b = {.samples = o->samples, .cutoff = (int)o->cutoff};
        return o->k ? graph_centrality_min(g, m, &b, (double)o->k, (size_t)o->top, o->json, out, err)
                    : graph_centrality(g, m, &b, (size_t)o->top, o->json, out, err);
    }
    if (!o->format || !strcmp(o->format, "graphml")) return graph_write_graphml(g, o->args + 1, (size_t)o->nargs - 1, out, err);
    if (!strcmp(o->format, "ftm")) return graph_write_ftm(g, o->args + 1, (size_t)o->nargs - 1, out, err);
    cli_usage_error("graph", "--format expects graphml or ftm, got '%s'", o->format);
    return USAGE_RC;
}

static int known(const char *sub) {
    static const char *const S[] = {"expand", "path", "paths", "network", "components", "communities",
                                    "centrality", "export", "save", "sets", "set", NULL};
    for (const char *const *s = S; *s; s++)
        if (!strcmp(*s, sub)) return 1;
    return 0;
}

int cmd_graph(int argc, char **argv) {
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(T(USAGE), argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    if (!o.nargs) return cli_usage_error("graph", "expected a subcommand");
    const char *sub = o.args[0];
    if (!known(sub)) return cli_usage_error("graph", "unknown command '%s'", sub);
    store_t *st = NULL;
    if ((rc = cli_open_store(o.db, &st))) return rc;
    pu_buf out = PU_BUF_INIT((size_t)1 << 30);
    pu_err err = {0};
    if (!strcmp(sub, "save") || !strcmp(sub, "sets") || !strcmp(sub, "set")) {
        rc = sets_cmd(st, &o, sub, &out, &err);
    } else {
        graph *g = NULL;
        graph_opts go = {o.from, o.to, cli_may_read_tips(o.sc.scope.system)};
        rc = graph_load(store_db(st), st, &o.sc.scope, &go, &g, &err);
        if (!rc) rc = op(g, &o, sub, &out, &err);
        graph_free(g);
    }
    store_close(st);
    if (rc == USAGE_RC) {
        pu_buf_free(&out);
        return CLI_EXIT_USAGE;
    }
    if (rc) pu_buf_free(&out);
    if (rc) return cli_fail(&err);
    fputs(pu_buf_str(&out), stdout);
    pu_buf_free(&out);
    return 0;
}
