// A rendition as the API states it, in the media core's terms (engine.cpp; used by the local engine).
#pragma once

#include "engine/engine.hpp"
#include "media/transcode/rendition.hpp"

namespace lunora::engine {

media::RenditionProfile rendition_profile(const RenditionSpec& rendition);

}  // namespace lunora::engine
