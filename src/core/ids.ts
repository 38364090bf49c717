// Task ids: UUIDv7, so ids sort by creation time (claim order ties and cursor paging rely on it).
import { v7 as uuidv7 } from "uuid";

/** A new sortable task id. */
export function newTaskId(): string {
  return uuidv7();
}

/** A new random id for nodes, tokens and lease owners. */
export function newId(): string {
  return uuidv7();
}
