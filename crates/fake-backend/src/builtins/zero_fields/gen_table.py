# Regenerates table.txt, the zero-valued fields builtins::zero_fields::fill adds:
#   cd crates/fake-backend/src/builtins/zero_fields
#   python3 gen_table.py ~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_37 > table.txt
# Inputs:
# - k8s-openapi 0.29.0 (v1_37): the structure (each struct's JSON fields, and which are
#   structs, lists of structs or maps to structs), parsed as patch/builtin_types.py does;
# - go_fields.txt: the Go facts (which fields encoding/json always writes, and their zero),
#   with its sources at its top;
# - ../../patch/managed/empty_objects.json: each kind's empty object (k8s.io/api 1.34-1.37),
#   walked so that fill agrees with it at the top level.
# Output lines: "<type> <token>..." with tokens "f=<json>" (add when absent or null),
# "f>T" (a struct), "f[]T" (a list of structs), "f{}T" (a map to structs), in that order,
# and "= <apiVersion> <Kind> <type>" for the kinds. Only types with something to fill are kept;
# metav1.ObjectMeta and JSONSchemaProps (custom marshalling) are never entered.
import json, os, re, sys

ROOT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
SCALARS = {"apimachinery.pkg.api.resource.Quantity", "apimachinery.pkg.apis.meta.v1.Time",
           "apimachinery.pkg.apis.meta.v1.MicroTime", "apimachinery.pkg.util.intstr.IntOrString",
           "apimachinery.pkg.apis.meta.v1.FieldsV1", "apimachinery.pkg.runtime.RawExtension"}
NEVER = {"meta.v1.ObjectMeta", "apiextensions.v1.JSONSchemaProps"}

def short(t):
    t = t[4:] if t.startswith("api.") else t
    for p in ("apimachinery.pkg.apis.", "apiextensions_apiserver.pkg.apis.", "kube_aggregator.pkg.apis."):
        t = t.replace(p, "")
    return t

def inner(t):
    t = t.strip()
    for w in ("Option<", "std::boxed::Box<"):
        if t.startswith(w):
            return inner(t[len(w):-1])
    return t

def struct_id(t):
    if not t.startswith("crate::"):
        return None
    full = ".".join(t[len("crate::"):].split("::"))
    return None if full in SCALARS else short(full)

fields = {}  # type -> {json: (shape, child type or None)}
roots = []
for dp, _, fn in os.walk(ROOT):
    for f in fn:
        if not f.endswith(".rs") or f == "mod.rs":
            continue
        src = open(os.path.join(dp, f)).read()
        rel = os.path.relpath(os.path.join(dp, f), ROOT)[:-3].split(os.sep)
        for m in re.finditer(r"pub struct (\w+) \{(.*?)\n\}", src, re.S):
            sid = short(".".join(rel[:-1]) + "." + m.group(1))
            rust = {fm.group(1): fm.group(2) for fm in re.finditer(r"pub (\w+): (.+),\n", m.group(2) + "\n")}
            out = {}
            for jm in re.finditer(r'"([^"]+)" => Field::Key_(\w+),', src):
                if jm.group(2) not in rust:
                    continue
                ty = inner(rust[jm.group(2)])
                if ty.startswith("std::vec::Vec<"):
                    out[jm.group(1)] = ("[]", struct_id(inner(ty[len("std::vec::Vec<"):-1])))
                elif ty.startswith("std::collections::BTreeMap<"):
                    out[jm.group(1)] = ("{}", struct_id(inner(ty.split(", ", 1)[1][:-1])))
                else:
                    out[jm.group(1)] = (">", struct_id(ty))
            fields[sid] = out
            rm = re.search(r'const GROUP: &\'static str = "([^"]*)";\s*const KIND: &\'static str = "([^"]*)";\s*const VERSION: &\'static str = "([^"]*)";', src)
            if rm and ("impl crate::Resource for %s " % m.group(1)) in src:
                g, k, v = rm.groups()
                roots.append(("%s/%s" % (g, v) if g else v, k, sid))

facts = {}  # type -> {field: zero json}, in file order
def add(ty, field, zero, where):
    if ty not in fields:
        print("note: %s: no struct %s in k8s-openapi (skipped)" % (where, ty), file=sys.stderr)
        return
    if field not in fields[ty]:
        print("note: %s: %s.%s is not in the OpenAPI struct (kept)" % (where, ty, field), file=sys.stderr)
    have = facts.setdefault(ty, {}).get(field)
    if have is not None and have != zero:
        sys.exit("%s: %s.%s is %s here and %s before" % (where, ty, field, zero, have))
    facts[ty][field] = zero

for line in open(os.path.join(HERE, "go_fields.txt")):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    ty, *rest = line.split(" ")
    for tok in rest:
        f, z = tok.split("=", 1)
        json.loads(z)
        add(ty, f, z, "go_fields.txt")

# A struct's metadata (an embedded PVC's, a template's) is always written, as `{}`.
for ty, fs in fields.items():
    if fs.get("metadata", (None, None))[1] == "meta.v1.ObjectMeta" and ty in facts:
        facts[ty].setdefault("metadata", "{}")

root_of = {(av, k): t for av, k, t in roots}
empty = json.load(open(os.path.join(HERE, "..", "..", "patch", "managed", "empty_objects.json")))
def walk(ty, obj, where):
    for f, v in obj.items():
        add(ty, f, "{}" if isinstance(v, dict) else json.dumps(v), where)
        if isinstance(v, dict) and v:
            child = fields[ty].get(f, (None, None))[1]
            if child is None:
                sys.exit("%s: %s.%s is not a struct" % (where, ty, f))
            walk(child, v, where)
for key, obj in empty.items():
    av, kind = key.split(" ")
    ty = root_of.get((av, kind))
    if ty is None:
        sys.exit("no k8s-openapi type for " + key)
    walk(ty, {f: v for f, v in obj.items() if f != "metadata"}, key)

# The types with something to fill, directly or below.
live = set(facts)
changed = True
while changed:
    changed = False
    for ty, fs in fields.items():
        if ty in live or ty in NEVER:
            continue
        if any(c in live and c not in NEVER for _, c in fs.values() if c):
            live.add(ty)
            changed = True

out = []
for ty in sorted(live):
    if ty in NEVER:
        continue
    toks = ["%s=%s" % (f, z) for f, z in facts.get(ty, {}).items()]
    for f, (shape, c) in sorted(fields.get(ty, {}).items()):
        if c and c in live and c not in NEVER:
            toks.append("%s%s%s" % (f, shape, c))
    out.append(ty + " " + " ".join(toks))
for av, k, t in sorted(roots):
    if t in live and (av, k) in {tuple(x.split(" ")) for x in empty}:
        out.append("= %s %s %s" % (av, k, t))
print("# Generated by gen_table.py from go_fields.txt, k8s-openapi 0.29.0 (v1_37) and")
print("# patch/managed/empty_objects.json; do not edit.")
print("\n".join(out))
