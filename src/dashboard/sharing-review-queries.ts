import type { Queryable } from '../db/pool.ts';

export async function findSharingReview(db: Queryable, jobseekerId: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ reviewed_at: Date }>(
    'SELECT reviewed_at FROM sharing_reviews WHERE jobseeker_id = $1',
    [jobseekerId],
  );
  return rows[0]?.reviewed_at;
}

export async function recordSharingReview(db: Queryable, jobseekerId: string): Promise<void> {
  await db.query(
    `INSERT INTO sharing_reviews (jobseeker_id) VALUES ($1)
     ON CONFLICT (jobseeker_id) DO UPDATE SET reviewed_at = now()`,
    [jobseekerId],
  );
}
