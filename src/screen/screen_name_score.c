/*
 * screen_name_score.c - name against name: the token alignment of two
 * normalised names (exact, fuzzy, compound and acronym pairs; weighted
 * coverages) that gives the name score. docs/screening.md "Name score".
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

/* ---- name vs name --------------------------------------------------------------- */

typedef struct cand_pair { float s; uint8_t i, j, how; } cand_pair;



/* Join two tokens and compare with a third: "abdul rahman" ~ "abdulrahman",
 * in the canonical spelling of Arabic/Persian compound given names
 * (sn_compound_canon: "abd rahman" ~ "abdelrahman", "abd allah" ~
 * "abdullah", "ali rida" ~ "alireza"). */
static double join_sim(const char *as, size_t al, const char *bs, size_t bl, const char *cc, size_t cl) {
    char buf[2 * SN_TOK_MAX + 8], j[2 * SN_TOK_MAX + 8];
    memcpy(buf, as, al);
    memcpy(buf + al, bs, bl);
    size_t l = sn_compound_canon(buf, al + bl, j, sizeof j);
    if (!l || j[0] != cc[0] || l > cl + 2u || l + 2u < cl) return 0;
    double s = 1.0 - 2.5 * (1.0 - screen_jaro_winkler(j, l, cc, cl));
    return s >= 0.85 ? s : 0;
}

/* RUSSIAN + b vs one token ROS/RUS + rest (ROSELEKTRONIKA, RUSELECTRONICS):
 * b compared with the rest like two tokens (spelling, lexicon), at most
 * 0.9 (an abbreviated word). */
static double ros_sim(const sn_tokinfo *b, const sn_tokinfo *c) {
    const char *rest;
    size_t rl;
    if (b->kind != SN_WORD || !sn_ros_split(c->s, c->len, &rest, &rl)) return 0;
    sn_tokinfo r = {.s = rest, .len = (uint8_t)rl, .kind = SN_WORD, .group = sn_nick_group(rest, rl)};
    int how;
    double s = sn_token_sim(b, &r, &how);
    if (s < 0.85) return 0;
    return s > 0.9 ? 0.9 : s;
}

static double compound_sim(const sn_tokinfo *a, const sn_tokinfo *b, const sn_tokinfo *c) {
    char cc[SN_TOK_MAX + 8];
    static uint16_t abdul;
    if (!abdul) abdul = sn_nick_group("abdul", 5);
    if (c->len < 4 || a->len > SN_TOK_MAX || b->len > SN_TOK_MAX) return 0;
    /* cheap rejections first (this runs for every token pair of every
     * scored name): canonical forms keep the first letter ("bd" becomes
     * "abd") and change the length by a few letters */
    int ab = abdul && a->group == abdul;
    if (a->s[0] != c->s[0] && !(ab && c->s[0] == 'a')) return 0;
    if (a->group && a->group == sn_russian_group()) {
        double r = ros_sim(b, c);
        if (r > 0) return r;
    }
    size_t jl = (size_t)a->len + b->len;
    if (jl > (size_t)c->len + 6u || jl + 6u < c->len) return 0;
    size_t cl = sn_compound_canon(c->s, c->len, cc, sizeof cc);
    if (!cl) return 0;
    double s = join_sim(a->s, a->len, b->s, b->len, cc, cl);
    /* abd / abdel / bd (ICU's abjad "bd") + name: also as "abdul" + name
     * and "abd" + name (abd allah = abdallah), the name also without an
     * attached article (ICU: عبد الرحمن -> "bd alrhmn") */
    if (ab) {
        const char *r;
        int art = sn_article(b->s, b->len, &r);
        for (int v = 0; v < (art ? 4 : 2); v++) {
            const char *bs = v < 2 ? b->s : r;
            size_t bl = v < 2 ? b->len : b->len - 2u;
            double t = join_sim(v % 2 ? "abd" : "abdul", v % 2 ? 3 : 5, bs, bl, cc, cl);
            if (t > s) s = t;
        }
    }
    return s;
}

/* Acronyms: a single token of >= 3 letters that spells the initials of a
 * run of >= 3 words of the other name, particles (of, the, and, for, al)
 * skipped: RDIF = Russian Direct Investment Fund, ISIL = Islamic State of
 * Iraq and the Levant, SME = Small and Medium Enterprises. Not for person
 * names (a three-letter given name is no acronym). Finds the run [*from,
 * *to] of y for token i of x; 1 if found.
 * Similarity by length: 0.9 from 5 letters, 0.85 for 4, 0.75 for 3. Why:
 * the list has hundreds of short acronym aliases, and three initials
 * collide often (ROCKET INDUSTRY DEPARTMENT spells RID, an alias of the
 * Russian Imperial Movement; MAYGU INTERNATIONAL TRADING spells MIT): a
 * three-letter acronym alone stays a near miss (0.75 x 0.95), with other
 * matching words it can still match (SME BANK). */
static double acronym_sim(size_t len) { return len >= 5 ? 0.9 : len == 4 ? 0.85 : 0.75; }
static int acronym_run(const sc_side *x, int i, const sc_side *y, uint32_t yused, int *from, int *to) {
    const sn_tokinfo *a = &x->t[i];
    if (a->kind != SN_WORD || !sn_acronym_ok(a->s, a->len, a->group)) return 0;
    for (int j = 0; j < y->n; j++) {
        if (y->t[j].kind != SN_WORD || y->t[j].s[0] != a->s[0] || (yused >> j & 1u)) continue;
        size_t got = 0;
        for (int k = j; k < y->n && !(yused >> k & 1u); k++) {
            int kind = y->t[k].kind;
            if (kind == SN_PARTICLE && got < a->len) continue;
            /* given names (nickname groups) are no words of an acronym */
            if (kind != SN_WORD || y->t[k].s[0] != a->s[got] || sn_group_is_name(y->t[k].group)) break;
            if (++got == a->len) {
                *from = j;
                *to = k;
                return 1;
            }
        }
    }
    return 0;
}


static uint32_t span_mask(int i, int k) { return ((2u << (k - i)) - 1u) << i; }


/* 1 if two tokens are within one edit (insertion, deletion, substitution,
 * adjacent transposition) or share a phonetic key: what the index blocks,
 * so not "one fuzzy token" evidence (sc_name_score). */
static int near_pair(const sn_tokinfo *a, const sn_tokinfo *b) {
    if (a->phon && b->phon && a->phon[0] && strcmp(a->phon, b->phon) == 0) return 1;
    size_t la = a->len, lb = b->len;
    if (la > lb) {
        const sn_tokinfo *t = a;
        a = b;
        b = t;
        la = a->len, lb = b->len;
    }
    if (lb - la > 1) return 0;
    size_t i = 0;
    while (i < la && a->s[i] == b->s[i]) i++;
    if (la == lb) {
        if (i == la) return 1;
        if (memcmp(a->s + i + 1, b->s + i + 1, la - i - 1) == 0) return 1; /* substitution */
        return i + 1 < la && a->s[i] == b->s[i + 1] && a->s[i + 1] == b->s[i] &&
               memcmp(a->s + i + 2, b->s + i + 2, la - i - 2) == 0; /* transposition */
    }
    return memcmp(a->s + i, b->s + i + 1, la - i) == 0; /* one insertion */
}


/* Weight of the unmatched country and number tokens of a listed
 * organisation name: such a token names another entity (a subsidiary
 * abroad, "GAZPROMBANK (SWITZERLAND)"; "VTB 24"), so it weighs in full,
 * never as a dropped middle name.
 * Not for persons (ISRAEL, JORDAN and GEORGIA are given names too). A
 * country the query adds is not weighed so: "HOUSING BANK OF IRAN" names
 * the home country of BANK MASKAN (dev data). */
static double place_weight(const sc_side *q, const sc_side *c, uint32_t cused) {
    double wc = 0;
    if (q->person || c->person) return 0;
    for (int j = 0; j < c->n; j++)
        if (!((cused >> j) & 1u) && distinguishing(&c->t[j])) wc += c->w[j];
    return wc;
}

/* Weight of the unmatched number tokens of a query organisation name: "BANK
 * VTB 24" is another bank than VTB, "ZAVOD 91" another plant than ZAVOD 90;
 * such a token is no extra middle name. */
static double query_number_weight(const sc_side *q, uint32_t qused, const sc_side *c) {
    double w = 0;
    if (q->person || c->person) return 0;
    for (int i = 0; i < q->n; i++)
        if (!((qused >> i) & 1u) && q->t[i].kind == SN_NUMBER) w += q->w[i];
    return w;
}



static double memo_sim(sc_memo *m, const sc_side *q, int i, const sc_side *c, int j, int *how) {
    if (!m || !q->id || !c->id) return (float)sn_token_sim(&q->t[i], &c->t[j], how);
    uint64_t key = (uint64_t)q->id[i] << 36 | c->id[j];
    int hit;
    size_t slot = memo_slot(m, key, &hit);
    if (hit) {
        *how = m->how[slot];
        return m->sim[slot];
    }
    double s = sn_token_sim(&q->t[i], &c->t[j], how);
    m->key[slot] = key;
    m->stamp[slot] = m->cur;
    m->sim[slot] = (float)s;
    m->how[slot] = (uint8_t)*how;
    return (float)s; /* the same precision whether memoised or not */
}

/* What the matched pairs of a name add up to (sc_name_score). */
typedef struct sc_acc {
    uint32_t qused, cused;  /* matched tokens of each side */
    double Mq, Mc, Wcm;     /* similarity-weighted matched weight; listed matched weight */
    int core, nd;           /* matched core pairs; detail entries */
} sc_acc;

/* Match the query span [qi, qk] with the listed span [cj, ck] (a compound
 * or an acronym run on one side, one token on the other) at similarity s. */
static void take_span(sc_acc *a, const sc_side *q, int qi, int qk, const sc_side *c, int cj, int ck, double s,
                      int how, sc_detail *d) {
    double wq = span_weight(q, qi, qk), wc = span_weight(c, cj, ck);
    a->qused |= span_mask(qi, qk);
    a->cused |= span_mask(cj, ck);
    a->Mq += s * wq;
    a->Mc += s * wc;
    a->Wcm += wc;
    a->core++;
    if (d && a->nd < SN_MAX_TOK) {
        d->qi[a->nd] = qi;
        d->qi2[a->nd] = qk > qi ? qk : -1;
        d->cj[a->nd] = cj;
        d->cj2[a->nd] = ck > cj ? ck : -1;
        d->sim[a->nd] = s;
        d->how[a->nd] = how;
        a->nd++;
    }
}

double sc_name_score(const sc_side *q, const sc_side *c, sc_detail *d, sc_memo *memo) {
    cand_pair pairs[SN_MAX_TOK * SN_MAX_TOK];
    int np = 0;
    int qlegal = 0, clegal = 0, legal_same = 0;
    for (int i = 0; i < q->n; i++) {
        if (q->t[i].kind == SN_LEGAL) {
            qlegal = 1;
            for (int j = 0; j < c->n; j++)
                if (c->t[j].kind == SN_LEGAL && c->t[j].len == q->t[i].len &&
                    memcmp(c->t[j].s, q->t[i].s, q->t[i].len) == 0)
                    legal_same = 1;
            continue;
        }
        for (int j = 0; j < c->n; j++) {
            if (c->t[j].kind == SN_LEGAL) continue;
            int how;
            double s = memo_sim(memo, q, i, c, j, &how);
            if (s <= 0) continue;
            /* particles only pair with particles or exact tokens */
            if ((q->t[i].kind == SN_PARTICLE) != (c->t[j].kind == SN_PARTICLE) && how != SIM_EXACT) continue;
            pairs[np++] = (cand_pair){(float)s, (uint8_t)i, (uint8_t)j, (uint8_t)how};
        }
    }
    for (int j = 0; j < c->n; j++)
        if (c->t[j].kind == SN_LEGAL) clegal = 1;
    /* best pairs first (insertion sort: a handful of pairs); ties prefer the
     * heavier query token */
    for (int a = 1; a < np; a++) {
        cand_pair x = pairs[a];
        int b = a - 1;
        while (b >= 0 && (pairs[b].s < x.s || (pairs[b].s == x.s && q->w[pairs[b].i] < q->w[x.i]))) {
            pairs[b + 1] = pairs[b];
            b--;
        }
        pairs[b + 1] = x;
    }
    uint32_t qexact = 0, cexact = 0;
    int core_how = SIM_NONE; /* how the last single core pair matched */
    double core_sim = 1;
    int core_i = 0, core_j = 0;
    double Wcu_extra = 0;
    sc_acc A = {0};
    for (int a = 0; a < np; a++)
        if (pairs[a].how == SIM_EXACT) {
            qexact |= 1u << pairs[a].i;
            cexact |= 1u << pairs[a].j;
        }
    /* compounds first, so that a partial pair ("tongchol" ~ "tong") does not
     * take them apart: two query tokens vs one listed token and the reverse */
    /* acronyms before compounds and single pairs: the run's words are
     * taken together as the acronym's counterpart */
    if (!q->person && !c->person) {
        for (int i = 0; i < q->n && c->n >= 3; i++) {
            int f, t;
            if ((A.qused | qexact) >> i & 1u || !acronym_run(q, i, c, A.cused | cexact, &f, &t)) continue;
            take_span(&A, q, i, i, c, f, t, acronym_sim(q->t[i].len), SIM_ACRONYM, d);
        }
        for (int j = 0; j < c->n && q->n >= 3; j++) {
            int f, t;
            if ((A.cused | cexact) >> j & 1u || !acronym_run(c, j, q, A.qused | qexact, &f, &t)) continue;
            take_span(&A, q, f, t, c, j, j, acronym_sim(c->t[j].len), SIM_ACRONYM, d);
        }
    }
    for (int i = 0; i + 1 < q->n; i++) {
        int k = is_core(q->t[i].kind) ? compound_next(q, i) : -1;
        if (k < 0 || (A.qused | qexact) & span_mask(i, k)) continue;
        for (int j = 0; j < c->n; j++) {
            if ((A.cused | cexact) >> j & 1u || !is_core(c->t[j].kind)) continue;
            double s = compound_sim(&q->t[i], &q->t[k], &c->t[j]);
            if (s <= 0) continue;
            take_span(&A, q, i, k, c, j, j, s, SIM_JW, d);
            break;
        }
    }
    for (int j = 0; j + 1 < c->n; j++) {
        int k = is_core(c->t[j].kind) ? compound_next(c, j) : -1;
        if (k < 0 || (A.cused | cexact) & span_mask(j, k)) continue;
        for (int i = 0; i < q->n; i++) {
            if ((A.qused | qexact) >> i & 1u || !is_core(q->t[i].kind)) continue;
            double s = compound_sim(&c->t[j], &c->t[k], &q->t[i]);
            if (s <= 0) continue;
            take_span(&A, q, i, i, c, j, k, s, SIM_JW, d);
            break;
        }
    }
    int gender_conflict = 0;
    for (int a = 0; a < np; a++) {
        cand_pair *p = &pairs[a];
        if ((A.qused >> p->i) & 1u || (A.cused >> p->j) & 1u) continue;
        A.qused |= 1u << p->i;
        A.cused |= 1u << p->j;
        if (p->how == SIM_GENDER && is_core(q->t[p->i].kind) && is_core(c->t[p->j].kind)) gender_conflict = 1;
        if (p->how == SIM_INITIAL) {
            /* an initial stands for a name but says little: both sides get
             * the initial's weight, the rest of the full name is unmatched */
            double wp = q->w[p->i] < c->w[p->j] ? q->w[p->i] : c->w[p->j];
            A.Mq += p->s * wp;
            A.Mc += p->s * wp;
            A.Wcm += wp;
            Wcu_extra += c->w[p->j] - wp;
        } else {
            A.Mq += p->s * q->w[p->i];
            A.Mc += p->s * c->w[p->j];
            A.Wcm += c->w[p->j];
        }
        if (is_core(q->t[p->i].kind) && is_core(c->t[p->j].kind)) {
            A.core++;
            core_how = p->how;
            core_sim = p->s;
            core_i = p->i;
            core_j = p->j;
        }
        if (d && A.nd < SN_MAX_TOK) {
            d->qi[A.nd] = p->i; d->qi2[A.nd] = -1; d->cj[A.nd] = p->j; d->cj2[A.nd] = -1;
            d->sim[A.nd] = p->s; d->how[A.nd] = p->how; A.nd++;
        }
    }
    double Wq = 0, Wcu = Wcu_extra;
    int qcore = 0;
    for (int i = 0; i < q->n; i++) {
        Wq += q->w[i];
        if (is_core(q->t[i].kind)) qcore++;
    }
    for (int j = 0; j < c->n; j++)
        if (!((A.cused >> j) & 1u)) Wcu += c->w[j];
    double disc = A.core >= 2 ? UNMATCHED_DISCOUNT : 1.0;
    int listed_covered = 1;
    for (int j = 0; j < c->n; j++)
        if (is_core(c->t[j].kind) && !((A.cused >> j) & 1u)) listed_covered = 0;
    double Wc_core = 0;
    for (int j = 0; j < c->n; j++)
        if (is_core(c->t[j].kind)) Wc_core += c->w[j];
    double qdisc = A.core >= 2 && listed_covered && Wc_core >= QUERY_EXTRA_MIN_EVIDENCE ? QUERY_EXTRA_DISCOUNT : 1.0;
    /* a substitution is no dropped name: when both names keep a core token
     * the other lacks (QODS FORCE / AIR FORCE, KRASNODAR / KRASNOYARSK,
     * Juan Carlos / Osiel), the listed one weighs in full */
    int query_extra = 0;
    for (int i = 0; i < q->n; i++)
        if (is_core(q->t[i].kind) && !((A.qused >> i) & 1u)) query_extra = 1;
    if (query_extra && !listed_covered) disc = 1.0;
    double Wqm = 0;
    for (int i = 0; i < q->n; i++)
        if ((A.qused >> i) & 1u) Wqm += q->w[i];
    double Wqnum = qdisc < 1.0 ? query_number_weight(q, A.qused, c) : 0;
    double Wqe = Wqm + qdisc * (Wq - Wqm - Wqnum) + Wqnum;
    double Wplace = disc < 1.0 ? place_weight(q, c, A.cused) : 0;
    double covq = Wqe > 0 ? A.Mq / Wqe : 0, Wce = A.Wcm + disc * (Wcu - Wplace) + Wplace;
    double covc = Wce > 0 ? A.Mc / Wce : 0;
    if (covq > 1) covq = 1;
    if (covc > 1) covc = 1;
    double score = 0;
    /* at least one core token must match when the query has one: particles
     * and initials alone never make a match */
    if (A.core > 0 || qcore == 0) score = pow_cov(covq, COV_Q_EXP) * pow_cov(covc, COV_C_EXP);
    /* one fuzzy token is weak evidence: when the only matched core pair is
     * Jaro-Winkler alone below 0.9 (two or more edits, no phonetic,
     * skeleton or transliteration agreement: YARGEO ~ YARE, TRANSPRESS ~
     * TRANSSERVIS), the score is multiplied by that similarity */
    if (A.core == 1 && core_how == SIM_JW && core_sim < WEAK_SINGLE_SIM && !near_pair(&q->t[core_i], &c->t[core_j]))
        score *= core_sim;
    /* Spanish given names of the other gender (Francisca / Francisco, María /
     * Mario) name other people (docs/screening.md): the token pair alone is
     * capped at the floor, but with two equal surnames the average still
     * reached a match ("Francisca Lopez Garcia" vs "Francisco Lopez
     * Garcia"). When such a pair is part of a person's name (either side a
     * Person), the whole name is capped below any match threshold; it stays
     * listed as a non-match. Not for organisations: BANKA / BANK, SBERBANKA /
     * SBERBANK are Slavic case endings, not given names of another gender. */
    if (gender_conflict && (q->person || c->person) && score > GENDER_PAIR_NAME_CAP) score = GENDER_PAIR_NAME_CAP;
    /* legal forms: a different one costs a little, a missing one less */
    int legal = qlegal && clegal && !legal_same ? 1 : (qlegal != clegal ? 2 : 0);
    if (legal) score *= 1.0 + (legal == 1 ? Q_LEGAL_CONFLICT : Q_LEGAL_ONE_SIDED);
    if (d) {
        d->pairs = A.nd;
        d->qused = A.qused;
        d->cused = A.cused;
        d->cov_q = covq;
        d->cov_c = covc;
        d->disc = disc;
        d->qdisc = qdisc;
        d->legal_conflict = legal;
    }
    return score;
}
