/**
 * A self-contained page that renders an OpenAPI document (3.0 or 3.1) for people: operations
 * grouped by tag with their parameters, bodies and responses, and a form to try GET requests.
 * No CDN and no build step: the machine may have no internet, so the page carries its own
 * script and style.
 */

const STYLE = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1c2430;background:#f6f7f9}
header{background:#14324f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
main{padding:12px 24px;max-width:1100px}
h2{margin:28px 0 8px;border-bottom:1px solid #d5dae1;padding-bottom:4px}
details{background:#fff;border:1px solid #d5dae1;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:baseline}
.m{font:600 12px ui-monospace,monospace;color:#fff;border-radius:4px;padding:2px 8px;min-width:60px;text-align:center}
.get{background:#1f7a4d}.post{background:#1d5fa8}.put,.patch{background:#a8661d}.delete{background:#a82b1d}
.p{font-family:ui-monospace,monospace}.s{color:#5b6675}
.body{padding:4px 14px 14px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border:1px solid #e1e5ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6}pre{background:#0f1b27;color:#e0e6ee;padding:10px;border-radius:4px;overflow:auto;max-height:420px;font-size:12px}
input{font:inherit;padding:3px 6px;width:100%}button{font:inherit;padding:4px 14px;margin-top:6px;cursor:pointer}
.lock{font-size:12px;background:#f3e7c9;border-radius:3px;padding:1px 6px}`;

/** The page's script: fetches the document, then draws it. Everything is escaped before it reaches innerHTML. */
export const DOCS_SCRIPT = `
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
const root = document.getElementById('ops');
const specUrl = document.body.dataset.spec;
function deref(doc, s) {
  let n = 0;
  while (s && s.$ref && n++ < 10) s = s.$ref.replace(/^#\\//, '').split('/').reduce((o, k) => o && o[k], doc);
  return s || {};
}
function typeOf(doc, s) {
  s = deref(doc, s);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map((x) => typeOf(doc, x)).join(' | ');
  if (s.type === 'array') return typeOf(doc, s.items) + '[]';
  return (Array.isArray(s.type) ? s.type.join(' | ') : s.type || 'any') + (s.format ? ' (' + s.format + ')' : '');
}
function limits(s) {
  const l = [];
  if (s.default !== undefined) l.push('default ' + JSON.stringify(s.default));
  if (s.minimum !== undefined) l.push('≥ ' + s.minimum);
  if (s.maximum !== undefined) l.push('≤ ' + s.maximum);
  if (s.maxLength !== undefined) l.push('max length ' + s.maxLength);
  return l.join(', ');
}
function operation(doc, path, method, op) {
  const params = (op.parameters || []).map((p) => deref(doc, p));
  const rows = params.map((p) => '<tr><td class="p">' + esc(p.name) + (p.required ? ' *' : '') + '</td><td>' + esc(p.in) +
    '</td><td>' + esc(typeOf(doc, p.schema)) + '</td><td>' + esc(p.description || '') + ' <span class="s">' + esc(limits(deref(doc, p.schema))) + '</span></td></tr>').join('');
  const body = op.requestBody && op.requestBody.content ? Object.entries(op.requestBody.content).map(([t, c]) =>
    '<p>Body <code>' + esc(t) + '</code></p><pre>' + esc(JSON.stringify(deref(doc, c.schema), null, 2)) + '</pre>').join('') : '';
  const responses = Object.entries(op.responses || {}).map(([code, r]) => '<tr><td>' + esc(code) + '</td><td>' + esc(deref(doc, r).description || '') +
    '</td><td>' + esc(Object.keys(deref(doc, r).content || {}).join(', ')) + '</td></tr>').join('');
  const security = op['x-roles'] ? ' <span class="lock">roles: ' + esc(op['x-roles'].join(', ')) + '</span>' : '';
  const tryIt = method === 'get' ? '<form data-path="' + esc(path) + '">' + params.filter((p) => p.in === 'query' || p.in === 'path').map((p) =>
    '<label>' + esc(p.name) + ' <input name="' + esc(p.name) + '" data-in="' + esc(p.in) + '"></label>').join('') +
    '<button>Send</button><pre hidden></pre></form>' : '';
  return '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + '</span><span class="p">' + esc(path) +
    '</span><span class="s">' + esc(op.summary || '') + '</span>' + security + '</summary><div class="body">' +
    (op.description ? '<p>' + esc(op.description) + '</p>' : '') +
    (rows ? '<table><tr><th>parameter</th><th>in</th><th>type</th><th>about</th></tr>' + rows + '</table>' : '') + body +
    '<table><tr><th>status</th><th>response</th><th>content</th></tr>' + responses + '</table>' + tryIt + '</div></details>';
}
async function send(form) {
  const out = form.querySelector('pre');
  let path = form.dataset.path;
  const qs = new URLSearchParams();
  for (const input of form.querySelectorAll('input')) {
    if (!input.value) continue;
    if (input.dataset.in === 'path') path = path.replace('{' + input.name + '}', encodeURIComponent(input.value));
    else qs.set(input.name, input.value);
  }
  const base = (window.__spec.servers && window.__spec.servers[0] && window.__spec.servers[0].url || '').replace(/\\/$/, '');
  const url = base + path + (qs.toString() ? '?' + qs : '');
  out.hidden = false;
  out.textContent = 'GET ' + url + ' …';
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    const type = res.headers.get('content-type') || '';
    const text = /json/.test(type) ? JSON.stringify(await res.json(), null, 2) : type.startsWith('text/') ? await res.text() : '(' + type + ', ' + (await res.arrayBuffer()).byteLength + ' bytes)';
    out.textContent = 'GET ' + url + '\\n' + res.status + ' ' + type + '\\n\\n' + text.slice(0, 20000);
  } catch (e) { out.textContent = String(e); }
}
fetch(specUrl, { headers: { accept: 'application/json' } }).then((r) => r.json()).then((doc) => {
  window.__spec = doc;
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('about').textContent = doc.info.description || '';
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) for (const [method, op] of Object.entries(item)) {
    if (!['get','post','put','patch','delete'].includes(method)) continue;
    const tag = (op.tags && op.tags[0]) || 'other';
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag).push(operation(doc, path, method, op));
  }
  root.innerHTML = [...groups].map(([tag, ops]) => '<h2>' + esc(tag) + '</h2>' + ops.join('')).join('');
  root.addEventListener('submit', (e) => { e.preventDefault(); send(e.target); });
}).catch((e) => { root.textContent = 'Could not load ' + specUrl + ': ' + e; });`;

const escAttr = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** The documentation page for the OpenAPI document at `specUrl`. */
export function docsPage(specUrl: string, title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escAttr(title)}</title><style>${STYLE}</style></head>
<body data-spec="${escAttr(specUrl)}"><header><h1 id="title">${escAttr(title)}</h1><p id="about"></p></header>
<main><p class="s">The machine-readable description: <a href="${escAttr(specUrl)}">${escAttr(specUrl)}</a></p><div id="ops">Loading…</div></main>
<script>${DOCS_SCRIPT}</script></body></html>`;
}
