import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerState, type ModelPackage, type VariantState } from './state.ts';

/**
 * A local SageMaker that speaks the service's wire protocol (AWS JSON 1.1: `POST /` with
 * `X-Amz-Target: SageMaker.<Operation>`, `content-type: application/x-amz-json-1.1`, a SigV4
 * `Authorization` header, times as epoch seconds, `NextToken`/`MaxResults` paging and errors as
 * `{__type, message}`), so the real @aws-sdk/client-sagemaker serializes, pages, retries and
 * parses errors against it. State is in memory (`state`); scenario switches inject faults.
 */

/** An error answered the way SageMaker answers it. */
export class SageMakerFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const validation = (message: string) => new SageMakerFault('ValidationException', message);
const notFound = (message: string) => new SageMakerFault('ResourceNotFound', message);

export interface RecordedCall {
  operation: string;
  input: Record<string, any>;
  /** The error type answered, or null for a success. */
  fault: string | null;
}

interface Fault {
  operations: Set<string> | null;
  remaining: number;
  type: string;
  status: number;
  message: string;
}

type Handler = (input: Record<string, any>) => unknown;

/** The access key the emulator accepts (any secret: signatures are not checked). */
export const EMULATOR_ACCESS_KEY_ID = 'AKIACAIRNEMULATOR';

function page<T>(
  items: T[],
  input: { NextToken?: string; MaxResults?: number },
  defaultSize = 10,
): { items: T[]; NextToken?: string } {
  const size = input.MaxResults ?? defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw validation(
      `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  }
  let offset = 0;
  if (input.NextToken) {
    const decoded = Number(
      Buffer.from(input.NextToken, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0) throw validation('Invalid pagination token');
    offset = decoded;
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`offset:${offset + size}`).toString('base64url') : undefined;
  return { items: slice, ...(next ? { NextToken: next } : {}) };
}

function sortByCreation<T extends { CreationTime: Date }>(
  items: T[],
  input: { SortBy?: string; SortOrder?: string },
  nameOf?: (item: T) => string,
): T[] {
  const descending = (input.SortOrder ?? 'Descending') === 'Descending';
  const byName = input.SortBy === 'Name' && nameOf;
  // Ties (same creation time) keep creation order, so pages are stable.
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    const primary = byName
      ? nameOf(a.item).localeCompare(nameOf(b.item))
      : a.item.CreationTime.getTime() - b.item.CreationTime.getTime();
    return (primary || a.index - b.index) * (descending ? -1 : 1);
  });
  return indexed.map((entry) => entry.item);
}

function required(input: Record<string, any>, member: string): string {
  const value = input[member];
  if (value == null || value === '') {
    throw validation(
      `1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

const APPROVAL_STATUSES = new Set(['Approved', 'Rejected', 'PendingManualApproval']);

export class SageMakerEmulator {
  readonly calls: RecordedCall[] = [];
  /** Sorted lineage listings, reused while their collection's size is unchanged (lineage is append-only). */
  private readonly sorted = new Map<string, { size: number; items: unknown[] }>();
  private faults: Fault[] = [];
  private readonly holds = new Map<string, { after: boolean; reached: () => void; gate: Promise<void> }>();
  private server: Server | null = null;
  private readonly handlers: Record<string, Handler>;
  url = '';

  constructor(readonly state: SageMakerState = new SageMakerState()) {
    const s = state;
    const sortedOnce = <T extends { CreationTime: Date }>(
      key: string,
      source: () => T[],
      size: number,
      input: Record<string, any>,
    ): T[] => {
      const memoKey = `${key}:${input.SortBy ?? ''}:${input.SortOrder ?? ''}`;
      const memo = this.sorted.get(memoKey);
      if (memo && memo.size === size) return memo.items as T[];
      const items = sortByCreation(source(), input);
      this.sorted.set(memoKey, { size, items });
      return items;
    };
    const packageByNameOrArn = (id: string): ModelPackage | undefined => {
      const byArn = s.packages.get(id);
      if (byArn) return byArn;
      // A versioned package is addressed by ARN; `group/version` is accepted as SageMaker does for names.
      return undefined;
    };
    this.handlers = {
      ListModelPackageGroups: (input) => {
        const groups = sortByCreation(
          [...s.groups.values()].filter(
            (g) => !input.NameContains || g.ModelPackageGroupName.includes(input.NameContains),
          ),
          input,
          (g) => g.ModelPackageGroupName,
        );
        const { items, NextToken } = page(groups, input);
        return {
          ModelPackageGroupSummaryList: items.map(
            ({
              ModelPackageGroupName,
              ModelPackageGroupArn,
              ModelPackageGroupDescription,
              CreationTime,
              ModelPackageGroupStatus,
            }) => ({
              ModelPackageGroupName,
              ModelPackageGroupArn,
              ModelPackageGroupDescription,
              CreationTime,
              ModelPackageGroupStatus,
            }),
          ),
          NextToken,
        };
      },
      DescribeModelPackageGroup: (input) => {
        const group = s.groups.get(required(input, 'ModelPackageGroupName'));
        if (!group) throw validation(`ModelPackageGroup ${input.ModelPackageGroupName} does not exist.`);
        return group;
      },
      ListModelPackages: (input) => {
        if (input.ModelApprovalStatus && !APPROVAL_STATUSES.has(input.ModelApprovalStatus))
          throw validation(
            `Value '${input.ModelApprovalStatus}' at 'modelApprovalStatus' failed to satisfy constraint`,
          );
        if (input.ModelPackageType && !['Versioned', 'Unversioned', 'Both'].includes(input.ModelPackageType))
          throw validation(`Value '${input.ModelPackageType}' at 'modelPackageType' failed to satisfy constraint`);
        // Every package here is versioned: without a group, SageMaker's default type (Unversioned) lists none.
        const versioned =
          input.ModelPackageGroupName || input.ModelPackageType === 'Versioned' || input.ModelPackageType === 'Both';
        const packages = sortByCreation(
          [...s.packages.values()].filter(
            (p) =>
              versioned &&
              (!input.ModelPackageGroupName || p.ModelPackageGroupName === input.ModelPackageGroupName) &&
              (!input.ModelApprovalStatus || p.ModelApprovalStatus === input.ModelApprovalStatus),
          ),
          input,
          (p) => `${p.ModelPackageGroupName}/${p.ModelPackageVersion}`,
        );
        const { items, NextToken } = page(packages, input);
        return {
          ModelPackageSummaryList: items.map((p) => ({
            ModelPackageName: p.ModelPackageName,
            ModelPackageGroupName: p.ModelPackageGroupName,
            ModelPackageVersion: p.ModelPackageVersion,
            ModelPackageArn: p.ModelPackageArn,
            ModelPackageDescription: p.ModelPackageDescription,
            CreationTime: p.CreationTime,
            ModelPackageStatus: p.ModelPackageStatus,
            ModelApprovalStatus: p.ModelApprovalStatus,
            ModelLifeCycle: p.ModelLifeCycle,
          })),
          NextToken,
        };
      },
      DescribeModelPackage: (input) => {
        const pkg = packageByNameOrArn(required(input, 'ModelPackageName'));
        if (!pkg) throw validation(`ModelPackage ${input.ModelPackageName} does not exist.`);
        return pkg;
      },
      UpdateModelPackage: (input) => {
        const arn = required(input, 'ModelPackageArn');
        if (!/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/\S+$/.test(arn)) {
          throw validation(
            `1 validation error detected: Value '${arn}' at 'modelPackageArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]{9,16}:[0-9]{12}:model-package/[\\S]{1,2048}`,
          );
        }
        const pkg = s.packages.get(arn);
        if (!pkg) throw validation(`Model Package ${arn} does not exist.`);
        if (input.ModelApprovalStatus !== undefined) {
          if (!APPROVAL_STATUSES.has(input.ModelApprovalStatus))
            throw validation(
              `Value '${input.ModelApprovalStatus}' at 'modelApprovalStatus' failed to satisfy constraint`,
            );
          pkg.ModelApprovalStatus = input.ModelApprovalStatus;
        }
        if (input.ApprovalDescription !== undefined) pkg.ApprovalDescription = input.ApprovalDescription;
        if (input.ModelLifeCycle !== undefined) {
          if (!input.ModelLifeCycle.Stage || !input.ModelLifeCycle.StageStatus)
            throw validation('ModelLifeCycle needs Stage and StageStatus');
          pkg.ModelLifeCycle = input.ModelLifeCycle;
        }
        if (input.CustomerMetadataProperties)
          pkg.CustomerMetadataProperties = { ...pkg.CustomerMetadataProperties, ...input.CustomerMetadataProperties };
        for (const key of input.CustomerMetadataPropertiesToRemove ?? []) delete pkg.CustomerMetadataProperties?.[key];
        pkg.LastModifiedTime = s.clock();
        return { ModelPackageArn: pkg.ModelPackageArn };
      },
      DeleteModelPackage: (input) => {
        const id = required(input, 'ModelPackageName');
        if (!s.deleteModelPackage(id)) throw validation(`ModelPackage ${id} does not exist.`);
        return {};
      },
      DescribeModel: (input) => {
        const model = s.models.get(required(input, 'ModelName'));
        if (!model) throw validation(`Could not find model "${s.arn(`model/${input.ModelName}`)}".`);
        return model;
      },
      ListEndpoints: (input) => {
        const endpoints = sortByCreation(
          [...s.endpoints.values()].filter(
            (e) =>
              (!input.NameContains || e.EndpointName.includes(input.NameContains)) &&
              (!input.StatusEquals || e.EndpointStatus === input.StatusEquals) &&
              (input.LastModifiedTimeAfter == null ||
                e.LastModifiedTime.getTime() / 1000 > input.LastModifiedTimeAfter),
          ),
          input,
          (e) => e.EndpointName,
        );
        const { items, NextToken } = page(endpoints, input);
        return {
          Endpoints: items.map(({ EndpointName, EndpointArn, CreationTime, LastModifiedTime, EndpointStatus }) => ({
            EndpointName,
            EndpointArn,
            CreationTime,
            LastModifiedTime,
            EndpointStatus,
          })),
          NextToken,
        };
      },
      DescribeEndpoint: (input) => {
        const endpoint = s.endpoints.get(required(input, 'EndpointName'));
        if (!endpoint)
          throw validation(
            `Could not find endpoint "${s.arn(`endpoint/${String(input.EndpointName).toLowerCase()}`)}".`,
          );
        return endpoint;
      },
      DescribeEndpointConfig: (input) => {
        const config = s.endpointConfigs.get(required(input, 'EndpointConfigName'));
        if (!config)
          throw validation(
            `Could not find endpoint configuration "${s.arn(`endpoint-config/${input.EndpointConfigName}`)}".`,
          );
        return config;
      },
      DeleteEndpoint: (input) => {
        const name = required(input, 'EndpointName');
        if (!s.deleteEndpoint(name))
          throw validation(`Could not find endpoint "${s.arn(`endpoint/${name.toLowerCase()}`)}".`);
        return {};
      },
      UpdateEndpointWeightsAndCapacities: (input) => {
        const endpoint = s.endpoints.get(required(input, 'EndpointName'));
        if (!endpoint)
          throw validation(
            `Could not find endpoint "${s.arn(`endpoint/${String(input.EndpointName).toLowerCase()}`)}".`,
          );
        const desired = input.DesiredWeightsAndCapacities as
          { VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }[] | undefined;
        if (!desired?.length) throw validation('DesiredWeightsAndCapacities must have at least 1 item');
        if (endpoint.EndpointStatus !== 'InService')
          throw validation(`Cannot update in-progress endpoint "${endpoint.EndpointArn}".`);
        const variants = new Map<string, VariantState>(
          [...endpoint.ProductionVariants, ...(endpoint.ShadowProductionVariants ?? [])].map((v) => [v.VariantName, v]),
        );
        for (const change of desired) {
          if (!variants.has(change.VariantName))
            throw validation(`The variant name(s) [${change.VariantName}] is/are not present in the endpoint.`);
          if (change.DesiredWeight != null && (change.DesiredWeight < 0 || change.DesiredWeight > 1000))
            throw validation(`Value '${change.DesiredWeight}' at 'desiredWeight' failed to satisfy constraint`);
        }
        for (const change of desired) {
          const variant = variants.get(change.VariantName)!;
          if (change.DesiredWeight != null) variant.DesiredWeight = variant.CurrentWeight = change.DesiredWeight;
          if (change.DesiredInstanceCount != null)
            variant.DesiredInstanceCount = variant.CurrentInstanceCount = change.DesiredInstanceCount;
        }
        endpoint.LastModifiedTime = s.clock();
        return { EndpointArn: endpoint.EndpointArn };
      },
      ListFeatureGroups: (input) => {
        const groups = sortByCreation(
          [...s.featureGroups.values()].filter(
            (g) => !input.NameContains || g.FeatureGroupName.includes(input.NameContains),
          ),
          input,
          (g) => g.FeatureGroupName,
        );
        const { items, NextToken } = page(groups, input);
        return {
          FeatureGroupSummaries: items.map(
            ({ FeatureGroupName, FeatureGroupArn, CreationTime, FeatureGroupStatus }) => ({
              FeatureGroupName,
              FeatureGroupArn,
              CreationTime,
              FeatureGroupStatus,
            }),
          ),
          NextToken: NextToken ?? '',
        };
      },
      DescribeFeatureGroup: (input) => {
        const group = s.featureGroups.get(required(input, 'FeatureGroupName'));
        if (!group)
          throw notFound(
            `Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name ${input.FeatureGroupName}`,
          );
        return { ...group, NextToken: '' };
      },
      ListArtifacts: (input) => {
        const all = sortedOnce('artifacts', () => [...s.artifacts.values()], s.artifacts.size, input);
        const artifacts =
          input.ArtifactType || input.SourceUri
            ? all.filter(
                (a) =>
                  (!input.ArtifactType || a.ArtifactType === input.ArtifactType) &&
                  (!input.SourceUri || a.Source.SourceUri === input.SourceUri),
              )
            : all;
        const { items, NextToken } = page(artifacts, input);
        return { ArtifactSummaries: items, NextToken };
      },
      ListContexts: (input) => {
        const contexts = sortByCreation(
          [...s.contexts.values()].filter(
            (c) =>
              (!input.ContextType || c.ContextType === input.ContextType) &&
              (!input.SourceUri || c.Source.SourceUri === input.SourceUri),
          ),
          input,
        );
        const { items, NextToken } = page(contexts, input);
        return { ContextSummaries: items, NextToken };
      },
      ListActions: (input) => {
        const actions = sortByCreation(
          [...s.actions.values()].filter(
            (a) =>
              (!input.ActionType || a.ActionType === input.ActionType) &&
              (!input.SourceUri || a.Source.SourceUri === input.SourceUri),
          ),
          input,
        );
        const { items, NextToken } = page(actions, input);
        return { ActionSummaries: items, NextToken };
      },
      ListAssociations: (input) => {
        const all = sortedOnce('associations', () => [...s.associations], s.associations.length, input);
        const associations =
          input.SourceArn || input.DestinationArn || input.AssociationType
            ? all.filter(
                (a) =>
                  (!input.SourceArn || a.SourceArn === input.SourceArn) &&
                  (!input.DestinationArn || a.DestinationArn === input.DestinationArn) &&
                  (!input.AssociationType || a.AssociationType === input.AssociationType),
              )
            : all;
        const { items, NextToken } = page(associations, input);
        return { AssociationSummaries: items, NextToken };
      },
    };
  }

  /** The next `times` calls (of `operations`, or of any operation) answer ThrottlingException (HTTP 400). */
  /**
   * Scenario: the next calls of `operation` hang until `release()` — before they change anything
   * (`after: false`, a cloud that does not answer), or once they changed it, before the answer
   * leaves (`after: true`, the window in which a caller can die between the call and its commit).
   * `reached` resolves when the first such call arrives.
   */
  hold(operation: string, options: { after: boolean }): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(operation, { after: options.after, reached, gate });
    return {
      reached: arrived,
      release: () => {
        this.holds.delete(operation);
        release();
      },
    };
  }

  throttle(times: number, operations?: string[]): this {
    return this.fail(times, { operations, type: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
  }

  /** The next `times` calls (of `operations`, or any) answer this error; by default an InternalFailure (HTTP 500). */
  fail(times: number, options: { operations?: string[]; type?: string; status?: number; message?: string } = {}): this {
    this.faults.push({
      operations: options.operations ? new Set(options.operations) : null,
      remaining: times,
      type: options.type ?? 'InternalFailure',
      status: options.status ?? 500,
      message: options.message ?? 'We encountered an internal error. Please try again.',
    });
    return this;
  }

  /** Clears every pending fault and the call log. */
  reset(): this {
    this.faults = [];
    this.calls.length = 0;
    return this;
  }

  /** Calls of one operation (successful or not), in order. */
  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    // Keep-alive connections of the SDK must not keep a closing emulator up.
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    const requestId = randomUUID();
    const answer = (status: number, body: unknown) => {
      const text = JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
        const original = key ? this[key] : value;
        // AWS JSON 1.1 sends timestamps as epoch seconds.
        return original instanceof Date ? original.getTime() / 1000 : value;
      });
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    };
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('SageMaker.') ? target.slice('SageMaker.'.length) : '';
    let input: Record<string, any> = {};
    const record = (fault: string | null) => this.calls.push({ operation, input, fault });
    try {
      if (request.method !== 'POST' || request.url !== '/')
        throw new SageMakerFault('UnknownOperationException', 'Unknown operation', 404);
      const auth = String(request.headers.authorization ?? '');
      if (!auth) throw new SageMakerFault('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      const credential =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/[a-z0-9-]+\/sagemaker\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/.exec(
          auth,
        );
      if (!credential)
        throw new SageMakerFault(
          'IncompleteSignatureException',
          'Authorization header requires a valid SigV4 signature',
          400,
        );
      if (credential[1] !== EMULATOR_ACCESS_KEY_ID)
        throw new SageMakerFault(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          400,
        );
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
        throw new SageMakerFault('SerializationException', 'Expected content-type application/x-amz-json-1.1', 400);
      }
      const handler = this.handlers[operation];
      if (!handler) throw new SageMakerFault('UnknownOperationException', `Unknown operation ${target}`, 400);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        input = text ? JSON.parse(text) : {};
      } catch {
        throw new SageMakerFault('SerializationException', 'Malformed JSON body', 400);
      }
      const fault = this.faults.find((f) => f.remaining > 0 && (!f.operations || f.operations.has(operation)));
      if (fault) {
        fault.remaining--;
        throw new SageMakerFault(fault.type, fault.message, fault.status);
      }
      const hold = this.holds.get(operation);
      if (hold && !hold.after) {
        hold.reached();
        await hold.gate;
      }
      const result = handler(input);
      if (hold?.after) {
        hold.reached();
        await hold.gate;
      }
      record(null);
      answer(200, result);
    } catch (error) {
      if (error instanceof SageMakerFault) {
        record(error.type);
        answer(error.status, { __type: error.type, message: error.message });
      } else {
        record('InternalFailure');
        answer(500, { __type: 'InternalFailure', message: 'We encountered an internal error. Please try again.' });
      }
    }
  }
}
