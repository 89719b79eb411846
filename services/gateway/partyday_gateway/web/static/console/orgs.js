// The organisation tree and the chosen node's facts, members and (for a branch) absences: lazily opened
// children; choosing a node makes it the console's context.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { showBranchMakeups } from '../study-progress.js';
import { act, badge, field, h, mount, notice, pager, showAbsences, table } from '../ui.js';
import { PAGE_SIZE, rememberName, render, section, session, state, superiorOf } from './context.js';
import { orgPicker } from './org-picker.js';

export default { title: 'nav.orgs', needs: ['read'], show: viewOrgs };

// A node found by name or code (the picker) or opened in the tree becomes the console's context.
async function viewOrgs(main) {
  const tree = h('ul', { class: 'tree' }, await treeNode(state.home, true));
  const detail = h('div', { class: 'panel' });
  const find = orgPicker({ name: 'context_org', label: 'orgs.find',
    onChoose: (org) => { if (org) { state.org = org.org_id; render(); } } });
  section(main, 'nav.orgs', h('div', { class: 'toolbar' }, field('orgs.find', find)),
    h('div', { class: 'split' }, h('div', { class: 'panel tree-panel' }, tree), detail));
  await showOrg(detail, state.org, 1);
}

async function treeNode(orgId, open = false) {
  const org = await session.call(`/orgs/${orgId}`);
  rememberName(orgId, org.name);
  const children = h('ul', {});
  const toggle = h('button', { class: 'twisty', 'aria-label': t('orgs.expand') }, org.level === 'branch' ? '·' : '+');
  const item = h('li', {}, toggle, h('a', { href: '#/orgs', class: orgId === state.org ? 'current' : '',
    onclick: (event) => { event.preventDefault(); state.org = orgId; render(); } }, org.name,
  h('small', {}, ` ${t(`level.${org.level}`)}`)), children);
  let loaded = false;
  const expand = async () => {
    if (org.level === 'branch') return;
    if (loaded) { children.hidden = !children.hidden; toggle.textContent = children.hidden ? '+' : '−'; return; }
    loaded = true;
    toggle.textContent = '−';
    const page = await session.call(`/orgs/${orgId}/children${query({ page_size: 100 })}`);
    for (const child of page.items) rememberName(child.org_id, child.name);
    mount(children, await Promise.all(page.items.map((child) => treeNode(child.org_id))));
    if (page.total > page.items.length) children.append(h('li', { class: 'muted' }, t('orgs.more', { n: page.total - page.items.length })));
  };
  toggle.addEventListener('click', expand);
  if (open) await expand();
  return item;
}

async function showOrg(panel, orgId, page) {
  const org = await session.call(`/orgs/${orgId}`);
  const members = await session.call(`/orgs/${orgId}/members${query({ page, page_size: PAGE_SIZE })}`);
  const absences = h('div', {});
  const makeups = h('div', {});
  mount(panel, h('h3', {}, org.name),
    h('dl', { class: 'facts' }, h('dt', {}, t('orgs.code')), h('dd', {}, org.code),
      h('dt', {}, t('orgs.level')), h('dd', {}, t(`level.${org.level}`)),
      h('dt', {}, t('orgs.domain')), h('dd', {}, t(`domain.${org.domain}`)),
      h('dt', {}, t('orgs.kind')), h('dd', {}, t(`kind.${org.kind}`))),
    org.level === 'branch' && superiorOf(org) ? h('div', { class: 'toolbar' },
      h('a', { class: 'btn', href: `#/rectifications/new/${org.org_id}` }, t('spot.rectify'))) : null,
    can(state.me, 'manage_tree', org) ? treeForms(org) : null,
    h('h4', {}, t('orgs.members')),
    table([['member.name', (m) => m.name], ['member.phone', (m) => m.phone],
      ['member.flags', (m) => [m.probationary ? badge(t('member.probationary')) : null,
        m.mobile ? badge(t('member.mobile'), 'info') : null, m.lost_contact ? badge(t('member.lost'), 'warn') : null,
        m.active ? null : badge(t('member.inactive'), 'muted')]],
      ['member.joined', (m) => m.joined_on || '—'],
      ...(can(state.me, 'manage_members', org) ? [['common.actions', (m) => resetControl(m)]] : [])],
    members.items, t('orgs.noMembers')),
    members.total > PAGE_SIZE ? pager(page, PAGE_SIZE, members.total, (p) => showOrg(panel, orgId, p)) : null,
    absences, makeups);
  if (org.level === 'branch') {
    await Promise.all([showAbsences(session, absences, orgId), showBranchMakeups(session, makeups, orgId, 'overdue')]);
  }
}

// An admin resets a member's password to a temporary one, which the member must change at their next login.
function resetControl(member) {
  if (!member.active || member.member_id === state.me.member_id) return null;
  const cell = h('div', { class: 'reset-password', 'data-member': member.member_id });
  const open = h('button', { class: 'btn ghost small', onclick: () => {
    const temporary = h('input', { name: 'temporary_password', type: 'text', autocomplete: 'off', minlength: 8,
      maxlength: 128, required: true });
    const out = h('div', { class: 'out' });
    const confirm = h('button', { class: 'btn primary small', type: 'submit' }, t('password.adminReset'));
    mount(cell, h('form', { class: 'inline', onsubmit: async (event) => {
      event.preventDefault();
      const reset = await act(confirm, out, () => session.call(`/members/${member.member_id}/password-reset`,
        { method: 'POST', body: { password: temporary.value } }));
      if (reset) mount(cell, notice(t('password.adminResetDone')));
    } }, field('password.temporary', temporary), confirm, out));
    temporary.focus();
  } }, t('password.adminReset'));
  return mount(cell, open);
}

const LEVELS = ['city', 'county', 'township', 'general_branch', 'branch'];
const DOMAINS = ['rural', 'community', 'government', 'institution', 'state_enterprise', 'private_enterprise',
  'social_org', 'school', 'other'];
const KINDS = ['regular', 'joint', 'mobile'];

function choice(name, values, prefix, selected) {
  return h('select', { name }, values.map((value) => h('option', { value, selected: value === selected },
    t(`${prefix}.${value}`))));
}

// For whoever manages the tree here: the node's name, domain, kind and venue changed, and a new node added below
// it (any level below its own).
function treeForms(org) {
  const out = h('div', {});
  const name = h('input', { name: 'name', required: true, maxlength: 200, value: org.name });
  const domain = choice('domain', DOMAINS, 'domain', org.domain);
  const kind = choice('kind', KINDS, 'kind', org.kind);
  const lat = h('input', { name: 'venue_lat', type: 'number', step: 'any', min: -90, max: 90, value: org.venue_lat ?? '' });
  const lon = h('input', { name: 'venue_lon', type: 'number', step: 'any', min: -180, max: 180, value: org.venue_lon ?? '' });
  const save = h('button', { class: 'btn', type: 'submit' }, t('orgs.save'));
  const coordinate = (input) => (input.value === '' ? null : Number(input.value));
  const edit = h('details', { class: 'card org-edit' }, h('summary', {}, t('orgs.edit')),
    h('form', { class: 'form', id: 'org-edit', onsubmit: async (event) => {
      event.preventDefault();
      const changed = await act(save, out, () => session.call(`/orgs/${org.org_id}`, { method: 'PATCH', body: {
        name: name.value.trim(), domain: domain.value, kind: kind.value, venue_lat: coordinate(lat),
        venue_lon: coordinate(lon) } }));
      if (changed) {
        rememberName(org.org_id, changed.name);
        render();
      }
    } }, field('orgs.name', name), h('div', { class: 'row' }, field('orgs.domain', domain), field('orgs.kind', kind)),
    h('div', { class: 'row' }, field('orgs.venueLat', lat), field('orgs.venueLon', lon)), save));
  const below = LEVELS.slice(LEVELS.indexOf(org.level) + 1);
  if (!below.length) return h('div', {}, edit, out);
  const childName = h('input', { name: 'child_name', required: true, maxlength: 200 });
  const level = choice('level', below, 'level', below[0]);
  const childDomain = choice('child_domain', DOMAINS, 'domain', org.domain);
  const childKind = choice('child_kind', KINDS, 'kind', 'regular');
  const code = h('input', { name: 'code', maxlength: 64, pattern: '[A-Za-z0-9_.\\-]+' });
  const add = h('button', { class: 'btn primary', type: 'submit' }, t('orgs.add'));
  const create = h('details', { class: 'card org-add' }, h('summary', {}, t('orgs.addBelow')),
    h('form', { class: 'form', id: 'org-add', onsubmit: async (event) => {
      event.preventDefault();
      const made = await act(add, out, () => session.call('/orgs', { method: 'POST', body: {
        name: childName.value.trim(), parent_id: org.org_id, level: level.value, domain: childDomain.value,
        kind: childKind.value, ...(code.value.trim() ? { code: code.value.trim() } : {}) } }));
      if (made) {
        rememberName(made.org_id, made.name);
        state.org = made.org_id;
        render();
      }
    } }, field('orgs.name', childName), h('div', { class: 'row' }, field('orgs.level', level),
      field('orgs.domain', childDomain), field('orgs.kind', childKind)),
    field('orgs.code', code, t('orgs.codeHint')), add));
  return h('div', {}, edit, create, out);
}
