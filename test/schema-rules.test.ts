import { readFile } from 'node:fs/promises';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Rules of the public contract (schema.graphql, kept current by a test in federation.test.ts),
 * checked on the whole schema so that they hold for fields added later.
 */

/** Output fields by these names always hold one of a closed set of values: they must be enums. */
const ENUM_FIELD_NAMES = new Set(['status', 'strategy', 'stage', 'severity', 'outcome', 'quality', 'direction']);

/** Fields by other names whose values are closed sets too. */
const ENUM_FIELDS = ['TrafficChange.reason', 'LineageEdge.source', 'Policy.source', 'Provider.kind'];

function outputFields(schema: GraphQLSchema) {
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ path: `${type.name}.${field.name}`, field })));
}

describe('the public schema', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = buildSchema(await readFile(new URL('../schema.graphql', import.meta.url), 'utf8'));
  });

  it('types every enum-like output field as an enum, never as String', () => {
    const fields = outputFields(schema);
    const stringly = fields
      .filter(({ path, field }) => ENUM_FIELD_NAMES.has(path.split('.')[1]!) || ENUM_FIELDS.includes(path))
      .filter(({ field }) => {
        const type = getNamedType(field.type);
        return isScalarType(type) && type.name === 'String';
      })
      .map(({ path }) => path);
    expect(stringly).toEqual([]);
    // The rule has teeth: the names it reads exist in the schema, and as enums.
    for (const path of ENUM_FIELDS) {
      const found = fields.find((f) => f.path === path);
      expect(found, path).toBeDefined();
      expect(isEnumType(getNamedType(found!.field.type)), path).toBe(true);
    }
    expect(fields.filter(({ path }) => path.endsWith('.status')).length).toBeGreaterThanOrEqual(10);
  });

  it('answers an output enum with the same type its inputs use (one DeploymentStrategy, one Stage)', () => {
    const strategy = schema.getType('DeploymentStrategy');
    expect(isEnumType(strategy)).toBe(true);
    const deployInput = schema.getType('DeployModelVersionInput');
    expect(deployInput && 'getFields' in deployInput && getNamedType(deployInput.getFields().strategy!.type)).toBe(
      strategy,
    );
    const deployment = schema.getType('Deployment');
    expect(isObjectType(deployment) && getNamedType(deployment.getFields().strategy!.type)).toBe(strategy);
    const stage = schema.getType('Stage');
    const impacted = schema.getType('ImpactedModelVersion');
    expect(isObjectType(impacted) && getNamedType(impacted.getFields().stage!.type)).toBe(stage);
  });

  it('gives every mutation one argument, input, a non-null input object; any other argument is deprecated', () => {
    const mutations = Object.values(schema.getMutationType()!.getFields());
    const broken = mutations.flatMap((mutation) => {
      const problems: string[] = [];
      const input = mutation.args.find((arg) => arg.name === 'input');
      const others = mutation.args.filter((arg) => arg.name !== 'input');
      if (!input) problems.push(`${mutation.name}: no input argument`);
      else if (!isInputObjectType(getNamedType(input.type)) || isListType(getNullableType(input.type)))
        problems.push(`${mutation.name}.input: ${input.type.toString()} is not an input object`);
      // While replaced arguments are kept (deprecated, one release), input must be nullable for them to
      // work; once they are gone it is required.
      else if (!isNonNullType(input.type) && others.length === 0)
        problems.push(`${mutation.name}.input: ${input.type.toString()} is nullable`);
      for (const arg of others)
        if (!arg.deprecationReason) problems.push(`${mutation.name}.${arg.name}: an argument besides input`);
      return problems;
    });
    expect(broken).toEqual([]);
    // The rule has teeth: it reads the arguments, deprecated ones included.
    expect(mutations.length).toBeGreaterThan(15);
    const materialize = schema.getMutationType()!.getFields().materialize!;
    expect(materialize.args.find((arg) => arg.name === 'featureView')?.deprecationReason).toBe('use input');
  });
});
