// login.js - user + password against POST /api/v1/web/session (the same
// acl_login as the API); the answer sets the HttpOnly session cookie. A user
// with a second factor is asked for the authenticator's code (or a recovery
// code) when the server answers 401 with field "code": only a right password
// learns that (docs/access.md), so the code step never shows for a wrong one.
// A user whose password an administrator set gets a session that may only
// change it (user.password_change_required): the change form follows, and the
// app opens only after POST /api/v1/me/password (docs/access.md).
import { api, get, setCsrf } from "../api.js";
import { field, h, mount, status } from "../dom.js";
import { t } from "../i18n.js";

export function loginPage(main, { notice, onLogin }) {
  const user = h("input", { type: "text", name: "user", autocomplete: "username", required: true, autocapitalize: "none" });
  const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const code = h("input", {
    type: "text",
    name: "code",
    id: "login-code",
    autocomplete: "one-time-code",
    inputmode: "text",
    maxlength: 24,
    autocapitalize: "none",
    spellcheck: "false",
  });
  const codeField = field(t("login.code"), code, t("login.code_hint"));
  codeField.hidden = true;
  const msg = h("div", { "aria-live": "polite" }, notice ? status(notice, "error") : null);
  const form = h(
    "form",
    {
      class: "card",
      id: "login-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        mount(msg);
        const body = { user: user.value, password: pass.value };
        if (!codeField.hidden && code.value.trim()) body.code = code.value.trim();
        try {
          const s = await api("POST", "/api/v1/web/session", body, { quiet401: true });
          if (s.user && s.user.password_change_required) passwordChangePage(main, { session: s, current: pass.value, onLogin });
          else onLogin(s);
        } catch (e) {
          if (e.status === 401 && e.field === "code") {
            // the password was right: ask for the second factor (a wrong
            // or reused code comes back the same way)
            const again = !codeField.hidden && body.code;
            codeField.hidden = false;
            code.required = true;
            code.value = "";
            mount(msg, status(again ? t("login.code_wrong") : t("login.code_needed"), again ? "error" : "info"));
            code.focus();
            return;
          }
          pass.value = "";
          code.value = "";
          mount(msg, status(e.status === 401 ? t("login.failed") : t("error.generic"), "error"));
          pass.focus();
        }
      },
    },
    h("h1", {}, t("login.title")),
    h("p", {}, t("login.intro")),
    field(t("login.user"), user),
    field(t("login.password"), pass),
    codeField,
    msg,
    h("button", { type: "submit", id: "login-submit" }, t("login.submit")),
  );
  mount(main, form);
  user.focus();
}

// The one thing a session with password_change_required may do. `current`
// is the password just typed at sign-in (not asked again); a page reloaded
// in this state asks for it. onLogin gets the session as it is after the
// change (with the role's permissions).
export function passwordChangePage(main, { session, current, onLogin }) {
  setCsrf(session.csrf);
  const cur = h("input", { type: "password", name: "current_password", id: "current-password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new_password", id: "new-password", autocomplete: "new-password", required: true, minlength: 12 });
  const again = h("input", { type: "password", name: "new_password_again", id: "new-password-again", autocomplete: "new-password", required: true, minlength: 12 });
  const msg = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "card",
      id: "password-change-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        mount(msg);
        if (next.value !== again.value) {
          mount(msg, status(t("pwchange.mismatch"), "error"));
          again.focus();
          return;
        }
        try {
          await api("POST", "/api/v1/me/password", { current_password: current || cur.value, new_password: next.value });
          onLogin(await get("/api/v1/web/session"));
        } catch (e) {
          const wrong = e.field === "current_password" || e.field === "locked";
          mount(msg, status(wrong ? t("pwchange.wrong") : e.status === 400 ? t("pwchange.refused") : t("error.generic"), "error"));
          next.value = again.value = "";
          (current ? next : cur).focus();
        }
      },
    },
    h("h1", {}, t("pwchange.title")),
    h("p", {}, t("pwchange.intro"), " ", h("strong", {}, session.user.user)),
    current ? null : field(t("pwchange.current"), cur),
    field(t("pwchange.new"), next),
    field(t("pwchange.repeat"), again),
    msg,
    h("button", { type: "submit", id: "password-change-submit" }, t("pwchange.submit")),
  );
  mount(main, form);
  (current ? next : cur).focus();
}
