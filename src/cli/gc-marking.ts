import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How V8 marks the old generation: in one pause (`atomic`), in steps between other work
 * (`incremental`), or in one pause while the heap is small and in steps from the first full collection
 * that leaves it larger (`auto`, the default).
 */
export type GcMarking = 'auto' | 'incremental' | 'atomic';

/** The marking V8 uses at a given moment. */
export type GcMarkingNow = 'incremental' | 'atomic';

/**
 * `auto` marks in one pause while a full collection leaves at most this much in the old generation.
 * One pause costs about 1 ms per MiB marked on the reference machine (12–20 ms at the 16 MiB an idle
 * `serve` holds), the same order as the final pause of an incremental marking at that size (8–14 ms).
 */
export const AUTO_ATOMIC_MAX_OLD_BYTES = 24 * 1024 * 1024;

/** The marking in force, and how to stop watching the heap (idempotent). */
export interface GcMarkingControl {
  readonly marking: () => GcMarkingNow;
  readonly stop: () => void;
}

export interface GcMarkingOptions {
  /** For `auto`: the old generation's size after a full collection above which marking turns incremental. */
  atomicMaxOldBytes?: number;
  /** Told once, when `auto` turns incremental, with the old generation's size that made it. */
  onIncremental?: (oldBytes: number) => void;
}

/** Bytes in V8's old generation (every space but the young generation and the read-only one). */
function oldGenerationBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) {
    const name = space.space_name;
    if (!name.startsWith('new_') && name !== 'read_only_space') bytes += space.space_used_size;
  }
  return bytes;
}

/**
 * Sets how V8 marks the old generation in this process, for the rest of its life (`node
 * --no-incremental-marking` is not allowed in `NODE_OPTIONS`, so the setting exists here). V8 reads
 * the flag only when it decides whether to start a marking (`IncrementalMarking::CanBeStarted`), so
 * setting it after start-up takes effect, and a marking under way at the switch (module loading may
 * have started one) finishes as it began (test/cli/gc-marking.test.ts checks each mode in a child
 * process; every `serve` of the test suite switches this way at start).
 *
 * Why not V8's default: a proxy's multi-MiB messages arrive in buffers outside V8's heap that die young.
 * V8 starts an incremental marking once the heap plus such memory leaves less than a young
 * generation's worth of room under its limit, and the limit follows the small live heap — so about
 * every large message starts a full incremental collection, where in one-pause mode V8 collects only
 * at its limits and young-generation collections free the buffers. `serve`'s own modules (~16 MiB)
 * put it past the 8 MiB below which V8 never marks incrementally. Measured in docs/raw-frames.md
 * ("Large messages and the garbage collector").
 *
 * `auto` turns incremental for good after the first full collection that leaves the old generation
 * above {@link AUTO_ATOMIC_MAX_OLD_BYTES} (many sessions, large caches): there a single pause would grow
 * with the heap. It never turns back: a heap that grew once is likely to grow again, and a process
 * that flapped between the modes would have pauses no one could predict.
 *
 * @param marking - the mode; `undefined` is `auto`
 * @param options - `auto`'s bound and its notice
 * @returns the marking in force and a `stop()` that ends `auto`'s watch (no-op for the other modes)
 */
export function applyGcMarking(
  marking: GcMarking | undefined,
  options: GcMarkingOptions = {},
): GcMarkingControl {
  if (marking === 'incremental') {
    setFlagsFromString('--incremental-marking');
    return { marking: () => 'incremental', stop: () => undefined };
  }
  setFlagsFromString('--no-incremental-marking');
  if (marking === 'atomic') return { marking: () => 'atomic', stop: () => undefined };
  const limit = options.atomicMaxOldBytes ?? AUTO_ATOMIC_MAX_OLD_BYTES;
  let now: GcMarkingNow = 'atomic';
  const observer = new PerformanceObserver((list) => {
    if (now === 'incremental') return;
    const major = list
      .getEntries()
      .some(
        (e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (!major) return;
    const old = oldGenerationBytes();
    if (old <= limit) return;
    now = 'incremental';
    setFlagsFromString('--incremental-marking');
    observer.disconnect();
    try {
      options.onIncremental?.(old);
    } catch {
      // A notice that fails (a closed log stream) changes nothing: the marking has turned.
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  // disconnect() is idempotent: stop() may be called any number of times, also after the switch.
  return { marking: () => now, stop: () => observer.disconnect() };
}
