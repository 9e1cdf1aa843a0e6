// The HTTP API of DESIGN.md "HTTP API", as small fetch wrappers.

const base = "/api/v1";

/** APIError carries the HTTP status and the server's {"error"} text. */
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, { body, params, signal, as = "json" } = {}) {
  let url = base + path;
  if (params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += "?" + s;
  }
  const init = { method, signal, headers: {}, cache: "no-store" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(url, init);
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try {
      const j = await res.json();
      if (j && typeof j.error === "string") msg = j.error;
    } catch { /* not JSON */ }
    throw new APIError(res.status, msg);
  }
  if (as === "text") return res.text();
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** messagePath is the API path of a message, with the ID escaped. */
export const messagePath = (id) => base + "/messages/" + encodeURIComponent(id);

/** partPath is the URL of one decoded MIME part ("1.2": encodeURIComponent leaves the dots). */
export const partPath = (id, part) => messagePath(id) + "/parts/" + encodeURIComponent(part);

export const api = {
  list: (filter, offset, limit, signal) =>
    call("GET", "/messages", { params: { ...filter, offset, limit }, signal }),
  get: (id, signal) => call("GET", "/messages/" + encodeURIComponent(id), { signal }),
  raw: (id, signal) => call("GET", "/messages/" + encodeURIComponent(id) + "/raw", { signal, as: "text" }),
  setRead: (id, read) => call("PUT", "/messages/" + encodeURIComponent(id) + "/read", { body: { read } }),
  remove: (id) => call("DELETE", "/messages/" + encodeURIComponent(id)),
  removeAll: (filter) => call("DELETE", "/messages", { params: filter }),
  mailboxes: (signal) => call("GET", "/mailboxes", { signal }),
  info: (signal) => call("GET", "/info", { signal }),
};
