// Rectification notices: issued to a branch, answered by its admin, closed or reopened by a superior, each with
// its whole history.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../capabilities.js';
import { act, authImage, field, fmtTime, h, mount, notice, pager, table } from '../ui.js';
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

// Each notice's history, oldest first: every answer with its text and photos, every close and reopening with the
// superior's comment, who and when.
function history(r) {
  if (!r.history.length) return h('span', { class: 'muted' }, t('rect.noHistory'));
  return h('ol', { class: 'history' }, r.history.map((step) => h('li', { 'data-act': step.act },
    statusBadge('rectstep', step.act), ' ', h('time', { datetime: step.at }, fmtTime(step.at)),
    step.actor_id === state.me.member_id ? [' · ', t('rect.byMe')] : null,
    step.text ? h('p', {}, step.text) : null,
    step.media_ids.length ? h('div', { class: 'thumbs' },
      step.media_ids.map((id) => authImage(session, `/media/${id}/thumbnail`, id))) : null)));
}

async function listRect(list, overdue, page, out) {
  const answer = await session.call(`/rectifications${query({ org_id: state.org, overdue, page, page_size: PAGE_SIZE })}`);
  const move = (r, action, body) => {
    const button = h('button', { class: `btn ${action === 'reopen' ? '' : 'primary'}`, 'data-action': action,
      onclick: async () => {
        const moved = await act(button, out, () => session.call(`/rectifications/${r.rectification_id}/${action}`,
          { method: 'POST', body: body() }));
        if (moved) await listRect(list, overdue, page, out);
      } }, t(`rect.${action}`));
    return button;
  };
  // The branch's admin answers; a superior of the branch (never of their own branch) closes or reopens.
  const actions = (r) => {
    const node = { path: r.branch_path };
    if (r.status === 'open' && can(state.me, 'answer_rectifications', node)) {
      const text = h('textarea', { rows: 2, name: 'answer', 'aria-label': t('rect.answer'), placeholder: t('rect.answerHint') });
      const media = h('input', { name: 'media_ids', 'aria-label': t('rect.mediaIds'), placeholder: t('rect.mediaHint') });
      const ids = () => media.value.split(/[\s,，]+/).filter(Boolean);
      return h('div', { class: 'answer' }, text, media,
        move(r, 'answer', () => ({ text: text.value.trim(), media_ids: ids() })));
    }
    if (r.status === 'open' || !can(state.me, 'review', node) || state.me.org_id === r.branch_id) return '—';
    const comment = h('textarea', { rows: 2, name: 'comment', 'aria-label': t('rect.comment'),
      placeholder: t('rect.commentHint') });
    const said = () => ({ comment: comment.value.trim() || null });
    return h('div', { class: 'answer' }, comment,
      r.status === 'answered' ? move(r, 'close', said) : null, ' ', move(r, 'reopen', said));
  };
  mount(list, table([['plan.branch', (r) => orgLabel(r.branch_id)], ['rect.issueText', (r) => r.issue],
    ['rect.due', (r) => r.due_on], ['plan.status', (r) => statusBadge('rect', r.status)],
    ['rect.history', history], ['common.actions', actions]], answer.items, t('rect.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listRect(list, overdue, p, out)) : null);
}
