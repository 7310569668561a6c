// Random strings matching a regular expression: the subset the
// kafka-connect-datagen quickstarts use (literals, character classes and
// ranges, negated classes, ., \d \w \s and escaped metacharacters, groups,
// alternation, and the quantifiers ? * + {n} {n,} {n,m}). Anything else
// (back-references, look-around, anchors inside the pattern, …) is refused
// with RegexError when the schema is read, not when a record is generated.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "connectors/datagen/random.h"

namespace connectrun::datagen {

class RegexError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RegexGenerator {
 public:
  // `max_unbounded`: how many repetitions * + and {n,} may add beyond their
  // minimum (Java's generator bounds the whole string by the length
  // annotation instead; see docs/connectors/datagen.md).
  RegexGenerator(std::string_view pattern, int max_unbounded);
  ~RegexGenerator();
  RegexGenerator(RegexGenerator&&) noexcept;
  RegexGenerator& operator=(RegexGenerator&&) noexcept;

  std::string generate(Rng& rng) const;

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

}  // namespace connectrun::datagen
