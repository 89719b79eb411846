// The venue's screen: the activity's rotating sign-in code, full screen on a television or a phone, fetched again
// at every 30 s step before it expires; while neither sign-in nor sign-out is open it says so and when it opens.
// It runs in the console's session (a secretary opens it from the activity's page).
import { applyI18n, t } from './i18n.js';
import { errorBox, fmtTime, h, langSwitch, mount } from './ui.js';
import { session } from './console/context.js';

const activityId = new URLSearchParams(location.search).get('activity');
const app = document.getElementById('app');
const RETRY_MS = 5000;
const POLL_WHILE_WAITING_MS = 60000;
let timer = null;
let countdown = null;
let shownUrl = null;
let shown = null;

function later(ms) {
  clearTimeout(timer);
  timer = setTimeout(show, Math.max(500, ms));
}

function fullScreen() {
  return document.fullscreenEnabled ? h('button', { class: 'btn ghost', id: 'full-screen', type: 'button',
    onclick: () => (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()) },
  t('screen.fullScreen')) : null;
}

function frame(...children) {
  mount(app, h('header', { class: 'screen-bar' }, h('span', { class: 'brand' }, h('span', { class: 'logo' }, '党'),
    t('screen.title')), fullScreen(), langSwitch(show)), h('main', { class: 'screen-main', id: 'view' }, ...children));
}

function qrImage(svg) {
  if (shownUrl) URL.revokeObjectURL(shownUrl);
  shownUrl = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  return h('img', { src: shownUrl, alt: t('screen.qrAlt'), class: 'screen-qr' });
}

// Seconds until `at` on the server's clock, from the page's clock and the offset the last answer showed.
function secondsLeft(at, offsetMs) {
  return Math.max(0, Math.round((new Date(at).getTime() - (Date.now() + offsetMs)) / 1000));
}

function render(screen) {
  const offsetMs = new Date(screen.now).getTime() - Date.now();
  const facts = h('div', { class: 'screen-facts' }, h('h1', { id: 'screen-theme' }, screen.theme),
    h('p', { class: 'screen-when' }, fmtTime(screen.starts_at), ' – ', fmtTime(screen.ends_at)),
    h('p', { class: 'screen-venue' }, screen.venue_name));
  clearInterval(countdown);
  if (!screen.code) {
    const waiting = screen.state === 'closed' ? t('screen.closed') : t('screen.notOpen', { at: fmtTime(screen.until) });
    frame(h('section', { class: `screen-card state-${screen.state}`, 'data-state': screen.state },
      facts, h('div', { class: 'screen-waiting', role: 'status' }, waiting)));
    if (screen.state !== 'closed') {
      later(Math.min(POLL_WHILE_WAITING_MS, secondsLeft(screen.until, offsetMs) * 1000 + 1000));
    }
    return;
  }
  const left = h('span', { id: 'screen-countdown' }, String(secondsLeft(screen.code.refresh_at, offsetMs)));
  countdown = setInterval(() => { left.textContent = String(secondsLeft(screen.code.refresh_at, offsetMs)); }, 1000);
  frame(h('section', { class: `screen-card state-${screen.state}`, 'data-state': screen.state },
    h('figure', { class: 'screen-code', id: 'screen-code', 'data-token': screen.code.token,
      'data-refresh-at': screen.code.refresh_at }, qrImage(screen.code.svg)),
    h('div', { class: 'screen-side' }, facts,
      h('p', { class: 'screen-open', role: 'status' }, t(`screen.${screen.state}`),
        ' ', t('screen.until', { at: fmtTime(screen.until) })),
      h('p', { class: 'screen-scan' }, t('screen.scan')),
      h('p', { class: 'muted' }, t('screen.refresh'), ' ', left, ' ', t('screen.seconds')),
      h('div', { id: 'screen-error', 'aria-live': 'polite' }))));
  later(new Date(screen.code.refresh_at).getTime() - new Date(screen.now).getTime() + 300);
}

async function show() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('screen.title');
  if (!activityId) return frame(errorBox({ code: 'ACTIVITY_NOT_FOUND' }));
  if (!session.loggedIn) {
    return frame(h('div', { class: 'card' }, h('p', {}, t('screen.login')),
      h('a', { class: 'btn primary', href: `/console#/activity/${activityId}` }, t('screen.toConsole'))));
  }
  try {
    shown = await session.call(`/activities/${activityId}/screen`);
    return render(shown);
  } catch (error) {
    if (!session.loggedIn) return show();
    const passing = error.status === 0 || error.status >= 500;
    // A code still valid stays up through a short outage (phones scan it meanwhile), with the reason beside it.
    const banner = document.getElementById('screen-error');
    if (passing && shown?.code && Date.now() < new Date(shown.code.expires_at).getTime() && banner) {
      mount(banner, errorBox(error));
    } else {
      frame(errorBox(error));
    }
    if (passing) later(RETRY_MS);
    return undefined;
  }
}

applyI18n(document);
show();
