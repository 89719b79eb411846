// The member's quizzes on the phone: those open to their branch with the attempts left and the best score, and one
// taken with a countdown to the deadline the server keeps (the answers go up before it runs out, or are refused).
import { query } from './api.js';
import { t } from './i18n.js';
import { act, badge, empty, errorBox, fmtTime, h, mount, notice, pager } from './ui.js';

const PAGE_SIZE = 20;
const LETTERS = 'ABCDEF';
let ticking = null;

export async function showMyQuizzes(session, main, page = 1) {
  const answer = await session.call(`/me/quizzes${query({ page, page_size: PAGE_SIZE })}`);
  mount(main, h('h2', {}, t('mq.title')), answer.items.length ? h('ul', { class: 'quizzes' }, answer.items.map((q) =>
    h('li', { class: 'card quiz', 'data-quiz': q.quiz_id },
      h('div', { class: 'row between' }, h('strong', {}, q.title), badge(t(`quiz.state.${q.state}`), `s-${q.state}`)),
      h('p', { class: 'muted' }, q.directive_theme || '', q.lesson_title ? ` · ${q.lesson_title}` : ''),
      h('p', {}, t('mq.facts', { n: q.question_count, minutes: q.time_limit_minutes, left: q.attempts_left })),
      h('p', { class: 'muted' }, t('quiz.window'), ': ', fmtTime(q.opens_at), ' – ', fmtTime(q.closes_at)),
      q.best_score !== null ? h('p', { class: 'score' }, t('mq.best', { score: q.best_score })) : null,
      q.state === 'open' && (q.attempts_left > 0 || q.running_attempt_id)
        ? h('a', { class: 'btn primary', 'data-take': q.quiz_id, href: q.running_attempt_id
          ? `/m/quiz?quiz=${q.quiz_id}&attempt=${q.running_attempt_id}` : `/m/quiz?quiz=${q.quiz_id}` },
          t(q.running_attempt_id ? 'mq.resume' : 'mq.take')) : null)))
    : empty(t('mq.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => showMyQuizzes(session, main, p)) : null);
}

// A running attempt is read again (its time left from the server); otherwise one is started.
export async function takeQuiz(session, main, quizId, attemptId) {
  if (!quizId) return showMyQuizzes(session, main);
  let attempt;
  try {
    attempt = attemptId ? await session.call(`/quiz-attempts/${attemptId}`)
      : await session.call(`/quizzes/${quizId}/attempts`, { method: 'POST' });
    if (!attempt.running && attempt.score === null) {
      attempt = await session.call(`/quizzes/${quizId}/attempts`, { method: 'POST' });
    }
  } catch (error) {
    return mount(main, h('h2', {}, t('mq.title')), errorBox(error),
      h('a', { class: 'btn', href: '/m/quizzes' }, t('mq.back')));
  }
  return showAttempt(session, main, attempt);
}

function showAttempt(session, main, attempt) {
  clearInterval(ticking);
  const out = h('div', {});
  const clock = h('div', { class: 'countdown', id: 'countdown', role: 'timer', 'aria-live': 'off' });
  const deadline = new Date(attempt.deadline_at).getTime();
  const offset = Date.now() + attempt.seconds_left * 1000 - deadline;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline + offset - Date.now()) / 1000));
    clock.textContent = t('mq.left', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
    clock.classList.toggle('danger', left < 60);
    if (!clock.isConnected || left === 0) clearInterval(ticking);
  };
  const questions = attempt.questions.map((q, index) => h('fieldset', { class: 'card question', 'data-question': q.id },
    h('legend', {}, `${index + 1}. `, badge(t(`quiz.kind.${q.kind}`)), ' ', q.text),
    q.options.map((option, i) => h('label', { class: 'option' }, h('input', {
      type: q.kind === 'multiple' ? 'checkbox' : 'radio', name: `q-${q.id}`, value: i }),
    ' ', q.kind === 'true_false' ? option : `${LETTERS[i]}. ${option}`))));
  const send = h('button', { class: 'btn primary', type: 'submit', id: 'submit-answers' }, t('mq.submit'));
  const form = h('form', { class: 'quiz-form', onsubmit: async (event) => {
    event.preventDefault();
    const answers = {};
    for (const q of attempt.questions) {
      answers[q.id] = [...form.querySelectorAll(`input[name="q-${q.id}"]:checked`)].map((box) => Number(box.value));
    }
    const scored = await act(send, out, () => session.call(`/quiz-attempts/${attempt.attempt_id}/answers`,
      { method: 'POST', body: { answers } }));
    if (scored) showScore(main, scored);
  } }, questions, send, out);
  mount(main, h('h2', {}, t('mq.taking')), clock, form);
  tick();
  ticking = setInterval(tick, 1000);
}

function showScore(main, scored) {
  clearInterval(ticking);
  mount(main, h('h2', {}, t('mq.done')), h('div', { class: 'card', id: 'my-score' },
    h('p', { class: 'score big' }, t('mq.score', { score: scored.score })),
    h('p', {}, t('mq.correct', { correct: scored.correct, total: scored.total }))),
  notice(t('mq.bestCounts')), h('a', { class: 'btn', href: '/m/quizzes' }, t('mq.back')));
}
