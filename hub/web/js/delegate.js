// The delegate's tablet: the agenda with the current item and its documents, the vote
// panel that comes up by itself when a poll opens, speaking, opinion requests, notes and
// announcements. Built for a 10-inch tablet in portrait; every control is reachable by
// touch, keyboard and screen reader.

import { t } from './i18n.js';
import { api } from './staff.js';
import { h, fill, fillChanged, statusBadge, langButton, toast, nameOf, refusal, useStyle } from './ui.js';
import { formatTime, formatDateTime, formatSize } from './format.js';
import { openViewer } from './viewer.js';
import { forgetAllBut } from './offline.js';
import { startPrefetch } from './prefetch.js';
import { verdictLine } from './signature.js';
import { votePanel } from './vote.js';
import { incomingPanel, incomingWaiting } from './incoming.js';
import { resultsPanel } from './results.js';
import { committeeDevice, committeeWaiting, memberNumber } from './committee.js';
import { libraryPanel, searchPanel } from './archive.js';

const TABS = ['agenda', 'speak', 'opinions', 'results', 'notes', 'news', 'search', 'library'];

/** Mounts the delegate's screen in `root`; returns `{stop}`. */
export function mount(root, { connection, state }) {
  useStyle('/css/delegate.css');
  let tab = 'agenda';
  /** The open viewer: `{doc, close}`. */
  let viewerOpen = null;
  const top = h('header', { class: 'topbar' });
  const current = h('div', { class: 'current-bar', 'aria-live': 'polite' });
  const tabs = h('nav', { class: 'tabs', role: 'tablist' });
  const main = h('div', { class: 'content', role: 'tabpanel' });
  const vote = h('div', { class: 'vote-slot' });
  const ahead = h('div', { class: 'prefetch-slot' });
  fill(root, top, current, ahead, vote, tabs, main);
  const badge = statusBadge(connection);
  const lang = langButton();
  const drawVote = votePanel(vote, { connection, state });
  // A member of the Ban kiểm phiếu: the device takes its part in the key setup as the
  // messages come in, whichever tab is shown.
  const committee = committeeDevice({ connection, state, redraw: (force = false) => draw(force) });
  // Search (tra cứu) and the library (thư viện) keep their query and hits across redraws.
  const openAt = (doc, options) => {
    viewerOpen?.close();
    const close = openViewer(doc, { connection, state, onClose: () => { viewerOpen = null; }, ...options });
    viewerOpen = { doc: doc.id, close, bare: !!options.bare };
  };
  const openHit = (hit) => {
    const own = state.view.documents.find((d) => d.id === hit.target && hit.meeting === state.me.meeting);
    if (own) return openAt(own, { page: hit.page || 1 });
    // A library item: its listing has the document's versions for the viewer.
    api('GET', '/library').then(({ shelves }) => {
      const shelf = shelves.find((s) => s.id === hit.meeting);
      const doc = shelf?.documents.find((d) => d.id === hit.target);
      if (doc) openAt(doc, { page: hit.page || 1, bare: true, url: `/api/v1/library/${shelf.id}/documents/${doc.id}` });
    }).catch((e) => toast(refusal(e), 'error'));
  };
  const search = searchPanel({ openHit });
  const library = libraryPanel({
    openHit,
    offline: true,
    open: (shelf, doc) => openAt(doc, { bare: true, url: `/api/v1/library/${shelf.id}/documents/${doc.id}` }),
  });

  const draw = (force = false) => {
    const v = state.view;
    fill(top,
      h('div', { class: 'title' },
        h('strong', {}, v.meeting.title),
        h('span', {}, `${state.me.name} · ${t(`meeting_status_${v.meeting.status}`)}`)),
      badge, lang);
    const item = state.currentItem();
    const speaking = v.speakers.speaking;
    fill(current,
      item ? h('span', {}, h('span', { class: 'tag current' }, t('item_status_current')), ' ', item.title) : null,
      speaking ? h('span', { class: 'muted' }, ' · ', t('speaking_now', { name: nameOf(state, speaking.participant) })) : null);
    current.hidden = !item && !speaking;
    // A leader with items forwarded to them gets their tab; other delegates never see it.
    // So does a member of the counting committee.
    const tabNames = [...TABS, ...(memberNumber(state) >= 0 ? ['committee'] : []), ...(v.incoming.length > 0 ? ['incoming'] : [])];
    if (!tabNames.includes(tab)) tab = 'agenda';
    fill(tabs, tabNames.map((name) => h('button', {
      role: 'tab', type: 'button', 'aria-selected': String(tab === name), 'data-testid': `tab-${name}`,
      onclick: () => { tab = name; if (name === 'library') library.reload(); draw(true); },
    }, t(`tab_${name}`), badgeCount(state, name))));
    const typing = main.contains(document.activeElement) && /^(TEXTAREA|INPUT)$/.test(document.activeElement.tagName);
    const open = (doc) => {
      const close = openViewer(doc, { connection, state, onClose: () => { viewerOpen = null; } });
      viewerOpen = { doc: doc.id, close };
    };
    const kept = { search: search.element, library: library.element };
    if (kept[tab]) {
      if (main.firstChild !== kept[tab]) fill(main, kept[tab]);
    } else if (!typing || force) fill(main, tab === 'committee' ? committee.panel() : PANELS[tab](state, connection, open));
    drawVote();
  };
  const onChange = (e) => {
    const kind = e.detail.kind;
    if (kind === 'announcement_posted') {
      const a = state.view.announcements.at(-1);
      toast(a.title, 'info', 8000);
    }
    if (kind === 'snapshot' || kind.startsWith('document_')) deleteGone();
    draw();
    committee.step();
  };
  // A withdrawn or recalled document leaves the tablet at once: its viewer closes, its
  // copy is deleted, and then the hub hears that this tablet holds none (`report_deleted`).
  const confirming = new Set();
  const deleteGone = async () => {
    const published = state.view.documents.filter((d) => d.status === 'published');
    if (viewerOpen && !viewerOpen.bare && !published.some((d) => d.id === viewerOpen.doc)) {
      viewerOpen.close();
      toast(t('doc_recalled_closed'), 'info', 8000);
    }
    await library.ready;
    await forgetAllBut([...published.map((d) => d.versions[d.versions.length - 1].sha256), ...library.held()]);
    for (const owed of state.view.to_delete ?? []) {
      if (confirming.has(owed.document)) continue;
      confirming.add(owed.document);
      connection.send({ op: 'report_deleted', document: owed.document, version: owed.version })
        .catch(() => {})
        .finally(() => confirming.delete(owed.document));
    }
  };
  state.addEventListener('change', onChange);
  addEventListener('hub-lang', () => draw(true));
  let fetched = null;
  const drawAhead = () => fillChanged(ahead, JSON.stringify([fetched, document.documentElement.lang]), () => prefetchLine(fetched));
  addEventListener('hub-lang', drawAhead);
  const prefetch = startPrefetch({ connection, state, onStatus: (s) => { fetched = s; drawAhead(); } });
  deleteGone();
  draw(true);
  committee.step();
  return {
    stop() {
      state.removeEventListener('change', onChange);
      prefetch.stop();
      viewerOpen?.close();
    },
  };
}

/** How far fetching ahead is: documents kept for offline reading, and the space used. */
function prefetchLine(fetched) {
  if (!fetched || fetched.total === 0) return null;
  return h('p', { class: 'prefetch muted', 'data-testid': 'prefetch-status', 'aria-live': 'polite' },
    t('prefetch_status', { held: fetched.held, total: fetched.total, used: formatSize(fetched.used), budget: formatSize(fetched.budget) }),
    fetched.busy ? ` ${t('prefetch_busy')}` : '',
    fetched.over > 0 ? ` ${t('prefetch_over', { n: fetched.over })}` : '');
}

function badgeCount(state, tab) {
  const v = state.view;
  let n = 0;
  if (tab === 'opinions') n = v.opinions.filter((o) => !o.closed_at && !o.replies.some((r) => r.participant === state.me.participant)).length;
  if (tab === 'news') n = v.announcements.length;
  if (tab === 'incoming') n = incomingWaiting(state);
  if (tab === 'committee') n = committeeWaiting(state);
  return n > 0 ? h('span', { class: 'tag count' }, String(n)) : null;
}

const PANELS = {
  incoming: incomingPanel,
  results: resultsPanel,

  agenda(state, _connection, open) {
    const v = state.view;
    const docs = (item) => v.documents.filter((d) => d.item === item && d.status === 'published');
    const restricted = (d) => d.classification === 'confidential' || d.classification === 'personnel';
    const docList = (list) => (list.length === 0 ? null : h('ul', { class: 'docs' }, list.map((d) => {
      const version = d.versions[d.versions.length - 1];
      return h('li', {},
        h('button', { class: 'btn doc', type: 'button', 'data-testid': 'open-document', 'data-document': d.id, onclick: () => open(d) },
          h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, 'PDF'),
          h('span', { class: 'doc-title' }, d.title),
          h('span', { class: `tag ${restricted(d) ? 'bad' : ''}` }, t(`class_${d.classification}`))),
        h('div', { class: 'doc-meta' },
          verdictLine(version),
          version.watermarked ? h('span', { class: 'muted' }, ` · ${t('doc_watermarked_yours')}`) : null));
    })));
    if (v.agenda.length === 0) {
      return h('section', { class: 'panel', 'data-testid': 'agenda' }, h('p', { class: 'empty' }, t('agenda_empty')));
    }
    const general = docs(null);
    return h('section', { 'data-testid': 'agenda', 'aria-label': t('tab_agenda') },
      h('ol', { class: 'agenda' }, v.agenda.map((item, i) =>
        h('li', { class: `panel agenda-item ${item.status}`, 'aria-current': item.status === 'current' ? 'step' : null },
          h('div', { class: 'agenda-head' },
            h('span', { class: 'num' }, `${i + 1}`),
            h('div', { class: 'agenda-text' },
              h('strong', {}, item.title),
              item.description ? h('p', { class: 'muted' }, item.description) : null),
            h('span', { class: `tag ${item.status === 'current' ? 'current' : item.status === 'done' ? 'ok' : ''}` }, t(`item_status_${item.status}`))),
          docList(docs(item.id))))),
      general.length ? h('div', { class: 'panel' }, h('h2', {}, t('meeting_documents')), docList(general)) : null);
  },

  speak(state, connection) {
    const v = state.view;
    const me = state.me.participant;
    const queue = v.speakers.queue;
    const at = queue.findIndex((q) => q.participant === me);
    const speaking = v.speakers.speaking?.participant === me;
    const act = async (command, done) => {
      try {
        await connection.send(command);
        toast(done(), 'ok');
      } catch (e) { toast(refusal(e), 'error'); }
    };
    return h('section', { 'data-testid': 'speak' },
      h('div', { class: 'panel' },
        speaking ? h('p', { class: 'big-text' }, t('speak_now'))
          : at >= 0 ? h('p', { class: 'big-text' }, t('speak_position', { n: at + 1 })) : null,
        at >= 0
          ? h('button', { class: 'btn big', type: 'button', 'data-testid': 'speak-withdraw', onclick: () => act({ op: 'withdraw_speaking_request' }, () => t('speak_withdrawn')) }, t('speak_withdraw'))
          : h('button', { class: 'btn big primary', type: 'button', disabled: speaking, 'data-testid': 'speak-ask', onclick: () => act({ op: 'request_to_speak' }, () => t('speak_asked')) }, t('speak_ask'))),
      h('div', { class: 'panel' },
        h('h2', {}, t('speak_queue')),
        queue.length === 0 ? h('p', { class: 'empty' }, t('speak_nobody'))
          : h('ol', { class: 'list' }, queue.map((q) => h('li', { class: q.participant === me ? 'me' : '' },
            nameOf(state, q.participant), h('span', { class: 'muted' }, ` · ${formatTime(q.requested_at)}`))))));
  },

  opinions(state, connection) {
    const v = state.view;
    if (v.opinions.length === 0) return h('section', { class: 'panel' }, h('p', { class: 'empty' }, t('opinions_none')));
    return h('section', { 'data-testid': 'opinions' }, v.opinions.map((o) => opinionForm(state, connection, o)));
  },

  notes(state) {
    if (state.notes.length === 0) return h('section', { class: 'panel' }, h('p', { class: 'empty' }, t('notes_none')));
    return h('section', { class: 'panel' }, h('ul', { class: 'list' }, state.notes.map((n) => h('li', {},
      h('strong', {}, t('notes_page', { doc: n.document, page: n.page ?? '–' })),
      h('p', { class: 'pre' }, n.text),
      h('span', { class: 'muted' }, formatDateTime(n.updated_at))))));
  },

  news(state) {
    const list = [...state.view.announcements].reverse();
    if (list.length === 0) return h('section', { class: 'panel' }, h('p', { class: 'empty' }, t('news_none')));
    return h('section', {}, list.map((a) => h('article', { class: 'panel' },
      h('h2', {}, a.title), a.text ? h('p', { class: 'pre' }, a.text) : null,
      h('span', { class: 'muted' }, formatDateTime(a.posted_at)))));
  },
};

/** Links to the request's uploaded files (a name without a file has nothing to open). */
function attachmentLinks(state, r) {
  const files = (r.attachments ?? [])
    .map((a, i) => ({ ...a, n: i + 1 }))
    .filter((a) => a.sha256);
  if (files.length === 0) return null;
  const base = `/api/v1/meetings/${state.view.meeting.id}/opinions/${r.id}/attachments`;
  return h('nav', { class: 'attachments', 'aria-label': t('opinion_attachments') },
    h('span', { class: 'muted' }, `${t('opinion_attachments')}: `),
    files.map((a) => h('a', { href: `${base}/${a.n}`, target: '_blank', rel: 'noopener', 'data-testid': 'opinion-attachment' }, a.name)));
}

function opinionForm(state, connection, o) {
  const r = o.request;
  const mine = o.replies.find((x) => x.participant === state.me.participant);
  const closed = Boolean(o.closed_at) || Date.now() >= r.deadline;
  const choices = new Map((mine?.answers ?? []).map((a) => [a.question, { choice: a.choice, comment: a.comment ?? '' }]));
  const form = h('form', { class: 'panel opinion', 'data-testid': 'opinion' },
    h('h2', {}, r.title),
    r.description ? h('p', {}, r.description) : null,
    h('p', { class: 'muted' }, closed ? t('opinion_status_closed') : t('opinion_deadline', { time: formatDateTime(r.deadline) })),
    attachmentLinks(state, r),
    mine ? h('p', { class: 'tag ok' }, t('opinion_answered')) : null,
    r.questions.map((q, i) => {
      const n = i + 1;
      const name = `q-${r.id}-${n}`;
      const current = choices.get(n);
      return h('fieldset', { class: 'question', disabled: closed },
        h('legend', {}, `${n}. ${q}`),
        h('div', { class: 'choice-row' }, ['agree', 'disagree', 'other'].map((c) =>
          h('label', { class: 'choice' },
            h('input', { type: 'radio', name, value: c, checked: current?.choice === c, required: true }),
            t(`choice_${c}`)))),
        h('label', { for: `${name}-c` }, t('opinion_comment')),
        h('textarea', { id: `${name}-c`, name: `${name}-c` }, current?.comment ?? ''));
    }),
    closed ? null : h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('opinion_send'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const answers = r.questions.map((_, i) => {
      const name = `q-${r.id}-${i + 1}`;
      const a = { question: i + 1, choice: data.get(name) };
      const comment = String(data.get(`${name}-c`) ?? '').trim();
      if (comment) a.comment = comment;
      return a;
    });
    try {
      await connection.send({ op: 'answer_opinion_request', request: r.id, answers });
      toast(t('opinion_sent'), 'ok');
    } catch (err) { toast(refusal(err), 'error'); }
  });
  return form;
}
