// The service worker keeps the app shell (pages, scripts, pdf.js) so that a tablet that
// reloads while the Wi-Fi is down still opens the page and the documents it already has
// (those are kept in IndexedDB by js/offline.js). Browsers run service workers only in a
// secure context (https, or localhost); on plain http the page works without it.
//
// Network first: the hub is on the same LAN, and a fresh script must win over a cached one.

const CACHE = 'hub-shell-v2';
const SHELL = /^\/($|home$|js\/|css\/|vendor\/)/;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(
  caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()),
));

// The page lists what it loaded before this worker controlled it (the first load's shell
// and scripts): fetched again and kept, so the very next reload works offline.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'cache' || !Array.isArray(event.data.urls)) return;
  const urls = [...new Set(event.data.urls.slice(0, 500))].filter((u) => {
    try {
      const url = new URL(u, location.origin);
      return url.origin === location.origin && SHELL.test(url.pathname);
    } catch {
      return false;
    }
  });
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.map((u) =>
    fetch(u).then((r) => (r.ok ? c.put(u, r) : null)).catch(() => null)))));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !SHELL.test(url.pathname)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request, { ignoreSearch: true }).then((r) => r ?? Response.error())),
  );
});
