// cases.mjs - the cases pages end to end in Debian's Chromium (docs/cases.md,
// docs/web.md). Over tests/web/cases_fixture.sh's data:
//   - the case board: a member sees the case with its title; a non-member
//     of the same country sees only that the SHARED case exists (no title)
//     and nothing of the AGENCY-ONLY one; a case page with its timeline;
//   - the extradition tracker: stages and legal clocks (an escalated one
//     marked), a request moved through the form, a transition the workflow
//     refuses shown with the server's message and the stage unchanged;
//   - stage, status and direction VALUES in both languages, no missing
//     catalogue key, no English left in Spanish, axe-core clean, no CSP
//     violation; screenshots under build/web-screenshots/.
import { ok, setup, run, newPage, waitFor, login, settle, screenshot, catalogue } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("cases", "cases_fixture.sh");
const languageChecks = (page, label, lang) => h.languageChecks(t, page, label, lang);

await run(t, async (browser, base) => {
  for (const lang of ["en", "es"]) {
    const page = await newPage(browser, lang);
    await login(page, base, "hsi.analyst", lang);
    await page.goto(`${base}/app/cases`);
    await page.waitForSelector("#case-list table");
    await settle(page);
    const rows = await page.$$eval("#case-list tr[data-case]", (tr) => tr.map((r) => r.innerText));
    ok(rows.length === 2 && rows.some((r) => r.includes("Operación Coyote")), `${lang}: the owner's board lists both cases`, JSON.stringify(rows));
    ok(rows.some((r) => r.includes(catalogue[lang]["case_status.open"])), `${lang}: the case status in the page's language`);
    await languageChecks(page, `case board (${lang})`, lang);
    await screenshot(page, `cases-board-${lang}.png`);

    await page.click("text=Operación Coyote");
    await page.waitForSelector("#case-timeline li");
    await settle(page);
    const tl = await page.$$eval("#case-timeline li", (li) => li.map((x) => x.innerText));
    ok(tl.length >= 5 && tl.some((x) => x.includes(catalogue[lang]["case_event.arrest"])), `${lang}: the timeline with its events`, JSON.stringify(tl));
    const served = await page.$eval("tr[data-warrant]", (r) => r.innerText);
    ok(served.includes(catalogue[lang]["warrant_status.served"]), `${lang}: warrant status value translated`, served);
    await languageChecks(page, `case page (${lang})`, lang);
    await screenshot(page, `cases-case-${lang}.png`);

    await page.goto(`${base}/app/extraditions`);
    await page.waitForSelector("#ext-list tr[data-extradition]");
    await settle(page);
    const stages = await page.$$eval("#ext-list tr[data-extradition]", (tr) => tr.map((r) => [r.dataset.stage, r.innerText]));
    ok(stages.length === 3, `${lang}: three requests tracked`);
    ok(stages.every(([s, text]) => text.includes(catalogue[lang][`stage.${s}`])), `${lang}: every stage shown in the page's language`, JSON.stringify(stages));
    ok((await page.$$("#ext-list .clock.soon")).length === 1, `${lang}: the 60-day clock close to running out is escalated`);
    ok((await page.$$eval("#ext-due li[data-clock]", (li) => li.length)) === 1, `${lang}: the due list names it`);
    ok((await page.$$eval("#ext-due li[data-task]", (li) => li.length)) === 1, `${lang}: ...and the case's task due in three days`);
    await languageChecks(page, `extradition tracker (${lang})`, lang);
    await screenshot(page, `cases-extraditions-${lang}.png`);
    ok(page.cspErrors.length === 0, `${lang}: no CSP violation or script error`, JSON.stringify(page.cspErrors));
    await page.context().close();
  }

  // moving a request, and a refused move
  const page = await newPage(browser, "en");
  await login(page, base, "hsi.analyst", "en");
  await page.goto(`${base}/app/extraditions`);
  await page.waitForSelector("#ext-list tr[data-stage=provisional_arrest_requested]");
  const id = await page.$eval("#ext-list tr[data-stage=provisional_arrest_requested]", (r) => r.dataset.extradition);
  const offered = await page.$$eval(`#stage-${id} option`, (o) => o.map((x) => x.value));
  ok(JSON.stringify(offered) === JSON.stringify(["person_located_arrested", "withdrawn", "lapsed"]), "only the stages the workflow allows next are offered", JSON.stringify(offered));
  // someone else withdraws the request meanwhile: the page's choice is now refused (409)
  h.puente(t, "extradition", "stage", id, "withdrawn", "--agency", "HSI", "--country", "US");
  await page.click(`tr[data-extradition="${id}"] button[type=submit]`);
  await page.waitForSelector("#ext-msg .error, #ext-msg [role=alert], #ext-msg .status");
  const refused = await page.$eval("#ext-msg", (m) => m.innerText);
  ok(/does not allow/.test(refused), "a transition the workflow refuses is shown with the server's reason", refused);
  await page.reload();
  await page.waitForSelector(`tr[data-extradition="${id}"]`);
  ok((await page.$eval(`tr[data-extradition="${id}"]`, (r) => r.dataset.stage)) === "withdrawn", "...and the stage is the other user's");
  ok((await page.$$(`#stage-${id}`)).length === 0, "a final stage offers no move");
  const id2 = await page.$eval("#ext-list tr[data-stage=person_located_arrested]", (r) => r.dataset.extradition);
  await page.selectOption(`#stage-${id2}`, "formal_request_filed");
  await page.click(`tr[data-extradition="${id2}"] button[type=submit]`);
  await waitFor(page, (x) => document.querySelector(`tr[data-extradition="${x}"]`)?.dataset.stage === "formal_request_filed", id2);
  ok(true, "an allowed move updates the tracker");
  ok((await page.$$(`tr[data-extradition="${id2}"] .clock`)).length === 0, "filing the formal request stops the treaty's 60-day clock");
  const id3 = await page.$eval("#ext-list tr[data-stage=executive_decision]", (r) => r.dataset.extradition);
  const offered3 = await page.$$eval(`#stage-${id3} option`, (o) => o.map((x) => x.value));
  ok(JSON.stringify(offered3) === JSON.stringify(["review", "surrender_scheduled", "withdrawn"]), "after a grant: review, surrender or withdrawal", JSON.stringify(offered3));
  await page.context().close();

  // need-to-know on the board: DEA sees only that the SHARED case exists
  const dea = await newPage(browser, "es");
  await login(dea, base, "dea.analyst", "es");
  await dea.goto(`${base}/app/cases`);
  await dea.waitForSelector("#case-list table");
  await settle(dea);
  const drows = await dea.$$eval("#case-list tr[data-case]", (tr) => tr.map((r) => r.innerText));
  ok(drows.length === 1 && drows[0].includes(catalogue.es["cases.restricted"]) && !drows[0].includes("Coyote"), "a non-member sees only that the SHARED case exists", JSON.stringify(drows));
  ok((await dea.$$("#case-list a[href^='/app/cases/']")).length === 0, "...with no link into it");
  await languageChecks(dea, "case board of a non-member (es)", "es");
  await dea.goto(`${base}/app/extraditions`);
  await dea.waitForSelector("#ext-list table");
  ok((await dea.$$("#ext-list tr[data-extradition]")).length === 0, "a non-member tracks no request");
  await dea.context().close();
});
