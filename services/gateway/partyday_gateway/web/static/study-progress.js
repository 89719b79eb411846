// Study progress and make-up study (补学) as a branch's secretary reads them, on the console and on the phone: per
// member of the branch, each of a directive's materials not opened, opened or finished (with when); the branch's
// make-ups by state (the overdue ones to follow up).
import { query } from './api.js';
import { t } from './i18n.js';
import { badge, empty, errorBox, fmtTime, h, loading, mount, pager } from './ui.js';

const PAGE = 20;
const PROGRESS_BADGE = { finished: 's-makeup-done', opened: 'info', not_opened: '' };
const MAKEUP_BADGE = { assigned: 'info', overdue: 's-absent', done: 's-makeup-done' };

// A member's state on one material: its badge, and when they finished it (or opened it).
export function progressBadge(line) {
  const when = line.finished_at || line.opened_at;
  return h('span', { class: 'progress-state', 'data-state': line.state },
    badge(t(`studied.${line.state}`), PROGRESS_BADGE[line.state]),
    line.percent !== null && line.percent !== undefined && line.state === 'opened'
      ? h('small', { class: 'muted' }, ` ${Math.round(line.percent)}%`) : null,
    when ? h('small', { class: 'muted' }, ' ', fmtTime(when)) : null);
}

// A make-up's state: to do (with its due time), overdue, or done (with its date, and late if so).
export function makeupBadge(makeup) {
  if (!makeup) return null;
  const note = makeup.state === 'done' ? fmtTime(makeup.completed_at) : t('makeup.due', { at: fmtTime(makeup.due_at) });
  return h('span', { class: 'makeup-state', 'data-makeup': makeup.state },
    badge(t(`makeup.${makeup.state}`), MAKEUP_BADGE[makeup.state]),
    makeup.late ? badge(t('makeup.late'), 'warn') : null, h('small', { class: 'muted' }, ' ', note));
}

// Who of the branch opened and finished each of a directive's materials: a member a row, a material a column, a page
// of members at a time.
export async function showStudyProgress(session, container, branchId, directiveId, page = 1) {
  mount(container, loading());
  let answer;
  try {
    answer = await session.call(`/branches/${branchId}/study-progress${query({ directive_id: directiveId, page,
      page_size: PAGE })}`);
  } catch (error) {
    return mount(container, errorBox(error));
  }
  if (!answer.materials.length) return mount(container, empty(t('studied.noMaterials')));
  const finished = (row) => row.materials.filter((m) => m.state === 'finished').length;
  return mount(container, h('div', { class: 'table-wrap study-progress', 'data-directive': directiveId },
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('member.name')), h('th', {}, t('studied.finishedCount')),
        answer.materials.map((m) => h('th', { 'data-material': m.material_id }, m.title, ' ',
          h('small', { class: 'muted' }, t(`study.${m.kind}`)))))),
      h('tbody', {}, answer.items.map((row) => h('tr', { 'data-member': row.member_id },
        h('td', {}, row.name), h('td', {}, `${finished(row)}/${answer.materials.length}`),
        row.materials.map((line) => h('td', {}, progressBadge(line)))))))),
  answer.items.length ? null : empty(t('studied.noMembers')),
  answer.total > PAGE ? pager(page, PAGE, answer.total,
    (next) => showStudyProgress(session, container, branchId, directiveId, next)) : null);
}

// The branch's make-ups in `wanted` state (overdue by default), the soonest due first; nothing at all with `hideNone`
// when there are none, and nothing for a caller who may not read them.
export async function showBranchMakeups(session, container, branchId, wanted = 'overdue', page = 1, hideNone = false) {
  let answer;
  try {
    answer = await session.call(`/branches/${branchId}/makeups${query({ state: wanted, page, page_size: PAGE })}`);
  } catch (error) {
    if (error.status === 403) return mount(container);
    return mount(container, errorBox(error));
  }
  if (hideNone && !answer.total) return mount(container);
  return mount(container, h('section', { class: 'card branch-makeups', 'data-branch': branchId, 'data-state': wanted },
    h('h3', {}, t(`makeup.title.${wanted}`)), h('p', { class: 'muted small' }, t('makeup.hint')),
    answer.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['member.name', 'makeup.day', 'makeup.state'].map((key) => h('th', {}, t(key))))),
      h('tbody', {}, answer.items.map((task) => h('tr', { 'data-member': task.member_id },
        h('td', {}, task.name), h('td', {}, task.theme || '', ' ', h('small', { class: 'muted' }, fmtTime(task.starts_at))),
        h('td', {}, makeupBadge(task)))))))
      : empty(t(`makeup.none.${wanted}`)),
    answer.total > PAGE ? pager(page, PAGE, answer.total,
      (next) => showBranchMakeups(session, container, branchId, wanted, next)) : null));
}
