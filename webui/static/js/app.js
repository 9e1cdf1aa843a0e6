// intray web inbox: wires the list, the message view, the live event
// stream, search, the mailbox filter, keyboard shortcuts and the theme.

import { api, APIError } from "./api.js";
import { h, debounce, throttle } from "./dom.js";
import { MessageList } from "./list.js";
import { MessageView } from "./view.js";
import { Live } from "./live.js";
import { initTheme } from "./theme.js";

const pageSize = 100;
const maxReload = 1000; // rows reloaded at most after a reconnect or resync

const $ = (sel) => document.querySelector(sel);

const state = {
  filter: { q: "", to: "" },
  total: 0,        // messages matching the filter
  unread: 0,       // unread messages in the whole inbox
  gen: 0,          // generation of the list being loaded; older responses are dropped
  queue: null,     // events that arrive while the list loads, replayed after it
  loadingMore: false,
  openId: "",
  readPending: "", // the open message still to be marked read once loaded
  info: null,
};

const els = {
  layout: $("#layout"),
  list: $("#list"),
  status: $("#list-status"),
  more: $("#more"),
  search: $("#search"),
  mailbox: $("#mailbox"),
  view: $("#view"),
  message: $("#message"),
  empty: $("#view-empty"),
  conn: $("#conn"),
  toast: $("#toast"),
};

const list = new MessageList(els.list, { onOpen: (id) => navigate(id) });
const view = new MessageView(els.message);

// ---- list loading -------------------------------------------------------

function filterParams() {
  const f = {};
  if (state.filter.q) f.q = state.filter.q;
  if (state.filter.to) f.to = state.filter.to;
  return f;
}

const filtered = () => Boolean(state.filter.q || state.filter.to);

/** reload fetches the list from the top, as many rows as are shown (at least a page). */
async function reload() {
  const gen = ++state.gen;
  state.queue = [];
  const limit = Math.min(Math.max(pageSize, Math.ceil(list.length / pageSize) * pageSize), maxReload);
  els.list.setAttribute("aria-busy", "true");
  try {
    const res = await api.list(filterParams(), 0, limit);
    if (gen !== state.gen) return;
    state.total = res.total;
    list.replace(res.messages || []);
    list.setOpen(state.openId);
    if (!performance.getEntriesByName("intray:list").length) performance.mark("intray:list");
  } catch (e) {
    if (gen !== state.gen) return;
    toast("Could not load messages: " + e.message);
  } finally {
    if (gen === state.gen) {
      els.list.removeAttribute("aria-busy");
      const q = state.queue || [];
      state.queue = null;
      for (const ev of q) applyEvent(ev);
      renderStatus();
      refreshCounts();
    }
  }
}

async function loadMore() {
  if (state.loadingMore || state.queue || list.length >= state.total) return;
  state.loadingMore = true;
  const gen = state.gen;
  try {
    const res = await api.list(filterParams(), list.length, pageSize);
    if (gen !== state.gen) return;
    state.total = res.total;
    list.append(res.messages || []);
  } catch (e) {
    toast("Could not load more messages: " + e.message);
    return;
  } finally {
    state.loadingMore = false;
    renderStatus();
  }
  if (gen === state.gen && nearEnd()) loadMore();
}

function renderStatus() {
  const n = list.length;
  els.more.hidden = n >= state.total;
  const fmt = (x) => x.toLocaleString();
  let s;
  if (state.total === 0) s = filtered() ? "No messages match." : "No messages yet.";
  else if (n >= state.total) s = `${fmt(state.total)} message${state.total === 1 ? "" : "s"}`;
  else s = `Showing ${fmt(n)} of ${fmt(state.total)}`;
  els.status.textContent = s;
  els.list.classList.toggle("is-empty", n === 0);
  if (n === 0) {
    const smtp = state.info?.addresses?.smtp || state.info?.smtp || "";
    const hint = filtered() ? "Try another search or mailbox."
      : smtp ? `Point your application's SMTP settings at ${smtp}; mail shows up here at once.`
        : "Mail sent to intray's SMTP port shows up here at once.";
    els.list.replaceChildren(h("div", { class: "list-empty", role: "presentation" },
      h("p", { class: "big" }, filtered() ? "Nothing matches" : "Your inbox is empty"),
      h("p", {}, hint)));
  } else {
    els.list.querySelector(".list-empty")?.remove();
  }
}

// ---- counts: unread in the title, mailboxes with counts -----------------

const refreshCounts = throttle(async () => {
  try {
    const [boxes, info, total] = await Promise.all([
      api.mailboxes(),
      api.info(),
      filtered() ? api.list(filterParams(), 0, 0).then((r) => r.total) : Promise.resolve(null),
    ]);
    state.info = info;
    // info.unread and info.messages are the store's counters; an older
    // server without them is asked with a search instead.
    state.unread = typeof info?.unread === "number" ? info.unread
      : (await api.list({ q: "is:unread" }, 0, 0)).total;
    const t = total ?? (typeof info?.messages === "number" ? info.messages : null);
    if (t !== null && !state.queue && list.length <= t) state.total = t;
    renderMailboxes(Array.isArray(boxes) ? boxes : boxes?.mailboxes || []);
    renderTitle();
    renderStatus();
  } catch { /* offline: the next event or reconnect refreshes */ }
}, 300);

function renderTitle() {
  document.title = state.unread > 0 ? `(${state.unread.toLocaleString()}) intray` : "intray";
}

function renderMailboxes(boxes) {
  const sel = els.mailbox;
  const cur = state.filter.to;
  const opts = [h("option", { value: "" }, "All mailboxes")];
  let found = false;
  for (const b of boxes) {
    if (!b || !b.address) continue;
    if (b.address === cur) found = true;
    const label = `${b.address} (${b.total}${b.unread ? ", " + b.unread + " unread" : ""})`;
    opts.push(h("option", { value: b.address }, label));
  }
  if (cur && !found) opts.push(h("option", { value: cur }, `${cur} (0)`));
  sel.replaceChildren(...opts);
  sel.value = cur;
}

// ---- live events ----------------------------------------------------------

function onEvent(ev) {
  if (ev.type === "resync") { reload(); return; }
  if (state.queue) { state.queue.push(ev); return; }
  applyEvent(ev);
  renderStatus();
  refreshCounts();
}

function applyEvent(ev) {
  switch (ev.type) {
    case "new": {
      const m = ev.message;
      if (!m || !m.id) return;
      if (state.filter.q) { reloadSoon(); return; } // the q language is the server's
      if (state.filter.to && !matchesTo(m, state.filter.to)) return;
      if (list.prepend(m)) {
        state.total++;
        if (!m.read) { state.unread++; renderTitle(); }
      }
      return;
    }
    case "deleted":
    case "evicted": {
      const ids = ev.ids || [];
      const n = list.remove(ids);
      if (!filtered()) state.total = Math.max(list.length, state.total - ids.length);
      else state.total = Math.max(list.length, state.total - n);
      if (ids.includes(state.openId)) closeMessage(ev.type === "evicted" ? "This message was evicted." : "This message was deleted.");
      if (list.length < pageSize && list.length < state.total) loadMore();
      return;
    }
    case "read":
      list.setRead(ev.id, ev.read);
      if (ev.id === state.openId) view.setRead(ev.read);
      return;
    case "reset":
      list.replace([]);
      state.total = 0;
      state.unread = 0;
      renderTitle();
      if (state.openId) closeMessage("");
      return;
  }
}

const reloadSoon = debounce(reload, 150);

/** matchesTo mirrors the server's to= filter: envelope recipients and To/Cc headers, substring, case-insensitive. */
function matchesTo(m, to) {
  const t = to.toLowerCase();
  const all = [...(m.envelope?.rcptTo || []), ...[...(m.to || []), ...(m.cc || [])].map((a) => a.address || "")];
  return all.some((a) => a.toLowerCase().includes(t));
}

function setConn(s, delay) {
  els.conn.dataset.state = s;
  const text = els.conn.querySelector(".conn-text");
  text.textContent = s === "live" ? "Live"
    : s === "connecting" ? "Connecting…"
      : `Offline, retrying in ${Math.max(1, Math.round(delay / 1000))} s`;
  els.conn.title = s === "live" ? "Connected: new mail appears at once" : "Not connected to the server";
}

const live = new Live({
  onEvent,
  onState: setConn,
  onOpen: () => {
    if (!performance.getEntriesByName("intray:live").length) performance.mark("intray:live");
    reload();
    if (state.openId) openMessage(state.openId, { markRead: false });
  },
});

// ---- opening, reading, deleting -------------------------------------------

function navigate(id) {
  const want = id ? "#/m/" + encodeURIComponent(id) : "#/";
  if (location.hash !== want) location.hash = want;
  else route();
}

function route() {
  const m = /^#\/m\/(.+)$/.exec(location.hash);
  const id = m ? decodeURIComponent(m[1]) : "";
  if (id) openMessage(id, { markRead: true });
  else closeMessage();
}

async function openMessage(id, { markRead }) {
  const fresh = state.openId !== id;
  // A reopen (after a reconnect) may abort the first load: the pending
  // "mark read" of opening the message must survive it.
  if (markRead) state.readPending = id;
  else if (fresh) state.readPending = "";
  state.openId = id;
  list.setOpen(id);
  const i = list.indexOf(id);
  if (i >= 0) list.setCursor(i);
  els.layout.classList.add("has-open");
  els.view.hidden = false;
  els.empty.hidden = true;
  els.message.hidden = false;
  const signal = view.loading(list.get(id));
  if (fresh) els.view.scrollTop = 0;
  try {
    const m = await api.get(id, signal);
    if (state.openId !== id) return;
    view.show(m);
    if (state.readPending === id) {
      state.readPending = "";
      if (!m.read) setRead(id, true);
    }
  } catch (e) {
    if (e.name === "AbortError" || state.openId !== id) return;
    view.notFound(e instanceof APIError && e.status === 404 ? "This message no longer exists." : "Could not load the message: " + e.message);
  }
}

function closeMessage(note) {
  state.openId = "";
  list.setOpen("");
  view.reset();
  els.layout.classList.remove("has-open");
  els.message.hidden = true;
  els.empty.hidden = false;
  els.empty.textContent = note || "Select a message to read it.";
  if (/^#\/m\//.test(location.hash)) history.replaceState(null, "", "#/");
}

async function setRead(id, read) {
  list.setRead(id, read);
  if (id === state.openId) view.setRead(read);
  try {
    await api.setRead(id, read);
  } catch (e) {
    toast("Could not mark the message: " + e.message);
  }
}

async function deleteMessage(id) {
  if (!id) return;
  const i = list.indexOf(id);
  const next = list.items[i + 1] || list.items[i - 1];
  const wasOpen = state.openId === id;
  try {
    await api.remove(id);
  } catch (e) {
    if (!(e instanceof APIError && e.status === 404)) {
      toast("Could not delete: " + e.message);
      return;
    }
  }
  if (list.remove([id])) state.total = Math.max(0, state.total - 1);
  renderStatus();
  refreshCounts();
  if (wasOpen) {
    if (next) navigate(next.id);
    else navigate("");
  }
  if (!wasOpen || !next) els.list.focus();
}

async function deleteAll() {
  const dlg = $("#confirm");
  const n = state.total.toLocaleString();
  $("#confirm-title").textContent = filtered() ? "Delete matching messages?" : "Delete all messages?";
  $("#confirm-text").textContent = filtered()
    ? `This deletes the ${n} message${state.total === 1 ? "" : "s"} matching the current search and mailbox. It cannot be undone.`
    : `This deletes every message (${n}) from every mailbox. It cannot be undone.`;
  dlg.returnValue = "";
  dlg.showModal();
  const ok = await new Promise((res) => dlg.addEventListener("close", () => res(dlg.returnValue === "ok"), { once: true }));
  if (!ok) return;
  try {
    await api.removeAll(filterParams());
  } catch (e) {
    toast("Could not delete: " + e.message);
    return;
  }
  if (!filtered()) { list.replace([]); state.total = 0; }
  closeMessage("");
  reload();
  els.list.focus();
}

function toast(text) {
  els.toast.textContent = text;
  els.toast.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { els.toast.hidden = true; }, 5000);
}

// ---- controls and keyboard ------------------------------------------------

function applyFilter() {
  closeMessage();
  els.list.scrollTop = 0;
  reload(); // the old rows stay, dimmed, until the new ones arrive
}

const searchSoon = debounce(() => {
  const q = els.search.value.trim();
  if (q === state.filter.q) return;
  state.filter.q = q;
  applyFilter();
}, 250);

els.search.addEventListener("input", searchSoon);
$("#search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  searchSoon();
  searchSoon.cancel?.();
  const q = els.search.value.trim();
  if (q !== state.filter.q) { state.filter.q = q; applyFilter(); }
  els.list.focus();
});
els.mailbox.addEventListener("change", () => {
  state.filter.to = els.mailbox.value;
  applyFilter();
});
els.more.addEventListener("click", loadMore);
els.list.addEventListener("scroll", () => { if (nearEnd()) loadMore(); }, { passive: true });

/** nearEnd tells whether the list is scrolled to within a screen of its end. */
function nearEnd() {
  const l = els.list;
  return l.scrollTop + 2 * l.clientHeight >= l.scrollHeight;
}

$("#delete-all").addEventListener("click", deleteAll);
$("#back").addEventListener("click", () => { navigate(""); els.list.focus(); });
$("#delete").addEventListener("click", () => deleteMessage(state.openId));
$("#toggle-read").addEventListener("click", () => {
  const m = view.msg;
  if (m) setRead(m.id, !m.read);
});
$("#help-btn").addEventListener("click", () => $("#help").showModal());
window.addEventListener("hashchange", route);

function typing(el) {
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  const t = e.target;
  if (e.key === "Escape") {
    if (t === els.search) {
      if (els.search.value) { els.search.value = ""; searchSoon(); } else els.list.focus();
    } else if (state.openId) {
      navigate("");
      els.list.focus();
    } else return;
    e.preventDefault();
    return;
  }
  if (typing(t)) return;
  const inList = t === els.list || t === document.body || t === document.documentElement;
  const step = (d) => {
    e.preventDefault();
    if (t === document.body || t === document.documentElement) els.list.focus({ preventScroll: true });
    const m = list.move(d);
    if (m && state.openId && state.openId !== m.id) navigate(m.id);
    if (m && list.cursor >= list.length - 5) loadMore();
  };
  switch (e.key) {
    case "j": step(1); return;
    case "k": step(-1); return;
    case "ArrowDown": if (inList) step(1); return;
    case "ArrowUp": if (inList) step(-1); return;
    case "Home": if (t === els.list) { e.preventDefault(); list.setCursor(0); } return;
    case "End": if (t === els.list) { e.preventDefault(); list.setCursor(list.length - 1); } return;
    case "Enter":
      if (inList && list.current()) { e.preventDefault(); navigate(list.current().id); }
      return;
    case "Delete":
      e.preventDefault();
      deleteMessage(state.openId || list.current()?.id);
      return;
    case "u": {
      const id = state.openId || list.current()?.id;
      const m = list.get(id) || view.msg;
      if (m) setRead(id, !m.read);
      return;
    }
    case "/":
      e.preventDefault();
      els.search.focus();
      els.search.select();
      return;
    case "?":
      $("#help").showModal();
      return;
  }
});

setInterval(() => list.tick(), 30000);
initTheme($("#theme"));
renderTitle();
route();
// The list loads once the event stream is up (so that no event falls
// between the snapshot and the subscription); if the stream is slow to
// come, the list loads anyway and reloads when it does.
live.start();
setTimeout(() => { if (!list.length && !state.queue && els.conn.dataset.state !== "live") reload(); }, 400);
