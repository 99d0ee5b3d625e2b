/* cargo_gen.c - labelled synthetic air-cargo manifests: benign goods and
 * chemicals, precursors disguised in several ways, designated parties.
 * Deterministic for a seed. Used by the demo, the tests and the benchmarks. */
#include "cargo/cargo_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[CARGO_NKINDS] = {
    "benign", "declared", "cas_only", "synonym", "code_name", "spanish", "salt", "misspelled",
    "chinglish", "hs_only", "split", "party"};

const char *cargo_kind_name(int k) { return k >= 0 && k < CARGO_NKINDS ? KIND_NAMES[k] : "?"; }
int cargo_kind_lookup(const char *s) {
    for (int i = 0; i < CARGO_NKINDS; i++) if (s && strcmp(s, KIND_NAMES[i]) == 0) return i;
    return -1;
}

typedef struct rng { uint64_t s; } rng;
static uint64_t next(rng *r) { /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static size_t pick(rng *r, size_t n) { return n ? (size_t)(next(r) % n) : 0; }
static double unif(rng *r) { return (double)(next(r) >> 11) / 9007199254740992.0; }
#define PICK(r, a) (a[pick(r, sizeof a / sizeof a[0])])

/* ---- vocabulary ------------------------------------------------------------------ */

typedef struct goods { const char *desc, *hs; double usd_kg_lo, usd_kg_hi, kg_lo, kg_hi; } goods;
static const goods GOODS[] = {
    {"Mobile phone accessories, USB cables and chargers", "8544.42", 8, 40, 20, 800},
    {"LED lamps and lighting fixtures", "9405.42", 5, 25, 50, 1500},
    {"Cotton T-shirts, men's, knitted", "6109.10", 6, 20, 100, 2000},
    {"Women's synthetic fibre dresses", "6204.43", 10, 40, 50, 800},
    {"Plastic toys and building blocks", "9503.00", 3, 12, 100, 3000},
    {"Auto spare parts: brake pads", "8708.30", 4, 15, 200, 4000},
    {"Laptop computers", "8471.30", 150, 600, 50, 1000},
    {"Smartphones, new", "8517.13", 300, 1200, 20, 500},
    {"Ceramic floor tiles", "6907.21", 0.8, 3, 1000, 9000},
    {"Running shoes with rubber soles", "6404.11", 10, 35, 100, 2000},
    {"Stainless steel kitchen utensils", "8215.99", 4, 12, 100, 2500},
    {"Furniture parts, wooden chairs", "9401.61", 3, 10, 300, 5000},
    {"Cosmetics: lipstick and make-up sets", "3304.10", 15, 60, 20, 600},
    {"Polyethylene film rolls", "3920.10", 1.5, 4, 500, 8000},
    {"Solar panel mounting brackets", "7308.90", 2, 6, 500, 6000},
    {"Refacciones automotrices: filtros de aceite", "8421.23", 3, 10, 100, 2000},
    {"Juguetes de plastico surtidos", "9503.00", 3, 12, 100, 2000},
    {"Ropa de algodon para dama", "6204.62", 8, 30, 50, 1000},
    {"Electric bicycle batteries, lithium-ion", "8507.60", 20, 60, 100, 1500},
    {"Medical disposable gloves, nitrile", "4015.19", 3, 8, 500, 6000},
    {"Printed circuit board assemblies", "8538.90", 40, 200, 20, 400},
    {"Industrial sewing machine parts", "8452.90", 8, 25, 50, 800},
    /* substring traps for naive matching: "ether" in Ethernet, "PPA" the plastic */
    {"Ethernet switches and network cables", "8517.62", 20, 80, 20, 600},
    {"Polyphthalamide (PPA) resin pellets", "3908.90", 3, 8, 500, 5000},
};

typedef struct bchem { const char *name, *cas, *hs; } bchem;
/* Benign chemicals not on the watchlist (some one edit from a listed name). */
static const bchem BCHEM[] = {
    {"Citric acid anhydrous", "77-92-9", "2918.14"}, {"Sodium benzoate", "532-32-1", "2916.31"},
    {"Glycerol", "56-81-5", "2905.45"}, {"Titanium dioxide", "13463-67-7", "2823.00"},
    {"Caffeine anhydrous", "58-08-2", "2939.30"}, {"Ascorbic acid", "50-81-7", "2936.27"},
    {"Sodium chloride", "7647-14-5", "2501.00"}, {"Isopropyl alcohol", "67-63-0", "2905.12"},
    {"Urea, technical grade", "57-13-6", "3102.10"}, {"Calcium carbonate", "471-34-1", "2836.50"},
    {"Nitromethane", "75-52-5", "2904.20"}, {"Piperonyl butoxide", "51-03-6", "2932.99"},
    {"Methanol", "67-56-1", "2905.11"}, {"Dimethylamine solution 40%", "124-40-3", "2921.11"},
    {"Pyridine", "110-86-1", "2933.31"}, {"Sodium hydroxide pearls", "1310-73-2", "2815.11"},
    {"Zinc oxide", "1314-13-2", "2817.00"}, {"Xanthan gum", "11138-66-2", "3913.90"},
};

/* Legitimate trade in watched (INCB Table II) solvents and acids. */
static const char *const WATCH_IDS[] = {"acetone", "toluene", "mek", "hydrochloric-acid", "sulphuric-acid", "ethyl-ether"};

static const char *const CN_CITY[] = {"Shanghai", "Wuhan", "Hebei", "Guangzhou", "Shenzhen", "Tianjin", "Hangzhou", "Jinan", "Zhengzhou", "Nanjing"};
static const char *const CN_WORD[] = {"Jinhao", "Everbright", "Tianyi", "Huaxin", "Hongda", "Kaiyuan", "Ruifeng", "Xinyang", "Boyuan", "Lianfa", "Dongsheng", "Yuanli", "Haoxiang", "Changjiang", "Mingtai"};
static const char *const CN_TRADE[] = {"Chemical Co., Ltd.", "Trading Co., Ltd.", "Biotechnology Co., Ltd.", "Pharmaceutical Technology Co., Ltd.", "Electronics Co., Ltd.", "Import & Export Co., Ltd.", "Industrial Co., Ltd.", "Garment Co., Ltd."};
static const char *const IN_WORD[] = {"Sai", "Shree", "Aarti", "Vishal", "Om", "Ganesh", "Krishna"};
static const char *const IN_TRADE[] = {"Chemicals Pvt. Ltd.", "Exports", "Pharma Pvt. Ltd.", "Industries Ltd."};
static const char *const OTHER_SHIP[] = {"Nordwerk Maschinen GmbH", "Pacific Components Inc.", "Busan Tech Co., Ltd.", "Lyon Textiles SARL", "Saigon Garment JSC", "Texas Supply Co.", "Osaka Seiko K.K."};
static const char *const FWD_WORD[] = {"Sino", "Globalink", "Dragon", "Pacific Star", "Orient", "Fastway", "Skybridge"};
static const char *const FWD_TRADE[] = {"International Logistics Co., Ltd.", "Freight Forwarding Ltd.", "Express Cargo Co., Ltd.", "Supply Chain Co., Ltd.", "Shipping Agency Ltd."};
static const char *const MX_WORD[] = {"del Norte", "Azteca", "Pacifico", "Jalisco", "Sierra Madre", "Bajio", "Monterrey", "Sinaloa", "Golfo", "Altiplano", "Anahuac", "Cuauhtemoc", "Tlaloc", "Maya", "Sonora"};
static const char *const MX_TRADE[] = {"Distribuidora %s S.A. de C.V.", "Comercializadora %s S. de R.L. de C.V.", "Importadora %s SA de CV", "Grupo Industrial %s S.A.P.I. de C.V.", "Quimica %s S.A. de C.V.", "Farmaceutica %s S.A. de C.V.", "Servicios Logisticos %s S.A. de C.V."};
static const char *const MX_STREET[] = {"Av. Insurgentes Sur", "Blvd. Lazaro Cardenas", "Calle Hidalgo", "Av. Vallarta", "Calz. Independencia", "Av. Constitucion", "Blvd. Rosales", "Calle Morelos", "Av. Obregon"};
static const char *const MX_CITY[] = {"Guadalajara, Jal.", "Monterrey, N.L.", "Ciudad de Mexico, CDMX", "Culiacan, Sin.", "Tijuana, B.C.", "Queretaro, Qro.", "Puebla, Pue.", "Mexicali, B.C.", "Leon, Gto.", "Hermosillo, Son."};
static const char *const RESID[] = {"Depto 302", "Int. 4", "Casa 12", "Fracc. Las Palmas", "Privada Los Pinos", "Apartado 17"};
static const char *const CN_ORIG[] = {"PVG", "CAN", "PEK", "SZX", "HGH", "TSN"};
static const char *const MX_DEST[] = {"MEX", "GDL", "MTY", "QRO", "TIJ", "NLU"};
static const char *const US_DEST[] = {"LAX", "DFW", "ORD", "MIA", "IAH"};
static const char *const NORMAL_TS[] = {"ANC", "LAX", "FRA", "ICN", "AMS"};
static const char *const ODD_TS[] = {"DXB;IST", "DOH;BOG", "ADD;PTY", "IST", "DXB", "FRA;DXB;BOG"};
static const char *const CARRIERS[][2] = {{"999", "Air China Cargo"}, {"784", "China Southern"}, {"112", "China Cargo Airlines"},
                                          {"172", "Cargolux"}, {"057", "Air France Cargo"}, {"020", "Lufthansa Cargo"},
                                          {"176", "Emirates SkyCargo"}, {"139", "Aeromexico Cargo"}, {"235", "Turkish Cargo"}};
static const char *const CONTEXT[] = {"powder", "99% purity", "white crystalline powder", "pharmaceutical intermediate",
                                      "reagent grade", "API grade", "high purity 99%"};
static const char *const CHINGLISH_PRE[] = {"Hot sell", "Factory supply", "Best price", "Good quality", "Top quality",
                                            "Safe delivery", "Low price high purity"};
static const char *const CHINGLISH_POST[] = {"safe shipping to Mexico", "100% pass customs", "door to door",
                                             "stock available fast delivery", "with best price", "customs clearance guaranteed"};
static const char *const GENERIC[] = {"Industrial raw material", "Chemical sample", "Organic intermediate", "Chemical products",
                                      "Materia prima industrial", "Producto quimico", "General cargo", "Pharmaceutical intermediate"};
static const char *const COVER[] = {"Plastic parts", "Ceramic glaze additive", "Textile auxiliary", "Cosmetic raw material",
                                    "Juguetes de plastico", "Food additive", "Ceramic tiles"};

/* ---- companies -------------------------------------------------------------------- */

typedef struct party { char name[112], addr[160], ctry[3]; int residential, chem; } party;

static void mk_cn(rng *r, party *p, int chem) {
    const char *trade = chem ? CN_TRADE[pick(r, 4)] : CN_TRADE[pick(r, 8)];
    const char *city = PICK(r, CN_CITY);
    snprintf(p->name, sizeof p->name, "%s %s %s", city, PICK(r, CN_WORD), trade);
    snprintf(p->addr, sizeof p->addr, "Room %zu, Building %zu, %s Road, %s, China", 100 + pick(r, 2900), 1 + pick(r, 30),
             PICK(r, CN_WORD), city);
    memcpy(p->ctry, "CN", 3);
    p->chem = chem;
}

static void mk_shipper(rng *r, party *p) {
    double u = unif(r);
    memset(p, 0, sizeof *p);
    if (u < 0.6) mk_cn(r, p, unif(r) < 0.35);
    else if (u < 0.72) {
        snprintf(p->name, sizeof p->name, "%s %s", PICK(r, IN_WORD), PICK(r, IN_TRADE));
        snprintf(p->addr, sizeof p->addr, "Plot %zu, MIDC Industrial Area, %s, India", 1 + pick(r, 400), unif(r) < 0.5 ? "Mumbai" : "Hyderabad");
        memcpy(p->ctry, "IN", 3);
        p->chem = 1;
    } else if (u < 0.86) {
        snprintf(p->name, sizeof p->name, "%s %s", PICK(r, FWD_WORD), PICK(r, FWD_TRADE));
        snprintf(p->addr, sizeof p->addr, "Unit %zu, Airport Logistics Park, Shenzhen, China", 1 + pick(r, 99));
        memcpy(p->ctry, "CN", 3);
    } else {
        snprintf(p->name, sizeof p->name, "%s", PICK(r, OTHER_SHIP));
        snprintf(p->addr, sizeof p->addr, "%zu Industrial Way", 1 + pick(r, 900));
        memcpy(p->ctry, unif(r) < 0.5 ? "DE" : "US", 3);
    }
}

static void mk_consignee(rng *r, party *p, size_t i) {
    memset(p, 0, sizeof *p);
    char w[64];
    snprintf(w, sizeof w, "%s %s", PICK(r, MX_WORD), (const char *[]){"", "Norte", "Sur", "Occidente", "Centro", "Plus", "Global", "2000"}[i % 8]);
    pu_trim(w);
    snprintf(p->name, sizeof p->name, PICK(r, MX_TRADE), w);
    p->residential = unif(r) < 0.06;
    if (p->residential)
        snprintf(p->addr, sizeof p->addr, "Calle %s %zu %s, %s", PICK(r, MX_WORD), 1 + pick(r, 300), PICK(r, RESID), PICK(r, MX_CITY));
    else
        snprintf(p->addr, sizeof p->addr, "%s %zu, Col. Centro, %s", PICK(r, MX_STREET), 10 + pick(r, 4000), PICK(r, MX_CITY));
    memcpy(p->ctry, "MX", 3);
}

/* ---- text helpers ------------------------------------------------------------------- */

/* i-th ';'-separated item of list (or "" when absent). */
static void nth(const char *list, size_t i, char *out, size_t size) {
    out[0] = '\0';
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!i--) { snprintf(out, size, "%.*s", (int)n, p); return; }
        p = e ? e + 1 : NULL;
    }
}

static size_t count(const char *list) {
    if (!list || !*list) return 0;
    size_t n = 1;
    for (; *list; list++) n += *list == ';';
    return n;
}

/* One-edit typo at a letter position >= 2 (never the first letters). */
static void typo(rng *r, const char *in, char *out, size_t size) {
    size_t n = strlen(in);
    snprintf(out, size, "%s", in);
    if (n < 9 || n + 2 >= size) return;
    for (int tries = 0; tries < 20; tries++) {
        size_t i = 2 + pick(r, n - 3);
        if (!isalpha((unsigned char)in[i]) || !isalpha((unsigned char)in[i + 1])) continue;
        int kind = (int)pick(r, 3);
        if (kind == 0) { /* deletion */
            memmove(out + i, out + i + 1, n - i);
        } else if (kind == 1) { /* transposition */
            char t = out[i]; out[i] = out[i + 1]; out[i + 1] = t;
            if (out[i] == out[i + 1]) continue;
        } else { /* substitution by a neighbouring vowel/consonant */
            char c = (char)tolower((unsigned char)in[i]);
            out[i] = strchr("aeiou", c) ? (c == 'e' ? 'i' : 'e') : (c == 'n' ? 'm' : 'n');
        }
        return;
    }
}

static int controlled_ids(const cargo_watchlist *w, size_t *ids, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < w->n && n < max; i++)
        if (strcmp(w->chem[i].tier, "controlled") == 0 && *w->chem[i].cas) ids[n++] = i;
    return (int)n;
}

static int find_chem(const cargo_watchlist *w, const char *id) {
    for (size_t i = 0; i < w->n; i++) if (strcmp(w->chem[i].id, id) == 0) return (int)i;
    return -1;
}

/* Description of a precursor shipment for a disguise kind; returns the HS. */
static const char *disguise(rng *r, const cargo_watchlist *w, int kind, const cargo_chemical *c, char *d, size_t size) {
    char a[160], b[160];
    const char *hs = *c->hs_codes ? c->hs_codes : "2933.39";
    switch (kind) {
    case CARGO_KIND_DECLARED:
        snprintf(d, size, "%s, %zu kg drums", c->name_en, 25 * (1 + pick(r, 8)));
        break;
    case CARGO_KIND_CAS_ONLY:
        snprintf(d, size, "%s CAS %s", PICK(r, GENERIC), c->cas);
        if (unif(r) < 0.5) hs = "3824.99";
        break;
    case CARGO_KIND_SYNONYM:
        nth(c->synonyms_en, pick(r, count(c->synonyms_en)), a, sizeof a);
        snprintf(d, size, "%s, %s", *a ? a : c->name_en, PICK(r, CONTEXT));
        break;
    case CARGO_KIND_CODE_NAME:
        nth(c->code_names, pick(r, count(c->code_names)), a, sizeof a);
        snprintf(d, size, "%s %s", *a ? a : c->name_en, PICK(r, CONTEXT));
        break;
    case CARGO_KIND_SPANISH: {
        const char *es = *c->name_es ? c->name_es : c->name_en;
        if (count(c->synonyms_es) && unif(r) < 0.4) { nth(c->synonyms_es, 0, b, sizeof b); es = b; }
        snprintf(d, size, "%s, %s", es, unif(r) < 0.5 ? "polvo blanco" : "grado industrial");
        break;
    }
    case CARGO_KIND_SALT: {
        static const char *const SALT_FMT[] = {"%s hydrochloride", "%s HCl", "%s dihydrochloride", "%s 2HCl",
                                               "%s sulfate", "Clorhidrato de %s"};
        size_t k = pick(r, 6);
        const char *base = k == 5 && *c->name_es ? c->name_es : c->name_en;
        snprintf(a, sizeof a, SALT_FMT[k], base);
        snprintf(d, size, "%s %s", a, PICK(r, CONTEXT));
        break;
    }
    case CARGO_KIND_MISSPELLED: {
        const char *base = c->name_en;
        if (strlen(base) < 9 && count(c->synonyms_en)) { nth(c->synonyms_en, 0, b, sizeof b); if (strlen(b) >= 9) base = b; }
        typo(r, base, a, sizeof a);
        snprintf(d, size, "%s %s", a, PICK(r, CONTEXT));
        break;
    }
    case CARGO_KIND_CHINGLISH:
        if (count(c->code_names)) nth(c->code_names, pick(r, count(c->code_names)), a, sizeof a);
        else snprintf(a, sizeof a, "%s", c->name_en);
        if (unif(r) < 0.5) snprintf(d, size, "%s %s CAS %s %s", PICK(r, CHINGLISH_PRE), a, c->cas, PICK(r, CHINGLISH_POST));
        else snprintf(d, size, "%s %s powder %s", PICK(r, CHINGLISH_PRE), a, PICK(r, CHINGLISH_POST));
        break;
    case CARGO_KIND_HS_ONLY:
        snprintf(d, size, "%s", PICK(r, COVER));
        break;
    case CARGO_KIND_SPLIT:
        snprintf(d, size, "%s", PICK(r, GENERIC));
        hs = unif(r) < 0.5 ? "3824.99" : hs;
        break;
    default:
        snprintf(d, size, "%s", c->name_en);
    }
    (void)w;
    return hs;
}

/* ---- output ------------------------------------------------------------------------- */

typedef struct line {
    char awb[16], hawb[24];
    const party *ship, *cons;
    char notify[112], notify_addr[160];
    char desc[400];
    const char *hs;
    long pieces;
    double kg, usd;
    const char *origin, *origin_ctry, *ts, *dest, *dest_ctry, *carrier;
    char forwarder[112];
    char dep[12], arr[12];
} line;

static void awb_number(rng *r, uint64_t serial, char *out, size_t size, const char **carrier) {
    size_t c = pick(r, sizeof CARRIERS / sizeof CARRIERS[0]);
    uint64_t s7 = serial % 10000000ull;
    snprintf(out, size, "%s-%07llu%llu", CARRIERS[c][0], (unsigned long long)s7, (unsigned long long)(s7 % 7));
    *carrier = CARRIERS[c][1];
}

static void write_line(FILE *out, const line *l, int jsonl) {
    const char *f[24];
    char pieces[24], kg[32], usd[32];
    snprintf(pieces, sizeof pieces, "%ld", l->pieces);
    snprintf(kg, sizeof kg, "%.1f", l->kg);
    snprintf(usd, sizeof usd, "%.2f", l->usd);
    const char *v[24] = {l->awb, l->hawb, l->ship->name, l->ship->addr, l->ship->ctry, l->cons->name, l->cons->addr,
                         l->cons->ctry, l->notify, l->notify_addr, l->desc, l->hs, pieces, kg, usd, l->origin,
                         l->origin_ctry, l->ts, l->dest, l->dest_ctry, l->carrier, l->forwarder, l->dep, l->arr};
    memcpy(f, v, sizeof f);
    const char *const *cols = cargo_manifest_columns();
    if (jsonl) {
        fputc('{', out);
        for (int i = 0; i < 24; i++) {
            fprintf(out, "%s\"%s\":\"", i ? "," : "", cols[i]);
            for (const char *p = f[i]; *p; p++) {
                if (*p == '"' || *p == '\\') fputc('\\', out);
                fputc(*p, out);
            }
            fputc('"', out);
        }
        fputs("}\n", out);
        return;
    }
    for (int i = 0; i < 24; i++) {
        if (i) fputc(',', out);
        cargo_csv_field(out, f[i]);
    }
    fputc('\n', out);
}

int cargo_generate(const cargo_watchlist *w, const cargo_gen_opts *o, FILE *out, FILE *truth, pu_err *err) {
    rng r = {o->seed ? o->seed : 42};
    size_t n = o->n;
    double prate = o->precursor_rate > 0 ? o->precursor_rate : 0.08;
    double party_rate = o->party_rate > 0 ? o->party_rate : 0.01;
    size_t nd = 0;
    while (o->designated && o->designated[nd]) nd++;
    int64_t start;
    if (pu_parse_date(o->start_date && *o->start_date ? o->start_date : "2026-01-05", &start) != PU_OK)
        return pu_fail(err, PU_ERR_INVALID, NULL, "start_date", "expected YYYY-MM-DD");
    size_t ctl[128];
    int nctl = controlled_ids(w, ctl, 128);
    if (!nctl) return pu_fail(err, PU_ERR_INVALID, "watchlist", NULL, "no controlled chemical with a CAS number to generate from");
    size_t nship = n / 8 + 20, ncons = n / 3 + 40;
    if (nship > 6000) nship = 6000;
    if (ncons > 40000) ncons = 40000;
    party *ships = calloc(nship, sizeof *ships), *cons = calloc(ncons, sizeof *cons), *extra = calloc(64, sizeof *extra);
    if (!ships || !cons || !extra) { free(ships); free(cons); free(extra); return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }
    for (size_t i = 0; i < nship; i++) mk_shipper(&r, &ships[i]);
    for (size_t i = 0; i < ncons; i++) mk_consignee(&r, &cons[i], i);
    /* designated parties as companies on manifests */
    size_t nextra = 0;
    for (size_t i = 0; i < nd && nextra < 64; i++) {
        party *p = &extra[nextra++];
        snprintf(p->name, sizeof p->name, "%s", o->designated[i]);
        snprintf(p->addr, sizeof p->addr, "%s %zu, %s", PICK(&r, MX_STREET), 1 + pick(&r, 999), PICK(&r, MX_CITY));
        memcpy(p->ctry, "MX", 3);
    }
    if (truth) fputs("awb,hawb,kind,chemical\n", truth);
    if (!o->jsonl) {
        const char *const *cols = cargo_manifest_columns();
        for (int i = 0; cols[i]; i++) fprintf(out, "%s%s", i ? "," : "", cols[i]);
        fputc('\n', out);
    }
    uint64_t serial = 1000000 + pick(&r, 1000000);
    size_t i = 0;
    while (i < n) {
        line l;
        memset(&l, 0, sizeof l);
        int64_t day = start + (int64_t)(i * 90 / (n ? n : 1));
        pu_format_date(day - 1, l.dep, sizeof l.dep);
        pu_format_date(day, l.arr, sizeof l.arr);
        awb_number(&r, serial++, l.awb, sizeof l.awb, &l.carrier);
        l.ship = &ships[pick(&r, nship)];
        l.cons = &cons[pick(&r, ncons)];
        int cn = strcmp(l.ship->ctry, "CN") == 0;
        l.origin = cn ? PICK(&r, CN_ORIG) : strcmp(l.ship->ctry, "IN") == 0 ? (unif(&r) < 0.5 ? "BOM" : "HYD") : "FRA";
        l.origin_ctry = l.ship->ctry;
        int to_us = unif(&r) < 0.2;
        l.dest = to_us ? PICK(&r, US_DEST) : PICK(&r, MX_DEST);
        l.dest_ctry = to_us ? "US" : "MX";
        double u = unif(&r);
        l.ts = u < 0.55 ? "" : u < 0.96 ? PICK(&r, NORMAL_TS) : PICK(&r, ODD_TS);
        if (unif(&r) < 0.5) snprintf(l.forwarder, sizeof l.forwarder, "%s %s", PICK(&r, FWD_WORD), PICK(&r, FWD_TRADE));
        if (unif(&r) < 0.3) { snprintf(l.notify, sizeof l.notify, "%s", l.cons->name); snprintf(l.notify_addr, sizeof l.notify_addr, "%s", l.cons->addr); }
        snprintf(l.hawb, sizeof l.hawb, "H%08llu", (unsigned long long)(serial * 7 % 100000000));

        int kind = CARGO_KIND_BENIGN;
        const char *chem_id = "";
        double k = unif(&r);
        if (k < prate) {
            static const int KINDS[] = {CARGO_KIND_DECLARED, CARGO_KIND_CAS_ONLY, CARGO_KIND_SYNONYM, CARGO_KIND_CODE_NAME,
                                        CARGO_KIND_SPANISH, CARGO_KIND_SALT, CARGO_KIND_MISSPELLED, CARGO_KIND_CHINGLISH,
                                        CARGO_KIND_HS_ONLY, CARGO_KIND_SPLIT};
            kind = KINDS[pick(&r, sizeof KINDS / sizeof KINDS[0])];
        } else if (nextra && k < prate + party_rate) {
            kind = CARGO_KIND_PARTY;
        }
        if (kind == CARGO_KIND_BENIGN || kind == CARGO_KIND_PARTY) {
            double b = unif(&r);
            if (b < 0.72 || kind == CARGO_KIND_PARTY) {
                const goods *g = &PICK(&r, GOODS);
                snprintf(l.desc, sizeof l.desc, "%s", g->desc);
                l.hs = g->hs;
                l.kg = g->kg_lo + unif(&r) * (g->kg_hi - g->kg_lo);
                l.usd = l.kg * (g->usd_kg_lo + unif(&r) * (g->usd_kg_hi - g->usd_kg_lo));
                if (unif(&r) < 0.03) l.usd = l.kg * 0.3; /* under-declared, benign noise */
                if (unif(&r) < 0.01) { /* a part number that looks like a CAS number */
                    size_t len = strlen(l.desc);
                    snprintf(l.desc + len, sizeof l.desc - len, ", P/N %zu-%02zu-%zu", 1000 + pick(&r, 8999), pick(&r, 100), pick(&r, 10));
                }
            } else if (b < 0.93) {
                const bchem *c = &PICK(&r, BCHEM);
                double v = unif(&r);
                if (v < 0.5) snprintf(l.desc, sizeof l.desc, "%s CAS %s", c->name, c->cas);
                else if (v < 0.55) { /* a typo in the CAS number: check digit fails */
                    char cas[24];
                    snprintf(cas, sizeof cas, "%s", c->cas);
                    size_t cl = strlen(cas);
                    cas[cl - 1] = (char)('0' + (cas[cl - 1] - '0' + 1) % 10);
                    snprintf(l.desc, sizeof l.desc, "%s CAS %s", c->name, cas);
                } else snprintf(l.desc, sizeof l.desc, "%s, %zu kg bags", c->name, 25 * (1 + pick(&r, 4)));
                l.hs = c->hs;
                l.kg = 200 + unif(&r) * 5000;
                l.usd = l.kg * (0.8 + unif(&r) * 6);
            } else {
                int ci = find_chem(w, WATCH_IDS[pick(&r, sizeof WATCH_IDS / sizeof WATCH_IDS[0])]);
                const cargo_chemical *c = ci >= 0 ? &w->chem[ci] : &w->chem[0];
                snprintf(l.desc, sizeof l.desc, "%s, industrial solvent, %zu L drums", c->name_en, 200 * (1 + pick(&r, 4)));
                l.hs = *c->hs_codes ? c->hs_codes : "2914.11";
                l.kg = 800 + unif(&r) * 15000;
                l.usd = l.kg * (0.9 + unif(&r) * 2);
            }
            if (kind == CARGO_KIND_PARTY) {
                const party *p = &extra[pick(&r, nextra)];
                if (unif(&r) < 0.7) l.cons = p;
                else { snprintf(l.notify, sizeof l.notify, "%s", p->name); snprintf(l.notify_addr, sizeof l.notify_addr, "%s", p->addr); }
                chem_id = "";
            }
        } else {
            const cargo_chemical *c = &w->chem[ctl[pick(&r, (size_t)nctl)]];
            chem_id = c->id;
            /* traffickers use trading companies, often in CN, often first-time consignees */
            if (unif(&r) < 0.6) {
                party *np = &ships[pick(&r, nship)];
                if (strcmp(np->ctry, "CN") == 0) l.ship = np;
            }
            l.hs = disguise(&r, w, kind, c, l.desc, sizeof l.desc);
            l.kg = 5 + unif(&r) * 195;
            l.usd = kind == CARGO_KIND_DECLARED ? l.kg * (20 + unif(&r) * 200) : l.kg * (0.3 + unif(&r) * 4);
            if (kind == CARGO_KIND_HS_ONLY) l.kg = 50 + unif(&r) * 450;
        }
        l.pieces = 1 + (long)(l.kg / 25);
        if (kind == CARGO_KIND_SPLIT) {
            /* 3-5 small consignments to related consignees at one address within days */
            size_t parts = 3 + pick(&r, 3);
            const party *base = &cons[pick(&r, ncons)];
            party *rel = calloc(parts, sizeof *rel);
            if (!rel) { free(ships); free(cons); free(extra); return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); }
            for (size_t p = 0; p < parts && i < n; p++, i++) {
                rel[p] = *base;
                if (p) snprintf(rel[p].name, sizeof rel[p].name, "%.60s %s", PICK(&r, MX_WORD), (const char *[]){"Trading", "Comercial", "Servicios", "Import"}[p % 4]);
                line lp = l;
                lp.cons = &rel[p];
                lp.kg = 2 + unif(&r) * 20;
                lp.usd = lp.kg * (0.5 + unif(&r) * 3);
                lp.pieces = 1;
                pu_format_date(day + (int64_t)p, lp.arr, sizeof lp.arr);
                if (p) {
                    awb_number(&r, serial++, lp.awb, sizeof lp.awb, &lp.carrier);
                    snprintf(lp.hawb, sizeof lp.hawb, "H%08llu", (unsigned long long)(serial * 7 % 100000000));
                }
                write_line(out, &lp, o->jsonl);
                if (truth) fprintf(truth, "%s,%s,%s,%s\n", lp.awb, lp.hawb, cargo_kind_name(kind), chem_id);
            }
            free(rel);
            continue;
        }
        write_line(out, &l, o->jsonl);
        if (truth) fprintf(truth, "%s,%s,%s,%s\n", l.awb, l.hawb, cargo_kind_name(kind), chem_id);
        i++;
    }
    free(ships);
    free(cons);
    free(extra);
    if (ferror(out) || (truth && ferror(truth))) return pu_fail(err, PU_ERR_IO, NULL, NULL, "write error: %s", strerror(errno));
    return PU_OK;
}

/* ---- evaluation ------------------------------------------------------------------------ */

#include "common/pu_io.h"

typedef struct tally { int64_t n, hold, review; } tally;

/* Map awb|hawb -> kind from the truth file. */
static int read_truth(const char *path, cargo_strset *kinds, pu_err *err) {
    pu_csv *c;
    int rc = pu_csv_open(path, NULL, &c, err);
    if (rc) return rc;
    const pu_csv_row *row;
    int ia = -1, ih = -1, ik = -1, header = 0;
    pu_buf key = PU_BUF_INIT(4096);
    while ((rc = pu_csv_next(c, &row, err)) == PU_OK && row) {
        if (!header) {
            header = 1;
            ia = pu_csv_col(row, "awb"); ih = pu_csv_col(row, "hawb"); ik = pu_csv_col(row, "kind");
            if (ia < 0 || ih < 0 || ik < 0) { rc = pu_fail(err, PU_ERR_INVALID, path, "header", "expected columns awb,hawb,kind"); break; }
            continue;
        }
        if ((size_t)ik >= row->n || (size_t)ia >= row->n || (size_t)ih >= row->n) continue;
        int k = cargo_kind_lookup(row->fields[ik]);
        if (k < 0) {
            char w[PU_ERR_WHERE_MAX];
            snprintf(w, sizeof w, "%s:%llu", path, (unsigned long long)row->line);
            rc = pu_fail(err, PU_ERR_INVALID, w, "kind", "unknown kind '%s'", row->fields[ik]);
            break;
        }
        pu_buf_reset(&key);
        pu_buf_printf(&key, "%s|%s", row->fields[ia], row->fields[ih]);
        if ((rc = cargo_strset_put(kinds, key.data, key.len, k))) break;
    }
    pu_buf_free(&key);
    pu_csv_close(c);
    return rc;
}

int cargo_evaluate(const char *results_csv, const char *truth_csv, int json, FILE *out, pu_err *err) {
    cargo_strset kinds = {0};
    int rc = read_truth(truth_csv, &kinds, err);
    pu_csv *c = NULL;
    if (!rc) rc = pu_csv_open(results_csv, NULL, &c, err);
    tally t[CARGO_NKINDS];
    memset(t, 0, sizeof t);
    const pu_csv_row *row;
    int ia = -1, ih = -1, id = -1, header = 0;
    pu_buf key = PU_BUF_INIT(4096);
    while (!rc && (rc = pu_csv_next(c, &row, err)) == PU_OK && row) {
        if (!header) {
            header = 1;
            ia = pu_csv_col(row, "awb"); ih = pu_csv_col(row, "hawb"); id = pu_csv_col(row, "decision");
            if (ia < 0 || ih < 0 || id < 0) rc = pu_fail(err, PU_ERR_INVALID, results_csv, "header", "expected columns awb,hawb,decision");
            continue;
        }
        if ((size_t)id >= row->n || (size_t)ia >= row->n || (size_t)ih >= row->n) continue;
        pu_buf_reset(&key);
        pu_buf_printf(&key, "%s|%s", row->fields[ia], row->fields[ih]);
        int k = cargo_strset_get(&kinds, key.data, key.len);
        if (k < 0) {
            char w[PU_ERR_WHERE_MAX];
            snprintf(w, sizeof w, "%s:%llu", results_csv, (unsigned long long)row->line);
            rc = pu_fail(err, PU_ERR_INVALID, w, "awb", "'%s' is not in the truth file", key.data);
            break;
        }
        t[k].n++;
        if (!strcmp(row->fields[id], "hold")) t[k].hold++;
        else if (!strcmp(row->fields[id], "review")) t[k].review++;
    }
    pu_buf_free(&key);
    pu_csv_close(c);
    cargo_strset_free(&kinds);
    if (rc) return rc;
    int64_t fp = t[CARGO_KIND_BENIGN].hold, tp_all = 0, n_all = 0;
    if (json) fputs("{\"kinds\":{", out);
    else fprintf(out, "%-11s %7s %6s %7s %12s %14s %14s\n", "kind", "lines", "hold", "review", "recall(hold)",
                 "recall(h+rev)", "precision(hold)");
    int first = 1;
    for (int k = 0; k < CARGO_NKINDS; k++) {
        if (!t[k].n) continue;
        double rec = (double)t[k].hold / (double)t[k].n, rec2 = (double)(t[k].hold + t[k].review) / (double)t[k].n;
        double prec = k ? (t[k].hold + fp ? (double)t[k].hold / (double)(t[k].hold + fp) : 0) : 0;
        if (k) { tp_all += t[k].hold; n_all += t[k].n; }
        if (json) {
            fprintf(out, "%s\"%s\":{\"lines\":%lld,\"hold\":%lld,\"review\":%lld", first ? "" : ",", cargo_kind_name(k),
                    (long long)t[k].n, (long long)t[k].hold, (long long)t[k].review);
            if (k) fprintf(out, ",\"recall_hold\":%.4f,\"recall_hold_or_review\":%.4f,\"precision_hold\":%.4f}", rec, rec2, prec);
            else fprintf(out, ",\"false_hold_rate\":%.4f}", rec);
        } else if (k) {
            fprintf(out, "%-11s %7lld %6lld %7lld %11.1f%% %13.1f%% %13.1f%%\n", cargo_kind_name(k), (long long)t[k].n,
                    (long long)t[k].hold, (long long)t[k].review, 100 * rec, 100 * rec2, 100 * prec);
        } else {
            fprintf(out, "%-11s %7lld %6lld %7lld %12s %14s %14s   (false holds: %.2f%% of benign)\n", "benign", (long long)t[k].n,
                    (long long)t[k].hold, (long long)t[k].review, "-", "-", "-", 100 * rec);
        }
        first = 0;
    }
    double prec = tp_all + fp ? (double)tp_all / (double)(tp_all + fp) : 0, rec = n_all ? (double)tp_all / (double)n_all : 0;
    if (json) fprintf(out, "},\"all_precursor\":{\"lines\":%lld,\"hold\":%lld,\"recall_hold\":%.4f,\"precision_hold\":%.4f}}\n",
                      (long long)n_all, (long long)tp_all, rec, prec);
    else fprintf(out, "%-11s %7lld %6lld %7s %11.1f%% %14s %13.1f%%\n", "ALL", (long long)n_all, (long long)tp_all, "", 100 * rec, "", 100 * prec);
    return PU_OK;
}
