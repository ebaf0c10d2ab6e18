/** A model server in a process of its own for the router bench (emulators/model-server.ts): prints its URL, runs until killed. */
import { startModelServer } from '../emulators/model-server.ts';

const server = await startModelServer({ name: 'bench', score: 0.5 });
process.stdout.write(`${server.url}\n`);
