// Evaluations (最佳/优秀主题党日, 金点子) the node takes part in or runs, a page at a time, and a form to open one;
// an evaluation's candidates (party days and proposed golden ideas) with its eligibility rule, and the controls of
// each step for who takes it: judges mark on the five criteria, the working group shortlists (first review), the
// committee names the winners (second review) and publishes them; the winners once published; a form for the
// branch's admin to propose an idea.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, authImage, badge, errorBox, field, fmtTime, h, loading, mount, notice, pager, pct, table } from '../ui.js';
import { PAGE_SIZE, fmtNumber, orgLabel, orgNode, render, section, session, state, statusBadge } from './context.js';

export default { title: 'nav.evaluations', needs: ['read_evaluations'], show: viewEvaluations };

const CRITERIA = ['theme', 'content', 'form', 'organisation', 'effect'];
const STAGES = ['judging', 'second_review', 'decided', 'published'];
// What a working group ticked and a committee chose, per evaluation, kept while they page through its candidates.
const shortlists = new Map();
const awards = new Map();
let flash = null;

async function viewEvaluations(main, evaluationId, action) {
  if (evaluationId && action === 'propose') {
    // A branch's admin reads the evaluations their branch takes part in, not the organisation's own evaluation.
    const taking = await session.call(`/evaluations${query({ org_id: state.org, page_size: 100 })}`);
    const found = taking.items.find((e) => e.evaluation_id === evaluationId);
    return section(main, 'nav.evaluations', found ? proposal(found) : notice(t('eval.notProposing'), 'error'));
  }
  if (evaluationId && action === 'winners') {
    const winners = h('div', { id: 'winners' }, loading());
    section(main, 'nav.evaluations', h('p', {}, h('a', { href: '#/evaluations' }, '← ', t('eval.list'))), winners);
    return showWinners(winners, evaluationId);
  }
  if (evaluationId) return viewEvaluation(main, evaluationId);
  const node = await orgNode(state.org).catch(() => null);
  const list = h('div', { id: 'evaluation-list' }, loading());
  section(main, 'nav.evaluations', node && can(state.me, 'judge', node) ? openForm() : null,
    h('h3', {}, t('eval.list')), list);
  return showList(list, 1);
}

async function showList(list, page) {
  let found;
  try {
    found = await session.call(`/evaluations${query({ org_id: state.org, page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    return mount(list, errorBox(error));
  }
  // An evaluation of an organisation above the caller's reading (a branch's, which proposes ideas to it) opens
  // only its published winners.
  const readable = new Map(await Promise.all([...new Set(found.items.map((e) => e.org_id))].map(async (id) => {
    const node = await evaluationNode({ org_id: id });
    return [id, node ? can(state.me, 'read_evaluations', node) : false];
  })));
  const name = (e) => [t(`eval.kind.${e.kind}`), ' ', e.period];
  const opening = (e) => {
    if (readable.get(e.org_id)) {
      return h('a', { href: `#/evaluations/${e.evaluation_id}`, 'data-evaluation': e.evaluation_id }, name(e));
    }
    if (e.stage === 'published') {
      return [name(e), ' ', h('a', { href: `#/evaluations/${e.evaluation_id}/winners`,
        'data-evaluation': e.evaluation_id }, t('eval.winners'))];
    }
    return h('span', { 'data-evaluation': e.evaluation_id }, name(e));
  };
  return mount(list, table([
    ['eval.organisation', (e) => orgOf(e.org_id)],
    ['eval.kind', opening],
    ['eval.stage', (e) => statusBadge('eval.stage', e.stage)],
    ['eval.rule', rule],
    ['common.actions', (e) => (proposing(e) ? h('a', { class: 'btn primary', 'data-action': 'propose',
      href: `#/evaluations/${e.evaluation_id}/propose` }, t('eval.propose')) : '—')]], found.items, t('eval.none')),
  found.total > found.page_size ? pager(page, found.page_size, found.total, (next) => showList(list, next)) : null);
}

// The evaluation's organisation by name; one above the caller's reading (a body's member, a branch's admin) as such.
function orgOf(id) {
  const span = h('span', { class: 'org-name', 'data-org': id }, '…');
  orgNode(id).then((node) => { span.textContent = node.name; })
    .catch(() => { span.textContent = t('eval.superiorOrg'); });
  return span;
}

function quarterOf(month) {
  const [year, number] = month.split('-').map(Number);
  return `${year}-Q${Math.ceil(number / 3)}`;
}

// An org or city admin opens the month's best / excellent selection or the quarter's golden ideas over the node.
function openForm() {
  const out = h('div', {});
  const period = h('input', { name: 'period', required: true, value: state.month, pattern: '\\d{4}-(\\d{2}|Q[1-4])' });
  const kind = h('select', { name: 'kind', onchange: () => {
    period.value = kind.value === 'monthly' ? state.month : quarterOf(state.month);
  } }, ['monthly', 'golden_ideas'].map((k) => h('option', { value: k }, t(`eval.kind.${k}`))));
  const best = h('input', { name: 'best_slots', type: 'number', min: 1, max: 20, value: 1, required: true });
  const excellent = h('input', { name: 'excellent_slots', type: 'number', min: 0, max: 100, value: 5, required: true });
  const rate = h('input', { name: 'min_sign_in_rate', type: 'number', min: 0, max: 100, value: 80, required: true });
  const summary = h('input', { name: 'summary_required', type: 'checkbox', checked: true });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('eval.open'));
  return h('form', { class: 'card form', id: 'evaluation-form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call('/evaluations', { method: 'POST', body: {
      org_id: state.org, kind: kind.value, period: period.value.trim(), best_slots: Number(best.value),
      excellent_slots: Number(excellent.value),
      eligibility: { min_sign_in_rate: Number(rate.value) / 100, summary_required: summary.checked } } }));
    if (made) {
      flash = t('eval.opened', { kind: t(`eval.kind.${made.kind}`), period: made.period });
      location.hash = `#/evaluations/${made.evaluation_id}`;
    }
  } }, h('h3', {}, t('eval.new'), ' · ', orgLabel(state.org)),
  h('div', { class: 'row' }, field('eval.kind', kind), field('eval.period', period, t('eval.periodHint'))),
  h('div', { class: 'row' }, field('eval.bestSlots', best), field('eval.excellentSlots', excellent),
    field('eval.minRate', rate)),
  h('label', { class: 'check' }, summary, t('eval.requireSummary')), h('div', {}, button), out);
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
  if (c.kind === 'activity') return [h('strong', {}, c.name), h('div', { class: 'muted' }, c.theme || '—')];
  return [h('strong', {}, c.name), ' ', badge(t('eval.idea'), 's-idea'),
    h('div', { class: 'idea' }, h('strong', {}, c.idea.title), h('p', {}, c.idea.text),
      c.idea.media_ids.length ? h('div', { class: 'thumbs' },
        c.idea.media_ids.map((id) => authImage(session, `/media/${id}/thumbnail`, c.idea.title))) : null)];
}

function judgedCell(c) {
  if (!c.judged.judges) return h('span', { class: 'muted' }, t('eval.notJudged'));
  return [h('strong', { class: 'judged-total' }, fmtNumber(c.judged.total)),
    h('span', { class: 'muted small' }, ' ', t('eval.judges', { n: c.judged.judges })),
    h('div', { class: 'muted small criteria' },
      CRITERIA.map((k) => `${t(`eval.criterion.${k}`)} ${fmtNumber(c.judged.criteria[k])}`).join(' · '))];
}

// The evaluation's organisation as `can` reaches it: asked of the directory, else (for a body's member who reads
// evaluations but not the tree) the scope of theirs that names it.
async function evaluationNode(found) {
  try {
    return await orgNode(found.org_id);
  } catch {
    const scope = Object.values(state.me.capabilities).flat().find((s) => s.org_id === found.org_id);
    return scope ? { path: scope.org_path } : null;
  }
}

async function viewEvaluation(main, evaluationId) {
  const found = await session.call(`/evaluations/${evaluationId}?page_size=1`);
  const node = await evaluationNode(found);
  const may = (capability) => (node ? can(state.me, capability, node) : can(state.me, capability));
  const roles = {
    judge: found.stage === 'judging' && may('judge'),
    shortlist: found.stage === 'judging' && may('working_group'),
    choose: found.stage === 'second_review' && may('committee'),
    publish: found.stage === 'decided' && may('committee'),
  };
  const shown = flash ? notice(flash) : null;
  flash = null;
  const out = h('div', { class: 'step-out' });
  const candidates = h('div', { id: 'candidates' }, loading());
  const winners = h('div', { id: 'winners' });
  section(main, 'nav.evaluations', h('p', {}, h('a', { href: '#/evaluations' }, '← ', t('eval.list'))), shown,
    h('div', { class: 'card evaluation' },
      h('h3', {}, t(`eval.kind.${found.kind}`), ' ', found.period, ' · ', orgOf(found.org_id)),
      h('ol', { class: 'steps', 'aria-label': t('eval.stage') }, STAGES.map((stage) => h('li', {
        class: stage === found.stage ? 'current' : (STAGES.indexOf(stage) < STAGES.indexOf(found.stage) ? 'done' : ''),
        'aria-current': stage === found.stage ? 'step' : null }, t(`eval.step.${stage}`)))),
      h('dl', { class: 'facts' }, h('dt', {}, t('eval.rule')), h('dd', {}, rule(found)),
        h('dt', {}, t('eval.slots')), h('dd', {}, t('eval.slotsText', { best: found.best_slots,
          excellent: found.excellent_slots })),
        found.published_at ? [h('dt', {}, t('eval.publishedAt')), h('dd', {}, fmtTime(found.published_at))] : null),
      h('p', { class: 'muted small' }, t(`eval.hint.${found.stage}`))),
    proposing(found) ? h('p', {}, h('a', { class: 'btn', href: `#/evaluations/${evaluationId}/propose` },
      t('eval.propose'))) : null,
    winners, candidates, stepControls(found, roles, out), out);
  if (found.stage === 'published') showWinners(winners, evaluationId);
  await showCandidates(candidates, found, roles, 1, out);
}

async function showWinners(container, evaluationId) {
  try {
    const found = await session.call(`/evaluations/${evaluationId}/winners`);
    mount(container, h('section', { class: 'card winners' }, h('h3', {}, t('eval.winners'), ' · ',
      t(`eval.kind.${found.kind}`), ' ', found.period),
      table([['eval.award', (w) => badge(t(`eval.award.${w.award}`), `s-${w.award}`)],
        ['eval.candidate', (w) => [h('strong', {}, w.name), h('div', { class: 'muted' },
          w.kind === 'idea' ? w.idea.title : (w.theme || '—'))]],
        ['eval.votes', (w) => String(w.votes)]], found.winners, t('eval.noWinners'))));
  } catch (error) {
    mount(container, errorBox(error));
  }
}

async function showCandidates(container, found, roles, page, out) {
  let view;
  try {
    view = await session.call(`/evaluations/${found.evaluation_id}${query({ page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    return mount(container, errorBox(error));
  }
  const rows = view.candidates.map((c) => ({ ...c, eligible: c.ineligible_because.length === 0 }));
  const redraw = () => showCandidates(container, found, roles, page, out);
  const columns = [['eval.candidate', candidateCell],
    ['score.sign_in_rate', (c) => (c.kind === 'activity' ? pct(c.sign_in_rate) : '—')],
    ['eval.summary', (c) => (c.kind === 'activity' ? t(c.summarized ? 'spot.yes' : 'spot.no') : '—')],
    ['eval.eligible', (c) => (c.eligible ? badge(t('eval.eligibleYes'), 's-approved')
      : h('span', { class: 'ineligible' }, badge(t('eval.eligibleNo'), 's-rejected'), ' ',
        c.ineligible_because.map(failure).join('；')))],
    ['eval.judged', judgedCell],
    ['eval.votes', (c) => String(c.votes)],
    ['eval.award', (c) => (c.award ? badge(t(`eval.award.${c.award}`), `s-${c.award}`)
      : (c.shortlisted ? badge(t('eval.shortlisted'), 's-shortlisted') : '—'))]];
  if (roles.judge || roles.shortlist || roles.choose) {
    columns.push(['common.actions', (c) => h('div', { class: 'eval-actions' },
      roles.judge ? judgeForm(found, c, out, redraw) : null,
      roles.shortlist ? shortlistBox(found, c) : null,
      roles.choose ? awardSelect(found, c) : null)]);
  }
  const progress = roles.judge ? h('p', { class: 'muted', id: 'my-marks' },
    t('eval.markedByMe', { n: view.marked_by_me, total: view.total })) : null;
  return mount(container, progress, table(columns, rows, t('eval.noCandidates')),
    view.total > view.page_size
      ? pager(page, view.page_size, view.total, (next) => showCandidates(container, found, roles, next, out)) : null);
}

// A judge marks a candidate 0–20 on each criterion (again, while judging, to revise); never their own branch's.
// The form starts from the judge's own earlier marks (`mine`, which the API answers to them only): saving
// again replaces them.
function judgeForm(found, c, out, redraw) {
  if (c.branch_id === state.me.org_id) return h('span', { class: 'muted small' }, t('eval.ownBranch'));
  const inputs = Object.fromEntries(CRITERIA.map((k) => [k, h('input', { type: 'number', name: k, min: 0, max: 20,
    required: true, value: c.mine ? String(c.mine[k]) : null })]));
  const button = h('button', { class: 'btn primary', type: 'submit' },
    t(c.mine ? 'eval.reviseMarks' : 'eval.saveMarks'));
  return h('details', { class: 'judge', 'data-candidate': c.candidate_id, 'data-marked': c.mine ? 'yes' : 'no' },
    h('summary', { class: 'btn' }, t(c.mine ? 'eval.rejudge' : 'eval.judge')),
    c.mine ? h('p', { class: 'muted small my-marks' }, badge(t('eval.mineBadge'), 's-approved'), ' ',
      t('eval.mine', { total: c.mine.total, at: fmtTime(c.mine.judged_at) })) : null,
    h('form', { class: 'marks', onsubmit: async (event) => {
      event.preventDefault();
      const marks = Object.fromEntries(CRITERIA.map((k) => [k, Number(inputs[k].value)]));
      const saved = await act(button, out, () => session.call(`/evaluations/${found.evaluation_id}/judgements`, {
        method: 'POST', body: { activity_id: c.candidate_id, ...marks } }));
      if (saved) {
        await redraw();
        mount(out, notice(t('eval.marked', { name: c.name, total: saved.total })));
      }
    } }, CRITERIA.map((k) => field(`eval.criterion.${k}`, inputs[k])), button));
}

function shortlistBox(found, c) {
  if (!c.eligible) return h('span', { class: 'muted small' }, t('eval.cannotShortlist'));
  const picked = shortlists.get(found.evaluation_id) || new Set();
  shortlists.set(found.evaluation_id, picked);
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'shortlist', value: c.candidate_id,
    checked: picked.has(c.candidate_id), onchange: (event) => {
      if (event.target.checked) picked.add(c.candidate_id); else picked.delete(c.candidate_id);
    } }), t('eval.shortlistThis'));
}

function awardSelect(found, c) {
  if (!c.shortlisted) return '—';
  const chosen = awards.get(found.evaluation_id) || new Map();
  awards.set(found.evaluation_id, chosen);
  return field('eval.award', h('select', { name: 'award', 'data-candidate': c.candidate_id, onchange: (event) => {
    if (event.target.value) chosen.set(c.candidate_id, event.target.value); else chosen.delete(c.candidate_id);
  } }, ['', 'best', 'excellent'].map((award) => h('option', { value: award, selected: chosen.get(c.candidate_id) === award },
    award ? t(`eval.award.${award}`) : t('eval.noAward')))));
}

// The step the caller takes next, below the candidates: the working group's shortlist, the committee's winners,
// publishing. Each redraws the evaluation at its new stage.
function stepControls(found, roles, out) {
  const id = found.evaluation_id;
  const step = (label, name, send, done) => {
    const button = h('button', { class: 'btn primary', type: 'button', 'data-step': name, onclick: async () => {
      if (await act(button, out, send)) {
        flash = t(done);
        render();
      }
    } }, t(label));
    return button;
  };
  if (roles.shortlist) {
    const shortlist = () => [...(shortlists.get(id) || [])];
    return h('div', { class: 'card step' }, h('p', {}, t('eval.firstReviewHint')),
      step('eval.firstReview', 'first-review', () => session.call(`/evaluations/${id}/first-review`,
        { method: 'POST', body: { shortlist: shortlist() } }), 'eval.firstReviewed'));
  }
  if (roles.choose) {
    const pick = (award) => [...(awards.get(id) || new Map())]
      .filter(([, chosen]) => chosen === award).map(([candidate]) => candidate);
    return h('div', { class: 'card step' }, h('p', {}, t('eval.secondReviewHint')),
      step('eval.secondReview', 'second-review', () => session.call(`/evaluations/${id}/second-review`,
        { method: 'POST', body: { best: pick('best'), excellent: pick('excellent') } }), 'eval.secondReviewed'));
  }
  if (roles.publish) {
    return h('div', { class: 'card step' }, h('p', {}, t('eval.publishHint')),
      step('eval.publish', 'publish', () => session.call(`/evaluations/${id}/publish`, { method: 'POST' }),
        'eval.publishedNote'));
  }
  return null;
}

function quarterMonths(period) {
  const [year, quarter] = period.split('-Q').map(Number);
  return [1, 2, 3].map((n) => `${year}-${String((quarter - 1) * 3 + n).padStart(2, '0')}`);
}

// The branch's photos of the quarter's party days to choose from: each month's plan, its activity's uploads.
async function showPhotos(container, branchId, period, chosen) {
  let photos;
  try {
    const months = await Promise.all(quarterMonths(period).map((m) => session.call(`/branches/${branchId}/months/${m}`)));
    const activities = months.map((m) => m.plan).filter((plan) => plan && plan.activity_id);
    const uploads = await Promise.all(activities.map((plan) => session.call(
      `/activities/${plan.activity_id}/media${query({ page_size: 50 })}`).then((found) => found.items
      .filter((upload) => upload.kind === 'image').map((upload) => ({ ...upload, theme: plan.theme })))));
    photos = uploads.flat();
  } catch (error) {
    return mount(container, errorBox(error));
  }
  if (!photos.length) return mount(container, h('p', { class: 'muted small' }, t('eval.noPhotos')));
  return mount(container, h('div', { class: 'gallery photo-picker' }, photos.map((photo) => h('label', {
    class: 'media-card pick' }, authImage(session, `/media/${photo.media_id}/thumbnail`, photo.caption || photo.theme),
  h('span', { class: 'check' }, h('input', { type: 'checkbox', name: 'media_ids', value: photo.media_id,
    onchange: (event) => { if (event.target.checked) chosen.add(photo.media_id); else chosen.delete(photo.media_id); } }),
  photo.caption || photo.theme)))));
}

// The branch's admin proposes a golden idea: a title, what it is, and photos of the branch's party days.
function proposal(found) {
  const scope = proposing(found);
  if (!scope) return notice(t('eval.notProposing'), 'error');
  const out = h('div', {});
  const title = h('input', { name: 'title', required: true, maxlength: 200 });
  const text = h('textarea', { name: 'text', rows: 3, required: true });
  const chosen = new Set();
  const photos = h('div', { class: 'photos' }, loading());
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('eval.propose'));
  showPhotos(photos, scope.org_id, found.period, chosen);
  return h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call(`/evaluations/${found.evaluation_id}/ideas`, {
      method: 'POST', body: { branch_id: scope.org_id, title: title.value.trim(), text: text.value.trim(),
        media_ids: [...chosen] } }));
    if (made) {
      mount(out, notice(t('eval.proposed', { title: made.title })));
      title.value = ''; text.value = ''; chosen.clear();
      photos.querySelectorAll('input[type=checkbox]').forEach((box) => { box.checked = false; });
    }
  } }, h('h3', {}, t('eval.newIdea'), ' · ', t(`eval.kind.${found.kind}`), ' ', found.period, ' · ',
    orgLabel(scope.org_id)), field('eval.ideaTitle', title),
  field('eval.ideaText', text), h('fieldset', { class: 'photo-choice' }, h('legend', {}, t('eval.ideaPhotos')), photos),
  h('div', {}, button), out);
}
