// The spool directory family's parts on their own: the CSV row parser
// (opencsv's rules), SimpleDateFormat patterns, the connect-utils schema JSON
// form, typed values from text, and the ByName task partitioner.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "connectors/spooldir/csv_parser.h"
#include "connectors/spooldir/schema_json.h"
#include "connectors/spooldir/spool_files.h"
#include "connectors/spooldir/value_parser.h"

using namespace connectrun;
using namespace connectrun::spooldir;

namespace {

// The fields of the row made of `lines`, nulls shown as <null>.
std::vector<std::string> row(const CsvOptions& o, const std::vector<std::string>& lines) {
  CsvParser p(o);
  bool done = false;
  for (auto& l : lines) done = p.feed(l);
  REQUIRE(done);
  std::vector<std::string> out;
  for (size_t i = 0; i < p.size(); ++i) out.push_back(p.fields()[i].null ? "<null>" : p.fields()[i].text);
  return out;
}

using Row = std::vector<std::string>;

}  // namespace

TEST_CASE("CSV rows follow opencsv's default parser: quotes and backslash escapes and multi-line fields", "[spooldir]") {
  CsvOptions o;
  CHECK(row(o, {"a,b,c"}) == Row{"a", "b", "c"});
  CHECK(row(o, {"1,\"Bo, b\",x"}) == Row{"1", "Bo, b", "x"});
  CHECK(row(o, {"\"say \\\"hi\\\"\",2"}) == Row{"say \"hi\"", "2"});       // \" inside quotes
  CHECK(row(o, {"\"a\"\"b\",2"}) == Row{"a\"b", "2"});                      // "" inside quotes
  CHECK(row(o, {"C:\\temp,2"}) == Row{"C:temp", "2"});                     // a lone escape is dropped (opencsv)
  CHECK(row(o, {"a, \"b\",c"}) == Row{"a", "b", "c"});                     // white space before a quote ignored
  CHECK(row(o, {"\"multi", "line\",z"}) == Row{"multi\nline", "z"});       // a quoted field spanning lines
  CHECK(row(o, {""}) == Row{""});
  CHECK(row(o, {"a,,\"\","}) == Row{"a", "", "", ""});
  CsvParser pending(o);
  CHECK_FALSE(pending.feed("1,\"open"));
  CHECK(pending.pending());
}

TEST_CASE("CSV null field indicator and separator and RFC 4180 parser", "[spooldir]") {
  CsvOptions o;
  o.null_field = NullFieldIndicator::EmptySeparators;
  CHECK(row(o, {"a,,\"\""}) == Row{"a", "<null>", ""});
  o.null_field = NullFieldIndicator::EmptyQuotes;
  CHECK(row(o, {"a,,\"\""}) == Row{"a", "", "<null>"});
  o.null_field = NullFieldIndicator::Both;
  CHECK(row(o, {"a,,\"\""}) == Row{"a", "<null>", "<null>"});
  CsvOptions tsv;
  tsv.separator = '\t';
  CHECK(row(tsv, {"a b\tc,d"}) == Row{"a b", "c,d"});
  CsvOptions rfc;
  rfc.rfc4180 = true;
  CHECK(row(rfc, {"C:\\temp,\"x\"\"y\", sp "}) == Row{"C:\\temp", "x\"y", " sp "});
  CsvOptions strict;
  strict.strict_quotes = true;
  CHECK(row(strict, {"\"a\"x,\"b\""}) == Row{"a", "b"});
}

TEST_CASE("SimpleDateFormat patterns: the defaults and zones and trailing text", "[spooldir]") {
  DateFormat iso("yyyy-MM-dd'T'HH:mm:ss");
  CHECK(iso.parse("2015-09-30T15:29:03", 0) == 1443626943000);
  CHECK(iso.parse("2015-09-30T15:29:03Z", 0) == 1443626943000);  // text after the pattern ignored, as Java
  CHECK(iso.parse("2015-09-30T15:29:03", 3600'000) == 1443626943000 - 3600'000);
  CHECK_FALSE(iso.parse("2015-13-30T15:29:03", 0));  // month 13: refused (Java's lenient default would roll over)
  CHECK_FALSE(iso.parse("yesterday", 0));
  DateFormat zoned("yyyy-MM-dd HH:mm:ss.SSSXXX");
  CHECK(zoned.parse("2020-02-29 00:00:00.250+01:00", 0) == 1582930800250);
  DateFormat us("MM/dd/yyyy hh:mm a");
  CHECK(us.parse("01/02/2024 01:30 PM", 0) == 1704202200000);
  CHECK_THROWS_WITH(DateFormat("EEE, d MMM"), Catch::Contains("pattern letter 'E'"));
}

TEST_CASE("schemas in connect-utils' JSON form: the upstream example reads and writes back", "[spooldir]") {
  const std::string json =
      R"({"name":"com.example.users.User","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false},)"
      R"("last_login":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},)"
      R"("account_balance":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true}}})";
  SchemaPtr s = parse_schema_json(json);
  REQUIRE(s->type == Type::Struct);
  REQUIRE(s->fields.size() == 3);
  CHECK(*s->name == "com.example.users.User");
  CHECK(s->fields[0].schema->type == Type::Int64);
  CHECK_FALSE(s->fields[0].schema->optional);
  CHECK(schemas::is_logical(*s->fields[1].schema, schemas::kTimestampName));
  CHECK(*s->fields[2].schema->parameter("scale") == "2");
  CHECK(schema_to_json(*s) == json);
  CHECK_THROWS_WITH(parse_schema_json(R"({"type":"INT"})"), Catch::Contains("unknown type 'INT'"));
  CHECK_THROWS_WITH(parse_schema_json(R"({"type":"STRING","optional":true})"), Catch::Contains("optional: unknown property"));
  CHECK_THROWS_WITH(parse_schema_json("{"), Catch::Contains("not valid JSON"));
}

TEST_CASE("typed values from text: each type and the values that do not fit", "[spooldir]") {
  ValueParser p({DateFormat("yyyy-MM-dd")}, 0);
  CHECK(p.parse_string(*schemas::int32(), "-42") == Value(int32_t{-42}));
  CHECK(p.parse_string(*schemas::int64(), "+7") == Value(int64_t{7}));
  CHECK_THROWS_WITH(p.parse_string(*schemas::int8(), "300"), Catch::Contains("cannot read '300' as int8: out of range"));
  CHECK_THROWS_WITH(p.parse_string(*schemas::int32(), "12a"), Catch::Contains("cannot read '12a' as int32"));
  CHECK_THROWS(p.parse_string(*schemas::int32(), ""));
  CHECK(p.parse_string(*schemas::float64(), " 1.5 ") == Value(1.5));
  CHECK(p.parse_string(*schemas::boolean(), "TRUE") == Value(true));
  CHECK_THROWS_WITH(p.parse_string(*schemas::boolean(), "yes"), Catch::Contains("expected true or false"));
  auto dec = schemas::decimal(2).build();
  CHECK(p.parse_string(*dec, "347.7") == Value(Decimal::from_string("347.70")));
  CHECK_THROWS_WITH(p.parse_string(*dec, "1.234"), Catch::Contains("more than 2 decimal places"));
  auto date = schemas::date().build();
  CHECK(p.parse_string(*date, "2024-01-02") == Value(Timestamp{1704153600000}));
  CHECK_THROWS_WITH(p.parse_string(*schemas::timestamp().build(), "02/01/2024"),
                    Catch::Contains("matches none of parser.timestamp.date.formats ('yyyy-MM-dd')"));
}

TEST_CASE("ByName task partitioner: each file to exactly one task", "[spooldir]") {
  for (const char* name : {"a.csv", "users-2024.csv", "ünïcode.json", "x"}) {
    int owners = 0;
    for (int i = 0; i < 3; ++i) owners += belongs_to_task(name, i, 3) ? 1 : 0;
    CHECK(owners == 1);
    CHECK(belongs_to_task(name, 0, 1));
  }
  // Adler-32 of "a.csv" as UTF-16LE is 0x0A4E01DC (Guava's hashUnencodedChars): even, so task 0 of 2.
  CHECK(belongs_to_task("a.csv", 0, 2));
}
