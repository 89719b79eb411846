// The branch's plan for the month: drafted, changed while draft or returned, and submitted for review.
import { birthdaysCard } from '../birthdays.js';
import { can } from '../capabilities.js';
import { t } from '../i18n.js';
import { act, badge, empty, errorBox, field, fmtTime, h, mount, notice } from '../ui.js';
import { render, section, session, state, statusBadge } from './context.js';
import { venueDrawing } from './venue-map.js';

export default { title: 'nav.plan', needs: ['manage_plans'], show: viewPlanDraft };

// Times typed in the organisation's time zone (datetime-local has none), sent as instants.
function zoneOffset(instant, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - instant;
}

export function wallToIso(value, timeZone) {
  const [day, time] = value.split('T');
  const [year, month, date] = day.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  const guess = wall - zoneOffset(wall, timeZone);
  return new Date(wall - zoneOffset(guess, timeZone)).toISOString();
}

function isoToWall(iso, timeZone) {
  const instant = new Date(iso).getTime();
  return new Date(instant + zoneOffset(instant, timeZone)).toISOString().slice(0, 16);
}

async function viewPlanDraft(main) {
  const org = await session.call(`/orgs/${state.org}`);
  if (org.level !== 'branch') return section(main, 'nav.plan', empty(t('draft.chooseBranch')));
  const month = await session.call(`/branches/${state.org}/months/${state.month}`);
  const plan = month.plan;
  const zone = month.time_zone;
  const task = h('div', { class: 'card' }, h('h3', {}, org.name, ' · ', state.month),
    h('dl', { class: 'facts' },
      h('dt', {}, t('draft.task')), h('dd', {}, month.directives.map((d) => d.theme).join('；') || t('directives.none')),
      h('dt', {}, t('directives.required')), h('dd', {}, month.required_actions.join('、') || '—'),
      h('dt', {}, t('draft.planDue')), h('dd', {}, fmtTime(month.plan_due)),
      h('dt', {}, t('draft.summaryDue')), h('dd', {}, fmtTime(month.summary_due))));
  const birthdays = birthdaysCard(session, state.org, state.month, plan, can(state.me, 'manage_plans', org));
  if (plan && !['draft', 'returned'].includes(plan.status)) {
    return section(main, 'nav.plan', task, birthdays, h('div', { class: 'card', id: 'plan-state' },
      h('h3', {}, plan.theme, ' ', statusBadge('plan', plan.status), plan.submitted_late ? [' ', badge(t('plan.late'), 'warn')] : null),
      h('p', {}, fmtTime(plan.starts_at), ' – ', fmtTime(plan.ends_at), ' · ', plan.venue.name),
      plan.activity_id ? h('a', { class: 'btn', href: `#/activity/${plan.activity_id}` }, t('plan.open')) : null));
  }
  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const theme = input('theme', { required: true, maxlength: 200, value: plan?.theme || month.directives[0]?.theme || '' });
  const starts = input('starts_at', { type: 'datetime-local', required: true, value: plan ? isoToWall(plan.starts_at, zone) : '' });
  const ends = input('ends_at', { type: 'datetime-local', required: true, value: plan ? isoToWall(plan.ends_at, zone) : '' });
  const venue = input('venue', { required: true, maxlength: 200, value: plan?.venue.name || '' });
  const lat = input('lat', { type: 'number', step: 'any', min: -90, max: 90, required: true, value: plan?.venue.lat ?? org.venue_lat ?? '' });
  const lon = input('lon', { type: 'number', step: 'any', min: -180, max: 180, required: true, value: plan?.venue.lon ?? org.venue_lon ?? '' });
  const radius = input('radius_m', { type: 'number', min: 50, max: 1000, value: plan?.venue.radius_m ?? 300 });
  const actions = [...new Set([...month.required_actions, ...(plan?.required_actions || [])])].map((action) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: action, checked: true }), action));
  const optional = input('optional', { value: (plan?.optional_actions || []).join('、'), placeholder: t('draft.optionalHint') });
  const out = h('div', {});
  const place = venuePicker(org, { venue, lat, lon, radius }, out);
  const body = () => ({
    theme: theme.value.trim(), starts_at: wallToIso(starts.value, zone), ends_at: wallToIso(ends.value, zone),
    venue: { name: venue.value.trim(), lat: Number(lat.value), lon: Number(lon.value), radius_m: Number(radius.value) },
    required_actions: actions.map((label) => label.querySelector('input')).filter((c) => c.checked).map((c) => c.value),
    optional_actions: optional.value.split(/[,，、]/).map((a) => a.trim()).filter(Boolean),
  });
  const save = () => (plan ? session.call(`/plans/${plan.plan_id}`, { method: 'PATCH', body: body() })
    : session.call('/plans', { method: 'POST', body: { branch_id: state.org, month: state.month, ...body() } }));
  const draft = h('button', { class: 'btn', type: 'button', onclick: async () => {
    if (form.reportValidity() && await act(draft, out, save)) render();
  } }, t('draft.save'));
  const submit = h('button', { class: 'btn primary', type: 'submit' }, t('draft.submit'));
  const form = h('form', { class: 'card form', id: 'plan-form', onsubmit: async (event) => {
    event.preventDefault();
    const saved = await act(submit, out, save);
    if (saved && await act(submit, out, () => session.call(`/plans/${saved.plan_id}/submit`, { method: 'POST' }))) render();
  } }, h('h3', {}, plan ? t('draft.edit') : t('draft.new'), plan ? [' ', statusBadge('plan', plan.status)] : null),
  plan?.review_comment ? h('div', { class: 'comment' }, t('plan.comment'), ': ', plan.review_comment) : null,
  field('plan.theme', theme), h('div', { class: 'row' }, field('draft.starts', starts), field('draft.ends', ends)),
  h('small', { class: 'muted' }, t('draft.zone', { zone })),
  place,
  h('fieldset', {}, h('legend', {}, t('directives.required')), actions.length ? actions : t('draft.noRequired')),
  field('plan.optional', optional), h('div', { class: 'row' }, draft, submit), out);
  return section(main, 'nav.plan', task, birthdays, form);
}

// The venue: one of the branch's saved venues (the places its plans named before, and its registered position), or
// where this device is now; drawn to scale with its geofence as it changes.
export function venuePicker(org, inputs, out) {
  const { venue, lat, lon, radius } = inputs;
  const drawing = h('figure', { class: 'venue-drawing' });
  const located = h('div', { 'aria-live': 'polite' });
  let saved = [];
  const current = () => ({ name: venue.value.trim(), lat: parseFloat(lat.value), lon: parseFloat(lon.value),
    radius_m: parseFloat(radius.value) });
  const redraw = () => mount(drawing, venueDrawing(current(), saved),
    h('figcaption', { class: 'muted small' }, t('venue.caption')));
  const choose = h('select', { name: 'saved_venue', onchange: () => {
    const picked = saved[Number(choose.value)];
    if (!picked) return;
    venue.value = picked.name; lat.value = picked.lat; lon.value = picked.lon; radius.value = picked.radius_m;
    mount(located);
    redraw();
  } }, h('option', { value: '' }, t('common.loading')));
  const fill = (venues) => {
    saved = venues;
    mount(choose, h('option', { value: '' }, venues.length ? t('venue.choose') : t('venue.noneSaved')),
      venues.map((v, index) => h('option', { value: index },
        v.last_month ? t('venue.usedIn', { name: v.name, month: v.last_month, m: v.radius_m }) : v.name)));
    redraw();
  };
  const registered = Number.isFinite(org.venue_lat) && Number.isFinite(org.venue_lon)
    ? [{ name: t('venue.registered'), lat: org.venue_lat, lon: org.venue_lon, radius_m: 300 }] : [];
  session.call(`/branches/${org.org_id}/venues?page_size=50`)
    .then((answer) => fill([...answer.items, ...registered]))
    .catch(() => fill(registered));
  const here = h('button', { class: 'btn', type: 'button', id: 'use-my-position', onclick: () => {
    if (!navigator.geolocation) return mount(out, errorBox({ code: 'GEO_UNAVAILABLE' }));
    here.disabled = true;
    mount(located, notice(t('venue.locating'), 'info'));
    return navigator.geolocation.getCurrentPosition((found) => {
      here.disabled = false;
      lat.value = found.coords.latitude.toFixed(6);
      lon.value = found.coords.longitude.toFixed(6);
      choose.value = '';
      mount(located, notice(t('venue.located', { m: Math.round(found.coords.accuracy) })));
      redraw();
    }, (error) => {
      here.disabled = false;
      mount(located, errorBox({ code: error.code === 1 ? 'GEO_DENIED' : 'GEO_UNAVAILABLE' }));
    }, { enableHighAccuracy: true, timeout: 15000 });
  } }, t('draft.here'));
  for (const input of [venue, lat, lon, radius]) input.addEventListener('input', redraw);
  redraw();
  return h('fieldset', { class: 'venue', id: 'venue' }, h('legend', {}, t('plan.venue')),
    h('div', { class: 'venue-layout' },
      h('div', { class: 'venue-inputs' },
        h('div', { class: 'row' }, field('venue.saved', choose), here), located,
        field('venue.name', venue),
        h('div', { class: 'row' }, field('draft.lat', lat), field('draft.lon', lon), field('draft.radius', radius))),
      drawing));
}
