// The service's outgoing mail, behind one small interface so that a real sender (SMTP, a provider's
// API) can replace the development default without touching its callers. The default writes each
// message to the mail_outbox table, where a developer (or a test) reads it, and logs that it did —
// the recipient's domain and the message id only: a verification link is a credential, never logged.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.ts';
import { insertOutboxMessage } from './mail-outbox-queries.ts';

export interface MailMessage {
  to: string;
  subject: string;
  /** plain text, French */
  body: string;
}

export interface MailSender {
  send(message: MailMessage, db?: Queryable): Promise<void>;
}

export function outboxMailSender(pool: Queryable, logger: Logger): MailSender {
  return {
    async send(message, db = pool) {
      const id = await insertOutboxMessage(db, message);
      logger.info(
        { mail: { id, domain: message.to.split('@').pop(), subject: message.subject } },
        'mail written to the outbox (mail_outbox)',
      );
    },
  };
}
