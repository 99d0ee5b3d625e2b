// graph_analysis.js - the Networks page's analysis panel (docs/graph.md
// "Web page"): connected components (listed by size, one drawn a page at a
// time), communities (Leiden: the drawn nodes coloured by community, the
// communities listed with their sizes and most connected members),
// centrality (degree, betweenness — exact on small graphs, estimated from
// sampled sources on large ones, or the hop-cutoff measure —, PageRank, k-core: a top-N
// table, the drawn nodes sized by the measure, a row focuses its node), and
// the saved diagrams (list, reopen). Every figure shown is one the API
// returned for the caller's graph in the page's time window: the page
// counts nothing itself, so nothing the reader may not see can show.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, t, tv } from "../i18n.js";
import { errorMsg, loading, table } from "./common.js";

// One colour per community rank (0 = largest); the others share the last.
export const COMMUNITY_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990", "#808000", "#000075", "#a9a9a9"];
const MEASURES = ["degree", "betweenness", "pagerank", "kcore"];
const GROUP_PAGE = 100; // nodes of a component or community drawn per page (more on request)
const NODE_MIN = 18; // node sizes (px) when sized by a measure
const NODE_MAX = 64;
export const NODE_SIZE = 24;

const communityColour = (rank) => COMMUNITY_COLOURS[Math.min(rank, COMMUNITY_COLOURS.length - 1)];

// ctx: { cy(): the drawing, win(): "&from=..&to=.." of the time window,
//        draw(sub, replace, positions): add a GraphSub to the drawing (at positions {id: {x, y}}),
//        focus(id): select and centre a node, drawing it first if needed }
export function analysisSection(ctx) {
  const msg = h("div", { id: "ga-msg", "aria-live": "polite" });
  const comps = componentsPart(ctx, msg);
  const comms = communitiesPart(ctx, msg);
  const cent = centralityPart(ctx, msg);
  const saved = savedPart(ctx, msg);
  const el = h("section", { id: "graph-analysis", "aria-labelledby": "ga-title" },
    h("h2", { id: "ga-title" }, t("graph.analysis_title")), h("p", {}, t("graph.analysis_intro")), msg,
    comps.el, comms.el, cent.el, saved.el);
  return {
    el,
    // the drawing changed (nodes added or a new window): recolour and resize what is drawn
    changed: () => Promise.all([comms.apply(), cent.apply()]),
    // the time window changed: the listings are of the old window
    reset: () => { comps.reset(); comms.reset(); cent.reset(); },
  };
}

// POST /api/v1/graph/values for the drawn nodes: {id: value}
async function valuesOf(ctx, query) {
  const ids = ctx.cy().nodes().map((n) => n.id());
  if (!ids.length) return {};
  const res = await post(`/api/v1/graph/values?${query}${ctx.win()}`, { nodes: ids.slice(0, 1000) });
  return Object.fromEntries(res.values.map((v) => [v.id, v.value]));
}

// a colour sample (the style set through the CSSOM: the CSP refuses style attributes)
function swatch(colour) {
  const el = h("span", { class: "ga-swatch", "aria-hidden": "true" });
  el.style.backgroundColor = colour;
  return el;
}

const members = (sample) => h("ul", { class: "ga-members" }, sample.map((n) => h("li", {}, raw(n.label), " ", h("small", {}, raw(n.id)))));

// Draws one page of a group; "more" draws the next page.
function groupDrawer(ctx, msg, of, resolution) {
  const draw = async (node, offset) => {
    mount(msg, loading());
    try {
      const res = await get(`/api/v1/graph/group?of=${of}&node=${encodeURIComponent(node)}&offset=${offset}&limit=${GROUP_PAGE}${resolution ? `&resolution=${encodeURIComponent(resolution())}` : ""}${ctx.win()}`);
      await ctx.draw(res, offset === 0);
      const shown = Math.min(res.size, offset + res.nodes.length);
      const more = shown < res.size
        ? h("button", { type: "button", id: `ga-${of}-more`, onclick: () => draw(node, offset + GROUP_PAGE) }, t("graph.ga_more"))
        : null;
      mount(msg, status(t(`graph.ga_${of}_drawn`, { rank: num(res.rank + 1), shown: num(shown), size: num(res.size) }), "ok"), more);
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return draw;
}

function componentsPart(ctx, msg) {
  const top = h("input", { id: "ga-comp-top", type: "number", min: "1", max: "1000", value: "20" });
  const out = h("div", { id: "ga-components" });
  const draw = groupDrawer(ctx, msg, "component", null);
  const run = async () => {
    mount(out, loading());
    try {
      const res = await get(`/api/v1/graph/components?top=${encodeURIComponent(top.value || "20")}${ctx.win()}`);
      const rows = res.components.map((c) => h("tr", { "data-rank": c.rank, "data-size": c.size },
        h("td", {}, num(c.rank + 1)), h("td", { class: "ga-size" }, num(c.size)), h("td", {}, members(c.sample)),
        h("td", {}, h("button", { type: "button", class: "ga-draw", onclick: () => draw(c.sample[0].id, 0) }, t("graph.ga_draw")))));
      out.dataset.count = res.count;
      mount(out, table(t("graph.ga_components_caption", { shown: num(res.components.length), count: num(res.count) }),
        [t("graph.ga_rank"), t("graph.ga_size"), t("graph.ga_members"), t("graph.ga_action")], rows));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  const form = h("form", { id: "ga-comp-form", class: "ga-form", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    field(t("graph.ga_top"), top), h("button", { type: "submit", id: "ga-comp-run" }, t("graph.ga_components_run")));
  const el = h("section", { "aria-labelledby": "ga-comp-title" }, h("h3", { id: "ga-comp-title" }, t("graph.ga_components_title")),
    h("p", {}, t("graph.ga_components_intro")), form, out);
  return { el, reset: () => { delete out.dataset.count; mount(out); } };
}

function communitiesPart(ctx, msg) {
  const resolution = h("input", { id: "ga-resolution", type: "number", min: "0.01", max: "100", step: "any", value: "1" });
  const top = h("input", { id: "ga-comm-top", type: "number", min: "1", max: "1000", value: "20" });
  const out = h("div", { id: "ga-communities" });
  let active = null; // the resolution the drawing is coloured at, or null
  const draw = groupDrawer(ctx, msg, "community", () => active || resolution.value);
  const apply = async () => {
    if (active === null) return;
    const vals = await valuesOf(ctx, `measure=community&resolution=${encodeURIComponent(active)}`);
    ctx.cy().nodes().forEach((n) => {
      const r = vals[n.id()];
      n.data("colour", r === undefined ? n.data("kindColour") : communityColour(r));
      n.data("community", r === undefined ? "" : String(r));
    });
  };
  const run = async () => {
    mount(out, loading());
    try {
      const res = await get(`/api/v1/graph/communities?top=${encodeURIComponent(top.value || "20")}&resolution=${encodeURIComponent(resolution.value || "1")}${ctx.win()}`);
      active = resolution.value || "1";
      await apply();
      const rows = res.communities.map((c) => h("tr", { "data-rank": c.rank, "data-size": c.size },
        h("td", {}, swatch(communityColour(c.rank)), " ", num(c.rank + 1)),
        h("td", { class: "ga-size" }, num(c.size)), h("td", {}, members(c.sample)),
        h("td", {}, h("button", { type: "button", class: "ga-draw", onclick: () => draw(c.sample[0].id, 0) }, t("graph.ga_draw")))));
      out.dataset.count = res.count;
      mount(out, status(t("graph.ga_modularity", { q: num(res.quality, 3) })),
        table(t("graph.ga_communities_caption", { shown: num(res.communities.length), count: num(res.count) }),
          [t("graph.ga_community"), t("graph.ga_size"), t("graph.ga_top_members"), t("graph.ga_action")], rows),
        h("button", { type: "button", id: "ga-uncolour", onclick: () => { active = null; ctx.cy().nodes().forEach((n) => n.data("colour", n.data("kindColour"))); } }, t("graph.ga_uncolour")));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  const form = h("form", { id: "ga-comm-form", class: "ga-form", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    field(t("graph.ga_resolution"), resolution, t("graph.ga_resolution_hint")), field(t("graph.ga_top"), top),
    h("button", { type: "submit", id: "ga-comm-run" }, t("graph.ga_communities_run")));
  const el = h("section", { "aria-labelledby": "ga-comm-title" }, h("h3", { id: "ga-comm-title" }, t("graph.ga_communities_title")),
    h("p", {}, t("graph.ga_communities_intro")), form, out);
  return { el, apply, reset: () => { delete out.dataset.count; mount(out); } };
}

function centralityPart(ctx, msg) {
  const measure = h("select", { id: "ga-measure" }, MEASURES.map((m) => h("option", { value: m }, tv("graph.measure", m))));
  // betweenness's method: empty fields = the server's default (exact on small
  // graphs, sampled sources on large ones); samples or cutoff, one of them
  const samples = h("input", { id: "ga-samples", type: "number", min: "1", value: "", placeholder: "256" });
  const cutoff = h("input", { id: "ga-cutoff", type: "number", min: "1", max: "6", value: "" });
  const kcore = h("input", { id: "ga-k", type: "number", min: "0", value: "0" });
  const top = h("input", { id: "ga-cent-top", type: "number", min: "1", max: "1000", value: "20" });
  const out = h("div", { id: "ga-centrality" });
  let active = null; // the query the drawing is sized by, or null
  const betwArg = () => {
    if (measure.value !== "betweenness") return "";
    if (Number(samples.value) > 0) return `&samples=${encodeURIComponent(samples.value)}`;
    return Number(cutoff.value) > 0 ? `&cutoff=${encodeURIComponent(cutoff.value)}` : "";
  };
  const query = () => `measure=${encodeURIComponent(measure.value)}${betwArg()}`;
  // how betweenness was computed, as the API said
  const methodLine = (res) => res.method === "sampled" ? t("graph.ga_betw_sampled", { k: num(res.samples), seed: String(res.seed) })
    : res.method === "cutoff" ? t("graph.ga_betw_cutoff", { c: num(res.cutoff) })
    : res.method === "exact" ? t("graph.ga_betw_exact", { n: num(res.samples) }) : null;
  const kArg = () => (measure.value === "kcore" && Number(kcore.value) > 0 ? `&k=${encodeURIComponent(kcore.value)}` : "");
  const apply = async () => {
    if (active === null) return;
    const vals = await valuesOf(ctx, active);
    const max = Math.max(0, ...Object.values(vals));
    ctx.cy().nodes().forEach((n) => {
      const v = vals[n.id()];
      n.data("size", v === undefined || max <= 0 ? NODE_MIN : NODE_MIN + ((NODE_MAX - NODE_MIN) * v) / max);
      n.data("score", v === undefined ? "" : String(v));
    });
  };
  const run = async () => {
    mount(out, loading());
    try {
      const res = await get(`/api/v1/graph/centrality?${query()}${kArg()}&top=${encodeURIComponent(top.value || "20")}${ctx.win()}`);
      active = query();
      await apply();
      const rows = res.nodes.map((x, i) => h("tr", { "data-id": x.node.id },
        h("td", {}, num(i + 1)), h("td", { class: "ga-score" }, num(x.score, x.score % 1 ? 4 : 0)),
        h("td", {}, h("button", { type: "button", class: "link ga-focus", onclick: () => ctx.focus(x.node.id) }, raw(x.node.label), " ", h("small", {}, raw(x.node.id)))),
        h("td", {}, tv("graph.kind", x.node.kind))));
      out.dataset.total = res.total;
      out.dataset.method = res.method || "";
      const how = methodLine(res);
      mount(out, ...(how ? [status(how)] : []), table(t("graph.ga_centrality_caption", { measure: tv("graph.measure", res.measure), n: num(res.nodes.length), total: num(res.total) }),
        [t("graph.ga_rank"), t("graph.ga_score"), t("graph.col_label"), t("graph.col_kind")], rows),
        h("button", { type: "button", id: "ga-unsize", onclick: () => { active = null; ctx.cy().nodes().forEach((n) => n.data("size", NODE_SIZE)); } }, t("graph.ga_unsize")));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  const form = h("form", { id: "ga-cent-form", class: "ga-form", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    field(t("graph.ga_measure"), measure), field(t("graph.ga_samples"), samples, t("graph.ga_samples_hint")),
    field(t("graph.ga_cutoff"), cutoff, t("graph.ga_cutoff_hint")),
    field(t("graph.ga_k"), kcore, t("graph.ga_k_hint")), field(t("graph.ga_top"), top),
    h("button", { type: "submit", id: "ga-cent-run" }, t("graph.ga_centrality_run")));
  const el = h("section", { "aria-labelledby": "ga-cent-title" }, h("h3", { id: "ga-cent-title" }, t("graph.ga_centrality_title")),
    h("p", {}, t("graph.ga_centrality_intro")), form, out);
  return { el, apply, reset: () => mount(out) };
}

// The node positions of a saved layout ({"positions": {id: {x, y}}}), or null
// (a set, an older diagram saved as cytoscape's elements, or bad JSON).
function positionsOf(layout) {
  try {
    const l = layout ? JSON.parse(layout) : null;
    return l && typeof l.positions === "object" ? l.positions : null;
  } catch {
    return null;
  }
}

function savedPart(ctx, msg) {
  const out = h("div", { id: "ga-saved" });
  const open = async (s) => {
    mount(msg, loading());
    try {
      const set = await get(`/api/v1/graph/sets/${s.id}`);
      const sub = await post(`/api/v1/graph/subgraph?${ctx.win().slice(1)}`, { nodes: set.nodes });
      await ctx.draw(sub, true, positionsOf(set.layout));
      mount(msg, status(t("graph.ga_opened", { name: s.name, n: num(sub.nodes.length), missing: num(sub.missing) }), "ok"));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const list = async () => {
    mount(out, loading());
    try {
      const res = await get("/api/v1/graph/sets");
      mount(out, table(t("graph.ga_saved_caption", { n: num(res.sets.length) }), [t("graph.ga_saved_name"), t("graph.col_kind"), t("graph.ga_size"), t("graph.ga_action")],
        res.sets.map((s) => h("tr", { "data-set": s.id }, h("td", {}, raw(s.name)), h("td", {}, tv("graph.set_kind", s.kind)), h("td", {}, num(s.size)),
          h("td", {}, h("button", { type: "button", class: "ga-open", onclick: () => open(s) }, t("graph.ga_open")))))));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  const el = h("section", { "aria-labelledby": "ga-saved-title" }, h("h3", { id: "ga-saved-title" }, t("graph.ga_saved_title")),
    h("button", { type: "button", id: "ga-saved-list", onclick: list }, t("graph.ga_saved_list")), out);
  return { el };
}
