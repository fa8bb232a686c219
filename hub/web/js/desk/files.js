// A file field for the forms that name files in a command (incoming items, opinion
// requests): the chosen files go first to `POST …/files`, with a progress bar, and the
// command then names them by `{name, sha256}` as the hub answered.

import { h } from '../ui.js';
import { say } from '../staff.js';
import { size, upload } from './documents.js';

/**
 * `{element, take(), reset()}`. `take()` uploads the chosen files one after the other and
 * resolves with `[{name, sha256}]` (empty when none was chosen); it rejects with the
 * reason in the user's words, and the command is then not sent.
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
      status.textContent = say(`Đang tải lên ${f.name}…`, `Uploading ${f.name}…`);
      try {
        const stored = await upload(`/api/v1/meetings/${meetingId}/files`, data, (done, total) => {
          bar.value = Math.round((done * 100) / total);
          status.textContent = say(`Đang tải lên ${f.name}: ${size(done)} / ${size(total)}`, `Uploading ${f.name}: ${size(done)} of ${size(total)}`);
        });
        named.push({ name: stored.name, sha256: stored.sha256 });
      } catch (err) {
        status.className = 'upload-status failed';
        status.textContent = err.message;
        throw err;
      }
    }
    if (chosen.length) {
      bar.value = 100;
      status.className = 'upload-status done';
      status.textContent = say(`Đã tải lên ${chosen.map((f) => f.name).join(', ')}`, `Uploaded ${chosen.map((f) => f.name).join(', ')}`);
    }
    return named;
  };
  const reset = () => {
    input.value = '';
    bar.hidden = true;
  };
  return { element, take, reset };
}
