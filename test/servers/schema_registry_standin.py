#!/usr/bin/env python3
"""A STAND-IN for Confluent Schema Registry, for tests only (no registry server
can be installed here). It implements just the documented REST endpoints that
connectrun's AvroConverter and @kafkajs/confluent-schema-registry use, as
Confluent's API reference describes them:

  POST /subjects/S/versions                       register      -> {"id": N}
  POST /subjects/S                                look up       -> {"subject","id","version","schema"}
  GET  /schemas/ids/N                             schema by id  -> {"schema": "..."}
  GET  /subjects/S/versions/latest                latest        -> {"subject","id","version","schema"}
  POST /compatibility/subjects/S/versions/latest  check         -> {"is_compatible": bool}
  PUT  /config/S                                  level         -> {"compatibility": "BACKWARD"|"NONE"}

with Confluent's error bodies {"error_code": 40401|40403|40901|42201, "message"}
and BACKWARD compatibility (the new schema can read data written with the
latest). Schemas are AVRO unless the request says "schemaType": "JSON"; JSON
schemas are answered with "schemaType": "JSON", as Confluent's registry does.
For JSON Schema the stand-in checks BACKWARD compatibility only for type
changes: a property of both schemas whose "type" (or "connect.type") changed,
at any depth of properties, is TYPE_CHANGED; Confluent's other JSON Schema
rules (closed content models, required properties, combined schemas, ...) are
not checked. Optional basic auth (--user USER:PASSWORD) or bearer token (--user "Bearer TOKEN");
--forbid SUBJECT answers
403 (error code 40301, as Confluent's RBAC does) to requests on that subject; --tls CERT KEY
serves https. Not Confluent's: GET
/stand-in/requests answers the number of registry requests served, so tests
can count them.

Usage: schema_registry_standin.py PORT [--user USER:PASSWORD] [--forbid SUBJECT] [--tls CERT KEY]
"""
import base64
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
PROMOTIONS = {("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"),
              ("float", "double"), ("string", "bytes"), ("bytes", "string")}


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.ids = {}        # canonical text -> id
        self.texts = {}      # id -> schema text as first registered
        self.types = {}      # id -> "AVRO" or "JSON"
        self.subjects = {}   # subject -> [id, ...] (version i+1 = index i)
        self.levels = {}     # subject -> "BACKWARD" (the default) or "NONE"
        self.requests = 0


def canonical(text):
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def resolve(schema, names, space=""):
    """Replaces named references by their definitions (Avro schema as JSON values)."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        full = schema if "." in schema or not space else space + "." + schema
        return names.get(full) or names.get(schema) or schema
    if isinstance(schema, list):
        return [resolve(b, names, space) for b in schema]
    t = schema.get("type")
    if t in ("record", "error", "enum", "fixed"):
        name = schema["name"]
        ns = schema.get("namespace", space)
        full = name if "." in name else (ns + "." + name if ns else name)
        ns = full.rsplit(".", 1)[0] if "." in full else ""
        names[full] = schema
        if t in ("record", "error"):
            for f in schema["fields"]:
                f["type"] = resolve(f["type"], names, ns)
        return schema
    if t == "array":
        schema["items"] = resolve(schema["items"], names, space)
    elif t == "map":
        schema["values"] = resolve(schema["values"], names, space)
    elif isinstance(t, (dict, list)):
        return resolve(t, names, space)
    return schema


def kind(s):
    if isinstance(s, str):
        return s
    if isinstance(s, list):
        return "union"
    t = s["type"]
    return "record" if t == "error" else t


def can_read(reader, writer, path, problems):
    """BACKWARD: can data written with `writer` be read with `reader`? Appends what cannot."""
    rk, wk = kind(reader), kind(writer)
    if wk == "union":
        for b in writer:
            can_read(reader, b, path, problems)
        return
    if rk == "union":
        trial = []
        for b in reader:
            p = []
            can_read(b, writer, path, p)
            if not p:
                return
            trial = p
        problems.append({"errorType": "MISSING_UNION_BRANCH", "description": "The new schema has no union branch "
                         "for the old type '%s' at path '%s'" % (wk, path or "/")})
        return
    if rk != wk:
        if (wk, rk) not in PROMOTIONS:
            problems.append({"errorType": "TYPE_MISMATCH", "description": "The type (path '%s') of a field in the "
                             "new schema does not match with the old schema: %s read as %s" % (path or "/", wk, rk)})
        return
    if rk == "record":
        old = {f["name"]: f for f in writer["fields"]}
        for i, f in enumerate(reader["fields"]):
            fpath = "%s/fields/%d" % (path, i)
            if f["name"] in old:
                can_read(f["type"], old[f["name"]]["type"], fpath, problems)
            elif "default" not in f:
                problems.append({"errorType": "READER_FIELD_MISSING_DEFAULT_VALUE", "description": "The field '%s' "
                                 "at path '%s' in the new schema has no default value and is missing in the old "
                                 "schema" % (f["name"], fpath)})
    elif rk == "array":
        can_read(reader["items"], writer["items"], path + "/items", problems)
    elif rk == "map":
        can_read(reader["values"], writer["values"], path + "/values", problems)
    elif rk == "enum":
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing and "default" not in reader:
            problems.append({"errorType": "MISSING_ENUM_SYMBOLS", "description": "The new schema is missing enum "
                             "symbols '%s' at path '%s'" % (missing, path or "/")})
    elif rk == "fixed" and reader.get("size") != writer.get("size"):
        problems.append({"errorType": "FIXED_SIZE_MISMATCH", "description": "fixed size at '%s'" % (path or "/")})


def json_type_changes(new, old, path, problems):
    """JSON Schema BACKWARD, types only: a property both schemas have must keep its type."""
    if not isinstance(new, dict) or not isinstance(old, dict):
        return
    for key in ("type", "connect.type"):
        if key in new and key in old and new[key] != old[key]:
            problems.append({"errorType": "TYPE_CHANGED", "description": "The type of the property at path '%s' "
                             "changed from %s to %s" % (path or "#/", json.dumps(old[key]), json.dumps(new[key]))})
    for key in ("oneOf", "anyOf"):
        for i, (n, o) in enumerate(zip(new.get(key, []), old.get(key, []))):
            json_type_changes(n, o, "%s/%s/%d" % (path, key, i), problems)
    if isinstance(new.get("items"), dict):
        json_type_changes(new["items"], old.get("items"), path + "/items", problems)
    for name, sub in (new.get("properties") or {}).items():
        if name in (old.get("properties") or {}):
            json_type_changes(sub, old["properties"][name], "%s/properties/%s" % (path, name), problems)


def incompatibilities(new_text, old_text, schema_type="AVRO"):
    problems = []
    if schema_type == "JSON":
        json_type_changes(json.loads(new_text), json.loads(old_text), "#", problems)
        return problems
    can_read(resolve(json.loads(new_text), {}), resolve(json.loads(old_text), {}), "", problems)
    return problems


class Handler(BaseHTTPRequestHandler):
    store = None
    user = None
    forbidden = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"error_code": code, "message": message})

    def authorized(self):
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        if self.forbidden and self.forbidden in parts[:3]:
            self.error(403, 40301, "User is denied operation Write on Subject: %s" % self.forbidden)
            return False
        if not self.user:
            return True
        if self.user.startswith("Bearer "):
            expected = self.user
        else:
            expected = "Basic " + base64.b64encode(self.user.encode()).decode()
        if self.headers.get("Authorization") == expected:
            return True
        self.error(401, 401, "Unauthorized")
        return False

    def body_schema(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw or b"{}")
            text = body["schema"]
            self.schema_type = body.get("schemaType", "AVRO")
            if self.schema_type == "JSON":
                if not isinstance(json.loads(text), (dict, bool)):
                    raise ValueError("a JSON Schema is an object or a boolean")
            elif self.schema_type == "AVRO":
                resolve(json.loads(text), {})
            else:
                raise ValueError("the stand-in knows AVRO and JSON schemas")
            # The same text as AVRO and as JSON are two schemas.
            return text, self.schema_type + ":" + canonical(text)
        except (ValueError, KeyError, TypeError, AttributeError):
            self.error(422, 42201, "Either the input schema or one of its references is invalid")
            return None, None

    def typed(self, body, sid):
        """Confluent's answers carry schemaType for schemas other than AVRO."""
        if self.store.types.get(sid, "AVRO") != "AVRO":
            body["schemaType"] = self.store.types[sid]
        return body

    def do_GET(self):
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        s = self.store
        if parts == ["stand-in", "requests"]:
            return self.reply(200, {"requests": s.requests})
        with s.lock:
            s.requests += 1
        if not self.authorized():
            return
        with s.lock:
            if len(parts) == 3 and parts[:2] == ["schemas", "ids"]:
                sid = int(parts[2]) if parts[2].isdigit() else -1
                if sid not in s.texts:
                    return self.error(404, 40403, "Schema %s not found" % parts[2])
                return self.reply(200, self.typed({"schema": s.texts[sid]}, sid))
            if len(parts) == 4 and parts[0] == "subjects" and parts[2] == "versions" and parts[3] == "latest":
                versions = s.subjects.get(parts[1])
                if not versions:
                    return self.error(404, 40401, "Subject '%s' not found." % parts[1])
                sid = versions[-1]
                return self.reply(200, self.typed({"subject": parts[1], "id": sid, "version": len(versions),
                                                   "schema": s.texts[sid]}, sid))
        self.error(404, 404, "HTTP 404 Not Found")

    def do_PUT(self):
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        s = self.store
        with s.lock:
            s.requests += 1
        if not self.authorized():
            return
        n = int(self.headers.get("Content-Length") or 0)
        try:
            level = json.loads(self.rfile.read(n) or b"{}")["compatibility"]
        except (ValueError, KeyError, TypeError):
            level = None
        if len(parts) != 2 or parts[0] != "config":
            return self.error(404, 404, "HTTP 404 Not Found")
        if level not in ("BACKWARD", "NONE"):
            return self.error(422, 42203, "Invalid compatibility level (the stand-in knows BACKWARD and NONE)")
        with s.lock:
            s.levels[parts[1]] = level
        self.reply(200, {"compatibility": level})

    def do_POST(self):
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        s = self.store
        with s.lock:
            s.requests += 1
        if not self.authorized():
            return
        text, canon = self.body_schema()
        if text is None:
            return
        with s.lock:
            if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
                subject = parts[1]
                versions = s.subjects.setdefault(subject, [])
                sid = s.ids.get(canon)
                if sid is not None and sid in versions:
                    return self.reply(200, {"id": sid})
                if versions and s.levels.get(subject, "BACKWARD") == "BACKWARD":
                    latest = versions[-1]
                    if s.types.get(latest, "AVRO") != self.schema_type:
                        problems = [{"errorType": "TYPE_MISMATCH", "description": "The new schema is %s, the "
                                     "latest %s" % (self.schema_type, s.types.get(latest, "AVRO"))}]
                    else:
                        problems = incompatibilities(text, s.texts[latest], self.schema_type)
                    if problems:
                        return self.error(409, 40901, "Schema being registered is incompatible with an earlier "
                                          "schema for subject \"%s\", details: %s" % (subject, json.dumps(problems)))
                if sid is None:
                    sid = len(s.texts) + 1
                    s.ids[canon] = sid
                    s.texts[sid] = text
                    s.types[sid] = self.schema_type
                versions.append(sid)
                return self.reply(200, {"id": sid})
            if len(parts) == 2 and parts[0] == "subjects":
                subject = parts[1]
                versions = s.subjects.get(subject)
                if not versions:
                    return self.error(404, 40401, "Subject '%s' not found." % subject)
                sid = s.ids.get(canon)
                if sid is None or sid not in versions:
                    return self.error(404, 40403, "Schema not found")
                return self.reply(200, self.typed({"subject": subject, "id": sid,
                                                   "version": versions.index(sid) + 1, "schema": s.texts[sid]}, sid))
            if len(parts) == 5 and parts[:2] == ["compatibility", "subjects"] and parts[3:] == ["versions", "latest"]:
                versions = s.subjects.get(parts[2])
                if not versions:
                    return self.reply(200, {"is_compatible": True})
                return self.reply(200, {"is_compatible": not incompatibilities(text, s.texts[versions[-1]],
                                                                               self.schema_type)})
        self.error(404, 404, "HTTP 404 Not Found")


def main():
    port = int(sys.argv[1])
    Handler.store = Store()
    if "--user" in sys.argv:
        Handler.user = sys.argv[sys.argv.index("--user") + 1]
    if "--forbid" in sys.argv:
        Handler.forbidden = sys.argv[sys.argv.index("--forbid") + 1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if "--tls" in sys.argv:
        i = sys.argv.index("--tls")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
