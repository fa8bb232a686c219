// The archive and the library on a screen: a search box over every meeting the signed-in
// token may open (GET /api/v1/search; words without diacritics find words with them), the
// closed meetings by year (GET /api/v1/archive), and the library's shelves with their
// documents and news (GET /api/v1/library). Each element is made once and kept across the
// screen's redraws, so a query and its hits stay while the meeting changes.

import { t } from './i18n.js';
import { h, fill, refusal } from './ui.js';
import { formatDateTime } from './format.js';
import { api } from './staff.js';
import { documentBytes } from './offline.js';

/**
 * A search box and its hits. `openHit(hit)` opens a page hit (the caller knows how: the
 * tablet's viewer, or the office's); without it a hit only shows where it is.
 */
export function searchPanel({ openHit } = {}) {
  const input = h('input', { id: 'search-q', type: 'search', maxlength: '200', autocomplete: 'off', 'data-testid': 'search-q', placeholder: t('search_placeholder') });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const hits = h('ol', { class: 'search-hits', 'data-testid': 'search-hits' });
  const run = async (e) => {
    e?.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    status.textContent = t('search_searching');
    try {
      const answer = await api('GET', `/search?q=${encodeURIComponent(q)}`);
      status.textContent = answer.hits.length === 0 ? t('search_none') : t('search_found', { n: answer.hits.length }) + (answer.more ? ` ${t('search_more')}` : '');
      if (answer.indexing) status.textContent += ` ${t('search_indexing')}`;
      fill(hits, ...answer.hits.map((hit) => hitLine(hit, openHit)));
    } catch (err) {
      status.textContent = refusal(err);
      fill(hits);
    }
  };
  const form = h('form', { class: 'panel search-form', role: 'search', onsubmit: run },
    h('label', { for: 'search-q' }, t('search_label')),
    h('div', { class: 'row' }, input, h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'search-go' }, t('search_go'))),
    h('p', { class: 'hint' }, t('search_hint')));
  const element = h('section', { class: 'archive-search', 'data-testid': 'search' }, form, status, hits);
  return { element };
}

function hitLine(hit, openHit) {
  const snippet = h('p', { class: 'snippet' });
  // The hub escapes the text and marks the words found with <b>; nothing else comes in it.
  snippet.innerHTML = hit.snippet;
  const where = [hit.meeting_title, formatDateTime(hit.starts_at), hit.page ? t('search_page', { page: hit.page }) : null].filter(Boolean).join(' · ');
  const canOpen = hit.kind === 'page' && openHit;
  return h('li', { class: 'card search-hit', 'data-kind': hit.kind, 'data-target': hit.target ?? '' },
    h('div', {}, h('span', { class: 'tag' }, t(`search_kind_${hit.kind}`)), ' ', h('strong', {}, hit.title)),
    h('div', { class: 'meta muted' }, where),
    snippet,
    canOpen ? h('button', { class: 'btn', type: 'button', 'data-testid': 'search-open', onclick: () => openHit(hit) }, t('search_open', { page: hit.page || 1 })) : null);
}

/** The closed meetings by year, with a title filter. `openMeeting(m)` opens one. */
export function archivePanel({ openMeeting } = {}) {
  const year = h('select', { id: 'archive-year', 'data-testid': 'archive-year' });
  const list = h('ul', { class: 'office-list', 'data-testid': 'archive-list' });
  const status = h('p', { class: 'muted', role: 'status' });
  let years = null;
  const load = async () => {
    const q = year.value ? `?year=${year.value}` : '';
    try {
      const answer = await api('GET', `/archive${q}`);
      if (!years) {
        years = answer.years;
        fill(year, h('option', { value: '' }, t('archive_all_years')), ...years.map((y) => h('option', { value: String(y) }, String(y))));
      }
      status.textContent = answer.meetings.length === 0 ? t('archive_none') : t('archive_count', { n: answer.meetings.length });
      fill(list, ...answer.meetings.map((m) => h('li', { class: 'card', 'data-archived': m.id },
        openMeeting ? h('button', { class: 'link', type: 'button', onclick: () => openMeeting(m) }, h('strong', {}, m.title)) : h('strong', {}, m.title),
        h('div', { class: 'meta' }, [formatDateTime(m.starts_at), m.venue].filter(Boolean).join(' · ')))));
    } catch (err) {
      status.textContent = refusal(err);
    }
  };
  year.addEventListener('change', load);
  const element = h('section', { class: 'panel archive', 'data-testid': 'archive' },
    h('h2', {}, t('archive_heading')),
    h('label', { for: 'archive-year' }, t('archive_year')), ' ', year,
    status, list);
  load();
  return { element, reload: load };
}

/**
 * The library's shelves: documents (opened with `open(shelf, doc)`) and news, newest
 * first, with the search box above them. With `offline`, each item is also kept on the
 * tablet (the meeting's documents' store), and `held()` names them once `ready`.
 */
export function libraryPanel({ open, openHit, offline = false } = {}) {
  const shelves = h('div', { 'data-testid': 'library-shelves' });
  const status = h('p', { class: 'muted', role: 'status' });
  // The current versions' hashes, which the tablet keeps when it forgets other copies.
  let held = [];
  const load = async () => {
    try {
      const answer = await api('GET', '/library');
      const items = answer.shelves.flatMap((s) => s.documents.map((d) => ({ s, d })));
      held = items.map(({ d }) => d.versions[d.versions.length - 1].sha256);
      // A tablet keeps the library for reading offline too, one item after another.
      if (offline) {
        (async () => {
          for (const { s, d } of items.slice(0, 50)) {
            await documentBytes(null, d, () => true, `/api/v1/library/${s.id}/documents/${d.id}`).catch(() => {});
          }
        })();
      }
      status.textContent = answer.shelves.length === 0 ? t('library_empty') : '';
      fill(shelves, ...answer.shelves.map((s) => h('section', { class: 'panel shelf', 'data-shelf': s.id },
        h('h2', {}, s.title),
        s.documents.length === 0 ? h('p', { class: 'empty' }, t('library_no_documents'))
          : h('ul', { class: 'docs' }, s.documents.map((d) => h('li', {},
            h('button', { class: 'btn doc', type: 'button', 'data-testid': 'library-document', 'data-document': d.id, onclick: () => open?.(s, d) },
              h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, 'PDF'),
              h('span', { class: 'doc-title' }, d.title),
              h('span', { class: 'tag' }, t(`class_${d.classification}`)))))),
        s.news.length === 0 ? null : h('div', {},
          h('h3', {}, t('library_news')),
          h('ul', { class: 'list' }, s.news.map((n) => h('li', { 'data-testid': 'library-news' },
            h('strong', {}, n.title), h('span', { class: 'muted' }, ` · ${formatDateTime(n.posted_at)}`),
            n.text ? h('p', {}, n.text) : null)))))));
    } catch (err) {
      status.textContent = refusal(err);
    }
  };
  const search = searchPanel({ openHit });
  const element = h('section', { class: 'library', 'data-testid': 'library' }, search.element, status, shelves);
  const ready = load();
  return { element, reload: load, held: () => held, ready };
}
