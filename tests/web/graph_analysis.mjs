// graph_analysis.mjs - the Networks page's analysis panel end to end in
// Debian's Chromium (docs/graph.md "Web page"), over
// tests/web/graph_analysis_fixture.sh's data:
//   - components listed by size; one drawn ("n of size" shown);
//   - centrality: the hub company is the most connected node a Mexican
//     analyst sees; the drawn nodes are sized by the measure; a row focuses
//     its node; betweenness says its method (exact, or sampled sources);
//   - communities (Leiden): listed, and the drawn nodes coloured so that the
//     hub's network and the cartel's are two colours;
//   - the time window: from 2020 on, the 2019 ownership link is gone, from
//     the drawing and from the component count;
//   - markings: the FGR analyst sees no US-ONLY node in any panel, not even
//     as a count (the cartel's component is 7 nodes larger for ATF, whose
//     most connected node is the US-ONLY person);
//   - saved diagrams listed and reopened (an ATF supervisor);
//   - the catalogue, no English left in Spanish and axe-core with the panels
//     filled, in both languages; no CSP violation.
// Prints TAP-like lines and "N passed, N failed".
import { ok, setup, run, newPage, waitFor, login, settle } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("graph-analysis", "graph_analysis_fixture.sh", ["app.js", "graph-lib.js"]);
const HIDDEN = ["us-secret", "Informante", "us-assoc", "Contacto Reservado"];
const nodeIds = (page) => page.evaluate(() => window.__puenteGraph.nodes().map((n) => n.id()));
const rowsOf = (page, sel) => page.$$eval(`${sel} tbody tr`, (tr) => tr.map((r) => ({ rank: Number(r.dataset.rank), size: Number(r.dataset.size), id: r.dataset.id, text: r.textContent })));
const countOf = (page, sel) => page.$eval(sel, (el) => Number(el.dataset.count));

// The components listing: rows and the total count the API gave.
async function components(page) {
  await page.click("#ga-comp-run");
  await page.waitForSelector("#ga-components tbody tr");
  return { rows: await rowsOf(page, "#ga-components"), count: await countOf(page, "#ga-components") };
}

async function centrality(page, measure) {
  await page.selectOption("#ga-measure", measure);
  await page.click("#ga-cent-run");
  await page.waitForSelector("#ga-centrality tbody tr");
  return rowsOf(page, "#ga-centrality");
}

const sizeOf = (rows, member) => (rows.find((r) => r.text.includes(member)) || {}).size;

async function analystFlow(browser, base, lang, seen) {
  const page = await newPage(browser, lang);
  await login(page, base, "fgr.analyst", lang);
  await page.goto(`${base}/app/graph`);
  await page.waitForSelector("#graph-analysis");
  // components, largest first; draw the hub's
  const comps = await components(page);
  ok(comps.rows.length >= 2 && comps.rows.every((r, i) => i === 0 || comps.rows[i - 1].size >= r.size), `${lang}: components listed by size`, JSON.stringify(comps.rows));
  ok(comps.count >= comps.rows.length, `${lang}: the count of components is the API's`, String(comps.count));
  const hubRow = comps.rows.findIndex((r) => r.text.includes("co-hub"));
  ok(hubRow >= 0 && comps.rows[hubRow].size === 6, `${lang}: the hub's component has its 6 nodes`, JSON.stringify(comps.rows));
  await page.click(`#ga-components tbody tr:nth-child(${hubRow + 1}) .ga-draw`);
  await waitFor(page, () => window.__puenteGraph.nodes().length === 6);
  const drawn = await nodeIds(page);
  ok(drawn.includes("entity:co-hub") && drawn.filter((i) => i.startsWith("entity:p-hub-")).length === 5, `${lang}: the component is drawn`, JSON.stringify(drawn));
  ok(/6\D+6/.test(await page.textContent("#ga-msg")), `${lang}: the message says how many of how many are drawn`, await page.textContent("#ga-msg"));
  // centrality: the hub first, the drawing sized by it, a row focuses its node
  const deg = await centrality(page, "degree");
  ok(deg[0].id === "entity:co-hub", `${lang}: the hub is the most connected node FGR may see`, JSON.stringify(deg.slice(0, 3)));
  const sizes = await page.evaluate(() => Object.fromEntries(window.__puenteGraph.nodes().map((n) => [n.id(), n.data("size")])));
  ok(sizes["entity:co-hub"] > sizes["entity:p-hub-1"], `${lang}: the drawn nodes are sized by degree`, JSON.stringify(sizes));
  await page.click("#ga-centrality tbody tr:first-child .ga-focus");
  await waitFor(page, () => window.__puenteGraph.$(":selected").map((n) => n.id()).includes("entity:co-hub"));
  ok(true, `${lang}: a row of the table selects its node`);
  // the k-core view: k = 2 keeps the dealer–firearms–purchaser cycle only
  await page.fill("#ga-k", "2");
  const core = await centrality(page, "kcore");
  const coreTotal = await page.$eval("#ga-centrality", (el) => Number(el.dataset.total));
  ok(core.length === 4 && coreTotal === 4 && core.some((r) => r.id === "dealer:5-74-12345") && !core.some((r) => r.id === "entity:co-hub"), `${lang}: the 2-core is the cycle of the dealer, the two firearms and the buyer`, JSON.stringify(core));
  await page.fill("#ga-k", "0");
  // betweenness: exact on this small graph by default, the panel says so;
  // estimated from sampled sources when a number is given (docs/graph.md "Betweenness")
  const methodOf = () => page.$eval("#ga-centrality", (el) => el.dataset.method);
  const betw = await centrality(page, "betweenness");
  ok(betw.length > 0 && (await methodOf()) === "exact", `${lang}: betweenness exact on a small graph`, await methodOf());
  await page.fill("#ga-samples", "3");
  await centrality(page, "betweenness");
  ok((await methodOf()) === "sampled" && /\b3\b/.test(await page.textContent("#ga-centrality .msg-info, #ga-centrality [role=status], #ga-centrality")),
    `${lang}: sampled from 3 sources when asked, and said`, await methodOf());
  await page.fill("#ga-samples", "");
  await centrality(page, "degree");
  // the cartel's node: a row that is not drawn yet is drawn by its click
  const cartelRow = deg.findIndex((r) => r.id === "entity:co-cartel");
  ok(cartelRow >= 0, `${lang}: the company is ranked`, JSON.stringify(deg));
  await page.click(`#ga-centrality tbody tr:nth-child(${cartelRow + 1}) .ga-focus`);
  await waitFor(page, () => window.__puenteGraph.$(":selected").map((n) => n.id()).includes("entity:co-cartel"));
  ok((await nodeIds(page)).includes("entity:co-cartel"), `${lang}: focusing a node not on screen draws it`);
  // communities: hub and cartel take two colours of the palette
  await page.fill("#ga-resolution", "1");
  await page.click("#ga-comm-run");
  await page.waitForSelector("#ga-communities tbody tr", { timeout: 20000 }).catch(async (e) => {
    ok(false, `${lang}: communities answered`, (await page.textContent("#graph-analysis")).slice(0, 2000));
    throw e;
  });
  const comms = await rowsOf(page, "#ga-communities");
  ok(comms.length >= 2, `${lang}: communities listed`, JSON.stringify(comms));
  const colours = await page.evaluate(() => Object.fromEntries(window.__puenteGraph.nodes().map((n) => [n.id(), n.data("colour")])));
  const palette = await page.evaluate(() => [...document.querySelectorAll("#ga-communities .ga-swatch")].map((s) => s.style.backgroundColor));
  ok(colours["entity:co-hub"] !== colours["entity:co-cartel"], `${lang}: the two networks have two colours`, JSON.stringify(colours));
  ok(colours["entity:co-hub"] === colours["entity:p-hub-1"], `${lang}: a community shares one colour`, JSON.stringify(colours));
  ok(palette.length === comms.length, `${lang}: each listed community shows its colour`);
  // markings: nothing hidden in any panel, not even a count
  const panel = await page.textContent("#graph-analysis");
  ok(!HIDDEN.some((x) => panel.includes(x)), `${lang}: no US-ONLY node in any panel`);
  ok(!(await nodeIds(page)).some((i) => i.includes("us-")), `${lang}: nor in the drawing`);
  seen[lang] = { cartel: sizeOf(comps.rows, "resolved:"), count: comps.count };
  await settle(page);
  await h.languageChecks(t, page, `analysis panel (${lang})`, lang);
  await h.screenshot(page, `${lang}-graph-analysis.png`);
  // the time window: from 2020 on, the 2019 ownership link is gone
  const edgesBefore = await page.evaluate(() => window.__puenteGraph.edges().filter((e) => e.data("provenance") === "own-1").length);
  await page.fill("#graph-window-from", "2020-01-01");
  await page.click("#graph-window-apply");
  await waitFor(page, () => document.querySelector("#graph-msg .msg-ok") && !document.querySelector("#ga-components tbody"));
  await waitFor(page, () => window.__puenteGraph.edges().filter((e) => e.data("provenance") === "own-1").length === 0);
  ok(edgesBefore === 1, `${lang}: the ownership link was drawn before the window`, String(edgesBefore));
  const after = await components(page);
  ok(after.count === comps.count + 1, `${lang}: from 2020 on the company is cut from its owner (one more component)`, `${comps.count} -> ${after.count}`);
  await settle(page);
  await h.languageChecks(t, page, `analysis panel with a time window (${lang})`, lang);
  ok(page.cspErrors.length === 0, `${lang}: no CSP violation or script error`, JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
}

async function usFlow(browser, base, seen) {
  const page = await newPage(browser, "en");
  await login(page, base, "atf.supervisor");
  await page.goto(`${base}/app/graph`);
  await page.waitForSelector("#graph-analysis");
  const comps = await components(page);
  ok(seen.en.cartel > 0 && sizeOf(comps.rows, "resolved:") === seen.en.cartel + 7, "ATF: the cartel's component is larger by the US-ONLY person and its 6 associates (so FGR's count hid them)", `${sizeOf(comps.rows, "resolved:")} vs ${seen.en.cartel}`);
  const deg = await centrality(page, "degree");
  ok(deg[0].id === "entity:us-secret", "ATF: the US-ONLY person is the most connected node", JSON.stringify(deg.slice(0, 3)));
  // save a diagram, clear, reopen it from the list
  await page.fill("#graph-node", "co-cartel");
  await page.click("#graph-expand");
  await waitFor(page, () => window.__puenteGraph.nodes().length >= 3);
  const saved = (await nodeIds(page)).sort();
  // move one node by hand: the saved diagram keeps where the analyst put it
  await page.evaluate(() => window.__puenteGraph.getElementById("entity:co-cartel").position({ x: 777, y: -333 }));
  const where = (p) => p.evaluate(() => window.__puenteGraph.nodes().map((n) => [n.id(), Math.round(n.position().x), Math.round(n.position().y)]).sort());
  const before = await where(page);
  await page.click("#graph-save");
  await page.waitForSelector("#graph-msg .msg-ok");
  await page.click("#graph-clear");
  ok((await nodeIds(page)).length === 0, "the drawing is cleared");
  await page.click("#ga-saved-list");
  await page.waitForSelector("#ga-saved tbody tr");
  await page.click("#ga-saved tbody tr:last-child .ga-open");
  await waitFor(page, (n) => window.__puenteGraph.nodes().length === n, saved.length);
  ok(JSON.stringify((await nodeIds(page)).sort()) === JSON.stringify(saved), "the saved diagram reopens with its nodes", JSON.stringify(saved));
  ok((await page.evaluate(() => window.__puenteGraph.edges().length)) > 0, "and the links among them");
  ok(JSON.stringify(await where(page)) === JSON.stringify(before), "and where they were placed", JSON.stringify([before, await where(page)]));
  ok(page.cspErrors.length === 0, "ATF: no CSP violation or script error", JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
}

await run(t, async (browser, base) => {
  const seen = {};
  await analystFlow(browser, base, "en", seen);
  await analystFlow(browser, base, "es", seen);
  ok(seen.en.count === seen.es.count, "the same counts in both languages");
  await usFlow(browser, base, seen);
});
