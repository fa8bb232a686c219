// Documents already opened stay readable without the hub: their bytes are kept in
// IndexedDB under their SHA-256 (the hub's ETag). IndexedDB, not the Cache API: a hub on
// plain http://192.168.x.x is not a secure context, and the Cache API needs one.

const DB = 'hub-documents';
const STORE = 'files';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req?.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

/** The kept bytes of `sha256`, or null. */
export async function kept(sha256) {
  try {
    const v = await run('readonly', (s) => s.get(sha256));
    return v ? new Uint8Array(v) : null;
  } catch {
    return null;
  }
}

export async function keep(sha256, bytes) {
  try {
    await run('readwrite', (s) => s.put(bytes.buffer.slice(0), sha256));
  } catch { /* a full disk: the document still shows, it just is not kept */ }
}

/** Forgets copies that are no longer in the meeting (withdrawn, recalled, replaced). */
export async function forgetAllBut(sha256s) {
  try {
    const keys = await run('readonly', (s) => s.getAllKeys());
    const keepSet = new Set(sha256s);
    for (const k of keys ?? []) if (!keepSet.has(k)) await run('readwrite', (s) => s.delete(k));
  } catch { /* nothing kept */ }
}

/** Lower-case hex SHA-256: the browser's own where it offers one (a secure context),
 *  else js-sha256 (npm), loaded only then. */
export async function sha256Hex(bytes) {
  if (crypto.subtle) {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  const { sha256 } = await import('/vendor/js-sha256/sha256.min.mjs');
  return sha256(bytes);
}

/**
 * The current version of `doc`: the kept copy if there is one, else downloaded with the
 * page's cookie and kept. Returns `{bytes, fromCache, verified}`; throws `{code, message}`
 * (the hub's refusal) or `{sentence}` (a download that does not match its SHA-256).
 */
export async function documentBytes(meeting, doc) {
  const version = doc.versions[doc.versions.length - 1];
  const cached = await kept(version.sha256);
  if (cached) return { bytes: cached, fromCache: true, verified: true, version };
  const r = await fetch(`/api/v1/meetings/${meeting}/documents/${doc.id}`, { credentials: 'same-origin' });
  if (!r.ok) {
    // The hub's refusal as it sent it, `{code, message}`: the screen words it.
    let body = null;
    try { body = await r.json(); } catch { /* not JSON */ }
    throw { code: body?.code ?? 'other', message: body?.message ?? `HTTP ${r.status}` };
  }
  const bytes = new Uint8Array(await r.arrayBuffer());
  if ((await sha256Hex(bytes)) !== version.sha256) throw { sentence: 'viewer_corrupt' };
  await keep(version.sha256, bytes);
  return { bytes, fromCache: false, verified: true, version };
}
