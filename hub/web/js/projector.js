// The hall's screen: the current item, who speaks and the time left, turnout during a
// vote, and the published result as a bar chart large enough to read from the back of
// the hall. Dark, high contrast, sized in viewport units so it fills any projector.

import { t } from './i18n.js';
import { h, svg, fill, statusBadge, nameOf, optionLabels, useStyle } from './ui.js';
import { formatDuration, formatNumber, formatPercent } from './format.js';
import { keyCode } from './key-code.js';

export function mount(root, { connection, state }) {
  useStyle('/css/projector.css');
  document.body.classList.add('projector-body');
  const head = h('header', { class: 'proj-head' });
  const stage = h('main', { class: 'proj-stage', 'aria-live': 'polite' });
  const foot = h('footer', { class: 'proj-foot' });
  const badge = statusBadge(connection);
  fill(root, head, stage, foot);
  let ticker = null;

  const draw = () => {
    clearInterval(ticker);
    const v = state.view;
    const item = state.currentItem();
    fill(head,
      h('div', { class: 'proj-meeting' }, v.meeting.title),
      badge);
    const open = state.openPoll();
    // The last published result stays up until the next poll opens or the item changes.
    const published = [...v.polls].reverse().find((p) => p.status === 'published' && (!item || !p.poll.item || p.poll.item === item.id));
    const parts = [
      h('section', { class: 'proj-item', 'data-testid': 'proj-item' },
        h('div', { class: 'proj-label' }, t('proj_current')),
        h('h1', {}, item ? item.title : t('proj_no_item'))),
    ];
    // A vote under way first, then a sealed box being opened, then whoever has the floor,
    // then the last result.
    const opening = v.polls.find((p) => p.status === 'closed' && p.sealed_box && !p.sealed_box.counts);
    if (open) parts.push(turnout(open));
    else if (opening && !v.speakers.speaking) parts.push(counting(opening, v));
    else if (v.speakers.speaking || !published) parts.push(speaker(state));
    else parts.push(resultChart(published));
    fill(stage, parts);
    const a = v.attendance;
    // The committee's key, for the hall to compare with the tablets' and the members' codes.
    const code = v.committee?.status === 'ready' ? keyCode(v.committee.key, draw) : null;
    fill(foot,
      code ? h('span', { 'data-testid': 'proj-key-code' }, t('key_code'), ' ', h('strong', {}, code)) : null,
      h('span', { 'data-testid': 'proj-attendance' }, t('proj_attendance', { present: formatNumber(a.present), summoned: formatNumber(a.summoned) })),
      h('span', { class: a.quorum_reached ? 'ok' : 'warn' }, a.quorum_reached ? t('proj_quorum_ok', { quorum: a.quorum }) : t('proj_quorum_no', { quorum: a.quorum })));
    // Count down between events: the hub does not send a tick (§1.9.1).
    const countdown = stage.querySelector('[data-deadline]');
    if (countdown) {
      const tick = () => {
        const left = Number(countdown.dataset.deadline) - Date.now();
        countdown.textContent = formatDuration(Math.max(left, -5999000));
        countdown.classList.toggle('over', left < 0);
      };
      tick();
      ticker = setInterval(tick, 250);
    }
  };
  state.addEventListener('change', draw);
  addEventListener('hub-lang', draw);
  draw();
  return { stop() { clearInterval(ticker); state.removeEventListener('change', draw); } };
}

function speaker(state) {
  const s = state.view.speakers;
  const now = s.speaking;
  const item = state.currentItem();
  const waiting = s.queue.filter((q) => !item || q.item === item.id).slice(0, 3).map((q) => nameOf(state, q.participant));
  if (!now) {
    return h('section', { class: 'proj-speaker idle' },
      waiting.length ? h('div', { class: 'proj-next' }, t('proj_next', { names: waiting.join(', ') })) : null);
  }
  const who = state.participant(now.participant);
  return h('section', { class: 'proj-speaker', 'data-testid': 'proj-speaker' },
    h('div', { class: 'proj-label' }, t('proj_speaking')),
    h('div', { class: 'proj-name' }, who?.name ?? '—'),
    who ? h('div', { class: 'proj-sub' }, [who.position, who.unit].filter(Boolean).join(' · ')) : null,
    now.limit_secs > 0 ? h('div', { class: 'proj-label clock-label' }, t('proj_time_left')) : null,
    now.limit_secs > 0 ? h('div', { class: 'proj-clock', 'data-testid': 'proj-clock', 'data-deadline': String(now.started_at + now.limit_secs * 1000) }) : null,
    waiting.length ? h('div', { class: 'proj-next' }, t('proj_next', { names: waiting.join(', ') })) : null);
}

function turnout(pv) {
  const pct = pv.eligible ? Math.round((100 * pv.ballots_in) / pv.eligible) : 0;
  return h('section', { class: 'proj-vote', 'data-testid': 'proj-turnout' },
    h('div', { class: 'proj-label' }, t('proj_vote_open')),
    h('h2', {}, pv.poll.title),
    h('div', { class: 'proj-big' }, `${formatNumber(pv.ballots_in)}/${formatNumber(pv.eligible)}`),
    h('div', { class: 'meter', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(pv.eligible), 'aria-valuenow': String(pv.ballots_in) },
      h('div', { class: 'meter-fill', style: { width: `${pct}%` } })),
    h('div', { class: 'proj-sub' }, `${t('proj_turnout')}: ${formatPercent(pv.ballots_in, pv.eligible)}`),
    pv.closes_at ? h('div', { class: 'proj-clock', 'data-deadline': String(pv.closes_at) }) : null);
}

/** A closed secret poll whose box the Ban kiểm phiếu is opening: how many have. */
function counting(pv, v) {
  const b = pv.sealed_box;
  const threshold = b.threshold ?? v.committee?.committee.threshold ?? 0;
  return h('section', { class: 'proj-vote', 'data-testid': 'proj-counting' },
    h('div', { class: 'proj-label' }, t('proj_counting')),
    h('h2', {}, pv.poll.title),
    h('div', { class: 'proj-big' }, `${formatNumber(b.opened_by.length)}/${formatNumber(threshold)}`),
    h('div', { class: 'proj-sub' }, t('proj_box_opened_by', { given: b.opened_by.length, threshold })));
}

/** The result as horizontal bars: one per option, the count and share at its end. */
function resultChart(pv) {
  const r = pv.result;
  const labels = optionLabels(pv);
  const max = Math.max(1, ...r.tallies);
  const rowH = 90;
  const labelW = 640;
  const barW = 1000;
  const height = labels.length * rowH + 10;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${labelW + barW + 260} ${height}`, role: 'img', 'aria-label': t('proj_result'), 'data-testid': 'proj-chart' },
    labels.map((label, i) => {
      const y = i * rowH + 10;
      const w = Math.max(4, (barW * r.tallies[i]) / max);
      const win = (r.elected ?? []).includes(i);
      return svg('g', {},
        svg('text', { x: labelW - 20, y: y + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'chart-label' }, label),
        svg('rect', { x: labelW, y: y + 12, width: w, height: rowH - 30, rx: 8, class: win ? 'bar win' : 'bar' }),
        svg('text', { x: labelW + w + 20, y: y + rowH / 2, 'dominant-baseline': 'middle', class: 'chart-value' }, `${formatNumber(r.tallies[i])} (${formatPercent(r.tallies[i], r.base_count)})`));
    }));
  const names = (list) => list.map((i) => labels[i]).join(', ');
  const verdict = pv.poll.kind.type === 'election'
    ? h('div', { class: 'verdict' }, r.elected.length ? t('proj_elected', { names: names(r.elected) }) : null,
      r.tied?.length ? h('div', { class: 'proj-sub' }, t('proj_tied', { names: names(r.tied) })) : null)
    : h('div', { class: `verdict ${r.passed ? 'pass' : 'fail'}`, 'data-testid': 'proj-verdict' }, r.passed ? t('proj_passed') : t('proj_not_passed'));
  return h('section', { class: 'proj-result', 'data-testid': 'proj-result' },
    h('div', { class: 'proj-label' }, t('proj_result')),
    h('h2', {}, pv.poll.title),
    chart,
    verdict,
    h('div', { class: 'proj-sub' }, t('proj_ballots', { present: formatNumber(r.present), ballots: formatNumber(r.ballots), valid: formatNumber(r.valid), invalid: formatNumber(r.invalid) })));
}
