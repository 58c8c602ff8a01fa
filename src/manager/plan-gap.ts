// How long a controller whose plans grow with the cluster waits before planning the same thing
// again: its plans take at most about a tenth of the time. Wall time, so a loaded machine spaces
// plans out further. Re-planning 5,000-task services every 200 ms was a quarter of the manager's
// busy time in bench:scale while placing 10,000 tasks (profile, load 14-18), and it grows with the
// services; the network controller's plan of 11 networks over 1,000 nodes, every 50 ms while tasks
// move, was the manager's largest single cost in a full run (plan-alloc's slots, 49 s of 846 s); the
// node controller scanned 100,000 tasks for each of 100 heartbeats as they lapsed one by one.
const PLAN_GAP_FACTOR = 9;

/** The gap after a plan that took `planMs` (its writes excluded). A plan that `acted` (wrote a
 *  rollout's batch, created or stopped tasks) is not spaced out: what it started is what the next
 *  plan works on, and a rolling update of 5,000 tasks is 100 such plans, each waiting for the last
 *  (9x a plan of 40-50 ms was 0.45 s of every 0.55 s of a 10,000-task update in bench:scale). The
 *  plans that only judge what changed, which placement's churn asks for thousands of times a
 *  second, keep the gap. */
export function planGap(planMs: number, acted = false): number {
  return acted ? 0 : PLAN_GAP_FACTOR * planMs;
}
