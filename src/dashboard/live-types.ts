/**
 * The shapes the live dashboard, `switchboard top` and the browser page share: what a snapshot and a
 * frame of the live stream carry. Plain data only (no Node types), so the page can import it too.
 */

/** Direction of a frame at the client-facing edge: `in` from the client, `out` to the client. */
export type LiveDirection = 'in' | 'out';

/** What a frame is. */
export type LiveFrameKind = 'request' | 'notification' | 'result' | 'error';

/** One frame as the dashboard shows it: classified, redacted, bounded. */
export interface LiveFrame {
  /** Increasing sequence number (gaps mean frames were not kept, e.g. over the preview budget). */
  seq: number;
  /** When it passed, ms since the epoch. */
  time: number;
  session: string;
  /** The backend server it concerns (the single backend of `serve`; a gateway names each). */
  server: string;
  direction: LiveDirection;
  kind: LiveFrameKind;
  /** The request's method (for answers: the method they answer), when known. */
  method?: string | undefined;
  id?: string | number | undefined;
  /** `tools/call` tool name, `prompts/get` prompt name, `resources/read` URI. */
  target?: string | undefined;
  /** Answers: how long the request took, ms. */
  durationMs?: number | undefined;
  /** Error answers (JSON-RPC error or a tool result with `isError`): the message. */
  error?: string | undefined;
  /** The payload, redacted with the log rules and cut to a bounded size (JSON text). */
  preview?: string | undefined;
}

/** A client session. */
export interface LiveSession {
  id: string;
  clientName?: string | undefined;
  clientVersion?: string | undefined;
  /** `2025` (initialize + sessions; the negotiated version in `protocolVersion`) or `2026` (stateless). */
  era?: string | undefined;
  protocolVersion?: string | undefined;
  /** Who the caller proved to be (client id of the token or key), when authenticated. */
  principal?: string | undefined;
  /** The frontend it came through (`http`, `tcp`, `ws`, `stdio`, …). */
  frontend: string;
  remoteAddress?: string | undefined;
  openedAt: number;
  closedAt?: number | undefined;
  inflight: number;
  requests: number;
  errors: number;
}

/** One backend connection or child: one per session (per-session mode) or one shared. */
export interface LiveBackend {
  server: string;
  /** The session it serves, or `shared`. */
  instance: string;
  state: 'starting' | 'up' | 'restarting' | 'failed' | 'closed';
  starts: number;
  restarts: number;
  lastExit?:
    | {
        time: number;
        message: string;
        exitCode?: number | null | undefined;
        signal?: string | null | undefined;
        uptimeMs: number;
      }
    | undefined;
  /** The last lines the child wrote to stderr (operator-only: never sent to MCP clients). */
  stderr: string[];
}

/** A request waiting for its answer. */
export interface LiveInflight {
  session: string;
  server: string;
  id: string | number;
  method: string;
  target?: string | undefined;
  startedAt: number;
  /** The last progress notification: `progress` of `total`, and its message. */
  progress?: { progress: number; total?: number | undefined; message?: string | undefined } | undefined;
}

/** A finished call, for the "slowest recent calls" list. */
export interface LiveCall {
  session: string;
  server: string;
  method: string;
  target?: string | undefined;
  durationMs: number;
  time: number;
  error?: string | undefined;
}

/** Time series of one operation (a tool, or a method such as `resources/read`) of one server. */
export interface LiveSeries {
  server: string;
  /** `tools/call` for tools; the method otherwise. */
  method: string;
  /** The tool name, prompt name or URI; absent for other methods. */
  target?: string | undefined;
  /** Calls over the whole window. */
  calls: number;
  errors: number;
  /** Start of each bucket, ms since the epoch (oldest first). */
  time: number[];
  /** Calls per second in each bucket. */
  rate: number[];
  /** Share of calls that failed in each bucket, 0…1 (`null` without calls). */
  errorRate: (number | null)[];
  /** Latency percentiles of each bucket, ms (`null` without calls). */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/** Everything the dashboard shows, at one moment. */
export interface LiveSnapshot {
  time: number;
  /** When monitoring started, ms since the epoch. */
  since: number;
  /** Seconds covered by each series bucket. */
  bucketSeconds: number;
  totals: {
    sessions: number;
    inflight: number;
    requests: number;
    errors: number;
    /** Calls per second over the last bucket. */
    rate: number;
    framesDropped: number;
  };
  sessions: LiveSession[];
  backends: LiveBackend[];
  inflight: LiveInflight[];
  slowest: LiveCall[];
  series: LiveSeries[];
}
