// A leader's incoming documents and petitions (văn bản đến / đơn thư) on the tablet: the
// items the secretariat forwarded to them, the file, "read", and a direction (ý kiến chỉ đạo).

import { t, define, refusal } from './i18n.js';
import { h, formatDateTime, toast, nameOf } from './ui.js';

define({
  vi: {
    tab_incoming: 'Văn bản đến',
    incoming_kind_document: 'Văn bản đến',
    incoming_kind_petition: 'Đơn thư',
    incoming_from: 'Nơi gửi: {sender}',
    incoming_due: 'Hạn xử lý: {time}',
    incoming_file: 'Mở tệp đính kèm',
    incoming_read: 'Đánh dấu đã đọc',
    incoming_marked_read: 'Đã ghi nhận đã đọc.',
    incoming_direction: 'Ý kiến chỉ đạo',
    incoming_send: 'Gửi ý kiến chỉ đạo',
    incoming_sent: 'Đã gửi ý kiến chỉ đạo.',
    incoming_empty_direction: 'Hãy nhập ý kiến chỉ đạo.',
    incoming_status_new: 'Mới',
    incoming_status_forwarded: 'Chờ chỉ đạo',
    incoming_status_answered: 'Đã có chỉ đạo',
    incoming_status_closed: 'Đã đóng',
    incoming_history: 'Quá trình xử lý',
    incoming_action_registered: 'Vào sổ',
    incoming_action_forwarded: 'Chuyển xin ý kiến',
    incoming_action_read: 'Đã đọc',
    incoming_action_directed: 'Chỉ đạo',
    incoming_action_closed: 'Đóng',
    incoming_office: 'Văn phòng',
  },
  en: {
    tab_incoming: 'Incoming',
    incoming_kind_document: 'Incoming document',
    incoming_kind_petition: 'Petition',
    incoming_from: 'From: {sender}',
    incoming_due: 'Due: {time}',
    incoming_file: 'Open the attached file',
    incoming_read: 'Mark as read',
    incoming_marked_read: 'Marked as read.',
    incoming_direction: 'Direction',
    incoming_send: 'Send the direction',
    incoming_sent: 'Direction sent.',
    incoming_empty_direction: 'Write the direction first.',
    incoming_status_new: 'New',
    incoming_status_forwarded: 'Awaiting direction',
    incoming_status_answered: 'Directed',
    incoming_status_closed: 'Closed',
    incoming_history: 'History',
    incoming_action_registered: 'Registered',
    incoming_action_forwarded: 'Forwarded',
    incoming_action_read: 'Read',
    incoming_action_directed: 'Direction',
    incoming_action_closed: 'Closed',
    incoming_office: 'Office',
  },
});

/** Items forwarded to this leader that still wait for their direction. */
export function incomingWaiting(state) {
  const me = state.me.participant;
  return state.view.incoming.filter((it) => it.status !== 'closed'
    && !it.history.some((e) => e.action === 'directed' && e.by === me)).length;
}

/** The panel: one card per item, newest first. */
export function incomingPanel(state, connection) {
  const me = state.me.participant;
  const meetingId = state.view.meeting.id;
  const act = async (command, done) => {
    try {
      await connection.send(command);
      toast(t(done), 'ok');
    } catch (e) { toast(refusal(e), 'error'); }
  };
  const items = [...state.view.incoming].reverse();
  return h('section', { 'data-testid': 'incoming' }, items.map((it) => {
    const read = it.history.some((e) => e.action === 'read' && e.by === me);
    const closed = it.status === 'closed';
    const direction = h('textarea', { id: `direction-${it.id}`, rows: 3, disabled: closed });
    const send = (ev) => {
      ev.preventDefault();
      const text = direction.value.trim();
      if (!text) { toast(t('incoming_empty_direction'), 'error'); return; }
      act({ op: 'direct_incoming', item: it.id, text }, 'incoming_sent');
    };
    return h('article', { class: 'panel incoming', 'data-testid': 'incoming-item' },
      h('h2', {}, `${it.number ? `${it.number} · ` : ''}${it.subject}`),
      h('p', {},
        h('span', { class: 'tag' }, t(`incoming_kind_${it.kind}`)), ' ',
        h('span', { class: `tag ${it.status === 'answered' ? 'ok' : ''}` }, t(`incoming_status_${it.status}`))),
      h('p', { class: 'muted' }, t('incoming_from', { sender: it.sender })),
      it.due ? h('p', { class: 'muted' }, t('incoming_due', { time: formatDateTime(it.due) })) : null,
      it.file?.sha256 ? h('p', {}, h('a', {
        class: 'btn', href: `/api/v1/meetings/${meetingId}/incoming/${it.id}/file`,
        target: '_blank', rel: 'noopener', 'data-testid': 'incoming-file',
      }, `${t('incoming_file')}: ${it.file.name}`)) : null,
      read || closed ? null : h('button', {
        class: 'btn', type: 'button', 'data-testid': 'incoming-read',
        onclick: () => act({ op: 'read_incoming', item: it.id }, 'incoming_marked_read'),
      }, t('incoming_read')),
      closed ? null : h('form', { class: 'direction', onsubmit: send },
        h('label', { for: `direction-${it.id}` }, t('incoming_direction')),
        direction,
        h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'incoming-direct' }, t('incoming_send'))),
      h('details', {},
        h('summary', {}, t('incoming_history')),
        h('ol', { class: 'list' }, it.history.map((e) => h('li', {},
          h('strong', {}, t(`incoming_action_${e.action}`)),
          ` · ${e.by ? nameOf(state, e.by) : t('incoming_office')} · ${formatDateTime(e.at)}`,
          e.text ? h('p', { class: 'pre' }, e.text) : null,
          e.note ? h('p', { class: 'pre' }, e.note) : null)))));
  }));
}
