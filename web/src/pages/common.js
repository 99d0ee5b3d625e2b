// common.js - small pieces the pages share.
import { h, status } from "../dom.js";
import { t, tv } from "../i18n.js";

// The error of a failed call, in the reader's language: the API's own
// message is already in it (Accept-Language / the language cookie).
export function errorMsg(e) {
  if (e && e.status === 404) return status(t("error.not_found"), "error");
  if (e && e.status === 403) return status(t("error.denied"), "error");
  return status(e && e.message ? e.message : t("error.generic"), "error");
}

export function marking(m) {
  return h("span", { class: `marking marking-${String(m).toLowerCase()}` }, tv("marking", m));
}

export function table(caption, headers, rows) {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows),
  );
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("common.loading"));
}
