// The desk's participants: the list with attendance, adding one, importing a CSV with a
// preview and the hub's line-numbered refusals, badges and QR codes to print, and
// re-issuing a lost badge.

import { confirmDialog, fill, h, toast } from '../ui.js';
import { api, button, person, say, word } from '../staff.js';
import { parseCsv } from './csv.js';

const EXAMPLE =
  'Họ và tên,Chức vụ,Đơn vị,Vai trò,Số ghế\n' +
  'Nguyễn Văn Hùng,Bí thư Huyện ủy,Đảng bộ huyện Tân Lập,Chủ tọa,A-001\n' +
  'Lê Minh Tuấn,Chủ tịch UBND xã,Đảng bộ xã Hòa Bình,Đại biểu,B-013\n';

export function participantsSection({ send, meetingId }) {
  const base = `/meetings/${meetingId}`;
  const list = h('div', { class: 'desk-table-wrap' });
  const count = h('span', { class: 'count' });

  // --- import ---
  const text = h('textarea', {
    id: 'import-text',
    rows: '6',
    spellcheck: 'false',
    placeholder: EXAMPLE,
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
      h('p', {}, say(`Xem trước: ${rows.length} dòng`, `Preview: ${rows.length} rows`)),
      h(
        'table',
        { class: 'desk-table' },
        h('thead', {}, h('tr', {}, h('th', {}, say('Dòng', 'Line')), ...header.fields.map((f) => h('th', {}, f)), h('th', {}, ''))),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              { class: refused.has(r.line) ? 'bad' : '', 'data-line': String(r.line) },
              h('td', { class: 'n' }, String(r.line)),
              ...header.fields.map((_, i) => h('td', {}, r.fields[i] ?? '')),
              h('td', { class: 'why' }, refused.get(r.line) || ''),
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
    say('Nhập danh sách', 'Import the list'),
    async () => {
      if (!text.value.trim()) return;
      try {
        const answer = await api('POST', `${base}/participants/import`, text.value);
        const n = answer.participants.length;
        toast(say(`Đã nhập ${n} người`, `${n} people imported`));
        fill(errorsBox, 
          h('p', { class: 'ok', id: 'import-done' }, say(`Đã nhập ${n} người. In thẻ cho họ ở danh sách bên dưới.`, `${n} people imported. Print their badges from the list below.`)),
        );
        text.value = '';
        file.value = '';
        refused = new Map();
        fill(preview);
      } catch (e) {
        refused = new Map(e.errors.map((x) => [x.line, x.message]));
        fill(errorsBox, 
          h(
            'p',
            {},
            e.errors.length
              ? say(`${e.errors.length} dòng không nhập được; chưa nhập người nào. Sửa các dòng dưới đây rồi nhập lại.`, e.message)
              : e.message,
          ),
          h('ul', {}, ...e.errors.map((x) => h('li', { 'data-line': String(x.line) }, say(`Dòng ${x.line}: ${x.message}`, `Line ${x.line}: ${x.message}`)))),
        );
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
  const [name, nameF] = input('add-name', say('Họ và tên', 'Name'), { required: true, maxlength: '200' });
  const [position, positionF] = input('add-position', say('Chức vụ', 'Position'));
  const [unit, unitF] = input('add-unit', say('Đơn vị', 'Unit'));
  const [seat, seatF] = input('add-seat', say('Số ghế', 'Seat'), { maxlength: '20' });
  const role = h('select', { id: 'add-role' }, ...['delegate', 'chair', 'secretariat', 'projector'].map((r) => h('option', { value: r }, word(`role.${r}`))));
  const addForm = h(
    'form',
    { class: 'desk-form row' },
    nameF,
    positionF,
    unitF,
    h('div', { class: 'field' }, h('label', { for: 'add-role' }, say('Vai trò', 'Role')), role),
    seatF,
    h('button', { class: 'btn primary', type: 'submit' }, say('Thêm', 'Add')),
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
      toast(say('Đã thêm', 'Added'));
    } catch (err) {
      toast(err.errors[0]?.message || err.message, 'error');
    }
  });

  const reissue = async (p) => {
    if (!(await confirmDialog(say(`Cấp lại thẻ cho ${p.name}?`, `Re-issue ${p.name}'s badge?`), say('Thẻ cũ sẽ hết hiệu lực ngay.', 'The old badge stops working at once.')))) return;
    try {
      await api('POST', `${base}/participants/${p.id}/token`);
      window.open(`/api/v1${base}/participants/${p.id}/badge.pdf`, '_blank');
      toast(say('Đã cấp thẻ mới; thẻ cũ không còn dùng được', 'New badge issued; the old one no longer works'));
    } catch (err) {
      toast(err.message, 'error');
    }
  };

  const element = h(
    'section',
    { class: 'desk-section', id: 'desk-participants' },
    h('h2', {}, say('Thành phần tham dự', 'Participants'), ' ', count),
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'btn', href: `/api/v1${base}/badges.pdf`, target: '_blank', id: 'badges-link' }, say('In thẻ đại biểu (PDF)', 'Print badges (PDF)')),
    ),
    list,
    h('h3', {}, say('Thêm một người', 'Add one person')),
    addForm,
    h('h3', {}, say('Nhập từ tệp CSV', 'Import a CSV file')),
    h(
      'p',
      { id: 'import-help', class: 'hint' },
      say(
        'Dòng đầu là tiêu đề: Họ và tên, Chức vụ, Đơn vị, Vai trò (Chủ tọa, Đại biểu, Thư ký, Màn hình), Số ghế. Phân cách bằng dấu phẩy, chấm phẩy hoặc tab. Tệp lưu dạng UTF-8.',
        'The first line is the header: name, position, unit, role, seat. Comma, semicolon or tab separated, saved as UTF-8.',
      ),
    ),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, say('Chọn tệp', 'Choose a file')), file),
    h('div', { class: 'field wide' }, h('label', { for: 'import-text' }, say('hoặc dán nội dung', 'or paste it')), text),
    preview,
    errorsBox,
    importButton,
  );

  const render = (view) => {
    const present = new Set(view.attendance.present_ids);
    count.textContent = `(${view.participants.length})`;
    fill(list, 
      h(
        'table',
        { class: 'desk-table', id: 'participants-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...[say('Ghế', 'Seat'), say('Họ và tên', 'Name'), say('Chức vụ', 'Position'), say('Đơn vị', 'Unit'), say('Vai trò', 'Role'), say('Có mặt', 'Present'), ''].map((t) => h('th', {}, t))),
        ),
        h(
          'tbody',
          {},
          ...view.participants.map((p) => {
            const member = p.role === 'chair' || p.role === 'delegate';
            const here = present.has(p.id);
            return h(
              'tr',
              { 'data-participant': p.id },
              h('td', {}, p.seat || ''),
              h('td', {}, p.name),
              h('td', {}, p.position),
              h('td', {}, p.unit),
              h('td', {}, word(`role.${p.role}`)),
              h('td', {}, member ? (here ? '✓' : '—') : ''),
              h(
                'td',
                { class: 'row-actions' },
                member
                  ? button(here ? say('Điểm danh ra', 'Check out') : say('Điểm danh', 'Check in'), () => send({ op: here ? 'check_out' : 'check_in', participant: p.id }), 'small')
                  : null,
                h('a', { class: 'btn small', href: `/api/v1${base}/participants/${p.id}/qr.png`, target: '_blank' }, 'QR'),
                h('a', { class: 'btn small', href: `/api/v1${base}/participants/${p.id}/badge.pdf`, target: '_blank' }, say('Thẻ', 'Badge')),
                button(say('Cấp lại thẻ', 'Re-issue'), () => reissue(person(view, p.id)), 'small quiet'),
              ),
            );
          }),
        ),
      ),
    );
  };
  return { element, render };
}
