/**
 * A piece of feedback that cannot be stored as sent: a field that breaks the schema, or a prediction this server never
 * made. The message names what was wrong and is shown to whoever sent it (the HTTP layer answers 400 with it).
 */
export class FeedbackInputError extends Error {
  override readonly name = 'FeedbackInputError';
}
