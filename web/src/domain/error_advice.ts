// Why a destination failed and what to do about it, in the producer's words ("YouTube refused the stream: check
// the stream key"), from the closed set of codes the server reports in `last_error.code`.
import type { Destination } from '../api/types';

export interface ErrorAdvice {
  summary: string; // what happened, naming the platform
  action: string; // what to do
}

export function errorAdvice(destination: Destination, platformName: string): ErrorAdvice | null {
  const error = destination.last_error;
  if (!error) return null;
  // "Custom RTMP/RTMPS/SRT" reads badly in a sentence: name the destination itself then.
  const who = destination.platform === 'custom' ? destination.name : platformName;
  switch (error.code) {
    case 'publish_rejected':
      return { summary: `${who} refused the stream`, action: 'Check the stream key.' };
    case 'refused':
      return {
        summary: `${who} refused the connection`,
        action: 'Check the server URL and port, and that the server is up.',
      };
    case 'timeout':
      return { summary: `${who} did not answer in time`, action: 'Check the server URL and your network.' };
    case 'dns':
      return { summary: `The address of ${who} could not be found`, action: 'Check the host name in the server URL.' };
    case 'tls':
      return {
        summary: `The secure connection to ${who} failed`,
        action: 'Check that the URL is right for rtmps:// (host and port).',
      };
    case 'closed':
      return {
        summary: `${who} closed the connection`,
        action: 'Check the stream key, and that the platform expects a stream now.',
      };
    case 'unsupported_codec':
      return {
        summary: `${who} does not take the input's codec`,
        action: 'Set the encoder to a codec the platform accepts (H.264 and AAC work everywhere).',
      };
    case 'input_unavailable':
      return { summary: 'The channel has no usable input', action: 'Check that the encoder is sending.' };
    default:
      return { summary: `${who} failed`, action: error.message };
  }
}
