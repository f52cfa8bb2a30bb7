import { useEffect, useRef } from 'react';

/**
 * WebOTP: while `active`, where the browser offers it, the code from the SMS (which ends with
 * "@host #code") is handed to `onCode`. Stopped when `active` ends or the component goes; without
 * support, or when the SMS lacks the origin line, nothing happens.
 */
export function useSmsCode(active: boolean, onCode: (code: string) => void): void {
  const callback = useRef(onCode);
  callback.current = onCode;
  useEffect(() => {
    if (!active || !('OTPCredential' in window) || !('credentials' in navigator)) return;
    const controller = new AbortController();
    const request = { otp: { transport: ['sms'] }, signal: controller.signal } as CredentialRequestOptions;
    navigator.credentials.get(request).then(
      (credential) => {
        const received = (credential as unknown as { code?: unknown } | null)?.code;
        if (typeof received === 'string' && /^\d{6}$/.test(received)) callback.current(received);
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [active]);
}
