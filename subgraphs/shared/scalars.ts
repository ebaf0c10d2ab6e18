import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { MAX_INPUT_DEPTH, problemPath, untrustedValueProblem } from '../../platform/untrusted-input.ts';

export { GraphQLDateTime as DateTimeScalar } from 'graphql-scalars';

/** A JSON argument is stored as jsonb: refused when PostgreSQL could not store it or walking it could overflow the stack. */
function storable(value: unknown): unknown {
  const problem = untrustedValueProblem(value);
  if (problem)
    throw new GraphQLError(problem.path.length ? `${problemPath(problem.path)} ${problem.message}` : problem.message, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return value;
}

/** Whether a literal nests deeper than MAX_INPUT_DEPTH (checked before graphql-scalars' recursive parse). */
function tooDeep(root: ValueNode): boolean {
  const pending: [ValueNode, number][] = [[root, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node.kind !== Kind.LIST && node.kind !== Kind.OBJECT) continue;
    if (depth + 1 > MAX_INPUT_DEPTH) return true;
    if (node.kind === Kind.LIST) for (const value of node.values) pending.push([value, depth + 1]);
    else for (const field of node.fields) pending.push([field.value, depth + 1]);
  }
  return false;
}

/**
 * graphql-scalars' JSON, bounded: the gateway's input guard refuses such values first, and this
 * keeps a subgraph safe on its own (a caller reaching it without the guard).
 */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  parseValue: (value) => storable(value),
  parseLiteral: (node: ValueNode, variables) => {
    if (tooDeep(node))
      throw new GraphQLError(`is nested deeper than ${MAX_INPUT_DEPTH} levels`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return storable(GraphQLJSON.parseLiteral(node, variables));
  },
});
