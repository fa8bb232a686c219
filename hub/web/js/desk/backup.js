// When the hub's data was last backed up (`hub backup`, the nightly timer of deploy/), as
// /healthz tells it: on the office's start page and the desk's top bar, so the secretariat
// sees a backup that stopped being made before it is needed.

import { t } from '../i18n.js';
import { h } from '../ui.js';
import { formatDateTime, formatSize } from '../format.js';

/** A nightly backup older than this is late. */
const LATE_MS = 26 * 3600 * 1000;

/** An element that shows the last backup, refreshed every few minutes. */
export function lastBackup() {
  const line = h('span', { class: 'backup-line muted small', 'data-testid': 'last-backup' });
  const draw = async () => {
    try {
      const health = await fetch('/healthz', { cache: 'no-store' }).then((r) => r.json());
      const last = health.last_backup;
      if (!last) {
        line.textContent = t('backup_never');
        line.classList.add('late');
        return;
      }
      line.textContent = t('backup_last', { when: formatDateTime(last.made_at_ms), size: formatSize(last.bytes) });
      line.classList.toggle('late', Date.now() - last.made_at_ms > LATE_MS);
    } catch {
      // The hub is out of reach: the connection badge says so already.
    }
  };
  draw();
  const timer = setInterval(draw, 5 * 60 * 1000);
  addEventListener('hub-lang', draw);
  line.stop = () => { clearInterval(timer); removeEventListener('hub-lang', draw); };
  return line;
}
