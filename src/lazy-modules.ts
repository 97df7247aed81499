/**
 * Libraries that only some configurations use, loaded on first use instead of at startup (each costs
 * tens of milliseconds to load; undici over 100 ms on a small machine): a stdio proxy never loads an
 * HTTP client, a WebSocket library, a YAML parser or a pretty printer.
 *
 * The single-file executable's bundle replaces this module with static imports of the same libraries
 * (see `codegen/executable/bundle-stubs.ts`): there, nothing is loaded from disk.
 */
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type * as Undici from 'undici';
import type * as Yaml from 'yaml';
import type * as Ws from 'ws';

const requireHere = createRequire(import.meta.url);
let undici: typeof Undici | undefined;
let yaml: typeof Yaml | undefined;
let pinoPretty: typeof PinoPretty | undefined;
let ws: typeof Ws | undefined;

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
