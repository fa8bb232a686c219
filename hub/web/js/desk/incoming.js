// The desk's incoming documents and petitions (văn bản đến, đơn thư): register, forward to
// leaders with a due date, follow their directions, close; each with its history.

import { fill, h } from '../ui.js';
import { button, person, say, when, word } from '../staff.js';
import { fromLocal } from './meeting.js';
import { fileField } from './files.js';

export function incomingSection({ send, meetingId }) {
  const kind = h('select', { id: 'in-kind' }, h('option', { value: 'document' }, word('incoming.document')), h('option', { value: 'petition' }, word('incoming.petition')));
  const number = h('input', { id: 'in-number', type: 'text' });
  const sender = h('input', { id: 'in-sender', type: 'text', required: true });
  const subject = h('input', { id: 'in-subject', type: 'text', required: true });
  const file = fileField({ meetingId, id: 'in-file', label: say('Tệp văn bản (nếu có)', 'File (if any)') });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'desk-form', id: 'in-form' },
    h('h3', {}, say('Vào sổ văn bản đến', 'Register an incoming item')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'in-kind' }, say('Loại', 'Kind')), kind),
      h('div', { class: 'field' }, h('label', { for: 'in-number' }, say('Số đến', 'Number')), number),
      h('div', { class: 'field wide' }, h('label', { for: 'in-sender' }, say('Nơi gửi', 'Sender')), sender),
    ),
    h('div', { class: 'field wide' }, h('label', { for: 'in-subject' }, say('Trích yếu', 'Subject')), subject),
    file.element,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, say('Vào sổ', 'Register')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const [stored] = await file.take();
      await send({ op: 'register_incoming', kind: kind.value, number: number.value, sender: sender.value, subject: subject.value, file: stored ?? null });
      form.reset();
      file.reset();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  const list = h('div', { id: 'in-list' });
  const element = h('section', { class: 'desk-section', id: 'desk-incoming' }, h('h2', {}, say('Văn bản đến, đơn thư', 'Incoming documents and petitions')), form, list);

  const describe = (view, entry) => {
    const who = entry.by ? person(view, entry.by).name : say('Văn phòng', 'Office');
    const names = (ids) => ids.map((p) => person(view, p).name).join(', ');
    const what = {
      registered: say('vào sổ', 'registered'),
      forwarded: say(`chuyển ${names(entry.to || [])}${entry.note ? `: ${entry.note}` : ''}`, `forwarded to ${names(entry.to || [])}${entry.note ? `: ${entry.note}` : ''}`),
      read: say('đã đọc', 'read'),
      directed: say(`chỉ đạo: ${entry.text}`, `directed: ${entry.text}`),
      closed: say(`kết thúc${entry.note ? `: ${entry.note}` : ''}`, `closed${entry.note ? `: ${entry.note}` : ''}`),
    }[entry.action];
    return `${when(entry.at)} — ${who} ${what}`;
  };

  const forwardForm = (view, it) => {
    const leaders = view.participants.filter((p) => p.role === 'chair' || p.role === 'delegate');
    const boxes = h('fieldset', { class: 'readers' }, h('legend', {}, say('Chuyển đến', 'Forward to')), ...leaders.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id }), ' ', p.name)));
    const due = h('input', { type: 'datetime-local', 'aria-label': say('Hạn xử lý', 'Due') });
    const note = h('input', { type: 'text', 'aria-label': say('Ghi chú', 'Note'), placeholder: say('Kính chuyển đồng chí…', 'Note') });
    return h(
      'details',
      {},
      h('summary', {}, say('Chuyển xử lý', 'Forward')),
      boxes,
      h('div', { class: 'row' }, due, note),
      button(say('Chuyển', 'Forward'), () => {
        const to = [...boxes.querySelectorAll('input:checked')].map((c) => c.value);
        return send({ op: 'forward_incoming', item: it.id, to, due: fromLocal(due.value), note: note.value });
      }, 'primary'),
    );
  };

  const render = (view) => {
    // Keep an open forward form open: redraw only when the items changed.
    const open = list.querySelector('details[open]');
    if (open && list.dataset.shown === JSON.stringify(view.incoming)) return;
    list.dataset.shown = JSON.stringify(view.incoming);
    fill(list, 
      ...[...view.incoming].reverse().map((it) =>
        h(
          'article',
          { class: `card incoming-${it.status}`, 'data-incoming': it.id },
          h('h3', {}, `${it.number ? `${it.number} — ` : ''}${it.subject}`),
          h('p', { class: 'meta' }, `${word(`incoming.${it.kind}`)} · ${it.sender} · `, h('span', { class: 'chip' }, word(`incoming.${it.status}`)), it.due ? say(` · hạn ${when(it.due)}`, ` · due ${when(it.due)}`) : ''),
          it.file
            ? h('p', { class: 'files' }, it.file.sha256
              ? h('a', { class: 'file', href: `/api/v1/meetings/${meetingId}/incoming/${it.id}/file`, target: '_blank', 'data-file': it.file.sha256 }, it.file.name)
              : h('span', { class: 'file' }, say(`${it.file.name} (chưa lưu trên máy chủ)`, `${it.file.name} (not stored on the hub)`)))
            : null,
          h('ul', { class: 'history' }, ...it.history.map((e) => h('li', {}, describe(view, e)))),
          it.status !== 'closed'
            ? h('div', { class: 'actions' }, forwardForm(view, it), button(say('Kết thúc', 'Close'), () => send({ op: 'close_incoming', item: it.id }), 'quiet'))
            : null,
        ),
      ),
    );
  };
  return { element, render };
}
