// audit.js - the audit trail of the auditor's agency (GET /api/v1/audit)
// with date filters, the chain verification (GET /api/v1/audit/verify) and
// an export of what is shown (JSON lines).
import { get } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, num, t, tv } from "../i18n.js";
import { errorMsg, loading, table } from "./common.js";

const PAGE = 200;

export function auditPage(main) {
  const since = h("input", { type: "date", id: "audit-since" });
  const until = h("input", { type: "date", id: "audit-until" });
  const who = h("input", { type: "text", id: "audit-user" });
  const what = h("input", { type: "text", id: "audit-action" });
  const list = h("div", { id: "audit-list" });
  const verdict = h("div", { "aria-live": "polite", id: "audit-verdict" });
  const load = async () => {
    mount(list, loading());
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (since.value) q.set("since", since.value);
    if (until.value) q.set("until", until.value);
    try {
      const r = await get(`/api/v1/audit?${q}`);
      // user and action filters narrow the page fetched (the API filters by date)
      const u = who.value.trim().toLowerCase();
      const a = what.value.trim().toLowerCase();
      r.entries = r.entries.filter((e) => (!u || e.user.toLowerCase().includes(u)) && (!a || e.action.toLowerCase().includes(a) || tv("action", e.action).toLowerCase().includes(a)));
      const rows = r.entries.map((e) =>
        h(
          "tr",
          {},
          h("td", {}, num(e.seq)),
          h("td", {}, date(e.ts)),
          h("td", {}, raw(e.user)),
          h("td", {}, raw(e.agency)),
          h("td", {}, tv("action", e.action)),
          h("td", {}, raw(e.targets)),
          h("td", {}, tv("outcome", e.outcome)),
          h("td", {}, raw(e.detail)),
        ),
      );
      const url = URL.createObjectURL(new Blob([r.entries.map((e) => JSON.stringify(e)).join("\n") + "\n"], { type: "application/x-ndjson" }));
      mount(
        list,
        h("p", {}, t("audit.count", { n: num(r.entries.length) }), " ", h("a", { href: url, download: "audit.jsonl", class: "button" }, t("audit.export"))),
        table(t("audit.table"), [t("audit.seq"), t("audit.ts"), t("audit.user"), t("audit.agency"), t("audit.action"), t("audit.targets"), t("audit.outcome"), t("audit.detail")], rows),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  const verify = async () => {
    try {
      const r = await get("/api/v1/audit/verify");
      mount(verdict, status(r.ok ? t("audit.verified", { n: num(r.entries) }) : t("audit.chain_broken"), r.ok ? "ok" : "error"));
    } catch (e) {
      mount(verdict, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("audit.title")),
    h(
      "form",
      { class: "card row", id: "audit-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field(t("audit.since"), since),
      field(t("audit.until"), until),
      field(t("audit.user"), who),
      field(t("audit.action"), what),
      h("button", { type: "submit" }, t("audit.filter")),
      h("button", { type: "button", class: "secondary", id: "audit-verify", onclick: verify }, t("audit.verify")),
    ),
    verdict,
    list,
  );
  load();
}
