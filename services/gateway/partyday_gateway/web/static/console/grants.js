// Role grants: those at the nodes under the console's node (this view) or of one member (their page), a page at a
// time, each revoked by whoever may grant it; a role granted to a member chosen by name or phone, at a node of
// the role's level.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, errorBox, field, fmtTime, h, loading, mount, notice, pager, table } from '../ui.js';
import { branchChoice } from './branch-choice.js';
import { memberPicker } from './member-picker.js';
import { PAGE_SIZE, section, session, state } from './context.js';

export default { title: 'nav.grants', needs: ['grant_roles'], show: viewGrants };

const ROLES_BY_LEVEL = {
  city: ['auditor', 'working_group', 'committee'],
  county: ['org_admin', 'auditor', 'working_group', 'committee'],
  township: ['org_admin', 'auditor', 'working_group', 'committee'],
  general_branch: ['org_admin', 'auditor', 'working_group', 'committee'],
  branch: ['branch_admin', 'auditor'],
};

async function viewGrants(main) {
  const org = await session.call(`/orgs/${state.org}`);
  const list = h('div', { id: 'grant-list' });
  const refresh = () => grantsTable(list, { org_id: org.org_id }, refresh, true);
  section(main, 'nav.grants', h('p', { class: 'muted' }, t('grants.hint', { name: org.name })),
    can(state.me, 'grant_roles', org) ? await grantForm({ org, onDone: refresh }) : null,
    h('div', { class: 'card' }, h('h3', {}, t('grants.list')), list));
  await refresh();
}

// The grants `filter` selects ({org_id} or {member_id}) in `list`, a page at a time, each with a revoke button
// where the caller may grant its role.
export async function grantsTable(list, filter, refresh, showMember, page = 1) {
  mount(list, loading());
  let found;
  try {
    found = await session.call(`/role-grants${query({ ...filter, page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    mount(list, errorBox(error));
    return;
  }
  const out = h('div', {});
  const revoke = (grant) => {
    if (!can(state.me, 'grant_roles', { path: grant.org_path }) || grant.member_id === state.me.member_id) return null;
    const button = h('button', { class: 'btn small', 'data-grant': grant.grant_id, onclick: async () => {
      const done = await act(button, out, () => session.call(`/role-grants/${grant.grant_id}`, { method: 'DELETE' }));
      if (done !== undefined) refresh();
    } }, t('grants.revoke'));
    return button;
  };
  mount(list, table([
    ...(showMember ? [['member.name', (g) => h('a', { href: `#/member/${g.member_id}` }, g.member_name)]] : []),
    ['grants.role', (g) => t(`role.${g.role}`)], ['grants.org', (g) => g.org_name],
    ['grants.since', (g) => fmtTime(g.granted_at)], ['common.actions', revoke]],
  found.items, t('grants.none')),
  found.total > PAGE_SIZE
    ? pager(page, PAGE_SIZE, found.total, (next) => grantsTable(list, filter, refresh, showMember, next)) : null, out);
}

// The nodes a member's role may be granted at: their branch and the nodes above it, where the caller grants roles.
async function nodesOfMember(branch) {
  const ids = branch.path.split('/').filter(Boolean);
  const reachable = ids.filter((id, depth) => can(state.me, 'grant_roles', { path: `/${ids.slice(0, depth + 1).join('/')}/` }));
  return Promise.all(reachable.map((id) => session.call(`/orgs/${id}`)));
}

// A role for `member` (at their branch or above), or for a member chosen by name or phone under `org` (at `org` or
// a node chosen below it); the roles offered are those of the chosen node's level.
export async function grantForm({ member = null, branch = null, org = null, onDone }) {
  let holder = member;
  let node = null;
  const roleSelect = h('select', { name: 'grant_role', required: true });
  // The roles of the chosen node's level, the role chosen before kept when the new level offers it.
  const fillRoles = (chosen) => {
    const before = roleSelect.value;
    node = chosen;
    mount(roleSelect, (ROLES_BY_LEVEL[chosen.level] || []).map((role) => h('option', { value: role }, t(`role.${role}`))));
    if ((ROLES_BY_LEVEL[chosen.level] || []).includes(before)) roleSelect.value = before;
  };
  let where;
  if (member) {
    const nodes = await nodesOfMember(branch);
    if (!nodes.length) return null;
    const select = h('select', { name: 'grant_org', required: true,
      onchange: () => fillRoles(nodes.find((n) => n.org_id === select.value)) },
    nodes.map((n) => h('option', { value: n.org_id }, `${n.name} · ${t(`level.${n.level}`)}`)));
    select.value = nodes[nodes.length - 1].org_id;
    fillRoles(nodes[nodes.length - 1]);
    where = field('grants.org', select);
  } else {
    if (!can(state.me, 'grant_roles', org)) return null;
    fillRoles(org);
    let asked = 0;
    where = branchChoice(org.org_id, { anyLevel: true, name: 'grant_org', label: 'grants.org',
      onChange: async (orgId) => {
        const ask = ++asked;
        const chosen = orgId === org.org_id ? org : await session.call(`/orgs/${orgId}`);
        if (ask === asked) fillRoles(chosen);
      } });
  }
  const out = h('div', {});
  const picker = member ? null : memberPicker({ name: 'grant_member', label: 'grants.member',
    search: (q) => session.call(`/orgs/${org.org_id}/members${query({ q, page_size: 10 })}`),
    onPick: (picked) => { holder = picked; } });
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('grants.grant'));
  return h('form', { class: 'card form', id: 'grant-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!holder) { mount(out, notice(t('picker.required'), 'error')); return; }
    const granted = await act(save, out, () => session.call('/role-grants', { method: 'POST',
      body: { member_id: holder.member_id, role: roleSelect.value, org_id: node.org_id } }));
    if (!granted) return;
    if (picker) picker.clear();
    mount(out, notice(t('grants.granted')));
    onDone();
  } }, h('h3', {}, t('grants.new')), picker, where, field('grants.role', roleSelect), save, out);
}
