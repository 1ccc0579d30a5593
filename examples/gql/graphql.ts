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
/** A new TrainingJob: its payload and job options. */
export type SubmitTrainingJobInput = {
  /** A second submit with the same key and payload returns the first job; another payload is a CONFLICT. */
  idempotencyKey?: string | null | undefined;
  /** Failed runs to retry. Default: the queue's (3). */
  maxRetries?: number | null | undefined;
  partitionKey?: string | null | undefined;
  payload: TrainingPayloadInput;
  periodicInitialDelaySeconds?: number | null | undefined;
  periodicIntervalSeconds?: number | null | undefined;
  periodicMaxRuns?: number | null | undefined;
  /** Higher runs first among due jobs, from -32767 to 32767. Default: 0. */
  priority?: number | null | undefined;
  /** Not before this time (instead of periodicInitialDelaySeconds). Default: at once. */
  runAt?: string | null | undefined;
  /** A run taking longer fails (a retry spent). Default: the model's limit. */
  timeoutSeconds?: number | null | undefined;
};

/** The learning algorithm. */
export const TrainingPayloadAlgo = {
  Mlp: 'mlp',
  RandomForest: 'random_forest'
} as const;

export type TrainingPayloadAlgo = typeof TrainingPayloadAlgo[keyof typeof TrainingPayloadAlgo];
export type TrainingPayloadInput = {
  /** The learning algorithm. */
  algo: TrainingPayloadAlgo;
  /** Which data set to train on. */
  data_id: string;
  /** Algorithm parameters. */
  params: unknown;
};

export type SubmitTrainingMutationVariables = Exact<{
  input: SubmitTrainingJobInput;
}>;


export type SubmitTrainingMutation = { submitTrainingJob: { id: string, status: JobStatus, info: { createdBy: string } } };

export type FollowJobSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type FollowJobSubscription = { jobStatus:
    | { id: string, status: JobStatus, retries: number, errmsg: string | null }
    | { id: string, status: JobStatus, retries: number, errmsg: string | null }
    | { id: string, status: JobStatus, retries: number, errmsg: string | null, artifact: { modelId: string, accuracy: number } | null }
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

export const SubmitTrainingDocument = new TypedDocumentString(`
    mutation SubmitTraining($input: SubmitTrainingJobInput!) {
  submitTrainingJob(input: $input) {
    id
    status
    info {
      createdBy
    }
  }
}
    `) as unknown as TypedDocumentString<SubmitTrainingMutation, SubmitTrainingMutationVariables>;
export const FollowJobDocument = new TypedDocumentString(`
    subscription FollowJob($id: ID!) {
  jobStatus(id: $id) {
    id
    status
    retries
    errmsg
    ... on TrainingJob {
      artifact {
        modelId
        accuracy
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FollowJobSubscription, FollowJobSubscriptionVariables>;