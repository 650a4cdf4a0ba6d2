#!/usr/bin/env node
// The `mm` command: the TypeScript CLI run through tsx, so `npx mm` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
