// The media review queue with duplicate and forgery flags; `mediaCard` draws an upload for the activity page too,
// its thumbnail opening the upload at screen size, with its original to download.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { act, authImage, badge, download, empty, field, fmtTime, h, mount, notice, pager } from '../ui.js';
import { PAGE_SIZE, orgLabel, section, session, state, statusBadge } from './context.js';

export default { title: 'nav.media', needs: ['review', 'spot_check'], show: viewMedia };

export function mediaCard(item, actions) {
  const flags = [statusBadge('media', item.status)];
  if (item.possible_forgery) flags.push(badge(t('media.forgery'), 'danger'));
  for (const duplicate of item.duplicates || []) {
    flags.push(badge(t(duplicate.match === 'exact' ? 'media.duplicateExact' : 'media.duplicateNear'), 'warn'));
    if (duplicate.elsewhere) flags.push(badge(t('media.elsewhere'), 'warn'));
  }
  const evidence = item.evidence || {};
  if (evidence.on_activity_day === false) flags.push(badge(t('media.otherDay'), 'warn'));
  if (evidence.near_venue === false) flags.push(badge(t('media.farFromVenue', { m: evidence.distance_m }), 'warn'));
  return h('figure', { class: 'media-card', 'data-media': item.media_id },
    item.thumbnail_url ? h('button', { class: 'thumb-open', type: 'button', 'aria-label': t('media.enlarge'),
      onclick: () => showLarge(item) }, authImage(session, item.thumbnail_url, item.caption || ''))
      : h('div', { class: 'thumb file' }, item.format),
    h('figcaption', {}, h('div', {}, item.caption || item.original_name || '—'),
      item.action ? h('div', { class: 'muted small' }, item.action) : null,
      h('div', { class: 'flags' }, flags),
      evidence.taken_at ? h('div', { class: 'muted small' }, t('media.takenAt', { at: fmtTime(evidence.taken_at) })) : null,
      item.reject_reason ? h('div', { class: 'comment' }, item.reject_reason) : null,
      originalLink(item), actions || null));
}

function originalLink(item) {
  const out = h('span', {});
  const button = h('button', { class: 'btn link small', type: 'button', 'data-original': item.media_id,
    onclick: () => act(button, out, () => download(session, `/media/${item.media_id}`,
      item.original_name || item.media_id)) }, t('media.original'));
  return h('div', {}, button, out);
}

// An upload at screen size, over the page (Escape or the close button closes it).
function showLarge(item) {
  const close = h('button', { class: 'btn ghost', type: 'button', onclick: () => dialog.close() }, t('media.close'));
  const dialog = h('dialog', { class: 'media-large', 'aria-label': item.caption || t('media.enlarge') },
    authImage(session, `/media/${item.media_id}/web`, item.caption || ''),
    h('p', {}, item.caption || item.original_name || ''), close);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

async function viewMedia(main, status = 'pending', page = '1') {
  const filter = h('select', { onchange: (event) => { location.hash = `#/media/${event.target.value}`; } },
    ['pending', 'approved', 'rejected'].map((s) => h('option', { value: s, selected: s === status }, t(`media.${s}`))));
  const out = h('div', {});
  const answer = await session.call(`/media${query({ org_id: state.org, status, page: Number(page), page_size: PAGE_SIZE })}`);
  const cards = answer.items.map((item) => reviewCard(item, out));
  section(main, 'nav.media', h('div', { class: 'toolbar' }, field('media.status', filter)), out,
    cards.length ? h('div', { class: 'gallery wide' }, cards) : empty(t('media.empty')),
    answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total,
      (p) => { location.hash = `#/media/${status}/${p}`; }) : null);
}

function reviewCard(item, out) {
  if (item.status !== 'pending') {
    return mediaCard(item, h('a', { href: `#/activity/${item.activity_id}` }, t('media.activity')));
  }
  const reason = h('input', { placeholder: t('media.reasonHint'), 'aria-label': t('media.reason') });
  const approve = h('button', { class: 'btn primary', 'data-action': 'approve', onclick: async () => {
    const updated = await act(approve, out, () => session.call(`/media/${item.media_id}/approve`, { method: 'POST' }));
    if (updated) card.replaceWith(reviewCard(updated, out));
  } }, t('media.approve'));
  const reject = h('button', { class: 'btn', 'data-action': 'reject', onclick: async () => {
    if (!reason.value.trim()) { reason.focus(); mount(out, notice(t('media.reasonNeeded'), 'warn')); return; }
    const updated = await act(reject, out, () => session.call(`/media/${item.media_id}/reject`,
      { method: 'POST', body: { reason: reason.value.trim() } }));
    if (updated) card.replaceWith(reviewCard(updated, out));
  } }, t('media.reject'));
  const card = mediaCard(item, h('div', { class: 'review' }, orgLabel(item.branch_id), ' · ',
    h('a', { href: `#/activity/${item.activity_id}` }, t('media.activity')), h('div', { class: 'row' }, approve, reason, reject)));
  return card;
}
