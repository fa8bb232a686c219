// Votes as the chair and the secretariat handle them: the form that prepares a poll with its
// rule, and a card per poll that follows it from draft to published, with turnout, the
// running tally where the hub sends one, the result and its signed exports.

import { confirmDialog, fill, h } from './ui.js';
import { button, pollOptions, say, word } from './staff.js';

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
      h('option', { value: k }, word(`kind.${k}`)),
    ),
  );
  const options = h('textarea', {
    id: id('options'),
    rows: '4',
    placeholder: say('Mỗi dòng một phương án / ứng cử viên', 'One option or candidate a line'),
  });
  const count = h('input', { id: id('count'), type: 'number', min: '1', value: '1' });
  const countLabel = h('label', { for: count.id });
  const preset = h(
    'select',
    { id: id('preset') },
    ...PRESETS.map((p) => h('option', { value: p }, word(`preset.${p}`))),
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
    h('option', { value: '' }, say('Theo quy định của cuộc họp', "The meeting's quorum")),
    h('option', { value: '1/2' }, say('Ít nhất một nửa số được biểu quyết có mặt', 'At least half of the voters present')),
    h('option', { value: '2/3' }, say('Ít nhất hai phần ba số được biểu quyết có mặt', 'At least two thirds of the voters present')),
    h('option', { value: '0/1' }, say('Không kiểm tra số lượng', 'No quorum check')),
  );
  // Who may vote: every member ticked unless untaken; the ids untaken survive a redraw.
  const voters = h('fieldset', { class: 'readers', id: id('eligible') });
  const untaken = new Set();
  voters.addEventListener('change', (e) => {
    if (e.target.type !== 'checkbox') return;
    if (e.target.checked) untaken.delete(e.target.value);
    else untaken.add(e.target.value);
  });
  const optionsField = field(say('Phương án', 'Options'), options, 'wide');
  const countField = h('div', { class: 'field' }, countLabel, count);
  const check = (input, label) => h('label', { class: 'check', for: input.id }, input, ' ', label);
  const error = h('p', { class: 'form-error', role: 'alert' });

  const shape = () => {
    const k = kind.value;
    optionsField.hidden = k === 'motion';
    countField.hidden = k === 'motion' || k === 'single_choice';
    countLabel.textContent =
      k === 'election' ? say('Số người được bầu', 'Seats') : say('Chọn tối đa', 'Choices at most');
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
    h('h3', { id: id('form-h') }, say('Chuẩn bị biểu quyết', 'Prepare a vote')),
    field(say('Nội dung biểu quyết', 'Title'), title, 'wide'),
    h('div', { class: 'row' }, field(say('Hình thức', 'Kind'), kind), countField),
    optionsField,
    h('div', { class: 'row' }, field(say('Nguyên tắc thông qua', 'Rule'), preset), field(say('Thời gian (phút, 0 = không đếm ngược)', 'Countdown (minutes, 0 = none)'), duration)),
    field(say('Thuộc nội dung', 'Agenda item'), item, 'wide'),
    field(say('Điều kiện số lượng để mở', 'Quorum to open'), quorum, 'wide'),
    h('details', { class: 'eligible' }, h('summary', {}, say('Người được biểu quyết (mặc định: tất cả đại biểu)', 'Who may vote (default: every member)')), voters),
    h(
      'div',
      { class: 'checks' },
      check(secret, say('Bỏ phiếu kín', 'Secret ballot')),
      check(allowChange, say('Cho phép sửa phiếu', 'Ballots may change')),
      check(showRunning, say('Hiện kết quả tạm thời', 'Show the running tally')),
    ),
    error,
    h('button', { type: 'submit', class: 'btn primary', id: id('create') }, say('Tạo biểu quyết', 'Create the vote')),
  );
  element.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const poll = spec();
    if (!poll.title) {
      error.textContent = say('Nhập nội dung biểu quyết.', 'Enter a title.');
      return;
    }
    if (poll.eligible && !poll.eligible.length) {
      error.textContent = say('Cần ít nhất một người được biểu quyết.', 'At least one voter.');
      return;
    }
    if (poll.kind.type !== 'motion' && (poll.kind.options || poll.kind.candidates).length < 2) {
      error.textContent = say('Cần ít nhất hai phương án, mỗi dòng một.', 'At least two options, one a line.');
      return;
    }
    const submit = element.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await send({ op: 'create_poll', poll });
      title.value = '';
      options.value = '';
      untaken.clear();
      quorum.value = '';
      refresh(state.view);
    } catch (err) {
      error.textContent = err?.message || word('failed');
    } finally {
      submit.disabled = false;
    }
  });
  shape();

  const refresh = (view) => {
    const chosen = picked ? item.value : '';
    const current = view.agenda.find((a) => a.status === 'current');
    fill(item, 
      h('option', { value: '' }, say('(cả cuộc họp)', '(the whole meeting)')),
      ...view.agenda.map((a, i) => h('option', { value: a.id }, `${i + 1}. ${a.title}`)),
    );
    item.value = chosen || current?.id || '';
    fill(voters,
      h('legend', {}, say('Người được biểu quyết', 'Voters')),
      ...members().map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: p.id, checked: !untaken.has(p.id) }), ' ', p.name)),
    );
  };
  if (state.view) refresh(state.view);
  return { element, refresh };
}

function ruleText(poll) {
  const base = {
    valid_ballots: say('số phiếu hợp lệ', 'valid ballots'),
    present: say('số đại biểu có mặt', 'members present'),
    summoned: say('số đại biểu được triệu tập', 'members summoned'),
  }[poll.base];
  const t = poll.threshold;
  const share =
    t === 'more_than_half'
      ? say('Quá nửa', 'More than half of')
      : t === 'two_thirds'
        ? say('Từ hai phần ba', 'At least two thirds of')
        : t;
  return `${share} ${base}`;
}

/**
 * One poll, as the chair or the secretariat sees it, with what can be done with it now.
 * `extra` (the desk's paper ballots and votes on behalf) is placed in the card as given,
 * so that what is typed in it survives the card's redraw.
 */
export function pollCard(pv, view, send, meetingId = view.meeting.id, extra = null) {
  const poll = pv.poll;
  const opts = pollOptions(poll);
  const item = poll.item ? view.agenda.find((a) => a.id === poll.item) : null;
  const act = (op) => () => send({ op, poll: poll.id });
  const actions = [];
  const election = poll.kind.type === 'election';
  if (pv.status === 'draft')
    actions.push(button(election ? say('Mở bầu cử', 'Open the election') : say('Mở biểu quyết', 'Open the vote'),
      act('open_poll'), 'primary open-poll', view.meeting.status !== 'in_session'));
  if (pv.status === 'open')
    actions.push(button(election ? say('Kết thúc bầu cử', 'Close the election') : say('Kết thúc biểu quyết', 'Close the vote'),
      async () => {
        // Closing counts at once and cannot be undone: say how many have voted first.
        const turnout = say(`Đã có ${pv.ballots_in}/${pv.eligible} phiếu. Kết thúc và kiểm phiếu ngay?`,
          `${pv.ballots_in} of ${pv.eligible} have voted. Close and count now?`);
        if (await confirmDialog(poll.title, turnout)) await act('close_poll')();
      }, 'primary close-poll'));
  if (pv.status === 'closed') actions.push(button(say('Công bố kết quả', 'Publish the result'), act('publish_poll'), 'primary publish-poll'));
  if (['draft', 'open', 'closed'].includes(pv.status))
    actions.push(
      button(
        say('Hủy', 'Cancel'),
        async () => {
          if (await confirmDialog(say('Hủy biểu quyết?', 'Cancel the vote?'), poll.title)) await act('cancel_poll')();
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
        h('span', {}, say('Đã bỏ phiếu', 'Voted')),
        h('progress', { max: String(Math.max(1, pv.eligible)), value: String(pv.ballots_in) }),
        h('strong', { class: 'turnout-count' }, `${pv.ballots_in}/${pv.eligible}`),
        pv.status === 'open' && pv.closes_at ? h('span', { class: 'poll-countdown', 'data-until': String(pv.closes_at) }) : null,
      ),
    );
  }
  if (pv.result) body.push(resultTable(pv, opts));
  else if (pv.tallies) body.push(tallyBars(pv.tallies, opts, Math.max(1, pv.ballots_in), 'running'));
  else if (pv.status === 'open' && poll.secret)
    body.push(h('p', { class: 'hint' }, say('Bỏ phiếu kín: kết quả chỉ có khi kết thúc.', 'Secret ballot: no tally before the close.')));
  if (pv.result) {
    const base = `/api/v1/meetings/${meetingId}/polls/${poll.id}`;
    body.push(
      h(
        'div',
        { class: 'exports' },
        say('Tải kết quả (có chữ ký số): ', 'Signed result: '),
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
      h('span', { class: `chip poll-status-${pv.status}` }, word(`poll.${pv.status}`)),
    ),
    h(
      'p',
      { class: 'meta' },
      [word(`kind.${poll.kind.type}`), poll.secret ? say('bỏ phiếu kín', 'secret') : say('công khai', 'open ballot'), ruleText(poll), item ? item.title : null]
        .filter(Boolean)
        .join(' · '),
    ),
    ...body,
    extra,
    actions.length ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

function tallyBars(tallies, opts, of, cls, marks = []) {
  return h(
    'table',
    { class: `tally ${cls}` },
    h('tbody', {}, ...opts.map((name, i) => {
      const n = tallies[i] ?? 0;
      const pct = Math.round((n * 100) / of);
      return h(
        'tr',
        { class: marks.includes(i) ? 'elected' : '' },
        h('th', { scope: 'row' }, name),
        h('td', { class: 'bar' }, h('span', { style: `width:${Math.min(100, pct)}%` })),
        h('td', { class: 'n' }, `${n}`),
        h('td', { class: 'pct' }, `${pct}%`),
      );
    })),
  );
}

function resultTable(pv, opts) {
  const r = pv.result;
  const type = pv.poll.kind.type;
  const verdict =
    type === 'election' || type === 'multiple_choice'
      ? r.elected.length
        ? type === 'election'
          ? say(`Trúng cử: ${r.elected.map((i) => opts[i]).join(', ')}`, `Elected: ${r.elected.map((i) => opts[i]).join(', ')}`)
          : say(`Được chọn: ${r.elected.map((i) => opts[i]).join(', ')}`, `Chosen: ${r.elected.map((i) => opts[i]).join(', ')}`)
        : say('Không ai đạt số phiếu cần thiết', 'Nobody reached the threshold')
      : r.passed
        ? say('Được thông qua', 'Passed')
        : say('Không được thông qua', 'Not passed');
  return h(
    'div',
    { class: 'result' },
    h('p', { class: `verdict ${r.passed ? 'passed' : 'failed'}` }, verdict),
    r.tied.length
      ? h('p', { class: 'tied' }, say(`Bằng phiếu ở vị trí cuối: ${r.tied.map((i) => opts[i]).join(', ')} — cần bầu lại`, `Tied for the last seat: ${r.tied.map((i) => opts[i]).join(', ')}: a new round decides`))
      : null,
    tallyBars(r.tallies, opts, Math.max(1, r.base_count), 'final', r.elected),
    h(
      'p',
      { class: 'meta' },
      say(
        `Triệu tập ${r.summoned} · có mặt ${r.present} · phiếu thu về ${r.ballots} · hợp lệ ${r.valid} · không hợp lệ ${r.invalid} · tính trên ${r.base_count}`,
        `Summoned ${r.summoned} · present ${r.present} · ballots ${r.ballots} · valid ${r.valid} · invalid ${r.invalid} · measured against ${r.base_count}`,
      ),
      r.proxy ? say(` · trong đó ${r.proxy} phiếu thư ký bỏ hộ`, ` · of which ${r.proxy} recorded on behalf by the secretariat`) : '',
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
  const opts = pollOptions(poll);
  const pid = `poll-${poll.id}`;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const number = (id, label) => {
    const input = h('input', { id: `${pid}-${id}`, type: 'number', min: '0', value: '0', class: 'count' });
    return { input, field: h('div', { class: 'field' }, h('label', { for: input.id }, label), input) };
  };
  if (poll.secret) {
    const valid = number('paper-valid', say('Phiếu hợp lệ', 'Valid ballots'));
    const invalid = number('paper-invalid', say('Phiếu không hợp lệ', 'Invalid ballots'));
    const counts = opts.map((name, i) => number(`paper-${i}`, name));
    const form = h(
      'form',
      { class: 'paper-ballots desk-form', 'data-paper': poll.id },
      h('h4', {}, say('Cộng phiếu giấy kiểm tại hội trường', 'Add the paper ballots counted in the hall')),
      h('div', { class: 'row' }, valid.field, invalid.field),
      h('div', { class: 'row' }, ...counts.map((c) => c.field)),
      error,
      h('button', { type: 'submit', class: 'btn primary' }, say('Cộng vào kết quả', 'Add to the count')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      const n = (input) => Number(input.value);
      const all = [valid.input, invalid.input, ...counts.map((c) => c.input)];
      if (all.some((input) => input.value === '' || !Number.isInteger(n(input)) || n(input) < 0)) {
        error.textContent = say('Mỗi ô là một số nguyên không âm.', 'Each box takes a whole number, 0 or more.');
        return;
      }
      if (n(valid.input) + n(invalid.input) === 0) {
        error.textContent = say('Chưa có phiếu nào để cộng.', 'No ballots to add.');
        return;
      }
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        await send({ op: 'record_paper_ballots', poll: poll.id, valid: n(valid.input), invalid: n(invalid.input), tallies: counts.map((c) => n(c.input)) });
        for (const input of all) input.value = '0';
      } catch (err) {
        error.textContent = err?.message || word('failed');
      } finally {
        submit.disabled = false;
      }
    });
    return { element: h('details', { class: 'poll-tools' }, h('summary', {}, say('Phiếu giấy', 'Paper ballots')), form), refresh() {} };
  }
  const who = h('select', { id: `${pid}-behalf-who` });
  const one = poll.kind.type === 'motion' || poll.kind.type === 'single_choice';
  const choices = h(
    'fieldset',
    { class: 'behalf-choices' },
    h('legend', {}, say('Lựa chọn', 'Choice')),
    ...opts.map((name, i) => h('label', { class: 'check' }, h('input', { type: one ? 'radio' : 'checkbox', name: `${pid}-behalf`, value: String(i) }), ' ', name)),
  );
  const form = h(
    'form',
    { class: 'on-behalf desk-form', 'data-behalf': poll.id },
    h('h4', {}, say('Ghi phiếu hộ đại biểu không có máy tính bảng', 'Record a ballot for a member without a tablet')),
    h('div', { class: 'field wide' }, h('label', { for: who.id }, say('Đại biểu', 'Member')), who),
    choices,
    error,
    h('button', { type: 'submit', class: 'btn primary' }, say('Ghi phiếu hộ', 'Record on their behalf')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const picked = [...choices.querySelectorAll('input:checked')].map((c) => Number(c.value));
    if (!who.value) {
      error.textContent = say('Chọn đại biểu.', 'Choose the member.');
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await send({ op: 'cast_ballot', poll: poll.id, choices: picked, on_behalf_of: who.value });
      for (const c of choices.querySelectorAll('input')) c.checked = false;
      who.value = '';
    } catch (err) {
      error.textContent = err?.message || word('failed');
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
    fill(who, h('option', { value: '' }, say('— chọn —', '— choose —')), ...left.map((p) => h('option', { value: p.id }, p.seat ? `${p.seat} · ${p.name}` : p.name)));
    who.value = left.some((p) => p.id === chosen) ? chosen : '';
  };
  return { element: h('details', { class: 'poll-tools' }, h('summary', {}, say('Phiếu bỏ hộ', 'Ballots on behalf')), form), refresh };
}
