// The live event stream (GET /api/v1/events): what a committed change announces reaches SSE subscribers in
// the store's id order, and a client resuming from an event id gets what it missed (or `resync` when those
// events are no longer kept).
#include <algorithm>
#include <cstdint>
#include <utility>

#include "control/control_plane.hpp"
#include "control/time_format.hpp"

namespace lunora::control {

void ControlPlane::publish(const std::vector<store::EventRecord>& events, const std::vector<int64_t>& ids) {
  snapshot_stale_ = true;
  changes_published_.fetch_add(1, std::memory_order_release);
  for (const int64_t id : ids) {
    // A change's events take the next ids of the log: a gap before them is another process's change.
    if (id > newest_event_known_ + 1) events_skipped_ = true;
    newest_event_known_ = std::max(newest_event_known_, id);
  }
  if (clustered()) {
    // Not now: other nodes' events with lower ids may not be here yet. sync_from_store() publishes these from
    // the store's log in id order (publish_snapshot() runs it before a command answers), so that a client
    // resuming from an event's id misses none.
    own_event_ids_.insert(ids.begin(), ids.end());
    return;
  }
  for (size_t i = 0; i < events.size(); ++i) {
    store::EventRecord event = events[i];
    event.id = ids.at(i);
    recent_events_.push_back(event);
    if (recent_events_.size() > 1000) recent_events_.pop_front();
    std::erase_if(subscribers_, [&](const Subscriber& subscriber) { return !subscriber(event); });
  }
}

void ControlPlane::subscribe_stats(Subscriber subscriber) {
  stats_subscribers_.push_back(std::move(subscriber));
}

void ControlPlane::publish_stats() {
  if (stats_subscribers_.empty()) return;
  const store::EventRecord event{0, "stats", stats_json().dump(), now_ms()};
  std::erase_if(stats_subscribers_, [&](const Subscriber& subscriber) { return !subscriber(event); });
}

void ControlPlane::subscribe(std::optional<int64_t> last_event_id, Subscriber subscriber) {
  if (last_event_id) {
    const int64_t after = *last_event_id;
    if (recent_events_.empty() || recent_events_.front().id > after + 1) {
      // Older than what memory holds: replay from the store first.
      const int64_t until = recent_events_.empty() ? INT64_MAX : recent_events_.front().id;
      auto stored = store_.events_after(after, options_.events_kept);
      const int64_t first =
          stored && !stored->empty() ? stored->front().id : (recent_events_.empty() ? after + 1 : until);
      auto last = store_.last_event_id();
      if (!stored || (first > after + 1 && last && *last > after)) {
        // Events the client missed are gone (pruned): tell it to reload its state instead of resuming.
        const store::EventRecord resync{
            0, "resync", R"({"reason":"events since Last-Event-ID are no longer kept"})", now_ms()};
        if (!subscriber(resync)) return;
      }
      if (stored) {
        for (const auto& event : *stored) {
          if (event.id >= until) break;
          if (!subscriber(event)) return;
        }
      }
    }
    for (const auto& event : recent_events_) {
      if (event.id > after && !subscriber(event)) return;
    }
  }
  subscribers_.push_back(std::move(subscriber));
}

}  // namespace lunora::control
