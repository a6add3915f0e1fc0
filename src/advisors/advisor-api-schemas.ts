// Request bodies of the admin API's advisor routes; the same schemas generate the OpenAPI document.
import { z } from 'zod';

export const advisorCreateBody = z
  .object({
    email: z.string().trim().max(254),
    display_name: z.string().trim().min(1).max(100),
    agency: z.string().trim().min(1).max(100),
    password: z.string().min(12).max(1024),
  })
  .strict();

export const advisorPatchBody = z
  .object({
    display_name: z.string().trim().min(1).max(100),
    agency: z.string().trim().min(1).max(100),
    disabled: z.boolean(),
  })
  .partial()
  .strict();
