// A leader's incoming documents and petitions (văn bản đến / đơn thư) on the tablet: the
// items the secretariat forwarded to them, the file, "read", and a direction (ý kiến chỉ đạo).

import { t } from './i18n.js';
import { h, toast, nameOf, refusal } from './ui.js';
import { formatDateTime } from './format.js';

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
      toast(done(), 'ok');
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
      act({ op: 'direct_incoming', item: it.id, text }, () => t('incoming_sent'));
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
        onclick: () => act({ op: 'read_incoming', item: it.id }, () => t('incoming_marked_read')),
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
