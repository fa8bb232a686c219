// The enrolment page (`/e/CODE`, from the QR code the office printed for a person): the
// person sets a PIN, the hub spends the one-time code and answers with the device's token
// as this browser's sign-in cookie, and the tablet goes to its home page.

import { t } from './i18n.js';
import { h, fill, langButton } from './ui.js';

const root = document.getElementById('app');
const code = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const PIN_SHAPE = /^[0-9]{4,8}$/;

/** What went wrong, kept across a change of language. */
let problem = null;

function pinField(testid, label) {
  return h('label', {}, label,
    h('input', {
      type: 'password', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: '4', maxlength: '8',
      autocomplete: 'new-password', required: true, 'data-testid': testid,
    }));
}

function draw() {
  const pin = pinField('enrol-pin', t('enrol_pin'));
  const again = pinField('enrol-pin2', t('enrol_pin_again'));
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'enrol-error', hidden: !problem },
    problem ? t(problem.key) : '', problem?.detail ? h('span', { class: 'refusal-detail', lang: 'en' }, ' ', problem.detail) : null);
  const form = h('form', {},
    pin, again, error,
    h('button', { class: 'btn big primary', type: 'submit', 'data-testid': 'enrol-submit' }, t('enrol_submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    enrol(pin.querySelector('input').value, again.querySelector('input').value);
  });
  fill(root, h('section', { class: 'notice', 'data-testid': 'enrol' },
    h('h1', {}, t('enrol_title')),
    h('p', {}, t('enrol_text')),
    form,
    langButton()));
  root.removeAttribute('aria-busy');
}

function show(key, detail = null) {
  problem = { key, detail };
  const kept = [...root.querySelectorAll('input')].map((i) => i.value);
  draw();
  root.querySelectorAll('input').forEach((input, i) => { input.value = kept[i] ?? ''; });
}

async function enrol(pin, again) {
  if (!PIN_SHAPE.test(pin)) return show('enrol_pin_shape');
  if (pin !== again) return show('enrol_pin_differ');
  let r;
  try {
    r = await fetch('/api/v1/enrol', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, pin }),
      credentials: 'same-origin',
    });
  } catch {
    return show('enrol_offline');
  }
  if (r.ok) {
    location.replace('/home');
    return;
  }
  const body = await r.json().catch(() => ({}));
  show(body.code === 'bad_token' ? 'enrol_bad_code' : 'enrol_failed', body.message ?? `HTTP ${r.status}`);
}

addEventListener('hub-lang', () => show(problem?.key ?? null, problem?.detail));
draw();
