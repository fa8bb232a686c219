// The desk's work calendar (lịch công tác) and announcements (thông báo): the hub's
// calendar by day or by week, with the meetings on it; events added to and removed from
// this meeting's body; announcements posted to everyone connected.

import { fill, h } from '../ui.js';
import { api, button, lang, person, say, when } from '../staff.js';
import { fromLocal } from './meeting.js';

const DAY = 24 * 3600 * 1000;
const VN = 7 * 3600 * 1000;

/** Today's date in Viet Nam, `YYYY-MM-DD`. */
function today() {
  return new Date(Date.now() + VN).toISOString().slice(0, 10);
}

function shift(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** A Viet Nam wall-clock time of day, `HH:MM`. */
function hour(ms) {
  return new Date(ms + VN).toISOString().slice(11, 16);
}

function dayName(date) {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(lang() === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: 'UTC',
    weekday: 'long',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
}

export function calendarSection({ send, meetingId }) {
  // The calendar form.
  const title = h('input', { id: 'cal-title', type: 'text', required: true, maxlength: '500' });
  const starts = h('input', { id: 'cal-starts', type: 'datetime-local', required: true });
  const ends = h('input', { id: 'cal-ends', type: 'datetime-local' });
  const place = h('input', { id: 'cal-location', type: 'text' });
  const host = h('input', { id: 'cal-host', type: 'text', placeholder: say('Chủ trì, thành phần', 'Host, attendees') });
  const calError = h('p', { class: 'form-error', role: 'alert' });
  const field = (input, label, cls = 'field') => h('div', { class: cls }, h('label', { for: input.id }, label), input);
  const calForm = h(
    'form',
    { class: 'desk-form', id: 'cal-form' },
    h('h3', {}, say('Thêm vào lịch công tác', 'Add to the work calendar')),
    field(title, say('Nội dung', 'Title'), 'field wide'),
    h('div', { class: 'row' }, field(starts, say('Bắt đầu', 'Starts')), field(ends, say('Kết thúc (nếu có)', 'Ends (if known)'))),
    h('div', { class: 'row' }, field(place, say('Địa điểm', 'Location')), field(host, say('Chủ trì / thành phần', 'Host / attendees'))),
    calError,
    h('button', { type: 'submit', class: 'btn primary' }, say('Thêm', 'Add')),
  );
  calForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    calError.textContent = '';
    const from = fromLocal(starts.value);
    const to = fromLocal(ends.value);
    if (!title.value.trim() || from == null) {
      calError.textContent = say('Cần nội dung và giờ bắt đầu.', 'A title and a start are needed.');
      return;
    }
    if (to != null && to < from) {
      calError.textContent = say('Giờ kết thúc trước giờ bắt đầu.', 'It ends before it starts.');
      return;
    }
    try {
      await send({ op: 'add_calendar_event', title: title.value.trim(), starts_at: from, ends_at: to, location: place.value.trim(), host: host.value.trim() });
      calForm.reset();
    } catch (err) {
      calError.textContent = err.message;
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
      fill(days, h('p', { class: 'form-error' }, err.message));
    }
  };
  const draw = (cal) => {
    const list = cal.days;
    range.textContent = list.length > 1 ? `${dayName(list[0].date)} – ${dayName(list[list.length - 1].date)}` : dayName(list[0].date);
    fill(days, ...list.map((d) =>
      h(
        'section',
        { class: `cal-day${d.date === today() ? ' today' : ''}`, 'data-date': d.date },
        h('h3', {}, dayName(d.date)),
        d.entries.length
          ? h('ul', { class: 'cal-entries' }, ...d.entries.map((en) =>
            h(
              'li',
              { class: `cal-${en.type}`, 'data-event': en.type === 'event' ? en.id : null },
              h('span', { class: 'cal-time' }, `${hour(en.starts_at)}${en.ends_at ? `–${hour(en.ends_at)}` : ''}`),
              ' ',
              h('span', { class: 'cal-title' }, en.type === 'meeting' ? say(`Cuộc họp: ${en.title}`, `Meeting: ${en.title}`) : en.title),
              en.location || en.venue ? h('span', { class: 'sub' }, ` · ${en.location || en.venue}`) : null,
              en.host ? h('span', { class: 'sub' }, ` · ${en.host}`) : null,
              en.type === 'event' && en.meeting === meetingId
                ? button(say('Xóa', 'Remove'), () => send({ op: 'remove_calendar_event', event: en.id }), 'quiet small')
                : null,
            ),
          ))
          : h('p', { class: 'hint' }, say('Không có lịch.', 'Nothing planned.')),
      ),
    ));
  };
  const drawNav = () => {
    const step = byWeek ? 7 : 1;
    fill(nav,
      button(say('‹ Trước', '‹ Previous'), () => { anchor = shift(anchor, -step); return load(); }, 'small cal-prev'),
      button(say('Hôm nay', 'Today'), () => { anchor = today(); return load(); }, 'small cal-today'),
      button(say('Sau ›', 'Next ›'), () => { anchor = shift(anchor, step); return load(); }, 'small cal-next'),
      h('button', { type: 'button', class: `btn small cal-mode`, 'aria-pressed': byWeek ? 'false' : 'true', onclick: () => { byWeek = !byWeek; drawNav(); load(); } }, byWeek ? say('Xem theo ngày', 'By day') : say('Xem theo tuần', 'By week')),
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
    h('h3', {}, say('Gửi thông báo', 'Post an announcement')),
    field(aTitle, say('Tiêu đề', 'Title'), 'field wide'),
    field(aText, say('Nội dung', 'Text'), 'field wide'),
    annError,
    h('button', { type: 'submit', class: 'btn primary' }, say('Gửi tới mọi người', 'Send to everyone')),
  );
  annForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    annError.textContent = '';
    if (!aTitle.value.trim()) {
      annError.textContent = say('Nhập tiêu đề thông báo.', 'Enter a title.');
      return;
    }
    try {
      await send({ op: 'post_announcement', title: aTitle.value.trim(), text: aText.value.trim() });
      annForm.reset();
    } catch (err) {
      annError.textContent = err.message;
    }
  });
  const announcements = h('ul', { id: 'ann-list', class: 'history' });

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-calendar' },
    h('h2', {}, say('Lịch công tác', 'Work calendar')),
    nav,
    days,
    calForm,
    h('h2', {}, say('Thông báo', 'Announcements')),
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
      h('li', { 'data-announcement': a.id }, h('strong', {}, a.title), a.text ? ` — ${a.text}` : '', h('span', { class: 'sub' }, ` (${when(a.posted_at)}${a.by ? `, ${person(view, a.by).name}` : ''})`)),
    ));
  };
  return { element, render };
}
