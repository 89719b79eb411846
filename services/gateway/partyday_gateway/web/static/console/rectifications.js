// Rectification notices: issued to a branch, answered, closed or reopened.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, field, h, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, section, session, state, statusBadge } from './context.js';

export default { title: 'nav.rectifications', needs: ['read'], show: viewRectifications };

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
