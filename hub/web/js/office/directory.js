// The office's directory (Danh bạ), between meetings: the people with their bodies, the
// bodies with their member counts, a person or a body added by hand, the people imported
// from a file (import.js), a tablet enrolled for a person (enrol.js) and the enrolled
// tablets revoked or unlocked (devices.js). Everything through the office's REST routes.

import { t } from '../i18n.js';
import { fill, h, refusal, toast } from '../ui.js';
import { api, button } from '../staff.js';
import { importPanel } from './import.js';
import { enrolPanel } from './enrol.js';
import { devicesPanel } from './devices.js';

/** The directory section of the office page: `{element, stop}`; it loads itself. */
export function directorySection() {
  const peopleBox = h('div', { class: 'desk-table-wrap', id: 'directory-people', 'aria-live': 'polite' });
  const bodiesBox = h('div', { id: 'directory-bodies' });
  const count = h('span', { class: 'count' });
  let bodies = [];
  let people = [];
  // person → {n, locked}: the people's tablets, as the devices panel last read them.
  let tablets = new Map();
  const devices = devicesPanel({
    onLoad: (list) => {
      tablets = new Map();
      for (const { device } of list) {
        const had = tablets.get(device.person) ?? { n: 0, locked: false };
        tablets.set(device.person, { n: had.n + 1, locked: had.locked || device.locked });
      }
      if (people.length) drawPeople(people);
    },
  });
  // A tablet enrolled with the code shown shows up in the devices once it is closed.
  const enrol = enrolPanel({ onClose: devices.load });
  // The person being edited in the form below, or null when the form adds one.
  let editing = null;

  const bodiesOf = (person) => bodies.filter((b) => b.members.includes(person.id)).map((b) => b.name);
  const editButton = (p) => {
    const b = button(t('dir_edit'), () => edit(p), 'small');
    b.dataset.action = 'edit';
    return b;
  };
  const tabletsOf = (p) => {
    const mine = tablets.get(p.id);
    return h('td', { class: 'tablets', 'data-tablets': String(mine?.n ?? 0) },
      mine ? String(mine.n) : '—',
      mine?.locked ? [' ', h('span', { class: 'tag bad' }, t('dev_locked'))] : null);
  };
  const drawPeople = (people) => {
    count.textContent = `(${people.length})`;
    fill(peopleBox, people.length === 0
      ? h('p', { class: 'hint', id: 'directory-empty' }, t('dir_none'))
      : h('table', { class: 'desk-table', id: 'directory-table' },
        h('thead', {}, h('tr', {}, ...[t('part_name'), t('part_position'), t('part_unit'), t('dir_contact'), t('dir_bodies'), t('dir_tablets'), '']
          .map((label) => h('th', {}, label)))),
        h('tbody', {}, ...people.map((p) => h('tr', { 'data-person': p.id },
          h('td', {}, p.name),
          h('td', {}, p.position),
          h('td', {}, p.unit),
          h('td', {}, p.contact),
          h('td', {}, bodiesOf(p).join('; ')),
          tabletsOf(p),
          h('td', { class: 'row-actions' },
            button(t('dir_enrol'), () => enrol.open(p), 'small'),
            editButton(p)))))));
  };
  // A body's members, each removable, and a choice of the people not in it yet.
  const membership = async (method, path, body, done) => {
    try {
      await api(method, path, body);
      toast(done, 'ok');
      await load();
    } catch (err) {
      toast(refusal(err), 'error');
    }
  };
  const bodyItem = (b) => {
    const nameOf = (id) => people.find((p) => p.id === id)?.name ?? id;
    const others = people.filter((p) => !b.members.includes(p.id));
    const members = `/office/bodies/${b.id}/members`;
    const choice = h('select', { 'aria-label': t('dir_member_add_to', { body: b.name }) },
      h('option', { value: '' }, t('dir_member_choose')), ...others.map((p) => h('option', { value: p.id }, p.name)));
    const add = button(t('add'), () => choice.value
      && membership('POST', members, { person: choice.value }, t('dir_member_added')), 'small');
    return h('li', { 'data-body': b.id },
      h('strong', {}, b.name), ' · ', t('dir_members', { n: b.members.length }),
      h('ul', { class: 'body-members' }, ...b.members.map((id) => h('li', { 'data-member': id },
        nameOf(id), ' ',
        button(t('dir_member_remove'), () => membership('DELETE', `${members}/${id}`, undefined,
          t('dir_member_removed')), 'small')))),
      others.length ? h('div', { class: 'body-member-add' }, choice, add) : null);
  };
  const drawBodies = () => fill(bodiesBox, bodies.length === 0
    ? h('p', { class: 'hint' }, t('dir_no_bodies'))
    : h('ul', { class: 'office-list' }, ...bodies.map(bodyItem)));

  const load = async () => {
    try {
      const [{ people: found }, answer] = await Promise.all([api('GET', '/office/people'), api('GET', '/office/bodies')]);
      bodies = answer.bodies;
      people = found;
      drawPeople(people);
      drawBodies();
      fillBodyChoice();
    } catch (e) {
      fill(peopleBox, h('p', { class: 'form-error' }, refusal(e)));
    }
  };

  // --- one person ---
  const input = (id, label, attrs = {}) => {
    const el = h('input', { id, type: 'text', ...attrs });
    return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
  };
  const [name, nameF] = input('dir-name', t('part_name'), { required: true, maxlength: '200' });
  const [position, positionF] = input('dir-position', t('part_position'));
  const [unit, unitF] = input('dir-unit', t('part_unit'));
  const [contact, contactF] = input('dir-contact', t('dir_contact'));
  const bodyChoice = h('select', { id: 'dir-body' });
  const fillBodyChoice = () => {
    const kept = bodyChoice.value;
    fill(bodyChoice, h('option', { value: '' }, t('dir_no_body')), ...bodies.map((b) => h('option', { value: b.id }, b.name)));
    bodyChoice.value = bodies.some((b) => b.id === kept) ? kept : '';
  };
  const bodyField = h('div', { class: 'field' }, h('label', { for: 'dir-body' }, t('dir_body')), bodyChoice);
  const submitPerson = h('button', { class: 'btn primary', type: 'submit', id: 'dir-person-submit' }, t('add'));
  const cancelEdit = h('button', { class: 'btn', type: 'button', id: 'dir-person-cancel', hidden: true }, t('cancel'));
  const personHeading = h('h3', { id: 'dir-person-heading' }, t('part_add_one'));
  const personForm = h('form', { class: 'desk-form row', id: 'dir-add-person' },
    nameF, positionF, unitF, contactF, bodyField, submitPerson, cancelEdit);
  const stopEditing = () => {
    editing = null;
    personForm.reset();
    personHeading.textContent = t('part_add_one');
    submitPerson.textContent = t('add');
    bodyField.hidden = false;
    cancelEdit.hidden = true;
  };
  cancelEdit.addEventListener('click', stopEditing);
  const edit = (p) => {
    editing = p;
    name.value = p.name;
    position.value = p.position;
    unit.value = p.unit;
    contact.value = p.contact;
    personHeading.textContent = t('dir_edit_heading', { name: p.name });
    submitPerson.textContent = t('save');
    bodyField.hidden = true;
    cancelEdit.hidden = false;
    personForm.scrollIntoView({ block: 'center' });
    name.focus();
  };
  personForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const details = { name: name.value, position: position.value, unit: unit.value, contact: contact.value };
    try {
      if (editing) {
        // The details only: a person's bodies change in the bodies' lists above.
        await api('POST', `/office/people/${editing.id}`, details);
        toast(t('dir_saved'), 'ok');
      } else {
        await api('POST', '/office/people', { ...details, bodies: bodyChoice.value ? [bodyChoice.value] : [] });
        toast(t('part_added'), 'ok');
      }
      stopEditing();
      await load();
    } catch (err) {
      toast(refusal(err), 'error');
    }
  });

  // --- one body ---
  const [bodyName, bodyNameF] = input('dir-body-name', t('dir_body_name'), { required: true, maxlength: '200' });
  const bodyForm = h('form', { class: 'desk-form row', id: 'dir-add-body' },
    bodyNameF, h('button', { class: 'btn primary', type: 'submit' }, t('dir_body_add')));
  bodyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/office/bodies', { name: bodyName.value });
      bodyForm.reset();
      toast(t('dir_body_added'), 'ok');
      await load();
    } catch (err) {
      toast(refusal(err), 'error');
    }
  });

  const imported = importPanel(load);
  const element = h('section', { class: 'desk-section directory', id: 'office-directory' },
    h('h2', {}, t('dir_heading'), ' ', count),
    peopleBox,
    enrol.element,
    h('h3', {}, t('dir_bodies_heading')),
    bodiesBox,
    personHeading,
    personForm,
    h('h3', {}, t('dir_body_new')),
    bodyForm,
    imported.element,
    devices.element);
  load();
  return { element, stop: () => devices.stop() };
}
