// The meeting as this tablet last saw it, kept for a reload while the hub cannot be
// reached (the Wi-Fi is down, the hub restarts): the page then draws the agenda, the
// documents already on the tablet (offline.js) and the ballots waiting to be sent
// (connection.js) from this copy, and the hub's snapshot replaces it when it answers.
// Kept under the badge (local.js), so another badge joining on this browser deletes it.

import { save } from './local.js';

const NAME = 'snapshot';
const KEY = /^hub\.own\..+\.snapshot$/;
/** Writing the whole view on every event would cost more than it saves. */
const EVERY_MS = 1000;

let timer = null;
let latest = null;

/** The kept `{view, me, seq, at}`, or `null`. Only one badge's copy can be in storage. */
export function keptSnapshot() {
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (!KEY.test(key)) continue;
      const kept = JSON.parse(localStorage.getItem(key) ?? 'null');
      if (kept?.view && kept?.me && typeof kept.seq === 'number') return kept;
    }
  } catch { /* storage off or damaged: nothing kept */ }
  return null;
}

/** Keeps the state's view soon (at most once a second), and at once if the page goes. */
export function keepSnapshot(state) {
  latest = state;
  if (!timer) timer = setTimeout(flush, EVERY_MS);
}

function flush() {
  clearTimeout(timer);
  timer = null;
  const state = latest;
  latest = null;
  if (state?.view && state.me) save(NAME, { view: state.view, me: state.me, seq: state.seq, at: Date.now() });
}

// A reload right after an event (a vote opening) must not lose it.
addEventListener('pagehide', flush);
