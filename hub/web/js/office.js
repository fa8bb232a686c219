// The hub office's start page: the office token belongs to no meeting, so before a desk can
// open it lists the hub's meetings (soonest first) and creates new ones. Each meeting's
// desk is `/?meeting=ID`.

import { t } from './i18n.js';
import { fill, h, langButton, refusal, useStyle } from './ui.js';
import { formatDateTime } from './format.js';
import { api } from './staff.js';
import { newMeetingForm } from './desk/meeting.js';

/** Mounts the office's list of meetings in `root`; returns `{stop}`. */
export function mount(root) {
  useStyle('/css/staff.css');
  const list = h('div', { id: 'office-meetings', 'aria-live': 'polite' });
  const load = async () => {
    try {
      const { meetings } = await api('GET', '/meetings');
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
  const draw = () =>
    fill(
      root,
      h(
        'div',
        { class: 'desk office' },
        h('header', { class: 'desk-top' }, h('h1', {}, t('office_heading')), h('div', { class: 'staff-bar' }, langButton())),
        h('main', { class: 'desk-panel' }, h('section', { class: 'desk-section' }, list, newMeetingForm(load))),
      ),
    );
  const relabel = () => {
    draw();
    load();
  };
  addEventListener('hub-lang', relabel);
  relabel();
  root.removeAttribute('aria-busy');
  return { stop() { removeEventListener('hub-lang', relabel); } };
}
