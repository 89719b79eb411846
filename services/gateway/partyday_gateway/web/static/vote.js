// The public voting page: a voter logs in with their phone and a one-time code, then votes.
import { Session } from './api.js';
import { showCampaign } from './campaign.js';
import { applyI18n, t } from './i18n.js';
import { act, errorBox, field, h, langSwitch, mount, notice } from './ui.js';

const session = new Session('partyday.public');
const campaignId = new URLSearchParams(location.search).get('campaign');
const app = document.getElementById('app');

function frame(...children) {
  mount(app, h('header', { class: 'topbar phone-bar' }, h('span', { class: 'brand' }, h('span', { class: 'logo' }, '党'),
    t('vote.title')), langSwitch(start),
  session.loggedIn ? h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); start(); } },
    t('common.logout')) : null), h('main', { class: 'phone-content', id: 'view' }, ...children));
}

function showLogin() {
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel', required: true });
  const code = h('input', { name: 'code', inputmode: 'numeric', pattern: '\\d{6}', maxlength: 6, autocomplete: 'one-time-code' });
  const out = h('div', { class: 'out' });
  const send = h('button', { class: 'btn', type: 'button', id: 'send-code', onclick: async () => {
    if (!phone.value.trim()) { phone.focus(); return; }
    if (await act(send, out, () => session.call('/auth/public-code', { method: 'POST', body: { phone: phone.value.trim() } })) !== undefined) {
      mount(out, notice(t('vote.codeSent')));
      code.focus();
    }
  } }, t('vote.sendCode'));
  const login = h('button', { class: 'btn primary block', type: 'submit' }, t('login.submit'));
  frame(h('form', { class: 'card login', onsubmit: async (event) => {
    event.preventDefault();
    await act(login, out, async () => { await session.publicLogin(phone.value.trim(), code.value.trim()); await start(); });
  } }, h('p', { class: 'muted' }, t('vote.hint')), field('login.phone', phone), send, field('vote.code', code), login, out));
}

async function start() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('vote.title');
  if (!session.loggedIn) return showLogin();
  frame();
  const view = document.getElementById('view');
  try {
    await showCampaign(session, view, campaignId);
  } catch (error) {
    if (error.status === 401) return showLogin();
    mount(view, errorBox(error));
  }
  return undefined;
}

applyI18n(document);
start();
