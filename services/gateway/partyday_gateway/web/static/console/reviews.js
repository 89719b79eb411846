// Claimed and flagged attendance records of the subtree, each with its evidence and signals, accepted or voided
// with a reason by a superior of the branch.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, badge, fmtTime, h, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, section, session, state } from './context.js';

export default { title: 'nav.reviews', needs: ['review_attendance'], show: viewReviews };

async function viewReviews(main) {
  const out = h('div', {});
  const list = h('div', {});
  section(main, 'nav.reviews', h('p', { class: 'hint' }, t('reviews.hint')), out, list);
  await listReviews(list, 1, out);
}

function signalsOf(record) {
  const items = (record.signals && record.signals.items) || [];
  if (!items.length) return record.signals ? '—' : t('reviews.weighing');
  return items.map((item) => h('div', { class: 'signal', title: JSON.stringify(item.evidence) },
    badge(t(`signal.${item.signal}`), 'warn'), ' ', item.weight));
}

function evidenceOf(record) {
  return h('div', { class: 'evidence' },
    h('div', {}, t('reviews.scannedAt'), ': ', fmtTime(record.scanned_at)),
    h('div', {}, t('reviews.receivedAt'), ': ', fmtTime(record.server_time)),
    h('div', {}, t('reviews.position'), `: ${record.lat}, ${record.lon} ±${record.accuracy_m} m`),
    h('div', {}, t('reviews.device'), `: ${record.device_id}`));
}

async function listReviews(list, page, out) {
  const answer = await session.call(`/attendance/reviews${query({ org_id: state.org, page, page_size: PAGE_SIZE })}`);
  // Nobody decides their own branch's records (the route answers OWN_BRANCH): those rows have no buttons.
  const actions = (record) => {
    if (record.branch_id === state.me.org_id) return '—';
    const reason = h('textarea', { rows: 2, 'aria-label': t('reviews.reason'), placeholder: t('reviews.reasonHint') });
    const decide = (decision) => {
      const button = h('button', { class: `btn ${decision === 'accept' ? 'primary' : ''}`, 'data-action': decision,
        onclick: async () => {
          if (!reason.value.trim()) { reason.focus(); return; }
          const done = await act(button, out, () => session.call(`/attendance/reviews/${record.record_id}/${decision}`,
            { method: 'POST', body: { reason: reason.value.trim() } }));
          if (done) { mount(out, notice(t('reviews.decided'))); await listReviews(list, page, out); }
        } }, t(`reviews.${decision}`));
      return button;
    };
    return h('div', { class: 'answer', 'data-record': record.record_id }, reason, decide('accept'), ' ',
      decide('void'));
  };
  mount(list, table([['plan.branch', (r) => orgLabel(r.branch_id)], ['reviews.member', (r) => r.name || r.member_id],
    ['reviews.kind', (r) => badge(t(`reviews.${r.review}`), r.review === 'claimed' ? 'info' : 'warn')],
    ['reviews.evidence', evidenceOf], ['reviews.signals', signalsOf], ['common.actions', actions]],
  answer.items, t('reviews.none')),
  answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listReviews(list, p, out)) : null);
}
