// bench.mjs - the web application's speed on the demo data (not a test;
// docs/PERFORMANCE.md "Web pages"). For each page: a fresh browser context
// signed in through the API (the second factor computed from the key the
// operator enrolled), one navigation, and from Chromium's network events:
// bytes transferred (encoded, i.e. compressed where the server compresses),
// the number of API calls, and the time to interactive = from the start of
// the navigation to the end of its last request once the page has settled
// (no request in flight and no loading marker for SETTLE_MS). Each page is
// loaded RUNS times; the median is reported. Prints a Markdown table.
// Usage: node bench.mjs BASE_URL CREDENTIALS_JSON
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { createRequire } from "node:module";

const [base, credFile] = process.argv.slice(2);
const SRC = process.env.PUENTE_SRC || path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const require = createRequire(path.join(SRC, "web", "package.json"));
const { chromium } = require("playwright-core");
const creds = JSON.parse(fs.readFileSync(credFile, "utf8"));
const RUNS = Number(process.env.RUNS || 5);
const SETTLE_MS = 300;
const GOAL = { firstKB: 300, ttiMs: 1000, api: 5 };

function base32(s) {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, val = 0;
  const out = [];
  for (const c of s.replace(/[=\s]/g, "").toUpperCase()) {
    val = ((val << 5) | A.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((val >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
const lastStep = {};
async function code(user) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const s = Math.max(now, (lastStep[user] || 0) + 1);
    if (s <= now + 1) {
      lastStep[user] = s;
      const msg = Buffer.alloc(8);
      msg.writeBigUInt64BE(BigInt(s));
      const mac = crypto.createHmac("sha1", base32(creds[user].totp)).update(msg).digest();
      const o = mac[19] & 15;
      return String((((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) % 1e6).padStart(6, "0");
    }
    await new Promise((r) => setTimeout(r, (now + 1) * 30000 - Date.now() + 200));
  }
}

// One navigation measured with the Chrome DevTools Protocol.
async function measure(ctx, url) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const reqs = new Map();
  let start = null, lastEnd = 0, inflight = 0, quietSince = Date.now();
  cdp.on("Network.requestWillBeSent", (e) => {
    if (start === null && e.type === "Document") start = e.timestamp;
    reqs.set(e.requestId, { url: e.request.url, bytes: 0 });
    inflight++;
  });
  const done = (e, failed) => {
    const r = reqs.get(e.requestId);
    if (!r || r.done) return;
    r.done = true;
    if (!failed) r.bytes = e.encodedDataLength;
    lastEnd = Math.max(lastEnd, e.timestamp);
    inflight--;
    quietSince = Date.now();
  };
  cdp.on("Network.loadingFinished", (e) => done(e, false));
  cdp.on("Network.loadingFailed", (e) => done(e, true));
  await page.goto(url);
  for (;;) {
    await page.waitForTimeout(50);
    const busy = await page.evaluate(() => !!document.querySelector(".loading") || !document.querySelector("main"));
    if (busy || inflight > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= SETTLE_MS) break;
  }
  const all = [...reqs.values()];
  const api = all.filter((r) => new URL(r.url).pathname.startsWith("/api/") && !new URL(r.url).pathname.startsWith("/api/v1/i18n/"));
  const result = {
    bytes: all.reduce((s, r) => s + r.bytes, 0),
    api: api.length,
    apiPaths: api.map((r) => new URL(r.url).pathname),
    tti: (lastEnd - start) * 1000,
  };
  await page.close();
  return result;
}

async function signedIn(browser, user) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  const body = { user, password: creds[user].password };
  if (creds[user].totp) body.code = await code(user);
  const r = await ctx.request.post(`${base}/api/v1/web/session`, { data: body, headers: { "Accept-Language": "en" } });
  if (!r.ok()) throw new Error(`sign-in of ${user}: ${r.status()} ${await r.text()}`);
  return ctx;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const PAGES = [
  [null, "/app/login", "sign in (first load, no session)"],
  ["dea.analyst", "/app/home", "home (analyst)"],
  ["dea.analyst", "/app/search", "search and screening"],
  ["dea.analyst", "/app/alerts", "early warning + curator queue"],
  ["dea.analyst", "/app/cargo", "cargo"],
  ["dea.analyst", "/app/entity/ofac-4697", "record (OFAC, 48 links)"],
  ["cbp.supervisor", "/app/entity/dea-case-0002", "record with its readers (supervisor)"],
  ["dea.analyst", "/app/security", "second factor"],
  ["spf.forensic", "/app/kinship", "kinship"],
  ["fgr.analyst", "/app/trace", "firearms tracing (maps, histogram, leads)"],
  ["cnb.tips", "/app/home", "home (tip handler)"],
  ["dea.admin", "/app/admin", "administration"],
  ["fgr.auditor", "/app/audit", "audit trail"],
];

const browser = await chromium.launch({
  executablePath: process.env.PUENTE_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const rows = [];
for (const [user, url, label] of PAGES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = user ? await signedIn(browser, user) : await browser.newContext({ locale: "en-US" });
    runs.push(await measure(ctx, `${base}${url}`));
    await ctx.close();
  }
  const m = { label, url, bytes: median(runs.map((r) => r.bytes)), api: Math.max(...runs.map((r) => r.api)), tti: median(runs.map((r) => r.tti)), ttiMax: Math.max(...runs.map((r) => r.tti)), paths: runs[0].apiPaths };
  rows.push(m);
  console.error(`${label}: ${(m.bytes / 1024).toFixed(1)} KB, ${m.api} API calls, ${m.tti.toFixed(0)} ms (max ${m.ttiMax.toFixed(0)})`);
}
await browser.close();
console.log(`| page | URL | transferred (KB, compressed) | API calls | time to interactive, median of ${RUNS} (max) | goals met |`);
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  const met = r.bytes / 1024 < GOAL.firstKB && r.tti < GOAL.ttiMs && r.api <= GOAL.api;
  console.log(`| ${r.label} | \`${r.url}\` | ${(r.bytes / 1024).toFixed(1)} | ${r.api} | ${r.tti.toFixed(0)} ms (${r.ttiMax.toFixed(0)}) | ${met ? "yes" : "**no**"} |`);
}
console.log("");
for (const r of rows) console.log(`- \`${r.url}\`: ${r.paths.join(", ") || "no API call"}`);
