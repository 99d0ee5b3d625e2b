// kinship_cases.js - the identification case database (docs/kinship.md "Case
// database"): the hits the incremental search stored, and one hit with its
// family's pedigree drawn as SVG from the pedigree data, the LR of every
// marker, and the four-eyes steps (review; confirm with the prior, or
// exclude, by another geneticist). Every request states a purpose: the GETs
// send the purpose typed in the page's field, each step asks for it anew.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, t, tv } from "../i18n.js";
import { errorMsg, table } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const BOX = 34; // a person's symbol, px
const GAP_X = 70;
const GAP_Y = 90;
const STATUSES = ["candidate", "reviewed", "confirmed", "excluded", "superseded"];

function lrText(x) {
  if (x === null || x === undefined) return "—";
  return x >= 1e5 || (x > 0 && x < 1e-3) ? x.toExponential(3) : num(x, 3);
}

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const k of kids) el.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
  return el;
}

// Generations: founders at 0, a child one below its deeper parent.
function layout(persons) {
  const by = Object.fromEntries(persons.map((p) => [p.id, p]));
  const depth = {};
  const d = (id, seen = 0) => {
    if (id in depth) return depth[id];
    const p = by[id];
    if (!p || seen > persons.length) return 0;
    const v = p.father || p.mother ? 1 + Math.max(p.father ? d(p.father, seen + 1) : 0, p.mother ? d(p.mother, seen + 1) : 0) : 0;
    depth[id] = v;
    return v;
  };
  persons.forEach((p) => d(p.id));
  const rows = {};
  persons.forEach((p) => (rows[depth[p.id]] = rows[depth[p.id]] || []).push(p));
  const pos = {};
  const width = Math.max(...Object.values(rows).map((r) => r.length)) * (BOX + GAP_X) + GAP_X;
  for (const [g, row] of Object.entries(rows)) {
    const step = width / (row.length + 1);
    row.forEach((p, i) => (pos[p.id] = { x: step * (i + 1), y: 30 + Number(g) * (BOX + GAP_Y) }));
  }
  return { pos, width, height: 60 + Object.keys(rows).length * (BOX + GAP_Y) };
}

// The pedigree as SVG: squares men, circles women, diamonds unknown; filled =
// a reference relative with consent; the missing person outlined in red
// with "?"; lines from each parent pair to its children.
export function pedigreeSvg(persons) {
  const { pos, width, height } = layout(persons);
  const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "ped-title", id: "pedigree" });
  svg.appendChild(s("title", { id: "ped-title" }, t("kcase.pedigree_title")));
  for (const p of persons) {
    if (!p.father || !pos[p.father] || !pos[p.mother]) continue;
    const a = pos[p.father], b = pos[p.mother], c = pos[p.id];
    const mx = (a.x + b.x) / 2, my = a.y + BOX / 2;
    svg.appendChild(s("line", { x1: a.x, y1: my, x2: b.x, y2: my, class: "ped-line" }));
    svg.appendChild(s("line", { x1: mx, y1: my, x2: c.x, y2: c.y - BOX / 2, class: "ped-line", "data-child": p.id }));
  }
  for (const p of persons) {
    const { x, y } = pos[p.id];
    const cls = `ped-person ${p.typed ? "typed" : ""} ${p.role === "missing" ? "missing" : ""}`;
    const r = BOX / 2;
    let shape;
    if (p.sex === 1) shape = s("rect", { x: x - r, y: y - r, width: BOX, height: BOX, class: cls });
    else if (p.sex === 2) shape = s("circle", { cx: x, cy: y, r, class: cls });
    else shape = s("polygon", { points: `${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}`, class: cls });
    const g = s("g", { "data-person": p.id, "data-role": p.role, "data-typed": p.typed ? "1" : "0" }, shape);
    if (p.role === "missing") g.appendChild(s("text", { x, y: y + 5, "text-anchor": "middle", class: "ped-q" }, "?"));
    g.appendChild(s("text", { x, y: y + r + 14, "text-anchor": "middle", class: "ped-id raw" }, p.id));
    svg.appendChild(g);
  }
  return svg;
}

export function kinshipCasesPage(main, id) {
  const purpose = h("input", { id: "kc-purpose", type: "text", maxlength: 500, autocomplete: "off", class: "wide" });
  const out = h("div", { id: "kc-out", "aria-live": "polite" });
  const filter = h("select", { id: "kc-status" }, h("option", { value: "" }, t("kcase.all")), STATUSES.map((v) => h("option", { value: v }, tv("kcase_status", v))));
  const why = () => {
    const v = purpose.value.trim();
    if (!v) {
      mount(out, status(t("kcase.purpose_needed"), "error"));
      purpose.focus();
    }
    return v;
  };
  const q = (p) => `purpose=${encodeURIComponent(p)}`;

  const list = async () => {
    const p = why();
    if (!p) return;
    try {
      const st = filter.value ? `&status=${filter.value}` : "";
      const r = await get(`/api/v1/kinship/cases/hits?${q(p)}${st}`);
      const rows = r.hits.map((x) =>
        h(
          "tr",
          { "data-hit": x.id },
          h("td", {}, h("button", { type: "button", class: "link", onclick: () => open(x.id) }, t("kcase.open", { id: x.id }))),
          h("td", {}, raw(x.pm_sample)),
          h("td", {}, raw(x.family)),
          h("td", {}, raw(x.missing)),
          h("td", { class: "lr" }, lrText(x.lr)),
          h("td", {}, tv("kcase_status", x.status)),
          h("td", {}, raw(x.reviewed_by || "—")),
          h("td", {}, raw(x.decided_by || "—")),
        ),
      );
      mount(out, rows.length ? table(t("kcase.hits_table"), [t("kcase.hit"), t("kinship.pm"), t("kinship.family"), t("kinship.missing"), t("kinship.lr"), t("kcase.status"), t("kcase.reviewed_by"), t("kcase.decided_by")], rows) : h("p", {}, t("kcase.no_hits")));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };

  const step = (hid, what, extra) => async () => {
    const p = why();
    if (!p) return;
    try {
      const body = { purpose: p, ...extra() };
      await post(`/api/v1/kinship/cases/hits/${hid}/${what}`, body);
      purpose.value = ""; // the next step states its purpose again
      await open(hid, p);
    } catch (e) {
      // a refused decision is the four-eyes rule: say so, not just "denied"
      if (e && e.status === 403 && what !== "review") mount(out, status(t("kcase.four_eyes_refused"), "error"));
      else mount(out, errorMsg(e));
    }
  };

  const open = async (hid, known) => {
    const p = known || why();
    if (!p) return;
    try {
      const { hit } = await get(`/api/v1/kinship/cases/hits/${hid}?${q(p)}`);
      const prior = h("input", { id: "kc-prior", type: "number", min: "0", max: "1", step: "any", value: "0.01" });
      const note = h("input", { id: "kc-note", type: "text", maxlength: 500 });
      const markers = table(
        t("kcase.markers_table"),
        [t("kinship.marker"), t("kinship.lr"), t("kinship.log10")],
        hit.markers.map((m) => h("tr", { "data-marker": m.marker }, h("td", {}, raw(m.marker)), h("td", { class: "lr" }, lrText(m.lr)), h("td", {}, num(m.log10_lr, 3)))),
      );
      const actions = [];
      if (hit.status === "candidate") actions.push(h("button", { type: "button", id: "kc-review", onclick: step(hid, "review", () => ({ note: note.value })) }, t("kcase.review")));
      if (hit.status === "reviewed") {
        actions.push(field(t("kcase.prior"), prior, t("kcase.prior_hint")));
        actions.push(h("button", { type: "button", id: "kc-confirm", onclick: step(hid, "confirm", () => ({ prior: Number(prior.value), note: note.value })) }, t("kcase.confirm")));
        actions.push(h("button", { type: "button", id: "kc-exclude", onclick: step(hid, "exclude", () => ({ note: note.value })) }, t("kcase.exclude")));
      }
      mount(
        out,
        h("h2", { id: "kc-hit-title" }, t("kcase.hit_title", { id: hit.id })),
        h(
          "dl",
          { class: "facts", id: "kc-facts", "data-status": hit.status },
          h("dt", {}, t("kinship.pm")), h("dd", {}, raw(hit.pm_sample)),
          h("dt", {}, t("kinship.family")), h("dd", {}, raw(`${hit.family} / ${hit.missing}`)),
          h("dt", {}, t("kinship.lr")), h("dd", { id: "kc-lr" }, lrText(hit.lr)),
          h("dt", {}, t("kcase.status")), h("dd", { id: "kc-state" }, tv("kcase_status", hit.status)),
          h("dt", {}, t("kcase.freqdb")), h("dd", {}, raw(`${hit.freqdb} v${hit.freqdb_version}`)),
          h("dt", {}, t("kcase.reviewed_by")), h("dd", {}, raw(hit.reviewed_by || "—")),
          h("dt", {}, t("kcase.decided_by")), h("dd", {}, raw(hit.decided_by || "—")),
          hit.posterior !== null ? [h("dt", {}, t("kcase.posterior")), h("dd", { id: "kc-posterior" }, num(hit.posterior, 6))] : null,
        ),
        h("h3", {}, t("kcase.pedigree")),
        h("p", { class: "sub" }, t("kcase.pedigree_legend")),
        h("div", { class: "pedigree" }, pedigreeSvg(hit.pedigree)),
        h("h3", {}, t("kcase.markers")),
        markers,
        actions.length ? h("form", { class: "card row", onsubmit: (ev) => ev.preventDefault() }, field(t("kcase.note"), note), ...actions, h("p", { class: "sub" }, t("kcase.four_eyes"))) : null,
      );
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };

  mount(
    main,
    h("h1", {}, t("kcase.title")),
    h("p", {}, t("kcase.intro")),
    h(
      "form",
      { class: "card row", id: "kc-form", onsubmit: (ev) => { ev.preventDefault(); list(); } },
      h("div", { class: "field wide" }, h("label", { for: "kc-purpose" }, t("kcase.purpose_label")), purpose, h("span", { class: "hint" }, t("kcase.purpose_hint"))),
      field(t("kcase.status"), filter),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "kc-list" }, t("kcase.list"))),
    ),
    out,
  );
  if (id) mount(out, h("p", {}, t("kcase.purpose_first")));
}
