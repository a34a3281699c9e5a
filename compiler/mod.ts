/**
 * @wt/compiler (work in progress).
 *
 * @module
 */
export {};
