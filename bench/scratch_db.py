"""Scratch databases of the benchmarks: installed without demo data when missing,
upgraded when the addons' sources changed since the last run (a digest of the files is
kept in var/bench/<db>.sources). Imported by the *_bench.py scripts."""
import hashlib
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "var", "bench")


def conf_path(db):
    return os.path.join(ROOT, "var", "odoo-%s.conf" % db)


def installed_modules(db, modules):
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-d", db, "-tAc",
         "select name from ir_module_module where state = 'installed' and name in (%s)"
         % ", ".join("'%s'" % m for m in modules)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    if result.returncode != 0:
        return set()
    return set(result.stdout.split())


def sources_digest(dirs):
    digest = hashlib.sha1()
    for top in dirs:
        for base, subdirs, files in sorted(os.walk(os.path.join(ROOT, top))):
            # tests, translations and docs do not change the installed schema or data
            subdirs[:] = sorted(d for d in subdirs
                                if d not in ("__pycache__", "tests", "i18n", "readme"))
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(base, name)
                digest.update(os.path.relpath(path, ROOT).encode())
                with open(path, "rb") as f:
                    digest.update(f.read())
    return digest.hexdigest()


def prepare(db, modules, sources, http_port, smtp_port, timeout=900):
    """Write the database's Odoo config, then install or upgrade ``modules`` as needed.
    ``sources``: the addon folders whose changes call for an upgrade (may be empty)."""
    conf = conf_path(db)
    subprocess.run([os.path.join(ROOT, "scripts", "write_config.sh"), conf, db, http_port,
                    smtp_port, os.path.join(ROOT, "var", "log", "bench-%s.log" % db)],
                   check=True)
    stamp = os.path.join(OUT_DIR, "%s.sources" % db)
    digest = sources_digest(sources) if sources else ""
    previous = open(stamp).read().strip() if os.path.exists(stamp) else None
    if set(modules) - installed_modules(db, modules):
        action, what = "-i", ",".join(modules)
        print("[bench] installing %s (no demo) into scratch database %s ..." % (what, db),
              flush=True)
    elif sources and digest != previous:
        action, what = "-u", ",".join(modules)
        print("[bench] sources changed: updating %s in %s ..." % (what, db), flush=True)
    else:
        return conf
    subprocess.run([os.path.join(ROOT, "scripts", "odoo"), "-c", conf, "-d", db, action, what,
                    "--without-demo=all", "--stop-after-init", "--log-level=warn"],
                   check=True, timeout=timeout)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return conf
