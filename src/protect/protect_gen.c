/* protect_gen.c - generated cases for the demo and the benchmarks: invented
 * names, places and phones (555 numbers), spread over two years and the
 * states where the Mechanism's beneficiaries concentrate, with the
 * procedure's steps, study versions and measures, some of them late. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protect/protect_int.h"

#define GEN_SPAN_DAYS 730
#define DAY 86400

static const char *const GIVEN[] = {"Itzel", "Mariana", "Jorge", "Alejandra", "Rubén", "Citlali", "Tomás", "Guadalupe", "Efraín",
                                    "Noemí", "Saúl", "Ximena", "Leonel", "Yolanda", "Abel", "Rocío"};
static const char *const FAMILY[] = {"Hernández", "Ramírez", "Cruz", "Villanueva", "Ortega", "Salgado", "Navarrete", "Guzmán",
                                     "Bautista", "Quiroz", "Mendoza", "Aguilar"};
static const char *const STATES[] = {"GRO", "OAX", "VER", "CHH", "MIC", "TAM", "CMX", "CHP", "SIN", "GRO", "VER", "OAX"};
static const char *const TYPES[] = {"threat", "harassment", "surveillance", "digital_attack", "physical_assault", "raid",
                                    "smear", "legal_harassment", "threat", "surveillance"};
static const char *const MEASURES[] = {"panic_button", "phone_mobile", "cameras", "locks", "lighting", "escort", "patrols",
                                       "relocation", "vest"};
static const char *const LEVELS[] = {"low", "medium", "high", "extreme"};

static unsigned next(unsigned long long *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(*s >> 33);
}
#define PICK(s, a) (a[next(s) % (sizeof a / sizeof a[0])])

static int gen_case(protect_session *s, unsigned long long *r, int64_t now, pu_err *err) {
    char id[PROTECT_ID_MAX], name[128], day[11], text[160];
    int extraordinary = next(r) % 3 == 0;
    const char *state = PICK(r, STATES);
    int64_t received = now - (int64_t)(next(r) % GEN_SPAN_DAYS) * DAY - (int64_t)(next(r) % DAY);
    protect_case_in in = {next(r) % 2 ? "journalist" : "defender", extraordinary ? "extraordinary" : "ordinary", state, NULL, received};
    int rc = protect_case_open(s, &in, id, err);
    int64_t person = 0, place = 0, inc = 0, m = 0;
    (void)pu_snprintf(name, sizeof name, "%s %s %s", PICK(r, GIVEN), PICK(r, FAMILY), PICK(r, FAMILY));
    protect_person_in p = {"beneficiary", name, in.kind};
    if (rc == PU_OK) rc = protect_person_add(s, id, &p, &person, err);
    (void)pu_snprintf(text, sizeof text, "+52 %03u 555 %04u", 200 + next(r) % 700, next(r) % 10000);
    if (rc == PU_OK) rc = protect_contact_add(s, id, person, "phone", text, &m, err);
    if (rc == PU_OK && next(r) % 2) {
        (void)pu_snprintf(name, sizeof name, "%s %s", PICK(r, GIVEN), PICK(r, FAMILY));
        protect_person_in f = {"family", name, "relative"};
        rc = protect_person_add(s, id, &f, &m, err);
    }
    pr_day(received, day);
    (void)pu_snprintf(text, sizeof text, "Calle %s %u, colonia Centro", PICK(r, FAMILY), 1 + next(r) % 300);
    if (rc == PU_OK) rc = protect_place_add(s, id, person, day, state, text, &place, err);
    /* the urgent path: the order and the measure, within or past their hours */
    int64_t lag = (int64_t)(1 + next(r) % 14) * 3600;
    if (rc == PU_OK && extraordinary) rc = protect_measure_add(s, id, "panic_button", "Proveedor de demostración", 1800, 1, &m, err);
    if (rc == PU_OK && extraordinary && next(r) % 5) {
        s->now = received + lag / 3;
        rc = protect_measure_status(s, id, m, "approved", err);
        s->now = received + lag;
        if (rc == PU_OK) rc = protect_measure_status(s, id, m, "installed", err);
        if (rc == PU_OK) rc = protect_measure_status(s, id, m, "active", err);
    }
    /* the study: most within days, some late, some still pending */
    int64_t study_at = received + (int64_t)(2 + next(r) % 16) * DAY;
    if (rc == PU_OK && study_at < now && next(r) % 6) {
        s->now = study_at;
        protect_study_in st = {PICK(r, LEVELS), "Estudio de evaluación de riesgo (demostración)", s->user,
                               next(r) % 4 ? "approved" : "modified", "2027-06-30"};
        int v;
        rc = protect_study_add(s, id, &st, &v, err);
        const char *code = PICK(r, MEASURES);
        if (rc == PU_OK) rc = protect_measure_add(s, id, code, "Proveedor de demostración", 500 + next(r) % 40000, 0, &m, err);
        if (rc == PU_OK) rc = protect_measure_status(s, id, m, "approved", err);
        if (rc == PU_OK && next(r) % 3) rc = protect_measure_status(s, id, m, "installed", err);
    }
    /* an incident after enrolment, in one case of three */
    if (rc == PU_OK && next(r) % 3 == 0) {
        int64_t at = received + (int64_t)(1 + next(r) % 60) * DAY;
        if (at < now) {
            pr_day(at, day);
            protect_incident_in ii = {day, state, PICK(r, TYPES), place, "Incidente generado para la demostración", NULL, NULL};
            rc = protect_incident_add(s, id, &ii, &inc, err);
        }
    }
    s->now = 0;
    return rc;
}

int protect_generate(protect_session *s, int count, unsigned seed, int *made, pu_err *err) {
    unsigned long long r = seed ? seed : 2026;
    int64_t now = pr_now(s);
    *made = 0;
    int rc = pr_ready(s, err);
    for (int i = 0; rc == PU_OK && i < count; i++) {
        rc = gen_case(s, &r, now, err);
        if (rc == PU_OK) (*made)++;
    }
    return rc;
}
