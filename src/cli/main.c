/*
 * main.c - `puente` entry point: dispatches to subcommands.
 *
 * Handlers are declared weak so that a command whose module is not built is
 * reported as unavailable instead of breaking the link; each module's
 * src/cli/cmd_<module>.c defines its handlers.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef int (*cmd_fn)(int argc, char **argv);

#define CMD(name) extern int cmd_##name(int argc, char **argv) __attribute__((weak));
CMD(import) CMD(export) CMD(entity) CMD(stats)
CMD(screen) CMD(compare) CMD(review)
CMD(serve) CMD(agency) CMD(user) CMD(token) CMD(audit)
CMD(kinship) CMD(ews) CMD(cargo) CMD(trace) CMD(tip) CMD(network) CMD(impact) CMD(demo)
#undef CMD

static const struct {
    const char *name;
    cmd_fn fn;
    const char *summary;
} commands[] = {
    {"import", cmd_import, "import designation lists (OFAC CSV) or FtM JSON lines"},
    {"export", cmd_export, "export entities as FtM JSON lines"},
    {"entity", cmd_entity, "show one entity"},
    {"stats", cmd_stats, "counts per schema in the store"},
    {"screen", cmd_screen, "screen a batch of names against designated entities"},
    {"compare", cmd_compare, "score two names against each other"},
    {"review", cmd_review, "record reviewed screening decisions (false positives)"},
    {"serve", cmd_serve, "run the HTTP API server"},
    {"agency", cmd_agency, "manage agencies"},
    {"user", cmd_user, "manage users"},
    {"token", cmd_token, "create API tokens"},
    {"audit", cmd_audit, "verify and export the audit trail"},
    {"kinship", cmd_kinship, "DNA kinship likelihood ratios and DVI"},
    {"ews", cmd_ews, "early warning for emerging drugs"},
    {"cargo", cmd_cargo, "cargo targeting of inbound manifests"},
    {"trace", cmd_trace, "firearms tracing"},
    {"tip", cmd_tip, "anonymous tip line"},
    {"network", cmd_network, "link analysis"},
    {"impact", cmd_impact, "framework indicators"},
    {"demo", cmd_demo, "load demo data"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fputs("usage: puente [--version] <command> [options]\n\n"
          "Puente: shared information system of the US-Mexico Bicentennial Framework.\n\n"
          "Commands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].fn) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nEvery command takes --help. The store is --db PATH, else $PUENTE_DB, else ./puente.db.\n"
          "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 not found, 5 denied, 6 conflict.\n",
          out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("puente %s\n", PUENTE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        if (!commands[i].fn) {
            fprintf(stderr, "puente: command '%s' is not available in this build\n", argv[1]);
            return 1;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "puente: unknown command '%s'; see 'puente --help'\n", argv[1]);
    return CLI_EXIT_USAGE;
}
