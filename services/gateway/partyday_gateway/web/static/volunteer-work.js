// The member's volunteer work on the phone (/m/volunteer): requests dispatched to them or published to their branch,
// to claim; the work they claimed, each recorded done with a photo and a note.
import { query } from './api.js';
import { t } from './i18n.js';
import { act, badge, empty, errorBox, field, fmtTime, h, loading, mount, notice, pager } from './ui.js';

const PAGE_SIZE = 10;

export async function showVolunteerWork(session, main) {
  const open = h('section', { id: 'volunteer-open' }, loading());
  const mine = h('section', { id: 'volunteer-mine' }, loading());
  mount(main, h('h2', {}, t('vol.memberTitle')), h('h3', {}, t('vol.open')), open, h('h3', {}, t('vol.mine')), mine);
  const redraw = () => showVolunteerWork(session, main);
  await Promise.all([listOpen(session, open, 1, redraw), listMine(session, mine, 1, redraw)]);
}

function summary(r) {
  return [h('strong', {}, r.what), h('p', { class: 'muted small' }, `${r.where} · ${t('vol.wantedBy')} ${fmtTime(r.wanted_by)}`),
    h('p', { class: 'small' }, r.branch_name, ' ', badge(t(`volstate.${r.state}`), `s-${r.state}`),
      r.overdue ? badge(t(`vol.overdue.${r.overdue}`), 'warn') : null)];
}

async function listOpen(session, box, page, redraw) {
  try {
    const answer = await session.call(`/me/volunteer-requests${query({ view: 'open', page, page_size: PAGE_SIZE })}`);
    if (!answer.items.length) return mount(box, empty(t('vol.noOpen')));
    return mount(box, answer.items.map((r) => {
      const out = h('div', { class: 'out' });
      const claim = h('button', { class: 'btn primary block', 'data-claim': r.request_id, onclick: async () => {
        if (await act(claim, out, () => session.call(`/volunteer-requests/${r.request_id}/claim`, { method: 'POST' }))) redraw();
      } }, t('vol.claim'));
      return h('div', { class: 'card', 'data-request': r.request_id }, summary(r), claim, out);
    }), answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listOpen(session, box, p, redraw)) : null);
  } catch (error) {
    return mount(box, errorBox(error));
  }
}

function completeForm(session, r, redraw) {
  const out = h('div', { class: 'out' });
  const file = h('input', { type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/webp', capture: 'environment',
    required: true });
  const note = h('input', { name: 'note', maxlength: 500 });
  const submit = h('button', { class: 'btn primary block', type: 'submit' }, t('vol.complete'));
  return h('form', { class: 'complete-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!file.files.length) { file.focus(); return; }
    const form = new FormData();
    form.append('file', file.files[0]);
    if (note.value.trim()) form.append('note', note.value.trim());
    const answer = await act(submit, out, () => session.call(`/volunteer-requests/${r.request_id}/complete`,
      { method: 'POST', form }));
    if (answer) { mount(out, notice(t('vol.completedNotice'))); redraw(); }
  } }, field('vol.photo', file), field('vol.note', note), submit, out);
}

async function listMine(session, box, page, redraw) {
  try {
    const answer = await session.call(`/me/volunteer-requests${query({ view: 'claimed', page, page_size: PAGE_SIZE })}`);
    if (!answer.items.length) return mount(box, empty(t('vol.noMine')));
    return mount(box, answer.items.map((r) => h('div', { class: 'card', 'data-mine': r.request_id }, summary(r),
      h('p', { class: 'small' }, `${t('vol.resident')}: ${r.resident_name} · `,
        h('a', { href: `tel:${r.resident_phone}` }, r.resident_phone)),
      r.state === 'claimed' ? completeForm(session, r, redraw) : null,
      r.rating ? h('p', {}, `${t('vol.rating')}: ${'★'.repeat(r.rating)}`) : null)),
    answer.total > PAGE_SIZE ? pager(page, PAGE_SIZE, answer.total, (p) => listMine(session, box, p, redraw)) : null);
  } catch (error) {
    return mount(box, errorBox(error));
  }
}
