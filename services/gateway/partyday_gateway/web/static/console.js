// The admin console: one page, views addressed by the URL fragment (#/plans, #/activity/<id>, ...).
import { query, Session } from './api.js';
import { applyI18n, errorText, has, t } from './i18n.js';
import {
  act, authImage, badge, blobUrl, download, empty, errorBox, field, fmtTime, h, langSwitch, loading, mount,
  notice, pager, pct, showAbsences, table, thisMonth,
} from './ui.js';

const session = new Session('partyday.session');
const ROLE_ORDER = ['city_admin', 'org_admin', 'auditor', 'branch_admin'];
const DOMAINS = ['rural', 'community', 'government', 'institution', 'state_enterprise', 'private_enterprise',
  'social_org', 'school', 'other'];
const REQUIRED_ACTIONS = ['诵读党章', '缴纳党费', '研学党规党情', '落实组织生活', '民主议事', '民主公开'];
const PAGE_SIZE = 20;
const state = { me: null, home: null, org: null, month: thisMonth() };
const names = new Map();
const app = document.getElementById('app');

const VIEWS = {
  orgs: ['nav.orgs', viewOrgs],
  plan: ['nav.plan', viewPlanDraft],
  directives: ['nav.directives', viewDirectives],
  plans: ['nav.plans', viewPlans],
  media: ['nav.media', viewMedia],
  rankings: ['nav.rankings', viewRankings],
  progress: ['nav.progress', viewProgress],
  overdue: ['nav.overdue', viewOverdue],
  'spot-checks': ['nav.spotChecks', viewSpotChecks],
  rectifications: ['nav.rectifications', viewRectifications],
  campaigns: ['nav.campaigns', viewCampaigns],
  roster: ['nav.roster', viewRoster],
  activity: ['nav.activity', viewActivity],
};
const NAV = ['orgs', 'plan', 'directives', 'plans', 'media', 'rankings', 'progress', 'overdue', 'spot-checks',
  'rectifications', 'campaigns', 'roster'];
// The roles a view's main action needs (permissions.py); the API still decides every call.
const READERS = ['branch_admin', 'org_admin', 'city_admin', 'auditor'];
const NEEDS = {
  plan: ['branch_admin', 'org_admin', 'city_admin'], plans: ['org_admin', 'city_admin', 'auditor'],
  directives: ['org_admin', 'city_admin'], media: ['org_admin', 'city_admin', 'auditor'],
  'spot-checks': ['org_admin', 'city_admin', 'auditor'], campaigns: ['org_admin', 'city_admin'],
  roster: ['branch_admin', 'org_admin', 'city_admin'],
};

function allowed(view) {
  const roles = new Set(state.me.roles.map((grant) => grant.role));
  return (NEEDS[view] || READERS).some((role) => roles.has(role));
}

function defaultView() {
  return ['plans', 'plan', 'progress'].find(allowed);
}

function orgName(id) {
  if (!id) return Promise.resolve('—');
  if (!names.has(id)) {
    names.set(id, session.call(`/orgs/${id}`).then((org) => org.name).catch(() => id));
  }
  return names.get(id);
}

function orgLabel(id) {
  const span = h('span', { class: 'org-name', 'data-org': id }, '…');
  orgName(id).then((name) => { span.textContent = name; });
  return span;
}

function statusBadge(prefix, status) {
  return badge(t(`${prefix}.${status}`), `s-${status}`);
}

async function start() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('console.title');
  if (!session.loggedIn) return showLogin();
  try {
    state.me = await session.call('/me');
  } catch (error) {
    return showLogin(error);
  }
  const roles = [...state.me.roles].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  if (!roles.length) return showLogin(null, true);
  state.home = roles[0].org_id;
  state.org ||= state.home;
  return render();
}

function showLogin(error, noRole = false) {
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const out = h('div', { class: 'out' });
  if (error && error.status !== 401) mount(out, errorBox(error));
  if (noRole) mount(out, notice(t('login.noRole'), 'warn'), h('a', { href: '/m' }, t('login.toMember')));
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('login.submit'));
  const form = h('form', { class: 'card login', onsubmit: async (event) => {
    event.preventDefault();
    await act(button, out, async () => {
      await session.login(phone.value.trim(), password.value);
      await start();
    });
  } }, h('h1', {}, t('console.title')), h('p', { class: 'muted' }, t('login.consoleHint')),
  field('login.phone', phone), field('login.password', password), button, out);
  mount(app, h('div', { class: 'login-page' }, h('div', { class: 'login-top' }, langSwitch(start)), form));
}

function render() {
  const [name] = location.hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS[name] ? name : defaultView();
  const main = h('main', { class: 'content', id: 'view' });
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: `#/${defaultView()}` }, h('span', { class: 'logo' }, '党'), t('console.title')),
    h('div', { class: 'context' }, t('common.org'), ': ', orgLabel(state.org),
      state.org !== state.home ? h('button', { class: 'btn link', onclick: () => { state.org = state.home; render(); } },
        t('common.backHome')) : null),
    h('label', { class: 'month' }, t('common.month'), ' ', h('input', { type: 'month', value: state.month,
      onchange: (event) => { state.month = event.target.value || thisMonth(); render(); } })),
    h('span', { class: 'who' }, state.me.name || ''),
    langSwitch(render),
    h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); showLogin(); } },
      t('common.logout')));
  const nav = h('nav', { class: 'sidenav' }, NAV.filter(allowed).map((key) => h('a', {
    href: `#/${key}`, class: key === view ? 'active' : '' }, t(VIEWS[key][0]))));
  mount(app, header, h('div', { class: 'shell' }, nav, main));
  const args = location.hash.replace(/^#\/?/, '').split('/').slice(1);
  mount(main, h('h2', {}, t(VIEWS[view][0])), loading());
  VIEWS[view][1](main, ...args).catch((error) => mount(main, h('h2', {}, t(VIEWS[view][0])), errorBox(error)));
}

function section(main, titleKey, ...children) {
  mount(main, h('h2', {}, t(titleKey)), ...children);
}

// Organisation tree: lazily opened children; choosing a node makes it the console's context.
async function viewOrgs(main) {
  const tree = h('ul', { class: 'tree' }, await treeNode(state.home, true));
  const detail = h('div', { class: 'panel' });
  section(main, 'nav.orgs', h('div', { class: 'split' }, h('div', { class: 'panel tree-panel' }, tree), detail));
  await showOrg(detail, state.org, 1);
}

async function treeNode(orgId, open = false) {
  const org = await session.call(`/orgs/${orgId}`);
  names.set(orgId, Promise.resolve(org.name));
  const children = h('ul', {});
  const toggle = h('button', { class: 'twisty', 'aria-label': t('orgs.expand') }, org.level === 'branch' ? '·' : '+');
  const item = h('li', {}, toggle, h('a', { href: '#/orgs', class: orgId === state.org ? 'current' : '',
    onclick: (event) => { event.preventDefault(); state.org = orgId; render(); } }, org.name,
  h('small', {}, ` ${t(`level.${org.level}`)}`)), children);
  let loaded = false;
  const expand = async () => {
    if (org.level === 'branch') return;
    if (loaded) { children.hidden = !children.hidden; toggle.textContent = children.hidden ? '+' : '−'; return; }
    loaded = true;
    toggle.textContent = '−';
    const page = await session.call(`/orgs/${orgId}/children${query({ page_size: 100 })}`);
    for (const child of page.items) names.set(child.org_id, Promise.resolve(child.name));
    mount(children, await Promise.all(page.items.map((child) => treeNode(child.org_id))));
    if (page.total > page.items.length) children.append(h('li', { class: 'muted' }, t('orgs.more', { n: page.total - page.items.length })));
  };
  toggle.addEventListener('click', expand);
  if (open) await expand();
  return item;
}

async function showOrg(panel, orgId, page) {
  const org = await session.call(`/orgs/${orgId}`);
  const members = await session.call(`/orgs/${orgId}/members${query({ page, page_size: PAGE_SIZE })}`);
  const absences = h('div', {});
  mount(panel, h('h3', {}, org.name),
    h('dl', { class: 'facts' }, h('dt', {}, t('orgs.code')), h('dd', {}, org.code),
      h('dt', {}, t('orgs.level')), h('dd', {}, t(`level.${org.level}`)),
      h('dt', {}, t('orgs.domain')), h('dd', {}, t(`domain.${org.domain}`)),
      h('dt', {}, t('orgs.kind')), h('dd', {}, t(`kind.${org.kind}`))),
    org.level === 'branch' ? h('div', { class: 'toolbar' },
      h('a', { class: 'btn', href: `#/rectifications/new/${org.org_id}` }, t('spot.rectify'))) : null,
    h('h4', {}, t('orgs.members')),
    table([['member.name', (m) => m.name], ['member.phone', (m) => m.phone],
      ['member.flags', (m) => [m.probationary ? badge(t('member.probationary')) : null,
        m.mobile ? badge(t('member.mobile'), 'info') : null, m.lost_contact ? badge(t('member.lost'), 'warn') : null,
        m.active ? null : badge(t('member.inactive'), 'muted')]],
      ['member.joined', (m) => m.joined_on || '—']], members.items, t('orgs.noMembers')),
    members.total > PAGE_SIZE ? pager(page, PAGE_SIZE, members.total, (p) => showOrg(panel, orgId, p)) : null,
    absences);
  if (org.level === 'branch') await showAbsences(session, absences, orgId);
}

// Times typed in the organisation's time zone (datetime-local has none), sent as instants.
function zoneOffset(instant, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - instant;
}

function wallToIso(value, timeZone) {
  const [day, time] = value.split('T');
  const [year, month, date] = day.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  const guess = wall - zoneOffset(wall, timeZone);
  return new Date(wall - zoneOffset(guess, timeZone)).toISOString();
}

function isoToWall(iso, timeZone) {
  const instant = new Date(iso).getTime();
  return new Date(instant + zoneOffset(instant, timeZone)).toISOString().slice(0, 16);
}

// The branch's plan for the month: drafted, changed while draft or returned, and submitted for review.
async function viewPlanDraft(main) {
  const org = await session.call(`/orgs/${state.org}`);
  if (org.level !== 'branch') return section(main, 'nav.plan', empty(t('draft.chooseBranch')));
  const month = await session.call(`/branches/${state.org}/months/${state.month}`);
  const plan = month.plan;
  const zone = month.time_zone;
  const task = h('div', { class: 'card' }, h('h3', {}, org.name, ' · ', state.month),
    h('dl', { class: 'facts' },
      h('dt', {}, t('draft.task')), h('dd', {}, month.directives.map((d) => d.theme).join('；') || t('directives.none')),
      h('dt', {}, t('directives.required')), h('dd', {}, month.required_actions.join('、') || '—'),
      h('dt', {}, t('draft.planDue')), h('dd', {}, fmtTime(month.plan_due)),
      h('dt', {}, t('draft.summaryDue')), h('dd', {}, fmtTime(month.summary_due))));
  if (plan && !['draft', 'returned'].includes(plan.status)) {
    return section(main, 'nav.plan', task, h('div', { class: 'card', id: 'plan-state' },
      h('h3', {}, plan.theme, ' ', statusBadge('plan', plan.status), plan.submitted_late ? [' ', badge(t('plan.late'), 'warn')] : null),
      h('p', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at), ' · ', plan.venue.name),
      plan.activity_id ? h('a', { class: 'btn', href: `#/activity/${plan.activity_id}` }, t('plan.open')) : null));
  }
  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const theme = input('theme', { required: true, maxlength: 200, value: plan?.theme || month.directives[0]?.theme || '' });
  const starts = input('starts_at', { type: 'datetime-local', required: true, value: plan ? isoToWall(plan.starts_at, zone) : '' });
  const ends = input('ends_at', { type: 'datetime-local', required: true, value: plan ? isoToWall(plan.ends_at, zone) : '' });
  const venue = input('venue', { required: true, maxlength: 200, value: plan?.venue.name || '' });
  const lat = input('lat', { type: 'number', step: 'any', min: -90, max: 90, required: true, value: plan?.venue.lat ?? org.venue_lat ?? '' });
  const lon = input('lon', { type: 'number', step: 'any', min: -180, max: 180, required: true, value: plan?.venue.lon ?? org.venue_lon ?? '' });
  const radius = input('radius_m', { type: 'number', min: 50, max: 1000, value: plan?.venue.radius_m ?? 300 });
  const actions = [...new Set([...month.required_actions, ...(plan?.required_actions || [])])].map((action) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: action, checked: true }), action));
  const optional = input('optional', { value: (plan?.optional_actions || []).join('、'), placeholder: t('draft.optionalHint') });
  const out = h('div', {});
  const here = h('button', { class: 'btn link', type: 'button', onclick: () => navigator.geolocation?.getCurrentPosition(
    (found) => { lat.value = found.coords.latitude.toFixed(6); lon.value = found.coords.longitude.toFixed(6); },
    () => mount(out, errorBox({ code: 'GEO_UNAVAILABLE' }))) }, t('draft.here'));
  const body = () => ({
    theme: theme.value.trim(), starts_at: wallToIso(starts.value, zone), ends_at: wallToIso(ends.value, zone),
    venue: { name: venue.value.trim(), lat: Number(lat.value), lon: Number(lon.value), radius_m: Number(radius.value) },
    required_actions: actions.map((label) => label.querySelector('input')).filter((c) => c.checked).map((c) => c.value),
    optional_actions: optional.value.split(/[,，、]/).map((a) => a.trim()).filter(Boolean),
  });
  const save = () => (plan ? session.call(`/plans/${plan.plan_id}`, { method: 'PATCH', body: body() })
    : session.call('/plans', { method: 'POST', body: { branch_id: state.org, month: state.month, ...body() } }));
  const draft = h('button', { class: 'btn', type: 'button', onclick: async () => {
    if (form.reportValidity() && await act(draft, out, save)) render();
  } }, t('draft.save'));
  const submit = h('button', { class: 'btn primary', type: 'submit' }, t('draft.submit'));
  const form = h('form', { class: 'card form', id: 'plan-form', onsubmit: async (event) => {
    event.preventDefault();
    const saved = await act(submit, out, save);
    if (saved && await act(submit, out, () => session.call(`/plans/${saved.plan_id}/submit`, { method: 'POST' }))) render();
  } }, h('h3', {}, plan ? t('draft.edit') : t('draft.new'), plan ? [' ', statusBadge('plan', plan.status)] : null),
  plan?.review_comment ? h('div', { class: 'comment' }, t('plan.comment'), ': ', plan.review_comment) : null,
  field('plan.theme', theme), h('div', { class: 'row' }, field('draft.starts', starts), field('draft.ends', ends)),
  h('small', { class: 'muted' }, t('draft.zone', { zone })),
  field('plan.venue', venue), h('div', { class: 'row' }, field('draft.lat', lat), field('draft.lon', lon), field('draft.radius', radius), here),
  h('fieldset', {}, h('legend', {}, t('directives.required')), actions.length ? actions : t('draft.noRequired')),
  field('plan.optional', optional), h('div', { class: 'row' }, draft, submit), out);
  return section(main, 'nav.plan', task, form);
}

async function viewDirectives(main) {
  const list = h('div', {});
  const out = h('div', {});
  const theme = h('input', { name: 'theme', required: true, maxlength: 200 });
  const actions = REQUIRED_ACTIONS.map((action) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: action, checked: true }), action));
  const extra = h('input', { name: 'extra', placeholder: t('directives.extraHint') });
  const materials = h('textarea', { name: 'materials', rows: 3, placeholder: t('directives.materialsHint') });
  const planDay = h('input', { type: 'number', min: 1, max: 28, value: 5 });
  const summaryDay = h('input', { type: 'number', min: 1, max: 28, value: 25 });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('directives.dispatch'));
  const form = h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const required = actions.map((label) => label.querySelector('input')).filter((c) => c.checked).map((c) => c.value)
      .concat(extra.value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean));
    const sent = await act(button, out, () => session.call('/directives', { method: 'POST', body: {
      org_id: state.org, month: state.month, theme: theme.value.trim(), required_actions: required,
      study_materials: materials.value.split('\n').map((s) => s.trim()).filter(Boolean),
      plan_deadline_day: Number(planDay.value), summary_deadline_day: Number(summaryDay.value) } }));
    if (sent) {
      mount(out, notice(t('directives.sent', { theme: sent.theme })));
      form.reset();
      await listDirectives(list);
    }
  } }, h('h3', {}, t('directives.new'), ' · ', orgLabel(state.org), ' · ', state.month),
  field('directives.theme', theme), h('fieldset', {}, h('legend', {}, t('directives.required')), actions, extra),
  field('directives.materials', materials),
  h('div', { class: 'row' }, field('directives.planDay', planDay), field('directives.summaryDay', summaryDay)),
  button, out);
  section(main, 'nav.directives', form, h('h3', {}, t('directives.list')), list);
  await listDirectives(list);
}

async function listDirectives(list) {
  const items = await session.call(`/directives${query({ org_id: state.org, month: state.month })}`);
  mount(list, table([['directives.theme', (d) => d.theme], ['common.org', (d) => orgLabel(d.org_id)],
    ['directives.required', (d) => d.required_actions.join('、')],
    ['directives.deadlines', (d) => t('directives.days', { plan: d.plan_deadline_day, summary: d.summary_deadline_day })],
    ['directives.published', (d) => fmtTime(d.published_at)]], items, t('directives.none')));
}

// The plan review queue: submitted plans of the subtree, approved or returned with a comment.
async function viewPlans(main, status = 'submitted', page = '1') {
  const filter = h('select', { onchange: (event) => { location.hash = `#/plans/${event.target.value}`; } },
    ['submitted', 'returned', 'published', 'held', 'summarized', 'archived', 'draft'].map((s) =>
      h('option', { value: s, selected: s === status }, t(`plan.${s}`))));
  const out = h('div', {});
  const answer = await session.call(`/plans${query({ org_id: state.org, month: state.month, status,
    page: Number(page), page_size: PAGE_SIZE })}`);
  const rows = answer.items.map((plan) => planRow(plan, out));
  section(main, 'nav.plans', h('div', { class: 'toolbar' }, field('plan.status', filter)), out,
    rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'plans' },
      h('thead', {}, h('tr', {}, ['plan.branch', 'plan.theme', 'plan.when', 'plan.venue', 'plan.status', 'common.actions']
        .map((key) => h('th', {}, t(key))))), h('tbody', {}, rows)))
      : empty(t('plan.noneWithStatus', { status: t(`plan.${status}`) })),
    answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total,
      (p) => { location.hash = `#/plans/${status}/${p}`; }) : null);
}

function planRow(plan, out) {
  const actions = h('td', { class: 'actions' });
  const row = h('tr', { 'data-plan': plan.plan_id },
    h('td', {}, orgLabel(plan.branch_id)),
    h('td', {}, plan.theme, plan.submitted_late ? [' ', badge(t('plan.late'), 'warn')] : null,
      h('div', { class: 'muted small' }, [...plan.required_actions, ...plan.optional_actions].join('、')),
      plan.review_comment ? h('div', { class: 'comment' }, t('plan.comment'), ': ', plan.review_comment) : null),
    h('td', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at)),
    h('td', {}, plan.venue.name, h('div', { class: 'muted small' }, t('plan.radius', { m: plan.venue.radius_m }))),
    h('td', { class: 'status' }, statusBadge('plan', plan.status)), actions);
  const replace = (updated) => row.replaceWith(planRow(updated, out));
  if (plan.status === 'submitted') {
    const approve = h('button', { class: 'btn primary', 'data-action': 'approve', onclick: async () => {
      const updated = await act(approve, out, () => session.call(`/plans/${plan.plan_id}/approve`, { method: 'POST' }));
      if (updated) { mount(out, notice(t('plan.approvedNote', { theme: plan.theme }))); replace(updated); }
    } }, t('plan.approve'));
    const comment = h('input', { placeholder: t('plan.commentHint'), 'aria-label': t('plan.comment') });
    const back = h('button', { class: 'btn', 'data-action': 'return', onclick: async () => {
      if (!comment.value.trim()) { comment.focus(); mount(out, notice(t('plan.commentNeeded'), 'warn')); return; }
      const updated = await act(back, out, () => session.call(`/plans/${plan.plan_id}/return`,
        { method: 'POST', body: { comment: comment.value.trim() } }));
      if (updated) { mount(out, notice(t('plan.returnedNote', { theme: plan.theme }))); replace(updated); }
    } }, t('plan.return'));
    mount(actions, approve, h('div', { class: 'return' }, comment, back));
  } else if (plan.activity_id) {
    mount(actions, h('a', { class: 'btn', href: `#/activity/${plan.activity_id}` }, t('plan.open')));
  }
  return row;
}

// Activity detail: plan, sign-in sheet with reasons, photos, summary, score breakdown, QR poster.
async function viewActivity(main, activityId) {
  const [activity, sheet, media, score] = await Promise.all([
    session.call(`/activities/${activityId}`), session.call(`/activities/${activityId}/attendance`),
    session.call(`/activities/${activityId}/media`).catch(() => null),
    session.call(`/activities/${activityId}/score`).catch(() => null)]);
  const plan = activity.plan;
  const out = h('div', {});
  const poster = h('button', { class: 'btn primary', onclick: () => act(poster, out,
    () => download(session, `/activities/${activityId}/qr?format=pdf`, `checkin-${activityId}.pdf`)) }, t('activity.poster'));
  const png = h('button', { class: 'btn', onclick: () => act(png, out,
    () => download(session, `/activities/${activityId}/qr?format=png`, `checkin-${activityId}.png`)) }, t('activity.qrPng'));
  const sheetXlsx = h('button', { class: 'btn', onclick: () => act(sheetXlsx, out,
    () => download(session, `/activities/${activityId}/attendance.xlsx`, `attendance-${activityId}.xlsx`)) },
  t('activity.sheetXlsx'));
  const counts = sheet.members.reduce((acc, row) => ({ ...acc, [row.status]: (acc[row.status] || 0) + 1 }), {});
  section(main, 'nav.activity',
    h('div', { class: 'card' }, h('h3', {}, plan.theme, ' ', statusBadge('plan', plan.status)),
      h('dl', { class: 'facts' }, h('dt', {}, t('plan.branch')), h('dd', {}, orgLabel(plan.branch_id)),
        h('dt', {}, t('plan.when')), h('dd', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at)),
        h('dt', {}, t('plan.venue')), h('dd', {}, plan.venue.name, ' ', t('plan.radius', { m: plan.venue.radius_m })),
        h('dt', {}, t('directives.required')), h('dd', {}, plan.required_actions.join('、') || '—'),
        h('dt', {}, t('plan.optional')), h('dd', {}, plan.optional_actions.join('、') || '—')),
      h('div', { class: 'toolbar' }, poster, png, sheetXlsx), out),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h3', {}, t('activity.attendance'),
        sheet.closed ? [' ', badge(t('activity.closed'), 'muted')] : null),
      h('p', { class: 'counts' }, Object.entries(counts).map(([s, n]) => badge(`${t(`att.${s}`)} ${n}`, `s-${s}`))),
      table([['member.name', (r) => [r.name, r.guest ? [' ', badge(t('activity.guest'), 'info')] : null,
        r.mobile ? [' ', badge(t('member.mobile'), 'info')] : null]],
      ['att.status', (r) => [statusBadge('att', r.status), r.sent_late ? [' ', badge(t('att.sentLate'), 'warn')] : null]],
      ['att.in', (r) => fmtTime(r.signed_in_at)], ['att.out', (r) => fmtTime(r.signed_out_at)]],
      sheet.members, t('activity.noMembers'))),
      h('div', { class: 'card', id: 'score' }, h('h3', {}, t('score.title')), scoreCard(score),
        score ? superiorScoreForm(activityId, score) : null)),
    leaveCard(activityId, sheet.closed),
    scanLogCard(activityId),
    h('div', { class: 'card', id: 'summary' }, h('h3', {}, t('activity.summary'),
      plan.summary_late ? [' ', badge(t('plan.late'), 'warn')] : null),
    plan.summary ? h('p', { class: 'summary' }, plan.summary) : summaryForm(activityId)),
    h('div', { class: 'card' }, h('h3', {}, t('activity.photos'),
      media ? h('small', { class: 'muted' }, ' ', t('media.detailScore', { n: media.detail_score })) : null),
    media && media.items.length ? h('div', { class: 'gallery' }, media.items.map(mediaCard)) : empty(t('activity.noPhotos'))));
}

// Leave requests (请假) of the activity: the branch admin approves or rejects those pending until it closes.
function leaveCard(activityId, closed) {
  const card = h('div', { class: 'card', id: 'leave' });
  const out = h('div', {});
  const show = async (page) => {
    const answer = await session.call(`/activities/${activityId}/leave-requests${query({ page, page_size: PAGE_SIZE })}`);
    const decide = (row, decision) => {
      const button = h('button', { class: `btn ${decision === 'approve' ? 'primary' : 'ghost'}`, 'data-action': decision,
        onclick: async () => {
          if (await act(button, out, () => session.call(`/leave-requests/${row.leave_id}/${decision}`, { method: 'POST' }))) {
            await show(page);
          }
        } }, t(`leave.${decision}`));
      return button;
    };
    mount(card, h('h3', {}, t('leave.title')),
      table([['member.name', (row) => row.name || row.member_id], ['leave.reason', (row) => row.reason],
        ['leave.requested', (row) => fmtTime(row.requested_at)], ['att.status', (row) => statusBadge('leave', row.status)],
        ['common.actions', (row) => (row.status === 'pending' && !closed ? [decide(row, 'approve'), ' ', decide(row, 'reject')] : null)]],
      answer.items, t('leave.none')),
      answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, show) : null, out);
  };
  show(1).catch((error) => mount(card, h('h3', {}, t('leave.title')), errorBox(error)));
  return card;
}

// Every sign-in and sign-out attempt with the evidence it was judged on, refusals included: a superior's or an
// auditor's check of the sheet (the branch's own admin is refused, and sees nothing here).
function scanLogCard(activityId) {
  const card = h('div', { class: 'card', id: 'scans' });
  const where = (row) => {
    const distance = row.distance_m ?? row.details?.distance_m;
    const accuracy = row.accuracy_m === null ? '' : ` ±${Math.round(row.accuracy_m)} m`;
    return distance === undefined || distance === null ? accuracy || '—' : `${Math.round(distance)} m${accuracy}`;
  };
  const show = async (outcome, page) => {
    const log = await session.call(`/activities/${activityId}/scans${query({ outcome, page, page_size: PAGE_SIZE })}`);
    const filter = (value, label) => h('button', { class: `btn ${outcome === value ? 'primary' : 'ghost'}`,
      onclick: () => show(value, 1) }, t(label));
    const outcomeBadge = (code) => (code === 'ok' ? badge(t('scans.ok'), 's-signed_in')
      : badge(errorText({ code, message: code }), 'warn'));
    card.dataset.outcome = outcome || 'all';
    mount(card, h('h3', {}, t('scans.title')),
      h('p', { class: 'counts' }, Object.entries(log.outcomes).map(([code, n]) => [outcomeBadge(code), ` ${n} `])),
      h('div', { class: 'toolbar' }, filter(undefined, 'scans.all'), filter('refused', 'scans.refused')),
      table([['scans.time', (row) => fmtTime(row.server_time)], ['member.name', (row) => row.name || row.member_id],
        ['scans.kind', (row) => t(`scans.${row.kind}`)],
        ['scans.outcome', (row) => [outcomeBadge(row.accepted ? 'ok' : row.reason),
          row.sent_late ? [' ', badge(t('att.sentLate'), 'warn')] : null]],
        ['scans.where', where], ['scans.device', (row) => row.device_id], ['scans.ip', (row) => row.client_ip || '—']],
      log.items, t('scans.none')),
      log.total > PAGE_SIZE ? pager(page, PAGE_SIZE, log.total, (next) => show(outcome, next)) : null);
  };
  show(undefined, 1).catch((error) => (error.status === 403 ? card.remove()
    : mount(card, h('h3', {}, t('scans.title')), errorBox(error))));
  return card;
}

function scoreCard(score) {
  if (!score) return empty(t('score.none'));
  const rows = Object.entries(score.weights).map(([key, weight]) => h('tr', {},
    h('td', {}, t(`score.${key}`)), h('td', {}, `${weight}`),
    h('td', {}, score.not_applicable.includes(key) ? t('score.na') : pct(score.indicators[key]))));
  return [h('div', { class: 'big' }, score.total === null ? '—' : fmtNumber(score.total),
    h('small', {}, ' ', t(`score.status.${score.status}`))),
  h('table', { class: 'table compact' }, h('thead', {}, h('tr', {}, h('th', {}, t('score.indicator')),
    h('th', {}, t('score.weight')), h('th', {}, t('score.value')))), h('tbody', {}, rows))];
}

function summaryForm(activityId) {
  const text = h('textarea', { rows: 5, name: 'summary', maxlength: 20000, placeholder: t('activity.summaryHint') });
  const out = h('div', {});
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('activity.submitSummary'));
  return [empty(t('activity.noSummary')), h('form', { class: 'form', onsubmit: async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { text.focus(); return; }
    if (await act(button, out, () => session.call(`/activities/${activityId}/summary`,
      { method: 'POST', body: { text: text.value.trim() } }))) render();
  } }, text, button, out)];
}

function superiorScoreForm(activityId, score) {
  const value = h('input', { type: 'number', min: 0, max: 100, step: 1, name: 'superior_score',
    value: score.indicators.superior_score === null ? '' : Math.round(score.indicators.superior_score * 100) });
  const out = h('div', {});
  const button = h('button', { class: 'btn', type: 'submit' }, t('score.give'));
  return h('form', { class: 'row', onsubmit: async (event) => {
    event.preventDefault();
    if (await act(button, out, () => session.call(`/activities/${activityId}/superior-score`,
      { method: 'POST', body: { score: Number(value.value) } }))) render();
  } }, field('score.superior_score', value, t('score.giveHint')), button, out);
}

function fmtNumber(value) {
  return value === null || value === undefined ? '—' : (Math.round(value * 10) / 10).toString();
}

function mediaCard(item, actions) {
  const flags = [statusBadge('media', item.status)];
  if (item.possible_forgery) flags.push(badge(t('media.forgery'), 'danger'));
  for (const duplicate of item.duplicates || []) {
    flags.push(badge(t(duplicate.match === 'exact' ? 'media.duplicateExact' : 'media.duplicateNear'), 'warn'));
  }
  const evidence = item.evidence || {};
  if (evidence.on_activity_day === false) flags.push(badge(t('media.otherDay'), 'warn'));
  if (evidence.near_venue === false) flags.push(badge(t('media.farFromVenue', { m: evidence.distance_m }), 'warn'));
  return h('figure', { class: 'media-card', 'data-media': item.media_id },
    item.thumbnail_url ? authImage(session, item.thumbnail_url, item.caption || '') : h('div', { class: 'thumb file' }, item.format),
    h('figcaption', {}, h('div', {}, item.caption || item.original_name || '—'),
      item.action ? h('div', { class: 'muted small' }, item.action) : null,
      h('div', { class: 'flags' }, flags),
      evidence.taken_at ? h('div', { class: 'muted small' }, t('media.takenAt', { at: fmtTime(evidence.taken_at) })) : null,
      item.reject_reason ? h('div', { class: 'comment' }, item.reject_reason) : null, actions || null));
}

async function viewMedia(main, status = 'pending', page = '1') {
  const filter = h('select', { onchange: (event) => { location.hash = `#/media/${event.target.value}`; } },
    ['pending', 'approved', 'rejected'].map((s) => h('option', { value: s, selected: s === status }, t(`media.${s}`))));
  const out = h('div', {});
  const answer = await session.call(`/media${query({ org_id: state.org, status, page: Number(page), page_size: PAGE_SIZE })}`);
  const cards = answer.items.map((item) => reviewCard(item, out));
  section(main, 'nav.media', h('div', { class: 'toolbar' }, field('media.status', filter)), out,
    cards.length ? h('div', { class: 'gallery wide' }, cards) : empty(t('media.empty')),
    answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total,
      (p) => { location.hash = `#/media/${status}/${p}`; }) : null);
}

function reviewCard(item, out) {
  if (item.status !== 'pending') {
    return mediaCard(item, h('a', { href: `#/activity/${item.activity_id}` }, t('media.activity')));
  }
  const reason = h('input', { placeholder: t('media.reasonHint'), 'aria-label': t('media.reason') });
  const approve = h('button', { class: 'btn primary', 'data-action': 'approve', onclick: async () => {
    const updated = await act(approve, out, () => session.call(`/media/${item.media_id}/approve`, { method: 'POST' }));
    if (updated) card.replaceWith(reviewCard(updated, out));
  } }, t('media.approve'));
  const reject = h('button', { class: 'btn', 'data-action': 'reject', onclick: async () => {
    if (!reason.value.trim()) { reason.focus(); mount(out, notice(t('media.reasonNeeded'), 'warn')); return; }
    const updated = await act(reject, out, () => session.call(`/media/${item.media_id}/reject`,
      { method: 'POST', body: { reason: reason.value.trim() } }));
    if (updated) card.replaceWith(reviewCard(updated, out));
  } }, t('media.reject'));
  const card = mediaCard(item, h('div', { class: 'review' }, orgLabel(item.branch_id), ' · ',
    h('a', { href: `#/activity/${item.activity_id}` }, t('media.activity')), h('div', { class: 'row' }, approve, reason, reject)));
  return card;
}

function domainSelect(value, onChange) {
  return h('select', { onchange: (event) => onChange(event.target.value) },
    h('option', { value: '' }, t('domain.all')), DOMAINS.map((d) => h('option', { value: d, selected: d === value }, t(`domain.${d}`))));
}

// Rankings: the API's SVG bar chart and the ordered table.
async function viewRankings(main, period = state.month, domain = '', group = 'branches') {
  const go = (p, d, g) => { location.hash = `#/rankings/${p}/${d}/${g}`; };
  const periodInput = h('input', { value: period, size: 8, pattern: '\\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?',
    onchange: (event) => go(event.target.value.trim() || state.month, domain, group) });
  const groupSelect = h('select', { onchange: (event) => go(period, domain, event.target.value) },
    ['branches', 'children'].map((g) => h('option', { value: g, selected: g === group }, t(`rank.group.${g}`))));
  const params = query({ org_id: state.org, period, domain, group });
  const ranking = await session.call(`/rankings${params}`);
  const chart = h('div', { class: 'chart', id: 'ranking-chart' });
  section(main, 'nav.rankings', h('div', { class: 'toolbar' }, field('rank.period', periodInput, t('rank.periodHint')),
    field('orgs.domain', domainSelect(domain, (d) => go(period, d, group))), field('rank.group', groupSelect)),
  h('div', { class: 'card' }, chart),
  table([['rank.rank', (r) => r.rank], ['rank.name', (r) => r.name], ['orgs.domain', (r) => t(`domain.${r.domain}`)],
    ['rank.score', (r) => fmtNumber(r.score)], ['score.sign_in_rate', (r) => pct(r.sign_in_rate)],
    ['rank.activities', (r) => r.activities]], ranking.items, t('rank.empty')),
  ranking.unscored ? h('p', { class: 'muted' }, t('rank.unscored', { n: ranking.unscored })) : null);
  if (!ranking.items.length) return mount(chart, empty(t('rank.empty')));
  const url = await blobUrl(session, `/rankings/chart${params}&format=svg`);
  return mount(chart, h('img', { src: url, alt: t('rank.chartAlt'), id: 'ranking-chart-image' }));
}

// The progress dashboard: per child node, how many branches planned, were approved, held, documented, scored.
async function viewProgress(main, domain = '') {
  const progress = await session.call(`/dashboards/progress${query({ org_id: state.org, month: state.month, domain })}`);
  const stages = ['planned', 'approved', 'held', 'documented', 'scored'];
  const bars = (tally) => h('div', { class: 'bars' }, stages.map((stage) => h('div', { class: 'bar-row' },
    h('span', { class: 'bar-label' }, t(`progress.${stage}`)),
    h('span', { class: 'bar' }, h('span', { class: `fill f-${stage}`, style: `width:${Math.round((tally.rates[stage] || 0) * 100)}%` })),
    h('span', { class: 'bar-value' }, `${tally[stage]}/${tally.branches} · ${pct(tally.rates[stage])}`))));
  section(main, 'nav.progress', h('div', { class: 'toolbar' },
    field('orgs.domain', domainSelect(domain, (d) => { location.hash = `#/progress/${d}`; }))),
  h('div', { class: 'card', id: 'progress-total' }, h('h3', {}, progress.name, ' · ', progress.month,
    ' · ', t('progress.branches', { n: progress.branches })), bars(progress)),
  progress.children.length ? h('div', { class: 'grid3' }, progress.children.map((child) => h('div', { class: 'card' },
    h('h4', {}, h('a', { href: '#/progress', onclick: (event) => { event.preventDefault(); state.org = child.org_id; render(); } },
      child.name), ' ', h('small', { class: 'muted' }, t(`domain.${child.domain}`), ' · ', t('progress.branches', { n: child.branches }))),
    bars(child)))) : empty(t('progress.noChildren')));
}

async function viewOverdue(main, page = '1') {
  const answer = await session.call(`/orgs/${state.org}/overdue${query({ month: state.month, page: Number(page), page_size: PAGE_SIZE })}`);
  section(main, 'nav.overdue', table([['plan.branch', (r) => r.name], ['overdue.parent', (r) => orgLabel(r.parent_id)],
    ['overdue.missing', (r) => r.missing.map((m) => badge(t(`overdue.${m}`), 'warn'))],
    ['common.actions', (r) => h('a', { href: `#/rectifications/new/${r.branch_id}` }, t('spot.rectify'))]],
  answer.items, t('overdue.none')),
  answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total, (p) => { location.hash = `#/overdue/${p}`; }) : null);
}

async function viewSpotChecks(main) {
  const size = h('input', { type: 'number', min: 1, max: 50, value: 5 });
  const out = h('div', {});
  const results = h('div', {});
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('spot.run'));
  section(main, 'nav.spotChecks', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    mount(out);
    const answer = await act(button, out, () => session.call('/spot-checks', { method: 'POST',
      body: { month: state.month, org_id: state.org, sample_size: Number(size.value) } }));
    if (answer) mount(results, spotResults(answer));
  } }, h('p', { class: 'muted' }, t('spot.hint')), field('spot.size', size), button, out), results);
}

function spotResults(answer) {
  return table([['plan.branch', (b) => orgLabel(b.branch_id)],
    ['plan.status', (b) => (b.plan ? statusBadge('plan', b.plan.status) : badge(t('spot.noPlan'), 'warn'))],
    ['plan.theme', (b) => (b.plan ? b.plan.theme : '—')],
    ['activity.attendance', (b) => (b.attendance ? Object.entries(b.attendance.by_status)
      .map(([s, n]) => `${t(`att.${s}`)} ${n}`).join(' · ') : '—')],
    ['activity.summary', (b) => (b.summary ? badge(t('spot.yes'), 's-approved') : badge(t('spot.no'), 'warn'))],
    ['activity.photos', (b) => (b.media ? `${b.media.photos?.approved ?? 0}` : '0')],
    ['common.actions', (b) => [b.plan && b.plan.activity_id ? h('a', { href: `#/activity/${b.plan.activity_id}` }, t('plan.open')) : null,
      ' ', h('a', { href: `#/rectifications/new/${b.branch_id}` }, t('spot.rectify'))]]], answer.branches, t('spot.none'));
}

async function viewRectifications(main, mode = 'all', branchId = '') {
  const out = h('div', {});
  const list = h('div', {});
  const branch = h('input', { name: 'branch_id', value: branchId, required: true, placeholder: t('rect.branchHint') });
  const issue = h('textarea', { name: 'issue', rows: 3, required: true });
  const due = h('input', { type: 'date', name: 'due_on', required: true });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('rect.issue'));
  const overdue = mode === 'overdue';
  section(main, 'nav.rectifications', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call('/rectifications', { method: 'POST',
      body: { branch_id: branch.value.trim(), issue: issue.value.trim(), due_on: due.value } }));
    if (made) { mount(out, notice(t('rect.issued'))); issue.value = ''; await listRect(list, overdue, 1, out); }
  } }, h('h3', {}, t('rect.new')), branchId ? h('p', {}, orgLabel(branchId)) : null, field('rect.branch', branch),
  field('rect.issueText', issue), field('rect.due', due), button, out),
  h('div', { class: 'toolbar' }, h('a', { class: `btn ${overdue ? '' : 'primary'}`, href: '#/rectifications/all' }, t('rect.all')),
    h('a', { class: `btn ${overdue ? 'primary' : ''}`, href: '#/rectifications/overdue' }, t('rect.overdue'))), list);
  await listRect(list, overdue, 1, out);
}

async function listRect(list, overdue, page, out) {
  const answer = await session.call(`/rectifications${query({ org_id: state.org, overdue, page, page_size: PAGE_SIZE })}`);
  const move = (r, action, body) => {
    const button = h('button', { class: `btn ${action === 'close' ? 'primary' : ''}`, 'data-action': action,
      onclick: async () => {
        const moved = await act(button, out, () => session.call(`/rectifications/${r.rectification_id}/${action}`,
          { method: 'POST', body: body && body() }));
        if (moved) await listRect(list, overdue, page, out);
      } }, t(`rect.${action}`));
    return button;
  };
  const actions = (r) => {
    if (r.status === 'open') {
      const text = h('textarea', { rows: 2, 'aria-label': t('rect.answer'), placeholder: t('rect.answerHint') });
      return h('div', { class: 'answer' }, text, move(r, 'answer', () => ({ text: text.value.trim() })));
    }
    return [r.status === 'answered' ? move(r, 'close') : null, ' ', move(r, 'reopen')];
  };
  mount(list, table([['plan.branch', (r) => orgLabel(r.branch_id)], ['rect.issueText', (r) => r.issue],
    ['rect.due', (r) => r.due_on], ['plan.status', (r) => statusBadge('rect', r.status)],
    ['rect.answerText', (r) => r.answer || '—'], ['common.actions', actions]], answer.items, t('rect.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listRect(list, overdue, p, out)) : null);
}

async function viewCampaigns(main) {
  const out = h('div', {});
  const title = h('input', { required: true, maxlength: 200, value: t('campaign.defaultTitle') });
  const votes = h('input', { type: 'number', min: 1, max: 100, value: 3 });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('campaign.open'));
  section(main, 'nav.campaigns', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call('/campaigns', { method: 'POST',
      body: { org_id: state.org, month: state.month, title: title.value.trim(), votes_per_voter: Number(votes.value) } }));
    if (made) {
      const member = `${location.origin}/m/vote?campaign=${made.campaign_id}`;
      const everyone = `${location.origin}/vote?campaign=${made.campaign_id}`;
      mount(out, notice(t('campaign.opened', { title: made.title })),
        h('dl', { class: 'facts' }, h('dt', {}, t('campaign.memberLink')), h('dd', {}, h('a', { href: member, target: '_blank' }, member)),
          h('dt', {}, t('campaign.publicLink')), h('dd', {}, h('a', { href: everyone, target: '_blank' }, everyone))));
    }
  } }, h('h3', {}, t('campaign.new'), ' · ', orgLabel(state.org), ' · ', state.month),
  field('campaign.title', title), field('campaign.votes', votes), button, out));
}

async function viewRoster(main) {
  const file = h('input', { type: 'file', accept: '.csv,.xlsx', required: true, name: 'file' });
  const password = h('input', { type: 'password', minlength: 8, name: 'initial_password', autocomplete: 'new-password' });
  const out = h('div', {});
  const report = h('div', { id: 'import-report' });
  const template = h('button', { class: 'btn link', type: 'button', onclick: () => act(template, out,
    () => download(session, '/members/import-template', 'roster-template.csv')) }, t('roster.template'));
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('roster.import'));
  section(main, 'nav.roster', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append('file', file.files[0]);
    if (password.value) form.append('initial_password', password.value);
    mount(out);
    const answer = await act(button, out, () => session.call('/members/import', { method: 'POST', form }));
    if (answer) mount(report, importReport(answer));
  } }, h('p', { class: 'muted' }, t('roster.hint'), ' ', template), field('roster.file', file),
  field('roster.password', password, t('roster.passwordHint')), button, out), report);
}

function importReport(answer) {
  return h('div', { class: 'card' }, h('h3', {}, t('roster.report')),
    h('p', { class: 'counts' }, badge(t('roster.total', { n: answer.total })), badge(t('roster.accepted', { n: answer.accepted }), 's-approved'),
      badge(t('roster.unchanged', { n: answer.unchanged }), 'muted'), badge(t('roster.rejected', { n: answer.rejected }), 'danger')),
    table([['roster.row', (r) => r.row], ['plan.status', (r) => statusBadge('import', r.status)],
      ['roster.reasons', (r) => r.reasons.map((code) => (has(`roster.reason.${code}`) ? t(`roster.reason.${code}`) : code)).join('；') || '—']], answer.rows.filter((r) => r.status !== 'accepted'),
    t('roster.allAccepted')));
}

window.addEventListener('hashchange', () => { if (state.me) render(); });
applyI18n(document);
start();
