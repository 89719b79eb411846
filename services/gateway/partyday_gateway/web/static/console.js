// The admin console: one page, views addressed by the URL fragment (#/plans, #/activity/<id>, ...). Each view is
// a module of ./console/ naming its title, the capabilities that show it (any of them, anywhere: GET /api/v1/me
// answers where the caller holds each) and how it draws itself; this router logs in, draws the frame and routes.
import { can } from './capabilities.js';
import { applyI18n, t } from './i18n.js';
import { showInbox, unreadBadge } from './inbox.js';
import { errorBox, h, langSwitch, loading, mount, thisMonth } from './ui.js';
import activity from './console/activity.js';
import archive from './console/archive.js';
import audit from './console/audit.js';
import campaigns from './console/campaigns.js';
import { onRender, orgLabel, orgNode, session, state } from './console/context.js';
import deadLetters from './console/dead-letters.js';
import directives from './console/directives.js';
import evaluations from './console/evaluations.js';
import grants from './console/grants.js';
import home from './console/home.js';
import { showLogin, showPasswordChange } from './console/login.js';
import lostMembers from './console/lost-members.js';
import password from './console/password.js';
import media from './console/media.js';
import meetings from './console/meetings.js';
import member from './console/member.js';
import members from './console/members.js';
import moderation from './console/moderation.js';
import orgs from './console/orgs.js';
import overdue from './console/overdue.js';
import plan from './console/plan.js';
import plans from './console/plans.js';
import progress from './console/progress.js';
import quizzes from './console/quizzes.js';
import rankings from './console/rankings.js';
import rectifications from './console/rectifications.js';
import reports from './console/reports.js';
import reviews from './console/reviews.js';
import roster from './console/roster.js';
import schedule from './console/schedules.js';
import spotChecks from './console/spot-checks.js';
import study from './console/study.js';
import volunteers from './console/volunteers.js';

const inbox = { title: 'inbox.title', needs: [], show: (main, page = '1') => showInbox(session, main, Number(page)) };
const VIEWS = { home, orgs, plan, directives, plans, media, rankings, progress, overdue, 'spot-checks': spotChecks,
  reviews, rectifications, campaigns, evaluations, moderation, roster, audit, 'dead-letters': deadLetters, activity,
  inbox, password, reports, archive, study, members, member, grants, schedule, 'lost-members': lostMembers, meetings,
  volunteers, quizzes };
const NAV = ['home', 'orgs', 'plan', 'directives', 'plans', 'media', 'rankings', 'progress', 'overdue',
  'spot-checks', 'reviews', 'rectifications', 'campaigns', 'evaluations', 'moderation', 'reports', 'archive',
  'study', 'quizzes', 'members', 'grants', 'schedule', 'roster', 'audit', 'dead-letters', 'lost-members', 'meetings',
  'volunteers'];
const app = document.getElementById('app');

// The home is for those who administer a node above the branches; a branch's secretary works from its plan.
function allowed(view) {
  const { needs } = VIEWS[view];
  if (view === 'home' && !(state.homeNode && state.homeNode.level !== 'branch' && can(state.me, 'read', state.homeNode))) {
    return false;
  }
  return !needs.length || needs.some((capability) => can(state.me, capability));
}

function defaultView() {
  return ['home', 'plan', 'plans', 'progress', 'evaluations', 'inbox'].find(allowed);
}

async function start() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('console.title');
  if (!session.loggedIn) return showLogin(app, start);
  try {
    state.me = await session.call('/me');
  } catch (error) {
    return showLogin(app, start, error);
  }
  if (state.me.password_change_required) return showPasswordChange(app, start);
  if (!state.me.home_org_id) return showLogin(app, start, null, true);
  state.home = state.me.home_org_id;
  state.org = state.home;
  state.homeNode = await orgNode(state.home).catch(() => null);
  return render();
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
    h('a', { class: 'inbox-link', href: '#/inbox', id: 'inbox-link' }, t('inbox.title'), unreadBadge(session)),
    h('span', { class: 'who' }, state.me.name || ''),
    h('a', { class: 'btn ghost', href: '#/password', id: 'change-password' }, t('password.change')),
    langSwitch(render),
    h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); showLogin(app, start); } },
      t('common.logout')));
  const nav = h('nav', { class: 'sidenav' }, NAV.filter(allowed).map((key) => h('a', {
    href: `#/${key}`, class: key === view ? 'active' : '' }, t(VIEWS[key].title))));
  mount(app, header, h('div', { class: 'shell' }, nav, main));
  const args = location.hash.replace(/^#\/?/, '').split('/').slice(1);
  mount(main, h('h2', {}, t(VIEWS[view].title)), loading());
  VIEWS[view].show(main, ...args).catch((error) => mount(main, h('h2', {}, t(VIEWS[view].title)), errorBox(error)));
}

onRender(render);
window.addEventListener('hashchange', () => { if (state.me) render(); });
applyI18n(document);
start();
