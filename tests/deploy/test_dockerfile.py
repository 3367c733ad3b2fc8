#!/usr/bin/python3
"""Static test of the Dockerfile (no docker daemon on the build machines): the shared libraries the
built velo-sql and velo-cli need map to Debian packages that scripts/runtime-packages.sh lists
(the list the runtime stage installs), and the Dockerfile is the image the chart expects: Debian 12,
multi-stage, only the two binaries copied, non-root numeric USER equal to the chart's runAsUser,
/data a volume, `velo-sql serve` options that exist.

Usage: /usr/bin/python3 test_dockerfile.py VELO_SQL VELO_CLI
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VELO_SQL, VELO_CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def stages(text):
    """Dockerfile instructions per stage: [(from_line, [(INSTR, args)])], continuations joined."""
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, rest = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            out.append((rest.strip(), []))
        else:
            check(out or instr == "ARG", "Dockerfile: %s before FROM" % instr)
            if out:
                out[-1][1].append((instr, rest.strip()))
    return out


def main():
    script = os.path.join(ROOT, "scripts", "runtime-packages.sh")
    # 1. The binaries' NEEDED libraries against the list (both directions: nothing missing, nothing extra).
    # The image holds a Release build. A sanitizer build (make test-asan) needs other libraries (the
    # sanitizer runtimes, and today librdkafka, liburing and ck, which the Release link drops), so
    # only the Release pass (make test) compares libraries; the rest of the test runs on both.
    needed = subprocess.run(["readelf", "-d", VELO_SQL], capture_output=True, text=True, check=True).stdout
    if re.search(r"\[lib(asan|ubsan|tsan)\.so", needed):
        print("dockerfile: %s is a sanitizer build: its libraries are not the image's, not compared" % VELO_SQL)
    else:
        r = subprocess.run(["sh", script, "--check", VELO_SQL, VELO_CLI], capture_output=True, text=True)
        print(r.stdout, end="")
        check(r.returncode == 0, "scripts/runtime-packages.sh --check failed:\n" + r.stderr)
    pkgs = subprocess.run(["sh", script], capture_output=True, text=True, check=True).stdout.split()
    check(pkgs and all(re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", p) for p in pkgs), "package list: %r" % pkgs)
    # Every listed package exists for Debian 12: installed here, or known to apt's cache (no network).
    for p in pkgs:
        q = subprocess.run(["dpkg-query", "-W", p], capture_output=True, text=True)
        if q.returncode != 0:
            q = subprocess.run(["apt-cache", "show", "--no-all-versions", p], capture_output=True, text=True)
        check(q.returncode == 0 and p in q.stdout, "neither dpkg nor apt-cache knows package %s" % p)

    # 2. The Dockerfile's shape.
    text = open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8").read()
    st = stages(text)
    check(len(st) == 2, "expected a build and a runtime stage, found %d" % len(st))
    (build_from, build), (run_from, run) = st
    check(re.fullmatch(r"debian:12(\.\d+)?(-slim)? AS build", build_from), "build stage FROM %r" % build_from)
    check(re.fullmatch(r"debian:12(\.\d+)?(-slim)?", run_from), "runtime stage FROM %r" % run_from)
    build_runs = " ".join(a for i, a in build if i == "RUN")
    check("./scripts/install-deps.sh" in build_runs, "the build stage does not use scripts/install-deps.sh")
    check("-DCMAKE_BUILD_TYPE=Release" in build_runs, "the build stage is not a Release build")
    check("./scripts/runtime-packages.sh --check build/velo-sql build/velo-cli" in build_runs,
          "the build stage does not check the binaries against the runtime package list")
    run_runs = " ".join(a for i, a in run if i == "RUN")
    check("apt-get install" in run_runs and "$(sh /tmp/runtime-packages.sh)" in run_runs,
          "the runtime stage does not install scripts/runtime-packages.sh's list")
    check("--no-install-recommends" in run_runs and "rm -rf /var/lib/apt/lists/*" in run_runs, "apt hygiene")
    copies = [a for i, a in run if i == "COPY"]
    check(("scripts/runtime-packages.sh /tmp/runtime-packages.sh") in copies, "runtime-packages.sh not copied")
    from_build = [a for a in copies if a.startswith("--from=build")]
    check(from_build == ["--from=build /src/build/velo-sql /src/build/velo-cli /usr/local/bin/"],
          "the runtime stage must copy only the two binaries from the build: %r" % from_build)
    user = [a for i, a in run if i == "USER"]
    check(len(user) == 1 and re.fullmatch(r"\d+:\d+", user[0]) and not user[0].startswith("0:"),
          "USER must be one numeric non-root uid:gid: %r" % user)
    uid = int(user[0].split(":")[0])
    values = yaml.safe_load(open(os.path.join(ROOT, "helm", "velostream", "values.yaml")))
    check(values["podSecurityContext"]["runAsUser"] == uid and values["podSecurityContext"]["fsGroup"] == uid,
          "the chart's runAsUser/fsGroup must be the image's uid %d" % uid)
    check(("ARG", "VELO_UID=%d" % uid) in run, "useradd's uid (ARG VELO_UID) differs from USER")
    check(("VOLUME", '["/data"]') in run and ("WORKDIR", "/data") in run, "/data volume and working dir")
    check("chown velo:velo /data" in run_runs, "/data not owned by the user")
    ep = [a for i, a in run if i == "ENTRYPOINT"]
    cmd = [a for i, a in run if i == "CMD"]
    check(ep == ['["velo-sql"]'], "ENTRYPOINT %r" % ep)
    cmd_args = yaml.safe_load(cmd[0])
    check(cmd_args[0] == "serve", "CMD %r" % cmd_args)
    src = open(os.path.join(ROOT, "cli", "velo_sql.c"), encoding="utf-8").read()
    flags = set(re.findall(r'"(--[a-z-]+)"', re.search(r"with_value\[\]\s*=\s*\{([^}]*)\}", src).group(1)))
    for a in cmd_args[1:]:
        if a.startswith("--"):
            check(a in flags, "CMD passes %s, which `velo-sql serve` does not accept" % a)
    check(cmd_args[cmd_args.index("--data-dir") + 1] == "/data", "CMD data dir")
    # 3. The build context leaves out build trees and tools.
    ignore = open(os.path.join(ROOT, ".dockerignore")).read().split()
    for p in ("build", ".tools", ".git"):
        check(p in ignore, ".dockerignore lacks %s" % p)
    print("dockerfile: %d runtime packages (%s) match the binaries; stages, user, volume checked"
          % (len(pkgs), " ".join(shlex.quote(p) for p in pkgs)))


if __name__ == "__main__":
    main()
