// The enrolment page (`/e/CODE`, from the QR code the office printed for a person): the
// person sets a PIN, the hub spends the one-time code and answers with the device's token
// as this browser's sign-in cookie, and the tablet goes to its home page.

const form = document.getElementById('enrol-form');
const error = document.getElementById('enrol-error');
const code = decodeURIComponent(location.pathname.split('/').pop() ?? '');

function show(vi, en) {
  error.hidden = false;
  error.textContent = '';
  error.append(vi, ' ');
  const detail = document.createElement('span');
  detail.lang = 'en';
  detail.className = 'muted small';
  detail.textContent = en;
  error.append(detail);
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const pin = document.getElementById('pin').value;
  const again = document.getElementById('pin2').value;
  if (!/^[0-9]{4,8}$/.test(pin)) return show('Mã PIN gồm 4 đến 8 chữ số.', 'A PIN is 4 to 8 digits.');
  if (pin !== again) return show('Hai lần nhập mã PIN không khớp.', 'The two PINs differ.');
  let r;
  try {
    r = await fetch('/api/v1/enrol', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, pin }),
      credentials: 'same-origin',
    });
  } catch {
    return show('Không kết nối được với máy chủ phòng họp; thử lại.', 'The hub cannot be reached; try again.');
  }
  if (r.ok) {
    location.replace('/home');
    return;
  }
  const body = await r.json().catch(() => ({}));
  if (body.code === 'bad_token') {
    show('Mã đăng ký không còn hiệu lực (đã dùng hoặc hết hạn); đề nghị Văn phòng cấp mã mới.', body.message ?? '');
  } else {
    show('Chưa đăng ký được.', body.message ?? `HTTP ${r.status}`);
  }
});
