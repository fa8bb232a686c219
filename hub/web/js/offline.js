// The tablet's own copies of the documents, readable without the hub: their bytes are kept
// in IndexedDB under the version's SHA-256. IndexedDB, not the Cache API: a hub on plain
// http://192.168.x.x is not a secure context, and the Cache API needs one.
//
// Two stores: `files` (version SHA-256 → the bytes) and `meta` (version SHA-256 →
// {document, version, sha256, size}), so the space used and what a copy belongs to are
// read without loading the bytes. `sha256` is the hash of the bytes kept: the version's,
// or for a confidential or personnel PDF the hash of the reader's watermarked copy, which
// the download says in `X-Content-SHA256` (docs/PROTOCOL.md §4.4).

const DB = 'hub-documents';
const FILES = 'files';
const META = 'meta';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      const db = req.result;
      // Version 1 kept bytes with nothing saying whose they were: start again.
      if (db.objectStoreNames.contains(FILES)) db.deleteObjectStore(FILES);
      db.createObjectStore(FILES);
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction([FILES, META], mode);
    const req = fn(tx.objectStore(FILES), tx.objectStore(META));
    tx.oncomplete = () => { db.close(); resolve(req?.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error); };
  });
}

/** What is kept: `[{key, document, version, sha256, size}]`, without the bytes. */
export async function keptList() {
  try {
    const db = await open();
    return await new Promise((resolve, reject) => {
      const out = [];
      const req = db.transaction(META).objectStore(META).openCursor();
      req.onsuccess = () => {
        const c = req.result;
        if (!c) { db.close(); resolve(out); return; }
        out.push({ key: c.key, ...c.value });
        c.continue();
      };
      req.onerror = () => { db.close(); reject(req.error); };
    });
  } catch {
    return [];
  }
}

/** The kept copy of the version `key` (its SHA-256): `{bytes, meta}`, or null. */
async function kept(key) {
  try {
    const db = await open();
    return await new Promise((resolve) => {
      const tx = db.transaction([FILES, META]);
      const bytes = tx.objectStore(FILES).get(key);
      const meta = tx.objectStore(META).get(key);
      tx.oncomplete = () => {
        db.close();
        resolve(bytes.result && meta.result ? { bytes: new Uint8Array(bytes.result), meta: meta.result } : null);
      };
      tx.onerror = () => { db.close(); resolve(null); };
    });
  } catch {
    return null;
  }
}

async function keep(key, bytes, meta) {
  try {
    await run('readwrite', (files, metas) => {
      files.put(bytes.buffer.slice(0), key);
      return metas.put(meta, key);
    });
  } catch { /* a full disk: the document still shows, it just is not kept */ }
}

async function forgetKeys(keys) {
  for (const key of keys) {
    await run('readwrite', (files, metas) => {
      files.delete(key);
      return metas.delete(key);
    });
  }
}

/**
 * Deletes every copy whose version is not in `keepKeys` (withdrawn, recalled, replaced by
 * a new version). Resolves, once they are gone, with the documents whose copies went:
 * `[{document, version}]`.
 */
export async function forgetAllBut(keepKeys) {
  try {
    const keepSet = new Set(keepKeys);
    const gone = (await keptList()).filter((m) => !keepSet.has(m.key));
    await forgetKeys(gone.map((m) => m.key));
    return gone.map((m) => ({ document: m.document, version: m.version }));
  } catch {
    return [];
  }
}

/** Whether the current version of `doc` is kept here. */
export async function isKept(doc) {
  const version = doc.versions[doc.versions.length - 1];
  return (await keptList()).some((m) => m.key === version.sha256);
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

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The hash the downloaded bytes must have: the version's, or for a watermarked copy the
 * one the hub says it sent (`X-Content-SHA256`), which must be for this version
 * (`X-Original-SHA256`). Null when the answer does not add up.
 */
function expectedHash(response, version) {
  if (response.headers.get('x-watermarked') !== '1') return { sha256: version.sha256, copy: false };
  const sent = response.headers.get('x-content-sha256') ?? '';
  const original = response.headers.get('x-original-sha256') ?? '';
  if (!HEX64.test(sent) || original !== version.sha256) return null;
  return { sha256: sent, copy: true };
}

/**
 * The current version of `doc`: the kept copy if there is one (checked against its hash
 * again), else downloaded with the page's cookie, checked, and kept. Resolves with
 * `{bytes, fromCache, version, copySha}` (`copySha`: the hash of a watermarked copy, to
 * report with `report_held`); throws `{code, message}` (the hub's refusal) or
 * `{sentence}` (a download that does not match its SHA-256). `wanted()` is asked before
 * a download is kept: a document recalled while it downloaded is not. `url`: where its
 * bytes are when not in this meeting (a library item).
 */
export async function documentBytes(meeting, doc, wanted = () => true, url = null) {
  const version = doc.versions[doc.versions.length - 1];
  const cached = await kept(version.sha256);
  if (cached && (await sha256Hex(cached.bytes)) === cached.meta.sha256) {
    const copySha = cached.meta.sha256 === version.sha256 ? null : cached.meta.sha256;
    return { bytes: cached.bytes, fromCache: true, version, copySha };
  }
  if (cached) await forgetKeys([version.sha256]);
  // By version number: a version never changes, so a newer one published meanwhile is
  // never taken for this one.
  const r = await fetch(url ?? `/api/v1/meetings/${meeting}/documents/${doc.id}/versions/${version.version}`, { credentials: 'same-origin' });
  if (!r.ok) {
    // The hub's refusal as it sent it, `{code, message}`: the screen words it.
    let body = null;
    try { body = await r.json(); } catch { /* not JSON */ }
    throw { code: body?.code ?? 'other', message: body?.message ?? `HTTP ${r.status}` };
  }
  const expected = expectedHash(r, version);
  const bytes = new Uint8Array(await r.arrayBuffer());
  if (!expected || (await sha256Hex(bytes)) !== expected.sha256) throw { sentence: 'viewer_corrupt' };
  if (wanted()) await keep(version.sha256, bytes, { document: doc.id, version: version.version, sha256: expected.sha256, size: bytes.length });
  return { bytes, fromCache: false, version, copySha: expected.copy ? expected.sha256 : null };
}

/**
 * Tells the hub this tablet holds the version (`report_held`, with the copy's hash when it
 * is a watermarked one), once per version and page load. Failures are harmless: the
 * secretariat's view is only a little behind.
 */
export function reportHeld(connection, doc, got) {
  const reported = JSON.parse(sessionStorage.getItem('hub.reported') ?? '{}');
  const key = `${doc.id}/${got.version.version}/${got.copySha ?? ''}`;
  if (reported[key]) return;
  const command = { op: 'report_held', document: doc.id, version: got.version.version };
  if (got.copySha) command.sha256 = got.copySha;
  connection.send(command).catch(() => {});
  reported[key] = true;
  sessionStorage.setItem('hub.reported', JSON.stringify(reported));
}
