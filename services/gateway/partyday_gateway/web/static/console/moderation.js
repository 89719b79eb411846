// The moderation queue: comments of the node's subtree hidden by members' reports, oldest first, a page at a time,
// each with its activity, branch and author; a superior of the branch restores it (it stays visible for good) or
// removes it, and it leaves the queue. The caller's own branch is not in the queue: nobody moderates it.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, errorBox, fmtTime, h, loading, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state } from './context.js';

export default { title: 'nav.moderation', needs: ['review'], show: viewModeration };

const activities = new Map();
const authors = new Map();

function remembered(cache, key, ask) {
  if (!cache.has(key)) cache.set(key, ask().catch(() => null));
  return cache.get(key);
}

// A text filled in once its record arrives: the activity's theme and branch, the author's name.
function later(promise, pick) {
  const span = h('span', {}, '…');
  promise.then((found) => { span.textContent = found ? pick(found) : '—'; });
  return span;
}

async function viewModeration(main) {
  const node = await orgNode(state.org);
  const out = h('div', {});
  const list = h('div', { id: 'moderation-queue' }, loading());
  section(main, 'nav.moderation', h('p', { class: 'muted' }, t('moderation.hint')), out, list);
  if (!can(state.me, 'review', node) || state.org === state.me.org_id) {
    return mount(list, notice(t('moderation.notHere'), 'warn'));
  }
  return showQueue(list, out, 1);
}

async function showQueue(list, out, page) {
  let found;
  try {
    found = await session.call(`/moderation/comments${query({ org_id: state.org, page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    return mount(list, errorBox(error));
  }
  const activity = (c) => remembered(activities, c.activity_id, () => session.call(`/activities/${c.activity_id}`));
  const decide = (c, decision) => {
    const button = h('button', { class: `btn ${decision === 'restore' ? '' : 'primary'}`, type: 'button',
      'data-decision': decision, onclick: async () => {
        const done = await act(button, out, () => session.call(`/comments/${c.comment_id}/moderation`,
          { method: 'POST', body: { decision } }));
        if (done) {
          mount(out, notice(t(`moderation.${decision}d`, { text: c.text.slice(0, 40) })));
          await showQueue(list, out, page > 1 && found.items.length === 1 ? page - 1 : page);
        }
      } }, t(`moderation.${decision}`));
    return button;
  };
  return mount(list, table([
    ['moderation.comment', (c) => h('blockquote', { class: 'comment-text', 'data-comment': c.comment_id }, c.text)],
    ['moderation.activity', (c) => [later(activity(c), (a) => a.plan?.theme || a.theme || '—'),
      h('div', { class: 'muted small' }, activityBranch(activity(c)))]],
    ['moderation.author', (c) => later(remembered(authors, c.member_id, () => session.call(`/members/${c.member_id}`)),
      (m) => m.name)],
    ['moderation.reports', (c) => String(c.reports)],
    ['moderation.at', (c) => fmtTime(c.created_at)],
    ['common.actions', (c) => h('div', { class: 'row' }, decide(c, 'restore'), decide(c, 'remove'))]],
  found.items, t('moderation.none')),
  found.total > found.page_size ? pager(page, found.page_size, found.total, (next) => showQueue(list, out, next)) : null);
}

function activityBranch(promise) {
  const span = h('span', {});
  promise.then((found) => { if (found?.branch_id) span.replaceChildren(orgLabel(found.branch_id)); });
  return span;
}
