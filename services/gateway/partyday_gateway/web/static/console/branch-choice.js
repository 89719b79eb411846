// Choosing a branch below a node: a select of the node's children, and of each chosen child's children in turn,
// down to a branch. `chooser.value` is the chosen branch's id ('' until one is chosen). With `anyLevel`, any node
// may be chosen: the value is the deepest one chosen, the starting node until then, and `onChange` hears it.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, h } from '../ui.js';
import { rememberName, session } from './context.js';

const CHILDREN_PAGE = 100;

export function branchChoice(rootId, { label = 'branch.choose', name = 'branch', exclude = null, anyLevel = false,
  onChange = () => {} } = {}) {
  const levels = h('div', { class: 'branch-levels' });
  const root = h('div', { class: 'branch-choice', 'data-choice': name }, levels);
  const settle = (branchId, nodeId) => {
    root.value = anyLevel ? nodeId : branchId;
    onChange(root.value);
  };
  root.value = anyLevel ? rootId : '';

  const level = async (orgId, depth) => {
    [...levels.children].slice(depth).forEach((node) => node.remove());
    let page;
    try {
      page = await session.call(`/orgs/${orgId}/children${query({ page_size: CHILDREN_PAGE })}`);
    } catch (error) {
      levels.append(errorBox(error));
      return;
    }
    page.items.forEach((child) => rememberName(child.org_id, child.name));
    const options = page.items.filter((child) => child.org_id !== exclude);
    if (!options.length) {
      if (!anyLevel) levels.append(h('p', { class: 'muted small' }, t('branch.none')));
      return;
    }
    const select = h('select', { name: depth ? `${name}_${depth}` : name, onchange: () => {
      const picked = options.find((child) => child.org_id === select.value);
      [...levels.children].slice(depth + 1).forEach((node) => node.remove());
      settle(picked && picked.level === 'branch' ? picked.org_id : '', picked ? picked.org_id : orgId);
      if (picked && picked.level !== 'branch') level(picked.org_id, depth + 1);
    } }, h('option', { value: '' }, t(anyLevel ? 'branch.whole' : 'branch.select')),
    options.map((child) => h('option', { value: child.org_id },
      child.level === 'branch' ? child.name : `${child.name} · ${t(`level.${child.level}`)}`)));
    levels.append(h('label', { class: 'field' }, h('span', {}, t(depth ? 'branch.below' : label)), select));
  };

  root.ready = level(rootId, 0);
  return root;
}

// A branch chosen by `branchChoice`, or the node itself when it is a branch.
export async function branchField(org, options) {
  if (org.level === 'branch') {
    const fixed = h('p', { class: 'field' }, h('span', {}, t(options?.label || 'branch.choose')), ' ', h('strong', {}, org.name));
    fixed.value = org.org_id;
    return fixed;
  }
  const chooser = branchChoice(org.org_id, options);
  await chooser.ready;
  return chooser;
}
