/* tips_gen.c - generated bilingual tips for `make demo`, the benchmark and
 * the link evaluation: templates per category in English and Spanish,
 * places, and planted shared facts (a phone, a plate, a nickname, a
 * company) across small groups of tips, plus serials, air waybills and
 * substances taken from the store when trace, cargo and early-warning data
 * are there. Deterministic for a seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tips/tips_int.h"

static const char *const ES[][2] = {
    {"firearms", "Vi a %s vender rifles en %s; los guarda en una camioneta %s. %s"},
    {"firearms", "En %s, %s compra pistolas en Texas y las cruza escondidas en una %s. %s"},
    {"drugs", "%s mueve cristal y fentanilo en %s los fines de semana, en un carro %s. %s"},
    {"precursors", "Llegan tambos sin etiqueta a una bodega de %s; %s los recibe de noche con una troca %s. %s"},
    {"smuggling", "En %s %s cobra por cruzar gente por el desierto; usa una camioneta %s. %s"},
    {"disappearance", "Mi primo desapareció en %s; lo vieron con %s subiendo a una camioneta %s. %s"},
    {"corruption", "Un agente en %s deja pasar camiones de %s a cambio de dinero; maneja una %s. %s"},
};
static const char *const EN[][2] = {
    {"firearms", "I saw %s selling rifles in %s; he keeps them in a %s pickup. %s"},
    {"firearms", "In %s, %s buys pistols at gun shows and drives them south in a %s van. %s"},
    {"drugs", "%s moves meth and fentanyl pills around %s on weekends, in a %s sedan. %s"},
    {"precursors", "Unlabelled drums arrive at a warehouse in %s; %s picks them up at night with a %s truck. %s"},
    {"smuggling", "In %s %s charges people to cross the desert; he drives a %s SUV. %s"},
    {"disappearance", "My cousin went missing in %s; he was last seen with %s getting into a %s pickup. %s"},
    {"corruption", "An officer in %s lets trucks of %s through for cash; he drives a %s car. %s"},
};
static const char *const PLACE[][2] = {{"Ciudad Juárez", "CHH"}, {"Nogales", "SON"}, {"Reynosa", "TAM"},
                                       {"Tijuana", "BCN"},        {"Culiacán", "SIN"}, {"Nuevo Laredo", "TAM"},
                                       {"El Paso", "TX"},          {"Laredo", "TX"},    {"Tucson", "AZ"},
                                       {"San Diego", "CA"}};
static const char *const WHO[] = {"un señor de bigote", "a tall man", "el vecino de la esquina", "a woman called Maru",
                                  "dos hermanos", "a guy from Phoenix", "el encargado del taller", "some kid"};
static const char *const COLOUR[] = {"gris", "blanca", "roja", "negra", "gray", "white", "red", "black"};
static const char *const NICK[] = {"El Huevo", "La Güera", "El Flaco", "El Mochomo", "La Tía", "El Cholo", "El Gordo",
                                   "El Chamaco", "La Jefa", "El Compa", "El Tigre", "La Chata"};

/* A fact shared by the tips of one group (truth for the link evaluation). */
static void planted(int g, int en, char *out, size_t size) {
    switch (g % 4) {
    case 0: (void)pu_snprintf(out, size, en ? "His cell is 656-%03d-%04d." : "Su celular es 656 %03d %04d.", 200 + g % 700, 1000 + 37 * g % 9000); break;
    case 1: (void)pu_snprintf(out, size, en ? "Plates %c%cK%04d." : "Trae placas %c%cK-%04d.", 'A' + g % 26, 'B' + g % 20, 1000 + g); break;
    case 2: (void)pu_snprintf(out, size, en ? "They call him alias %s." : "Le dicen alias %s.", NICK[(g / 4) % 12]); break;
    default: (void)pu_snprintf(out, size, "%s Comercial Norte%d S.A. de C.V.", en ? "The front is" : "La fachada es", g); break;
    }
}

/* Up to max values of one column of the store (serials, AWBs), for tips that
 * name real records; none when the table is empty. */
static size_t sample(db_t *db, const char *sql, char (*out)[48], size_t max) {
    db_stmt *st;
    pu_err e;
    size_t n = 0;
    if (db_prepare(db, sql, &st, &e) != PU_OK) return 0;
    while (n < max && db_step(st, &e) == DB_ROW) pu_strlcpy(out[n++], db_col_text(st, 0), sizeof out[0]);
    db_finalize(st);
    return n;
}

int tips_generate(db_t *db, int count, unsigned seed, int64_t *filed, pu_err *err) {
    char serials[32][48], awbs[32][48];
    size_t nser = sample(db, "SELECT serial FROM trace_request WHERE serial_wild = 0 AND serial <> '' ORDER BY id LIMIT 32", serials, 32);
    size_t nawb = sample(db, "SELECT awb FROM cargo_shipment ORDER BY score DESC LIMIT 32", awbs, 32);
    *filed = 0;
    const size_t NT = sizeof ES / sizeof ES[0];
    for (int i = 0; i < count; i++) {
        int en = rand_r(&seed) % 2, t = rand_r(&seed) % (int)NT, pl = rand_r(&seed) % 10;
        int g = i < count * 2 / 3 ? i / 3 : -1; /* two thirds of the tips come in groups of three */
        char extra[256] = "", fact[128] = "", text[1024];
        if (g >= 0) planted(g, en, fact, sizeof fact);
        if (!strcmp(ES[t][0], "firearms") && nser && rand_r(&seed) % 3 == 0)
            (void)pu_snprintf(extra, sizeof extra, en ? " One rifle had serial number %s." : " Un rifle traía número de serie %s.", serials[rand_r(&seed) % nser]);
        if (!strcmp(ES[t][0], "precursors") && nawb && rand_r(&seed) % 2 == 0)
            (void)pu_snprintf(extra, sizeof extra, en ? " The air waybill was %s." : " La guía aérea era %s.", awbs[rand_r(&seed) % nawb]);
        const char *tpl = en ? EN[t][1] : ES[t][1];
        const char *who = WHO[rand_r(&seed) % 8], *col = COLOUR[rand_r(&seed) % 8], *place = PLACE[pl][0];
        int place_first = strncmp(tpl, "En %s", 5) == 0 || strncmp(tpl, "In %s", 5) == 0 || strstr(tpl, "desapareció") ||
                          strstr(tpl, "missing") || strstr(tpl, "officer") || strstr(tpl, "agente") || strstr(tpl, "drums") ||
                          strstr(tpl, "tambos");
        char body[600];
        (void)pu_snprintf(body, sizeof body, tpl, place_first ? place : who, place_first ? who : place, col, fact);
        (void)pu_snprintf(text, sizeof text, "%s%s", body, extra);
        tips_intake in;
        memset(&in, 0, sizeof in);
        pu_strlcpy(in.category, ES[t][0], sizeof in.category);
        pu_strlcpy(in.lang, en ? "en" : "es", sizeof in.lang);
        const char *code = PLACE[pl][1];
        pu_strlcpy(in.country, strlen(code) == 2 ? "US" : "MX", sizeof in.country);
        pu_strlcpy(in.state, code, sizeof in.state);
        in.text = text;
        tips_receipt_out out;
        int rc = tips_submit(db, &in, &out, err);
        if (rc) return rc;
        (*filed)++;
    }
    return PU_OK;
}
