/* cmd_http.c - `puente serve`: run the HTTP API server. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"

static int usage(FILE *f) {
    fputs(T("usage: puente serve [--listen ADDR:PORT] [--db PATH] [options]\n"
          "  --listen ADDR:PORT      default 127.0.0.1:8000; port 0 picks a free port\n"
          "                          (IPv6: [::1]:8000)\n"
          "  --threads N             worker threads (default: number of CPUs)\n"
          "  --max-body BYTES        request body cap (default 8388608)\n"
          "  --max-conns N           open connections (default 1024)\n"
          "  --max-conns-per-ip N    per client address (default 64)\n"
          "  --timeout SECONDS       idle connection timeout (default 30)\n"
          "  --retention-days N      audit retention, pruned at start (default 365)\n"
          "  --audit-journal PATH    where read requests' audit entries are staged before\n"
          "                          they reach the audit chain (default $PUENTE_AUDIT_JOURNAL,\n"
          "                          else <db>-audit.journal for a store file; required for a\n"
          "                          store URI; one per server: servers sharing a store each\n"
          "                          keep their own); 'commit': each request waits for its store commit\n"
          "  --tls-cert FILE         PEM certificate (chain): serve HTTPS, TLS 1.2/1.3 only, HSTS\n"
          "  --tls-key FILE          PEM private key of the certificate\n"
          "  --allow-plain           plain HTTP on a non-loopback address (only behind a\n"
          "                          TLS-terminating proxy); without TLS the default is loopback only\n"
          "  --login-rate PER_S      login attempts per second and client address (default 0.5)\n"
          "  --login-burst N         ... allowed in a burst (default 20); more get 429\n"
          "  --web-root DIR          the built web front end (default: <dir of puente>/web)\n"
          "  --session-idle SECONDS  idle limit of browser sessions (default and maximum:\n"
          "                          the API's session idle time, 1800)\n"
          "  --secure-cookies        mark cookies Secure even over plain HTTP (TLS proxy)\n"
          "  --list-routes           print the routes and exit\n"
          "Stops gracefully on SIGTERM or SIGINT: in-flight requests finish first.\n"),
          f);
    fputs(T("  --change-watch MODE     how caches learn of other processes' changes: 'poll'\n"
            "                          (default: one counter read per request) or 'notify'\n"
            "                          (PostgreSQL LISTEN/NOTIFY, no read per request; a change is\n"
            "                          seen once its notification arrives; $PUENTE_CHANGE_WATCH)\n"),
          f);
    return f == stdout ? 0 : CLI_EXIT_USAGE;
}

static int parse_listen(const char *s, char *addr, size_t size, int *port) {
    const char *colon = strrchr(s, ':');
    if (!colon) return -1;
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= size) return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535) return -1;
    *port = (int)p;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) return usage(stdout);
    http_config cfg = {0};
    char addr[64] = "127.0.0.1";
    cfg.port = 8000;
    const char *dbp = NULL, *jopt = NULL;
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},    {"db", required_argument, 0, 'd'},
        {"threads", required_argument, 0, 't'},   {"max-body", required_argument, 0, 'b'},
        {"max-conns", required_argument, 0, 'c'}, {"max-conns-per-ip", required_argument, 0, 'i'},
        {"timeout", required_argument, 0, 'T'},   {"retention-days", required_argument, 0, 'r'},
        {"list-routes", no_argument, 0, 'L'},     {"audit-journal", required_argument, 0, 'J'},
        {"tls-cert", required_argument, 0, 'C'},  {"tls-key", required_argument, 0, 'K'},
        {"allow-plain", no_argument, 0, 'P'},     {"login-rate", required_argument, 0, 'R'},
        {"login-burst", required_argument, 0, 'B'},
        {"web-root", required_argument, 0, 'W'},  {"session-idle", required_argument, 0, 'S'},
        {"secure-cookies", no_argument, 0, 'Y'},  {"change-watch", required_argument, 0, 'G'},
        {0, 0, 0, 0}};
    const char *watch = getenv("PUENTE_CHANGE_WATCH");
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'l') {
            if (parse_listen(optarg, addr, sizeof addr, &cfg.port))
                return cli_usage_error("serve", "--listen expects ADDR:PORT, got '%s'", optarg);
            continue;
        }
        if (c == 'd') {
            dbp = optarg;
            continue;
        }
        if (c == 'J') {
            if (!*optarg) return cli_usage_error("serve", "--audit-journal expects a path or 'commit'");
            jopt = optarg;
            continue;
        }
        if (c == 'C' || c == 'K') {
            if (!*optarg) return cli_usage_error("serve", "--tls-cert/--tls-key expect a file");
            *(c == 'C' ? &cfg.tls_cert : &cfg.tls_key) = optarg;
            continue;
        }
        if (c == 'P') {
            cfg.allow_plain = 1;
            continue;
        }
        if (c == 'R') {
            char *end;
            double rate = strtod(optarg, &end);
            if (*end || end == optarg || !(rate > 0 && rate <= 1e6))
                return cli_usage_error("serve", "--login-rate expects a number of attempts per second > 0, got '%s'", optarg);
            cfg.login_rate = rate;
            continue;
        }
        if (c == 'W') {
            cfg.web_root = optarg;
            continue;
        }
        if (c == 'Y') {
            cfg.secure_cookies = 1;
            continue;
        }
        if (c == 'G') {
            watch = optarg;
            continue;
        }
        if (c == 'L') {
            for (const char *const *r = http_routes(); *r; r++) puts(*r);
            return 0;
        }
        if (c == '?' || !strchr("tbciTrBS", c)) return cli_usage_error("serve", "unknown option or missing value: '%s'", argv[optind - 1]);
        if (cli_parse_long("serve", "option", optarg, &v)) return CLI_EXIT_USAGE;
        if (v < 1 || v > 1000000000L) return cli_usage_error("serve", "option values must be 1-1000000000, got %ld", v);
        switch (c) {
        case 't': cfg.threads = (unsigned)v; break;
        case 'b': cfg.max_body = (size_t)v; break;
        case 'c': cfg.max_conns = (unsigned)v; break;
        case 'i': cfg.max_conns_per_ip = (unsigned)v; break;
        case 'T': cfg.timeout_s = (unsigned)v; break;
        case 'r': cfg.retention_days = (int)v; break;
        case 'B': cfg.login_burst = (unsigned)v; break;
        case 'S': cfg.session_idle_s = (int)v; break;
        }
    }
    if (optind < argc) return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    cfg.addr = addr;
    cfg.db_path = cli_db_path(dbp);
    pu_err e;
    pu_err_clear(&e);
    char journal[1100];
    if (cli_audit_journal_path(jopt, cfg.db_path, journal, sizeof journal, &e)) return cli_fail(&e);
    cfg.audit_journal = journal;
    char anchors[1100];
    if (cli_audit_anchor_path(NULL, cfg.db_path, anchors, sizeof anchors, &e)) return cli_fail(&e);
    cfg.audit_anchors = anchors;
    store_watch *w = NULL;
    if (watch && *watch && strcmp(watch, "poll") != 0) {
        if (strcmp(watch, "notify") != 0)
            return cli_usage_error("serve", "--change-watch expects 'poll' or 'notify', got '%s'", watch);
        if (store_watch_start(cfg.db_path, &w, &e)) return cli_fail(&e);
        store_watch_install(w); /* store_generation_get answers from it while it is live */
    }
    int rc = http_run(&cfg, &e);
    store_watch_stop(w);
    return rc ? cli_fail(&e) : 0;
}
