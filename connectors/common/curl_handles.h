// libcurl handles owned the RAII way, for the families that speak HTTP (http,
// s3). Header-only: connectrun_connector_common itself does not link libcurl;
// a family that includes this names libcurl in its PACKAGES.
#pragma once

#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <curl/curl.h>

namespace connectrun {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlHeaders = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// A list of request headers ("Name: value"), owned; nothing leaks when an append fails.
inline CurlHeaders make_curl_headers(const std::vector<std::string>& lines) {
  CurlHeaders list;
  for (auto& l : lines) {
    curl_slist* head = curl_slist_append(list.get(), l.c_str());  // the list's head, or null when out of memory
    if (!head) throw std::bad_alloc();
    if (!list) list.reset(head);
  }
  return list;
}

// curl_global_init, once per process before the first handle (thread-safe
// since libcurl 7.84, but still done once rather than left to curl_easy_init).
inline void curl_global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace connectrun
