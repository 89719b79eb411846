// The console's login form; a member without any role is told so and pointed to the member pages, and one who must
// set their own password first gets the form for it.
import { loginForm, passwordForm } from '../account.js';
import { t } from '../i18n.js';
import { errorBox, h, langSwitch, mount, notice } from '../ui.js';
import { session } from './context.js';

// Shown in `app`; `start` runs once logged in, and again when the language changes.
export function showLogin(app, start, error, noRole = false) {
  const { element, out } = loginForm(session, { title: t('console.title'), hint: t('login.consoleHint'),
    onLoggedIn: start });
  if (error && error.status !== 401) mount(out, errorBox(error));
  if (noRole) mount(out, notice(t('login.noRole'), 'warn'), h('a', { href: '/m' }, t('login.toMember')));
  mount(app, h('div', { class: 'login-page' }, h('div', { class: 'login-top' }, langSwitch(start)), element));
}

// Before anything else, a member whose password someone else chose sets their own.
export function showPasswordChange(app, start) {
  mount(app, h('div', { class: 'login-page' }, h('div', { class: 'login-top' }, langSwitch(start),
    h('button', { class: 'btn ghost', onclick: async () => { await session.logout(); showLogin(app, start); } },
      t('common.logout'))),
  passwordForm(session, { required: true, onDone: start })));
}
