// graph.js - the network (docs/graph.md): the reader's graph around a node
// drawn with cytoscape (bundled by esbuild; no CDN); click a node to expand
// it; find a path between two nodes, or the connecting network of several,
// and highlight it; export PNG (the
// drawing), GraphML and FtM (the API's export of the nodes on screen, for
// roles with export); save the nodes on screen as a diagram. Everything
// shown comes from the API, which builds the graph from what the reader may
// see. Below it, the cross-reference (Aleph's xref): the pairs resolution
// found between two collections, with the analysts' verdicts, judged in place
// (same / not the same / unsure / revoke) by roles that may write.
import { api, get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { t, tv } from "../i18n.js";
import { can } from "../main.js";
import { errorMsg, loading, table } from "./common.js";
import { analysisSection, NODE_SIZE } from "./graph_analysis.js";

const KIND_COLOURS = {
  entity: "#1f5f99", resolved: "#8a2be2", "trace.purchaser": "#b03a2e", "trace.possessor": "#b9770e",
  dealer: "#117a65", firearm: "#5d6d7e", recovery: "#884ea0", "cargo.party": "#2874a6", address: "#7d6608",
  phone: "#616a6b", tip: "#a04000", "tip.mention": "#a04000", case: "#1e8449", "case.subject": "#1e8449",
};

const STYLE = [
  { selector: "node", style: { label: "data(label)", "font-size": 9, "background-color": "data(colour)", width: "data(size)", height: "data(size)", color: "#111", "text-wrap": "ellipsis", "text-max-width": 120 } },
  { selector: "edge", style: { width: 1.5, "line-color": "#aab", "curve-style": "bezier", label: "data(type)", "font-size": 7, color: "#555" } },
  { selector: ".path", style: { "line-color": "#d35400", "background-color": "#d35400", width: 4 } },
  { selector: ":selected", style: { "border-width": 3, "border-color": "#000" } },
];

function addSub(cy, sub) {
  const els = [];
  for (const n of sub.nodes) {
    const colour = KIND_COLOURS[n.kind] || "#333";
    if (cy.getElementById(n.id).empty())
      els.push({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, colour, kindColour: colour, size: NODE_SIZE } });
  }
  for (const e of sub.edges) {
    const id = `${e.source}|${e.from}|${e.to}|${e.type}`;
    if (cy.getElementById(id).empty())
      els.push({ group: "edges", data: { id, source: e.from, target: e.to, type: e.type, provenance: e.source, date: e.date } });
  }
  cy.add(els);
  cy.layout({ name: "cose", animate: false, randomize: false }).run();
}

// cytoscape, from its own bundle (build/web/graph-lib.js): loaded once, by this page only
let libPromise = null;
function loadLib() {
  if (window.PuenteCytoscape) return Promise.resolve(window.PuenteCytoscape);
  libPromise ||= new Promise((resolve, reject) => {
    const s = h("script", { src: "/assets/graph-lib.js" });
    s.onload = () => resolve(window.PuenteCytoscape);
    s.onerror = () => {
      libPromise = null;
      reject(new Error(t("error.generic")));
    };
    document.head.appendChild(s);
  });
  return libPromise;
}

function download(name, type, data) {
  const a = h("a", { href: URL.createObjectURL(new Blob([data], { type })), download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export async function graphPage(main, id) {
  mount(main, h("h1", {}, t("graph.title")), loading());
  let cytoscape;
  try {
    cytoscape = await loadLib();
  } catch (e) {
    mount(main, h("h1", {}, t("graph.title")), errorMsg(e));
    return;
  }
  const msg = h("div", { id: "graph-msg", "aria-live": "polite" });
  const node = h("input", { id: "graph-node", name: "node", value: id || "", autocomplete: "off" });
  const hops = h("select", { id: "graph-hops" }, [1, 2, 3].map((n) => h("option", { value: n }, String(n))));
  const pathA = h("input", { id: "graph-a", autocomplete: "off" });
  const pathB = h("input", { id: "graph-b", autocomplete: "off" });
  const canvas = h("div", { id: "graph-canvas", class: "graph-canvas", role: "img", "aria-label": t("graph.canvas_label") });
  const list = h("div", { id: "graph-list" });
  const details = h("div", { id: "graph-details", "aria-live": "polite" });
  const winFrom = h("input", { id: "graph-window-from", type: "date" });
  const winTo = h("input", { id: "graph-window-to", type: "date" });
  // the time window of every call: only links dated within it (docs/graph.md "Time filter")
  let window_ = { from: "", to: "" };
  const win = () => `${window_.from ? `&from=${window_.from}` : ""}${window_.to ? `&to=${window_.to}` : ""}`;
  let cy = null; // drawn once the container is in the page (it needs its size)
  let analysis = null;
  const changed = () => analysis && analysis.changed().catch((e) => mount(msg, errorMsg(e)));

  const showList = () => {
    const rows = cy.nodes().map((n) =>
      h("tr", { "data-id": n.id() }, h("td", {}, raw(n.id())), h("td", {}, tv("graph.kind", n.data("kind"))), h("td", {}, raw(n.data("label")))),
    );
    mount(list, table(t("graph.nodes_caption", { n: cy.nodes().length, e: cy.edges().length }), [t("graph.col_id"), t("graph.col_kind"), t("graph.col_label")], rows));
  };
  const expand = async (key, n) => {
    mount(msg, loading());
    try {
      const sub = await get(`/api/v1/graph/expand?node=${encodeURIComponent(key)}&hops=${n}&limit=200${win()}`);
      addSub(cy, sub);
      await changed();
      mount(msg, status(t("graph.expanded", { node: sub.nodes[0].label, total: sub.total }), "ok"));
      showList();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const findPath = async () => {
    mount(msg, loading());
    try {
      const res = await get(`/api/v1/graph/path?a=${encodeURIComponent(pathA.value.trim())}&b=${encodeURIComponent(pathB.value.trim())}${win()}`);
      const p = res.paths[0];
      addSub(cy, p);
      await changed();
      cy.elements().removeClass("path");
      for (const n of p.nodes) cy.getElementById(n.id).addClass("path");
      for (const e of p.edges) cy.getElementById(`${e.source}|${e.from}|${e.to}|${e.type}`).addClass("path");
      mount(msg, status(t("graph.path_found", { n: p.edges.length }), "ok"),
        h("ol", { id: "graph-path" }, p.nodes.map((n) => h("li", {}, raw(n.id), " ", raw(n.label)))));
      showList();
    } catch (e) {
      mount(msg, e && e.status === 404 ? status(t("graph.no_path"), "error") : errorMsg(e));
    }
  };
  // the connecting network of a set (i2's "find connecting network"): the shortest
  // paths between every two of the nodes named, drawn and highlighted
  const netNodes = h("input", { id: "graph-net-nodes", autocomplete: "off" });
  const connect = async () => {
    const keys = netNodes.value.split(/[\s,]+/).filter(Boolean);
    if (keys.length < 2) {
      mount(msg, status(t("graph.net_two"), "error"));
      return;
    }
    mount(msg, loading());
    try {
      const sub = await post(`/api/v1/graph/network?${win().slice(1)}`, { nodes: keys });
      addSub(cy, sub);
      await changed();
      cy.elements().removeClass("path");
      for (const n of sub.nodes) cy.getElementById(n.id).addClass("path");
      for (const e of sub.edges) cy.getElementById(`${e.source}|${e.from}|${e.to}|${e.type}`).addClass("path");
      mount(msg, status(t("graph.net_found", { n: keys.length, m: sub.nodes.length, e: sub.edges.length }), "ok"));
      showList();
    } catch (e) {
      mount(msg, e && e.status === 404 ? status(t("graph.net_unknown"), "error") : errorMsg(e));
    }
  };
  const useSelected = () => {
    const ids = cy.nodes(":selected").map((n) => n.id());
    netNodes.value = ids.join(" ");
    if (ids.length < 2) mount(msg, status(t("graph.net_two"), "error"));
  };
  const exportAs = async (format) => {
    try {
      const r = await api("POST", `/api/v1/graph/export?${win().slice(1)}`, { nodes: cy.nodes().map((n) => n.id()), format }, { text: true });
      download(format === "ftm" ? "puente-graph.ftm.jsonl" : "puente-graph.graphml", r.type, r.text);
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const save = async () => {
    try {
      const r = await post("/api/v1/graph/sets", { kind: "diagram", name: t("graph.diagram_name", { n: cy.nodes().length }), nodes: cy.nodes().map((n) => n.id()), layout: JSON.stringify({ positions: Object.fromEntries(cy.nodes().map((n) => [n.id(), n.position()])) }) });
      mount(msg, status(t("graph.saved", { id: r.id }), "ok"));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };

  const bind = () => {
  cy.on("tap", "node", (ev) => {
    const n = ev.target;
    mount(details, h("p", {}, raw(n.id()), " — ", raw(n.data("label"))));
    expand(n.id(), 1);
  });
  cy.on("tap", "edge", (ev) => {
    const e = ev.target;
    mount(details, h("p", {}, tv("graph.kind", e.data("type")), " — ", raw(e.data("provenance")), " ", raw(e.data("date") || "")));
  });
  };

  // the drawing from the analysis panel: a component, a community, a saved diagram
  // positions (a reopened diagram's) place the nodes it names; the rest keep the layout's
  const draw = async (sub, replace, positions) => {
    if (replace) cy.elements().remove();
    addSub(cy, sub);
    if (positions) {
      cy.nodes().forEach((n) => { const p = positions[n.id()]; if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) n.position({ x: p.x, y: p.y }); });
      cy.fit(undefined, 30);
    }
    showList();
    await changed();
  };
  // centre a node of the centrality table, drawing it (and its neighbours) when absent
  const focus = async (key) => {
    if (cy.getElementById(key).empty()) await expand(key, 1);
    const n = cy.getElementById(key);
    if (n.empty()) return;
    cy.elements().unselect();
    n.select();
    cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1) }, { duration: 0 });
    mount(details, h("p", {}, raw(n.id()), " — ", raw(n.data("label"))));
  };
  // a new window: the drawn nodes keep their place, their links are the window's
  const applyWindow = async () => {
    window_ = { from: winFrom.value, to: winTo.value };
    analysis.reset();
    try {
      const ids = cy.nodes().map((n) => n.id());
      if (ids.length) {
        const sub = await post(`/api/v1/graph/subgraph?${win().slice(1)}`, { nodes: ids.slice(0, 1000) });
        cy.edges().remove();
        addSub(cy, sub);
        showList();
        await changed();
      }
      mount(msg, status(window_.from || window_.to ? t("graph.window_set", { from: window_.from || "…", to: window_.to || "…" }) : t("graph.window_none"), "ok"));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const windowForm = h("form", { id: "graph-window-form", onsubmit: (ev) => { ev.preventDefault(); applyWindow(); } },
    field(t("graph.window_from"), winFrom), field(t("graph.window_to"), winTo, t("graph.window_hint")),
    h("button", { type: "submit", id: "graph-window-apply" }, t("graph.window_apply")));
  analysis = analysisSection({ cy: () => cy, win, draw, focus });
  const xref = xrefSection((key) => { node.value = key; expand(key, 1); });
  const expandForm = h("form", { id: "graph-expand-form", onsubmit: (ev) => { ev.preventDefault(); if (node.value.trim()) expand(node.value.trim(), hops.value); } },
    field(t("graph.node"), node, t("graph.node_hint")), field(t("graph.hops"), hops), h("button", { type: "submit", id: "graph-expand" }, t("graph.expand")));
  const pathForm = h("form", { id: "graph-path-form", onsubmit: (ev) => { ev.preventDefault(); findPath(); } },
    field(t("graph.from"), pathA), field(t("graph.to"), pathB), h("button", { type: "submit", id: "graph-find-path" }, t("graph.find_path")));
  const netForm = h("form", { id: "graph-net-form", onsubmit: (ev) => { ev.preventDefault(); connect(); } },
    field(t("graph.net_nodes"), netNodes, t("graph.net_hint")),
    h("button", { type: "button", id: "graph-net-selected", onclick: useSelected }, t("graph.net_selected")),
    h("button", { type: "submit", id: "graph-connect" }, t("graph.net_connect")));
  const tools = h("div", { class: "graph-tools" },
    h("button", { type: "button", id: "graph-png", onclick: () => download("puente-graph.png", "image/png", cy.png({ output: "blob", full: true, bg: "#ffffff" })) }, t("graph.export_png")),
    can("export") ? h("button", { type: "button", id: "graph-graphml", onclick: () => exportAs("graphml") }, t("graph.export_graphml")) : null,
    can("export") ? h("button", { type: "button", id: "graph-ftm", onclick: () => exportAs("ftm") }, t("graph.export_ftm")) : null,
    can("write") ? h("button", { type: "button", id: "graph-save", onclick: save }, t("graph.save")) : null,
    h("button", { type: "button", id: "graph-clear", onclick: () => { cy.elements().remove(); showList(); mount(details); } }, t("graph.clear")));
  mount(main, h("h1", {}, t("graph.title")), h("p", {}, t("graph.intro")), windowForm, expandForm, pathForm, netForm, tools, msg, canvas, details, list, analysis.el, xref);
  cy = cytoscape({ container: canvas, style: STYLE, elements: [] });
  window.__puenteGraph = cy; // for the browser test
  bind();
  if (id) expand(id, 1);
}

// ---- cross-reference ----
const XREF_SOURCES = ["entity", "trace.purchaser", "trace.possessor", "dealer", "cargo.party", "tip.mention"];
const VERDICTS = ["same", "not_same", "unsure", "none"];

function xrefSection(openNode) {
  const sel = (id, value) => h("select", { id }, XREF_SOURCES.filter((v) => v !== "tip.mention" || can("tips")).map((v) => h("option", { value: v, selected: v === value }, tv("graph.source", v))));
  const a = sel("xref-a", "trace.purchaser");
  const b = sel("xref-b", "entity");
  const dataset = h("input", { id: "xref-dataset", autocomplete: "off" });
  const min = h("input", { id: "xref-min", type: "number", min: "0", max: "1", step: "0.05", value: "0.5" });
  const msg = h("div", { id: "xref-msg", "aria-live": "polite" });
  const out = h("div", { id: "xref-list" });
  const sourceA = () => (a.value === "entity" && dataset.value.trim() ? `entity:${dataset.value.trim()}` : a.value);
  const run = async () => {
    mount(msg, loading());
    try {
      const q = `a=${encodeURIComponent(sourceA())}&b=${encodeURIComponent(b.value)}&min=${encodeURIComponent(min.value || "0.5")}`;
      const res = await get(`/api/v1/resolve/xref?${q}`);
      mount(msg);
      mount(out, table(t("graph.xref_caption", { n: res.pairs.length }),
        [t("graph.xref_score"), t("graph.xref_record_a"), t("graph.xref_record_b"), t("graph.xref_verdict"), can("write") ? t("graph.xref_judge") : null].filter(Boolean),
        res.pairs.map((p) => xrefRow(p, openNode, msg, run))));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const form = h("form", { id: "xref-form", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    field(t("graph.xref_a"), a), field(t("graph.xref_dataset"), dataset, t("graph.xref_dataset_hint")), field(t("graph.xref_b"), b),
    field(t("graph.xref_min"), min), h("button", { type: "submit", id: "xref-run" }, t("graph.xref_run")));
  return h("section", { id: "xref", "aria-labelledby": "xref-title" }, h("h2", { id: "xref-title" }, t("graph.xref_title")), h("p", {}, t("graph.xref_intro")), form, msg, out);
}

function xrefRow(p, openNode, msg, rerun) {
  const rec = (key, name) => h("button", { type: "button", class: "link", onclick: () => openNode(key) }, raw(name), " ", h("small", {}, raw(key)));
  const judge = async (verdict) => {
    try {
      await post("/api/v1/resolve/judgements", { a: p.a, b: p.b, verdict });
      await rerun(); // the list as it now stands, then the confirmation
      mount(msg, status(t("graph.xref_judged", { verdict: tv("graph.verdict", verdict) }), "ok"));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const buttons = VERDICTS.filter((v) => v !== "none" || p.verdict).map((v) =>
    h("button", { type: "button", class: `xref-${v}`, onclick: () => judge(v) }, tv("graph.verdict", v)));
  return h("tr", { "data-a": p.a, "data-b": p.b },
    h("td", {}, p.score.toFixed(2), " ", tv("graph.xref", p.conflict ? "conflict" : "match")),
    h("td", {}, rec(p.a, p.name_a)), h("td", {}, rec(p.b, p.name_b)),
    h("td", { class: "xref-verdict" }, p.verdict ? tv("graph.verdict", p.verdict) : "—"),
    can("write") ? h("td", {}, buttons) : null);
}
