// The generator tree behind AvroGenerator: one node per Avro schema, drawing
// a Connect value for it. Internal to the datagen family.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/datagen/random.h"
#include "connectors/datagen/regex_generator.h"
#include "data/value.h"

namespace connectrun::datagen {

struct GenNode {
  virtual ~GenNode() = default;
  virtual Value generate(Rng& rng) = 0;
};
using GenPtr = std::unique_ptr<GenNode>;

// avro-random-generator's "iteration": start, restart, step, initial, and
// the generation it was resumed at. Integral values (int, long, and strings
// made of them) step exactly; float and double step in double arithmetic.
struct IntegralIteration {
  __extension__ using i128 = __int128;
  i128 start = 0, restart = 0, step = 1, current = 0;
  IntegralIteration(int64_t start_, int64_t restart_, int64_t step_, int64_t initial, int64_t generation);
  int64_t next();
};
struct DecimalIteration {
  double start = 0, modulo = 0, step = 1, current = 0;
  DecimalIteration(double start_, double restart_, double step_, double initial, int64_t generation);
  double next();
};

// Draws shared between schemas that are equal (same type and annotations):
// the Java generator caches iterators by schema, so two fields declared
// alike step one iterator in turn (the inventory quickstart's id, quantity
// and productid count 0, 1, 2, 3, …). Kept so the sequences match.
struct GenShared {
  std::map<std::string, std::shared_ptr<IntegralIteration>> integral;
  std::map<std::string, std::shared_ptr<DecimalIteration>> decimal;
  std::map<std::string, std::shared_ptr<bool>> boolean;
};

// Length bounds [min, max) (avro-random-generator's LengthBounds; default 8..16).
struct LengthBounds {
  int min = 8, max = 16;
  int draw(Rng& rng) const { return min + static_cast<int>(rng.below(static_cast<uint64_t>(max - min))); }
};


struct ConstNode : GenNode {
  Value v;
  explicit ConstNode(Value value) : v(std::move(value)) {}
  Value generate(Rng&) override { return v; }
};

struct OptionsNode : GenNode {
  std::vector<Value> options;
  Value generate(Rng& rng) override { return options[rng.below(options.size())]; }
};

struct IntegralIterNode : GenNode {
  std::shared_ptr<IntegralIteration> it;
  Type type = Type::Int64;
  std::string prefix, suffix;
  bool as_string = false;
  Value generate(Rng&) override {
    const int64_t v = it->next();
    if (as_string) return Value(prefix + std::to_string(static_cast<int32_t>(v)) + suffix);
    if (type == Type::Int32) return Value(static_cast<int32_t>(v));
    return Value(v);
  }
};

struct DecimalIterNode : GenNode {
  std::shared_ptr<DecimalIteration> it;
  bool is_float = false;
  Value generate(Rng&) override {
    const double v = it->next();
    return is_float ? Value(static_cast<float>(v)) : Value(v);
  }
};

struct BoolIterNode : GenNode {
  std::shared_ptr<bool> current;
  Value generate(Rng&) override {
    const bool v = *current;
    *current = !v;
    return Value(v);
  }
};

struct IntNode : GenNode {
  bool ranged = false;
  int64_t min = 0, max = 0;
  bool is_long = false;
  Value generate(Rng& rng) override {
    if (!ranged) return is_long ? Value(static_cast<int64_t>(rng.next_u64())) : Value(static_cast<int32_t>(rng.next_u64() >> 32));
    // Java: min + (long)(nextDouble() * (max - min)): [min, max), max exclusive.
    // In unsigned arithmetic: a span wider than int64 (no min given) must not overflow.
    const double span = static_cast<double>(max) - static_cast<double>(min);
    const double offset = std::min(rng.next_double() * span, 0x1.fffffffffffffp+63);
    int64_t v = static_cast<int64_t>(static_cast<uint64_t>(min) + static_cast<uint64_t>(offset));
    if (v >= max || v < min) v = max - 1;  // rounding of very wide spans
    return is_long ? Value(v) : Value(static_cast<int32_t>(v));
  }
};

struct RealNode : GenNode {
  bool ranged = false;
  double min = 0, max = 1;
  bool is_float = false;
  Value generate(Rng& rng) override {
    if (is_float) {
      const float u = rng.next_float();
      return Value(ranged ? static_cast<float>(min) + u * (static_cast<float>(max) - static_cast<float>(min)) : u);
    }
    const double u = rng.next_double();
    return Value(ranged ? min + u * (max - min) : u);
  }
};

struct BoolNode : GenNode {
  std::optional<double> odds;
  Value generate(Rng& rng) override { return Value(odds ? rng.next_double() < *odds : rng.next_bool()); }
};

struct StringNode : GenNode {
  std::optional<RegexGenerator> regex;
  LengthBounds length;
  std::string prefix, suffix;
  Value generate(Rng& rng) override {
    std::string s = prefix;
    if (regex) {
      s += regex->generate(rng);
    } else {
      // Java: bytes drawn from [0, 128): any ASCII character, controls included.
      const int n = length.draw(rng);
      for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng.below(128)));
    }
    s += suffix;
    return Value(std::move(s));
  }
};

struct BytesNode : GenNode {
  LengthBounds length;
  int fixed = -1;  // a fixed type's size
  Value generate(Rng& rng) override {
    const int n = fixed >= 0 ? fixed : length.draw(rng);
    Bytes b;
    b.data.resize(static_cast<size_t>(n));
    for (auto& c : b.data) c = static_cast<char>(rng.below(256));
    return Value(std::move(b));
  }
};

// A decimal of `precision` random digits and a random sign, as the Java
// generator draws them (its range annotation is not read for decimals either).
struct DecimalNode : GenNode {
  int precision = 1, scale = 0;
  Value generate(Rng& rng) override {
    std::string digits;
    for (int i = 0; i < precision; ++i) digits.push_back(static_cast<char>('0' + rng.below(10)));
    std::string text = rng.next_bool() ? "-" : "";
    if (scale <= 0) {
      text += digits;
    } else if (scale >= precision) {
      text += "0." + std::string(static_cast<size_t>(scale - precision), '0') + digits;
    } else {
      text += digits.substr(0, static_cast<size_t>(precision - scale)) + "." +
              digits.substr(static_cast<size_t>(precision - scale));
    }
    Decimal d = Decimal::from_string(text);
    d.scale = scale;
    return Value(std::move(d));
  }
};

struct EnumNode : GenNode {
  std::vector<std::string> symbols;
  Value generate(Rng& rng) override { return Value(symbols[rng.below(symbols.size())]); }
};

struct RecordNode : GenNode {
  SchemaPtr schema;
  std::vector<GenPtr> fields;
  Value generate(Rng& rng) override {
    auto s = StructValue::make(schema);
    for (size_t i = 0; i < fields.size(); ++i) s->values[i] = fields[i]->generate(rng);
    return Value(std::move(s));
  }
};

struct ArrayNode : GenNode {
  LengthBounds length;
  GenPtr items;
  Value generate(Rng& rng) override {
    const int n = length.draw(rng);
    Array a;
    a.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) a.push_back(items->generate(rng));
    return Value(std::move(a));
  }
};

struct MapNode : GenNode {
  LengthBounds length;
  GenPtr keys;  // null: one random ASCII character, as the Java generator's default
  GenPtr values;
  Value generate(Rng& rng) override {
    const int n = length.draw(rng);
    MapEntries m;
    for (int i = 0; i < n; ++i) {
      Value k = keys ? keys->generate(rng) : Value(std::string(1, static_cast<char>(rng.below(128))));
      Value v = values->generate(rng);
      // A map keeps one value per key (Java's HashMap): a repeated key replaces its value.
      bool replaced = false;
      for (auto& [ek, ev] : m)
        if (ek == k) {
          ev = std::move(v);
          replaced = true;
          break;
        }
      if (!replaced) m.emplace_back(std::move(k), std::move(v));
    }
    return Value(std::move(m));
  }
};

struct UnionNode : GenNode {
  std::vector<GenPtr> branches;  // null for the null branch
  Value generate(Rng& rng) override {
    GenPtr& b = branches[rng.below(branches.size())];
    return b ? b->generate(rng) : Value();
  }
};

}  // namespace connectrun::datagen
