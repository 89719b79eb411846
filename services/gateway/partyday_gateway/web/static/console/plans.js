// The plan review queue: submitted plans of the subtree, approved or returned with a comment.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, badge, empty, field, fmtTime, h, mount, notice, pager } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state, statusBadge, superiorOf } from './context.js';
import { kindBadge } from './meetings.js';

export default { title: 'nav.plans', needs: ['review', 'spot_check'], show: viewPlans };

async function viewPlans(main, status = 'submitted', page = '1') {
  const filter = h('select', { onchange: (event) => { location.hash = `#/plans/${event.target.value}`; } },
    ['submitted', 'returned', 'published', 'held', 'summarized', 'archived', 'draft'].map((s) =>
      h('option', { value: s, selected: s === status }, t(`plan.${s}`))));
  const out = h('div', {});
  const [answer, here] = await Promise.all([session.call(`/plans${query({ org_id: state.org, month: state.month,
    status, page: Number(page), page_size: PAGE_SIZE })}`), orgNode(state.org)]);
  const reviews = (plan) => superiorOf(here) && plan.branch_id !== state.me.org_id;
  const rows = answer.items.map((plan) => planRow(plan, out, reviews));
  section(main, 'nav.plans', h('div', { class: 'toolbar' }, field('plan.status', filter)), out,
    rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'plans' },
      h('thead', {}, h('tr', {}, ['plan.branch', 'plan.theme', 'plan.when', 'plan.venue', 'plan.status', 'common.actions']
        .map((key) => h('th', {}, t(key))))), h('tbody', {}, rows)))
      : empty(t('plan.noneWithStatus', { status: t(`plan.${status}`) })),
    answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total,
      (p) => { location.hash = `#/plans/${status}/${p}`; }) : null);
}

// The review's buttons only for a superior of the plan's branch (an auditor spot-checks the queue, unable to act).
function planRow(plan, out, reviews) {
  const actions = h('td', { class: 'actions' });
  const row = h('tr', { 'data-plan': plan.plan_id },
    h('td', {}, orgLabel(plan.branch_id)),
    h('td', {}, kindBadge(plan.kind), ' ', plan.theme, plan.submitted_late ? [' ', badge(t('plan.late'), 'warn')] : null,
      h('div', { class: 'muted small' }, [...plan.required_actions, ...plan.optional_actions].join('、')),
      plan.review_comment ? h('div', { class: 'comment' }, t('plan.comment'), ': ', plan.review_comment) : null),
    h('td', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at)),
    h('td', {}, plan.venue.name, h('div', { class: 'muted small' }, t('plan.radius', { m: plan.venue.radius_m }))),
    h('td', { class: 'status' }, statusBadge('plan', plan.status)), actions);
  const replace = (updated) => row.replaceWith(planRow(updated, out, reviews));
  if (plan.status === 'submitted' && reviews(plan)) {
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
