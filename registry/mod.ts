/**
 * @wt/registry (work in progress).
 *
 * @module
 */
export {};
