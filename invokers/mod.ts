/**
 * @wt/invokers (work in progress).
 *
 * @module
 */
export {};
