#!/usr/bin/env node
// The leadscore command. The sources are TypeScript run through tsx's loader, so nothing needs building
// after `npm install` and no global install is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
