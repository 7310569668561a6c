// Kafka's built-in single message transforms and predicates.
#pragma once

#include "plugin/registry.h"

namespace connectrun {

// Registers every built-in transform and predicate, by short name with Kafka's class names as aliases.
void register_transforms(PluginRegistry& registry);

namespace transforms {
void register_cast(PluginRegistry& registry);
void register_drop_headers(PluginRegistry& registry);
void register_extract_field(PluginRegistry& registry);
void register_filter(PluginRegistry& registry);
void register_flatten(PluginRegistry& registry);
void register_header_from(PluginRegistry& registry);
void register_hoist_field(PluginRegistry& registry);
void register_insert_field(PluginRegistry& registry);
void register_insert_header(PluginRegistry& registry);
void register_mask_field(PluginRegistry& registry);
void register_regex_router(PluginRegistry& registry);
void register_replace_field(PluginRegistry& registry);
void register_set_schema_metadata(PluginRegistry& registry);
void register_timestamp_converter(PluginRegistry& registry);
void register_timestamp_router(PluginRegistry& registry);
void register_value_to_key(PluginRegistry& registry);
void register_predicates(PluginRegistry& registry);
}  // namespace transforms

}  // namespace connectrun
