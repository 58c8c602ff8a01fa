// How many tasks an agent works on at once unless told otherwise (stackd --task-concurrency).
// Its own file with no imports: stackd's flag parsing reads it without loading the agent's code.
// hack/bench-converge.sh measures plain `docker run` at this parallelism beside stackd and Swarm
// (whose agent has no such cap); BENCH_TASK_CONCURRENCY=N runs the bench's stackd with another.
// 8, not 4: 30 replicas converged in 36.3 s at 8 against 62.8 s at 4 (Swarm 38.1 / 44.3 s in the
// same runs, load 16-41: one round each, README).
export const DEFAULT_TASK_CONCURRENCY = 8;

/** How long a task that left its service's endpoints keeps running before its stop signal
 *  (stackd --endpoint-drain): every node's rules are rewritten within a few hundred ms of its
 *  status (bench:net); Swarm's agent waits 2 s (its gossip's convergence). */
export const DEFAULT_DRAIN_MS = 1000;
