/* cmd_access.c - `puente agency|user|token`: administration on the store file
 * (an operator with the file has full authority; every change is audited
 * with component "cli" and the operator's login name). */
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>
#include <unistd.h>

#include "access/access.h"
#include "audit/audit.h"
#include "app/app.h"
#include "cli/cli.h"

static int open_db(const char *path, db_t **db) {
    pu_err e;
    int rc = db_open(cli_db_path(path), NULL, db, &e);
    if (rc == PU_OK) rc = app_migrate(*db, &e);
    if (rc) {
        db_close(*db);
        *db = NULL;
        return cli_fail(&e);
    }
    return 0;
}

static const char *operator_name(char *buf, size_t size) {
    const char *u = getenv("USER");
    struct passwd *pw = (!u || !*u) ? getpwuid(getuid()) : NULL;
    if (pw) u = pw->pw_name;
    snprintf(buf, size, "cli:%s", u && *u ? u : "unknown");
    return buf;
}

/* Run a change and its audit entry in one transaction. */
static int audited(db_t *db, int rc, pu_err *e, const char *action, const char *target, const char *detail) {
    char op[96];
    audit_event ev = {"cli", operator_name(op, sizeof op), "", action, target, rc == PU_OK ? "success" : pu_code_name(rc),
                      detail, "cli", NULL};
    if (rc == PU_OK) {
        if ((rc = audit_append(db, &ev, e)) == PU_OK) rc = db_commit(db, e);
        if (rc) db_rollback(db);
        return rc;
    }
    db_rollback(db);
    pu_err ignore;
    (void)audit_append(db, &ev, &ignore); /* the refused attempt is recorded too */
    return rc;
}

/* ---- agency ---- */
static int agency_usage(FILE *f) {
    fputs(T("usage: puente agency add ACRONYM --name NAME --country US|MX [--db PATH]\n"
          "       puente agency list [--db PATH]\n"
          "       puente agency seed [--db PATH]   add the framework's 14 agencies\n"
          "       puente agency grant OWNER GRANTEE [--db PATH]\n"
          "       puente agency revoke OWNER GRANTEE [--db PATH]\n"
          "\n"
          "A grant lets GRANTEE change records owned by OWNER (dispose its cargo holds,\n"
          "update its records); it does not widen what GRANTEE may see (markings do).\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

int cmd_agency(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return agency_usage(stdout);
    if (argc < 2) return agency_usage(stderr);
    const char *sub = argv[1], *dbp = NULL, *name = NULL, *country = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"name", required_argument, 0, 'n'}, {"country", required_argument, 0, 'c'}, {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') dbp = optarg;
        else if (c == 'n') name = optarg;
        else if (c == 'c') country = optarg;
        else return cli_usage_error("agency", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    db_t *db;
    int x;
    pu_err e;
    if (strcmp(sub, "list") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        acl_agency *v;
        size_t n;
        int rc = acl_agency_list(db, &v, &n, &e);
        db_close(db);
        if (rc) return cli_fail(&e);
        for (size_t i = 0; i < n; i++) printf("%s\t%s\t%s\n", v[i].country, v[i].acronym, v[i].name);
        free(v);
        return 0;
    }
    if (strcmp(sub, "seed") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        int added = 0;
        int rc = db_begin(db, &e);
        if (rc == PU_OK) rc = audited(db, acl_seed_agencies(db, &added, &e), &e, "agency.seed", "", "framework seed list");
        db_close(db);
        if (rc) return cli_fail(&e);
        printf(T("%d agencies added\n"), added);
        return 0;
    }
    if (strcmp(sub, "add") == 0) {
        if (optind >= argc) return cli_usage_error("agency", "agency add needs an ACRONYM");
        if (!name || !country) return cli_usage_error("agency", "agency add needs --name and --country");
        if ((x = open_db(dbp, &db))) return x;
        int rc = db_begin(db, &e);
        char detail[256];
        snprintf(detail, sizeof detail, "country=%s; name=%s", country, name);
        if (rc == PU_OK) rc = audited(db, acl_agency_add(db, argv[optind], name, country, &e), &e, "agency.add", argv[optind], detail);
        db_close(db);
        return rc ? cli_fail(&e) : 0;
    }
    if (strcmp(sub, "grant") == 0 || strcmp(sub, "revoke") == 0) {
        int grant = sub[0] == 'g';
        if (optind + 2 != argc) return cli_usage_error("agency", "agency %s needs OWNER and GRANTEE", sub);
        if ((x = open_db(dbp, &db))) return x;
        acl_agency owner, grantee;
        int rc = acl_agency_get(db, argv[optind], &owner, &e);
        if (rc == PU_OK) rc = acl_agency_get(db, argv[optind + 1], &grantee, &e);
        if (rc == PU_OK) rc = db_begin(db, &e);
        char target[64];
        snprintf(target, sizeof target, "%s>%s", owner.acronym, grantee.acronym);
        if (rc == PU_OK)
            rc = audited(db, grant ? store_grant_add(db, owner.acronym, grantee.acronym, &e)
                                   : store_grant_remove(db, owner.acronym, grantee.acronym, &e),
                         &e, grant ? "agency.grant" : "agency.revoke", target, NULL);
        db_close(db);
        return rc ? cli_fail(&e) : 0;
    }
    return cli_usage_error("agency", "unknown subcommand '%s'", sub);
}

/* ---- user ---- */
static int user_usage(FILE *f) {
    fputs(T("usage: puente user add NAME --agency ACRONYM --role ROLE [--password-stdin [--permanent]] [--db PATH]\n"
          "       puente user list [--agency ACRONYM] [--db PATH]\n"
          "       puente user role NAME ROLE [--db PATH]\n"
          "       puente user password NAME --password-stdin [--db PATH]   reset: the user must\n"
          "                                                  change it at the next login\n"
          "       puente user change-password NAME --password-stdin [--db PATH]\n"
          "                                                  the user's own change: stdin holds the\n"
          "                                                  current password, then the new one\n"
          "       puente user disable|enable NAME [--db PATH]\n"
          "       puente user grants [--agency ACRONYM] [--db PATH]   pending role grants\n"
          "       puente user approve|reject GRANT_ID [--db PATH]     as the framework operator\n"
          "       puente user totp NAME [--db PATH]          start second-factor enrolment: prints\n"
          "                                                  the otpauth URI and its QR code\n"
          "       puente user totp-confirm NAME CODE [--db PATH]  finish it: prints recovery codes\n"
          "       puente user totp-reset NAME [--db PATH]    remove the second factor (lost device)\n"
          "Roles: analyst, supervisor, forensic, tip-handler, protection-officer, admin,\n"
          "auditor.\n"
          "Administrators using the API request roles; a second administrator of the\n"
          "agency, or the operator here, approves them (docs/access.md).\n"
          "A password set by the operator (user add, user password) must be changed by the\n"
          "user at the next login (API: POST /api/v1/me/password; the web sign-in asks;\n"
          "here: user change-password); --permanent skips that for accounts provisioned\n"
          "with a password the user already chose.\n"
          "--password-stdin reads the password from the first line of stdin (never from argv,\n"
          "which other local users can see). Without it the account is token-only.\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

static int read_password(char *buf, size_t size) {
    if (!fgets(buf, (int)size, stdin)) return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

int cmd_user(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return user_usage(stdout);
    if (argc < 2) return user_usage(stderr);
    const char *sub = argv[1], *dbp = NULL, *agency = NULL, *role = NULL;
    int pw_stdin = 0, permanent = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},     {"agency", required_argument, 0, 'a'},
                                         {"role", required_argument, 0, 'r'},   {"password-stdin", no_argument, 0, 'p'},
                                         {"permanent", no_argument, 0, 'P'},    {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') dbp = optarg;
        else if (c == 'a') agency = optarg;
        else if (c == 'r') role = optarg;
        else if (c == 'p') pw_stdin = 1;
        else if (c == 'P') permanent = 1;
        else return cli_usage_error("user", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    const char *name = optind < argc ? argv[optind] : NULL;
    char pw[ACL_PASSWORD_MAX + 2] = "", pw2[ACL_PASSWORD_MAX + 2] = "";
    if (pw_stdin && read_password(pw, sizeof pw)) return cli_usage_error("user", "--password-stdin: no password on stdin");
    if (pw_stdin && strcmp(sub, "change-password") == 0 && read_password(pw2, sizeof pw2))
        return cli_usage_error("user", "change-password: stdin needs the current password, then the new one");
    if (permanent && (strcmp(sub, "add") != 0 || !pw_stdin))
        return cli_usage_error("user", "--permanent goes with 'user add --password-stdin'");
    db_t *db;
    int x, rc;
    pu_err e;
    if (strcmp(sub, "list") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        acl_principal *v;
        size_t n;
        rc = acl_user_list(db, agency, &v, &n, &e);
        db_close(db);
        if (rc) return cli_fail(&e);
        for (size_t i = 0; i < n; i++) printf("%s\t%s\t%s\n", v[i].user, v[i].agency, v[i].role);
        free(v);
        return 0;
    }
    if (strcmp(sub, "grants") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        acl_grant *v;
        size_t n;
        rc = acl_grant_list(db, agency, &v, &n, &e);
        db_close(db);
        if (rc) return cli_fail(&e);
        for (size_t i = 0; i < n; i++)
            printf("%lld\t%s\t%s\t%s\trequested by %s\n", (long long)v[i].id, v[i].user, v[i].agency, v[i].role,
                   v[i].requested_by);
        free(v);
        return 0;
    }
    if (!name) return cli_usage_error("user", "user %s needs a NAME", sub);
    char detail[160] = "";
    if (strcmp(sub, "add") == 0) {
        if (!agency || !role) return cli_usage_error("user", "user add needs --agency and --role");
        if ((x = open_db(dbp, &db))) return x;
        snprintf(detail, sizeof detail, "agency=%s; role=%s%s", agency, role,
                 pw_stdin ? (permanent ? "; password=permanent" : "; password=must-change") : "");
        if ((rc = db_begin(db, &e)) == PU_OK) {
            int arc = acl_user_add(db, name, agency, role, pw_stdin ? pw : NULL, &e);
            /* a password the operator chose is the user's to replace at the first login */
            if (arc == PU_OK && pw_stdin && !permanent) arc = acl_user_require_change(db, name, 1, &e);
            rc = audited(db, arc, &e, "user.add", name, detail);
        }
    } else if (strcmp(sub, "role") == 0) {
        if (optind + 1 >= argc) return cli_usage_error("user", "user role needs NAME ROLE");
        if ((x = open_db(dbp, &db))) return x;
        snprintf(detail, sizeof detail, "role=%s", argv[optind + 1]);
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_user_set_role(db, name, argv[optind + 1], &e), &e, "user.update", name, detail);
    } else if (strcmp(sub, "password") == 0) {
        if (!pw_stdin) return cli_usage_error("user", "user password needs --password-stdin");
        if ((x = open_db(dbp, &db))) return x;
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_user_set_password(db, name, pw, &e), &e, "user.update", name,
                         "password reset; must change at next login");
    } else if (strcmp(sub, "change-password") == 0) {
        if (!pw_stdin) return cli_usage_error("user", "user change-password needs --password-stdin");
        if ((x = open_db(dbp, &db))) return x;
        /* its own transaction: a wrong current password must count (lockout) */
        int crc = acl_password_change(db, name, pw, pw2, NULL, acl_now(), &e);
        pu_err ae;
        char op[96];
        char why[96];
        snprintf(why, sizeof why, "own password change%s%s", crc ? "; reason=" : "", crc ? e.field : "");
        audit_event ev = {"cli", operator_name(op, sizeof op), "", "password.change", name,
                          crc == PU_OK ? "success" : pu_code_name(crc), why, "cli", NULL};
        int arc = audit_append(db, &ev, &ae);
        rc = crc;
        if (rc == PU_OK && arc != PU_OK) {
            e = ae;
            rc = arc;
        }
        if (rc == PU_ERR_DENIED) pu_fail(&e, rc, NULL, "password", "the current password is wrong, or the account is locked");
        sodium_memzero(pw2, sizeof pw2);
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        int dis = sub[0] == 'd';
        if ((x = open_db(dbp, &db))) return x;
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_user_set_disabled(db, name, dis, &e), &e, "user.update", name, dis ? "disabled=true" : "disabled=false");
    } else if (strcmp(sub, "approve") == 0 || strcmp(sub, "reject") == 0) {
        char *end;
        long long id = strtoll(name, &end, 10);
        if (*end || id <= 0) return cli_usage_error("user", "user %s needs a GRANT_ID (see 'user grants')", sub);
        if ((x = open_db(dbp, &db))) return x;
        acl_grant g;
        memset(&g, 0, sizeof g);
        if ((rc = db_begin(db, &e)) == PU_OK) {
            int drc = acl_grant_decide(db, NULL, id, sub[0] == 'a', acl_now(), &g, &e);
            snprintf(detail, sizeof detail, "grant=%lld; role=%s", id, g.role);
            rc = audited(db, drc, &e, sub[0] == 'a' ? "grant.approve" : "grant.reject", g.user, detail);
        }
        if (rc == PU_OK) printf("%s: %s gets %s\n", g.state, g.user, g.role);
    } else if (strcmp(sub, "totp") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        char uri[512], secret[64];
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_totp_begin(db, name, uri, sizeof uri, secret, &e), &e, "totp.begin", name, NULL);
        if (rc == PU_OK) {
            pu_buf qr = PU_BUF_INIT((size_t)1 << 20);
            if (acl_qr_text(uri, &qr, &e) == PU_OK) fputs(pu_buf_str(&qr), stdout);
            pu_buf_free(&qr);
            printf(T("%s\nsecret: %s\nthen: puente user totp-confirm %s CODE\n"), uri, secret, name);
        }
    } else if (strcmp(sub, "totp-confirm") == 0) {
        if (optind + 1 >= argc) return cli_usage_error("user", "user totp-confirm needs NAME CODE");
        if ((x = open_db(dbp, &db))) return x;
        char codes[ACL_RECOVERY_CODES][ACL_RECOVERY_LEN];
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_totp_confirm(db, name, argv[optind + 1], acl_now(), codes, &e), &e, "totp.confirm",
                         name, NULL);
        if (rc == PU_OK) {
            puts(T("second factor enrolled; recovery codes (shown once, each works once):"));
            for (int i = 0; i < ACL_RECOVERY_CODES; i++) puts(codes[i]);
        }
    } else if (strcmp(sub, "totp-reset") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_totp_reset(db, name, &e), &e, "totp.reset", name, NULL);
    } else {
        return cli_usage_error("user", "unknown subcommand '%s'", sub);
    }
    memset(pw, 0, sizeof pw);
    db_close(db);
    return rc ? cli_fail(&e) : 0;
}

/* ---- token ---- */
int cmd_token(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        puts(T("usage: puente token create USER [--expires-days N] [--read-only] [--db PATH]\n"
             "Prints the new API token (and nothing else) on stdout. It is stored hashed\n"
             "and cannot be shown again. Use it as 'Authorization: Bearer TOKEN'.\n"
             "It expires after N days (default: the 'token-days' policy, 90); a read-only\n"
             "token is refused (403) by every route that changes something."));
        return 0;
    }
    const char *dbp = NULL;
    acl_token_opts topt = {0, 0};
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"expires-days", required_argument, 0, 'e'},
                                         {"read-only", no_argument, 0, 'r'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 2;
    if (argc < 2 || strcmp(argv[1], "create") != 0) return cli_usage_error("token", "expected 'token create USER'");
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        long v;
        if (c == 'd') dbp = optarg;
        else if (c == 'r') topt.read_only = 1;
        else if (c == 'e') {
            if (cli_parse_long("token", "--expires-days", optarg, &v)) return CLI_EXIT_USAGE;
            if (v < 1 || v > ACL_TOKEN_DAYS_MAX)
                return cli_usage_error("token", "--expires-days expects 1-%d, got %ld", ACL_TOKEN_DAYS_MAX, v);
            topt.days = v;
        } else return cli_usage_error("token", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    if (optind >= argc) return cli_usage_error("token", "token create needs a USER");
    db_t *db;
    int x = open_db(dbp, &db);
    if (x) return x;
    pu_err e;
    char tok[ACL_SECRET_MAX];
    int rc = db_begin(db, &e);
    char detail[64];
    snprintf(detail, sizeof detail, "read_only=%d; days=%lld", topt.read_only, (long long)topt.days);
    if (rc == PU_OK)
        rc = audited(db, acl_token_create2(db, argv[optind], acl_now(), &topt, tok, NULL, &e), &e, "token.create",
                     argv[optind], detail);
    db_close(db);
    if (rc) return cli_fail(&e);
    printf("%s\n", tok);
    memset(tok, 0, sizeof tok);
    return 0;
}

/* ---- policy: store-wide settings ---- */
static int policy_usage(FILE *f) {
    fputs(T("usage: puente policy show [--db PATH]\n"
          "       puente policy set KEY VALUE [--db PATH]\n"
          "       puente policy banner [--db PATH]     print the use banner\n"
          "Keys: banner      the use notice shown before login (GET /api/v1/banner)\n"
          "      mfa-roles   roles that must use a second factor (default admin,auditor)\n"
          "      token-days  default API token lifetime in days (default 90, at most 365)\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

int cmd_policy(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return policy_usage(stdout);
    if (argc < 2) return policy_usage(stderr);
    const char *sub = argv[1], *dbp = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') dbp = optarg;
        else return cli_usage_error("policy", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    db_t *db;
    int x, rc;
    pu_err e;
    static const char *const keys[] = {"banner", "mfa-roles", "token-days", NULL};
    char v[ACL_SETTING_MAX];
    if (strcmp(sub, "show") == 0 || strcmp(sub, "banner") == 0) {
        if ((x = open_db(dbp, &db))) return x;
        rc = PU_OK;
        for (size_t i = 0; keys[i] && rc == PU_OK; i++) {
            if (sub[0] == 'b' && i > 0) break;
            if ((rc = acl_setting_get(db, keys[i], v, sizeof v, &e)) == PU_OK) {
                if (sub[0] == 'b') puts(v);
                else printf("%s\t%s\n", keys[i], v);
            }
        }
        db_close(db);
        return rc ? cli_fail(&e) : 0;
    }
    if (strcmp(sub, "set") == 0) {
        if (optind + 2 != argc) return cli_usage_error("policy", "policy set needs KEY VALUE");
        if ((x = open_db(dbp, &db))) return x;
        char detail[160];
        snprintf(detail, sizeof detail, "%s=%.120s", argv[optind], argv[optind + 1]);
        if ((rc = db_begin(db, &e)) == PU_OK)
            rc = audited(db, acl_setting_set(db, argv[optind], argv[optind + 1], &e), &e, "policy.set", argv[optind],
                         detail);
        db_close(db);
        return rc ? cli_fail(&e) : 0;
    }
    return cli_usage_error("policy", "unknown subcommand '%s'", sub);
}
