// Validates deploy/kubernetes/*.yaml against Kubernetes' published OpenAPI schemas, offline: the npm package
// kubernetes-models carries them (generated from the Kubernetes API's OpenAPI document) with an ajv validator.
// Also checks what the schemas cannot: the Job is Indexed and runs --shard-from-env, the NetworkPolicy denies all but
// its egress rules, the pod drops every capability but NET_RAW.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2];
const kinds = {
  "v1/Secret": "kubernetes-models/v1/Secret",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
};
let failures = 0;
const fail = (file, message) => { console.error(`${file}: ${message}`); failures++; };
const seen = {};
for (const file of readdirSync(dir).filter(f => f.endsWith(".yaml")).sort()) {
  if (file === "kustomization.yaml") continue;
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    if (doc.errors.length) { fail(file, doc.errors[0].message); continue; }
    const object = doc.toJS();
    const key = `${object.apiVersion}/${object.kind}`;
    const module = kinds[key];
    if (!module) { fail(file, `no schema for ${key}`); continue; }
    const { [object.kind]: Model } = await import(module);
    try {
      new Model(object).validate();
      console.log(`${file}: ${key} ${object.metadata?.name} valid`);
      seen[object.kind] = object;
    } catch (e) {
      fail(file, `${key} invalid: ${e.message}`);
    }
  }
}
const job = seen.Job;
if (!job) fail("job.yaml", "no Job");
else {
  const spec = job.spec;
  if (spec.completionMode !== "Indexed") fail("job.yaml", "completionMode must be Indexed");
  if (!(spec.parallelism <= spec.completions)) fail("job.yaml", "parallelism must not exceed completions");
  const c = spec.template.spec.containers[0];
  if (!c.args.includes("--shard-from-env")) fail("job.yaml", "the container must run --shard-from-env");
  if (!c.args.includes(`--shard-count=${spec.completions}`)) fail("job.yaml", `--shard-count must equal completions (${spec.completions})`);
  if (!c.args.some(a => a.startsWith("--seed="))) fail("job.yaml", "every shard needs the same --seed");
  const caps = c.securityContext?.capabilities ?? {};
  if (JSON.stringify(caps.drop) !== '["ALL"]' || JSON.stringify(caps.add ?? []) !== '["NET_RAW"]') fail("job.yaml", "drop ALL, add only NET_RAW");
  if (spec.template.spec.securityContext?.runAsNonRoot !== true) fail("job.yaml", "runAsNonRoot must be true");
  if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) fail("job.yaml", "resource requests are required");
  const db = c.env?.find(e => e.name === "PORTATLAS_DB");
  if (!db?.valueFrom?.secretKeyRef) fail("job.yaml", "the database URL must come from a Secret");
}
const policy = seen.NetworkPolicy;
if (!policy) fail("networkpolicy.yaml", "no NetworkPolicy");
else {
  if (!policy.spec.policyTypes.includes("Egress")) fail("networkpolicy.yaml", "must restrict Egress");
  for (const rule of policy.spec.egress ?? []) {
    if (!rule.to?.length) fail("networkpolicy.yaml", "an egress rule without 'to' allows everything");
    for (const peer of rule.to ?? []) if (peer.ipBlock?.cidr === "0.0.0.0/0") fail("networkpolicy.yaml", "egress to 0.0.0.0/0");
  }
}
if (failures) { console.error(`${failures} problem(s)`); process.exit(1); }
console.log("manifests valid");
