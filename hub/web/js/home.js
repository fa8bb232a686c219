// A person's tablet at home: who they are, their bodies, today's and coming meetings of
// every body that summoned them (each opens the meeting as their participant there), the
// invitations to answer (confirm, or declare an absence with a reason) and reminders.
// Read again every minute, so a reminder or a new meeting shows without a reload.

import { t } from './i18n.js';
import { h, fill, langButton, refusal } from './ui.js';
import { formatDateTime } from './format.js';

const root = document.getElementById('app');
const REFRESH_MS = 60_000;

/** The last home read from the hub, drawn again on a change of language. */
let me = null;
let revoked = false;
/** Why the last answer to an invitation was refused, by meeting. */
const refused = new Map();

const when = (ms) => (ms == null ? t('home_no_date') : formatDateTime(ms));

async function answer(meeting, body) {
  refused.delete(meeting);
  const r = await fetch(`/api/v1/me/invitations/${meeting}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    credentials: 'same-origin',
  }).catch(() => null);
  if (!r) refused.set(meeting, { code: 'busy' });
  else if (!r.ok) refused.set(meeting, await r.json().catch(() => ({ code: 'internal' })));
  await load();
}

function invitation(m) {
  if (!m.invited) return null;
  const reason = h('input', { type: 'text', maxlength: '500', placeholder: t('home_reason'), 'data-testid': `absence-reason-${m.meeting}` });
  const state = m.answer?.answer === 'attending' ? t('home_attending')
    : m.answer?.answer === 'absent' ? t('home_absent', { reason: m.answer.reason })
      : t('home_unanswered');
  const error = refused.get(m.meeting);
  return h('div', { class: 'invitation' },
    h('p', { 'data-testid': `invitation-${m.meeting}` }, state),
    error ? h('p', { class: 'error', role: 'alert' }, refusal(error)) : null,
    h('button', { class: 'btn', type: 'button', 'data-testid': `attend-${m.meeting}`, onclick: () => answer(m.meeting, { answer: 'attending' }) }, t('home_attend')),
    reason,
    h('button', {
      class: 'btn', type: 'button', 'data-testid': `absent-${m.meeting}`,
      onclick: () => (reason.value.trim() ? answer(m.meeting, { answer: 'absent', reason: reason.value }) : reason.focus()),
    }, t('home_declare_absence')));
}

function draw() {
  if (revoked) {
    fill(root, h('section', { class: 'notice', 'data-testid': 'device-revoked' },
      h('h1', {}, t('home_revoked_title')),
      h('p', {}, t('home_revoked_text')),
      langButton()));
  } else if (me) {
    fill(root,
      h('section', { class: 'home', 'data-testid': 'home' },
        h('h1', {}, t('home_title')),
        h('p', { 'data-testid': 'home-person' }, [me.person?.name, me.person?.position].filter(Boolean).join(' — ')),
        me.locked ? h('p', { class: 'error', role: 'alert' }, t('home_locked')) : null,
        h('p', { class: 'muted' }, me.bodies.join(' · ')),
        me.reminders.map((r) => h('p', { class: 'reminder', role: 'status', 'data-testid': 'reminder' },
          t('home_reminder', { title: r.title, when: when(r.starts_at), hours: r.hours_before }))),
        me.meetings.length === 0 ? h('p', {}, t('home_none')) : null,
        h('ul', { class: 'my-meetings' }, me.meetings.map((m) => h('li', { 'data-testid': 'my-meeting' },
          h('a', { class: 'btn big', href: `/?meeting=${m.meeting}`, 'data-testid': `open-${m.meeting}` }, m.title),
          h('p', { class: 'muted' }, [when(m.starts_at), m.venue, m.body].filter(Boolean).join(' · ')),
          invitation(m)))),
        langButton()));
  } else {
    return;
  }
  root.removeAttribute('aria-busy');
}

async function load() {
  let r;
  try {
    r = await fetch('/api/v1/me', { credentials: 'same-origin' });
  } catch {
    return; // Offline: keep what is shown; the next round tries again.
  }
  revoked = r.status === 401;
  if (r.ok) me = await r.json();
  draw();
}

addEventListener('hub-lang', draw);
load();
setInterval(load, REFRESH_MS);
