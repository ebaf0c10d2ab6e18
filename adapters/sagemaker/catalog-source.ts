import { createHash } from 'node:crypto';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeFeatureGroupCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ListArtifactsCommand,
  ListAssociationsCommand,
  ListContextsCommand,
  ListEndpointsCommand,
  ListFeatureGroupsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  type AssociationSummary,
  type DescribeEndpointConfigCommandOutput,
  type DescribeModelCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type {
  CatalogRecords,
  CatalogSource,
  DatasetRecord,
  DeploymentRecord,
  LineageEdgeRecord,
  Listed,
  NativeRef,
  SyncCollection,
  SyncedKind,
} from '../core/catalog-source.ts';
import { log } from '../../platform/log.ts';
import { callSageMaker } from './client.ts';
import {
  dtypeOf,
  endpointStatusOf,
  fromCustomerMetadata,
  isModelPackageArn,
  percentsFromWeights,
  shadowPercent,
  stageFromSageMaker,
  ttlSecondsOf,
} from './mapping.ts';

/** Items per listing call (SageMaker's maximum). */
const PAGE_SIZE = 100;
/** Assets per page handed to the engine: one transaction each. */
const SYNC_PAGE_SIZE = 500;
/** Describe calls in flight at once per collection. */
const DESCRIBE_CONCURRENCY = 8;

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every item of a NextToken listing, one array per response. */
async function* listAll<T>(fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; NextToken?: string }>): AsyncIterable<T[]> {
  let token: string | undefined;
  do {
    const { items, NextToken } = await fetch(token);
    yield items ?? [];
    // Some listings (ListFeatureGroups) answer an empty NextToken on their last page.
    token = NextToken || undefined;
  } while (token);
}

/** Regroups listing responses into the engine's pages. */
async function* rebatch<T>(source: AsyncIterable<T[]>, size = SYNC_PAGE_SIZE): AsyncIterable<T[]> {
  let buffer: T[] = [];
  for await (const items of source) {
    buffer.push(...items);
    while (buffer.length >= size) {
      yield buffer.slice(0, size);
      buffer = buffer.slice(size);
    }
  }
  if (buffer.length) yield buffer;
}

/** The endpoint name of an endpoint ARN (`arn:…:endpoint/<name>`). */
const endpointNameOf = (arn: string) => arn.slice(arn.indexOf(':endpoint/') + ':endpoint/'.length);

/**
 * Pulls a SageMaker account/region into Cairn's catalog: feature groups, model package groups and
 * packages, endpoints with their production and shadow variants, and ML Lineage (artifacts,
 * contexts, associations) collapsed to the edges Cairn knows.
 */
export class SageMakerCatalogSource implements CatalogSource {
  /** Endpoint configs and models are immutable in SageMaker: described once per process. */
  private readonly endpointConfigs = new Map<string, Promise<DescribeEndpointConfigCommandOutput | null>>();
  private readonly models = new Map<string, Promise<DescribeModelCommandOutput | null>>();

  constructor(
    readonly providerName: string,
    private readonly client: SageMakerClient,
  ) {}

  private call<T>(operation: string, send: () => Promise<T>) {
    return callSageMaker(this.providerName, operation, send);
  }

  /** Describes a resource, answering null when it vanished since it was listed. */
  private async describeOrNull<T>(operation: string, send: () => Promise<T>, id: string): Promise<T | null> {
    try {
      return await callSageMaker(this.providerName, operation, send, { kind: operation, id });
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  collections(): SyncCollection[] {
    let lineage: Promise<{ datasets: Listed<DatasetRecord>[]; edges: Listed<LineageEdgeRecord>[] }> | null = null;
    const readLineage = () => (lineage ??= this.readLineage());
    const collection = <K extends SyncedKind>(c: SyncCollection<K>) => c as unknown as SyncCollection;
    return [
      collection<'featureView'>({ kind: 'featureView', pages: () => this.featureGroupPages(), describe: (items) => mapLimit(items, DESCRIBE_CONCURRENCY, (item) => this.describeFeatureGroup(item.nativeId)) }),
      collection<'model'>({ kind: 'model', pages: () => this.modelGroupPages(), describe: async (items) => items.map((item) => item.record ?? null) }),
      collection<'modelVersion'>({ kind: 'modelVersion', pages: () => this.modelPackagePages(), describe: (items) => mapLimit(items, DESCRIBE_CONCURRENCY, (item) => this.describeModelPackage(item.nativeId)) }),
      collection<'endpoint'>({ kind: 'endpoint', pages: () => this.endpointPages(), describe: (items) => mapLimit(items, DESCRIBE_CONCURRENCY, (item) => this.describeEndpoint(item.nativeId)) }),
      collection<'dataset'>({
        kind: 'dataset',
        pages: async function* () {
          yield* rebatch((async function* () { yield (await readLineage()).datasets; })());
        },
        describe: async (items) => items.map((item) => item.record ?? null),
      }),
      collection<'lineageEdge'>({
        kind: 'lineageEdge',
        pages: async function* () {
          yield* rebatch((async function* () { yield (await readLineage()).edges; })());
        },
        describe: async (items) => items.map((item) => item.record ?? null),
      }),
    ];
  }

  // --- feature groups -> feature views -------------------------------------------------------

  private featureGroupPages(): AsyncIterable<Listed<CatalogRecords['featureView']>[]> {
    const source = listAll(async (token) => {
      const page = await this.call('ListFeatureGroups', () => this.client.send(new ListFeatureGroupsCommand({ MaxResults: PAGE_SIZE, NextToken: token })));
      // The listing has no modification time: every group is described, and written only if it changed.
      return { items: page.FeatureGroupSummaries?.map((g) => ({ nativeId: `${g.FeatureGroupName!}/v1`, changeToken: null })), NextToken: page.NextToken };
    });
    return rebatch(source);
  }

  private async describeFeatureGroup(nativeId: string): Promise<CatalogRecords['featureView'] | null> {
    const name = nativeId.replace(/\/v1$/, '');
    const group = await this.describeOrNull('DescribeFeatureGroup', () => this.client.send(new DescribeFeatureGroupCommand({ FeatureGroupName: name })), name);
    if (!group) return null;
    return {
      name,
      entity: group.RecordIdentifierFeatureName!,
      joinKey: group.RecordIdentifierFeatureName!,
      ttlSeconds: ttlSecondsOf(group.OnlineStoreConfig?.TtlDuration),
      description: group.Description ?? null,
      tags: [],
      features: (group.FeatureDefinitions ?? [])
        .filter((f) => f.FeatureName !== group.RecordIdentifierFeatureName && f.FeatureName !== group.EventTimeFeatureName)
        .map((f) => ({ name: f.FeatureName!, dtype: dtypeOf(f.FeatureType, f.CollectionType), description: null })),
    };
  }

  // --- model package groups and packages -> registered models and versions --------------------

  private modelGroupPages(): AsyncIterable<Listed<CatalogRecords['model']>[]> {
    return rebatch(
      listAll(async (token) => {
        const page = await this.call('ListModelPackageGroups', () => this.client.send(new ListModelPackageGroupsCommand({ MaxResults: PAGE_SIZE, NextToken: token })));
        return {
          items: page.ModelPackageGroupSummaryList?.map((g) => {
            const record = { name: g.ModelPackageGroupName!, description: g.ModelPackageGroupDescription ?? null, tags: [] };
            return { nativeId: g.ModelPackageGroupName!, changeToken: fingerprint([record, g.ModelPackageGroupStatus]), record };
          }),
          NextToken: page.NextToken,
        };
      }),
    );
  }

  private modelPackagePages(): AsyncIterable<Listed<CatalogRecords['modelVersion']>[]> {
    // ModelPackageType=Versioned without a group lists the versions of every group in one listing.
    return rebatch(
      listAll(async (token) => {
        const page = await this.call('ListModelPackages', () => this.client.send(new ListModelPackagesCommand({ ModelPackageType: 'Versioned', MaxResults: PAGE_SIZE, NextToken: token })));
        return {
          // The summary has no modification time; its approval, life cycle and description are what
          // promotions change. Edits of metadata alone are picked up by a full sync.
          items: page.ModelPackageSummaryList?.map((p) => ({
            nativeId: p.ModelPackageArn!,
            changeToken: fingerprint([p.ModelApprovalStatus, p.ModelLifeCycle, p.ModelPackageStatus, p.ModelPackageDescription]),
          })),
          NextToken: page.NextToken,
        };
      }),
    );
  }

  private async describeModelPackage(arn: string): Promise<CatalogRecords['modelVersion'] | null> {
    const pkg = await this.describeOrNull('DescribeModelPackage', () => this.client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })), arn);
    if (!pkg) return null;
    const container = pkg.InferenceSpecification?.Containers?.[0];
    const { metrics, params, tags } = fromCustomerMetadata(pkg.CustomerMetadataProperties);
    return {
      modelNativeId: pkg.ModelPackageGroupName!,
      version: pkg.ModelPackageVersion!,
      stage: stageFromSageMaker(pkg.ModelApprovalStatus, pkg.ModelLifeCycle?.Stage),
      artifactUri: container?.ModelDataUrl ?? null,
      imageUri: container?.Image ?? null,
      gitCommit: pkg.MetadataProperties?.CommitId ?? null,
      description: pkg.ModelPackageDescription ?? null,
      createdBy: pkg.CreatedBy?.UserProfileName ?? null,
      metrics,
      params,
      tags,
    };
  }

  // --- endpoints, endpoint configs and variants -> endpoints, deployments, traffic shares -------

  private endpointPages(): AsyncIterable<Listed<CatalogRecords['endpoint']>[]> {
    return rebatch(
      listAll(async (token) => {
        const page = await this.call('ListEndpoints', () => this.client.send(new ListEndpointsCommand({ MaxResults: PAGE_SIZE, NextToken: token })));
        return {
          items: page.Endpoints?.map((e) => ({ nativeId: e.EndpointName!, changeToken: `${e.LastModifiedTime?.getTime() ?? 0}:${e.EndpointStatus}` })),
          NextToken: page.NextToken,
        };
      }),
    );
  }

  // SageMaker lets an endpoint config or a model be deleted while an endpoint still runs it: null then.
  private endpointConfig(name: string) {
    let config = this.endpointConfigs.get(name);
    if (!config) {
      config = this.describeOrNull('DescribeEndpointConfig', () => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })), name);
      config.catch(() => this.endpointConfigs.delete(name));
      this.endpointConfigs.set(name, config);
    }
    return config;
  }

  private model(name: string) {
    let model = this.models.get(name);
    if (!model) {
      model = this.describeOrNull('DescribeModel', () => this.client.send(new DescribeModelCommand({ ModelName: name })), name);
      model.catch(() => this.models.delete(name));
      this.models.set(name, model);
    }
    return model;
  }

  private async describeEndpoint(name: string): Promise<CatalogRecords['endpoint'] | null> {
    const endpoint = await this.describeOrNull('DescribeEndpoint', () => this.client.send(new DescribeEndpointCommand({ EndpointName: name })), name);
    if (!endpoint) return null;
    const config = await this.endpointConfig(endpoint.EndpointConfigName!);
    if (!config) log.warn({ provider: this.providerName, endpoint: name, endpointConfig: endpoint.EndpointConfigName }, 'endpoint config deleted in SageMaker: variants not cataloged');
    const modelOfVariant = new Map([...(config?.ProductionVariants ?? []), ...(config?.ShadowProductionVariants ?? [])].map((v) => [v.VariantName!, v.ModelName!]));
    // Live weights are the endpoint's current ones (UpdateEndpointWeightsAndCapacities changes them, not the config).
    const live = endpoint.ProductionVariants ?? [];
    const shadow = endpoint.ShadowProductionVariants ?? [];
    const liveWeights = live.map((v) => v.CurrentWeight ?? v.DesiredWeight ?? 0);
    const percents = percentsFromWeights(liveWeights);
    const liveTotal = liveWeights.reduce((sum, w) => sum + w, 0);
    const deployments: DeploymentRecord[] = [];
    const variants = [
      ...live.map((v, i) => ({ name: v.VariantName!, trafficPercent: percents[i]!, shadowPercent: 0, shadow: false })),
      ...shadow.map((v) => ({ name: v.VariantName!, trafficPercent: 0, shadowPercent: shadowPercent(v.CurrentWeight ?? v.DesiredWeight ?? 0, liveTotal), shadow: true })),
    ];
    for (const variant of variants) {
      const modelName = modelOfVariant.get(variant.name);
      const model = modelName ? await this.model(modelName) : null;
      const packageArn = model?.PrimaryContainer?.ModelPackageName ?? model?.Containers?.[0]?.ModelPackageName;
      if (!packageArn || !isModelPackageArn(packageArn)) {
        // A model built from an image and S3 artifact has no registry version for Cairn to point at.
        log.warn({ provider: this.providerName, endpoint: name, variant: variant.name, model: modelName }, 'variant serves a model that is gone or not from the model registry: not cataloged');
        continue;
      }
      deployments.push({
        nativeId: `${name}/${variant.name}`,
        modelVersionNativeId: packageArn,
        strategy: variant.shadow ? 'SHADOW' : live.length > 1 ? 'AB_TEST' : 'RECREATE',
        trafficPercent: variant.trafficPercent,
        shadowPercent: variant.shadowPercent,
      });
    }
    return { name, status: endpointStatusOf(endpoint.EndpointStatus), deployments };
  }

  // --- ML Lineage -> datasets and imported lineage edges --------------------------------------

  /**
   * Reads the account's lineage graph (artifacts, endpoint contexts, associations) and collapses
   * it to edges between assets Cairn catalogs: a DataSet artifact that contributed to a training
   * job that produced a model package becomes `dataset -TRAINED_ON-> modelVersion`; intermediaries
   * (training jobs, actions, other contexts) are walked through, up to four hops.
   */
  private async readLineage() {
    const nodes = new Map<string, NativeRef>();
    const datasets = new Map<string, Listed<DatasetRecord>>();
    for await (const artifacts of listAll(async (token) => {
      const page = await this.call('ListArtifacts', () => this.client.send(new ListArtifactsCommand({ MaxResults: PAGE_SIZE, NextToken: token })));
      return { items: page.ArtifactSummaries, NextToken: page.NextToken };
    })) {
      for (const artifact of artifacts) {
        const uri = artifact.Source?.SourceUri;
        if (!artifact.ArtifactArn || !uri) continue;
        if (isModelPackageArn(uri)) {
          nodes.set(artifact.ArtifactArn, { kind: 'modelVersion', nativeId: uri });
        } else if (artifact.ArtifactType === 'DataSet') {
          nodes.set(artifact.ArtifactArn, { kind: 'dataset', nativeId: uri });
          datasets.set(uri, { nativeId: uri, changeToken: null, record: { name: uri, uri } });
        }
      }
    }
    for await (const contexts of listAll(async (token) => {
      const page = await this.call('ListContexts', () => this.client.send(new ListContextsCommand({ ContextType: 'Endpoint', MaxResults: PAGE_SIZE, NextToken: token })));
      return { items: page.ContextSummaries, NextToken: page.NextToken };
    })) {
      for (const context of contexts) {
        const uri = context.Source?.SourceUri;
        if (context.ContextArn && uri?.includes(':endpoint/')) nodes.set(context.ContextArn, { kind: 'endpoint', nativeId: endpointNameOf(uri) });
      }
    }
    const downstream = new Map<string, string[]>();
    for await (const associations of listAll<AssociationSummary>(async (token) => {
      const page = await this.call('ListAssociations', () => this.client.send(new ListAssociationsCommand({ MaxResults: PAGE_SIZE, NextToken: token })));
      return { items: page.AssociationSummaries, NextToken: page.NextToken };
    })) {
      for (const a of associations) {
        if (!a.SourceArn || !a.DestinationArn) continue;
        for (const arn of [a.SourceArn, a.DestinationArn]) if (isModelPackageArn(arn)) nodes.set(arn, { kind: 'modelVersion', nativeId: arn });
        const list = downstream.get(a.SourceArn) ?? [];
        list.push(a.DestinationArn);
        downstream.set(a.SourceArn, list);
      }
    }
    const relationOf = (from: NativeRef, to: NativeRef): LineageEdgeRecord['relation'] | null => {
      if (from.kind === 'dataset' && to.kind === 'modelVersion') return 'TRAINED_ON';
      if (from.kind === 'dataset' && to.kind === 'dataset') return 'DERIVED_FROM';
      if (from.kind === 'modelVersion' && to.kind === 'modelVersion') return 'FINE_TUNED_FROM';
      return null;
    };
    const edges = new Map<string, Listed<LineageEdgeRecord>>();
    for (const [arn, from] of nodes) {
      // Walk downstream through nodes Cairn does not catalog until a cataloged one (or four hops).
      let frontier = [arn];
      const seen = new Set(frontier);
      for (let hop = 0; hop < 4 && frontier.length; hop++) {
        const next: string[] = [];
        for (const current of frontier) {
          for (const target of downstream.get(current) ?? []) {
            if (seen.has(target)) continue;
            seen.add(target);
            const to = nodes.get(target);
            if (!to) {
              next.push(target);
              continue;
            }
            const relation = relationOf(from, to);
            if (relation && from.nativeId !== to.nativeId) {
              const nativeId = `${from.kind}:${from.nativeId}|${relation}|${to.kind}:${to.nativeId}`;
              edges.set(nativeId, { nativeId, changeToken: null, record: { from, to, relation } });
            }
          }
        }
        frontier = next;
      }
    }
    return { datasets: [...datasets.values()], edges: [...edges.values()] };
  }
}
