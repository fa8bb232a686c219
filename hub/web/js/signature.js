// The verdict on a version's digital signatures (chữ ký số), as the hub found it on upload
// (docs/PROTOCOL.md §4.1): one badge and who signed, for whom, when. The same on the
// delegate's list, the viewer and the desk.

import { t } from './i18n.js';
import { h } from './ui.js';
import { formatDateTime } from './format.js';

const TONE = {
  valid: 'ok',
  modified_after_signing: 'warn',
  broken: 'bad',
  untrusted_chain: 'warn',
  expired: 'warn',
  unsupported: 'warn',
  unsigned: '',
  not_pdf: '',
  unreadable: '',
};

/** The last person's signature: whose name a badge gives. */
function lastSigner(verdict) {
  return [...(verdict.signatures ?? [])].reverse().find((s) => s.kind === 'signature') ?? null;
}

/**
 * `version`'s verdict as a line: the badge, then signer · organisation · time. `short`
 * leaves out the details (the viewer's bar). Null for a version checked before the hub
 * checked signatures.
 */
export function verdictLine(version, { short = false } = {}) {
  const verdict = version?.signatures;
  if (!verdict) return null;
  const status = verdict.status;
  const signer = lastSigner(verdict);
  const details = [];
  if (signer && !short) {
    if (signer.signer) details.push(t('verdict_signed_by', { name: signer.signer }));
    if (signer.organisation) details.push(signer.organisation);
    if (signer.signed_at) details.push(t('verdict_signed_at', { time: formatDateTime(signer.signed_at) }));
  }
  if (status === 'untrusted_chain' && verdict.anchors === 0 && !short) details.push(t('verdict_no_anchors'));
  // The hub's own reasons, in English, for whoever wants to know why.
  const why = (verdict.signatures ?? []).map((s) => s.reason).concat(verdict.note ?? []).join(' · ');
  return h('span', { class: 'verdict', 'data-testid': 'verdict', 'data-verdict': status, title: why || null },
    h('span', { class: `tag ${TONE[status] ?? ''}` }, t(`verdict_${status}`)),
    details.length ? h('span', { class: 'muted verdict-who' }, ` ${details.join(' · ')}`) : null);
}
