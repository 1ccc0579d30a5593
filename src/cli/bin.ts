#!/usr/bin/env node
// The `jobstar` command (package.json "bin"); `jobstar --help` lists the commands.
import { main } from "./main.js";

const code = await main(process.argv.slice(2));
// Explicit exit: a connection or timer a user's module left open must not keep the process up.
process.exit(code);
