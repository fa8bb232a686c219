// The app shell: connect to the hub with the badge's cookie, wait for the snapshot, then
// hand the page to the screen of the participant's role. One page for every role, so a
// tablet needs one bookmark and the join link needs one target.

import { HubConnection } from './connection.js';
import { MeetingState } from './state.js';
import { t } from './i18n.js';
import { h, fill, langButton, refusedSentence } from './ui.js';
import { keptSnapshot, keepSnapshot } from './kept.js';
import { ownerOf } from './local.js';

/** How long the page waits for the hub before it draws the kept copy anyway (a link that
 *  is silent rather than refused). */
const KEPT_AFTER_MS = 4000;
/** Roles whose screen is drawn from a kept copy: the desk works online only. */
const KEPT_ROLES = new Set(['delegate', 'chair', 'projector']);

const SCREENS = {
  delegate: () => import('./delegate.js'),
  projector: () => import('./projector.js'),
  chair: () => import('./chair.js'),
  secretariat: () => import('./desk.js'),
};

const root = document.getElementById('app');

/** This browser is a person's enrolled tablet (the enrolment set this marker, no secret). */
function isDevice() {
  return document.cookie.split(';').some((c) => c.trim().startsWith('hub_device='));
}

function joined() {
  return document.cookie.split(';').some((c) => c.trim().startsWith('hub_joined='));
}

/** A full-page message (no badge, a revoked badge): a title, a sentence, and the hub's
 *  own detail apart (it is in English). */
function notice(title, text, testid, detail = null) {
  const draw = () => fill(root,
    h('section', { class: 'notice', 'data-testid': testid },
      h('h1', {}, title()),
      h('p', {}, text()),
      detail ? h('p', { class: 'muted small', lang: 'en' }, detail) : null,
      langButton()));
  addEventListener('hub-lang', draw);
  draw();
  root.className = 'notice-page';
  root.removeAttribute('aria-busy');
}

/** Asks for the person's PIN before a command that needs it; `null` if cancelled. */
function askPin() {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]*',
      minlength: '4', maxlength: '8', class: 'pin-input', 'data-testid': 'pin-input',
      'aria-label': t('pin_label'),
    });
    let pin = null;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'pin-title', 'data-testid': 'pin-dialog' },
      h('h2', { id: 'pin-title' }, t('pin_title')),
      h('p', {}, t('pin_text')),
      input,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => dialog.close() }, t('cancel')),
        h('button', {
          class: 'btn primary', type: 'button', 'data-testid': 'pin-ok',
          onclick: () => {
            if (!/^[0-9]{4,8}$/.test(input.value)) { input.focus(); return; }
            pin = input.value;
            dialog.close();
          },
        }, t('confirm'))));
    dialog.addEventListener('close', () => { dialog.remove(); resolve(pin); });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

async function main() {
  // The office token is not in any meeting: the desk names one with `?meeting=`.
  const meeting = new URLSearchParams(location.search).get('meeting');
  // A person's tablet starts from its home page: every meeting that summoned them.
  if (isDevice() && !meeting) {
    location.replace('/home');
    return;
  }
  if (!joined() && !meeting && !isDevice()) {
    notice(() => t('no_badge_title'), () => t('no_badge_text'), 'no-badge');
    return;
  }
  const connection = new HubConnection({ meeting });
  // A ballot, an opinion answer or a direction from a person's tablet asks for the PIN;
  // the reminders of their other meetings reach them here too, not only at home.
  if (isDevice()) {
    connection.askPin = askPin;
    import('./reminders.js').then((m) => m.startReminders(meeting));
  }
  const state = new MeetingState().attach(connection);
  let screen = null;
  connection.addEventListener('denied', (e) => {
    screen?.stop?.();
    // The office token names no meeting: its start page lists them (office.js).
    if (e.detail.code === 'invalid' && !meeting) {
      root.className = 'screen-office';
      import('./office.js').then((m) => { screen = m.mount(root); });
      return;
    }
    if (e.detail.code === 'bad_token') notice(() => t('bad_badge_title'), () => t('bad_badge_text'), 'bad-badge', e.detail.message);
    else notice(() => t('denied_title'), () => refusedSentence(e.detail), 'denied', e.detail.message);
  });
  const mountScreen = async (role) => {
    const load = SCREENS[role];
    if (!load) {
      fill(root, h('p', {}, t('unknown_role')));
      return;
    }
    screen = {};
    const module = await load();
    root.className = `screen-${role}`;
    root.removeAttribute('aria-busy');
    screen = module.mount(root, { connection, state }) ?? {};
    cacheShell();
  };
  connection.addEventListener('snapshot', () => {
    if (screen) return;
    mountScreen(state.me.role);
  }, { once: false });
  state.addEventListener('change', () => {
    if (connection.ready && KEPT_ROLES.has(state.me?.role)) keepSnapshot(state);
  });
  // Without the hub, the meeting as this tablet last saw it; the hub's snapshot replaces
  // it when the link comes back (nothing here sets the seq the connection resumes from).
  const kept = meeting ? null : keptSnapshot();
  if (kept && KEPT_ROLES.has(kept.me.role)) {
    const fromKept = () => {
      if (screen || connection.ready) return;
      // Commands sent from this copy are kept under its badge, as the hub's would be.
      connection.owner = ownerOf(kept.me);
      connection.me = kept.me;
      state.loadSnapshot(kept);
      state.keptAt = kept.at;
      mountScreen(kept.me.role);
    };
    connection.addEventListener('status', (e) => { if (e.detail === 'offline') fromKept(); });
    setTimeout(fromKept, KEPT_AFTER_MS);
  }
  connection.start();
  if ('serviceWorker' in navigator && isSecureContext) {
    navigator.serviceWorker.register('/sw.js').then(() => cacheShell()).catch(() => {});
  }
}

/** Hands the service worker every file this page loaded (the shell and the screen's
 *  modules), so that a reload without the network finds them all, the first load's too. */
function cacheShell() {
  if (!('serviceWorker' in navigator) || !isSecureContext) return;
  navigator.serviceWorker.ready.then((registration) => {
    const urls = ['/', ...performance.getEntriesByType('resource').map((e) => e.name)];
    registration.active?.postMessage({ type: 'cache', urls });
  }).catch(() => {});
}

main();
