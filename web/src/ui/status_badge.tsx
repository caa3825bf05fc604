// A status as a word in a coloured pill: the word carries the meaning, the colour only repeats it.
import type { ChannelState, DestinationStatus, HlsStatus, RenditionState } from '../api/types';
import { channelStateWord, hlsWord, renditionStateWord, statusTone, statusWord } from '../domain/status_words';

type Props =
  | { kind: 'destination'; status: DestinationStatus }
  | { kind: 'channel'; status: ChannelState }
  | { kind: 'hls'; status: HlsStatus }
  | { kind: 'rendition'; status: RenditionState };

export function StatusBadge(props: Props) {
  const word = props.kind === 'destination' ? statusWord(props.status)
    : props.kind === 'channel' ? channelStateWord(props.status)
      : props.kind === 'rendition' ? renditionStateWord(props.status) : hlsWord(props.status);
  return <span class={`badge badge-${statusTone(props.status)}`} data-status={props.status}>{word}</span>;
}
