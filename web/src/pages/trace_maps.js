// trace_maps.js - the trace page's drawings, as SVG built node by node (no
// innerHTML, no inline style: fills are presentation attributes, so the
// strict CSP holds): the two choropleths (US source states, Mexican
// recovery states) and the time-to-crime histogram. The boundaries come
// from /assets/trace-maps.json (web/maps/build-maps.cjs), fetched the first
// time a map is drawn and only on this page.
import { h } from "../dom.js";
import { num, t } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";
// Sequential blues (ColorBrewer "Blues", 5 classes); no trace: light grey.
const CLASSES = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const NONE = "#eeeeee";

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

let mapsPromise = null;
export function loadMaps() {
  if (!mapsPromise)
    mapsPromise = fetch("/assets/trace-maps.json", { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error(`maps: HTTP ${r.status}`);
      return r.json();
    });
  return mapsPromise;
}

// Class 1..5 of a count by equal steps of the largest count (0: none).
export function classOf(count, max) {
  if (!count || !max) return 0;
  return Math.min(CLASSES.length, Math.ceil((count / max) * CLASSES.length));
}

// A choropleth: one path per state with data-state, data-count and its
// fill; a legend; the figures as a table for screen readers and keyboards.
// onPick(code), when given: a click on a state (or its button in the
// table, for the keyboard) picks it.
export function choropleth(id, geo, counts, title, nameOf, onPick) {
  const max = Math.max(0, ...Object.values(counts));
  const svg = s("svg", { viewBox: geo.viewBox, role: "img", "aria-labelledby": `${id}-title`, class: "map", id });
  svg.appendChild(s("title", { id: `${id}-title` }, title));
  for (const st of geo.states) {
    const n = counts[st.code] || 0;
    const c = classOf(n, max);
    const path = s("path", { d: st.d, "data-state": st.code, "data-count": n, "data-class": c, fill: c ? CLASSES[c - 1] : NONE, stroke: "#ffffff", "stroke-width": 0.6, class: onPick ? "pickable" : null },
      s("title", {}, `${nameOf(st.code, st.name)}: ${num(n)}`));
    if (onPick) path.addEventListener("click", () => onPick(st.code));
    svg.appendChild(path);
  }
  const steps = CLASSES.map((col, i) => {
    const lo = Math.floor((i * max) / CLASSES.length) + 1;
    const hi = Math.floor(((i + 1) * max) / CLASSES.length);
    return lo <= hi ? h("li", {}, h("span", { class: `swatch sw-${i + 1}`, "aria-hidden": "true" }), `${num(lo)}–${num(hi)}`) : null;
  });
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => h("tr", { "data-state": code },
      h("td", {}, onPick ? h("button", { type: "button", class: "link", onclick: () => onPick(code), "aria-label": t("trace.map_pick", { state: nameOf(code, code) }) }, nameOf(code, code)) : nameOf(code, code)),
      h("td", { class: "num" }, num(n))));
  return h(
    "figure",
    { class: "map-figure" },
    svg,
    h("ul", { class: "legend", "aria-label": t("trace.map_legend") }, h("li", {}, h("span", { class: "swatch sw-0", "aria-hidden": "true" }), t("trace.map_none")), steps),
    h(
      "details",
      {},
      h("summary", {}, t("trace.map_table")),
      h("table", {}, h("caption", {}, title), h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("trace.state")), h("th", { scope: "col" }, t("trace.map_count")))), h("tbody", {}, rows)),
    ),
  );
}

// Time-to-crime in whole years: one bar per bin with data-from/data-count.
export function histogram(bins, title) {
  const W = 640;
  const H = 240;
  const left = 44;
  const bottom = 34;
  const top = 12;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const bw = (W - left - 8) / bins.length;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "ttc-title", class: "histogram", id: "ttc-histogram" });
  svg.appendChild(s("title", { id: "ttc-title" }, title));
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  for (const tick of [0, Math.round(max / 2), max]) {
    svg.appendChild(s("line", { x1: left - 4, x2: W - 8, y1: y(tick), y2: y(tick), stroke: "#cccccc", "stroke-width": 1 }));
    svg.appendChild(s("text", { x: left - 8, y: y(tick) + 4, "text-anchor": "end", class: "tick" }, num(tick)));
  }
  bins.forEach((b, i) => {
    const x = left + i * bw;
    const label = b.to_years === null ? `${b.from_years}+` : `${b.from_years}–${b.to_years}`;
    // under 3 years is the trafficking indicator (docs/trace.md): darker
    const fill = b.from_years < 3 ? "#b35806" : "#3182bd";
    svg.appendChild(
      s("rect", { x: x + 2, y: y(b.count), width: Math.max(1, bw - 4), height: H - bottom - y(b.count), fill, "data-from": b.from_years, "data-count": b.count },
        s("title", {}, t("trace.ttc_bin", { years: label, n: num(b.count) }))),
    );
    svg.appendChild(s("text", { x: x + bw / 2, y: H - bottom + 16, "text-anchor": "middle", class: "tick" }, label));
  });
  svg.appendChild(s("text", { x: W / 2, y: H - 2, "text-anchor": "middle", class: "axis" }, t("trace.ttc_axis")));
  return svg;
}
