// Runs before `npm start` and `npm test` with nothing but Node: says in one line what is missing.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
// 20.19: the first Node 20 that the dashboard's build (Vite) runs on.
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`cairn needs Node.js 20.19 or newer (this is ${process.version})`);
  process.exit(1);
}
if (!existsSync(new URL('../../node_modules/.package-lock.json', import.meta.url))) {
  console.error('cairn: dependencies are not installed: run `npm ci` first');
  process.exit(1);
}
