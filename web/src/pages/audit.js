// audit.js - the audit trail of the auditor's agency (GET /api/v1/audit):
// filters by time, user, action (exact or a prefix such as "entity"),
// record and outcome, done by the API; pages newest first with a cursor
// (before = the last entry shown, which entries written meanwhile do not
// shift); the chain verification (GET /api/v1/audit/verify); the export of
// every entry that matches the filter as JSON lines with their hashes
// (GET /api/v1/audit/export, itself audited).
import { get } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, num, t, tv } from "../i18n.js";
import { errorMsg, loading, table } from "./common.js";

const PAGE = 100;
const OUTCOMES = ["", "success", "denied", "not_found", "invalid", "unauthenticated"];

export function auditPage(main) {
  const since = h("input", { type: "date", id: "audit-since" });
  const until = h("input", { type: "date", id: "audit-until" });
  const who = h("input", { type: "text", id: "audit-user", autocomplete: "off" });
  const what = h("input", { type: "text", id: "audit-action", autocomplete: "off" });
  const target = h("input", { type: "text", id: "audit-target", autocomplete: "off" });
  const outcome = h("select", { id: "audit-outcome" }, OUTCOMES.map((o) => h("option", { value: o }, o ? tv("outcome", o) : t("audit.any"))));
  const list = h("div", { id: "audit-list" });
  const verdict = h("div", { "aria-live": "polite", id: "audit-verdict" });
  let cursors = []; // the `before` of each page shown so far (0 = newest)
  const filter = () => {
    const q = new URLSearchParams();
    for (const [k, el] of [["since", since], ["until", until], ["user", who], ["action", what], ["target", target], ["outcome", outcome]])
      if (el.value.trim()) q.set(k, el.value.trim());
    return q;
  };
  const load = async () => {
    mount(list, loading());
    const q = filter();
    q.set("order", "desc");
    q.set("limit", String(PAGE));
    const before = cursors[cursors.length - 1];
    if (before) q.set("before", String(before));
    try {
      const r = await get(`/api/v1/audit?${q}`);
      const rows = r.entries.map((e) =>
        h(
          "tr",
          { "data-seq": e.seq },
          h("td", {}, num(e.seq)),
          h("td", {}, date(e.ts)),
          h("td", {}, raw(e.user)),
          h("td", {}, raw(e.agency)),
          h("td", {}, tv("action", e.action)),
          h("td", {}, raw(e.targets)),
          h("td", {}, tv("outcome", e.outcome)),
          h("td", {}, raw(e.detail), e.purpose ? raw(` · ${e.purpose}`) : null),
        ),
      );
      const exportQ = filter();
      const last = r.entries.length ? r.entries[r.entries.length - 1].seq : 0;
      const older = h("button", { type: "button", class: "secondary", id: "audit-older", disabled: r.entries.length < PAGE, onclick: () => { cursors.push(last); load(); } }, t("audit.older"));
      const newer = h("button", { type: "button", class: "secondary", id: "audit-newer", disabled: cursors.length <= 1, onclick: () => { cursors.pop(); load(); } }, t("audit.newer"));
      mount(
        list,
        h(
          "p",
          { class: "row" },
          t("audit.count", { n: num(r.entries.length) }),
          " ",
          newer,
          " ",
          older,
          " ",
          h("a", { href: `/api/v1/audit/export?${exportQ}`, download: "audit.jsonl", class: "button", id: "audit-export" }, t("audit.export")),
        ),
        table(t("audit.table_newest"), [t("audit.seq"), t("audit.ts"), t("audit.user"), t("audit.agency"), t("audit.action"), t("audit.targets"), t("audit.outcome"), t("audit.detail")], rows),
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
      {
        class: "card row",
        id: "audit-filter",
        onsubmit: (ev) => {
          ev.preventDefault();
          cursors = [0];
          load();
        },
      },
      field(t("audit.since"), since),
      field(t("audit.until"), until),
      field(t("audit.user"), who),
      field(t("audit.action"), what, t("audit.action_hint")),
      field(t("audit.target"), target),
      field(t("audit.outcome"), outcome),
      h("button", { type: "submit" }, t("audit.filter")),
      h("button", { type: "button", class: "secondary", id: "audit-verify", onclick: verify }, t("audit.verify")),
    ),
    verdict,
    list,
  );
  cursors = [0];
  load();
}
