// Ahead of time: after joining, the tablet downloads in the background every PDF the
// delegate may read, one at a time, checked and kept in IndexedDB (offline.js), within a
// budget of space it shows, so the meeting's papers are there when the Wi-Fi is not. Each
// copy kept is reported as held (`report_held`); opening one is reported apart, so the
// secretariat sees held and opened as they truly are.

import { documentBytes, isKept, keptList, reportHeld } from './offline.js';

/** The space the tablet gives to copies fetched ahead: 200 MB. */
export const BUDGET_BYTES = 200 * 1024 * 1024;

function isPdf(version) {
  return version.content_type === 'application/pdf' || version.file_name.toLowerCase().endsWith('.pdf');
}

/**
 * Starts fetching ahead; `onStatus({held, total, used, budget, over, busy})` hears how far
 * it is (`over`: documents left for opening on demand, past the budget). Runs again when
 * the documents change and when the link comes back. Returns `{stop}`.
 */
export function startPrefetch({ connection, state, onStatus }) {
  let running = false;
  let again = false;
  let stopped = false;
  const status = { held: 0, total: 0, used: 0, budget: BUDGET_BYTES, over: 0, busy: false };
  const tell = () => onStatus?.({ ...status });

  const wanted = () => (state.view?.documents ?? [])
    .filter((d) => d.status === 'published')
    .filter((d) => isPdf(d.versions[d.versions.length - 1]));

  async function count() {
    const docs = wanted();
    const kept = await keptList();
    const keys = new Set(kept.map((m) => m.key));
    status.total = docs.length;
    status.held = docs.filter((d) => keys.has(d.versions[d.versions.length - 1].sha256)).length;
    status.used = kept.reduce((n, m) => n + (m.size ?? 0), 0);
  }

  async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      do {
        again = false;
        status.over = 0;
        await count();
        if (connection.status !== 'online' || stopped) break;
        for (const doc of wanted()) {
          if (stopped || again) break;
          const version = doc.versions[doc.versions.length - 1];
          if (await isKept(doc)) continue;
          if (status.used + version.size > BUDGET_BYTES) { status.over += 1; continue; }
          status.busy = true;
          tell();
          try {
            const stillPublished = () => wanted().some((d) => d.id === doc.id && d.versions.length === doc.versions.length);
            const got = await documentBytes(state.me.meeting, doc, stillPublished);
            if (stillPublished()) reportHeld(connection, doc, got);
          } catch {
            // Refused, gone or cut off: the next change or reconnection tries again.
            status.busy = false;
            break;
          }
          status.busy = false;
          await count();
          tell();
        }
      } while (again && !stopped);
    } finally {
      running = false;
      status.busy = false;
      await count();
      tell();
    }
  }

  const onChange = (e) => {
    const kind = e.detail.kind;
    if (kind === 'snapshot' || kind.startsWith('document_')) run();
  };
  const onStatusChange = (e) => { if (e.detail === 'online') run(); };
  state.addEventListener('change', onChange);
  connection.addEventListener('status', onStatusChange);
  run();
  return {
    stop() {
      stopped = true;
      state.removeEventListener('change', onChange);
      connection.removeEventListener('status', onStatusChange);
    },
  };
}
