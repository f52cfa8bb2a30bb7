import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { ApiError } from '../api.js';
import { api } from '../api-client.js';
import type { HeldChangePreview } from '../api-types.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { formatEventTime } from '../security-events.js';

/**
 * What the page of a cancel link (/cancel-hold) knows before its button: nothing yet (`reading`,
 * or no token), the change that waits, one cancelled or applied already, or a dead link.
 */
export type HeldPreviewState =
  | { readonly state: 'none' }
  | { readonly state: 'waiting' | 'cancelled' | 'applied'; readonly change: HeldChangePreview }
  | { readonly state: 'dead'; readonly message: string };

/** Reads the change a cancel link names (POST /api/v1/recovery/held/preview; reading changes nothing). An empty token reads nothing. */
export function useHeldChangePreview(token: string): HeldPreviewState {
  const { t } = useI18n();
  const [preview, setPreview] = useState<HeldPreviewState>({ state: 'none' });
  useEffect(() => {
    if (token === '') return;
    let current = true;
    api.recovery.previewHeld({ token }).then(
      (change) => current && setPreview({ state: change.status, change }),
      // A network failure leaves the page as it is (its button will say so); a dead link is said at once.
      (failure: unknown) =>
        current && failure instanceof ApiError && failure.code === 'link-expired' && setPreview({ state: 'dead', message: errorMessage(t, failure) }),
    );
    return () => {
      current = false;
    };
  }, [token, t]);
  return preview;
}

/** The change in words ("das Entfernen Ihrer Wiederherstellungs-E-Mail-Adresse") and its time in this browser's zone. */
export function heldParams(t: TFunction, change: HeldChangePreview, locale: string): Record<string, string> {
  return { what: t(`ui.confirm.heldWhat.${change.kind}`), date: formatEventTime(change.effectiveAt, locale, Intl.DateTimeFormat().resolvedOptions().timeZone) };
}

/** A sentence's parameters with the held change's `kind` put in words as `what`. */
export function withHeldWhat(t: TFunction, params: Readonly<Record<string, string>>): Record<string, string> {
  return params.kind === undefined ? { ...params } : { ...params, what: t(`ui.confirm.heldWhat.${params.kind}`) };
}
