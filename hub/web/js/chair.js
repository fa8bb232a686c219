// The chair console: attendance and quorum, the agenda, votes and the speakers' queue on one
// landscape screen. Everything shown comes from the meeting state the shell keeps; every
// button sends one command and shows the hub's refusal, if any, in words.

import { t } from './i18n.js';
import { confirmDialog, fill, h, langButton, statusBadge, useStyle } from './ui.js';
import { mountRedrawn, sender, button, person, tick } from './staff.js';
import { pollCard, pollForm } from './polls-staff.js';
import { committeeCard } from './committee-staff.js';
import { fileButtons } from './exports.js';

/**
 * Mounts the console in `root` (the shell's contract): `connection` sends commands, `state`
 * is the live meeting. Returns `{stop}`. A change of language draws it again, labels
 * of the forms included.
 */
export function mount(root, ctx) {
  return mountRedrawn(root, ctx, draw);
}

function draw(root, { connection, state }) {
  useStyle('/css/staff.css');
  const send = sender(connection);
  const top = h('header', { class: 'chair-top' });
  const agenda = h('section', { class: 'panel chair-agenda', 'aria-labelledby': 'chair-agenda-h' });
  const polls = h('div', { class: 'chair-poll-list' });
  const form = pollForm({ state, send, idPrefix: 'chair' });
  const committee = committeeCard(state, send, 'chair');
  const speakers = h('section', { class: 'panel chair-speakers', 'aria-labelledby': 'chair-speakers-h' });
  const record = h('div', { class: 'chair-record', id: 'chair-record' });
  const files = fileButtons();
  fill(root, 
    h(
      'div',
      { class: 'chair' },
      top,
      h(
        'div',
        { class: 'chair-grid' },
        agenda,
        h(
          'section',
          { class: 'panel chair-polls', 'aria-labelledby': 'chair-polls-h' },
          h('h2', { id: 'chair-polls-h' }, t('polls_heading')),
          polls,
          form.element,
          committee.element,
          h('h2', { id: 'chair-record-h' }, t('chair_record')),
          record,
        ),
        speakers,
      ),
    ),
  );

  const bar = h('div', { class: 'staff-bar' }, statusBadge(connection), langButton());
  const render = () => {
    const view = state.view;
    if (!view) return;
    renderTop(top, view, send, bar);
    renderAgenda(agenda, view, send);
    fill(polls, ...orderPolls(view.polls || []).map((p) => pollCard(p, view, send)));
    form.refresh(view);
    committee.refresh(view);
    renderRecord(record, view, files);
    renderSpeakers(speakers, view, send);
    tick();
  };
  state.addEventListener('change', render);
  render();
  const timer = setInterval(tick, 500);
  return {
    elements: () => [root],
    stop() {
      clearInterval(timer);
      state.removeEventListener('change', render);
    },
  };
}

/** Open polls first, then those to prepare or publish, then the finished ones. */
function orderPolls(list) {
  const rank = { open: 0, closed: 1, draft: 2, published: 3, cancelled: 4 };
  return [...list].sort((a, b) => rank[a.status] - rank[b.status]);
}

function renderTop(top, view, send, bar) {
  const m = view.meeting;
  const a = view.attendance;
  const [num, den] = (a.quorum || '2/3').split('/').map(Number);
  const needed = Math.ceil((a.summoned * num) / den);
  const sessionButtons = [];
  if (m.status === 'draft')
    sessionButtons.push(button(t('action_open_meeting'), () => send({ op: 'open_meeting' })));
  if (m.status === 'open' || m.status === 'adjourned')
    sessionButtons.push(
      button(m.status === 'adjourned' ? t('action_resume_session') : t('action_start_session'), () => send({ op: 'start_session' }), 'primary'),
    );
  if (m.status === 'in_session')
    sessionButtons.push(button(t('action_adjourn'), () => send({ op: 'adjourn' })));
  if (m.status !== 'closed')
    sessionButtons.push(
      button(
        t('action_close_meeting'),
        async () => {
          const sure = await confirmDialog(t('close_meeting_title'), t('close_meeting_text'));
          if (sure) await send({ op: 'close_meeting' });
        },
        'danger',
      ),
    );
  fill(top, 
    h(
      'div',
      { class: 'chair-title' },
      h('h1', {}, m.title),
      h('span', { class: `chip status-${m.status}` }, t(`meeting_status_${m.status}`)),
    ),
    h(
      'div',
      {
        class: `chair-attendance ${a.quorum_reached ? 'quorum-ok' : 'quorum-no'}`,
        role: 'status',
        'aria-live': 'polite',
      },
      h(
        'div',
        { class: 'big' },
        h('span', { class: 'present-count' }, String(a.present)),
        h('span', { class: 'of' }, ` / ${a.summoned}`),
      ),
      h(
        'div',
        {},
        h('div', {}, t('chair_members_present')),
        h(
          'strong',
          { class: 'quorum-state' },
          a.quorum_reached
            ? t('chair_quorum_reached', { quorum: a.quorum })
            : t('chair_quorum_missing', { needed }),
        ),
      ),
    ),
    h('div', { class: 'chair-session' }, ...sessionButtons),
    bar,
  );
}

/** The minutes and the counting reports of published elections and secret votes. */
function renderRecord(el, view, files) {
  const base = `/meetings/${view.meeting.id}/record`;
  const reports = (view.polls || []).filter((p) => p.status === 'published' && (p.poll.secret || p.poll.kind.type === 'election'));
  fill(el,
    h('p', { class: 'hint' }, view.meeting.status === 'closed' ? t('exp_minutes_final') : t('exp_minutes_draft')),
    h('div', { class: 'actions' },
      files.get({ id: 'chair-minutes-pdf', label: t('exp_minutes_pdf'), path: `${base}/minutes.pdf` }),
      files.get({ id: 'chair-minutes-docx', label: t('exp_minutes_docx'), path: `${base}/minutes.docx` }),
      ...reports.map((p) => h('div', { class: 'chair-report' },
        h('span', { class: 'what' }, p.poll.title),
        files.get({ id: `chair-report-${p.poll.id}`, label: t('exp_report_pdf'), path: `${base}/polls/${p.poll.id}/counting-report.pdf` })))));
}

function renderAgenda(section, view, send) {
  const running = view.meeting.status === 'in_session';
  // Only the natural next item (the first pending one after the current) is the
  // prominent button; the others stay quiet so the list reads as a list.
  const at = view.agenda.findIndex((a) => a.status === 'current');
  const next = view.agenda.find((a, i) => i > at && a.status === 'pending')?.id;
  fill(section, 
    h('h2', { id: 'chair-agenda-h' }, t('agenda_heading')),
    h(
      'ol',
      { class: 'chair-agenda-list' },
      ...view.agenda.map((item, i) =>
        h(
          'li',
          { class: `agenda-${item.status}`, 'data-item': item.id, 'aria-current': item.status === 'current' ? 'step' : null },
          h('span', { class: 'n' }, String(i + 1)),
          h(
            'div',
            { class: 'what' },
            h('div', { class: 'title' }, item.title),
            h('div', { class: 'state' }, t(`item_status_${item.status}`)),
          ),
          item.status === 'current'
            ? button(t('chair_item_finish'), () => send({ op: 'finish_agenda_item', item: item.id }))
            : button(
                item.status === 'done' ? t('chair_item_again') : t('chair_item_start'),
                async () => {
                  // Starting a later item leaves the ones before it undiscussed: ask first.
                  const skipped = view.agenda.filter((a, j) => j < i && a.status === 'pending').length;
                  const ok = skipped === 0 || await confirmDialog(item.title,
                    t('chair_item_skip', { n: skipped }));
                  if (ok) await send({ op: 'start_agenda_item', item: item.id });
                },
                item.id === next ? 'primary' : '',
                !running,
              ),
        ),
      ),
    ),
    running ? null : h('p', { class: 'hint' }, t('chair_agenda_hint')),
  );
}

function renderSpeakers(section, view, send) {
  const sp = view.speakers || { queue: [], speaking: null, limit_secs: 300 };
  const speaking = sp.speaking && sp.speaking.ended_at == null ? sp.speaking : null;
  const limitInput = h('input', {
    type: 'number',
    min: '0',
    max: '60',
    id: 'chair-limit',
    value: String(Math.round((sp.limit_secs || 0) / 60)),
  });
  fill(section, 
    h('h2', { id: 'chair-speakers-h' }, t('speakers_heading')),
    speaking
      ? h(
          'div',
          { class: 'now-speaking' },
          h('div', { class: 'label' }, t('speakers_speaking')),
          h('div', { class: 'who' }, person(view, speaking.participant).name),
          h('div', { class: 'pos' }, person(view, speaking.participant).position || ''),
          h('div', {
            class: 'speech-timer',
            'data-since': String(speaking.started_at),
            'data-limit': String(speaking.limit_secs || 0),
            role: 'timer',
          }),
          button(t('speakers_end'), () => send({ op: 'end_speech' }), 'danger'),
        )
      : h('p', { class: 'hint' }, t('speakers_nobody')),
    button(
      t('speakers_next'),
      () => send({ op: 'give_floor' }),
      'primary next-speaker',
      sp.queue.length === 0 || view.meeting.status !== 'in_session',
    ),
    h('h3', {}, t('speakers_waiting', { n: sp.queue.length })),
    h(
      'ol',
      { class: 'speaker-queue' },
      ...sp.queue.map((q) => {
        const p = person(view, q.participant);
        return h(
          'li',
          { 'data-participant': q.participant },
          h('div', { class: 'what' }, h('div', { class: 'title' }, p.name), h('div', { class: 'state' }, p.unit || '')),
          button(t('speakers_give_floor'), () => send({ op: 'give_floor', participant: q.participant }), 'primary', view.meeting.status !== 'in_session'),
          button('×', () => send({ op: 'withdraw_speaking_request', participant: q.participant }), 'quiet', false, t('speakers_remove')),
        );
      }),
    ),
    h(
      'div',
      { class: 'limit-row' },
      h('label', { for: 'chair-limit' }, t('speakers_limit')),
      limitInput,
      button(t('speakers_limit_set'), () =>
        send({ op: 'set_speaking_limit', seconds: Math.max(0, Math.round(Number(limitInput.value) * 60)) }),
      ),
    ),
  );
}
