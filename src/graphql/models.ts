import type { EventBus } from "../events/bus.js";
import type { JobData } from "../model/job.js";
import { lowerFirst } from "../model/naming.js";
import type { RegisteredModel } from "../model/registration.js";
import type { ResourceManager } from "../resource/manager.js";
import type { Resource } from "../resource/types.js";
import type { Spec } from "../spec.js";

/** A job resource as GraphQL resolves it. */
export type JobResource = Resource<JobData>;

/** A registered model with its manager and derived GraphQL names. */
export interface GraphQLModel {
  registered: RegisteredModel;
  manager: ResourceManager;
  /** `TrainingJob` */
  typeName: string;
  /** `trainingJob` */
  fieldName: string;
  /** `TrainingPayload` */
  payloadTypeName: string;
  /** `TrainingArtifact` */
  artifactTypeName: string;
}

/** The registered models by GraphQL type name and by resource-id prefix. */
export class ModelDirectory {
  readonly models: GraphQLModel[];
  private readonly byKey = new Map<string, GraphQLModel>();

  /** The process's event bus (starting the spec if needed). */
  readonly events: () => Promise<EventBus>;

  constructor(spec: Spec) {
    this.events = async () => (await spec.start()).events;
    this.models = spec.registeredModels().map((registered) => {
      const typeName = registered.schema.name;
      const stem = typeName.endsWith("Job") && typeName !== "Job" ? typeName.slice(0, -3) : typeName;
      return {
        registered,
        manager: spec.getResourceManager(typeName),
        typeName,
        fieldName: lowerFirst(typeName),
        payloadTypeName: `${stem}Payload`,
        artifactTypeName: `${stem}Artifact`,
      };
    });
    for (const model of this.models) this.byKey.set(model.registered.schema.key, model);
  }

  /** The model a resource id belongs to, from its `<model-key>:` prefix. */
  ofResourceId(resourceId: string): GraphQLModel | null {
    const colon = resourceId.indexOf(":");
    return colon > 0 ? (this.byKey.get(resourceId.slice(0, colon)) ?? null) : null;
  }
}
