// A node-postgres pool for graphile-worker's utils, quiet about errors: the bench drops
// scratch databases `with (force)`, which ends idle clients with an error nobody awaits.
import pg from "pg";

export function quietPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
