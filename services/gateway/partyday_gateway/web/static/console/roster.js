// Roster import with its row-level report.
import { has, t } from '../i18n.js';
import { act, badge, download, field, h, mount, table } from '../ui.js';
import { section, session, statusBadge } from './context.js';

export default { title: 'nav.roster', needs: ['manage_members'], show: viewRoster };

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
