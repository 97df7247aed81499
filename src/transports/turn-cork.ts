import type { Duplex } from 'node:stream';

/**
 * Batches the writes of one turn of the event loop on a socket that another library writes to (the
 * `ws` sender writes each frame on its own, one `writev` system call per message): the socket is
 * corked from the turn's second message on — from its first when the turn before carried several —
 * and uncorked at the end of the turn (`setImmediate`), so the frames of a turn leave in one system
 * call. A turn with a single message (one request in flight) is not delayed at all. Corks nest (Node
 * counts them), so the library's own cork/uncork around a frame does not flush early.
 */
export class TurnCork {
  readonly #socket: Duplex;
  #scheduled = false;
  #corked = false;
  #turnMessages = 0;
  #lastTurnMessages = 0;

  /** @param socket - the socket the messages are written to */
  constructor(socket: Duplex) {
    this.#socket = socket;
  }

  /** Call before each message is written. */
  beforeWrite(): void {
    this.#turnMessages++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#endTurn);
    }
    if (!this.#corked && (this.#turnMessages > 1 || this.#lastTurnMessages > 1)) {
      this.#corked = true;
      this.#socket.cork();
    }
  }

  readonly #endTurn = (): void => {
    this.#scheduled = false;
    this.#lastTurnMessages = this.#turnMessages;
    this.#turnMessages = 0;
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  };
}
