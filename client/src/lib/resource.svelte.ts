import { isAbort } from './api.ts';

/**
 * One value loaded from the API that is reloaded when its inputs change: a newer load aborts
 * the older one, so a slow answer never overwrites a fresher one. The last good value stays
 * visible while reloading and after an error (the wall display keeps its picture in a blip).
 */
export class Resource<T> {
  value = $state.raw<T | undefined>(undefined);
  error = $state.raw<unknown>(null);
  loading = $state(false);
  #ctrl: AbortController | null = null;

  async load(fetcher: (signal: AbortSignal) => Promise<T>): Promise<void> {
    this.#ctrl?.abort();
    const ctrl = (this.#ctrl = new AbortController());
    this.loading = true;
    try {
      const v = await fetcher(ctrl.signal);
      if (ctrl === this.#ctrl) {
        this.value = v;
        this.error = null;
      }
    } catch (err) {
      if (!isAbort(err) && ctrl === this.#ctrl) this.error = err;
    } finally {
      if (ctrl === this.#ctrl) this.loading = false;
    }
  }

  abort() {
    this.#ctrl?.abort();
    this.#ctrl = null;
    this.loading = false;
  }
}
