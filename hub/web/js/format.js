// Dates, times and numbers for every screen, as Viet Nam writes them: dates dd/mm/yyyy and
// times HH:mm on Viet Nam's clock (Asia/Ho_Chi_Minh) whatever the browser's own zone; in
// Vietnamese a decimal comma, a dot between thousands and a spaced percent sign (71,4 %),
// in English their English forms (71.4%). The one place the page formats either.

import { getLang } from './i18n.js';

const ZONE = 'Asia/Ho_Chi_Minh';
/** Viet Nam's clock is UTC+7 all year (no daylight saving): how a `datetime-local`
 *  field's text, which has no zone, is read as Viet Nam time. */
const VN_OFFSET = '+07:00';

function locale() {
  return getLang() === 'en' ? 'en-GB' : 'vi-VN';
}

// The wall clock in Viet Nam, as digits; the same in either language.
const WALL = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function wall(ms) {
  const part = {};
  for (const p of WALL.formatToParts(new Date(ms))) part[p.type] = p.value;
  return part;
}

/** `14:05` in Viet Nam. */
export function formatTime(ms) {
  const w = wall(ms);
  return `${w.hour}:${w.minute}`;
}

/** `23/11/2026` in Viet Nam. */
export function formatDate(ms) {
  const w = wall(ms);
  return `${w.day}/${w.month}/${w.year}`;
}

/** `14:05 23/11/2026` in Viet Nam; empty for no time. */
export function formatDateTime(ms) {
  if (ms == null) return '';
  return `${formatTime(ms)} ${formatDate(ms)}`;
}

/** `Thứ Hai, 23/11/2026` (`Monday, 23/11/2026`) for a calendar day `YYYY-MM-DD`. */
export function formatDay(date) {
  const noon = Date.parse(`${date}T12:00:00${VN_OFFSET}`);
  const weekday = new Intl.DateTimeFormat(locale(), { timeZone: ZONE, weekday: 'long' }).format(noon);
  const name = weekday.charAt(0).toUpperCase() + weekday.slice(1);
  return `${name}, ${formatDate(noon)}`;
}

/** Today's date in Viet Nam, `YYYY-MM-DD`. */
export function today() {
  const w = wall(Date.now());
  return `${w.year}-${w.month}-${w.day}`;
}

/** The `YYYY-MM-DD` date `days` after `date`. */
export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/** The text a `datetime-local` field shows for a hub timestamp: Viet Nam's wall clock. */
export function toDateTimeInput(ms) {
  if (ms == null) return '';
  const w = wall(ms);
  return `${w.year}-${w.month}-${w.day}T${w.hour}:${w.minute}`;
}

/** A hub timestamp from a `datetime-local` field's text, read as Viet Nam's wall clock;
 *  `null` when the field is empty. */
export function fromDateTimeInput(text) {
  if (!text) return null;
  const ms = Date.parse(`${text.length === 16 ? `${text}:00` : text}${VN_OFFSET}`);
  return Number.isNaN(ms) ? null : ms;
}

/** `05:00` from milliseconds, `1:05:00` past an hour; negative durations show as `-00:12`
 *  (a speaker over time). */
export function formatDuration(ms) {
  const neg = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  const text = hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
  return neg ? `-${text}` : text;
}

/** A number with at most `digits` decimals: `1.600`, `2,5` (`1,600`, `2.5` in English). */
export function formatNumber(n, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
}

/** `part` of `whole` as a percentage with one decimal at most: `71,4 %` (`71.4%`); a
 *  whole of zero counts as 0. */
export function formatPercent(part, whole) {
  const share = whole > 0 ? part / whole : 0;
  const n = formatNumber(Math.round(share * 1000) / 10, 1);
  return getLang() === 'en' ? `${n}%` : `${n} %`;
}

/** File sizes as people read them: `3 MB`, `1,5 KB`. */
export function formatSize(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${formatNumber(n, u ? 1 : 0)} ${units[u]}`;
}
