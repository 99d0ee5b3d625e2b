/* cli_audit.c - who runs the CLI (the OS user, or `puente --user NAME` with
 * a password) and one audit entry per command invocation (docs/audit.md,
 * "The CLI"). Done once here for every command, so each cmd_*.c stays a thin
 * shell; what engines record themselves (decisions, grants) comes on top. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "access/access.h"
#include "app/app.h"
#include "audit/audit.h"
#include "cli/cli.h"

static cli_operator op;   /* the process's operator (one per CLI process) */


static void os_user(char *out, size_t size) {
    struct passwd *pw = getpwuid(getuid());
    const char *u = pw ? pw->pw_name : getenv("USER");
    snprintf(out, size, "cli:%s", u && *u ? u : "unknown");
}

const cli_operator *cli_operator_get(void) {
    if (!op.user[0]) os_user(op.user, sizeof op.user);
    return &op;
}

/* The password: $PUENTE_PASSWORD (scripts), else asked on the terminal
 * without echo. */
static int read_password(char *out, size_t size, pu_err *err) {
    const char *env = getenv("PUENTE_PASSWORD");
    if (env && *env) {
        if (pu_strlcpy(out, env, size) >= size) return pu_fail(err, PU_ERR_INVALID, NULL, "password", "too long");
        return PU_OK;
    }
    if (!isatty(STDIN_FILENO))
        return pu_fail(err, PU_ERR_INVALID, NULL, "password",
                       "--user needs a password: set $PUENTE_PASSWORD or run on a terminal");
    struct termios old, quiet;
    int tty = tcgetattr(STDIN_FILENO, &old) == 0;
    fputs(T("password: "), stderr);
    fflush(stderr);
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(out, (int)size, stdin);
    if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (!got) return pu_fail(err, PU_ERR_INVALID, NULL, "password", "no password read");
    out[strcspn(out, "\r\n")] = '\0';
    return PU_OK;
}

/* The agency of an account name, for the audit entry of a failed login ("" when
 * the name is not an account). */
static void agency_of(db_t *db, const char *name, char *out, size_t size) {
    acl_principal p;
    pu_err e;
    out[0] = '\0';
    if (acl_user_get(db, name, &p, &e) == PU_OK) pu_strlcpy(out, p.agency, size);
}

int cli_operator_login(const char *name, const char *db_path, pu_err *err) {
    char pw[256];
    int rc = read_password(pw, sizeof pw, err);
    if (rc) return rc;
    db_t *db = NULL;
    if ((rc = db_open(db_path, NULL, &db, err)) == PU_OK) rc = app_migrate(db, err);
    acl_principal p;
    char session[ACL_SECRET_MAX];
    pu_err le;
    pu_err_clear(&le);
    /* the same login as the API's (lockout, second factor): the code of an
     * enrolled account comes from $PUENTE_OTP */
    const char *code = getenv("PUENTE_OTP");
    acl_login_req req = {name, pw, code && *code ? code : NULL, "cli", acl_now()};
    acl_logon_info info;
    int lrc = rc ? rc : acl_login2(db, &req, &p, &info, session, &le);
    if (lrc == PU_OK && p.pw_change)
        lrc = pu_fail(&le, PU_ERR_DENIED, NULL, "password_change",
                      "the password of %s was set by an administrator: change it first "
                      "(puente user change-password %s --password-stdin, or the web sign-in)", p.user, p.user);
    else if (lrc == PU_OK && p.mfa_pending)
        lrc = pu_fail(&le, PU_ERR_DENIED, NULL, "code",
                      "the role '%s' must use a second factor: enrol it, then give the code in $PUENTE_OTP", p.role);
    sodium_memzero(pw, sizeof pw);
    if (rc == PU_OK) {
        /* the login itself is audited like the API's, failures attributed to
         * the account's agency when the name is an account */
        char agency[ACL_ACRONYM_MAX], os[96], detail[256];
        agency_of(db, name, agency, sizeof agency);
        os_user(os, sizeof os);
        snprintf(detail, sizeof detail, "via the CLI as %s%s%s", os, lrc ? "; reason=" : "", lrc ? le.field : "");
        audit_event ev = {"cli", name, agency, "login", "", lrc ? pu_code_name(lrc) : "success", detail, "cli", NULL};
        pu_err ae;
        if (audit_append(db, &ev, &ae) != PU_OK && lrc == PU_OK) lrc = pu_fail(&le, ae.code, NULL, NULL, "%s", ae.msg);
        if (lrc == PU_OK) (void)acl_revoke(db, session, &ae); /* the CLI keeps no session */
    }
    db_close(db);
    if (rc) return rc;
    /* a refused password says no more than "login failed"; a missing second
     * factor after the right password may say what is missing */
    int say_why = lrc != PU_ERR_DENIED || strcmp(le.field, "code") == 0 || strcmp(le.field, "password_change") == 0;
    if (lrc) return pu_fail(err, lrc, NULL, "user", "%s", say_why ? le.msg : T("login failed"));
    memset(&op, 0, sizeof op);
    op.authenticated = 1;
    pu_strlcpy(op.user, p.user, sizeof op.user);
    pu_strlcpy(op.agency, p.agency, sizeof op.agency);
    pu_strlcpy(op.country, p.country, sizeof op.country);
    pu_strlcpy(op.role, p.role, sizeof op.role);
    op.perms = p.perms;
    return PU_OK;
}

/* The permission an account acting through --user needs for each command
 * (the same bits as the API's routes). A row names the command and, for
 * commands that both read and write, the subcommand words that change
 * records ("trace request submit" needs write like POST
 * /api/v1/trace/requests); the most specific matching row wins, and a
 * command not listed needs read. */
static const struct { const char *command, *sub, *verb; unsigned perm; } command_perms[] = {
    {"import", NULL, NULL, ACL_P_WRITE},    {"export", NULL, NULL, ACL_P_EXPORT},
    {"agency", NULL, NULL, ACL_P_ADMIN},    {"user", NULL, NULL, ACL_P_ADMIN},
    {"token", NULL, NULL, ACL_P_ADMIN},     {"audit", NULL, NULL, ACL_P_AUDIT},
    {"serve", NULL, NULL, ACL_P_ADMIN},     {"screen", NULL, NULL, ACL_P_SCREEN},
    {"compare", NULL, NULL, ACL_P_SCREEN},  {"review", NULL, NULL, ACL_P_REVIEW},
    {"kinship", NULL, NULL, ACL_P_FORENSIC}, {"federation", NULL, NULL, ACL_P_ADMIN},
    {"cargo", "screen", NULL, ACL_P_WRITE}, {"cargo", "dispose", NULL, ACL_P_WRITE},
    {"ews", "import", NULL, ACL_P_WRITE},   {"ews", "alerts", "ack", ACL_P_WRITE},
    {"ews", "alerts", "close", ACL_P_WRITE}, {"ews", "vocab", "load", ACL_P_WRITE},
    {"ews", "vocab", "add-synonym", ACL_P_WRITE}, {"ews", "queue", "resolve", ACL_P_WRITE},
    {"ews", "scan", NULL, ACL_P_WRITE},     {"trace", "import", NULL, ACL_P_WRITE},
    {"trace", "run", NULL, ACL_P_WRITE},    {"trace", "request", "submit", ACL_P_WRITE},
    {"trace", "request", "status", ACL_P_WRITE}, {"trace", "request", "pick", ACL_P_WRITE},
    {"tip", NULL, NULL, ACL_P_TIPS},
    {"protect", NULL, NULL, ACL_P_PROTECT},
    /* cases (docs/cases.md): every change needs write; membership is checked by the engine */
    {"case", "new", NULL, ACL_P_WRITE},     {"case", "status", NULL, ACL_P_WRITE},
    {"case", "member", NULL, ACL_P_WRITE},  {"case", "share", NULL, ACL_P_WRITE},
    {"case", "link", NULL, ACL_P_WRITE},    {"case", "note", NULL, ACL_P_WRITE},
    {"case", "event", NULL, ACL_P_WRITE},   {"case", "task", NULL, ACL_P_WRITE},
    {"case", "task-done", NULL, ACL_P_WRITE}, {"case", "subject", NULL, ACL_P_WRITE},
    {"case", "charge", NULL, ACL_P_WRITE},  {"case", "dispose", NULL, ACL_P_WRITE},
    {"case", "arrest", NULL, ACL_P_WRITE},  {"case", "notice", NULL, ACL_P_WRITE},
    {"case", "document", NULL, ACL_P_WRITE}, {"warrant", "add", NULL, ACL_P_WRITE},
    {"warrant", "status", NULL, ACL_P_WRITE}, {"warrant", "attempt", NULL, ACL_P_WRITE},
    {"extradition", "new", NULL, ACL_P_WRITE}, {"extradition", "stage", NULL, ACL_P_WRITE},
    {"indicator", "define", NULL, ACL_P_ADMIN}, {"indicator", "value", NULL, ACL_P_WRITE},
    {"resolve", "run", NULL, ACL_P_ADMIN}, {"resolve", "judge", NULL, ACL_P_WRITE}, {"resolve", "unjudge", NULL, ACL_P_WRITE},
    {"monitor", NULL, NULL, ACL_P_SCREEN}, {"monitor", "add", NULL, ACL_P_WRITE},
    {"monitor", "run", NULL, ACL_P_REVIEW}, {"monitor", "send", NULL, ACL_P_REVIEW},
    {"monitor", "assign", NULL, ACL_P_REVIEW}, {"monitor", "decide", NULL, ACL_P_REVIEW},
    {"monitor", "confirm", NULL, ACL_P_REVIEW}, {"ownership", NULL, NULL, ACL_P_SCREEN},
};

/* The n-th word of argv that is not an option (argv[0] = the command). */
static const char *nth_word(int argc, char **argv, int n) {
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        if (--n == 0) return argv[i];
    }
    return NULL;
}

int cli_operator_may(int argc, char **argv, pu_err *err) {
    if (!op.authenticated || argc < 1) return PU_OK; /* the OS operator runs the store */
    const char *command = argv[0], *sub = nth_word(argc, argv, 1), *verb = nth_word(argc, argv, 2);
    unsigned need = ACL_P_READ;
    int best = -1;
    for (size_t i = 0; i < sizeof command_perms / sizeof command_perms[0]; i++) {
        if (strcmp(command, command_perms[i].command) != 0) continue;
        if (command_perms[i].sub && (!sub || strcmp(sub, command_perms[i].sub) != 0)) continue;
        if (command_perms[i].verb && (!verb || strcmp(verb, command_perms[i].verb) != 0)) continue;
        int specific = (command_perms[i].sub != NULL) + (command_perms[i].verb != NULL);
        if (specific > best) best = specific, need = command_perms[i].perm;
    }
    if (op.perms & need) return PU_OK;
    return pu_fail(err, PU_ERR_DENIED, NULL, "user", "the role '%s' of %s does not allow '%s'", op.role, op.user,
                   command);
}

/* Commands that read or change records under a reader scope (--agency A
 * --country C). An account (--user) always runs them in its own scope: the
 * options are added when absent, and naming another agency or country is
 * refused. Without this an account would get the operator's system scope. */
static const char *const scoped_commands[] = {"export", "entity", "stats", "import", "screen", "compare",
                                              "review", "ews", "cargo", "trace", "tip", "case",
                                              "warrant", "extradition", "indicator", "report", "resolve", "graph",
                                              "xref", "monitor", "ownership", NULL};

int cli_operator_scope_args(int argc, char **argv, int *out_argc, char ***out_argv, pu_err *err) {
    *out_argc = argc;
    *out_argv = argv;
    if (!op.authenticated || argc < 1) return PU_OK;
    int scoped = 0;
    for (const char *const *c = scoped_commands; *c; c++) scoped |= strcmp(argv[0], *c) == 0;
    if (!scoped) return PU_OK;
    const char *ag = cli_opt_value(argc, argv, "--agency"), *co = cli_opt_value(argc, argv, "--country");
    if ((ag && !pu_strieq(ag, op.agency)) || (co && !pu_strieq(co, op.country)))
        return pu_fail(err, PU_ERR_DENIED, NULL, "agency", "the user %s belongs to %s (%s) and acts only for it", op.user,
                       op.agency, op.country);
    if (ag && co) return PU_OK;
    if (ag || co) return pu_fail(err, PU_ERR_INVALID, NULL, "agency", "--agency and --country go together");
    char **v = calloc((size_t)argc + 5, sizeof *v);
    if (!v) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int n = 0, i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) v[n++] = argv[i];
    v[n++] = "--agency";
    v[n++] = op.agency;
    v[n++] = "--country";
    v[n++] = op.country;
    for (; i < argc; i++) v[n++] = argv[i];
    *out_argc = n;
    *out_argv = v; /* the caller frees the array (not its strings) */
    return PU_OK;
}

/* ---- the invocation's audit entry ---- */

/* Options whose value is a secret, or case content that is sealed at rest
 * (a decision's note and analyst, a disposition's note; a tip's text,
 * answers, messages and reasons: docs/tips.md): the value is not copied
 * into the trail, only its size. */
static int secret_option(const char *a) {
    static const char *const secrets[] = {"--password", "--token", "--secret", "--key", "--note", "--analyst",
                                          "--text", "--answer", "--reason", NULL};
    for (const char *const *s = secrets; *s; s++) {
        size_t n = strlen(*s);
        if (strncmp(a, *s, n) == 0 && (a[n] == '\0' || a[n] == '=' || a[n] == '-')) return 1;
    }
    return 0;
}

/* `puente protect`: every option value that may identify or locate a
 * person (names, contacts, addresses, narratives, searches, files) is masked;
 * only these procedural options are copied (docs/protection.md). */
static int protect_plain_option(const char *a) {
    static const char *const plain[] = {"--db", "--purpose", "--format", "--kind", "--path", "--state", "--role",
                                        "--occupation", "--channel", "--day", "--type", "--place", "--level", "--board",
                                        "--next-review", "--code", "--cost", "--urgent", "--to", "--authority",
                                        "--outcome", "--days", "--late", "--at", "--received", "--now", "--agency",
                                        "--country", "--count", "--seed", NULL};
    size_t n = strcspn(a, "=");
    for (const char *const *p = plain; *p; p++)
        if (strlen(*p) == n && strncmp(a, *p, n) == 0) return 1;
    return 0;
}

static const char *outcome_of_exit(int code) {
    switch (code) {
    case 0: return "success";
    case CLI_EXIT_USAGE: return "usage";
    case 3: return "invalid";
    case 4: return "not_found";
    case 5: return "denied";
    case 6: return "conflict";
    default: return "failure";
    }
}

/* Build the entry's fields from argv (argv[0] = the command): action
 * "cli.<command>[.<sub>]", targets = the positional arguments (ids, files,
 * names), detail = the options (secret values masked) and the exit code. */
static void describe(int argc, char **argv, int code, pu_buf *action, pu_buf *targets, pu_buf *detail) {
    (void)pu_buf_printf(action, "cli.%s", argv[0]);
    int sub_done = 0, after_dashdash = 0, protect = strcmp(argv[0], "protect") == 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!after_dashdash && strcmp(a, "--") == 0) {
            after_dashdash = 1;
            continue;
        }
        if (!after_dashdash && a[0] == '-' && a[1]) {
            int has_eq = strchr(a, '=') != NULL;
            int takes = !has_eq && i + 1 < argc && argv[i + 1][0] != '-';
            if (detail->len) (void)pu_buf_putc(detail, ' ');
            if (secret_option(a) || (protect && !protect_plain_option(a))) {
                const char *v = has_eq ? strchr(a, '=') + 1 : takes ? argv[i + 1] : "";
                (void)pu_buf_printf(detail, "%.*s=(%zu bytes)", (int)strcspn(a, "="), a, strlen(v));
                if (takes) i++;
            } else if (takes) {
                (void)pu_buf_printf(detail, "%s=%s", a, argv[i + 1]);
                i++;
            } else {
                (void)pu_buf_puts(detail, a);
            }
            continue;
        }
        if (!sub_done && i == 1 && !after_dashdash) {
            (void)pu_buf_printf(action, ".%s", a); /* the sub-command */
            sub_done = 1;
            continue;
        }
        if (targets->len) (void)pu_buf_putc(targets, ',');
        (void)pu_buf_puts(targets, a);
    }
    if (detail->len) (void)pu_buf_putc(detail, ' ');
    (void)pu_buf_printf(detail, "exit=%d", code);
}

/* Commands that touch no store (their own audit or none): the server
 * audits its start and stop itself, and help output reads nothing. */
static int audited_command(int argc, char **argv) {
    if (strcmp(argv[0], "serve") == 0) return 0;
    return !cli_wants_help(argc, argv);
}

/* Is there a store to write to? A file store that does not exist was not
 * touched (the command failed before, or works on files only): nothing is
 * created just to hold the entry. */
static int store_exists(const char *path) {
    if (!path || !*path || strcmp(path, ":memory:") == 0) return 0;
    if (strstr(path, "://")) return 1;
    return access(path, F_OK) == 0;
}

int cli_audit_invocation(int argc, char **argv, int code) {
    if (argc < 1 || !audited_command(argc, argv)) return code;
    const char *path = cli_db_path(cli_opt_value(argc, argv, "--db"));
    if (!store_exists(path)) return code;
    const cli_operator *o = cli_operator_get();
    const char *agency = o->authenticated ? o->agency : cli_opt_value(argc, argv, "--agency");
    pu_buf action = PU_BUF_INIT(256), targets = PU_BUF_INIT(AUDIT_FIELD_MAX - 1), detail = PU_BUF_INIT(AUDIT_FIELD_MAX - 1);
    describe(argc, argv, code, &action, &targets, &detail);
    char user[160];
    if (o->authenticated) {
        char os[96];
        os_user(os, sizeof os);
        snprintf(user, sizeof user, "%s", o->user);
        (void)pu_buf_printf(&detail, " os_user=%s", os + 4);
    } else {
        pu_strlcpy(user, o->user, sizeof user);
    }
    audit_event ev = {"cli", user, agency ? agency : "", pu_buf_str(&action), pu_buf_str(&targets),
                      outcome_of_exit(code), pu_buf_str(&detail), "cli", NULL};
    db_t *db = NULL;
    pu_err e;
    int rc = db_open(path, NULL, &db, &e);
    if (rc == PU_OK) rc = audit_migrate(db, &e);
    if (rc == PU_OK) rc = audit_append(db, &ev, &e);
    db_close(db);
    pu_buf_free(&action);
    pu_buf_free(&targets);
    pu_buf_free(&detail);
    if (rc != PU_OK && code != 0 && !strstr(path, "://") && access(path, W_OK) != 0) {
        /* a read-only store: the command itself failed on it and said so
         * (one message, docs/input.md); nothing happened to record */
        return code;
    }
    if (rc != PU_OK) {
        /* the action happened but its record did not: say so loudly and fail */
        fprintf(stderr, T("puente: the audit trail could not record this command: %s\n"), e.msg);
        return code ? code : 1;
    }
    return code;
}
