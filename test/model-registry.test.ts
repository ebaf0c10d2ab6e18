import { BuiltinModelRegistryProvider } from '../adapters/builtin/model-registry.ts';
import { modelRegistryContract } from './contracts/model-registry.contract.ts';
import { startTestCairn } from './testkit.ts';

modelRegistryContract('built-in', async () => {
  const cairn = await startTestCairn();
  return { provider: new BuiltinModelRegistryProvider(cairn.db), db: cairn.db, close: () => cairn.close() };
});
