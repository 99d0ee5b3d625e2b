/* Unit tests for src/cargo: CAS numbers, detection, watchlist and rules CSV,
 * manifest readers, per-line and batch rules, persistence, queue,
 * dispositions, statistics, and the labelled quality set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cargo/cargo.h"
#include <jansson.h>

#include "cargo/cargo_config.h"
#include "store/store.h"
#include "../test_store_uri.h"

/* ---- fixtures --------------------------------------------------------------- */

static cargo_engine *engine_with(cargo_party_fn party, void *ctx) {
    cargo_engine *e;
    pu_err err;
    cargo_open_opts o = {.party = party, .party_ctx = ctx}; /* the bundled watchlist and rules */
    assert_int_equal(cargo_open(NULL, &o, &e, &err), PU_OK);
    return e;
}

static cargo_engine *engine(void) { return engine_with(NULL, NULL); }

/* Chemical ids found in text, joined with ','. */
static void detect_ids(cargo_engine *e, const char *text, char *out, size_t size, size_t *nbad) {
    cargo_chem_hit h[CARGO_MAX_MATCHES];
    char bad[4][24];
    size_t n = 0, nb = 0;
    assert_int_equal(cargo_detect(e, text, strlen(text), NULL, h, CARGO_MAX_MATCHES, &n, bad, 4, &nb), PU_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%s%s", i ? "," : "", cargo_engine_watchlist(e)->chem[h[i].chem].id,
                 h[i].weak ? "?" : "");
    }
    if (nbad) *nbad = nb;
}

/* ---- CAS ---------------------------------------------------------------------- */

static void test_cas_parse(void **state) {
    (void)state;
    int64_t v;
    int ok;
    assert_int_equal(cargo_cas_parse("23056-29-3", &v, &ok), PU_OK);
    assert_int_equal(v, 23056293);
    assert_true(ok);
    assert_int_equal(cargo_cas_parse("1609-66-5", &v, &ok), PU_OK);
    assert_false(ok); /* the LEO typo flagged in SOURCE.md */
    assert_int_equal(cargo_cas_parse("1609-66-1", &v, &ok), PU_OK);
    assert_true(ok);
    assert_int_equal(cargo_cas_parse("0108-24-7", &v, &ok), PU_ERR_INVALID);
    assert_int_equal(cargo_cas_parse("108-24-77", &v, &ok), PU_ERR_INVALID);
    assert_int_equal(cargo_cas_parse("1-24-7", &v, &ok), PU_ERR_INVALID);
    assert_int_equal(cargo_cas_parse("12345678-24-7", &v, &ok), PU_ERR_INVALID);
    assert_int_equal(cargo_cas_parse("108247", &v, &ok), PU_ERR_INVALID);
    char buf[24];
    cargo_cas_format(2167189504, buf, sizeof buf);
    assert_string_equal(buf, "2167189-50-4");
    /* every CAS of the bundled watchlist passes its check digit */
    cargo_watchlist *w;
    assert_int_equal(cargo_watchlist_default(&w, NULL), PU_OK);
    assert_int_equal(w->n, 50);
    for (size_t i = 0; i < w->n; i++) {
        assert_int_equal(cargo_cas_parse(w->chem[i].cas, &v, &ok), PU_OK);
        assert_true(ok);
        cargo_cas_format(v, buf, sizeof buf);
        assert_string_equal(buf, w->chem[i].cas);
    }
    cargo_watchlist_free(w);
}

static void test_cas_in_text(void **state) {
    (void)state;
    cargo_engine *e = engine();
    char ids[256];
    size_t nbad;
    detect_ids(e, "Industrial raw material CAS 23056-29-3", ids, sizeof ids, &nbad);
    assert_string_equal(ids, "4-ap");
    detect_ids(e, "chemical CAS: 1609-66-5 99%", ids, sizeof ids, &nbad); /* bad check digit: reported, not matched */
    assert_string_equal(ids, "");
    assert_int_equal(nbad, 1);
    detect_ids(e, "CAS No. 39742604 white powder", ids, sizeof ids, &nbad); /* bare digits after CAS */
    assert_string_equal(ids, "npp");
    /* look-alikes: glued to letters, dates, more dashes, decimals, leading zero, labelled part numbers */
    const char *looks[] = {"ABC23056-29-3", "23056-29-3X", "23056-29-3-1", "shipped 2026-01-5", "0108-24-7",
                           "v1.23056-29-3", "lot 23056-29-4", "P/N 1609-66-5", "23056-29-33"};
    for (size_t i = 0; i < sizeof looks / sizeof looks[0]; i++) {
        detect_ids(e, looks[i], ids, sizeof ids, &nbad);
        if (ids[0] || nbad) fail_msg("look-alike '%s' gave '%s' (%zu invalid)", looks[i], ids, nbad);
    }
    /* a listed CAS behind a part-number label is still a match */
    detect_ids(e, "Part No. 79099-07-3", ids, sizeof ids, &nbad);
    assert_string_equal(ids, "1-boc-4-piperidone");
    /* en dash */
    detect_ids(e, "CAS 39742\xE2\x80\x93" "60\xE2\x80\x93" "4", ids, sizeof ids, &nbad);
    assert_string_equal(ids, "npp");
    cargo_engine_free(e);
}

/* ---- names ----------------------------------------------------------------------- */

static void test_names(void **state) {
    (void)state;
    cargo_engine *e = engine();
    static const char *const cases[][2] = {
        {"4-Anilinopiperidine, 25 kg drums", "4-ap"},
        {"N-phenylpiperidin-4-amine pharmaceutical intermediate", "4-ap"},
        {"N-Fenil-4-Piperidinamina polvo blanco", "4-ap"},
        {"4-AP powder 99%", "4-ap"},
        {"4AP powder", "4-ap"},
        {"1-boc-4-AP intermediate", "1-boc-4-ap"},
        {"ANPP white crystalline powder", "anpp"},
        {"4-ANPP reagent grade", "anpp"},
        {"NPP 99% purity", "npp"},
        {"Ephedrine hydrochloride", "ephedrine"},
        {"ephedrine HCl", "ephedrine"},
        {"EphedrineHCl", "ephedrine"},
        {"Clorhidrato de efedrina", "ephedrine"},
        {"4-anilinopiperidine dihydrochloride", "4-ap"},
        {"4-Anilinopiperdine powder", "4-ap"},           /* deletion */
        {"Norfentanil API grade", "norfentanyl"},        /* Spanish-style spelling */
        {"Ergometirne 99%", "ergometrine"},             /* transposition */
        {"anhídrido propiónico 200 L", "propionic-anhydride"},
        {"ANHIDRIDO PROPIONICO", "propionic-anhydride"},
        {"cloruro de propionilo", "propionyl-chloride"},
        {"Hot sell BMK methyl glycidate powder safe delivery", "p-2-p-methyl-glycidic-acid-methyl-ester"},
        {"BMK glycidate", "bmk?"}, /* trade name not on the list: the short code BMK, no context */
        {"benzyl methyl ketone", "bmk"},
        {"3,4-MDP-2-P methyl glycidate", "3-4-mdp-2-p-methyl-glycidate"},
        {"Permanganato de potasio grado industrial", "potassium-permanganate"},
        {"acetone, industrial solvent", "acetone"},
        {"1,4-Butanediol", "1-4-butanediol"},
    };
    char ids[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        detect_ids(e, cases[i][0], ids, sizeof ids, NULL);
        if (strcmp(ids, cases[i][1]) != 0) fail_msg("'%s': expected '%s', got '%s'", cases[i][0], cases[i][1], ids);
    }
    cargo_engine_free(e);
}

static void test_no_false_names(void **state) {
    (void)state;
    cargo_engine *e = engine();
    static const char *const benign[] = {
        "Piperonyl butoxide 95% technical", "Nitromethane racing fuel", "Citric acid anhydrous CAS 77-92-9",
        "Sodium chloride CAS 7647-14-5", "Cotton T-shirts, men's", "Polyethylene film rolls", "Pyridine",
        "Dimethylamine solution 40%", "Triethylamine", "Caffeine anhydrous", "Acetonitrile HPLC grade",
        "Methanol", "Mobile phone accessories, USB cables", "Refacciones automotrices: filtros de aceite",
        "Stainless steel kitchen utensils", "Brake pads P/N 1609-66-5", "Ethernet switches", "Piperazine citrate",
        "Acetic acid glacial", "Ceramic tiles 60x60", "Ethanol 96%",
    };
    char ids[256];
    for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
        detect_ids(e, benign[i], ids, sizeof ids, NULL);
        if (ids[0]) fail_msg("benign '%s' matched '%s'", benign[i], ids);
    }
    /* ambiguous short codes need chemical context */
    detect_ids(e, "PPA resin pellets for injection moulding", ids, sizeof ids, NULL);
    assert_string_equal(ids, "norephedrine?");
    detect_ids(e, "PPA powder 99% purity", ids, sizeof ids, NULL);
    assert_string_equal(ids, "norephedrine");
    cargo_engine_free(e);
}

/* ---- watchlist and rules CSV ---------------------------------------------------- */

static char *to_mem(int rules, const void *obj, size_t *n) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, n);
    assert_non_null(f);
    if (rules) assert_int_equal(cargo_rules_write_csv(obj, f, NULL), PU_OK);
    else assert_int_equal(cargo_watchlist_write_csv(obj, f, NULL), PU_OK);
    fclose(f);
    return buf;
}

static void test_watchlist_csv(void **state) {
    (void)state;
    cargo_watchlist *w, *w2;
    pu_err err;
    assert_int_equal(cargo_watchlist_default(&w, &err), PU_OK);
    size_t n;
    char *csv = to_mem(0, w, &n);
    assert_int_equal(cargo_watchlist_read_csv_mem(csv, n, NULL, &w2, &err), PU_OK);
    assert_int_equal(w2->n, w->n);
    for (size_t i = 0; i < w->n; i++) {
        assert_string_equal(w->chem[i].id, w2->chem[i].id);
        assert_string_equal(w->chem[i].synonyms_es, w2->chem[i].synonyms_es);
        assert_string_equal(w->chem[i].source, w2->chem[i].source);
    }
    cargo_watchlist_free(w2);
    free(csv);
    cargo_watchlist_free(w);

    static const struct { const char *csv, *field; } bad[] = {
        {"id,name_en,tier,cas\nx,X,controlled,1609-66-5\n", "cas"},
        {"id,name_en,tier,cas\nx,X,controlled,16x9-66-1\n", "cas"},
        {"id,name_en,tier\nx,X,forbidden\n", "tier"},
        {"id,name_en,tier\nx,X,watch\nx,Y,watch\n", "id"},
        {"id,name_en,tier,cas\nx,X,watch,1609-66-1\ny,Y,watch,1609-66-1\n", "cas"},
        {"id,name_en,tier\nx,\xff\xfe,watch\n", "name_en"},
        {"id,name_en,tier,threshold_kg\nx,X,watch,-3\n", "threshold_kg"},
        {"id,name_en,tier,colour\nx,X,watch,red\n", "colour"},
        {"id,name_en\nx,X\n", "header"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pu_err_clear(&err);
        cargo_watchlist *x = (cargo_watchlist *)1;
        int rc = cargo_watchlist_read_csv_mem(bad[i].csv, strlen(bad[i].csv), NULL, &x, &err);
        if (rc != PU_ERR_INVALID || strcmp(err.field, bad[i].field) != 0)
            fail_msg("case %zu: rc %d field '%s' (%s), expected field '%s'", i, rc, err.field, err.msg, bad[i].field);
        assert_null(x);
        assert_non_null(strstr(err.where, ":"));
    }
}

static void test_rules_csv(void **state) {
    (void)state;
    cargo_rules *r, *r2;
    pu_err err;
    assert_int_equal(cargo_rules_default(&r, &err), PU_OK);
    assert_true(r->rule[CARGO_DECISION_HOLD].weight > r->rule[CARGO_DECISION_REVIEW].weight);
    for (int i = 0; i < CARGO_NRULES; i++) assert_true(strlen(r->rule[i].explanation) > 10);
    size_t n;
    char *csv = to_mem(1, r, &n);
    assert_int_equal(cargo_rules_read_csv_mem(csv, n, NULL, &r2, &err), PU_OK);
    for (int i = 0; i < CARGO_NRULES; i++) {
        assert_true(r->rule[i].weight == r2->rule[i].weight);
        assert_string_equal(r->rule[i].params, r2->rule[i].params);
    }
    cargo_rules_free(r2);
    /* drop a rule, add an unknown one, break a weight / a parameter */
    char *miss = strdup(csv);
    char *p = strstr(miss, "\nsplit_shipment,");
    assert_non_null(p);
    memmove(p + 1, strchr(p + 1, '\n') + 1, strlen(strchr(p + 1, '\n') + 1) + 1);
    assert_int_equal(cargo_rules_read_csv_mem(miss, strlen(miss), NULL, &r2, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, "split_shipment"));
    free(miss);
    const char *bad[] = {"id,weight\nno_such_rule,3\n", "id,weight\ndecision_hold,heavy\n",
                         "id,weight,enabled,params\nsplit_shipment,20,1,window_days=seven\n",
                         "id,weight,enabled,params\nsplit_shipment,20,1,window_days\n"};
    for (size_t i = 0; i < 4; i++) {
        pu_err_clear(&err);
        assert_int_equal(cargo_rules_read_csv_mem(bad[i], strlen(bad[i]), NULL, &r2, &err), PU_ERR_INVALID);
        assert_true(err.field[0] != '\0');
    }
    free(csv);
    cargo_rules_free(r);
}

/* ---- manifest readers -------------------------------------------------------------- */

static const char HDR[] = "awb,hawb,shipper_name,consignee_name,consignee_address,description,hs_code,weight_kg,value_usd,origin_country,arrival_date\n";

static void test_reader_csv(void **state) {
    (void)state;
    char *data;
    size_t n;
    FILE *f = open_memstream(&data, &n);
    fputs(HDR, f);
    fputs("172-1,H1,Acme,\"Quimica, SA\",Av 1,\"4-AP, 25 kg\",2933.39,25,500,CN,2026-01-05\n", f);
    fputs("172-2,H2,Acme,B,Av 2,shoes,6404.11,heavy,5,CN,2026-01-05\n", f);      /* bad number */
    fputs("172-3,H3,Acme,B,Av 3,\xc3\x28 bad,6404.11,5,5,CN,2026-01-05\n", f);    /* invalid UTF-8 */
    fputs("172-4,H4,Acme,B,Av 4,shoes,6404.11,5,5,CN,05/01/2026\n", f);          /* bad date */
    fputs("172-5,H5,Acme,B\n", f);                                               /* too few fields */
    fputs(",H6,Acme,B,Av 6,shoes,6404.11,5,5,CN,2026-01-05\n", f);               /* no awb */
    fputs("172-7,H7,Acme,B,Av 7,shoes,6404.11,5,5,Narnia,2026-01-05\n", f);      /* country */
    fputs("172-8,H8,Acme,B,Av 8,toys,9503.00,10,100,CN,2026-01-06\n", f);
    fclose(f);
    cargo_reader *r;
    pu_err err;
    assert_int_equal(cargo_reader_open_mem(data, n, CARGO_FMT_AUTO, NULL, &r, &err), PU_OK);
    const cargo_manifest *m;
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_non_null(m);
    assert_string_equal(m->consignee_name, "Quimica, SA");
    assert_true(m->weight_kg == 25 && m->value_usd == 500 && m->pieces == -1);
    assert_int_equal(m->line, 2);
    /* a bad FIELD (issue 16): the line is returned with the field blanked and
     * the issue named, so the rest of it is still screened */
    static const struct { const char *awb, *field; } bad_fields[] = {
        {"172-2", "weight_kg"}, {"172-3", "description"}, {"172-4", "arrival_date"}};
    for (int i = 0; i < 3; i++) {
        pu_err_clear(&err);
        assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
        assert_non_null(m);
        assert_string_equal(m->awb, bad_fields[i].awb);
        assert_int_equal(m->line, (uint64_t)(i + 3));
        assert_int_equal(m->nissues, 1);
        assert_string_equal(m->issues[0].field, bad_fields[i].field);
    }
    assert_true(m->arrival_date[0] == '\0'); /* the refused date is not used */
    /* a line that cannot be read at all is still refused whole */
    static const char *const fields[] = {"columns", "awb"};
    for (int i = 0; i < 2; i++) {
        pu_err_clear(&err);
        assert_int_equal(cargo_reader_next(r, &m, &err), PU_ERR_INVALID);
        assert_string_equal(err.field, fields[i]);
        char want[32];
        snprintf(want, sizeof want, "<memory>:%d", i + 6);
        assert_string_equal(err.where, want);
        size_t rl;
        assert_true(strlen(cargo_reader_raw(r, &rl)) > 0); /* kept for the rejects file */
    }
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_string_equal(m->awb, "172-7");
    assert_int_equal(m->nissues, 1);
    assert_string_equal(m->issues[0].field, "origin_country");
    assert_true(strstr(m->issues[0].msg, "Narnia") != NULL);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_non_null(m);
    assert_string_equal(m->awb, "172-8");
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_null(m);
    cargo_reader_close(r);
    free(data);
    /* a CSV without the required columns */
    const char *nohdr = "id,text\n1,x\n";
    assert_int_equal(cargo_reader_open_mem(nohdr, strlen(nohdr), CARGO_FMT_CSV, NULL, &r, &err), PU_OK);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "header");
    cargo_reader_close(r);
}

static void test_reader_jsonl_and_limits(void **state) {
    (void)state;
    const char *j = "{\"awb\":\"1\",\"description\":\"NPP\",\"weight_kg\":12.5,\"pieces\":2,\"transshipment\":[\"DXB\",\"IST\"],\"extra\":1}\n"
                    "{\"awb\":\"2\",\"description\":\n"
                    "[1,2]\n"
                    "{\"awb\":\"3\",\"weight_kg\":\"-4\"}\n"
                    "{\"awb\":\"4\",\"description\":\"ok\"}\n";
    cargo_reader *r;
    pu_err err;
    const cargo_manifest *m;
    assert_int_equal(cargo_reader_open_mem(j, strlen(j), CARGO_FMT_AUTO, NULL, &r, &err), PU_OK);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_string_equal(m->transshipment, "DXB;IST");
    assert_true(m->weight_kg == 12.5 && m->pieces == 2);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "json");
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_ERR_INVALID);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK); /* a negative weight: a field issue */
    assert_string_equal(m->awb, "3");
    assert_int_equal(m->nissues, 1);
    assert_string_equal(m->issues[0].field, "weight_kg");
    assert_true(m->weight_kg < 0); /* not given */
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_string_equal(m->awb, "4");
    cargo_reader_close(r);
    /* a description over 1 MiB is refused with a clear error, the next line still read */
    size_t big = CARGO_MAX_DESCRIPTION + 10;
    char *d = malloc(big + 200);
    int k = snprintf(d, 200, "awb,description\n1,");
    memset(d + k, 'a', big);
    snprintf(d + k + big, 200, "\n2,ok\n");
    assert_int_equal(cargo_reader_open_mem(d, strlen(d), CARGO_FMT_CSV, NULL, &r, &err), PU_OK);
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK); /* over the cap: refused, never cut */
    assert_string_equal(m->awb, "1");
    assert_int_equal(m->nissues, 1);
    assert_string_equal(m->issues[0].field, "description");
    assert_string_equal(m->description, "");
    assert_int_equal(cargo_reader_next(r, &m, &err), PU_OK);
    assert_string_equal(m->awb, "2");
    cargo_reader_close(r);
    free(d);
}

/* ---- rules on a batch ------------------------------------------------------------------ */

static cargo_manifest mk(const char *awb, const char *desc) {
    cargo_manifest m;
    memset(&m, 0, sizeof m);
    m.awb = awb;
    m.hawb = "";
    m.shipper_name = "Nordwerk Maschinen GmbH";
    m.shipper_country = "DE";
    m.consignee_name = "Distribuidora Azteca SA de CV";
    m.consignee_address = "Av. Vallarta 100, Col. Centro, Guadalajara";
    m.description = desc;
    m.hs_code = "8708.30";
    m.pieces = 1;
    m.weight_kg = 100;
    m.value_usd = 1000;
    m.origin_country = "DE";
    m.transshipment = "";
    m.arrival_date = "2026-02-01";
    const char **s[] = {&m.shipper_address, &m.consignee_country, &m.notify_name, &m.notify_address, &m.origin,
                        &m.destination, &m.destination_country, &m.carrier, &m.forwarder, &m.departure_date};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) *s[i] = "";
    return m;
}

static int fired(const cargo_result *r, int rule) { return (r->fired >> rule) & 1; }

static void test_line_rules(void **state) {
    (void)state;
    cargo_engine *e = engine();
    cargo_batch *b;
    pu_err err;
    assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
    cargo_manifest m[8];
    m[0] = mk("1", "Auto spare parts: brake pads");
    m[1] = mk("2", "4-AP powder 99%");
    m[1].hs_code = "3926.90";                        /* a chemical under a plastics heading */
    m[2] = mk("3", "Industrial raw material");
    m[2].shipper_name = "Sino International Logistics Co., Ltd.";
    m[3] = mk("4", "Auto spare parts");
    m[3].consignee_address = "Calle Maya 12 Depto 302, Culiacan";
    m[3].transshipment = "DXB;IST";
    m[4] = mk("5", "Cotton T-shirts");
    m[4].value_usd = 10;                             /* 0.1 USD/kg */
    m[4].origin_country = "CN";
    m[5] = mk("6", "Plastic parts");
    m[5].hs_code = "2933.39";
    m[6] = mk("7", "Acetone industrial solvent");
    m[6].hs_code = "2914.11";
    m[7] = mk("8", "Chemical sample CAS 1609-66-5");
    for (int i = 0; i < 8; i++) assert_int_equal(cargo_batch_add(b, &m[i], &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    const cargo_result *r = cargo_batch_result(b, 0);
    assert_string_equal(r->decision, "release");
    assert_true(fired(r, CARGO_FIRST_TIME_CONSIGNEE)); /* the consignee's first shipment */
    r = cargo_batch_result(b, 1);
    assert_true(fired(r, CARGO_CHEM_CONTROLLED) && fired(r, CARGO_HS_MISMATCH));
    assert_string_equal(r->decision, "hold");
    assert_non_null(strstr(r->reasons, "4-Anilinopiperidine"));
    r = cargo_batch_result(b, 2);
    assert_true(fired(r, CARGO_FORWARDER_SHIPPER) && fired(r, CARGO_GENERIC_DESCRIPTION));
    r = cargo_batch_result(b, 3);
    assert_true(fired(r, CARGO_RESIDENTIAL_ADDRESS) && fired(r, CARGO_UNUSUAL_ROUTING));
    r = cargo_batch_result(b, 4);
    assert_true(fired(r, CARGO_WEIGHT_VALUE) && fired(r, CARGO_HIGH_RISK_ORIGIN));
    r = cargo_batch_result(b, 5);
    assert_true(fired(r, CARGO_HS_PRECURSOR) && fired(r, CARGO_HS_MISMATCH));
    r = cargo_batch_result(b, 6);
    assert_true(fired(r, CARGO_CHEM_WATCH));
    assert_false(fired(r, CARGO_CHEM_CONTROLLED) || fired(r, CARGO_HS_PRECURSOR));
    r = cargo_batch_result(b, 7);
    assert_true(fired(r, CARGO_CAS_INVALID));
    assert_int_equal(r->nchem, 0);
    assert_string_equal(r->bad_cas, "1609-66-5");
    /* the first-time consignee fires once per new consignee */
    int first = 0;
    for (size_t i = 0; i < cargo_batch_count(b); i++) first += fired(cargo_batch_result(b, i), CARGO_FIRST_TIME_CONSIGNEE);
    assert_int_equal(first, 1);
    /* ranking: highest score first */
    const size_t *rank = cargo_batch_ranked(b);
    for (size_t i = 1; i < cargo_batch_count(b); i++)
        assert_true(cargo_batch_result(b, rank[i - 1])->score >= cargo_batch_result(b, rank[i])->score);
    assert_int_equal(rank[0], 1);
    cargo_batch_free(b);
    cargo_engine_free(e);
}

static void test_split_and_history(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    cargo_batch *b;
    cargo_batch_opts o = {db, 1, STORE_SYSTEM};
    /* day 1: one small consignment to "Alfa" at address A; stored */
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    cargo_manifest m = mk("100", "Organic intermediate");
    m.shipper_name = "Wuhan Kaiyuan Chemical Co., Ltd.";
    m.consignee_name = "Alfa Trading";
    m.consignee_address = "Calle Sinaloa 86, Culiacan";
    m.weight_kg = 8;
    m.arrival_date = "2026-03-01";
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    assert_true(fired(cargo_batch_result(b, 0), CARGO_FIRST_TIME_CONSIGNEE));
    assert_false(fired(cargo_batch_result(b, 0), CARGO_SPLIT_SHIPMENT));
    cargo_stamp stamp = {"CBP", "SHARED", "test", NULL};
    int64_t bid;
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "day1", &stamp, 0, &bid, &err), PU_OK);
    cargo_batch_free(b);
    /* days 3-4: two more to related consignees (same address, other names), a 4th far away in time */
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    const char *names[] = {"Beta Comercial", "Gamma Servicios", "Alfa Trading"};
    const char *days[] = {"2026-03-03", "2026-03-04", "2026-04-20"};
    char awb[3][8];
    for (int i = 0; i < 3; i++) {
        snprintf(awb[i], sizeof awb[i], "10%d", i + 1);
        m.awb = awb[i];
        m.consignee_name = names[i];
        m.arrival_date = days[i];
        assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    }
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    assert_true(fired(cargo_batch_result(b, 0), CARGO_SPLIT_SHIPMENT));
    assert_true(fired(cargo_batch_result(b, 1), CARGO_SPLIT_SHIPMENT));
    assert_false(fired(cargo_batch_result(b, 2), CARGO_SPLIT_SHIPMENT));   /* outside the window */
    assert_false(fired(cargo_batch_result(b, 2), CARGO_FIRST_TIME_CONSIGNEE)); /* seen on day 1 */
    assert_true(fired(cargo_batch_result(b, 0), CARGO_FIRST_TIME_CONSIGNEE));
    assert_true(fired(cargo_batch_result(b, 1), CARGO_SHARED_ADDRESS));    /* 3 names at one address */
    cargo_batch_free(b);
    cargo_engine_free(e);
    store_close(st);
}

/* ---- parties (a deterministic matcher standing in for the screening index) ---- */

typedef struct fake { int calls; } fake;
static int fake_party(void *ctx, const char *name, const char *country, cargo_party_hit *hits, size_t max,
                      size_t *n, pu_err *err) {
    (void)country; (void)err; (void)max;
    fake *f = ctx;
    f->calls++;
    *n = 0;
    if (strstr(name, "ZETAS")) {
        memset(&hits[0], 0, sizeof hits[0]);
        snprintf(hits[0].entity_id, sizeof hits[0].entity_id, "ofac-1");
        snprintf(hits[0].caption, sizeof hits[0].caption, "LOS ZETAS");
        hits[0].score = 0.97;
        *n = 1;
    }
    return PU_OK;
}

static void test_parties(void **state) {
    (void)state;
    fake f = {0};
    cargo_engine *e = engine_with(fake_party, &f);
    assert_true(cargo_engine_screens_parties(e));
    cargo_batch *b;
    pu_err err;
    assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
    cargo_manifest m = mk("1", "Cotton T-shirts");
    m.consignee_name = "IMPORTADORA LOS ZETAS SA";
    for (int i = 0; i < 3; i++) assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    const cargo_result *r = cargo_batch_result(b, 0);
    assert_true(fired(r, CARGO_PARTY_DESIGNATED));
    assert_string_equal(r->decision, "hold");
    assert_int_equal(r->nparty, 1);
    assert_string_equal(r->party[0].role, "consignee");
    assert_int_equal(f.calls, 2); /* shipper + consignee once each: the cache answers the repeats */
    cargo_batch_free(b);
    cargo_engine_free(e);
}

#if CARGO_HAVE_SCREEN
/* Party screening wired by cargo_open over a store with one designated
 * organisation (the real screening engine). */
static cargo_engine *open_parties(store_t *st, const store_scope *scope) {
    cargo_open_opts co = {.scope = scope, .parties = 1};
    cargo_engine *e = NULL;
    pu_err err;
    assert_int_equal(cargo_open(st, &co, &e, &err), PU_OK);
    return e;
}

static void test_party_adapter(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    assert_int_equal(cargo_migrate(store_db(st), &err), PU_OK);
    cargo_engine *e = open_parties(st, STORE_SYSTEM);
    assert_false(cargo_engine_screens_parties(e)); /* nothing designated yet: nothing to screen */
    cargo_engine_free(e);
    cargo_open_opts bad = {.parties = 1};
    assert_int_equal(cargo_open(st, &bad, &e, &err), PU_ERR_INTERNAL); /* a store needs a reader */
    ftm_entity *o;
    assert_int_equal(ftm_entity_new("ofac-t1", "Organization", &o, &err), PU_OK);
    assert_int_equal(ftm_entity_add(o, "name", "QUIMICA CENTRAL DE MEXICO, S.A. DE C.V.", &err), PU_OK);
    assert_int_equal(ftm_entity_add(o, "topics", "sanction", &err), PU_OK); /* designated (docs/lists.md) */
    assert_int_equal(ftm_entity_set(&o->owner, "OFAC"), PU_OK);
    assert_int_equal(ftm_entity_set(&o->marking, "PUBLIC"), PU_OK);
    assert_int_equal(store_put(st, o, &err), PU_OK);
    ftm_entity_free(o);
    e = open_parties(st, STORE_SYSTEM);
    assert_true(cargo_engine_screens_parties(e));
    cargo_batch *b;
    assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
    cargo_manifest m = mk("1", "Cotton T-shirts");
    m.consignee_name = "Quimica Central de Mexico SA de CV";
    m.consignee_country = "MX";
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    m = mk("2", "Cotton T-shirts");
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    const cargo_result *r = cargo_batch_result(b, 0);
    assert_true(fired(r, CARGO_PARTY_DESIGNATED));
    assert_string_equal(r->decision, "hold");
    assert_string_equal(r->party[0].entity_id, "ofac-t1");
    assert_int_equal(cargo_batch_result(b, 1)->nparty, 0);
    cargo_batch_free(b);
    cargo_engine_free(e);

    /* a designated party only DEA may see: screened as a reader (the API),
     * it is matched for DEA and never scored or reported for ANAM */
    assert_int_equal(ftm_entity_new("dea-t2", "Organization", &o, &err), PU_OK);
    assert_int_equal(ftm_entity_add(o, "name", "Importadora Zacatecana de Reactivos", &err), PU_OK);
    assert_int_equal(ftm_entity_add(o, "topics", "sanction", &err), PU_OK);
    assert_int_equal(ftm_entity_set(&o->owner, "DEA"), PU_OK);
    assert_int_equal(ftm_entity_set(&o->marking, "AGENCY-ONLY"), PU_OK);
    assert_int_equal(store_put(st, o, &err), PU_OK);
    ftm_entity_free(o);
    const store_scope dea = {0, "US", "DEA"}, anam = {0, "MX", "ANAM"};
    const store_scope *scopes[3] = {STORE_SYSTEM, &dea, &anam};
    const int expect[3] = {1, 1, 0};
    for (int k = 0; k < 3; k++) {
        e = open_parties(st, scopes[k]);
        assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
        m = mk("3", "Cotton T-shirts");
        m.consignee_name = "Importadora Zacatecana de Reactivos";
        assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
        assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
        r = cargo_batch_result(b, 0);
        assert_int_equal(fired(r, CARGO_PARTY_DESIGNATED), expect[k]);
        int seen = 0;
        for (size_t i = 0; i < r->nparty; i++) seen |= !strcmp(r->party[i].entity_id, "dea-t2");
        assert_int_equal(seen, expect[k]);
        cargo_batch_free(b);
        cargo_engine_free(e);
    }
    store_close(st);
}

static void put_ent(store_t *st, const char *id, const char *schema, const char *owner, const char *marking,
                    const char *const *kv) {
    ftm_entity *o;
    pu_err err;
    assert_int_equal(ftm_entity_new(id, schema, &o, &err), PU_OK);
    for (size_t i = 0; kv[i]; i += 2) assert_int_equal(ftm_entity_add(o, kv[i], kv[i + 1], &err), PU_OK);
    if (owner) assert_int_equal(ftm_entity_set(&o->owner, owner), PU_OK);
    assert_int_equal(ftm_entity_set(&o->marking, marking), PU_OK);
    assert_int_equal(store_put(st, o, &err), PU_OK);
    ftm_entity_free(o);
}
#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The consignee of one cotton shipment screened as reader scope. */
static void screen_consignee(store_t *st, const store_scope *scope, const char *name, cargo_party_hit *best,
                             const char **decision, int *designated) {
    cargo_engine *e = open_parties(st, scope);
    cargo_batch *b;
    pu_err err;
    assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
    cargo_manifest m = mk("1", "Cotton T-shirts");
    m.consignee_name = name;
    m.consignee_country = "MX";
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    const cargo_result *r = cargo_batch_result(b, 0);
    memset(best, 0, sizeof *best);
    if (r->nparty) *best = r->party[0];
    *decision = r->decision; /* static */
    *designated = fired(r, CARGO_PARTY_DESIGNATED);
    if (*designated) assert_non_null(strstr(r->reasons, best->entity_id));
    if (best->ownership[0]) assert_non_null(strstr(r->reasons, "blocked by ownership"));
    cargo_batch_free(b);
    cargo_engine_free(e);
}

/* OFAC's 50 % rule in the designated-party check: a consignee that is a
 * plain company held 60 % x 90 % through a holding by a designated company
 * holds the shipment, with the chain; an Ownership record the reader may not
 * see never blocks (and leaves no trace). */
static void test_party_ownership(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    assert_int_equal(cargo_migrate(store_db(st), &err), PU_OK);
    put_ent(st, "sdn-fr", "Company", NULL, "PUBLIC", KV("name", "GRUPO FRONTERA NORTE SA DE CV", "topics", "sanction"));
    put_ent(st, "sdn-zg", "Person", NULL, "PUBLIC", KV("name", "ZAMBADA GARCIA, Ismael", "topics", "sanction"));
    put_ent(st, "co-hold", "Company", NULL, "PUBLIC", KV("name", "Holding Intermedia SA"));
    put_ent(st, "co-chain", "Company", NULL, "PUBLIC", KV("name", "Cadena Logistica del Norte SA"));
    put_ent(st, "co-hidden", "Company", NULL, "PUBLIC", KV("name", "Importadora Oculta de Sonora SA"));
    put_ent(st, "o-1", "Ownership", NULL, "PUBLIC", KV("owner", "sdn-fr", "asset", "co-hold", "percentage", "60"));
    put_ent(st, "o-2", "Ownership", NULL, "PUBLIC", KV("owner", "co-hold", "asset", "co-chain", "percentage", "90"));
    put_ent(st, "o-3", "Ownership", NULL, "PUBLIC", KV("owner", "sdn-zg", "asset", "co-hidden", "percentage", "30"));
    put_ent(st, "o-4", "Ownership", "DEA", "AGENCY-ONLY",
            KV("owner", "sdn-zg", "asset", "co-hidden", "percentage", "40"));
    const store_scope dea = {0, "US", "DEA"}, anam = {0, "MX", "ANAM"};
    cargo_party_hit h;
    const char *decision;
    int designated;

    screen_consignee(st, &anam, "Cadena Logistica del Norte SA", &h, &decision, &designated);
    assert_true(designated);
    assert_string_equal(decision, "hold");
    assert_string_equal(h.entity_id, "co-chain");
    assert_non_null(strstr(h.ownership, "54.0%")); /* 60 % x 90 % look-through */
    char *a = strstr(h.ownership, "[sdn-fr]"), *b = strstr(h.ownership, "[co-hold]"), *c = strstr(h.ownership, "[co-chain]");
    assert_true(a && b && c && a < b && b < c); /* the chain from the designated owner down */

    /* the plain holding is blocked too (60 %); a plain company with no owner never */
    screen_consignee(st, &anam, "Holding Intermedia SA", &h, &decision, &designated);
    assert_true(designated);
    assert_string_equal(h.entity_id, "co-hold");

    /* 30 % visible to everyone + 40 % only DEA sees */
    screen_consignee(st, &dea, "Importadora Oculta de Sonora SA", &h, &decision, &designated);
    assert_true(designated);
    assert_string_equal(h.entity_id, "co-hidden");
    assert_non_null(strstr(h.ownership, "70.0%"));
    screen_consignee(st, &anam, "Importadora Oculta de Sonora SA", &h, &decision, &designated);
    assert_false(designated);                         /* 30 %: not blocked for ANAM ... */
    assert_string_not_equal(decision, "hold");
    assert_string_equal(h.entity_id, "");             /* ... and not a party hit at all */

    /* the designated company itself still holds, without an ownership text */
    screen_consignee(st, &anam, "Grupo Frontera Norte SA de CV", &h, &decision, &designated);
    assert_true(designated);
    assert_string_equal(h.entity_id, "sdn-fr");
    assert_string_equal(h.ownership, "");
    store_close(st);
}
#endif



/* Curators add what the research source lacks: Mexico's list membership and
 * threshold quantities. Both survive import, storage and export, reach the
 * results, and the threshold decides controlled vs watch by declared weight. */
static void test_curator_threshold_mexico(void **state) {
    (void)state;
    cargo_watchlist *w;
    pu_err err;
    assert_int_equal(cargo_watchlist_default(&w, &err), PU_OK);
    size_t n = 0;
    char *csv = to_mem(0, w, &n);
    cargo_watchlist_free(w);
    /* set mexico + threshold on 4-piperidone (column order of the CSV) */
    char *row = strstr(csv, "\n4-piperidone,");
    assert_non_null(row);
    char *eol = strchr(row + 1, '\n');
    assert_non_null(eol);
    char line[4096];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row - 1), row + 1);
    /* fields: ...,incb,dea,mexico,tier,threshold_kg,exclude,notes,source: rebuild with the values */
    cargo_watchlist *one;
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "%.*s", (int)(strchr(csv, '\n') - csv), csv);
    pu_buf b = PU_BUF_INIT(1u << 20);
    assert_int_equal(pu_buf_printf(&b, "%s\n%s\n", hdr, line), PU_OK);
    assert_int_equal(cargo_watchlist_read_csv_mem(b.data, b.len, NULL, &one, &err), PU_OK);
    assert_int_equal(one->n, 1);
    free(one->chem[0].mexico);
    one->chem[0].mexico = strdup("Mexico: controlled (DOF, curator entry)");
    one->chem[0].threshold_kg = 10;
    assert_string_equal(one->chem[0].tier, "controlled");
    /* export and read back: the values are data, not code */
    char *csv1 = to_mem(0, one, &n);
    cargo_watchlist *back;
    assert_int_equal(cargo_watchlist_read_csv_mem(csv1, n, NULL, &back, &err), PU_OK);
    assert_string_equal(back->chem[0].mexico, "Mexico: controlled (DOF, curator entry)");
    assert_true(back->chem[0].threshold_kg == 10);
    /* stored as a version and loaded again */
    store_t *st;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    assert_int_equal(cargo_migrate(store_db(st), &err), PU_OK);
    cargo_stamp stamp = {"ANAM", "PUBLIC", "curator", "Mexico list + threshold"};
    assert_int_equal(cargo_watchlist_save(store_db(st), STORE_SYSTEM, back, &stamp, &err), PU_OK);
    cargo_watchlist *loaded;
    assert_int_equal(cargo_watchlist_load(store_db(st), STORE_SYSTEM, 0, &loaded, &err), PU_OK);
    assert_int_equal(loaded->version, 1);
    assert_string_equal(loaded->chem[0].mexico, "Mexico: controlled (DOF, curator entry)");
    assert_true(loaded->chem[0].threshold_kg == 10);
    /* screening: at/above the threshold or weight unknown -> controlled; below -> watch */
    cargo_rules *r;
    assert_int_equal(cargo_rules_default(&r, &err), PU_OK);
    cargo_engine *e;
    cargo_open_opts co = {.watchlist = loaded, .rules = r};
    assert_int_equal(cargo_open(NULL, &co, &e, &err), PU_OK);
    cargo_batch *bt;
    assert_int_equal(cargo_batch_new(e, NULL, &bt, &err), PU_OK);
    const double weights[3] = {25, 2, -1};
    for (int i = 0; i < 3; i++) {
        cargo_manifest m = mk(i == 0 ? "1" : i == 1 ? "2" : "3", "4-Piperidone monohydrate hydrochloride 98%");
        m.weight_kg = weights[i];
        assert_int_equal(cargo_batch_add(bt, &m, &err), PU_OK);
    }
    assert_int_equal(cargo_batch_finish(bt, &err), PU_OK);
    const int controlled[3] = {1, 0, 1};
    for (size_t i = 0; i < 3; i++) {
        const cargo_result *x = cargo_batch_result(bt, i);
        assert_int_equal(x->nchem, 1);
        assert_int_equal(fired(x, CARGO_CHEM_CONTROLLED), controlled[i]);
        assert_int_equal(fired(x, CARGO_CHEM_WATCH), !controlled[i]);
        json_t *j;
        assert_int_equal(cargo_result_to_json(e, x, &j), PU_OK);
        json_t *c0 = json_array_get(json_object_get(j, "chemicals"), 0);
        assert_string_equal(json_string_value(json_object_get(c0, "mexico")), "Mexico: controlled (DOF, curator entry)");
        assert_true(json_real_value(json_object_get(c0, "threshold_kg")) == 10);
        assert_int_equal(json_is_true(json_object_get(c0, "below_threshold")), !controlled[i]);
        json_decref(j);
    }
    assert_non_null(strstr(cargo_batch_result(bt, 1)->reasons, "below threshold"));
    cargo_batch_free(bt);
    cargo_engine_free(e);
    cargo_rules_free(r);
    cargo_watchlist_free(loaded);
    cargo_watchlist_free(back);
    cargo_watchlist_free(one);
    store_close(st);
    pu_buf_free(&b);
    free(csv1);
    free(csv);
}

/* ---- whole manifests in memory (the API's reader) ------------------------------------ */

/* Screen data with cargo_screen_mem; returns rc, fills err/nbad. */
static int screen_mem(cargo_engine *e, db_t *db, const char *data, cargo_format fmt, size_t max, cargo_batch **b,
                      size_t *nbad, pu_err *err) {
    cargo_batch_opts o = {db, db != NULL, STORE_SYSTEM};
    pu_err_clear(err);
    return cargo_screen_mem(e, &o, data, strlen(data), fmt, max, b, nbad, err);
}

static void test_screen_mem_formats(void **state) {
    (void)state;
    cargo_engine *e = engine();
    const char *csv = "awb,hawb,description,hs_code,weight_kg,transshipment\n"
                      "172-1,H1,4-ANPP 99% powder CAS 21409-26-7,2933.39,5,\n"
                      "172-2,H2,Cotton T-shirts,6109.10,120,DXB;FRA\n"
                      "172-3,H3,Sodium chloride CAS 7647-14-5 and 50-00-1,2501.00,10,\n";
    const char *jsonl = "{\"awb\":\"172-1\",\"hawb\":\"H1\",\"description\":\"4-ANPP 99% powder CAS 21409-26-7\",\"hs_code\":\"2933.39\",\"weight_kg\":5}\n"
                        "\n"
                        "{\"awb\":\"172-2\",\"hawb\":\"H2\",\"description\":\"Cotton T-shirts\",\"hs_code\":\"6109.10\",\"weight_kg\":\"120\",\"transshipment\":[\"DXB\",\"FRA\"]}\n"
                        "{\"awb\":\"172-3\",\"hawb\":\"H3\",\"description\":\"Sodium chloride CAS 7647-14-5 and 50-00-1\",\"hs_code\":\"2501.00\",\"weight_kg\":10}\n";
    char json[2048];
    snprintf(json, sizeof json, "  [%s]", "{\"awb\":\"172-1\",\"hawb\":\"H1\",\"description\":\"4-ANPP 99% powder CAS 21409-26-7\",\"hs_code\":\"2933.39\",\"weight_kg\":5},"
             "{\"awb\":\"172-2\",\"hawb\":\"H2\",\"description\":\"Cotton T-shirts\",\"hs_code\":\"6109.10\",\"weight_kg\":120,\"transshipment\":\"DXB;FRA\"},"
             "{\"awb\":\"172-3\",\"hawb\":\"H3\",\"description\":\"Sodium chloride CAS 7647-14-5 and 50-00-1\",\"hs_code\":\"2501.00\",\"weight_kg\":10}");
    const char *bodies[4] = {csv, jsonl, json, json};
    const cargo_format fmts[4] = {CARGO_FMT_CSV, CARGO_FMT_JSONL, CARGO_FMT_JSON, CARGO_FMT_AUTO};
    double score[3] = {0};
    for (int f = 0; f < 4; f++) {
        cargo_batch *b = NULL;
        size_t nbad = 9;
        pu_err err;
        assert_int_equal(screen_mem(e, NULL, bodies[f], fmts[f], 0, &b, &nbad, &err), PU_OK);
        assert_int_equal(nbad, 0);
        assert_int_equal(cargo_batch_count(b), 3);
        const cargo_result *r0 = cargo_batch_result(b, 0), *r1 = cargo_batch_result(b, 1), *r2 = cargo_batch_result(b, 2);
        assert_string_equal(r0->awb, "172-1");
        assert_string_equal(r0->decision, "hold");
        assert_true(r0->nchem >= 1);
        assert_string_equal(cargo_engine_watchlist(e)->chem[r0->chem[0].chem].id, "anpp");
        assert_true(fired(r1, CARGO_UNUSUAL_ROUTING)); /* two transshipment points, from either form */
        /* an invalid check digit is reported, never matched */
        assert_string_equal(r2->bad_cas, "50-00-1");
        assert_true(fired(r2, CARGO_CAS_INVALID));
        /* the same lines give the same scores whatever the format */
        for (int i = 0; i < 3; i++) {
            double sc = cargo_batch_result(b, (size_t)i)->score;
            if (f == 0) score[i] = sc;
            else assert_true(sc == score[i]);
        }
        /* line numbers: CSV and JSON lines count input lines, a JSON array its records */
        assert_int_equal(r2->line, f == 0 ? 4 : f == 1 ? 4 : 3);
        /* the result object is what the CLI writes */
        json_t *j = NULL;
        assert_int_equal(cargo_result_to_json(e, r0, &j), PU_OK);
        assert_string_equal(json_string_value(json_object_get(j, "decision")), "hold");
        assert_true(json_array_size(json_object_get(j, "chemicals")) >= 1);
        json_decref(j);
        cargo_batch_free(b);
    }
    /* one JSON object is one line */
    cargo_batch *b = NULL;
    pu_err err;
    assert_int_equal(screen_mem(e, NULL, "{\"awb\":\"1\",\"description\":\"Ephedrine HCl\"}", CARGO_FMT_JSON, 0, &b,
                                NULL, &err), PU_OK);
    assert_int_equal(cargo_batch_count(b), 1);
    assert_string_equal(cargo_batch_result(b, 0)->decision, "hold");
    cargo_batch_free(b);
    cargo_engine_free(e);
}

/* The refusal: rc, where and field of the first bad line, and how many. */
static void refused(cargo_engine *e, const char *data, cargo_format fmt, int rc, const char *where, const char *field,
                    size_t nbad_expected) {
    cargo_batch *b = (cargo_batch *)1;
    size_t nbad = 99;
    pu_err err;
    assert_int_equal(screen_mem(e, NULL, data, fmt, 3, &b, &nbad, &err), rc);
    assert_null(b);
    assert_string_equal(err.where, where);
    assert_string_equal(err.field, field);
    assert_true(err.msg[0] != '\0');
    if (nbad_expected != (size_t)-1) assert_int_equal(nbad, nbad_expected);
}

static void test_screen_mem_refusals(void **state) {
    (void)state;
    cargo_engine *e = engine();
    const size_t any = (size_t)-1;
    refused(e, "awb,description,weight_kg\n1,a,5\n2,b,abc\n3,c,-1\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 3",
            "weight_kg", 2);
    refused(e, "awb,description,colour\n1,a,red\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 1", "header", 1);
    refused(e, "awb,descr\n1,a\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 1", "header", 1);
    refused(e, "awb,description\n1,\"a\"b\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 2", "csv", any);
    refused(e, "awb,description\n1,\"open\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 2", "csv", any);
    refused(e, "awb,description\n1,caf\xc3\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 2", "description", 1);
    refused(e, "awb,description\n1,a\n2,b,c\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 3", "columns", 1);
    refused(e, "awb,description\n,a\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 2", "awb", 1);
    refused(e, "awb,description,arrival_date\n1,a,2026-13-01\n", CARGO_FMT_CSV, PU_ERR_INVALID, "line 2",
            "arrival_date", 1);
    refused(e, "{\"awb\":\"1\",\"description\":\"a\"}\n{\"awb\":\"2\",\"description\":\"b\",\"weight\":3}\n",
            CARGO_FMT_JSONL, PU_ERR_INVALID, "line 2", "weight", 1);
    refused(e, "{\"awb\":\"1\",\"description\":\"a\"}\n{\"awb\":\"2\",\n", CARGO_FMT_JSONL, PU_ERR_INVALID, "line 2",
            "json", 1);
    refused(e, "{\"awb\":\"1\",\"description\":\"\xff\"}\n", CARGO_FMT_JSONL, PU_ERR_INVALID, "line 1", "json", 1);
    refused(e, "[{\"awb\":\"1\",\"description\":\"a\"},{\"awb\":\"2\",\"description\":\"b\",\"pieces\":1.5},7]",
            CARGO_FMT_JSON, PU_ERR_INVALID, "record 2", "pieces", 2);
    refused(e, "[{\"awb\":\"1\",\"description\":\"a\"},", CARGO_FMT_JSON, PU_ERR_INVALID, "body", "json", any);
    refused(e, "[{\"awb\":\"1\",\"description\":\"\xff\"}]", CARGO_FMT_JSON, PU_ERR_INVALID, "body", "json", any);
    refused(e, "\"just a string\"", CARGO_FMT_JSON, PU_ERR_INVALID, "body", "json", any);
    {   /* a NUL byte would cut the field silently: refused, naming its line */
        static const char nul[] = "awb,description\n1,a\n2,b\0z\n";
        cargo_batch *b = NULL;
        pu_err err;
        cargo_batch_opts o = {NULL, 0, NULL};
        assert_int_equal(cargo_screen_mem(e, &o, nul, sizeof nul - 1, CARGO_FMT_CSV, 0, &b, NULL, &err), PU_ERR_INVALID);
        assert_null(b);
        assert_string_equal(err.where, "line 3");
        assert_string_equal(err.field, "body");
    }
    refused(e, "awb,description\n", CARGO_FMT_CSV, PU_ERR_INVALID, "body", "body", 0);
    refused(e, "", CARGO_FMT_JSONL, PU_ERR_INVALID, "body", "body", 0);
    refused(e, "[]", CARGO_FMT_JSON, PU_ERR_INVALID, "body", "json", 0);
    refused(e, "awb,description\n1,a\n2,b\n3,c\n4,d\n", CARGO_FMT_CSV, PU_ERR_LIMIT, "body", "lines", 0);
    /* a huge description: a clear error, not a cut */
    size_t big = CARGO_MAX_DESCRIPTION + 10;
    char *huge = malloc(big + 64);
    assert_non_null(huge);
    int k = snprintf(huge, 64, "awb,description\n1,");
    memset(huge + k, 'a', big);
    huge[k + big] = '\0';
    refused(e, huge, CARGO_FMT_CSV, PU_ERR_INVALID, "line 2", "description", 1);
    free(huge);
    cargo_engine_free(e);
}


/* Issue 16: a precursor line with ONE bad field is still screened and held,
 * carrying a data-quality reason; the bad field is named; repeated AWB+HAWB
 * lines are both screened and the store keeps one (the higher score); an
 * arrival before the departure is refused for that field only. */
static void test_bad_fields_still_screened(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(":memory:", &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    const char *csv =
        "awb,hawb,description,weight_kg,arrival_date,departure_date,origin_country\n"
        "1,A,Acido fenilacetico 500 kg,-500,2026-01-05,,CN\n"     /* 2: negative weight */
        "2,A,Acido fenilacetico 500 kg,abc,2026-01-05,,CN\n"      /* 3: not a number */
        "3,A,Acido fenilacetico 500 kg,500,05/01/2026,,CN\n"      /* 4: not ISO */
        "4,A,Acido fenilacetico 500 kg,500,2026-01-05,,Narnia\n"  /* 5: not a country */
        "5,A,Cotton T-shirts,10,2026-01-02,2026-01-04,CN\n"       /* 6: arrival before departure */
        "6,H,Cotton T-shirts,10,2026-01-05,,CN\n"                 /* 7 */
        "6,H,Acido fenilacetico 500 kg,500,2026-01-05,,CN\n";     /* 8: same AWB+HAWB as 7 */
    cargo_reader *rd;
    assert_int_equal(cargo_reader_open_mem(csv, strlen(csv), CARGO_FMT_CSV, NULL, &rd, &err), PU_OK);
    cargo_batch *b;
    cargo_batch_opts o = {db, 1, STORE_SYSTEM};
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    const cargo_manifest *m;
    static const char *const field[] = {"weight_kg", "weight_kg", "arrival_date", "origin_country", "arrival_date"};
    size_t i = 0;
    while (cargo_reader_next(rd, &m, &err) == PU_OK && m) {
        if (i < 5) {
            assert_int_equal(m->nissues, 1);
            assert_string_equal(m->issues[0].field, field[i]);
        } else {
            assert_int_equal(m->nissues, 0);
        }
        assert_int_equal(cargo_batch_add(b, m, &err), PU_OK);
        i++;
    }
    assert_int_equal(i, 7); /* no line lost */
    cargo_reader_close(rd);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    for (i = 0; i < 4; i++) {
        const cargo_result *r = cargo_batch_result(b, i);
        assert_string_equal(r->decision, "hold"); /* the chemical evidence is clear */
        assert_true(fired(r, CARGO_CHEM_CONTROLLED));
        assert_non_null(strstr(r->reasons, "data_quality: "));
        assert_non_null(strstr(r->reasons, field[i]));
    }
    const cargo_result *r5 = cargo_batch_result(b, 4);
    assert_non_null(strstr(r5->reasons, "arrival 2026-01-02 is before the departure 2026-01-04"));
    assert_string_equal(r5->arrival_date, "2026-01-04"); /* the departure stands in */
    const cargo_result *d1 = cargo_batch_result(b, 5), *d2 = cargo_batch_result(b, 6);
    assert_int_equal(d1->dup_of, 0);
    assert_int_equal(d2->dup_of, 6);
    assert_non_null(strstr(d1->reasons, "as line 8"));
    assert_non_null(strstr(d2->reasons, "as line 7"));
    assert_true(d1->superseded && !d2->superseded); /* the hold is kept, not the release */
    assert_int_equal(cargo_batch_nduplicates(b), 1);
    assert_int_equal(cargo_batch_nquality(b), 7);
    cargo_stamp stamp = {"CBP", "SHARED", NULL, NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t", &stamp, 0, NULL, &err), PU_OK);
    int64_t n = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment", NULL, &n, &err), PU_OK);
    assert_int_equal(n, 6);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment WHERE awb = '6' AND decision = 'hold'"
                                        " AND reasons LIKE '%data_quality%'", NULL, &n, &err), PU_OK);
    assert_int_equal(n, 1);
    cargo_batch_free(b);
    /* the API's strict reader: a repeated AWB+HAWB refuses the submission */
    const char *dup = "awb,hawb,description\n1,A,x\n2,A,y\n1,A,z\n";
    cargo_batch_opts so = {NULL, 0, NULL};
    assert_int_equal(cargo_screen_mem(e, &so, dup, strlen(dup), CARGO_FMT_CSV, 0, &b, NULL, &err), PU_ERR_INVALID);
    assert_null(b);
    assert_string_equal(err.where, "line 4");
    assert_non_null(strstr(err.msg, "repeats line 2"));
    cargo_engine_free(e);
    store_close(st);
}

/* ---- persistence, queue, dispositions, statistics --------------------------------- */

typedef struct qc { int n; double last; char first[32]; } qc;
static int qcount(const cargo_queue_row *row, void *ctx) {
    qc *q = ctx;
    if (q->n && row->score > q->last) fail_msg("queue not ranked");
    if (!q->n) snprintf(q->first, sizeof q->first, "%s", row->awb);
    q->last = row->score;
    q->n++;
    return 0;
}

/* cargo_batch_save inside the caller's transaction (the API's audit entry
 * goes in it): a rollback leaves nothing, a commit keeps everything. */
static void test_batch_save_in_caller_tx(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    const char *csv = "awb,description\n1,Ephedrine HCl 25 kg\n2,Cotton T-shirts\n3,Industrial raw material\n";
    cargo_stamp stamp = {"CBP", "SHARED", "ana", NULL};
    int64_t count = -1, id = 0;
    for (int commit = 0; commit < 2; commit++) {
        cargo_batch *b = NULL;
        assert_int_equal(screen_mem(e, db, csv, CARGO_FMT_CSV, 0, &b, NULL, &err), PU_OK);
        assert_int_equal(db_begin(db, &err), PU_OK);
        assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "api", &stamp, 0, &id, &err), PU_OK);
        assert_true(db_in_tx(db)); /* left open for the caller */
        assert_true(id > 0);
        if (commit) assert_int_equal(db_commit(db, &err), PU_OK);
        else db_rollback(db);
        assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment", NULL, &count, &err), PU_OK);
        assert_int_equal(count, commit ? 3 : 0);
        assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_batch", NULL, &count, &err), PU_OK);
        assert_int_equal(count, commit ? 1 : 0);
        cargo_batch_free(b);
    }
    cargo_engine_free(e);
    store_close(st);
}

/* The history rules read only what the reader may see: a consignee another
 * agency saw under AGENCY-ONLY is still first-time for everyone else. */
static void test_history_scope(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    cargo_batch *b;
    cargo_batch_opts o = {db, 1, STORE_SYSTEM};
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    cargo_manifest m = mk("DEA-1", "Cotton T-shirts");
    m.consignee_name = "Distribuidora Huasteca SA de CV";
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    cargo_stamp stamp = {"DEA", "AGENCY-ONLY", NULL, NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t", &stamp, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
    const store_scope dea = {0, "US", "DEA"}, cbp = {0, "US", "CBP"};
    const store_scope *scopes[3] = {STORE_SYSTEM, &dea, &cbp};
    const int first_time[3] = {0, 0, 1};
    for (int k = 0; k < 3; k++) {
        cargo_batch_opts ok = {db, 0, scopes[k]};
        assert_int_equal(cargo_batch_new(e, &ok, &b, &err), PU_OK);
        m = mk("X-1", "Cotton T-shirts");
        m.consignee_name = "Distribuidora Huasteca SA de CV";
        assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
        assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
        assert_int_equal(fired(cargo_batch_result(b, 0), CARGO_FIRST_TIME_CONSIGNEE), first_time[k]);
        cargo_batch_free(b);
    }
    cargo_engine_free(e);
    store_close(st);
}

static void test_store_queue_dispose(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    cargo_batch *b;
    cargo_batch_opts o = {db, 1, STORE_SYSTEM};
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    cargo_manifest m1 = mk("A1", "NPP 99% purity"), m2 = mk("A2", "Cotton T-shirts"), m3 = mk("A3", "Acetone solvent");
    m3.origin_country = "CN";
    m3.transshipment = "DXB";
    assert_int_equal(cargo_batch_add(b, &m1, &err), PU_OK);
    assert_int_equal(cargo_batch_add(b, &m2, &err), PU_OK);
    assert_int_equal(cargo_batch_add(b, &m3, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    cargo_stamp bad = {"CBP", "SECRET", NULL, NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t", &bad, 0, NULL, &err), PU_ERR_INVALID);
    assert_string_equal(err.field, "marking");
    cargo_stamp stamp = {"CBP", "US-ONLY", "analyst", NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t", &stamp, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
    qc q = {0};
    assert_int_equal(cargo_queue(db, STORE_SYSTEM, NULL, qcount, &q, &err), PU_OK);
    assert_int_equal(q.n, 2); /* hold + review; the T-shirts are released */
    assert_string_equal(q.first, "A1");
    /* visibility: US-ONLY is hidden from a Mexican agency */
    store_scope mx = {0, "MX", "ANAM"}, us = {0, "US", "HSI"};
    q = (qc){0};
    assert_int_equal(cargo_queue(db, &mx, NULL, qcount, &q, &err), PU_OK);
    assert_int_equal(q.n, 0);
    q = (qc){0};
    assert_int_equal(cargo_queue(db, &us, NULL, qcount, &q, &err), PU_OK);
    assert_int_equal(q.n, 2);
    cargo_stamp anam_us = {"ANAM", "SHARED", NULL, NULL};
    assert_int_equal(cargo_dispose(db, &mx, "A1", NULL, "held", &anam_us, &err), PU_ERR_NOTFOUND);
    /* dispositions */
    assert_int_equal(cargo_dispose(db, STORE_SYSTEM, "A1", NULL, "lost", &stamp, &err), PU_ERR_INVALID);
    assert_int_equal(cargo_dispose(db, STORE_SYSTEM, "ZZ", NULL, "held", &stamp, &err), PU_ERR_NOTFOUND);
    assert_int_equal(cargo_dispose(db, STORE_SYSTEM, "A1", NULL, "inspected_found", &stamp, &err), PU_OK);
    q = (qc){0};
    assert_int_equal(cargo_queue(db, STORE_SYSTEM, NULL, qcount, &q, &err), PU_OK);
    assert_int_equal(q.n, 1);
    cargo_queue_opts all = {NULL, 1, 0};
    q = (qc){0};
    assert_int_equal(cargo_queue(db, STORE_SYSTEM, &all, qcount, &q, &err), PU_OK);
    assert_int_equal(q.n, 2);
    /* statistics count the finding against the rules that fired */
    char *js = NULL;
    size_t jn;
    FILE *f = open_memstream(&js, &jn);
    assert_int_equal(cargo_stats_write(db, STORE_SYSTEM, 1, f, &err), PU_OK);
    fclose(f);
    assert_non_null(strstr(js, "\"shipments\":3"));
    assert_non_null(strstr(js, "\"chem_controlled\":{\"fired\":1,\"released\":0,\"held\":0,\"inspected_found\":1"));
    assert_non_null(strstr(js, "\"hit_rate\":1.0000"));
    free(js);
    /* re-screening the same AWB replaces the line and keeps its disposition */
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    m1.description = "Cotton T-shirts";
    assert_int_equal(cargo_batch_add(b, &m1, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t2", &stamp, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
    int64_t cnt = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment", NULL, &cnt, &err), PU_OK);
    assert_int_equal(cnt, 3);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_disposition d JOIN cargo_shipment s ON s.id = d.shipment_id WHERE s.awb = ?", "A1", &cnt, &err), PU_OK);
    assert_int_equal(cnt, 1);
    /* another agency screening the same AWB gets its own record; CBP's stays */
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    m2.description = "NPP 99% purity";
    assert_int_equal(cargo_batch_add(b, &m2, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    cargo_stamp anam = {"ANAM", "SHARED", NULL, NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t3", &anam, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment WHERE awb = ?", "A2", &cnt, &err), PU_OK);
    assert_int_equal(cnt, 2);
    assert_int_equal(cargo_dispose(db, STORE_SYSTEM, "A2", NULL, "released", &stamp, &err), PU_OK); /* CBP's own */
    cargo_stamp hsi = {"HSI", "SHARED", NULL, NULL};
    assert_int_equal(cargo_dispose(db, STORE_SYSTEM, "A2", NULL, "released", &hsi, &err), PU_ERR_CONFLICT);
    int64_t cbp_disp = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_disposition d JOIN cargo_shipment s ON s.id = d.shipment_id"
                                        " WHERE s.awb = 'A2' AND s.owner = ?", "CBP", &cbp_disp, &err), PU_OK);
    assert_int_equal(cbp_disp, 1);
    cargo_engine_free(e);
    store_close(st);
}

/* ---- who sees what, who may change what -------------------------------------------- */

static const char *const MARKINGS[5] = {"PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"};

/* The releasability rule written out by hand from docs/access.md: an oracle
 * independent of store_scope_sql. */
static int may_see(const store_scope *r, const char *owner, const char *marking) {
    if (r->system) return 1;
    if (!strcmp(marking, "PUBLIC") || !strcmp(marking, "SHARED")) return 1;
    if (!strcmp(marking, "US-ONLY")) return !strcmp(r->country, "US") || !strcmp(owner, r->agency);
    if (!strcmp(marking, "MX-ONLY")) return !strcmp(r->country, "MX") || !strcmp(owner, r->agency);
    return !strcmp(owner, r->agency);
}

/* Screen and store one line (a hold: a controlled precursor) owned by owner. */
static void store_line(cargo_engine *e, db_t *db, const char *awb, const char *owner, const char *marking) {
    cargo_batch_opts o = {db, 1, STORE_SYSTEM};
    cargo_batch *b;
    pu_err err;
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    cargo_manifest m = mk(awb, "NPP 99% purity");
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    assert_string_equal(cargo_batch_result(b, 0)->decision, "hold");
    cargo_stamp st = {owner, marking, "test", NULL};
    assert_int_equal(cargo_batch_save(b, db, STORE_SYSTEM, "t", &st, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
}

/* The grid: lines of 3 owners x 5 markings x (no disposition or one
 * disposition by the line's owner under each of the 5 markings). */
#define NOWN 3
typedef struct cell { char awb[32]; const char *owner, *lmark, *dmark; } cell;
static size_t grid(cell *c) {
    static const char *const owners[NOWN] = {"CBP", "DEA", "FGR"};
    size_t n = 0;
    for (int o = 0; o < NOWN; o++)
        for (int l = 0; l < 5; l++)
            for (int d = -1; d < 5; d++) {
                snprintf(c[n].awb, sizeof c[n].awb, "%s-%d-%d", owners[o], l, d + 1);
                c[n].owner = owners[o];
                c[n].lmark = MARKINGS[l];
                c[n].dmark = d < 0 ? NULL : MARKINGS[d];
                n++;
            }
    return n;
}

typedef struct seen { const cell *cells; size_t n; int rows[NOWN * 5 * 6]; char outcome[NOWN * 5 * 6][32];
                      int bad; } seen;
static int seen_row(const cargo_queue_row *r, void *ctx) {
    seen *s = ctx;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->cells[i].awb, r->awb)) {
            s->rows[i]++;
            snprintf(s->outcome[i], sizeof s->outcome[i], "%s", r->disposition);
            /* nothing of a hidden disposition shows */
            if (!*r->disposition && (*r->disposition_note || *r->disposition_author || *r->disposition_at ||
                                     *r->disposition_owner || *r->disposition_marking))
                s->bad++;
            if (*r->disposition && strcmp(r->disposition_note, s->cells[i].awb)) s->bad++;
            return 0;
        }
    s->bad++;
    return 0;
}

/* Every list, count and lookup of the module against the oracle, for
 * readers of the same agency, the same country and the other country. */
static void test_scope_matrix(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    static cell cells[NOWN * 5 * 6];
    size_t n = grid(cells);
    for (size_t i = 0; i < n; i++) {
        store_line(e, db, cells[i].awb, cells[i].owner, cells[i].lmark);
        if (!cells[i].dmark) continue;
        cargo_stamp d = {cells[i].owner, cells[i].dmark, "inspector", cells[i].awb};
        assert_int_equal(cargo_dispose(db, STORE_SYSTEM, cells[i].awb, NULL, "inspected_found", &d, &err), PU_OK);
    }
    /* watchlist versions of every marking, filed by CBP */
    cargo_watchlist *w;
    assert_int_equal(cargo_watchlist_default(&w, &err), PU_OK);
    for (int m = 0; m < 5; m++) {
        cargo_stamp vs = {"CBP", MARKINGS[m], "curator", NULL};
        assert_int_equal(cargo_watchlist_save(db, STORE_SYSTEM, w, &vs, &err), PU_OK);
    }
    cargo_watchlist_free(w);
    const store_scope readers[] = {{0, "US", "CBP"}, {0, "US", "HSI"}, {0, "MX", "FGR"}, {0, "MX", "ANAM"},
                                   {1, NULL, NULL}};
    for (size_t k = 0; k < sizeof readers / sizeof readers[0]; k++) {
        const store_scope *r = &readers[k];
        int64_t lines = 0, pending = 0, found = 0;
        seen all = {cells, n, {0}, {{0}}, 0}, open = {cells, n, {0}, {{0}}, 0};
        cargo_queue_opts qa = {NULL, 1, 0};
        assert_int_equal(cargo_queue(db, r, &qa, seen_row, &all, &err), PU_OK);
        assert_int_equal(cargo_queue(db, r, NULL, seen_row, &open, &err), PU_OK);
        assert_int_equal(all.bad + open.bad, 0);
        for (size_t i = 0; i < n; i++) {
            int line = may_see(r, cells[i].owner, cells[i].lmark);
            int disp = line && cells[i].dmark && may_see(r, cells[i].owner, cells[i].dmark);
            lines += line;
            pending += line && !disp;
            found += disp;
            if (all.rows[i] != line || open.rows[i] != (line && !disp))
                fail_msg("reader %s: line %s (line %s, disposition %s): all %d, open %d", r->agency ? r->agency : "system",
                         cells[i].awb, cells[i].lmark, cells[i].dmark ? cells[i].dmark : "-", all.rows[i], open.rows[i]);
            assert_string_equal(all.outcome[i], disp ? "inspected_found" : "");
            /* a line the reader may not see cannot be disposed by it either */
            if (!line && r->agency) {
                cargo_stamp mine = {r->agency, "SHARED", NULL, NULL};
                assert_int_equal(cargo_dispose(db, r, cells[i].awb, NULL, "held", &mine, &err), PU_ERR_NOTFOUND);
            }
        }
        /* the statistics count the same lines and dispositions */
        char *js = NULL;
        size_t jn;
        FILE *f = open_memstream(&js, &jn);
        assert_int_equal(cargo_stats_write(db, r, 1, f, &err), PU_OK);
        fclose(f);
        json_t *j = json_loads(js, 0, NULL);
        assert_non_null(j);
        json_t *hold = json_object_get(json_object_get(j, "decisions"), "hold");
        assert_int_equal(json_integer_value(json_object_get(j, "shipments")), lines);
        assert_int_equal(json_integer_value(json_object_get(hold, "none")), pending);
        assert_int_equal(json_integer_value(json_object_get(hold, "inspected_found")), found);
        json_decref(j);
        free(js);
        /* versions: listed and loaded only as the reader may see them */
        cargo_version_info *v;
        size_t nv;
        assert_int_equal(cargo_versions(db, r, "watchlist", &v, &nv, &err), PU_OK);
        size_t want = 0;
        int latest = 0;
        for (int m = 0; m < 5; m++)
            if (may_see(r, "CBP", MARKINGS[m])) {
                want++;
                latest = m + 1;
            }
        assert_int_equal(nv, want);
        for (size_t i = 0; i < nv; i++) assert_true(may_see(r, v[i].owner, v[i].marking));
        free(v);
        assert_int_equal(cargo_watchlist_load(db, r, 0, &w, &err), PU_OK);
        assert_int_equal(w->version, latest);
        cargo_watchlist_free(w);
        for (int m = 0; m < 5; m++) {
            int rc = cargo_watchlist_load(db, r, m + 1, &w, &err);
            assert_int_equal(rc, may_see(r, "CBP", MARKINGS[m]) ? PU_OK : PU_ERR_NOTFOUND);
            cargo_watchlist_free(rc ? NULL : w);
        }
    }
    /* a NULL reader is a bug, never "everything" */
    assert_int_equal(cargo_queue(db, NULL, NULL, seen_row, NULL, &err), PU_ERR_INTERNAL);
    assert_int_equal(cargo_stats_write(db, NULL, 1, stdout, &err), PU_ERR_INTERNAL);
    cargo_engine_free(e);
    store_close(st);
}

/* Only the owner of a line, or an agency it granted, may dispose it; a
 * writer files only for its own agency and only markings its country may
 * hold. */
static void test_dispose_write_rule(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    store_line(e, db, "H-1", "CBP", "SHARED");
    const store_scope fgr = {0, "MX", "FGR"}, cbp = {0, "US", "CBP"};
    cargo_stamp by_fgr = {"FGR", "SHARED", "fgr.an", "opened"};
    int64_t n = -1;
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "held", &by_fgr, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "owner");
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_disposition", NULL, &n, &err), PU_OK);
    assert_int_equal(n, 0);
    /* FGR cannot sign as CBP, nor file what Mexico may not hold */
    cargo_stamp as_cbp = {"CBP", "SHARED", NULL, NULL}, us_only = {"FGR", "US-ONLY", NULL, NULL},
                secret = {"FGR", "SECRET", NULL, NULL};
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "held", &as_cbp, &err), PU_ERR_DENIED);
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "held", &us_only, &err), PU_ERR_DENIED);
    assert_string_equal(err.field, "marking");
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "held", &secret, &err), PU_ERR_INVALID);
    assert_non_null(strstr(err.msg, STORE_MARKINGS_TEXT));
    /* CBP grants FGR: now FGR may dispose CBP's hold */
    assert_int_equal(store_grant_add(db, "CBP", "FGR", &err), PU_OK);
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "held", &by_fgr, &err), PU_OK);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_disposition WHERE owner = ?", "FGR", &n, &err), PU_OK);
    assert_int_equal(n, 1);
    /* the grant goes one way only */
    store_line(e, db, "H-2", "FGR", "SHARED");
    cargo_stamp by_cbp = {"CBP", "SHARED", NULL, NULL};
    assert_int_equal(cargo_dispose(db, &cbp, "H-2", NULL, "held", &by_cbp, &err), PU_ERR_DENIED);
    assert_int_equal(store_grant_remove(db, "CBP", "FGR", &err), PU_OK);
    assert_int_equal(cargo_dispose(db, &fgr, "H-1", NULL, "released", &by_fgr, &err), PU_ERR_DENIED);
    /* filing a manifest: the same stamp rules, nothing written when refused */
    cargo_batch_opts o = {db, 1, &fgr};
    cargo_batch *b;
    assert_int_equal(cargo_batch_new(e, &o, &b, &err), PU_OK);
    cargo_manifest m = mk("H-3", "Cotton T-shirts");
    assert_int_equal(cargo_batch_add(b, &m, &err), PU_OK);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    assert_int_equal(cargo_batch_save(b, db, &fgr, "t", &us_only, 0, NULL, &err), PU_ERR_DENIED);
    assert_int_equal(cargo_batch_save(b, db, &fgr, "t", &as_cbp, 0, NULL, &err), PU_ERR_DENIED);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM cargo_shipment WHERE awb = ?", "H-3", &n, &err), PU_OK);
    assert_int_equal(n, 0);
    cargo_stamp dflt = {"FGR", NULL, NULL, NULL};
    assert_int_equal(cargo_batch_save(b, db, &fgr, "t", &dflt, 0, NULL, &err), PU_OK);
    cargo_batch_free(b);
    char mk_[32] = "";
    db_stmt *q;
    assert_int_equal(db_prepare(db, "SELECT marking FROM cargo_shipment WHERE awb = 'H-3'", &q, &err), PU_OK);
    assert_int_equal(db_step(q, &err), DB_ROW);
    snprintf(mk_, sizeof mk_, "%s", db_col_text(q, 0));
    db_finalize(q);
    assert_string_equal(mk_, STORE_DEFAULT_MARKING);
    cargo_engine_free(e);
    store_close(st);
}

typedef struct one { char disp[32], note[64]; int n; } one;
static int one_row(const cargo_queue_row *r, void *ctx) {
    one *o = ctx;
    o->n++;
    snprintf(o->disp, sizeof o->disp, "%s", r->disposition);
    snprintf(o->note, sizeof o->note, "%s", r->disposition_note);
    return 0;
}

/* A disposition's marking decides who sees it: a reader it hides keeps
 * the line in its queue as undisposed (and pending in its statistics);
 * among the dispositions a reader sees, the latest counts. */
static void test_disposition_marking(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_engine *e = engine();
    store_line(e, db, "L-1", "CBP", "SHARED");
    store_line(e, db, "L-2", "CBP", "SHARED");
    const store_scope cbp = {0, "US", "CBP"}, hsi = {0, "US", "HSI"}, fgr = {0, "MX", "FGR"};
    cargo_stamp shared = {"CBP", "SHARED", "a", "held at the gate"}, mine = {"CBP", "AGENCY-ONLY", "a", "25 kg seized"};
    assert_int_equal(cargo_dispose(db, &cbp, "L-1", NULL, "held", &shared, &err), PU_OK);
    assert_int_equal(cargo_dispose(db, &cbp, "L-1", NULL, "inspected_found", &mine, &err), PU_OK);
    assert_int_equal(cargo_dispose(db, &cbp, "L-2", NULL, "inspected_found", &mine, &err), PU_OK);
    const store_scope *rs[3] = {&cbp, &hsi, &fgr};
    const char *l1[3] = {"inspected_found", "held", "held"};
    const char *n1[3] = {"25 kg seized", "held at the gate", "held at the gate"};
    const char *l2[3] = {"inspected_found", "", ""};
    for (int k = 0; k < 3; k++) {
        one o = {0};
        cargo_queue_opts all = {"hold", 1, 0};
        assert_int_equal(cargo_queue(db, rs[k], &all, one_row, &o, &err), PU_OK);
        assert_int_equal(o.n, 2);
        /* each line's disposition columns, through the CSV writer */
        char *csv = NULL;
        size_t cn;
        FILE *f = open_memstream(&csv, &cn);
        assert_int_equal(cargo_queue_write(db, rs[k], &all, CARGO_QUEUE_CSV, f, &err), PU_OK);
        fclose(f);
        char want1[160], want2[64];
        const char *row1 = strstr(csv, "\nL-1,"), *row2 = strstr(csv, "\nL-2,");
        assert_non_null(row1);
        assert_non_null(row2);
        char line1[1024], line2[1024];
        snprintf(line1, sizeof line1, "%.*s", (int)strcspn(row1 + 1, "\n"), row1 + 1);
        snprintf(line2, sizeof line2, "%.*s", (int)strcspn(row2 + 1, "\n"), row2 + 1);
        snprintf(want1, sizeof want1, ",%s,CBP,SHARED,%s,", l1[k], n1[k]);
        assert_non_null(strstr(line1, want1));
        snprintf(want2, sizeof want2, ",%s,CBP,SHARED,%s", l2[k], *l2[k] ? "25 kg seized" : ",");
        assert_non_null(strstr(line2, want2));
        if (!*l2[k]) assert_null(strstr(line2, "seized")); /* nothing of the hidden disposition */
        free(csv);
        /* the default queue: what the reader sees disposed leaves it */
        o = (one){0};
        assert_int_equal(cargo_queue(db, rs[k], NULL, one_row, &o, &err), PU_OK);
        assert_int_equal(o.n, *l2[k] ? 0 : 1);
        if (o.n) assert_string_equal(o.disp, "");
        /* statistics: L-2 pending for readers the disposition hides */
        char *js = NULL;
        size_t jn;
        f = open_memstream(&js, &jn);
        assert_int_equal(cargo_stats_write(db, rs[k], 1, f, &err), PU_OK);
        fclose(f);
        json_t *j = json_loads(js, 0, NULL);
        json_t *hold = json_object_get(json_object_get(j, "decisions"), "hold");
        assert_int_equal(json_integer_value(json_object_get(hold, "none")), *l2[k] ? 0 : 1);
        assert_int_equal(json_integer_value(json_object_get(hold, "held")), k ? 1 : 0);
        assert_int_equal(json_integer_value(json_object_get(hold, "inspected_found")), k ? 0 : 2);
        json_decref(j);
        free(js);
    }
    cargo_engine_free(e);
    store_close(st);
}

static void test_versions(void **state) {
    (void)state;
    store_t *st;
    pu_err err;
    assert_int_equal(store_open(test_store_uri(), &st, &err), PU_OK);
    db_t *db = store_db(st);
    assert_int_equal(cargo_migrate(db, &err), PU_OK);
    cargo_watchlist *w;
    assert_int_equal(cargo_watchlist_load(db, STORE_SYSTEM, 0, &w, &err), PU_OK);
    assert_int_equal(w->version, 0); /* bundled default */
    cargo_stamp s = {"PUENTE", "PUBLIC", "curator", "first"};
    assert_int_equal(cargo_watchlist_save(db, STORE_SYSTEM, w, &s, &err), PU_OK);
    assert_int_equal(w->version, 1);
    free(w->chem[0].name_es);
    w->chem[0].name_es = strdup("anhídrido acético (editado)");
    assert_int_equal(cargo_watchlist_save(db, STORE_SYSTEM, w, &s, &err), PU_OK);
    assert_int_equal(w->version, 2);
    cargo_watchlist_free(w);
    assert_int_equal(cargo_watchlist_load(db, STORE_SYSTEM, 1, &w, &err), PU_OK);
    assert_string_equal(w->chem[0].name_es, "anhídrido acético");
    cargo_watchlist_free(w);
    assert_int_equal(cargo_watchlist_load(db, STORE_SYSTEM, 0, &w, &err), PU_OK);
    assert_int_equal(w->version, 2);
    assert_string_equal(w->chem[0].name_es, "anhídrido acético (editado)");
    cargo_watchlist_free(w);
    assert_int_equal(cargo_watchlist_load(db, STORE_SYSTEM, 9, &w, &err), PU_ERR_NOTFOUND);
    cargo_rules *r;
    assert_int_equal(cargo_rules_load(db, STORE_SYSTEM, 0, &r, &err), PU_OK);
    r->rule[CARGO_SPLIT_SHIPMENT].weight = 33;
    cargo_stamp bad = {"", "PUBLIC", NULL, NULL};
    assert_int_equal(cargo_rules_save(db, STORE_SYSTEM, r, &bad, &err), PU_ERR_INVALID);
    assert_int_equal(cargo_rules_save(db, STORE_SYSTEM, r, &s, &err), PU_OK);
    cargo_rules_free(r);
    assert_int_equal(cargo_rules_load(db, STORE_SYSTEM, 0, &r, &err), PU_OK);
    assert_true(r->rule[CARGO_SPLIT_SHIPMENT].weight == 33);
    assert_int_equal(r->version, 1);
    cargo_rules_free(r);
    cargo_version_info *v;
    size_t n;
    assert_int_equal(cargo_versions(db, STORE_SYSTEM, "watchlist", &v, &n, &err), PU_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].version, 2);
    assert_string_equal(v[1].note, "first");
    free(v);
    store_close(st);
}

/* ---- quality on a labelled generated set ----------------------------------------------- */

static void test_quality(void **state) {
    (void)state;
    cargo_watchlist *w;
    assert_int_equal(cargo_watchlist_default(&w, NULL), PU_OK);
    char *man = NULL, *truth = NULL;
    size_t mn, tn;
    FILE *fm = open_memstream(&man, &mn), *ft = open_memstream(&truth, &tn);
    const char *designated[] = {"LOS ZETAS", NULL};
    cargo_gen_opts g = {7, 2500, 0, 0, designated, NULL, 0};
    assert_int_equal(cargo_generate(w, &g, fm, ft, NULL), PU_OK);
    fclose(fm);
    fclose(ft);
    cargo_watchlist_free(w);
    fake f = {0};
    cargo_engine *e = engine_with(fake_party, &f);
    cargo_batch *b;
    pu_err err;
    assert_int_equal(cargo_batch_new(e, NULL, &b, &err), PU_OK);
    cargo_reader *r;
    assert_int_equal(cargo_reader_open_mem(man, mn, CARGO_FMT_CSV, NULL, &r, &err), PU_OK);
    const cargo_manifest *m;
    while (cargo_reader_next(r, &m, &err) == PU_OK && m) assert_int_equal(cargo_batch_add(b, m, &err), PU_OK);
    cargo_reader_close(r);
    assert_int_equal(cargo_batch_finish(b, &err), PU_OK);
    size_t n = cargo_batch_count(b);
    assert_int_equal(n, 2500);
    /* truth lines are in manifest order */
    int64_t tot[CARGO_NKINDS] = {0}, hold[CARGO_NKINDS] = {0};
    char *save = NULL, *line = strtok_r(truth, "\n", &save);
    size_t i = 0;
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
        char *k = strchr(strchr(line, ',') + 1, ',') + 1;
        *strchr(k, ',') = '\0';
        int kind = cargo_kind_lookup(k);
        assert_true(kind >= 0);
        const cargo_result *res = cargo_batch_result(b, i);
        assert_non_null(res);
        tot[kind]++;
        hold[kind] += strcmp(res->decision, "hold") == 0;
    }
    assert_int_equal(i, n);
    int64_t pos = 0, tp = 0;
    for (int k = 1; k < CARGO_NKINDS; k++) { pos += tot[k]; tp += hold[k]; }
    assert_true(pos * 20 >= (int64_t)n);              /* at least 5 % true precursor/party shipments */
    assert_true(tp * 100 >= pos * 80);               /* overall hold recall >= 80 % */
    assert_true(tp * 100 >= (tp + hold[0]) * 95);     /* hold precision >= 95 % */
    const int named[] = {CARGO_KIND_DECLARED, CARGO_KIND_CAS_ONLY, CARGO_KIND_SYNONYM, CARGO_KIND_CODE_NAME,
                         CARGO_KIND_SPANISH, CARGO_KIND_SALT, CARGO_KIND_CHINGLISH, CARGO_KIND_PARTY};
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        int kind = named[k];
        assert_true(tot[kind] > 0);
        if (hold[kind] * 100 < tot[kind] * 95)
            fail_msg("kind %s: %lld of %lld held", cargo_kind_name(kind), (long long)hold[kind], (long long)tot[kind]);
    }
    cargo_batch_free(b);
    cargo_engine_free(e);
    free(man);
    free(truth);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cas_parse),
        cmocka_unit_test(test_cas_in_text),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_no_false_names),
        cmocka_unit_test(test_watchlist_csv),
        cmocka_unit_test(test_rules_csv),
        cmocka_unit_test(test_reader_csv),
        cmocka_unit_test(test_reader_jsonl_and_limits),
        cmocka_unit_test(test_curator_threshold_mexico),
        cmocka_unit_test(test_screen_mem_formats),
        cmocka_unit_test(test_screen_mem_refusals),
        cmocka_unit_test(test_bad_fields_still_screened),
        cmocka_unit_test(test_batch_save_in_caller_tx),
        cmocka_unit_test(test_history_scope),
        cmocka_unit_test(test_line_rules),
        cmocka_unit_test(test_split_and_history),
        cmocka_unit_test(test_parties),
#if CARGO_HAVE_SCREEN
        cmocka_unit_test(test_party_adapter),
        cmocka_unit_test(test_party_ownership),
#endif
        cmocka_unit_test(test_store_queue_dispose),
        cmocka_unit_test(test_scope_matrix),
        cmocka_unit_test(test_dispose_write_rule),
        cmocka_unit_test(test_disposition_marking),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
