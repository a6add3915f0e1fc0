// The admin second factor: the shared TOTP rules (../security/totp-second-factor.ts) over the admin
// tables, audited as `admin.*`.
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { ADMIN_TABLES } from '../security/second-factor-queries.ts';
import { createTotpSecondFactor } from '../security/totp-second-factor.ts';
import type { AdminRow } from './admin-queries.ts';

export { type CodeOutcome, type SecondFactorStep, TOTP_WINDOW } from '../security/totp-second-factor.ts';

export const createAdminSecondFactor = (deps: { pool: Pool; box: SecretBox }) =>
  createTotpSecondFactor<AdminRow>({
    ...deps,
    kind: {
      tables: ADMIN_TABLES,
      word: 'admin',
      totpPurpose: 'admin-totp',
      notFound: 'administrateur introuvable',
    },
  });

export type AdminSecondFactor = ReturnType<typeof createAdminSecondFactor>;
