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
#include "i18n/i18n.h"

/* The catalogue's text of key in the CLI's language (src/i18n). */
static const char *tr(const char *key) { return i18n_get(i18n_cli(), key); }

static void usage(FILE *out) {
    fprintf(out, "%s\n\n%s\n\n%s\n", tr("cli.usage"), tr("cli.about"), tr("cli.commands"));
    for (const app_module *const *m = app_modules(); *m; m++)
        for (size_t i = 0; i < (*m)->ncommands; i++)
            fprintf(out, "  %-10s %s\n", (*m)->commands[i].name, T((*m)->commands[i].summary));
    fprintf(out, "\n%s\n%s\n%s\n", tr("cli.footer"), tr("cli.user"), tr("cli.exit_codes"));
}

/* "{name}" of a catalogue text replaced by v, printed on stderr. */
static void say_with(const char *key, const char *v) {
    const char *t = tr(key), *p = strstr(t, "{name}");
    if (!p) fprintf(stderr, "%s\n", t);
    else fprintf(stderr, "%.*s%s%s\n", (int)(p - t), t, v, p + 6);
}

/* Take a leading --lang X / --lang=X off argv (the language of everything
 * the CLI says; else PUENTE_LANG, else LANG). Returns 0, or -1 after
 * refusing an unsupported language. */
static int take_lang(int *argc, char ***argv) {
    const char *flag = NULL;
    int skip = 0;
    if (*argc >= 2 && strncmp((*argv)[1], "--lang=", 7) == 0) {
        flag = (*argv)[1] + 7;
        skip = 1;
    } else if (*argc >= 3 && strcmp((*argv)[1], "--lang") == 0) {
        flag = (*argv)[2];
        skip = 2;
    }
    i18n_lang l;
    pu_err e;
    if (i18n_cli_lang(flag, &l, &e) != PU_OK) {
        say_with("cli.bad_lang", flag ? flag : getenv("PUENTE_LANG"));
        return -1;
    }
    i18n_set_cli(l);
    if (skip) {
        (*argv)[skip] = (*argv)[0];
        *argv += skip;
        *argc -= skip;
    }
    return 0;
}

/* Commands whose own --lang option chooses the language of what they show
 * (trace request fields|show, ews alerts and vocab): they keep the option
 * in their arguments as well. */
static const char *const KEEP_LANG_OPTION[] = {"ews", "trace"};

static int keeps_lang(const char *cmd) {
    for (size_t i = 0; i < sizeof KEEP_LANG_OPTION / sizeof KEEP_LANG_OPTION[0]; i++)
        if (strcmp(cmd, KEEP_LANG_OPTION[i]) == 0) return 1;
    return 0;
}

/* `puente CMD ... --lang X` (or --lang=X, before any "--"): the same choice
 * as `puente --lang X CMD`, so the language is chosen the same way in every
 * command. The option is taken out of argv[2..] (except for the commands of
 * KEEP_LANG_OPTION). Returns 0, or -1 after refusing an unsupported one. */
static int take_command_lang(int *argc, char **argv) {
    for (int i = 2; i < *argc && strcmp(argv[i], "--") != 0; i++) {
        int eq = strncmp(argv[i], "--lang=", 7) == 0, skip = eq ? 1 : 2;
        if (!eq && (strcmp(argv[i], "--lang") != 0 || i + 1 >= *argc)) continue;
        const char *flag = eq ? argv[i] + 7 : argv[i + 1];
        i18n_lang l;
        pu_err e;
        if (i18n_cli_lang(flag, &l, &e) != PU_OK) {
            say_with("cli.bad_lang", flag);
            return -1;
        }
        i18n_set_cli(l);
        if (keeps_lang(argv[1])) return 0;
        memmove(argv + i, argv + i + skip, (size_t)(*argc - i - skip + 1) * sizeof *argv);  /* with the final NULL */
        *argc -= skip;
        i--;
    }
    return 0;
}

int main(int argc, char **argv) {
    /* getopt's own messages are English (no setlocale): the commands say
     * "unknown option" themselves, in the CLI's language */
    opterr = 0;
    if (take_lang(&argc, &argv)) return CLI_EXIT_USAGE;
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
        printf(T("%s\naudit chain key: %s\n"), T(store_seal_status()),
               audit_key_configured() ? T("on") : T("OFF (no $PUENTE_AUDIT_KEY_FILE / $PUENTE_AUDIT_KEY)"));
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
        if (cli_operator_login(name, cli_db_path(cli_opt_value(argc - 1, argv + 1, "--db")), &e) != PU_OK)
            return cli_fail(&e);
    }
    const app_command *c = app_command_find(argv[1]);
    if (c && take_command_lang(&argc, argv)) return CLI_EXIT_USAGE;
    /* one audit entry per invocation, with its outcome (docs/audit.md "The CLI") */
    if (c) {
        pu_err e;
        pu_err_clear(&e);
        int n = argc - 1;
        char **v = argv + 1;
        int code = cli_operator_may(n, v, &e) == PU_OK && cli_operator_scope_args(n, v, &n, &v, &e) == PU_OK
                       ? c->run(n, v)
                       : cli_fail(&e);
        code = cli_audit_invocation(n, v, code);
        if (v != argv + 1) free(v); /* the array cli_operator_scope_args made (its strings are argv's and the operator's) */
        return code;
    }
    say_with("cli.unknown_command", argv[1]);
    return CLI_EXIT_USAGE;
}
