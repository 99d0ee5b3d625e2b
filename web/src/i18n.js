// i18n.js - the web side of the one message catalogue (src/i18n/messages.tsv,
// served by GET /api/v1/i18n/{lang}); dates and numbers per locale (Intl).
let messages = {};
let lang = "en";
const missing = new Set();

export async function loadCatalogue(want) {
  const res = await fetch(`/api/v1/i18n/${want}`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`catalogue ${want}: ${res.status}`);
  const body = await res.json();
  messages = body.messages;
  lang = want;
  document.documentElement.lang = body.lang;
  window.__puenteMissing = missing; // read by the end-to-end test
}

export function currentLang() {
  return lang;
}

export function locale() {
  return lang === "es" ? "es-MX" : "en-US";
}

// t("cargo.uploaded", {n: 3, holds: 1}) -> the text with {n} replaced.
export function t(key, vars) {
  let s = messages[key];
  if (s === undefined) {
    missing.add(key);
    s = key;
  }
  if (vars) s = s.replace(/\{([a-z_]+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// A value shown to users (status, decision, marking, rule name...): its
// catalogue text under prefix, else the value itself marked as data.
export function tv(prefix, value) {
  const key = `${prefix}.${String(value).toLowerCase().replace(/[^a-z0-9_-]+/g, "_")}`;
  return key in messages ? messages[key] : String(value);
}

// The catalogue's keys under a prefix ("substance.").
export function keysWith(prefix) {
  return Object.keys(messages).filter((k) => k.startsWith(prefix));
}

export function has(key) {
  return key in messages;
}

export function num(n, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
}

export function pct(x) {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(x);
}

export function date(iso) {
  if (!iso) return "";
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts = iso.length === 10 ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}
