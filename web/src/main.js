// main.js - the application shell: session, language, menus per role, the
// router (/app/<page>[/<id>]) and the 403/404 pages. Pages live in pages/.
import { api, get, setCsrf, setOnUnauthenticated } from "./api.js";
import { h, mount, raw, status } from "./dom.js";
import { currentLang, loadCatalogue, t, tv } from "./i18n.js";
import { loginPage, passwordChangePage } from "./pages/login.js";
import { homePage } from "./pages/home.js";
import { searchPage } from "./pages/search.js";
import { entityPage } from "./pages/entity.js";
import { alertsPage } from "./pages/alerts.js";
import { cargoPage } from "./pages/cargo.js";
import { adminPage } from "./pages/admin.js";
import { auditPage } from "./pages/audit.js";
import { kinshipPage } from "./pages/kinship.js";
import { tracePage } from "./pages/trace.js";
import { enrolPage } from "./pages/enrol.js";
import { tipsPage } from "./pages/tips.js";
import { protectClocksPage, protectPage } from "./pages/protect.js";
import { casesPage, extraditionsPage } from "./pages/cases.js";
import { kinshipCasesPage } from "./pages/kinship_cases.js";
import { dashboardPage } from "./pages/dashboard.js";
import { graphPage } from "./pages/graph.js";
import { reviewPage } from "./pages/review.js";

// Pages, the permission each needs (as src/http/http_web.c's table) and
// whether it is in the menu.
const PAGES = {
  home: { perm: null, menu: true, render: homePage },
  search: { perm: "screen", menu: true, render: searchPage },
  alerts: { perm: "read", menu: true, render: alertsPage },
  cargo: { perm: "read", menu: true, render: cargoPage },
  trace: { perm: "read", menu: true, render: tracePage },
  kinship: { perm: "forensic", menu: true, render: kinshipPage },
  "kinship-cases": { perm: "forensic", menu: true, render: kinshipCasesPage },
  tips: { perm: "tips", menu: true, render: tipsPage },
  cases: { perm: "read", menu: true, render: casesPage },
  extraditions: { perm: "read", menu: true, render: extraditionsPage },
  review: { perm: "screen", menu: true, render: reviewPage },
  graph: { perm: "read", menu: true, render: graphPage },
  dashboard: { perm: "read", menu: true, render: dashboardPage },
  protect: { perm: "protect", menu: true, render: protectPage },
  "protect-clocks": { perm: "protect", menu: true, render: protectClocksPage },
  admin: { perm: "admin", menu: true, render: adminPage },
  audit: { perm: "audit", menu: true, render: auditPage },
  entity: { perm: "read", menu: false, render: entityPage },
  security: { perm: null, menu: false, render: (main) => enrolScreen(main) },
};

// The second factor's page: forced while the session is enrolment-only
// (mfa_pending), reachable from the header otherwise.
function enrolScreen(main) {
  const s = app.session;
  enrolPage(main, {
    pending: s.mfa_pending,
    enrolled: s.mfa_enrolled,
    onEnrolled: (fresh) => {
      app.session = fresh;
      setCsrf(fresh.csrf);
      navigate("/app/home");
    },
  });
}

const app = { session: null, notice: "" };

function cookieLang() {
  const m = document.cookie.match(/(?:^|; )puente_lang=(en|es)/);
  return m ? m[1] : null;
}

function browserLang() {
  const l = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return l.toLowerCase().startsWith("es") ? "es" : "en";
}

function route() {
  const parts = location.pathname.split("/").filter(Boolean);
  if (parts[0] !== "app") return { page: "home", id: null };
  return { page: parts[1] || "home", id: parts[2] ? decodeURIComponent(parts[2]) : null };
}

export function navigate(path) {
  history.pushState(null, "", path);
  render();
}

export function can(perm) {
  return !perm || (app.session && app.session.user.permissions.includes(perm));
}

export function session() {
  return app.session;
}

function link(path, label, current) {
  return h(
    "a",
    {
      href: path,
      "aria-current": current ? "page" : null,
      onclick: (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
        ev.preventDefault();
        navigate(path);
      },
    },
    label,
  );
}

export { link };

async function switchLang(to) {
  if (app.session) {
    try {
      await api("PUT", "/api/v1/web/lang", { lang: to });
      app.session.lang = to;
    } catch (e) {
      app.notice = e.message;
    }
  } else {
    document.cookie = `puente_lang=${to}; Path=/; SameSite=Strict; Max-Age=31536000`;
  }
  await loadCatalogue(to);
  render();
}

function langSwitch() {
  const other = currentLang() === "es" ? "en" : "es";
  return h(
    "button",
    { type: "button", class: "lang", id: "lang-switch", lang: other === "es" ? "es-MX" : "en", onclick: () => switchLang(other) },
    t(`lang.switch_to_${other}`),
  );
}

async function logout(everywhere) {
  try {
    if (everywhere) await api("POST", "/api/v1/web/session/revoke-all");
    else await api("DELETE", "/api/v1/web/session");
  } catch {
    /* the session may be gone already */
  }
  app.session = null;
  setCsrf("");
  navigate("/app/login");
}

function header(page) {
  const s = app.session;
  const nav = h(
    "nav",
    { "aria-label": t("nav.label"), id: "menu" },
    h(
      "ul",
      {},
      Object.entries(PAGES)
        .filter(([, p]) => p.menu && can(p.perm) && !s.mfa_pending)
        .map(([name]) => h("li", {}, link(`/app/${name}`, t(`nav.${name}`), name === page))),
    ),
  );
  return h(
    "header",
    { class: "top" },
    h("div", { class: "brand" }, link("/app/home", t("app.name"), false)),
    nav,
    h(
      "div",
      { class: "who" },
      h("span", { class: "user" }, raw(s.user.user), " · ", raw(s.user.agency), " · ", tv("role", s.user.role)),
      langSwitch(),
      s.mfa_pending ? null : link("/app/security", t("nav.security"), page === "security"),
      h("button", { type: "button", id: "logout", onclick: () => logout(false) }, t("nav.logout")),
      h("button", { type: "button", id: "logout-all", class: "secondary", onclick: () => logout(true) }, t("nav.logout_all")),
    ),
  );
}

function errorPage(code) {
  return h(
    "section",
    { class: `error-page error-${code}` },
    h("h1", {}, t(`page.error_${code}.title`)),
    h("p", {}, t(`page.error_${code}.body`)),
    h("p", {}, link("/app/home", t("page.error.home"), false)),
  );
}

export function render() {
  const root = document.getElementById("app");
  const { page, id } = route();
  const skip = document.getElementById("skip");
  if (skip) skip.textContent = t("app.skip");
  document.title = `${t(`nav.${PAGES[page] ? page : "home"}`)} · ${t("app.name")}`;
  if (!app.session || app.session.user.password_change_required) {
    const main = h("main", { id: "main", tabindex: "-1", class: "narrow" });
    mount(root, h("header", { class: "top login-top" }, h("div", { class: "brand" }, t("app.name")), langSwitch()), main);
    if (app.session) passwordChangePage(main, { session: app.session, current: "", onLogin: onLogin });
    else loginPage(main, { notice: app.notice, onLogin: onLogin });
    app.notice = "";
    return;
  }
  if (page === "login") {
    history.replaceState(null, "", "/app/home");
    return render();
  }
  const main = h("main", { id: "main", tabindex: "-1" });
  const p = PAGES[page];
  mount(root, header(page), main);
  if (app.session.mfa_pending) enrolScreen(main);
  else if (!p) mount(main, errorPage(404));
  else if (!can(p.perm)) mount(main, errorPage(403));
  else {
    if (app.notice) main.appendChild(status(app.notice, "error"));
    app.notice = "";
    p.render(main, id);
  }
}

function onLogin(s) {
  app.session = s;
  setCsrf(s.csrf);
  loadCatalogue(s.lang).then(() => {
    const { page } = route();
    if (page === "login") history.replaceState(null, "", "/app/home");
    render();
  });
}

setOnUnauthenticated(() => {
  if (!app.session) return;
  app.session = null;
  setCsrf("");
  app.notice = t("login.expired");
  render();
});

export function notFoundPage(main) {
  mount(main, errorPage(404));
}

async function boot() {
  let lang = cookieLang() || browserLang();
  try {
    const s = await get("/api/v1/web/session", { quiet401: true });
    app.session = s;
    setCsrf(s.csrf);
    lang = s.lang;
  } catch {
    app.session = null; /* none, or expired: the login page */
  }
  await loadCatalogue(lang);
  render();
}

window.addEventListener("popstate", render);
boot();
