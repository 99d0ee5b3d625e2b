// files.js - file upload and download for the case page (documents) and the
// protection case page (evidence): the file is the request body, its name in
// X-Filename (percent-encoded UTF-8), its media type in Content-Type
// (docs/cases.md "Documents"). Downloads carry their SHA-256 in
// X-Content-SHA256; the page shows it next to the file so a user can compare
// it with the copy the court or the partner agency holds.
import { api } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { num, t } from "../i18n.js";
import { errorMsg } from "./common.js";

// POST file to path (query: extra flags); resolves to the API's answer.
export function uploadFile(path, file, opts = {}) {
  const headers = Object.assign({ "X-Filename": encodeURIComponent(file.name) }, opts.headers || {});
  return api("POST", path, file, { headers, type: file.type || "application/octet-stream" });
}

// GET a file with headers (the protection purpose) and hand it to the
// browser as a download; resolves to its SHA-256 as the server sent it.
export async function downloadFile(path, name, opts = {}) {
  const r = await api("GET", path, undefined, Object.assign({ blob: true }, opts));
  const url = URL.createObjectURL(r.blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return r.headers.get("X-Content-SHA256") || "";
}

// The file's hash as people compare it: the full hex in a <code>.
export function hashCode(hex) {
  return h("code", { class: "sha256", "data-sha256": hex, title: "SHA-256" }, raw(hex || "", "span"));
}

// An upload form: a file input, extra fields, a submit button; onDone(answer).
// prefix names the element ids (tests and labels).
export function uploadForm(prefix, title, extra, send, onDone) {
  const input = h("input", { type: "file", id: `${prefix}-file`, required: true });
  const msg = h("div", { "aria-live": "polite", id: `${prefix}-msg` });
  const submit = async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      const r = await send(file);
      mount(msg, status(t("files.uploaded", { name: file.name, size: num(r.size) }), "ok"), h("p", {}, t("files.sha256"), " ", hashCode(r.sha256)));
      input.value = "";
      if (onDone) onDone(r);
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  return h(
    "form",
    { class: "card inline", id: `${prefix}-form`, onsubmit: submit },
    h("h2", {}, title),
    field(t("files.file"), input, t("files.file_hint")),
    extra,
    h("button", { type: "submit", id: `${prefix}-submit` }, t("files.upload")),
    msg,
  );
}
