// Monthly campaigns (我为主题党日打Call): those covering the node and those of its subtree, a page at a time; a
// campaign's voting window, its voting links and its live results; forms to open one, change its title and window
// and close its voting now where the caller may run campaigns.
import { query } from '../api.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, badge, errorBox, field, fmtTime, h, loading, mount, notice, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state } from './context.js';

export default { title: 'nav.campaigns', needs: ['read', 'run_campaigns'], show: viewCampaigns };

async function viewCampaigns(main, campaignId) {
  if (campaignId) return viewCampaign(main, campaignId);
  const node = await orgNode(state.org);
  const list = h('div', { id: 'campaign-list' }, loading());
  section(main, 'nav.campaigns', can(state.me, 'run_campaigns', node) ? openForm(list) : null,
    h('h3', {}, t('campaign.list'), ' · ', orgLabel(state.org)), list);
  await showList(list, 1);
}

async function showList(list, page) {
  let found;
  try {
    found = await session.call(`/campaigns${query({ org_id: state.org, page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    return mount(list, errorBox(error));
  }
  return mount(list, table([
    ['campaign.title', (c) => h('a', { href: `#/campaigns/${c.campaign_id}`, 'data-campaign': c.campaign_id }, c.title)],
    ['eval.organisation', (c) => orgLabel(c.org_id)],
    ['common.month', (c) => c.month],
    ['campaign.window', (c) => [windowBadge(c), h('div', { class: 'muted small' }, fmtTime(c.opens_at), ' – ',
      fmtTime(c.closes_at))]],
    ['campaign.votes', (c) => String(c.votes_per_voter)]], found.items, t('campaign.none')),
  found.total > found.page_size ? pager(page, found.page_size, found.total, (next) => showList(list, next)) : null);
}

function windowBadge(c) {
  const now = Date.now();
  if (now < Date.parse(c.opens_at)) return badge(t('campaign.notOpen'), 's-pending');
  if (now >= Date.parse(c.closes_at)) return badge(t('campaign.closed'), 's-closed');
  return badge(t('campaign.voting'), 's-open');
}

// Times typed in the city's time zone, sent with its offset.
function instant(value) {
  return value ? `${value}:00+08:00` : undefined;
}

function openForm(list) {
  const out = h('div', {});
  const title = h('input', { name: 'title', required: true, maxlength: 200, value: t('campaign.defaultTitle') });
  const votes = h('input', { name: 'votes_per_voter', type: 'number', min: 1, max: 100, value: 3, required: true });
  const opens = h('input', { name: 'opens_at', type: 'datetime-local' });
  const closes = h('input', { name: 'closes_at', type: 'datetime-local' });
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('campaign.open'));
  return h('form', { class: 'card form', id: 'campaign-form', onsubmit: async (event) => {
    event.preventDefault();
    const made = await act(button, out, () => session.call('/campaigns', { method: 'POST', body: {
      org_id: state.org, month: state.month, title: title.value.trim(), votes_per_voter: Number(votes.value),
      opens_at: instant(opens.value), closes_at: instant(closes.value) } }));
    if (made) {
      mount(out, notice(t('campaign.opened', { title: made.title })), links(made));
      await showList(list, 1);
    }
  } }, h('h3', {}, t('campaign.new'), ' · ', orgLabel(state.org), ' · ', state.month),
  field('campaign.title', title), field('campaign.votes', votes),
  h('div', { class: 'row' }, field('campaign.opensAt', opens), field('campaign.closesAt', closes)),
  h('small', { class: 'muted' }, t('campaign.windowHint')), h('div', {}, button), out);
}

function links(c) {
  const member = `${location.origin}/m/vote?campaign=${c.campaign_id}`;
  const everyone = `${location.origin}/vote?campaign=${c.campaign_id}`;
  return h('dl', { class: 'facts links' },
    h('dt', {}, t('campaign.memberLink')), h('dd', {}, h('a', { href: member, target: '_blank' }, member)),
    h('dt', {}, t('campaign.publicLink')), h('dd', {}, h('a', { href: everyone, target: '_blank' }, everyone)));
}

// An instant as the datetime-local inputs show it: in the city's time zone (UTC+8), to the minute.
function local(iso) {
  return new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString().slice(0, 16);
}

function manageForm(found, onDone) {
  const out = h('div', {});
  const title = h('input', { name: 'title', required: true, maxlength: 200, value: found.title });
  const opens = h('input', { name: 'opens_at', type: 'datetime-local', value: local(found.opens_at) });
  const closes = h('input', { name: 'closes_at', type: 'datetime-local', value: local(found.closes_at) });
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('campaign.save'));
  const close = h('button', { class: 'btn danger', type: 'button', id: 'campaign-close' }, t('campaign.closeNow'));
  const changes = () => Object.fromEntries([
    ['title', title.value.trim() !== found.title ? title.value.trim() : undefined],
    ['opens_at', opens.value !== local(found.opens_at) ? instant(opens.value) : undefined],
    ['closes_at', closes.value !== local(found.closes_at) ? instant(closes.value) : undefined],
  ].filter(([, value]) => value !== undefined));
  close.onclick = async () => {
    if (!close.dataset.confirming) {
      close.dataset.confirming = 'yes';
      close.textContent = t('campaign.closeConfirm');
      return;
    }
    const closed = await act(close, out, () => session.call(`/campaigns/${found.campaign_id}/close`,
      { method: 'POST' }));
    if (closed) await onDone();
  };
  const open = Date.now() < Date.parse(found.closes_at);
  const started = Date.now() >= Date.parse(found.opens_at);
  // The rules scoring keeps: the start stays once voting opened, a closed window is never reopened.
  opens.disabled = started;
  closes.disabled = !open;
  return h('form', { class: 'card form', id: 'campaign-manage', onsubmit: async (event) => {
    event.preventDefault();
    const body = changes();
    if (!Object.keys(body).length) return mount(out, notice(t('campaign.unchanged'), 'info'));
    const changed = await act(save, out, () => session.call(`/campaigns/${found.campaign_id}`,
      { method: 'PATCH', body }));
    if (changed) await onDone();
    return changed;
  } }, h('h3', {}, t('campaign.manage')), field('campaign.title', title),
  h('div', { class: 'row' }, field('campaign.opensAtEdit', opens), field('campaign.closesAtEdit', closes)),
  h('small', { class: 'muted' }, t('campaign.manageHint')),
  h('div', { class: 'row' }, save, open && started ? close : null), out);
}

async function viewCampaign(main, campaignId) {
  const results = h('div', { id: 'campaign-results' }, loading());
  const found = await session.call(`/campaigns/${campaignId}`);
  // A reader below the campaign's organisation may not read that node, and runs nothing there.
  const node = await orgNode(found.org_id).catch(() => null);
  const runs = node !== null && can(state.me, 'run_campaigns', node);
  section(main, 'nav.campaigns', h('p', {}, h('a', { href: '#/campaigns' }, '← ', t('campaign.list'))),
    h('div', { class: 'card campaign' }, h('h3', {}, found.title),
      h('dl', { class: 'facts' }, h('dt', {}, t('eval.organisation')), h('dd', {}, orgLabel(found.org_id)),
        h('dt', {}, t('common.month')), h('dd', {}, found.month),
        h('dt', {}, t('campaign.window')), h('dd', {}, windowBadge(found), ' ', fmtTime(found.opens_at), ' – ',
          fmtTime(found.closes_at)),
        h('dt', {}, t('campaign.votes')), h('dd', {}, String(found.votes_per_voter))), links(found)),
    runs ? manageForm(found, () => viewCampaign(main, campaignId)) : null,
    h('h3', {}, t('campaign.results')), results);
  await showResults(results, campaignId, 1);
}

async function showResults(results, campaignId, page) {
  let found;
  try {
    found = await session.call(`/campaigns/${campaignId}/results${query({ page, page_size: PAGE_SIZE })}`);
  } catch (error) {
    return mount(results, errorBox(error));
  }
  const first = (page - 1) * found.page_size;
  return mount(results, h('p', { class: 'total-votes' }, t('campaign.totalVotes', { n: found.total_votes })),
    table([['campaign.rank', (c) => String(first + found.items.indexOf(c) + 1)],
      ['plan.branch', (c) => c.name], ['plan.theme', (c) => c.theme || '—'],
      ['eval.votes', (c) => h('strong', { class: 'votes' }, String(c.votes))]], found.items, t('campaign.noCandidates')),
    found.total > found.page_size
      ? pager(page, found.page_size, found.total, (next) => showResults(results, campaignId, next)) : null);
}
