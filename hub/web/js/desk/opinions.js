// The desk's opinion requests (xin ý kiến): ask members questions by a deadline, see who
// has answered, remind the others, close, and download the signed summary.

import { t } from '../i18n.js';
import { fill, fillChanged, h, refusal } from '../ui.js';
import { formatDateTime, fromDateTimeInput } from '../format.js';
import { button, person } from '../staff.js';
import { fileField } from './files.js';

export function opinionsSection({ send, meetingId }) {
  const title = h('input', { id: 'op-title', type: 'text', required: true, maxlength: '500' });
  const description = h('textarea', { id: 'op-desc', rows: '2' });
  const questions = h('textarea', { id: 'op-questions', rows: '3', placeholder: t('op_questions_placeholder') });
  const deadline = h('input', { id: 'op-deadline', type: 'datetime-local', required: true });
  const recipients = h('fieldset', { class: 'readers', id: 'op-recipients' });
  const files = fileField({ meetingId, id: 'op-files', label: t('opinion_attachments'), multiple: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'desk-form', id: 'op-form' },
    h('h3', {}, t('op_heading')),
    h('div', { class: 'field wide' }, h('label', { for: 'op-title' }, t('ann_title')), title),
    h('div', { class: 'field wide' }, h('label', { for: 'op-desc' }, t('op_description')), description),
    h('div', { class: 'field wide' }, h('label', { for: 'op-questions' }, t('op_questions')), questions),
    h('div', { class: 'field' }, h('label', { for: 'op-deadline' }, t('op_deadline')), deadline),
    files.element,
    recipients,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, t('send')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const qs = questions.value.split('\n').map((q) => q.trim()).filter(Boolean);
    const to = [...recipients.querySelectorAll('input:checked')].map((c) => c.value);
    if (!qs.length || !to.length) {
      error.textContent = t('op_need_question_recipient');
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
        deadline: fromDateTimeInput(deadline.value),
      });
      form.reset();
      files.reset();
    } catch (err) {
      fill(error, refusal(err));
    } finally {
      submit.disabled = false;
    }
  });
  const list = h('div', { id: 'op-list' });
  const element = h('section', { class: 'desk-section', id: 'desk-opinions' }, h('h2', {}, t('op_list_heading')), list, form);

  const render = (view) => {
    // Every member, all ticked at first: drawn again only when the members change.
    const ticked = new Set([...recipients.querySelectorAll('input:checked')].map((c) => c.value));
    const first = recipients.childElementCount === 0;
    const members = view.participants.filter((p) => p.role === 'chair' || p.role === 'delegate');
    fillChanged(recipients, JSON.stringify(members.map((p) => [p.id, p.name])), () => [
      h('legend', {}, t('op_recipients')),
      ...members.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: first || ticked.has(p.id) }), ' ', p.name)),
    ]);
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
          h('p', { class: 'meta' }, t('op_meta', { deadline: formatDateTime(r.deadline), n: answered.size, of: r.recipients.length }), o.closed_at ? ` · ${t('opinion_status_closed')}` : ''),
          r.attachments?.length
            ? h('p', { class: 'files' }, ...r.attachments.map((a, i) => a.sha256
              ? h('a', { class: 'file', href: `${base}/attachments/${i + 1}`, target: '_blank', 'data-file': a.sha256 }, a.name)
              : h('span', { class: 'file' }, a.name)))
            : null,
          h('ol', { class: 'questions' }, ...r.questions.map((q, i) => {
            const count = (c) => o.replies.filter((x) => x.answers.find((a) => a.question === i + 1)?.choice === c).length;
            return h('li', {}, q, h('span', { class: 'sub' }, ` — ${['agree', 'disagree', 'other'].map((c) => `${t(`choice_${c}`)} ${count(c)}`).join(' · ')}`));
          })),
          waiting.length
            ? h('details', {}, h('summary', {}, t('op_not_answered', { n: waiting.length })), h('p', {}, waiting.map((p) => person(view, p).name).join(', ')))
            : null,
          h(
            'div',
            { class: 'actions' },
            open && waiting.length ? button(t('op_remind'), () => send({ op: 'remind_opinion_request', request: r.id })) : null,
            open ? button(t('op_close'), () => send({ op: 'close_opinion_request', request: r.id }), 'quiet') : null,
            ...['summary.csv', 'summary.json', 'summary.csv.sig'].map((f) => h('a', { class: 'btn small', href: `${base}/${f}`, download: f }, f)),
          ),
        );
      }),
    );
  };
  return { element, render };
}
