// The desk's documents: upload with classification and a progress bar, what went wrong when
// an upload fails, delivery to the tablets, new versions, withdrawal and recall (thu hồi).

import { t } from '../i18n.js';
import { confirmDialog, fill, fillChanged, h, refusal, toast } from '../ui.js';
import { formatSize } from '../format.js';
import { api, button } from '../staff.js';

/** Why an upload failed: the sentence for its HTTP status (the page's words) and the hub's
 *  own detail, as `refusal()` shows them. */
function uploadFailure(status, body) {
  const hub = { code: body?.code, message: body?.message };
  // A connection cut before the answer: how a browser may see a 413 sent mid-upload.
  if (status === 0) return { sentence: 'upload_cut' };
  if (status === 413) return { ...hub, sentence: 'upload_too_large' };
  if (status === 401 || status === 403) return { ...hub, sentence: 'upload_forbidden' };
  if (status === 404) return { ...hub, sentence: 'upload_not_found' };
  if (status === 409) return { ...hub, sentence: 'upload_gone' };
  if (status === 415 || status === 422) return { ...hub, sentence: 'upload_invalid' };
  return { ...hub, sentence: 'upload_refused' };
}

/**
 * Posts a multipart form with XMLHttpRequest, which (unlike fetch) reports upload progress.
 * Resolves with the hub's JSON answer; rejects with `{sentence, code, message}` for
 * `refusal()`.
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
      else reject(uploadFailure(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(uploadFailure(0, null)));
    xhr.addEventListener('abort', () => reject({ sentence: 'upload_cancelled' }));
    xhr.send(form);
  });
}

export function documentsSection({ send, meetingId }) {
  const url = `/api/v1/meetings/${meetingId}/documents`;
  const title = h('input', { id: 'doc-title', type: 'text', maxlength: '500', required: true });
  const classification = h(
    'select',
    { id: 'doc-class' },
    ...['internal', 'public', 'confidential'].map((c) => h('option', { value: c }, t(`class_${c}`))),
  );
  const item = h('select', { id: 'doc-item' });
  const readers = h('fieldset', { class: 'readers', id: 'doc-readers', hidden: true });
  const file = h('input', { id: 'doc-file', type: 'file', required: true });
  const bar = h('progress', { id: 'upload-progress', max: '100', value: '0', hidden: true });
  const status = h('p', { id: 'upload-status', class: 'upload-status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'doc-submit' }, t('doc_upload'));
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
    h('div', { class: 'field wide' }, h('label', { for: 'doc-file' }, t('doc_file')), file),
    h('div', { class: 'field wide' }, h('label', { for: 'doc-title' }, t('doc_title')), title),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'doc-class' }, t('doc_class')), classification),
      h('div', { class: 'field' }, h('label', { for: 'doc-item' }, t('agenda_item_of')), item),
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
      status.textContent = t('doc_choose_file');
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
    status.textContent = t('upload_starting', { name: f.name });
    try {
      await upload(url, data, (done, total) => {
        bar.value = Math.round((done * 100) / total);
        status.textContent = t('upload_progress', { name: f.name, done: formatSize(done), total: formatSize(total) });
      });
      bar.value = 100;
      status.className = 'upload-status done';
      status.textContent = t('doc_uploaded', { title: title.value.trim() || f.name, size: formatSize(f.size) });
      form.reset();
      readers.hidden = true;
    } catch (err) {
      status.className = 'upload-status failed';
      fill(status, refusal(err));
      toast(refusal(err), 'error');
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
      await upload(`${url}/${revising}/versions`, data, (done, total) => {
        bar.value = Math.round((done * 100) / total);
      });
      toast(t('doc_new_version_published'));
    } catch (err) {
      toast(refusal(err), 'error');
    }
    reviseInput.value = '';
  });

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-documents' },
    h('h2', {}, t('desk_tab_documents')),
    form,
    h(
      'div',
      { class: 'row-between' },
      h('h3', {}, t('doc_published_heading')),
      button(
        t('doc_recall_all'),
        async () => {
          if (await confirmDialog(t('doc_recall_all_confirm'), t('doc_recall_all_text')))
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
      h('option', { value: '' }, t('agenda_whole_meeting')),
      ...view.agenda.map((a, i) => h('option', { value: a.id }, `${i + 1}. ${a.title}`)),
    );
    item.value = chosen;
    // Every member, ticked or not: drawn again only when the members change.
    const ticked = new Set([...readers.querySelectorAll('input:checked')].map((c) => c.value));
    const members = view.participants.filter((p) => p.role === 'chair' || p.role === 'delegate');
    fillChanged(readers, JSON.stringify(members.map((p) => [p.id, p.name])), () => [
      h('legend', {}, t('doc_readers')),
      ...members.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: ticked.has(p.id) }), ' ', p.name)),
    ]);
    const docs = [...view.documents].reverse().map((d) => {
      const v = d.versions[d.versions.length - 1];
      const del = d.delivery;
      return {
        id: d.id, title: d.title, status: d.status, classification: d.classification,
        file: v.file_name, size: v.size, version: v.version,
        item: d.item ? view.agenda.find((a) => a.id === d.item)?.title ?? null : null,
        held: del ? del.held.length : null, total: del ? del.held.length + del.missing.length : null,
        opened: del ? del.opened.length : null,
      };
    });
    // Each tablet's delivery report is an event: the table is drawn again only when a
    // number in it changes.
    fillChanged(list, JSON.stringify(docs), () =>
      docs.length === 0
        ? h('p', { class: 'hint' }, t('doc_none'))
        : h(
            'table',
            { class: 'desk-table' },
            h('thead', {}, h('tr', {}, ...[t('doc_document'), t('doc_class'), t('doc_version'), t('doc_delivered'), t('doc_opened'), t('doc_status'), ''].map((label) => h('th', {}, label)))),
            h('tbody', {}, ...docs.map((d) => {
              const live = d.status === 'published';
              return h(
                'tr',
                { 'data-document': d.id, class: `doc-${d.status}` },
                h('td', {}, h('a', { href: `${url}/${d.id}`, target: '_blank' }, d.title), h('div', { class: 'sub' }, `${d.file} · ${formatSize(d.size)}${d.item ? ` · ${d.item}` : ''}`)),
                h('td', {}, h('span', { class: `chip class-${d.classification}` }, t(`class_${d.classification}`))),
                h('td', {}, String(d.version)),
                h('td', { class: 'delivery' }, d.held == null ? '—' : `${d.held}/${d.total}`),
                h('td', {}, d.opened == null ? '—' : String(d.opened)),
                h('td', {}, t(`doc_status_${d.status}`)),
                h(
                  'td',
                  { class: 'row-actions' },
                  live
                    ? button(t('doc_new_version'), () => {
                        revising = d.id;
                        reviseInput.click();
                      }, 'small')
                    : null,
                  live
                    ? d.classification === 'confidential'
                      ? button(t('doc_recall'), () => send({ op: 'recall_documents', document: d.id }), 'small danger')
                      : button(t('doc_withdraw'), () => send({ op: 'withdraw_document', document: d.id }), 'small quiet')
                    : null,
                ),
              );
            })),
          ));
  };
  return { element, render };
}
