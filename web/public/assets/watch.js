// Lunora watch page: plays /hls/<channel_id>/index.m3u8 and recovers on its own.
//
// The loop: probe the playlist with fetch(); on 200 hand it to hls.js (or to the video element on Safari); on any
// fatal error, an ENDLIST or a stall, tear everything down, show the waiting overlay and probe again. hls.js is only
// created once the playlist answers 200, so the 503s of a channel that is not live yet never count as hls.js errors.
'use strict';

(() => {
  const RETRY_MS = 2000; // not live yet, network error, fatal playback error
  const SLOW_RETRY_MS = 10000; // 403/404: unlikely to change soon, do not hammer the server
  const STALL_MS = 10000; // no progress while playing: the input went away without an error
  const PROBE_TIMEOUT_MS = 8000;

  const MESSAGES = {
    waiting: 'Waiting for the stream…',
    denied: 'Access denied: check the playback token',
    not_found: 'No such channel',
    unsupported: 'This browser cannot play HLS',
  };

  // Retries inside hls.js bridge hiccups shorter than the ~6 s buffer (1 s, 2 s, 2 s apart); anything longer
  // becomes fatal and the restart loop below takes over.
  const loadPolicy = (firstByteMs, loadMs, retries) => ({
    default: {
      maxTimeToFirstByteMs: firstByteMs,
      maxLoadTimeMs: loadMs,
      timeoutRetry: { maxNumRetry: retries, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: retries, retryDelayMs: 1000, maxRetryDelayMs: 2000 },
    },
  });

  const HLS_CONFIG = {
    // A same-origin worker file: hls.js would otherwise build its worker from a blob: URL, which a strict CSP refuses.
    workerPath: '/assets/hls.worker.js',
    lowLatencyMode: false,
    liveSyncDurationCount: 3, // play 3 segments (~6 s) behind the live edge
    liveMaxLatencyDurationCount: 6, // fell more than ~12 s behind (after buffering): jump forward
    backBufferLength: 30, // a live embed may run for hours; no need to keep what was watched
    manifestLoadPolicy: loadPolicy(5000, 10000, 2),
    playlistLoadPolicy: loadPolicy(5000, 10000, 3),
    fragLoadPolicy: loadPolicy(5000, 20000, 3),
  };

  const video = document.getElementById('video');
  const overlay = document.getElementById('overlay');

  // Read by the browser tests (tests/browser/play_watch.mjs).
  const player = {
    state: 'waiting', // 'waiting' | 'playing' | 'denied' | 'not_found' | 'unsupported'
    fatalErrors: [], // every hls.js ERROR event with fatal: true
    restarts: 0, // playback sessions torn down and started again
    hls: null,
    latency() {
      const hls = player.hls;
      if (hls && Number.isFinite(hls.latency) && hls.latency > 0) return hls.latency;
      const s = video.seekable;
      return s.length ? Math.max(0, s.end(s.length - 1) - video.currentTime) : null;
    },
  };
  window.lunoraPlayer = player;

  let attached = false; // a playback session (hls.js or native) is running
  let retryTimer = null;
  let lastTime = -1;
  let lastProgressAt = 0;

  function setState(state, message = MESSAGES[state]) {
    player.state = state;
    overlay.textContent = message;
    overlay.hidden = state === 'playing';
  }

  // /watch/<channel_id>?token=T -> /hls/<channel_id>/index.m3u8?token=T (no ?token= when the page got none).
  function playlistUrl() {
    const match = location.pathname.match(/^\/watch\/([^/]+)\/?$/);
    if (!match) return null;
    const token = new URLSearchParams(location.search).get('token');
    // The path segment is kept as the address has it: already percent-encoded.
    return `/hls/${match[1]}/index.m3u8` + (token ? `?token=${encodeURIComponent(token)}` : '');
  }

  // Returns the playlist's HTTP status; 0 for a network error, a timeout, or a playlist that already has
  // #EXT-X-ENDLIST (a stream that stopped cleanly: wait for the next one instead of replaying its tail).
  async function probe(url) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PROBE_TIMEOUT_MS);
    try {
      const response = await fetch(url, { cache: 'no-store', signal: abort.signal });
      if (response.status === 200 && (await response.text()).includes('#EXT-X-ENDLIST')) return 0;
      return response.status;
    } catch {
      return 0;
    } finally {
      clearTimeout(timer);
    }
  }

  async function start() {
    const url = playlistUrl();
    if (!url) return setState('not_found'); // the address itself is wrong: retrying cannot help
    const status = await probe(url);
    if (status === 200) return attach(url);
    waitAfter(status);
  }

  // Shows what a non-200 answer means and schedules the next probe.
  function waitAfter(status) {
    if (status === 403) setState('denied');
    else if (status === 404) setState('not_found');
    else setState('waiting'); // 503 not_live while the server starts packaging, 0, 5xx
    retryLater(status === 403 || status === 404 ? SLOW_RETRY_MS : RETRY_MS);
  }

  function retryLater(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, ms);
  }

  function attach(url) {
    if (window.Hls && Hls.isSupported()) {
      const hls = new Hls(HLS_CONFIG);
      player.hls = hls;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return; // hls.js retries or recovers these itself
        const status = data.response && data.response.code;
        player.fatalErrors.push({ type: data.type, details: data.details, status: status || null });
        // A 403 (token revoked) waits like a refused probe; a segment 404 only means the player fell out of the
        // live window, so it restarts after the usual 2 s.
        restart(status === 403 ? 403 : 0);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, tryPlay);
      // The media sequence going backwards means a new stream replaced the playlist between two reloads; hls.js
      // would wait for segment numbers that will not come back, so start over instead of stalling for STALL_MS.
      let lastSequence = -1;
      hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
        if (data.details.live && data.details.startSN < lastSequence) return restart();
        lastSequence = data.details.startSN;
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url; // Safari (and iOS without MSE) plays HLS natively
      tryPlay();
    } else {
      return setState('unsupported');
    }
    attached = true;
    lastTime = -1;
    lastProgressAt = Date.now();
  }

  function teardown() {
    clearTimeout(retryTimer);
    if (player.hls) {
      player.hls.destroy(); // also detaches the video element
      player.hls = null;
    } else if (video.hasAttribute('src')) {
      video.removeAttribute('src');
      video.load();
    }
    attached = false;
  }

  function restart(status = 0) {
    if (!attached) return;
    teardown();
    player.restarts += 1;
    waitAfter(status);
  }

  function tryPlay() {
    video.muted = true; // browsers autoplay only muted video
    video.play().catch((err) => {
      // Autoplay refused (e.g. a power-saving mode): the controls' play button still works.
      if (err.name === 'NotAllowedError') setState(player.state, 'Press play to watch');
    });
  }

  // Called every second: a session whose time has not moved for STALL_MS while not paused is dead (the input went
  // away but the playlist still answers, or hls.js is stuck); a paused video is the viewer's choice, not a stall.
  function watchdog() {
    if (!attached) return;
    const now = Date.now();
    if (video.currentTime !== lastTime || video.paused) {
      lastTime = video.currentTime;
      lastProgressAt = now;
    } else if (now - lastProgressAt > STALL_MS) {
      restart();
    }
  }

  video.addEventListener('playing', () => attached && setState('playing'));
  // A live playlist that gained #EXT-X-ENDLIST (the packager stopped cleanly) ends playback: wait for the next one.
  video.addEventListener('ended', () => restart());
  // Native playback reports its failures here; with hls.js the ERROR event above does.
  video.addEventListener('error', () => !player.hls && restart());

  setState('waiting');
  setInterval(watchdog, 1000);
  start();
})();
