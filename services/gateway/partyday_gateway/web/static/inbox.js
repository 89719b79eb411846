// A member's notifications, on the phone and in the console: the unread badge beside the link to the inbox, and the
// inbox itself, newest first, each message marked read when opened, with "mark all read"; below it, the member's
// choices of how they are told.
import { query } from './api.js';
import { t } from './i18n.js';
import { notificationSettings } from './notification-settings.js';
import { act, empty, errorBox, fmtTime, h, mount, pager } from './ui.js';

const PAGE_SIZE = 20;

// The unread count as a badge, filled in once the inbox answers (hidden at zero or for a caller without an inbox).
export function unreadBadge(session) {
  const count = h('span', { class: 'badge unread', id: 'unread-badge', hidden: true });
  session.call(`/me/notifications${query({ page_size: 1 })}`).then((page) => showCount(count, page.unread))
    .catch(() => {});
  return count;
}

function showCount(count, unread) {
  count.textContent = unread > 99 ? '99+' : String(unread);
  count.hidden = !unread;
}

// Where a message asks the member to go next: a campaign that opened, to its voting page.
function followUp(item) {
  if (item.kind !== 'campaign_opened' || !item.subject_id) return null;
  return h('a', { class: 'btn small', href: `/m/vote?campaign=${encodeURIComponent(item.subject_id)}`,
    onclick: (event) => event.stopPropagation() }, t('inbox.vote'));
}

export async function showInbox(session, main, page = 1) {
  const answer = await session.call(`/me/notifications${query({ page, page_size: PAGE_SIZE })}`);
  const out = h('div', { class: 'out' });
  const refresh = () => showInbox(session, main, page);
  const readAll = h('button', { class: 'btn', id: 'read-all', disabled: !answer.unread, onclick: async () => {
    if (await act(readAll, out, () => session.call('/me/notifications/read-all', { method: 'POST' }))) {
      await refresh();
    }
  } }, t('inbox.readAll'));
  const markRead = async (item) => {
    if (item.read_at) return;
    await session.call(`/me/notifications/${item.notification_id}/read`, { method: 'POST' });
    await refresh();
  };
  // An unread message is a control of its own (Tab reaches it, Enter or Space marks it read), as a tap does.
  const items = answer.items.map((item) => h('article', {
    class: `card notification${item.read_at ? '' : ' unread'}`, 'data-notification': item.notification_id,
    tabindex: item.read_at ? null : '0', role: item.read_at ? null : 'button',
    'aria-label': item.read_at ? null : `${t('inbox.unread')}: ${item.title}`,
    onclick: () => markRead(item).catch((error) => mount(out, errorBox(error))),
    onkeydown: (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      markRead(item).catch((error) => mount(out, errorBox(error)));
    } },
  h('div', { class: 'row between' }, h('h3', {}, item.title), h('small', { class: 'muted' }, fmtTime(item.created_at))),
  h('p', {}, item.body), followUp(item)));
  mount(main, h('div', { class: 'row between' }, h('h2', {}, t('inbox.title'),
    answer.unread ? h('span', { class: 'badge unread' }, String(answer.unread)) : null), readAll), out,
  items.length ? items : empty(t('inbox.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showInbox(session, main, p)) : null,
  notificationSettings(session));
  const shown = document.getElementById('unread-badge');
  if (shown) showCount(shown, answer.unread);
}
