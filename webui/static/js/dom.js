// DOM and formatting helpers. Captured mail is hostile: every value that
// comes from a message reaches the page through text nodes (textContent),
// never through innerHTML, and attributes are set one by one by name.

/**
 * h builds an element. attrs are set with setAttribute, except "class"
 * (className), "text" (textContent) and boolean false/null (skipped).
 * Children may be nodes, strings (as text nodes), arrays or null.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on") || k === "style" || k === "srcdoc") throw new Error("h: refusing attribute " + k);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** clear removes every child of el. */
export function clear(el) {
  el.replaceChildren();
  return el;
}

/** safeURL returns u when it is an absolute http(s) URL, else "". */
export function safeURL(u) {
  if (typeof u !== "string") return "";
  try {
    const p = new URL(u);
    return p.protocol === "http:" || p.protocol === "https:" ? p.href : "";
  } catch {
    return "";
  }
}

/** addr formats {name, address} as "Name <address>" or the address. */
export function addr(a) {
  if (!a) return "";
  if (typeof a === "string") return a;
  const name = (a.name || "").trim();
  const address = (a.address || "").trim();
  if (name && address && name !== address) return `${name} <${address}>`;
  return name || address;
}

/** sender is the short label of the list: the display name or address. */
export function sender(m) {
  const f = m.from || {};
  return (f.name || "").trim() || (f.address || "").trim()
    || (m.envelope && m.envelope.mailFrom) || "(no sender)";
}

const units = ["B", "KB", "MB", "GB"];

/** size formats a byte count: 512 B, 1.2 KB, 34 KB, 2.5 MB. */
export function size(n) {
  n = Number(n) || 0;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 || n >= 10 ? Math.round(n) : n.toFixed(1)) + " " + units[i];
}

const dayMs = 86400000;

/** relTime formats a date for the list: "now", "5 min", "3 h", "Mon", "12 Mar", "12 Mar 2023". */
export function relTime(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const d = now - t;
  if (d < 45000) return "now";
  if (d < 3600000) return Math.round(d / 60000) + " min";
  if (d < dayMs) return Math.round(d / 3600000) + " h";
  const date = new Date(t);
  if (d < 6 * dayMs) return date.toLocaleDateString(undefined, { weekday: "short" });
  const opts = { day: "numeric", month: "short" };
  if (date.getFullYear() !== new Date(now).getFullYear()) opts.year = "numeric";
  return date.toLocaleDateString(undefined, opts);
}

/** fullTime formats a date in full, in the reader's locale. */
export function fullTime(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || t <= 0) return "";
  return new Date(t).toLocaleString(undefined, {
    weekday: "short", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

/** debounce returns f delayed until ms have passed without another call. */
export function debounce(f, ms) {
  let timer = 0;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => f(...args), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/** throttle runs f at most once per ms, always ending with a trailing call. */
export function throttle(f, ms) {
  let timer = 0, last = 0, pending = false;
  const run = () => { timer = 0; last = Date.now(); pending = false; f(); };
  return () => {
    if (timer) { pending = true; return; }
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(run, wait);
  };
}

const svgNS = "http://www.w3.org/2000/svg";
const icons = {
  clip: "M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5",
  image: "M3 5h18v14H3z M3 16l5-5 4 4 3-3 6 6 M15.5 9.5a1 1 0 1 0 0 .1",
};

/** icon returns a decorative inline SVG icon (aria-hidden). */
export function icon(name) {
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const p = document.createElementNS(svgNS, "path");
  p.setAttribute("d", icons[name]);
  svg.appendChild(p);
  return svg;
}
