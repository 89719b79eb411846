// Make-up study (补学) on the phone: a member's make-ups for party days they missed without leave, each with that
// month's materials to study (progress reported as on the month's page) and the study reflection that completes it;
// and, for a branch's secretary, who of the branch studied the month's directives and whose make-up is overdue.
import { query } from './api.js';
import { t } from './i18n.js';
import { materialList } from './month.js';
import { makeupBadge, showBranchMakeups, showStudyProgress } from './study-progress.js';
import { act, empty, errorBox, fmtTime, h, loading, mount, notice } from './ui.js';

const MIN_REFLECTION = 30;

function monthOf(iso) {
  return new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 7);
}

// The member's make-ups; with `hideNone`, nothing at all when they have none to do.
export function makeupCard(session, hideNone = false) {
  const card = h('section', { class: 'card', id: 'my-makeups' }, loading());
  showMine(session, card, hideNone).catch((error) => mount(card, errorBox(error)));
  return card;
}

async function showMine(session, card, hideNone) {
  const mine = await session.call(`/me/makeups${query({ page_size: 20 })}`);
  const open = mine.items.filter((task) => task.state !== 'done');
  if (hideNone && !open.length) return mount(card);
  return mount(card, h('h3', {}, t('makeup.mine')), h('p', { class: 'muted small' }, t('makeup.how')),
    mine.items.length ? h('ul', { class: 'plain-list makeup-list' }, mine.items.map((task) =>
      h('li', { 'data-activity': task.activity_id, 'data-makeup': task.state },
        h('div', { class: 'row between' }, h('strong', {}, task.theme || ''), makeupBadge(task)),
        h('small', { class: 'muted' }, t('makeup.missed', { at: fmtTime(task.starts_at) })),
        task.state === 'done' ? h('p', { class: 'prose small' }, task.reflection)
          : completion(session, card, task, hideNone))))
      : empty(t('makeup.noneMine')),
    mine.total > mine.items.length ? h('p', { class: 'muted small' }, t('makeup.more', { n: mine.total })) : null);
}

// The day's materials to study, and the reflection that completes the make-up.
function completion(session, card, task, hideNone) {
  const list = h('div', { class: 'materials' });
  const materials = h('details', { class: 'makeup-materials', ontoggle: (event) => {
    if (event.target.open && !list.childElementCount) {
      mount(list, loading());
      materialList(session, list, task.branch_id, monthOf(task.starts_at));
    }
  } }, h('summary', {}, t('makeup.materials')), list);
  const id = `makeup-text-${task.activity_id}`;
  const text = h('textarea', { id, name: 'reflection', rows: 4, maxlength: 5000,
    placeholder: t('makeup.reflectionHint', { n: MIN_REFLECTION }) });
  const out = h('div', { class: 'out' });
  const send = h('button', { class: 'btn primary block', type: 'submit' }, t('makeup.complete'));
  return h('form', { class: 'makeup-form', onsubmit: async (event) => {
    event.preventDefault();
    const done = await act(send, out, () => session.call(`/activities/${task.activity_id}/makeup/complete`,
      { method: 'POST', body: { reflection: text.value.trim() } }));
    if (done) {
      mount(out, notice(t('makeup.completed')));
      await showMine(session, card, hideNone);
    }
  } }, materials, h('label', { class: 'field', for: id }, h('span', {}, t('makeup.reflection'))), text, send, out);
}

// For a branch's secretary on the phone: the overdue make-ups of the branch (when there are any) and who studied each
// of the month's directives.
export function secretaryStudyCards(session, branchId, directives) {
  const overdue = h('div', {});
  showBranchMakeups(session, overdue, branchId, 'overdue', 1, true);
  const progress = directives.map((directive) => {
    const holder = h('div', {}, loading());
    showStudyProgress(session, holder, branchId, directive.directive_id);
    return h('section', { class: 'card', 'data-progress-directive': directive.directive_id },
      h('h3', {}, t('studied.title'), ' ', h('small', { class: 'muted' }, directive.theme)), holder);
  });
  return [overdue, progress];
}
