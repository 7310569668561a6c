#include "transforms/transforms.h"

#include "transforms/extract_new_record_state.h"

namespace connectrun {

void register_transforms(PluginRegistry& registry) {
  using namespace transforms;
  register_cast(registry);
  register_drop_headers(registry);
  register_extract_field(registry);
  register_extract_new_record_state(registry);
  register_filter(registry);
  register_flatten(registry);
  register_header_from(registry);
  register_hoist_field(registry);
  register_insert_field(registry);
  register_insert_header(registry);
  register_mask_field(registry);
  register_regex_router(registry);
  register_replace_field(registry);
  register_set_schema_metadata(registry);
  register_timestamp_converter(registry);
  register_timestamp_router(registry);
  register_value_to_key(registry);
  register_predicates(registry);
}

}  // namespace connectrun
