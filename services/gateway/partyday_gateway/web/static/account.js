// The account forms the console and the member pages share: logging in (with the SMS code an account tried from
// many places asks for), a forgotten password replaced by SMS code, and changing one's own password (required
// before anything else when someone else chose it: a roster's initial password, an admin's reset).
import { ApiError, resetPassword, sendResetCode } from './api.js';
import { t } from './i18n.js';
import { act, field, h, mount, notice } from './ui.js';

function passwordInput(name, autocomplete) {
  return h('input', { name, type: 'password', autocomplete, required: true, minlength: 8, maxlength: 128 });
}

function codeInput() {
  return h('input', { name: 'code', inputmode: 'numeric', pattern: '\\d{6}', maxlength: 6,
    autocomplete: 'one-time-code' });
}

// Two fields for the new password; the second must repeat the first.
function newPasswordFields() {
  const fresh = passwordInput('new_password', 'new-password');
  const again = passwordInput('confirm_password', 'new-password');
  return {
    fields: [field('password.new', fresh, t('password.hint')), field('password.confirm', again)],
    value() {
      if (fresh.value !== again.value) throw new ApiError(400, 'PASSWORD_MISMATCH', 'the two new passwords differ');
      return fresh.value;
    },
  };
}

// The login form: `onLoggedIn` runs once the session holds tokens. Answers the element and its message area.
export function loginForm(session, { title, hint, onLoggedIn, block = false }) {
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const code = codeInput();
  const codeField = field('login.code', code);
  codeField.hidden = true;
  const out = h('div', { class: 'out' });
  const button = h('button', { class: `btn primary${block ? ' block' : ''}`, type: 'submit' }, t('login.submit'));
  const container = h('div', { class: 'login-forms' });
  const form = h('form', { class: 'card login', onsubmit: async (event) => {
    event.preventDefault();
    await act(button, out, async () => {
      try {
        await session.login(phone.value.trim(), password.value, codeField.hidden ? undefined : code.value.trim());
      } catch (error) {
        if (error.code === 'SECOND_FACTOR_REQUIRED') {
          codeField.hidden = false;
          code.required = true;
          code.focus();
        }
        throw error;
      }
      await onLoggedIn();
    });
  } }, h('h1', {}, title), h('p', { class: 'muted' }, hint), field('login.phone', phone),
  field('login.password', password), codeField, button, out,
  h('p', {}, h('a', { href: '#', class: 'forgot', onclick: (event) => {
    event.preventDefault();
    mount(container, forgotForm(phone.value.trim(), () => mount(container, form)));
  } }, t('login.forgot'))));
  mount(container, form);
  return { element: container, out };
}

// A forgotten password: the phone gets a code, which sets a new password.
function forgotForm(knownPhone, back) {
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'username', required: true, value: knownPhone });
  const code = codeInput();
  code.required = true;
  const fresh = newPasswordFields();
  const out = h('div', { class: 'out' });
  const send = h('button', { class: 'btn', type: 'button', onclick: async () => {
    if (await act(send, out, () => sendResetCode(phone.value.trim()))) mount(out, notice(t('password.codeSent')));
  } }, t('password.sendCode'));
  const submit = h('button', { class: 'btn primary', type: 'submit' }, t('password.reset'));
  return h('form', { class: 'card login forgot-form', onsubmit: async (event) => {
    event.preventDefault();
    const done = await act(submit, out, async () => {
      await resetPassword(phone.value.trim(), code.value.trim(), fresh.value());
      return true;
    });
    if (done) mount(out, notice(t('password.resetDone')));
  } }, h('h1', {}, t('password.forgotTitle')), field('login.phone', phone), send, field('login.code', code),
  fresh.fields, submit, out,
  h('p', {}, h('a', { href: '#', onclick: (event) => { event.preventDefault(); back(); } }, t('login.back'))));
}

// Changing one's own password; `required`: the member may do nothing else first. `onDone` runs after the change.
export function passwordForm(session, { required = false, onDone }) {
  const current = passwordInput('current_password', 'current-password');
  current.removeAttribute('minlength');
  const fresh = newPasswordFields();
  const out = h('div', { class: 'out' });
  const submit = h('button', { class: 'btn primary', type: 'submit' }, t('password.submit'));
  return h('form', { class: 'card password-form', onsubmit: async (event) => {
    event.preventDefault();
    const changed = await act(submit, out, () => session.changePassword(current.value, fresh.value()));
    if (!changed) return;
    mount(out, notice(t('password.changed')));
    await onDone();
  } }, h('h2', {}, t('password.change')),
  required ? h('div', { class: 'alert warn', id: 'password-required' }, t('password.required')) : null,
  field('password.current', current), fresh.fields, submit, out);
}
