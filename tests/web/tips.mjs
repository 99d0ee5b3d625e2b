// tips.mjs - the tip line's pages end to end in Debian's Chromium (docs/tips.md
// "The public page", "The inbox"): a tipster sends a tip from the public page
// (questionnaire, place, proof of work solved in the browser) and gets the
// receipt once; an FGR tip handler finds it in the inbox, sees what Puente
// extracted, asks a question and triages it; the tipster opens the tip with
// the receipt, reads the question, answers and adds a photo; the handler
// reads the answer. Also: a wrong receipt gets the uniform answer, the
// public page sets no cookie and talks to no other origin, it carries none
// of the staff application, an analyst gets the inbox's 403 page, and every
// page passes the language and accessibility checks in both languages.
// Prints TAP-like lines and "N passed, N failed".
import fs from "node:fs";
import path from "node:path";
import * as h from "./harness.mjs";
import { ok, catalogue, setup, run, newPage, login, settle, screenshot, waitFor } from "./harness.mjs";

process.env.PUENTE_TIPS_POW_BITS = "8"; // the browser solves it quickly; tips_guard.c's default is 18
process.env.PUENTE_TIPS_KDF = "1:8192"; // libsodium's minimum; bench/tips measures the real cost
const t = setup("tips", "tips_fixture.sh", ["app.js", "tip.js", "tip.html"]);
const checks = (page, label, lang) => h.languageChecks(t, page, label, lang);
// a 1x1 PNG with a tEXt chunk (metadata the clean copy drops)
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAEHRFWHRBdXRob3IAc2VjcmV0IG1lMqVObgAAAA1JREFUeJxjYGBg+A8AAQQBAHAgZQsAAAAASUVORK5CYII=", "base64");

async function sendTip(browser, base) {
  const page = await newPage(browser, "en");
  const origins = new Set();
  page.on("request", (r) => origins.add(new URL(r.url()).origin));
  const resp = await page.goto(`${base}/tip?lang=en`);
  ok(resp.status() === 200, "the public page answers 200 without a session");
  await page.waitForSelector("#tip-form");
  await settle(page);
  ok(!page.assets.includes("/assets/app.js") && page.assets.includes("/assets/tip.js"), "the public page loads its own bundle, not the staff application");
  await checks(page, "public tip page (en)", "en");
  await page.selectOption("#tip-category", "firearms");
  await page.waitForSelector("#tip-q-serials");
  ok(await page.isVisible("#tip-q-plates"), "choosing a category shows its questionnaire");
  await page.selectOption("#tip-country", "MX");
  await page.selectOption("#tip-state", "CHH");
  await page.fill("#tip-text", "El Huevo vende rifles en Anapra; su celular es 656 123 4567 y la troca trae placas ABC-123-D. <script>alert(1)</script>");
  await page.fill("#tip-q-where", "Anapra, Ciudad Juárez");
  await page.click("#tip-submit");
  await page.waitForSelector("#tip-receipt code", { timeout: 60000 });
  const receipt = (await page.textContent("#tip-receipt code")).trim();
  ok(receipt.split(/\s+/).length >= 7, "the receipt is shown once, as words", receipt);
  ok((await page.textContent("#tip-receipt")).includes(catalogue.en["tip.receipt_notice"].slice(0, 30)), "with the notice to write it down");
  await screenshot(page, "en-tip-receipt.png");
  const cookies = await page.context().cookies();
  ok(cookies.length === 0, "the public page sets no cookie", JSON.stringify(cookies));
  ok([...origins].every((o) => o === base), "the public page talks to no other origin", JSON.stringify([...origins]));
  ok(page.cspErrors.length === 0, "no CSP violation or script error on the public page", JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
  return receipt;
}

async function spanishPublic(browser, base) {
  const page = await newPage(browser, "es");
  await page.goto(`${base}/tip`);
  await page.waitForSelector("#tip-form");
  await settle(page);
  ok((await page.evaluate(() => document.documentElement.lang)) === "es-MX", "a Spanish browser gets the page in Spanish");
  await page.selectOption("#tip-category", "disappearance");
  await page.waitForSelector("#tip-q-person");
  await checks(page, "public tip page (es)", "es");
  await screenshot(page, "es-tip-form.png");
  await page.click("#lang-switch");
  await waitFor(page, () => document.documentElement.lang === "en" && document.querySelector("#tip-form"));
  ok(new URL(page.url()).searchParams.get("lang") === "en", "the language switch keeps the choice in the address, not in a cookie");
  const bad = await newPage(browser, "es");
  await bad.goto(`${base}/tip/check?lang=es`);
  await bad.waitForSelector("#tip-check-form");
  await bad.fill("#tip-receipt-input", "uno dos tres cuatro cinco seis siete");
  await bad.click("#tip-open");
  await bad.waitForSelector("#tip-msg .msg-error", { timeout: 20000 });
  ok((await bad.textContent("#tip-msg")) === catalogue.es["tipweb.bad_receipt"], "a wrong receipt gets the one uniform answer");
  await checks(bad, "receipt page (es)", "es");
  const r404 = await bad.goto(`${base}/tip/other`);
  ok(r404.status() === 404, "another public path is 404");
  await page.context().close();
  await bad.context().close();
}

async function handlerTriage(browser, base, lang) {
  const page = await newPage(browser, lang);
  await login(page, base, "fgr.tips", lang);
  const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")));
  ok(menu.includes("/app/tips"), `(${lang}) a tip handler has the inbox in the menu`);
  await page.goto(`${base}/app/tips`);
  await page.waitForSelector("#tips-list table");
  await settle(page);
  await checks(page, `tip inbox (${lang})`, lang);
  await screenshot(page, `${lang}-tips-inbox.png`);
  const ids = await page.$$eval("#tips-list tr[data-tip]", (rs) => rs.map((r) => r.dataset.tip));
  ok(ids.length > 0, `(${lang}) the inbox lists the new tips routed to FGR`);
  return { page, ids };
}

async function handlerFlow(browser, base) {
  const { page } = await handlerTriage(browser, base, "en");
  // the browser's tip: the one whose entities include the phone it gave
  const list = await page.evaluate(async () => (await fetch("/api/v1/tips?status=new")).json());
  let mine = null;
  for (const x of list.results) {
    const d = await page.evaluate(async (id) => (await fetch(`/api/v1/tips/${id}`)).json(), x.id);
    if (d.text.includes("656 123 4567")) mine = d;
  }
  ok(mine && mine.state === "CHH" && mine.answers.where === "Anapra, Ciudad Juárez", "the tip arrived at FGR with its place and answers");
  await page.goto(`${base}/app/tips/${mine.id}`);
  await page.waitForSelector("#tip-entities");
  await settle(page);
  const ents = await page.textContent("#tip-entities");
  ok(ents.includes("6561234567") || ents.includes("656"), "the phone Puente extracted is shown", ents);
  ok((await page.$$eval("blockquote", (b) => b.map((x) => x.textContent).join(""))).includes("<script>") && !(await page.evaluate(() => window.__xss)), "script in the tip is shown as text, never run");
  await page.fill("#tip-question", "¿De qué color es la troca?");
  await page.click("#tip-ask");
  await page.waitForSelector("#tip-action-msg .msg-ok");
  await waitFor(page, () => document.querySelector("#tip-messages li"));
  ok((await page.textContent("#tip-messages")).includes("¿De qué color es la troca?"), "the handler's question is in the conversation");
  await page.selectOption("#tip-to", "triaged");
  await page.click("#tip-state-submit");
  await waitFor(page, (w) => document.querySelector("#tip-status")?.textContent === w, catalogue.en["tipstate.triaged"]);
  ok(true, "the handler triages the tip");
  ok((await page.$$eval("#tip-to option", (o) => o.map((x) => x.value))).join() === "assigned,linked,referred,closed", "the next states offered are the engine's");
  await page.fill("#tip-split-state", "tx");
  await page.fill("#tip-split-text", "The rifles are bought in El Paso by a man called Beto.");
  await page.check("#tip-split-shared");
  await page.click("#tip-split-submit");
  // the message of the split itself (the question's own .msg-ok may still be shown)
  await waitFor(page, () => /tip-[a-z0-9]+/.test(document.querySelector("#tip-action-msg .msg-ok")?.textContent || ""));
  const part = (await page.textContent("#tip-action-msg")).match(/tip-[a-z0-9]+/)[0];
  await waitFor(page, (p) => document.querySelector("#tip-links")?.textContent.includes(p), part);
  ok(true, "the handler splits off the US part and sees the link to it");
  const pj = await page.evaluate(async (p) => (await fetch(`/api/v1/tips/${p}`)).json(), part);
  ok(pj.owner === "ATF" && pj.state === "TX" && pj.marking === "SHARED", "the part is ATF's, about Texas, released to both", JSON.stringify(pj).slice(0, 300));
  await checks(page, "a tip (en)", "en");
  await screenshot(page, "en-tip-detail.png");
  await page.context().close();
  return mine.id;
}

async function tipsterReturns(browser, base, receipt) {
  const page = await newPage(browser, "es");
  await page.goto(`${base}/tip/check?lang=es`);
  await page.waitForSelector("#tip-check-form");
  await page.fill("#tip-receipt-input", `  ${receipt.toUpperCase()} `);
  await page.click("#tip-open");
  await page.waitForSelector("#tip-view", { timeout: 20000 });
  ok((await page.textContent("#tip-messages")).includes("¿De qué color es la troca?"), "with the receipt the tipster reads the handler's question");
  ok((await page.textContent("#tip-status")) === catalogue.es["tipweb.state.open"], "and sees only whether it is open (not the handling state), translated");
  await checks(page, "the tipster's view (es)", "es");
  await page.fill("#tip-reply", "Es blanca, una Lobo.");
  await page.click("#tip-reply-form button[type=submit]");
  await waitFor(page, () => document.querySelectorAll("#tip-messages li").length >= 2, undefined, 20000);
  ok((await page.textContent("#tip-messages")).includes("Es blanca, una Lobo."), "the answer is added to the conversation");
  const file = path.join(t.tmp, "photo.png");
  fs.writeFileSync(file, PNG);
  await page.setInputFiles("#tip-file", file);
  await page.click("#tip-attach-form button[type=submit]");
  await page.waitForSelector("#tip-attach-msg .msg-ok", { timeout: 20000 });
  ok((await page.textContent("#tip-attach-msg")) === catalogue.es["tipweb.file_added_stripped"], "the photo is received and its metadata stripped from the analysts' copy");
  await screenshot(page, "es-tip-check.png");
  ok((await page.context().cookies()).length === 0, "the tipster's return sets no cookie either");
  await page.context().close();
}

async function handlerReads(browser, base, id) {
  const { page } = await handlerTriage(browser, base, "es");
  await page.goto(`${base}/app/tips/${id}`);
  await page.waitForSelector("#tip-files");
  await settle(page);
  ok((await page.textContent("#tip-messages")).includes("Es blanca, una Lobo."), "(es) the handler reads the tipster's answer");
  ok((await page.$$("#tip-files li")).length === 1, "(es) and sees the file");
  await checks(page, "a tip (es)", "es");
  await screenshot(page, "es-tip-detail.png");
  await page.context().close();
  const other = await newPage(browser);
  await login(other, base, "atf.tips");
  const r = await other.evaluate(async (x) => (await fetch(`/api/v1/tips/${x}`)).status, id);
  ok(r === 404, "ATF's handler does not see FGR's tip (its marking), a 404");
  await other.context().close();
  const analyst = await newPage(browser);
  await login(analyst, base, "fgr.analyst");
  const resp = await analyst.goto(`${base}/app/tips`);
  await analyst.waitForSelector(".error-page");
  ok(resp.status() === 403, "an analyst gets the inbox's 403 page");
  await analyst.context().close();
}

run(t, async (browser, base) => {
  const receipt = await sendTip(browser, base);
  await spanishPublic(browser, base);
  const id = await handlerFlow(browser, base);
  await tipsterReturns(browser, base, receipt);
  await handlerReads(browser, base, id);
});
