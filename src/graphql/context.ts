/** Per-request GraphQL context. */
export interface GraphQLContext {
  /** Who is acting: becomes `createdBy` / `updatedBy` of what the request writes. */
  user: string;
}
