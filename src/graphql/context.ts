import type { Principal } from "../model/policy.js";
import type { ResolvedLimits, SubscriptionSlots } from "./limits.js";

/** Per-request GraphQL context. */
export interface GraphQLContext {
  /** Who is acting: becomes `createdBy` / `updatedBy` of what the request writes. */
  user: string;
  /**
   * The authenticated caller, whose permissions every resolver checks; null (or absent)
   * when the server authenticates nobody, and everything is allowed.
   */
  principal?: Principal | null;
  /** The server's limits (defaults when absent). */
  limits?: ResolvedLimits;
  /** Live subscriptions per user (no per-user limit when absent). */
  subscriptions?: SubscriptionSlots;
}
