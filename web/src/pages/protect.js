// protect.js - protection of journalists and defenders (docs/protection.md):
// the officer's cases (GET /api/v1/protect/cases, POST .../search), one case
// (GET /api/v1/protect/cases/{id}) with its people, places, incidents,
// studies, measures and their moves, clocks and effectiveness, and the clocks
// board (GET /api/v1/protect/clocks). Every read states its purpose (header
// X-Puente-Purpose, kept for this tab only); the officer's key is unlocked
// once per session (POST /api/v1/protect/unlock) and stays in the server's
// memory only.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { currentLang, date, num, t, tv } from "../i18n.js";
import { navigate } from "../main.js";
import { errorMsg, loading, table } from "./common.js";
import { downloadFile, hashCode, uploadFile, uploadForm } from "./files.js";

const PURPOSE_KEY = "puente.protect.purpose";
const PURPOSE_MIN = 8;
const NEXT = { requested: ["approved", "withdrawn"], approved: ["installed", "withdrawn"], installed: ["active", "withdrawn"], active: ["active", "withdrawn"], withdrawn: [] };
let catalogue = null;

function purpose() {
  return sessionStorage.getItem(PURPOSE_KEY) || "";
}
const withPurpose = () => ({ headers: { "X-Puente-Purpose": purpose() } });
const when = (secs) => (secs ? date(new Date(secs * 1000).toISOString()) : "");

async function measureName(code) {
  if (!catalogue) catalogue = await get("/api/v1/protect/catalogue");
  const m = catalogue.measures.find((x) => x.code === code) || catalogue.aggressions.find((x) => x.code === code);
  return m ? m[currentLang()] || m.en : code;
}

// The purpose field and the unlock form; onReady runs once both are there.
function gate(main, onReady) {
  const input = h("input", { id: "protect-purpose", value: purpose(), minlength: String(PURPOSE_MIN), required: true, autocomplete: "off" });
  const pass = h("input", { id: "protect-passphrase", type: "password", autocomplete: "off" });
  const msg = h("div", { id: "protect-gate-msg", "aria-live": "polite" });
  const unlockBox = h(
    "form",
    { id: "protect-unlock", class: "inline", hidden: true, onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await post("/api/v1/protect/unlock", { passphrase: pass.value });
        pass.value = "";
        unlockBox.hidden = true;
        mount(msg, status(t("protect.unlocked"), "ok"));
        onReady(needUnlock);
      } catch (e) {
        mount(msg, errorMsg(e));
      }
    } },
    h("h2", {}, t("protect.unlock_title")),
    field(t("protect.passphrase"), pass),
    h("button", { type: "submit", id: "protect-unlock-submit" }, t("protect.unlock")),
  );
  const needUnlock = (e) => {
    if (e && e.status === 403 && e.field === "unlock") {
      unlockBox.hidden = false;
      pass.focus();
      return true;
    }
    return false;
  };
  const purposeForm = h(
    "form",
    { id: "protect-purpose-form", class: "inline", onsubmit: (ev) => {
      ev.preventDefault();
      if (input.value.trim().length < PURPOSE_MIN) {
        mount(msg, status(t("protect.purpose_hint"), "error"));
        return;
      }
      sessionStorage.setItem(PURPOSE_KEY, input.value.trim());
      onReady(needUnlock);
    } },
    field(t("protect.purpose"), input, t("protect.purpose_hint")),
    h("button", { type: "submit", id: "protect-purpose-submit" }, t("protect.purpose_set")),
    h("button", { type: "button", class: "secondary", id: "protect-lock", onclick: async () => {
      await post("/api/v1/protect/lock", {}).catch(() => {});
      mount(msg, status(t("protect.locked"), "info"));
    } }, t("protect.lock")),
  );
  main.appendChild(h("section", { class: "protect-gate" }, purposeForm, unlockBox, msg));
  if (purpose().length >= PURPOSE_MIN) onReady(needUnlock);
  return needUnlock;
}

// ---- the list ----
function caseRows(cases) {
  return cases.map((c) =>
    h(
      "tr",
      { "data-case": c.id },
      h("td", {}, h("a", { href: `/app/protect/${c.id}`, onclick: (ev) => { ev.preventDefault(); navigate(`/app/protect/${c.id}`); } }, raw(c.id, "code"))),
      h("td", {}, raw(c.name)),
      h("td", {}, tv("protect_kind", c.kind)),
      h("td", {}, tv("protect_path", c.path)),
      h("td", {}, raw(c.state)),
      h("td", {}, c.level ? tv("protect_level", c.level) : t("protect.pending")),
      h("td", {}, raw(date(c.received))),
    ),
  );
}

function listPage(main) {
  main.appendChild(h("h1", {}, t("protect.title")));
  main.appendChild(h("p", {}, t("protect.intro")));
  const list = h("div", { id: "protect-list" });
  const q = h("input", { id: "protect-q", type: "search", autocomplete: "off" });
  const msg = h("div", { "aria-live": "polite", id: "protect-msg" });
  let needUnlock = () => false;
  const show = async (search) => {
    mount(list, loading());
    try {
      const r = search ? await post("/api/v1/protect/search", { q: search }, withPurpose()) : await get("/api/v1/protect/cases", withPurpose());
      const headers = ["id", "name", "kind", "path", "state", "level", "received"].map((k) => t(`protect.col.${k}`));
      mount(list, r.cases.length ? table(t("protect.cases"), headers, caseRows(r.cases)) : h("p", { class: "empty" }, t("protect.none")));
    } catch (e) {
      mount(list, needUnlock(e) ? "" : errorMsg(e));
    }
  };
  needUnlock = gate(main, () => show(""));
  const kind = h("select", { id: "protect-kind" }, ["journalist", "defender", "collective"].map((k) => h("option", { value: k }, tv("protect_kind", k))));
  const path = h("select", { id: "protect-path" }, ["ordinary", "extraordinary"].map((k) => h("option", { value: k }, tv("protect_path", k))));
  const state = h("input", { id: "protect-state", maxlength: "3", size: "4", autocomplete: "off" });
  main.appendChild(
    h(
      "form",
      { id: "protect-search", class: "inline", role: "search", onsubmit: (ev) => { ev.preventDefault(); show(q.value.trim()); } },
      field(t("protect.search"), q),
      h("button", { type: "submit" }, t("protect.search_button")),
    ),
  );
  main.appendChild(list);
  main.appendChild(
    h(
      "form",
      { id: "protect-new", class: "inline", onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const r = await post("/api/v1/protect/cases", { kind: kind.value, path: path.value, state: state.value.trim().toUpperCase() });
          navigate(`/app/protect/${r.id}`);
        } catch (e) {
          mount(msg, needUnlock(e) ? "" : errorMsg(e));
        }
      } },
      h("h2", {}, t("protect.new")),
      field(t("protect.col.kind"), kind),
      field(t("protect.col.path"), path),
      field(t("protect.col.state"), state),
      h("button", { type: "submit", id: "protect-new-submit" }, t("protect.open")),
      msg,
    ),
  );
}

// ---- one case ----
function section(title, headers, rows, id) {
  return h("section", { id }, rows.length ? table(title, headers, rows) : [h("h2", {}, title), h("p", { class: "empty" }, t("protect.none_yet"))]);
}

async function caseView(box, id, needUnlock) {
  mount(box, loading());
  let c;
  try {
    c = await get(`/api/v1/protect/cases/${encodeURIComponent(id)}`, withPurpose());
  } catch (e) {
    mount(box, needUnlock(e) ? "" : errorMsg(e));
    return;
  }
  const names = Object.fromEntries(await Promise.all([...c.measures.map((m) => m.code), ...c.incidents.map((i) => i.type)].map(async (k) => [k, await measureName(k)])));
  const reload = () => caseView(box, id, needUnlock);
  const msg = h("div", { "aria-live": "polite", id: "protect-case-msg" });
  const move = (m, to) => async () => {
    try {
      await post(`/api/v1/protect/cases/${encodeURIComponent(id)}/measures/${m.id}/status`, { status: to });
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const col = (k) => t(`protect.col.${k}`);
  const pname = Object.fromEntries(c.people.map((p) => [p.id, p.name]));
  mount(
    box,
    h("h1", {}, t("protect.case_title"), " ", raw(c.id, "code")),
    h("p", { class: "facts" }, tv("protect_kind", c.kind), " · ", tv("protect_path", c.path), " · ", raw(c.state), " · ", tv("protect_status", c.status), " · ", t("protect.received_on"), " ", raw(when(c.received))),
    msg,
    section(t("protect.people"), [col("person_name"), col("role"), col("occupation")], c.people.map((p) => h("tr", {}, h("td", {}, raw(p.name)), h("td", {}, tv("protect_role", p.role)), h("td", {}, tv("protect_occ", p.occupation)))), "protect-people"),
    section(t("protect.contacts"), [col("person_name"), col("channel"), col("value")], c.contacts.map((x) => h("tr", {}, h("td", {}, raw(pname[x.person] || "")), h("td", {}, tv("protect_channel", x.channel)), h("td", {}, raw(x.value)))), "protect-contacts"),
    section(t("protect.places"), [col("day"), col("state"), col("address")], c.places.map((x) => h("tr", {}, h("td", {}, raw(date(x.day))), h("td", {}, raw(x.state)), h("td", {}, raw(x.address)))), "protect-places"),
    section(t("protect.incidents"), [col("day"), col("type"), col("narrative")], c.incidents.map((x) => h("tr", {}, h("td", {}, raw(date(x.day))), h("td", {}, raw(names[x.type])), h("td", {}, raw(x.narrative || "")))), "protect-incidents"),
    section(t("protect.studies"), [col("version"), col("level"), col("analyst"), col("board"), col("next_review")], c.studies.map((x) => h("tr", {}, h("td", {}, num(x.version)), h("td", {}, tv("protect_level", x.level)), h("td", {}, raw(x.analyst)), h("td", {}, tv("protect_board", x.board)), h("td", {}, raw(date(x.next_review))))), "protect-studies"),
    section(t("protect.measures"), [col("measure"), col("provider"), col("cost"), col("status"), col("actions")], c.measures.map((m) =>
      h("tr", { "data-measure": m.id }, h("td", {}, raw(names[m.code]), m.urgent ? [" · ", t("protect.urgent")] : null), h("td", {}, raw(m.provider)), h("td", {}, num(m.cost, 2)), h("td", { class: "mstatus" }, tv("protect_mstatus", m.status)),
        h("td", { class: "actions" }, NEXT[m.status].map((to) => h("button", { type: "button", class: "small secondary", "data-to": to, onclick: move(m, to) }, t("protect.move", { status: tv("protect_mstatus", to) })))))), "protect-measures"),
    section(t("protect.clocks"), [col("rule"), col("due"), col("done"), col("late")], c.clocks.map((k) => h("tr", { class: k.late ? "late" : "" }, h("td", {}, tv("protect_rule", k.rule)), h("td", {}, raw(when(k.due))), h("td", {}, k.done ? raw(when(k.done)) : t("protect.pending")), h("td", {}, k.late ? t("protect.late") : t("protect.on_time")))), "protect-clocks-case"),
    section(t("protect.effectiveness"), [col("day"), col("type"), col("level"), col("measures_active"), col("assessment")], c.effectiveness.map((x) => h("tr", { class: x.under_rated ? "late" : "" }, h("td", {}, raw(date(x.day))), h("td", {}, raw(names[x.type])), h("td", {}, x.level ? tv("protect_level", x.level) : t("protect.pending")), h("td", {}, raw(x.measures_active.join(", "))), h("td", {}, x.under_rated ? t("protect.under_rated") : t("protect.consistent")))), "protect-effectiveness"),
    section(t("protect.members"), [col("user"), col("added")], c.members.map((x) => h("tr", {}, h("td", {}, raw(x.user)), h("td", {}, raw(date(x.added_day))))), "protect-members"),
    evidence(c, reload, msg),
    addForms(id, reload, msg),
  );
}

// Evidence files of the incidents: sealed with the case key; a download
// states the purpose (audited with it) and shows the hash the server sent.
function evidence(c, reload, msg) {
  const col = (k) => t(`protect.col.${k}`);
  const base = `/api/v1/protect/cases/${encodeURIComponent(c.id)}/evidence`;
  const fetchOne = (x) => async () => {
    try {
      const sha = await downloadFile(`${base}/${x.id}`, x.name || `evidence-${x.id}`, withPurpose());
      mount(msg, status(t("files.downloaded", { name: x.name || `evidence-${x.id}` }), "ok"), h("p", {}, t("files.sha256"), " ", hashCode(sha)));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const rows = c.evidence.map((x) =>
    h("tr", { "data-evidence": x.id },
      h("td", {}, raw(x.name || `evidence-${x.id}`)), h("td", {}, num(x.incident)), h("td", {}, num(x.size)), h("td", {}, x.sha256 ? hashCode(x.sha256) : ""),
      h("td", { class: "actions" }, h("button", { type: "button", class: "small secondary", id: `evidence-get-${x.id}`, onclick: fetchOne(x) }, t("files.download")))));
  const incident = h("select", { id: "evidence-incident" }, c.incidents.map((i) => h("option", { value: String(i.id) }, `${i.id} · ${date(i.day)}`)));
  return h("div", { id: "protect-evidence" },
    section(t("protect.evidence"), [t("files.name"), col("incident"), t("files.size"), t("files.sha256"), col("actions")], rows, "protect-evidence-list"),
    c.incidents.length
      ? uploadForm("evidence-upload", t("files.upload_evidence"), field(col("incident"), incident), (file) => uploadFile(`${base}?incident=${encodeURIComponent(incident.value)}`, file), reload)
      : null);
}

function addForms(id, reload, msg) {
  const name = h("input", { id: "protect-person-name", autocomplete: "off" });
  const role = h("select", { id: "protect-person-role" }, ["beneficiary", "family", "collective"].map((k) => h("option", { value: k }, tv("protect_role", k))));
  const occ = h("select", { id: "protect-person-occ" }, ["journalist", "defender", "relative", "organisation"].map((k) => h("option", { value: k }, tv("protect_occ", k))));
  const code = h("select", { id: "protect-measure-code" }, (catalogue ? catalogue.measures : []).map((m) => h("option", { value: m.code }, m[currentLang()] || m.en)));
  const urgent = h("input", { type: "checkbox", id: "protect-measure-urgent" });
  const submit = (path, body) => async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/protect/cases/${encodeURIComponent(id)}/${path}`, body());
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return h(
    "div",
    { class: "protect-forms" },
    h("form", { id: "protect-add-person", class: "inline", onsubmit: submit("people", () => ({ name: name.value, role: role.value, occupation: occ.value })) },
      h("h2", {}, t("protect.add_person")), field(t("protect.col.person_name"), name), field(t("protect.col.role"), role), field(t("protect.col.occupation"), occ),
      h("button", { type: "submit" }, t("protect.add"))),
    h("form", { id: "protect-add-measure", class: "inline", onsubmit: submit("measures", () => ({ code: code.value, urgent: urgent.checked })) },
      h("h2", {}, t("protect.add_measure")), field(t("protect.col.measure"), code), field(t("protect.urgent"), urgent),
      h("button", { type: "submit" }, t("protect.add"))),
  );
}

export function protectPage(main, id) {
  if (!id) return listPage(main);
  const box = h("div", { id: "protect-case" });
  let needUnlock = () => false;
  needUnlock = gate(main, () => caseView(box, id, needUnlock));
  main.appendChild(box);
  return undefined;
}

// ---- the clocks board ----
export function protectClocksPage(main) {
  main.appendChild(h("h1", {}, t("protect.clocks_title")));
  main.appendChild(h("p", {}, t("protect.clocks_intro")));
  const late = h("input", { type: "checkbox", id: "protect-late", checked: true });
  const box = h("div", { id: "protect-board" });
  let needUnlock = () => false;
  const load = async () => {
    mount(box, loading());
    try {
      const r = await get(`/api/v1/protect/clocks?late=${late.checked ? 1 : 0}`);
      const headers = ["id", "rule", "path", "due", "done", "late"].map((k) => t(`protect.col.${k}`));
      const rows = r.clocks.map((k) =>
        h("tr", { class: k.late ? "late" : "", "data-case": k.case },
          h("td", {}, h("a", { href: `/app/protect/${k.case}`, onclick: (ev) => { ev.preventDefault(); navigate(`/app/protect/${k.case}`); } }, raw(k.case, "code"))),
          h("td", {}, tv("protect_rule", k.rule)), h("td", {}, tv("protect_path", k.path)), h("td", {}, raw(when(k.due))),
          h("td", {}, k.done ? raw(when(k.done)) : t("protect.pending")), h("td", {}, k.late ? t("protect.late") : t("protect.on_time"))));
      mount(box, rows.length ? table(t("protect.clocks"), headers, rows) : h("p", { class: "empty" }, t("protect.none")));
    } catch (e) {
      mount(box, needUnlock(e) ? "" : errorMsg(e));
    }
  };
  needUnlock = gate(main, load);
  if (purpose().length < PURPOSE_MIN) load(); /* the board reads no content: no purpose needed */
  main.appendChild(h("form", { class: "inline", onsubmit: (ev) => ev.preventDefault() }, field(t("protect.late_only"), late)));
  late.addEventListener("change", load);
  main.appendChild(box);
}

