/* cargo_batch.c - screening a batch of manifest lines: per-line rules, then
 * the rules that need the whole batch and the history (first-time consignee,
 * shared address, split shipments), scores, decisions, persistence, output. */
#include "cargo/cargo_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/pu_io.h"
#include "common/pu_vec.h"

#define NMF 22 /* string fields of a kept manifest */

typedef struct kept {            /* a manifest line kept for saving */
    const char *f[NMF];
    long pieces;
    double weight_kg, value_usd;
} kept;

struct cargo_batch {
    cargo_engine *e;
    cargo_batch_opts o;
    cargo_arena arena;
    cargo_result *res;
    size_t n, cap;
    kept *kept;
    size_t *ranked;
    int finished;
    pu_buf det;                  /* per-line details being built */
    cargo_strset keys;           /* awb \x1f hawb -> 1-based index of its first line */
    size_t nquality, ndup;
};

int cargo_batch_new(cargo_engine *e, const cargo_batch_opts *opts, cargo_batch **out, pu_err *err) {
    *out = NULL;
    cargo_batch *b = calloc(1, sizeof *b);
    if (!b) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    b->e = e;
    if (opts) b->o = *opts;
    pu_buf_init(&b->det, 1u << 16);
    *out = b;
    return PU_OK;
}

void cargo_batch_free(cargo_batch *b) {
    if (!b) return;
    cargo_arena_free(&b->arena);
    free(b->res);
    free(b->kept);
    free(b->ranked);
    pu_buf_free(&b->det);
    cargo_strset_free(&b->keys);
    free(b);
}

size_t cargo_batch_count(const cargo_batch *b) { return b->n; }
size_t cargo_batch_nquality(const cargo_batch *b) { return b->nquality; }
size_t cargo_batch_nduplicates(const cargo_batch *b) { return b->ndup; }
const cargo_result *cargo_batch_result(const cargo_batch *b, size_t i) { return i < b->n ? &b->res[i] : NULL; }

/* ---- helpers ------------------------------------------------------------------- */

/* 1 if normalised text t contains a term of set as whole words (terms may
 * have several words). Returns the matched term through *which. */
static int has_term(const cargo_strset *set, const char *t, size_t n, const char **which) {
    if (!set->n) return 0;
    for (size_t i = 0; i < n;) {
        /* try phrases of up to 3 words starting at i */
        size_t j = i;
        for (int words = 0; words < 3 && j < n; words++) {
            while (j < n && t[j] != ' ') j++;
            int v = cargo_strset_get(set, t + i, j - i);
            if (v >= 0) {
                if (which) {
                    for (size_t k = 0; k < set->cap; k++)
                        if (set->keys[k] && strlen(set->keys[k]) == j - i && memcmp(set->keys[k], t + i, j - i) == 0) {
                            *which = set->keys[k];
                            break;
                        }
                }
                return 1;
            }
            if (j < n) j++;
        }
        while (i < n && t[i] != ' ') i++;
        while (i < n && t[i] == ' ') i++;
    }
    return 0;
}

static int norm_into(pu_buf *b, const char *s) { return cargo_norm(s, strlen(s), b); }

static void hs_digits(const char *hs, char *out, size_t size) {
    size_t k = 0;
    for (; hs && *hs && k + 1 < size; hs++) if (isdigit((unsigned char)*hs)) out[k++] = *hs;
    out[k] = '\0';
}

/* Append "\x01<rule>detail" to the line's details. */
/* Bytes of one rule's detail: room for a party's owner chain (cargo.h
 * CARGO_OWNERSHIP_TEXT) or a resolution hit's reason after the match itself. */
#define NOTE_MAX (256 + CARGO_OWNERSHIP_TEXT + CARGO_PARTY_RESOLVED_MAX)
static void note(cargo_batch *b, uint32_t *fired, int rule, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void note(cargo_batch *b, uint32_t *fired, int rule, const char *fmt, ...) {
    if (!b->e->r->rule[rule].enabled || (*fired & (1u << rule))) return;
    *fired |= 1u << rule;
    char d[NOTE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d, sizeof d, fmt, ap);
    va_end(ap);
    for (char *p = d; *p; p++) if (*p == '\x01' || *p == ';') *p = ',';
    pu_buf_putc(&b->det, '\x01');
    pu_buf_putc(&b->det, (char)('A' + rule));
    pu_buf_puts(&b->det, d);
}

/* ---- parties --------------------------------------------------------------------- */

/* Screen a party name once per batch engine: answers are cached by a 64-bit
 * key of the squashed name and the country (manifests repeat parties). */
static int party_lookup(cargo_engine *e, const char *name, const char *country, const cargo_party_cache **out,
                        pu_err *err) {
    *out = NULL;
    uint64_t nk = cargo_key(name);
    if (!nk) return PU_OK;
    uint64_t key = nk ^ (cargo_hash(country ? country : "", country ? strlen(country) : 0) * 0x9E3779B97F4A7C15ull);
    if (!key) key = 1;
    e->party_lookups++;
    int64_t *idx = cargo_u64map_get(&e->party_keys, key);
    if (idx) { *out = &e->cache[*idx]; return PU_OK; }
    cargo_party_hit hits[CARGO_MAX_PARTY_HITS];
    size_t n = 0;
    e->party_calls++;
    int rc = e->party(e->party_ctx, name, country ? country : "", hits, CARGO_MAX_PARTY_HITS, &n, err);
    if (rc) return rc;
    if (e->ncache == e->cap_cache) {
        size_t nc;
        if (pu_vec_next_cap(e->cap_cache, e->ncache + 1, sizeof *e->cache, 0, &nc))
            return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "too many distinct parties");
        cargo_party_cache *c = realloc(e->cache, nc * sizeof *c);
        if (!c) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        e->cache = c;
        e->cap_cache = nc;
    }
    cargo_party_cache *c = &e->cache[e->ncache];
    c->n = n;
    c->hits = n ? malloc(n * sizeof *c->hits) : NULL;
    if (n && !c->hits) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (n) memcpy(c->hits, hits, n * sizeof *hits);
    if (cargo_u64map_put(&e->party_keys, key, (int64_t)e->ncache))
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    *out = &e->cache[e->ncache++];
    return PU_OK;
}

static int screen_parties(cargo_batch *b, const cargo_manifest *m, cargo_result *r, uint32_t *fired, pu_err *err) {
    cargo_engine *e = b->e;
    if (!e->party) return PU_OK;
    struct { const char *role, *name, *country; } roles[3] = {
        {"shipper", m->shipper_name, m->shipper_country},
        {"consignee", m->consignee_name, m->consignee_country},
        {"notify", m->notify_name, m->consignee_country},
    };
    cargo_party_hit got[CARGO_MAX_PARTY_HITS];
    size_t ng = 0;
    double best = 0;
    const cargo_party_hit *besth = NULL;
    const char *bestrole = "";
    for (int i = 0; i < 3; i++) {
        if (!roles[i].name || pu_blank(roles[i].name)) continue;
        const cargo_party_cache *c;
        int rc = party_lookup(e, roles[i].name, roles[i].country, &c, err);
        if (rc) return rc;
        for (size_t k = 0; c && k < c->n && ng < CARGO_MAX_PARTY_HITS; k++) {
            if (c->hits[k].score < e->party_possible) continue;
            got[ng] = c->hits[k];
            pu_strlcpy(got[ng].role, roles[i].role, sizeof got[ng].role);
            if (got[ng].score > best) { best = got[ng].score; besth = &c->hits[k]; bestrole = roles[i].role; }
            ng++;
        }
    }
    if (!ng) return PU_OK;
    cargo_party_hit *h = cargo_arena_alloc(&b->arena, ng * sizeof *h);
    if (!h) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    memcpy(h, got, ng * sizeof *h);
    r->party = h;
    r->nparty = ng;
    /* a party designated through its owners says so, with the chain: the
     * officer holding the shipment must be able to cite why */
    const char *via = besth->ownership[0] ? ", blocked by ownership: " : "";
    if (besth->resolved[0])   /* the same person by resolution: designated, with the reason */
        note(b, fired, CARGO_PARTY_DESIGNATED, "%s is the %s", bestrole, besth->resolved);
    else if (best >= e->party_hit)
        note(b, fired, CARGO_PARTY_DESIGNATED, "%s matches %s [%s] at %.2f%s%s", bestrole, besth->caption,
             besth->entity_id, best, via, besth->ownership);
    else
        note(b, fired, CARGO_PARTY_POSSIBLE, "%s resembles %s [%s] at %.2f%s%s", bestrole, besth->caption,
             besth->entity_id, best, via, besth->ownership);
    return PU_OK;
}

/* ---- per-line rules ------------------------------------------------------------------ */

static void chem_rules(cargo_batch *b, const cargo_manifest *m, cargo_result *r, uint32_t *fired) {
    cargo_engine *e = b->e;
    for (size_t k = 0; k < r->nchem; k++) {
        const cargo_chem_hit *h = &r->chem[k];
        const cargo_chemical *c = &e->w->chem[h->chem];
        int controlled = strcmp(c->tier, "controlled") == 0 && !h->weak;
        int below = c->threshold_kg > 0 && m->weight_kg >= 0 && m->weight_kg < c->threshold_kg;
        static const char *const VIA[] = {"CAS", "name", "code name", "fuzzy name"};
        if (controlled && !below)
            note(b, fired, CARGO_CHEM_CONTROLLED, "%s (%s '%s'%s%s)", c->name_en, VIA[h->via], h->text,
                 h->salt[0] ? ", salt " : "", h->salt);
        else
            note(b, fired, CARGO_CHEM_WATCH, "%s (%s '%s'%s)", c->name_en, VIA[h->via], h->text,
                 h->weak ? ", ambiguous code without chemical context" : below ? ", below threshold" : "");
    }
    if (r->nbad_cas) note(b, fired, CARGO_CAS_INVALID, "check digit fails: %s", r->bad_cas);
}

static void hs_rules(cargo_batch *b, const cargo_manifest *m, cargo_result *r, uint32_t *fired, const char *desc, size_t dn) {
    cargo_engine *e = b->e;
    char hs[16];
    hs_digits(m->hs_code, hs, sizeof hs);
    if (!r->nchem && strlen(hs) >= 4 && cargo_strset_get(&e->hs_headings, hs, 4) >= 0)
        note(b, fired, CARGO_HS_PRECURSOR, "HS %s is a precursor heading", m->hs_code);
    if (strlen(hs) < 2) return;
    int chem_ch = cargo_strset_get(&e->chem_chapters, hs, 2) >= 0;
    const char *goods = NULL;
    const cargo_chem_hit *named = NULL; /* an ambiguous code alone does not name a chemical */
    for (size_t k = 0; k < r->nchem && !named; k++) if (!r->chem[k].weak) named = &r->chem[k];
    if (named && !chem_ch)
        note(b, fired, CARGO_HS_MISMATCH, "names %s but declares HS %s (chapter %.2s is not chemical)",
             e->w->chem[named->chem].name_en, m->hs_code, hs);
    else if (chem_ch && !r->nchem && has_term(&e->goods_terms, desc, dn, &goods))
        note(b, fired, CARGO_HS_MISMATCH, "declares chemical HS %s for '%s' goods", m->hs_code, goods);
}

static void generic_rule(cargo_batch *b, cargo_result *r, uint32_t *fired, const char *t, size_t n) {
    cargo_engine *e = b->e;
    if (r->nchem) return; /* a named chemical is specific */
    size_t specific = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j] != ' ') j++;
        int has_alpha = 0;
        for (size_t k = i; k < j; k++) has_alpha |= isalpha((unsigned char)t[k]) || t[k] == '~';
        /* numbers with units ("25kg", "99") and one-letter tokens are not specific */
        int unit = has_alpha && isdigit((unsigned char)t[i]);
        if (has_alpha && !unit && j - i >= 2 && cargo_strset_get(&e->generic_terms, t + i, j - i) < 0) specific++;
        i = j;
        while (i < n && t[i] == ' ') i++;
    }
    if (!specific) note(b, fired, CARGO_GENERIC_DESCRIPTION, n ? "only generic words" : "no description");
}

static void party_rules(cargo_batch *b, const cargo_manifest *m, uint32_t *fired) {
    cargo_engine *e = b->e;
    pu_buf *nb = &e->scratch;
    const char *term = NULL;
    if (!pu_blank(m->shipper_name) && norm_into(nb, m->shipper_name) == PU_OK &&
        has_term(&e->forwarder_terms, nb->data, nb->len, &term))
        note(b, fired, CARGO_FORWARDER_SHIPPER, "shipper '%.60s' is a forwarder ('%s')", m->shipper_name, term);
    else if (!pu_blank(m->forwarder) && !pu_blank(m->shipper_name) && cargo_key(m->forwarder) == cargo_key(m->shipper_name))
        note(b, fired, CARGO_FORWARDER_SHIPPER, "shipper is the forwarder '%.60s'", m->forwarder);
    const char *addrs[2] = {m->consignee_address, m->notify_address};
    for (int i = 0; i < 2; i++) {
        if (pu_blank(addrs[i]) || norm_into(nb, addrs[i]) != PU_OK) continue;
        if (has_term(&e->residential_terms, nb->data, nb->len, &term)) {
            note(b, fired, CARGO_RESIDENTIAL_ADDRESS, "%s address '%.60s' ('%s')", i ? "notify" : "consignee", addrs[i], term);
            break;
        }
    }
}

static void route_rules(cargo_batch *b, const cargo_manifest *m, uint32_t *fired) {
    cargo_engine *e = b->e;
    int npts = 0;
    const char *hub = NULL;
    char pt[16];
    const char *p = m->transshipment;
    while (p && *p) {
        while (*p && (*p == ';' || *p == ',' || *p == '/' || *p == ' ' || *p == '>')) p++;
        size_t k = 0;
        while (*p && !(*p == ';' || *p == ',' || *p == '/' || *p == ' ' || *p == '>')) {
            if (k + 1 < sizeof pt) pt[k++] = (char)tolower((unsigned char)*p);
            p++;
        }
        if (!k) break;
        pt[k] = '\0';
        npts++;
        if (!hub) {
            int h = cargo_strset_get(&e->hubs, pt, k);
            if (h >= 0) hub = m->transshipment;
        }
    }
    if (npts > (int)e->max_transship)
        note(b, fired, CARGO_UNUSUAL_ROUTING, "%d transshipment points (%.60s)", npts, m->transshipment);
    else if (hub)
        note(b, fired, CARGO_UNUSUAL_ROUTING, "transshipment through a listed hub (%.60s)", m->transshipment);
    const char *oc = !pu_blank(m->origin_country) ? m->origin_country : m->shipper_country;
    if (oc && strlen(oc) == 2) {
        char c2[3] = {(char)tolower((unsigned char)oc[0]), (char)tolower((unsigned char)oc[1]), 0};
        if (cargo_strset_get(&e->risk_countries, c2, 2) >= 0)
            note(b, fired, CARGO_HIGH_RISK_ORIGIN, "origin %s", oc);
    }
    if (m->weight_kg > 0 && m->value_usd >= 0) {
        double per = m->value_usd / m->weight_kg;
        if (per < e->min_usd_kg)
            note(b, fired, CARGO_WEIGHT_VALUE, "USD %.2f/kg declared (%.0f USD for %.1f kg), under %.2f", per,
                 m->value_usd, m->weight_kg, e->min_usd_kg);
        else if (per > e->max_usd_kg)
            note(b, fired, CARGO_WEIGHT_VALUE, "USD %.0f/kg declared, over %.0f", per, e->max_usd_kg);
    }
}

static int keep_manifest(cargo_batch *b, const cargo_manifest *m, size_t idx, pu_err *err) {
    if (!b->o.keep_manifests) return PU_OK;
    if (idx >= b->cap) return PU_ERR_INTERNAL;
    kept *k = &b->kept[idx];
    const char *f[NMF] = {m->awb, m->hawb, m->shipper_name, m->shipper_address, m->shipper_country,
                          m->consignee_name, m->consignee_address, m->consignee_country, m->notify_name,
                          m->notify_address, m->description, m->hs_code, m->origin, m->origin_country,
                          m->transshipment, m->destination, m->destination_country, m->carrier, m->forwarder,
                          m->departure_date, m->arrival_date, ""};
    for (int i = 0; i < NMF; i++)
        if (!(k->f[i] = cargo_arena_strdup(&b->arena, f[i]))) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    k->pieces = m->pieces;
    k->weight_kg = m->weight_kg;
    k->value_usd = m->value_usd;
    return PU_OK;
}

/* Room for one more line in the parallel arrays res and kept (one count). */
static int grow(cargo_batch *b, pu_err *err) {
    if (b->n < b->cap) return PU_OK;
    size_t nc;
    size_t widest = sizeof(cargo_result) > sizeof(kept) ? sizeof(cargo_result) : sizeof(kept);
    if (pu_vec_next_cap(b->cap, b->n + 1, widest, 0, &nc))
        return pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "too many manifest lines in one batch");
    cargo_result *r = realloc(b->res, nc * sizeof *r);
    if (!r) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    b->res = r;
    if (b->o.keep_manifests) {
        kept *k = realloc(b->kept, nc * sizeof *k);
        if (!k) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        b->kept = k;
    }
    b->cap = nc;
    return PU_OK;
}

/* Append "; note" to an arena string. */
static const char *append_note(cargo_arena *a, const char *s, const char *note) {
    pu_buf t = PU_BUF_INIT(1u << 16);
    pu_buf_printf(&t, "%s%s%s", s, *s ? "; " : "", note);
    const char *out = cargo_arena_strdup(a, pu_buf_str(&t));
    pu_buf_free(&t);
    return out;
}

/* The line's data-quality notes: the reader's field issues and a repeated
 * AWB+HAWB (noted on both lines). */
static int quality_notes(cargo_batch *b, const cargo_manifest *m, cargo_result *r, pu_err *err) {
    cargo_arena *a = &b->arena;
    r->quality = "";
    for (size_t i = 0; i < m->nissues; i++) {
        char t[256];
        snprintf(t, sizeof t, "%s: %s", m->issues[i].field, m->issues[i].msg);
        if (!(r->quality = append_note(a, r->quality, t))) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    r->nquality = m->nissues;
    pu_buf key = PU_BUF_INIT(2 * CARGO_MAX_FIELD + 2);
    pu_buf_printf(&key, "%s\x1f%s", m->awb, m->hawb ? m->hawb : "");
    int first = cargo_strset_get(&b->keys, pu_buf_str(&key), key.len);
    int rc = PU_OK;
    if (first < 0) {
        rc = cargo_strset_put(&b->keys, pu_buf_str(&key), key.len, (int)b->n + 1);
    } else {
        cargo_result *f = &b->res[first - 1];
        char t[160];
        r->dup_of = (size_t)first;
        snprintf(t, sizeof t, "duplicate: the same AWB+HAWB as line %llu", (unsigned long long)f->line);
        if (!(r->quality = append_note(a, r->quality, t))) rc = PU_ERR_NOMEM;
        snprintf(t, sizeof t, "duplicate: the same AWB+HAWB as line %llu", (unsigned long long)r->line);
        if (!rc && !(f->quality = append_note(a, f->quality, t))) rc = PU_ERR_NOMEM;
        if (!rc && !f->nquality) b->nquality++;
        if (!rc) f->nquality++;
        r->nquality++;
        b->ndup++;
    }
    pu_buf_free(&key);
    if (rc) return pu_fail(err, rc, NULL, NULL, "out of memory");
    if (r->nquality) b->nquality++;
    return PU_OK;
}

int cargo_batch_add(cargo_batch *b, const cargo_manifest *m, pu_err *err) {
    if (b->finished) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "batch already finished");
    int rc = grow(b, err);
    if (rc) return rc;
    cargo_engine *e = b->e;
    cargo_result *r = &b->res[b->n];
    memset(r, 0, sizeof *r);
    cargo_arena *a = &b->arena;
    r->awb = cargo_arena_strdup(a, m->awb);
    r->hawb = cargo_arena_strdup(a, m->hawb);
    r->shipper = cargo_arena_strdup(a, m->shipper_name);
    r->consignee = cargo_arena_strdup(a, m->consignee_name);
    r->origin_country = cargo_arena_strdup(a, !pu_blank(m->origin_country) ? m->origin_country : m->shipper_country);
    r->arrival_date = cargo_arena_strdup(a, !pu_blank(m->arrival_date) ? m->arrival_date : m->departure_date);
    if (!r->awb || !r->hawb || !r->shipper || !r->consignee || !r->origin_country || !r->arrival_date)
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    r->line = m->line;
    r->weight_kg = m->weight_kg;
    r->manifest = b->n;
    r->day = INT64_MIN;
    int64_t day;
    if (*r->arrival_date && pu_parse_date(r->arrival_date, &day) == PU_OK) r->day = day;
    r->shipper_key = cargo_key(m->shipper_name);
    r->consignee_key = cargo_key(m->consignee_name);
    r->address_key = cargo_key(m->consignee_address);

    /* chemicals */
    const char *desc = m->description ? m->description : "";
    size_t dlen = strlen(desc);
    if ((rc = cargo_norm(desc, dlen, &e->norm))) return pu_fail(err, rc, NULL, "description", "cannot normalise");
    cargo_chem_hit hits[CARGO_MAX_MATCHES];
    char bad[4][24];
    size_t nh = 0, nbad = 0;
    cargo_detect_norm(e, desc, dlen, pu_buf_str(&e->norm), e->norm.len, m->hs_code, hits, CARGO_MAX_MATCHES, &nh,
                      bad, 4, &nbad, NULL);
    if (nh) {
        cargo_chem_hit *h = cargo_arena_alloc(a, nh * sizeof *h);
        if (!h) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
        memcpy(h, hits, nh * sizeof *h);
        r->chem = h;
        r->nchem = nh;
    }
    r->bad_cas = "";
    if (nbad) {
        pu_buf bb = PU_BUF_INIT(256);
        for (size_t i = 0; i < nbad && i < 4; i++) { if (i) pu_buf_putc(&bb, ';'); pu_buf_puts(&bb, bad[i]); }
        r->bad_cas = cargo_arena_strdup(a, pu_buf_str(&bb));
        pu_buf_free(&bb);
        r->nbad_cas = nbad;
    }
    uint32_t fired = 0;
    pu_buf_reset(&b->det);
    chem_rules(b, m, r, &fired);
    hs_rules(b, m, r, &fired, pu_buf_str(&e->norm), e->norm.len);
    generic_rule(b, r, &fired, pu_buf_str(&e->norm), e->norm.len);
    party_rules(b, m, &fired);
    route_rules(b, m, &fired);
    if ((rc = screen_parties(b, m, r, &fired, err))) return rc;
    r->fired = fired;
    r->line_detail = cargo_arena_strdup(a, pu_buf_str(&b->det));
    if ((rc = quality_notes(b, m, r, err))) return rc;
    if ((rc = keep_manifest(b, m, b->n, err))) return rc;
    b->n++;
    return PU_OK;
}

/* ---- batch and history rules ------------------------------------------------------------- */

typedef struct ev {           /* a small shipment in a split group */
    uint64_t group;
    int64_t day;
    int64_t idx;              /* batch index, -1 for history */
} ev;

static int ev_cmp(const void *a, const void *b) {
    const ev *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t mix(uint64_t a, uint64_t b) {
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    return h ? h : 1;
}

/* Sliding window over sorted events; marks batch members of dense groups. */
static void split_windows(cargo_batch *b, ev *evs, size_t n, char *mark) {
    int64_t win = (int64_t)b->e->split_window;
    size_t need = (size_t)(b->e->split_min > 1 ? b->e->split_min : 2);
    size_t lo = 0;
    for (size_t hi = 0; hi < n; hi++) {
        if (hi > 0 && evs[hi].group != evs[hi - 1].group) lo = hi;
        while (evs[lo].group != evs[hi].group || evs[hi].day - evs[lo].day > win) lo++;
        if (hi - lo + 1 >= need)
            for (size_t k = lo; k <= hi; k++) if (evs[k].idx >= 0) mark[evs[k].idx] = 1;
    }
}

static int load_history(cargo_batch *b, const cargo_resolved *res, cargo_u64map *seen_consignee, cargo_u64map *addr_pairs,
                        cargo_u64map *addr_names, pu_vec *evs, int64_t minday, pu_err *err) {
    db_t *db = b->o.history;
    if (!db) return PU_OK;
    /* history the reader may not see must not move its scores (nor leak through them) */
    db_sql q;
    db_sql_init(&q);
    db_sql_add(&q, "SELECT s.consignee_key, s.address_key, s.shipper_key, s.day, s.weight_kg FROM cargo_shipment s WHERE ");
    store_scope_sql(&q, b->o.scope, "s");
    db_stmt *s;
    int rc = db_sql_prepare(db, &q, &s, err);
    db_sql_free(&q);
    if (rc == PU_ERR_INTERNAL && !b->o.scope)
        return pu_fail(err, rc, NULL, NULL, "the history rules need the reader's scope");
    if (rc) return rc;
    int st;
    while ((st = db_step(s, err)) == DB_ROW) {
        uint64_t ck = (uint64_t)db_col_int64(s, 0), ak = (uint64_t)db_col_int64(s, 1), sk = (uint64_t)db_col_int64(s, 2);
        int64_t day = db_col_isnull(s, 3) ? 0 : db_col_int64(s, 3);
        double w = db_col_isnull(s, 4) ? -1 : db_col_double(s, 4);
        uint64_t rk = cargo_resolved_key(res, ck, NULL, NULL);   /* the consignee as a resolved person */
        if (rk && cargo_u64map_put(seen_consignee, rk, 1)) { st = PU_ERR_NOMEM; break; }
        if (ak && rk) {
            uint64_t pk = mix(ak, rk);
            if (!cargo_u64map_get(addr_pairs, pk)) {
                if (cargo_u64map_put(addr_pairs, pk, 1)) { st = PU_ERR_NOMEM; break; }
                int64_t *c = cargo_u64map_get(addr_names, ak);
                if (c) (*c)++;
                else if (cargo_u64map_put(addr_names, ak, 1)) { st = PU_ERR_NOMEM; break; }
            }
        }
        if (sk && w >= 0 && w <= b->e->split_max_kg && day >= minday) {
            for (int g = 0; g < 2; g++) {
                uint64_t other = g ? ak : ck;
                if (!other) continue;
                ev x = {mix(sk, mix(other, (uint64_t)g + 1)), day, -1};
                int vr = pu_vec_push(evs, &x, sizeof x);
                if (vr) { st = vr; break; }
            }
        }
    }
    db_finalize(s);
    if (st == PU_ERR_NOMEM || st == PU_ERR_LIMIT)
        return pu_fail(err, st, NULL, NULL, st == PU_ERR_NOMEM ? "out of memory" : "too many split events");
    return st == DB_DONE ? PU_OK : st;
}

static int history_rules(cargo_batch *b, pu_err *err) {
    cargo_engine *e = b->e;
    cargo_u64map seen = {0}, pairs = {0}, names = {0};
    pu_vec evv = PU_VEC_INIT(ev, 0);
    int64_t minday = INT64_MAX;
    for (size_t i = 0; i < b->n; i++) if (b->res[i].day != INT64_MIN && b->res[i].day < minday) minday = b->res[i].day;
    if (minday == INT64_MAX) minday = 0;
    minday -= (int64_t)e->split_window;
    /* consignees count as the reader's resolved persons (cargo_resolved.c) */
    cargo_resolved res = {0};
    int rc = b->o.history ? cargo_resolved_load(b->o.history, b->o.scope ? b->o.scope : STORE_SYSTEM, &res, err) : PU_OK;
    if (!rc) rc = load_history(b, &res, &seen, &pairs, &names, &evv, minday, err);
    char *mark = rc ? NULL : calloc(b->n ? b->n : 1, 1);
    if (!rc && !mark) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    /* batch: address -> distinct consignees, and split events */
    for (size_t i = 0; !rc && i < b->n; i++) {
        cargo_result *r = &b->res[i];
        uint64_t rk = cargo_resolved_key(&res, r->consignee_key, r->consignee, NULL);
        if (r->address_key && rk) {
            uint64_t pk = mix(r->address_key, rk);
            if (!cargo_u64map_get(&pairs, pk)) {
                if (cargo_u64map_put(&pairs, pk, 1)) rc = PU_ERR_NOMEM;
                int64_t *c = cargo_u64map_get(&names, r->address_key);
                if (c) (*c)++;
                else if (cargo_u64map_put(&names, r->address_key, 1)) rc = PU_ERR_NOMEM;
            }
        }
        if (r->shipper_key && r->weight_kg >= 0 && r->weight_kg <= e->split_max_kg)
            for (int g = 0; g < 2 && !rc; g++) {
                uint64_t other = g ? r->address_key : r->consignee_key;
                if (!other) continue;
                ev x = {mix(r->shipper_key, mix(other, (uint64_t)g + 1)), r->day == INT64_MIN ? 0 : r->day, (int64_t)i};
                rc = pu_vec_push(&evv, &x, sizeof x);
            }
    }
    if (rc == PU_ERR_NOMEM) rc = pu_fail(err, rc, NULL, NULL, "out of memory");
    if (rc == PU_ERR_LIMIT) rc = pu_fail(err, rc, NULL, NULL, "too many split events");
    if (!rc) {
        if (evv.len) qsort(evv.data, evv.len, sizeof(ev), ev_cmp);
        split_windows(b, evv.data, evv.len, mark);
    }
    for (size_t i = 0; !rc && i < b->n; i++) {
        cargo_result *r = &b->res[i];
        pu_buf_reset(&b->det);
        pu_buf_puts(&b->det, r->line_detail);
        const char *cluster = NULL;
        uint64_t rk = cargo_resolved_key(&res, r->consignee_key, r->consignee, &cluster);
        if (rk && !cargo_u64map_get(&seen, rk)) {
            if (cluster)
                note(b, &r->fired, CARGO_FIRST_TIME_CONSIGNEE,
                     "'%.60s' not seen before, under any spelling of the resolved person %.80s", r->consignee, cluster);
            else note(b, &r->fired, CARGO_FIRST_TIME_CONSIGNEE, "'%.60s' not seen before", r->consignee);
            if (cargo_u64map_put(&seen, rk, 1)) { rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory"); break; }
        }
        int64_t *nn = r->address_key ? cargo_u64map_get(&names, r->address_key) : NULL;
        if (nn && *nn >= (int64_t)e->shared_min_names)
            note(b, &r->fired, CARGO_SHARED_ADDRESS,
                 res.v ? "consignee address used by %lld consignees (spellings of one resolved person count once)"
                       : "consignee address used by %lld consignee names",
                 (long long)*nn);
        if (mark[i])
            note(b, &r->fired, CARGO_SPLIT_SHIPMENT, "one of %g+ small consignments from '%.40s' to related consignees within %g days",
                 e->split_min, r->shipper, e->split_window);
        r->line_detail = cargo_arena_strdup(&b->arena, pu_buf_str(&b->det));
        if (!r->line_detail) rc = pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    free(mark);
    cargo_resolved_free(&res);
    pu_vec_free(&evv);
    cargo_u64map_free(&seen);
    cargo_u64map_free(&pairs);
    cargo_u64map_free(&names);
    return rc;
}

/* Build reasons (heaviest rule first) and decide. */
static int decide(cargo_batch *b, cargo_result *r, pu_err *err) {
    const cargo_rules *rules = b->e->r;
    const char *det[CARGO_NRULES] = {0};
    size_t dlen[CARGO_NRULES] = {0};
    for (const char *p = r->line_detail; (p = strchr(p, '\x01'));) {
        int rule = p[1] - 'A';
        const char *s = p + 2, *end = strchr(s, '\x01');
        if (rule >= 0 && rule < CARGO_NRULES) { det[rule] = s; dlen[rule] = end ? (size_t)(end - s) : strlen(s); }
        p = s;
    }
    double score = 0;
    int order[CARGO_NRULES], n = 0;
    for (int i = CARGO_CHEM_CONTROLLED; i < CARGO_NRULES; i++)
        if ((r->fired & (1u << i)) && rules->rule[i].enabled) { score += rules->rule[i].weight; order[n++] = i; }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && rules->rule[order[j]].weight > rules->rule[order[j - 1]].weight; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    pu_buf rb = PU_BUF_INIT(1u << 16);
    for (int k = 0; k < n; k++) {
        int i = order[k];
        pu_buf_printf(&rb, "%s%s(%+g)", k ? "; " : "", cargo_rule_name(i), rules->rule[i].weight);
        if (det[i]) pu_buf_printf(&rb, ": %.*s", (int)dlen[i], det[i]);
    }
    /* data quality weighs nothing: it tells the analyst which fields were
     * refused (and so not used by the rules) and which lines repeat */
    if (r->quality && *r->quality) pu_buf_printf(&rb, "%sdata_quality: %s", n ? "; " : "", r->quality);
    r->reasons = cargo_arena_strdup(&b->arena, pu_buf_str(&rb));
    pu_buf_free(&rb);
    if (!r->reasons) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    r->score = score;
    r->decision = score >= rules->rule[CARGO_DECISION_HOLD].weight ? "hold"
                : score >= rules->rule[CARGO_DECISION_REVIEW].weight ? "review" : "release";
    return PU_OK;
}

/* Of the lines repeating one AWB+HAWB, the store keeps the highest score
 * (a hold is never replaced by a release); on a tie the later line, as an
 * amended manifest replaces a stored one. The others are superseded. */
static int mark_superseded(cargo_batch *b, pu_err *err) {
    if (!b->ndup) return PU_OK;
    size_t *best = malloc(b->n * sizeof *best); /* per first line: the kept line */
    if (!best) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < b->n; i++) best[i] = i;
    for (size_t j = 0; j < b->n; j++) {
        const cargo_result *x = &b->res[j];
        if (x->dup_of && x->score >= b->res[best[x->dup_of - 1]].score) best[x->dup_of - 1] = j;
    }
    for (size_t j = 0; j < b->n; j++) {
        size_t root = b->res[j].dup_of ? b->res[j].dup_of - 1 : j;
        b->res[j].superseded = best[root] != j;
    }
    free(best);
    return PU_OK;
}

int cargo_batch_finish(cargo_batch *b, pu_err *err) {
    if (b->finished) return PU_OK;
    int rc = history_rules(b, err);
    for (size_t i = 0; !rc && i < b->n; i++) rc = decide(b, &b->res[i], err);
    if (!rc) rc = mark_superseded(b, err);
    if (!rc) b->finished = 1;
    return rc;
}

static int rank_cmp(const void *a, const void *b, void *ctx) {
    const cargo_result *base = ctx;
    const cargo_result *x = &base[*(const size_t *)a], *y = &base[*(const size_t *)b];
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

const size_t *cargo_batch_ranked(cargo_batch *b) {
    if (b->ranked) return b->ranked;
    b->ranked = malloc((b->n ? b->n : 1) * sizeof *b->ranked);
    if (!b->ranked) return NULL;
    for (size_t i = 0; i < b->n; i++) b->ranked[i] = i;
    if (b->n) qsort_r(b->ranked, b->n, sizeof *b->ranked, rank_cmp, b->res);
    return b->ranked;
}

/* ---- output --------------------------------------------------------------------------------- */

static void chem_list(const cargo_engine *e, const cargo_result *r, pu_buf *out) {
    static const char *const VIA[] = {"cas", "name", "code", "fuzzy"};
    for (size_t k = 0; k < r->nchem; k++) {
        const cargo_chem_hit *h = &r->chem[k];
        const cargo_chemical *c = &e->w->chem[h->chem];
        pu_buf_printf(out, "%s%s [%s %s]", k ? "; " : "", c->id, VIA[h->via], c->cas);
    }
}

static void party_list(const cargo_result *r, pu_buf *out) {
    for (size_t k = 0; k < r->nparty; k++) {
        const cargo_party_hit *h = &r->party[k];
        pu_buf_printf(out, "%s%s: %s [%s] %.2f", k ? "; " : "", h->role, h->caption, h->entity_id, h->score);
        if (h->resolved[0]) pu_buf_printf(out, " (%s)", h->resolved);
        if (h->ownership[0]) pu_buf_printf(out, " (blocked by ownership: %s)", h->ownership);
    }
}

int cargo_result_write_csv_header(FILE *out) {
    fputs("awb,hawb,score,decision,reasons,chemicals,parties,invalid_cas,shipper,consignee,origin_country,arrival_date,line\n", out);
    return ferror(out) ? PU_ERR_IO : PU_OK;
}

int cargo_result_write_csv(const cargo_engine *e, const cargo_result *r, FILE *out) {
    pu_buf b = PU_BUF_INIT(1u << 20);
    cargo_csv_field(out, r->awb);
    fputc(',', out);
    cargo_csv_field(out, r->hawb);
    fprintf(out, ",%g,%s,", r->score, r->decision);
    cargo_csv_field(out, r->reasons);
    fputc(',', out);
    chem_list(e, r, &b);
    cargo_csv_field(out, pu_buf_str(&b));
    fputc(',', out);
    pu_buf_reset(&b);
    party_list(r, &b);
    cargo_csv_field(out, pu_buf_str(&b));
    fputc(',', out);
    cargo_csv_field(out, r->bad_cas);
    fputc(',', out);
    cargo_csv_field(out, r->shipper);
    fputc(',', out);
    cargo_csv_field(out, r->consignee);
    fputc(',', out);
    cargo_csv_field(out, r->origin_country);
    fputc(',', out);
    cargo_csv_field(out, r->arrival_date);
    fprintf(out, ",%llu\n", (unsigned long long)r->line);
    pu_buf_free(&b);
    return ferror(out) ? PU_ERR_IO : PU_OK;
}

#include <jansson.h>

int cargo_result_to_json(const cargo_engine *e, const cargo_result *r, json_t **out) {
    static const char *const VIA[] = {"cas", "name", "code", "fuzzy"};
    *out = NULL;
    json_t *o = json_object(), *chems = json_array(), *parties = json_array(), *reasons = json_array();
    if (!o || !chems || !parties || !reasons) {
        json_decref(o); json_decref(chems); json_decref(parties); json_decref(reasons);
        return PU_ERR_NOMEM;
    }
    json_object_set_new(o, "awb", json_string(r->awb));
    json_object_set_new(o, "hawb", json_string(r->hawb));
    json_object_set_new(o, "line", json_integer((json_int_t)r->line));
    json_object_set_new(o, "score", json_real(r->score));
    json_object_set_new(o, "decision", json_string(r->decision));
    for (int i = CARGO_CHEM_CONTROLLED; i < CARGO_NRULES; i++)
        if (r->fired & (1u << i) && e->r->rule[i].enabled) {
            json_t *x = json_object();
            json_object_set_new(x, "rule", json_string(cargo_rule_name(i)));
            json_object_set_new(x, "weight", json_real(e->r->rule[i].weight));
            json_object_set_new(x, "explanation", json_string(e->r->rule[i].explanation));
            json_array_append_new(reasons, x);
        }
    json_object_set_new(o, "reasons_text", json_string(r->reasons));
    json_object_set_new(o, "reasons", reasons);
    for (size_t k = 0; k < r->nchem; k++) {
        const cargo_chem_hit *h = &r->chem[k];
        const cargo_chemical *c = &e->w->chem[h->chem];
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(c->id));
        json_object_set_new(x, "name", json_string(c->name_en));
        json_object_set_new(x, "cas", json_string(c->cas));
        json_object_set_new(x, "tier", json_string(c->tier));
        json_object_set_new(x, "via", json_string(VIA[h->via]));
        json_object_set_new(x, "matched", json_string(h->text));
        if (h->salt[0]) json_object_set_new(x, "salt", json_string(h->salt));
        if (h->weak) json_object_set_new(x, "ambiguous", json_true());
        /* list membership and threshold: what the analyst cites in a hold */
        if (c->incb && *c->incb) json_object_set_new(x, "incb", json_string(c->incb));
        if (c->dea && *c->dea) json_object_set_new(x, "dea", json_string(c->dea));
        if (c->mexico && *c->mexico) json_object_set_new(x, "mexico", json_string(c->mexico));
        if (c->threshold_kg > 0) {
            json_object_set_new(x, "threshold_kg", json_real(c->threshold_kg));
            if (r->weight_kg >= 0 && r->weight_kg < c->threshold_kg)
                json_object_set_new(x, "below_threshold", json_true());
        }
        json_array_append_new(chems, x);
    }
    json_object_set_new(o, "chemicals", chems);
    for (size_t k = 0; k < r->nparty; k++) {
        const cargo_party_hit *h = &r->party[k];
        json_t *x = json_object();
        json_object_set_new(x, "role", json_string(h->role));
        json_object_set_new(x, "entity_id", json_string(h->entity_id));
        json_object_set_new(x, "caption", json_string(h->caption));
        json_object_set_new(x, "score", json_real(h->score));
        if (h->resolved[0]) json_object_set_new(x, "resolved", json_string(h->resolved));
        if (h->ownership[0]) json_object_set_new(x, "blocked_by_ownership", json_string(h->ownership));
        json_array_append_new(parties, x);
    }
    json_object_set_new(o, "parties", parties);
    if (*r->bad_cas) json_object_set_new(o, "invalid_cas", json_string(r->bad_cas));
    if (r->quality && *r->quality) json_object_set_new(o, "data_quality", json_string(r->quality));
    if (r->superseded) json_object_set_new(o, "superseded", json_true());
    json_object_set_new(o, "shipper", json_string(r->shipper));
    json_object_set_new(o, "consignee", json_string(r->consignee));
    json_object_set_new(o, "origin_country", json_string(r->origin_country));
    json_object_set_new(o, "arrival_date", json_string(r->arrival_date));
    *out = o;
    return PU_OK;
}

int cargo_result_write_json(const cargo_engine *e, const cargo_result *r, FILE *out) {
    json_t *o;
    int rc = cargo_result_to_json(e, r, &o);
    if (rc) return rc;
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) return PU_ERR_NOMEM;
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return ferror(out) ? PU_ERR_IO : PU_OK;
}

/* ---- persistence ------------------------------------------------------------------------------ */

static const char *SHIP_SQL =
    "INSERT INTO cargo_shipment (batch_id, line, awb, hawb, shipper_name, shipper_address, shipper_country,"
    " consignee_name, consignee_address, consignee_country, notify_name, notify_address, description, hs_code,"
    " origin, origin_country, transshipment, destination, destination_country, carrier, forwarder,"
    " departure_date, arrival_date, pieces, weight_kg, value_usd, day, shipper_key, consignee_key, address_key,"
    " score, decision, fired, reasons, chemicals, parties, owner, marking, created, updated)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (awb, hawb, owner) DO UPDATE SET batch_id = excluded.batch_id, line = excluded.line,"
    " shipper_name = excluded.shipper_name, shipper_address = excluded.shipper_address,"
    " shipper_country = excluded.shipper_country, consignee_name = excluded.consignee_name,"
    " consignee_address = excluded.consignee_address, consignee_country = excluded.consignee_country,"
    " notify_name = excluded.notify_name, notify_address = excluded.notify_address,"
    " description = excluded.description, hs_code = excluded.hs_code, origin = excluded.origin,"
    " origin_country = excluded.origin_country, transshipment = excluded.transshipment,"
    " destination = excluded.destination, destination_country = excluded.destination_country,"
    " carrier = excluded.carrier, forwarder = excluded.forwarder, departure_date = excluded.departure_date,"
    " arrival_date = excluded.arrival_date, pieces = excluded.pieces, weight_kg = excluded.weight_kg,"
    " value_usd = excluded.value_usd, day = excluded.day, shipper_key = excluded.shipper_key,"
    " consignee_key = excluded.consignee_key, address_key = excluded.address_key, score = excluded.score,"
    " decision = excluded.decision, fired = excluded.fired, reasons = excluded.reasons,"
    " chemicals = excluded.chemicals, parties = excluded.parties,"
    " marking = excluded.marking, updated = excluded.updated";

static int save_one(cargo_batch *b, db_stmt *s, int64_t batch_id, const cargo_result *r, const cargo_stamp *st,
                    const char *now, pu_buf *tmp, pu_err *err) {
    const kept *k = &b->kept[r->manifest];
    int i = 1;
    db_bind_int64(s, i++, batch_id);
    db_bind_int64(s, i++, (int64_t)r->line);
    for (int f = 0; f < 21; f++) db_bind_text(s, i++, k->f[f], -1);
    if (k->pieces >= 0) db_bind_int64(s, i++, k->pieces); else db_bind_null(s, i++);
    if (k->weight_kg >= 0) db_bind_double(s, i++, k->weight_kg); else db_bind_null(s, i++);
    if (k->value_usd >= 0) db_bind_double(s, i++, k->value_usd); else db_bind_null(s, i++);
    if (r->day != INT64_MIN) db_bind_int64(s, i++, r->day); else db_bind_null(s, i++);
    db_bind_int64(s, i++, (int64_t)r->shipper_key);
    db_bind_int64(s, i++, (int64_t)r->consignee_key);
    db_bind_int64(s, i++, (int64_t)r->address_key);
    db_bind_double(s, i++, r->score);
    db_bind_text(s, i++, r->decision, -1);
    db_bind_int64(s, i++, r->fired);
    db_bind_text(s, i++, r->reasons, -1);
    pu_buf_reset(tmp);
    chem_list(b->e, r, tmp);
    db_bind_text(s, i++, pu_buf_str(tmp), -1);
    pu_buf_reset(tmp);
    party_list(r, tmp);
    db_bind_text(s, i++, pu_buf_str(tmp), -1);
    db_bind_text(s, i++, st->owner, -1);
    db_bind_text(s, i++, cargo_stamp_marking(st), -1);
    db_bind_text(s, i++, now, -1);
    db_bind_text(s, i++, now, -1);
    int rc = db_step_done(s, err);
    db_reset(s);
    return rc;
}

int cargo_batch_save(cargo_batch *b, db_t *db, const store_scope *scope, const char *source, const cargo_stamp *stamp,
                     int64_t nrejected, int64_t *batch_id, pu_err *err) {
    if (!b->finished) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo_batch_finish was not called");
    if (!b->o.keep_manifests) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "batch made without keep_manifests");
    int rc = cargo_stamp_check(scope, stamp, err);
    /* inside the caller's transaction (the API adds its audit entry to it) */
    int own_tx = !db_in_tx(db);
    if (rc || (own_tx && (rc = db_begin(db, err)))) return rc;
    char now[32];
    pu_now_iso(now, sizeof now);
    db_stmt *s = NULL;
    int64_t bid = 0;
    rc = db_prepare(db, "INSERT INTO cargo_batch (created, source, nlines, nrejected, watchlist_version, rules_version,"
                        " parties_screened, owner, marking, author) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id", &s, err);
    if (!rc) {
        db_bind_text(s, 1, now, -1);
        db_bind_text(s, 2, source ? source : "", -1);
        db_bind_int64(s, 3, (int64_t)b->n);
        db_bind_int64(s, 4, nrejected);
        db_bind_int64(s, 5, b->e->w->version);
        db_bind_int64(s, 6, b->e->r->version);
        db_bind_int64(s, 7, b->e->party != NULL);
        db_bind_text(s, 8, stamp->owner, -1);
        db_bind_text(s, 9, cargo_stamp_marking(stamp), -1);
        db_bind_text(s, 10, stamp->author ? stamp->author : "", -1);
        rc = db_insert_id(s, &bid, err);
        db_finalize(s);
        s = NULL;
    }
    if (!rc) rc = db_prepare(db, SHIP_SQL, &s, err);
    pu_buf tmp = PU_BUF_INIT(1u << 20);
    for (size_t i = 0; !rc && i < b->n; i++)
        if (!b->res[i].superseded) rc = save_one(b, s, bid, &b->res[i], stamp, now, &tmp, err);
    pu_buf_free(&tmp);
    db_finalize(s);
    if (!rc) rc = store_generation_bump(db, "cargo", err);   /* caches of cargo data (the graph) */
    if (!rc && own_tx) rc = db_commit(db, err);
    if (rc) {
        if (own_tx) db_rollback(db);
        return rc;
    }
    if (batch_id) *batch_id = bid;
    return PU_OK;
}
