// The month's directive, dispatched to every branch below, and those already sent.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, errorBox, field, fmtTime, h, loading, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state, statusBadge } from './context.js';
import { orgPicker } from './org-picker.js';

const REQUIRED_ACTIONS = ['诵读党章', '缴纳党费', '研学党规党情', '落实组织生活', '民主议事', '民主公开'];

export default { title: 'nav.directives', needs: ['publish_directives'], show: viewDirectives };

// The directive goes to the organisation chosen by name or code (the console's node at first), and so to every
// branch below it.
async function viewDirectives(main) {
  const list = h('div', {});
  const out = h('div', {});
  const target = orgPicker({ name: 'org_id', label: 'directives.target', initial: await orgNode(state.org),
    onChoose: (org) => org && listDirectives(list, org.org_id) });
  const theme = h('input', { name: 'theme', required: true, maxlength: 200 });
  const actions = REQUIRED_ACTIONS.map((action) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: action, checked: true }), action));
  const extra = h('input', { name: 'extra', placeholder: t('directives.extraHint') });
  const materials = h('textarea', { name: 'materials', rows: 3, placeholder: t('directives.materialsHint') });
  const planDay = h('input', { type: 'number', min: 1, max: 28, value: 5 });
  const summaryDay = h('input', { type: 'number', min: 1, max: 28, value: 25 });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('directives.dispatch'));
  const form = h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    if (!target.chosen) { target.querySelector('input').focus(); mount(out, notice(t('picker.needed'), 'warn')); return; }
    const required = actions.map((label) => label.querySelector('input')).filter((c) => c.checked).map((c) => c.value)
      .concat(extra.value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean));
    const sent = await act(button, out, () => session.call('/directives', { method: 'POST', body: {
      org_id: target.chosen.org_id, month: state.month, theme: theme.value.trim(), required_actions: required,
      study_materials: materials.value.split('\n').map((s) => s.trim()).filter(Boolean),
      plan_deadline_day: Number(planDay.value), summary_deadline_day: Number(summaryDay.value) } }));
    if (sent) {
      mount(out, notice(t('directives.sent', { theme: sent.theme })));
      theme.value = ''; extra.value = ''; materials.value = '';
      await listDirectives(list, target.chosen.org_id);
    }
  } }, h('h3', {}, t('directives.new'), ' · ', state.month), field('directives.target', target),
  field('directives.theme', theme), h('fieldset', {}, h('legend', {}, t('directives.required')), actions, extra),
  field('directives.materials', materials),
  h('div', { class: 'row' }, field('directives.planDay', planDay), field('directives.summaryDay', summaryDay)),
  button, out);
  section(main, 'nav.directives', form, h('h3', {}, t('directives.list')), list);
  await listDirectives(list, state.org);
}

// The month's directives that reach `orgId` (its own and its superiors'), each with the branches it reached.
async function listDirectives(list, orgId) {
  const items = await session.call(`/directives${query({ org_id: orgId, month: state.month })}`);
  const delivery = h('div', { id: 'delivery' });
  mount(list, table([['directives.theme', (d) => d.theme], ['common.org', (d) => orgLabel(d.org_id)],
    ['directives.required', (d) => d.required_actions.join('、')],
    ['directives.deadlines', (d) => t('directives.days', { plan: d.plan_deadline_day, summary: d.summary_deadline_day })],
    ['directives.published', (d) => fmtTime(d.published_at)],
    ['directives.delivery', (d) => h('button', { class: 'btn link', type: 'button', 'data-delivery': d.directive_id,
      onclick: () => showDelivery(delivery, d, 1).catch((error) => mount(delivery, errorBox(error))) },
    t('directives.showDelivery'))]], items, t('directives.none')), delivery);
}

// The branches a directive reached, a page at a time in tree order, each with its plan deadline and plan status.
async function showDelivery(holder, directive, page) {
  mount(holder, loading());
  const found = await session.call(`/directives/${directive.directive_id}/branches${query({ page, page_size: PAGE_SIZE })}`);
  mount(holder, h('h3', {}, t('directives.deliveryOf', { theme: directive.theme, n: found.total })),
    table([['plan.branch', (b) => h('a', { href: '#/orgs', onclick: () => { state.org = b.branch_id; } }, b.name)],
      ['directives.planDue', (b) => fmtTime(b.plan_due)],
      ['plan.status', (b) => (b.plan_status ? statusBadge('plan', b.plan_status) : t('directives.noPlan'))]],
    found.items, t('directives.noBranches')),
    found.total > PAGE_SIZE ? pager(page, PAGE_SIZE, found.total, (p) => showDelivery(holder, directive, p)) : null);
}
