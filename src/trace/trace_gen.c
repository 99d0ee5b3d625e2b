/* trace_gen.c - realistic demo data: US acquisition/disposition chains with
 * multiple sales, Mexican recoveries with the published shares, and planted
 * straw-purchase rings (ground truth in trace_gen_truth). Deterministic for
 * a given seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_int.h"
#include "trace/trace_req.h"

typedef struct model {
    const char *mfr, *alias, *model, *type, *calibre, *action;
    int detach;
    const char *country, *importer, *fmt;
    double weight;
    int traffic; /* favoured by trafficking rings */
} model;

/* Serial formats: 'L' letter (no I or O, as many makers avoid them), '#'
 * digit, anything else literal. Each model numbers its own line; formats of
 * one maker differ in length, literal prefix or letter/digit positions, and
 * each format holds over 10^6 serials, so serials never collide within a
 * maker at benchmark scale (20 M records). */
static const model MODELS[] = {
    {"GLOCK", "Glock GmbH", "G19", "PISTOL", "9mm", "SEMI-AUTO", 1, "Austria", "GLOCK INC", "LLL###", 10, 1},
    {"GLOCK", "GLOCK", "G17", "PISTOL", "9mm", "SEMI-AUTO", 1, "Austria", "GLOCK INC", "LLL####", 5, 0},
    {"SMITH & WESSON", "S&W", "M&P9", "PISTOL", "9mm", "SEMI-AUTO", 1, "USA", NULL, "LLL####", 8, 0},
    {"SMITH & WESSON", "Smith and Wesson Corp", "M&P15", "RIFLE", "5.56mm", "SEMI-AUTO", 1, "USA", NULL, "TL#####", 4, 1},
    {"SMITH & WESSON", "SMITH & WESSON", "686", "REVOLVER", ".357 MAG", "REVOLVER", 0, "USA", NULL, "DL#####", 2, 0},
    {"STURM, RUGER", "Ruger", "LCP", "PISTOL", ".380 ACP", "SEMI-AUTO", 1, "USA", NULL, "3##-#####", 6, 0},
    {"STURM, RUGER", "Sturm, Ruger & Co., Inc.", "AR-556", "RIFLE", "5.56mm", "SEMI-AUTO", 1, "USA", NULL, "85#-#####", 3, 1},
    {"STURM, RUGER", "RUGER", "10/22", "RIFLE", ".22 LR", "SEMI-AUTO", 1, "USA", NULL, "2##-#####", 3, 0},
    {"COLT", "Colt's Manufacturing Company", "Government .38 Super", "PISTOL", ".38 SUPER", "SEMI-AUTO", 1, "USA", NULL, "CV######", 2, 1},
    {"COLT", "COLT", "LE6920", "RIFLE", "5.56mm", "SEMI-AUTO", 1, "USA", NULL, "LE######", 2, 1},
    {"TAURUS", "Taurus International", "G2C", "PISTOL", "9mm", "SEMI-AUTO", 1, "Brazil", "TAURUS INTERNATIONAL", "LLL######", 5, 0},
    {"CUGIR", "Romarm/Cugir", "WASR-10", "RIFLE", "7.62x39mm", "SEMI-AUTO", 1, "Romania", "CENTURY ARMS", "1-LL####-##", 3, 1},
    {"FN HERSTAL", "FN", "Five-seveN", "PISTOL", "5.7x28mm", "SEMI-AUTO", 1, "Belgium", "FN AMERICA", "386######", 1, 1},
    {"BARRETT", "Barrett Firearms Manufacturing", "M82A1", "RIFLE", ".50 BMG", "SEMI-AUTO", 1, "USA", NULL, "AA######", 0.2, 1},
    {"SIG SAUER", "Sig Sauer Inc", "P320", "PISTOL", "9mm", "SEMI-AUTO", 1, "USA", NULL, "58L######", 4, 0},
    {"SPRINGFIELD ARMORY", "Springfield", "XD-9", "PISTOL", "9mm", "SEMI-AUTO", 1, "Croatia", "SPRINGFIELD ARMORY", "BY######", 2, 0},
    {"MOSSBERG", "O.F. Mossberg & Sons", "500", "SHOTGUN", "12 GA", "PUMP", 0, "USA", NULL, "V#######", 3, 0},
    {"REMINGTON", "Remington Arms", "870", "SHOTGUN", "12 GA", "PUMP", 0, "USA", NULL, "RS#####L", 2, 0},
    {"HI-POINT", "Hi-Point", "C9", "PISTOL", "9mm", "SEMI-AUTO", 1, "USA", NULL, "P#######", 2, 0},
    {"DIAMONDBACK", "Diamondback Firearms", "DB15", "RIFLE", "5.56mm", "SEMI-AUTO", 1, "USA", NULL, "DB#######", 1, 1},
    {"BERETTA", "Beretta USA", "92FS", "PISTOL", "9mm", "SEMI-AUTO", 1, "Italy", "BERETTA USA", "BER######", 2, 0},
    {"SAVAGE", "Savage Arms", "110", "RIFLE", ".308 WIN", "BOLT", 0, "USA", NULL, "L#######", 1.5, 0},
};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

/* Queued trace_event rows are sent once they take this much memory. */
#define GEN_BULK_FLUSH_BYTES ((size_t)8 << 20)

/* Foreign makers for non-US-sourced recoveries (no US record exists). */
static const model FOREIGN[] = {
    {"NORINCO", "Norinco", "Type 56", "RIFLE", "7.62x39mm", "SEMI-AUTO", 1, "China", NULL, "##L#####", 1, 0},
    {"KALASHNIKOV", "Izhmash", "AKM", "RIFLE", "7.62x39mm", "SELECT-FIRE", 1, "Russia", NULL, "LL####", 1, 0},
    {"ZASTAVA", "Zastava Arms", "M70", "RIFLE", "7.62x39mm", "SEMI-AUTO", 1, "Serbia", NULL, "M70-######", 1, 0},
    {"IMI", "IWI", "Jericho 941", "PISTOL", "9mm", "SEMI-AUTO", 1, "Israel", NULL, "3#######", 1, 0},
    {"BERSA", "Bersa", "Thunder 380", "PISTOL", ".380 ACP", "SEMI-AUTO", 1, "Argentina", NULL, "######", 1, 0},
    {"CZ", "Ceska Zbrojovka", "CZ 75", "PISTOL", "9mm", "SEMI-AUTO", 1, "Czech Republic", NULL, "L####", 1, 0},
    {"HECKLER & KOCH", "H&K", "G3", "RIFLE", "7.62x51mm", "SELECT-FIRE", 1, "Germany", NULL, "##-######", 1, 0},
    {"MOSSBERG", "Mossberg", "Maverick 88", "SHOTGUN", "12 GA", "PUMP", 0, "Turkey", NULL, "MV#######", 1, 0},
};
#define NFOREIGN (sizeof FOREIGN / sizeof FOREIGN[0])

typedef struct wstate { const char *code; double w; } wstate;
static const wstate STATES[] = {
    {"TX", 12}, {"CA", 8}, {"FL", 8}, {"AZ", 4}, {"NM", 1.2}, {"PA", 5}, {"OH", 4}, {"GA", 4}, {"NC", 4},
    {"MI", 3.5}, {"IL", 3}, {"TN", 3}, {"VA", 3}, {"MO", 2.5}, {"AL", 2}, {"IN", 2.5}, {"WA", 2.5}, {"CO", 2.5},
    {"OK", 1.8}, {"LA", 1.8}, {"SC", 2}, {"KY", 1.8}, {"NY", 2}, {"WI", 2}, {"MN", 2}, {"OR", 1.5}, {"NV", 1.2},
    {"UT", 1.2}, {"AR", 1.2}, {"MS", 1.1}, {"KS", 1}, {"IA", 1},
};
#define NSTATES (sizeof STATES / sizeof STATES[0])

static const wstate MXSTATES[] = {
    {"Tamaulipas", 12}, {"Chihuahua", 11}, {"Sonora", 9}, {"Baja California", 9}, {"Jalisco", 9},
    {"Michoacán", 8}, {"Guerrero", 7}, {"Sinaloa", 7}, {"Guanajuato", 6}, {"Ciudad de México", 4},
    {"Estado de México", 4}, {"Nuevo León", 5}, {"Coahuila", 3}, {"Zacatecas", 3}, {"Durango", 2},
    {"Veracruz", 2}, {"Oaxaca", 1}, {"Chiapas", 1}, {"Morelos", 2}, {"Querétaro", 1},
};
#define NMX (sizeof MXSTATES / sizeof MXSTATES[0])

static const char *const FIRST[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin",
    "Brian", "Jose", "Juan", "Luis", "Carlos", "Jesus", "Miguel", "Jorge", "Pedro", "Ricardo", "Mary",
    "Patricia", "Jennifer", "Linda", "Elizabeth", "Maria", "Ana", "Sandra", "Laura", "Rosa", "Karen",
    "Lisa", "Nancy", "Betty", "Margaret", "Ashley", "Emily", "Guadalupe", "Veronica", "Alejandro",
};
static const char *const LAST[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart",
    "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
};
static const char *const MXFIRST[] = {"José Luis", "Juan Carlos", "Jesús", "Francisco", "Alejandro", "Miguel Ángel",
                                      "Pedro", "Rubén", "Óscar", "Édgar", "Iván", "Jorge", "Ramón", "Héctor"};
static const char *const MXLAST[] = {"Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez",
                                     "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez",
                                     "Jiménez", "Reyes", "Díaz", "Torres", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar"};
static const char *const DIST[] = {"Lone Star Wholesale Supply", "Great Plains Sporting Distributors",
                                   "Gulf Coast Outdoor Wholesale", "Rocky Mountain Arms Distributors",
                                   "Atlantic Firearms Supply", "Heartland Shooting Sports Wholesale",
                                   "Pacific Sporting Goods Distribution", "Southern Sporting Wholesale"};
static const char *const SHOP[] = {"Guns & Ammo", "Outdoor Supply", "Pawn & Gun", "Shooting Sports", "Armory",
                                   "Sporting Goods", "Firearms", "Gun Range & Shop"};
static const char *const CRIMES[] = {"5212 WEAPON OFFENSE", "0999 HOMICIDE", "3599 DRUG TRAFFICKING",
                                     "7099 ORGANIZED CRIME", "1099 KIDNAPPING", "1299 ROBBERY"};

typedef struct fa {
    int32_t retail;     /* day of first retail sale, INT32_MIN if unsold */
    uint32_t purchaser; /* purchaser index */
    uint32_t seq;       /* per-maker sequence number */
    uint16_t dealer;
    uint8_t model, recovered;
} fa;

typedef struct gen {
    trace_t *t;
    const trace_gen_opts *o;
    uint64_t rng;
    fa *f;
    size_t nf;
    uint32_t *mfr_seq;  /* per model: next sequence of its maker */
    size_t ndealers;
    uint32_t npurch;
    int64_t fid_base;
    db_stmt *truth;
    db_bulk *ins_fa; /* trace_firearm rows, sent before the events that refer to them */
    db_bulk *ins_ev; /* trace_event rows (sent when GEN_BULK_FLUSH_BYTES are queued, and before reads) */
    /* recoveries: a bulk insert too, numbered from a block of the request
     * counter taken once (trace_number_block): before, each request cost
     * three statements awaited one after the other (the counter's update and
     * read, the INSERT ... RETURNING), three round trips on PostgreSQL */
    db_bulk *ins_req;
    int num_year;
    int64_t num_last; /* last request number issued */
    /* (mfr, serial_norm) of every firearm in the store and generated: a
     * taken serial is found here, not by an insert that reports a conflict
     * (one round trip per firearm on PostgreSQL), so firearms go through
     * the bulk insert too. Open addressing over 64-bit hashes (0 = empty):
     * a hash collision only skips a free serial. */
    uint64_t *taken;
    size_t ntaken, captaken;
    const char *marking; /* of the acquisition records */
    trace_gen_stats *st;
    pu_err *err;
    uint32_t *bucket[3][5][40];
    size_t bn[3][5][40], bcap[3][5][40];
    int64_t y0;          /* day of 1995-01-01 */
    uint32_t *unsold;    /* firearms still in a dealer's inventory */
    size_t nunsold, capunsold;
} gen;

static uint64_t R(gen *g) { return trace_rng(&g->rng); }
static double U(gen *g) { return trace_rng_unit(&g->rng); }
static size_t pick(gen *g, size_t n) { return (size_t)(R(g) % n); }

static size_t wpick(gen *g, const wstate *w, size_t n) {
    double tot = 0;
    for (size_t i = 0; i < n; i++) tot += w[i].w;
    double x = U(g) * tot;
    for (size_t i = 0; i < n; i++) {
        if (x < w[i].w) return i;
        x -= w[i].w;
    }
    return n - 1;
}

static size_t model_pick(gen *g, int traffic_only) {
    double tot = 0;
    for (size_t i = 0; i < NMODELS; i++)
        if (!traffic_only || MODELS[i].traffic) tot += MODELS[i].weight;
    double x = U(g) * tot;
    for (size_t i = 0; i < NMODELS; i++) {
        if (traffic_only && !MODELS[i].traffic) continue;
        if (x < MODELS[i].weight) return i;
        x -= MODELS[i].weight;
    }
    return 0;
}

/* Fill a serial format from a sequence number (mixed radix, last position
 * fastest), so consecutive guns get consecutive serials like real lines. */
static void serial_of(const char *fmt, uint64_t seq, char *out, size_t size) {
    static const char LETTERS[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"; /* no I, O */
    size_t n = strlen(fmt);
    if (n + 1 > size) n = size - 1;
    out[n] = 0;
    for (size_t i = n; i-- > 0;) {
        char c = fmt[i];
        if (c == '#') {
            int first = i == 0;
            out[i] = first ? (char)('1' + seq % 9) : (char)('0' + seq % 10);
            seq /= first ? 9 : 10;
        } else if (c == 'L') {
            out[i] = LETTERS[seq % 24];
            seq /= 24;
        } else {
            out[i] = c;
        }
    }
}

static void person(uint64_t idx, int mexican, char *name, size_t nsize, char *dob, size_t dsize) {
    uint64_t s = idx * 0x9E3779B97F4A7C15ull + (mexican ? 77 : 13);
    uint64_t a = trace_rng(&s), b = trace_rng(&s), c = trace_rng(&s);
    if (mexican)
        snprintf(name, nsize, "%s %s %s", MXFIRST[a % (sizeof MXFIRST / sizeof *MXFIRST)],
                 MXLAST[b % (sizeof MXLAST / sizeof *MXLAST)], MXLAST[(b >> 20) % (sizeof MXLAST / sizeof *MXLAST)]);
    else
        snprintf(name, nsize, "%s %c. %s", FIRST[a % (sizeof FIRST / sizeof *FIRST)], (char)('A' + (a >> 20) % 26),
                 LAST[b % (sizeof LAST / sizeof *LAST)]);
    if (dob) {
        int64_t day = -7300 + (int64_t)(c % 19000); /* born 1950..2002 */
        pu_format_date(day, dob, dsize);
    }
}

typedef struct dealer_info {
    char name[96], ffl[80];
    const char *state;
} dealer_info;

static dealer_info *DEALERS; /* per run; freed at end */

static void make_dealers(gen *g) {
    for (size_t i = 0; i < g->ndealers; i++) {
        dealer_info *d = &DEALERS[i];
        d->state = STATES[i < NSTATES ? i : wpick(g, STATES, NSTATES)].code;
        snprintf(d->name, sizeof d->name, "%s %s", LAST[pick(g, sizeof LAST / sizeof *LAST)],
                 SHOP[pick(g, sizeof SHOP / sizeof *SHOP)]);
        int region = !strcmp(d->state, "TX") || !strcmp(d->state, "NM") || !strcmp(d->state, "OK") ? 5
                     : !strcmp(d->state, "AZ") || !strcmp(d->state, "CA") || !strcmp(d->state, "NV") ? 9
                                                                                                     : 1 + (int)pick(g, 8);
        snprintf(d->ffl, sizeof d->ffl, "%d-%02d-%03d-01-%dA-%05zu", region, (int)pick(g, 99),
                 (int)pick(g, 999), 2 + (int)pick(g, 7), i + 1);
    }
}

static size_t dealer_in(gen *g, const char *state) {
    for (int tries = 0; tries < 200; tries++) {
        size_t d = pick(g, g->ndealers);
        if (!strcmp(DEALERS[d].state, state)) return d;
    }
    for (size_t d = 0; d < g->ndealers; d++)
        if (!strcmp(DEALERS[d].state, state)) return d;
    return 0;
}

static int state_group(const char *s) {
    return !strcmp(s, "TX") ? 0 : !strcmp(s, "AZ") ? 1 : !strcmp(s, "CA") ? 2 : !strcmp(s, "NM") ? 3 : 4;
}

/* Send the queued rows: firearms first (events refer to them). */
static int flush_all(gen *g) {
    int rc = db_bulk_flush(g->ins_fa, g->err);
    if (!rc) rc = db_bulk_flush(g->ins_ev, g->err);
    if (!rc) rc = db_bulk_flush(g->ins_req, g->err);
    return rc;
}

static uint64_t serial_hash(const char *mfr, const char *sn) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a over mfr, a separator, sn */
    for (const unsigned char *p = (const unsigned char *)mfr; *p; p++) h = (h ^ *p) * 1099511628211ull;
    h = (h ^ 0x1f) * 1099511628211ull;
    for (const unsigned char *p = (const unsigned char *)sn; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

/* Add h to the taken set; 1 if it was new, 0 if taken, -1 out of memory. */
static int taken_add(gen *g, uint64_t h) {
    if ((g->ntaken + 1) * 2 > g->captaken) {
        size_t nc = g->captaken ? g->captaken * 2 : 1u << 16;
        uint64_t *t = calloc(nc, sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < g->captaken; i++) {
            if (!g->taken[i]) continue;
            size_t k = (size_t)(g->taken[i] * 0x9E3779B97F4A7C15ull >> 20) & (nc - 1);
            while (t[k]) k = (k + 1) & (nc - 1);
            t[k] = g->taken[i];
        }
        free(g->taken);
        g->taken = t;
        g->captaken = nc;
    }
    size_t k = (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (g->captaken - 1);
    while (g->taken[k]) {
        if (g->taken[k] == h) return 0;
        k = (k + 1) & (g->captaken - 1);
    }
    g->taken[k] = h;
    g->ntaken++;
    return 1;
}

/* The serials already in the store (appending to generated data). */
static int taken_load(gen *g) {
    db_stmt *s;
    int rc = db_prepare(g->t->db, "SELECT mfr, serial_norm FROM trace_firearm", &s, g->err);
    if (!rc) (void)db_large_read(s); /* every firearm: in batches */
    while (!rc) {
        int step = db_step(s, g->err);
        if (step == DB_DONE) break;
        if (step != DB_ROW) {
            rc = step;
            break;
        }
        if (taken_add(g, serial_hash(db_col_text(s, 0), db_col_text(s, 1))) < 0) rc = PU_ERR_NOMEM;
    }
    db_finalize(s);
    return rc;
}

static int ev(gen *g, int64_t fid, const char *kind, int64_t day, const char *party, const char *dob,
              const char *ffl, const char *state) {
    char d[16], key[TRACE_KEY_MAX], fids[24];
    char *sealed = NULL; /* a person (with a date of birth): the name is sealed */
    if (dob) {
        int rc = trace_party_key(party, dob, key, sizeof key, g->err);
        if (!rc && party) rc = trace_person_seal(party, &sealed, g->err);
        if (rc) return rc;
    }
    pu_format_date(day, d, sizeof d);
    snprintf(fids, sizeof fids, "%lld", (long long)fid);
    const char *row[] = {fids, kind, d, sealed ? sealed : party, dob ? key : NULL, dob, ffl, state, "ATF", g->marking};
    int rc = db_bulk_row(g->ins_ev, row, g->err);
    free(sealed);
    if (!rc && db_bulk_pending(g->ins_ev) > GEN_BULK_FLUSH_BYTES) rc = flush_all(g);
    g->st->events++;
    return rc;
}

static int bucket_add(gen *g, size_t i) {
    const fa *f = &g->f[i];
    if (f->retail == INT32_MIN) return PU_OK;
    int cls = trace_type_class(trace_type_norm(MODELS[f->model].type));
    int sg = state_group(DEALERS[f->dealer].state);
    int64_t y = (f->retail - g->y0) / 365;
    if (y < 0 || y >= 40 || cls > 2) return PU_OK;
    size_t *n = &g->bn[cls][sg][y], *cap = &g->bcap[cls][sg][y];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint32_t *nb = realloc(g->bucket[cls][sg][y], nc * sizeof *nb);
        if (!nb) return PU_ERR_NOMEM;
        g->bucket[cls][sg][y] = nb;
        *cap = nc;
    }
    g->bucket[cls][sg][y][(*n)++] = (uint32_t)i;
    return PU_OK;
}

/* One firearm with its chain. ring >= 0: a straw purchase (fixed buyer,
 * dealer and day). */
static int firearm(gen *g, size_t i, size_t m, uint32_t purchaser, size_t dealer, int64_t retail) {
    const model *md = &MODELS[m];
    fa *f = &g->f[i];
    f->model = (uint8_t)m;
    f->seq = g->mfr_seq[m]++;
    f->purchaser = purchaser;
    f->dealer = (uint16_t)dealer;
    f->recovered = 0;
    int64_t today = g->t->today, fid = g->fid_base + (int64_t)i + 1;
    int64_t mfg;
    if (retail != INT64_MIN) {
        mfg = retail - 80 - (int64_t)pick(g, 200);
    } else {
        mfg = g->y0 + (int64_t)pick(g, (size_t)(today - 400 - g->y0));
    }
    char serial[TRACE_SERIAL_MAX], sn[TRACE_SERIAL_MAX], mfgd[16];
    pu_format_date(mfg, mfgd, sizeof mfgd);
    int rc = PU_ERR_CONFLICT;
    /* appending to a store that already holds generated firearms: a serial
     * may be taken; take the next number of the line, as a maker would */
    for (int tries = 0; rc == PU_ERR_CONFLICT && tries < 100000; tries++) {
        if (tries) { /* probe at a random distance: few tries even in a crowded line */
            g->mfr_seq[m] += (uint32_t)(1 + R(g) % 50000);
            f->seq = g->mfr_seq[m]++;
        }
        serial_of(md->fmt, f->seq, serial, sizeof serial);
        if (trace_serial_norm(serial, 0, sn, sizeof sn, NULL, g->err)) return PU_ERR_INTERNAL;
        int fresh = taken_add(g, serial_hash(md->mfr, sn));
        if (fresh < 0) return PU_ERR_NOMEM;
        if (fresh) rc = PU_OK;
    }
    if (!rc) {
        char fids[24], det[4];
        snprintf(fids, sizeof fids, "%lld", (long long)fid);
        snprintf(det, sizeof det, "%d", md->detach ? 1 : 0);
        const char *row[] = {fids, md->mfr, md->mfr, "1", serial, sn, md->importer, md->model, md->type,
                             md->calibre, md->action, det, md->country, mfgd, "ATF", g->marking};
        rc = db_bulk_row(g->ins_fa, row, g->err);
    }
    if (rc) return rc;
    g->st->firearms++;
    int64_t d = mfg;
    if ((rc = ev(g, fid, md->importer ? "IMPORT" : "MANUFACTURE", d, md->importer ? md->importer : md->mfr, NULL, NULL,
                 NULL)))
        return rc;
    const dealer_info *dl = &DEALERS[dealer];
    d += 10 + (int64_t)pick(g, 30);
    if ((rc = ev(g, fid, "DISTRIBUTOR", d, DIST[pick(g, sizeof DIST / sizeof *DIST)], NULL, NULL, NULL))) return rc;
    d += 5 + (int64_t)pick(g, 20);
    if ((rc = ev(g, fid, "DEALER", d, dl->name, NULL, dl->ffl, dl->state))) return rc;
    if (retail == INT64_MIN) {
        retail = d + 10 + (int64_t)(U(g) * U(g) * 900);
        if (retail >= today || U(g) < 0.03) { /* still in the dealer's inventory */
            f->retail = INT32_MIN;
            if (g->nunsold == g->capunsold) {
                size_t nc = g->capunsold ? g->capunsold * 2 : 1024;
                uint32_t *nu = realloc(g->unsold, nc * sizeof *nu);
                if (!nu) return PU_ERR_NOMEM;
                g->unsold = nu;
                g->capunsold = nc;
            }
            g->unsold[g->nunsold++] = (uint32_t)i;
            return PU_OK;
        }
    }
    if (retail < d) retail = d + 1;
    f->retail = (int32_t)retail;
    char name[96], dob[16];
    person(purchaser, 0, name, sizeof name, dob, sizeof dob);
    if ((rc = ev(g, fid, "RETAIL", retail, name, dob, dl->ffl, dl->state))) return rc;
    if (U(g) < 0.08 && retail + 400 < today) { /* a later private transfer through a dealer */
        char n2[96], dob2[16];
        person(g->npurch + 1000000 + R(g) % 1000000, 0, n2, sizeof n2, dob2, sizeof dob2);
        int64_t td = retail + 200 + (int64_t)pick(g, (size_t)(today - retail - 200));
        if ((rc = ev(g, fid, "TRANSFER", td, n2, dob2, dl->ffl, dl->state))) return rc;
    }
    return bucket_add(g, i);
}

/* ---- recoveries ------------------------------------------------------------- */

static double lognormal(gen *g, double median, double sigma) {
    double u1 = U(g), u2 = U(g);
    if (u1 < 1e-12) u1 = 1e-12;
    double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    return median * exp(sigma * z);
}

/* Write one request through the same validation as user input (which
 * reads nothing from the store, so the queued rows need not be sent). */
static int request(gen *g, const model *md, const char *serial, int oblit, int64_t rec, const char *possessor,
                   const char *mxstate, const char *mfr_name) {
    const char *v[F_COUNT] = {0};
    char recd[16], reqd[16], pdob[16] = "";
    pu_format_date(rec, recd, sizeof recd);
    int64_t rq = rec + (int64_t)pick(g, 60);
    if (rq > g->t->today) rq = g->t->today;
    pu_format_date(rq, reqd, sizeof reqd);
    v[F_REQUEST_DATE] = reqd;
    v[F_PRIORITY] = U(g) < 0.1 ? "urgent" : "routine";
    v[F_AGENCY] = U(g) < 0.7 ? "FGR" : "SEDENA";
    v[F_CRIME_CODE] = CRIMES[pick(g, sizeof CRIMES / sizeof *CRIMES)];
    v[F_SERIAL] = serial;
    v[F_OBLITERATED] = oblit ? "yes" : "no";
    v[F_MANUFACTURER] = mfr_name;
    v[F_IMPORTER] = md->importer;
    v[F_TYPE] = md->type;
    v[F_CALIBRE] = md->calibre;
    v[F_MODEL] = md->model;
    v[F_COUNTRY] = md->country;
    v[F_POSSESSOR] = possessor;
    if (possessor && U(g) < 0.5) {
        pu_format_date(-3650 + (int64_t)pick(g, 12000), pdob, sizeof pdob);
        v[F_POSSESSOR_DOB] = pdob;
    }
    v[F_RECOVERY_DATE] = recd;
    v[F_RECOVERY_STATE] = mxstate;
    trace_req r;
    int rc = trace_req_validate(g->t, v, &r, g->err);
    if (rc) return rc;
    trace_import_opts o = {.owner = v[F_AGENCY], .marking = U(g) < 0.15 ? "MX-ONLY" : STORE_DEFAULT_MARKING};
    char num[32], now[32];
    if (trace_number_format(g->num_year, g->num_last + 1, num, sizeof num))
        return pu_fail(g->err, PU_ERR_INTERNAL, NULL, "number", "request number out of range");
    pu_now_iso(now, sizeof now);
    rc = trace_req_bulk_row(g->ins_req, &r, &o, num, now, g->err);
    if (!rc) {
        g->num_last++;
        g->st->recoveries++;
        if (db_bulk_pending(g->ins_req) > GEN_BULK_FLUSH_BYTES) rc = db_bulk_flush(g->ins_req, g->err);
    }
    return rc;
}

/* How a recovering agency writes a serial: noise the normaliser must undo. */
static void transcribe(gen *g, const char *serial, char *out, size_t size) {
    double u = U(g);
    size_t n = 0;
    if (u < 0.04 && n + 2 < size) { out[n++] = '0'; out[n++] = '0'; }
    for (const char *p = serial; *p && n + 3 < size; p++) {
        char c = *p;
        if (u >= 0.04 && u < 0.10 && c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (u >= 0.10 && u < 0.14 && c == '0') c = 'O';
        if (u >= 0.14 && u < 0.17 && c == '1') c = 'I';
        if (c == '-' && u >= 0.17 && u < 0.22) continue;
        out[n++] = c;
        if (u >= 0.22 && u < 0.26 && p[1] && (p - serial) == 2) out[n++] = ' ';
    }
    out[n] = 0;
}

/* Obliterate 2-3 characters: a partial serial for an examiner. */
static void obliterate(gen *g, const char *serial, char *out, size_t size) {
    pu_strlcpy(out, serial, size);
    size_t n = strlen(out), k = 2 + pick(g, 2);
    for (size_t j = 0; j < k && n; j++) {
        size_t p = pick(g, n);
        if (out[p] != '-') out[p] = '?';
    }
}

static const char *alias_of(gen *g, const model *md) {
    double u = U(g);
    if (u < 0.01) return "Unknwn Arms Co"; /* unknown maker: kept and flagged */
    return u < 0.5 ? md->alias : md->mfr;
}

static int recover(gen *g, size_t i, int64_t rec, double p_differs, double p_oblit, const char *mx) {
    fa *f = &g->f[i];
    const model *md = &MODELS[f->model];
    f->recovered = 1;
    char serial[TRACE_SERIAL_MAX], shown[TRACE_SERIAL_MAX + 8], poss[128];
    serial_of(md->fmt, f->seq, serial, sizeof serial);
    int oblit = U(g) < p_oblit;
    if (oblit) obliterate(g, serial, shown, sizeof shown);
    else transcribe(g, serial, shown, sizeof shown);
    double u = U(g);
    const char *possessor = NULL;
    if (u < p_differs) {
        person(R(g) % 5000000, 1, poss, sizeof poss, NULL, 0);
        possessor = poss;
    } else if (u < p_differs + 0.04) {
        person(f->purchaser, 0, poss, sizeof poss, NULL, 0);
        possessor = poss;
    }
    return request(g, md, shown, oblit, rec, possessor, mx, alias_of(g, md));
}

static int recoveries(gen *g, uint64_t n) {
    static const double type_w[3] = {0.60, 0.35, 0.05}; /* handgun, rifle, shotgun */
    static const double sg_w[5] = {0.40, 0.16, 0.15, 0.04, 0.25};
    int64_t today = g->t->today;
    for (uint64_t k = 0; k < n; k++) {
        const char *mx = MXSTATES[wpick(g, MXSTATES, NMX)].code;
        double u = U(g);
        int tc = u < type_w[0] ? 0 : u < type_w[0] + type_w[1] ? 1 : 2;
        int rc;
        if (U(g) < 0.30) { /* not US-sourced: no US record */
            size_t fi;
            do fi = pick(g, NFOREIGN);
            while ((tc == 0) != !strcmp(FOREIGN[fi].type, "PISTOL") && U(g) < 0.9);
            char serial[TRACE_SERIAL_MAX];
            serial_of(FOREIGN[fi].fmt, R(g) % 1000000, serial, sizeof serial);
            int64_t rec = today - 10 - (int64_t)pick(g, 6 * 365);
            char poss[128];
            person(R(g) % 5000000, 1, poss, sizeof poss, NULL, 0);
            rc = request(g, &FOREIGN[fi], serial, 0, rec, poss, mx, FOREIGN[fi].alias);
            if (rc) return rc;
            continue;
        }
        if (U(g) < 0.03 && g->nunsold) { /* stolen from a dealer: no purchaser record */
            size_t i = g->unsold[pick(g, g->nunsold)];
            if (!g->f[i].recovered) {
                if ((rc = recover(g, i, today - 10 - (int64_t)pick(g, 3 * 365), 0.9, 0.05, mx))) return rc;
                continue;
            }
        }
        double v = U(g);
        int sg = 0;
        for (double acc = sg_w[0]; sg < 4 && v >= acc; acc += sg_w[++sg]) {}
        /* recovery in the last 6 years; TTC log-normal, median 3.9 y, mean about 5.4 y */
        int found = 0;
        for (int tries = 0; tries < 40 && !found; tries++) {
            int64_t rec = today - 10 - (int64_t)pick(g, 6 * 365);
            int64_t ttc = (int64_t)(lognormal(g, 3.9, 0.8) * 365.25);
            int64_t y = (rec - ttc - g->y0) / 365;
            int cls = tc == 2 ? 1 : tc; /* shotguns are long guns: bucket 1, filtered below */
            if (y < 0 || y >= 40 || !g->bn[cls][sg][y]) continue;
            size_t i = g->bucket[cls][sg][y][pick(g, g->bn[cls][sg][y])];
            fa *f = &g->f[i];
            if (f->recovered) continue;
            if ((tc == 2) != !strcmp(MODELS[f->model].type, "SHOTGUN")) continue;
            int64_t r2 = f->retail + ttc;
            if (r2 > today - 1) continue;
            if ((rc = recover(g, i, r2, 0.88, 0.04, mx))) return rc;
            found = 1;
        }
    }
    return PU_OK;
}

/* Straw-purchase rings: a few buyers in a border state buy trafficking guns
 * in bursts from one or two dealers; many surface in Mexico within a year. */
static int rings(gen *g, size_t *next) {
    int64_t today = g->t->today;
    for (int r = 0; r < g->o->rings; r++) {
        const char *state = U(g) < 0.7 ? "TX" : "AZ";
        size_t d1 = dealer_in(g, state), d2 = dealer_in(g, state);
        int members = 3 + (int)pick(g, 4);
        int64_t start = today - 400 - (int64_t)pick(g, 5 * 365);
        for (int m = 0; m < members; m++) {
            uint32_t who = g->npurch + 1 + (uint32_t)(r * 16 + m);
            char name[96], dob[16], key[TRACE_KEY_MAX];
            person(who, 0, name, sizeof name, dob, sizeof dob);
            int krc = trace_party_key(name, dob, key, sizeof key, g->err);
            if (krc) return krc;
            db_reset(g->truth);
            db_bind_text(g->truth, 1, key, -1);
            db_bind_int64(g->truth, 2, r + 1);
            int rc = db_step_done(g->truth, g->err);
            if (rc) return rc;
            g->st->ring_purchasers++;
            int bursts = 2 + (int)pick(g, 3);
            for (int b = 0; b < bursts; b++) {
                int64_t day = start + (int64_t)pick(g, 300);
                size_t m1 = model_pick(g, 1), dl = U(g) < 0.6 ? d1 : d2;
                int guns = 2 + (int)pick(g, 2);
                for (int k = 0; k < guns; k++) {
                    size_t i = (*next)++;
                    if ((rc = firearm(g, i, k == 0 || U(g) < 0.7 ? m1 : model_pick(g, 1), who, dl, day + (int64_t)pick(g, 3))))
                        return rc;
                    if (U(g) < 0.45) { /* recovered in Mexico, TTC 1-13 months */
                        int64_t rec = g->f[i].retail + 30 + (int64_t)pick(g, 370);
                        if (rec < today) {
                            static const char *far[] = {"Michoacán", "Jalisco", "Guerrero", "Sinaloa", "Tamaulipas",
                                                        "Zacatecas", "Guanajuato"};
                            if ((rc = recover(g, i, rec, 0.97, 0.12, far[pick(g, 7)]))) return rc;
                        }
                    }
                }
            }
        }
    }
    return PU_OK;
}

static int prepare(gen *g) {
    db_t *db = g->t->db;
    /* the marking was parsed into its canonical name (trace_generate) */
    static const char *const fcols[] = {"id",     "mfr",     "mfr_raw", "mfr_known", "serial",         "serial_norm",
                                        "importer", "model", "type",    "calibre",   "action",         "detachable_mag",
                                        "country", "mfg_date", "owner", "marking"};
    int rc = db_bulk_open(db, "trace_firearm", fcols, (int)(sizeof fcols / sizeof fcols[0]), &g->ins_fa, g->err);
    if (!rc) rc = taken_load(g);
    /* events: a bulk insert (COPY on PostgreSQL), sent before anything reads them */
    static const char *const cols[] = {"firearm_id", "kind", "date", "party", "party_key",
                                       "dob",        "ffl",  "state", "owner", "marking"};
    if (!rc) rc = db_bulk_open(db, "trace_event", cols, (int)(sizeof cols / sizeof cols[0]), &g->ins_ev, g->err);
    if (!rc) rc = trace_req_bulk_open(g->t, &g->ins_req, g->err);
    if (!rc) rc = trace_number_block(g->t, &g->num_year, &g->num_last, g->err);
    if (!rc)
        rc = db_prepare(db, "INSERT INTO trace_gen_truth(party_key, ring) VALUES (?, ?) ON CONFLICT (party_key) DO NOTHING",
                        &g->truth, g->err);
    return rc;
}

static int generate(gen *g) {
    const trace_gen_opts *o = g->o;
    int rc = prepare(g);
    if (rc) return rc;
    size_t ring_guns = (size_t)o->rings * 6 * 4 * 3 + 16;
    g->f = calloc(o->firearms + ring_guns, sizeof *g->f);
    g->mfr_seq = calloc(NMODELS, sizeof *g->mfr_seq);
    g->ndealers = o->firearms / 1500 < 60 ? 60 : o->firearms / 1500;
    if (g->ndealers > 60000) g->ndealers = 60000;
    DEALERS = calloc(g->ndealers, sizeof *DEALERS);
    if (!g->f || !g->mfr_seq || !DEALERS) return PU_ERR_NOMEM;
    /* each model's line starts at a different point, so serials do not all
     * begin at the lowest value */
    for (size_t m = 0; m < NMODELS; m++) g->mfr_seq[m] = (uint32_t)(R(g) % 100000 + (uint64_t)g->fid_base);
    make_dealers(g);
    g->npurch = (uint32_t)(o->firearms / 2 + 10);
    pu_progress pg;
    pu_progress_start(&pg, "trace generate", o->firearms);
    size_t prev = 0;
    for (size_t i = 0; i < o->firearms; i++) {
        size_t m = model_pick(g, 0);
        int64_t retail = INT64_MIN;
        uint32_t who;
        size_t dl;
        if (i && U(g) < 0.03 && g->f[prev].retail != INT32_MIN) {
            /* a multiple sale: same buyer, same dealer, within a few days */
            who = g->f[prev].purchaser;
            dl = g->f[prev].dealer;
            retail = g->f[prev].retail + (int64_t)pick(g, 4);
            if (retail >= g->t->today) retail = g->f[prev].retail;
            if (U(g) < 0.6) m = g->f[prev].model;
        } else {
            double u = U(g);
            who = (uint32_t)(u * u * g->npurch); /* a few buyers buy a lot */
            dl = pick(g, g->ndealers);
        }
        if ((rc = firearm(g, i, m, who, dl, retail))) return rc;
        prev = i;
        if ((i & 65535) == 0) pu_progress_tick(&pg, i, i);
    }
    pu_progress_end(&pg, o->firearms);
    size_t next = o->firearms;
    if ((rc = rings(g, &next))) return rc;
    g->nf = next;
    uint64_t ring_recoveries = g->st->recoveries;
    return recoveries(g, o->recoveries > ring_recoveries ? o->recoveries - ring_recoveries : 0);
}

int trace_generate(trace_t *t, const trace_gen_opts *o, trace_gen_stats *st, pu_err *err) {
    memset(st, 0, sizeof *st);
    if (!o->firearms || o->firearms > 100000000ull)
        return pu_fail(err, PU_ERR_INVALID, NULL, "firearms", "expected 1 to 100000000 firearms");
    store_marking mk;
    if (store_marking_parse(o->marking_records ? o->marking_records : STORE_DEFAULT_MARKING, "marking", &mk, err))
        return PU_ERR_INVALID;
    gen g = {.t = t, .o = o, .rng = o->seed ? o->seed : 42, .st = st, .err = err, .marking = store_marking_name(mk)};
    pu_parse_date("1995-01-01", &g.y0);
    int rc = db_query_int64(t->db, "SELECT COALESCE(MAX(id), 0) FROM trace_firearm", NULL, &g.fid_base, err);
    /* one big transaction with random index inserts: SQLite's default 2 MB
     * page cache makes it spill the same pages to the WAL over and over */
    if (!rc) rc = db_bulk_load_hint(t->db, (size_t)1 << 30, err);
    if (!rc) rc = db_begin(t->db, err);
    if (rc) return rc;
    /* into an empty store: the events' foreign key is checked once at the
     * end, not per row (db_fk_suspend: more than half of PostgreSQL's work
     * in the load); a store that holds firearms keeps its per-row check, so
     * its readers are not locked out for the whole load */
    db_fk *fk = NULL;
    if (g.fid_base == 0) rc = db_fk_suspend(t->db, "trace_event", "firearm_id", &fk, err);
    if (!rc) rc = generate(&g);
    if (!rc) rc = flush_all(&g);
    if (!rc) {
        rc = db_fk_restore(t->db, fk, err);
        fk = NULL;
    }
    db_fk_free(fk);
    if (!rc) rc = trace_number_block_end(t, g.num_year, g.num_last, err);
    db_bulk_close(g.ins_fa);
    db_bulk_close(g.ins_ev);
    db_bulk_close(g.ins_req);
    free(g.taken);
    db_finalize(g.truth);
    free(g.f);
    free(g.mfr_seq);
    free(g.unsold);
    free(DEALERS);
    DEALERS = NULL;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 5; b++)
            for (int c = 0; c < 40; c++) free(g.bucket[a][b][c]);
    if (rc) {
        db_rollback(t->db);
        if (rc == PU_ERR_NOMEM) return pu_fail(err, rc, NULL, NULL, "out of memory generating demo data");
        return rc;
    }
    /* the firearms carry explicit ids (fid_base + i) */
    if ((rc = db_sync_ids(t->db, "trace_firearm", err)) || (rc = store_generation_bump(t->db, "trace", err))) {
        db_rollback(t->db);
        return rc;
    }
    return db_commit(t->db, err);
}
