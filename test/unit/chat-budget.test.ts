/**
 * The token budget (src/chat/budget.ts) with a counter of one token per word plus 2 per message:
 * chats are trimmed oldest-first (never a system message, never the last message) or rejected;
 * plain prompts fit or are rejected; nothing is cut mid-message.
 */
import { describe, expect, it } from 'vitest';
import { defaultMaxNewTokens, fitChat, fitText } from '../../src/chat/budget.ts';
import { InpageError } from '../../src/errors.ts';
import type { ChatMessage } from '../../src/generation-types.ts';

const count = (ms: readonly ChatMessage[]): number => ms.reduce((n, m) => n + 2 + m.content.split(' ').filter(Boolean).length, 0);
const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
const chat: ChatMessage[] = [
  { role: 'system', content: words(8) }, { role: 'user', content: words(20) }, { role: 'assistant', content: words(20) },
  { role: 'system', content: words(3) }, { role: 'user', content: words(10) },
];
const code = (f: () => unknown): string | undefined => { try { f(); return undefined; } catch (e) { return e instanceof InpageError ? e.code : 'other'; } };

describe('token budget', () => {
  it('keeps a chat that fits as it is', () => {
    expect(fitChat(chat, count, { contextTokens: 100, maxNewTokens: 20, policy: 'trim' })).toEqual({ messages: chat, promptTokens: 71, dropped: 0 });
  });
  it('drops the oldest non-system turns, keeps system messages and the last message', () => {
    const r = fitChat(chat, count, { contextTokens: 50, maxNewTokens: 10, policy: 'trim' });
    expect(r.dropped).toBe(2);
    expect(r.messages.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(r.messages.at(-1)).toBe(chat.at(-1));
    expect(r.promptTokens).toBe(count(r.messages));
    expect(r.promptTokens + 10).toBeLessThanOrEqual(50);
  });
  it('drops as few turns as needed', () => {
    const r = fitChat(chat, count, { contextTokens: 80, maxNewTokens: 20, policy: 'trim' });
    expect(r.dropped).toBe(1);
    expect(r.messages[1]!.role).toBe('assistant');
  });
  it("rejects under 'reject', when even system + last do not fit, or when max_new_tokens leaves no room", () => {
    expect(code(() => fitChat(chat, count, { contextTokens: 60, maxNewTokens: 10, policy: 'reject' }))).toBe('INPUT_INVALID');
    expect(code(() => fitChat(chat, count, { contextTokens: 30, maxNewTokens: 10, policy: 'trim' }))).toBe('INPUT_INVALID');
    expect(code(() => fitChat(chat, count, { contextTokens: 30, maxNewTokens: 30, policy: 'trim' }))).toBe('INPUT_INVALID');
    try { fitChat(chat, count, { contextTokens: 60, maxNewTokens: 10, policy: 'reject' }); } catch (e) {
      expect((e as InpageError).details).toEqual({ promptTokens: 71, maxNewTokens: 10, contextTokens: 60 });
      expect((e as InpageError).message).toMatch(/71 tokens.*10.*60/);
    }
  });
  it('plain prompts fit or are rejected; empty prompts are rejected; the default answer room', () => {
    expect(() => fitText(90, { contextTokens: 100, maxNewTokens: 10 })).not.toThrow();
    expect(code(() => fitText(91, { contextTokens: 100, maxNewTokens: 10 }))).toBe('INPUT_INVALID');
    expect(code(() => fitText(0, { contextTokens: 100, maxNewTokens: 10 }))).toBe('INPUT_INVALID');
    expect(defaultMaxNewTokens(128)).toBe(32);
    expect(defaultMaxNewTokens(8192)).toBe(256);
    expect(defaultMaxNewTokens(2)).toBe(1);
  });
});
