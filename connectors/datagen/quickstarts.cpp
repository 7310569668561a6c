#include "connectors/datagen/quickstarts.h"


namespace connectrun::datagen {

namespace {

struct Embedded {
  std::string_view file;
  std::string_view text;
};

constexpr Embedded kSchemas[] = {
#include "quickstart_schemas.inc"
};

// kafka-connect-datagen's Quickstart enum, in its order: name, its schema file
// there, connectrun's schema file (empty: not built in), key field.
struct Entry {
  std::string_view name, java_file, file, key_field;
};
constexpr Entry kTable[] = {
    {"clickstream_codes", "clickstream_codes_schema.avro", "", "code"},
    {"clickstream", "clickstream_schema.avro", "clickstream.avsc", "ip"},
    {"clickstream_users", "clickstream_users_schema.avro", "", "user_id"},
    {"orders", "orders_schema.avro", "orders.avsc", "orderid"},
    {"ratings", "ratings_schema.avro", "ratings.avsc", "rating_id"},
    {"users", "users_schema.avro", "users.avsc", "userid"},
    {"users_", "users_array_map_schema.avro", "users_.avsc", "userid"},
    {"pageviews", "pageviews_schema.avro", "pageviews.avsc", "viewtime"},
    {"stock_trades", "stock_trades_schema.avro", "stock_trades.avsc", "symbol"},
    {"inventory", "inventory.avro", "inventory.avsc", "id"},
    {"product", "product.avro", "product.avsc", "id"},
    {"purchases", "purchase.avro", "purchases.avsc", "id"},
    {"transactions", "transactions.avro", "transactions.avsc", "transaction_id"},
    {"stores", "stores.avro", "stores.avsc", "store_id"},
    {"credit_cards", "credit_cards.avro", "", "card_id"},
    {"campaign_finance", "campaign_finance.avro", "", "candidate_id"},
    {"fleet_mgmt_description", "fleet_mgmt_description.avro", "", "vehicle_id"},
    {"fleet_mgmt_location", "fleet_mgmt_location.avro", "", "vehicle_id"},
    {"fleet_mgmt_sensors", "fleet_mgmt_sensors.avro", "", "vehicle_id"},
    {"pizza_orders", "pizza_orders.avro", "", "store_id"},
    {"pizza_orders_completed", "pizza_orders_completed.avro", "", "store_id"},
    {"pizza_orders_cancelled", "pizza_orders_cancelled.avro", "", "store_id"},
    {"insurance_offers", "insurance_offers.avro", "", "offer_id"},
    {"insurance_customers", "insurance_customers.avro", "", "customer_id"},
    {"insurance_customer_activity", "insurance_customer_activity.avro", "", "activity_id"},
    {"gaming_games", "gaming_games.avro", "", "id"},
    {"gaming_players", "gaming_players.avro", "", "player_id"},
    {"gaming_player_activity", "gaming_player_activity.avro", "", "player_id"},
    {"payroll_employee", "payroll_employee.avro", "", "employee_id"},
    {"payroll_employee_location", "payroll_employee_location.avro", "", "employee_id"},
    {"payroll_bonus", "payroll_bonus.avro", "", "employee_id"},
    {"syslog_logs", "syslog_logs.avro", "", "host"},
    {"device_information", "device_information.avro", "", "device_ip"},
    {"siem_logs", "siem_logs.avro", "", "hostname"},
    {"shoes", "shoes.avro", "", "id"},
    {"shoe_customers", "shoe_customers.avro", "", "id"},
    {"shoe_orders", "shoe_orders.avro", "", "order_id"},
    {"shoe_clickstream", "shoe_clickstream.avro", "", "product_id"},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view embedded_schema(std::string_view file) {
  for (const auto& t : kTable)
    if (t.java_file == file && !t.file.empty()) file = t.file;
  for (const auto& e : kSchemas)
    if (e.file == file) return e.text;
  return {};
}

const std::vector<Quickstart>& quickstarts() {
  static const std::vector<Quickstart> list = [] {
    std::vector<Quickstart> v;
    for (const auto& t : kTable)
      if (!t.file.empty()) v.push_back({t.name, t.java_file, t.key_field, embedded_schema(t.file)});
    return v;
  }();
  return list;
}

const Quickstart* find_quickstart(std::string_view name) {
  for (const auto& q : quickstarts())
    if (iequals(q.name, name)) return &q;
  return nullptr;
}

bool is_java_quickstart(std::string_view name) {
  for (const auto& t : kTable)
    if (iequals(t.name, name)) return true;
  return false;
}

std::string quickstart_names() {
  std::string s;
  for (const auto& q : quickstarts()) {
    if (!s.empty()) s += ", ";
    s += q.name;
  }
  return s;
}

}  // namespace connectrun::datagen
