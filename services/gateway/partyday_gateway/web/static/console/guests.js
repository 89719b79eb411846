// The guests (列席人员) of an activity: members of other branches its admin invites, chosen by name or phone from
// the whole city, and withdrawn again until they sign in or the sheet closes.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, errorBox, h, mount, notice, table } from '../ui.js';
import { memberPicker } from './member-picker.js';
import { render, session, state } from './context.js';

export function guestsCard(activityId, branchId, sheet) {
  const card = h('div', { class: 'card', id: 'guests' }, h('h3', {}, t('guests.title')));
  session.call(`/orgs/${branchId}`).then((branch) => {
    const manage = can(state.me, 'manage_plans', branch) && !sheet.closed;
    const guests = sheet.members.filter((row) => row.guest);
    const out = h('div', {});
    const remove = (row) => {
      if (!manage || row.status !== 'expected') return null;
      const button = h('button', { class: 'btn small', 'data-guest': row.member_id, onclick: async () => {
        const done = await act(button, out, () => session.call(`/activities/${activityId}/guests/${row.member_id}`,
          { method: 'DELETE' }));
        if (done !== undefined) render();
      } }, t('guests.remove'));
      return button;
    };
    let chosen = null;
    const invite = h('button', { class: 'btn primary', type: 'submit' }, t('guests.invite'));
    const form = manage ? h('form', { class: 'form', id: 'guest-form', onsubmit: async (event) => {
      event.preventDefault();
      if (!chosen) { mount(out, notice(t('picker.required'), 'error')); return; }
      const added = await act(invite, out, () => session.call(`/activities/${activityId}/guests`,
        { method: 'POST', body: { member_id: chosen.member_id } }));
      if (added) render();
    } }, memberPicker({ name: 'guest', label: 'guests.find', minLength: 2,
      search: (q) => session.call(`/activities/${activityId}/guest-candidates${query({ q, page_size: 10 })}`),
      onPick: (member) => { chosen = member; } }), invite) : null;
    mount(card, h('h3', {}, t('guests.title')), h('p', { class: 'muted small' }, t('guests.hint')),
      table([['member.name', (row) => row.name], ['att.status', (row) => t(`att.${row.status}`)],
        ['common.actions', remove]], guests, t('guests.none')), form, out);
  }).catch((error) => mount(card, h('h3', {}, t('guests.title')), errorBox(error)));
  return card;
}
