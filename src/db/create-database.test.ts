import { describe, expect, it } from 'vitest';
import { maskUrlCredentials } from './create-database.js';

describe('maskUrlCredentials', () => {
  it.each([
    ['postgres://lifeline:hunter2@db:5432/lifeline', 'postgres://lifeline:***@db:5432/lifeline'],
    ['postgres://lifeline@db/lifeline', 'postgres://lifeline@db/lifeline'],
    ['postgres://u:p%40ss@db/x?sslpassword=abc&application_name=l', 'postgres://u:***@db/x?sslpassword=***&application_name=l'],
    ['postgres://db/x?password=abc', 'postgres://db/x?password=***'],
    ['smtp://user:secret@mail.example.com:587', 'smtp://user:***@mail.example.com:587'],
    ['postgres://u:pa@ss@db/x', 'postgres://u:***@db/x'],
  ])('%s → %s', (url, masked) => {
    expect(maskUrlCredentials(url)).toBe(masked);
  });

  it('shows nothing of a URL it cannot parse', () => {
    expect(maskUrlCredentials('postgres://u:secret@[bad/x')).toBe('postgres://(unparsable URL)');
  });
});
