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
        {"p3", "Person", "AL-FADHLI, Muhsin"}, {"p4", "Person", "KIM, Tong-chol"},
        /* Hangul, Han and Arabic script listed names: the Korean rewrite and
         * the consonant skeleton run on the index side too */
        {"p5", "Person", "\xea\xb9\x80\xec\xa0\x95\xec\x9d\x80"}, {"p6", "Person", "\xe9\x87\x91\xe6\xad\xa3\xe6\x97\xa5"},
        {"p7", "Person", "\xd8\xad\xd8\xb3\xd9\x86 \xd9\x86\xd8\xb5\xd8\xb1"},
        {"c2", "Company", "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'PROMINVEST'"},
        /* round 4: lexicon words, a Russian adjective stem, a country in
         * parentheses, a number, a ROS- compound */
        {"c3", "Organization", "CARTEL DE JALISCO NUEVA GENERACION"}, {"c4", "Company", "VTB BANK (AUSTRIA) AG"},
        {"c5", "Company", "OTKRYTOE AKTSIONERNOE OBSCHESTVO RUSSIAN ELECTRONICS 24"},
        {"c6", "Company", "ROSELEKTRONIKA TSENTRALNOGO FEDERALNOGO OKRUGA"}};
    enum { N = sizeof names / sizeof names[0] };
    ftm_entity *e[N];
    for (int i = 0; i < N; i++) {
        ftm_entity_new(names[i][0], names[i][1], &e[i], NULL);
        ftm_entity_add(e[i], "name", names[i][2], NULL);
        ftm_entity_add(e[i], "idNumber", "CAGE620305HTSRLZ08", NULL);
    }
    screen_index_from_entities((const ftm_entity *const *)e, N, NULL, &ix, NULL);
    for (int i = 0; i < N; i++) ftm_entity_free(e[i]);
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
