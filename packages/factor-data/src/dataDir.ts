import { fileURLToPath } from 'node:url';

/** data/ beside src/ and dist/. */
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));
