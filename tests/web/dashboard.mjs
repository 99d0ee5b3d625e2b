// dashboard.mjs - the impact indicators' dashboard end to end in Debian's
// Chromium (docs/indicators.md, "Interfaces"). Over
// tests/web/dashboard_fixture.sh's data:
//   - FGR's analyst sees a card per built-in indicator under the three
//     goals; the shipments screened card shows what FGR may see (160 SHARED
//     lines, not CBP's 240 US-ONLY ones), the same figure as the API gives;
//     ATF's analyst sees 400; "only what both countries may read" shows 160;
//   - the drill-down lists the count rows behind the figure and they add up
//     to it; the trend has a bar for the year; a manual figure shows;
//   - the drill-down's records view lists the records behind the figure
//     (FGR's 160 SHARED manifest lines, paged with "more"; traces submitted
//     by Mexico, as many as the card's figure), each linking to its page,
//     and the link opens the trace request; the denominator's records of a
//     ratio; a protection figure is refused with its reason;
//   - the report link opens the HTML report in the page's language;
//   - axe-core, every text from the catalogue and (in Spanish) no English
//     left, on the dashboard in both languages; no CSP violation.
// Prints TAP-like lines and "N passed, N failed".
import { execFileSync } from "node:child_process";
import { ok, BIN, setup, run, newPage, waitFor, login, settle, screenshot } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("dashboard", "dashboard_fixture.sh");
const YEAR = new Date().getUTCFullYear();

async function open(browser, base, user, lang) {
  const page = await newPage(browser, lang);
  await login(page, base, user, lang);
  await page.goto(`${base}/app/dashboard`);
  await page.waitForSelector('.ind-card[data-code="PRV-PREC-04"]');
  await settle(page);
  return page;
}

const cardValue = (page, code) => page.$eval(`.ind-card[data-code="${code}"] .ind-value`, (e) => e.getAttribute("data-value"));

// The records behind a figure: numerator (paged to the end), denominator,
// a refusal; in English, a record's link opens its page.
async function recordsFlow(page, lang) {
  const records = (part) => `#ind-records-list-${part} tbody tr`;
  await page.click('button[data-drill="PRO-PROT-01"]');
  await page.click("#ind-records-numerator");
  await page.waitForSelector("#ind-records-refused-numerator");
  ok((await page.textContent("#ind-records-refused-numerator")).length > 10, `(${lang}) a protection figure's records are refused, with the reason`);
  // shipments screened: 160 SHARED lines for FGR, over four pages of 50
  await page.click('button[data-drill="PRV-PREC-04"]');
  await page.click("#ind-records-numerator");
  await page.waitForSelector(records("numerator"));
  for (let i = 0; i < 20 && (await page.locator("#ind-records-more-numerator").count()); i++) {
    const n = await page.locator(records("numerator")).count();
    await page.click("#ind-records-more-numerator");
    await waitFor(page, ([sel, k]) => document.querySelectorAll(sel).length > k, [records("numerator"), n]);
  }
  const rows = await page.locator(records("numerator")).count();
  const shared = await page.locator(`${records("numerator")} .marking-shared`).count();
  ok(rows === 160 && shared === 160, `(${lang}) the records listed are the card's 160 SHARED lines, over four pages`, `${rows} rows, ${shared} SHARED`);
  const caption = await page.textContent("#ind-records-list-numerator caption");
  ok(caption.includes("PRV-PREC-04") && caption.includes("160"), `(${lang}) the records' caption names the indicator and the total`, caption);
  // the denominator of a ratio: as many trace requests as the API's denominator
  await page.click('button[data-drill="PRV-ARMS-02"]');
  await page.click("#ind-records-denominator");
  await page.waitForSelector("#ind-records-list-denominator caption");
  const fig = await page.evaluate(async (y) => (await (await fetch(`/api/v1/indicators/figures?year=${y}&from=${y}&code=PRV-ARMS-02`)).json()).figures.find((f) => f.cell === ""), YEAR);
  const den = await page.locator(records("denominator")).count();
  const traces = await page.locator(`${records("denominator")}[data-record^="trace_request:"]`).count();
  ok(den === (fig.denominator || 0) && traces === den, `(${lang}) the denominator's records: ${den} trace requests, the API's denominator`, JSON.stringify(fig));
  // traces submitted by Mexico: a record's link opens the trace request
  await page.click('button[data-drill="PRV-ARMS-01"]');
  await page.click("#ind-records-numerator");
  await page.waitForSelector(`${records("numerator")} a`);
  ok((await page.locator(records("numerator")).count()) === Number(await cardValue(page, "PRV-ARMS-01")), `(${lang}) traces submitted by Mexico: as many records as the card's figure`);
  if (lang !== "en") return;
  const first = page.locator(`${records("numerator")} a`).first();
  const href = await first.getAttribute("href");
  const id = (await first.textContent()).trim();
  ok(href === `/app/trace/${id}`, "a record links to its page", href);
  await first.click();
  await page.waitForURL(`**/app/trace/${id}`);
  await waitFor(page, (x) => document.querySelector("h1") && document.querySelector("h1").textContent.includes(x), id);
  ok(true, `the link opens the trace request ${id}`);
  await page.goBack();
  await page.waitForSelector('.ind-card[data-code="PRV-PREC-04"]');
  await settle(page);
}

async function fgrFlow(browser, base, lang) {
  const page = await open(browser, base, "fgr.analyst", lang);
  const goals = await page.$$eval(".ind-goal", (s) => s.map((x) => x.getAttribute("data-goal")));
  ok(JSON.stringify(goals) === JSON.stringify(["protect", "prevent", "pursue"]), `(${lang}) the three goals in order`);
  ok((await page.locator(".ind-card").count()) === 21, `(${lang}) a card per built-in indicator`);
  ok((await cardValue(page, "PRV-PREC-04")) === "160", `(${lang}) FGR sees the 160 SHARED shipments screened, not CBP's US-ONLY ones`);
  ok((await cardValue(page, "PRV-TRAIN-01")) === "420", `(${lang}) ATF's SHARED manual figure is shown`);
  ok((await page.locator(`#trend-PRV-PREC-04 rect[data-year="${YEAR}"]`).count()) === 1, `(${lang}) the trend has the year's bar`);
  if (lang === "en") {
    await page.click('button[data-drill="PRV-PREC-04"]');
    await page.waitForSelector("#ind-drill table tbody tr");
    const sum = await page.$$eval("#ind-drill > table tbody tr", (rs) => rs.reduce((a, r) => a + Number(r.lastElementChild.textContent.replace(/,/g, "")), 0));
    ok(sum === 160, "the drill-down's rows add up to the figure", String(sum));
    ok((await page.locator("#ind-map").count()) === 0, "an indicator without figures by state has no map");
    // the traces submitted by Mexico, by state: the map holds the API's figures
    await page.click('button[data-drill="PRV-ARMS-01"]');
    await page.waitForSelector("#ind-map svg path");
    const byState = await page.evaluate(async (y) => (await (await fetch(`/api/v1/indicators/figures?year=${y}&from=${y}&code=PRV-ARMS-01&by=state`)).json()).figures, YEAR);
    const want = Object.fromEntries(byState.filter((f) => f.dim === "state" && f.value !== null && f.cell.startsWith("MX-")).map((f) => [f.cell.slice(3), f.value]));
    const drawn = await page.$$eval("#ind-map svg path", (ps) => ps.map((p) => [p.getAttribute("data-state"), Number(p.getAttribute("data-count"))]));
    const wrong = drawn.filter(([st, n]) => n !== (want[st] || 0));
    ok(drawn.length === 32 && Object.keys(want).length > 1 && wrong.length === 0, `the map by state: 32 Mexican states, each with the API's figure (${Object.keys(want).length} with traces)`, JSON.stringify(wrong.slice(0, 4)));
    await screenshot(page, "dashboard-map-en.png");
    const href = await page.$eval("#ind-report", (a) => a.getAttribute("href"));
    ok(href.includes(`year=${YEAR}`) && href.includes("lang=en"), "the report link names the year and the language", href);
    const html = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    ok(html.includes("Bicentennial Framework: results") && html.includes('data-code="PRV-PREC-04"><tr><th scope="row">Value</th><td>160</td>'), "the report opens with FGR's figures");
  }
  await page.check("#ind-releasable");
  await waitFor(page, () => document.querySelector('.ind-card[data-code="PRV-PREC-04"] .ind-value'));
  await settle(page);
  ok((await cardValue(page, "PRV-PREC-04")) === "160", `(${lang}) releasable to both countries: 160`);
  await page.uncheck("#ind-releasable");
  await settle(page);
  await recordsFlow(page, lang);
  await h.languageChecks(t, page, `dashboard (${lang})`, lang);
  ok(page.cspErrors.length === 0, `(${lang}) no CSP violation or script error`, JSON.stringify(page.cspErrors));
  await screenshot(page, `dashboard-${lang}.png`);
  await page.context().close();
}

run(t, async (browser, base) => {
  for (const lang of ["en", "es"]) await fgrFlow(browser, base, lang);
  const atf = await open(browser, base, "atf.analyst", "en");
  ok((await cardValue(atf, "PRV-PREC-04")) === "400", "ATF (a US agency) sees the US-ONLY shipments too: 400");
  await atf.check("#ind-releasable");
  await settle(atf);
  await waitFor(atf, () => document.querySelector('.ind-card[data-code="PRV-PREC-04"] .ind-value[data-value="160"]'));
  ok(true, "ATF's releasable view drops the US-ONLY shipments: 160");
  const token = execFileSync(BIN, ["token", "create", "atf.analyst", "--db", t.db]).toString().trim();
  const api = await (await fetch(`${base}/api/v1/indicators/figures?year=${YEAR}&code=PRV-PREC-04`, { headers: { Authorization: `Bearer ${token}` } })).json();
  ok(api.figures.find((f) => f.cell === "" && f.period === String(YEAR)).value === 400, "the page shows the API's figure");
  await atf.context().close();
});
