// How the API answers tasks: the stored task with each step's params before and after
// (core/params-timeline.ts), so every route that returns a task tells the same story.
import { withParamsTimeline, type TaskWithParams } from "../core/params-timeline.js";
import type { Task } from "../core/task.js";

/** One task as the API answers it. */
export function taskJson<T extends Task>(task: T): TaskWithParams<T> {
  return withParamsTimeline(task);
}

/** A page (or list) of tasks as the API answers it; other fields of the page are kept. */
export function taskPageJson<P extends { items: Task[] }>(page: P): Omit<P, "items"> & { items: TaskWithParams[] } {
  return { ...page, items: page.items.map((t) => withParamsTimeline(t)) };
}
