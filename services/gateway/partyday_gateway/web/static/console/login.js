// The console's login form; a member without any role is told so and pointed to the member pages.
import { t } from '../i18n.js';
import { act, errorBox, field, h, langSwitch, mount, notice } from '../ui.js';
import { session } from './context.js';

// Shown in `app`; `start` runs once logged in, and again when the language changes.
export function showLogin(app, start, error, noRole = false) {
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const out = h('div', { class: 'out' });
  if (error && error.status !== 401) mount(out, errorBox(error));
  if (noRole) mount(out, notice(t('login.noRole'), 'warn'), h('a', { href: '/m' }, t('login.toMember')));
  const button = h('button', { class: 'btn primary', type: 'submit' }, t('login.submit'));
  const form = h('form', { class: 'card login', onsubmit: async (event) => {
    event.preventDefault();
    await act(button, out, async () => {
      await session.login(phone.value.trim(), password.value);
      await start();
    });
  } }, h('h1', {}, t('console.title')), h('p', { class: 'muted' }, t('login.consoleHint')),
  field('login.phone', phone), field('login.password', password), button, out);
  mount(app, h('div', { class: 'login-page' }, h('div', { class: 'login-top' }, langSwitch(start)), form));
}
