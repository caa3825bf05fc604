// The backup input in words (issue 6): how each input is doing, which one is on air, why the last switch
// happened and what the failover settings mean.
import type { BackupInput, Channel, ChannelInput, InputRole, SwitchReason } from '../api/types';

const ROLE_WORDS: Record<InputRole, string> = { primary: 'primary', backup: 'backup' };

const REASON_WORDS: Record<SwitchReason, string> = {
  primary_lost: 'the primary input stopped delivering',
  backup_lost: 'the backup input stopped delivering',
  failback: 'the primary input was back',
  manual: 'switched by hand',
  backup_removed: 'the backup input was removed',
};

// "primary", "backup"; a newer server's role as it is spelled.
export function roleWord(role: InputRole): string {
  return ROLE_WORDS[role] ?? role;
}

export function switchReasonWords(reason: SwitchReason): string {
  return REASON_WORDS[reason] ?? reason;
}

// The input a switch button puts on air: the one that is not (null without a backup).
export function switchTarget(channel: Channel): InputRole | null {
  if (!channel.backup_input) return null;
  return channel.active_input === 'backup' ? 'primary' : 'backup';
}

// One input's health in a few words: does an encoder send, and does media arrive.
export function inputHealthWords(input: ChannelInput | BackupInput): string {
  if (!input.listening) return 'Not listening';
  if (!input.connected) return 'Waiting for the encoder';
  const how = input.connected_protocol ? ` over ${input.connected_protocol.toUpperCase()}` : '';
  return input.delivering ? `Delivering${how}` : `Connected${how}, no media`;
}

// "after 1 s without media", "after 0.5 s without media".
export function failoverAfterWords(ms: number): string {
  return `after ${Math.round(ms / 100) / 10} s without media`;
}

export function failbackWords(seconds: number): string {
  return seconds === 0
    ? 'Back to the primary only by hand'
    : `Back to the primary once it has delivered for ${seconds} s`;
}

// The events log's line for an `input_switched` event: a lost input is a warning, a planned switch is not.
export function switchLogLine(channelName: string, to: InputRole, reason: SwitchReason): ['info' | 'warning', string] {
  const level = reason === 'primary_lost' || reason === 'backup_lost' ? 'warning' : 'info';
  return [level, `Channel ${channelName}: ${roleWord(to)} input on air (${switchReasonWords(reason)})`];
}
