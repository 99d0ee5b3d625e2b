/* resolve_gen_febrl.c - the FEBRL generated population, the measure of the
 * resolution goal (docs/resolve.md "Generated data: the Febrl profile"):
 * the method of Febrl's data set generator (P. Christen, "Probabilistic
 * data generation for deduplication and data linkage", IDEAL 2005;
 * Christen, "Data Matching", Springer 2012, ch. 12; GeCo, Christen &
 * Vatsalan, CIKM 2013). Each person has one ORIGINAL record, full (name,
 * date of birth, one identifier, address, phone); some originals get
 * DUPLICATES, each derived from its original by a bounded number of
 * modifications: fields chosen with a select probability, and per field
 * a kind of modification with its probability (typographical, OCR-like,
 * alternative spelling or nickname, words swapped, values swapped between
 * fields, value missing, value replaced). Names come from the realistic
 * profile's machinery (resolve_gen_real.c). Deterministic per seed. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resolve/resolve_int.h"

/* Duplicates. Febrl's dsgen takes: num_originals num_duplicates
 * max_duplicate_per_record max_modification_per_field
 * max_modification_per_record distribution (uniform | poisson | zipf).
 * We take the Febrl manual's example, 4,000 originals + 1,000 duplicates,
 * at most 5 duplicates per original, at most 2 modifications per field,
 * Zipf, scaled to n records (20 % duplicates); per record the example's
 * 5, the larger of the published budgets (the IDEAL 2005 paper's data
 * used at most 3). */
#define FB_DUP_PER_MILLE 200    /* duplicates among the records (1,000 of 5,000: Febrl manual example) */
#define FB_MAX_DUPS 5           /* max_duplicate_per_record (Febrl manual example) */
#define FB_MAX_MOD_FIELD 2      /* max_modification_per_field (Febrl manual example) */
#define FB_MAX_MOD_RECORD 5     /* max_modification_per_record (Febrl manual example; IDEAL 2005: 3) */
#define FB_ZIPF_THETA 0.5        /* Febrl's Zipf for the duplicates of one original: P(k) ~ k^-(1 - theta), theta 0.5 */
/* The number of modifications of one duplicate: uniform in 1..FB_MAX_MOD_RECORD
 * (our reading of "maximum"), each on a field drawn by select probability;
 * a field at FB_MAX_MOD_FIELD, or missing, is drawn again. */
#define FB_MAX_TRIES 200

enum { F_GIVEN, F_SUR, F_DOB, F_ID, F_ADDR, F_PHONE, F_N };
/* Febrl's select_prob per field, per mille. Febrl's example configuration
 * (generate.py): given_name 0.10, surname 0.15, the address parts (street
 * number, address 1 and 2, suburb, postcode, state) together about 0.50,
 * date_of_birth 0.10, soc_sec_id 0.05-0.10; it has no phone, which we
 * give 0.10 taken from the address. */
static const int SELECT[F_N] = {100, 150, 100, 100, 450, 100};

enum { M_MISSPELL, M_INS, M_DEL, M_SUB, M_OCR, M_TRANS, M_VAL_SWAP, M_WRD_SWAP, M_SPC_INS, M_SPC_DEL, M_MISS,
       M_NEW, M_N };
/* Per field, the probability of each kind of modification (per mille),
 * after Febrl's example configuration: misspell_prob (here: a nickname or
 * an alternative spelling), ins_prob, del_prob, sub_prob (keyboard
 * neighbours; we give 50 of the names' sub to OCR-like errors, GeCo's
 * OCR corruptor), trans_prob, val_swap_prob, wrd_swap_prob, spc_ins_prob,
 * spc_del_prob, miss_prob, new_val_prob. */
static const int MODP[F_N][M_N] = {
    /* given_name: .30 .05 .15 .35 .05 .02 .02 .01 .01 .02 .02 */
    [F_GIVEN] = {300, 50, 150, 300, 50, 50, 20, 20, 10, 10, 20, 20},
    /* surname: .30 .10 .10 .35 .04 .02 .02 .01 .02 .02 .02 */
    [F_SUR] = {300, 100, 100, 300, 50, 40, 20, 20, 10, 20, 20, 20},
    /* date_of_birth: sub .50 trans .30 val_swap .05 (day and month) miss .10 new .05 */
    [F_DOB] = {0, 0, 0, 500, 0, 300, 50, 0, 0, 0, 100, 50},
    /* soc_sec_id (our CURP or passport): sub .50 trans .40 new .10 */
    [F_ID] = {0, 0, 0, 500, 0, 400, 0, 0, 0, 0, 0, 100},
    /* address_1: ins .10 del .15 sub .55 trans .05 wrd_swap .05 spc_ins .02 spc_del .03 miss .04 new .01 (moved) */
    [F_ADDR] = {0, 100, 150, 550, 0, 50, 0, 50, 20, 30, 40, 10},
    /* phone (ours, as the identifier, and missing): sub .50 trans .30 miss .10 new .10 (a new phone) */
    [F_PHONE] = {0, 0, 0, 500, 0, 300, 0, 0, 0, 0, 100, 100},
};

/* Alternative spellings of Spanish and English names (Febrl's misspell
 * table, for our names): one occurrence replaced. */
static const char *const SPELL[][2] = {{"v", "b"}, {"b", "v"}, {"z", "s"}, {"s", "z"}, {"ll", "y"}, {"y", "ll"},
    {"ge", "je"}, {"gi", "ji"}, {"x", "j"}, {"j", "x"}, {"qu", "k"}, {"c", "k"}, {"ph", "f"}, {"th", "t"},
    {"y", "i"}, {"i", "y"}, {"ck", "k"}, {"sh", "ch"}, {"ez", "es"}, {"es", "ez"}, {"tt", "t"}, {"ll", "l"},
    {"nn", "n"}, {"rr", "r"}, {"h", ""}};
/* OCR-like confusions (GeCo's OCR corruptor, letters and digits). */
static const char *const OCR[][2] = {{"m", "rn"}, {"rn", "m"}, {"d", "cl"}, {"cl", "d"}, {"h", "li"}, {"w", "vv"},
    {"u", "v"}, {"v", "u"}, {"e", "c"}, {"o", "c"}, {"n", "ri"}, {"l", "i"}, {"i", "l"}, {"1", "7"}, {"7", "1"},
    {"3", "8"}, {"8", "3"}, {"5", "6"}, {"6", "5"}, {"0", "8"}};
static const char *const KEYROW[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define FSZ 112

typedef struct frec {
    char f[F_N][FSZ];
    int order;            /* 1: written "Surname, Given" (the name's words swapped) */
    uint8_t mods[F_N];
    uint8_t total;
} frec;

typedef struct fgen {
    uint64_t s;
    resolve_gnames *names;
    double zcum[FB_MAX_DUPS];
} fgen;

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
static size_t below(uint64_t *s, size_t n) { return n ? (size_t)(rnd(s) % n) : 0; }
static double unit(uint64_t *s) { return (double)(rnd(s) >> 11) / 9007199254740992.0; }

static int draw_pm(uint64_t *s, const int *pm, int n) {
    int r = (int)(rnd(s) % 1000), c = 0;
    for (int i = 0; i < n; i++)
        if (r < (c += pm[i])) return i;
    return n - 1;
}

/* A neighbour of c on the keyboard (same row or the rows above and
 * below, about the same column); case kept. */
static char neighbour(uint64_t *s, char c) {
    int up = isupper((unsigned char)c);
    char l = (char)tolower((unsigned char)c);
    for (size_t r = 0; r < N_OF(KEYROW); r++) {
        const char *p = strchr(KEYROW[r], l);
        if (!p || !l) continue;
        size_t col = (size_t)(p - KEYROW[r]);
        char cand[8];
        size_t nc = 0;
        if (col > 0) cand[nc++] = KEYROW[r][col - 1];
        if (KEYROW[r][col + 1]) cand[nc++] = KEYROW[r][col + 1];
        int digit = r == 0;
        for (int d = -1; d <= 1 && !digit; d += 2) {   /* letters: the rows above and below, not the digits */
            size_t rr = r + (size_t)d;
            if (rr < 1 || rr >= N_OF(KEYROW)) continue;
            if (col < strlen(KEYROW[rr])) cand[nc++] = KEYROW[rr][col];
        }
        char o = cand[below(s, nc)];
        return up ? (char)toupper((unsigned char)o) : o;
    }
    return c;
}

static size_t nalnum(const char *v) {
    size_t k = 0;
    for (; *v; v++) k += isalnum((unsigned char)*v) != 0;
    return k;
}

/* Position of a random alphanumeric character (pair when pair: v[i] and
 * v[i + 1] both alphanumeric and different), or -1. */
static long pick_pos(uint64_t *s, const char *v, int pair) {
    size_t n = strlen(v), k = 0;
    long cand[FSZ];
    for (size_t i = 0; i + (size_t)pair < n; i++)
        if (isalnum((unsigned char)v[i]) &&
            (!pair || (isalnum((unsigned char)v[i + 1]) && tolower((unsigned char)v[i]) != tolower((unsigned char)v[i + 1]))))
            cand[k++] = (long)i;
    return k ? cand[below(s, k)] : -1;
}

/* Replace one occurrence (case-insensitive) of one applicable pattern of
 * tab; the replacement takes the case of the replaced text. */
static int replace_one(uint64_t *s, char *v, const char *const (*tab)[2], size_t ntab) {
    size_t n = strlen(v), k = 0;
    struct {
        size_t at, rule;
    } cand[256];
    for (size_t r = 0; r < ntab; r++) {
        size_t fl = strlen(tab[r][0]);
        for (size_t i = 0; i + fl <= n && k < N_OF(cand); i++)
            if (!strncasecmp(v + i, tab[r][0], fl)) cand[k].at = i, cand[k++].rule = r;
    }
    if (!k) return 0;
    size_t c = below(s, k), at = cand[c].at;
    const char *from = tab[cand[c].rule][0], *to = tab[cand[c].rule][1];
    size_t fl = strlen(from), tl = strlen(to);
    if (n - fl + tl >= FSZ) return 0;
    int up = isupper((unsigned char)v[at]);
    memmove(v + at + tl, v + at + fl, n - at - fl + 1);
    for (size_t i = 0; i < tl; i++) v[at + i] = up ? (char)toupper((unsigned char)to[i]) : to[i];
    return 1;
}

static int valid_date(const char *d) {
    unsigned y, m, dd;
    if (strlen(d) != 10 || sscanf(d, "%4u-%2u-%2u", &y, &m, &dd) != 3) return 0;
    static const unsigned DAYS[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2030 || m < 1 || m > 12 || dd < 1 || dd > DAYS[m - 1]) return 0;
    return !(m == 2 && dd == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

static void random_date(uint64_t *s, char *out) {
    snprintf(out, 11, "%04d-%02d-%02d", 1950 + (int)(rnd(s) % 55), 1 + (int)(rnd(s) % 12), 1 + (int)(rnd(s) % 28));
}

/* Typographical and OCR-like modifications of one value; 1 when applied. */
static int typo(uint64_t *s, char *v, int kind, int digits) {
    size_t n = strlen(v);
    long p;
    switch (kind) {
    case M_INS:
        if (n + 1 >= FSZ || !n) return 0;
        p = (long)below(s, n + 1);
        {
            char c = digits ? (char)('0' + rnd(s) % 10) : neighbour(s, v[p ? p - 1 : 0]);
            if (!isalnum((unsigned char)c)) c = (char)('a' + rnd(s) % 26);
            memmove(v + p + 1, v + p, n - (size_t)p + 1);
            v[p] = c;
        }
        return 1;
    case M_DEL:
        if (nalnum(v) < 2 || (p = pick_pos(s, v, 0)) < 0) return 0;
        memmove(v + p, v + p + 1, n - (size_t)p);
        return 1;
    case M_SUB:
        if ((p = pick_pos(s, v, 0)) < 0) return 0;
        {
            char c = neighbour(s, v[p]);
            if (c == v[p]) return 0;
            v[p] = c;
        }
        return 1;
    case M_OCR: return replace_one(s, v, OCR, N_OF(OCR));
    case M_TRANS:
        if ((p = pick_pos(s, v, 1)) < 0) return 0;
        {
            char t = v[p];
            v[p] = v[p + 1];
            v[p + 1] = t;
        }
        return 1;
    case M_SPC_INS:
        if (n < 4 || n + 1 >= FSZ) return 0;
        p = 1 + (long)below(s, n - 2);
        if (!isalpha((unsigned char)v[p - 1]) || !isalpha((unsigned char)v[p])) return 0;
        memmove(v + p + 1, v + p, n - (size_t)p + 1);
        v[p] = ' ';
        return 1;
    case M_SPC_DEL: {
        char *sp = strchr(v, ' ');
        if (!sp) return 0;
        memmove(sp, sp + 1, strlen(sp));
        return 1;
    }
    default: return 0;
    }
}

/* Swap two adjacent words of v (an address). */
static int word_swap(uint64_t *s, char *v) {
    char w[16][FSZ];
    size_t nw = 0;
    char tmp[FSZ];
    pu_strlcpy(tmp, v, sizeof tmp);
    for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t && nw < N_OF(w); t = strtok_r(NULL, " ", &save))
        pu_strlcpy(w[nw++], t, FSZ);
    if (nw < 2) return 0;
    size_t i = below(s, nw - 1);
    char t[FSZ];
    memcpy(t, w[i], FSZ), memcpy(w[i], w[i + 1], FSZ), memcpy(w[i + 1], t, FSZ);
    pu_buf b = PU_BUF_INIT(FSZ * 2);
    for (size_t k = 0; k < nw; k++) pu_buf_printf(&b, "%s%s", k ? " " : "", w[k]);
    pu_strlcpy(v, pu_buf_str(&b), FSZ);
    pu_buf_free(&b);
    return 1;
}

/* A name field's alternative spelling: the given name's nickname (our
 * nickname table, half of the time when there is one), else a spelling. */
static int misspell(uint64_t *s, char *v, const resolve_gperson *p, int given) {
    size_t gl = strlen(p->given);
    if (given && p->nick[0] && !strncmp(v, p->given, gl) && (!v[gl] || v[gl] == ' ') && rnd(s) % 2) {
        char out[FSZ];
        snprintf(out, sizeof out, "%s%s", p->nick, v + gl);
        pu_strlcpy(v, out, FSZ);
        return 1;
    }
    return replace_one(s, v, SPELL, N_OF(SPELL));
}

static void full_given(fgen *g, const resolve_gperson *p, char *out) {
    (void)g;
    snprintf(out, FSZ, "%s%s%s", p->given, p->given2[0] ? " " : "", p->given2);
    if (p->middle) {
        size_t l = strlen(out);
        snprintf(out + l, FSZ - l, " %c.", p->middle);
    }
}

static void new_id(uint64_t *s, int mx, char *out) {
    if (mx) {
        for (int i = 0; i < 18; i++) out[i] = (char)(i < 4 || i > 9 ? 'A' + rnd(s) % 26 : '0' + rnd(s) % 10);
        out[18] = 0;
    } else {
        for (int i = 0; i < 9; i++) out[i] = (char)('0' + rnd(s) % 10);
        out[9] = 0;
    }
}

static void new_phone(uint64_t *s, char *out) {
    for (int i = 0; i < 10; i++) out[i] = (char)('0' + (i ? rnd(s) % 10 : 2 + rnd(s) % 8));
    out[10] = 0;
}

/* One modification of the duplicate r of p; 1 when applied. */
static int modify(fgen *g, frec *r, const resolve_gperson *p) {
    uint64_t *s = &g->s;
    int f = draw_pm(s, SELECT, F_N);
    if (r->mods[f] >= FB_MAX_MOD_FIELD || !r->f[f][0]) return 0;
    int k = draw_pm(s, MODP[f], M_N);
    frec save = *r;
    char *v = r->f[f];
    int name = f == F_GIVEN || f == F_SUR, ok = 0;
    switch (k) {
    case M_MISSPELL: ok = name && misspell(s, v, p, f == F_GIVEN); break;
    case M_VAL_SWAP:
        if (f == F_DOB) {   /* day and month */
            char d[11];
            snprintf(d, sizeof d, "%.4s-%.2s-%.2s", v, v + 8, v + 5);
            ok = strcmp(d, v) && valid_date(d);
            if (ok) pu_strlcpy(v, d, FSZ);
        } else if (f == F_SUR && strchr(v, ' ')) {   /* the two surnames */
            char *sp = strchr(v, ' '), out[FSZ];
            snprintf(out, sizeof out, "%s %.*s", sp + 1, (int)(sp - v), v);
            pu_strlcpy(v, out, FSZ);
            ok = 1;
        } else if (name && r->f[F_GIVEN][0] && r->f[F_SUR][0]) {   /* given name and surname */
            char t[FSZ];
            memcpy(t, r->f[F_GIVEN], FSZ), memcpy(r->f[F_GIVEN], r->f[F_SUR], FSZ), memcpy(r->f[F_SUR], t, FSZ);
            ok = 1;
        }
        break;
    case M_WRD_SWAP:
        if (name) ok = !r->order && r->f[F_GIVEN][0] && r->f[F_SUR][0] && (r->order = 1);
        else ok = word_swap(s, v);
        break;
    case M_MISS:
        ok = !name || r->f[f == F_GIVEN ? F_SUR : F_GIVEN][0];   /* a name keeps one of its parts */
        if (ok) v[0] = 0;
        break;
    case M_NEW:
        switch (f) {
        case F_GIVEN: resolve_gnames_given(g->names, p->mx, v, FSZ); break;
        case F_SUR:
            resolve_gnames_surname(g->names, p->mx, v, FSZ);
            if (p->mx) {
                size_t l = strlen(v);
                v[l] = ' ';
                resolve_gnames_surname(g->names, 1, v + l + 1, FSZ - l - 1);
            }
            break;
        case F_DOB: random_date(s, v); break;
        case F_ID: new_id(s, p->mx, v); break;
        case F_ADDR: resolve_gen_addr(s, p->mx, v, FSZ); break;
        default: new_phone(s, v); break;
        }
        ok = strcmp(v, save.f[f]) != 0;
        break;
    default:
        if (f == F_DOB) {   /* a digit substituted or two transposed, the date still a date */
            for (int t = 0; t < 10 && !ok; t++) {
                pu_strlcpy(v, save.f[f], FSZ);
                ok = typo(s, v, k, 1) && valid_date(v) && strcmp(v, save.f[f]);
            }
        } else {
            ok = typo(s, v, k, f == F_PHONE || (f == F_ID && !p->mx));
        }
    }
    if (ok && name && !nalnum(r->f[F_GIVEN]) && !nalnum(r->f[F_SUR])) ok = 0;
    if (!ok) {
        *r = save;
        return 0;
    }
    r->mods[f]++;
    r->total++;
    return 1;
}

static int add(fgen *g, const frec *r, const resolve_gperson *p, int64_t pid, resolve_set *out, pu_err *err) {
    char name[2 * FSZ + 4], ref[32], ids[FSZ + 16] = "", phones[FSZ + 2] = "", addr[FSZ] = "";
    const char *gv = r->f[F_GIVEN], *sv = r->f[F_SUR];
    if (r->order && *gv && *sv) snprintf(name, sizeof name, "%s, %s", sv, gv);
    else snprintf(name, sizeof name, "%s%s%s", gv, *gv && *sv ? " " : "", sv);
    snprintf(ref, sizeof ref, "g%zu", out->n);
    if (r->f[F_ID][0]) snprintf(ids, sizeof ids, "%s=%s;", p->mx ? "CURP" : "PASSPORT", r->f[F_ID]);
    if (r->f[F_PHONE][0]) snprintf(phones, sizeof phones, "%s;", r->f[F_PHONE]);
    if (r->f[F_ADDR][0]) resolve_norm_addr(r->f[F_ADDR], addr, sizeof addr);
    resolve_rec rec = {.source = (char *)resolve_gen_source(&g->s), .ref = ref, .name = name, .schema = "Person",
                       .ids = ids, .phones = phones, .addr = addr, .truth = pid};
    pu_strlcpy(rec.dob, r->f[F_DOB], sizeof rec.dob);
    pu_strlcpy(rec.marking, "PUBLIC", sizeof rec.marking);
    return resolve_set_add(out, &rec, err);
}

static size_t draw_dups(fgen *g) {
    double u = unit(&g->s) * g->zcum[FB_MAX_DUPS - 1];
    size_t k = 0;
    while (k + 1 < FB_MAX_DUPS && g->zcum[k] < u) k++;
    return k + 1;
}

static int generate(fgen *g, size_t n, resolve_set *out, resolve_febrl_mods *mods, pu_err *err) {
    size_t dups = n * FB_DUP_PER_MILLE / 1000, orig = n - dups;
    uint8_t *nd = calloc(orig ? orig : 1, 1);
    if (!nd) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    /* Febrl: originals drawn at random, each at most once, until the duplicates are all given */
    for (size_t left = dups; left;) {
        size_t j = below(&g->s, orig);
        if (nd[j]) continue;
        size_t k = draw_dups(g);
        nd[j] = (uint8_t)(k < left ? k : left);
        left -= nd[j];
    }
    int rc = PU_OK;
    size_t base = out->n;
    for (size_t j = 0; j < orig && !rc; j++) {
        resolve_gperson p;
        resolve_gnames_person(g->names, &p);
        frec o;
        memset(&o, 0, sizeof o);
        full_given(g, &p, o.f[F_GIVEN]);
        snprintf(o.f[F_SUR], FSZ, "%s%s%s", p.s1, p.s2[0] ? " " : "", p.s2);
        pu_strlcpy(o.f[F_DOB], p.dob, FSZ);
        pu_strlcpy(o.f[F_ID], p.mx ? p.curp : p.passport, FSZ);
        pu_strlcpy(o.f[F_ADDR], p.addr[0], FSZ);
        pu_strlcpy(o.f[F_PHONE], p.phone, FSZ);
        size_t oi = out->n;
        for (size_t d = 0; d <= nd[j] && !rc; d++) {
            frec r = o;
            if (d) {
                size_t want = 1 + below(&g->s, FB_MAX_MOD_RECORD);
                for (int t = 0; t < FB_MAX_TRIES && r.total < want; t++) modify(g, &r, &p);
            }
            if (mods) {
                resolve_febrl_mods *m = &mods[out->n - base];
                memcpy(m->field, r.mods, sizeof m->field);
                m->total = r.total;
                m->original = (uint32_t)(oi - base);
            }
            rc = add(g, &r, &p, (int64_t)j + 1, out, err);
        }
    }
    free(nd);
    return rc;
}

int resolve_gen_febrl(size_t n, uint64_t seed, resolve_set *out, resolve_febrl_mods *mods, pu_err *err) {
    if (n < 2) return pu_fail(err, PU_ERR_INVALID, NULL, "records", "expected at least 2 records, got %zu", n);
    fgen g = {.s = (seed ? seed : 0x9E3779B97F4A7C15ULL) ^ 0xFEB1FEB1FEB1ULL};
    if (!g.s) g.s = 1;
    double t = 0;
    for (int k = 0; k < FB_MAX_DUPS; k++) g.zcum[k] = t += 1.0 / pow((double)(k + 1), 1.0 - FB_ZIPF_THETA);
    if (resolve_gnames_open(seed, &g.names)) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    int rc = generate(&g, n, out, mods, err);
    resolve_gnames_close(g.names);
    return rc;
}
