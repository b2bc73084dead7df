import * as z from 'zod/mini';
import { CliEventSchema, StreamMessageSchema, type CliEvent, type StreamMessage } from '../shared/events';
import { parseJson } from '../shared/json-lines';
import type { ModelDescription } from '../shared/model-card';

/**
 * Text from the server process made into checked values: its stdout lines (`serve --json`), the events WebSocket's
 * messages, the owner's HTTP answers and `inspect --json`. Each is checked with its schema in `src/shared/` before
 * anything trusts a field of it (a newer or broken server, a truncated line, a stray `console.log` in the child).
 */

/** A `serve --json` stdout line as an event, or undefined when it is not one (the caller logs it as text). */
export function parseCliLine(line: string): CliEvent | undefined {
  return parsed(CliEventSchema, line);
}

/** One events WebSocket frame as a message, or undefined when it is not one. */
export function parseStreamMessage(text: string): StreamMessage | undefined {
  return parsed(StreamMessageSchema, text);
}

/** JSON text checked with `schema`, or undefined when it is not JSON or not what the schema says. */
export function parsed<T>(schema: z.ZodMiniType<T>, text: string): T | undefined {
  const checked = schema.safeParse(parseJson(text));
  return checked.success ? checked.data : undefined;
}

/** Where the first problem is ("tunnel.state") and what it is, for an error message. */
export function firstProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not what was expected';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

const tensorSpec = z.looseObject({
  name: z.string().check(z.minLength(1)),
  datatype: z.string().check(z.minLength(1)),
  shape: z.array(z.union([z.int().check(z.nonnegative()), z.string()])),
});

/**
 * What `model-preview inspect --json` prints, as far as the Models tree reads it; the rest of it passes unchecked.
 * (The tree runs the bundled CLI, but a stray line or a mismatched build must give one broken entry, not a tree that
 * fails to load.)
 */
const ModelDescriptionSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  version: z.string().check(z.minLength(1)),
  sha256: z.string().check(z.minLength(1)),
  inputs: z.array(tensorSpec),
  outputs: z.array(tensorSpec),
  nonTensorOutputs: z.array(z.looseObject({ name: z.string().check(z.minLength(1)), note: z.string() })),
  producer: z.optional(z.looseObject({ name: z.string(), version: z.string() })),
});

export function parseModelDescription(text: string): ModelDescription | undefined {
  return parsed(ModelDescriptionSchema, text) as ModelDescription | undefined;
}
