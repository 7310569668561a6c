#!/usr/bin/python3
"""Apache Avro's own Python implementation (Debian's python3-avro 1.11) for the Avro tests.

  avro_check.py decode SCHEMA_JSON HEX   -> the datum as JSON (bytes as {"$bytes": HEX})
  avro_check.py encode SCHEMA_JSON VALUE_JSON -> HEX of the Avro body ({"$bytes": HEX} for bytes)

The schema is parsed by Avro's parser, which also checks it (names, defaults).
"""
import io
import json
import sys

import avro.io
import avro.schema


def plain(v):
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if hasattr(v, "isoformat") or type(v).__name__ == "Decimal":
        return str(v)
    return v


def revive(v):
    if isinstance(v, dict):
        if list(v.keys()) == ["$bytes"]:
            return bytes.fromhex(v["$bytes"])
        return {k: revive(x) for k, x in v.items()}
    if isinstance(v, list):
        return [revive(x) for x in v]
    return v


def main():
    cmd, schema_text, arg = sys.argv[1:4]
    schema = avro.schema.parse(schema_text)
    if cmd == "decode":
        reader = avro.io.DatumReader(schema)
        buf = io.BytesIO(bytes.fromhex(arg))
        datum = reader.read(avro.io.BinaryDecoder(buf))
        if buf.read():
            raise SystemExit("bytes left after the datum")
        print(json.dumps(plain(datum)))
    elif cmd == "encode":
        out = io.BytesIO()
        avro.io.DatumWriter(schema).write(revive(json.loads(arg)), avro.io.BinaryEncoder(out))
        print(out.getvalue().hex())
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
