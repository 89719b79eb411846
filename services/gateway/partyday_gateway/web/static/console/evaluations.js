// Evaluations the node takes part in or runs: their eligibility rule, their candidates (party days and proposed
// golden ideas) with why an activity may not be shortlisted, and a form for the branch's admin to propose an idea.
import { t } from '../i18n.js';
import { act, authImage, badge, field, h, mount, notice, pct, table } from '../ui.js';
import { PAGE_SIZE, fmtNumber, orgLabel, section, session, state, statusBadge } from './context.js';

export default { title: 'nav.evaluations', needs: ['read_evaluations'], show: viewEvaluations };

async function viewEvaluations(main, evaluationId, action) {
  if (evaluationId && action !== 'propose') return viewEvaluation(main, evaluationId);
  const found = await session.call(`/evaluations?org_id=${encodeURIComponent(state.org)}&page_size=${PAGE_SIZE}`);
  const chosen = found.items.find((e) => e.evaluation_id === evaluationId);
  if (chosen) return section(main, 'nav.evaluations', proposal(chosen));
  section(main, 'nav.evaluations', table([
    ['eval.organisation', (e) => orgLabel(e.org_id)],
    ['eval.kind', (e) => h('a', { href: `#/evaluations/${e.evaluation_id}` }, t(`eval.kind.${e.kind}`), ' ', e.period)],
    ['eval.stage', (e) => statusBadge('eval.stage', e.stage)],
    ['eval.rule', rule],
    ['common.actions', (e) => (proposing(e) ? h('a', { class: 'btn primary', 'data-action': 'propose',
      href: `#/evaluations/${e.evaluation_id}/propose` }, t('eval.propose')) : '—')]], found.items, t('eval.none')));
}

// Where the caller is a branch's admin, that branch proposes ideas to a quarter's golden ideas while judging is open.
function proposing(e) {
  const [scope] = state.me.capabilities.propose_ideas || [];
  return e.kind === 'golden_ideas' && e.stage === 'judging' && scope ? scope : null;
}

function rule(e) {
  const parts = [];
  if (e.eligibility.min_sign_in_rate > 0) parts.push(t('eval.ruleRate', { rate: pct(e.eligibility.min_sign_in_rate) }));
  if (e.eligibility.summary_required) parts.push(t('eval.ruleSummary'));
  return parts.length ? parts.join(t('eval.and')) : t('eval.ruleNone');
}

function failure(failed) {
  return failed.condition === 'sign_in_rate'
    ? t('eval.failedRate', { actual: pct(failed.actual), required: pct(failed.required) })
    : t('eval.failedSummary');
}

function candidateCell(c) {
  if (c.kind === 'activity') return [orgLabel(c.branch_id), h('div', { class: 'muted' }, c.theme || '—')];
  return [orgLabel(c.branch_id), ' ', badge(t('eval.idea'), 's-idea'),
    h('div', { class: 'idea' }, h('strong', {}, c.idea.title), h('p', {}, c.idea.text),
      c.idea.media_ids.length ? h('div', { class: 'thumbs' },
        c.idea.media_ids.map((id) => authImage(session, `/media/${id}/thumbnail`, c.idea.title))) : null)];
}

async function viewEvaluation(main, evaluationId) {
  const found = await session.call(`/evaluations/${evaluationId}?page_size=100`);
  const rows = found.candidates.map((c) => ({ ...c, eligible: c.ineligible_because.length === 0 }));
  section(main, 'nav.evaluations',
    h('div', { class: 'card' }, h('h3', {}, t(`eval.kind.${found.kind}`), ' ', found.period, ' · ', orgLabel(found.org_id)),
      h('p', {}, statusBadge('eval.stage', found.stage), ' ', t('eval.rule'), ': ', rule(found))),
    proposing(found) ? h('p', {}, h('a', { class: 'btn', href: `#/evaluations/${evaluationId}/propose` },
      t('eval.propose'))) : null,
    table([['eval.candidate', candidateCell],
      ['score.sign_in_rate', (c) => (c.kind === 'activity' ? pct(c.sign_in_rate) : '—')],
      ['eval.summary', (c) => (c.kind === 'activity' ? t(c.summarized ? 'spot.yes' : 'spot.no') : '—')],
      ['eval.eligible', (c) => (c.eligible ? badge(t('eval.eligibleYes'), 's-approved')
        : h('span', { class: 'ineligible' }, badge(t('eval.eligibleNo'), 's-rejected'), ' ',
          c.ineligible_because.map(failure).join('；')))],
      ['eval.judged', (c) => fmtNumber(c.judged.total)],
      ['eval.votes', (c) => String(c.votes)],
      ['eval.award', (c) => (c.award ? t(`eval.award.${c.award}`) : (c.shortlisted ? t('eval.shortlisted') : '—'))]],
    rows, t('eval.noCandidates')));
}

// The branch's admin proposes a golden idea: a title, what it is, and photos of the branch.
function proposal(found) {
  const scope = proposing(found);
  if (!scope) return notice(t('eval.notProposing'), 'error');
  const out = h('div', {});
  const title = h('input', { name: 'title', required: true, maxlength: 200 });
  const text = h('textarea', { name: 'text', rows: 3, required: true });
  const media = h('input', { name: 'media_ids', placeholder: t('rect.mediaHint') });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('eval.propose'));
  return h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call(`/evaluations/${found.evaluation_id}/ideas`, {
      method: 'POST', body: { branch_id: scope.org_id, title: title.value.trim(), text: text.value.trim(),
        media_ids: media.value.split(/[\s,，]+/).filter(Boolean) } }));
    if (made) {
      mount(out, notice(t('eval.proposed', { title: made.title })));
      title.value = ''; text.value = ''; media.value = '';
    }
  } }, h('h3', {}, t('eval.newIdea'), ' · ', t(`eval.kind.${found.kind}`), ' ', found.period, ' · ',
    orgLabel(scope.org_id)), field('eval.ideaTitle', title),
  field('eval.ideaText', text), field('rect.mediaIds', media), button, out);
}
