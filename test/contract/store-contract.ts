// The Store contract suite, written once and run on every backend (test/contract/*.test.ts).
// It drives only the Store port and core types, so SQLite and PostgreSQL pass the same tests.
import { after, afterEach, beforeEach, describe } from "node:test";
import type { Store } from "../../src/store/store.js";
import { describeCallbacks } from "./store-contract/callbacks-contract.js";
import { describeClaims } from "./store-contract/claim-contract.js";
import type { ContractContext, StoreHarness } from "./store-contract/contract-context.js";
import { describeDispatch } from "./store-contract/dispatch-contract.js";
import { describeFencing } from "./store-contract/fencing-contract.js";
import { describeOperatorTransitions } from "./store-contract/operator-contract.js";
import { describeStepOutcomes } from "./store-contract/step-outcome-contract.js";
import { describeSweeps } from "./store-contract/sweeps-contract.js";
import { describeNodes } from "./store-contract/nodes-contract.js";
import { describeLimits } from "./store-contract/limits-contract.js";
import { describeTaskEvents } from "./store-contract/task-events-contract.js";
import { describeMetricsReads } from "./store-contract/metrics-reads-contract.js";
import { describeServerTables } from "./store-contract/server-contract.js";
import { describeDefinitions } from "./store-contract/definitions-contract.js";
import { describeHotPath } from "./store-contract/hot-path-contract.js";
import { describeTaskTotal } from "./store-contract/task-total-contract.js";
import { describeParamsIo } from "./store-contract/params-io-contract.js";

export type { StoreHarness } from "./store-contract/contract-context.js";

/**
 * Registers the whole contract suite for `backend`. Every test gets a store on a fresh
 * database from `harness.open()` (closed after the test); `harness.cleanup()` runs last.
 */
export function runStoreContract(backend: string, harness: StoreHarness): void {
  describe(`Store contract (${backend})`, () => {
    const ctx: { harness: StoreHarness; store: Store } = { harness, store: undefined as unknown as Store };
    let opened: Store | undefined;
    beforeEach(async () => {
      opened = undefined;
      ctx.store = opened = await harness.open();
    });
    afterEach(async () => {
      // When open() failed the test already reports why; closing nothing adds no second error.
      await opened?.close();
    });
    after(async () => {
      await harness.cleanup();
    });
    const context: ContractContext = ctx;
    describeDispatch(context);
    describeClaims(context);
    describeFencing(context);
    describeStepOutcomes(context);
    describeSweeps(context);
    describeCallbacks(context);
    describeOperatorTransitions(context);
    describeNodes(context);
    describeLimits(context);
    describeTaskEvents(context);
    describeMetricsReads(context);
    describeServerTables(context);
    describeDefinitions(context);
    describeHotPath(context);
    describeTaskTotal(context);
    describeParamsIo(context);
  });
}
