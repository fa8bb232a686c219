// On a person's tablet inside one meeting: the reminders of their other coming meetings,
// the same the home page shows (GET /api/v1/me), read when the page opens and every
// minute after, each shown until the person dismisses it (for this browser session).

import { t } from './i18n.js';
import { h } from './ui.js';
import { formatDateTime } from './format.js';

const EVERY_MS = 60_000;
const DISMISSED_KEY = 'hub.reminders.dismissed';

function dismissed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]'));
  } catch {
    return new Set();
  }
}

function dismiss(key) {
  const keys = dismissed();
  keys.add(key);
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...keys]));
  } catch { /* private mode: it shows again on the next page */ }
}

/** Starts reading the reminders for a page in meeting `current`; returns a stop. */
export function startReminders(current) {
  const bar = h('div', { class: 'meeting-reminders', role: 'status', 'aria-live': 'polite' });
  document.body.append(bar);
  const shown = new Map(); // key → element
  let checks = 0;
  const check = async () => {
    let me;
    try {
      const r = await fetch('/api/v1/me', { credentials: 'same-origin' });
      if (!r.ok) return;
      me = await r.json();
    } catch {
      return; // offline: the next round tries again
    }
    const skip = dismissed();
    for (const r of me.reminders ?? []) {
      const key = `${r.meeting}:${r.hours_before}`;
      if (r.meeting === current || skip.has(key) || shown.has(key)) continue;
      const item = h('p', { class: 'reminder', 'data-testid': 'meeting-reminder', 'data-meeting': r.meeting },
        t('home_reminder', { title: r.title, when: formatDateTime(r.starts_at), hours: r.hours_before }), ' ',
        h('button', {
          type: 'button', class: 'btn small', 'data-testid': 'meeting-reminder-close',
          onclick: () => { dismiss(key); item.remove(); },
        }, t('dir_close')));
      shown.set(key, item);
      bar.append(item);
    }
    bar.dataset.checked = String((checks += 1));
  };
  check();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') check();
  }, EVERY_MS);
  return () => { clearInterval(timer); bar.remove(); };
}
