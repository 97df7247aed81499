import type { Duplex } from 'node:stream';
import { TurnBatch } from './turn-batch.js';

/**
 * Batches the writes of one turn of the event loop on a socket that another library writes to (the
 * `ws` sender writes each frame on its own, one `writev` system call per message): the socket is
 * corked for the messages {@link TurnBatch} holds — from the turn's second message on, from its first
 * when the turn before carried several — and uncorked at the end of the turn, so the frames of a turn
 * leave in one system call. A turn with a single message (one request in flight) is not delayed.
 * Corks nest (Node counts them), so the library's own cork/uncork around a frame does not flush early.
 */
export class TurnCork {
  readonly #socket: Duplex;
  #corked = false;
  readonly #turn = new TurnBatch(() => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  });

  /** @param socket - the socket the messages are written to */
  constructor(socket: Duplex) {
    this.#socket = socket;
  }

  /** Call before each message is written. */
  beforeWrite(): void {
    if (!this.#turn.hold() || this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
  }
}
