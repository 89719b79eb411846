// Spot checks: a sample of the subtree's branches with their plan, attendance, summary and photos at once.
import { t } from '../i18n.js';
import { act, badge, field, h, mount, notice, table } from '../ui.js';
import { orgLabel, orgNode, section, session, state, statusBadge, superiorOf } from './context.js';
import { orgPicker } from './org-picker.js';

export default { title: 'nav.spotChecks', needs: ['spot_check'], show: viewSpotChecks };

// The sample is drawn under an organisation chosen by name or code (the console's node at first).
async function viewSpotChecks(main) {
  const where = orgPicker({ name: 'org_id', label: 'spot.where', initial: await orgNode(state.org) });
  const size = h('input', { type: 'number', min: 1, max: 50, value: 5 });
  const out = h('div', {});
  const results = h('div', {});
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('spot.run'));
  section(main, 'nav.spotChecks', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    mount(out);
    if (!where.chosen) { where.querySelector('input').focus(); mount(out, notice(t('picker.needed'), 'warn')); return; }
    const answer = await act(button, out, () => session.call('/spot-checks', { method: 'POST',
      body: { month: state.month, org_id: where.chosen.org_id, sample_size: Number(size.value) } }));
    if (answer) mount(results, spotResults(answer, superiorOf(where.chosen)));
  } }, h('p', { class: 'muted' }, t('spot.hint')), field('spot.where', where), field('spot.size', size), button, out),
  results);
}

function spotResults(answer, superior) {
  return table([['plan.branch', (b) => orgLabel(b.branch_id)],
    ['plan.status', (b) => (b.plan ? statusBadge('plan', b.plan.status) : badge(t('spot.noPlan'), 'warn'))],
    ['plan.theme', (b) => (b.plan ? b.plan.theme : '—')],
    ['activity.attendance', (b) => (b.attendance ? Object.entries(b.attendance.by_status)
      .map(([s, n]) => `${t(`att.${s}`)} ${n}`).join(' · ') : '—')],
    ['activity.summary', (b) => (b.summary ? badge(t('spot.yes'), 's-approved') : badge(t('spot.no'), 'warn'))],
    ['activity.photos', (b) => (b.media ? `${b.media.photos?.approved ?? 0}` : '0')],
    ['common.actions', (b) => [b.plan && b.plan.activity_id ? h('a', { href: `#/activity/${b.plan.activity_id}` }, t('plan.open')) : null,
      superior && b.branch_id !== state.me.org_id
        ? [' ', h('a', { href: `#/rectifications/new/${b.branch_id}` }, t('spot.rectify'))] : null]]],
  answer.branches, t('spot.none'));
}
