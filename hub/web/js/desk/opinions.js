// The desk's opinion requests (xin ý kiến): ask members questions by a deadline, see who
// has answered, remind the others, close, and download the signed summary.

import { fill, h } from '../ui.js';
import { button, person, say, when, word } from '../staff.js';
import { fromLocal } from './meeting.js';
import { fileField } from './files.js';

export function opinionsSection({ send, meetingId }) {
  const title = h('input', { id: 'op-title', type: 'text', required: true, maxlength: '500' });
  const description = h('textarea', { id: 'op-desc', rows: '2' });
  const questions = h('textarea', { id: 'op-questions', rows: '3', placeholder: say('Mỗi dòng một câu hỏi', 'One question a line') });
  const deadline = h('input', { id: 'op-deadline', type: 'datetime-local', required: true });
  const recipients = h('fieldset', { class: 'readers', id: 'op-recipients' });
  const files = fileField({ meetingId, id: 'op-files', label: say('Tài liệu kèm theo', 'Attachments'), multiple: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'desk-form', id: 'op-form' },
    h('h3', {}, say('Gửi xin ý kiến', 'Ask for opinions')),
    h('div', { class: 'field wide' }, h('label', { for: 'op-title' }, say('Tiêu đề', 'Title')), title),
    h('div', { class: 'field wide' }, h('label', { for: 'op-desc' }, say('Nội dung', 'Description')), description),
    h('div', { class: 'field wide' }, h('label', { for: 'op-questions' }, say('Câu hỏi', 'Questions')), questions),
    h('div', { class: 'field' }, h('label', { for: 'op-deadline' }, say('Hạn trả lời', 'Deadline')), deadline),
    files.element,
    recipients,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, say('Gửi', 'Send')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const qs = questions.value.split('\n').map((q) => q.trim()).filter(Boolean);
    const to = [...recipients.querySelectorAll('input:checked')].map((c) => c.value);
    if (!qs.length || !to.length) {
      error.textContent = say('Cần ít nhất một câu hỏi và một người được hỏi.', 'At least one question and one recipient.');
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const attachments = await files.take();
      await send({
        op: 'create_opinion_request',
        title: title.value,
        description: description.value,
        questions: qs,
        attachments,
        recipients: to,
        deadline: fromLocal(deadline.value),
      });
      form.reset();
      files.reset();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  const list = h('div', { id: 'op-list' });
  const element = h('section', { class: 'desk-section', id: 'desk-opinions' }, h('h2', {}, say('Xin ý kiến', 'Opinion requests')), list, form);

  const render = (view) => {
    const ticked = new Set([...recipients.querySelectorAll('input:checked')].map((c) => c.value));
    const first = recipients.childElementCount === 0;
    fill(recipients, 
      h('legend', {}, say('Người được hỏi', 'Recipients')),
      ...view.participants
        .filter((p) => p.role === 'chair' || p.role === 'delegate')
        .map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: first || ticked.has(p.id) }), ' ', p.name)),
    );
    fill(list, 
      ...[...view.opinions].reverse().map((o) => {
        const r = o.request;
        const answered = new Set(o.replies.map((x) => x.participant));
        const waiting = r.recipients.filter((p) => !answered.has(p));
        const open = o.closed_at == null && r.deadline > Date.now();
        const base = `/api/v1/meetings/${meetingId}/opinions/${r.id}`;
        return h(
          'article',
          { class: 'card', 'data-request': r.id },
          h('h3', {}, r.title),
          h('p', { class: 'meta' }, say(`Hạn: ${when(r.deadline)} · đã trả lời ${answered.size}/${r.recipients.length}`, `Due ${when(r.deadline)} · answered ${answered.size}/${r.recipients.length}`), o.closed_at ? say(' · đã đóng', ' · closed') : ''),
          r.attachments?.length
            ? h('p', { class: 'files' }, ...r.attachments.map((a, i) => a.sha256
              ? h('a', { class: 'file', href: `${base}/attachments/${i + 1}`, target: '_blank', 'data-file': a.sha256 }, a.name)
              : h('span', { class: 'file' }, a.name)))
            : null,
          h('ol', { class: 'questions' }, ...r.questions.map((q, i) => {
            const count = (c) => o.replies.filter((x) => x.answers.find((a) => a.question === i + 1)?.choice === c).length;
            return h('li', {}, q, h('span', { class: 'sub' }, ` — ${['agree', 'disagree', 'other'].map((c) => `${word(`choice.${c}`)} ${count(c)}`).join(' · ')}`));
          })),
          waiting.length
            ? h('details', {}, h('summary', {}, say(`Chưa trả lời (${waiting.length})`, `Not answered (${waiting.length})`)), h('p', {}, waiting.map((p) => person(view, p).name).join(', ')))
            : null,
          h(
            'div',
            { class: 'actions' },
            open && waiting.length ? button(say('Nhắc', 'Remind'), () => send({ op: 'remind_opinion_request', request: r.id })) : null,
            open ? button(say('Đóng', 'Close'), () => send({ op: 'close_opinion_request', request: r.id }), 'quiet') : null,
            ...['summary.csv', 'summary.json', 'summary.csv.sig'].map((f) => h('a', { class: 'btn small', href: `${base}/${f}`, download: f }, f)),
          ),
        );
      }),
    );
  };
  return { element, render };
}
