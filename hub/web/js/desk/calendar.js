// The desk's work calendar (lịch công tác) and announcements (thông báo): the hub's
// calendar by day or by week, with the meetings on it; events added to and removed from
// this meeting's body; announcements posted to everyone connected.

import { t } from '../i18n.js';
import { fill, h, refusal } from '../ui.js';
import { addDays, formatDateTime, formatDay, formatTime, fromDateTimeInput, today } from '../format.js';
import { api, button, person } from '../staff.js';

export function calendarSection({ send, meetingId }) {
  // The calendar form.
  const title = h('input', { id: 'cal-title', type: 'text', required: true, maxlength: '500' });
  const starts = h('input', { id: 'cal-starts', type: 'datetime-local', required: true });
  const ends = h('input', { id: 'cal-ends', type: 'datetime-local' });
  const place = h('input', { id: 'cal-location', type: 'text' });
  const host = h('input', { id: 'cal-host', type: 'text', placeholder: t('cal_host_placeholder') });
  const calError = h('p', { class: 'form-error', role: 'alert' });
  const field = (input, label, cls = 'field') => h('div', { class: cls }, h('label', { for: input.id }, label), input);
  const calForm = h(
    'form',
    { class: 'desk-form', id: 'cal-form' },
    h('h3', {}, t('cal_add_heading')),
    field(title, t('cal_title'), 'field wide'),
    h('div', { class: 'row' }, field(starts, t('mtg_starts')), field(ends, t('cal_ends'))),
    h('div', { class: 'row' }, field(place, t('mtg_venue')), field(host, t('cal_host'))),
    calError,
    h('button', { type: 'submit', class: 'btn primary' }, t('add')),
  );
  calForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(calError);
    const from = fromDateTimeInput(starts.value);
    const to = fromDateTimeInput(ends.value);
    if (!title.value.trim() || from == null) {
      calError.textContent = t('cal_need_title_start');
      return;
    }
    if (to != null && to < from) {
      calError.textContent = t('cal_ends_before');
      return;
    }
    try {
      await send({ op: 'add_calendar_event', title: title.value.trim(), starts_at: from, ends_at: to, location: place.value.trim(), host: host.value.trim() });
      calForm.reset();
    } catch (err) {
      fill(calError, refusal(err));
    }
  });

  // The calendar itself, from the hub: by week (Monday to Sunday) or by day.
  let anchor = today();
  let byWeek = true;
  let shown = null;
  const days = h('div', { id: 'cal-days', 'aria-live': 'polite' });
  const range = h('strong', { class: 'cal-range' });
  const nav = h('div', { class: 'actions cal-nav' });
  const load = async () => {
    const query = byWeek ? `week=${anchor}` : `from=${anchor}&days=1`;
    try {
      const cal = await api('GET', `/calendar?${query}`);
      draw(cal);
    } catch (err) {
      fill(days, h('p', { class: 'form-error' }, refusal(err)));
    }
  };
  const draw = (cal) => {
    const list = cal.days;
    range.textContent = list.length > 1 ? `${formatDay(list[0].date)} – ${formatDay(list[list.length - 1].date)}` : formatDay(list[0].date);
    fill(days, ...list.map((d) =>
      h(
        'section',
        { class: `cal-day${d.date === today() ? ' today' : ''}`, 'data-date': d.date },
        h('h3', {}, formatDay(d.date)),
        d.entries.length
          ? h('ul', { class: 'cal-entries' }, ...d.entries.map((en) =>
            h(
              'li',
              { class: `cal-${en.type}`, 'data-event': en.type === 'event' ? en.id : null },
              h('span', { class: 'cal-time' }, `${formatTime(en.starts_at)}${en.ends_at ? `–${formatTime(en.ends_at)}` : ''}`),
              ' ',
              h('span', { class: 'cal-title' }, en.type === 'meeting' ? t('cal_meeting', { title: en.title }) : en.title),
              en.location || en.venue ? h('span', { class: 'sub' }, ` · ${en.location || en.venue}`) : null,
              en.host ? h('span', { class: 'sub' }, ` · ${en.host}`) : null,
              en.type === 'event' && en.meeting === meetingId
                ? button(t('delete'), () => send({ op: 'remove_calendar_event', event: en.id }), 'quiet small')
                : null,
            ),
          ))
          : h('p', { class: 'hint' }, t('cal_nothing')),
      ),
    ));
  };
  const drawNav = () => {
    const step = byWeek ? 7 : 1;
    fill(nav,
      button(t('cal_previous'), () => { anchor = addDays(anchor, -step); return load(); }, 'small cal-prev'),
      button(t('cal_today'), () => { anchor = today(); return load(); }, 'small cal-today'),
      button(t('cal_next'), () => { anchor = addDays(anchor, step); return load(); }, 'small cal-next'),
      h('button', { type: 'button', class: `btn small cal-mode`, 'aria-pressed': byWeek ? 'false' : 'true', onclick: () => { byWeek = !byWeek; drawNav(); load(); } }, byWeek ? t('cal_by_day') : t('cal_by_week')),
      range,
    );
  };
  drawNav();

  // Announcements.
  const aTitle = h('input', { id: 'ann-title', type: 'text', required: true, maxlength: '500' });
  const aText = h('textarea', { id: 'ann-text', rows: '3' });
  const annError = h('p', { class: 'form-error', role: 'alert' });
  const annForm = h(
    'form',
    { class: 'desk-form', id: 'ann-form' },
    h('h3', {}, t('ann_heading')),
    field(aTitle, t('ann_title'), 'field wide'),
    field(aText, t('ann_text'), 'field wide'),
    annError,
    h('button', { type: 'submit', class: 'btn primary' }, t('ann_send')),
  );
  annForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(annError);
    if (!aTitle.value.trim()) {
      annError.textContent = t('ann_need_title');
      return;
    }
    try {
      await send({ op: 'post_announcement', title: aTitle.value.trim(), text: aText.value.trim() });
      annForm.reset();
    } catch (err) {
      fill(annError, refusal(err));
    }
  });
  const announcements = h('ul', { id: 'ann-list', class: 'history' });

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-calendar' },
    h('h2', {}, t('cal_heading')),
    nav,
    days,
    calForm,
    h('h2', {}, t('tab_news')),
    annForm,
    announcements,
  );
  const render = (view) => {
    // The hub's calendar is fetched again only when this meeting's events changed.
    const key = JSON.stringify(view.calendar);
    if (key !== shown) {
      shown = key;
      load();
    }
    fill(announcements, ...[...view.announcements].reverse().map((a) =>
      h('li', { 'data-announcement': a.id }, h('strong', {}, a.title), a.text ? ` — ${a.text}` : '', h('span', { class: 'sub' }, ` (${formatDateTime(a.posted_at)}${a.by ? `, ${person(view, a.by).name}` : ''})`)),
    ));
  };
  return { element, render };
}
