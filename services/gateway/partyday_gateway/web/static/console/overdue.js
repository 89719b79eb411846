// The branches whose plan or summary is overdue in the month, each with a way to a rectification notice.
import { query } from '../api.js';
import { t } from '../i18n.js';
import { badge, h, pager, table } from '../ui.js';
import { PAGE_SIZE, orgLabel, orgNode, section, session, state, superiorOf } from './context.js';

export default { title: 'nav.overdue', needs: ['read'], show: viewOverdue };

async function viewOverdue(main, page = '1') {
  const [answer, here] = await Promise.all([session.call(`/orgs/${state.org}/overdue${query({ month: state.month,
    page: Number(page), page_size: PAGE_SIZE })}`), orgNode(state.org)]);
  // A superior of the node reviews every branch below it but their own.
  const rectify = (r) => (superiorOf(here) && r.branch_id !== state.me.org_id
    ? h('a', { href: `#/rectifications/new/${r.branch_id}` }, t('spot.rectify')) : null);
  section(main, 'nav.overdue', table([['plan.branch', (r) => r.name], ['overdue.parent', (r) => orgLabel(r.parent_id)],
    ['overdue.missing', (r) => r.missing.map((m) => badge(t(`overdue.${m}`), 'warn'))],
    ['common.actions', rectify]],
  answer.items, t('overdue.none')),
  answer.total > PAGE_SIZE ? pager(Number(page), PAGE_SIZE, answer.total, (p) => { location.hash = `#/overdue/${p}`; }) : null);
}
