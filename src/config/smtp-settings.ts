/**
 * SMTP_URL in production must encrypt the connection, since mails carry codes and links:
 * `smtps://` (TLS from the first byte) or `smtp://…?requireTLS=true` (STARTTLS, and nodemailer
 * stops rather than send in plain text when the server does not offer it). nodemailer reads
 * the URL's query parameters as options (`true`/`false` become booleans; a parameter cannot
 * override the scheme's `secure`): `ignoreTLS` would skip STARTTLS and is refused, and so is
 * `service`, whose preset may replace the scheme's TLS settings. The password is never echoed
 * (docs/operations.md "Email delivery").
 */
export function productionSmtpProblems(value: string): string[] {
  const url = new URL(value);
  const query = url.searchParams;
  const problems: string[] = [];
  const only = (name: string) => (query.getAll(name).length === 1 ? query.get(name) : undefined);
  if (query.has('ignoreTLS') && only('ignoreTLS') !== 'false') {
    problems.push('SMTP_URL: ignoreTLS is not allowed in production (mails carry codes and links; use smtps:// or smtp://…?requireTLS=true)');
  }
  if (query.has('service'))
    problems.push('SMTP_URL: the service parameter is not allowed in production (give host and port, with smtps:// or ?requireTLS=true)');
  if (url.protocol === 'smtp:' && only('requireTLS') !== 'true') {
    problems.push('SMTP_URL: must use TLS in production: smtps://… (implicit TLS, port 465) or smtp://…?requireTLS=true (STARTTLS required, port 587)');
  }
  return problems;
}
