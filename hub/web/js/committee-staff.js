// The counting committee (Ban kiểm phiếu) as the chair and the secretariat handle it: name
// its members and how many of them open a count (set_counting_committee), then follow its
// members' devices making the key, round by round, until it is ready (or failed, when a
// new committee must be named). `committeeCard(state, send)` → `{element, refresh(view)}`;
// what is ticked survives a refresh.

import { t } from './i18n.js';
import { h, fill } from './ui.js';

const MEMBER_ROLES = new Set(['chair', 'delegate']);

export function committeeCard(state, send, idPrefix) {
  const id = (name) => `${idPrefix}-committee-${name}`;
  const status = h('div', { class: 'committee-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'committee-status' });
  const picks = h('div', { class: 'committee-members', id: id('members') });
  const threshold = h('input', { id: id('threshold'), type: 'number', min: '1', max: '9', value: '2', class: 'count' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'committee-form desk-form', id: id('form') },
    h('fieldset', {}, h('legend', {}, t('committee_pick_members')), picks),
    h('div', { class: 'field' }, h('label', { for: threshold.id }, t('committee_threshold')), threshold),
    error,
    h('button', { type: 'submit', class: 'btn primary', id: id('set') }, t('committee_set')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const members = [...picks.querySelectorAll('input:checked')].map((i) => i.value);
    const k = Number(threshold.value);
    if (members.length < 1 || members.length > 9 || !Number.isInteger(k) || k < 1 || k > members.length) {
      error.textContent = t('committee_need_members');
      return;
    }
    await send({ op: 'set_counting_committee', members, threshold: k }).catch(() => {});
  });
  const element = h('section', { class: 'panel committee-card', 'aria-labelledby': id('h') },
    h('h2', { id: id('h') }, t('committee_title')), status,
    h('details', { class: 'committee-new' }, h('summary', {}, t('committee_new')), form));

  const name = (view, p) => view.participants.find((x) => x.id === p)?.name ?? p;
  function refresh(view) {
    const c = view.committee;
    if (!c) fill(status, h('p', { class: 'hint' }, t('committee_none')));
    else {
      const members = c.committee.members.map((p) => name(view, p));
      fill(status,
        h('p', {}, t('committee_members', { names: members.join(', '), threshold: c.committee.threshold, of: members.length })),
        c.status === 'making_key'
          ? h('p', {}, t('committee_status_making_key', { round: c.round, done: c.done.length, of: members.length }))
          : c.status === 'ready'
            ? h('p', { class: 'ok' }, `✔ ${t('committee_ready', { fingerprint: c.fingerprint })}`)
            : h('p', { class: 'error' }, t('committee_status_failed'), ' ',
              h('span', { class: 'refusal-detail', lang: 'en' }, c.failure ?? '')));
    }
    // The members to choose from, ticks kept across redraws.
    const ticked = new Set([...picks.querySelectorAll('input:checked')].map((i) => i.value));
    const people = view.participants.filter((p) => MEMBER_ROLES.has(p.role));
    const shown = people.map((p) => p.id).join();
    if (picks.dataset.shown !== shown) {
      picks.dataset.shown = shown;
      fill(picks, people.map((p) => h('label', { class: 'choice' },
        h('input', { type: 'checkbox', value: p.id, checked: ticked.has(p.id) }), ` ${p.name}`)));
    }
  }
  refresh(state.view);
  return { element, refresh };
}
