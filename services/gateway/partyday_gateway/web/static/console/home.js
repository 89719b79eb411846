// The home of a city, county or township admin: the period's progress per child node, the ranking chart, and what
// waits (overdue branches, plans to review, doubtful sign-ins, rectification notices), each a link into its list.
// By month, quarter or year: a quarter or a year adds up its months so far.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { blobUrl, empty, errorBox, h, loading, mount, pct, thisMonth } from '../ui.js';
import { orgNode, render, section, session, state } from './context.js';

export default { title: 'nav.home', needs: ['read'], show: viewHome };

const STAGES = ['planned', 'approved', 'held', 'documented', 'scored'];
const PERIODS = ['month', 'quarter', 'year'];

// The period containing the console's month, and the months of it up to the current one.
export function periodOf(kind, month, today = thisMonth()) {
  const [year, number] = month.split('-').map(Number);
  const pad = (m) => `${year}-${String(m).padStart(2, '0')}`;
  if (kind === 'month') return { label: month, months: [month] };
  const first = kind === 'year' ? 1 : Math.floor((number - 1) / 3) * 3 + 1;
  const count = kind === 'year' ? 12 : 3;
  const months = Array.from({ length: count }, (_, i) => pad(first + i)).filter((m) => m <= today);
  const label = kind === 'year' ? `${year}` : `${year}-Q${Math.floor((number - 1) / 3) + 1}`;
  return { label, months: months.length ? months : [month] };
}

// Several months' progress as one: counts add up, over as many branch-months.
function addUp(answers) {
  const sum = (rows) => {
    const tally = { ...rows[0], branches: 0, rates: {} };
    for (const stage of STAGES) tally[stage] = 0;
    for (const row of rows) {
      tally.branches += row.branches;
      for (const stage of STAGES) tally[stage] += row[stage];
    }
    for (const stage of STAGES) tally.rates[stage] = tally.branches ? tally[stage] / tally.branches : null;
    return tally;
  };
  const children = answers[0].children.map((child) => sum(answers.map((answer) =>
    answer.children.find((c) => c.org_id === child.org_id) || { ...child, branches: 0, planned: 0, approved: 0,
      held: 0, documented: 0, scored: 0 })));
  return { ...sum(answers), children };
}

async function viewHome(main, kind = 'month') {
  const periodKind = PERIODS.includes(kind) ? kind : 'month';
  const period = periodOf(periodKind, state.month);
  const node = await orgNode(state.org);
  const switcher = h('div', { class: 'period-switch', role: 'group', 'aria-label': t('home.period') },
    PERIODS.map((p) => h('a', { class: `btn ${p === periodKind ? 'primary' : 'ghost'}`, href: `#/home/${p}`,
      'data-period': p, 'aria-current': p === periodKind ? 'true' : null }, t(`home.${p}`))));
  const tiles = h('div', { class: 'tiles', id: 'home-tiles' });
  const progress = h('div', { class: 'card', id: 'home-progress' }, loading());
  const chart = h('div', { class: 'card', id: 'home-chart' }, loading());
  const lost = can(state.me, 'manage_members', node) ? h('div', { class: 'card', id: 'home-lost' }, loading()) : null;
  section(main, 'nav.home', h('div', { class: 'toolbar' },
    h('h3', { class: 'home-title' }, node.name, ' · ', period.label), switcher),
  tiles, h('div', { class: 'home-grid' }, progress, chart), lost);
  await Promise.all([showTiles(tiles, node, period), showProgress(progress, period), showChart(chart, period),
    lost ? showLost(lost) : null]);
}

function tile(id, labelKey, href, count, kind = '') {
  return h('a', { class: `tile ${kind}`, id, href }, h('span', { class: 'tile-count' }, count),
    h('span', { class: 'tile-label' }, t(labelKey)));
}

async function count(path) {
  return (await session.call(path)).total;
}

// Each waiting list the caller may open, with how many wait in it; a count that fails says so in its own tile.
async function showTiles(tiles, node, period) {
  const org = state.org;
  const wanted = [
    ['home-overdue', 'home.overdue', '#/overdue', 'warn', async () => (await Promise.all(period.months.map((month) =>
      count(`/orgs/${org}/overdue${query({ month, page_size: 1 })}`)))).reduce((a, b) => a + b, 0)],
    can(state.me, 'review', node) ? ['home-submitted', 'home.submitted', '#/plans/submitted', 'info',
      () => count(`/plans${query({ org_id: org, month: state.month, status: 'submitted', page_size: 1 })}`)] : null,
    can(state.me, 'review_attendance', node) ? ['home-reviews', 'home.reviews', '#/reviews', 'warn',
      () => count(`/attendance/reviews${query({ org_id: org, page_size: 1 })}`)] : null,
    ['home-rect-open', 'home.rectOpen', '#/rectifications/open', 'warn',
      () => count(`/rectifications${query({ org_id: org, status: 'open', page_size: 1 })}`)],
    ['home-rect-answered', 'home.rectAnswered', '#/rectifications/answered', 'info',
      () => count(`/rectifications${query({ org_id: org, status: 'answered', page_size: 1 })}`)],
  ].filter(Boolean);
  mount(tiles, wanted.map(([id, label, href, kind]) => tile(id, label, href, '…', kind)));
  await Promise.all(wanted.map(async ([id, , , , ask]) => {
    const target = tiles.querySelector(`#${id} .tile-count`);
    try {
      target.textContent = String(await ask());
    } catch (error) {
      target.textContent = '!';
      target.title = error.message || error.code || '';
      target.closest('.tile').classList.add('failed');
    }
  }));
}

async function showProgress(card, period) {
  try {
    const answers = await Promise.all(period.months.map((month) =>
      session.call(`/dashboards/progress${query({ org_id: state.org, month })}`)));
    const tally = answers.length === 1 ? answers[0] : addUp(answers);
    const cell = (row, stage) => h('td', { class: 'num', 'data-stage': stage },
      h('span', { class: 'count' }, `${row[stage]}`), h('small', { class: 'muted' }, ` ${pct(row.rates[stage])}`),
      h('span', { class: 'minibar' }, h('span', { class: `fill f-${stage}`,
        style: `width:${Math.round((row.rates[stage] || 0) * 100)}%` })));
    const row = (r, link) => h('tr', { 'data-org': r.org_id }, h('th', { scope: 'row' }, link ? h('a', { href: '#/home',
      onclick: (event) => { event.preventDefault(); state.org = r.org_id; render(); } }, r.name) : r.name),
    h('td', { class: 'num' }, `${r.branches}`), STAGES.map((stage) => cell(r, stage)));
    mount(card, h('h3', {}, h('a', { href: '#/progress' }, t('home.progress')),
      answers.length > 1 ? h('small', { class: 'muted' }, ' ', t('home.branchMonths', { n: answers.length })) : null),
    tally.children.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact', id: 'home-progress-table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('home.child')), h('th', {}, t('home.branches')),
        STAGES.map((stage) => h('th', {}, t(`progress.${stage}`))))),
      h('tbody', {}, tally.children.map((child) => row(child, child.level !== 'branch'))),
      h('tfoot', {}, row({ ...tally, name: t('home.total') }, false)))) : empty(t('progress.noChildren')));
  } catch (error) {
    mount(card, h('h3', {}, t('home.progress')), errorBox(error));
  }
}

// Open entries of the lost-contact register (组织找党员), in all and under each child node.
async function showLost(card) {
  const title = h('h3', {}, h('a', { href: '#/lost-members' }, t('home.lost')));
  try {
    const counts = await session.call(`/orgs/${state.org}/lost-members/counts`);
    return mount(card, title, h('p', {}, t('home.lostOpen', { n: counts.open })),
      counts.children.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact', id: 'home-lost-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('home.child')), h('th', {}, t('home.lostCount')))),
        h('tbody', {}, counts.children.map((child) => h('tr', { 'data-org': child.org_id },
          h('th', { scope: 'row' }, child.name), h('td', { class: 'num' }, `${child.open}`)))))) : null);
  } catch (error) {
    return mount(card, title, errorBox(error));
  }
}

async function showChart(card, period) {
  const params = query({ org_id: state.org, period: period.label, group: 'children' });
  const title = h('h3', {}, h('a', { href: `#/rankings/${period.label}//children` }, t('home.ranking')));
  try {
    const ranking = await session.call(`/rankings${params}&page_size=1`);
    if (!ranking.items.length) return mount(card, title, empty(t('rank.empty')));
    const url = await blobUrl(session, `/rankings/chart${params}&format=svg&top=15`);
    return mount(card, title, h('img', { src: url, alt: t('rank.chartAlt'), id: 'home-chart-image' }));
  } catch (error) {
    return mount(card, title, errorBox(error));
  }
}
