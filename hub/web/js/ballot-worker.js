// A Web Worker that runs the sealed ballot box (ballot-box.js) off the page's thread, so
// the tablet's screen stays live while a ballot is encrypted and proved, or while a
// committee member's tablet verifies a box of 2,000 ballots. The page talks to it through
// box-worker.js. One worker per page: the sum it verified is the only one it decrypts.

import * as bb from './ballot-box.js';

// What the page may ask for; nothing else of the module is reachable from a message.
const CALLS = new Set([
  'dkgStart', 'dkgRound2', 'dkgRound3', 'dkgFinish',
  'encryptBallot', 'verifyBox', 'decryptionShare', 'secretText', 'secretFromText',
  'committeeCode', 'secretQr',
]);

self.onmessage = async (event) => {
  const { id, call, args } = event.data ?? {};
  try {
    if (!CALLS.has(call)) throw new Error(`ballot-worker: no such call ${call}`);
    const value = call === 'verifyBox'
      ? await bb.verifyBox(...args, (done, total) => self.postMessage({ id, progress: [done, total] }))
      : await bb[call](...args);
    self.postMessage({ id, value });
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
