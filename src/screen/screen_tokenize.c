/*
 * screen_tokenize.c - a folded name into tokens: nickname splitting
 * ("x 'el huevo'", "x alias y"), tokenisation with Spanish/Arabic particles,
 * honorifics, company legal forms and number words, and compound given
 * names. docs/screening.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- nickname splitting ----------------------------------------------------- */

static int word_at(const char *s, size_t i, const char *w) {
    size_t n = strlen(w);
    if (strncmp(s + i, w, n) != 0) return 0;
    int before = i == 0 || !isalnum((unsigned char)s[i - 1]);
    int after = !isalnum((unsigned char)s[i + n]);
    return before && after;
}

/* Find the next quoted ("x", 'x') or parenthesised segment in s: returns
 * the opening position and sets *end to the closing mark, or NULL. */
static char *next_segment(char *s, char **end) {
    for (char *p = s; *p; p++) {
        char close;
        if (*p == '"') close = '"';
        else if (*p == '(') close = ')';
        else if (*p == '\'' && (p == s || p[-1] == ' ')) close = '\'';
        else continue;
        char *e = strchr(p + 1, close);
        while (e && close == '\'' && e[1] && isalnum((unsigned char)e[1])) e = strchr(e + 1, close); /* O'Brien */
        if (!e) continue;
        *end = e;
        return p;
    }
    return NULL;
}

static const char *lookup_kv(const char *s, int which);
static const char *lookup_legal(const char *s, int spell);

/* 1 if everything outside the segment [p, e] is a legal form: in
 * "OOO 'Prominvest'" or "Aktsionernoe Obshchestvo 'Druzhba'" the quotes hold
 * the company's name itself, not a nickname. */
static int only_legal_outside(const char *work, const char *p, const char *e) {
    char cat[64];
    size_t cl = 0;
    for (const char *q = work; *q; q++) {
        if (q >= p && q <= e) continue;
        if (!isalnum((unsigned char)*q)) continue;
        if (cl + 1 >= sizeof cat) return 0;
        cat[cl++] = *q;
    }
    cat[cl] = 0;
    return cl > 0 && cl <= 48 && lookup_legal(cat, 1) != NULL;
}

/* 1 if the segment [p, e] holds one country name: "VTB BANK (AUSTRIA) AG"
 * names the Austrian subsidiary, it is no alias "AUSTRIA". */
static int only_place_inside(const char *p, const char *e) {
    const char *a = p + 1, *b = e;
    while (a < b && !isalnum((unsigned char)*a)) a++;
    while (b > a && !isalnum((unsigned char)b[-1])) b--;
    for (const char *q = a; q < b; q++)
        if (!isalpha((unsigned char)*q)) return 0;
    return b > a && sn_is_place(a, (size_t)(b - a));
}

/* 1 if a word outside the segment [p, e] is a legal form ("JSC 'ALMAZ-ANTEY'
 * MSDB"): a company's name even when the schema is unknown. */
static int legal_word_outside(const char *work, const char *p, const char *e) {
    char w[24];
    size_t wl = 0;
    int longer = 0; /* a word longer than w is no legal form */
    for (const char *q = work;; q++) {
        int inside = q >= p && q <= e;
        if (*q && !inside && isalnum((unsigned char)*q)) {
            if (wl + 1 < sizeof w) w[wl++] = *q;
            else longer = 1;
            continue;
        }
        if (wl && !longer) {
            w[wl] = 0;
            if (lookup_kv(w, 0)) return 1;
        }
        wl = 0;
        longer = 0;
        if (!*q) return 0;
    }
}

/* 1 if s[0..n) is one word of >= 3 letters or digits (no space or dot). */
static int one_word(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i])) return 0;
        k++;
    }
    return k >= 3;
}

int sn_split_cls(const char *folded, enum sn_class cls, char *work, size_t worksz, char **pieces, int maxpieces) {
    size_t n = strlen(folded);
    if (n + 1 > worksz / 2) n = worksz / 2 - 1;
    /* first half of work: the main part; second half: segments cut out of it */
    memcpy(work, folded, n);
    work[n] = 0;
    char *store = work + worksz / 2;
    size_t storesz = worksz - worksz / 2;
    int np = 1;
    pieces[0] = work;
    /* without a schema, "X (Y)" may be a person with a nickname or an
     * organisation with its name or place in brackets: besides "x" and "y"
     * the whole "x y" is a name too (added last, when room allows) */
    char *full = NULL;
    int cut = 0, marker = 0;
    if (cls == SC_ANY && 2 * (n + 1) <= storesz) {
        full = store;
        memcpy(full, work, n + 1);
        store += n + 1;
        storesz -= n + 1;
    }
    char *e, *p;
    while (np < maxpieces && (p = next_segment(work, &e))) {
        size_t l = (size_t)(e - p - 1);
        if (full) full[p - work] = full[e - work] = ' ';
        if (l == 1 && p[1] == 'a' && *p == '(') { /* "(a)" is an alias marker */
            memset(p, ' ', 3);
            *p = '|';
            marker = 1;
            continue;
        }
        if (only_legal_outside(work, p, e) || (*p == '(' && only_place_inside(p, e))) {
            *p = *e = ' ';
            continue;
        }
        /* a company's quoted or bracketed text stays in its name: the quoted
         * name proper, or a place that tells a subsidiary from its parent
         * ("VTB BANK (AUSTRIA) AG", "LEADER (HONG KONG) INTERNATIONAL
         * TRADING"); brackets hold a name of their own only as one word
         * (an acronym: "(IRGC)", "(NICO)"), never as a place of two */
        int company = cls == SC_ORG || (cls == SC_ANY && legal_word_outside(work, p, e));
        int own = !company || *p != '(' || one_word(p + 1, l);
        if (own && l + 1 <= storesz) {
            memcpy(store, p + 1, l);
            store[l] = 0;
            pieces[np++] = store;
            store += l + 1;
            storesz -= l + 1;
        }
        if (company) *p = *e = ' ';
        else {
            memset(p, ' ', l + 2);
            cut = 1;
        }
    }
    /* alias markers split the main part: "x alias y", "x a.k.a. y", "x (a) y" */
    static const char *const markers[] = {"alias", "aka", "a.k.a", "a/k/a", "apodo", NULL};
    for (size_t i = 0; work[i] && np < maxpieces; i++) {
        if (work[i] == '|') {
            work[i] = 0;
            pieces[np++] = work + i + 1;
            continue;
        }
        /* a marker starts a word: most positions are inside one (cheap) */
        if (i > 0 && isalnum((unsigned char)work[i - 1])) continue;
        for (size_t m = 0; markers[m]; m++) {
            if (work[i] != markers[m][0] || !word_at(work, i, markers[m])) continue;
            size_t ml = strlen(markers[m]);
            work[i] = 0;
            size_t j = i + ml;
            while (work[j] == '.' || work[j] == ':' || work[j] == ' ') j++;
            pieces[np++] = work + j;
            i = j - 1;
            marker = 1;
            break;
        }
    }
    if (full && cut && !marker && np < maxpieces) pieces[np++] = full;
    return np;
}

/* ---- tokenisation ------------------------------------------------------------ */






static int has_flag(const char *s, size_t n, int flag);

/* 1 if a token of n is spelt as legal_spell rewrites. */
static int legal_spell_needed(const sn_name *n) {
    for (int i = 0; i < n->ntok; i++)
        if (has_flag(n->tok[i].s, n->tok[i].len, LX_SPELL)) return 1;
    return 0;
}

static const char *lookup_kv(const char *s, int which) {
    const lx_entry *e = lx_get(s, strlen(s));
    if (!e) return NULL;
    return which == 0 ? e->legal : e->number;
}

/* The canonical legal form spelt by the letters s, also in another
 * spelling (legal_spell) when spell is set. */
static const char *lookup_legal(const char *s, int spell) {
    const lx_entry *e = lx_get(s, strlen(s));
    if (spell && (!e || !e->legal)) {
        /* another spelling of a transliterated form? (only long keys: the
         * abbreviations have one spelling) */
        char sp[72];
        size_t n = strlen(s);
        if (n < 8 || n >= sizeof sp - 8) return NULL;
        memcpy(sp, s, n + 1);
        if (!legal_spelling(sp, sizeof sp)) return NULL;
        e = lx_get(sp, strlen(sp));
    }
    return e ? e->legal : NULL;
}

static int has_flag(const char *s, size_t n, int flag) {
    const lx_entry *e = lx_get(s, n);
    return e && (e->flags & flag);
}

static void add_tok(sn_name *n, const char *s, size_t len, int kind) {
    if (len == 0) return;
    if (len > SN_TOK_MAX) len = SN_TOK_MAX;
    if (n->ntok >= SN_MAX_TOK || n->used + len + 1 > sizeof n->buf) {
        n->dropped++;
        return;
    }
    char *d = n->buf + n->used;
    memcpy(d, s, len);
    d[len] = 0;
    n->used += len + 1;
    n->tok[n->ntok].s = d;
    n->tok[n->ntok].len = (uint8_t)len;
    n->tok[n->ntok].kind = (uint8_t)kind;
    n->ntok++;
}

/* ---- compound given names ------------------------------------------------------ */


/* Arabic and Persian given names are compounds written joined or apart:
 * Abdulrahman = Abdul Rahman = Abd al-Rahman (= Abdelrahman, Abdurrahman),
 * Abdullah = Abd Allah, Mohammadreza = Mohammad Reza, Alireza = Ali Rida,
 * Nourddin = Nour Addin, Salahuddin = Salah al-Din. sn_compound_canon writes
 * one canonical spelling of such a compound (joined): abd + connective ->
 * "abdul", -ullah/-ollah/-alla -> "allah", -eddin/-uddin/-addin -> "din",
 * -rida/-ridha -> "reza". The join rule of screen_name_score.c compares two
 * adjacent tokens with one token in this form. Tokens are NOT split at
 * tokenisation: a split would count one given name as two matched tokens
 * (Fazlullah = Fazl + Allah) and change the coverage rules. */
typedef struct csuf { const char *s; uint8_t n; uint8_t part; } csuf;
enum { CP_ALLAH, CP_DIN, CP_REZA };
static const char *const cpart[] = {"allah", "din", "reza"};
static const uint8_t cpart_len[] = {5, 3, 4};

int compound_split(const char *s, size_t n, size_t *alen, const char **b, size_t *blen) {
    /* second parts by their last letter (most tokens end otherwise) */
    static const csuf end_h[] = {{"ullah", 5, CP_ALLAH}, {"ollah", 5, CP_ALLAH}, {"allah", 5, CP_ALLAH},
                                 {"ellah", 5, CP_ALLAH}, {"illah", 5, CP_ALLAH}, {"allh", 4, CP_ALLAH},
                                 {NULL, 0, 0}};
    static const csuf end_a[] = {{"ulla", 4, CP_ALLAH}, {"alla", 4, CP_ALLAH}, {"reza", 4, CP_REZA},
                                 {"rida", 4, CP_REZA}, {"ridha", 5, CP_REZA}, {NULL, 0, 0}};
    static const csuf end_n[] = {{"eddin", 5, CP_DIN}, {"uddin", 5, CP_DIN}, {"addin", 5, CP_DIN},
                                 {"aldin", 5, CP_DIN}, {"eldin", 5, CP_DIN}, {"oddin", 5, CP_DIN},
                                 {"iddin", 5, CP_DIN}, {"ddin", 4, CP_DIN}, {"din", 3, CP_DIN}, {NULL, 0, 0}};
    static const csuf end_e[] = {{"eddine", 6, CP_DIN}, {NULL, 0, 0}};
    if (n < 6) return 0;
    char z = s[n - 1];
    const csuf *t = z == 'h' ? end_h : z == 'a' ? end_a : z == 'n' ? end_n : z == 'e' ? end_e : NULL;
    for (; t && t->s; t++)
        if (n >= t->n + 3u && memcmp(s + n - t->n, t->s, t->n) == 0) {
            *alen = n - t->n, *b = cpart[t->part], *blen = cpart_len[t->part];
            return 1;
        }
    /* abd + connective (ul, el, al, ol, or a vowel before an assimilated
     * consonant: abdurrahman, abdussalam) + a name of >= 3 letters */
    if (n >= 7 && s[0] == 'a' && s[1] == 'b' && s[2] == 'd') {
        const char *r = s + 3;
        size_t rl = n - 3;
        int v = r[0] == 'a' || r[0] == 'e' || r[0] == 'i' || r[0] == 'o' || r[0] == 'u';
        if (v && r[1] == 'l' && rl >= 5) r += 2, rl -= 2;
        else if (v && r[1] == r[2] && rl >= 6) r += 2, rl -= 2;
        else return 0;
        *alen = 3, *b = r, *blen = rl;
        return 2; /* first part: abd + connective, canonical "abdul" */
    }
    return 0;
}

size_t sn_compound_canon(const char *s, size_t n, char *out, size_t size) {
    size_t al, bl, k;
    const char *b;
    int r = compound_split(s, n, &al, &b, &bl);
    if (!r) {
        k = n < size - 1 ? n : size - 1;
        memcpy(out, s, k);
    } else {
        const char *a = r == 2 ? "abdul" : s;
        if (r == 2) al = 5;
        if (al + bl >= size) return 0;
        memcpy(out, a, al);
        memcpy(out + al, b, bl);
        k = al + bl;
    }
    out[k] = 0;
    return k;
}

int sn_join_keys(const char *a, size_t al, uint16_t agroup, const char *b, size_t bl, uint64_t out[3]) {
    static uint16_t abdul;
    char buf[2 * SN_TOK_MAX + 8], j[2 * SN_TOK_MAX + 8];
    int n = 0;
    if (!abdul) abdul = sn_nick_group("abdul", 5);
    if (al > SN_TOK_MAX || bl > SN_TOK_MAX) return 0;
    for (int v = 0; v < (abdul && agroup == abdul ? 3 : 1); v++) {
        const char *as = v == 0 ? a : v == 1 ? "abdul" : "abd";
        size_t asl = v == 0 ? al : v == 1 ? 5 : 3;
        memcpy(buf, as, asl);
        memcpy(buf + asl, b, bl);
        size_t l = sn_compound_canon(buf, asl + bl, j, sizeof j);
        if (l) out[n++] = sn_hash(j, l);
    }
    /* RUSSIAN + word = ROS/RUS + word (sn_ros_key) */
    if (agroup && agroup == sn_russian_group() && bl >= 5 && n < 3) out[n++] = sn_ros_key(b, bl);
    return n;
}

/* Russian compound names abbreviate "Russian" to ROS-/RUS-: ROSELEKTRONIKA
 * = RUSSIAN ELECTRONICS, RUSELECTRONICS, ROSSELKHOZ... */
int sn_ros_split(const char *s, size_t n, const char **rest, size_t *rl) {
    if (n < 8 || s[0] != 'r' || !((s[1] == 'o' || s[1] == 'u') && s[2] == 's')) return 0;
    *rest = s + 3;
    *rl = n - 3;
    return 1;
}

uint16_t sn_russian_group(void) {
    static uint16_t g;
    if (!g) g = sn_nick_group("russian", 7);
    return g;
}

uint64_t sn_ros_key(const char *rest, size_t rl) {
    /* the word, or its lexicon group (ELEKTRONIKA = ELECTRONICS) */
    uint16_t g = sn_nick_group(rest, rl);
    char buf[SN_TOK_MAX + 8];
    size_t k;
    if (g && !sn_group_is_name(g)) k = (size_t)snprintf(buf, sizeof buf, "ros#%u", (unsigned)g);
    else {
        if (rl > SN_TOK_MAX) rl = SN_TOK_MAX;
        memcpy(buf, "ros#", 4);
        memcpy(buf + 4, rest, rl);
        k = 4 + rl;
    }
    return sn_hash(buf, k);
}

int sn_acronym_ok(const char *s, size_t n, uint16_t group) {
    if (n < 3 || n > 10 || sn_group_is_name(group)) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z') return 0;
    return 1;
}

/* Legal forms that may also open a name ("OOO Yargeo", "Public Joint Stock
 * Company Sberbank of Russia"): only the unambiguous Russian/CIS codes and
 * LLC; "SA" or "Co" at the start are too often part of the name. */
static int leading_ok(const char *canon) {
    static const char *const ok[] = {"ao", "oao", "zao", "pao", "prao", "llc", "fgup", "gup", "fgbu", "fku", "fau", "mup", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(canon, ok[i]) == 0) return 1;
    return 0;
}

/* The canonical legal form spelt by tokens [from, from + k), or NULL. */
static const char *legal_run(const sn_name *n, int from, int k, int spell) {
    char cat[64];
    size_t cl = 0;
    for (int i = from; i < from + k; i++) {
        if (n->tok[i].kind == SN_LEGAL || cl + n->tok[i].len >= sizeof cat) return NULL;
        memcpy(cat + cl, n->tok[i].s, n->tok[i].len);
        cl += n->tok[i].len;
    }
    cat[cl] = 0;
    return cl <= 48 ? lookup_legal(cat, spell) : NULL; /* no legal form is longer */
}

/* Replace tokens [from, from + k) by the canonical token v (in place:
 * canonical forms are never longer than the letters they replace). */
static void legal_replace(sn_name *n, int from, int k, const char *v) {
    sn_token *t = &n->tok[from];
    char *d = (char *)t->s;
    size_t vl = strlen(v);
    memcpy(d, v, vl + 1);
    t->len = (uint8_t)vl;
    t->kind = SN_LEGAL;
    for (int i = from + k; i < n->ntok; i++) n->tok[i - k + 1] = n->tok[i];
    n->ntok -= k - 1;
}

/* A leading run of tokens that spells an unambiguous legal form becomes its
 * canonical token. Keeps >= 1 other token. */
static void fold_legal_leading_at(sn_name *n, int from, int spell) {
    for (int k = n->ntok - from - 1 < 8 ? n->ntok - from - 1 : 8; k >= 1; k--) {
        const char *v = legal_run(n, from, k, spell);
        if (v && leading_ok(v)) {
            legal_replace(n, from, k, v);
            return;
        }
    }
}

/* Two leading forms happen too ("OAO JSC ORENBURGNEFT": the Russian and
 * the English abbreviation of one form). */
static void fold_legal_leading(sn_name *n, int spell) {
    fold_legal_leading_at(n, 0, spell);
    if (n->ntok > 2 && n->tok[0].kind == SN_LEGAL) fold_legal_leading_at(n, 1, spell);
}

/* Replace the longest trailing run of tokens that spells a legal form by its
 * canonical token; repeat (e.g. "sa de cv sofom enr"). Keeps >= 1 other token. */
static void fold_legal(sn_name *n) {
    int end = n->ntok, spell = legal_spell_needed(n);
    for (int round = 0; round < 4 && end > 1; round++) {
        int found = 0;
        for (int k = end - 1 < 8 ? end - 1 : 8; k >= 1 && !found; k--) {
            char cat[64];
            size_t cl = 0;
            int ok = 1;
            for (int i = end - k; i < end && ok; i++) {
                if (n->tok[i].kind == SN_LEGAL) ok = 0;
                else if (cl + n->tok[i].len >= sizeof cat) ok = 0;
                else {
                    memcpy(cat + cl, n->tok[i].s, n->tok[i].len);
                    cl += n->tok[i].len;
                }
            }
            if (!ok || cl > 48) continue; /* no legal form is longer */
            cat[cl] = 0;
            const char *v = lookup_legal(cat, spell);
            if (!v) continue;
            /* rewrite token end-k in place: canonical forms are never longer
             * than the letters they replace */
            sn_token *t = &n->tok[end - k];
            char *d = (char *)t->s;
            size_t vl = strlen(v);
            memcpy(d, v, vl + 1);
            t->len = (uint8_t)vl;
            t->kind = SN_LEGAL;
            for (int i = end; i < n->ntok; i++) n->tok[end - k + 1 + (i - end)] = n->tok[i];
            n->ntok -= k - 1;
            end = end - k;
            found = 1;
        }
        if (!found) break;
    }
    fold_legal_leading(n, spell);
}

static int ordinal_suffix(const char *s, size_t n) {
    static const char *const suf[] = {"st", "nd", "rd", "th", "o", "a", "er", "eme", "e", NULL};
    for (size_t i = 0; suf[i]; i++)
        if (strlen(suf[i]) == n && memcmp(s, suf[i], n) == 0) return 1;
    return 0;
}

/* Digits written for letters inside a word ("V1KTOR", "B0RIS", "G0LDEN",
 * "AHM3D"): the leetspeak substitutions 0 o, 1 i, 3 e, 4 a, 5 s, 7 t, only
 * in a token that starts with a letter, has at least LEET_MIN_LETTERS
 * letters and whose every digit is one of them (VTB24, A320, MI6, 3M,
 * 7ELEVEN stay as written; ordinals are taken before). In place: the
 * length does not change. */
#define LEET_MIN_LETTERS 2
static void leet_fold(sn_token *t) {
    static const char from[] = "013457", to[] = "oieast";
    size_t letters = 0, digits = 0;
    if (!t->len || !isalpha((unsigned char)t->s[0])) return; /* 7ELEVEN: a number, then a word */
    for (size_t j = 0; j < t->len; j++) {
        char c = t->s[j];
        if (isdigit((unsigned char)c)) {
            if (!strchr(from, c)) return;
            digits++;
        } else if (isalpha((unsigned char)c)) {
            letters++;
        }
    }
    if (!digits || letters < LEET_MIN_LETTERS) return;
    char *d = (char *)t->s;
    for (size_t j = 0; j < t->len; j++)
        if (isdigit((unsigned char)d[j])) d[j] = to[strchr(from, d[j]) - from];
}

static void classify(sn_name *n, enum sn_class cls) {
    int out = 0;
    for (int i = 0; i < n->ntok; i++) {
        sn_token t = n->tok[i];
        if (t.kind == SN_WORD) {
            int hon = cls != SC_ORG && cls != SC_VEHICLE && n->ntok > 1 && has_flag(t.s, t.len, LX_HONORIFIC);
            const char *num = lookup_kv(t.s, 1);
            int isdigit_tok = 1;
            for (size_t j = 0; j < t.len; j++)
                if (!isdigit((unsigned char)t.s[j])) isdigit_tok = 0;
            /* an ordinal is its number: 27TH SCIENTIFIC CENTER = 27 ...,
             * 1ST, 2ND, 3RD; Spanish 1O / 1A (1º, 1ª after NFKC) */
            if (!isdigit_tok) {
                size_t d = 0;
                while (d < t.len && isdigit((unsigned char)t.s[d])) d++;
                if (d > 0 && ordinal_suffix(t.s + d, t.len - d)) {
                    t.len = (uint8_t)d;
                    isdigit_tok = 1;
                } else {
                    leet_fold(&t);
                }
            }
            if (num && !(cls == SC_PERSON || has_flag(t.s, t.len, LX_PARTICLE))) {
                char *d = (char *)t.s; /* digits are never longer than the word */
                size_t nl = strlen(num);
                memcpy(d, num, nl + 1);
                t.len = (uint8_t)nl;
                t.kind = SN_NUMBER;
            } else if (isdigit_tok) t.kind = SN_NUMBER;
            else if (hon || has_flag(t.s, t.len, LX_PARTICLE)) t.kind = SN_PARTICLE;
            else if (t.len == 1) t.kind = SN_INITIAL;
        }
        n->tok[out++] = t;
    }
    n->ntok = out;
}

void sn_tokenize(const char *piece, enum sn_class cls, sn_name *n) {
    n->used = 0;
    n->ntok = 0;
    n->dropped = 0;
    n->person_form = 0;
    int comma_at = -1, commas = 0;
    char cur[SN_TOK_MAX + 1];
    size_t cl = 0;
    for (const char *p = piece;; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c)) {
            if (cl < SN_TOK_MAX) cur[cl++] = (char)c;
            continue;
        }
        if (c == '\'' || c == '`') continue; /* O'Brien -> obrien */
        if (cl) add_tok(n, cur, cl, SN_WORD);
        cl = 0;
        if (c == 0) break;
        if (c == '&') add_tok(n, "and", 3, SN_WORD);
        if (c == ',') {
            if (commas++ == 0) comma_at = n->ntok;
        }
    }
    if (cls != SC_PERSON && cls != SC_VEHICLE) fold_legal(n);
    classify(n, cls);
    /* "SURNAME, Given" -> "Given SURNAME" for persons (and unknown schemas
     * when the part after the comma is no legal form). Only one comma: lists
     * like "a, b, c" are left alone. */
    if (commas == 1 && comma_at > 0 && comma_at < n->ntok && cls != SC_ORG && cls != SC_VEHICLE) {
        int legal_after = 0;
        for (int i = comma_at; i < n->ntok; i++)
            if (n->tok[i].kind == SN_LEGAL) legal_after = 1;
        if (!legal_after) {
            sn_token tmp[SN_MAX_TOK];
            int k = 0;
            for (int i = comma_at; i < n->ntok; i++) tmp[k++] = n->tok[i];
            for (int i = 0; i < comma_at; i++) tmp[k++] = n->tok[i];
            memcpy(n->tok, tmp, sizeof(sn_token) * (size_t)n->ntok);
            n->person_form = 1;
        }
    }
}

void sn_join(const sn_name *n, char *buf, size_t size) {
    pu_buf b = PU_BUF_INIT(size ? size - 1 : 0);
    size_t l = 0;
    if (size) buf[0] = 0;
    for (int i = 0; i < n->ntok; i++) {
        size_t need = n->tok[i].len + (i ? 1 : 0);
        if (l + need + 1 > size) break;
        if (i) buf[l++] = ' ';
        memcpy(buf + l, n->tok[i].s, n->tok[i].len);
        l += n->tok[i].len;
        buf[l] = 0;
    }
    pu_buf_free(&b);
}
