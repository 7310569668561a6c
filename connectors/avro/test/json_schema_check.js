// The outside implementation for the JsonSchemaConverter tests:
// @kafkajs/confluent-schema-registry, a client of the same REST API and wire
// format, which validates every payload against its JSON Schema with Ajv.
//   node json_schema_check.js decode REGISTRY_URL HEX                -> {"id": N, "kafkajs": VALUE}
//   node json_schema_check.js encode REGISTRY_URL SUBJECT SCHEMA VALUE_JSON -> HEX
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

async function main() {
  const [cmd, url, ...rest] = process.argv.slice(2);
  // strict: false — JSON Schema allows keywords a validator does not know (connect.index, connect.type, …);
  // Ajv's strict mode would refuse them.
  const registry = new SchemaRegistry({ host: url }, { [SchemaType.JSON]: { strict: false } });
  if (cmd === 'decode') {
    const buf = Buffer.from(rest[0], 'hex');
    const id = buf.readInt32BE(1);
    const value = await registry.decode(buf);
    process.stdout.write(JSON.stringify({ id, kafkajs: value }));
  } else if (cmd === 'encode') {
    const [subject, schema, value] = rest;
    const { id } = await registry.register({ type: SchemaType.JSON, schema }, { subject });
    const buf = await registry.encode(id, JSON.parse(value));
    process.stdout.write(buf.toString('hex'));
  } else {
    throw new Error('unknown command ' + cmd);
  }
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + (e && e.paths ? ' ' + JSON.stringify(e.paths) : '') + '\n');
  process.exit(1);
});
