// entity.js - one record: its properties, owner agency, marking and
// caveats (GET /api/v1/entities/{id}; a hidden record is the same 404 as an
// absent one), its sanctions and links to other records both ways
// (GET /api/v1/entities/{id}/adjacent), and for supervisors who read or
// changed it (GET /api/v1/entities/{id}/views).
import { get } from "../api.js";
import { h, mount, raw } from "../dom.js";
import { date, t, tv } from "../i18n.js";
import { can, link } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";

const list = (vs) => (vs && vs.length ? vs.map((v) => raw(v, "div")) : t("entity.none"));
const when = (x) => (x ? date(x) : "—");

function sanctionsSection(ss) {
  const rows = ss.map((s) =>
    h(
      "tr",
      { "data-sanction": s.id },
      h("td", {}, s.authority ? raw(s.authority) : "—"),
      h("td", {}, list(s.program)),
      h("td", {}, when(s.listing_date || s.start_date)),
      h("td", {}, when(s.end_date)),
      h("td", {}, list(s.provisions), s.reason ? raw(s.reason, "div") : null),
      h("td", {}, s.source_url ? h("a", { href: s.source_url, rel: "noreferrer" }, t("entity.source")) : "—"),
    ),
  );
  return h(
    "section",
    { id: "sanctions" },
    h("h2", {}, t("entity.sanctions")),
    rows.length
      ? table(t("entity.sanctions"), [t("entity.authority"), t("entity.programs"), t("entity.listed"), t("entity.ends"), t("entity.provisions"), t("entity.source_col")], rows)
      : h("p", {}, t("entity.no_sanctions")),
  );
}

function recordLink(b) {
  return h("span", {}, link(`/app/entity/${encodeURIComponent(b.id)}`, raw(b.caption || b.id), false), " (", tv("schema", b.schema), ")");
}

function linksSection(ls) {
  const rows = ls.map((l) =>
    h(
      "tr",
      { "data-link": (l.other && l.other.id) || (l.via && l.via.id) },
      h("td", {}, l.via ? tv("schema", l.via.schema) : tv("prop", l.prop), l.via && l.via.role ? raw(` · ${l.via.role}`) : null),
      h("td", {}, l.prop ? tv("prop", l.prop) : "—"),
      h("td", {}, l.other ? recordLink(l.other) : recordLink(l.via)),
    ),
  );
  return h(
    "section",
    { id: "links" },
    h("h2", {}, t("entity.links")),
    rows.length ? table(t("entity.links"), [t("entity.relation"), t("entity.link_prop"), t("entity.other")], rows) : h("p", {}, t("entity.no_links")),
  );
}

function viewsSection(v) {
  const rows = v.entries.map((e) =>
    h("tr", {}, h("td", {}, date(e.ts)), h("td", {}, raw(e.user)), h("td", {}, raw(e.agency)), h("td", {}, tv("action", e.action)), h("td", {}, tv("outcome", e.outcome))),
  );
  return h(
    "section",
    { id: "views" },
    h("h2", {}, t("entity.views")),
    h("p", { class: "sub" }, t(v.scope === "all" ? "entity.views_all" : "entity.views_agency")),
    rows.length ? table(t("entity.views"), [t("audit.ts"), t("audit.user"), t("audit.agency"), t("audit.action"), t("audit.outcome")], rows) : h("p", {}, t("entity.no_views")),
  );
}

export async function entityPage(main, id) {
  mount(main, h("h1", {}, t("entity.title")), loading());
  const path = `/api/v1/entities/${encodeURIComponent(id || "")}`;
  // the three calls at once: the record, what is around it, who read it
  const [er, ar, vr] = await Promise.allSettled([get(path), get(`${path}/adjacent`), can("oversight") ? get(`${path}/views`) : Promise.resolve(null)]);
  if (er.status === "rejected") {
    mount(main, h("h1", {}, t("entity.title")), errorMsg(er.reason));
    return;
  }
  const e = er.value;
  const caption = (e.properties.name && e.properties.name[0]) || e.id;
  const rows = Object.entries(e.properties).map(([k, vs]) =>
    h("tr", {}, h("th", { scope: "row" }, tv("prop", k)), h("td", {}, vs.map((v) => raw(v, "div")))),
  );
  mount(
    main,
    h("h1", {}, raw(caption)),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("entity.id")),
      h("dd", {}, raw(e.id, "code")),
      h("dt", {}, t("entity.schema")),
      h("dd", {}, tv("schema", e.schema)),
      h("dt", {}, t("entity.owner")),
      h("dd", {}, e.owner ? raw(e.owner) : t("entity.no_owner")),
      h("dt", {}, t("entity.marking")),
      h("dd", {}, marking(e.marking)),
      h("dt", {}, t("entity.caveats")),
      h("dd", {}, e.caveats ? raw(e.caveats) : t("entity.none")),
      h("dt", {}, t("entity.datasets")),
      h("dd", {}, (e.datasets || []).length ? raw((e.datasets || []).join(", ")) : t("entity.none")),
      h("dt", {}, t("entity.updated")),
      h("dd", {}, e.updated || e.created ? date(e.updated || e.created) : t("entity.none")),
    ),
    table(t("entity.properties"), [t("entity.property"), t("entity.values")], rows),
    ar.status === "fulfilled" ? [sanctionsSection(ar.value.sanctions), linksSection(ar.value.links)] : errorMsg(ar.reason),
    vr.status === "fulfilled" ? (vr.value ? viewsSection(vr.value) : null) : errorMsg(vr.reason),
  );
}
