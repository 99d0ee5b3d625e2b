// review.mjs - the review queue page end to end in Debian's Chromium
// (docs/monitor.md "The review queue", docs/web.md). Over
// tests/web/review_fixture.sh's data:
//   - a DEA analyst lists the open alerts, opens one and reads its hit with
//     the explanation; the company blocked by ownership shows its chain;
//   - the analyst assigns an alert to herself and decides it a true match;
//     she is offered no confirmation (four eyes) and told why;
//   - a DEA supervisor confirms it: the alert is closed, its history holds
//     every step; an FGR analyst sees none of DEA's alerts;
//   - catalogue, no English left in Spanish, axe-core on the page in both
//     languages; no CSP violation; screenshots under build/web-screenshots/.
// Prints TAP-like lines and "N passed, N failed".
import { ok, setup, run, newPage, waitFor, login, settle, screenshot } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("review", "review_fixture.sh");
const languageChecks = (page, label, lang) => h.languageChecks(t, page, label, lang);

async function openQueue(page) {
  await page.click('#menu a[href="/app/review"]');
  await page.waitForSelector("#review-filter");
  await settle(page);
}

async function rows(page) {
  return page.$$eval("#review-list tbody tr", (trs) => trs.map((tr) => ({ id: tr.dataset.alert, text: tr.innerText })));
}

await run(t, async (browser, base) => {
  // ---- the analyst: list, read, assign, decide ----
  const page = await newPage(browser);
  await login(page, base, "dea.analyst");
  const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")));
  ok(menu.includes("/app/review"), "an analyst has the review queue in the menu");
  await openQueue(page);
  let list = await rows(page);
  ok(list.length === 3, "three open alerts are listed", JSON.stringify(list));
  const blocked = list.find((r) => r.text.includes("Transportes Directos"));
  ok(blocked && blocked.text.includes("blocked by ownership"), "the company owned 50 % by a designated person is marked blocked by ownership");
  await page.click(`[data-show="${blocked.id}"]`);
  await page.waitForSelector("#review-ownership");
  const own = await page.textContent("#review-ownership");
  ok(own.includes("GUZMAN LOERA, Joaquin owns 50") && own.includes("Transportes Directos"), "its ownership chain is shown", own);
  await languageChecks(page, "the review queue with an alert open (en)", "en");
  const guzman = list.find((r) => r.text.includes("Joaquin Guzman Loera"));
  await page.click(`[data-show="${guzman.id}"]`);
  await page.waitForSelector("#review-heading");
  await waitFor(page, (id) => document.querySelector("#review-heading").textContent.includes(id), guzman.id);
  ok(await page.$eval("#review-panel", (p) => p.innerText.includes("Why this result?")), "the hit carries its explanation");
  ok(!(await page.$("#review-confirm")), "an analyst is offered no confirmation");
  await page.click("#review-assign");
  await page.waitForSelector("#review-decide");
  await page.selectOption("#review-decision", "true_match");
  await page.fill("#review-note", "Same birth date and CURP as the designation");
  await page.click("#review-decide button[type=submit]");
  await waitFor(page, () => document.querySelector("#review-heading") && /waiting for a second reviewer/.test(document.querySelector("#review-heading").textContent));
  ok(!(await page.$("#review-confirm")), "the decider is not offered the confirmation (four eyes)");
  ok(await page.$eval("#review-panel", (p) => p.innerText.includes("a second reviewer must confirm it")), "and is told why");
  await screenshot(page, "en-review-decided.png");
  // the API refuses what the page does not offer
  const r = await page.evaluate(async (id) => {
    const csrf = (await (await fetch("/api/v1/web/session")).json()).csrf;
    const res = await fetch(`/api/v1/monitor/alerts/${id}/confirm`, { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: "{}" });
    return res.status;
  }, guzman.id);
  ok(r === 403, "the API refuses the decider's confirmation", String(r));
  await page.context().close();

  // ---- the supervisor confirms ----
  const sup = await newPage(browser, "es");
  await login(sup, base, "dea.supervisor", "es");
  await openQueue(sup);
  await sup.selectOption("#review-status", "decided");
  await sup.click("#review-filter button[type=submit]");
  await settle(sup);
  list = await rows(sup);
  ok(list.length === 1 && list[0].id === guzman.id, "the supervisor finds the decided true match", JSON.stringify(list));
  await sup.click(`[data-show="${guzman.id}"]`);
  await sup.waitForSelector("#review-confirm");
  await languageChecks(sup, "the review queue with a decided alert (es)", "es");
  await screenshot(sup, "es-review-confirm.png");
  await sup.click("#review-confirm");
  await waitFor(sup, () => /cerrada/.test(document.querySelector("#review-heading")?.textContent || ""));
  const hist = await sup.$$eval("#review-panel .history li", (lis) => lis.length);
  ok(hist === 4, "the history holds opened, assigned, decided and confirmed", String(hist));
  ok(sup.cspErrors.length === 0 && page.cspErrors.length === 0, "no CSP violation or script error", JSON.stringify([...sup.cspErrors, ...page.cspErrors]));
  await sup.context().close();

  // ---- another agency ----
  const fgr = await newPage(browser);
  await login(fgr, base, "fgr.analyst");
  await openQueue(fgr);
  await fgr.selectOption("#review-status", "");
  await fgr.click("#review-filter button[type=submit]");
  await settle(fgr);
  ok((await rows(fgr)).length === 0, "an FGR analyst sees none of DEA's alerts");
  await fgr.context().close();
});
