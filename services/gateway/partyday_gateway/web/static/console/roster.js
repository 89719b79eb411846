// Roster import: the file goes up, the directory imports it in the background, and the view follows the import's
// progress until it ends, then shows the rows it rejected, a page at a time.
import { has, t } from '../i18n.js';
import { act, badge, download, errorBox, field, fmtTime, h, mount, pager, table } from '../ui.js';
import { PAGE_SIZE, section, session, statusBadge } from './context.js';

export default { title: 'nav.roster', needs: ['manage_members'], show: viewRoster };

const FOLLOW_EVERY_MS = 1000;
const RUNNING = ['queued', 'running'];

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
    const started = await act(button, out, () => session.call('/members/import', { method: 'POST', form }));
    if (!started) return;
    mount(report, importCard(started));
    follow(report, started.import_id);
  } }, h('p', { class: 'muted' }, t('roster.hint'), ' ', template), field('roster.file', file),
  field('roster.password', password, t('roster.passwordHint')), button, out), report);
}

// Reads the import again every second while it runs (as long as its card is on the page), then shows its report.
async function follow(report, importId, page = 1) {
  let found;
  try {
    found = await session.call(`/imports/${importId}?page=${page}&page_size=${PAGE_SIZE}`);
  } catch (error) {
    mount(report, errorBox(error));
    return;
  }
  if (!report.isConnected) return;
  mount(report, importCard(found, (next) => follow(report, importId, next)));
  if (RUNNING.includes(found.state)) setTimeout(() => follow(report, importId, page), FOLLOW_EVERY_MS);
}

function importCard(found, onPage) {
  const ended = !RUNNING.includes(found.state);
  const read = found.total === null
    ? t('roster.read', { n: found.rows_read }) : t('roster.readOf', { n: found.rows_read, total: found.total });
  return h('div', { class: 'card' },
    h('h3', {}, t(ended ? 'roster.report' : 'roster.progress'), ' ', statusBadge('import', found.state)),
    h('p', { class: 'counts' }, badge(ended && found.state === 'done' ? t('roster.total', { n: found.rows_read }) : read),
      badge(t('roster.accepted', { n: found.accepted }), 's-approved'),
      badge(t('roster.unchanged', { n: found.unchanged }), 'muted'),
      badge(t('roster.rejected', { n: found.rejected }), 'danger')),
    found.total ? h('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': found.rows_read, 'aria-valuemax': found.total },
      h('span', { class: 'fill', style: `width:${Math.round((found.rows_read * 100) / found.total)}%` })) : null,
    h('p', { class: 'muted' }, `${found.filename || ''} ${t('roster.started')} ${fmtTime(found.started_at)}`,
      ended ? ` · ${t('roster.finished')} ${fmtTime(found.finished_at)}` : ''),
    found.error ? errorBox(found.error) : null,
    found.warnings.map((warning) => h('p', { class: 'muted' }, warning)),
    rejectedRows(found, ended, onPage));
}

function rejectedRows(found, ended, onPage) {
  const rows = found.rejected_rows;
  if (!rows || (!ended && !rows.total) || found.state === 'failed') return null;
  return [table([['roster.row', (r) => r.row],
    ['roster.reasons', (r) => r.reasons.map((code) => (has(`roster.reason.${code}`) ? t(`roster.reason.${code}`) : code)).join('；')]],
  rows.items, t('roster.allAccepted')),
  rows.total > rows.page_size && onPage ? pager(rows.page, rows.page_size, rows.total, onPage) : null];
}
