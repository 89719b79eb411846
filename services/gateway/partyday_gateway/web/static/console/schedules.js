// The chosen node's schedule (its fixed party day and deadline days, its own or the one it follows) and a
// branch's annual task list (年度任务清单), each changed here by whoever may.
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, errorBox, field, h, loading, mount, notice } from '../ui.js';
import { branchChoice, branchField } from './branch-choice.js';
import { orgLabel, section, session, state } from './context.js';

export default { title: 'nav.schedule', needs: ['read'], show: viewSchedule };

const DAYS = Array.from({ length: 28 }, (_, index) => index + 1);

async function viewSchedule(main) {
  const org = await session.call(`/orgs/${state.org}`);
  const scheduleCard = h('div', { class: 'card', id: 'schedule' }, loading());
  const taskCard = h('div', { class: 'card', id: 'task-list' }, loading());
  const whose = org.level === 'branch' ? null : branchChoice(org.org_id, { label: 'schedule.whose', name: 'schedule_org',
    anyLevel: true, onChange: async (orgId) => {
      mount(scheduleCard, loading());
      try {
        await showSchedule(scheduleCard, await session.call(`/orgs/${orgId}`));
      } catch (error) {
        mount(scheduleCard, errorBox(error));
      }
    } });
  section(main, 'nav.schedule', h('div', { class: 'grid2' }, h('div', {}, whose, scheduleCard), taskCard));
  await Promise.all([showSchedule(scheduleCard, org), showTaskLists(taskCard, org)]);
}

function daySelect(name, value, allowNone) {
  return h('select', { name },
    allowNone ? h('option', { value: '', selected: value === null }, t('schedule.noPartyDay')) : null,
    DAYS.map((day) => h('option', { value: day, selected: day === value }, t('schedule.day', { n: day }))));
}

async function showSchedule(card, org) {
  let schedule;
  try {
    schedule = await session.call(`/orgs/${org.org_id}/schedule`);
  } catch (error) {
    mount(card, h('h3', {}, t('schedule.title')), errorBox(error));
    return;
  }
  const origin = schedule.own ? t('schedule.own')
    : schedule.from_org_id ? [t('schedule.follows'), ' ', orgLabel(schedule.from_org_id)] : t('schedule.defaults');
  const facts = h('dl', { class: 'facts', id: 'schedule-facts' },
    h('dt', {}, t('schedule.partyDay')), h('dd', { id: 'party-day' },
      schedule.party_day ? t('schedule.day', { n: schedule.party_day }) : t('schedule.noPartyDay')),
    h('dt', {}, t('schedule.planDeadline')), h('dd', {}, t('schedule.day', { n: schedule.plan_deadline_day })),
    h('dt', {}, t('schedule.summaryDeadline')), h('dd', {}, t('schedule.day', { n: schedule.summary_deadline_day })),
    h('dt', {}, t('schedule.timeZone')), h('dd', {}, schedule.time_zone),
    h('dt', {}, t('schedule.origin')), h('dd', {}, origin));
  if (!can(state.me, 'manage_tree', org)) {
    mount(card, h('h3', {}, t('schedule.title'), ' · ', org.name), facts);
    return;
  }
  const partyDay = daySelect('party_day', schedule.party_day, true);
  const planDay = daySelect('plan_deadline_day', schedule.plan_deadline_day, false);
  const summaryDay = daySelect('summary_deadline_day', schedule.summary_deadline_day, false);
  const zone = h('input', { name: 'time_zone', value: schedule.time_zone, maxlength: 64, required: true });
  const out = h('div', {});
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('schedule.save'));
  mount(card, h('h3', {}, t('schedule.title'), ' · ', org.name), facts,
    h('form', { class: 'form', id: 'schedule-form', onsubmit: async (event) => {
      event.preventDefault();
      const body = { party_day: partyDay.value ? Number(partyDay.value) : null,
        plan_deadline_day: Number(planDay.value), summary_deadline_day: Number(summaryDay.value),
        time_zone: zone.value.trim() };
      if (await act(save, out, () => session.call(`/orgs/${org.org_id}/schedule`, { method: 'PUT', body }))) {
        await showSchedule(card, org);
        card.append(notice(t('schedule.saved')));
      }
    } }, h('p', { class: 'muted small' }, t('schedule.hint')), field('schedule.partyDay', partyDay),
    h('div', { class: 'row' }, field('schedule.planDeadline', planDay), field('schedule.summaryDeadline', summaryDay)),
    field('schedule.timeZone', zone), save, out));
}

async function showTaskLists(card, org) {
  const branch = await branchField(org, { label: 'tasks.branch', name: 'task_branch' });
  const year = h('input', { type: 'number', name: 'year', min: 2000, max: 2100, value: state.month.slice(0, 4),
    required: true });
  const body = h('div', { id: 'task-body' });
  const open = h('button', { class: 'btn', type: 'submit' }, t('tasks.open'));
  mount(card, h('h3', {}, t('tasks.title')), h('form', { class: 'row', onsubmit: (event) => {
    event.preventDefault();
    if (!branch.value) { mount(body, notice(t('branch.required'), 'error')); return; }
    showTaskList(body, branch.value, Number(year.value));
  } }, branch, field('tasks.year', year), open), body);
  if (branch.value) await showTaskList(body, branch.value, Number(year.value));
  else mount(body, h('p', { class: 'muted' }, t('tasks.chooseBranch')));
}

async function showTaskList(body, branchId, year) {
  mount(body, loading());
  let tasks;
  let branch;
  try {
    [tasks, branch] = await Promise.all([session.call(`/branches/${branchId}/task-lists/${year}`),
      session.call(`/orgs/${branchId}`)]);
  } catch (error) {
    mount(body, errorBox(error));
    return;
  }
  const shown = tasks.items.length
    ? h('ol', { class: 'tasks', id: 'task-items' }, tasks.items.map((item) => h('li', {}, item)))
    : h('p', { class: 'muted', id: 'task-items' }, t('tasks.none', { name: branch.name, year }));
  if (!can(state.me, 'manage_plans', branch)) {
    mount(body, h('h4', {}, branch.name, ' · ', year), shown);
    return;
  }
  const text = h('textarea', { name: 'tasks', rows: 8, maxlength: 100500 }, tasks.items.join('\n'));
  const out = h('div', {});
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('tasks.save'));
  mount(body, h('h4', {}, branch.name, ' · ', year), shown, h('form', { class: 'form', id: 'task-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const items = text.value.split('\n').map((line) => line.trim()).filter(Boolean);
      if (await act(save, out, () => session.call(`/branches/${branchId}/task-lists/${year}`,
        { method: 'PUT', body: { items } }))) {
        await showTaskList(body, branchId, year);
        body.append(notice(t('tasks.saved')));
      }
    } }, field('tasks.items', text, t('tasks.itemsHint')), save, out));
}
