// Counters of one worker, read by tests, `nodes` and the metrics endpoint.

/** Counters since the worker started. */
export interface WorkerStats {
  claims: number;
  tasksClaimed: number;
  stepsStarted: number;
  stepsSucceeded: number;
  stepsFailed: number;
  tasksEnded: number;
  leasesLost: number;
  /** Fenced writes the store refused because the lease had moved on. */
  refusedWrites: number;
  leasesRecovered: number;
  callbacksRun: number;
  callbacksFailed: number;
}

/** Fresh zeroed counters. */
export function createWorkerStats(): WorkerStats {
  return {
    claims: 0,
    tasksClaimed: 0,
    stepsStarted: 0,
    stepsSucceeded: 0,
    stepsFailed: 0,
    tasksEnded: 0,
    leasesLost: 0,
    refusedWrites: 0,
    leasesRecovered: 0,
    callbacksRun: 0,
    callbacksFailed: 0,
  };
}
