/** Connections whose reply stream a worker remembers at most (the oldest is forgotten beyond). */
export const MAX_ROUTES = 100_000;

/**
 * Where a worker sends each connection's replies: the stream named by the client's latest `open`
 * record, else the one recorded in the connection's hash (a connection adopted from a dead worker, or
 * read after a restart), else the connection's own stream (a client that names none). Bounded: a route
 * forgotten is looked up again.
 */
export class ReplyRoutes {
  readonly #routes = new Map<string, string | Promise<string>>();
  readonly #lookup: (conn: string) => Promise<string>;

  /** @param lookup - the connection's reply stream as the broker records it */
  constructor(lookup: (conn: string) => Promise<string>) {
    this.#lookup = lookup;
  }

  /**
   * The client of `conn` reads its replies from `key` from now on (after replies already waiting for a
   * lookup of its route, which keep their place).
   */
  set(conn: string, key: string): void {
    const current = this.#routes.get(conn);
    if (current === undefined || typeof current === 'string') {
      this.#put(conn, key);
      return;
    }
    const after = (): string => key;
    void this.#settle(conn, current.then(after, after));
  }

  /**
   * The reply stream of `conn`: a string when known, else a promise (one lookup per connection), which
   * replies wait for in the order they were made.
   */
  get(conn: string): string | Promise<string> {
    const known = this.#routes.get(conn);
    if (known !== undefined) return known;
    return this.#settle(conn, this.#lookup(conn));
  }

  #settle(conn: string, route: Promise<string>): Promise<string> {
    this.#put(conn, route);
    route.then(
      (key) => {
        if (this.#routes.get(conn) === route) this.#routes.set(conn, key);
      },
      // Looked up again by the next reply.
      () => {
        if (this.#routes.get(conn) === route) this.#routes.delete(conn);
      },
    );
    return route;
  }

  #put(conn: string, route: string | Promise<string>): void {
    this.#routes.delete(conn);
    this.#routes.set(conn, route);
    if (this.#routes.size > MAX_ROUTES) {
      const oldest = this.#routes.keys().next().value;
      if (oldest !== undefined) this.#routes.delete(oldest);
    }
  }

  /** Forgets `conn` (closed, or served by another worker). */
  delete(conn: string): void {
    this.#routes.delete(conn);
  }
}
