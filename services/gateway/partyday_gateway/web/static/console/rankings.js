// Rankings: the API's SVG bar chart and the ordered table.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { blobUrl, empty, field, h, mount, pct, table } from '../ui.js';
import { domainSelect, fmtNumber, section, session, state } from './context.js';

export default { title: 'nav.rankings', needs: ['read'], show: viewRankings };

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
