/* resolve_gen_real.c - the REALISTIC generated population for the
 * evaluation (docs/resolve.md "Generated data: two profiles"): Mexican and
 * US names drawn with a Zipf-Mandelbrot shape over ranked lists and a long
 * tail, two surnames and compound given names for Mexican persons, and
 * records that carry what their source really carries (a Form 4473
 * purchaser: name, date of birth, address; a cargo party: name, address,
 * sometimes a phone; a tip mention: a name, sometimes a nickname and a
 * phone), persons who moved, households that share an address and a
 * surname, typing errors and dropped second surnames. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_int.h"

/* Tuning of the population (shape, not fitted figures: see docs). */
#define RG_MX_PCT 65            /* persons named the Mexican way (two surnames) */
#define RG_COMPOUND_PCT 30      /* Mexican persons with a compound given name ("Jose Luis") */
#define RG_US_MIDDLE_PCT 70     /* US persons with a middle name (typed as an initial) */
#define RG_HOUSEHOLD_PCT 15     /* persons living with the previous person (same address, surname) */
#define RG_JUNIOR_PCT 10        /* of those: the same given name too (father and son) */
#define RG_MOVED_PCT 30         /* persons with an old and a new address */
#define RG_PHONE_PCT 70         /* persons with a phone */
#define RG_CURP_PCT 80          /* Mexican persons whose designation carries the CURP */
#define RG_PASSPORT_PCT 30      /* US persons whose designation carries a passport */
#define RG_TYPO_PCT 10          /* records with one typing error */
#define RG_DOB_TYPO_PCT 1       /* dated records whose date was typed wrong */
#define RG_DROP_S2_PCT 35       /* records leaving out the second surname */
#define RG_DROP_G2_PCT 30       /* records leaving out the second given name */
#define RG_NICK_PCT 40          /* tip mentions using the nickname when there is one */
#define RG_MAX_RECORDS 5        /* records of one person: 1..this */
/* Names: a ranked head (the lists below, weight (rank + q)^-1) carrying a
 * chosen share of persons, and a long tail of rare made-up names (weight
 * (rank + RG_TAIL_Q)^-1, flatter). The shares are choices that give the
 * shape (given names more concentrated than surnames, Mexican surnames
 * more than US ones), not figures fitted to a census. */
#define RG_GIVEN_HEAD_PCT 85    /* persons whose given name is one of the listed ones */
#define RG_MX_SURNAME_HEAD_PCT 60
#define RG_US_SURNAME_HEAD_PCT 40
#define RG_HEAD_Q 2.0
#define RG_TAIL_RANKS 30000
#define RG_TAIL_Q 50.0

static const char *const MX_GIVEN[] = {"Jose", "Maria", "Juan", "Guadalupe", "Francisco", "Jesus", "Antonio",
    "Alejandro", "Miguel", "Pedro", "Luis", "Carlos", "Manuel", "Ricardo", "Fernando", "Jorge", "Roberto", "Rafael",
    "Daniel", "Javier", "Martin", "Raul", "Sergio", "Eduardo", "Arturo", "Jaime", "Mario", "Ramon", "Enrique",
    "Hector", "Alberto", "Oscar", "Gerardo", "Victor", "Rosa", "Ana", "Margarita", "Veronica", "Patricia",
    "Leticia", "Elizabeth", "Silvia", "Laura", "Martha", "Alejandra", "Adriana", "Gabriela", "Claudia", "Yolanda",
    "Teresa", "Araceli", "Sandra", "Monica", "Isabel", "Carmen", "Alicia", "Josefina", "Elena", "Lucia", "Gloria",
    "Irma", "Angelica", "Norma", "Susana", "Diana", "Beatriz", "Sofia", "Ximena", "Valeria", "Fernanda", "Diego",
    "Santiago", "Emiliano", "Mateo", "Leonardo", "Ignacio", "Armando", "Salvador", "Ruben", "Alfredo", "Gustavo",
    "Guillermo", "Rogelio", "Joaquin", "Andres", "Pablo", "Ernesto", "Julio", "Hugo", "Cesar", "Ivan", "Felipe",
    "Rodrigo", "Adrian", "Ismael", "Israel", "Abraham", "Marco", "Cristian", "Omar"};
static const char *const MX_SURNAME[] = {"Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Perez",
    "Rodriguez", "Sanchez", "Ramirez", "Cruz", "Flores", "Gomez", "Morales", "Vazquez", "Reyes", "Jimenez", "Torres",
    "Diaz", "Gutierrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Alvarez", "Mendez",
    "Chavez", "Rivera", "Juarez", "Ramos", "Dominguez", "Herrera", "Medina", "Castro", "Vargas", "Guzman",
    "Velazquez", "Munoz", "Rojas", "Contreras", "Salazar", "Luna", "Ortega", "Guerrero", "Estrada", "Bautista",
    "Cortes", "Soto", "Alvarado", "Espinoza", "Lara", "Avila", "Rios", "Cervantes", "Silva", "Delgado", "Vega",
    "Marquez", "Sandoval", "Fernandez", "Leon", "Carrillo", "Mejia", "Solis", "Nunez", "Rosas", "Valdez", "Ibarra",
    "Campos", "Santiago", "Vasquez", "Maldonado", "Navarro", "Pena", "Acosta", "Trejo", "Cabrera", "Escobar",
    "Fuentes", "Pacheco", "Valencia", "Molina", "Trevino", "Zamora", "Cardenas", "Orozco", "Miranda", "Robles",
    "Tapia", "Ayala", "Benitez", "Villa", "Figueroa", "Ochoa", "Padilla", "Galvan"};
static const char *const US_GIVEN[] = {"James", "Michael", "Robert", "John", "David", "William", "Richard", "Joseph",
    "Thomas", "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew",
    "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason", "Edward", "Jeffrey", "Ryan",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Lisa",
    "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carol", "Amanda",
    "Melissa", "Deborah", "Stephanie", "Rebecca", "Laura", "Sharon", "Cynthia", "Kathleen"};
static const char *const US_SURNAME[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
    "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson"};
/* Nicknames the screening lexicon knows (screen_lexicon.c): tips use them. */
static const char *const NICK[][2] = {{"Jose", "Pepe"}, {"Francisco", "Paco"}, {"Jesus", "Chuy"},
    {"Guadalupe", "Lupe"}, {"Ignacio", "Nacho"}, {"Guillermo", "Memo"}, {"Eduardo", "Lalo"}, {"Alberto", "Beto"},
    {"Salvador", "Chava"}, {"Rafael", "Rafa"}, {"Michael", "Mike"}, {"William", "Bill"}, {"Robert", "Bob"},
    {"James", "Jim"}, {"Richard", "Rick"}, {"Thomas", "Tom"}};
static const char *const STREET_MX[] = {"Hidalgo", "Juarez", "Morelos", "Zaragoza", "Allende", "Guerrero",
    "Independencia", "Reforma", "Madero", "Obregon", "Aldama", "Insurgentes"};
static const char *const STREET_US[] = {"Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake",
    "Hill", "Park", "Sunset", "Mesa"};
static const char *const CITY_MX[] = {"Monterrey NL", "Guadalajara JAL", "Culiacan SIN", "Tijuana BC",
    "Ciudad Juarez CHIH", "Hermosillo SON", "Nuevo Laredo TAMPS", "Reynosa TAMPS", "Ciudad de Mexico CDMX"};
static const char *const CITY_US[] = {"Houston TX", "San Antonio TX", "El Paso TX", "Laredo TX", "Phoenix AZ",
    "Tucson AZ", "Los Angeles CA", "San Diego CA", "Dallas TX"};
static const char *const SYL[] = {"ba", "ca", "da", "fa", "ga", "la", "ma", "na", "pa", "ra", "sa", "ta", "va",
    "za", "be", "ce", "de", "le", "me", "ne", "re", "se", "te", "bi", "ci", "di", "li", "mi", "ni", "ri", "si", "ti",
    "bo", "co", "do", "lo", "mo", "no", "ro", "so", "to", "bu", "cu", "du", "lu", "mu", "nu", "ru", "su", "tu"};
static const char *const SYL_END[] = {"z", "s", "n", "l", "r", "do", "llo", "ra"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum { SRC_PURCHASER, SRC_POSSESSOR, SRC_CARGO, SRC_TIP, SRC_ENTITY, SRC_N };
/* Share of records per source, percent (sums to 100). */
static const int SRC_PCT[SRC_N] = {30, 15, 20, 15, 20};
/* What a record of each source carries, percent of its records: a 4473
 * always has the date of birth and the address and no phone; a waybill
 * party an address and often a phone, never a date; a tip mention a phone
 * sometimes; a designation the date of birth mostly. */
static const int SRC_DOB_PCT[SRC_N] = {100, 60, 0, 0, 85};
static const int SRC_ADDR_PCT[SRC_N] = {100, 70, 90, 0, 50};
static const int SRC_PHONE_PCT[SRC_N] = {0, 0, 50, 25, 0};   /* of persons with a phone */
#define RG_MIDDLE_TYPED_PCT 60   /* records that type a US person's middle initial */
static const char *const SRC_NAME[SRC_N] = {RESOLVE_SRC_PURCHASER, RESOLVE_SRC_POSSESSOR, RESOLVE_SRC_CARGO,
                                           RESOLVE_SRC_TIP, RESOLVE_SRC_ENTITY};

typedef struct zipf {
    double *cum;
    size_t n;
} zipf;

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
static int pct(uint64_t *s, int p) { return (int)(rnd(s) % 100) < p; }
/* pct without a draw when the answer is certain (always, never). */
static int carries(uint64_t *s, int p) { return p >= 100 ? 1 : p <= 0 ? 0 : pct(s, p); }
static double unit(uint64_t *s) { return (double)(rnd(s) >> 11) / 9007199254740992.0; }

/* Cumulative weights (rank + q)^-1 over ranks 1..n: a few names very
 * common, a long tail of rare ones. */
static int zipf_init(zipf *z, size_t n, double q) {
    z->cum = malloc(n * sizeof *z->cum);
    if (!z->cum) return PU_ERR_NOMEM;
    double t = 0;
    for (size_t r = 0; r < n; r++) z->cum[r] = t += 1.0 / ((double)r + 1.0 + q);
    z->n = n;
    return PU_OK;
}

static size_t zipf_draw(const zipf *z, uint64_t *s) {
    double u = unit(s) * z->cum[z->n - 1];
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->cum[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The name of rank r: from the list, or a made-up tail name ("Bacoz"). */
static void ranked_name(const char *const *list, size_t nlist, size_t r, char *out, size_t size) {
    if (r < nlist) {
        pu_strlcpy(out, list[r], size);
        return;
    }
    r -= nlist;
    snprintf(out, size, "%s%s%s%s", SYL[r % N_OF(SYL)], SYL[r / N_OF(SYL) % N_OF(SYL)],
             SYL[r / (N_OF(SYL) * N_OF(SYL)) % N_OF(SYL)], SYL_END[r % N_OF(SYL_END)]);
    out[0] = (char)toupper((unsigned char)out[0]);
}

struct resolve_gnames {
    uint64_t s;
    zipf head[2][2];   /* [mx][surname]: ranks of the listed names */
    zipf tail;         /* ranks of the made-up rare names */
    resolve_gperson prev;
    int have_prev;
};
typedef resolve_gnames rgen;

static const char *const *name_list(int mx, int surname, size_t *n) {
    *n = surname ? (mx ? N_OF(MX_SURNAME) : N_OF(US_SURNAME)) : (mx ? N_OF(MX_GIVEN) : N_OF(US_GIVEN));
    return surname ? (mx ? MX_SURNAME : US_SURNAME) : (mx ? MX_GIVEN : US_GIVEN);
}

static void draw_name(rgen *g, int mx, int surname, char *out, size_t size) {
    size_t n;
    const char *const *list = name_list(mx, surname, &n);
    int head = surname ? (mx ? RG_MX_SURNAME_HEAD_PCT : RG_US_SURNAME_HEAD_PCT) : RG_GIVEN_HEAD_PCT;
    size_t r = pct(&g->s, head) ? zipf_draw(&g->head[mx][surname], &g->s) : n + zipf_draw(&g->tail, &g->s);
    ranked_name(list, n, r, out, size);
}
static void draw_given(rgen *g, int mx, char *out, size_t size) { draw_name(g, mx, 0, out, size); }
static void draw_surname(rgen *g, int mx, char *out, size_t size) { draw_name(g, mx, 1, out, size); }

static void random_dob(uint64_t *s, char *out) {
    snprintf(out, 11, "%04d-%02d-%02d", 1950 + (int)(rnd(s) % 55), 1 + (int)(rnd(s) % 12), 1 + (int)(rnd(s) % 28));
}

static void random_addr(uint64_t *s, int mx, char *out, size_t size) {
    if (mx)
        snprintf(out, size, "Calle %s %d, Col. %d, %s", STREET_MX[rnd(s) % N_OF(STREET_MX)], 1 + (int)(rnd(s) % 2000),
                 1 + (int)(rnd(s) % 400), CITY_MX[rnd(s) % N_OF(CITY_MX)]);
    else
        snprintf(out, size, "%d %s St Apt %d, %s", 100 + (int)(rnd(s) % 9900), STREET_US[rnd(s) % N_OF(STREET_US)],
                 1 + (int)(rnd(s) % 300), CITY_US[rnd(s) % N_OF(CITY_US)]);
}

/* full (the febrl profile's originals): no household, no move, always a
 * phone; full = 0 draws exactly as before. */
static void make_rperson(rgen *g, resolve_gperson *p, int full) {
    uint64_t *s = &g->s;
    int household = !full && g->have_prev && pct(s, RG_HOUSEHOLD_PCT);
    memset(p, 0, sizeof *p);
    p->mx = household ? g->prev.mx : pct(s, RG_MX_PCT);
    if (household && pct(s, RG_JUNIOR_PCT)) {
        pu_strlcpy(p->given, g->prev.given, sizeof p->given);   /* father and son: one name, two persons */
        pu_strlcpy(p->given2, g->prev.given2, sizeof p->given2);
    } else {
        draw_given(g, p->mx, p->given, sizeof p->given);
        if (p->mx && pct(s, RG_COMPOUND_PCT)) draw_given(g, 1, p->given2, sizeof p->given2);
        if (!strcmp(p->given2, p->given)) p->given2[0] = 0;
    }
    if (household) pu_strlcpy(p->s1, g->prev.s1, sizeof p->s1);
    else draw_surname(g, p->mx, p->s1, sizeof p->s1);
    if (p->mx) draw_surname(g, 1, p->s2, sizeof p->s2);
    if (!p->mx && pct(s, RG_US_MIDDLE_PCT)) p->middle = (char)('A' + rnd(s) % 26);
    for (size_t i = 0; i < N_OF(NICK); i++)
        if (!strcmp(p->given, NICK[i][0])) pu_strlcpy(p->nick, NICK[i][1], sizeof p->nick);
    random_dob(s, p->dob);
    for (int i = 0; i < 18; i++) p->curp[i] = (char)(i < 4 || i > 9 ? 'A' + rnd(s) % 26 : '0' + rnd(s) % 10);
    for (int i = 0; i < 9; i++) p->passport[i] = (char)('0' + rnd(s) % 10);
    if (full || pct(s, RG_PHONE_PCT))
        for (int i = 0; i < 10; i++) p->phone[i] = (char)('0' + (i ? rnd(s) % 10 : 2 + rnd(s) % 8));
    if (household) pu_strlcpy(p->addr[0], g->prev.addr[0], sizeof p->addr[0]);
    else random_addr(s, p->mx, p->addr[0], sizeof p->addr[0]);
    p->naddr = 1;
    if (!full && pct(s, RG_MOVED_PCT)) random_addr(s, p->mx, p->addr[p->naddr++], sizeof p->addr[1]);
    g->prev = *p;
    g->have_prev = 1;
}

static void upper(char *p) {
    for (; *p; p++) *p = (char)toupper((unsigned char)*p);
}

/* One typing error in the longest word: two letters swapped or one left out. */
static void typo(uint64_t *s, char *out) {
    size_t n = strlen(out), best = 0, bl = 0;
    for (size_t i = 0; i < n;) {
        size_t l = strspn(out + i, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        if (l > bl) bl = l, best = i;
        i += l ? l : 1;
    }
    if (bl < 5) return;
    size_t k = best + 1 + rnd(s) % (bl - 3);
    if (rnd(s) % 2) {
        char t = out[k];
        out[k] = out[k + 1];
        out[k + 1] = t;
    } else {
        memmove(out + k, out + k + 1, n - k);
    }
}

/* The name as a record of source src spells it. */
static void spell(uint64_t *s, const resolve_gperson *p, int src, char *out, size_t size) {
    int casual = src == SRC_TIP || src == SRC_CARGO;
    const char *given = src == SRC_TIP && p->nick[0] && pct(s, RG_NICK_PCT) ? p->nick : p->given;
    char g[56], sur[56];
    int g2 = p->given2[0] && given == p->given && !pct(s, casual ? 2 * RG_DROP_G2_PCT : RG_DROP_G2_PCT);
    snprintf(g, sizeof g, "%s%s%s", given, g2 ? " " : "", g2 ? p->given2 : "");
    if (p->middle && src != SRC_TIP && pct(s, RG_MIDDLE_TYPED_PCT)) {
        size_t l = strlen(g);
        snprintf(g + l, sizeof g - l, " %c.", p->middle);
    }
    int s2 = p->s2[0] && !pct(s, casual ? 2 * RG_DROP_S2_PCT : RG_DROP_S2_PCT);
    snprintf(sur, sizeof sur, "%s%s%s", p->s1, s2 ? " " : "", s2 ? p->s2 : "");
    switch (src == SRC_TIP ? 0 : rnd(s) % 3) {
    case 0: snprintf(out, size, "%s %s", g, sur); break;
    case 1: snprintf(out, size, "%s, %s", sur, g), upper(out); break;
    default: snprintf(out, size, "%s %s", g, sur), upper(out); break;
    }
    if (pct(s, RG_TYPO_PCT)) typo(s, out);
}

/* A date typed wrong: day and month swapped when that is a date, else
 * another day. */
static void dob_typo(char *dob) {
    unsigned y, m, d;
    if (sscanf(dob, "%4u-%2u-%2u", &y, &m, &d) != 3 || y > 9999 || m > 12 || d > 31) return;
    char out[32];
    if (d <= 12 && d != m) snprintf(out, sizeof out, "%04u-%02u-%02u", y, d, m);
    else snprintf(out, sizeof out, "%04u-%02u-%02u", y, m, d % 28 + 1);
    pu_strlcpy(dob, out, 11);
}

static int pick_source(uint64_t *s) {
    int r = (int)(rnd(s) % 100), c = 0;
    for (int i = 0; i < SRC_N; i++)
        if (r < (c += SRC_PCT[i])) return i;
    return SRC_ENTITY;
}

/* What a record of source src carries besides the name. */
static int add_record(rgen *g, const resolve_gperson *p, int64_t pid, resolve_set *out, pu_err *err) {
    uint64_t *s = &g->s;
    int src = pick_source(s);
    char name[160], ref[32], ids[48] = "", phones[16] = "", addr[96] = "", dob[11] = "";
    spell(s, p, src, name, sizeof name);
    snprintf(ref, sizeof ref, "g%zu", out->n);
    const char *a = p->addr[rnd(s) % (size_t)p->naddr];   /* the old or the new address */
    int has_dob = carries(s, SRC_DOB_PCT[src]);
    int has_addr = carries(s, SRC_ADDR_PCT[src]);
    int has_phone = p->phone[0] && carries(s, SRC_PHONE_PCT[src]);
    if (has_dob) {
        pu_strlcpy(dob, p->dob, sizeof dob);
        if (pct(s, RG_DOB_TYPO_PCT)) dob_typo(dob);
    }
    if (has_addr) resolve_norm_addr(a, addr, sizeof addr);
    if (has_phone) snprintf(phones, sizeof phones, "%s;", p->phone);
    if (src == SRC_ENTITY && p->mx && pct(s, RG_CURP_PCT)) snprintf(ids, sizeof ids, "CURP=%s;", p->curp);
    if (src == SRC_ENTITY && !p->mx && pct(s, RG_PASSPORT_PCT)) snprintf(ids, sizeof ids, "PASSPORT=%s;", p->passport);
    resolve_rec r = {.source = (char *)SRC_NAME[src], .ref = ref, .name = name, .schema = "Person", .ids = ids,
                     .phones = phones, .addr = addr, .truth = pid};
    pu_strlcpy(r.dob, dob, sizeof r.dob);
    pu_strlcpy(r.marking, "PUBLIC", sizeof r.marking);
    return resolve_set_add(out, &r, err);
}

static int generate(rgen *g, size_t n, resolve_set *out, pu_err *err);

int resolve_gnames_open(uint64_t seed, resolve_gnames **out) {
    rgen *g = calloc(1, sizeof *g);
    if (!g) return PU_ERR_NOMEM;
    g->s = seed ? seed : 0x9E3779B97F4A7C15ULL;
    int rc = zipf_init(&g->tail, RG_TAIL_RANKS, RG_TAIL_Q);
    for (int mx = 0; mx < 2; mx++)
        for (int sur = 0; sur < 2; sur++) {
            size_t nl;
            name_list(mx, sur, &nl);
            if (!rc) rc = zipf_init(&g->head[mx][sur], nl, RG_HEAD_Q);
        }
    if (rc) {
        resolve_gnames_close(g);
        return rc;
    }
    *out = g;
    return PU_OK;
}

void resolve_gnames_close(resolve_gnames *g) {
    if (!g) return;
    free(g->tail.cum);
    for (int mx = 0; mx < 2; mx++)
        for (int sur = 0; sur < 2; sur++) free(g->head[mx][sur].cum);
    free(g);
}

void resolve_gnames_person(resolve_gnames *g, resolve_gperson *p) { make_rperson(g, p, 1); }
void resolve_gnames_given(resolve_gnames *g, int mx, char *out, size_t size) { draw_given(g, mx, out, size); }
void resolve_gnames_surname(resolve_gnames *g, int mx, char *out, size_t size) { draw_surname(g, mx, out, size); }
void resolve_gen_addr(uint64_t *s, int mx, char *out, size_t size) { random_addr(s, mx, out, size); }
const char *resolve_gen_source(uint64_t *s) { return SRC_NAME[pick_source(s)]; }

int resolve_gen_realistic(size_t n, uint64_t seed, resolve_set *out, pu_err *err) {
    rgen *g = NULL;
    if (resolve_gnames_open(seed, &g)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = generate(g, n, out, err);
    resolve_gnames_close(g);
    return rc;
}

static int generate(rgen *g, size_t n, resolve_set *out, pu_err *err) {
    int rc = PU_OK;
    int64_t pid = 0;
    while (out->n < n && !rc) {
        resolve_gperson p;
        make_rperson(g, &p, 0);
        pid++;
        int k = 1 + (int)(rnd(&g->s) % RG_MAX_RECORDS);
        for (int i = 0; i < k && out->n < n && !rc; i++) rc = add_record(g, &p, pid, out, err);
    }
    return rc;
}
