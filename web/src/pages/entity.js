// entity.js - one record: its properties, owner agency, marking and
// caveats (GET /api/v1/entities/{id}; a hidden record is the same 404 as an
// absent one).
import { get } from "../api.js";
import { h, mount, raw } from "../dom.js";
import { date, t, tv } from "../i18n.js";
import { errorMsg, loading, marking, table } from "./common.js";

export async function entityPage(main, id) {
  mount(main, h("h1", {}, t("entity.title")), loading());
  let e;
  try {
    e = await get(`/api/v1/entities/${encodeURIComponent(id || "")}`);
  } catch (err) {
    mount(main, h("h1", {}, t("entity.title")), errorMsg(err));
    return;
  }
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
  );
}
