// coalesce(ms): a cluster-wide controller's wake-ups at most once per `ms`, the first at once and
// the last of a burst at the window's end, so none is lost (SwarmKit's scheduler commits on a
// 50 ms gap). At scale its changes come by the thousand per second (tasks created, placed, ended)
// and each reconcile reads every task: one per change was most of the manager's CPU.
import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, throttleTime } from 'rxjs';

export function coalesce<T>(ms: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<T> {
  return throttleTime<T>(ms, scheduler, { leading: true, trailing: true });
}
