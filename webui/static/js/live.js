// The live event stream: a websocket to /api/v1/events that reconnects by
// itself with exponential backoff (0.5 s doubling to 10 s, with jitter).

const minDelay = 500;
const maxDelay = 10000;

/**
 * Live connects to the event stream. onEvent gets each parsed event;
 * onState gets "connecting", "live" or "offline" (with the retry delay in
 * ms); onOpen runs on every (re)connection, after which the caller reloads
 * what it shows, since events may have been missed while it was away.
 */
export class Live {
  constructor({ onEvent, onState, onOpen }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.onOpen = onOpen;
    this.delay = minDelay;
    this.ws = null;
    this.timer = 0;
    this.stopped = false;
    document.addEventListener("visibilitychange", () => {
      // Coming back to the tab: retry now instead of waiting out the backoff.
      if (!document.hidden && !this.ws && !this.stopped) this.retryNow();
    });
    window.addEventListener("online", () => { if (!this.ws) this.retryNow(); });
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  retryNow() {
    clearTimeout(this.timer);
    this.delay = minDelay;
    this.connect();
  }

  connect() {
    this.onState("connecting");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    let ws;
    try {
      ws = new WebSocket(`${proto}//${location.host}/api/v1/events`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.delay = minDelay;
      this.onState("live");
      this.onOpen();
    };
    ws.onmessage = (e) => {
      let ev;
      try { ev = JSON.parse(e.data); } catch { return; }
      if (ev && typeof ev.type === "string") this.onEvent(ev);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (opened) this.delay = minDelay;
      this.scheduleRetry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  scheduleRetry() {
    if (this.stopped) return;
    const d = this.delay * (0.8 + Math.random() * 0.4);
    this.onState("offline", d);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), d);
    this.delay = Math.min(this.delay * 2, maxDelay);
  }
}
