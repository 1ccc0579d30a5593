// `npm run schema`: prints the demo models' GraphQL schema, sorted, to schema.graphql.
// `--check` exits 1 when the file is out of date instead of writing it.
import { readFile, writeFile } from "node:fs/promises";
import { printSchema } from "graphql";
import { Spec } from "jobstar";
import { buildSchema } from "jobstar/server";
import { addDemoModels } from "../examples/demo-models.js";

const file = new URL("../schema.graphql", import.meta.url);
const printed = `${printSchema(buildSchema(addDemoModels(new Spec())))}\n`;
if (process.argv.includes("--check")) {
  const current = await readFile(file, "utf8").catch(() => "");
  if (current !== printed) {
    console.error("schema.graphql is out of date: run npm run schema");
    process.exit(1);
  }
} else {
  await writeFile(file, printed);
  console.log("wrote schema.graphql");
}
