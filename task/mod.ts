/**
 * @wt/task (work in progress).
 *
 * @module
 */
export {};
