// cases.mjs - the cases pages end to end in Debian's Chromium (docs/cases.md,
// docs/web.md). Over tests/web/cases_fixture.sh's data:
//   - the case board: a member sees the case with its title; a non-member
//     of the same country sees only that the SHARED case exists (no title)
//     and nothing of the AGENCY-ONLY one; a case page with its timeline;
//   - the extradition tracker: stages and legal clocks (an escalated one
//     marked), a request moved through the form, a transition the workflow
//     refuses shown with the server's message and the stage unchanged;
//   - documents: the case's document with its flags, an upload through the
//     file input (the full SHA-256 shown), the download link's bytes; a read
//     member gets links but no upload form;
//   - an amparo recorded in the tracker: "suspended by amparo", the clock
//     halted, then ended: the clock runs again, pushed back;
//   - stage, status and direction VALUES in both languages, no missing
//     catalogue key, no English left in Spanish, axe-core clean, no CSP
//     violation; screenshots under build/web-screenshots/.
import crypto from "node:crypto";
import fs from "node:fs";
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
    const docs = await page.$$eval("#case-documents tr[data-document]", (tr) => tr.map((r) => r.innerText));
    ok(docs.length === 1 && docs[0].includes(catalogue[lang]["cases.certified"]), `${lang}: the case's document with its flags`, JSON.stringify(docs));
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

  // documents: upload through the file input, the hash shown, download
  {
    const DOC = Buffer.from("%PDF-1.4\n% orden de aprehensión, copia certificada\n%%EOF\n");
    const NAME = "orden de aprehensión.pdf";
    const SHA = crypto.createHash("sha256").update(DOC).digest("hex");
    const pg = await newPage(browser, "en");
    await login(pg, base, "hsi.analyst", "en");
    await pg.goto(`${base}/app/cases`);
    await pg.click("text=Operación Coyote");
    await pg.waitForSelector("#doc-upload-file");
    await pg.setInputFiles("#doc-upload-file", { name: NAME, mimeType: "application/pdf", buffer: DOC });
    await pg.check("#doc-certified");
    await pg.click("#doc-upload-submit");
    await waitFor(pg, (sha) => document.querySelector(`#case-documents tr[data-document] [data-sha256="${sha}"]`), SHA);
    ok(true, "an uploaded document is listed with its full SHA-256");
    const row = await pg.$eval(`#case-documents tr:has([data-sha256="${SHA}"])`, (r) => r.innerText);
    ok(row.includes(NAME) && row.includes("application/pdf") && row.includes(catalogue.en["cases.certified"]), "...with its name, type and flag", row);
    const [dl] = await Promise.all([pg.waitForEvent("download"), pg.click(`#case-documents tr:has([data-sha256="${SHA}"]) a.download`)]);
    const got = fs.readFileSync(await dl.path());
    ok(Buffer.compare(got, DOC) === 0 && dl.suggestedFilename() === NAME, "the download link gives the bytes under their name", dl.suggestedFilename());
    ok(crypto.createHash("sha256").update(got).digest("hex") === SHA, "the downloaded file has the hash shown");
    ok(pg.cspErrors.length === 0, "no CSP violation on upload and download", JSON.stringify(pg.cspErrors));
    await pg.context().close();
    const fgr = await newPage(browser, "es");
    await login(fgr, base, "fgr.analyst", "es");
    await fgr.goto(`${base}/app/cases`);
    await fgr.click("text=Operación Coyote");
    await fgr.waitForSelector("#case-documents");
    await settle(fgr);
    ok((await fgr.$$("#case-documents a.download")).length === 2 && (await fgr.$$("#doc-upload-form")).length === 0,
      "a read member sees the download links and no upload form");
    await fgr.context().close();
  }

  // amparo: the tracker shows the clocks suspended, then running again
  {
    const day = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
    const cid = h.puente(t, "case", "list", "--json", "--agency", "HSI", "--country", "US").match(/"id": (\d+)[^}]*"title": "Operación Coyote"/s)[1];
    const xa = h.puente(t, "extradition", "new", cid, "--direction", "mx_to_us", "--person", "Rafael Soto Quiroga", "--day", day(12), "--agency", "HSI", "--country", "US").trim();
    h.puente(t, "extradition", "stage", xa, "person_located_arrested", "--day", day(10), "--agency", "HSI", "--country", "US");
    for (const lang of ["en", "es"]) {
      const pg = await newPage(browser, lang);
      await login(pg, base, "hsi.analyst", lang);
      await pg.goto(`${base}/app/extraditions`);
      await pg.waitForSelector(`tr[data-extradition="${xa}"]`);
      if (lang === "en") {
        await pg.click(`tr[data-extradition="${xa}"] details.amparo summary`);
        await pg.fill(`#amparo-court-${xa}`, "Juzgado Primero de Distrito en Materia de Amparo Penal");
        await pg.fill(`#amparo-ref-${xa}`, "1234/2026");
        await pg.fill(`#amparo-day-${xa}`, day(5));
        await pg.click(`#amparo-go-${xa}`);
      }
      await waitFor(pg, (x) => document.querySelector(`tr[data-extradition="${x}"] .badge.suspended`), xa);
      await settle(pg);
      const row = await pg.$eval(`tr[data-extradition="${xa}"]`, (r) => r.innerText);
      ok(row.includes(catalogue[lang]["ext.suspended"].split("{day}")[0].trim()), `${lang}: the tracker shows "suspended by amparo"`, row);
      ok((await pg.$$(`tr[data-extradition="${xa}"] .clock[data-suspended=true]`)).length === 1, `${lang}: the treaty clock is halted`);
      await languageChecks(pg, `extradition tracker with an amparo (${lang})`, lang);
      await screenshot(pg, `cases-amparo-${lang}.png`);
      if (lang === "es") {
        await pg.click(`#amparo-end-${xa}`);
        await waitFor(pg, (x) => !document.querySelector(`tr[data-extradition="${x}"] .badge.suspended`) && document.querySelector(`tr[data-extradition="${x}"] .clock`), xa);
        const clock = await pg.$eval(`tr[data-extradition="${xa}"] .clock`, (c) => c.innerText);
        ok(/6/.test(clock) && clock.includes(catalogue.es["ext.paused"].split(" ").pop()), "es: the clock runs again, pushed back by the 6 suspended days", clock);
      }
      await pg.context().close();
    }
  }

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
