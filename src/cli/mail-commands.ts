// `mail outbox`: the development mail sender writes to the mail_outbox table
// (src/developers/mail-sender.ts); this reads it back, e.g. a developer account's verification link,
// whatever database the provider uses.
import { latestOutboxMessages } from '../developers/mail-outbox-queries.ts';
import { badRequest } from '../http/app-error.ts';
import { type Command, printJson, usage, withServices } from './cli-services.ts';

const mailOutbox: Command = async (args) => {
  if (args.includes('--help'))
    return usage('Usage: npm run cli -- mail outbox [--limit N]   (default 5, newest first)', true);
  const at = args.indexOf('--limit');
  const limit = at >= 0 ? Number(args[at + 1]) : 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw badRequest('--limit: un entier de 1 à 1000');
  const messages = await withServices(({ db }) => latestOutboxMessages(db.pool, limit));
  for (const m of messages) printJson(m);
  return 0;
};

export const mailCommands: Record<string, Command> = { 'mail outbox': mailOutbox };
