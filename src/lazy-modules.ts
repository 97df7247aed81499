/**
 * Libraries that only some configurations use, loaded on first use instead of at startup (each costs
 * tens of milliseconds to load; undici over 100 ms on a small machine): a stdio proxy never loads an
 * HTTP client, a WebSocket library, a YAML parser, a pretty printer, a JWT library, the Prometheus
 * client (until metrics are scraped), the OpenTelemetry API (until an SDK is registered) or cockatiel
 * (until a retry, a restart or a breaker sample needs it).
 *
 * The single-file executable's bundle replaces this module with static imports of the same libraries
 * (see `codegen/executable/bundle-stubs.ts`): there, nothing is loaded from disk.
 */
import { createRequire } from 'node:module';
import type * as OpenTelemetry from '@opentelemetry/api';
import type * as Cockatiel from 'cockatiel';
import type * as Jose from 'jose';
import type PinoPretty from 'pino-pretty';
import type * as PromClient from 'prom-client';
import type * as Undici from 'undici';
import type * as Yaml from 'yaml';
import type * as Ws from 'ws';

const requireHere = createRequire(import.meta.url);
let undici: typeof Undici | undefined;
let yaml: typeof Yaml | undefined;
let pinoPretty: typeof PinoPretty | undefined;
let ws: typeof Ws | undefined;
let jose: typeof Jose | undefined;
let promClient: typeof PromClient | undefined;
let cockatiel: typeof Cockatiel | undefined;
let openTelemetry: typeof OpenTelemetry | undefined;

/** The undici HTTP client. */
export function loadUndici(): typeof Undici {
  return (undici ??= requireHere('undici') as typeof Undici);
}

/** The YAML parser. */
export function loadYaml(): typeof Yaml {
  return (yaml ??= requireHere('yaml') as typeof Yaml);
}

/** pino-pretty (logs for a terminal). */
export function loadPinoPretty(): typeof PinoPretty {
  return (pinoPretty ??= requireHere('pino-pretty') as typeof PinoPretty);
}

/** The WebSocket library (`ws`: `WebSocket` and `WebSocketServer`). */
export function loadWs(): typeof Ws {
  return (ws ??= requireHere('ws') as typeof Ws);
}

/** jose (JWT verification). ESM-only: `require()` of ES modules without top-level await (Node ≥ 20.19). */
export function loadJose(): typeof Jose {
  return (jose ??= requireHere('jose') as typeof Jose);
}

/** The Prometheus client (`prom-client`). */
export function loadPromClient(): typeof PromClient {
  return (promClient ??= requireHere('prom-client') as typeof PromClient);
}

/** cockatiel (backoff, retry policy, sampling breaker). */
export function loadCockatiel(): typeof Cockatiel {
  return (cockatiel ??= requireHere('cockatiel') as typeof Cockatiel);
}

/** The OpenTelemetry API (`@opentelemetry/api`). */
export function loadOpenTelemetry(): typeof OpenTelemetry {
  return (openTelemetry ??= requireHere('@opentelemetry/api') as typeof OpenTelemetry);
}
