// protect.mjs - the protection pages end to end in Debian's Chromium
// (docs/protection.md, docs/web.md). Over tests/web/protect_fixture.sh's data:
//   - a protection officer states a purpose, unlocks the key with the
//     passphrase (a wrong one is refused), lists the cases (the marked
//     beneficiary's name is shown) and searches by name;
//   - the case page shows people, contacts, measures, clocks (the urgent
//     order is late) and moves a measure (approved, then its next moves);
//   - an evidence file of the incident is uploaded (its SHA-256 shown), then
//     downloaded with the stated purpose: the same bytes under its name;
//   - the clocks board lists the late case;
//   - a non-member officer does not see the case; an analyst gets the 403
//     page and no menu entry;
//   - catalogue, no English left in Spanish and axe-core on every page in
//     both languages; no CSP violation; screenshots.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ok, setup, run, newPage, waitFor, login, settle, screenshot } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("protect", "protect_fixture.sh");
const known = fs.readFileSync(path.join(t.tmp, "known_case"), "utf8").trim();
const NAME = "Amaranta Webmarca Solís";
const EV_NAME = "fotografía del vehículo.jpg";
const EV_DATA = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("evidencia de prueba ".repeat(50))]);
const EV_SHA = crypto.createHash("sha256").update(EV_DATA).digest("hex");
const languageChecks = (page, label, lang) => h.languageChecks(t, page, label, lang);

async function unlock(page, user, purpose) {
  await page.waitForSelector("#protect-purpose");
  await page.fill("#protect-purpose", purpose);
  await page.click("#protect-purpose-submit");
  await page.waitForSelector("#protect-unlock:not([hidden])");
  await page.fill("#protect-passphrase", `frase de paso de ${user}`);
  await page.click("#protect-unlock-submit");
}

async function officerPages(browser, base, lang) {
  const page = await newPage(browser, lang);
  await login(page, base, "prot.web", lang);
  ok(await page.evaluate(() => !!document.querySelector('#menu a[href="/app/protect"]')), `the menu has the protection pages (${lang})`);
  await page.goto(`${base}/app/protect`);
  await page.waitForSelector("#protect-purpose");
  if (lang === "en") {
    await page.fill("#protect-purpose", "seguimiento semanal de casos");
    await page.click("#protect-purpose-submit");
    await page.waitForSelector("#protect-unlock:not([hidden])");
    await page.fill("#protect-passphrase", "frase de paso equivocada");
    await page.click("#protect-unlock-submit");
    await waitFor(page, () => document.querySelector("#protect-gate-msg .msg-error"));
    ok(true, "a wrong passphrase is refused");
    await page.fill("#protect-passphrase", "frase de paso de prot.web");
    await page.click("#protect-unlock-submit");
  } else {
    await unlock(page, "prot.web", "seguimiento semanal de casos");
  }
  await waitFor(page, (id) => document.querySelector(`#protect-list tr[data-case="${id}"]`), known);
  await settle(page);
  const rows = await page.$$eval("#protect-list tbody tr", (r) => r.length);
  ok(rows === 13, `the officer lists the 13 cases of which it is a member (${lang})`, `rows ${rows}`);
  ok((await page.textContent(`#protect-list tr[data-case="${known}"]`)).includes(NAME), `the beneficiary's name is shown to the member (${lang})`);
  await languageChecks(page, `protection cases (${lang})`, lang);
  await screenshot(page, `protect-list-${lang}.png`);
  // search through the blind index
  await page.fill("#protect-q", "amaranta solis");
  await page.click("#protect-search button[type=submit]");
  await waitFor(page, () => document.querySelectorAll("#protect-list tbody tr").length === 1);
  ok((await page.textContent("#protect-list tbody")).includes(known), `search by name finds the case (${lang})`);
  // the case
  await page.click(`#protect-list a[href="/app/protect/${known}"]`);
  await page.waitForSelector("#protect-measures");
  await settle(page);
  const text = await page.textContent("#protect-case");
  ok(text.includes("+52 747 555 0101"), `the case shows the contact to the member (${lang})`);
  const lateRow = await page.$eval("#protect-clocks-case", (s) => [...s.querySelectorAll("tr.late")].length);
  ok(lateRow >= 1, `the late urgent order is marked on the case (${lang})`);
  await languageChecks(page, `protection case (${lang})`, lang);
  await screenshot(page, `protect-case-${lang}.png`);
  if (lang === "es") {
    // an evidence file of the incident: sealed upload, its hash shown
    await page.setInputFiles("#evidence-upload-file", { name: EV_NAME, mimeType: "image/jpeg", buffer: EV_DATA });
    await page.click("#evidence-upload-submit");
    await waitFor(page, (sha) => document.querySelector(`#protect-evidence-list [data-sha256="${sha}"]`), EV_SHA);
    await settle(page);
    ok(true, "an evidence file is uploaded and listed with its SHA-256 (es)");
    ok((await page.textContent("#protect-evidence-list")).includes(EV_NAME), "...under its sealed name");
    await languageChecks(page, "protection case with evidence (es)", lang);
  } else {
    // download with the stated purpose: the same bytes, the hash shown
    const id = await page.$eval("#protect-evidence-list tr[data-evidence]", (r) => r.dataset.evidence);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`#evidence-get-${id}`)]);
    const got = fs.readFileSync(await dl.path());
    ok(Buffer.compare(got, EV_DATA) === 0 && dl.suggestedFilename() === EV_NAME, "the evidence file downloads as uploaded, under its name", dl.suggestedFilename());
    await waitFor(page, (sha) => document.querySelector(`#protect-case-msg [data-sha256="${sha}"]`), EV_SHA);
    ok(true, "the download shows the hash the server sent");
  }
  if (lang === "en") {
    await page.click('#protect-measures button[data-to="approved"]');
    await waitFor(page, () => document.querySelector('#protect-measures button[data-to="installed"]'));
    ok(true, "a measure moves to approved and offers its next moves");
  }
  // the clocks board
  await page.goto(`${base}/app/protect-clocks`);
  await waitFor(page, (id) => document.querySelector(`#protect-board tr[data-case="${id}"]`), known);
  await settle(page);
  ok(true, `the clocks board lists the late case (${lang})`);
  await languageChecks(page, `protection clocks (${lang})`, lang);
  await screenshot(page, `protect-clocks-${lang}.png`);
  ok(page.cspErrors.length === 0, `no CSP violation or script error (${lang})`, JSON.stringify(page.cspErrors));
  await page.context().close();
}

await run(t, async (browser, base) => {
  await officerPages(browser, base, "es"); // Spanish first
  await officerPages(browser, base, "en");
  // a non-member officer: the case is not there
  const other = await newPage(browser, "en");
  await login(other, base, "prot.other");
  await other.goto(`${base}/app/protect/${known}`);
  await unlock(other, "prot.other", "revisión de un caso ajeno");
  await waitFor(other, () => document.querySelector("#protect-case .msg-error"));
  ok(!(await other.textContent("#protect-case")).includes("Amaranta"), "a non-member officer does not see the case");
  await other.context().close();
  // an analyst: no menu entry, the 403 page
  const an = await newPage(browser, "en");
  await login(an, base, "seg.analyst");
  ok(await an.evaluate(() => !document.querySelector('#menu a[href="/app/protect"]')), "an analyst has no protection menu entry");
  await an.goto(`${base}/app/protect`);
  await an.waitForSelector(".error-403");
  ok(true, "an analyst gets the 403 page");
  await an.context().close();
});
