#include "transforms/filter.h"

#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

void register_filter(PluginRegistry& registry) {
  add_transform(registry, "Filter", "Drops records (use with a predicate)",
                "Drops all records, filtering them from subsequent transformations in the chain. This is intended to "
                "be used conditionally to filter out records matching (or not matching) a particular Predicate.",
                config::ConfigSpec{}, [] { return std::make_unique<Filter>(); });
}

}  // namespace connectrun::transforms
