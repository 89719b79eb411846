// The member pages, phone first: the month (plan, study, my state, likes, comments), scanning, sign-in and sign-out,
// my history, absences and comments, the inbox, voting.
import { loginForm, passwordForm } from './account.js';
import { query, Session } from './api.js';
import { showCampaign } from './campaign.js';
import { can } from './capabilities.js';
import { registerDeviceKey, signScan } from './device-key.js';
import { showInbox, unreadBadge } from './inbox.js';
import { showVolunteerWork } from './volunteer-work.js';
import { applyI18n, t } from './i18n.js';
import { birthdaysCard } from './birthdays.js';
import { makeupCard, secretaryStudyCards } from './makeup.js';
import { attendanceCard, likeButton, studyCard } from './month.js';
import { showMyQuizzes, takeQuiz } from './quiz-take.js';
import {
  act, badge, empty, errorBox, field, fmtTime, h, langSwitch, loading, mount, notice, pager, showAbsences,
  thisMonth,
} from './ui.js';

const session = new Session('partyday.session');
const QUEUE_KEY = 'partyday.offline-scans';
const DEVICE_KEY = 'partyday.device';
const PAGE_SIZE = 20;
const ABSENCE_SPAN = 100;
const MISSED = new Set(['absent', 'no_sign_out']);
const app = document.getElementById('app');
const params = new URLSearchParams(location.search);
const route = location.pathname.replace(/^\/m\/?/, '').replace(/\/$/, '') || 'home';
let me = null;

const VIEWS = {
  home: viewHome, scan: viewScan, checkin: viewCheckin, history: viewHistory, vote: viewVote, inbox: viewInbox,
  password: viewPassword, quizzes: (main) => showMyQuizzes(session, main),
  quiz: (main) => takeQuiz(session, main, params.get('quiz'), params.get('attempt')),
  volunteer: (main) => showVolunteerWork(session, main),
};
const TABS = [['home', 'm.tab.home'], ['scan', 'm.tab.scan'], ['quizzes', 'm.tab.quizzes'], ['inbox', 'm.tab.inbox'],
  ['history', 'm.tab.history'], ['volunteer', 'm.tab.volunteer']];

function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) { id = crypto.randomUUID(); localStorage.setItem(DEVICE_KEY, id); }
  return id;
}

async function start() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('m.title');
  if (!session.loggedIn) return showLogin();
  try {
    me = await session.call('/me');
  } catch (error) {
    if (error.offline && VIEWS[route] === viewCheckin) return render();
    return showLogin(error);
  }
  if (me.password_change_required) return showPasswordChange();
  await registerDeviceKey(session, me.member_id, deviceId());
  return render();
}

function showLogin(error) {
  const { element, out } = loginForm(session, { title: t('m.title'), hint: t('login.memberHint'), onLoggedIn: start,
    block: true });
  if (error && error.status !== 401) mount(out, errorBox(error));
  mount(app, h('div', { class: 'phone login-page' }, h('div', { class: 'login-top' }, langSwitch(start)), element));
}

// Before anything else, a member whose password someone else chose (a roster's, an admin's reset) sets their own.
function showPasswordChange() {
  mount(app, h('div', { class: 'phone login-page' }, h('div', { class: 'login-top' }, langSwitch(start),
    h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); showLogin(); } },
      t('common.logout'))),
  passwordForm(session, { required: true, onDone: start })));
}

function render() {
  const main = h('main', { class: 'phone-content', id: 'view' });
  const queued = queue().length;
  mount(app, h('header', { class: 'topbar phone-bar' }, h('a', { class: 'brand', href: '/m' }, h('span', { class: 'logo' }, '党'),
    t('m.title')), langSwitch(render),
  h('a', { class: 'btn ghost', href: '/m/password', id: 'change-password' }, t('password.change')),
  h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); showLogin(); } }, t('common.logout'))),
  queued ? h('div', { class: 'alert warn', id: 'queue-banner' }, t('m.queued', { n: queued })) : null,
  main, h('nav', { class: 'tabbar' }, TABS.map(([key, label]) => h('a', {
    href: key === 'home' ? '/m' : `/m/${key}`, class: key === route ? 'active' : '' }, t(label),
  key === 'inbox' ? unreadBadge(session) : null))));
  mount(main, loading());
  (VIEWS[route] || viewHome)(main).catch((error) => mount(main, errorBox(error)));
}

// Changing one's own password.
async function viewPassword(main) {
  mount(main, passwordForm(session, { onDone: async () => {} }));
}

// The month: the published plan of the member's branch, its study materials, the member's own state at the party
// day, leave, likes and comments.
async function viewHome(main) {
  const month = thisMonth();
  const [branchMonth, absences] = await Promise.all([session.call(`/me/plan${query({ month })}`), absenceCards()]);
  const plan = branchMonth.plan;
  const study = me.org_id ? studyCard(session, me.org_id, month) : null;
  // The branch's secretary sees the month's political birthdays and marks them celebrated on the plan.
  const secretary = me.org_id && me.roles.some((grant) => grant.role === 'branch_admin' && grant.org_id === me.org_id);
  const birthdays = secretary ? birthdaysCard(session, me.org_id, month, plan, true) : null;
  const makeups = [makeupCard(session, true), secretaryCards(branchMonth.directives || [])];
  if (!plan || !plan.activity_id) {
    return mount(main, h('h2', {}, t('m.today')), empty(t('m.noActivity')),
      h('p', { class: 'muted' }, t('m.planDue', { at: fmtTime(branchMonth.plan_due) })), birthdays, study, makeups,
      absences, meetingsCard(month));
  }
  const id = plan.activity_id;
  const leave = await leaveCard(id, plan.starts_at);
  const out = h('div', { class: 'out' });
  const like = likeButton(session, id, out);
  const comments = h('div', { class: 'comments' });
  const text = h('textarea', { rows: 2, maxlength: 1000, id: 'comment-text', placeholder: t('m.commentHint') });
  const send = h('button', { class: 'btn primary', type: 'button', onclick: async () => {
    if (!text.value.trim()) { text.focus(); return; }
    if (await act(send, out, () => session.call(`/activities/${id}/comments`, { method: 'POST', body: { text: text.value.trim() } }))) {
      text.value = '';
      mount(out, notice(t('m.commented')));
      await listComments(comments, id);
    }
  } }, t('m.send'));
  mount(main, h('h2', {}, t('m.today')),
    h('article', { class: 'card activity', 'data-activity': id }, h('h3', {}, plan.theme), badge(t(`plan.${plan.status}`), `s-${plan.status}`),
      h('dl', { class: 'facts' }, h('dt', {}, t('plan.when')), h('dd', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at)),
        h('dt', {}, t('plan.venue')), h('dd', {}, plan.venue.name),
        h('dt', {}, t('directives.required')), h('dd', {}, plan.required_actions.join('、') || '—'),
        plan.optional_actions.length ? [h('dt', {}, t('plan.optional')), h('dd', {}, plan.optional_actions.join('、'))] : null)),
    attendanceCard(session, plan), leave, birthdays, study, makeups, absences,
    h('section', { class: 'card', id: 'engage' }, h('div', { class: 'row between' }, h('h3', {}, t('m.comments')), like), comments,
      h('label', { class: 'field', for: 'comment-text' }, h('span', {}, t('m.comment'))), text, send, out),
    can(me, 'manage_plans') ? uploadCard(id) : null, meetingsCard(month));
  return listComments(comments, id);
}

// Until the party day starts, a member who cannot come asks for leave (请假); then they see the branch's answer.
async function leaveCard(activityId, startsAt) {
  const card = h('section', { class: 'card', id: 'leave' });
  const show = async () => {
    const requests = await session.call(`/activities/${activityId}/leave-requests${query({ mine: true })}`);
    const [mine] = requests.items;
    if (mine) {
      return mount(card, h('h3', {}, t('leave.mine')),
        h('p', {}, badge(t(`leave.${mine.status}`), `s-${mine.status}`), ' ', mine.reason));
    }
    if (Date.now() >= new Date(startsAt).getTime()) return null;
    const reason = h('textarea', { rows: 2, maxlength: 1000, name: 'leave-reason', placeholder: t('leave.askHint'),
      'aria-label': t('leave.reason') });
    const out = h('div', { class: 'out' });
    const button = h('button', { class: 'btn block', id: 'ask-leave', onclick: async () => {
      if (!reason.value.trim()) { reason.focus(); return; }
      const asked = await act(button, out, () => session.call(`/activities/${activityId}/leave-requests`,
        { method: 'POST', body: { reason: reason.value.trim() } }));
      if (asked) await show();
    } }, t('leave.ask'));
    return mount(card, h('h3', {}, t('leave.ask')), reason, button, out);
  };
  try {
    return (await show()) && card;
  } catch (error) {
    // Attendance may not have opened the sheet of a plan approved a moment ago: nothing to ask leave from yet.
    return error.status === 404 ? null : mount(card, errorBox(error));
  }
}

// A branch secretary sees, on their phone, who of the branch studied the month's directives and whose make-up study
// is overdue.
function secretaryCards(directives) {
  const branches = new Set(me.roles.filter((grant) => grant.role === 'branch_admin').map((grant) => grant.org_id));
  return [...branches].map((branch) => secretaryStudyCards(session, branch, directives));
}

// A branch secretary sees, on their phone, the members of their branch who missed party days in a row, if any.
async function absenceCards() {
  const branches = new Set(me.roles.filter((grant) => grant.role === 'branch_admin').map((grant) => grant.org_id));
  return Promise.all([...branches].map((branch) => {
    const box = h('div', {});
    return showAbsences(session, box, branch, 1, true).catch((error) => mount(box, errorBox(error)));
  }));
}

async function listComments(container, activityId) {
  const page = await session.call(`/activities/${activityId}/comments${query({ page_size: 50 })}`);
  mount(container, page.items.length ? h('ul', { class: 'comment-list' }, page.items.map((c) =>
    h('li', { 'data-comment': c.comment_id }, h('strong', {}, c.member_id === me.member_id ? t('m.me') : t('m.member')),
      ' ', h('span', {}, c.text), h('small', { class: 'muted' }, ' ', fmtTime(c.created_at)),
      c.member_id === me.member_id ? null : reportControl(c.comment_id)))) : empty(t('m.noComments')));
}

// Reporting another member's comment (举报), with an optional reason: enough reports hide it for a moderator.
function reportControl(commentId) {
  const holder = h('span', { class: 'report' });
  const open = h('button', { class: 'btn link small', type: 'button', 'data-report': commentId, onclick: () => {
    const reason = h('input', { name: 'reason', maxlength: 500, 'aria-label': t('m.reportReason'),
      placeholder: t('m.reportReason') });
    const out = h('div', {});
    const send = h('button', { class: 'btn small', type: 'submit' }, t('m.reportSend'));
    mount(holder, h('form', { class: 'row', onsubmit: async (event) => {
      event.preventDefault();
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      const sent = await act(send, out, () => session.call(`/comments/${commentId}/reports`, { method: 'POST', body }));
      if (sent) mount(holder, h('small', { class: 'muted', role: 'status' }, ' ', t('m.reported')));
    } }, reason, send, h('button', { class: 'btn link small', type: 'button', onclick: () => mount(holder, open) },
      t('m.reportCancel')), out));
    reason.focus();
  } }, t('m.report'));
  return mount(holder, open);
}

function uploadCard(activityId) {
  const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', name: 'file', required: true });
  const caption = h('input', { name: 'caption', maxlength: 500 });
  const out = h('div', { class: 'out', id: 'upload-out' });
  const button = h('button', { class: 'btn primary block', type: 'submit' }, t('m.upload'));
  return h('form', { class: 'card', id: 'upload', onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append('file', file.files[0]);
    if (caption.value.trim()) form.append('caption', caption.value.trim());
    const sent = await act(button, out, () => session.call(`/activities/${activityId}/media`, { method: 'POST', form }));
    if (sent) {
      mount(out, notice(t('m.uploaded')), sent.possible_forgery ? h('div', { class: 'alert warn' }, t('media.forgery')) : null,
        sent.duplicates.length ? h('div', { class: 'alert warn' }, t('m.duplicate')) : null);
      event.target.reset();
    }
  } }, h('h3', {}, t('m.photos')), field('m.photo', file), field('m.caption', caption), button, out);
}

const MEETING_KINDS = ['members_meeting', 'branch_committee', 'group_meeting', 'party_lecture'];

// 三会一课 on the secretary's phone: the branch's other meetings of the month, and one planned here (its kind, theme,
// times and where the phone is as the venue) and submitted: published at once unless the organisation requires
// approval. Only for who manages the branch's plans.
function meetingsCard(month) {
  if (!me.org_id || !can(me, 'manage_plans')) return null;
  const list = h('div', { id: 'm-meetings-list' }, loading());
  const out = h('div', { class: 'out' });
  const kind = h('select', { name: 'kind', id: 'm-meeting-kind' },
    MEETING_KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const theme = h('input', { name: 'theme', required: true, maxlength: 200 });
  const starts = h('input', { name: 'starts_at', type: 'datetime-local', required: true });
  const ends = h('input', { name: 'ends_at', type: 'datetime-local', required: true });
  const venue = h('input', { name: 'venue', required: true, maxlength: 200 });
  const lat = h('input', { name: 'lat', type: 'number', step: 'any', min: -90, max: 90, required: true });
  const lon = h('input', { name: 'lon', type: 'number', step: 'any', min: -180, max: 180, required: true });
  const here = h('button', { class: 'btn', type: 'button', onclick: () => {
    if (!navigator.geolocation) return mount(out, errorBox({ code: 'GEO_UNAVAILABLE' }));
    return navigator.geolocation.getCurrentPosition((found) => {
      lat.value = found.coords.latitude.toFixed(6);
      lon.value = found.coords.longitude.toFixed(6);
    }, () => mount(out, errorBox({ code: 'GEO_UNAVAILABLE' })), { enableHighAccuracy: true, timeout: 15000 });
  } }, t('draft.here'));
  const show = async () => {
    try {
      const answer = await session.call(`/plans${query({ org_id: me.org_id, month, page_size: 50 })}`);
      const meetings = answer.items.filter((plan) => plan.kind !== 'theme_day');
      mount(list, meetings.length ? h('ul', { class: 'list' }, meetings.map((plan) => h('li', { 'data-plan': plan.plan_id },
        badge(t(`kind.${plan.kind}`), 'info'), ' ', plan.theme, ' ', badge(t(`plan.${plan.status}`), `s-${plan.status}`),
        h('div', { class: 'muted small' }, fmtTime(plan.starts_at)),
        plan.kind === 'members_meeting' && plan.activity_id ? decisionsBlock(plan.activity_id) : null)))
        : empty(t('meetings.none')));
    } catch (error) {
      mount(list, errorBox(error));
    }
  };
  const submit = h('button', { class: 'btn primary block', type: 'submit' }, t('meetings.submit'));
  const form = h('form', { class: 'form', id: 'm-meeting-form', onsubmit: async (event) => {
    event.preventDefault();
    const drafted = await act(submit, out, () => session.call('/plans', { method: 'POST', body: {
      branch_id: me.org_id, month, kind: kind.value, theme: theme.value.trim(),
      starts_at: new Date(starts.value).toISOString(), ends_at: new Date(ends.value).toISOString(),
      venue: { name: venue.value.trim(), lat: Number(lat.value), lon: Number(lon.value) } } }));
    if (drafted && await act(submit, out, () => session.call(`/plans/${drafted.plan_id}/submit`, { method: 'POST' }))) {
      mount(out, notice(t('m.meetingPlanned')));
      event.target.reset();
      await show();
    }
  } }, field('meetings.kind', kind), field('plan.theme', theme), field('draft.starts', starts), field('draft.ends', ends),
  field('venue.name', venue), h('div', { class: 'row' }, field('draft.lat', lat), field('draft.lon', lon)), here,
  h('p', { class: 'muted small' }, t('meetings.approvalHint')), submit, out);
  show();
  return h('section', { class: 'card', id: 'm-meetings' }, h('h3', {}, t('m.meetings')), list,
    h('details', {}, h('summary', {}, t('meetings.new')), form));
}

// A members' meeting's decisions on the secretary's phone: each one's result (双过半), and a vote recorded.
function decisionsBlock(activityId) {
  const results = h('ul', { class: 'list decisions' });
  const out = h('div', { class: 'out' });
  const show = async () => {
    try {
      const answer = await session.call(`/activities/${activityId}/decisions?page_size=50`);
      mount(results, h('li', { class: 'muted small' }, t('decisions.rule', { expected: answer.expected, present: answer.present })),
        answer.items.map((d) => h('li', {}, d.title, ' ', badge(t(d.passed ? 'decisions.passed' : 'decisions.failed'),
          d.passed ? 's-approved' : 's-returned'), h('div', { class: 'muted small' },
          t('decisions.count', { f: d.in_favour, a: d.against, s: d.abstaining }), ' · ', `${d.present}/${d.expected}`))));
    } catch (error) {
      mount(results, errorBox(error));
    }
  };
  const number = (name) => h('input', { name, type: 'number', min: 0, value: 0, required: true });
  const title = h('input', { name: 'decision-title', required: true, maxlength: 500 });
  const favour = number('in_favour');
  const against = number('against');
  const abstaining = number('abstaining');
  const record = h('button', { class: 'btn primary block', type: 'submit' }, t('decisions.record'));
  const form = h('form', { class: 'form m-decision-form', onsubmit: async (event) => {
    event.preventDefault();
    const saved = await act(record, out, () => session.call(`/activities/${activityId}/decisions`, { method: 'POST',
      body: { title: title.value.trim(), in_favour: Number(favour.value), against: Number(against.value),
        abstaining: Number(abstaining.value) } }));
    if (saved) {
      mount(out, notice(t(saved.passed ? 'decisions.passedNote' : 'decisions.failedNote', { title: saved.title })));
      await show();
    }
  } }, field('decisions.subject', title), h('div', { class: 'row' }, field('decisions.inFavour', favour),
    field('decisions.against', against), field('decisions.abstaining', abstaining)), record, out);
  show();
  return h('details', { class: 'm-decisions' }, h('summary', {}, t('decisions.title')), results, form);
}

// Scanning: the camera with BarcodeDetector where the browser has it; the code's URL opens /m/checkin.
async function viewScan(main) {
  const out = h('div', { class: 'out' });
  const manual = h('input', { placeholder: t('m.pasteHint'), 'aria-label': t('m.pasteHint') });
  const open = (text) => {
    let url;
    try { url = new URL(text, location.origin); } catch { url = null; }
    const activity = url?.searchParams.get('activity');
    const token = url?.searchParams.get('token');
    if (!activity || !token) { mount(out, notice(t('m.notOurCode'), 'warn')); return; }
    location.href = `/m/checkin${query({ activity, token })}`;
  };
  const video = h('video', { class: 'camera', playsinline: true, muted: true });
  mount(main, h('h2', {}, t('m.tab.scan')), h('div', { class: 'card' }, video, out,
    h('p', { class: 'muted' }, t('m.scanFallback')), h('div', { class: 'row' }, manual,
      h('button', { class: 'btn', onclick: () => open(manual.value.trim()) }, t('m.open')))));
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) {
    video.remove();
    return mount(out, notice(t('m.noScanner'), 'warn'));
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    await video.play();
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const tick = async () => {
      if (!video.isConnected) { stream.getTracks().forEach((track) => track.stop()); return; }
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) { stream.getTracks().forEach((track) => track.stop()); open(codes[0].rawValue); return; }
      requestAnimationFrame(tick);
    };
    tick();
  } catch {
    video.remove();
    mount(out, notice(t('m.noCamera'), 'warn'));
  }
  return undefined;
}

function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(Object.assign(new Error('no geolocation'), { code: 'GEO_UNAVAILABLE' })); return; }
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ lat: found.coords.latitude, lon: found.coords.longitude, accuracy_m: found.coords.accuracy,
        fix_at: new Date(found.timestamp).toISOString() }),
      (failure) => reject(Object.assign(new Error(failure.message),
        { code: failure.code === 1 ? 'GEO_DENIED' : 'GEO_UNAVAILABLE' })),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
}

// The page a sign-in QR code opens: /m/checkin?activity=<id>&token=<token>.
async function viewCheckin(main) {
  const activityId = params.get('activity');
  const token = params.get('token');
  if (!activityId || !token) return mount(main, empty(t('m.notOurCode')));
  const out = h('div', { class: 'out', id: 'scan-out' });
  const info = h('div', {});
  const reflection = h('textarea', { rows: 4, maxlength: 5000, id: 'reflection', placeholder: t('m.reflectionHint'),
    'aria-label': t('m.reflection') });
  const scan = async (kind, button) => {
    if (kind === 'sign_out' && reflection.value.trim().length < 10) {
      mount(out, errorBox({ code: 'REFLECTION_REQUIRED', message: t('m.reflectionHint') }));
      reflection.focus();
      return;
    }
    mount(out, h('div', { class: 'loading' }, t('m.locating')));
    await act(button, out, async () => {
      let where;
      try {
        where = await position();
      } catch (failure) {
        mount(out, errorBox({ code: failure.code, message: failure.message }));
        return;
      }
      const evidence = { token, ...where, device_id: deviceId(), nonce: crypto.randomUUID().replace(/-/g, '') };
      if (kind === 'sign_out') evidence.reflection = reflection.value.trim();
      const path = `/activities/${activityId}/${kind === 'sign_in' ? 'check-in' : 'check-out'}`;
      try {
        const answer = await session.call(path, { method: 'POST', body: evidence });
        mount(out, h('div', { class: 'alert ok big-result', role: 'status', 'data-status': answer.status },
          h('strong', {}, t(`att.${answer.status}`)), ' ', fmtTime(answer.at)));
      } catch (error) {
        if (!error.offline) throw error;
        enqueue(await signScan({ ...evidence, activity_id: activityId, kind, scanned_at: new Date().toISOString() }));
        mount(out, h('div', { class: 'alert warn', 'data-status': 'queued' }, t('m.savedOffline')));
      }
    });
  };
  const signIn = h('button', { class: 'btn primary block', id: 'sign-in', onclick: () => scan('sign_in', signIn) }, t('m.signIn'));
  const signOut = h('button', { class: 'btn block', id: 'sign-out', onclick: () => scan('sign_out', signOut) }, t('m.signOut'));
  mount(main, h('h2', {}, t('m.checkin')), info, h('div', { class: 'card' }, signIn, h('p', { class: 'muted small' }, t('m.geoNote')),
    h('hr', {}), field('m.reflection', reflection), signOut), out);
  try {
    const activity = await session.call(`/activities/${activityId}`);
    mount(info, h('article', { class: 'card' }, h('h3', {}, activity.plan.theme),
      h('dl', { class: 'facts' }, h('dt', {}, t('plan.when')), h('dd', {}, fmtTime(activity.plan.starts_at), ' – ', fmtTime(activity.plan.ends_at)),
        h('dt', {}, t('plan.venue')), h('dd', {}, activity.plan.venue.name))));
  } catch (error) {
    mount(info, error.offline ? notice(t('m.offlineInfo'), 'warn') : errorBox(error));
  }
  return undefined;
}

// My party days: every sheet I was on, my absences among them, and my comments with their moderation state.
async function viewHistory(main) {
  const days = h('section', { class: 'card', id: 'my-history' }, loading());
  const absences = h('section', { class: 'card', id: 'my-absences' }, loading());
  const comments = h('section', { class: 'card', id: 'my-comments' }, loading());
  mount(main, h('h2', {}, t('m.tab.history')), days, makeupCard(session), absences, comments);
  await Promise.all([
    showHistory(days, 1).catch((error) => mount(days, errorBox(error))),
    showAbsent(absences).catch((error) => mount(absences, errorBox(error))),
    showMyComments(comments, 1).catch((error) => mount(comments, errorBox(error))),
  ]);
}

async function showHistory(card, page) {
  const history = await session.call(`/me/attendance${query({ page, page_size: PAGE_SIZE })}`);
  mount(card, h('h3', {}, t('m.historyTitle')), history.items.length ? h('ul', { class: 'plain-list history-list' },
    history.items.map((r) => h('li', { 'data-activity': r.activity_id },
      h('div', { class: 'row between' }, h('strong', {}, r.theme), badge(t(`att.${r.status}`), `s-${r.status}`)),
      h('small', { class: 'muted' }, fmtTime(r.starts_at), ' · ', r.venue_name),
      r.guest ? [' ', badge(t('activity.guest'), 'info')] : null,
      r.sent_late ? [' ', badge(t('att.sentLate'), 'warn')] : null,
      r.waiting_for_decision ? [' ', badge(t('m.waiting'), 'info')] : null,
      r.signed_in_at || r.signed_out_at ? h('p', { class: 'small' }, `${t('att.in')} ${fmtTime(r.signed_in_at)}`,
        ' · ', `${t('att.out')} ${fmtTime(r.signed_out_at)}`) : null)))
    : empty(t('m.noHistory')),
  history.total > PAGE_SIZE ? pager(page, PAGE_SIZE, history.total, (p) => showHistory(card, p)) : null);
}

// Absences are counted over the newest ABSENCE_SPAN party days (years of them, a branch meeting once a month).
async function showAbsent(card) {
  const history = await session.call(`/me/attendance${query({ page_size: ABSENCE_SPAN })}`);
  const missed = history.items.filter((row) => MISSED.has(row.status));
  const excused = history.items.filter((row) => row.status === 'excused').length;
  mount(card, h('h3', {}, t('m.absencesTitle')),
    h('p', { class: 'absence-summary' }, t('m.absenceSummary', { absent: missed.length, excused, total: history.items.length })),
    missed.length ? h('ul', { class: 'plain-list' }, missed.map((row) => h('li', { 'data-absent': row.activity_id },
      badge(t(`att.${row.status}`), `s-${row.status}`), ' ', row.theme, ' ', h('small', { class: 'muted' }, fmtTime(row.starts_at)))))
      : empty(t('m.noAbsences')));
}

async function showMyComments(card, page) {
  const mine = await session.call(`/me/comments${query({ page, page_size: PAGE_SIZE })}`);
  mount(card, h('h3', {}, t('m.myComments')), mine.items.length ? h('ul', { class: 'comment-list' }, mine.items.map((c) =>
    h('li', { 'data-comment': c.comment_id, 'data-status': c.status }, badge(t(`comment.${c.status}`), `s-comment-${c.status}`), ' ',
      h('span', {}, c.text), h('small', { class: 'muted' }, ' ', fmtTime(c.created_at)),
      c.status === 'visible' ? null : h('p', { class: 'muted small' }, t(`comment.${c.status}Hint`)))))
    : empty(t('m.noMyComments')),
  mine.total > PAGE_SIZE ? pager(page, PAGE_SIZE, mine.total, (p) => showMyComments(card, p)) : null);
}

async function viewInbox(main) {
  await showInbox(session, main);
}

async function viewVote(main) {
  await showCampaign(session, main, params.get('campaign'));
}

// Offline scans: kept in localStorage, sent as one batch when the network is back.
function queue() {
  try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch { return []; }
}

function enqueue(scan) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify([...queue(), scan]));
}

async function flush() {
  const pending = queue();
  if (!pending.length || !navigator.onLine || !session.loggedIn) return;
  let results;
  try {
    results = await session.call('/attendance/offline-batch', { method: 'POST', body: pending });
  } catch (error) {
    if (!error.offline && error.status !== 401) {
      localStorage.removeItem(QUEUE_KEY);
      showFlushed([errorBox(error)]);
    }
    return;
  }
  localStorage.removeItem(QUEUE_KEY);
  showFlushed(results.map((result) => {
    if (result.error) return errorBox({ code: result.error.code, message: result.error.message });
    if (result.status === 'claimed') {
      return h('div', { class: 'alert warn', 'data-status': 'claimed' }, t('m.claimed', { at: fmtTime(result.at) }));
    }
    return h('div', { class: 'alert ok', 'data-status': result.status },
      t('m.sentLate', { status: t(`att.${result.status}`), at: fmtTime(result.at) }));
  }));
}

function showFlushed(lines) {
  document.getElementById('queue-banner')?.remove();
  const main = document.getElementById('view');
  if (main) main.prepend(h('section', { class: 'card', id: 'flushed' }, h('h3', {}, t('m.flushed')), lines));
}

window.addEventListener('online', flush);
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js').catch(() => { /* the pages work without it, online only */ });
}
applyI18n(document);
start().then(flush);
