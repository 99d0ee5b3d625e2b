// alerts.js - early warning: alerts the reader may see, with filters;
// acknowledge / close (addressees only, as the API rules); per alert the
// weekly series plot (GET /api/v1/ews/alerts/{id}/series); the curator
// queue of unknown names below (curator.js).
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { currentLang, date, num, t, tv } from "../i18n.js";
import { can, session } from "../main.js";
import { seriesPlot } from "../plot.js";
import { errorMsg, loading, marking, table } from "./common.js";
import { curatorSection } from "./curator.js";

const STATUSES = ["open", "acknowledged", "closed"];

function addressedToMe(a) {
  return a.addressed.split(";").includes(session().user.agency);
}

async function showPlot(panel, a) {
  mount(panel, h("h2", { tabindex: "-1", id: "plot-heading" }, t("alerts.plot_heading", { id: a.id })), loading());
  panel.querySelector("h2").focus();
  try {
    const s = await get(`/api/v1/ews/alerts/${a.id}/series`);
    panel.querySelector(".loading")?.remove();
    panel.appendChild(
      h("p", {}, t("alerts.plot_about", { substance: tv("substance", s.substance), place: s.place, method: tv("method", s.method) })),
    );
    seriesPlot(panel, s, Math.min(900, Math.max(320, panel.clientWidth - 16)));
  } catch (e) {
    mount(panel, errorMsg(e));
  }
}

function actions(a, reload, msg) {
  if (!can("write") || !addressedToMe(a)) return null;
  const act = async (what) => {
    try {
      await post(`/api/v1/ews/alerts/${a.id}/${what}`, what === "close" ? { note: "" } : undefined);
      mount(msg, status(t(`alerts.${what}_done`, { id: a.id }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return [
    a.status === "open"
      ? h("button", { type: "button", class: "small", "data-ack": a.id, onclick: () => act("ack"), "aria-label": t("alerts.ack_label", { id: a.id }) }, t("alerts.ack"))
      : null,
    a.status !== "closed"
      ? h("button", { type: "button", class: "small secondary", "data-close": a.id, onclick: () => act("close"), "aria-label": t("alerts.close_label", { id: a.id }) }, t("alerts.close"))
      : null,
  ];
}

export function alertsPage(main) {
  const st = h("select", { id: "alert-status" }, h("option", { value: "" }, t("alerts.all")), STATUSES.map((s) => h("option", { value: s }, tv("status", s))));
  st.value = "open";
  const mine = h("input", { type: "checkbox", id: "alert-mine" });
  const substance = h("input", { type: "text", id: "alert-substance" });
  const msg = h("div", { "aria-live": "polite" });
  const list = h("div", { id: "alert-list" });
  const panel = h("section", { id: "plot-panel", "aria-live": "polite" });
  const load = async () => {
    mount(list, loading());
    const q = new URLSearchParams();
    if (st.value) q.set("status", st.value);
    if (mine.checked) q.set("agency", session().user.agency);
    if (substance.value.trim()) q.set("substance", substance.value.trim().toLowerCase());
    try {
      const r = await get(`/api/v1/ews/alerts?${q}`);
      const rows = r.results.map((a) =>
        h(
          "tr",
          { "data-alert": a.id },
          h("td", {}, num(a.id)),
          h("td", {}, h("span", { class: `sev sev-${a.severity}` }, tv("severity", a.severity))),
          h("td", {}, tv("alert_kind", a.kind)),
          h("td", {}, tv("substance", a.substance), h("div", { class: "sub" }, raw(currentLang() === "es" ? a.text_es : a.text_en))),
          h("td", {}, raw(a.place)),
          h("td", {}, date(a.week)),
          h("td", {}, tv("status", a.status)),
          h("td", {}, marking(a.marking)),
          h(
            "td",
            { class: "actions" },
            h("button", { type: "button", class: "small", "data-plot": a.id, onclick: () => showPlot(panel, a), "aria-label": t("alerts.plot_label", { id: a.id }) }, t("alerts.plot")),
            actions(a, load, msg),
          ),
        ),
      );
      mount(
        list,
        h("p", {}, t("alerts.count", { n: num(r.total) })),
        table(t("alerts.table"), [t("alerts.id"), t("alerts.severity"), t("alerts.kind"), t("alerts.substance"), t("alerts.place"), t("alerts.week"), t("alerts.status"), t("entity.marking"), t("alerts.actions")], rows),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("alerts.title")),
    h("p", {}, t("alerts.intro")),
    h(
      "form",
      { class: "card row", id: "alert-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field(t("alerts.status"), st),
      field(t("alerts.substance_filter"), substance, t("alerts.substance_hint")),
      h("div", { class: "field check" }, mine, h("label", { for: "alert-mine" }, t("alerts.mine"))),
      h("button", { type: "submit" }, t("alerts.filter")),
    ),
    msg,
    panel,
    list,
    curatorSection(),
  );
  load();
}
