// 三会一课: a branch's meetings of the month besides its theme day (members' meeting, branch committee, party group
// meeting, party lecture), planned and submitted by who manages its plans; the organisation's meeting settings
// (approval, cadence), changed by who manages its tree; and, above the branches, those that missed a cadence.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, badge, empty, errorBox, field, fmtTime, h, loading, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, render, section, session, state, statusBadge } from './context.js';
import { venuePicker, wallToIso } from './plan.js';

export default { title: 'nav.meetings', needs: ['read', 'manage_plans'], show: viewMeetings };

export const MEETING_KINDS = ['members_meeting', 'branch_committee', 'group_meeting', 'party_lecture'];

export function kindBadge(kind) {
  return kind && kind !== 'theme_day' ? badge(t(`kind.${kind}`), 'info') : null;
}

function previousMonth(month) {
  const [year, number] = month.split('-').map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

async function viewMeetings(main, overduePage = '1') {
  const node = await orgNode(state.org);
  const branchCards = node.level === 'branch' && can(state.me, 'manage_plans', node)
    ? [await planForm(node), await meetingsList(node)] : [];
  section(main, 'nav.meetings', h('p', { class: 'muted' }, t('meetings.hint')), ...branchCards,
    await settingsPanel(node),
    node.level !== 'branch' && can(state.me, 'read', node) ? overdueCard(node, Number(overduePage)) : null);
}

async function planForm(node) {
  const month = await session.call(`/branches/${node.org_id}/months/${state.month}`);
  const zone = month.time_zone;
  const kind = h('select', { name: 'kind', id: 'meeting-kind' },
    MEETING_KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const theme = h('input', { name: 'theme', required: true, maxlength: 200 });
  const starts = h('input', { name: 'starts_at', type: 'datetime-local', required: true });
  const ends = h('input', { name: 'ends_at', type: 'datetime-local', required: true });
  const inputs = {
    venue: h('input', { name: 'venue', required: true, maxlength: 200 }),
    lat: h('input', { name: 'lat', type: 'number', step: 'any', min: -90, max: 90, required: true, value: node.venue_lat ?? '' }),
    lon: h('input', { name: 'lon', type: 'number', step: 'any', min: -180, max: 180, required: true, value: node.venue_lon ?? '' }),
    radius: h('input', { name: 'radius_m', type: 'number', min: 50, max: 1000, value: 300 }),
  };
  const out = h('div', {});
  const submit = h('button', { class: 'btn primary', type: 'submit' }, t('meetings.submit'));
  const form = h('form', { class: 'card form', id: 'meeting-form', onsubmit: async (event) => {
    event.preventDefault();
    const drafted = await act(submit, out, () => session.call('/plans', { method: 'POST', body: {
      branch_id: node.org_id, month: state.month, kind: kind.value, theme: theme.value.trim(),
      starts_at: wallToIso(starts.value, zone), ends_at: wallToIso(ends.value, zone),
      venue: { name: inputs.venue.value.trim(), lat: Number(inputs.lat.value), lon: Number(inputs.lon.value),
        radius_m: Number(inputs.radius.value) } } }));
    if (drafted && await act(submit, out, () => session.call(`/plans/${drafted.plan_id}/submit`, { method: 'POST' }))) render();
  } }, h('h3', {}, t('meetings.new'), ' · ', state.month),
  h('div', { class: 'row' }, field('meetings.kind', kind), field('plan.theme', theme)),
  h('div', { class: 'row' }, field('draft.starts', starts), field('draft.ends', ends)),
  h('small', { class: 'muted' }, t('draft.zone', { zone })),
  venuePicker(node, inputs, out), h('p', { class: 'muted small' }, t('meetings.approvalHint')),
  h('div', { class: 'row' }, submit), out);
  return form;
}

async function meetingsList(node) {
  const answer = await session.call(`/plans${query({ org_id: node.org_id, month: state.month, page_size: 50 })}`);
  const meetings = answer.items.filter((plan) => plan.kind !== 'theme_day');
  const out = h('div', {});
  const actions = (plan) => {
    if (plan.activity_id) return h('a', { class: 'btn', href: `#/activity/${plan.activity_id}` }, t('plan.open'));
    if (!['draft', 'returned'].includes(plan.status)) return null;
    const send = h('button', { class: 'btn', type: 'button', onclick: async () => {
      if (await act(send, out, () => session.call(`/plans/${plan.plan_id}/submit`, { method: 'POST' }))) render();
    } }, t('meetings.submit'));
    return send;
  };
  return h('div', { class: 'card', id: 'meetings-list' }, h('h3', {}, t('meetings.ofMonth', { month: state.month })), out,
    table([['meetings.kind', (p) => kindBadge(p.kind)], ['plan.theme', (p) => p.theme],
      ['plan.when', (p) => [fmtTime(p.starts_at), ' – ', fmtTime(p.ends_at)]],
      ['plan.status', (p) => statusBadge('plan', p.status)], ['common.actions', actions]],
    meetings, t('meetings.none')));
}

async function settingsPanel(node) {
  const holder = h('div', { class: 'card', id: 'meeting-settings' }, h('h3', {}, t('meetings.settings')), loading());
  let settings;
  try {
    settings = await session.call(`/orgs/${node.org_id}/meeting-settings`);
  } catch (error) {
    mount(holder, h('h3', {}, t('meetings.settings')), errorBox(error));
    return holder;
  }
  const editable = can(state.me, 'manage_tree', node);
  const controls = {};
  const rows = MEETING_KINDS.map((kind) => {
    const setting = settings.kinds[kind];
    const approval = h('input', { type: 'checkbox', name: `approval-${kind}`, checked: setting.requires_approval,
      disabled: !editable, 'aria-label': `${t(`kind.${kind}`)} ${t('meetings.requiresApproval')}` });
    const cadence = h('select', { name: `cadence-${kind}`, disabled: !editable,
      'aria-label': `${t(`kind.${kind}`)} ${t('meetings.cadence')}` },
    ['monthly', 'quarterly'].map((c) => h('option', { value: c, selected: c === setting.cadence }, t(`cadence.${c}`))));
    controls[kind] = { approval, cadence };
    return { kind, setting, approval, cadence };
  });
  const out = h('div', {});
  const save = h('button', { class: 'btn primary', type: 'button', id: 'save-meeting-settings', onclick: async () => {
    const kinds = Object.fromEntries(MEETING_KINDS.map((kind) => [kind, {
      requires_approval: controls[kind].approval.checked, cadence: controls[kind].cadence.value }]));
    const saved = await act(save, out, () => session.call(`/orgs/${node.org_id}/meeting-settings`,
      { method: 'PUT', body: { kinds } }));
    if (saved) mount(out, notice(t('meetings.saved')));
  } }, t('meetings.saveSettings'));
  const source = (row) => (row.setting.own ? t('meetings.own')
    : row.setting.from_org_id ? [t('meetings.follows'), ' ', orgLabel(row.setting.from_org_id)] : t('meetings.defaults'));
  mount(holder, h('h3', {}, t('meetings.settings')),
    table([['meetings.kind', (r) => t(`kind.${r.kind}`)], ['meetings.requiresApproval', (r) => r.approval],
      ['meetings.cadence', (r) => r.cadence], ['meetings.source', source]], rows),
    editable ? h('div', { class: 'row' }, save) : null, out);
  return holder;
}

function overdueCard(node, page) {
  const month = h('input', { type: 'month', name: 'overdue-month', value: previousMonth(state.month) });
  const kind = h('select', { name: 'overdue-kind' }, h('option', { value: '' }, t('meetings.allKinds')),
    MEETING_KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const list = h('div', { id: 'meetings-overdue-list' });
  const load = async (at) => {
    mount(list, loading());
    try {
      const answer = await session.call(`/orgs/${node.org_id}/meetings/overdue${query({ month: month.value,
        kind: kind.value || undefined, page: at, page_size: PAGE_SIZE })}`);
      mount(list, table([['plan.branch', (r) => r.name], ['overdue.parent', (r) => orgLabel(r.parent_id)],
        ['meetings.kind', (r) => kindBadge(r.kind)], ['meetings.cadence', (r) => t(`cadence.${r.cadence}`)],
        ['meetings.period', (r) => r.period]], answer.items, t('meetings.noneOverdue')),
      answer.total > PAGE_SIZE ? pager(at, PAGE_SIZE, answer.total, (p) => load(p)) : null);
    } catch (error) {
      mount(list, errorBox(error));
    }
  };
  month.addEventListener('change', () => load(1));
  kind.addEventListener('change', () => load(1));
  load(page);
  return h('div', { class: 'card', id: 'meetings-overdue' }, h('h3', {}, t('meetings.overdue')),
    h('p', { class: 'muted small' }, t('meetings.overdueHint')),
    h('div', { class: 'toolbar' }, field('meetings.period', month), field('meetings.kind', kind)), list);
}

// A members' meeting's decisions (表决) on its activity page: each with its votes and whether it passed by the double
// majority (双过半); who manages the branch's plans records one.
export function decisionsCard(activityId, manages) {
  const holder = h('div', { class: 'card', id: 'decisions' }, h('h3', {}, t('decisions.title')), loading());
  const out = h('div', {});
  const draw = async () => {
    let answer;
    try {
      answer = await session.call(`/activities/${activityId}/decisions?page_size=50`);
    } catch (error) {
      mount(holder, h('h3', {}, t('decisions.title')), errorBox(error));
      return;
    }
    const number = (name) => h('input', { name, type: 'number', min: 0, value: 0, required: true });
    const title = h('input', { name: 'decision-title', required: true, maxlength: 500 });
    const favour = number('in_favour');
    const against = number('against');
    const abstaining = number('abstaining');
    const record = h('button', { class: 'btn primary', type: 'submit' }, t('decisions.record'));
    const form = h('form', { class: 'form', id: 'decision-form', onsubmit: async (event) => {
      event.preventDefault();
      const saved = await act(record, out, () => session.call(`/activities/${activityId}/decisions`, { method: 'POST',
        body: { title: title.value.trim(), in_favour: Number(favour.value), against: Number(against.value),
          abstaining: Number(abstaining.value) } }));
      if (saved) {
        await draw();
        mount(out, notice(t(saved.passed ? 'decisions.passedNote' : 'decisions.failedNote', { title: saved.title })));
      }
    } }, field('decisions.subject', title),
    h('div', { class: 'row' }, field('decisions.inFavour', favour), field('decisions.against', against),
      field('decisions.abstaining', abstaining)), h('div', { class: 'row' }, record));
    mount(holder, h('h3', {}, t('decisions.title')),
      h('p', { class: 'muted' }, t('decisions.rule', { expected: answer.expected, present: answer.present })),
      table([['decisions.subject', (d) => d.title],
        ['decisions.votes', (d) => t('decisions.count', { f: d.in_favour, a: d.against, s: d.abstaining })],
        ['decisions.attendance', (d) => `${d.present}/${d.expected}`],
        ['decisions.result', (d) => badge(t(d.passed ? 'decisions.passed' : 'decisions.failed'),
          d.passed ? 's-approved' : 's-returned')],
        ['decisions.at', (d) => fmtTime(d.recorded_at)]], answer.items, t('decisions.none')),
      manages ? form : null, out);
  };
  draw();
  return holder;
}
