// Members under the chosen node: found by name or phone, narrowed to one of its children, to mobile members or to
// members out of contact, a page at a time; an admin adds one here. Each member's page (`member`) edits them,
// transfers them with a reason, records their leaving and holds their role grants.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, badge, errorBox, field, h, loading, mount, notice, pager, table } from '../ui.js';
import { branchField } from './branch-choice.js';
import { PAGE_SIZE, rememberName, section, session, state } from './context.js';

export default { title: 'nav.members', needs: ['read'], show: viewMembers };

export function memberFlags(member) {
  return [member.probationary ? badge(t('member.probationary')) : null,
    member.mobile ? badge(t('member.mobile'), 'info') : null,
    member.lost_contact ? badge(t('member.lost'), 'warn') : null,
    member.active ? null : badge(t('member.inactive'), 'muted')];
}

async function viewMembers(main) {
  const org = await session.call(`/orgs/${state.org}`);
  rememberName(org.org_id, org.name);
  const children = org.level === 'branch' ? { items: [] }
    : await session.call(`/orgs/${org.org_id}/children${query({ page_size: 100 })}`);
  const scope = h('select', { name: 'scope' }, h('option', { value: org.org_id }, t('members.allUnder', { name: org.name })),
    children.items.map((child) => h('option', { value: child.org_id }, child.name)));
  const words = h('input', { type: 'search', name: 'q', maxlength: 50, autocomplete: 'off',
    placeholder: t('picker.placeholder') });
  const mobile = h('input', { type: 'checkbox', name: 'mobile' });
  const lost = h('input', { type: 'checkbox', name: 'lost_contact' });
  const list = h('div', { id: 'member-list' });
  const creating = h('div', {});
  const show = (page) => showPage(list, { org_id: scope.value, q: words.value.trim(), mobile: mobile.checked,
    lost_contact: lost.checked }, page);
  const addButton = can(state.me, 'manage_members', org) ? h('button', { class: 'btn', type: 'button', id: 'add-member',
    onclick: async () => {
      mount(creating, loading());
      mount(creating, await createForm(org, () => { mount(creating); show(1); }));
    } }, t('members.add')) : null;
  const importLink = can(state.me, 'manage_members') ? h('a', { class: 'btn link', href: '#/roster' }, t('nav.roster')) : null;
  section(main, 'nav.members',
    h('form', { class: 'card form filters', role: 'search', onsubmit: (event) => { event.preventDefault(); show(1); } },
      field('members.scope', scope), field('members.search', words),
      h('div', { class: 'row' }, h('label', { class: 'check' }, mobile, ' ', t('members.onlyMobile')),
        h('label', { class: 'check' }, lost, ' ', t('members.onlyLost'))),
      h('button', { class: 'btn primary', type: 'submit' }, t('members.find')),
      addButton || importLink ? h('div', { class: 'toolbar wide' }, addButton, importLink) : null),
    creating, list);
  await show(1);
}

async function showPage(list, filters, page) {
  mount(list, loading());
  let found;
  try {
    found = await session.call(`/orgs/${filters.org_id}/members${query({
      q: filters.q, mobile: filters.mobile ? 'true' : '', lost_contact: filters.lost_contact ? 'true' : '',
      page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    mount(list, errorBox(error));
    return;
  }
  list.dataset.total = found.total;
  mount(list, h('p', { class: 'muted' }, t('members.count', { n: found.total })),
    table([['member.name', (m) => h('a', { href: `#/member/${m.member_id}`, class: 'member-link' }, m.name)],
      ['member.phone', (m) => m.phone], ['members.branch', (m) => m.branch_name || '—'],
      ['member.flags', memberFlags], ['member.joined', (m) => m.joined_on || '—']],
    found.items, t(filters.q || filters.mobile || filters.lost_contact ? 'members.noMatch' : 'orgs.noMembers')),
    found.total > PAGE_SIZE ? pager(page, PAGE_SIZE, found.total, (next) => showPage(list, filters, next)) : null);
}

function flagInputs(member = {}) {
  const box = (name) => h('input', { type: 'checkbox', name, checked: Boolean(member[name]) });
  return { mobile: box('mobile'), probationary: box('probationary'), lost_contact: box('lost_contact') };
}

function flagFields(flags) {
  return h('div', { class: 'row' },
    h('label', { class: 'check' }, flags.mobile, ' ', t('member.mobile')),
    h('label', { class: 'check' }, flags.probationary, ' ', t('member.probationary')),
    h('label', { class: 'check' }, flags.lost_contact, ' ', t('member.lost')));
}

async function createForm(org, done) {
  const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
  const phone = h('input', { name: 'phone', required: true, type: 'tel', maxlength: 32, autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'text', minlength: 8, maxlength: 128, autocomplete: 'off' });
  const joined = h('input', { name: 'joined_on', type: 'date' });
  const branch = await branchField(org, { label: 'members.branch', name: 'branch_id' });
  const flags = flagInputs();
  const out = h('div', {});
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('members.create'));
  const form = h('form', { class: 'card form', id: 'member-create', onsubmit: async (event) => {
    event.preventDefault();
    if (!branch.value) { mount(out, notice(t('branch.required'), 'error')); return; }
    const body = { name: name.value.trim(), phone: phone.value.trim(), branch_id: branch.value,
      mobile: flags.mobile.checked, probationary: flags.probationary.checked, lost_contact: flags.lost_contact.checked };
    if (password.value) body.password = password.value;
    if (joined.value) body.joined_on = joined.value;
    const created = await act(save, out, () => session.call('/members', { method: 'POST', body }));
    if (created) {
      done();
      location.hash = `#/member/${created.member_id}`;
    }
  } }, h('h3', {}, t('members.add')), field('member.name', name), field('member.phone', phone), branch,
  field('members.password', password, t('roster.passwordHint')), field('member.joined', joined), flagFields(flags),
  h('div', { class: 'toolbar' }, save,
    h('button', { class: 'btn ghost', type: 'button', onclick: () => { form.remove(); } }, t('members.cancel'))), out);
  return form;
}

export { flagFields, flagInputs };
