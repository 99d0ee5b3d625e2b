// admin.js - the users of the administrator's agency (GET/POST
// /api/v1/users), role grants that wait for a second administrator
// (GET /api/v1/grants, POST /api/v1/grants/{id}/approve|reject) and the
// administrator's own API token, shown once (POST /api/v1/users/{me}/tokens,
// with the password again: nobody mints tokens for another user), and the
// agency grants of the own agency (GET/POST/DELETE /api/v1/agency-grants).
import { api, get, post } from "../api.js";
import { field, h, mount, raw, status } from "../dom.js";
import { date, t, tv } from "../i18n.js";
import { session } from "../main.js";
import { errorMsg, loading, table } from "./common.js";

const ROLES = ["analyst", "supervisor", "forensic", "tip-handler", "admin", "auditor"];

function tokenOnce(user, tok) {
  return h(
    "div",
    { class: "card token", role: "status" },
    h("p", {}, t("admin.token_once", { user })),
    h("p", {}, h("label", { for: "token-value" }, t("admin.token")), " ", h("input", { id: "token-value", type: "text", readonly: true, value: tok, size: 60 })),
  );
}

export function adminPage(main) {
  const list = h("div", { id: "user-list" });
  const msg = h("div", { "aria-live": "polite", id: "admin-msg" });
  const name = h("input", { type: "text", id: "new-user", autocomplete: "off", required: true });
  const role = h("select", { id: "new-role" }, ROLES.map((r) => h("option", { value: r }, tv("role", r))));
  const pw = h("input", { type: "password", id: "new-password", autocomplete: "new-password", minlength: 12 });
  const mypw = h("input", { type: "password", id: "token-password", autocomplete: "current-password" });
  const mycode = h("input", { type: "text", id: "token-code", autocomplete: "one-time-code", maxlength: 24 });
  const mytoken = async (ev) => {
    ev.preventDefault();
    const me = session().user.user;
    try {
      const body = { password: mypw.value };
      if (mycode.value.trim()) body.code = mycode.value.trim();
      const r = await post(`/api/v1/users/${encodeURIComponent(me)}/tokens`, body);
      mypw.value = "";
      mycode.value = "";
      mount(msg, tokenOnce(r.user, r.token));
      msg.querySelector("input").focus();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  // a role grant is decided by another administrator of the agency
  const decide = (g, verb) => async () => {
    try {
      await post(`/api/v1/grants/${g.id}/${verb}`);
      mount(msg, status(t(verb === "approve" ? "admin.grant_approved" : "admin.grant_rejected", { user: g.user, role: tv("role", g.role) }), "ok"));
      load();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const grantRow = (g) =>
    h(
      "tr",
      {},
      h("td", {}, raw(g.user)),
      h("td", {}, tv("role", g.role)),
      h("td", {}, raw(g.requested_by)),
      h(
        "td",
        {},
        h("button", { type: "button", class: "small", onclick: decide(g, "approve"), "aria-label": t("admin.approve_for", { user: g.user }) }, t("admin.approve")),
        " ",
        h("button", { type: "button", class: "small secondary", onclick: decide(g, "reject"), "aria-label": t("admin.reject_for", { user: g.user }) }, t("admin.reject")),
      ),
    );
  // PATCH /api/v1/users/{name}: a new role, or the account disabled
  const change = (user, body, done) => async () => {
    try {
      await api("PATCH", `/api/v1/users/${encodeURIComponent(user)}`, body);
      mount(msg, status(t(done, { user }), "ok"));
      load();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const row = (u) => {
    const sel = h("select", { "aria-label": t("admin.role_of", { user: u.name }), "data-role-of": u.name }, ROLES.map((r) => h("option", { value: r }, tv("role", r))));
    sel.value = u.role;
    const self = u.name === session().user.user;
    return h(
      "tr",
      {},
      h("td", {}, raw(u.name)),
      h("td", {}, raw(u.agency)),
      h("td", {}, sel, " ", h("button", { type: "button", class: "small secondary", disabled: self, onclick: () => change(u.name, { role: sel.value }, "admin.role_requested")(), "aria-label": t("admin.save_role_for", { user: u.name }) }, t("admin.save_role"))),
      h(
        "td",
        {},
        h("button", { type: "button", class: "small secondary", disabled: self, onclick: change(u.name, { disabled: true }, "admin.disabled"), "aria-label": t("admin.disable_for", { user: u.name }) }, t("admin.disable")),
        h("button", { type: "button", class: "small secondary", disabled: self, onclick: change(u.name, { disabled: false }, "admin.enabled"), "aria-label": t("admin.enable_for", { user: u.name }) }, t("admin.enable")),
      ),
    );
  };
  // Agency grants (`puente agency grant/revoke`): the own agency lets
  // another change its records; a grant never widens what it may see.
  const grantChange = (grantee, add) => async () => {
    try {
      if (add) await post("/api/v1/agency-grants", { grantee });
      else await api("DELETE", `/api/v1/agency-grants/${encodeURIComponent(grantee)}`);
      mount(msg, status(t(add ? "admin.agency_granted" : "admin.agency_revoked", { agency: grantee }), "ok"));
      load();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const agencyGrants = (agencies, grants) => {
    const me = session().user.agency;
    const pick = h("select", { id: "grant-agency" }, agencies.filter((a) => a.acronym !== me).map((a) => h("option", { value: a.acronym, class: "raw" }, `${a.acronym} — ${a.name}`)));
    const rows = grants.map((g) =>
      h(
        "tr",
        { "data-grant": `${g.owner}>${g.grantee}` },
        h("td", {}, raw(g.owner)),
        h("td", {}, raw(g.grantee)),
        h("td", {}, date(g.created)),
        h(
          "td",
          {},
          g.owner === me
            ? h("button", { type: "button", class: "small secondary", onclick: grantChange(g.grantee, false), "aria-label": t("admin.agency_revoke_for", { agency: g.grantee }) }, t("admin.agency_revoke"))
            : t("admin.agency_granted_to_us"),
        ),
      ),
    );
    return h(
      "section",
      { class: "card", id: "agency-grants" },
      h("h2", {}, t("admin.agency_grants")),
      h("p", { class: "sub" }, t("admin.agency_grants_intro", { agency: me })),
      rows.length ? table(t("admin.agency_grants"), [t("admin.grant_owner"), t("admin.grant_grantee"), t("admin.grant_since"), t("admin.actions")], rows) : h("p", {}, t("admin.agency_no_grants")),
      h(
        "form",
        { class: "row", id: "grant-form", onsubmit: (ev) => { ev.preventDefault(); grantChange(pick.value, true)(); } },
        field(t("admin.grant_to"), pick),
        h("button", { type: "submit" }, t("admin.agency_grant")),
      ),
    );
  };
  const load = async () => {
    mount(list, loading());
    try {
      const [r, ag, gr, ag2] = await Promise.all([get("/api/v1/users"), get("/api/v1/agencies"), get("/api/v1/grants"), get("/api/v1/agency-grants")]);
      const pending = gr.grants.filter((g) => g.state === "pending");
      mount(
        list,
        table(t("admin.users_of", { agency: session().user.agency }), [t("admin.user"), t("admin.agency"), t("admin.role"), t("admin.actions")], r.users.map(row)),
        h(
          "div",
          { id: "grant-list" },
          pending.length
            ? table(t("admin.grants"), [t("admin.user"), t("admin.role"), t("admin.requested_by"), t("admin.actions")], pending.map(grantRow))
            : h("p", {}, t("admin.no_grants")),
        ),
        agencyGrants(ag.agencies, ag2.grants),
        h(
          "details",
          { class: "card" },
          h("summary", {}, t("admin.agencies", { n: ag.agencies.length })),
          h("p", { class: "sub" }, t("admin.agencies_operator")),
          table(t("admin.agencies_table"), [t("admin.acronym"), t("admin.agency_name"), t("admin.country")], ag.agencies.map((a) => h("tr", {}, h("td", {}, raw(a.acronym)), h("td", {}, raw(a.name)), h("td", {}, tv("country", a.country))))),
        ),
      );
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(
    main,
    h("h1", {}, t("admin.title")),
    msg,
    list,
    h(
      "form",
      {
        class: "card row",
        id: "add-user",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = { name: name.value.trim(), role: role.value };
          if (pw.value) body.password = pw.value;
          try {
            await post("/api/v1/users", body);
            mount(msg, status(t("admin.added_pending", { user: body.name, role: tv("role", body.role) }), "ok"));
            name.value = "";
            pw.value = "";
            load();
          } catch (e) {
            mount(msg, errorMsg(e));
          }
        },
      },
      h("h2", {}, t("admin.add")),
      field(t("admin.user"), name, t("admin.user_hint")),
      field(t("admin.role"), role),
      field(t("admin.password"), pw, t("admin.password_hint")),
      h("button", { type: "submit" }, t("admin.add_submit")),
    ),
    h(
      "form",
      { class: "card row", id: "my-token", onsubmit: mytoken },
      h("h2", {}, t("admin.my_token")),
      field(t("admin.my_password"), mypw, t("admin.my_token_hint")),
      field(t("login.code"), mycode, t("admin.my_code_hint")),
      h("button", { type: "submit" }, t("admin.new_token")),
    ),
  );
  load();
}
