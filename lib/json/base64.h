// Base64 (RFC 4648 standard alphabet, with padding), as java.util.Base64 and
// Jackson write it for bytes and BASE64 decimals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace connectrun::base64 {

void encode(std::string& out, std::string_view bytes);  // appends
std::string encode(std::string_view bytes);
// nullopt for anything but canonical padded base64 (wrong length, bad
// characters, misplaced '=').
std::optional<std::string> decode(std::string_view text);

}  // namespace connectrun::base64
