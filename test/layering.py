# SPDX-License-Identifier: BSD-2-Clause
"""layering - the include rules of doc/HACKING.md, checked against milter/.

1. libmilter is included by no module: mxauth speaks the milter protocol
   itself (milter_proto, pure, in the core; milter_server, glue), and
   <sys/epoll.h>, the daemon's event loop, is included only by the glue
   (the modules listed under "### Glue" in the module map): the
   evaluation core and mxauth-check never wait on connections.
2. ldns is included only by milter/dns*, microhttpd.h only by
   milter/metrics_http.c; sqlite3.h only by milter/report_sqlite.c and
   libpq only by milter/report_pg.c (the report store's backends; never
   the evaluation core); libxml2 only by milter/report_xml.c and zlib
   only by milter/report_gz.c (mxauth-report's; never the core, the
   store or the daemon).
3. The module map is true: every milter/NAME.c has a line in it, and the
   project headers (and the libraries named there) that the line lists
   after "->" are exactly those NAME.c and NAME.h include (a library
   included by a private header, one without a .c such as dns_int.h,
   counts for the modules that include that header).

Prints one line per broken rule and exits 1, or a summary and exits 0.
Usage: layering.py TOP_SRCDIR
"""

import os
import re
import sys

# A library as the module map names it, and the include that means it.
LIBRARIES = {
    "libmilter": re.compile(r"^libmilter/"),
    "ldns": re.compile(r"^ldns/"),
    "OpenSSL": re.compile(r"^openssl/"),
    "libpsl": re.compile(r"^libpsl\.h$"),
    "libidn2": re.compile(r"^idn2\.h$"),
    "libmicrohttpd": re.compile(r"^microhttpd\.h$"),
    "SQLite": re.compile(r"^sqlite3\.h$"),
    "libpq": re.compile(r"^(postgresql/)?libpq-fe\.h$"),
    "libxml2": re.compile(r"^libxml/"),
    "zlib": re.compile(r"^zlib\.h$"),
}
# A database library and the one module that may include it.
DATABASES = {"SQLite": "report_sqlite", "libpq": "report_pg"}
# mxauth-report's libraries and the one module that may include each.
REPORT_LIBS = {"libxml2": "report_xml", "zlib": "report_gz"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
EPOLL = re.compile(r'^\s*#\s*include\s*<sys/epoll\.h>', re.M)


def includes(path):
    """(project headers without .h, library names) that PATH includes"""
    own, libs = set(), set()
    if not os.path.exists(path):
        return own, libs
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = INCLUDE.match(line)
            if m is None:
                continue
            kind, name = m.groups()
            if kind == '"':
                if name != "config.h":
                    own.add(os.path.basename(name)[:-2])
                continue
            for lib, pat in LIBRARIES.items():
                if pat.search(name):
                    libs.add(lib)
    return own, libs


def module_map(path):
    """{module: (section, set of deps, set of libs)} from HACKING.md"""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Module map")
    end = text.index("\n## ", start + 1)
    section, fenced, mods, cur = "", False, {}, None
    for line in text[start:end].splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
        if line.startswith("```"):
            fenced = not fenced
            cur = None
            continue
        if not fenced or not line.strip():
            continue
        if not line[0].isspace():
            cur = line.split()[0]
            mods[cur] = [section, ""]
        if cur is not None:
            mods[cur][1] += " " + line
    out = {}
    for name, (sec, body) in mods.items():
        deps = body.split("->", 1)[1] if "->" in body else ""
        own, _, libs = deps.partition(";")
        out[name] = (sec, set(own.split()),
                     {w.strip(" ,") for w in libs.split()} & set(LIBRARIES))
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    mdir = os.path.join(top, "milter")
    mods = module_map(os.path.join(top, "doc", "HACKING.md"))
    glue = {m for m, v in mods.items() if v[0].startswith("Glue")}
    errors = []

    files = sorted(f for f in os.listdir(mdir) if f.endswith((".c", ".h")))
    for f in files:
        stem = f[:-2]
        _, libs = includes(os.path.join(mdir, f))
        if "libmilter" in libs:
            errors.append(f"milter/{f} includes libmilter: the milter "
                          "protocol is milter_proto's")
        with open(os.path.join(mdir, f), encoding="utf-8") as fh:
            if EPOLL.search(fh.read()) and stem not in glue:
                errors.append(f"milter/{f} includes <sys/epoll.h> but is "
                              f"not glue (glue: {' '.join(sorted(glue))})")
        if "ldns" in libs and not stem.startswith("dns"):
            errors.append(f"milter/{f} includes ldns outside milter/dns*")
        if "libmicrohttpd" in libs and stem != "metrics_http":
            errors.append(f"milter/{f} includes microhttpd.h: HTTP is "
                          "metrics_http's alone")
        for lib, owner in DATABASES.items():
            if lib in libs and stem != owner:
                errors.append(f"milter/{f} includes {lib}: only "
                              f"milter/{owner}.c may")
        for lib, owner in REPORT_LIBS.items():
            if lib in libs and stem != owner:
                errors.append(f"milter/{f} includes {lib}: only "
                              f"milter/{owner}.c may (mxauth-report)")

    for f in files:
        if not f.endswith(".c"):
            continue
        stem = f[:-2]
        if stem not in mods:
            errors.append(f"milter/{f} has no line in doc/HACKING.md's "
                          "module map")
            continue
        own_c, libs_c = includes(os.path.join(mdir, f))
        own_h, libs_h = includes(os.path.join(mdir, stem + ".h"))
        own = (own_c | own_h) - {stem}
        libs = libs_c | libs_h
        # a private header (no .c of its own, e.g. dns_int.h) lends the
        # libraries it includes to the module that includes it
        for h in own:
            if not os.path.exists(os.path.join(mdir, h + ".c")):
                libs |= includes(os.path.join(mdir, h + ".h"))[1]
        _, want, want_libs = mods[stem]
        if own != want:
            extra = " ".join(sorted(own - want)) or "-"
            gone = " ".join(sorted(want - own)) or "-"
            errors.append(f"doc/HACKING.md: {stem}: includes not listed: "
                          f"{extra}; listed but not included: {gone}")
        if libs != want_libs:
            errors.append(f"doc/HACKING.md: {stem}: libraries included "
                          f"{' '.join(sorted(libs)) or '-'}, listed "
                          f"{' '.join(sorted(want_libs)) or '-'}")
    for stem in sorted(set(mods) - {f[:-2] for f in files}):
        errors.append(f"doc/HACKING.md: module map names {stem}, which "
                      "has no milter/" + stem + ".c")

    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"layering: {len(files)} files, {len(mods)} modules: no "
          f"libmilter; epoll only in {' '.join(sorted(glue))}; ldns only "
          "in dns*; microhttpd.h only in metrics_http; "
          "databases only in their store backends; libxml2 and zlib "
          "only in report_xml and report_gz; "
          "module map true to the includes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
