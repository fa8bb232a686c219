// The record's files (minutes, counting reports, spreadsheets, the dossier) for the staff
// screens: each is a button that fetches the file with the join cookie and saves it under
// the name the hub gives (Vietnamese, RFC 5987 `filename*`). While the hub draws it the
// button is busy; once saved, its size shows. The dossier also shows how far its build
// (from the hub's progress route) and then its download have come.

import { t } from './i18n.js';
import { h, fill, refusal } from './ui.js';
import { formatPercent, formatSize } from './format.js';
import { HubError } from './staff.js';
import { readBody } from './progress.js';

/** The file name a `Content-Disposition` header gives: `filename*` first, then `filename`. */
export function dispositionName(header, fallback) {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header || '');
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch { /* fall through to the plain name */ }
  }
  const plain = /filename="([^"]*)"/i.exec(header || '');
  return plain ? plain[1] : fallback;
}

function save(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 30_000);
}

/**
 * A button for one file of the record: `path` under `/api/v1`, `label` its words, `id` the
 * button's id (kept across redraws by the caller), `progress` the path of the hub's build
 * progress for a long one (the dossier). Returns the element: the button, a progress bar
 * and a status line.
 */
export function fileButton({ id, label, path, progress = null, fallback = 'tep' }) {
  const status = h('span', { class: 'file-status', role: 'status', 'aria-live': 'polite', id: `${id}-status` });
  const bar = h('progress', { class: 'file-progress', max: '1', hidden: true, id: `${id}-progress` });
  const button = h('button', { type: 'button', class: 'btn file-button', id }, label);
  const showBar = (done, total, words) => {
    if (!total) return;
    bar.hidden = false;
    bar.max = total;
    bar.value = Math.min(done, total);
    status.textContent = t(words, { percent: formatPercent(Math.min(done, total), total), size: formatSize(total) });
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    status.classList.remove('form-error');
    status.textContent = t('exp_busy');
    bar.hidden = true;
    let polling = null;
    if (progress) {
      polling = setInterval(async () => {
        try {
          const r = await fetch(`/api/v1${progress}`, { credentials: 'same-origin' });
          const p = await r.json();
          if (p.building) showBar(p.done, p.total, 'exp_building');
        } catch { /* the download itself will say what went wrong */ }
      }, 400);
    }
    try {
      let res;
      try {
        res = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
      } catch {
        throw new HubError(0, { code: 'network' });
      }
      if (!res.ok) {
        let body = null;
        try { body = await res.json(); } catch { body = null; }
        throw new HubError(res.status, body);
      }
      clearInterval(polling);
      const name = dispositionName(res.headers.get('content-disposition'), fallback);
      const blob = await readBody(res, (got, total) => {
        if (progress) showBar(got, total, 'exp_downloading');
      });
      save(blob, name);
      bar.hidden = true;
      button.dataset.saved = name;
      status.textContent = t('exp_saved', { name, size: formatSize(blob.size) });
    } catch (e) {
      bar.hidden = true;
      status.classList.add('form-error');
      fill(status, refusal(e));
    } finally {
      clearInterval(polling);
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return h('span', { class: 'file-export' }, button, bar, status);
}

/**
 * Keeps file buttons across redraws: a screen that draws itself again on every event
 * asks `get(spec)` each time and gets the same element back, so a download under way
 * keeps its busy state and a saved one its size.
 */
export function fileButtons() {
  const kept = new Map();
  return {
    get(spec) {
      const key = `${spec.id} ${spec.label}`;
      if (!kept.has(key)) kept.set(key, fileButton(spec));
      return kept.get(key);
    },
  };
}
