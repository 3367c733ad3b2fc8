#!/usr/bin/python3
"""Tests of the Helm chart helm/velostream: `helm lint --strict`, `helm template` with default and
non-default values (the rendered manifests parsed with PyYAML and checked: args, probes, volumes,
security, services, HPA, PDB, ServiceMonitor, render-time errors), and the chart's job-submission
script run for real against `velo-sql serve` on 127.0.0.1.

Usage: /usr/bin/python3 test_chart.py VELO_SQL VELO_CLI CASE      (CASE: render, submit, pod)
helm comes from scripts/install-helm.sh (fetched into .tools/ when missing): never skipped.
Needs Debian's python3-yaml, hence /usr/bin/python3.
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHART = os.path.join(ROOT, "helm", "velostream")
FULL = os.path.join(HERE, "values-full.yaml")
VELO_SQL, VELO_CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WAIT = 20.0  # seconds: bound of every wait (the machine may be busy)

ENV = dict(os.environ)
for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "VELO_TOKEN"):
    ENV.pop(k, None)
ENV["NO_PROXY"] = ENV["no_proxy"] = "*"


def fail(msg):
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def helm_path():
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "install-helm.sh")], capture_output=True, text=True)
    if r.returncode != 0:
        fail("scripts/install-helm.sh failed (exit %d):\n%s" % (r.returncode, r.stderr))
    return r.stdout.strip().splitlines()[-1]


HELM = None


def helm(*args, ok=True):
    r = subprocess.run([HELM] + list(args), capture_output=True, text=True, env=ENV)
    if ok and r.returncode != 0:
        fail("helm %s failed (exit %d):\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def render(*args):
    out = helm("template", "rel", CHART, "--namespace", "streams", *args).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    by = {}
    for d in docs:
        check("kind" in d and "metadata" in d, "a rendered document without kind/metadata: %r" % d)
        key = (d["kind"], d["metadata"]["name"])
        check(key not in by, "two documents are %s/%s" % key)
        by[key] = d
    return by


# The TypeScript interface of each kind the chart renders (npm kubernetes-models and
# @kubernetes-models/prometheus-operator, installed by tests/deploy/setup.sh).
K8S_TYPES = {
    ("apps/v1", "StatefulSet"): "kubernetes-models/apps/v1/StatefulSet",
    ("v1", "Service"): "kubernetes-models/v1/Service",
    ("v1", "Secret"): "kubernetes-models/v1/Secret",
    ("v1", "ConfigMap"): "kubernetes-models/v1/ConfigMap",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    ("policy/v1", "PodDisruptionBudget"): "kubernetes-models/policy/v1/PodDisruptionBudget",
    ("monitoring.coreos.com/v1", "ServiceMonitor"):
        "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
}


def check_k8s_types(renders):
    """Type-checks every rendered manifest against the Kubernetes API (its kind's interface in
    kubernetes-models) with tsc: a misspelt or unknown field, a wrong type or a missing required
    field is an error. helm lint does not look at the Kubernetes schema; there is no cluster for
    `kubectl --dry-run=server` here."""
    r = subprocess.run(["sh", os.path.join(HERE, "setup.sh")], capture_output=True, text=True)
    check(r.returncode == 0, "tests/deploy/setup.sh failed:\n" + r.stdout + r.stderr)
    tmp = tempfile.mkdtemp(prefix="velo-k8s-types-")
    try:
        os.symlink(os.path.join(HERE, "node_modules"), os.path.join(tmp, "node_modules"))
        imports, consts, n = [], [], 0
        for label, docs in renders:
            for (kind, name), d in sorted(docs.items()):
                mod = K8S_TYPES.get((d["apiVersion"], kind))
                check(mod, "no Kubernetes type known for %s %s" % (d["apiVersion"], kind))
                imports.append('import type { I%s as T%d } from "%s";' % (kind, n, mod))
                consts.append("// %s: %s %s\nexport const m%d: T%d = %s;" % (label, kind, name, n, n, json.dumps(d, indent=1)))
                n += 1
        ts = os.path.join(tmp, "manifests.ts")
        with open(ts, "w") as f:
            f.write("\n".join(imports + consts) + "\n")
        r = subprocess.run([os.path.join(HERE, "node_modules", ".bin", "tsc"), "--noEmit", "--strict", "--skipLibCheck",
                            "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", ts],
                           capture_output=True, text=True, cwd=tmp)
        if r.returncode != 0:
            lines = open(ts).read().splitlines()
            where = []
            for m in re.finditer(r"manifests\.ts\((\d+),", r.stdout):
                ln = int(m.group(1))
                label = next((lines[i] for i in range(ln - 1, -1, -1) if lines[i].startswith("// ")), "?")
                where.append("line %d is in %s" % (ln, label))
            fail("rendered manifests do not match the Kubernetes API types:\n%s\n%s" % (r.stdout, "\n".join(where)))
        return n
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def only(docs, kind):
    found = [d for (k, _), d in docs.items() if k == kind]
    check(len(found) == 1, "expected one %s, found %d" % (kind, len(found)))
    return found[0]


def kinds(docs):
    return sorted(k for k, _ in docs)


def serve_flags():
    """The options `velo-sql serve` accepts, read from cli/velo_sql.c (so the chart cannot pass a
    flag that does not exist)."""
    src = open(os.path.join(ROOT, "cli", "velo_sql.c"), encoding="utf-8").read()
    m = re.search(r"with_value\[\]\s*=\s*\{([^}]*)\}", src)
    check(m, "cli/velo_sql.c: the serve option table (with_value[]) was not found")
    return set(re.findall(r'"(--[a-z-]+)"', m.group(1)))


def arg_value(args, flag):
    check(flag in args, "serve args lack %s: %r" % (flag, args))
    return args[args.index(flag) + 1]


def dockerfile_uid():
    text = open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8").read()
    m = re.search(r"^USER\s+(\d+)(?::(\d+))?\s*$", text, re.M)
    check(m, "Dockerfile: no numeric USER line")
    return int(m.group(1))


def check_node_container(sts, flags, scheme):
    spec = sts["spec"]["template"]["spec"]
    (c,) = [c for c in spec["containers"] if c["name"] == "velo-sql"]
    check(c["command"] == ["velo-sql"], "the container runs %r, not velo-sql" % c["command"])
    args = c["args"]
    check(args[0] == "serve", "first argument is %r, not serve" % args[0])
    for a in args[1:]:
        if a.startswith("--"):
            check(a in flags, "the chart passes %s, which `velo-sql serve` does not accept (%s)" % (a, sorted(flags)))
    check(arg_value(args, "--listen") == "0.0.0.0", "--listen must be 0.0.0.0 in a pod")
    check(arg_value(args, "--data-dir") == "/data", "--data-dir must be /data")
    port = int(arg_value(args, "--port"))
    check(c["ports"][0]["containerPort"] == port and c["ports"][0]["name"] == "http", "containerPort != --port")
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    check(mounts["data"]["mountPath"] == "/data", "the data volume is not at /data")
    check(mounts["tmp"]["mountPath"] == "/tmp", "no writable /tmp next to the read-only root fs")
    check(c["workingDir"] == "/data", "relative file:// paths must land in the data dir")
    # Probes: liveness on /health/live, readiness on /health/ready, a startup probe in front.
    for probe, path in (("startupProbe", "/health/live"), ("livenessProbe", "/health/live"),
                        ("readinessProbe", "/health/ready")):
        check(probe in c, "no %s" % probe)
        g = c[probe]["httpGet"]
        check(g["path"] == path and g["port"] == "http" and g["scheme"] == scheme,
              "%s is %r, expected %s on port http over %s" % (probe, g, path, scheme))
    st = c["startupProbe"]
    check(st["periodSeconds"] * st["failureThreshold"] >= 60, "the startup probe allows less than a minute")
    # Security: non-root, read-only root fs, nothing to escalate.
    sc, psc = c["securityContext"], spec["securityContext"]
    check(sc["readOnlyRootFilesystem"] is True, "root fs not read-only")
    check(sc["allowPrivilegeEscalation"] is False, "privilege escalation allowed")
    check(sc["capabilities"]["drop"] == ["ALL"], "capabilities not dropped")
    check(psc["runAsNonRoot"] is True and psc["runAsUser"] != 0, "pod may run as root")
    check(psc["runAsUser"] == dockerfile_uid(), "pod runAsUser %s != the Dockerfile's USER %s"
          % (psc["runAsUser"], dockerfile_uid()))
    check(psc["fsGroup"] == psc["runAsGroup"], "fsGroup must let the user write the data volume")
    check(spec["automountServiceAccountToken"] is False, "the node needs no Kubernetes API token")
    # SIGTERM drains (up to 5 s per node today, more with Kafka commits): well above that.
    check(spec["terminationGracePeriodSeconds"] >= 30, "terminationGracePeriodSeconds too short to drain")
    check("limits" in c["resources"] and "requests" in c["resources"], "no resources")
    return c, args, mounts, spec


def test_render():
    flags = serve_flags()
    for values in ([], ["-f", FULL]):
        r = helm("lint", "--strict", CHART, *values)
        check("0 chart(s) failed" in r.stdout, "helm lint --strict %s:\n%s" % (values, r.stdout))

    # ---- the packaged chart has what the templates read ----
    tmp = tempfile.mkdtemp(prefix="velo-package-")
    try:
        helm("package", CHART, "--destination", tmp)
        (tgz,) = os.listdir(tmp)
        with tarfile.open(os.path.join(tmp, tgz)) as t:
            names = set(t.getnames())
        for f in ("Chart.yaml", "values.yaml", "values.schema.json", "files/submit-jobs.sh", "templates/NOTES.txt",
                  "templates/statefulset.yaml"):
            check("velostream/" + f in names, "the packaged chart lacks %s: %s" % (f, sorted(names)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- defaults ----
    d = render()
    check(kinds(d) == ["PodDisruptionBudget", "Service", "Service", "StatefulSet"],
          "default kinds: %r" % kinds(d))
    sts = only(d, "StatefulSet")
    c, args, mounts, spec = check_node_container(sts, flags, "HTTP")
    check(sts["spec"]["replicas"] == 1, "default replicas")
    check(arg_value(args, "--cores") == "2", "--cores from limits.cpu 2: %r" % args)
    check("--auth-token-file" not in args and "--tls-cert" not in args, "auth/TLS on by default")
    check("lifecycle" not in c, "a submit hook without jobs")
    chart = yaml.safe_load(open(os.path.join(CHART, "Chart.yaml")))
    check(c["image"] == "velostream-c:%s" % chart["appVersion"], "image %r" % c["image"])
    version = subprocess.run([VELO_SQL, "version"], capture_output=True, text=True).stdout.split()[-1]
    check(chart["appVersion"] == version, "Chart.yaml appVersion %s is not `velo-sql version` %s: bump it"
          % (chart["appVersion"], version))
    vct = sts["spec"]["volumeClaimTemplates"]
    check(len(vct) == 1 and vct[0]["metadata"]["name"] == "data", "no data volumeClaimTemplate")
    check(vct[0]["spec"]["resources"]["requests"]["storage"] == "10Gi", "default volume size")
    check(vct[0]["spec"]["accessModes"] == ["ReadWriteOnce"], "access modes")
    check("data" not in [v["name"] for v in spec["volumes"]], "data both a PVC and a pod volume")
    ann = sts["spec"]["template"]["metadata"]["annotations"]
    check(ann["prometheus.io/scrape"] == "true" and ann["prometheus.io/path"] == "/metrics"
          and ann["prometheus.io/port"] == "8080" and ann["prometheus.io/scheme"] == "http",
          "prometheus annotations: %r" % ann)
    aff = spec["affinity"]["podAntiAffinity"]
    check("preferredDuringSchedulingIgnoredDuringExecution" in aff, "default anti-affinity is soft")
    pod_labels = sts["spec"]["template"]["metadata"]["labels"]
    check(sts["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), "selector misses the pods")
    headless = d[("Service", "rel-velostream-headless")]
    client = d[("Service", "rel-velostream")]
    check(sts["spec"]["serviceName"] == "rel-velostream-headless", "serviceName is not the headless service")
    check(headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True,
          "headless service")
    for svc in (headless, client):
        check(svc["spec"]["selector"].items() <= pod_labels.items(), "%s selects no pod" % svc["metadata"]["name"])
        check(svc["spec"]["ports"][0]["targetPort"] == "http", "service targetPort")
    check(client["spec"]["type"] == "ClusterIP" and client["spec"].get("clusterIP") != "None", "client service")
    pdb = only(d, "PodDisruptionBudget")
    check(pdb["spec"]["maxUnavailable"] == 1 and "minAvailable" not in pdb["spec"], "default PDB")
    check(pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), "PDB selects no pod")

    # ---- every option on (tests/deploy/values-full.yaml) ----
    d = render("-f", FULL)
    check(kinds(d) == ["ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Service",
                       "Service", "ServiceMonitor", "StatefulSet"], "full kinds: %r" % kinds(d))
    sts = only(d, "StatefulSet")
    c, args, mounts, spec = check_node_container(sts, flags, "HTTPS")
    check("replicas" not in sts["spec"], "replicas set although the HPA owns them")
    check(arg_value(args, "--port") == "9090", "port value")
    check(arg_value(args, "--cores") == "2", "--cores from limits.cpu 1500m rounds up to 2: %r" % args)
    check(arg_value(args, "--max-body") == "4194304", "--max-body")
    check(args[-2:] == ["--max-body", "2097152"], "extraArgs come last")
    token_file = arg_value(args, "--auth-token-file")
    check(os.path.dirname(token_file) == mounts["auth"]["mountPath"] and mounts["auth"]["readOnly"],
          "the token file is not on the auth mount")
    vols = {v["name"]: v for v in spec["volumes"]}
    secret = only(d, "Secret")
    check(vols["auth"]["secret"]["secretName"] == secret["metadata"]["name"], "auth volume from another secret")
    check(vols["auth"]["secret"]["items"] == [{"key": "token", "path": os.path.basename(token_file)}], "token item")
    check(base64.b64decode(secret["data"]["token"]).decode() == "s3cret-token", "token in the Secret")
    env = {e["name"]: e for e in c["env"]}
    check(env["VELO_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": secret["metadata"]["name"], "key": "token"},
          "VELO_TOKEN for velo-cli in the pod")
    for flag, item in (("--tls-cert", "tls.crt"), ("--tls-key", "tls.key")):
        check(arg_value(args, flag) == mounts["tls"]["mountPath"] + "/" + item, "%s path" % flag)
    check(vols["tls"]["secret"]["secretName"] == "velo-tls", "tls secret name")
    check(sts["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scheme"] == "https", "https scrape")
    check(spec["terminationGracePeriodSeconds"] == 120, "grace period value")
    aff = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    check(aff["topologyKey"] == "kubernetes.io/hostname", "hard anti-affinity")
    vct = sts["spec"]["volumeClaimTemplates"][0]["spec"]
    check(vct["storageClassName"] == "fast-ssd" and vct["resources"]["requests"]["storage"] == "50Gi", "pvc values")
    # Jobs: ConfigMap mounted, postStart hook running the script with the values.
    cm = only(d, "ConfigMap")
    check(vols["jobs"]["configMap"]["name"] == cm["metadata"]["name"], "jobs volume")
    check(mounts["jobs"]["mountPath"] == "/etc/velo/jobs", "jobs mount")
    hook = " ".join(c["lifecycle"]["postStart"]["exec"]["command"])
    for part in ("VELO_JOBS_DIR=/etc/velo/jobs", "VELO_JOBS_READY_TIMEOUT=300", "VELO_JOBS_FAIL_ON_ERROR=false",
                 "VELO_TLS=true", "sh /etc/velo/jobs/submit-jobs.sh"):
        check(part in hook, "postStart hook lacks %s: %s" % (part, hook))
    check(sorted(cm["data"]) == ["big_buys.binds", "big_buys.sql", "submit-jobs.sh", "totals.v2.binds",
                                 "totals.v2.sql"], "ConfigMap keys: %r" % sorted(cm["data"]))
    check(cm["data"]["submit-jobs.sh"] == open(os.path.join(CHART, "files", "submit-jobs.sh")).read(),
          "the ConfigMap's script differs from files/submit-jobs.sh")
    check(cm["data"]["big_buys.binds"].strip()
          == "trades=kafka://kafka-0.kafka:9092,kafka-1.kafka:9092/trades?group.id=trades-enrich",
          "kafka values templated into binds: %r" % cm["data"]["big_buys.binds"])
    check("checksum/jobs" in sts["spec"]["template"]["metadata"]["annotations"], "no restart on job changes")
    hpa = only(d, "HorizontalPodAutoscaler")
    check(hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                            "name": sts["metadata"]["name"]}, "HPA target")
    check((hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6), "HPA bounds")
    types = [m["type"] for m in hpa["spec"]["metrics"]]
    check(types == ["Resource", "External"], "HPA metrics: %r" % types)
    check(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70, "HPA CPU target")
    pdb = only(d, "PodDisruptionBudget")
    check(pdb["spec"] == {"minAvailable": 2, "selector": pdb["spec"]["selector"]}, "PDB minAvailable: %r" % pdb)
    sm = only(d, "ServiceMonitor")
    ep = sm["spec"]["endpoints"][0]
    check(ep["path"] == "/metrics" and ep["port"] == "http" and "honorLabels" not in ep and ep["scheme"] == "https",
          "ServiceMonitor endpoint: %r" % ep)
    check(ep["authorization"]["credentials"] == {"name": secret["metadata"]["name"], "key": "token"}, "scrape token")
    check(sm["metadata"]["labels"]["release"] == "prometheus", "ServiceMonitor labels")
    headless = d[("Service", "rel-velostream-headless")]
    check(sm["spec"]["selector"]["matchLabels"].items() <= headless["metadata"]["labels"].items(),
          "the ServiceMonitor selects no service")

    # ---- single options ----
    sts = only(render("--set", "cores=8"), "StatefulSet")
    check(arg_value(sts["spec"]["template"]["spec"]["containers"][0]["args"], "--cores") == "8", "explicit cores")
    sts = only(render("--set", "resources.limits=null", "--set", "resources.requests.cpu=250m"), "StatefulSet")
    check(arg_value(sts["spec"]["template"]["spec"]["containers"][0]["args"], "--cores") == "1",
          "--cores from requests.cpu 250m is 1")
    sts = only(render("--set", "resources.limits.cpu=3.2"), "StatefulSet")
    check(arg_value(sts["spec"]["template"]["spec"]["containers"][0]["args"], "--cores") == "4", "3.2 cpu -> 4")
    sts = only(render("--set", "persistence.retentionPolicy.whenScaled=Delete"), "StatefulSet")
    check(sts["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenScaled": "Delete"}, "PVC retention policy")
    check("persistentVolumeClaimRetentionPolicy" not in only(render(), "StatefulSet")["spec"], "default retention")
    sts = only(render("--set", "persistence.enabled=false", "--set", "podAntiAffinity="), "StatefulSet")
    check("volumeClaimTemplates" not in sts["spec"], "PVC without persistence")
    vols = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    check(vols["data"] == {"name": "data", "emptyDir": {}}, "data emptyDir without persistence")
    check("affinity" not in sts["spec"]["template"]["spec"], "anti-affinity off")
    d = render("--set", "auth.enabled=true", "--set", "auth.existingSecret=mine", "--set", "auth.secretKey=tok",
               "--set", "podDisruptionBudget.enabled=false", "--set", "metrics.podAnnotations=false")
    check("Secret" not in kinds(d) and "PodDisruptionBudget" not in kinds(d), "existing secret / no PDB")
    spec = only(d, "StatefulSet")["spec"]["template"]["spec"]
    vols = {v["name"]: v for v in spec["volumes"]}
    check(vols["auth"]["secret"] == {"secretName": "mine", "defaultMode": 0o440,
                                     "items": [{"key": "tok", "path": "token"}]}, "existing secret volume")
    check("prometheus.io/scrape" not in (only(d, "StatefulSet")["spec"]["template"]["metadata"].get("annotations") or {}),
          "annotations off")

    # ---- combinations that cannot work fail the render with a message ----
    for extra, msg in ((["--set", "auth.enabled=true"], "auth.enabled needs auth.token or auth.existingSecret"),
                       (["--set", "tls.enabled=true"], "tls.enabled needs tls.secretName"),
                       (["--set", "jobs.definitions[0].name=a", "--set", "jobs.definitions[0].sql=x",
                         "--set", "jobs.definitions[1].name=a", "--set", "jobs.definitions[1].sql=y"],
                        "two jobs are named 'a'"),
                       (["--set", "jobs.definitions[0].name=bad name", "--set", "jobs.definitions[0].sql=x"],
                        "jobs.definitions.0.name"),
                       (["--set", "podAntiAffinity=always"], "podAntiAffinity"),
                       (["--set", "replicas=3"], "replicas")):
        r = helm("template", "rel", CHART, *extra, ok=False)
        check(r.returncode != 0 and msg in r.stderr, "helm template %r should fail with %r; got %d:\n%s"
              % (extra, msg, r.returncode, r.stderr))
    # ---- every manifest of these renders against the Kubernetes API types ----
    n = check_k8s_types([("defaults", render()), ("values-full.yaml", render("-f", FULL)),
                         ("no persistence", render("--set", "persistence.enabled=false", "--set", "podAntiAffinity=",
                                                   "--set", "persistence.retentionPolicy.whenScaled=Delete")),
                         ("existing secret", render("--set", "auth.enabled=true", "--set", "auth.existingSecret=x",
                                                    "--set", "podDisruptionBudget.minAvailable=50%",
                                                    "--set", "autoscaling.enabled=true",
                                                    "--set", "autoscaling.targetCPUUtilizationPercentage=null")),
                         ("no annotations", render("--set", "metrics.podAnnotations=false"))])
    print("render: %d manifests match the Kubernetes API types (tsc, kubernetes-models)" % n)

    # ---- NOTES.txt (helm template does not render it: wrap it in a copy of the chart) ----
    notes = render_notes("-f", FULL)
    for part in ("kubectl -n streams port-forward pod/rel-velostream-0 8080:9090",
                 "get secret rel-velostream-auth -o jsonpath='{.data.token}'", "velo-cli --tls --insecure submit",
                 "rel-velostream-N.rel-velostream-headless.streams.svc:9090", "submits at start: big_buys, totals.v2"):
        check(part in notes, "NOTES lack %r:\n%s" % (part, notes))
    notes = render_notes()
    check("1 node(s)" in notes and "has no token" in notes and "VELO_TOKEN" not in notes, "default NOTES:\n" + notes)
    print("render: lint, defaults, every option, single options, failures and NOTES checked")


# Values whose content is Kubernetes' own (documented as a whole, not key by key).
WHOLE = {"resources", "podSecurityContext", "securityContext", "updateStrategy", "probes.startup",
         "probes.liveness", "probes.readiness"}


def value_keys(d, prefix=""):
    for k, v in d.items():
        path = prefix + k
        if isinstance(v, dict) and v and path not in WHOLE:
            yield from value_keys(v, path + ".")
        else:
            yield path


def test_docs():
    """docs/deployment.md's values table names every value of values.yaml, and every `velo-sql
    serve` command in it uses options that exist."""
    doc = open(os.path.join(ROOT, "docs", "deployment.md"), encoding="utf-8").read()
    documented = set()
    for line in doc.splitlines():
        if not line.startswith("| `"):
            continue
        names = re.findall(r"`([A-Za-z.][A-Za-z0-9.]*)`", line.split("|")[1])
        parent = names[0].rsplit(".", 1)[0] if names and "." in names[0] else ""
        documented.update(parent + n if n.startswith(".") else n for n in names)
    values = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))
    missing = [k for k in value_keys(values) if k not in documented]
    check(not missing, "docs/deployment.md's values table lacks %s" % missing)
    # The systemd unit example: `systemd-analyze verify` (the binary path pointed at the built one).
    m = re.search(r"```ini\n(\[Unit\].*?)```", doc, re.S)
    check(m, "docs/deployment.md has no systemd unit example")
    if shutil.which("systemd-analyze"):
        tmp = tempfile.mkdtemp(prefix="velo-unit-")
        try:
            unit = os.path.join(tmp, "velostream.service")
            with open(unit, "w") as f:
                f.write(m.group(1).replace("/usr/local/bin/velo-sql", VELO_SQL))
            r = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
            check(r.returncode == 0 and not r.stderr.strip(), "systemd-analyze verify of the doc's unit:\n" + r.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("docs: systemd-analyze not installed (package systemd): the unit example was not verified")
    flags = serve_flags()
    cmds = re.findall(r"velo-sql serve((?: +--?[a-z-]+(?: +[^-\s`][^\s`]*)?)+)", doc)
    check(len(cmds) >= 3, "no velo-sql serve command found in docs/deployment.md")
    for cmd in cmds:
        for a in cmd.split():
            if a.startswith("--"):
                check(a in flags, "docs/deployment.md runs `velo-sql serve %s`: %s does not exist" % (cmd.strip(), a))


def render_notes(*args):
    tmp = tempfile.mkdtemp(prefix="velo-notes-")
    try:
        chart = os.path.join(tmp, "velostream")
        shutil.copytree(CHART, chart)
        with open(os.path.join(chart, "templates", "NOTES.txt")) as f:
            notes = f.read()
        with open(os.path.join(chart, "templates", "_test_notes.tpl"), "w") as f:
            f.write('{{- define "test.notes" }}' + notes + "{{- end }}\n")
        with open(os.path.join(chart, "templates", "test-notes.yaml"), "w") as f:
            f.write('kind: RenderedNotes\nmetadata:\n  name: notes\ntext: {{ include "test.notes" . | toJson }}\n')
        out = helm("template", "rel", chart, "--namespace", "streams", "-s", "templates/test-notes.yaml", *args).stdout
        return yaml.safe_load(out)["text"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The submit script of the chart's ConfigMap, run as the postStart hook runs it, against a node.

PROCS = []


class Node:
    def __init__(self, work, token_file):
        self.log = open(os.path.join(work, "serve-%d.log" % time.time_ns()), "w+")
        self.proc = subprocess.Popen([VELO_SQL, "serve", "--port", "0", "--listen", "127.0.0.1", "--data-dir",
                                      os.path.join(work, "data"), "--auth-token-file", token_file],
                                     cwd=work, stdout=self.log, stderr=self.log, env=ENV)
        PROCS.append(self.proc)
        end = time.time() + WAIT
        self.port = None
        while self.port is None:
            check(self.proc.poll() is None, "velo-sql serve exited:\n" + self.output())
            check(time.time() < end, "velo-sql serve did not start:\n" + self.output())
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.output())
            self.port = int(m.group(1)) if m else None
            time.sleep(0.05)

    def output(self):
        self.log.flush()
        return open(self.log.name).read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=WAIT)


def test_submit():
    work = tempfile.mkdtemp(prefix="velo-chart-")
    try:
        values = os.path.join(work, "values.yaml")
        with open(values, "w") as f:
            yaml.safe_dump({"jobs": {"failOnError": True, "definitions": [
                {"name": "big_buys", "sql": "CREATE STREAM big_buys AS SELECT * FROM trades WHERE quantity >= 10\n"
                                            "INTO 'file://big_buys.jsonl';\n", "binds": {"trades": "file://trades.csv"}},
                {"name": "all.v2", "sql": "CREATE STREAM everything AS SELECT symbol FROM trades "
                                          "INTO 'file://all.jsonl';\n", "binds": {"trades": "file://trades.csv"}},
            ]}}, f)
        cm = only(render("-f", values), "ConfigMap")
        jobs = os.path.join(work, "jobs")
        os.mkdir(jobs)
        for k, v in cm["data"].items():
            with open(os.path.join(jobs, k), "w") as f:
                f.write(v)
        with open(os.path.join(work, "trades.csv"), "w") as f:
            f.write("symbol,quantity\nAAPL,5\nMSFT,50\nIBM,100\n")
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write("tok-123\n")
        bindir = os.path.join(work, "bin")
        os.mkdir(bindir)
        os.symlink(VELO_CLI, os.path.join(bindir, "velo-cli"))

        def run_script(node, jobs_dir=jobs, **extra):
            env = dict(ENV, PATH=bindir + os.pathsep + ENV.get("PATH", ""), VELO_JOBS_DIR=jobs_dir,
                       VELO_PORT=str(node.port), VELO_TOKEN="tok-123", VELO_JOBS_READY_TIMEOUT="20")
            env.update(extra)
            return subprocess.run(["sh", os.path.join(jobs, "submit-jobs.sh")], capture_output=True, text=True,
                                  env=env, timeout=60)

        def node_jobs(node):
            r = subprocess.run([VELO_CLI, "--sql-port", str(node.port), "--token", "tok-123", "jobs", "--format",
                                "json"], capture_output=True, text=True, env=ENV, timeout=30)
            check(r.returncode == 0, "velo-cli jobs: %s" % r.stderr)
            return yaml.safe_load(r.stdout)["jobs"]  # JSON is YAML

        node = Node(work, token_file)
        r = run_script(node)
        check(r.returncode == 0, "first run failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        check(r.stdout.count("submitted job") == 2, "two jobs submitted:\n" + r.stdout)
        names = sorted(j["name"] for j in node_jobs(node))
        check(names == ["all.v2", "big_buys"], "jobs on the node: %r" % names)
        # A second start of the hook (container restart): nothing is submitted twice. Its output
        # goes to VELO_JOBS_LOG (the pod's /proc/1/fd/1) when that opens, else to standard output.
        log = os.path.join(work, "hook.log")
        r = run_script(node, VELO_JOBS_LOG=log)
        out = open(log).read()
        check(r.returncode == 0 and r.stdout == "" and out.count("already on this node") == 2
              and "submitted job" not in out, "second run:\n" + r.stdout + r.stderr + out)
        r = run_script(node, VELO_JOBS_LOG=os.path.join(work, "no", "such", "dir", "log"))
        check(r.returncode == 0 and r.stdout.count("already on this node") == 2, "unopenable log:\n" + r.stdout)
        check(len(node_jobs(node)) == 2, "a second run added jobs")
        # Pod restart: a new node process on the same data dir restores the jobs; the hook leaves them alone.
        end = time.time() + WAIT
        while any(j["state"] == "running" for j in node_jobs(node)):
            check(time.time() < end, "the file jobs did not finish")
            time.sleep(0.05)
        node.stop()
        node = Node(work, token_file)
        r = run_script(node)
        check(r.returncode == 0 and r.stdout.count("already on this node") == 2, "after restart:\n" + r.stdout)
        check(len(node_jobs(node)) == 2, "a restart duplicated jobs: %r" % node_jobs(node))
        out = open(os.path.join(work, "big_buys.jsonl")).read()
        check("MSFT" in out and "IBM" in out and "AAPL" not in out, "big_buys output: %r" % out)
        # A refused job: exit 1 with failOnError, 0 without; the reason is in the output.
        bad = os.path.join(work, "bad")
        os.mkdir(bad)
        shutil.copy(os.path.join(jobs, "submit-jobs.sh"), bad)
        with open(os.path.join(bad, "oops.sql"), "w") as f:
            f.write("CREATE STREAM oops AS SELECT nope FORM trades INTO 'file://x.jsonl';\n")
        r = run_script(node, jobs_dir=bad)
        check(r.returncode == 1 and "job oops was not submitted" in r.stdout, "invalid job:\n" + r.stdout + r.stderr)
        r = run_script(node, jobs_dir=bad, VELO_JOBS_FAIL_ON_ERROR="false")
        check(r.returncode == 0 and "job oops was not submitted" in r.stdout, "failOnError=false:\n" + r.stdout)
        # A node that never gets ready: the hook gives up after its timeout, with the node's health.
        node.stop()
        r = run_script(node, VELO_JOBS_READY_TIMEOUT="1")
        check(r.returncode == 1 and "not ready after 1s" in r.stdout, "unreachable node:\n" + r.stdout)
        print("submit: jobs submitted once, left alone on restart and after a node restart; refusals reported")
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The rendered pod run as a kubelet would run it, on 127.0.0.1: the container's command and args,
# its working dir and environment, its volumes as folders, then the probes, the postStart hook and
# SIGTERM within the grace period.


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, token=None):
    """GET over HTTPS without verification (as the kubelet's probes do); (status, body)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    try:
        conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
        r = conn.getresponse()
        return r.status, r.read().decode()
    except OSError:
        return None, ""
    finally:
        conn.close()


def test_pod():
    work = tempfile.mkdtemp(prefix="velo-pod-")
    proc = None
    try:
        port = free_port()
        jobs_values = os.path.join(work, "jobs-values.yaml")
        with open(jobs_values, "w") as f:
            yaml.safe_dump({"port": port, "jobs": {"failOnError": True, "definitions": [
                {"name": "big_buys", "sql": "CREATE STREAM big_buys AS SELECT * FROM trades WHERE quantity >= 10\n"
                                            "INTO 'file://big_buys.jsonl';\n", "binds": {"trades": "file://trades.csv"}}]}}, f)
        d = render("-f", FULL, "-f", jobs_values)
        sts, cm, secret = only(d, "StatefulSet"), only(d, "ConfigMap"), only(d, "Secret")
        spec = sts["spec"]["template"]["spec"]
        (c,) = spec["containers"]
        # Volumes become folders: the data PVC, the emptyDir, the Secrets' and ConfigMap's items.
        vols = {v["name"]: v for v in spec["volumes"]}
        paths = {}
        for m in c["volumeMounts"]:
            folder = os.path.join(work, "vol-" + m["name"])
            os.makedirs(folder)
            paths[m["mountPath"]] = folder
            v = vols.get(m["name"], {})
            if "secret" in v:
                check(v["secret"]["secretName"] in (secret["metadata"]["name"], "velo-tls"), "unknown secret")
                if v["secret"]["secretName"] == "velo-tls":  # the user's kubernetes.io/tls Secret
                    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                    os.path.join(folder, "tls.key"), "-out", os.path.join(folder, "tls.crt"), "-days", "1",
                                    "-subj", "/CN=rel-velostream"], check=True, capture_output=True, timeout=60)
                else:
                    for item in v["secret"]["items"]:
                        with open(os.path.join(folder, item["path"]), "wb") as f:
                            f.write(base64.b64decode(secret["data"][item["key"]]))
            elif "configMap" in v:
                for k, text in cm["data"].items():
                    with open(os.path.join(folder, k), "w") as f:
                        f.write(text)

        mount_re = re.compile(r"(?<![\w/.-])(%s)(?=/|\s|$)" % "|".join(
            re.escape(m) for m in sorted(paths, key=len, reverse=True)))

        def host(s):  # container paths to the folders (one pass: folders are below /tmp too)
            return mount_re.sub(lambda m: paths[m.group(1)], s)

        check(paths.keys() >= {"/data", "/tmp", "/etc/velo/auth", "/etc/velo/tls", "/etc/velo/jobs"},
              "mounts: %r" % sorted(paths))
        with open(os.path.join(paths["/data"], "trades.csv"), "w") as f:
            f.write("symbol,quantity\nAAPL,5\nMSFT,50\n")
        args = [host(a) for a in c["args"]]
        i = args.index("--listen")
        args[i + 1] = "127.0.0.1"  # tests listen on loopback only; the pod's 0.0.0.0 is checked in render
        env = dict(ENV)
        token = base64.b64decode(secret["data"]["token"]).decode()
        for e in c["env"]:
            if "value" in e:
                env[e["name"]] = e["value"]
            elif "secretKeyRef" in e.get("valueFrom", {}):
                env[e["name"]] = token
            else:
                env[e["name"]] = "rel-velostream-0"  # the pod's name (fieldRef)
        bindir = os.path.join(work, "bin")  # the image's /usr/local/bin
        os.mkdir(bindir)
        os.symlink(VELO_SQL, os.path.join(bindir, "velo-sql"))
        os.symlink(VELO_CLI, os.path.join(bindir, "velo-cli"))
        env["PATH"] = bindir + os.pathsep + ENV.get("PATH", "")
        log = open(os.path.join(work, "container.log"), "a+")  # O_APPEND: the hook appends too
        proc = subprocess.Popen(c["command"] + args, cwd=host(c["workingDir"]), env=env, stdout=log, stderr=log)
        PROCS.append(proc)

        def wait(what, pred):
            end = time.time() + WAIT
            while not pred():
                check(proc.poll() is None, "the node exited (%s):\n%s" % (proc.returncode, open(log.name).read()))
                check(time.time() < end, "timed out waiting for " + what)
                time.sleep(0.05)

        # The probes, over the scheme and port they name.
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            g = c[probe]["httpGet"]
            check(g["scheme"] == "HTTPS" and g["port"] == "http", "probe %r" % g)
            wait(probe, lambda: http_get(port, g["path"])[0] == 200)
        # postStart: the hook's command with the pod's paths and environment.
        hook = [host(a) for a in c["lifecycle"]["postStart"]["exec"]["command"]]
        hook[-1] = hook[-1].replace("/proc/1/fd/1", log.name)
        r = subprocess.run(hook, env=env, capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, "postStart hook failed (%d):\n%s%s\n%s" % (r.returncode, r.stdout, r.stderr,
                                                                              open(log.name).read()))
        check("submit-jobs: submitted job" in open(log.name).read(), "the hook's lines are not in the container log")
        # The job runs with the pod's working dir: relative file:// paths land on the data volume.
        out = os.path.join(paths["/data"], "big_buys.jsonl")
        wait("the job's output", lambda: os.path.exists(out) and "MSFT" in open(out).read())
        status, body = http_get(port, "/metrics", token)
        check(status == 200 and "velo_records_out_total" in body, "/metrics with the token: %s" % status)
        check(http_get(port, "/metrics")[0] == 401, "/metrics without the token")
        check(os.path.exists(os.path.join(paths["/data"], "jobs")), "jobs are not kept in the data dir")
        # SIGTERM: the node ends well within terminationGracePeriodSeconds.
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=spec["terminationGracePeriodSeconds"])
        except subprocess.TimeoutExpired:
            fail("the node did not end within terminationGracePeriodSeconds after SIGTERM")
        check(rc == 0, "exit code %d after SIGTERM:\n%s" % (rc, open(log.name).read()))
        print(open(log.name).read()) if os.environ.get("VELO_TEST_VERBOSE") else None
        print("pod: the rendered command started a node; probes over HTTPS, postStart hook, job output in the "
              "data dir, token on /metrics and SIGTERM checked")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    global HELM
    HELM = helm_path()
    case = sys.argv[3]
    {"render": test_render, "submit": test_submit, "pod": test_pod}[case]()
    if case == "render":
        test_docs()
        print("docs: the values table and the serve commands of docs/deployment.md checked")


if __name__ == "__main__":
    main()
