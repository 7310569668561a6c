#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <tuple>

#include "bus/in_process_bus.h"
#include "bus/partition_ends.h"
#include "engine/traffic_bus.h"

using namespace connectrun;
using namespace std::chrono_literals;

namespace {
std::vector<BusRecord> batch(const std::string& topic, int n) {
  std::vector<BusRecord> out;
  for (int i = 0; i < n; ++i) {
    BusRecord r;
    r.topic = topic;
    r.value = std::to_string(i);
    out.push_back(std::move(r));
  }
  return out;
}

// The size of each batch a consumer's polls return, until End.
std::vector<size_t> poll_sizes(BusConsumer& c) {
  std::vector<size_t> sizes;
  for (;;) {
    std::vector<BusRecord> got;
    if (c.poll(got, 1s) == ConsumeStatus::End) break;
    if (!got.empty()) sizes.push_back(got.size());
  }
  return sizes;
}
}  // namespace

TEST_CASE("a batch is delivered only when every subscribed sink committed it", "[bus]") {
  InProcessBus bus;
  auto a = bus.consumer("a", {{"t"}, ""});
  auto b = bus.consumer("b", {{}, "t|u"});
  auto p = bus.producer("src");
  std::atomic<int> delivered{0};
  p->send(batch("t", 3), [&](std::optional<std::string> err) {
    CHECK_FALSE(err);
    ++delivered;
  });
  std::vector<BusRecord> got;
  REQUIRE(a->poll(got, 100ms) == ConsumeStatus::Ok);
  REQUIRE(got.size() == 3);
  CHECK(got[2].offset == 2);
  a->commit();
  CHECK(delivered == 0);  // b has not flushed yet
  got.clear();
  REQUIRE(b->poll(got, 100ms) == ConsumeStatus::Ok);
  REQUIRE(got.size() == 3);
  CHECK(delivered == 0);
  b->commit();
  CHECK(delivered == 1);
}

TEST_CASE("a topic no sink reads delivers at once — only matching sinks see a topic", "[bus]") {
  InProcessBus bus;
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  bool delivered = false;
  p->send(batch("nobody", 2), [&](std::optional<std::string>) { delivered = true; });
  CHECK(delivered);
  std::vector<BusRecord> got;
  CHECK(a->poll(got, 10ms) == ConsumeStatus::Ok);
  CHECK(got.empty());
}

TEST_CASE("a batch mixing topics goes record by record to the sinks of each topic, offsets per topic", "[bus]") {
  InProcessBus bus;
  auto a = bus.consumer("a", {{"t"}, ""});
  auto b = bus.consumer("b", {{"t", "u"}, ""});
  auto p = bus.producer("src");
  auto records = batch("t", 2);
  for (auto& r : batch("u", 2)) records.push_back(std::move(r));
  records.push_back(batch("t", 1).front());
  bool delivered = false;
  p->send(std::move(records), [&](std::optional<std::string> err) {
    CHECK_FALSE(err);
    delivered = true;
  });
  std::vector<BusRecord> got;
  REQUIRE(a->poll(got, 100ms) == ConsumeStatus::Ok);
  REQUIRE(got.size() == 3);  // t, t, t
  CHECK(got[2].topic == "t");
  CHECK(got[2].offset == 2);
  std::vector<BusRecord> all;
  REQUIRE(b->poll(all, 100ms) == ConsumeStatus::Ok);
  REQUIRE(all.size() == 5);  // in order
  CHECK(all[2].topic == "u");
  CHECK(all[2].offset == 0);
  CHECK(all[3].offset == 1);
  CHECK(all[4].topic == "t");
  CHECK(all[4].offset == 2);
  a->commit();
  CHECK_FALSE(delivered);
  b->commit();
  CHECK(delivered);
}

TEST_CASE("consumers see End once every producer closed and the queue drained", "[bus]") {
  InProcessBus bus;
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  p->send(batch("t", 1), [](std::optional<std::string>) {});
  p->close();
  std::vector<BusRecord> got;
  CHECK(a->poll(got, 10ms) == ConsumeStatus::Ok);
  CHECK(got.size() == 1);
  got.clear();
  CHECK(a->poll(got, 10ms) == ConsumeStatus::End);
}

TEST_CASE("a full sink queue blocks the producer until the sink consumes", "[bus]") {
  InProcessBus bus(1);  // one byte: a queue holding anything is full
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  p->send(batch("t", 10), [](std::optional<std::string>) {});
  std::atomic<bool> second_sent{false};
  std::thread producer([&] {
    p->send(batch("t", 5), [](std::optional<std::string>) {});
    second_sent = true;
  });
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(second_sent);  // blocked: the queue holds its capacity
  std::vector<BusRecord> got;
  a->poll(got, 10ms);
  producer.join();
  CHECK(second_sent);
}

TEST_CASE("a sink takes at most its share of the bus per poll, and at least one batch", "[bus]") {
  InProcessBus bus(1);
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i) p->send(batch("t", 2), [](std::optional<std::string>) {});
    p->close();
  });
  const std::vector<size_t> sizes = poll_sizes(*a);
  producer.join();
  CHECK(sizes == std::vector<size_t>{2, 2, 2});
}

TEST_CASE("await_room waits until the sink's queue could take the producer's last batch again", "[bus]") {
  InProcessBus bus(1);  // one byte: a queue holding anything is full
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  CHECK(p->await_room(0ms));  // nothing sent yet: nothing to wait for
  p->send(batch("t", 10), [](std::optional<std::string>) {});
  CHECK_FALSE(p->await_room(50ms));  // the sink has not taken it
  std::atomic<bool> room{false};
  std::thread waiter([&] { room = p->await_room(5s); });
  std::vector<BusRecord> got;
  a->poll(got, 10ms);
  waiter.join();
  CHECK(got.size() == 10);
  CHECK(room);
  CHECK(p->await_room(0ms));
}

TEST_CASE("await_room does not wait for a sink that failed", "[bus]") {
  InProcessBus bus(1);
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  p->send(batch("t", 3), [](std::optional<std::string>) {});
  CHECK_FALSE(p->await_room(0ms));
  a->fail("broken");
  CHECK(p->await_room(0ms));
}

TEST_CASE("a poll joins small batches up to 500 records, and a large one comes whole while the bus has room", "[bus]") {
  InProcessBus bus;  // room for everything below
  auto a = bus.consumer("a", {{"t"}, ""});
  CHECK(a->hands_over_batches());
  auto p = bus.producer("src");
  for (int i = 0; i < 300; ++i) p->send(batch("t", 2), [](std::optional<std::string>) {});  // 600 records
  p->send(batch("t", 2000), [](std::optional<std::string>) {});
  p->close();
  const std::vector<size_t> sizes = poll_sizes(*a);
  // 250 batches of 2 make 500; the other 50 come together; the large batch comes alone, whole.
  CHECK(sizes == std::vector<size_t>{500, 100, 2000});
}

TEST_CASE("with more sinks than the bus budget gives a full share, a large batch comes 500 records at a time", "[bus]") {
  InProcessBus bus(1u << 20, 2u << 20);  // one sink's share (1 MiB) already below the most a sink may have
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  p->send(batch("t", 2000), [](std::optional<std::string>) {});
  p->close();
  CHECK(poll_sizes(*a) == std::vector<size_t>{500, 500, 500, 500});
}

TEST_CASE("a batch handed over in parts is delivered once every part is committed, in order", "[bus]") {
  InProcessBus bus(1u << 20, 2u << 20);  // tight: large batches come in parts
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  std::atomic<int> delivered{0};
  p->send(batch("t", 1200), [&](std::optional<std::string> e) {
    if (!e) ++delivered;
  });
  std::vector<BusRecord> got;
  for (int part = 0; part < 2; ++part) {
    got.clear();
    a->poll(got, 1s);
    REQUIRE(got.size() == 500);
    CHECK(got.front().value == std::to_string(part * 500));  // in order, nothing skipped
    a->commit();
    CHECK(delivered == 0);  // parts of it are still to come
  }
  got.clear();
  a->poll(got, 1s);
  REQUIRE(got.size() == 200);
  CHECK(got.front().value == "1000");
  CHECK(got.back().value == "1199");
  CHECK(delivered == 0);  // polled, not committed
  a->commit();
  CHECK(delivered == 1);
}

TEST_CASE("a batch handed over in parts waits for every partition of every part, whatever pre_commit holds back", "[bus][precommit]") {
  InProcessBus bus(1u << 20, 2u << 20);  // tight: large batches come in parts
  auto a = bus.consumer("a", {{"x", "y"}, ""});
  auto p = bus.producer("src");
  // 600 records of x, then 600 of y: the parts are [x 0-499], [x 500-599, y 0-399], [y 400-599].
  std::vector<BusRecord> records = batch("x", 600);
  for (auto& r : batch("y", 600)) records.push_back(std::move(r));
  std::optional<std::optional<std::string>> result;
  p->send(std::move(records), [&](std::optional<std::string> e) { result = std::move(e); });
  std::vector<BusRecord> got;
  for (int part = 0; part < 3; ++part) {
    std::vector<BusRecord> one;
    a->poll(one, 1s);
    REQUIRE(one.size() == (part < 2 ? 500u : 200u));
    std::move(one.begin(), one.end(), std::back_inserter(got));
  }
  CHECK(got.back().topic == "y");
  CHECK(got.back().offset == 599);
  // A sink whose pre_commit holds x back commits y alone: the last part is all y, yet the batch
  // is not delivered, since x's records of the earlier parts are not committed.
  a->commit(TopicPartitionOffsets{{TopicPartition{"y", 0}, 600}});
  CHECK_FALSE(result);
  a->commit(TopicPartitionOffsets{{TopicPartition{"x", 0}, 599}});  // one record of x short
  CHECK_FALSE(result);
  a->commit(TopicPartitionOffsets{{TopicPartition{"x", 0}, 600}});
  REQUIRE(result);
  CHECK_FALSE(*result);
  p->close();
}

TEST_CASE("a sink stopped between the parts of a batch fails its delivery as not committed", "[bus]") {
  InProcessBus bus(1u << 20, 2u << 20);  // tight: large batches come in parts
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  std::optional<std::optional<std::string>> result;
  int calls = 0;
  p->send(batch("t", 1200), [&](std::optional<std::string> e) {
    result = std::move(e);
    ++calls;
  });
  std::vector<BusRecord> got;
  a->poll(got, 1s);
  REQUIRE(got.size() == 500);
  a->commit();
  a->abandon_uncommitted();  // the rest of the batch was never polled, let alone committed
  REQUIRE(result);
  REQUIRE(*result);
  CHECK(is_not_committed(**result));
  // The rest still comes to a later poll, and committing it delivers nothing twice.
  got.clear();
  a->poll(got, 1s);
  CHECK(got.size() == 500);
  a->commit();
  got.clear();
  a->poll(got, 1s);
  CHECK(got.size() == 200);
  a->commit();
  CHECK(calls == 1);
  p->close();
}

TEST_CASE("a sink that fails while a batch is handed over in parts fails its delivery", "[bus]") {
  InProcessBus bus(1u << 20, 2u << 20);  // tight: large batches come in parts
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  std::optional<std::string> error;
  std::atomic<bool> called{false};
  p->send(batch("t", 1200), [&](std::optional<std::string> e) {
    error = std::move(e);
    called = true;
  });
  std::vector<BusRecord> got;
  a->poll(got, 1s);
  a->commit();  // the first part committed: not enough
  CHECK_FALSE(called);
  a->fail("broken");
  REQUIRE(called);
  REQUIRE(error);
  CHECK(error->find("broken") != std::string::npos);
}

TEST_CASE("a failed sink fails the deliveries routed to it", "[bus]") {
  InProcessBus bus;
  auto a = bus.consumer("a", {{"t"}, ""});
  auto p = bus.producer("src");
  std::optional<std::string> error;
  p->send(batch("t", 2), [&](std::optional<std::string> e) { error = e; });
  a->fail("disk full");
  REQUIRE(error);
  CHECK(error->find("disk full") != std::string::npos);
  std::optional<std::string> later;
  p->send(batch("t", 1), [&](std::optional<std::string> e) { later = e; });
  REQUIRE(later);
  CHECK(later->find("sink connector 'a' failed: disk full") != std::string::npos);
}

namespace {
// `ends` sorted, to compare as sets.
PartitionEnds sorted(PartitionEnds ends) {
  std::sort(ends.begin(), ends.end(), [](auto& x, auto& y) {
    return std::tie(x.first.topic, x.first.partition, x.second) <
           std::tie(y.first.topic, y.first.partition, y.second);
  });
  return ends;
}
}  // namespace

TEST_CASE("a consumer's polled ends are those of the records it handed over, however the batches came", "[bus]") {
  // Tight: a batch over 500 records is handed over in parts.
  InProcessBus bus(1u << 20, 2u << 20);
  auto all = bus.consumer("all", {{"t", "u"}, ""});
  auto only_t = bus.consumer("only-t", {{"t"}, ""});
  auto done = [](std::optional<std::string>) {};
  // Records of t round robin over its 3 partitions, some keyed; then a batch mixing t and u,
  // which the two sinks see differently; then one of 1,200 records over 3 partitions.
  auto records = batch("t", 7);
  for (int i = 0; i < 3; ++i) records[static_cast<size_t>(i)].key = "k" + std::to_string(i);
  bus.send(std::move(records), done, 3);
  auto mixed = batch("t", 2);
  for (auto& r : batch("u", 3)) mixed.push_back(std::move(r));
  mixed.push_back(batch("t", 1).front());
  mixed[1].partition = 2;
  bus.send(std::move(mixed), done, 3);
  bus.send(batch("t", 1200), done, 3);
  bus.send(batch("u", 4), done, 3);  // no producer is open: the consumers end once drained
  for (auto* c : {all.get(), only_t.get()}) {
    size_t polls = 0, records_seen = 0;
    for (;;) {
      std::vector<BusRecord> got;
      if (c->poll(got, 1s) == ConsumeStatus::End) break;
      if (got.empty()) continue;
      ++polls;
      records_seen += got.size();
      const PartitionEnds* ends = c->polled_ends();
      REQUIRE(ends != nullptr);
      CHECK(sorted(*ends) == sorted(partition_ends(got)));
      c->commit();
    }
    CHECK(records_seen == (c == all.get() ? 7u + 6 + 1200 + 4 : 7u + 3 + 1200));
    CHECK(polls >= 3);  // the large batch came in parts
  }
}

TEST_CASE("a connector's active topics are every topic its records went to or came from, runs of one or not",
          "[bus][traffic]") {
  InProcessBus bus;
  TrafficBus traffic(bus);
  auto snk = traffic.consumer("snk", {{"a", "b", "c"}, ""});
  auto src = traffic.producer("src");
  // a, b, a: a topic seen again after another; c alone in its batch.
  auto records = batch("a", 2);
  records.push_back(batch("b", 1).front());
  records.push_back(batch("a", 1).front());
  src->send(std::move(records), [](std::optional<std::string>) {});
  src->send(batch("c", 3), [](std::optional<std::string>) {});
  CHECK(traffic.traffic("src")->topics() == std::vector<std::string>{"a", "b", "c"});
  std::vector<BusRecord> got;
  while (got.size() < 7) REQUIRE(snk->poll(got, 1s) == ConsumeStatus::Ok);
  CHECK(traffic.traffic("snk")->topics() == std::vector<std::string>{"a", "b", "c"});
  CHECK(traffic.traffic("snk")->bytes == 7);  // a value of one byte each ("0", "1", …)
}
