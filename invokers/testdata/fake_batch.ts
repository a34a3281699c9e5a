// The Batch fake moved to `@wt/invokers/testing` (invokers/testing.ts), where the runner's
// tests can import it too.
export * from "../testing.ts";
