// harness.mjs - what every browser test of the web application shares
// (docs/web.md "Tests"): TAP-like results ending "N passed, N failed", the
// environment checks (Chromium, playwright-core, axe-core, a built front end),
// a throwaway store filled by a fixture script, `puente serve` on a free port,
// pages with CSP/script-error capture, sign-in without a second factor (the
// fixtures set mfa-roles empty; e2e.mjs tests the second factor itself), and
// the language and accessibility checks every page must pass.
//
// Use:
//   import * as h from "./harness.mjs";
//   const t = h.setup("cases", "cases_fixture.sh");   // store + fixture
//   await h.run(t, async (browser, base) => { ... h.ok(cond, "name"); });
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

export const BIN = process.env.PUENTE_BIN;
export const SRC = process.env.PUENTE_SRC;
export const BUILD = process.env.PUENTE_BUILD || path.dirname(BIN || ".");
export const CHROMIUM = process.env.PUENTE_CHROMIUM || "/usr/bin/chromium";
export const PW = process.env.WEB_TEST_PASSWORD || "web-test-password-1";
export const SHOTS = path.join(BUILD, "web-screenshots");
export const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const catalogue = {};

let passed = 0;
let failed = 0;
export function ok(cond, name, extra = "") {
  if (cond) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name} ${extra}`.slice(0, 3000));
  }
  return cond;
}
export function fatal(msg) {
  console.log(`not ok - ${msg}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

function loadBrowserPackages() {
  if (!BIN || !SRC) fatal("PUENTE_BIN and PUENTE_SRC must be set (run through meson test)");
  if (!fs.existsSync(CHROMIUM)) fatal(`Chromium not found at ${CHROMIUM}: install Debian's chromium (scripts/deps.sh does)`);
  const require = createRequire(path.join(SRC, "web", "package.json"));
  try {
    const { chromium } = require("playwright-core");
    const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    return { chromium, axeSource };
  } catch (e) {
    return fatal(`playwright-core / axe-core missing under web/node_modules (make runs npm ci): ${e.message}`);
  }
}

// A throwaway store under TEST_TMP filled by tests/web/<fixture> (called as
// `fixture BIN DB WORKDIR`); `assets` are files of build/web that must exist.
export function setup(name, fixture, assets = ["app.js"]) {
  const pkgs = loadBrowserPackages();
  for (const f of assets) if (!fs.existsSync(path.join(BUILD, "web", f))) fatal(`the front end is not built (${BUILD}/web/${f} missing)`);
  const tmp = fs.mkdtempSync(path.join(process.env.TEST_TMP || "/tmp", `puente-${name}-web-`));
  const db = path.join(tmp, "p.db");
  if (fixture) execFileSync("bash", [path.join(SRC, "tests/web", fixture), BIN, db, tmp], { stdio: ["ignore", "ignore", "inherit"] });
  return { name, tmp, db, ...pkgs };
}

// `puente <args> --db <store>` of the test, its standard output as a string.
export function puente(t, ...args) {
  return execFileSync(BIN, [...args, "--db", t.db]).toString();
}

export function startServer(t, extra = []) {
  return new Promise((resolve, reject) => {
    const args = ["serve", "--db", t.db, "--listen", "127.0.0.1:0", "--threads", "2", "--web-root", path.join(BUILD, "web"), ...extra];
    const srv = spawn(BIN, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 20000);
    srv.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/listening on http:\/\/([0-9.]+:\d+)/);
      if (m && !srv.base) {
        srv.base = `http://${m[1]}`;
        clearTimeout(timer);
        resolve(srv);
      }
    });
    srv.on("exit", (code) => reject(new Error(`server exited ${code}: ${log}`)));
  });
}
export function stopServer(srv) {
  return new Promise((resolve) => {
    srv.removeAllListeners("exit");
    srv.on("exit", resolve);
    srv.kill("SIGTERM");
  });
}

// A page in a fresh context; page.cspErrors collects CSP violations and
// script errors, page.assets every requested path.
export async function newPage(browser, lang = "en", viewport = { width: 1280, height: 800 }) {
  const ctx = await browser.newContext({ viewport, locale: lang === "es" ? "es-MX" : "en-US" });
  const page = await ctx.newPage();
  page.cspErrors = [];
  page.assets = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) page.cspErrors.push(m.text());
  });
  page.on("pageerror", (e) => page.cspErrors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => page.assets.push(new URL(r.url()).pathname));
  return page;
}

export async function waitFor(page, fn, arg, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
    await page.waitForTimeout(100);
  }
}

// Sign in as user (password PW, no second factor) and switch to lang.
export async function login(page, base, user, lang = "en") {
  await page.goto(`${base}/app/home`);
  await page.waitForSelector("#login-form");
  await page.fill("input[name=user]", user);
  await page.fill("input[name=password]", PW);
  await page.click("#login-submit");
  await page.waitForSelector("#menu");
  const want = lang === "es" ? "es-MX" : "en";
  if ((await page.evaluate(() => document.documentElement.lang)) !== want) {
    await page.click("#lang-switch");
    await waitFor(page, (w) => document.documentElement.lang === w && document.querySelector("#menu"), want);
  }
}

export async function settle(page) {
  await page.waitForLoadState("networkidle");
  await waitFor(page, () => !document.querySelector(".loading")).catch(() => {});
}

export async function axeCheck(t, page, label) {
  await page.evaluate(`${t.axeSource};0`);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  });
  ok(res.length === 0, `axe-core: no serious or critical violation on ${label}`, JSON.stringify(res));
}

// English catalogue texts that must not appear on a Spanish page.
export function englishOnly() {
  const esAll = Object.values(catalogue.es).join("\n");
  return Object.entries(catalogue.en)
    .filter(([k, v]) => !k.startsWith("cli.") && v !== catalogue.es[k] && v.length >= 4 && !esAll.includes(v.replace(/\{[a-z_]+\}/g, "")))
    .map(([, v]) => v.split(/\{[a-z_]+\}/)[0].trim())
    .filter((v) => v.length >= 4);
}

// Every text from the catalogue, no English left in Spanish, axe-core clean.
export async function languageChecks(t, page, label, lang) {
  const missing = await page.evaluate(() => [...(window.__puenteMissing || [])]);
  ok(missing.length === 0, `${label}: every text is in the catalogue`, JSON.stringify(missing));
  if (lang === "es") {
    const text = await page.evaluate(() => {
      const clone = document.body.cloneNode(true);
      clone.querySelectorAll(".raw, script, style").forEach((n) => n.remove());
      return `${clone.innerText}\n${[...document.querySelectorAll("[aria-label]")].filter((n) => !n.closest(".raw")).map((n) => n.getAttribute("aria-label")).join("\n")}`;
    });
    const left = englishOnly().filter((b) => new RegExp(`(?<![\\p{L}\\p{N}._@-])${b.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_@-])`, "u").test(text));
    ok(left.length === 0, `${label}: no English interface text left`, JSON.stringify(left.slice(0, 10)));
  }
  await axeCheck(t, page, label);
}

export async function screenshot(page, file) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
}

// Start the server, load both catalogues, launch Chromium, run body(browser,
// base, srv), then close everything, print the closing line and exit.
export async function run(t, body, serverArgs = []) {
  let srv = null;
  let browser = null;
  try {
    srv = await startServer(t, serverArgs);
    for (const lang of ["en", "es"]) catalogue[lang] = (await (await fetch(`${srv.base}/api/v1/i18n/${lang}`)).json()).messages;
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await t.chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    await body(browser, srv.base, srv);
  } catch (e) {
    ok(false, `the ${t.name} web tests ran to the end`, e.stack);
  } finally {
    if (browser) await browser.close();
    if (srv) await stopServer(srv);
    finish(t);
  }
}

// Print the closing line, remove the test's store and exit (1 on any failure).
export function finish(t) {
  console.log(`${passed} passed, ${failed} failed`);
  fs.rmSync(t.tmp, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}
