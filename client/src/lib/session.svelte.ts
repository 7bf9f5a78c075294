import { getContext, setContext } from 'svelte';
import { getJson, postJson, type User } from './api.ts';

/**
 * The signed-in user, shared by the header, the navigation and the page guard: read once from
 * /api/auth/me, replaced on sign-in and sign-out. `undefined` while it is being read.
 */
export class Session {
  user = $state.raw<User | null | undefined>(undefined);
  role = $derived(this.user ? this.user.role : null);

  async load(): Promise<void> {
    try {
      this.user = (await getJson<{ user: User | null }>('/api/auth/me')).user;
    } catch {
      this.user = null;
    }
  }

  async logout(): Promise<void> {
    await postJson('/api/auth/logout', {}).catch(() => undefined);
    this.user = null;
  }
}

const KEY = Symbol('session');
export const setSession = (s: Session) => setContext(KEY, s);
export const getSession = () => getContext<Session>(KEY);
