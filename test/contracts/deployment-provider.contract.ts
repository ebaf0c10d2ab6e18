import { describe, expect, it } from 'vitest';
import type { Database } from '../../platform/database.ts';
import type {
  DeploymentProvider,
  DeploymentStats,
  EndpointRef,
  TrafficSplitSpec,
} from '../../adapters/core/deployment.ts';

/** The split the owner routes by, as { deploymentId: percent } of live and of shadow traffic. */
export interface OwnerSplit {
  live: Record<string, number>;
  shadow: Record<string, number>;
}

export interface DeploymentProviderSetup {
  provider: DeploymentProvider;
  db: Database;
  close(): Promise<void>;
  /** Reads what the owner routes by (the built-in router's table; a cloud's endpoint weights). */
  readSplit(endpoint: EndpointRef): Promise<OwnerSplit>;
  /** A model server URL the owner accepts for a deployment. */
  modelServerUrl: string;
  /** Whether the owner refuses a deployment without a model server URL (the built-in router does). */
  requiresModelServerUrl: boolean;
  /** Makes the owner have served these figures for a deployment, when the setup can (else the figures test checks only zeros). */
  recordStats?(deploymentId: string, stats: DeploymentStats): void;
  /**
   * For owners whose endpoints and deployments are made with their own tooling, never by Cairn
   * (SageMaker endpoints and variants): makes an endpoint named `name` at the owner with one
   * deployment per entry of `roles` (a production or a shadow variant), taking no traffic, and
   * answers the native IDs. The suite then uses it instead of createEndpoint/createDeployment, and
   * checks that those two answer NOT_SUPPORTED.
   */
  createAtOwner?(
    name: string,
    roles: ('live' | 'shadow')[],
  ): Promise<{ endpointNativeId: string; deploymentNativeIds: string[] }>;
}

/**
 * What every DeploymentProvider must do. The suite records catalog rows itself after each call to
 * the owner, the way the deployments services do (providers never write the catalog), so any
 * provider runs it against a fresh catalog.
 */
export function deploymentProviderContract(name: string, setup: () => Promise<DeploymentProviderSetup>) {
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

  /** An endpoint with `count` deployments; those listed in `shadow` are made to mirror traffic where the owner fixes a deployment's role. */
  async function endpointWithDeployments(s: DeploymentProviderSetup, count: number, shadow: number[] = []) {
    const { provider, db } = s;
    const name = unique('contract');
    const atOwner = s.createAtOwner
      ? await s.createAtOwner(
          name,
          Array.from({ length: count }, (_, i) => (shadow.includes(i) ? 'shadow' : 'live')),
        )
      : null;
    const { nativeId } = atOwner ? { nativeId: atOwner.endpointNativeId } : await provider.createEndpoint(name);
    const endpoint = await db.endpoint.create({
      data: {
        id: `endpoint:${provider.providerName}:${nativeId}`,
        providerName: provider.providerName,
        name,
        nativeId,
        status: 'IN_SERVICE',
      },
    });
    const ref: EndpointRef = { id: endpoint.id, nativeId, name };
    const model = await db.registeredModel.create({
      data: { id: `model:builtin:${name}`, providerName: 'builtin', name, nativeId: name },
    });
    const deployments: { id: string; nativeId: string }[] = [];
    for (let version = 1; version <= count; version++) {
      const modelVersion = await db.modelVersion.create({
        data: {
          id: `modelVersion:builtin:${name}/${version}`,
          modelId: model.id,
          version,
          nativeId: `${name}/${version}`,
        },
      });
      const id = atOwner
        ? `deployment:${provider.providerName}:${atOwner.deploymentNativeIds[version - 1]}`
        : `deployment:${provider.providerName}:${name}/${name}-v${version}`;
      const created = atOwner
        ? { nativeId: atOwner.deploymentNativeIds[version - 1]! }
        : await provider.createDeployment(ref, {
            id,
            modelVersion: { id: modelVersion.id, nativeId: modelVersion.nativeId, modelName: name, version },
            strategy: 'CANARY',
            modelServerUrl: s.modelServerUrl,
          });
      await db.deployment.create({
        data: {
          id,
          endpointId: endpoint.id,
          modelVersionId: modelVersion.id,
          strategy: 'CANARY',
          status: 'ACTIVE',
          nativeId: created.nativeId,
          modelServerUrl: s.modelServerUrl,
        },
      });
      deployments.push({ id, nativeId: created.nativeId });
    }
    const split = (live: [number, number][], shadow: [number, number][] = []): TrafficSplitSpec => ({
      live: live.map(([index, percent]) => ({ ...deployments[index]!, deploymentId: deployments[index]!.id, percent })),
      shadow: shadow.map(([index, percent]) => ({
        ...deployments[index]!,
        deploymentId: deployments[index]!.id,
        percent,
      })),
    });
    /** Asks the owner for the split, then records it in the catalog as the traffic service does once the owner accepted. */
    const apply = async (spec: TrafficSplitSpec) => {
      await provider.applyTrafficSplit(ref, spec);
      await db.$transaction(async (tx) => {
        await tx.deployment.updateMany({
          where: { endpointId: endpoint.id },
          data: { trafficPercent: 0, shadowPercent: 0 },
        });
        for (const share of spec.live)
          await tx.deployment.update({ where: { id: share.deploymentId }, data: { trafficPercent: share.percent } });
        for (const share of spec.shadow)
          await tx.deployment.update({ where: { id: share.deploymentId }, data: { shadowPercent: share.percent } });
      });
    };
    /** What the owner answers when read back, in the suite's { id: percent } form. */
    const readBack = async (): Promise<OwnerSplit> => {
      const back = await provider.trafficSplitOf(ref, deployments);
      return {
        live: Object.fromEntries(back.live.map((x) => [x.deploymentId, x.percent])),
        shadow: Object.fromEntries(back.shadow.map((x) => [x.deploymentId, x.percent])),
      };
    };
    return { endpoint, ref, deployments, split, apply, readBack };
  }

  async function withSetup(run: (s: DeploymentProviderSetup) => Promise<void>) {
    const s = await setup();
    try {
      await run(s);
    } finally {
      await s.close();
    }
  }

  describe(`DeploymentProvider contract: ${name}`, () => {
    it('creates an endpoint and refuses a second one of the same name (CONFLICT)', () =>
      withSetup(async (s) => {
        const { ref } = await endpointWithDeployments(s, 0);
        expect(ref.nativeId).toBeTruthy();
        const error = await s.provider.createEndpoint(ref.name).catch((e: unknown) => e);
        // An owner whose endpoints are made with its own tooling says so, for any name.
        expect(error).toMatchObject({ code: s.createAtOwner ? 'NOT_SUPPORTED' : 'CONFLICT' });
        if (s.createAtOwner) {
          const deployment = await s.provider
            .createDeployment(ref, {
              id: `deployment:${s.provider.providerName}:${ref.name}/x`,
              modelVersion: { id: 'modelVersion:builtin:x/1', nativeId: 'x/1', modelName: 'x', version: 1 },
              strategy: 'RECREATE',
            })
            .catch((e: unknown) => e);
          expect(deployment).toMatchObject({ code: 'NOT_SUPPORTED' });
        }
      }));

    it('answers distinct native IDs for the deployments of one endpoint, which take no traffic until a split gives them some', () =>
      withSetup(async (s) => {
        const { ref, deployments, readBack } = await endpointWithDeployments(s, 2);
        expect(new Set(deployments.map((d) => d.nativeId)).size).toBe(2);
        expect(await s.readSplit(ref)).toEqual({ live: {}, shadow: {} });
        expect(await readBack()).toEqual({ live: {}, shadow: {} });
      }));

    it('routes by the whole split it is given: live shares, shadow shares apart, unnamed deployments at 0', () =>
      withSetup(async (s) => {
        const { ref, deployments, split, apply, readBack } = await endpointWithDeployments(s, 3, [2]);
        const [a, b, c] = deployments.map((d) => d.id) as [string, string, string];
        await apply(
          split(
            [
              [0, 90],
              [1, 10],
            ],
            [[2, 25]],
          ),
        );
        expect(await s.readSplit(ref)).toEqual({ live: { [a]: 90, [b]: 10 }, shadow: { [c]: 25 } });
        // Read back from the owner (as reconciliation does), it is the same split.
        expect(await readBack()).toEqual({ live: { [a]: 90, [b]: 10 }, shadow: { [c]: 25 } });
        await apply(split([[1, 100]]));
        expect(await s.readSplit(ref)).toEqual({ live: { [b]: 100 }, shadow: {} });
        expect(await readBack()).toEqual({ live: { [b]: 100 }, shadow: {} });
      }));

    it('refuses a split naming a deployment it does not have, and the split in force stays', () =>
      withSetup(async (s) => {
        const { ref, deployments, split, apply, readBack } = await endpointWithDeployments(s, 1);
        const [a] = deployments.map((d) => d.id) as [string];
        await apply(split([[0, 100]]));
        const ghost = {
          deploymentId: `deployment:${s.provider.providerName}:${ref.name}/ghost`,
          nativeId: 'ghost',
          percent: 50,
        };
        const error = await apply({
          live: [{ ...deployments[0]!, deploymentId: a, percent: 50 }, ghost],
          shadow: [],
        }).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: expect.stringMatching(/^(BAD_USER_INPUT|NOT_FOUND|UPSTREAM_UNAVAILABLE)$/),
        });
        expect(await s.readSplit(ref)).toEqual({ live: { [a]: 100 }, shadow: {} });
        expect(await readBack()).toEqual({ live: { [a]: 100 }, shadow: {} });
      }));

    it('routes nothing to a retired deployment', () =>
      withSetup(async (s) => {
        const { ref, deployments, split, apply, readBack } = await endpointWithDeployments(s, 2, [1]);
        const [a, b] = deployments.map((d) => d.id) as [string, string];
        await apply(split([[0, 100]], [[1, 50]]));
        await apply(split([[0, 100]]));
        await s.provider.retireDeployment(ref, deployments[1]!);
        await s.db.deployment.update({
          where: { id: b },
          data: { status: 'RETIRED', trafficPercent: 0, shadowPercent: 0 },
        });
        expect(await s.readSplit(ref)).toEqual({ live: { [a]: 100 }, shadow: {} });
        expect(await readBack()).toEqual({ live: { [a]: 100 }, shadow: {} });
        // A split giving it traffic again is refused before any owner is called: the deployments
        // services check the catalog's status (test/deployments.test.ts), since owners never read it.
      }));

    it('answers figures for every deployment asked, zero requests for one that served nothing', () =>
      withSetup(async (s) => {
        const { ref, deployments } = await endpointWithDeployments(s, 2);
        const [a, b] = deployments.map((d) => d.id) as [string, string];
        if (s.recordStats) s.recordStats(a, { requests: 40, errors: 2, latencyP99Ms: 85 });
        const since = new Date(Date.now() - 60_000);
        let stats: Map<string, DeploymentStats>;
        try {
          stats = await s.provider.deploymentStats(ref, [a, b], since);
        } catch (error) {
          // An owner without per-deployment metrics says so.
          expect(error).toMatchObject({ code: 'NOT_SUPPORTED' });
          return;
        }
        expect([...stats.keys()].sort()).toEqual([a, b].sort());
        expect(stats.get(b)).toMatchObject({ requests: 0, errors: 0 });
        if (s.recordStats) expect(stats.get(a)).toEqual({ requests: 40, errors: 2, latencyP99Ms: 85 });
      }));

    it('refuses a deployment without a usable model server URL when it needs one (BAD_USER_INPUT)', () =>
      withSetup(async (s) => {
        if (!s.requiresModelServerUrl) return;
        const { ref } = await endpointWithDeployments(s, 0);
        for (const modelServerUrl of [null, 'ftp://models/x', 'not a url']) {
          const error = await s.provider
            .createDeployment(ref, {
              id: `deployment:${s.provider.providerName}:${ref.name}/x`,
              modelVersion: { id: 'modelVersion:builtin:x/1', nativeId: 'x/1', modelName: 'x', version: 1 },
              strategy: 'RECREATE',
              modelServerUrl,
            })
            .catch((e: unknown) => e);
          expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
        }
      }));
  });
}
