// What the console's views share: the session, the console's context (the caller as GET /me answers them, their
// home node, the chosen node and month), organisation names, and the small pieces several views draw.
import { Session } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { badge, h, mount, thisMonth } from '../ui.js';

export const session = new Session('partyday.session');
export const state = { me: null, home: null, org: null, month: thisMonth() };
export const PAGE_SIZE = 20;
const DOMAINS = ['rural', 'community', 'government', 'institution', 'state_enterprise', 'private_enterprise',
  'social_org', 'school', 'other'];
const names = new Map();
let redraw = () => {};

// The router draws the whole console again (after the context changed, or a view's work moved a record on).
export function onRender(draw) {
  redraw = draw;
}

export function render() {
  redraw();
}

export function rememberName(id, name) {
  names.set(id, Promise.resolve(name));
}

function orgName(id) {
  if (!id) return Promise.resolve('—');
  if (!names.has(id)) {
    names.set(id, session.call(`/orgs/${id}`).then((org) => org.name).catch(() => id));
  }
  return names.get(id);
}

// Whether the caller reviews the node's work as its superior (nobody reviews their own branch).
export function superiorOf(node) {
  return can(state.me, 'review', node) && node.org_id !== state.me.org_id;
}

export function orgLabel(id) {
  const span = h('span', { class: 'org-name', 'data-org': id }, '…');
  orgName(id).then((name) => { span.textContent = name; });
  return span;
}

export function statusBadge(prefix, status) {
  return badge(t(`${prefix}.${status}`), `s-${status}`);
}

export function section(main, titleKey, ...children) {
  mount(main, h('h2', {}, t(titleKey)), ...children);
}

export function fmtNumber(value) {
  return value === null || value === undefined ? '—' : (Math.round(value * 10) / 10).toString();
}

export function domainSelect(value, onChange) {
  return h('select', { onchange: (event) => onChange(event.target.value) },
    h('option', { value: '' }, t('domain.all')), DOMAINS.map((d) => h('option', { value: d, selected: d === value }, t(`domain.${d}`))));
}

const nodes = new Map();

// A node as GET /orgs/{id} answers it (with its `path`, which `can` reaches by), asked once per console.
export function orgNode(id) {
  if (!nodes.has(id)) {
    const asked = session.call(`/orgs/${id}`);
    asked.catch(() => nodes.delete(id));
    nodes.set(id, asked);
  }
  return nodes.get(id);
}
