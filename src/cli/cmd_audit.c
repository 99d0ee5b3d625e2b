/* cmd_audit.c - `puente audit verify|anchor|export|prune|ingest|journals`. */
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "app/app.h"
#include "cli/cli.h"

static int usage(FILE *f) {
    fputs(T("usage: puente audit verify [--anchors FILE] [--db PATH]\n"
          "       puente audit anchor [--anchors FILE] [--db PATH]\n"
          "       puente audit export [--since DATE] [--until DATE] [--agency ACR] [--out FILE] [--db PATH]\n"
          "       puente audit prune [--days N] [--db PATH]     (default retention: 365 days)\n"
          "       puente audit ingest --journal PATH [--journal PATH...] [--db PATH]\n"
          "       puente audit journals [--db PATH]\n"
          "verify recomputes the BLAKE2b hash chain (keyed with the chain key of\n"
          "$PUENTE_AUDIT_KEY / $PUENTE_AUDIT_KEY_FILE when configured) and checks the anchor\n"
          "file; it exits 0 when intact, 3 when an entry was edited, deleted or reordered,\n"
          "the chain was recomputed without the key, or an anchor shows truncation or a\n"
          "rewrite (naming the first bad entry or anchor). anchor appends the current head\n"
          "to the anchor file (--anchors FILE, else $PUENTE_AUDIT_ANCHORS, else\n"
          "<db>-audit.anchors); keep a copy with a second party. export writes JSON\n"
          "lines; the export itself is recorded in the trail.\n"
          "Each first adds the entries a server staged in its audit journal (--journal PATH,\n"
          "default $PUENTE_AUDIT_JOURNAL, else <db>-audit.journal for a store file: the same\n"
          "rule as `puente serve --audit-journal`; --journal may be given once per server's\n"
          "journal on this machine; --journal none: no journal), also beside a running server\n"
          "and after a crash. ingest does only that (run it on the disk of a server that\n"
          "died and is not restarted); journals lists the servers' journals the chain knows\n"
          "(host, path, newest entry in the chain, last ingestion).\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

static void record(db_t *db, const char *action, const char *outcome, const char *detail) {
    const char *u = getenv("USER");
    struct passwd *pw = (!u || !*u) ? getpwuid(getuid()) : NULL;
    if (pw) u = pw->pw_name;
    char op[96];
    snprintf(op, sizeof op, "cli:%s", u && *u ? u : "unknown");
    audit_event ev = {"cli", op, "", action, "", outcome, detail, "cli", NULL};
    pu_err ignore;
    (void)audit_append(db, &ev, &ignore);
}

/* journals: one line per journal that fed (or feeds) the chain. */
static int journals(db_t *db) {
    audit_journal_info *js = NULL;
    size_t n = 0;
    pu_err e;
    int rc = audit_journal_list(db, &js, &n, &e);
    if (rc == PU_OK) {
        printf(T("%zu audit journals\n"), n);
        for (size_t i = 0; i < n; i++)
            printf("%s\t%lld\t%s\t%s\t%s\t%s\n", js[i].journal_id[0] ? js[i].journal_id : T("(before journal ids)"),
                   (long long)js[i].seq, js[i].host, js[i].path, js[i].started, js[i].last_flush);
    }
    free(js);
    db_close(db);
    return rc ? cli_fail(&e) : 0;
}

/* Put the entries of each given journal (none: the default one) into the
 * chain; "commit" and "none" name no journal. */
#define AUDIT_CLI_JOURNALS 16
static int ingest_journals(db_t *db, const char *const *jargs, int njargs, const char *dbp, pu_err *e) {
    const char *dflt[1] = {NULL};
    if (njargs == 0) jargs = dflt, njargs = 1;
    for (int i = 0; i < njargs; i++) {
        char jpath[1100];
        int64_t staged = 0;
        int rc = cli_audit_journal_path(jargs[i], dbp, jpath, sizeof jpath, e);
        if (rc) return rc;
        if (strcmp(jpath, "commit") == 0 || strcmp(jpath, "none") == 0) continue;
        if ((rc = audit_journal_recover(db, jpath, &staged, e))) return rc;
        if (staged > 0)
            fprintf(stderr, T("puente: %lld audit entries staged in %s were added to the trail\n"), (long long)staged, jpath);
    }
    return PU_OK;
}

/* verify: the chain (with its key), then the anchors; one line each. */
static int verify(db_t *db, const char *apath) {
    audit_report rep;
    pu_err e, ae;
    int rc = audit_verify(db, &rep, &e);
    if (rc == PU_OK)
        printf(T("audit trail intact: %lld entries (seq %lld..%lld), head %s\n"), (long long)rep.entries,
               (long long)rep.first_seq, (long long)rep.last_seq, rep.head);
    else if (rc == PU_ERR_INVALID)
        printf(T("audit trail BROKEN at entry %lld: %s (%lld entries verified before it)\n"), (long long)rep.bad_seq,
               rep.problem, (long long)rep.entries);
    if (rc == PU_OK || rc == PU_ERR_INVALID) {
        if (!audit_key_configured())
            printf(T("chain key: none configured ($PUENTE_AUDIT_KEY_FILE): %lld keyed entries checked for links only, "
                   "%lld unkeyed entries\n"), (long long)rep.keyed, (long long)rep.unkeyed);
        else
            printf(T("chain key: %s: %lld of %lld keyed entries verified with their key, %lld unkeyed entries (before "
                   "the key)\n"), rep.key_verified == rep.keyed ? "verified" : "NOT verified (unknown key id)",
                   (long long)rep.key_verified, (long long)rep.keyed, (long long)rep.unkeyed);
    }
    audit_anchor_report ar = {0};
    int arc = PU_OK;
    if (!*apath) printf(T("anchors: none (the store is not a file; give --anchors FILE)\n"));
    else if ((arc = audit_anchor_check(db, apath, &ar, &ae)) == PU_OK && ar.missing)
        printf(T("anchors: no anchor file %s (run 'puente audit anchor'; the server writes it)\n"), apath);
    else if (arc == PU_OK)
        printf(T("anchors consistent: %lld anchors in %s (%lld checked, %lld pruned, %lld with an unknown key), "
               "no truncation\n"), (long long)ar.anchors, apath, (long long)ar.checked, (long long)ar.pruned,
               (long long)ar.unverified);
    else if (arc == PU_ERR_INVALID)
        printf(T("anchors INCONSISTENT%s: %s\n"), ar.truncated ? T(" (TRUNCATION)") : "", ar.problem);
    else
        fprintf(stderr, "puente: %s\n", ae.msg);
    /* recorded after the check so the check itself does not change what it read */
    char detail[700];
    snprintf(detail, sizeof detail, "keyed=%lld; key_verified=%lld; anchors=%lld; %s%s", (long long)rep.keyed,
             (long long)rep.key_verified, (long long)ar.anchors, rc == PU_OK ? "" : rep.problem,
             arc == PU_OK ? "" : ar.problem);
    int ok = rc == PU_OK && arc == PU_OK;
    record(db, "audit.verify", ok ? "success" : "broken", detail);
    db_close(db);
    if (!ok && rc == PU_OK && arc != PU_ERR_INVALID) return pu_exit_code(arc);
    return ok ? 0 : pu_exit_code(rc != PU_OK ? rc : arc);
}

int cmd_audit(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return usage(stdout);
    if (argc < 2) return usage(stderr);
    const char *jargs[AUDIT_CLI_JOURNALS]; /* the servers' --audit-journal, when not the default */
    int njargs = 0;
    const char *aarg = NULL; /* the anchor file, when not the default */
    const char *sub = argv[1], *dbp = NULL, *since = NULL, *until = NULL, *agency = NULL, *outp = NULL;
    long days = AUDIT_DEFAULT_RETENTION_DAYS;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},    {"since", required_argument, 0, 's'},
                                         {"until", required_argument, 0, 'u'}, {"agency", required_argument, 0, 'a'},
                                         {"out", required_argument, 0, 'o'},   {"days", required_argument, 0, 'n'},
                                         {"journal", required_argument, 0, 'j'}, {"anchors", required_argument, 0, 'A'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dbp = optarg; break;
        case 's': since = optarg; break;
        case 'u': until = optarg; break;
        case 'a': agency = optarg; break;
        case 'o': outp = optarg; break;
        case 'j':
            if (njargs == AUDIT_CLI_JOURNALS) return cli_usage_error("audit", "at most %d --journal", AUDIT_CLI_JOURNALS);
            jargs[njargs++] = optarg;
            break;
        case 'A': aarg = optarg; break;
        case 'n':
            if (cli_parse_long("audit", "--days", optarg, &days)) return CLI_EXIT_USAGE;
            break;
        default: return cli_usage_error("audit", "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    db_t *db = NULL;
    pu_err e;
    /* entries a server staged in its journal belong to the trail read here
     * (none in the server's 'commit' mode) */
    char jcheck[1100];
    int rc = PU_OK;
    /* a wrong journal option is said before the store is opened */
    for (int i = 0; rc == PU_OK && i < (njargs ? njargs : 1); i++)
        rc = cli_audit_journal_path(njargs ? jargs[i] : NULL, cli_db_path(dbp), jcheck, sizeof jcheck, &e);
    if (rc == PU_OK && strcmp(sub, "ingest") == 0 && njargs == 0)
        return cli_usage_error("audit", "ingest needs --journal PATH (the journal of a server on this machine)");
    if (rc == PU_OK) rc = db_open(cli_db_path(dbp), NULL, &db, &e);
    if (rc == PU_OK) rc = app_migrate(db, &e);
    if (rc == PU_OK && strcmp(sub, "journals") != 0) rc = ingest_journals(db, jargs, njargs, cli_db_path(dbp), &e);
    if (rc) {
        db_close(db);
        return cli_fail(&e);
    }
    char apath[1100];
    if ((rc = cli_audit_anchor_path(aarg, cli_db_path(dbp), apath, sizeof apath, &e))) {
        db_close(db);
        return cli_fail(&e);
    }
    if (strcmp(sub, "verify") == 0) return verify(db, apath);
    if (strcmp(sub, "journals") == 0) return journals(db);
    if (strcmp(sub, "ingest") == 0) {
        record(db, "audit.ingest", "success", "");
        db_close(db);
        return 0;
    }
    if (strcmp(sub, "anchor") == 0) {
        audit_anchor a;
        if (!*apath) rc = pu_fail(&e, PU_ERR_INVALID, NULL, "anchors", "the store is not a file: give --anchors FILE");
        if (rc == PU_OK) rc = audit_anchor_write(db, apath, &a, &e);
        char detail[1200];
        snprintf(detail, sizeof detail, "anchors=%s; seq=%lld", apath, rc == PU_OK ? (long long)a.seq : -1LL);
        record(db, "audit.anchor", rc == PU_OK ? "success" : pu_code_name(rc), detail);
        db_close(db);
        if (rc) return cli_fail(&e);
        printf(T("anchored seq %lld, head %s %s %s\n"), (long long)a.seq, a.hash, a.written ? T("to") : T("(unchanged) in"), apath);
        return 0;
    }
    if (strcmp(sub, "export") == 0) {
        FILE *out = outp ? fopen(outp, "w") : stdout;
        if (!out) {
            db_close(db);
            pu_fail(&e, PU_ERR_IO, outp, NULL, "cannot create the export file");
            return cli_fail(&e);
        }
        audit_filter f = {.since = since, .until = until, .agency = agency};
        int64_t n = 0;
        rc = audit_export(db, out, &f, &n, &e);
        if (outp && fclose(out) != 0 && rc == PU_OK) rc = pu_fail(&e, PU_ERR_IO, outp, NULL, "cannot write the export file");
        char detail[256];
        snprintf(detail, sizeof detail, "entries=%lld; since=%s; until=%s; agency=%s", (long long)n, since ? since : "",
                 until ? until : "", agency ? agency : "");
        record(db, "audit.export", rc == PU_OK ? "success" : pu_code_name(rc), detail);
        db_close(db);
        if (rc) return cli_fail(&e);
        fprintf(stderr, T("puente: exported %lld audit entries\n"), (long long)n);
        return 0;
    }
    if (strcmp(sub, "prune") == 0) {
        int64_t removed = 0;
        if (days < 1 || days > 100000) {
            db_close(db);
            return cli_usage_error("audit", "--days expects 1-100000");
        }
        rc = audit_prune(db, (int)days, NULL, &removed, &e);
        db_close(db);
        if (rc) return cli_fail(&e);
        printf(T("%lld entries older than %ld days removed\n"), (long long)removed, days);
        return 0;
    }
    db_close(db);
    return cli_usage_error("audit", "unknown subcommand '%s'", sub);
}
