// tip/main.js - the tip line's public page (docs/tips.md "The public page"),
// its own bundle (tip.js): nothing of the staff application, no session, no
// cookie, no other origin. A tipster chooses a category, answers its
// questionnaire in either language, proves a little work (pow.js) and gets
// the receipt once; with the receipt (/tip/check) reads the investigators'
// questions, answers them and adds files.
import { field, h, mount, raw, status } from "../dom.js";
import { currentLang, date, loadCatalogue, t, tv } from "../i18n.js";
import { solve } from "./pow.js";
import { stateName } from "./places.js";

const ATTACH_MAX = 10 * 1024 * 1024; // the API's cap (TIPS_ATTACH_MAX) is checked again by the server

// The public routes are called without credentials: a staff member's
// cookie in the same browser never travels with a tip.
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: "omit",
    headers: body ? { "Content-Type": "application/json", "Accept-Language": currentLang() } : { "Accept-Language": currentLang() },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = new Error((data && data.error && data.error.message) || t("error.generic"));
    e.status = res.status;
    throw e;
  }
  return data;
}

// The language lives in the address (?lang=es), never in a cookie.
function wantedLang() {
  const q = new URLSearchParams(location.search).get("lang");
  if (q === "es" || q === "en") return q;
  const l = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return l.toLowerCase().startsWith("es") ? "es" : "en";
}

function header(onSwitch) {
  const other = currentLang() === "es" ? "en" : "es";
  return h(
    "header",
    { class: "top login-top" },
    h("div", { class: "brand" }, t("tipweb.brand")),
    h("nav", { "aria-label": t("tipweb.nav") }, h("ul", {},
      h("li", {}, h("a", { href: `/tip?lang=${currentLang()}`, "aria-current": location.pathname === "/tip" ? "page" : null }, t("tipweb.nav_send"))),
      h("li", {}, h("a", { href: `/tip/check?lang=${currentLang()}`, "aria-current": location.pathname === "/tip/check" ? "page" : null }, t("tipweb.nav_check"))))),
    h("button", { type: "button", class: "lang", id: "lang-switch", lang: other === "es" ? "es-MX" : "en", onclick: () => onSwitch(other) }, t(`lang.switch_to_${other}`)),
  );
}

function placeFields(form) {
  const country = h("select", { id: "tip-country", name: "country" },
    h("option", { value: "" }, t("tipweb.place_unknown")),
    h("option", { value: "MX" }, t("tipweb.country_mx")),
    h("option", { value: "US" }, t("tipweb.country_us")));
  const state = h("select", { id: "tip-state", name: "state", disabled: true }, h("option", { value: "" }, t("tipweb.place_unknown")));
  country.addEventListener("change", () => {
    const codes = country.value ? form.places[country.value] : [];
    mount(state, h("option", { value: "" }, t("tipweb.place_unknown")),
      codes.map((c) => h("option", { value: c }, stateName(country.value, c, currentLang())))
        .sort((a, b) => a.textContent.localeCompare(b.textContent, currentLang())));
    state.disabled = !country.value;
  });
  return { country, state };
}

function questionFields(cat) {
  return cat.questions.map((q) => field(q.label, h("input", { type: "text", id: `tip-q-${q.key}`, "data-q": q.key, maxlength: 2000, autocomplete: "off" })));
}

function receiptBox(receipt, notice) {
  return h(
    "section",
    { class: "card", id: "tip-receipt", "aria-labelledby": "tip-receipt-h" },
    h("h2", { id: "tip-receipt-h", tabindex: "-1" }, t("tipweb.sent_title")),
    h("p", {}, t("tipweb.receipt_label")),
    h("p", { class: "receipt" }, raw(receipt, "code")),
    status(notice, "info"),
    h("p", {}, h("a", { href: `/tip/check?lang=${currentLang()}` }, t("tipweb.nav_check"))),
  );
}

async function sendPage(main) {
  const form = await call("GET", `/api/v1/tips/form?lang=${currentLang()}`);
  const cat = h("select", { id: "tip-category", name: "category", required: true },
    h("option", { value: "" }, t("tipweb.choose")),
    form.categories.map((c) => h("option", { value: c.code }, c.label)));
  const questions = h("fieldset", { id: "tip-questions", hidden: true }, h("legend", {}, t("tipweb.questions")));
  const text = h("textarea", { id: "tip-text", name: "text", rows: 8, maxlength: form.text_max, required: true });
  const { country, state } = placeFields(form);
  const msg = h("div", { "aria-live": "polite", id: "tip-msg" });
  const submit = h("button", { type: "submit", id: "tip-submit" }, t("tipweb.submit"));
  cat.addEventListener("change", () => {
    const c = form.categories.find((x) => x.code === cat.value);
    mount(questions, h("legend", {}, t("tipweb.questions")), c ? questionFields(c) : []);
    questions.hidden = !c;
  });
  const onSubmit = async (ev) => {
    ev.preventDefault();
    if (!cat.value || !text.value.trim()) {
      mount(msg, status(t("tipweb.need_category_text"), "error"));
      (cat.value ? text : cat).focus();
      return;
    }
    submit.disabled = true;
    try {
      mount(msg, status(t("tipweb.working"), "info"));
      const ch = await call("GET", "/api/v1/tips/challenge");
      const nonce = await solve(ch.challenge, ch.bits);
      const answers = {};
      for (const input of questions.querySelectorAll("[data-q]")) if (input.value.trim()) answers[input.dataset.q] = input.value.trim();
      const body = { category: cat.value, lang: currentLang(), text: text.value, answers, pow: { challenge: ch.challenge, nonce } };
      if (country.value) body.country = country.value;
      if (state.value) body.state = state.value;
      const r = await call("POST", "/api/v1/tips", body);
      const box = receiptBox(r.receipt, r.notice);
      mount(main, h("h1", {}, t("tipweb.title")), box);
      box.querySelector("h2").focus();
    } catch (e) {
      submit.disabled = false;
      mount(msg, status(e.message, "error"));
    }
  };
  mount(
    main,
    h("h1", {}, t("tipweb.title")),
    h("p", {}, t("tipweb.intro")),
    status(form.notice, "info"),
    h("form", { class: "card", id: "tip-form", onsubmit: onSubmit, novalidate: true },
      field(t("tipweb.category"), cat),
      h("div", { class: "row" }, field(t("tipweb.country"), country), field(t("tipweb.state"), state)),
      field(t("tipweb.text"), text, t("tipweb.text_hint", { n: form.text_max })),
      questions,
      submit),
    msg,
  );
}

function conversation(v) {
  return h(
    "section",
    { class: "card", id: "tip-view", "aria-labelledby": "tip-view-h" },
    h("h2", { id: "tip-view-h", tabindex: "-1" }, t("tipweb.your_tip")),
    h("dl", { class: "facts" },
      h("dt", {}, t("tipweb.category")), h("dd", {}, tv("tip.cat", v.category)),
      h("dt", {}, t("tipweb.received")), h("dd", {}, date(v.received)),
      h("dt", {}, t("tipweb.status")), h("dd", { id: "tip-status" }, tv("tipweb.state", v.status))),
    h("h3", {}, t("tipweb.messages")),
    v.messages.length
      ? h("ol", { class: "messages", id: "tip-messages" }, v.messages.map((m) =>
          h("li", { class: `msg-from-${m.author}` }, h("span", { class: "sub" }, tv("tipweb.author", m.author), " · ", date(m.day)), raw(m.text, "p"))))
      : h("p", { id: "tip-messages" }, t("tipweb.no_messages")),
  );
}

async function checkPage(main) {
  const receipt = h("input", { type: "text", id: "tip-receipt-input", autocomplete: "off", autocapitalize: "none", spellcheck: "false" });
  const msg = h("div", { "aria-live": "polite", id: "tip-msg" });
  const out = h("div", { id: "tip-out" });
  let current = "";
  const show = async () => {
    mount(msg, status(t("tipweb.checking"), "info"));
    try {
      const v = await call("POST", "/api/v1/tips/receipt", { receipt: current });
      mount(msg);
      mount(out, conversation(v), replyForm(), attachForm());
      out.querySelector("h2").focus();
    } catch (e) {
      mount(out);
      mount(msg, status(e.status === 404 || e.status === 400 ? t("tipweb.bad_receipt") : e.message, "error"));
    }
  };
  const replyForm = () => {
    const text = h("textarea", { id: "tip-reply", rows: 4, maxlength: 4000 });
    const m = h("div", { "aria-live": "polite" });
    return h("form", { class: "card", id: "tip-reply-form", onsubmit: async (ev) => {
      ev.preventDefault();
      if (!text.value.trim()) return;
      try {
        await call("POST", "/api/v1/tips/receipt/messages", { receipt: current, text: text.value });
        await show();
        mount(msg, status(t("tipweb.reply_sent"), "ok"));
      } catch (e) {
        mount(m, status(e.message, "error"));
      }
    } }, field(t("tipweb.reply"), text), h("button", { type: "submit" }, t("tipweb.send")), m);
  };
  const attachForm = () => {
    const file = h("input", { type: "file", id: "tip-file", accept: "image/jpeg,image/png,application/pdf,text/plain" });
    const m = h("div", { "aria-live": "polite", id: "tip-attach-msg" });
    return h("form", { class: "card", id: "tip-attach-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const f = file.files[0];
      if (!f) return;
      if (f.size > ATTACH_MAX) return mount(m, status(t("tipweb.file_too_large"), "error"));
      try {
        const bytes = new Uint8Array(await f.arrayBuffer());
        let bin = "";
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        const r = await call("POST", "/api/v1/tips/receipt/attachments", { receipt: current, content_base64: btoa(bin) });
        mount(m, status(t(r.metadata_stripped ? "tipweb.file_added_stripped" : "tipweb.file_added"), "ok"));
        file.value = "";
      } catch (e) {
        mount(m, status(e.message, "error"));
      }
    } }, field(t("tipweb.file"), file, t("tipweb.file_hint")), h("button", { type: "submit" }, t("tipweb.attach")), m);
  };
  mount(
    main,
    h("h1", {}, t("tipweb.check_title")),
    h("p", {}, t("tipweb.check_intro")),
    h("form", { class: "card", id: "tip-check-form", onsubmit: (ev) => { ev.preventDefault(); current = receipt.value; show(); } },
      field(t("tipweb.receipt_input"), receipt),
      h("button", { type: "submit", id: "tip-open" }, t("tipweb.open"))),
    msg,
    out,
  );
}

async function render() {
  const root = document.getElementById("app");
  const skip = document.getElementById("skip");
  if (skip) skip.textContent = t("app.skip");
  const checking = location.pathname === "/tip/check";
  document.title = `${t(checking ? "tipweb.check_title" : "tipweb.title")} · ${t("app.name")}`;
  const main = h("main", { id: "main", tabindex: "-1", class: "narrow" });
  const switchLang = async (to) => {
    history.replaceState(null, "", `${location.pathname}?lang=${to}`);
    await loadCatalogue(to);
    render();
  };
  mount(root, header(switchLang), main);
  try {
    if (location.pathname === "/tip" || checking) await (checking ? checkPage(main) : sendPage(main));
    else mount(main, h("h1", {}, t("page.error_404.title")), h("p", {}, t("page.error_404.body")));
  } catch (e) {
    mount(main, status(e.message || t("error.generic"), "error"));
  }
}

loadCatalogue(wantedLang()).then(render);
