// trace_rules.js - the trace request form's rules, the same as the engine's
// (src/trace/trace_norm.c trace_serial_norm, src/trace/trace_form.c
// trace_req_validate), so the form says what is wrong as the user types.
// The server validates again on submit; tests/web/trace.mjs checks on a
// table of cases that these rules and the API's dry run agree. No DOM: the
// test imports this module in Node.
// separators dropped from a serial (serial_sep)
const SEP = /[ \t\-./_]/;
const SERIAL_MAX = 32;
// The normalised pattern, or {error: key} as the engine would refuse it.
export function checkSerial(rawSerial) {
  let out = "";
  let chars = 0;
  let inSet = false;
  let leading = true;
  let wild = false;
  for (const c of rawSerial) {
    if (SEP.test(c) && !inSet) continue;
    if ((c === "?" || c === "*") && !inSet) {
      wild = true;
      leading = false;
    } else if (c === "[" && !inSet) {
      inSet = true;
      wild = true;
      leading = false;
    } else if (c === "]" && inSet) {
      if (out.endsWith("[")) return { error: "trace.err.serial_set" };
      inSet = false;
      chars++;
      out += "]";
      continue;
    } else if (/^[A-Za-z0-9]$/.test(c)) {
      let f = c.toUpperCase();
      if (f === "O") f = "0";
      if (f === "I") f = "1";
      if (leading && f === "0" && !inSet) continue;
      if (!inSet) leading = false;
      out += f;
      if (!inSet) chars++;
      continue;
    } else if (inSet && SEP.test(c)) {
      continue;
    } else {
      return { error: "trace.err.serial_chars", char: c };
    }
    out += c;
    if (!inSet && c !== "[") chars++;
  }
  if (inSet) return { error: "trace.err.serial_set" };
  if (chars > SERIAL_MAX || out.length > 38) return { error: "trace.err.serial_long" };
  if (!out && !/[0oO]/.test(rawSerial)) return { error: "trace.err.serial_empty" };
  if (wild && (out.match(/[A-Z0-9]/g) || []).length < 2) return { error: "trace.err.serial_partial" };
  return { norm: out || "0", wild };
}

// Every field's error key (or null), the engine's rules, given all values.
export function validateForm(v, today) {
  const e = {};
  const isDate = (s) => {
    // pu_parse_date: YYYY-MM-DD with a day the month has
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  };
  for (const k of ["crime_code", "manufacturer", "type", "recovery_date", "recovery_state"]) if (!v[k] || !v[k].trim()) e[k] = "trace.err.required";
  if (v.serial && v.serial.trim()) {
    const s = checkSerial(v.serial);
    if (s.error) e.serial = s.error;
  } else if (!v.obliterated) {
    e.serial = "trace.err.serial_required";
  }
  for (const k of ["request_date", "possessor_dob", "recovery_date"]) {
    if (!v[k] || e[k]) continue;
    if (!isDate(v[k])) e[k] = "trace.err.date";
    else if (v[k] > today) e[k] = "trace.err.future";
  }
  const req = v.request_date || today;
  if (!e.recovery_date && v.recovery_date && v.recovery_date > req) e.recovery_date = "trace.err.after_request";
  if (!e.possessor_dob && v.possessor_dob && v.recovery_date && v.possessor_dob > v.recovery_date) e.possessor_dob = "trace.err.born_after";
  return e;
}

