// The page's side of ballot-worker.js: `box(call, ...args)` runs a ballot-box.js function
// in the page's worker and resolves with its answer (or rejects with Rust's message).
// `verifyBox(committee, params, ballots, onProgress)` verifies a box on every core the
// tablet has: WebAssembly runs one thread per worker, so a large box is cut into
// stretches, each verified in a worker of its own, and joined in the page's worker, the
// one that will decrypt the sum. Progress is reported over the whole box.

/** A ballot worker and the calls waiting on it. */
class BallotWorker {
  constructor(onFail) {
    this.next = 0;
    this.waiting = new Map(); // id → {resolve, reject, onProgress}
    this.worker = new Worker('/js/ballot-worker.js', { type: 'module' });
    this.worker.onmessage = (e) => {
      const { id, value, error, progress } = e.data;
      const w = this.waiting.get(id);
      if (!w) return;
      if (progress) { w.onProgress?.(...progress); return; }
      this.waiting.delete(id);
      if (error !== undefined) w.reject(new Error(error));
      else w.resolve(value);
    };
    // A worker that cannot load (no wasm, CSP) fails every call waiting on it.
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.fail(new Error(e.message || 'the ballot worker failed'));
      onFail?.();
    };
  }

  ask(call, args, onProgress = null) {
    const id = (this.next += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, call, args });
    });
  }

  fail(error) {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  stop() {
    this.fail(new Error('stopped'));
    this.worker.terminate();
  }
}

// The page's worker; after a failure the next call starts a new one.
let main = null;
const mainWorker = () => (main ??= new BallotWorker(() => { main = null; }));

/** Runs `call` of ballot-box.js in the page's worker. */
export const box = (call, ...args) => mainWorker().ask(call, args);

// A stretch smaller than this is not worth a worker: each loads and compiles the module.
const MIN_STRETCH = 50;
// More workers than this would only hold more copies of the module in a tablet's memory.
const MAX_WORKERS = 8;

/** How many workers verify a box of `ballots`: one per core, each with a stretch worth it. */
function workersFor(ballots, cores = navigator.hardwareConcurrency || 1) {
  return Math.max(1, Math.min(cores, MAX_WORKERS, Math.floor(ballots / MIN_STRETCH)));
}

/** Verifies and adds up a box on the tablet's cores; `onProgress(done, total, workers)` as
 *  it goes.
 *  → {sum, ballots, digest, workers}: the sum is kept by the page's worker for
 *  box('decryptionShare', …). */
export async function verifyBox(committee, params, ballots, onProgress) {
  const workers = workersFor(ballots.length);
  if (workers === 1) {
    const report = (done, total) => onProgress?.(done, total, workers);
    const verified = await mainWorker().ask('verifyBox', [committee, params, ballots], report);
    return { ...verified, workers };
  }
  const size = Math.ceil(ballots.length / workers);
  const done = new Array(workers).fill(0);
  const helpers = Array.from({ length: workers - 1 }, () => new BallotWorker());
  try {
    const parts = await Promise.all(done.map((_, k) => {
      const first = k * size;
      const report = (n) => {
        done[k] = n;
        onProgress?.(done.reduce((a, b) => a + b, 0), ballots.length, workers);
      };
      const worker = k === 0 ? mainWorker() : helpers[k - 1];
      return worker.ask('verifyPart', [committee, params, ballots.slice(first, first + size), first], report);
    }));
    const verified = await mainWorker().ask('joinParts', [params, parts, ballots.length]);
    return { ...verified, workers };
  } finally {
    for (const helper of helpers) helper.stop();
  }
}
