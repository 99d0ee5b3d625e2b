/* libFuzzer target: the screening query readers (CSV and yente JSON lines)
 * and everything a query goes through: normalisation, transliteration,
 * tokenisation, blocking and scoring against a small index. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "screen/screen.h"

static screen_index *ix;

static void build(void) {
    static const char *const names[][3] = {
        {"p1", "Person", "CARDENAS GUILLEN, Osiel"}, {"p2", "Person", "GUZMAN LOERA, Joaquin"},
        {"c1", "Company", "GRUPO FRUTICOLA ALMANZA, S.A. DE C.V."}, {"v1", "Vessel", "OCEAN PRIDE"},
        {"p3", "Person", "AL-FADHLI, Muhsin"}, {"p4", "Person", "KIM, Tong-chol"}};
    ftm_entity *e[6];
    for (int i = 0; i < 6; i++) {
        ftm_entity_new(names[i][0], names[i][1], &e[i], NULL);
        ftm_entity_add(e[i], "name", names[i][2], NULL);
        ftm_entity_add(e[i], "idNumber", "CAGE620305HTSRLZ08", NULL);
    }
    screen_index_from_entities((const ftm_entity *const *)e, 6, NULL, &ix, NULL);
    for (int i = 0; i < 6; i++) ftm_entity_free(e[i]);
}

static int on_query(const screen_query *q, uint64_t line, void *ctx) {
    (void)line;
    (void)ctx;
    screen_params p = {.explain = 1, .exhaustive = (int)(q->nnames & 1)};
    screen_result *r = NULL;
    if (screen_run(ix, q, &p, &r, NULL) == PU_OK) {
        json_t *j;
        if (screen_result_to_json(r, &j) == PU_OK) json_decref(j);
    }
    screen_result_free(r);
    if (q->nnames >= 2) {
        screen_match *m = NULL;
        screen_compare(ix, q->schema, q->names[0], q->names[1], 0, &m, NULL);
        screen_match_free(m);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ix) build();
    screen_read_queries_mem((const char *)data, size, on_query, NULL, NULL, NULL);
    return 0;
}
