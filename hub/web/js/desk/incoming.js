// The desk's incoming documents and petitions (văn bản đến, đơn thư): register, forward to
// leaders with a due date, follow their directions, close; each with its history.

import { t } from '../i18n.js';
import { fill, h, refusal } from '../ui.js';
import { formatDateTime, fromDateTimeInput } from '../format.js';
import { button, person } from '../staff.js';
import { fileField } from './files.js';

export function incomingSection({ send, meetingId }) {
  const kind = h('select', { id: 'in-kind' }, h('option', { value: 'document' }, t('incoming_kind_document')), h('option', { value: 'petition' }, t('incoming_kind_petition')));
  const number = h('input', { id: 'in-number', type: 'text' });
  const sender = h('input', { id: 'in-sender', type: 'text', required: true });
  const subject = h('input', { id: 'in-subject', type: 'text', required: true });
  const file = fileField({ meetingId, id: 'in-file', label: t('in_file') });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'desk-form', id: 'in-form' },
    h('h3', {}, t('in_register_heading')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'in-kind' }, t('in_kind')), kind),
      h('div', { class: 'field' }, h('label', { for: 'in-number' }, t('in_number')), number),
      h('div', { class: 'field wide' }, h('label', { for: 'in-sender' }, t('in_sender')), sender),
    ),
    h('div', { class: 'field wide' }, h('label', { for: 'in-subject' }, t('in_subject')), subject),
    file.element,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, t('in_register')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const [stored] = await file.take();
      await send({ op: 'register_incoming', kind: kind.value, number: number.value, sender: sender.value, subject: subject.value, file: stored ?? null });
      form.reset();
      file.reset();
    } catch (err) {
      fill(error, refusal(err));
    } finally {
      submit.disabled = false;
    }
  });
  const list = h('div', { id: 'in-list' });
  const element = h('section', { class: 'desk-section', id: 'desk-incoming' }, h('h2', {}, t('in_heading')), form, list);

  // One line of an item's history: when, who, what (the same words as the leader's tablet).
  const describe = (view, entry) => {
    const who = entry.by ? person(view, entry.by).name : t('incoming_office');
    const names = (ids) => ids.map((p) => person(view, p).name).join(', ');
    const what = entry.action === 'forwarded' ? `${t('incoming_action_forwarded')}: ${names(entry.to || [])}` : t(`incoming_action_${entry.action}`);
    const said = entry.text || entry.note;
    return `${formatDateTime(entry.at)} · ${who} · ${what}${said ? ` — ${said}` : ''}`;
  };

  const forwardForm = (view, it) => {
    const leaders = view.participants.filter((p) => p.role === 'chair' || p.role === 'delegate');
    const boxes = h('fieldset', { class: 'readers' }, h('legend', {}, t('in_forward_to')), ...leaders.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id }), ' ', p.name)));
    const due = h('input', { type: 'datetime-local', 'aria-label': t('in_due') });
    const note = h('input', { type: 'text', 'aria-label': t('in_note'), placeholder: t('in_note_placeholder') });
    return h(
      'details',
      {},
      h('summary', {}, t('in_forward_summary')),
      boxes,
      h('div', { class: 'row' }, due, note),
      button(t('in_forward'), () => {
        const to = [...boxes.querySelectorAll('input:checked')].map((c) => c.value);
        return send({ op: 'forward_incoming', item: it.id, to, due: fromDateTimeInput(due.value), note: note.value });
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
          h('p', { class: 'meta' }, `${t(`incoming_kind_${it.kind}`)} · ${it.sender} · `, h('span', { class: 'chip' }, t(`incoming_status_${it.status}`)), it.due ? ` · ${t('incoming_due', { time: formatDateTime(it.due) })}` : ''),
          it.file
            ? h('p', { class: 'files' }, it.file.sha256
              ? h('a', { class: 'file', href: `/api/v1/meetings/${meetingId}/incoming/${it.id}/file`, target: '_blank', 'data-file': it.file.sha256 }, it.file.name)
              : h('span', { class: 'file' }, t('in_file_not_stored', { name: it.file.name })))
            : null,
          h('ul', { class: 'history' }, ...it.history.map((e) => h('li', {}, describe(view, e)))),
          it.status !== 'closed'
            ? h('div', { class: 'actions' }, forwardForm(view, it), button(t('in_close'), () => send({ op: 'close_incoming', item: it.id }), 'quiet'))
            : null,
        ),
      ),
    );
  };
  return { element, render };
}
