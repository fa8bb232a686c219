// The sealed ballot box in the browser: the Rust crate ballot-box compiled to WebAssembly
// (ballot-box-wasm), which the hub serves at /vendor/ballot-box.wasm. A voter's tablet
// encrypts and proves its ballot here, so the hub never sees the choice; a committee
// member's tablet runs the key setup, keeps its secret, re-verifies the box and gives its
// decryption share.
//
// Every function is async, takes and returns plain JSON objects, and throws an Error with
// the Rust message when Rust refuses. Randomness: 32 fresh bytes from
// crypto.getRandomValues for each call that needs it (it exists on plain http too).
//
// Works the same in a Web Worker (`new Worker(url, { type: 'module' })` importing this
// file): verifying a box of 2,000 ballots takes minutes on one core of a tablet, so run
// verifyBox there, or share the box out among several workers (verifyPart in each, then
// joinParts in one), and post the progress to the page. The verified sum is remembered by
// the module instance that verified or joined it, and only that instance will decrypt it:
// call decryptionShare in the same worker.

const WASM = '/vendor/ballot-box.wasm';

let exports = null; // a Promise of the module's exports, once loading started
let progress = null; // the callback of the verifyBox running now

function load() {
  exports ??= (async () => {
    const response = await fetch(WASM);
    if (!response.ok) throw new Error(`${WASM}: HTTP ${response.status}`);
    const imports = { env: { bb_progress: (done, total) => progress?.(done, total) } };
    const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), imports);
    return instance.exports;
  })().catch((e) => {
    exports = null; // let the next call try again
    throw e;
  });
  return exports;
}

function seed() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Calls export `bb_<name>` with `input` as JSON; returns its JSON answer or throws. */
async function call(name, input) {
  const x = await load();
  const bytes = new TextEncoder().encode(JSON.stringify(input));
  const ptr = x.bb_alloc(bytes.length);
  if (ptr === 0) throw new Error('ballot-box: the input is too large');
  // A view made after bb_alloc: growing the memory detaches older views.
  new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
  const status = x[`bb_${name}`](ptr, bytes.length); // frees the input
  const out = new Uint8Array(x.memory.buffer, x.bb_output_ptr(), x.bb_output_len());
  const answer = JSON.parse(new TextDecoder().decode(out));
  if (status !== 0) throw new Error(answer.error);
  return answer;
}

// ---- The committee's key setup, on each member's device. `state` holds secrets: keep it on
// the device (never send it to the hub) until dkgFinish.

/** Round 1. `params`: {members, threshold, session: 64 hex}; `member`: 0-based.
 *  → {state, round1} (broadcast round1). */
export const dkgStart = (params, member) => call('dkg_start', { params, member, seed: seed() });

/** Round 2 from every member's round1. → {state, round2, check_code}: broadcast round2; all
 *  members compare check_code aloud before going on. */
export const dkgRound2 = (state, round1) => call('dkg_round2', { state, round1 });

/** Round 3 from every member's round2. → {state, sealed}: each sealed share goes to its `to`. */
export const dkgRound3 = (state, round2) => call('dkg_round3', { state, round2, seed: seed() });

/** Finish with the shares sealed to this member. → {secret, secret_text, committee,
 *  confirmation}: keep secret (and print secret_text as a QR code), publish confirmation. */
export const dkgFinish = (state, sealed) => call('dkg_finish', { state, sealed, seed: seed() });

// ---- The voter.

/** Encrypts a ballot marking `marks` (0-based option indices). `params`: {context: 64 hex,
 *  options, min, max}. → {ballot, fingerprint, receipt}. */
export const encryptBallot = (committee, params, marks) =>
  call('ballot_encrypt', { committee, params, marks, seed: seed() });

/** Checks a ballot's proofs. → {fingerprint, receipt}. */
export const verifyBallot = (committee, params, ballot) =>
  call('ballot_verify', { committee, params, ballot });

// ---- The committee member at the count.

/** Verifies every ballot, refuses duplicates and adds them up; `onProgress(done, total)` is
 *  called as it goes (synchronously: in a worker, post it on). → {sum, ballots, digest}. */
export async function verifyBox(committee, params, ballots, onProgress) {
  return withProgress(onProgress, () => call('box_verify', { committee, params, ballots }));
}

/** Verifies and adds up one stretch of a box, `ballots` starting at ballot `first`, for
 *  joinParts in another worker; `onProgress(done, total)` over the stretch. → a part. */
export async function verifyPart(committee, params, ballots, first, onProgress) {
  return withProgress(onProgress, () => call('box_verify_part', { committee, params, ballots, first }));
}

/** Joins the parts of a box of `total` ballots (no gap, overlap or ballot twice), as
 *  verifyBox would have added them up. → {sum, ballots, digest}. */
export const joinParts = (params, parts, total) => call('box_join', { params, parts, total });

async function withProgress(onProgress, run) {
  await load();
  progress = onProgress ?? null;
  try {
    return await run();
  } finally {
    progress = null;
  }
}

/** The member's decryption share of the sum verifyBox returned (`sumDigest` is its digest);
 *  `secret` is the JSON secret or its text form. */
export const decryptionShare = (committee, secret, sumDigest) =>
  call('decryption_share', { committee, secret, sum: sumDigest, seed: seed() });

/** The text form of a member's secret, for a printed QR code. */
export const secretText = async (secret) => (await call('secret_text', { secret })).text;

/** The committee key's fingerprint and short code, computed here from the key itself.
 *  → {fingerprint, code: 'XXXXX-XXXXX'}. */
export const committeeCode = (committee) => call('committee_code', { committee });

/** A member's printed copy: the secret's text form and its QR code as SVG, drawn here.
 *  → {text, svg}. */
export const secretQr = (secret) => call('secret_qr', { secret });

/** Reads a scanned or typed secret for `committee`; throws if it is not a member's share. */
export const secretFromText = async (text, committee) =>
  (await call('secret_from_text', { text, committee })).secret;
