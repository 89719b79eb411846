// The six-haves archive (六有) of the chosen node's branches for the console's month, a page at a time: per branch
// which of the six records exist, each followed to where it lives (a console page, a download, or the record shown
// beside the list).
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, authImage, badge, download, empty, errorBox, fmtTime, h, loading, mount, pager } from '../ui.js';
import { PAGE_SIZE, orgLabel, section, session, state, statusBadge } from './context.js';
import { MEETING_KINDS } from './meetings.js';

export default { title: 'nav.archive', needs: ['read'], show: viewArchive };

const HAVES = ['annual_task_list', 'monthly_plan', 'study_materials', 'study_notes', 'activity_record', 'sign_in_sheet'];
const API = '/api/v1';

// What a have's figure says besides present or missing.
function detail(name, have) {
  if (name === 'annual_task_list') return t('archive.tasks', { n: have.tasks });
  if (name === 'monthly_plan') return have.status ? statusBadge('plan', have.status) : t('archive.noPlan');
  if (name === 'study_materials') return t('archive.materials', { n: have.items.length });
  if (name === 'study_notes') return t('archive.notes', { n: have.notes, r: have.reflections });
  if (name === 'activity_record') {
    return [have.summary ? t('archive.summary') : t('archive.noSummary'), ' · ', t('archive.photos', { n: have.approved_photos })];
  }
  return t('archive.signedIn', { n: have.signed_in });
}

function shownRecord(record, title, ...content) {
  mount(record, h('div', { class: 'card record', id: 'archive-record', tabindex: '-1' },
    h('div', { class: 'row between' }, h('h3', {}, title),
      h('button', { class: 'btn ghost', type: 'button', onclick: () => mount(record) }, t('archive.close'))), content));
  record.firstChild.focus();
}

// Shows the JSON record behind `path` in `record`, drawn for what it is.
async function showRecord(record, path, label) {
  mount(record, h('div', { class: 'card record' }, loading()));
  let found;
  try {
    found = await session.call(path);
  } catch (error) {
    shownRecord(record, label, errorBox(error));
    return;
  }
  if (Array.isArray(found.items) && path.startsWith(`${API}/branches/`)) {
    shownRecord(record, label, found.items.length
      ? h('ol', { class: 'task-list' }, found.items.map((item) => h('li', {}, item))) : empty(t('archive.noTasks')));
  } else if (found.plan_id) {
    shownRecord(record, label, h('dl', { class: 'facts' },
      h('dt', {}, t('archive.theme')), h('dd', {}, found.theme, ' ', statusBadge('plan', found.status)),
      h('dt', {}, t('plan.when')), h('dd', {}, fmtTime(found.starts_at), ' – ', fmtTime(found.ends_at)),
      h('dt', {}, t('plan.venue')), h('dd', {}, found.venue.name),
      h('dt', {}, t('directives.required')), h('dd', {}, found.required_actions.join('、') || '—'),
      h('dt', {}, t('archive.summary')), h('dd', {}, found.summary || '—')));
  } else if (found.note_id) {
    shownRecord(record, label, h('p', { class: 'muted small' }, fmtTime(found.created_at)),
      h('p', { class: 'note-text' }, found.text));
  } else {
    shownRecord(record, label, h('pre', { class: 'wrap' }, JSON.stringify(found, null, 2)));
  }
}

async function showMaterial(record, material) {
  const label = material.title;
  if (!material.link) {
    shownRecord(record, label, h('p', {}, t('archive.listedMaterial')));
    return;
  }
  const response = await session.call(material.link, { raw: true });
  if ((response.headers.get('content-type') || '').startsWith('text/plain')) {
    shownRecord(record, label, h('p', { class: 'note-text' }, await response.text()));
  } else {
    const url = URL.createObjectURL(await response.blob());
    shownRecord(record, label, h('a', { class: 'btn', href: url, download: label }, t('archive.save')));
  }
}

// One link of a have, as the console follows it.
function haveLink(name, path, record, out, index) {
  const attrs = { class: 'have-link', 'data-have': name, 'data-link': path };
  const activity = path.match(/^\/api\/v1\/activities\/([^/]+)(\/attendance)?$/);
  if (activity) return h('a', { ...attrs, href: `#/activity/${activity[1]}` }, t(`archive.link.${name}`));
  const directive = path.match(/^\/api\/v1\/directives\/([^/]+)\/materials$/);
  if (directive) return h('a', { ...attrs, href: `#/study/${directive[1]}` }, t('archive.link.study_materials'));
  const file = path.match(/\.(pdf|xlsx)$/);
  if (file) {
    const button = h('button', { ...attrs, type: 'button', class: 'btn link have-link',
      onclick: () => act(button, out, () => download(session, path, `sign-in-sheet.${file[1]}`)) },
    file[1].toUpperCase());
    return button;
  }
  if (path.startsWith(`${API}/media/`)) {
    return h('button', { ...attrs, type: 'button', class: 'btn link have-link',
      onclick: () => shownRecord(record, t('archive.photo', { n: index }), authImage(session, path)) },
    t('archive.photo', { n: index }));
  }
  const label = path.startsWith(`${API}/study-notes/`) ? t('archive.note', { n: index }) : t(`archive.link.${name}`);
  return h('button', { ...attrs, type: 'button', class: 'btn link have-link',
    onclick: () => showRecord(record, path, label) }, label);
}

function haveRow(name, have, record, out) {
  const materials = name === 'study_materials' ? have.items.map((material) => {
    const button = h('button', { type: 'button', class: 'btn link have-link', 'data-have': name,
      'data-link': material.link || '', onclick: () => act(button, out, () => showMaterial(record, material)) }, material.title);
    return button;
  }) : [];
  const numbered = (path) => path.startsWith(`${API}/media/`) || path.startsWith(`${API}/study-notes/`);
  const counted = have.links.filter(numbered);
  const links = [...have.links.filter((path) => !numbered(path)).map((path) => haveLink(name, path, record, out)),
    ...counted.map((path, i) => haveLink(name, path, record, out, i + 1))];
  return h('li', { class: `have ${have.present ? 'present' : 'missing'}`, 'data-have': name },
    h('span', { class: 'have-mark', 'aria-hidden': 'true' }, have.present ? '✓' : '✗'),
    h('span', { class: 'have-name' }, t(`archive.have.${name}`)),
    badge(have.present ? t('archive.present') : t('archive.missing'), have.present ? 's-approved' : 's-returned'),
    h('span', { class: 'have-detail muted small' }, detail(name, have)),
    h('span', { class: 'have-links' }, materials, links));
}

async function viewArchive(main, page = '1') {
  const record = h('div', { id: 'archive-record-holder' });
  const out = h('div', {});
  const list = h('div', { id: 'archive-list' }, loading());
  section(main, 'nav.archive', h('p', { class: 'muted' }, t('archive.hint', { month: state.month }), ' ',
    orgLabel(state.org)), out, record, list);
  let answer;
  try {
    answer = await session.call(`/orgs/${state.org}/archive${query({ month: state.month, page: Number(page),
      page_size: PAGE_SIZE })}`);
  } catch (error) {
    mount(list, errorBox(error));
    return;
  }
  if (!answer.items.length) {
    mount(list, empty(t('archive.none')));
    return;
  }
  mount(list, h('div', { class: 'grid3' }, answer.items.map((branch) => h('section', { class: 'card archive-branch',
    'data-branch': branch.branch_id },
  h('h3', {}, branch.name, ' ', badge(t('archive.count', { n: branch.present }), branch.present === 6 ? 's-approved' : 'warn')),
  h('ul', { class: 'haves' }, HAVES.map((name) => haveRow(name, branch.haves[name], record, out))),
  h('p', { class: 'meetings-held muted small' }, t('archive.meetings'), ' ', MEETING_KINDS.map((kind) =>
    badge(`${t(`kind.${kind}`)} ${branch.meetings?.[kind] ?? 0}`, branch.meetings?.[kind] ? 's-approved' : '')))))),
  answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total, (p) => { location.hash = `#/archive/${p}`; }) : null);
}
