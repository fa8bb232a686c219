// The page's side of ballot-worker.js: `box(call, ...args)` runs a ballot-box.js function
// in the worker and resolves with its answer (or rejects with Rust's message).
// `box.verifyBox(committee, params, ballots, onProgress)` reports progress as it goes.

let worker = null;
let next = 0;
const waiting = new Map(); // id → {resolve, reject, onProgress}

function start() {
  if (worker) return worker;
  worker = new Worker('/js/ballot-worker.js', { type: 'module' });
  worker.onmessage = (e) => {
    const { id, value, error, progress } = e.data;
    const w = waiting.get(id);
    if (!w) return;
    if (progress) { w.onProgress?.(...progress); return; }
    waiting.delete(id);
    if (error !== undefined) w.reject(new Error(error));
    else w.resolve(value);
  };
  // A worker that cannot load (no wasm, CSP) fails every call waiting, and the next call
  // starts a new one.
  worker.onerror = (e) => {
    e.preventDefault?.();
    for (const w of waiting.values()) w.reject(new Error(e.message || 'the ballot worker failed'));
    waiting.clear();
    worker = null;
  };
  return worker;
}

function ask(call, args, onProgress = null) {
  const id = (next += 1);
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, onProgress });
    start().postMessage({ id, call, args });
  });
}

/** Runs `call` of ballot-box.js in the worker. */
export const box = (call, ...args) => ask(call, args);

/** Verifies a box in the worker; `onProgress(done, total)` as it goes. */
export const verifyBox = (committee, params, ballots, onProgress) =>
  ask('verifyBox', [committee, params, ballots], onProgress);
