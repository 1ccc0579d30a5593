/**
 * The REST API's docs page: a self-contained HTML page (no CDN, so it works offline)
 * that reads the OpenAPI document and lists each route with its parameters and schemas.
 */

/** The HTML of the docs page, reading the document at `openApiPath`. */
export function docsPage(openApiPath: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jobstar REST API</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;margin-top:2rem}.route{margin:.5rem 0;padding:.5rem;border:1px solid #eee;border-radius:4px}
.m{display:inline-block;width:4rem;font-weight:bold}.GET{color:#0a6}.POST{color:#06c}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}details summary{cursor:pointer}
</style></head><body>
<h1>jobstar REST API</h1>
<p>The OpenAPI 3.1 document: <a href="${openApiPath}">${openApiPath}</a>. Errors answer
<code>{"error": {"code", "message", "fields"}}</code> with the HTTP status of their code.</p>
<div id="routes">Loading…</div>
<script>
fetch(${JSON.stringify(openApiPath)}).then(r => r.json()).then(doc => {
  const root = document.getElementById("routes");
  root.textContent = "";
  const groups = {};
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item))
      (groups[op.tags[0]] ??= []).push([method.toUpperCase(), path, op]);
  for (const [tag, routes] of Object.entries(groups)) {
    const h = document.createElement("h2"); h.textContent = tag; root.append(h);
    for (const [method, path, op] of routes) {
      const d = document.createElement("details"); d.className = "route";
      const s = document.createElement("summary");
      const m = document.createElement("span"); m.className = "m " + method; m.textContent = method;
      const c = document.createElement("code"); c.textContent = path;
      s.append(m, c, " — " + op.summary); d.append(s);
      const pre = document.createElement("pre");
      pre.textContent = JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2);
      d.append(pre); root.append(d);
    }
  }
  const h = document.createElement("h2"); h.textContent = "Schemas"; root.append(h);
  const pre = document.createElement("pre"); pre.textContent = JSON.stringify(doc.components.schemas, null, 2); root.append(pre);
}, e => { document.getElementById("routes").textContent = "Could not load the document: " + e; });
</script></body></html>`;
}
