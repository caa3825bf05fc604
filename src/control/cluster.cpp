// Several nodes on one store (README "Several nodes, one table"): which channels this node drives, taking
// over those of a node that died, and the mirror of the others: their records follow the store's event log.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "control/control_plane.hpp"
#include "control/model.hpp"
#include "control/time_format.hpp"

namespace lunora::control {
namespace {

constexpr const char* kNodePrefix = "node:";
constexpr const char* kChannelPrefix = "channel:";
constexpr size_t kSyncBatch = 500;

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `--lease-ms` is the promise "a dead node's channels are taken over within this long". The heartbeat is
// renewed every quarter of it and stays valid for three quarters (two renewals may fail without the node
// losing anything); the others look every quarter: a node dying just after a renewal is noticed at most
// 3/4 + 1/4 of a lease later.
std::chrono::milliseconds heartbeat_validity(std::chrono::milliseconds lease) {
  return lease * 3 / 4;
}

std::string without_prefix(const std::string& name, const std::string& prefix) {
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

}  // namespace

Status ControlPlane::check_node_id_unused() {
  const auto& self = *options_.cluster;
  const std::string name = kNodePrefix + self.node_id;
  auto seen = store_.leases()->holder(name);
  if (!seen) return seen.error().wrap("reading this node's heartbeat");
  // Never beaten, released, or beaten by this node at this URL before a restart: nothing else runs as it.
  if (seen->owner.empty() || seen->owner_url == self.node_url) return ok_status();
  // Another URL: a node with a data dir copied from this one, or this node restarted at a new URL. Only the
  // first renews its heartbeat: wait until the beat seen expires.
  while (wall_clock_ms() < seen->expires_at) {
    std::this_thread::sleep_for(cluster_period());
    auto again = store_.leases()->holder(name);
    if (!again) return again.error().wrap("reading this node's heartbeat");
    if (again->owner_url != self.node_url && again->expires_at > seen->expires_at) {
      return Error(ErrorCode::kConflict,
                   "node id " + self.node_id + " is in use by a running node at " + again->owner_url +
                       ": was this data dir copied from that node? Give every node a data dir of its own "
                       "(or delete its node-id file)");
    }
  }
  return ok_status();
}

void ControlPlane::cluster_tick() {
  if (stopping_) return;  // the leases are being given up: never renewed or taken again on the way out
  next_cluster_tick_ = std::chrono::steady_clock::now() + cluster_period();
  store::Leases* leases = store_.leases();
  const auto& self = *options_.cluster;
  const int64_t now = wall_clock_ms();
  // The heartbeat first: a node that cannot write it keeps driving what it drives (it cannot know whether
  // another took over) and tries again at the next tick.
  auto beat = leases->acquire(
      {kNodePrefix + self.node_id, self.node_id, self.node_url, now + heartbeat_validity(self.lease).count()},
      now);
  if (!beat) {
    spdlog::warn("event=heartbeat_failed node={} error=\"{}\"", self.node_id, beat.error().message());
    return;
  }
  last_heartbeat_at_ = std::chrono::steady_clock::now();
  auto nodes = leases->list(kNodePrefix);
  auto owners = leases->list(kChannelPrefix);
  if (!nodes || !owners) {
    spdlog::warn("event=leases_unreadable error=\"{}\"", (nodes ? owners.error() : nodes.error()).message());
    return;
  }
  cluster::ClusterSnapshot view;
  for (const auto& node : *nodes) view.nodes.push_back({node.owner, node.owner_url, node.expires_at});
  for (const auto& owner : *owners) {
    view.owners.push_back({without_prefix(owner.name, kChannelPrefix), owner.owner});
  }
  std::vector<std::string> ids;
  std::set<std::string> driving;
  for (const auto& [id, channel] : channels_) {
    if (!runs_here(*channel)) continue;  // a Lambda relay node leaves MediaLive direct channels alone
    ids.push_back(id);
    if (channel->driven) driving.insert(id);
  }
  const cluster::AssignmentPlan plan = cluster::plan_assignment(self.node_id, ids, driving, view, now);
  // Owned but not driven: this node restarted (same id) before its heartbeat expired.
  for (const auto& id : plan.keep) {
    Channel* channel = find_channel(id);
    if (channel != nullptr && !channel->driven) {
      spdlog::info("event=channel_taken channel={} node={} from=itself", id, self.node_id);
      bring_up(*channel, self.node_id);
    }
  }
  for (const auto& id : plan.lost) {
    if (Channel* channel = find_channel(id)) {
      spdlog::warn("event=channel_lost channel={} node={}", id, self.node_id);
      take_down(*channel);
    }
  }
  for (const auto& claim : plan.claims) {
    auto held = leases->transfer({kChannelPrefix + claim.channel_id, self.node_id, self.node_url, 0},
                                 claim.previous_owner);
    if (!held || held->owner != self.node_id) continue;  // another node was quicker
    for (auto& owner : view.owners) {
      if (owner.channel_id == claim.channel_id) owner.node_id = self.node_id;
    }
    if (claim.previous_owner.empty() ||
        std::none_of(view.owners.begin(), view.owners.end(),
                     [&](const auto& o) { return o.channel_id == claim.channel_id; })) {
      view.owners.push_back({claim.channel_id, self.node_id});
    }
    Channel* channel = find_channel(claim.channel_id);
    // Already driven here (its lease went to a node that died meanwhile): the lease is back, nothing to
    // rebuild.
    if (channel != nullptr && !channel->driven) {
      spdlog::info("event=channel_taken channel={} node={} from={}", claim.channel_id, self.node_id,
                   claim.previous_owner.empty() ? "nobody" : claim.previous_owner);
      bring_up(*channel, claim.previous_owner);
    }
  }
  cluster_view_ = std::move(view);
  snapshot_stale_ = true;
}

void ControlPlane::bring_up(Channel& channel, const std::string& previous_node) {
  const std::string id = channel.record.id;
  // The node that drove it before wrote last: start from the store, not from this node's mirror. When the
  // store cannot say, not now: the lease is this node's, so the next cluster tick tries again (plan.keep).
  auto record = store_.get_channel(id);
  auto destinations = store_.list_destinations();
  if (!record || !destinations) {
    spdlog::warn("event=channel_take_deferred channel={} error=\"{}\"", id,
                 (record ? destinations.error() : record.error()).message());
    return;
  }
  if (!*record) {
    // Deleted by its node a moment ago (its channel_deleted event is on the way): give the lease back.
    (void)store_.leases()->release("channel:" + id, options_.cluster->node_id);
    return;
  }
  auto fresh_channel = load_channel(std::move(**record));
  if (!fresh_channel) {
    spdlog::warn("event=channel_take_deferred channel={} error=\"{}\"", id, fresh_channel.error().message());
    return;
  }
  (*fresh_channel)->last_watched_ms = channel.last_watched_ms;
  channel = std::move(**fresh_channel);
  // Only what the store has now is turned on (a destination deleted meanwhile stays off); the mirror keeps
  // its objects (a command that led here may hold a pointer to one) until the delete's event removes them.
  std::set<std::string> stored_ids;
  for (auto& stored : *destinations) {
    if (stored.channel_id != id) continue;
    auto fresh = load_destination(std::move(stored));
    if (!fresh) continue;
    stored_ids.insert((*fresh)->record.id);
    auto& slot = destinations_[(*fresh)->record.id];
    if (slot) {
      *slot = std::move(**fresh);
    } else {
      slot = std::move(*fresh);
    }
  }
  channel.driven = true;
  auto opened = engine_.open_channel(ingest_spec(channel));
  channel.listen_error = opened ? "" : opened.error().message();
  for (auto& [destination_id, destination] : destinations_) {
    if (destination->record.channel_id != id || !stored_ids.contains(destination_id)) continue;
    const std::string why = previous_node.empty() ? "starting on node " + options_.cluster->node_id
                            : previous_node == options_.cluster->node_id
                                ? std::string("restarting after a restart of Lunora")
                                : "taken over from node " + previous_node;
    restart_destination(*destination, why);
  }
  update_channel_state(channel);
}

void ControlPlane::take_down(Channel& channel) {
  const std::string& id = channel.record.id;
  for (auto& [destination_id, destination] : destinations_) {
    if (destination->record.channel_id != id || !destination->in_engine) continue;
    // On MediaLive the outputs are the MediaLive channel's: they stay for the node that takes it over.
    if (!channel.medialive) engine_.stop_output(id, destination_id, {});
    destination->in_engine = false;
  }
  engine_.release_channel(id);
  channel.medialive_report = {};      // the node that drives it now reports MediaLive's state
  channel.rendition_reports.clear();  // and runs its renditions
  channel.driven = false;
  channel.input = {};
  channel.input_reported = false;
  channel.hls.reset();
}

bool ControlPlane::may_overwrite(const std::string& channel_id) const {
  if (!clustered()) return false;
  const auto it = channels_.find(channel_id);
  // A node cut off from the store for longer than its heartbeat lasts may be the one that lost the channel:
  // it must not overwrite the new owner.
  return it != channels_.end() && it->second->driven &&
         std::chrono::steady_clock::now() - last_heartbeat_at_ < heartbeat_validity(options_.cluster->lease);
}

ControlPlane::Channel* ControlPlane::find_channel_synced(const std::string& id) {
  if (Channel* channel = find_channel(id)) return channel;
  if (!clustered()) return nullptr;
  sync_from_store();
  return find_channel(id);
}

ControlPlane::Destination* ControlPlane::find_destination_synced(const std::string& id) {
  if (Destination* destination = find_destination(id)) return destination;
  if (!clustered()) return nullptr;
  sync_from_store();
  return find_destination(id);
}

std::optional<std::string> ControlPlane::live_owner_url(const std::string& channel_id) const {
  const int64_t now = wall_clock_ms();
  for (const auto& owner : cluster_view_.owners) {
    if (owner.channel_id != channel_id) continue;
    for (const auto& node : cluster_view_.nodes) {
      if (node.node_id == owner.node_id && node.expires_at >= now && !node.url.empty()) return node.url;
    }
  }
  return std::nullopt;
}

std::optional<Outcome> ControlPlane::forward_if_elsewhere(const std::string& channel_id) {
  Channel* channel = find_channel(channel_id);
  if (channel == nullptr || channel->driven) return std::nullopt;
  if (!clustered()) return to_relay_node("channel " + channel_id);
  if (!runs_here(*channel)) {
    return error_outcome(
        409, "driven_by_lambda",
        "channel " + channel_id +
            " runs on MediaLive in direct mode: the Lunora Lambda function drives it, not this "
            "relay node; send this request to the function's API");
  }
  auto url = live_owner_url(channel_id);
  if (!url) {
    // No live owner in the last look (a channel just created elsewhere, a node that just died): look again
    // now, the log first (the channel may be gone); this node may take it itself.
    sync_from_store();
    channel = find_channel(channel_id);
    if (channel == nullptr) return error_outcome(404, "not_found", "no channel with id " + channel_id);
    cluster_tick();
    if (channel->driven) return std::nullopt;
    url = live_owner_url(channel_id);
  }
  // Never to itself: an earlier run of this node under another id (its heartbeat not expired yet).
  if (url && *url != options_.cluster->node_url) {
    Outcome forward;
    forward.forward_to = *url;
    return forward;
  }
  return error_outcome(503, "channel_moving",
                       "no node drives channel " + channel_id + " right now: one takes it over within " +
                           std::to_string(options_.cluster->lease.count()) + " ms; try again");
}

Outcome ControlPlane::to_relay_node(const std::string& what) const {
  if (options_.relay_node_url.empty()) {
    return error_outcome(503, "relay_node_needed",
                         what +
                             " runs on a relay node (it is hybrid or local) and this function has none: run "
                             "`lunora serve --lambda-relay` on the same table and set LUNORA_RELAY_NODE_URL "
                             "to its API");
  }
  Outcome forward;
  forward.forward_to = options_.relay_node_url;
  return forward;
}

nlohmann::json ControlPlane::node_json(const std::string& channel_id) const {
  if (!clustered()) {
    // `lunora lambda`: a channel with a local part runs on the relay node (its id is the node's own).
    const auto it = channels_.find(channel_id);
    if (it == channels_.end() || it->second->driven || options_.relay_node_url.empty()) return nullptr;
    return {{"id", nullptr}, {"url", options_.relay_node_url}, {"this", false}};
  }
  for (const auto& owner : cluster_view_.owners) {
    if (owner.channel_id != channel_id) continue;
    for (const auto& node : cluster_view_.nodes) {
      if (node.node_id == owner.node_id) {
        return {{"id", node.node_id}, {"url", node.url}, {"this", node.node_id == options_.cluster->node_id}};
      }
    }
    return {{"id", owner.node_id}, {"url", nullptr}, {"this", owner.node_id == options_.cluster->node_id}};
  }
  return nullptr;
}

void ControlPlane::sync_from_store() {
  auto events = store_.events_after(last_synced_event_id_, kSyncBatch);
  if (!events) {
    // Once per outage, not four times a second.
    if (!store_sync_failing_) spdlog::warn("event=store_sync_failed error=\"{}\"", events.error().message());
    store_sync_failing_ = true;
    return;
  }
  if (store_sync_failing_) spdlog::info("event=store_sync_recovered");
  store_sync_failing_ = false;
  // The log has no holes (DynamoDbStore writes a change's events in order): a first id past the next one
  // means the events in between were pruned while this node could not read them.
  if (!events->empty() && events->front().id > last_synced_event_id_ + 1) {
    reload_mirror(events->front().id);
    return;
  }
  for (const auto& event : *events) {
    const bool own = own_event_ids_.erase(event.id) > 0;  // committed here: its records are here already
    if (!own && !apply_foreign_event(event)) {
      // Its record could not be read (throttled, timed out): from this event again at the next tick.
      return;
    }
    last_synced_event_id_ = std::max(last_synced_event_id_, event.id);
    snapshot_stale_ = true;
    changes_published_.fetch_add(1, std::memory_order_release);
    recent_events_.push_back(event);
    if (recent_events_.size() > 1000) recent_events_.pop_front();
    std::erase_if(subscribers_, [&](const Subscriber& subscriber) { return !subscriber(event); });
  }
  // Ids below the synced point can no longer come: forget them.
  own_event_ids_.erase(own_event_ids_.begin(), own_event_ids_.lower_bound(last_synced_event_id_ + 1));
}

bool ControlPlane::apply_foreign_event(const store::EventRecord& event) {
  const auto data = nlohmann::json::parse(event.data, nullptr, false);
  if (!data.is_object() || !data.contains("id") || !data["id"].is_string()) return true;
  const std::string id = data["id"].get<std::string>();
  if (event.type == "channel") {
    const Channel* known = find_channel(id);
    if (known != nullptr && known->driven) return true;  // this node is its only writer
    auto record = store_.get_channel(id);
    if (!record) return false;
    // None: deleted since, and its channel_deleted event follows.
    if (*record) mirror_channel(std::move(**record));
  } else if (event.type == "destination") {
    auto record = store_.get_destination(id);
    if (!record) return false;
    if (*record) mirror_destination(std::move(**record));
  } else if (event.type == "destination_deleted") {
    Destination* destination = find_destination(id);
    if (destination == nullptr) return true;
    const Channel* channel = find_channel(destination->record.channel_id);
    if (channel == nullptr || !channel->driven) destinations_.erase(id);
  } else if (event.type == "channel_deleted") {
    Channel* channel = find_channel(id);
    if (channel == nullptr) return true;
    if (channel->driven) take_down(*channel);
    std::erase_if(destinations_, [&](const auto& entry) { return entry.second->record.channel_id == id; });
    channels_.erase(id);
  }
  return true;
}

void ControlPlane::mirror_channel(store::ChannelRecord record) {
  Channel* known = find_channel(record.id);
  if (known != nullptr && known->driven) return;  // this node is its only writer
  const std::string id = record.id;
  auto loaded = load_channel(std::move(record));
  if (!loaded) {
    spdlog::warn("event=store_sync_skipped channel={} error=\"{}\"", id, loaded.error().message());
    return;
  }
  if (known != nullptr) {
    (*loaded)->last_watched_ms = known->last_watched_ms;
    *known = std::move(**loaded);
  } else {
    channels_[id] = std::move(*loaded);
  }
}

void ControlPlane::mirror_destination(store::DestinationRecord record) {
  const Channel* channel = find_channel(record.channel_id);
  if (channel != nullptr && channel->driven) return;  // written here only
  const std::string id = record.id;
  auto loaded = load_destination(std::move(record));
  if (!loaded) {
    spdlog::warn("event=store_sync_skipped destination={} error=\"{}\"", id, loaded.error().message());
    return;
  }
  if (Destination* known = find_destination(id)) {
    *known = std::move(**loaded);
  } else {
    destinations_[id] = std::move(*loaded);
  }
}

void ControlPlane::reload_mirror(int64_t first_kept) {
  // The log position first, the records after (as in start()).
  auto last = store_.last_event_id();
  if (!last) return;
  auto channels = store_.list_channels();
  auto destinations = store_.list_destinations();
  if (!channels || !destinations) return;  // the next tick tries again
  spdlog::warn("event=store_resync synced_to={} first_kept={} last={}", last_synced_event_id_, first_kept,
               *last);
  std::set<std::string> stored_channels;
  std::set<std::string> stored_destinations;
  for (auto& record : *channels) {
    stored_channels.insert(record.id);
    mirror_channel(std::move(record));
  }
  for (auto& record : *destinations) {
    stored_destinations.insert(record.id);
    mirror_destination(std::move(record));
  }
  // What the store no longer has is gone (what this node drives is written only here, so is never missed).
  std::erase_if(destinations_, [&](const auto& entry) {
    const Channel* channel = find_channel(entry.second->record.channel_id);
    return !stored_destinations.contains(entry.first) && (channel == nullptr || !channel->driven);
  });
  std::erase_if(channels_, [&](const auto& entry) {
    if (stored_channels.contains(entry.first) || entry.second->driven) return false;
    std::erase_if(destinations_, [&](const auto& d) { return d.second->record.channel_id == entry.first; });
    return true;
  });
  last_synced_event_id_ = *last;
  own_event_ids_.clear();
  // Resumes from before this point cannot be served from memory any more: they get `resync` too.
  recent_events_.clear();
  snapshot_stale_ = true;
  const store::EventRecord resync{
      0, "resync", R"({"reason":"this node missed events the store no longer keeps"})", now_ms()};
  std::erase_if(subscribers_, [&](const Subscriber& subscriber) { return !subscriber(resync); });
}

void ControlPlane::release_cluster_leases() {
  if (!clustered()) return;
  store::Leases* leases = store_.leases();
  const std::string& self = options_.cluster->node_id;
  for (const auto& [id, channel] : channels_) {
    if (channel->driven) (void)leases->release(kChannelPrefix + id, self);
  }
  (void)leases->release(kNodePrefix + self, self);
  spdlog::info("event=leases_released node={}", self);
}

}  // namespace lunora::control
