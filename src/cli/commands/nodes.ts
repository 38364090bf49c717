// `taskrail nodes`: the processes running workers, their state, queues and in-flight work.
import type { Command } from "commander";
import type { NodeRecord } from "../../core/node.js";
import { runAction, withTaskrail } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { formatDuration, formatTable, printJson, truncate } from "../output.js";

/** Options of `nodes`. */
export interface NodesFlags {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail nodes
  $ taskrail nodes --json | jq '.[] | select(.state == "alive") | .name'

A node is alive while it heartbeats; one silent for a lease period is marked dead and its
running steps are returned to pending for other nodes; "stopped" nodes shut down cleanly.`;

function row(n: NodeRecord, now: number): string[] {
  const labels = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(",");
  return [
    n.name,
    n.state,
    `${n.inFlight}/${n.capacity}`,
    `${formatDuration(now - n.lastHeartbeatAt.getTime())} ago`,
    `${n.host}:${n.pid}`,
    truncate(n.queues.join(","), 40),
    truncate(n.executors.join(","), 40),
    labels || "-",
    n.version,
  ];
}

async function nodesAction(flags: NodesFlags, cmd: Command): Promise<ExitCode> {
  return withTaskrail(cmd, async (tr) => {
    const nodes = await tr.client.listNodes();
    if (flags.json) printJson(nodes);
    else if (nodes.length === 0) console.log("no nodes have registered (start one with: taskrail worker)");
    else {
      const now = Date.now();
      console.log(formatTable(["NAME", "STATE", "IN-FLIGHT", "HEARTBEAT", "HOST:PID", "QUEUES", "EXECUTORS", "LABELS", "VERSION"], nodes.map((n) => row(n, now))));
    }
    return EXIT.ok;
  });
}

/** Registers `nodes` on the program. */
export function registerNodesCommand(program: Command): Command {
  return program
    .command("nodes")
    .summary("list the nodes (worker processes) and their state")
    .description("List every registered node: state (alive, dead, stopped), in-flight steps / capacity, last heartbeat, host, queues, executors, labels and version.")
    .option("--json", "print the nodes as one JSON array")
    .addHelpText("after", EXAMPLES)
    .action((flags: NodesFlags, cmd: Command) => runAction(flags.json, () => nodesAction(flags, cmd)));
}
