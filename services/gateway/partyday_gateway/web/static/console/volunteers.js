// Volunteer requests (志愿云呼叫) of the console's node: the month's counts per branch, the requests filtered by
// state and paged, the overdue ones, and a request's detail where who manages its branch's plans takes it in or
// declines it, dispatches it to members chosen by name or publishes it to the whole branch.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, authImage, badge, errorBox, field, fmtTime, h, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, fmtNumber, orgNode, section, session, state, statusBadge } from './context.js';
import { memberPicker } from './member-picker.js';

export default { title: 'nav.volunteers', needs: ['read'], show: viewVolunteers };

const STATES = ['submitted', 'accepted', 'declined', 'dispatched', 'published', 'claimed', 'done', 'confirmed',
  'cancelled'];
const MOVABLE = ['accepted', 'dispatched', 'published'];

async function viewVolunteers(main, mode = 'list', arg = 'all', page = '1') {
  if (mode === 'request') return showRequest(main, arg);
  if (mode === 'overdue') return showOverdue(main, Number(arg) || 1);
  return showList(main, arg, Number(page) || 1);
}

function overdueBadge(row) {
  return row.overdue ? [' ', badge(t(`vol.overdue.${row.overdue}`), 'warn')] : null;
}

function requestTable(items, emptyKey) {
  return table([
    ['vol.what', (r) => h('a', { href: `#/volunteers/request/${r.request_id}` }, r.what)],
    ['vol.branch', (r) => r.branch_name],
    ['vol.wantedBy', (r) => fmtTime(r.wanted_by)],
    ['vol.state', (r) => [statusBadge('volstate', r.state), overdueBadge(r)]],
  ], items, t(emptyKey));
}

async function statsCard() {
  const card = h('div', { class: 'card', id: 'volunteer-stats' }, h('h3', {}, t('vol.stats', { month: state.month })));
  try {
    const stats = await session.call(`/orgs/${state.org}/volunteer-stats${query({ month: state.month })}`);
    card.append(h('p', { class: 'counts' }, badge(`${t('vol.received')} ${stats.totals.received}`, 'info'),
      badge(`${t('vol.completed')} ${stats.totals.completed}`, 's-accepted')),
    table([['vol.branch', (r) => r.name], ['vol.received', (r) => r.received], ['vol.completed', (r) => r.completed],
      ['vol.rating', (r) => fmtNumber(r.average_rating)]], stats.items, t('vol.noStats')));
  } catch (error) {
    card.append(errorBox(error));
  }
  return card;
}

async function showList(main, chosen, page) {
  const filter = chosen === 'all' ? [] : [chosen];
  const states = filter.map((s) => `&state=${s}`).join('');
  const [answer, stats] = await Promise.all([
    session.call(`/volunteer-requests${query({ org_id: state.org, page, page_size: PAGE_SIZE })}${states}`),
    statsCard(),
  ]);
  const select = h('select', { name: 'state', onchange: (event) => { location.hash = `#/volunteers/list/${event.target.value}/1`; } },
    h('option', { value: 'all' }, t('vol.allStates')),
    STATES.map((s) => h('option', { value: s, selected: s === chosen }, t(`volstate.${s}`))));
  section(main, 'nav.volunteers', stats,
    h('div', { class: 'toolbar' }, h('label', { class: 'field inline' }, h('span', {}, t('vol.state')), select),
      h('a', { class: 'btn', href: '#/volunteers/overdue/1', id: 'volunteer-overdue-link' }, t('vol.overdueTitle'))),
    requestTable(answer.items, 'vol.none'),
    answer.total > PAGE_SIZE
      ? pager(page, PAGE_SIZE, answer.total, (p) => { location.hash = `#/volunteers/list/${chosen}/${p}`; }) : null);
}

async function showOverdue(main, page) {
  const answer = await session.call(`/orgs/${state.org}/volunteer-overdue${query({ page, page_size: PAGE_SIZE })}`);
  section(main, 'vol.overdueTitle', h('p', {}, h('a', { href: '#/volunteers' }, t('vol.back'))),
    requestTable(answer.items, 'vol.noOverdue'),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => { location.hash = `#/volunteers/overdue/${p}`; }) : null);
}

function facts(found) {
  const row = (key, value) => (value === null || value === undefined || value === '' ? null
    : h('div', { class: 'fact' }, h('dt', {}, t(key)), h('dd', {}, value)));
  return h('dl', { class: 'facts' },
    row('vol.what', found.what), row('vol.where', found.where), row('vol.wantedBy', fmtTime(found.wanted_by)),
    row('vol.branch', found.branch_name), row('vol.resident', `${found.resident_name} · ${found.resident_phone}`),
    row('vol.submittedAt', fmtTime(found.submitted_at)), row('vol.acceptBy', fmtTime(found.accept_by)),
    row('vol.declineReason', found.decline_reason), row('vol.claimedBy', found.claimed_by_name),
    row('vol.completedAt', found.completed_at ? fmtTime(found.completed_at) : null),
    row('vol.note', found.completion_note),
    row('vol.rating', found.rating ? `${'★'.repeat(found.rating)} ${found.rating_comment || ''}` : null));
}

function history(found) {
  return table([['vol.when', (s) => fmtTime(s.at)], ['vol.step', (s) => t(`vol.a.${s.action}`)],
    ['vol.state', (s) => statusBadge('volstate', s.to_state)]], found.history, t('common.empty'));
}

async function showRequest(main, requestId) {
  const found = await session.call(`/volunteer-requests/${requestId}`);
  const branch = await orgNode(found.branch_id);
  const out = h('div', { class: 'out' });
  const done = (answer) => { if (answer) showRequest(main, requestId).then(() => mount(document.getElementById('volunteer-out'), notice(t('vol.saved')))); };
  const post = (path, body) => session.call(`/volunteer-requests/${requestId}/${path}`, { method: 'POST', body });
  const controls = [];
  if (can(state.me, 'manage_plans', branch) && found.state === 'submitted') {
    const accept = h('button', { class: 'btn primary', id: 'volunteer-accept',
      onclick: async () => done(await act(accept, out, () => post('accept'))) }, t('vol.accept'));
    const reason = h('input', { name: 'decline_reason', maxlength: 500 });
    const decline = h('button', { class: 'btn danger', id: 'volunteer-decline', onclick: async () => {
      if (!reason.value.trim()) { reason.focus(); return; }
      done(await act(decline, out, () => post('decline', { reason: reason.value.trim() })));
    } }, t('vol.decline'));
    controls.push(h('div', { class: 'card' }, h('h3', {}, t('vol.intake')), accept,
      field('vol.declineReason', reason), decline));
  }
  if (can(state.me, 'manage_plans', branch) && MOVABLE.includes(found.state)) {
    const chosen = new Map();
    const list = h('ul', { class: 'chosen-members' });
    const redraw = () => mount(list, [...chosen.values()].map((m) => h('li', {}, m.name, ' ',
      h('button', { type: 'button', class: 'btn link', onclick: () => { chosen.delete(m.member_id); redraw(); } },
        t('vol.removeMember')))));
    const picker = memberPicker({ name: 'volunteer', label: 'vol.pickMember',
      search: (q) => session.call(`/orgs/${found.branch_id}/members${query({ q, page_size: 10 })}`),
      onPick: (member) => { if (member) { chosen.set(member.member_id, member); redraw(); } } });
    const dispatch = h('button', { class: 'btn primary', id: 'volunteer-dispatch', onclick: async () => {
      if (!chosen.size) return;
      done(await act(dispatch, out, () => post('dispatch', { member_ids: [...chosen.keys()] })));
    } }, t('vol.dispatch'));
    const publish = h('button', { class: 'btn', id: 'volunteer-publish',
      onclick: async () => done(await act(publish, out, () => post('publish'))) }, t('vol.publish'));
    controls.push(h('div', { class: 'card' }, h('h3', {}, t('vol.dispatchTitle')), picker, list, dispatch,
      h('p', { class: 'muted small' }, t('vol.publishHint')), publish));
  }
  section(main, 'vol.detail', h('p', {}, h('a', { href: '#/volunteers' }, t('vol.back'))),
    h('div', { class: 'card', id: 'volunteer-request', 'data-state': found.state },
      h('h3', {}, found.what, ' ', statusBadge('volstate', found.state)), facts(found),
      found.has_photo ? authImage(session, `/volunteer-requests/${requestId}/photo`, t('vol.photo')) : null),
    controls, h('div', { id: 'volunteer-out' }), out, h('div', { class: 'card' }, h('h3', {}, t('vol.history')), history(found)));
}

