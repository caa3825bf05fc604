// The head item: the latest committed Change, its sequence number and the event ids it took. Replacing it
// conditionally is how a Change commits (dynamodb_store.hpp); the records are then written from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/dynamodb/dynamodb_table.hpp"
#include "store/store.hpp"

namespace lunora::store::dynamodb {

struct Head {
  int64_t seq = 0;
  int64_t first_event_id = 1;
  bool applied = false;  // every record and event of this Change is written
  std::string writer;    // a random token per commit attempt
  // The last writers' tokens, newest last: a writer whose put was retried by the client can tell it landed.
  std::vector<std::string> recent_writers;
  // The Change as it is stored: versions already bumped, event ids assigned.
  std::vector<ChannelRecord> put_channels;
  std::vector<DestinationRecord> put_destinations;
  std::vector<std::string> delete_channels;
  std::vector<std::string> delete_destinations;
  std::vector<EventRecord> events;

  // first_event_id - 1 when the Change has no events.
  int64_t last_event_id() const { return first_event_id + static_cast<int64_t>(events.size()) - 1; }
};

ItemKey head_key();
Item head_item(const Head& head);
Result<Head> head_from(const Item& item);

// Appends `writer`, keeping the newest few.
void remember_writer(std::vector<std::string>& writers, const std::string& writer);

}  // namespace lunora::store::dynamodb
