// dashboard.js - the framework's impact indicators (docs/indicators.md):
// per goal, a card per indicator with its value, baseline, target and
// status, a trend of the last six years, and the drill-down to the count
// rows behind the figure, all as the signed-in reader may see them
// (GET /api/v1/indicators, /api/v1/indicators/figures,
// /api/v1/indicators/{code}/drill), and from there to the records behind it
// with a link to each record's page (/api/v1/indicators/{code}/records);
// links to the framework report.
import { get } from "../api.js";
import { field, h, mount, raw } from "../dom.js";
import { currentLang, date, has, num, t, tv } from "../i18n.js";
import { link } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";
import { choropleth, loadMaps } from "./trace_maps.js";

// A state's name from the catalogue (the trace page's keys), else as the map has it.
const stateLabel = (country) => (code, fallback) => {
  const k = `trace.${country}.${String(code).toLowerCase()}`;
  return has(k) ? t(k) : fallback || code;
};

// The indicator by state on the map of the country most of its cells are in
// (the report's rule), or null when it has no figure by state.
async function stateMap(d, y, audience) {
  const st = await get(`/api/v1/indicators/figures?year=${y}&from=${y}&code=${encodeURIComponent(d.code)}&by=state${audience}`);
  const cells = st.figures.filter((f) => f.dim === "state" && f.value !== null && String(f.period) === String(y));
  if (!cells.length) return null;
  const mx = cells.filter((c) => c.cell.startsWith("MX-")).length * 2 >= cells.length;
  const prefix = mx ? "MX-" : "US-";
  const values = Object.fromEntries(cells.filter((c) => c.cell.startsWith(prefix)).map((c) => [c.cell.slice(3), c.value]));
  const geo = await loadMaps();
  return h("div", { class: "ind-map", id: "ind-map" }, h("h3", {}, t("ind.map_by_state")),
    choropleth(`ind-map-${d.code}`, mx ? geo.mx : geo.us, values, t("ind.map_title", { code: d.code, year: y }), stateLabel(mx ? "mx" : "us")));
}

const RECORDS_PAGE = 50;

// One record behind a figure: its kind, a link to its page, date, place,
// owner, marking and its part of the figure.
function recordRow(x) {
  const id = x.link ? link(x.link, raw(x.id), false) : raw(x.id);
  return h(
    "tr",
    { "data-record": `${x.kind}:${x.id}` },
    h("td", {}, tv("ind.kind", x.kind)),
    h("td", {}, id, x.label ? h("span", { class: "sub" }, " ", raw(x.label)) : null),
    h("td", {}, x.date ? date(x.date) : "–"),
    h("td", {}, raw(x.state || x.country || "–")),
    h("td", {}, raw(x.agency || "–")),
    h("td", {}, marking(x.marking)),
    h("td", {}, num(x.value, 1)),
  );
}

// The records view of a figure's part (numerator or denominator), paged
// with "more"; a refusal (aggregates only, small numbers) says why.
function recordsView(d, period, part, audience) {
  const box = h("section", { id: `ind-records-list-${part}`, class: "ind-records", "aria-live": "polite" });
  const rows = h("tbody", {});
  const more = h("button", { type: "button", class: "small secondary", id: `ind-records-more-${part}` }, t("ind.records_more"));
  const caption = h("caption", {});
  let offset = 0;
  const page = async () => {
    more.disabled = true;
    try {
      const r = await get(`/api/v1/indicators/${encodeURIComponent(d.code)}/records?period=${period}&part=${part}&limit=${RECORDS_PAGE}&offset=${offset}${audience}`);
      r.records.forEach((x) => rows.appendChild(recordRow(x)));
      offset += r.records.length;
      caption.textContent = t("ind.records_caption", { part: t(`ind.formula_${part}`), code: d.code, period, n: offset, total: r.total });
      more.disabled = false;
      if (!box.contains(rows)) {
        const heads = ["ind.col_kind", "ind.col_record", "ind.col_date", "ind.col_place", "ind.col_agency", "ind.col_marking", "ind.value"];
        mount(box, h("table", { class: "ind-records-table" }, caption, h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, t(k))))), rows));
      }
      // "more" only while records remain (removed, not hidden: button styles override [hidden])
      if (offset < r.total && !more.isConnected) box.appendChild(more);
      if (offset >= r.total) more.remove();
    } catch (e) {
      mount(box, e && e.status === 403 && e.message ? h("p", { class: "status error", role: "alert", id: `ind-records-refused-${part}` }, e.message) : errorMsg(e));
    }
  };
  more.addEventListener("click", page);
  mount(box, loading());
  page();
  return box;
}

const GOALS = ["protect", "prevent", "pursue"];
const YEARS = 6;
const SVG = "http://www.w3.org/2000/svg";
const W = 240;
const H = 70;

function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function digits(d) {
  return d.unit || d.denominator || d.factor !== 1 ? 1 : 0;
}

function reason(r) {
  if (r === "division by zero") return t("ind.reason_division_by_zero");
  if (r === "no value entered") return t("ind.reason_no_value_entered");
  return t("ind.reason_no_data");
}

function statusOf(f) {
  if (!f || f.target === null || f.value === null || f.achieved_pct === null) return ["none", t("ind.status_no_target")];
  if (f.achieved_pct >= 100) return ["met", t("ind.status_met")];
  if (f.achieved_pct >= 75) return ["track", t("ind.status_on_track")];
  return ["behind", t("ind.status_behind")];
}

// Bars of the last YEARS years; a year without a figure is a gap.
function trend(d, figs, year) {
  const vals = [];
  for (let y = year - YEARS + 1; y <= year; y++) vals.push([y, figs.get(`${d.code}|${y}`)]);
  const max = Math.max(0, ...vals.map(([, f]) => (f && f.value !== null ? Math.abs(f.value) : 0)));
  const id = `trend-${d.code}`;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-labelledby": `${id}-t`, class: "ind-trend", id });
  svg.appendChild(s("title", { id: `${id}-t` }, `${t("ind.trend")}: ${d.name[currentLang()]}`));
  const slot = W / YEARS;
  vals.forEach(([y, f], i) => {
    const has = f && f.value !== null;
    const hgt = has && max > 0 ? Math.round((Math.abs(f.value) / max) * (H - 24)) : 0;
    if (has) svg.appendChild(s("rect", { x: i * slot + slot / 6, y: H - 14 - hgt, width: (2 * slot) / 3, height: hgt, class: y === year ? "now" : "bar", "data-year": y, "data-value": f.value }));
    svg.appendChild(s("text", { x: i * slot + slot / 2, y: H - 2, "text-anchor": "middle" }, String(y)));
  });
  return svg;
}

function row(label, value) {
  return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value));
}

function card(d, figs, year, drill) {
  const f = figs.get(`${d.code}|${year}`);
  const dg = digits(d);
  const [cls, st] = statusOf(f);
  const value = f && f.value !== null ? num(f.value, dg) : "–";
  return h(
    "article",
    { class: "ind-card", "data-code": d.code, "aria-labelledby": `h-${d.code}` },
    h("h4", { id: `h-${d.code}` }, raw(d.name[currentLang()]), " ", raw(`(${d.code})`, "small")),
    h("p", { class: "ind-value", "data-value": f && f.value !== null ? f.value : "" }, value, f && f.value === null ? h("span", { class: "sub" }, ` — ${reason(f.reason)}`) : null),
    h(
      "table",
      { class: "ind-facts" },
      h("caption", { class: "visually-hidden" }, d.name[currentLang()]),
      h(
        "tbody",
        {},
        row(t("ind.baseline"), f && f.baseline !== null ? `${num(f.baseline, dg)} (${f.baseline_year})` : "–"),
        row(t("ind.target"), f && f.target !== null ? num(f.target, dg) : "–"),
        row(t("ind.achieved"), f && f.achieved_pct !== null ? `${num(f.achieved_pct)} %` : "–"),
        row(t("ind.status"), h("span", { class: `ind-status ${cls}` }, st)),
      ),
    ),
    d.manual ? null : trend(d, figs, year),
    d.manual ? null : h("button", { type: "button", class: "small secondary", "data-drill": d.code, onclick: () => drill(d) }, t("ind.drill")),
  );
}

export function dashboardPage(main) {
  const now = new Date().getFullYear();
  const year = h("input", { type: "number", id: "ind-year", min: 1990, max: 2100, value: String(now) });
  const rel = h("input", { type: "checkbox", id: "ind-releasable" });
  const body = h("div", { id: "ind-body" });
  const detail = h("div", { id: "ind-drill", "aria-live": "polite" });
  const report = h("a", { id: "ind-report", target: "_blank", rel: "noopener" }, t("ind.open_report"));
  const audience = () => (rel.checked ? "&releasable_to=MX,US" : "");
  const drill = async (d) => {
    mount(detail, loading());
    try {
      const [r, map] = await Promise.all([
        get(`/api/v1/indicators/${encodeURIComponent(d.code)}/drill?period=${year.value}${audience()}`),
        stateMap(d, year.value, audience()),
      ]);
      const rows = r.rows.map((x) => h("tr", {}, h("td", {}, t(`ind.formula_${x.formula}`)), h("td", {}, raw(x.name, "code")), h("td", {}, `${x.year}-${String(x.month).padStart(2, "0")}`), h("td", {}, raw(x.country || "–")), h("td", {}, raw(x.state || "–")), h("td", {}, raw(x.agency || "–")), h("td", {}, num(x.value, 1))));
      const records = h("div", { id: "ind-records" });
      const show = (part) => mount(records, recordsView(d, year.value, part, audience()));
      const buttons = h(
        "p",
        { class: "row" },
        h("button", { type: "button", class: "small", id: "ind-records-numerator", onclick: () => show("numerator") }, t("ind.records_numerator")),
        d.denominator ? h("button", { type: "button", class: "small secondary", id: "ind-records-denominator", onclick: () => show("denominator") }, t("ind.records_denominator")) : null,
      );
      mount(detail, map, table(t("ind.drill_caption", { code: d.code, year: year.value, n: rows.length }), [t("ind.col_formula"), t("ind.col_count"), t("ind.col_month"), t("ind.col_country"), t("ind.col_state"), t("ind.col_agency"), t("ind.value")], rows), buttons, records);
    } catch (e) {
      mount(detail, errorMsg(e));
    }
  };
  const load = async () => {
    const y = Number(year.value) || now;
    report.href = `/api/v1/reports/framework?year=${y}&lang=${currentLang()}${audience()}`;
    mount(body, loading());
    mount(detail);
    try {
      const [defs, res] = await Promise.all([get("/api/v1/indicators"), get(`/api/v1/indicators/figures?year=${y}&from=${y - YEARS + 1}${audience()}`)]);
      const figs = new Map(res.figures.filter((f) => f.cell === "").map((f) => [`${f.code}|${f.period}`, f]));
      if (!defs.indicators.length) return mount(body, h("p", {}, t("ind.none_defined")));
      mount(
        body,
        h("p", { class: "sub", id: "ind-meta" }, t("ind.computed", { date: res.computed_at.slice(0, 10) })),
        GOALS.map((g) =>
          h("section", { class: "ind-goal", "data-goal": g }, h("h2", {}, t(`ind.goal_${g}`)), h("div", { class: "ind-cards" }, defs.indicators.filter((d) => d.goal === g).map((d) => card(d, figs, y, drill)))),
        ),
      );
    } catch (e) {
      mount(body, errorMsg(e));
    }
  };
  year.addEventListener("change", load);
  rel.addEventListener("change", load);
  mount(
    main,
    h("h1", {}, t("ind.title")),
    h("p", {}, t("ind.intro")),
    h("div", { class: "ind-controls" }, field(t("ind.year"), year), h("div", { class: "field check" }, rel, h("label", { for: "ind-releasable" }, t("ind.releasable_only"))), report),
    body,
    detail,
  );
  load();
}
