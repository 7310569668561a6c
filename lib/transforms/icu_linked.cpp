// make_icu_date_format where ICU is linked in (connectrun_tests, the fuzz
// targets); the connectrun binary loads it from its module
// (connectors/core_modules.cpp).
#include "transforms/icu_date_format.h"

namespace connectrun::transforms {

std::unique_ptr<IcuDateFormat> make_icu_date_format(std::string_view pattern) { return new_icu_date_format(pattern); }

}  // namespace connectrun::transforms
