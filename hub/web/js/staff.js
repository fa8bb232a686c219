// What the chair console and the secretariat desk share: the REST calls they make with
// the join cookie, buttons that send once, the running clocks, and redrawing on a change
// of language without losing what was typed. Kept apart from the delegate's modules so
// the staff screens can grow without touching them.

import { t } from './i18n.js';
import { h, refusal, toast } from './ui.js';
import { formatDuration } from './format.js';

/** An error the hub answered, or one of the network, as `{code, message, errors}`. */
export class HubError extends Error {
  constructor(status, body) {
    super(body?.message || '');
    this.status = status;
    this.code = body?.code || 'internal';
    this.errors = body?.errors || [];
  }
}

/**
 * A REST call under `/api/v1` with the `hub_token` cookie the join link set. JSON bodies are
 * sent as JSON, strings as text, files (a `Blob`) as they are; the answer is parsed JSON,
 * or a `HubError`.
 */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof Blob) {
    init.headers['Content-Type'] = body.type || 'application/octet-stream';
    init.body = body;
  } else if (typeof body === 'string') {
    init.headers['Content-Type'] = 'text/csv; charset=utf-8';
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new HubError(0, { code: 'network' });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new HubError(res.status, json);
  return json;
}

/** The participant with this id in the view, or a stand-in that says it is unknown. */
export function person(view, id) {
  return view.participants.find((p) => p.id === id) || { id, name: '—', role: 'delegate' };
}

/** Updates every running clock on the page: speech timers and poll countdowns. */
export function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.speech-timer')) {
    const spent = now - Number(el.dataset.since);
    const limit = Number(el.dataset.limit) * 1000;
    if (limit > 0) {
      const left = limit - spent;
      el.textContent =
        left >= 0
          ? `${formatDuration(spent)} / ${formatDuration(limit)}`
          : `${formatDuration(spent)} / ${formatDuration(limit)} · ${t('speech_over', { time: formatDuration(-left) })}`;
      el.classList.toggle('over', left < 0);
    } else {
      el.textContent = formatDuration(spent);
    }
  }
  for (const el of document.querySelectorAll('.poll-countdown')) {
    el.textContent = t('time_left', { time: formatDuration(Math.max(0, Number(el.dataset.until) - now)) });
  }
}

/**
 * A button whose action may be a promise: it stays disabled until that settles, so a
 * double press sends once. A rejected action was already shown by whoever sent it.
 */
export function button(label, onClick, kind = '', disabled = false, title = null) {
  const b = h('button', { type: 'button', class: `btn ${kind}`.trim(), title, 'aria-label': title }, label);
  b.disabled = !!disabled;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } catch {
      // Shown already.
    } finally {
      if (b.isConnected) b.disabled = !!disabled;
    }
  });
  return b;
}

/**
 * What has been typed into the forms under `elements` (fields with an id; not files),
 * to be put back with `restoreTyped` after a redraw (a change of language).
 */
export function typedIn(elements) {
  const kept = new Map();
  for (const el of elements)
    for (const f of el.querySelectorAll('input[id], textarea[id], select[id]')) {
      if (f.type === 'file') continue;
      kept.set(f.id, f.type === 'checkbox' || f.type === 'radio' ? f.checked : f.value);
    }
  return kept;
}

/** Puts back what `typedIn` kept, in document order, telling each field's listeners. */
export function restoreTyped(elements, kept) {
  for (const el of elements)
    for (const f of el.querySelectorAll('input[id], textarea[id], select[id]')) {
      if (!kept.has(f.id)) continue;
      const v = kept.get(f.id);
      if (f.type === 'checkbox' || f.type === 'radio') {
        if (f.checked === v) continue;
        f.checked = v;
      } else {
        if (f.value === v) continue;
        f.value = v;
      }
      f.dispatchEvent(new Event(f.tagName === 'SELECT' || f.type === 'checkbox' || f.type === 'radio' ? 'change' : 'input', { bubbles: true }));
    }
}

/**
 * Mounts a staff screen drawn by `draw(root, ctx)` (which returns `{stop, elements}`), and
 * draws it again on a change of language, keeping what was typed in its forms.
 */
export function mountRedrawn(root, ctx, draw) {
  let inner = draw(root, ctx);
  const relabel = () => {
    const kept = typedIn(inner.elements());
    inner.stop();
    inner = draw(root, ctx);
    restoreTyped(inner.elements(), kept);
  };
  addEventListener('hub-lang', relabel);
  return {
    stop() {
      inner.stop();
      removeEventListener('hub-lang', relabel);
    },
  };
}

/** `connection.send` that also tells the user, in a toast, why a command was refused. */
export function sender(connection) {
  return (command) =>
    connection.send(command).catch((e) => {
      toast(refusal(e), 'error');
      throw e;
    });
}
