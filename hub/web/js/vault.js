// A committee member's share of the key, kept on a shared tablet as that member's secret:
// encrypted under a passphrase the member chooses (the browser's own WebCrypto: PBKDF2 with
// SHA-256 stretches the passphrase into an AES-256-GCM key; nothing of the cryptography is
// written here). The sealed copy is stored under the member's badge where a change of badge
// leaves it (local.js), so the next delegate on this tablet sees nothing of it and could
// not open it; when the member's badge comes back, the passphrase opens it.
//
// WebCrypto exists only in a secure context: over the hub's HTTPS (or on the hub's own
// machine). On plain http the member keeps the printed copy only.

/** Stretching: a guess costs this many SHA-256 rounds (OWASP's figure for PBKDF2-SHA256). */
const ITERATIONS = 600000;
const MIN_PASSPHRASE = 8;

const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Why a passphrase cannot be used, or null. */
export function passphraseProblem(passphrase) {
  if (!globalThis.crypto?.subtle) return 'https';
  return (passphrase ?? '').length < MIN_PASSPHRASE ? 'short' : null;
}

async function keyFrom(passphrase, salt) {
  const raw = new TextEncoder().encode(passphrase.normalize('NFC'));
  const base = await crypto.subtle.importKey('raw', raw, 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Encrypts `value` (JSON) under `passphrase`, bound to `context` (the badge and the
 *  committee: a copy moved under another name does not open). */
export async function seal(value, passphrase, context) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await keyFrom(passphrase, salt);
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(context) },
    key, new TextEncoder().encode(JSON.stringify(value)));
  return { v: 1, kdf: 'PBKDF2-SHA256', iterations: ITERATIONS, salt: b64(salt), iv: b64(iv), data: b64(data) };
}

/** Opens what `seal` made; throws Error('wrong passphrase') when it does not open. */
export async function unseal(sealed, passphrase, context) {
  if (sealed?.v !== 1) throw new Error('not a sealed copy');
  const key = await keyFrom(passphrase, unb64(sealed.salt));
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: unb64(sealed.iv), additionalData: new TextEncoder().encode(context) },
      key, unb64(sealed.data));
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw new Error('wrong passphrase');
  }
}
