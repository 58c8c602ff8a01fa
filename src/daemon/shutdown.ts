// The shutdown grace: after SIGTERM a daemon stops its work and closes the store, but a store that
// does not answer (etcd gone or paused, a status write retrying) must not keep it alive. Once the
// grace has passed the process exits anyway. Nothing stops containers on the way out: the
// agent never stops what runs when it stops, so a daemon restart leaves workloads alone.

/** How long after SIGTERM/SIGINT a daemon may take to stop cleanly. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Once `signal` aborts, calls `expire` after `graceMs`. The returned function is for the clean
 *  end: the timer then no longer keeps the process alive, but still fires should something else
 *  (a call still retrying) hold it past the grace. */
export function armShutdownGrace(signal: AbortSignal, graceMs: number, expire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(expire, graceMs);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    timer?.unref();
  };
}
