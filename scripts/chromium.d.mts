/** Path of a Chromium binary (CHROMIUM_PATH wins), or undefined. */
export function findChromium(): string | undefined;
