#!/usr/bin/env node
// The `switchboard` executable. All logic lives in ./cli/main.ts.
import { main } from './cli/main.js';

await main();
