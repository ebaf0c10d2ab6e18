#!/usr/bin/env node
// Entry point of the `cairn` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

// ESM hooks only: CommonJS dependencies load natively, without a resolver hook on every require.

register();
await import('./cairn.ts');
