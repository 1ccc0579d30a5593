/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query JobModels {\n    jobModels {\n      name\n      key\n      version\n      payloadSchema\n      artifactSchema\n    }\n  }\n": typeof types.JobModelsDocument,
    "\n  query SchemaTypes {\n    __schema {\n      queryType {\n        name\n      }\n      types {\n        name\n        kind\n        fields {\n          name\n          type {\n            ...TypeRef\n          }\n        }\n      }\n    }\n  }\n  fragment TypeRef on __Type {\n    kind\n    name\n    ofType {\n      kind\n      name\n      ofType {\n        kind\n        name\n        ofType {\n          kind\n          name\n          ofType {\n            kind\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.SchemaTypesDocument,
    "\n  fragment JobRow on Job {\n    id\n    model\n    status\n    retries\n    maxRetries\n    partitionKey\n    errmsg\n    info {\n      revisionId\n    }\n    meta {\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n      totalRevisionCount\n    }\n  }\n": typeof types.JobRowFragmentDoc,
    "\n  fragment JobStateFields on JobState {\n    status\n    errmsg\n    retries\n    maxRetries\n    lastHeartbeatAt\n    partitionKey\n    idempotencyKey\n    periodicIntervalSeconds\n    periodicMaxRuns\n    periodicRuns\n    periodicInitialDelaySeconds\n    info {\n      revisionId\n      parentRevisionId\n      status\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n    }\n  }\n": typeof types.JobStateFieldsFragmentDoc,
    "\n  fragment JobLogFields on JobLog {\n    time\n    level\n    message\n    run\n  }\n": typeof types.JobLogFieldsFragmentDoc,
    "\n  subscription JobStatusWatch($id: ID!) {\n    jobStatus(id: $id) {\n      id\n      status\n      info {\n        revisionId\n      }\n    }\n  }\n": typeof types.JobStatusWatchDocument,
};
const documents: Documents = {
    "\n  query JobModels {\n    jobModels {\n      name\n      key\n      version\n      payloadSchema\n      artifactSchema\n    }\n  }\n": types.JobModelsDocument,
    "\n  query SchemaTypes {\n    __schema {\n      queryType {\n        name\n      }\n      types {\n        name\n        kind\n        fields {\n          name\n          type {\n            ...TypeRef\n          }\n        }\n      }\n    }\n  }\n  fragment TypeRef on __Type {\n    kind\n    name\n    ofType {\n      kind\n      name\n      ofType {\n        kind\n        name\n        ofType {\n          kind\n          name\n          ofType {\n            kind\n            name\n          }\n        }\n      }\n    }\n  }\n": types.SchemaTypesDocument,
    "\n  fragment JobRow on Job {\n    id\n    model\n    status\n    retries\n    maxRetries\n    partitionKey\n    errmsg\n    info {\n      revisionId\n    }\n    meta {\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n      totalRevisionCount\n    }\n  }\n": types.JobRowFragmentDoc,
    "\n  fragment JobStateFields on JobState {\n    status\n    errmsg\n    retries\n    maxRetries\n    lastHeartbeatAt\n    partitionKey\n    idempotencyKey\n    periodicIntervalSeconds\n    periodicMaxRuns\n    periodicRuns\n    periodicInitialDelaySeconds\n    info {\n      revisionId\n      parentRevisionId\n      status\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n    }\n  }\n": types.JobStateFieldsFragmentDoc,
    "\n  fragment JobLogFields on JobLog {\n    time\n    level\n    message\n    run\n  }\n": types.JobLogFieldsFragmentDoc,
    "\n  subscription JobStatusWatch($id: ID!) {\n    jobStatus(id: $id) {\n      id\n      status\n      info {\n        revisionId\n      }\n    }\n  }\n": types.JobStatusWatchDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobModels {\n    jobModels {\n      name\n      key\n      version\n      payloadSchema\n      artifactSchema\n    }\n  }\n"): typeof import('./graphql').JobModelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchemaTypes {\n    __schema {\n      queryType {\n        name\n      }\n      types {\n        name\n        kind\n        fields {\n          name\n          type {\n            ...TypeRef\n          }\n        }\n      }\n    }\n  }\n  fragment TypeRef on __Type {\n    kind\n    name\n    ofType {\n      kind\n      name\n      ofType {\n        kind\n        name\n        ofType {\n          kind\n          name\n          ofType {\n            kind\n            name\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SchemaTypesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobRow on Job {\n    id\n    model\n    status\n    retries\n    maxRetries\n    partitionKey\n    errmsg\n    info {\n      revisionId\n    }\n    meta {\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n      totalRevisionCount\n    }\n  }\n"): typeof import('./graphql').JobRowFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobStateFields on JobState {\n    status\n    errmsg\n    retries\n    maxRetries\n    lastHeartbeatAt\n    partitionKey\n    idempotencyKey\n    periodicIntervalSeconds\n    periodicMaxRuns\n    periodicRuns\n    periodicInitialDelaySeconds\n    info {\n      revisionId\n      parentRevisionId\n      status\n      createdBy\n      createdTime\n      updatedBy\n      updatedTime\n    }\n  }\n"): typeof import('./graphql').JobStateFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobLogFields on JobLog {\n    time\n    level\n    message\n    run\n  }\n"): typeof import('./graphql').JobLogFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobStatusWatch($id: ID!) {\n    jobStatus(id: $id) {\n      id\n      status\n      info {\n        revisionId\n      }\n    }\n  }\n"): typeof import('./graphql').JobStatusWatchDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
