// api.js - the JSON API as the pages use it: same origin, the session
// cookie, and the session's CSRF token on every state-changing request.
let csrf = "";

export function setCsrf(token) {
  csrf = token || "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : "";
    this.field = body && body.error ? body.error.field : "";
  }
}

// Hook called on 401 (the session is gone: back to the login page).
let onUnauthenticated = () => {};
export function setOnUnauthenticated(fn) {
  onUnauthenticated = fn;
}

export async function api(method, path, body, opts = {}) {
  const headers = {};
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrf;
  Object.assign(headers, opts.headers || {}); /* e.g. X-Puente-Purpose (pages/protect.js) */
  let payload;
  if (body !== undefined) {
    if (typeof Blob !== "undefined" && body instanceof Blob) {
      payload = body; /* a file upload: the file is the body (pages/files.js) */
      headers["Content-Type"] = opts.type || body.type || "application/octet-stream";
    } else if (typeof body === "string") {
      payload = body;
      headers["Content-Type"] = opts.type || "text/plain";
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (opts.blob && res.ok) return { blob: await res.blob(), headers: res.headers }; // a file download (pages/files.js)
  let data = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (opts.text && res.ok) return { text, type: res.headers.get("Content-Type") }; // a download (graph exports)
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !opts.quiet401) onUnauthenticated(err);
    throw err;
  }
  return data;
}

export const get = (p, o) => api("GET", p, undefined, o);
export const post = (p, b, o) => api("POST", p, b, o);
