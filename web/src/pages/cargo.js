// cargo.js - manifest upload (POST /api/v1/cargo/manifests), the review
// queue ranked by score with its reasons (GET /api/v1/cargo/queue), and the
// disposition buttons (POST /api/v1/cargo/dispositions).
import { api, get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, pct, t, tv } from "../i18n.js";
import { can } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";

const OUTCOMES = ["held", "released", "inspected_found", "inspected_not_found"];
const MARKINGS = ["AGENCY-ONLY", "SHARED", "US-ONLY", "MX-ONLY", "PUBLIC"];
const QUEUE_LIMIT = 200;

// "rule(+70): detail; rule(+10): detail" -> the translated rule name, its
// weight, and the engine's detail (data: names, codes).
function reasons(text) {
  return h(
    "ul",
    { class: "reasons" },
    String(text || "")
      .split(/;\s*(?=[a-z_]+\([+-]?\d+\):)/)
      .filter(Boolean)
      .map((part) => {
        const m = part.match(/^([a-z_]+)\(([+-]?\d+)\):\s*(.*)$/s);
        if (!m) return h("li", {}, raw(part));
        return h("li", {}, h("strong", {}, tv("rule", m[1])), ` (${m[2]})`, m[3] ? [": ", raw(m[3])] : null);
      }),
  );
}

function dispose(line, outcome, reload, msg) {
  return async () => {
    try {
      await post("/api/v1/cargo/dispositions", { awb: line.awb, hawb: line.hawb, outcome });
      mount(msg, status(t("cargo.disposed", { awb: line.awb, outcome: tv("outcome", outcome) }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
}

// Each rule's hit rate over the shipments the reader may see (GET
// /api/v1/cargo/stats): how often it fired and what inspections found,
// the feedback for tuning the weights. Rules that never fired are left out.
async function hitRates(box) {
  mount(box, loading());
  try {
    const st = await get("/api/v1/cargo/stats");
    const rows = Object.entries(st.rules)
      .filter(([, r]) => r.fired > 0)
      .sort((a, b) => b[1].fired - a[1].fired)
      .map(([name, r]) =>
        h("tr", { "data-rule": name },
          h("th", { scope: "row" }, tv("rule", name)),
          h("td", {}, num(r.fired)),
          h("td", {}, num(r.held)),
          h("td", {}, num(r.inspected_found)),
          h("td", {}, num(r.inspected_not_found)),
          h("td", { class: "hit-rate" }, r.hit_rate === null ? t("cargo.no_inspection") : pct(r.hit_rate))));
    mount(box,
      h("h2", {}, t("cargo.stats_title")),
      h("p", {}, t("cargo.stats_intro", { n: num(st.shipments) })),
      rows.length
        ? table(t("cargo.stats_table"), [t("cargo.rule"), t("cargo.fired"), t("cargo.held"), t("cargo.found"), t("cargo.not_found"), t("cargo.hit_rate")], rows)
        : h("p", {}, t("cargo.stats_none")));
  } catch (e) {
    mount(box, errorMsg(e));
  }
}

export function cargoPage(main) {
  const decision = h("select", { id: "cargo-decision" }, h("option", { value: "" }, t("cargo.hold_and_review")), ["hold", "review", "release"].map((d) => h("option", { value: d }, tv("decision", d))));
  const all = h("input", { type: "checkbox", id: "cargo-all" });
  const file = h("input", { type: "file", id: "cargo-file", accept: ".csv,text/csv" });
  const mark = h("select", { id: "cargo-marking" }, MARKINGS.map((m) => h("option", { value: m }, tv("marking", m))));
  const msg = h("div", { "aria-live": "polite", id: "cargo-msg" });
  const list = h("div", { id: "cargo-queue" });
  const stats = h("section", { id: "cargo-stats", "aria-live": "polite" });
  const load = async () => {
    hitRates(stats);
    mount(list, loading());
    const q = new URLSearchParams({ limit: String(QUEUE_LIMIT) });
    if (decision.value) q.set("decision", decision.value);
    if (all.checked) q.set("all", "true");
    try {
      const r = await get(`/api/v1/cargo/queue?${q}`);
      const rows = r.results.map((l) =>
        h(
          "tr",
          { "data-awb": l.awb },
          h("td", {}, pct(l.score)),
          h("td", {}, h("span", { class: `badge dec-${l.decision}` }, tv("decision", l.decision))),
          h("td", {}, raw(l.awb, "code"), l.hawb ? [" / ", raw(l.hawb, "code")] : null),
          h("td", {}, raw(l.shipper || ""), h("div", { class: "sub" }, "→ ", raw(l.consignee || ""))),
          h("td", {}, reasons(l.reasons)),
          h("td", {}, l.disposition ? tv("outcome", l.disposition) : t("cargo.undisposed")),
          h("td", {}, marking(l.marking)),
          h(
            "td",
            { class: "actions" },
            can("write")
              ? OUTCOMES.map((o) =>
                  h("button", { type: "button", class: `small ${o === "held" ? "" : "secondary"}`, "data-outcome": o, onclick: dispose(l, o, load, msg), "aria-label": t("cargo.dispose_label", { outcome: tv("outcome", o), awb: l.awb }) }, tv("outcome", o)),
                )
              : null,
          ),
        ),
      );
      mount(
        list,
        h("p", {}, t("cargo.count", { n: num(r.total), shown: num(r.results.length) })),
        table(t("cargo.table"), [t("cargo.score"), t("cargo.decision"), t("cargo.awb"), t("cargo.parties"), t("cargo.reasons"), t("cargo.disposition"), t("entity.marking"), t("cargo.actions")], rows),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  const upload = async (ev) => {
    ev.preventDefault();
    if (!file.files.length) return;
    mount(msg, status(t("cargo.uploading"), "info"));
    try {
      const body = await file.files[0].text();
      const r = await api("POST", `/api/v1/cargo/manifests?marking=${encodeURIComponent(mark.value)}&source=${encodeURIComponent(file.files[0].name)}`, body, { type: "text/csv" });
      mount(msg, status(t("cargo.uploaded", { n: num(r.lines), holds: num(r.counts.hold) }), "ok"));
      load();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("cargo.title")),
    h("p", {}, t("cargo.intro")),
    can("write") && can("screen")
      ? h("form", { class: "card row", id: "cargo-upload", onsubmit: upload }, field(t("cargo.manifest"), file, t("cargo.manifest_hint")), field(t("entity.marking"), mark), h("button", { type: "submit", id: "cargo-upload-submit" }, t("cargo.upload")))
      : null,
    h(
      "form",
      { class: "card row", id: "cargo-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field(t("cargo.decision"), decision),
      h("div", { class: "field check" }, all, h("label", { for: "cargo-all" }, t("cargo.all"))),
      h("button", { type: "submit" }, t("cargo.filter")),
    ),
    msg,
    list,
    stats,
  );
  load();
}
