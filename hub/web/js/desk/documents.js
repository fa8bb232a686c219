// The desk's documents: upload with classification and a progress bar, what went wrong when
// an upload fails, delivery to the tablets, new versions, withdrawal and recall (thu hồi).

import { confirmDialog, fill, h, toast } from '../ui.js';
import { api, button, say, word } from '../staff.js';

/** File sizes as people read them, with a decimal comma in Vietnamese. */
export function size(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toLocaleString(say('vi-VN', 'en-GB'), { maximumFractionDigits: u ? 1 : 0 })} ${units[u]}`;
}

/** Why an upload failed, in the user's words, from the status and the hub's error body. */
function uploadFailure(status, body) {
  const hub = body?.message ? ` (${body.message})` : '';
  if (status === 0)
    return say(
      'Mất kết nối khi đang tải lên, hoặc tệp quá lớn nên máy chủ đã ngắt. Kiểm tra mạng và kích thước tệp rồi thử lại.',
      'The connection dropped during the upload, or the file was too large and the hub cut it off. Check the network and the file size, then try again.',
    );
  if (status === 413) return say('Tệp quá lớn so với giới hạn của máy chủ', 'The file is larger than the hub accepts') + hub;
  if (status === 401 || status === 403) return say('Bạn không có quyền tải tài liệu lên', 'You may not upload documents') + hub;
  if (status === 404) return say('Không tìm thấy nội dung hoặc người đọc đã chọn', 'The chosen agenda item or reader does not exist') + hub;
  if (status === 415 || status === 422) return say('Thông tin tài liệu chưa hợp lệ', 'The document details are not valid') + hub;
  if (status === 409) return say('Tài liệu đã bị gỡ hoặc thu hồi', 'The document was withdrawn or recalled') + hub;
  return say('Máy chủ không nhận tệp', 'The hub did not take the file') + hub;
}

/**
 * Posts a multipart form with XMLHttpRequest, which (unlike fetch) reports upload progress.
 * Resolves with the hub's JSON answer; rejects with an `Error` whose message says why.
 */
export function upload(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(uploadFailure(xhr.status, body)));
    });
    xhr.addEventListener('error', () => reject(new Error(uploadFailure(0, null))));
    xhr.addEventListener('abort', () => reject(new Error(say('Đã hủy tải lên', 'Upload cancelled'))));
    xhr.send(form);
  });
}

export function documentsSection({ send, meetingId }) {
  const url = `/api/v1/meetings/${meetingId}/documents`;
  const title = h('input', { id: 'doc-title', type: 'text', maxlength: '500', required: true });
  const classification = h(
    'select',
    { id: 'doc-class' },
    ...['internal', 'public', 'confidential'].map((c) => h('option', { value: c }, word(`class.${c}`))),
  );
  const item = h('select', { id: 'doc-item' });
  const readers = h('fieldset', { class: 'readers', id: 'doc-readers', hidden: true });
  const file = h('input', { id: 'doc-file', type: 'file', required: true });
  const bar = h('progress', { id: 'upload-progress', max: '100', value: '0', hidden: true });
  const status = h('p', { id: 'upload-status', class: 'upload-status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'doc-submit' }, say('Tải lên và phát hành', 'Upload and publish'));
  classification.addEventListener('change', () => {
    readers.hidden = classification.value !== 'confidential';
  });
  file.addEventListener('change', () => {
    const f = file.files[0];
    if (f && !title.value.trim()) title.value = f.name.replace(/\.[^.]+$/, '');
  });
  const form = h(
    'form',
    { class: 'desk-form', id: 'doc-form' },
    h('div', { class: 'field wide' }, h('label', { for: 'doc-file' }, say('Tệp tài liệu', 'File')), file),
    h('div', { class: 'field wide' }, h('label', { for: 'doc-title' }, say('Tên tài liệu', 'Title')), title),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'doc-class' }, say('Độ mật', 'Classification')), classification),
      h('div', { class: 'field' }, h('label', { for: 'doc-item' }, say('Thuộc nội dung', 'Agenda item')), item),
    ),
    readers,
    bar,
    status,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) {
      status.textContent = say('Chọn tệp cần tải lên.', 'Choose a file to upload.');
      status.className = 'upload-status failed';
      return;
    }
    const data = new FormData();
    data.append('title', title.value.trim() || f.name);
    data.append('classification', classification.value);
    if (item.value) data.append('item', item.value);
    if (classification.value === 'confidential') {
      const ids = [...readers.querySelectorAll('input:checked')].map((c) => c.value);
      data.append('readers', ids.join(','));
    }
    data.append('file', f, f.name);
    submit.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.className = 'upload-status';
    status.textContent = say(`Đang tải lên ${f.name}…`, `Uploading ${f.name}…`);
    try {
      await upload(url, data, (done, total) => {
        bar.value = Math.round((done * 100) / total);
        status.textContent = say(`Đang tải lên ${f.name}: ${size(done)} / ${size(total)}`, `Uploading ${f.name}: ${size(done)} of ${size(total)}`);
      });
      bar.value = 100;
      status.className = 'upload-status done';
      status.textContent = say(`Đã tải lên và phát hành “${title.value.trim() || f.name}” (${size(f.size)})`, `Uploaded and published “${title.value.trim() || f.name}” (${size(f.size)})`);
      form.reset();
      readers.hidden = true;
    } catch (err) {
      status.className = 'upload-status failed';
      status.textContent = err.message;
      toast(err.message, 'error');
    } finally {
      submit.disabled = false;
    }
  });

  const list = h('div', { class: 'doc-list', id: 'doc-list' });
  const reviseInput = h('input', { type: 'file', hidden: true });
  let revising = null;
  reviseInput.addEventListener('change', async () => {
    const f = reviseInput.files[0];
    if (!f || !revising) return;
    const data = new FormData();
    data.append('file', f, f.name);
    bar.hidden = false;
    try {
      await upload(`${url}/${revising}/versions`, data, (d, t) => {
        bar.value = Math.round((d * 100) / t);
      });
      toast(say('Đã phát hành phiên bản mới', 'New version published'));
    } catch (err) {
      toast(err.message, 'error');
    }
    reviseInput.value = '';
  });

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-documents' },
    h('h2', {}, say('Tài liệu', 'Documents')),
    form,
    h(
      'div',
      { class: 'row-between' },
      h('h3', {}, say('Đã phát hành', 'Published')),
      button(
        say('Thu hồi tất cả tài liệu mật', 'Recall every confidential document'),
        async () => {
          if (await confirmDialog(say('Thu hồi tất cả tài liệu mật?', 'Recall every confidential document?'), say('Các máy tính bảng sẽ xóa bản sao của chúng.', 'Every tablet deletes its copy.')))
            await send({ op: 'recall_documents' });
        },
        'danger',
      ),
    ),
    list,
    reviseInput,
  );

  // A document published while the desk is open arrives without `delivery` (only
  // snapshots carry it): ask the hub once, then the live held/opened events keep it.
  const asked = new Set();
  const fetchDelivery = (view, d) => {
    if (d.delivery || d.status !== 'published' || asked.has(d.id)) return;
    asked.add(d.id);
    api('GET', `/meetings/${meetingId}/documents/${d.id}/delivery`).then(
      (answer) => {
        d.delivery = answer.delivery;
        render(view);
      },
      () => asked.delete(d.id),
    );
  };

  const render = (view) => {
    for (const d of view.documents) fetchDelivery(view, d);
    const chosen = item.value;
    fill(item, 
      h('option', { value: '' }, say('(cả cuộc họp)', '(the whole meeting)')),
      ...view.agenda.map((a, i) => h('option', { value: a.id }, `${i + 1}. ${a.title}`)),
    );
    item.value = chosen;
    const ticked = new Set([...readers.querySelectorAll('input:checked')].map((c) => c.value));
    fill(readers, 
      h('legend', {}, say('Người được đọc (tài liệu mật)', 'Readers (confidential)')),
      ...view.participants
        .filter((p) => p.role === 'chair' || p.role === 'delegate')
        .map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: ticked.has(p.id) }), ' ', p.name)),
    );
    const docs = [...view.documents].reverse();
    fill(list, 
      docs.length === 0
        ? h('p', { class: 'hint' }, say('Chưa có tài liệu nào.', 'No documents yet.'))
        : h(
            'table',
            { class: 'desk-table' },
            h('thead', {}, h('tr', {}, ...[say('Tài liệu', 'Document'), say('Độ mật', 'Class'), say('Bản', 'Ver.'), say('Đã nhận', 'Delivered'), say('Đã mở', 'Opened'), say('Trạng thái', 'Status'), ''].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              ...docs.map((d) => {
                const v = d.versions[d.versions.length - 1];
                const del = d.delivery;
                const total = del ? del.held.length + del.missing.length : null;
                const live = d.status === 'published';
                const at = d.item ? view.agenda.find((a) => a.id === d.item) : null;
                return h(
                  'tr',
                  { 'data-document': d.id, class: `doc-${d.status}` },
                  h('td', {}, h('a', { href: `${url}/${d.id}`, target: '_blank' }, d.title), h('div', { class: 'sub' }, `${v.file_name} · ${size(v.size)}${at ? ` · ${at.title}` : ''}`)),
                  h('td', {}, h('span', { class: `chip class-${d.classification}` }, word(`class.${d.classification}`))),
                  h('td', {}, String(v.version)),
                  h('td', { class: 'delivery' }, del ? `${del.held.length}/${total}` : '—'),
                  h('td', {}, del ? String(del.opened.length) : '—'),
                  h('td', {}, word(`doc.${d.status}`)),
                  h(
                    'td',
                    { class: 'row-actions' },
                    live
                      ? button(say('Bản mới', 'New version'), () => {
                          revising = d.id;
                          reviseInput.click();
                        }, 'small')
                      : null,
                    live
                      ? d.classification === 'confidential'
                        ? button(say('Thu hồi', 'Recall'), () => send({ op: 'recall_documents', document: d.id }), 'small danger')
                        : button(say('Gỡ', 'Withdraw'), () => send({ op: 'withdraw_document', document: d.id }), 'small quiet')
                      : null,
                  ),
                );
              }),
            ),
          ),
    );
  };
  return { element, render };
}
