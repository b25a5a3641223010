// Wendan's service worker: a boot file. Listeners must be registered during
// the first evaluation, so they are registered here, synchronously; the work
// is done in Rust (wendan-sw.js / wendan-sw_bg.wasm, the same outbox and
// store code as the page) inside event.waitUntil once the wasm is ready.
// `cargo xtask` writes the build's content hash below, so every new build
// is a new worker and invalidates exactly the app-shell cache it replaces.
const PRECACHE_VERSION = '__PRECACHE_VERSION__';

importScripts('./wendan-sw.js');
const ready = wasm_bindgen('./wendan-sw_bg.wasm');
const wendan = () => ready.then(() => wasm_bindgen);

self.addEventListener('install', (event) => {
  event.waitUntil(wendan().then((sw) => sw.on_install(PRECACHE_VERSION)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(wendan().then((sw) => sw.on_activate(PRECACHE_VERSION)));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return; // orders are never cached or faked
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const api = url.pathname.startsWith('/api/');
  if (api && url.pathname !== '/api/v1/menu') return; // live data: network only
  event.respondWith(wendan().then((sw) => sw.on_fetch(request, PRECACHE_VERSION)));
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'wendan-outbox') {
    event.waitUntil(wendan().then((sw) => sw.deliver_outbox()));
  }
});

self.addEventListener('message', (event) => {
  if (event.data === 'deliver') {
    event.waitUntil(wendan().then((sw) => sw.deliver_outbox()));
  } else if (event.data === 'skip-waiting') {
    // Take over only when no send is in progress: hold the outbox lock.
    const takeOver = () => self.skipWaiting();
    event.waitUntil(self.navigator.locks ? self.navigator.locks.request('wendan-outbox', takeOver) : takeOver());
  }
});
