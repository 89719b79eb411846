// The API client: bearer tokens kept in localStorage, one refresh on 401, errors as ApiError.
const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
  get offline() { return this.status === 0; }
}

export class Session {
  constructor(key) { this.key = key; this.refreshing = null; }
  get tokens() {
    try { return JSON.parse(localStorage.getItem(this.key)) || null; } catch { return null; }
  }
  save(pair) { localStorage.setItem(this.key, JSON.stringify(pair)); }
  clear() { localStorage.removeItem(this.key); }
  get loggedIn() { return Boolean(this.tokens); }

  // `code`: the SMS code a login answered SECOND_FACTOR_REQUIRED for.
  async login(phone, password, code) {
    this.save(await request('/auth/login', { method: 'POST', body: { phone, password, ...(code ? { code } : {}) } }));
  }
  async changePassword(currentPassword, newPassword) {
    return this.call('/me/password', { method: 'POST',
      body: { current_password: currentPassword, new_password: newPassword } });
  }
  async publicLogin(phone, code) {
    this.save(await request('/auth/public-login', { method: 'POST', body: { phone, code } }));
  }
  async logout() {
    try { await this.call('/auth/logout', { method: 'POST' }); } catch { /* the session ends here anyway */ }
    this.clear();
  }
  async refresh() {
    const tokens = this.tokens;
    if (!tokens) return false;
    this.refreshing ??= request('/auth/refresh', { method: 'POST', body: { refresh_token: tokens.refresh_token } })
      .then((pair) => { this.save(pair); return true; })
      .catch((error) => { if (!error.offline) this.clear(); return false; })
      .finally(() => { this.refreshing = null; });
    return this.refreshing;
  }
  // An authenticated call; `raw` answers the Response (for files), otherwise the decoded JSON.
  async call(path, options = {}) {
    const attempt = () => request(path, { ...options, token: this.tokens?.access_token });
    try {
      return await attempt();
    } catch (error) {
      if (error.status === 401 && await this.refresh()) return attempt();
      if (error.status === 401) this.clear();
      throw error;
    }
  }
}

async function request(path, { method = 'GET', body, form, raw = false, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (form) init.body = form;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET') init.headers['Idempotency-Key'] = crypto.randomUUID();
  let response;
  try {
    response = await fetch(path.startsWith('/api/') ? path : BASE + path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'network unreachable');
  }
  if (!response.ok) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(response.status, error.code || `HTTP_${response.status}`,
      error.message || response.statusText, error.details);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

// A forgotten password: a code sent to the phone, then a new password with it (no session needed).
export function sendResetCode(phone) {
  return request('/auth/password-reset-code', { method: 'POST', body: { phone } });
}

export function resetPassword(phone, code, newPassword) {
  return request('/auth/password-reset', { method: 'POST', body: { phone, code, new_password: newPassword } });
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
