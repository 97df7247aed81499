import { TransportDecorator } from '../middleware/transport-decorator.js';
import type { Transport } from '../transport.js';

class SpawnAudit extends TransportDecorator {
  readonly #record: () => void;

  constructor(inner: Transport, record: () => void) {
    super(inner);
    this.#record = record;
  }

  override start(): Promise<void> {
    // A stdio client transport spawns its child in start(): this is the moment to record.
    try {
      this.#record();
    } catch {
      // Auditing must not prevent the start.
    }
    return super.start();
  }
}

/**
 * Wraps a stdio client transport so that every spawn (each `start()`, restarts included) is recorded —
 * with its argv, never the values of its environment, which may hold per-user secrets.
 *
 * @param transport - the unstarted stdio client transport
 * @param record - called just before the child is spawned
 * @example
 * ```ts
 * const audited = auditSpawn(transport, () => log.info({ argv }, 'spawning backend'));
 * ```
 */
export function auditSpawn(transport: Transport, record: () => void): Transport {
  return new SpawnAudit(transport, record);
}
