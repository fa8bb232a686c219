// Small DOM helpers shared by the screens: element building, the connection badge,
// toasts and confirm dialogs, and Viet Nam date/time formatting.

import { t, getLang, setLang } from './i18n.js';

/**
 * `h('button', {class: 'big', onclick: fn, 'aria-label': '…'}, 'text', child…)`.
 * Attributes starting with `on` become listeners; `null`/`false` children are skipped;
 * strings become text nodes (never HTML), so names from the hub cannot inject markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** SVG elements (the projector's chart). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A badge that follows a `HubConnection`'s status; `role="status"` so screen readers
 *  hear when the link drops and comes back. */
export function statusBadge(connection) {
  const el = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' });
  const show = () => {
    el.dataset.status = connection.status;
    fill(el, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`status_${connection.status}`));
  };
  connection.addEventListener('status', show);
  addEventListener('hub-lang', show);
  show();
  return el;
}

/** A button that switches the language. */
export function langButton() {
  const b = h('button', { class: 'btn ghost lang', type: 'button' });
  const show = () => {
    b.textContent = t('lang_switch');
    b.setAttribute('aria-label', t('lang_switch_label'));
  };
  b.addEventListener('click', () => setLang(getLang() === 'vi' ? 'en' : 'vi'));
  addEventListener('hub-lang', show);
  show();
  return b;
}

let toastBox = null;

/** A short message at the bottom of the screen; `kind` is `info`, `ok` or `error`. */
export function toast(message, kind = 'info', ms = 4000) {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const el = h('div', { class: `toast ${kind}` }, message);
  toastBox.append(el);
  setTimeout(() => el.remove(), ms);
  return el;
}

/** A modal question; resolves true for the confirm button, false otherwise. */
export function confirmDialog(title, body, { ok = t('confirm'), cancel = t('cancel') } = {}) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('h2', { id: 'dialog-title' }, title),
      body instanceof Node ? body : h('p', {}, body),
      h('div', { class: 'actions' },
        h('button', { class: 'btn', type: 'button', value: 'no', onclick: () => dialog.close('no') }, cancel),
        h('button', { class: 'btn primary', type: 'button', value: 'yes', 'data-testid': 'confirm-yes', onclick: () => dialog.close('yes') }, ok)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

const VN = { timeZone: 'Asia/Ho_Chi_Minh' };

function locale() {
  return getLang() === 'en' ? 'en-GB' : 'vi-VN';
}

/** `14:05` in Viet Nam time. */
export function formatTime(ms) {
  return new Date(ms).toLocaleTimeString(locale(), { ...VN, hour: '2-digit', minute: '2-digit' });
}

/** `23/11/2026` in Viet Nam time. */
export function formatDate(ms) {
  return new Date(ms).toLocaleDateString(locale(), { ...VN, day: '2-digit', month: '2-digit', year: 'numeric' });
}

export function formatDateTime(ms) {
  return `${formatTime(ms)} ${formatDate(ms)}`;
}

/** `4:07` from milliseconds; negative durations show as `-0:12` (a speaker over time). */
export function formatDuration(ms) {
  const neg = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return neg ? `-${text}` : text;
}

/** A participant's name, or a placeholder when the hub hid who it was. */
export function nameOf(state, id) {
  return state.participant(id)?.name ?? '—';
}

/** Loads a screen's own stylesheet once (`/css/delegate.css`…), next to app.css. */
export function useStyle(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}
