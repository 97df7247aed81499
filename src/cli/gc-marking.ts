import { setFlagsFromString } from 'node:v8';

/** How V8 marks the old generation: in steps between other work, or in one pause. */
export type GcMarking = 'incremental' | 'atomic';

/**
 * Sets how V8 marks the old generation in this process, for the rest of its life. `undefined` leaves
 * what `node` was started with (`node --no-incremental-marking` is not allowed in `NODE_OPTIONS`, so the
 * setting exists here). V8 reads this flag whenever it considers starting a collection, so setting it
 * after start-up takes effect (checked by test/cli/gc-marking.test.ts).
 *
 * Why `atomic` exists: a proxy's multi-MiB messages arrive in buffers outside V8's heap that die young;
 * with incremental marking, V8 counts them towards its global limit and starts a full incremental
 * collection for about every such message, where without it a young-generation collection frees them.
 * Measured in docs/raw-frames.md ("Large messages and the garbage collector").
 *
 * @param marking - the mode, or `undefined` for V8's setting at start
 */
export function applyGcMarking(marking: GcMarking | undefined): void {
  if (marking === 'atomic') setFlagsFromString('--no-incremental-marking');
  else if (marking === 'incremental') setFlagsFromString('--incremental-marking');
}
