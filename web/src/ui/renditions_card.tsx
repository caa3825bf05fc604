// The channel's renditions (issue 9): each one an encode of the input to a size and bitrate, shared by every
// destination that names it and running only while one of them is on. Lists them with how they keep up, and adds
// or edits one in a form below the list. A direct-mode MediaLive channel has none (MediaLive encodes).
import { useState } from 'preact/hooks';
import type { Channel } from '../api/types';
import { RenditionForm } from './rendition_form';
import { RenditionItem } from './rendition_item';

type Editing = { kind: 'add' } | { kind: 'edit'; name: string } | null;

export function RenditionsCard({ channel }: { channel: Channel }) {
  const [editing, setEditing] = useState<Editing>(null);
  const renditions = channel.renditions;
  // Deleted while its form was open (another tab): the form goes away with it.
  const edited = editing?.kind === 'edit' ? renditions.find((r) => r.name === editing.name) ?? null : null;
  const formOpen = editing?.kind === 'add' || edited !== null;
  return (
    <section class="card card-wide" aria-labelledby="renditions-title">
      <h2 id="renditions-title">Renditions</h2>
      <p class="hint">
        A destination gets the input as it comes (passthrough) or a rendition: the input encoded again, once for
        every destination that uses it, while one of them is on.
      </p>
      {renditions.length === 0
        ? (
          <p class="muted" data-field="no-renditions">
            No renditions yet: every destination gets the input as it comes.
          </p>
        )
        : (
          <ul class="rendition-list">
            {renditions.map((r) => (
              <li key={r.name}>
                <RenditionItem channel={channel} rendition={r}
                  onEdit={() => setEditing({ kind: 'edit', name: r.name })} />
              </li>
            ))}
          </ul>
        )}
      {formOpen
        ? <RenditionForm key={edited?.name ?? ''} channel={channel} existing={edited} onDone={() => setEditing(null)} />
        : (
          <div class="actions">
            <button type="button" onClick={() => setEditing({ kind: 'add' })}>Add rendition</button>
          </div>
        )}
    </section>
  );
}
