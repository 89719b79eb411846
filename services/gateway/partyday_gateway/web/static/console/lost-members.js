// The lost-contact register (组织找党员) of the chosen node's subtree: entries filtered by status, a page at a time,
// each with its steps; an admin of the subtree registers a member (the member picker), adds a step, and marks one
// found or transferred to another branch (the organisation picker).
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, badge, empty, fmtTime, h, mount, notice, pager } from '../ui.js';
import { memberPicker } from './member-picker.js';
import { orgPicker } from './org-picker.js';
import { PAGE_SIZE, orgNode, render, section, session, state } from './context.js';

export default { title: 'nav.lostMembers', needs: ['manage_members'], show: viewLostMembers };

const STATUSES = ['open', 'found', 'transferred', 'all'];

async function viewLostMembers(main, status = 'open', page = '1') {
  const chosen = STATUSES.includes(status) ? status : 'open';
  const node = await orgNode(state.org);
  const mayAct = can(state.me, 'manage_members', node);
  const answer = await session.call(`/orgs/${state.org}/lost-members${query({
    status: chosen === 'all' ? null : chosen, page: Number(page), page_size: PAGE_SIZE })}`);
  const filter = h('select', { id: 'lost-status', name: 'lost_status', onchange: () => {
    location.hash = `#/lost-members/${filter.value}`;
  } }, STATUSES.map((s) => h('option', { value: s, selected: s === chosen }, t(`lost.status.${s}`))));
  const list = answer.items.length
    ? h('div', { class: 'lost-list' }, answer.items.map((entry) => entryCard(entry, mayAct)))
    : empty(t(chosen === 'open' ? 'lost.noneOpen' : 'lost.none'));
  section(main, 'nav.lostMembers',
    h('div', { class: 'toolbar' }, h('label', { class: 'field' }, h('span', {}, t('lost.filter')), filter)),
    mayAct ? registerForm(node) : null, list,
    answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total,
      (p) => { location.hash = `#/lost-members/${chosen}/${p}`; }) : null);
}

function registerForm(node) {
  let member = null;
  const out = h('div', { class: 'out' });
  const picker = memberPicker({ name: 'lost_member', label: 'lost.member',
    search: (q) => session.call(`/orgs/${node.org_id}/members${query({ q, page_size: 10 })}`),
    onPick: (picked) => { member = picked; } });
  const since = h('input', { type: 'date', name: 'since', required: true, id: 'lost-since' });
  const contact = h('input', { name: 'last_contact', maxlength: 200, id: 'lost-contact' });
  const save = h('button', { class: 'btn primary', type: 'submit', id: 'lost-register' }, t('lost.register'));
  return h('form', { class: 'card form', id: 'lost-register-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!member) { mount(out, notice(t('picker.required'), 'error')); return; }
    const body = { member_id: member.member_id, since: since.value };
    if (contact.value.trim()) body.last_contact = contact.value.trim();
    if (await act(save, out, () => session.call('/lost-members', { method: 'POST', body }))) render();
  } }, h('h3', {}, t('lost.new')), picker,
  h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, t('lost.since')), since),
    h('label', { class: 'field' }, h('span', {}, t('lost.contact')), contact)), save, out);
}

function entryCard(entry, mayAct) {
  const out = h('div', { class: 'out' });
  const steps = entry.steps.length
    ? h('ol', { class: 'steps' }, entry.steps.map((step) => h('li', {}, step.what, ' ',
      h('small', { class: 'muted' }, t('lost.stepBy', { who: step.taken_by_name || '—', at: fmtTime(step.taken_at) })))))
    : h('p', { class: 'muted' }, t('lost.noSteps'));
  const open = entry.status === 'open';
  return h('article', { class: 'card', 'data-entry': entry.entry_id },
    h('h3', {}, entry.member_name, ' ', badge(t(`lost.status.${entry.status}`), open ? 'warn' : 's-published')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('lost.branch')), h('dd', {}, entry.last_branch_name),
      h('dt', {}, t('lost.since')), h('dd', {}, entry.since),
      h('dt', {}, t('lost.contact')), h('dd', {}, entry.last_contact || '—'),
      entry.closed_at ? [h('dt', {}, t('lost.closed')), h('dd', {}, fmtTime(entry.closed_at), ' ', entry.outcome_note || '')]
        : null),
    h('h4', {}, t('lost.steps')), steps,
    open && mayAct ? actions(entry, out) : null, out);
}

function actions(entry, out) {
  const id = entry.entry_id;
  const what = h('input', { name: 'step_what', maxlength: 500, required: true, 'data-step': id });
  const addStep = h('button', { class: 'btn', type: 'submit' }, t('lost.addStep'));
  const stepForm = h('form', { class: 'row', onsubmit: async (event) => {
    event.preventDefault();
    if (!what.value.trim()) { what.focus(); return; }
    if (await act(addStep, out, () => session.call(`/lost-members/${id}/steps`,
      { method: 'POST', body: { what: what.value.trim() } }))) render();
  } }, h('label', { class: 'field' }, h('span', {}, t('lost.step')), what), addStep);
  const note = h('input', { name: 'outcome_note', maxlength: 500 });
  const withNote = () => (note.value.trim() ? { note: note.value.trim() } : {});
  const found = h('button', { class: 'btn primary', type: 'button', 'data-found': id, onclick: async () => {
    if (await act(found, out, () => session.call(`/lost-members/${id}/found`,
      { method: 'POST', body: withNote() }))) render();
  } }, t('lost.found'));
  const destination = orgPicker({ name: `transfer_to_${id}`, label: 'lost.transferTo', level: 'branch' });
  const move = h('button', { class: 'btn', type: 'button', 'data-transfer': id, onclick: async () => {
    if (!destination.chosen) { mount(out, notice(t('picker.required'), 'error')); return; }
    if (await act(move, out, () => session.call(`/lost-members/${id}/transferred`,
      { method: 'POST', body: { to_org_id: destination.chosen.org_id, ...withNote() } }))) render();
  } }, t('lost.transfer'));
  return h('div', { class: 'lost-actions' }, stepForm,
    h('label', { class: 'field' }, h('span', {}, t('lost.note')), note),
    h('div', { class: 'row' }, found), h('div', { class: 'row' }, destination, move));
}
