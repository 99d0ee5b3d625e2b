// kinship_case.mjs - the identification-cases page end to end in Debian's
// Chromium (docs/kinship.md "Case database"). Over
// tests/web/kinship_case_fixture.sh's case (planecrash stored and searched):
//   - a forensic geneticist has the menu entry; the page refuses to list
//     without a purpose; the listed hits are the API's;
//   - a hit shows its family's pedigree as SVG drawn from the pedigree data
//     (one symbol per person, the missing person and the typed references
//     marked, a line to every child with parents) and the LR of every marker;
//   - four eyes: the reviewer's confirmation is refused with a message, a
//     second geneticist confirms with the prior and the posterior appears;
//   - an analyst gets the 403 page;
//   - catalogue, no English left in Spanish and axe-core on the page in both
//     languages; no CSP violation.
// Prints TAP-like lines and "N passed, N failed".
import * as h from "./harness.mjs";
import { ok, catalogue, setup, run, newPage, waitFor, login, settle } from "./harness.mjs";

const t = setup("kinship_case", "kinship_case_fixture.sh");
const PURPOSE = "Identificación de restos, carpeta FGR/SIN/2026/014";

async function listHits(page) {
  await page.fill("#kc-purpose", PURPOSE);
  await page.click("#kc-list");
  await page.waitForSelector("#kc-out tr[data-hit]");
}

async function api(page, path) {
  return page.evaluate(async (u) => (await fetch(u)).json(), path);
}

await run(t, async (browser, base) => {
  for (const lang of ["en", "es"]) {
    const page = await newPage(browser, lang);
    await login(page, base, "fgr.gen1", lang);
    const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")));
    ok(menu.includes("/app/kinship-cases"), `${lang}: a forensic geneticist has the identification cases entry`);
    await page.click('#menu a[href="/app/kinship-cases"]');
    await page.waitForSelector("#kc-form");
    await page.click("#kc-list");
    await page.waitForSelector("#kc-out .msg-error");
    ok((await page.textContent("#kc-out .msg-error")) === catalogue[lang]["kcase.purpose_needed"], `${lang}: no list without a stated purpose`);
    await listHits(page);
    const rows = await page.$$eval("#kc-out tr[data-hit]", (trs) => trs.map((tr) => tr.dataset.hit));
    const js = await api(page, `/api/v1/kinship/cases/hits?purpose=${encodeURIComponent(PURPOSE)}`);
    ok(rows.length > 0 && JSON.stringify(rows) === JSON.stringify(js.hits.map((x) => String(x.id))), `${lang}: the listed hits are the API's, strongest first`, JSON.stringify(rows));
    const id = rows[0];
    await page.click(`#kc-out tr[data-hit="${id}"] button`);
    await page.waitForSelector("#pedigree");
    const hit = (await api(page, `/api/v1/kinship/cases/hits/${id}?purpose=${encodeURIComponent(PURPOSE)}`)).hit;
    const drawn = await page.$$eval("#pedigree g[data-person]", (gs) => gs.map((g) => [g.dataset.person, g.dataset.role, g.dataset.typed]));
    const want = hit.pedigree.map((p) => [p.id, p.role, p.typed ? "1" : "0"]);
    ok(JSON.stringify(drawn.sort()) === JSON.stringify(want.sort()), `${lang}: the pedigree is drawn from the pedigree data, one symbol per person`, JSON.stringify(drawn));
    const lines = await page.$$eval("#pedigree line[data-child]", (ls) => ls.map((l) => l.dataset.child).sort());
    ok(JSON.stringify(lines) === JSON.stringify(hit.pedigree.filter((p) => p.father).map((p) => p.id).sort()), `${lang}: a line to every child with parents`, JSON.stringify(lines));
    ok((await page.$$("#pedigree g[data-role=missing] text.ped-q")).length === 1, `${lang}: the missing person is marked`);
    const markers = await page.$$eval("tr[data-marker]", (trs) => trs.map((tr) => tr.dataset.marker));
    ok(JSON.stringify(markers) === JSON.stringify(hit.markers.map((m) => m.marker)), `${lang}: the LR of every marker`, JSON.stringify(markers));
    await h.languageChecks(t, page, `identification case hit (${lang})`, lang);
    await h.screenshot(page, `${lang}-kinship-case-hit.png`);
    ok(page.cspErrors.length === 0, `${lang}: no CSP violation or script error`, JSON.stringify(page.cspErrors));
    await page.context().close();
  }

  // four eyes through the page
  const a = await newPage(browser);
  await login(a, base, "fgr.gen1");
  await a.goto(`${base}/app/kinship-cases`);
  await a.waitForSelector("#kc-form");
  await listHits(a);
  const id = await a.$eval("#kc-out tr[data-hit]", (tr) => tr.dataset.hit);
  await a.click(`#kc-out tr[data-hit="${id}"] button`);
  await a.waitForSelector("#kc-review");
  await a.fill("#kc-purpose", PURPOSE);
  await a.click("#kc-review");
  await waitFor(a, (w) => document.querySelector("#kc-facts")?.dataset.status === w, "reviewed");
  ok(true, "the first geneticist marks the hit as reviewed");
  ok((await a.inputValue("#kc-purpose")) === "", "the purpose is asked anew after a step");
  await a.fill("#kc-purpose", PURPOSE);
  await a.click("#kc-confirm");
  await a.waitForSelector("#kc-out .msg-error, #kc-out [role=alert]");
  ok((await a.textContent("#kc-out .msg-error")) === catalogue.en["kcase.four_eyes_refused"], "the reviewer cannot confirm: the page says why");
  const still = await api(a, `/api/v1/kinship/cases/hits/${id}?purpose=${encodeURIComponent(PURPOSE)}`);
  ok(still.hit.status === "reviewed", "... and the hit stays reviewed");
  const b = await newPage(browser);
  await login(b, base, "fgr.gen2");
  await b.goto(`${base}/app/kinship-cases`);
  await b.waitForSelector("#kc-form");
  await b.fill("#kc-purpose", PURPOSE);
  await b.selectOption("#kc-status", "reviewed");
  await b.click("#kc-list");
  await b.waitForSelector(`#kc-out tr[data-hit="${id}"]`);
  await b.click(`#kc-out tr[data-hit="${id}"] button`);
  await b.waitForSelector("#kc-confirm");
  await b.fill("#kc-purpose", PURPOSE);
  await b.fill("#kc-prior", "0.01");
  await b.click("#kc-confirm");
  await waitFor(b, (w) => document.querySelector("#kc-facts")?.dataset.status === w, "confirmed");
  ok((await b.textContent("#kc-state")) === catalogue.en["kcase_status.confirmed"], "a second geneticist confirms");
  ok((await b.$("#kc-posterior")) !== null, "the posterior is shown");
  await settle(b);
  await a.context().close();
  await b.context().close();

  // another role: the 403 page
  const c = await newPage(browser);
  await login(c, base, "fgr.analyst");
  const menu = await c.$$eval("#menu a", (as) => as.map((x) => x.getAttribute("href")));
  ok(!menu.includes("/app/kinship-cases"), "an analyst has no identification cases entry");
  await c.goto(`${base}/app/kinship-cases`);
  await c.waitForSelector(".error-page");
  ok((await c.$(".error-403")) !== null, "an analyst gets the 403 page");
  await c.context().close();
});
