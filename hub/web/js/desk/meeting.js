// The desk's meeting: its details and session, a new meeting (hub office only), and the
// agenda: add, edit, reorder and remove items.

import { confirmDialog, fill, h, toast } from '../ui.js';
import { api, button, say, word } from '../staff.js';

/** `datetime-local` text for a timestamp, in the browser's time zone, and back. */
function toLocal(ms) {
  if (ms == null) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
export function fromLocal(text) {
  return text ? new Date(text).getTime() : null;
}

export function meetingSection({ send, state }) {
  const details = h('form', { class: 'desk-form', id: 'meeting-form' });
  const session = h('div', { class: 'actions' });
  const agenda = h('ol', { class: 'desk-agenda', id: 'desk-agenda' });
  const newTitle = h('input', { id: 'item-title', type: 'text', maxlength: '500', required: true });
  const newDesc = h('input', { id: 'item-desc', type: 'text', maxlength: '4000' });
  const addItem = h(
    'form',
    { class: 'desk-form row' },
    h('div', { class: 'field wide' }, h('label', { for: 'item-title' }, say('Nội dung mới', 'New item')), newTitle),
    h('div', { class: 'field wide' }, h('label', { for: 'item-desc' }, say('Mô tả (người trình bày…)', 'Description')), newDesc),
    h('button', { type: 'submit', class: 'btn primary' }, say('Thêm vào chương trình', 'Add to the agenda')),
  );
  addItem.addEventListener('submit', async (e) => {
    e.preventDefault();
    await send({ op: 'add_agenda_item', title: newTitle.value, description: newDesc.value }).then(() => addItem.reset(), () => {});
  });

  const office = state.me && state.me.participant == null;
  const create = office ? newMeetingForm() : null;

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-meeting' },
    h('h2', {}, say('Cuộc họp', 'Meeting')),
    details,
    session,
    h('h3', {}, say('Chương trình nghị sự', 'Agenda')),
    agenda,
    addItem,
    create,
  );

  let shown = null;
  const render = (view) => {
    const m = view.meeting;
    // Re-draw the details only when they changed, so typing is never overwritten.
    const key = JSON.stringify([m.title, m.venue, m.starts_at, m.quorum]);
    if (key !== shown) {
      shown = key;
      const title = h('input', { id: 'meeting-title', type: 'text', value: m.title, maxlength: '500' });
      const venue = h('input', { id: 'meeting-venue', type: 'text', value: m.venue, maxlength: '300' });
      const starts = h('input', { id: 'meeting-starts', type: 'datetime-local', value: toLocal(m.starts_at) });
      const quorum = h('input', { id: 'meeting-quorum', type: 'text', value: m.quorum, pattern: '\\d+/\\d+', size: '6' });
      fill(details, 
        h('div', { class: 'field wide' }, h('label', { for: 'meeting-title' }, say('Tên cuộc họp', 'Title')), title),
        h(
          'div',
          { class: 'row' },
          h('div', { class: 'field wide' }, h('label', { for: 'meeting-venue' }, say('Địa điểm', 'Venue')), venue),
          h('div', { class: 'field' }, h('label', { for: 'meeting-starts' }, say('Bắt đầu', 'Starts')), starts),
          h('div', { class: 'field' }, h('label', { for: 'meeting-quorum' }, say('Tỷ lệ tối thiểu', 'Quorum')), quorum),
        ),
        h('button', { type: 'submit', class: 'btn' }, say('Lưu', 'Save')),
      );
      details.onsubmit = async (e) => {
        e.preventDefault();
        await send({
          op: 'update_meeting',
          title: title.value,
          venue: venue.value,
          starts_at: fromLocal(starts.value),
          quorum: quorum.value.trim(),
        }).then(() => toast(say('Đã lưu', 'Saved')), () => {});
      };
    }
    const ops = {
      draft: [['open_meeting', say('Mở cuộc họp (cho phép điểm danh)', 'Open the meeting (check-in starts)')]],
      open: [['start_session', say('Bắt đầu phiên họp', 'Start the session')]],
      adjourned: [['start_session', say('Tiếp tục phiên họp', 'Resume the session')]],
      in_session: [['adjourn', say('Tạm dừng', 'Adjourn')]],
      closed: [],
    }[m.status];
    fill(session, 
      h('span', { class: `chip status-${m.status}` }, word(`status.${m.status}`)),
      ...ops.map(([op, label]) => button(label, () => send({ op }), 'primary')),
      m.status !== 'closed'
        ? button(say('Bế mạc', 'Close the meeting'), async () => {
            if (await confirmDialog(say('Bế mạc cuộc họp?', 'Close the meeting?'), say('Tài liệu mật sẽ được thu hồi; sau đó không thay đổi được nữa.', 'Confidential documents are recalled; nothing can change after it.')))
              await send({ op: 'close_meeting' });
          }, 'danger')
        : null,
    );
    const order = view.agenda.map((a) => a.id);
    const move = (i, by) => {
      const next = [...order];
      [next[i], next[i + by]] = [next[i + by], next[i]];
      return send({ op: 'reorder_agenda', order: next });
    };
    fill(agenda, 
      ...view.agenda.map((item, i) => {
        const t = h('input', { type: 'text', value: item.title, 'aria-label': say(`Nội dung ${i + 1}`, `Item ${i + 1}`) });
        const d = h('input', { type: 'text', value: item.description, 'aria-label': say(`Mô tả ${i + 1}`, `Description ${i + 1}`) });
        return h(
          'li',
          { class: `agenda-${item.status}`, 'data-item': item.id },
          h('span', { class: 'n' }, String(i + 1)),
          h('div', { class: 'what' }, t, d),
          h('span', { class: 'state' }, word(`item.${item.status}`)),
          h(
            'span',
            { class: 'actions' },
            button(say('Lưu', 'Save'), () => send({ op: 'update_agenda_item', item: item.id, title: t.value, description: d.value }), 'small'),
            button('↑', () => move(i, -1), 'small quiet', i === 0, say('Lên', 'Up')),
            button('↓', () => move(i, 1), 'small quiet', i === order.length - 1, say('Xuống', 'Down')),
            button('×', () => send({ op: 'remove_agenda_item', item: item.id }), 'small quiet', item.status !== 'pending', say('Xóa', 'Remove')),
          ),
        );
      }),
    );
  };
  return { element, render };
}

/** The office creates meetings; the new one opens in its own desk page. `created` is
 *  called after each, e.g. to refresh a list. */
export function newMeetingForm(created = () => {}) {
  const title = h('input', { id: 'new-title', type: 'text', required: true, maxlength: '500' });
  const venue = h('input', { id: 'new-venue', type: 'text', maxlength: '300' });
  const starts = h('input', { id: 'new-starts', type: 'datetime-local' });
  const result = h('p', { role: 'status' });
  const form = h(
    'form',
    { class: 'desk-form', id: 'new-meeting' },
    h('h3', {}, say('Tạo cuộc họp mới', 'Create a new meeting')),
    h('div', { class: 'field wide' }, h('label', { for: 'new-title' }, say('Tên cuộc họp', 'Title')), title),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field wide' }, h('label', { for: 'new-venue' }, say('Địa điểm', 'Venue')), venue),
      h('div', { class: 'field' }, h('label', { for: 'new-starts' }, say('Bắt đầu', 'Starts')), starts),
    ),
    h('button', { type: 'submit', class: 'btn primary' }, say('Tạo', 'Create')),
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { id } = await api('POST', '/meetings', { title: title.value, venue: venue.value, starts_at: fromLocal(starts.value) });
      form.reset();
      created(id);
      fill(result, say('Đã tạo. ', 'Created. '), h('a', { href: `/?meeting=${id}`, id: 'new-meeting-link' }, say('Mở bàn thư ký của cuộc họp mới', "Open the new meeting's desk")));
    } catch (err) {
      result.textContent = err.message;
    }
  });
  return form;
}
