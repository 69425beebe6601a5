/**
 * The version constants must match what is installed and published.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPAGE_VERSION, ORT_VERSION } from '../../src/version.ts';

function versionOf(path: string): string {
  const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${path} has no version`);
  return pkg.version;
}

describe('versions', () => {
  it("ORT_VERSION equals the installed onnxruntime-web's version", () => {
    expect(ORT_VERSION).toBe(versionOf('../../node_modules/onnxruntime-web/package.json'));
  });

  it("ORT_VERSION equals the version onnxruntime-web reports at run time", async () => {
    const ort = await import('onnxruntime-web');
    expect(ort.env.versions.web).toBe(ORT_VERSION);
  });

  it("INPAGE_VERSION equals package.json's version", () => {
    expect(INPAGE_VERSION).toBe(versionOf('../../package.json'));
  });
});
