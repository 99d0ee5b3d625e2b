/*
 * screen_qual.c - qualifiers: birth date, country, gender and identifiers
 * of a query against a listed entity. docs/screening.md "Final score and
 * qualifiers".
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- qualifiers ------------------------------------------------------------------ */

static int date_parts(const char *s, int *y, int *m, int *d) {
    *y = *m = *d = 0;
    if (!s || strlen(s) < 4) return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    *y = atoi(s);
    if (s[4] == '-' && isdigit((unsigned char)s[5])) *m = atoi(s + 5);
    if (*m && s[7] == '-' && isdigit((unsigned char)s[8])) *d = atoi(s + 8);
    return 1;
}

static const struct { const char *name, *code; } country_names[] = {
    {"mexico", "mx"}, {"united states", "us"}, {"usa", "us"}, {"colombia", "co"}, {"venezuela", "ve"},
    {"guatemala", "gt"}, {"honduras", "hn"}, {"el salvador", "sv"}, {"china", "cn"}, {"russia", "ru"},
    {"iran", "ir"}, {"syria", "sy"}, {"cuba", "cu"}, {"north korea", "kp"}, {"spain", "es"},
    {"canada", "ca"}, {"panama", "pa"}, {"peru", "pe"}, {"ecuador", "ec"}, {"lebanon", "lb"},
    {"iraq", "iq"}, {"afghanistan", "af"}, {"pakistan", "pk"}, {"united kingdom", "gb"}, {NULL, NULL}};

static void country_code(const char *in, char *buf, size_t size) {
    size_t l = pu_strlcpy(buf, in, size);
    if (l >= size) buf[size - 1] = 0;
    for (char *c = buf; *c; c++) *c = (char)tolower((unsigned char)*c);
    pu_trim(buf);
    for (size_t i = 0; country_names[i].name; i++)
        if (strcmp(buf, country_names[i].name) == 0) pu_strlcpy(buf, country_names[i].code, size);
}

static const char *gender_norm(const char *g) {
    if (!g) return NULL;
    if (pu_strieq(g, "male") || pu_strieq(g, "m") || pu_strieq(g, "h") || pu_strieq(g, "hombre") ||
        pu_strieq(g, "masculino"))
        return "male";
    if (pu_strieq(g, "female") || pu_strieq(g, "f") || pu_strieq(g, "mujer") || pu_strieq(g, "femenino"))
        return "female";
    return NULL;
}

/* Kind of a normalised Mexican identifier: 'C' CURP, 'R' RFC, 0 other. */
static char id_kind(const char *id) {
    size_t l = strlen(id);
    int letters4 = l >= 4 && isalpha((unsigned char)id[0]) && isalpha((unsigned char)id[1]) &&
                   isalpha((unsigned char)id[2]) && isalpha((unsigned char)id[3]);
    if (l == 18 && letters4 && isdigit((unsigned char)id[4])) return 'C';
    if ((l == 13 && letters4 && isdigit((unsigned char)id[4])) ||
        (l == 12 && isalpha((unsigned char)id[0]) && isdigit((unsigned char)id[3])))
        return 'R';
    return 0;
}

int qualifiers(const ix_entity *x, const screen_query *q, qual *qs, int max) {
    int n = 0;
    if (q->birth_date && *q->birth_date && x->ndates && n < max) {
        int qy, qm, qd, best = -1; /* 2 exact, 1 year, 0 day conflict, -1 year conflict */
        if (date_parts(q->birth_date, &qy, &qm, &qd)) {
            for (size_t i = 0; i < x->ndates; i++) {
                int y, m, d;
                if (!date_parts(x->dates[i], &y, &m, &d)) continue;
                int r;
                if (y != qy) r = -1;
                else if (qm && m && qd && d) r = (qm == m && qd == d) ? 2 : 0;
                else if (qm && m && qm != m) r = 0;
                else r = 1;
                if (r > best) best = r;
            }
            qual *u = &qs[n];
            if (best == 2) { u->name = "birth_date_match"; u->v = Q_DOB_EXACT; }
            else if (best == 1) { u->name = "birth_year_match"; u->v = Q_DOB_YEAR; }
            else if (best == 0) { u->name = "birth_date_mismatch"; u->v = Q_DOB_DAY_CONFLICT; }
            else { u->name = "birth_year_mismatch"; u->v = Q_DOB_YEAR_CONFLICT; }
            snprintf(u->detail, sizeof u->detail, "query %s vs listed %s%s", q->birth_date, x->dates[0],
                     x->ndates > 1 ? " (and others)" : "");
            n++;
        }
    }
    if (q->country && *q->country && x->ncountries && n < max) {
        char c[64];
        country_code(q->country, c, sizeof c);
        int hit = 0;
        for (size_t i = 0; i < x->ncountries; i++)
            if (strcmp(x->countries[i], c) == 0) hit = 1;
        qual *u = &qs[n++];
        u->name = hit ? "country_match" : "country_mismatch";
        u->v = hit ? Q_COUNTRY_MATCH : Q_COUNTRY_CONFLICT;
        snprintf(u->detail, sizeof u->detail, "query %s vs listed %s%s", c, x->countries[0],
                 x->ncountries > 1 ? " (and others)" : "");
    }
    const char *qg = gender_norm(q->gender), *xg = gender_norm(x->gender);
    if (qg && xg && strcmp(qg, xg) != 0 && n < max) {
        qual *u = &qs[n++];
        u->name = "gender_mismatch";
        u->v = Q_GENDER_CONFLICT;
        snprintf(u->detail, sizeof u->detail, "query %s vs listed %s", qg, xg);
    }
    if (q->nids && x->nids && n < max) {
        int match = 0, conflict = 0;
        char hit[128] = "";
        for (size_t i = 0; i < q->nids; i++) {
            char b[128];
            if (screen_normalize_id(q->id_numbers[i], b, sizeof b) != PU_OK) continue;
            char k = id_kind(b);
            for (size_t j = 0; j < x->nids; j++) {
                if (strcmp(b, x->ids[j]) == 0) {
                    match = 1;
                    pu_strlcpy(hit, b, sizeof hit);
                } else if (k && id_kind(x->ids[j]) == k)
                    conflict = 1;
            }
        }
        if (match || conflict) {
            qual *u = &qs[n++];
            u->name = match ? "identifier_match" : "identifier_mismatch";
            u->v = match ? Q_ID_MATCH : Q_ID_CONFLICT;
            if (match) snprintf(u->detail, sizeof u->detail, "identifier %s is listed for this entity", hit);
            else snprintf(u->detail, sizeof u->detail, "an identifier of the same kind (RFC/CURP) differs");
        }
    }
    if (q->address && *q->address && x->naddrs && n < max) {
        double best = 0;
        size_t bi = 0;
        for (size_t i = 0; i < x->naddrs; i++) {
            double s = sn_address_sim(q->address, x->addrs[i]);
            if (s > best) {
                best = s;
                bi = i;
            }
        }
        if (best >= Q_ADDRESS_MIN_SIM) {
            qual *u = &qs[n++];
            u->name = "address_match";
            u->v = Q_ADDRESS_MATCH;
            snprintf(u->detail, sizeof u->detail, "address similarity %.2f with the listed '%.150s'", best, x->addrs[bi]);
        }
    }
    return n;
}
