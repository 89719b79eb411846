// Reports: the chosen node's monthly inspection, quarterly bulletin and annual assessment, previewed as the
// document reads (its heading, the written summary in Chinese, the ranking chart and the tables) and downloaded as
// PDF or XLSX.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, blobUrl, download, empty, errorBox, field, h, loading, mount, pager, pct, table } from '../ui.js';
import { fmtNumber, orgLabel, PAGE_SIZE, section, session, state } from './context.js';

export default { title: 'nav.reports', needs: ['read'], show: viewReports };

const KINDS = ['inspection', 'bulletin', 'assessment'];
const PERIODS = {
  inspection: /^\d{4}-(0[1-9]|1[0-2])$/,
  bulletin: /^\d{4}-Q[1-4]$/,
  assessment: /^\d{4}$/,
};

// The period of `kind` that holds the console's month: the month itself, its quarter or its year.
function periodOf(kind, month = state.month) {
  const year = month.slice(0, 4);
  if (kind === 'inspection') return month;
  if (kind === 'bulletin') return `${year}-Q${Math.floor((Number(month.slice(5)) - 1) / 3) + 1}`;
  return year;
}

function periodPicker(kind, period, go) {
  if (kind === 'inspection') {
    return field('reports.month', h('input', { type: 'month', name: 'period', value: period, required: true,
      onchange: (event) => event.target.value && go(kind, event.target.value) }));
  }
  const year = h('input', { type: 'number', name: 'year', min: 2000, max: 2999, value: period.slice(0, 4),
    onchange: () => go(kind, kind === 'bulletin' ? `${year.value}-${quarter.value}` : year.value) });
  const quarter = kind === 'bulletin' ? h('select', { name: 'quarter',
    onchange: () => go(kind, `${year.value}-${quarter.value}`) },
  ['Q1', 'Q2', 'Q3', 'Q4'].map((q) => h('option', { value: q, selected: period.endsWith(q) }, t(`reports.${q}`)))) : null;
  return [field('reports.year', year), quarter ? field('reports.quarter', quarter) : null];
}

function cellText(column, value) {
  if (typeof value === 'boolean') return value ? '✓' : '—';
  if (column === 'sign_in_rate') return pct(value);
  if (column === 'score') return fmtNumber(value);
  return value === null || value === undefined || value === '' ? '—' : value;
}

function pagedTable(report) {
  const holder = h('div', { id: 'report-rows' });
  const draw = (page) => {
    const rows = report.rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    mount(holder, table(report.columns.map((column) => [`reports.col.${column}`, (row) => cellText(column, row[column])]),
      rows, t('reports.noRows')),
    report.rows.length > PAGE_SIZE ? pager(page, PAGE_SIZE, report.rows.length, draw) : null);
  };
  draw(1);
  return holder;
}

async function showChart(holder, kind, period) {
  try {
    const url = await blobUrl(session, `/rankings/chart${query({ org_id: state.org, period, format: 'svg' })}`);
    mount(holder, h('img', { src: url, alt: t('rank.chartAlt'), id: 'report-chart-image' }));
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

async function viewReports(main, kind = 'inspection', period = '') {
  const chosen = KINDS.includes(kind) ? kind : 'inspection';
  const shown = PERIODS[chosen].test(period) ? period : periodOf(chosen);
  const go = (k, p) => { location.hash = `#/reports/${k}/${p}`; };
  const kindSelect = h('select', { name: 'kind', onchange: (event) => go(event.target.value, periodOf(event.target.value)) },
    KINDS.map((k) => h('option', { value: k, selected: k === chosen }, t(`reports.${k}`))));
  const out = h('div', {});
  const file = (format) => `/reports/${chosen}${query({ org_id: state.org, period: shown, format })}`;
  const downloadButton = (format) => {
    const button = h('button', { class: 'btn', type: 'button', 'data-action': `download-${format}`,
      onclick: () => act(button, out, () => download(session, file(format), `${chosen}-${shown}.${format}`)) },
    t(`reports.download.${format}`));
    return button;
  };
  const preview = h('div', { id: 'report-preview', 'aria-live': 'polite' }, loading());
  section(main, 'nav.reports', h('div', { class: 'card' },
    h('p', { class: 'muted' }, t('reports.hint'), ' ', orgLabel(state.org)),
    h('div', { class: 'toolbar' }, field('reports.kind', kindSelect), periodPicker(chosen, shown, go),
      downloadButton('pdf'), downloadButton('xlsx')), out), preview);
  let report;
  try {
    report = await session.call(file('json'));
  } catch (error) {
    mount(preview, errorBox(error));
    return;
  }
  const chart = h('div', { class: 'chart', id: 'report-chart' }, loading());
  mount(preview, h('article', { class: 'card report', lang: 'zh-CN', 'data-kind': chosen, 'data-period': shown },
    h('h3', { class: 'report-heading' }, report.heading), h('p', { class: 'report-issuer' }, report.name),
    h('p', { class: 'muted small', lang: t('meta.lang') }, t('reports.inChinese')),
    h('section', { class: 'report-summary' }, h('h4', { lang: t('meta.lang') }, t('reports.summary')),
      report.summary_text.map((paragraph) => h('p', {}, paragraph)))),
  h('section', { class: 'card' }, h('h4', {}, t('reports.chart')), chart),
  h('section', {}, h('h4', {}, t(`reports.table.${chosen}`)), pagedTable(report)),
  h('section', {}, h('h4', {}, t('reports.months')), table(['month', 'branches', 'planned', 'approved', 'held',
    'documented', 'scored'].map((column) => [`reports.col.${column}`, (row) => row[column]]), report.months)));
  if (report.ranking.length) await showChart(chart, chosen, shown);
  else mount(chart, empty(t('rank.empty')));
}
