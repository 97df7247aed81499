/** A running round-robin front. */
export interface Balancer {
  url: string;
  /** Requests answered by each gateway, in the order given. */
  requests: number[];
  /** The last connection errors towards gateways (at most 100). */
  errors: string[];
  close(): Promise<void>;
}

/** Starts a round-robin HTTP front on 127.0.0.1 over `targets` (gateway base URLs). */
export function startBalancer(targets: string[], options?: { port?: number }): Promise<Balancer>;
