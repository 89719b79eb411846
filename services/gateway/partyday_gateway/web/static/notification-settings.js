// A member's choices of how they are told, below their inbox on the phone and in the console: an e-mail address,
// the language of their messages, and per kind of notification the channels they want among those it may go by.
// The inbox, and what the organisation requires, stay checked and cannot be unchecked.
import { t } from './i18n.js';
import { act, errorBox, field, h, mount, notice } from './ui.js';

const CHANNELS = ['inbox', 'sms', 'email'];

export function notificationSettings(session) {
  const card = h('section', { class: 'card', id: 'notification-settings', 'aria-labelledby': 'notification-settings-title' },
    h('h3', { id: 'notification-settings-title' }, t('notify.settings')), h('p', { class: 'muted' }, t('common.loading')));
  session.call('/me/notification-settings').then((settings) => showForm(session, card, settings))
    .catch((error) => mount(card, h('h3', { id: 'notification-settings-title' }, t('notify.settings')), errorBox(error)));
  return card;
}

function showForm(session, card, settings) {
  const out = h('div', {});
  const email = h('input', { type: 'email', name: 'email', value: settings.email || '', maxlength: 254,
    autocomplete: 'email' });
  const language = h('select', { name: 'language' }, ['zh', 'en'].map((code) => h('option',
    { value: code, selected: settings.language === code }, t(`notify.language.${code}`))));
  const boxes = new Map();
  const rows = Object.keys(settings.allowed).map((kind) => {
    const required = settings.required[kind] || [];
    const chosen = settings.channels[kind] || [];
    const cells = CHANNELS.map((channel) => {
      if (!settings.allowed[kind].includes(channel)) return h('td', { class: 'muted' }, '—');
      const fixed = channel === 'inbox' || required.includes(channel);
      const box = h('input', { type: 'checkbox', name: `${kind}.${channel}`, checked: fixed || chosen.includes(channel),
        disabled: fixed, 'aria-label': `${t(`notify.kind.${kind}`)}: ${t(`notify.channel.${channel}`)}` });
      if (!fixed) boxes.set(`${kind}.${channel}`, box);
      const orgRequires = channel !== 'inbox' && required.includes(channel);
      return h('td', {}, box, orgRequires ? h('small', { class: 'muted' }, ' ', t('notify.required')) : null);
    });
    return h('tr', { 'data-kind': kind }, h('th', { scope: 'row' }, t(`notify.kind.${kind}`)), cells);
  });
  const save = h('button', { class: 'btn primary', type: 'submit' }, t('notify.save'));
  const chosenChannels = () => Object.fromEntries(Object.keys(settings.allowed).map((kind) => [kind,
    CHANNELS.filter((channel) => boxes.get(`${kind}.${channel}`)?.checked)]));
  mount(card, h('h3', { id: 'notification-settings-title' }, t('notify.settings')),
    h('form', { class: 'form', onsubmit: async (event) => {
      event.preventDefault();
      const saved = await act(save, out, () => session.call('/me/notification-settings', { method: 'PUT',
        body: { email: email.value.trim(), language: language.value, channels: chosenChannels() } }));
      if (saved) {
        showForm(session, card, saved);
        card.querySelector('form').append(notice(t('notify.saved')));
      }
    } },
    h('div', { class: 'row' }, field('notify.email', email, t('notify.emailHint')), field('notify.language', language)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table channels' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('notify.kind')),
        CHANNELS.map((channel) => h('th', { scope: 'col' }, t(`notify.channel.${channel}`))))),
      h('tbody', {}, rows))),
    save, out));
}
