// Runs the shared Store contract suite against PostgreSQL, in a schema private to this file.
import { after } from "node:test";
import type { Store } from "../../src/store/store.js";
import { createPostgresSchemaHarness, requirePostgres } from "../support/postgres.js";
import { runStoreContract } from "./store-contract.js";

if (await requirePostgres()) {
  const schema = createPostgresSchemaHarness("contract");
  // Drops the schema even if the suite's own cleanup never ran (a failed registration).
  after(() => schema.cleanup());
  runStoreContract("postgres", {
    // Every test gets an empty store: emptying the file's schema is ~10x faster than
    // migrating a new one per test, and closes the stores (and second pools) of the last test.
    open: async (): Promise<Store> => {
      await schema.reset();
      return schema.open();
    },
    // A second, independent pool on the same schema: what another process would hold.
    openSecond: (): Promise<Store> => schema.open(),
    cleanup: () => schema.cleanup(),
  });
}
