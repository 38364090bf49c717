// The browsable API reference at `/api/v1/reference`: one self-contained HTML page (no CDN, no
// external assets) that reads `/api/v1/openapi.json` with the token the reader pastes and
// lists every operation with its parameters, body and responses.

/** The page's HTML. */
export const REFERENCE_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>taskrail API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:12px;align-items:center}
header h1{font-size:17px;margin:0;flex:1}
input{font:inherit;padding:4px 8px;width:340px}button{font:inherit;padding:4px 10px}
main{max-width:1100px;margin:0 auto;padding:16px 20px}
h2{border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:28px;text-transform:capitalize}
details{background:#fff;border:1px solid #dde;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline}
.m{font:bold 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.GET{background:#2f7dd1}.POST{background:#2f9e55}.PUT{background:#b7791f}.DELETE{background:#c53030}.PATCH{background:#6b46c1}
code,pre{font:12px/1.4 ui-monospace,monospace}pre{background:#f0f2f5;padding:8px;overflow:auto;max-height:360px}
.body{padding:0 14px 12px}.muted{color:#667}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
#err{color:#c53030}
</style></head><body>
<header><h1>taskrail API reference</h1>
<input id="token" type="password" placeholder="API token (trk_…)" autocomplete="off"><button id="load">Load</button></header>
<main><p class="muted">The document lives at <code>/api/v1/openapi.json</code> and needs a token like every API route
(<code>taskrail token create --tenant T --role viewer</code>). The token stays in this browser tab (sessionStorage).</p>
<p id="err"></p><div id="out"></div></main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const resolve = (doc, node) => { let seen = 0; while (node && node.$ref && seen++ < 20) node = node.$ref.split("/").slice(1).reduce((o, k) => o[k], doc); return node; };
function render(doc) {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) (byTag[(op.tags || ["other"])[0]] ||= []).push({ path, method: method.toUpperCase(), op });
  let html = "<p>" + esc(doc.info.title) + " " + esc(doc.info.version) + " — " + esc(doc.info.description || "") + "</p>";
  for (const [tag, list] of Object.entries(byTag)) {
    html += "<h2>" + esc(tag) + "</h2>";
    for (const { path, method, op } of list) {
      html += '<details><summary><span class="m ' + method + '">' + method + "</span><code>" + esc(path) + "</code><span>" + esc(op.summary || "") + '</span><span class="muted">' + esc(op["x-taskrail-access"] || "") + "</span></summary><div class=body>";
      if (op.description) html += "<p>" + esc(op.description) + "</p>";
      if (op.parameters) html += "<table><tr><th>parameter</th><th>in</th><th>schema</th></tr>" + op.parameters.map((p) => "<tr><td><code>" + esc(p.name) + (p.required ? "*" : "") + "</code></td><td>" + esc(p.in) + "</td><td><code>" + esc(JSON.stringify(p.schema)) + "</code></td></tr>").join("") + "</table>";
      if (op.requestBody) html += "<p><b>body</b>" + (op.requestBody.required ? "" : " (optional)") + "</p><pre>" + esc(JSON.stringify(resolve(doc, op.requestBody.content["application/json"].schema), null, 2)) + "</pre>";
      html += "<p><b>responses</b></p><table>" + Object.entries(op.responses).map(([code, r]) => { r = resolve(doc, r); const c = r.content && Object.entries(r.content)[0]; return "<tr><td>" + esc(code) + "</td><td>" + esc(r.description) + (c ? " <span class=muted>(" + esc(c[0]) + ")</span>" : "") + "</td></tr>"; }).join("") + "</table></div></details>";
    }
  }
  html += "<h2>schemas</h2>" + Object.entries(doc.components.schemas).map(([n, s]) => "<details><summary><code>" + esc(n) + "</code></summary><div class=body><pre>" + esc(JSON.stringify(s, null, 2)) + "</pre></div></details>").join("");
  $("out").innerHTML = html;
}
async function load() {
  const token = $("token").value.trim();
  sessionStorage.setItem("taskrail.token", token);
  $("err").textContent = "";
  const res = await fetch("/api/v1/openapi.json", { headers: token ? { authorization: "Bearer " + token } : {} });
  const body = await res.json();
  if (!res.ok) { $("err").textContent = (body.error && body.error.code + ": " + body.error.message) || res.statusText; return; }
  render(body);
}
$("token").value = sessionStorage.getItem("taskrail.token") || "";
$("load").onclick = load;
$("token").onkeydown = (e) => { if (e.key === "Enter") load(); };
if ($("token").value) load();
</script></body></html>
`;
