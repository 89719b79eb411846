// Choosing a member by name or phone, wherever a member is chosen (a guest, a role's holder): the words typed are
// searched as the user pauses, the matches are listed as buttons (Tab and Enter choose one), and the choice is
// shown with a way to change it. `search(q)` answers a page of members ({items, total}); `onPick(member)` hears
// the choice (null when it is cleared).
import { t } from '../i18n.js';
import { empty, errorBox, h, loading, mount } from '../ui.js';

const PAUSE_MS = 300;
let pickers = 0;

export function memberPicker({ search, onPick, label = 'picker.member', minLength = 1, name = 'member' }) {
  pickers += 1;
  const listId = `member-picker-${pickers}`;
  const input = h('input', { type: 'search', name: `${name}_search`, autocomplete: 'off', 'aria-controls': listId,
    placeholder: t('picker.placeholder'), maxlength: 50 });
  const results = h('div', { class: 'picker-results', id: listId, 'aria-live': 'polite' });
  const chosen = h('div', { class: 'picker-chosen' });
  const root = h('div', { class: 'member-picker', 'data-picker': name },
    h('label', { class: 'field' }, h('span', {}, t(label)), input, h('small', {}, t('picker.hint'))), results, chosen);
  let timer = null;
  let asked = 0;
  root.value = null;

  const choose = (member) => {
    root.value = member;
    mount(results);
    if (!member) {
      mount(chosen);
      input.disabled = false;
      onPick(null);
      return;
    }
    input.disabled = true;
    const change = h('button', { type: 'button', class: 'btn link', onclick: () => {
      input.value = '';
      choose(null);
      input.focus();
    } }, t('picker.change'));
    mount(chosen, h('p', { class: 'picked', 'data-member': member.member_id },
      t('picker.memberChosen'), ' ', h('strong', {}, member.name), member.branch_name ? ` · ${member.branch_name}` : '',
      ' ', change));
    onPick(member);
  };

  const lookUp = async () => {
    const words = input.value.trim();
    if (words.length < minLength) { mount(results); return; }
    const ask = ++asked;
    mount(results, loading());
    let page;
    try {
      page = await search(words);
    } catch (error) {
      if (ask === asked) mount(results, errorBox(error));
      return;
    }
    if (ask !== asked) return;
    if (!page.items.length) { mount(results, empty(t('picker.noMember'))); return; }
    mount(results, h('ul', { class: 'picker-list', role: 'list' }, page.items.map((member) => h('li', {},
      h('button', { type: 'button', class: 'picker-option', 'data-member': member.member_id,
        onclick: () => choose(member) }, h('strong', {}, member.name),
      h('span', { class: 'muted' }, ` ${member.branch_name || ''} ${member.phone || ''}`))))),
    page.total > page.items.length ? h('p', { class: 'muted small' }, t('picker.moreMembers', { n: page.total - page.items.length })) : null);
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, PAUSE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    clearTimeout(timer);
    lookUp();
  });
  root.clear = () => { input.value = ''; choose(null); };
  return root;
}
