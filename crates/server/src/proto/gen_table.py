#!/usr/bin/env python3
"""Generate kobj's table of the Kubernetes protobuf wire layout of built-in API types.

Usage:
    python3 gen_table.py /tmp/k8s-src/api > table.txt

Input: a directory laid out as <group>/<version>/*.go (meta/v1 for
k8s.io/apimachinery/pkg/apis/meta/v1). Every `type X struct {...}` whose fields
carry `protobuf:"<wire>,<num>,..."` tags becomes one line; named types
(`type Protocol string`, `type ResourceList map[ResourceName]resource.Quantity`,
`type ExtraValue []string`, `type X = Y`, `type List metav1.List`) are used to
resolve Go types. Python 3.11, stdlib only.

Sources used for the committed table.txt (declaration extracts of these files,
see /tmp/k8s-src/api/SOURCES.txt at generation time):
    core/v1            kubernetes/kubernetes staging/src/k8s.io/api/core/v1/types.go           815c3d8f70473678341a03abc0a6fb7bab000d3c
    apps/v1            kubernetes/kubernetes staging/src/k8s.io/api/apps/v1/types.go           f29165be57283c52c742036ec984cb36dfab40d5
    batch/v1           k8s.io/api batch/v1/types.go, code-index id 95389993 (repo/commit not reported by the index)
    networking/v1      kubernetes/kubernetes staging/src/k8s.io/api/networking/v1/types.go     00737ac5f2dc2b61c4b18406f488db007ad8caf6
    rbac/v1            kubernetes/kubernetes staging/src/k8s.io/api/rbac/v1/types.go           046d201c45cebd19eb1fc4612426761c64802825
    policy/v1          kubernetes/kubernetes staging/src/k8s.io/api/policy/v1/types.go         083e3f3e0db4c37bf3fb4e6715a9d8d035cab428
    scheduling/v1      kubernetes/kubernetes staging/src/k8s.io/api/scheduling/v1/types.go     78fc8e44052f699bf598f84b697b41e5a328c9c5
    autoscaling/v1     kubernetes/kubernetes staging/src/k8s.io/api/autoscaling/v1/types.go    0226316d6a24ddc42701b5f874eda5b729648ca7
    autoscaling/v2     kubernetes/kubernetes staging/src/k8s.io/api/autoscaling/v2/types.go    00c836b44ad0da07fe0aae2e6eff56f1cf13ad72
    authorization/v1   kubernetes/kubernetes staging/src/k8s.io/api/authorization/v1/types.go  0147e495216dbf3e69c5636e7a94f8510f4f1a0b
    authentication/v1  kubernetes/kubernetes staging/src/k8s.io/api/authentication/v1/types.go 008b3652959ca58af8be3fb5b6ecfe9ae7638282
    coordination/v1    kubernetes/kubernetes staging/src/k8s.io/api/coordination/v1/types.go   9d38f210ca15c5df4abae15d76261ebbe184606f
    discovery/v1       kubernetes/kubernetes staging/src/k8s.io/api/discovery/v1/types.go      e63752e0f2710cbb0ae36a012878fa1812b14e5a
    storage/v1         kubernetes/api storage/v1/types.go                                      1b4e6c3a55f9ee8a1686ca169d46f627875f91c2
    events/v1          kubernetes/kubernetes staging/src/k8s.io/api/events/v1/types.go         4979a034032d01976032c292504409be31e65fd5
    certificates/v1    kubernetes/kubernetes staging/src/k8s.io/api/certificates/v1/types.go   0eb1b82dafa4445b8ddaef82d388f77a3b68e806
    node/v1            kubernetes/kubernetes staging/src/k8s.io/api/node/v1/types.go           a5f6302635d8b2551cd0d9facef3d13852541bc9
    meta/v1            kubernetes/apimachinery pkg/apis/meta/v1/types.go                       048d783371697f65e816d3d923481c476cc85e06

Output, one line per struct type, fields in field-number order:
    <pkg>.<Struct> <num>:<json>:<shape> ...
followed by kind lines:
    = <apiVersion> <Kind> <pkg>.<Type>

Shapes: shape = ['*'] base | '[' shape | '{' shape | 'x' shape
    s string (and named string types, types.UID)   b bool   i any integer   f float
    B []byte   q resource.Quantity   io intstr.IntOrString   t metav1.Time
    mt metav1.MicroTime   d metav1.Duration   raw runtime.RawExtension / metav1.FieldsV1
    @<pkg>.<Type> a struct message   ^<pkg>.<Type> an inlined struct (json name '-')
    '*' pointer to a scalar (kept even at its zero value); never on messages
    '[' repeated / Go slice   '{' map with string-like keys (value shape follows)
    'x' a named slice type that go-to-protobuf wraps in a message whose field 1 is
        `repeated items` (types marked `+protobuf.nullable=true`, e.g.
        authentication.v1.ExtraValue, meta.v1.Verbs); rendered as a JSON array.
"""

import os
import re
import sys

GROUP_API_VERSION = {
    "core": "",
    "apps": "apps",
    "batch": "batch",
    "autoscaling": "autoscaling",
    "policy": "policy",
    "networking": "networking.k8s.io",
    "rbac": "rbac.authorization.k8s.io",
    "scheduling": "scheduling.k8s.io",
    "authorization": "authorization.k8s.io",
    "authentication": "authentication.k8s.io",
    "coordination": "coordination.k8s.io",
    "discovery": "discovery.k8s.io",
    "storage": "storage.k8s.io",
    "events": "events.k8s.io",
    "certificates": "certificates.k8s.io",
    "node": "node.k8s.io",
    "meta": "meta.k8s.io",
}

INT_TYPES = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
             "uint32", "uint64", "uintptr", "byte", "rune"}
FLOAT_TYPES = {"float32", "float64"}
SCALARS = {"s", "b", "i", "f"}

# Types with a fixed shape, by (pkg id, name).
SPECIAL = {
    ("resource", "Quantity"): "q",
    ("intstr", "IntOrString"): "io",
    ("runtime", "RawExtension"): "raw",
    ("types", "UID"): "s",
    ("meta.v1", "Time"): "t",
    ("meta.v1", "MicroTime"): "mt",
    ("meta.v1", "Duration"): "d",
    ("meta.v1", "FieldsV1"): "raw",
}

# Non-API imports allowed to appear in import blocks (never as field types).
IGNORED_IMPORTS = {"fmt", "strings"}


class GenError(Exception):
    pass


def die(msg):
    sys.stderr.write("gen_table.py: error: %s\n" % msg)
    sys.exit(1)


def import_to_pkg(path):
    m = re.fullmatch(r"k8s\.io/api/([a-z0-9]+)/(v[0-9a-z]+)", path)
    if m:
        return "%s.%s" % (m.group(1), m.group(2))
    fixed = {
        "k8s.io/apimachinery/pkg/apis/meta/v1": "meta.v1",
        "k8s.io/apimachinery/pkg/api/resource": "resource",
        "k8s.io/apimachinery/pkg/util/intstr": "intstr",
        "k8s.io/apimachinery/pkg/runtime": "runtime",
        "k8s.io/apimachinery/pkg/types": "types",
    }
    if path in fixed:
        return fixed[path]
    if path in IGNORED_IMPORTS:
        return None
    raise GenError("unknown import path %r" % path)


def strip_block_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


class TypeDecl:
    def __init__(self, pkg, name, kind, body, comments, filename):
        self.pkg = pkg            # e.g. core.v1
        self.name = name
        self.kind = kind          # 'struct' | 'named' | 'alias'
        self.body = body          # list of field lines for struct, type expr otherwise
        self.comments = comments  # comment lines directly above the declaration
        self.filename = filename

    @property
    def full(self):
        return "%s.%s" % (self.pkg, self.name)

    def has_marker(self, marker):
        return any(c.strip().lstrip("/").strip() == marker for c in self.comments)


class Package:
    def __init__(self, pkgid):
        self.pkgid = pkgid
        self.types = {}           # name -> TypeDecl
        self.order = []
        self.imports = {}         # filename -> {alias: pkgid}


def parse_imports(lines, filename):
    aliases = {}
    i = 0
    specs = []
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("import ("):
            i += 1
            while i < len(lines) and lines[i].strip() != ")":
                s = lines[i].strip()
                if s and not s.startswith("//"):
                    specs.append(s)
                i += 1
        elif line.startswith("import "):
            specs.append(line[len("import "):].strip())
        i += 1
    for spec in specs:
        m = re.fullmatch(r'(?:([A-Za-z_][A-Za-z0-9_]*|\.|_)\s+)?"([^"]+)"', spec)
        if not m:
            raise GenError("%s: cannot parse import spec %r" % (filename, spec))
        alias, path = m.group(1), m.group(2)
        pkg = import_to_pkg(path)
        if pkg is None:
            continue
        if alias is None:
            alias = path.rsplit("/", 1)[1]
        if alias in (".", "_"):
            raise GenError("%s: unsupported import form %r" % (filename, spec))
        aliases[alias] = pkg
    return aliases


TYPE_RE = re.compile(r"^type\s+([A-Za-z_][A-Za-z0-9_]*)\s*(=)?\s*(.*)$")


def parse_file(pkg, path, filename):
    with open(path, encoding="utf-8") as fh:
        text = strip_block_comments(fh.read())
    lines = text.split("\n")
    pkg.imports[filename] = parse_imports(lines, filename)
    comments = []
    i = 0
    in_type_block = False
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if line.startswith("//"):
            comments.append(line)
            i += 1
            continue
        if not line:
            comments = []
            i += 1
            continue
        decl_line = None
        if in_type_block:
            if line == ")":
                in_type_block = False
                comments = []
                i += 1
                continue
            decl_line = "type " + line
        elif line == "type (":
            in_type_block = True
            comments = []
            i += 1
            continue
        elif line.startswith("type "):
            decl_line = line
        if decl_line is None:
            # skip func bodies, const/var blocks etc.
            if line.endswith("{") or line.endswith("("):
                depth = 1
                i += 1
                while i < len(lines) and depth > 0:
                    s = lines[i].strip()
                    if not s.startswith("//"):
                        depth += s.count("{") + s.count("(") - s.count("}") - s.count(")")
                    i += 1
            else:
                i += 1
            comments = []
            continue
        m = TYPE_RE.match(decl_line)
        if not m:
            raise GenError("%s: cannot parse type declaration %r" % (filename, line))
        name, is_alias, rest = m.group(1), m.group(2), m.group(3).strip()
        if name in pkg.types:
            raise GenError("%s: duplicate type %s.%s" % (filename, pkg.pkgid, name))
        if rest.startswith("struct"):
            if re.fullmatch(r"struct\s*\{\s*\}", rest):
                fields = []
                i += 1
            elif re.fullmatch(r"struct\s*\{", rest):
                fields = []
                i += 1
                while True:
                    if i >= len(lines):
                        raise GenError("%s: unterminated struct %s" % (filename, name))
                    s = lines[i].strip()
                    i += 1
                    if s == "}":
                        break
                    if not s or s.startswith("//"):
                        continue
                    if "{" in s.split("`")[0] and "interface{}" not in s:
                        raise GenError("%s: nested struct literal in %s: %r" % (filename, name, s))
                    fields.append(s)
            else:
                raise GenError("%s: unsupported struct form for %s: %r" % (filename, name, rest))
            decl = TypeDecl(pkg.pkgid, name, "struct", fields, comments, filename)
        else:
            rest = rest.split("//", 1)[0].strip()
            if not rest:
                raise GenError("%s: empty type expression for %s" % (filename, name))
            decl = TypeDecl(pkg.pkgid, name, "alias" if is_alias else "named", rest, comments, filename)
            i += 1
        pkg.types[name] = decl
        pkg.order.append(name)
        comments = []


TAG_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*):"((?:[^"\\]|\\.)*)"')


def parse_field(line, where):
    """Returns (name or None if embedded, type expr, tags dict)."""
    tagtxt = ""
    if "`" in line:
        head, tagpart = line.split("`", 1)
        if not tagpart.rstrip().endswith("`"):
            raise GenError("%s: bad struct tag in %r" % (where, line))
        tagtxt = tagpart.rstrip()[:-1]
    else:
        head = line.split("//", 1)[0]
    toks = head.split()
    if len(toks) == 1:
        name, typ = None, toks[0]
    elif len(toks) == 2:
        name, typ = toks
        if name.endswith(","):
            raise GenError("%s: multi-name field not supported: %r" % (where, line))
    else:
        raise GenError("%s: cannot parse field %r" % (where, line))
    tags = dict(TAG_RE.findall(tagtxt))
    return name, typ, tags


class Generator:
    def __init__(self, root):
        self.root = root
        self.pkgs = {}
        self.notes = []
        self.referenced = set()   # full names of struct messages referenced via @ or ^

    def load(self):
        for group in sorted(os.listdir(self.root)):
            gdir = os.path.join(self.root, group)
            if not os.path.isdir(gdir):
                continue
            for version in sorted(os.listdir(gdir)):
                vdir = os.path.join(gdir, version)
                if not os.path.isdir(vdir):
                    continue
                pkgid = "%s.%s" % (group, version)
                pkg = Package(pkgid)
                files = sorted(f for f in os.listdir(vdir)
                               if f.endswith(".go") and "types" in f
                               and "swagger_doc" not in f and not f.endswith("_test.go"))
                for f in files:
                    parse_file(pkg, os.path.join(vdir, f), "%s/%s/%s" % (group, version, f))
                if pkg.types:
                    self.pkgs[pkgid] = pkg
        if not self.pkgs:
            raise GenError("no Go sources found under %s" % self.root)

    # ---- type resolution -------------------------------------------------

    def lookup(self, pkgid, name, where):
        if (pkgid, name) in SPECIAL:
            return ("special", SPECIAL[(pkgid, name)])
        pkg = self.pkgs.get(pkgid)
        if pkg is None or name not in pkg.types:
            raise GenError("%s: cannot resolve Go type %s.%s" % (where, pkgid, name))
        return ("decl", pkg.types[name])

    def split_qual(self, typ, ctx_pkg, filename, where):
        if "." in typ:
            alias, name = typ.split(".", 1)
            imports = self.pkgs[ctx_pkg].imports.get(filename, {})
            if alias not in imports:
                raise GenError("%s: unknown package qualifier %r in %r" % (where, alias, typ))
            return imports[alias], name
        return ctx_pkg, typ

    def base_shape(self, typ, ctx_pkg, filename, where, depth=0):
        """Shape of a Go type expression, without the pointer star."""
        if depth > 20:
            raise GenError("%s: type resolution loop at %r" % (where, typ))
        if typ.startswith("*"):
            inner = typ[1:]
            if inner.startswith("[]"):
                self.notes.append("%s: pointer to slice %r treated as slice" % (where, typ))
                return self.base_shape(inner, ctx_pkg, filename, where, depth + 1)
            if inner.startswith("*"):
                raise GenError("%s: double pointer %r unsupported" % (where, typ))
            return self.base_shape(inner, ctx_pkg, filename, where, depth + 1)
        if typ.startswith("[]"):
            elem = typ[2:]
            if elem == "byte":
                return "B"
            if elem.startswith("*"):
                raise GenError("%s: slice of pointers %r unsupported" % (where, typ))
            return "[" + self.base_shape(elem, ctx_pkg, filename, where, depth + 1)
        if typ.startswith("map["):
            d, j = 0, 3
            while j < len(typ):
                if typ[j] == "[":
                    d += 1
                elif typ[j] == "]":
                    d -= 1
                    if d == 0:
                        break
                j += 1
            key, val = typ[4:j], typ[j + 1:]
            if self.base_shape(key, ctx_pkg, filename, where, depth + 1) != "s":
                raise GenError("%s: map key %r is not string-like" % (where, key))
            if val.startswith("*"):
                raise GenError("%s: map of pointers %r unsupported" % (where, typ))
            return "{" + self.base_shape(val, ctx_pkg, filename, where, depth + 1)
        if typ == "string":
            return "s"
        if typ == "bool":
            return "b"
        if typ in INT_TYPES:
            return "i"
        if typ in FLOAT_TYPES:
            return "f"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", typ):
            raise GenError("%s: cannot resolve Go type %r" % (where, typ))
        pkgid, name = self.split_qual(typ, ctx_pkg, filename, where)
        kind, val = self.lookup(pkgid, name, where)
        if kind == "special":
            return val
        decl = val
        if decl.kind == "struct":
            if decl.has_marker("+protobuf=false"):
                raise GenError("%s: %s is marked +protobuf=false" % (where, decl.full))
            self.referenced.add(decl.full)
            return "@" + decl.full
        under = decl.body
        if decl.kind == "named" and (under.startswith("[]") or under.startswith("map[")):
            if decl.has_marker("+protobuf.nullable=true"):
                if not under.startswith("[]") or under == "[]byte":
                    raise GenError("%s: nullable named type %s (%s) unsupported" % (where, decl.full, under))
                return "x" + self.base_shape(under, decl.pkg, decl.filename, where, depth + 1)
        inner = self.base_shape(under, decl.pkg, decl.filename, where, depth + 1)
        if decl.kind == "named" and inner.startswith("@"):
            # e.g. `type List metav1.List`: a new message with the underlying struct's fields
            self.referenced.add(decl.full)
            return "@" + decl.full
        return inner

    def field_shape(self, typ, ctx_pkg, filename, where):
        base = self.base_shape(typ, ctx_pkg, filename, where)
        if typ.startswith("*") and base in SCALARS:
            return "*" + base
        return base

    # ---- struct processing -----------------------------------------------

    def struct_fields(self, decl):
        """List of (num, json, shape) for a struct decl (or a named type of a struct)."""
        if decl.kind == "named":
            pkgid, name = self.split_qual(decl.body, decl.pkg, decl.filename, decl.full)
            kind, target = self.lookup(pkgid, name, decl.full)
            if kind != "decl" or target.kind != "struct":
                raise GenError("%s: not a struct type" % decl.full)
            return self.struct_fields(target)
        out = []
        seen = {}
        for line in decl.body:
            where = "%s (%s)" % (decl.full, decl.filename)
            name, typ, tags = parse_field(line, where)
            pb = tags.get("protobuf")
            if pb is None or pb == "-":
                continue
            js = tags.get("json")
            if js is None:
                raise GenError("%s: field with protobuf tag but no json tag: %r" % (where, line))
            jparts = js.split(",")
            jname = jparts[0]
            if jname == "-":
                continue
            parts = pb.split(",")
            if len(parts) < 2 or not parts[1].isdigit():
                raise GenError("%s: bad protobuf tag %r" % (where, pb))
            num = int(parts[1])
            if num in seen:
                raise GenError("%s: duplicate field number %d" % (where, num))
            seen[num] = True
            inline = name is None and (jname == "" or "inline" in jparts[1:])
            if name is None and not inline and jname == "":
                raise GenError("%s: embedded field without json name: %r" % (where, line))
            if inline:
                shape = self.field_shape(typ, decl.pkg, decl.filename, where)
                if not shape.startswith("@"):
                    raise GenError("%s: inline field of non-struct type %r" % (where, typ))
                out.append((num, "-", "^" + shape[1:]))
            else:
                if jname == "":
                    raise GenError("%s: field %s has empty json name" % (where, name))
                out.append((num, jname, self.field_shape(typ, decl.pkg, decl.filename, where)))
        out.sort()
        return out

    def is_kind(self, decl):
        if decl.kind != "struct" or decl.name.endswith("List"):
            return False
        has_typemeta = has_objmeta = False
        for line in decl.body:
            name, typ, tags = parse_field(line, decl.full)
            if name is None and typ.split(".")[-1] == "TypeMeta" and "protobuf" not in tags:
                has_typemeta = True
            if typ.lstrip("*").split(".")[-1] == "ObjectMeta" and tags.get("json", "").split(",")[0] == "metadata":
                has_objmeta = True
        return has_typemeta and has_objmeta

    def generate(self):
        self.load()
        lines = {}
        for pkgid in sorted(self.pkgs):
            pkg = self.pkgs[pkgid]
            for name in pkg.order:
                decl = pkg.types[name]
                if decl.has_marker("+protobuf=false"):
                    continue
                if decl.kind == "named":
                    # `type List metav1.List`: a message of its own with the same fields
                    shape = self.base_shape(decl.body, decl.pkg, decl.filename, decl.full)
                    if shape.startswith("@"):
                        lines[decl.full] = self.struct_fields(decl)
                    continue
                if decl.kind != "struct":
                    continue
                lines[decl.full] = self.struct_fields(decl)
        # named types of structs (type List metav1.List) referenced while resolving
        pending = True
        while pending:
            pending = False
            for full in sorted(self.referenced):
                if full in lines:
                    continue
                pkgid, name = full.rsplit(".", 1)
                lines[full] = self.struct_fields(self.pkgs[pkgid].types[name])
                pending = True
        missing = sorted(r for r in self.referenced if r not in lines)
        if missing:
            raise GenError("referenced types without a line: %s" % ", ".join(missing))
        out = []
        for full in sorted(lines):
            parts = [full] + ["%d:%s:%s" % f for f in lines[full]]
            out.append(" ".join(parts))
        kinds = []
        for pkgid in sorted(self.pkgs):
            group, version = pkgid.split(".")
            if group not in GROUP_API_VERSION:
                raise GenError("no apiVersion known for group %r" % group)
            gv = GROUP_API_VERSION[group]
            api_version = version if gv == "" else "%s/%s" % (gv, version)
            pkg = self.pkgs[pkgid]
            for name in sorted(pkg.order):
                decl = pkg.types[name]
                if self.is_kind(decl):
                    kinds.append("= %s %s %s" % (api_version, name, decl.full))
        return out, kinds


def main(argv):
    if len(argv) != 2:
        die("usage: python3 gen_table.py <src-root>  (e.g. /tmp/k8s-src/api)")
    gen = Generator(argv[1])
    try:
        structs, kinds = gen.generate()
    except GenError as e:
        die(str(e))
    for n in gen.notes:
        sys.stderr.write("gen_table.py: note: %s\n" % n)
    header = ["# generated by gen_table.py from the Go types of k8s.io/api and k8s.io/apimachinery",
              "# (sources and commits: see the top of gen_table.py); do not edit by hand"]
    sys.stdout.write("\n".join(header + structs + kinds) + "\n")
    sys.stderr.write("gen_table.py: %d struct lines, %d kind lines\n" % (len(structs), len(kinds)))


if __name__ == "__main__":
    main(sys.argv)
