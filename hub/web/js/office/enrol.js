// A person's tablet enrolment from the directory: one fresh one-time code, asked for as
// its QR code (`enrolment.png`, whose headers carry the same code's link and expiry), so
// the sheet printed holds one secret, not two. The QR code is fetched with the office's
// cookie as a blob and shown from an object URL; Print shows the sheet alone.

import { t } from '../i18n.js';
import { fill, h, refusal } from '../ui.js';
import { HubError } from '../staff.js';
import { formatDateTime } from '../format.js';

/** POSTs `enrolment.png` for `person`: `{url, expiresAt, png}` (a Blob), or a `HubError`. */
async function issue(person) {
  let res;
  try {
    res = await fetch(`/api/v1/office/people/${person}/enrolment.png`, { method: 'POST', credentials: 'same-origin' });
  } catch {
    throw new HubError(0, { code: 'network' });
  }
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    throw new HubError(res.status, body);
  }
  return {
    url: res.headers.get('X-Enrolment-Url'),
    expiresAt: Number(res.headers.get('X-Enrolment-Expires-At')),
    png: await res.blob(),
  };
}

/** The enrolment card: `{element, open(person)}`; `onClose()` runs when it is closed. */
export function enrolPanel({ onClose }) {
  const element = h('div', { id: 'enrol-panel', 'aria-live': 'polite' });
  let objectUrl = null;
  const close = () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    document.body.classList.remove('printing-enrolment');
    fill(element);
    onClose?.();
  };
  const open = async (person) => {
    close();
    fill(element, h('p', { class: 'hint' }, t('dir_enrol_issuing', { name: person.name })));
    let code;
    try {
      code = await issue(person.id);
    } catch (e) {
      fill(element, h('p', { class: 'form-error' }, refusal(e)));
      return;
    }
    objectUrl = URL.createObjectURL(code.png);
    const printSheet = () => {
      document.body.classList.add('printing-enrolment');
      addEventListener('afterprint', () => document.body.classList.remove('printing-enrolment'), { once: true });
      if (!navigator.webdriver) print();
    };
    fill(element, h('section', { class: 'card enrol-sheet', 'data-testid': 'enrol-sheet', 'data-person': person.id },
      h('h3', {}, t('dir_enrol_heading', { name: person.name })),
      h('p', { class: 'enrol-who' }, [person.position, person.unit].filter(Boolean).join(' · ')),
      h('img', { class: 'enrol-qr', src: objectUrl, alt: t('dir_enrol_qr_alt', { name: person.name }), 'data-testid': 'enrol-qr' }),
      h('p', {}, t('dir_enrol_link'), ' ', h('code', { class: 'enrol-link', 'data-testid': 'enrol-link' }, code.url)),
      h('p', { 'data-testid': 'enrol-expires' }, t('dir_enrol_expires', { at: formatDateTime(code.expiresAt) })),
      h('p', { class: 'warning', role: 'note' }, t('dir_enrol_secret', { name: person.name })),
      h('p', { class: 'actions no-print' },
        h('button', { type: 'button', class: 'btn primary', 'data-testid': 'enrol-print', onclick: printSheet }, t('dir_print')),
        ' ',
        h('button', { type: 'button', class: 'btn', 'data-testid': 'enrol-close', onclick: close }, t('dir_close')))));
    element.scrollIntoView({ block: 'nearest' });
  };
  return { element, open };
}
