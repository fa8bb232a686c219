import { t } from '../i18n.js';
import { h, refusal } from '../ui.js';

// Reading a participants CSV in the page, only to preview it: the hub parses it again and
// is the judge of every row. Records are numbered by the line they start on, as the hub
// numbers its errors (the header is line 1).

/** The separator the header uses most: a comma, a semicolon or a tab (as the hub accepts). */
export function separatorOf(text) {
  const header = text.split('\n', 1)[0];
  const counts = [',', ';', '\t'].map((s) => [s, header.split(s).length]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][0];
}

/** `[{line, fields}]`: every non-empty record, quotes undone, with its first line number. */
export function parseCsv(text) {
  const sep = separatorOf(text);
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const end = () => {
    fields.push(field);
    if (fields.some((f) => f.trim() !== '')) records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === sep) {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      end();
      line++;
      start = line;
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field !== '' || fields.length) end();
  return records;
}

/** The hub's refusal of an import: `refused` (line → the hub's message, to mark the preview)
 *  and what to show in the errors box. The hub names each line's fault in English: it goes
 *  apart, after the line number. */
export function importRefusal(e) {
  const lines = e.errors ?? [];
  return {
    refused: new Map(lines.map((x) => [x.line, x.message])),
    shown: [
      lines.length ? h('p', {}, t('part_import_refused', { n: lines.length })) : h('p', {}, refusal(e)),
      h('ul', {}, ...lines.map((x) => h('li', { 'data-line': String(x.line) },
        `${t('part_line_n', { line: x.line })} `, h('span', { class: 'refusal-detail', lang: 'en' }, x.message)))),
    ],
  };
}
