import type { RedisClient } from './redis-client.js';
import type { StreamReader } from './stream-reader.js';

/**
 * Sends one connection's records in order over two Redis connections: on the reply reader's connection
 * while it is free (right after a delivery: the record and the next read leave in one write, the
 * common case of a request sent in reaction to an answer), else on the command connection. Records on
 * one connection are stored in order; so a record goes to the other connection only once nothing of
 * this client connection is in flight, and otherwise waits for the one before it.
 */
export class SubmitOrder {
  readonly #reader: StreamReader;
  readonly #commands: RedisClient;
  #inflight = 0;
  /** Where the records in flight went: all on the reader, all on the command connection, or chained. */
  #route: 'reader' | 'commands' | 'chained' = 'commands';
  #tail: Promise<unknown> = Promise.resolve();

  constructor(reader: StreamReader, commands: RedisClient) {
    this.#reader = reader;
    this.#commands = commands;
  }

  /** Sends `args` after every command sent here before; resolves with its reply. */
  send(args: string[]): Promise<unknown> {
    const idle = this.#inflight === 0;
    let sent = idle || this.#route === 'reader' ? this.#reader.sendAhead(args) : undefined;
    if (sent !== undefined) this.#route = 'reader';
    else if (idle || this.#route === 'commands') {
      sent = this.#commands.sendCommand(args);
      this.#route = 'commands';
    } else {
      // The one before is on the other connection and still in flight: after it, never before.
      const send = (): Promise<unknown> => this.#commands.sendCommand(args);
      sent = this.#tail.then(send, send);
      this.#route = 'chained';
    }
    this.#inflight++;
    this.#tail = sent;
    const settled = (): void => {
      this.#inflight--;
    };
    sent.then(settled, settled);
    return sent;
  }
}
