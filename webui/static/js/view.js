// The message view: the header block and the tabs (HTML, Text, Headers,
// Raw, MIME, Attachments, Links, Envelope). Mail content only ever reaches
// the page as text nodes, and the HTML body only inside a sandboxed iframe
// without allow-scripts or allow-same-origin, loaded from /html (which the
// server serves under a CSP that blocks script and remote content).

import { api, messagePath, partPath } from "./api.js";
import { h, clear, addr, safeURL, size, fullTime } from "./dom.js";

const rawDisplayLimit = 2 << 20; // characters of source shown; the rest is in the .eml

const tabs = [
  { id: "html", label: "HTML" },
  { id: "text", label: "Text" },
  { id: "headers", label: "Headers" },
  { id: "raw", label: "Raw" },
  { id: "mime", label: "MIME" },
  { id: "attachments", label: "Attachments" },
  { id: "links", label: "Links" },
  { id: "envelope", label: "Envelope" },
];

export class MessageView {
  constructor(root) {
    this.root = root;
    this.subject = root.querySelector("#msg-subject");
    this.meta = root.querySelector("#msg-meta");
    this.tablist = root.querySelector("#tabs");
    this.panels = root.querySelector("#panels");
    this.toggleRead = root.querySelector("#toggle-read");
    this.download = root.querySelector("#download");
    this.msg = null;
    this.tab = "html";
    this.rendered = new Set();
    this.abort = null;
    this.buildTabs();
  }

  buildTabs() {
    this.tabEls = new Map();
    this.panelEls = new Map();
    for (const t of tabs) {
      const tab = h("button", {
        type: "button", role: "tab", id: "tab-" + t.id, class: "tab",
        "aria-controls": "panel-" + t.id, "aria-selected": "false", tabindex: "-1", "data-tab": t.id,
      }, h("span", { class: "tab-label" }, t.label), h("span", { class: "count" }));
      const panel = h("div", {
        role: "tabpanel", id: "panel-" + t.id, class: "panel panel-" + t.id,
        "aria-labelledby": "tab-" + t.id, tabindex: "0", hidden: true,
      });
      this.tabEls.set(t.id, tab);
      this.panelEls.set(t.id, panel);
      this.tablist.appendChild(tab);
      this.panels.appendChild(panel);
    }
    this.tablist.addEventListener("click", (e) => {
      const tab = e.target.closest("[role=tab]");
      if (tab) this.select(tab.dataset.tab, true);
    });
    this.tablist.addEventListener("keydown", (e) => {
      const ids = tabs.map((t) => t.id);
      let i = ids.indexOf(this.tab);
      if (e.key === "ArrowRight") i = (i + 1) % ids.length;
      else if (e.key === "ArrowLeft") i = (i - 1 + ids.length) % ids.length;
      else if (e.key === "Home") i = 0;
      else if (e.key === "End") i = ids.length - 1;
      else return;
      e.preventDefault();
      e.stopPropagation();
      this.select(ids[i], true);
      this.tabEls.get(ids[i]).focus();
    });
  }

  /** select shows a tab, rendering its panel on first use. */
  select(id, chosen = false) {
    if (chosen) this.preferred = id;
    this.tab = id;
    for (const [tid, tab] of this.tabEls) {
      const on = tid === id;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      this.panelEls.get(tid).hidden = !on;
    }
    if (this.msg && !this.rendered.has(id)) {
      this.rendered.add(id);
      this["render_" + id](this.panelEls.get(id), this.msg);
    }
  }

  /** loading empties the view while a message is fetched. */
  loading(summary) {
    this.abort?.abort();
    this.abort = new AbortController();
    this.msg = null;
    this.rendered.clear();
    for (const p of this.panelEls.values()) clear(p);
    this.subject.textContent = summary?.subject || (summary ? "(no subject)" : "Loading…");
    clear(this.meta);
    this.root.setAttribute("aria-busy", "true");
    return this.abort.signal;
  }

  /** reset empties the view (no message shown). */
  reset() {
    this.loading(null);
    this.root.removeAttribute("aria-busy");
    this.subject.textContent = "";
  }

  /** show renders a full message from GET /api/v1/messages/{id}. */
  show(m) {
    this.msg = m;
    this.root.removeAttribute("aria-busy");
    this.subject.textContent = m.subject || "(no subject)";
    this.subject.classList.toggle("none", !m.subject);
    this.renderMeta(m);
    this.setRead(m.read);
    this.download.href = messagePath(m.id) + "/raw";
    this.download.setAttribute("download", fileName(m.subject || m.id) + ".eml");
    const atts = attachments(m.parts);
    const links = (m.links || []).filter(safeURL);
    this.count("attachments", atts.length);
    this.count("links", links.length);
    this.tabEls.get("html").classList.toggle("muted", !m.html);
    this.tabEls.get("text").classList.toggle("muted", !m.text);
    // Stay on the tab the reader chose, unless this message has nothing there.
    const empty = { html: !m.html, text: !m.text, attachments: !atts.length, links: !links.length };
    let tab = this.preferred || "html";
    if (empty[tab]) tab = m.html ? "html" : "text";
    this.select(tab);
  }

  /** notFound says the message is gone. */
  notFound(text) {
    this.loading(null);
    this.root.removeAttribute("aria-busy");
    this.subject.textContent = text;
    for (const p of this.panelEls.values()) p.hidden = true;
  }

  setRead(read) {
    if (this.msg) this.msg.read = read;
    this.toggleRead.textContent = read ? "Mark unread" : "Mark read";
  }

  count(id, n) {
    this.tabEls.get(id).querySelector(".count").textContent = n ? String(n) : "";
  }

  renderMeta(m) {
    const dl = clear(this.meta);
    const row = (label, value, cls) => {
      if (!value) return;
      dl.append(h("div", { class: "meta-row " + (cls || "") }, h("dt", {}, label), h("dd", {}, value)));
    };
    row("From", addr(m.from) || (m.envelope?.mailFrom ? m.envelope.mailFrom : "(none)"));
    row("To", (m.to || []).map(addr).join(", "));
    row("Cc", (m.cc || []).map(addr).join(", "));
    row("Bcc", bcc(m).join(", "), "bcc");
    const date = validDate(m.date) ? m.date : m.receivedAt;
    row("Date", fullTime(date));
    row("Size", size(m.size));
  }

  render_html(p, m) {
    if (!m.html) {
      p.append(h("p", { class: "empty" }, "This message has no HTML body."));
      return;
    }
    // The API counts the remote resources /html blocks.
    const remote = m.remoteContent > 0;
    const frame = (query) => {
      const f = h("iframe", {
        class: "html-frame", title: "HTML body of the message",
        // No allow-scripts, no allow-same-origin: the body runs no script and
        // gets an opaque origin (no cookies, no storage, no access to this
        // page). allow-popups lets a click on a link open it in a new tab.
        sandbox: "allow-popups allow-popups-to-escape-sandbox",
        referrerpolicy: "no-referrer",
        src: messagePath(m.id) + "/html" + query,
      });
      // data-loaded: a hook for tests, set once the body and its images loaded.
      f.addEventListener("load", () => { f.dataset.loaded = "1"; }, { once: true });
      return f;
    };
    let f = frame("");
    if (remote) {
      const btn = h("button", { type: "button", class: "btn", id: "load-remote" }, "Load remote content");
      const notice = h("div", { class: "notice", role: "note", id: "remote-notice" }, iconText(),
        h("span", {}, "Remote images and content are blocked to protect your privacy."), btn);
      btn.addEventListener("click", () => {
        const nf = frame("?remote=1");
        f.replaceWith(nf);
        f = nf;
        notice.remove();
      });
      p.append(notice);
    }
    p.append(f);
  }

  render_text(p, m) {
    if (!m.text) {
      p.append(h("p", { class: "empty" }, "This message has no plain-text body."));
      return;
    }
    p.append(h("pre", { class: "text-body", text: m.text }));
  }

  render_headers(p, m) {
    const rows = (m.headers || []).map((f) =>
      h("tr", {}, h("th", { scope: "row" }, f.name), h("td", {}, f.value)));
    p.append(h("table", { class: "headers" }, h("caption", { class: "vh" }, "Message headers"), h("tbody", {}, rows)));
  }

  async render_raw(p, m) {
    const pre = h("pre", { class: "raw", text: "Loading…" });
    p.append(pre);
    try {
      let raw = await api.raw(m.id, this.abort?.signal);
      if (raw.length > rawDisplayLimit) {
        p.prepend(h("p", { class: "notice" }, `Showing the first ${size(rawDisplayLimit)} of ${size(m.size)}; download the .eml for the rest.`));
        raw = raw.slice(0, rawDisplayLimit);
      }
      pre.textContent = raw;
    } catch (e) {
      if (e.name !== "AbortError") pre.textContent = "Could not load the source: " + e.message;
    }
  }

  render_mime(p, m) {
    const node = (part) => {
      const bits = [
        h("code", { class: "part-id" }, part.id || "root"),
        h("span", { class: "ctype" }, part.contentType || "text/plain"),
      ];
      if (part.charset) bits.push(h("span", { class: "tag" }, part.charset));
      if (part.disposition) bits.push(h("span", { class: "tag" }, part.disposition));
      if (part.filename) bits.push(h("span", { class: "fname" }, part.filename));
      if (part.contentId) bits.push(h("span", { class: "tag" }, "cid:" + part.contentId));
      bits.push(h("span", { class: "psize" }, size(part.size)));
      if (part.id && !part.parts.length) {
        bits.push(h("a", { href: partPath(m.id, part.id) + "?download=1", download: part.filename || "part-" + part.id, class: "plink" }, "download"));
      }
      const li = h("li", {}, h("div", { class: "part" }, bits));
      if (part.parts.length) li.append(h("ul", {}, part.parts.map(node)));
      return li;
    };
    const roots = m.parts;
    if (!roots.length) {
      p.append(h("p", { class: "empty" }, "No MIME structure."));
      return;
    }
    p.append(h("ul", { class: "tree" }, roots.map(node)));
  }

  render_attachments(p, m) {
    const list = attachments(m.parts);
    if (!list.length) {
      p.append(h("p", { class: "empty" }, "No attachments."));
      return;
    }
    p.append(h("ul", { class: "atts" }, list.map((a) => h("li", { class: "att" },
      h("span", { class: "att-name" }, a.filename || "(unnamed " + (a.contentType || "part") + ")"),
      h("span", { class: "att-type" }, a.contentType || ""),
      h("span", { class: "att-size" }, size(a.size)),
      h("a", { class: "btn", href: partPath(m.id, a.id) + "?download=1", download: a.filename || "attachment-" + a.id,
        "aria-label": "Download " + (a.filename || "attachment " + a.id) }, "Download")))));
  }

  render_links(p, m) {
    const links = (m.links || []).map(safeURL).filter(Boolean);
    if (!links.length) {
      p.append(h("p", { class: "empty" }, "No links."));
      return;
    }
    p.append(h("ol", { class: "links" }, links.map((u) =>
      h("li", {}, h("a", { href: u, target: "_blank", rel: "noopener noreferrer" }, u)))));
  }

  render_envelope(p, m) {
    const e = m.envelope || {};
    const dl = h("dl", { class: "env" });
    const row = (k, v) => dl.append(h("div", { class: "meta-row" }, h("dt", {}, k), h("dd", {}, v)));
    row("MAIL FROM", e.mailFrom ? "<" + e.mailFrom + ">" : "<> (null sender)");
    row("RCPT TO", (e.rcptTo || []).map((r) => "<" + r + ">").join(", ") || "—");
    row("HELO", e.helo || "—");
    row("Remote address", e.remoteAddr || "—");
    row("AUTH user", e.authUser || "—");
    row("TLS", e.tls ? "yes" : "no");
    row("Received", fullTime(m.receivedAt));
    p.append(h("h3", { class: "sub" }, "Envelope"), dl, h("h3", { class: "sub" }, "SMTP transcript"));
    const t = m.transcript.join("\n");
    p.append(t ? h("pre", { class: "transcript", text: t }) : h("p", { class: "empty" }, "No SMTP transcript (the message was not received over SMTP)."));
  }
}

function iconText() {
  return h("span", { class: "notice-icon", "aria-hidden": "true" }, "!");
}

/** attachments lists the leaf parts (of the API's parts tree) that are attachments or have a file name. */
export function attachments(parts) {
  const out = [];
  const walk = (p) => {
    if (p.parts.length) { p.parts.forEach(walk); return; }
    if (p.disposition === "attachment" || p.filename) out.push(p);
  };
  parts.forEach(walk);
  return out;
}

/** bcc lists the envelope recipients that no To or Cc header names. */
function bcc(m) {
  if (Array.isArray(m.bcc)) return m.bcc.map(addr).filter(Boolean);
  const seen = new Set([...(m.to || []), ...(m.cc || [])].map((a) => (a.address || "").toLowerCase()));
  return (m.envelope?.rcptTo || []).filter((r) => !seen.has(r.toLowerCase()));
}

function validDate(s) {
  const t = Date.parse(s);
  return Number.isFinite(t) && t > 0;
}

function fileName(s) {
  return s.replace(/[\\/:*?"<>|\x00-\x1f]+/g, "_").trim().slice(0, 80) || "message";
}
