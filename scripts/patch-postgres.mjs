// Guards postgres.js 3.4.x against a crash on a closed connection (upstream issues
// porsager/postgres#1154, #1066, #1208; fixes proposed in #1168, #1209, not released):
// a small write is deferred with setImmediate, and if the connection closes first the
// deferred write dereferences a null socket and throws from the timer, which no caller
// can catch: the process dies whenever PostgreSQL restarts at the wrong moment. Also,
// teardown cancels the deferred write without forgetting it, so that connection can
// never write again.
//
// Run by `postinstall`. Idempotent; it leaves a copy alone when the code it fixes is
// not there (a release with the fix needs no patch).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
let root;
try {
  root = path.dirname(require.resolve("postgres"));
} catch {
  process.exit(0); // not installed (yet): nothing to patch
}
// The package's folder: up from its entry point to the package.json named "postgres".
while (!isPackageRoot(root)) {
  const parent = path.dirname(root);
  if (parent === root) process.exit(0);
  root = parent;
}

function isPackageRoot(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "postgres";
  } catch {
    return false;
  }
}

const MARK = "/* jobstar: closed-socket guard */";
const fixes = [
  [
    "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)",
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    "    clearImmediate(nextWriteTimer)\n",
    "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n",
  ],
];

let patched = 0;
for (const flavour of ["src", "cjs/src", "cf/src"]) {
  const file = path.join(root, flavour, "connection.js");
  if (!fs.existsSync(file)) continue;
  let text = fs.readFileSync(file, "utf8");
  if (text.includes(MARK) || !text.includes(fixes[0][0])) continue;
  for (const [from, to] of fixes) text = text.split(from).join(to);
  fs.writeFileSync(file, text);
  patched++;
}
if (patched > 0)
  console.log(`jobstar: guarded postgres.js against writes on a closed connection (${patched} files)`);
