import type { ReactNode } from 'react';

/**
 * A message for the whole page or form. Errors are announced at once (role=alert); notices
 * politely (role=status). Both stay in place, so a screen reader can read them again.
 */
export function Alert({ kind, children }: { kind: 'error' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
