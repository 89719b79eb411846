// Small DOM helpers shared by the console and the member pages.
import { query } from './api.js';
import { errorText, lang, setLang, t } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'html') node.innerHTML = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function mount(target, ...children) {
  target.replaceChildren(...children.flat().filter(Boolean));
  return target;
}

export function errorBox(error) {
  const reason = errorText(error);
  return h('div', { class: 'alert error', role: 'alert', 'data-code': error.code || '' },
    h('strong', { class: 'reason' }, reason),
    error.code && error.code !== 'NETWORK'
      ? h('div', { class: 'detail' }, h('code', {}, error.code), ' ', error.message || '') : null);
}

export function notice(text, kind = 'ok') {
  return h('div', { class: `alert ${kind}`, role: 'status' }, text);
}

export function empty(text) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-mark' }, '∅'), h('p', {}, text));
}

export function loading() {
  return h('div', { class: 'loading' }, t('common.loading'));
}

// A table of rows; columns are [labelKey, row => cell] pairs.
export function table(columns, rows, emptyText = t('common.empty')) {
  if (!rows.length) return empty(emptyText);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', {}, t(label))))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row))))))));
}

export function pager(page, pageSize, total, onPage) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return h('nav', { class: 'pager' },
    h('button', { class: 'btn ghost', disabled: page <= 1, onclick: () => onPage(page - 1) }, t('common.prev')),
    h('span', {}, t('common.page', { page, pages, total })),
    h('button', { class: 'btn ghost', disabled: page >= pages, onclick: () => onPage(page + 1) }, t('common.next')));
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

export function field(labelKey, input, hint) {
  return h('label', { class: 'field' }, h('span', {}, t(labelKey)), input, hint ? h('small', {}, hint) : null);
}

export function langSwitch(onChange) {
  const select = h('select', { class: 'lang', 'aria-label': t('common.language'), onchange: (event) => {
    setLang(event.target.value);
    onChange();
  } }, h('option', { value: 'zh' }, '中文'), h('option', { value: 'en' }, 'English'));
  select.value = lang();
  return select;
}

// Runs an action from a button: disables it meanwhile, shows the error (or the result) in `out`.
export async function act(button, out, action) {
  button.disabled = true;
  try {
    const answer = await action();
    return answer;
  } catch (error) {
    mount(out, errorBox(error));
    return undefined;
  } finally {
    button.disabled = false;
  }
}

export function fmtTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB',
    { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
      minute: '2-digit' });
}

export function pct(rate) {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

export function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

// An image or file behind the bearer token, as an object URL.
export async function blobUrl(session, path) {
  const response = await session.call(path, { raw: true });
  return URL.createObjectURL(await response.blob());
}

export function authImage(session, path, alt = '') {
  const img = h('img', { alt, loading: 'lazy', class: 'thumb' });
  blobUrl(session, path).then((url) => { img.src = url; }).catch(() => img.classList.add('broken'));
  return img;
}

export async function download(session, path, filename) {
  const url = await blobUrl(session, path);
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The branch's members who missed party days in a row, for its admin: shown in `container`, a page at a time, or
// nothing at all when there are none and `hideNone` is set. A caller who may not read them (403) sees nothing.
export async function showAbsences(session, container, branchId, page = 1, hideNone = false) {
  let flags;
  try {
    flags = await session.call(`/branches/${branchId}/absence-flags${query({ page, page_size: 20 })}`);
  } catch (error) {
    if (error.status === 403) return mount(container);
    throw error;
  }
  if (hideNone && !flags.total) return mount(container);
  return mount(container, h('section', { class: 'card absence-flags', 'data-branch': branchId },
    h('h3', {}, t('absence.title')), h('p', { class: 'muted small' }, t('absence.hint', { n: flags.threshold })),
    table([['member.name', (flag) => flag.name || flag.member_id],
      ['absence.count', (flag) => badge(t('absence.times', { n: flag.consecutive_absences }), 'warn')],
      ['absence.last', (flag) => (flag.last_absence
        ? `${flag.last_absence.theme} · ${fmtTime(flag.last_absence.starts_at)}` : '—')]],
    flags.items, t('absence.none')),
    flags.total > flags.page_size
      ? pager(flags.page, flags.page_size, flags.total, (next) => showAbsences(session, container, branchId, next))
      : null));
}
