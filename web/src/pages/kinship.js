// kinship.js - the forensic role's kinship case (docs/kinship.md): the
// CLI's CSV files of a case (a folder, or several files at once, recognised
// by their names), then one of four actions, each with a purpose stated just
// before it (the field empties after every action, and the audit trail
// records each): pairwise LRs with the LR of every marker
// (POST /api/v1/kinship/pairwise), the identification conclusions of
// dviSolve (…/solve), the joint assignments with posteriors (…/joint), and a
// blind search job whose progress is polled (…/search, …/search/{id}).
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, num, pct, t, tv } from "../i18n.js";
import { errorMsg, table } from "./common.js";

// the case's parts and the file names the CLI writes (kinship simulate)
const PARTS = [
  ["freqs", ["freqs.csv"], true],
  ["mutation", ["mutation_models.csv", "mutation.csv"], false],
  ["pedigrees", ["am_pedigrees.csv", "pedigrees.csv"], true],
  ["am", ["am_genotypes.csv", "am.csv"], true],
  ["pm", ["pm_genotypes.csv", "pm.csv"], true],
];
const LR_STRONG = 10000; // the DVI threshold the CLI uses by default
const POLL_MS = 1000;

function lrText(x) {
  if (x === null || x === undefined) return t("kinship.sex_incompatible");
  return x >= 1e5 || (x > 0 && x < 1e-3) ? x.toExponential(3) : num(x, 3);
}

function partOf(name) {
  const base = name.split("/").pop().toLowerCase();
  const p = PARTS.find(([, names]) => names.includes(base));
  return p ? p[0] : null;
}

function markersTable(ms) {
  return table(
    t("kinship.markers_table"),
    [t("kinship.marker"), t("kinship.lr"), t("kinship.incompatible")],
    ms.map((m) => h("tr", { class: m.incompatible ? "excluded" : "" }, h("td", {}, raw(m.marker)), h("td", { class: "lr" }, lrText(m.lr)), h("td", {}, m.incompatible ? t("kinship.yes") : "—"))),
  );
}

function pairwiseResult(r) {
  const rows = [...r.results]
    .sort((a, b) => (b.lr ?? -1) - (a.lr ?? -1))
    .map((x) =>
      h(
        "tr",
        { class: x.lr !== null && x.lr >= LR_STRONG ? "strong" : "", "data-pair": `${x.pm_sample}/${x.missing}` },
        h("td", {}, raw(x.pm_sample)),
        h("td", {}, raw(x.family)),
        h("td", {}, raw(x.missing)),
        h("td", { class: "lr" }, lrText(x.lr)),
        h("td", {}, x.log10_lr === null ? "—" : num(x.log10_lr, 2)),
        h("td", {}, x.excluded_markers === null ? "—" : num(x.excluded_markers)),
        h("td", {}, x.markers ? h("details", { class: "markers" }, h("summary", {}, t("kinship.per_marker")), markersTable(x.markers)) : "—"),
      ),
    );
  return [
    status(t("kinship.done", { n: num(r.results.length) }), "ok"),
    table(t("kinship.table"), [t("kinship.pm"), t("kinship.family"), t("kinship.missing"), t("kinship.lr"), t("kinship.log10"), t("kinship.excluded"), t("kinship.per_marker")], rows),
    h("p", { class: "sub" }, t("kinship.strong_note", { lr: num(LR_STRONG) })),
  ];
}

function solveResult(r) {
  const am = r.am.map((x) =>
    h(
      "tr",
      { "data-missing": x.missing, class: x.conclusion === "Undisputed" ? "strong" : "" },
      h("td", {}, raw(x.family)),
      h("td", {}, raw(x.missing)),
      h("td", {}, x.sample ? raw(x.sample) : "—"),
      h("td", { class: "lr" }, x.lr === null ? "—" : lrText(x.lr)),
      h("td", {}, x.glr === null ? "—" : lrText(x.glr)),
      h("td", { class: "conclusion" }, tv("kinship_conclusion", x.conclusion)),
      h("td", {}, raw(x.comment)),
    ),
  );
  return [
    status(t("kinship.solve_done", { n: num(r.am.filter((x) => x.conclusion === "Undisputed").length), total: num(r.am.length) }), "ok"),
    table(t("kinship.solve_table"), [t("kinship.family"), t("kinship.missing"), t("kinship.pm"), t("kinship.lr"), t("kinship.glr"), t("kinship.conclusion"), t("kinship.comment")], am),
  ];
}

function jointResult(r) {
  const rows = r.assignments.map((a) =>
    h(
      "tr",
      { "data-rank": a.rank },
      h("td", {}, num(a.rank)),
      h("td", { class: "lr" }, lrText(a.lr)),
      h("td", {}, a.assignment.map((p) => raw(`${p.pm_sample} = ${p.missing ?? "∅"}`, "div"))),
    ),
  );
  return [
    status(t("kinship.joint_done", { n: num(r.assignments_total) }), "ok"),
    table(t("kinship.joint_table"), [t("kinship.rank"), t("kinship.lr_best"), t("kinship.assignment")], rows),
  ];
}

function jobRow(j, open) {
  return h(
    "tr",
    { "data-job": j.id },
    h("td", {}, num(j.id)),
    h("td", {}, j.case_ref ? raw(j.case_ref) : "—"),
    h("td", {}, date(j.started)),
    h("td", {}, tv("kinship_job", j.state)),
    h("td", {}, h("progress", { max: 1, value: j.progress, "aria-label": t("kinship.job_progress_of", { id: j.id }) }), " ", pct(j.progress)),
    h("td", {}, num(j.hits_total)),
    h("td", {}, h("button", { type: "button", class: "small secondary", onclick: () => open(j.id), "aria-label": t("kinship.job_open_for", { id: j.id }) }, t("kinship.job_open"))),
  );
}

function hitsTable(hits) {
  return table(
    t("kinship.hits_table"),
    [t("kinship.pm"), t("kinship.family"), t("kinship.missing"), t("kinship.lr"), t("kinship.drivers")],
    [...hits]
      .sort((a, b) => b.log10_lr - a.log10_lr)
      .map((x) =>
        h(
          "tr",
          { "data-pair": `${x.pm_sample}/${x.missing}` },
          h("td", {}, raw(x.pm_sample)),
          h("td", {}, raw(x.family)),
          h("td", {}, raw(x.missing)),
          h("td", { class: "lr" }, lrText(x.lr)),
          h("td", {}, raw(x.drivers.map((d) => d.marker).join(", "))),
        ),
      ),
  );
}

export function kinshipPage(main) {
  const purpose = h("textarea", { id: "kin-purpose", rows: 2, maxlength: 500 });
  const caseRef = h("input", { type: "text", id: "kin-case", maxlength: 127 });
  const threshold = h("input", { type: "number", id: "kin-threshold", min: 1, step: "any", value: LR_STRONG });
  const files = h("input", { type: "file", id: "kin-files", accept: ".csv,text/csv", multiple: true });
  const folder = h("input", { type: "file", id: "kin-folder", webkitdirectory: true, multiple: true });
  const found = h("ul", { id: "kin-parts", class: "parts", "aria-live": "polite" });
  const out = h("div", { id: "kin-results", "aria-live": "polite" });
  const jobsBox = h("div", { id: "kin-jobs" });
  let parts = {}; // part -> File
  let timer = null;

  const showParts = () =>
    mount(
      found,
      PARTS.map(([k, , req]) => h("li", { class: parts[k] ? "ok" : req ? "missing" : "" }, `${t(`kinship.file_${k}`)}: `, parts[k] ? raw(parts[k].name) : t(req ? "kinship.part_missing" : "kinship.part_optional"))),
    );
  const pick = (input) => () => {
    for (const f of input.files) {
      const p = partOf(f.webkitRelativePath || f.name);
      if (p) parts[p] = f;
    }
    showParts();
  };
  files.addEventListener("change", pick(files));
  folder.addEventListener("change", pick(folder));

  // the body of one action: the purpose is asked anew before each
  const body = async (options) => {
    const why = purpose.value.trim();
    if (!why) {
      mount(out, status(t("kinship.purpose_needed"), "error"));
      purpose.focus();
      return null;
    }
    const missing = PARTS.filter(([k, , req]) => req && !parts[k]).map(([k]) => t(`kinship.file_${k}`));
    if (missing.length) {
      mount(out, status(t("kinship.parts_needed", { parts: missing.join(", ") }), "error"));
      return null;
    }
    const kase = {};
    for (const [k] of PARTS) if (parts[k]) kase[k] = await parts[k].text();
    const b = { purpose: why, case: kase, options: { threshold: Number(threshold.value) || LR_STRONG, ...options } };
    if (caseRef.value.trim()) b.case_ref = caseRef.value.trim();
    purpose.value = ""; // the next action states its purpose again
    return b;
  };
  const run = (path, options, render) => async () => {
    const b = await body(options);
    if (!b) return;
    mount(out, status(t("kinship.running"), "info"));
    try {
      let r;
      try {
        r = await post(path, b);
      } catch (e) {
        // too many pairs for the per-marker detail: the totals alone
        if (!(options.per_marker && e.field === "options.per_marker")) throw e;
        r = await post(path, { ...b, options: { ...b.options, per_marker: false } });
      }
      mount(out, render(r), h("p", { class: "sub" }, t("kinship.purpose_again")));
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };

  const openJob = async (id) => {
    clearTimeout(timer);
    try {
      const j = await get(`/api/v1/kinship/search/${id}`);
      mount(
        out,
        h("h2", {}, t("kinship.job_title", { id: j.id })),
        h("p", {}, h("progress", { id: "job-progress", max: 1, value: j.progress, "aria-label": t("kinship.job_progress_of", { id: j.id }) }), " ", t("kinship.job_status", { state: tv("kinship_job", j.state), done: num(j.done), total: num(j.targets), hits: num(j.hits_total) })),
        j.error ? status(j.error, "error") : null,
        j.hits.length ? hitsTable(j.hits) : h("p", {}, t("kinship.no_hits")),
      );
      out.dataset.jobState = j.state;
      if (j.state === "running" && out.isConnected) timer = setTimeout(() => openJob(id), POLL_MS);
      else loadJobs();
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  const loadJobs = async () => {
    try {
      const r = await get("/api/v1/kinship/search");
      const rows = [...r.jobs].sort((a, b) => b.id - a.id).map((j) => jobRow(j, openJob));
      mount(jobsBox, rows.length ? table(t("kinship.jobs_table"), [t("kinship.job"), t("kinship.case_ref"), t("kinship.started"), t("kinship.state"), t("kinship.progress"), t("kinship.hits"), t("admin.actions")], rows) : h("p", {}, t("kinship.no_jobs")));
    } catch (e) {
      mount(jobsBox, errorMsg(e));
    }
  };
  const startJob = async () => {
    const b = await body({});
    if (!b) return;
    try {
      const j = await post("/api/v1/kinship/search", b);
      await loadJobs();
      openJob(j.id);
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };

  const action = (id, label, fn) => h("button", { type: "button", id, onclick: fn }, label);
  mount(
    main,
    h("h1", {}, t("kinship.title")),
    h("p", {}, t("kinship.intro2")),
    h(
      "form",
      { class: "card row", id: "kin-form", onsubmit: (ev) => ev.preventDefault() },
      field(t("kinship.folder"), folder, t("kinship.folder_hint")),
      field(t("kinship.files"), files, t("kinship.files_hint")),
      found,
      field(t("kinship.case_ref"), caseRef),
      field(t("kinship.threshold"), threshold),
      h("div", { class: "field wide" }, h("label", { for: "kin-purpose" }, t("kinship.purpose_label")), purpose, h("span", { class: "hint" }, t("kinship.purpose_each"))),
      h(
        "div",
        { class: "actions" },
        action("kin-pairwise", t("kinship.run"), run("/api/v1/kinship/pairwise", { per_marker: true }, pairwiseResult)),
        action("kin-solve", t("kinship.run_solve"), run("/api/v1/kinship/solve", {}, solveResult)),
        action("kin-joint", t("kinship.run_joint"), run("/api/v1/kinship/joint", {}, jointResult)),
        action("kin-search", t("kinship.run_search"), startJob),
      ),
    ),
    out,
    h("h2", {}, t("kinship.jobs")),
    jobsBox,
  );
  showParts();
  loadJobs();
}
