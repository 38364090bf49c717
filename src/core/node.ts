// Nodes: running taskrail processes as they register themselves (DESIGN.md §1 "Node").

/** What a process tells the store about itself when it starts. */
export interface NodeRegistration {
  /** Unique per process start. */
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  labels: Record<string, string>;
  /** Queues served (including `node:<name>` and `label:<k>=<v>`). */
  queues: string[];
  executors: string[];
  /** Worker concurrency. */
  capacity: number;
  startedAt: Date;
}

/** Liveness of a node: `alive` while it heartbeats, `dead` once it stopped doing so, `stopped` after a clean shutdown. */
export type NodeState = "alive" | "dead" | "stopped";

/** A node as stored. */
export interface NodeRecord extends NodeRegistration {
  /** Steps running on it at its last heartbeat. */
  inFlight: number;
  lastHeartbeatAt: Date;
  state: NodeState;
}

/**
 * Why a pending task's current step cannot run now, judged from the live nodes; null when
 * some live node serves its queue with its executor (it only waits for a slot or its runAt).
 */
export function waitingReason(
  task: { status: string; currentStep: number; queue: string; steps: readonly { executor: string; queue: string | null }[] },
  nodes: readonly NodeRecord[],
): string | null {
  if (task.status !== "pending") return null;
  const step = task.steps[task.currentStep];
  if (!step) return null;
  const queue = step.queue ?? task.queue;
  const alive = nodes.filter((n) => n.state === "alive");
  const onQueue = alive.filter((n) => n.queues.includes(queue));
  if (onQueue.length === 0) {
    return alive.length === 0 ? "waiting: no live node" : `waiting: no live node serves queue "${queue}"`;
  }
  if (!onQueue.some((n) => n.executors.includes(step.executor))) {
    return `waiting: no live node on queue "${queue}" offers executor "${step.executor}"`;
  }
  return null;
}
