// curator.js - the early-warning curator queue (GET /api/v1/ews/queue):
// substance names the reports used that the vocabulary does not know, most
// used first; a writer maps one to a known substance (POST …/resolve: a
// synonym, its reports re-linked, first detections run) or dismisses it
// (POST …/reject). The substances offered are the vocabulary's, from the
// catalogue (substance.<id>, in the reader's language).
import { get, post } from "../api.js";
import { h, mount, raw, status } from "../dom.js";
import { date, keysWith, num, t, tv } from "../i18n.js";
import { can } from "../main.js";
import { errorMsg, loading, table } from "./common.js";

// Controls are named with the row's name through aria-labelledby (the
// name stays data: a reported name may be any word of any language).
function substanceSelect(item) {
  const opts = keysWith("substance.")
    .map((k) => [k.slice("substance.".length), t(k)])
    .sort((a, b) => a[1].localeCompare(b[1]));
  return h(
    "select",
    { id: `q-sel-${item.id}`, "aria-labelledby": `q-hint-${item.id} q-name-${item.id}`, "data-map": item.id },
    h("option", { value: "" }, t("curator.choose")),
    opts.map(([id, label]) => h("option", { value: id }, label)),
  );
}

export function curatorSection() {
  const box = h("section", { id: "curator", class: "card" });
  const msg = h("div", { "aria-live": "polite", id: "curator-msg" });
  const decide = (item, verb, sel) => async () => {
    const body = verb === "resolve" ? { substance: sel.value } : undefined;
    if (verb === "resolve" && !sel.value) {
      mount(msg, status(t("curator.choose_first"), "error"));
      sel.focus();
      return;
    }
    try {
      await post(`/api/v1/ews/queue/${item.id}/${verb}`, body);
      mount(msg, status(verb === "resolve" ? t("curator.mapped", { name: item.name, substance: tv("substance", sel.value) }) : t("curator.dismissed", { name: item.name }), "ok"));
      load();
    } catch (e) {
      mount(msg, errorMsg(e));
    }
  };
  const row = (q) => {
    const sel = can("write") ? substanceSelect(q) : null;
    return h(
      "tr",
      { "data-queue": q.id },
      h("td", { id: `q-name-${q.id}` }, raw(q.name)),
      h("td", {}, num(q.count)),
      h("td", {}, raw(q.first_report)),
      can("write")
        ? h(
            "td",
            { class: "actions" },
            h("span", { id: `q-hint-${q.id}`, hidden: true }, t("curator.map_to")),
            sel,
            " ",
            h("button", { type: "button", class: "small", id: `q-map-${q.id}`, onclick: decide(q, "resolve", sel), "aria-labelledby": `q-map-${q.id} q-name-${q.id}` }, t("curator.map")),
            " ",
            h("button", { type: "button", class: "small secondary", id: `q-rej-${q.id}`, onclick: decide(q, "reject", sel), "aria-labelledby": `q-rej-${q.id} q-name-${q.id}` }, t("curator.dismiss")),
          )
        : null,
    );
  };
  const list = h("div", { id: "curator-list" });
  const load = async () => {
    mount(list, loading());
    try {
      const r = await get("/api/v1/ews/queue?status=open");
      const heads = [t("curator.name"), t("curator.count"), t("curator.first")];
      if (can("write")) heads.push(t("alerts.actions"));
      mount(list, r.results.length ? table(t("curator.table"), heads, r.results.map(row)) : h("p", {}, t("curator.empty")));
    } catch (e) {
      mount(list, errorMsg(e));
    }
  };
  mount(box, h("h2", {}, t("curator.title")), h("p", { class: "sub" }, t("curator.intro")), msg, list);
  load();
  return box;
}
