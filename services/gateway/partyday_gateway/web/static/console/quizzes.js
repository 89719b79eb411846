// Study quizzes (学习测试): the chosen node's quizzes (its own and those set above that reach it), a quiz created on
// a directive or one of its micro lessons from the node's question bank, the bank itself (imported from an XLSX
// with its row report, edited one question at a time), and a quiz's results per member and participation per branch.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { has, t } from '../i18n.js';
import { act, badge, download, empty, errorBox, field, fmtTime, h, loading, mount, notice, pager, pct, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state } from './context.js';

export default { title: 'nav.quizzes', needs: ['read', 'manage_quizzes'], show: viewQuizzes };

const LETTERS = 'ABCDEF';
const KINDS = ['single', 'multiple', 'true_false'];

async function viewQuizzes(main, sub = '', id = '') {
  if (sub === 'bank') return viewBank(main);
  if (sub === 'results') return viewResults(main, id);
  const node = await orgNode(state.org);
  const manages = can(state.me, 'manage_quizzes', node);
  const list = h('div', { id: 'quiz-list' });
  section(main, 'nav.quizzes', h('div', { class: 'toolbar' }, h('span', { class: 'muted' }, orgLabel(state.org)),
    manages ? h('a', { class: 'btn', href: '#/quizzes/bank', id: 'open-bank' }, t('quiz.bank')) : null),
  manages ? await createForm(list) : null, h('h3', {}, t('quiz.list')), list);
  await showList(list);
}

async function showList(holder, page = 1) {
  mount(holder, loading());
  try {
    const answer = await session.call(`/quizzes${query({ org_id: state.org, page, page_size: PAGE_SIZE })}`);
    mount(holder, table([
      ['quiz.title', (q) => h('a', { href: `#/quizzes/results/${q.quiz_id}`, 'data-quiz': q.quiz_id }, q.title)],
      ['quiz.directive', (q) => [q.directive_theme || q.directive_id, q.lesson_title ? ` · ${q.lesson_title}` : '']],
      ['quiz.window', (q) => `${fmtTime(q.opens_at)} – ${fmtTime(q.closes_at)}`],
      ['quiz.questions', (q) => q.question_count],
      ['quiz.limit', (q) => t('quiz.minutes', { n: q.time_limit_minutes })],
      ['quiz.attempts', (q) => q.max_attempts],
      ['quiz.state', (q) => badge(t(`quiz.state.${q.state}`), `s-${q.state}`)],
    ], answer.items, t('quiz.none')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showList(holder, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

function localInput(name, date) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return h('input', { type: 'datetime-local', name, required: true, value: shifted.toISOString().slice(0, 16) });
}

// A quiz on one of the month's directives (or one of its micro lessons), for the chosen node, from its bank.
async function createForm(list) {
  const directives = await session.call(`/directives${query({ org_id: state.org, month: state.month })}`);
  if (!directives.length) return h('div', { class: 'card' }, empty(t('quiz.noDirectives')));
  const out = h('div', {});
  const directive = h('select', { name: 'quiz-directive', required: true, onchange: () => fillLessons() },
    directives.map((d) => h('option', { value: d.directive_id }, d.theme)));
  const lesson = h('select', { name: 'quiz-lesson' });
  const fillLessons = async () => {
    mount(lesson, h('option', { value: '' }, t('quiz.wholeDirective')));
    const materials = await session.call(`/directives/${directive.value}/materials${query({ page: 1, page_size: 100 })}`)
      .catch(() => ({ items: [] }));
    lesson.append(...materials.items.filter((m) => m.kind === 'video')
      .map((m) => h('option', { value: m.material_id }, m.title)));
  };
  await fillLessons();
  const title = h('input', { name: 'quiz-title', required: true, maxlength: 200 });
  const now = new Date();
  const opens = localInput('quiz-opens', now);
  const closes = localInput('quiz-closes', new Date(now.getTime() + 7 * 86400000));
  const draw = h('input', { name: 'quiz-draw', type: 'number', min: 1, max: 200 });
  const attempts = h('input', { name: 'quiz-attempts', type: 'number', min: 1, max: 20, value: 1, required: true });
  const limit = h('input', { name: 'quiz-limit', type: 'number', min: 1, max: 600, value: 20, required: true });
  const bank = await session.call(`/orgs/${state.org}/questions${query({ page: 1, page_size: 200 })}`);
  const chosen = h('div', { class: 'choices', id: 'quiz-questions' }, bank.items.length
    ? bank.items.map((q) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: q.question_id }),
      ' ', badge(t(`quiz.kind.${q.kind}`)), ' ', q.text))
    : empty(t('quiz.bankEmpty')));
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('quiz.create'));
  const form = h('form', { class: 'card form', id: 'quiz-create', onsubmit: async (event) => {
    event.preventDefault();
    const body = {
      directive_id: directive.value, org_id: state.org, title: title.value.trim(),
      opens_at: new Date(opens.value).toISOString(), closes_at: new Date(closes.value).toISOString(),
      max_attempts: Number(attempts.value), time_limit_minutes: Number(limit.value),
      question_ids: [...chosen.querySelectorAll('input:checked')].map((box) => box.value),
    };
    if (lesson.value) body.lesson_id = lesson.value;
    if (draw.value) body.draw_count = Number(draw.value);
    const created = await act(save, out, () => session.call('/quizzes', { method: 'POST', body }));
    if (created) {
      form.reset();
      mount(out, notice(t('quiz.created', { title: created.title })));
      await showList(list);
    }
  } }, h('h3', {}, t('quiz.new')), h('div', { class: 'grid2' }, field('quiz.directive', directive),
    field('quiz.lesson', lesson), field('quiz.title', title), field('quiz.draw', draw, t('quiz.drawHint')),
    field('quiz.opens', opens), field('quiz.closes', closes), field('quiz.attempts', attempts),
    field('quiz.limit', limit, t('quiz.limitHint'))),
  h('fieldset', {}, h('legend', {}, t('quiz.choose')), chosen), save, out);
  return form;
}

// The chosen node's question bank: the template, an import with its row report, a question added or edited.
async function viewBank(main) {
  const out = h('div', {});
  const report = h('div', { id: 'bank-report' });
  const questions = h('div', { id: 'bank-questions' });
  const editor = h('div', { id: 'question-editor' });
  const file = h('input', { type: 'file', name: 'bank-file', accept: '.xlsx', required: true });
  const upload = h('button', { class: 'btn primary', type: 'submit' }, t('quiz.import'));
  const template = h('button', { class: 'btn link', type: 'button', id: 'bank-template', onclick: () => act(template, out,
    () => download(session, '/quiz-bank/template.xlsx', 'quiz-bank-template.xlsx')) }, t('quiz.template'));
  const importForm = h('form', { class: 'card form', id: 'bank-import', onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append('file', file.files[0]);
    mount(report);
    const answer = await act(upload, report, () => session.call(`/orgs/${state.org}/questions/import`,
      { method: 'POST', form }));
    if (!answer) return;
    importForm.reset();
    mount(report, importReport(answer));
    await showBank(questions, editor);
  } }, h('p', { class: 'muted' }, t('quiz.importHint'), ' ', template), field('quiz.file', file), upload, out);
  section(main, 'quiz.bank', h('div', { class: 'toolbar' }, h('a', { class: 'btn link', href: '#/quizzes' },
    t('quiz.back')), h('span', { class: 'muted' }, orgLabel(state.org))),
  h('div', { class: 'grid2' }, h('div', {}, importForm, report), editor), h('h3', {}, t('quiz.questionsOfBank')),
  questions);
  mount(editor, questionForm(null, questions, editor));
  await showBank(questions, editor);
}

function importReport(answer) {
  return h('div', { class: 'card' }, h('h3', {}, t('quiz.report')),
    h('p', { class: 'counts' }, badge(t('quiz.accepted', { n: answer.accepted }), 's-approved'),
      badge(t('quiz.rejected', { n: answer.rejected.length }), answer.rejected.length ? 'danger' : 'muted')),
    table([['quiz.row', (r) => r.row], ['quiz.reasons', (r) => r.reasons.map((reason) => (has(`quiz.reason.${reason.code}`)
      ? t(`quiz.reason.${reason.code}`) : reason.message)).join('；')]], answer.rejected, t('quiz.allAccepted')));
}

async function showBank(holder, editor, page = 1) {
  mount(holder, loading());
  try {
    const answer = await session.call(`/orgs/${state.org}/questions${query({ page, page_size: PAGE_SIZE })}`);
    const out = h('div', {});
    mount(holder, out, table([
      ['quiz.kind', (q) => t(`quiz.kind.${q.kind}`)],
      ['quiz.text', (q) => q.text],
      ['quiz.options', (q) => q.options.map((o, i) => `${LETTERS[i]}. ${o}`).join('  ')],
      ['quiz.answer', (q) => q.answer.map((i) => LETTERS[i]).join('')],
      ['common.actions', (q) => [
        h('button', { class: 'btn', type: 'button', 'data-edit': q.question_id, onclick: async (event) => {
          const fresh = await act(event.target, out, () => session.call(`/questions/${q.question_id}`));
          if (!fresh) return;
          mount(editor, questionForm(fresh, holder, editor));
          editor.scrollIntoView();
        } }, t('quiz.edit')),
        h('button', { class: 'btn ghost', type: 'button', 'data-remove': q.question_id, onclick: async (event) => {
          if (await act(event.target, out, () => session.call(`/questions/${q.question_id}`, { method: 'DELETE' }))) {
            await showBank(holder, editor, page);
          }
        } }, t('quiz.remove'))]],
    ], answer.items, t('quiz.bankEmpty')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showBank(holder, editor, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

// One question, new (`found` null) or edited: its kind, text, options (none for true/false) and right answers.
function questionForm(found, questions, editor) {
  const out = h('div', {});
  const kind = h('select', { name: 'question-kind' }, KINDS.map((k) => h('option', { value: k, selected: found?.kind === k },
    t(`quiz.kind.${k}`))));
  const text = h('textarea', { name: 'question-text', rows: 3, required: true, maxlength: 1000 }, found?.text || '');
  const options = h('textarea', { name: 'question-options', rows: 4 },
    found && found.kind !== 'true_false' ? found.options.join('\n') : '');
  const answer = h('input', { name: 'question-answer', required: true, maxlength: 6,
    value: found ? found.answer.map((i) => LETTERS[i]).join('') : '' });
  const explanation = h('textarea', { name: 'question-explanation', rows: 2, maxlength: 1000 },
    found?.explanation || '');
  const save = h('button', { class: 'btn primary', type: 'submit' }, t(found ? 'quiz.save' : 'quiz.add'));
  return h('form', { class: 'card form', id: 'question-form', onsubmit: async (event) => {
    event.preventDefault();
    const isTrueFalse = kind.value === 'true_false';
    const letters = answer.value.trim().toUpperCase();
    const body = {
      kind: kind.value, text: text.value.trim(),
      options: isTrueFalse ? [] : options.value.split('\n').map((o) => o.trim()).filter(Boolean),
      answer: isTrueFalse ? [['对', 'T', 'A'].includes(letters) ? 0 : 1]
        : [...letters].map((letter) => LETTERS.indexOf(letter)),
    };
    if (explanation.value.trim()) body.explanation = explanation.value.trim();
    const saved = await act(save, out, () => (found
      ? session.call(`/questions/${found.question_id}`, { method: 'PUT', body })
      : session.call(`/orgs/${state.org}/questions`, { method: 'POST', body })));
    if (saved) {
      mount(editor, questionForm(null, questions, editor));
      editor.prepend(notice(t('quiz.saved')));
      await showBank(questions, editor);
    }
  } }, h('h3', {}, t(found ? 'quiz.editQuestion' : 'quiz.newQuestion')), field('quiz.kind', kind),
  field('quiz.text', text), field('quiz.options', options, t('quiz.optionsHint')),
  field('quiz.answer', answer, t('quiz.answerHint')), field('quiz.explanation', explanation), save, out);
}

// A quiz's results per member and its participation per branch, under the chosen node.
async function viewResults(main, quizId) {
  const quiz = await session.call(`/quizzes/${quizId}`);
  const results = h('div', { id: 'quiz-results' });
  const branches = h('div', { id: 'quiz-participation' });
  section(main, 'quiz.results', h('div', { class: 'toolbar' }, h('a', { class: 'btn link', href: '#/quizzes' },
    t('quiz.back')), h('strong', {}, quiz.title), h('span', { class: 'muted' }, orgLabel(state.org))),
  h('h3', {}, t('quiz.participation')), branches, h('h3', {}, t('quiz.scores')), results);
  await Promise.all([showParticipation(branches, quizId), showResults(results, quizId)]);
}

async function showParticipation(holder, quizId, page = 1) {
  mount(holder, loading());
  try {
    const answer = await session.call(`/quizzes/${quizId}/participation${query({ org_id: state.org, page,
      page_size: PAGE_SIZE })}`);
    mount(holder, h('p', { class: 'counts', id: 'participation-total' }, badge(t('quiz.took', { took: answer.took,
      expected: answer.expected }), 's-approved'), ' ', answer.expected ? pct(answer.took / answer.expected) : '—'),
    table([['quiz.branch', (b) => b.name], ['quiz.tookCol', (b) => `${b.took}/${b.expected}`],
      ['quiz.rate', (b) => pct(b.rate)]], answer.items, t('quiz.noBranches')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showParticipation(holder, quizId, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}

async function showResults(holder, quizId, page = 1) {
  mount(holder, loading());
  try {
    const answer = await session.call(`/quizzes/${quizId}/results${query({ org_id: state.org, page,
      page_size: PAGE_SIZE })}`);
    mount(holder, table([['quiz.member', (r) => r.name || r.member_id], ['quiz.branch', (r) => r.branch_name || ''],
      ['quiz.best', (r) => r.best_score], ['quiz.attempts', (r) => r.attempts],
      ['quiz.submitted', (r) => fmtTime(r.last_submitted_at)]], answer.items, t('quiz.noResults')),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showResults(holder, quizId, p)) : null);
  } catch (error) {
    mount(holder, errorBox(error));
  }
}
