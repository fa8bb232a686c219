// A file field for the forms that name files in a command (incoming items, opinion
// requests): the chosen files go first to `POST …/files`, with a progress bar, and the
// command then names them by `{name, sha256}` as the hub answered.

import { t } from '../i18n.js';
import { fill, h, refusal } from '../ui.js';
import { formatSize } from '../format.js';
import { upload } from './documents.js';

/**
 * `{element, take(), reset()}`. `take()` uploads the chosen files one after the other and
 * resolves with `[{name, sha256}]` (empty when none was chosen); it rejects with the
 * refusal, shown in the field, and the command is then not sent.
 */
export function fileField({ meetingId, id, label, multiple = false }) {
  const input = h('input', { id, type: 'file', multiple });
  const bar = h('progress', { class: 'file-progress', id: `${id}-progress`, max: '100', value: '0', hidden: true });
  const status = h('p', { class: 'upload-status', id: `${id}-status`, role: 'status', 'aria-live': 'polite' });
  const element = h('div', { class: 'field wide' }, h('label', { for: id }, label), input, bar, status);
  const take = async () => {
    const chosen = [...input.files];
    const named = [];
    status.className = 'upload-status';
    for (const f of chosen) {
      const data = new FormData();
      data.append('file', f, f.name);
      bar.hidden = false;
      bar.value = 0;
      status.textContent = t('upload_starting', { name: f.name });
      try {
        const stored = await upload(`/api/v1/meetings/${meetingId}/files`, data, (done, total) => {
          bar.value = Math.round((done * 100) / total);
          status.textContent = t('upload_progress', { name: f.name, done: formatSize(done), total: formatSize(total) });
        });
        named.push({ name: stored.name, sha256: stored.sha256 });
      } catch (err) {
        status.className = 'upload-status failed';
        fill(status, refusal(err));
        throw err;
      }
    }
    if (chosen.length) {
      bar.value = 100;
      status.className = 'upload-status done';
      status.textContent = t('upload_done', { names: chosen.map((f) => f.name).join(', ') });
    }
    return named;
  };
  const reset = () => {
    input.value = '';
    bar.hidden = true;
  };
  return { element, take, reset };
}
