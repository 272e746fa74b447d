// A small self-contained page listing the API's operations from /openapi.json
// (no CDN, no framework): method, path, summary, roles, body and responses.
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medtrace node API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
  details { border: 1px solid #d0d7de; border-radius: 6px; margin: .4rem 0; }
  summary { cursor: pointer; padding: .45rem .7rem; }
  .m { display: inline-block; width: 4.2rem; font-weight: 700; font-family: ui-monospace, monospace; }
  .get { color: #0969da; } .post { color: #1a7f37; } .put, .patch { color: #9a6700; } .delete { color: #cf222e; }
  code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
  pre { background: #f6f8fa; padding: .6rem; overflow: auto; margin: 0 .7rem .7rem; border-radius: 4px; }
  .s { color: #57606a; margin-left: .5rem; }
  .body { padding: 0 .7rem; }
</style>
</head>
<body>
<h1>medtrace node API</h1>
<p>Generated from <a href="./openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1). Errors are
<code>application/problem+json</code> (RFC 9457). Staff routes take <code>Authorization: Bearer &lt;token&gt;</code>
from <code>POST /api/v1/auth/token</code>; writes accept <code>Idempotency-Key</code> and <code>X-Reason</code>.</p>
<div id="ops">Loading…</div>
<script>
(async () => {
  const root = document.getElementById('ops');
  const doc = await (await fetch('./openapi.json')).json();
  const resolve = (schema) => {
    if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split('/').pop()] || schema;
    return schema;
  };
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, attrs || {});
    for (const child of children) node.append(child);
    return node;
  };
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  root.textContent = '';
  for (const [tag, ops] of byTag) {
    root.append(el('h2', { textContent: tag }));
    for (const { path, method, op } of ops) {
      const head = el('summary', {}, el('span', { className: 'm ' + method, textContent: method.toUpperCase() }),
        el('code', { textContent: path }), el('span', { className: 's', textContent: op.summary || '' }));
      const box = el('details', {}, head);
      const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      if (op.security && op.security.length) box.append(el('p', { className: 'body', textContent: 'Requires a bearer token.' }));
      if (op.parameters && op.parameters.length) {
        box.append(el('p', { className: 'body', textContent: 'Parameters: ' + op.parameters.map((p) => p.name + ' (' + p.in + ')').join(', ') }));
      }
      if (body) {
        box.append(el('p', { className: 'body', textContent: 'Request body:' }));
        box.append(el('pre', { textContent: JSON.stringify(resolve(body.schema), null, 2) }));
      }
      box.append(el('p', { className: 'body', textContent: 'Responses: ' + Object.entries(op.responses || {}).map(([s, r]) => s + ' ' + (r.description || '')).join('; ') }));
      root.append(box);
    }
  }
})().catch((error) => { document.getElementById('ops').textContent = 'Could not load /openapi.json: ' + error; });
</script>
</body>
</html>
`;
