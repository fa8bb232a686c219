// The delegate's results tab: every published poll with its result, and for a secret poll
// this badge voted in, the check of its receipt against the published receipt list: the
// receipt and the fingerprint of the encrypted ballot this tablet made must be in it, or
// the member tells the Ban kiểm phiếu at once (docs/PROTOCOL.md §5.6).

import { t } from './i18n.js';
import { h, optionLabels } from './ui.js';
import { resultTable } from './polls-staff.js';

/** Whether this badge's sealed ballot in `pv` is in the published list: `true`, `false`,
 *  or `null` when there is nothing to check (no receipt kept, or not published). */
export function receiptFound(pv, mine) {
  if (!mine?.receipt || pv.status !== 'published' || !Array.isArray(pv.receipts)) return null;
  return pv.receipts.some((line) => line.receipt === mine.receipt
    && (!mine.fingerprint || line.fingerprint === mine.fingerprint));
}

/** The tab's panel. */
export function resultsPanel(state) {
  const published = state.view.polls.filter((pv) => pv.status === 'published' && pv.result).reverse();
  if (published.length === 0) return h('section', { class: 'panel' }, h('p', { class: 'empty' }, t('results_none')));
  return h('section', { 'data-testid': 'results', 'aria-label': t('tab_results') }, published.map((pv) => {
    const mine = state.receipts[pv.poll.id];
    const found = receiptFound(pv, mine);
    return h('article', { class: 'panel', 'data-testid': 'result', 'data-poll': pv.poll.id },
      h('h2', {}, pv.poll.title),
      resultTable(pv, optionLabels(pv)),
      found === null ? null : h('div', {
        class: `receipt-check ${found ? 'ok' : 'bad'}`, role: found ? 'status' : 'alert', 'data-testid': 'receipt-check',
      },
      h('p', {}, found ? `✔ ${t('receipt_found')}` : `✘ ${t('receipt_missing')}`),
      h('p', { class: 'muted' }, t('receipt_mine', { receipt: mine.receipt }),
        mine.fingerprint ? h('span', { class: 'fingerprint' }, ` · ${mine.fingerprint.slice(0, 16)}…`) : null)));
  }));
}
