// One member: their facts and moves between branches; for an admin of their branch, editing them, transferring
// them (to a branch chosen below the console's node, with a reason) and recording their leaving (with a reason);
// their role grants, with granting and revoking for whoever may.
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, errorBox, field, fmtTime, h, mount, notice, table } from '../ui.js';
import { branchChoice } from './branch-choice.js';
import { orgLabel, render, section, session, state } from './context.js';
import { grantsTable, grantForm } from './grants.js';
import { flagFields, flagInputs, memberFlags } from './members.js';

export default { title: 'nav.member', needs: ['read'], show: viewMember };

async function viewMember(main, memberId) {
  const member = await session.call(`/members/${memberId}`);
  const branch = member.branch_id ? await session.call(`/orgs/${member.branch_id}`) : null;
  const manage = Boolean(branch) && member.active && can(state.me, 'manage_members', branch);
  const facts = h('div', { class: 'card', id: 'member-facts' }, h('h3', {}, member.name, ' ', memberFlags(member)),
    h('dl', { class: 'facts' }, h('dt', {}, t('member.phone')), h('dd', {}, member.phone),
      h('dt', {}, t('members.branch')), h('dd', { id: 'member-branch' }, branch ? branch.name : '—'),
      h('dt', {}, t('member.joined')), h('dd', {}, member.joined_on || '—')));
  const grants = h('div', { class: 'card', id: 'member-grants' });
  const moves = h('div', { class: 'card', id: 'member-moves' });
  section(main, 'nav.member', h('p', {}, h('a', { href: '#/members' }, t('members.back'))), facts,
    manage ? h('div', { class: 'grid2' }, editForm(member), h('div', {}, transferForm(member), leaveForm(member))) : null,
    grants, moves);
  showGrants(grants, member, branch);
  showMoves(moves, member);
}

function editForm(member) {
  const name = h('input', { name: 'name', required: true, maxlength: 100, value: member.name });
  const joined = h('input', { name: 'joined_on', type: 'date', value: member.joined_on || '' });
  const flags = flagInputs(member);
  const out = h('div', {});
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('members.save'));
  return h('form', { class: 'card form', id: 'member-edit', onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), mobile: flags.mobile.checked, probationary: flags.probationary.checked,
      lost_contact: flags.lost_contact.checked };
    if (joined.value) body.joined_on = joined.value;
    const saved = await act(save, out, () => session.call(`/members/${member.member_id}`, { method: 'PATCH', body }));
    if (saved) render();
  } }, h('h3', {}, t('members.edit')), field('member.name', name), field('member.joined', joined), flagFields(flags),
  save, out);
}

function transferForm(member) {
  const target = branchChoice(state.org, { label: 'members.transferTo', name: 'to_org_id', exclude: member.branch_id });
  const reason = h('textarea', { name: 'transfer_reason', rows: 2, maxlength: 500, required: true });
  const out = h('div', {});
  const go = h('button', { class: 'btn primary', type: 'submit' }, t('members.transfer'));
  return h('form', { class: 'card form', id: 'member-transfer', onsubmit: async (event) => {
    event.preventDefault();
    if (!target.value) { mount(out, notice(t('branch.required'), 'error')); return; }
    if (!reason.value.trim()) { reason.focus(); return; }
    const moved = await act(go, out, () => session.call(`/members/${member.member_id}/transfer`,
      { method: 'POST', body: { to_org_id: target.value, reason: reason.value.trim() } }));
    if (moved) render();
  } }, h('h3', {}, t('members.transfer')), target, field('members.reason', reason, t('members.reasonHint')), go, out);
}

function leaveForm(member) {
  const reason = h('textarea', { name: 'leave_reason', rows: 2, maxlength: 500, required: true });
  const out = h('div', {});
  const go = h('button', { class: 'btn danger', type: 'submit' }, t('members.leave'));
  return h('form', { class: 'card form', id: 'member-leave', onsubmit: async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) { reason.focus(); return; }
    if (!go.dataset.confirming) {
      go.dataset.confirming = 'yes';
      go.textContent = t('members.leaveConfirm', { name: member.name });
      return;
    }
    const left = await act(go, out, () => session.call(`/members/${member.member_id}/leave`,
      { method: 'POST', body: { reason: reason.value.trim() } }));
    if (left) render();
  } }, h('h3', {}, t('members.leave')), field('members.reason', reason, t('members.leaveHint')), go, out);
}

async function showGrants(card, member, branch) {
  const refresh = () => showGrants(card, member, branch);
  const list = h('div', {});
  mount(card, h('h3', {}, t('grants.ofMember')), list,
    member.active && branch && can(state.me, 'grant_roles') ? await grantForm({ member, branch, onDone: refresh }) : null);
  await grantsTable(list, { member_id: member.member_id }, refresh, false);
}

async function showMoves(card, member) {
  try {
    const moves = await session.call(`/members/${member.member_id}/transfers`);
    mount(card, h('h3', {}, t('members.moves')), table([['members.from', (m) => orgLabel(m.from_org_id)],
      ['members.to', (m) => orgLabel(m.to_org_id)], ['members.when', (m) => fmtTime(m.transferred_at)]],
    moves, t('members.noMoves')));
  } catch (error) {
    mount(card, h('h3', {}, t('members.moves')), errorBox(error));
  }
}
