import type { EndpointScheme } from '../scheme.js';
import { memoryScheme } from './memory.js';
import { stdioScheme } from './stdio.js';

/**
 * The endpoint registry: scheme name → implementation. A new transport registers by adding one entry
 * here (one file per scheme in this folder); nothing else dispatches on scheme names.
 */
export const schemes: Readonly<Record<string, EndpointScheme>> = {
  [memoryScheme.name]: memoryScheme,
  [stdioScheme.name]: stdioScheme,
};
