// A task's step chain as a vertical timeline: status, attempts, durations, message, and the
// task params before and after the step, the step's own params, payload and output on demand.
import type { Step, Task } from "../api/types.js";
import { shortDuration } from "../format.js";
import { JsonBlock } from "./json-block.js";
import { StatusBadge } from "./status-badge.js";
import { StepParams } from "./step-params.js";
import { RelativeTime } from "./time.js";

function stepDuration(step: Step, now: number): number | null {
  if (step.executionMs !== null && step.executionMs !== undefined && step.status !== "running") return step.executionMs;
  if (step.startedAt && step.status === "running") return now - new Date(step.startedAt).getTime();
  if (step.startedAt && step.endedAt) return new Date(step.endedAt).getTime() - new Date(step.startedAt).getTime();
  return null;
}

export function StepTimeline(props: { task: Task; now: number }) {
  const { task } = props;
  return (
    <ol class="timeline" data-testid="step-timeline">
      {task.steps.map((step) => {
        const current = step.index === task.currentStep && (task.status === "running" || task.status === "pending");
        return (
          <li key={step.name} class={`step status-edge-${step.status}${current ? " current" : ""}`} data-step={step.name}>
            <div class={`dot status-bg-${step.status}`} aria-hidden="true" />
            <div class="step-body">
              <div class="step-head">
                <strong>{step.alias ?? step.name}</strong>
                {step.alias ? <span class="muted small mono"> {step.name}</span> : null}
                <StatusBadge status={step.status} />
                <span class="muted small">
                  {step.executor}
                  {step.queue ? ` · queue ${step.queue}` : ""}
                  {step.skipOnFailed ? " · skip on failure" : ""}
                </span>
              </div>
              <div class="step-meta small">
                <span title="tries started / allowed">
                  try {step.attempts}/{step.maxTries}
                </span>
                <span>took {shortDuration(stepDuration(step, props.now))}</span>
                {step.startedAt ? (
                  <span>
                    started <RelativeTime at={step.startedAt} />
                  </span>
                ) : null}
                {step.timeoutMs ? <span>timeout {shortDuration(step.timeoutMs)}</span> : null}
              </div>
              {step.message ? (
                <p class={`step-message${step.status === "failed" || step.status === "timeout" ? " text-failed" : ""}`} data-testid="step-message">
                  {step.message}
                </p>
              ) : null}
              <details>
                <summary>params before and after, payload and output</summary>
                <StepParams step={step} />
                <div class="json-grid">
                  <JsonBlock label="params (the step's own, before rendering)" value={step.params} />
                  <JsonBlock label="payload" value={step.payload} />
                  <JsonBlock label="output (what it returned)" value={step.output} />
                </div>
              </details>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
