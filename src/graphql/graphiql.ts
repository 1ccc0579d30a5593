import { lowerFirst } from "../model/naming.js";
import type { Spec } from "../spec.js";

/**
 * What GraphiQL opens with: a query that runs as is on the spec's first model, and
 * comments pointing at the mutation and subscription to try next (instead of GraphiQL's
 * generic welcome text).
 */
export function exampleQuery(spec: Spec): string {
  const model = spec.registeredModels()[0]?.schema.name;
  if (!model) return "";
  const field = lowerFirst(model);
  return `# jobstar: the latest ${model} jobs. Run it with ▶ (Ctrl-Enter).
#
# Next: submit one with the submit${model} mutation (the Docs panel lists its
# payload fields), then follow it live, with its id:
#   subscription { jobStatus(id: "…") { status retries errmsg } }
query Latest${model}s {
  ${field}s(first: 10) {
    totalCount
    edges {
      node {
        id
        status
        errmsg
        info {
          createdTime
          createdBy
        }
      }
    }
  }
}
`;
}
