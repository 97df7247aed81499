/**
 * Era matrix, backend: an SDK v2 dual-era server. Every client era against it through `serve`, on every frontend, in
 * per-session and shared modes (see era-matrix.ts for the cells' steps).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  CLIENTS,
  FRONTENDS,
  MODES,
  frontendTransport,
  matrixClient,
  runCell,
  startMatrixServe,
  eraServerProfile,
} from './era-matrix.js';
import { stopsInBackground, type Started } from './processes.js';

const profile = eraServerProfile('dual');

// Each mode's serve stops while the next mode's cells run (its shutdown and its children's take a
// while), and no cell needs it gone.
const stopLater = stopsInBackground();

describe.each(MODES)('era matrix: an SDK v2 dual-era server, %s mode', (mode) => {
  let serve: (Started & { urls: string[] }) | undefined;
  beforeAll(async () => {
    serve = await startMatrixServe(profile, mode);
  }, 120_000);
  afterAll(() => {
    if (serve) stopLater(serve.stop());
  });

  const cells = CLIENTS.flatMap((client) => FRONTENDS.map((frontend) => [client, frontend] as const));
  // Shared mode runs its cells one after the other: on a shared stdio backend, which 2025 session a
  // server→client request belongs to is a guess when several sessions have calls in flight.
  const each = mode === 'shared' ? it.each(cells) : it.concurrent.each(cells);
  each('%s client via the %s frontend', { timeout: 120_000 }, async (client, frontend) => {
    const token = `${mode}-${client}-${frontend}`;
    const c = matrixClient(client, token);
    await c.connect(frontendTransport(frontend, client, serve?.urls ?? [], profile, mode));
    try {
      await runCell(c, profile, token);
    } finally {
      await c.close();
    }
  });
});
