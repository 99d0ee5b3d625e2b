// search.js - name screening: one name or a CSV batch against the
// designated entities the reader may see (POST /match/default, ranked by
// score), each hit explained in plain words, and a reviewed false positive
// recorded with a note (POST /api/v1/decisions).
import { api, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, pct, t, tv } from "../i18n.js";
import { can, link } from "../main.js";
import { errorMsg, marking } from "./common.js";

const SCHEMAS = ["Thing", "Person", "Organization", "Company", "Vessel"];
const BATCH_CHUNK = 25; // queries per request: a progress step each

function query(name, schema, country) {
  const properties = { name: [name] };
  if (country) properties.country = [country.toLowerCase()];
  return { schema, properties };
}

// One reason of a score, for a reader who is no specialist: what was
// compared, how much it counted; the engine's technical note beside it.
function reason(name, ex) {
  const key = `feature.${name}`;
  return h(
    "li",
    {},
    h("strong", {}, tv("feature", name)),
    " — ",
    t(`${key}_help`),
    " ",
    h("span", { class: "score" }, t("search.weight", { value: num(ex.score, 2) })),
    ex.detail ? h("div", { class: "detail" }, h("span", { class: "label" }, t("search.technical")), " ", raw(ex.detail, "code")) : null,
  );
}

function fpForm(q, hit, out) {
  const note = h("textarea", { rows: 2, required: true, name: "note" });
  const msg = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "fp",
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await post("/api/v1/decisions", { query: q, entity_id: hit.id, decision: "false_positive", note: note.value });
          mount(msg, status(t("search.fp_saved"), "ok"));
          out.classList.add("suppressed");
        } catch (e) {
          mount(msg, errorMsg(e));
        }
      },
    },
    field(t("search.fp_note"), note),
    h("button", { type: "submit", class: "secondary" }, t("search.fp_record")),
    msg,
  );
}

function hitCard(q, hit) {
  const li = h("li", { class: `hit ${hit.match ? "is-match" : ""}` });
  const reasons = Object.entries(hit.explanations || {}).map(([n, ex]) => reason(n, ex));
  mount(
    li,
    h(
      "h3",
      {},
      link(`/app/entity/${encodeURIComponent(hit.id)}`, hit.caption, false),
      " ",
      h("span", { class: `badge ${hit.match ? "badge-match" : ""}` }, hit.match ? t("search.match") : t("search.candidate")),
    ),
    h(
      "p",
      {},
      t("search.score", { score: pct(hit.score) }),
      " · ",
      tv("schema", hit.schema),
      hit.owner ? [" · ", t("entity.owner"), ": ", raw(hit.owner)] : null,
      " · ",
      marking(hit.marking || "PUBLIC"),
    ),
    h("details", {}, h("summary", {}, t("search.why")), h("ul", { class: "reasons" }, reasons)),
    can("review") ? h("details", {}, h("summary", {}, t("search.fp")), fpForm(q, hit, li)) : null,
  );
  return li;
}

function resultBlock(name, q, resp) {
  const hits = resp.results || [];
  return h(
    "section",
    { class: "result" },
    h("h2", {}, t("search.results_for"), " ", raw(name, "q")),
    hits.length ? h("ol", { class: "hits" }, hits.map((x) => hitCard(q, x))) : h("p", {}, t("search.no_hits")),
  );
}

async function screenNames(names, schema, country, threshold, program, onProgress) {
  const out = [];
  for (let i = 0; i < names.length; i += BATCH_CHUNK) {
    const chunk = names.slice(i, i + BATCH_CHUNK);
    const queries = {};
    chunk.forEach((n, k) => (queries[`q${i + k}`] = query(n, schema, country)));
    const q = new URLSearchParams({ limit: "5", threshold: String(threshold) });
    // a sanctions program (SDNTK...) keeps only those designated under it
    for (const p of program.split(/[ ,]+/).filter(Boolean)) q.append("programs", p.toUpperCase());
    const r = await post(`/match/default?${q}`, { queries });
    chunk.forEach((n, k) => out.push({ name: n, q: queries[`q${i + k}`], resp: r.responses[`q${i + k}`] }));
    onProgress(Math.min(names.length, i + BATCH_CHUNK), names.length);
  }
  return out;
}

// The names of a CSV file: the "name" column when there is a header with
// one, else the first column of every line.
function csvNames(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const cells = (l) => l.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  if (!lines.length) return [];
  const head = cells(lines[0]).map((c) => c.toLowerCase());
  const col = head.indexOf("name");
  return (col >= 0 ? lines.slice(1) : lines).map((l) => cells(l)[Math.max(col, 0)]).filter(Boolean);
}

function downloadLink(rows) {
  const esc = (s) => `"${String(s).replace(/"/g, '""')}"`;
  const lines = ["query,entity_id,caption,score,match"];
  for (const r of rows)
    for (const x of r.resp.results || []) lines.push([r.name, x.id, x.caption, x.score.toFixed(3), x.match].map(esc).join(","));
  const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  return h("a", { href: url, download: "screening.csv", class: "button" }, t("search.download"));
}

export function searchPage(main) {
  const name = h("input", { type: "search", name: "name", id: "screen-name" });
  const schema = h("select", { name: "schema", id: "screen-schema" }, SCHEMAS.map((s) => h("option", { value: s }, tv("schema", s))));
  const country = h("input", { type: "text", name: "country", maxlength: 2, size: 3, id: "screen-country" });
  const threshold = h("input", { type: "number", name: "threshold", min: 0.5, max: 1, step: 0.01, value: 0.7, id: "screen-threshold" });
  const program = h("input", { type: "text", name: "program", maxlength: 200, size: 14, id: "screen-program", autocomplete: "off" });
  const file = h("input", { type: "file", name: "batch", accept: ".csv,text/csv,text/plain", id: "screen-file" });
  const progress = h("progress", { max: 1, value: 0, hidden: true, id: "screen-progress", "aria-label": t("search.progress") });
  const results = h("div", { id: "screen-results", "aria-live": "polite" });
  const run = async (names) => {
    mount(results);
    progress.hidden = false;
    progress.max = names.length;
    progress.value = 0;
    try {
      const rows = await screenNames(names, schema.value, country.value.trim(), threshold.value, program.value.trim(), (d) => (progress.value = d));
      const summary = t("search.batch_done", { n: num(names.length), hits: num(rows.filter((r) => (r.resp.results || []).some((x) => x.match)).length) });
      mount(results, status(summary, "ok"), names.length > 1 ? downloadLink(rows) : null, rows.map((r) => resultBlock(r.name, r.q, r.resp)));
    } catch (e) {
      mount(results, errorMsg(e));
    }
    progress.hidden = true;
  };
  mount(
    main,
    h("h1", {}, t("search.title")),
    h("p", {}, t("search.intro")),
    h(
      "form",
      {
        class: "card row",
        id: "screen-form",
        onsubmit: (ev) => {
          ev.preventDefault();
          if (name.value.trim()) run([name.value.trim()]);
        },
      },
      field(t("search.name"), name),
      field(t("search.schema"), schema),
      field(t("search.country"), country, t("search.country_hint")),
      field(t("search.program"), program, t("search.program_hint")),
      field(t("search.threshold"), threshold),
      h("button", { type: "submit", id: "screen-submit" }, t("search.submit")),
    ),
    h(
      "form",
      {
        class: "card row",
        id: "batch-form",
        onsubmit: async (ev) => {
          ev.preventDefault();
          if (!file.files.length) return;
          const names = csvNames(await file.files[0].text());
          if (names.length) run(names);
          else mount(results, status(t("search.batch_empty"), "error"));
        },
      },
      field(t("search.batch"), file, t("search.batch_hint")),
      h("button", { type: "submit", id: "batch-submit" }, t("search.batch_submit")),
    ),
    progress,
    results,
  );
  void api;
}
