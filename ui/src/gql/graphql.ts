/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where a job is in its life cycle. */
export const JobStatus = {
  Cancelled: 'CANCELLED',
  Completed: 'COMPLETED',
  Failed: 'FAILED',
  Pending: 'PENDING',
  Processing: 'PROCESSING'
} as const;

export type JobStatus = typeof JobStatus[keyof typeof JobStatus];
/** An enum describing what kind of type a given `__Type` is. */
export const __TypeKind = {
  /** Indicates this type is a scalar. */
  Scalar: 'SCALAR',
  /** Indicates this type is an object. `fields` and `interfaces` are valid fields. */
  Object: 'OBJECT',
  /** Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields. */
  Interface: 'INTERFACE',
  /** Indicates this type is a union. `possibleTypes` is a valid field. */
  Union: 'UNION',
  /** Indicates this type is an enum. `enumValues` is a valid field. */
  Enum: 'ENUM',
  /** Indicates this type is an input object. `inputFields` is a valid field. */
  InputObject: 'INPUT_OBJECT',
  /** Indicates this type is a list. `ofType` is a valid field. */
  List: 'LIST',
  /** Indicates this type is a non-null. `ofType` is a valid field. */
  NonNull: 'NON_NULL'
} as const;

export type __TypeKind = typeof __TypeKind[keyof typeof __TypeKind];
export type JobModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type JobModelsQuery = { jobModels: Array<{ name: string, key: string, version: string, payloadSchema: unknown, artifactSchema: unknown }> };

export type SchemaTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type SchemaTypesQuery = { __schema: { queryType: { name: string | null }, types: Array<{ name: string | null, kind: __TypeKind, fields: Array<{ name: string, type: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null } | null } | null } | null } | null } }> | null }> } };

export type TypeRefFragment = { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null, ofType: { kind: __TypeKind, name: string | null } | null } | null } | null } | null };

type JobRow_FlakyJob_Fragment = { id: string, model: string, status: JobStatus, retries: number, maxRetries: number | null, partitionKey: string | null, errmsg: string | null, info: { revisionId: string }, meta: { createdBy: string, createdTime: string, updatedBy: string, updatedTime: string, totalRevisionCount: number } };

type JobRow_ReportJob_Fragment = { id: string, model: string, status: JobStatus, retries: number, maxRetries: number | null, partitionKey: string | null, errmsg: string | null, info: { revisionId: string }, meta: { createdBy: string, createdTime: string, updatedBy: string, updatedTime: string, totalRevisionCount: number } };

type JobRow_TrainingJob_Fragment = { id: string, model: string, status: JobStatus, retries: number, maxRetries: number | null, partitionKey: string | null, errmsg: string | null, info: { revisionId: string }, meta: { createdBy: string, createdTime: string, updatedBy: string, updatedTime: string, totalRevisionCount: number } };

export type JobRowFragment =
  | JobRow_FlakyJob_Fragment
  | JobRow_ReportJob_Fragment
  | JobRow_TrainingJob_Fragment
;

type JobStateFields_FlakyJob_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

type JobStateFields_FlakyJobRevision_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

type JobStateFields_ReportJob_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

type JobStateFields_ReportJobRevision_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

type JobStateFields_TrainingJob_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

type JobStateFields_TrainingJobRevision_Fragment = { status: JobStatus, errmsg: string | null, retries: number, maxRetries: number | null, lastHeartbeatAt: string | null, partitionKey: string | null, idempotencyKey: string | null, periodicIntervalSeconds: number | null, periodicMaxRuns: number | null, periodicRuns: number, periodicInitialDelaySeconds: number | null, info: { revisionId: string, parentRevisionId: string | null, status: string, createdBy: string, createdTime: string, updatedBy: string, updatedTime: string } };

export type JobStateFieldsFragment =
  | JobStateFields_FlakyJob_Fragment
  | JobStateFields_FlakyJobRevision_Fragment
  | JobStateFields_ReportJob_Fragment
  | JobStateFields_ReportJobRevision_Fragment
  | JobStateFields_TrainingJob_Fragment
  | JobStateFields_TrainingJobRevision_Fragment
;

export type JobLogFieldsFragment = { time: string, level: string, message: string, run: number };

export type JobStatusWatchSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type JobStatusWatchSubscription = { jobStatus:
    | { id: string, status: JobStatus, info: { revisionId: string } }
    | { id: string, status: JobStatus, info: { revisionId: string } }
    | { id: string, status: JobStatus, info: { revisionId: string } }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const TypeRefFragmentDoc = new TypedDocumentString(`
    fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
        }
      }
    }
  }
}
    `, {"fragmentName":"TypeRef"}) as unknown as TypedDocumentString<TypeRefFragment, unknown>;
export const JobRowFragmentDoc = new TypedDocumentString(`
    fragment JobRow on Job {
  id
  model
  status
  retries
  maxRetries
  partitionKey
  errmsg
  info {
    revisionId
  }
  meta {
    createdBy
    createdTime
    updatedBy
    updatedTime
    totalRevisionCount
  }
}
    `, {"fragmentName":"JobRow"}) as unknown as TypedDocumentString<JobRowFragment, unknown>;
export const JobStateFieldsFragmentDoc = new TypedDocumentString(`
    fragment JobStateFields on JobState {
  status
  errmsg
  retries
  maxRetries
  lastHeartbeatAt
  partitionKey
  idempotencyKey
  periodicIntervalSeconds
  periodicMaxRuns
  periodicRuns
  periodicInitialDelaySeconds
  info {
    revisionId
    parentRevisionId
    status
    createdBy
    createdTime
    updatedBy
    updatedTime
  }
}
    `, {"fragmentName":"JobStateFields"}) as unknown as TypedDocumentString<JobStateFieldsFragment, unknown>;
export const JobLogFieldsFragmentDoc = new TypedDocumentString(`
    fragment JobLogFields on JobLog {
  time
  level
  message
  run
}
    `, {"fragmentName":"JobLogFields"}) as unknown as TypedDocumentString<JobLogFieldsFragment, unknown>;
export const JobModelsDocument = new TypedDocumentString(`
    query JobModels {
  jobModels {
    name
    key
    version
    payloadSchema
    artifactSchema
  }
}
    `) as unknown as TypedDocumentString<JobModelsQuery, JobModelsQueryVariables>;
export const SchemaTypesDocument = new TypedDocumentString(`
    query SchemaTypes {
  __schema {
    queryType {
      name
    }
    types {
      name
      kind
      fields {
        name
        type {
          ...TypeRef
        }
      }
    }
  }
}
    fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
        }
      }
    }
  }
}`) as unknown as TypedDocumentString<SchemaTypesQuery, SchemaTypesQueryVariables>;
export const JobStatusWatchDocument = new TypedDocumentString(`
    subscription JobStatusWatch($id: ID!) {
  jobStatus(id: $id) {
    id
    status
    info {
      revisionId
    }
  }
}
    `) as unknown as TypedDocumentString<JobStatusWatchSubscription, JobStatusWatchSubscriptionVariables>;