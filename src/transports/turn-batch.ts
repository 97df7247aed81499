/**
 * The batching rule of a writer that joins the messages of one turn of the event loop: the first
 * message of a turn goes out at once while the turns carry one message each (one request in flight:
 * nothing to batch); every other message waits for the end of its turn, where `onTurnEnd` writes what
 * waited. After a turn with several messages, the next turn waits from its first message.
 */
export class TurnBatch {
  readonly #onTurnEnd: () => void;
  #turnMessages = 0;
  #lastTurnMessages = 0;

  /** @param onTurnEnd - called at the end of every turn in which a message was counted */
  constructor(onTurnEnd: () => void) {
    this.#onTurnEnd = onTurnEnd;
  }

  /**
   * Counts a message about to be written; `true` when it should wait for the end of the turn, `false`
   * when it goes out at once. The first message of a turn schedules the turn's end (`setImmediate`).
   */
  hold(): boolean {
    if (this.#turnMessages++ > 0) return true;
    setImmediate(this.#endTurn);
    return this.#lastTurnMessages > 1;
  }

  readonly #endTurn = (): void => {
    this.#lastTurnMessages = this.#turnMessages;
    this.#turnMessages = 0;
    this.#onTurnEnd();
  };
}
