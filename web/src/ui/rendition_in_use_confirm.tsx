// The question deleting a rendition in use makes the GUI ask: the server refused (409 rendition_in_use) and named
// the destinations that use it; confirmed, they go back to passthrough (the input as it comes) and the delete is
// sent again with force. `ask` opens the dialog and answers the person's choice; render `dialog` where the asking
// component is.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/api_client';
import type { Destination } from '../api/types';
import { inUseQuestion, type InUseQuestion } from '../domain/renditions';
import { ConfirmDialog } from './confirm_dialog';

interface Pending {
  question: InUseQuestion;
  answer: (go: boolean) => void;
}

export function useInUseConfirm(name: string, destinations: Record<string, Destination>)
  : { ask: (error: ApiError) => Promise<boolean>; dialog: JSX.Element | null } {
  const [pending, setPending] = useState<Pending | null>(null);

  const ask = (error: ApiError) => new Promise<boolean>((resolve) => {
    setPending({
      question: inUseQuestion(error, destinations),
      answer: (go) => {
        setPending(null);
        resolve(go);
      },
    });
  });

  const dialog = pending && <InUseDialog name={name} question={pending.question} answer={pending.answer} />;
  return { ask, dialog };
}

function InUseDialog({ name, question, answer }: {
  name: string; question: InUseQuestion; answer: (go: boolean) => void;
}) {
  const users = question.users;
  const live = users.some((u) => u.live);
  return (
    <ConfirmDialog title={`Delete rendition “${name}”?`} confirmLabel="Delete and use passthrough"
      onConfirm={() => answer(true)} onCancel={() => answer(false)}>
      <p data-field="in-use">
        {users.length === 1 ? 'This destination uses it' : 'These destinations use it'}:{' '}
        <strong>{users.map((u) => (u.live ? `${u.name} (live)` : u.name)).join(', ')}</strong>.
      </p>
      <p>
        They go back to passthrough: the input as it comes{live ? '; the live ones reconnect' : ''}.
      </p>
      <blockquote class="server-message">{question.message}</blockquote>
    </ConfirmDialog>
  );
}
