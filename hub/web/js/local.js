// What this browser keeps for one badge: ballots being cast, receipts, the committee
// member's key setup and secret. Only a member's share sealed under the member's own
// passphrase (`keepSealed`) outlives a change of badge. Every entry is stored under the badge that made it
// (`hub.own.<meeting>.<participant>.…`), and when another badge joins on this browser (a
// tablet handed to the next delegate) everything of any other badge is deleted before the
// new one's screen is drawn: nothing of a delegate's secret ballot, receipt or share of the
// committee's key survives a change of badge (docs/ARCHITECTURE.md, the web UI).

const PREFIX = 'hub.own.';
// A member's share sealed under their own passphrase (vault.js): kept across a change of
// badge, under the badge that made it, and read only by that badge.
const SEALED = 'hub.vault.';
// Kept by older pages, under no badge at all: never shown to anyone, deleted.
const UNOWNED = [/^hub\.ballot\./, /^hub\.receipts$/];

let owner = null;

/** The badge of a `me` (the snapshot's): its meeting and participant. */
export function ownerOf(me) {
  return me ? `${me.meeting}.${me.participant ?? me.role}` : null;
}

/**
 * Makes `me` the owner of what is stored from now on, and deletes what any other badge
 * left on this browser. Called on every snapshot, before the screen is drawn.
 */
export function adopt(me) {
  owner = ownerOf(me);
  const mine = `${PREFIX}${owner}.`;
  try {
    const gone = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if ((key.startsWith(PREFIX) && !key.startsWith(mine)) || UNOWNED.some((re) => re.test(key))) gone.push(key);
    }
    for (const key of gone) localStorage.removeItem(key);
  } catch { /* storage off: nothing was kept */ }
}

/** The stored value of `name` for the current badge, or `fallback`. */
export function load(name, fallback = null) {
  if (!owner) return fallback;
  try {
    return JSON.parse(localStorage.getItem(`${PREFIX}${owner}.${name}`) ?? 'null') ?? fallback;
  } catch {
    return fallback;
  }
}

/** Stores `value` as `name` for the current badge; `null` deletes it. Returns whether it
 *  was written (a full or disabled store keeps it for this page's life only). */
export function save(name, value) {
  if (!owner) return false;
  try {
    if (value === null || value === undefined) localStorage.removeItem(`${PREFIX}${owner}.${name}`);
    else localStorage.setItem(`${PREFIX}${owner}.${name}`, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** Keeps `value`, which must already be encrypted under the member's passphrase, for the
 *  current badge across a change of badge; `null` deletes it. Whether it was written. */
export function keepSealed(name, value) {
  if (!owner) return false;
  try {
    if (value === null || value === undefined) localStorage.removeItem(`${SEALED}${owner}.${name}`);
    else localStorage.setItem(`${SEALED}${owner}.${name}`, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** What `keepSealed` kept for the current badge, or null. */
export function loadSealed(name) {
  if (!owner) return null;
  try {
    return JSON.parse(localStorage.getItem(`${SEALED}${owner}.${name}`) ?? 'null');
  } catch {
    return null;
  }
}

/** The current badge, to bind a sealed copy to it. */
export function currentOwner() {
  return owner;
}

/** Names stored for the current badge that start with `start`. */
export function names(start) {
  if (!owner) return [];
  const mine = `${PREFIX}${owner}.${start}`;
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key.startsWith(mine)) out.push(key.slice(PREFIX.length + owner.length + 1));
    }
  } catch { /* nothing kept */ }
  return out;
}
