// kinship.js - the forensic role's pairwise case: the CLI's CSV files of a
// case (frequencies, optional mutation models, pedigrees, AM and PM
// genotypes) and the stated purpose, which the audit trail records, sent to
// POST /api/v1/kinship/pairwise; the LR of every PM sample against every
// missing person, strongest first. Joint DVI and blind search pages: "Left"
// in docs/web.md.
import { post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, t } from "../i18n.js";
import { errorMsg, table } from "./common.js";

const FILES = [
  ["freqs", true],
  ["mutation", false],
  ["pedigrees", true],
  ["am", true],
  ["pm", true],
];
const LR_STRONG = 10000; // the DVI threshold the CLI uses by default

function lrText(x) {
  if (x === null) return t("kinship.sex_incompatible");
  return x >= 1e5 || (x > 0 && x < 1e-3) ? x.toExponential(3) : num(x, 3);
}

export function kinshipPage(main) {
  const purpose = h("textarea", { id: "kin-purpose", rows: 2, required: true, maxlength: 500 });
  const caseRef = h("input", { type: "text", id: "kin-case", maxlength: 127 });
  const inputs = Object.fromEntries(FILES.map(([k, req]) => [k, h("input", { type: "file", id: `kin-${k}`, accept: ".csv,text/csv", required: req })]));
  const out = h("div", { id: "kin-results", "aria-live": "polite" });
  const run = async (ev) => {
    ev.preventDefault();
    const kase = {};
    for (const [k] of FILES) if (inputs[k].files.length) kase[k] = await inputs[k].files[0].text();
    mount(out, status(t("kinship.running"), "info"));
    try {
      const body = { purpose: purpose.value.trim(), case: kase };
      if (caseRef.value.trim()) body.case_ref = caseRef.value.trim();
      const r = await post("/api/v1/kinship/pairwise", body);
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
          ),
        );
      mount(
        out,
        status(t("kinship.done", { n: num(r.results.length) }), "ok"),
        table(t("kinship.table"), [t("kinship.pm"), t("kinship.family"), t("kinship.missing"), t("kinship.lr"), t("kinship.log10"), t("kinship.excluded")], rows),
        h("p", { class: "sub" }, t("kinship.strong_note", { lr: num(LR_STRONG) })),
      );
    } catch (e) {
      mount(out, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("kinship.title")),
    h("p", {}, t("kinship.intro")),
    h(
      "form",
      { class: "card row", id: "kin-form", onsubmit: run },
      h("div", { class: "field wide" }, h("label", { for: "kin-purpose" }, t("kinship.purpose_label")), purpose, h("span", { class: "hint" }, t("kinship.purpose"))),
      field(t("kinship.case_ref"), caseRef),
      FILES.map(([k, req]) => field(t(`kinship.file_${k}`) + (req ? "" : ` ${t("kinship.optional")}`), inputs[k])),
      h("button", { type: "submit", id: "kin-submit" }, t("kinship.run")),
    ),
    out,
  );
}
