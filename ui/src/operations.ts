// The UI's static operations, typed by graphql-codegen (`npm run codegen:ui`). Operations
// whose field names depend on the model (`trainingJobs`, `submitTrainingJob`, …) are
// built in dynamic.ts around the fragments below.
import { graphql } from "./gql/index.ts";

export const JobModelsQuery = graphql(`
  query JobModels {
    jobModels {
      name
      key
      version
      payloadSchema
      artifactSchema
    }
  }
`);

/** The schema's types, so the UI selects each model's payload and artifact fields as they are. */
export const SchemaTypesQuery = graphql(`
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
  }
`);

export const JobRowFields = graphql(`
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
`);

export const JobStateFields = graphql(`
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
`);

export const JobLogFields = graphql(`
  fragment JobLogFields on JobLog {
    time
    level
    message
    run
  }
`);

export const JobStatusSubscription = graphql(`
  subscription JobStatusWatch($id: ID!) {
    jobStatus(id: $id) {
      id
      status
      info {
        revisionId
      }
    }
  }
`);
