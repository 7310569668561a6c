// Outside implementations for the Avro tests: @kafkajs/confluent-schema-registry
// (a client of the same REST API and wire format) and avsc (Avro in JavaScript).
//   node avro_check.js decode REGISTRY_URL HEX            -> {"kafkajs": VALUE, "avsc": VALUE, "id": N}
//   node avro_check.js encode REGISTRY_URL SUBJECT SCHEMA VALUE_JSON -> HEX
// Bytes print as {"$bytes": HEX}, longs beyond 2^53 are not used by the tests.
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const avsc = require('avsc');

function plain(v) {
  if (Buffer.isBuffer(v)) return { $bytes: v.toString('hex') };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = plain(v[k]);
    return out;
  }
  return v;
}

// JSON values back to what avsc expects: {"$bytes": HEX} as Buffers.
function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    if (Object.keys(v).length === 1 && typeof v.$bytes === 'string') return Buffer.from(v.$bytes, 'hex');
    const out = {};
    for (const k of Object.keys(v)) out[k] = revive(v[k]);
    return out;
  }
  return v;
}

async function main() {
  const [cmd, url, ...rest] = process.argv.slice(2);
  const registry = new SchemaRegistry({ host: url });
  if (cmd === 'decode') {
    const buf = Buffer.from(rest[0], 'hex');
    const id = buf.readInt32BE(1);
    const viaRegistry = await registry.decode(buf);
    // avsc on its own: the schema from the registry, the body after the 5-byte header.
    const schema = await registry.getSchema(id);
    const type = avsc.Type.forSchema(JSON.parse(JSON.stringify(schema)), { wrapUnions: false });
    const viaAvsc = type.fromBuffer(buf.subarray(5));
    process.stdout.write(JSON.stringify({ id, kafkajs: plain(viaRegistry), avsc: plain(viaAvsc) }));
  } else if (cmd === 'encode') {
    const [subject, schema, value] = rest;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
    const buf = await registry.encode(id, revive(JSON.parse(value)));
    process.stdout.write(buf.toString('hex'));
  } else {
    throw new Error('unknown command ' + cmd);
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
