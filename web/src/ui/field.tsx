// A labelled form field with its hint and the server's error under it (tied to the input for assistive
// technologies), as the forms show them.
import type { ComponentChildren } from 'preact';

// What the input inside a Field carries when its value was refused.
export function invalid(error: string | undefined, id: string) {
  return error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}

export function Field({ id, label, error, hint, children }: {
  id: string; label: string; error: string | undefined; hint?: string | undefined; children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint">{hint}</p>}
      {error && <p id={`${id}-error`} class="error" role="alert">{error}</p>}
    </div>
  );
}
