import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { defaultDataDir, parseConfig } from './parse-config.js';
import { configProblems } from '../../test/helpers/test-config.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 2).toString('base64');

describe('parseConfig', () => {
  it('case=the embedded default: everything from defaults, frozen', () => {
    const config = parseConfig({ SECRET_KEY: KEY });
    expect(config.env).toBe('development');
    expect(config.http).toMatchObject({
      host: 'localhost',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      secure: false,
      trustProxy: false,
      bodyLimitBytes: 16384,
    });
    expect(defaultDataDir).toBe(join(import.meta.dirname, '..', '..', 'data')); // the installation's data/, not the working directory's
    expect(config.dataDir).toBe(defaultDataDir);
    expect(config.database).toEqual({ dialect: 'sqlite', path: join(defaultDataDir, 'lifeline.db'), url: `sqlite:${join(defaultDataDir, 'lifeline.db')}` });
    expect(config.delivery.devMailbox).toBe(true);
    expect(config.metrics.token).toBeUndefined();
    expect(config.argon2).toEqual({ memoryKib: 19456, iterations: 2, parallelism: 1, concurrency: expect.any(Number) });
    expect(config.rateLimits.store).toBe('memory');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('case=PUBLIC_URL derives from PORT, loses a trailing slash, and https turns on secure', () => {
    expect(parseConfig({ SECRET_KEY: KEY, PORT: '8080' }).http.publicUrl).toBe('http://localhost:8080');
    const https = parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: 'https://id.example.com/' });
    expect(https.http).toMatchObject({ publicUrl: 'https://id.example.com', publicOrigin: 'https://id.example.com', secure: true });
  });

  it('case=empty variables mean "use the default" (a copied .env.example works)', () => {
    const config = parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: '', RATE_LIMIT_STORE: '', PORT: ' ' });
    expect(config.http.port).toBe(3000);
    expect(config.rateLimits.store).toBe('memory');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a whole number (got "eighty")'],
    [{ PORT: '70000' }, 'PORT: must be at most 65535 (got "70000")'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV: must be development, production or test (got "staging")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL: must be an absolute http:// or https:// URL (got "ftp://x")'],
    [{ PUBLIC_URL: 'https://x.example/?a=1' }, 'PUBLIC_URL: must not contain a query or fragment'],
    [{ DATABASE_URL: 'mysql://nowhere' }, 'DATABASE_URL: must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL: must be an smtp:// or smtps:// URL'],
    [{ TRUST_PROXY: '10.0.0.0/99' }, 'TRUST_PROXY: must be a comma-separated list'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN: must be at least 16 characters'],
    [{ ARGON2_MEMORY_KIB: '4096' }, 'ARGON2_MEMORY_KIB: must be at least 19456 (got "4096")'],
    [{ ARGON2_ITERATIONS: '1' }, 'ARGON2_ITERATIONS: must be at least 2'],
    [{ RUN_WORKER: 'maybe' }, 'RUN_WORKER: must be true or false'],
    [{ RATE_LIMIT_STORE: 'redis' }, 'RATE_LIMIT_STORE: must be memory or postgres'],
    [{ RATE_LIMIT_STORE: 'postgres' }, 'RATE_LIMIT_STORE: postgres needs a postgres:// DATABASE_URL'],
    [{ DEFAULT_LOCALE: 'fr' }, 'DEFAULT_LOCALE: must be de or en'],
    [{ HOST: 'not a host!' }, 'HOST: must be an IP address or a host name'],
    [{ MAIL_FROM: 'Lifeline' }, 'MAIL_FROM: must be an address, optionally with a name'],
    [{ MAIL_FROM: 'Lifeline <x@example.com>\r\nBcc: y@example.com' }, 'MAIL_FROM: must be an address'],
    [{ OUTBOX_RETRY_BASE_SECONDS: '100', OUTBOX_RETRY_MAX_SECONDS: '10' }, 'OUTBOX_RETRY_MAX_SECONDS: must not be smaller than OUTBOX_RETRY_BASE_SECONDS'],
  ])('case=a wrong value stops with a message naming the variable: %o', (env, message) => {
    const problems = configProblems({ SECRET_KEY: KEY, ...env });
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
  });

  it('case=ALLOWED_RETURN_ORIGINS: origins or origins with a path prefix, optionally named; a wildcard, a query or garbage is named (docs/integration.md "Return links")', () => {
    expect(parseConfig({ SECRET_KEY: KEY }).returnLinks).toEqual([]);
    const config = parseConfig({
      SECRET_KEY: KEY,
      ALLOWED_RETURN_ORIGINS: ' https://app.example.com, http://localhost:4000/ ,Mein Shop=https://shop.example.com/account/',
      VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: '7',
    });
    expect(config.returnLinks).toEqual([
      { name: 'app.example.com', origin: 'https://app.example.com', path: '/' },
      { name: 'localhost', origin: 'http://localhost:4000', path: '/' },
      { name: 'Mein Shop', origin: 'https://shop.example.com', path: '/account' },
    ]);
    expect(config.actionVerification).toEqual({ hostMinChannelAgeMs: 7 * 86_400_000 });
    for (const bad of [
      'https://app.example.com/?next=x',
      'https://*.example.com',
      'app.example.com',
      'ftp://files.example.com',
      'https://a.example@evil.example',
      'https://app.example.com/a/../b',
    ]) {
      expect(configProblems({ SECRET_KEY: KEY, ALLOWED_RETURN_ORIGINS: bad }).join(' '), bad).toContain(`ALLOWED_RETURN_ORIGINS: ${JSON.stringify(bad)}`);
    }
    // Plain http in production only where an entry says so.
    const production = {
      NODE_ENV: 'production',
      SECRET_KEY: KEY,
      METRICS_TOKEN: 'm'.repeat(16),
      PUBLIC_URL: 'https://id.example.com',
      SMTP_URL: 'smtps://mail.example.com',
    };
    expect(configProblems({ ...production, ALLOWED_RETURN_ORIGINS: 'http://intranet.example' }).join(' ')).toContain('insecure:http://intranet.example');
    expect(parseConfig({ ...production, ALLOWED_RETURN_ORIGINS: 'Intranet=insecure:http://intranet.example' }).returnLinks).toEqual([
      { name: 'Intranet', origin: 'http://intranet.example', path: '/' },
    ]);
  });

  it('case=CORS_ORIGINS: exact origins only; no wildcard, path or null; plain http not in production', () => {
    expect(parseConfig({ SECRET_KEY: KEY }).http.sessionCheckOrigins).toEqual([]);
    expect(
      parseConfig({ SECRET_KEY: KEY, CORS_ORIGINS: ' https://app.example.com, http://localhost:5173/ ,https://app.example.com' }).http.sessionCheckOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of [
      '*',
      'https://*.example.com',
      'https://app.example.com/path',
      'null',
      'app.example.com',
      'ftp://app.example.com',
      'https://user@app.example.com',
    ]) {
      expect(configProblems({ SECRET_KEY: KEY, CORS_ORIGINS: bad }).join(' '), bad).toContain(`CORS_ORIGINS: ${JSON.stringify(bad)} is not an origin`);
    }
    const production = {
      NODE_ENV: 'production',
      SECRET_KEY: KEY,
      METRICS_TOKEN: 'm'.repeat(16),
      PUBLIC_URL: 'https://id.example.com',
      SMTP_URL: 'smtps://mail.example.com',
    };
    expect(configProblems({ ...production, CORS_ORIGINS: 'http://app.example.com' }).join(' ')).toContain(
      'CORS_ORIGINS: "http://app.example.com" is plain http',
    );
  });

  it('case=SESSION_COOKIE_DOMAIN: a domain PUBLIC_URL is on; anything else stops the start naming it', () => {
    expect(parseConfig({ SECRET_KEY: KEY }).http.sessionCookieDomain).toBeUndefined();
    expect(parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: 'https://id.example.com', SESSION_COOKIE_DOMAIN: '.Example.com' }).http.sessionCookieDomain).toBe(
      'example.com',
    );
    expect(parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: 'https://id.example.com', SESSION_COOKIE_DOMAIN: 'id.example.com' }).http.sessionCookieDomain).toBe(
      'id.example.com',
    );
    for (const [domain, message] of [
      ['example.org', 'SESSION_COOKIE_DOMAIN: PUBLIC_URL\'s host "id.example.com" is not example.org'],
      ['ample.com', 'SESSION_COOKIE_DOMAIN: PUBLIC_URL\'s host "id.example.com" is not ample.com'],
      ['other.id.example.com', 'SESSION_COOKIE_DOMAIN: PUBLIC_URL\'s host "id.example.com" is not other.id.example.com'],
      ['com', 'SESSION_COOKIE_DOMAIN: must be a domain'],
      ['https://example.com', 'SESSION_COOKIE_DOMAIN: must be a domain'],
      ['example.com:443', 'SESSION_COOKIE_DOMAIN: must be a domain'],
      ['*.example.com', 'SESSION_COOKIE_DOMAIN: must be a domain'],
      ['127.0.0.1', 'SESSION_COOKIE_DOMAIN: must be a domain'],
    ] as const) {
      expect(configProblems({ SECRET_KEY: KEY, PUBLIC_URL: 'https://id.example.com', SESSION_COOKIE_DOMAIN: domain }).join(' '), domain).toContain(message);
    }
  });

  it('case=every wrong variable is reported at once', () => {
    const problems = configProblems({ SECRET_KEY: KEY, PORT: 'x', LOG_LEVEL: 'y', NODE_ENV: 'z' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'NODE_ENV', 'PORT']);
  });

  it('case=secret values are never echoed in a message', () => {
    const problems = configProblems({ SECRET_KEY: 'c2hvcnQ=', DATABASE_URL: 'mysql://user:hunter2@db', METRICS_TOKEN: 'tiny' });
    const text = problems.join('\n');
    expect(text).toContain('SECRET_KEY: must be at least 32 random bytes');
    expect(text).not.toContain('c2hvcnQ=');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('tiny');
  });

  it('case=production requires SECRET_KEY, METRICS_TOKEN, an https PUBLIC_URL and SMTP_URL', () => {
    const problems = configProblems({ NODE_ENV: 'production' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['METRICS_TOKEN', 'PUBLIC_URL', 'SECRET_KEY', 'SMTP_URL']);
    expect(
      configProblems({ NODE_ENV: 'production', SECRET_KEY: KEY, METRICS_TOKEN: 'x'.repeat(16), SMTP_URL: 'smtps://mail', PUBLIC_URL: 'http://id.example.com' }),
    ).toEqual(['PUBLIC_URL: must be https:// in production (links in emails carry one-time secrets)']);
    const config = parseConfig({
      NODE_ENV: 'production',
      SECRET_KEY: KEY,
      METRICS_TOKEN: 'x'.repeat(16),
      SMTP_URL: 'smtps://mail',
      PUBLIC_URL: 'https://id.example.com',
    });
    expect(config.isProduction).toBe(true);
    expect(config.delivery.devMailbox).toBe(false); // never in production
  });

  describe('case=SMTP_URL in production must encrypt (docs/operations.md "Email delivery")', () => {
    const PRODUCTION = { NODE_ENV: 'production', SECRET_KEY: KEY, METRICS_TOKEN: 'x'.repeat(16), PUBLIC_URL: 'https://id.example.com' };
    const NEEDS_TLS = 'SMTP_URL: must use TLS in production: smtps://… (implicit TLS, port 465) or smtp://…?requireTLS=true (STARTTLS required, port 587)';
    const NO_IGNORE = 'SMTP_URL: ignoreTLS is not allowed in production (mails carry codes and links; use smtps:// or smtp://…?requireTLS=true)';
    const NO_SERVICE = 'SMTP_URL: the service parameter is not allowed in production (give host and port, with smtps:// or ?requireTLS=true)';

    it.each([
      'smtps://user:pass@mail.example.com:465',
      'smtps://mail.example.com',
      'smtp://user:pass@mail.example.com:587?requireTLS=true',
      'smtp://mail.example.com:587?requireTLS=true&name=lifeline.example.com',
      'smtp://mail.example.com:587?requireTLS=true&ignoreTLS=false',
      'smtps://mail.example.com?ignoreTLS=false',
    ])('accepts %s', (url) => {
      expect(parseConfig({ ...PRODUCTION, SMTP_URL: url }).mail.smtpUrl).toBe(url);
    });

    it.each([
      ['smtp://user:hunter2@mail.example.com:587', [NEEDS_TLS]],
      ['smtp://mail.example.com:25', [NEEDS_TLS]],
      // nodemailer keeps the scheme's secure=false: a secure parameter does not turn TLS on.
      ['smtp://mail.example.com:465?secure=true', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS=false', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS=yes', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS=TRUE', [NEEDS_TLS]],
      ['smtp://mail.example.com?requiretls=true', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS=true&requireTLS=false', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS', [NEEDS_TLS]],
      ['smtp://mail.example.com?requireTLS=true&ignoreTLS=true', [NO_IGNORE]],
      ['smtps://user:hunter2@mail.example.com?ignoreTLS=true', [NO_IGNORE]],
      ['smtps://mail.example.com?ignoreTLS=1', [NO_IGNORE]],
      ['smtps://mail.example.com?ignoreTLS', [NO_IGNORE]],
      ['smtp://mail.example.com?ignoreTLS=true', [NO_IGNORE, NEEDS_TLS]],
      ['smtps://mail.example.com?service=Outlook365', [NO_SERVICE]],
    ])('refuses %s, naming SMTP_URL and never its password', (url, expected) => {
      const problems = configProblems({ ...PRODUCTION, SMTP_URL: url });
      expect(problems).toEqual(expected);
      expect(problems.join('\n')).not.toContain('hunter2');
    });

    it('outside production every smtp:// URL stays allowed, ignoreTLS too', () => {
      for (const env of ['development', 'test']) {
        for (const url of ['smtp://127.0.0.1:2525', 'smtp://mail.example.com?ignoreTLS=true', 'smtp://mail.example.com?service=Outlook365']) {
          expect(parseConfig({ SECRET_KEY: KEY, NODE_ENV: env, SMTP_URL: url }).mail.smtpUrl).toBe(url);
        }
      }
    });
  });

  it('case=an SMTP transport switches the development mailbox off', () => {
    expect(parseConfig({ SECRET_KEY: KEY, SMTP_URL: 'smtp://127.0.0.1:2525' }).delivery.devMailbox).toBe(false);
  });

  it('case=postgres URL selects the postgres dialect and rate-limit store', () => {
    const config = parseConfig({ SECRET_KEY: KEY, DATABASE_URL: 'postgres://lifeline@db:5432/lifeline' });
    expect(config.database.dialect).toBe('postgres');
    expect(config.rateLimits.store).toBe('postgres');
  });

  it('case=TRUST_PROXY takes addresses, ranges and named ranges', () => {
    expect(parseConfig({ SECRET_KEY: KEY, TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,loopback,::1,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
  });

  describe('keys (docs/reference/contracts.md "Keys")', () => {
    it('case=a key gets a stable derived id, or the id it is named with', () => {
      const a = parseConfig({ SECRET_KEY: KEY });
      const b = parseConfig({ SECRET_KEY: KEY });
      expect(a.keys.current.id).toMatch(/^[0-9a-f]{8}$/);
      expect(a.keys.current.id).toBe(b.keys.current.id);
      expect(parseConfig({ SECRET_KEY: `k2026:${KEY}` }).keys.current.id).toBe('k2026');
    });

    it('case=previous keys stay available by id after a rotation', () => {
      const old = parseConfig({ SECRET_KEY: `old:${KEY}` }).keys.current;
      const rotated = parseConfig({ SECRET_KEY: `new:${OTHER_KEY}`, PREVIOUS_SECRET_KEYS: `old:${KEY}` }).keys;
      expect(rotated.current.id).toBe('new');
      expect(rotated.byId('old')?.equals(old.key)).toBe(true);
      expect(rotated.byId('gone')).toBeUndefined();
    });

    it('case=a short, malformed or duplicate key is refused', () => {
      expect(configProblems({ SECRET_KEY: Buffer.alloc(16).toString('base64') })[0]).toMatch(/^SECRET_KEY: must be at least 32 random bytes/);
      expect(configProblems({ SECRET_KEY: 'not base64!!' })[0]).toMatch(/^SECRET_KEY: must be base64/);
      expect(configProblems({ SECRET_KEY: `a:${KEY}`, PREVIOUS_SECRET_KEYS: `a:${OTHER_KEY}` })[0]).toMatch(
        /^PREVIOUS_SECRET_KEYS: contains a key with the same id/,
      );
    });

    it('case=outside production without SECRET_KEY it needs the key file (see loadConfig)', () => {
      expect(configProblems({})[0]).toMatch(/^SECRET_KEY: is not set/);
      expect(parseConfig({}, { fallbackSecretKey: Buffer.alloc(32, 9) }).keys.current.key.equals(Buffer.alloc(32, 9))).toBe(true);
    });
  });

  describe('case=SMS (recovery phone)', () => {
    const PROD = { NODE_ENV: 'production', SECRET_KEY: KEY, METRICS_TOKEN: 'x'.repeat(16), SMTP_URL: 'smtps://mail', PUBLIC_URL: 'https://id.example.com' };

    it('the embedded default sends SMS to the development mailbox; DE, AT, CH and the EU are allowed', () => {
      const config = parseConfig({ SECRET_KEY: KEY });
      expect(config.sms.provider).toEqual({ kind: 'dev' });
      expect(config.sms.defaultCountry).toBe('DE');
      expect(config.sms.allowedCountries).toHaveLength(28); // the 27 member states of the EU and CH
      expect(config.sms.allowedCountries).toEqual(expect.arrayContaining(['DE', 'AT', 'CH', 'FR', 'IT', 'PL', 'SE', 'IE']));
      expect(config.sms.caps).toEqual({
        accountPerHour: 5,
        numberPerHour: 5,
        prefixPerHour: 10,
        countryPerHour: 200,
        clientPerHour: 10,
        setupBudgetPerHour: 500,
        confirmedBudgetPerHour: 2000,
      });
    });

    it('production without a provider has none (the phone is hidden); dev in production stops the start', () => {
      expect(parseConfig(PROD).sms.provider).toEqual({ kind: 'none' });
      expect(configProblems({ ...PROD, SMS_PROVIDER: 'dev' })).toEqual([
        expect.stringMatching(/^SMS_PROVIDER: dev is the development mailbox and never allowed in production/),
      ]);
    });

    it('twilio and webhook need their settings, named', () => {
      expect(configProblems({ SECRET_KEY: KEY, SMS_PROVIDER: 'twilio' }).map((p) => p.split(':')[0])).toEqual([
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'TWILIO_FROM',
      ]);
      expect(
        configProblems({ SECRET_KEY: KEY, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_SECRET: 'short' })
          .map((p) => p.split(':')[0])
          .sort(),
      ).toEqual(['SMS_WEBHOOK_SECRET']);
      expect(
        configProblems({ SECRET_KEY: KEY, SMS_PROVIDER: 'webhook' })
          .map((p) => p.split(':')[0])
          .sort(),
      ).toEqual(['SMS_WEBHOOK_SECRET', 'SMS_WEBHOOK_URL']);
      const twilio = parseConfig({
        SECRET_KEY: KEY,
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC1',
        TWILIO_AUTH_TOKEN: 'secret',
        TWILIO_FROM: '+15005550006',
      });
      expect(twilio.sms.provider).toEqual({ kind: 'twilio', accountSid: 'AC1', authToken: 'secret', from: '+15005550006', baseUrl: 'https://api.twilio.com' });
      // SMS through Twilio, email still in the development mailbox.
      expect(twilio.delivery.devMailbox).toBe(true);
      expect(
        configProblems({
          ...PROD,
          SMS_PROVIDER: 'twilio',
          TWILIO_ACCOUNT_SID: 'AC1',
          TWILIO_AUTH_TOKEN: 'secret',
          TWILIO_FROM: '+1',
          TWILIO_BASE_URL: 'http://twilio.local',
        }),
      ).toEqual(['TWILIO_BASE_URL: must be https:// in production']);
    });

    it('the webhook must be https in production', () => {
      expect(configProblems({ ...PROD, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'http://hook.internal/sms', SMS_WEBHOOK_SECRET: 'x'.repeat(16) })).toEqual([
        'SMS_WEBHOOK_URL: must be https:// in production (the body carries the code)',
      ]);
      expect(
        parseConfig({ ...PROD, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'https://hook.internal/sms', SMS_WEBHOOK_SECRET: 'x'.repeat(16) }).sms.provider.kind,
      ).toBe('webhook');
    });

    it('countries must be known, and the default one allowed; a secret is never echoed', () => {
      expect(configProblems({ SECRET_KEY: KEY, SMS_ALLOWED_COUNTRIES: 'DE,XX' })).toEqual(['SMS_ALLOWED_COUNTRIES: unknown country codes XX']);
      expect(configProblems({ SECRET_KEY: KEY, SMS_ALLOWED_COUNTRIES: 'AT,CH' })).toEqual([
        'SMS_DEFAULT_COUNTRY: must be one of SMS_ALLOWED_COUNTRIES (got "DE")',
      ]);
      expect(configProblems({ SECRET_KEY: KEY, SMS_ALLOWED_COUNTRIES: 'Deutschland' })[0]).toMatch(/^SMS_ALLOWED_COUNTRIES: must be a comma-separated list/);
      expect(parseConfig({ SECRET_KEY: KEY, SMS_ALLOWED_COUNTRIES: ' at, ch ', SMS_DEFAULT_COUNTRY: 'ch' }).sms).toMatchObject({
        allowedCountries: ['AT', 'CH'],
        defaultCountry: 'CH',
      });
      expect(
        configProblems({ SECRET_KEY: KEY, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'http://hook', SMS_WEBHOOK_SECRET: 'tiny-secret' }).join(' '),
      ).not.toContain('tiny-secret');
    });
  });
});
