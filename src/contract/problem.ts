import { z } from 'zod';
import { errorCodes } from './error-codes.js';

/**
 * What is wrong with one field of a `validation-failed` answer, stable for clients: the web UI
 * words its own message beside the field from it (docs/api.md "Errors"); `detail` names the field
 * for a developer reading the answer.
 */
export const fieldReasons = ['missing', 'invalid_type', 'too_small', 'too_big', 'invalid_format', 'invalid_value', 'unrecognized_keys', 'other'] as const;
export type FieldReason = (typeof fieldReasons)[number];

/** The RFC 9457 problem every error answer carries (application/problem+json). */
export const problemResponse = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('Localised explanation (German by default, English by Accept-Language)'),
    code: z.enum(errorCodes as [string, ...string[]]).describe('Stable machine-readable code'),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string(),
          reason: z.enum(fieldReasons).describe('What is wrong with the field, for a client that words its own message'),
          detail: z.string(),
        }),
      )
      .optional()
      .describe('validation-failed only: each wrong field'),
    triesLeft: z.number().int().optional().describe('wrong-code only: how many more guesses the code allows'),
  })
  .describe('Problem details (RFC 9457)');

/**
 * The error answers every API route may give, for its OpenAPI `response` (documentation:
 * problems are sent as ready JSON, so this schema never serialises anything).
 */
export const problemResponses = { '4XX': problemResponse, '5XX': problemResponse } as const;

/** A 204 answer: no body. */
export const noContent = z.null().describe('No content');
