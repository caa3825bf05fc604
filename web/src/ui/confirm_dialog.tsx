// A modal confirmation (<dialog>: focus stays inside, Escape cancels). Focus starts on Cancel, so that Enter
// alone never deletes anything.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

interface Props {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy = false }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    cancel.current?.focus();
    const onClose = (event: Event) => {
      event.preventDefault();
      onCancel();
    };
    element.addEventListener('cancel', onClose);
    return () => {
      element.removeEventListener('cancel', onClose);
      if (element.open) element.close();
    };
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <div class="dialog-body">{children}</div>
      <div class="actions">
        <button type="button" ref={cancel} onClick={onCancel}>Cancel</button>
        <button type="button" class="button-danger" disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}
