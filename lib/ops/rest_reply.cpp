#include "ops/rest_reply.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace connectrun::rest {

namespace {
// One value of a configuration map as text, or nullopt for an object, array or null.
std::optional<std::string> text_of(simdjson::dom::element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: return std::string(v.get_string().value());
    case simdjson::dom::element_type::BOOL: return v.get_bool().value() ? "true" : "false";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return simdjson::minify(v);
    default: return std::nullopt;
  }
}

std::variant<std::vector<std::pair<std::string, std::string>>, std::string> pairs_of(simdjson::dom::element e,
                                                                                     const char* what) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return fmt::format("{} must be a JSON object of strings", what);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [k, v] : obj) {
    auto text = text_of(v);
    if (!text) return fmt::format("{}: the value of '{}' must be a string", what, std::string(k));
    out.emplace_back(std::string(k), std::move(*text));
  }
  return out;
}
}  // namespace

std::variant<std::vector<std::pair<std::string, std::string>>, std::string> string_map(std::string_view body,
                                                                                         const char* what) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(simdjson::padded_string(body)).get(doc))
    return fmt::format("the request body is not JSON: {}", simdjson::error_message(err));
  return pairs_of(doc, what);
}

std::variant<CreateRequest, std::string> create_request(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(simdjson::padded_string(body)).get(doc))
    return fmt::format("the request body is not JSON: {}", simdjson::error_message(err));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return std::string("the request body must be a JSON object {\"name\":…,\"config\":{…}}");
  CreateRequest out;
  for (auto [k, v] : obj) {
    if (k == "name") {
      std::string_view s;
      if (!v.is_null() && v.get_string().get(s)) return std::string("'name' must be a string");
      out.name = std::string(s);
    } else if (k == "config") {
      auto pairs = pairs_of(v, "'config'");
      if (auto* err = std::get_if<std::string>(&pairs)) return *err;
      out.config = std::move(std::get<0>(pairs));
    } else if (k == "initial_state") {
      std::string_view s;
      if (!v.is_null() && v.get_string().get(s)) return std::string("'initial_state' must be a string");
      out.initial_state = std::string(s);
      for (auto& c : out.initial_state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!out.initial_state.empty() && out.initial_state != "RUNNING" && out.initial_state != "PAUSED" &&
          out.initial_state != "STOPPED")
        return fmt::format("'initial_state' must be RUNNING, PAUSED or STOPPED, not '{}'", s);
    } else {
      return fmt::format("unknown field '{}' (a CreateConnectorRequest has name, config and initial_state)",
                         std::string(k));
    }
  }
  return out;
}

}  // namespace connectrun::rest
