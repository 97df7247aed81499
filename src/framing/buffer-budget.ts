import { SwitchboardError } from '../errors.js';

/** Default bound on the bytes of incomplete frames buffered by all connections of a process: 256 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/**
 * A memory budget shared by many connections: the bytes of frames (lines, WebSocket messages, HTTP
 * bodies) that arrived in part and wait for their end. Each connection bounds its own frame by
 * `maxMessageBytes`; the budget bounds their sum, so 1,024 connections × 32 MiB cannot all be held at
 * once.
 *
 * A connection holds a {@link BudgetLease}; growing it beyond what is left fails, and the connection
 * refuses that frame (the listeners then close it with `BUFFER_BUDGET_EXCEEDED`); others go on.
 *
 * @example
 * ```ts
 * const budget = new BufferBudget(64 * 1024 * 1024); // share one instance between listeners
 * await listen('tcp://127.0.0.1:7000', { bufferBudget: budget, onConnection });
 * await listen('ws://127.0.0.1:8080/mcp', { bufferBudget: budget, onConnection });
 * ```
 */
export class BufferBudget {
  /** The bound, in bytes. */
  readonly limit: number;
  #used = 0;

  /**
   * @param limit - bound in bytes (default 256 MiB)
   * @throws SwitchboardError `INVALID_OPTIONS` for a limit that is not a positive integer
   */
  constructor(limit: number = DEFAULT_MAX_BUFFERED_BYTES) {
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `maxBufferedBytes must be a positive integer, got ${String(limit)}`,
      );
    }
    this.limit = limit;
  }

  /** Bytes currently reserved by all leases. */
  get used(): number {
    return this.#used;
  }

  /** A new, empty lease for one connection. */
  lease(): BudgetLease {
    return new BudgetLease(this);
  }

  /** @internal Reserves `bytes` if they fit. */
  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  /** @internal Returns `bytes`. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/**
 * One connection's share of a {@link BufferBudget}: set it to what the connection buffers now; release
 * it when the frame completes or the connection closes. Idempotent and never throws.
 */
export class BudgetLease {
  readonly #budget: BufferBudget;
  #held = 0;

  /** @param budget - the shared budget */
  constructor(budget: BufferBudget) {
    this.#budget = budget;
  }

  /** Bytes held by this lease. */
  get held(): number {
    return this.#held;
  }

  /** The budget this lease draws from. */
  get budget(): BufferBudget {
    return this.#budget;
  }

  /**
   * Makes the lease hold exactly `bytes`; `false` (and nothing changes) when growing does not fit.
   * Shrinking always succeeds.
   */
  resize(bytes: number): boolean {
    const delta = bytes - this.#held;
    if (delta > 0 && !this.#budget.tryReserve(delta)) return false;
    if (delta < 0) this.#budget.release(-delta);
    this.#held = bytes;
    return true;
  }

  /** Returns everything held. */
  release(): void {
    this.resize(0);
  }
}

/**
 * The budget of a process when no listener was given one: all listeners that use the default share it.
 * Its limit is {@link DEFAULT_MAX_BUFFERED_BYTES}.
 */
export const processBufferBudget = new BufferBudget();

/** The error of a frame refused because the shared budget is spent. */
export function budgetExceededError(
  budget: BufferBudget,
  details: { messageKind?: 'request' | 'response' | 'notification' | 'unknown'; requestId?: string | number },
): SwitchboardError {
  return new SwitchboardError(
    'BUFFER_BUDGET_EXCEEDED',
    `Too much data is buffered for incomplete messages across all connections (maxBufferedBytes ${budget.limit}); this connection is closed`,
    { details: { limit: budget.limit, used: budget.used, ...details } },
  );
}
