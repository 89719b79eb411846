// The progress dashboard: per child node, how many branches planned, were approved, held, documented, scored.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { empty, errorBox, field, h, loading, mount, pct } from '../ui.js';
import { domainSelect, render, section, session, state } from './context.js';
import { MEETING_KINDS } from './meetings.js';

export default { title: 'nav.progress', needs: ['read'], show: viewProgress };

// Per other kind of meeting (三会一课), how many branches planned and held one in the month.
function meetingCounts(tally) {
  const meetings = tally.meetings || {};
  return h('dl', { class: 'facts meeting-counts' }, MEETING_KINDS.map((kind) => [h('dt', {}, t(`kind.${kind}`)),
    h('dd', { 'data-kind': kind }, t('progress.meetings', { held: meetings[kind]?.held ?? 0,
      planned: meetings[kind]?.planned ?? 0, n: tally.branches }))]));
}

async function viewProgress(main, domain = '') {
  const progress = await session.call(`/dashboards/progress${query({ org_id: state.org, month: state.month, domain })}`);
  const stages = ['planned', 'approved', 'held', 'documented', 'scored'];
  const bars = (tally) => h('div', { class: 'bars' }, stages.map((stage) => h('div', { class: 'bar-row' },
    h('span', { class: 'bar-label' }, t(`progress.${stage}`)),
    h('span', { class: 'bar' }, h('span', { class: `fill f-${stage}`, style: `width:${Math.round((tally.rates[stage] || 0) * 100)}%` })),
    h('span', { class: 'bar-value' }, `${tally[stage]}/${tally.branches} · ${pct(tally.rates[stage])}`))),
  meetingCounts(tally));
  section(main, 'nav.progress', h('div', { class: 'toolbar' },
    field('orgs.domain', domainSelect(domain, (d) => { location.hash = `#/progress/${d}`; }))),
  h('div', { class: 'card', id: 'progress-total' }, h('h3', {}, progress.name, ' · ', progress.month,
    ' · ', t('progress.branches', { n: progress.branches })), bars(progress)),
  progress.children.length ? h('div', { class: 'grid3' }, progress.children.map((child) => h('div', { class: 'card' },
    h('h4', {}, h('a', { href: '#/progress', onclick: (event) => { event.preventDefault(); state.org = child.org_id; render(); } },
      child.name), ' ', h('small', { class: 'muted' }, t(`domain.${child.domain}`), ' · ', t('progress.branches', { n: child.branches }))),
    bars(child)))) : empty(t('progress.noChildren')), quizCard());
}

// The month's quizzes that reach the node, each with its members who took it against those expected.
function quizCard() {
  const card = h('div', { class: 'card', id: 'progress-quizzes' }, h('h3', {}, t('quiz.participation')), loading());
  (async () => {
    const quizzes = await session.call(`/quizzes${query({ org_id: state.org, page: 1, page_size: 50 })}`);
    const month = quizzes.items.filter((q) => q.month === state.month);
    const rows = await Promise.all(month.map(async (q) => ({ quiz: q, part: await session.call(
      `/quizzes/${q.quiz_id}/participation${query({ org_id: state.org, page: 1, page_size: 1 })}`) })));
    mount(card, h('h3', {}, t('quiz.participation')), rows.length ? h('div', { class: 'bars' }, rows.map(({ quiz, part }) =>
      h('div', { class: 'bar-row' }, h('a', { class: 'bar-label', href: `#/quizzes/results/${quiz.quiz_id}` }, quiz.title),
        h('span', { class: 'bar' }, h('span', { class: 'fill f-scored',
          style: `width:${part.expected ? Math.round((part.took * 100) / part.expected) : 0}%` })),
        h('span', { class: 'bar-value' }, `${part.took}/${part.expected} · ${part.expected ? pct(part.took / part.expected) : '—'}`))))
      : empty(t('quiz.noneThisMonth')));
  })().catch((error) => mount(card, h('h3', {}, t('quiz.participation')), errorBox(error)));
  return card;
}
