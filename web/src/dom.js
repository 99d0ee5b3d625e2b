// dom.js - building the page without innerHTML: every text from the API or
// the user becomes a text node, so a name like "<script>" is shown as text.

// h("button", {class: "x", onclick: fn, "aria-label": "..."}, "text", child...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replace the children of el.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A value that comes from the data (a name, an id, an engine's detail):
// marked so the language test knows it is not an interface string.
export function raw(text, tag = "span") {
  return h(tag, { class: "raw" }, text);
}

let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled form field: <label for=id>label</label><input id=id ...>
export function field(label, input, hint) {
  const id = input.id || uid("f");
  input.id = id;
  const hintEl = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintEl);
}

// A status message region that screen readers announce.
export function status(text, kind = "info") {
  return h("p", { class: `msg msg-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
