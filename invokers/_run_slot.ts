/**
 * The one run an invoker instance follows, and the guard that it follows one at a time.
 *
 * @module
 */

import { InvokerError } from "./errors.ts";

/** What the slot needs from a run handle. */
export interface SlotHandle {
  /** The run id. */
  readonly id: string;
  /** Whether the run has finished. */
  readonly done: boolean;
}

/**
 * Holds the run in flight (or the last run) of one invoker instance; a second start while
 * one is launching or running throws `InvokerError` `busy`.
 */
export class RunSlot<H extends SlotHandle> {
  readonly #owner: string;
  readonly #kind: string;
  #current: H | undefined;
  #launching = false;

  /**
   * @param kind The invoker class name, for the error message (`"LocalInvoker"`).
   * @param owner What the instance runs, for the error message (a folder, a workflow).
   */
  constructor(kind: string, owner: string) {
    this.#kind = kind;
    this.#owner = owner;
  }

  /** The run in flight or the last run, if any. */
  get current(): H | undefined {
    return this.#current;
  }

  /**
   * Start a run through `start` unless one is launching or in flight.
   *
   * @param start Launches the run and returns its handle.
   * @returns The handle, now the slot's current run.
   * @throws {InvokerError} `busy` while a previous run is launching or in flight; whatever
   *   `start` throws (the slot is then free again).
   */
  async fill(start: () => Promise<H>): Promise<H> {
    if (this.#launching || (this.#current && !this.#current.done)) {
      throw new InvokerError(
        "busy",
        `${this.#kind} for ${this.#owner} is busy with run ${
          this.#current?.id ?? "(starting)"
        }: wait for it or cancel it first, or use another ${this.#kind} instance`,
      );
    }
    this.#launching = true;
    try {
      const handle = await start();
      this.#current = handle;
      return handle;
    } finally {
      this.#launching = false;
    }
  }
}
