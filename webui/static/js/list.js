// The message list: rows for the loaded summaries, newest first, with a
// cursor for keyboard navigation. It holds only the pages loaded so far
// (pages of 100), so 10,000+ stored messages cost nothing until scrolled to.

import { h, icon, relTime, fullTime, sender, size } from "./dom.js";

export class MessageList {
  /** el is the role=listbox container; onOpen(id) opens a message. */
  constructor(el, { onOpen }) {
    this.el = el;
    this.onOpen = onOpen;
    this.items = [];          // summaries in list order
    this.rows = new Map();    // id -> row element
    this.cursor = -1;         // index of the active row
    this.openId = "";         // the message shown in the view
    el.addEventListener("click", (e) => {
      const row = e.target.closest(".row");
      if (!row) return;
      this.setCursor(this.indexOf(row.dataset.id));
      this.onOpen(row.dataset.id);
    });
  }

  get length() { return this.items.length; }
  indexOf(id) { return this.items.findIndex((m) => m.id === id); }
  has(id) { return this.rows.has(id); }
  get(id) { return this.items[this.indexOf(id)]; }
  current() { return this.items[this.cursor]; }

  /** replace shows a fresh first page, keeping the cursor on the same message if it is still there. */
  replace(items) {
    const keep = this.current()?.id;
    this.items = [];
    this.rows.clear();
    this.el.replaceChildren();
    this.cursor = -1;
    this.append(items);
    const i = keep ? this.indexOf(keep) : -1;
    this.setCursor(i >= 0 ? i : (this.items.length ? 0 : -1), false);
  }

  /** append adds the next page, skipping messages already shown. */
  append(items) {
    const frag = document.createDocumentFragment();
    for (const m of items) {
      if (this.rows.has(m.id)) continue;
      const row = this.row(m);
      this.items.push(m);
      this.rows.set(m.id, row);
      frag.appendChild(row);
    }
    this.el.appendChild(frag);
    if (this.cursor < 0 && this.items.length) this.setCursor(0, false);
  }

  /** prepend puts a new message at the top; the cursor stays on its message. */
  prepend(m) {
    if (this.rows.has(m.id)) return false;
    const row = this.row(m);
    row.classList.add("fresh");
    this.items.unshift(m);
    this.rows.set(m.id, row);
    this.el.prepend(row);
    if (this.cursor >= 0) this.cursor++;
    else this.setCursor(0, false);
    return true;
  }

  /** remove drops the given ids; returns how many were shown. */
  remove(ids) {
    let n = 0;
    const cur = this.current()?.id;
    for (const id of ids) {
      const row = this.rows.get(id);
      if (!row) continue;
      row.remove();
      this.rows.delete(id);
      n++;
    }
    if (!n) return 0;
    const gone = new Set(ids);
    const oldCursor = this.cursor;
    this.items = this.items.filter((m) => !gone.has(m.id));
    let i = cur && !gone.has(cur) ? this.indexOf(cur) : Math.min(oldCursor, this.items.length - 1);
    this.cursor = -1;
    this.setCursor(i, false);
    return n;
  }

  /** setRead updates a row's unread mark. */
  setRead(id, read) {
    const m = this.get(id);
    const row = this.rows.get(id);
    if (!m || !row) return;
    m.read = read;
    row.classList.toggle("unread", !read);
    row.querySelector(".vh.state").textContent = read ? "" : "Unread, ";
  }

  /** setOpen marks the row shown in the view. */
  setOpen(id) {
    if (this.openId) this.rows.get(this.openId)?.classList.remove("open");
    this.openId = id || "";
    if (id) this.rows.get(id)?.classList.add("open");
  }

  /** setCursor moves the active row to index i and scrolls it into view. */
  setCursor(i, scroll = true) {
    const prev = this.items[this.cursor];
    if (prev) this.rows.get(prev.id)?.setAttribute("aria-selected", "false");
    if (i < 0 || i >= this.items.length) {
      this.cursor = -1;
      this.el.removeAttribute("aria-activedescendant");
      return;
    }
    this.cursor = i;
    const row = this.rows.get(this.items[i].id);
    row.setAttribute("aria-selected", "true");
    this.el.setAttribute("aria-activedescendant", row.id);
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  /** move moves the cursor by delta rows; returns the new current message. */
  move(delta) {
    if (!this.items.length) return undefined;
    const i = this.cursor < 0 ? 0 : Math.max(0, Math.min(this.items.length - 1, this.cursor + delta));
    this.setCursor(i);
    return this.items[i];
  }

  /** tick refreshes the relative times. */
  tick() {
    const now = Date.now();
    for (const m of this.items) {
      const t = this.rows.get(m.id)?.querySelector("time");
      if (t) t.textContent = relTime(m.receivedAt, now);
    }
  }

  row(m) {
    const subject = m.subject || "(no subject)";
    const row = h("div", {
      role: "option", id: "row-" + m.id, class: "row" + (m.read ? "" : " unread") + (m.id === this.openId ? " open" : ""),
      "aria-selected": "false", "data-id": m.id,
    },
      h("span", { class: "dot", "aria-hidden": "true" }),
      h("span", { class: "vh state" }, m.read ? "" : "Unread, "),
      h("span", { class: "row-main" },
        h("span", { class: "row-top" },
          h("span", { class: "from", text: sender(m) }),
          h("time", { datetime: m.receivedAt, title: fullTime(m.receivedAt), text: relTime(m.receivedAt) })),
        h("span", { class: "row-subject" },
          h("span", { class: "subject" + (m.subject ? "" : " none"), text: subject }),
          m.hasAttachments ? h("span", { class: "clip", title: "Has attachments" },
            icon("clip"), h("span", { class: "vh" }, ", has attachments")) : null),
        h("span", { class: "row-snippet", text: m.snippet || "" })),
      h("span", { class: "row-size", text: size(m.size) }));
    return row;
  }
}
