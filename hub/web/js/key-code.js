// The counting committee's key as the hall compares it: `XXXXX-XXXXX`, ten characters of
// the key's SHA-256 fingerprint, computed on this device from the key itself by the ballot
// box (wasm) — never the hub's word for it. The vote panel shows the code of the key the
// ballot is encrypted to, each member's device the code of the key it made with the
// others, and the projector the code of the key the hub announces: if they differ, the
// hub swapped the key (docs/PROTOCOL.md §5.6).

import { box } from './box-worker.js';

const known = new Map(); // the key's JSON → its code, or the Promise computing it

/** The code of `key` if computed already; otherwise starts computing it, calls `redraw`
 *  once it is known, and returns null. */
export function keyCode(key, redraw) {
  if (!key) return null;
  const id = JSON.stringify(key);
  const got = known.get(id);
  if (typeof got === 'string') return got;
  if (!got) {
    known.set(id, box('committeeCode', key).then(
      (r) => { known.set(id, r.code); redraw(); },
      () => known.delete(id), // tried again at the next draw
    ));
  }
  return null;
}
