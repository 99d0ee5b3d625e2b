/* cargo_engine.c - the compiled watchlist (a character trie over the squashed
 * names, with bounded-edit fuzzy walks), CAS lookup, and compiled rule
 * parameters. Detection of chemicals in free text lives here; the per-line
 * and batch rules are in cargo_batch.c. */
#include "cargo/cargo_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- trie ------------------------------------------------------------------- */

static int cmap(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return 10 + (c - 'a');
    return -1;
}

static int trie_node(cargo_engine *e) {
    if (e->nnodes == e->cap_nodes) {
        size_t nc = e->cap_nodes ? e->cap_nodes * 2 : 1024;
        int32_t (*ch)[TRIE_W] = realloc(e->child, nc * sizeof *ch);
        if (!ch) return -1;
        e->child = ch;
        int32_t *t = realloc(e->term, nc * sizeof *t);
        if (!t) return -1;
        e->term = t;
        uint8_t *ml = realloc(e->maxlen, nc);
        if (!ml) return -1;
        e->maxlen = ml;
        e->cap_nodes = nc;
    }
    memset(e->child[e->nnodes], 0, sizeof e->child[0]);
    e->term[e->nnodes] = -1;
    e->maxlen[e->nnodes] = 0;
    return (int)e->nnodes++;
}

/* Add one name form (already squashed) for chemical `chem`. A form already
 * present keeps its first (stronger) kind. */
static int add_form(cargo_engine *e, const char *sq, int chem, int via, int weak, const char *shown) {
    size_t len = strlen(sq);
    if (len < 3 || len > 120) return PU_OK; /* too short to mean anything alone */
    for (size_t i = 0; i < len; i++)
        if (cmap((unsigned char)sq[i]) < 0) return PU_OK; /* a non-Latin name: not matchable by the trie */
    int node = 0;
    uint8_t ml = len > 255 ? 255 : (uint8_t)len;
    if (e->maxlen[0] < ml) e->maxlen[0] = ml;
    for (size_t i = 0; i < len; i++) {
        int c = cmap((unsigned char)sq[i]);
        if (!e->child[node][c]) {
            int n = trie_node(e);
            if (n < 0) return PU_ERR_NOMEM;
            e->child[node][c] = n;
        }
        node = e->child[node][c];
        if (e->maxlen[node] < ml) e->maxlen[node] = ml;
    }
    if (e->term[node] >= 0) return PU_OK;
    if (e->nforms == e->cap_forms) {
        size_t nc = e->cap_forms ? e->cap_forms * 2 : 256;
        cargo_form *f = realloc(e->forms, nc * sizeof *f);
        if (!f) return PU_ERR_NOMEM;
        e->forms = f;
        e->cap_forms = nc;
    }
    cargo_form *f = &e->forms[e->nforms];
    f->chem = chem;
    f->via = via;
    f->weak = weak;
    f->len = (int)len;
    pu_strlcpy(f->shown, shown, sizeof f->shown);
    e->term[node] = (int32_t)e->nforms++;
    return PU_OK;
}

/* Add every ';'-separated name of a list. */
static int add_names(cargo_engine *e, const char *list, int chem, int via) {
    if (!list || !*list) return PU_OK;
    char *dup = pu_strdup(list), *save = NULL;
    if (!dup) return PU_ERR_NOMEM;
    pu_buf sq = PU_BUF_INIT(4096);
    int rc = PU_OK;
    for (char *t = strtok_r(dup, ";", &save); t && !rc; t = strtok_r(NULL, ";", &save)) {
        pu_trim(t);
        if (!*t || cargo_squash(t, &sq)) continue;
        /* Short codes (PPA, NPP, 4AP ...) are ambiguous without context. */
        int weak = via == CARGO_VIA_CODE && sq.len <= 3;
        rc = add_form(e, pu_buf_str(&sq), chem, via, weak, t);
    }
    pu_buf_free(&sq);
    free(dup);
    return rc;
}

static const char *const SALTS[] = {
    "hydrochloride", "dihydrochloride", "hcl", "2hcl", "hydrobromide", "hbr", "sulfate", "sulphate",
    "tartrate", "bitartrate", "citrate", "phosphate", "oxalate", "maleate", "acetate", "mesylate",
    "salt", "salts", "clorhidrato", "diclorhidrato", "sulfato", "tartrato", "sal", "sales",
    "monohydrate", "hemihydrate", "freebase", NULL};

static int compile_names(cargo_engine *e) {
    if (trie_node(e) < 0) return PU_ERR_NOMEM; /* root */
    int rc = PU_OK;
    pu_buf sq = PU_BUF_INIT(4096);
    for (size_t i = 0; i < e->w->n && !rc; i++) {
        const cargo_chemical *c = &e->w->chem[i];
        int ci = (int)i;
        /* order matters: the first kind registered for a form wins */
        if (!rc) rc = add_names(e, c->name_en, ci, CARGO_VIA_NAME);
        if (!rc) rc = add_names(e, c->name_es, ci, CARGO_VIA_NAME);
        if (!rc) rc = add_names(e, c->synonyms_en, ci, CARGO_VIA_NAME);
        if (!rc) rc = add_names(e, c->synonyms_es, ci, CARGO_VIA_NAME);
        if (!rc) rc = add_names(e, c->code_names, ci, CARGO_VIA_CODE);
        if (!rc && c->cas && *c->cas) {
            int64_t v;
            int ok;
            if (cargo_cas_parse(c->cas, &v, &ok) == PU_OK && ok) rc = cargo_u64map_put(&e->cas, (uint64_t)v, ci);
        }
        if (!rc && c->exclude && *c->exclude) {
            char *dup = pu_strdup(c->exclude), *save = NULL;
            if (!dup) rc = PU_ERR_NOMEM;
            for (char *t = dup ? strtok_r(dup, ";", &save) : NULL; t && !rc; t = strtok_r(NULL, ";", &save))
                if (cargo_squash(t, &sq) == PU_OK && sq.len) rc = cargo_strset_put(&e->exclude, sq.data, sq.len, ci);
            free(dup);
        }
    }
    for (int i = 0; SALTS[i] && !rc; i++) rc = cargo_strset_put(&e->salts, SALTS[i], strlen(SALTS[i]), i);
    pu_buf_free(&sq);
    return rc;
}

/* ---- rule parameters ----------------------------------------------------------- */

static int compile_rules(cargo_engine *e, pu_err *err) {
    const cargo_rules *r = e->r;
    struct { int rule; const char *key; cargo_strset *set; } sets[] = {
        {CARGO_CHEM_CONTROLLED, "context", &e->context_terms},
        {CARGO_CHEM_CONTROLLED, "context_hs", &e->context_hs},
        {CARGO_HS_PRECURSOR, "headings", &e->hs_headings},
        {CARGO_HS_MISMATCH, "chem_chapters", &e->chem_chapters},
        {CARGO_HS_MISMATCH, "goods", &e->goods_terms},
        {CARGO_GENERIC_DESCRIPTION, "terms", &e->generic_terms},
        {CARGO_FORWARDER_SHIPPER, "terms", &e->forwarder_terms},
        {CARGO_RESIDENTIAL_ADDRESS, "terms", &e->residential_terms},
        {CARGO_UNUSUAL_ROUTING, "hubs", &e->hubs},
        {CARGO_HIGH_RISK_ORIGIN, "countries", &e->risk_countries},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (cargo_param_terms(r->rule[sets[i].rule].params, sets[i].key, sets[i].set, 1))
            return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    struct { int rule; const char *key; double *out; double def; } nums[] = {
        {CARGO_SHARED_ADDRESS, "min_names", &e->shared_min_names, 3},
        {CARGO_UNUSUAL_ROUTING, "max_transshipments", &e->max_transship, 1},
        {CARGO_WEIGHT_VALUE, "min_usd_per_kg", &e->min_usd_kg, 1},
        {CARGO_WEIGHT_VALUE, "max_usd_per_kg", &e->max_usd_kg, 20000},
        {CARGO_SPLIT_SHIPMENT, "window_days", &e->split_window, 7},
        {CARGO_SPLIT_SHIPMENT, "min_count", &e->split_min, 3},
        {CARGO_SPLIT_SHIPMENT, "max_kg", &e->split_max_kg, 25},
        {CARGO_PARTY_DESIGNATED, "min_score", &e->party_hit, 0.88},
        {CARGO_PARTY_POSSIBLE, "min_score", &e->party_possible, 0.75},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        *nums[i].out = nums[i].def;
        if (cargo_param_num(r->rule[nums[i].rule].params, nums[i].key, nums[i].out))
            return pu_fail(err, PU_ERR_INVALID, "rules", cargo_rule_name(nums[i].rule),
                           "parameter %s must be a number", nums[i].key);
    }
    return PU_OK;
}

/* ---- copies -------------------------------------------------------------------- */

static int copy_watchlist(const cargo_watchlist *w, cargo_watchlist **out) {
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0;
    f = open_memstream(&buf, &n);
    if (!f) return PU_ERR_NOMEM;
    int rc = cargo_watchlist_write_csv(w, f, NULL);
    fclose(f);
    if (!rc) rc = cargo_watchlist_read_csv_mem(buf, n, NULL, out, NULL);
    free(buf);
    if (!rc) (*out)->version = w->version;
    return rc;
}

static int copy_rules(const cargo_rules *r, cargo_rules **out) {
    cargo_rules *c = calloc(1, sizeof *c);
    if (!c) return PU_ERR_NOMEM;
    *c = *r;
    for (int i = 0; i < CARGO_NRULES; i++) {
        c->rule[i].params = pu_strdup(r->rule[i].params ? r->rule[i].params : "");
        c->rule[i].explanation = pu_strdup(r->rule[i].explanation ? r->rule[i].explanation : "");
        if (!c->rule[i].params || !c->rule[i].explanation) { cargo_rules_free(c); return PU_ERR_NOMEM; }
    }
    *out = c;
    return PU_OK;
}

int cargo_engine_new(const cargo_watchlist *w, const cargo_rules *r, cargo_party_fn party, void *party_ctx,
                     cargo_engine **out, pu_err *err) {
    *out = NULL;
    cargo_engine *e = calloc(1, sizeof *e);
    if (!e) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    pu_buf_init(&e->norm, CARGO_MAX_DESCRIPTION * 2);
    pu_buf_init(&e->scratch, CARGO_MAX_FIELD * 8);
    e->party = party;
    e->party_ctx = party_ctx;
    int rc = copy_watchlist(w, &e->w);
    if (rc) {
        cargo_engine_free(e);
        return pu_fail(err, rc == PU_ERR_NOMEM ? rc : PU_ERR_INVALID, "watchlist", NULL, "cannot compile the watchlist");
    }
    if ((rc = copy_rules(r, &e->r)) || (rc = compile_names(e))) {
        cargo_engine_free(e);
        return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    if ((rc = compile_rules(e, err))) { cargo_engine_free(e); return rc; }
    *out = e;
    return PU_OK;
}

/* Party screening for cargo_open: the caller's matcher, or the designated
 * parties of the store / a borrowed index as o->scope may see them. */
static int open_parties(store_t *st, const cargo_open_opts *o, cargo_party_fn *fn, void **ctx,
                        cargo_party_ctx **own, pu_err *err) {
    *fn = o->party;
    *ctx = o->party_ctx;
    *own = NULL;
    if ((o->party != NULL) + (o->index != NULL) + (o->parties != 0) > 1)
        return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo_open: more than one party source");
    if (!o->index && !o->parties) return PU_OK;
#if CARGO_HAVE_SCREEN
    if (!o->index && !st) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo_open: parties need a store");
    int rc = cargo_party_new(st, o->index, o->scope, own, err);
    if (rc || !*own) return rc;
    *fn = cargo_party_screen;
    *ctx = *own;
    return PU_OK;
#else
    (void)st;
    (void)err;
    return PU_OK; /* built without src/screen: parties are not screened, and the summary says so */
#endif
}

int cargo_open(store_t *st, const cargo_open_opts *o, cargo_engine **out, pu_err *err) {
    *out = NULL;
    cargo_open_opts none = {0};
    if (!o) o = &none;
    if (st && !o->scope) return pu_fail(err, PU_ERR_INTERNAL, NULL, NULL, "cargo_open: a store needs the reader's scope");
    cargo_watchlist *w = NULL;
    cargo_rules *r = NULL;
    const cargo_watchlist *wl = o->watchlist;
    const cargo_rules *ru = o->rules;
    int rc = PU_OK;
    if (!wl) rc = st ? cargo_watchlist_load(store_db(st), o->scope, o->watchlist_version, &w, err)
                     : cargo_watchlist_default(&w, err);
    if (!rc && !ru) rc = st ? cargo_rules_load(store_db(st), o->scope, o->rules_version, &r, err)
                            : cargo_rules_default(&r, err);
    cargo_party_fn fn = NULL;
    void *ctx = NULL;
    cargo_party_ctx *own = NULL;
    if (!rc) rc = open_parties(st, o, &fn, &ctx, &own, err);
    if (!rc) rc = cargo_engine_new(wl ? wl : w, ru ? ru : r, fn, ctx, out, err);
    if (!rc) (*out)->party_own = own;
#if CARGO_HAVE_SCREEN
    else cargo_party_free(own);
#endif
    cargo_watchlist_free(w);
    cargo_rules_free(r);
    return rc;
}

void cargo_engine_free(cargo_engine *e) {
    if (!e) return;
#if CARGO_HAVE_SCREEN
    cargo_party_free(e->party_own);
#endif
    cargo_watchlist_free(e->w);
    cargo_rules_free(e->r);
    free(e->child);
    free(e->term);
    free(e->maxlen);
    free(e->forms);
    cargo_u64map_free(&e->cas);
    cargo_strset *sets[] = {&e->exclude, &e->salts, &e->context_terms, &e->context_hs, &e->hs_headings,
                            &e->chem_chapters, &e->goods_terms, &e->generic_terms, &e->forwarder_terms,
                            &e->residential_terms, &e->hubs, &e->risk_countries};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) cargo_strset_free(sets[i]);
    cargo_u64map_free(&e->party_keys);
    for (size_t i = 0; i < e->ncache; i++) free(e->cache[i].hits);
    free(e->cache);
    pu_buf_free(&e->norm);
    pu_buf_free(&e->scratch);
    free(e);
}

const cargo_watchlist *cargo_engine_watchlist(const cargo_engine *e) { return e->w; }
const cargo_rules *cargo_engine_rules(const cargo_engine *e) { return e->r; }
int cargo_engine_screens_parties(const cargo_engine *e) { return e->party != NULL; }

/* ---- detection ---------------------------------------------------------------------- */

typedef struct det {
    cargo_engine *e;
    cargo_chem_hit *hits;
    size_t max, n;
    char (*bad)[24];
    size_t max_bad, nbad;
    int any_cas;
} det;

static int via_rank(int via) { return via == CARGO_VIA_CAS ? 0 : via == CARGO_VIA_NAME ? 1 : via == CARGO_VIA_CODE ? 2 : 3; }

/* Add or upgrade the hit for a chemical (strongest evidence wins). */
static void add_hit(det *d, int chem, int via, int weak, const char *text, size_t tlen, const char *salt) {
    for (size_t i = 0; i < d->n; i++) {
        cargo_chem_hit *h = &d->hits[i];
        if (h->chem != chem) continue;
        if (h->weak && !weak) h->weak = 0;
        if (via_rank(via) < via_rank(h->via)) {
            h->via = via;
            snprintf(h->text, sizeof h->text, "%.*s", (int)(tlen < sizeof h->text ? tlen : sizeof h->text - 1), text);
        }
        if (salt && !h->salt[0]) pu_strlcpy(h->salt, salt, sizeof h->salt);
        return;
    }
    if (d->n >= d->max) return;
    cargo_chem_hit *h = &d->hits[d->n++];
    memset(h, 0, sizeof *h);
    h->chem = chem;
    h->via = via;
    h->weak = weak;
    snprintf(h->text, sizeof h->text, "%.*s", (int)(tlen < sizeof h->text ? tlen : sizeof h->text - 1), text);
    if (salt) pu_strlcpy(h->salt, salt, sizeof h->salt);
}

static void on_cas(void *ctx, int64_t value, int ok, const char *s, size_t n) {
    det *d = ctx;
    d->any_cas = 1;
    if (!ok) {
        if (d->nbad < d->max_bad) {
            snprintf(d->bad[d->nbad], sizeof d->bad[0], "%.*s", (int)(n < 23 ? n : 23), s);
        }
        d->nbad++;
        return;
    }
    int64_t *chem = cargo_u64map_get(&d->e->cas, (uint64_t)value);
    if (!chem) return; /* a valid CAS number of something not on the watchlist */
    char txt[24];
    cargo_cas_format(value, txt, sizeof txt);
    add_hit(d, (int)*chem, CARGO_VIA_CAS, 0, txt, strlen(txt), NULL);
}

/* Allowed edits for a name of squashed length len. */
static int edit_budget(int len) { return len >= 16 ? 2 : len >= 8 ? 1 : 0; }

typedef struct walk {
    const char *t;      /* normalised text */
    size_t n;
    int best_form;      /* longest acceptable match so far */
    size_t best_end;    /* text index just after the match */
    int best_edits;
    const char *salt;   /* salt suffix glued to the name ("ephedrinehcl") */
} walk;

/* Is t[i..token end) a salt word? (the rest of a token after a name) */
static const char *salt_rest(const cargo_engine *e, const char *t, size_t i, size_t n, size_t *end) {
    size_t j = i;
    while (j < n && t[j] != ' ') j++;
    if (j == i || j - i > 24) return NULL;
    int s = cargo_strset_get(&e->salts, t + i, j - i);
    if (s < 0) return NULL;
    *end = j;
    return SALTS[s];
}

static void consider(const cargo_engine *e, walk *w, int node, size_t i, int edits) {
    int f = e->term[node];
    if (f < 0) return;
    const cargo_form *fm = &e->forms[f];
    if (edits > edit_budget(fm->len)) return;
    size_t end = i;
    const char *salt = NULL;
    if (i < w->n && w->t[i] != ' ') {
        salt = salt_rest(e, w->t, i, w->n, &end);
        if (!salt) return; /* the match ends inside a word */
    }
    if (w->best_form < 0 || edits < w->best_edits || (edits == w->best_edits && end > w->best_end)) {
        w->best_form = f;
        w->best_end = end;
        w->best_edits = edits;
        w->salt = salt;
    }
}

/* Depth-first walk with an edit budget (substitution, insertion, deletion).
 * Spaces in the text are free (names match across token boundaries). */
static void fuzzy(const cargo_engine *e, walk *w, int node, size_t i, int edits, int maxed, int depth) {
    if (depth > 0) consider(e, w, node, i, edits);
    while (i < w->n && w->t[i] == ' ') i++;
    if (depth > 130) return;
    int c = i < w->n ? cmap((unsigned char)w->t[i]) : -1;
    if (c >= 0 && e->child[node][c]) fuzzy(e, w, e->child[node][c], i + 1, edits, maxed, depth + 1);
    if (edits >= maxed || depth == 0) return; /* the first character must match exactly */
    if (edit_budget(e->maxlen[node]) <= edits) return; /* no name below can afford another edit */
    for (int k = 0; k < TRIE_W; k++) {
        int ch = e->child[node][k];
        if (!ch) continue;
        if (c >= 0 && k != c) fuzzy(e, w, ch, i + 1, edits + 1, maxed, depth + 1); /* substitution */
        fuzzy(e, w, ch, i, edits + 1, maxed, depth + 1);                          /* deletion in text */
    }
    if (c >= 0) fuzzy(e, w, node, i + 1, edits + 1, maxed, depth + 1);              /* insertion in text */
    int c2 = i + 1 < w->n ? cmap((unsigned char)w->t[i + 1]) : -1;                   /* transposition */
    if (c >= 0 && c2 >= 0 && c != c2 && e->child[node][c2] && e->child[e->child[node][c2]][c])
        fuzzy(e, w, e->child[e->child[node][c2]][c], i + 2, edits + 1, maxed, depth + 2);
}

/* Salt word right after (English) or "clorhidrato de" right before (Spanish). */
static const char *salt_near(const cargo_engine *e, const char *t, size_t n, size_t start, size_t end) {
    size_t i = end;
    while (i < n && t[i] == ' ') i++;
    size_t j = i;
    while (j < n && t[j] != ' ') j++;
    int s = j > i ? cargo_strset_get(&e->salts, t + i, j - i) : -1;
    if (s >= 0) return SALTS[s];
    /* "... clorhidrato de <name>": look two tokens back */
    if (start >= 4 && memcmp(t + start - 4, " de ", 4) == 0) {
        size_t b = start - 4, a = b;
        while (a > 0 && t[a - 1] != ' ') a--;
        s = cargo_strset_get(&e->salts, t + a, b - a);
        if (s >= 0) return SALTS[s];
    }
    return NULL;
}

/* Squashed text of t[a..b) for the exclusion check. */
static int excluded(const cargo_engine *e, const char *t, size_t a, size_t b) {
    if (!e->exclude.n) return 0;
    char buf[128];
    size_t k = 0;
    for (size_t i = a; i < b && k < sizeof buf - 1; i++)
        if (t[i] != ' ') buf[k++] = t[i];
    if (cargo_strset_get(&e->exclude, buf, k) >= 0) return 1;
    /* the token after may complete an exclusion ("piperonyl butoxide") */
    return 0;
}

static int digits_only(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

int cargo_detect_norm(cargo_engine *e, const char *raw, size_t rawlen, const char *t, size_t n,
                      const char *hs_code, cargo_chem_hit *hits, size_t max, size_t *nhits,
                      char (*bad_cas)[24], size_t max_bad, size_t *nbad, int *context) {
    det d = {e, hits, max, 0, bad_cas, max_bad, 0, 0};
    cargo_cas_scan(raw, rawlen, on_cas, &d);
    size_t i = 0;
    int ctx = d.any_cas;
    while (i < n) {
        /* i is at a token start */
        size_t tok_end = i;
        while (tok_end < n && t[tok_end] != ' ') tok_end++;
        if (!ctx && cargo_strset_get(&e->context_terms, t + i, tok_end - i) >= 0) ctx = 1;
        int c = cmap((unsigned char)t[i]);
        if (c >= 0 && e->child[0][c] && !(digits_only(t + i, tok_end - i) && tok_end - i > 3)) {
            walk w = {t, n, -1, 0, 0, NULL};
            fuzzy(e, &w, 0, i, 0, 0, 0);
            if (w.best_form < 0 && n - i >= 8) fuzzy(e, &w, 0, i, 0, 2, 0);
            if (w.best_form >= 0 && !excluded(e, t, i, w.best_end)) {
                const cargo_form *f = &e->forms[w.best_form];
                const char *salt = w.salt ? w.salt : salt_near(e, t, n, i, w.best_end);
                add_hit(&d, f->chem, w.best_edits ? CARGO_VIA_FUZZY : f->via, f->weak, t + i, w.best_end - i, salt);
                i = w.best_end;
                while (i < n && t[i] == ' ') i++;
                continue;
            }
        }
        i = tok_end;
        while (i < n && t[i] == ' ') i++;
    }
    if (!ctx && hs_code && *hs_code) {
        char ch[3] = {0};
        size_t k = 0;
        for (const char *p = hs_code; *p && k < 2; p++) if (isdigit((unsigned char)*p)) ch[k++] = *p;
        if (k == 2 && cargo_strset_get(&e->context_hs, ch, 2) >= 0) ctx = 1;
    }
    /* a weak (ambiguous code) hit is strong when the line has chemical context */
    for (size_t k = 0; k < d.n; k++) if (ctx) hits[k].weak = 0;
    *nhits = d.n;
    *nbad = d.nbad;
    if (context) *context = ctx;
    return PU_OK;
}

int cargo_detect(cargo_engine *e, const char *text, size_t len, const char *hs_code,
                 cargo_chem_hit *hits, size_t max, size_t *n,
                 char (*bad_cas)[24], size_t max_bad, size_t *nbad) {
    *n = *nbad = 0;
    int rc = cargo_norm(text, len, &e->norm);
    if (rc) return rc;
    return cargo_detect_norm(e, text, len, pu_buf_str(&e->norm), e->norm.len, hs_code, hits, max, n,
                             bad_cas, max_bad, nbad, NULL);
}
