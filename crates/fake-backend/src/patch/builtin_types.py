# Regenerates builtin_types.txt from the k8s-openapi sources:
#   cd ~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_37 && python3 <this file> . > builtin_types.txt
# Each line: "<type> <field>:<shape>..." (S:<type> struct, L<keys>:<type> keyed list, A atomic list,
# T set, M[:<type>] granular map, MA atomic map) or "= <group> <Kind> <version> <type>" for roots.
import os, re, sys
ROOT = sys.argv[1]
structs = {}   # id -> dict(rust field -> (json, rust type))
strategies = {} # id -> dict(rust field -> (kind, keys))
roots = []
SCALAR_NEWTYPES = {"apimachinery.pkg.api.resource.Quantity","apimachinery.pkg.apis.meta.v1.Time",
  "apimachinery.pkg.apis.meta.v1.MicroTime","apimachinery.pkg.util.intstr.IntOrString",
  "apimachinery.pkg.apis.meta.v1.FieldsV1","apimachinery.pkg.runtime.RawExtension"}
def tid(path):
    # crate::api::core::v1::Container -> core.v1.Container ; crate::apimachinery::pkg::apis::meta::v1::X -> meta.v1.X
    p = path.replace("crate::","").split("::")
    return ".".join(p)
def short(t):
    t = t.replace("api.","",1) if t.startswith("api.") else t
    t = t.replace("apimachinery.pkg.apis.","")
    t = t.replace("apiextensions_apiserver.pkg.apis.","")
    t = t.replace("kube_aggregator.pkg.apis.","")
    return t
for dp, dn, fn in os.walk(ROOT):
    for f in fn:
        if not f.endswith(".rs") or f == "mod.rs": continue
        src = open(os.path.join(dp, f)).read()
        rel = os.path.relpath(os.path.join(dp, f), ROOT)[:-3].split(os.sep)
        for m in re.finditer(r"pub struct (\w+) \{(.*?)\n\}", src, re.S):
            name = m.group(1)
            modpath = ".".join(rel[:-1]) + "." + name
            fields = {}
            for fm in re.finditer(r"pub (\w+): (.+),\n", m.group(2) + "\n"):
                fields[fm.group(1)] = [None, fm.group(2)]
            for jm in re.finditer(r'"([^"]+)" => Field::Key_(\w+),', src):
                if jm.group(2) in fields: fields[jm.group(2)][0] = jm.group(1)
            structs[modpath] = fields
            st = {}
            for sm in re.finditer(r"crate::merge_strategies::list::(map|atomic|set)\(\s*&mut self\.(\w+),(.*?)\);", src, re.S):
                keys = re.findall(r"lhs\.(\w+) ==", sm.group(3)) if sm.group(1) == "map" else []
                st[sm.group(2)] = (sm.group(1), keys)
            for sm in re.finditer(r"crate::merge_strategies::map::(atomic|granular)\(\s*&mut self\.(\w+)", src, re.S):
                st[sm.group(2)] = ("m" + sm.group(1), [])
            strategies[modpath] = st
            rm = re.search(r'const GROUP: &\'static str = "([^"]*)";\s*const KIND: &\'static str = "([^"]*)";\s*const VERSION: &\'static str = "([^"]*)";', src)
            if rm and ("impl crate::Resource for %s " % name) in src:
                roots.append((rm.group(1), rm.group(2), rm.group(3), modpath))
def inner(t):
    t = t.strip()
    for w in ("Option<", "std::boxed::Box<"):
        if t.startswith(w): return inner(t[len(w):-1])
    return t
out = []
for sid in sorted(structs):
    fields = structs[sid]; st = strategies.get(sid, {})
    parts = []
    for rf in sorted(fields, key=lambda r: fields[r][0] or r):
        js, ty = fields[rf]
        if js is None: continue
        ty = inner(ty)
        s = st.get(rf)
        if ty.startswith("std::vec::Vec<"):
            el = inner(ty[len("std::vec::Vec<"):-1])
            eid = tid(el) if el.startswith("crate::") else None
            if eid in SCALAR_NEWTYPES: eid = None
            kind = s[0] if s else "atomic"
            if kind == "map":
                keys = [structs[eid][k][0] if k in structs.get(eid,{}) else (print("MISSING", sid, rf, eid, k, file=sys.stderr) or k) for k in s[1]]
                parts.append("%s:L%s:%s" % (js, ",".join(keys), short(eid)))
            elif kind == "set":
                parts.append("%s:T" % js)
            else:
                parts.append("%s:A" % js)
        elif ty.startswith("std::collections::BTreeMap<"):
            val = inner(ty[len("std::collections::BTreeMap<std::string::String, "):-1])
            kind = s[0] if s else "mgranular"
            vid = tid(val) if val.startswith("crate::") else None
            if vid in SCALAR_NEWTYPES or (vid and vid not in structs): vid = None
            if kind == "matomic": parts.append("%s:MA" % js)
            elif vid: parts.append("%s:M:%s" % (js, short(vid)))
            else: parts.append("%s:M" % js)
        elif ty.startswith("crate::"):
            cid = tid(ty)
            if cid in SCALAR_NEWTYPES: continue
            parts.append("%s:S:%s" % (js, short(cid)))
    if parts:
        out.append(short(sid) + " " + " ".join(parts))
for g, k, v, sid in sorted(roots):
    out.append("= %s %s %s %s" % (g or "core", k, v, short(sid)))
print("\n".join(out))
