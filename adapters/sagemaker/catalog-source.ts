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
import { changeToken, describeOrNull, listPages, mapBounded, OnceByKey, pagesOf, rebatch } from '../kit/index.ts';
import { callSageMaker, sageMakerCalls } from './client.ts';
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

export interface SageMakerCatalogOptions {
  /** Items per listing call (SageMaker's maximum, 100, by default). */
  listPageSize?: number;
  /** Assets per page handed to the engine, one catalog transaction each (default 500). */
  syncPageSize?: number;
  /** Describe calls in flight at once per collection (default 8). */
  describeConcurrency?: number;
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
  private readonly endpointConfigs = new OnceByKey<DescribeEndpointConfigCommandOutput | null>();
  private readonly models = new OnceByKey<DescribeModelCommandOutput | null>();
  private readonly listPageSize: number;
  private readonly syncPageSize: number;
  private readonly describeConcurrency: number;

  constructor(
    readonly providerName: string,
    private readonly client: SageMakerClient,
    options: SageMakerCatalogOptions = {},
  ) {
    this.listPageSize = options.listPageSize ?? 100;
    this.syncPageSize = options.syncPageSize ?? 500;
    this.describeConcurrency = options.describeConcurrency ?? 8;
  }

  private call<T>(operation: string, send: () => Promise<T>) {
    return callSageMaker(this.providerName, operation, send);
  }

  /** Describes a resource, answering null when it vanished since it was listed. */
  private describeOrNull<T>(operation: string, send: () => Promise<T>, id: string): Promise<T | null> {
    return describeOrNull(sageMakerCalls(this.providerName), operation, send, id);
  }

  /** Every response of a SageMaker listing, regrouped into the engine's pages. */
  private listing<T>(
    fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; NextToken?: string }>,
  ): AsyncIterable<T[]> {
    return rebatch(
      listPages(async (token) => {
        const { items, NextToken } = await fetch(token);
        return { items, nextToken: NextToken };
      }),
      this.syncPageSize,
    );
  }

  /** `describe` for each listed item, `describeConcurrency` calls at a time. */
  private describeEach<R>(items: Listed<R>[], describe: (nativeId: string) => Promise<R | null>) {
    return mapBounded(items, this.describeConcurrency, (item) => describe(item.nativeId));
  }

  collections(): SyncCollection[] {
    let lineage: Promise<{ datasets: Listed<DatasetRecord>[]; edges: Listed<LineageEdgeRecord>[] }> | null = null;
    const readLineage = () => (lineage ??= this.readLineage());
    const collection = <K extends SyncedKind>(c: SyncCollection<K>) => c as unknown as SyncCollection;
    // Listings that hold the whole record need no describe call.
    const listed = async <R>(items: Listed<R>[]) => items.map((item) => item.record ?? null);
    return [
      collection<'featureView'>({
        kind: 'featureView',
        pages: () => this.featureGroupPages(),
        describe: (items) => this.describeEach(items, (id) => this.describeFeatureGroup(id)),
      }),
      collection<'model'>({ kind: 'model', pages: () => this.modelGroupPages(), describe: listed }),
      collection<'modelVersion'>({
        kind: 'modelVersion',
        pages: () => this.modelPackagePages(),
        describe: (items) => this.describeEach(items, (id) => this.describeModelPackage(id)),
      }),
      collection<'endpoint'>({
        kind: 'endpoint',
        pages: () => this.endpointPages(),
        describe: (items) => this.describeEach(items, (id) => this.describeEndpoint(id)),
      }),
      collection<'dataset'>({
        kind: 'dataset',
        pages: () => pagesOf(async () => (await readLineage()).datasets, this.syncPageSize),
        describe: listed,
      }),
      collection<'lineageEdge'>({
        kind: 'lineageEdge',
        pages: () => pagesOf(async () => (await readLineage()).edges, this.syncPageSize),
        describe: listed,
      }),
    ];
  }

  // --- feature groups -> feature views -------------------------------------------------------

  private featureGroupPages(): AsyncIterable<Listed<CatalogRecords['featureView']>[]> {
    return this.listing(async (token) => {
      const page = await this.call('ListFeatureGroups', () =>
        this.client.send(new ListFeatureGroupsCommand({ MaxResults: this.listPageSize, NextToken: token })),
      );
      // The listing has no modification time: every group is described, and written only if it changed.
      return {
        items: page.FeatureGroupSummaries?.map((g) => ({ nativeId: `${g.FeatureGroupName!}/v1`, changeToken: null })),
        NextToken: page.NextToken,
      };
    });
  }

  private async describeFeatureGroup(nativeId: string): Promise<CatalogRecords['featureView'] | null> {
    const name = nativeId.replace(/\/v1$/, '');
    const group = await this.describeOrNull(
      'DescribeFeatureGroup',
      () => this.client.send(new DescribeFeatureGroupCommand({ FeatureGroupName: name })),
      name,
    );
    if (!group) return null;
    return {
      name,
      entity: group.RecordIdentifierFeatureName!,
      joinKey: group.RecordIdentifierFeatureName!,
      ttlSeconds: ttlSecondsOf(group.OnlineStoreConfig?.TtlDuration),
      description: group.Description ?? null,
      tags: [],
      features: (group.FeatureDefinitions ?? [])
        .filter(
          (f) => f.FeatureName !== group.RecordIdentifierFeatureName && f.FeatureName !== group.EventTimeFeatureName,
        )
        .map((f) => ({ name: f.FeatureName!, dtype: dtypeOf(f.FeatureType, f.CollectionType), description: null })),
    };
  }

  // --- model package groups and packages -> registered models and versions --------------------

  private modelGroupPages(): AsyncIterable<Listed<CatalogRecords['model']>[]> {
    return this.listing(async (token) => {
      const page = await this.call('ListModelPackageGroups', () =>
        this.client.send(new ListModelPackageGroupsCommand({ MaxResults: this.listPageSize, NextToken: token })),
      );
      return {
        items: page.ModelPackageGroupSummaryList?.map((g) => {
          const record = {
            name: g.ModelPackageGroupName!,
            description: g.ModelPackageGroupDescription ?? null,
            tags: [],
          };
          return {
            nativeId: g.ModelPackageGroupName!,
            changeToken: changeToken.of(record, g.ModelPackageGroupStatus),
            record,
          };
        }),
        NextToken: page.NextToken,
      };
    });
  }

  private modelPackagePages(): AsyncIterable<Listed<CatalogRecords['modelVersion']>[]> {
    // ModelPackageType=Versioned without a group lists the versions of every group in one listing.
    return this.listing(async (token) => {
      const page = await this.call('ListModelPackages', () =>
        this.client.send(
          new ListModelPackagesCommand({
            ModelPackageType: 'Versioned',
            MaxResults: this.listPageSize,
            NextToken: token,
          }),
        ),
      );
      return {
        // The summary has no modification time; its approval, life cycle and description are what
        // promotions change. Edits of metadata alone are picked up by a full sync.
        items: page.ModelPackageSummaryList?.map((p) => ({
          nativeId: p.ModelPackageArn!,
          changeToken: changeToken.of(
            p.ModelApprovalStatus,
            p.ModelLifeCycle,
            p.ModelPackageStatus,
            p.ModelPackageDescription,
          ),
        })),
        NextToken: page.NextToken,
      };
    });
  }

  private async describeModelPackage(arn: string): Promise<CatalogRecords['modelVersion'] | null> {
    const pkg = await this.describeOrNull(
      'DescribeModelPackage',
      () => this.client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })),
      arn,
    );
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
    return this.listing(async (token) => {
      const page = await this.call('ListEndpoints', () =>
        this.client.send(new ListEndpointsCommand({ MaxResults: this.listPageSize, NextToken: token })),
      );
      return {
        items: page.Endpoints?.map((e) => ({
          nativeId: e.EndpointName!,
          changeToken: changeToken.modified(e.LastModifiedTime, e.EndpointStatus),
        })),
        NextToken: page.NextToken,
      };
    });
  }

  // SageMaker lets an endpoint config or a model be deleted while an endpoint still runs it: null then.
  private endpointConfig(name: string) {
    return this.endpointConfigs.get(name, () =>
      this.describeOrNull(
        'DescribeEndpointConfig',
        () => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })),
        name,
      ),
    );
  }

  private model(name: string) {
    return this.models.get(name, () =>
      this.describeOrNull('DescribeModel', () => this.client.send(new DescribeModelCommand({ ModelName: name })), name),
    );
  }

  private async describeEndpoint(name: string): Promise<CatalogRecords['endpoint'] | null> {
    const endpoint = await this.describeOrNull(
      'DescribeEndpoint',
      () => this.client.send(new DescribeEndpointCommand({ EndpointName: name })),
      name,
    );
    if (!endpoint) return null;
    const config = await this.endpointConfig(endpoint.EndpointConfigName!);
    if (!config)
      log.warn(
        { provider: this.providerName, endpoint: name, endpointConfig: endpoint.EndpointConfigName },
        'endpoint config deleted in SageMaker: variants not cataloged',
      );
    const modelOfVariant = new Map(
      [...(config?.ProductionVariants ?? []), ...(config?.ShadowProductionVariants ?? [])].map((v) => [
        v.VariantName!,
        v.ModelName!,
      ]),
    );
    // Live weights are the endpoint's current ones (UpdateEndpointWeightsAndCapacities changes them, not the config).
    const live = endpoint.ProductionVariants ?? [];
    const shadow = endpoint.ShadowProductionVariants ?? [];
    const liveWeights = live.map((v) => v.CurrentWeight ?? v.DesiredWeight ?? 0);
    const percents = percentsFromWeights(liveWeights);
    const liveTotal = liveWeights.reduce((sum, w) => sum + w, 0);
    const deployments: DeploymentRecord[] = [];
    const variants = [
      ...live.map((v, i) => ({ name: v.VariantName!, trafficPercent: percents[i]!, shadowPercent: 0, shadow: false })),
      ...shadow.map((v) => ({
        name: v.VariantName!,
        trafficPercent: 0,
        shadowPercent: shadowPercent(v.CurrentWeight ?? v.DesiredWeight ?? 0, liveTotal),
        shadow: true,
      })),
    ];
    for (const variant of variants) {
      const modelName = modelOfVariant.get(variant.name);
      const model = modelName ? await this.model(modelName) : null;
      const packageArn = model?.PrimaryContainer?.ModelPackageName ?? model?.Containers?.[0]?.ModelPackageName;
      if (!packageArn || !isModelPackageArn(packageArn)) {
        // A model built from an image and S3 artifact has no registry version for Cairn to point at.
        log.warn(
          { provider: this.providerName, endpoint: name, variant: variant.name, model: modelName },
          'variant serves a model that is gone or not from the model registry: not cataloged',
        );
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
    for await (const artifacts of listPages(async (token) => {
      const page = await this.call('ListArtifacts', () =>
        this.client.send(new ListArtifactsCommand({ MaxResults: this.listPageSize, NextToken: token })),
      );
      return { items: page.ArtifactSummaries, nextToken: page.NextToken };
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
    for await (const contexts of listPages(async (token) => {
      const page = await this.call('ListContexts', () =>
        this.client.send(
          new ListContextsCommand({ ContextType: 'Endpoint', MaxResults: this.listPageSize, NextToken: token }),
        ),
      );
      return { items: page.ContextSummaries, nextToken: page.NextToken };
    })) {
      for (const context of contexts) {
        const uri = context.Source?.SourceUri;
        if (context.ContextArn && uri?.includes(':endpoint/'))
          nodes.set(context.ContextArn, { kind: 'endpoint', nativeId: endpointNameOf(uri) });
      }
    }
    const downstream = new Map<string, string[]>();
    for await (const associations of listPages<AssociationSummary>(async (token) => {
      const page = await this.call('ListAssociations', () =>
        this.client.send(new ListAssociationsCommand({ MaxResults: this.listPageSize, NextToken: token })),
      );
      return { items: page.AssociationSummaries, nextToken: page.NextToken };
    })) {
      for (const a of associations) {
        if (!a.SourceArn || !a.DestinationArn) continue;
        for (const arn of [a.SourceArn, a.DestinationArn])
          if (isModelPackageArn(arn)) nodes.set(arn, { kind: 'modelVersion', nativeId: arn });
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
