// Activity detail: plan, sign-in sheet with reasons and each absent member's make-up study, leave requests, scan log, photos, summary, score breakdown
// and the superior's score, QR poster and sheet downloads.
import { query } from '../api.js';
import { errorText, t } from '../i18n.js';
import { can } from '../capabilities.js';
import { act, badge, download, empty, errorBox, field, fmtTime, h, mount, pager, pct, table } from '../ui.js';
import { PAGE_SIZE, fmtNumber, orgLabel, orgNode, render, section, session, state, statusBadge, superiorOf } from './context.js';
import { guestsCard } from './guests.js';
import { mediaCard } from './media.js';
import { decisionsCard, kindBadge } from './meetings.js';
import { makeupBadge } from '../study-progress.js';

export default { title: 'nav.activity', needs: ['read'], show: viewActivity };

async function viewActivity(main, activityId) {
  const [activity, sheet, media, score] = await Promise.all([
    session.call(`/activities/${activityId}`), session.call(`/activities/${activityId}/attendance`),
    session.call(`/activities/${activityId}/media`).catch(() => null),
    session.call(`/activities/${activityId}/score`).catch(() => null)]);
  const plan = activity.plan;
  const branch = await orgNode(plan.branch_id);
  // The branch's own work (the code, the summary, leave) for who manages its plans; the superior's score for a
  // superior of the branch.
  const manages = can(state.me, 'manage_plans', branch);
  const out = h('div', {});
  const sheetXlsx = h('button', { class: 'btn', onclick: () => act(sheetXlsx, out,
    () => download(session, `/activities/${activityId}/attendance.xlsx`, `attendance-${activityId}.xlsx`)) },
  t('activity.sheetXlsx'));
  const counts = sheet.members.reduce((acc, row) => ({ ...acc, [row.status]: (acc[row.status] || 0) + 1 }), {});
  section(main, 'nav.activity',
    h('div', { class: 'card' }, h('h3', {}, plan.theme, ' ', kindBadge(plan.kind), ' ', statusBadge('plan', plan.status)),
      h('dl', { class: 'facts' }, h('dt', {}, t('plan.branch')), h('dd', {}, orgLabel(plan.branch_id)),
        h('dt', {}, t('plan.when')), h('dd', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at)),
        h('dt', {}, t('plan.venue')), h('dd', {}, plan.venue.name, ' ', t('plan.radius', { m: plan.venue.radius_m })),
        h('dt', {}, t('directives.required')), h('dd', {}, plan.required_actions.join('、') || '—'),
        h('dt', {}, t('plan.optional')), h('dd', {}, plan.optional_actions.join('、') || '—')),
      h('div', { class: 'toolbar' }, manages ? codeButtons(activityId, out) : null, sheetXlsx), out),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h3', {}, t('activity.attendance'),
        sheet.closed ? [' ', badge(t('activity.closed'), 'muted')] : null),
      h('p', { class: 'counts' }, Object.entries(counts).map(([s, n]) => badge(`${t(`att.${s}`)} ${n}`, `s-${s}`))),
      table([['member.name', (r) => [r.name, r.guest ? [' ', badge(t('activity.guest'), 'info')] : null,
        r.mobile ? [' ', badge(t('member.mobile'), 'info')] : null]],
      ['att.status', (r) => [statusBadge('att', r.status), r.sent_late ? [' ', badge(t('att.sentLate'), 'warn')] : null,
        r.review ? [' ', badge(t(`reviews.${r.review}`), 'warn')] : null]],
      ['att.in', (r) => fmtTime(r.signed_in_at)], ['att.out', (r) => fmtTime(r.signed_out_at)],
      ['makeup.column', (r) => makeupBadge(r.makeup) || '—']],
      sheet.members, t('activity.noMembers'))),
      h('div', { class: 'card', id: 'score' }, h('h3', {}, t('score.title')), scoreCard(score),
        score && superiorOf(branch) ? superiorScoreForm(activityId, score) : null)),
    plan.kind === 'members_meeting' ? decisionsCard(activityId, manages) : null,
    guestsCard(activityId, plan.branch_id, sheet),
    leaveCard(activityId, manages && !sheet.closed),
    can(state.me, 'spot_check', branch) ? scanLogCard(activityId) : null,
    h('div', { class: 'card', id: 'summary' }, h('h3', {}, t('activity.summary'),
      plan.summary_late ? [' ', badge(t('plan.late'), 'warn')] : null),
    plan.summary ? h('p', { class: 'summary' }, plan.summary) : manages ? summaryForm(activityId) : empty(t('activity.noSummary'))),
    h('div', { class: 'card' }, h('h3', {}, t('activity.photos'),
      media ? h('small', { class: 'muted' }, ' ', t('media.detailScore', { n: media.detail_score })) : null),
    media && media.items.length ? h('div', { class: 'gallery' }, media.items.map(mediaCard)) : empty(t('activity.noPhotos')),
    manages ? uploadForm(activityId) : null));
}

// Leave requests (请假) of the activity: the branch admin approves or rejects those pending until it closes
// (`decidable`: the caller manages the branch's plans and the activity is still open).
function leaveCard(activityId, decidable) {
  const card = h('div', { class: 'card', id: 'leave' });
  const out = h('div', {});
  const show = async (page) => {
    const answer = await session.call(`/activities/${activityId}/leave-requests${query({ page, page_size: PAGE_SIZE })}`);
    const decide = (row, decision) => {
      const button = h('button', { class: `btn ${decision === 'approve' ? 'primary' : 'ghost'}`, 'data-action': decision,
        onclick: async () => {
          if (await act(button, out, () => session.call(`/leave-requests/${row.leave_id}/${decision}`, { method: 'POST' }))) {
            await show(page);
          }
        } }, t(`leave.${decision}`));
      return button;
    };
    mount(card, h('h3', {}, t('leave.title')),
      table([['member.name', (row) => row.name || row.member_id], ['leave.reason', (row) => row.reason],
        ['leave.requested', (row) => fmtTime(row.requested_at)], ['att.status', (row) => statusBadge('leave', row.status)],
        ['common.actions', (row) => (row.status === 'pending' && decidable ? [decide(row, 'approve'), ' ', decide(row, 'reject')] : null)]],
      answer.items, t('leave.none')),
      answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, show) : null, out);
  };
  show(1).catch((error) => mount(card, h('h3', {}, t('leave.title')), errorBox(error)));
  return card;
}

// Every sign-in and sign-out attempt with the evidence it was judged on, refusals included: a superior's or an
// auditor's check of the sheet (the branch's own admin is refused, and sees nothing here).
function scanLogCard(activityId) {
  const card = h('div', { class: 'card', id: 'scans' });
  const where = (row) => {
    const distance = row.distance_m ?? row.details?.distance_m;
    const accuracy = row.accuracy_m === null ? '' : ` ±${Math.round(row.accuracy_m)} m`;
    return distance === undefined || distance === null ? accuracy || '—' : `${Math.round(distance)} m${accuracy}`;
  };
  const show = async (outcome, page) => {
    const log = await session.call(`/activities/${activityId}/scans${query({ outcome, page, page_size: PAGE_SIZE })}`);
    const filter = (value, label) => h('button', { class: `btn ${outcome === value ? 'primary' : 'ghost'}`,
      onclick: () => show(value, 1) }, t(label));
    const outcomeBadge = (code) => (code === 'ok' ? badge(t('scans.ok'), 's-signed_in')
      : badge(errorText({ code, message: code }), 'warn'));
    card.dataset.outcome = outcome || 'all';
    mount(card, h('h3', {}, t('scans.title')),
      h('p', { class: 'counts' }, Object.entries(log.outcomes).map(([code, n]) => [outcomeBadge(code), ` ${n} `])),
      h('div', { class: 'toolbar' }, filter(undefined, 'scans.all'), filter('refused', 'scans.refused')),
      table([['scans.time', (row) => fmtTime(row.server_time)], ['member.name', (row) => row.name || row.member_id],
        ['scans.kind', (row) => t(`scans.${row.kind}`)],
        ['scans.outcome', (row) => [outcomeBadge(row.accepted ? 'ok' : row.reason),
          row.sent_late ? [' ', badge(t('att.sentLate'), 'warn')] : null,
          row.review ? [' ', badge(t(`reviews.${row.review}`), 'warn')] : null,
          ((row.signals && row.signals.items) || []).map((item) => [' ', badge(t(`signal.${item.signal}`), 'warn')])]],
        ['scans.where', where], ['scans.device', (row) => row.device_id], ['scans.ip', (row) => row.client_ip || '—']],
      log.items, t('scans.none')),
      log.total > PAGE_SIZE ? pager(page, PAGE_SIZE, log.total, (next) => show(outcome, next)) : null);
  };
  show(undefined, 1).catch((error) => (error.status === 403 ? card.remove()
    : mount(card, h('h3', {}, t('scans.title')), errorBox(error))));
  return card;
}

function scoreCard(score) {
  if (!score) return empty(t('score.none'));
  const rows = Object.entries(score.weights).map(([key, weight]) => h('tr', {},
    h('td', {}, t(`score.${key}`)), h('td', {}, `${weight}`),
    h('td', {}, score.not_applicable.includes(key) ? t('score.na') : pct(score.indicators[key]))));
  return [h('div', { class: 'big' }, score.total === null ? '—' : fmtNumber(score.total),
    h('small', {}, ' ', t(`score.status.${score.status}`))),
  h('table', { class: 'table compact' }, h('thead', {}, h('tr', {}, h('th', {}, t('score.indicator')),
    h('th', {}, t('score.weight')), h('th', {}, t('score.value')))), h('tbody', {}, rows))];
}

function summaryForm(activityId) {
  const text = h('textarea', { rows: 5, name: 'summary', maxlength: 20000, placeholder: t('activity.summaryHint') });
  const out = h('div', {});
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('activity.submitSummary'));
  return [empty(t('activity.noSummary')), h('form', { class: 'form', onsubmit: async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { text.focus(); return; }
    if (await act(button, out, () => session.call(`/activities/${activityId}/summary`,
      { method: 'POST', body: { text: text.value.trim() } }))) render();
  } }, text, button, out)];
}

function superiorScoreForm(activityId, score) {
  const value = h('input', { type: 'number', min: 0, max: 100, step: 1, name: 'superior_score',
    value: score.indicators.superior_score === null ? '' : Math.round(score.indicators.superior_score * 100) });
  const out = h('div', {});
  const button = h('button', { class: 'btn', type: 'submit' }, t('score.give'));
  return h('form', { class: 'row', onsubmit: async (event) => {
    event.preventDefault();
    if (await act(button, out, () => session.call(`/activities/${activityId}/superior-score`,
      { method: 'POST', body: { score: Number(value.value) } }))) render();
  } }, field('score.superior_score', value, t('score.giveHint')), button, out);
}

// The sign-in code, for whoever may print it (the branch's own admins): the A4 poster, the image, and the rotating
// code for the venue's screen (a page of its own, full screen).
function codeButtons(activityId, out) {
  const poster = h('button', { class: 'btn primary', id: 'print-code', onclick: () => act(poster, out,
    () => download(session, `/activities/${activityId}/qr?format=pdf`, `checkin-${activityId}.pdf`)) },
  t('activity.poster'));
  const png = h('button', { class: 'btn', onclick: () => act(png, out,
    () => download(session, `/activities/${activityId}/qr?format=png`, `checkin-${activityId}.png`)) },
  t('activity.qrPng'));
  const screen = h('a', { class: 'btn', id: 'show-screen', href: `/screen?activity=${activityId}`, target: '_blank',
    rel: 'noopener' }, t('activity.screen'));
  return h('span', { class: 'code-buttons' }, poster, ' ', png, ' ', screen);
}

// A photo or document of the activity uploaded from the desk, for the branch's admins; it joins the gallery and
// waits for review.
function uploadForm(activityId) {
  const file = h('input', { type: 'file', name: 'file', required: true,
    accept: 'image/jpeg,image/png,image/webp,video/mp4,application/pdf' });
  const caption = h('input', { name: 'caption', maxlength: 500 });
  const out = h('div', {});
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('upload.submit'));
  return h('div', { id: 'desk-upload' }, h('form', { class: 'form', onsubmit: async (event) => {
    event.preventDefault();
    if (!file.files.length) { file.focus(); return; }
    const form = new FormData();
    form.append('file', file.files[0]);
    if (caption.value.trim()) form.append('caption', caption.value.trim());
    const sent = await act(button, out, () => session.call(`/activities/${activityId}/media`, { method: 'POST', form }));
    if (sent) render();
  } }, h('h4', {}, t('upload.title')), h('div', { class: 'row' }, field('upload.file', file),
    field('upload.caption', caption), button), out));
}
