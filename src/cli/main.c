/*
 * main.c - `puente` entry point: dispatches to the subcommands that the
 * modules register (src/app/modules.c). It keeps no list of its own.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"

static void usage(FILE *out) {
    fputs("usage: puente [--version] <command> [options]\n\n"
          "Puente: shared information system of the US-Mexico Bicentennial Framework.\n\n"
          "Commands:\n", out);
    for (const app_module *const *m = app_modules(); *m; m++)
        for (size_t i = 0; i < (*m)->ncommands; i++)
            fprintf(out, "  %-10s %s\n", (*m)->commands[i].name, (*m)->commands[i].summary);
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
    const app_command *c = app_command_find(argv[1]);
    if (c) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "puente: unknown command '%s'; see 'puente --help'\n", argv[1]);
    return CLI_EXIT_USAGE;
}
