// The live link to the hub: one WebSocket, reconnected with backoff and resumed from the
// last seq; commands keep their id until the hub answers, across reconnects and reloads,
// so a ballot is never cast twice nor silently lost (docs/PROTOCOL.md §1.6). A command
// kept is the badge's that sent it: another badge joining on this browser drops it unsent.

import { ownerOf } from './local.js';

const PENDING_KEY = 'hub.pending';
// Codes after which the same command, with the same id, should simply be sent again.
const RETRY_CODES = new Set(['rate_limited', 'busy', 'shutting_down', 'internal']);
// Codes without an id that end the conversation for good: retrying cannot help.
const FATAL_CODES = new Set(['bad_token', 'invalid', 'not_found', 'forbidden']);
/** Commands a person's tablet sends only with the PIN (the hub checks it: `pin_required`). */
const PIN_OPS = new Set(['cast_ballot', 'cast_sealed_ballot', 'answer_opinion_request', 'direct_incoming']);

/** A random command id (UUID v4). `crypto.randomUUID` needs a secure context, which a
 *  hub on `http://192.168.x.x` is not; `getRandomValues` works everywhere. */
export function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Events dispatched (all `CustomEvent`s, payload in `detail`):
 * - `status`: `'connecting' | 'online' | 'offline' | 'resuming'`
 * - `snapshot`, `resumed`, `event`, `notes`: the hub's frames, as parsed JSON
 * - `ack`: `{id, command, frame}` for every acknowledged command (also those re-sent
 *   after a reload, whose promise is gone)
 * - `rejected`: `{id, command, error}` for a refused command
 * - `denied`: `{code, message}`: the hub will not talk to this token (revoked badge…);
 *   the connection stops trying.
 */
export class HubConnection extends EventTarget {
  /**
   * @param {object} [options]
   * @param {string} [options.url] the WebSocket URL (default: this page's hub)
   * @param {string} [options.token] only for clients that hold the token themselves; a
   *   page opened from a join link leaves it out and the hub reads its cookie
   * @param {string} [options.meeting] the meeting, needed with the office token only
   * @param {number} [options.heartbeatMs] how often to ping the hub (default 10 s)
   * @param {number} [options.silenceMs] silence after which the link counts as dead
   */
  constructor(options = {}) {
    super();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = options.url ?? `${scheme}//${location.host}/api/v1/ws`;
    this.token = options.token ?? null;
    this.meeting = options.meeting ?? null;
    this.heartbeatMs = options.heartbeatMs ?? 10000;
    this.silenceMs = options.silenceMs ?? 25000;
    this.status = 'offline';
    this.lastSeq = null;
    this.me = null;
    this.ws = null;
    this.ready = false;
    this.stopped = false;
    this.attempt = 0;
    this.timers = { retry: null, heartbeat: null };
    this.lastHeard = 0;
    /** id → {resolve, reject}: promises of commands sent from this page load. */
    this.waiting = new Map();
    /** id → {id, command, at, owner}: unanswered commands, mirrored in localStorage. */
    this.pending = new Map(loadPending().map((p) => [p.id, p]));
    /** The badge the hub says this is (`local.js`): commands are kept under it. */
    this.owner = null;
    /** On a person's tablet: asks for the PIN before a command in `PIN_OPS` (app.js). */
    this.askPin = null;
    /** id → the PIN given for that command, in memory until its answer. */
    this.pins = new Map();
    addEventListener('online', () => this.#retryNow());
  }

  /** Connects, and keeps connecting until `stop()` or a `denied`. */
  start() {
    this.stopped = false;
    this.#connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.heartbeat);
    this.ws?.close();
  }

  /** Commands sent but not yet answered (including those from before a reload). */
  pendingCommands() {
    return [...this.pending.values()];
  }

  /**
   * Sends a command; resolves with the `ack` frame, rejects with `{code, message}`.
   * The id is chosen once (or given, e.g. a ballot's) and re-sent unchanged until an
   * answer comes, however many reconnects or reloads that takes.
   */
  send(command, id = newId()) {
    if (this.askPin && PIN_OPS.has(command?.op) && !this.pending.has(id)) {
      return this.askPin(command).then((pin) => {
        if (pin === null) {
          const error = { code: 'pin_required', message: 'no PIN was entered' };
          this.dispatchEvent(new CustomEvent('rejected', { detail: { id, command, error } }));
          return Promise.reject(error);
        }
        // Kept in this page's memory only, never in localStorage with the command.
        this.pins.set(id, pin);
        return this.#send(command, id);
      });
    }
    return this.#send(command, id);
  }

  #send(command, id) {
    const known = this.pending.get(id);
    const entry = known ?? { id, command, at: Date.now(), owner: this.owner };
    this.pending.set(id, entry);
    savePending(this.pending);
    const promise = new Promise((resolve, reject) => {
      const prev = this.waiting.get(id);
      this.waiting.set(id, {
        resolve: (f) => { prev?.resolve(f); resolve(f); },
        reject: (e) => { prev?.reject(e); reject(e); },
      });
    });
    if (this.ready) this.#transmit(entry);
    return promise;
  }

  #setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: status }));
  }

  #connect() {
    if (this.stopped) return;
    clearTimeout(this.timers.retry);
    this.#setStatus(this.lastSeq === null ? 'connecting' : 'resuming');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => {
      const hello = { type: 'hello' };
      if (this.token) hello.token = this.token;
      if (this.meeting) hello.meeting = this.meeting;
      if (this.lastSeq !== null) hello.resume_from = this.lastSeq;
      ws.send(JSON.stringify(hello));
      this.lastHeard = Date.now();
      clearInterval(this.timers.heartbeat);
      this.timers.heartbeat = setInterval(() => this.#heartbeat(ws), Math.min(this.heartbeatMs, 2000));
    };
    ws.onmessage = (m) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(m.data);
      } catch {
        return;
      }
      this.#onFrame(frame);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      clearInterval(this.timers.heartbeat);
      this.ready = false;
      this.ws = null;
      if (!this.stopped) {
        this.#setStatus('offline');
        this.#scheduleRetry();
      }
    };
  }

  // A dropped Wi-Fi link often leaves the socket open with nothing coming through: ping
  // on a timer, and count a long silence as a lost connection.
  #heartbeat(ws) {
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - this.lastHeard;
    if (quiet > this.silenceMs) {
      this.ws = null;
      ws.onclose = null;
      ws.close();
      clearInterval(this.timers.heartbeat);
      this.ready = false;
      this.#setStatus('offline');
      this.#scheduleRetry();
    } else if (quiet > this.heartbeatMs) {
      ws.send('{"type":"ping"}');
    }
  }

  #scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this.timers.retry);
    // Capped exponential backoff with full jitter: 180 tablets coming back together after
    // the access point restarts must not knock at the same instant.
    const cap = Math.min(15000, 500 * 2 ** this.attempt);
    this.attempt += 1;
    this.timers.retry = setTimeout(() => this.#connect(), 250 + Math.random() * cap);
  }

  #retryNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.#connect();
  }

  #seen(seq) {
    if (typeof seq === 'number' && (this.lastSeq === null || seq > this.lastSeq)) this.lastSeq = seq;
  }

  #onFrame(frame) {
    switch (frame.type) {
      case 'snapshot':
      case 'resumed':
        this.me = frame.me;
        this.#adopt(ownerOf(frame.me));
        // resumed.seq is where the replay ends, not what we have (§1.6): do not take it.
        if (frame.type === 'snapshot') this.lastSeq = frame.seq;
        this.attempt = 0;
        this.ready = true;
        this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
        this.#setStatus('online');
        for (const entry of this.pending.values()) this.#transmit(entry);
        break;
      case 'event':
        this.#seen(frame.seq);
        this.dispatchEvent(new CustomEvent('event', { detail: frame }));
        break;
      case 'notes':
      case 'attendance':
      case 'people':
        this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
        break;
      case 'ack':
        this.#seen(frame.seq);
        this.#settle(frame.id, frame, null);
        break;
      case 'error':
        if (frame.id !== undefined && frame.id !== null) {
          if (RETRY_CODES.has(frame.code)) {
            const entry = this.pending.get(frame.id);
            if (entry) setTimeout(() => this.ready && this.#transmit(entry), 1000 + Math.random() * 2000);
          } else {
            this.#settle(frame.id, null, { code: frame.code, message: frame.message });
          }
        } else if (frame.code === 'internal' && !this.ready) {
          // The hub could not replay from our seq (§1.1): start over from a snapshot.
          this.lastSeq = null;
        } else if (FATAL_CODES.has(frame.code)) {
          this.stopped = true;
          this.dispatchEvent(new CustomEvent('denied', { detail: { code: frame.code, message: frame.message } }));
        }
        // Other connection errors (lagged, shutting_down…) are followed by a close, and
        // the close reconnects.
        break;
      default:
        break;
    }
  }

  // Commands kept by another badge on this browser (or by a page that kept no badge) are
  // dropped, never sent in this badge's name.
  #adopt(owner) {
    this.owner = owner;
    let dropped = false;
    for (const [id, entry] of this.pending) {
      if (entry.owner !== owner) {
        this.pending.delete(id);
        dropped = true;
      }
    }
    if (dropped) savePending(this.pending);
  }

  #transmit(entry) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const frame = { type: 'command', id: entry.id, command: entry.command };
    const pin = this.pins.get(entry.id);
    if (pin) frame.pin = pin;
    this.ws.send(JSON.stringify(frame));
  }

  #settle(id, ack, error) {
    this.pins.delete(id);
    const entry = this.pending.get(id);
    this.pending.delete(id);
    savePending(this.pending);
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    const command = entry?.command ?? null;
    if (ack) {
      waiter?.resolve(ack);
      this.dispatchEvent(new CustomEvent('ack', { detail: { id, command, frame: ack } }));
    } else {
      waiter?.reject(error);
      this.dispatchEvent(new CustomEvent('rejected', { detail: { id, command, error } }));
    }
  }
}

function loadPending() {
  try {
    const list = JSON.parse(localStorage.getItem(PENDING_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((p) => p && typeof p.id === 'string') : [];
  } catch {
    return [];
  }
}

function savePending(map) {
  try {
    if (map.size === 0) localStorage.removeItem(PENDING_KEY);
    else localStorage.setItem(PENDING_KEY, JSON.stringify([...map.values()]));
  } catch {
    // Private mode or a full store: the command still goes out in this page's lifetime.
  }
}
