// The delegate's tablet: the agenda with the current item, its documents read in the page,
// the vote panel that comes up by itself, speaking, opinions, comments, notes and
// announcements. Built for a 10-inch tablet in portrait; everything reachable by touch,
// keyboard and screen reader.

import { t, define } from './i18n.js';
import { h, fill, statusBadge, langButton, formatTime, formatDate } from './ui.js';

define({
  vi: {
    tab_agenda: 'Chương trình',
    agenda_empty: 'Chưa có chương trình nghị sự.',
    item_current: 'Đang thảo luận',
    item_done: 'Đã xong',
    item_pending: 'Sắp tới',
    documents_of_item: 'Tài liệu',
    no_documents: 'Chưa có tài liệu.',
    meeting_documents: 'Tài liệu chung của cuộc họp',
  },
  en: {
    tab_agenda: 'Agenda',
    agenda_empty: 'There is no agenda yet.',
    item_current: 'Under discussion',
    item_done: 'Done',
    item_pending: 'Coming up',
    documents_of_item: 'Documents',
    no_documents: 'No documents yet.',
    meeting_documents: 'Documents for the whole meeting',
  },
});

/** Mounts the delegate's screen in `root`; returns `{stop}`. */
export function mount(root, { connection, state }) {
  const top = h('header', { class: 'topbar' });
  const main = h('div', { class: 'content' });
  fill(root, top, main);

  const draw = () => {
    const v = state.view;
    fill(top,
      h('div', { class: 'title' },
        h('strong', {}, v.meeting.title),
        h('span', {}, `${state.me.name} · ${t(`meeting_${v.meeting.status}`)}`)),
      statusBadge(connection),
      langButton());
    fill(main, agendaPanel(state));
  };
  state.addEventListener('change', draw);
  addEventListener('hub-lang', draw);
  draw();
  return { stop() { state.removeEventListener('change', draw); } };
}

function agendaPanel(state) {
  const v = state.view;
  if (v.agenda.length === 0) return h('section', { class: 'panel', 'data-testid': 'agenda' }, h('p', { class: 'empty' }, t('agenda_empty')));
  return h('section', { class: 'panel', 'data-testid': 'agenda', 'aria-label': t('tab_agenda') },
    h('h1', {}, t('tab_agenda')),
    h('ol', { class: 'list agenda' }, v.agenda.map((item, i) =>
      h('li', { class: `agenda-item ${item.status}`, 'aria-current': item.status === 'current' ? 'step' : null },
        h('div', { class: 'agenda-head' },
          h('span', { class: 'num' }, `${i + 1}.`),
          h('strong', {}, item.title),
          h('span', { class: `tag ${item.status === 'current' ? 'current' : ''}` }, t(`item_${item.status}`))),
        item.description ? h('p', { class: 'muted' }, item.description) : null))));
}
