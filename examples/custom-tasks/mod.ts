/**
 * Example task library (work in progress).
 *
 * @module
 */
export {};
