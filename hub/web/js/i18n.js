// Every visible word goes through `t(key)`, looked up in one table per language:
// `lang/vi.js` (Vietnamese, the default) and `lang/en.js` (English, a choice the browser
// remembers). Both tables hold the same keys; tests/tests/web_words.rs checks that every
// key a screen uses is in both, with the same `{placeholders}`.

import vi from './lang/vi.js';
import en from './lang/en.js';

const LANG_KEY = 'hub.lang';
const TABLES = { vi, en };
let lang = readLang();

function readLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch { /* storage off: Vietnamese */ }
  return 'vi';
}

/** The text for `key` in the page's language, with `{name}` placeholders filled from
 *  `params`. Falls back to Vietnamese, then to the key itself (a missing word shows,
 *  rather than hides). */
export function t(key, params = {}) {
  const text = TABLES[lang][key] ?? vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

/** Whether the tables have a word for `key` (a refusal's code may be one the page does
 *  not know yet). */
export function has(key) {
  return Object.hasOwn(vi, key);
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

document.documentElement.lang = lang;
