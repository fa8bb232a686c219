// The hub office's start page: the office token belongs to no meeting, so before a desk can
// open it lists the hub's meetings (soonest first) and creates new ones. Each meeting's
// desk is `/?meeting=ID`. Closed meetings are listed again apart, each with its dossier;
// above them, the archive: its search and the closed meetings by year. Below, the
// directory of people, bodies and their tablets (office/directory.js).

import { t } from './i18n.js';
import { fill, h, langButton, refusal, useStyle } from './ui.js';
import { formatDateTime } from './format.js';
import { api } from './staff.js';
import { fileButtons } from './exports.js';
import { newMeetingForm } from './desk/meeting.js';
import { lastBackup } from './desk/backup.js';
import { archivePanel, searchPanel } from './archive.js';
import { openViewer } from './viewer.js';
import { directorySection } from './office/directory.js';

/** Mounts the office's list of meetings in `root`; returns `{stop}`. */
export function mount(root) {
  useStyle('/css/staff.css');
  const list = h('div', { id: 'office-meetings', 'aria-live': 'polite' });
  const closedList = h('div', { id: 'office-dossiers' });
  const files = fileButtons();
  const backup = lastBackup();
  const load = async () => {
    try {
      const { meetings } = await api('GET', '/meetings');
      const closed = meetings.filter(({ meeting: m }) => m.status === 'closed');
      fill(
        closedList,
        closed.length === 0
          ? null
          : [
              h('h2', {}, t('office_closed')),
              h(
                'ul',
                { class: 'office-list' },
                ...closed.map(({ meeting: m }) =>
                  h(
                    'li',
                    { class: 'card', 'data-dossier': m.id },
                    h('strong', {}, m.title),
                    h('div', { class: 'meta' }, [formatDateTime(m.starts_at), m.venue].filter(Boolean).join(' · ')),
                    files.get({
                      id: `dossier-${m.id}`,
                      label: t('office_dossier'),
                      path: `/meetings/${m.id}/record/dossier.zip`,
                      progress: `/meetings/${m.id}/record/dossier/progress`,
                    }),
                  ),
                ),
              ),
            ],
      );
      fill(
        list,
        meetings.length === 0
          ? h('p', { class: 'hint' }, t('office_none'))
          : h(
              'ul',
              { class: 'office-list' },
              ...meetings.map(({ meeting: m }) =>
                h(
                  'li',
                  { class: 'card', 'data-meeting': m.id },
                  h('a', { href: `/?meeting=${m.id}` }, h('strong', {}, m.title)),
                  h('div', { class: 'meta' }, [formatDateTime(m.starts_at), m.venue, t(`meeting_status_${m.status}`)].filter(Boolean).join(' · ')),
                ),
              ),
            ),
      );
    } catch (e) {
      fill(list, h('p', { class: 'form-error' }, refusal(e)));
    }
  };
  // The archive: every meeting's documents, conclusions and results by search, and the
  // closed meetings by year; a page hit opens in the viewer at its page.
  const openHit = async (hit) => {
    try {
      const { view } = await api('GET', `/meetings/${hit.meeting}`);
      const doc = view.documents.find((d) => d.id === hit.target);
      if (doc) openViewer(doc, { bare: true, page: hit.page || 1, url: `/api/v1/meetings/${hit.meeting}/documents/${doc.id}` });
    } catch (e) {
      fill(list, h('p', { class: 'form-error' }, refusal(e)));
    }
  };
  let directory = null;
  const draw = () => {
    directory?.stop();
    // The directory (Danh bạ): people, bodies, imports, enrolments and devices.
    directory = directorySection();
    fill(
      root,
      h(
        'div',
        { class: 'desk office' },
        h('header', { class: 'desk-top' }, h('h1', {}, t('office_heading')), h('div', { class: 'staff-bar' }, backup, langButton())),
        h('main', { class: 'desk-panel' },
          h('section', { class: 'desk-section' }, searchPanel({ openHit }).element, archivePanel({ openMeeting: (m) => { location.href = `/?meeting=${m.id}`; } }).element),
          h('section', { class: 'desk-section' }, list, closedList, newMeetingForm(load)),
          directory.element),
      ),
    );
  };
  const relabel = () => {
    draw();
    load();
  };
  addEventListener('hub-lang', relabel);
  relabel();
  root.removeAttribute('aria-busy');
  return { stop() { removeEventListener('hub-lang', relabel); backup.stop(); directory?.stop(); } };
}
