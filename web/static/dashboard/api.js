// The dashboard's API client. The key and secret live in sessionStorage only
// (gone when the tab closes; never in a URL or a cookie) and go out as
// headers to this same origin.
const STORE = 'paygate.dashboard.credentials';

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? 'null');
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(STORE);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.description ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
  }
}

export async function request(method, path, body, creds = credentials()) {
  const headers = {};
  if (creds) {
    headers['X-Api-Key'] = creds.key;
    headers['X-Api-Secret'] = creds.secret;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
  const res = await fetch(`/api/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// Checks the pair against the API before keeping it.
export async function signIn(key, secret) {
  await request('GET', '/orders?count=1', undefined, { key, secret });
  sessionStorage.setItem(STORE, JSON.stringify({ key, secret }));
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
