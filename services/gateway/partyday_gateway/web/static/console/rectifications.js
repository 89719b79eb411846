// Rectification notices: issued to a branch, answered by its admin, closed or reopened by a superior, each with
// its whole history.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../capabilities.js';
import { act, authImage, errorBox, field, fmtTime, h, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state, statusBadge, superiorOf } from './context.js';
import { orgPicker } from './org-picker.js';

export default { title: 'nav.rectifications', needs: ['read'], show: viewRectifications };

const FILTERS = ['all', 'open', 'answered', 'closed', 'overdue'];

// `mode` is a filter of the list, or `new` with the branch to issue a notice to (from a spot check or an overdue
// list). Only a superior of the console's node sees the form; the branch is chosen by name or code.
async function viewRectifications(main, mode = 'all', branchId = '') {
  const out = h('div', {});
  const list = h('div', {});
  const filter = FILTERS.includes(mode) ? mode : 'all';
  const [here, preset] = await Promise.all([orgNode(state.org), branchId ? orgNode(branchId) : null]);
  section(main, 'nav.rectifications', superiorOf(here) || (preset && superiorOf(preset))
    ? issueForm(preset, out, () => listRect(list, filter, 1, out)) : null,
  h('div', { class: 'toolbar', role: 'group', 'aria-label': t('plan.status') }, FILTERS.map((f) => h('a', {
    class: `btn ${f === filter ? 'primary' : 'ghost'}`, href: `#/rectifications/${f}`, 'data-filter': f,
    'aria-current': f === filter ? 'true' : null }, t(`rect.${f}`)))), list);
  await listRect(list, filter, 1, out);
}

function issueForm(preset, out, relist) {
  const branch = orgPicker({ name: 'branch_id', label: 'rect.branch', level: 'branch', under: state.org,
    initial: preset && preset.level === 'branch' ? preset : null });
  const issue = h('textarea', { name: 'issue', rows: 3, required: true });
  const due = h('input', { type: 'date', name: 'due_on', required: true });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('rect.issue'));
  return h('form', { class: 'card form', id: 'rect-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!branch.chosen) { branch.querySelector('input').focus(); mount(out, notice(t('picker.needed'), 'warn')); return; }
    const made = await act(button, out, () => session.call('/rectifications', { method: 'POST',
      body: { branch_id: branch.chosen.org_id, issue: issue.value.trim(), due_on: due.value } }));
    if (made) { mount(out, notice(t('rect.issued'))); issue.value = ''; await relist(); }
  } }, h('h3', {}, t('rect.new')), field('rect.branch', branch), field('rect.issueText', issue),
  field('rect.due', due), button, out);
}

// Each notice's history, oldest first: every answer with its text and photos, every close and reopening with the
// superior's comment, who and when.
function history(r) {
  if (!r.history.length) return h('span', { class: 'muted' }, t('rect.noHistory'));
  return h('ol', { class: 'history' }, r.history.map((step) => h('li', { 'data-act': step.act },
    statusBadge('rectstep', step.act), ' ', h('time', { datetime: step.at }, fmtTime(step.at)),
    step.actor_id === state.me.member_id ? [' · ', t('rect.byMe')] : null,
    step.text ? h('p', {}, step.text) : null,
    step.media_ids.length ? h('div', { class: 'thumbs' },
      step.media_ids.map((id) => authImage(session, `/media/${id}/thumbnail`, id))) : null)));
}

async function listRect(list, filter, page, out) {
  const overdue = filter === 'overdue' || undefined;
  const status = ['open', 'answered', 'closed'].includes(filter) ? filter : undefined;
  const answer = await session.call(`/rectifications${query({ org_id: state.org, overdue, status, page,
    page_size: PAGE_SIZE })}`);
  const move = (r, action, body) => {
    const button = h('button', { class: `btn ${action === 'reopen' ? '' : 'primary'}`, 'data-action': action,
      onclick: async () => {
        const moved = await act(button, out, () => session.call(`/rectifications/${r.rectification_id}/${action}`,
          { method: 'POST', body: body() }));
        if (moved) await listRect(list, filter, page, out);
      } }, t(`rect.${action}`));
    return button;
  };
  // The branch's admin answers; a superior of the branch (never of their own branch) closes or reopens.
  const actions = (r) => {
    const node = { path: r.branch_path };
    if (r.status === 'open' && can(state.me, 'answer_rectifications', node)) {
      const text = h('textarea', { rows: 2, name: 'answer', 'aria-label': t('rect.answer'), placeholder: t('rect.answerHint') });
      const photos = photoPicker(r.branch_id);
      return h('div', { class: 'answer' }, text, photos.node,
        move(r, 'answer', () => ({ text: text.value.trim(), media_ids: photos.chosen() })));
    }
    if (r.status === 'open' || !superiorOf({ ...node, org_id: r.branch_id })) return '—';
    const comment = h('textarea', { rows: 2, name: 'comment', 'aria-label': t('rect.comment'),
      placeholder: t('rect.commentHint') });
    const said = () => ({ comment: comment.value.trim() || null });
    return h('div', { class: 'answer' }, comment,
      r.status === 'answered' ? move(r, 'close', said) : null, ' ', move(r, 'reopen', said));
  };
  mount(list, table([['plan.branch', (r) => orgLabel(r.branch_id)], ['rect.issueText', (r) => r.issue],
    ['rect.due', (r) => r.due_on], ['plan.status', (r) => statusBadge('rect', r.status)],
    ['rect.history', history], ['common.actions', actions]], answer.items, t('rect.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listRect(list, filter, p, out)) : null);
}

// The photos an answer shows, picked from the branch's own uploads to its activities of the chosen month and the
// one before (the uploads the API accepts), shown as thumbnails with their captions.
function photoPicker(branchId) {
  const node = h('fieldset', { class: 'rect-photos' }, h('legend', {}, t('rect.photos')), h('small', { class: 'muted' },
    t('common.loading')));
  const [year, month] = state.month.split('-').map(Number);
  const before = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  const uploads = async () => {
    const months = await Promise.all([state.month, before].map((m) => session.call(`/branches/${branchId}/months/${m}`)));
    const activities = months.map((m) => m.plan?.activity_id).filter(Boolean);
    const media = await Promise.all(activities.map((id) => session.call(`/activities/${id}/media?page_size=50`)));
    return media.flatMap((answer) => answer.items);
  };
  uploads().then((items) => mount(node, h('legend', {}, t('rect.photos')), items.length
    ? h('div', { class: 'picks' }, items.map((item) => h('label', { class: 'pick', 'data-media': item.media_id },
      h('input', { type: 'checkbox', value: item.media_id, name: 'media_ids' }),
      item.kind === 'image' ? authImage(session, `/media/${item.media_id}/thumbnail`, item.caption || '') : null,
      h('span', {}, item.caption || t('rect.untitled')))))
    : h('small', { class: 'muted' }, t('rect.noPhotos'))))
    .catch((error) => mount(node, h('legend', {}, t('rect.photos')), errorBox(error)));
  return { node, chosen: () => [...node.querySelectorAll('input:checked')].map((box) => box.value) };
}
