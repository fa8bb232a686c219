// A Web Worker that runs the sealed ballot box (ballot-box.js) off the page's thread, so
// the tablet's screen stays live while a ballot is encrypted and proved, or while a
// committee member's tablet verifies a box of 2,000 ballots. The page talks to it through
// box-worker.js: one worker for the page, which is the one that decrypts, and for a large
// box a few more for a while, each verifying a stretch of it.

import * as bb from './ballot-box.js';

// What the page may ask for; nothing else of the module is reachable from a message.
const CALLS = new Set([
  'dkgStart', 'dkgRound2', 'dkgRound3', 'dkgFinish',
  'encryptBallot', 'verifyBox', 'verifyPart', 'joinParts', 'decryptionShare',
  'secretText', 'secretFromText', 'committeeCode', 'secretQr',
]);

// The calls that take an onProgress last, posted on to the page.
const PROGRESS = new Set(['verifyBox', 'verifyPart']);

self.onmessage = async (event) => {
  const { id, call, args } = event.data ?? {};
  try {
    if (!CALLS.has(call)) throw new Error(`ballot-worker: no such call ${call}`);
    const report = (done, total) => self.postMessage({ id, progress: [done, total] });
    const value = PROGRESS.has(call) ? await bb[call](...args, report) : await bb[call](...args);
    self.postMessage({ id, value });
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
