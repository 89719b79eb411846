// For operations (the city admin): the text messages and e-mails given up after their attempts, newest first, each
// with its last error, and every delivery counted by channel and status (GET /notifications/dead-letters).
import { query } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, fmtTime, h, loading, mount, pager, table } from '../ui.js';
import { PAGE_SIZE, section, session } from './context.js';

export default { title: 'nav.deadLetters', needs: ['create_city'], show: viewDeadLetters };

const STATUSES = ['queued', 'sent', 'failed', 'dead', 'skipped'];

function channelName(channel) {
  return t(`dead.channel.${channel}`);
}

function countsTable(counts) {
  const channels = Object.keys(counts).sort();
  return table([['dead.channel', (channel) => channelName(channel)],
    ...STATUSES.map((status) => [`dead.status.${status}`, (channel) => String(counts[channel][status] || 0)])],
  channels, t('dead.noDeliveries'));
}

async function viewDeadLetters(main, page = '1') {
  const counts = h('div', { class: 'card', id: 'delivery-counts' }, loading());
  const letters = h('div', { id: 'dead-letters' }, loading());
  section(main, 'nav.deadLetters', h('p', { class: 'hint' }, t('dead.hint')),
    h('h3', {}, t('dead.counts')), counts, h('h3', {}, t('dead.letters')), letters);
  let answer;
  try {
    answer = await session.call(`/notifications/dead-letters${query({ page: Number(page), page_size: PAGE_SIZE })}`);
  } catch (error) {
    section(main, 'nav.deadLetters', errorBox(error));
    return;
  }
  mount(counts, countsTable(answer.counts));
  mount(letters, table([['dead.at', (d) => fmtTime(d.created_at)], ['dead.kind', (d) => t(`notify.kind.${d.kind}`)],
    ['dead.channel', (d) => channelName(d.channel)], ['dead.recipient', (d) => h('code', {}, d.recipient_id)],
    ['dead.attempts', (d) => String(d.attempts)],
    ['dead.lastError', (d) => h('span', { class: 'dead-error' }, d.last_error || '—')]],
  answer.items, t('dead.none')),
  answer.total > PAGE_SIZE
    ? pager(Number(page), PAGE_SIZE, answer.total, (p) => { location.hash = `#/dead-letters/${p}`; }) : null);
}
