import { payloadText } from '../lib/mcp-frames.js';
import { socketChannelWith } from '../subjects/raw.js';
import { startSwitchboard, serveMissing } from '../subjects/switchboard-serve.js';
import { benchCase, caseId } from './cases.js';

/**
 * What the era bridge's cost is made of, next to the `era-bridge` cases (TCP frontend, lean 2025
 * client, raw echo backends):
 * - the format's bytes alone: a 2025 relay whose client sends the very envelope the bridge adds and whose
 *   backend stamps its results as a 2026-07-28 server does — every hop carries the bridge's bytes (the
 *   client's too, so this slightly overstates them), nothing is translated;
 * - large results: a small request answered with 64 KiB or 1 MiB of text, relayed from a 2025 backend vs
 *   bridged from a 2026-07-28-only one (the bridge splices such results instead of re-serialising them).
 */

/** The envelope the bridge adds to a request of the lean client (its `initialize` facts). */
const ENVELOPE =
  '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"switchboard-bench","version":"0.0.0"}}';

/** @param {number} payloadBytes - tools/call echo lines with the envelope in params */
function envelopeFrames(payloadBytes) {
  const tail = `,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${payloadText(payloadBytes)}"},${ENVELOPE}}}`;
  return { line: (/** @type {number} */ id) => `{"jsonrpc":"2.0","id":${id}${tail}` };
}

/** @param {number} size - tools/call lines asking for `size` bytes of text */
function sizedFrames(size) {
  const tail = `,"method":"tools/call","params":{"name":"echo","arguments":{"size":${size}}}}`;
  return { line: (/** @type {number} */ id) => `{"jsonrpc":"2.0","id":${id}${tail}` };
}

const GROUP = 'Era bridge: the bytes alone, and large results (TCP, lean 2025 client, raw echo backends)';

/**
 * @param {{ subject: string, label: string, script: string, concurrency: number, payloadBytes?: number,
 *   baseline?: string, frames?: (payloadBytes: number) => { line: (id: number) => string } }} spec
 * @param {string | undefined} missing
 */
function tcpCase(spec, missing) {
  return benchCase({
    scenario: 'era-bytes',
    subject: spec.subject,
    group: GROUP,
    system: 'switchboard',
    label: spec.label,
    transport: 'TCP',
    concurrency: spec.concurrency,
    ...(spec.payloadBytes === undefined ? {} : { payloadBytes: spec.payloadBytes }),
    baseline: spec.baseline,
    unavailable: missing,
    setup: async (ctx, payloadBytes) => {
      const { url } = await startSwitchboard(ctx, {
        backend: { kind: 'stdio', script: spec.script },
        frontend: 'tcp',
      });
      if (!url) throw new Error('switchboard returned no URL');
      return socketChannelWith(url, payloadBytes, spec.frames?.(payloadBytes));
    },
  });
}

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'era-bytes',
  title: 'Era bridge: what the 2026-07-28 bytes cost by themselves, and large results',
  inDefault: false,
  cases: async () => {
    const missing = await serveMissing();
    const relay = caseId('era-bytes', 'switchboard-2025-stdio-to-tcp', 64);
    const cases = [
      tcpCase(
        {
          subject: 'switchboard-2025-stdio-to-tcp',
          label: 'switchboard: 2025 raw echo (frame relay) → TCP frontend',
          script: 'raw-echo-stdio.js',
          concurrency: 64,
        },
        missing,
      ),
      tcpCase(
        {
          subject: 'switchboard-2025-same-bytes-stdio-to-tcp',
          label:
            'switchboard: 2025 relay carrying the bridge’s bytes (envelope in, stamped results out) → TCP frontend',
          script: 'raw-echo-stamped-stdio.js',
          concurrency: 64,
          baseline: relay,
          frames: envelopeFrames,
        },
        missing,
      ),
      tcpCase(
        {
          subject: 'switchboard-2026-stdio-to-tcp',
          label: 'switchboard: 2026-07-28-only raw echo (era bridge) → TCP frontend',
          script: 'raw-echo-modern-stdio.js',
          concurrency: 64,
          baseline: relay,
        },
        missing,
      ),
    ];
    for (const size of [64 * 1024, 1024 * 1024]) {
      const sizedRelay = caseId('era-bytes', 'switchboard-2025-large-result-stdio-to-tcp', 8, size);
      cases.push(
        tcpCase(
          {
            subject: 'switchboard-2025-large-result-stdio-to-tcp',
            label:
              'switchboard: small request, large result from a 2025 raw echo (frame relay) → TCP frontend',
            script: 'raw-echo-sized-stdio.js',
            concurrency: 8,
            payloadBytes: size,
            frames: sizedFrames,
          },
          missing,
        ),
        tcpCase(
          {
            subject: 'switchboard-2026-large-result-stdio-to-tcp',
            label:
              'switchboard: small request, large result from a 2026-07-28-only raw echo (era bridge) → TCP frontend',
            script: 'raw-echo-modern-sized-stdio.js',
            concurrency: 8,
            payloadBytes: size,
            baseline: sizedRelay,
            frames: sizedFrames,
          },
          missing,
        ),
      );
    }
    return cases;
  },
};
