/*
 * fuzz_request.c - libFuzzer target for the HTTP API: each input becomes the
 * body (and part of the query string) of an authenticated request to one of
 * the server's routes, sent over loopback to an in-process `puente serve`.
 * The first byte picks the route. Any 5xx answer aborts: bad input must
 * always be a 4xx with the error body, never a server error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access/access.h"
#include "http/http.h"
#include "store/store.h"

static http_server *srv;
static char token[ACL_SECRET_MAX], forensic_token[ACL_SECRET_MAX];

static void setup(void) {
    char path[] = "/tmp/puente-fuzz-http-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) abort();
    close(fd);
    store_t *st;
    pu_err e;
    if (store_open(path, &st, &e) || acl_migrate(store_db(st), &e) || acl_seed_agencies(store_db(st), NULL, &e) ||
        acl_user_add(store_db(st), "fuzz", "DEA", "supervisor", NULL, &e) ||
        acl_token_create(store_db(st), "fuzz", acl_now(), token, &e) ||
        acl_user_add(store_db(st), "fuzzlab", "FGR", "forensic", NULL, &e) ||
        acl_token_create(store_db(st), "fuzzlab", acl_now(), forensic_token, &e))
        abort();
    store_close(st);
    static char journal[sizeof path + 16];
    snprintf(journal, sizeof journal, "%s-audit.journal", path);
    http_config cfg = {.db_path = path, .port = 0, .threads = 2, .max_body = 65536, .quiet = 1,
                       .max_conns_per_ip = 1000, .audit_journal = journal};
    if (http_start(&cfg, &srv, &e)) abort();
}

/* method, path, and who sends it: "s" the supervisor, "f" the forensic user
 * (the kinship routes refuse everyone else before reading the body) */
static const char *const targets[][3] = {
    {"POST", "/api/v1/entities", "s"},        {"POST", "/api/v1/entities/upload", "s"},
    {"PUT", "/api/v1/entities/dea-x", "s"},   {"POST", "/api/v1/login", "s"},
    {"POST", "/api/v1/screen", "s"},          {"POST", "/api/v1/compare", "s"},
    {"POST", "/match/default", "s"},          {"POST", "/api/v1/decisions", "s"},
    {"GET", "/api/v1/entities", "s"},         {"GET", "/search/default", "s"},
    {"PATCH", "/api/v1/users/fuzz", "s"},     {"GET", "/api/v1/audit", "s"},
    {"POST", "/api/v1/ews/reports", "s"},     {"POST", "/api/v1/cargo/manifests", "s"},
    {"POST", "/api/v1/kinship/pairwise", "f"}, {"POST", "/api/v1/kinship/solve", "f"},
    {"POST", "/api/v1/kinship/joint", "f"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!srv) setup();
    if (size < 1) return 0;
    const char *const *t = targets[data[0] % (sizeof targets / sizeof targets[0])];
    data++;
    size--;
    /* up to 40 bytes of the input also go into the query string, %-encoded */
    char query[160] = "";
    size_t qn = size < 40 ? size : 40, j = 0;
    for (size_t i = 0; i < qn; i++) j += (size_t)snprintf(query + j, sizeof query - j, i % 8 == 3 ? "&" : "%%%02X", data[i]);
    char head[512];
    int hn = snprintf(head, sizeof head,
                      "%s %s?q=%s HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      t[0], t[1], query, t[2][0] == 'f' ? forensic_token : token, size);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)http_port(srv))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) abort();
    if (write(fd, head, (size_t)hn) != hn || (size && write(fd, data, size) != (ssize_t)size)) {
        close(fd);
        return 0;
    }
    char resp[16] = "";
    ssize_t n = read(fd, resp, sizeof resp - 1);
    close(fd);
    if (n >= 12 && resp[9] == '5') {
        fprintf(stderr, "server error for %s %s: %.12s\n", t[0], t[1], resp);
        abort();
    }
    return 0;
}
