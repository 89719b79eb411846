// The audit log: every service's administrative acts within the caller's subtrees, filtered by action, actor,
// object and days, a page at a time, and the same entries downloaded as CSV.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, download, errorBox, field, fmtTime, h, mount, pager, table } from '../ui.js';
import { PAGE_SIZE, section, session } from './context.js';

export default { title: 'nav.audit', needs: ['read_audit'], show: viewAudit };

const filters = { action: '', actor_id: '', target_type: '', target_id: '', from: '', to: '' };

// A day of the console's time zone (Asia/Shanghai) as the instant it starts.
function dayStart(day, later = 0) {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number);
  const start = new Date(Date.UTC(year, month - 1, date + later));
  return `${start.toISOString().slice(0, 10)}T00:00:00+08:00`;
}

function params() {
  return { action: filters.action, actor_id: filters.actor_id, target_type: filters.target_type,
    target_id: filters.target_id, since: dayStart(filters.from), until: dayStart(filters.to, 1) };
}

async function viewAudit(main, page = '1') {
  const inputs = {};
  for (const [name, type] of [['action', 'text'], ['actor_id', 'text'], ['target_type', 'text'],
    ['target_id', 'text'], ['from', 'date'], ['to', 'date']]) {
    inputs[name] = h('input', { type, name, value: filters[name], 'data-filter': name });
  }
  const out = h('div', { class: 'wide' });
  const results = h('div', {});
  const exportButton = h('button', { class: 'btn', type: 'button', 'data-action': 'export-csv',
    onclick: () => act(exportButton, out, () => download(session, `/audit.csv${query(params())}`, 'audit-log.csv')) },
  t('audit.export'));
  const form = h('form', { class: 'card form filters', onsubmit: (event) => {
    event.preventDefault();
    for (const name of Object.keys(filters)) filters[name] = inputs[name].value.trim();
    if (location.hash === '#/audit/1') viewAudit(main, '1'); else location.hash = '#/audit/1';
  } }, field('audit.action', inputs.action, t('audit.actionHint')), field('audit.actor', inputs.actor_id),
  field('audit.targetType', inputs.target_type), field('audit.targetId', inputs.target_id),
  field('audit.from', inputs.from), field('audit.to', inputs.to),
  h('button', { class: 'btn primary', type: 'submit' }, t('audit.filter')), exportButton, out);
  section(main, 'nav.audit', form, results);
  let answer;
  try {
    answer = await session.call(`/audit${query({ ...params(), page: Number(page), page_size: PAGE_SIZE })}`);
  } catch (error) {
    mount(results, errorBox(error));
    return;
  }
  mount(results, table([['audit.at', (e) => fmtTime(e.at)], ['audit.actor', (e) => e.actor_id || '—'],
    ['audit.action', (e) => h('code', {}, e.action)], ['audit.target', (e) => `${e.target_type} ${e.target_id}`],
    ['audit.address', (e) => e.client_ip || '—'], ['audit.correlation', (e) => e.correlation_id || '—']],
  answer.items, t('audit.none')),
  answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total, (p) => { location.hash = `#/audit/${p}`; }) : null);
}
