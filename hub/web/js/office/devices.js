// The enrolled tablets (thiết bị): whose each is, when it was enrolled, whether five wrong
// PINs locked it. A locked one is unlocked; a lost one is revoked (thu hồi) after a
// confirmation, since that cannot be undone: its token is deleted and it is cut off at
// once. The list is read again after each action, on Reload, and every 30 s.

import { t } from '../i18n.js';
import { confirmDialog, fill, h, refusal, toast } from '../ui.js';
import { api, button } from '../staff.js';
import { formatDateTime } from '../format.js';

const EVERY_MS = 30_000;

/** `{element, load, stop}`; `onLoad(devices)` each time the list is read. */
export function devicesPanel({ onLoad = null } = {}) {
  const box = h('div', { class: 'desk-table-wrap', id: 'directory-devices', 'aria-live': 'polite' });
  const count = h('span', { class: 'count' });

  const load = async () => {
    try {
      const { devices } = await api('GET', '/office/devices');
      count.textContent = `(${devices.length})`;
      onLoad?.(devices);
      fill(box, devices.length === 0
        ? h('p', { class: 'hint', id: 'devices-none' }, t('dev_none'))
        : h('table', { class: 'desk-table', id: 'devices-table' },
          h('thead', {}, h('tr', {}, ...[t('part_name'), t('dev_enrolled_at'), t('dev_state'), ''].map((label) => h('th', {}, label)))),
          h('tbody', {}, ...devices.map(row))));
    } catch (e) {
      fill(box, h('p', { class: 'form-error' }, refusal(e)));
    }
  };

  const act = async (what, path, method, done) => {
    try {
      await api(method, path);
      toast(done, 'ok');
    } catch (e) {
      toast(refusal(e), 'error');
    }
    await load();
    return what;
  };
  const revoke = async (d, name) => {
    if (!(await confirmDialog(t('dev_revoke_confirm', { name }), t('dev_revoke_text'), { ok: t('dev_revoke') }))) return;
    await act('revoke', `/office/devices/${d.id}`, 'DELETE', t('dev_revoked', { name }));
  };
  const unlock = (d, name) => act('unlock', `/office/devices/${d.id}/unlock`, 'POST', t('dev_unlocked', { name }));

  const row = ({ device: d, name }) => h('tr', { 'data-device': d.id, 'data-person': d.person },
    h('td', {}, name || '—'),
    h('td', {}, formatDateTime(d.enrolled_at)),
    h('td', {}, d.locked ? h('span', { class: 'tag bad' }, t('dev_locked')) : t('dev_active')),
    h('td', { class: 'row-actions' },
      d.locked ? button(t('dev_unlock'), () => unlock(d, name), 'small') : null,
      button(t('dev_revoke'), () => revoke(d, name), 'small danger')));

  const reload = button(t('dev_reload'), load, 'small quiet');
  reload.id = 'devices-reload';
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') load();
  }, EVERY_MS);
  const element = h('div', { class: 'directory-devices' },
    h('h3', {}, t('dev_heading'), ' ', count, ' ', reload),
    h('p', { class: 'hint' }, t('dev_help')),
    box);
  load();
  return { element, load, stop: () => clearInterval(timer) };
}
