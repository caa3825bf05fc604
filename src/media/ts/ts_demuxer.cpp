#include "media/ts/ts_demuxer.hpp"

#include <algorithm>
#include <optional>

#include "media/ts/ts_es_decoders.hpp"
#include "media/ts/ts_pes.hpp"
#include "media/ts/ts_psi.hpp"

namespace lunora::media {
namespace {

using ts::kPacketSize;
using ts::kSyncByte;

// A PES larger than this is not a real access unit (even 4K intra frames are a few MB): drop it rather than
// let a stream that never sets payload_unit_start grow memory without bound.
constexpr size_t kMaxPesSize = 16 * 1024 * 1024;

// Bytes of one PID's PSI section being collected across TS packets.
struct SectionBuffer {
  Bytes data;
  bool active = false;
};

struct ElementaryStream {
  TsStreamInfo info;
  Bytes pes;
  bool active = false;  // collecting a PES that started with payload_unit_start
  std::optional<ts::H264EsDecoder> h264;
  std::optional<ts::AacEsDecoder> aac;
};

struct TsPacket {
  uint16_t pid = 0;
  bool unit_start = false;
  bool discontinuity = false;
  bool has_payload = false;
  uint8_t continuity = 0;
  ByteSpan payload;
};

// Header and adaptation field of one 188-byte packet; nullopt when the packet is unusable.
std::optional<TsPacket> parse_ts_packet(ByteSpan p) {
  if (p[1] & 0x80) return std::nullopt;  // transport_error_indicator: the sender knows it is damaged
  TsPacket t;
  t.pid = static_cast<uint16_t>(((p[1] & 0x1F) << 8) | p[2]);
  t.unit_start = (p[1] & 0x40) != 0;
  const uint8_t control = (p[3] >> 4) & 0x03;
  if (control == 0) return std::nullopt;  // reserved
  t.has_payload = (control & 0x01) != 0;
  t.continuity = p[3] & 0x0F;
  size_t offset = 4;
  if (control & 0x02) {
    const size_t af_length = p[4];
    offset = 5 + af_length;
    if (offset > kPacketSize) return std::nullopt;
    t.discontinuity = af_length > 0 && (p[5] & 0x80) != 0;
  }
  t.payload = p.subspan(offset);
  return t;
}

}  // namespace

struct TsDemuxer::State {
  State(TsDemuxerCallbacks& callbacks, TsDemuxerStats& stats, uint32_t epoch)
      : callbacks(callbacks), stats(stats), epoch(epoch) {}

  void feed(ByteSpan data);
  void flush();
  void handle_packet(ByteSpan packet);
  void handle_psi(const TsPacket& t, bool continuous);
  void append_section(uint16_t pid, SectionBuffer& buf, ByteSpan bytes);
  void handle_section(uint16_t pid, ByteSpan section);
  void update_streams(const std::vector<TsStreamInfo>& listed);
  void handle_pes(ElementaryStream& es, const TsPacket& t, bool continuous);
  void emit_pes(ElementaryStream& es);

  TsDemuxerCallbacks& callbacks;
  TsDemuxerStats& stats;
  uint32_t epoch;
  Bytes pending;           // bytes not yet forming a whole packet (or being searched for sync)
  bool searching = false;  // lost sync: counted once per search
  std::map<uint16_t, uint8_t> last_continuity;
  std::map<uint16_t, SectionBuffer> sections;
  std::optional<uint16_t> pmt_pid;
  std::optional<uint8_t> pmt_version;
  std::map<uint16_t, ElementaryStream> streams;
  ts::TimestampUnwrapper clock;
};

TsDemuxer::TsDemuxer(TsDemuxerCallbacks& callbacks, uint32_t epoch)
    : callbacks_(callbacks), state_(std::make_unique<State>(callbacks_, stats_, epoch)) {}

TsDemuxer::~TsDemuxer() = default;

void TsDemuxer::feed(ByteSpan data) {
  state_->feed(data);
}

void TsDemuxer::flush() {
  state_->flush();
}

namespace {

// Continuity check (2.4.3.3): false when packets were lost or repeated. A repeat is flagged in `duplicate` so
// its payload is skipped without breaking the PES in progress.
bool continuity_ok(std::map<uint16_t, uint8_t>& last, const TsPacket& t, bool& duplicate) {
  duplicate = false;
  if (!t.has_payload) return true;
  auto it = last.find(t.pid);
  const bool known = it != last.end() && !t.discontinuity;
  const uint8_t previous = known ? it->second : 0;
  last[t.pid] = t.continuity;
  if (!known) return true;
  if (t.continuity == previous) {
    duplicate = true;  // legal once, but still a sign of a retransmitting or looping sender
    return false;
  }
  return t.continuity == ((previous + 1) & 0x0F);
}

}  // namespace

// A packet is taken only when the byte one packet later is a sync byte too: a packet cut short by loss
// would otherwise swallow the head of the next one. So the newest packet waits for the following bytes (or
// flush()), which also makes the output independent of how the input was chunked.
void TsDemuxer::State::feed(ByteSpan data) {
  pending.insert(pending.end(), data.begin(), data.end());
  size_t pos = 0;
  while (pending.size() - pos >= kPacketSize) {
    const bool at_sync = pending[pos] == kSyncByte;
    if (at_sync && pending.size() - pos == kPacketSize) break;
    if (!at_sync || pending[pos + kPacketSize] != kSyncByte) {
      if (!searching) ++stats.resyncs;
      searching = true;
      ++pos;
      continue;
    }
    searching = false;
    handle_packet(ByteSpan(pending).subspan(pos, kPacketSize));
    pos += kPacketSize;
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pos));
}

void TsDemuxer::State::flush() {
  if (pending.size() >= kPacketSize && pending[0] == kSyncByte) {
    handle_packet(ByteSpan(pending).first(kPacketSize));
  }
  pending.clear();
  for (auto& [pid, es] : streams) {
    if (es.active) emit_pes(es);
    es.active = false;
    es.pes.clear();
  }
}

void TsDemuxer::State::handle_packet(ByteSpan packet) {
  ++stats.packets;
  const auto t = parse_ts_packet(packet);
  if (!t || t->pid == ts::kNullPid) return;
  bool duplicate = false;
  const bool continuous = continuity_ok(last_continuity, *t, duplicate);
  if (!continuous) ++stats.continuity_errors;
  if (duplicate || !t->has_payload) return;
  if (t->pid == ts::kPatPid || (pmt_pid && t->pid == *pmt_pid)) {
    handle_psi(*t, continuous);
    return;
  }
  auto it = streams.find(t->pid);
  if (it != streams.end()) handle_pes(it->second, *t, continuous);
}

void TsDemuxer::State::handle_psi(const TsPacket& t, bool continuous) {
  SectionBuffer& buf = sections[t.pid];
  if (!continuous) buf.active = false;
  ByteSpan payload = t.payload;
  if (t.unit_start) {
    const size_t pointer = payload[0];
    if (1 + pointer > payload.size()) {
      ++stats.psi_errors;
      buf.active = false;
      return;
    }
    // The bytes before the pointed-to section finish the previous one.
    if (buf.active) append_section(t.pid, buf, payload.subspan(1, pointer));
    buf.data.clear();
    buf.active = true;
    payload = payload.subspan(1 + pointer);
  }
  if (buf.active) append_section(t.pid, buf, payload);
}

void TsDemuxer::State::append_section(uint16_t pid, SectionBuffer& buf, ByteSpan bytes) {
  buf.data.insert(buf.data.end(), bytes.begin(), bytes.end());
  // Several sections may share a packet; 0xFF stuffing ends the list.
  while (buf.active && !buf.data.empty()) {
    if (buf.data[0] == 0xFF) {
      buf.active = false;
      break;
    }
    const size_t total = ts::section_total_length(buf.data);
    if (total == 0) break;
    if (total > 3 + ts::kMaxSectionLength) {
      ++stats.psi_errors;
      buf.active = false;
      break;
    }
    if (buf.data.size() < total) break;
    handle_section(pid, ByteSpan(buf.data).first(total));
    buf.data.erase(buf.data.begin(), buf.data.begin() + static_cast<std::ptrdiff_t>(total));
  }
  if (!buf.active) buf.data.clear();
}

void TsDemuxer::State::handle_section(uint16_t pid, ByteSpan section) {
  if (pid == ts::kPatPid) {
    auto pat_pmt_pid = ts::parse_pat(section);
    if (!pat_pmt_pid) {
      ++stats.psi_errors;
      return;
    }
    if (pmt_pid != *pat_pmt_pid) {
      pmt_pid = *pat_pmt_pid;
      pmt_version.reset();  // a new program: its PMT counts as new whatever its version
    }
    return;
  }
  auto pmt = ts::parse_pmt(section);
  if (!pmt) {
    ++stats.psi_errors;
    return;
  }
  if (pmt_version == pmt->version) return;
  pmt_version = pmt->version;
  update_streams(pmt->streams);
  callbacks.on_program(pmt->streams);
}

void TsDemuxer::State::update_streams(const std::vector<TsStreamInfo>& listed) {
  std::map<uint16_t, ElementaryStream> next;
  for (const TsStreamInfo& info : listed) {
    if (info.pid == ts::kPatPid || info.pid == ts::kNullPid || pmt_pid == info.pid) continue;
    auto old = streams.find(info.pid);
    // A stream that keeps its PID and type keeps its decoder state (and the config already announced).
    if (old != streams.end() && old->second.info.stream_type == info.stream_type) {
      next.emplace(info.pid, std::move(old->second));
      continue;
    }
    ElementaryStream es;
    es.info = info;
    if (info.codec == Codec::kH264) es.h264.emplace(epoch);
    if (info.codec == Codec::kAac) es.aac.emplace(epoch);
    next.emplace(info.pid, std::move(es));
  }
  streams = std::move(next);
}

void TsDemuxer::State::handle_pes(ElementaryStream& es, const TsPacket& t, bool continuous) {
  if (!es.h264 && !es.aac) return;  // reported in on_program; no payload to pass through
  if (!continuous && es.active) {
    // A PES with a hole would decode as garbage: drop it and wait for the next unit start.
    ++stats.pes_errors;
    es.active = false;
    es.pes.clear();
  }
  if (t.unit_start) {
    if (es.active) emit_pes(es);
    es.pes.clear();
    es.active = true;
  }
  if (!es.active) return;
  if (es.pes.size() + t.payload.size() > kMaxPesSize) {
    ++stats.pes_errors;
    es.active = false;
    es.pes.clear();
    return;
  }
  es.pes.insert(es.pes.end(), t.payload.begin(), t.payload.end());
  const size_t announced = ts::pes_announced_size(es.pes);
  if (announced != 0 && es.pes.size() >= announced) {
    es.pes.resize(announced);
    emit_pes(es);
    es.active = false;
    es.pes.clear();
  }
}

void TsDemuxer::State::emit_pes(ElementaryStream& es) {
  auto header = ts::parse_pes_header(es.pes);
  if (!header || !header->pts) {
    ++stats.pes_errors;
    return;
  }
  const int64_t raw_dts = header->dts.value_or(*header->pts);
  const int64_t dts = clock.unwrap(raw_dts);
  const int64_t pts = dts + ts::timestamp_delta(raw_dts, *header->pts);
  const ByteSpan payload = ByteSpan(es.pes).subspan(header->header_size);
  const ts::EmitPacket emit = [this](MediaPacketPtr p) { callbacks.on_media(std::move(p)); };
  const bool ok = es.h264 ? es.h264->decode(payload, pts, dts, emit) : es.aac->decode(payload, pts, emit);
  if (!ok) ++stats.pes_errors;
}

}  // namespace lunora::media
