// The hub office's start page: the office token belongs to no meeting, so before a desk can
// open it lists the hub's meetings (soonest first) and creates new ones. Each meeting's
// desk is `/?meeting=ID`.

import { fill, h, langButton } from './ui.js';
import { api, say, stylesheet, when, word } from './staff.js';
import { newMeetingForm } from './desk/meeting.js';

/** Mounts the office's list of meetings in `root`; returns `{stop}`. */
export function mount(root) {
  stylesheet('/css/staff.css');
  const list = h('div', { id: 'office-meetings', 'aria-live': 'polite' });
  const load = async () => {
    try {
      const { meetings } = await api('GET', '/meetings');
      fill(
        list,
        meetings.length === 0
          ? h('p', { class: 'hint' }, say('Chưa có cuộc họp nào.', 'No meetings yet.'))
          : h(
              'ul',
              { class: 'office-list' },
              ...meetings.map(({ meeting: m }) =>
                h(
                  'li',
                  { class: 'card', 'data-meeting': m.id },
                  h('a', { href: `/?meeting=${m.id}` }, h('strong', {}, m.title)),
                  h('div', { class: 'meta' }, [when(m.starts_at), m.venue, word(`status.${m.status}`)].filter(Boolean).join(' · ')),
                ),
              ),
            ),
      );
    } catch (e) {
      fill(list, h('p', { class: 'form-error' }, e.message));
    }
  };
  const draw = () =>
    fill(
      root,
      h(
        'div',
        { class: 'desk office' },
        h('header', { class: 'desk-top' }, h('h1', {}, say('Văn phòng — các cuộc họp trên máy chủ', 'Office: the meetings on this hub')), h('div', { class: 'staff-bar' }, langButton())),
        h('main', { class: 'desk-panel' }, h('section', { class: 'desk-section' }, list, newMeetingForm(load))),
      ),
    );
  draw();
  load();
  root.removeAttribute('aria-busy');
  return { stop() {} };
}
