import { defaultPolicy, JobAccess } from "../resource/authorize.js";
import type { GraphQLContext } from "./context.js";
import type { GraphQLModel } from "./models.js";

/** A model's jobs as the request's principal may see and change them. */
export function jobsOf(model: GraphQLModel, ctx: GraphQLContext): JobAccess {
  return new JobAccess(
    model.manager,
    model.registered.authorize ?? defaultPolicy,
    ctx.principal ?? null,
    ctx.user,
  );
}

/**
 * Runs `subscribe` holding one of the caller's subscription slots until the stream
 * ends (only authenticated callers are counted: anonymous ones share no name).
 */
export function holdSlot<T>(
  ctx: GraphQLContext,
  subscribe: () => Promise<AsyncIterable<T>>,
): Promise<AsyncIterable<T>> {
  if (!ctx.subscriptions || !ctx.principal) return subscribe();
  return ctx.subscriptions.hold(ctx.principal.user, subscribe);
}
