// The app shell: connect to the hub with the badge's cookie, wait for the snapshot, then
// hand the page to the screen of the participant's role. One page for every role, so a
// tablet needs one bookmark and the join link needs one target.

import { HubConnection } from './connection.js';
import { MeetingState } from './state.js';
import { t } from './i18n.js';
import { h, fill, langButton, refusedSentence } from './ui.js';

const SCREENS = {
  delegate: () => import('./delegate.js'),
  projector: () => import('./projector.js'),
  chair: () => import('./chair.js'),
  secretariat: () => import('./desk.js'),
};

const root = document.getElementById('app');

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

async function main() {
  // The office token is not in any meeting: the desk names one with `?meeting=`.
  const meeting = new URLSearchParams(location.search).get('meeting');
  if (!joined() && !meeting) {
    notice(() => t('no_badge_title'), () => t('no_badge_text'), 'no-badge');
    return;
  }
  const connection = new HubConnection({ meeting });
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
  connection.addEventListener('snapshot', async () => {
    if (screen) return;
    const role = state.me.role;
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
  }, { once: false });
  connection.start();
  if ('serviceWorker' in navigator && isSecureContext) {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  }
}

main();
