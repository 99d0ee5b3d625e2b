// login.js - user + password against POST /api/v1/web/session (the same
// acl_login as the API); the answer sets the HttpOnly session cookie.
import { api } from "../api.js";
import { field, h, mount, status } from "../dom.js";
import { t } from "../i18n.js";

export function loginPage(main, { notice, onLogin }) {
  const user = h("input", { type: "text", name: "user", autocomplete: "username", required: true, autocapitalize: "none" });
  const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const msg = h("div", { "aria-live": "polite" }, notice ? status(notice, "error") : null);
  const form = h(
    "form",
    {
      class: "card",
      id: "login-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        mount(msg);
        try {
          const s = await api("POST", "/api/v1/web/session", { user: user.value, password: pass.value }, { quiet401: true });
          onLogin(s);
        } catch (e) {
          pass.value = "";
          mount(msg, status(e.status === 401 ? t("login.failed") : t("error.generic"), "error"));
          pass.focus();
        }
      },
    },
    h("h1", {}, t("login.title")),
    h("p", {}, t("login.intro")),
    field(t("login.user"), user),
    field(t("login.password"), pass),
    msg,
    h("button", { type: "submit", id: "login-submit" }, t("login.submit")),
  );
  mount(main, form);
  user.focus();
}
