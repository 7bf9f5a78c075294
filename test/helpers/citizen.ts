/**
 * A citizen's appeal made through the real server's API, for the browser tests of the public
 * portal and the feedback page: registered by the dispatcher with a known phone, then taken
 * through to "resolved" by an admin, which issues the citizen's feedback link.
 */

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(baseUrl: string, login: string): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'jardem-demo' }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${login}: ${res.status}`);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: body.csrfToken };
}

async function call<T>(baseUrl: string, s: Session, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface CitizenAppeal {
  number: string;
  /** the last four digits of the reporter's phone */
  phone4: string;
  /** the feedback link's token (after /feedback/), when resolved */
  token: string;
}

/** Registers an appeal with `phone` and, unless `resolve` is false, resolves it with `note` (written for the citizen). */
export async function citizenAppeal(baseUrl: string, phone: string, note: string, resolve = true): Promise<CitizenAppeal> {
  const dispatcher = await signIn(baseUrl, 'dispatcher');
  const meta = await (await fetch(`${baseUrl}/api/meta`)).json();
  const d = meta.districts[1];
  const created = await call<{ id: number; number: string; service: { code: string } | null }>(
    baseUrl,
    dispatcher,
    'POST',
    '/api/incidents',
    {
      type: 'complaint',
      category: 'roads.pothole',
      channel: 'phone',
      description: 'Яма на дороге у остановки',
      location: { type: 'Point', coordinates: [d.lng + 0.001, d.lat + 0.001] },
      reporter: { name: 'Жители двора', phone },
    },
  );
  const phone4 = phone.replace(/\D/g, '').slice(-4);
  if (!resolve) return { number: created.number, phone4, token: '' };
  const admin = await signIn(baseUrl, 'admin');
  // The routed service received it at intake (assigned): it takes it and resolves it.
  for (const step of [{ to: 'in_progress' }, { to: 'resolved', note }]) {
    const { version } = (await call<{ properties: { version: number } }>(baseUrl, admin, 'GET', `/api/incidents/${created.id}`)).properties;
    await call(baseUrl, admin, 'POST', `/api/incidents/${created.id}/transitions`, { ...step, version });
  }
  const detail = await call<{ feedback_links: { url: string }[] }>(baseUrl, admin, 'GET', `/api/incidents/${created.id}`);
  return { number: created.number, phone4, token: detail.feedback_links[0].url.split('/').pop()! };
}
