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
  /**
   * The job as of one revision, for an event: read once per process however many
   * subscriptions the event reaches.
   */
  revision(resourceId: string, revisionId: string): Promise<JobResource>;
}

/** Recent revision reads shared by the subscriptions of one schema. */
const CACHED_REVISIONS = 1000;

/** The registered models by GraphQL type name and by resource-id prefix. */
export class ModelDirectory {
  readonly models: GraphQLModel[];
  private readonly byKey = new Map<string, GraphQLModel>();

  /** Jobs of several models (see `Spec.listJobs`). */
  readonly listJobs: Spec["listJobs"];

  /** The process's event bus (starting the spec if needed). */
  readonly events: () => Promise<EventBus>;

  private readonly revisions = new Map<string, Promise<JobResource>>();

  constructor(spec: Spec) {
    this.events = async () => (await spec.start()).events;
    this.listJobs = (options) => spec.listJobs(options);
    this.models = spec.registeredModels().map((registered) => {
      const typeName = registered.schema.name;
      const stem = typeName.endsWith("Job") && typeName !== "Job" ? typeName.slice(0, -3) : typeName;
      const manager = spec.getResourceManager(typeName);
      return {
        registered,
        manager,
        revision: (resourceId: string, revisionId: string) =>
          this.cachedRevision(revisionId, () => manager.get(resourceId, { revisionId })),
        typeName,
        fieldName: lowerFirst(typeName),
        payloadTypeName: `${stem}Payload`,
        artifactTypeName: `${stem}Artifact`,
      };
    });
    for (const model of this.models) this.byKey.set(model.registered.schema.key, model);
  }

  private cachedRevision(revisionId: string, load: () => Promise<JobResource>): Promise<JobResource> {
    let revision = this.revisions.get(revisionId);
    if (!revision) {
      revision = load();
      revision.catch(() => this.revisions.delete(revisionId));
      this.revisions.set(revisionId, revision);
      if (this.revisions.size > CACHED_REVISIONS) {
        const oldest = this.revisions.keys().next();
        if (!oldest.done) this.revisions.delete(oldest.value);
      }
    }
    return revision;
  }

  /** The model a resource id belongs to, from its `<model-key>:` prefix. */
  ofResourceId(resourceId: string): GraphQLModel | null {
    const colon = resourceId.indexOf(":");
    return colon > 0 ? (this.byKey.get(resourceId.slice(0, colon)) ?? null) : null;
  }
}
