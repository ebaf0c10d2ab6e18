import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ArgumentNode,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { InputError, type InputProblem } from '../platform/errors.ts';
import {
  MAX_INPUT_DEPTH,
  problemPath,
  textProblem,
  untrustedValueProblem,
  type UntrustedValueProblem,
} from '../platform/untrusted-input.ts';
import { toGraphQLError } from '../subgraphs/shared/errors.ts';

/**
 * Refuses, before execution, an operation whose arguments hold text PostgreSQL cannot store (NUL,
 * a lone surrogate) or values nested deeper than MAX_INPUT_DEPTH: BAD_USER_INPUT naming the
 * argument path (`input.owner`), HTTP 400, nothing run. It reads every argument of the operation
 * and its fragments, inline literals and the variables they use alike, so a new field or mutation
 * is covered without a change here. Served by the gateway and by a subgraph served alone.
 */
export function inputGuardPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const problems = argumentProblems(document, operation, request.variables ?? {});
          if (problems.length === 0) return;
          const error = toGraphQLError(new InputError(problems));
          throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

/** One problem per argument at most (its first), for every argument of the operation and of the fragments. */
export function argumentProblems(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const definitions = [
    operation,
    ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
  ];
  // Arguments sit in selection sets at any depth; this walk keeps its own stack too.
  const pending: unknown[] = [...definitions];
  while (pending.length > 0) {
    const node = pending.pop() as {
      kind?: string;
      arguments?: readonly ArgumentNode[];
      selectionSet?: { selections: readonly unknown[] };
      directives?: readonly { arguments?: readonly ArgumentNode[] }[];
    };
    for (const argument of [
      ...(node.arguments ?? []),
      ...(node.directives ?? []).flatMap((directive) => directive.arguments ?? []),
    ]) {
      const problem = literalProblem(argument.value, [argument.name.value], variables);
      if (problem) problems.push({ path: problemPath(problem.path), message: problem.message });
    }
    if (node.selectionSet) pending.push(...node.selectionSet.selections);
  }
  return problems;
}

/** The first problem of an argument's value: its literal parts, and each variable's value where it is used. */
function literalProblem(
  root: ValueNode,
  rootPath: (string | number)[],
  variables: Record<string, unknown>,
): UntrustedValueProblem | null {
  const pending: { node: ValueNode; path: (string | number)[]; depth: number }[] = [
    { node: root, path: rootPath, depth: 0 },
  ];
  while (pending.length > 0) {
    const { node, path, depth } = pending.pop()!;
    switch (node.kind) {
      case Kind.STRING:
      case Kind.ENUM: {
        const message = textProblem(node.value);
        if (message) return { path, message };
        break;
      }
      case Kind.VARIABLE: {
        const problem = untrustedValueProblem(variables[node.name.value], { path, depth });
        if (problem) return problem;
        break;
      }
      case Kind.LIST:
      case Kind.OBJECT: {
        if (depth + 1 > MAX_INPUT_DEPTH) return { path, message: `is nested deeper than ${MAX_INPUT_DEPTH} levels` };
        if (node.kind === Kind.LIST)
          node.values.forEach((value, index) =>
            pending.push({ node: value, path: [...path, index], depth: depth + 1 }),
          );
        else
          node.fields.forEach((field) =>
            pending.push({ node: field.value, path: [...path, field.name.value], depth: depth + 1 }),
          );
        break;
      }
      default:
        break;
    }
  }
  return null;
}
