/*
 * screen_int.h - internals shared by the screen_*.c files. Not a public
 * contract: other modules use screen.h only.
 */
#ifndef PU_SCREEN_INT_H
#define PU_SCREEN_INT_H

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "screen/screen.h"

/* Caps on one normalised name. Tokens past SN_MAX_TOK are dropped from the
 * comparison (counted in the explanation); tokens are cut at SN_TOK_MAX. */
#define SN_MAX_TOK 24
#define SN_TOK_MAX 48
#define SN_BUF_MAX (SCREEN_NAME_MAX * 2)
#define SN_MAX_PIECES 8

/* Token kinds: how much a token says about identity. */
enum sn_kind {
    SN_WORD = 0,     /* an ordinary name token: weighted by IDF */
    SN_PARTICLE = 1, /* de, del, la, y, al, bin, ...: low fixed weight */
    SN_INITIAL = 2,  /* single letter */
    SN_LEGAL = 3,    /* canonical legal form (sacv, llc): compared apart */
    SN_NUMBER = 4    /* digits (number words were converted) */
};

/* Schema classes: which normalisation rules apply. */
enum sn_class { SC_ANY = 0, SC_PERSON, SC_ORG, SC_VEHICLE };

typedef struct sn_token {
    const char *s;   /* into sn_name.buf, NUL-terminated */
    uint8_t len;
    uint8_t kind;
} sn_token;

typedef struct sn_name {
    char buf[SN_BUF_MAX];
    size_t used;
    sn_token tok[SN_MAX_TOK];
    int ntok;
    int dropped;     /* tokens over SN_MAX_TOK */
    int person_form; /* written "SURNAME, Given" and reordered: a person's
                      * name whatever the schema (no acronym rule) */
} sn_name;

enum sn_class sn_class_of(const char *schema);

/* Unicode fold (NFKC, casefold, strip marks, ICU Any-Latin; Latin-ASCII) into
 * lower-case ASCII. Errors as screen_normalize. *out malloc'ed. */
int sn_fold(const char *in, char **out, pu_err *err, const char *field);

/* Split a folded string into its main name and nicknames ("x 'el huevo'",
 * "x alias y", "x a.k.a. y"): pieces point into a modified copy `work`
 * (caller-provided, >= strlen(folded)+1). Returns the number of pieces.
 * Class rules: for organisations (SC_ORG) text in quotes is part of the
 * name and also a name of its own ("OAO SHIP REPAIR CENTER 'ZVEZDOCHKA'" ->
 * "oao ship repair center zvezdochka" and "zvezdochka"): without it the
 * main name would be the generic words alone; brackets are a name of
 * their own only as one word (an acronym). SC_ANY treats a name with a
 * legal form outside the quotes as an organisation, and otherwise adds the
 * whole text as a last piece (a person's nickname or a company's name). */
int sn_split_cls(const char *folded, enum sn_class cls, char *work, size_t worksz, char **pieces, int maxpieces);

/* Tokenise one folded piece into *n with the class rules. Returns PU_OK even
 * when no token results (n->ntok == 0). */
void sn_tokenize(const char *piece, enum sn_class cls, sn_name *n);

/* Canonical joined spelling of an Arabic/Persian compound given name
 * (abdelrahman -> abdulrahman, abdullah -> abdallah, nourddin -> nourdin,
 * alirida -> alireza; anything else unchanged) into out (NUL-terminated);
 * returns its length, 0 when it does not fit. */
size_t sn_compound_canon(const char *s, size_t n, char *out, size_t size);

/* Blocking keys of two tokens written as one compound (a + b joined, in
 * sn_compound_canon form; for a in the abdul group also "abdul" + b and
 * "abd" + b; for a = RUSSIAN also sn_ros_key(b)): hashes into out;
 * returns how many (0..3). */
int sn_join_keys(const char *a, size_t al, uint16_t agroup, const char *b, size_t bl, uint64_t out[3]);
/* ROS-/RUS- compounds (ROSELEKTRONIKA = RUSSIAN ELECTRONICS): 1 if a token
 * of >= 8 letters starts with ros/rus; rest and rl receive the rest. */
int sn_ros_split(const char *s, size_t n, const char **rest, size_t *rl);
/* Blocking key of "ros" + a word (its lexicon group when it has one), for
 * both the joined token's rest and the word after RUSSIAN. */
uint64_t sn_ros_key(const char *rest, size_t rl);
/* The lexicon group of RUSSIAN (ROSSIISKOI, ...). */
uint16_t sn_russian_group(void);
/* 1 if a token may be an acronym: 3-10 letters, no known given name. */
int sn_acronym_ok(const char *s, size_t n, uint16_t group);

/* Canonical string of the tokens (space-separated) into buf. */
void sn_join(const sn_name *n, char *buf, size_t size);

/* Phonetic key (Spanish/Arabic-aware consonant skeleton) of a token. */
void sn_phonetic(const char *tok, size_t len, char *key, size_t size);

/* Nickname group of a token: the id of the formal given name it stands for
 * ("pepe" and "jose" -> the group of jose), 0 when none. */
uint16_t sn_nick_group(const char *tok, size_t len);
/* 1 if a token is a country name (screen_lexicon.c countries[]). */
int sn_is_place(const char *tok, size_t len);
/* 1 if a group is a given-name group (not a company-word group). */
int sn_group_is_name(uint16_t g);

/* One side of a token comparison. */
typedef struct sn_tokinfo {
    const char *s;
    uint8_t len, kind;
    uint16_t group;    /* nickname group */
    const char *phon;  /* phonetic key or NULL */
    const char *tk;    /* transliteration key (variant 0) or NULL: computed when needed */
    /* query-independent facts cached per token (speed only; 0/NULL = compute
     * when needed): the consonant skeleton (sn_skeleton) and its length, and
     * whether the token is written without vowels (1 no, 2 yes) */
    const char *sk;
    uint8_t skl, nv;
    uint64_t lm;       /* sn_letter_mask of the token, 0 = not known */
    uint8_t cjk;       /* sn_cjk_info of the token, 0 = not known */
} sn_tokinfo;

/* Similarity of two tokens in [0, 1] (0 below the floor); *how says why. */
double sn_token_sim(const sn_tokinfo *a, const sn_tokinfo *b, int *how);
enum { SIM_NONE = 0, SIM_EXACT, SIM_JW, SIM_PHON, SIM_NICK, SIM_INITIAL, SIM_SKEL, SIM_TRANSLIT, SIM_ACRONYM,
       SIM_GENDER /* a Spanish given name of the other gender (mario/maria): another person */ };
/* Transliteration key of a romanised Arabic/Persian token (vowel letters and
 * digraphs folded, doubles once; q = k in variant 0, q = g in variant 1)
 * into key; returns its length, 0 when it does not fit. */
size_t sn_translit_key(const char *t, size_t n, int variant, char *key, size_t size);
const char *sn_how_name(int how);
/* Consonant skeleton of a romanised Arabic/Persian token (vowels, w, y, h
 * dropped; th/dh/kh/gh, sh/ch, q/c folded; doubles collapsed) into key
 * (NUL-terminated, truncated to size); returns its length. */
size_t sn_skeleton(const char *tok, size_t len, char *key, size_t size);
/* 1 if a token of >= 3 letters has no vowel (a, e, i, o, u, y): abjad
 * romanisation ("mhmd"). */
int sn_no_vowels(const char *s, size_t len);
/* Letter set of a token for the Jaro-Winkler prefilter: bit (c & 63) for
 * every character c (never 0 for a token of >= 1 character). */
uint64_t sn_letter_mask(const char *s, size_t len);
/* Upper bound of screen_jaro_winkler(a, b) from the letter masks and
 * lengths (letters of one token missing from the other cannot match) and
 * the common prefix. Never below the exact value (tested). */
double sn_jw_bound(const char *a, size_t na, uint64_t ma, const char *b, size_t nb, uint64_t mb);
/* Korean names in Hangul or Han (screen_korean.c), applied to folded UTF-8
 * before ICU: *out = a malloc'ed rewrite, or NULL when the name has neither
 * Hangul nor a 2-4 character Han name with Korean readings. PU_OK or
 * PU_ERR_NOMEM. */
int sn_korean(const char *in, size_t n, char **out);
/* Japanese romanisation (screen_romaji.c): the canonical form of token t
 * (Hepburn without long vowels: Kunrei/Nihon-shiki si, ti, tu, hu, zi, sya...
 * and the long vowels ou, oo, uu, oh folded) into out (NUL-terminated).
 * Returns 1 when the canonical form is made of Japanese morae (their count
 * in *nmorae), else 0. *kunrei is 1 when a consonant rule of the table
 * applied (not only a long vowel). */
int sn_romaji_canon(const char *t, size_t n, char *out, size_t size, int *nmorae, int *kunrei);

uint64_t sn_hash(const char *s, size_t n);

/* 1 if a token begins with an attached Arabic article ("alfadhli"); *rest
 * points past it. */
int sn_article(const char *s, size_t n, const char **rest);

/* The lexicon (screen_lexicon.c): one entry per listed word, with what the
 * word lists say about it. */
enum { LX_PARTICLE = 1, LX_HONORIFIC = 2, LX_LEGAL = 4, LX_NUMBER = 8, LX_STEM = 16, LX_PLACE = 32, LX_SPELL = 64 };

typedef struct lx_entry {
    const char *key;
    uint8_t flags;
    const char *legal, *number; /* canonical legal form, digits */
    uint16_t group;             /* nickname group */
    uint16_t stem_group;        /* LX_STEM: the group of a Russian adjective stem */
} lx_entry;

/* Rewrite a candidate legal form to the one spelling of the legal_forms
 * table (screen_lexicon.c: see its comment). */
int legal_spelling(char *s, size_t size);
/* The entry of a word, or NULL (the table is built on first use). */
const lx_entry *lx_get(const char *k, size_t n);
/* Split a compound given name (screen_tokenize.c): see its comment. */
int compound_split(const char *s, size_t n, size_t *alen, const char **b, size_t *blen);

/* ---- index internals ---- */

typedef struct ix_entity {
    char *id, *caption, *schema, *owner, *marking;
    char **datasets;  size_t ndatasets;
    char **topics;    size_t ntopics;    /* FtM topics (the designated scope) */
    char **programs;  size_t nprograms;
    char **dates;     size_t ndates;     /* birth dates as listed */
    char **countries; size_t ncountries; /* lower-case codes/names */
    char **ids;       size_t nids;       /* normalised identifiers */
    char *gender;                        /* "male"/"female" or NULL */
    char **addrs;     size_t naddrs;     /* addresses as listed (one line each) */
    uint32_t first_name, nnames;         /* range in ix->names */
    uint8_t cls;
    uint8_t sanctioned;                  /* a Sanction entity designates it */
} ix_entity;

/* 1 when entity x is in the designated scope s (screen_scope.c). */
int screen_in_scope(const screen_scope *s, const ix_entity *x);

typedef struct ix_name {
    uint32_t entity;
    uint32_t tok_off;      /* into ix->toks / ix->tkind */
    uint8_t ntok;
    uint8_t kind;          /* 0 name, 1 alias, 2 weakAlias, 3 previousName */
    uint8_t person_form;   /* sn_name.person_form of the listed name */
    float wsum;            /* sum of weights of its tokens */
    float wcore;           /* ... of its WORD/NUMBER tokens (the blocked ones) */
    char *raw;             /* as listed */
} ix_name;

typedef struct ix_pair { uint64_t h; uint32_t v; } ix_pair;

/* Prefix blocking: a query token of IX_PREFIX..IX_PREFIX_MAX letters
 * reaches the vocabulary tokens that start with it and are two or more
 * letters longer (a truncated or inflected word: ROSSI ~ ROSSIYA, which
 * Jaro-Winkler's prefix bonus scores 0.86; the deletion neighbourhoods
 * reach one letter only). */
#define IX_PREFIX 5
#define IX_PREFIX_MAX 7
#define IX_DEL 0x80000000u

typedef struct ix_vinfo {
    const char *s, *phon, *tk, *sk; /* into varena; tk NULL when it does not fit */
    uint64_t lm;                    /* sn_letter_mask */
    uint16_t group;
    uint8_t len, skl, nv;           /* nv: sn_no_vowels + 1 */
    uint8_t cjk;                    /* sn_cjk_info */
} ix_vinfo;

/* A multimap hash -> values: pairs sorted by hash, plus an open-addressing
 * table from hash to the first pair (one or two cache misses per lookup
 * instead of a binary search). */
typedef struct ix_map {
    ix_pair *a;
    size_t n;
    uint32_t *slot;  /* position + 1, 0 = empty */
    size_t mask;
} ix_map;

/* Sort the pairs and build the table. Errors: PU_ERR_NOMEM. */
int ix_map_finish(ix_map *m);
/* Slot of hash h in m's table (m->slot must be set). */
static inline size_t ix_slot_of(const ix_map *m, uint64_t h) {
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 32) & m->mask;
}
/* Position of the first pair with hash h, or m->n. Inline: blocking calls it
 * ~50 times per query. */
static inline size_t ix_get(const ix_map *m, uint64_t h) {
    if (!m->slot) return m->n;
    size_t k = ix_slot_of(m, h);
    for (;;) {
        uint32_t p = m->slot[k];
        if (!p) return m->n;
        if (m->a[p - 1].h == h) return p - 1;
        k = (k + 1) & m->mask;
    }
}
void ix_map_free(ix_map *m);

struct screen_index {
    ix_entity *ents; size_t nents;
    ix_name *names;  size_t nnames;
    uint32_t *toks;  uint8_t *tkind; size_t ntoks;
    /* vocabulary */
    char **vstr; uint8_t *vlen; uint32_t *vdf; float *vw; uint16_t *vgroup;
    /* while building only (NULL after, the strings are in vinfo/varena):
     * phonetic key, transliteration key (sn_translit_key, variant 0) and
     * consonant skeleton (sn_skeleton) of each token */
    char **vphon, **vtk, **vsk;
    /* what a comparison reads of a vocabulary token, packed in one record
     * per token with its strings side by side in varena (one or two cache
     * lines per token instead of one per array: blocking reads ~50 vocabulary
     * tokens per query) */
    struct ix_vinfo *vinfo;
    char *varena; size_t varena_n;
    size_t nvocab;
    ix_map vmap;     /* hash(token) -> vid */
    /* hash(token) -> vid, then hash(1-deletion, token without article) ->
     * vid | IX_DEL: the exact and deletion entries of one hash side by side,
     * so that a probe of both is one lookup (IX_DEL entries sort after the
     * exact ones, the order of two separate maps probed in turn) */
    ix_map dmap;
    ix_map pmap;     /* hash(phonetic) -> vid */
    ix_map smap;     /* hash(Arabic consonant skeleton, >= 2 letters) -> vid */
    ix_map fmap;     /* hash(first k letters, IX_PREFIX <= k <= IX_PREFIX_MAX, of tokens of >= k + 2) -> vid */
    ix_map gmap;     /* nickname group -> vid */
    ix_map idmap;    /* hash(identifier) -> entity */
    ix_map cmap;     /* hash(two adjacent tokens joined, sn_join_keys) -> name */
    ix_map kmap;     /* hash(sn_compound_canon(token)) -> vid */
    ix_map amap;     /* hash(initials of a run of >= 3 words) -> name (not persons) */
    uint32_t *post_off; uint32_t *post; /* vid -> names (CSR) */
    size_t skipped;
    double nnames_log;
    /* compare --idf: the list whose IDF weighs query tokens (NULL: this
     * index's own vocabulary, as screening does) */
    const struct screen_index *wref;
    /* scratch pool for concurrent queries */
    pthread_mutex_t pool_mu;
    void **pool; size_t npool, pool_cap;
};

/* Sorted-pair lookup: first index with .h == h, or n when absent. */
size_t ix_find(const ix_pair *a, size_t n, uint64_t h);

/* Weight of a token kind/IDF. */
float ix_token_weight(const screen_index *ix, int kind, uint32_t vid_or_max, size_t df);

/* The query-independent facts of query token ti (s, len, kind set):
 * nickname group, phonetic, transliteration and skeleton keys, vowels,
 * letter mask, CJK facts; the keys are written to the buffers given and
 * ti points at them. Returns the bytes of tk used (0: the key did not
 * fit, ti->tk NULL: computed when needed). screen_run's query
 * preparation and compare's prepared names share it, so their tokens are
 * the same by construction. */
size_t sn_query_token_facts(sn_tokinfo *ti, char *phon, size_t phsize, char *tk, size_t tksize, char *sk,
                            size_t sksize);
/* 1 when a query of class qcls may match an entity of class ecls (screen_run.c). */
int screen_schema_ok(int qcls, int ecls);

/* Name-vs-name scoring over normalised tokens (screen_name_score.c). */
typedef struct sc_side {
    const sn_tokinfo *t;
    const float *w;        /* weight of each token */
    const uint32_t *id;    /* memo ids of the tokens (may be NULL) */
    int n;
    int person;            /* a person's name: no acronym rule */
} sc_side;

/* Per-query memo of token similarities: a name shares most tokens with the
 * other candidates, so each (query token, listed token) pair is compared once.
 * Entries of older queries are told apart by the stamp. */
#define SC_MEMO_SLOTS 16384
typedef struct sc_memo {
    uint64_t key[SC_MEMO_SLOTS];
    uint32_t stamp[SC_MEMO_SLOTS];
    float sim[SC_MEMO_SLOTS];
    uint8_t how[SC_MEMO_SLOTS];
    uint32_t cur;
} sc_memo;

typedef struct sc_detail {
    int pairs;
    int qi[SN_MAX_TOK], qi2[SN_MAX_TOK], cj[SN_MAX_TOK], cj2[SN_MAX_TOK]; /* -1 when no compound */
    double sim[SN_MAX_TOK];
    int how[SN_MAX_TOK];
    uint32_t qused, cused;
    double cov_q, cov_c, disc, qdisc;
    int legal_conflict;
} sc_detail;

/* ---- scoring constants (docs/screening.md) ---- */

/* Exponents of the coverage blend: the query's coverage counts more than the
 * candidate's (a listed name with an extra maternal surname or middle name
 * is still the same person; a query with one token of a long name is not). */
#define COV_Q_EXP 0.6
#define COV_C_EXP 0.4
/* Unmatched candidate tokens weigh half when >= 2 core tokens matched. */
#define UNMATCHED_DISCOUNT 0.5
/* Unmatched query tokens weigh 0.3 when >= 2 core tokens matched and every
 * core token of the listed name found a counterpart: the list has the short
 * form ("SALHAB, Azzam") and the query the full name with patronymics and
 * middle names ("Azzam Numan Abdel Rahman SALHAB"). Measured on the
 * independent OFAC pair sets (docs/screening.md). */
#define QUERY_EXTRA_DISCOUNT 0.3
/* ... and only when the matched listed tokens weigh at least this much (IDF
 * weights, a unique token weighs 1): a short listed name of common words
 * ("NATIONAL BANK" 0.57 + 0.44, "AL-IBRAHIM, Muhammad") is no short form of
 * every longer name that contains it ("BANK NATIONAL FACTORING COMPANY"). */
#define QUERY_EXTRA_MIN_EVIDENCE 1.2
/* A name matched through one Jaro-Winkler-only token pair below this
 * similarity is scaled by it (sc_name_score). */
#define WEAK_SINGLE_SIM 0.9
/* A person's name with a given name of the other gender (SIM_GENDER) scores at
 * most this: below the default threshold (0.75) and the usual 0.7 floor of
 * --threshold, above the default --min-score (0.55), so it is listed as a
 * non-match. */
#define GENDER_PAIR_NAME_CAP 0.6
/* Name kind factors: primary > alias > previous > weak alias (tie-breaks). */
static const double kind_factor[] = {1.0, 0.995, 0.97, 0.98};
static const char *const kind_name[] = {"name", "alias", "weakAlias", "previousName"};
/* Qualifiers (added to the score, clamped to [0, 1]). */
#define Q_DOB_EXACT 0.05
#define Q_DOB_YEAR 0.02
#define Q_DOB_YEAR_CONFLICT (-0.15)
#define Q_DOB_DAY_CONFLICT (-0.10)
#define Q_COUNTRY_MATCH 0.02
#define Q_COUNTRY_CONFLICT (-0.10)
#define Q_GENDER_CONFLICT (-0.15)
#define Q_ID_MATCH_FLOOR 0.90
#define Q_ID_MATCH 0.10
#define Q_ID_CONFLICT (-0.20)
#define Q_LEGAL_CONFLICT (-0.03)  /* relative, on the name score */
#define Q_LEGAL_ONE_SIDED (-0.01) /* only one name carries a legal form */
/* An address of the query agrees with a listed one (sn_address_sim >=
 * Q_ADDRESS_MIN_SIM). No penalty for a different address: people and
 * companies move, and listed addresses are old (docs/screening.md). */
#define Q_ADDRESS_MATCH 0.03
#define Q_ADDRESS_MIN_SIM 0.8

/* ---- scoring helpers shared by screen_name_score.c and screen_run.c ---- */

static inline int is_core(int kind) { return kind == SN_WORD || kind == SN_NUMBER; }

/* pow for coverages: a full coverage (1.0, the common case) needs no call;
 * pow(1, y) is exactly 1, so the result is bit for bit the same. */
static inline double pow_cov(double x, double e) { return x == 1.0 ? 1.0 : pow(x, e); }

/* The second token of a compound that starts at i: the next token, or the
 * one after a two-letter article ("abd al-rahman", "salah ad-din"); -1. */
static inline int compound_next(const sc_side *x, int i) {
    if (i + 1 < x->n && is_core(x->t[i + 1].kind)) return i + 1;
    if (i + 2 < x->n && x->t[i + 1].kind == SN_PARTICLE && x->t[i + 1].len == 2 && x->t[i + 1].s[0] != 'd' &&
        is_core(x->t[i + 2].kind))
        return i + 2;
    return -1;
}

static inline double span_weight(const sc_side *x, int i, int k) {
    double w = 0;
    for (int t = i; t <= k; t++) w += x->w[t];
    return w;
}

/* A country or a number names another entity of an organisation. */
static inline int distinguishing(const sn_tokinfo *t) {
    return t->kind == SN_NUMBER || (t->kind == SN_WORD && sn_is_place(t->s, t->len));
}

/* Memo slot: the first of 8 from the key's home that holds the key (*hit
 * = 1) or is free; when all are taken, the home slot (overwritten). */
static inline size_t memo_slot(const sc_memo *m, uint64_t key, int *hit) {
    size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull >> 50) & (SC_MEMO_SLOTS - 1);
    *hit = 0;
    for (int p = 0; p < 8; p++) {
        size_t k = (h + (size_t)p) & (SC_MEMO_SLOTS - 1);
        if (m->stamp[k] != m->cur) return k;
        if (m->key[k] == key) {
            *hit = 1;
            return k;
        }
    }
    return h;
}

/* Enter a similarity computed elsewhere (blocking compares each query
 * token with its candidate vocabulary tokens: the same sn_token_sim call
 * scoring would make for a listed WORD token). */
static inline void memo_put(sc_memo *m, uint64_t key, float s, int how) {
    int hit;
    size_t k = memo_slot(m, key, &hit);
    if (hit) return;
    m->key[k] = key;
    m->stamp[k] = m->cur;
    m->sim[k] = s;
    m->how[k] = (uint8_t)how;
}

/* Qualifiers (screen_qual.c): the qualifier features of entity x for
 * query q, at most max, into qs; returns how many. */
typedef struct qual { const char *name; double v; char detail[256]; } qual;
int qualifiers(const ix_entity *x, const screen_query *q, qual *qs, int max);
/* IDF weight of the exact token in ix's vocabulary, else dflt
 * (screen_run.c; compare weighs its names with it). */
float vocab_weight(const screen_index *ix, const char *s, size_t len, float dflt);

/* Reviewed decisions (screen_review.c): index of the decision on
 * (subject, entity) that applies for scope (NULL = STORE_SYSTEM) or -1;
 * whether it suppresses; copy it into a match. */
int sr_find(const screen_reviews *rv, const store_scope *scope, const char *subject, const char *entity_id);
int sr_suppresses(const screen_reviews *rv, int i);
int sr_fill(const screen_reviews *rv, int i, screen_match *m);

/* Score of a query name against a candidate name, in [0, 1]. d may be NULL. */
double sc_name_score(const sc_side *q, const sc_side *c, sc_detail *d, sc_memo *memo);

/* Hypocoristic given names beyond Spanish (screen_hypo.c, generated from
 * data/screen/hypocoristics.tsv): nick -> formal, NULL-terminated. The
 * lexicon puts them in the nickname groups after its own table. */
struct sn_hypo { const char *nick, *formal; };
extern const struct sn_hypo sn_hypocoristics[];
/* Number of romanised Chinese/Korean syllables a token is made of, 1..3,
 * or 0 when it is not such a sequence (screen_cjk.c). */
int sn_cjk_syllables(const char *s, size_t n);
/* What the syllable rule needs of a token, cached per token (never 0):
 * SN_CJK_KNOWN | SN_CJK_MARKED (written as only Chinese or Korean is:
 * screen_cjk.c) | the syllable count 0..3. */
#define SN_CJK_KNOWN 0x80u
#define SN_CJK_MARKED 0x40u
uint8_t sn_cjk_info(const char *s, size_t n);
/* Similarity in [0, 1] of two one-line postal addresses (screen_addr.c):
 * the matched share of the shorter one's words, halved when both have
 * house numbers and none agrees. */
double sn_address_sim(const char *query, const char *listed);

/* ---- normalised listed names, kept between index builds (screen_ncache.c) ----
 * sn_prepared: what indexing one listed name of one schema class yields —
 * npieces names (a main name and quoted nicknames; -1: the name does not
 * fold and is counted as skipped), each of ntok[k] tokens with its person
 * form; `text` holds the tokens of all pieces in order, each as
 * [kind byte][length byte][bytes][NUL]. */
typedef struct sn_prepared {
    char *raw;
    uint8_t cls;
    int8_t npieces;
    uint8_t ntok[SN_MAX_PIECES], pform[SN_MAX_PIECES];
    char *text;
} sn_prepared;

/* Fold, split and tokenise raw as the index does (*out owned by the caller:
 * sn_prepared_free). Errors: PU_ERR_NOMEM (a name that does not fold is not
 * an error: npieces -1). */
int sn_prepare(const char *raw, enum sn_class cls, sn_prepared **out);
void sn_prepared_free(sn_prepared *p);

/* A cache (listed name, class) -> sn_prepared, owned by a screening service
 * and used by one build at a time (the service's rebuild mutex): not
 * thread-safe. Bounded (emptied past a named number of entries). */
typedef struct screen_ncache screen_ncache;
/* Errors: PU_ERR_NOMEM. */
int screen_ncache_new(screen_ncache **out);
void screen_ncache_free(screen_ncache *c); /* NULL-safe */
/* The prepared form of (raw, cls): found, or computed and kept. *out is
 * owned by the cache, valid until the next call. Errors: PU_ERR_NOMEM. */
int screen_ncache_get(screen_ncache *c, const char *raw, enum sn_class cls, const sn_prepared **out);
/* Entries held, and lookups answered from the cache / computed, so far. */
void screen_ncache_stats(const screen_ncache *c, size_t *entries, uint64_t *hits, uint64_t *misses);
/* Make builder b take listed names' normalised forms from nc (NULL: none)
 * and the text-only keys of vocabulary tokens from prev, an earlier index
 * (NULL: none; it must outlive the build). The index built is the same as
 * without them; only faster (docs/screening.md "Incremental update"). */
void screen_builder_reuse(screen_builder *b, screen_ncache *nc, const screen_index *prev);

/* ---- the indexed entities, kept for incremental updates (screen_ents.c) ----
 * A screening service keeps the entities its index was built from, sorted
 * by id (strcmp: one order whatever the database's collation), and patches
 * them with the entities the store's change log names; the index is then
 * rebuilt from memory (no store read, no JSON parse): the same index a full
 * build of the same entities gives (tested: test_service_patch). */
typedef struct screen_ents {
    ftm_entity **e; /* owned */
    size_t n, cap;
} screen_ents;

/* Read every entity the index uses (as screen_index_build, STORE_SYSTEM)
 * into *out (owned by the caller: screen_ents_free). Errors: PU_ERR_DB,
 * PU_ERR_NOMEM. */
int screen_ents_load(store_t *st, const screen_build_opts *o, screen_ents *out, pu_err *err);
/* Re-read ids (repeats allowed) from st and put their current state in c:
 * replaced, added, or removed when deleted or no longer indexed. On error c
 * is unchanged. Errors: PU_ERR_DB, PU_ERR_NOMEM. */
int screen_ents_patch(store_t *st, const screen_build_opts *o, screen_ents *c, char *const *ids, size_t n,
                      pu_err *err);
/* Build the index from c (c is not referenced afterwards). Errors: those of
 * screen_builder_add / screen_builder_finish. */
/* nc and prev as screen_builder_reuse (both may be NULL). */
int screen_ents_build(const screen_ents *c, const screen_build_opts *o, screen_ncache *nc, const screen_index *prev,
                      screen_index **out, pu_err *err);
/* Free c's entities and array (NULL-safe); c is left empty. */
void screen_ents_free(screen_ents *c);

#endif
