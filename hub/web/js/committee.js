// A counting committee member's tablet (Ban kiểm phiếu, docs/PROTOCOL.md §5.6): it takes
// part in making the committee's key, round by round as the hub relays the members'
// messages, and shows the check code the members compare aloud before any share is sent;
// after a secret poll closes it downloads the box, verifies every ballot and adds them up
// itself (in the ballot worker, with progress), and gives its decryption share of that sum.
//
// What the device keeps (local.js, under this badge only): the key setup's state between
// rounds with the messages it sent (a re-send is the same message, with the same id), then
// its secret share of the committee's key. The secret never leaves the tablet; a change of
// badge on this browser deletes it. So the member keeps it two ways, both made here: a
// printed copy (a QR code and its text, drawn by the wasm on this device and printed from
// this page), and a copy sealed under a passphrase the member chooses (vault.js), which a
// change of badge leaves in place for this member's badge only; from then on the share is
// stored only sealed, and held in clear by this page alone (a reload asks the passphrase
// again). Either brings the share back: the passphrase, or the printed text pasted (or
// scanned into the field).

import { t } from './i18n.js';
import { h, toast, refusal } from './ui.js';
import { newId } from './connection.js';
import { load, save, keepSealed, loadSealed, currentOwner } from './local.js';
import { box, verifyBox } from './box-worker.js';
import { keyCode } from './key-code.js';
import { formatSize } from './format.js';
import { readBody } from './progress.js';
import { seal, unseal, passphraseProblem } from './vault.js';

/** JSON with every object's keys sorted: the hub's view and the wasm module may write the
 *  same key's fields in different orders. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** This member's number in the current committee, or -1. */
export function memberNumber(state) {
  const c = state.view?.committee;
  return c ? c.committee.members.indexOf(state.me.participant) : -1;
}

/** Polls this member may open now: closed, sealed with this committee, not opened yet,
 *  and this member's share not in. */
function toOpen(state) {
  const c = state.view.committee;
  return state.view.polls.filter((pv) => pv.status === 'closed' && pv.sealed && pv.sealed_box
    && !pv.sealed_box.counts && pv.sealed.committee === c.committee.id
    && !pv.sealed_box.opened_by.includes(state.me.participant));
}

/** How many things wait for this member (the tab's count). */
export function committeeWaiting(state) {
  if (memberNumber(state) < 0) return 0;
  const c = state.view.committee;
  const kept = load(`dkg.${c.committee.id}`);
  const code = c.status === 'making_key' && kept?.round === 2 && !kept.confirmed ? 1 : 0;
  return code + toOpen(state).length;
}

/**
 * The member's device: `step()` moves the key setup on as far as the messages in the view
 * allow (call it on every change); `panel()` draws the committee tab.
 */
export function committeeDevice({ connection, state, redraw }) {
  // The share opened with the member's passphrase (or kept under it): held for this page's
  // life only, never written in clear once the member chose a passphrase.
  const unlocked = new Map(); // badge and committee → the share
  const heldAs = (c) => `${currentOwner()}.${c.committee.id}`;
  const secretOf = (c) => unlocked.get(heldAs(c)) ?? load(`secret.${c.committee.id}`);
  let busy = false;
  let problem = null; // why the key setup cannot go on from this device
  const counting = new Map(); // poll → {done, total, error}

  const send = (round, out) => connection
    .send({ op: 'send_key_message', committee: state.view.committee.committee.id, round, message: out.message }, out.id)
    .catch((e) => { problem = refusal(e); redraw(); });

  async function params(c) {
    if (c.params) return c.params;
    // counting_committee_set carries no params: the hub's view of the meeting has them.
    const r = await fetch(`/api/v1/meetings/${state.view.meeting.id}`, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const fresh = (await r.json()).view.committee;
    if (fresh?.committee.id === c.committee.id) c.params = fresh.params;
    return c.params;
  }

  let again = false; // messages came in while a round was being computed
  async function step() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        const c = state.view?.committee;
        const me = memberNumber(state);
        if (!c || me < 0 || c.status !== 'making_key') break;
        if (await advance(c, me)) again = true; // the next round may be complete already
      } while (again);
    } catch (e) {
      problem = String(e?.message ?? e);
    } finally {
      busy = false;
    }
    redraw();
  }

  /** Computes and sends this member's next round if the one before is complete;
   *  whether it did. */
  async function advance(c, me) {
    const name = `dkg.${c.committee.id}`;
    const n = c.committee.members.length;
    const messages = c.messages ?? [];
    const of = (r) => messages.filter((m) => m.round === r).sort((a, b) => a.member - b.member);
    const complete = (r) => of(r).length === n;
    const sent = (r) => of(r).some((m) => m.member === me);
    let kept = load(name);
    if (!kept) {
      if (sent(1)) {
        problem = t('committee_lost_setup');
        return false;
      }
      const r = await box('dkgStart', await params(c), me);
      kept = { round: 1, state: r.state, out: { 1: { id: newId(), message: r.round1 } } };
      save(name, kept);
    }
    // What this device made but the hub has not shown yet goes again, the same message.
    const pending = new Set(connection.pendingCommands().map((p) => p.id));
    for (const [round, out] of Object.entries(kept.out)) {
      if (!sent(Number(round)) && !pending.has(out.id)) send(Number(round), out);
    }
    if (kept.round === 1 && complete(1)) {
      const r = await box('dkgRound2', kept.state, of(1).map((m) => m.message));
      Object.assign(kept, { round: 2, state: r.state, code: r.check_code, confirmed: false });
      kept.out[2] = { id: newId(), message: r.round2 };
      save(name, kept);
      send(2, kept.out[2]);
      return true;
    } else if (kept.round === 2 && complete(2) && kept.confirmed) {
      const r = await box('dkgRound3', kept.state, of(2).map((m) => m.message));
      Object.assign(kept, { round: 3, state: r.state });
      kept.out[3] = { id: newId(), message: r.sealed };
      save(name, kept);
      send(3, kept.out[3]);
      return true;
    } else if (kept.round === 3 && complete(3)) {
      const mine = of(3).flatMap((m) => m.message).filter((s) => s.to === me);
      const r = await box('dkgFinish', kept.state, mine);
      save(`secret.${c.committee.id}`, { secret: r.secret, text: r.secret_text, key: r.committee });
      // The state held the secret's makings: it goes once the secret is kept.
      Object.assign(kept, { round: 4, state: null });
      kept.out[4] = { id: newId(), message: r.confirmation };
      save(name, kept);
      send(4, kept.out[4]);
    }
    return false;
  }

  // Downloads the closed box, verifies and adds up every ballot in the worker, and gives
  // this member's share of the sum it made itself.
  async function openCount(pv) {
    const c = state.view.committee;
    const kept = secretOf(c);
    const poll = pv.poll.id;
    if (!kept) {
      counting.set(poll, { error: t('committee_no_secret') });
      redraw();
      return;
    }
    counting.set(poll, { done: 0, total: pv.sealed_box.ballots });
    redraw();
    try {
      const given = load(`share.${poll}`);
      let share = given?.share;
      if (!share) {
        const b = await download(`/api/v1/meetings/${state.view.meeting.id}/polls/${poll}/box.json`, (got, size) => {
          counting.set(poll, { done: 0, total: pv.sealed_box.ballots, got, size });
          redraw();
        });
        const verified = await verifyBox(b.committee, b.params, b.ballots, (done, total, workers) => {
          counting.set(poll, { done, total, workers });
          redraw();
        });
        if (verified.ballots !== pv.sealed_box.ballots) {
          throw new Error(`the box holds ${verified.ballots} ballots, the hub announced ${pv.sealed_box.ballots}`);
        }
        share = await box('decryptionShare', b.committee, kept.secret, verified.digest);
      }
      const id = given?.id ?? newId();
      save(`share.${poll}`, { id, share });
      await connection.send({ op: 'give_decryption_share', poll, share }, id);
      counting.delete(poll);
      toast(t('committee_share_given'), 'ok');
    } catch (e) {
      counting.set(poll, { error: e?.code ? refusal(e) : String(e?.message ?? e) });
    }
    redraw();
  }

  // The box as JSON, with `onProgress(bytes, size)` as it arrives: 2,000 ballots of an
  // election are about 19 MB, seconds on a hall's Wi-Fi.
  async function download(url, onProgress) {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`box.json: HTTP ${r.status}`);
    return JSON.parse(await (await readBody(r, onProgress)).text());
  }

  function keyPart(c, me) {
    const kept = load(`dkg.${c.committee.id}`);
    const secret = secretOf(c);
    const members = c.committee.members.length;
    const out = [
      h('p', {}, t('committee_member', { n: me + 1, of: members, threshold: c.committee.threshold })),
    ];
    if (c.status === 'making_key') {
      out.push(h('p', { role: 'status', 'data-testid': 'committee-round' },
        t('committee_round', { round: c.round, done: c.done.length, of: members })));
      if (kept?.code) {
        out.push(h('div', { class: 'check-code' },
          h('span', {}, t('committee_check_code')),
          h('strong', { 'data-testid': 'committee-code' }, kept.code),
          h('p', { class: 'muted' }, t('committee_check_code_help'))));
        if (kept.round === 2 && !kept.confirmed) {
          out.push(h('button', {
            type: 'button', class: 'btn big primary', 'data-testid': 'committee-code-ok',
            onclick: () => { kept.confirmed = true; save(`dkg.${c.committee.id}`, kept); step(); },
          }, t('committee_code_matches')));
        }
      }
    } else if (c.status === 'ready') {
      // The key the hub announces must be the one this device made with the others: a hub
      // that swapped it would have every ballot encrypted to a key of its own.
      const same = !secret?.key || canonical(secret.key) === canonical(c.key);
      out.push(same
        ? h('p', { class: 'recorded', 'data-testid': 'committee-ready' }, `✔ ${t('committee_ready', { fingerprint: c.fingerprint })}`)
        : h('p', { class: 'error', role: 'alert', 'data-testid': 'committee-key-differs' }, t('committee_key_differs')));
      // The code of the key this device made with the others, for the hall to compare.
      const code = keyCode(secret?.key ?? c.key, redraw);
      if (code) {
        out.push(h('p', { class: 'key-code', 'data-testid': 'committee-key-code' }, t('key_code'), ' ', h('strong', {}, code)));
      }
      out.push(...(secret ? keepPart(c, secret) : recoverPart(c)));
    } else if (c.status === 'failed') {
      out.push(h('p', { class: 'error', role: 'alert' }, t('committee_failed'), ' ',
        h('span', { class: 'refusal-detail', lang: 'en' }, c.failure ?? '')));
    }
    if (problem) out.push(h('p', { class: 'error', role: 'alert' }, problem));
    return out;
  }

  const sealedName = (c) => `secret.${c.committee.id}`;
  const context = (c) => `hub/committee-share/v1\n${currentOwner()}\n${c.committee.id}`;
  let vaultNote = null; // {ok, text}: what the last keep/unlock/import did

  const passwordField = (testid) => h('input', {
    type: 'password', autocomplete: 'new-password', minlength: '8', 'data-testid': testid,
    'aria-label': t('committee_passphrase'), placeholder: t('committee_passphrase'),
  });

  /** The share is on this device: its printed copy, and keeping it under a passphrase. */
  function keepPart(c, secret) {
    const field = passwordField('committee-passphrase');
    const kept = loadSealed(sealedName(c));
    return [
      h('details', { class: 'secret-copy' },
        h('summary', {}, t('committee_secret_copy')),
        h('p', { class: 'muted' }, t('committee_secret_copy_help')),
        h('code', { class: 'pre', 'data-testid': 'committee-secret' }, secret.text),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'committee-print', onclick: () => printCopy(c, secret) },
          t('committee_print'))),
      h('div', { class: 'secret-copy' },
        kept ? h('p', { class: 'recorded', 'data-testid': 'committee-kept' }, `✔ ${t('committee_kept')}`) : null,
        h('p', { class: 'muted' }, t('committee_keep_help')),
        field,
        h('button', {
          type: 'button', class: 'btn primary', 'data-testid': 'committee-keep',
          onclick: async () => {
            const problem = passphraseProblem(field.value);
            if (problem) { vaultNote = { ok: false, text: t(`committee_passphrase_${problem}`) }; redraw(true); return; }
            keepSealed(sealedName(c), await seal(secret, field.value, context(c)));
            // From now on the share is in storage only sealed: in clear, in this page only.
            unlocked.set(heldAs(c), secret);
            save(sealedName(c), null);
            vaultNote = null;
            redraw(true);
          },
        }, t('committee_keep'))),
      note(),
    ];
  }

  /** The share is not on this device: open the sealed copy, or read the printed one. */
  function recoverPart(c) {
    const kept = loadSealed(sealedName(c));
    const field = passwordField('committee-unlock-passphrase');
    const text = h('textarea', { rows: '2', 'data-testid': 'committee-import-text', 'aria-label': t('committee_import_help'), spellcheck: 'false' });
    const restore = (held, sealed) => {
      if (sealed) unlocked.set(heldAs(c), held);
      else save(sealedName(c), held);
      vaultNote = { ok: true, text: t('committee_restored') };
      redraw(true);
    };
    return [
      h('p', { class: 'error', role: 'alert', 'data-testid': 'committee-no-secret' }, t('committee_no_secret')),
      kept ? h('div', { class: 'secret-copy' },
        h('p', {}, t('committee_unlock_help')),
        field,
        h('button', {
          type: 'button', class: 'btn primary', 'data-testid': 'committee-unlock',
          onclick: async () => {
            try {
              restore(await unseal(kept, field.value, context(c)), true);
            } catch (e) {
              vaultNote = { ok: false, text: e.message === 'wrong passphrase' ? t('committee_wrong_passphrase') : String(e.message) };
              redraw(true);
            }
          },
        }, t('committee_unlock'))) : null,
      h('div', { class: 'secret-copy' },
        h('p', {}, t('committee_import_help')),
        text,
        h('button', {
          type: 'button', class: 'btn', 'data-testid': 'committee-import',
          onclick: async () => {
            try {
              const secret = await box('secretFromText', text.value.trim(), c.key);
              restore({ secret, text: text.value.trim(), key: c.key }, false);
            } catch (e) {
              vaultNote = { ok: false, text: `${t('committee_import_refused')} ${e.message}` };
              redraw(true);
            }
          },
        }, t('committee_import'))),
      note(),
    ];
  }

  function note() {
    if (!vaultNote) return null;
    return vaultNote.ok
      ? h('p', { class: 'recorded', role: 'status', 'data-testid': 'committee-vault-ok' }, `✔ ${vaultNote.text}`)
      : h('p', { class: 'error', role: 'alert', 'data-testid': 'committee-vault-error' }, vaultNote.text);
  }

  // The printed copy: drawn here (the QR code by the wasm), shown alone, printed, removed.
  // Nothing of it goes to the hub.
  async function printCopy(c, secret) {
    const { text, svg } = await box('secretQr', secret.secret);
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    const sheet = h('section', { class: 'print-copy', 'data-testid': 'committee-print-copy' },
      h('h1', {}, t('committee_title')),
      h('p', {}, t('committee_print_who', { meeting: state.view.meeting.title, n: memberNumber(state) + 1 })),
      h('img', { src: url, alt: t('committee_secret_copy'), width: '320', height: '320' }),
      h('code', {}, text),
      h('p', {}, t('committee_print_help')),
      h('button', { type: 'button', class: 'btn no-print', 'data-testid': 'committee-print-close', onclick: () => close() }, t('committee_print_close')));
    const close = () => { URL.revokeObjectURL(url); sheet.remove(); document.body.classList.remove('printing-copy'); };
    document.body.append(sheet);
    document.body.classList.add('printing-copy');
    addEventListener('afterprint', close, { once: true });
    if (!navigator.webdriver) print();
  }

  function countPart(c) {
    return toOpen(state).map((pv) => {
      const run = counting.get(pv.poll.id);
      const b = pv.sealed_box;
      return h('article', { class: 'panel', 'data-testid': 'committee-count', 'data-poll': pv.poll.id },
        h('h3', {}, pv.poll.title),
        h('p', {}, t('committee_box', { ballots: b.ballots, given: b.opened_by.length, threshold: b.threshold ?? c.committee.threshold })),
        run && run.error === undefined
          ? h('div', { role: 'status', 'data-testid': 'committee-progress' },
            ...(run.size && run.got < run.size
              ? [h('progress', { max: String(run.size), value: String(run.got) }),
                ' ', t('committee_downloading', { got: formatSize(run.got), size: formatSize(run.size) })]
              : [h('progress', { max: String(Math.max(1, run.total)), value: String(run.done) }),
                ' ', t('committee_checked', { done: run.done, total: run.total }),
                run.workers > 1 ? ` ${t('committee_cores', { n: run.workers })}` : '']))
          : h('button', {
            type: 'button', class: 'btn big primary', 'data-testid': 'committee-open',
            onclick: () => openCount(pv),
          }, t('committee_open_count')),
        run?.error ? h('p', { class: 'error', role: 'alert' }, run.error) : null);
    });
  }

  function panel() {
    const c = state.view.committee;
    const me = memberNumber(state);
    if (!c || me < 0) return h('section', { class: 'panel' }, h('p', { class: 'empty' }, t('committee_not_member')));
    const opened = state.view.polls.filter((pv) => pv.sealed_box?.opened_by.includes(state.me.participant) && !pv.sealed_box.counts);
    return h('section', { 'data-testid': 'committee', 'aria-label': t('tab_committee') },
      h('div', { class: 'panel' }, h('h2', {}, t('committee_title')), ...keyPart(c, me)),
      ...countPart(c),
      ...opened.map((pv) => h('p', { class: 'panel recorded', 'data-testid': 'committee-given' },
        `✔ ${t('committee_given', { title: pv.poll.title, given: pv.sealed_box.opened_by.length, threshold: pv.sealed_box.threshold ?? c.committee.threshold })}`)));
  }

  return { step, panel };
}
