// build-maps.cjs - the trace page's map data (docs/web.md, "Maps"), built at
// `make` time from two npm packages into one small JSON file the trace page
// fetches lazily (OUT/trace-maps.json; no other page loads it):
//  - US states: us-atlas states-albers-10m.json (U.S. Census Bureau
//    cartographic boundaries, already projected with Albers USA at 975x610),
//    decoded with topojson-client; arcs are thinned to whole pixels on the
//    topology, so neighbouring states keep one shared border;
//  - Mexican states: @svg-maps/mexico (MapSVG, CC BY 4.0), whose paths are
//    re-written with whole-pixel absolute points (shared borders stay
//    identical because the same points round the same way).
// Each state becomes {code, name, d}: code is the USPS code or the
// ISO 3166-2:MX code the trace engine uses. See web/maps/SOURCE.md.
// Usage: node build-maps.cjs WEB_DIR OUT_FILE
"use strict";
const fs = require("fs");
const path = require("path");

const web = path.resolve(process.argv[2]);
const out = process.argv[3];
const req = (p) => path.join(web, "node_modules", p);
const topojson = require(req("topojson-client"));

// Pixels below which a point is dropped when thinning a US border arc.
const US_TOLERANCE_PX = 1;

const US_CODES = {
  Alabama: "AL", Alaska: "AK", Arizona: "AZ", Arkansas: "AR", California: "CA", Colorado: "CO", Connecticut: "CT",
  Delaware: "DE", "District of Columbia": "DC", Florida: "FL", Georgia: "GA", Hawaii: "HI", Idaho: "ID",
  Illinois: "IL", Indiana: "IN", Iowa: "IA", Kansas: "KS", Kentucky: "KY", Louisiana: "LA", Maine: "ME",
  Maryland: "MD", Massachusetts: "MA", Michigan: "MI", Minnesota: "MN", Mississippi: "MS", Missouri: "MO",
  Montana: "MT", Nebraska: "NE", Nevada: "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
  "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", Ohio: "OH", Oklahoma: "OK", Oregon: "OR",
  Pennsylvania: "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", Tennessee: "TN",
  Texas: "TX", Utah: "UT", Vermont: "VT", Virginia: "VA", Washington: "WA", "West Virginia": "WV",
  Wisconsin: "WI", Wyoming: "WY",
};

// A ring of absolute points as a relative SVG path with whole pixels.
function ringPath(points) {
  const k = [];
  for (const [x, y] of points) {
    const X = Math.round(x);
    const Y = Math.round(y);
    if (k.length && k[k.length - 1][0] === X && k[k.length - 1][1] === Y) continue;
    k.push([X, Y]);
  }
  if (k.length < 3) return "";
  let d = `M${k[0][0]} ${k[0][1]}`;
  for (let i = 1; i < k.length; i++) d += `l${k[i][0] - k[i - 1][0]} ${k[i][1] - k[i - 1][1]}`;
  return `${d}z`;
}

function geometryPath(g) {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
  return polys.flatMap((p) => p.map(ringPath)).join("");
}

// Thin every arc of a quantized topology in place, keeping its ends.
function thinArcs(topo, tol) {
  const [sx, sy] = topo.transform.scale;
  topo.arcs = topo.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    const abs = arc.map(([dx, dy]) => [(x += dx), (y += dy)]);
    const kept = [abs[0]];
    for (let i = 1; i < abs.length - 1; i++) {
      const [px, py] = kept[kept.length - 1];
      if (Math.hypot((abs[i][0] - px) * sx, (abs[i][1] - py) * sy) >= tol) kept.push(abs[i]);
    }
    if (abs.length > 1) kept.push(abs[abs.length - 1]);
    return kept.map((p, i) => (i ? [p[0] - kept[i - 1][0], p[1] - kept[i - 1][1]] : p));
  });
}

function usStates() {
  const topo = JSON.parse(fs.readFileSync(req("us-atlas/states-albers-10m.json"), "utf8"));
  thinArcs(topo, US_TOLERANCE_PX);
  const fc = topojson.feature(topo, topo.objects.states);
  const states = fc.features.map((f) => {
    const code = US_CODES[f.properties.name];
    if (!code) throw new Error(`us-atlas: no USPS code for ${f.properties.name}`);
    return { code, name: f.properties.name, d: geometryPath(f.geometry) };
  });
  return { viewBox: "0 0 975 610", states };
}

// The @svg-maps path grammar: m/M then pairs (implicit l/L), l, L, z.
function parseRings(d) {
  const toks = d.match(/[mMlLzZ]|-?\d*\.?\d+(?:e-?\d+)?/g);
  const rings = [];
  let cmd = null;
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  let cur = null;
  for (let i = 0; i < toks.length; ) {
    const tk = toks[i];
    if (/[a-zA-Z]/.test(tk)) {
      cmd = tk;
      i++;
      if (cmd === "z" || cmd === "Z") {
        if (cur) rings.push(cur);
        cur = null;
        x = sx;
        y = sy;
      } else if (!"mMlL".includes(cmd)) {
        throw new Error(`@svg-maps/mexico: unexpected path command ${cmd}`);
      }
      continue;
    }
    const a = Number(toks[i]);
    const b = Number(toks[i + 1]);
    i += 2;
    if (cmd === "m" || cmd === "M") {
      if (cur) rings.push(cur);
      if (cmd === "m") [x, y] = [x + a, y + b];
      else [x, y] = [a, b];
      [sx, sy] = [x, y];
      cur = [[x, y]];
      cmd = cmd === "m" ? "l" : "L";
    } else if (cmd === "l") {
      [x, y] = [x + a, y + b];
      cur.push([x, y]);
    } else {
      [x, y] = [a, b];
      cur.push([x, y]);
    }
  }
  if (cur) rings.push(cur);
  return rings;
}

function mxStates() {
  const text = fs.readFileSync(req("@svg-maps/mexico/index.js"), "utf8").replace(/^\s*export default\s*/, "").replace(/;\s*$/, "");
  const map = JSON.parse(text);
  const states = map.locations.map((l) => ({
    code: l.id.toUpperCase(),
    name: l.name,
    d: parseRings(l.path).map(ringPath).join(""),
  }));
  if (states.length !== 32) throw new Error(`@svg-maps/mexico: expected 32 states, got ${states.length}`);
  return { viewBox: map.viewBox, states };
}

const data = {
  sources: {
    us: "us-atlas 3.0.1 states-albers-10m (U.S. Census Bureau cartographic boundary files; ISC licence)",
    mx: "@svg-maps/mexico 2.0.0 by Victor Cazanave, based on MapSVG (mapsvg.com), CC BY 4.0",
  },
  us: usStates(),
  mx: mxStates(),
};
fs.writeFileSync(out, JSON.stringify(data));
