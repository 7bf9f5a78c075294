import { ApiError, postJson } from '../lib/api.ts';

export type DisplaySignIn = 'none' | 'ok' | 'invalid';

/** Removes `?token=` from the address bar (no new history entry), keeping the other parameters. */
export function dropTokenFromUrl(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A wall opened as /wall?token=... signs in by itself: the display token is exchanged for a
 * session cookie (POST /api/auth/display), then taken out of the address bar, so it is not left
 * on screen, in history or in a screenshot. While the server cannot be reached it keeps trying
 * (the token stays in the URL, so a reload still works); a token the server refuses is dropped.
 */
export async function signInDisplay(onWaiting?: () => void): Promise<DisplaySignIn> {
  const token = new URL(location.href).searchParams.get('token');
  if (!token) return 'none';
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      await postJson('/api/auth/display', { token });
      dropTokenFromUrl();
      return 'ok';
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
        dropTokenFromUrl();
        return 'invalid';
      }
      onWaiting?.();
      await sleep(wait);
    }
  }
}
