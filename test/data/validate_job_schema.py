#!/usr/bin/python3
# Validates YAML job files against `connectrun schema` output with an outside
# validator (Debian's python3-jsonschema, Draft 2020-12), as an editor would.
# Usage: validate_job_schema.py SCHEMA.json JOB.yaml...
# Prints one line per job: "valid PATH" or "invalid PATH: AT: MESSAGE" (one
# such line per error); exits 0 when every job is valid, 1 otherwise, 2 when
# the schema itself is not a valid 2020-12 schema.
import json
import re
import sys

import jsonschema
import yaml


# YAML 1.2's core schema, as yaml-language-server reads files: only true/false
# are booleans (not yes/no/on/off) and dates stay text, as connectrun's
# yaml-cpp loader takes every scalar as written.
class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                             list("tTfF"))


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"bad schema: {e.message}")
        return 2
    validator = jsonschema.Draft202012Validator(schema)
    ok = True
    for path in sys.argv[2:]:
        with open(path) as f:
            job = yaml.load(f, Loader=Loader)
        errors = list(validator.iter_errors(job))
        if not errors:
            print(f"valid {path}")
            continue
        ok = False
        for e in errors:
            at = "/".join(str(p) for p in e.absolute_path) or "(top)"
            # The deepest cause of an anyOf/allOf failure says which key is wrong.
            causes = sorted(e.context, key=lambda c: len(c.absolute_path), reverse=True) if e.context else []
            detail = f" ({causes[0].message} at {'/'.join(str(p) for p in causes[0].absolute_path)})" if causes else ""
            print(f"invalid {path}: {at}: {e.message}{detail}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
