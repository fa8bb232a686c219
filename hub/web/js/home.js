// A person's tablet at home: who they are, their bodies, today's and coming meetings of
// every body that summoned them (each opens the meeting as their participant there), the
// invitations to answer (confirm, or declare an absence with a reason) and reminders.
// Read again every minute, so a reminder or a new meeting shows without a reload.

import { h, fill } from './ui.js';

const root = document.getElementById('app');
const REFRESH_MS = 60_000;

const when = (ms) => (ms == null ? 'Chưa định ngày' : new Date(ms).toLocaleString('vi-VN', {
  weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
}));

async function answer(meeting, body) {
  const r = await fetch(`/api/v1/me/invitations/${meeting}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!r.ok) {
    const e = await r.json().catch(() => ({}));
    alert(`Chưa gửi được / Not sent: ${e.message ?? r.status}`);
  }
  await load();
}

function invitation(m) {
  if (!m.invited) return null;
  const reason = h('input', { type: 'text', maxlength: '500', placeholder: 'Lý do vắng mặt / Reason', 'data-testid': `absence-reason-${m.meeting}` });
  const state = m.answer?.answer === 'attending' ? 'Đã xác nhận tham dự / Attending'
    : m.answer?.answer === 'absent' ? `Đã báo vắng: ${m.answer.reason} / Absent`
      : 'Giấy mời chưa trả lời / Invitation not answered';
  return h('div', { class: 'invitation' },
    h('p', { 'data-testid': `invitation-${m.meeting}` }, state),
    h('button', { class: 'btn', type: 'button', 'data-testid': `attend-${m.meeting}`, onclick: () => answer(m.meeting, { answer: 'attending' }) }, 'Xác nhận tham dự / Attend'),
    reason,
    h('button', {
      class: 'btn', type: 'button', 'data-testid': `absent-${m.meeting}`,
      onclick: () => (reason.value.trim() ? answer(m.meeting, { answer: 'absent', reason: reason.value }) : reason.focus()),
    }, 'Báo vắng / Declare absence'));
}

function draw(me) {
  fill(root,
    h('section', { class: 'home', 'data-testid': 'home' },
      h('h1', {}, 'Cuộc họp của tôi ', h('span', { lang: 'en', class: 'muted small' }, 'My meetings')),
      h('p', { 'data-testid': 'home-person' }, `${me.person?.name ?? ''} — ${me.person?.position ?? ''}`),
      me.locked ? h('p', { class: 'error', role: 'alert' }, 'Thiết bị đang bị khóa do nhập sai mã PIN; đề nghị liên hệ Văn phòng. / Locked after wrong PINs.') : null,
      h('p', { class: 'muted' }, me.bodies.join(' · ')),
      ...me.reminders.map((r) => h('p', { class: 'reminder', role: 'status', 'data-testid': 'reminder' },
        `Nhắc lịch: ${r.title} — ${when(r.starts_at)} (còn dưới ${r.hours_before} giờ)`)),
      me.meetings.length === 0 ? h('p', {}, 'Chưa có cuộc họp nào. / No meetings yet.') : null,
      h('ul', { class: 'my-meetings' }, me.meetings.map((m) => h('li', { 'data-testid': 'my-meeting' },
        h('a', { class: 'btn big', href: `/?meeting=${m.meeting}`, 'data-testid': `open-${m.meeting}` }, m.title),
        h('p', { class: 'muted' }, [when(m.starts_at), m.venue, m.body].filter(Boolean).join(' · ')),
        invitation(m))))));
  root.removeAttribute('aria-busy');
}

async function load() {
  let r;
  try {
    r = await fetch('/api/v1/me', { credentials: 'same-origin' });
  } catch {
    return; // Offline: keep what is shown; the next round tries again.
  }
  if (r.status === 401) {
    fill(root, h('section', { class: 'notice', 'data-testid': 'device-revoked' },
      h('h1', {}, 'Thiết bị không còn hiệu lực'),
      h('p', {}, 'Thiết bị này đã bị thu hồi hoặc chưa đăng ký. Đề nghị Văn phòng cấp mã đăng ký mới.'),
      h('p', { lang: 'en', class: 'muted small' }, 'This tablet was revoked or is not enrolled; ask the office for a new enrolment code.')));
    root.removeAttribute('aria-busy');
    return;
  }
  if (r.ok) draw(await r.json());
}

load();
setInterval(load, REFRESH_MS);
