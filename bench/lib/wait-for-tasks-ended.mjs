// Benchmark helper: resolves once `worker` has ended `count` tasks (polled every 2 ms, so the
// measured span ends within 2 ms of the last task).
export function waitForTasksEnded(worker, count) {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (worker.stats.tasksEnded >= count) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
}
