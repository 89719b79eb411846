// An organisation chosen by name or code within the caller's reach (GET /api/v1/orgs/search): a combobox that
// suggests as one types, keyboard usable (arrows, Enter, Escape), its choice kept in a hidden input named `name`.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, h, mount } from '../ui.js';
import { rememberName, session } from './context.js';

const SUGGESTIONS = 8;
let pickers = 0;

// `level` narrows the suggestions to one level, `under` to a node's subtree; `initial` is an organisation already
// chosen; `onChoose(org)` hears every choice (null when the text no longer names one). The element's `chosen` is
// the organisation chosen, or null.
export function orgPicker({ name = 'org_id', label = 'picker.org', level, under, initial = null, onChoose } = {}) {
  pickers += 1;
  const listId = `org-picker-${pickers}`;
  const hidden = h('input', { type: 'hidden', name, value: initial ? initial.org_id : '' });
  const input = h('input', { type: 'search', class: 'org-picker-input', autocomplete: 'off', role: 'combobox',
    'aria-expanded': 'false', 'aria-autocomplete': 'list', 'aria-controls': listId, 'aria-label': t(label),
    placeholder: t('picker.orgHint'), value: initial ? initial.name : '' });
  const list = h('ul', { class: 'org-picker-list', role: 'listbox', id: listId, hidden: true });
  const status = h('div', { class: 'org-picker-status small', 'aria-live': 'polite' });
  const box = h('div', { class: 'org-picker', 'data-name': name }, input, hidden, list, status);
  let options = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const showChosen = (org) => mount(status, org ? [t('picker.chosen'), ': ',
    h('span', { class: 'org-name', 'data-org': org.org_id }, org.name), ` · ${org.code}`] : null);
  const choose = (org) => {
    box.chosen = org;
    hidden.value = org ? org.org_id : '';
    if (org) { input.value = org.name; rememberName(org.org_id, org.name); }
    close();
    showChosen(org);
    if (onChoose) onChoose(org);
  };
  const highlight = (index) => {
    active = index;
    options.forEach((option, i) => option.setAttribute('aria-selected', i === index ? 'true' : 'false'));
    if (options[index]) input.setAttribute('aria-activedescendant', options[index].id);
  };
  const suggest = async () => {
    const q = input.value.trim();
    if (!q) { close(); return; }
    const mine = ++asked;
    mount(status, t('common.loading'));
    try {
      const found = await session.call(`/orgs/search${query({ q, under, level, page_size: SUGGESTIONS })}`);
      if (mine !== asked) return;
      options = found.items.map((org, i) => h('li', { role: 'option', id: `${listId}-${i}`, 'data-org': org.org_id,
        'aria-selected': 'false', onmousedown: (event) => { event.preventDefault(); choose(org); } },
      h('span', { class: 'org-picker-name' }, org.name), ' ',
      h('small', { class: 'muted' }, org.code, ' · ', t(`level.${org.level}`))));
      mount(list, options);
      list.hidden = !options.length;
      input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
      active = -1;
      mount(status, !found.total ? t('picker.none') : found.total > found.items.length
        ? t('picker.more', { n: found.total }) : null);
      box.found = found.items;
    } catch (error) {
      if (mine === asked) mount(status, errorBox(error));
    }
  };
  input.addEventListener('input', () => {
    if (box.chosen) { box.chosen = null; hidden.value = ''; if (onChoose) onChoose(null); }
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && options.length) {
      event.preventDefault(); list.hidden = false; highlight((active + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length) {
      event.preventDefault(); highlight((active - 1 + options.length) % options.length);
    } else if (event.key === 'Enter' && !list.hidden && box.found && box.found.length) {
      event.preventDefault(); choose(box.found[Math.max(active, 0)]);
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  box.chosen = initial;
  showChosen(initial);
  return box;
}
