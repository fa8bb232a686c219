// What the chair console and the secretariat desk share: their words (Vietnamese first),
// the REST calls they make with the join cookie, and the names of the domain's states.
// Kept apart from the delegate's modules so the staff screens can grow without touching them.

import { getLang, refusal } from './i18n.js';
import { h, toast } from './ui.js';

const WORDS = {
  vi: {
    'status.draft': 'Dự thảo',
    'status.open': 'Đã mở',
    'status.in_session': 'Đang họp',
    'status.adjourned': 'Tạm dừng',
    'status.closed': 'Đã bế mạc',
    'item.pending': 'Chưa thảo luận',
    'item.current': 'Đang thảo luận',
    'item.done': 'Đã xong',
    'poll.draft': 'Chuẩn bị',
    'poll.open': 'Đang bỏ phiếu',
    'poll.closed': 'Đã kết thúc',
    'poll.published': 'Đã công bố',
    'poll.cancelled': 'Đã hủy',
    'kind.motion': 'Biểu quyết thông qua',
    'kind.single_choice': 'Chọn một phương án',
    'kind.multiple_choice': 'Chọn nhiều phương án',
    'kind.election': 'Bầu cử',
    'preset.majority_of_valid': 'Quá nửa số phiếu hợp lệ',
    'preset.majority_of_present': 'Quá nửa số đại biểu có mặt',
    'preset.majority_of_summoned': 'Quá nửa số đại biểu được triệu tập',
    'preset.two_thirds_of_present': 'Hai phần ba số đại biểu có mặt',
    'preset.two_thirds_of_summoned': 'Hai phần ba số đại biểu được triệu tập',
    'role.chair': 'Chủ tọa',
    'role.delegate': 'Đại biểu',
    'role.secretariat': 'Thư ký',
    'role.projector': 'Màn hình',
    'class.public': 'Công khai',
    'class.internal': 'Nội bộ',
    'class.confidential': 'Mật',
    'doc.published': 'Đã phát hành',
    'doc.withdrawn': 'Đã gỡ',
    'doc.recalled': 'Đã thu hồi',
    'incoming.new': 'Mới đến',
    'incoming.forwarded': 'Đã chuyển',
    'incoming.answered': 'Đã có ý kiến',
    'incoming.closed': 'Đã kết thúc',
    'incoming.document': 'Văn bản đến',
    'incoming.petition': 'Đơn thư',
    'choice.agree': 'Đồng ý',
    'choice.disagree': 'Không đồng ý',
    'choice.other': 'Ý kiến khác',
    failed: 'Không thực hiện được',
    network: 'Mất kết nối tới máy chủ; thử lại sau',
  },
  en: {
    'status.draft': 'Draft',
    'status.open': 'Open',
    'status.in_session': 'In session',
    'status.adjourned': 'Adjourned',
    'status.closed': 'Closed',
    'item.pending': 'Pending',
    'item.current': 'Under discussion',
    'item.done': 'Done',
    'poll.draft': 'Prepared',
    'poll.open': 'Voting',
    'poll.closed': 'Closed',
    'poll.published': 'Published',
    'poll.cancelled': 'Cancelled',
    'kind.motion': 'Motion',
    'kind.single_choice': 'Single choice',
    'kind.multiple_choice': 'Multiple choice',
    'kind.election': 'Election',
    'preset.majority_of_valid': 'More than half of valid ballots',
    'preset.majority_of_present': 'More than half of those present',
    'preset.majority_of_summoned': 'More than half of those summoned',
    'preset.two_thirds_of_present': 'Two thirds of those present',
    'preset.two_thirds_of_summoned': 'Two thirds of those summoned',
    'role.chair': 'Chair',
    'role.delegate': 'Delegate',
    'role.secretariat': 'Secretariat',
    'role.projector': 'Projector',
    'class.public': 'Public',
    'class.internal': 'Internal',
    'class.confidential': 'Confidential',
    'doc.published': 'Published',
    'doc.withdrawn': 'Withdrawn',
    'doc.recalled': 'Recalled',
    'incoming.new': 'New',
    'incoming.forwarded': 'Forwarded',
    'incoming.answered': 'Answered',
    'incoming.closed': 'Closed',
    'incoming.document': 'Incoming document',
    'incoming.petition': 'Petition',
    'choice.agree': 'Agree',
    'choice.disagree': 'Disagree',
    'choice.other': 'Other',
    failed: 'Could not do this',
    network: 'The hub cannot be reached; try again shortly',
  },
};

/** The page's language, as the shell's language switch set it. */
export function lang() {
  return getLang() === 'en' ? 'en' : 'vi';
}

/** A shared word (states, roles, kinds), in the page's language. */
export function word(key) {
  return WORDS[lang()][key] ?? WORDS.vi[key] ?? key;
}

/** Picks the Vietnamese or the English text written side by side at the call site. */
export function say(vi, en) {
  return lang() === 'en' && en ? en : vi;
}

export const MOTION_OPTIONS = ['Tán thành', 'Không tán thành', 'Không biểu quyết'];

/** The options a poll offers, in order: the motion's three or the listed ones. */
export function pollOptions(poll) {
  const k = poll.kind;
  if (k.type === 'motion') return MOTION_OPTIONS;
  return k.type === 'election' ? k.candidates : k.options;
}

/** An error the hub answered, or one of the network, as `{code, message, errors}`. */
export class HubError extends Error {
  constructor(status, body) {
    super(body?.message || word('failed'));
    this.status = status;
    this.code = body?.code || 'internal';
    this.errors = body?.errors || [];
  }
}

/**
 * A REST call under `/api/v1` with the `hub_token` cookie the join link set. JSON bodies are
 * sent as JSON, strings as text; the answer is parsed JSON, or a `HubError`.
 */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (typeof body === 'string') {
    init.headers['Content-Type'] = 'text/csv; charset=utf-8';
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new HubError(0, { code: 'network', message: word('network') });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new HubError(res.status, json);
  return json;
}

/** `mm:ss`, or `h:mm:ss` past an hour; negative values count as zero. */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A Viet Nam wall-clock date and time for a hub timestamp (ms since the epoch). */
export function when(ms) {
  if (ms == null) return '';
  return new Date(ms).toLocaleString(lang() === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    dateStyle: 'short',
    timeStyle: 'short',
  });
}

/** The participant with this id in the view, or a stand-in that says it is unknown. */
export function person(view, id) {
  return view.participants.find((p) => p.id === id) || { id, name: '—', role: 'delegate' };
}

/** Saves text as a file the browser downloads (exports made from what the page holds). */
export function download(name, text, type = 'text/csv;charset=utf-8') {
  // The byte-order mark lets spreadsheet programs read Vietnamese in a CSV as UTF-8.
  const blob = new Blob(['\uFEFF', text], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** One CSV field, quoted when it needs to be. */
export function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Updates every running clock on the page: speech timers and poll countdowns. */
export function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.speech-timer')) {
    const spent = now - Number(el.dataset.since);
    const limit = Number(el.dataset.limit) * 1000;
    if (limit > 0) {
      const left = limit - spent;
      el.textContent =
        left >= 0
          ? `${clock(spent)} / ${clock(limit)}`
          : `${clock(spent)} / ${clock(limit)} · ${say('quá', 'over')} ${clock(-left)}`;
      el.classList.toggle('over', left < 0);
    } else {
      el.textContent = clock(spent);
    }
  }
  for (const el of document.querySelectorAll('.poll-countdown')) {
    el.textContent = `${say('Còn', 'Left')} ${clock(Number(el.dataset.until) - now)}`;
  }
}

/**
 * A button whose action may be a promise: it stays disabled until that settles, so a
 * double press sends once. A rejected action was already shown by whoever sent it.
 */
export function button(label, onClick, kind = '', disabled = false, title = null) {
  const b = h('button', { type: 'button', class: `btn ${kind}`.trim(), title, 'aria-label': title }, label);
  b.disabled = !!disabled;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } catch {
      // Shown already.
    } finally {
      if (b.isConnected) b.disabled = !!disabled;
    }
  });
  return b;
}

/** Adds the staff screens' stylesheet once; the shell loads only the common one. */
export function stylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}

/**
 * What has been typed into the forms under `elements` (fields with an id; not files),
 * to be put back with `restoreTyped` after a redraw (a change of language).
 */
export function typedIn(elements) {
  const kept = new Map();
  for (const el of elements)
    for (const f of el.querySelectorAll('input[id], textarea[id], select[id]')) {
      if (f.type === 'file') continue;
      kept.set(f.id, f.type === 'checkbox' || f.type === 'radio' ? f.checked : f.value);
    }
  return kept;
}

/** Puts back what `typedIn` kept, in document order, telling each field's listeners. */
export function restoreTyped(elements, kept) {
  for (const el of elements)
    for (const f of el.querySelectorAll('input[id], textarea[id], select[id]')) {
      if (!kept.has(f.id)) continue;
      const v = kept.get(f.id);
      if (f.type === 'checkbox' || f.type === 'radio') {
        if (f.checked === v) continue;
        f.checked = v;
      } else {
        if (f.value === v) continue;
        f.value = v;
      }
      f.dispatchEvent(new Event(f.tagName === 'SELECT' || f.type === 'checkbox' || f.type === 'radio' ? 'change' : 'input', { bubbles: true }));
    }
}

/**
 * Mounts a staff screen drawn by `draw(root, ctx)` (which returns `{stop, elements}`), and
 * draws it again on a change of language, keeping what was typed in its forms.
 */
export function mountRedrawn(root, ctx, draw) {
  let inner = draw(root, ctx);
  const relabel = () => {
    const kept = typedIn(inner.elements());
    inner.stop();
    inner = draw(root, ctx);
    restoreTyped(inner.elements(), kept);
  };
  addEventListener('hub-lang', relabel);
  return {
    stop() {
      inner.stop();
      removeEventListener('hub-lang', relabel);
    },
  };
}

/** `connection.send` that also tells the user, in a toast, why a command was refused. */
export function sender(connection) {
  return (command) =>
    connection.send(command).catch((e) => {
      toast(refusal(e), 'error');
      throw e;
    });
}
