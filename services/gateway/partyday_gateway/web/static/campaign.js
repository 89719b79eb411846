// A campaign's candidates with their photos and live votes, and the vote buttons (members and public voters): the
// voter's votes used and left, a button for each candidate while a vote is left and voting is open.
import { t } from './i18n.js';
import { act, authImage, empty, errorBox, fmtTime, h, mount, notice } from './ui.js';

export async function showCampaign(session, container, campaignId) {
  if (!campaignId) return mount(container, empty(t('vote.noCampaign')));
  const [found, ballot] = await Promise.all([session.call(`/campaigns/${campaignId}/candidates`),
    session.call(`/campaigns/${campaignId}/my-ballot`).catch((error) => ({ error }))]);
  const out = h('div', { class: 'out', id: 'vote-out' });
  const left = h('p', { class: 'votes-left', id: 'votes-left', role: 'status' });
  const buttons = [];
  const voted = new Set(ballot.voted || []);
  const refresh = () => {
    if (ballot.error) {
      mount(left, errorBox(ballot.error));
    } else {
      left.dataset.left = String(ballot.votes_left);
      mount(left, ballot.voting === 'open' ? t('vote.left', { left: ballot.votes_left, n: ballot.votes_per_voter })
        : t(`vote.${ballot.voting}`, { opens: fmtTime(found.opens_at), closes: fmtTime(found.closes_at) }));
    }
    for (const [activityId, button] of buttons) {
      const mine = voted.has(activityId);
      button.disabled = Boolean(ballot.error) || mine || ballot.voting !== 'open' || ballot.votes_left <= 0;
      button.classList.toggle('primary', !button.disabled);
      button.textContent = t(mine ? 'vote.done' : (ballot.votes_left <= 0 && !ballot.error ? 'vote.usedUp' : 'vote.vote'));
    }
  };
  const cards = found.items.map((item) => {
    const count = h('span', { class: 'votes', 'data-votes': item.activity_id }, t('vote.count', { n: item.votes }));
    const button = h('button', { class: 'btn primary', type: 'button', 'data-vote': item.activity_id,
      'aria-label': `${t('vote.vote')}: ${item.name}`, onclick: async () => {
        const answer = await act(button, out, () => session.call(`/campaigns/${campaignId}/votes`,
          { method: 'POST', body: { activity_id: item.activity_id } }));
        if (answer) {
          item.votes += 1;
          count.textContent = t('vote.count', { n: item.votes });
          voted.add(item.activity_id);
          ballot.votes_left = answer.votes_left;
          ballot.votes_used = ballot.votes_per_voter - answer.votes_left;
          mount(out, notice(t('vote.thanks', { left: answer.votes_left })));
        }
        refresh();
      } }, t('vote.vote'));
    buttons.push([item.activity_id, button]);
    return h('article', { class: 'card candidate', 'data-candidate': item.activity_id }, h('h3', {}, item.name),
      h('p', {}, item.theme || '—'),
      item.photos.length ? h('div', { class: 'gallery' }, item.photos.map((photo) =>
        authImage(session, photo.thumbnail_url, photo.caption || ''))) : null,
      h('div', { class: 'row between' }, count, button));
  });
  refresh();
  return mount(container, h('h2', {}, found.title), h('p', { class: 'muted' },
    t('vote.rule', { n: found.votes_per_voter, total: found.total_votes })), left, out,
  cards.length ? cards : empty(t('vote.noCandidates')));
}
