// The vote panel: one ballot per open poll this member may vote in, coming up by itself
// when a poll opens. A ballot shows as recorded only after the hub's ack. Its command id is
// chosen once and kept with the choices (local.js, under this badge), so a reconnect or a
// reload re-sends the same ballot, never a second one, and a half-filled election ballot
// survives both. A secret ballot is encrypted here, in the browser (ballot-box.js in a Web
// Worker), to the counting committee's key: the encrypted ballot is kept with its id before
// it is sent, so a re-send is the same ballot (a new encryption would be another one). A
// secret ballot's marks are never stored: they live in this page only, and what is kept is
// the encrypted ballot and, once acknowledged, its receipt.

import { t } from './i18n.js';
import { h, fill, confirmDialog, optionLabels, refusal } from './ui.js';
import { formatDuration } from './format.js';
import { newId } from './connection.js';
import { load, save, names } from './local.js';
import { box } from './box-worker.js';
import { keyCode } from './key-code.js';

const BALLOT_OPS = new Set(['cast_ballot', 'cast_sealed_ballot']);

// Secret polls' marks, this page's life only: poll → choices.
const secretMarks = new Map();

function loadDraft(poll) {
  const d = load(`ballot.${poll}`);
  return d && secretMarks.has(poll) ? { ...d, choices: secretMarks.get(poll) } : d;
}
function saveDraft(poll, draft) {
  if (draft.secret) {
    secretMarks.set(poll, draft.choices);
    save(`ballot.${poll}`, { ...draft, choices: [] });
  } else save(`ballot.${poll}`, draft);
}

/**
 * Draws the panels into `slot` whenever the returned function is called (the delegate's
 * screen calls it on every change). Hidden when no poll is open for this member.
 */
export function votePanel(slot, { connection, state }) {
  const refused = new Map(); // poll → the hub's refusal of its last ballot
  const sealing = new Set(); // polls whose ballot is being encrypted now
  const failed = new Map(); // poll → why this device could not encrypt
  let ticker = null;
  connection.addEventListener('ack', () => draw());
  connection.addEventListener('rejected', (e) => {
    const command = e.detail.command;
    if (!BALLOT_OPS.has(command?.op)) return;
    refused.set(command.poll, e.detail.error);
    // A refused ballot may be corrected and sent again: a new id, and a new encryption.
    const d = loadDraft(command.poll);
    if (d) saveDraft(command.poll, { ...d, id: newId(), sent: false, sealed: null });
    draw();
  });

  function draw() {
    clearInterval(ticker);
    forgetFinished(state);
    const role = state.me.role;
    const me = state.me.participant;
    // Only members may vote, and only those the poll names when it names some.
    const mayVote = (pv) => (role === 'delegate' || role === 'chair') && (!pv.poll.eligible || pv.poll.eligible.includes(me));
    const polls = [...state.openPolls(), ...recentlyVoted(state)].filter(mayVote);
    const sections = polls.map((pv) => ballot(pv)).filter(Boolean);
    slot.hidden = sections.length === 0;
    fill(slot, sections);
    if (sections.some((s) => s.querySelector('[data-until]'))) {
      const tick = () => {
        for (const el of slot.querySelectorAll('[data-until]')) {
          el.textContent = t('time_left', { time: formatDuration(Math.max(0, Number(el.dataset.until) - Date.now())) });
        }
      };
      tick();
      ticker = setInterval(tick, 1000);
    }
  }

  function ballot(pv) {
    const poll = pv.poll;
    const draft = loadDraft(poll.id) ?? { id: newId(), choices: [], sent: false, sealed: null, secret: poll.secret };
    const pending = connection.pendingCommands().some((c) => c.id === draft.id);
    const labels = optionLabels(pv);
    const titleId = `vote-title-${poll.id}`;
    const section = h('section', { class: 'vote', 'aria-labelledby': titleId, 'data-testid': 'vote-panel', 'data-poll': poll.id },
      h('div', { class: 'vote-head' },
        h('h2', { id: titleId }, poll.title),
        h('span', { class: `tag ${poll.secret ? 'warn' : ''}` }, poll.secret ? t('vote_secret') : t('vote_open')),
        // No turnout here: a tablet hears only its own ballot (the hall's screen shows turnout).
        pv.closes_at && pv.status === 'open' ? h('span', { class: 'tag', 'data-testid': 'vote-timer', 'data-until': String(pv.closes_at) }) : null));
    const add = (...parts) => section.append(...parts.filter(Boolean));

    if (pv.voted && !pending) {
      // Recorded: the hub said so (an ack, or the snapshot's `voted`).
      const chosen = pv.my_choices ?? draft.choices;
      const receipt = state.receipts[poll.id]?.receipt ?? (poll.secret && draft.sent ? draft.sealed?.receipt : null);
      add(
        h('p', { class: 'recorded', role: 'status', 'data-testid': 'vote-recorded' }, `✔ ${t('vote_recorded')}`),
        // A secret ballot's choices stay folded away: the tablet may be seen by a neighbour.
        chosen?.length
          ? poll.secret
            ? h('details', { class: 'my-choice' }, h('summary', {}, t('vote_show_choice')),
              h('p', {}, t('vote_your_choice', { choices: chosen.map((c) => labels[c]).join(', ') })))
            : h('p', {}, t('vote_your_choice', { choices: chosen.map((c) => labels[c]).join(', ') }))
          : null,
        receipt ? h('div', { class: 'receipt', 'data-testid': 'vote-receipt' },
          h('span', {}, t('vote_receipt')),
          h('strong', {}, receipt),
          h('p', { class: 'muted' }, t('vote_receipt_help'))) : null);
      return section;
    }
    if (pv.status !== 'open') return null;
    if (draft.sent && pending) {
      add(h('p', { class: 'sending', role: 'status', 'data-testid': 'vote-sending' }, t('vote_sending')));
      return section;
    }
    if (sealing.has(poll.id)) {
      add(h('p', { class: 'sending', role: 'status', 'data-testid': 'vote-sealing' }, t('vote_sealing')));
      return section;
    }

    // How many options a ballot holds is the hub's rule, sent with the poll.
    const { min, max } = pv.choices;
    const election = poll.kind.type === 'election';
    const hint = election ? t('vote_pick_seats', { seats: max, n: draft.choices.length })
      : max === 1 ? t('vote_pick_one') : t('vote_pick_max', { max });
    const toggle = (i) => {
      let c = draft.choices;
      if (max === 1) c = [i];
      else if (c.includes(i)) c = c.filter((x) => x !== i);
      else if (c.length < max) c = [...c, i];
      draft.choices = c.sort((a, b) => a - b);
      saveDraft(poll.id, draft);
      refused.delete(poll.id);
      draw();
    };
    const error = refused.get(poll.id);
    const cannot = failed.get(poll.id);
    // The code of the key this device will encrypt to, for the voter to compare with the
    // projector's and the members'.
    // It is computed after the panel is first drawn, and then written in place: drawing the
    // panel again would replace the option buttons under a finger about to tap one.
    const key = state.committeeOf(pv)?.key;
    const showCode = () => {
      const known = keyCode(key, () => {});
      const at = slot.querySelector(`[data-testid=vote-key-code][data-poll="${poll.id}"]`);
      if (!known || !at) return;
      fill(at, t('key_code'), ' ', h('strong', {}, known));
      at.hidden = false;
    };
    const code = poll.secret ? keyCode(key, showCode) : null;
    add(
      poll.secret ? h('p', { class: 'muted' }, t('vote_sealed_note')) : null,
      poll.secret ? h('p', { class: 'key-code', 'data-testid': 'vote-key-code', 'data-poll': poll.id, hidden: !code },
        code ? [t('key_code'), ' ', h('strong', {}, code)] : null) : null,
      h('p', { class: 'muted' }, hint),
      h('div', { class: `options ${poll.kind.type}`, role: 'group', 'aria-label': poll.title }, labels.map((label, i) =>
        h('button', {
          type: 'button', class: `btn option ${poll.kind.type === 'motion' ? `motion-${i}` : ''}`, 'aria-pressed': String(draft.choices.includes(i)),
          'data-testid': `option-${i}`, onclick: () => toggle(i),
        }, label))),
      error ? h('p', { class: 'error', role: 'alert' }, t('vote_refused'), ' ', refusal(error)) : null,
      cannot ? h('p', { class: 'error', role: 'alert', 'data-testid': 'vote-cannot-seal' }, t('vote_cannot_seal'), ' ', h('span', { class: 'refusal-detail', lang: 'en' }, cannot)) : null,
      h('button', {
        type: 'button', class: 'btn big primary', 'data-testid': 'vote-submit', disabled: draft.choices.length < min,
        onclick: async () => {
          const summary = draft.choices.length ? draft.choices.map((c) => labels[c]).join(', ') : t('vote_confirm_none');
          if (!(await confirmDialog(t('vote_confirm_title'), summary))) return;
          if (poll.secret) await sealAndSend(pv, draft);
          else {
            draft.sent = true;
            saveDraft(poll.id, draft);
            // The same id on every attempt: the hub counts a ballot once (§1.6, §5.2).
            connection.send({ op: 'cast_ballot', poll: poll.id, choices: draft.choices }, draft.id).catch(() => {});
          }
          draw();
        },
      }, t('vote_submit')));
    return section;
  }

  // Encrypts the choices to the committee's key, keeps the encrypted ballot with its
  // command id, and only then sends it.
  async function sealAndSend(pv, draft) {
    const poll = pv.poll;
    const committee = state.committeeOf(pv);
    failed.delete(poll.id);
    if (!committee?.key || committee.fingerprint !== pv.sealed.fingerprint) {
      failed.set(poll.id, 'the key of the committee this poll is sealed with is not on this tablet');
      return;
    }
    sealing.add(poll.id);
    draw();
    try {
      const sealed = await box('encryptBallot', committee.key, pv.sealed.params, draft.choices);
      Object.assign(draft, { sent: true, sealed });
      saveDraft(poll.id, draft);
      connection.send({ op: 'cast_sealed_ballot', poll: poll.id, ballot: sealed.ballot }, draft.id).catch(() => {});
    } catch (e) {
      failed.set(poll.id, String(e?.message ?? e));
    } finally {
      sealing.delete(poll.id);
    }
  }

  return draw;
}

// Keep the recorded confirmation (and the receipt) on screen while the poll is closed
// and not yet published; the results tab takes over from there.
function recentlyVoted(state) {
  return state.view.polls.filter((p) => p.status === 'closed' && p.voted);
}

// A ballot's choices are kept only while its poll may still need them: once it is
// published or cancelled (or gone), the draft goes; the receipt stays for the check.
function forgetFinished(state) {
  for (const name of names('ballot.')) {
    const pv = state.poll(name.slice('ballot.'.length));
    if (!pv || pv.status === 'published' || pv.status === 'cancelled') save(name, null);
  }
  for (const poll of secretMarks.keys()) {
    if (state.poll(poll)?.status !== 'open') secretMarks.delete(poll);
  }
}
