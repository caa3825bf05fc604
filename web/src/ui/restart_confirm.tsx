// The question a direct-mode MediaLive channel makes the GUI ask before a destination change: the server's own
// reason, and which live destinations the restart interrupts. `ask` opens the dialog and answers the person's
// choice; render `dialog` where the asking component is.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/api_client';
import type { Destination } from '../api/types';
import { restartQuestion, type RestartQuestion } from '../domain/restart';
import { ConfirmDialog } from './confirm_dialog';

interface Pending {
  question: RestartQuestion;
  answer: (go: boolean) => void;
}

// `ask(errors, exclude)`: `exclude` names destinations the change stops anyway ("Stop all" ends them, it does not
// interrupt them).
export function useRestartConfirm(destinations: Record<string, Destination>)
  : { ask: (errors: ApiError[], exclude?: readonly string[]) => Promise<boolean>; dialog: JSX.Element | null } {
  const [pending, setPending] = useState<Pending | null>(null);

  const ask = (errors: ApiError[], exclude: readonly string[] = []) => new Promise<boolean>((resolve) => {
    setPending({
      question: restartQuestion(errors, destinations, exclude),
      answer: (go) => {
        setPending(null);
        resolve(go);
      },
    });
  });

  const dialog = pending && <RestartDialog question={pending.question} answer={pending.answer} />;
  return { ask, dialog };
}

function RestartDialog({ question, answer }: { question: RestartQuestion; answer: (go: boolean) => void }) {
  return (
    <ConfirmDialog title="Restart MediaLive?" confirmLabel="Restart MediaLive and apply"
      onConfirm={() => answer(true)} onCancel={() => answer(false)}>
      <blockquote class="server-message">{question.message}</blockquote>
      {question.names.length > 0
        ? (
          <p data-field="interrupted">
            The restart interrupts {question.names.length === 1 ? 'this live destination' : 'these live destinations'}:{' '}
            <strong>{question.names.join(', ')}</strong>.
          </p>
        )
        : <p data-field="interrupted">No other destination is live.</p>}
    </ConfirmDialog>
  );
}
