// A queue's address: redis://[user:password@]HOST[:PORT][/DB] or rediss://… (TLS). The password is a
// secret: everything a person or a log sees goes through redactQueueUrl, never the URL as given.
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../errors';

export interface QueueAddress {
  /** The URL with any password replaced by ***: the only form that may be printed or logged. */
  display: string;
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

const DEFAULT_REDIS_PORT = 6379;

export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new UsageError(
      `the queue address ${redactQueueUrl(url)} is not a URL`,
      'give it as redis://HOST:PORT or rediss://HOST:PORT (TLS), e.g. redis://127.0.0.1:6379',
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(
      `the queue address ${redactQueueUrl(url)} is not a redis:// or rediss:// URL`,
      'give it as redis://HOST:PORT or rediss://HOST:PORT (TLS)',
    );
  }
  if (!u.hostname) throw new UsageError(`the queue address ${redactQueueUrl(url)} has no host`, 'give it as redis://HOST:PORT');
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(
      `the queue address ${redactQueueUrl(url)} names database ${u.pathname.slice(1)}, not a number`,
      'end the URL with /0 … /15 or nothing',
    );
  const port = u.port ? Number(u.port) : DEFAULT_REDIS_PORT;
  return {
    display: redactQueueUrl(url),
    tls: u.protocol === 'rediss:',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** The URL with its password (and a password-only user part) replaced by ***; safe on malformed input. */
export function redactQueueUrl(url: string): string {
  return url.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_m, scheme: string, cred: string) => {
    const i = cred.indexOf(':');
    return i < 0 ? `${scheme}***@` : `${scheme}${cred.slice(0, i)}:***@`;
  });
}

/** Removes the password wherever a message may quote it (ioredis errors, nested causes). */
export function redactSecret(text: string, a: QueueAddress): string {
  return a.password ? text.split(a.password).join('***') : text;
}

/** ioredis options for this address. `blocking` connections (BullMQ workers, event readers) must
 * wait for Redis forever rather than fail a command: that is what pauses the loop while Redis is down. */
export function redisOptions(a: QueueAddress, name: string): RedisOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...(a.tls ? { tls: { servername: a.host } } : {}),
    connectionName: name,
    maxRetriesPerRequest: null,
    // Reconnect every second at most, forever: a Redis restart must not end a run.
    retryStrategy: (times: number) => Math.min(times * 200, 1000),
    connectTimeout: 10_000,
    lazyConnect: false,
  };
}
