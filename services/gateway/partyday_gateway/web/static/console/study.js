// Study: the chosen month's directives with their study package (texts, micro lessons, documents), a text or a file
// added by those who publish at the directive's node, and, for a branch, who of its members opened and finished each
// material and the study notes they wrote that month.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, blobUrl, empty, errorBox, field, fmtTime, h, loading, mount, notice, pager } from '../ui.js';
import { PAGE_SIZE, orgLabel, section, session, state } from './context.js';
import { showStudyProgress } from '../study-progress.js';

export default { title: 'nav.study', needs: ['read'], show: viewStudy };

const authors = new Map();

function authorName(memberId) {
  if (!authors.has(memberId)) {
    authors.set(memberId, session.call(`/members/${memberId}`).then((m) => m.name).catch(() => t('learn.member')));
  }
  const span = h('span', { class: 'author' }, '…');
  authors.get(memberId).then((name) => { span.textContent = name; });
  return span;
}

function materialCard(material, out) {
  const body = h('div', { class: 'material-body' });
  const kind = h('span', { class: `badge ${material.kind === 'video' ? 'info' : ''}` }, t(`learn.kind.${material.kind}`));
  let open = null;
  if (material.kind === 'text') {
    mount(body, h('p', { class: 'note-text' }, material.text));
  } else if (material.kind === 'video') {
    open = h('button', { type: 'button', class: 'btn', 'data-action': 'play', onclick: () => act(open, out, async () => {
      mount(body, h('video', { controls: true, src: await blobUrl(session, material.url), class: 'lesson' }));
    }) }, t('learn.play'));
  } else {
    open = h('button', { type: 'button', class: 'btn', 'data-action': 'open', onclick: () => act(open, out, async () => {
      mount(body, h('a', { href: await blobUrl(session, material.url), download: material.title, class: 'btn' },
        t('learn.save')));
    }) }, t('learn.open'));
  }
  return h('li', { class: 'card study-material', 'data-material': material.material_id },
    h('div', { class: 'row between' }, h('strong', {}, material.title), h('span', {}, kind, ' ',
      h('small', { class: 'muted' }, fmtTime(material.created_at)))), open, body);
}

// The materials at `path` (a directive's package, or a branch's month when the directive's node is out of reach).
async function showMaterials(holder, path, page = 1) {
  mount(holder, loading());
  const out = h('div', {});
  try {
    const answer = await session.call(`${path}${query({ page, page_size: PAGE_SIZE })}`);
    mount(holder, out, answer.items.length
      ? h('ul', { class: 'materials' }, answer.items.map((material) => materialCard(material, out)))
      : empty(t('learn.noMaterials')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showMaterials(holder, path, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

function addForms(directiveId, materials) {
  const out = h('div', {});
  const title = h('input', { name: 'material-title', required: true, maxlength: 200 });
  const text = h('textarea', { name: 'material-text', required: true, rows: 6 });
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('learn.addText'));
  const textForm = h('form', { class: 'card form', id: 'add-study-text', onsubmit: async (event) => {
    event.preventDefault();
    const added = await act(save, out, () => session.call(`/directives/${directiveId}/materials/text`,
      { method: 'POST', body: { title: title.value.trim(), text: text.value.trim() } }));
    if (added) {
      textForm.reset();
      mount(out, notice(t('learn.added', { title: added.title })));
      await showMaterials(materials, `/directives/${directiveId}/materials`);
    }
  } }, h('h4', {}, t('learn.newText')), field('learn.title', title), field('learn.text', text), save);
  const fileTitle = h('input', { name: 'lesson-title', required: true, maxlength: 200 });
  const file = h('input', { name: 'lesson-file', type: 'file', required: true, accept: 'video/mp4,application/pdf' });
  const upload = h('button', { class: 'btn', type: 'submit' }, t('learn.upload'));
  const fileForm = h('form', { class: 'card form', id: 'add-study-file', onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append('title', fileTitle.value.trim());
    form.append('file', file.files[0]);
    const added = await act(upload, out, () => session.call(`/directives/${directiveId}/materials`,
      { method: 'POST', form }));
    if (added) {
      fileForm.reset();
      mount(out, notice(t('learn.added', { title: added.title })));
      await showMaterials(materials, `/directives/${directiveId}/materials`);
    }
  } }, h('h4', {}, t('learn.newFile')), field('learn.title', fileTitle), field('learn.file', file, t('learn.fileHint')),
  upload);
  return [out, h('div', { class: 'grid2' }, textForm, fileForm)];
}

async function showNotes(holder, branchId, page = 1) {
  mount(holder, loading());
  try {
    const answer = await session.call(`/branches/${branchId}/months/${state.month}/study-notes${query({ page,
      page_size: PAGE_SIZE })}`);
    mount(holder, answer.items.length ? h('ul', { class: 'notes' }, answer.items.map((note) => h('li',
      { class: 'card note', 'data-note': note.note_id }, h('div', { class: 'row between' }, authorName(note.member_id),
        h('small', { class: 'muted' }, fmtTime(note.created_at))), h('p', { class: 'note-text' }, note.text))))
      : empty(t('learn.noNotes')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showNotes(holder, branchId, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

// The branches under the chosen node, by name, a page at a time: the picker of whose notes to read.
async function branchPicker(notes, progress, directiveId) {
  const pick = h('select', { name: 'branch', onchange: (event) => {
    if (!event.target.value) return;
    showNotes(notes, event.target.value);
    showStudyProgress(session, progress, event.target.value, directiveId);
  } });
  const more = h('div', {});
  const fill = async (page) => {
    const answer = await session.call(`/orgs/${state.org}/archive${query({ month: state.month, page, page_size: 50 })}`);
    mount(pick, h('option', { value: '' }, t('learn.chooseBranch')),
      answer.items.map((b) => h('option', { value: b.branch_id }, b.name)));
    mount(more, answer.total > 50 ? pager(page, 50, answer.total, fill) : null);
  };
  await fill(1);
  return [field('learn.branch', pick), more];
}

async function viewStudy(main, directiveId = '') {
  const directives = await session.call(`/directives${query({ org_id: state.org, month: state.month })}`);
  if (!directives.length) {
    section(main, 'nav.study', h('p', { class: 'muted' }, orgLabel(state.org), ' · ', state.month),
      empty(t('learn.noDirectives')));
    return;
  }
  const chosen = directives.find((d) => d.directive_id === directiveId) || directives[0];
  const picker = h('select', { name: 'directive', onchange: (event) => { location.hash = `#/study/${event.target.value}`; } },
    directives.map((d) => h('option', { value: d.directive_id, selected: d === chosen }, d.theme)));
  const materials = h('div', { id: 'study-materials' });
  const notes = h('div', { id: 'study-notes' });
  const progress = h('div', { id: 'study-progress' });
  // A branch's secretary may not read the county that sent the directive: they read their branch's month instead.
  const node = await session.call(`/orgs/${chosen.org_id}`).catch(() => null);
  const mayAdd = node && can(state.me, 'publish_directives', node);
  const branch = await session.call(`/orgs/${state.org}`).catch(() => null);
  const atBranch = branch && branch.level === 'branch';
  const source = node || !atBranch ? `/directives/${chosen.directive_id}/materials`
    : `/branches/${state.org}/months/${state.month}/materials`;
  const listed = chosen.study_materials.length
    ? h('ul', { class: 'listed' }, chosen.study_materials.map((title) => h('li', {}, title))) : null;
  const whose = atBranch
    ? [h('p', { class: 'muted' }, orgLabel(state.org))]
    : await branchPicker(notes, progress, chosen.directive_id).catch((error) => [errorBox(error)]);
  section(main, 'nav.study',
    h('div', { class: 'toolbar' }, field('learn.directive', picker),
      h('span', { class: 'muted' }, node ? [node.name, ' · '] : null, state.month)),
    h('h3', {}, t('learn.materials')), listed ? h('div', { class: 'card' }, h('h4', {}, t('learn.listed')), listed) : null,
    materials, mayAdd ? addForms(chosen.directive_id, materials) : null,
    h('div', { class: 'toolbar' }, whose), h('h3', {}, t('studied.title')), progress,
    h('h3', {}, t('learn.notes')), notes);
  await showMaterials(materials, source);
  if (atBranch) {
    await Promise.all([showNotes(notes, state.org), showStudyProgress(session, progress, state.org, chosen.directive_id)]);
  } else {
    mount(notes, empty(t('learn.pickBranch')));
    mount(progress, empty(t('studied.pickBranch')));
  }
}
