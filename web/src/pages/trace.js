// trace.js - firearms tracing (docs/web.md, "Firearms tracing"):
//   /app/trace          requests with their status (filters, paging), the
//                       maps (US source states, Mexican recovery states), the
//                       time-to-crime histogram, purchaser and dealer leads;
//   /app/trace/new      the Form 3312.1 entry form, validated as you type
//                       with the engine's rules (the server checks again);
//   /app/trace/{number} one request: result, acquisition chain,
//                       partial-serial candidates and the examiner's pick.
// API: /api/v1/trace/... (docs/API.md); at most 4 calls per view.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, has, num, pct, t, tv } from "../i18n.js";
import { can, link, navigate, session } from "../main.js";
import { errorMsg, loading, marking, table } from "./common.js";
import { choropleth, histogram, loadMaps } from "./trace_maps.js";
import { validateForm } from "../trace_rules.js";

const STATUSES = ["submitted", "in_progress", "completed", "cannot_trace"];
const MARKINGS = ["AGENCY-ONLY", "SHARED", "MX-ONLY", "US-ONLY", "PUBLIC"];
// Crime codes of Form 3312.1 as the requests carry them ("code NAME").
const CSV_MAX = 1000; // the API's page maximum (TRACE_LIST_MAX)
const CRIMES = ["5212 WEAPON OFFENSE", "0999 HOMICIDE", "3599 DRUG TRAFFICKING", "7099 ORGANIZED CRIME", "1099 KIDNAPPING", "1299 ROBBERY"];
// ISO 3166-2:MX codes of the recovery-state filter (names from the catalogue)
const MX_STATES = ["AGU", "BCN", "BCS", "CAM", "CHP", "CHH", "CMX", "COA", "COL", "DUR", "GUA", "GRO", "HID", "JAL", "MEX", "MIC",
  "MOR", "NAY", "NLE", "OAX", "PUE", "QUE", "ROO", "SLP", "SIN", "SON", "TAB", "TAM", "TLA", "VER", "YUC", "ZAC"];
const PAGE = 25;
const LEADS_TOP = 10;

// ---- values shown translated ----
const stateName = (code, fallback) => (has(`trace.mx.${String(code).toLowerCase()}`) ? t(`trace.mx.${String(code).toLowerCase()}`) : fallback || code);
const usName = (code, fallback) => (has(`trace.us.${String(code).toLowerCase()}`) ? t(`trace.us.${String(code).toLowerCase()}`) : fallback || code);
export function crimeName(v) {
  const m = String(v || "").match(/^(\d{4})\b/);
  return m && has(`trace.crime.${m[1]}`) ? `${m[1]} · ${t(`trace.crime.${m[1]}`)}` : raw(v || "");
}
const typeName = (v) => (v ? tv("trace.type", v) : "");
function statusBadge(s) {
  return h("span", { class: `badge trace-${s}`, "data-status": s }, tv("trace.status", s));
}
// "no purchaser record: chain ends at X" -> the translated kind and the engine's detail
function reasonText(r) {
  if (!r) return null;
  const i = r.indexOf(":");
  const kind = (i < 0 ? r : r.slice(0, i)).trim();
  const key = `trace.reason.${kind.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
  if (!has(key)) return raw(r);
  return [t(key), i < 0 ? null : [": ", raw(r.slice(i + 1).trim())]];
}
function years(days) {
  return num(days / 365.25, 1);
}

// ---- /app/trace/new: the form ----
const SECTIONS = [
  ["request", ["request_date", "priority", "agency", "requester", "case_number", "crime_code"]],
  ["firearm", ["serial", "obliterated", "manufacturer", "importer", "type", "calibre", "model", "country", "markings"]],
  ["possessor", ["possessor", "possessor_alias", "possessor_dob", "possessor_address"]],
  ["recovery", ["recovery_date", "recovery_state", "recovery_place"]],
];

function inputFor(key, meta) {
  const id = `tf-${key}`;
  const sel = (opts) => h("select", { id, name: key }, opts);
  switch (key) {
    case "request_date":
      return h("input", { id, name: key, type: "date", value: meta.today, max: meta.today });
    case "possessor_dob":
    case "recovery_date":
      return h("input", { id, name: key, type: "date", max: meta.today });
    case "priority":
      return sel(meta.priorities.map((p) => h("option", { value: p.toLowerCase() }, tv("trace.priority", p))));
    case "agency":
      return h("input", { id, name: key, type: "text", value: session().user.agency, readonly: true });
    case "crime_code":
      return sel([h("option", { value: "" }, t("trace.choose")), CRIMES.map((c) => h("option", { value: c }, crimeName(c)))]);
    case "type":
      return sel([h("option", { value: "" }, t("trace.choose")), meta.types.map((x) => h("option", { value: x }, typeName(x)))]);
    case "recovery_state":
      return sel([h("option", { value: "" }, t("trace.choose")), meta.states.map((x) => h("option", { value: x.code }, stateName(x.code, x.name)))]);
    case "obliterated":
      return h("input", { id, name: key, type: "checkbox" });
    default:
      return h("input", { id, name: key, type: "text", autocomplete: "off", spellcheck: "false" });
  }
}

async function formView(main) {
  mount(main, h("h1", {}, t("trace.new_title")), loading());
  let meta;
  try {
    meta = await get("/api/v1/trace/fields");
  } catch (e) {
    mount(main, h("h1", {}, t("trace.new_title")), errorMsg(e));
    return;
  }
  const required = new Set(meta.fields.filter((f) => f.required).map((f) => f.key));
  const inputs = {};
  const errs = {};
  const msg = h("div", { id: "trace-form-msg", "aria-live": "polite" });
  const values = () => {
    const v = {};
    for (const [k, el] of Object.entries(inputs)) v[k] = el.type === "checkbox" ? el.checked : el.value;
    return v;
  };
  const touched = new Set();
  const show = (all) => {
    const e = validateForm(values(), meta.today);
    for (const [k, el] of Object.entries(errs)) {
      const key = all || touched.has(k) ? e[k] : null;
      const bad = !!key;
      el.textContent = bad ? t(key) : "";
      el.hidden = !bad;
      inputs[k].setAttribute("aria-invalid", bad ? "true" : "false");
    }
    return e;
  };
  const fieldsets = SECTIONS.map(([name, keys]) =>
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, t(`trace.section.${name}`)),
      keys.map((k) => {
        const input = inputFor(k, meta);
        inputs[k] = input;
        const err = h("span", { class: "field-error", id: `tf-${k}-err`, hidden: true });
        errs[k] = err;
        const hint = has(`trace.hint.${k}`) ? t(`trace.hint.${k}`) : null;
        const label = `${t(`trace.field.${k}`)}${required.has(k) || k === "serial" ? " *" : ""}`;
        input.addEventListener("input", () => {
          touched.add(k);
          if (k === "obliterated") touched.add("serial");
          show(false);
        });
        input.addEventListener("change", () => {
          touched.add(k);
          show(false);
        });
        if (required.has(k)) input.setAttribute("aria-required", "true");
        const f =
          k === "obliterated"
            ? h("div", { class: "field check" }, input, h("label", { for: input.id }, t(`trace.field.${k}`)))
            : field(label, input, hint);
        input.setAttribute("aria-describedby", [hint ? `${input.id}-hint` : null, err.id].filter(Boolean).join(" "));
        f.appendChild(err);
        return f;
      }),
    ),
  );
  const mark = h("select", { id: "tf-marking" }, MARKINGS.filter((m) => !(m === "US-ONLY" && session().user.country === "MX") && !(m === "MX-ONLY" && session().user.country === "US")).map((m) => h("option", { value: m }, tv("marking", m))));
  const submit = async (ev) => {
    ev.preventDefault();
    Object.keys(inputs).forEach((k) => touched.add(k));
    const e = show(true);
    const first = Object.keys(inputs).find((k) => e[k]);
    if (first) {
      mount(msg, status(t("trace.form_errors", { n: Object.keys(e).length }), "error"));
      inputs[first].focus();
      return;
    }
    const body = { marking: mark.value };
    for (const [k, v] of Object.entries(values())) {
      if (k === "obliterated") body[k] = v;
      else if (v !== "" && k !== "agency") body[k] = v.trim();
    }
    mount(msg, status(t("trace.submitting"), "info"));
    try {
      const r = await post("/api/v1/trace/requests", body);
      navigate(`/app/trace/${encodeURIComponent(r.number)}`);
    } catch (err) {
      if (err.field && errs[err.field]) {
        errs[err.field].textContent = err.message;
        errs[err.field].hidden = false;
        inputs[err.field].setAttribute("aria-invalid", "true");
        inputs[err.field].focus();
      }
      mount(msg, errorMsg(err));
    }
  };
  mount(
    main,
    h("p", {}, link("/app/trace", t("trace.back"), false)),
    h("h1", {}, t("trace.new_title")),
    h("p", {}, t("trace.new_intro")),
    h("form", { id: "trace-form", novalidate: true, onsubmit: submit }, fieldsets, h("div", { class: "card row" }, field(t("entity.marking"), mark), h("button", { type: "submit", id: "trace-submit" }, t("trace.submit"))), msg),
  );
}

// ---- /app/trace/{number}: one request ----
function resultPanel(r) {
  const res = r.result;
  if (!res) return h("p", { class: "msg msg-info", id: "trace-no-result" }, t(r.status === "completed" ? "trace.result_hidden" : "trace.no_result"));
  const ttc = res.ttc_days;
  const flag = ttc === null ? null : ttc < 365 ? "trace.ttc_under1" : ttc < 3 * 365.25 ? "trace.ttc_1to3" : null;
  const fact = (k, v) => (v === null || v === undefined || v === "" ? null : [h("dt", {}, t(k)), h("dd", {}, v)]);
  return h(
    "section",
    { class: "card", id: "trace-result", "aria-labelledby": "trace-result-h" },
    h("h2", { id: "trace-result-h" }, t("trace.result")),
    h(
      "dl",
      { class: "facts" },
      fact("trace.purchaser", res.purchaser ? raw(res.purchaser) : null),
      fact("trace.purchase_date", res.purchase_date ? date(res.purchase_date) : null),
      fact("trace.purchase_state", res.purchase_state ? usName(res.purchase_state) : null),
      fact("trace.dealer", res.dealer ? raw(res.dealer) : null),
      fact("trace.dealer_ffl", res.dealer_ffl ? raw(res.dealer_ffl, "code") : null),
      fact("trace.ttc", ttc === null ? null : [t("trace.ttc_value", { years: years(ttc), days: num(ttc) }), flag ? [" — ", h("strong", {}, t(flag))] : null]),
      fact("trace.possessor_differs", res.possessor_differs === null ? null : t(res.possessor_differs ? "trace.yes" : "trace.no")),
      fact("trace.us_sourced", t(res.us_sourced ? "trace.yes" : "trace.no")),
    ),
    h("h3", {}, t("trace.chain")),
    table(
      t("trace.chain_caption"),
      [t("trace.date"), t("trace.event"), t("trace.party"), t("trace.ffl"), t("trace.state")],
      res.chain.map((e, i) =>
        h("tr", { "data-kind": e.kind, "data-step": i + 1 }, h("td", {}, date(e.date)), h("td", {}, tv("trace.event", e.kind)), h("td", {}, raw(e.party)), h("td", {}, raw(e.ffl, "code")), h("td", {}, e.state ? usName(e.state) : "")),
      ),
    ),
  );
}

function candidatesPanel(r, reload, msg) {
  if (!r.candidates.length) return null;
  const mayPick = can("write") && r.status === "in_progress";
  const pick = (c) => async () => {
    mount(msg, status(t("trace.picking"), "info"));
    try {
      await post(`/api/v1/trace/requests/${encodeURIComponent(r.number)}/pick`, { rank: c.rank });
      mount(msg, status(t("trace.picked", { serial: c.serial }), "ok"));
      reload();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return h(
    "section",
    { class: "card", id: "trace-candidates", "aria-labelledby": "trace-cand-h" },
    h("h2", { id: "trace-cand-h" }, t("trace.candidates")),
    h("p", {}, t("trace.candidates_intro", { pattern: r.form.serial })),
    table(
      t("trace.candidates_caption"),
      [t("trace.rank"), t("trace.score"), t("trace.field.manufacturer"), t("trace.field.serial"), t("trace.field.model"), t("trace.actions")],
      r.candidates.map((c) =>
        h(
          "tr",
          { "data-rank": c.rank, "data-serial": c.serial },
          h("td", {}, num(c.rank)),
          h("td", {}, num(c.score, 2)),
          h("td", {}, raw(c.manufacturer)),
          h("td", {}, raw(c.serial, "code")),
          h("td", {}, raw(c.model)),
          h("td", {}, mayPick ? h("button", { type: "button", class: "small", "data-pick": c.rank, onclick: pick(c), "aria-label": t("trace.pick_label", { rank: c.rank, serial: c.serial }) }, t("trace.pick")) : null),
        ),
      ),
    ),
  );
}

async function detailView(main, number) {
  mount(main, h("h1", {}, t("trace.request_title", { number })), loading());
  const msg = h("div", { id: "trace-msg", "aria-live": "polite" });
  const load = async () => {
    let r;
    try {
      r = await get(`/api/v1/trace/requests/${encodeURIComponent(number)}`);
    } catch (e) {
      mount(main, h("p", {}, link("/app/trace", t("trace.back"), false)), h("h1", {}, t("trace.request_title", { number })), errorMsg(e));
      return;
    }
    const facts = Object.entries(r.form)
      .filter(([, v]) => v !== "")
      .map(([k, v]) => {
        let shown = raw(v);
        if (k === "type") shown = typeName(v);
        else if (k === "crime_code") shown = crimeName(v);
        else if (k === "recovery_state") shown = stateName(v);
        else if (k === "priority") shown = tv("trace.priority", v);
        else if (k === "obliterated") shown = t(v === "yes" ? "trace.yes" : "trace.no");
        else if (/date|_dob$/.test(k)) shown = date(v);
        return [h("dt", {}, t(`trace.field.${k}`)), h("dd", {}, shown)];
      });
    mount(
      main,
      h("p", {}, link("/app/trace", t("trace.back"), false)),
      h("h1", { id: "trace-title" }, t("trace.request_title", { number: r.number }), " ", statusBadge(r.status), " ", marking(r.marking)),
      r.reason ? h("p", { class: "msg msg-info", id: "trace-reason" }, t("trace.reason"), ": ", reasonText(r.reason)) : null,
      r.manufacturer_known ? null : h("p", { class: "msg msg-info" }, t("trace.unknown_maker")),
      msg,
      candidatesPanel(r, load, msg),
      resultPanel(r),
      h("section", { class: "card", "aria-labelledby": "trace-form-h" }, h("h2", { id: "trace-form-h" }, t("trace.form")), h("dl", { class: "facts", id: "trace-facts" }, facts)),
      r.notes ? h("p", { class: "sub", id: "trace-notes" }, t("trace.notes"), ": ", raw(r.notes)) : null,
    );
  };
  await load();
}

// ---- /app/trace: requests, maps, histogram, leads ----
// The request list with its filters; pickState(code) filters it by a
// recovery state (a click on the Mexican map) and brings it into view.
function requestsSection() {
  const st = h("select", { id: "trace-status" }, h("option", { value: "" }, t("trace.all")), STATUSES.map((s) => h("option", { value: s }, tv("trace.status", s))));
  const state = h("select", { id: "trace-state" }, h("option", { value: "" }, t("trace.all_states")),
    MX_STATES.map((c) => [c, stateName(c)]).sort((a, b) => a[1].localeCompare(b[1])).map(([c, n]) => h("option", { value: c }, n)));
  const crime = h("select", { id: "trace-crime" }, h("option", { value: "" }, t("trace.all_crimes")),
    CRIMES.map((c) => h("option", { value: c.slice(0, 4) }, crimeName(c))));
  const list = h("div", { id: "trace-list" });
  const dl = h("div", { id: "trace-download" });
  let offset = 0;
  const filters = () => {
    const q = new URLSearchParams();
    if (st.value) q.set("status", st.value);
    if (state.value) q.set("state", state.value);
    if (crime.value) q.set("crime", crime.value);
    return q;
  };
  // the filtered list (up to the API's page maximum) as the engine's CSV
  const download = async () => {
    const q = filters();
    q.set("format", "csv");
    q.set("limit", String(CSV_MAX));
    try {
      const res = await fetch(`/api/v1/trace/requests?${q}`, { credentials: "same-origin" });
      if (!res.ok) throw new Error(t("error.generic"));
      const url = URL.createObjectURL(new Blob([await res.text()], { type: "text/csv" }));
      mount(dl, h("a", { href: url, download: "trace-requests.csv", class: "button", id: "trace-csv-link" }, t("trace.csv_ready")));
      dl.querySelector("a").focus();
    } catch (e) {
      mount(dl, errorMsg(e));
    }
  };
  const load = async () => {
    mount(list, loading());
    const q = filters();
    q.set("limit", String(PAGE));
    q.set("offset", String(offset));
    mount(dl);
    try {
      const r = await get(`/api/v1/trace/requests?${q}`);
      const rows = r.results.map((x) =>
        h(
          "tr",
          { "data-number": x.number, "data-status": x.status },
          h("td", {}, link(`/app/trace/${encodeURIComponent(x.number)}`, x.number, false)),
          h("td", {}, statusBadge(x.status), x.candidates ? h("div", { class: "sub" }, t("trace.n_candidates", { n: num(x.candidates) })) : null),
          h("td", {}, tv("trace.priority", x.priority)),
          h("td", {}, crimeName(x.crime_code)),
          h("td", {}, raw(x.manufacturer), " ", raw(x.serial, "code"), h("div", { class: "sub" }, typeName(x.type))),
          h("td", {}, date(x.recovery_date), h("div", { class: "sub" }, stateName(x.recovery_state))),
          h("td", {}, marking(x.marking)),
        ),
      );
      const prev = h("button", { type: "button", class: "secondary small", id: "trace-prev", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, t("trace.prev"));
      const next = h("button", { type: "button", class: "secondary small", id: "trace-next", disabled: offset + PAGE >= r.total, onclick: () => { offset += PAGE; load(); } }, t("trace.next"));
      mount(
        list,
        h("p", {}, t("trace.count", { n: num(r.total), from: num(r.total ? offset + 1 : 0), to: num(offset + r.results.length) })),
        table(t("trace.table"), [t("trace.number"), t("trace.status_h"), t("trace.field.priority"), t("trace.field.crime_code"), t("trace.firearm"), t("trace.recovery"), t("entity.marking")], rows),
        h("div", { class: "row" }, prev, next),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  load();
  const el = h(
    "section",
    { "aria-labelledby": "trace-req-h", id: "trace-requests" },
    h("h2", { id: "trace-req-h", tabindex: "-1" }, t("trace.requests")),
    h("form", { class: "card row", id: "trace-filter", onsubmit: (ev) => { ev.preventDefault(); offset = 0; load(); } },
      field(t("trace.status_h"), st), field(t("trace.field.recovery_state"), state), field(t("trace.field.crime_code"), crime),
      h("button", { type: "submit" }, t("trace.filter")),
      h("button", { type: "button", class: "secondary", id: "trace-csv", onclick: download }, t("trace.csv"))),
    dl,
    list,
  );
  const pickState = (code) => {
    state.value = code;
    offset = 0;
    load();
    el.querySelector("h2").focus();
  };
  return { el, pickState };
}

function statsSection(pickState) {
  const box = h("div", { id: "trace-stats" }, loading());
  (async () => {
    try {
      const [s, geo] = await Promise.all([get("/api/v1/trace/stats"), loadMaps()]);
      const src = Object.fromEntries(s.by_source_state.map((x) => [x.key, x.count]));
      const rec = Object.fromEntries(s.by_recovery_state.map((x) => [x.key, x.count]));
      mount(
        box,
        h(
          "ul",
          { class: "figures" },
          h("li", {}, h("strong", {}, num(s.requests)), " ", t("trace.fig_requests")),
          h("li", {}, h("strong", {}, num(s.completed)), " ", t("trace.fig_completed")),
          h("li", {}, h("strong", {}, pct(s.us_sourced_share / 100)), " ", t("trace.fig_us")),
          h("li", {}, h("strong", {}, num(s.ttc_median_years, 1)), " ", t("trace.fig_ttc")),
        ),
        h(
          "div",
          { class: "maps" },
          h("div", {}, h("h3", {}, t("trace.map_us")), choropleth("map-us", geo.us, src, t("trace.map_us_title", { n: num(s.completed) }), usName)),
          h("div", {}, h("h3", {}, t("trace.map_mx")), choropleth("map-mx", geo.mx, rec, t("trace.map_mx_title", { n: num(s.requests) }), stateName, pickState)),
        ),
        h("p", { class: "sub", id: "map-sources" }, t("trace.map_sources")),
        h("h3", {}, t("trace.ttc_title")),
        h("figure", { class: "hist" }, histogram(s.ttc_histogram, t("trace.ttc_title")), h("figcaption", {}, t("trace.ttc_caption", { n: num(s.ttc_n), median: num(s.ttc_median_years, 1), mean: num(s.ttc_mean_years, 1) }))),
      );
    } catch (e) {
      mount(box, errorMsg(e));
    }
  })();
  return h("section", { "aria-labelledby": "trace-stats-h" }, h("h2", { id: "trace-stats-h" }, t("trace.stats")), box);
}

function leadsTable(kind, leads) {
  return table(
    t(`trace.leads_${kind}`),
    [t("trace.rank"), t("trace.strength"), kind === "purchaser" ? t("trace.purchaser") : t("trace.dealer"), t("trace.recoveries"), t("trace.indicators")],
    leads.map((l) =>
      h(
        "tr",
        { "data-lead": l.key },
        h("td", {}, num(l.rank)),
        h("td", {}, num(l.strength, 1)),
        h("td", {}, raw(l.name), h("div", { class: "sub" }, raw(l.key, "code"))),
        h("td", {}, num(l.recoveries)),
        h("td", {}, h("details", {}, h("summary", {}, t("trace.n_indicators", { n: l.indicators.length })), h("ul", {}, l.indicators.map((x) => h("li", {}, raw(x)))))),
      ),
    ),
  );
}

function leadsSection() {
  const box = h("div", { id: "trace-leads" }, loading());
  get(`/api/v1/trace/leads?top=${LEADS_TOP}`)
    .then((r) => mount(box, h("p", {}, t("trace.leads_intro")), h("div", { class: "leads" }, leadsTable("purchaser", r.purchasers), leadsTable("dealer", r.dealers))))
    .catch((e) => mount(box, errorMsg(e)));
  return h("section", { "aria-labelledby": "trace-leads-h" }, h("h2", { id: "trace-leads-h" }, t("trace.leads")), box);
}

export function tracePage(main, id) {
  if (id === "new") {
    if (!can("write")) return mount(main, status(t("error.denied"), "error"));
    return formView(main);
  }
  if (id) return detailView(main, id);
  const reqs = requestsSection();
  mount(
    main,
    h("h1", {}, t("trace.title")),
    h("p", {}, t("trace.intro")),
    can("write") ? h("p", {}, h("a", { href: "/app/trace/new", class: "button", id: "trace-new", onclick: (ev) => { ev.preventDefault(); navigate("/app/trace/new"); } }, t("trace.new"))) : null,
    reqs.el,
    statsSection(reqs.pickState),
    leadsSection(),
  );
  return undefined;
}
