// The desk's record (hồ sơ): what the secretariat adds to the minutes (the header's
// details, each item's conclusion, free text), the minutes themselves (PDF signed by the
// hub, DOCX to finish), the counting reports, the spreadsheets, the signed results and
// summaries, and after the close the dossier of the whole meeting.

import { t } from '../i18n.js';
import { fill, h, keyed, toast } from '../ui.js';
import { fileButtons } from '../exports.js';

const MAX_LINE = 500;
const MAX_TEXT = 20000;

export function exportsSection({ send, meetingId }) {
  const base = `/meetings/${meetingId}`;
  const files = fileButtons();
  const button = (id, label, path, progress = null) => files.get({ id, label, path, progress });

  const draftNote = h('p', { class: 'hint', id: 'minutes-draft-note' });
  const details = h('form', { class: 'desk-form', id: 'minutes-details' });
  const items = h('div', { class: 'minutes-items', id: 'minutes-items' });
  const notes = h('form', { class: 'desk-form', id: 'minutes-notes-form' });
  const minutesFiles = h('p', { class: 'actions' },
    button('export-minutes-pdf', t('exp_minutes_pdf'), `${base}/record/minutes.pdf`),
    button('export-minutes-docx', t('exp_minutes_docx'), `${base}/record/minutes.docx`),
    h('a', { class: 'file', href: `/api/v1${base}/record/minutes.pdf.sig`, download: 'bien-ban.pdf.sig' }, t('exp_minutes_sig')));
  const reports = h('div', { id: 'export-reports' });
  const sheets = h('div', { id: 'export-sheets' });
  const results = h('div', { id: 'export-results' });
  const opinions = h('div', { id: 'export-opinions' });
  const dossier = h('div', { id: 'export-dossier-file' });

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-exports' },
    h('h2', {}, t('exp_heading')),
    h('h3', {}, t('exp_minutes')),
    draftNote,
    minutesFiles,
    h('h4', {}, t('exp_details')),
    details,
    h('h4', {}, t('exp_conclusions')),
    items,
    h('h4', {}, t('exp_notes')),
    notes,
    h('h3', {}, t('exp_reports')),
    reports,
    h('h3', {}, t('exp_sheets')),
    sheets,
    h('h3', {}, t('exp_results')),
    results,
    h('p', {}, h('a', { href: '/api/v1/signing-key', download: 'signing.pub' }, t('exp_signing_key'))),
    h('h3', {}, t('exp_opinions')),
    opinions,
    h('h3', {}, t('exp_dossier')),
    dossier,
  );

  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);

  const drawDetails = (d) => {
    const kind = h('select', { id: 'minutes-header' },
      h('option', { value: 'party' }, t('exp_header_party')),
      h('option', { value: 'state' }, t('exp_header_state')));
    kind.value = d.header || 'party';
    const text = (id, value, placeholder) => h('input', { id, type: 'text', value: value || '', maxlength: String(MAX_LINE), placeholder });
    const superior = text('minutes-superior', d.superior, t('exp_superior_example'));
    const body = text('minutes-body', d.body, t('exp_body_example'));
    const number = text('minutes-number', d.number, t('exp_number_example'));
    const place = text('minutes-place', d.place, t('exp_place_example'));
    fill(details,
      h('div', { class: 'row' },
        field('minutes-header', t('exp_header'), kind),
        field('minutes-superior', t('exp_superior'), superior),
        field('minutes-body', t('exp_body'), body)),
      h('div', { class: 'row' },
        field('minutes-number', t('exp_number'), number),
        field('minutes-place', t('exp_place'), place)),
      h('button', { type: 'submit', class: 'btn', id: 'minutes-details-save' }, t('save')));
    details.onsubmit = async (e) => {
      e.preventDefault();
      await send({
        op: 'set_minutes_details',
        header: kind.value,
        superior: superior.value,
        body: body.value,
        number: number.value,
        place: place.value,
      }).then(() => toast(t('saved')), () => {});
    };
  };

  const itemRow = (item, n, saved) => {
    const id = `conclusion-${item.id}`;
    const area = h('textarea', { id, rows: '3', maxlength: String(MAX_TEXT) });
    area.value = saved;
    const save = h('button', { type: 'button', class: 'btn small', 'data-item': item.id }, t('save'));
    save.addEventListener('click', async () => {
      save.disabled = true;
      await send({ op: 'set_conclusion', item: item.id, text: area.value }).then(() => toast(t('saved')), () => {});
      save.disabled = false;
    });
    return h('div', { class: 'field wide minutes-item', 'data-item': item.id },
      h('label', { for: id }, t('exp_conclusion_of', { n, title: item.title })), area, save);
  };

  const drawNotes = (text) => {
    const area = h('textarea', { id: 'minutes-notes', rows: '5', maxlength: String(MAX_TEXT) });
    area.value = text;
    fill(notes,
      h('div', { class: 'field wide' }, h('label', { for: 'minutes-notes' }, t('exp_notes_label')), area),
      h('button', { type: 'submit', class: 'btn', id: 'minutes-notes-save' }, t('save')));
    notes.onsubmit = async (e) => {
      e.preventDefault();
      await send({ op: 'set_minutes_notes', text: area.value }).then(() => toast(t('saved')), () => {});
    };
  };

  const render = (view) => {
    const record = view.record ?? { details: {}, conclusions: [], notes: '', absences: [] };
    const closed = view.meeting.status === 'closed';
    draftNote.textContent = closed ? t('exp_minutes_final') : t('exp_minutes_draft');
    // Forms are drawn again only when what the hub holds changed, so typing survives.
    const shownDetails = JSON.stringify(record.details);
    if (details.dataset.shown !== shownDetails) {
      details.dataset.shown = shownDetails;
      drawDetails(record.details);
    }
    const concluded = new Map(record.conclusions.map((c) => [c.item, c.text]));
    keyed(items, view.agenda, (i) => i.id,
      (i) => JSON.stringify([i.title, view.agenda.indexOf(i), concluded.get(i.id) ?? '']),
      (i) => itemRow(i, view.agenda.indexOf(i) + 1, concluded.get(i.id) ?? ''));
    if (notes.dataset.shown !== record.notes) {
      notes.dataset.shown = record.notes;
      drawNotes(record.notes);
    }

    const reported = view.polls.filter((p) => p.poll.secret || p.poll.kind.type === 'election');
    fill(reports, reported.length
      ? h('ul', { class: 'export-list' }, ...reported.map((p) => h('li', {},
        h('span', { class: 'what' }, p.poll.title),
        p.status === 'published'
          ? [button(`export-report-${p.poll.id}`, t('exp_report_pdf'), `${base}/record/polls/${p.poll.id}/counting-report.pdf`),
            button(`export-report-docx-${p.poll.id}`, t('exp_report_docx'), `${base}/record/polls/${p.poll.id}/counting-report.docx`)]
          : h('span', { class: 'hint' }, t('exp_report_not_yet')))))
      : h('p', { class: 'hint' }, t('exp_no_reports')));

    fill(sheets, h('p', { class: 'actions' },
      button('export-attendance', t('exp_attendance_xlsx'), `${base}/record/attendance.xlsx`),
      button('export-attendance-csv', t('exp_attendance_csv'), `${base}/record/attendance.csv`),
      button('export-speakers', t('exp_speakers_xlsx'), `${base}/record/speakers.xlsx`),
      button('export-delivery', t('exp_delivery_xlsx'), `${base}/record/delivery.xlsx`)));

    const counted = view.polls.filter((p) => p.result);
    const signedLinks = (dir, names) => names.map((f) => h('a', { href: `/api/v1${dir}/${f}`, download: f, class: 'file' }, f));
    fill(results, counted.length
      ? h('ul', { class: 'export-list' }, ...counted.map((p) => h('li', {},
        h('span', { class: 'what' }, p.poll.title),
        button(`export-result-${p.poll.id}`, t('exp_result_xlsx'), `${base}/record/polls/${p.poll.id}/result.xlsx`),
        ...signedLinks(`${base}/polls/${p.poll.id}`, ['result.json', 'result.json.sig', 'result.csv', 'result.csv.sig']))))
      : h('p', { class: 'hint' }, t('exp_no_results')));

    fill(opinions, view.opinions.length
      ? h('ul', { class: 'export-list' }, ...view.opinions.map((o) => h('li', {},
        h('span', { class: 'what' }, o.request.title),
        button(`export-summary-${o.request.id}`, t('exp_summary_xlsx'), `${base}/record/opinions/${o.request.id}/summary.xlsx`),
        ...signedLinks(`${base}/opinions/${o.request.id}`, ['summary.csv', 'summary.csv.sig', 'summary.json', 'summary.json.sig']))))
      : h('p', { class: 'hint' }, t('exp_no_opinions')));

    fill(dossier, closed
      ? h('div', {},
        h('p', { class: 'hint' }, t('exp_dossier_help')),
        button('export-dossier', t('exp_dossier_zip'), `${base}/record/dossier.zip`, `${base}/record/dossier/progress`))
      : h('p', { class: 'hint' }, t('exp_dossier_after_close')));
  };
  return { element, render };
}
