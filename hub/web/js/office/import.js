// The directory's import: a `.csv` (previewed here, as the desk's participants are) or an
// `.xlsx` workbook (sent as it is: the hub reads its first sheet), or CSV pasted. The hub
// is the judge of every row: a refused file imports nobody, and its lines are marked.

import { t } from '../i18n.js';
import { fill, h, toast } from '../ui.js';
import { api, button } from '../staff.js';
import { importRefusal, parseCsv } from '../desk/csv.js';

/** `{element}`; `imported()` is called once people were added. */
export function importPanel(imported) {
  const text = h('textarea', {
    id: 'dir-import-text',
    rows: '5',
    spellcheck: 'false',
    placeholder: t('dir_import_example'),
    'aria-describedby': 'dir-import-help',
  });
  const file = h('input', {
    id: 'dir-import-file',
    type: 'file',
    accept: '.csv,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  const preview = h('div', { class: 'import-preview', id: 'dir-import-preview', 'aria-live': 'polite' });
  const errorsBox = h('div', { class: 'import-errors', id: 'dir-import-errors', role: 'alert' });
  // A workbook chosen: sent as it is, with no preview (its rows are the sheet's).
  let workbook = null;
  let refused = new Map();

  const showPreview = () => {
    const records = workbook ? [] : parseCsv(text.value);
    if (records.length === 0) {
      fill(preview, workbook ? h('p', {}, t('dir_import_workbook', { name: workbook.name })) : null);
      return;
    }
    const [header, ...rows] = records;
    fill(preview,
      h('p', {}, t('part_preview', { n: rows.length })),
      h('table', { class: 'desk-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('part_line')), ...header.fields.map((f) => h('th', {}, f)), h('th', {}, ''))),
        h('tbody', {}, ...rows.map((r) => h('tr', { class: refused.has(r.line) ? 'bad' : '', 'data-line': String(r.line) },
          h('td', { class: 'n' }, String(r.line)),
          ...header.fields.map((_, i) => h('td', {}, r.fields[i] ?? '')),
          h('td', { class: 'why', lang: 'en' }, refused.get(r.line) || ''))))));
  };
  const changed = () => {
    refused = new Map();
    fill(errorsBox);
    showPreview();
  };
  text.addEventListener('input', () => {
    workbook = null;
    changed();
  });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    if (/\.xlsx$/i.test(f.name)) {
      workbook = f;
      text.value = '';
      changed();
      return;
    }
    workbook = null;
    text.value = await f.text();
    changed();
  });

  const submit = button(t('part_import'), async () => {
    if (!workbook && !text.value.trim()) return;
    try {
      const { people } = await api('POST', '/office/people/import', workbook ?? text.value);
      toast(t('part_imported', { n: people.length }), 'ok');
      fill(errorsBox, h('p', { class: 'ok', id: 'dir-import-done' }, t('part_imported', { n: people.length })));
      text.value = '';
      file.value = '';
      workbook = null;
      refused = new Map();
      fill(preview);
      await imported();
    } catch (e) {
      const answer = importRefusal(e);
      refused = answer.refused;
      fill(errorsBox, ...answer.shown);
      showPreview();
    }
  }, 'primary');
  submit.id = 'dir-import-submit';

  const element = h('div', { class: 'directory-import' },
    h('h3', {}, t('dir_import_heading')),
    h('p', { id: 'dir-import-help', class: 'hint' }, t('dir_import_help')),
    h('div', { class: 'field' }, h('label', { for: 'dir-import-file' }, t('part_choose_file')), file),
    h('div', { class: 'field wide' }, h('label', { for: 'dir-import-text' }, t('part_or_paste')), text),
    preview,
    errorsBox,
    submit);
  return { element };
}
