/* cli_util.c - shared helpers for subcommands (see cli.h). */
#include "cli/cli.h"
#include "app/app.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_db_path(const char *opt) {
    if (opt && *opt) return opt;
    const char *env = getenv("PUENTE_DB");
    return env && *env ? env : "puente.db";
}

int cli_audit_journal_path(const char *opt, const char *db_path, char *out, size_t size, pu_err *err) {
    const char *env = getenv("PUENTE_AUDIT_JOURNAL");
    const char *given = opt && *opt ? opt : env && *env ? env : NULL;
    int rc;
    if (given) {
        rc = pu_snprintf(out, size, "%s", given);
    } else if (!db_path || !*db_path || strcmp(db_path, ":memory:") == 0 || strstr(db_path, "://")) {
        /* the URI is not shown: it may carry a password */
        return pu_fail(err, PU_ERR_INVALID, NULL, "audit-journal",
                       "the store is not a file (%s), so the audit journal has no default place: "
                       "give its path with --audit-journal PATH or $PUENTE_AUDIT_JOURNAL",
                       db_path && strcmp(db_path, ":memory:") == 0 ? ":memory:" : T("a URI"));
    } else {
        rc = pu_snprintf(out, size, "%s-audit.journal", db_path);
    }
    if (rc != PU_OK) return pu_fail(err, PU_ERR_LIMIT, NULL, "audit-journal", "the audit journal path is too long");
    return PU_OK;
}

int cli_audit_anchor_path(const char *opt, const char *db_path, char *out, size_t size, pu_err *err) {
    const char *env = getenv("PUENTE_AUDIT_ANCHORS");
    const char *given = opt && *opt ? opt : env && *env ? env : NULL;
    int rc;
    if (given) rc = pu_snprintf(out, size, "%s", given);
    else if (!db_path || !*db_path || strcmp(db_path, ":memory:") == 0 || strstr(db_path, "://")) rc = pu_snprintf(out, size, "%s", "");
    else rc = pu_snprintf(out, size, "%s-audit.anchors", db_path);
    if (rc != PU_OK) return pu_fail(err, PU_ERR_LIMIT, NULL, "anchors", "the anchor file path is too long");
    return PU_OK;
}

int cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    }
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs(T("puente: usage error: "), stderr);
    vfprintf(stderr, T(fmt), ap);
    fprintf(stderr, T("; see 'puente %s --help'\n"), cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_fail(const pu_err *err) {
    pu_err_print(err);
    return pu_exit_code(err->code);
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return cli_usage_error(cmd, "%s expects a number, got '%s'", opt, s);
    *out = v;
    return 0;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return cli_usage_error(cmd, "%s expects an integer, got '%s'", opt, s);
    *out = v;
    return 0;
}

/* 1 when the store path names a file (not ":memory:" or a URI). */
static int store_is_file(const char *path) {
    return path && *path && strcmp(path, ":memory:") != 0 && !strstr(path, "://") && strncmp(path, "file:", 5) != 0;
}

/* A store file (or its directory) that cannot be written: one message that
 * names the store, instead of SQLite's errors at each step that follows. */
static int check_writable(const char *path, pu_err *err) {
    if (!store_is_file(path)) return PU_OK;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return pu_fail(err, PU_ERR_IO, path, NULL, "is a directory, not a store; give the store file with --db");
        if (access(path, W_OK) != 0)
            return pu_fail(err, PU_ERR_IO, path, NULL,
                           "the store is read-only (no write permission on the file); Puente writes to its store even to read it (migrations, journal)");
    }
    char dir[4096];
    pu_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
    else pu_strlcpy(dir, ".", sizeof dir);
    if (stat(dir, &st) != 0)
        return pu_fail(err, PU_ERR_IO, path, NULL,
                       "the store's directory '%s' does not exist; create it (mkdir -p %s) or give another "
                       "--db / $PUENTE_DB%s",
                       dir, dir, strcmp(dir, "demo-out") == 0 ? T(" (demo-out/ is made by 'make demo', which the README tour needs first)") : "");
    if (access(dir, W_OK) != 0)
        return pu_fail(err, PU_ERR_IO, path, NULL,
                       "the store's directory '%s' is read-only; the store needs to write its journal there", dir);
    return PU_OK;
}

int cli_open_store_existing(const char *db_opt, store_t **out) {
    const char *path = cli_db_path(db_opt);
    *out = NULL;
    if (store_is_file(path)) {
        struct stat st;
        pu_err err;
        if (stat(path, &st) != 0) {
            pu_fail(&err, PU_ERR_IO, path, NULL,
                    "no store here (check --db or $PUENTE_DB; a store is created by 'puente import')");
            return cli_fail(&err);
        }
        if (!S_ISREG(st.st_mode)) {
            pu_fail(&err, PU_ERR_IO, path, NULL, "is not a store file");
            return cli_fail(&err);
        }
    }
    return cli_open_store(db_opt, out);
}

int cli_open_store(const char *db_opt, store_t **out) {
    pu_err err;
    pu_err_clear(&err);
    /* an operator at a terminal is told when sensitive fields are stored in clear */
    if (isatty(STDERR_FILENO) && !store_seal_configured()) fprintf(stderr, "puente: %s\n", T(store_seal_status()));
    if (store_seal_check(&err) != PU_OK) return cli_fail(&err);
    int rc = check_writable(cli_db_path(db_opt), &err);
    if (rc) return cli_fail(&err);
    rc = store_open(cli_db_path(db_opt), out, &err);
    if (!rc && (rc = app_migrate(store_db(*out), &err))) {
        store_close(*out);
        *out = NULL;
    }
    return rc ? cli_fail(&err) : 0;
}

int cli_scope_parse(const char *cmd, const char *agency, const char *country, cli_scope *out) {
    memset(out, 0, sizeof *out);
    if ((agency == NULL) != (country == NULL)) return cli_usage_error(cmd, "--agency and --country go together");
    const cli_operator *op = cli_operator_get();
    if (op->authenticated) {
        /* `puente --user NAME`: the account's agency is the scope; no other */
        if (agency && !pu_strieq(agency, op->agency))
            return cli_usage_error(cmd, "--agency %s: the user %s belongs to %s and acts only for it", agency, op->user,
                                   op->agency);
        agency = op->agency;
        country = op->country;
    }
    if (!agency) {
        out->scope = store_scope_system;
        return 0;
    }
    if (pu_blank(agency) || strlen(agency) >= sizeof out->agency)
        return cli_usage_error(cmd, "--agency expects an agency acronym, got '%s'", agency);
    if (!pu_strieq(country, "US") && !pu_strieq(country, "MX"))
        return cli_usage_error(cmd, "--country expects US or MX, got '%s'", country);
    for (size_t i = 0; agency[i]; i++) out->agency[i] = (char)toupper((unsigned char)agency[i]);
    out->country[0] = (char)toupper((unsigned char)country[0]);
    out->country[1] = (char)toupper((unsigned char)country[1]);
    out->scope = (store_scope){0, out->country, out->agency};
    return 0;
}

const char *cli_opt_value(int argc, char **argv, const char *name) {
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strncmp(argv[i], name, n) != 0) continue;
        if (argv[i][n] == '=') return argv[i] + n + 1;
        if (argv[i][n] == '\0' && i + 1 < argc) return argv[i + 1];
    }
    return NULL;
}
