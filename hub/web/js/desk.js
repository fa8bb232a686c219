// The secretariat desk: a tab per task (meeting and agenda, participants, documents, votes,
// opinion requests, incoming documents, calendar and announcements, the record and its
// exports). Each tab is a module under `desk/`
// with `{element, render(view)}`; every change of the meeting redraws the visible one.

import { t } from './i18n.js';
import { fill, h, langButton, statusBadge, useStyle } from './ui.js';
import { mountRedrawn, sender, tick } from './staff.js';
import { pollCard, pollForm, pollTools } from './polls-staff.js';
import { committeeCard } from './committee-staff.js';
import { meetingSection } from './desk/meeting.js';
import { participantsSection } from './desk/participants.js';
import { documentsSection } from './desk/documents.js';
import { opinionsSection } from './desk/opinions.js';
import { incomingSection } from './desk/incoming.js';
import { lastBackup } from './desk/backup.js';
import { calendarSection } from './desk/calendar.js';
import { exportsSection } from './desk/exports.js';

/**
 * Mounts the desk in `root` (the shell's contract): `connection` sends commands, `state`
 * is the live meeting. Returns `{stop}`. A change of language draws it again, labels
 * of the forms included.
 */
export function mount(root, ctx) {
  return mountRedrawn(root, ctx, draw);
}

function draw(root, { connection, state }) {
  useStyle('/css/staff.css');
  const send = sender(connection);
  const meetingId = state.view.meeting.id;
  const ctx = { send, state, meetingId };
  const tabs = [
    ['meeting', () => t('desk_tab_meeting'), meetingSection(ctx)],
    ['participants', () => t('desk_tab_participants'), participantsSection(ctx)],
    ['documents', () => t('desk_tab_documents'), documentsSection(ctx)],
    ['polls', () => t('desk_tab_polls'), pollsSection(ctx)],
    ['opinions', () => t('desk_tab_opinions'), opinionsSection(ctx)],
    ['incoming', () => t('desk_tab_incoming'), incomingSection(ctx)],
    ['calendar', () => t('desk_tab_calendar'), calendarSection(ctx)],
    ['exports', () => t('desk_tab_exports'), exportsSection(ctx)],
  ];
  // A tab can be bookmarked (`/#documents`); otherwise the last one used in this window.
  const known = (key) => tabs.some(([k]) => k === key);
  const fromHash = location.hash.slice(1);
  let active = known(fromHash) ? fromHash : sessionStorage.getItem('desk.tab') || 'participants';
  const nav = h('nav', { class: 'desk-nav', role: 'tablist', 'aria-label': t('desk_label') });
  const panel = h('main', { class: 'desk-panel', role: 'tabpanel' });
  const title = h('h1', {});
  const summary = h('div', { class: 'desk-summary', role: 'status' });
  fill(root, 
    h(
      'div',
      { class: 'desk' },
      h('header', { class: 'desk-top' }, title, summary, h('div', { class: 'staff-bar' }, lastBackup(), statusBadge(connection), langButton())),
      nav,
      panel,
    ),
  );

  const render = () => {
    const view = state.view;
    if (!view) return;
    title.textContent = view.meeting.title;
    const a = view.attendance;
    const counts = { status: t(`meeting_status_${view.meeting.status}`), present: a.present, summoned: a.summoned };
    summary.textContent = a.quorum_reached ? t('desk_summary_quorum', counts) : t('desk_summary_no_quorum', counts);
    fill(nav, 
      ...tabs.map(([key, label]) =>
        h('button', {
          type: 'button',
          role: 'tab',
          id: `tab-${key}`,
          class: 'desk-tab',
          'aria-selected': key === active ? 'true' : 'false',
          onclick: () => {
            active = key;
            sessionStorage.setItem('desk.tab', key);
            history.replaceState(null, '', `${location.pathname}${location.search}#${key}`);
            render();
          },
        }, label()),
      ),
    );
    const [, , section] = tabs.find(([key]) => key === active) || tabs[1];
    if (panel.firstChild !== section.element) fill(panel, section.element);
    section.render(view);
    tick();
  };
  const onHash = () => {
    const key = location.hash.slice(1);
    if (known(key) && key !== active) {
      active = key;
      render();
    }
  };
  state.addEventListener('change', render);
  addEventListener('hashchange', onHash);
  render();
  const timer = setInterval(tick, 500);
  return {
    elements: () => tabs.map(([, , section]) => section.element),
    stop() {
      clearInterval(timer);
      state.removeEventListener('change', render);
      removeEventListener('hashchange', onHash);
    },
  };
}

function pollsSection({ send, state }) {
  const list = h('div', { class: 'poll-list' });
  const form = pollForm({ state, send, idPrefix: 'desk' });
  const committee = committeeCard(state, send, 'desk');
  const element = h('section', { class: 'desk-section', id: 'desk-polls' }, h('h2', {}, t('polls_heading')), committee.element, list, form.element);
  // The paper-ballot and on-behalf forms of the open polls, kept across redraws.
  const tools = new Map();
  const render = (view) => {
    // An open poll's tools while it is open; a secret poll's paper ballots once it is
    // closed, until its box is opened (before, a count of one would show a vote).
    const tooled = (p) => (p.poll.secret ? p.status === 'closed' && !p.sealed_box?.counts : p.status === 'open');
    for (const id of tools.keys()) if (!view.polls.some((p) => p.poll.id === id && tooled(p))) tools.delete(id);
    const extra = (p) => {
      if (!tooled(p)) return null;
      if (!tools.has(p.poll.id)) tools.set(p.poll.id, pollTools(p, send));
      const tool = tools.get(p.poll.id);
      tool.refresh(p, view);
      return tool.element;
    };
    fill(list, ...[...view.polls].reverse().map((p) => pollCard(p, view, send, view.meeting.id, extra(p))));
    form.refresh(view);
    committee.refresh(view);
  };
  return { element, render };
}
