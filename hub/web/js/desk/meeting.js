// The desk's meeting: its details and session, a new meeting (hub office only), and the
// agenda: add, edit, reorder and remove items.

import { t } from '../i18n.js';
import { confirmDialog, fill, h, refusal, toast } from '../ui.js';
import { fromDateTimeInput, toDateTimeInput } from '../format.js';
import { api, button } from '../staff.js';

export function meetingSection({ send, state }) {
  const details = h('form', { class: 'desk-form', id: 'meeting-form' });
  const session = h('div', { class: 'actions' });
  const agenda = h('ol', { class: 'desk-agenda', id: 'desk-agenda' });
  const newTitle = h('input', { id: 'item-title', type: 'text', maxlength: '500', required: true });
  const newDesc = h('input', { id: 'item-desc', type: 'text', maxlength: '4000' });
  const addItem = h(
    'form',
    { class: 'desk-form row' },
    h('div', { class: 'field wide' }, h('label', { for: 'item-title' }, t('mtg_new_item')), newTitle),
    h('div', { class: 'field wide' }, h('label', { for: 'item-desc' }, t('mtg_item_description')), newDesc),
    h('button', { type: 'submit', class: 'btn primary' }, t('mtg_add_item')),
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
    h('h2', {}, t('desk_tab_meeting')),
    details,
    session,
    h('h3', {}, t('agenda_heading')),
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
      const starts = h('input', { id: 'meeting-starts', type: 'datetime-local', value: toDateTimeInput(m.starts_at) });
      const quorum = h('input', { id: 'meeting-quorum', type: 'text', value: m.quorum, pattern: '\\d+/\\d+', size: '6' });
      fill(details, 
        h('div', { class: 'field wide' }, h('label', { for: 'meeting-title' }, t('mtg_title')), title),
        h(
          'div',
          { class: 'row' },
          h('div', { class: 'field wide' }, h('label', { for: 'meeting-venue' }, t('mtg_venue')), venue),
          h('div', { class: 'field' }, h('label', { for: 'meeting-starts' }, t('mtg_starts')), starts),
          h('div', { class: 'field' }, h('label', { for: 'meeting-quorum' }, t('mtg_quorum')), quorum),
        ),
        h('button', { type: 'submit', class: 'btn' }, t('save')),
      );
      details.onsubmit = async (e) => {
        e.preventDefault();
        await send({
          op: 'update_meeting',
          title: title.value,
          venue: venue.value,
          starts_at: fromDateTimeInput(starts.value),
          quorum: quorum.value.trim(),
        }).then(() => toast(t('saved')), () => {});
      };
    }
    const ops = {
      draft: [['open_meeting', t('action_open_meeting')]],
      open: [['start_session', t('action_start_session')]],
      adjourned: [['start_session', t('action_resume_session')]],
      in_session: [['adjourn', t('action_adjourn')]],
      closed: [],
    }[m.status];
    fill(session, 
      h('span', { class: `chip status-${m.status}` }, t(`meeting_status_${m.status}`)),
      ...ops.map(([op, label]) => button(label, () => send({ op }), 'primary')),
      m.status !== 'closed'
        ? button(t('action_close_meeting'), async () => {
            if (await confirmDialog(t('close_meeting_title'), t('close_meeting_text')))
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
        const title = h('input', { type: 'text', value: item.title, 'aria-label': t('mtg_item_n', { n: i + 1 }) });
        const d = h('input', { type: 'text', value: item.description, 'aria-label': t('mtg_item_description_n', { n: i + 1 }) });
        return h(
          'li',
          { class: `agenda-${item.status}`, 'data-item': item.id },
          h('span', { class: 'n' }, String(i + 1)),
          h('div', { class: 'what' }, title, d),
          h('span', { class: 'state' }, t(`item_status_${item.status}`)),
          h(
            'span',
            { class: 'actions' },
            button(t('save'), () => send({ op: 'update_agenda_item', item: item.id, title: title.value, description: d.value }), 'small'),
            button('↑', () => move(i, -1), 'small quiet', i === 0, t('mtg_item_up')),
            button('↓', () => move(i, 1), 'small quiet', i === order.length - 1, t('mtg_item_down')),
            button('×', () => send({ op: 'remove_agenda_item', item: item.id }), 'small quiet', item.status !== 'pending', t('delete')),
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
    h('h3', {}, t('mtg_create_heading')),
    h('div', { class: 'field wide' }, h('label', { for: 'new-title' }, t('mtg_title')), title),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field wide' }, h('label', { for: 'new-venue' }, t('mtg_venue')), venue),
      h('div', { class: 'field' }, h('label', { for: 'new-starts' }, t('mtg_starts')), starts),
    ),
    h('button', { type: 'submit', class: 'btn primary' }, t('mtg_create')),
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { id } = await api('POST', '/meetings', { title: title.value, venue: venue.value, starts_at: fromDateTimeInput(starts.value) });
      form.reset();
      created(id);
      fill(result, `${t('mtg_created')} `, h('a', { href: `/?meeting=${id}`, id: 'new-meeting-link' }, t('mtg_open_new_desk')));
    } catch (err) {
      fill(result, refusal(err));
    }
  });
  return form;
}
