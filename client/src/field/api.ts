/**
 * The field app's calls to the API (server/field/routes.ts). Writes carry the session's CSRF
 * token, learnt from /api/auth/me or the sign-in answer.
 */
export type Lang = 'kk' | 'ru' | 'en';

export interface FieldUser {
  id: number;
  login: string;
  name: string;
  role: string;
  serviceId: number | null;
}

export interface WorkItem {
  id: number;
  number: string;
  status: string;
  type: string;
  category: string;
  service: string | null;
  address: string | null;
  description: string;
  created_at: string;
  due_at: string;
  version: number;
  /** [lng, lat] */
  location: [number, number];
  distance_m: number | null;
  paused: { reason: string; note: string | null; at: string } | null;
  photos: { before: number; after: number };
  /** What resolving needs (the category's proof rule). */
  proof: { before: boolean; after: boolean; farM: number };
}

export interface IncidentEvent {
  id?: number;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  data?: Record<string, unknown> | null;
}

export interface IncidentDetail {
  properties: {
    id: number;
    number: string;
    status: string;
    version: number;
    description: string;
    address: string | null;
    category: string;
  };
  events: IncidentEvent[];
}

export interface Photo {
  id: number;
  kind: 'before' | 'after';
  taken_at: string;
  position: [number, number] | null;
  published: boolean;
  url: string;
}

export interface ProofCheck {
  id: number;
  acted_at: string;
  distance_m: number | null;
  far_m: number;
  flags: string[];
}

export interface CategoryMeta {
  code: string;
  name: Record<Lang, string>;
}

/** An API refusal: the status and the error's code and message (DESIGN.md's error shape). */
export class FieldApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf: string | null = null;

async function read<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as (T & { csrfToken?: string; error?: { code: string; message: string } }) | null;
  if (!res.ok) throw new FieldApiError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? res.statusText);
  if (body && typeof body === 'object' && 'csrfToken' in body && body.csrfToken) csrf = body.csrfToken;
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return read<T>(await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

export async function me(): Promise<FieldUser | null> {
  return (await getJson<{ user: FieldUser | null }>('/api/auth/me')).user;
}

export async function signIn(login: string, password: string): Promise<FieldUser> {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  return (await read<{ user: FieldUser }>(res)).user;
}

/** A write: JSON or multipart, with the CSRF token and, for queued actions, an Idempotency-Key. */
export async function send(path: string, body: unknown, key?: string): Promise<Response> {
  if (csrf === null) await me().catch(() => null);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (key) headers['Idempotency-Key'] = key;
  const multipart = body instanceof FormData;
  if (!multipart) headers['content-type'] = 'application/json';
  return fetch(path, { method: 'POST', credentials: 'same-origin', headers, body: multipart ? body : JSON.stringify(body ?? {}) });
}

export async function signOut(): Promise<void> {
  await send('/api/auth/logout', {}).catch(() => undefined);
  csrf = null;
}

export const workList = (sort: 'due' | 'distance', near: [number, number] | null) =>
  getJson<{ items: WorkItem[] }>(`/api/field/work?sort=${sort}${near ? `&near=${near[0].toFixed(6)},${near[1].toFixed(6)}` : ''}`);

export const incident = (id: number) => getJson<IncidentDetail>(`/api/incidents/${id}`);
export const proof = (id: number) => getJson<{ photos: Photo[]; checks: ProofCheck[] }>(`/api/field/incidents/${id}/proof`);

export { read as readAnswer };
