// A member's month on the phone: the study package of the month's task (texts to read, micro lessons to watch,
// documents to open) with the member's progress on each, reported while they study; their own state at the party day
// (which follows its windows), and the like with its count.
import { query } from './api.js';
import { t } from './i18n.js';
import { progressBadge } from './study-progress.js';
import { act, badge, blobUrl, download, empty, errorBox, fmtTime, h, loading, mount } from './ui.js';

// A lesson's position is reported at most this often while it plays (and when it pauses or ends).
const REPORT_EVERY_MS = 15000;

const ARCHIVED = new Set(['summarized', 'archived']);

export function clock(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit',
    hour12: false });
}

// The month's study materials, each opened in the page: a text unfolds, a micro lesson plays, a document downloads;
// and the member's study notes of the month.
export function studyCard(session, branchId, month) {
  const list = h('div', { class: 'materials' }, loading());
  const card = h('section', { class: 'card', id: 'study', 'aria-labelledby': 'study-title' },
    h('h3', { id: 'study-title' }, t('study.title')), list);
  materialList(session, list, branchId, month);
  card.append(notesSection(session, branchId, month));
  return card;
}

// The materials of a branch's month in `list`, each with the member's progress on it, reported as they study.
export function materialList(session, list, branchId, month) {
  return session.call(`/branches/${branchId}/months/${month}/materials${query({ page_size: 50 })}`)
    .then(async (page) => {
      const states = await myProgress(session, page.items);
      mount(list, page.items.length ? h('ul', { class: 'material-list' }, page.items.map(
        (item) => h('li', { class: 'material', 'data-material': item.material_id, 'data-kind': item.kind },
          materialView(session, item, states[item.material_id])))) : empty(t('study.none')),
      page.total > page.items.length ? h('p', { class: 'muted small' }, t('study.more', { n: page.total })) : null);
    })
    .catch((error) => mount(list, errorBox(error)));
}

async function myProgress(session, items) {
  if (!items.length) return {};
  const ids = items.map((item) => `material_id=${encodeURIComponent(item.material_id)}`).join('&');
  return session.call(`/me/study-progress?${ids}`).catch(() => ({}));
}

// Reports the member's progress on a material and shows it in `state`: any report opens it; a lesson's position;
// `finished` once done. Progress only goes forward on the server, so a report lost or repeated does no harm.
function reporter(session, item, state) {
  return async (body, out) => {
    try {
      const answer = await session.call(`/study-materials/${item.material_id}/progress`, { method: 'POST', body });
      mount(state, progressBadge(answer));
      return answer;
    } catch (error) {
      if (out) mount(out, errorBox(error));
      return null;
    }
  };
}

// The member's study notes of the month (学习心得, one of the branch's six haves): those written so far, and a new one.
function notesSection(session, branchId, month) {
  const mine = h('div', { class: 'notes' }, loading());
  const text = h('textarea', { id: 'note-text', name: 'text', rows: 3, maxlength: 20000, minlength: 10,
    placeholder: t('study.noteHint') });
  const out = h('div', {});
  const send = h('button', { class: 'btn block', type: 'submit' }, t('study.noteSend'));
  const show = () => session.call(`/branches/${branchId}/months/${month}/study-notes${query({ page_size: 50 })}`)
    .then((page) => mount(mine, page.items.length ? h('ul', { class: 'note-list' }, page.items.map((note) =>
      h('li', { 'data-note': note.note_id }, h('p', {}, note.text), h('small', { class: 'muted' }, fmtTime(note.created_at)))))
      : h('p', { class: 'muted small' }, t('study.noNotes'))))
    .catch((error) => mount(mine, errorBox(error)));
  show();
  return h('form', { class: 'notes-form', id: 'study-note', onsubmit: async (event) => {
    event.preventDefault();
    const written = await act(send, out, () => session.call(`/branches/${branchId}/months/${month}/study-notes`,
      { method: 'POST', body: { text: text.value.trim() } }));
    if (written) {
      text.value = '';
      mount(out);
      await show();
    }
  } }, h('h4', {}, t('study.notes')), mine, h('label', { class: 'field', for: 'note-text' },
    h('span', {}, t('study.noteNew'))), text, send, out);
}

function materialView(session, item, progress) {
  const state = h('span', { class: 'my-progress' }, progress ? progressBadge(progress) : null);
  const report = reporter(session, item, state);
  const head = [badge(t(`study.${item.kind}`), item.kind === 'video' ? 'info' : ''), ' ',
    h('strong', {}, item.title),
    item.duration_s ? h('small', { class: 'muted' }, ' ', t('study.minutes', { n: Math.max(1, Math.round(item.duration_s / 60)) })) : null,
    ' ', state];
  const out = h('div', { class: 'out' });
  const finish = h('button', { class: 'btn ghost', type: 'button', 'data-finish': item.material_id,
    onclick: () => report({ finished: true }, out) }, t('studied.markFinished'));
  if (item.kind === 'text') {
    return h('details', { class: 'material-text', ontoggle: (event) => event.target.open && report({}, out) },
      h('summary', {}, head), h('p', { class: 'prose' }, item.text), finish, out);
  }
  const player = h('div', { class: 'player' });
  if (item.kind === 'video') {
    const watch = h('button', { class: 'btn', type: 'button', 'data-watch': item.material_id, onclick: async () => {
      mount(player, loading());
      const url = await act(watch, out, () => blobUrl(session, item.url));
      if (!url) { mount(player); return; }
      watch.remove();
      const video = h('video', { class: 'lesson', controls: true, playsinline: true, preload: 'metadata', src: url,
        'aria-label': item.title });
      followLesson(video, item, report, out);
      mount(player, video);
      video.focus();
      report({}, out);
    } }, t('study.watch'));
    return [h('div', { class: 'row between' }, h('span', {}, head), watch), player, out];
  }
  const open = h('button', { class: 'btn', type: 'button', onclick: () => act(open, out, async () => {
    await download(session, item.url, `${item.title}.${item.format || 'pdf'}`);
    await report({}, out);
  }) }, t('study.open'));
  return [h('div', { class: 'row between' }, h('span', {}, head), h('span', {}, open, ' ', finish)), out];
}

// A playing lesson reports how far it got every REPORT_EVERY_MS, when it pauses, and that it is finished at its end.
function followLesson(video, item, report, out) {
  let last = 0;
  const position = () => Math.min(video.currentTime, item.duration_s || video.duration || video.currentTime);
  video.addEventListener('timeupdate', () => {
    if (Date.now() - last < REPORT_EVERY_MS) return;
    last = Date.now();
    report({ position_s: position() }, out);
  });
  video.addEventListener('pause', () => { if (!video.ended) report({ position_s: position() }, out); });
  video.addEventListener('ended', () => report({ position_s: position(), finished: true }, out));
}

// What the member sees of their own party day, from the activity's windows and their line on its sheet: the scan
// button only while sign-in (or, once signed in, sign-out) is open; otherwise their state.
export function attendanceCard(session, plan) {
  const card = h('section', { class: 'card my-day', id: 'my-day', 'aria-live': 'polite' }, loading());
  Promise.all([session.call(`/activities/${plan.activity_id}`), myLine(session, plan.activity_id)])
    .then(([activity, line]) => showDay(card, plan, activity, line))
    .catch((error) => mount(card, error.status === 404 ? notice404() : errorBox(error)));
  return card;
}

function notice404() {
  return h('p', { class: 'muted' }, t('day.notReady'));
}

async function myLine(session, activityId) {
  const history = await session.call(`/me/attendance${query({ page_size: 20 })}`);
  return history.items.find((row) => row.activity_id === activityId) || null;
}

export function dayState(plan, activity, line, now = Date.now()) {
  const at = (iso) => new Date(iso).getTime();
  const status = line ? line.status : 'expected';
  const over = activity.closed || ARCHIVED.has(plan.status);
  if (status === 'excused') return 'excused';
  if (status === 'signed_in' && !over && now >= at(activity.sign_out_opens) && now <= at(activity.sign_out_closes)) {
    return 'sign_out_open';
  }
  if (status !== 'expected') return status;
  if (over) return 'absent';
  if (now < at(activity.sign_in_opens)) return 'not_open';
  if (now <= at(activity.sign_in_closes)) return 'sign_in_open';
  return 'missed';
}

function showDay(card, plan, activity, line) {
  const state = dayState(plan, activity, line);
  card.dataset.state = state;
  const scan = (label) => h('a', { class: 'btn primary block', href: '/m/scan', id: 'scan-to-sign' }, t(label));
  const times = line && [
    line.signed_in_at ? h('p', { class: 'signed-in-at' }, t('day.signedInAt', { at: clock(line.signed_in_at) })) : null,
    line.signed_out_at ? h('p', { class: 'signed-out-at' }, t('day.signedOutAt', { at: clock(line.signed_out_at) })) : null,
    line.sent_late ? badge(t('att.sentLate'), 'warn') : null,
    line.waiting_for_decision ? badge(t('m.waiting'), 'info') : null];
  const windows = h('p', { class: 'muted small' }, t('day.windows', {
    in: `${clock(activity.sign_in_opens)}–${clock(activity.sign_in_closes)}`,
    out: `${clock(activity.sign_out_opens)}–${clock(activity.sign_out_closes)}` }));
  const headline = {
    sign_in_open: [h('p', {}, t('day.signInOpen', { until: clock(activity.sign_in_closes) })), scan('m.scanToSign')],
    not_open: [h('p', {}, t('day.notOpen', { at: fmtTime(activity.sign_in_opens) }))],
    sign_out_open: [h('p', {}, badge(t('att.signed_in'), 's-signed_in')), scan('day.scanToSignOut')],
    missed: [h('p', {}, badge(t('day.missed'), 's-absent'))],
    excused: [h('p', {}, badge(t('day.excused'), 's-excused'))],
  }[state] || [h('p', {}, badge(t(`att.${state}`), `s-${state}`))];
  mount(card, h('h3', {}, t('day.mine')), headline, times, windows);
}

// The like button: whether I liked the activity and its likes in all; a member likes once.
export function likeButton(session, activityId, out) {
  const button = h('button', { class: 'btn like', id: 'like', type: 'button', 'aria-pressed': 'false' }, t('m.like'));
  const show = (state) => {
    button.setAttribute('aria-pressed', String(state.liked));
    button.dataset.likes = String(state.likes);
    button.disabled = state.liked;
    button.textContent = `${t(state.liked ? 'm.liked' : 'm.like')} · ${state.likes}`;
  };
  button.addEventListener('click', async () => {
    const liked = await act(button, out, () => session.call(`/activities/${activityId}/likes`, { method: 'POST' })
      .catch((error) => {
        if (error.code === 'ALREADY_LIKED') return session.call(`/activities/${activityId}/likes`);
        throw error;
      }));
    if (liked) show(liked);
  });
  session.call(`/activities/${activityId}/likes`).then(show).catch((error) => {
    // Scoring hears of a plan approved a moment ago a little later: the like still works, its count comes after.
    if (error.status !== 404) mount(out, errorBox(error));
  });
  return button;
}
