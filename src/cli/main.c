/*
 * main.c - `puente` entry point: dispatches to the subcommands that the
 * modules register (src/app/modules.c). It keeps no list of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "store/store.h"

static void usage(FILE *out) {
    fputs("usage: puente [--version] [--user NAME] <command> [options]\n\n"
          "Puente: shared information system of the US-Mexico Bicentennial Framework.\n\n"
          "Commands:\n", out);
    for (const app_module *const *m = app_modules(); *m; m++)
        for (size_t i = 0; i < (*m)->ncommands; i++)
            fprintf(out, "  %-10s %s\n", (*m)->commands[i].name, (*m)->commands[i].summary);
    fputs("\nEvery command takes --help. The store is --db PATH, else $PUENTE_DB, else ./puente.db.\n"
          "--user NAME: act as that account (password from $PUENTE_PASSWORD or the terminal); its\n"
          "agency is the scope of the command. Every command is recorded in the audit trail.\n"
          "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 not found, 5 denied, 6 conflict.\n",
          out);
}

/* The value of option `name` ("--name V" or "--name=V") in argv[1..argc), or NULL. */
static const char *opt_value(int argc, char **argv, const char *name) {
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strncmp(argv[i], name, n) != 0) continue;
        if (argv[i][n] == '=') return argv[i] + n + 1;
        if (argv[i][n] == '\0' && i + 1 < argc) return argv[i + 1];
    }
    return NULL;
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
        printf("%s\naudit chain key: %s\n", store_seal_status(),
               audit_key_configured() ? "on" : "OFF (no $PUENTE_AUDIT_KEY_FILE / $PUENTE_AUDIT_KEY)");
        return 0;
    }
    /* `puente --user NAME <command>`: act as that account (cli_audit.c) */
    if (strcmp(argv[1], "--user") == 0) {
        if (argc < 4) {
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
        pu_err e;
        pu_err_clear(&e);
        const char *name = argv[2];
        argc -= 2;
        argv += 2;
        if (cli_operator_login(name, cli_db_path(opt_value(argc - 1, argv + 1, "--db")), &e) != PU_OK)
            return cli_fail(&e);
    }
    const app_command *c = app_command_find(argv[1]);
    /* one audit entry per invocation, with its outcome (docs/audit.md "The CLI") */
    if (c) {
        pu_err e;
        pu_err_clear(&e);
        int n = argc - 1;
        char **v = argv + 1;
        int code = cli_operator_may(c->name, &e) == PU_OK && cli_operator_scope_args(n, v, &n, &v, &e) == PU_OK
                       ? c->run(n, v)
                       : cli_fail(&e);
        code = cli_audit_invocation(n, v, code);
        if (v != argv + 1) free(v); /* the array cli_operator_scope_args made (its strings are argv's and the operator's) */
        return code;
    }
    fprintf(stderr, "puente: unknown command '%s'; see 'puente --help'\n", argv[1]);
    return CLI_EXIT_USAGE;
}
