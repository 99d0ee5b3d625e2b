// graph.mjs - the network page end to end in Debian's Chromium (docs/graph.md
// "Web page"). Starts `puente serve` over tests/web/graph_fixture.sh's data:
//   - cytoscape is loaded by the network page only (its own bundle), never
//     by the home page;
//   - an FGR analyst expands the designated company: the resolved person is
//     drawn, the US-ONLY person is not (nor its link); a click on a node
//     expands it (the dealer appears through the firearm);
//   - a path from the dealer to the company is found and highlighted, its
//     nodes listed in order;
//   - PNG export for every reader, GraphML/FtM only for roles with export
//     (an ATF supervisor downloads GraphML that holds the drawn nodes);
//   - the catalogue, no English left in Spanish and axe-core on the page in
//     both languages; no CSP violation; screenshots under build/web-screenshots/.
// Prints TAP-like lines and "N passed, N failed".
import { ok, catalogue, setup, run, newPage, waitFor, login, settle } from "./harness.mjs";
import * as h from "./harness.mjs";

const t = setup("graph", "graph_fixture.sh", ["app.js", "graph-lib.js"]);
const languageChecks = (page, label, lang) => h.languageChecks(t, page, label, lang);
const nodeIds = (page) => page.evaluate(() => window.__puenteGraph.nodes().map((n) => n.id()));

async function analystFlow(browser, base, lang) {
  const page = await newPage(browser, lang);
  await login(page, base, "fgr.analyst", lang);
  ok(!page.assets.includes("/assets/graph-lib.js"), `${lang}: the drawing library is not loaded by other pages`);
  const menu = await page.$$eval("#menu a", (as) => as.map((a) => a.getAttribute("href")));
  ok(menu.includes("/app/graph"), `${lang}: an analyst has the networks menu entry`);
  await page.click('#menu a[href="/app/graph"]');
  await page.waitForSelector("#graph-expand-form");
  ok(page.assets.includes("/assets/graph-lib.js"), `${lang}: the network page loads its drawing library`);
  await page.fill("#graph-node", "co-cartel");
  await page.click("#graph-expand");
  await waitFor(page, () => window.__puenteGraph && window.__puenteGraph.nodes().length >= 2);
  let ids = await nodeIds(page);
  ok(ids.includes("entity:co-cartel") && ids.some((i) => i.startsWith("resolved:")), `${lang}: the company and the resolved person are drawn`, JSON.stringify(ids));
  ok(!ids.includes("entity:us-secret"), `${lang}: the US-ONLY person is not drawn for a Mexican analyst`);
  const resolved = ids.find((i) => i.startsWith("resolved:"));
  // click the resolved person: expand-on-click brings its firearms
  await page.evaluate((id) => window.__puenteGraph.getElementById(id).emit("tap"), resolved);
  await waitFor(page, () => window.__puenteGraph.nodes().some((n) => n.id().startsWith("firearm:")));
  ids = await nodeIds(page);
  ok(ids.filter((i) => i.startsWith("firearm:")).length === 2, `${lang}: a click expands the node (its two firearms)`, JSON.stringify(ids));
  ok((await page.textContent("#graph-list")).includes("entity:co-cartel"), `${lang}: the nodes are listed in a table too`);
  // a path from the dealer to the company, highlighted
  await page.fill("#graph-a", "dealer:5-74-12345");
  await page.fill("#graph-b", "co-cartel");
  await page.click("#graph-find-path");
  await page.waitForSelector("#graph-path");
  const items = await page.$$eval("#graph-path li", (li) => li.map((x) => x.textContent));
  ok(items.length === 4 && items[0].startsWith("dealer:5-74-12345") && items[3].startsWith("entity:co-cartel"), `${lang}: the path's nodes in order`, JSON.stringify(items));
  const lit = await page.evaluate(() => window.__puenteGraph.elements(".path").length);
  ok(lit === 7, `${lang}: the path's 4 nodes and 3 links are highlighted`, String(lit));
  // the connecting network of the dealer, the company and the other firearm's recovery-less purchaser
  await page.evaluate(() => { const cy = window.__puenteGraph; cy.elements().unselect(); cy.getElementById("dealer:5-74-12345").select(); cy.getElementById("entity:co-cartel").select(); });
  await page.click("#graph-net-selected");
  const picked = (await page.inputValue("#graph-net-nodes")).split(" ").sort();
  ok(JSON.stringify(picked) === JSON.stringify(["dealer:5-74-12345", "entity:co-cartel"]), `${lang}: the selected nodes fill the network's field`, JSON.stringify(picked));
  await page.click("#graph-connect");
  await waitFor(page, () => document.querySelector("#graph-msg") && /\d/.test(document.querySelector("#graph-msg").textContent) && window.__puenteGraph.elements(".path").length > 0);
  const net = await page.evaluate(() => window.__puenteGraph.nodes(".path").map((n) => n.id()));
  ok(net.length === 4 && net.includes("dealer:5-74-12345") && net.includes("entity:co-cartel") && net.some((i) => i.startsWith("resolved:")),
     `${lang}: the connecting network of dealer and company runs through the resolved purchaser`, JSON.stringify(net));
  ok(!net.includes("entity:us-secret"), `${lang}: the connecting network holds no US-ONLY node`);
  await page.fill("#graph-net-nodes", "co-cartel");
  await page.click("#graph-connect");
  await waitFor(page, () => document.querySelector("#graph-msg .msg-error"));
  ok(true, `${lang}: one node is refused with a message`);
  await page.fill("#graph-net-nodes", "co-cartel us-secret");
  await page.click("#graph-connect");
  await waitFor(page, () => document.querySelector("#graph-msg .msg-error"));
  ok(!(await page.textContent("#graph-msg")).includes("Informante"), `${lang}: a hidden node named is refused without its name`);
  ok(await page.isVisible("#graph-png"), `${lang}: PNG export for every reader`);
  ok(!(await page.isVisible("#graph-graphml").catch(() => false)), `${lang}: no GraphML export without the export permission`);
  const [png] = await Promise.all([page.waitForEvent("download"), page.click("#graph-png")]);
  ok(png.suggestedFilename() === "puente-graph.png", `${lang}: the drawing downloads as PNG`);
  // the cross-reference below the drawing: purchasers against the store
  await page.selectOption("#xref-a", "trace.purchaser");
  await page.selectOption("#xref-b", "entity");
  await page.click("#xref-run");
  await page.waitForSelector("#xref-list tbody tr");
  const pairs = await page.$$eval("#xref-list tbody tr", (tr) => tr.map((r) => [r.dataset.a, r.dataset.b]));
  ok(pairs.some(([a, b]) => a.startsWith("trace.purchaser:") && b === "entity:p-susan"), `${lang}: xref pairs a purchaser spelling with the designated person`, JSON.stringify(pairs));
  ok(!(await page.textContent("#xref-list")).includes("us-secret"), `${lang}: xref shows no US-ONLY record`);
  await page.click('#xref-list tr[data-b="entity:p-susan"] td:nth-child(3) button.link');
  await waitFor(page, () => window.__puenteGraph.nodes().some((n) => n.id() === "entity:p-susan" || n.id().startsWith("resolved:")));
  ok((await page.inputValue("#graph-node")) === "entity:p-susan", `${lang}: a record of the cross-reference opens in the drawing`);
  await settle(page);
  await languageChecks(page, `network page (${lang})`, lang);
  await h.screenshot(page, `${lang}-graph.png`);
  ok(page.cspErrors.length === 0, `${lang}: no CSP violation or script error`, JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
}

async function exportFlow(browser, base) {
  const page = await newPage(browser, "en");
  await login(page, base, "atf.supervisor");
  await page.goto(`${base}/app/graph/co-cartel`);
  await waitFor(page, () => window.__puenteGraph && window.__puenteGraph.nodes().length >= 3);
  const ids = await nodeIds(page);
  ok(ids.includes("entity:us-secret"), "ATF (US) sees the US-ONLY person");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#graph-graphml")]);
  const text = await (await dl.createReadStream()).toArray().then((b) => Buffer.concat(b).toString());
  ok(text.includes("<graphml") && text.includes('id="entity:co-cartel"'), "GraphML of the drawn nodes", text.slice(0, 200));
  const [dl2] = await Promise.all([page.waitForEvent("download"), page.click("#graph-ftm")]);
  const ftm = await (await dl2.createReadStream()).toArray().then((b) => Buffer.concat(b).toString());
  ok(ftm.split("\n").filter(Boolean).every((l) => JSON.parse(l).schema), "FtM lines of the drawn nodes and links");
  await page.click("#graph-save");
  await page.waitForSelector("#graph-msg .msg-ok");
  // judging in the cross-reference: unsure, then revoked
  await page.click("#xref-run");
  await page.waitForSelector('#xref-list tr[data-b="entity:p-susan"]');
  const row = '#xref-list tr[data-b="entity:p-susan"]';
  ok((await page.textContent(`${row} .xref-verdict`)).trim() === "—", "xref: no verdict yet");
  await page.click(`${row} button.xref-unsure`);
  await waitFor(page, (r) => { const c = document.querySelector(`${r} .xref-verdict`); return c && c.textContent.trim() === "unsure"; }, row);
  ok((await page.textContent(`${row} .xref-verdict`)).trim() === "unsure", "xref: the verdict is recorded and shown");
  ok((await page.textContent("#xref-msg")).includes("Judgement recorded"), "xref: the judgement is confirmed");
  await page.click(`${row} button.xref-none`);
  await waitFor(page, (r) => { const c = document.querySelector(`${r} .xref-verdict`); return c && c.textContent.trim() === "—"; }, row);
  ok((await page.textContent(`${row} .xref-verdict`)).trim() === "—", "xref: the verdict is revoked");
  ok(page.cspErrors.length === 0, "export: no CSP violation or script error", JSON.stringify(page.cspErrors.slice(0, 5)));
  await page.context().close();
}

await run(t, async (browser, base) => {
  await analystFlow(browser, base, "en");
  await analystFlow(browser, base, "es");
  await exportFlow(browser, base);
  ok(Object.keys(catalogue.en).includes("graph.title"), "the catalogue holds the page's texts");
});
