// The vote panel. It comes up by itself when a poll opens. A ballot shows as recorded only
// after the hub's ack; its command id is chosen once and kept with the choices in
// localStorage, so a reconnect or a reload re-sends the same ballot (never a second one),
// and a half-filled election ballot survives both.

import { t } from './i18n.js';
import { h, fill, confirmDialog, optionLabels, refusal } from './ui.js';
import { formatDuration } from './format.js';
import { newId } from './connection.js';

// Element.append would print a skipped part as the text "null".
const add = (el, ...parts) => el.append(...parts.filter((p) => p !== null && p !== undefined && p !== false));

function draftKey(poll) { return `hub.ballot.${poll}`; }

function loadDraft(poll) {
  try { return JSON.parse(localStorage.getItem(draftKey(poll)) ?? 'null'); } catch { return null; }
}

function saveDraft(poll, draft) {
  try { localStorage.setItem(draftKey(poll), JSON.stringify(draft)); } catch { /* this page only */ }
}

/**
 * Draws the panel into `slot` whenever the returned function is called (the delegate's
 * screen calls it on every change). Hidden when no poll is open for this member.
 */
export function votePanel(slot, { connection, state }) {
  let refused = null;
  let ticker = null;
  connection.addEventListener('ack', () => draw());
  connection.addEventListener('rejected', (e) => {
    if (e.detail.command?.op !== 'cast_ballot') return;
    refused = { poll: e.detail.command.poll, error: e.detail.error };
    // A refused ballot may be corrected and sent again, with a new id.
    const d = loadDraft(e.detail.command.poll);
    if (d) saveDraft(e.detail.command.poll, { ...d, id: newId(), sent: false });
    draw();
  });

  function draw() {
    clearInterval(ticker);
    const pv = state.openPoll() ?? recentlyVoted(state);
    const role = state.me.role;
    // Only members may vote, and only those the poll names when it names some.
    const listed = !pv?.poll.eligible || pv.poll.eligible.includes(state.me.participant);
    if (!pv || (role !== 'delegate' && role !== 'chair') || !listed) {
      slot.hidden = true;
      fill(slot);
      return;
    }
    slot.hidden = false;
    const poll = pv.poll;
    const draft = loadDraft(poll.id) ?? { id: newId(), choices: [], sent: false };
    const pending = connection.pendingCommands().some((c) => c.id === draft.id);
    const receipt = state.receipts[poll.id];
    const labels = optionLabels(pv);
    const header = h('div', { class: 'vote-head' },
      h('h2', { id: 'vote-title' }, poll.title),
      h('span', { class: `tag ${poll.secret ? 'warn' : ''}` }, poll.secret ? t('vote_secret') : t('vote_open')),
      // No turnout here: a tablet hears only its own ballot (the hall's screen shows turnout).
      pv.closes_at ? h('span', { class: 'tag', 'data-testid': 'vote-timer' }) : null);
    const section = h('section', { class: 'vote', 'aria-labelledby': 'vote-title', 'data-testid': 'vote-panel' }, header);
    if (pv.closes_at) {
      const tick = () => {
        const el = section.querySelector('[data-testid=vote-timer]');
        if (el) el.textContent = t('time_left', { time: formatDuration(Math.max(0, pv.closes_at - Date.now())) });
      };
      tick();
      ticker = setInterval(tick, 1000);
    }

    if (pv.voted && !pending) {
      // Recorded: the hub said so (an ack, or the snapshot's `voted`).
      const chosen = pv.my_choices ?? draft.choices;
      add(section, 
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
      fill(slot, section);
      return;
    }
    if (pv.status !== 'open') { slot.hidden = true; fill(slot); return; }
    if (draft.sent && pending) {
      add(section, h('p', { class: 'sending', role: 'status', 'data-testid': 'vote-sending' }, t('vote_sending')));
      fill(slot, section);
      return;
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
      refused = null;
      draw();
    };
    add(section, 
      h('p', { class: 'muted' }, hint),
      h('div', { class: `options ${poll.kind.type}`, role: 'group', 'aria-label': poll.title }, labels.map((label, i) =>
        h('button', {
          type: 'button', class: `btn option ${poll.kind.type === 'motion' ? `motion-${i}` : ''}`, 'aria-pressed': String(draft.choices.includes(i)),
          'data-testid': `option-${i}`, onclick: () => toggle(i),
        }, label))),
      refused?.poll === poll.id ? h('p', { class: 'error', role: 'alert' }, t('vote_refused'), ' ', refusal(refused.error)) : null,
      h('button', {
        type: 'button', class: 'btn big primary', 'data-testid': 'vote-submit', disabled: draft.choices.length < min,
        onclick: async () => {
          const summary = draft.choices.length ? draft.choices.map((c) => labels[c]).join(', ') : t('vote_confirm_none');
          if (!(await confirmDialog(t('vote_confirm_title'), summary))) return;
          draft.sent = true;
          saveDraft(poll.id, draft);
          // The same id on every attempt: the hub counts a ballot once (§1.6, §5.2).
          connection.send({ op: 'cast_ballot', poll: poll.id, choices: draft.choices }, draft.id).catch(() => {});
          draw();
        },
      }, t('vote_submit')));
    fill(slot, section);
  }
  return draw;
}

// Keep the recorded confirmation (and the receipt) on screen while the poll is closed
// and not yet published.
function recentlyVoted(state) {
  return state.view.polls.find((p) => p.status === 'closed' && p.voted) ?? null;
}
