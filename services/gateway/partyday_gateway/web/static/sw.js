// The member pages' service worker: keeps the page and its files so that a QR code opened without a network
// still shows the sign-in page (the scan is then queued on the phone). Network first, the kept copy offline.
const CACHE = 'partyday-member-v7';
const SHELL = '/m/checkin';
const FILES = ['/static/app.css', '/static/member.js', '/static/account.js', '/static/api.js', '/static/ui.js',
  '/static/i18n.js', '/static/campaign.js', '/static/capabilities.js', '/static/device-key.js', '/static/inbox.js',
  '/static/month.js', '/static/notification-settings.js',
  '/static/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([SHELL, ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const page = event.request.mode === 'navigate';
  if (!page && !FILES.includes(url.pathname)) return;
  const key = page ? SHELL : url.pathname;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
      }
      return response;
    })
    .catch(() => caches.match(key).then((kept) => kept || Response.error())));
});
