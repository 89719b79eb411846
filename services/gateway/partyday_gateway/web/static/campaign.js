// A campaign's candidates with their photos and live votes, and the vote button (members and public voters).
import { t } from './i18n.js';
import { act, authImage, badge, empty, h, mount, notice } from './ui.js';

export async function showCampaign(session, container, campaignId) {
  if (!campaignId) return mount(container, empty(t('vote.noCampaign')));
  const found = await session.call(`/campaigns/${campaignId}/candidates`);
  const out = h('div', { class: 'out', id: 'vote-out' });
  const cards = found.items.map((item) => {
    const count = h('span', { class: 'votes', 'data-votes': item.activity_id }, t('vote.count', { n: item.votes }));
    const button = h('button', { class: 'btn primary', 'data-vote': item.activity_id, onclick: async () => {
      const voted = await act(button, out, () => session.call(`/campaigns/${campaignId}/votes`,
        { method: 'POST', body: { activity_id: item.activity_id } }));
      if (voted) {
        item.votes += 1;
        count.textContent = t('vote.count', { n: item.votes });
        button.replaceWith(badge(t('vote.done'), 's-approved'));
        mount(out, notice(t('vote.thanks', { left: voted.votes_left })));
      }
    } }, t('vote.vote'));
    return h('article', { class: 'card candidate', 'data-candidate': item.activity_id }, h('h3', {}, item.name),
      h('p', {}, item.theme || '—'),
      item.photos.length ? h('div', { class: 'gallery' }, item.photos.map((photo) =>
        authImage(session, photo.thumbnail_url, photo.caption || ''))) : null,
      h('div', { class: 'row between' }, count, button));
  });
  return mount(container, h('h2', {}, found.title), h('p', { class: 'muted' },
    t('vote.rule', { n: found.votes_per_voter, total: found.total_votes })), out,
  cards.length ? cards : empty(t('vote.noCandidates')));
}
