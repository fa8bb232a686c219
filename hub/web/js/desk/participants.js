// The desk's participants: the list with attendance and the reasons absent members gave
// (for the minutes), adding one, importing a CSV with a preview and the hub's
// line-numbered refusals, badges and QR codes to print, and re-issuing a lost badge.

import { t } from '../i18n.js';
import { confirmDialog, fill, h, keyed, refusal, toast } from '../ui.js';
import { api, button } from '../staff.js';
import { importRefusal, parseCsv } from './csv.js';

export function participantsSection({ send, state, meetingId }) {
  const base = `/meetings/${meetingId}`;
  const list = h('div', { class: 'desk-table-wrap' });
  const count = h('span', { class: 'count' });

  // --- import ---
  const text = h('textarea', {
    id: 'import-text',
    rows: '6',
    spellcheck: 'false',
    placeholder: t('part_import_example'),
    'aria-describedby': 'import-help',
  });
  const file = h('input', { id: 'import-file', type: 'file', accept: '.csv,text/csv,text/plain' });
  const preview = h('div', { class: 'import-preview', id: 'import-preview', 'aria-live': 'polite' });
  const errorsBox = h('div', { class: 'import-errors', id: 'import-errors', role: 'alert' });
  let refused = new Map();
  const showPreview = () => {
    const records = parseCsv(text.value);
    if (records.length === 0) {
      fill(preview);
      return;
    }
    const [header, ...rows] = records;
    fill(preview, 
      h('p', {}, t('part_preview', { n: rows.length })),
      h(
        'table',
        { class: 'desk-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('part_line')), ...header.fields.map((f) => h('th', {}, f)), h('th', {}, ''))),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              { class: refused.has(r.line) ? 'bad' : '', 'data-line': String(r.line) },
              h('td', { class: 'n' }, String(r.line)),
              ...header.fields.map((_, i) => h('td', {}, r.fields[i] ?? '')),
              h('td', { class: 'why', lang: 'en' }, refused.get(r.line) || ''),
            ),
          ),
        ),
      ),
    );
  };
  text.addEventListener('input', () => {
    refused = new Map();
    fill(errorsBox);
    showPreview();
  });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    text.value = await f.text();
    text.dispatchEvent(new Event('input'));
  });
  const importButton = button(
    t('part_import'),
    async () => {
      if (!text.value.trim()) return;
      try {
        const answer = await api('POST', `${base}/participants/import`, text.value);
        const n = answer.participants.length;
        toast(t('part_imported', { n }));
        fill(errorsBox, h('p', { class: 'ok', id: 'import-done' }, t('part_imported_badges', { n })));
        text.value = '';
        file.value = '';
        refused = new Map();
        fill(preview);
      } catch (e) {
        const answer = importRefusal(e);
        refused = answer.refused;
        fill(errorsBox, ...answer.shown);
        showPreview();
      }
    },
    'primary',
  );
  importButton.id = 'import-submit';

  // --- one participant ---
  const input = (id, label, attrs = {}) => {
    const el = h('input', { id, type: 'text', ...attrs });
    return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
  };
  const [name, nameF] = input('add-name', t('part_name'), { required: true, maxlength: '200' });
  const [position, positionF] = input('add-position', t('part_position'));
  const [unit, unitF] = input('add-unit', t('part_unit'));
  const [seat, seatF] = input('add-seat', t('part_seat'), { maxlength: '20' });
  const role = h('select', { id: 'add-role' }, ...['delegate', 'chair', 'secretariat', 'projector'].map((r) => h('option', { value: r }, t(`role_${r}`))));
  const addForm = h(
    'form',
    { class: 'desk-form row' },
    nameF,
    positionF,
    unitF,
    h('div', { class: 'field' }, h('label', { for: 'add-role' }, t('part_role')), role),
    seatF,
    h('button', { class: 'btn primary', type: 'submit' }, t('add')),
  );
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', `${base}/participants`, {
        name: name.value,
        position: position.value,
        unit: unit.value,
        role: role.value,
        seat: seat.value.trim() || null,
      });
      addForm.reset();
      toast(t('part_added'));
    } catch (err) {
      toast(refusal(err.errors?.[0] ? { code: err.code, message: err.errors[0].message } : err), 'error');
    }
  });

  const reissue = async (p) => {
    if (!(await confirmDialog(t('part_reissue_confirm', { name: p.name }), t('part_reissue_text')))) return;
    try {
      await api('POST', `${base}/participants/${p.id}/token`);
      window.open(`/api/v1${base}/participants/${p.id}/badge.pdf`, '_blank');
      toast(t('part_reissued'));
    } catch (err) {
      toast(refusal(err), 'error');
    }
  };

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-participants' },
    h('h2', {}, t('part_heading'), ' ', count),
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'btn', href: `/api/v1${base}/badges.pdf`, target: '_blank', id: 'badges-link' }, t('part_badges')),
    ),
    list,
    h('h3', {}, t('part_add_one')),
    addForm,
    h('h3', {}, t('part_import_heading')),
    h('p', { id: 'import-help', class: 'hint' }, t('part_import_help')),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('part_choose_file')), file),
    h('div', { class: 'field wide' }, h('label', { for: 'import-text' }, t('part_or_paste')), text),
    preview,
    errorsBox,
    importButton,
  );

  // The table is built once; its rows are kept by participant and drawn again only when
  // what they show changes, so the events of a vote (2,000 ballots) leave it alone.
  const rows = h('tbody', {});
  fill(list, h(
    'table',
    { class: 'desk-table', id: 'participants-table' },
    h('thead', {}, h('tr', {}, ...[t('part_seat_short'), t('part_name'), t('part_position'), t('part_unit'), t('part_role'), t('part_present'), t('part_absence'), ''].map((label) => h('th', {}, label)))),
    rows,
  ));
  // An absent member's reason, for the minutes: saved when the field is left or on Enter.
  const reasonField = (p, reason) => {
    const input = h('input', {
      type: 'text',
      id: `absence-${p.id}`,
      class: 'absence-reason',
      value: reason,
      maxlength: '500',
      placeholder: t('part_absence_hint'),
      'aria-label': `${t('part_absence')}: ${p.name}`,
    });
    input.addEventListener('change', () => {
      if (input.value.trim() !== reason) send({ op: 'set_absence_reason', participant: p.id, reason: input.value }).catch(() => {});
    });
    return input;
  };
  const row = (p, member, here, reason) => h(
    'tr',
    { 'data-participant': p.id },
    h('td', {}, p.seat || ''),
    h('td', {}, p.name),
    h('td', {}, p.position),
    h('td', {}, p.unit),
    h('td', {}, t(`role_${p.role}`)),
    h('td', {}, member ? (here ? '✓' : '—') : ''),
    h('td', {}, member && !here ? reasonField(p, reason) : reason),
    h(
      'td',
      { class: 'row-actions' },
      member
        ? button(here ? t('part_check_out') : t('part_check_in'), () => send({ op: here ? 'check_out' : 'check_in', participant: p.id }), 'small')
        : null,
      h('a', { class: 'btn small', href: `/api/v1${base}/participants/${p.id}/qr.png`, target: '_blank' }, 'QR'),
      h('a', { class: 'btn small', href: `/api/v1${base}/participants/${p.id}/badge.pdf`, target: '_blank' }, t('part_badge')),
      button(t('part_reissue'), () => reissue(state.participant(p.id) ?? p), 'small quiet'),
    ),
  );

  const render = (view) => {
    const present = new Set(view.attendance.present_ids);
    const reasons = new Map((view.record?.absences ?? []).map((a) => [a.participant, a.reason]));
    const reason = (p) => reasons.get(p.id) ?? '';
    count.textContent = `(${view.participants.length})`;
    const member = (p) => p.role === 'chair' || p.role === 'delegate';
    keyed(
      rows,
      view.participants,
      (p) => p.id,
      (p) => JSON.stringify([p.seat, p.name, p.position, p.unit, p.role, member(p), present.has(p.id), reason(p)]),
      (p) => row(p, member(p), present.has(p.id), reason(p)),
    );
  };
  return { element, render };
}
