/* Unit tests for the federation config (src/federation/fed_config.c): what
 * is accepted, defaults, and every refusal naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "federation/federation.h"

#define US_NODE "{\"name\": \"us\", \"country\": \"US\", \"uri\": \"postgresql://a@10.0.0.1/p\"}"
#define MX_NODE "{\"name\": \"mx\", \"country\": \"MX\", \"uri\": \"postgres://b@10.0.0.2:5433/p\", \"peer_uri\": \"postgresql://r@mx.internal/p\"}"

static int parse(const char *text, fed_config *c, pu_err *err) {
    return fed_config_parse(text, strlen(text), "fed.json", c, err);
}

static void test_valid(void **state) {
    (void)state;
    fed_config c;
    pu_err err;
    assert_int_equal(parse("{\"nodes\": [" US_NODE ", " MX_NODE "]}", &c, &err), PU_OK);
    assert_string_equal(c.node[0].name, "us");
    assert_string_equal(c.node[0].country, "US");
    assert_string_equal(c.node[0].uri, "postgresql://a@10.0.0.1/p");
    assert_string_equal(c.node[0].peer_uri, "postgresql://a@10.0.0.1/p"); /* default: uri */
    assert_string_equal(c.node[1].peer_uri, "postgresql://r@mx.internal/p");
    /* the order of the nodes is free */
    assert_int_equal(parse("{\"nodes\": [" MX_NODE ", " US_NODE "]}", &c, &err), PU_OK);
    assert_string_equal(c.node[0].country, "MX");
}

static void refused(const char *text, int code, const char *field, const char *msg_part) {
    fed_config c;
    pu_err err;
    memset(&err, 0, sizeof err);
    int rc = parse(text, &c, &err);
    if (rc != code || (field && strcmp(err.field, field) != 0) || (msg_part && !strstr(err.msg, msg_part)))
        fprintf(stderr, "input %s: rc %d field '%s' msg '%s'\n", text, rc, err.field, err.msg);
    assert_int_equal(rc, code);
    if (field) assert_string_equal(err.field, field);
    if (msg_part) assert_non_null(strstr(err.msg, msg_part));
    assert_string_equal(c.node[0].name, ""); /* nothing half-parsed is left */
}

static void test_refused(void **state) {
    (void)state;
    refused("", PU_ERR_INVALID, NULL, "not valid JSON");
    refused("[]", PU_ERR_INVALID, NULL, "JSON object");
    refused("{\"nodes\": [" US_NODE "]}", PU_ERR_INVALID, "nodes", "two nodes");
    refused("{\"nodes\": [" US_NODE ", " MX_NODE "], \"extra\": 1}", PU_ERR_INVALID, "extra", "unknown key");
    refused("{\"nodes\": [" US_NODE ", " US_NODE "]}", PU_ERR_INVALID, "nodes[1].country", "different countries");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"us\", \"country\": \"MX\", \"uri\": \"postgresql://x/p\"}]}",
            PU_ERR_INVALID, "nodes[1].name", "different names");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"MX\", \"country\": \"MX\", \"uri\": \"postgresql://x/p\"}]}",
            PU_ERR_INVALID, "nodes[1].name", "a-z");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"CA\", \"uri\": \"postgresql://x/p\"}]}",
            PU_ERR_INVALID, "nodes[1].country", "US or MX");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"uri\": \"/var/lib/puente.db\"}]}",
            PU_ERR_INVALID, "nodes[1].uri", "postgresql://");
    /* a quote would end the SQL literal of CREATE SUBSCRIPTION */
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"uri\": \"postgresql://x/p' x\"}]}",
            PU_ERR_INVALID, "nodes[1].uri", NULL);
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"uri\": \"postgresql://x/p\","
            " \"peer_uri\": \"host=x\"}]}", PU_ERR_INVALID, "nodes[1].peer_uri", NULL);
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\"}]}", PU_ERR_INVALID, "nodes[1].uri",
            "required");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"uri\": 5}]}", PU_ERR_INVALID,
            "nodes[1].uri", "string");
    refused("{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"url\": \"postgresql://x/p\"}]}",
            PU_ERR_INVALID, "nodes[1].url", "unknown key");
    refused("{\"nodes\": [" US_NODE ", 7]}", PU_ERR_INVALID, "nodes[1]", "object");
    refused("{\"nodes\": [], \"nodes\": []}", PU_ERR_INVALID, NULL, "not valid JSON"); /* duplicate keys */
    /* too long: a value, and the whole text */
    char big[2200];
    memset(big, 'a', sizeof big);
    memcpy(big, "postgresql://", 13);
    big[sizeof big - 1] = '\0';
    char *text = malloc(sizeof big + 200);
    snprintf(text, sizeof big + 200, "{\"nodes\": [" US_NODE ", {\"name\": \"mx\", \"country\": \"MX\", \"uri\": \"%s\"}]}", big);
    refused(text, PU_ERR_LIMIT, "nodes[1].uri", NULL);
    free(text);
    fed_config c;
    pu_err err;
    assert_int_equal(fed_config_parse("{}", FED_CONFIG_MAX_BYTES + 1, "x", &c, &err), PU_ERR_LIMIT);
}

static void test_load(void **state) {
    (void)state;
    fed_config c;
    pu_err err;
    assert_int_equal(fed_config_load("/nonexistent/fed.json", &c, &err), PU_ERR_IO);
    assert_string_equal(err.where, "/nonexistent/fed.json");
    char path[] = "/tmp/fedcfgXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"nodes\": [" US_NODE ", " MX_NODE "]}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(fed_config_load(path, &c, &err), PU_OK);
    assert_string_equal(c.node[1].name, "mx");
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid), cmocka_unit_test(test_refused), cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
