"""Scratch databases of the benchmarks: installed without demo data when missing,
upgraded when the addons' sources changed since the last run (a digest of the files is
kept in var/bench/<db>.sources, with the modules). A missing database whose modules and
sources another bench's database already has, without tickets, is copied from it
(PostgreSQL's CREATE DATABASE ... TEMPLATE and its filestore) instead of installed again:
a minute or two less per bench. Imported by the *_bench.py scripts."""
import glob
import hashlib
import os
import shutil
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
    previous = read_stamp(stamp)[0]
    if set(modules) - installed_modules(db, modules) and \
            copy_of_twin(db, modules, sources, digest, stamp):
        return conf
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
    write_stamp(stamp, digest, modules, sources)
    return conf


def read_stamp(stamp):
    """(digest, modules key) of a scratch database's stamp; (None, None) without one."""
    if not os.path.exists(stamp):
        return None, None
    lines = open(stamp).read().splitlines() + ["", ""]
    return lines[0].strip(), lines[1].strip() or None


def write_stamp(stamp, digest, modules, sources):
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(stamp, "w") as f:
        f.write("%s\n%s\n" % (digest, modules_key(modules, sources)))


def modules_key(modules, sources):
    return "%s|%s" % (",".join(sorted(modules)), ",".join(sorted(sources)))


def psql(db, command):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-d", db, "-qtAc", command],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


def copy_of_twin(db, modules, sources, digest, stamp):
    """Create ``db`` as a copy of another scratch database with the same modules
    installed from the same sources; False when there is none (or the copy failed)."""
    key = modules_key(modules, sources)
    for other in sorted(glob.glob(os.path.join(OUT_DIR, "*.sources"))):
        twin = os.path.basename(other)[:-len(".sources")]
        if twin == db or read_stamp(other) != (digest, key) or \
                set(modules) - installed_modules(twin, modules) or \
                psql(twin, "SELECT count(*) FROM helpdesk_ticket").stdout.strip() != "0":
            continue  # not the same install, or it holds a bench's tickets
        psql("postgres", 'DROP DATABASE IF EXISTS "%s"' % db)
        result = psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (db, twin))
        if result.returncode != 0:  # e.g. someone is connected to the twin
            print("[bench] could not copy %s: %s" % (twin, result.stdout.strip()), flush=True)
            continue
        filestore = os.path.join(ROOT, "var", "data", "filestore")
        shutil.rmtree(os.path.join(filestore, db), ignore_errors=True)
        if os.path.isdir(os.path.join(filestore, twin)):
            shutil.copytree(os.path.join(filestore, twin), os.path.join(filestore, db))
        write_stamp(stamp, digest, modules, sources)
        print("[bench] scratch database %s: a copy of %s (same modules and sources)"
              % (db, twin), flush=True)
        return True
    return False
