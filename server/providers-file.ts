import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';

/** Keys that would carry a secret: refused, credentials come from the cloud's default chain. */
const SECRET_KEY = /secret|password|passwd|token|access[_-]?key|private[_-]?key|client[_-]?secret|session/i;

const providerSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must start with a lower-case letter and hold only a-z, 0-9 and - (at most 63)')
      .refine((name) => name !== 'builtin', "builtin is the built-in provider's name"),
    kind: z.enum(['SAGEMAKER', 'VERTEX_AI', 'AZURE_ML'], { message: 'must be SAGEMAKER, VERTEX_AI or AZURE_ML' }),
    region: z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be a region name such as eu-west-1'),
    accountId: z.union([z.string(), z.number()]).transform(String).optional(),
    endpoint: z
      .string()
      .regex(/^https?:\/\/[^\s/@]+(:\d+)?(\/\S*)?$/, 'must be an http(s) URL without credentials')
      .optional(),
    credentials: z
      .literal('default-chain', {
        message: "must be default-chain (the cloud's default credential chain; never secrets in this file)",
      })
      .default('default-chain'),
    syncIntervalSeconds: z.number().int().min(10).max(604_800).default(900),
    maxAttempts: z.number().int().min(1).max(20).default(5),
    retryMode: z.enum(['standard', 'adaptive']).default('standard'),
  })
  .superRefine((provider, ctx) => {
    if (provider.kind === 'SAGEMAKER' && provider.accountId !== undefined && !/^\d{12}$/.test(provider.accountId)) {
      ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'must be a 12-digit AWS account ID' });
    }
  });

const fileSchema = z.strictObject({
  providers: z.array(providerSchema).default([]),
});

/** Paths of keys anywhere in the document whose name looks like a secret. */
function secretKeys(value: unknown, path: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretKeys(item, [...path, String(index)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      SECRET_KEY.test(key) ? [[...path, key]] : secretKeys(inner, [...path, key]),
    );
  }
  return [];
}

const pathText = (path: PropertyKey[]) =>
  path
    .map((part, index) =>
      typeof part === 'number' || /^\d+$/.test(String(part))
        ? `[${String(part)}]`
        : `${index ? '.' : ''}${String(part)}`,
    )
    .join('');

/**
 * Reads `cairn.config.yaml` (the path in CAIRN_CONFIG): the cloud provider instances. Answers the
 * providers, or every problem found (`<path>: <message>` each, values never echoed).
 */
export function readProvidersFile(file: string): { providers: CloudProviderConfig[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      providers: [],
      problems: [`CAIRN_CONFIG: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`],
    };
  }
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    return { providers: [], problems: [`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  const problems = secretKeys(document).map(
    (path) =>
      `${file}: ${pathText(path)}: secrets never go in this file (credentials come from the cloud's default chain)`,
  );
  const result = fileSchema.safeParse(document);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A secret-looking key is reported once, by the rule above, not again as an unknown key.
      if (issue.code === 'unrecognized_keys' && issue.keys.every((key) => SECRET_KEY.test(key))) continue;
      problems.push(`${file}: ${pathText(issue.path) || 'document'}: ${issue.message}`);
    }
  }
  const providers = result.success ? (result.data.providers as CloudProviderConfig[]) : [];
  const seen = new Set<string>();
  providers.forEach((provider, index) => {
    if (seen.has(provider.name))
      problems.push(`${file}: providers[${index}].name: ${provider.name} is already the name of another provider`);
    seen.add(provider.name);
  });
  return { providers: problems.length ? [] : providers, problems };
}
