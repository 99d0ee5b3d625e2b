// home.js - what waits for the reader, per role: open alerts addressed to
// the reader's agency, cargo lines on hold or for review, trace requests in
// review (partial serials waiting for the examiner's pick), new tips to
// triage (tip handlers), the audit chain. One API call per tile.
import { get } from "../api.js";
import { h, mount, raw } from "../dom.js";
import { num, t, tv } from "../i18n.js";
import { can, link, session } from "../main.js";
import { errorMsg, loading } from "./common.js";

function tile(id, title, value, note, path) {
  return h(
    "li",
    { class: "tile", id },
    h("h2", {}, title),
    h("p", { class: "big" }, value),
    h("p", {}, note),
    path ? link(path, t("home.open"), false) : null,
  );
}

export async function homePage(main) {
  const s = session();
  const list = h("ul", { class: "tiles" });
  mount(
    main,
    h("h1", {}, t("home.title"), " ", raw(s.user.user)),
    h("p", {}, t("home.role_intro", { role: tv("role", s.user.role), agency: s.user.agency })),
    list,
    loading(),
  );
  const jobs = [];
  if (can("read")) {
    jobs.push(
      get(`/api/v1/ews/alerts?status=open&agency=${encodeURIComponent(s.user.agency)}`).then((r) =>
        tile("tile-alerts", t("home.alerts"), num(r.total), t("home.alerts_note", { agency: s.user.agency }), "/app/alerts"),
      ),
    );
    // holds wait for a disposition, which needs write: a reader without it
    // (tip handler) is not shown them (and its page stays within 5 calls)
    if (can("write"))
      jobs.push(
        get("/api/v1/cargo/queue?decision=hold&limit=100000&summary=true").then((r) =>
          tile("tile-cargo", t("home.cargo"), num(r.total), t("home.cargo_note"), "/app/cargo"),
        ),
      );
    jobs.push(
      get("/api/v1/trace/requests?status=in_progress&limit=1").then((r) =>
        tile("tile-trace", t("home.trace"), num(r.total), t("home.trace_note"), "/app/trace"),
      ),
    );
  }
  if (can("tips"))
    jobs.push(
      get("/api/v1/tips?status=new").then((r) => tile("tile-tips", t("home.tips"), num(r.total), t("home.tips_note"), "/app/tips")),
    );
  if (can("screen"))
    jobs.push(
      get("/api/v1/decisions").then((r) =>
        tile("tile-decisions", t("home.decisions"), num(r.decisions.length), t("home.decisions_note"), "/app/search"),
      ),
    );
  if (can("admin"))
    jobs.push(get("/api/v1/users").then((r) => tile("tile-users", t("home.users"), num(r.users.length), t("home.users_note"), "/app/admin")));
  if (can("audit"))
    jobs.push(
      get("/api/v1/audit/verify").then((r) =>
        tile("tile-audit", t("home.audit"), r.ok ? t("audit.chain_ok") : t("audit.chain_broken"), t("home.audit_note"), "/app/audit"),
      ),
    );
  const results = await Promise.allSettled(jobs);
  main.querySelector(".loading")?.remove();
  for (const r of results) list.appendChild(r.status === "fulfilled" ? r.value : h("li", { class: "tile" }, errorMsg(r.reason)));
  }
