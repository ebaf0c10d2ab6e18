export { GraphQLJSON as JSONScalar, GraphQLDateTime as DateTimeScalar } from 'graphql-scalars';
