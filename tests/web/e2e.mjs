// e2e.mjs - the web application end to end in Debian's Chromium, driven by
// playwright-core (docs/web.md, "Tests"). Starts `puente serve` on a loopback
// port over demo-like data (fixture.sh), then: menus per role, 403 pages,
// Spanish with no English left (catalogue-driven), screening with its
// explanation and a false positive, a cargo upload and hold, an alert
// acknowledged and its plot, CSRF refusal, markup shown as text, the idle
// timeout, axe-core on every page, screenshots of every page in both
// languages under build/web-screenshots. Prints TAP-like lines.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as h from "./harness.mjs";

// what every browser test shares (tests/web/harness.mjs); this test keeps
// only what is its own: the demo-like fixture, the second factor, the roles
const { BIN, SRC, PW, SHOTS, CHROMIUM, FLAGS, catalogue, ok, waitFor, settle, englishOnly } = h;
const t = h.setup("e2e", null);
const { tmp, db } = t;
execFileSync("bash", [path.join(SRC, "tests/web/fixture.sh"), BIN, db, SRC, tmp], { stdio: ["ignore", "ignore", "inherit"] });

// every sign-in of an enrolled user is two attempts (password, then code):
// a burst allowance above the tests' own logins from one address
const startServer = (extra) => h.startServer(t, ["--login-burst", "500", ...extra]);
const stopServer = h.stopServer;
const axeCheck = (page, label) => h.axeCheck(t, page, label);

// ---- roles, their menus and pages ----
const ROLES = {
  "dea.analyst": { menu: ["home", "search", "alerts", "cargo", "trace", "cases", "extraditions", "review", "graph", "dashboard"], pages: ["home", "search", "alerts", "cargo", "entity/dea-case-0002", "security"] },
  "cbp.supervisor": { menu: ["home", "search", "alerts", "cargo", "trace", "cases", "extraditions", "review", "graph", "dashboard"], pages: ["home", "entity/dea-case-0002"] },
  "spf.forensic": { menu: ["home", "search", "alerts", "cargo", "trace", "kinship", "kinship-cases", "cases", "extraditions", "review", "graph", "dashboard"], pages: ["kinship", "kinship-cases"] },
  "cnb.tips": { menu: ["home", "search", "alerts", "cargo", "trace", "tips", "cases", "extraditions", "review", "graph", "dashboard"], pages: ["home", "tips"] },
  "dea.admin": { menu: ["home", "admin"], pages: ["home", "admin"] },
  "fgr.auditor": { menu: ["home", "audit"], pages: ["home", "audit"] },
};
// ---- the second factor: TOTP codes computed here from the key the
// enrolment page shows (RFC 6238, HMAC-SHA-1, 30 s, 6 digits) ----
const factor = {}; // user -> { key, last step used, recovery codes }
function base32(s) {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, val = 0;
  const out = [];
  for (const c of s.replace(/[=\s]/g, "").toUpperCase()) {
    const i = A.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    val = ((val << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((val >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totp(key, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", key).update(msg).digest();
  const o = mac[19] & 15;
  const n = ((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1e6).padStart(6, "0");
}
// A code the server has not seen yet: each step is accepted once, and the
// next step is accepted early (clock drift), so two sign-ins within one
// step use the current and the next; a third waits for the clock.
async function nextCode(user) {
  const f = factor[user];
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const s = Math.max(now, f.last + 1);
    if (s <= now + 1) {
      f.last = s;
      return totp(f.key, s);
    }
    await new Promise((r) => setTimeout(r, (now + 1) * 30000 - Date.now() + 200));
  }
}

// The enrolment page: the QR code and the key, a code from the key, the
// recovery codes once. Returns what it saw.
async function enrol(page, user) {
  await page.click("#enrol-start");
  await page.waitForSelector("#totp-secret");
  const key = (await page.textContent("#totp-secret")).trim();
  const qr = await page.getAttribute("#totp-qr", "src");
  factor[user] = { key: base32(key), last: 0, recovery: [] };
  await page.fill("#enrol-code", await nextCode(user));
  await page.click("#enrol-confirm-submit");
  await page.waitForSelector("#recovery-codes");
  factor[user].recovery = await page.$$eval("#recovery-codes li", (li) => li.map((x) => x.textContent.trim()));
  await page.click("#enrol-done");
  await waitFor(page, () => !document.querySelector("#enrol-done") && document.querySelector("#menu a"));
  return { key, qr, recovery: factor[user].recovery };
}

// Submit the sign-in form and answer the second-factor step if it comes:
// with `code` when given, else the next TOTP code of the user.
async function submitLogin(page, user, code) {
  await page.click("#login-submit");
  const asked = () => document.querySelector("#menu") || (document.querySelector("#login-code") && !document.querySelector("#login-code").closest(".field").hidden);
  await waitFor(page, asked);
  if (await page.$("#menu")) return false;
  await page.fill("#login-code", code || (await nextCode(user)));
  await page.click("#login-submit");
  await waitFor(page, () => document.querySelector("#menu") || document.querySelector("#login-form .msg-error"));
  return true;
}

// Sign in through the form (with the second factor when enrolled; enrolling
// it when the role needs one); the language the user chose last comes back
// (remembered per user): switch to `lang` when it is not that one.
async function login(page, base, user, lang = "en") {
  await page.goto(`${base}/app/home`);
  await page.waitForSelector("#login-form");
  await page.fill("input[name=user]", user);
  await page.fill("input[name=password]", PW);
  await submitLogin(page, user);
  await page.waitForSelector("#menu", { state: "attached" }); // empty (hidden) while only enrolment is allowed
  if (await page.$("#enrol-start")) await enrol(page, user);
  const want = lang === "es" ? "es-MX" : "en";
  const had = await page.evaluate(() => document.documentElement.lang);
  if (had !== want) {
    await page.click("#lang-switch");
    await waitFor(page, (w) => document.documentElement.lang === w && document.querySelector("#menu"), want);
  }
  return had;
}

// Visible text outside data values (.raw: names, ids, engine details).
async function interfaceText(page) {
  return page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    clone.querySelectorAll(".raw, script, style, .uplot .u-legend .u-value").forEach((n) => n.remove());
    return `${clone.innerText}\n${[...document.querySelectorAll("[aria-label]")].filter((n) => !n.closest(".raw")).map((n) => n.getAttribute("aria-label")).join("\n")}`;
  });
}

async function main() {
  const srv = await startServer([]);
  const base = srv.base;
  for (const lang of ["en", "es"]) catalogue[lang] = (await (await fetch(`${base}/api/v1/i18n/${lang}`)).json()).messages;
  ok(Object.keys(catalogue.en).length > 100 && Object.keys(catalogue.en).length === Object.keys(catalogue.es).length, "the catalogue has the same keys in both languages");
  const browser = await t.chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  fs.mkdirSync(SHOTS, { recursive: true });
  try {
    await secondFactor(browser, base);
    await rolesAndPages(browser, base);
    await keyboard(browser, base);
    await forbidden(browser, base);
    await screening(browser, base);
    await cargo(browser, base);
    await alerts(browser, base);
    await curator(browser, base);
    await kinship(browser, base);
    await admin(browser, base);
    await auditTrail(browser, base);
    await entityPage(browser, base);
    await csrf(browser, base);
    await markup(browser, base);
    await passwordChange(browser, base);
    await headers(base);
  } finally {
    await stopServer(srv);
  }
  const idleSrv = await startServer(["--session-idle", "2", "--audit-journal", "commit"]);
  try {
    await idle(browser, idleSrv.base);
  } finally {
    await stopServer(idleSrv);
    await browser.close();
  }
}

// The second factor under the default policy (admin and auditor need one):
// the auditor's first session can only enrol; the QR code and the key are
// shown once, a wrong code changes nothing, the right one switches it on and
// shows ten recovery codes once; the next sign-in asks for the code; a
// recovery code works once.
async function secondFactor(browser, base) {
  const page = await h.newPage(browser);
  const user = "fgr.auditor";
  await page.goto(`${base}/app/audit`);
  await page.waitForSelector("#login-form");
  await page.fill("input[name=user]", user);
  await page.fill("input[name=password]", PW);
  ok((await submitLogin(page, user)) === false, "a role that needs a second factor, not yet enrolled: the password alone opens a session");
  await page.waitForSelector("#enrol-start");
  ok((await page.$$("#menu a")).length === 0, "that session shows no menu, only the enrolment page");
  const denied = await page.evaluate(async () => (await fetch("/api/v1/audit/verify")).status);
  ok(denied === 403, "that session cannot use the API beyond enrolment", String(denied));
  for (const lang of ["es", "en"]) {
    await page.click("#lang-switch");
    await waitFor(page, (w) => document.documentElement.lang === w && document.querySelector("#enrol-start"), lang === "es" ? "es-MX" : "en");
    await axeCheck(page, `second factor enrolment (${lang})`);
    if (lang === "es") {
      const text = await interfaceText(page);
      const left = englishOnly().filter((b) => text.includes(b));
      ok(left.length === 0, "enrolment page (es): no English interface text left", JSON.stringify(left.slice(0, 10)));
    }
    await page.screenshot({ path: path.join(SHOTS, `${lang}-enrol.png`) });
  }
  await page.click("#enrol-start");
  await page.waitForSelector("#totp-secret");
  const key = (await page.textContent("#totp-secret")).trim();
  ok(/^data:image\/svg\+xml;base64,/.test(await page.getAttribute("#totp-qr", "src")), "the enrolment shows the server's QR code (SVG)");
  ok(/^[A-Z2-7]{32}$/.test(key), "and the key in base32", key);
  factor[user] = { key: base32(key), last: 0, recovery: [] };
  await page.fill("#enrol-code", totp(factor[user].key, Math.floor(Date.now() / 30000) + 5));
  await page.click("#enrol-confirm-submit");
  await page.waitForSelector("#enrol-msg .msg-error");
  ok((await page.$("#recovery-codes")) === null, "a wrong code does not switch the factor on");
  await axeCheck(page, "second factor: the QR code and the code form");
  await page.screenshot({ path: path.join(SHOTS, "en-enrol-qr.png") });
  await page.fill("#enrol-code", await nextCode(user));
  await page.click("#enrol-confirm-submit");
  await page.waitForSelector("#recovery-codes");
  const codes = await page.$$eval("#recovery-codes li", (li) => li.map((x) => x.textContent.trim()));
  ok(codes.length === 10 && new Set(codes).size === 10, "a right code switches it on and shows ten recovery codes", JSON.stringify(codes));
  factor[user].recovery = codes;
  await axeCheck(page, "second factor: recovery codes");
  await page.click("#enrol-done");
  await page.waitForSelector('#menu a[href="/app/audit"]');
  const verify = await page.evaluate(async () => (await fetch("/api/v1/audit/verify")).status);
  ok(verify === 200, "after enrolment the same session has the role's permissions", String(verify));
  // the next sign-in: the code is asked for after the right password only
  await page.click("#logout");
  await page.waitForSelector("#login-form");
  await page.fill("input[name=user]", user);
  await page.fill("input[name=password]", "a-wrong-password-1");
  await page.click("#login-submit");
  await page.waitForSelector("#login-form .msg-error");
  ok(await page.evaluate(() => document.querySelector("#login-code").closest(".field").hidden), "a wrong password is refused without asking for a code");
  await page.fill("input[name=password]", PW);
  await page.click("#login-submit");
  await waitFor(page, () => !document.querySelector("#login-code").closest(".field").hidden);
  ok(true, "after the right password the sign-in asks for the second factor");
  await axeCheck(page, "sign-in: the code step");
  await page.screenshot({ path: path.join(SHOTS, "en-login-code.png") });
  await page.fill("#login-code", "000000");
  await page.click("#login-submit");
  await page.waitForSelector("#login-form .msg-error");
  ok((await page.$("#menu")) === null, "a wrong code is refused");
  await page.fill("#login-code", await nextCode(user));
  await page.click("#login-submit");
  await page.waitForSelector('#menu a[href="/app/audit"]');
  ok(true, "the TOTP code computed from the enrolled key signs in");
  // a recovery code works once
  for (const round of [1, 2]) {
    await page.click("#logout");
    await page.waitForSelector("#login-form");
    await page.fill("input[name=user]", user);
    await page.fill("input[name=password]", PW);
    await submitLogin(page, user, codes[0]);
    if (round === 1) ok((await page.$("#menu")) !== null, "a recovery code signs in in place of the TOTP code");
    else ok((await page.$("#menu")) === null && (await page.$("#login-form .msg-error")) !== null, "the same recovery code is refused the second time");
  }
  const audit = execFileSync(BIN, ["audit", "export", "--db", db]).toString();
  ok(/"totp\.confirm"/.test(audit), "the enrolment is in the audit trail");
  await page.context().close();
}

// Each role: its menu exactly; every page of it in English and Spanish,
// with axe-core, the Spanish check and screenshots.
async function rolesAndPages(browser, base) {
  const banned = englishOnly();
  for (const [user, spec] of Object.entries(ROLES)) {
    const page = await h.newPage(browser);
    await login(page, base, user);
    const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href").replace("/app/", "")));
    ok(JSON.stringify(menu) === JSON.stringify(spec.menu), `${user} sees exactly its menu`, `got ${JSON.stringify(menu)}`);
    for (const lang of ["en", "es"]) {
      if (lang === "es") {
        await page.click("#lang-switch");
        await waitFor(page, () => document.documentElement.lang === "es-MX");
      }
      for (const p of spec.pages) {
        const resp = await page.goto(`${base}/app/${p}`);
        await page.waitForSelector("#menu");
        await settle(page);
        const label = `${user} ${p} (${lang})`;
        ok(resp.status() === 200, `${label}: HTTP 200`, `got ${resp.status()}`);
        if (p === "home" && lang === "en") {
          // what waits for the user: trace requests in review for readers, new tips for tip handlers
          const tiles = await page.$$eval(".tile", (ls) => ls.map((l) => l.id));
          const reads = spec.menu.includes("trace");
          ok(tiles.includes("tile-trace") === reads, `${label}: the trace-review tile exactly for readers`, JSON.stringify(tiles));
          ok(tiles.includes("tile-tips") === (user === "cnb.tips"), `${label}: the tips tile exactly for tip handlers`, JSON.stringify(tiles));
          ok(tiles.includes("tile-cargo") === (reads && user !== "cnb.tips"), `${label}: cargo holds only for those who may dispose them`, JSON.stringify(tiles));
          if (reads) {
            const api = await page.evaluate(async () => (await (await fetch("/api/v1/trace/requests?status=in_progress&limit=1")).json()).total);
            const shown = await page.textContent("#tile-trace .big");
            ok(shown.replace(/\D/g, "") === String(api), `${label}: the trace tile counts the requests in review`, `${shown} vs ${api}`);
          }
        }
        const missing = await page.evaluate(() => [...(window.__puenteMissing || [])]);
        ok(missing.length === 0, `${label}: every text is in the catalogue`, JSON.stringify(missing));
        if (lang === "es") {
          const text = await interfaceText(page);
          const left = banned.filter((b) => new RegExp(`(?<![\\p{L}\\p{N}._@-])${b.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_@-])`, "u").test(text));
          ok(left.length === 0, `${label}: no English interface text left`, JSON.stringify(left.slice(0, 10)));
        }
        await axeCheck(page, label);
        const name = p.replace(/\W+/g, "-");
        await page.screenshot({ path: path.join(SHOTS, `${lang}-${user}-${name}.png`), fullPage: false });
        if (user === "dea.analyst") {
          await page.setViewportSize({ width: 768, height: 1024 });
          await page.screenshot({ path: path.join(SHOTS, `${lang}-${user}-${name}-768.png`) });
          const overflow = await page.evaluate(() => document.querySelector("header.top").scrollWidth > window.innerWidth + 1);
          ok(!overflow, `${label}: the header fits 768 px`);
          await page.setViewportSize({ width: 1280, height: 800 });
        }
      }
    }
    ok(page.cspErrors.length === 0, `${user}: no CSP violation or script error`, JSON.stringify(page.cspErrors.slice(0, 5)));
    await page.context().close();
  }
  // the login page itself, in both languages
  const page = await h.newPage(browser, "es");
  await page.goto(`${base}/app/home`);
  await page.waitForSelector("#login-form");
  ok((await page.textContent("h1")) === catalogue.es["login.title"], "login page: Spanish from Accept-Language");
  await axeCheck(page, "login (es)");
  await page.screenshot({ path: path.join(SHOTS, "es-login.png") });
  await page.click("#lang-switch");
  await waitFor(page, (t) => document.querySelector("h1").textContent === t, catalogue.en["login.title"]);
  ok(true, "login page: switched to English");
  await axeCheck(page, "login (en)");
  await page.screenshot({ path: path.join(SHOTS, "en-login.png") });
  await page.context().close();
}

// Keyboard only: sign in with Tab and Enter, then reach the menu and screen
// a name without the mouse; the focus is visible (an outline is drawn).
async function keyboard(browser, base) {
  const page = await h.newPage(browser);
  await page.goto(`${base}/app/home`);
  await page.waitForSelector("#login-form");
  const seen = [];
  const focused = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      return { id: a.name || a.id || a.tagName, outline: getComputedStyle(a).outlineStyle };
    });
  let f = await focused();
  ok(f.id === "user", "keyboard: the sign-in form starts in the user field", f.id);
  for (let i = 0; i < 8 && f.id !== "login-submit"; i++) {
    seen.push(f.id);
    if (f.id === "user") await page.keyboard.type("dea.analyst");
    if (f.id === "password") await page.keyboard.type(PW);
    if (f.id !== "BODY") ok(f.outline !== "none", `keyboard: the focus on ${f.id} is visible`);
    await page.keyboard.press("Tab");
    f = await focused();
  }
  seen.push(f.id);
  ok(seen.includes("user") && seen.includes("password") && seen.includes("login-submit"), "keyboard: the sign-in form is reachable with Tab", JSON.stringify(seen));
  await page.keyboard.press("Enter");
  await page.waitForSelector("#menu");
  await page.focus('#menu a[href="/app/search"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector("#screen-name");
  await page.focus("#screen-name");
  await page.keyboard.type("Ismael Zambada Garcia");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".hit");
  ok(true, "keyboard: a name is screened without the mouse");
  await page.context().close();
}

async function forbidden(browser, base) {
  const page = await h.newPage(browser);
  const had = await login(page, base, "dea.analyst");
  ok(had === "es-MX", "the language a user chose is remembered at the next sign-in", had);
  for (const p of ["admin", "kinship", "audit"]) {
    const resp = await page.goto(`${base}/app/${p}`);
    await page.waitForSelector(".error-page");
    ok(resp.status() === 403, `analyst opening /app/${p}: HTTP 403`, `got ${resp.status()}`);
    ok((await page.textContent(".error-page h1")) === catalogue.en["page.error_403.title"], `analyst opening /app/${p}: the 403 page`);
  }
  await axeCheck(page, "403 page");
  await page.screenshot({ path: path.join(SHOTS, "en-403.png") });
  const resp = await page.goto(`${base}/app/nosuchpage`);
  await page.waitForSelector(".error-page");
  ok(resp.status() === 404, "an unknown page: HTTP 404 and the 404 page");
  await page.goto(`${base}/app/entity/fgr-cp-0002`);
  await page.waitForSelector("main .msg-error");
  ok((await page.textContent("main .msg-error")) === catalogue.en["error.not_found"], "a record hidden from the reader reads as not found");
  await page.context().close();
}

async function screening(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/search`);
  await page.fill("#screen-name", "Joaquin Guzman Loera");
  await page.click("#screen-submit");
  await page.waitForSelector(".hit");
  const first = page.locator(".hit").first();
  ok((await first.locator("h3").textContent()).toUpperCase().includes("GUZMAN"), "screening a name: the designated person comes first");
  await first.locator("details summary").first().click();
  const why = await first.locator(".reasons").first().innerText();
  ok(why.includes(catalogue.en["feature.name_similarity"]) && why.includes(catalogue.en["feature.name_similarity_help"].slice(0, 20)), "the hit's explanation is in plain words", why.slice(0, 300));
  await page.screenshot({ path: path.join(SHOTS, "en-search-explained.png"), fullPage: false });
  // the program filter: under SDNTK the designated person stays; under no such program nothing does
  await page.fill("#screen-program", "sdntk");
  await page.click("#screen-submit");
  await page.waitForSelector("#screen-results .result");
  ok((await page.locator(".hit h3").first().textContent()).toUpperCase().includes("GUZMAN"), "filtered by program SDNTK, the designated person stays");
  await page.fill("#screen-program", "NO-SUCH-PROGRAM");
  await page.click("#screen-submit");
  await waitFor(page, (w) => document.querySelector("#screen-results .result p")?.textContent === w, catalogue.en["search.no_hits"]);
  ok(true, "filtered by a program nobody is under, no hit");
  await page.fill("#screen-program", "");
  await page.click("#screen-submit");
  await page.waitForSelector(".hit");
  // a reviewed false positive with a note
  await first.locator("details summary").nth(1).click();
  await first.locator("textarea").fill("Different person: born 1990, Tijuana resident (web test)");
  await first.locator(".fp button").click();
  await page.waitForSelector(".fp .msg-ok");
  ok(true, "a reviewed false positive is recorded with its note");
  const decisions = await page.evaluate(async () => (await (await fetch("/api/v1/decisions")).json()).decisions);
  ok(decisions.some((d) => d.note.includes("web test") && d.decision === "false_positive"), "the decision is stored with the note and the reviewer");
  // a batch from a CSV file, with its progress and download
  const csv = path.join(tmp, "names.csv");
  fs.writeFileSync(csv, "name\nJoaquin Guzman Loera\nIsmael Zambada Garcia\nMaria Fernanda Ochoa\n");
  await page.setInputFiles("#screen-file", csv);
  await page.click("#batch-submit");
  await page.waitForSelector("#screen-results .result:nth-of-type(3)");
  ok((await page.locator("#screen-results .result").count()) === 3, "a CSV batch: one result block per name");
  ok((await page.locator("#screen-results a[download]").count()) === 1, "a CSV batch: the results can be downloaded");
  await page.context().close();
}

async function cargo(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "cbp.supervisor");
  await page.goto(`${base}/app/cargo`);
  await page.waitForSelector("#cargo-queue table");
  await page.setInputFiles("#cargo-file", path.join(tmp, "manifest-small.csv"));
  await page.selectOption("#cargo-marking", "SHARED");
  await page.click("#cargo-upload-submit");
  await page.waitForSelector("#cargo-msg .msg-ok");
  ok(/40/.test(await page.textContent("#cargo-msg")), "a manifest upload is screened (40 lines)", await page.textContent("#cargo-msg"));
  await page.waitForSelector("#cargo-queue table tbody tr");
  const row = page.locator("#cargo-queue tbody tr").first();
  const awb = await row.getAttribute("data-awb");
  const scores = await page.$$eval("#cargo-queue tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  ok(scores.length > 1, "the queue lists lines ranked by score with their reasons");
  await row.locator("button[data-outcome=held]").click();
  await page.waitForSelector("#cargo-msg .msg-ok");
  const q = await page.evaluate(async () => (await (await fetch("/api/v1/cargo/queue?all=true&limit=100000")).json()).results);
  ok(q.some((l) => l.awb === awb && l.disposition === "held"), `the line ${awb} is held`);
  // the rule hit rates: the table shows exactly the API's figures for the rules that fired
  await page.waitForSelector("#cargo-stats table");
  const st = await page.evaluate(async () => (await fetch("/api/v1/cargo/stats")).json());
  const shown = await page.$$eval("#cargo-stats tbody tr", (rs) => rs.map((r) => [r.dataset.rule, r.children[1].textContent.replace(/\D/g, "")]));
  const want = Object.entries(st.rules).filter(([, r]) => r.fired > 0).map(([n, r]) => [n, String(r.fired)]).sort();
  ok(shown.length > 0 && JSON.stringify([...shown].sort()) === JSON.stringify(want), "the cargo page shows each fired rule with its count", JSON.stringify({ shown, want }).slice(0, 500));
  await page.screenshot({ path: path.join(SHOTS, "en-cargo-held.png") });
  await page.context().close();
}

async function alerts(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/alerts`);
  await page.check("#alert-mine");
  await page.click("#alert-filter button[type=submit]");
  await page.waitForSelector("#alert-list button[data-ack]");
  const id = await page.locator("#alert-list button[data-ack]").first().getAttribute("data-ack");
  await page.click(`#alert-list button[data-ack="${id}"]`);
  await waitFor(page, (i) => !document.querySelector(`button[data-ack="${i}"]`) && !document.querySelector(".loading"), id);
  const list = await page.evaluate(async () => (await (await fetch("/api/v1/ews/alerts")).json()).results);
  ok(list.some((a) => String(a.id) === id && a.status === "acknowledged"), `alert ${id} acknowledged from the page`);
  // the plot of an aberration alert: counts, upper bound, alarm weeks
  await page.selectOption("#alert-status", "");
  await page.uncheck("#alert-mine");
  await page.click("#alert-filter button[type=submit]");
  await page.waitForSelector("#alert-list tbody tr");
  const ab = list.find((a) => a.kind === "aberration");
  ok(!!ab, "the demo data has an aberration alert");
  if (ab) {
    await page.click(`button[data-plot="${ab.id}"]`);
    await page.waitForSelector("#plot-panel figure.plot canvas");
    const cap = await page.textContent("#plot-panel figcaption");
    const series = await page.evaluate(async (i) => (await fetch(`/api/v1/ews/alerts/${i}/series`)).json(), ab.id);
    ok(series.weeks.length > 20 && series.weeks.some((w) => w.upper !== null), "the series has weekly counts and an upper bound");
    ok(series.weeks.some((w) => w.alarm === true), "the series marks alarm weeks");
    ok(cap.includes(String(series.weeks.length)), "the plot's caption counts the weeks", cap);
    await page.locator("#plot-panel").screenshot({ path: path.join(SHOTS, "en-alert-plot.png") });
  }
  await page.context().close();
}

// The curator queue on the early-warning page: the demo's unknown name
// (N-pyrrolidino protonitazene, reported in Sonora) is mapped to a known
// substance and leaves the open queue.
async function curator(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/alerts`);
  await page.waitForSelector("#curator-list table");
  const q = await page.evaluate(async () => (await (await fetch("/api/v1/ews/queue?status=open")).json()).results);
  const item = q.find((x) => /pyrrolidino protonitazene/i.test(x.name));
  ok(!!item && (await page.locator(`#curator tr[data-queue="${item.id}"]`).count()) === 1, "the curator queue lists the demo's unknown name", JSON.stringify(q).slice(0, 300));
  if (item) {
    await axeCheck(page, "early warning with the curator queue");
    await page.locator("#curator").screenshot({ path: path.join(SHOTS, "en-curator-queue.png") });
    await page.selectOption(`select[data-map="${item.id}"]`, "protonitazene");
    await page.click(`#curator tr[data-queue="${item.id}"] button:not(.secondary)`);
    await page.waitForSelector("#curator-msg .msg-ok");
    await waitFor(page, (i) => !document.querySelector(`#curator tr[data-queue="${i}"]`), item.id);
    const done = await page.evaluate(async () => (await (await fetch("/api/v1/ews/queue?status=resolved")).json()).results);
    ok(done.some((x) => x.id === item.id && x.substance === "protonitazene"), "a name is mapped to a known substance from the page and leaves the queue");
  }
  await page.context().close();
}

// The forensic role's case from the CSV files of dvir's example2, given at
// once as several files: pairwise LRs equal dvir's, each pair's LRs per
// marker multiply to its LR; the purpose is asked again before the next
// action; the conclusions and joint assignments equal dvir's; a blind
// search job runs to 100 % with the pairs over the threshold.
async function kinship(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "spf.forensic");
  await page.goto(`${base}/app/kinship`);
  const dir = path.join(SRC, "data/kinship/dvi_example2");
  const names = ["freqs.csv", "mutation_models.csv", "am_pedigrees.csv", "am_genotypes.csv", "pm_genotypes.csv"];
  await page.setInputFiles("#kin-files", names.map((f) => path.join(dir, f)));
  await waitFor(page, () => document.querySelectorAll("#kin-parts li.ok").length === 5);
  ok(true, "the case's five files are recognised by their names");
  await page.fill("#kin-purpose", "Identification of remains, web test case");
  await page.fill("#kin-case", "WEB/DVI/1");
  await page.click("#kin-pairwise");
  await page.waitForSelector("#kin-results table");
  const got = await page.$$eval("#kin-results > table > tbody > tr", (trs) => trs.map((tr) => [tr.getAttribute("data-pair"), tr.querySelector(".lr").textContent]));
  const csv = (f) => fs.readFileSync(path.join(dir, f), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map((c) => c.replace(/"/g, "")));
  const want = csv("expected_pairwiseLR.csv").filter((c) => c[2] !== "");
  const close = (a, b) => Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b));
  const number = (x) => Number(x.replace(/,/g, ""));
  let same = want.length > 0;
  for (const [v, m, lr] of want) {
    const row = got.find(([p]) => p === `${v}/${m}`);
    if (!row || !close(number(row[1]), Number(lr))) same = false;
  }
  ok(same && got.length >= want.length, "a forensic user runs a pairwise case and gets dvir's LRs", JSON.stringify(got.slice(0, 6)));
  const per = await page.$$eval("#kin-results > table > tbody > tr", (trs) =>
    trs.filter((tr) => tr.querySelector("details.markers")).map((tr) => [tr.querySelector(".lr").textContent, [...tr.querySelectorAll("details.markers tbody .lr")].map((td) => td.textContent)]));
  ok(per.length > 0 && per.every(([lr, ms]) => close(ms.reduce((p, x) => p * number(x), 1), number(lr)) || number(lr) < 1e-3), "each pair's LR per marker, whose product is its LR", JSON.stringify(per.slice(0, 2)).slice(0, 300));
  await page.locator("details.markers summary").first().click();
  await axeCheck(page, "kinship pairwise with the LR per marker");
  await page.screenshot({ path: path.join(SHOTS, "en-kinship-pairwise.png"), fullPage: true });
  // the purpose is asked again before the next action
  ok((await page.inputValue("#kin-purpose")) === "", "after an action the purpose field is empty");
  await page.click("#kin-solve");
  await page.waitForSelector("#kin-results .msg-error");
  ok((await page.textContent("#kin-results")) === catalogue.en["kinship.purpose_needed"], "the next action without a purpose is not sent");
  await page.fill("#kin-purpose", "Identification of remains: conclusions (web test)");
  await page.click("#kin-solve");
  await page.waitForSelector("#kin-results tr[data-missing]");
  const concl = await page.$$eval("#kin-results tr[data-missing]", (trs) => trs.map((tr) => [tr.dataset.missing, tr.querySelector(".conclusion").textContent]));
  const wantAm = csv("expected_dviSolve_AM.csv");
  ok(wantAm.every(([, m, , , , c]) => concl.some(([mm, cc]) => mm === m && cc === (catalogue.en[`kinship_conclusion.${c.toLowerCase().replace(/[^a-z0-9_-]+/g, "_")}`] || c))), "the identification's conclusions are dvir's", JSON.stringify(concl));
  await page.screenshot({ path: path.join(SHOTS, "en-kinship-solve.png"), fullPage: true });
  await page.fill("#kin-purpose", "Identification of remains: joint assignments (web test)");
  await page.click("#kin-joint");
  await page.waitForSelector("#kin-results tr[data-rank]");
  const top = await page.$$eval("#kin-results tr[data-rank]", (trs) => trs.slice(0, 3).map((tr) => tr.children[1].textContent));
  const wantJ = csv("expected_dviJoint_top.csv").slice(0, 3).map((c) => Number(c[4]));
  ok(top.length === 3 && top.every((x, i) => close(number(x), wantJ[i])), "the joint assignments' LRs are dvir's", JSON.stringify([top, wantJ]));
  // a blind search job, polled to its end
  await page.fill("#kin-purpose", "Blind search of the remains against the families (web test)");
  await page.fill("#kin-threshold", "10");
  await page.click("#kin-search");
  await page.waitForSelector("#job-progress");
  await waitFor(page, () => document.querySelector("#kin-results").dataset.jobState === "done", undefined, 60000);
  const progress = await page.getAttribute("#job-progress", "value");
  const hits = await page.$$eval("#kin-results tr[data-pair]", (trs) => trs.map((tr) => tr.dataset.pair));
  const over = want.filter((c) => Number(c[2]) >= 10).map(([v, m]) => `${v}/${m}`);
  ok(progress === "1" && over.every((p) => hits.includes(p)), "a blind search job runs to 100 % and finds the pairs over the threshold", JSON.stringify([progress, hits, over]));
  ok((await page.locator("#kin-jobs tr[data-job]").count()) >= 1, "the job is in the user's job table");
  await axeCheck(page, "kinship blind search job");
  await page.screenshot({ path: path.join(SHOTS, "en-kinship-search.png"), fullPage: true });
  await page.context().close();
  const audit = execFileSync(BIN, ["audit", "export", "--db", db]).toString();
  ok(/kinship\.pairwise/.test(audit) && audit.includes("web test case"), "the purpose is in the audit trail");
  ok(["conclusions (web test)", "joint assignments (web test)", "Blind search of the remains"].every((p) => audit.includes(p)), "each action's own purpose is in the audit trail");
}

// Administration under the two-person rule (docs/access.md): an administrator
// adds a user whose role waits for a second administrator, cannot approve its
// own request, another administrator approves; tokens are only minted for
// oneself, with the password again, and shown once.
async function admin(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.admin");
  await page.goto(`${base}/app/admin`);
  await page.waitForSelector("#user-list table");
  await page.fill("#new-user", "dea.newcomer");
  await page.selectOption("#new-role", "analyst");
  await page.fill("#new-password", "a-long-enough-password");
  await page.click("#add-user button[type=submit]");
  await page.waitForSelector("#admin-msg .msg-ok");
  await page.waitForSelector('button[aria-label="Approve the role change of dea.newcomer"]');
  let users = await page.evaluate(async () => (await (await fetch("/api/v1/users")).json()).users);
  ok(users.some((u) => u.name === "dea.newcomer" && u.role === "none"), "a new user has no role until a second administrator approves");
  await page.click('button[aria-label="Approve the role change of dea.newcomer"]');
  await page.waitForSelector("#admin-msg .msg-error, #admin-msg [role=alert]");
  users = await page.evaluate(async () => (await (await fetch("/api/v1/users")).json()).users);
  ok(users.some((u) => u.name === "dea.newcomer" && u.role === "none"), "the requesting administrator cannot approve its own request");
  // its own token: the password again, shown once, and it works
  await page.fill("#token-password", PW);
  await page.fill("#token-code", await nextCode("dea.admin"));
  await page.click("#my-token button[type=submit]");
  await page.waitForSelector("#token-value");
  const tok = await page.inputValue("#token-value");
  const me = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${tok}` } });
  ok(me.status === 200 && (await me.json()).user === "dea.admin", "an administrator's own token is shown once and works");
  // the second administrator approves
  const page2 = await h.newPage(browser);
  await login(page2, base, "dea.admin2");
  await page2.goto(`${base}/app/admin`);
  await page2.waitForSelector('button[aria-label="Approve the role change of dea.newcomer"]');
  await page2.click('button[aria-label="Approve the role change of dea.newcomer"]');
  await page2.waitForSelector("#admin-msg .msg-ok");
  users = await page2.evaluate(async () => (await (await fetch("/api/v1/users")).json()).users);
  ok(users.some((u) => u.name === "dea.newcomer" && u.role === "analyst"), "a second administrator approves the role");
  // an agency grant: DEA lets HSI change its records, then revokes it
  await page2.goto(`${base}/app/admin`);
  await page2.waitForSelector("#grant-form");
  await page2.selectOption("#grant-agency", "HSI");
  await page2.click("#grant-form button[type=submit]");
  await page2.waitForSelector('tr[data-grant="DEA>HSI"]');
  let grants = await page2.evaluate(async () => (await (await fetch("/api/v1/agency-grants")).json()).grants);
  ok(grants.some((g) => g.owner === "DEA" && g.grantee === "HSI"), "an administrator grants another agency from the page");
  await axeCheck(page2, "administration with an agency grant");
  await page2.screenshot({ path: path.join(SHOTS, "en-admin-grants.png"), fullPage: true });
  await page2.click('button[aria-label="Revoke the grant of HSI"]');
  await waitFor(page2, () => !document.querySelector('tr[data-grant="DEA>HSI"]') && document.querySelector("#admin-msg .msg-ok"));
  grants = await page2.evaluate(async () => (await (await fetch("/api/v1/agency-grants")).json()).grants);
  ok(!grants.some((g) => g.grantee === "HSI"), "and revokes it");
  const trail = execFileSync(BIN, ["audit", "export", "--db", db]).toString();
  ok(/"agency\.grant","targets":"DEA>HSI"/.test(trail) && /"agency\.revoke","targets":"DEA>HSI"/.test(trail), "grant and revocation are audited");
  await page.context().close();
  await page2.context().close();
}

// The auditor's trail: filters done by the API (user, action prefix,
// outcome), newest first, the export of the filter, the chain verified.
async function auditTrail(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "fgr.auditor");
  await page.goto(`${base}/app/audit`);
  await page.waitForSelector("#audit-list table");
  await page.fill("#audit-user", "fgr.auditor");
  await page.fill("#audit-action", "totp");
  await page.click("#audit-filter button[type=submit]");
  await waitFor(page, () => document.querySelector("#audit-list table") && !document.querySelector(".loading"));
  const rows = await page.$$eval("#audit-list tbody tr", (trs) => trs.map((tr) => [Number(tr.dataset.seq), tr.children[2].textContent, tr.children[4].textContent]));
  const want = catalogue.en["action.totp_begin"];
  ok(rows.length >= 2 && rows.every((r) => r[1] === "fgr.auditor"), "the user and action filters are applied by the API", JSON.stringify(rows.slice(0, 4)));
  ok(rows.some((r) => r[2] === want) && rows.every((r, i) => i === 0 || r[0] < rows[i - 1][0]), "entries of the prefix, newest first", JSON.stringify(rows.slice(0, 4)));
  const href = await page.getAttribute("#audit-export", "href");
  const lines = await page.evaluate(async (u) => (await (await fetch(u)).text()).trim().split("\n").map((l) => JSON.parse(l)), href);
  ok(lines.length === rows.length && lines.every((e) => e.user === "fgr.auditor" && e.action.startsWith("totp.") && e.hash.length === 64), "the export holds the filtered entries with their hashes", `${lines.length} vs ${rows.length}`);
  await page.click("#audit-verify");
  await page.waitForSelector("#audit-verdict .msg-ok");
  ok(true, "the chain is verified from the page");
  await axeCheck(page, "audit trail filtered");
  await page.screenshot({ path: path.join(SHOTS, "en-audit-filtered.png") });
  await page.context().close();
}

// The entity page: sanctions (programs) and links both ways, from the
// OFAC extract; a supervisor sees who read the record, an analyst does not.
async function entityPage(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/home`);
  const link = await page.evaluate(async () => (await (await fetch("/api/v1/entities?schema=UnknownLink&limit=1")).json()).results[0]);
  const subject = link.properties.subject[0];
  const object = link.properties.object[0];
  const subj = await page.evaluate(async (i) => (await fetch(`/api/v1/entities/${i}`)).json(), subject);
  await page.goto(`${base}/app/entity/${subject}`);
  await page.waitForSelector("#links");
  const programs = await page.textContent("#sanctions tbody");
  ok((subj.properties.program || []).length > 0 && subj.properties.program.every((p) => programs.includes(p)), "the entity page lists the record's sanction programs", programs);
  ok((await page.locator(`#links tr[data-link="${object}"] a`).count()) === 1, "and links to the record at the other end of a link", object);
  await axeCheck(page, "entity with sanctions and links");
  await page.screenshot({ path: path.join(SHOTS, "en-entity-sanctions.png"), fullPage: true });
  ok((await page.$("#views")) === null, "an analyst does not see who read the record");
  await page.click(`#links tr[data-link="${object}"] a`);
  await waitFor(page, (o) => location.pathname.endsWith(o) && document.querySelector("#links"), object);
  ok((await page.locator(`#links tr[data-link="${subject}"]`).count()) >= 1, "the linked record links back (the link read from its other side)");
  await page.context().close();
  const sup = await h.newPage(browser);
  await login(sup, base, "cbp.supervisor");
  for (let i = 0; i < 2; i++) {
    await sup.goto(`${base}/app/entity/dea-case-0002`);
    await sup.waitForSelector("#views");
  }
  const views = await sup.textContent("#views");
  ok(views.includes("cbp.supervisor") && !views.includes("dea.analyst"), "a supervisor sees who of its agency read the record (not another agency's readers)", views.slice(0, 300));
  await axeCheck(sup, "entity with its readers (supervisor)");
  await sup.screenshot({ path: path.join(SHOTS, "en-entity-views.png"), fullPage: true });
  await sup.context().close();
}

async function csrf(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/home`);
  const r = await page.evaluate(async () => {
    const list = (await (await fetch("/api/v1/ews/alerts?status=open")).json()).results;
    const a = list.find((x) => x.addressed.split(";").includes("DEA"));
    const none = await fetch(`/api/v1/ews/alerts/${a.id}/ack`, { method: "POST" });
    const wrong = await fetch(`/api/v1/ews/alerts/${a.id}/ack`, { method: "POST", headers: { "X-CSRF-Token": "0".repeat(32) } });
    const after = (await (await fetch("/api/v1/ews/alerts")).json()).results.find((x) => x.id === a.id);
    return { none: none.status, noneBody: await none.json(), wrong: wrong.status, status: after.status };
  });
  ok(r.none === 403 && r.noneBody.error.field === "X-CSRF-Token", "a POST without the CSRF token is refused (403)");
  ok(r.wrong === 403, "a POST with a wrong CSRF token is refused (403)");
  ok(r.status === "open", "the refused POST changed nothing");
  await page.context().close();
}

async function markup(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.goto(`${base}/app/entity/dea-case-0003`);
  await page.waitForSelector("main dl.facts");
  const h1 = await page.textContent("main h1");
  const xss = await page.evaluate(() => window.__xss);
  ok(h1.includes("<script>window.__xss=1</script>") && xss === undefined, "a name containing <script> is shown as text, never run", `h1=${h1} xss=${xss}`);
  ok((await page.locator("main script, main img").count()) === 0, "no element was made from the name");
  await page.context().close();
}

// A password the operator set: the sign-in leads to the change form, and the
// app opens only after the user's own change (docs/access.md).
async function passwordChange(browser, base) {
  const temp = "temporary-web-pass-1";
  execFileSync(BIN, ["user", "password", "cdc.analyst", "--password-stdin", "--db", db], { input: `${temp}\n` });
  const page = await h.newPage(browser);
  await page.goto(`${base}/app/home`);
  await page.waitForSelector("#login-form");
  await page.fill("input[name=user]", "cdc.analyst");
  await page.fill("input[name=password]", temp);
  await page.click("#login-submit");
  await page.waitForSelector("#password-change-form");
  ok((await page.locator("#menu").count()) === 0, "a password set by the operator: the change form, not the app");
  await page.fill("#new-password", "my-own-web-passphrase-9");
  await page.fill("#new-password-again", "my-own-web-passphrase-8");
  await page.click("#password-change-submit");
  await waitFor(page, (m) => (document.querySelector("#password-change-form .msg-error") || {}).textContent === m, catalogue.en["pwchange.mismatch"]);
  ok(true, "two different new passwords are caught in the page");
  await page.fill("#new-password", "my-own-web-passphrase-9");
  await page.fill("#new-password-again", "my-own-web-passphrase-9");
  await page.click("#password-change-submit");
  await page.waitForSelector("#menu");
  ok(true, "after the change the app opens");
  const me = await page.evaluate(async () => (await (await fetch("/api/v1/me")).json()).password_change_required);
  ok(me === false, "the session is an ordinary one now");
  await page.context().close();
}

async function headers(base) {
  const r = await fetch(`${base}/app/home`);
  const csp = r.headers.get("content-security-policy") || "";
  ok(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp), "the pages carry a strict Content-Security-Policy", csp);
  const l = await fetch(`${base}/api/v1/web/session`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: "dea.analyst", password: PW }) });
  const cookie = l.headers.get("set-cookie") || "";
  ok(/HttpOnly/.test(cookie) && /SameSite=Strict/.test(cookie) && !/Secure/.test(cookie), "the session cookie is HttpOnly, SameSite=Strict (not Secure over plain HTTP)", cookie);
  const tok = execFileSync(BIN, ["token", "create", "dea.analyst", "--db", db]).toString().trim();
  const b = await fetch(`${base}/api/v1/ews/alerts/1/ack`, { method: "POST", headers: { Authorization: `Bearer ${tok}` } });
  ok(b.status !== 403 || (await b.json()).error.field !== "X-CSRF-Token", "bearer-token API clients need no CSRF token");
  const es = await fetch(`${base}/api/v1/users`, { headers: { Authorization: `Bearer ${tok}`, "Accept-Language": "es-MX,es;q=0.9" } });
  ok(es.status === 403 && (await es.json()).error.message === catalogue.es["error.denied"], "the API's error message follows Accept-Language");
}

async function idle(browser, base) {
  const page = await h.newPage(browser);
  await login(page, base, "dea.analyst");
  await page.waitForTimeout(3500);
  await page.click('#menu a[href="/app/alerts"]');
  await page.waitForSelector("#login-form");
  ok((await page.textContent("#login-form .msg-error")) === catalogue.en["login.expired"], "a session past its idle time is sent to the login page");
  await page.reload();
  await page.waitForSelector("#login-form");
  ok(true, "after the idle time a reload shows the login page too");
  await page.context().close();
}

main()
  .catch((e) => ok(false, "the web tests ran to the end", e.stack))
  .finally(() => h.finish(t));
