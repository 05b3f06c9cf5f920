// The public SDK: `import { defineLoop } from 'skene'` in skene.config.ts.
export * from './sdk/index.js';
