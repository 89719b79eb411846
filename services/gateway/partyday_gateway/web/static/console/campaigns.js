// A monthly campaign opened over the node, with the links members and the public vote at.
import { t } from '../i18n.js';
import { act, field, h, mount, notice } from '../ui.js';
import { orgLabel, section, session, state } from './context.js';

export default { title: 'nav.campaigns', needs: ['run_campaigns'], show: viewCampaigns };

async function viewCampaigns(main) {
  const out = h('div', {});
  const title = h('input', { required: true, maxlength: 200, value: t('campaign.defaultTitle') });
  const votes = h('input', { type: 'number', min: 1, max: 100, value: 3 });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('campaign.open'));
  section(main, 'nav.campaigns', h('form', { class: 'card form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call('/campaigns', { method: 'POST',
      body: { org_id: state.org, month: state.month, title: title.value.trim(), votes_per_voter: Number(votes.value) } }));
    if (made) {
      const member = `${location.origin}/m/vote?campaign=${made.campaign_id}`;
      const everyone = `${location.origin}/vote?campaign=${made.campaign_id}`;
      mount(out, notice(t('campaign.opened', { title: made.title })),
        h('dl', { class: 'facts' }, h('dt', {}, t('campaign.memberLink')), h('dd', {}, h('a', { href: member, target: '_blank' }, member)),
          h('dt', {}, t('campaign.publicLink')), h('dd', {}, h('a', { href: everyone, target: '_blank' }, everyone))));
    }
  } }, h('h3', {}, t('campaign.new'), ' · ', orgLabel(state.org), ' · ', state.month),
  field('campaign.title', title), field('campaign.votes', votes), button, out));
}
