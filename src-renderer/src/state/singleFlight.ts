/**
 * One load per key at a time: a call while one runs for the same key (a session) shares it, so a
 * reconnect and a session switch in the same tick do not fetch a list twice.
 */
export function singleFlight(run: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const running = new Map<string, Promise<void>>();
  return (key) => {
    const current = running.get(key);
    if (current) return current;
    const p = run(key).finally(() => running.delete(key));
    running.set(key, p);
    return p;
  };
}
