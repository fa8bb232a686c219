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
  const devices = devicesPanel();
  // A tablet enrolled with the code shown shows up in the devices once it is closed.
  const enrol = enrolPanel({ onClose: devices.load });
  let bodies = [];

  const bodiesOf = (person) => bodies.filter((b) => b.members.includes(person.id)).map((b) => b.name);
  const drawPeople = (people) => {
    count.textContent = `(${people.length})`;
    fill(peopleBox, people.length === 0
      ? h('p', { class: 'hint', id: 'directory-empty' }, t('dir_none'))
      : h('table', { class: 'desk-table', id: 'directory-table' },
        h('thead', {}, h('tr', {}, ...[t('part_name'), t('part_position'), t('part_unit'), t('dir_contact'), t('dir_bodies'), '']
          .map((label) => h('th', {}, label)))),
        h('tbody', {}, ...people.map((p) => h('tr', { 'data-person': p.id },
          h('td', {}, p.name),
          h('td', {}, p.position),
          h('td', {}, p.unit),
          h('td', {}, p.contact),
          h('td', {}, bodiesOf(p).join('; ')),
          h('td', { class: 'row-actions' },
            button(t('dir_enrol'), () => enrol.open(p), 'small')))))));
  };
  const drawBodies = () => fill(bodiesBox, bodies.length === 0
    ? h('p', { class: 'hint' }, t('dir_no_bodies'))
    : h('ul', { class: 'office-list' }, ...bodies.map((b) => h('li', { 'data-body': b.id },
      h('strong', {}, b.name), ' · ', t('dir_members', { n: b.members.length })))));

  const load = async () => {
    try {
      const [{ people }, answer] = await Promise.all([api('GET', '/office/people'), api('GET', '/office/bodies')]);
      bodies = answer.bodies;
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
  const personForm = h('form', { class: 'desk-form row', id: 'dir-add-person' },
    nameF, positionF, unitF, contactF,
    h('div', { class: 'field' }, h('label', { for: 'dir-body' }, t('dir_body')), bodyChoice),
    h('button', { class: 'btn primary', type: 'submit' }, t('add')));
  personForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/office/people', {
        name: name.value,
        position: position.value,
        unit: unit.value,
        contact: contact.value,
        bodies: bodyChoice.value ? [bodyChoice.value] : [],
      });
      personForm.reset();
      toast(t('part_added'), 'ok');
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
    h('h3', {}, t('part_add_one')),
    personForm,
    h('h3', {}, t('dir_body_new')),
    bodyForm,
    imported.element,
    devices.element);
  load();
  return { element, stop: () => devices.stop() };
}
