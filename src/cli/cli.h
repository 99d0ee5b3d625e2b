/*
 * cli.h - shared helpers for the `puente` subcommands (src/cli/cmd_*.c).
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` where argv[0] is the
 * subcommand name; it returns a process exit code (docs/CLI.md):
 *   0 ok; 1 runtime/store failure; 2 usage error; 3 invalid input data;
 *   4 not found; 5 permission denied; 6 conflict; 130 interrupted.
 * Commands parse options with getopt_long, print --help to stdout, errors to
 * stderr as "puente: file:line: field 'x': message".
 */
#ifndef PU_CLI_H
#define PU_CLI_H

#include <getopt.h>
#include "common/pu.h"
#include "store/store.h"

#define CLI_EXIT_USAGE 2

/* The CLI's text or printf format in the CLI's language: T("...") around
 * every message for people (usage texts, status lines, summaries), never
 * around output for programs (CSV, JSON, TSV, ids). The English literal is
 * the message id; src/i18n/es.po gives its Spanish (docs/web.md
 * "Languages"); tests/i18n/extract.py finds every T(), pu_fail and
 * cli_usage_error format in src/ and lists those without Spanish. */
#define T(msgid) pu_tr(msgid)

/* The subcommands (src/cli/cmd_*.c), registered by their modules in
 * src/app/modules.c. Each takes argv[0] = its name and returns an exit code. */
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_entity(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_agency(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_kinship(int argc, char **argv);
int cmd_ews(int argc, char **argv);
int cmd_cargo(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_federation(int argc, char **argv);
int cmd_tip(int argc, char **argv);
int cmd_protect(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_warrant(int argc, char **argv);
int cmd_extradition(int argc, char **argv);
int cmd_indicator(int argc, char **argv);   /* cmd_indicator.c */
int cmd_report(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_xref(int argc, char **argv);
/* May this invocation read the tip line's records (graph, resolve, xref)? The
 * operator's system scope, or an account (--user) with the tips permission;
 * a bare --agency/--country names no role, so no (cmd_resolve.c). */
int cli_may_read_tips(int system_scope);
int cmd_lists(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_ownership(int argc, char **argv);

/* The store path: `opt` if non-NULL, else $PUENTE_DB, else "puente.db". */
const char *cli_db_path(const char *opt);
/* The audit journal of the store db_path (docs/audit.md, "The journal"):
 * `opt` if non-empty, else $PUENTE_AUDIT_JOURNAL if non-empty, else, for an
 * SQLite store file, "<db_path>-audit.journal" next to it (the one place
 * where that default is made). The value "commit" (serve's mode without a
 * journal) is passed through as is. A store that is not a file (":memory:",
 * a `scheme://` URI) has no default: the path must be given.
 * Writes the path into out (size bytes).
 * Errors: PU_ERR_INVALID (no path for a non-file store; field
 * "audit-journal"), PU_ERR_LIMIT (does not fit in size). */
int cli_audit_journal_path(const char *opt, const char *db_path, char *out, size_t size, pu_err *err);
/* The audit anchor file of the store (docs/audit.md, "Anchors"): `opt` if
 * non-empty, else $PUENTE_AUDIT_ANCHORS, else "<db_path>-audit.anchors" for
 * an SQLite store file; "" (no anchors) for a store that is not a file
 * without a path given. Errors: PU_ERR_LIMIT. */
int cli_audit_anchor_path(const char *opt, const char *db_path, char *out, size_t size, pu_err *err);
/* 1 if argv (after argv[0]) contains -h or --help. */
int cli_wants_help(int argc, char **argv);
/* Print "puente: usage error: <msg>; see 'puente <cmd> --help'" and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print err and return its exit code. */
int cli_fail(const pu_err *err);
/* Parse a double/integer option value; prints a usage error on failure. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *s, long *out);

/* Open the store at cli_db_path(db_opt) (creating and migrating it if
 * needed). Returns 0 with *out set (the caller closes it with store_close),
 * or prints the error and returns its exit code with *out = NULL. */
int cli_open_store(const char *db_opt, store_t **out);

/* Open an EXISTING store for a command that only reads (screen, export,
 * stats, entity get, review list): a path that does not exist is refused
 * ("no store at 'typo.db'"), never created as an empty store whose answer
 * ("no hits") would look like a real one. Otherwise like cli_open_store.
 * Exit codes: 1 (no such store / store failure). */
int cli_open_store_existing(const char *db_opt, store_t **out);

/* The value of option `name` in argv[1..argc) ("--name V" or "--name=V"),
 * before any "--", without parsing the command's other options (for the
 * dispatcher and the audit of an invocation); NULL when absent. */
const char *cli_opt_value(int argc, char **argv, const char *name);

/* ---- the reader's scope: one convention for every command -------------
 * `--agency A --country C` (C is US or MX, any case) makes a command read
 * and write as a user of agency A would; both or neither. Without them the
 * command runs as the operator of the store file (STORE_SYSTEM): it sees
 * everything, as the importers do. docs/CLI.md "Reader scope". */
#define CLI_SCOPE_HELP                                                                           \
    "  --agency A --country C   act as a user of agency A of country C (US or MX): see and\n"     \
    "                           change only what that user may (default: the store operator,\n"  \
    "                           who sees everything)\n"
typedef struct cli_scope {
    store_scope scope;  /* points into the arrays below, or is STORE_SYSTEM's copy */
    char agency[32];
    char country[3];
} cli_scope;
/* Fill out from the two option values (NULL when absent). Returns 0, or
 * prints a usage error naming cmd and returns CLI_EXIT_USAGE. */
int cli_scope_parse(const char *cmd, const char *agency, const char *country, cli_scope *out);

/* ---- the operator and the audit entry of a command (cli_audit.c) ----
 * Every command invocation is audited once, centrally (main.c), like an API
 * request: component "cli", the operator, the agency, action
 * "cli.<command>[.<sub>]", the positional arguments as targets, the options
 * (secret values masked) and the exit code as detail, the outcome from the
 * exit code. The operator is the OS user ("cli:<login>"), or, after
 * `puente --user NAME <command>`, the account NAME authenticated with its
 * password ($PUENTE_PASSWORD or asked on the terminal): its agency is then
 * the reader scope of every command (cli_scope_parse), and --agency naming
 * another agency is refused. docs/audit.md "The CLI". */
typedef struct cli_operator {
    int authenticated;      /* 1: --user NAME logged in */
    char user[96];          /* account name, or "cli:<os login>" */
    char agency[32];
    char country[3];
    char role[32];
    unsigned perms;
} cli_operator;
/* The process's operator (never NULL; the OS user until a login). */
const cli_operator *cli_operator_get(void);
/* Authenticate account `name` against the store at db_path (migrated
 * first) with its password; the login is audited (failures attributed to
 * the account's agency when the name exists) and leaves no session behind.
 * Errors: PU_ERR_DENIED (login failed: unknown, wrong password, locked,
 * disabled - one message), PU_ERR_INVALID (no password available),
 * PU_ERR_DB. */
int cli_operator_login(const char *name, const char *db_path, pu_err *err);
/* May the operator run the command argv[0] with its arguments? The OS
 * operator may run everything; an account (--user) needs its role's
 * permission for the command (export: ACL_P_EXPORT, audit: ACL_P_AUDIT,
 * user/agency/token: ACL_P_ADMIN, ...) and, where a command both reads and
 * writes, for its subcommand (cargo dispose, ews alerts ack, trace request
 * submit...: ACL_P_WRITE, as the API's routes). Errors: PU_ERR_DENIED. */
int cli_operator_may(int argc, char **argv, pu_err *err);
/* The arguments of a scoped command (export, entity, stats, import, screen,
 * compare, review, ews, cargo, trace, tip) for an account (--user): its own
 * --agency/--country added when absent; another agency or country is
 * PU_ERR_DENIED. argv[0] is the command. *out_argv is argv itself or a new
 * array the caller frees (free(), not its strings). Errors: PU_ERR_DENIED,
 * PU_ERR_INVALID (one of the two given), PU_ERR_NOMEM. */
int cli_operator_scope_args(int argc, char **argv, int *out_argc, char ***out_argv, pu_err *err);
/* Write the audit entry of the invocation argv[0..argc) (argv[0] = the
 * command) that ended with exit code `code`, into the store named by its
 * --db option ($PUENTE_DB, ./puente.db) when that store exists (a command
 * that touched no store leaves no entry; `serve` audits itself; --help is
 * not audited). Returns code, or a failure code when the entry could not be
 * written (fail closed: the caller exits non-zero). */
int cli_audit_invocation(int argc, char **argv, int code);

#endif
