/*
 * main.c - `puente` entry point: dispatches to the subcommands that the
 * modules register (src/app/modules.c). It keeps no list of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "i18n/i18n.h"

/* The catalogue's text of key in the CLI's language (src/i18n). */
static const char *tr(const char *key) { return i18n_get(i18n_cli(), key); }

static void usage(FILE *out) {
    fprintf(out, "%s\n\n%s\n\n%s\n", tr("cli.usage"), tr("cli.about"), tr("cli.commands"));
    for (const app_module *const *m = app_modules(); *m; m++)
        for (size_t i = 0; i < (*m)->ncommands; i++)
            fprintf(out, "  %-10s %s\n", (*m)->commands[i].name, (*m)->commands[i].summary);
    fprintf(out, "\n%s\n%s\n", tr("cli.footer"), tr("cli.exit_codes"));
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

int main(int argc, char **argv) {
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
        return 0;
    }
    const app_command *c = app_command_find(argv[1]);
    if (c) return c->run(argc - 1, argv + 1);
    say_with("cli.unknown_command", argv[1]);
    return CLI_EXIT_USAGE;
}
