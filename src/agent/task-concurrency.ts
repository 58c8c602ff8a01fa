// How many tasks an agent works on at once unless told otherwise (stackd --task-concurrency).
// Its own file with no imports: stackd's flag parsing reads it without loading the agent's code.
// hack/bench-converge.sh measures plain `docker run` at this parallelism beside stackd and Swarm
// (whose agent has no such cap); BENCH_TASK_CONCURRENCY=N runs the bench's stackd with another.
export const DEFAULT_TASK_CONCURRENCY = 4;
