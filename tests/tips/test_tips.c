/* test_tips.c - unit tests of the tip line (src/tips): the intake parser,
 * receipts, proof of work, states and routing, triage extraction, near-
 * duplicates, the store side (intake in one transaction, receipt checks,
 * visibility, state changes, purge with its audit entry) and the precision
 * and recall of proposed links on generated bilingual tips with known truth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "app/app.h"
#include "audit/audit.h"
#include "store/store.h"
#include "tips/tips.h"
#include "../test_store_uri.h"

/* ---- intake ---- */
static int parse(const char *json, tips_intake *t, pu_err *e) { return tips_intake_parse(json, strlen(json), t, e); }

static void test_intake_ok(void **state) {
    (void)state;
    tips_intake t;
    pu_err e;
    int rc = parse("{\"category\":\"firearms\",\"lang\":\"es\",\"text\":\"<script>alert(1)</script> armas\","
                   "\"answers\":{\"plates\":\"ABC1234\",\"where\":\"\"},\"state\":\"CHH\","
                   "\"pow\":{\"challenge\":\"c\",\"nonce\":\"n\"}}", &t, &e);
    assert_int_equal(rc, PU_OK);
    assert_string_equal(t.category, "firearms");
    assert_string_equal(t.country, "MX"); /* from the state */
    assert_string_equal(t.text, "<script>alert(1)</script> armas"); /* kept as text: shown inert */
    assert_int_equal(t.nanswers, 1);                                 /* the blank answer is dropped */
    assert_string_equal(t.qkey[0], "plates");
    assert_string_equal(t.pow_nonce, "n");
    tips_intake_free(&t);
}

static void expect_bad(const char *json, int code, const char *field) {
    tips_intake t;
    pu_err e;
    pu_err_clear(&e);
    int rc = parse(json, &t, &e);
    if (rc != code || (field && strcmp(e.field, field))) print_error("input %s: rc %d field '%s' (%s)\n", json, rc, e.field, e.msg);
    assert_int_equal(rc, code);
    if (field) assert_string_equal(e.field, field);
    assert_null(t.text); /* nothing kept */
}

static void test_intake_bad(void **state) {
    (void)state;
    expect_bad("{\"category\":\"guns\",\"lang\":\"es\",\"text\":\"x\"}", PU_ERR_INVALID, "category");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"fr\",\"text\":\"x\"}", PU_ERR_INVALID, "lang");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"   \"}", PU_ERR_INVALID, "text");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"x\",\"ip\":\"1.2.3.4\"}", PU_ERR_INVALID, "ip");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"x\",\"answers\":{\"serials\":\"1\"}}", PU_ERR_INVALID, "answers");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"a\\u0001b\"}", PU_ERR_INVALID, "text");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"a\\u0000b\"}", PU_ERR_INVALID, "body");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"\xff\xfe\"}", PU_ERR_INVALID, "body");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"x\",\"country\":\"US\",\"state\":\"CHH\"}", PU_ERR_INVALID, "state");
    expect_bad("{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"x\",\"state\":\"ZZ\"}", PU_ERR_INVALID, "state");
    expect_bad("[1,2]", PU_ERR_INVALID, "body");
    expect_bad("{\"category\":\"drugs\",\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"x\"}", PU_ERR_INVALID, "body");
    size_t n = TIPS_TEXT_MAX + 100;
    char *big = malloc(n + 100);
    assert_non_null(big);
    int k = snprintf(big, n + 100, "{\"category\":\"drugs\",\"lang\":\"es\",\"text\":\"");
    memset(big + k, 'a', n);
    memcpy(big + k + n, "\"}", 3);
    expect_bad(big, PU_ERR_LIMIT, "text");
    free(big);
}

/* ---- receipts ---- */
static void test_receipt(void **state) {
    (void)state;
    char r[TIPS_RECEIPT_MAX], r2[TIPS_RECEIPT_MAX], norm[TIPS_RECEIPT_MAX];
    pu_err e;
    assert_true(tips_receipt_bits() >= 80.0);
    assert_int_equal(tips_receipt_new(r, sizeof r, &e), PU_OK);
    assert_int_equal(tips_receipt_new(r2, sizeof r2, &e), PU_OK);
    assert_string_not_equal(r, r2);
    int spaces = 0;
    for (const char *p = r; *p; p++) spaces += *p == ' ';
    assert_int_equal(spaces, TIPS_RECEIPT_WORDS - 1);
    /* typed in capitals with hyphens: the same receipt */
    char typed[TIPS_RECEIPT_MAX];
    size_t i = 0;
    for (const char *p = r; *p && i + 2 < sizeof typed; p++) typed[i++] = *p == ' ' ? '-' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    typed[i] = '\0';
    assert_int_equal(tips_receipt_norm(typed, norm, sizeof norm), PU_OK);
    assert_string_equal(norm, r);
    /* one word missing, one word too many, a word not in the list */
    char shorter[TIPS_RECEIPT_MAX];
    pu_strlcpy(shorter, r, sizeof shorter);
    *strrchr(shorter, ' ') = '\0';
    assert_int_equal(tips_receipt_norm(shorter, norm, sizeof norm), PU_ERR_INVALID);
    char longer[2 * TIPS_RECEIPT_MAX];
    snprintf(longer, sizeof longer, "%s abacus", r);
    assert_int_equal(tips_receipt_norm(longer, norm, sizeof norm), PU_ERR_INVALID);
    assert_int_equal(tips_receipt_norm("abacus abacus abacus abacus abacus abacus zzzzqx", norm, sizeof norm), PU_ERR_INVALID);
    assert_int_equal(tips_receipt_norm("abacus abacus abacus abacus abacus abacus abacus", norm, sizeof norm), PU_OK);
    /* every receipt reads back as itself: 3,000 of them hold about 75 words
     * of any 4 in the list, so a word that does not (the EFF list's
     * hyphenated ones) would be drawn with near certainty */
    for (int i = 0; i < 3000; i++) {
        char fresh[TIPS_RECEIPT_MAX + 1];
        assert_int_equal(tips_receipt_new(fresh, sizeof fresh, &e), PU_OK);
        assert_int_equal(tips_receipt_norm(fresh, norm, sizeof norm), PU_OK);
        assert_string_equal(norm, fresh);
    }
}

/* ---- proof of work ---- */
static void test_pow(void **state) {
    (void)state;
    setenv("PUENTE_TIPS_POW_BITS", "6", 1);
    tips_guard_reset();
    char ch[128], nonce[64];
    int bits;
    pu_err e;
    int64_t now = 1000000;
    assert_int_equal(tips_pow_challenge(now, ch, sizeof ch, &bits, &e), PU_OK);
    assert_int_equal(bits, 6);
    assert_true(tips_pow_solve(ch, bits, nonce, sizeof nonce));
    /* expired, then tampered, then good, then replayed */
    assert_int_equal(tips_pow_check(ch, nonce, now + 601, &e), PU_ERR_INVALID);
    char bad[128];
    pu_strlcpy(bad, ch, sizeof bad);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
    assert_int_equal(tips_pow_check(bad, nonce, now, &e), PU_ERR_INVALID);
    char easier[128]; /* claims fewer bits: the MAC no longer fits */
    pu_strlcpy(easier, ch, sizeof easier);
    char *dot = strchr(strchr(easier, '.') + 1, '.');
    dot[1] = '1';
    assert_int_equal(tips_pow_check(easier, nonce, now, &e), PU_ERR_INVALID);
    assert_int_equal(tips_pow_check(ch, nonce, now, &e), PU_OK);
    assert_int_equal(tips_pow_check(ch, nonce, now, &e), PU_ERR_CONFLICT);
    /* difficulty rises with load */
    for (int i = 0; i < 200; i++) tips_guard_note_tip(now);
    assert_true(tips_pow_bits(now) > 6);
    assert_int_equal(tips_pow_bits(now + 2 * TIPS_LOAD_WINDOW), 6); /* and falls back */
    /* per-tip message limit */
    for (int i = 0; i < TIPS_REPLIES_PER_HOUR; i++) assert_true(tips_guard_take_reply("tip-x", now));
    assert_false(tips_guard_take_reply("tip-x", now));
    assert_true(tips_guard_take_reply("tip-y", now));
    assert_true(tips_guard_take_reply("tip-x", now + 3600));
}

/* ---- states and routing ---- */
static void test_states_routing(void **state) {
    (void)state;
    int reason;
    assert_true(tips_transition_ok("new", "triaged", &reason) && !reason);
    assert_true(tips_transition_ok("new", "closed", &reason) && !reason);
    assert_false(tips_transition_ok("assigned", "triaged", &reason));
    assert_true(tips_transition_ok("closed", "triaged", &reason) && reason);
    assert_false(tips_transition_ok("closed", "assigned", &reason));
    assert_false(tips_transition_ok("new", "new", &reason));
    assert_string_equal(tips_route("firearms", "US", "es"), "ATF");
    assert_string_equal(tips_route("firearms", "MX", "en"), "FGR");
    assert_string_equal(tips_route("disappearance", "", "es"), "CNB");
    assert_string_equal(tips_route("drugs", "", "en"), "DEA");
}

/* ---- triage ---- */
typedef struct found { char kv[64][96]; int n; } found;
static int collect(const char *kind, const char *value, void *ctx) {
    found *f = ctx;
    if (f->n < 64) snprintf(f->kv[f->n++], sizeof f->kv[0], "%s=%s", kind, value);
    return PU_OK;
}
static int has(const found *f, const char *kv) {
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->kv[i], kv)) return 1;
    return 0;
}

static void test_extract(void **state) {
    (void)state;
    found f = {0};
    pu_err e;
    const char *text = "Dicen que El Huevo vende rifles en Ciudad Juárez, Chihuahua. Su tel 044 656 123 4567 y "
                       "otro +1 (915) 555-0123. Usa una Lobo con placas ABC-123-D; el rifle tiene número de serie "
                       "AK4471234. Compra efedrina (CAS 299-42-3, and also 110-63-4) a Químicos del Norte S.A. de C.V. "
                       "el 3 de mayo; guía 123-45678901. Su socio, alias La Güera, vive en Sinaloa. Seen 2026-04-30. "
                       "A friend in El Paso said so.";
    assert_int_equal(tips_extract(text, collect, &f, &e), PU_OK);
    const char *want[] = {"phone=+52 6561234567", "phone=+1 9155550123", "plate=ABC123D", "serial=AK4471234",
                          "cas=299-42-3", "chemical=ephedrine", "nickname=El Huevo", "nickname=La Güera",
                          "state=CHH", "state=SIN", "date=--05-03", "date=2026-04-30", "awb=123-45678901"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!has(&f, want[i])) {
            for (int k = 0; k < f.n; k++) print_error("  got %s\n", f.kv[k]);
            fail_msg("missing %s", want[i]);
        }
    }
    assert_false(has(&f, "nickname=El Paso")); /* a city, not a nickname */
    assert_true(has(&f, "cas=110-63-4"));
    int companies = 0;
    for (int k = 0; k < f.n; k++) companies += !strncmp(f.kv[k], "company=Químicos del Norte", 26);
    assert_int_equal(companies, 1);
    assert_true(has(&f, "municipality=Juárez (Ciudad Juárez), CHH"));
    /* municipalities by the names tips use; a surname or a common word is none */
    found m = {0};
    assert_int_equal(tips_extract("Lo vi en Culiacán y luego en Nuevo Laredo; the guns go to Los Mochis and Tijuana. "
                                  "Su primo Zamora vive en paz.", collect, &m, &e), PU_OK);
    const char *mun[] = {"municipality=Culiacán, SIN", "municipality=Nuevo Laredo, TAM",
                         "municipality=Ahome (Los Mochis), SIN", "municipality=Tijuana, BCN"};
    for (size_t i = 0; i < sizeof mun / sizeof mun[0]; i++) assert_true(has(&m, mun[i]));
    int nmun = 0;
    for (int k = 0; k < m.n; k++) nmun += !strncmp(m.kv[k], "municipality=", 13);
    assert_int_equal(nmun, 4);
    /* a wrong CAS check digit is not a CAS number */
    found g = {0};
    assert_int_equal(tips_extract("CAS 299-42-4 only", collect, &g, &e), PU_OK);
    assert_false(has(&g, "cas=299-42-4"));
}

static void test_spam(void **state) {
    (void)state;
    assert_true(tips_spam("buy now http://a.example http://b.example www.c.example cheap"));
    assert_true(tips_spam("!!!!"));
    assert_true(tips_spam("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa help"));
    assert_false(tips_spam("El Huevo vende armas en la colonia Anapra los viernes"));
    assert_false(tips_spam("Vi una camioneta gris en https://maps.example/x cerca del puente"));
}

static void test_simhash(void **state) {
    (void)state;
    const char *a = "Un hombre apodado El Huevo vende armas largas cada viernes en la colonia Anapra de Ciudad Juárez "
                    "desde una camioneta gris, y las cruza a Chihuahua con ayuda de su primo";
    const char *b = "Un hombre apodado El Huevo vende armas largas cada viernes en la colonia Anapra de Ciudad Juarez "
                    "desde una camioneta gris, y las cruza a Chihuahua con ayuda de su primo.";
    const char *c = "A woman in Laredo sells pills at a car wash near the bridge on weekends; she drives a red sedan";
    int near = __builtin_popcountll(tips_simhash(a) ^ tips_simhash(b));
    int far = __builtin_popcountll(tips_simhash(a) ^ tips_simhash(c));
    assert_true(near <= TIPS_DUP_BITS);
    assert_true(far > TIPS_DUP_BITS);
}

/* ---- the store side ---- */
static store_t *open_store(void) {
    store_t *st;
    pu_err e;
    assert_int_equal(store_open(test_store_uri(), &st, &e), PU_OK);
    assert_int_equal(app_migrate(store_db(st), &e), PU_OK); /* triage reads the other engines' tables */
    return st;
}

static void file_tip(db_t *db, const char *cat, const char *lang, const char *country, const char *text,
                     tips_receipt_out *out) {
    char body[4096];
    snprintf(body, sizeof body, "{\"category\":\"%s\",\"lang\":\"%s\",\"country\":\"%s\",\"text\":\"%s\"}", cat, lang,
             country, text);
    tips_intake in;
    pu_err e;
    assert_int_equal(tips_intake_parse(body, strlen(body), &in, &e), PU_OK);
    int rc = tips_submit(db, &in, out, &e);
    if (rc) print_error("submit: %s\n", e.msg);
    assert_int_equal(rc, PU_OK);
    tips_intake_free(&in);
}

static int64_t count(db_t *db, const char *sql) {
    int64_t n = -1;
    pu_err e;
    assert_int_equal(db_query_int64(db, sql, NULL, &n, &e), PU_OK);
    return n;
}

static void test_store_flow(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    tips_receipt_out a, b;
    file_tip(db, "firearms", "es", "MX", "El Huevo vende rifles, tel 656 123 4567", &a);
    assert_string_equal(a.owner, "FGR");
    assert_true(a.entities >= 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM tip WHERE received_day LIKE '____-__-__'"), 1);
    /* only the hash is stored, never the receipt */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM tip WHERE receipt_hash LIKE '$argon2id$%'"), 1);
    file_tip(db, "firearms", "en", "US", "Guy called El Huevo sells rifles from a truck, phone 656-123-4567", &b);
    assert_string_equal(b.owner, "ATF");

    /* the tipster's side */
    tips_tipster_view v;
    assert_int_equal(tips_receipt_open(db, a.receipt, &v, &e), PU_OK);
    assert_string_equal(v.category, "firearms");
    assert_string_equal(v.status, "open");
    assert_int_equal(v.nmessages, 0);
    tips_tipster_view_free(&v);
    assert_int_equal(tips_receipt_open(db, "abacus abacus abacus abacus abacus abacus abacus", &v, &e), PU_ERR_NOTFOUND);
    char wrong_msg[PU_ERR_MSG_MAX];
    pu_strlcpy(wrong_msg, e.msg, sizeof wrong_msg);
    assert_int_equal(tips_receipt_open(db, "short", &v, &e), PU_ERR_NOTFOUND);
    assert_string_equal(e.msg, wrong_msg); /* one uniform answer */

    /* visibility: FGR sees its tip, ATF does not; neither sees the other's */
    store_scope fgr = {0, "MX", "FGR"}, atf = {0, "US", "ATF"}, dea = {0, "US", "DEA"};
    tips_detail d;
    assert_int_equal(tips_get(db, &fgr, a.id, &d, &e), PU_OK);
    assert_string_equal(d.status, "new");
    assert_non_null(strstr(d.text, "El Huevo"));
    /* the proposed link to b is hidden from FGR: b is ATF's AGENCY-ONLY tip */
    for (size_t i = 0; i < d.nlinks; i++) assert_string_not_equal(d.links[i].target, b.id);
    tips_detail_free(&d);
    assert_int_equal(tips_get(db, &atf, a.id, &d, &e), PU_ERR_NOTFOUND);
    assert_int_equal(tips_get(db, &atf, b.id, &d, &e), PU_OK);
    int to_a = 0;
    for (size_t i = 0; i < d.nlinks; i++) to_a |= !strcmp(d.links[i].target, a.id);
    assert_false(to_a); /* a is FGR's, AGENCY-ONLY */
    tips_detail_free(&d);

    /* FGR releases a to SHARED: now ATF sees a (read only) and the link */
    tips_change rel = {"triaged", NULL, NULL, "SHARED", "fgr.tip", 0};
    assert_int_equal(tips_set_state(db, &fgr, a.id, &rel, &e), PU_OK);
    assert_int_equal(tips_get(db, &atf, a.id, &d, &e), PU_OK);
    tips_detail_free(&d);
    tips_change steal = {"assigned", NULL, "ATF", NULL, "atf.tip", 0};
    assert_int_equal(tips_set_state(db, &atf, a.id, &steal, &e), PU_ERR_DENIED);

    /* a question and an answer */
    assert_int_equal(tips_handler_message(db, &fgr, a.id, "fgr.tip", "¿De qué color es la camioneta?", &e), PU_OK);
    assert_int_equal(tips_handler_message(db, &dea, a.id, "dea.tip", "hi", &e), PU_ERR_DENIED);
    char id[TIPS_ID_MAX];
    assert_int_equal(tips_tipster_reply(db, a.receipt, "Gris, una Lobo", id, &e), PU_OK);
    assert_string_equal(id, a.id);
    assert_int_equal(tips_receipt_open(db, a.receipt, &v, &e), PU_OK);
    assert_int_equal(v.nmessages, 2);
    assert_string_equal(v.messages[0].author, "handler");
    assert_string_equal(v.messages[1].text, "Gris, una Lobo");
    tips_tipster_view_free(&v);

    /* states: close, reopen needs a reason */
    tips_change close = {"closed", NULL, NULL, NULL, "fgr.tip", 0};
    assert_int_equal(tips_set_state(db, &fgr, a.id, &close, &e), PU_OK);
    assert_int_equal(tips_tipster_reply(db, a.receipt, "more", id, &e), PU_ERR_CONFLICT);
    tips_change reopen = {"triaged", NULL, NULL, NULL, "fgr.tip", 0};
    assert_int_equal(tips_set_state(db, &fgr, a.id, &reopen, &e), PU_ERR_INVALID);
    assert_string_equal(e.field, "reason");
    reopen.reason = "new information from the tipster";
    assert_int_equal(tips_set_state(db, &fgr, a.id, &reopen, &e), PU_OK);
    tips_change back = {"new", NULL, NULL, NULL, "fgr.tip", 0};
    assert_int_equal(tips_set_state(db, &fgr, a.id, &back, &e), PU_ERR_CONFLICT);

    /* confirm a link: the tip becomes linked and counts */
    assert_int_equal(tips_get(db, &atf, b.id, &d, &e), PU_OK);
    assert_true(d.nlinks >= 1);
    int64_t lid = d.links[0].id;
    tips_detail_free(&d);
    assert_int_equal(tips_link_decide(db, &atf, b.id, lid, "maybe", "atf.tip", &e), PU_ERR_INVALID);
    assert_int_equal(tips_link_decide(db, &atf, b.id, lid, "confirmed", "atf.tip", &e), PU_OK);
    tips_indicators x;
    assert_int_equal(tips_indicators_get(db, &atf, &x, &e), PU_OK);
    assert_int_equal(x.received, 2); /* b and the SHARED a */
    assert_int_equal(x.linked, 1);
    assert_int_equal(x.links_confirmed, 1);
    assert_int_equal(tips_indicators_get(db, &dea, &x, &e), PU_OK);
    assert_int_equal(x.received, 1); /* only the SHARED a */

    /* retention: close a, purge as of 91 days later; the purge is audited */
    assert_int_equal(tips_set_state(db, &fgr, a.id, &close, &e), PU_OK);
    int64_t n = -1;
    char today[11];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    assert_int_equal(tips_purge(db, 90, today, "test", &n, &e), PU_OK);
    assert_int_equal(n, 0); /* closed today: kept */
    t += 91 * 86400;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    assert_int_equal(tips_purge(db, 90, today, "test", &n, &e), PU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tips_get(db, STORE_SYSTEM, a.id, &d, &e), PU_ERR_NOTFOUND);
    assert_int_equal(tips_receipt_open(db, a.receipt, &v, &e), PU_ERR_NOTFOUND);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM tip_message"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'tip.purge'"), 2);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE action = 'tip.purge' AND targets = '%s'", a.id);
    assert_int_equal(count(db, sql), 1);
    assert_int_equal(tips_purge(db, 0, today, "test", &n, &e), PU_ERR_INVALID);
    store_close(st);
}

/* ---- attachments ---- */
static const unsigned char JPEG[] = {0xFF, 0xD8,                                            /* SOI */
                                     0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F',            /* APP0 */
                                     0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P', 'S', 'M', 'A', 'R', 'K', 'X',
                                     0xFF, 0xFE, 0x00, 0x06, 'c', 'o', 'm', 'm',            /* COM */
                                     0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0x11, 0x22, 0x33,  /* SOS + data */
                                     0xFF, 0xD9};
static const unsigned char PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                    0, 0, 0, 2, 'I', 'H', 'D', 'R', 1, 2, 9, 9, 9, 9,
                                    0, 0, 0, 7, 't', 'E', 'X', 't', 'G', 'P', 'S', 'M', 'A', 'R', 'K', 9, 9, 9, 9,
                                    0, 0, 0, 0, 'I', 'E', 'N', 'D', 9, 9, 9, 9};

static int contains(const unsigned char *d, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(d + i, needle, k)) return 1;
    return 0;
}

static void test_attach_types_strip(void **state) {
    (void)state;
    assert_string_equal(tips_attach_type(JPEG, sizeof JPEG), "image/jpeg");
    assert_string_equal(tips_attach_type(PNG, sizeof PNG), "image/png");
    assert_string_equal(tips_attach_type((const unsigned char *)"%PDF-1.7 x", 10), "application/pdf");
    assert_string_equal(tips_attach_type((const unsigned char *)"hola señor", 11), "text/plain");
    assert_null(tips_attach_type((const unsigned char *)"PK\x03\x04zip", 7));      /* an archive: refused */
    assert_null(tips_attach_type((const unsigned char *)"\x1f\x8b\x08\0gz", 6)); /* gzip: refused */
    unsigned char *out;
    size_t n;
    assert_int_equal(tips_attach_strip("image/jpeg", JPEG, sizeof JPEG, &out, &n), PU_OK);
    assert_non_null(out);
    assert_false(contains(out, n, "GPSMARK"));
    assert_false(contains(out, n, "comm"));
    assert_true(contains(out, n, "JFIF"));
    assert_int_equal(out[n - 1], 0xD9);
    free(out);
    assert_int_equal(tips_attach_strip("image/png", PNG, sizeof PNG, &out, &n), PU_OK);
    assert_non_null(out);
    assert_false(contains(out, n, "GPSMARK"));
    assert_true(contains(out, n, "IHDR") && contains(out, n, "IEND"));
    free(out);
    unsigned char broken[sizeof JPEG];
    memcpy(broken, JPEG, sizeof JPEG);
    broken[13] = 0xFF; /* APP1 length past the end */
    assert_int_equal(tips_attach_strip("image/jpeg", broken, sizeof broken, &out, &n), PU_ERR_INVALID);
    /* a PDF with an information dictionary and XMP naming its author */
    static const char PDF[] =
        "%PDF-1.4\n"
        "1 0 obj << /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        "4 0 obj << /Type /Metadata /Subtype /XML /Length 46 >> stream\n"
        "<x:xmpmeta>Rosa Icela Tipster</x:xmpmeta>     \n"
        "endstream endobj\n"
        "5 0 obj << /Author (Rosa Icela Tipster) /Creator (Laptop-of-Rosa) >> endobj\n"
        "trailer << /Root 1 0 R /Info 5 0 R /Size 6 >>\n"
        "%%EOF\n";
    const unsigned char *pdf = (const unsigned char *)PDF;
    assert_true(contains(pdf, sizeof PDF - 1, "Rosa Icela"));
    assert_int_equal(tips_attach_strip("application/pdf", pdf, sizeof PDF - 1, &out, &n), PU_OK);
    assert_non_null(out);
    assert_false(contains(out, n, "Rosa Icela"));
    assert_false(contains(out, n, "Laptop-of-Rosa"));
    assert_true(n > 5 && !memcmp(out, "%PDF-", 5));
    assert_true(contains(out, n, "/MediaBox")); /* the page is still there */
    unsigned char *again;
    size_t n2;
    assert_int_equal(tips_attach_strip("application/pdf", out, n, &again, &n2), PU_OK); /* it reads back */
    free(again);
    free(out);
    assert_int_equal(tips_attach_strip("application/pdf", (const unsigned char *)"%PDF-1.4 garbage", 16, &out, &n),
                     PU_ERR_INVALID);
    assert_null(out);
}

static void test_attach_sealed(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    pu_err e;
    tips_receipt_out a;
    file_tip(db, "firearms", "es", "MX", "El Huevo y sus fotos", &a);
    tips_attachment_out o;
    assert_int_equal(tips_attach_add(db, a.id, "FGR", JPEG, sizeof JPEG, &o, &e), PU_ERR_CONFLICT); /* no key yet */
    char hex[65], path[] = "/tmp/puente-tips-keys-XXXXXX";
    assert_int_equal(tips_agency_keygen(db, "FGR", hex, &e), PU_OK);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char line[128];
    int k = snprintf(line, sizeof line, "FGR %s\n", hex);
    assert_int_equal(write(fd, line, (size_t)k), k);
    close(fd);
    setenv("PUENTE_TIPS_KEY_FILE", path, 1);
    assert_int_equal(tips_attach_add(db, a.id, "FGR", JPEG, sizeof JPEG, &o, &e), PU_OK);
    assert_true(o.stripped);
    assert_string_equal(o.type, "image/jpeg");
    assert_int_equal(tips_attach_add(db, a.id, "FGR", (const unsigned char *)"PK\x03\x04", 4, &o, &e), PU_ERR_UNSUPPORTED);
    /* the store holds no plain byte of the file */
    db_stmt *q;
    assert_int_equal(db_prepare(db, "SELECT original, clean FROM tip_attachment", &q, &e), PU_OK);
    int rows = 0;
    while (db_step(q, &e) == DB_ROW) {
        size_t n0, n1;
        const unsigned char *o0 = db_col_blob(q, 0, &n0), *o1 = db_col_blob(q, 1, &n1);
        assert_false(contains(o0, n0, "GPSMARK") || contains(o0, n0, "JFIF") || contains(o1, n1, "JFIF"));
        rows++;
    }
    db_finalize(q);
    assert_int_equal(rows, 1);
    store_scope fgr = {0, "MX", "FGR"}, atf = {0, "US", "ATF"};
    unsigned char *data;
    size_t n;
    char type[32];
    int64_t id = count(db, "SELECT MAX(id) FROM tip_attachment");
    assert_int_equal(tips_attach_open(db, &fgr, a.id, id, 1, &data, &n, type, &e), PU_OK);
    assert_int_equal(n, sizeof JPEG);
    assert_memory_equal(data, JPEG, n); /* the original, as evidence */
    free(data);
    assert_int_equal(tips_attach_open(db, &fgr, a.id, id, 0, &data, &n, type, &e), PU_OK);
    assert_false(contains(data, n, "GPSMARK"));
    free(data);
    /* released to every agency: the tip yes, its files no */
    tips_change rel = {"triaged", NULL, NULL, "SHARED", "fgr.tip", 0};
    assert_int_equal(tips_set_state(db, &fgr, a.id, &rel, &e), PU_OK);
    assert_int_equal(tips_attach_open(db, &atf, a.id, id, 0, &data, &n, type, &e), PU_ERR_DENIED);
    /* a new pair (rotation): new files go to it, the old line still opens the old file */
    assert_int_equal(tips_agency_keygen(db, "FGR", hex, &e), PU_OK);
    assert_int_equal(tips_attach_open(db, &fgr, a.id, id, 1, &data, &n, type, &e), PU_OK);
    free(data);
    /* another agency's key cannot open it */
    assert_int_equal(tips_agency_keygen(db, "ATF", hex, &e), PU_OK);
    fd = open(path, O_WRONLY | O_TRUNC);
    k = snprintf(line, sizeof line, "FGR %s\n", hex); /* ATF's secret under FGR's name */
    assert_int_equal(write(fd, line, (size_t)k), k);
    close(fd);
    assert_int_equal(tips_attach_open(db, &fgr, a.id, id, 1, &data, &n, type, &e), PU_ERR_DENIED);
    unlink(path);
    unsetenv("PUENTE_TIPS_KEY_FILE");
    store_close(st);
}

/* ---- precision and recall of proposed links on generated tips ----
 * Groups of 2-3 tips share a planted phone, plate, nickname or company
 * (in English and Spanish wording); the other tips share nothing. The truth
 * is the set of tip pairs in one group; a proposed tip-to-tip link counts. */
#define GEN_GROUPS 30
#define GEN_SINGLES 60

static const char *const NICK[] = {"El Huevo", "La Güera", "El Flaco", "El Chapo Chico", "La Tía", "El Güero Palma",
                                   "El Mochomo", "La Reina", "El Cholo", "El Gordo"};
static const char *const ES_T[] = {
    "Vi a %s vendiendo armas cerca del mercado de %s, a veces trae una camioneta %s.",
    "Mi vecino dice que %s mueve cristal por %s los fines de semana en una %s.",
    "En %s hay una bodega donde %s guarda cajas; llegan en una %s sin logotipo."};
static const char *const EN_T[] = {
    "I saw %s selling guns near the flea market in %s, usually with a %s truck.",
    "My neighbour says %s moves meth through %s on weekends in a %s.",
    "In %s there is a warehouse where %s keeps boxes; they arrive in a %s van."};
static const char *const TOWN[] = {"Nogales", "Reynosa", "Tijuana", "Laredo", "Mexicali", "Juárez", "Matamoros",
                                   "Piedras Negras", "Agua Prieta", "Ojinaga", "Sonoyta", "Naco"};
static const char *const COLOUR[] = {"gris", "blanca", "roja", "negra", "azul", "verde", "red", "white", "black"};

static void gen_text(unsigned *seed, int en, const char *planted, char *out, size_t size) {
    const char *t = en ? EN_T[rand_r(seed) % 3] : ES_T[rand_r(seed) % 3];
    char who[64];
    snprintf(who, sizeof who, "un tal %c%c", 'A' + rand_r(seed) % 26, 'a' + rand_r(seed) % 26);
    const char *town = TOWN[rand_r(seed) % 12], *col = COLOUR[rand_r(seed) % 9];
    char base[512];
    if (t == ES_T[2] || t == EN_T[2]) snprintf(base, sizeof base, t, town, who, col);
    else snprintf(base, sizeof base, t, who, town, col);
    snprintf(out, size, "%s %s", base, planted);
}

static void planted_value(int g, int en, char *out, size_t size) {
    switch (g % 4) {
    case 0: snprintf(out, size, en ? "His cell is 656-%03d-%04d." : "Su celular es 656 %03d %04d.", 200 + g, 1000 + 37 * g); break;
    case 1: snprintf(out, size, en ? "Plates %c%cK%04d." : "Trae placas %c%cK-%04d.", 'A' + g % 26, 'B' + g % 20, 1000 + g); break;
    case 2: snprintf(out, size, en ? "They call him alias %s %d." : "Le dicen alias %s %d.", NICK[(g / 4) % 10], g); break;
    default: snprintf(out, size, "%s Comercial Norte%d S.A. de C.V.", en ? "The front is" : "La fachada es", g); break;
    }
}

static int same_group(int gi, int gj) { return gi >= 0 && gi == gj; }

static void test_links_precision_recall(void **state) {
    (void)state;
    store_t *st = open_store();
    db_t *db = store_db(st);
    unsigned seed = 20;
    int ntips = 0;
    char ids[GEN_GROUPS * 3 + GEN_SINGLES][TIPS_ID_MAX];
    int group[GEN_GROUPS * 3 + GEN_SINGLES];
    for (int g = 0; g < GEN_GROUPS; g++) {
        int members = 2 + g % 2;
        for (int m = 0; m < members; m++) {
            char planted[128], text[1024];
            int en = (g + m) % 2;
            planted_value(g, en, planted, sizeof planted);
            gen_text(&seed, en, planted, text, sizeof text);
            tips_receipt_out out;
            file_tip(db, "drugs", en ? "en" : "es", "", text, &out);
            pu_strlcpy(ids[ntips], out.id, TIPS_ID_MAX);
            group[ntips++] = g;
        }
    }
    for (int s = 0; s < GEN_SINGLES; s++) {
        char text[1024], planted[64];
        snprintf(planted, sizeof planted, "Pasa cada %d días.", 2 + s);
        gen_text(&seed, s % 2, planted, text, sizeof text);
        tips_receipt_out out;
        file_tip(db, "drugs", s % 2 ? "en" : "es", "", text, &out);
        pu_strlcpy(ids[ntips], out.id, TIPS_ID_MAX);
        group[ntips++] = -1 - s;
    }
    /* truth pairs and proposed pairs (a link is proposed from the later tip) */
    int truth = 0, proposed = 0, right = 0;
    for (int i = 0; i < ntips; i++)
        for (int j = i + 1; j < ntips; j++) truth += same_group(group[i], group[j]);
    pu_err e;
    for (int i = 0; i < ntips; i++) {
        tips_detail d;
        assert_int_equal(tips_get(db, STORE_SYSTEM, ids[i], &d, &e), PU_OK);
        char seen[16][TIPS_ID_MAX];
        int nseen = 0;
        for (size_t l = 0; l < d.nlinks; l++) {
            if (strcmp(d.links[l].kind, "tip")) continue;
            int dup = 0;
            for (int k = 0; k < nseen; k++) dup |= !strcmp(seen[k], d.links[l].target);
            if (dup || nseen >= 16) continue;
            pu_strlcpy(seen[nseen++], d.links[l].target, TIPS_ID_MAX);
            int j = -1;
            for (int k = 0; k < ntips; k++)
                if (!strcmp(ids[k], d.links[l].target)) j = k;
            proposed++;
            right += j >= 0 && same_group(group[i], group[j]);
            if (j < 0 || !same_group(group[i], group[j])) printf("# wrong: %s\n", d.links[l].evidence);
        }
        tips_detail_free(&d);
    }
    double precision = proposed ? (double)right / proposed : 0, recall = truth ? (double)right / truth : 0;
    printf("# tip-to-tip link proposals on %d generated tips (EN+ES), %d true pairs: precision %.3f, recall %.3f\n",
           ntips, truth, precision, recall);
    assert_true(truth > 30);
    assert_true(precision >= 0.9);
    assert_true(recall >= 0.9);
    store_close(st);
}

/* The server warns when a test override weakens the tip line; the
 * defaults never do. */
static void test_weakened_warning(void **state) {
    (void)state;
    char kdf[64] = "", pow[16] = "", msg[320];
    const char *k = getenv("PUENTE_TIPS_KDF"), *p = getenv("PUENTE_TIPS_POW_BITS");
    if (k) pu_strlcpy(kdf, k, sizeof kdf);
    if (p) pu_strlcpy(pow, p, sizeof pow);
    unsetenv("PUENTE_TIPS_KDF");
    unsetenv("PUENTE_TIPS_POW_BITS");
    assert_int_equal(tips_weakened(msg, sizeof msg), 0);
    assert_string_equal(msg, "");
    setenv("PUENTE_TIPS_KDF", "1:8192", 1);
    assert_int_equal(tips_weakened(msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "PUENTE_TIPS_KDF=1:8192"));
    assert_null(strstr(msg, "POW"));
    setenv("PUENTE_TIPS_POW_BITS", "8", 1);
    assert_int_equal(tips_weakened(msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "PUENTE_TIPS_POW_BITS=8"));
    unsetenv("PUENTE_TIPS_KDF");
    setenv("PUENTE_TIPS_POW_BITS", "20", 1); /* harder than the default is not a weakening */
    assert_int_equal(tips_weakened(msg, sizeof msg), 0);
    unsetenv("PUENTE_TIPS_POW_BITS");
    if (*kdf) setenv("PUENTE_TIPS_KDF", kdf, 1);
    if (*pow) setenv("PUENTE_TIPS_POW_BITS", pow, 1);
}

int main(void) {
    setenv("PUENTE_TIPS_KDF", "1:8192", 1); /* libsodium's minimum: the unit tests check logic, bench/tips the cost */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intake_ok),   cmocka_unit_test(test_intake_bad),  cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_pow),         cmocka_unit_test(test_states_routing), cmocka_unit_test(test_extract),
        cmocka_unit_test(test_simhash),     cmocka_unit_test(test_spam),     cmocka_unit_test(test_store_flow),
        cmocka_unit_test(test_links_precision_recall), cmocka_unit_test(test_attach_types_strip),
        cmocka_unit_test(test_attach_sealed), cmocka_unit_test(test_weakened_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
