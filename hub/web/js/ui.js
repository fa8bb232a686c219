// Small DOM helpers shared by the screens: element building, lists updated by key, the
// connection badge, toasts, confirm dialogs and refusals. Dates and numbers are in
// format.js, words in i18n.js.

import { t, has, getLang, setLang } from './i18n.js';

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

const shownIn = new WeakMap();

/**
 * Fills `el` with `build()` unless `shown` (a string saying what it would show) is what
 * it shows already: a list that an event did not touch is left as it is.
 */
export function fillChanged(el, shown, build) {
  if (shownIn.get(el) === shown) return false;
  shownIn.set(el, shown);
  fill(el, build());
  return true;
}

const rowsIn = new WeakMap();

/**
 * Brings `parent`'s children in line with `items`, by key: a row whose `shown(item)` (a
 * string saying what it shows) has not changed is kept as it is, the same element; a
 * changed one is built again with `build(item)`; a gone one is removed. So a ballot event
 * leaves the 2,000 rows of a participants table alone.
 */
export function keyed(parent, items, key, shown, build) {
  const before = rowsIn.get(parent) ?? new Map();
  const rows = new Map();
  for (const item of items) {
    const k = key(item);
    const s = shown(item);
    const old = before.get(k);
    rows.set(k, old && old.shown === s ? old : { el: build(item), shown: s });
  }
  rowsIn.set(parent, rows);
  const wanted = new Set([...rows.values()].map((r) => r.el));
  let at = parent.firstChild;
  for (const { el } of rows.values()) {
    while (at && !wanted.has(at)) {
      const gone = at;
      at = at.nextSibling;
      gone.remove();
    }
    if (at === el) at = at.nextSibling;
    else parent.insertBefore(el, at);
  }
  while (at) {
    const gone = at;
    at = at.nextSibling;
    gone.remove();
  }
  return parent;
}

/** A badge that follows a `HubConnection`'s status; `role="status"` so screen readers
 *  hear when the link drops and comes back. */
export function statusBadge(connection) {
  const el = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' });
  const show = () => {
    el.dataset.status = connection.status;
    fill(el, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`conn_${connection.status}`));
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

/** The page's sentence for a refusal: the one its caller chose, or its code's. */
export function refusedSentence(error) {
  if (error?.sentence) return t(error.sentence);
  const code = error?.code;
  return code && has(`refused_${code}`) ? t(`refused_${code}`) : t('refused_other');
}

/**
 * Why the hub refused, in the page's language: a sentence for the error's code (or the
 * `sentence` key the caller chose, e.g. for an upload's HTTP status), then, apart and
 * marked as English, the hub's own detail, which names the field or rule.
 */
export function refusal(error) {
  return h('span', { class: 'refusal' },
    h('span', { class: 'refusal-why' }, refusedSentence(error)),
    error?.message ? h('span', { class: 'refusal-detail', lang: 'en' }, error.message) : null);
}

/** A poll's options as labels, in the order its ballots index them: the hub's list (a
 *  motion's three words put in the page's language). */
export function optionLabels(pv) {
  if (pv.poll.kind.type === 'motion') return pv.options.map((_, i) => t(`motion_option_${i}`));
  return pv.options;
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
