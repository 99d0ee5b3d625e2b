/*
 * ind_report.c - the framework report in the shape of the 2022 fact sheet:
 * goal -> area -> highlighted results as sentences with their figures,
 * progress against targets, an inline SVG trend per indicator and a map by
 * state, in English or Spanish (texts from the catalogue, numbers and dates
 * per locale through ICU). PDF: headless Chromium prints the same HTML
 * (docs/indicators.md "PDF" says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n/i18n.h"
#include "indicators/ind_int.h"

#define IND_HTML_MAX ((size_t)32 << 20)
#define IND_REPORT_YEARS 6          /* years in each trend chart */
#define IND_SVG_W 360
#define IND_SVG_H 110
#define IND_MAP_W 420

extern char **environ;

typedef struct rep {
    pu_buf *b;
    i18n_lang L;
    const char *lang;
    const ind_report_opts *o;
    const ind_result *r;
    json_t *maps;             /* may be NULL: maps are then tables only */
} rep;

static void esc(pu_buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': pu_buf_puts(b, "&lt;"); break;
        case '>': pu_buf_puts(b, "&gt;"); break;
        case '&': pu_buf_puts(b, "&amp;"); break;
        case '"': pu_buf_puts(b, "&quot;"); break;
        default: pu_buf_putc(b, *s);
        }
    }
}

static int decimals_of(const ind_def *d) { return *d->unit || d->factor != 1 || *d->denominator ? 1 : 0; }

static void number(const rep *x, const ind_def *d, double v, char *out, size_t size) {
    ind_format_number(x->lang, v, decimals_of(d), out, size);
}

/* Replace {key} in tmpl by the values of keys (parallel arrays). escape:
 * 0 nothing escaped, 1 everything, 2 the template only (values are HTML). */
static void fill(pu_buf *b, const char *tmpl, const char *const *keys, const char *const *vals, size_t n, int escape) {
    for (const char *p = tmpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t i = n;
        if (close)
            for (i = 0; i < n; i++)
                if (strlen(keys[i]) == (size_t)(close - p - 1) && !strncmp(p + 1, keys[i], (size_t)(close - p - 1))) break;
        if (close && i < n) {
            if (escape == 1) esc(b, vals[i]);
            else pu_buf_puts(b, vals[i]);
            p = close + 1;
        } else {
            char c[2] = {*p++, 0};
            if (escape) esc(b, c);
            else pu_buf_puts(b, c);
        }
    }
}

static const char *reason_text(const rep *x, const char *reason) {
    if (!strcmp(reason, "division by zero")) return i18n_get(x->L, "ind.reason_division_by_zero");
    if (!strcmp(reason, "no value entered")) return i18n_get(x->L, "ind.reason_no_value_entered");
    return i18n_get(x->L, "ind.reason_no_data");
}

static const char *goal_title(const rep *x, const char *goal) {
    if (!strcmp(goal, "protect")) return i18n_get(x->L, "ind.goal_protect");
    if (!strcmp(goal, "prevent")) return i18n_get(x->L, "ind.goal_prevent");
    return i18n_get(x->L, "ind.goal_pursue");
}

static const char *area_title(const rep *x, const char *area) {
    static const struct { const char *area, *key; } AREAS[] = {
        {"early_warning", "ind.area_early_warning"}, {"identification", "ind.area_identification"},
        {"protection", "ind.area_protection"},       {"communities", "ind.area_communities"},
        {"firearms", "ind.area_firearms"},           {"precursors", "ind.area_precursors"},
        {"capacity", "ind.area_capacity"},           {"tips", "ind.area_tips"},
        {"prosecution", "ind.area_prosecution"}};
    for (size_t i = 0; i < sizeof AREAS / sizeof AREAS[0]; i++)
        if (!strcmp(AREAS[i].area, area)) return i18n_get(x->L, AREAS[i].key);
    return area;
}

/* ---- the sentence ---- */
static void growth_phrase(const rep *x, const ind_def *d, const ind_figure *f, char *out, size_t size) {
    out[0] = '\0';
    if (!f->has_growth) return;
    char pct[32], base[8], year[8];
    ind_format_number(x->lang, fabs(f->growth_pct), 0, pct, sizeof pct);
    snprintf(base, sizeof base, "%d", f->baseline_year);
    snprintf(year, sizeof year, "%d", x->o->year);
    const char *keys[] = {"pct", "base_year", "year"}, *vals[] = {pct, base, year};
    pu_buf b = PU_BUF_INIT(size);
    fill(&b, f->growth_pct >= 0 ? i18n_get(x->L, "ind.growth_up") : i18n_get(x->L, "ind.growth_down"), keys, vals, 3, 0);
    pu_strlcpy(out, pu_buf_str(&b), size);
    pu_buf_free(&b);
    (void)d;
}

static void sentence(rep *x, const ind_def *d, const ind_figure *f) {
    char value[48] = "", year[8], growth[256];
    snprintf(year, sizeof year, "%d", x->o->year);
    pu_buf_puts(x->b, "<p class=\"highlight\">");
    if (!f || !f->has_value) {
        const char *keys[] = {"name", "year", "reason"};
        const char *vals[] = {d->name[x->L], year, reason_text(x, f ? f->reason : "no data")};
        fill(x->b, i18n_get(x->L, "ind.no_figure"), keys, vals, 3, 1);
        pu_buf_puts(x->b, "</p>\n");
        return;
    }
    number(x, d, f->value, value, sizeof value);
    growth_phrase(x, d, f, growth, sizeof growth);
    /* the figure stands out: {value} becomes <strong>; the growth phrase
     * (catalogue text) is escaped here, the template by fill */
    char strong[96];
    snprintf(strong, sizeof strong, "<strong class=\"figure\">%s</strong>", value);
    pu_buf g = PU_BUF_INIT(1024);
    esc(&g, growth);
    const char *keys[] = {"value", "year", "growth"}, *vals[] = {strong, year, g.len ? pu_buf_str(&g) : ""};
    fill(x->b, d->sentence[x->L], keys, vals, 3, 2);
    pu_buf_free(&g);
    if (f->suppressed) {
        pu_buf_puts(x->b, " <em>");
        esc(x->b, i18n_get(x->L, "ind.suppressed_note"));
        pu_buf_puts(x->b, "</em>");
    }
    pu_buf_puts(x->b, "</p>\n");
}

/* ---- the card: value, baseline, target, progress ---- */
static void card_row(rep *x, const char *label, const char *value) {
    pu_buf_puts(x->b, "<tr><th scope=\"row\">");
    esc(x->b, label);
    pu_buf_puts(x->b, "</th><td>");
    esc(x->b, value);
    pu_buf_puts(x->b, "</td></tr>");
}

static const char *status_of(const rep *x, const ind_figure *f, const char **cls) {
    *cls = "none";
    if (!f || !f->has_target || !f->has_value) return i18n_get(x->L, "ind.status_no_target");
    if (f->achieved_pct >= 100) { *cls = "met"; return i18n_get(x->L, "ind.status_met"); }
    if (f->achieved_pct >= 75) { *cls = "track"; return i18n_get(x->L, "ind.status_on_track"); }
    *cls = "behind";
    return i18n_get(x->L, "ind.status_behind");
}

static void card(rep *x, const ind_def *d, const ind_figure *f) {
    char v[64] = "–", t[64] = "–", base[96] = "–", ach[64] = "–", num[48];
    if (f && f->has_value) number(x, d, f->value, v, sizeof v);
    if (f && f->has_baseline) {
        number(x, d, f->baseline, num, sizeof num);
        snprintf(base, sizeof base, "%s (%d)", num, f->baseline_year);
    }
    if (f && f->has_target) number(x, d, f->target, t, sizeof t);
    if (f && f->has_target && f->has_value && f->achieved_pct != 0) {
        ind_format_number(x->lang, f->achieved_pct, 0, num, sizeof num);
        snprintf(ach, sizeof ach, "%s %%", num);
    }
    const char *cls, *status = status_of(x, f, &cls);
    pu_buf_printf(x->b, "<table class=\"card\" data-code=\"%s\">", d->code);
    card_row(x, i18n_get(x->L, "ind.value"), v);
    card_row(x, i18n_get(x->L, "ind.baseline"), base);
    card_row(x, i18n_get(x->L, "ind.target"), t);
    card_row(x, i18n_get(x->L, "ind.achieved"), ach);
    pu_buf_printf(x->b, "<tr><th scope=\"row\">%s</th><td class=\"status %s\">", i18n_get(x->L, "ind.status"), cls);
    esc(x->b, status);
    pu_buf_puts(x->b, "</td></tr></table>\n");
}

/* ---- the trend (inline SVG bars, a gap for a year without a figure) ---- */
static void trend(rep *x, const ind_def *d) {
    int from = x->o->year - IND_REPORT_YEARS + 1;
    double max = 0;
    const ind_figure *f[IND_REPORT_YEARS];
    for (int i = 0; i < IND_REPORT_YEARS; i++) {
        char p[16];
        snprintf(p, sizeof p, "%04d", from + i);
        f[i] = ind_result_find(x->r, d->code, p, "");
        if (f[i] && f[i]->has_value && fabs(f[i]->value) > max) max = fabs(f[i]->value);
    }
    pu_buf_printf(x->b, "<svg class=\"trend\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><title>",
                  IND_SVG_W, IND_SVG_H, IND_SVG_W, IND_SVG_H);
    esc(x->b, i18n_get(x->L, "ind.trend"));
    pu_buf_puts(x->b, ": ");
    esc(x->b, d->name[x->L]);
    pu_buf_puts(x->b, "</title>");
    int slot = IND_SVG_W / IND_REPORT_YEARS, chart = IND_SVG_H - 34;
    for (int i = 0; i < IND_REPORT_YEARS; i++) {
        int cx = i * slot + slot / 2;
        char label[48] = "–";
        if (f[i] && f[i]->has_value) {
            int h = max > 0 ? (int)lround(fabs(f[i]->value) / max * chart) : 0;
            pu_buf_printf(x->b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"%s\"/>", cx - slot / 3,
                          14 + chart - h, 2 * slot / 3, h, from + i == x->o->year ? "bar now" : "bar");
            number(x, d, f[i]->value, label, sizeof label);
        }
        pu_buf_printf(x->b, "<text x=\"%d\" y=\"11\" text-anchor=\"middle\" class=\"v\">", cx);
        esc(x->b, label);
        pu_buf_printf(x->b, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>", cx, IND_SVG_H - 6, from + i);
    }
    pu_buf_puts(x->b, "</svg>\n");
}

/* ---- the map by state ---- */
static json_t *load_maps(const char *path) {
    char def[4096];
    if (!path) {
        char exe[2048];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        if (pu_snprintf(def, sizeof def, "%s/web/trace-maps.json", n > 0 ? exe : ".")) return NULL;
        path = def;
    }
    json_error_t e;
    return json_load_file(path, 0, &e);
}

static void map_colour(double v, double max, char *out, size_t size) {
    double t = max > 0 ? v / max : 0;   /* light to dark blue */
    int r = (int)lround(222 - t * 190), g = (int)lround(235 - t * 150), b = (int)lround(247 - t * 80);
    snprintf(out, size, "#%02x%02x%02x", r, g, b);
}

static void map(rep *x, const ind_def *d) {
    char period[16];
    snprintf(period, sizeof period, "%04d", x->o->year);
    const ind_figure *cells[IND_MAX_MAP_CELLS];
    size_t n = 0, mx = 0;
    double max = 0;
    for (size_t i = 0; i < x->r->n && n < IND_MAX_MAP_CELLS; i++) {
        const ind_figure *f = &x->r->fig[i];
        if (strcmp(f->code, d->code) || strcmp(f->period, period) || strcmp(f->dim, "state") || !f->has_value) continue;
        cells[n++] = f;
        mx += !strncmp(f->cell, "MX-", 3);
        if (f->value > max) max = f->value;
    }
    if (!n) return;
    const char *country = mx * 2 >= n ? "mx" : "us", *prefix = mx * 2 >= n ? "MX-" : "US-";
    json_t *m = x->maps ? json_object_get(x->maps, country) : NULL, *states = m ? json_object_get(m, "states") : NULL;
    pu_buf_puts(x->b, "<figure class=\"map\"><figcaption>");
    esc(x->b, i18n_get(x->L, "ind.map_by_state"));
    pu_buf_puts(x->b, "</figcaption>");
    if (json_is_array(states)) {
        const char *vb = json_string_value(json_object_get(m, "viewBox"));
        pu_buf_printf(x->b, "<svg role=\"img\" width=\"%d\" viewBox=\"", IND_MAP_W);
        esc(x->b, vb ? vb : "0 0 800 500");
        pu_buf_puts(x->b, "\"><title>");
        esc(x->b, d->name[x->L]);
        pu_buf_puts(x->b, "</title>");
        size_t i;
        json_t *s;
        json_array_foreach(states, i, s) {
            const char *code = json_string_value(json_object_get(s, "code")), *path = json_string_value(json_object_get(s, "d"));
            if (!code || !path) continue;
            double v = -1;
            for (size_t k = 0; k < n; k++)
                if (!strncmp(cells[k]->cell, prefix, 3) && !strcmp(cells[k]->cell + 3, code)) v = cells[k]->value;
            char fillc[16] = "#f2f2f2";
            if (v >= 0) map_colour(v, max, fillc, sizeof fillc);
            pu_buf_printf(x->b, "<path fill=\"%s\" stroke=\"#888\" stroke-width=\"0.5\" d=\"", fillc);
            esc(x->b, path);
            pu_buf_puts(x->b, "\"/>");
        }
        pu_buf_puts(x->b, "</svg>");
    }
    /* the figures behind the colours, so the map is readable in print and by screen readers */
    pu_buf_puts(x->b, "<table class=\"cells\"><tr>");
    for (size_t k = 0; k < n; k++) {
        char v[48];
        number(x, d, cells[k]->value, v, sizeof v);
        pu_buf_puts(x->b, "<td>");
        esc(x->b, cells[k]->cell);
        pu_buf_puts(x->b, " ");
        esc(x->b, v);
        pu_buf_puts(x->b, "</td>");
        if (k % 6 == 5 && k + 1 < n) pu_buf_puts(x->b, "</tr><tr>");
    }
    pu_buf_puts(x->b, "</tr></table></figure>\n");
}

/* ---- the page ---- */
static const char CSS[] =
    "body{font-family:'DejaVu Sans',sans-serif;color:#1b1b1b;margin:2em;max-width:60em}"
    ".marking{border:2px solid #8a1c1c;color:#8a1c1c;font-weight:bold;text-align:center;padding:.3em;margin-bottom:1em}"
    "h1{font-size:1.6em}h2{border-bottom:3px solid #1a4480;color:#1a4480;page-break-after:avoid}"
    "h3{color:#333;break-after:avoid}.indicator{break-inside:avoid;margin:1em 0;padding:.5em;border-left:4px solid #dfe1e2}"
    ".highlight{font-size:1.1em}.card{border-collapse:collapse;font-size:.9em;margin:.3em 0}"
    ".card th,.card td{border:1px solid #ccc;padding:.15em .5em;text-align:left}"
    ".status.met{color:#00703c}.status.track{color:#1a4480}.status.behind{color:#b50909}"
    ".trend .bar{fill:#97b5d6}.trend .now{fill:#1a4480}.trend text{font-size:11px}.trend .v{font-size:10px}"
    ".map svg{max-width:100%;height:auto}.cells td{font-size:.8em;padding:0 .5em}.meta{color:#555;font-size:.85em}"
    ".def{color:#444;font-size:.85em}@page{size:Letter;margin:1.5cm}";

static void header(rep *x, const char *audience) {
    char year[8], today[64];
    snprintf(year, sizeof year, "%d", x->o->year);
    ind_format_today(x->lang, today, sizeof today);
    pu_buf_printf(x->b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>", x->lang);
    const char *keys[] = {"year"}, *vals[] = {year};
    fill(x->b, i18n_get(x->L, "ind.report_title"), keys, vals, 1, 1);
    pu_buf_printf(x->b, "</title><style>%s</style></head><body>\n<div class=\"marking\" role=\"note\">", CSS);
    esc(x->b, audience);
    pu_buf_puts(x->b, "</div>\n<h1>");
    fill(x->b, i18n_get(x->L, "ind.report_title"), keys, vals, 1, 1);
    pu_buf_puts(x->b, "</h1>\n<p class=\"meta\">");
    const char *k2[] = {"date", "generations"}, *v2[] = {today, x->r->generations};
    fill(x->b, i18n_get(x->L, "ind.report_meta"), k2, v2, 2, 1);
    pu_buf_puts(x->b, "</p>\n");
}

static void indicator(rep *x, const ind_def *d) {
    char period[16];
    snprintf(period, sizeof period, "%04d", x->o->year);
    const ind_figure *f = ind_result_find(x->r, d->code, period, "");
    pu_buf_printf(x->b, "<div class=\"indicator\" id=\"%s\"><h4>", d->code);
    esc(x->b, d->name[x->L]);
    pu_buf_printf(x->b, " <small>(%s)</small></h4>\n", d->code);
    sentence(x, d, f);
    card(x, d, f);
    if (!d->manual) trend(x, d);
    map(x, d);
    pu_buf_puts(x->b, "<p class=\"def\">");
    esc(x->b, d->description[x->L]);
    if (f && f->manual && *f->source) {
        pu_buf_puts(x->b, " ");
        esc(x->b, i18n_get(x->L, "ind.source"));
        pu_buf_puts(x->b, ": ");
        esc(x->b, f->source);
    }
    pu_buf_puts(x->b, "</p></div>\n");
}

static void body(rep *x, const ind_def *defs, size_t n) {
    static const char *const GOALS[] = {"protect", "prevent", "pursue"};
    for (size_t g = 0; g < 3; g++) {
        pu_buf_puts(x->b, "<section><h2>");
        esc(x->b, goal_title(x, GOALS[g]));
        pu_buf_puts(x->b, "</h2>\n");
        const char *area = "";
        for (size_t i = 0; i < n; i++) {
            if (strcmp(defs[i].goal, GOALS[g])) continue;
            if (strcmp(defs[i].area, area)) {
                area = defs[i].area;
                pu_buf_puts(x->b, "<h3>");
                esc(x->b, area_title(x, area));
                pu_buf_puts(x->b, "</h3>\n");
            }
            indicator(x, &defs[i]);
        }
        pu_buf_puts(x->b, "</section>\n");
    }
    pu_buf_puts(x->b, "</body></html>\n");
}

static int cmp_area(const void *a, const void *b) {
    const ind_def *x = a, *y = b;
    int c = strcmp(x->goal, y->goal);
    if (!c) c = strcmp(x->area, y->area);
    return c ? c : strcmp(x->code, y->code);
}

/* ---- writing: HTML, or PDF through the browser ---- */
static int write_file(const char *path, const pu_buf *b, pu_err *err) {
    FILE *f = fopen(path, "wb");
    if (!f) return pu_fail(err, PU_ERR_IO, path, NULL, "cannot write: %s", strerror(errno));
    size_t n = fwrite(b->data, 1, b->len, f);
    int bad = fclose(f) != 0 || n != b->len;
    return bad ? pu_fail(err, PU_ERR_IO, path, NULL, "cannot write the report") : PU_OK;
}

static int print_pdf(const char *html, const char *pdf, const char *browser, pu_err *err) {
    char url[4200], out[4200], abs[4096];
    if (!realpath(html, abs)) return pu_fail(err, PU_ERR_IO, html, NULL, "cannot resolve the path");
    if (pu_snprintf(url, sizeof url, "file://%s", abs) || pu_snprintf(out, sizeof out, "--print-to-pdf=%s", pdf))
        return pu_fail(err, PU_ERR_LIMIT, pdf, NULL, "path too long");
    char *argv[] = {(char *)browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--run-all-compositor-stages-before-draw", out, url, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, browser, &fa, NULL, argv, environ), status = 0;
    posix_spawn_file_actions_destroy(&fa);
    if (rc) return pu_fail(err, PU_ERR_IO, browser, NULL, "cannot run the browser for the PDF: %s", strerror(rc));
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    struct stat st;
    if (!WIFEXITED(status) || WEXITSTATUS(status) || stat(pdf, &st) || st.st_size == 0)
        return pu_fail(err, PU_ERR_IO, pdf, NULL, "the browser (%s) did not print the PDF", browser);
    return PU_OK;
}

static int emit(const ind_report_opts *o, const pu_buf *b, const char *out_path, pu_err *err) {
    if (!o->pdf) return write_file(out_path, b, err);
    char html[4096];
    if (pu_snprintf(html, sizeof html, "%s.html", out_path)) return pu_fail(err, PU_ERR_LIMIT, out_path, NULL, "path too long");
    int rc = write_file(html, b, err);
    const char *browser = o->chromium ? o->chromium : getenv("PUENTE_CHROMIUM");
    if (!rc) rc = print_pdf(html, out_path, browser && *browser ? browser : "chromium", err);
    unlink(html);
    return rc;
}

int ind_report_html(db_t *db, const store_scope *scope, const ind_report_opts *o, pu_buf *out, pu_err *err) {
    i18n_lang L;
    if (i18n_lang_parse(o->lang ? o->lang : "en", &L, err)) return PU_ERR_INVALID;
    ind_def *defs = NULL;
    size_t n = 0;
    ind_rows rows = {0};
    ind_result r = {0};
    ind_query q = {.year = o->year, .from_year = o->year - IND_REPORT_YEARS + 1, .by = "state"};
    int rc = ind_defs_load(db, &defs, &n, err);
    if (!rc) rc = ind_rows_gather(db, scope, &rows, err);
    if (!rc) rc = ind_compute_rows(db, scope, defs, n, &rows, &q, &r, err);
    if (!rc) {
        qsort(defs, n, sizeof *defs, cmp_area);
        rep x = {.b = out, .L = L, .lang = i18n_code(L), .o = o, .r = &r, .maps = load_maps(o->maps)};
        char audience[256];
        const char *keys[] = {"audience"}, *vals[] = {o->audience ? o->audience : ""};
        pu_buf a = PU_BUF_INIT(sizeof audience);
        if (o->audience) fill(&a, i18n_get(L, "ind.releasable_to"), keys, vals, 1, 0);
        else if (scope->system) pu_buf_puts(&a, i18n_get(L, "ind.audience_operator"));
        else {
            const char *k2[] = {"agency"}, *v2[] = {scope->agency ? scope->agency : ""};
            fill(&a, i18n_get(L, "ind.audience_agency"), k2, v2, 1, 0);
        }
        pu_strlcpy(audience, pu_buf_str(&a), sizeof audience);
        pu_buf_free(&a);
        header(&x, audience);
        body(&x, defs, n);
        json_decref(x.maps);
        if (out->len >= out->max - 1) rc = pu_fail(err, PU_ERR_LIMIT, NULL, NULL, "report too large");
    }
    ind_result_free(&r);
    ind_rows_free(&rows);
    ind_defs_free(defs, n);
    return rc;
}

int ind_report_write(db_t *db, const store_scope *scope, const ind_report_opts *o, const char *out_path,
                     pu_err *err) {
    pu_buf b = PU_BUF_INIT(IND_HTML_MAX);
    int rc = ind_report_html(db, scope, o, &b, err);
    if (!rc) rc = emit(o, &b, out_path, err);
    pu_buf_free(&b);
    return rc;
}
