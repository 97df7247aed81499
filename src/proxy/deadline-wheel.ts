/**
 * Something with a deadline, kept by a {@link DeadlineWheel}. Owners subclass it (the in-flight table's
 * request entries do), so scheduling one allocates nothing beyond the entry itself.
 */
export abstract class WheelEntry {
  /**
   * When the entry expires, in ms since the epoch (`Date.now()` time). The owner may move it later at
   * any time without telling the wheel: when its bucket comes due the wheel files it again. An earlier
   * deadline needs {@link DeadlineWheel.schedule} again.
   */
  deadline = Infinity;
  /** The bucket the wheel filed this entry in; set and cleared by the wheel only. */
  wheelBucket: Set<WheelEntry> | undefined = undefined;
  /** How coarse this entry's deadline may be, in ms (its bucket's width); set by the wheel. */
  wheelSlackMs = 0;

  /** Called once when the deadline passed; the wheel has let go of the entry already. Must not throw. */
  abstract expire(now: number): void;
}

/** Finest bucket width: deadlines closer than this share a bucket (and a timer wake-up). */
export const MIN_SLACK_MS = 10;

/**
 * Coarse deadlines for many short-lived entries (requests in flight) with one timer for the whole
 * process, instead of a timer per entry or per table.
 *
 * Entries are filed in buckets by deadline rounded up to their slack (a multiple of `slackMs`, at least
 * {@link MIN_SLACK_MS}): scheduling and cancelling are a `Set` insertion and deletion, with no timer
 * call. One unref'd timer is armed for the earliest bucket only; it never keeps the process alive. An
 * entry expires after its deadline, at most `slackMs` late (plus event-loop delay). Buckets emptied by
 * cancellation stay until their time (so steady traffic reuses them) and are dropped when they come due,
 * so the wheel holds about (deadline horizon / slack) buckets and no more entries than its owners hold.
 *
 * @example
 * ```ts
 * class Call extends WheelEntry {
 *   expire(): void { console.error('call timed out'); }
 * }
 * const call = new Call();
 * call.deadline = Date.now() + 5_000;
 * processDeadlineWheel.schedule(call, 500); // fires 5.0–5.5 s from now
 * processDeadlineWheel.cancel(call); // answered in time
 * ```
 */
export class DeadlineWheel {
  readonly #buckets = new Map<number, Set<WheelEntry>>();
  /** Due times of the buckets, ascending. */
  readonly #dues: number[] = [];
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #size = 0;

  /**
   * @param onError - told when an entry's `expire` threw (default: a process warning); the other
   *   entries expire regardless
   */
  constructor(onError?: (error: unknown) => void) {
    this.#onError = onError ?? warn;
  }

  /** Entries scheduled and not yet expired or cancelled. */
  get size(): number {
    return this.#size;
  }

  /** Buckets held, empty ones included (they go when they come due). */
  get bucketCount(): number {
    return this.#buckets.size;
  }

  /**
   * Files `entry` by its `deadline` (an entry already on this wheel is moved). A deadline of `Infinity`
   * (or NaN) only takes the entry off the wheel.
   * @param slackMs - how late the entry may expire, in ms (at least {@link MIN_SLACK_MS})
   */
  schedule(entry: WheelEntry, slackMs: number): void {
    this.cancel(entry);
    if (!Number.isFinite(entry.deadline)) return;
    const slack = slackMs >= MIN_SLACK_MS ? Math.floor(slackMs) : MIN_SLACK_MS;
    const due = Math.ceil(entry.deadline / slack) * slack;
    let bucket = this.#buckets.get(due);
    if (bucket === undefined) bucket = this.#addBucket(due);
    bucket.add(entry);
    entry.wheelBucket = bucket;
    entry.wheelSlackMs = slack;
    this.#size++;
  }

  /** Takes `entry` off the wheel (a no-op when it is not on it). */
  cancel(entry: WheelEntry): void {
    const bucket = entry.wheelBucket;
    if (bucket === undefined) return;
    entry.wheelBucket = undefined;
    if (bucket.delete(entry)) this.#size--;
  }

  /**
   * Drops every entry (none expires) and stops the timer. Idempotent; entries scheduled later arm the
   * wheel again (the process-wide wheel outlives whoever closes it).
   */
  close(): void {
    for (const bucket of this.#buckets.values()) {
      for (const entry of bucket) entry.wheelBucket = undefined;
    }
    this.#buckets.clear();
    this.#dues.length = 0;
    this.#size = 0;
    this.#disarm();
  }

  #addBucket(due: number): Set<WheelEntry> {
    const bucket = new Set<WheelEntry>();
    this.#buckets.set(due, bucket);
    const dues = this.#dues;
    // Deadlines mostly grow with time: a new bucket is nearly always the latest one.
    if (dues.length === 0 || due > (dues[dues.length - 1] as number)) dues.push(due);
    else dues.splice(insertionPoint(dues, due), 0, due);
    if (due < this.#armedFor) this.#arm(due);
    return bucket;
  }

  #arm(due: number): void {
    this.#disarm();
    this.#armedFor = due;
    this.#timer = setTimeout(this.#fire, Math.max(1, due - Date.now()));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    const dues = this.#dues;
    let ripe = 0;
    while (ripe < dues.length && (dues[ripe] as number) <= now) ripe++;
    const fired = dues.splice(0, ripe);
    const expired: WheelEntry[] = [];
    for (const due of fired) {
      const bucket = this.#buckets.get(due) as Set<WheelEntry>;
      this.#buckets.delete(due);
      for (const entry of bucket) {
        entry.wheelBucket = undefined;
        this.#size--;
        // Pushed out since it was filed (progress): filed again, by its new deadline.
        if (entry.deadline > now) this.schedule(entry, entry.wheelSlackMs);
        else expired.push(entry);
      }
    }
    // Buckets every entry left early are not worth a wake-up.
    while (dues.length > 0 && (this.#buckets.get(dues[0] as number) as Set<WheelEntry>).size === 0) {
      this.#buckets.delete(dues.shift() as number);
    }
    const next = dues[0];
    if (next === undefined) this.#disarm();
    else if (next !== this.#armedFor) this.#arm(next);
    // Expired last: an owner that schedules or cancels from `expire` finds the wheel consistent.
    for (const entry of expired) {
      try {
        entry.expire(now);
      } catch (error) {
        this.#onError(error);
      }
    }
  };
}

function warn(error: unknown): void {
  process.emitWarning(
    `A deadline's expire() threw: ${error instanceof Error ? error.message : String(error)}`,
    'DeadlineWheelWarning',
  );
}

/** Index of the first element of ascending `sorted` that is greater than `value`. */
function insertionPoint(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The wheel of the process: every relay and gateway session files its request deadlines here, so
 * however many sessions are open, one timer serves them.
 */
export const processDeadlineWheel = new DeadlineWheel();
