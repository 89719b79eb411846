// The public volunteer request page (志愿云呼叫, /help): a resident finds their community's branch by name, says what
// help they need, where and by when, proves their phone with a one-time code and posts the request; the answer's
// token opens the follow page (/help?token=), where they read where it stands, cancel it before it is claimed,
// and confirm and rate the work once it is done. No login: the request is the resident's by its token.
import { query, Session } from './api.js';
import { applyI18n, t } from './i18n.js';
import { act, badge, empty, errorBox, field, fmtTime, h, langSwitch, loading, mount, notice } from './ui.js';

const session = new Session('partyday.help');
const MINE_KEY = 'partyday.help-requests';
const app = document.getElementById('app');
const PAUSE_MS = 300;

function mine() {
  try { return JSON.parse(localStorage.getItem(MINE_KEY)) || []; } catch { return []; }
}

function remember(token, what) {
  localStorage.setItem(MINE_KEY, JSON.stringify([{ token, what }, ...mine().filter((m) => m.token !== token)].slice(0, 20)));
}

function frame(...children) {
  mount(app, h('header', { class: 'topbar phone-bar' }, h('a', { class: 'brand', href: '/help' },
    h('span', { class: 'logo' }, '党'), t('help.title')), langSwitch(start)),
  h('main', { class: 'phone-content', id: 'view' }, ...children));
}

// The community's branch chosen by name: suggestions as the resident pauses, each a button.
function communityPicker(onPick) {
  const input = h('input', { type: 'search', name: 'community', autocomplete: 'off', maxlength: 64,
    placeholder: t('help.communityPlaceholder') });
  const results = h('div', { class: 'picker-results', 'aria-live': 'polite' });
  const chosen = h('p', { class: 'picked' });
  let timer = null;
  const choose = (org) => {
    onPick(org);
    mount(results);
    mount(chosen, org ? [t('help.communityChosen'), ' ', h('strong', {}, org.name)] : null);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    choose(null);
    const q = input.value.trim();
    if (!q) return;
    timer = setTimeout(async () => {
      mount(results, loading());
      try {
        const found = await session.call(`/help/communities${query({ q, page_size: 8 })}`);
        mount(results, found.items.length ? found.items.map((org) => h('button', { type: 'button', class: 'btn pick',
          'data-org': org.org_id, onclick: () => { input.value = org.name; choose(org); } }, org.name))
          : empty(t('help.noCommunity')));
      } catch (error) {
        mount(results, errorBox(error));
      }
    }, PAUSE_MS);
  });
  return h('div', { class: 'member-picker' }, field('help.community', input), results, chosen);
}

function showForm() {
  let community = null;
  const what = h('textarea', { name: 'what', rows: 3, maxlength: 500, required: true });
  const where = h('input', { name: 'where', maxlength: 200, required: true });
  const wantedBy = h('input', { name: 'wanted_by', type: 'datetime-local', required: true });
  const name = h('input', { name: 'name', maxlength: 50, autocomplete: 'name', required: true });
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: 30, required: true });
  const code = h('input', { name: 'code', inputmode: 'numeric', pattern: '\\d{6}', maxlength: 6,
    autocomplete: 'one-time-code', required: true });
  const out = h('div', { class: 'out' });
  const send = h('button', { class: 'btn', type: 'button', id: 'send-code', onclick: async () => {
    if (!phone.value.trim()) { phone.focus(); return; }
    const sent = await act(send, out, () => session.call('/auth/public-code', { method: 'POST',
      body: { phone: phone.value.trim() } }));
    if (sent !== undefined) { mount(out, notice(t('help.codeSent'))); code.focus(); }
  } }, t('vote.sendCode'));
  const submit = h('button', { class: 'btn primary block', type: 'submit' }, t('help.submit'));
  const previous = mine();
  frame(h('form', { class: 'card', id: 'help-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!community) { mount(out, errorBox({ code: 'COMMUNITY_REQUIRED', message: t('help.chooseCommunity') })); return; }
    const body = { org_id: community.org_id, what: what.value.trim(), where: where.value.trim(),
      wanted_by: new Date(wantedBy.value).toISOString(), name: name.value.trim(), phone: phone.value.trim(),
      code: code.value.trim() };
    const posted = await act(submit, out, () => session.call('/help/requests', { method: 'POST', body }));
    if (!posted) return;
    remember(posted.token, posted.request.what);
    history.pushState(null, '', `/help${query({ token: posted.token })}`);
    start();
  } }, h('p', { class: 'muted' }, t('help.hint')), communityPicker((org) => { community = org; }),
  field('help.what', what), field('help.where', where), field('help.wantedBy', wantedBy), field('help.name', name),
  field('login.phone', phone), send, field('vote.code', code), submit, out),
  previous.length ? h('div', { class: 'card', id: 'help-mine' }, h('h3', {}, t('help.mine')),
    h('ul', {}, previous.map((m) => h('li', {}, h('a', { href: `/help${query({ token: m.token })}` }, m.what))))) : null);
}

function ratingForm(token, redraw) {
  const out = h('div', { class: 'out' });
  const rating = h('select', { name: 'rating', required: true },
    [5, 4, 3, 2, 1].map((n) => h('option', { value: n }, `${'★'.repeat(n)} ${n}`)));
  const comment = h('input', { name: 'comment', maxlength: 500 });
  const submit = h('button', { class: 'btn primary block', type: 'submit' }, t('help.confirm'));
  return h('form', { class: 'card', id: 'help-rate', onsubmit: async (event) => {
    event.preventDefault();
    const body = { rating: Number(rating.value), ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) };
    if (await act(submit, out, () => session.call(`/help/requests/${token}/confirm`, { method: 'POST', body }))) redraw();
  } }, h('h3', {}, t('help.rateTitle')), field('help.rating', rating), field('help.comment', comment), submit, out);
}

async function showFollow(token) {
  frame(loading());
  const view = document.getElementById('view');
  let found;
  try {
    found = await session.call(`/help/requests/${token}`);
  } catch (error) {
    mount(view, errorBox(error), h('p', {}, h('a', { href: '/help' }, t('help.new'))));
    return;
  }
  const redraw = () => showFollow(token);
  const out = h('div', { class: 'out' });
  const cancellable = ['submitted', 'accepted', 'dispatched', 'published'].includes(found.state);
  const cancel = h('button', { class: 'btn danger block', id: 'help-cancel', onclick: async () => {
    if (!window.confirm(t('help.cancelConfirm'))) return;
    if (await act(cancel, out, () => session.call(`/help/requests/${token}/cancel`, { method: 'POST' }))) redraw();
  } }, t('help.cancel'));
  const photo = h('img', { alt: t('vol.photo'), class: 'thumb', id: 'help-photo' });
  if (found.has_photo) {
    session.call(`/help/requests/${token}/photo`, { raw: true }).then(async (response) => {
      photo.src = URL.createObjectURL(await response.blob());
    }).catch(() => photo.classList.add('broken'));
  }
  mount(view, h('div', { class: 'card', id: 'help-request', 'data-state': found.state },
    h('h2', {}, found.what, ' ', badge(t(`volstate.${found.state}`), `s-${found.state}`)),
    h('p', {}, `${found.branch_name} · ${found.where}`),
    h('p', { class: 'muted small' }, `${t('vol.wantedBy')} ${fmtTime(found.wanted_by)}`),
    found.decline_reason ? h('p', { class: 'alert warn' }, `${t('vol.declineReason')}: ${found.decline_reason}`) : null,
    found.claimed_by_name ? h('p', {}, `${t('vol.claimedBy')}: ${found.claimed_by_name}`) : null,
    found.completion_note ? h('p', {}, `${t('vol.note')}: ${found.completion_note}`) : null,
    found.has_photo ? photo : null,
    found.rating ? h('p', { id: 'help-rating' }, `${t('help.rating')}: ${'★'.repeat(found.rating)}`) : null),
  h('p', { class: 'muted small' }, t('help.keepLink')),
  found.state === 'done' ? ratingForm(token, redraw) : null,
  cancellable ? cancel : null, out,
  h('div', { class: 'card' }, h('h3', {}, t('vol.history')), h('ol', { class: 'history' },
    found.history.map((s) => h('li', {}, `${fmtTime(s.at)} · ${t(`vol.a.${s.action}`)}`)))),
  h('p', {}, h('a', { href: '/help' }, t('help.new'))));
}

function start() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('help.title');
  const token = new URLSearchParams(location.search).get('token');
  if (token) return showFollow(token);
  return showForm();
}

applyI18n(document);
start();
