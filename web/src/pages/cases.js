// cases.js - joint investigations (docs/cases.md): the case board (cases the
// reader is a member of, and PUBLIC/SHARED cases shown only as existing), a
// case's page with its timeline and records, and the extradition tracker
// with each request's stage and legal clocks. Values (statuses, stages,
// directions, decisions) are shown through the catalogue in both languages.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { currentLang, date, num, t, tv } from "../i18n.js";
import { can, link, session } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";
import { hashCode, uploadFile, uploadForm } from "./files.js";

const STATUSES = ["open", "suspended", "closed"];

function label(c) {
  return currentLang() === "es" ? c.label_es : c.label_en;
}

// A clock: due day, days left, warning when escalated; halted while an
// amparo suspends it (the due day is then projected).
function clock(c) {
  if (c.suspended)
    return h("div", { class: "clock suspended", "data-rule": c.rule, "data-suspended": "true", title: c.source }, raw(label(c)), ": ", t("ext.suspended", { day: date(c.suspended_since) }), " (", t("cases.days_left", { n: num(c.days_left) }), ")");
  const cls = c.days_left < 0 ? "clock overdue" : c.escalate ? "clock soon" : "clock";
  const when = c.days_left < 0 ? t("cases.overdue", { n: num(-c.days_left) }) : t("cases.days_left", { n: num(c.days_left) });
  const paused = c.paused_days ? [" · ", t("ext.paused", { n: num(c.paused_days) })] : null;
  return h("div", { class: cls, "data-rule": c.rule, title: c.source }, raw(label(c)), ": ", date(c.due), " (", when, ")", paused);
}

// The documents of a case: name, type, size, full SHA-256, a download link
// (an attachment: the browser saves it), and the upload form for writers.
function documents(c, reload) {
  const rows = c.documents.map((d) =>
    h(
      "tr",
      { "data-document": d.id },
      h("td", {}, h("a", { href: `/api/v1/cases/${c.id}/documents/${d.id}`, download: d.name, class: "download" }, raw(d.name))),
      h("td", {}, raw(d.content_type || "")),
      h("td", {}, num(d.size)),
      h("td", {}, hashCode(d.sha256)),
      h("td", {}, [d.certified ? t("cases.certified") : null, d.translated ? t("cases.translated") : null, d.sensitive ? t("files.sensitive") : null].filter(Boolean).join(" · ")),
    ),
  );
  const flags = ["certified", "translated", "sensitive"].map((k) => h("input", { type: "checkbox", id: `doc-${k}` }));
  const send = (file) => {
    const q = new URLSearchParams();
    flags.forEach((f, i) => f.checked && q.set(["certified", "translated", "sensitive"][i], "true"));
    return uploadFile(`/api/v1/cases/${c.id}/documents${q.toString() ? `?${q}` : ""}`, file);
  };
  // only write members may attach (the server checks again: 403 otherwise)
  const me = session() ? session().user : {};
  const writer = can("write") && c.members.some((m) => m.rights === "write" && m.principal === (m.kind === "user" ? me.user : me.agency));
  return [
    rows.length ? table(t("cases.documents"), [t("files.name"), t("files.type"), t("files.size"), t("files.sha256"), t("files.flags")], rows) : h("p", { class: "empty" }, t("files.none")),
    writer
      ? uploadForm("doc-upload", t("files.upload_document"), h("div", { class: "row" }, field(t("cases.certified"), flags[0]), field(t("cases.translated"), flags[1]), field(t("files.sensitive"), flags[2], t("files.sensitive_hint"))), send, reload)
      : null,
  ];
}

function newCaseForm(reload) {
  const title = h("input", { type: "text", id: "case-title", required: true });
  const agencies = h("input", { type: "text", id: "case-agencies", placeholder: "HSI:US,FGR:MX" });
  const mark = h("select", { id: "case-marking" }, ["AGENCY-ONLY", "SHARED", "US-ONLY", "MX-ONLY", "PUBLIC"].map((m) => h("option", { value: m }, tv("marking", m))));
  const msg = h("div", { "aria-live": "polite" });
  const submit = async (ev) => {
    ev.preventDefault();
    try {
      const r = await post("/api/v1/cases", { title: title.value, agencies: agencies.value, marking: mark.value });
      mount(msg, status(t("cases.filed", { id: r.id }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return h(
    "form",
    { class: "card row", id: "case-new", onsubmit: submit },
    field(t("cases.title_field"), title),
    field(t("cases.agencies"), agencies, t("cases.agencies_hint")),
    field(t("entity.marking"), mark),
    h("button", { type: "submit" }, t("cases.file")),
    msg,
  );
}

function boardRow(c) {
  if (c.restricted)
    return h(
      "tr",
      { "data-case": c.id, class: "restricted" },
      h("td", {}, num(c.id)),
      h("td", {}, h("em", {}, t("cases.restricted"))),
      h("td", {}, tv("case_status", c.status)),
      h("td", {}, raw(c.owner)),
      h("td", {}, marking(c.marking)),
      h("td", {}, ""),
      h("td", {}, ""),
    );
  return h(
    "tr",
    { "data-case": c.id },
    h("td", {}, num(c.id)),
    h("td", {}, link(`/app/cases/${c.id}`, c.title, false)),
    h("td", {}, tv("case_status", c.status)),
    h("td", {}, raw(c.owner)),
    h("td", {}, marking(c.marking)),
    h("td", {}, num(c.warrants)),
    h("td", {}, num(c.extraditions)),
  );
}

function boardPage(main) {
  const st = h("select", { id: "case-status" }, h("option", { value: "" }, t("cases.all")), STATUSES.map((s) => h("option", { value: s }, tv("case_status", s))));
  const list = h("div", { id: "case-list" });
  const load = async () => {
    mount(list, loading());
    const q = new URLSearchParams({ existing: "true" });
    if (st.value) q.set("status", st.value);
    try {
      const r = await get(`/api/v1/cases?${q}`);
      mount(
        list,
        h("p", {}, t("cases.count", { n: num(r.results.filter((c) => !c.restricted).length) })),
        table(t("cases.table"), [t("cases.id"), t("cases.title_field"), t("cases.status"), t("cases.owner"), t("entity.marking"), t("cases.warrants"), t("cases.extraditions")], r.results.map(boardRow)),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("cases.heading")),
    h("p", {}, t("cases.intro")),
    h("form", { class: "card row", id: "case-filter", onsubmit: (ev) => { ev.preventDefault(); load(); } }, field(t("cases.status"), st), h("button", { type: "submit" }, t("cases.filter"))),
    can("write") ? newCaseForm(load) : null,
    list,
  );
  load();
}

function timeline(items) {
  return h(
    "ol",
    { class: "timeline", id: "case-timeline", "aria-label": t("cases.timeline") },
    items.map((e) => h("li", {}, h("time", { datetime: e.day }, date(e.day)), " ", h("strong", {}, tv("case_event", e.kind)), " — ", raw(e.text), h("span", { class: "sub" }, " · ", raw(e.actor)))),
  );
}

function caseDetail(main, c, reload) {
  const sect = (title, body) => h("section", { class: "card" }, h("h2", {}, title), body);
  mount(
    main,
    h("h1", {}, raw(c.title)),
    h("p", {}, tv("case_status", c.status), " · ", raw(c.owner), " · ", marking(c.marking), " · ", t("cases.opened", { day: date(c.opened) })),
    c.summary ? h("p", {}, raw(c.summary)) : null,
    sect(t("cases.offences"), h("ul", {}, c.offences.map((o) => h("li", {}, raw(o.offence))))),
    sect(t("cases.members"), h("ul", { id: "case-members" }, c.members.map((m) => h("li", {}, raw(m.principal), " (", tv("member_kind", m.kind), ", ", tv("member_right", m.rights), ")")))),
    sect(t("cases.timeline"), timeline(c.timeline)),
    sect(
      t("cases.warrants"),
      table(t("cases.warrants"), [t("cases.id"), t("cases.subject"), t("cases.court"), t("cases.issued"), t("cases.status")],
        c.warrants.map((w) => h("tr", { "data-warrant": w.id }, h("td", {}, num(w.id)), h("td", {}, raw(w.subject)), h("td", {}, raw(w.court)), h("td", {}, date(w.issued)), h("td", {}, tv("warrant_status", w.status))))),
    ),
    sect(
      t("cases.arrests"),
      table(t("cases.arrests"), [t("cases.person"), t("cases.day"), t("cases.place"), t("cases.agency")],
        c.arrests.map((a) => h("tr", {}, h("td", {}, raw(a.person)), h("td", {}, date(a.day)), h("td", {}, raw(a.place)), h("td", {}, raw(a.agency))))),
    ),
    sect(
      t("cases.extraditions"),
      table(t("cases.extraditions"), [t("cases.person"), t("ext.direction"), t("ext.stage"), t("ext.next_due")],
        c.extraditions.map((x) => h("tr", { "data-extradition": x.id }, h("td", {}, raw(x.person)), h("td", {}, tv("direction", x.direction)), h("td", {}, tv("stage", x.stage)), h("td", {}, x.clocks.map(clock))))),
    ),
    sect(t("cases.links"), h("ul", { id: "case-links" }, c.links.map((l) => h("li", {}, tv("link_kind", l.kind), " ", raw(l.target), l.note ? h("span", { class: "sub" }, " — ", raw(l.note)) : null)))),
    sect(t("cases.tasks"), h("ul", {}, c.tasks.map((k) => h("li", {}, raw(k.title), k.due ? [" — ", date(k.due)] : null, k.done ? [" ✓"] : null)))),
    h("section", { class: "card", id: "case-documents" }, h("h2", {}, t("cases.documents")), documents(c, reload)),
  );
}

export async function casesPage(main, id) {
  if (!id) return boardPage(main);
  mount(main, loading());
  try {
    caseDetail(main, await get(`/api/v1/cases/${encodeURIComponent(id)}`), () => casesPage(main, id));
  } catch (e) {
    mount(main, h("h1", {}, t("cases.heading")), errorMsg(e));
  }
}

// ---- the extradition tracker ----
// One entry of "what is due": a legal clock of a request, or a case's task.
function dueItem(c) {
  const cls = c.overdue ? "overdue" : "soon";
  if (c.kind === "task") {
    const when = c.days_left < 0 ? t("cases.overdue", { n: num(-c.days_left) }) : t("cases.days_left", { n: num(c.days_left) });
    return h("li", { class: cls, "data-task": c.task }, t("ext.task"), ": ", raw(c.title), " — ", link(`/app/cases/${c.case_id}`, t("ext.case", { id: c.case_id }), false), ", ", date(c.due), " (", when, ")");
  }
  return h("li", { class: cls, "data-clock": c.rule }, raw(c.person), " — ", tv("stage", c.stage), ": ", clock(c));
}

function stageForm(x, reload, msg) {
  if (!can("write") || !x.next.length) return null;
  // only the stages the workflow allows next (the server checks again: a
  // request moved meanwhile by someone else is refused with 409)
  const sel = h("select", { id: `stage-${x.id}`, "aria-label": t("ext.move_label", { id: x.id }) }, x.next.map((s) => h("option", { value: s }, tv("stage", s))));
  const deciding = x.next.includes("executive_decision") && !x.decision;
  const dec = deciding
    ? h("select", { id: `decision-${x.id}`, "aria-label": t("ext.decision_label", { id: x.id }) }, h("option", { value: "" }, t("ext.no_decision")), ["granted", "denied"].map((d) => h("option", { value: d }, tv("decision", d))))
    : h("span", { id: `decision-${x.id}` });
  const go = async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/extraditions/${x.id}/stage`, deciding && dec.value && sel.value === "executive_decision" ? { stage: sel.value, decision: dec.value } : { stage: sel.value });
      mount(msg, status(t("ext.moved", { id: x.id, stage: tv("stage", sel.value) }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return h("form", { class: "row", onsubmit: go }, sel, dec, h("button", { type: "submit", class: "small" }, t("ext.move")));
}

// Record an amparo (court, file number, first day) or its end: the clocks
// of a request held in Mexico stop while it suspends the procedure.
const FINAL = ["surrendered", "released", "withdrawn", "lapsed"];
function amparoForm(x, reload, msg) {
  if (!can("write") || x.direction !== "mx_to_us" || FINAL.includes(x.stage)) return null;
  const act = (body, path) => async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/extraditions/${x.id}/${path}`, body());
      mount(msg, status(t(path === "amparo" ? "ext.amparo_recorded" : "ext.amparo_ended", { id: x.id }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  if (x.suspended_since)
    return h("form", { class: "row", onsubmit: act(() => ({}), "amparo/end") }, h("button", { type: "submit", class: "small secondary", id: `amparo-end-${x.id}` }, t("ext.amparo_end")));
  const court = h("input", { type: "text", id: `amparo-court-${x.id}`, required: true });
  const ref = h("input", { type: "text", id: `amparo-ref-${x.id}`, required: true, size: "10" });
  const day = h("input", { type: "date", id: `amparo-day-${x.id}` });
  return h(
    "details",
    { class: "amparo" },
    h("summary", {}, t("ext.amparo")),
    h("form", { class: "row", onsubmit: act(() => Object.assign({ court: court.value, reference: ref.value }, day.value ? { day: day.value } : {}), "amparo") },
      field(t("ext.amparo_court"), court), field(t("ext.amparo_ref"), ref), field(t("ext.amparo_day"), day),
      h("button", { type: "submit", class: "small", id: `amparo-go-${x.id}` }, t("ext.amparo_record"))),
  );
}

export function extraditionsPage(main) {
  const msg = h("div", { "aria-live": "polite", id: "ext-msg" });
  const due = h("section", { class: "card", id: "ext-due" });
  const list = h("div", { id: "ext-list" });
  const load = async () => {
    mount(list, loading());
    try {
      const [r, d] = await Promise.all([get("/api/v1/extraditions"), get("/api/v1/cases/due")]);
      mount(due, h("h2", {}, t("ext.due_heading")), d.results.length ? h("ul", {}, d.results.map(dueItem)) : h("p", {}, t("ext.nothing_due")));
      mount(
        list,
        table(t("ext.table"), [t("cases.id"), t("cases.person"), t("ext.direction"), t("ext.stage"), t("ext.since"), t("ext.clocks"), t("ext.actions")],
          r.results.map((x) =>
            h(
              "tr",
              { "data-extradition": x.id, "data-stage": x.stage },
              h("td", {}, num(x.id)),
              h("td", {}, raw(x.person), h("div", { class: "sub" }, link(`/app/cases/${x.case_id}`, t("ext.case", { id: x.case_id }), false))),
              h("td", {}, tv("direction", x.direction)),
              h("td", {}, tv("stage", x.stage), x.decision ? [" (", tv("decision", x.decision), ")"] : null,
                x.suspended_since ? h("div", { class: "badge suspended", "data-amparo": x.suspended_since }, t("ext.suspended", { day: date(x.suspended_since) })) : null),
              h("td", {}, date(x.stage_since)),
              h("td", {}, x.clocks.map(clock)),
              h("td", { class: "actions" }, stageForm(x, load, msg), amparoForm(x, load, msg)),
            ),
          ),
        ),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(main, h("h1", {}, t("ext.heading")), h("p", {}, t("ext.intro")), msg, due, list);
  load();
}
