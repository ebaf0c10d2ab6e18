import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import { ConflictError } from '../../../platform/errors.ts';
import { globalId } from '../../../platform/ids.ts';
import { Prisma } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { parseInput } from '../../../platform/validate.ts';
import { recordFailedAttempt, type DeploymentProviders, type Identity } from '../providers.ts';
import { cursorCodec, pageRequest, toPage } from '../../shared/connection.ts';
import type { EndpointKey, EndpointRepository } from './repository.ts';

const ENDPOINT_CURSORS = cursorCodec<EndpointKey>(
  'endpoints',
  (key) => [key.provider, key.name],
  (parts) => (parts.length === 2 && parts[0] && parts[1] ? { provider: parts[0], name: parts[1] } : null),
);

/** SageMaker's endpoint name rule, also safe in the router's URL path (`/endpoints/{name}/predict`). */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const createSchema = z.object({
  name: z
    .string()
    .regex(ENDPOINT_NAME, 'letters, digits and hyphens, starting and ending with a letter or digit, at most 63'),
  provider: z.string().min(1).max(100).nullish(),
  owner: z.string().min(1).max(200).nullish(),
  description: z.string().max(2000).nullish(),
});

export class EndpointService {
  constructor(
    private readonly db: Database,
    private readonly repository: EndpointRepository,
    private readonly providers: DeploymentProviders,
  ) {}

  /** createEndpoint: at the owner first, then the catalog row and its audit event in one transaction. */
  async create(input: unknown, identity: Identity) {
    const spec = parseInput(createSchema, input, {
      crossChecks: (raw) =>
        typeof raw?.provider === 'string' && !this.providers.has(raw.provider)
          ? [
              {
                path: ['provider'],
                message: `no deployment provider ${JSON.stringify(raw.provider)} is configured (${this.providers.names().join(', ')})`,
              },
            ]
          : [],
    });
    const providerName = spec.provider ?? BUILTIN_PROVIDER;
    const provider = this.providers.get(providerName);
    try {
      // The owner first, outside any transaction; the catalog row follows once it accepted.
      const { nativeId } = await provider.createEndpoint(spec.name);
      return await this.db.$transaction(async (tx) => {
        const endpoint = await tx.endpoint.create({
          data: {
            id: globalId('endpoint', providerName, nativeId),
            providerName,
            name: spec.name,
            nativeId,
            status: 'IN_SERVICE',
            owner: spec.owner ?? identity.actor,
            description: spec.description ?? null,
          },
        });
        await recordAudit(tx, {
          actor: identity.actor,
          action: 'createEndpoint',
          subjectId: endpoint.id,
          requestId: identity.requestId,
          payload: { name: spec.name, provider: providerName },
        });
        return endpoint;
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError(`endpoint ${JSON.stringify(spec.name)} already exists on ${providerName}`, {
          cause: error,
        });
      }
      await recordFailedAttempt(this.db, error, {
        actor: identity.actor,
        action: 'createEndpoint',
        subjectId: globalId('endpoint', providerName, spec.name),
        requestId: identity.requestId,
      });
      throw error;
    }
  }

  byIds(ids: readonly string[]) {
    return this.repository.byIds(ids);
  }

  /** endpoints(provider, first, after): a connection by provider then name. */
  async list(provider: string | null | undefined, first: number, after: string | null) {
    const page = pageRequest(ENDPOINT_CURSORS, { first, after });
    const { rows, total } = await this.repository.page(provider ?? null, page.size + 1, page.cursor);
    return toPage(rows, page, ENDPOINT_CURSORS, (row) => ({ provider: row.providerName, name: row.name }), total);
  }
}
