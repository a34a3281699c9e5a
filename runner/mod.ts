/**
 * @wt/runner (work in progress).
 *
 * @module
 */
export {};
