// Which connector family registered each built-in plugin (connectors/<family>),
// for `connectrun plugins --json`. Kept apart from connectors.h so that the
// many files including that one do not depend on it.
#pragma once

#include <string>
#include <string_view>

namespace connectrun {

// The family of the built-in plugin named `name` ("file", "jdbc", …), "core"
// for lib/'s converters, transforms and predicates, "" for an unknown name.
std::string plugin_family(std::string_view name);

}  // namespace connectrun
