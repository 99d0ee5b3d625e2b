// trace.mjs - the firearms tracing pages end to end in Debian's Chromium
// (docs/web.md, "Firearms tracing"). Starts `puente serve` over
// tests/web/trace_fixture.sh's data, then:
//   - the form's rules (web/src/trace_rules.js) agree with the engine (the
//     API's dry run) on a table of cases;
//   - an FGR analyst submits a request through the form: a bad serial is
//     refused as it is typed, with the catalogue's message; the result shows
//     the purchaser and the acquisition chain in order;
//   - a partial serial lists its candidates; the examiner picks one and the
//     pick is traced;
//   - both maps are drawn: every state a path, each state's data-count and
//     fill class as the statistics say; the histogram's bars hold every
//     time-to-crime; leads are listed; the map data is loaded by the trace
//     page only;
//   - a request hidden by its marking reads as not found; a tip handler may
//     read but not submit; an administrator gets the 403 page;
//   - axe-core, no missing catalogue key and (in Spanish) no English left on
//     every trace page; no CSP violation; screenshots in both languages under
//     build/web-screenshots/.
// Prints TAP-like lines and "N passed, N failed".
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ok, BIN, SRC, BUILD, SHOTS, catalogue, setup, run, newPage, waitFor, login, settle } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("trace", "trace_fixture.sh", ["app.js", "trace-maps.json"]);
const db = t.db;
const rules = await import(pathToFileURL(path.join(SRC, "web/src/trace_rules.js")).href);
const languageChecks = (page, label, lang) => h.languageChecks(t, page, label, lang);

// ---- the form's rules agree with the engine's (the API's dry run) ----
async function rulesAgree(base, token) {
  const today = new Date().toISOString().slice(0, 10);
  const base0 = { crime_code: "5212 WEAPON OFFENSE", manufacturer: "Colt", type: "PISTOL", recovery_date: "2024-05-01", recovery_state: "MIC", serial: "CV10234" };
  const cases = [
    {}, { serial: "AB#1" }, { serial: "A???" }, { serial: "AB??" }, { serial: "[38" }, { serial: "[]12" }, { serial: "ÄB12" },
    { serial: "C-V 1O234" }, { serial: "00123" }, { serial: "ab*" }, { serial: "X".repeat(33) }, { serial: "X".repeat(32) },
    { serial: "??" }, { serial: "--" }, { serial: "0000" }, { serial: "]12" }, { serial: "A[3 8]B" }, { serial: "" },
    { serial: "", obliterated: true }, { crime_code: "" }, { manufacturer: " " }, { recovery_state: "" }, { type: "" },
    { recovery_date: "2024-02-30" }, { recovery_date: "2024-02-29" }, { recovery_date: "2031-01-01" },
    { request_date: "2024-04-01" }, { possessor_dob: "2024-06-01" }, { possessor_dob: "1990-13-01" }, { possessor_dob: "1990-01-01" },
  ];
  let agree = 0;
  const differ = [];
  for (const c of cases) {
    const v = { ...base0, ...c };
    if (v.recovery_date === "2031-01-01" && today >= "2031-01-01") continue;
    const page = Object.keys(rules.validateForm(v, today));
    const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
    const r = await fetch(`${base}/api/v1/trace/requests?dry_run=true`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const js = await r.json();
    const api = r.status === 200 ? [] : [js.error.field];
    if (JSON.stringify(page) === JSON.stringify(api)) agree++;
    else differ.push({ case: c, page, api, msg: js.error && js.error.message });
  }
  ok(differ.length === 0 && agree > 25, `the form's rules agree with the engine on ${agree} cases`, JSON.stringify(differ));
}

async function apiGet(page, p) {
  return page.evaluate(async (u) => (await fetch(u)).json(), p);
}

// ---- submit through the form; validation as you type ----
async function submitFlow(browser, base) {
  const page = await newPage(browser);
  await login(page, base, "fgr.analyst");
  const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")));
  ok(menu.includes("/app/trace"), "an analyst has the tracing menu entry");
  await page.click('#menu a[href="/app/trace"]');
  await page.waitForSelector("#trace-new");
  await page.click("#trace-new");
  await page.waitForSelector("#trace-form");
  await page.focus("#tf-serial");
  await page.keyboard.type("AB#1");
  await page.waitForSelector("#tf-serial-err:not([hidden])");
  ok((await page.textContent("#tf-serial-err")) === catalogue.en["trace.err.serial_chars"] && (await page.getAttribute("#tf-serial", "aria-invalid")) === "true",
    "a bad serial is refused as it is typed, with the catalogue's message");
  await page.screenshot({ path: path.join(SHOTS, "en-trace-form-error.png"), fullPage: true });
  await page.fill("#tf-serial", "cv-1O234");
  ok(await page.isHidden("#tf-serial-err"), "the message goes once the serial is valid");
  await page.fill("#tf-recovery_date", "2024-05-01");
  await page.fill("#tf-possessor_dob", "2024-06-01");
  await page.waitForSelector("#tf-possessor_dob-err:not([hidden])");
  ok((await page.textContent("#tf-possessor_dob-err")) === catalogue.en["trace.err.born_after"], "dates of one request are checked against each other as they are typed");
  await page.fill("#tf-possessor_dob", "1991-02-03");
  await page.fill("#tf-manufacturer", "Colt's Mfg Co");
  await page.fill("#tf-possessor", "Pedro Páramo");
  await page.fill("#tf-case_number", "FED/MICH/0042/2024");
  await page.selectOption("#tf-type", "PISTOL");
  await page.selectOption("#tf-crime_code", "5212 WEAPON OFFENSE");
  await page.selectOption("#tf-recovery_state", "MIC");
  await page.selectOption("#tf-marking", "SHARED");
  await page.click("#trace-submit");
  await page.waitForSelector("#trace-result");
  const number = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  ok(/^T\d{4}-\d{6}$/.test(number), `the submitted request opens at its number (${number})`);
  const r = await apiGet(page, `/api/v1/trace/requests/${number}`);
  ok(r.status === "completed" && r.result.purchaser === "John Q. Straw" && r.form.possessor === "Pedro Páramo", "the request was stored and traced", JSON.stringify(r).slice(0, 300));
  const facts = await page.textContent("#trace-result");
  ok(facts.includes("John Q. Straw") && facts.includes(catalogue.en["trace.us.tx"]), "the result shows the purchaser and the purchase state");
  const kinds = await page.$$eval("#trace-result tbody tr", (trs) => trs.map((tr) => tr.getAttribute("data-kind")));
  ok(JSON.stringify(kinds) === JSON.stringify(["MANUFACTURE", "DISTRIBUTOR", "DEALER", "RETAIL"]), "the acquisition chain in order", JSON.stringify(kinds));
  await settle(page);
  await languageChecks(page, "trace request (en)", "en");
  await page.screenshot({ path: path.join(SHOTS, "en-trace-result.png"), fullPage: true });
  ok(page.cspErrors.length === 0, "no CSP violation or script error while submitting", JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
  return number;
}

// ---- a partial serial: candidates and the examiner's pick ----
async function pickFlow(browser, base) {
  const page = await newPage(browser);
  await login(page, base, "fgr.analyst");
  await page.goto(`${base}/app/trace/new`);
  await page.waitForSelector("#trace-form");
  await page.fill("#tf-serial", "WXK54?");
  await page.fill("#tf-manufacturer", "Glock");
  await page.fill("#tf-model", "G19");
  await page.selectOption("#tf-type", "PISTOL");
  await page.selectOption("#tf-crime_code", "0999 HOMICIDE");
  await page.fill("#tf-recovery_date", "2024-05-01");
  await page.selectOption("#tf-recovery_state", "SIN");
  await page.click("#trace-submit");
  await page.waitForSelector("#trace-candidates");
  const serials = await page.$$eval("#trace-candidates tbody tr", (trs) => trs.map((tr) => tr.getAttribute("data-serial")).sort());
  ok(JSON.stringify(serials) === JSON.stringify(["WXK540", "WXK541", "WXK542"]), "a partial serial lists its candidates", JSON.stringify(serials));
  await settle(page);
  await languageChecks(page, "trace candidates (en)", "en");
  await page.screenshot({ path: path.join(SHOTS, "en-trace-candidates.png"), fullPage: true });
  const rank = await page.getAttribute('#trace-candidates tr[data-serial="WXK541"]', "data-rank");
  await page.focus(`button[data-pick="${rank}"]`);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#trace-result");
  ok((await page.textContent("#trace-result")).includes("Buyer Number1"), "the examiner's pick (by keyboard) is traced: its purchaser is shown");
  ok((await page.textContent("#trace-notes")).includes("WXK541"), "the note names the picked candidate");
  await page.context().close();
}

// ---- maps, histogram, leads; the map data is loaded by this page only ----
async function overview(browser, base, lang) {
  const page = await newPage(browser, lang);
  await login(page, base, "fgr.analyst", lang);
  await page.goto(`${base}/app/home`);
  await settle(page);
  ok(!page.assets.includes("/assets/trace-maps.json"), `(${lang}) the home page does not load the map data`);
  await page.goto(`${base}/app/trace`);
  await page.waitForSelector("#map-us path");
  await page.waitForSelector("#map-mx path");
  await page.waitForSelector("#trace-leads table");
  await settle(page);
  ok(page.assets.filter((a) => a === "/assets/trace-maps.json").length === 1, `(${lang}) the trace page loads the map data once`);
  const stats = await apiGet(page, "/api/v1/trace/stats");
  for (const [id, key, nstates] of [["map-us", "by_source_state", 51], ["map-mx", "by_recovery_state", 32]]) {
    const drawn = await page.$$eval(`#${id} path`, (ps) => ps.map((p) => ({ s: p.getAttribute("data-state"), n: Number(p.getAttribute("data-count")), c: Number(p.getAttribute("data-class")), fill: p.getAttribute("fill"), d: (p.getAttribute("d") || "").length })));
    const want = Object.fromEntries(stats[key].map((x) => [x.key, x.count]));
    const max = Math.max(...Object.values(want));
    ok(drawn.length === nstates && drawn.every((p) => p.d > 20), `(${lang}) ${id}: ${nstates} states drawn`, String(drawn.length));
    const wrong = drawn.filter((p) => p.n !== (want[p.s] || 0) || p.c !== (p.n ? Math.min(5, Math.ceil((p.n / max) * 5)) : 0) || (p.n === 0) !== (p.fill === "#eeeeee"));
    ok(wrong.length === 0 && drawn.some((p) => p.c === 5), `(${lang}) ${id}: every state's count and fill class follow the statistics`, JSON.stringify(wrong.slice(0, 4)));
    const missingStates = Object.keys(want).filter((s) => !drawn.some((p) => p.s === s));
    ok(missingStates.length === 0, `(${lang}) ${id}: every state of the statistics is on the map`, JSON.stringify(missingStates));
  }
  const tx = await page.getAttribute('#map-us path[data-state="TX"]', "data-count");
  ok(Number(tx) === Math.max(...stats.by_source_state.map((x) => x.count)), `(${lang}) Texas is the top source state on the map (${tx})`);
  const bars = await page.$$eval("#ttc-histogram rect", (rs) => rs.map((r) => Number(r.getAttribute("data-count"))));
  ok(bars.length === 16 && bars.reduce((a, b) => a + b, 0) === stats.ttc_n && stats.ttc_n > 0, `(${lang}) the histogram's bars hold every time-to-crime (${stats.ttc_n})`);
  const leads = await page.$$eval("#trace-leads tbody tr", (trs) => trs.length);
  ok(leads > 2, `(${lang}) purchaser and dealer leads are listed (${leads} rows)`);
  const rows = await page.$$eval("#trace-list tbody tr", (trs) => trs.length);
  ok(rows === 25, `(${lang}) the first page of requests (${rows} rows)`);
  await page.selectOption("#trace-state", "SIN");
  await page.click("#trace-filter button[type=submit]");
  await waitFor(page, () => !document.querySelector(".loading") && [...document.querySelectorAll("#trace-list tbody tr")].length > 0);
  const sin = await apiGet(page, "/api/v1/trace/requests?state=SIN&limit=1");
  const states = await page.$$eval("#trace-list tbody tr td:nth-child(6) .sub", (ds) => ds.map((d) => d.textContent));
  ok(states.length === Math.min(25, sin.total) && states.every((x) => x === catalogue[lang]["trace.mx.sin"]), `(${lang}) the list filtered by recovery state (${sin.total} in Sinaloa)`);
  await page.selectOption("#trace-state", "");
  await page.click("#trace-filter button[type=submit]");
  await waitFor(page, () => document.querySelectorAll("#trace-list tbody tr").length === 25 && !document.querySelector(".loading"));
  await page.click("#trace-next");
  await waitFor(page, () => !document.querySelector("#trace-prev")?.disabled);
  ok(true, `(${lang}) the next page of requests`);
  // a click on a Mexican state of the map filters the list by it
  const top = stats.by_recovery_state.reduce((a, b) => (b.count > a.count ? b : a));
  await page.click(`#map-mx path[data-state="${top.key}"]`);
  await waitFor(page, (k) => document.querySelector("#trace-state").value === k && !document.querySelector(".loading") && document.querySelectorAll("#trace-list tbody tr").length > 0, top.key);
  const picked = await apiGet(page, `/api/v1/trace/requests?state=${top.key}&limit=1`);
  const shownCount = await page.textContent("#trace-list p");
  ok(picked.total === top.count && shownCount.includes(new Intl.NumberFormat(lang === "es" ? "es-MX" : "en-US").format(picked.total)),
    `(${lang}) a click on ${top.key} on the map lists its ${top.count} requests`, shownCount);
  // the crime filter, and the filtered list as CSV
  await page.selectOption("#trace-state", "");
  await page.selectOption("#trace-crime", "5212");
  await page.click("#trace-filter button[type=submit]");
  await waitFor(page, () => !document.querySelector(".loading") && document.querySelectorAll("#trace-list tbody tr").length > 0);
  const crimes = await page.$$eval("#trace-list tbody tr td:nth-child(4)", (ds) => ds.map((d) => d.textContent));
  const weapons = await apiGet(page, "/api/v1/trace/requests?crime=5212&limit=1");
  ok(crimes.length === Math.min(25, weapons.total) && crimes.every((x) => x.startsWith("5212")), `(${lang}) the list filtered by crime code (${weapons.total} weapon offenses)`);
  await page.click("#trace-csv");
  await page.waitForSelector("#trace-csv-link");
  const link = await page.$eval("#trace-csv-link", (a) => ({ href: a.href, download: a.getAttribute("download") }));
  ok(link.href.startsWith("blob:") && link.download === "trace-requests.csv", `(${lang}) the download link is a local file`);
  // the blob is the API's CSV for the same filters (fetching a blob: URL is outside the page's CSP)
  const csv = await page.evaluate(async () => (await fetch("/api/v1/trace/requests?crime=5212&format=csv&limit=1000")).text());
  const lines = csv.trim().split("\n");
  ok(lines[0].startsWith("number,status,") && lines.length - 1 === Math.min(1000, weapons.total) && lines.slice(1).every((l) => l.includes(",5212 ")),
    `(${lang}) the filtered list downloads as CSV (${lines.length - 1} rows)`);
  await page.selectOption("#trace-crime", "");
  await page.click("#trace-filter button[type=submit]");
  await waitFor(page, () => document.querySelectorAll("#trace-list tbody tr").length === 25 && !document.querySelector(".loading"));
  await languageChecks(page, `trace overview (${lang})`, lang);
  await page.screenshot({ path: path.join(SHOTS, `${lang}-trace.png`), fullPage: true });
  await page.locator("#trace-stats").screenshot({ path: path.join(SHOTS, `${lang}-trace-maps.png`) });
  const fits = () => document.querySelector("header.top").scrollWidth <= window.innerWidth + 1 &&
    [...document.querySelectorAll("svg.map, svg.histogram")].every((m) => m.getBoundingClientRect().right <= document.querySelector("main").getBoundingClientRect().right + 1);
  ok(await page.evaluate(fits), `(${lang}) at 1280 px both maps and the histogram fit the page`);
  await page.setViewportSize({ width: 768, height: 1024 });
  ok(await page.evaluate(fits), `(${lang}) at 768 px the header, the maps and the histogram fit`);
  await page.screenshot({ path: path.join(SHOTS, `${lang}-trace-768.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/app/trace/new`);
  await page.waitForSelector("#trace-form");
  await settle(page);
  await languageChecks(page, `trace form (${lang})`, lang);
  await page.screenshot({ path: path.join(SHOTS, `${lang}-trace-form.png`), fullPage: true });
  ok(page.cspErrors.length === 0, `(${lang}) no CSP violation or script error on the trace pages`, JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
}

async function detailSpanish(browser, base, number) {
  const page = await newPage(browser, "es");
  await login(page, base, "fgr.analyst", "es");
  await page.goto(`${base}/app/trace/${number}`);
  await page.waitForSelector("#trace-result");
  await settle(page);
  ok((await page.textContent("#trace-result")).includes(catalogue.es["trace.event.retail"]), "(es) the chain's steps are translated");
  await languageChecks(page, "trace request (es)", "es");
  await page.screenshot({ path: path.join(SHOTS, "es-trace-result.png"), fullPage: true });
  await page.context().close();
}

// ---- markings and roles ----
async function probes(browser, base, token) {
  // an FGR request hidden from DEA (AGENCY-ONLY)
  const r = await fetch(`${base}/api/v1/trace/requests`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ crime_code: "1099 KIDNAPPING", serial: "CV10234", manufacturer: "Colt", type: "PISTOL", recovery_date: "2024-01-02", recovery_state: "GRO", marking: "AGENCY-ONLY" }),
  });
  const hidden = await r.json();
  ok(r.status === 201, "FGR files an AGENCY-ONLY request");
  const page = await newPage(browser);
  await login(page, base, "dea.analyst");
  const resp = await page.goto(`${base}/app/trace/${hidden.number}`);
  await page.waitForSelector("main .msg-error");
  ok(resp.status() === 200 && (await page.textContent("main .msg-error")) === catalogue.en["error.not_found"], "a request hidden by its marking reads as not found");
  const api = await page.evaluate(async (n) => (await fetch(`/api/v1/trace/requests/${n}`)).status, hidden.number);
  ok(api === 404, "its API answer is 404, not 403");
  await page.context().close();
  const tips = await newPage(browser);
  await login(tips, base, "fgr.tips");
  await tips.goto(`${base}/app/trace`);
  await tips.waitForSelector("#trace-list table");
  ok((await tips.locator("#trace-new").count()) === 0, "a tip handler reads the requests but has no 'new request' button");
  await tips.goto(`${base}/app/trace/new`);
  await tips.waitForSelector("main .msg-error");
  ok(true, "a tip handler opening the form is told it is not allowed");
  await tips.context().close();
  const adm = await newPage(browser);
  await login(adm, base, "fgr.admin");
  const r403 = await adm.goto(`${base}/app/trace`);
  await adm.waitForSelector(".error-page");
  ok(r403.status() === 403 && !(await adm.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")))).includes("/app/trace"), "an administrator has no tracing menu and gets the 403 page");
  await adm.context().close();
}

run(t, async (browser, base) => {
  const token = execFileSync(BIN, ["token", "create", "fgr.analyst", "--db", db]).toString().trim();
  await rulesAgree(base, token);
  const number = await submitFlow(browser, base);
  await pickFlow(browser, base);
  for (const lang of ["en", "es"]) await overview(browser, base, lang);
  await detailSpanish(browser, base, number);
  await probes(browser, base, token);
  const js = fs.statSync(path.join(BUILD, "web", "app.js")).size;
  const maps = fs.statSync(path.join(BUILD, "web", "trace-maps.json")).size;
  console.log(`# sizes: app.js ${js} bytes, trace-maps.json ${maps} bytes (loaded by the trace page only)`);
});
