/**
 * The token budget of a generation, made explicit and checked before anything runs. Pure: the
 * worker calls it with the model's tokenizer as the counter; the unit tests with a fake one.
 *
 * The rule: prompt tokens + `max_new_tokens` must fit the model's context.
 * - A chat that does not fit is trimmed (policy `'trim'`, the default) by dropping the oldest
 *   turns, one message at a time, never a system message and never the last message; or rejected
 *   (policy `'reject'`). If even the system messages plus the last message do not fit, it is
 *   rejected. A message is never cut in the middle.
 * - A plain-text prompt has no turns: it fits or is rejected.
 * Rejection is `INPUT_INVALID` with the numbers (prompt, requested, context) in its details.
 */
import { InpageError } from '../errors.ts';
import type { ChatMessage, ContextPolicy } from '../generation-types.ts';

/** Answer room when the caller gives no `max_new_tokens`: a quarter of the context, at most this. */
export const DEFAULT_MAX_NEW_TOKENS = 256;

/** `max_new_tokens` when the caller gave none. */
export function defaultMaxNewTokens(contextTokens: number): number {
  return Math.max(1, Math.min(DEFAULT_MAX_NEW_TOKENS, Math.floor(contextTokens / 4)));
}

/** A chat after the budget: what runs, how many tokens its prompt has, and how many turns went. */
export interface FittedChat {
  messages: ChatMessage[];
  promptTokens: number;
  dropped: number;
}

function overBudget(what: string, promptTokens: number, maxNewTokens: number, contextTokens: number, hint: string): InpageError {
  return new InpageError(
    'INPUT_INVALID',
    `${what}: the prompt has ${promptTokens} tokens and max_new_tokens asks for ${maxNewTokens}, ${promptTokens + maxNewTokens} in all, but the model's context holds ${contextTokens}. ${hint}`,
    { promptTokens, maxNewTokens, contextTokens },
  );
}

/**
 * Fits a chat into the context by the policy above.
 *
 * @param count tokens of a message list as the model sees it (chat template applied)
 * @example fitChat(messages, (m) => tokenizer.count(m), { contextTokens: 2048, maxNewTokens: 256, policy: 'trim' })
 */
export function fitChat(messages: readonly ChatMessage[], count: (messages: readonly ChatMessage[]) => number, opts: { contextTokens: number; maxNewTokens: number; policy: ContextPolicy; what?: string }): FittedChat {
  const what = opts.what ?? 'The chat';
  const room = opts.contextTokens - opts.maxNewTokens;
  if (room < 1) {
    throw new InpageError('INPUT_INVALID', `${what}: max_new_tokens ${opts.maxNewTokens} leaves no room for a prompt in the model's context of ${opts.contextTokens} tokens; ask for fewer.`, { maxNewTokens: opts.maxNewTokens, contextTokens: opts.contextTokens });
  }
  let kept = [...messages];
  let tokens = count(kept);
  if (tokens <= room) return { messages: kept, promptTokens: tokens, dropped: 0 };
  if (opts.policy === 'reject') throw overBudget(what, tokens, opts.maxNewTokens, opts.contextTokens, "Shorten the chat, lower max_new_tokens, or use context: 'trim' to drop the oldest turns.");
  let dropped = 0;
  for (;;) {
    // The oldest message that may go: not a system message, not the last one.
    const i = kept.findIndex((m, at) => m.role !== 'system' && at < kept.length - 1);
    if (i < 0) break;
    kept = [...kept.slice(0, i), ...kept.slice(i + 1)];
    dropped++;
    tokens = count(kept);
    if (tokens <= room) return { messages: kept, promptTokens: tokens, dropped };
  }
  throw overBudget(what, tokens, opts.maxNewTokens, opts.contextTokens, `Even the system message${kept.length > 2 ? 's' : ''} and the last message alone are too long (${dropped} older message${dropped === 1 ? '' : 's'} already dropped); shorten them or lower max_new_tokens.`);
}

/** Checks a plain-text prompt of `promptTokens` tokens (no turns to drop). */
export function fitText(promptTokens: number, opts: { contextTokens: number; maxNewTokens: number; what?: string }): void {
  const what = opts.what ?? 'The prompt';
  if (promptTokens === 0) throw new InpageError('INPUT_INVALID', `${what} is empty: a language model needs at least one token to continue.`);
  if (promptTokens + opts.maxNewTokens > opts.contextTokens) {
    throw overBudget(what, promptTokens, opts.maxNewTokens, opts.contextTokens, 'Shorten it or lower max_new_tokens (plain-text prompts are never cut).');
  }
}
