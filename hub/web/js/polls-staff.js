// Votes as the chair and the secretariat handle them: the form that prepares a poll with its
// rule, and a card per poll that follows it from draft to published, with turnout, the
// running tally where the hub sends one, the result and its signed exports.

import { t } from './i18n.js';
import { confirmDialog, fill, fillChanged, h, optionLabels, refusal } from './ui.js';
import { formatNumber, formatPercent } from './format.js';
import { button } from './staff.js';

const PRESETS = [
  'majority_of_summoned',
  'majority_of_present',
  'majority_of_valid',
  'two_thirds_of_present',
  'two_thirds_of_summoned',
];

/**
 * The form preparing a poll in draft. `refresh(view)` keeps its agenda choices current
 * without losing what has been typed.
 */
export function pollForm({ state, send, idPrefix }) {
  const id = (name) => `${idPrefix}-poll-${name}`;
  const field = (label, input, extra = '') =>
    h('div', { class: `field ${extra}`.trim() }, h('label', { for: input.id }, label), input);
  const title = h('input', { id: id('title'), type: 'text', maxlength: '500', required: true });
  const kind = h(
    'select',
    { id: id('kind') },
    ...['motion', 'single_choice', 'multiple_choice', 'election'].map((k) =>
      h('option', { value: k }, t(`poll_kind_${k}`)),
    ),
  );
  const options = h('textarea', {
    id: id('options'),
    rows: '4',
    placeholder: t('pf_options_placeholder'),
  });
  const count = h('input', { id: id('count'), type: 'number', min: '1', value: '1' });
  const countLabel = h('label', { for: count.id });
  const preset = h(
    'select',
    { id: id('preset') },
    ...PRESETS.map((p) => h('option', { value: p }, t(`preset_${p}`))),
  );
  const item = h('select', { id: id('item') });
  // The item follows the one under discussion until the chair picks one by hand.
  let picked = false;
  item.addEventListener('change', () => { picked = true; });
  const duration = h('input', { id: id('duration'), type: 'number', min: '0', max: '1440', value: '0' });
  const secret = h('input', { id: id('secret'), type: 'checkbox' });
  const allowChange = h('input', { id: id('allow-change'), type: 'checkbox' });
  const showRunning = h('input', { id: id('show-running'), type: 'checkbox' });
  const quorum = h(
    'select',
    { id: id('quorum') },
    h('option', { value: '' }, t('pf_quorum_meeting')),
    h('option', { value: '1/2' }, t('pf_quorum_half')),
    h('option', { value: '2/3' }, t('pf_quorum_two_thirds')),
    h('option', { value: '0/1' }, t('pf_quorum_none')),
  );
  // Who may vote: every member ticked unless untaken; the ids untaken survive a redraw.
  const voters = h('fieldset', { class: 'readers', id: id('eligible') });
  const untaken = new Set();
  voters.addEventListener('change', (e) => {
    if (e.target.type !== 'checkbox') return;
    if (e.target.checked) untaken.delete(e.target.value);
    else untaken.add(e.target.value);
  });
  const optionsField = field(t('pf_options'), options, 'wide');
  const countField = h('div', { class: 'field' }, countLabel, count);
  const check = (input, label) => h('label', { class: 'check', for: input.id }, input, ' ', label);
  const error = h('p', { class: 'form-error', role: 'alert' });

  const shape = () => {
    const k = kind.value;
    optionsField.hidden = k === 'motion';
    countField.hidden = k === 'motion' || k === 'single_choice';
    countLabel.textContent =
      k === 'election' ? t('pf_seats') : t('pf_max_choices');
    preset.value = k === 'election' ? 'majority_of_valid' : 'majority_of_summoned';
    // The hub refuses a changeable ballot or a running tally in a secret vote.
    allowChange.disabled = secret.checked;
    showRunning.disabled = secret.checked;
    if (secret.checked) allowChange.checked = showRunning.checked = false;
  };
  kind.addEventListener('change', shape);
  secret.addEventListener('change', () => {
    allowChange.disabled = showRunning.disabled = secret.checked;
    if (secret.checked) allowChange.checked = showRunning.checked = false;
  });

  const members = () => (state.view?.participants || []).filter((p) => p.role === 'chair' || p.role === 'delegate');
  // `null` (every member) unless some were untaken.
  const eligibleIds = () => {
    const all = members().map((p) => p.id);
    return all.some((p) => untaken.has(p)) ? all.filter((p) => !untaken.has(p)) : null;
  };
  const spec = () => {
    const k = kind.value;
    const list = options.value
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const n = Math.max(1, Math.round(Number(count.value) || 1));
    const kinds = {
      motion: { type: 'motion' },
      single_choice: { type: 'single_choice', options: list },
      multiple_choice: { type: 'multiple_choice', options: list, max: n },
      election: { type: 'election', candidates: list, seats: n },
    };
    const minutes = Number(duration.value) || 0;
    return {
      title: title.value.trim(),
      item: item.value || null,
      kind: kinds[k],
      secret: secret.checked,
      preset: preset.value,
      allow_change: allowChange.checked,
      show_running: showRunning.checked,
      quorum: quorum.value || null,
      eligible: eligibleIds(),
      duration_secs: minutes > 0 ? Math.round(minutes * 60) : null,
    };
  };

  const element = h(
    'form',
    { class: 'poll-form', id: id('form'), 'aria-labelledby': id('form-h') },
    h('h3', { id: id('form-h') }, t('pf_heading')),
    field(t('pf_title'), title, 'wide'),
    h('div', { class: 'row' }, field(t('pf_kind'), kind), countField),
    optionsField,
    h('div', { class: 'row' }, field(t('pf_rule'), preset), field(t('pf_duration'), duration)),
    field(t('agenda_item_of'), item, 'wide'),
    field(t('pf_quorum'), quorum, 'wide'),
    h('details', { class: 'eligible' }, h('summary', {}, t('pf_eligible_summary')), voters),
    h(
      'div',
      { class: 'checks' },
      check(secret, t('vote_secret')),
      check(allowChange, t('pf_allow_change')),
      check(showRunning, t('pf_show_running')),
    ),
    error,
    h('button', { type: 'submit', class: 'btn primary', id: id('create') }, t('pf_create')),
  );
  element.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const poll = spec();
    if (!poll.title) {
      error.textContent = t('pf_need_title');
      return;
    }
    if (poll.eligible && !poll.eligible.length) {
      error.textContent = t('pf_need_voter');
      return;
    }
    if (poll.kind.type !== 'motion' && (poll.kind.options || poll.kind.candidates).length < 2) {
      error.textContent = t('pf_need_options');
      return;
    }
    const submit = element.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await send({ op: 'create_poll', poll });
      title.value = '';
      options.value = '';
      untaken.clear();
      for (const c of voters.querySelectorAll('input[type=checkbox]')) c.checked = true;
      quorum.value = '';
      refresh(state.view);
    } catch (err) {
      fill(error, refusal(err));
    } finally {
      submit.disabled = false;
    }
  });
  shape();

  const refresh = (view) => {
    const chosen = picked ? item.value : '';
    const current = view.agenda.find((a) => a.status === 'current');
    fill(item, 
      h('option', { value: '' }, t('agenda_whole_meeting')),
      ...view.agenda.map((a, i) => h('option', { value: a.id }, `${i + 1}. ${a.title}`)),
    );
    item.value = chosen || current?.id || '';
    // A list of every member: drawn again only when the members change, not on each ballot.
    const list = members();
    fillChanged(voters, JSON.stringify(list.map((p) => [p.id, p.name])), () => [
      h('legend', {}, t('pf_voters')),
      ...list.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: !untaken.has(p.id) }), ' ', p.name)),
    ]);
  };
  if (state.view) refresh(state.view);
  return { element, refresh };
}

function ruleText(poll) {
  const th = poll.threshold;
  const share = th === 'more_than_half' || th === 'two_thirds' ? t(`rule_share_${th}`) : t('rule_share_written', { threshold: th });
  return `${share} ${t(`rule_base_${poll.base}`)}`;
}

/**
 * One poll, as the chair or the secretariat sees it, with what can be done with it now.
 * `extra` (the desk's paper ballots and votes on behalf) is placed in the card as given,
 * so that what is typed in it survives the card's redraw.
 */
export function pollCard(pv, view, send, meetingId = view.meeting.id, extra = null) {
  const poll = pv.poll;
  const opts = optionLabels(pv);
  const item = poll.item ? view.agenda.find((a) => a.id === poll.item) : null;
  const act = (op) => () => send({ op, poll: poll.id });
  const actions = [];
  const election = poll.kind.type === 'election';
  if (pv.status === 'draft')
    actions.push(button(election ? t('pc_open_election') : t('pc_open_vote'),
      act('open_poll'), 'primary open-poll', view.meeting.status !== 'in_session'));
  if (pv.status === 'open')
    actions.push(button(election ? t('pc_close_election') : t('pc_close_vote'),
      async () => {
        // Closing counts at once and cannot be undone: say how many have voted first.
        const turnout = t('pc_close_confirm', { n: formatNumber(pv.ballots_in), of: formatNumber(pv.eligible) });
        if (await confirmDialog(poll.title, turnout)) await act('close_poll')();
      }, 'primary close-poll'));
  // A secret poll is published once its box is opened (the result is there).
  if (pv.status === 'closed') actions.push(button(t('pc_publish'), act('publish_poll'), 'primary publish-poll', !pv.result));
  if ((pv.status === 'closed' || pv.status === 'published') && pv.result?.tied.length && !view.polls.some((o) => o.poll.runoff?.of === poll.id))
    actions.push(button(t('pc_runoff'), async () => {
      const names = pv.result.tied.map((i) => opts[i]).join(', ');
      if (await confirmDialog(t('pc_runoff'), t('pc_runoff_confirm', { names }))) await act('start_runoff')();
    }, 'primary start-runoff'));
  if (['draft', 'open', 'closed'].includes(pv.status))
    actions.push(
      button(
        t('pc_cancel'),
        async () => {
          if (await confirmDialog(t('pc_cancel_confirm'), poll.title)) await act('cancel_poll')();
        },
        'quiet cancel-poll',
      ),
    );
  const body = [];
  if (pv.status === 'open' || pv.status === 'closed' || pv.status === 'published') {
    body.push(
      h(
        'div',
        { class: 'turnout', role: 'status', 'aria-live': 'polite' },
        h('span', {}, t('pc_voted')),
        h('progress', { max: String(Math.max(1, pv.eligible)), value: String(pv.ballots_in) }),
        h('strong', { class: 'turnout-count' }, `${formatNumber(pv.ballots_in)}/${formatNumber(pv.eligible)}`),
        pv.status === 'open' && pv.closes_at ? h('span', { class: 'poll-countdown', 'data-until': String(pv.closes_at) }) : null,
      ),
    );
  }
  if (pv.sealed_box && !pv.sealed_box.counts) body.push(sealedBoxStatus(pv, view));
  if (pv.result) body.push(resultTable(pv, opts));
  else if (pv.tallies) body.push(tallyBars(pv.tallies, opts, pv.ballots_in, 'running'));
  else if (pv.status === 'open' && poll.secret) body.push(h('p', { class: 'hint' }, t('pc_secret_hint')));
  if (pv.result) {
    const base = `/api/v1/meetings/${meetingId}/polls/${poll.id}`;
    body.push(
      h(
        'div',
        { class: 'exports' },
        `${t('pc_signed_result')} `,
        ...['result.json', 'result.json.sig', 'result.csv', 'result.csv.sig'].map((f) =>
          h('a', { href: `${base}/${f}`, download: f }, f),
        ),
      ),
    );
  }
  return h(
    'article',
    { class: `poll-card poll-${pv.status}`, 'data-poll': poll.id, 'aria-label': poll.title },
    h(
      'div',
      { class: 'poll-head' },
      h('h3', {}, poll.title),
      h('span', { class: `chip poll-status-${pv.status}` }, t(`poll_status_${pv.status}`)),
    ),
    h(
      'p',
      { class: 'meta' },
      [t(`poll_kind_${poll.kind.type}`), poll.secret ? t('pc_secret') : t('pc_open_ballot'), ruleText(poll), item ? item.title : null]
        .filter(Boolean)
        .join(' · '),
    ),
    ...body,
    extra,
    actions.length ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

/** A closed secret poll waiting for the committee: how many members have opened the count,
 *  and what to do when too few of them can. */
function sealedBoxStatus(pv, view) {
  const b = pv.sealed_box;
  const c = view.committee?.committee.id === pv.sealed?.committee ? view.committee.committee : null;
  const threshold = b.threshold ?? c?.threshold ?? 0;
  const name = (id) => view.participants?.find((p) => p.id === id)?.name ?? id;
  return h('div', { class: 'sealed-box', role: 'status', 'data-testid': 'sealed-box' },
    h('p', {}, t('pc_box_opened_by', { given: b.opened_by.length, threshold, ballots: formatNumber(b.ballots) })),
    b.opened_by.length ? h('p', { class: 'meta' }, b.opened_by.map(name).join(', ')) : null,
    h('p', { class: 'hint' }, t('pc_box_hint')));
}

/** A bar per option with its count and its share of `of` (the ballots in, or the count
 *  the rule measures against). */
function tallyBars(tallies, opts, of, cls, marks = []) {
  return h(
    'table',
    { class: `tally ${cls}` },
    h('tbody', {}, ...opts.map((name, i) => {
      const n = tallies[i] ?? 0;
      const width = of > 0 ? Math.min(100, Math.round((n * 100) / of)) : 0;
      return h(
        'tr',
        { class: marks.includes(i) ? 'elected' : '' },
        h('th', { scope: 'row' }, name),
        h('td', { class: 'bar' }, h('span', { style: `width:${width}%` })),
        h('td', { class: 'n' }, formatNumber(n)),
        h('td', { class: 'pct' }, formatPercent(n, of)),
      );
    })),
  );
}

/** The counted result: the verdict (a tie at the last seat named as a tie), a bar per
 *  option, and the counts. */
export function resultTable(pv, opts) {
  const r = pv.result;
  const type = pv.poll.kind.type;
  const names = (list) => list.map((i) => opts[i]).join(', ');
  const verdict =
    type === 'election' || type === 'multiple_choice'
      ? r.elected.length
        ? type === 'election'
          ? t('pc_elected', { names: names(r.elected) })
          : t('pc_chosen', { names: names(r.elected) })
        : r.tied.length ? null : t('pc_nobody_passed')
      : r.passed
        ? t('pc_passed')
        : t('pc_not_passed');
  const n = formatNumber;
  return h(
    'div',
    { class: 'result' },
    verdict ? h('p', { class: `verdict ${r.passed ? 'passed' : 'failed'}` }, verdict) : null,
    r.tied.length ? h('p', { class: 'tied', 'data-testid': 'poll-tied' }, t('pc_tied', { names: names(r.tied) })) : null,
    tallyBars(r.tallies, opts, r.base_count, 'final', r.elected),
    h(
      'p',
      { class: 'meta' },
      t('pc_counts', { summoned: n(r.summoned), present: n(r.present), ballots: n(r.ballots), valid: n(r.valid), invalid: n(r.invalid), base: n(r.base_count) }),
      r.proxy ? t('pc_counts_proxy', { n: n(r.proxy) }) : '',
    ),
  );
}

/**
 * The secretariat's tools on an open poll: on a secret poll, the counts of the paper
 * ballots counted in the hall; on an open one, a member's choice recorded on their behalf
 * (the hub marks that ballot as such). `{element, refresh(pv, view)}`; what is typed
 * survives a refresh.
 */
export function pollTools(pv, send) {
  const poll = pv.poll;
  const opts = optionLabels(pv);
  const pid = `poll-${poll.id}`;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const number = (id, label) => {
    const input = h('input', { id: `${pid}-${id}`, type: 'number', min: '0', value: '0', class: 'count' });
    return { input, field: h('div', { class: 'field' }, h('label', { for: input.id }, label), input) };
  };
  if (poll.secret) {
    const valid = number('paper-valid', t('paper_valid'));
    const invalid = number('paper-invalid', t('paper_invalid'));
    const counts = opts.map((name, i) => number(`paper-${i}`, name));
    const form = h(
      'form',
      { class: 'paper-ballots desk-form', 'data-paper': poll.id },
      h('h4', {}, t('paper_heading')),
      h('div', { class: 'row' }, valid.field, invalid.field),
      h('div', { class: 'row' }, ...counts.map((c) => c.field)),
      error,
      h('button', { type: 'submit', class: 'btn primary' }, t('paper_add')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      fill(error);
      const n = (input) => Number(input.value);
      const all = [valid.input, invalid.input, ...counts.map((c) => c.input)];
      if (all.some((input) => input.value === '' || !Number.isInteger(n(input)) || n(input) < 0)) {
        error.textContent = t('paper_need_whole_numbers');
        return;
      }
      if (n(valid.input) + n(invalid.input) === 0) {
        error.textContent = t('paper_need_ballots');
        return;
      }
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        await send({ op: 'record_paper_ballots', poll: poll.id, valid: n(valid.input), invalid: n(invalid.input), tallies: counts.map((c) => n(c.input)) });
        for (const input of all) input.value = '0';
      } catch (err) {
        fill(error, refusal(err));
      } finally {
        submit.disabled = false;
      }
    });
    return { element: h('details', { class: 'poll-tools' }, h('summary', {}, t('paper_summary')), form), refresh() {} };
  }
  const who = h('select', { id: `${pid}-behalf-who` });
  // One choice (radio buttons) or several (boxes), by the bounds the hub sent.
  const one = pv.choices.max === 1;
  const choices = h(
    'fieldset',
    { class: 'behalf-choices' },
    h('legend', {}, t('behalf_choice')),
    ...opts.map((name, i) => h('label', { class: 'check' }, h('input', { type: one ? 'radio' : 'checkbox', name: `${pid}-behalf`, value: String(i) }), ' ', name)),
  );
  const form = h(
    'form',
    { class: 'on-behalf desk-form', 'data-behalf': poll.id },
    h('h4', {}, t('behalf_heading')),
    h('div', { class: 'field wide' }, h('label', { for: who.id }, t('behalf_member')), who),
    choices,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, t('behalf_record')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const picked = [...choices.querySelectorAll('input:checked')].map((c) => Number(c.value));
    if (!who.value) {
      error.textContent = t('behalf_need_member');
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await send({ op: 'cast_ballot', poll: poll.id, choices: picked, on_behalf_of: who.value });
      for (const c of choices.querySelectorAll('input')) c.checked = false;
      who.value = '';
    } catch (err) {
      fill(error, refusal(err));
    } finally {
      submit.disabled = false;
    }
  });
  const refresh = (pv2, view) => {
    // Those who may vote and have not: the members present, on the poll's list if it has one.
    const chosen = who.value;
    const voted = new Set(pv2.voters || []);
    const present = new Set(view.attendance.present_ids);
    const may = pv2.poll.eligible ? new Set(pv2.poll.eligible) : null;
    const left = view.participants.filter((p) => (p.role === 'chair' || p.role === 'delegate') && present.has(p.id) && !voted.has(p.id) && (!may || may.has(p.id)));
    // Drawn again only when that list changes (each ballot takes one name out of it).
    const drawn = fillChanged(who, JSON.stringify(left.map((p) => [p.id, p.seat, p.name])), () => [
      h('option', { value: '' }, t('behalf_choose')),
      ...left.map((p) => h('option', { value: p.id }, p.seat ? `${p.seat} · ${p.name}` : p.name)),
    ]);
    if (drawn) who.value = left.some((p) => p.id === chosen) ? chosen : '';
  };
  return { element: h('details', { class: 'poll-tools' }, h('summary', {}, t('behalf_summary')), form), refresh };
}
