// A step's params before and after it ran (the API derives both from the task's initial params
// and each success's setParam patch); the keys the step set are highlighted in "after".
import type { Json, Step } from "../api/types.js";

function ParamsTable(props: { label: string; params: Record<string, Json> | null; setKeys?: ReadonlySet<string>; testid: string; emptyText: string }) {
  const entries = props.params === null ? [] : Object.entries(props.params);
  return (
    <div class="json" data-testid={props.testid}>
      <div class="json-label">{props.label}</div>
      {entries.length === 0 ? (
        <span class="muted">{props.emptyText}</span>
      ) : (
        <table class="params-table">
          <tbody>
            {entries.map(([key, value]) => {
              const set = props.setKeys?.has(key) === true;
              return (
                <tr key={key} class={set ? "param-set" : undefined} data-key={key} data-set={set ? "true" : undefined} title={set ? "set by this step" : undefined}>
                  <th class="mono">{key}</th>
                  <td class="mono">{JSON.stringify(value)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function StepParams(props: { step: Step }) {
  const { step } = props;
  const setKeys = new Set(Object.keys(step.paramsSet ?? {}));
  const afterEmpty = step.paramsAfter === null ? "not succeeded (yet)" : "none";
  return (
    <div class="json-grid" data-testid="step-params">
      <ParamsTable label="task params before this step" params={step.paramsBefore} testid="params-before" emptyText="none" />
      <ParamsTable
        label={setKeys.size > 0 ? `after (this step set ${[...setKeys].join(", ")})` : "after"}
        params={step.paramsAfter}
        setKeys={setKeys}
        testid="params-after"
        emptyText={afterEmpty}
      />
    </div>
  );
}
