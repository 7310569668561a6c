#!/usr/bin/python3
"""Reads an Avro object container file with Apache Avro's own Python implementation (Debian's python3-avro 1.11),
for the S3 AvroFormat tests: prints the file's avro.codec, its schema (compact JSON, keys sorted), then each record
as compact JSON with sorted keys (bytes as {"$bytes": HEX}).

  avro_file_check.py FILE
"""
import json
import os
import sys

import avro.datafile
import avro.io

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "avro", "test"))
from avro_check import plain  # noqa: E402  (bytes, dates and decimals printed as the Avro tests print them)


with open(sys.argv[1], "rb") as f:
    reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    print(reader.get_meta("avro.codec").decode())
    print(json.dumps(json.loads(reader.get_meta("avro.schema").decode()), separators=(",", ":"), sort_keys=True))
    for record in reader:
        print(json.dumps(plain(record), separators=(",", ":"), sort_keys=True))
