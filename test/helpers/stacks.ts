// Stack files more than one test deploys.

/** One task that exits 3 half a second after it starts, restarted after 1 s: a crash loop whose
 *  TaskFailed events repeat (counted on one event). */
export const CRASH_LOOP_STACK = `services:
  crash:
    image: stackd/busybox:latest
    command: ["sh", "-c", "sleep 0.5; exit 3"]
    deploy:
      restart_policy: {delay: 1s}
`;
