// Every visible word goes through `t(key)`: Vietnamese first, English as a choice that the
// browser remembers. Screens add their own words with `define()`.

const LANG_KEY = 'hub.lang';
const dictionaries = { vi: {}, en: {} };
let lang = readLang();

function readLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch { /* storage off: Vietnamese */ }
  return 'vi';
}

/** Adds words: `define({vi: {key: '…'}, en: {key: '…'}})`. */
export function define(words) {
  for (const l of Object.keys(dictionaries)) Object.assign(dictionaries[l], words[l] ?? {});
}

/** The text for `key`, with `{name}` placeholders filled from `params`. Falls back to
 *  Vietnamese, then to the key itself (a missing word shows, rather than hides). */
export function t(key, params = {}) {
  const text = dictionaries[lang][key] ?? dictionaries.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`));
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (next !== 'vi' && next !== 'en') return;
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch { /* this page only */ }
  document.documentElement.lang = next;
  dispatchEvent(new CustomEvent('hub-lang', { detail: next }));
}

// Words shared by every screen.
define({
  vi: {
    app_title: 'Phòng họp không giấy',
    status_connecting: 'Đang kết nối…',
    status_online: 'Đã kết nối',
    status_offline: 'Mất kết nối, đang thử lại…',
    status_resuming: 'Đang kết nối lại…',
    lang_switch: 'English',
    lang_switch_label: 'Chuyển sang tiếng Anh',
    ok: 'Đồng ý',
    cancel: 'Hủy',
    close: 'Đóng',
    confirm: 'Xác nhận',
    send: 'Gửi',
    save: 'Lưu',
    delete: 'Xóa',
    loading: 'Đang tải…',
    no_badge_title: 'Chào mừng đến phòng họp',
    no_badge_text: 'Vui lòng quét mã QR trên thẻ đại biểu của đồng chí để tham gia cuộc họp.',
    bad_badge_title: 'Thẻ không còn hiệu lực',
    bad_badge_text: 'Mã trên thẻ này đã được cấp lại hoặc thu hồi. Vui lòng liên hệ bộ phận thư ký để nhận thẻ mới.',
    unknown_role: 'Không có màn hình cho vai trò này.',
    role_delegate: 'Đại biểu',
    role_chair: 'Chủ tọa',
    role_secretariat: 'Thư ký',
    role_projector: 'Màn hình hội trường',
    meeting_draft: 'Đang chuẩn bị',
    meeting_open: 'Đã khai mạc',
    meeting_in_session: 'Đang họp',
    meeting_adjourned: 'Tạm nghỉ',
    meeting_closed: 'Đã bế mạc',
    error_generic: 'Không thực hiện được: {message}',
  },
  en: {
    app_title: 'Paperless meeting room',
    status_connecting: 'Connecting…',
    status_online: 'Connected',
    status_offline: 'Offline, retrying…',
    status_resuming: 'Reconnecting…',
    lang_switch: 'Tiếng Việt',
    lang_switch_label: 'Switch to Vietnamese',
    ok: 'OK',
    cancel: 'Cancel',
    close: 'Close',
    confirm: 'Confirm',
    send: 'Send',
    save: 'Save',
    delete: 'Delete',
    loading: 'Loading…',
    no_badge_title: 'Welcome to the meeting room',
    no_badge_text: 'Please scan the QR code on your delegate badge to join the meeting.',
    bad_badge_title: 'This badge is no longer valid',
    bad_badge_text: 'The code on this badge was replaced or withdrawn. Please ask the secretariat for a new badge.',
    unknown_role: 'There is no screen for this role.',
    role_delegate: 'Delegate',
    role_chair: 'Chair',
    role_secretariat: 'Secretariat',
    role_projector: 'Hall screen',
    meeting_draft: 'In preparation',
    meeting_open: 'Opened',
    meeting_in_session: 'In session',
    meeting_adjourned: 'Adjourned',
    meeting_closed: 'Closed',
    error_generic: 'Could not do this: {message}',
  },
});

document.documentElement.lang = lang;

define({
  vi: {
    refused_forbidden: 'Đồng chí không có quyền thực hiện thao tác này',
    refused_not_found: 'Không tìm thấy (có thể đã bị xóa hoặc thu hồi)',
    refused_invalid_state: 'Chưa thể thực hiện ở trạng thái hiện tại',
    refused_invalid: 'Thông tin chưa hợp lệ',
    refused_rate_limited: 'Thao tác quá nhanh, xin thử lại sau giây lát',
    refused_quota: 'Đã đạt giới hạn cho phép (số lượng hoặc dung lượng); xin xóa bớt hoặc thử lại sau',
    refused_busy: 'Máy chủ đang bận, xin thử lại',
    refused_bad_token: 'Mã tham gia không còn hiệu lực; xin liên hệ bộ phận thư ký',
    refused_frame_too_large: 'Nội dung quá lớn',
    refused_shutting_down: 'Máy chủ đang khởi động lại, xin thử lại sau',
    refused_network: 'Mất kết nối tới máy chủ',
    refused_other: 'Không thực hiện được',
  },
  en: {
    refused_forbidden: 'You may not do this',
    refused_not_found: 'Not found (it may have been removed or recalled)',
    refused_invalid_state: 'Not possible at this stage',
    refused_invalid: 'Something in it is not valid',
    refused_rate_limited: 'Too fast; please try again in a moment',
    refused_quota: 'A limit is reached (how many or how much); delete some or try again later',
    refused_busy: 'The hub is busy; please try again',
    refused_bad_token: 'This badge is no longer valid; please ask the secretariat',
    refused_frame_too_large: 'Too large',
    refused_shutting_down: 'The hub is restarting; please try again shortly',
    refused_network: 'The connection to the hub is lost',
    refused_other: 'Could not do this',
  },
});

/**
 * Why the hub refused, in the page's language: a sentence for the error's code, then the
 * hub's own detail (which is in English and names the field or rule) in parentheses.
 */
export function refusal(error) {
  const code = error?.code;
  const key = code && dictionaries.vi[`refused_${code}`] ? `refused_${code}` : 'refused_other';
  const detail = error?.message ? ` (${error.message})` : '';
  return `${t(key)}${detail}`;
}
