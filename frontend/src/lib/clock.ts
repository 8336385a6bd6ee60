import { useSyncExternalStore } from "react";

/* One clock for every relative time on the page, ticking each second while anything shows one,
   on the server's time: the times it shows come from the server's clock, and a browser whose clock
   is behind would otherwise read a sync that just finished as "in 30 seconds". The offset comes
   from the HTTP Date header of API answers (whole seconds, so smaller differences are left alone;
   formatRelative clamps what remains). */
const tickMs = 1000;
const minimumSkewMs = 2000;

let offsetMs = 0;
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function read(): number {
  return Date.now() + offsetMs;
}

function tick() {
  now = read();
  listeners.forEach((listener) => {
    listener();
  });
}

export const serverClock = {
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    if (timer === undefined) {
      now = read();
      timer = setInterval(tick, tickMs);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  },
  getSnapshot: (): number => now,
  /** An API answer's Date header, read as the response arrived. */
  observe: (serverDate: string | null, receivedAt: number = Date.now()): void => {
    if (serverDate === null) return;
    const server = Date.parse(serverDate);
    if (Number.isNaN(server)) return;
    // The header is truncated to the second: its midpoint is the best guess.
    const skew = server + 500 - receivedAt;
    // Requests' latencies differ: a change under a second is noise, not a new skew.
    if (Math.abs(skew - offsetMs) < 1000) return;
    const next = Math.abs(skew) < minimumSkewMs ? 0 : skew;
    if (next !== offsetMs) {
      offsetMs = next;
      tick();
    }
  },
};

/** The server's current time, re-rendering the caller every second. */
export function useServerNow(): number {
  return useSyncExternalStore(serverClock.subscribe, serverClock.getSnapshot);
}
