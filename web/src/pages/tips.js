// tips.js - the tip handler's inbox (docs/tips.md "Handling"): the tips the
// reader may see (newest day first) with filters; one tip with its text and
// answers, the entities Puente extracted, the proposed links to confirm or
// reject, the conversation with the tipster (ask a question), the files
// (clean copy or sealed original) and the state changes (triage, assign or
// refer to an agency, link, close; reopening needs a reason).
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, num, t, tv } from "../i18n.js";
import { link } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";

const STATES = ["new", "triaged", "assigned", "linked", "referred", "closed"];
const CATEGORIES = ["firearms", "drugs", "precursors", "smuggling", "disappearance", "corruption", "other"];
const FINAL = ["linked", "referred", "closed"];
const ORDER = ["new", "triaged", "assigned"];

// The moves the engine allows (src/tips/tips_form.c tips_transition_ok):
// forward through new → triaged → assigned, to any final state, and from a
// final state back to triaged with a reason.
export function nextStates(from) {
  if (FINAL.includes(from)) return ["triaged"];
  return STATES.filter((s) => s !== from && (FINAL.includes(s) || ORDER.indexOf(s) > ORDER.indexOf(from)));
}

function listView(main) {
  const st = h("select", { id: "tips-status" }, h("option", { value: "" }, t("tips.all")), STATES.map((s) => h("option", { value: s }, tv("tipstate", s))));
  st.value = "new";
  const cat = h("select", { id: "tips-category" }, h("option", { value: "" }, t("tips.all")), CATEGORIES.map((c) => h("option", { value: c }, tv("tip.cat", c))));
  const list = h("div", { id: "tips-list" });
  const load = async () => {
    mount(list, loading());
    const q = new URLSearchParams();
    if (st.value) q.set("status", st.value);
    if (cat.value) q.set("category", cat.value);
    try {
      const r = await get(`/api/v1/tips?${q}`);
      const rows = r.results.map((x) =>
        h("tr", { "data-tip": x.id },
          h("td", {}, link(`/app/tips/${encodeURIComponent(x.id)}`, raw(x.id), false)),
          h("td", {}, date(x.received)),
          h("td", {}, tv("tip.cat", x.category)),
          h("td", {}, raw([x.country, x.state].filter(Boolean).join("-") || "—")),
          h("td", {}, tv("tipstate", x.status), x.spam ? h("span", { class: "sub" }, t("tips.spam")) : null,
            x.duplicate_of ? h("span", { class: "sub" }, t("tips.duplicate_of", { id: x.duplicate_of })) : null),
          h("td", {}, num(x.links_proposed), " / ", num(x.links_confirmed)),
          h("td", {}, num(x.messages)),
          h("td", {}, raw(x.owner)),
          h("td", {}, marking(x.marking))));
      mount(list, h("p", {}, t("tips.count", { n: num(r.total) })),
        table(t("tips.table"), [t("tips.id"), t("tips.received"), t("tips.category"), t("tips.place"), t("tips.status"), t("tips.links"), t("tips.messages"), t("tips.owner"), t("entity.marking")], rows));
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(main, h("h1", {}, t("tips.title")), h("p", {}, t("tips.intro")),
    h("form", { class: "card row", id: "tips-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } },
      field(t("tips.status"), st), field(t("tips.category"), cat), h("button", { type: "submit" }, t("tips.filter"))),
    list);
  load();
}

function linksSection(tip, reload, msg) {
  if (!tip.links.length) return h("p", { id: "tip-links" }, t("tips.no_links"));
  const decide = async (l, decision) => {
    try {
      await post(`/api/v1/tips/${encodeURIComponent(tip.id)}/links/${l.id}`, { decision });
      mount(msg, status(t(`tips.link_${decision}`), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const rows = tip.links.map((l) =>
    h("tr", { "data-link": l.id },
      h("td", {}, tv("tips.kind", l.kind)),
      h("td", {}, raw(l.target)),
      h("td", {}, num(l.score, 2)),
      h("td", {}, raw(l.evidence)),
      h("td", {}, tv("tips.link_status", l.status)),
      h("td", { class: "actions" }, l.status === "proposed"
        ? [h("button", { type: "button", class: "small", "data-confirm": l.id, onclick: () => decide(l, "confirmed"), "aria-label": t("tips.confirm_label", { target: l.target }) }, t("tips.confirm")),
           h("button", { type: "button", class: "small secondary", "data-reject": l.id, onclick: () => decide(l, "rejected"), "aria-label": t("tips.reject_label", { target: l.target }) }, t("tips.reject"))]
        : null)));
  return h("div", { id: "tip-links" }, table(t("tips.links_table"), [t("tips.kind_h"), t("tips.target"), t("tips.score"), t("tips.evidence"), t("tips.status"), t("tips.actions")], rows));
}

function stateForm(tip, reload, msg) {
  const to = h("select", { id: "tip-to" }, nextStates(tip.status).map((s) => h("option", { value: s }, tv("tipstate", s))));
  const reason = h("input", { type: "text", id: "tip-reason", maxlength: 500 });
  const agency = h("input", { type: "text", id: "tip-agency", maxlength: 16, autocomplete: "off" });
  const fresh = h("input", { type: "checkbox", id: "tip-new-case" });
  return h("form", { class: "card", id: "tip-state-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = { state: to.value };
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (agency.value.trim()) body.agency = agency.value.trim().toUpperCase();
    if (to.value === "linked") body.new_case = fresh.checked;
    try {
      await post(`/api/v1/tips/${encodeURIComponent(tip.id)}/state`, body);
      mount(msg, status(t("tips.state_done", { state: tv("tipstate", to.value) }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  } },
  h("h2", {}, t("tips.change_state")),
  h("div", { class: "row" }, field(t("tips.to"), to), field(t("tips.agency"), agency, t("tips.agency_hint")), field(t("tips.reason"), reason, t("tips.reason_hint"))),
  h("div", { class: "field check" }, fresh, h("label", { for: "tip-new-case" }, t("tips.new_case"))),
  h("button", { type: "submit", id: "tip-state-submit" }, t("tips.apply")));
}

function askForm(tip, reload, msg) {
  const text = h("textarea", { id: "tip-question", rows: 3, maxlength: 4000 });
  return h("form", { class: "card", id: "tip-ask-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) return;
    try {
      await post(`/api/v1/tips/${encodeURIComponent(tip.id)}/messages`, { text: text.value });
      mount(msg, status(t("tips.question_sent"), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  } }, field(t("tips.ask"), text, t("tips.ask_hint")), h("button", { type: "submit", id: "tip-ask" }, t("tips.send")));
}

// Split off the part for the other country (POST /api/v1/tips/{id}/split).
function splitForm(tip, reload, msg) {
  const other = tip.country === "US" ? ["MX"] : tip.country === "MX" ? ["US"] : ["US", "MX"];
  const country = h("select", { id: "tip-split-country" }, other.map((c) => h("option", { value: c }, t(`tipweb.country_${c.toLowerCase()}`))));
  const state = h("input", { type: "text", id: "tip-split-state", maxlength: 4, autocomplete: "off" });
  const text = h("textarea", { id: "tip-split-text", rows: 3, maxlength: 4000 });
  const shared = h("input", { type: "checkbox", id: "tip-split-shared" });
  return h("form", { class: "card", id: "tip-split-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = { country: country.value };
    if (state.value.trim()) body.state = state.value.trim().toUpperCase();
    if (text.value.trim()) body.text = text.value.trim();
    if (shared.checked) body.marking = "SHARED";
    try {
      const r = await post(`/api/v1/tips/${encodeURIComponent(tip.id)}/split`, body);
      mount(msg, status(t("tips.split_done", { id: r.part }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  } },
  h("h2", {}, t("tips.split")),
  h("p", {}, t("tips.split_intro")),
  h("div", { class: "row" }, field(t("tips.split_country"), country), field(t("tips.split_state"), state, t("tips.split_state_hint"))),
  field(t("tips.split_text"), text, t("tips.split_text_hint")),
  h("div", { class: "field check" }, shared, h("label", { for: "tip-split-shared" }, t("tips.split_shared"))),
  h("button", { type: "submit", id: "tip-split-submit" }, t("tips.split_button")));
}

function detailView(main, id) {
  const msg = h("div", { "aria-live": "polite", id: "tip-action-msg" });
  const body = h("div", { id: "tip-detail" }, loading());
  const reload = async () => {
    try {
      const tip = await get(`/api/v1/tips/${encodeURIComponent(id)}`);
      const answers = Object.entries(tip.answers);
      const base = `/api/v1/tips/${encodeURIComponent(tip.id)}/attachments`;
      mount(body,
        h("dl", { class: "facts" },
          h("dt", {}, t("tips.category")), h("dd", {}, tv("tip.cat", tip.category)),
          h("dt", {}, t("tips.received")), h("dd", {}, date(tip.received)),
          h("dt", {}, t("tips.status")), h("dd", { id: "tip-status" }, tv("tipstate", tip.status)),
          h("dt", {}, t("tips.place")), h("dd", {}, raw([tip.country, tip.state].filter(Boolean).join("-") || "—")),
          h("dt", {}, t("tips.lang")), h("dd", {}, tv("tips.language", tip.lang)),
          h("dt", {}, t("tips.owner")), h("dd", {}, raw(tip.owner)),
          h("dt", {}, t("entity.marking")), h("dd", {}, marking(tip.marking))),
        tip.spam ? status(t("tips.spam_note"), "error") : null,
        tip.duplicate_of ? h("p", {}, t("tips.duplicate_of", { id: tip.duplicate_of }), " ", link(`/app/tips/${encodeURIComponent(tip.duplicate_of)}`, t("tips.open_other"), false)) : null,
        h("h2", {}, t("tips.text")),
        raw(tip.text, "blockquote"),
        answers.length ? h("dl", { class: "facts", id: "tip-answers" }, answers.flatMap(([k, v]) => [h("dt", {}, tv("tip.q", k)), h("dd", {}, raw(v))])) : null,
        h("h2", {}, t("tips.entities")),
        tip.entities.length
          ? h("ul", { id: "tip-entities" }, tip.entities.map((e) => h("li", {}, tv("tips.kind", e.kind), ": ", raw(e.value))))
          : h("p", {}, t("tips.no_entities")),
        h("h2", {}, t("tips.links_h")),
        linksSection(tip, reload, msg),
        h("h2", {}, t("tips.messages")),
        tip.messages.length
          ? h("ol", { class: "messages", id: "tip-messages" }, tip.messages.map((m) => h("li", { class: `msg-from-${m.author}` }, h("span", { class: "sub" }, tv("tipweb.author", m.author), " · ", date(m.day)), raw(m.text, "p"))))
          : h("p", { id: "tip-messages" }, t("tips.no_messages")),
        tip.status !== "closed" ? askForm(tip, reload, msg) : null,
        h("h2", {}, t("tips.files")),
        tip.attachments.length
          ? h("ul", { id: "tip-files" }, tip.attachments.map((a) => h("li", {}, raw(`${a.type} · ${num(a.size)} B · `), date(a.day), " · ",
              h("a", { href: `${base}/${a.id}?copy=clean`, download: "" }, t(a.metadata_stripped ? "tips.clean_copy" : "tips.copy")), " · ",
              h("a", { href: `${base}/${a.id}?copy=original`, download: "" }, t("tips.original")))))
          : h("p", {}, t("tips.no_files")),
        stateForm(tip, reload, msg),
        tip.status !== "closed" ? splitForm(tip, reload, msg) : null,
        h("h2", {}, t("tips.history")),
        h("ol", { id: "tip-events" }, tip.events.map((e) => h("li", {}, date(e.day), " · ", tv("tipstate", e.from || "new"), " → ", tv("tipstate", e.to), " · ", raw(e.by), e.reason ? [" · ", raw(e.reason)] : null))));
    } catch (e) {
      mount(body, errorMsg(e));
    }
  };
  mount(main, h("p", {}, link("/app/tips", t("tips.back"), false)), h("h1", {}, t("tips.tip_title", { id })), msg, body);
  reload();
}

export function tipsPage(main, id) {
  if (id) detailView(main, id);
  else listView(main);
}

