// Political birthdays (政治生日) of the month on the branch's plan, for the console's plan page and the secretary's
// phone: who joined the Party in this month of an earlier year and for how many years, and the plan's mark that
// they were celebrated at the party day, with its control for whoever manages the branch's plans.
import { query } from './api.js';
import { t } from './i18n.js';
import { act, badge, empty, errorBox, fmtTime, h, loading, mount } from './ui.js';

const MARKABLE = new Set(['published', 'held', 'summarized']);

export function birthdaysCard(session, branchId, month, plan, mayMark) {
  const card = h('section', { class: 'card', id: 'political-birthdays' }, h('h3', {}, t('birthdays.title')), loading());
  const show = async (current) => {
    const found = await session.call(`/branches/${branchId}/political-birthdays${query({ month })}`);
    const out = h('div', { class: 'out' });
    const list = found.items.length
      ? h('ul', { class: 'list' }, found.items.map((item) => h('li', { 'data-member': item.member_id },
        h('strong', {}, item.name), ' ', t('birthdays.line', { joined: item.joined_on, years: item.years }))))
      : empty(t('birthdays.none'));
    const mark = current?.birthdays_celebrated;
    let control = null;
    if (mark) {
      control = h('p', { id: 'birthdays-celebrated' }, badge(t('birthdays.celebrated'), 's-published'), ' ',
        t('birthdays.celebratedAt', { at: fmtTime(mark.at) }));
    } else if (current && mayMark && found.items.length && MARKABLE.has(current.status)) {
      const button = h('button', { class: 'btn primary', type: 'button', id: 'mark-celebrated', onclick: async () => {
        const marked = await act(button, out, () => session.call(`/plans/${current.plan_id}/birthdays-celebrated`,
          { method: 'POST' }));
        if (marked) await show(marked);
      } }, t('birthdays.mark'));
      control = button;
    }
    mount(card, h('h3', {}, t('birthdays.title'), ' · ', month), list, control, out);
  };
  show(plan).catch((error) => mount(card, h('h3', {}, t('birthdays.title')), errorBox(error)));
  return card;
}
