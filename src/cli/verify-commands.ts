// `audit verify` and `receipts verify`: check what the provider signed or chained, from outside it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../http/app-error.ts';
import { listPublicKeysEver } from '../oidc/signing-keys.ts';
import { fromPublishedReceiptKeys } from '../receipts/receipt-service.ts';
import { verifyReceipt } from '../receipts/verify-receipt.ts';
import { verifyChains } from '../security/hash-chains.ts';
import { type Command, printJson, usage, withServices } from './cli-services.ts';

const AUDIT_VERIFY_HELP = `Usage: npm run cli -- audit verify

Walks the hash chains of the consent events and of the admin audit log, recomputing every hash.
Prints {"ok", "chains": [{chain, ok, rows, head, brokenId?, reason?}]} as JSON; on stderr, OK or the
first broken row of each chain. Exit status: 0 when both chains hold, 1 otherwise.
Keep the printed heads: rows removed from the end of a chain show only against an earlier head.`;

const auditVerify: Command = async (args) => {
  if (args.includes('--help')) return usage(AUDIT_VERIFY_HELP, true);
  const chains = await withServices(({ db }) => verifyChains(db.pool));
  const ok = chains.every((c) => c.ok);
  for (const c of chains) {
    process.stderr.write(
      c.ok
        ? `${c.chain}: OK (${c.rows} rows, head ${c.head?.hash ?? 'empty'})\n`
        : `${c.chain}: BROKEN at id ${c.brokenId}: ${c.reason} (${c.rows} rows verified before it)\n`,
    );
  }
  printJson({ ok, chains });
  return ok ? 0 : 1;
};

const RECEIPTS_VERIFY_HELP = `Usage: npm run cli -- receipts verify FILE [--issuer URL]

Checks a signed consent receipt (the .jwt file a jobseeker downloads from the history of a consent):
its signature, by one of the keys we ever signed with — also after a rotation took it out of the JWKS —
while that key was in service, its type and its issuer. The keys come from this configuration's
database, or with --issuer from that provider's published receipt keys (URL/recus/cles.json).
Prints {"valid", "reason"?, "kid"?, "signed_at"?, "receipt"?} as JSON; on stderr, OK or why not.
Exit status: 0 for a valid receipt, 1 otherwise.`;

const receiptsVerify: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { issuer: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || positionals.length !== 1) return usage(RECEIPTS_VERIFY_HELP, values.help);
  const jws = readFileSync(positionals[0] as string, 'utf8');
  const verdict = values.issuer
    ? await (async () => {
        const issuer = (values.issuer as string).replace(/\/+$/, '');
        const response = await fetch(`${issuer}/recus/cles.json`);
        if (!response.ok)
          throw new AppError(400, 'keys', `${issuer}/recus/cles.json answered ${response.status}`);
        return verifyReceipt(jws, fromPublishedReceiptKeys(await response.json()), issuer);
      })()
    : await withServices(async ({ db, box, config }) =>
        verifyReceipt(jws, await listPublicKeysEver(db.pool, box), config.issuer),
      );
  process.stderr.write(verdict.valid ? 'OK: valid receipt\n' : `INVALID: ${verdict.reason}\n`);
  printJson(
    verdict.valid
      ? { valid: true, kid: verdict.kid, signed_at: verdict.signedAt.toISOString(), receipt: verdict.payload }
      : { valid: false, reason: verdict.reason },
  );
  return verdict.valid ? 0 : 1;
};

export const verifyCommands: Record<string, Command> = {
  'audit verify': auditVerify,
  'receipts verify': receiptsVerify,
};
