import { createHash, X509Certificate } from 'node:crypto';
import type { ListenAddress, ServiceName } from '../config/types.js';

/**
 * What mail programs need to set up an account on this box, and the three
 * self-configuration formats they fetch: Thunderbird autoconfig
 * (clientConfig v1.1), Outlook autodiscover (POX, 2006a schema) and an Apple
 * configuration profile. Pure: every value put into XML is escaped.
 *
 * Implicit TLS is offered first (RFC 8314 §3: 993, 465 preferred over
 * STARTTLS); the box's own ports come from the listen configuration.
 */

export type SocketType = 'SSL' | 'STARTTLS';

export interface ServerEndpoint {
  protocol: 'imap' | 'pop3' | 'smtp';
  host: string;
  port: number;
  socket: SocketType;
}

export interface ClientSettings {
  address: string;
  username: string;
  domain: string;
  incoming: ServerEndpoint[];
  outgoing: ServerEndpoint[];
}

const ORDER: [ServiceName, ServerEndpoint['protocol'], SocketType][] = [
  ['imaps', 'imap', 'SSL'],
  ['imap', 'imap', 'STARTTLS'],
  ['pop3s', 'pop3', 'SSL'],
  ['pop3', 'pop3', 'STARTTLS'],
  ['submissions', 'smtp', 'SSL'],
  ['submission', 'smtp', 'STARTTLS'],
];

/** The servers a client should use, best first, from the enabled listeners. */
export function clientSettings(hostname: string, listen: Partial<Record<ServiceName, ListenAddress>>, address: string): ClientSettings {
  const incoming: ServerEndpoint[] = [];
  const outgoing: ServerEndpoint[] = [];
  for (const [service, protocol, socket] of ORDER) {
    const l = listen[service];
    if (!l) continue;
    (protocol === 'smtp' ? outgoing : incoming).push({ protocol, host: hostname, port: l.port, socket });
  }
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : hostname;
  return { address, username: address, domain, incoming, outgoing };
}

/** XML text escaping (also for attribute values). */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Thunderbird autoconfig (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat). */
export function autoconfigXml(s: ClientSettings, hostname: string): string {
  const server = (tag: 'incomingServer' | 'outgoingServer', e: ServerEndpoint): string =>
    [
      `    <${tag} type="${e.protocol}">`,
      `      <hostname>${xmlEscape(e.host)}</hostname>`,
      `      <port>${e.port}</port>`,
      `      <socketType>${e.socket}</socketType>`,
      '      <authentication>password-cleartext</authentication>',
      '      <username>%EMAILADDRESS%</username>',
      `    </${tag}>`,
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${xmlEscape(s.domain)}">`,
    `    <domain>${xmlEscape(s.domain)}</domain>`,
    `    <displayName>${xmlEscape(`${s.domain} (Letterbox at ${hostname})`)}</displayName>`,
    `    <displayShortName>${xmlEscape(s.domain)}</displayShortName>`,
    ...s.incoming.map((e) => server('incomingServer', e)),
    ...s.outgoing.map((e) => server('outgoingServer', e)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

/** The address in an Outlook autodiscover request body, or null. No XML parser: only this one element is read. */
export function autodiscoverRequestAddress(body: string): string | null {
  const m = /<EMailAddress>\s*([^<\s]{3,320})\s*<\/EMailAddress>/i.exec(body);
  return m ? (m[1] as string) : null;
}

/** Outlook autodiscover answer (POX, "outlook/responseschema/2006a"). */
export function autodiscoverXml(s: ClientSettings): string {
  const proto = (e: ServerEndpoint): string =>
    [
      '      <Protocol>',
      `        <Type>${e.protocol.toUpperCase()}</Type>`,
      `        <Server>${xmlEscape(e.host)}</Server>`,
      `        <Port>${e.port}</Port>`,
      '        <DomainRequired>off</DomainRequired>',
      `        <LoginName>${xmlEscape(s.username)}</LoginName>`,
      '        <SPA>off</SPA>',
      e.socket === 'SSL' ? '        <SSL>on</SSL>' : '        <Encryption>TLS</Encryption>',
      '        <AuthRequired>on</AuthRequired>',
      '      </Protocol>',
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
    '  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">',
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...[...s.incoming, ...s.outgoing].map(proto),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/** A stable UUID derived from text, so reinstalling a profile replaces the old one. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

const key = (k: string, v: string): string => `<key>${k}</key>${v}`;
const str = (v: string): string => `<string>${xmlEscape(v)}</string>`;
const int = (v: number): string => `<integer>${v}</integer>`;
const bool = (v: boolean): string => (v ? '<true/>' : '<false/>');

/**
 * An Apple configuration profile (.mobileconfig) with one mail account
 * (com.apple.mail.managed; no password inside: the device asks for it) and,
 * when given, the box's CA as a trusted root (com.apple.security.root), so the
 * phone accepts the box's own certificate. Unsigned: iOS shows it as
 * "unverified", which is honest for a profile made by the box itself.
 */
export function mobileconfigXml(s: ClientSettings, hostname: string, caPem?: string): string {
  const inc = s.incoming.find((e) => e.protocol === 'imap') ?? s.incoming[0];
  const out = s.outgoing[0];
  const id = `local.letterbox.${hostname.split('.').reverse().join('.')}`;
  const payloads: string[] = [];
  if (inc && out) {
    payloads.push(
      `<dict>${[
        key('EmailAccountDescription', str(`${s.address} (${hostname})`)),
        key('EmailAccountName', str(s.address)),
        key('EmailAccountType', str(inc.protocol === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP')),
        key('EmailAddress', str(s.address)),
        key('IncomingMailServerAuthentication', str('EmailAuthPassword')),
        key('IncomingMailServerHostName', str(inc.host)),
        key('IncomingMailServerPortNumber', int(inc.port)),
        key('IncomingMailServerUseSSL', bool(inc.socket === 'SSL')),
        key('IncomingMailServerUsername', str(s.username)),
        key('OutgoingMailServerAuthentication', str('EmailAuthPassword')),
        key('OutgoingMailServerHostName', str(out.host)),
        key('OutgoingMailServerPortNumber', int(out.port)),
        key('OutgoingMailServerUseSSL', bool(out.socket === 'SSL')),
        key('OutgoingMailServerUsername', str(s.username)),
        key('OutgoingPasswordSameAsIncomingPassword', bool(true)),
        key('PayloadDescription', str('Mail account settings')),
        key('PayloadDisplayName', str(`Mail ${s.address}`)),
        key('PayloadIdentifier', str(`${id}.mail.${uuidFrom(s.address)}`)),
        key('PayloadType', str('com.apple.mail.managed')),
        key('PayloadUUID', str(uuidFrom(`mail:${s.address}:${hostname}`))),
        key('PayloadVersion', int(1)),
      ].join('')}</dict>`,
    );
  }
  if (caPem) {
    const der = new X509Certificate(caPem).raw.toString('base64');
    payloads.push(
      `<dict>${[
        key('PayloadCertificateFileName', str('letterbox-ca.crt')),
        key('PayloadContent', `<data>${der}</data>`),
        key('PayloadDescription', str('The certificate authority of your Letterbox')),
        key('PayloadDisplayName', str(`Letterbox CA (${hostname})`)),
        key('PayloadIdentifier', str(`${id}.ca`)),
        key('PayloadType', str('com.apple.security.root')),
        key('PayloadUUID', str(uuidFrom(`ca:${hostname}:${der.slice(0, 64)}`))),
        key('PayloadVersion', int(1)),
      ].join('')}</dict>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    `<dict>${[
      key('PayloadContent', `<array>${payloads.join('')}</array>`),
      key('PayloadDescription', str(`Mail settings for ${s.address}`)),
      key('PayloadDisplayName', str(`Letterbox mail (${hostname})`)),
      key('PayloadIdentifier', str(`${id}.${uuidFrom(s.address)}`)),
      key('PayloadRemovalDisallowed', bool(false)),
      key('PayloadType', str('Configuration')),
      key('PayloadUUID', str(uuidFrom(`profile:${s.address}:${hostname}`))),
      key('PayloadVersion', int(1)),
    ].join('')}</dict>`,
    '</plist>',
    '',
  ].join('\n');
}
