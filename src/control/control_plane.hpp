// The domain (DESIGN.md "The flow of one command"): channels and destinations, their lifecycle, the
// reconciler that drives the engine toward the desired state, auto start/stop, and the event log.
//
// Threading: every method runs on the control executor (one thread, `executor()`); front doors hop onto it
// (co_spawn) and back. The store is used only from here (DESIGN.md "Threads": SQLite writes go through one
// thread), so an HTTP I/O thread never blocks on SQLite. Engine completions arrive on other threads and are
// posted here.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "control/cluster/assignment.hpp"
#include "control/outcome.hpp"
#include "control/secret_box.hpp"
#include "control/validation.hpp"
#include "engine/engine.hpp"
#include "store/store.hpp"

namespace lunora::control {

struct ControlOptions {
  std::string public_host = "127.0.0.1";  // the host encoders reach Lunora at (ingest URLs)
  uint16_t rtmp_port = 1935;              // advertised in RTMP ingest URLs
  std::string rtmp_app = "live";
  int first_srt_port = 9000;  // the `main` channel's port; new SRT channels take the next free one
  std::string http_base_url = "http://127.0.0.1:8080";  // where viewers reach Lunora (playback URLs)
  // Where MediaLive pushes a hybrid channel's relay (rtmp://host[:port]/app; "" = rtmp://public_host:
  // rtmp_port/rtmp_app); the channel's RTMP key is the stream name.
  std::string public_rtmp_url;
  std::chrono::milliseconds tick{250};  // how often the reconciler reads the engine
  size_t events_kept = 10000;           // events kept in the store for Last-Event-ID resumes
  // Set when several nodes share the store (it has leases): each channel is driven by one of them.
  struct Cluster {
    std::string node_id;
    std::string node_url;  // where this node's API answers, for the others to forward to
    std::chrono::milliseconds lease{10000};
    // The relay node of a `lunora lambda` deployment (`lunora serve --lambda-relay`): it drives only the
    // channels with a local part (local, hybrid); the function drives those on MediaLive in direct mode.
    bool local_part_only = false;
  };
  std::optional<Cluster> cluster;
  // Set where this process runs no media of its own (`lunora lambda`): why a local channel cannot be made.
  // Channels are then made on MediaLive when a body names no engine, in direct mode only, and an empty store
  // stays empty (no `main` on the local engine).
  std::string local_engine_refusal;
  // With local_engine_refusal: the API of the `lunora serve --lambda-relay` node on the same store
  // (http://host:port) that drives the channels with a local part (local, hybrid); they are made there and
  // every command for them goes there. "" = such channels are refused.
  std::string relay_node_url;
  // The IAM role MediaLive assumes for a channel whose body names none ("" = the body must name one).
  std::string medialive_role_arn;
};

// What a viewer's request may see of a channel's HLS (ControlPlane::playback).
struct Playback {
  enum class Access { kGranted, kNoChannel, kDenied };
  Access access = Access::kNoChannel;
  std::shared_ptr<const engine::HlsStream> stream;  // null while HLS is off
  bool input_connected = false;
  bool needs_token = false;  // not public: segment URIs must carry the token too
  std::string error;         // why HLS cannot package the input ("" = it can)
};

class ControlPlane {
 public:
  ControlPlane(boost::asio::any_io_executor executor, store::Store& store, engine::Engine& engine,
               SecretBox secrets, ControlOptions options);
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  boost::asio::any_io_executor executor() const { return executor_; }

  // Loads the store, opens every channel's ingest, turns on again what was on (status `starting` until it
  // streams) and starts the reconciler. On an empty store creates the channel `main`; its ingest object
  // (with secrets, to print once) is returned then.
  Result<std::optional<nlohmann::json>> start();
  // Stops the reconciler and every engine output (the desired state stays in the store).
  void shutdown(std::function<void()> done);

  Outcome list_channels();
  Outcome create_channel(const nlohmann::json& body);
  Outcome get_channel(const std::string& id);
  Outcome patch_channel(const std::string& id, const nlohmann::json& body);
  Outcome delete_channel(const std::string& id, bool force);
  Outcome channel_ingest(const std::string& id);
  Outcome start_channel(const std::string& id);
  Outcome stop_channel(const std::string& id);
  // Switches the channel's destinations to its primary or backup input ("" = the other one) at its next
  // keyframe.
  Outcome switch_input(const std::string& id, const nlohmann::json& body);

  Outcome list_destinations(const std::optional<std::string>& channel_id);
  Outcome create_destination(const nlohmann::json& body);
  Outcome get_destination(const std::string& id);
  Outcome patch_destination(const std::string& id, const nlohmann::json& body) {
    return patch_destination(id, body, false);
  }
  Outcome delete_destination(const std::string& id) { return delete_destination(id, false); }
  // `allow_restart`: a channel on MediaLive in direct mode may be restarted for the change (else a change
  // that needs one answers 409 restart_required, naming the live destinations it would interrupt).
  Outcome patch_destination(const std::string& id, const nlohmann::json& body, bool allow_restart);
  Outcome delete_destination(const std::string& id, bool allow_restart);
  Outcome start_destination(const std::string& id, bool allow_restart = false);
  Outcome stop_destination(const std::string& id, bool allow_restart = false);

  // Renditions (issue 9, rendition_commands.cpp): a channel's encoding profiles, by name. Deleting one that
  // destinations use answers 409 rendition_in_use unless `force` (they go back to the input as it comes).
  Outcome list_renditions(const std::string& channel_id);
  Outcome create_rendition(const std::string& channel_id, const nlohmann::json& body);
  Outcome get_rendition(const std::string& channel_id, const std::string& name);
  Outcome patch_rendition(const std::string& channel_id, const std::string& name, const nlohmann::json& body);
  Outcome delete_rendition(const std::string& channel_id, const std::string& name, bool force);

  Outcome list_platforms();
  // The channel's slate picture: set (PNG or JPEG, checked), read (the built-in card when none), cleared.
  Outcome set_slate_image(const std::string& id, const std::string& content_type, const std::string& body);
  // (type, bytes); nullopt when there is no such channel.
  std::optional<std::pair<std::string, std::string>> slate_image(const std::string& id);
  Outcome clear_slate_image(const std::string& id);
  // A new playback token: the old one stops working at once.
  Outcome rotate_playback_token(const std::string& id);

  // Thread-safe, for viewers' requests on HTTP threads (no hop to the control thread): checks the playback
  // token (in constant time) against the last published snapshot. `watching` (a playlist request) marks the
  // channel watched, which keeps its HLS on, or turns it on within a tick.
  Playback playback(const std::string& channel_id, std::string_view token, bool watching) const;

  // Thread-safe, for the hot read path (GET /api/v1/destinations without a hop to the control thread): the
  // list as JSON text from the last published snapshot; nullopt when `channel_id` names no channel.
  std::optional<std::string> destinations_list_json(const std::optional<std::string>& channel_id) const;
  // Thread-safe: whether that snapshot holds every change announced to event subscribers so far. A client
  // that saw an event and then reads the list must find the change in it; when the snapshot is behind (the
  // command that made the change still runs), the list is read on the control thread after
  // publish_snapshot().
  bool destinations_snapshot_current() const;
  // Control thread: publishes what the last commands and engine reports changed to that snapshot. Every
  // command's front door calls it before answering, so a client reads its own writes. Cheap when nothing
  // changed; `stats` also picks up the engine's latest counters.
  void publish_snapshot(bool stats = false);
  std::string metrics_text();
  // Several nodes: applies what other nodes wrote to the store since the last look (also done every tick).
  void refresh_from_store() {
    if (clustered()) sync_from_store();
  }
  // One pass of the reconciler now (engine reports in, desired state out) and the snapshot published: for a
  // front door that runs only while it is asked something (`lunora lambda`), between whose requests no timer
  // fires.
  void reconcile_now();
  // Whether another process committed to the store since this one last looked or wrote (one process at a time
  // that may be replaced by another, as Lambda's environments are): then what this one holds is stale.
  Result<bool> store_written_elsewhere();

  // Live events. `subscriber` is called on the control thread for every event after `last_event_id`
  // (nullopt: only new ones), in order, without gaps; it returns false to unsubscribe. When the events after
  // `last_event_id` are no longer kept, it first gets a `resync` event with id 0 (reload the state).
  using Subscriber = std::function<bool(const store::EventRecord&)>;
  void subscribe(std::optional<int64_t> last_event_id, Subscriber subscriber);
  // Live counters once a second (event `stats`, id 0: not stored, not replayed) until it returns false.
  void subscribe_stats(Subscriber subscriber);

  struct Channel;
  struct Destination;

 private:
  // Reconciler.
  void schedule_tick();
  void tick();
  void apply_report(const engine::ChannelReport& report);
  void update_destination_status(Destination& destination, const engine::OutputReport* report);
  void update_channel_state(Channel& channel);
  void drive_destination(Destination& destination);
  void reopen_failed_ingests();
  void report_input_unavailable(Destination& destination);
  void update_hls(Channel& channel);
  void load_slate_image(Channel& channel);
  void stop_after_input_loss(Channel& channel);
  std::string hls_status(const Channel& channel) const;

  // Channels on MediaLive (medialive_channels.cpp).
  // The channel's state from MediaLive's (5 s polls while it moves, 30 s when steady); records the ids of
  // what MediaLive made.
  void update_medialive_state(Channel& channel);
  // Direct mode: a change of the running channel's outputs restarts it. nullopt: go ahead (and, when
  // allowed, the engine may restart it); else the 409 restart_required. `on_after`: the destination is on
  // after the change; `new_endpoint`: it stays on with another URL or key.
  std::optional<Outcome> refuse_restart(const Destination& destination, bool on_after, bool allow_restart,
                                        bool new_endpoint = false);
  // A change the MediaLive channel runs without (restart_pending) may restart it now: the same start or stop
  // sent again with ?allow_restart=true.
  void allow_pending_restart(const std::string& channel_id);
  nlohmann::json medialive_json(const Channel& channel) const;
  nlohmann::json medialive_ingest_json(const Channel& channel) const;
  std::string relay_url() const;
  // A hybrid channel's relay URL as the API shows it (the key as a hint); a mirror shows its driver's.
  std::string relay_url_hint(const Channel& channel) const;
  void medialive_metrics(std::string& out) const;
  // The S3/CloudFront URL of a channel whose HLS MediaLive writes, else Lunora's own player (null: none).
  nlohmann::json playback_url(const Channel& channel) const;
  void publish_playback_snapshot();

  // Several nodes on one store (cluster.cpp). A channel this node does not drive is a mirror of the store:
  // no engine work, no writes; commands for it go to the node that drives it.
  bool clustered() const { return options_.cluster.has_value(); }
  // How often cluster_tick() runs: a quarter of the lease (cluster.cpp says why).
  std::chrono::milliseconds cluster_period() const { return options_.cluster->lease / 4; }
  bool drives(const Channel& channel) const;
  // Whether this process may drive the channel at all: `lunora lambda` leaves the channels with a local part
  // (local, hybrid) to its relay node, and that node leaves the MediaLive direct ones to the function.
  bool runs_here(const Channel& channel) const;
  // `lunora lambda`: a channel with a local part is its relay node's; the command goes there (or is refused
  // when no relay node is configured).
  Outcome to_relay_node(const std::string& what) const;
  void cluster_tick();
  // At start: another running process with this node's id (a copied data dir) is refused (blocks up to a
  // lease to tell it from a restart of this node at another URL).
  Status check_node_id_unused();
  void sync_from_store();
  // False when the record it names could not be read: the caller tries that event again later.
  bool apply_foreign_event(const store::EventRecord& event);
  // Another node's record into the mirror (never over what this node drives).
  void mirror_channel(store::ChannelRecord record);
  void mirror_destination(store::DestinationRecord record);
  // The log lost events this node had not read (pruned): every record is read again instead, and SSE
  // clients get `resync`.
  void reload_mirror(int64_t first_kept);
  // Takes a channel on (from `previous_node`, "" = nobody): fresh from the store, ingest opened, what was on
  // turned on again.
  void bring_up(Channel& channel, const std::string& previous_node);
  // What was on comes back on (`starting` until the engine reports it streams); `why` is its status detail.
  void restart_destination(Destination& destination, const std::string& why);
  void take_down(Channel& channel);
  // Whether a save of a record of this channel that met another version in the store may be made again on
  // top of it (save_record): while this node drives the channel and its heartbeat is current.
  bool may_overwrite(const std::string& channel_id) const;
  std::optional<Outcome> forward_if_elsewhere(const std::string& channel_id);
  // For commands: a record another node created a moment ago may not be in the mirror yet: one look at the
  // store's log before answering "no such channel".
  Channel* find_channel_synced(const std::string& id);
  Destination* find_destination_synced(const std::string& id);
  std::optional<std::string> live_owner_url(const std::string& channel_id) const;
  void release_cluster_leases();
  Result<std::unique_ptr<Channel>> load_channel(store::ChannelRecord record);
  Result<std::unique_ptr<Destination>> load_destination(store::DestinationRecord record);
  nlohmann::json node_json(const std::string& channel_id) const;

  // Persistence: every change is committed (with its event) before it is published.
  bool commit(const store::Change& change);
  void publish(const std::vector<store::EventRecord>& events, const std::vector<int64_t>& ids);
  store::EventRecord channel_event(const Channel& channel) const;
  store::EventRecord destination_event(const Destination& destination) const;
  template <typename Item, typename Record>
  bool save_record(Item& item, Record& record, std::vector<Record> store::Change::*puts,
                   store::EventRecord (ControlPlane::*event)(const Item&) const);
  bool save_channel(Channel& channel);
  bool save_destination(Destination& destination);

  // Renditions (rendition_commands.cpp).
  nlohmann::json rendition_json(const Channel& channel, const engine::RenditionSpec& rendition) const;
  nlohmann::json renditions_json(const Channel& channel) const;
  // The channel's error from its renditions (rendition_overloaded, rendition_failed), or null.
  nlohmann::json rendition_error_json(const Channel& channel) const;
  // What the destination's platform will not like about the stream it sends, with the numbers.
  nlohmann::json destination_warnings(const Destination& destination) const;
  // A destination's "rendition" field (null or a name of the channel's); `name` gets "" for null.
  Problem check_destination_rendition(const Channel& channel, const nlohmann::json& value,
                                      std::string& name) const;
  // Re-drives the destinations of `channel_id` that are on and send `name` (their profile changed).
  void redrive_rendition_users(const std::string& channel_id, const std::string& name);
  void rendition_metrics(std::string& out) const;

  // Views.
  nlohmann::json channel_json(const Channel& channel) const;
  nlohmann::json destination_json(const Destination& destination) const;
  nlohmann::json ingest_json(const Channel& channel) const;
  nlohmann::json backup_input_json(const Channel& channel) const;
  nlohmann::json hls_json(const Channel& channel) const;
  nlohmann::json stats_json() const;
  void publish_stats();
  std::string playback_query(const Channel& channel) const;
  engine::IngestSpec ingest_spec(const Channel& channel) const;

  Channel* find_channel(const std::string& id);
  Destination* find_destination(const std::string& id);
  int next_free_srt_port(int also_taken = 0) const;
  // The other channel whose primary or backup input listens on SRT `port`; nullptr when none does.
  const Channel* srt_port_user(int port, const std::string& except_id) const;
  int64_t creation_time();
  Outcome store_failed() const;

  boost::asio::any_io_executor executor_;
  store::Store& store_;
  std::string last_store_error_;           // why the last failed commit failed, for the 503 that reports it
  cluster::ClusterSnapshot cluster_view_;  // the leases as last read (cluster_tick)
  int64_t last_synced_event_id_ = 0;       // the store's events up to here are applied (sync_from_store)
  std::set<int64_t> own_event_ids_;        // events this node committed and has not met in the store yet
  std::chrono::steady_clock::time_point next_cluster_tick_;  // when tick() runs cluster_tick() next
  std::chrono::steady_clock::time_point last_heartbeat_at_;  // this node's last heartbeat written
  bool store_sync_failing_ = false;  // the last sync_from_store() could not read the store
  engine::Engine& engine_;
  const SecretBox secrets_;
  const ControlOptions options_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
  int ticks_since_prune_ = 0;
  int ticks_since_stats_ = 0;
  int64_t last_created_at_ = 0;     // creation times are strictly increasing
  int64_t newest_event_known_ = 0;  // the newest event id this process read or committed
  // An id was skipped on the way to newest_event_known_: another process committed in between.
  bool events_skipped_ = false;

  // All owned by the control thread.
  std::map<std::string, std::unique_ptr<Channel>> channels_;
  std::map<std::string, std::unique_ptr<Destination>> destinations_;
  std::deque<store::EventRecord> recent_events_;  // the newest events, for resumes without the store
  std::vector<Subscriber> subscribers_;
  std::vector<Subscriber> stats_subscribers_;
  std::shared_ptr<bool> alive_;  // completions posted from the engine check it after shutdown

  struct DestinationsSnapshot {
    struct Item {
      std::string channel_id;
      std::shared_ptr<const std::string> json;
    };
    std::vector<Item> items;               // ordered by created_at, id
    std::vector<std::string> channel_ids;  // sorted
    uint64_t changes = 0;                  // changes_published_ when it was built
  };
  // Changes announced to event subscribers so far: written on the control thread, read by HTTP threads.
  std::atomic<uint64_t> changes_published_{0};
  bool snapshot_stale_ = true;  // a change was published since the last snapshot
  mutable std::mutex
      snapshot_mutex_;  // guards snapshot_ (written on the control thread, read by HTTP threads)
  std::shared_ptr<const DestinationsSnapshot> snapshot_;

  struct PlaybackEntry {
    std::string token;
    bool is_public = false;
    bool input_connected = false;
    std::shared_ptr<const engine::HlsStream> stream;
    std::shared_ptr<std::atomic<int64_t>> last_watched_ms;
    std::string error;
  };
  using PlaybackSnapshot = std::map<std::string, PlaybackEntry, std::less<>>;
  mutable std::mutex
      playback_mutex_;  // guards playback_ (written on the control thread, read by HTTP threads)
  std::shared_ptr<const PlaybackSnapshot> playback_;
};

}  // namespace lunora::control
