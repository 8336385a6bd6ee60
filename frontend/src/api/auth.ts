// The API key lives in sessionStorage: asked for once, kept until the browser tab closes.
const storageKey = "zenith.apiKey";

export type KeyPrompt = "none" | "missing" | "rejected";

interface AuthState {
  key: string | null;
  prompt: KeyPrompt;
}

let state: AuthState = { key: readStoredKey(), prompt: "none" };
const listeners = new Set<() => void>();

function readStoredKey(): string | null {
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function set(next: AuthState) {
  state = next;
  listeners.forEach((listener) => {
    listener();
  });
}

export const auth = {
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: (): AuthState => state,
  /** The header value for the current key, or null when none was given. */
  authorization: (): string | null => (state.key === null ? null : `Bearer ${state.key}`),
  /** A request came back 401: ask for a key, saying whether the one sent was refused. */
  refused(sentKey: string | null) {
    // A newer key may have been entered since this request left; then this answer is stale.
    if (sentKey !== state.key || state.prompt !== "none") return;
    set({ key: state.key, prompt: sentKey === null ? "missing" : "rejected" });
  },
  setKey(key: string) {
    try {
      sessionStorage.setItem(storageKey, key);
    } catch {
      // Storage can be disabled; the key then lasts until the page reloads.
    }
    set({ key, prompt: "none" });
  },
};
