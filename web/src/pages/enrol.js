// enrol.js - the second factor (TOTP, docs/access.md): start the enrolment
// (POST /api/v1/me/totp: the key as a QR code from the server's libqrencode
// SVG and as base32 text, shown once), confirm it with a code of the
// authenticator (POST /api/v1/me/totp/confirm), then the ten recovery codes,
// shown once. A session whose role needs the factor (mfa_pending) sees only
// this page until it is confirmed; others reach it from the header.
import { get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { t } from "../i18n.js";
import { errorMsg } from "./common.js";

// The SVG as an image (img-src 'self' data: in the CSP): an <img> never runs
// what a document holds, and nothing is parsed into the page.
function qrImage(svg) {
  const b64 = btoa(unescape(encodeURIComponent(svg)));
  return h("img", { src: `data:image/svg+xml;base64,${b64}`, alt: t("enrol.qr_alt"), id: "totp-qr", width: 220, height: 220 });
}

function recoveryList(codes, onDone) {
  const url = URL.createObjectURL(new Blob([`${codes.join("\n")}\n`], { type: "text/plain" }));
  return h(
    "div",
    { class: "card", id: "recovery" },
    h("h2", { tabindex: "-1" }, t("enrol.recovery_title")),
    status(t("enrol.confirmed"), "ok"),
    h("p", {}, t("enrol.recovery_once")),
    h("ol", { id: "recovery-codes", class: "codes" }, codes.map((c) => h("li", {}, raw(c, "code")))),
    h("p", {}, h("a", { href: url, download: "puente-recovery-codes.txt", class: "button secondary" }, t("enrol.recovery_download"))),
    h("button", { type: "button", id: "enrol-done", onclick: onDone }, t("enrol.continue")),
  );
}

export function enrolPage(main, { pending, enrolled, onEnrolled }) {
  const area = h("div", { id: "enrol-area", "aria-live": "polite" });
  const msg = h("div", { "aria-live": "polite", id: "enrol-msg" });
  const done = async () => {
    try {
      onEnrolled(await get("/api/v1/web/session"));
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const confirmForm = (secret) => {
    const code = h("input", { type: "text", id: "enrol-code", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 8, required: true });
    return h(
      "form",
      {
        class: "card",
        id: "enrol-confirm",
        onsubmit: async (ev) => {
          ev.preventDefault();
          mount(msg);
          try {
            const r = await post("/api/v1/me/totp/confirm", { code: code.value.trim() });
            mount(area, recoveryList(r.recovery_codes, done));
            area.querySelector("h2").focus();
          } catch (e) {
            code.value = "";
            mount(msg, e.status === 401 || e.status === 403 ? status(t("enrol.code_wrong"), "error") : errorMsg(e));
            code.focus();
          }
        },
      },
      h("h2", {}, t("enrol.scan_title")),
      h("p", {}, t("enrol.scan")),
      h("div", { class: "qr" }, secret.qr),
      h("p", {}, t("enrol.manual"), " ", h("code", { class: "raw", id: "totp-secret" }, secret.key)),
      h("p", { class: "sub" }, t("enrol.params", { digits: secret.digits, period: secret.period })),
      field(t("enrol.code"), code, t("enrol.code_hint")),
      h("button", { type: "submit", id: "enrol-confirm-submit" }, t("enrol.confirm")),
    );
  };
  const start = async () => {
    mount(msg);
    try {
      const r = await post("/api/v1/me/totp");
      mount(area, confirmForm({ qr: qrImage(r.qr_svg), key: r.secret, digits: r.digits, period: r.period }));
      area.querySelector("#enrol-code").focus();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("enrol.title")),
    pending ? status(t("enrol.required"), "info") : null,
    h("p", {}, t("enrol.intro")),
    msg,
    enrolled
      ? h("p", { id: "enrol-state" }, t("enrol.already"))
      : mount(area, h("button", { type: "button", id: "enrol-start", onclick: start }, t("enrol.start"))),
  );
}
