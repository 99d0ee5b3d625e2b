// review.js - the review queue of ongoing monitoring (docs/monitor.md): the
// alerts the reader may see with filters; per alert its hit with the
// explanation (and the ownership chain when the entity is blocked by
// ownership) and its history; assign / decide / confirm as the reader's
// permissions and the four-eyes rule allow. The API enforces the same rules.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, has, num, t, tv } from "../i18n.js";
import { can, link, session } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";

const STATUSES = ["open", "assigned", "decided", "escalated", "closed"];
const DECISIONS = ["true_match", "false_positive", "escalated"];

function me() {
  return session().user.user;
}

// What the reader may do with an alert now (the engine's rules, so that
// no button is offered that would be refused).
function allowed(a) {
  const mine = a.assignee === me();
  return {
    assign: can("review") && ["open", "assigned", "escalated"].includes(a.status) && !mine,
    decide: can("review") && a.status === "assigned" && mine,
    confirm: can("oversight") && a.status === "decided" && a.decision === "true_match" && a.decided_by !== me(),
  };
}

function pct(x) {
  return `${num(100 * x, 1)} %`;
}

function ownershipView(o) {
  return h(
    "section",
    { class: "card", id: "review-ownership" },
    h("h3", {}, t("review.blocked_heading")),
    h("p", {}, t("review.blocked_text", { share: pct(o.share), ofac: pct(o.ofac_share) })),
    h(
      "ol",
      {},
      o.chains.map((c) =>
        h(
          "li",
          {},
          t("review.chain", { share: pct(c.share) }),
          h(
            "ul",
            {},
            c.links.map((l) => h("li", {}, t("review.link", { owner: l.owner_caption, share: pct(l.share), asset: l.asset_caption }))),
          ),
        ),
      ),
    ),
  );
}

function hitView(a) {
  const x = (a.hit && a.hit.explanation) || {};
  const feats = (x.features || []).map((f) =>
    h(
      "li",
      {},
      h("strong", {}, tv("feature", f.feature)),
      has(`feature.${f.feature}_help`) ? [" — ", t(`feature.${f.feature}_help`)] : null,
      " ",
      h("span", { class: "score" }, t("search.weight", { value: num(f.value, 2) })),
      f.detail ? h("div", { class: "detail" }, h("span", { class: "label" }, t("search.technical")), " ", raw(f.detail, "code")) : null,
    ),
  );
  return [
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("review.subject")),
      h("dd", {}, raw(a.subject)),
      h("dt", {}, t("review.entity")),
      h("dd", {}, link(`/app/entity/${encodeURIComponent(a.entity_id)}`, a.entity_caption, false)),
      h("dt", {}, t("review.matched_name")),
      h("dd", {}, raw(a.matched_name || "")),
      h("dt", {}, t("review.score")),
      h("dd", {}, num(a.score, 3)),
      h("dt", {}, t("review.source")),
      h("dd", {}, tv("review_source", a.source), a.list ? ` (${a.list})` : ""),
    ),
    a.basis_removed ? status(t("review.basis_removed"), "warn") : null,
    feats.length ? [h("h3", {}, t("search.why")), h("ul", { class: "reasons" }, feats)] : null,
    a.hit && a.hit.blocked_by_ownership ? ownershipView(a.hit.blocked_by_ownership) : null,
  ];
}

function historyView(a) {
  return h(
    "section",
    {},
    h("h3", {}, t("review.history")),
    h(
      "ol",
      { class: "history" },
      (a.history || []).map((s) =>
        h("li", {}, date(s.at), " — ", raw(s.actor), ": ", tv("review_action", s.action), s.note ? [": ", raw(s.note)] : null),
      ),
    ),
  );
}

function decideForm(a, done, msg) {
  const dec = h("select", { id: "review-decision", required: true }, DECISIONS.map((d) => h("option", { value: d }, tv("review_decision", d))));
  const note = h("textarea", { id: "review-note", rows: 3, required: true });
  return h(
    "form",
    {
      class: "card",
      id: "review-decide",
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await post(`/api/v1/monitor/alerts/${a.id}/decide`, { decision: dec.value, note: note.value });
          done(t("review.decided", { id: a.id }));
        } catch (e) {
          mount(msg, errorMsg(e));
        }
      },
    },
    field(t("review.decision"), dec),
    field(t("review.note"), note, t("review.note_hint")),
    h("button", { type: "submit" }, t("review.decide")),
  );
}

async function showAlert(panel, id, reload, msg) {
  mount(panel, loading());
  try {
    const a = await get(`/api/v1/monitor/alerts/${id}`);
    const may = allowed(a);
    const done = (text) => {
      mount(msg, status(text, "ok"));
      reload();
      showAlert(panel, id, reload, msg);
    };
    const act = async (what, body) => {
      try {
        await post(`/api/v1/monitor/alerts/${a.id}/${what}`, body);
        done(t(`review.${what}_done`, { id: a.id }));
      } catch (e) {
        mount(msg, errorMsg(e));
      }
    };
    mount(
      panel,
      h("h2", { tabindex: "-1", id: "review-heading" }, t("review.alert_heading", { id: num(a.id), status: tv("review_status", a.status) })),
      hitView(a),
      a.decision ? h("p", { id: "review-decision-text" }, t("review.decision_by", { decision: tv("review_decision", a.decision), user: a.decided_by }), a.note ? [": ", raw(a.note)] : null) : null,
      a.status === "decided" && a.decided_by === me() ? status(t("review.four_eyes"), "info") : null,
      h(
        "div",
        { class: "actions" },
        may.assign ? h("button", { type: "button", id: "review-assign", onclick: () => act("assign") }, t("review.assign")) : null,
        may.confirm ? h("button", { type: "button", id: "review-confirm", onclick: () => act("confirm", { note: "" }) }, t("review.confirm")) : null,
      ),
      may.decide ? decideForm(a, done, msg) : null,
      historyView(a),
    );
    panel.querySelector("h2").focus();
  } catch (e) {
    mount(panel, errorMsg(e));
  }
}

export function reviewPage(main) {
  const st = h("select", { id: "review-status" }, h("option", { value: "" }, t("review.all")), STATUSES.map((s) => h("option", { value: s }, tv("review_status", s))));
  st.value = "open";
  const list = h("input", { type: "text", id: "review-list-filter" });
  const mine = h("input", { type: "checkbox", id: "review-mine" });
  const msg = h("div", { "aria-live": "polite" });
  const out = h("div", { id: "review-list" });
  const panel = h("section", { id: "review-panel", "aria-live": "polite" });
  const load = async () => {
    mount(out, loading());
    const q = new URLSearchParams();
    if (st.value) q.set("status", st.value);
    if (list.value.trim()) q.set("list", list.value.trim());
    if (mine.checked) q.set("assignee", me());
    try {
      const r = await get(`/api/v1/monitor/alerts?${q}`);
      const rows = r.alerts.map((a) =>
        h(
          "tr",
          { "data-alert": a.id },
          h("td", {}, num(a.id)),
          h("td", {}, raw(a.subject), a.list ? h("div", { class: "sub" }, raw(a.list)) : null),
          h("td", {}, raw(a.entity_caption), a.hit && a.hit.blocked_by_ownership ? h("div", { class: "sub" }, t("review.blocked_short")) : null),
          h("td", {}, num(a.score, 3)),
          h("td", {}, tv("review_status", a.status), a.basis_removed ? h("div", { class: "sub" }, t("review.removed_short")) : null),
          h("td", {}, a.assignee ? raw(a.assignee) : "—"),
          h("td", {}, a.decision ? tv("review_decision", a.decision) : "—"),
          h("td", {}, marking(a.marking)),
          h(
            "td",
            { class: "actions" },
            h("button", { type: "button", class: "small", "data-show": a.id, onclick: () => showAlert(panel, a.id, load, msg), "aria-label": t("review.show_label", { id: a.id }) }, t("review.show")),
          ),
        ),
      );
      mount(
        out,
        h("p", {}, t("review.count", { n: num(r.alerts.length) })),
        table(t("review.table"), [t("review.id"), t("review.subject"), t("review.entity"), t("review.score"), t("review.status"), t("review.assignee"), t("review.decision"), t("entity.marking"), t("review.actions")], rows),
      );
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("review.title")),
    h("p", {}, t("review.intro")),
    h(
      "form",
      { class: "card row", id: "review-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field(t("review.status"), st),
      field(t("review.list"), list),
      h("div", { class: "field check" }, mine, h("label", { for: "review-mine" }, t("review.mine"))),
      h("button", { type: "submit" }, t("review.filter")),
    ),
    msg,
    panel,
    out,
  );
  load();
}
